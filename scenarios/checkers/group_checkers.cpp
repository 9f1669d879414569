// The consumer-group checks (named in SCENARIOS.md's style; documented in the README):
//
//   at-least-once        every acknowledged record reached every group (some member of it)
//                        by the end of the run, unless the group stopped before the record
//                        was acknowledged; records retention deleted before the group read
//                        them still count against it, and the evidence says so (with the
//                        segment deletion and the member's auto.offset.reset jump);
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

// What retention did to a partition, from the trace: where each replica's log start offset moved
// by segment deletion (LogSegmentsDeleted), and the OFFSET_OUT_OF_RANGE resets of consumers.
class RetentionTrail {
public:
    explicit RetentionTrail(const RunData& run) : run_(run) {
        for (const kafka::TraceEntry& e : trace_events(run)) {
            if (const auto* d = std::get_if<kafka::LogSegmentsDeleted>(&e.event))
                deletions_[{d->topic, d->partition}].push_back({e.time, e.node, d});
            else if (const auto* r = std::get_if<kafka::ConsumerOffsetReset>(&e.event))
                resets_[{r->topic, r->partition}].push_back({e.time, e.node, r});
        }
    }
    // The first deletion that took `offset` away on any replica ("retention.ms at 41.2s on broker:2").
    std::string deleted_text(const std::string& topic, int32_t partition, int64_t offset) const {
        auto it = deletions_.find({topic, partition});
        if (it == deletions_.end()) return "";
        for (const auto& [t, node, d] : it->second)
            if (d->from <= offset && offset < d->to)
                return "deleted by " + d->reason + " at " + sim::format_time(t) + " on " + node_name(node) +
                       " (log start offset " + std::to_string(d->log_start_offset) + ")";
        return "";
    }
    // A member of `group` that jumped over `offset` by auto.offset.reset.
    std::string reset_text(const std::string& group, const std::string& topic, int32_t partition, int64_t offset) const {
        auto it = resets_.find({topic, partition});
        if (it == resets_.end()) return "";
        for (const auto& [t, node, r] : it->second) {
            if (group_of_name(node_name(node)) != group || r->offset > offset) continue;
            if (r->log_start_offset && *r->log_start_offset <= offset) continue;
            std::string text = node_name(node) + " got OFFSET_OUT_OF_RANGE at offset " + std::to_string(r->offset) +
                               " at " + sim::format_time(t);
            if (r->log_start_offset) text += " (log start offset " + std::to_string(*r->log_start_offset) + ")";
            return text + " and auto.offset.reset=" + r->reset + " moved it on";
        }
        return "";
    }

private:
    std::string node_name(sim::NodeId node) const {
        return run_.trace != nullptr ? run_.trace->node_name(node) : "node#" + std::to_string(node);
    }
    template <class E>
    struct At {
        sim::Time t;
        sim::NodeId node;
        const E* e;
    };
    const RunData& run_;
    std::map<std::pair<std::string, int32_t>, std::vector<At<kafka::LogSegmentsDeleted>>> deletions_;
    std::map<std::pair<std::string, int32_t>, std::vector<At<kafka::ConsumerOffsetReset>>> resets_;
};

// The final log start offset of a partition: records below it were deleted by retention.
int64_t final_log_start(const RunData& run, kafka::TopicPartition tp) {
    const PartitionSnapshot* p = run.final_state.find(tp);
    const ReplicaSnapshot* source = p == nullptr ? nullptr : p->committed_source();
    return source == nullptr ? 0 : source->log_start_offset;
}

}  // namespace

// When the group's first poll happened (time_never: it never polled).
sim::Time delivered_first_poll(const History& h, const std::string& group) {
    sim::Time first = sim::time_never;
    for (const PollOp& p : h.polls())
        if (group_of_name(h.client_name(p.consumer)) == group) first = std::min(first, p.t);
    return first;
}

// "group g reads with auto.offset.reset=latest ...": when the group's config starts it at the log
// end wherever it has no committed offset; "" otherwise.
std::string latest_start_text(const RunData& run, const std::string& group, sim::Time first_poll) {
    for (const ConsumerSpec& c : run.scenario.consumers) {
        if (c.group != group) continue;
        if (kafka::ConsumerConfig::from(run.scenario.kafka.profile, c.config).auto_offset_reset != "latest") return "";
        const bool set = c.config.contains("auto.offset.reset");
        return "group " + group + " reads with auto.offset.reset=latest" + (set ? "" : " (Kafka's default)") +
               ": without a committed offset it starts at the log end, so what was produced before it first fetched" +
               (first_poll == sim::time_never ? std::string() : " (its first poll: " + sim::format_time(first_poll) + ")") +
               " is never read by it; with \"auto.offset.reset\": \"earliest\" it would be";
    }
    return "";
}

CheckResult check_at_least_once(const ExpectSpec& spec, const RunData& run) {
    const History& h = history_of(run);
    CheckResult result;
    Evidence evidence;
    const std::vector<std::string> groups = groups_checked(spec, run);
    int64_t acked = 0, missing_total = 0, retained_total = 0, unread_total = 0;
    std::vector<std::string> failing;
    const RetentionTrail trail(run);
    for (const std::string& group : groups) {
        SeqCoverage delivered;
        for (const PollOp& p : h.polls())
            if (group_of_name(h.client_name(p.consumer)) == group)
                delivered.add(p.producer, p.tp, p.first_seq, p.first_seq + static_cast<uint32_t>(p.count));
        delivered.finish();
        // How far the group got on each partition: past everything it handed to the application,
        // and past where its members stood at the end (a reset jumps forward without delivering).
        std::map<kafka::TopicPartition, int64_t> frontier;
        for (const PollOp& p : h.polls())
            if (group_of_name(h.client_name(p.consumer)) == group)
                frontier[p.tp] = std::max(frontier[p.tp], p.first_offset + p.count);
        for (const ConsumerPosition& c : run.final_positions)
            if (c.group == group) frontier[c.tp] = std::max(frontier[c.tp], c.position);
        // A record still in the committed log at or past the group's frontier was not read yet
        // when the run ended: not a broken promise, and not counted either way.
        auto unread_at_end = [&](const AckOp& a, uint32_t seq, int64_t offset) {
            if (offset < 0) return false;
            auto f = frontier.find(a.records.tp);
            if (f != frontier.end() && offset < f->second) return false;
            const PartitionSnapshot* p = run.final_state.find(a.records.tp);
            return p != nullptr && p->committed_holds(offset, a.records.client, seq);
        };
        const std::optional<sim::Time> stops = group_stops_at(run, group);
        // Missing records as stretches: contiguous sequences of one producer on one partition,
        // merged across acks, split where retention's part ends.
        struct Stretch {
            uint32_t client = 0;
            kafka::TopicPartition tp;
            uint32_t first = 0, end = 0;
            int64_t first_offset = -1;  // -1: acks=0, unknown
            bool retained = false;      // below the final log start offset: removed by retention
            sim::Time acked_first, acked_last;
        };
        std::vector<Stretch> stretches;
        std::map<std::pair<uint32_t, kafka::TopicPartition>, size_t> last_of;
        auto add = [&](const AckOp& a, uint32_t first, uint32_t end, int64_t first_offset, bool retained) {
            if (end <= first) return;
            auto key = std::make_pair(a.records.client, a.records.tp);
            auto it = last_of.find(key);
            if (it != last_of.end()) {
                Stretch& prev = stretches[it->second];
                const bool offsets_follow = (prev.first_offset < 0 && first_offset < 0) ||
                                            (prev.first_offset >= 0 && first_offset == prev.first_offset + (prev.end - prev.first));
                if (prev.end == first && prev.retained == retained && offsets_follow) {
                    prev.end = end;
                    prev.acked_last = a.t;
                    return;
                }
            }
            last_of[key] = stretches.size();
            stretches.push_back(Stretch{a.records.client, a.records.tp, first, end, first_offset, retained, a.t, a.t});
        };
        int64_t missing = 0, retained = 0, unread = 0;
        for (const AckOp& a : h.acks()) {
            if (stops && a.t >= *stops) continue;  // the group had stopped reading
            acked += a.records.count;
            std::vector<std::pair<uint32_t, uint32_t>> gaps;
            delivered.uncovered(a.records.client, a.records.tp, a.records.first_seq, a.records.end_seq(), gaps);
            const int64_t log_start = final_log_start(run, a.records.tp);
            for (auto [first, end] : gaps) {
                // Records at the log's tail the group had not reached: drop them from the gap's end.
                while (end > first && a.base_offset >= 0 &&
                       unread_at_end(a, end - 1, a.base_offset + (end - 1 - a.records.first_seq))) {
                    --end;
                    ++unread;
                }
                if (end == first) continue;
                missing += end - first;
                // Records below the final log start offset were deleted by retention before
                // this group read them: still not delivered, but not lost.
                const int64_t first_offset = a.base_offset < 0 ? -1 : a.base_offset + (first - a.records.first_seq);
                const auto gone = static_cast<uint32_t>(
                    first_offset < 0 ? 0 : std::clamp<int64_t>(log_start - first_offset, 0, end - first));
                retained += gone;
                add(a, first, first + gone, first_offset, true);
                add(a, first + gone, end, first_offset < 0 ? -1 : first_offset + gone, false);
            }
        }
        // Kafka's default auto.offset.reset=latest is the usual cause: name it before the records.
        if (missing > 0) {
            if (std::string why = latest_start_text(run, group, delivered_first_poll(h, group)); !why.empty())
                evidence.add(why);
        }
        for (const Stretch& m : stretches) {
            evidence.add_lazy([&] {
                std::string line = "group " + group + " never got " + client_text(run, m.client) + " " +
                                   partition_text(run, m.tp) + " seq " + span_text(m.first, m.end - 1) +
                                   (m.acked_first == m.acked_last
                                        ? " (acknowledged at " + sim::format_time(m.acked_first) + ")"
                                        : " (acknowledged " + sim::format_time(m.acked_first) + ".." +
                                              sim::format_time(m.acked_last) + ")");
                if (!m.retained) return line;
                const PartitionSnapshot* p = run.final_state.find(m.tp);
                const std::string topic = p == nullptr ? partition_text(run, m.tp) : p->topic;
                line += ": removed by retention before it was read, offsets " +
                        span_text(m.first_offset, m.first_offset + (m.end - m.first) - 1);
                if (std::string d = trail.deleted_text(topic, m.tp.partition, m.first_offset); !d.empty()) line += " " + d;
                if (std::string r = trail.reset_text(group, topic, m.tp.partition, m.first_offset); !r.empty())
                    line += "; " + r;
                return line;
            });
        }
        if (missing > 0)
            failing.push_back(group + " (" + count_text(missing, "record") +
                              (retained > 0 ? ", " + with_commas(retained) + " of them removed by retention before it read them" : "") +
                              ")");
        if (unread > 0)
            evidence.add("group " + group + " had not yet reached " + count_text(unread, "acknowledged record") +
                         " still in the log when the run ended (at or past where it stood): not counted");
        missing_total += missing;
        retained_total += retained;
        unread_total += unread;
    }
    // No acknowledged record while a group read: nothing to have delivered, no verdict.
    if (!groups.empty() && acked == 0)
        return not_checked("no record was acknowledged while " +
                           (groups.size() == 1 ? "group " + groups.front() : std::string("the groups")) + " read");
    if (!groups.empty() && unread_total == acked)
        return not_checked("the " + (groups.size() == 1 ? "group" : std::string("groups")) + " had read none of the " +
                           count_text(acked, "acknowledged record") + " when the run ended");
    result.holds = missing_total == 0 && !groups.empty();
    if (groups.empty()) {
        result.summary = "no consumer group in the scenario";
    } else if (result.holds) {
        const std::string who =
            groups.size() == 1 ? "group " + groups.front() : count_text(static_cast<int64_t>(groups.size()), "group");
        result.summary = unread_total == 0
                             ? "every acknowledged record reached " + who + " at least once"
                             : "every acknowledged record up to where " + who + " stood at the end reached it at least once (" +
                                   with_commas(unread_total) + " later not read yet)";
    } else {
        std::string list;
        for (size_t i = 0; i < failing.size(); ++i) list += (i ? ", " : "") + failing[i];
        result.summary = count_text(missing_total, "acknowledged record") + " never delivered";
        if (retained_total > 0)
            result.summary += retained_total == missing_total
                                  ? " (all removed by retention before they were read, not lost)"
                                  : " (" + with_commas(retained_total) + " removed by retention before they were read)";
        result.summary += ": " + list;
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
                                  "every acknowledged record reached the group by the end of the run, unless the group stopped (`until`) before it was acknowledged; records retention deleted before the group read them count against it, and the evidence says so",
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
