// Configuration with Kafka's own names and defaults (see ../shared/reference/kafka-behaviour.md).
// A scenario gives overrides as a ConfigMap of Kafka names; the typed structs below are what
// the model reads. One key table (config_keys.cpp) says, for every name: where it applies, its
// type, default and range, and which struct field holds it. Parsing, defaults, the resolved
// configuration in reports, `validate` warnings and docs/config-keys.md all come from it.
//
// A key is modelled when a typed config holds it: the struct field is what the model reads. A
// key without a field is accepted (real configs can be pasted in) and reported as "accepted but
// not modelled".
//
// Adding a key: a row in config_keys.cpp; if the model reads it, a field in the struct below
// (no default here: the row's default fills it) bound with .reads(&Struct::field) in the row.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace kafka {

using ConfigValue = std::variant<bool, int64_t, double, std::string>;
using ConfigMap = std::map<std::string, ConfigValue>;

enum ConfigScope : unsigned {
    scope_broker = 1,
    scope_topic = 2,
    scope_producer = 4,
    scope_consumer = 8,
    scope_streams = 16,
    scope_connect = 32,  // a Kafka Connect worker (WorkerConfig, DistributedConfig, StandaloneConfig)
};
enum class ConfigType : uint8_t { boolean, integer, ratio, string, acks };

// Behaviour that changed across Kafka releases; chosen by the version profile. Every switch is
// on in the newest release; a profile turns off what its release did not have yet. In the order
// the fixes shipped.
struct Behaviour {
    bool truncate_by_leader_epoch = true; // KIP-101, 0.11: else truncate to the high watermark on restart
    // KIP-107, 0.11: FetchResponse v5 carries the leader's log start offset and a follower takes it
    // (maybeIncrementLogStartOffset); before, each replica's log start moved only by its own retention.
    bool follower_takes_leader_log_start = true;
    bool kip279_epoch_end_offsets = true; // KIP-279, 2.0: OffsetForLeaderEpoch answers (epoch, end offset)
    bool isr_join_requires_epoch_start = true;  // KAFKA-7128, 2.0.1
    bool controller_epoch_fencing = true;       // KAFKA-6082, 2.1 (ZooKeeper mode)
    // KAFKA-10554, 2.7: every follower fetch names its last fetched epoch and the leader answers a
    // diverging epoch; before, a follower asked OffsetForLeaderEpoch once, on becoming follower.
    bool fetch_detects_divergence = true;
    bool hw_frozen_below_min_isr = true;  // KAFKA-15583, 3.7
    bool raft_check_quorum = true;        // KAFKA-15489, 3.7: leader resigns without fetches from a majority
    bool raft_pre_vote = true;            // KIP-996, 4.0: a voter asks for pre-votes before bumping the epoch
    // The first batch of a producer id a partition holds no state for (ProducerAppendInfo.checkSequence):
    // 1.0 (KAFKA-5793) refuses a nonzero sequence with UNKNOWN_PRODUCER_ID, 0.11 with OUT_OF_ORDER_SEQUENCE_NUMBER;
    bool unknown_producer_id_error = true;
    // 2.5 (KIP-360) accepts any sequence (the state may have gone with retention or DeleteRecords);
    bool accept_unknown_producer_sequence = true;
    // 4.5 (KAFKA-15591) again wants sequence 0 where the partition's log never held a record.
    bool first_sequence_zero_on_new_partition = true;
};

// What a release has of transactions (KIP-98 and its successors), for brokers and clients alike.
// Unlike Behaviour these follow the exact release the scenario names, not its profile's first
// release: profile "3.0" covers 3.0 to 3.6, and 3.6 verifies partitions where 3.5 does not. All on
// in the newest release.
struct TransactionFeatures {
    // 0.11 (KIP-98): transactional ids, FindCoordinator key_type 1, InitProducerId and the other
    // transaction RPCs. Before, a broker answers them UNSUPPORTED_VERSION.
    bool transactions_supported = true;
    // 2.5 (KIP-360): InitProducerId v3 carries the producer's current id and epoch, so a producer
    // can bump its epoch after an abortable error instead of being fenced.
    bool init_producer_id_with_epoch = true;
    // 2.5 (KIP-447): OffsetFetch v7 require_stable and TxnOffsetCommit v3 with the group generation.
    bool require_stable_offsets = true;
    // 2.7 (KIP-588): the coordinator's RPCs answer a stale epoch with PRODUCER_FENCED; before,
    // with INVALID_PRODUCER_EPOCH.
    bool producer_fenced_error = true;
    // 3.6 (KIP-890 part 1): a leader asks the coordinator before the first transactional batch of
    // a producer (transaction.partition.verification.enable, which does not exist before).
    bool partition_verification = true;
    // 3.8 (KIP-890): TRANSACTION_ABORTABLE (Produce v11 and the transaction RPCs); before, a failed
    // verification is INVALID_TXN_STATE.
    bool transaction_abortable_error = true;
    // 4.0 (KIP-890 part 2): the transaction.version feature may be 2: an epoch bump per
    // transaction, Produce v12 adds the partition implicitly, EndTxn v5 returns the new epoch.
    // Whether a cluster uses it is the broker config transaction.version (2 by default from 4.0).
    bool transaction_version_2 = true;
};
// One transaction switch: where the profile notes and docs describe it.
struct TransactionSwitch {
    std::string_view name{};
    bool TransactionFeatures::*flag = nullptr;
    std::pair<int, int> since{};
    std::string_view on{}, off{};
};
std::span<const TransactionSwitch> transaction_switches();
// The transaction features of a release (major, minor).
TransactionFeatures transaction_features_for(std::pair<int, int> release);

// One behaviour switch, for notes, report.json and docs (config.cpp lists them all).
struct BehaviourSwitch {
    std::string_view name{};         // the field's name: "truncate_by_leader_epoch"
    bool Behaviour::*flag = nullptr;
    std::string_view on{}, off{};    // what a profile with the switch on / off does, and why
    bool Behaviour::*shown_if = nullptr;  // a note only when this other switch is on
    bool Behaviour::*hidden_if = nullptr; // no note when this other switch is on
};
std::span<const BehaviourSwitch> behaviour_switches();

struct VersionProfile {
    std::string name;     // "3.7"
    int major = 3, minor = 7;
    ConfigMap defaults;   // defaults that differ from the key table's
    Behaviour behaviour;
    TransactionFeatures transactions;  // of the exact release asked for (profile_for), not the profile's first
    std::vector<std::string> notes;  // what the profile sets and why, for `validate`/`profiles`
};
// The newest modelled profile not newer than `version` ("2.8", "3.4.1", "4.x"); nullopt when
// the text is not a release in 0.8..4.x.
std::optional<VersionProfile> profile_for(std::string_view version);
std::vector<VersionProfile> all_profiles();

// The (major, minor) of a release written as "2.8", "3.4.1", "0.10.2.1" or "4.x" ("x" reads
// as 99); nullopt when it is not a release in 0.8..4.x.
std::optional<std::pair<int, int>> release_major_minor(std::string_view version);

// A default that a range of profiles changes (or, with the key table's own value, explains).
struct ProfileDefault {
    std::string_view key{};
    std::string_view value{};               // as in a scenario file: "1", "true", "range"
    std::pair<int, int> from{0, 0};         // the profiles from this release ...
    std::pair<int, int> until{99, 99};      // ... up to, not including, this one
    std::string_view why{};
};
std::span<const ProfileDefault> profile_defaults();

// The typed configs. Their fields start at the key table's defaults (the constructors apply
// them); each field's comment names its key.
struct BrokerConfig {
    // Replication (ReplicationConfigs.java)
    int32_t min_insync_replicas{};                   // min.insync.replicas
    bool unclean_leader_election_enable{};           // unclean.leader.election.enable
    int32_t eligible_leader_replicas_version{};      // eligible.leader.replicas.version (KIP-966 feature level)
    int64_t replica_lag_time_max_ms{};               // replica.lag.time.max.ms
    int64_t replica_fetch_wait_max_ms{};             // replica.fetch.wait.max.ms
    int32_t replica_fetch_min_bytes{};               // replica.fetch.min.bytes
    int32_t replica_fetch_max_bytes{};               // replica.fetch.max.bytes
    int64_t replica_fetch_backoff_ms{};              // replica.fetch.backoff.ms
    int64_t replica_socket_timeout_ms{};             // replica.socket.timeout.ms
    int64_t replica_high_watermark_checkpoint_interval_ms{};  // replica.high.watermark.checkpoint.interval.ms
    int32_t default_replication_factor{};            // default.replication.factor
    int32_t num_partitions{};                        // num.partitions
    bool delete_topic_enable{};                      // delete.topic.enable (ZooKeeper mode: DeleteTopics allowed)
    // Preferred leader rebalance (KafkaController / QuorumController)
    bool auto_leader_rebalance_enable{};             // auto.leader.rebalance.enable
    int64_t leader_imbalance_check_interval_seconds{};  // leader.imbalance.check.interval.seconds
    int32_t leader_imbalance_per_broker_percentage{};   // leader.imbalance.per.broker.percentage (ZooKeeper mode only)
    // Log (ServerLogConfigs.java): the defaults of the topics' segment.bytes and segment.ms
    int64_t log_segment_bytes{};                     // log.segment.bytes
    int64_t log_roll_ms{};                           // log.roll.ms, log.roll.hours
    // Flushing (UnifiedLog.append, LogManager.flushDirtyLogs): the defaults of flush.messages, flush.ms
    int64_t log_flush_interval_messages{};           // log.flush.interval.messages
    int64_t log_flush_interval_ms{};                 // log.flush.interval.ms (unset: log.flush.scheduler.interval.ms)
    int64_t log_flush_scheduler_interval_ms{};       // log.flush.scheduler.interval.ms
    // Retention (LogManager's kafka-log-retention task): the defaults of retention.ms/.bytes
    int64_t log_retention_ms{};                      // log.retention.ms, .minutes, .hours (-1: forever)
    int64_t log_retention_bytes{};                   // log.retention.bytes (-1: no limit)
    int64_t log_retention_check_interval_ms{};       // log.retention.check.interval.ms
    // KRaft broker lifecycle (KIP-631)
    int64_t broker_heartbeat_interval_ms{};          // broker.heartbeat.interval.ms
    int64_t broker_session_timeout_ms{};             // broker.session.timeout.ms
    int64_t controlled_shutdown_timeout_ms{};        // kafkasim.controlled.shutdown.timeout.ms
    // KRaft quorum (QuorumConfig.java)
    int64_t controller_quorum_election_timeout_ms{};      // controller.quorum.election.timeout.ms
    int64_t controller_quorum_fetch_timeout_ms{};         // controller.quorum.fetch.timeout.ms
    int64_t controller_quorum_election_backoff_max_ms{};  // controller.quorum.election.backoff.max.ms
    int64_t controller_quorum_request_timeout_ms{};       // controller.quorum.request.timeout.ms
    int64_t controller_quorum_retry_backoff_ms{};         // controller.quorum.retry.backoff.ms
    // ZooKeeper mode: the brokers' sessions
    int64_t zookeeper_session_timeout_ms{};          // zookeeper.session.timeout.ms
    // The ZooKeeper servers (zoo.cfg), as "zookeeper.<name>" in kafka.config
    int64_t zookeeper_tick_time_ms{};                // zookeeper.tickTime
    int64_t zookeeper_init_limit{};                  // zookeeper.initLimit (ticks)
    int64_t zookeeper_sync_limit{};                  // zookeeper.syncLimit (ticks)
    // Group coordinator
    int32_t offsets_topic_num_partitions{};          // offsets.topic.num.partitions
    int32_t offsets_topic_replication_factor{};      // offsets.topic.replication.factor
    int64_t group_initial_rebalance_delay_ms{};      // group.initial.rebalance.delay.ms
    int64_t group_min_session_timeout_ms{};          // group.min.session.timeout.ms
    int64_t group_max_session_timeout_ms{};          // group.max.session.timeout.ms
    // Transaction coordinator
    int32_t transaction_state_log_num_partitions{};      // transaction.state.log.num.partitions
    int32_t transaction_state_log_replication_factor{};  // transaction.state.log.replication.factor
    int32_t transaction_state_log_min_isr{};             // transaction.state.log.min.isr
    int64_t transaction_max_timeout_ms{};                // transaction.max.timeout.ms
    int64_t transaction_abort_timed_out_transaction_cleanup_interval_ms{};  // transaction.abort.timed.out.transaction.cleanup.interval.ms
    bool transaction_partition_verification_enable{};    // transaction.partition.verification.enable (3.6+)
    int32_t transaction_version{};                       // transaction.version (feature level, 4.0+)

    Behaviour behaviour;
    TransactionFeatures transactions;

    // KIP-890 part 1 is on: the release has it and the config does not turn it off.
    bool verifies_transactions() const {
        return transactions.partition_verification && transaction_partition_verification_enable;
    }
    // transaction.version=2 is finalized (4.0+): the coordinator bumps the epoch per transaction and
    // a leader adds a Produce v12 batch's partition to the transaction.
    bool transaction_version_2() const { return transactions.transaction_version_2 && transaction_version >= 2; }

    BrokerConfig();
    // Profile defaults first, then the scenario's overrides.
    static BrokerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};

// Per-topic settings, resolved against the broker config (topic name -> broker name).
struct TopicConfig {
    int32_t min_insync_replicas{};              // min.insync.replicas
    bool unclean_leader_election_enable{};      // unclean.leader.election.enable
    int64_t segment_bytes{};                    // segment.bytes
    int64_t segment_ms{};                       // segment.ms
    int64_t flush_messages{};                   // flush.messages
    int64_t flush_ms{};                         // flush.ms
    int64_t retention_ms{};                     // retention.ms (-1: forever)
    int64_t retention_bytes{};                  // retention.bytes (-1: no limit)
    ConfigMap overrides;  // what the topic set itself (kafka-topics --describe "Configs:")

    TopicConfig();
    static TopicConfig from(const BrokerConfig& broker, const ConfigMap& topic_overrides);
};

struct ProducerConfig {
    int32_t acks{};                             // acks: "all" = -1
    bool enable_idempotence{};                  // enable.idempotence
    bool idempotence_explicit = false;          // set by the user (conflicts are then errors)
    int32_t retries{};                          // retries
    int64_t linger_ms{};                        // linger.ms
    int32_t batch_size{};                       // batch.size
    int64_t delivery_timeout_ms{};              // delivery.timeout.ms
    int64_t request_timeout_ms{};               // request.timeout.ms
    int64_t retry_backoff_ms{};                 // retry.backoff.ms
    int32_t max_in_flight_requests_per_connection{};  // max.in.flight.requests.per.connection
    int64_t metadata_max_age_ms{};              // metadata.max.age.ms
    int32_t record_size_bytes{};                // kafkasim.record.size.bytes
    TransactionFeatures transactions;           // what the release's client and brokers have of transactions
    std::string transactional_id;               // transactional.id ("" = null: not transactional)
    int64_t transaction_timeout_ms{};           // transaction.timeout.ms
    // transaction.version 2 (KIP-890 part 2) in use: a 4.0 client against brokers with the feature
    // on (BrokerConfig::transaction_version_2()); set by whoever builds the client.
    bool transaction_version_2 = false;

    bool transactional() const { return !transactional_id.empty(); }

    ProducerConfig();
    static ProducerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};
// Settings Kafka's producer refuses to start with (a ConfigException): idempotence set
// explicitly together with acks != all, retries = 0 or more than 5 in flight; an explicit
// delivery.timeout.ms below linger.ms + request.timeout.ms. nullopt when consistent.
std::optional<std::string> producer_config_conflict(const ProducerConfig& config, const ConfigMap& overrides);

struct ConsumerConfig {
    std::string auto_offset_reset;              // auto.offset.reset
    bool enable_auto_commit{};                  // enable.auto.commit
    int64_t auto_commit_interval_ms{};          // auto.commit.interval.ms
    int64_t session_timeout_ms{};               // session.timeout.ms
    int64_t heartbeat_interval_ms{};            // heartbeat.interval.ms
    int64_t max_poll_interval_ms{};             // max.poll.interval.ms
    int32_t max_poll_records{};                 // max.poll.records
    std::string partition_assignment_strategy;  // partition.assignment.strategy
    std::string isolation_level;                // isolation.level
    int32_t fetch_min_bytes{};                  // fetch.min.bytes
    int64_t fetch_max_wait_ms{};                // fetch.max.wait.ms
    int32_t max_partition_fetch_bytes{};        // max.partition.fetch.bytes
    int64_t request_timeout_ms{};               // request.timeout.ms
    int64_t retry_backoff_ms{};                 // retry.backoff.ms
    int64_t metadata_max_age_ms{};              // metadata.max.age.ms
    // Not a key: the release's OffsetFetch. From 2.5 (v7, KIP-447) a read_committed consumer asks
    // for stable offsets, so it never starts from an offset a transaction may still abort. Set by
    // the profile's release: the 2.4 profile (2.4 to 2.8) does not ask, as 2.4 does not.
    bool offset_fetch_require_stable = true;

    ConsumerConfig();
    static ConsumerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};
// Settings Kafka's consumer refuses to start with (heartbeat.interval.ms >= session.timeout.ms).
std::optional<std::string> consumer_config_conflict(const ConsumerConfig& config);

// A Kafka Streams application's settings (StreamsConfig), for the scenario's "apps".
struct StreamsConfig {
    std::string application_id;        // application.id: the group id and the prefix of internal topics
    std::string processing_guarantee;  // processing.guarantee: at_least_once, exactly_once_v2, ...
    int64_t commit_interval_ms{};      // commit.interval.ms (30000; 100 under exactly-once when unset)
    int32_t num_standby_replicas{};    // num.standby.replicas
    int32_t num_stream_threads{};      // num.stream.threads
    int32_t replication_factor{};      // replication.factor of internal topics (-1: the broker's default)

    // Any of the exactly-once guarantees (exactly_once, exactly_once_beta, exactly_once_v2).
    bool exactly_once() const { return processing_guarantee != "at_least_once"; }
    // EOS v2 (KIP-447): one transactional producer per stream thread (exactly_once_beta is its 2.6 name).
    bool exactly_once_v2() const {
        return processing_guarantee == "exactly_once_v2" || processing_guarantee == "exactly_once_beta";
    }

    StreamsConfig();
    static StreamsConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};

// A Kafka Connect worker's settings (WorkerConfig, DistributedConfig, StandaloneConfig), for the
// scenario's "connect" section. A worker starts from Kafka's sample properties file
// (config/connect-distributed.properties or connect-standalone.properties: group.id
// connect-cluster, the connect-configs/-offsets/-status topics with replication factor 1,
// offset.flush.interval.ms 10000, offsets file /tmp/connect.offsets), and the scenario's
// "config" goes on top, as an operator edits that file.
struct ConnectWorkerConfig {
    std::string group_id;                       // group.id
    std::string config_storage_topic;           // config.storage.topic
    std::string offset_storage_topic;           // offset.storage.topic
    std::string status_storage_topic;           // status.storage.topic
    int32_t config_storage_replication_factor{};  // config.storage.replication.factor
    int32_t offset_storage_replication_factor{};  // offset.storage.replication.factor
    int32_t status_storage_replication_factor{};  // status.storage.replication.factor
    int32_t offset_storage_partitions{};        // offset.storage.partitions
    int32_t status_storage_partitions{};        // status.storage.partitions
    std::string offset_storage_file_filename;   // offset.storage.file.filename (standalone)
    int64_t session_timeout_ms{};               // session.timeout.ms (10000 for a worker)
    int64_t heartbeat_interval_ms{};            // heartbeat.interval.ms
    int64_t rebalance_timeout_ms{};             // rebalance.timeout.ms
    std::string connect_protocol;               // connect.protocol: eager, compatible, sessioned
    int64_t scheduled_rebalance_max_delay_ms{}; // scheduled.rebalance.max.delay.ms
    int64_t offset_flush_interval_ms{};         // offset.flush.interval.ms
    int64_t task_shutdown_graceful_timeout_ms{};  // task.shutdown.graceful.timeout.ms

    ConnectWorkerConfig();
    static ConnectWorkerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};

// The field of a typed config that holds a key; monostate when that config does not hold it.
template <class Config>
using ConfigField = std::variant<std::monostate, bool Config::*, int32_t Config::*, int64_t Config::*,
                                 std::string Config::*>;

// The integer bounds of the key table's ranges (config_keys.cpp) and of the checks that read
// them back (config.cpp).
constexpr int64_t i32_max = INT32_MAX;
constexpr int64_t i64_min = INT64_MIN;
constexpr int64_t i64_max = INT64_MAX;

struct ConfigKey {
    std::string_view name{};
    unsigned scopes = 0;
    ConfigType type = ConfigType::string;
    // Kafka's default as its docs print it, for the default profile (profiles change some: see
    // profile_defaults()). A key with a field starts the field at it; "null" there means another
    // key bound to the same field gives the default (log.roll.ms <- log.roll.hours).
    std::string_view default_value{};
    std::string_view doc{};
    // Integer keys: the accepted range (Kafka's own validators where it has them; otherwise
    // what fits the field). Ratios use the same bounds.
    int64_t min_value = INT64_MIN;
    int64_t max_value = INT64_MAX;
    // Where the model reads the key: one field per typed config that holds it.
    ConfigField<BrokerConfig> broker_field{};
    ConfigField<TopicConfig> topic_field{};
    ConfigField<ProducerConfig> producer_field{};
    ConfigField<ConsumerConfig> consumer_field{};
    ConfigField<StreamsConfig> streams_field{};
    ConfigField<ConnectWorkerConfig> connect_field{};
    // The field holds value x unit (log.roll.hours in log_roll_ms); when several keys set one
    // field, the finest unit wins, as in Kafka (ms, then minutes, then hours).
    int64_t unit = 1;
    // Topic keys: the broker key that gives the default (segment.ms <- log.roll.ms).
    std::string_view broker_synonym{};
    // A key without a field: values that ask for nothing beyond what the model does anyway
    // (cleanup.policy "delete"); comma-separated.
    std::string_view modelled_values{};
    // Read by name where a typed config is built, not through a field: a key whose default is
    // null (transactional.id, application.id). Modelled all the same.
    bool read_by_name = false;

    // A typed config holds it (in every scope the key has: a test checks that), or it is read by name.
    bool modelled() const;
};

std::span<const ConfigKey> config_keys();
const ConfigKey* find_config_key(std::string_view name);
// Closest known name within the scope (edit distance), for "did you mean" messages.
std::string suggest_config_key(std::string_view name, unsigned scopes);
// Normalise a JSON-ish value for a key: "all" -> -1 for acks, "true" -> true, 5 -> 5.0 for
// ratios. Returns an error text when the value does not fit the key's type.
std::optional<std::string> normalise_config_value(const ConfigKey& key, ConfigValue& value);

// What a key accepts: "an integer >= 1", "true or false", "a number from 0 to 1".
std::string config_values_text(const ConfigKey& key);

int64_t config_int(const ConfigValue& v);
bool config_bool(const ConfigValue& v);

// "producer", "broker/topic": for "x is a producer setting" messages.
std::string scope_names(unsigned scopes);
// false when the key is not modelled, or when this value asks for something the model does
// not do (cleanup.policy=compact): such settings are reported as warnings.
bool config_value_modelled(const ConfigKey& key, const ConfigValue& value);
// "all", "true", "1048576", "0.5": for messages and `describe`.
std::string format_config_value(const ConfigValue& v);
// As above, in the key's own terms (acks -1 is "all").
std::string format_config_value(const ConfigKey& key, const ConfigValue& v);

// The settings a typed config holds, under Kafka's names, as the model reads them: one entry a
// field, in table order, under the key whose unit is the field's (log.roll.hours shows as
// log.roll.ms).
using ResolvedSettings = std::vector<std::pair<std::string_view, ConfigValue>>;
ResolvedSettings resolved_settings(const BrokerConfig& config);
ResolvedSettings resolved_settings(const TopicConfig& config);
ResolvedSettings resolved_settings(const ProducerConfig& config);
ResolvedSettings resolved_settings(const ConsumerConfig& config);
ResolvedSettings resolved_settings(const StreamsConfig& config);
ResolvedSettings resolved_settings(const ConnectWorkerConfig& config);

// A topic-level name and the broker default it falls back to (segment.bytes <- log.segment.bytes).
struct ConfigSynonym {
    std::string_view topic;
    std::string_view broker;
};
// From the key table, by topic name.
std::span<const ConfigSynonym> topic_config_synonyms();

}  // namespace kafka
