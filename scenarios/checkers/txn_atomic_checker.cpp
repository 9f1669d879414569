// txn-atomic: no transaction is torn. For each transaction of the history that left records
// in the final committed log, either all its records are committed (a COMMIT marker of their
// producer id follows them on their partition) or none is (aborted, or absent). Also wrong,
// and said so: the application saw commitTransaction() return but some records are not
// committed (a lost write), or saw abortTransaction() return but some are committed (an
// aborted write made visible): the Jepsen 2024 / KAFKA-17754 anomalies. Records still
// undecided when the run ended (no marker yet in the committed log) are neither: such a
// transaction is not counted torn, and the evidence says so. Records below the final log
// start offset (retention) are not judged.
#include <algorithm>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/checkers/transaction_fates.hpp"

namespace scenarios {
namespace {
using namespace checkers;

enum Part { committed = 0, aborted = 1, absent = 2, undecided = 3 };
const char* part_name(int p) {
    static const char* names[] = {"committed", "aborted", "absent from the log", "undecided"};
    return names[p];
}

// What one transaction's records became, per kind, with the partitions and markers that say so.
struct Piece {
    uint32_t first = 0, end = 0;  // records [first, end)
    std::string why;              // " (ABORT marker at offset n)", " (from offset n, no marker yet)" or ""
};
struct TxnAtomicTally {
    int64_t records[4] = {0, 0, 0, 0};
    std::map<kafka::TopicPartition, std::vector<Piece>> where[4];
    bool in_log() const { return records[committed] + records[aborted] + records[undecided] > 0; }
};

void add(TxnAtomicTally& t, int kind, kafka::TopicPartition tp, uint32_t first, uint32_t end,
         const TxnPlacement* p) {
    t.records[kind] += end - first;
    std::string why;
    if (p != nullptr && p->marker_offset >= 0)
        why = std::string(" (") + (p->fate == LogFate::committed ? "COMMIT" : "ABORT") + " marker at offset " +
              std::to_string(p->marker_offset) + ")";
    else if (p != nullptr)
        why = " (from offset " + std::to_string(p->offset) + ", no marker yet)";
    std::vector<Piece>& pieces = t.where[kind][tp];
    // Consecutive records that the same marker decided read as one range.
    if (!pieces.empty() && pieces.back().end == first && pieces.back().why == why) {
        pieces.back().end = end;
        return;
    }
    pieces.push_back(Piece{first, end, std::move(why)});
}

std::string where_text(const RunData& run, const TxnAtomicTally& t, int kind) {
    std::string out;
    for (const auto& [tp, pieces] : t.where[kind]) {
        std::string text;
        for (size_t i = 0; i < pieces.size(); ++i) {
            if (i == 4) {
                text += ", and " + std::to_string(pieces.size() - i) + " more ranges";
                break;
            }
            text += (i ? ", " : "") + std::string("seq ") +
                    span_text(pieces[i].first, static_cast<int64_t>(pieces[i].end) - 1) + pieces[i].why;
        }
        out += (out.empty() ? "" : "; ") + partition_text(run, tp) + " " + text;
    }
    return std::string(part_name(kind)) + " on " + out;
}

}  // namespace

CheckResult check_txn_atomic(const ExpectSpec&, const RunData& run) {
    const History& h = history_of(run);
    if (h.transactions().empty()) return not_checked("no transaction in the history (no transactional producer ran)");
    const TransactionFates fates(run.final_state);

    int64_t judged = 0, whole = 0, open_txns = 0, exempt = 0;
    int64_t torn = 0, lost = 0, revealed = 0;
    Evidence evidence;
    std::vector<std::string> open_lines;
    for (const TxnOp& txn : h.transactions()) {
        TxnAtomicTally t;
        for (const RecordRange& r : txn.records) {
            const int64_t start = fates.log_start(r.tp);
            for (const FatePart& part : fates.parts(RecordKey{r.client, r.tp}, r.first_seq, r.end_seq())) {
                int kind = absent;
                if (part.placement != nullptr)
                    kind = part.placement->fate == LogFate::committed ? committed
                           : part.placement->fate == LogFate::aborted ? aborted
                                                                      : undecided;
                else if (start > 0 && part.end_seq <= fates.lowest_seq(RecordKey{r.client, r.tp})) {
                    exempt += part.end_seq - part.first_seq;  // absent below what the log still holds: retention
                    continue;
                }
                add(t, kind, r.tp, part.first_seq, part.end_seq, part.placement);
            }
        }
        if (!t.in_log()) continue;
        ++judged;
        const bool some_committed = t.records[committed] > 0;
        const bool some_not = t.records[aborted] + t.records[absent] > 0;
        const bool is_torn = some_committed && some_not;
        const bool saw_commit = txn.outcome == kafka::TxnOutcome::committed;
        const bool saw_abort = txn.outcome == kafka::TxnOutcome::aborted;
        const bool is_lost = saw_commit && some_not;
        const bool is_revealed = saw_abort && some_committed;
        const std::string outcome =
            txn.outcome ? std::string("the application saw it ") + kafka::to_string(*txn.outcome)
                        : std::string("still open in the application when the run ended");
        if (!is_torn && !is_lost && !is_revealed) {
            if (t.records[undecided] > 0) {
                ++open_txns;
                if (open_lines.size() < 5)
                    open_lines.push_back("not torn, undecided when the run ended: " + txn_text(run, txn) + ", " + outcome +
                                         "; " + count_text(t.records[undecided], "record") + " " +
                                         where_text(run, t, undecided) +
                                         (some_committed ? "; " + where_text(run, t, committed) : std::string()) +
                                         (t.records[aborted] > 0 ? "; " + where_text(run, t, aborted) : std::string()));
            } else {
                ++whole;
            }
            continue;
        }
        torn += is_torn ? 1 : 0;
        lost += is_lost ? 1 : 0;
        revealed += is_revealed ? 1 : 0;
        evidence.add_lazy([&] {
            std::string what = is_torn && is_lost       ? "torn, and a lost write"
                               : is_torn && is_revealed ? "torn, and an aborted write made visible"
                               : is_torn                ? "torn"
                               : is_lost                ? "lost write"
                                                        : "aborted write made visible";
            std::string line = what + ": " + txn_text(run, txn) + ", began " + sim::format_time(txn.begin) + ", " + outcome +
                               (txn.outcome ? " at " + sim::format_time(txn.end) : std::string()) + "; ";
            std::string parts;
            for (int k : {committed, aborted, absent, undecided})
                if (t.records[k] > 0)
                    parts += (parts.empty() ? "" : "; ") + count_text(t.records[k], "record") + " " + where_text(run, t, k);
            return line + parts;
        });
    }
    if (judged == 0)
        return not_checked("none of " + count_text(static_cast<int64_t>(h.transactions().size()), "transaction") +
                           " left a record in the final committed logs");
    CheckResult result;
    result.holds = torn + lost + revealed == 0;
    if (result.holds) {
        result.summary = "no transaction is torn: of " + count_text(judged, "transaction") +
                         " with records in the committed logs, " + with_commas(whole) +
                         " are decided as a whole";
        if (open_txns > 0) result.summary += ", " + with_commas(open_txns) + " still undecided when the run ended (not counted torn)";
    } else {
        std::vector<std::string> parts;
        if (torn > 0) parts.push_back(count_text(torn, "torn transaction") + " (committed on some partitions, not on others)");
        if (lost > 0) parts.push_back(count_text(lost, "transaction") + " the application saw committed with records not committed (lost write)");
        if (revealed > 0) parts.push_back(count_text(revealed, "transaction") + " the application saw aborted with records committed");
        for (const auto& p : parts) result.summary += (result.summary.empty() ? "" : "; ") + p;
        result.summary += " (of " + count_text(judged, "transaction") + " with records in the committed logs)";
    }
    if (exempt > 0)
        result.summary += "; " + count_text(exempt, "record") + " below the log start offset (retention) not judged";
    for (auto& line : open_lines) evidence.add(std::move(line));
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& txn_atomic_check() {
    static const CheckDescriptor d{CheckKind::txn_atomic, "txn-atomic", {},
                                  "—",
                                  "every transaction with records in the final committed logs is committed on all its partitions "
                                  "or on none, committed when the application saw it commit and not when it saw it abort; "
                                  "transactions undecided at the end are not counted",
                                  check_txn_atomic};
    return d;
}

}  // namespace scenarios
