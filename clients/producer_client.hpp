// A producer client (KafkaProducer's RecordAccumulator + Sender + Metadata) as a pure
// handler node. It generates its own workload: record i is sent at from + i/rate, keyed
// records go to murmur2 partitions, unkeyed ones use the sticky partitioner (KIP-480/794).
//
// Modelled as the Java client does it:
//  - metadata and broker connections as every client has them (network_client.hpp): while
//    a broker is down its batches wait in the accumulator;
//  - per partition a queue of batches, closed at batch.size, ready when full or lingered;
//    one ProduceRequest per leader carries at most one batch per partition; at most
//    max.in.flight.requests.per.connection requests per broker;
//  - retries with retry.backoff.ms while attempts < retries and the batch is younger than
//    delivery.timeout.ms; older batches (queued or in flight) expire with a final error;
//  - acks=0: a batch counts as acknowledged (base offset -1) when it is sent;
//  - idempotence: batches carry (producer id, epoch, base sequence); a retry keeps its
//    sequence and is sent only once every earlier batch of the partition has completed
//    (Java's nextBatchBySequence rule), so the order per partition is kept;
//    DUPLICATE_SEQUENCE_NUMBER counts as success. Without idempotence a retry goes back to
//    the head of its queue while later batches may already be written: records reorder,
//    as in Kafka (with max.in.flight = 1 the partition is muted while a batch is in flight).
//
// Transactions (transactional.id set; clients/producer_transactions.cpp): KafkaProducer's
// TransactionManager. The producer finds its transaction coordinator (FindCoordinator key_type 1)
// and calls InitProducerId for its producer id and epoch before any record is sent; the
// application then runs transactions of `records_per_txn` records each: beginTransaction() at its
// first record, AddPartitionsToTxn before the first batch to each partition (not with
// transaction.version 2, where the leader adds it), commitTransaction() (or, for a fraction
// `abort_fraction`, abortTransaction()) once the records are sent. Records generated while a
// transaction is being completed wait, as the application's thread does in commitTransaction().
// Error handling is the Java client's: retriable coordinator errors (CONCURRENT_TRANSACTIONS,
// COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR, timeouts) are retried, rediscovering the
// coordinator when it moved; abortable ones (a batch that failed for good, OUT_OF_ORDER_SEQUENCE_NUMBER,
// INVALID_PRODUCER_EPOCH on Produce from 2.7, TRANSACTION_ABORTABLE) make the application abort,
// after which a 2.5+ client bumps its epoch (KIP-360); fatal ones (PRODUCER_FENCED, INVALID_TXN_STATE,
// INVALID_PRODUCER_EPOCH from the coordinator, INVALID_PRODUCER_ID_MAPPING) close the producer.
// The history sees a transactional record acknowledged only when commitTransaction() returned.
//
// Not modelled for idempotence without transactions: InitProducerId is not a round trip. The producer id is derived:
// client_ordinal * 1000, epoch 0. Where Java bumps the epoch (KIP-360: a batch failed for good
// after it had a sequence, OUT_OF_ORDER_SEQUENCE_NUMBER for the first unresolved batch,
// UNKNOWN_PRODUCER_ID; those two are then retried) the model waits until nothing is in flight
// (Java bumps at once and renumbers the in-flight batches of that partition) and takes the next
// epoch of the same producer id (a new id once the epoch is exhausted); sequences then restart
// at 0 per partition, and the broker wants 0 from every partition's first batch of the new epoch.
// So base_sequence == first_seq until the first bump. The client acts as 2.5+ does whatever the
// profile (before KIP-360 it reset the partition's sequences on UNKNOWN_PRODUCER_ID without a
// bump). Records generated before the first metadata wait as in send()'s
// waitOnMetadata and fail after max.block.ms (60 s); they have no partition, so they are
// only counted in records_failed(). buffer.memory and max.request.size are not modelled.
// Unlike the consumer, the producer keeps the leader epochs it knows when its topic comes
// back under a new id.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/world.hpp"
#include "clients/client_events.hpp"
#include "clients/in_flight_requests.hpp"
#include "clients/network_client.hpp"

namespace kafka {

struct WorkloadSpec {
    double rate_per_s = 0;        // records per second; <= 0: none
    int keys = 0;                 // 0 = no keys (sticky partitioning); else keys "key-0".."key-<keys-1>"
    sim::Time from = sim::time_zero;
    sim::Time until = sim::time_never;  // exclusive
    // Transactional producers: records per transaction, and the fraction of transactions the
    // application aborts instead of committing.
    int32_t records_per_txn = 100;
    double abort_fraction = 0;
};

class ProducerClient : public Node {
public:
    // client_ordinal >= 1: the record identity (RecordBatch::client). dir and events must
    // outlive the node; events may be null.
    ProducerClient(uint32_t client_ordinal, std::string topic, ProducerConfig config, WorkloadSpec workload,
                   const ClusterDirectory& dir, ClientEvents* events);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- read-only inspection for the harness ----
    uint32_t client_ordinal() const { return client_; }
    const std::string& topic() const { return topic_; }
    uint64_t records_generated() const { return records_generated_; }
    uint64_t records_acked() const { return records_acked_; }
    // Records the producer gave up on (final errors, and records that never got metadata).
    uint64_t records_failed() const { return records_failed_; }
    // Generated, not yet acknowledged or failed (waiting for metadata, queued or in flight).
    uint64_t records_pending() const { return records_generated_ - records_acked_ - records_failed_; }
    size_t in_flight_batches() const { return in_flight_batches_; }
    size_t queued_batches() const { return batches_.size() - in_flight_batches_; }
    uint64_t produce_requests_sent() const { return produce_requests_sent_; }
    uint64_t metadata_requests_sent() const { return network_.metadata_requests_sent(); }
    bool has_metadata() const { return has_metadata_; }
    TopicId topic_id() const { return topic_id_; }
    int32_t partition_count() const { return static_cast<int32_t>(partitions_.size()); }
    BrokerId leader_of(int32_t partition) const;
    // Current producer id (-1 without idempotence) and epoch.
    int64_t producer_id() const { return idempotent_ ? producer_id_ : no_producer_id; }
    int16_t producer_epoch() const { return idempotent_ ? producer_epoch_ : int16_t{-1}; }
    bool idempotent() const { return idempotent_; }
    bool transactional() const { return config_.transactional(); }
    // The transaction manager's state, as Java's TransactionManager.State names it.
    enum class TxnState : uint8_t {
        uninitialized, initializing, ready, in_transaction, committing_transaction, aborting_transaction,
        abortable_error, fatal_error,
    };
    TxnState txn_state() const { return txn_.state; }
    uint32_t transactions_committed() const { return txn_.committed; }
    uint32_t transactions_aborted() const { return txn_.aborted; }

private:
    struct Batch {
        int32_t partition = 0;
        RecordBatch rb;              // client, first_seq, record_count, size_bytes, create_time, pid/seq
        int32_t attempts = 0;        // failed attempts so far (Java ProducerBatch.attempts)
        sim::Time last_attempt;      // when the last attempt failed (retry backoff from here)
        Error last_error = Error::none;
        bool appendable = true;      // the open batch at the tail of its queue
        bool sent = false;           // on_send reported
        bool in_flight = false;
        uint32_t txn = 0;            // transactional: the transaction it belongs to
    };
    // The accumulator's side of a partition; its leader is in the metadata.
    struct PartitionState {
        std::deque<uint64_t> queue;        // batch ids waiting to be sent, head first (lazily purged)
        uint32_t next_seq = 0;             // record identity sequence of the next record
        int32_t next_base_sequence = 0;    // idempotence sequence under the current producer id
        int32_t last_acked_sequence = -1;  // TransactionManager.lastAckedSequence, this producer id
        std::set<uint32_t> in_flight_seqs; // first_seq of this partition's batches in flight
        int32_t in_flight = 0;
    };
    struct ProduceInFlight {
        std::vector<uint64_t> batch_ids;
    };
    struct PendingRecord {
        sim::Time at;
        int32_t key = -1;
    };

    // workload
    sim::Time record_time(uint64_t i) const;
    void schedule_generation(Context& ctx);
    void generate(Context& ctx);
    // Appends a record to its partition's open batch; returns the partition.
    int32_t append(int32_t key, Context& ctx);
    void append_record(int32_t key, Context& ctx);  // append(), in a transaction when transactional
    int32_t partition_for(int32_t key, Context& ctx);
    void choose_sticky(Context& ctx);
    int32_t record_bytes(int32_t key) const;
    void drain_pending(Context& ctx);

    // sender
    void run_sender(Context& ctx);
    uint64_t ready_front(int32_t partition, sim::Time now, sim::Time& next);
    void send_produce(BrokerId broker, sim::NodeId node, const std::vector<uint64_t>& ids, Context& ctx);
    void handle_produce_response(sim::NodeId from, const ProduceResponse& resp, Context& ctx);
    void complete(uint64_t id, int64_t base_offset, Context& ctx);
    void fail_attempt(uint64_t id, Error error, Context& ctx);
    void fail_final(uint64_t id, Error error, Context& ctx);
    void release_in_flight(Batch& b);
    void requeue(uint64_t id);
    bool is_first_unresolved(const Batch& b);
    // The connection closed (a disconnect, a request timeout): what was in flight on it failed.
    void fail_connection(BrokerId broker, Error error, Context& ctx);
    void expire_batches(Context& ctx);
    void maybe_bump(Context& ctx);
    // The batch carries the current producer id and epoch (it was sent since the last bump).
    bool of_current_epoch(const Batch& b) const {
        return b.rb.producer_id == producer_id_ && b.rb.producer_epoch == producer_epoch_;
    }
    void arm_sender(sim::Time at, Context& ctx);
    TopicPartition tp_of(int32_t partition) const { return TopicPartition{topic_id_, partition}; }

    // transactions (producer_transactions.cpp)
    struct TxnAcked {                 // a batch the leader acknowledged in the open transaction
        int32_t partition = 0;
        uint32_t first_seq = 0;
        int32_t count = 0;
        int64_t base_offset = -1;
    };
    struct CoordinatorRequest {
        enum class Kind : uint8_t { find_coordinator, init_producer_id, add_partitions, end_txn } kind{};
        std::vector<int32_t> partitions;  // add_partitions
        bool commit = false;              // end_txn
    };
    struct Transactions {
        TxnState state = TxnState::uninitialized;
        BrokerId coordinator = no_leader;
        sim::Time retry_at;               // the next coordinator request waits until then
        sim::TimerId retry_timer;
        bool request_in_flight = false;
        uint32_t number = 0;              // the open (or last) transaction, 1, 2, ...
        uint32_t records = 0;             // records appended in it
        bool app_commits = true;          // what the application will do with it
        bool started = false;             // the coordinator knows of it (a partition was added)
        bool bump_epoch = false;          // KIP-360: InitProducerId with the current id and epoch next
        std::set<int32_t> added, to_add, adding;
        std::vector<TxnAcked> acked;
        Error cause = Error::none;        // why it is being aborted (NONE: the application chose to)
        uint32_t committed = 0, aborted = 0;
    };
    void txn_start(Context& ctx);
    // The application's side: records go into the open transaction, one begins when a record
    // comes while none is open, and it ends after records_per_txn records or at `until`.
    bool txn_accepts_records() const;
    void txn_begin(Context& ctx);
    void txn_record_appended(int32_t partition, Context& ctx);
    void txn_end(bool commit, Error cause, Context& ctx);
    // Fails every batch that is not in flight (abortTransaction()).
    void txn_drop_undrained(Error cause, Context& ctx);
    // Drives the coordinator requests (Sender.maybeSendAndPollTransactionalRequest).
    void txn_poll(Context& ctx);
    void send_coordinator_request(CoordinatorRequest req, Context& ctx);
    void handle_coordinator_response(sim::NodeId from, int32_t corr, Error error, const Message& msg, Context& ctx);
    void coordinator_request_failed(const CoordinatorRequest& req, Error error, Context& ctx);
    // The next coordinator request after retry.backoff.ms (or backoff_ms when given).
    void txn_retry_later(Context& ctx, int64_t backoff_ms = -1);
    void txn_completed(Context& ctx);
    void txn_abortable(Error error, Context& ctx);
    void txn_fatal(Error error, Context& ctx);
    void txn_new_producer_id(int64_t producer_id, int16_t epoch, Context& ctx);
    bool txn_may_send(int32_t partition) const;
    // The error a failed batch leaves the transaction with: fatal or abortable.
    bool fatal_for_transactions(Error error) const;

    // metadata
    // The producer's one topic is the first (only) of its metadata's topics.
    const std::vector<ClientMetadata::PartitionInfo>& leaders() const { return network_.metadata().partitions_at(0); }
    void handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx);
    void apply_metadata(const MetadataResponse& resp, Context& ctx);

    // fixed
    uint32_t client_;
    std::string topic_;
    ProducerConfig config_;
    WorkloadSpec workload_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;
    bool idempotent_;
    uint64_t rate_milli_ = 0;  // records per 1000 s
    NetworkClient network_;
    InFlightRequests<ProduceInFlight> in_flight_;
    InFlightRequests<CoordinatorRequest> coordinator_in_flight_;
    Transactions txn_;

    // workload state
    uint64_t next_record_ = 0;
    std::deque<PendingRecord> pending_;  // generated before the first metadata
    std::vector<int32_t> key_partition_; // murmur2 partition per key, -1 = not computed
    int32_t sticky_partition_ = -1;
    int64_t sticky_bytes_ = 0;

    // accumulator and sender
    std::map<uint64_t, Batch> batches_;  // outstanding, by id = creation order
    uint64_t next_batch_id_ = 1;
    std::vector<PartitionState> partitions_;
    sim::TimerId sender_timer_;
    sim::Time sender_deadline_ = sim::time_never;
    int64_t producer_id_ = no_producer_id;
    int16_t producer_epoch_ = 0;
    int32_t producer_id_resets_ = 0;  // epochs exhausted (a new producer id each time)
    bool bump_pending_ = false;

    // metadata
    bool has_metadata_ = false;
    TopicId topic_id_ = 0;

    // counters
    uint64_t records_generated_ = 0;
    uint64_t records_acked_ = 0;
    uint64_t records_failed_ = 0;
    size_t in_flight_batches_ = 0;
    uint64_t produce_requests_sent_ = 0;
};

}  // namespace kafka
