#include "broker/raft/raft_replica.hpp"

#include <algorithm>
#include <functional>
#include <type_traits>
#include <utility>
#include <variant>

namespace kafka {

RaftConfig RaftConfig::from(const BrokerConfig& c) {
    RaftConfig r;
    r.election_timeout_ms = c.controller_quorum_election_timeout_ms;
    r.fetch_timeout_ms = c.controller_quorum_fetch_timeout_ms;
    r.election_backoff_max_ms = c.controller_quorum_election_backoff_max_ms;
    r.request_timeout_ms = c.controller_quorum_request_timeout_ms;
    r.retry_backoff_ms = c.controller_quorum_retry_backoff_ms;
    r.check_quorum = c.behaviour.raft_check_quorum;
    r.pre_vote = c.behaviour.raft_pre_vote;
    return r;
}

const char* to_string(RaftState s) {
    switch (s) {
        case RaftState::unattached: return "Unattached";
        case RaftState::voted: return "Voted";
        case RaftState::follower: return "Follower";
        case RaftState::prospective: return "Prospective";
        case RaftState::candidate: return "Candidate";
        case RaftState::leader: return "Leader";
        case RaftState::resigned: return "Resigned";
    }
    return "?";
}

RaftReplica::RaftReplica(int32_t node_id, std::vector<int32_t> voters, RaftConfig config,
                         const ClusterDirectory& directory, sim::TimerSpace timers)
    : id_(node_id), voters_(std::move(voters)), config_(config), directory_(directory), timer_space_(timers) {
    std::sort(voters_.begin(), voters_.end());
    voters_.erase(std::unique(voters_.begin(), voters_.end()), voters_.end());
    voter_ = contains(voters_, id_);
    voter_progress_.resize(voters_.size());
    begin_acked_.assign(voters_.size(), false);
    fetched_since_check_.assign(voters_.size(), false);
    scratch_leos_.reserve(voters_.size());
    granted_.reserve(voters_.size());
    rejected_.reserve(voters_.size());
}

// ------------------------------------------------------------------------------------ helpers

int32_t RaftReplica::leader_id() const {
    switch (state_) {
        case RaftState::leader: return id_;
        case RaftState::follower: return leader_;
        default: return -1;
    }
}

int RaftReplica::voter_index(int32_t id) const {
    auto it = std::lower_bound(voters_.begin(), voters_.end(), id);
    return it != voters_.end() && *it == id ? static_cast<int>(it - voters_.begin()) : -1;
}

sim::Duration RaftReplica::random_election_timeout(Context& ctx) const {
    // QuorumState.randomElectionTimeoutMs: timeout + rand[0, timeout)
    int64_t t = std::max<int64_t>(1, config_.election_timeout_ms);
    return sim::milliseconds(t + static_cast<int64_t>(ctx.rng().below(static_cast<uint64_t>(t))));
}

sim::Duration RaftReplica::election_backoff(Context& ctx) const {
    // KafkaRaftClient.binaryExponentialElectionBackoffMs: min(100 * rand[0, 2^retries), max)
    int32_t shift = std::clamp(retries_, 1, 20);
    auto draw = static_cast<int64_t>(ctx.rng().below(uint64_t{1} << shift));
    return sim::milliseconds(std::min<int64_t>(100 * draw, config_.election_backoff_max_ms));
}

void RaftReplica::send_to(int32_t kafka_id, Message msg, Context& ctx) {
    sim::NodeId n = directory_.node_of(kafka_id);
    if (n != sim::no_node) ctx.send(n, std::move(msg));
}

void RaftReplica::arm(TimerKind kind, sim::Time deadline, Context& ctx) {
    LazyTimer& t = timers_[kind];
    t.deadline = deadline;
    if (t.id.valid() && t.fire_at <= deadline) return;  // fires early and re-arms
    if (t.id.valid()) ctx.cancel_timer(t.id);
    sim::Time now = ctx.now();
    t.fire_at = std::max(deadline, now);
    t.id = ctx.set_timer(t.fire_at - now, timer_space_.tag(kind));
}

void RaftReplica::disarm(TimerKind kind, Context& ctx) {
    LazyTimer& t = timers_[kind];
    t.deadline = sim::time_never;
    if (t.id.valid()) ctx.cancel_timer(t.id);
    t.fire_at = sim::time_never;
}

RaftReplica::OffsetAndEpoch RaftReplica::end_offset_for_epoch(int32_t epoch) const {
    // The largest epoch <= `epoch` in the log and its end offset (KIP-279 style).
    auto it = std::upper_bound(epochs_.begin(), epochs_.end(), epoch,
                               [](int32_t e, const EpochStart& s) { return e < s.epoch; });
    if (it == epochs_.begin()) return {0, 0};
    auto found = std::prev(it);
    int64_t end = it == epochs_.end() ? log_end_offset() : it->start_offset;
    return {end, found->epoch};
}

void RaftReplica::append_entry(MetadataEntry entry) {
    if (epochs_.empty() || epochs_.back().epoch != entry.epoch) {
        SIM_ASSERT(epochs_.empty() || epochs_.back().epoch < entry.epoch, "raft log epochs must not decrease");
        epochs_.push_back({entry.epoch, log_end_offset()});
    }
    log_->append(std::move(entry));
}

void RaftReplica::persist(Context& ctx) {
    (void)ctx;
    QuorumStateRecord rec{epoch_, leader_, voted_for_};
    if (quorum_state_->has_value()) {
        const QuorumStateRecord& old = quorum_state_->get();
        if (old.epoch == rec.epoch && old.leader_id == rec.leader_id && old.voted_for == rec.voted_for &&
            !quorum_state_->dirty())
            return;
    }
    quorum_state_->set(rec);
    quorum_state_->flush();  // Raft safety: durable before any message that depends on it
}

void RaftReplica::trace_state(Context& ctx) {
    ctx.emit(RaftStateChanged{.epoch = epoch_, .state = to_string(state_), .leader = leader_id()});
}

// ------------------------------------------------------------------------------------ start

void RaftReplica::start(Context& ctx) {
    told_high_watermark_ = 0;
    told_first_leader_high_watermark_ = -1;
    told_leader_ = LeaderAndEpoch{};
    load_state(ctx);
    poll_listener(ctx);
}

void RaftReplica::load_state(Context& ctx) {
    now_seen_ = ctx.now();
    sim::Disk& disk = ctx.disk();
    log_ = &disk.log<MetadataEntry>(log_file);
    quorum_state_ = &disk.cell<QuorumStateRecord>(quorum_state_file);
    epochs_.clear();
    for (size_t i = 0; i < log_->size(); ++i) {
        int32_t e = (*log_)[i].epoch;
        if (epochs_.empty() || epochs_.back().epoch != e) epochs_.push_back({e, static_cast<int64_t>(i)});
    }
    for (auto& t : timers_) t = LazyTimer{};
    hw_ = 0;
    first_leader_high_watermark_ = -1;
    QuorumStateRecord rec;
    if (quorum_state_->has_value()) rec = quorum_state_->get();
    epoch_ = std::max(rec.epoch, last_epoch());
    leader_ = rec.epoch == epoch_ ? rec.leader_id : -1;
    voted_for_ = rec.epoch == epoch_ ? rec.voted_for : -1;

    if (voter_ && voters_.size() == 1) {
        state_ = RaftState::unattached;
        become_candidate(ctx);  // the only voter elects itself at once
        return;
    }
    if (leader_ == id_) {
        // QuorumState.initialize: a leader that restarts comes back Resigned in its epoch.
        state_ = RaftState::resigned;
        persist(ctx);
        trace_state(ctx);
        arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
    } else if (leader_ >= 0) {
        state_ = RaftState::unattached;
        become_follower(epoch_, leader_, ctx);
    } else if (voted_for_ >= 0 && voter_) {
        state_ = RaftState::voted;
        persist(ctx);
        trace_state(ctx);
        arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
    } else {
        become_unattached(epoch_, ctx);
        trace_state(ctx);  // become_unattached traces changes only; a start is always one
    }
}

// ------------------------------------------------------------------------------------ transitions

void RaftReplica::leave_state(Context& ctx) {
    if (state_ == RaftState::leader) {
        // Parked fetches learn at once that this node no longer leads.
        std::vector<ParkedFetch> parked = std::move(parked_);
        parked_.clear();
        for (const ParkedFetch& p : parked) {
            RaftFetchResponse r;
            r.error = Error::not_leader_or_follower;
            r.leader_epoch = epoch_;
            r.leader_id = -1;
            r.high_watermark = hw_;
            r.correlation_id = p.correlation_id;
            ctx.send(p.from, std::move(r));
        }
        disarm(t_begin_epoch, ctx);
        disarm(t_check_quorum, ctx);
        disarm(t_purgatory, ctx);
        epoch_start_ = -1;
        observer_progress_.clear();
    }
    if (state_ == RaftState::candidate || state_ == RaftState::prospective) {
        granted_.clear();
        rejected_.clear();
        backing_off_ = false;
    }
    // A fetch in flight belongs to the old state; its answer is ignored by correlation id.
    fetch_in_flight_ = false;
    ++fetch_correlation_;
    disarm(t_fetch, ctx);
}

void RaftReplica::become_unattached(int32_t epoch, Context& ctx) {
    bool changed = state_ != RaftState::unattached || epoch != epoch_;
    // QuorumState.transitionToUnattached: from Unattached, Voted or Candidate the election
    // timer keeps running (a stale candidate that keeps bumping the epoch must not keep
    // pushing everyone's election back).
    sim::Time keep = sim::time_never;
    if (state_ == RaftState::unattached || state_ == RaftState::voted || state_ == RaftState::candidate)
        keep = timers_[t_election].deadline;
    leave_state(ctx);
    if (epoch != epoch_) retries_ = 0;
    state_ = RaftState::unattached;
    epoch_ = epoch;
    leader_ = -1;
    voted_for_ = -1;
    persist(ctx);
    if (changed) trace_state(ctx);
    if (voter_) {
        arm(t_election, keep != sim::time_never ? keep : ctx.now() + random_election_timeout(ctx), ctx);
    } else {
        disarm(t_election, ctx);
        send_fetch(ctx);  // observer: find the leader through a random voter
    }
}

void RaftReplica::become_voted(int32_t candidate, Context& ctx) {
    leave_state(ctx);
    state_ = RaftState::voted;
    leader_ = -1;
    voted_for_ = candidate;
    persist(ctx);
    trace_state(ctx);
    arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
}

void RaftReplica::become_follower(int32_t epoch, int32_t leader, Context& ctx, bool send_fetch_now) {
    SIM_ASSERT(leader != id_, "a replica cannot follow itself");
    bool changed = state_ != RaftState::follower || epoch != epoch_ || leader != leader_;
    leave_state(ctx);
    if (epoch != epoch_) voted_for_ = -1;
    retries_ = 0;
    if (changed || state_ != RaftState::follower) fetched_from_leader_ = false;  // a new FollowerState
    state_ = RaftState::follower;
    epoch_ = epoch;
    leader_ = leader;
    persist(ctx);
    if (changed) trace_state(ctx);
    // Fetch timeout: no successful fetch for this long and a voter campaigns.
    timers_[t_election].deadline = sim::time_never;
    arm(t_election, ctx.now() + sim::milliseconds(config_.fetch_timeout_ms), ctx);
    if (send_fetch_now) send_fetch(ctx);
}

void RaftReplica::start_election(Context& ctx) {
    if (config_.pre_vote && voters_.size() > 1)
        become_prospective(ctx);
    else
        become_candidate(ctx);
}

void RaftReplica::become_prospective(Context& ctx) {
    SIM_ASSERT(voter_, "an observer never campaigns");
    // QuorumState.transitionToProspective: same epoch, the known leader and vote kept (leader_
    // and voted_for_ stay as they are, so quorum-state does not change).
    leave_state(ctx);
    state_ = RaftState::prospective;
    granted_.clear();
    rejected_.clear();
    granted_.push_back(id_);
    trace_state(ctx);
    timers_[t_election].deadline = sim::time_never;
    arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
    VoteRequest req;
    req.candidate_epoch = epoch_;  // not bumped: a pre-vote binds no one
    req.candidate_id = id_;
    req.last_offset_epoch = last_epoch();
    req.last_offset = log_end_offset();
    req.pre_vote = true;
    for (int32_t v : voters_)
        if (v != id_) send_to(v, req, ctx);
}

void RaftReplica::end_prospective(Context& ctx) {
    // ProspectiveState: back to Follower when it knows the leader, else Unattached (keeping a
    // vote it cast in this epoch).
    if (leader_ >= 0 && leader_ != id_)
        become_follower(epoch_, leader_, ctx);
    else if (voted_for_ >= 0)
        become_voted(voted_for_, ctx);
    else
        become_unattached(epoch_, ctx);
}

void RaftReplica::become_candidate(Context& ctx) {
    SIM_ASSERT(voter_, "an observer never campaigns");
    leave_state(ctx);
    state_ = RaftState::candidate;
    ++epoch_;
    ++retries_;
    leader_ = -1;
    voted_for_ = id_;
    backing_off_ = false;
    granted_.clear();
    rejected_.clear();
    granted_.push_back(id_);
    persist(ctx);  // the self-vote is durable before anyone is asked
    trace_state(ctx);
    if (granted_.size() >= majority()) {
        become_leader(ctx);
        return;
    }
    timers_[t_election].deadline = sim::time_never;
    arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
    VoteRequest req;
    req.candidate_epoch = epoch_;
    req.candidate_id = id_;
    req.last_offset_epoch = last_epoch();
    req.last_offset = log_end_offset();
    for (int32_t v : voters_)
        if (v != id_) send_to(v, req, ctx);
}

void RaftReplica::become_leader(Context& ctx) {
    leave_state(ctx);
    state_ = RaftState::leader;
    leader_ = id_;
    retries_ = 0;
    persist(ctx);
    disarm(t_election, ctx);
    for (size_t i = 0; i < voters_.size(); ++i) {
        voter_progress_[i] = Progress{};
        begin_acked_[i] = voters_[i] == id_;
        fetched_since_check_[i] = false;
    }
    fetched_count_ = 0;
    observer_progress_.clear();
    parked_.clear();
    trace_state(ctx);
    ctx.emit(RaftLeader{.epoch = epoch_, .leader = id_});
    // The leader's first entry of its epoch: LeaderChangeMessage (a control record).
    epoch_start_ = log_end_offset();
    append_entry(MetadataEntry{epoch_, LeaderChangeMessage{id_, voters_}});
    log_->flush();
    send_begin_epoch(ctx);
    if (config_.check_quorum && voters_.size() > 1)
        arm(t_check_quorum, ctx.now() + sim::milliseconds(config_.fetch_timeout_ms * 3 / 2), ctx);
    maybe_advance_hw(ctx);  // a lone voter commits at once
}

void RaftReplica::become_resigned(std::vector<int32_t> preferred_successors, const char* reason, Context& ctx) {
    ctx.emit(RaftResign{.epoch = epoch_, .reason = reason});
    leave_state(ctx);
    state_ = RaftState::resigned;
    leader_ = id_;  // Kafka keeps the resigned leader in quorum-state
    persist(ctx);
    trace_state(ctx);
    EndQuorumEpochRequest req;
    req.leader_epoch = epoch_;
    req.leader_id = id_;
    req.preferred_successors = std::move(preferred_successors);
    for (int32_t v : voters_)
        if (v != id_) send_to(v, req, ctx);
    timers_[t_election].deadline = sim::time_never;
    arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
}

bool RaftReplica::maybe_newer_epoch(int32_t epoch, int32_t leader, Context& ctx) {
    if (epoch <= epoch_) return false;
    if (leader >= 0 && leader != id_)
        become_follower(epoch, leader, ctx);
    else
        become_unattached(epoch, ctx);
    return true;
}

void RaftReplica::resign(Context& ctx) {
    if (state_ != RaftState::leader) return;
    // Preferred successors: the most caught-up voters first (ties by id).
    std::vector<std::pair<int64_t, int32_t>> order;
    for (size_t i = 0; i < voters_.size(); ++i)
        if (voters_[i] != id_) order.emplace_back(-voter_progress_[i].leo, voters_[i]);
    std::sort(order.begin(), order.end());
    std::vector<int32_t> successors;
    for (const auto& [neg_leo, id] : order) successors.push_back(id);
    become_resigned(std::move(successors), "shutdown", ctx);
    poll_listener(ctx);
}

// ------------------------------------------------------------------------------------ dispatch

bool RaftReplica::handle_message(sim::NodeId from, Message& msg, Context& ctx) {
    size_t kind = msg.index();
    if (kind < 1 || kind > 8) return false;
    now_seen_ = ctx.now();
    // Handle a local: what the world delivered by reference may not outlive our own sends.
    Message m = std::move(msg);
    switch (kind) {
        case 1: on_vote_request(from, std::get<VoteRequest>(m), ctx); break;
        case 2: on_vote_response(from, std::get<VoteResponse>(m), ctx); break;
        case 3: on_begin_epoch_request(from, std::get<BeginQuorumEpochRequest>(m), ctx); break;
        case 4: on_begin_epoch_response(from, std::get<BeginQuorumEpochResponse>(m), ctx); break;
        case 5: on_end_epoch_request(from, std::get<EndQuorumEpochRequest>(m), ctx); break;
        case 6: {
            const auto& r = std::get<EndQuorumEpochResponse>(m);
            maybe_newer_epoch(r.leader_epoch, r.leader_id, ctx);
            break;
        }
        case 7: on_fetch_request(from, std::get<RaftFetchRequest>(m), ctx); break;
        case 8: on_fetch_response(from, std::get<RaftFetchResponse>(m), ctx); break;
    }
    poll_listener(ctx);
    return true;
}
static_assert(std::is_same_v<std::variant_alternative_t<1, Message>, VoteRequest> &&
              std::is_same_v<std::variant_alternative_t<2, Message>, VoteResponse> &&
              std::is_same_v<std::variant_alternative_t<3, Message>, BeginQuorumEpochRequest> &&
              std::is_same_v<std::variant_alternative_t<4, Message>, BeginQuorumEpochResponse> &&
              std::is_same_v<std::variant_alternative_t<5, Message>, EndQuorumEpochRequest> &&
              std::is_same_v<std::variant_alternative_t<6, Message>, EndQuorumEpochResponse> &&
              std::is_same_v<std::variant_alternative_t<7, Message>, RaftFetchRequest> &&
              std::is_same_v<std::variant_alternative_t<8, Message>, RaftFetchResponse>,
              "Raft messages moved in kafka::Message");

bool RaftReplica::handle_timer(uint64_t tag, Context& ctx) {
    if (!timer_space_.owns(tag) || sim::TimerSpace::kind_of(tag) >= timer_count) return false;
    now_seen_ = ctx.now();
    on_timer_kind(static_cast<TimerKind>(sim::TimerSpace::kind_of(tag)), ctx);
    poll_listener(ctx);
    return true;
}

void RaftReplica::on_timer_kind(TimerKind kind, Context& ctx) {
    LazyTimer& t = timers_[kind];
    t.id = sim::TimerId{};
    t.fire_at = sim::time_never;
    if (t.deadline == sim::time_never) return;
    if (ctx.now() < t.deadline) {
        arm(kind, t.deadline, ctx);
        return;
    }
    t.deadline = sim::time_never;
    switch (kind) {
        case t_election:
            switch (state_) {
                case RaftState::unattached:
                case RaftState::voted:
                    if (voter_) start_election(ctx);
                    break;
                case RaftState::resigned:  // KafkaRaftClient.pollResigned: straight to Candidate
                    if (voter_) become_candidate(ctx);
                    break;
                case RaftState::follower:
                    // Fetch timeout: the leader is gone (or cut off).
                    if (voter_)
                        start_election(ctx);
                    else
                        become_unattached(epoch_, ctx);
                    break;
                case RaftState::prospective: end_prospective(ctx); break;
                case RaftState::candidate:
                    if (!backing_off_) {
                        backing_off_ = true;
                        arm(t_election, ctx.now() + election_backoff(ctx), ctx);
                    } else {
                        start_election(ctx);
                    }
                    break;
                case RaftState::leader: break;
            }
            break;
        case t_fetch:
            if (state_ == RaftState::follower || (!voter_ && state_ == RaftState::unattached)) {
                if (fetch_in_flight_) {  // request timeout: forget it and ask again
                    fetch_in_flight_ = false;
                    ++fetch_correlation_;
                }
                send_fetch(ctx);
            }
            break;
        case t_begin_epoch:
            if (state_ == RaftState::leader) send_begin_epoch(ctx);
            break;
        case t_check_quorum:
            if (state_ == RaftState::leader && config_.check_quorum) become_resigned({}, "check-quorum", ctx);
            break;
        case t_purgatory:
            if (state_ == RaftState::leader) answer_parked(ctx, /*only_expired=*/true);
            break;
    }
}

void RaftReplica::poll_listener(Context& ctx) {
    if (listener_ == nullptr) return;
    if (hw_ != told_high_watermark_ || first_leader_high_watermark_ != told_first_leader_high_watermark_) {
        told_high_watermark_ = hw_;
        told_first_leader_high_watermark_ = first_leader_high_watermark_;
        listener_->handle_commit(hw_, ctx);
    }
    LeaderAndEpoch now{.leader = leader_id(), .epoch = epoch_};
    // A local leadership is held back until its epoch's first entry is committed.
    if (state_ == RaftState::leader && hw_ <= epoch_start_) return;
    if (now == told_leader_) return;
    told_leader_ = now;
    listener_->handle_leader_change(now, ctx);
}

// ------------------------------------------------------------------------------------ votes

void RaftReplica::on_vote_request(sim::NodeId from, const VoteRequest& req, Context& ctx) {
    VoteResponse resp;
    bool granted = false;
    if (voter_ && voter_index(req.candidate_id) >= 0 && req.candidate_epoch >= epoch_) {
        if (req.candidate_epoch > epoch_) become_unattached(req.candidate_epoch, ctx);
        // The candidate's log must be at least as up to date as ours.
        bool log_ok = req.last_offset_epoch > last_epoch() ||
                      (req.last_offset_epoch == last_epoch() && req.last_offset >= log_end_offset());
        if (req.pre_vote) {
            // KIP-996 canGrantVote(isPreVote=true): whoever has no live leader grants an up-to-date
            // log; a follower only before it has fetched from its leader; a leader never.
            switch (state_) {
                case RaftState::unattached:
                case RaftState::voted:
                case RaftState::prospective:
                case RaftState::candidate: granted = log_ok; break;
                case RaftState::follower: granted = !fetched_from_leader_ && log_ok; break;
                case RaftState::leader:
                case RaftState::resigned: granted = false; break;
            }
            if (voter_) {
                ctx.emit(RaftVote{.epoch = req.candidate_epoch,
                                  .candidate = req.candidate_id,
                                  .granted = granted,
                                  .pre_vote = true});
            }
            resp.vote_granted = granted;
            resp.leader_epoch = epoch_;
            resp.leader_id = leader_id();
            ctx.send(from, std::move(resp));
            return;
        }
        bool free = state_ == RaftState::unattached || (state_ == RaftState::voted && voted_for_ == req.candidate_id) ||
                    (state_ == RaftState::prospective &&
                     (voted_for_ >= 0 ? voted_for_ == req.candidate_id : leader_ < 0));
        granted = free && log_ok;
        if (granted && state_ != RaftState::voted)
            become_voted(req.candidate_id, ctx);  // persisted and flushed before the reply
        else if (granted)
            arm(t_election, ctx.now() + random_election_timeout(ctx), ctx);
    }
    if (voter_) {
        ctx.emit(RaftVote{.epoch = req.candidate_epoch,
                          .candidate = req.candidate_id,
                          .granted = granted,
                          .pre_vote = req.pre_vote ? std::optional<bool>(true) : std::nullopt});
    }
    resp.vote_granted = granted;
    resp.leader_epoch = epoch_;
    resp.leader_id = leader_id();
    if (!voter_) resp.error = Error::inconsistent_voter_set;
    ctx.send(from, std::move(resp));
}

void RaftReplica::on_vote_response(sim::NodeId from, const VoteResponse& resp, Context& ctx) {
    if (maybe_newer_epoch(resp.leader_epoch, resp.leader_id, ctx)) return;
    if (state_ == RaftState::prospective && resp.leader_epoch == epoch_) {
        // A leader of this epoch it did not know of (KafkaRaftClient.maybeHandleCommonResponse):
        // follow it. A voter that names the leader it lost contact with only refuses.
        if (resp.leader_id >= 0 && resp.leader_id != id_ && resp.leader_id != leader_) {
            become_follower(epoch_, resp.leader_id, ctx);
            return;
        }
        if (!record_vote(from, resp.vote_granted)) return;
        if (granted_.size() >= majority()) become_candidate(ctx);
        else if (rejected_.size() > voters_.size() - majority()) end_prospective(ctx);
        return;
    }
    if (state_ != RaftState::candidate || resp.leader_epoch != epoch_) return;
    if (resp.leader_id >= 0 && resp.leader_id != id_) {  // someone else already won this epoch
        become_follower(epoch_, resp.leader_id, ctx);
        return;
    }
    if (!record_vote(from, resp.vote_granted)) return;
    if (resp.vote_granted) {
        if (granted_.size() >= majority()) become_leader(ctx);
    } else if (rejected_.size() > voters_.size() - majority() && !backing_off_) {
        // Lost: back off before the next epoch (CandidateState.isVoteRejected).
        backing_off_ = true;
        arm(t_election, ctx.now() + election_backoff(ctx), ctx);
    }
}

bool RaftReplica::record_vote(sim::NodeId from, bool granted) {
    int32_t voter = directory_.kafka_id(from);
    if (voter_index(voter) < 0 || voter == id_) return false;
    if (contains(granted_, voter) || contains(rejected_, voter)) return false;
    (granted ? granted_ : rejected_).push_back(voter);
    return true;
}

// ------------------------------------------------------------------------------------ Begin/EndQuorumEpoch

void RaftReplica::send_begin_epoch(Context& ctx) {
    BeginQuorumEpochRequest req{epoch_, id_};
    bool pending = false;
    for (size_t i = 0; i < voters_.size(); ++i) {
        if (begin_acked_[i]) continue;
        pending = true;
        send_to(voters_[i], req, ctx);
    }
    // Retried until every voter acknowledged (or fetched), every fetch timeout / 2.
    if (pending) arm(t_begin_epoch, ctx.now() + sim::milliseconds(std::max<int64_t>(1, config_.fetch_timeout_ms / 2)), ctx);
}

void RaftReplica::on_begin_epoch_request(sim::NodeId from, const BeginQuorumEpochRequest& req, Context& ctx) {
    BeginQuorumEpochResponse resp;
    if (req.leader_epoch < epoch_) {
        resp.error = Error::fenced_leader_epoch;
    } else if (req.leader_id == id_) {
        resp.error = Error::invalid_request;
    } else if (req.leader_epoch > epoch_) {
        become_follower(req.leader_epoch, req.leader_id, ctx);
    } else if (state_ == RaftState::leader || state_ == RaftState::resigned) {
        resp.error = Error::invalid_request;  // two leaders in one epoch cannot be
    } else if (state_ != RaftState::follower || leader_ != req.leader_id) {
        become_follower(req.leader_epoch, req.leader_id, ctx);
    }
    resp.leader_epoch = epoch_;
    resp.leader_id = leader_id();
    ctx.send(from, std::move(resp));
}

void RaftReplica::on_begin_epoch_response(sim::NodeId from, const BeginQuorumEpochResponse& resp, Context& ctx) {
    if (maybe_newer_epoch(resp.leader_epoch, resp.leader_id, ctx)) return;
    if (state_ != RaftState::leader || resp.leader_epoch != epoch_ || resp.error != Error::none) return;
    int idx = voter_index(directory_.kafka_id(from));
    if (idx >= 0) begin_acked_[static_cast<size_t>(idx)] = true;
}

void RaftReplica::on_end_epoch_request(sim::NodeId from, const EndQuorumEpochRequest& req, Context& ctx) {
    EndQuorumEpochResponse resp;
    if (req.leader_epoch < epoch_) {
        resp.error = Error::fenced_leader_epoch;
    } else {
        if (req.leader_epoch > epoch_) become_unattached(req.leader_epoch, ctx);
        bool ours = state_ == RaftState::unattached || state_ == RaftState::voted ||
                    (state_ == RaftState::follower && leader_ == req.leader_id);
        // The leader resigned: this follower no longer hears from a live leader, so it grants
        // pre-votes (KIP-996) to the successors the leader named.
        if (state_ == RaftState::follower && leader_ == req.leader_id) fetched_from_leader_ = false;
        if (voter_ && ours) {
            // KafkaRaftClient.endEpochElectionBackoff: the first preferred successor goes at
            // once, the next ones after retry.backoff << (position - 1), others after the max.
            auto it = std::find(req.preferred_successors.begin(), req.preferred_successors.end(), id_);
            int64_t backoff_ms = config_.election_backoff_max_ms;
            if (it != req.preferred_successors.end()) {
                auto pos = it - req.preferred_successors.begin();
                backoff_ms = pos == 0 ? 0
                                      : std::min<int64_t>(config_.election_backoff_max_ms,
                                                          config_.retry_backoff_ms << std::min<int64_t>(pos - 1, 20));
            }
            sim::Time at = ctx.now() + sim::milliseconds(backoff_ms);
            if (at < timers_[t_election].deadline) arm(t_election, at, ctx);
        }
    }
    resp.leader_epoch = epoch_;
    resp.leader_id = leader_id();
    ctx.send(from, std::move(resp));
}

// ------------------------------------------------------------------------------------ fetch: leader side

bool RaftReplica::validate_fetch(int64_t fetch_offset, int32_t last_fetched_epoch, OffsetAndEpoch& diverging) const {
    if (fetch_offset == 0) return true;
    OffsetAndEpoch end = end_offset_for_epoch(last_fetched_epoch);
    if (end.epoch != last_fetched_epoch || end.offset < fetch_offset) {
        diverging = end;
        return false;
    }
    return true;
}

void RaftReplica::fill_fetch_response(RaftFetchResponse& resp, int64_t fetch_offset) const {
    resp.leader_epoch = epoch_;
    resp.leader_id = id_;
    resp.high_watermark = hw_;
    resp.base_offset = fetch_offset;
    int64_t end = std::min(log_end_offset(), fetch_offset + max_fetch_entries);
    if (end > fetch_offset) {
        const auto& all = log_->entries();
        resp.entries.assign(all.begin() + fetch_offset, all.begin() + end);
    }
}

void RaftReplica::note_voter_fetch(size_t i, Context& ctx) {
    begin_acked_[i] = true;
    if (!config_.check_quorum || fetched_since_check_[i]) return;
    fetched_since_check_[i] = true;
    ++fetched_count_;
    // LeaderState.updateCheckQuorumForFollowingVoter: a majority (leader included) fetched
    // since the last reset, so the check-quorum timer starts over.
    if (fetched_count_ + 1 >= majority()) {
        std::fill(fetched_since_check_.begin(), fetched_since_check_.end(), false);
        fetched_count_ = 0;
        arm(t_check_quorum, ctx.now() + sim::milliseconds(config_.fetch_timeout_ms * 3 / 2), ctx);
    }
}

void RaftReplica::on_fetch_request(sim::NodeId from, const RaftFetchRequest& req, Context& ctx) {
    RaftFetchResponse resp;
    resp.correlation_id = req.correlation_id;
    if (state_ != RaftState::leader || req.current_leader_epoch != epoch_) {
        resp.error = req.current_leader_epoch < epoch_   ? Error::fenced_leader_epoch
                     : req.current_leader_epoch > epoch_ ? Error::unknown_leader_epoch
                                                         : Error::not_leader_or_follower;
        resp.leader_epoch = epoch_;
        resp.leader_id = leader_id();
        resp.high_watermark = hw_;
        ctx.send(from, std::move(resp));
        return;
    }
    int vi = voter_index(req.replica_id);
    if (vi >= 0 && req.replica_id != id_) note_voter_fetch(static_cast<size_t>(vi), ctx);

    OffsetAndEpoch div{0, 0};
    if (!validate_fetch(req.fetch_offset, req.last_fetched_epoch, div)) {
        resp.leader_epoch = epoch_;
        resp.leader_id = id_;
        resp.high_watermark = hw_;
        resp.diverging = true;
        resp.diverging_epoch = div.epoch;
        resp.diverging_end_offset = div.offset;
        ctx.send(from, std::move(resp));
        return;
    }
    Progress* p = nullptr;
    if (vi >= 0) {
        p = &voter_progress_[static_cast<size_t>(vi)];
    } else {
        p = &observer_progress_[req.replica_id];
    }
    sim::Time now = ctx.now();
    p->leo = req.fetch_offset;
    p->last_fetch = now;
    if (req.fetch_offset >= log_end_offset()) p->last_caught_up = now;

    int64_t hw_before = hw_;
    if (vi >= 0) maybe_advance_hw(ctx);
    // Drop an older parked fetch of the same replica: its sender has given up on it.
    for (size_t i = 0; i < parked_.size(); ++i) {
        if (parked_[i].from == from) {
            parked_.erase(parked_.begin() + static_cast<ptrdiff_t>(i));
            break;
        }
    }
    if (req.fetch_offset < log_end_offset() || hw_ != hw_before || req.max_wait_ms <= 0) {
        fill_fetch_response(resp, req.fetch_offset);
        ctx.send(from, std::move(resp));
        return;
    }
    // Caught up: long poll until the log grows, the HW moves, or max wait passes.
    sim::Time expires = now + sim::milliseconds(std::min(req.max_wait_ms, config_.fetch_max_wait_ms));
    parked_.push_back(ParkedFetch{from, req.correlation_id, req.fetch_offset, expires});
    if (!timers_[t_purgatory].id.valid() || timers_[t_purgatory].deadline > expires) arm(t_purgatory, expires, ctx);
}

void RaftReplica::answer_parked(Context& ctx, bool only_expired) {
    if (parked_.empty()) return;
    sim::Time now = ctx.now();
    sim::Time next = sim::time_never;
    size_t kept = 0;
    for (size_t i = 0; i < parked_.size(); ++i) {
        ParkedFetch& p = parked_[i];
        if (only_expired && p.expires > now) {
            next = std::min(next, p.expires);
            parked_[kept++] = p;
            continue;
        }
        RaftFetchResponse resp;
        resp.correlation_id = p.correlation_id;
        fill_fetch_response(resp, p.fetch_offset);
        ctx.send(p.from, std::move(resp));
    }
    parked_.resize(kept);
    if (next != sim::time_never) arm(t_purgatory, next, ctx);
    else disarm(t_purgatory, ctx);
}

void RaftReplica::maybe_advance_hw(Context& ctx) {
    scratch_leos_.clear();
    for (size_t i = 0; i < voters_.size(); ++i)
        scratch_leos_.push_back(voters_[i] == id_ ? log_end_offset() : voter_progress_[i].leo);
    std::sort(scratch_leos_.begin(), scratch_leos_.end(), std::greater<>());
    int64_t candidate = scratch_leos_[voters_.size() / 2];
    // LeaderState.maybeUpdateHighWatermark: only once an entry of our own epoch is committed.
    if (candidate <= hw_ || candidate <= epoch_start_) return;
    hw_ = candidate;
    ctx.emit(RaftHighWatermark{.epoch = epoch_, .hw = hw_});
    answer_parked(ctx, /*only_expired=*/false);
}

int64_t RaftReplica::append(std::vector<MetadataRecord> records, Context& ctx) {
    if (state_ != RaftState::leader) return -1;
    now_seen_ = ctx.now();
    int64_t first = log_end_offset();
    if (records.empty()) return first;
    for (auto& r : records) append_entry(MetadataEntry{epoch_, std::move(r)});
    log_->flush();
    maybe_advance_hw(ctx);
    answer_parked(ctx, /*only_expired=*/false);
    poll_listener(ctx);
    return first;
}

// ------------------------------------------------------------------------------------ fetch: follower side

void RaftReplica::send_fetch(Context& ctx) {
    if (fetch_in_flight_) return;
    int32_t target = -1;
    if (state_ == RaftState::follower) {
        target = leader_;
    } else if (!voter_ && state_ == RaftState::unattached && !voters_.empty()) {
        target = voters_[ctx.rng().below(voters_.size())];
    }
    if (target < 0) return;
    fetch_target_ = directory_.node_of(target);
    RaftFetchRequest req;
    req.replica_id = id_;
    req.current_leader_epoch = epoch_;
    req.fetch_offset = log_end_offset();
    req.last_fetched_epoch = last_epoch();
    req.max_wait_ms = config_.fetch_max_wait_ms;
    req.correlation_id = ++fetch_correlation_;
    fetch_in_flight_ = true;
    if (fetch_target_ != sim::no_node) ctx.send(fetch_target_, req);
    arm(t_fetch, ctx.now() + sim::milliseconds(config_.request_timeout_ms), ctx);
}

// KafkaNetworkChannel turns a request whose connection closed into an error response
// (BROKER_NOT_AVAILABLE), and the follower fetches again after the retry backoff rather than
// waiting out controller.quorum.request.timeout.ms, which is as long as the fetch timeout.
void RaftReplica::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (!fetch_in_flight_ || peer != fetch_target_) return;
    ++fetch_correlation_;  // an answer to the lost request is stale
    schedule_fetch_retry(ctx);
}

void RaftReplica::schedule_fetch_retry(Context& ctx) {
    fetch_in_flight_ = false;
    arm(t_fetch, ctx.now() + sim::milliseconds(config_.retry_backoff_ms), ctx);
}

void RaftReplica::truncate_to(int64_t offset, Context& ctx) {
    int64_t leo = log_end_offset();
    if (offset >= leo) return;
    SIM_ASSERT(offset >= hw_, "raft: truncation below the high watermark");
    SIM_ASSERT(state_ != RaftState::leader, "raft: a leader never truncates");
    ctx.emit(RaftTruncate{.from = leo, .to = offset});
    log_->truncate(static_cast<size_t>(offset));
    while (!epochs_.empty() && epochs_.back().start_offset >= offset) epochs_.pop_back();
}

void RaftReplica::on_fetch_response(sim::NodeId from, RaftFetchResponse& resp, Context& ctx) {
    if (!fetch_in_flight_ || resp.correlation_id != fetch_correlation_) return;  // stale
    fetch_in_flight_ = false;
    if (maybe_newer_epoch(resp.leader_epoch, resp.leader_id, ctx)) return;
    if (resp.error != Error::none) {
        if (resp.leader_epoch == epoch_ && resp.leader_id >= 0 && resp.leader_id != id_ &&
            (state_ != RaftState::follower || resp.leader_id != leader_)) {
            become_follower(epoch_, resp.leader_id, ctx);
            return;
        }
        schedule_fetch_retry(ctx);
        return;
    }
    if (resp.leader_epoch != epoch_) {  // an older leader answered (it cannot be ours)
        schedule_fetch_retry(ctx);
        return;
    }
    if (state_ != RaftState::follower) {
        // Observer discovery: the voter asked at random is the leader.
        int32_t leader = directory_.kafka_id(from);
        if (leader < 0 || leader == id_) {
            schedule_fetch_retry(ctx);
            return;
        }
        become_follower(epoch_, leader, ctx, /*send_fetch_now=*/false);
    }
    fetched_from_leader_ = true;
    // A successful fetch: the fetch timeout starts over (lazily, no re-arm).
    timers_[t_election].deadline = ctx.now() + sim::milliseconds(config_.fetch_timeout_ms);
    if (!timers_[t_election].id.valid()) arm(t_election, timers_[t_election].deadline, ctx);

    if (resp.diverging) {
        // KafkaMetadataLog.truncateToEndOffset: to the end of the largest common epoch.
        OffsetAndEpoch local = end_offset_for_epoch(resp.diverging_epoch);
        truncate_to(std::min(local.offset, resp.diverging_end_offset), ctx);
        send_fetch(ctx);
        return;
    }
    if (!resp.entries.empty() && resp.base_offset == log_end_offset()) {
        log_->reserve(log_->size() + resp.entries.size());
        for (auto& e : resp.entries) append_entry(std::move(e));
        log_->flush();  // the next fetch's offset acknowledges these: they must be durable
    }
    if (first_leader_high_watermark_ < 0) first_leader_high_watermark_ = resp.high_watermark;
    int64_t hw = std::min(resp.high_watermark, log_end_offset());
    if (hw > hw_) hw_ = hw;
    send_fetch(ctx);
}

// ------------------------------------------------------------------------------------ describe

std::vector<RaftReplica::ReplicaState> RaftReplica::replica_states() const {
    std::vector<ReplicaState> out;
    if (state_ != RaftState::leader) return out;
    out.reserve(voters_.size() + observer_progress_.size());
    for (size_t i = 0; i < voters_.size(); ++i) {
        if (voters_[i] == id_) {
            out.push_back({id_, log_end_offset(), now_seen_, now_seen_, true});
        } else {
            const Progress& p = voter_progress_[i];
            out.push_back({voters_[i], p.leo, p.last_fetch, p.last_caught_up, true});
        }
    }
    for (const auto& [id, p] : observer_progress_) out.push_back({id, p.leo, p.last_fetch, p.last_caught_up, false});
    return out;
}

}  // namespace kafka
