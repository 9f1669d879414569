// A Kafka Connect worker (connect-distributed.sh or connect-standalone.sh) as a pure handler
// node: the herder, its connectors and tasks, and the Kafka clients they use, embedded in one
// process (clients/client_embedding.hpp), over the world's external systems.
//
// Distributed (DistributedHerder, WorkerCoordinator, Kafka*BackingStore):
//  - the worker is a member of the group group.id (protocol type "connect"), offering the
//    sub-protocols up to connect.protocol ("default" = eager, "compatible", "sessioned"); its
//    JoinGroup carries its URL, the config offset it has read and (incremental) what it runs;
//    the leader worker computes everyone's assignment (connect_assignor.hpp) and hands each
//    member its connectors and tasks, the leader's URL, the config offset to reach, and, under
//    incremental cooperative rebalancing, what to stop and a scheduled delay;
//  - eager: every connector and task stops before each JoinGroup (onJoinPrepare), and the new
//    assignment starts them wherever they land; incremental cooperative: only the revoked ones
//    stop, then the worker rejoins so that the next round can place them; a delay makes it
//    rejoin when the delay ends; a member that lost its generation stops everything;
//  - state lives in three compacted topics, read from the start by one internal consumer and
//    written by one internal producer (acks=all): the config topic (connector-<n>, task-<n>-<i>,
//    commit-<n>, target-state-<n>), the offsets topic (["<connector>",{<source partition>}] ->
//    {<source offset>}) and the status topic (status-connector-<n>, status-task-<n>-<i> ->
//    {state, trace, worker_id, generation}). The leader writes configs; whoever runs a
//    connector or task writes its status; source tasks flush their offsets;
//  - a worker rejoins when the config topic brings a new or deleted connector or a new set of
//    task configs; before it starts its assignment it reads the config topic up to the
//    assignment's offset;
//  - the connector instance computes its task configs (connector_plugins.hpp) when it starts;
//    when they differ from the committed ones it sends them to the leader (POST
//    /connectors/<n>/tasks, or straight to the config topic when it is the leader);
//  - REST (ConnectRestRequest): the endpoints of reference section 8, answered from the
//    worker's view of the config and status topics; writes go to the leader (forwarded, at most
//    two hops); 409 while no leader is known or the worker is behind on the config topic.
//
// Standalone (StandaloneHerder): no group; the connectors given on its command line run here,
// configs and statuses in memory, source offsets in offset.storage.file.filename on the
// worker's disk, rewritten at each flush (a crash keeps what was written, a power loss loses
// what the OS had not flushed).
//
// Source tasks (WorkerSourceTask): a producer per task with the worker's settings (acks=all,
// max.in.flight 1, retries without end); poll() reads up to a batch of rows of the task's
// sources, each becomes a record; a source partition's offset may be flushed only up to its
// acknowledged prefix (SubmittedRecords); every offset.flush.interval.ms the flushable offsets
// are written to the offsets topic (or file), and on a clean stop. A crash loses what was not
// flushed: the next owner reads the same rows again (duplicates), as Kafka's does.
//
// Sink tasks (WorkerSinkTask): a consumer per task in group connect-<name>
// (auto.offset.reset=earliest, no auto commit); poll -> put() into the external sink; an
// unavailable sink is a RetriableException: the batch is kept, the consumer paused, and put()
// retried after retry.backoff.ms; every offset.flush.interval.ms the offsets of what was put
// are committed, and on revocation. What was put after the last commit is put again by the
// next owner (duplicates in an insert sink, overwrites in an upsert sink).
//
// Exactly-once source (KIP-618, exactly.once.source.support=enabled, 3.3): each source task's
// producer is transactional (transactional.id <group.id>-<connector>-<task>); a poll's records
// and the offsets they reach (written to the offsets topic by the same producer) are one
// transaction (transaction.boundary=poll), the workers read the offsets topic read_committed,
// and a task reads its offsets only once its initTransactions() has fenced its previous
// instance and ended that instance's transaction.
//
// Errors (KIP-298, 2.0): a sink task's converter fails on a malformed record; with
// errors.tolerance=none the task fails, with all it skips the record, into the dead letter
// queue (errors.deadletterqueue.topic.name, its own producer) when one is set.
//
// Not modelled yet: the leader's fencing of every transactional id of a connector's previous
// task generation (fenceProducers) and transaction boundaries other than poll, errors in source
// connectors, the dead letter queue's context headers, the sessioned protocol's request signing
// (sessioned behaves as compatible), SMTs and converters.
#pragma once
#include <cstdint>
#include <deque>
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
#include "connect/connect_assignor.hpp"
#include "connect/connect_features.hpp"
#include "connect/connect_protocol.hpp"
#include "connect/connector_plugins.hpp"
#include "connect/external_systems.hpp"

namespace kafka::connect {

struct ConnectorSpec {
    std::string name;
    ConnectorConfig config;
};

// What a worker runs with, resolved by the harness.
struct WorkerSpec {
    int32_t id = 1;            // connect:<id>
    bool distributed = true;
    ConnectWorkerConfig config;
    ConnectFeatures features;
    std::vector<ConnectorSpec> connectors;  // standalone: the connector property files it is started with
    // exactly.once.source.support=enabled (KIP-618, 3.3): source tasks write their records and
    // their offsets in one transaction, and offsets are read read_committed.
    bool exactly_once_source = false;
    // The clients' settings, Worker.baseProducerConfigs / baseConsumerConfigs applied.
    ProducerConfig task_producer;
    ConsumerConfig task_consumer;
    ProducerConfig internal_producer;
    ConsumerConfig internal_consumer;
    ConsumerConfig member;      // the group membership: session.timeout.ms, heartbeat.interval.ms
    sim::Time from = sim::time_zero;
    std::string node_name() const { return "connect:" + std::to_string(id); }
    std::string worker_id() const { return "connect-" + std::to_string(id) + ":8083"; }
    std::string url() const { return "http://connect-" + std::to_string(id) + ":8083/"; }
};
// The settings Kafka's Worker forces on its clients, over the profile's defaults.
WorkerSpec resolve_client_configs(WorkerSpec spec, const VersionProfile& profile);
// The worker id of a URL ("http://connect-2:8083/" -> 2), -1 when it is not a worker's.
int32_t worker_of_url(const std::string& url);

class ConnectWorker : public Node,
                      private ClientEvents,
                      private ProducerApplication,
                      private ConsumerClient::AssignmentExtension {
public:
    // events: the history; registry names each embedded client; external: the world outside.
    // All must outlive the node.
    ConnectWorker(WorkerSpec spec, const ClusterDirectory& dir, ClientEvents* events, ClientRegistry* registry,
                  ExternalSystems* external, int life);
    ~ConnectWorker() override;

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- read-only inspection for the harness ----
    const WorkerSpec& spec() const { return spec_; }
    bool is_leader() const;
    int32_t generation() const;
    std::vector<std::string> running_connectors() const;
    std::vector<ConnectorTaskId> running_tasks() const;
    // The connectors this worker's view of the config topic holds.
    std::vector<std::string> known_connectors() const;
    // GET /connectors/<name>/status as this worker would answer it (nullopt: unknown connector).
    std::optional<std::string> status_json(const std::string& connector) const;
    int64_t config_offset() const { return config_offset_; }
    // The consumers of the sink tasks running here: (history ordinal, consumer, group).
    struct SinkConsumer {
        uint32_t ordinal = 0;
        const ConsumerClient* consumer = nullptr;
        std::string group;
    };
    std::vector<SinkConsumer> sink_consumers() const;
    // Every connector this worker knows and its number of committed task configs.
    std::map<std::string, int32_t> connector_task_counts() const;
    // The connector's config as this worker's view holds it (nullptr: unknown).
    const ConnectorConfig* connector_config(const std::string& name) const;

private:
    enum TimerKind : uint64_t {
        timer_start = 1,
        timer_task_poll = 2,       // value: the task's index
        timer_offset_flush = 3,
        timer_scheduled_rejoin = 4,
        timer_sink_retry = 5,      // value: the task's index
        timer_tick = 6,
        timer_rest_timeout = 7,    // value: correlation id
        timer_drain = 8,           // value: the task's index (a stopping source task's deadline)
    };
    struct ConnectorState {
        ConnectorConfig config;
        std::string target_state = "STARTED";  // STARTED, PAUSED, STOPPED
        std::vector<ConnectorConfig> task_configs;           // committed
        std::map<int32_t, ConnectorConfig> uncommitted_tasks;  // task-<n>-<i> not yet committed
        bool has_config = false;
    };
    struct StatusRecord {
        std::string state;
        std::string trace;
        std::string worker_id;
        int32_t generation = -1;
    };
    // A source partition's submitted record (SubmittedRecords): acknowledged or not yet.
    struct Submitted {
        std::string source;
        int64_t next_position = 0;  // the source offset once this record is written
        int32_t partition = 0;
        uint32_t seq = 0;
        bool acked = false;
    };
    struct PendingPut {
        TopicPartition tp;
        RecordBatch batch;
        int64_t first_offset = 0;
        int32_t count = 0;
    };
    struct Task : ProducerApplication {
        ConnectWorker* owner = nullptr;
        ConnectorTaskId id;
        ConnectorConfig config;
        ConnectorType type = ConnectorType::source;
        uint32_t index = 0;  // its clients' correlation-id range and timer slot
        std::string state = "RUNNING";
        bool paused = false;
        bool close_pending = false;  // failed: its clients close after the handler
        bool stopping = false;       // being stopped: its clients are closing
        bool drained = false;        // stopped source task: every record sent was answered (or the stop timed out)
        sim::TimerId drain_timer;
        sim::Time started_at;
        // source
        std::unique_ptr<ProducerClient> producer;
        uint32_t producer_ordinal = 0;
        std::vector<std::string> sources;  // file or tables
        std::string topic_prefix, topic;
        int32_t batch_size = 2000;
        int64_t poll_interval_ms = 1000;
        bool offsets_loaded = false;
        std::map<std::string, int64_t> position;  // the next row to read, per source
        std::map<std::string, int64_t> flushed;   // the offset last written, per source
        std::deque<Submitted> submitted;
        std::map<std::pair<std::string, int32_t>, uint32_t> next_seq;  // per topic and partition
        sim::TimerId poll_timer;
        uint64_t polls = 0;
        // sink
        std::unique_ptr<ConsumerClient> consumer;
        uint32_t consumer_ordinal = 0;
        std::string sink;        // the file or table it writes
        bool upsert = false;
        bool tolerate_all = false;  // errors.tolerance=all: skip records the converter cannot read
        // errors.deadletterqueue.topic.name: where skipped records go (DeadLetterQueueReporter's producer)
        std::string dead_letter_topic;
        std::unique_ptr<ProducerClient> dlq;
        uint32_t dlq_ordinal = 0;
        std::deque<PendingPut> pending;  // a put() the external system refused, to retry
        sim::TimerId retry_timer;
        int64_t retry_backoff_ms = 3000;
        std::map<TopicPartition, int64_t> put_offsets;  // the next offset after what was put

        // Exactly-once source: one transaction per poll (transaction.boundary=poll).
        bool transactional = false;
        bool committing = false;
        bool abort_pending = false;
        sim::Duration after_commit;               // when the next poll comes once the commit is done
        std::optional<sim::Time> initialized_at;  // initTransactions() returned (the zombie is fenced)
        std::map<std::string, int64_t> in_transaction;  // the offsets the open transaction carries
        void on_initialized(Context& ctx) override {
            initialized_at = ctx.now();
        }
        void on_transaction_completed(bool committed, Error, Context& ctx) override {
            owner->source_transaction_completed(*this, committed, ctx);
        }
        void on_transaction_abortable(Error, Context&) override { abort_pending = true; }
        void on_producer_fatal(Error error, Context& ctx) override {
            // A fenced producer: a newer instance of this task exists (a zombie), or another fatal error.
            if (!stopping) owner->task_failed(*this, error_name(error), ctx);
            else drained = true;
        }
        void on_flushed(Context&) override {
            if (stopping) drained = true;
        }
    };
    struct RestCall {
        sim::NodeId from = sim::no_node;  // who asked (to relay a forwarded answer)
        int32_t their_corr = 0;
        std::string method, path;
        bool internal = false;            // this worker's own call (task configs to the leader)
        sim::TimerId timer;
    };
    struct Write {
        int topic = 0;  // 0 config, 1 offsets, 2 status
        TextRecord record;
    };

    // ---- the group (distributed)
    std::string subscription_user_data() override;
    std::map<std::string, std::string> assignment_user_data(
        const std::vector<std::pair<std::string, std::vector<GroupPartition>>>& assignment,
        const std::vector<JoinGroupResponse::Member>& members) override;
    void on_assignment_user_data(const std::string& user_data) override;
    void on_join_prepare(int32_t generation) override;
    void apply_assignment(Context& ctx);
    void stop_all(const char* why, Context& ctx);
    void check_coordinator(Context& ctx);

    // ---- ClientEvents (forwarded to the history)
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
    // ProducerApplication of the internal producer.
    void on_transaction_completed(bool, Error, Context&) override {}
    void on_transaction_abortable(Error, Context&) override {}
    void on_producer_fatal(Error, Context&) override {}

    // ---- the internal topics
    void read_internal(TopicPartition tp, const RecordBatch& batch, int64_t first_offset, int32_t count);
    void apply_config_record(const std::string& key, const std::optional<std::string>& value);
    void apply_status_record(const std::string& key, const std::optional<std::string>& value);
    void write(int topic, std::string key, std::optional<std::string> value);
    void drain_writes(Context& ctx);
    bool caught_up(int topic, sim::Time since) const;  // read to the end the brokers reported after `since`
    const std::string& internal_topic(int topic) const;
    void put_status(const std::string& connector, int32_t task, const std::string& state, const std::string& trace,
                    Context& ctx);

    // ---- connectors and tasks
    void start_connector(const std::string& name, Context& ctx);
    void stop_connector(const std::string& name, const char* why, Context& ctx);
    void reconfigure_tasks(const std::string& name, Context& ctx);
    void put_task_configs(const std::string& name, const std::vector<ConnectorConfig>& configs);
    void start_task(const ConnectorTaskId& id, Context& ctx);
    void stop_task(const ConnectorTaskId& id, const char* why, Context& ctx);
    void task_failed(Task& task, const std::string& trace, Context& ctx);
    uint32_t next_task_index();
    Task* task_by_index(uint32_t index);
    Task* task_by_client(uint32_t client);
    void poll_source(Task& task, Context& ctx);
    void source_transaction_completed(Task& task, bool committed, Context& ctx);
    void load_source_offsets(Task& task);
    void flush_offsets(Task& task, Context& ctx);
    void flush_all(Context& ctx);
    void finish_draining(Context& ctx);
    void put_sink(Task& task, Context& ctx);
    void apply_target_states(Context& ctx);
    std::string offsets_key(const std::string& connector, const Task& task, const std::string& source) const;

    // ---- REST
    void handle_rest(sim::NodeId from, const ConnectRestRequest& req, Context& ctx);
    void answer(sim::NodeId to, const ConnectRestRequest& req, int32_t status, std::string body, Context& ctx);
    void answer_conflict(sim::NodeId to, const ConnectRestRequest& req, Context& ctx);  // 409: the work is moving
    bool forward_to_leader(sim::NodeId from, const ConnectRestRequest& req, Context& ctx);
    void forward_to(const std::string& url, sim::NodeId from, const ConnectRestRequest& req,
                    const char* unknown_message, Context& ctx);
    void restart_task(const ConnectorTaskId& id, Context& ctx);
    void restart_instances(const std::string& name, bool include_tasks, bool only_failed, Context& ctx);
    void send_internal_rest(const std::string& method, const std::string& path, std::string body, Context& ctx);
    std::string connector_info_json(const std::string& name) const;

    void activate(Context& ctx);
    void after_event(Context& ctx);
    void standalone_start(Context& ctx);
    void write_offsets_file(Context& ctx);
    void read_offsets_file(Context& ctx);
    void emit_status(Context& ctx, const std::string& connector, int32_t task, const std::string& state,
                     std::string detail);

    // fixed
    WorkerSpec spec_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;
    ClientRegistry* registry_;
    ExternalSystems* external_;
    int life_;

    Context* ctx_ = nullptr;
    bool active_ = false;
    std::unique_ptr<ConsumerClient> member_;        // the group membership (distributed)
    std::unique_ptr<ConsumerClient> log_reader_;    // the internal topics, from the start
    std::unique_ptr<ProducerClient> log_writer_;
    uint32_t member_ordinal_ = 0, reader_ordinal_ = 0, writer_ordinal_ = 0;
    std::deque<Write> writes_;                      // waiting for the internal producer
    std::unique_ptr<ConnectAssignor> assignor_;     // the leader's memory between rebalances
    int32_t last_completed_generation_ = -1;       // the generation of the last successful SyncGroup

    // The worker's view of the internal topics.
    std::map<std::string, ConnectorState> configs_;
    int64_t config_offset_ = 0;                     // the config topic's next offset to read
    std::map<std::string, StatusRecord> statuses_;  // "status-task-a-0" -> ...
    std::map<std::string, std::string> offsets_;    // key JSON -> offset JSON
    int64_t rejoin_for_offset_ = -1;                // a config change wants a rebalance
    struct RestartRequest {
        std::string connector;
        bool include_tasks = false, only_failed = false;
    };
    std::vector<RestartRequest> restart_requests_;  // read from the config topic, not yet applied
    std::set<std::string> reconfigured_;             // connectors whose config changed, not yet restarted
    std::set<std::string> tasks_changed_;            // connectors whose task configs changed
    // The leader: which worker (URL) runs each connector and task after its last assignment.
    std::map<std::string, std::string> owners_;
    std::map<ConnectorTaskId, std::string> task_owners_;

    // The group.
    std::optional<WorkerAssignment> received_;      // from SyncGroup, not applied yet
    std::optional<WorkerAssignment> assignment_;    // the last one applied
    std::string leader_url_;
    std::string protocol_;
    bool stop_all_pending_ = false;
    std::string stop_all_reason_;
    sim::TimerId scheduled_rejoin_;
    std::optional<sim::Time> coordinator_unknown_since_;

    // What runs here.
    std::map<std::string, std::string> connectors_;  // name -> its state here (RUNNING, PAUSED, STOPPED, FAILED)
    std::map<ConnectorTaskId, std::unique_ptr<Task>> tasks_;
    std::vector<std::unique_ptr<Task>> draining_;   // stopped source tasks waiting for their records
    std::vector<std::unique_ptr<Task>> retired_;    // stopped tasks, destroyed after the handler
    uint32_t task_generation_ = 0;
    sim::TimerId flush_timer_;

    // REST calls in flight (forwarded or this worker's own), by correlation id.
    std::map<int32_t, RestCall> rest_calls_;
    int32_t next_rest_corr_ = 3 << 26;
};

}  // namespace kafka::connect
