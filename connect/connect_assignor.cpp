#include "connect/connect_assignor.hpp"

#include <algorithm>
#include <limits>

namespace kafka::connect {
namespace {

using WorkerLoad = ConnectAssignor::WorkerLoad;

template <typename T>
bool contains(const std::set<T>& s, const T& v) {
    return s.find(v) != s.end();
}

template <typename T>
bool contains(const std::vector<T>& s, const T& v) {
    return std::find(s.begin(), s.end(), v) != s.end();
}

template <typename T>
void erase_all(std::vector<T>& from, const std::set<T>& remove) {
    std::erase_if(from, [&](const T& v) { return contains(remove, v); });
}

// base minus every one of `subtract`.
ConnectorsAndTasks diff(const ConnectorsAndTasks& base, std::initializer_list<const ConnectorsAndTasks*> subtract) {
    ConnectorsAndTasks out = base;
    for (const auto* s : subtract) {
        for (const auto& c : s->connectors) out.connectors.erase(c);
        for (const auto& t : s->tasks) out.tasks.erase(t);
    }
    return out;
}

void add_all(ConnectorsAndTasks& to, const ConnectorsAndTasks& from) {
    to.connectors.insert(from.connectors.begin(), from.connectors.end());
    to.tasks.insert(from.tasks.begin(), from.tasks.end());
}

void add_all(std::map<std::string, ConnectorsAndTasks>& to, const std::map<std::string, ConnectorsAndTasks>& from) {
    for (const auto& [worker, work] : from) add_all(to[worker], work);
}

void remove_all(std::vector<WorkerLoad>& loads, const std::map<std::string, ConnectorsAndTasks>& remove) {
    for (auto& load : loads) {
        auto it = remove.find(load.worker);
        if (it == remove.end()) continue;
        erase_all(load.connectors, it->second.connectors);
        erase_all(load.tasks, it->second.tasks);
    }
}

// Each member's own work, in member id order, each list sorted and without repeats: the order
// in which load-balancing revocations pick what to take (Kafka takes a worker's first ones).
std::vector<WorkerLoad> worker_loads(const std::map<std::string, WorkerState>& members) {
    std::vector<WorkerLoad> out;
    for (const auto& [id, state] : members) {
        WorkerLoad load{id, state.connectors, state.tasks};
        std::sort(load.connectors.begin(), load.connectors.end());
        load.connectors.erase(std::unique(load.connectors.begin(), load.connectors.end()), load.connectors.end());
        std::sort(load.tasks.begin(), load.tasks.end());
        load.tasks.erase(std::unique(load.tasks.begin(), load.tasks.end()), load.tasks.end());
        out.push_back(std::move(load));
    }
    return out;
}

// Per member: what of `work` it runs.
std::map<std::string, ConnectorsAndTasks> intersection(const ConnectorsAndTasks& work,
                                                       const std::vector<WorkerLoad>& loads) {
    std::map<std::string, ConnectorsAndTasks> out;
    for (const auto& load : loads) {
        ConnectorsAndTasks mine;
        for (const auto& c : load.connectors)
            if (contains(work.connectors, c)) mine.connectors.insert(c);
        for (const auto& t : load.tasks)
            if (contains(work.tasks, t)) mine.tasks.insert(t);
        if (!mine.empty()) out.emplace(load.worker, std::move(mine));
    }
    return out;
}

ConnectorsAndTasks union_of(const std::vector<WorkerLoad>& loads) {
    ConnectorsAndTasks out;
    for (const auto& load : loads) {
        out.connectors.insert(load.connectors.begin(), load.connectors.end());
        out.tasks.insert(load.tasks.begin(), load.tasks.end());
    }
    return out;
}

// Work that more than one member runs (a zombie's, or a revocation that did not take effect).
ConnectorsAndTasks duplicated_assignments(const std::vector<WorkerLoad>& loads) {
    std::map<std::string, int> connector_counts;
    std::map<ConnectorTaskId, int> task_counts;
    for (const auto& load : loads) {
        for (const auto& c : load.connectors) ++connector_counts[c];
        for (const auto& t : load.tasks) ++task_counts[t];
    }
    ConnectorsAndTasks out;
    for (const auto& [c, n] : connector_counts)
        if (n > 1) out.connectors.insert(c);
    for (const auto& [t, n] : task_counts)
        if (n > 1) out.tasks.insert(t);
    return out;
}

// IncrementalCooperativeAssignor.loadBalancingRevocations (3.4+), for connectors or tasks: every
// worker may keep floor(total / workers), and the first workers (in order) that already hold one
// more may keep that extra one, as many as the remainder allows; the rest is revoked.
template <typename E>
std::map<std::string, std::vector<E>> load_balancing_revocations(std::size_t total,
                                                                  const std::vector<WorkerLoad>& workers,
                                                                  std::vector<E> WorkerLoad::*allocation) {
    const std::size_t n_workers = workers.size();
    const std::size_t min_per_worker = total / n_workers;
    const std::size_t workers_with_extra = total % n_workers;
    std::size_t at_min = 0;
    std::size_t at_min_plus_one = 0;
    for (const auto& w : workers) {
        const std::size_t size = (w.*allocation).size();
        if (size == min_per_worker) ++at_min;
        if (size == min_per_worker + 1) ++at_min_plus_one;
    }
    std::map<std::string, std::vector<E>> result;
    if (at_min_plus_one == workers_with_extra && at_min + at_min_plus_one == n_workers) return result;

    std::size_t extras_given = 0;
    for (const auto& w : workers) {
        const auto& held = w.*allocation;
        if (held.size() <= min_per_worker) continue;
        std::size_t max_for_worker = min_per_worker;
        if (extras_given < workers_with_extra) {
            ++extras_given;
            if (held.size() == min_per_worker + 1) continue;
            max_for_worker = min_per_worker + 1;
        }
        auto& revoked = result[w.worker];
        for (std::size_t i = 0; held.size() - i > max_for_worker && i < held.size(); ++i) revoked.push_back(held[i]);
    }
    return result;
}

std::map<std::string, ConnectorsAndTasks> perform_load_balancing_revocations(const ConnectorsAndTasks& configured,
                                                                             const std::vector<WorkerLoad>& workers) {
    std::map<std::string, ConnectorsAndTasks> result;
    const bool all_empty = std::all_of(workers.begin(), workers.end(), [](const WorkerLoad& w) { return w.empty(); });
    if (all_empty || configured.empty()) return result;
    for (auto& [w, cs] : load_balancing_revocations(configured.connectors.size(), workers, &WorkerLoad::connectors))
        result[w].connectors.insert(cs.begin(), cs.end());
    for (auto& [w, ts] : load_balancing_revocations(configured.tasks.size(), workers, &WorkerLoad::tasks))
        result[w].tasks.insert(ts.begin(), ts.end());
    return result;
}

// IncrementalCooperativeAssignor.performTaskRevocation before 3.4: only when some workers run
// nothing (they joined) and others run something, each busy worker gives up what it holds above
// ceil(active / workers), never going below floor(active / workers).
std::map<std::string, ConnectorsAndTasks> legacy_task_revocation(const ConnectorsAndTasks& active,
                                                                 const std::vector<WorkerLoad>& current) {
    std::map<std::string, ConnectorsAndTasks> revoking;
    std::vector<const WorkerLoad*> existing;
    for (const auto& w : current)
        if (!w.empty()) existing.push_back(&w);
    const std::size_t total_workers = current.size();
    const std::size_t new_workers = total_workers - existing.size();
    if (new_workers == 0 || existing.empty()) return revoking;

    auto revoke = [&](std::size_t total, auto member, auto insert) {
        const std::size_t floor = total / total_workers;
        const std::size_t ceil = floor + (total % total_workers == 0 ? 0 : 1);
        for (const WorkerLoad* w : existing) {
            const auto& held = w->*member;
            if (held.size() <= ceil) continue;
            std::size_t to_revoke = held.size() - ceil;
            std::size_t next = 0;
            for (std::size_t i = held.size(); i > floor && to_revoke > 0; --i, --to_revoke)
                insert(revoking[w->worker], held[next++]);
        }
    };
    revoke(active.connectors.size(), &WorkerLoad::connectors,
           [](ConnectorsAndTasks& r, const std::string& c) { r.connectors.insert(c); });
    revoke(active.tasks.size(), &WorkerLoad::tasks,
           [](ConnectorsAndTasks& r, const ConnectorTaskId& t) { r.tasks.insert(t); });
    return revoking;
}

// IncrementalCooperativeAssignor.assignConnectors / assignTasks: sort the workers by load (then
// id) once, and deal the items round-robin to the least-loaded ones, widening the circle each
// time the first worker's load reaches the next worker's.
template <typename E>
void assign_round_robin(std::vector<WorkerLoad>& workers, const std::set<E>& items,
                        std::vector<E> WorkerLoad::*allocation) {
    if (workers.empty() || items.empty()) return;
    std::sort(workers.begin(), workers.end(), [&](const WorkerLoad& a, const WorkerLoad& b) {
        const auto as = (a.*allocation).size();
        const auto bs = (b.*allocation).size();
        return as != bs ? as < bs : a.worker < b.worker;
    });
    auto item = items.begin();
    while (item != items.end()) {
        const std::size_t first_load = (workers[0].*allocation).size();
        std::size_t up_to = 0;
        while (up_to < workers.size() && (workers[up_to].*allocation).size() <= first_load) ++up_to;
        for (std::size_t i = 0; i < up_to && item != items.end(); ++i) (workers[i].*allocation).push_back(*item++);
    }
}

// ExponentialBackoff(initial 1 ms, multiplier 40, max scheduled.rebalance.max.delay.ms, no jitter).
int32_t revoking_backoff_ms(int32_t attempts, int32_t max_delay_ms) {
    if (max_delay_ms <= 0) return 0;
    int64_t term = 1;
    for (int32_t i = 0; i < attempts && term < max_delay_ms; ++i) term *= 40;
    return static_cast<int32_t>(std::min<int64_t>(term, max_delay_ms));
}

template <typename T>
std::vector<T> sorted(const std::set<T>& s) {
    return {s.begin(), s.end()};
}

}  // namespace

ConnectAssignor::ConnectAssignor(AssignorOptions options) : options_(options) {}

int32_t ConnectAssignor::max_delay_ms() const {
    // Kafka holds scheduled.rebalance.max.delay.ms in an int.
    return static_cast<int32_t>(std::clamp<int64_t>(options_.scheduled_rebalance_max_delay_ms, 0,
                                                    std::numeric_limits<int32_t>::max()));
}

std::map<std::string, WorkerAssignment> ConnectAssignor::assign(const std::string& leader_id,
                                                                const std::string& leader_url,
                                                                const ConfigSnapshot& configs,
                                                                const std::map<std::string, WorkerState>& members,
                                                                int32_t generation, int64_t now_ms) {
    return assign(leader_id, leader_url, configs, members, generation, generation - 1, now_ms);
}

std::map<std::string, WorkerAssignment> ConnectAssignor::assign(const std::string& leader_id,
                                                                const std::string& leader_url,
                                                                const ConfigSnapshot& configs,
                                                                const std::map<std::string, WorkerState>& members,
                                                                int32_t generation,
                                                                int32_t last_completed_generation, int64_t now_ms) {
    std::map<std::string, WorkerAssignment> out;
    if (members.empty()) return out;
    int64_t max_offset = members.begin()->second.config_offset;
    for (const auto& [id, state] : members) max_offset = std::max(max_offset, state.config_offset);
    if (configs.offset < max_offset) {
        // ensureLeaderConfig: the leader cannot assign from configs older than a member has seen.
        for (const auto& [id, state] : members) {
            WorkerAssignment& a = out[id];
            a.error = WorkerAssignment::config_mismatch;
            a.leader = leader_id;
            a.leader_url = leader_url;
            a.config_offset = max_offset;
        }
        return out;
    }
    if (options_.protocol == ConnectProtocol::eager) return assign_eager(leader_id, leader_url, configs, members);
    return assign_incremental(leader_id, leader_url, configs, members, generation, last_completed_generation, now_ms);
}

std::map<std::string, WorkerAssignment> ConnectAssignor::assign_eager(const std::string& leader_id,
                                                                      const std::string& leader_url,
                                                                      const ConfigSnapshot& configs,
                                                                      const std::map<std::string, WorkerState>& members) {
    std::map<std::string, WorkerAssignment> out;
    for (const auto& [id, state] : members) {
        WorkerAssignment& a = out[id];
        a.leader = leader_id;
        a.leader_url = leader_url;
        a.config_offset = configs.offset;
    }
    // One circular iterator over the sorted members: connectors first, then the tasks continue
    // where the connectors stopped, so one-task connectors do not pile connector and task on the
    // same workers.
    auto member = out.begin();
    auto next_member = [&]() -> WorkerAssignment& {
        if (member == out.end()) member = out.begin();
        return (member++)->second;
    };
    for (const auto& [connector, count] : configs.task_counts) next_member().connectors.push_back(connector);
    for (const auto& [connector, count] : configs.task_counts)
        for (int32_t task = 0; task < count; ++task) next_member().tasks.push_back(ConnectorTaskId{connector, task});
    for (auto& [id, a] : out) {
        std::sort(a.connectors.begin(), a.connectors.end());
        std::sort(a.tasks.begin(), a.tasks.end());
    }
    return out;
}

void ConnectAssignor::reset_delay() {
    candidate_workers_.clear();
    scheduled_rebalance_ms_ = 0;
    delay_ms_ = 0;
}

int32_t ConnectAssignor::calculate_delay(int64_t now_ms) const {
    const int64_t diff = scheduled_rebalance_ms_ - now_ms;
    return diff > 0 ? static_cast<int32_t>(std::min<int64_t>(diff, max_delay_ms())) : 0;
}

// IncrementalCooperativeAssignor.handleLostAssignments: decides what to do with the work of
// members that are gone. Returns the lost work to hand out as if it were new; work given back
// to candidate workers is put straight into `next`.
ConnectorsAndTasks ConnectAssignor::handle_lost_assignments(const ConnectorsAndTasks& lost,
                                                            std::vector<WorkerLoad>& next, int64_t now_ms) {
    // 3.4+ also comes through here after a revoking round, so that an expired backoff delay is
    // cleared; before 3.4 only lost work does.
    const bool nothing_to_do =
        options_.revoking_rebalance_backoff ? lost.empty() && !revoked_in_previous_ : lost.empty();
    if (nothing_to_do) {
        reset_delay();
        return {};
    }
    std::set<std::string> active_members;
    for (const auto& w : next) active_members.insert(w.worker);
    const bool nobody_left = std::includes(active_members.begin(), active_members.end(), previous_members_.begin(),
                                           previous_members_.end());
    if (scheduled_rebalance_ms_ <= 0 && nobody_left) {
        // KAFKA-9848: every previous member is still here, so the work went missing because some
        // member did not get the previous assignment; nobody is coming back for it.
        return lost;
    }
    if (max_delay_ms() == 0 && options_.zero_delay_reassigns_lost) return lost;  // KAFKA-15693

    if (scheduled_rebalance_ms_ > 0 && now_ms >= scheduled_rebalance_ms_) {
        // The delay is over: the lost work goes to the workers that joined empty during it (in
        // the order they were seen), or, if none is still here, to the least loaded.
        std::vector<WorkerLoad*> candidates;
        for (const auto& name : candidate_workers_)
            for (auto& w : next)
                if (w.worker == name) candidates.push_back(&w);
        ConnectorsAndTasks to_reassign;
        if (!candidates.empty()) {
            std::size_t i = 0;
            for (const auto& c : lost.connectors) candidates[i++ % candidates.size()]->connectors.push_back(c);
            i = 0;
            for (const auto& t : lost.tasks) candidates[i++ % candidates.size()]->tasks.push_back(t);
        } else {
            to_reassign = lost;
        }
        reset_delay();
        revoked_in_previous_ = false;
        return to_reassign;
    }
    // Hold the lost work for its owner: remember who joined empty, and (re)start the delay.
    // With max delay 0 before KAFKA-15693 this sets delay 0 and "scheduled" = now: no member
    // schedules a rejoin, and the work waits, unassigned, for whatever rebalance comes next.
    for (const auto& w : next)
        if (w.empty() && !contains(candidate_workers_, w.worker)) candidate_workers_.push_back(w.worker);
    delay_ms_ = now_ms < scheduled_rebalance_ms_ ? calculate_delay(now_ms) : max_delay_ms();
    scheduled_rebalance_ms_ = now_ms + delay_ms_;
    return {};
}

std::map<std::string, WorkerAssignment> ConnectAssignor::assign_incremental(
    const std::string& leader_id, const std::string& leader_url, const ConfigSnapshot& configs,
    const std::map<std::string, WorkerState>& members, int32_t generation, int32_t last_completed_generation,
    int64_t now_ms) {
    const bool backoff = options_.revoking_rebalance_backoff;
    // The leader's sync of the previous generation did not complete: its memory may be wrong.
    if (previous_generation_ != last_completed_generation) previous_assignment_ = {};

    ConnectorsAndTasks configured;
    for (const auto& [connector, count] : configs.task_counts) {
        configured.connectors.insert(connector);
        for (int32_t task = 0; task < count; ++task) configured.tasks.insert(ConnectorTaskId{connector, task});
    }
    const std::vector<WorkerLoad> member_loads = worker_loads(members);
    const ConnectorsAndTasks active = union_of(member_loads);

    // A revocation that did not take effect (the work still runs): start again from what runs.
    if (!previous_revocation_.empty()) {
        bool still_running = false;
        for (const auto& c : previous_revocation_.connectors) still_running |= contains(active.connectors, c);
        for (const auto& t : previous_revocation_.tasks) still_running |= contains(active.tasks, t);
        if (still_running) {
            previous_assignment_ = active;
            if (!backoff) can_revoke_ = true;
        }
        previous_revocation_ = {};
    }

    const ConnectorsAndTasks deleted = diff(previous_assignment_, {&configured});
    const ConnectorsAndTasks duplicated = duplicated_assignments(member_loads);
    const ConnectorsAndTasks lost = diff(previous_assignment_, {&active, &deleted});
    const ConnectorsAndTasks created = diff(configured, {&previous_assignment_, &active});

    // What each member runs now, minus deleted work: "newly assigned" is measured against it.
    std::vector<WorkerLoad> current = member_loads;
    remove_all(current, intersection(deleted, member_loads));

    std::map<std::string, ConnectorsAndTasks> to_revoke;
    const auto deleted_to_revoke = intersection(deleted, member_loads);
    const auto duplicated_to_revoke = intersection(duplicated, member_loads);
    add_all(to_revoke, deleted_to_revoke);
    add_all(to_revoke, duplicated_to_revoke);

    // What each member will run after this round; new and reassigned work is added to it below.
    std::vector<WorkerLoad> next = member_loads;
    remove_all(next, deleted_to_revoke);
    if (backoff) remove_all(next, duplicated_to_revoke);  // before 3.4 duplicates still counted as load

    const ConnectorsAndTasks lost_to_reassign = handle_lost_assignments(lost, next, now_ms);

    if (backoff) {
        // No load-balancing revocation while a delay runs (the lost work's owner may come back).
        if (delay_ms_ == 0) {
            const auto revocations = perform_load_balancing_revocations(configured, next);
            if (revoked_in_previous_ && !revocations.empty()) {
                // KAFKA-12495: a second revoking round in a row waits 40^n ms (n = rounds in a row
                // so far), capped at the max delay, so a flapping worker cannot cause a storm.
                ++num_successive_revoking_rebalances_;
                delay_ms_ = revoking_backoff_ms(num_successive_revoking_rebalances_, max_delay_ms());
                if (delay_ms_ != 0) {
                    scheduled_rebalance_ms_ = now_ms + delay_ms_;
                } else {
                    add_all(to_revoke, revocations);
                    remove_all(next, revocations);
                }
            } else if (!revocations.empty()) {
                add_all(to_revoke, revocations);
                remove_all(next, revocations);
                revoked_in_previous_ = true;
            } else if (revoked_in_previous_) {
                // Balanced again: the backoff starts over.
                revoked_in_previous_ = false;
                num_successive_revoking_rebalances_ = 0;
            }
        } else {
            revoked_in_previous_ = false;
        }
    } else {
        // Before 3.4: never revoke in two rounds in a row, nor while a delay runs, and only to
        // make room on workers that run nothing. Revoked work still counts as its worker's load
        // when this round's new work is dealt out.
        can_revoke_ = delay_ms_ == 0 && can_revoke_;
        if (can_revoke_) {
            const auto revocations = legacy_task_revocation(active, current);
            add_all(to_revoke, revocations);
            can_revoke_ = revocations.empty();
        } else {
            can_revoke_ = delay_ms_ == 0;
        }
    }

    ConnectorsAndTasks to_assign = created;
    add_all(to_assign, lost_to_reassign);
    assign_round_robin(next, to_assign.connectors, &WorkerLoad::connectors);
    assign_round_robin(next, to_assign.tasks, &WorkerLoad::tasks);

    // Remember what runs after this round: everything assigned, minus the revoked, plus the lost
    // work still held for its owner.
    ConnectorsAndTasks remembered = union_of(next);
    for (const auto& [worker, revoked] : to_revoke) {
        for (const auto& c : revoked.connectors) remembered.connectors.erase(c);
        for (const auto& t : revoked.tasks) remembered.tasks.erase(t);
        add_all(previous_revocation_, revoked);
    }
    add_all(remembered, lost);
    previous_assignment_ = std::move(remembered);
    previous_generation_ = generation;
    previous_members_.clear();
    for (const auto& [id, state] : members) previous_members_.insert(id);

    std::map<std::string, const WorkerLoad*> current_by_worker;
    for (const auto& w : current) current_by_worker[w.worker] = &w;
    std::map<std::string, WorkerAssignment> out;
    for (const auto& w : next) {
        WorkerAssignment& a = out[w.worker];
        a.leader = leader_id;
        a.leader_url = leader_url;
        a.config_offset = configs.offset;
        a.delay_ms = delay_ms_;
        const WorkerLoad* before = current_by_worker.at(w.worker);
        for (const auto& c : w.connectors)
            if (!contains(before->connectors, c)) a.connectors.push_back(c);
        for (const auto& t : w.tasks)
            if (!contains(before->tasks, t)) a.tasks.push_back(t);
        std::sort(a.connectors.begin(), a.connectors.end());
        std::sort(a.tasks.begin(), a.tasks.end());
        if (auto it = to_revoke.find(w.worker); it != to_revoke.end()) {
            a.revoked_connectors = sorted(it->second.connectors);
            a.revoked_tasks = sorted(it->second.tasks);
        }
    }
    return out;
}

}  // namespace kafka::connect
