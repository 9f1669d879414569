// A record batch as the model keeps it: what the protocol and the checkers need, not bytes.
// Records are identified by (client, partition, sequence): a batch holds the contiguous
// sequence range [first_seq, first_seq + record_count) of one producing client on one
// partition, so memory grows with batches, not records.
#pragma once
#include <cstdint>
#include <memory>

#include "sim/time.hpp"

namespace kafka {

struct GroupRecords;        // broker/group/group_records.hpp: what group coordinators write
struct TransactionRecords;  // broker/txn/transaction_records.hpp: what transaction coordinators write

constexpr int64_t no_producer_id = -1;
constexpr int32_t no_sequence = -1;

struct RecordBatch {
    int64_t base_offset = 0;
    int32_t record_count = 0;
    int32_t leader_epoch = -1;     // partition leader epoch stamped by the leader (KIP-101)
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = -1;
    int32_t base_sequence = no_sequence;  // idempotence sequence, -1 without idempotence
    int32_t size_bytes = 0;
    sim::Time create_time;
    // Record identity for the checkers (not on Kafka's wire).
    uint32_t client = 0;     // producing client ordinal, 0 = none
    uint32_t first_seq = 0;  // per (client, partition) record sequence of the first record
    // __consumer_offsets only: the coordinator's records (null for data batches).
    std::shared_ptr<const GroupRecords> group_records;
    // __transaction_state only: the transaction coordinator's records (null otherwise).
    std::shared_ptr<const TransactionRecords> txn_records;

    int64_t last_offset() const { return base_offset + record_count - 1; }
    int64_t next_offset() const { return base_offset + record_count; }
    bool same_records(const RecordBatch& o) const {
        return client == o.client && first_seq == o.first_seq && record_count == o.record_count &&
               group_records == o.group_records && txn_records == o.txn_records;
    }
};

// Kafka's record batch framing overhead (DefaultRecordBatch.RECORD_BATCH_OVERHEAD = 61) plus
// a per-record overhead; used to size batches for batch.size and segment.bytes.
constexpr int32_t record_batch_overhead_bytes = 61;

}  // namespace kafka
