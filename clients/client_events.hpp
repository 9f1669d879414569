// How clients report what the application saw: sends, acknowledgements, errors and polls.
// The harness implements this to record its history; the model never knows who listens.
// Ranges are per (client, partition) record sequences: records [first_seq, first_seq+count).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "broker/errors.hpp"
#include "broker/messages.hpp"
#include "sim/time.hpp"

namespace kafka {

// How a transaction ended, as the application saw it.
enum class TxnOutcome : uint8_t {
    committed,  // commitTransaction() returned
    aborted,    // abortTransaction() returned (chosen, or after an abortable error)
    unknown,    // the producer failed fatally (fenced, INVALID_TXN_STATE...) or stopped: no answer
};
inline const char* to_string(TxnOutcome o) {
    switch (o) {
        case TxnOutcome::committed: return "committed";
        case TxnOutcome::aborted: return "aborted";
        case TxnOutcome::unknown: return "unknown";
    }
    return "?";
}

// Who names the clients an application makes while it runs (a Streams instance's consumers and
// the producer that replaces a fenced one): each gets its ordinal, the record identity and the
// history's name for it.
class ClientRegistry {
public:
    virtual ~ClientRegistry() = default;
    virtual uint32_t register_client(std::string name) = 0;
};

class ClientEvents {
public:
    virtual ~ClientEvents() = default;
    // A batch left the accumulator for the first time (created at batch.create_time).
    virtual void on_send(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count) = 0;
    // The produce was acknowledged; base_offset is -1 for acks=0.
    virtual void on_ack(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                        int64_t base_offset) = 0;
    // A produce attempt failed. final=true: the producer gave up on these records
    // (delivery.timeout.ms, retries exhausted, or a non-retriable error).
    virtual void on_error(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                          Error error, bool final) = 0;
    // The consumer handed records [first_offset, first_offset+count) of `batch` to the application.
    virtual void on_poll(uint32_t client, sim::Time t, TopicPartition tp, const RecordBatch& batch,
                         int64_t first_offset, int32_t count) = 0;
    // A group member's assignment changed: from now on it owns `partitions` in `generation`
    // (empty after a revocation, or when it lost its membership).
    virtual void on_assignment(uint32_t /*client*/, sim::Time /*t*/, int32_t /*generation*/,
                               const std::vector<TopicPartition>& /*partitions*/) {}
    // The coordinator acknowledged a commit of `offset` (the next offset to read) for tp.
    virtual void on_commit(uint32_t /*client*/, sim::Time /*t*/, int32_t /*generation*/, TopicPartition /*tp*/,
                           int64_t /*offset*/) {}
    // A commit of `generation` failed: the coordinator answered `error`, or no answer came
    // (REQUEST_TIMED_OUT; COORDINATOR_NOT_AVAILABLE when the coordinator was lost meanwhile).
    virtual void on_commit_failed(uint32_t /*client*/, sim::Time /*t*/, int32_t /*generation*/, Error /*error*/) {}

    // ---- transactional producers ----
    // A transactional producer's records are acknowledged (on_ack) only when their transaction's
    // commitTransaction() returns; the records of an aborted transaction end with a final on_error
    // (error: what made the application abort, NONE when it chose to).
    //
    // beginTransaction(): transaction `txn` (1, 2, ... per client) under producer id / epoch.
    virtual void on_txn_begin(uint32_t /*client*/, sim::Time /*t*/, uint32_t /*txn*/, int64_t /*producer_id*/,
                              int16_t /*epoch*/) {}
    // Records [first_seq, first_seq+count) on tp belong to transaction `txn` (reported with on_send).
    virtual void on_txn_records(uint32_t /*client*/, uint32_t /*txn*/, TopicPartition /*tp*/, uint32_t /*first_seq*/,
                                int32_t /*count*/) {}
    // commitTransaction()/abortTransaction() returned, or the producer failed fatally (unknown).
    // `error` is the error behind an abort or a fatal failure, NONE otherwise.
    virtual void on_txn_end(uint32_t /*client*/, sim::Time /*t*/, uint32_t /*txn*/, TxnOutcome /*outcome*/,
                            Error /*error*/) {}
};

}  // namespace kafka
