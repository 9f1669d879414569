#include "broker/group/group_coordinator.hpp"

#include <algorithm>
#include <cstdio>

namespace kafka {

int32_t java_string_hash(std::string_view s) {
    // UTF-8 to UTF-16 code units for the BMP; group ids are ASCII in practice.
    uint32_t h = 0;
    for (size_t i = 0; i < s.size();) {
        auto c = static_cast<unsigned char>(s[i]);
        uint32_t unit = c;
        size_t len = 1;
        if (c >= 0xE0 && i + 2 < s.size()) {
            unit = ((c & 0x0Fu) << 12) | ((static_cast<unsigned char>(s[i + 1]) & 0x3Fu) << 6) |
                   (static_cast<unsigned char>(s[i + 2]) & 0x3Fu);
            len = 3;
        } else if (c >= 0xC0 && i + 1 < s.size()) {
            unit = ((c & 0x1Fu) << 6) | (static_cast<unsigned char>(s[i + 1]) & 0x3Fu);
            len = 2;
        }
        h = 31u * h + unit;
        i += len;
    }
    return static_cast<int32_t>(h);
}

int32_t offsets_partition_for(std::string_view group_id, int32_t partitions) {
    int32_t h = java_string_hash(group_id);
    int32_t abs = h == INT32_MIN ? 0 : (h < 0 ? -h : h);  // Utils.abs
    return partitions > 0 ? abs % partitions : 0;
}

const char* to_string(GroupState s) {
    switch (s) {
        case GroupState::empty: return "Empty";
        case GroupState::preparing_rebalance: return "PreparingRebalance";
        case GroupState::completing_rebalance: return "CompletingRebalance";
        case GroupState::stable: return "Stable";
        case GroupState::dead: return "Dead";
    }
    return "?";
}

namespace {

constexpr int64_t offsets_commit_timeout_ms = 5000;  // offsets.commit.timeout.ms

// A random UUID in Kafka's member id form (clientId + "-" + UUID.randomUUID()), drawn from
// the broker's seeded stream.
std::string uuid_text(uint64_t hi, uint64_t lo) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(hi >> 32),
                  static_cast<unsigned>((hi >> 16) & 0xFFFF), static_cast<unsigned>(hi & 0x0FFF),
                  static_cast<unsigned>(0x8000 | ((lo >> 48) & 0x3FFF)),
                  static_cast<unsigned long long>(lo & 0xFFFFFFFFFFFFULL));
    return buf;
}

}  // namespace

// ------------------------------------------------------------------------------ groups

GroupCoordinator::Group* GroupCoordinator::find_loaded(const std::string& group_id) {
    if (!is_loaded(partition_for(group_id))) return nullptr;
    auto it = groups_.find(group_id);
    return it == groups_.end() ? nullptr : &it->second;
}

GroupCoordinator::Group& GroupCoordinator::get_or_create(const std::string& group_id) {
    auto [it, inserted] = groups_.try_emplace(group_id);
    if (inserted) {
        it->second.group_id = group_id;
        it->second.partition = partition_for(group_id);
        it->second.serial = next_serial_++;
    }
    return it->second;
}

void GroupCoordinator::trace_state(const Group& g, const char* reason, Context& ctx) const {
    ctx.emit(GroupStateChanged{.group = g.group_id,
                               .state = to_string(g.state),
                               .generation = g.generation,
                               .members = static_cast<int64_t>(g.members.size()),
                               .reason = reason});
}

void GroupCoordinator::arm_session(Group& g, Member& m, Context& ctx) {
    ctx.cancel_timer(m.session_timer);
    m.session_timer = ctx.set_timer(sim::milliseconds(m.session_timeout_ms), tag(purpose_session, m.serial));
    session_timers_[m.serial] = {g.group_id, m.member_id};
}

// ------------------------------------------------------------------------------ JoinGroup

void GroupCoordinator::handle(sim::NodeId from, const JoinGroupRequest& req, Context& ctx) {
    JoinGroupResponse resp;
    resp.correlation_id = req.correlation_id;
    auto reply = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    if (!is_loaded(partition_for(req.group_id))) return reply(Error::not_coordinator);
    if (req.session_timeout_ms < config_.group_min_session_timeout_ms ||
        req.session_timeout_ms > config_.group_max_session_timeout_ms)
        return reply(Error::invalid_session_timeout);
    Group& g = get_or_create(req.group_id);
    if (g.state == GroupState::dead) return reply(Error::coordinator_not_available);
    // Every member must share a protocol with the group (GroupMetadata.supportsProtocols).
    if (!g.members.empty()) {
        bool shared = false;
        for (const auto& p : req.protocols) {
            bool all = true;
            for (const auto& [id, m] : g.members)
                if (id != req.member_id && std::find(m.protocols.begin(), m.protocols.end(), p) == m.protocols.end())
                    all = false;
            shared = shared || all;
        }
        if (!shared) return reply(Error::inconsistent_group_protocol);
    }

    if (req.member_id.empty()) {
        // KIP-394: hand out a member id and have the client join again with it.
        const uint64_t hi = ctx.rng().next();
        const uint64_t lo = ctx.rng().next();
        std::string id = (req.client_id.empty() ? std::string("consumer") : req.client_id) + "-" + uuid_text(hi, lo);
        g.pending_members.insert(id);
        // A pending member that never joins with its id expires after its session timeout
        // (GroupCoordinator.addPendingMemberExpiration), or it would hold every rebalance.
        const uint64_t serial = next_serial_++;
        pending_timers_[serial] = {g.group_id, id};
        ctx.set_timer(sim::milliseconds(req.session_timeout_ms), tag(purpose_pending, serial));
        resp.member_id = id;
        return reply(Error::member_id_required);
    }

    auto it = g.members.find(req.member_id);
    if (it == g.members.end()) {
        if (g.pending_members.erase(req.member_id) == 0) return reply(Error::unknown_member_id);
        Member m;
        m.member_id = req.member_id;
        m.client_id = req.client_id;
        m.serial = next_serial_++;
        g.join_order.push_back(req.member_id);
        it = g.members.emplace(req.member_id, std::move(m)).first;
        // GroupCoordinator.addMemberAndRebalance sets newMemberAdded only while the group has
        // never formed (generation 0): a group that became Empty later waits one delay.
        if (g.initial_delay && g.generation == 0) g.joined_during_delay = true;
    }
    Member& m = it->second;
    // MemberMetadata.matches compares the protocol metadata bytes, which carry the owned
    // partitions and the assignor's userData too: a cooperative member that revoked some
    // rejoins with different metadata, and that starts the follow-up rebalance (KIP-429; a
    // Connect worker's metadata lists the connectors and tasks it runs, KIP-415).
    const bool changed = m.subscription.topics != req.subscription.topics ||
                         m.subscription.owned_partitions != req.subscription.owned_partitions ||
                         m.subscription.user_data != req.subscription.user_data || m.protocols != req.protocols;
    m.node = from;
    m.session_timeout_ms = req.session_timeout_ms;
    m.rebalance_timeout_ms = req.rebalance_timeout_ms;
    m.protocols = req.protocols;
    m.subscription = req.subscription;
    arm_session(g, m, ctx);

    switch (g.state) {
        case GroupState::preparing_rebalance:
            m.awaiting_join = req.correlation_id;
            maybe_complete_join(g, ctx);
            return;
        case GroupState::completing_rebalance:
        case GroupState::stable:
            // The same metadata gets the current generation (a member that missed its JoinGroup
            // response). In Stable the leader's JoinGroup always rebalances: it is how the leader
            // asks for a new assignment after a metadata change.
            if (!changed && (g.state == GroupState::completing_rebalance || req.member_id != g.leader)) {
                m.awaiting_join = req.correlation_id;
                send_join_response(g, m, ctx);
                return;
            }
            m.awaiting_join = req.correlation_id;
            prepare_rebalance(g, "a member joined or changed its subscription", ctx);
            return;
        case GroupState::empty:
            m.awaiting_join = req.correlation_id;
            prepare_rebalance(g, "a member joined an empty group", ctx);
            return;
        case GroupState::dead:
            return reply(Error::coordinator_not_available);
    }
}

void GroupCoordinator::prepare_rebalance(Group& g, const char* reason, Context& ctx) {
    if (g.state == GroupState::completing_rebalance) fail_pending_syncs(g, Error::rebalance_in_progress, ctx);
    const bool was_empty = g.state == GroupState::empty;
    g.state = GroupState::preparing_rebalance;
    g.syncing = false;
    int64_t rebalance_timeout = 0;
    for (const auto& [id, m] : g.members) rebalance_timeout = std::max(rebalance_timeout, m.rebalance_timeout_ms);
    g.join_deadline = ctx.now() + sim::milliseconds(rebalance_timeout);
    ctx.cancel_timer(g.join_timer);
    g.initial_delay = was_empty && config_.group_initial_rebalance_delay_ms > 0;
    g.joined_during_delay = false;
    // InitialDelayedJoin waits the whole delay, even past a shorter rebalance timeout.
    const int64_t wait = g.initial_delay ? config_.group_initial_rebalance_delay_ms : rebalance_timeout;
    g.join_timer = ctx.set_timer(sim::milliseconds(wait), tag(purpose_join, g.serial));
    join_timers_[g.serial] = g.group_id;
    trace_state(g, reason, ctx);
    maybe_complete_join(g, ctx);
}

void GroupCoordinator::maybe_complete_join(Group& g, Context& ctx) {
    if (g.state != GroupState::preparing_rebalance || g.initial_delay) return;
    for (const auto& [id, m] : g.members)
        if (!m.awaiting_join) return;
    if (!g.pending_members.empty()) return;
    complete_join(g, ctx);
}

std::string GroupCoordinator::choose_protocol(const Group& g) const {
    // GroupMetadata.selectProtocol: candidates every member supports; each member votes for
    // the first candidate in its own preference order; most votes wins (ties: the earlier
    // candidate in the leader's list).
    std::vector<std::string> candidates;
    const Member& first = g.members.at(g.join_order.front());
    for (const auto& p : first.protocols) {
        bool all = true;
        for (const auto& [id, m] : g.members)
            if (std::find(m.protocols.begin(), m.protocols.end(), p) == m.protocols.end()) all = false;
        if (all) candidates.push_back(p);
    }
    if (candidates.empty()) return first.protocols.empty() ? "" : first.protocols.front();
    std::map<std::string, int> votes;
    for (const auto& [id, m] : g.members)
        for (const auto& p : m.protocols)
            if (std::find(candidates.begin(), candidates.end(), p) != candidates.end()) {
                ++votes[p];
                break;
            }
    std::string best = candidates.front();
    for (const auto& c : candidates)
        if (votes[c] > votes[best]) best = c;
    return best;
}

void GroupCoordinator::complete_join(Group& g, Context& ctx) {
    ctx.cancel_timer(g.join_timer);
    join_timers_.erase(g.serial);
    // Pending members stay pending (GroupMetadata keeps them): one that joins with its id later
    // starts the next rebalance, and their own session timeout expires the rest.
    // Members that did not rejoin in time are out.
    std::vector<std::string> gone;
    for (const auto& [id, m] : g.members)
        if (!m.awaiting_join) gone.push_back(id);
    for (const auto& id : gone) {
        Member& m = g.members.at(id);
        ctx.cancel_timer(m.session_timer);
        session_timers_.erase(m.serial);
        g.members.erase(id);
        g.join_order.erase(std::remove(g.join_order.begin(), g.join_order.end(), id), g.join_order.end());
        ctx.emit(GroupMemberRemoved{.group = g.group_id, .member = id, .reason = "did not rejoin in time"});
    }
    ++g.generation;
    if (g.members.empty()) {
        g.state = GroupState::empty;
        g.protocol.clear();
        g.leader.clear();
        trace_state(g, "no member rejoined", ctx);
        write_group_metadata(g, ctx);
        return;
    }
    g.protocol = choose_protocol(g);
    if (g.members.count(g.leader) == 0) g.leader = g.join_order.front();
    g.state = GroupState::completing_rebalance;
    trace_state(g, "every member rejoined", ctx);
    for (auto& [id, m] : g.members) {
        arm_session(g, m, ctx);
        send_join_response(g, m, ctx);
    }
}

void GroupCoordinator::send_join_response(Group& g, Member& m, Context& ctx) {
    if (!m.awaiting_join) return;
    JoinGroupResponse resp;
    resp.correlation_id = *m.awaiting_join;
    resp.generation_id = g.generation;
    resp.protocol_name = g.protocol;
    resp.leader = g.leader;
    resp.member_id = m.member_id;
    if (m.member_id == g.leader)
        for (const auto& id : g.join_order) resp.members.push_back({id, g.members.at(id).subscription});
    m.awaiting_join.reset();
    ctx.send(m.node, std::move(resp));
}

// A request from a member of the group's current generation: the member, or nullptr with
// the error Kafka answers (NOT_COORDINATOR, UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION).
GroupCoordinator::Member* GroupCoordinator::member_of_generation(const std::string& group_id,
                                                                 const std::string& member_id, int32_t generation,
                                                                 Group*& group, Error& error) {
    group = find_loaded(group_id);
    if (group == nullptr) {
        error = is_loaded(partition_for(group_id)) ? Error::unknown_member_id : Error::not_coordinator;
        return nullptr;
    }
    auto it = group->members.find(member_id);
    if (it == group->members.end()) {
        error = Error::unknown_member_id;
        return nullptr;
    }
    if (generation != group->generation) {
        error = Error::illegal_generation;
        return nullptr;
    }
    return &it->second;
}

// ------------------------------------------------------------------------------ SyncGroup

void GroupCoordinator::handle(sim::NodeId from, const SyncGroupRequest& req, Context& ctx) {
    SyncGroupResponse resp;
    resp.correlation_id = req.correlation_id;
    auto reply = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    Group* g = nullptr;
    Error error = Error::none;
    Member* member = member_of_generation(req.group_id, req.member_id, req.generation_id, g, error);
    if (member == nullptr) return reply(error);
    Member& m = *member;
    m.node = from;
    switch (g->state) {
        case GroupState::empty:
        case GroupState::dead: return reply(Error::unknown_member_id);
        case GroupState::preparing_rebalance: return reply(Error::rebalance_in_progress);
        case GroupState::stable:
            resp.assignment = m.assignment;
            resp.user_data = m.assignment_user_data;
            arm_session(*g, m, ctx);
            return reply(Error::none);
        case GroupState::completing_rebalance:
            m.awaiting_sync = req.correlation_id;
            arm_session(*g, m, ctx);
            if (req.member_id == g->leader && !g->syncing) {
                for (auto& [id, member] : g->members) {
                    member.assignment.clear();
                    member.assignment_user_data.clear();
                }
                for (const auto& [id, parts] : req.assignments) {
                    auto mit = g->members.find(id);
                    if (mit != g->members.end()) mit->second.assignment = parts;
                }
                for (const auto& [id, data] : req.assignment_user_data) {
                    auto mit = g->members.find(id);
                    if (mit != g->members.end()) mit->second.assignment_user_data = data;
                }
                g->syncing = true;
                write_group_metadata(*g, ctx);
            }
            return;
    }
}

void GroupCoordinator::fail_pending_syncs(Group& g, Error error, Context& ctx) {
    for (auto& [id, m] : g.members) {
        if (!m.awaiting_sync) continue;
        SyncGroupResponse resp;
        resp.correlation_id = *m.awaiting_sync;
        resp.error = error;
        m.awaiting_sync.reset();
        ctx.send(m.node, std::move(resp));
    }
}

void GroupCoordinator::write_group_metadata(Group& g, Context& ctx) {
    auto records = std::make_shared<GroupRecords>();
    GroupMetadataRecord md;
    md.group = g.group_id;
    md.generation = g.generation;
    md.protocol = g.protocol;
    md.leader = g.leader;
    for (const auto& id : g.join_order) {
        const Member& m = g.members.at(id);
        md.members.push_back(GroupMemberRecord{m.member_id, std::nullopt, m.client_id, m.session_timeout_ms,
                                               m.rebalance_timeout_ms, m.subscription.topics, m.assignment,
                                               m.subscription.user_data, m.assignment_user_data});
    }
    records->metadata = std::move(md);
    PendingAppend a;
    a.partition = g.partition;
    a.group_id = g.group_id;
    a.generation = g.generation;
    submit_append(std::move(a), std::move(records), ctx);
}

void GroupCoordinator::submit_append(PendingAppend a, std::shared_ptr<const GroupRecords> records, Context& ctx) {
    a.serial = next_serial_++;
    Error error = Error::none;
    std::optional<TxnProducer> txn;
    if (a.txn_producer_id) txn = TxnProducer{*a.txn_producer_id, a.txn_producer_epoch};
    const int32_t count = records->count();
    std::optional<int64_t> required = host_.append_group_records(a.partition, std::move(records), txn, error, ctx);
    if (!required) {
        complete_append(a, error, ctx);
        return;
    }
    a.required_offset = *required;
    a.base_offset = *required - count;
    a.timer = ctx.set_timer(sim::milliseconds(offsets_commit_timeout_ms), tag(purpose_append, a.serial));
    const int32_t partition = a.partition;
    appends_.push_back(std::move(a));
    on_high_watermark(partition, host_.group_partition_high_watermark(partition), ctx);  // a lone replica commits at once
}

// ------------------------------------------------------------------------------ Heartbeat / LeaveGroup

void GroupCoordinator::handle(sim::NodeId from, const HeartbeatRequest& req, Context& ctx) {
    HeartbeatResponse resp;
    resp.correlation_id = req.correlation_id;
    auto reply = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    Group* g = nullptr;
    Error error = Error::none;
    Member* member = member_of_generation(req.group_id, req.member_id, req.generation_id, g, error);
    if (member == nullptr) return reply(error);
    Member& m = *member;
    m.node = from;
    arm_session(*g, m, ctx);
    reply(g->state == GroupState::preparing_rebalance ? Error::rebalance_in_progress : Error::none);
}

void GroupCoordinator::handle(sim::NodeId from, const LeaveGroupRequest& req, Context& ctx) {
    LeaveGroupResponse resp;
    resp.correlation_id = req.correlation_id;
    Group* g = find_loaded(req.group_id);
    if (g == nullptr) {
        resp.error = is_loaded(partition_for(req.group_id)) ? Error::unknown_member_id : Error::not_coordinator;
    } else if (g->pending_members.erase(req.member_id) != 0) {
        // A member that got its id and leaves before joining with it (removePendingMemberAndUpdateGroup).
        maybe_complete_join(*g, ctx);
    } else if (g->members.count(req.member_id) == 0) {
        resp.error = Error::unknown_member_id;
    } else {
        remove_member(*g, req.member_id, "the member left the group", ctx);
    }
    ctx.send(from, resp);
}

void GroupCoordinator::remove_member(Group& g, const std::string& member_id, const char* reason, Context& ctx) {
    auto it = g.members.find(member_id);
    if (it == g.members.end()) return;
    ctx.cancel_timer(it->second.session_timer);
    session_timers_.erase(it->second.serial);
    if (it->second.awaiting_join) {
        JoinGroupResponse resp;
        resp.correlation_id = *it->second.awaiting_join;
        resp.error = Error::unknown_member_id;
        ctx.send(it->second.node, std::move(resp));
    }
    g.members.erase(it);
    g.join_order.erase(std::remove(g.join_order.begin(), g.join_order.end(), member_id), g.join_order.end());
    ctx.emit(GroupMemberRemoved{.group = g.group_id, .member = member_id, .reason = reason});
    switch (g.state) {
        case GroupState::stable:
        case GroupState::completing_rebalance: prepare_rebalance(g, reason, ctx); break;
        case GroupState::preparing_rebalance: maybe_complete_join(g, ctx); break;
        case GroupState::empty:
        case GroupState::dead: break;
    }
}

// ------------------------------------------------------------------------------ offsets

void GroupCoordinator::handle(sim::NodeId from, const OffsetCommitRequest& req, Context& ctx) {
    OffsetCommitResponse resp;
    resp.correlation_id = req.correlation_id;
    auto reply = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    if (!is_loaded(partition_for(req.group_id))) return reply(Error::not_coordinator);
    // GroupCoordinator.handleCommitOffsets: an unknown group is created only for a commit from
    // outside group management; a generation it never had is refused.
    if (groups_.count(req.group_id) == 0 && req.generation_id >= 0) return reply(Error::illegal_generation);
    Group& g = get_or_create(req.group_id);
    // GroupCoordinator.validateOffsetCommit, then doCommitOffsets by state.
    if (req.generation_id < 0 && g.state == GroupState::empty) {
        // Offsets stored for a consumer outside group management (or an admin).
    } else if (req.generation_id >= 0 || !req.member_id.empty()) {
        auto it = g.members.find(req.member_id);
        if (it == g.members.end()) return reply(Error::unknown_member_id);
        if (req.generation_id != g.generation) return reply(Error::illegal_generation);
        if (g.state == GroupState::completing_rebalance) return reply(Error::rebalance_in_progress);
        it->second.node = from;
        arm_session(g, it->second, ctx);
    } else {
        return reply(Error::unknown_member_id);  // a group with members takes commits only from them
    }
    auto records = std::make_shared<GroupRecords>();
    for (const auto& p : req.partitions)
        records->offsets.push_back(OffsetCommitRecord{g.group_id, p.tp, p.offset, p.leader_epoch, ctx.now()});
    PendingAppend a;
    a.partition = g.partition;
    a.group_id = g.group_id;
    a.is_commit = true;
    a.from = from;
    a.correlation_id = req.correlation_id;
    a.offsets = records->offsets;
    submit_append(std::move(a), std::move(records), ctx);
}

void GroupCoordinator::handle(sim::NodeId from, const OffsetFetchRequest& req, Context& ctx) {
    OffsetFetchResponse resp;
    resp.correlation_id = req.correlation_id;
    if (!is_loaded(partition_for(req.group_id))) {
        resp.error = Error::not_coordinator;
        ctx.send(from, std::move(resp));
        return;
    }
    auto git = groups_.find(req.group_id);
    for (const auto& tp : req.partitions) {
        OffsetFetchResponse::PartitionData d;
        d.tp = tp;
        if (git != groups_.end() && req.require_stable && has_pending_commit(git->second, tp)) {
            // GroupMetadataManager.getOffsets: this partition's answer waits for the transaction.
            d.error = Error::unstable_offset_commit;
        } else if (git != groups_.end()) {
            auto o = git->second.offsets.find(tp);
            if (o != git->second.offsets.end()) {
                d.offset = o->second.offset;
                d.leader_epoch = o->second.leader_epoch;
            }
        }
        resp.partitions.push_back(std::move(d));
    }
    ctx.send(from, std::move(resp));
}

// GroupCoordinator.handleTxnCommitOffsets -> doTxnCommitOffsets -> validateOffsetCommit
// (isTransactional) -> GroupMetadataManager.storeOffsets with the producer id and epoch.
void GroupCoordinator::handle(sim::NodeId from, const TxnOffsetCommitRequest& req, Context& ctx) {
    auto reply = [&](Error e) {
        TxnOffsetCommitResponse resp;
        resp.correlation_id = req.correlation_id;
        for (const auto& p : req.partitions) resp.partitions.push_back({p.tp, e});
        ctx.send(from, std::move(resp));
    };
    if (!is_loaded(partition_for(req.group_id))) return reply(Error::not_coordinator);
    // An unknown group is created, whatever the generation (older clients send none).
    Group& g = get_or_create(req.group_id);
    if (g.state == GroupState::dead) return reply(Error::coordinator_not_available);
    if (req.generation_id < 0 && g.state == GroupState::empty) {
        // A producer outside group management (or a pre-2.5 client): no group check.
    } else if (req.generation_id >= 0 || !req.member_id.empty() || req.group_instance_id) {
        // validateCurrentMember: the instance id must map to this member id, then the member
        // must be in the group; then the generation must be the group's. No state check: a
        // transactional commit is accepted during a rebalance too.
        if (req.group_instance_id) {
            const Member* owner = nullptr;
            for (const auto& [id, m] : g.members)
                if (m.group_instance_id == req.group_instance_id) owner = &m;
            if (owner == nullptr) return reply(Error::unknown_member_id);
            if (owner->member_id != req.member_id) return reply(Error::fenced_instance_id);
        }
        if (g.members.count(req.member_id) == 0) return reply(Error::unknown_member_id);
        if (req.generation_id != g.generation) return reply(Error::illegal_generation);
    }
    // GroupMetadata.prepareTxnOffsetCommit: pending (and so unstable) from now on.
    auto records = std::make_shared<GroupRecords>();
    auto& mine = g.pending_txn_offsets[req.producer_id];
    for (const auto& p : req.partitions) {
        OffsetCommitRecord o{g.group_id, p.tp, p.offset, p.leader_epoch, ctx.now()};
        mine[p.tp] = Group::PendingTxnOffset{o, std::nullopt};
        records->offsets.push_back(std::move(o));
    }
    PendingAppend a;
    a.partition = g.partition;
    a.group_id = g.group_id;
    a.is_commit = true;
    a.txn_producer_id = req.producer_id;
    a.txn_producer_epoch = req.producer_epoch;
    a.from = from;
    a.correlation_id = req.correlation_id;
    a.offsets = records->offsets;
    submit_append(std::move(a), std::move(records), ctx);
}

// GroupMetadataManager.storeOffsets' callback for a transactional commit: written, the pending
// offsets learn their place in the log (onTxnOffsetCommitAppend); failed, they are dropped
// (failPendingTxnOffsetCommit) and the producer retries or aborts.
void GroupCoordinator::complete_txn_commit_append(PendingAppend& a, Error error, Context& ctx) {
    auto git = groups_.find(a.group_id);
    if (git != groups_.end() && git->second.state != GroupState::dead) {
        auto& pending = git->second.pending_txn_offsets;
        auto pit = pending.find(*a.txn_producer_id);
        if (pit != pending.end()) {
            for (const auto& o : a.offsets) {
                auto e = pit->second.find(o.tp);
                if (e == pit->second.end()) continue;
                if (error != Error::none) {
                    pit->second.erase(e);
                } else if (e->second.record.offset == o.offset && e->second.record.leader_epoch == o.leader_epoch &&
                           e->second.record.commit_time == o.commit_time) {
                    e->second.position = a.base_offset;
                }
            }
            if (pit->second.empty()) pending.erase(pit);
        }
    }
    TxnOffsetCommitResponse resp;
    resp.correlation_id = a.correlation_id;
    for (const auto& o : a.offsets) resp.partitions.push_back({o.tp, error});
    ctx.send(a.from, std::move(resp));
}

bool GroupCoordinator::has_pending_commit(const Group& g, const GroupPartition& tp) const {
    for (const auto& [producer_id, offsets] : g.pending_txn_offsets)
        if (offsets.count(tp) != 0) return true;
    for (const PendingAppend& a : appends_) {
        if (!a.is_commit || a.group_id != g.group_id) continue;
        for (const auto& o : a.offsets)
            if (o.tp == tp) return true;
    }
    return false;
}

// CommitRecordMetadataAndOffset.olderThan: the offset written later in the log wins.
void GroupCoordinator::put_offset(Group& g, const OffsetCommitRecord& o, int64_t position) {
    auto it = g.offset_positions.find(o.tp);
    if (it != g.offset_positions.end() && it->second > position) return;
    g.offsets[o.tp] = o;
    g.offset_positions[o.tp] = position;
}

// GroupMetadataManager.handleTxnCompletion -> GroupMetadata.completePendingTxnOffsetCommit.
void GroupCoordinator::on_txn_completed(int64_t producer_id, const std::vector<int32_t>& partitions, bool commit,
                                        Context& ctx) {
    for (auto& [id, g] : groups_) {
        if (g.state == GroupState::dead || !is_loaded(g.partition) ||
            std::find(partitions.begin(), partitions.end(), g.partition) == partitions.end())
            continue;
        auto pit = g.pending_txn_offsets.find(producer_id);
        if (pit == g.pending_txn_offsets.end()) continue;
        int64_t applied = 0;
        if (commit) {
            for (const auto& [tp, p] : pit->second) {
                // Kafka throws here (IllegalStateException): a marker cannot precede the
                // commit's own append. Such an entry is left out.
                if (!p.position) continue;
                const auto before = g.offset_positions.find(tp);
                const bool older = before != g.offset_positions.end() && before->second > *p.position;
                put_offset(g, p.record, *p.position);
                if (!older) ++applied;
            }
        }
        ctx.emit(TxnOffsetsCompleted{.group = g.group_id,
                                     .producer_id = producer_id,
                                     .committed = commit,
                                     .partitions = static_cast<int64_t>(pit->second.size()),
                                     .applied = applied});
        g.pending_txn_offsets.erase(pit);
    }
}

void GroupCoordinator::on_high_watermark(int32_t partition, int64_t hw, Context& ctx) {
    for (size_t i = 0; i < appends_.size();) {
        if (appends_[i].partition == partition && appends_[i].required_offset <= hw) {
            PendingAppend a = std::move(appends_[i]);
            appends_.erase(appends_.begin() + static_cast<std::ptrdiff_t>(i));
            ctx.cancel_timer(a.timer);
            complete_append(a, Error::none, ctx);
        } else {
            ++i;
        }
    }
}

void GroupCoordinator::complete_append(PendingAppend& a, Error error, Context& ctx) {
    // The produce errors of an internal append reach clients as coordinator errors
    // (GroupMetadataManager.storeOffsets / storeGroup): UNKNOWN_TOPIC_OR_PARTITION and
    // NOT_ENOUGH_REPLICAS -> COORDINATOR_NOT_AVAILABLE, NOT_LEADER_OR_FOLLOWER -> NOT_COORDINATOR.
    // A timed-out offset commit stays REQUEST_TIMED_OUT; a timed-out group metadata write
    // sends the members back to rejoin (REBALANCE_IN_PROGRESS).
    Error mapped = error;
    if (error == Error::unknown_topic_or_partition || error == Error::not_enough_replicas ||
        error == Error::not_enough_replicas_after_append)
        mapped = Error::coordinator_not_available;
    if (error == Error::not_leader_or_follower) mapped = Error::not_coordinator;
    if (error == Error::request_timed_out && !a.is_commit) mapped = Error::rebalance_in_progress;
    auto git = groups_.find(a.group_id);
    if (a.txn_producer_id) {
        complete_txn_commit_append(a, mapped, ctx);
        return;
    }
    if (a.is_commit) {
        if (mapped == Error::none && git != groups_.end())
            for (const auto& o : a.offsets) put_offset(git->second, o, a.base_offset);
        OffsetCommitResponse resp;
        resp.correlation_id = a.correlation_id;
        resp.error = mapped;
        ctx.send(a.from, std::move(resp));
        return;
    }
    if (git == groups_.end()) return;
    Group& g = git->second;
    if (g.generation != a.generation || !g.syncing) return;  // a newer rebalance took over
    g.syncing = false;
    if (mapped != Error::none) {
        // GroupCoordinator: the assignment could not be stored; members rejoin.
        fail_pending_syncs(g, mapped, ctx);
        prepare_rebalance(g, "the group metadata could not be written", ctx);
        return;
    }
    g.state = GroupState::stable;
    trace_state(g, "the leader's assignment is stored", ctx);
    for (auto& [id, m] : g.members) {
        if (!m.awaiting_sync) continue;
        SyncGroupResponse resp;
        resp.correlation_id = *m.awaiting_sync;
        resp.assignment = m.assignment;
        resp.user_data = m.assignment_user_data;
        m.awaiting_sync.reset();
        ctx.send(m.node, std::move(resp));
    }
}

// ------------------------------------------------------------------------------ timers

void GroupCoordinator::on_timer(uint64_t t, Context& ctx) {
    const auto purpose = static_cast<Purpose>(sim::TimerSpace::kind_of(t));
    const uint64_t serial = sim::TimerSpace::value_of(t);
    switch (purpose) {
        case purpose_session: {
            auto it = session_timers_.find(serial);
            if (it == session_timers_.end()) return;
            auto [group_id, member_id] = it->second;
            session_timers_.erase(it);
            auto git = groups_.find(group_id);
            if (git == groups_.end()) return;
            auto mit = git->second.members.find(member_id);
            if (mit == git->second.members.end()) return;
            Member& m = mit->second;
            m.session_timer = sim::TimerId{};
            // A member waiting in a join or a sync is alive (shouldKeepAlive).
            if (m.awaiting_join || m.awaiting_sync) {
                arm_session(git->second, m, ctx);
                return;
            }
            remove_member(git->second, member_id, "session.timeout.ms expired", ctx);
            return;
        }
        case purpose_join: {
            auto it = join_timers_.find(serial);
            if (it == join_timers_.end()) return;
            Group& g = groups_.at(it->second);
            g.join_timer = sim::TimerId{};
            if (g.state != GroupState::preparing_rebalance) return;
            if (g.initial_delay) {
                // InitialDelayedJoin: wait another delay while members keep arriving, within
                // the rebalance timeout.
                const sim::Duration left = g.join_deadline - ctx.now();
                if (g.joined_during_delay && left.us > 0) {
                    g.joined_during_delay = false;
                    const int64_t wait = std::min(config_.group_initial_rebalance_delay_ms, left.ms());
                    g.join_timer = ctx.set_timer(sim::milliseconds(std::max<int64_t>(wait, 1)), tag(purpose_join, g.serial));
                    return;
                }
                // Then the join completes (InitialDelayedJoin.onComplete -> onCompleteJoin), whether
                // or not members that only got their id have joined with it.
                g.initial_delay = false;
                join_timers_.erase(it);
                complete_join(g, ctx);
                return;
            }
            join_timers_.erase(it);
            complete_join(g, ctx);
            return;
        }
        case purpose_pending: {
            auto it = pending_timers_.find(serial);
            if (it == pending_timers_.end()) return;
            auto [group_id, member_id] = it->second;
            pending_timers_.erase(it);
            auto git = groups_.find(group_id);
            if (git == groups_.end() || git->second.pending_members.erase(member_id) == 0) return;
            ctx.emit(
                GroupMemberRemoved{.group = group_id, .member = member_id, .reason = "a pending member never joined"});
            maybe_complete_join(git->second, ctx);
            return;
        }
        case purpose_append: {
            for (size_t i = 0; i < appends_.size(); ++i) {
                if (appends_[i].serial != serial) continue;
                PendingAppend a = std::move(appends_[i]);
                appends_.erase(appends_.begin() + static_cast<std::ptrdiff_t>(i));
                complete_append(a, Error::request_timed_out, ctx);
                return;
            }
            return;
        }
    }
}

// ------------------------------------------------------------------------------ loading

void GroupCoordinator::load_partition(int32_t partition, const std::vector<RecordBatch>& log, Context& ctx) {
    unload_partition(partition, ctx);
    loaded_.insert(partition);
    int64_t groups_loaded = 0;
    // GroupMetadataManager.doLoadGroupsAndOffsets: a transactional batch's offsets wait for its
    // producer's marker (COMMIT: kept where newer than the loaded offset; ABORT: dropped); those
    // still open at the end stay pending.
    struct Loaded {
        OffsetCommitRecord record;
        int64_t position = 0;
    };
    std::map<int64_t, std::map<std::pair<std::string, GroupPartition>, Loaded>> pending;
    for (const RecordBatch& b : log) {
        if (b.is_control) {
            auto pit = pending.find(b.producer_id);
            if (pit == pending.end()) continue;
            if (b.is_commit_marker())
                for (const auto& [key, l] : pit->second) put_offset(get_or_create(key.first), l.record, l.position);
            pending.erase(pit);
            continue;
        }
        if (!b.group_records) continue;
        for (const auto& o : b.group_records->offsets) {
            if (b.is_transactional)
                pending[b.producer_id][{o.group, o.tp}] = Loaded{o, b.base_offset};
            else
                put_offset(get_or_create(o.group), o, b.base_offset);
        }
        if (const auto& md = b.group_records->metadata) {
            Group& g = get_or_create(md->group);
            g.generation = md->generation;
            g.protocol = md->protocol;
            g.leader = md->leader;
            g.members.clear();
            g.join_order.clear();
            for (const auto& r : md->members) {
                Member m;
                m.member_id = r.member_id;
                m.group_instance_id = r.group_instance_id;
                m.client_id = r.client_id;
                m.session_timeout_ms = r.session_timeout_ms;
                m.rebalance_timeout_ms = r.rebalance_timeout_ms;
                m.subscription.topics = r.subscription;
                m.subscription.user_data = r.subscription_user_data;
                m.assignment = r.assignment;
                m.assignment_user_data = r.assignment_user_data;
                // GroupMetadataManager.readGroupMessageValue: a loaded member supports the
                // protocol the group selected (its metadata is stored with it). Without this,
                // every JoinGroup after a coordinator failover would get
                // INCONSISTENT_GROUP_PROTOCOL until the loaded members' sessions ran out.
                if (!md->protocol.empty()) m.protocols = {md->protocol};
                m.serial = next_serial_++;
                g.join_order.push_back(r.member_id);
                g.members.emplace(r.member_id, std::move(m));
            }
            g.state = g.members.empty() ? GroupState::empty : GroupState::stable;
        }
    }
    for (const auto& [producer_id, offsets] : pending)
        for (const auto& [key, l] : offsets)
            get_or_create(key.first).pending_txn_offsets[producer_id][key.second] =
                Group::PendingTxnOffset{l.record, l.position};
    // Loaded members get a full session to find the new coordinator.
    for (auto& [id, g] : groups_) {
        if (g.partition != partition) continue;
        ++groups_loaded;
        for (auto& [mid, m] : g.members) arm_session(g, m, ctx);
    }
    ctx.emit(CoordinatorLoaded{.partition = partition, .groups = groups_loaded});
}

void GroupCoordinator::unload_partition(int32_t partition, Context& ctx) {
    if (loaded_.erase(partition) == 0) return;
    for (auto it = appends_.begin(); it != appends_.end();) {
        if (it->partition != partition) {
            ++it;
            continue;
        }
        PendingAppend a = std::move(*it);
        it = appends_.erase(it);
        ctx.cancel_timer(a.timer);
        if (a.is_commit) complete_append(a, Error::not_leader_or_follower, ctx);
    }
    for (auto it = groups_.begin(); it != groups_.end();) {
        Group& g = it->second;
        if (g.partition != partition) {
            ++it;
            continue;
        }
        for (auto& [id, m] : g.members) {
            ctx.cancel_timer(m.session_timer);
            session_timers_.erase(m.serial);
            if (m.awaiting_join) {
                JoinGroupResponse resp;
                resp.correlation_id = *m.awaiting_join;
                resp.error = Error::not_coordinator;
                ctx.send(m.node, std::move(resp));
            }
            if (m.awaiting_sync) {
                SyncGroupResponse resp;
                resp.correlation_id = *m.awaiting_sync;
                resp.error = Error::not_coordinator;
                ctx.send(m.node, std::move(resp));
            }
        }
        ctx.cancel_timer(g.join_timer);
        join_timers_.erase(g.serial);
        it = groups_.erase(it);
    }
    ctx.emit(CoordinatorUnloaded{.partition = partition});
}

}  // namespace kafka
