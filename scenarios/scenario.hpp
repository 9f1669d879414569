// The typed scenario model (../shared/SCENARIOS.md), produced once by the loader. Everything
// past the loader reads this, never JSON.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "clients/admin_client.hpp"
#include "sim/time.hpp"

namespace scenarios {

enum class MetadataMode { kraft, zookeeper };

struct ClusterSpec {
    std::string version = "3.7";      // as written
    kafka::VersionProfile profile;    // the profile it resolved to
    MetadataMode metadata = MetadataMode::kraft;
    int brokers = 3;                  // ids 1..N
    int controllers = 3;              // KRaft voters, ids 3000..3000+N-1
    int zookeeper = 3;                // ZooKeeper ensemble size, ids 1..N
    kafka::ConfigMap config;          // overrides, normalised
};

struct NetworkSpec {
    sim::Duration latency_min = sim::milliseconds(1);
    sim::Duration latency_max = sim::milliseconds(3);
    double loss = 0;
};

struct TopicSpec {
    std::string name;
    int partitions = 1;
    int replication_factor = 1;
    std::vector<std::vector<int32_t>> assignment;  // empty: Kafka's default placement
    kafka::ConfigMap config;
};

struct ProducerSpec {
    std::string id;
    std::string topic;
    double rate_per_s = 0;
    int keys = 0;                     // 0: no keys (sticky partitioning)
    sim::Duration from;               // default 0s
    std::optional<sim::Duration> until;  // default: end of run
    kafka::ConfigMap config;
    // A transactional producer's application ("transactions": {"records": N, "abort": f}): N
    // records per transaction (default 100), a fraction f of them aborted (default 0).
    int records_per_txn = 100;
    double abort_fraction = 0;
    // "value": {"size": N, "pattern": "order-{seq}"}: each record carries a text value made from
    // the pattern (kafka::RecordValueSpec); nullopt: records carry no value text.
    struct Value {
        std::string pattern = "{seq}";
        int32_t size_bytes = 0;  // 0: not given (the record is sized as kafkasim.record.size.bytes says)
    };
    std::optional<Value> value;
};

struct ConsumerSpec {
    std::optional<std::string> group;  // nullopt: "group": null, reads every partition by assignment
    int members = 1;
    std::vector<std::string> topics;
    std::optional<double> rate_per_s;  // per member; nullopt = as fast as it can fetch
    sim::Duration from;
    std::optional<sim::Duration> until;
    kafka::ConfigMap config;
};

// A Kafka Streams application ("apps"): `instances` processes of one stream thread each, sharing
// application.id as their consumer group. The topology reads `source`, keeps (optionally) the
// records whose key is below `keys_below`, counts them by key into the store `store` (backed by
// the compacted changelog topic "<application.id>-<store>-changelog", one partition per task)
// and writes each new count to `sink`.
struct AppTopology {
    std::string source;
    std::string sink;
    std::string store = "counts";
    std::optional<int32_t> keys_below;  // filter: key-0 .. key-(n-1) pass
};
struct AppSpec {
    std::string name;
    int instances = 1;
    AppTopology topology;
    sim::Duration from;
    std::optional<sim::Duration> until;
    kafka::ConfigMap config;  // Streams' names (processing.guarantee, commit.interval.ms, ...)
    kafka::StreamsConfig streams;  // resolved: application.id set (the name when not given)
    std::string changelog_topic() const { return streams.application_id + "-" + topology.store + "-changelog"; }
};

// Kafka Connect ("connect"): a cluster of workers (distributed, sharing group.id) or one
// standalone worker, the connectors it runs, and the external systems they read and write.
struct ExternalSystemSpec {
    std::string name;             // the file or table connectors name
    bool table = false;
    int64_t rows = 0;             // present from the start
    double rate_per_s = 0;        // rows appended per second in [from, until)
    sim::Duration from;
    std::optional<sim::Duration> until;
    std::vector<std::string> lines;  // a file's given lines
    std::vector<int64_t> malformed_rows;  // poison records: rows a sink's converter cannot read
};
struct ConnectorDecl {
    std::string name;
    std::map<std::string, std::string> config;  // Kafka's connector configs, as strings
};
struct ConnectSpec {
    bool present = false;
    bool distributed = true;
    int workers = 1;              // connect:1 .. connect:N
    kafka::ConfigMap config;      // the worker config, as written
    kafka::ConnectWorkerConfig worker;  // resolved: the sample properties file, then config
    bool exactly_once_source = false;   // exactly.once.source.support=enabled (3.3+, distributed)
    std::vector<ConnectorDecl> connectors;
    std::vector<ExternalSystemSpec> external;
};
// A REST call on the timeline ({"action": "rest", ...} among the faults).
struct RestActionSpec {
    size_t index = 0;             // position in "faults"
    sim::Duration at;
    int32_t worker = 1;
    std::string method, path, body;
};

// An admin operation on the timeline ({"action": "create-topic", ...} among the faults), with
// the parameter names of the Kafka tool that makes it. The harness's admin client runs it at `at`.
struct AdminActionSpec {
    size_t index = 0;  // position in "faults"
    sim::Duration at;
    kafka::AdminOperation op;
};

// A target as written ("leader:orders/0"), parsed; resolved to nodes when the fault fires.
struct Target {
    enum class Kind {
        broker, controller, zookeeper,   // by id
        partition_leader,                // leader:<topic>/<partition>
        active_controller,               // controller:active
        quorum_leader,                   // quorum:leader
        quorum_follower,                 // quorum:follower
        zookeeper_leader,                // zookeeper:leader
        coordinator,                     // coordinator:<group>
        producer,                        // producer:<id>
        consumer,                        // consumer:<group>/<n>
        app_instance,                    // app:<name>/<n>
        app_all,                         // app:<name>: every instance
        connect_worker,                  // connect:<n>
        connect_leader,                  // connect:leader (the Connect group's leader worker)
        connect_follower,                // connect:follower (the lowest-id running worker that does not lead)
        connect_task,                    // task:<connector>/<n> (the worker running it)
        all_connect_workers,             // connect: every worker
        all_brokers, all_controllers, all_zookeepers,
        everyone_else,                   // "*" inside partition groups
    };
    Kind kind = Kind::broker;
    std::string text;   // as written, for the trace and messages
    int32_t id = 0;     // broker/controller/zookeeper id; partition; member n
    std::string name;   // topic, group, producer id, app name
};

enum class FaultAction {
    crash, power_loss, shutdown, restart, pause, resume, partition, isolate, cut, heal, latency, loss, drop, delay,
    external_down, fail_task
};
const char* to_string(FaultAction a);
std::optional<FaultAction> parse_fault_action(std::string_view name);  // "power-loss" -> power_loss

struct FaultSpec {
    size_t index = 0;                         // position in "faults"
    sim::Duration at;
    FaultAction action = FaultAction::crash;
    std::vector<Target> targets;              // target (one or a list); isolate; latency/loss "target"
    std::vector<std::vector<Target>> groups;  // partition
    std::vector<Target> from, to;             // cut
    std::vector<Target> between;              // latency/loss: [a, b] (2 entries) when given
    sim::Duration add, jitter;                // latency
    double probability = 0;                   // loss, drop
    std::vector<std::string> requests;        // delay: Kafka API names ("EndTxn", "Produce")
    int64_t count = 0;                        // delay: how many messages at most (0: every one)
    std::string system;                       // external-down: the file or table
    std::optional<sim::Duration> for_;        // undone by itself after this long
};

enum class CheckKind {
    no_acked_loss, no_duplicates, per_partition_order, replicas_consistent, single_leader, quorum,
    max_lag, recovers, failover_time, availability,
    // consumer groups (beyond SCENARIOS.md, in its style; see the README)
    at_least_once, no_poll_skip, committed_monotonic,
    undisturbed,
    // transactions (SCENARIOS.md's names for the transactions issue)
    no_aborted_reads, txn_atomic, no_hanging_transactions, exactly_once,
    // Kafka Connect
    source_to_sink, connector_running, task_unassigned_time,
};
const char* to_string(CheckKind k);

struct ExpectSpec {
    size_t index = 0;
    CheckKind check = CheckKind::no_acked_loss;
    bool expect_violated = false;             // "outcome": "violated"
    // "expected_fraction": on what share of seeds the outcome is expected (a race that shows on
    // some seeds only). A sweep that meets it says "as expected" instead of failing; a single
    // run still reports its seed's outcome. 1: every seed.
    double expected_fraction = 1.0;
    // quorum; undisturbed (during)
    bool available = true;
    std::optional<sim::Duration> during_from, during_to;
    // exactly-once: the app (optional when there is one)
    std::string app;
    // max-lag; at-least-once, no-poll-skip, committed-monotonic (optional: every group)
    std::string group;
    int64_t below = 0;
    sim::Duration after;
    // recovers
    sim::Duration within;
    // failover-time
    sim::Duration max;
    // availability
    double min = 0;
    std::optional<std::string> producer;
    // source-to-sink: the connectors (optional: every source and every sink), and whether
    // duplicates violate it ("delivery": "exactly-once"); connector-running: "by"
    std::string source, sink;
    bool exactly_once_delivery = false;
    std::optional<sim::Duration> by;
};

struct Scenario {
    std::string file;   // path it was loaded from
    std::string name;
    std::string description;
    uint64_t seed = 1;
    sim::Duration duration;
    ClusterSpec kafka;
    NetworkSpec network;
    std::vector<TopicSpec> topics;
    std::vector<ProducerSpec> producers;
    std::vector<ConsumerSpec> consumers;
    std::vector<AppSpec> apps;
    ConnectSpec connect;
    std::vector<FaultSpec> faults;
    std::vector<RestActionSpec> rest_actions;
    std::vector<AdminActionSpec> admin_actions;
    std::vector<ExpectSpec> expect;
    std::vector<std::string> warnings;  // accepted-but-not-modelled configs and similar
};

}  // namespace scenarios
