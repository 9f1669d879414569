// no-aborted-reads: a read_committed consumer never hands the application a record of an
// aborted transaction (Jepsen's G1a, "aborted read"; KAFKA-17754). A record counts as aborted
// when its transaction's application saw it aborted (abortTransaction() returned), or when
// the final committed log ends its producer's transaction on that partition with an ABORT
// marker (the first control batch of that producer id after it). Which consumers read
// committed is the scenario's `isolation.level`; read_uncommitted consumers may read aborted
// records, and the summary only counts them.
#include <algorithm>
#include <map>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/checkers/transaction_fates.hpp"

namespace scenarios {
namespace {
using namespace checkers;

struct AbortedRead {
    uint32_t consumer = 0;
    RecordKey key;
    uint32_t first_seq = 0, end_seq = 0;
    int64_t offset = 0;
    sim::Time t;
    const TxnOp* txn = nullptr;             // the transaction that sent them, when the history has it
    const TxnPlacement* placement = nullptr;  // their place in the committed log, when there
};

bool app_aborted(const TxnOp* t) { return t != nullptr && t->outcome == kafka::TxnOutcome::aborted; }
bool log_aborted(const TxnPlacement* p) { return p != nullptr && p->fate == LogFate::aborted; }

std::string how_aborted(const RunData& run, const AbortedRead& a) {
    std::string out;
    if (a.txn != nullptr) {
        out = txn_text(run, *a.txn);
        if (app_aborted(a.txn))
            out += ", which the application aborted (abortTransaction() returned at " + sim::format_time(a.txn->end) +
                   (a.txn->error != kafka::Error::none ? ", after " + std::string(kafka::error_name(a.txn->error)) : "") +
                   ")";
        else if (a.txn->outcome)
            out += std::string(", which the application saw ") + kafka::to_string(*a.txn->outcome);
    } else {
        out = "a transaction of producer id " +
              std::to_string(a.placement ? a.placement->producer_id : int64_t{-1}) + " not in the history";
    }
    if (log_aborted(a.placement))
        out += std::string(app_aborted(a.txn) ? " and" : ",") + " ended in the log by the ABORT marker of producer id " +
               std::to_string(a.placement->producer_id) + " at offset " + std::to_string(a.placement->marker_offset);
    else if (a.placement != nullptr && a.placement->fate == LogFate::committed)
        out += " (yet the log COMMITs it: marker at offset " + std::to_string(a.placement->marker_offset) + ")";
    return out;
}

}  // namespace

CheckResult check_no_aborted_reads(const ExpectSpec&, const RunData& run) {
    const History& h = history_of(run);
    const TransactionFates fates(run.final_state);
    if (h.transactions().empty() && !fates.any())
        return not_checked("no transactional producer: no transaction began and the committed logs hold no transactional batch");
    const std::map<uint32_t, bool> read_committed = consumer_read_committed(run);
    const TxnRecordIndex txns(h);

    int64_t rc_polled = 0, ru_aborted = 0;
    std::map<uint32_t, int64_t> rc_by_consumer;
    std::vector<AbortedRead> found;
    for (const PollOp& p : h.polls()) {
        auto rc = read_committed.find(p.consumer);
        const bool is_rc = rc != read_committed.end() && rc->second;
        if (p.count <= 0) continue;
        if (is_rc) {
            rc_polled += p.count;
            rc_by_consumer[p.consumer] += p.count;
        }
        const RecordKey key{p.producer, p.tp};
        const uint32_t end = p.first_seq + static_cast<uint32_t>(p.count);
        for (const FatePart& part : fates.parts(key, p.first_seq, end)) {
            // Split further by transaction: a part may span two of them only when absent.
            for (uint32_t s = part.first_seq; s < part.end_seq;) {
                const auto [t, e] = txns.at(key, s, part.end_seq);
                if (app_aborted(t) || log_aborted(part.placement)) {
                    if (!is_rc) {
                        ru_aborted += e - s;
                    } else {
                        const int64_t offset = p.first_offset + (s - p.first_seq);
                        if (!found.empty() && found.back().consumer == p.consumer && found.back().key == key &&
                            found.back().txn == t && found.back().placement == part.placement &&
                            found.back().end_seq == s && found.back().offset + (s - found.back().first_seq) == offset)
                            found.back().end_seq = e;
                        else
                            found.push_back(AbortedRead{p.consumer, key, s, e, offset, p.t, t, part.placement});
                    }
                }
                s = e;
            }
        }
    }
    if (rc_polled == 0)
        return not_checked(read_committed.empty() || std::none_of(read_committed.begin(), read_committed.end(),
                                                                   [](const auto& c) { return c.second; })
                               ? "no consumer reads with isolation.level=read_committed"
                               : "no read_committed consumer read a record");

    CheckResult result;
    Evidence evidence;
    int64_t aborted_records = 0;
    std::map<uint32_t, int64_t> by_consumer;
    for (const AbortedRead& a : found) {
        aborted_records += a.end_seq - a.first_seq;
        by_consumer[a.consumer] += a.end_seq - a.first_seq;
        evidence.add_lazy([&] {
            return "aborted read: " + client_text(run, a.consumer) + " (read_committed) got " +
                   records_text(run, a.key.client, a.key.tp, a.first_seq, a.end_seq) + " at offsets " +
                   span_text(a.offset, a.offset + (a.end_seq - a.first_seq) - 1) + " at " + sim::format_time(a.t) +
                   ", of " + how_aborted(run, a);
        });
    }
    result.holds = aborted_records == 0;
    std::string readers;
    for (const auto& [c, n] : rc_by_consumer) readers += (readers.empty() ? "" : ", ") + client_text(run, c);
    if (result.holds) {
        result.summary = "no read_committed consumer returned a record of an aborted transaction (" +
                         count_text(rc_polled, "record") + " read by " + readers + ")";
    } else {
        result.summary = count_text(aborted_records, "record") + " of aborted transactions returned to read_committed " +
                         (by_consumer.size() == 1 ? "consumer " : "consumers ");
        std::string who;
        for (const auto& [c, n] : by_consumer) who += (who.empty() ? "" : ", ") + client_text(run, c) + " (" + with_commas(n) + ")";
        result.summary += who + " (G1a, aborted read)";
    }
    if (ru_aborted > 0)
        result.summary += "; read_uncommitted consumers read " + count_text(ru_aborted, "aborted record") +
                          ", as that isolation level allows";
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& no_aborted_reads_check() {
    static const CheckDescriptor d{CheckKind::no_aborted_reads, "no-aborted-reads", {},
                                  "—",
                                  "no consumer with `isolation.level` read_committed returned a record of an aborted transaction "
                                  "(the application aborted it, or the final log ends it with an ABORT marker): Jepsen's G1a",
                                  check_no_aborted_reads};
    return d;
}

}  // namespace scenarios
