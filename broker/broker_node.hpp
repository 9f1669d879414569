// A Kafka broker in KRaft mode (process.roles=broker). It follows the metadata log as a Raft
// observer and acts on what is committed there; it registers with and heartbeats to the
// active controller (KIP-631); it leads and follows partitions: the produce path (acks,
// min.insync.replicas, idempotence, the produce purgatory), the fetch path (follower and
// consumer fetches, the fetch purgatory), replica fetchers with divergence truncation
// (KIP-320), and ISR changes through AlterPartition (KIP-497).
//
// In ZooKeeper mode (a non-empty ensemble) the same broker instead holds a ZooKeeper session
// (ZkClient) and runs Kafka's ZooKeeper-mode controller (ZkController, active on one broker);
// its metadata cache is written by the controller's LeaderAndIsr and UpdateMetadata requests
// (fenced by controller epoch: STALE_CONTROLLER_EPOCH), and a leader writes ISR changes to the
// partition's state znode itself, conditional on its zkVersion, then announces them with an
// /isr_change_notification znode. A clean stop is a ControlledShutdown request to the controller.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/controller/zk_controller.hpp"
#include "broker/group/group_coordinator.hpp"
#include "broker/raft/raft_replica.hpp"
#include "broker/replica/partition.hpp"
#include "broker/world.hpp"
#include "broker/zookeeper/zk_client.hpp"

namespace kafka {

class BrokerNode final : public Node, private GroupCoordinator::Host {
public:
    // zookeepers: the ensemble's server ids in ZooKeeper mode; empty in KRaft mode.
    BrokerNode(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config, const ClusterDirectory& directory,
               std::vector<int32_t> zookeepers = {});

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;
    void on_shutdown(Context& ctx) override;

    // ---- inspection (read-only, for the harness) ----
    BrokerId id() const { return id_; }
    const MetadataImage& metadata() const { return image_; }
    int64_t metadata_offset() const { return applied_offset_; }
    const RaftReplica& raft() const { return raft_; }
    bool registered() const { return broker_epoch_ >= 0; }
    int64_t broker_epoch() const { return broker_epoch_; }
    bool fenced() const { return fenced_; }
    const Partition* partition(TopicPartition tp) const;
    std::vector<const Partition*> partitions() const;
    const GroupCoordinator& coordinator() const { return coordinator_; }
    // ZooKeeper mode (nullptr in KRaft mode).
    bool zookeeper_mode() const { return zk_ != nullptr; }
    const ZkClient* zk_client() const { return zk_.get(); }
    const ZkController* zk_controller() const { return zk_controller_.get(); }
    int32_t controller_epoch_seen() const { return controller_epoch_seen_; }
    // The controller as this broker knows it: KRaft quorum leader, or the ZooKeeper-mode
    // controller broker named by the last UpdateMetadata. -1 unknown.
    int32_t controller_id() const;

private:
    // Timer kinds of the replica manager's space (the value carries an id where needed).
    enum ReplicaTimer : uint64_t {
        timer_isr_check = 1,
        timer_hw_checkpoint = 2,
        timer_fetch_wait = 3,    // value: parked fetch
        timer_produce_wait = 4,  // value: pending produce
        timer_fetcher = 5,       // value: leader broker id (backoff or request timeout)
    };
    // Timer kinds of the metadata source's space.
    enum MetadataTimer : uint64_t {
        timer_heartbeat = 1,
        timer_alter_partition = 2,      // value: correlation id
        timer_controlled_shutdown = 3,  // ZooKeeper mode: retry or give up a ControlledShutdown
        timer_exit = 4,                 // ZooKeeper mode: exit even if closing the session got no answer
    };
    const sim::TimerSpace replica_timers_ = timer_space(TimerComponent::replica_manager);
    const sim::TimerSpace metadata_timers_ = timer_space(TimerComponent::metadata);

    // ---- metadata ----
    void after_raft(Context& ctx);
    void apply_committed(Context& ctx);
    void reconcile(const std::vector<TopicPartition>& changed, Context& ctx);
    Partition& open_partition(TopicPartition tp, const std::string& topic, Context& ctx);
    TopicConfig topic_config(TopicId id) const;

    // ---- controller channel ----
    sim::NodeId active_controller_node() const;
    void send_heartbeat(Context& ctx);
    void on_registration(const BrokerRegistrationResponse& r, Context& ctx);
    void on_heartbeat(const BrokerHeartbeatResponse& r, Context& ctx);
    void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx);
    void on_alter_partition(const AlterPartitionResponse& r, Context& ctx);
    void check_isr(Context& ctx);

    // ---- ZooKeeper mode ----
    void after_zk(Context& ctx);
    void handle_leader_and_isr(sim::NodeId from, const LeaderAndIsrRequest& req, Context& ctx);
    void handle_update_metadata(sim::NodeId from, const UpdateMetadataRequest& req, Context& ctx);
    bool stale_controller(int32_t controller_epoch, const char* request, Context& ctx);
    void cache_topics(const std::vector<ZkTopicInfo>& topics);
    void cache_partition(const LeaderAndIsrPartitionState& s);
    void write_isr_to_zookeeper(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx);
    void send_controlled_shutdown(Context& ctx);
    void on_controlled_shutdown(const ControlledShutdownResponse& r, Context& ctx);
    void stop_now(Context& ctx);

    // ---- client-facing requests ----
    void handle_metadata(sim::NodeId from, const MetadataRequest& req, Context& ctx);
    void handle_produce(sim::NodeId from, ProduceRequest& req, Context& ctx);
    void handle_fetch(sim::NodeId from, FetchRequest& req, Context& ctx, bool may_wait);
    void handle_list_offsets(sim::NodeId from, const ListOffsetsRequest& req, Context& ctx);
    void handle_find_coordinator(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx);

    // ---- the group coordinator's appends (GroupCoordinator::Host) ----
    std::optional<int64_t> append_group_records(int32_t partition, std::shared_ptr<const GroupRecords> records,
                                                Error& error, Context& ctx) override;
    int64_t group_partition_high_watermark(int32_t partition) const override;
    std::optional<TopicPartition> offsets_partition(int32_t partition) const;
    bool is_offsets_topic(TopicPartition tp) const;

    // ---- purgatories ----
    struct PendingProduce {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        ProduceResponse response;
        std::vector<int64_t> required_offset;  // per response partition; -1 = already decided
        sim::TimerId timer;
    };
    struct ParkedFetch {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        FetchRequest request;
        sim::TimerId timer;
    };
    void on_high_watermark_advanced(const Partition& p, Context& ctx);
    void on_log_appended(const Partition& p, Context& ctx);
    void complete_produces(TopicPartition tp, Context& ctx, bool leadership_lost);
    enum class WakeFor { followers, consumers, all };
    void wake_fetches(TopicPartition tp, WakeFor who, Context& ctx);
    void finish_produce(size_t index, Context& ctx);

    // ---- replica fetchers (one per leader broker: num.replica.fetchers=1) ----
    struct Fetcher {
        std::vector<TopicPartition> partitions;
        bool in_flight = false;
        int32_t correlation_id = 0;
        sim::TimerId timer;
        bool backing_off = false;
    };
    void update_fetchers(Context& ctx);
    void send_fetch(BrokerId leader, Context& ctx);
    void on_fetch_response(sim::NodeId from, FetchResponse& r, Context& ctx);
    void handle_divergence(Partition& p, const FetchResponse::PartitionData& d, Context& ctx);
    void backoff_fetcher(BrokerId leader, Context& ctx);
    // Before 2.7: a new follower truncates by OffsetForLeaderEpoch before it fetches.
    bool send_epoch_query(BrokerId leader, Context& ctx);
    void handle_offset_for_leader_epoch(sim::NodeId from, const OffsetForLeaderEpochRequest& req, Context& ctx);
    void on_offset_for_leader_epoch(sim::NodeId from, const OffsetForLeaderEpochResponse& r, Context& ctx);
    void truncate_follower(Partition& p, int64_t to, const char* reason, Context& ctx);

    BrokerId id_;
    std::vector<int32_t> voters_;
    BrokerConfig config_;
    const ClusterDirectory& directory_;
    RaftReplica raft_;
    MetadataImage image_;
    bool metadata_caught_up_ = false;  // read the metadata log up to the leader's high watermark
    int64_t applied_offset_ = -1;  // last metadata offset applied to image_

    uint64_t incarnation_id_ = 0;
    int64_t broker_epoch_ = -1;
    int64_t previous_broker_epoch_ = -1;  // from the clean-shutdown file at startup (KIP-966)
    bool fenced_ = true;
    bool shutting_down_ = false;
    int32_t next_correlation_ = 1;
    int32_t controller_request_ = 0;  // correlation id of the registration/heartbeat in flight
    sim::Time controller_request_sent_;

    std::map<TopicPartition, std::unique_ptr<Partition>> partitions_;
    std::map<int32_t, TopicPartition> alter_in_flight_;  // correlation id -> partition
    std::vector<PendingProduce> produces_;
    std::vector<ParkedFetch> fetches_;
    uint64_t next_purgatory_id_ = 1;
    std::map<BrokerId, Fetcher> fetchers_;
    std::set<TopicPartition> awaiting_truncation_;  // followers in Kafka's Truncating fetch state

    GroupCoordinator coordinator_{config_, *this};

    // ZooKeeper mode
    std::unique_ptr<ZkClient> zk_;
    std::unique_ptr<ZkController> zk_controller_;
    int32_t controller_epoch_seen_ = 0;   // highest controller epoch a request came with
    BrokerId zk_controller_id_ = -1;      // from UpdateMetadata
    int64_t cache_offset_ = -1;           // the metadata cache's change counter (image_ offsets)
    std::map<TopicPartition, int32_t> state_controller_epoch_;  // controller epoch of each partition's state
    int32_t controlled_shutdown_request_ = 0;
    sim::TimerId controlled_shutdown_timer_;
    bool closing_session_ = false;  // stopping: exit once ZooKeeper confirmed the session is closed
    int controlled_shutdown_attempts_ = 0;
    std::optional<sim::Time> offsets_topic_requested_at_;  // asked the controller to create __consumer_offsets
};

}  // namespace kafka
