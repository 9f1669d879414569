// The consumer-group checks (named in SCENARIOS.md's style; documented in the README):
//
//   at-least-once        every acknowledged record reached every group (some member of it)
//                        by the end of the run, unless the group stopped before the record
//                        was acknowledged;
//   no-poll-skip         within one assignment a member never jumps over committed records
//                        of a partition it reads;
//   committed-monotonic  within one generation a group's committed offset of a partition
//                        never moves backwards.
//
// Each takes an optional "group"; without it every consumer group of the scenario is checked.
#include <algorithm>
#include <map>
#include <set>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {

namespace {
using namespace checkers;

std::vector<std::string> groups_checked(const ExpectSpec& spec, const RunData& run) {
    if (!spec.group.empty()) return {spec.group};
    std::vector<std::string> out;
    for (const auto& c : run.scenario.consumers)
        if (c.group) out.push_back(*c.group);
    return out;
}

// Record sequence ranges [first, end) per (producing client, partition), merged.
class SeqCoverage {
public:
    void add(uint32_t client, kafka::TopicPartition tp, uint32_t first, uint32_t end) {
        if (end > first) ranges_[{client, tp}].emplace_back(first, end);
    }
    void finish() {
        for (auto& [key, v] : ranges_) {
            std::sort(v.begin(), v.end());
            std::vector<std::pair<uint32_t, uint32_t>> merged;
            for (const auto& r : v) {
                if (!merged.empty() && r.first <= merged.back().second)
                    merged.back().second = std::max(merged.back().second, r.second);
                else
                    merged.push_back(r);
            }
            v = std::move(merged);
        }
    }
    // The parts of [first, end) not covered, appended to `missing`.
    void uncovered(uint32_t client, kafka::TopicPartition tp, uint32_t first, uint32_t end,
                   std::vector<std::pair<uint32_t, uint32_t>>& missing) const {
        auto it = ranges_.find({client, tp});
        uint32_t at = first;
        if (it != ranges_.end()) {
            const auto& v = it->second;
            auto r = std::upper_bound(v.begin(), v.end(), std::make_pair(at, UINT32_MAX));
            if (r != v.begin()) --r;
            for (; r != v.end() && r->first < end; ++r) {
                if (r->second <= at) continue;
                if (r->first > at) missing.emplace_back(at, r->first);
                at = std::max(at, r->second);
                if (at >= end) return;
            }
        }
        if (at < end) missing.emplace_back(at, end);
    }

private:
    std::map<std::pair<uint32_t, kafka::TopicPartition>, std::vector<std::pair<uint32_t, uint32_t>>> ranges_;
};

std::optional<sim::Time> group_stops_at(const RunData& run, const std::string& group) {
    for (const auto& c : run.scenario.consumers)
        if (c.group && *c.group == group && c.until) return sim::time_zero + *c.until;
    return std::nullopt;
}

// Whether the final committed log of `tp` holds any record at offsets [from, to).
bool committed_records_between(const RunData& run, kafka::TopicPartition tp, int64_t from, int64_t to) {
    const PartitionSnapshot* p = run.final_state.find(tp);
    const ReplicaSnapshot* source = p == nullptr ? nullptr : p->committed_source();
    if (source == nullptr) return false;
    to = std::min(to, p->committed_end());
    auto it = std::upper_bound(source->batches.begin(), source->batches.end(), from,
                               [](int64_t o, const kafka::RecordBatch& b) { return o < b.next_offset(); });
    return it != source->batches.end() && it->base_offset < to;
}

}  // namespace

CheckResult check_at_least_once(const ExpectSpec& spec, const RunData& run) {
    const History& h = history_of(run);
    CheckResult result;
    Evidence evidence;
    const std::vector<std::string> groups = groups_checked(spec, run);
    int64_t acked = 0, missing_total = 0;
    std::vector<std::string> failing;
    for (const std::string& group : groups) {
        SeqCoverage delivered;
        for (const PollOp& p : h.polls())
            if (group_of_name(h.client_name(p.consumer)) == group)
                delivered.add(p.producer, p.tp, p.first_seq, p.first_seq + static_cast<uint32_t>(p.count));
        delivered.finish();
        const std::optional<sim::Time> stops = group_stops_at(run, group);
        int64_t missing = 0;
        for (const AckOp& a : h.acks()) {
            if (stops && a.t >= *stops) continue;  // the group had stopped reading
            acked += a.records.count;
            std::vector<std::pair<uint32_t, uint32_t>> gaps;
            delivered.uncovered(a.records.client, a.records.tp, a.records.first_seq, a.records.end_seq(), gaps);
            for (const auto& [first, end] : gaps) {
                missing += end - first;
                evidence.add_lazy([&, first = first, end = end] {
                    return "group " + group + " never got " + client_text(run, a.records.client) + " " +
                           partition_text(run, a.records.tp) + " seq " + span_text(first, end - 1) +
                           " (acknowledged at " + sim::format_time(a.t) + ")";
                });
            }
        }
        if (missing > 0) failing.push_back(group + " (" + count_text(missing, "record") + ")");
        missing_total += missing;
    }
    result.holds = missing_total == 0 && !groups.empty();
    if (groups.empty()) {
        result.summary = "no consumer group in the scenario";
    } else if (result.holds) {
        result.summary = "every acknowledged record reached " +
                         (groups.size() == 1 ? "group " + groups.front() : count_text(static_cast<int64_t>(groups.size()), "group")) +
                         " at least once";
    } else {
        std::string list;
        for (size_t i = 0; i < failing.size(); ++i) list += (i ? ", " : "") + failing[i];
        result.summary = count_text(missing_total, "acknowledged record") + " never delivered: " + list;
    }
    result.evidence = evidence.take();
    return result;
}

CheckResult check_no_poll_skip(const ExpectSpec& spec, const RunData& run) {
    const History& h = history_of(run);
    const std::vector<std::string> groups = groups_checked(spec, run);
    const std::set<std::string> wanted(groups.begin(), groups.end());
    CheckResult result;
    Evidence evidence;
    int64_t skips = 0, polls = 0;
    std::map<std::pair<uint32_t, kafka::TopicPartition>, std::pair<uint64_t, int64_t>> next;  // -> (epoch, offset)
    std::map<uint32_t, uint64_t> epoch;
    size_t a = 0;
    const auto& all = h.polls();
    for (size_t i = 0; i < all.size(); ++i) {
        while (a < h.assignments().size() && h.assignments()[a].polls_before <= i) ++epoch[h.assignments()[a++].consumer];
        const PollOp& p = all[i];
        if (p.count <= 0 || wanted.count(group_of_name(h.client_name(p.consumer))) == 0) continue;
        ++polls;
        const uint64_t e = epoch[p.consumer];
        auto [it, first] = next.try_emplace({p.consumer, p.tp}, e, p.first_offset);
        if (!first && it->second.first == e && p.first_offset > it->second.second &&
            committed_records_between(run, p.tp, it->second.second, p.first_offset)) {
            ++skips;
            const int64_t from = it->second.second;
            evidence.add_lazy([&] {
                return client_text(run, p.consumer) + " " + partition_text(run, p.tp) + " at " + sim::format_time(p.t) +
                       " read from offset " + std::to_string(p.first_offset) + " after reading up to " +
                       std::to_string(from - 1) + ": committed offsets " + span_text(from, p.first_offset - 1) +
                       " skipped inside one assignment";
            });
        }
        it->second = {e, p.first_offset + p.count};
    }
    result.holds = skips == 0;
    result.summary = result.holds ? count_text(polls, "poll") + " by group members, none skipped committed records"
                                  : count_text(skips, "poll") + " skipped committed records inside an assignment";
    result.evidence = evidence.take();
    return result;
}

CheckResult check_committed_monotonic(const ExpectSpec& spec, const RunData& run) {
    const History& h = history_of(run);
    const std::vector<std::string> groups = groups_checked(spec, run);
    const std::set<std::string> wanted(groups.begin(), groups.end());
    CheckResult result;
    Evidence evidence;
    int64_t commits = 0, backwards = 0;
    // (group, generation, tp) -> highest committed offset so far, and who committed it
    std::map<std::tuple<std::string, int32_t, kafka::TopicPartition>, std::pair<int64_t, const CommitOp*>> high;
    for (const CommitOp& c : h.commits()) {
        const std::string group = group_of_name(h.client_name(c.consumer));
        if (wanted.count(group) == 0) continue;
        ++commits;
        auto [it, first] = high.try_emplace({group, c.generation, c.tp}, c.offset, &c);
        if (!first && c.offset < it->second.first) {
            ++backwards;
            const CommitOp* before = it->second.second;
            evidence.add_lazy([&] {
                return "group " + group + " generation " + std::to_string(c.generation) + " " + partition_text(run, c.tp) +
                       ": " + client_text(run, c.consumer) + " committed " + std::to_string(c.offset) + " at " +
                       sim::format_time(c.t) + " after " + client_text(run, before->consumer) + " committed " +
                       std::to_string(before->offset) + " at " + sim::format_time(before->t);
            });
            continue;
        }
        if (c.offset >= it->second.first) it->second = {c.offset, &c};
    }
    result.holds = backwards == 0;
    result.summary = result.holds ? count_text(commits, "acknowledged commit") + ", none moved backwards within a generation"
                                  : count_text(backwards, "commit") + " moved a committed offset backwards within a generation";
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& at_least_once_check() {
    static const CheckDescriptor d{CheckKind::at_least_once, "at-least-once", {{"group", false}},
                                  "`group` (optional)",
                                  "every acknowledged record reached the group by the end of the run, unless the group stopped (`until`) before it was acknowledged",
                                  check_at_least_once};
    return d;
}

const CheckDescriptor& no_poll_skip_check() {
    static const CheckDescriptor d{CheckKind::no_poll_skip, "no-poll-skip", {{"group", false}},
                                  "`group` (optional)",
                                  "within one assignment no member jumps over committed records",
                                  check_no_poll_skip};
    return d;
}

const CheckDescriptor& committed_monotonic_check() {
    static const CheckDescriptor d{CheckKind::committed_monotonic, "committed-monotonic", {{"group", false}},
                                  "`group` (optional)",
                                  "within one generation a committed offset never moves backwards",
                                  check_committed_monotonic};
    return d;
}

}  // namespace scenarios
