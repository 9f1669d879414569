// no-acked-loss: every acknowledged record is in the final committed log of its partition,
// and reached every reader (a group, or a consumer without one) that read past its offset.
// An acknowledged record the leader holds above its high watermark when the run ends is not
// lost: it is not yet committed (a new leader's high watermark advances only once its followers
// fetch from it again; Kafka's Partition.maybeIncrementLeaderHW). It is reported, and does not
// fail the check.
#include <algorithm>
#include <iterator>
#include <map>
#include <tuple>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

using CommittedRecords = std::map<RecordKey, SeqSet>;

CommittedRecords committed_records(const RunData& run) {
    CommittedRecords out;
    for (const auto& p : committed_placements(run.final_state)) out[p.key].add(p.first_seq, p.end_seq());
    for (auto& entry : out) entry.second.seal();
    return out;
}

// The records of each partition's committed source above its high watermark.
CommittedRecords uncommitted_records(const RunData& run) {
    CommittedRecords out;
    for (const auto& p : run.final_state.partitions) {
        const ReplicaSnapshot* source = p.committed_source();
        if (source == nullptr) continue;
        const int64_t end = p.committed_end();
        for (const auto& b : source->batches) {
            if (b.next_offset() <= end || b.client == 0 || b.record_count <= 0) continue;
            const auto skip = static_cast<uint32_t>(std::max<int64_t>(0, end - b.base_offset));
            out[RecordKey{b.client, p.tp}].add(b.first_seq + skip, b.first_seq + static_cast<uint32_t>(b.record_count));
        }
    }
    for (auto& entry : out) entry.second.seal();
    return out;
}

const SeqSet& records_of(const CommittedRecords& log, RecordKey key) {
    static const SeqSet none;
    auto it = log.find(key);
    return it == log.end() ? none : it->second;
}

// What the committed log holds at `offset` now, for evidence next to a lost record.
std::string committed_at(const RunData& run, kafka::TopicPartition tp, int64_t offset) {
    const PartitionSnapshot* p = run.final_state.find(tp);
    const ReplicaSnapshot* source = p == nullptr ? nullptr : p->committed_source();
    if (source == nullptr) return "the partition has no replica left";
    const auto& batches = source->batches;
    auto it = std::upper_bound(batches.begin(), batches.end(), offset,
                               [](int64_t o, const kafka::RecordBatch& b) { return o < b.base_offset; });
    const bool present = it != batches.begin() && std::prev(it)->next_offset() > offset;
    if (offset >= p->committed_end()) {
        // Not committed at the end is not the same as gone: say which it is.
        std::string text = "the committed log ends at offset " + std::to_string(p->committed_end());
        if (present) {
            const kafka::RecordBatch& b = *std::prev(it);
            auto seq = b.first_seq + static_cast<uint32_t>(offset - b.base_offset);
            text += " (the leader's log holds " + records_text(run, b.client, tp, seq, seq + 1) +
                    " at offset " + std::to_string(offset) +
                    " above its high watermark: not committed when the run ended)";
        }
        return text;
    }
    if (!present) return "offset " + std::to_string(offset) + " is not in the committed log";
    const kafka::RecordBatch& b = *std::prev(it);
    auto seq = b.first_seq + static_cast<uint32_t>(offset - b.base_offset);
    return "offset " + std::to_string(offset) + " now holds " + records_text(run, b.client, tp, seq, seq + 1);
}

// Records below the final log start offset were deleted by retention, which Kafka allows:
// only the part of an ack at or above the log start is checked. acks=0 never learns its
// offset, so all of it is checked.
uint32_t first_seq_to_check(const AckOp& ack, int64_t log_start) {
    if (ack.base_offset < 0 || ack.base_offset >= log_start) return ack.records.first_seq;
    int64_t below = std::min<int64_t>(log_start - ack.base_offset, ack.records.count);
    return ack.records.first_seq + static_cast<uint32_t>(below);
}

std::map<kafka::TopicPartition, int64_t> log_starts(const ClusterSnapshot& s) {
    std::map<kafka::TopicPartition, int64_t> out;
    for (const auto& p : s.partitions)
        if (const ReplicaSnapshot* r = p.committed_source()) out[p.tp] = r->log_start_offset;
    return out;
}

struct PartitionLoss {
    int64_t records = 0;
    int64_t first_offset = INT64_MAX, last_offset = -1;  // of lost records whose offset is known
};

// A stretch of acknowledged records that went missing. Stretches are merged across acks, so
// a leader that lost two thousand records in a hundred batches makes one evidence line.
constexpr uint32_t the_log = UINT32_MAX;  // MissingRun::reader when the committed log lacks them
struct MissingRun {
    uint32_t reader = the_log;
    RecordKey key;
    uint32_t first_seq = 0, end_seq = 0;
    int64_t offset = -1;  // of first_seq; -1 for acks=0, which never learn an offset
    sim::Time first_ack, last_ack;
    int64_t records() const { return end_seq - first_seq; }
    bool continued_by(const MissingRun& next) const {
        const bool offsets_follow = offset < 0 ? next.offset < 0 : next.offset == offset + records();
        return reader == next.reader && key == next.key && next.first_seq == end_seq && offsets_follow;
    }
};

std::vector<MissingRun> merged(std::vector<MissingRun> runs) {
    std::sort(runs.begin(), runs.end(), [](const MissingRun& a, const MissingRun& b) {
        return std::tie(a.reader, a.key, a.first_seq) < std::tie(b.reader, b.key, b.first_seq);
    });
    std::vector<MissingRun> out;
    for (const MissingRun& r : runs) {
        if (!out.empty() && out.back().continued_by(r)) {
            out.back().end_seq = r.end_seq;
            out.back().first_ack = std::min(out.back().first_ack, r.first_ack);
            out.back().last_ack = std::max(out.back().last_ack, r.last_ack);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

std::string acked_when(const MissingRun& m) {
    if (m.first_ack == m.last_ack) return "acknowledged at " + sim::format_time(m.first_ack);
    return "acknowledged " + sim::format_time(m.first_ack) + ".." + sim::format_time(m.last_ack);
}

std::string offsets_text(const MissingRun& m) { return "offsets " + span_text(m.offset, m.offset + m.records() - 1); }

struct AckedLossTally {
    int64_t acked = 0, retention_exempt = 0, lost = 0, undelivered = 0, uncommitted = 0;
    std::map<kafka::TopicPartition, PartitionLoss> lost_by_partition;
    Evidence evidence;
};

void check_in_log(const RunData& run, const CommittedRecords& log, const std::map<kafka::TopicPartition, int64_t>& starts,
                  AckedLossTally& tally) {
    std::vector<MissingRun> lost;
    for (const AckOp& ack : history_of(run).acks()) {
        const RecordRange& r = ack.records;
        tally.acked += r.count;
        auto start = starts.find(r.tp);
        uint32_t from = first_seq_to_check(ack, start == starts.end() ? 0 : start->second);
        tally.retention_exempt += from - r.first_seq;
        for (SeqRange m : records_of(log, RecordKey{r.client, r.tp}).missing(from, r.end_seq())) {
            int64_t offset = ack.base_offset < 0 ? -1 : ack.base_offset + (m.first - r.first_seq);
            lost.push_back(MissingRun{the_log, RecordKey{r.client, r.tp}, m.first, m.end, offset, ack.t, ack.t});
        }
    }
    // Split off what the leader still holds above its high watermark: not committed yet.
    const CommittedRecords above_hw = uncommitted_records(run);
    std::vector<MissingRun> gone;
    for (const MissingRun& m : merged(std::move(lost))) {
        const SeqSet& pending = records_of(above_hw, m.key);
        auto part = [&](SeqRange d) {
            MissingRun out = m;
            out.first_seq = d.first;
            out.end_seq = d.end;
            if (m.offset >= 0) out.offset = m.offset + (d.first - m.first_seq);
            return out;
        };
        for (SeqRange d : pending.missing(m.first_seq, m.end_seq)) gone.push_back(part(d));
        for (SeqRange d : pending.present(m.first_seq, m.end_seq)) {
            const MissingRun u = part(d);
            tally.uncommitted += u.records();
            tally.evidence.add_lazy([&run, u] {
                const PartitionSnapshot* p = run.final_state.find(u.key.tp);
                return "not yet committed when the run ended (not lost): " +
                       records_text(run, u.key.client, u.key.tp, u.first_seq, u.end_seq) + " (" +
                       count_text(u.records(), "record") + "), " + acked_when(u) +
                       (u.offset >= 0 ? " at " + offsets_text(u) : std::string()) +
                       ", are in the leader's log above its high watermark " + std::to_string(p->committed_end());
            });
        }
    }
    for (const MissingRun& m : gone) {
        tally.lost += m.records();
        PartitionLoss& pl = tally.lost_by_partition[m.key.tp];
        pl.records += m.records();
        if (m.offset >= 0) {
            pl.first_offset = std::min(pl.first_offset, m.offset);
            pl.last_offset = std::max(pl.last_offset, m.offset + m.records() - 1);
        }
        tally.evidence.add_lazy([&] {
            std::string where = m.offset < 0 ? "with acks=0 (offset unknown)"
                                             : "at " + offsets_text(m) + "; " + committed_at(run, m.key.tp, m.offset);
            return "lost: " + records_text(run, m.key.client, m.key.tp, m.first_seq, m.end_seq) + " (" +
                   count_text(m.records(), "record") + "), " + acked_when(m) + " " + where;
        });
    }
}

// What one reader took from one partition: the offsets it read over and the records it got.
struct ReaderView {
    int64_t first_offset = INT64_MAX;  // lowest offset it read
    int64_t end_offset = 0;            // one past the highest offset it read
    std::map<uint32_t, SeqSet> received;  // producer -> sequences
};
using ReaderViews = std::map<std::pair<kafka::TopicPartition, uint32_t>, ReaderView>;  // (tp, reader)

ReaderViews reader_views(const RunData& run, const Readers& readers) {
    ReaderViews views;
    for (const PollOp& p : history_of(run).polls()) {
        if (p.count <= 0) continue;
        ReaderView& v = views[{p.tp, readers.of_client[p.consumer]}];
        v.first_offset = std::min(v.first_offset, p.first_offset);
        v.end_offset = std::max(v.end_offset, p.first_offset + p.count);
        v.received[p.producer].add(p.first_seq, p.first_seq + static_cast<uint32_t>(p.count));
    }
    for (auto& entry : views)
        for (auto& received : entry.second.received) received.second.seal();
    return views;
}

// The acknowledged records a reader read over without getting them.
void missed_by(const CommittedRecords& log, const AckOp& ack, uint32_t reader, const ReaderView& v,
               std::vector<MissingRun>& out) {
    const RecordRange& r = ack.records;
    const int64_t lo = std::max(ack.base_offset, v.first_offset), hi = std::min(ack.base_offset + r.count, v.end_offset);
    if (lo >= hi) return;
    const auto seq_lo = r.first_seq + static_cast<uint32_t>(lo - ack.base_offset);
    const auto seq_hi = r.first_seq + static_cast<uint32_t>(hi - ack.base_offset);
    auto got = v.received.find(r.client);
    std::vector<SeqRange> not_received =
        got == v.received.end() ? std::vector<SeqRange>{{seq_lo, seq_hi}} : got->second.missing(seq_lo, seq_hi);
    for (SeqRange m : not_received)
        for (SeqRange d : records_of(log, RecordKey{r.client, r.tp}).present(m.first, m.end))
            out.push_back(MissingRun{reader, RecordKey{r.client, r.tp}, d.first, d.end,
                                     ack.base_offset + (d.first - r.first_seq), ack.t, ack.t});
}

// A reader that read over an acknowledged record's offset (from below it to at or past it)
// must have got that record. Readers that started above it (auto.offset.reset=latest) never
// read over it. Records already lost from the log are reported as lost, not again here;
// acks=0 acks carry no offset and are not judged.
void check_delivered(const RunData& run, const CommittedRecords& log, AckedLossTally& tally) {
    const Readers readers = consumer_readers(run);
    const ReaderViews views = reader_views(run, readers);
    std::vector<MissingRun> missed;
    for (const AckOp& ack : history_of(run).acks()) {
        if (ack.base_offset < 0) continue;
        for (auto it = views.lower_bound({ack.records.tp, 0}); it != views.end() && it->first.first == ack.records.tp; ++it)
            missed_by(log, ack, it->first.second, it->second, missed);
    }
    for (const MissingRun& m : merged(std::move(missed))) {
        tally.undelivered += m.records();
        const ReaderView& v = views.at({m.key.tp, m.reader});
        tally.evidence.add_lazy([&] {
            return "not delivered: " + readers.names[m.reader] + " read " + partition_text(run, m.key.tp) + " offsets " +
                   span_text(v.first_offset, v.end_offset - 1) + " but never got " +
                   records_text(run, m.key.client, m.key.tp, m.first_seq, m.end_seq) + " (" + offsets_text(m) + ", " +
                   acked_when(m) + ")";
        });
    }
}

std::string loss_summary(const RunData& run, const AckedLossTally& t) {
    std::string out = count_text(t.lost, "acknowledged record") + " lost on ";
    size_t shown = 0;
    for (const auto& [tp, pl] : t.lost_by_partition) {
        if (shown == 5) {
            out += ", ...";
            break;
        }
        out += (shown++ ? ", " : "") + partition_text(run, tp);
        if (pl.last_offset >= 0) out += " (offsets " + span_text(pl.first_offset, pl.last_offset) + ")";
    }
    return out;
}

}  // namespace

CheckResult check_no_acked_loss(const ExpectSpec&, const RunData& run) {
    const CommittedRecords log = committed_records(run);
    AckedLossTally tally;
    check_in_log(run, log, log_starts(run.final_state), tally);
    check_delivered(run, log, tally);

    if (tally.acked == 0) return not_checked("no record was acknowledged");
    CheckResult result;
    result.holds = tally.lost == 0 && tally.undelivered == 0;
    if (result.holds) {
        const int64_t committed = tally.acked - tally.retention_exempt - tally.uncommitted;
        result.summary = (tally.uncommitted > 0 ? "" : "all ") + count_text(committed, "acknowledged record") +
                         (committed == 1 ? " is" : " are") +
                         " in the committed logs and reached every reader that read past them";
    } else {
        std::vector<std::string> parts;
        if (tally.lost > 0) parts.push_back(loss_summary(run, tally));
        if (tally.undelivered > 0)
            parts.push_back(count_text(tally.undelivered, "acknowledged record") +
                            " never delivered to a reader that read past them");
        result.summary = parts[0] + (parts.size() > 1 ? "; " + parts[1] : "");
    }
    if (tally.uncommitted > 0)
        result.summary += "; " + count_text(tally.uncommitted, "acknowledged record") +
                          " not yet committed when the run ended (in the leader's log above its high watermark)";
    if (tally.retention_exempt > 0)
        result.summary += " (" + count_text(tally.retention_exempt, "record") +
                          " below the log start offset, removed by retention, not checked)";
    result.evidence = tally.evidence.take();
    return result;
}

const CheckDescriptor& no_acked_loss_check() {
    static const CheckDescriptor d{CheckKind::no_acked_loss, "no-acked-loss", {},
                                  "—",
                                  "every acknowledged record is in the final committed log of its partition, and reached every group that read past it",
                                  check_no_acked_loss};
    return d;
}

}  // namespace scenarios
