// A KRaft broker's metadata (process.roles=broker): it follows the metadata log as a Raft
// observer and publishes what is committed there once it has caught up (MetadataLoader,
// BrokerMetadataPublisher); it registers with and heartbeats to the active controller
// (BrokerLifecycleManager, KIP-631), and a clean stop is a heartbeat with want_shut_down; ISR
// changes are AlterPartition requests (KIP-497, AlterPartitionManager).
#pragma once
#include <cstdint>
#include <map>
#include <vector>

#include "broker/metadata/metadata_source.hpp"
#include "broker/raft/raft_replica.hpp"

namespace kafka {

class KRaftMetadataSource final : public MetadataSource, private RaftListener {
public:
    KRaftMetadataSource(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config,
                        const ClusterDirectory& directory, MetadataImage& image, ReplicaManager& replicas,
                        CorrelationIds& correlation_ids);

    void start_quorum(Context& ctx) override { raft_.start(ctx); }
    void start(const StartInfo& info, Context& ctx) override;
    void shut_down(Context& ctx) override;
    void handle(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;
    void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) override;
    int32_t controller_id() const override { return raft_.leader_id(); }
    sim::NodeId controller_node() const override;

private:
    // RaftListener: publish what committed (MetadataLoader.handleCommit). A leader change
    // needs nothing here: the controller channel reads the replica's leader when it sends.
    void handle_commit(int64_t high_watermark, Context& ctx) override;
    void handle_leader_change(LeaderAndEpoch, Context&) override {}
    void send_heartbeat(Context& ctx);
    void on_registration(const BrokerRegistrationResponse& r, Context& ctx);
    void on_heartbeat(const BrokerHeartbeatResponse& r, Context& ctx);
    void on_alter_partition(const AlterPartitionResponse& r, Context& ctx);
    void stop_now(Context& ctx);

    RaftReplica raft_;
    bool metadata_caught_up_ = false;  // read the metadata log up to the leader's high watermark
    int64_t applied_offset_ = -1;      // last metadata offset applied to the image

    uint64_t incarnation_id_ = 0;
    int64_t previous_broker_epoch_ = -1;
    int32_t controller_request_ = 0;  // correlation id of the registration/heartbeat in flight
    sim::Time controller_request_sent_;
    int32_t registration_failures_ = 0;  // refused registrations in a row (backoff)
    bool registration_accepted_ = false; // this incarnation was registered once: it may publish
    sim::Time next_registration_;        // no registration before this (after a refusal)
    std::map<int32_t, TopicPartition> alter_in_flight_;  // correlation id -> partition
};

// CleanShutdownFileHandler (KIP-966): a clean stop of a KRaft broker leaves its broker epoch in
// the log directory; startup reads it for the registration and removes it.
constexpr const char* clean_shutdown_file = ".kafka_cleanshutdown";

}  // namespace kafka
