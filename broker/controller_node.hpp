// A KRaft controller process (process.roles=controller, ids 3000..): a voter of the metadata
// quorum (RaftReplica) hosting the QuorumController.
//
// The node is ACTIVE while its replica leads and the LeaderChangeMessage of its epoch is
// committed (HW > epoch start offset): then it resets the controller, replays the whole log
// (all committed by then) and calls on_become_active. While active, every controller
// request is decided at once against the image including its own uncommitted records
// (replayed speculatively, as Kafka's controller does), the records are appended through
// Raft, and the response waits until the high watermark passes the last of them. Every
// 500 ms an idle NoOpRecord is appended (KIP-835 metadata.max.idle.interval.ms) and every
// 250 ms the controller ticks (session expiry, elections, then the auto leader rebalance
// check). An inactive node answers
// controller requests with NOT_CONTROLLER and replays only committed records; on losing
// leadership it drops its deferred responses (clients time out and retry), resets and
// replays the committed prefix.
//
// Trace kinds: controller_active {epoch}, controller_inactive {epoch},
// broker_registration_rejected {broker, error, since_heartbeat_ms}, partition_change (also for
// ElectLeaders and reassignments, with the replica set when it changes), topic_admin_change
// (DeleteTopics, IncrementalAlterConfigs, CreatePartitions), plus the Raft ones.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/quorum_controller.hpp"
#include "broker/raft/raft_replica.hpp"
#include "broker/world.hpp"

namespace kafka {

class ControllerNode : public Node, private RaftListener {
public:
    static constexpr int64_t idle_noop_interval_ms = 500;  // metadata.max.idle.interval.ms
    static constexpr int64_t tick_interval_ms = 250;

    // directory is held by reference: it outlives the nodes.
    ControllerNode(int32_t node_id, std::vector<int32_t> voters, const BrokerConfig& config,
                   const ClusterDirectory& directory, uint64_t placement_seed);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override { raft_.on_disconnect(peer, ctx); }
    // Clean stop: resign the quorum (EndQuorumEpoch), then exit once a voter acknowledged
    // it (or after controller.quorum.request.timeout.ms).
    void on_shutdown(Context& ctx) override;

    int32_t node_id() const { return id_; }
    const RaftReplica& raft() const { return raft_; }
    // The controller's image: the committed log while inactive, the whole log (with its own
    // uncommitted records) while active. Never null while the node lives.
    const QuorumController* controller() const { return controller_.get(); }
    bool active() const { return active_; }
    // Responses waiting for their records to commit.
    size_t deferred_responses() const { return deferred_.size(); }

private:
    enum Timer : uint64_t { timer_noop = 1, timer_tick = 2, timer_exit = 3 };
    const sim::TimerSpace timers_ = timer_space(TimerComponent::controller);

    struct Deferred {
        int64_t last_offset;  // sent once the high watermark is past it
        sim::NodeId to;
        Message response;
    };

    // RaftListener: claim or renounce on a leader change; replay the committed log while
    // inactive, answer the requests whose records committed while active.
    void handle_leader_change(LeaderAndEpoch leader, Context& ctx) override;
    void handle_commit(int64_t high_watermark, Context& ctx) override;
    void replay_committed(int64_t high_watermark);
    void activate(Context& ctx);
    void deactivate(Context& ctx);
    // Replay the records speculatively and append them through Raft; the response (if any)
    // waits for their commit. Returns false when not appended (not the leader any more).
    bool append_records(std::vector<MetadataRecord> records, sim::NodeId to, Message response, Context& ctx,
                        const char* reason = "", bool admin = false);
    // Traces a decision (fencing, unfencing, a leader or ISR change) before it is replayed,
    // so the image still holds the state it changes.
    // Admin requests' topic changes (RemoveTopicRecord, ConfigRecord, new PartitionRecords) are
    // traced as TopicAdminChange; CreateTopics' are not (TopicCreated tells of it).
    void trace_decision(const MetadataRecord& record, const char* reason, bool admin, Context& ctx) const;
    void handle_request(sim::NodeId from, Message& msg, Context& ctx);
    void reply_not_controller(sim::NodeId from, const Message& msg, Context& ctx);

    int32_t id_;
    BrokerConfig config_;
    RaftReplica raft_;
    std::unique_ptr<QuorumController> controller_;

    bool shutting_down_ = false;
    bool active_ = false;
    int32_t active_epoch_ = -1;
    int64_t replayed_ = 0;  // next log offset to replay into the controller
    std::deque<Deferred> deferred_;  // ascending last_offset (appends only grow)
    sim::TimerId noop_timer_, tick_timer_;
};

}  // namespace kafka
