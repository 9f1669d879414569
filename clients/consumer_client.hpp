// A consumer client (KafkaConsumer's Fetcher + SubscriptionState + Metadata, and for a group
// member its ConsumerCoordinator) as a pure handler node. Without a group ("group": null) it
// assigns itself every partition of its topics, as assign() would, and never commits (or,
// in an application, exactly the partitions the application assigns). With
// a group it subscribes: the group protocol (consumer_group.cpp) decides what it owns, and
// positions start from the committed offsets.
//
// Modelled as the Java client does it:
//  - metadata and broker connections as every client has them (network_client.hpp); a
//    topic that comes back under a new id starts over, leader epochs too;
//  - a partition without a position is reset with ListOffsets to its leader
//    (auto.offset.reset earliest -> -2, latest -> -1; none -> the partition fails, as
//    NoOffsetForPartitionException would stop the application);
//  - one FetchRequest in flight per leader, with every fetchable partition it leads
//    (replica_id -1, fetch.max.wait.ms, fetch.min.bytes, max.partition.fetch.bytes,
//    current_leader_epoch from metadata); a partition with fetched records not yet handed
//    to the application is not fetched again; fetched data is dropped when the position
//    moved meanwhile (Fetcher: fetchOffset != position);
//  - poll(): at most max.poll.records per poll, partitions in the order their data arrived;
//    the position advances as poll returns records. With a rate the application needs
//    n / rate seconds to process a poll of n records before it polls again (a token bucket
//    with max.poll.records as its depth); without one it takes whatever is fetched at once;
//  - NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH and other
//    InvalidMetadata errors: refresh metadata, retry after retry.backoff.ms;
//    OFFSET_OUT_OF_RANGE (a position below the log start offset after retention, or past the
//    end after an unclean election): reset by auto.offset.reset, earliest jumping forward over
//    what retention deleted, latest to the high watermark (traced as "consumer_offset_reset",
//    with the broker's log start offset); with none the partition fails, as the
//    OffsetOutOfRangeException poll() throws would stop the application ("consumer_no_offset").
//
//  - isolation.level=read_committed (0.11): fetches and ListOffsets ask for it, so the broker
//    answers up to the last stable offset with the aborted transactions in that range; as
//    CompletedFetch does, the batches of an aborted transaction (its producer's transactional
//    batches from the transaction's first offset up to its ABORT marker) are dropped, control
//    batches are never returned, and the position moves past both when poll reaches them.
//    The lag is measured to the last stable offset then.
//
// Not modelled: offset validation after a leader change (OffsetsForLeaderEpoch, KIP-320
// truncation detection).
//
// Group membership (classic protocol, AbstractCoordinator/ConsumerCoordinator):
//  - FindCoordinator to any broker; NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE, a timeout or
//    a disconnect from the coordinator send it looking again;
//  - JoinGroup (MEMBER_ID_REQUIRED first, KIP-394) with the assignors of
//    partition.assignment.strategy; the leader runs the chosen assignor (group/assignors.hpp)
//    and sends the assignment in its SyncGroup; the others get theirs from SyncGroup;
//  - eager protocols revoke everything before rejoining (committing first with auto
//    commit); cooperative-sticky keeps what it owns, revokes only what moved away, and then
//    rejoins at once (KIP-429);
//  - heartbeats every heartbeat.interval.ms; REBALANCE_IN_PROGRESS -> rejoin;
//    UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION -> the partitions are lost, join as new;
//  - auto commit of the consumed positions every auto.commit.interval.ms (and before a
//    rebalance, and on close); newly assigned partitions start at the committed offset
//    (OffsetFetch), or by auto.offset.reset when there is none;
//  - an application that does not poll within max.poll.interval.ms (processing at `rate`
//    takes too long) is taken out of the group by the heartbeat thread (LeaveGroup) and
//    rejoins at its next poll.
//
// Inside an application (a Streams instance holds a main consumer, a restore consumer and a
// producer in one process, see clients/client_embedding.hpp): the host node forwards
// on_start/on_message/on_timer/on_disconnect, passes itself as the ClientEvents, and drives
// the consumer with the calls under "driving the consumer from an application" below.
//
// What the host sees through ClientEvents:
//  - on_poll: the records poll() returns, in order, one call per run of a batch; the position
//    has moved past them when it is called. Nothing while delivery or the partition is paused.
//  - on_assignment(generation, owned): the owned set of a group member changed; it fires once
//    per change, after the consumer has applied it (assignment() is the new set; partitions of
//    a topic whose id the metadata does not know yet are left out). Eager protocols: the empty
//    set (everything revoked) just before each rejoin when it owned anything (after the commit
//    before the join, with auto commit or commit_on_revocation), then the new set after
//    SyncGroup. Cooperative: after a
//    SyncGroup that takes partitions away, the set without them (the revocation; the member
//    then rejoins at once), and after the next SyncGroup the set with the partitions it gains;
//    a SyncGroup that changes nothing fires nothing. When the membership is lost (heartbeat or
//    commit answered UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION, max.poll.interval.ms expired) the
//    empty set in generation -1. Newly assigned partitions have no position yet (position()
//    is -1): it comes from the group's committed offset (OffsetFetch, with require_stable
//    under read_committed from 2.5, retried while a transaction holds the offset), or from
//    auto.offset.reset when the group has none. Manual assignment (assign()) reports nothing.
//  - on_commit / on_commit_failed: the answer to each commit, per partition / per request.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "broker/config.hpp"
#include "broker/world.hpp"
#include "clients/client_embedding.hpp"
#include "clients/client_events.hpp"
#include "clients/client_timer.hpp"
#include "clients/in_flight_requests.hpp"
#include "clients/network_client.hpp"

namespace kafka {

class ConsumerClient : public Node {
public:
    // rate_per_s: records per second the application processes (nullopt = unlimited).
    // Consumes in [from, until). dir and events must outlive the node; events may be null.
    ConsumerClient(uint32_t client_ordinal, std::vector<std::string> topics, ConsumerConfig config,
                   std::optional<double> rate_per_s, sim::Time from, sim::Time until, const ClusterDirectory& dir,
                   ClientEvents* events, std::optional<std::string> group_id = std::nullopt,
                   ClientEmbedding embedding = {});

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- read-only inspection for the harness ----
    uint32_t client_ordinal() const { return client_; }
    const std::vector<std::string>& topics() const { return topic_names_; }
    // The next offset poll() will return for tp; -1 while unknown (not assigned or not reset yet).
    int64_t position(TopicPartition tp) const;
    // The high watermark the last fetch of tp reported; -1 before any.
    int64_t high_watermark(TopicPartition tp) const;
    // The last stable offset the last fetch of tp reported; -1 before any.
    int64_t last_stable_offset(TopicPartition tp) const;
    bool read_committed() const { return config_.isolation_level == "read_committed"; }
    // Where the consumer's lag is measured to (FetchCollector / SubscriptionState.partitionLag):
    // the last stable offset for read_committed, else the high watermark; -1 before any fetch.
    int64_t end_offset(TopicPartition tp) const {
        return read_committed() ? last_stable_offset(tp) : high_watermark(tp);
    }
    // When a fetch last answered for the partition without an error (nullopt: never): whether
    // what the consumer knows of it is fresh.
    std::optional<sim::Time> last_fetch_response(TopicPartition tp) const;
    uint64_t records_consumed() const { return records_consumed_; }
    // Records fetched but not yet handed to the application.
    uint64_t buffered_records() const;
    std::vector<TopicPartition> assignment() const;
    // Partitions that can no longer be consumed (auto.offset.reset=none without a position).
    std::vector<TopicPartition> failed_partitions() const;
    std::optional<TopicId> topic_id(std::string_view topic) const;
    bool active() const { return active_; }
    uint64_t fetch_requests_sent() const { return fetch_requests_sent_; }
    uint64_t list_offsets_requests_sent() const { return list_offsets_requests_sent_; }
    uint64_t metadata_requests_sent() const { return network_.metadata_requests_sent(); }
    // Group membership (group mode only).
    const std::optional<std::string>& group_id() const { return group_id_; }
    const std::string& member_id() const { return member_id_; }
    // client.id as the JoinGroup carries it (the prefix of the member id the coordinator gives):
    // Java's default "consumer-<group>-<n>", n counting the clients of the run from 1.
    std::string client_id() const {
        if (!mode_.client_id.empty()) return mode_.client_id;
        return "consumer-" + group_id_.value_or("") + "-" + std::to_string(client_);
    }
    int32_t generation() const { return generation_; }
    const std::string& group_protocol() const { return protocol_; }  // the protocol the coordinator chose
    BrokerId coordinator() const { return coordinator_; }
    bool stable_member() const { return member_state_ == MemberState::stable; }

    // ---- driving the consumer from an application (a Streams instance) ----
    // How the application uses the consumer, set before on_start. The defaults are the
    // scenario consumer: every partition of its topics without a group, and with
    // enable.auto.commit=false a commit after every poll.
    // An application's part in the group protocol beside the assignor's (Streams'
    // StreamsPartitionAssignor): the data a member sends with its subscription, and the data
    // the leader adds to each member's assignment once the assignor has placed the partitions
    // (Streams: the standby tasks). Opaque to the coordinator, as userData is.
    class AssignmentExtension {
    public:
        virtual ~AssignmentExtension() = default;
        virtual std::string subscription_user_data() = 0;
        // The leader: member id -> its data, given the assignment and every member's subscription.
        virtual std::map<std::string, std::string> assignment_user_data(
            const std::vector<std::pair<std::string, std::vector<GroupPartition>>>& assignment,
            const std::vector<JoinGroupResponse::Member>& members) = 0;
        // Every member, on a successful SyncGroup, before its new assignment is applied.
        virtual void on_assignment_user_data(const std::string& user_data) = 0;
        // AbstractCoordinator.onJoinPrepare: the member is about to send its JoinGroup (a Connect
        // worker stops its work here under the eager protocol). generation -1: the membership
        // was lost.
        virtual void on_join_prepare(int32_t /*generation*/) {}
    };
    struct ApplicationMode {
        // No group: own exactly what assign() names (KafkaConsumer.assign), nothing until
        // then; Streams' restore consumer and its standby tasks read changelogs so.
        bool manual_assignment = false;
        // A group member with enable.auto.commit=false commits only when the application calls
        // commit_positions() (Streams commits every commit.interval.ms, under at_least_once).
        bool explicit_commits = false;
        // The positions of partitions being revoked are committed before they are given up, as
        // Streams' rebalance listener does under at_least_once (onPartitionsRevoked commits
        // the revoked tasks with commitSync): eager protocols before the rejoin (everything),
        // cooperative ones right after the SyncGroup that revokes them, the rejoin waiting
        // for the answer. Not for lost partitions (the generation is gone).
        bool commit_on_revocation = false;
        AssignmentExtension* assignment_extension = nullptr;  // must outlive the consumer
        // A group of another protocol type over the same membership (a Connect worker's
        // WorkerGroupMember, protocol type "connect"): these protocol names instead of the
        // assignors', no assignor runs (the extension's data is the whole assignment), and the
        // member's client.id and rebalance timeout are the application's.
        std::vector<std::string> group_protocols;
        std::string client_id;              // "" = the consumer's own
        int64_t rebalance_timeout_ms = -1;  // -1 = max.poll.interval.ms
    };
    // From inside this consumer's callbacks (on_poll, on_assignment, on_commit...) the
    // application may pause, resume and commit; assign(), seek() and close() belong in its
    // own handlers (they drop buffers that poll() is handing out).
    void set_application_mode(ApplicationMode mode) { mode_ = mode; }
    const ApplicationMode& application_mode() const { return mode_; }

    // KafkaConsumer.pause(assignment())/resume: while paused poll() returns nothing; fetched
    // records stay buffered (and their partitions are not fetched again until they are
    // handed out). Resuming hands out what is buffered at once. Streams pauses while it
    // commits and while its tasks restore.
    void pause_delivery(bool paused, Context& ctx);
    bool delivery_paused() const { return delivery_paused_; }
    // KafkaConsumer.pause(partitions)/resume(partitions): a paused partition is neither
    // fetched nor handed out; its buffered records wait. Only owned partitions can be paused,
    // and a partition that is revoked and assigned again comes back unpaused, as Java's
    // SubscriptionState forgets the state of a partition that leaves the assignment.
    void pause_partitions(const std::vector<TopicPartition>& partitions, bool paused, Context& ctx);
    std::vector<TopicPartition> paused_partitions() const;

    // commitAsync() of the current positions of the owned partitions (those that moved since
    // the last acknowledged commit), with the member's generation. false when nothing was sent:
    // no group, not a stable member (a rebalance is in progress), no coordinator, a commit in
    // flight, or nothing new to commit (positions_committed()). When true, the answer comes as
    // on_commit per partition, or on_commit_failed: ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and
    // REBALANCE_IN_PROGRESS are Java's CommitFailedException (the member rejoins, its
    // partitions may be lost); others (the coordinator moved or timed out) are retriable.
    bool commit_positions(Context& ctx);
    bool commit_in_flight() const;
    // Every owned position is the group's acknowledged committed offset.
    bool positions_committed() const;
    // What the coordinator acknowledged (or OffsetFetch returned) per partition.
    const std::map<TopicPartition, int64_t>& committed_offsets() const { return committed_; }
    // The positions of the owned partitions that have one (the offsets a commit would store:
    // the next record poll() returns), for sendOffsetsToTransaction by topic id...
    std::map<TopicPartition, int64_t> positions() const;
    // ...and by topic name, as TxnOffsetCommit names them.
    std::vector<std::pair<GroupPartition, int64_t>> consumed_offsets() const;

    // KafkaConsumer.assign() with a seek per partition (manual assignment, no group): from now
    // on the consumer owns exactly these partitions (of the topics it was created with; others
    // are ignored). A partition it did not own yet starts at its offset (seek), or from the
    // log start with -1 (seekToBeginning: ListOffsets -2, whatever auto.offset.reset says); a
    // partition it owned keeps its position; one left out is dropped with what was buffered
    // for it. A partition of a topic whose metadata is not known yet is taken on when it is.
    void assign(const std::vector<std::pair<GroupPartition, int64_t>>& partitions, Context& ctx);
    void unassign(Context& ctx) { assign({}, ctx); }
    // KafkaConsumer.seek / seekToBeginning (-1) of an owned partition: what was buffered is
    // dropped and fetching goes on from there.
    void seek(const GroupPartition& partition, int64_t offset, Context& ctx);
    // Topic names and ids as the consumer's metadata knows them.
    std::optional<TopicPartition> partition_of(const GroupPartition& p) const { return resolve(p); }
    GroupPartition partition_name(TopicPartition tp) const { return name_of(tp); }
    // When a fetch answered the end_offset() now known for tp (nullopt: none yet). A restore
    // has caught up with what was in the changelog at time t when this is >= t and
    // position(tp) >= end_offset(tp).
    std::optional<sim::Time> end_offset_time(TopicPartition tp) const;
    // KafkaConsumer.close(): as at `until` (a member commits with auto commit and leaves).
    void close(Context& ctx);
    // While held, a member that must rejoin does not send its JoinGroup: the application is
    // still in onPartitionsRevoked (a Streams thread under exactly-once commits the revoked
    // tasks' transaction there, and Java's rejoin waits for the listener to return).
    // Releasing it lets the rejoin go at once.
    void hold_rejoin(bool held, Context& ctx);
    bool rejoin_held() const { return rejoin_held_; }
    // While held, the committed offset of these assigned partitions is not looked up
    // (OffsetFetch): a Streams task under exactly_once (EOS v1) reads its position only once its
    // producer's initTransactions() has fenced the previous owner and ended its transaction,
    // as the task's creation in onPartitionsAssigned blocked the thread before Streams 2.6.
    // May be called from on_assignment(): the lookup comes after the callback.
    void hold_offset_fetch(const std::vector<GroupPartition>& partitions, bool held, Context& ctx);
    // unsubscribe() then subscribe() again, as a Streams thread does after TaskMigrated or
    // TaskCorrupted (handleLostAll): the member leaves the group (LeaveGroup), its partitions are
    // lost, not revoked (nothing is committed for them), and it joins again as a new member.
    void rejoin_as_new_member(const char* reason, Context& ctx);
    // AbstractCoordinator.requestRejoin: a stable member joins again, keeping its member id (a
    // Connect worker after a revocation, a config change or a scheduled delay).
    void rejoin(const char* reason, Context& ctx);

private:
    // Timer kinds (client_timer.hpp); consumer_group.cpp sets the group's.
    enum TimerKind : uint64_t {
        timer_activate = 1,
        timer_deactivate = 2,
        timer_wakeup = 3,
        timer_metadata_timeout = 4,
        timer_metadata_retry = 5,
        timer_metadata_max_age = 6,
        timer_request_timeout = 7,
        timer_group_request_timeout = 8,
        timer_group_heartbeat = 9,
        timer_auto_commit = 10,
        timer_poll_timeout = 11,
    };
    // The timer tag of one of the kinds above, in the embedding's range.
    uint64_t timer_tag(TimerKind kind, uint64_t value = 0) const {
        return client_timer::tag(embedding_.timer_kind_base + kind, value, embedding_.timer_slot);
    }
    enum class Phase : uint8_t { awaiting_committed, fetching_committed, awaiting_reset, resetting, fetching, failed };
    // A fetched batch; `skip`: a control batch or a batch of an aborted transaction
    // (read_committed), whose offsets poll() passes over without returning records.
    struct FetchedBatch {
        RecordBatch batch;
        bool skip = false;
    };
    struct PartitionState {
        std::string topic;
        BrokerId leader = no_leader;
        int32_t leader_epoch = -1;
        Phase phase = Phase::awaiting_reset;
        int64_t position = -1;
        int64_t high_watermark = -1;
        int64_t last_stable_offset = -1;
        std::optional<sim::Time> last_fetch_response;  // the last error-free answer for it
        int32_t fetch_corr = 0;    // the fetch in flight for it, 0 = none
        int64_t fetch_offset = -1; // the offset that fetch asked for
        int32_t reset_corr = 0;    // the ListOffsets in flight for it, 0 = none
        std::deque<FetchedBatch> buffer;  // fetched, not yet handed to the application
        sim::Time retry_at;        // backoff after an error
        bool in_poll_queue = false;
        bool paused = false;             // pause(partitions)
        bool seek_to_beginning = false;  // the reset asks for the earliest offset whatever the policy
        std::optional<sim::Time> end_offset_at;  // when high_watermark/last_stable_offset were reported
    };
    struct TopicState {
        std::string name;
        TopicId id = 0;
        bool known = false;
        int32_t partitions = 0;
    };
    enum class RequestKind : uint8_t { fetch, list_offsets };
    struct Request {
        RequestKind kind = RequestKind::fetch;
        std::vector<TopicPartition> tps;
    };

    void activate(Context& ctx);
    void deactivate(Context& ctx);
    void progress(Context& ctx);
    void deliver(Context& ctx, sim::Time& next);
    template <class Wanted>
    std::map<BrokerId, std::vector<TopicPartition>> partitions_by_leader(Wanted&& wanted, Context& ctx, sim::Time& next);
    void send_list_offsets(Context& ctx, sim::Time& next);
    void send_fetches(Context& ctx, sim::Time& next);
    void arm_wakeup(sim::Time at, Context& ctx);
    void handle_fetch_response(sim::NodeId from, const FetchResponse& resp, Context& ctx);
    void handle_list_offsets_response(sim::NodeId from, const ListOffsetsResponse& resp, Context& ctx);
    void buffer_fetched(PartitionState& ps, const FetchResponse::PartitionData& pd);
    void partition_error(const TopicPartition& tp, PartitionState& ps, Error error, Context& ctx);
    // answer: the fetch response that said OFFSET_OUT_OF_RANGE (its log start offset and high watermark).
    void start_at(PartitionState& ps, int64_t offset);
    void need_reset(const TopicPartition& tp, PartitionState& ps, Context& ctx, bool out_of_range,
                    const FetchResponse::PartitionData* answer = nullptr);
    // The connection closed (a disconnect, a request timeout): what was in flight on it failed.
    void fail_connection(BrokerId broker, Context& ctx);
    int32_t track_request(RequestKind kind, BrokerId broker, sim::NodeId node, std::vector<TopicPartition> tps,
                          Context& ctx);

    void assign_from_metadata(const MetadataResponse& resp, Context& ctx);
    // Brings parts_ in line with what the consumer owns: every known partition of its
    // topics without a group, the assignment with one.
    void apply_ownership(Context& ctx);
    std::optional<TopicPartition> resolve(const GroupPartition& p) const;
    GroupPartition name_of(TopicPartition tp) const;

    // ---- group membership (consumer_group.cpp) ----
    enum class MemberState : uint8_t { needs_join, joining, syncing, stable };
    enum class GroupRequest : uint8_t { find_coordinator, join, sync, heartbeat, commit, commit_before_join, offset_fetch, leave };
    struct GroupCall {
        GroupRequest kind = GroupRequest::join;
        sim::NodeId node = sim::no_node;
        sim::TimerId timer;
        std::map<TopicPartition, int64_t> offsets;  // commits: what was sent
        int32_t generation = -1;
    };
    void on_group_message(sim::NodeId from, Message& msg, Context& ctx);
    void group_step(Context& ctx, sim::Time& next);
    void find_coordinator(Context& ctx);
    void send_join(Context& ctx);
    void send_heartbeat(Context& ctx);
    // only: just these partitions (a revocation); null: every owned partition that moved.
    bool send_commit(GroupRequest kind, Context& ctx, const std::vector<GroupPartition>* only = nullptr);
    // A commit got no acknowledgement (error answer, timeout, coordinator lost): tell the application.
    void commit_failed(const GroupCall& call, Error error, Context& ctx);
    void send_offset_fetch(Context& ctx, sim::Time& next);
    void leave_group(const char* reason, Context& ctx);
    int32_t send_group_request(GroupRequest kind, Message msg, sim::NodeId node, int64_t timeout_ms, Context& ctx);
    void coordinator_unknown(const char* reason, Context& ctx);
    void request_rejoin(const char* reason, Context& ctx);
    void reset_membership(const char* reason, Context& ctx);
    void set_assignment(std::vector<GroupPartition> assignment, Context& ctx);
    void handle_join_response(const JoinGroupResponse& r, Context& ctx);
    void handle_sync_response(const SyncGroupResponse& r, Context& ctx);
    void handle_offset_fetch_response(const OffsetFetchResponse& r, Context& ctx);
    void handle_commit_response(const OffsetCommitResponse& r, const GroupCall& call, Context& ctx);
    void on_group_timer(TimerKind kind, uint64_t value, Context& ctx);
    void after_poll(Context& ctx);
    bool coordinator_error(Error e, Context& ctx);
    bool cooperative_now() const;  // the group's protocol (or, before the first join, the preferred one) is cooperative
    void handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx);

    // fixed
    uint32_t client_;
    std::vector<std::string> topic_names_;
    ConsumerConfig config_;
    uint64_t rate_milli_ = 0;  // records per 1000 s; 0 = unlimited
    sim::Time from_;
    sim::Time until_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;
    ClientEmbedding embedding_;
    NetworkClient network_;
    InFlightRequests<Request> in_flight_;

    bool active_ = false;
    std::vector<TopicState> topics_;
    std::map<TopicPartition, PartitionState> parts_;
    std::deque<TopicPartition> poll_queue_;  // partitions with buffered records, in arrival order
    sim::Time app_ready_at_;                 // the application polls again from here
    std::set<BrokerId> brokers_with_pending_fetch_;  // one fetch per broker in flight
    sim::TimerId wakeup_timer_;
    sim::Time wakeup_deadline_ = sim::time_never;
    ApplicationMode mode_;
    bool delivery_paused_ = false;
    bool rejoin_held_ = false;  // hold_rejoin()
    std::set<GroupPartition> offset_fetch_held_;  // hold_offset_fetch()
    std::map<GroupPartition, int64_t> manual_;  // assign(): the partitions and where new ones start
    bool in_progress_ = false;     // progress() is running (an application call from a callback)
    bool progress_again_ = false;  // ...and was asked for again meanwhile

    // group membership
    std::optional<std::string> group_id_;
    std::vector<std::string> protocols_;  // partition.assignment.strategy, in order
    MemberState member_state_ = MemberState::needs_join;
    BrokerId coordinator_ = no_leader;
    std::string member_id_;
    int32_t generation_ = -1;
    std::string protocol_;
    std::vector<GroupPartition> assignment_;
    std::map<int32_t, GroupCall> group_calls_;  // by correlation id
    int32_t membership_corr_ = 0;  // the find-coordinator/commit-before-join/join/sync in flight
    bool commit_before_join_done_ = false;
    std::map<TopicPartition, int64_t> committed_;  // acknowledged commits
    sim::Time group_backoff_until_;
    sim::Time offset_fetch_retry_at_;  // after UNSTABLE_OFFSET_COMMIT
    sim::Time rejoin_not_before_;  // after a poll timeout: the next poll
    sim::TimerId heartbeat_timer_;
    sim::TimerId auto_commit_timer_;
    sim::TimerId poll_timeout_timer_;
    uint64_t polls_ = 0;

    uint64_t records_consumed_ = 0;
    uint64_t fetch_requests_sent_ = 0;
    uint64_t list_offsets_requests_sent_ = 0;
};

}  // namespace kafka
