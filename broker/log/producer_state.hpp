// Producer state of one partition (Kafka's ProducerStateManager with ProducerAppendInfo and
// ProducerStateEntry): per producer id the epoch, the last 5 batches' sequence ranges, the
// epoch of the last transaction coordinator that wrote a marker here, and the first offset of
// its ongoing transaction. It is rebuilt from the log on load and truncation, so a new leader
// de-duplicates and knows the open transactions as the old one did.
//
// Transactions (0.11, KIP-98): a transactional batch starts the producer's transaction here or
// continues it; a control batch (COMMIT or ABORT marker from the coordinator) ends it. The
// first offsets of the ongoing transactions give the first unstable offset, and so the last
// stable offset; a completed transaction stays unstable until the high watermark passes its
// marker (unreplicatedTxns).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <vector>

#include "broker/config.hpp"
#include "broker/record_batch.hpp"

namespace kafka {

// A transaction that a marker ended (Kafka's CompletedTxn), with the last stable offset at
// its completion that the aborted-transaction index records.
struct CompletedTxn {
    int64_t producer_id = no_producer_id;
    int64_t first_offset = 0;
    int64_t last_offset = 0;  // the marker's offset
    bool aborted = false;
    int64_t last_stable_offset = 0;
};

class ProducerState {
public:
    static constexpr size_t batches_to_retain = 5;  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN

    enum class Verdict {
        append,
        duplicate,
        out_of_order,
        fenced_epoch,             // INVALID_PRODUCER_EPOCH
        unknown_producer_id,
        invalid_txn_state,        // a non-transactional batch while the producer's transaction is open
        coordinator_fenced,       // a marker from an older coordinator epoch: TRANSACTION_COORDINATOR_FENCED
    };
    // The sequence rules of Kafka's ProducerAppendInfo.checkSequence for a client's append, as of the
    // release (Behaviour). empty_log: the partition's log never held a record (KAFKA-15591).
    // For `duplicate`, duplicate_offset is the base offset the batch was first written at.
    Verdict check(const RecordBatch& batch, int64_t& duplicate_offset, const Behaviour& behaviour,
                  bool empty_log) const {
        if (batch.is_control) return check_marker(batch);
        if (batch.producer_id == no_producer_id) return Verdict::append;
        if (batch.base_sequence == no_sequence) {
            // A group coordinator's transactional offsets (origin COORDINATOR): ProducerAppendInfo
            // checks the epoch only, never the sequence.
            if (!batch.is_transactional) return Verdict::append;
            auto it = producers_.find(batch.producer_id);
            return it != producers_.end() && batch.producer_epoch < it->second.epoch ? Verdict::fenced_epoch
                                                                                      : Verdict::append;
        }
        auto it = producers_.find(batch.producer_id);
        if (it == producers_.end()) return check_unknown_producer(batch, behaviour, empty_log);
        const Entry& e = it->second;
        if (batch.producer_epoch < e.epoch) return Verdict::fenced_epoch;
        Verdict v = check_sequence(batch, e, duplicate_offset);
        // ProducerAppendInfo.appendDataBatch: after the epoch and sequence checks.
        if (v == Verdict::append && e.txn_first_offset && !batch.is_transactional) return Verdict::invalid_txn_state;
        return v;
    }

    // ProducerAppendInfo.appendEndTxnMarker for a marker from the coordinator (TV0/TV1: the
    // marker's epoch may equal the producer's).
    Verdict check_marker(const RecordBatch& marker) const {
        auto it = producers_.find(marker.producer_id);
        if (it == producers_.end()) return Verdict::append;
        if (marker.producer_epoch < it->second.epoch) return Verdict::fenced_epoch;
        if (it->second.coordinator_epoch > marker.coordinator_epoch) return Verdict::coordinator_fenced;
        return Verdict::append;
    }

    // The state after `appended` (a batch now in the log, at its offsets). For a marker that
    // ended a transaction with data here, the completed transaction; it stays unstable until
    // on_high_watermark_updated passes its marker.
    std::optional<CompletedTxn> update(const RecordBatch& appended) {
        if (appended.producer_id == no_producer_id) return std::nullopt;
        if (appended.is_control) return update_marker(appended);
        // Without a sequence only a coordinator's transactional batch (TxnOffsetCommit) counts:
        // it opens the producer's transaction here like data does.
        if (appended.base_sequence == no_sequence && !appended.is_transactional) return std::nullopt;
        Entry& e = producers_[appended.producer_id];
        if (appended.producer_epoch > e.epoch) {
            e.epoch = appended.producer_epoch;
            e.batches.clear();
        }
        if (appended.base_sequence != no_sequence) {
            e.batches.push_back(Meta{appended.base_sequence, appended.record_count, appended.base_offset});
            if (e.batches.size() > batches_to_retain) e.batches.pop_front();
        }
        e.last_timestamp = appended.create_time;
        if (appended.is_transactional && !e.txn_first_offset) {
            e.txn_first_offset = appended.base_offset;
            ongoing_[appended.base_offset] = appended.producer_id;
        }
        return std::nullopt;
    }

    // ProducerStateManager.firstUnstableOffset: the first offset of the earliest transaction
    // that is open, or ended by a marker the high watermark has not passed yet. Completed ones
    // below `high_watermark` count as stable even before on_high_watermark_updated drops them.
    std::optional<int64_t> first_unstable_offset(int64_t high_watermark) const {
        std::optional<int64_t> first;
        if (!ongoing_.empty()) first = ongoing_.begin()->first;
        for (const auto& [first_offset, marker_offset] : unreplicated_) {
            if (first && first_offset >= *first) break;
            if (marker_offset >= high_watermark) {
                first = first_offset;
                break;
            }
        }
        return first;
    }
    // ProducerStateManager.firstUndecidedOffset: the earliest open transaction's first offset.
    std::optional<int64_t> first_undecided_offset() const {
        if (ongoing_.empty()) return std::nullopt;
        return ongoing_.begin()->first;
    }
    // onHighWatermarkUpdated: completed transactions whose marker is below it are stable.
    void on_high_watermark_updated(int64_t high_watermark) {
        std::erase_if(unreplicated_, [high_watermark](const auto& kv) { return kv.second < high_watermark; });
    }

    // What DescribeProducers shows of one producer id (kafka-transactions.sh describe-producers:
    // ProducerId ProducerEpoch LatestCoordinatorEpoch LastSequence LastTimestamp
    // CurrentTransactionStartOffset), in producer id order.
    struct ProducerView {
        int64_t producer_id = no_producer_id;
        int16_t producer_epoch = -1;
        int32_t coordinator_epoch = -1;
        int32_t last_sequence = no_sequence;
        sim::Time last_timestamp;  // the newest batch or marker it wrote here
        int64_t current_txn_start_offset = -1;
    };
    std::vector<ProducerView> producers() const {
        std::vector<ProducerView> out;
        for (const auto& [id, e] : producers_) {
            ProducerView v;
            v.producer_id = id;
            v.producer_epoch = e.epoch;
            v.coordinator_epoch = e.coordinator_epoch;
            if (!e.batches.empty()) v.last_sequence = e.batches.back().first_seq + e.batches.back().count - 1;
            v.last_timestamp = e.last_timestamp;
            v.current_txn_start_offset = e.txn_first_offset.value_or(-1);
            out.push_back(v);
        }
        return out;
    }
    // The open transactions, by first offset: producer id.
    const std::map<int64_t, int64_t>& ongoing_transactions() const { return ongoing_; }
    // UnifiedLog.hasOngoingTransaction(producerId, producerEpoch) (4.0): a transaction of this
    // epoch. With transaction.version 2 a batch of the next epoch starts a new one, even while the
    // previous one waits for its marker.
    bool has_ongoing_transaction(int64_t producer_id, int16_t epoch) const {
        auto it = producers_.find(producer_id);
        return it != producers_.end() && it->second.txn_first_offset.has_value() && it->second.epoch == epoch;
    }

    // KIP-890 part 1 (3.6, ProducerStateManager.maybeCreateVerificationStateEntry): while a leader
    // asks the coordinator about a producer's first transactional batch it holds a verification
    // guard; the batch is appended only if the guard is still the one it got. A marker of the
    // producer clears it, so a batch verified before an abort but appended after it is refused.
    // In memory only (a new leader verifies again). An existing guard is reused.
    uint64_t start_verification(int64_t producer_id, int16_t epoch) {
        auto [it, added] = verifying_.try_emplace(producer_id, Verifying{next_guard_, epoch});
        if (added) {
            ++next_guard_;
        } else if (it->second.epoch < epoch) {  // a newer epoch's transaction: a guard of its own
            it->second = Verifying{next_guard_++, epoch};
        }
        return it->second.guard;
    }
    std::optional<uint64_t> verification_guard(int64_t producer_id) const {
        auto it = verifying_.find(producer_id);
        if (it == verifying_.end()) return std::nullopt;
        return it->second.guard;
    }

    void clear() {
        producers_.clear();
        ongoing_.clear();
        unreplicated_.clear();
        verifying_.clear();
    }

private:
    struct Meta {
        int32_t first_seq;
        int32_t count;
        int64_t base_offset;
    };
    struct Entry {
        int16_t epoch = -1;  // RecordBatch.NO_PRODUCER_EPOCH until a batch or marker sets it
        std::deque<Meta> batches;
        int32_t coordinator_epoch = -1;
        std::optional<int64_t> txn_first_offset;  // ProducerStateEntry.currentTxnFirstOffset
        sim::Time last_timestamp;                 // ProducerStateEntry.lastTimestamp
    };

    static Verdict check_sequence(const RecordBatch& batch, const Entry& e, int64_t& duplicate_offset) {
        // A new epoch of a known producer starts at sequence 0 in every release.
        if (batch.producer_epoch > e.epoch) return batch.base_sequence == 0 ? Verdict::append : Verdict::out_of_order;
        for (const auto& b : e.batches) {
            if (b.first_seq == batch.base_sequence && b.count == batch.record_count) {
                duplicate_offset = b.base_offset;
                return Verdict::duplicate;
            }
        }
        int32_t last_seq = e.batches.empty() ? -1 : e.batches.back().first_seq + e.batches.back().count - 1;
        return batch.base_sequence == last_seq + 1 ? Verdict::append : Verdict::out_of_order;
    }

    // No state for the producer id: its first write here, or its state went with the records
    // (retention, DeleteRecords, a truncation that rebuilt the state from the log).
    static Verdict check_unknown_producer(const RecordBatch& batch, const Behaviour& behaviour, bool empty_log) {
        if (batch.base_sequence == 0) return Verdict::append;
        if (!behaviour.accept_unknown_producer_sequence)
            // Before KIP-360 (2.5): 1.0 to 2.4 say UNKNOWN_PRODUCER_ID (KAFKA-5793), 0.11 OUT_OF_ORDER_SEQUENCE_NUMBER.
            return behaviour.unknown_producer_id_error ? Verdict::unknown_producer_id : Verdict::out_of_order;
        // 2.5 to 4.4 accept any sequence; 4.5 not on a log that never held a record (KAFKA-15591),
        // where the earlier requests of a producer that began at 0 must have failed.
        if (behaviour.first_sequence_zero_on_new_partition && empty_log) return Verdict::out_of_order;
        return Verdict::append;
    }

    // ProducerAppendInfo.appendEndTxnMarker + ProducerStateEntry.update: the marker's epoch
    // (a newer one drops the sequence history) and coordinator epoch; the open transaction ends.
    std::optional<CompletedTxn> update_marker(const RecordBatch& marker) {
        Entry& e = producers_[marker.producer_id];
        // The transaction it was verified for is over; a guard of a later epoch (transaction.version
        // 2: the next transaction, verified while this marker was on its way) stays.
        if (auto v = verifying_.find(marker.producer_id); v != verifying_.end() && v->second.epoch <= e.epoch)
            verifying_.erase(v);
        if (marker.producer_epoch != e.epoch) {
            e.epoch = marker.producer_epoch;
            e.batches.clear();
        }
        e.coordinator_epoch = marker.coordinator_epoch;
        e.last_timestamp = marker.create_time;
        if (!e.txn_first_offset) return std::nullopt;  // no data here: neither the LSO nor the index changes
        CompletedTxn done;
        done.producer_id = marker.producer_id;
        done.first_offset = *e.txn_first_offset;
        done.last_offset = marker.base_offset;
        done.aborted = marker.control_type == ControlRecordType::abort;
        // ProducerStateManager.lastStableOffset(completedTxn): the first open transaction of
        // another producer, else just past the marker.
        done.last_stable_offset = done.last_offset + 1;
        for (const auto& [first, pid] : ongoing_)
            if (pid != marker.producer_id) {
                done.last_stable_offset = first;
                break;
            }
        // completeTxn
        ongoing_.erase(done.first_offset);
        unreplicated_[done.first_offset] = done.last_offset;
        e.txn_first_offset.reset();
        return done;
    }

    std::map<int64_t, Entry> producers_;
    std::map<int64_t, int64_t> ongoing_;       // first offset -> producer id (ongoingTxns)
    std::map<int64_t, int64_t> unreplicated_;  // first offset -> marker offset (unreplicatedTxns)
    struct Verifying {
        uint64_t guard = 0;
        int16_t epoch = -1;
    };
    std::map<int64_t, Verifying> verifying_;   // producer id -> verification guard (verificationStates)
    uint64_t next_guard_ = 1;
};

}  // namespace kafka
