// The history: every client operation with its virtual time, as the application saw it.
// Recorded per batch (a contiguous record range of one client on one partition), so it
// grows with batches, not records. Checkers read it after the run.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <optional>
#include <string>
#include <vector>

#include "clients/client_events.hpp"

namespace scenarios {

struct RecordRange {
    uint32_t client = 0;  // producing client ordinal (History::client_names)
    kafka::TopicPartition tp;
    uint32_t first_seq = 0;
    int32_t count = 0;
    uint32_t end_seq() const { return first_seq + static_cast<uint32_t>(count); }
};

struct SendOp {
    sim::Time t;
    RecordRange records;
};
struct AckOp {
    sim::Time t;
    RecordRange records;
    int64_t base_offset = -1;  // -1 for acks=0
};
struct ErrorOp {
    sim::Time t;
    RecordRange records;
    kafka::Error error = kafka::Error::none;
    bool final = false;
};
// Records [first_offset, first_offset+count) of a batch handed to a consuming application.
struct PollOp {
    sim::Time t;
    uint32_t consumer = 0;      // consuming client ordinal
    kafka::TopicPartition tp;
    int64_t first_offset = 0;
    int32_t count = 0;
    uint32_t producer = 0;      // the records' producing client
    uint32_t first_seq = 0;     // sequence of the record at first_offset
    int32_t leader_epoch = -1;  // of the batch
};

// A group member's assignment changed; `polls_before` orders it among the polls exactly.
struct AssignmentOp {
    sim::Time t;
    uint32_t consumer = 0;
    int32_t generation = -1;
    std::vector<kafka::TopicPartition> partitions;
    size_t polls_before = 0;
};
// The coordinator acknowledged a commit of `offset` (the next offset to read).
struct CommitOp {
    sim::Time t;
    uint32_t consumer = 0;
    int32_t generation = -1;
    kafka::TopicPartition tp;
    int64_t offset = 0;
};

// One transaction of a transactional producer, as its application saw it.
struct TxnOp {
    uint32_t client = 0;
    uint32_t txn = 0;                 // 1, 2, ... per client
    int64_t producer_id = -1;
    int16_t epoch = -1;               // at beginTransaction()
    sim::Time begin;
    sim::Time end = sim::time_never;  // time_never: still open when the run ended
    std::optional<kafka::TxnOutcome> outcome;  // none: still open when the run ended
    kafka::Error error = kafka::Error::none;
    std::vector<RecordRange> records; // what it sent, per batch
};

class History final : public kafka::ClientEvents, public kafka::ClientRegistry {
public:
    // Client ordinals start at 1; index 0 is unused.
    uint32_t add_client(std::string name);
    uint32_t register_client(std::string name) override { return add_client(std::move(name)); }
    const std::string& client_name(uint32_t ordinal) const { return client_names_.at(ordinal); }
    size_t client_count() const { return client_names_.size(); }

    void on_send(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count) override;
    void on_ack(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count,
                int64_t base_offset) override;
    void on_error(uint32_t client, sim::Time t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count,
                  kafka::Error error, bool final) override;
    void on_poll(uint32_t client, sim::Time t, kafka::TopicPartition tp, const kafka::RecordBatch& batch,
                 int64_t first_offset, int32_t count) override;
    void on_assignment(uint32_t client, sim::Time t, int32_t generation,
                       const std::vector<kafka::TopicPartition>& partitions) override;
    void on_commit(uint32_t client, sim::Time t, int32_t generation, kafka::TopicPartition tp, int64_t offset) override;
    void on_txn_begin(uint32_t client, sim::Time t, uint32_t txn, int64_t producer_id, int16_t epoch) override;
    void on_txn_records(uint32_t client, uint32_t txn, kafka::TopicPartition tp, uint32_t first_seq,
                        int32_t count) override;
    void on_txn_end(uint32_t client, sim::Time t, uint32_t txn, kafka::TxnOutcome outcome, kafka::Error error) override;

    const std::vector<SendOp>& sends() const { return sends_; }
    const std::vector<AckOp>& acks() const { return acks_; }
    const std::vector<ErrorOp>& errors() const { return errors_; }
    const std::vector<PollOp>& polls() const { return polls_; }
    // The records a console consumer printed: kept, with their keys and values, only for the
    // clients asked for (the shell's kafka-console-consumer), as they cost memory per record.
    struct ReadRecord {
        uint32_t consumer = 0;
        kafka::TopicPartition tp;
        int64_t offset = 0;
        sim::Time timestamp;                 // CreateTime of the batch
        bool has_text = false;               // the producer sent a text key/value (else: generated records)
        std::optional<std::string> key, value;
        uint32_t producer = 0, seq = 0;      // the record's identity, for generated records
    };
    void keep_records_of(uint32_t client) { kept_.insert(client); }
    const std::vector<ReadRecord>& records_read() const { return records_read_; }
    const std::vector<AssignmentOp>& assignments() const { return assignments_; }
    const std::vector<CommitOp>& commits() const { return commits_; }
    // Every transaction of every transactional producer, in the order they began.
    const std::vector<TxnOp>& transactions() const { return txns_; }
    // The transaction (client, txn), or null.
    const TxnOp* find_txn(uint32_t client, uint32_t txn) const;

    int64_t records_sent() const { return records_sent_; }
    int64_t records_acked() const { return records_acked_; }
    int64_t records_failed() const { return records_failed_; }
    int64_t records_polled() const { return records_polled_; }

private:
    std::vector<std::string> client_names_{""};
    std::vector<SendOp> sends_;
    std::vector<AckOp> acks_;
    std::vector<ErrorOp> errors_;
    std::vector<PollOp> polls_;
    std::set<uint32_t> kept_;
    std::vector<ReadRecord> records_read_;
    std::vector<AssignmentOp> assignments_;
    std::vector<CommitOp> commits_;
    std::vector<TxnOp> txns_;
    std::map<std::pair<uint32_t, uint32_t>, size_t> txn_index_;  // (client, txn) -> txns_ index
    int64_t records_sent_ = 0, records_acked_ = 0, records_failed_ = 0, records_polled_ = 0;
};

}  // namespace scenarios
