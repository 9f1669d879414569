// The classic group coordinator of one broker (Kafka's GroupCoordinator and
// GroupMetadataManager): it owns the groups whose __consumer_offsets partition this broker
// leads, runs their rebalances, and stores their offsets and metadata as records in that
// partition.
//
//  - A group maps to partition abs(String.hashCode(group.id)) % offsets.topic.num.partitions.
//  - JoinGroup: the first join gets MEMBER_ID_REQUIRED with a new member id (KIP-394). A
//    join starts a rebalance (PreparingRebalance); responses wait until every known member
//    rejoined or the rebalance timeout (the largest max.poll.interval.ms of the members)
//    passed; members that did not rejoin are removed. An empty group waits
//    group.initial.rebalance.delay.ms for more members first, extended while they keep
//    coming in its first generation, within the rebalance timeout (InitialDelayedJoin). Then
//    the generation bumps, a protocol is chosen by vote, and the leader gets the members'
//    subscriptions (CompletingRebalance). A member rejoining with the same metadata gets the
//    current generation instead (not the leader of a Stable group: its join rebalances).
//  - SyncGroup: the leader's assignment is written as a GroupMetadata record; once committed
//    every member gets its part (Stable).
//  - Heartbeat, LeaveGroup and session.timeout.ms: a member that neither heartbeats nor
//    waits in a join or sync for its session timeout is removed, and the group rebalances.
//  - OffsetCommit: accepted from a member of the current generation while Stable or
//    PreparingRebalance (the eager commit before rejoining); REBALANCE_IN_PROGRESS while
//    CompletingRebalance. Offsets are records, answered once committed (acks=all), and
//    REQUEST_TIMED_OUT after offsets.commit.timeout.ms (a group metadata write that times out
//    sends its members back to rejoin: REBALANCE_IN_PROGRESS).
//  - TxnOffsetCommit (KIP-98; generation and member checks from 2.5, KIP-447): the offsets are
//    written as a transactional batch of the producer, so the partition holds the producer's
//    transaction open, and kept *pending* per (group, producer id), invisible to OffsetFetch. The
//    transaction's COMMIT marker on the partition moves them into the committed offsets unless
//    a commit written later in the log is already there; its ABORT marker drops them
//    (GroupMetadata.completePendingTxnOffsetCommit). OffsetFetch with require_stable answers
//    UNSTABLE_OFFSET_COMMIT for a partition with a pending commit.
//  - When this broker becomes the leader of an offsets partition it loads the groups from
//    its replica of the log; when it stops leading it unloads them and answers
//    NOT_COORDINATOR.
//
// The coordinator is a part of a broker, hosted by its CoordinatorHost: it acts through the
// broker's Context and asks the host to append its records (Host).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/group/group_records.hpp"
#include "broker/messages.hpp"
#include "broker/timer_components.hpp"
#include "broker/world.hpp"

namespace kafka {

constexpr const char* consumer_offsets_topic = "__consumer_offsets";

// Java's String.hashCode over the UTF-16 code units of s (ASCII and BMP text), int32 wrap.
int32_t java_string_hash(std::string_view s);
// Utils.abs(hash) % partitions: the __consumer_offsets partition of a group.
int32_t offsets_partition_for(std::string_view group_id, int32_t partitions);

enum class GroupState : uint8_t { empty, preparing_rebalance, completing_rebalance, stable, dead };
const char* to_string(GroupState s);  // Kafka's names: "Empty", "PreparingRebalance", ...

class GroupCoordinator {
public:
    // The producer of a transactional offset commit: its batch carries this id and epoch.
    struct TxnProducer {
        int64_t producer_id = -1;
        int16_t producer_epoch = -1;
    };
    class Host {
    public:
        virtual ~Host() = default;
        // Appends as the leader of __consumer_offsets partition `partition`, acks=all; with
        // `txn`, as a transactional batch of that producer (TxnOffsetCommit). Returns the offset
        // the high watermark must reach, or nullopt with `error` set.
        virtual std::optional<int64_t> append_group_records(int32_t partition, std::shared_ptr<const GroupRecords> records,
                                                            const std::optional<TxnProducer>& txn, Error& error,
                                                            Context& ctx) = 0;
        virtual int64_t group_partition_high_watermark(int32_t partition) const = 0;
    };

    struct Member {
        std::string member_id;
        std::optional<std::string> group_instance_id;  // a static member (KIP-345), as loaded from the log
        std::string client_id;
        sim::NodeId node = sim::no_node;  // where its requests come from
        int64_t session_timeout_ms = 0;
        int64_t rebalance_timeout_ms = 0;
        std::vector<std::string> protocols;
        ConsumerSubscription subscription;
        std::vector<GroupPartition> assignment;
        std::string assignment_user_data;  // the leader's, opaque (Streams: standby tasks)
        uint64_t serial = 0;  // timer ids
        sim::TimerId session_timer;
        std::optional<int32_t> awaiting_join;  // correlation id of the held JoinGroup
        std::optional<int32_t> awaiting_sync;  // correlation id of the held SyncGroup
    };
    struct Group {
        std::string group_id;
        int32_t partition = 0;
        GroupState state = GroupState::empty;
        int32_t generation = 0;
        std::string protocol;
        std::string leader;
        std::vector<std::string> join_order;     // member ids, oldest first
        std::map<std::string, Member> members;
        std::set<std::string> pending_members;   // got MEMBER_ID_REQUIRED, not joined yet
        std::map<GroupPartition, OffsetCommitRecord> offsets;
        // Where each committed offset's record is in the log (CommitRecordMetadataAndOffset
        // .appendedBatchOffset): a commit completes over an older one only.
        std::map<GroupPartition, int64_t> offset_positions;
        // TxnOffsetCommits whose transaction is open, per producer id; the position is unknown
        // until the append is committed (pendingTransactionalOffsetCommits).
        struct PendingTxnOffset {
            OffsetCommitRecord record;
            std::optional<int64_t> position;
        };
        std::map<int64_t, std::map<GroupPartition, PendingTxnOffset>> pending_txn_offsets;
        uint64_t serial = 0;
        sim::TimerId join_timer;
        sim::Time join_deadline;                 // the rebalance timeout's end
        bool initial_delay = false;
        bool joined_during_delay = false;
        bool syncing = false;                    // the leader's assignment is being written
    };

    GroupCoordinator(const BrokerConfig& config, Host& host,
                     sim::TimerSpace timers = timer_space(TimerComponent::group_coordinator))
        : config_(config), host_(host), timer_space_(timers) {}

    // The host routes a timer here when its tag is in the coordinator's space.
    bool owns_timer(uint64_t tag) const { return timer_space_.owns(tag); }

    int32_t partition_for(std::string_view group_id) const {
        return offsets_partition_for(group_id, config_.offsets_topic_num_partitions);
    }
    bool is_loaded(int32_t partition) const { return loaded_.count(partition) != 0; }

    void handle(sim::NodeId from, const JoinGroupRequest& req, Context& ctx);
    void handle(sim::NodeId from, const SyncGroupRequest& req, Context& ctx);
    void handle(sim::NodeId from, const HeartbeatRequest& req, Context& ctx);
    void handle(sim::NodeId from, const LeaveGroupRequest& req, Context& ctx);
    void handle(sim::NodeId from, const OffsetCommitRequest& req, Context& ctx);
    void handle(sim::NodeId from, const OffsetFetchRequest& req, Context& ctx);
    void handle(sim::NodeId from, const TxnOffsetCommitRequest& req, Context& ctx);
    void on_timer(uint64_t tag, Context& ctx);

    // This broker became the leader of offsets partition `partition`: load its groups from
    // the log. It stopped leading it: unload them.
    void load_partition(int32_t partition, const std::vector<RecordBatch>& log, Context& ctx);
    void unload_partition(int32_t partition, Context& ctx);
    // The partition's high watermark reached `hw`: appends below it are committed.
    void on_high_watermark(int32_t partition, int64_t hw, Context& ctx);
    // The marker of `producer_id`'s transaction is written and replicated on these offsets
    // partitions (GroupCoordinator.scheduleHandleTxnCompletion): its pending offsets in their
    // groups are committed or dropped.
    void on_txn_completed(int64_t producer_id, const std::vector<int32_t>& partitions, bool commit, Context& ctx);

    // ---- inspection (the harness, `describe`) ----
    const std::map<std::string, Group>& groups() const { return groups_; }

private:
    enum Purpose : uint64_t { purpose_session = 1, purpose_join = 2, purpose_append = 3, purpose_pending = 4 };
    uint64_t tag(Purpose p, uint64_t serial) const { return timer_space_.tag(p, serial); }

    // An append waiting for the high watermark, and what to do when it is committed.
    struct PendingAppend {
        uint64_t serial = 0;
        int32_t partition = 0;
        int64_t required_offset = 0;
        std::string group_id;
        sim::TimerId timer;
        // OffsetCommit, or TxnOffsetCommit with a producer id
        bool is_commit = false;
        std::optional<int64_t> txn_producer_id;
        int16_t txn_producer_epoch = -1;
        int64_t base_offset = -1;  // where the batch went in the log
        sim::NodeId from = sim::no_node;
        int32_t correlation_id = 0;
        std::vector<OffsetCommitRecord> offsets;
        // SyncGroup (the group metadata): generation it was written for
        int32_t generation = -1;
    };

    Group* find_loaded(const std::string& group_id);
    Member* member_of_generation(const std::string& group_id, const std::string& member_id, int32_t generation,
                                 Group*& group, Error& error);
    Group& get_or_create(const std::string& group_id);
    void arm_session(Group& g, Member& m, Context& ctx);
    void prepare_rebalance(Group& g, const char* reason, Context& ctx);
    void maybe_complete_join(Group& g, Context& ctx);
    void complete_join(Group& g, Context& ctx);
    void remove_member(Group& g, const std::string& member_id, const char* reason, Context& ctx);
    void send_join_response(Group& g, Member& m, Context& ctx);
    void fail_pending_syncs(Group& g, Error error, Context& ctx);
    void write_group_metadata(Group& g, Context& ctx);
    // Appends `records` for `a` and waits for them to commit (or answers at once on an error).
    void submit_append(PendingAppend a, std::shared_ptr<const GroupRecords> records, Context& ctx);
    void complete_append(PendingAppend& a, Error error, Context& ctx);
    void complete_txn_commit_append(PendingAppend& a, Error error, Context& ctx);
    // GroupMetadata.hasPendingOffsetCommitsForTopicPartition: an offset commit not yet written,
    // or a transactional one not yet ended by its marker.
    bool has_pending_commit(const Group& g, const GroupPartition& tp) const;
    static void put_offset(Group& g, const OffsetCommitRecord& o, int64_t position);
    std::string choose_protocol(const Group& g) const;
    void trace_state(const Group& g, const char* reason, Context& ctx) const;

    const BrokerConfig& config_;
    Host& host_;
    sim::TimerSpace timer_space_;
    std::map<std::string, Group> groups_;
    std::set<int32_t> loaded_;
    std::map<uint64_t, std::pair<std::string, std::string>> session_timers_;  // serial -> (group, member)
    std::map<uint64_t, std::string> join_timers_;                            // serial -> group
    std::map<uint64_t, std::pair<std::string, std::string>> pending_timers_;  // serial -> (group, pending member)
    std::vector<PendingAppend> appends_;
    uint64_t next_serial_ = 1;
};

}  // namespace kafka
