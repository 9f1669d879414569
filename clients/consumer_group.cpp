// The consumer's side of the classic group protocol (Kafka's AbstractCoordinator and
// ConsumerCoordinator): finding the coordinator, joining and syncing, heartbeats, offset
// commits and fetches, and leaving. See consumer_client.hpp for the rules it follows.
#include <algorithm>
#include <set>

#include "broker/group/assignors.hpp"
#include "clients/client_timer.hpp"
#include "clients/consumer_client.hpp"

namespace kafka {

namespace {

bool is_cooperative(const std::string& protocol) {
    std::unique_ptr<PartitionAssignor> a = make_assignor(protocol);
    return a != nullptr && a->cooperative();
}

const char* error_text(Error e) { return error_name(e); }

}  // namespace

bool ConsumerClient::cooperative_now() const {
    return is_cooperative(protocol_.empty() ? protocols_.front() : protocol_);
}

// ------------------------------------------------------------------------------ requests

int32_t ConsumerClient::send_group_request(GroupRequest kind, Message msg, sim::NodeId node, int64_t timeout_ms,
                                           Context& ctx) {
    const int32_t corr = network_.next_correlation_id();
    std::visit(
        [corr](auto& m) {
            if constexpr (requires { m.correlation_id; }) m.correlation_id = corr;
        },
        msg);
    GroupCall call;
    call.kind = kind;
    call.generation = generation_;
    call.node = node;
    call.timer = ctx.set_timer(sim::milliseconds(timeout_ms),
                               timer_tag(timer_group_request_timeout, static_cast<uint64_t>(corr)));
    group_calls_.emplace(corr, std::move(call));
    ctx.send(node, std::move(msg));
    return corr;
}

void ConsumerClient::coordinator_unknown(const char* reason, Context& ctx) {
    if (coordinator_ != no_leader)
        ctx.emit(ConsumerCoordinatorLost{.group = *group_id_, .coordinator = coordinator_, .reason = reason});
    coordinator_ = no_leader;
    // Requests to the old coordinator are abandoned; a join or sync in flight starts over.
    for (auto it = group_calls_.begin(); it != group_calls_.end();) {
        if (it->second.kind == GroupRequest::leave) {
            ++it;
            continue;
        }
        ctx.cancel_timer(it->second.timer);
        if (it->second.kind == GroupRequest::commit || it->second.kind == GroupRequest::commit_before_join)
            commit_failed(it->second, Error::coordinator_not_available, ctx);
        it = group_calls_.erase(it);
    }
    membership_corr_ = 0;
    if (member_state_ == MemberState::joining || member_state_ == MemberState::syncing)
        member_state_ = MemberState::needs_join;
    for (auto& [tp, ps] : parts_)
        if (ps.phase == Phase::fetching_committed) ps.phase = Phase::awaiting_committed;
    group_backoff_until_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
}

// Returns true when the error was about the coordinator (and it is now unknown).
bool ConsumerClient::coordinator_error(Error e, Context& ctx) {
    if (e == Error::not_coordinator || e == Error::coordinator_not_available || e == Error::coordinator_load_in_progress) {
        coordinator_unknown(error_text(e), ctx);
        return true;
    }
    return false;
}

void ConsumerClient::request_rejoin(const char* reason, Context& ctx) {
    if (member_state_ != MemberState::stable) return;
    ctx.emit(ConsumerRejoin{.group = *group_id_, .generation = generation_, .reason = reason});
    member_state_ = MemberState::needs_join;
    commit_before_join_done_ = false;
}

void ConsumerClient::rejoin(const char* reason, Context& ctx) {
    if (!group_id_ || !active_) return;
    request_rejoin(reason, ctx);
    progress(ctx);
}

void ConsumerClient::reset_membership(const char* reason, Context& ctx) {
    // The generation is gone: whatever it owned is lost, not revoked (onPartitionsLost).
    ctx.emit(ConsumerMembershipLost{.group = *group_id_, .generation = generation_, .reason = reason});
    member_id_.clear();
    generation_ = -1;
    member_state_ = MemberState::needs_join;
    commit_before_join_done_ = true;  // nothing may be committed for a lost generation
    set_assignment({}, ctx);
}

void ConsumerClient::rejoin_as_new_member(const char* reason, Context& ctx) {
    if (!group_id_ || !active_) return;
    rejoin_held_ = false;
    leave_group(reason, ctx);
    if (auto it = group_calls_.find(membership_corr_); it != group_calls_.end()) {
        // A join or sync in flight would answer a member that is gone.
        ctx.cancel_timer(it->second.timer);
        group_calls_.erase(it);
    }
    membership_corr_ = 0;
    reset_membership(reason, ctx);
    progress(ctx);
}

void ConsumerClient::set_assignment(std::vector<GroupPartition> assignment, Context& ctx) {
    std::sort(assignment.begin(), assignment.end());
    if (assignment == assignment_) return;
    assignment_ = std::move(assignment);
    apply_ownership(ctx);
    if (events_) {
        std::vector<TopicPartition> tps;
        for (const auto& gp : assignment_)
            if (auto tp = resolve(gp)) tps.push_back(*tp);
        events_->on_assignment(client_, ctx.now(), generation_, tps);
    }
}

// ------------------------------------------------------------------------------ the state machine

void ConsumerClient::group_step(Context& ctx, sim::Time& next) {
    if (!active_) return;
    const sim::Time now = ctx.now();
    if (now < group_backoff_until_) {
        next = std::min(next, group_backoff_until_);
        return;
    }
    if (coordinator_ == no_leader) {
        find_coordinator(ctx);
        return;
    }
    if (!heartbeat_timer_.valid())
        heartbeat_timer_ =
            ctx.set_timer(sim::milliseconds(config_.heartbeat_interval_ms), timer_tag(timer_group_heartbeat));
    if (config_.enable_auto_commit && !auto_commit_timer_.valid())
        auto_commit_timer_ =
            ctx.set_timer(sim::milliseconds(config_.auto_commit_interval_ms), timer_tag(timer_auto_commit));
    // enable.auto.commit=false: the application commits after processing each poll
    // (commitAsync of the consumed positions, one commit in flight), unless it commits
    // itself (commit_positions()).
    if (!config_.enable_auto_commit && !mode_.explicit_commits && member_state_ == MemberState::stable &&
        now >= app_ready_at_)
        send_commit(GroupRequest::commit, ctx);
    if (membership_corr_ != 0 || member_state_ != MemberState::needs_join) return;
    if (now < rejoin_not_before_) {
        next = std::min(next, rejoin_not_before_);
        return;
    }
    // The leader assigns from its metadata: know every subscribed topic first.
    for (const auto& t : topics_)
        if (!t.known) {
            network_.request_metadata_update(ctx);
            return;
        }
    // ConsumerCoordinator.onJoinPrepare: commit what was consumed, then (eager) revoke all.
    // An application that commits on revocation (Streams' rebalance listener under
    // at_least_once) commits here before an eager protocol revokes everything.
    const bool listener_commits = mode_.commit_on_revocation && !is_cooperative(protocol_);
    if (!commit_before_join_done_ && generation_ >= 0 && (config_.enable_auto_commit || listener_commits)) {
        commit_before_join_done_ = true;
        if (send_commit(GroupRequest::commit_before_join, ctx)) return;
    }
    if (!assignment_.empty() && !is_cooperative(protocol_)) set_assignment({}, ctx);
    if (rejoin_held_) return;  // the application's revocation listener has not returned yet
    if (mode_.assignment_extension) mode_.assignment_extension->on_join_prepare(generation_);
    send_join(ctx);
}

void ConsumerClient::hold_rejoin(bool held, Context& ctx) {
    if (rejoin_held_ == held) return;
    rejoin_held_ = held;
    if (!held && active_) progress(ctx);
}

void ConsumerClient::hold_offset_fetch(const std::vector<GroupPartition>& partitions, bool held, Context& ctx) {
    bool released = false;
    for (const GroupPartition& gp : partitions) {
        if (held) offset_fetch_held_.insert(gp);
        else released = offset_fetch_held_.erase(gp) > 0 || released;
    }
    if (released && active_) progress(ctx);
}

void ConsumerClient::find_coordinator(Context& ctx) {
    if (membership_corr_ != 0) return;
    // Any broker knows the coordinator: ask the least loaded one, as Java does.
    const std::optional<BrokerId> broker = network_.least_loaded_broker();
    if (!broker) return;
    const sim::NodeId node = dir_->broker_node(*broker);
    membership_corr_ = send_group_request(GroupRequest::find_coordinator, FindCoordinatorRequest{0, *group_id_}, node,
                                          config_.request_timeout_ms, ctx);
}

void ConsumerClient::send_join(Context& ctx) {
    JoinGroupRequest req;
    req.group_id = *group_id_;
    req.session_timeout_ms = config_.session_timeout_ms;
    const int64_t rebalance_timeout_ms =
        mode_.rebalance_timeout_ms >= 0 ? mode_.rebalance_timeout_ms : config_.max_poll_interval_ms;
    req.rebalance_timeout_ms = rebalance_timeout_ms;
    req.member_id = member_id_;
    req.client_id = client_id();
    req.protocols = mode_.group_protocols.empty() ? protocols_ : mode_.group_protocols;
    req.subscription.topics = topic_names_;
    req.subscription.generation = generation_;
    if (is_cooperative(protocol_) || protocol_.empty()) req.subscription.owned_partitions = assignment_;
    if (mode_.assignment_extension) req.subscription.user_data = mode_.assignment_extension->subscription_user_data();
    member_state_ = MemberState::joining;
    // The join waits for the rebalance: allow it the rebalance timeout and then some
    // (AbstractCoordinator: joinGroupTimeoutMs = max(request timeout, rebalance timeout + 5 s)).
    const int64_t timeout = std::max(config_.request_timeout_ms, rebalance_timeout_ms + 5000);
    membership_corr_ = send_group_request(GroupRequest::join, std::move(req), dir_->broker_node(coordinator_), timeout, ctx);
}

void ConsumerClient::send_heartbeat(Context& ctx) {
    if (coordinator_ == no_leader || member_state_ != MemberState::stable) return;
    for (const auto& [corr, call] : group_calls_)
        if (call.kind == GroupRequest::heartbeat) return;  // one in flight
    send_group_request(GroupRequest::heartbeat, HeartbeatRequest{0, *group_id_, generation_, member_id_},
                       dir_->broker_node(coordinator_), config_.request_timeout_ms, ctx);
}

bool ConsumerClient::send_commit(GroupRequest kind, Context& ctx, const std::vector<GroupPartition>* only) {
    if (coordinator_ == no_leader || generation_ < 0) return false;
    OffsetCommitRequest req;
    req.group_id = *group_id_;
    req.generation_id = generation_;
    req.member_id = member_id_;
    std::map<TopicPartition, int64_t> offsets;
    for (const auto& [tp, ps] : parts_) {
        if (ps.phase != Phase::fetching || ps.position < 0) continue;
        if (only != nullptr && std::find(only->begin(), only->end(), name_of(tp)) == only->end()) continue;
        auto c = committed_.find(tp);
        if (c != committed_.end() && c->second == ps.position) continue;
        offsets[tp] = ps.position;
        req.partitions.push_back(OffsetCommitRequest::PartitionData{name_of(tp), ps.position, ps.leader_epoch});
    }
    if (req.partitions.empty()) return false;
    for (const auto& [corr, call] : group_calls_)
        if (kind == GroupRequest::commit && call.kind == GroupRequest::commit) return false;  // one async commit at a time
    const int32_t corr =
        send_group_request(kind, std::move(req), dir_->broker_node(coordinator_), config_.request_timeout_ms, ctx);
    group_calls_.at(corr).offsets = std::move(offsets);
    if (kind == GroupRequest::commit_before_join) membership_corr_ = corr;
    return true;
}

bool ConsumerClient::commit_in_flight() const {
    for (const auto& [corr, call] : group_calls_)
        if (call.kind == GroupRequest::commit || call.kind == GroupRequest::commit_before_join) return true;
    return false;
}

bool ConsumerClient::positions_committed() const {
    for (const auto& [tp, ps] : parts_) {
        if (ps.phase != Phase::fetching || ps.position < 0) continue;
        auto c = committed_.find(tp);
        if (c == committed_.end() || c->second != ps.position) return false;
    }
    return true;
}

bool ConsumerClient::commit_positions(Context& ctx) {
    // Java refuses a commit while the member rejoins (RebalanceInProgressException) and
    // without a generation; commitSync would wait for a commit in flight.
    if (!active_ || !group_id_ || coordinator_ == no_leader || member_state_ != MemberState::stable) return false;
    if (commit_in_flight()) return false;
    return send_commit(GroupRequest::commit, ctx);
}

void ConsumerClient::commit_failed(const GroupCall& call, Error error, Context& ctx) {
    if (events_) events_->on_commit_failed(client_, ctx.now(), call.generation, error);
}

void ConsumerClient::send_offset_fetch(Context& ctx, sim::Time& next) {
    if (coordinator_ == no_leader || member_state_ != MemberState::stable) return;
    if (ctx.now() < offset_fetch_retry_at_) {
        next = std::min(next, offset_fetch_retry_at_);
        return;
    }
    OffsetFetchRequest req;
    req.group_id = *group_id_;
    // ConsumerCoordinator (2.5+): requireStable for isolation.level=read_committed.
    req.require_stable = read_committed() && config_.offset_fetch_require_stable;
    std::vector<TopicPartition> tps;
    for (auto& [tp, ps] : parts_)
        if (ps.phase == Phase::awaiting_committed && !offset_fetch_held_.contains(name_of(tp))) {
            req.partitions.push_back(name_of(tp));
            tps.push_back(tp);
        }
    if (tps.empty()) return;
    for (const TopicPartition& tp : tps) parts_.at(tp).phase = Phase::fetching_committed;
    send_group_request(GroupRequest::offset_fetch, std::move(req), dir_->broker_node(coordinator_),
                       config_.request_timeout_ms, ctx);
}

void ConsumerClient::leave_group(const char* reason, Context& ctx) {
    if (coordinator_ == no_leader || member_id_.empty()) return;
    ctx.emit(ConsumerLeaveGroup{.group = *group_id_, .member = member_id_, .reason = reason});
    send_group_request(GroupRequest::leave, LeaveGroupRequest{0, *group_id_, member_id_}, dir_->broker_node(coordinator_),
                       config_.request_timeout_ms, ctx);
}

// ------------------------------------------------------------------------------ responses

void ConsumerClient::on_group_message(sim::NodeId from, Message& msg, Context& ctx) {
    int32_t corr = std::visit(
        [](const auto& m) -> int32_t {
            if constexpr (requires { m.correlation_id; }) return m.correlation_id;
            else return 0;
        },
        msg);
    auto it = group_calls_.find(corr);
    if (it == group_calls_.end()) return;  // abandoned or timed out
    GroupCall call = std::move(it->second);
    group_calls_.erase(it);
    ctx.cancel_timer(call.timer);
    if (membership_corr_ == corr) membership_corr_ = 0;
    (void)from;

    if (auto* r = std::get_if<FindCoordinatorResponse>(&msg)) {
        // A coordinator we cannot connect to (its connection is down: the broker is gone, or
        // metadata has not caught up) is no coordinator: ask again after the backoff, as
        // Java does when the connection attempt fails.
        // (ready() probes a down connection when its backoff has passed: the
        // next FindCoordinator finds it up again once the broker answers.)
        sim::Time probe_due = sim::time_never;
        const bool reachable = r->node_id != no_leader && network_.ready(r->node_id, ctx, probe_due);
        if (r->error == Error::none && r->node_id != no_leader && dir_->broker_node(r->node_id) != sim::no_node &&
            reachable) {
            coordinator_ = r->node_id;
            ctx.emit(ConsumerCoordinatorFound{.group = *group_id_, .coordinator = coordinator_});
        } else {
            group_backoff_until_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
        }
    } else if (auto* r = std::get_if<JoinGroupResponse>(&msg)) {
        handle_join_response(*r, ctx);
    } else if (auto* r = std::get_if<SyncGroupResponse>(&msg)) {
        handle_sync_response(*r, ctx);
    } else if (auto* r = std::get_if<HeartbeatResponse>(&msg)) {
        if (call.generation != generation_) {
            // An answer about an earlier generation.
        } else if (r->error == Error::rebalance_in_progress) {
            request_rejoin("the coordinator started a rebalance", ctx);
        } else if (r->error == Error::unknown_member_id || r->error == Error::illegal_generation) {
            reset_membership(error_text(r->error), ctx);
        } else {
            coordinator_error(r->error, ctx);
        }
    } else if (auto* r = std::get_if<OffsetCommitResponse>(&msg)) {
        handle_commit_response(*r, call, ctx);
    } else if (auto* r = std::get_if<OffsetFetchResponse>(&msg)) {
        handle_offset_fetch_response(*r, ctx);
    }
    progress(ctx);
}

void ConsumerClient::handle_join_response(const JoinGroupResponse& r, Context& ctx) {
    if (member_state_ != MemberState::joining) return;
    member_state_ = MemberState::needs_join;
    switch (r.error) {
        case Error::none: break;
        case Error::member_id_required:
            member_id_ = r.member_id;
            return;  // join again at once, with the id
        case Error::unknown_member_id:
        case Error::illegal_generation:
            reset_membership(error_text(r.error), ctx);
            return;
        case Error::rebalance_in_progress:
            return;
        default:
            if (!coordinator_error(r.error, ctx)) group_backoff_until_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
            return;
    }
    member_id_ = r.member_id;
    generation_ = r.generation_id;
    protocol_ = r.protocol_name;
    SyncGroupRequest sync;
    sync.group_id = *group_id_;
    sync.generation_id = generation_;
    sync.member_id = member_id_;
    if (r.leader == member_id_) {
        // The leader assigns (ConsumerCoordinator.onLeaderElected).
        std::unique_ptr<PartitionAssignor> assignor = make_assignor(protocol_);
        std::map<std::string, int32_t> partitions;
        std::vector<MemberSubscription> members;
        for (const auto& m : r.members) {
            MemberSubscription ms;
            ms.member_id = m.member_id;
            ms.topics = m.subscription.topics;
            ms.owned_partitions = m.subscription.owned_partitions;
            ms.generation = m.subscription.generation;
            for (const auto& t : ms.topics)
                for (const auto& ts : topics_)
                    if (ts.name == t && ts.known) partitions[t] = ts.partitions;
            members.push_back(std::move(ms));
        }
        if (assignor != nullptr)
            for (auto& [member, parts] : assignor->assign(partitions, members)) sync.assignments.emplace_back(member, parts);
        if (mode_.assignment_extension)
            sync.assignment_user_data = mode_.assignment_extension->assignment_user_data(sync.assignments, r.members);
        ctx.emit(ConsumerGroupLeader{.group = *group_id_,
                                     .generation = generation_,
                                     .protocol = protocol_,
                                     .members = static_cast<int64_t>(r.members.size())});
    }
    member_state_ = MemberState::syncing;
    membership_corr_ =
        send_group_request(GroupRequest::sync, std::move(sync), dir_->broker_node(coordinator_), config_.request_timeout_ms, ctx);
}

void ConsumerClient::handle_sync_response(const SyncGroupResponse& r, Context& ctx) {
    if (member_state_ != MemberState::syncing) return;
    member_state_ = MemberState::needs_join;
    if (r.error == Error::unknown_member_id || r.error == Error::illegal_generation) {
        reset_membership(error_text(r.error), ctx);
        return;
    }
    if (r.error == Error::rebalance_in_progress) return;
    if (r.error != Error::none) {
        if (!coordinator_error(r.error, ctx)) group_backoff_until_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
        return;
    }
    member_state_ = MemberState::stable;
    commit_before_join_done_ = false;
    if (mode_.assignment_extension) mode_.assignment_extension->on_assignment_user_data(r.user_data);
    std::vector<GroupPartition> assigned = r.assignment;
    std::sort(assigned.begin(), assigned.end());
    // Cooperative: partitions that moved away are revoked now, and then the member rejoins
    // so that the next round can hand them to their new owner (KIP-429).
    std::vector<GroupPartition> revoked;
    for (const auto& p : assignment_)
        if (!std::binary_search(assigned.begin(), assigned.end(), p)) revoked.push_back(p);
    // A group of another protocol (a Connect worker's) has no partitions: its own event tells it.
    if (mode_.group_protocols.empty())
        ctx.emit(ConsumerAssignment{.group = *group_id_,
                                .generation = generation_,
                                .partitions = static_cast<int64_t>(assigned.size()),
                                .revoked = static_cast<int64_t>(revoked.size())});
    // onPartitionsRevoked of an application that commits there: the positions of what is
    // revoked are committed (in the new generation, which the member is in) before they are
    // given up, and the rejoin waits for the answer, as the listener's commitSync holds it.
    if (!revoked.empty() && mode_.commit_on_revocation && is_cooperative(protocol_))
        send_commit(GroupRequest::commit_before_join, ctx, &revoked);
    set_assignment(std::move(assigned), ctx);
    if (!revoked.empty() && is_cooperative(protocol_)) request_rejoin("partitions were revoked (cooperative)", ctx);
}

void ConsumerClient::handle_offset_fetch_response(const OffsetFetchResponse& r, Context& ctx) {
    if (r.error != Error::none) {
        for (auto& [tp, ps] : parts_)
            if (ps.phase == Phase::fetching_committed) ps.phase = Phase::awaiting_committed;
        if (!coordinator_error(r.error, ctx)) group_backoff_until_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
        return;
    }
    // ConsumerCoordinator.OffsetFetchResponseHandler: a partition whose offsets a transaction
    // still holds fails the whole fetch with the retriable UnstableOffsetCommitException, and
    // fetchCommittedOffsets asks again after retry.backoff.ms (not auto.offset.reset).
    for (const auto& d : r.partitions) {
        if (d.error != Error::unstable_offset_commit) continue;
        for (auto& [tp, ps] : parts_)
            if (ps.phase == Phase::fetching_committed) ps.phase = Phase::awaiting_committed;
        offset_fetch_retry_at_ = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
        return;
    }
    for (const auto& d : r.partitions) {
        std::optional<TopicPartition> tp = resolve(d.tp);
        if (!tp) continue;
        auto it = parts_.find(*tp);
        if (it == parts_.end() || it->second.phase != Phase::fetching_committed) continue;
        PartitionState& ps = it->second;
        if (d.offset >= 0) {
            ps.position = d.offset;
            ps.phase = Phase::fetching;
            ps.buffer.clear();
            committed_[*tp] = d.offset;
        } else {
            need_reset(*tp, ps, ctx, /*out_of_range=*/false);
        }
    }
}

void ConsumerClient::handle_commit_response(const OffsetCommitResponse& r, const GroupCall& call, Context& ctx) {
    if (r.error == Error::none) {
        for (const auto& [tp, offset] : call.offsets) {
            int64_t& c = committed_[tp];
            c = std::max(c, offset);
            if (events_) events_->on_commit(client_, ctx.now(), call.generation, tp, offset);
        }
        return;
    }
    if (call.generation != generation_) {
        // An answer about an earlier generation: the member has moved on.
    } else if (r.error == Error::rebalance_in_progress) {
        request_rejoin("a commit found a rebalance in progress", ctx);
    } else if (r.error == Error::unknown_member_id || r.error == Error::illegal_generation) {
        reset_membership(error_text(r.error), ctx);
    } else if (r.error == Error::request_timed_out) {
        // The commit did not replicate within offsets.commit.timeout.ms: like a coordinator
        // error (ConsumerCoordinator.OffsetCommitResponseHandler marks the coordinator unknown).
        coordinator_unknown(error_text(r.error), ctx);
    } else {
        coordinator_error(r.error, ctx);
    }
    // The application hears of it once the member has reacted (rejoining, or its
    // partitions lost): the CommitFailedException comes after the state it reports.
    commit_failed(call, r.error, ctx);
}

// ------------------------------------------------------------------------------ timers

void ConsumerClient::on_group_timer(TimerKind kind, uint64_t value, Context& ctx) {
    if (!active_) return;
    switch (kind) {
        case timer_group_request_timeout: {
            auto it = group_calls_.find(static_cast<int32_t>(value));
            if (it == group_calls_.end()) return;
            const GroupCall call = std::move(it->second);
            group_calls_.erase(it);
            if (membership_corr_ == static_cast<int32_t>(value)) membership_corr_ = 0;
            if (call.kind != GroupRequest::leave) {
                if (coordinator_ != no_leader) network_.mark_disconnected(coordinator_, ctx);  // NetworkClient closes it
                coordinator_unknown("a request to the coordinator timed out", ctx);
            }
            if (call.kind == GroupRequest::commit || call.kind == GroupRequest::commit_before_join)
                commit_failed(call, Error::request_timed_out, ctx);
            break;
        }
        case timer_group_heartbeat:
            heartbeat_timer_ =
                ctx.set_timer(sim::milliseconds(config_.heartbeat_interval_ms), timer_tag(timer_group_heartbeat));
            send_heartbeat(ctx);
            break;
        case timer_auto_commit:
            auto_commit_timer_ =
                ctx.set_timer(sim::milliseconds(config_.auto_commit_interval_ms), timer_tag(timer_auto_commit));
            if (member_state_ == MemberState::stable) send_commit(GroupRequest::commit, ctx);
            break;
        case timer_poll_timeout:
            poll_timeout_timer_ = sim::TimerId{};
            if (polls_ != value || member_id_.empty()) return;  // the application polled since
            // ConsumerCoordinator: "consumer poll timeout has expired": the heartbeat thread
            // leaves the group; the member joins again when the application polls.
            leave_group("max.poll.interval.ms expired", ctx);
            reset_membership("max.poll.interval.ms expired", ctx);
            rejoin_not_before_ = app_ready_at_;
            break;
        default:
            return;  // not the group's
    }
    progress(ctx);
}

// The application polled (and got records): it will poll again at app_ready_at_.
void ConsumerClient::after_poll(Context& ctx) {
    ++polls_;
    ctx.cancel_timer(poll_timeout_timer_);
    const sim::Time deadline = ctx.now() + sim::milliseconds(config_.max_poll_interval_ms);
    if (app_ready_at_ > deadline)
        poll_timeout_timer_ = ctx.set_timer(deadline - ctx.now(), timer_tag(timer_poll_timeout, polls_));
}

}  // namespace kafka
