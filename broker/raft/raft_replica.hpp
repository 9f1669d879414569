// KIP-595 KRaft: the Raft replica of the __cluster_metadata log, embedded in a host node
// (a controller as a voter, a broker as an observer). It is a pure handler: it acts only
// through the Context it is given, and the host forwards Raft messages and its timers.
//
//   RaftReplica raft(3000, {3000, 3001, 3002}, RaftConfig::from(config), directory, timer_space(TimerComponent::raft));
//   raft.start(ctx);                                   // in Node::on_start
//   if (raft.handle_message(from, msg, ctx)) ...       // in Node::on_message
//   if (raft.handle_timer(tag, ctx)) ...               // in Node::on_timer
//   // the host hears of commits and leader changes through its RaftListener
//
// What is modelled, with Kafka's names (raft/src/main/java/org/apache/kafka/raft/):
// - States Unattached, Voted, Follower, Candidate, Leader, Resigned (QuorumState), and
//   observers (node id not a voter) that only fetch: they find the leader by fetching from
//   a random voter, which answers NOT_LEADER_OR_FOLLOWER with the leader it knows.
// - quorum-state (epoch, leader, voted-for) is a DiskCell flushed before any vote is
//   granted or asked for; the log is a DiskLog<MetadataEntry> that a follower flushes
//   before its next fetch (whose offset acknowledges the entries) and the leader flushes on
//   every append. Both live under "__cluster_metadata-0/".
// - Pull replication with lastFetchedEpoch validation and divergingEpoch truncation, long
//   polling (a caught-up fetch is parked up to fetch.max.wait.ms and answered as soon as the
//   log grows or the high watermark moves), HW = majority LEO once the leader's own epoch
//   has a committed entry.
// - Check-quorum (3.7, KAFKA-15489): a leader without fetches from a majority within
//   1.5 x fetch timeout resigns. Without it an isolated leader keeps believing it leads.
// - Pre-Vote (4.0, KIP-996): a voter whose fetch or election timeout expires becomes
//   Prospective (ProspectiveState) and asks for pre-votes at its current epoch; a follower that
//   has fetched from its leader, a leader and a resigned leader refuse. Only a majority of
//   pre-votes makes it a Candidate (epoch + 1); a majority of refusals or the election timeout
//   sends it back to Follower (leader known) or Unattached. Without it an isolated voter bumps
//   its epoch every election timeout and, when it returns, its Vote requests depose the leader.
//
// Trace kinds: raft_state {epoch, state, leader}, raft_leader {epoch, leader},
// raft_hw {epoch, hw} (leader only), raft_truncate {from, to}, raft_vote {epoch,
// candidate, granted}, raft_resign {epoch, reason}.
#pragma once
#include <array>
#include <cstdint>
#include <map>
#include <vector>

#include "broker/config.hpp"
#include "broker/timer_components.hpp"
#include "broker/world.hpp"

namespace kafka {

struct RaftConfig {  // controller.quorum.* (QuorumConfig.java), Kafka defaults
    int64_t election_timeout_ms = 1000;     // randomised to [t, 2t)
    int64_t fetch_timeout_ms = 2000;        // follower -> candidate; leader check-quorum at 1.5x
    int64_t election_backoff_max_ms = 1000;
    int64_t request_timeout_ms = 2000;
    int64_t retry_backoff_ms = 20;
    int64_t fetch_max_wait_ms = 500;        // KafkaRaftClient's fetchMaxWaitMs
    bool check_quorum = true;               // 3.7+: leader resigns after 1.5 x fetch timeout without fetches from a majority
    bool pre_vote = true;                   // 4.0+ (KIP-996): Prospective asks for pre-votes before Candidate
    static RaftConfig from(const BrokerConfig& config);
};

// The quorum-state file (FileQuorumStateStore): what must survive a crash for Raft safety.
struct QuorumStateRecord {
    int32_t epoch = 0;
    int32_t leader_id = -1;
    int32_t voted_for = -1;
};

// Who leads which epoch, as the listener is told (RaftClient's LeaderAndEpoch). leader -1:
// none known, or this replica resigned.
struct LeaderAndEpoch {
    int32_t leader = -1;
    int32_t epoch = 0;
    bool operator==(const LeaderAndEpoch&) const = default;
};

// RaftClient.Listener: how the host (the controller, a broker's metadata loader) learns
// what the replica decided, instead of comparing its state before and after each call.
// The replica calls it at the end of each of its entry points (start, handle_message,
// handle_timer, append, resign), like KafkaRaftClient.pollListeners at the end of a poll:
// first handleCommit, then handleLeaderChange.
class RaftListener {
public:
    virtual ~RaftListener() = default;
    // The committed prefix grew to high_watermark (exclusive), or the leader's high watermark
    // at this replica's first fetch became known (the target a restarted reader catches up to).
    virtual void handle_commit(int64_t high_watermark, Context& ctx) = 0;
    // The leader or epoch changed. This replica as leader is announced only once the
    // LeaderChangeMessage opening its epoch is committed (ListenerContext.maybeFireLeaderChange
    // holds a local leadership back until the listener has caught up to the epoch start).
    virtual void handle_leader_change(LeaderAndEpoch leader, Context& ctx) = 0;
};

enum class RaftState : uint8_t { unattached, voted, follower, prospective, candidate, leader, resigned };
// Kafka's names: "Unattached", "Voted", "Follower", "Prospective", "Candidate", "Leader", "Resigned".
const char* to_string(RaftState s);

class RaftReplica {
public:
    static constexpr const char* log_file = "__cluster_metadata-0/log";
    static constexpr const char* quorum_state_file = "__cluster_metadata-0/quorum-state";
    static constexpr uint64_t timer_count = 5;  // kinds in its timer space
    static constexpr int64_t max_fetch_entries = 500;
    // The messages handle_message takes (and always claims).
    template <class T>
    static constexpr bool handles =
        is_one_of<T, VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
                  EndQuorumEpochRequest, EndQuorumEpochResponse, RaftFetchRequest, RaftFetchResponse>;

    // node_id: Kafka id (3000.. for controllers; a broker id for an observer). voters: Kafka ids.
    RaftReplica(int32_t node_id, std::vector<int32_t> voters, RaftConfig config, const ClusterDirectory& directory,
                sim::TimerSpace timers);
    // The host to tell of commits and leader changes (held by reference; it owns the replica).
    void set_listener(RaftListener* listener) { listener_ = listener; }

    // Load quorum-state and the log from ctx.disk(), take the state they imply, arm timers.
    void start(Context& ctx);
    // True when msg was a Raft message (Vote*, BeginQuorumEpoch*, EndQuorumEpoch*, RaftFetch*).
    bool handle_message(sim::NodeId from, Message& msg, Context& ctx);
    // True when the tag was one of this replica's timers.
    bool handle_timer(uint64_t tag, Context& ctx);
    // The connection to a peer closed: a fetch in flight to it fails and is retried.
    void on_disconnect(sim::NodeId peer, Context& ctx);
    // Leader only: append and flush; the offset of the first appended entry (the log end
    // offset when records is empty), -1 when not the leader.
    int64_t append(std::vector<MetadataRecord> records, Context& ctx);
    // Graceful resignation (clean shutdown): EndQuorumEpoch to the voters, most caught-up
    // first as preferred successors. No-op unless leader.
    void resign(Context& ctx);

    RaftState state() const { return state_; }
    bool is_leader() const { return state_ == RaftState::leader; }
    bool is_voter() const { return voter_; }
    int32_t node_id() const { return id_; }
    const std::vector<int32_t>& voters() const { return voters_; }
    int32_t leader_id() const;  // -1 unknown
    int32_t epoch() const { return epoch_; }
    int32_t voted_for() const { return voted_for_; }
    int64_t high_watermark() const { return hw_; }
    // The high watermark the first leader this replica fetched from (in this life) reported;
    // -1 before that. A restarted broker has caught up once its own reaches it.
    int64_t first_leader_high_watermark() const { return first_leader_high_watermark_; }
    int64_t log_end_offset() const { return log_ != nullptr ? static_cast<int64_t>(log_->size()) : 0; }
    int32_t last_epoch() const { return epochs_.empty() ? 0 : epochs_.back().epoch; }
    // Leader: offset of its LeaderChangeMessage for this epoch; -1 otherwise.
    int64_t epoch_start_offset() const { return state_ == RaftState::leader ? epoch_start_ : -1; }
    const MetadataEntry& entry(int64_t offset) const { return (*log_)[static_cast<size_t>(offset)]; }
    const std::vector<MetadataEntry>& entries() const { return log_->entries(); }

    // kafka-metadata-quorum describe --replication: per voter/observer LEO and last fetch /
    // caught-up time. Leader only (empty otherwise); voters first (ascending id), then observers.
    struct ReplicaState {
        int32_t id;
        int64_t log_end_offset;  // -1 unknown
        sim::Time last_fetch;
        sim::Time last_caught_up;
        bool voter;
    };
    std::vector<ReplicaState> replica_states() const;

private:
    enum TimerKind : uint8_t { t_election = 0, t_fetch = 1, t_begin_epoch = 2, t_check_quorum = 3, t_purgatory = 4 };
    // A timer with a deadline that may move later without re-arming (it re-arms lazily when
    // it fires early), and is re-armed only when the deadline moves earlier.
    struct LazyTimer {
        sim::TimerId id;
        sim::Time fire_at = sim::time_never;
        sim::Time deadline = sim::time_never;
    };
    struct EpochStart {
        int32_t epoch;
        int64_t start_offset;
    };
    struct OffsetAndEpoch {
        int64_t offset;
        int32_t epoch;
    };
    struct Progress {  // leader's view of one replica
        int64_t leo = -1;
        sim::Time last_fetch{-1};
        sim::Time last_caught_up{-1};
    };
    struct ParkedFetch {
        sim::NodeId from;
        int32_t correlation_id;
        int64_t fetch_offset;
        sim::Time expires;
    };

    // ---- entry points' bodies; each public entry point ends with poll_listener
    void load_state(Context& ctx);
    void on_timer_kind(TimerKind kind, Context& ctx);
    // Tells the listener what changed since it was last told (KafkaRaftClient.pollListeners).
    void poll_listener(Context& ctx);

    // ---- handlers
    void on_vote_request(sim::NodeId from, const VoteRequest& req, Context& ctx);
    void on_vote_response(sim::NodeId from, const VoteResponse& resp, Context& ctx);
    // A voter's (pre-)vote, once per voter and election; false when it does not count.
    bool record_vote(sim::NodeId from, bool granted);
    void on_begin_epoch_request(sim::NodeId from, const BeginQuorumEpochRequest& req, Context& ctx);
    void on_begin_epoch_response(sim::NodeId from, const BeginQuorumEpochResponse& resp, Context& ctx);
    void on_end_epoch_request(sim::NodeId from, const EndQuorumEpochRequest& req, Context& ctx);
    void on_fetch_request(sim::NodeId from, const RaftFetchRequest& req, Context& ctx);
    void on_fetch_response(sim::NodeId from, RaftFetchResponse& resp, Context& ctx);

    // ---- transitions
    void become_unattached(int32_t epoch, Context& ctx);
    void become_voted(int32_t candidate, Context& ctx);
    void become_follower(int32_t epoch, int32_t leader, Context& ctx, bool send_fetch_now = true);
    void become_prospective(Context& ctx);
    void become_candidate(Context& ctx);
    // Election timeout of a voter that is not leading: Prospective with Pre-Vote, else Candidate.
    void start_election(Context& ctx);
    // Prospective lost (a majority refused, or the election timed out).
    void end_prospective(Context& ctx);
    void become_leader(Context& ctx);
    void become_resigned(std::vector<int32_t> preferred_successors, const char* reason, Context& ctx);
    // A message told us of `epoch` (and maybe its leader): move there when it is newer.
    bool maybe_newer_epoch(int32_t epoch, int32_t leader, Context& ctx);
    void leave_state(Context& ctx);
    void persist(Context& ctx);
    void trace_state(Context& ctx);

    // ---- follower side
    void send_fetch(Context& ctx);
    void schedule_fetch_retry(Context& ctx);
    void truncate_to(int64_t offset, Context& ctx);
    void append_entry(MetadataEntry entry);

    // ---- leader side
    bool validate_fetch(int64_t fetch_offset, int32_t last_fetched_epoch, OffsetAndEpoch& diverging) const;
    void fill_fetch_response(RaftFetchResponse& resp, int64_t fetch_offset) const;
    void answer_parked(Context& ctx, bool only_expired);
    void maybe_advance_hw(Context& ctx);
    void note_voter_fetch(size_t voter_index, Context& ctx);
    void send_begin_epoch(Context& ctx);

    // ---- helpers
    OffsetAndEpoch end_offset_for_epoch(int32_t epoch) const;
    int voter_index(int32_t id) const;
    size_t majority() const { return voters_.size() / 2 + 1; }
    sim::Duration random_election_timeout(Context& ctx) const;
    sim::Duration election_backoff(Context& ctx) const;
    void send_to(int32_t kafka_id, Message msg, Context& ctx);
    void arm(TimerKind kind, sim::Time deadline, Context& ctx);
    void disarm(TimerKind kind, Context& ctx);

    int32_t id_;
    std::vector<int32_t> voters_;  // ascending
    RaftConfig config_;
    const ClusterDirectory& directory_;
    sim::TimerSpace timer_space_;
    bool voter_;

    sim::DiskLog<MetadataEntry>* log_ = nullptr;
    sim::DiskCell<QuorumStateRecord>* quorum_state_ = nullptr;
    std::vector<EpochStart> epochs_;  // leader-epoch cache of the log: first offset of each epoch

    RaftState state_ = RaftState::unattached;
    int32_t epoch_ = 0;
    int32_t leader_ = -1;     // known leader of epoch_ (also self while Resigned, as Kafka persists it)
    int32_t voted_for_ = -1;
    int64_t hw_ = 0;
    int64_t first_leader_high_watermark_ = -1;
    std::array<LazyTimer, timer_count> timers_{};

    // candidate and prospective
    std::vector<int32_t> granted_, rejected_;
    int32_t retries_ = 0;
    bool backing_off_ = false;

    // follower / observer
    bool fetched_from_leader_ = false;  // FollowerState.hasFetchedFromLeader: refuse pre-votes
    bool fetch_in_flight_ = false;
    int32_t fetch_correlation_ = 0;
    sim::NodeId fetch_target_ = sim::no_node;

    // leader
    int64_t epoch_start_ = -1;
    std::vector<Progress> voter_progress_;  // by voter index
    std::map<int32_t, Progress> observer_progress_;
    std::vector<bool> begin_acked_;          // by voter index
    std::vector<bool> fetched_since_check_;  // by voter index, for check-quorum
    size_t fetched_count_ = 0;
    std::vector<ParkedFetch> parked_;
    std::vector<int64_t> scratch_leos_;
    sim::Time now_seen_;  // time of the last call, for the leader's own row in replica_states()

    // listener: what it was last told
    RaftListener* listener_ = nullptr;
    int64_t told_high_watermark_ = 0;
    int64_t told_first_leader_high_watermark_ = -1;
    LeaderAndEpoch told_leader_;
};

}  // namespace kafka
