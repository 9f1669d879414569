// A Kafka Streams instance (KafkaStreams with one StreamThread) as a pure handler node: the
// topology of the scenario's "apps" entry, run the way Streams runs it, over the same clients
// every other application uses, embedded in one process (clients/client_embedding.hpp):
//
//  - the main consumer joins the group application.id (cooperative rebalancing from 2.4,
//    eager before) and reads the source topic: enable.auto.commit=false,
//    auto.offset.reset=earliest, max.poll.records=1000, and read_committed under exactly-once
//    (StreamsConfig's consumer overrides);
//  - one task per source partition ("0_<p>": one sub-topology). A task's state store counts
//    records by key; every update is written to the store's changelog topic
//    "<application.id>-<store>-changelog", partition p, and the new count to the sink topic,
//    partitioned by key with murmur2 as the default partitioner does. The model runs without
//    record caches (statestore.cache.max.bytes=0): each input record writes one changelog
//    record and one output record, which carry the input record as their origin
//    (RecordContents) for the exactly-once check;
//  - a newly assigned task restores its store with the restore consumer (no group, assign()
//    of the changelog partition, read_committed under exactly-once) from its checkpoint, or
//    from the start of the changelog when there is none, up to the end offset a fetch
//    reported once the restore began; its source partition is paused meanwhile
//    (StoreChangelogReader). Under at_least_once the checkpoint (the store and its changelog
//    offset) is written at every commit; under exactly-once only when a task closes
//    cleanly, so a crash costs a full restore (ProcessorStateManager: no checkpoint, wipe);
//  - every commit.interval.ms (30 s; 100 ms under exactly-once) the thread commits:
//      at_least_once: flush the producer (every sent record acknowledged), then commit the
//      consumed offsets with the consumer, then write the checkpoints;
//      exactly_once_v2 (exactly_once_beta from 2.6): one transactional producer for the
//      thread, transactional.id "<application.id>-<process uuid>-1"; the changelog and output
//      records and the consumed offsets (sendOffsetsToTransaction with the consumer's group
//      metadata, KIP-447) are one transaction, committed together;
//      exactly_once (EOS v1, 0.11 to 3.x): a transactional producer per task,
//      transactional.id "<application.id>-<task id>", and a transaction per task with that
//      task's offsets (sendOffsetsToTransaction by group id alone: no generation check). The
//      zombie is fenced by the new owner's initTransactions() on the same transactional.id,
//      and the new owner looks up the task's committed offset only after it (the task's
//      creation blocked the thread there before 2.6);
//    the thread processes nothing while a commit is in progress (commitTransaction() and
//    commitSync() block it);
//  - a task the rebalance takes away is committed (onPartitionsRevoked) and closed; a task
//    found again later keeps its in-memory store when it was closed cleanly;
//  - errors as TaskManager handles them: the producer fenced, or a commit refused for a stale
//    generation (CommitFailedException, ILLEGAL_GENERATION / UNKNOWN_MEMBER_ID) is a
//    TaskMigratedException: every task is closed dirty (under exactly-once the stores are
//    wiped), the transaction is aborted, a fenced producer is replaced by a new one with the
//    same transactional.id, and the consumer rejoins the group as a new member; any other
//    abortable transaction error is a TaskCorruptedException, handled the same way.
//
//  - standby replicas (num.standby.replicas): the group leader places each task's standbys on
//    instances other than the one running it, preferring those that hold its state (the
//    standby tasks travel as the assignment's userData, the state each member holds as its
//    subscription's). A standby task tails its changelog with the restore consumer
//    (read_committed under exactly-once) into its own store; under at_least_once it writes a
//    checkpoint at every commit, under exactly-once none (after a crash it starts over). A
//    task that becomes active where its standby ran takes the standby's store and restores
//    only the rest of the changelog.
//
// Not modelled: more than one stream thread, warmup replicas and the placement of active tasks
// by their lag (KIP-441's HighAvailabilityTaskAssignor: actives are placed by the consumer's
// sticky assignor, so a moved task goes where its standby is only when that is where the
// assignor puts it), repartition topics, punctuation, the KIP-1071 streams group protocol.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/world.hpp"
#include "clients/client_events.hpp"
#include "clients/consumer_client.hpp"
#include "clients/producer_client.hpp"

namespace kafka {

// What an instance runs: the app's topology and its clients' settings, resolved by the harness.
struct StreamsAppSpec {
    std::string name;            // the scenario's app name
    int instance = 1;            // 1..instances
    StreamsConfig streams;
    std::string source, sink, changelog;
    int32_t sink_partitions = 1;
    int32_t source_partitions = 1;  // = tasks
    std::optional<int32_t> keys_below;
    ConsumerConfig consumer;     // Streams' consumer overrides applied
    ConsumerConfig restore_consumer;
    ProducerConfig producer;     // Streams' producer overrides applied (transactional.id set per process)
    sim::Time from = sim::time_zero;
    sim::Time until = sim::time_never;
    std::string node_name() const { return "app:" + name + "/" + std::to_string(instance); }
};

class StreamsInstance : public Node,
                        private ClientEvents,
                        private ProducerApplication,
                        private ConsumerClient::AssignmentExtension {
public:
    // events: the history (forwarded what the embedded clients report); registry names each
    // embedded client for it. Both must outlive the node; dir too.
    StreamsInstance(StreamsAppSpec spec, const ClusterDirectory& dir, ClientEvents* events, ClientRegistry* registry,
                    int life);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- read-only inspection for the harness ----
    const StreamsAppSpec& spec() const { return spec_; }
    const ConsumerClient* main_consumer() const { return consumer_.get(); }
    const ProducerClient* producer() const { return producer_.get(); }
    uint32_t consumer_ordinal() const { return consumer_ordinal_; }
    // Tasks this instance owns now, by source partition, and whether each is running.
    std::map<int32_t, bool> tasks() const;
    // Standby tasks, by source partition: the changelog offset each has applied up to.
    std::map<int32_t, int64_t> standby_tasks() const;
    uint64_t records_processed() const { return records_processed_; }
    uint32_t commits() const { return commits_; }
    const std::string& transactional_id() const { return transactional_id_; }  // the thread's (not EOS v1)

private:
    // initializing: EOS v1, the task's producer has not finished initTransactions() (which
    // fences the previous owner and ends its transaction); only then does the restore begin.
    enum class TaskState : uint8_t { initializing, restoring, running };
    struct Task {
        TaskState state = TaskState::restoring;
        std::map<int32_t, int64_t> store;  // key -> count
        int64_t next_offset = -1;          // the next source offset to process (-1: not yet known)
        bool uncommitted = false;          // processed records since the last commit
        sim::Time restore_since;           // the restore began (its end offset must come after)
        int64_t restore_from = 0;
    };
    // EOS v1: a task's own transactional producer. It outlives its task while the task's last
    // commit is in flight (a clean close), and goes once closed.
    struct TaskProducer final : ProducerApplication {
        StreamsInstance* owner = nullptr;
        int32_t partition = 0;
        uint32_t index = 0;  // its correlation-id range and timer slot
        uint32_t ordinal = 0;
        std::unique_ptr<ProducerClient> client;
        bool committing = false;
        bool abort_pending = false;
        bool closing = false;  // closed once its commit is done (then dropped after the event)
        void on_transaction_completed(bool committed, Error error, Context& ctx) override {
            owner->task_transaction_completed(*this, committed, error, ctx);
        }
        void on_transaction_abortable(Error, Context&) override { abort_pending = true; }
        // Fenced: TaskMigrated. Every task producer is closed with its task; the tasks the
        // rejoin brings get new ones.
        void on_producer_fatal(Error error, Context& ctx) override { owner->lose_all_tasks("migrated", error, ctx); }
    };
    enum TimerKind : uint64_t {
        timer_activate = 1,
        timer_commit = 2,
        timer_deactivate = 3,
    };

    // ClientEvents: what the embedded clients report (forwarded to the history).
    void on_send(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count) override;
    void on_ack(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                int64_t base_offset) override;
    void on_error(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count, Error error,
                  bool final) override;
    void on_poll(uint32_t client, sim::Time t, TopicPartition tp, const RecordBatch& batch, int64_t first_offset,
                 int32_t count) override;
    void on_assignment(uint32_t client, sim::Time t, int32_t generation,
                       const std::vector<TopicPartition>& partitions) override;
    void on_commit(uint32_t client, sim::Time t, int32_t generation, TopicPartition tp, int64_t offset) override;
    void on_commit_failed(uint32_t client, sim::Time t, int32_t generation, Error error) override;
    void on_txn_begin(uint32_t client, sim::Time t, uint32_t txn, int64_t producer_id, int16_t epoch) override;
    void on_txn_records(uint32_t client, uint32_t txn, TopicPartition tp, uint32_t first_seq, int32_t count) override;
    void on_txn_end(uint32_t client, sim::Time t, uint32_t txn, TxnOutcome outcome, Error error) override;

    // ProducerApplication: the transaction's end, and the producer's failures.
    void on_transaction_completed(bool committed, Error error, Context& ctx) override;
    void on_transaction_abortable(Error error, Context& ctx) override;
    void on_producer_fatal(Error error, Context& ctx) override;
    void on_flushed(Context& ctx) override;

    // AssignmentExtension: the standby tasks (StreamsPartitionAssignor's SubscriptionInfo and
    // AssignmentInfo, reduced to the tasks each member holds state for).
    std::string subscription_user_data() override;
    std::map<std::string, std::string> assignment_user_data(
        const std::vector<std::pair<std::string, std::vector<GroupPartition>>>& assignment,
        const std::vector<JoinGroupResponse::Member>& members) override;
    void on_assignment_user_data(const std::string& user_data) override;
    void apply_standbys(Context& ctx);

    void after_event(Context& ctx);
    void assign_restores(Context& ctx);
    void activate(Context& ctx);
    void deactivate(Context& ctx);
    void make_producer(Context& ctx);
    bool eos_v1() const { return spec_.streams.processing_guarantee == "exactly_once"; }
    // EOS v1: the task producers.
    TaskProducer& make_task_producer(int32_t partition, Context& ctx);
    TaskProducer* task_producer(int32_t partition);  // the live one of the task, if any
    TaskProducer* task_producer_by_index(uint32_t index);
    void close_task_producer(int32_t partition, Context& ctx);
    void task_transaction_completed(TaskProducer& p, bool committed, Error error, Context& ctx);
    void commit_v1(Context& ctx);
    void task_producers_after_event(Context& ctx);
    // The producer a task writes with: the thread's, or the task's own under EOS v1.
    ProducerClient* producer_for(int32_t partition);
    bool task_producer_ready(int32_t partition);
    uint32_t next_producer_index();
    void process(TopicPartition tp, const RecordBatch& batch, int64_t first_offset, int32_t count);
    void update_tasks(const std::vector<TopicPartition>& owned, Context& ctx);
    void start_restore(int32_t partition, Task& task, Context& ctx);
    void check_restores(Context& ctx);
    void update_pause(Context& ctx);
    void commit(Context& ctx);
    void alos_commit_step(Context& ctx);
    void commit_done(Context& ctx);
    // TaskMigrated / TaskCorrupted: every task closed dirty, the consumer rejoins as a new member.
    void lose_all_tasks(const char* action, Error error, Context& ctx, bool rejoin = true);
    void close_task(int32_t partition, bool clean, const char* why, Context& ctx);
    std::string task_id(int32_t partition) const { return "0_" + std::to_string(partition); }
    bool producer_ready() const;
    void emit(Context& ctx, std::string task, std::string action, int64_t offset = -1, int64_t end = -1,
              std::string detail = {});
    std::optional<TopicPartition> changelog_tp(int32_t partition) const;

    // fixed
    StreamsAppSpec spec_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;
    ClientRegistry* registry_;
    int life_;

    Context* ctx_ = nullptr;  // set while a handler runs (the ClientEvents callbacks have none)
    bool active_ = false;
    std::unique_ptr<ConsumerClient> consumer_;
    std::unique_ptr<ConsumerClient> restore_;
    std::unique_ptr<ProducerClient> producer_;
    uint32_t consumer_ordinal_ = 0, restore_ordinal_ = 0, producer_ordinal_ = 0;
    int32_t producer_generation_ = 0;  // producers made in this life (correlation-id ranges)
    std::string transactional_id_;
    std::vector<std::unique_ptr<TaskProducer>> task_producers_;  // EOS v1
    std::set<int32_t> offset_fetch_held_;  // EOS v1: tasks whose producer is not initialized yet
    int32_t task_commits_pending_ = 0;     // EOS v1: task transactions of the commit in progress

    std::map<int32_t, Task> tasks_;                // by source partition
    struct StandbyTask {
        std::map<int32_t, int64_t> store;
        int64_t position = -1;  // the next changelog offset to apply (-1: from the start)
    };
    std::map<int32_t, StandbyTask> standbys_;      // by source partition
    std::optional<std::set<int32_t>> assigned_standbys_;  // the last assignment's, not applied yet
    std::map<int32_t, int64_t> closing_offsets_;   // revoked tasks whose last offsets still need a commit
    std::map<int32_t, int64_t> committing_closing_;  // ... those the commit in progress carries
    bool release_rejoin_ = false;                  // the tasks are gone: let the consumer rejoin
    std::map<int32_t, int64_t> changelog_acked_;   // partition -> next changelog offset acknowledged
    bool committing_ = false;
    bool awaiting_offsets_ = false;                // at_least_once: the consumer commit is in flight
    bool flushed_ = false;                         // at_least_once: flush() returned
    bool offsets_acked_ = false;                   // at_least_once: the consumer commit was acknowledged
    bool producer_replace_pending_ = false;        // fenced: a new producer once the handler returned
    bool abort_pending_ = false;                   // abortTransaction() once the handler returned
    bool rejoin_pending_ = false;                  // the consumer rejoins once the handler returned
    bool delivery_paused_ = false;
    std::set<int32_t> paused_partitions_;          // source partitions paused while their task restores
    TopicId source_topic_ = 0;
    std::vector<int32_t> sink_partition_;          // murmur2 partition of the sink per key, -1 unknown
    sim::TimerId commit_timer_;
    uint64_t records_processed_ = 0;
    uint32_t commits_ = 0;
};

}  // namespace kafka
