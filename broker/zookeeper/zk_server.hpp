// A ZooKeeper 3.x server (QuorumPeer) of an ensemble: a world node and a pure handler, like
// RaftReplica. Names follow ZooKeeper's code (zookeeper-server/.../server/quorum/).
//
//   world.add_node("zookeeper:1", [&] { return std::make_unique<ZooKeeperServer>(1, {1, 2, 3}, config, directory); });
//
// What is modelled:
// - States LOOKING / FOLLOWING / LEADING. FastLeaderElection: logicalclock, votes ordered by
//   (peerEpoch = currentEpoch, last logged zxid, sid) (totalOrderPredicate), a newer election
//   epoch resets the receiver, a quorum of equal votes plus finalizeWait (200 ms) without a
//   better one decides. Servers that are not LOOKING answer a LOOKING one with their vote and
//   state, and a LOOKING server joins a leader that a quorum of FOLLOWING/LEADING votes
//   confirm, the leader's own LEADING vote among them (the "outofelection" path of
//   ZOOKEEPER-1732). Notifications are resent when none arrived for notTimeout, which starts at
//   200 ms and doubles up to 4 s (ZooKeeper caps it at 60 s; a lower cap keeps recovery in the
//   simulator within seconds, as in a real ensemble whose peers reconnect on their own).
//   QuorumCnxManager is reduced to one behaviour: the first notification from a peer (a new
//   election connection) is answered with our last notification (lastMessageSent), since
//   notifications sent before the peer was up were lost.
// - ZAB (Leader.java / LearnerHandler.java / Learner.java): discovery (FOLLOWERINFO from a
//   quorum, new epoch = max acceptedEpoch + 1, LEADERINFO / ACKEPOCH, a follower whose state is
//   ahead of the leader's is refused), synchronisation (DIFF, TRUNC, SNAP as syncFollower picks
//   them: SNAP when the follower is behind the last 500 txns (maxCommittedLog), then NEWLEADER,
//   UPTODATE once a quorum acked NEWLEADER), broadcast (PROPOSAL, ACK, COMMIT strictly in zxid
//   order once a quorum, the leader included, logged it). Each phase of the leader has
//   initLimit ticks; a follower goes LOOKING after initLimit ticks without a packet from its
//   leader while syncing and syncLimit ticks once synced; the leader pings every tickTime/2,
//   drops a follower silent for syncLimit ticks and goes LOOKING when fewer than a quorum are
//   left. acceptedEpoch and currentEpoch are DiskCells, the txn log a DiskLog<ZkTxn>, each
//   flushed before the packet that acknowledges it (forceSync=yes).
// - A learner connection is a TCP connection: it is named by the follower, numbered in both
//   directions, and a gap (the network dropped a packet) or a closed socket ends it; the
//   follower then goes LOOKING and the leader forgets the LearnerHandler, as both do in
//   ZooKeeper on a socket error.
// - Requests: reads are answered by the connected server from its own tree (possibly stale);
//   writes are forwarded to the leader (REQUEST), turned into txns by the leader against its
//   outstanding changes (PrepRequestProcessor: versions, NODEEXISTS, NONODE, NOTEMPTY,
//   NOCHILDRENFOREPHEMERALS, sequential names from the parent's cversion, multi all or nothing
//   with per-op results; a failed request is an error txn), proposed and committed; the server
//   holding the connection answers once it applied the commit. Responses on a connection keep
//   request order (reads wait behind the session's pending writes). sync is answered once the
//   server applied everything the leader had proposed when the sync reached it.
// - Sessions: ids (sid << 56 | start time << 16 | counter). The leader's SessionTracker expires
//   a session not touched within its timeout (negotiated to [2, 20] ticks, checked on tick
//   boundaries as ZooKeeper's expiry buckets): it proposes closeSession, which deletes the
//   session's ephemerals on every server. Followers report the touches of their clients in
//   their PING replies. A new leader gives every session a fresh timeout. Re-attaching goes
//   through the leader (REVALIDATE); an unknown or expired session is answered with session id
//   0 and timeout 0. A server whose last zxid is behind the client's is refused.
// - Watches: one-shot, per connection, on the server that served the read; fired after the
//   txn is applied (before its response); SetWatches re-registers after a reconnect and fires
//   those whose znode changed after the client's last zxid.
// - A server that is not serving (LOOKING, or not yet UPTODATE / not yet established) refuses
//   connections, and on leaving the broadcast phase closes every client connection: each
//   client gets a CONNECTIONLOSS reply with xid 0 (the socket's FIN) and moves on. Client
//   connections are numbered like learner connections (a gap closes them), and a request
//   that fails with SESSIONMOVED closes its connection (ZOOKEEPER-710: a late re-attach
//   through another server took the session; the client re-attaches and takes it back).
//
// Simplified: no snapshots (the committed tree is rebuilt from the log; SNAP sends the log),
// no observers, no reconfig, no ACLs, no quotas, pings answered ahead of pending writes, one
// client connection per client node. After a restart the tree is empty until the server has
// synced with a leader (it serves nothing before). zk_session_* traces come from the leader
// that proposed the txn, so sessions created or closed by an earlier leader's last proposals
// that a new leader commits are not traced.
//
// Trace kinds: zk_looking {epoch (currentEpoch), reason}, zk_leading {epoch, zxid (last
// committed), followers ("[1,2]": those that acked NEWLEADER)}, zk_following {leader, epoch},
// zk_session_created {session, client}, zk_session_expired {session, client, ephemerals
// (comma-joined paths)}, zk_session_closed {session, client}; sessions as "0x..", client as
// "broker <id>" (the ZkConnectRequest's client_id).
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/world.hpp"
#include "broker/zookeeper/data_tree.hpp"
#include "broker/zookeeper/zk_protocol.hpp"

namespace kafka {

class ZooKeeperServer final : public Node {
public:
    enum class State : uint8_t { looking, following, leading };

    static constexpr const char* log_file = "zookeeper/version-2/log";
    static constexpr const char* accepted_epoch_file = "zookeeper/version-2/acceptedEpoch";
    static constexpr const char* current_epoch_file = "zookeeper/version-2/currentEpoch";
    static constexpr int64_t finalize_wait_ms = 200;               // FastLeaderElection.finalizeWait
    static constexpr int64_t max_notification_interval_ms = 4000;  // ZooKeeper: 60000
    static constexpr size_t max_committed_log = 500;               // ZKDatabase.commitLogCount
    static constexpr int64_t learner_connect_retry_ms = 1000;      // Learner.connectToLeader
    static constexpr int learner_connect_attempts = 5;

    ZooKeeperServer(int32_t sid, std::vector<int32_t> servers, const BrokerConfig& config,
                    const ClusterDirectory& directory);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- inspection (read-only; for the harness, checkers and tests)
    State state() const { return state_; }
    int32_t sid() const { return sid_; }
    const std::vector<int32_t>& servers() const { return servers_; }
    int32_t leader_id() const;  // following: its leader; leading: itself; -1 while LOOKING
    int32_t current_epoch() const { return current_epoch_; }
    int32_t accepted_epoch() const { return accepted_epoch_; }
    int64_t election_epoch() const { return logicalclock_; }
    int64_t last_logged_zxid() const;
    int64_t last_committed_zxid() const { return tree_.last_processed_zxid(); }
    // The txns this server applied to its tree (in this life), in zxid order.
    std::span<const ZkTxn> committed_txns() const;
    const std::vector<ZkTxn>& logged_txns() const;
    // Broadcast phase: leading with a quorum synced, or following and UPTODATE.
    bool serving() const { return serving_; }

    struct ZNodeView {
        std::string data;
        ZkStat stat;
    };
    std::optional<ZNodeView> get(const std::string& path) const;
    std::vector<std::string> children(const std::string& path) const;  // sorted; empty when no node
    std::vector<int64_t> sessions() const;                             // live (committed) session ids
    std::vector<std::string> ephemerals(int64_t session) const;
    size_t client_connections() const { return conns_.size(); }
    const DataTree& tree() const { return tree_; }
    // How this server was last synced as a follower (diff, trunc or snap; ping before any).
    ZkQuorumPacket::Type last_sync() const { return last_sync_; }

private:
    enum TimerKind : uint8_t { t_notify = 0, t_finalize, t_tick, t_phase, t_expiry, timer_kinds };

    // FastLeaderElection's Vote. In recvset votes compare on all four fields; between two
    // non-LOOKING votes only leader and peer epoch count (Vote.equals).
    struct Vote {
        int32_t leader = -1;
        int64_t zxid = 0;
        int64_t election_epoch = 0;
        int32_t peer_epoch = 0;
        ZkVote::State state = ZkVote::State::looking;
    };

    // The leader's LearnerHandler for one follower.
    struct Learner {
        enum class Phase : uint8_t { info, leader_info_sent, epoch_acked, synced, acked, uptodate };
        int32_t sid = 0;
        sim::NodeId node = sim::no_node;
        int64_t conn = 0;
        int64_t send_seq = 0;
        int64_t recv_seq = 0;
        Phase phase = Phase::info;
        int32_t accepted_epoch = 0;
        int64_t last_zxid = 0;     // from ACKEPOCH
        int64_t acked_zxid = -1;   // highest zxid it acknowledged (ACKs are cumulative here)
        sim::Time last_heard;
    };
    enum class LeaderPhase : uint8_t { discovery, epoch_ack, newleader_ack, broadcast };
    enum class FollowerPhase : uint8_t { connecting, syncing, synced, broadcast };

    struct TrackedSession {  // SessionTrackerImpl.SessionImpl
        int64_t timeout_ms = 0;
        sim::Time expire_at;
        bool closing = false;
        int32_t owner = -1;  // the server holding the connection (-1: unknown since the election)
    };

    // A request waiting on a client connection; answered strictly in order.
    struct PendingOp {
        enum class Kind : uint8_t { read, write, sync, close };
        Kind kind = Kind::read;
        int32_t xid = 0;
        ZkOp op;                // reads (evaluated when they reach the head)
        bool done = false;      // writes: the response is ready
        int64_t sync_zxid = -1; // sync: answer once applied up to here
        ZkResponse response;
    };
    struct ClientConn {
        int64_t session = 0;
        int32_t client_id = 0;
        int64_t timeout_ms = 0;
        bool established = false;
        int64_t send_seq = 0;
        int64_t recv_seq = 0;
        std::deque<PendingOp> queue;
    };

    // PrepRequestProcessor's outstanding changes for one request (multi: several ops).
    struct PrepRecord {
        bool exists = false;
        ZkStat stat;
    };
    using PrepOverlay = std::map<std::string, PrepRecord>;

    // ---- election
    void start_looking(const char* reason, Context& ctx);
    void leave_role(Context& ctx);
    void send_notifications(Context& ctx);
    void on_vote(sim::NodeId from, const ZkVote& v, Context& ctx);
    void decide(int32_t leader, const Vote& vote, Context& ctx);
    bool total_order(int32_t new_id, int64_t new_zxid, int32_t new_epoch, int32_t cur_id, int64_t cur_zxid,
                     int32_t cur_epoch) const;
    bool term_predicate(const std::map<int32_t, Vote>& votes, const Vote& target) const;
    bool check_leader(const std::map<int32_t, Vote>& votes, int32_t leader, int64_t election_epoch,
                      bool ignore_epoch) const;
    ZkVote vote_message(const Vote& v, ZkVote::State state, int64_t election_epoch) const;

    // ---- leader
    void become_leading(Context& ctx);
    void on_learner_packet(sim::NodeId from, ZkQuorumPacket& p, Context& ctx);
    void on_follower_info(sim::NodeId from, const ZkQuorumPacket& p, Context& ctx);
    void check_discovery_quorum(Context& ctx);
    void check_epoch_ack_quorum(Context& ctx);
    void check_newleader_quorum(Context& ctx);
    void establish(Context& ctx);
    void sync_learner(Learner& l, Context& ctx);
    void send_learner(Learner& l, ZkQuorumPacket p, Context& ctx);
    void drop_learner(int32_t sid, bool send_fin, Context& ctx);
    void leader_tick(Context& ctx);
    void maybe_commit(Context& ctx);
    void leader_commit(int64_t through_zxid, Context& ctx);
    void propose(ZkTxn txn, Context& ctx);
    void prep_request(const ZkRequest& req, int32_t owner, Context& ctx);
    ZkCode prep_op(const ZkOp& op, int64_t session, PrepOverlay& overlay, ZkTxn& out) const;
    PrepRecord prep_lookup(const PrepOverlay& overlay, const std::string& path) const;
    bool revalidate(int64_t session, int32_t owner, int64_t& timeout_ms, Context& ctx);
    bool touch_session(int64_t session, int64_t timeout_ms, Context& ctx);
    sim::Time expiry_time(sim::Time now, int64_t timeout_ms) const;
    void expire_sessions(Context& ctx);

    // ---- follower
    void become_following(int32_t leader, Context& ctx);
    void send_follower_info(Context& ctx);
    void on_leader_packet(sim::NodeId from, ZkQuorumPacket& p, Context& ctx);
    void on_sync_packet(ZkQuorumPacket& p, Context& ctx);
    void send_leader(ZkQuorumPacket p, Context& ctx);
    void follower_tick(Context& ctx);

    // ---- both: the log and the tree
    void append_and_flush(std::vector<ZkTxn>& txns);
    void commit_through(int64_t zxid, Context& ctx);
    void apply_next(Context& ctx);
    size_t log_index_after(int64_t zxid) const;  // first index whose zxid > zxid

    // ---- clients
    void on_connect_request(sim::NodeId from, const ZkConnectRequest& req, Context& ctx);
    void on_client_request(sim::NodeId from, ZkRequest& req, Context& ctx);
    void on_set_watches(sim::NodeId from, const ZkSetWatches& req, Context& ctx);
    void finish_connect(int64_t session, bool valid, int64_t timeout_ms, Context& ctx);
    void submit(const ZkRequest& req, Context& ctx);
    void drain(sim::NodeId node, Context& ctx);
    ZkResponse read(const ZkOp& op, int64_t session) ;
    void close_conn(sim::NodeId node, bool send_fin, Context& ctx);
    void close_all_conns(Context& ctx);
    void fire_watches(const std::vector<ZkWatchTrigger>& triggers, int64_t zxid, Context& ctx);
    void answer_txn(const ZkTxn& txn, Context& ctx);
    void note_touch(int64_t session, Context& ctx);
    template <class M>
    void send_client(sim::NodeId node, ClientConn& c, M msg, Context& ctx) {
        msg.seq = ++c.send_seq;
        ctx.send(node, std::move(msg));
    }

    // ---- helpers
    size_t quorum() const { return servers_.size() / 2 + 1; }
    bool is_voter(int32_t sid) const;
    int64_t tick_ms() const { return tick_ms_; }
    void arm(TimerKind kind, sim::Duration after, Context& ctx);
    void disarm(TimerKind kind, Context& ctx);

    // configuration
    int32_t sid_;
    std::vector<int32_t> servers_;  // ascending
    int64_t tick_ms_;
    int64_t init_limit_;
    int64_t sync_limit_;
    const ClusterDirectory& directory_;

    // disk
    sim::DiskLog<ZkTxn>* log_ = nullptr;
    sim::DiskCell<int32_t>* accepted_epoch_cell_ = nullptr;
    sim::DiskCell<int32_t>* current_epoch_cell_ = nullptr;
    int32_t accepted_epoch_ = 0;
    int32_t current_epoch_ = 0;

    // the committed tree: log entries [0, applied_) applied
    DataTree tree_;
    size_t applied_ = 0;
    std::vector<ZkWatchTrigger> scratch_triggers_;

    State state_ = State::looking;
    int32_t leader_sid_ = -1;
    bool serving_ = false;
    std::array<sim::TimerId, timer_kinds> timers_{};

    // election
    int64_t logicalclock_ = 0;
    Vote proposal_;
    Vote current_vote_;
    std::map<int32_t, Vote> recvset_;
    std::map<int32_t, Vote> outofelection_;
    std::set<int32_t> election_peers_;  // QuorumCnxManager connections we have heard on
    int64_t not_timeout_ms_ = finalize_wait_ms;
    bool finalizing_ = false;

    // leader
    LeaderPhase leader_phase_ = LeaderPhase::discovery;
    std::map<int32_t, Learner> learners_;
    std::map<int32_t, int32_t> connecting_;  // sid -> accepted epoch (getEpochToPropose)
    std::set<int32_t> epoch_acks_;           // waitForEpochAck
    std::set<int32_t> newleader_acks_;       // waitForNewLeaderAck
    int32_t new_epoch_ = -1;
    int32_t leader_summary_epoch_ = 0;       // leaderStateSummary at lead start
    int64_t leader_summary_zxid_ = 0;
    uint32_t zxid_counter_ = 0;
    DataTree prep_;                          // committed + outstanding proposals
    std::map<int64_t, TrackedSession> tracker_;

    // follower
    FollowerPhase follower_phase_ = FollowerPhase::connecting;
    int64_t fconn_ = 0;
    int64_t fsend_seq_ = 0;
    int64_t frecv_seq_ = 0;
    int connect_attempts_ = 0;
    sim::Time connect_sent_at_;
    sim::Time last_heard_leader_;
    int32_t follow_epoch_ = 0;
    std::map<int64_t, int64_t> touches_;  // LearnerSessionTracker.touchTable: session -> timeout
    ZkQuorumPacket::Type last_sync_ = ZkQuorumPacket::Type::ping;

    // clients
    std::map<sim::NodeId, ClientConn> conns_;
    std::map<int64_t, sim::NodeId> conn_of_session_;
    std::map<std::string, std::set<int64_t>> data_watches_;   // path -> sessions (data and exists)
    std::map<std::string, std::set<int64_t>> child_watches_;
    int64_t next_session_id_ = 0;
    int64_t next_conn_id_ = 0;
};

const char* to_string(ZooKeeperServer::State s);  // "LOOKING", "FOLLOWING", "LEADING"
std::string zk_session_hex(int64_t session);         // "0x1000001a2b0001"

}  // namespace kafka
