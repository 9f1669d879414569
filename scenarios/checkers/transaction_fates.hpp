// What the final committed logs say became of transactional records, for the transaction
// checks (no-aborted-reads, txn-atomic, no-hanging-transactions): each transactional batch
// is decided by the first control batch of its producer id after it on its partition
// (KIP-98: COMMIT or ABORT marker), or still open when the committed log ends. And which
// consumers read with isolation.level=read_committed, from the scenario's consumer configs.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/checkers/checker.hpp"

namespace scenarios::checkers {

enum class LogFate : uint8_t { committed, aborted, open };
const char* to_string(LogFate f);  // "committed", "aborted", "undecided"

// A run of one producer's transactional records in a committed log, and its fate there.
struct TxnPlacement {
    uint32_t first_seq = 0, end_seq = 0;
    int64_t offset = 0;               // of first_seq
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    LogFate fate = LogFate::open;
    int64_t marker_offset = -1;       // the marker that decided it; -1 while open
};

// A piece of a record range and what the log says of it (absent: not in the committed log).
struct FatePart {
    uint32_t first_seq = 0, end_seq = 0;
    const TxnPlacement* placement = nullptr;  // null: absent from the committed log
    int64_t offset() const { return placement ? placement->offset + (first_seq - placement->first_seq) : -1; }
};

class TransactionFates {
public:
    explicit TransactionFates(const ClusterSnapshot& snapshot);
    // The parts of records [first, end) of `key`, in sequence order: each transactional
    // placement overlapping it, and the gaps between them as absent. Non-transactional
    // records count as absent here.
    std::vector<FatePart> parts(RecordKey key, uint32_t first, uint32_t end) const;
    bool any() const { return !by_key_.empty(); }
    // The lowest sequence of `key` the committed log holds in a transactional batch (UINT32_MAX: none).
    uint32_t lowest_seq(RecordKey key) const;
    // Below the committed source's log start offset (retention removed it): not judged.
    int64_t log_start(kafka::TopicPartition tp) const;

private:
    std::map<RecordKey, std::vector<TxnPlacement>> by_key_;  // sorted by first_seq
    std::map<kafka::TopicPartition, int64_t> log_start_;
};

// The transactions of the history, indexed by their records: which transaction (client, txn)
// sent record (client, tp, seq).
class TxnRecordIndex {
public:
    explicit TxnRecordIndex(const History& history);
    const TxnOp* find(RecordKey key, uint32_t seq) const { return at(key, seq, seq + 1).txn; }
    // The transaction of record `seq` (null: none) and where that stops holding, before `limit`.
    struct Hit {
        const TxnOp* txn = nullptr;
        uint32_t end = 0;
    };
    Hit at(RecordKey key, uint32_t seq, uint32_t limit) const;

private:
    struct Entry {
        uint32_t first_seq = 0, end_seq = 0;
        const TxnOp* txn = nullptr;
    };
    std::map<RecordKey, std::vector<Entry>> by_key_;  // sorted by first_seq
};

// The history's consumers that the scenario declares (every life of each member:
// "consumer:billing/2 (life 2)"), each with whether its isolation.level is read_committed.
// Clients the scenario does not name are left out: their isolation level is unknown.
std::map<uint32_t, bool> consumer_read_committed(const RunData& run);

// "transaction 3 of producer:tx (producer id 1000, epoch 0)"
std::string txn_text(const RunData& run, const TxnOp& t);

}  // namespace scenarios::checkers
