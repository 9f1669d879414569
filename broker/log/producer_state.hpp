// Idempotent producer state of one partition (Kafka's ProducerStateManager): per producer id
// the epoch and the last 5 batches' sequence ranges, rebuilt from the log on load and
// truncation, so a new leader de-duplicates as the old one did.
#pragma once
#include <cstdint>
#include <deque>
#include <map>

#include "broker/config.hpp"
#include "broker/record_batch.hpp"

namespace kafka {

class ProducerState {
public:
    static constexpr size_t batches_to_retain = 5;  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN

    enum class Verdict { append, duplicate, out_of_order, fenced_epoch, unknown_producer_id };
    // The sequence rules of Kafka's ProducerAppendInfo.checkSequence for a client's append, as of the
    // release (Behaviour). empty_log: the partition's log never held a record (KAFKA-15591).
    // For `duplicate`, duplicate_offset is the base offset the batch was first written at.
    Verdict check(const RecordBatch& batch, int64_t& duplicate_offset, const Behaviour& behaviour,
                  bool empty_log) const {
        if (batch.producer_id == no_producer_id || batch.base_sequence == no_sequence) return Verdict::append;
        auto it = producers_.find(batch.producer_id);
        if (it == producers_.end()) return check_unknown_producer(batch, behaviour, empty_log);
        const Entry& e = it->second;
        if (batch.producer_epoch < e.epoch) return Verdict::fenced_epoch;
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

    void update(const RecordBatch& appended) {
        if (appended.producer_id == no_producer_id || appended.base_sequence == no_sequence) return;
        Entry& e = producers_[appended.producer_id];
        if (appended.producer_epoch > e.epoch) {
            e.epoch = appended.producer_epoch;
            e.batches.clear();
        }
        e.batches.push_back(Meta{appended.base_sequence, appended.record_count, appended.base_offset});
        if (e.batches.size() > batches_to_retain) e.batches.pop_front();
    }

    void clear() { producers_.clear(); }

private:
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

    struct Meta {
        int32_t first_seq;
        int32_t count;
        int64_t base_offset;
    };
    struct Entry {
        int16_t epoch = 0;
        std::deque<Meta> batches;
    };
    std::map<int64_t, Entry> producers_;
};

}  // namespace kafka
