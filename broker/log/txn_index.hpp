// The aborted-transaction index of one partition log (Kafka's TransactionIndex, the segments'
// .txnindex files): one AbortedTxn per ABORT marker that ended a transaction with data here,
// in the order the markers were appended. A read_committed fetch returns the entries that
// overlap what it read (LocalLog.collectAbortedTransactions), so that the consumer can drop
// the aborted batches.
//
// The model keeps the index in memory and rebuilds it with the producer state from the log
// on recovery (as LogSegment.recover does for segments past the recovery point); it is
// truncated with the log and loses the entries of deleted segments.
#pragma once
#include <cstdint>
#include <vector>

namespace kafka {

struct AbortedTxn {
    int64_t producer_id = -1;
    int64_t first_offset = 0;        // the transaction's first batch
    int64_t last_offset = 0;         // its ABORT marker
    int64_t last_stable_offset = 0;  // the LSO once it completed (ProducerStateManager.lastStableOffset)
    bool operator==(const AbortedTxn&) const = default;
};

class TxnIndex {
public:
    const std::vector<AbortedTxn>& entries() const { return entries_; }
    bool empty() const { return entries_.empty(); }
    void clear() { entries_.clear(); }

    // Markers are appended in offset order, so the entries are sorted by last_offset.
    void append(const AbortedTxn& txn) { entries_.push_back(txn); }

    // TransactionIndex.truncateTo: the entries whose marker is at or past `offset` go.
    void truncate_to(int64_t offset) {
        while (!entries_.empty() && entries_.back().last_offset >= offset) entries_.pop_back();
    }

    // The segments holding offsets below `offset` were deleted, and their .txnindex with them:
    // an entry lives in the segment its marker was appended to.
    void delete_before(int64_t offset) {
        size_t n = 0;
        while (n < entries_.size() && entries_[n].last_offset < offset) ++n;
        entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(n));
    }

    // TransactionIndex.collectAbortedTxns over the segments from the fetch offset on: the
    // aborted transactions that overlap [fetch_offset, upper_bound_offset). Kafka stops at the
    // first entry whose last_stable_offset reaches the upper bound; no later entry can start
    // below it, so the filter below returns the same list.
    std::vector<AbortedTxn> collect(int64_t fetch_offset, int64_t upper_bound_offset) const {
        std::vector<AbortedTxn> out;
        for (const AbortedTxn& t : entries_)
            if (t.last_offset >= fetch_offset && t.first_offset < upper_bound_offset) out.push_back(t);
        return out;
    }

private:
    std::vector<AbortedTxn> entries_;
};

}  // namespace kafka
