#include "scenarios/checkers/checker.hpp"

#include "scenarios/checkers/check_registry.hpp"

#include <algorithm>
#include <cstdio>
#include <map>

namespace scenarios {

const char* check_name(CheckKind kind) { return check_descriptor(kind).name.data(); }  // the scenario's own name

namespace {

std::string ratio_text(double v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%g", v);
    return buf;
}

// One parameter as the scenario would write it ("" when it was left at a default that reads
// as nothing), so a report line can be matched to its expect entry.
std::string param_text(std::string_view name, const ExpectSpec& spec) {
    if (name == "available") return std::string("available=") + (spec.available ? "true" : "false");
    if (name == "during") {
        if (!spec.during_from && !spec.during_to) return "";
        return "during=" + sim::format_duration(spec.during_from.value_or(sim::Duration{})) + ".." +
               (spec.during_to ? sim::format_duration(*spec.during_to) : std::string("end"));
    }
    if (name == "group") return spec.group.empty() ? "" : "group=" + spec.group;
    if (name == "below") return "below=" + std::to_string(spec.below);
    if (name == "after") return "after=" + sim::format_duration(spec.after);
    if (name == "within")  // optional for source-to-sink (0: its default)
        return spec.check == CheckKind::source_to_sink && spec.within.us == 0 ? ""
                                                                               : "within=" + sim::format_duration(spec.within);
    if (name == "max") return "max=" + sim::format_duration(spec.max);
    if (name == "min") return "min=" + ratio_text(spec.min);
    if (name == "producer") return spec.producer ? "producer=" + *spec.producer : "";
    if (name == "source") return spec.source.empty() ? "" : "source=" + spec.source;
    if (name == "sink") return spec.sink.empty() ? "" : "sink=" + spec.sink;
    if (name == "delivery") return spec.exactly_once_delivery ? "delivery=exactly-once" : "";
    if (name == "by") return spec.by ? "by=" + sim::format_duration(*spec.by) : "";
    return "";
}

std::string params_text(const CheckDescriptor& check, const ExpectSpec& spec) {
    std::string out;
    for (const CheckParam& p : check.params) {
        std::string text = param_text(p.name, spec);
        if (!text.empty()) out += (out.empty() ? "" : " ") + text;
    }
    return out;
}

}  // namespace

CheckResult run_check(const ExpectSpec& spec, const RunData& run) {
    const CheckDescriptor& check = check_descriptor(spec.check);
    CheckResult r = check.run(spec, run);
    r.index = spec.index;
    r.kind = spec.check;
    r.name = check.name;
    r.params = params_text(check, spec);
    r.expect_violated = spec.expect_violated;
    return r;
}

std::vector<CheckResult> run_checks(const RunData& run) {
    std::vector<CheckResult> out;
    out.reserve(run.scenario.expect.size());
    for (const auto& spec : run.scenario.expect) out.push_back(run_check(spec, run));
    return out;
}

namespace checkers {

CheckResult not_checked(std::string why) {
    CheckResult r;
    r.checked = false;
    r.summary = "not checked: " + std::move(why);
    return r;
}

void Evidence::add(std::string line) {
    if (full()) ++more_;
    else lines_.push_back(std::move(line));
}

std::vector<std::string> Evidence::take() {
    std::vector<std::string> out = std::move(lines_);
    if (more_ > 0) out.push_back("... and " + with_commas(static_cast<int64_t>(more_)) + " more");
    lines_.clear();
    more_ = 0;
    return out;
}

const History& history_of(const RunData& run) {
    static const History empty;
    return run.history != nullptr ? *run.history : empty;
}

const std::vector<kafka::TraceEntry>& trace_events(const RunData& run) {
    static const std::vector<kafka::TraceEntry> empty;
    return run.trace != nullptr ? run.trace->events() : empty;
}

std::string with_commas(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string count_text(int64_t n, const char* noun) {
    return with_commas(n) + " " + noun + (n == 1 ? "" : "s");
}

std::string span_text(int64_t first, int64_t last) {
    if (first == last) return std::to_string(first);
    return std::to_string(first) + ".." + std::to_string(last);
}

std::string client_text(const RunData& run, uint32_t client) {
    const History& h = history_of(run);
    if (client > 0 && client < h.client_count()) return h.client_name(client);
    return "client#" + std::to_string(client);
}

std::string partition_text(const RunData& run, kafka::TopicPartition tp) {
    if (const PartitionSnapshot* p = run.final_state.find(tp); p != nullptr && !p->topic.empty()) return p->label();
    return "topic#" + std::to_string(tp.topic_id) + "/" + std::to_string(tp.partition);
}

std::string broker_text(int32_t broker) { return "broker:" + std::to_string(broker); }

std::string duration_text(sim::Duration d) {
    const bool round = d.us < 1000000 ? d.us % 1000 == 0 : d.us % 100000 == 0;
    if (round) return sim::format_duration(d);
    char buf[32];
    if (d.us < 1000000) std::snprintf(buf, sizeof buf, "%.1fms", static_cast<double>(d.us) / 1e3);
    else std::snprintf(buf, sizeof buf, "%.3fs", static_cast<double>(d.us) / 1e6);
    return buf;
}

std::string records_text(const RunData& run, uint32_t client, kafka::TopicPartition tp, uint32_t first_seq,
                         uint32_t end_seq) {
    return client_text(run, client) + " " + partition_text(run, tp) + " seq " +
           span_text(first_seq, static_cast<int64_t>(end_seq) - 1);
}

void SeqSet::seal() {
    std::sort(ranges_.begin(), ranges_.end(), [](SeqRange a, SeqRange b) { return a.first < b.first; });
    std::vector<SeqRange> merged;
    merged.reserve(ranges_.size());
    for (SeqRange r : ranges_) {
        if (!merged.empty() && r.first <= merged.back().end) merged.back().end = std::max(merged.back().end, r.end);
        else merged.push_back(r);
    }
    ranges_ = std::move(merged);
}

// Sealed ranges are disjoint and sorted, so their ends are sorted too.
std::vector<SeqRange>::const_iterator SeqSet::first_ending_after(uint32_t seq) const {
    return std::upper_bound(ranges_.begin(), ranges_.end(), seq, [](uint32_t s, SeqRange r) { return s < r.end; });
}

std::vector<SeqRange> SeqSet::missing(uint32_t first, uint32_t end) const {
    std::vector<SeqRange> out;
    uint32_t at = first;
    for (auto it = first_ending_after(first); it != ranges_.end() && it->first < end && at < end; ++it) {
        if (it->first > at) out.push_back({at, it->first});
        at = std::max(at, it->end);
    }
    if (at < end) out.push_back({at, end});
    return out;
}

std::vector<SeqRange> SeqSet::present(uint32_t first, uint32_t end) const {
    std::vector<SeqRange> out;
    for (auto it = first_ending_after(first); it != ranges_.end() && it->first < end; ++it)
        out.push_back({std::max(first, it->first), std::min(end, it->end)});
    return out;
}

std::vector<Placement> committed_placements(const ClusterSnapshot& snapshot) {
    std::vector<Placement> out;
    for (const auto& p : snapshot.partitions) {
        const ReplicaSnapshot* source = p.committed_source();
        if (source == nullptr) continue;
        const int64_t end = p.committed_end();
        for (const auto& b : source->batches) {
            if (b.base_offset >= end) break;
            if (b.client == 0 || b.record_count <= 0) continue;
            auto committed = static_cast<int32_t>(std::min<int64_t>(b.record_count, end - b.base_offset));
            out.push_back(Placement{RecordKey{b.client, p.tp}, b.first_seq, committed, b.base_offset});
        }
    }
    std::sort(out.begin(), out.end(), [](const Placement& a, const Placement& b) {
        if (a.key != b.key) return a.key < b.key;
        if (a.first_seq != b.first_seq) return a.first_seq < b.first_seq;
        return a.offset < b.offset;
    });
    return out;
}

std::string group_of_name(const std::string& client_name) {
    // A Connect sink task's consumer, "connect:2 task orders-sink-1 (life 2)": group connect-orders-sink.
    if (client_name.rfind("connect:", 0) == 0) {
        const size_t task = client_name.find(" task ");
        if (task == std::string::npos) return "";
        std::string id = client_name.substr(task + 6);
        if (const size_t life = id.find(" (life "); life != std::string::npos) id.resize(life);
        const size_t dash = id.rfind('-');
        return dash == std::string::npos || dash == 0 ? "" : "connect-" + id.substr(0, dash);
    }
    const std::string prefix = "consumer:";
    if (client_name.rfind(prefix, 0) != 0) return "";
    const size_t slash = client_name.rfind('/');
    if (slash == std::string::npos || slash <= prefix.size()) return "";
    std::string group = client_name.substr(prefix.size(), slash - prefix.size());
    return group == "null" ? "" : group;
}

std::vector<CommittedRecord> read_committed_records(const PartitionSnapshot& p, int64_t& end) {
    std::vector<CommittedRecord> out;
    const ReplicaSnapshot* src = p.committed_source();
    end = p.committed_end();
    if (src == nullptr) return out;
    // Each transactional batch is decided by the first control batch of its producer after it.
    std::vector<const kafka::RecordBatch*> batches;
    for (const auto& b : src->batches)
        if (b.base_offset < end) batches.push_back(&b);
    std::vector<bool> visible(batches.size(), true);
    std::map<int64_t, bool> next_marker_commits;  // producer id -> the marker after, scanning back
    for (size_t i = batches.size(); i-- > 0;) {
        const kafka::RecordBatch& b = *batches[i];
        if (b.is_control) {
            next_marker_commits[b.producer_id] = b.is_commit_marker();
            visible[i] = false;
        } else if (b.is_transactional) {
            auto it = next_marker_commits.find(b.producer_id);
            visible[i] = it != next_marker_commits.end() && it->second;
        }
    }
    for (size_t i = 0; i < batches.size(); ++i) {
        if (!visible[i]) continue;
        const kafka::RecordBatch& b = *batches[i];
        for (int32_t r = 0; r < b.record_count; ++r) {
            const int64_t offset = b.base_offset + r;
            if (offset >= end) break;
            out.push_back(CommittedRecord{offset, &b, static_cast<size_t>(r)});
        }
    }
    return out;
}


Readers consumer_readers(const RunData& run) {
    const History& h = history_of(run);
    size_t clients = h.client_count();
    for (const auto& s : run.samples)
        for (const auto& c : s.consumers) clients = std::max<size_t>(clients, c.consumer + 1);
    for (const auto& p : h.polls()) clients = std::max<size_t>(clients, p.consumer + 1);

    std::vector<std::string> group_of(clients);
    for (const auto& s : run.samples)
        for (const auto& c : s.consumers)
            if (group_of[c.consumer].empty()) group_of[c.consumer] = c.group;
    // A restarted member is a new client ("consumer:billing/2 (life 2)") the samples do not
    // name: its group is in its name.
    for (uint32_t client = 1; client < clients && client < h.client_count(); ++client)
        if (group_of[client].empty()) group_of[client] = group_of_name(h.client_name(client));

    Readers readers;
    readers.of_client.resize(clients);
    std::map<std::string, uint32_t> group_reader;
    for (uint32_t client = 0; client < clients; ++client) {
        const std::string& group = group_of[client];
        if (group.empty()) {
            readers.of_client[client] = static_cast<uint32_t>(readers.names.size());
            readers.names.push_back(client_text(run, client));
            continue;
        }
        auto [it, added] = group_reader.emplace(group, static_cast<uint32_t>(readers.names.size()));
        if (added) readers.names.push_back("group " + group);
        readers.of_client[client] = it->second;
    }
    return readers;
}

}  // namespace checkers
}  // namespace scenarios
