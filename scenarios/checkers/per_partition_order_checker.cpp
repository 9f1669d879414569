// per-partition-order: a producer's acknowledged records sit in the committed log in the
// order they were sent (offsets grow with sequence), and each consumer reads a partition's
// offsets in increasing order without jumping over committed records while it holds the
// partition.
#include <algorithm>
#include <map>
#include <set>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

struct OrderTally {
    int64_t inversions = 0, skips = 0, rewinds = 0;
    std::set<RecordKey> producer_partitions;
    std::set<uint32_t> consumers;
    Evidence evidence;
};

std::map<RecordKey, SeqSet> acked_records(const History& h) {
    std::map<RecordKey, SeqSet> out;
    for (const AckOp& a : h.acks()) out[RecordKey{a.records.client, a.records.tp}].add(a.records.first_seq, a.records.end_seq());
    for (auto& entry : out) entry.second.seal();
    return out;
}

// Walks each producer's committed records in sequence order, keeping only the acknowledged
// ones, and reports where the offsets step back. A record at two offsets is judged at its
// first copy (sequence order): the second copy is no-duplicates' finding.
void check_send_order(const RunData& run, OrderTally& tally) {
    const std::map<RecordKey, SeqSet> acked = acked_records(history_of(run));
    const std::vector<Placement> placements = committed_placements(run.final_state);
    Placement prev;                   // the previous acknowledged piece of the same key
    bool have_prev = false;
    uint32_t covered_end = 0;         // sequences below this were already seen for this key
    for (size_t i = 0; i < placements.size(); ++i) {
        const Placement& p = placements[i];
        if (i == 0 || placements[i - 1].key != p.key) {
            have_prev = false;
            covered_end = 0;
        }
        auto a = acked.find(p.key);
        uint32_t first = std::max(p.first_seq, covered_end);
        covered_end = std::max(covered_end, p.end_seq());
        if (a == acked.end() || first >= p.end_seq()) continue;
        tally.producer_partitions.insert(p.key);
        for (SeqRange s : a->second.present(first, p.end_seq())) {
            Placement piece{p.key, s.first, static_cast<int32_t>(s.end - s.first), p.offset + (s.first - p.first_seq)};
            if (have_prev && piece.offset < prev.end_offset()) {
                ++tally.inversions;
                tally.evidence.add_lazy([&] {
                    return "out of send order: " + records_text(run, p.key.client, p.key.tp, piece.first_seq, piece.end_seq()) +
                           " sits at offsets " + span_text(piece.offset, piece.end_offset() - 1) + ", before seq " +
                           span_text(prev.first_seq, prev.end_seq() - 1) + " (sent earlier) at offsets " +
                           span_text(prev.offset, prev.end_offset() - 1);
                });
            }
            prev = piece;
            have_prev = true;
        }
    }
}

// Whether the final committed log of `tp` holds any record at offsets [from, to): a jump
// over offsets that hold nothing committed (deleted by retention, never written) is no gap.
bool committed_records_in(const RunData& run, kafka::TopicPartition tp, int64_t from, int64_t to) {
    const PartitionSnapshot* p = run.final_state.find(tp);
    const ReplicaSnapshot* source = p == nullptr ? nullptr : p->committed_source();
    if (source == nullptr) return false;
    to = std::min(to, p->committed_end());
    auto it = std::upper_bound(source->batches.begin(), source->batches.end(), from,
                               [](int64_t o, const kafka::RecordBatch& b) { return o < b.next_offset(); });
    return it != source->batches.end() && it->base_offset < to;
}

// A consumer holds a partition within one assignment: from an assignment event (a group
// member's rebalance) to the next, and a partition read by another member of its group in
// between has certainly moved too. A consumer without a group is its own reader, and its
// assignment never changes. A new assignment may start again from the committed offset
// (at-least-once); within one, offsets only move forward without gaps.
void check_consumer_order(const RunData& run, OrderTally& tally) {
    const Readers readers = consumer_readers(run);
    const History& h = history_of(run);
    std::map<std::pair<uint32_t, kafka::TopicPartition>, int64_t> next_offset;   // (consumer, tp) -> end of last poll
    std::map<std::pair<uint32_t, kafka::TopicPartition>, uint32_t> last_poller;  // (reader, tp) -> consumer
    std::map<std::pair<uint32_t, kafka::TopicPartition>, uint64_t> polled_in;    // (consumer, tp) -> assignment epoch
    std::map<uint32_t, uint64_t> epoch;                                          // consumer -> assignments seen
    size_t next_assignment = 0;
    const auto& polls = h.polls();
    for (size_t i = 0; i < polls.size(); ++i) {
        while (next_assignment < h.assignments().size() && h.assignments()[next_assignment].polls_before <= i)
            ++epoch[h.assignments()[next_assignment++].consumer];
        const PollOp& p = polls[i];
        if (p.count <= 0) continue;
        tally.consumers.insert(p.consumer);
        uint32_t& poller = last_poller[{readers.of_client[p.consumer], p.tp}];
        auto [it, first_poll] = next_offset.try_emplace({p.consumer, p.tp}, p.first_offset);
        uint64_t& seen_in = polled_in[{p.consumer, p.tp}];
        const bool same_assignment = !first_poll && poller == p.consumer && seen_in == epoch[p.consumer];
        seen_in = epoch[p.consumer];
        const int64_t expected = it->second;
        auto where = [&] {
            return client_text(run, p.consumer) + " " + partition_text(run, p.tp) + " at " + sim::format_time(p.t);
        };
        if (same_assignment && p.first_offset > expected && committed_records_in(run, p.tp, expected, p.first_offset)) {
            ++tally.skips;
            tally.evidence.add_lazy([&] {
                return "skipped: " + where() + " read from offset " + std::to_string(p.first_offset) +
                       " after reading up to " + std::to_string(expected - 1) + " (committed offsets " +
                       span_text(expected, p.first_offset - 1) + " never read)";
            });
        } else if (same_assignment && p.first_offset < expected) {
            ++tally.rewinds;
            tally.evidence.add_lazy([&] {
                return "went back: " + where() + " read offset " + std::to_string(p.first_offset) +
                       " after reading up to " + std::to_string(expected - 1);
            });
        }
        it->second = p.first_offset + p.count;
        poller = p.consumer;
    }
}

std::string violated_summary(const OrderTally& t) {
    std::vector<std::string> parts;
    if (t.inversions > 0) parts.push_back(count_text(t.inversions, "send-order inversion") + " among acknowledged records");
    if (t.skips > 0) parts.push_back(count_text(t.skips, "consumer skip") + " over committed records");
    if (t.rewinds > 0) parts.push_back(count_text(t.rewinds, "consumer read") + " going back in offset");
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? "; " : "") + parts[i];
    return out;
}

}  // namespace

CheckResult check_per_partition_order(const ExpectSpec&, const RunData& run) {
    OrderTally tally;
    check_send_order(run, tally);
    check_consumer_order(run, tally);

    if (tally.producer_partitions.empty() && tally.consumers.empty())
        return checkers::not_checked("no acknowledged record and no consumer read");
    CheckResult result;
    result.holds = tally.inversions == 0 && tally.skips == 0 && tally.rewinds == 0;
    result.summary = result.holds
                         ? "acknowledged records sit in send order on " +
                               count_text(static_cast<int64_t>(tally.producer_partitions.size()), "producer partition") +
                               "; " + count_text(static_cast<int64_t>(tally.consumers.size()), "consumer") +
                               " read in offset order without gaps"
                         : violated_summary(tally);
    result.evidence = tally.evidence.take();
    return result;
}

const CheckDescriptor& per_partition_order_check() {
    static const CheckDescriptor d{CheckKind::per_partition_order, "per-partition-order", {},
                                  "—",
                                  "each producer's acknowledged records are in send order within a partition; consumers see offsets only increase within an assignment, without skipping committed records",
                                  check_per_partition_order};
    return d;
}

}  // namespace scenarios
