// replicas-consistent: replicas never disagree on a record below the high watermark (checked
// in every periodic snapshot and the final one), and an offset once read is never read — or
// left in the final committed log — with other contents.
#include <algorithm>
#include <iterator>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// Reads that found other contents, gathered per (finding, partition, consumer): a consumer
// reading through a rewritten stretch makes one line, not one per poll.
enum class Finding { unlike_earlier_read, unlike_final_log };
struct ReadFindings {
    int64_t reads = 0;
    int64_t first_offset = INT64_MAX, last_offset = -1;  // the span of those reads
    sim::Time first_t, last_t;
    std::string first;  // the first one, in full
};
using FindingKey = std::tuple<Finding, kafka::TopicPartition, uint32_t>;  // (finding, partition, consumer)

struct ReplicaTally {
    size_t snapshots = 0;
    std::set<std::pair<kafka::TopicPartition, int32_t>> divergent_replicas;  // (partition, broker)
    std::set<std::tuple<kafka::TopicPartition, int32_t, int64_t>> reported;  // one line per divergence, not per snapshot
    int64_t reads = 0, conflicting_reads = 0, reads_unlike_log = 0;
    std::map<FindingKey, ReadFindings> findings;
    Evidence evidence;

    template <class MakeText>
    void found(Finding f, const PollOp& p, MakeText&& make_text) {
        ++(f == Finding::unlike_earlier_read ? conflicting_reads : reads_unlike_log);
        ReadFindings& r = findings[{f, p.tp, p.consumer}];
        if (r.reads++ == 0) r.first = make_text(), r.first_t = p.t;
        r.last_t = p.t;
        r.first_offset = std::min(r.first_offset, p.first_offset);
        r.last_offset = std::max(r.last_offset, p.first_offset + p.count - 1);
    }
};

std::string batch_text(const RunData& run, kafka::TopicPartition tp, const kafka::RecordBatch* b) {
    if (b == nullptr) return "nothing";
    return records_text(run, b->client, tp, b->first_seq, b->first_seq + static_cast<uint32_t>(b->record_count)) +
           " at offsets " + span_text(b->base_offset, b->last_offset());
}

std::vector<kafka::RecordBatch>::const_iterator first_at_or_after(const std::vector<kafka::RecordBatch>& log, int64_t offset) {
    return std::lower_bound(log.begin(), log.end(), offset,
                            [](const kafka::RecordBatch& b, int64_t o) { return b.base_offset < o; });
}

struct Divergence {
    int64_t offset = 0;
    const kafka::RecordBatch* replica = nullptr;  // nullptr: the replica lacks the source's batch
    const kafka::RecordBatch* source = nullptr;   // nullptr: the source lacks the replica's batch
};

// Followers copy the leader's batches verbatim, so two agreeing logs have the same batches at
// the same base offsets: a merge walk over the batches starting in [from, to) finds the first
// place they differ.
std::optional<Divergence> first_divergence(const std::vector<kafka::RecordBatch>& replica,
                                           const std::vector<kafka::RecordBatch>& source, int64_t from, int64_t to) {
    auto i = first_at_or_after(replica, from);
    auto j = first_at_or_after(source, from);
    for (;;) {
        const kafka::RecordBatch* a = i != replica.end() && i->base_offset < to ? &*i : nullptr;
        const kafka::RecordBatch* b = j != source.end() && j->base_offset < to ? &*j : nullptr;
        if (a == nullptr && b == nullptr) return std::nullopt;
        if (a != nullptr && b != nullptr && a->base_offset == b->base_offset) {
            if (!a->same_records(*b)) return Divergence{a->base_offset, a, b};
            ++i, ++j;
            continue;
        }
        if (b == nullptr || (a != nullptr && a->base_offset < b->base_offset)) return Divergence{a->base_offset, a, nullptr};
        return Divergence{b->base_offset, nullptr, b};
    }
}

void check_snapshot(const RunData& run, const ClusterSnapshot& snapshot, ReplicaTally& tally) {
    ++tally.snapshots;
    for (const PartitionSnapshot& p : snapshot.partitions) {
        const ReplicaSnapshot* source = p.committed_source();
        if (source == nullptr) continue;
        for (const ReplicaSnapshot& r : p.replica_logs) {
            if (&r == source) continue;
            // Both sides hold what is below their own high watermark; the lower bound of the
            // two is what both claim committed.
            int64_t to = std::min({r.high_watermark, r.log_end_offset, source->high_watermark, source->log_end_offset});
            int64_t from = std::max(r.log_start_offset, source->log_start_offset);
            auto d = first_divergence(r.batches, source->batches, from, to);
            if (!d) continue;
            tally.divergent_replicas.insert({p.tp, r.broker});
            if (!tally.reported.insert({p.tp, r.broker, d->offset}).second) continue;
            tally.evidence.add_lazy([&] {
                return "at " + sim::format_time(snapshot.at) + " " + partition_text(run, p.tp) + ": " +
                       broker_text(r.broker) + " has " + batch_text(run, p.tp, d->replica) + " where " +
                       broker_text(source->broker) + " (committed log) has " + batch_text(run, p.tp, d->source) +
                       ", below high watermark " + std::to_string(to);
            });
        }
    }
}

// What one stretch of offsets was first read as.
struct ReadSpan {
    int64_t end = 0;
    uint32_t producer = 0;
    uint32_t first_seq = 0;  // sequence of the record at the span's first offset
    sim::Time t;
    uint32_t consumer = 0;
};
using ReadMap = std::map<int64_t, ReadSpan>;  // first offset -> span, disjoint

// Records at offset o are (producer, first_seq + (o - first_offset)): two stretches agree on
// their overlap when they name the same producer and the same sequence-minus-offset.
bool same_contents(uint32_t producer_a, uint32_t seq_a, int64_t offset_a, uint32_t producer_b, uint32_t seq_b,
                   int64_t offset_b) {
    return producer_a == producer_b && static_cast<int64_t>(seq_a) - offset_a == static_cast<int64_t>(seq_b) - offset_b;
}

std::string read_text(const RunData& run, const PollOp& p, int64_t offset) {
    auto seq = p.first_seq + static_cast<uint32_t>(offset - p.first_offset);
    return client_text(run, p.producer) + " seq " + std::to_string(seq) + " by " + client_text(run, p.consumer) + " at " +
           sim::format_time(p.t);
}

// Compares a poll with what earlier polls read at the same offsets, then remembers the
// offsets no one had read yet.
void check_against_earlier_reads(const RunData& run, const PollOp& p, ReadMap& reads, ReplicaTally& tally) {
    const int64_t from = p.first_offset, to = p.first_offset + p.count;
    auto it = reads.upper_bound(from);
    if (it != reads.begin() && std::prev(it)->second.end > from) --it;
    std::vector<std::pair<int64_t, int64_t>> unread;
    int64_t at = from;
    bool conflict = false;
    for (; it != reads.end() && it->first < to; ++it) {
        const ReadSpan& s = it->second;
        if (it->first > at) unread.emplace_back(at, it->first);
        at = std::max(at, s.end);
        if (conflict || same_contents(s.producer, s.first_seq, it->first, p.producer, p.first_seq, from)) continue;
        conflict = true;
        int64_t o = std::max(from, it->first);
        tally.found(Finding::unlike_earlier_read, p, [&] {
            auto seq = s.first_seq + static_cast<uint32_t>(o - it->first);
            return "read twice differently: " + partition_text(run, p.tp) + " offset " + std::to_string(o) + " was " +
                   client_text(run, s.producer) + " seq " + std::to_string(seq) + " for " + client_text(run, s.consumer) +
                   " at " + sim::format_time(s.t) + ", later " + read_text(run, p, o);
        });
    }
    if (at < to) unread.emplace_back(at, to);
    for (auto [a, b] : unread)
        reads.emplace(a, ReadSpan{b, p.producer, p.first_seq + static_cast<uint32_t>(a - from), p.t, p.consumer});
}

// The final committed log must still hold what was read (below its committed end and above
// its log start: retention may delete, never rewrite).
void check_against_final_log(const RunData& run, const PollOp& p, const PartitionSnapshot& partition, ReplicaTally& tally) {
    const ReplicaSnapshot* source = partition.committed_source();
    if (source == nullptr) return;
    const int64_t from = std::max(p.first_offset, source->log_start_offset);
    const int64_t to = std::min(p.first_offset + p.count, partition.committed_end());
    auto it = std::upper_bound(source->batches.begin(), source->batches.end(), from,
                               [](int64_t o, const kafka::RecordBatch& b) { return o < b.next_offset(); });
    for (; it != source->batches.end() && it->base_offset < to; ++it) {
        if (same_contents(it->client, it->first_seq, it->base_offset, p.producer, p.first_seq, p.first_offset)) continue;
        int64_t o = std::max(from, it->base_offset);
        tally.found(Finding::unlike_final_log, p, [&] {
            auto seq = it->first_seq + static_cast<uint32_t>(o - it->base_offset);
            return "rewritten after it was read: " + partition_text(run, p.tp) + " offset " + std::to_string(o) +
                   " was read as " + read_text(run, p, o) + "; the final committed log (" + broker_text(source->broker) +
                   ") holds " + records_text(run, it->client, p.tp, seq, seq + 1) + " there";
        });
        return;
    }
}

void report_findings(const RunData& run, ReplicaTally& tally) {
    for (const auto& [key, f] : tally.findings) {
        std::string more;
        if (f.reads > 1)
            more = "; " + count_text(f.reads, "read") + " by " + client_text(run, std::get<2>(key)) + " like it over offsets " +
                   span_text(f.first_offset, f.last_offset) + ", " + sim::format_time(f.first_t) + ".." +
                   sim::format_time(f.last_t);
        tally.evidence.add(f.first + more);
    }
}

void check_reads(const RunData& run, ReplicaTally& tally) {
    std::map<kafka::TopicPartition, const PartitionSnapshot*> final_partitions;
    for (const auto& p : run.final_state.partitions) final_partitions[p.tp] = &p;
    std::map<kafka::TopicPartition, ReadMap> reads;
    for (const PollOp& p : history_of(run).polls()) {
        if (p.count <= 0) continue;
        ++tally.reads;
        check_against_earlier_reads(run, p, reads[p.tp], tally);
        if (auto f = final_partitions.find(p.tp); f != final_partitions.end())
            check_against_final_log(run, p, *f->second, tally);
    }
}

std::string violated_summary(const RunData& run, const ReplicaTally& t) {
    std::vector<std::string> parts;
    if (!t.divergent_replicas.empty()) {
        std::string s = "replicas disagree below the high watermark: ";
        size_t shown = 0;
        for (const auto& [tp, broker] : t.divergent_replicas)
            s += (shown++ ? ", " : "") + broker_text(broker) + " on " + partition_text(run, tp);
        parts.push_back(s);
    }
    if (!run.replica_divergences.empty())
        parts.push_back(count_text(static_cast<int64_t>(run.replica_divergences.size()), "divergence") +
                        " found by the running replica check");
    if (t.conflicting_reads > 0)
        parts.push_back(count_text(t.conflicting_reads, "read") + " saw other contents at an offset read before");
    if (t.reads_unlike_log > 0)
        parts.push_back(count_text(t.reads_unlike_log, "read") + " saw contents the final committed log no longer has");
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return out;
}

}  // namespace

CheckResult check_replicas_consistent(const ExpectSpec&, const RunData& run) {
    ReplicaTally tally;
    for (const ClusterSnapshot& s : run.periodic_snapshots) check_snapshot(run, s, tally);
    check_snapshot(run, run.final_state, tally);
    check_reads(run, tally);
    // The runner compares every follower with its leader below the high watermark as the
    // run goes (ClusterModel::check_replicas); what it found is evidence too.
    for (const std::string& d : run.replica_divergences) tally.evidence.add("running check: " + d);
    report_findings(run, tally);

    CheckResult result;
    result.holds = run.replica_divergences.empty() && tally.divergent_replicas.empty() && tally.conflicting_reads == 0 && tally.reads_unlike_log == 0;
    const bool committed_any = std::any_of(run.final_state.partitions.begin(), run.final_state.partitions.end(),
                                           [](const PartitionSnapshot& p) { return p.committed_end() > 0; });
    if (result.holds && !committed_any && tally.reads == 0)
        return checkers::not_checked("no committed record and no read to compare");
    result.summary = result.holds ? "replicas agree below the high watermark in " +
                                        count_text(static_cast<int64_t>(tally.snapshots), "snapshot") + ", and " +
                                        count_text(tally.reads, "read") + " found every offset's contents unchanged"
                                  : violated_summary(run, tally);
    result.evidence = tally.evidence.take();
    return result;
}

const CheckDescriptor& replicas_consistent_check() {
    static const CheckDescriptor d{CheckKind::replicas_consistent, "replicas-consistent", {},
                                  "—",
                                  "replicas never disagree below the high watermark, and an offset once read never changes content",
                                  check_replicas_consistent};
    return d;
}

}  // namespace scenarios
