// The key table: every config name a scenario may use, with Kafka's defaults (see
// ../shared/reference/kafka-behaviour.md, sections 0, 1, 4, 5, 6, 7) and the typed-config field
// the model reads it from. A row without .reads(...) is accepted but not modelled.
#include <array>
#include <limits>
#include <type_traits>

#include "broker/config.hpp"

namespace kafka {

namespace {

constexpr unsigned B = scope_broker;
constexpr unsigned T = scope_topic;
constexpr unsigned P = scope_producer;
constexpr unsigned C = scope_consumer;
constexpr unsigned S = scope_streams;
constexpr unsigned W = scope_connect;
constexpr int64_t hour_ms = 3600LL * 1000;

// One row, built up: key(...) with the name, scopes, type, default and doc, then what applies.
struct Row {
    ConfigKey k;

    constexpr Row range(int64_t min_value, int64_t max_value = i64_max) const {
        Row r = *this;
        r.k.min_value = min_value;
        r.k.max_value = max_value;
        return r;
    }
    // The model reads it from this field (value x unit).
    template <class Config, class Field>
    constexpr Row reads(Field Config::*field, int64_t unit = 1) const {
        Row r = *this;
        if constexpr (std::is_same_v<Config, BrokerConfig>) r.k.broker_field = ConfigField<Config>{field};
        else if constexpr (std::is_same_v<Config, TopicConfig>) r.k.topic_field = ConfigField<Config>{field};
        else if constexpr (std::is_same_v<Config, ProducerConfig>) r.k.producer_field = ConfigField<Config>{field};
        else if constexpr (std::is_same_v<Config, ConsumerConfig>) r.k.consumer_field = ConfigField<Config>{field};
        else if constexpr (std::is_same_v<Config, StreamsConfig>) r.k.streams_field = ConfigField<Config>{field};
        else r.k.connect_field = ConfigField<Config>{field};
        r.k.unit = unit;
        return r;
    }
    // A topic key whose default is this broker key's value.
    constexpr Row defaults_to(std::string_view broker_key) const {
        Row r = *this;
        r.k.broker_synonym = broker_key;
        return r;
    }
    // The typed config's from() reads it by name (its default is null: no field holds it).
    constexpr Row read_by_name() const {
        Row r = *this;
        r.k.read_by_name = true;
        return r;
    }
    // Values ("a|b") of a key without a field that ask for nothing the model does not do.
    constexpr Row modelled_when(std::string_view values) const {
        Row r = *this;
        r.k.modelled_values = values;
        return r;
    }
    constexpr operator ConfigKey() const { return k; }  // NOLINT: rows are written as keys
};

constexpr Row key(std::string_view name, unsigned scopes, ConfigType type, std::string_view default_value,
                  std::string_view doc) {
    return Row{ConfigKey{.name = name, .scopes = scopes, .type = type, .default_value = default_value, .doc = doc}};
}

using enum ConfigType;
using BC = BrokerConfig;
using TC = TopicConfig;
using PC = ProducerConfig;
using CC = ConsumerConfig;
using SC = StreamsConfig;
using WC = ConnectWorkerConfig;

// Grouped by where the setting lives, alphabetical within a group. Defaults are the default
// profile's (3.7); profile_defaults() (version_profiles.cpp) lists what other profiles change,
// so the docs here do not repeat them.
constexpr auto key_table = std::to_array<ConfigKey>({
    // ---- Broker and topic: replication ------------------------------------------------------
    key("min.insync.replicas", B | T, integer, "1",
        "replicas that must have a record before an acks=all produce succeeds")
        .range(1, i32_max).reads(&BC::min_insync_replicas).reads(&TC::min_insync_replicas)
        .defaults_to("min.insync.replicas"),
    key("unclean.leader.election.enable", B | T, boolean, "false",
        "elect an out-of-sync replica when no ISR member is alive")
        .reads(&BC::unclean_leader_election_enable).reads(&TC::unclean_leader_election_enable)
        .defaults_to("unclean.leader.election.enable"),

    // ---- Broker: replication ----------------------------------------------------------------
    key("auto.leader.rebalance.enable", B, boolean, "true",
        "move leadership back to the preferred replica (the first in the assignment) when it is alive and in the "
        "ISR, every leader.imbalance.check.interval.seconds")
        .reads(&BC::auto_leader_rebalance_enable),
    key("default.replication.factor", B, integer, "1", "replication factor of a topic that does not give one")
        .range(1, i32_max).reads(&BC::default_replication_factor),
    key("delete.topic.enable", B, boolean, "true",
        "DeleteTopics is allowed (false: TOPIC_DELETION_DISABLED; ZooKeeper mode reads it, KRaft always deletes)")
        .reads(&BC::delete_topic_enable),
    key("eligible.leader.replicas.version", B, integer, "0",
        "KRaft feature level (kafka-storage format --feature / kafka-features upgrade): 1 turns on Eligible Leader "
        "Replicas, KIP-966 (opt-in in 4.0, the default for new clusters from 4.1)")
        .range(0, 1).reads(&BC::eligible_leader_replicas_version),
    key("leader.imbalance.check.interval.seconds", B, integer, "300",
        "how often the controller checks for leader imbalance (ZooKeeper mode: first 5 s after it became "
        "controller; KRaft: this long after it saw a partition led by another than its preferred replica)")
        .range(1, 3600L * 24 * 365).reads(&BC::leader_imbalance_check_interval_seconds),
    key("leader.imbalance.per.broker.percentage", B, integer, "10",
        "ZooKeeper mode: share of a broker's preferred-leader partitions led elsewhere above which they are "
        "re-elected (KRaft ignores it and rebalances any imbalanced partition)")
        .range(0, 100).reads(&BC::leader_imbalance_per_broker_percentage),
    key("num.partitions", B, integer, "1", "partition count of a topic that does not give one")
        .range(1, i32_max).reads(&BC::num_partitions),
    key("num.replica.fetchers", B, integer, "1", "fetcher threads per source broker").range(1, i32_max),
    key("replica.fetch.backoff.ms", B, integer, "1000", "pause after a follower fetch error")
        .range(0, i32_max).reads(&BC::replica_fetch_backoff_ms),
    key("replica.fetch.max.bytes", B, integer, "1048576", "bytes a follower fetch asks per partition")
        .range(0, i32_max).reads(&BC::replica_fetch_max_bytes),
    key("replica.fetch.min.bytes", B, integer, "1", "bytes the leader waits for before answering a follower")
        .range(0, i32_max).reads(&BC::replica_fetch_min_bytes),
    key("replica.fetch.wait.max.ms", B, integer, "500",
        "longest the leader holds a follower fetch that has nothing to return")
        .range(0, i32_max).reads(&BC::replica_fetch_wait_max_ms),
    key("replica.high.watermark.checkpoint.interval.ms", B, integer, "5000",
        "how often the high watermark is written to disk (what pre-KIP-101 truncation reads)")
        .range(1).reads(&BC::replica_high_watermark_checkpoint_interval_ms),
    key("replica.lag.time.max.ms", B, integer, "30000",
        "a follower not caught up for this long leaves the ISR")
        .range(1).reads(&BC::replica_lag_time_max_ms),
    key("replica.socket.timeout.ms", B, integer, "30000", "timeout of a follower fetch request")
        .range(1, i32_max).reads(&BC::replica_socket_timeout_ms),

    // ---- Broker: log ------------------------------------------------------------------------
    key("log.cleanup.policy", B, string, "delete", "delete or compact old segments; only delete is modelled")
        .modelled_when("delete"),
    key("log.flush.interval.messages", B, integer, "9223372036854775807",
        "fsync a log once this many appended records are not yet on disk (by default Kafka leaves flushing to "
        "the OS); 1: every append, leader or follower, is fsynced before it is acknowledged")
        .range(1).reads(&BC::log_flush_interval_messages),
    key("log.flush.interval.ms", B, integer, "9223372036854775807",
        "fsync a log when this long has passed since its last flush, checked every "
        "log.flush.scheduler.interval.ms (Kafka's default is null: the scheduler interval's value)")
        .range(0).reads(&BC::log_flush_interval_ms),
    key("log.flush.scheduler.interval.ms", B, integer, "9223372036854775807",
        "how often the log flusher looks for logs due under flush.ms; by default never, so "
        "log.flush.interval.ms alone flushes nothing (LogManager's kafka-log-flusher)")
        .range(1).reads(&BC::log_flush_scheduler_interval_ms),
    key("log.retention.bytes", B, integer, "-1",
        "size limit per partition: the oldest segments go while the log stays above it (-1: no limit)")
        .range(-1).reads(&BC::log_retention_bytes),
    key("log.retention.check.interval.ms", B, integer, "300000",
        "how often retention deletes old segments (the first run 30 s after the broker starts)")
        .range(1).reads(&BC::log_retention_check_interval_ms),
    key("log.retention.hours", B, integer, "168",
        "a closed segment whose newest record is older than this is deleted (-1: kept forever)")
        .range(-1, i32_max).reads(&BC::log_retention_ms, hour_ms),
    key("log.retention.minutes", B, integer, "null", "as log.retention.hours (overrides it)")
        .range(-1, i32_max).reads(&BC::log_retention_ms, 60 * 1000),
    key("log.retention.ms", B, integer, "null", "as log.retention.hours (overrides minutes and hours)")
        .range(-1).reads(&BC::log_retention_ms),
    key("log.roll.hours", B, integer, "168", "age at which the active segment is rolled")
        .range(1, i32_max).reads(&BC::log_roll_ms, hour_ms),
    key("log.roll.ms", B, integer, "null", "age at which the active segment is rolled (overrides hours)")
        .range(1).reads(&BC::log_roll_ms),
    key("log.segment.bytes", B, integer, "1073741824", "size at which the active segment is rolled")
        .range(14, i32_max).reads(&BC::log_segment_bytes),
    key("message.max.bytes", B, integer, "1048588", "largest record batch a broker accepts").range(0, i32_max),

    // ---- Broker: KRaft ----------------------------------------------------------------------
    key("broker.heartbeat.interval.ms", B, integer, "2000", "how often a broker heartbeats to the controller")
        .range(1).reads(&BC::broker_heartbeat_interval_ms),
    key("broker.session.timeout.ms", B, integer, "9000", "a broker without a heartbeat for this long is fenced")
        .range(1).reads(&BC::broker_session_timeout_ms),
    key("controller.quorum.append.linger.ms", B, integer, "25",
        "how long the quorum leader batches metadata records (the model writes and flushes each append at once)")
        .range(0, i32_max),
    key("controller.quorum.election.backoff.max.ms", B, integer, "1000",
        "upper bound of the backoff before a new election")
        .range(0, i32_max).reads(&BC::controller_quorum_election_backoff_max_ms),
    key("controller.quorum.election.timeout.ms", B, integer, "1000",
        "a candidate without a result after this long (plus a random part) starts again")
        .range(1, i32_max).reads(&BC::controller_quorum_election_timeout_ms),
    key("controller.quorum.fetch.timeout.ms", B, integer, "2000",
        "a voter without a fetch response for this long becomes a candidate")
        .range(1, i32_max).reads(&BC::controller_quorum_fetch_timeout_ms),
    key("controller.quorum.request.timeout.ms", B, integer, "2000", "timeout of a quorum request")
        .range(1, i32_max).reads(&BC::controller_quorum_request_timeout_ms),
    key("controller.quorum.retry.backoff.ms", B, integer, "20", "pause before a quorum request is retried")
        .range(0, i32_max).reads(&BC::controller_quorum_retry_backoff_ms),
    key("kafkasim.controlled.shutdown.timeout.ms", B, integer, "30000",
        "kafkasim: longest a clean broker stop waits for leadership to move")
        .range(0).reads(&BC::controlled_shutdown_timeout_ms),

    // ---- Broker: ZooKeeper mode -------------------------------------------------------------
    key("zookeeper.session.timeout.ms", B, integer, "18000",
        "a broker's ZooKeeper session expires after this long without contact")
        .range(1, i32_max).reads(&BC::zookeeper_session_timeout_ms),
    key("zookeeper.tickTime", B, integer, "2000",
        "ZooKeeper server (zoo.cfg tickTime, the sample config's value): the basic time unit of the ensemble")
        .range(1, i32_max).reads(&BC::zookeeper_tick_time_ms),
    key("zookeeper.initLimit", B, integer, "10",
        "ZooKeeper server (zoo.cfg initLimit, no default in ZooKeeper; the sample config's value): ticks a follower "
        "may take to connect and sync to a new leader")
        .range(1, i32_max).reads(&BC::zookeeper_init_limit),
    key("zookeeper.syncLimit", B, integer, "5",
        "ZooKeeper server (zoo.cfg syncLimit, the sample config's value): ticks a follower may fall behind before "
        "the leader drops it")
        .range(1, i32_max).reads(&BC::zookeeper_sync_limit),

    // ---- Broker: group coordinator and transactions ------------------------------------------
    key("group.initial.rebalance.delay.ms", B, integer, "3000",
        "how long a new group waits for more members before the first rebalance")
        .range(0, i32_max).reads(&BC::group_initial_rebalance_delay_ms),
    key("group.max.session.timeout.ms", B, integer, "1800000", "largest session.timeout.ms a member may use")
        .range(1, i32_max).reads(&BC::group_max_session_timeout_ms),
    key("group.min.session.timeout.ms", B, integer, "6000", "smallest session.timeout.ms a member may use")
        .range(1, i32_max).reads(&BC::group_min_session_timeout_ms),
    key("offsets.retention.minutes", B, integer, "10080", "how long committed offsets of an empty group live")
        .range(1, i32_max),
    key("offsets.topic.num.partitions", B, integer, "50", "partitions of __consumer_offsets")
        .range(1, i32_max).reads(&BC::offsets_topic_num_partitions),
    key("offsets.topic.replication.factor", B, integer, "3", "replication factor of __consumer_offsets")
        .range(1, i32_max).reads(&BC::offsets_topic_replication_factor),
    key("transaction.abort.timed.out.transaction.cleanup.interval.ms", B, integer, "10000",
        "how often the transaction coordinator aborts transactions older than their transaction.timeout.ms")
        .range(1, i32_max).reads(&BC::transaction_abort_timed_out_transaction_cleanup_interval_ms),
    key("transaction.max.timeout.ms", B, integer, "900000", "largest transaction.timeout.ms a producer may ask for")
        .range(1, i32_max).reads(&BC::transaction_max_timeout_ms),
    key("transaction.partition.verification.enable", B, boolean, "true",
        "KIP-890 part 1 (3.6+; the key does not exist before): a partition leader asks the transaction "
        "coordinator whether the partition is in the producer's transaction before it appends the first "
        "transactional batch, so a late batch after an abort cannot open a hanging transaction (KAFKA-12671)")
        .reads(&BC::transaction_partition_verification_enable),
    key("transaction.state.log.min.isr", B, integer, "2", "min.insync.replicas of __transaction_state")
        .range(1, i32_max).reads(&BC::transaction_state_log_min_isr),
    key("transaction.state.log.num.partitions", B, integer, "50", "partitions of __transaction_state")
        .range(1, i32_max).reads(&BC::transaction_state_log_num_partitions),
    key("transaction.state.log.replication.factor", B, integer, "3", "replication factor of __transaction_state")
        .range(1, i32_max).reads(&BC::transaction_state_log_replication_factor),
    key("transaction.version", B, integer, "0",
        "feature level (kafka-storage format --feature / kafka-features upgrade, 4.0+; ignored before): 2 is "
        "KIP-890 part 2: the producer epoch is bumped by every commit or abort, and a leader adds the partition "
        "of a Produce v12 batch to the transaction itself (the client sends no AddPartitionsToTxn). 2 by default "
        "in clusters formatted by 4.0 or later; 0 replays one upgraded from 3.x")
        .range(0, 2).reads(&BC::transaction_version),

    // ---- Broker, topic and producer ----------------------------------------------------------
    key("compression.type", B | T | P, string, "producer (broker, topic); none (producer)",
        "compression codec; records are not stored byte for byte, so it changes nothing")
        .modelled_when("none|producer|uncompressed"),

    // ---- Topic ------------------------------------------------------------------------------
    key("cleanup.policy", T, string, "delete", "delete or compact old segments; only delete is modelled")
        .modelled_when("delete").defaults_to("log.cleanup.policy"),
    key("delete.retention.ms", T, integer, "86400000", "how long tombstones survive compaction").range(0),
    key("flush.messages", T, integer, "9223372036854775807", "topic-level log.flush.interval.messages")
        .range(1).reads(&TC::flush_messages).defaults_to("log.flush.interval.messages"),
    key("flush.ms", T, integer, "9223372036854775807", "topic-level log.flush.interval.ms")
        .range(0).reads(&TC::flush_ms).defaults_to("log.flush.interval.ms"),
    key("max.message.bytes", T, integer, "1048588", "largest record batch the topic accepts")
        .range(0, i32_max).defaults_to("message.max.bytes"),
    key("min.cleanable.dirty.ratio", T, ratio, "0.5", "dirty share of the log that triggers compaction").range(0, 1),
    key("min.compaction.lag.ms", T, integer, "0", "youngest record compaction may touch").range(0),
    key("retention.bytes", T, integer, "-1",
        "size limit per partition: the oldest segments go while the log stays above it (-1: no limit)")
        .range(-1).reads(&TC::retention_bytes).defaults_to("log.retention.bytes"),
    key("retention.ms", T, integer, "604800000",
        "a segment whose newest record is older than this is deleted, once below the high watermark (-1: forever)")
        .range(-1).reads(&TC::retention_ms).defaults_to("log.retention.ms"),
    key("segment.bytes", T, integer, "1073741824", "size at which the active segment is rolled")
        .range(14, i32_max).reads(&TC::segment_bytes).defaults_to("log.segment.bytes"),
    key("segment.ms", T, integer, "604800000", "age at which the active segment is rolled")
        .range(1).reads(&TC::segment_ms).defaults_to("log.roll.ms"),

    // ---- Producer ---------------------------------------------------------------------------
    key("acks", P, acks, "all",
        "replicas that must have a record before it is acknowledged: 0, 1 or all (-1)")
        .range(-1, 1).reads(&PC::acks),
    key("batch.size", P, integer, "16384", "bytes per partition batched before a send")
        .range(0, i32_max).reads(&PC::batch_size),
    key("buffer.memory", P, integer, "33554432", "memory for records waiting to be sent").range(0),
    key("delivery.timeout.ms", P, integer, "120000", "time from send() to success or failure, retries included")
        .range(0, i32_max).reads(&PC::delivery_timeout_ms),
    key("enable.idempotence", P, boolean, "true",
        "broker de-duplicates retried batches by producer id and sequence")
        .reads(&PC::enable_idempotence),
    // At most 16 MiB (Kafka's own message.max.bytes is about 1 MiB): a record's size, its key
    // and overhead, and a batch holding it stay far from the 2^31 of Kafka's int32 sizes.
    key("kafkasim.record.size.bytes", P, integer, "100", "kafkasim: size of one generated record's value")
        .range(0, 16 * 1024 * 1024).reads(&PC::record_size_bytes),
    key("linger.ms", P, integer, "0", "how long a batch waits for more records")
        .range(0).reads(&PC::linger_ms),
    key("max.block.ms", P, integer, "60000", "how long send() may block for metadata or buffer space").range(0),
    key("max.in.flight.requests.per.connection", P, integer, "5", "unacknowledged produce requests per broker")
        .range(1, i32_max).reads(&PC::max_in_flight_requests_per_connection),
    key("retries", P, integer, "2147483647", "how often a failed batch is resent")
        .range(0, i32_max).reads(&PC::retries),
    key("transaction.timeout.ms", P, integer, "60000",
        "how long the coordinator lets a transaction stay open before it aborts it")
        .range(1, i32_max).reads(&PC::transaction_timeout_ms),
    // Read by ProducerConfig::from (a null default binds no field).
    key("transactional.id", P, string, "null", "makes the producer transactional (initTransactions, commit, abort)")
        .read_by_name(),

    // ---- Producer and consumer --------------------------------------------------------------
    key("client.id", P | C, string, "\"\"", "name sent with requests; the model names clients itself"),
    key("metadata.max.age.ms", P | C, integer, "300000", "metadata is refreshed at least this often")
        .range(0).reads(&PC::metadata_max_age_ms).reads(&CC::metadata_max_age_ms),
    key("request.timeout.ms", P | C, integer, "30000", "how long a request waits for its response")
        .range(0, i32_max).reads(&PC::request_timeout_ms).reads(&CC::request_timeout_ms),
    key("retry.backoff.ms", P | C, integer, "100", "pause before a failed request is retried")
        .range(0).reads(&PC::retry_backoff_ms).reads(&CC::retry_backoff_ms),

    // ---- Consumer ---------------------------------------------------------------------------
    key("auto.commit.interval.ms", C, integer, "5000", "how often offsets are committed automatically")
        .range(0, i32_max).reads(&CC::auto_commit_interval_ms),
    key("auto.offset.reset", C, string, "latest", "where to start without a committed offset: earliest, latest or none")
        .reads(&CC::auto_offset_reset),
    key("enable.auto.commit", C, boolean, "true", "commit offsets in the background").reads(&CC::enable_auto_commit),
    key("fetch.max.bytes", C, integer, "52428800", "bytes a fetch asks across partitions").range(0, i32_max),
    key("fetch.max.wait.ms", C, integer, "500", "longest the broker holds a fetch that has too little data")
        .range(0, i32_max).reads(&CC::fetch_max_wait_ms),
    key("fetch.min.bytes", C, integer, "1", "bytes the broker waits for before answering a fetch")
        .range(0, i32_max).reads(&CC::fetch_min_bytes),
    key("group.instance.id", C, string, "null", "static membership (KIP-345) is not modelled"),
    key("group.protocol", C, string, "classic", "classic or consumer (KIP-848); the classic protocol is modelled")
        .modelled_when("classic"),
    key("heartbeat.interval.ms", C | W, integer, "3000", "how often a member heartbeats to the coordinator")
        .range(1, i32_max).reads(&CC::heartbeat_interval_ms).reads(&WC::heartbeat_interval_ms),
    key("isolation.level", C, string, "read_uncommitted",
        "read_committed stops at the last stable offset, read_uncommitted at the high watermark")
        .reads(&CC::isolation_level),
    key("max.partition.fetch.bytes", C, integer, "1048576", "bytes a fetch asks per partition")
        .range(0, i32_max).reads(&CC::max_partition_fetch_bytes),
    key("max.poll.interval.ms", C, integer, "300000", "a member that does not poll for this long leaves the group")
        .range(1, i32_max).reads(&CC::max_poll_interval_ms),
    key("max.poll.records", C, integer, "500", "records one poll returns at most")
        .range(1, i32_max).reads(&CC::max_poll_records),
    key("partition.assignment.strategy", C, string, "range,cooperative-sticky",
        "assignors in order of preference: range, roundrobin, sticky, cooperative-sticky")
        .reads(&CC::partition_assignment_strategy),
    key("session.timeout.ms", C | W, integer, "45000",
        "a member without a heartbeat for this long is removed from the group (a Connect worker's default: 10000)")
        .range(1, i32_max).reads(&CC::session_timeout_ms).reads(&WC::session_timeout_ms),

    // ---- Kafka Connect workers (WorkerConfig, DistributedConfig, StandaloneConfig) ----
    key("config.storage.replication.factor", W, integer, "3", "replication factor of the config topic")
        .range(-1, i32_max).reads(&WC::config_storage_replication_factor),
    key("config.storage.topic", W, string, "null", "the compacted topic of connector and task configs (1 partition)")
        .reads(&WC::config_storage_topic),
    key("connect.protocol", W, string, "sessioned",
        "the Connect group protocol: eager (stop everything at each rebalance; the only one before 2.3), "
        "compatible (2.3's default, incremental cooperative), sessioned (the default from 2.4)")
        .reads(&WC::connect_protocol),
    key("exactly.once.source.support", W, string, "disabled",
        "exactly-once source connectors (3.3, KIP-618): disabled, preparing or enabled (a transactional producer "
        "per source task, offsets in the same transaction)")
        .read_by_name(),
    key("group.id", W, string, "null", "the Connect cluster: the workers' group").read_by_name(),
    key("offset.flush.interval.ms", W, integer, "60000",
        "how often source offsets are written and sink offsets committed")
        .range(0, i64_max).reads(&WC::offset_flush_interval_ms),
    key("offset.flush.timeout.ms", W, integer, "5000",
        "how long an offset flush waits for its records; the model commits the acknowledged prefix without waiting")
        .range(0, i64_max),
    key("offset.storage.file.filename", W, string, "null", "standalone: the file of source offsets")
        .reads(&WC::offset_storage_file_filename),
    key("offset.storage.partitions", W, integer, "25", "partitions of the offsets topic")
        .range(1, i32_max).reads(&WC::offset_storage_partitions),
    key("offset.storage.replication.factor", W, integer, "3", "replication factor of the offsets topic")
        .range(-1, i32_max).reads(&WC::offset_storage_replication_factor),
    key("offset.storage.topic", W, string, "null", "the compacted topic of source offsets")
        .reads(&WC::offset_storage_topic),
    key("rebalance.timeout.ms", W, integer, "60000", "how long members may take to rejoin during a rebalance")
        .range(1, i32_max).reads(&WC::rebalance_timeout_ms),
    key("scheduled.rebalance.max.delay.ms", W, integer, "300000",
        "incremental cooperative: how long a departed worker's connectors and tasks wait for it before they move")
        .range(0, i32_max).reads(&WC::scheduled_rebalance_max_delay_ms),
    key("status.storage.partitions", W, integer, "5", "partitions of the status topic")
        .range(1, i32_max).reads(&WC::status_storage_partitions),
    key("status.storage.replication.factor", W, integer, "3", "replication factor of the status topic")
        .range(-1, i32_max).reads(&WC::status_storage_replication_factor),
    key("status.storage.topic", W, string, "null", "the compacted topic of connector and task statuses")
        .reads(&WC::status_storage_topic),
    key("task.shutdown.graceful.timeout.ms", W, integer, "5000", "how long a stopping task may take")
        .range(0, i64_max).reads(&WC::task_shutdown_graceful_timeout_ms),
    key("worker.sync.timeout.ms", W, integer, "3000",
        "how long a worker waits to catch up on the config topic; the model's workers always catch up")
        .range(0, i32_max),
    key("worker.unsync.backoff.ms", W, integer, "300000",
        "how long a worker that could not catch up backs off before it rejoins (not modelled)")
        .range(0, i32_max),

    // ---- Kafka Streams applications (StreamsConfig) ----
    key("acceptable.recovery.lag", S, integer, "10000",
        "how far behind an instance's store may be to take a task at once (KIP-441); warmups are not modelled")
        .range(0, i64_max),
    key("application.id", S, string, "null", "the group id and the prefix of internal topics; the app's name when unset")
        .read_by_name(),
    key("cache.max.bytes.buffering", S, integer, "10485760",
        "record caches (before 3.4); the model writes every update through, as with 0")
        .range(0, i64_max).modelled_when("0"),
    key("commit.interval.ms", S, integer, "30000", "how often tasks commit; 100 under exactly-once when unset")
        .range(0, i64_max).reads(&SC::commit_interval_ms),
    key("num.standby.replicas", S, integer, "0", "standby copies of each task's state on other instances")
        .range(0, i32_max).reads(&SC::num_standby_replicas),
    key("num.stream.threads", S, integer, "1", "stream threads per instance; the model runs one")
        .range(1, i32_max).reads(&SC::num_stream_threads),
    key("processing.guarantee", S, string, "at_least_once",
        "at_least_once, exactly_once_v2 (3.0+), exactly_once_beta (2.6 to 3.x), exactly_once (0.11 to 3.x)")
        .reads(&SC::processing_guarantee),
    key("replication.factor", S, integer, "-1", "replication factor of internal topics; -1: the broker's default")
        .range(-1, i32_max).reads(&SC::replication_factor),
    key("statestore.cache.max.bytes", S, integer, "10485760",
        "record caches (3.4+); the model writes every update through, as with 0")
        .range(0, i64_max).modelled_when("0"),
});

}  // namespace

std::span<const ConfigKey> config_keys() { return key_table; }

}  // namespace kafka
