// Where a broker's metadata comes from, and how it talks to its controller. Two kinds:
//
//  - KRaftMetadataSource: the broker follows the metadata log as a Raft observer, registers
//    with and heartbeats to the active controller (KIP-631, BrokerLifecycleManager), and asks
//    it for ISR changes with AlterPartition (KIP-497).
//  - ZkMetadataSource: the broker holds a ZooKeeper session and runs the ZooKeeper-mode
//    controller; its metadata cache is written by the controller's LeaderAndIsr and
//    UpdateMetadata, a leader writes ISR changes to ZooKeeper itself, and a clean stop is a
//    ControlledShutdown request.
//
// Either way the source writes the broker's metadata cache (a MetadataImage the broker owns)
// and has the ReplicaManager act on new leaderships. Both serve MetadataRequest from the cache.
#pragma once
#include <cstdint>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/controller/zk_controller.hpp"
#include "broker/correlation_ids.hpp"
#include "broker/raft/raft_replica.hpp"
#include "broker/replica/replica_manager.hpp"
#include "broker/world.hpp"
#include "broker/zookeeper/zk_client.hpp"

namespace kafka {

class MetadataSource {
public:
    // The messages the broker's router hands to handle(): the metadata quorum's and
    // ZooKeeper's, the controller's requests and answers, and MetadataRequest.
    template <class T>
    static constexpr bool handles =
        // KRaft: the metadata log, the controller channel
        RaftReplica::handles<T> ||
        is_one_of<T, BrokerRegistrationResponse, BrokerHeartbeatResponse, AlterPartitionResponse> ||
        // ZooKeeper mode: the session, the controller every broker runs, the active controller's requests
        ZkClient::handles<T> || ZkController::handles<T> ||
        is_one_of<T, LeaderAndIsrRequest, UpdateMetadataRequest, StopReplicaRequest, ControlledShutdownResponse> ||
        // both
        is_one_of<T, MetadataRequest>;

    // What the broker brings to the controller from its previous life.
    struct StartInfo {
        uint64_t incarnation_id = 0;
        int64_t previous_broker_epoch = -1;  // from the clean-shutdown file (KIP-966), -1 none
    };

    virtual ~MetadataSource() = default;

    // KRaft: open the metadata log and join the quorum, before the broker announces its start.
    virtual void start_quorum(Context&) {}
    // Register (KRaft) or open the ZooKeeper session.
    virtual void start(const StartInfo& info, Context& ctx) = 0;
    // A clean stop: move leadership away through the controller, then stop.
    virtual void shut_down(Context& ctx) = 0;
    virtual void handle(sim::NodeId from, Message& msg, Context& ctx) = 0;
    virtual void on_timer(uint64_t tag, Context& ctx) = 0;
    virtual void on_disconnect(sim::NodeId, Context&) {}
    // A new ISR for a partition this broker leads (ReplicaManager::Host).
    virtual void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason,
                                    Context& ctx) = 0;

    // The controller as this broker knows it: the KRaft quorum leader, or the ZooKeeper-mode
    // controller broker named by the last UpdateMetadata. -1 unknown.
    virtual int32_t controller_id() const = 0;
    // Where a CreateTopics request goes (AutoTopicCreationManager). no_node: unknown.
    virtual sim::NodeId controller_node() const = 0;
    // ZooKeeper mode: the controller this broker runs (active or not); nullptr in KRaft mode.
    virtual const ZkController* zk_controller() const { return nullptr; }

    bool registered() const { return broker_epoch_ >= 0; }
    int64_t broker_epoch() const { return broker_epoch_; }
    bool fenced() const { return fenced_; }

protected:
    MetadataSource(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory, MetadataImage& image,
                   ReplicaManager& replicas, CorrelationIds& correlation_ids)
        : id_(id),
          config_(config),
          directory_(directory),
          image_(image),
          replicas_(replicas),
          correlation_ids_(correlation_ids) {}

    // KafkaApis.handleTopicMetadataRequest, from the metadata cache.
    void handle_metadata(sim::NodeId from, const MetadataRequest& req, Context& ctx) const;

    // Timer kinds of the metadata timer space (one source per broker, so the kinds of both
    // kinds of source share it).
    enum TimerKind : uint64_t {
        timer_heartbeat = 1,
        timer_alter_partition = 2,      // value: correlation id
        timer_controlled_shutdown = 3,  // ZooKeeper mode: retry or give up a ControlledShutdown
        timer_exit = 4,                 // ZooKeeper mode: exit even if closing the session got no answer
    };
    const sim::TimerSpace timers_ = timer_space(TimerComponent::metadata);

    BrokerId id_;
    const BrokerConfig& config_;
    const ClusterDirectory& directory_;
    MetadataImage& image_;
    ReplicaManager& replicas_;
    CorrelationIds& correlation_ids_;

    int64_t broker_epoch_ = -1;
    bool fenced_ = true;
    bool shutting_down_ = false;
};

}  // namespace kafka
