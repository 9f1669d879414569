#include "broker/zookeeper/zk_server.hpp"

#include <algorithm>
#include <cstdio>
#include <utility>

namespace kafka {

const char* to_string(ZooKeeperServer::State s) {
    switch (s) {
        case ZooKeeperServer::State::looking: return "LOOKING";
        case ZooKeeperServer::State::following: return "FOLLOWING";
        case ZooKeeperServer::State::leading: return "LEADING";
    }
    return "?";
}

std::string zk_session_hex(int64_t session) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(session));
    return buf;
}

namespace {

using Packet = ZkQuorumPacket;
using PType = ZkQuorumPacket::Type;

std::string join(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& s : items) {
        if (!out.empty()) out += ",";
        out += s;
    }
    return out;
}

std::string client_label(int32_t client_id) { return "broker " + std::to_string(client_id); }

bool is_read(ZkOp::Kind k) {
    return k == ZkOp::Kind::get_data || k == ZkOp::Kind::get_children || k == ZkOp::Kind::exists;
}

}  // namespace

ZooKeeperServer::ZooKeeperServer(int32_t sid, std::vector<int32_t> servers, const BrokerConfig& config,
                                 const ClusterDirectory& directory)
    : sid_(sid),
      servers_(std::move(servers)),
      tick_ms_(std::max<int64_t>(1, config.zookeeper_tick_time_ms)),
      init_limit_(std::max<int64_t>(1, config.zookeeper_init_limit)),
      sync_limit_(std::max<int64_t>(1, config.zookeeper_sync_limit)),
      directory_(directory) {
    std::sort(servers_.begin(), servers_.end());
    servers_.erase(std::unique(servers_.begin(), servers_.end()), servers_.end());
}

// ------------------------------------------------------------------------------------ inspection

int32_t ZooKeeperServer::leader_id() const { return state_ == State::looking ? -1 : leader_sid_; }

int64_t ZooKeeperServer::last_logged_zxid() const {
    return log_ != nullptr && !log_->empty() ? log_->back().zxid : 0;
}

std::span<const ZkTxn> ZooKeeperServer::committed_txns() const {
    if (log_ == nullptr) return {};
    return std::span<const ZkTxn>(log_->entries().data(), applied_);
}

const std::vector<ZkTxn>& ZooKeeperServer::logged_txns() const {
    static const std::vector<ZkTxn> none;
    return log_ != nullptr ? log_->entries() : none;
}

std::optional<ZooKeeperServer::ZNodeView> ZooKeeperServer::get(const std::string& path) const {
    const ZNode* n = tree_.find(path);
    if (n == nullptr) return std::nullopt;
    return ZNodeView{n->data, n->stat};
}

std::vector<std::string> ZooKeeperServer::children(const std::string& path) const {
    const ZNode* n = tree_.find(path);
    if (n == nullptr) return {};
    return {n->children.begin(), n->children.end()};
}

std::vector<int64_t> ZooKeeperServer::sessions() const {
    std::vector<int64_t> out;
    for (const auto& [id, info] : tree_.sessions()) out.push_back(id);
    return out;
}

std::vector<std::string> ZooKeeperServer::ephemerals(int64_t session) const { return tree_.ephemerals(session); }

// ------------------------------------------------------------------------------------ helpers

bool ZooKeeperServer::is_voter(int32_t sid) const { return std::binary_search(servers_.begin(), servers_.end(), sid); }

void ZooKeeperServer::arm(TimerKind kind, sim::Duration after, Context& ctx) {
    if (timers_[kind].valid()) ctx.cancel_timer(timers_[kind]);
    timers_[kind] = ctx.set_timer(after, kind);
}

void ZooKeeperServer::disarm(TimerKind kind, Context& ctx) {
    if (timers_[kind].valid()) ctx.cancel_timer(timers_[kind]);
}

size_t ZooKeeperServer::log_index_after(int64_t zxid) const {
    const auto& log = log_->entries();
    auto it = std::upper_bound(log.begin(), log.end(), zxid,
                               [](int64_t z, const ZkTxn& t) { return z < t.zxid; });
    return static_cast<size_t>(it - log.begin());
}

sim::Time ZooKeeperServer::expiry_time(sim::Time now, int64_t timeout_ms) const {
    // SessionTrackerImpl.roundToInterval: the end of the expiry bucket (one tick wide).
    int64_t at = (now.ms() + timeout_ms) / tick_ms_ + 1;
    return sim::time_zero + sim::milliseconds(at * tick_ms_);
}

// ------------------------------------------------------------------------------------ node

void ZooKeeperServer::on_start(Context& ctx) {
    log_ = &ctx.disk().log<ZkTxn>(log_file);
    accepted_epoch_cell_ = &ctx.disk().cell<int32_t>(accepted_epoch_file);
    current_epoch_cell_ = &ctx.disk().cell<int32_t>(current_epoch_file);
    accepted_epoch_ = accepted_epoch_cell_->has_value() ? accepted_epoch_cell_->get() : 0;
    current_epoch_ = current_epoch_cell_->has_value() ? current_epoch_cell_->get() : 0;
    // SessionTrackerImpl.initializeNextSession: the server id and the start time, plus a few
    // random bits so that two lives started in the same millisecond never share ids.
    const auto ms = static_cast<int64_t>(ctx.now().ms() & 0xffffffffLL);
    next_session_id_ = (static_cast<int64_t>(sid_ & 0x7f) << 56) | (ms << 24) |
                       (static_cast<int64_t>(ctx.rng().below(256)) << 16);
    tree_ = DataTree();
    applied_ = 0;
    start_looking("startup", ctx);
}

void ZooKeeperServer::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (auto* v = std::get_if<ZkVote>(&msg)) {
        on_vote(from, *v, ctx);
    } else if (auto* p = std::get_if<ZkQuorumPacket>(&msg)) {
        if (state_ == State::leading) on_learner_packet(from, *p, ctx);
        else if (state_ == State::following) on_leader_packet(from, *p, ctx);
        // LOOKING: a packet of a learner connection that is gone
    } else if (auto* c = std::get_if<ZkConnectRequest>(&msg)) {
        on_connect_request(from, *c, ctx);
    } else if (auto* r = std::get_if<ZkRequest>(&msg)) {
        on_client_request(from, *r, ctx);
    } else if (auto* w = std::get_if<ZkSetWatches>(&msg)) {
        on_set_watches(from, *w, ctx);
    }
}

void ZooKeeperServer::on_timer(uint64_t tag, Context& ctx) {
    if (tag >= timer_kinds) return;
    auto kind = static_cast<TimerKind>(tag);
    timers_[kind] = sim::TimerId{};
    switch (kind) {
        case t_notify:
            if (state_ != State::looking || finalizing_) return;
            // FastLeaderElection: nothing arrived within notTimeout; send again, wait longer.
            send_notifications(ctx);
            not_timeout_ms_ = std::min(not_timeout_ms_ * 2, max_notification_interval_ms);
            arm(t_notify, sim::milliseconds(not_timeout_ms_), ctx);
            return;
        case t_finalize:
            if (state_ == State::looking && finalizing_) decide(proposal_.leader, proposal_, ctx);
            return;
        case t_tick:
            if (state_ == State::leading) leader_tick(ctx);
            else if (state_ == State::following) follower_tick(ctx);
            return;
        case t_phase:
            if (state_ == State::leading && leader_phase_ != LeaderPhase::broadcast) {
                const char* why = leader_phase_ == LeaderPhase::discovery  ? "timeout waiting for FOLLOWERINFO from a quorum"
                                  : leader_phase_ == LeaderPhase::epoch_ack ? "timeout waiting for ACKEPOCH from a quorum"
                                                                            : "timeout waiting for NEWLEADER acks from a quorum";
                start_looking(why, ctx);
            }
            return;
        case t_expiry:
            expire_sessions(ctx);
            return;
        case timer_kinds: return;
    }
}

void ZooKeeperServer::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (int32_t sid = directory_.zookeeper_id(peer); sid >= 0) election_peers_.erase(sid);
    if (state_ == State::following && peer == directory_.zookeeper_node(leader_sid_)) {
        start_looking("connection to the leader closed", ctx);
        return;
    }
    if (state_ == State::leading) {
        for (auto it = learners_.begin(); it != learners_.end();) {
            if (it->second.node == peer) it = learners_.erase(it);
            else ++it;
        }
    }
    if (conns_.count(peer) != 0) close_conn(peer, /*send_fin=*/false, ctx);
}

// ------------------------------------------------------------------------------------ election

void ZooKeeperServer::leave_role(Context& ctx) {
    if (state_ == State::following && fconn_ != 0) {
        Packet fin;
        fin.sid = sid_;
        fin.conn = fconn_;
        fin.seq = -1;
        sim::NodeId n = directory_.zookeeper_node(leader_sid_);
        if (n != sim::no_node) ctx.send(n, std::move(fin));
    }
    if (state_ == State::leading) {
        for (auto& [sid, l] : learners_) {
            Packet fin;
            fin.sid = sid_;
            fin.conn = l.conn;
            fin.seq = -1;
            ctx.send(l.node, std::move(fin));
        }
    }
    learners_.clear();
    connecting_.clear();
    epoch_acks_.clear();
    newleader_acks_.clear();
    close_all_conns(ctx);
    touches_.clear();
    tracker_.clear();
    prep_ = DataTree();
    disarm(t_tick, ctx);
    disarm(t_phase, ctx);
    disarm(t_expiry, ctx);
    serving_ = false;
    fconn_ = 0;
}

void ZooKeeperServer::start_looking(const char* reason, Context& ctx) {
    leave_role(ctx);
    state_ = State::looking;
    leader_sid_ = -1;
    ctx.emit(ZkLooking{.epoch = current_epoch_, .reason = reason});
    // FastLeaderElection.lookForLeader: a new round, voting for ourselves.
    ++logicalclock_;
    proposal_ = Vote{sid_, last_logged_zxid(), logicalclock_, current_epoch_, ZkVote::State::looking};
    recvset_.clear();
    outofelection_.clear();
    finalizing_ = false;
    disarm(t_finalize, ctx);
    not_timeout_ms_ = finalize_wait_ms;
    send_notifications(ctx);
    if (term_predicate(recvset_, proposal_)) {  // an ensemble of one
        finalizing_ = true;
        arm(t_finalize, sim::milliseconds(finalize_wait_ms), ctx);
        return;
    }
    arm(t_notify, sim::milliseconds(not_timeout_ms_), ctx);
}

ZkVote ZooKeeperServer::vote_message(const Vote& v, ZkVote::State state, int64_t election_epoch) const {
    ZkVote m;
    m.sid = sid_;
    m.leader = v.leader;
    m.zxid = v.zxid;
    m.election_epoch = election_epoch;
    m.peer_epoch = v.peer_epoch;
    m.state = state;
    return m;
}

void ZooKeeperServer::send_notifications(Context& ctx) {
    proposal_.election_epoch = logicalclock_;
    recvset_[sid_] = proposal_;  // our own notification, as it comes back through the loopback
    for (int32_t s : servers_) {
        if (s == sid_) continue;
        sim::NodeId n = directory_.zookeeper_node(s);
        if (n != sim::no_node) ctx.send(n, vote_message(proposal_, ZkVote::State::looking, logicalclock_));
    }
}

bool ZooKeeperServer::total_order(int32_t new_id, int64_t new_zxid, int32_t new_epoch, int32_t cur_id,
                                  int64_t cur_zxid, int32_t cur_epoch) const {
    // FastLeaderElection.totalOrderPredicate: epoch, then zxid, then server id.
    if (new_epoch != cur_epoch) return new_epoch > cur_epoch;
    if (new_zxid != cur_zxid) return new_zxid > cur_zxid;
    return new_id > cur_id;
}

bool ZooKeeperServer::term_predicate(const std::map<int32_t, Vote>& votes, const Vote& target) const {
    size_t n = 0;
    for (const auto& [sid, v] : votes) {
        bool equal;
        if (v.state == ZkVote::State::looking || target.state == ZkVote::State::looking)
            equal = v.leader == target.leader && v.zxid == target.zxid && v.election_epoch == target.election_epoch &&
                    v.peer_epoch == target.peer_epoch;
        else
            equal = v.leader == target.leader && v.peer_epoch == target.peer_epoch;
        if (equal && is_voter(sid)) ++n;
    }
    return n >= quorum();
}

bool ZooKeeperServer::check_leader(const std::map<int32_t, Vote>& votes, int32_t leader, int64_t election_epoch,
                                   bool ignore_epoch) const {
    // FastLeaderElection.checkLeader: someone else leads only if it said so itself; we lead
    // only if the votes are of our own round.
    if (leader != sid_) {
        auto it = votes.find(leader);
        return it != votes.end() && it->second.state == ZkVote::State::leading;
    }
    return !ignore_epoch && logicalclock_ == election_epoch;
}

void ZooKeeperServer::on_vote(sim::NodeId from, const ZkVote& v, Context& ctx) {
    if (v.sid == sid_ || !is_voter(v.sid) || !is_voter(v.leader)) return;
    // QuorumCnxManager: a new election connection first carries the last notification we
    // sent that peer (lastMessageSent) - those sent before the connection existed were lost.
    const bool new_peer = election_peers_.insert(v.sid).second;
    if (new_peer && state_ == State::looking && v.state == ZkVote::State::looking && v.election_epoch >= logicalclock_)
        ctx.send(from, vote_message(proposal_, ZkVote::State::looking, logicalclock_));
    if (state_ != State::looking) {
        // WorkerReceiver: tell a LOOKING peer who leads.
        if (v.state == ZkVote::State::looking) {
            auto mine = state_ == State::leading ? ZkVote::State::leading : ZkVote::State::following;
            ctx.send(from, vote_message(current_vote_, mine, current_vote_.election_epoch));
        }
        return;
    }
    // WorkerReceiver: a LOOKING peer of an older round gets our current proposal.
    if (v.state == ZkVote::State::looking && v.election_epoch < logicalclock_)
        ctx.send(from, vote_message(proposal_, ZkVote::State::looking, logicalclock_));
    if (finalizing_) {
        // Within finalizeWait only a better vote counts; the others are dropped.
        if (!total_order(v.leader, v.zxid, v.peer_epoch, proposal_.leader, proposal_.zxid, proposal_.peer_epoch))
            return;
        finalizing_ = false;
        disarm(t_finalize, ctx);
    }
    switch (v.state) {
        case ZkVote::State::looking: {
            if (v.election_epoch > logicalclock_) {
                logicalclock_ = v.election_epoch;
                recvset_.clear();
                if (total_order(v.leader, v.zxid, v.peer_epoch, sid_, last_logged_zxid(), current_epoch_))
                    proposal_ = Vote{v.leader, v.zxid, logicalclock_, v.peer_epoch, ZkVote::State::looking};
                else
                    proposal_ = Vote{sid_, last_logged_zxid(), logicalclock_, current_epoch_, ZkVote::State::looking};
                send_notifications(ctx);
            } else if (v.election_epoch < logicalclock_) {
                break;
            } else if (total_order(v.leader, v.zxid, v.peer_epoch, proposal_.leader, proposal_.zxid,
                                   proposal_.peer_epoch)) {
                proposal_ = Vote{v.leader, v.zxid, logicalclock_, v.peer_epoch, ZkVote::State::looking};
                send_notifications(ctx);
            }
            recvset_[v.sid] = Vote{v.leader, v.zxid, v.election_epoch, v.peer_epoch, ZkVote::State::looking};
            if (term_predicate(recvset_, proposal_)) {
                finalizing_ = true;
                disarm(t_notify, ctx);
                arm(t_finalize, sim::milliseconds(finalize_wait_ms), ctx);
                return;
            }
            break;
        }
        case ZkVote::State::following:
        case ZkVote::State::leading: {
            Vote same_round{v.leader, v.zxid, v.election_epoch, v.peer_epoch, ZkVote::State::looking};
            if (v.election_epoch == logicalclock_) {
                recvset_[v.sid] = same_round;
                if (term_predicate(recvset_, same_round) &&
                    check_leader(outofelection_, v.leader, v.election_epoch, /*ignore_epoch=*/false)) {
                    decide(v.leader, same_round, ctx);
                    return;
                }
            }
            // Joining an established ensemble: a quorum follows the same leader in the same
            // peer epoch, and the leader itself says it leads (ZOOKEEPER-1732).
            outofelection_[v.sid] = Vote{v.leader, 0, v.election_epoch, v.peer_epoch, v.state};
            if (term_predicate(outofelection_, Vote{v.leader, 0, 0, v.peer_epoch, v.state}) &&
                check_leader(outofelection_, v.leader, 0, /*ignore_epoch=*/true)) {
                logicalclock_ = v.election_epoch;
                decide(v.leader, same_round, ctx);
                return;
            }
            break;
        }
        case ZkVote::State::observing: break;
    }
    arm(t_notify, sim::milliseconds(not_timeout_ms_), ctx);  // the poll starts over
}

void ZooKeeperServer::decide(int32_t leader, const Vote& vote, Context& ctx) {
    disarm(t_notify, ctx);
    disarm(t_finalize, ctx);
    finalizing_ = false;
    current_vote_ = Vote{leader, vote.zxid, logicalclock_, vote.peer_epoch,
                         leader == sid_ ? ZkVote::State::leading : ZkVote::State::following};
    if (leader == sid_) become_leading(ctx);
    else become_following(leader, ctx);
}

// ------------------------------------------------------------------------------------ leader

void ZooKeeperServer::become_leading(Context& ctx) {
    state_ = State::leading;
    leader_sid_ = sid_;
    serving_ = false;
    leader_phase_ = LeaderPhase::discovery;
    learners_.clear();
    connecting_.clear();
    connecting_[sid_] = accepted_epoch_;
    epoch_acks_.clear();
    newleader_acks_.clear();
    new_epoch_ = -1;
    leader_summary_epoch_ = current_epoch_;
    leader_summary_zxid_ = last_logged_zxid();
    arm(t_phase, sim::milliseconds(init_limit_ * tick_ms_), ctx);
    arm(t_tick, sim::milliseconds(std::max<int64_t>(1, tick_ms_ / 2)), ctx);
    check_discovery_quorum(ctx);
}

void ZooKeeperServer::send_learner(Learner& l, Packet p, Context& ctx) {
    p.sid = sid_;
    p.conn = l.conn;
    p.seq = ++l.send_seq;
    ctx.send(l.node, std::move(p));
}

void ZooKeeperServer::drop_learner(int32_t sid, bool send_fin, Context& ctx) {
    auto it = learners_.find(sid);
    if (it == learners_.end()) return;
    if (send_fin) {
        Packet fin;
        fin.sid = sid_;
        fin.conn = it->second.conn;
        fin.seq = -1;
        ctx.send(it->second.node, std::move(fin));
    }
    learners_.erase(it);
}

void ZooKeeperServer::on_follower_info(sim::NodeId from, const Packet& p, Context& ctx) {
    if (!is_voter(p.sid) || p.sid == sid_ || p.seq != 1) return;
    auto it = learners_.find(p.sid);
    if (it != learners_.end() && it->second.conn == p.conn) return;  // a duplicate
    if (it != learners_.end()) learners_.erase(it);  // the follower reconnected: a new LearnerHandler
    Learner& l = learners_[p.sid];
    l.sid = p.sid;
    l.node = from;
    l.conn = p.conn;
    l.recv_seq = 1;
    l.accepted_epoch = p.epoch;
    l.last_heard = ctx.now();
    if (leader_phase_ == LeaderPhase::discovery) {
        connecting_[p.sid] = p.epoch;
        check_discovery_quorum(ctx);
        return;
    }
    Packet info;
    info.type = PType::leader_info;
    info.epoch = new_epoch_;
    info.zxid = make_zxid(new_epoch_, 0);
    send_learner(l, std::move(info), ctx);
    l.phase = Learner::Phase::leader_info_sent;
}

void ZooKeeperServer::check_discovery_quorum(Context& ctx) {
    if (leader_phase_ != LeaderPhase::discovery || connecting_.size() < quorum()) return;
    // Leader.getEpochToPropose: one more than any acceptedEpoch of the quorum.
    int32_t max_accepted = 0;
    for (const auto& [sid, e] : connecting_) max_accepted = std::max(max_accepted, e);
    new_epoch_ = max_accepted + 1;
    accepted_epoch_ = new_epoch_;
    accepted_epoch_cell_->set(accepted_epoch_);
    accepted_epoch_cell_->flush();
    leader_phase_ = LeaderPhase::epoch_ack;
    epoch_acks_ = {sid_};
    arm(t_phase, sim::milliseconds(init_limit_ * tick_ms_), ctx);
    for (auto& [sid, l] : learners_) {
        if (l.phase != Learner::Phase::info) continue;
        Packet info;
        info.type = PType::leader_info;
        info.epoch = new_epoch_;
        info.zxid = make_zxid(new_epoch_, 0);
        send_learner(l, std::move(info), ctx);
        l.phase = Learner::Phase::leader_info_sent;
    }
    check_epoch_ack_quorum(ctx);
}

void ZooKeeperServer::check_epoch_ack_quorum(Context& ctx) {
    if (leader_phase_ != LeaderPhase::epoch_ack || epoch_acks_.size() < quorum()) return;
    current_epoch_ = new_epoch_;
    current_epoch_cell_->set(current_epoch_);
    current_epoch_cell_->flush();
    leader_phase_ = LeaderPhase::newleader_ack;
    newleader_acks_ = {sid_};
    zxid_counter_ = 0;
    arm(t_phase, sim::milliseconds(init_limit_ * tick_ms_), ctx);
    for (auto& [sid, l] : learners_)
        if (l.phase == Learner::Phase::epoch_acked) sync_learner(l, ctx);
    check_newleader_quorum(ctx);
}

void ZooKeeperServer::sync_learner(Learner& l, Context& ctx) {
    // LearnerHandler.syncFollower.
    const auto& log = log_->entries();
    const size_t n = log.size();
    const int64_t peer = l.last_zxid;
    const int64_t leader_last = last_logged_zxid();
    const size_t window_start = n > max_committed_log ? n - max_committed_log : 0;
    const int64_t min_committed = n > 0 ? log[window_start].zxid : 0;
    Packet sync;
    sync.committed_zxid = last_committed_zxid();
    size_t from = n;
    if (peer == leader_last) {
        sync.type = PType::diff;
    } else if (peer > leader_last) {
        sync.type = PType::trunc;  // it has txns we never had: they were never committed
        sync.zxid = leader_last;
    } else if (n > 0 && peer >= min_committed) {
        from = log_index_after(peer);
        if (from > 0 && log[from - 1].zxid == peer) {
            sync.type = PType::diff;
        } else {
            sync.type = PType::trunc;  // its last txn is not ours: back to the last one we share
            sync.zxid = from > 0 ? log[from - 1].zxid : 0;
        }
    } else {
        sync.type = PType::snap;
        from = 0;
    }
    sync.txns.assign(log.begin() + static_cast<ptrdiff_t>(from), log.end());
    send_learner(l, std::move(sync), ctx);
    Packet nl;
    nl.type = PType::new_leader;
    nl.epoch = new_epoch_;
    nl.zxid = make_zxid(new_epoch_, 0);
    send_learner(l, std::move(nl), ctx);
    l.phase = Learner::Phase::synced;
}

void ZooKeeperServer::check_newleader_quorum(Context& ctx) {
    if (leader_phase_ == LeaderPhase::newleader_ack && newleader_acks_.size() >= quorum()) establish(ctx);
}

void ZooKeeperServer::establish(Context& ctx) {
    leader_phase_ = LeaderPhase::broadcast;
    disarm(t_phase, ctx);
    // A quorum acked NEWLEADER: our whole log is on a quorum now, all of it is committed.
    leader_commit(last_logged_zxid(), ctx);
    SIM_ASSERT(applied_ == log_->size(), "zab: an established leader did not commit its initial history");
    prep_ = tree_;
    // A new leader's SessionTracker: every session starts a fresh timeout.
    tracker_.clear();
    for (const auto& [session, info] : tree_.sessions())
        tracker_[session] = TrackedSession{info.timeout_ms, expiry_time(ctx.now(), info.timeout_ms), false, -1};
    serving_ = true;
    std::vector<int32_t> followers;
    for (int32_t s : newleader_acks_)
        if (s != sid_) followers.push_back(s);
    ctx.emit(ZkLeading{.epoch = new_epoch_, .zxid = last_committed_zxid(), .followers = followers});
    for (auto& [sid, l] : learners_) {
        if (l.phase != Learner::Phase::acked) continue;
        Packet up;
        up.type = PType::up_to_date;
        send_learner(l, std::move(up), ctx);
        l.phase = Learner::Phase::uptodate;
    }
    int64_t now_ms = ctx.now().ms();
    arm(t_expiry, sim::milliseconds((now_ms / tick_ms_ + 1) * tick_ms_ - now_ms), ctx);
}

void ZooKeeperServer::on_learner_packet(sim::NodeId from, Packet& p, Context& ctx) {
    if (p.type == PType::follower_info) {
        on_follower_info(from, p, ctx);
        return;
    }
    auto it = learners_.find(p.sid);
    if (it == learners_.end() || it->second.node != from || it->second.conn != p.conn) return;
    Learner& l = it->second;
    if (p.seq == -1) {  // the follower closed the connection
        learners_.erase(it);
        return;
    }
    if (p.seq != l.recv_seq + 1) {  // a packet went missing: the connection is broken
        drop_learner(p.sid, true, ctx);
        return;
    }
    l.recv_seq = p.seq;
    l.last_heard = ctx.now();
    switch (p.type) {
        case PType::ack_epoch: {
            if (l.phase != Learner::Phase::leader_info_sent) {
                drop_learner(p.sid, true, ctx);
                return;
            }
            l.phase = Learner::Phase::epoch_acked;
            l.last_zxid = p.zxid;
            if (leader_phase_ == LeaderPhase::epoch_ack) {
                if (p.epoch == -1) return;  // it acked this epoch before (3.4's -1): synced, not counted
                // Leader.waitForEpochAck: a follower with a more recent state must not be
                // synced by us (we would truncate what it may hold committed).
                if (p.epoch > leader_summary_epoch_ ||
                    (p.epoch == leader_summary_epoch_ && p.zxid > leader_summary_zxid_)) {
                    drop_learner(p.sid, true, ctx);
                    return;
                }
                epoch_acks_.insert(p.sid);
                check_epoch_ack_quorum(ctx);
            } else if (leader_phase_ != LeaderPhase::discovery) {
                sync_learner(l, ctx);
            }
            return;
        }
        case PType::ack: {
            if (l.phase == Learner::Phase::synced) {  // the ACK of NEWLEADER
                l.phase = Learner::Phase::acked;
                l.acked_zxid = p.zxid;
                newleader_acks_.insert(p.sid);
                if (leader_phase_ == LeaderPhase::newleader_ack) {
                    check_newleader_quorum(ctx);
                } else if (leader_phase_ == LeaderPhase::broadcast) {
                    Packet up;
                    up.type = PType::up_to_date;
                    send_learner(l, std::move(up), ctx);
                    l.phase = Learner::Phase::uptodate;
                    maybe_commit(ctx);
                }
                return;
            }
            if (l.phase == Learner::Phase::acked || l.phase == Learner::Phase::uptodate) {
                l.acked_zxid = std::max(l.acked_zxid, p.zxid);
                maybe_commit(ctx);
                return;
            }
            drop_learner(p.sid, true, ctx);
            return;
        }
        case PType::ping:
            // The follower's LearnerSessionTracker touch table.
            for (const auto& [session, timeout] : p.touches) touch_session(session, timeout, ctx);
            return;
        case PType::request: {
            if (leader_phase_ != LeaderPhase::broadcast || l.phase != Learner::Phase::uptodate) return;
            if (p.request.op.kind == ZkOp::Kind::sync && !p.request.create_session && !p.request.close_session) {
                // Leader.processSync: the follower answers once it applied what we proposed so far.
                Packet done;
                done.type = PType::request;
                done.request.session_id = p.request.session_id;
                done.request.xid = p.request.xid;
                done.request.op.kind = ZkOp::Kind::sync;
                done.zxid = last_logged_zxid();
                send_learner(l, std::move(done), ctx);
                return;
            }
            int32_t owner = p.sid;
            prep_request(p.request, owner, ctx);
            return;
        }
        case PType::revalidate: {
            if (leader_phase_ != LeaderPhase::broadcast) return;
            int64_t timeout = 0;
            bool valid = revalidate(p.request.session_id, p.sid, timeout, ctx);
            auto again = learners_.find(p.sid);
            if (again == learners_.end()) return;
            Packet reply;
            reply.type = PType::revalidate;
            reply.request.session_id = p.request.session_id;
            reply.request.session_timeout_ms = timeout;
            reply.valid = valid;
            send_learner(again->second, std::move(reply), ctx);
            return;
        }
        default:
            drop_learner(p.sid, true, ctx);
            return;
    }
}

void ZooKeeperServer::leader_tick(Context& ctx) {
    arm(t_tick, sim::milliseconds(std::max<int64_t>(1, tick_ms_ / 2)), ctx);
    const sim::Time now = ctx.now();
    const sim::Duration sync_window = sim::milliseconds(sync_limit_ * tick_ms_);
    const sim::Duration init_window = sim::milliseconds(init_limit_ * tick_ms_);
    std::vector<int32_t> dead;
    for (const auto& [sid, l] : learners_) {
        bool synced = l.phase == Learner::Phase::acked || l.phase == Learner::Phase::uptodate;
        if (now - l.last_heard >= (synced ? sync_window : init_window)) dead.push_back(sid);
    }
    for (int32_t sid : dead) drop_learner(sid, true, ctx);
    if (leader_phase_ != LeaderPhase::broadcast) return;
    std::vector<int32_t> synced{sid_};
    for (auto& [sid, l] : learners_) {
        if (l.phase < Learner::Phase::synced) continue;
        Packet ping;
        ping.type = PType::ping;
        ping.zxid = last_logged_zxid();
        send_learner(l, std::move(ping), ctx);
        if (l.phase == Learner::Phase::uptodate || l.phase == Learner::Phase::acked) synced.push_back(sid);
    }
    if (synced.size() < quorum()) start_looking("not sufficient followers synced", ctx);
}

void ZooKeeperServer::maybe_commit(Context& ctx) {
    if (state_ != State::leading || leader_phase_ != LeaderPhase::broadcast) return;
    std::vector<int64_t> acks{last_logged_zxid()};
    for (const auto& [sid, l] : learners_)
        if (l.phase == Learner::Phase::acked || l.phase == Learner::Phase::uptodate) acks.push_back(l.acked_zxid);
    if (acks.size() < quorum()) return;
    std::sort(acks.begin(), acks.end(), std::greater<>());
    leader_commit(acks[quorum() - 1], ctx);
}

void ZooKeeperServer::leader_commit(int64_t point, Context& ctx) {
    while (applied_ < log_->size() && (*log_)[applied_].zxid <= point) {
        const int64_t zxid = (*log_)[applied_].zxid;
        for (auto& [sid, l] : learners_) {
            if (l.phase < Learner::Phase::synced) continue;
            Packet commit;
            commit.type = PType::commit;
            commit.zxid = zxid;
            send_learner(l, std::move(commit), ctx);
        }
        apply_next(ctx);
        if (state_ != State::leading) return;
    }
}

void ZooKeeperServer::propose(ZkTxn txn, Context& ctx) {
    txn.zxid = make_zxid(new_epoch_, ++zxid_counter_);
    for (ZkTxn& op : txn.ops) op.zxid = txn.zxid;
    prep_.apply(txn, nullptr);
    log_->append(std::move(txn));
    log_->flush();  // SyncRequestProcessor: the leader's own ACK
    for (auto& [sid, l] : learners_) {
        if (l.phase < Learner::Phase::synced) continue;
        Packet p;
        p.type = PType::proposal;
        p.zxid = log_->back().zxid;
        p.txns.push_back(log_->back());
        send_learner(l, std::move(p), ctx);
    }
    maybe_commit(ctx);
}

ZooKeeperServer::PrepRecord ZooKeeperServer::prep_lookup(const PrepOverlay& overlay, const std::string& path) const {
    auto it = overlay.find(path);
    if (it != overlay.end()) return it->second;
    const ZNode* n = prep_.find(path);
    if (n == nullptr) return PrepRecord{};
    return PrepRecord{true, n->stat};
}

ZkCode ZooKeeperServer::prep_op(const ZkOp& op, int64_t session, PrepOverlay& overlay, ZkTxn& out) const {
    // PrepRequestProcessor.pRequest2Txn against the outstanding changes.
    switch (op.kind) {
        case ZkOp::Kind::create: {
            const bool sequential = op.mode == ZkCreateMode::persistent_sequential ||
                                    op.mode == ZkCreateMode::ephemeral_sequential;
            const bool ephemeral =
                op.mode == ZkCreateMode::ephemeral || op.mode == ZkCreateMode::ephemeral_sequential;
            if (op.path == "/") return ZkCode::node_exists;
            if (!zk_valid_path(sequential ? op.path + "0" : op.path)) return ZkCode::bad_arguments;
            const std::string parent = zk_parent_path(op.path);
            PrepRecord p = prep_lookup(overlay, parent);
            if (!p.exists) return ZkCode::no_node;
            std::string path = op.path;
            if (sequential) {
                char buf[16];
                std::snprintf(buf, sizeof buf, "%010d", p.stat.cversion);
                path += buf;
            }
            if (prep_lookup(overlay, path).exists) return ZkCode::node_exists;
            if (p.stat.ephemeral_owner != 0) return ZkCode::no_children_for_ephemerals;
            out.type = ZkTxn::Type::create;
            out.path = path;
            out.data = op.data;
            out.ephemeral = ephemeral;
            out.session_id = session;
            PrepRecord created{true, ZkStat{}};
            created.stat.ephemeral_owner = ephemeral ? session : 0;
            overlay[path] = created;
            p.stat.cversion += 1;
            p.stat.num_children += 1;
            overlay[parent] = p;
            return ZkCode::ok;
        }
        case ZkOp::Kind::remove: {
            if (op.path == "/" || !zk_valid_path(op.path)) return ZkCode::bad_arguments;
            PrepRecord r = prep_lookup(overlay, op.path);
            if (!r.exists) return ZkCode::no_node;
            if (op.version != -1 && op.version != r.stat.version) return ZkCode::bad_version;
            if (r.stat.num_children > 0) return ZkCode::not_empty;
            out.type = ZkTxn::Type::remove;
            out.path = op.path;
            out.session_id = session;
            overlay[op.path] = PrepRecord{};
            const std::string parent = zk_parent_path(op.path);
            PrepRecord p = prep_lookup(overlay, parent);
            p.stat.cversion += 1;
            p.stat.num_children -= 1;
            overlay[parent] = p;
            return ZkCode::ok;
        }
        case ZkOp::Kind::set_data: {
            if (!zk_valid_path(op.path)) return ZkCode::bad_arguments;
            PrepRecord r = prep_lookup(overlay, op.path);
            if (!r.exists) return ZkCode::no_node;
            if (op.version != -1 && op.version != r.stat.version) return ZkCode::bad_version;
            out.type = ZkTxn::Type::set_data;
            out.path = op.path;
            out.data = op.data;
            out.session_id = session;
            r.stat.version += 1;
            overlay[op.path] = r;
            return ZkCode::ok;
        }
        case ZkOp::Kind::check: {
            if (!zk_valid_path(op.path)) return ZkCode::bad_arguments;
            PrepRecord r = prep_lookup(overlay, op.path);
            if (!r.exists) return ZkCode::no_node;
            if (op.version != -1 && op.version != r.stat.version) return ZkCode::bad_version;
            return ZkCode::ok;
        }
        default: return ZkCode::bad_arguments;
    }
}

void ZooKeeperServer::prep_request(const ZkRequest& req, int32_t owner, Context& ctx) {
    ZkTxn txn;
    txn.session_id = req.session_id;
    txn.xid = req.xid;
    if (req.create_session) {
        txn.type = ZkTxn::Type::create_session;
        txn.session_timeout_ms = req.session_timeout_ms;
        txn.client_id = req.client_id;
        tracker_[req.session_id] =
            TrackedSession{req.session_timeout_ms, expiry_time(ctx.now(), req.session_timeout_ms), false, owner};
        propose(std::move(txn), ctx);
        return;
    }
    // SessionTracker.checkSession
    ZkCode session_error = ZkCode::ok;
    auto it = tracker_.find(req.session_id);
    if (it == tracker_.end() || it->second.closing) {
        session_error = ZkCode::session_expired;
    } else if (it->second.owner == -1) {
        it->second.owner = owner;
    } else if (it->second.owner != owner) {
        session_error = ZkCode::session_moved;
    }
    if (session_error != ZkCode::ok) {
        txn.type = ZkTxn::Type::error;
        txn.error = session_error;
        propose(std::move(txn), ctx);
        return;
    }
    if (req.close_session) {
        it->second.closing = true;
        txn.type = ZkTxn::Type::close_session;
        txn.removed_ephemerals = prep_.ephemerals(req.session_id);
        auto info = prep_.sessions().find(req.session_id);
        if (info != prep_.sessions().end()) txn.client_id = info->second.client_id;
        propose(std::move(txn), ctx);
        return;
    }
    PrepOverlay overlay;
    if (req.op.kind == ZkOp::Kind::multi) {
        // All or nothing: after the first failure the rest are RUNTIMEINCONSISTENCY, the ones
        // before it OK (DataTree.processTxn's rewrite of a failed multi).
        txn.type = ZkTxn::Type::multi;
        ZkCode first_error = ZkCode::ok;
        for (const ZkOp& op : req.op.ops) {
            if (first_error != ZkCode::ok) {
                txn.results.push_back(ZkCode::runtime_inconsistency);
                continue;
            }
            ZkTxn sub;
            ZkCode c = op.kind == ZkOp::Kind::multi || is_read(op.kind) || op.kind == ZkOp::Kind::sync
                           ? ZkCode::bad_arguments
                           : prep_op(op, req.session_id, overlay, sub);
            txn.results.push_back(c);
            if (c != ZkCode::ok) {
                first_error = c;
                continue;
            }
            if (op.kind != ZkOp::Kind::check) txn.ops.push_back(std::move(sub));
        }
        if (first_error != ZkCode::ok) {
            txn.type = ZkTxn::Type::error;
            txn.error = first_error;
            txn.ops.clear();
        }
    } else {
        ZkCode c = prep_op(req.op, req.session_id, overlay, txn);
        if (c != ZkCode::ok) {
            txn.type = ZkTxn::Type::error;
            txn.error = c;
            txn.path = req.op.path;
        }
    }
    propose(std::move(txn), ctx);
}

bool ZooKeeperServer::touch_session(int64_t session, int64_t /*timeout_ms*/, Context& ctx) {
    auto it = tracker_.find(session);
    if (it == tracker_.end() || it->second.closing) return false;
    sim::Time at = expiry_time(ctx.now(), it->second.timeout_ms);
    if (at > it->second.expire_at) it->second.expire_at = at;
    return true;
}

bool ZooKeeperServer::revalidate(int64_t session, int32_t owner, int64_t& timeout_ms, Context& ctx) {
    if (!touch_session(session, 0, ctx)) return false;
    TrackedSession& t = tracker_[session];
    t.owner = owner;
    timeout_ms = t.timeout_ms;
    return true;
}

void ZooKeeperServer::expire_sessions(Context& ctx) {
    if (state_ != State::leading || leader_phase_ != LeaderPhase::broadcast) return;
    const int64_t now_ms = ctx.now().ms();
    arm(t_expiry, sim::milliseconds((now_ms / tick_ms_ + 1) * tick_ms_ - now_ms), ctx);
    std::vector<int64_t> expired;
    for (const auto& [session, t] : tracker_)
        if (!t.closing && t.expire_at <= ctx.now()) expired.push_back(session);
    for (int64_t session : expired) {
        if (state_ != State::leading) return;
        auto it = tracker_.find(session);
        if (it == tracker_.end()) continue;
        it->second.closing = true;
        // SessionTrackerImpl -> ZooKeeperServer.expire: a closeSession request of our own.
        ZkTxn txn;
        txn.type = ZkTxn::Type::close_session;
        txn.session_id = session;
        txn.expired = true;
        txn.removed_ephemerals = prep_.ephemerals(session);
        auto info = prep_.sessions().find(session);
        if (info != prep_.sessions().end()) txn.client_id = info->second.client_id;
        propose(std::move(txn), ctx);
    }
}

// ------------------------------------------------------------------------------------ follower

void ZooKeeperServer::become_following(int32_t leader, Context& ctx) {
    state_ = State::following;
    leader_sid_ = leader;
    serving_ = false;
    follower_phase_ = FollowerPhase::connecting;
    connect_attempts_ = 0;
    touches_.clear();
    last_heard_leader_ = ctx.now();
    send_follower_info(ctx);
    arm(t_tick, sim::milliseconds(std::max<int64_t>(1, tick_ms_ / 2)), ctx);
}

void ZooKeeperServer::send_follower_info(Context& ctx) {
    // A new connection to the leader (Learner.connectToLeader + registerWithLeader).
    fconn_ = static_cast<int64_t>(ctx.rng().next() >> 1) | 1;
    fsend_seq_ = 0;
    frecv_seq_ = 0;
    ++connect_attempts_;
    connect_sent_at_ = ctx.now();
    Packet info;
    info.type = PType::follower_info;
    info.epoch = accepted_epoch_;
    info.zxid = make_zxid(accepted_epoch_, 0);
    send_leader(std::move(info), ctx);
}

void ZooKeeperServer::send_leader(Packet p, Context& ctx) {
    p.sid = sid_;
    p.conn = fconn_;
    p.seq = ++fsend_seq_;
    sim::NodeId n = directory_.zookeeper_node(leader_sid_);
    if (n != sim::no_node) ctx.send(n, std::move(p));
}

void ZooKeeperServer::follower_tick(Context& ctx) {
    arm(t_tick, sim::milliseconds(std::max<int64_t>(1, tick_ms_ / 2)), ctx);
    const sim::Time now = ctx.now();
    if (follower_phase_ == FollowerPhase::connecting) {
        if (now - connect_sent_at_ < sim::milliseconds(learner_connect_retry_ms)) return;
        if (connect_attempts_ >= learner_connect_attempts) {
            start_looking("cannot connect to the leader", ctx);
            return;
        }
        send_follower_info(ctx);
        return;
    }
    const int64_t limit = follower_phase_ == FollowerPhase::broadcast ? sync_limit_ : init_limit_;
    if (now - last_heard_leader_ >= sim::milliseconds(limit * tick_ms_))
        start_looking(follower_phase_ == FollowerPhase::broadcast ? "no packet from the leader within syncLimit"
                                                                  : "no packet from the leader within initLimit",
                      ctx);
}

void ZooKeeperServer::append_and_flush(std::vector<ZkTxn>& txns) {
    for (ZkTxn& t : txns) {
        SIM_ASSERT(t.zxid > last_logged_zxid(), "zab: txns must be logged in zxid order");
        log_->append(std::move(t));
    }
    log_->flush();
}

void ZooKeeperServer::on_sync_packet(Packet& p, Context& ctx) {
    last_sync_ = p.type;
    switch (p.type) {
        case PType::diff: break;
        case PType::trunc: {
            const size_t keep = log_index_after(p.zxid);
            SIM_ASSERT(keep >= applied_, "zab: TRUNC below a txn this server applied as committed");
            SIM_ASSERT(keep == 0 ? p.zxid == 0 : (*log_)[keep - 1].zxid == p.zxid,
                       "zab: TRUNC to a zxid this server does not have");
            log_->truncate(keep);
            break;
        }
        case PType::snap:
            for (size_t i = 0; i < applied_; ++i)
                SIM_ASSERT(i < p.txns.size() && p.txns[i].zxid == (*log_)[i].zxid,
                           "zab: SNAP without a txn this server applied as committed");
            log_->truncate(0);
            break;
        default: return;
    }
    append_and_flush(p.txns);
    commit_through(p.committed_zxid, ctx);
}

void ZooKeeperServer::on_leader_packet(sim::NodeId from, Packet& p, Context& ctx) {
    if (from != directory_.zookeeper_node(leader_sid_) || p.conn != fconn_ || fconn_ == 0) return;
    if (p.seq == -1) {
        start_looking("the leader closed the connection", ctx);
        return;
    }
    if (p.seq != frecv_seq_ + 1) {
        start_looking("lost a packet from the leader", ctx);
        return;
    }
    frecv_seq_ = p.seq;
    last_heard_leader_ = ctx.now();
    switch (p.type) {
        case PType::leader_info: {
            if (follower_phase_ != FollowerPhase::connecting) break;
            // Learner.registerWithLeader
            int32_t ack_epoch;
            if (p.epoch > accepted_epoch_) {
                ack_epoch = current_epoch_;
                accepted_epoch_ = p.epoch;
                accepted_epoch_cell_->set(accepted_epoch_);
                accepted_epoch_cell_->flush();
            } else if (p.epoch == accepted_epoch_) {
                ack_epoch = -1;
            } else {
                start_looking("the leader's epoch is less than our accepted epoch", ctx);
                return;
            }
            follow_epoch_ = p.epoch;
            follower_phase_ = FollowerPhase::syncing;
            Packet ack;
            ack.type = PType::ack_epoch;
            ack.epoch = ack_epoch;
            ack.zxid = last_logged_zxid();
            send_leader(std::move(ack), ctx);
            return;
        }
        case PType::diff:
        case PType::trunc:
        case PType::snap:
            if (follower_phase_ != FollowerPhase::syncing) break;
            on_sync_packet(p, ctx);
            return;
        case PType::new_leader: {
            if (follower_phase_ != FollowerPhase::syncing) break;
            log_->flush();
            current_epoch_ = follow_epoch_;
            current_epoch_cell_->set(current_epoch_);
            current_epoch_cell_->flush();
            follower_phase_ = FollowerPhase::synced;
            Packet ack;
            ack.type = PType::ack;
            ack.zxid = last_logged_zxid();
            send_leader(std::move(ack), ctx);
            return;
        }
        case PType::up_to_date:
            if (follower_phase_ != FollowerPhase::synced) break;
            follower_phase_ = FollowerPhase::broadcast;
            serving_ = true;
            ctx.emit(ZkFollowing{.leader = leader_sid_, .epoch = current_epoch_});
            return;
        case PType::proposal: {
            if (follower_phase_ != FollowerPhase::synced && follower_phase_ != FollowerPhase::broadcast) break;
            for (const ZkTxn& t : p.txns)
                if (t.zxid <= last_logged_zxid()) {
                    start_looking("a proposal out of order", ctx);
                    return;
                }
            append_and_flush(p.txns);  // forceSync before the ACK
            Packet ack;
            ack.type = PType::ack;
            ack.zxid = last_logged_zxid();
            send_leader(std::move(ack), ctx);
            return;
        }
        case PType::commit:
            if (follower_phase_ != FollowerPhase::synced && follower_phase_ != FollowerPhase::broadcast) break;
            if (p.zxid <= tree_.last_processed_zxid()) return;  // applied already (a new leader commits its history)
            if (applied_ >= log_->size() || (*log_)[applied_].zxid != p.zxid) {
                start_looking("a commit out of order", ctx);
                return;
            }
            apply_next(ctx);
            return;
        case PType::ping: {
            Packet reply;
            reply.type = PType::ping;
            reply.touches.assign(touches_.begin(), touches_.end());
            touches_.clear();
            send_leader(std::move(reply), ctx);
            return;
        }
        case PType::request: {  // the answer to a forwarded sync
            auto cs = conn_of_session_.find(p.request.session_id);
            if (cs == conn_of_session_.end()) return;
            sim::NodeId node = cs->second;
            for (PendingOp& op : conns_[node].queue)
                if (op.kind == PendingOp::Kind::sync && op.xid == p.request.xid) op.sync_zxid = p.zxid;
            drain(node, ctx);
            return;
        }
        case PType::revalidate:
            finish_connect(p.request.session_id, p.valid, p.request.session_timeout_ms, ctx);
            return;
        default: break;
    }
    start_looking("unexpected packet from the leader", ctx);
}

// ------------------------------------------------------------------------------------ log and tree

void ZooKeeperServer::commit_through(int64_t zxid, Context& ctx) {
    while (applied_ < log_->size() && (*log_)[applied_].zxid <= zxid) apply_next(ctx);
}

void ZooKeeperServer::apply_next(Context& ctx) {
    const ZkTxn& txn = (*log_)[applied_];
    const bool traced = state_ == State::leading && zxid_epoch(txn.zxid) == new_epoch_;
    std::vector<std::string> removed;
    if (traced && txn.type == ZkTxn::Type::close_session) removed = tree_.ephemerals(txn.session_id);
    scratch_triggers_.clear();
    tree_.apply(txn, &scratch_triggers_);
    ++applied_;
    if (state_ == State::leading && txn.type == ZkTxn::Type::close_session) tracker_.erase(txn.session_id);
    if (traced && txn.type == ZkTxn::Type::create_session) {
        ctx.emit(ZkSessionCreated{.session = zk_session_hex(txn.session_id), .client = client_label(txn.client_id)});
    } else if (traced && txn.type == ZkTxn::Type::close_session) {
        if (txn.expired)
            ctx.emit(ZkSessionExpired{.session = zk_session_hex(txn.session_id),
                                      .client = client_label(txn.client_id),
                                      .ephemerals = join(removed)});
        else
            ctx.emit(ZkSessionClosed{.session = zk_session_hex(txn.session_id), .client = client_label(txn.client_id)});
    }
    std::vector<ZkWatchTrigger> triggers;
    triggers.swap(scratch_triggers_);
    fire_watches(triggers, txn.zxid, ctx);
    triggers.clear();
    scratch_triggers_.swap(triggers);
    answer_txn((*log_)[applied_ - 1], ctx);
}

// ------------------------------------------------------------------------------------ clients

void ZooKeeperServer::note_touch(int64_t session, Context& ctx) {
    auto cs = conn_of_session_.find(session);
    if (cs == conn_of_session_.end()) return;
    if (state_ == State::leading) touch_session(session, 0, ctx);
    else touches_[session] = conns_[cs->second].timeout_ms;
}

void ZooKeeperServer::on_connect_request(sim::NodeId from, const ZkConnectRequest& req, Context& ctx) {
    if (!serving_ || req.last_zxid_seen > tree_.last_processed_zxid()) {
        ZkConnectResponse refused;
        refused.refused = true;
        ctx.send(from, refused);
        return;
    }
    if (conns_.count(from) != 0) close_conn(from, /*send_fin=*/false, ctx);
    const int64_t timeout = std::clamp(req.timeout_ms, 2 * tick_ms_, 20 * tick_ms_);
    ClientConn c;
    c.client_id = req.client_id;
    c.timeout_ms = timeout;
    if (req.session_id == 0) {
        // A new session: its id is made here; the leader logs createSession; we answer once
        // we applied it.
        const int64_t session = next_session_id_++;
        c.session = session;
        conns_[from] = std::move(c);
        conn_of_session_[session] = from;
        ZkRequest r;
        r.session_id = session;
        r.create_session = true;
        r.session_timeout_ms = timeout;
        r.client_id = req.client_id;
        submit(r, ctx);
        return;
    }
    const int64_t session = req.session_id;
    auto old = conn_of_session_.find(session);
    if (old != conn_of_session_.end() && old->second != from) close_conn(old->second, /*send_fin=*/true, ctx);
    c.session = session;
    conns_[from] = std::move(c);
    conn_of_session_[session] = from;
    if (state_ == State::leading) {
        int64_t t = 0;
        bool valid = revalidate(session, sid_, t, ctx);
        finish_connect(session, valid, t, ctx);
        return;
    }
    Packet p;
    p.type = PType::revalidate;
    p.request.session_id = session;
    send_leader(std::move(p), ctx);
}

void ZooKeeperServer::finish_connect(int64_t session, bool valid, int64_t timeout_ms, Context& ctx) {
    auto cs = conn_of_session_.find(session);
    if (cs == conn_of_session_.end()) return;
    const sim::NodeId node = cs->second;
    ClientConn& c = conns_[node];
    if (c.established) return;
    ZkConnectResponse resp;
    if (!valid) {  // expired or unknown: session id 0, timeout 0
        ctx.send(node, resp);
        conn_of_session_.erase(cs);
        conns_.erase(node);
        return;
    }
    c.established = true;
    c.timeout_ms = timeout_ms;
    resp.session_id = session;
    resp.timeout_ms = timeout_ms;
    ctx.send(node, resp);
}

void ZooKeeperServer::submit(const ZkRequest& req, Context& ctx) {
    if (state_ == State::leading) {
        prep_request(req, sid_, ctx);
        return;
    }
    Packet p;
    p.type = PType::request;
    p.request = req;
    p.request_server = sid_;
    send_leader(std::move(p), ctx);
}

void ZooKeeperServer::on_client_request(sim::NodeId from, ZkRequest& req, Context& ctx) {
    auto it = conns_.find(from);
    if (!serving_ || it == conns_.end() || it->second.session != req.session_id || !it->second.established) {
        ZkResponse lost;
        lost.xid = req.xid;
        lost.zxid = tree_.last_processed_zxid();
        lost.code = ZkCode::connection_loss;
        ctx.send(from, std::move(lost));
        return;
    }
    if (req.seq != it->second.recv_seq + 1) {  // a request went missing: the connection is broken
        close_conn(from, /*send_fin=*/true, ctx);
        return;
    }
    it->second.recv_seq = req.seq;
    note_touch(req.session_id, ctx);
    if (req.ping) {
        ZkResponse pong;
        pong.xid = req.xid;
        pong.zxid = tree_.last_processed_zxid();
        send_client(from, it->second, std::move(pong), ctx);
        return;
    }
    PendingOp op;
    op.xid = req.xid;
    bool forward = false;
    if (req.close_session) {
        op.kind = PendingOp::Kind::close;
        forward = true;
    } else if (is_read(req.op.kind)) {
        op.kind = PendingOp::Kind::read;
        op.op = std::move(req.op);
    } else if (req.op.kind == ZkOp::Kind::sync) {
        op.kind = PendingOp::Kind::sync;
        if (state_ == State::leading) op.sync_zxid = last_logged_zxid();
        else forward = true;
    } else if (req.op.kind == ZkOp::Kind::check) {
        op.kind = PendingOp::Kind::write;  // a check is only valid inside a multi
        op.done = true;
        op.response.code = ZkCode::bad_arguments;
    } else {
        op.kind = PendingOp::Kind::write;
        forward = true;
    }
    it->second.queue.push_back(std::move(op));
    if (forward) submit(req, ctx);  // may answer and even close the connection (an ensemble of one)
    drain(from, ctx);
}

ZkResponse ZooKeeperServer::read(const ZkOp& op, int64_t session) {
    ZkResponse r;
    r.zxid = tree_.last_processed_zxid();
    if (!zk_valid_path(op.path)) {
        r.code = ZkCode::bad_arguments;
        return r;
    }
    const ZNode* n = tree_.find(op.path);
    switch (op.kind) {
        case ZkOp::Kind::get_data:
            if (n == nullptr) {
                r.code = ZkCode::no_node;
                break;
            }
            r.data = n->data;
            r.stat = n->stat;
            if (op.watch) data_watches_[op.path].insert(session);
            break;
        case ZkOp::Kind::exists:
            if (op.watch) data_watches_[op.path].insert(session);  // also when it does not exist
            if (n == nullptr) r.code = ZkCode::no_node;
            else r.stat = n->stat;
            break;
        case ZkOp::Kind::get_children:
            if (n == nullptr) {
                r.code = ZkCode::no_node;
                break;
            }
            r.children.assign(n->children.begin(), n->children.end());
            r.stat = n->stat;
            if (op.watch) child_watches_[op.path].insert(session);
            break;
        default: r.code = ZkCode::bad_arguments; break;
    }
    return r;
}

void ZooKeeperServer::drain(sim::NodeId node, Context& ctx) {
    auto it = conns_.find(node);
    if (it == conns_.end()) return;
    ClientConn& c = it->second;
    while (!c.queue.empty()) {
        PendingOp& op = c.queue.front();
        ZkResponse r;
        if (op.kind == PendingOp::Kind::read) {
            r = read(op.op, c.session);
        } else if (op.done) {
            r = std::move(op.response);
        } else if (op.kind == PendingOp::Kind::sync && op.sync_zxid >= 0 &&
                   tree_.last_processed_zxid() >= op.sync_zxid) {
            r.code = ZkCode::ok;
        } else {
            break;
        }
        r.xid = op.xid;
        r.zxid = tree_.last_processed_zxid();
        const bool closing = op.kind == PendingOp::Kind::close;
        c.queue.pop_front();
        send_client(node, c, std::move(r), ctx);
        if (closing) {
            close_conn(node, /*send_fin=*/false, ctx);
            return;
        }
    }
}

void ZooKeeperServer::answer_txn(const ZkTxn& txn, Context& ctx) {
    auto cs = conn_of_session_.find(txn.session_id);
    if (cs == conn_of_session_.end()) return;
    const sim::NodeId node = cs->second;
    ClientConn& c = conns_[node];
    if (txn.type == ZkTxn::Type::create_session) {
        finish_connect(txn.session_id, true, txn.session_timeout_ms, ctx);
        return;
    }
    PendingOp* op = nullptr;
    for (PendingOp& p : c.queue)
        if (!p.done && p.xid == txn.xid && (p.kind == PendingOp::Kind::write || p.kind == PendingOp::Kind::close)) {
            op = &p;
            break;
        }
    if (txn.type == ZkTxn::Type::close_session && (op == nullptr || op->kind != PendingOp::Kind::close)) {
        // Expired, or closed through another server: this server closes the connection.
        close_conn(node, /*send_fin=*/true, ctx);
        return;
    }
    if (op == nullptr) return;  // asked on an earlier connection
    if (txn.type == ZkTxn::Type::error && txn.error == ZkCode::session_moved) {
        // FinalRequestProcessor (ZOOKEEPER-710): a connection-level error. The session was
        // re-attached through another server after us (a late connect); closing makes the
        // client re-attach, which makes the session ours again.
        close_conn(node, /*send_fin=*/true, ctx);
        return;
    }
    ZkResponse& r = op->response;
    r.code = txn.type == ZkTxn::Type::error ? txn.error : ZkCode::ok;
    r.results = txn.results;
    if (txn.type == ZkTxn::Type::create || txn.type == ZkTxn::Type::set_data) {
        if (txn.type == ZkTxn::Type::create) r.created_path = txn.path;
        if (const ZNode* n = tree_.find(txn.path)) r.stat = n->stat;
    }
    op->done = true;
    drain(node, ctx);
}

void ZooKeeperServer::fire_watches(const std::vector<ZkWatchTrigger>& triggers, int64_t zxid, Context& ctx) {
    if (data_watches_.empty() && child_watches_.empty()) return;
    std::set<int64_t> sessions;
    for (const ZkWatchTrigger& t : triggers) {
        sessions.clear();
        auto take = [&](std::map<std::string, std::set<int64_t>>& m) {
            auto it = m.find(t.path);
            if (it == m.end()) return;
            sessions.insert(it->second.begin(), it->second.end());
            m.erase(it);
        };
        switch (t.type) {
            case ZkEventType::node_created:
            case ZkEventType::node_data_changed: take(data_watches_); break;
            case ZkEventType::node_children_changed: take(child_watches_); break;
            case ZkEventType::node_deleted:
                take(data_watches_);
                take(child_watches_);
                break;
            case ZkEventType::none: break;
        }
        for (int64_t s : sessions) {
            auto cs = conn_of_session_.find(s);
            if (cs == conn_of_session_.end()) continue;
            ZkWatchEvent e;
            e.type = t.type;
            e.path = t.path;
            e.zxid = zxid;
            send_client(cs->second, conns_[cs->second], std::move(e), ctx);
        }
    }
}

void ZooKeeperServer::on_set_watches(sim::NodeId from, const ZkSetWatches& req, Context& ctx) {
    auto it = conns_.find(from);
    if (!serving_ || it == conns_.end() || it->second.session != req.session_id || !it->second.established) return;
    if (req.seq != it->second.recv_seq + 1) {
        close_conn(from, /*send_fin=*/true, ctx);
        return;
    }
    it->second.recv_seq = req.seq;
    const int64_t s = req.session_id;
    const int64_t rel = req.relative_zxid;
    auto fire = [&](ZkEventType type, const std::string& path) {
        ZkWatchEvent e;
        e.type = type;
        e.path = path;
        e.zxid = tree_.last_processed_zxid();
        send_client(from, it->second, std::move(e), ctx);
    };
    // DataTree.setWatches
    for (const std::string& path : req.data_watches) {
        const ZNode* n = tree_.find(path);
        if (n == nullptr) fire(ZkEventType::node_deleted, path);
        else if (n->stat.mzxid > rel) fire(ZkEventType::node_data_changed, path);
        else data_watches_[path].insert(s);
    }
    for (const std::string& path : req.exist_watches) {
        if (tree_.find(path) != nullptr) fire(ZkEventType::node_created, path);
        else data_watches_[path].insert(s);
    }
    for (const std::string& path : req.child_watches) {
        const ZNode* n = tree_.find(path);
        if (n == nullptr) fire(ZkEventType::node_deleted, path);
        else if (n->stat.pzxid > rel) fire(ZkEventType::node_children_changed, path);
        else child_watches_[path].insert(s);
    }
}

void ZooKeeperServer::close_conn(sim::NodeId node, bool send_fin, Context& ctx) {
    auto it = conns_.find(node);
    if (it == conns_.end()) return;
    const int64_t session = it->second.session;
    if (send_fin) {
        ZkResponse fin;  // xid 0: the server closed the connection
        fin.zxid = tree_.last_processed_zxid();
        fin.code = ZkCode::connection_loss;
        ctx.send(node, std::move(fin));
    }
    auto cs = conn_of_session_.find(session);
    if (cs != conn_of_session_.end() && cs->second == node) conn_of_session_.erase(cs);
    for (auto* m : {&data_watches_, &child_watches_}) {
        for (auto w = m->begin(); w != m->end();) {
            w->second.erase(session);
            if (w->second.empty()) w = m->erase(w);
            else ++w;
        }
    }
    conns_.erase(it);
}

void ZooKeeperServer::close_all_conns(Context& ctx) {
    for (const auto& [node, c] : conns_) {
        ZkResponse fin;
        fin.zxid = tree_.last_processed_zxid();
        fin.code = ZkCode::connection_loss;
        ctx.send(node, std::move(fin));
    }
    conns_.clear();
    conn_of_session_.clear();
    data_watches_.clear();
    child_watches_.clear();
}

}  // namespace kafka
