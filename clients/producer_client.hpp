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
//
// Several topics: a producer may write to several topics (the first is its default topic, the
// one the generated workload writes to). Its metadata requests name them all; it has metadata
// once every one is known. A transaction's AddPartitionsToTxn names partitions of any of them.
// The ProducerMetadata event is per topic, ProducerEpochBump names the default topic.
//
// Record contents: a keyed workload's batches carry their keys when asked (carry_keys:
// RecordContents::keys, the k of "key-<k>"); an application's batches carry keys, values and origins. The vectors grow while
// the batch is open and are frozen into RecordBatch::contents when it is first sent (retries
// and replicas share them). Unkeyed workload batches carry none.
//
// Application-driven (WorkloadSpec::application_driven with no rate): the producer generates
// nothing; an application in the same node (a Streams instance) calls send(),
// send_offsets_to_transaction(), commit_transaction(), abort_transaction(), flush() and close(),
// and hears back through ProducerApplication. It embeds the producer with its own timer kinds
// and correlation ids (ClientEmbedding) and routes the producer's messages and timers to it.
// Differences from the generated workload: an abortable error is not aborted by the producer
// itself (Java's application must call abortTransaction()): the application is told
// (on_transaction_abortable) and calls abort_transaction(). The history (ClientEvents) sees the
// records as for the workload: acknowledged when their transaction commits, failed with the
// cause when it aborts. Not modelled: send()'s blocking on buffer.memory, the per-partition
// retry of a TxnOffsetCommit (the whole commit is sent again), the batching of several groups'
// offsets, and group.instance.id (always null).
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "broker/config.hpp"
#include "broker/world.hpp"
#include "clients/client_embedding.hpp"
#include "clients/client_events.hpp"
#include "clients/client_timer.hpp"
#include "clients/in_flight_requests.hpp"
#include "clients/network_client.hpp"

namespace kafka {

// The text value of each generated record (a scenario producer's "value"): `pattern` with
// {seq} (the producer's record number, from 0), {key} (the record's key number) and {producer}
// (`producer`) put in, "{{" and "}}" for a literal brace. size_bytes > 0 pads the text with "x"
// or cuts it to that many bytes, and the record counts that many value bytes in its batch;
// 0 keeps the text as made and the record's size as kafkasim.record.size.bytes says.
struct RecordValueSpec {
    std::string pattern = "{seq}";
    int32_t size_bytes = 0;
    std::string producer;
};
// What is wrong with a value pattern: an unknown placeholder (`placeholder` holds its name) or
// an unclosed or stray brace. nullopt: the pattern is good.
struct ValuePatternError {
    std::string message;
    std::string placeholder;
};
std::optional<ValuePatternError> check_value_pattern(std::string_view pattern);
bool value_pattern_uses(std::string_view pattern, std::string_view placeholder);
std::string render_record_value(const RecordValueSpec& spec, int64_t seq, int32_t key);

struct WorkloadSpec {
    double rate_per_s = 0;        // records per second; <= 0: none
    int keys = 0;                 // 0 = no keys (sticky partitioning); else keys "key-0".."key-<keys-1>"
    sim::Time from = sim::time_zero;
    sim::Time until = sim::time_never;  // exclusive
    // Transactional producers: records per transaction, and the fraction of transactions the
    // application aborts instead of committing.
    int32_t records_per_txn = 100;
    double abort_fraction = 0;
    // With rate_per_s <= 0: the producer generates nothing itself; an application embedding it
    // (a Streams instance's StreamsProducer) calls send(), send_offsets_to_transaction(),
    // commit_transaction(), abort_transaction() and flush() (see ProducerApplication below).
    bool application_driven = false;
    // A keyed workload's batches carry their keys (RecordContents::keys) for the readers that
    // need them (a Streams app counting by key). Off, the batches carry none: a key costs
    // memory and time per record, and nothing else reads it yet.
    bool carry_keys = false;
    // Generated records carry a text value (RecordContents::texts, with the key as "key-<k>");
    // nullopt: no texts, as before values were asked for.
    std::optional<RecordValueSpec> value;
};

// What an application that drives a ProducerClient (WorkloadSpec::application_driven) hears
// back: the answers KafkaProducer's blocking calls and send callbacks give a Java application.
// Every callback comes at the end of the producer's handling of a message, a timer or an
// application call, with the producer's state already settled, so the application may call
// the producer again from inside it (send, abort_transaction, close ...). It must not destroy
// the producer inside a callback: close() it there and drop it later.
class ProducerApplication {
public:
    virtual ~ProducerApplication() = default;
    // commitTransaction() or abortTransaction() returned. committed=false: the transaction was
    // aborted, `error` is what made the application abort (NONE when it chose to). After an
    // abort that needs the next epoch (KIP-360) it fires once InitProducerId answered, so the
    // producer is ready_for_application() again when it comes.
    virtual void on_transaction_completed(bool committed, Error error, Context& ctx) = 0;
    // The transaction can only be aborted now (a batch failed for good, TRANSACTION_ABORTABLE,
    // a TxnOffsetCommit refused by the group: UNKNOWN_MEMBER_ID / ILLEGAL_GENERATION /
    // FENCED_INSTANCE_ID, Java's CommitFailedException, which Streams takes as TaskMigrated).
    // The producer is in abortable_error: it sends nothing more of the transaction and refuses
    // send() and commit_transaction(); the application calls abort_transaction(), as a Java
    // application must call abortTransaction() after a KafkaException from send/commit.
    virtual void on_transaction_abortable(Error error, Context& ctx) = 0;
    // The producer went to fatal_error (PRODUCER_FENCED by a newer instance of its
    // transactional.id, INVALID_TXN_STATE, ...): everything it held failed; the application
    // closes it (Streams closes its tasks dirty and builds a new producer).
    virtual void on_producer_fatal(Error error, Context& ctx) = 0;
    // The producer became ready_for_application() for the first time: metadata for every topic
    // and, when transactional, InitProducerId answered (initTransactions() returned).
    virtual void on_initialized(Context& /*ctx*/) {}
    // A batch of records the application sent failed for good (the send callback's exception).
    virtual void on_send_failed(size_t /*topic_index*/, int32_t /*partition*/, int32_t /*records*/, Error /*error*/,
                                Context& /*ctx*/) {}
    // flush() returned: every record sent before it was acknowledged or failed (a transactional
    // producer's records wait for the commit to count as acknowledged; here the leaders answered).
    virtual void on_flushed(Context& /*ctx*/) {}
};

class ProducerClient : public Node {
public:
    // client_ordinal >= 1: the record identity (RecordBatch::client). dir and events must
    // outlive the node; events may be null.
    ProducerClient(uint32_t client_ordinal, std::string topic, ProducerConfig config, WorkloadSpec workload,
                   const ClusterDirectory& dir, ClientEvents* events, ClientEmbedding embedding = {});
    // Several topics: the first is the default topic (the generated workload writes to it, and
    // the inspection accessors that take a partition mean it); an application sends to any of
    // them by index. The producer has metadata once every topic is known.
    ProducerClient(uint32_t client_ordinal, std::vector<std::string> topics, ProducerConfig config,
                   WorkloadSpec workload, const ClusterDirectory& dir, ClientEvents* events,
                   ClientEmbedding embedding = {});

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- the application's calls (WorkloadSpec::application_driven) ----
    // KafkaProducer's API as a StreamsProducer uses it. A call the producer cannot take now
    // returns false and changes nothing (Java would throw or block).
    void set_application(ProducerApplication* app) { app_ = app; }
    bool application_driven() const { return app_driven_; }
    // send() may be called: metadata is known for every topic and, when transactional,
    // InitProducerId is done and no commit or abort is in progress (state ready or in_transaction).
    bool ready_for_application() const;
    // KafkaProducer.send(): one record into the open batch of topics[topic_index]/partition
    // (batched, lingered and retried as every record). The batch carries the record's key
    // (-1: null), value and origin (RecordContents). Transactional: the first send after the
    // previous transaction ended begins one (beginTransaction()), and the partition is added to
    // it (AddPartitionsToTxn) before its first batch goes. false: not ready_for_application(),
    // an abortable error is pending, or no such partition.
    bool send(size_t topic_index, int32_t partition, int32_t key, int64_t value, RecordOrigin origin, Context& ctx);
    // send() of a record with a text key and value (RecordContents::texts; nullopt value: a
    // tombstone) beside its key number (-1: none) and value number; sized by the texts' lengths.
    bool send_text(size_t topic_index, int32_t partition, TextRecord text, int32_t key, int64_t value,
                   Context& ctx);
    // KafkaProducer.sendOffsetsToTransaction(offsets, groupMetadata) (KIP-447): AddOffsetsToTxn
    // to the transaction coordinator (the group's __consumer_offsets partition joins the
    // transaction), then TxnOffsetCommit v3 to the group's coordinator (FindCoordinator
    // key_type 0) with the consumer's generation and member id (group.instance.id null). The
    // offsets stay pending at the group coordinator until the transaction's marker. Begins a
    // transaction when none is open, as send() does. commit_transaction() waits for it.
    // generation_id -1 with member_id "": a producer outside the group (no group check).
    bool send_offsets_to_transaction(const std::string& group_id, int32_t generation_id, const std::string& member_id,
                                     std::vector<OffsetCommitRequest::PartitionData> offsets, Context& ctx);
    // commitTransaction(): flushes the open batches, waits for the TxnOffsetCommits and every
    // batch's answer, then EndTxn(commit). on_transaction_completed(true) when it returns, or
    // on_transaction_abortable / on_producer_fatal. With nothing sent (no partition or offsets
    // reached the coordinator) it completes at once without an EndTxn, as Java's does. false:
    // no transaction can be committed now (abortable error pending: abort instead).
    bool commit_transaction(Context& ctx);
    // abortTransaction(): batches not sent yet are dropped, those in flight are waited for, then
    // EndTxn(abort) (none when nothing reached the coordinator). Also the way out of an abortable
    // error. on_transaction_completed(false, cause) when it returns.
    bool abort_transaction(Context& ctx);
    // KafkaProducer.flush(): every batch is sent now, lingering or not; on_flushed once no
    // batch is left (acknowledged or failed). A transactional producer's acknowledged records
    // still count only when their transaction commits.
    void flush(Context& ctx);
    // KafkaProducer.close(Duration.ZERO): stops every timer of the producer and its network
    // client (an embedded producer's timers must not fire into the one that replaces it) and
    // fails what it still holds (final errors; an open transaction ends unknown). Afterwards the
    // producer ignores every message and timer, and may be destroyed with requests in flight.
    void close(Context& ctx);
    bool closed() const { return closed_; }

    // ---- read-only inspection for the harness ----
    uint32_t client_ordinal() const { return client_; }
    const std::string& topic() const { return topics_[0]; }
    const std::vector<std::string>& topics() const { return topics_; }
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
    TopicId topic_id() const { return topic_ids_[0]; }
    TopicId topic_id(size_t topic_index) const { return topic_ids_.at(topic_index); }
    int32_t partition_count() const { return static_cast<int32_t>(partitions_[0].size()); }
    int32_t partition_count(size_t topic_index) const { return static_cast<int32_t>(partitions_.at(topic_index).size()); }
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
    // The error behind an abortable_error or fatal_error state (NONE otherwise).
    Error last_error() const { return last_error_; }

private:
    // Timer kinds (client_timer.hpp); producer_transactions.cpp sets the transaction's.
    enum TimerKind : uint64_t {
        timer_generate = 1,
        timer_sender = 2,
        timer_metadata_timeout = 3,
        timer_metadata_retry = 4,
        timer_metadata_max_age = 5,
        timer_request_timeout = 6,
        timer_txn_request_timeout = 7,  // producer_transactions.cpp
        timer_txn_retry = 8,
    };
    // A partition of one of the producer's topics: (index in topics_, partition).
    struct Slot {
        uint32_t topic = 0;
        int32_t partition = 0;
        auto operator<=>(const Slot&) const = default;
    };
    struct Batch {
        Slot slot;
        RecordBatch rb;              // client, first_seq, record_count, size_bytes, create_time, pid/seq
        int32_t attempts = 0;        // failed attempts so far (Java ProducerBatch.attempts)
        sim::Time last_attempt;      // when the last attempt failed (retry backoff from here)
        Error last_error = Error::none;
        bool appendable = true;      // the open batch at the tail of its queue
        bool sent = false;           // on_send reported
        bool in_flight = false;
        uint32_t txn = 0;            // transactional: the transaction it belongs to
        // The records' contents while the batch is open; frozen into rb.contents when it is first sent.
        std::vector<int32_t> keys;
        std::vector<int64_t> values;
        std::vector<RecordOrigin> origins;
        std::vector<TextRecord> texts;  // empty, or padded to the records before the first text
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
        std::vector<TopicPartition> tps;  // parallel: the partition each batch was sent as
    };
    struct PendingRecord {
        sim::Time at;
        int32_t key = -1;
        int64_t seq = 0;  // the record's number in the workload ({seq} of its value)
    };
    // What the application is told at the end of the current handler (ProducerApplication).
    struct Notice {
        enum class Kind : uint8_t { initialized, completed, abortable, fatal, send_failed, flushed } kind{};
        bool committed = false;
        Error error = Error::none;
        Slot slot;
        int32_t records = 0;
    };

    // workload
    sim::Time record_time(uint64_t i) const;
    void schedule_generation(Context& ctx);
    void generate(Context& ctx);
    // Appends a generated record to its partition's open batch; returns the partition.
    int32_t append(int32_t key, int64_t seq, Context& ctx);
    // Appends one record of `bytes` to slot's open batch (contents: what the batch carries of it).
    Batch& append_to(Slot slot, int32_t bytes, Context& ctx);
    void append_record(int32_t key, int64_t seq, Context& ctx);  // append(), in a transaction when transactional
    int32_t partition_for(int32_t key, Context& ctx);
    void choose_sticky(Context& ctx);
    int32_t record_bytes(int32_t key) const;
    void drain_pending(Context& ctx);

    // sender
    void run_sender(Context& ctx);
    uint64_t ready_front(Slot slot, sim::Time now, sim::Time& next);
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
    PartitionState& part(Slot s) { return partitions_[s.topic][static_cast<size_t>(s.partition)]; }
    const PartitionState& part(Slot s) const { return partitions_[s.topic][static_cast<size_t>(s.partition)]; }
    TopicPartition tp_of(Slot s) const { return TopicPartition{topic_ids_[s.topic], s.partition}; }
    // A final error of a batch: the history, and the application when it drives the producer.
    void report_final_error(const Batch& b, Error error, Context& ctx);

    // embedding
    uint64_t timer_tag(uint64_t kind, uint64_t value = 0) const {
        return client_timer::tag(embedding_.timer_kind_base + kind, value, embedding_.timer_slot);
    }
    void notify(Notice n) { if (app_driven_) notices_.push_back(n); }
    // Delivers the notices (and a finished flush) to the application; the last thing every
    // entry point does.
    void deliver_notices(Context& ctx);

    // transactions (producer_transactions.cpp)
    struct TxnAcked {                 // a batch the leader acknowledged in the open transaction
        Slot slot;
        uint32_t first_seq = 0;
        int32_t count = 0;
        int64_t base_offset = -1;
    };
    // sendOffsetsToTransaction's offsets: AddOffsetsToTxn first, then TxnOffsetCommit.
    struct TxnOffsets {
        std::string group_id;
        int32_t generation_id = -1;
        std::string member_id;
        std::vector<OffsetCommitRequest::PartitionData> offsets;
        bool added = false;           // AddOffsetsToTxn answered: the TxnOffsetCommit is next
    };
    struct CoordinatorRequest {
        enum class Kind : uint8_t {
            find_coordinator, init_producer_id, add_partitions, end_txn, add_offsets, txn_offset_commit,
        } kind{};
        std::vector<Slot> partitions;     // add_partitions
        bool commit = false;              // end_txn
        bool group = false;               // find_coordinator: the group's (key_type 0), for TxnOffsetCommit
        std::string group_id;             // find_coordinator (group), add_offsets, txn_offset_commit
    };
    struct Transactions {
        TxnState state = TxnState::uninitialized;
        BrokerId coordinator = no_leader;
        BrokerId group_coordinator = no_leader;  // of group_coordinator_of, whose offsets are next
        std::string group_coordinator_of;
        sim::Time retry_at;               // the next coordinator request waits until then
        sim::TimerId retry_timer;
        bool request_in_flight = false;
        uint32_t number = 0;              // the open (or last) transaction, 1, 2, ...
        uint32_t records = 0;             // records appended in it
        bool app_commits = true;          // what the application will do with it
        bool started = false;             // the coordinator knows of it (a partition was added)
        bool bump_epoch = false;          // KIP-360: InitProducerId with the current id and epoch next
        std::set<Slot> added, to_add, adding;
        std::deque<TxnOffsets> offsets;   // sendOffsetsToTransaction calls not done yet, oldest first
        std::vector<TxnAcked> acked;
        Error cause = Error::none;        // why it is being aborted (NONE: the application chose to)
        uint32_t committed = 0, aborted = 0;
        // Application-driven: commitTransaction()/abortTransaction() returns once the producer is
        // ready again (after the KIP-360 InitProducerId that follows an abort, when one does).
        bool completion_pending = false;
        bool completion_committed = false;
        Error completion_error = Error::none;
    };
    void txn_start(Context& ctx);
    // The application's side: records go into the open transaction, one begins when a record
    // comes while none is open, and it ends after records_per_txn records or at `until`.
    bool txn_accepts_records() const;
    void txn_begin(Context& ctx);
    void txn_record_appended(Slot slot, Context& ctx);
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
    // Fails everything the producer holds (fatal error, close): batches, acknowledged records of
    // the open transaction, records waiting for metadata.
    void fail_everything(Error error, Context& ctx);
    void txn_new_producer_id(int64_t producer_id, int16_t epoch, Context& ctx);
    bool txn_may_send(Slot slot) const;
    // The producer is ready for the application again: tells it its commit/abort returned.
    void txn_app_ready();
    // The error a failed batch leaves the transaction with: fatal or abortable.
    bool fatal_for_transactions(Error error) const;

    // metadata
    // The default topic's partitions as the metadata has them.
    const std::vector<ClientMetadata::PartitionInfo>& leaders() const { return network_.metadata().partitions_at(0); }
    const std::vector<ClientMetadata::PartitionInfo>& leaders(uint32_t topic) const {
        return network_.metadata().partitions_at(topic);
    }
    void handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx);
    void apply_metadata(const MetadataResponse& resp, Context& ctx);

    // fixed
    uint32_t client_;
    std::vector<std::string> topics_;
    ProducerConfig config_;
    WorkloadSpec workload_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;
    ClientEmbedding embedding_;
    bool idempotent_;
    bool app_driven_ = false;
    uint64_t rate_milli_ = 0;  // records per 1000 s
    NetworkClient network_;
    InFlightRequests<ProduceInFlight> in_flight_;
    InFlightRequests<CoordinatorRequest> coordinator_in_flight_;
    Transactions txn_;

    // the application (application_driven)
    ProducerApplication* app_ = nullptr;
    std::vector<Notice> notices_;
    bool delivering_ = false;
    bool flush_pending_ = false;
    bool closed_ = false;
    bool initialized_told_ = false;
    Error last_error_ = Error::none;

    // workload state
    uint64_t next_record_ = 0;
    sim::TimerId generate_timer_;
    std::deque<PendingRecord> pending_;  // generated before the first metadata
    std::vector<int32_t> key_partition_; // murmur2 partition per key, -1 = not computed
    int32_t sticky_partition_ = -1;
    int64_t sticky_bytes_ = 0;

    // accumulator and sender
    std::map<uint64_t, Batch> batches_;  // outstanding, by id = creation order
    uint64_t next_batch_id_ = 1;
    std::vector<std::vector<PartitionState>> partitions_;  // by topic index, then partition
    sim::TimerId sender_timer_;
    sim::Time sender_deadline_ = sim::time_never;
    int64_t producer_id_ = no_producer_id;
    int16_t producer_epoch_ = 0;
    int32_t producer_id_resets_ = 0;  // epochs exhausted (a new producer id each time)
    bool bump_pending_ = false;

    // metadata
    bool has_metadata_ = false;
    std::vector<TopicId> topic_ids_;  // by topic index, 0 until the metadata names the topic

    // counters
    uint64_t records_generated_ = 0;
    uint64_t records_acked_ = 0;
    uint64_t records_failed_ = 0;
    size_t in_flight_batches_ = 0;
    uint64_t produce_requests_sent_ = 0;
};

}  // namespace kafka
