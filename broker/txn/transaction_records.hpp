// What a transaction coordinator writes to its __transaction_state partition: one record per
// transactional id and state change (Kafka's TransactionLog key = transactional id, value =
// TransactionLogValue). They travel in ordinary record batches, replicated like any data, so a
// new coordinator rebuilds every transaction from its replica of the log (the latest record of
// an id wins, as compaction would keep it).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "broker/group/group_partition.hpp"
#include "sim/time.hpp"

namespace kafka {

constexpr const char* transaction_state_topic = "__transaction_state";

// TransactionState (TransactionMetadata.scala), with Kafka's ids and names.
enum class TxnState : uint8_t {
    empty = 0,
    ongoing = 1,
    prepare_commit = 2,
    prepare_abort = 3,
    complete_commit = 4,
    complete_abort = 5,
    dead = 6,
    prepare_epoch_fence = 7,
};
const char* to_string(TxnState s);  // "Empty", "Ongoing", "PrepareCommit", ...

struct TransactionLogValue {
    std::string transactional_id;
    int64_t producer_id = -1;
    int64_t previous_producer_id = -1;  // TV2: the id before an epoch overflow rotated it
    int16_t producer_epoch = -1;
    int16_t last_producer_epoch = -1;   // the epoch before the last bump (fencing retries)
    int32_t txn_timeout_ms = 0;
    TxnState state = TxnState::empty;
    std::vector<GroupPartition> partitions;  // the partitions in the transaction (by topic name)
    sim::Time txn_start_time;
    sim::Time txn_last_update_time;
    bool transaction_version_2 = false;  // the client speaks TV2 (epoch bump per transaction)
};

struct TransactionRecords {
    std::vector<TransactionLogValue> values;
    int32_t count() const { return static_cast<int32_t>(values.size()); }
};

}  // namespace kafka
