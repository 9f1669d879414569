// The transaction coordinator of one broker (Kafka's TransactionCoordinator,
// TransactionStateManager and TransactionMarkerChannelManager): it owns the transactional ids
// whose __transaction_state partition this broker leads and drives each one through
// TransactionMetadata's states, writing every change to that partition before it answers.
//
//  - An id maps to partition abs(String.hashCode(transactional.id)) %
//    transaction.state.log.num.partitions; the coordinator epoch is that partition's leader
//    epoch, stamped on every marker so a zombie coordinator's markers are refused.
//  - InitProducerId: a new id gets a producer id and epoch 0; Empty/Complete* bump the epoch (a
//    new producer id at epoch 0 when it is exhausted); Prepare* or a pending write answer
//    CONCURRENT_TRANSACTIONS; an Ongoing transaction (a zombie's) is fenced: the epoch is bumped
//    (PrepareEpochFence), the transaction aborted with it, and the caller told
//    CONCURRENT_TRANSACTIONS, so its retry ends at the old epoch + 2.
//  - AddPartitionsToTxn / AddOffsetsToTxn: producer id and epoch checked
//    (INVALID_PRODUCER_ID_MAPPING, PRODUCER_FENCED), then Ongoing with the partitions added.
//  - EndTxn: Ongoing -> PrepareCommit/PrepareAbort, answered once that is durable; then
//    WriteTxnMarkers to every partition's leader, retried while they fail with a retriable
//    error; when all are written, CompleteCommit/CompleteAbort. Retries of the same outcome in
//    Prepare* get CONCURRENT_TRANSACTIONS, in Complete* NONE; the other outcome
//    INVALID_TXN_STATE. Without transaction.version 2 nothing tells one transaction from the next
//    of the same epoch: a delayed EndTxn that finds the next transaction Ongoing ends it (the
//    Jepsen 2024 / KAFKA-17754 hole). With transaction.version 2 (4.0, KIP-890 part 2) every
//    EndTxn bumps the epoch, so the delayed one is fenced.
//  - Every transaction.abort.timed.out.transaction.cleanup.interval.ms, an Ongoing transaction
//    older than its transaction.timeout.ms is fenced and aborted the same way.
//  - When this broker becomes the leader of a __transaction_state partition it loads its ids
//    from the log and resends the markers of every Prepare* transaction; when it stops leading
//    it unloads them and answers NOT_COORDINATOR.
//
// Like the GroupCoordinator it is a part of a broker: it acts through the broker's Context and
// asks its Host to append records, allocate producer ids and deliver markers.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/messages.hpp"
#include "broker/timer_components.hpp"
#include "broker/txn/transaction_records.hpp"
#include "broker/world.hpp"

namespace kafka {

// Utils.abs(hash) % partitions: the __transaction_state partition of a transactional id.
int32_t transaction_partition_for(std::string_view transactional_id, int32_t partitions);

class TransactionCoordinator {
public:
    // Kafka's settings, with its defaults (TransactionStateManagerConfig, TransactionLogConfig).
    struct Options {
        int32_t num_partitions = 50;                  // transaction.state.log.num.partitions
        int32_t offsets_topic_num_partitions = 50;    // offsets.topic.num.partitions (AddOffsetsToTxn)
        int64_t max_timeout_ms = 900000;              // transaction.max.timeout.ms
        int64_t abort_timed_out_interval_ms = 10000;  // transaction.abort.timed.out.transaction.cleanup.interval.ms
        int64_t append_timeout_ms = 30000;            // request.timeout.ms: a log write that takes longer fails
        int64_t marker_retry_backoff_ms = 100;        // retry.backoff.ms of the marker channel
        bool transaction_version_2 = false;           // transaction.version=2 (4.0): epoch bump per EndTxn
        bool init_producer_id_with_epoch = true;      // 2.5+ (KIP-360): InitProducerId v3 names the producer
        bool producer_fenced_error = true;            // 2.7+ (KIP-588); before, INVALID_PRODUCER_EPOCH
        bool transaction_abortable_error = true;      // 3.8+; before, a failed verification is INVALID_TXN_STATE
    };

    // One WriteTxnMarkers entry as the coordinator asks for it: the host groups partitions by
    // leader, sends, and reports each partition's outcome back with on_marker_result.
    struct MarkerRequest {
        std::string transactional_id;
        int64_t producer_id = -1;
        int16_t producer_epoch = -1;
        int32_t coordinator_epoch = -1;
        bool commit = false;
        std::vector<GroupPartition> partitions;
    };

    class Host {
    public:
        virtual ~Host() = default;
        // Appends as the leader of __transaction_state partition `partition`, acks=all. Returns
        // the offset the high watermark must reach, or nullopt with `error` set.
        virtual std::optional<int64_t> append_txn_records(int32_t partition, std::shared_ptr<const TransactionRecords> records,
                                                          Error& error, Context& ctx) = 0;
        virtual int64_t txn_partition_high_watermark(int32_t partition) const = 0;
        // The leader epoch of the partition while this broker leads it.
        virtual int32_t txn_partition_leader_epoch(int32_t partition) const = 0;
        // The next producer id (ProducerIdManager: blocks of 1000 from the controller or ZooKeeper).
        virtual int64_t allocate_producer_id(Context& ctx) = 0;
        virtual void send_markers(const MarkerRequest& markers, Context& ctx) = 0;
    };

    struct Metadata {
        std::string transactional_id;
        int32_t partition = 0;
        int64_t producer_id = -1;
        int64_t previous_producer_id = -1;
        int16_t producer_epoch = -1;
        int16_t last_producer_epoch = -1;
        int32_t txn_timeout_ms = 0;
        TxnState state = TxnState::empty;
        std::set<GroupPartition> partitions;
        sim::Time txn_start_time;
        sim::Time txn_last_update_time;
        bool transaction_version_2 = false;
        bool write_pending = false;             // a state change is on its way to the log
        std::set<GroupPartition> markers_left;  // Prepare*: partitions whose marker is not written yet
    };

    TransactionCoordinator(Options options, Host& host,
                           sim::TimerSpace timers = timer_space(TimerComponent::transaction_coordinator))
        : options_(options), host_(host), timer_space_(timers) {}

    bool owns_timer(uint64_t tag) const { return timer_space_.owns(tag); }
    int32_t partition_for(std::string_view transactional_id) const {
        return transaction_partition_for(transactional_id, options_.num_partitions);
    }
    bool is_loaded(int32_t partition) const { return loaded_.count(partition) != 0; }

    void start(Context& ctx);  // arms the timed-out transaction scan
    void handle(sim::NodeId from, const InitProducerIdRequest& req, Context& ctx);
    void handle(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx);
    void handle(sim::NodeId from, const AddOffsetsToTxnRequest& req, Context& ctx);
    void handle(sim::NodeId from, const EndTxnRequest& req, Context& ctx);
    void on_timer(uint64_t tag, Context& ctx);
    // A partition leader answered a marker (TransactionMarkerRequestCompletionHandler).
    void on_marker_result(const std::string& transactional_id, int64_t producer_id, const GroupPartition& tp, Error error,
                          Context& ctx);

    void load_partition(int32_t partition, const std::vector<RecordBatch>& log, Context& ctx);
    void unload_partition(int32_t partition, Context& ctx);
    void on_high_watermark(int32_t partition, int64_t hw, Context& ctx);

    // ---- inspection (the harness, `describe`, tests) ----
    const std::map<std::string, Metadata>& transactions() const { return txns_; }

private:
    enum Purpose : uint64_t { purpose_abort_scan = 1, purpose_append = 2, purpose_marker_retry = 3 };
    uint64_t tag(Purpose p, uint64_t serial = 0) const { return timer_space_.tag(p, serial); }

    // What a committed write completes.
    enum class Then : uint8_t {
        answer_init,      // InitProducerId: answer with the new id and epoch
        answer_add,       // AddPartitionsToTxn / AddOffsetsToTxn
        answer_end,       // EndTxn: answer, then send the markers
        send_markers,     // PrepareAbort of a fenced or timed-out transaction: markers, no answer
        complete,         // Complete*: the transaction is over
    };
    struct PendingWrite {
        uint64_t serial = 0;
        int32_t partition = 0;
        int64_t required_offset = 0;
        TransactionLogValue value;  // the state it moves to once committed
        Then then = Then::complete;
        sim::NodeId from = sim::no_node;
        int32_t correlation_id = 0;
        std::vector<GroupPartition> added;  // answer_add: the partitions to answer for
        bool add_offsets = false;           // answer_add: AddOffsetsToTxn's single error
        std::string reason;                 // why the state changes (narration)
        sim::TimerId timer;
    };

    // The loaded metadata of an id, or the error its request gets (NOT_COORDINATOR, ...).
    Metadata* find(const std::string& transactional_id, Error& error);
    Error check_producer(const Metadata& m, int64_t producer_id, int16_t producer_epoch) const;
    // A stale epoch on a coordinator RPC: PRODUCER_FENCED from 2.7 (KIP-588), INVALID_PRODUCER_EPOCH before.
    Error fenced() const { return options_.producer_fenced_error ? Error::producer_fenced : Error::invalid_producer_epoch; }
    // KIP-890 part 1: AddPartitionsToTxn verify_only from a partition leader (handleVerifyPartitionsInTransaction).
    void verify_partitions(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx);
    TransactionLogValue value_of(const Metadata& m) const;
    void write(PendingWrite w, Metadata& m, Context& ctx);
    // Removes the pending writes `pred` picks, with their timeout timers cancelled.
    template <class Pred>
    std::vector<PendingWrite> take_writes(Pred pred, Context& ctx);
    void complete_write(PendingWrite& w, Error error, Context& ctx);
    void apply(Metadata& m, const TransactionLogValue& v);
    void prepare_end(Metadata& m, bool commit, Then then, const char* reason, sim::NodeId from, int32_t correlation_id,
                     Context& ctx);
    void fence_and_abort(Metadata& m, const char* reason, Context& ctx);
    void send_markers(Metadata& m, Context& ctx);
    void maybe_complete(Metadata& m, Context& ctx);
    void trace(const Metadata& m, const std::string& reason, Context& ctx) const;
    void add_partitions(Metadata& m, const std::vector<GroupPartition>& parts, bool add_offsets, sim::NodeId from,
                        int32_t correlation_id, Context& ctx);
    void abort_timed_out(Context& ctx);

    Options options_;
    Host& host_;
    sim::TimerSpace timer_space_;
    std::map<std::string, Metadata> txns_;
    std::set<int32_t> loaded_;
    std::vector<PendingWrite> writes_;
    std::set<std::string> marker_retries_;             // ids with a marker retry armed
    std::map<uint64_t, std::string> retry_ids_;        // marker retry timer serial -> id
    uint64_t next_serial_ = 1;
};

}  // namespace kafka
