// A record batch as the model keeps it: what the protocol and the checkers need, not bytes.
// Records are identified by (client, partition, sequence): a batch holds the contiguous
// sequence range [first_seq, first_seq + record_count) of one producing client on one
// partition, so memory grows with batches, not records.
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "sim/time.hpp"

namespace kafka {

struct GroupRecords;        // broker/group/group_records.hpp: what group coordinators write
struct TransactionRecords;  // broker/txn/transaction_records.hpp: what transaction coordinators write

// Where a derived record came from: the input record a Streams task processed to write it
// (the record identity below of the input: client, partition, sequence). Not on Kafka's wire;
// the exactly-once check counts each input record's effects by it.
struct RecordOrigin {
    uint32_t client = 0;
    int32_t partition = -1;
    uint32_t seq = 0;
    auto operator<=>(const RecordOrigin&) const = default;
};

// What the records of a batch hold beyond their identity, for the applications that read them
// and the checks of what they wrote. Each vector is empty (not carried) or has one entry per
// record, in offset order:
//  - keys: the record's key "key-<k>" as k, -1 for a null key (producers with "keys");
//  - values: a number, such as a Streams aggregate (a count) in an output or changelog record;
//  - origins: the input record a Streams output or changelog record was derived from;
//  - texts: the key and value as text, where the application gave them (a Connect worker's
//    internal topics: key "connector-orders", value its config as JSON; a source connector's
//    row as the line it read). A value of nullopt is a null value (a tombstone).
// Immutable once the batch is sent: replicas, retries and the disk share one copy.
struct TextRecord {
    std::optional<std::string> key;
    std::optional<std::string> value;
};
struct RecordContents {
    std::vector<int32_t> keys;
    std::vector<int64_t> values;
    std::vector<RecordOrigin> origins;
    std::vector<TextRecord> texts;
    int32_t key(size_t i) const { return i < keys.size() ? keys[i] : -1; }
    const TextRecord* text(size_t i) const { return i < texts.size() ? &texts[i] : nullptr; }
};

constexpr int64_t no_producer_id = -1;
constexpr int32_t no_sequence = -1;

// The type in a control record's key (ControlRecordType): the transaction markers. The KRaft
// control types (2..6) live in the metadata log, not here.
enum class ControlRecordType : int8_t { abort = 0, commit = 1 };
inline const char* to_string(ControlRecordType t) { return t == ControlRecordType::commit ? "COMMIT" : "ABORT"; }

struct RecordBatch {
    int64_t base_offset = 0;
    int32_t record_count = 0;
    int32_t leader_epoch = -1;     // partition leader epoch stamped by the leader (KIP-101)
    int64_t producer_id = no_producer_id;
    int16_t producer_epoch = -1;
    int32_t base_sequence = no_sequence;  // idempotence sequence, -1 without idempotence
    int32_t size_bytes = 0;
    sim::Time create_time;
    // Transactions (0.11, KIP-98): attribute bit 4. A transactional batch belongs to the
    // producer's open transaction on this partition until a marker ends it.
    bool is_transactional = false;
    // Attribute bit 5: a control batch, here one end-transaction marker (always transactional
    // too). It holds one control record, so it takes one offset (record_count 1), but it is no
    // data: consumers skip it and the checkers count no record in it (client 0).
    bool is_control = false;
    ControlRecordType control_type = ControlRecordType::abort;
    int32_t coordinator_epoch = -1;  // the marker's value: the coordinator's epoch (EndTransactionMarker)
    // Record identity for the checkers (not on Kafka's wire).
    uint32_t client = 0;     // producing client ordinal, 0 = none
    uint32_t first_seq = 0;  // per (client, partition) record sequence of the first record
    // Keys, values and origins of the records (null: none carried; record_batch.hpp's RecordContents).
    std::shared_ptr<const RecordContents> contents;
    // __consumer_offsets only: the coordinator's records (null for data batches).
    std::shared_ptr<const GroupRecords> group_records;
    // __transaction_state only: the transaction coordinator's records (null otherwise).
    std::shared_ptr<const TransactionRecords> txn_records;

    int64_t last_offset() const { return base_offset + record_count - 1; }
    int64_t next_offset() const { return base_offset + record_count; }
    bool is_commit_marker() const { return is_control && control_type == ControlRecordType::commit; }
    bool is_abort_marker() const { return is_control && control_type == ControlRecordType::abort; }
    bool same_records(const RecordBatch& o) const {
        return client == o.client && first_seq == o.first_seq && record_count == o.record_count &&
               group_records == o.group_records && txn_records == o.txn_records && is_control == o.is_control &&
               (!is_control || (producer_id == o.producer_id && control_type == o.control_type));
    }
};

// Kafka's record batch framing overhead (DefaultRecordBatch.RECORD_BATCH_OVERHEAD = 61) plus
// a per-record overhead; used to size batches for batch.size and segment.bytes.
constexpr int32_t record_batch_overhead_bytes = 61;
// A batch with one end-transaction marker: the framing plus one control record (an int16
// version and type as key, an int16 version and int32 coordinator epoch as value).
constexpr int32_t control_batch_size_bytes = record_batch_overhead_bytes + 17;

// The control batch a partition leader appends for WriteTxnMarkers (MemoryRecords
// .withEndTransactionMarker): the producer's id and epoch, no sequence.
inline RecordBatch end_txn_marker(int64_t producer_id, int16_t producer_epoch, int32_t coordinator_epoch,
                                  ControlRecordType type, sim::Time now) {
    RecordBatch b;
    b.record_count = 1;
    b.producer_id = producer_id;
    b.producer_epoch = producer_epoch;
    b.size_bytes = control_batch_size_bytes;
    b.create_time = now;
    b.is_transactional = true;
    b.is_control = true;
    b.control_type = type;
    b.coordinator_epoch = coordinator_epoch;
    return b;
}

}  // namespace kafka
