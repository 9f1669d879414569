// Idempotent producer state of one partition (Kafka's ProducerStateManager): per producer id
// the epoch and the last 5 batches' sequence ranges, rebuilt from the log on load and
// truncation, so a new leader de-duplicates as the old one did.
#pragma once
#include <cstdint>
#include <deque>
#include <map>

#include "broker/record_batch.hpp"

namespace kafka {

class ProducerState {
public:
    static constexpr size_t batches_to_retain = 5;  // ProducerStateEntry.NUM_BATCHES_TO_RETAIN

    enum class Verdict { append, duplicate, out_of_order, fenced_epoch };
    // For `duplicate`, duplicate_offset is the base offset the batch was first written at.
    Verdict check(const RecordBatch& batch, int64_t& duplicate_offset) const {
        if (batch.producer_id == no_producer_id || batch.base_sequence == no_sequence) return Verdict::append;
        auto it = producers_.find(batch.producer_id);
        if (it == producers_.end()) return Verdict::append;  // unknown producer: first write or expired state
        const Entry& e = it->second;
        if (batch.producer_epoch < e.epoch) return Verdict::fenced_epoch;
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
