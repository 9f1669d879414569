#include "broker/group/assignors.hpp"

#include <algorithm>
#include <cstdlib>
#include <deque>
#include <list>
#include <set>
#include <utility>

#include "broker/group/java_order.hpp"
#include "sim/world.hpp"

namespace kafka {

namespace {

bool java_less(std::string_view a, std::string_view b) { return java::string_compare(a, b) < 0; }

// ---------------------------------------------------------------------------------------------
// The leader's view of the group (ConsumerCoordinator.onLeaderElected + AbstractPartitionAssignor)

struct Member {
    const MemberSubscription* sub = nullptr;
    std::set<std::string> topic_names;  // the subscription as a set, including topics without metadata
    std::vector<int> topics;            // subscribed topics that have partitions, as topic indices
    int rank = 0;                       // position of member_id in Java string order
};

class Group {
public:
    Group(const std::map<std::string, int32_t>& partitions_per_topic, const std::vector<MemberSubscription>& input) {
        // HashMap.put in response order: a repeated member id keeps its first slot, last value.
        std::map<std::string_view, size_t> slot_of;
        std::vector<const MemberSubscription*> unique;
        for (const MemberSubscription& m : input) {
            auto [it, fresh] = slot_of.emplace(m.member_id, unique.size());
            if (fresh) {
                unique.push_back(&m);
            } else {
                unique[it->second] = &m;
            }
        }
        std::vector<int32_t> hashes;
        hashes.reserve(unique.size());
        for (const MemberSubscription* m : unique) hashes.push_back(java::string_hash(m->member_id));
        for (size_t i : java::hash_map_order(hashes)) {
            Member member;
            member.sub = unique[i];
            member.topic_names.insert(unique[i]->topics.begin(), unique[i]->topics.end());
            members.push_back(std::move(member));
        }

        // Only subscribed topics whose metadata has partitions take part.
        std::set<std::string_view> subscribed;
        for (const Member& m : members) subscribed.insert(m.topic_names.begin(), m.topic_names.end());
        for (std::string_view topic : subscribed) {
            auto it = partitions_per_topic.find(std::string(topic));
            if (it != partitions_per_topic.end() && it->second > 0) topic_names.emplace_back(topic);
        }
        std::sort(topic_names.begin(), topic_names.end(), java_less);
        for (size_t t = 0; t < topic_names.size(); ++t) {
            topic_index.emplace(topic_names[t], static_cast<int>(t));
            topic_hash.push_back(java::string_hash(topic_names[t]));
            first_pid.push_back(total);
            const int32_t count = partitions_per_topic.at(topic_names[t]);
            topic_partitions.push_back(count);
            for (int32_t p = 0; p < count; ++p) pid_topic.push_back(static_cast<int>(t));
            total += count;
        }
        for (Member& m : members) {
            std::set<int> seen;
            for (const std::string& name : m.sub->topics) {
                auto it = topic_index.find(name);
                if (it != topic_index.end() && seen.insert(it->second).second) m.topics.push_back(it->second);
            }
        }

        by_rank.resize(members.size());
        for (size_t i = 0; i < members.size(); ++i) by_rank[i] = static_cast<int>(i);
        std::sort(by_rank.begin(), by_rank.end(),
                  [&](int a, int b) { return java_less(id(a), id(b)); });
        for (size_t r = 0; r < by_rank.size(); ++r) members[static_cast<size_t>(by_rank[r])].rank = static_cast<int>(r);

        subscribed_to.assign(members.size() * topic_names.size(), 0);
        for (size_t m = 0; m < members.size(); ++m) {
            for (int t : members[m].topics) subscribed_to[m * topic_names.size() + static_cast<size_t>(t)] = 1;
        }
    }

    size_t size() const { return members.size(); }
    const std::string& id(int m) const { return members[static_cast<size_t>(m)].sub->member_id; }
    int32_t generation(int m) const { return members[static_cast<size_t>(m)].sub->generation; }
    bool subscribed(int m, int topic) const {
        return subscribed_to[static_cast<size_t>(m) * topic_names.size() + static_cast<size_t>(topic)] != 0;
    }
    int topic_of(int pid) const { return pid_topic[static_cast<size_t>(pid)]; }
    int32_t partition_of(int pid) const { return pid - first_pid[static_cast<size_t>(topic_of(pid))]; }
    int pid(int topic, int32_t partition) const { return first_pid[static_cast<size_t>(topic)] + partition; }
    GroupPartition partition(int pid) const {
        return {topic_names[static_cast<size_t>(topic_of(pid))], partition_of(pid)};
    }
    // The id of a partition that exists in the metadata, or -1.
    int find(const GroupPartition& tp) const {
        auto it = topic_index.find(tp.topic);
        if (it == topic_index.end()) return -1;
        if (tp.partition < 0 || tp.partition >= topic_partitions[static_cast<size_t>(it->second)]) return -1;
        return pid(it->second, tp.partition);
    }
    int32_t tp_hash(int pid) const {
        return java::topic_partition_hash(topic_hash[static_cast<size_t>(topic_of(pid))], partition_of(pid));
    }

    GroupAssignment result(const std::vector<std::vector<int>>& per_member) const {
        GroupAssignment out;
        for (size_t m = 0; m < members.size(); ++m) {
            std::vector<GroupPartition>& list = out[members[m].sub->member_id];
            std::vector<int> pids = per_member[m];
            std::sort(pids.begin(), pids.end());
            pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
            for (int p : pids) list.push_back(partition(p));
            std::sort(list.begin(), list.end());
        }
        return out;
    }

    std::vector<Member> members;         // in the leader's HashMap iteration order
    std::vector<int> by_rank;            // member indices in Java order of member id
    std::vector<std::string> topic_names;  // in Java string order
    std::map<std::string, int, std::less<>> topic_index;
    std::vector<int32_t> topic_partitions, topic_hash;
    std::vector<int> first_pid;  // partition ids: topics in name order, partitions ascending
    std::vector<int> pid_topic;
    int total = 0;

private:
    std::vector<char> subscribed_to;  // members x topics
};

// AbstractPartitionAssignor.MemberInfo's order: static members (by group.instance.id) before
// dynamic ones (by member id). Used with a stable sort over the HashMap order, as Kafka does.
bool member_info_less(const Member& a, const Member& b) {
    const auto& ia = a.sub->group_instance_id;
    const auto& ib = b.sub->group_instance_id;
    if (ia && ib) return java_less(*ia, *ib);
    if (ia || ib) return ia.has_value();
    return java_less(a.sub->member_id, b.sub->member_id);
}

std::vector<int> member_info_order(const Group& g, const std::vector<int>& subset) {
    std::vector<int> sorted = subset;
    std::stable_sort(sorted.begin(), sorted.end(), [&](int a, int b) {
        return member_info_less(g.members[static_cast<size_t>(a)], g.members[static_cast<size_t>(b)]);
    });
    return sorted;
}

// ---------------------------------------------------------------------------------------------
// RangeAssignor

GroupAssignment range_assign(const Group& g) {
    std::vector<std::vector<int>> assigned(g.size());
    for (size_t t = 0; t < g.topic_names.size(); ++t) {
        std::vector<int> subscribers;
        for (size_t m = 0; m < g.size(); ++m) {
            if (g.subscribed(static_cast<int>(m), static_cast<int>(t))) subscribers.push_back(static_cast<int>(m));
        }
        if (subscribers.empty()) continue;
        subscribers = member_info_order(g, subscribers);
        const int32_t partitions = g.topic_partitions[t];
        const auto consumers = static_cast<int32_t>(subscribers.size());
        const int32_t per_consumer = partitions / consumers;
        const int32_t with_extra = partitions % consumers;
        for (int32_t i = 0; i < consumers; ++i) {
            const int32_t start = per_consumer * i + std::min(i, with_extra);
            const int32_t length = per_consumer + (i < with_extra ? 1 : 0);
            for (int32_t p = start; p < start + length; ++p) {
                assigned[static_cast<size_t>(subscribers[static_cast<size_t>(i)])].push_back(g.pid(static_cast<int>(t), p));
            }
        }
    }
    return g.result(assigned);
}

// ---------------------------------------------------------------------------------------------
// RoundRobinAssignor

GroupAssignment roundrobin_assign(const Group& g) {
    std::vector<std::vector<int>> assigned(g.size());
    std::vector<int> all(g.size());
    for (size_t m = 0; m < g.size(); ++m) all[m] = static_cast<int>(m);
    const std::vector<int> circle = member_info_order(g, all);
    size_t at = 0;
    // Partition ids run over topics in name order, partitions ascending: allPartitionsSorted.
    for (int pid = 0; pid < g.total; ++pid) {
        const int topic = g.topic_of(pid);
        while (!g.subscribed(circle[at], topic)) at = (at + 1) % circle.size();
        assigned[static_cast<size_t>(circle[at])].push_back(pid);
        at = (at + 1) % circle.size();
    }
    return g.result(assigned);
}

// ---------------------------------------------------------------------------------------------
// AbstractStickyAssignor

// allSubscriptionsEqual: what each member validly owns once claims are settled by generation.
struct Ownership {
    bool all_subscriptions_equal = true;
    int32_t max_generation = -1;
    std::vector<std::vector<int>> owned;  // per member, in claim order
    std::set<int> claimed_twice;          // claimed by two members of one generation: nobody's
};

void erase_value(std::vector<int>& v, int value) {
    auto it = std::find(v.begin(), v.end(), value);
    if (it != v.end()) v.erase(it);
}

Ownership settle_ownership(const Group& g) {
    Ownership o;
    o.owned.resize(g.size());
    const std::set<std::string>* first_topics = nullptr;
    std::map<int, int> claimed_by;  // partition -> the member that claimed it last
    for (size_t mi = 0; mi < g.size(); ++mi) {
        const int m = static_cast<int>(mi);
        const Member& member = g.members[mi];
        // Kafka compares against the first non-empty subscription it meets, so an empty one
        // met first would count as equal to anything; here equality means equal sets.
        if (first_topics == nullptr) {
            first_topics = &member.topic_names;
        } else if (*first_topics != member.topic_names) {
            o.all_subscriptions_equal = false;
        }
        const int32_t generation = g.generation(m);
        o.max_generation = std::max(o.max_generation, generation);
        for (const GroupPartition& tp : member.sub->owned_partitions) {
            const int pid = g.find(tp);
            if (pid < 0) continue;  // topic gone (or no such partition)
            auto it = claimed_by.find(pid);
            if (it == claimed_by.end()) {
                o.owned[mi].push_back(pid);
                claimed_by.emplace(pid, m);
                continue;
            }
            const int other = it->second;
            const int32_t other_generation = g.generation(other);
            if (generation == other_generation) {
                o.claimed_twice.insert(pid);
                erase_value(o.owned[static_cast<size_t>(other)], pid);
                it->second = m;
            } else if (generation > other_generation) {
                o.owned[mi].push_back(pid);
                erase_value(o.owned[static_cast<size_t>(other)], pid);
                it->second = m;
            }
        }
    }
    return o;
}

struct StickyResult {
    std::vector<std::vector<int>> assigned;
    bool constrained = false;
    std::map<int, int> transferring;  // constrained path only: partition -> new owner
};

// The equal-subscriptions path (ConstrainedAssignmentBuilder, no racks).
StickyResult constrained_assign(const Group& g, const Ownership& o) {
    StickyResult r;
    r.constrained = true;
    const auto n = static_cast<int>(g.size());
    r.assigned.resize(g.size());
    const int min_quota = g.total / n;
    const int max_quota = (g.total + n - 1) / n;
    const int expected_over_min = g.total % n;
    int current_over_min = 0;

    std::vector<char> taken(static_cast<size_t>(g.total), 0);
    std::vector<char> revoked(static_cast<size_t>(g.total), 0);
    std::list<int> under_min;      // unfilledMembersWithUnderMinQuotaPartitions
    std::deque<int> exactly_min;   // unfilledMembersWithExactlyMinQuotaPartitions

    for (int m = 0; m < n; ++m) {
        std::vector<int> owned = o.owned[static_cast<size_t>(m)];
        std::sort(owned.begin(), owned.end(), [&](int a, int b) {
            const int32_t pa = g.partition_of(a), pb = g.partition_of(b);
            return pa != pb ? pa < pb : g.topic_of(a) < g.topic_of(b);
        });
        std::erase_if(owned, [&](int pid) { return o.claimed_twice.count(pid) != 0; });
        auto keep = [&](size_t count) {
            for (size_t i = 0; i < owned.size(); ++i) {
                const auto pid = static_cast<size_t>(owned[i]);
                if (i < count) {
                    r.assigned[static_cast<size_t>(m)].push_back(owned[i]);
                    taken[pid] = 1;
                } else {
                    revoked[pid] = 1;
                }
            }
        };
        const auto owned_count = static_cast<int>(owned.size());
        if (owned_count < min_quota) {
            keep(owned.size());
            under_min.push_back(m);
        } else if (owned_count >= max_quota && current_over_min < expected_over_min) {
            ++current_over_min;
            if (current_over_min == expected_over_min) exactly_min.clear();
            keep(static_cast<size_t>(max_quota));
        } else {
            keep(static_cast<size_t>(min_quota));
            if (current_over_min < expected_over_min) exactly_min.push_back(m);
        }
    }

    auto by_id = [&](int a, int b) { return g.members[static_cast<size_t>(a)].rank < g.members[static_cast<size_t>(b)].rank; };
    under_min.sort(by_id);
    std::stable_sort(exactly_min.begin(), exactly_min.end(), by_id);

    // Round-robin over the members under minQuota (restarting from the first while any is
    // left), then one each to the members at exactly minQuota, in order.
    auto it = under_min.begin();
    auto last = under_min.end();
    for (int pid = 0; pid < g.total; ++pid) {
        if (taken[static_cast<size_t>(pid)]) continue;
        int m;
        if (it != under_min.end()) {
            last = it;
            m = *it++;
        } else {
            SIM_ASSERT(!under_min.empty() || !exactly_min.empty(), "sticky: no more unfilled consumers to be assigned");
            if (under_min.empty()) {
                m = exactly_min.front();
                exactly_min.pop_front();
                last = under_min.end();
            } else {
                it = under_min.begin();
                last = it;
                m = *it++;
            }
        }
        std::vector<int>& mine = r.assigned[static_cast<size_t>(m)];
        mine.push_back(pid);
        if (revoked[static_cast<size_t>(pid)] || o.claimed_twice.count(pid)) r.transferring[pid] = m;
        const auto count = static_cast<int>(mine.size());
        if (count == min_quota) {
            SIM_ASSERT(last != under_min.end(), "sticky: a member at minQuota was not in the unfilled list");
            under_min.erase(last);
            last = under_min.end();
            exactly_min.push_back(m);
        } else if (count == max_quota) {
            ++current_over_min;
        }
    }
    for (int m : under_min) {
        SIM_ASSERT(current_over_min == expected_over_min, "sticky: fewer members above minQuota than expected");
        SIM_ASSERT(static_cast<int>(r.assigned[static_cast<size_t>(m)].size()) == min_quota,
                   "sticky: a member below minQuota with no partitions left");
    }
    return r;
}

// PartitionMovements: which partitions moved between which members during balancing, so a
// partition moving back the way another one came is swapped for that one instead.
class PartitionMovements {
public:
    explicit PartitionMovements(const Group& g) : g_(g) {}

    int actual_partition_to_move(int pid, int old_owner, int new_owner) const {
        const int topic = g_.topic_of(pid);
        auto topic_it = by_topic_.find(topic);
        if (topic_it == by_topic_.end()) return pid;
        if (auto moved = by_partition_.find(pid); moved != by_partition_.end()) old_owner = moved->second.first;
        auto pair_it = topic_it->second.find({new_owner, old_owner});
        if (pair_it == topic_it->second.end()) return pid;
        return static_cast<int>(pair_it->second.first());
    }

    void move(int pid, int old_owner, int new_owner) {
        if (by_partition_.count(pid)) {
            const std::pair<int, int> existing = remove_record(pid);
            if (existing.first != new_owner) add_record(pid, {existing.first, new_owner});
        } else {
            add_record(pid, {old_owner, new_owner});
        }
    }

private:
    std::pair<int, int> remove_record(int pid) {
        auto it = by_partition_.find(pid);
        const std::pair<int, int> pair = it->second;
        by_partition_.erase(it);
        auto& topic_moves = by_topic_[g_.topic_of(pid)];
        auto set_it = topic_moves.find(pair);
        set_it->second.remove(static_cast<uint64_t>(pid));
        if (set_it->second.empty()) topic_moves.erase(set_it);
        if (topic_moves.empty()) by_topic_.erase(g_.topic_of(pid));
        return pair;
    }

    void add_record(int pid, std::pair<int, int> pair) {
        by_partition_[pid] = pair;
        by_topic_[g_.topic_of(pid)][pair].add(static_cast<uint64_t>(pid), g_.tp_hash(pid));
    }

    const Group& g_;
    std::map<int, std::pair<int, int>> by_partition_;  // partition -> (first owner, current owner)
    std::map<int, std::map<std::pair<int, int>, java::HashSetOrder>> by_topic_;
};

// The general path (GeneralAssignmentBuilder, no racks).
class GeneralAssignment {
public:
    GeneralAssignment(const Group& g, const Ownership& o)
        : g_(g), o_(o), assigned_(g.size()), owner_(static_cast<size_t>(g.total), -1), fixed_(g.size(), 0), moves_(g) {
        topic_consumers_.resize(g.topic_names.size());
        for (size_t m = 0; m < g.size(); ++m) {
            for (int t : g.members[m].topics) topic_consumers_[static_cast<size_t>(t)].push_back(static_cast<int>(m));
        }
        // sortedAllPartitions: topics by number of potential consumers, then name.
        std::vector<int> topics(g.topic_names.size());
        for (size_t t = 0; t < topics.size(); ++t) topics[t] = static_cast<int>(t);
        std::sort(topics.begin(), topics.end(), [&](int a, int b) {
            const size_t ca = topic_consumers_[static_cast<size_t>(a)].size();
            const size_t cb = topic_consumers_[static_cast<size_t>(b)].size();
            return ca != cb ? ca < cb : a < b;
        });
        for (int t : topics) {
            for (int32_t p = 0; p < g.topic_partitions[static_cast<size_t>(t)]; ++p) sorted_partitions_.push_back(g.pid(t, p));
        }
    }

    std::vector<std::vector<int>> build() {
        prepopulate_previous();
        // assignOwnedPartitions: keep what is still subscribed.
        for (size_t m = 0; m < g_.size(); ++m) {
            for (int pid : o_.owned[m]) owner_[static_cast<size_t>(pid)] = static_cast<int>(m);
        }
        std::vector<char> kept(static_cast<size_t>(g_.total), 0);
        for (size_t m = 0; m < g_.size(); ++m) {
            for (int pid : o_.owned[m]) {
                if (g_.subscribed(static_cast<int>(m), g_.topic_of(pid))) {
                    assigned_[m].insert(pid);
                    kept[static_cast<size_t>(pid)] = 1;
                } else {
                    revocation_required_ = true;
                }
            }
        }
        std::vector<int> unassigned;
        for (int pid : sorted_partitions_) {
            if (!kept[static_cast<size_t>(pid)]) unassigned.push_back(pid);
        }
        for (size_t m = 0; m < g_.size(); ++m) sorted_.insert(key(static_cast<int>(m)));
        balance(unassigned);
        std::vector<std::vector<int>> out(g_.size());
        for (size_t m = 0; m < g_.size(); ++m) out[m].assign(assigned_[m].begin(), assigned_[m].end());
        return out;
    }

private:
    using Key = std::pair<size_t, int>;  // (partitions assigned, rank of member id)
    Key key(int m) const { return {assigned_[static_cast<size_t>(m)].size(), g_.members[static_cast<size_t>(m)].rank}; }
    int member_of(const Key& k) const { return g_.by_rank[static_cast<size_t>(k.second)]; }
    size_t count(int m) const { return assigned_[static_cast<size_t>(m)].size(); }

    // Partitions claimed by members of an older generation than the newest: where each last
    // was before (the highest older generation wins; the first in map order on a tie).
    void prepopulate_previous() {
        for (size_t m = 0; m < g_.size(); ++m) {
            const int32_t generation = g_.generation(static_cast<int>(m));
            if (generation >= o_.max_generation) continue;
            for (const GroupPartition& tp : g_.members[m].sub->owned_partitions) {
                const int pid = g_.find(tp);
                if (pid < 0) continue;
                auto it = previous_.find(pid);
                if (it == previous_.end() || generation > it->second.second) {
                    previous_[pid] = {static_cast<int>(m), generation};
                }
            }
        }
    }

    size_t max_assignment_size(int m) const {
        size_t total = 0;
        for (int t : g_.members[static_cast<size_t>(m)].topics) total += static_cast<size_t>(g_.topic_partitions[static_cast<size_t>(t)]);
        return total;
    }

    bool topic_can_move(int topic) const { return topic_consumers_[static_cast<size_t>(topic)].size() >= 2; }

    bool member_can_move(int m) const {
        if (count(m) < max_assignment_size(m)) return true;
        return std::any_of(assigned_[static_cast<size_t>(m)].begin(), assigned_[static_cast<size_t>(m)].end(),
                           [&](int pid) { return topic_can_move(g_.topic_of(pid)); });
    }

    bool is_balanced() const {
        SIM_ASSERT(!sorted_.empty(), "sticky: balance check with no member to balance");
        const size_t min = sorted_.begin()->first;
        const size_t max = sorted_.rbegin()->first;
        if (min + 1 >= max) return true;
        // No member may be able to take a partition from one holding two more than it.
        for (const Key& k : sorted_) {
            const int m = member_of(k);
            const size_t mine = k.first;
            if (mine == max_assignment_size(m)) continue;
            for (int t : g_.members[static_cast<size_t>(m)].topics) {
                for (int32_t p = 0; p < g_.topic_partitions[static_cast<size_t>(t)]; ++p) {
                    const int other = owner_[static_cast<size_t>(g_.pid(t, p))];
                    if (other == m || other < 0 || fixed_[static_cast<size_t>(other)]) continue;
                    if (mine + 1 < count(other)) return false;
                }
            }
        }
        return true;
    }

    // getBalanceScore: the sum of the count differences over all pairs of movable members.
    int balance_score(const std::vector<std::set<int>>& assignment) const {
        int score = 0;
        for (size_t a = 0; a < g_.size(); ++a) {
            if (fixed_[a]) continue;
            for (size_t b = a + 1; b < g_.size(); ++b) {
                if (fixed_[b]) continue;
                score += std::abs(static_cast<int>(assignment[a].size()) - static_cast<int>(assignment[b].size()));
            }
        }
        return score;
    }

    void assign_to_least_loaded(int pid) {
        const int topic = g_.topic_of(pid);
        for (auto it = sorted_.begin(); it != sorted_.end(); ++it) {
            const int m = member_of(*it);
            if (!g_.subscribed(m, topic)) continue;
            sorted_.erase(it);
            assigned_[static_cast<size_t>(m)].insert(pid);
            owner_[static_cast<size_t>(pid)] = m;
            sorted_.insert(key(m));
            return;
        }
    }

    void process_movement(int pid, int new_owner) {
        const int old_owner = owner_[static_cast<size_t>(pid)];
        sorted_.erase(key(old_owner));
        sorted_.erase(key(new_owner));
        moves_.move(pid, old_owner, new_owner);
        assigned_[static_cast<size_t>(old_owner)].erase(pid);
        assigned_[static_cast<size_t>(new_owner)].insert(pid);
        owner_[static_cast<size_t>(pid)] = new_owner;
        sorted_.insert(key(new_owner));
        sorted_.insert(key(old_owner));
    }

    void reassign(int pid, int new_owner) {
        const int moved = moves_.actual_partition_to_move(pid, owner_[static_cast<size_t>(pid)], new_owner);
        process_movement(moved, new_owner);
    }

    void reassign_to_least_loaded(int pid) {
        const int topic = g_.topic_of(pid);
        int target = -1;
        for (const Key& k : sorted_) {
            if (g_.subscribed(member_of(k), topic)) {
                target = member_of(k);
                break;
            }
        }
        SIM_ASSERT(target >= 0, "sticky: no member to move a partition to");
        reassign(pid, target);
    }

    bool perform_reassignments(const std::vector<int>& partitions) {
        bool performed = false;
        bool modified;
        do {
            modified = false;
            for (int pid : partitions) {
                if (is_balanced()) break;
                const int topic = g_.topic_of(pid);
                const int owner = owner_[static_cast<size_t>(pid)];
                SIM_ASSERT(owner >= 0 && !fixed_[static_cast<size_t>(owner)], "sticky: a movable partition without a movable owner");
                if (auto prev = previous_.find(pid); prev != previous_.end()) {
                    // Back to where it was, if that member is still here and can take it.
                    // (Kafka would fail on a previous owner outside the balancing scope and
                    // would move it to a previous owner no longer subscribed to the topic.)
                    const int previous_owner = prev->second.first;
                    if (!fixed_[static_cast<size_t>(previous_owner)] && g_.subscribed(previous_owner, topic) &&
                        count(owner) > count(previous_owner) + 1) {
                        reassign(pid, previous_owner);
                        performed = modified = true;
                        continue;
                    }
                }
                for (int other : topic_consumers_[static_cast<size_t>(topic)]) {
                    if (count(owner) > count(other) + 1) {
                        reassign_to_least_loaded(pid);
                        performed = modified = true;
                        break;
                    }
                }
            }
        } while (modified);
        return performed;
    }

    void balance(std::vector<int> unassigned) {
        const bool initializing = sorted_.rbegin()->first == 0;
        for (int pid : unassigned) {
            if (!topic_consumers_[static_cast<size_t>(g_.topic_of(pid))].empty()) assign_to_least_loaded(pid);
        }
        // Only partitions of topics with two or more potential consumers can move, and only
        // members that lack some partition or hold a movable one take part.
        std::erase_if(sorted_partitions_, [&](int pid) { return !topic_can_move(g_.topic_of(pid)); });
        std::erase_if(unassigned, [&](int pid) { return !topic_can_move(g_.topic_of(pid)); });
        for (size_t m = 0; m < g_.size(); ++m) {
            if (member_can_move(static_cast<int>(m))) continue;
            sorted_.erase(key(static_cast<int>(m)));
            fixed_[m] = 1;
        }
        std::vector<std::set<int>> before = assigned_;
        const std::vector<int> owner_before = owner_;
        // With no subscription change forcing revocations, first try moving only new partitions.
        if (!revocation_required_) perform_reassignments(unassigned);
        const bool performed = perform_reassignments(sorted_partitions_);
        // Moves that do not improve the balance score are undone.
        if (!initializing && performed && balance_score(assigned_) >= balance_score(before)) {
            assigned_ = std::move(before);
            owner_ = owner_before;
        }
    }

    const Group& g_;
    const Ownership& o_;
    std::vector<std::vector<int>> topic_consumers_;  // per topic, members in map order
    std::vector<int> sorted_partitions_;
    std::vector<std::set<int>> assigned_;
    std::vector<int> owner_;  // currentPartitionConsumer
    std::vector<char> fixed_;
    std::set<Key> sorted_;  // sortedCurrentSubscriptions
    std::map<int, std::pair<int, int>> previous_;  // partition -> (member, generation)
    bool revocation_required_ = false;
    PartitionMovements moves_;
};

StickyResult sticky_assign(const Group& g) {
    if (g.size() == 0) return {};
    const Ownership o = settle_ownership(g);
    if (o.all_subscriptions_equal) return constrained_assign(g, o);
    StickyResult r;
    r.assigned = GeneralAssignment(g, o).build();
    return r;
}

// CooperativeStickyAssignor: withhold every partition that changes owner this round.
void withhold_transfers(const Group& g, StickyResult& r) {
    std::map<int, int> transferring = r.transferring;
    if (!r.constrained) {
        // computePartitionsTransferringOwnership, against the owned partitions as reported.
        std::set<GroupPartition> revoked;
        for (size_t m = 0; m < g.size(); ++m) {
            std::set<int> mine(r.assigned[m].begin(), r.assigned[m].end());
            for (const GroupPartition& tp : g.members[m].sub->owned_partitions) {
                const int pid = g.find(tp);
                if (pid < 0 || !mine.count(pid)) revoked.insert(tp);
            }
        }
        for (size_t m = 0; m < g.size(); ++m) {
            const auto& owned = g.members[m].sub->owned_partitions;
            for (int pid : r.assigned[m]) {
                const GroupPartition tp = g.partition(pid);
                if (std::find(owned.begin(), owned.end(), tp) == owned.end() && revoked.count(tp)) {
                    transferring[pid] = static_cast<int>(m);
                }
            }
        }
    }
    for (const auto& [pid, m] : transferring) erase_value(r.assigned[static_cast<size_t>(m)], pid);
}

// ---------------------------------------------------------------------------------------------

class RangeAssignor final : public PartitionAssignor {
public:
    std::string_view name() const override { return "range"; }
    bool cooperative() const override { return false; }
    GroupAssignment assign(const std::map<std::string, int32_t>& partitions_per_topic,
                           const std::vector<MemberSubscription>& members) const override {
        return range_assign(Group(partitions_per_topic, members));
    }
};

class RoundRobinAssignor final : public PartitionAssignor {
public:
    std::string_view name() const override { return "roundrobin"; }
    bool cooperative() const override { return false; }
    GroupAssignment assign(const std::map<std::string, int32_t>& partitions_per_topic,
                           const std::vector<MemberSubscription>& members) const override {
        return roundrobin_assign(Group(partitions_per_topic, members));
    }
};

class StickyAssignor final : public PartitionAssignor {
public:
    explicit StickyAssignor(bool cooperative) : cooperative_(cooperative) {}
    std::string_view name() const override { return cooperative_ ? "cooperative-sticky" : "sticky"; }
    bool cooperative() const override { return cooperative_; }
    GroupAssignment assign(const std::map<std::string, int32_t>& partitions_per_topic,
                           const std::vector<MemberSubscription>& members) const override {
        const Group g(partitions_per_topic, members);
        StickyResult r = sticky_assign(g);
        r.assigned.resize(g.size());
        if (cooperative_) withhold_transfers(g, r);
        return g.result(r.assigned);
    }

private:
    bool cooperative_;
};

}  // namespace

std::unique_ptr<PartitionAssignor> make_assignor(std::string_view name) {
    constexpr std::string_view prefix = "org.apache.kafka.clients.consumer.";
    if (name == "range" || name == std::string(prefix) + "RangeAssignor") return std::make_unique<RangeAssignor>();
    if (name == "roundrobin" || name == std::string(prefix) + "RoundRobinAssignor") return std::make_unique<RoundRobinAssignor>();
    if (name == "sticky" || name == std::string(prefix) + "StickyAssignor") return std::make_unique<StickyAssignor>(false);
    if (name == "cooperative-sticky" || name == std::string(prefix) + "CooperativeStickyAssignor") {
        return std::make_unique<StickyAssignor>(true);
    }
    return nullptr;
}

std::vector<GroupPartition> partitions_to_revoke(const std::vector<GroupPartition>& owned,
                                                 const std::vector<GroupPartition>& assigned) {
    const std::set<GroupPartition> keep(assigned.begin(), assigned.end());
    std::set<GroupPartition> revoke;
    for (const GroupPartition& tp : owned) {
        if (!keep.count(tp)) revoke.insert(tp);
    }
    return {revoke.begin(), revoke.end()};
}

}  // namespace kafka
