// Configuration with Kafka's own names and defaults (see ../shared/reference/kafka-behaviour.md).
// A scenario gives overrides as a ConfigMap of Kafka names; the typed structs below are what
// the model reads. The key table says which names exist, where they apply, and whether the
// model acts on them (accepted-but-not-modelled names are reported as warnings).
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

enum ConfigScope : unsigned { scope_broker = 1, scope_topic = 2, scope_producer = 4, scope_consumer = 8 };
enum class ConfigType : uint8_t { boolean, integer, ratio, string, acks };

struct ConfigKey {
    std::string_view name;
    unsigned scopes;
    ConfigType type;
    std::string_view default_value;  // as Kafka's docs print it (newest modelled profile)
    bool modelled;                   // false: accepted, but the model does not act on it
    std::string_view doc;
    // Integer keys: the accepted range (Kafka's own validators where it has them; otherwise
    // what fits the field). Ratios use the same bounds.
    int64_t min_value = INT64_MIN;
    int64_t max_value = INT64_MAX;
};

std::span<const ConfigKey> config_keys();
const ConfigKey* find_config_key(std::string_view name);
// Closest known name within the scope (edit distance), for "did you mean" messages.
std::string suggest_config_key(std::string_view name, unsigned scopes);
// Normalise a JSON-ish value for a key: "all" -> -1 for acks, "true" -> true, 5 -> 5.0 for
// ratios. Returns an error text when the value does not fit the key's type.
std::optional<std::string> normalise_config_value(const ConfigKey& key, ConfigValue& value);

int64_t config_int(const ConfigValue& v);
bool config_bool(const ConfigValue& v);

// "producer", "broker/topic": for "x is a producer setting" messages.
std::string scope_names(unsigned scopes);
// false when the key is not modelled, or when this value asks for something the model does
// not do (cleanup.policy=compact): such settings are reported as warnings.
bool config_value_modelled(const ConfigKey& key, const ConfigValue& value);
// "all", "true", "1048576", "0.5": for messages and `describe`.
std::string format_config_value(const ConfigValue& v);

// A topic-level name and the broker default it falls back to (segment.bytes <- log.segment.bytes).
struct ConfigSynonym {
    std::string_view topic;
    std::string_view broker;
};
std::span<const ConfigSynonym> topic_config_synonyms();

// The (major, minor) of a release written as "2.8", "3.4.1", "0.10.2.1" or "4.x" ("x" reads
// as 99); nullopt when it is not a release in 0.8..4.x.
std::optional<std::pair<int, int>> release_major_minor(std::string_view version);

// Behaviour that changed across Kafka releases; chosen by the version profile.
struct Behaviour {
    bool hw_frozen_below_min_isr = true;  // KAFKA-15583, 3.7
    bool raft_check_quorum = true;        // KAFKA-15489, 3.7: leader resigns without fetches from a majority
    bool truncate_by_leader_epoch = true; // KIP-101, 0.11: else truncate to the high watermark on restart
    bool kip279_epoch_end_offsets = true; // KIP-279, 2.0: OffsetForLeaderEpoch answers (epoch, end offset)
    // KAFKA-10554, 2.7: every follower fetch names its last fetched epoch and the leader answers a
    // diverging epoch; before, a follower asked OffsetForLeaderEpoch once, on becoming follower.
    bool fetch_detects_divergence = true;
    bool isr_join_requires_epoch_start = true;  // KAFKA-7128, 2.0.1
    bool controller_epoch_fencing = true;       // KAFKA-6082, 2.1 (ZooKeeper mode)
};

struct VersionProfile {
    std::string name;     // "3.7"
    int major = 3, minor = 7;
    ConfigMap defaults;   // defaults that differ from the newest release
    Behaviour behaviour;
    std::vector<std::string> notes;  // what the profile sets and why, for `validate`/`profiles`
};
// The newest modelled profile not newer than `version` ("2.8", "3.4.1", "4.x"); nullopt when
// the text is not a release in 0.8..4.x.
std::optional<VersionProfile> profile_for(std::string_view version);
std::vector<VersionProfile> all_profiles();

struct BrokerConfig {
    // Replication (ReplicationConfigs.java)
    int32_t min_insync_replicas = 1;               // min.insync.replicas
    bool unclean_leader_election_enable = false;   // unclean.leader.election.enable (true before 0.11)
    // The eligible.leader.replicas.version feature (KIP-966): 1 turns Eligible Leader Replicas
    // on (KRaft; opt-in in 4.0, the default for new clusters from 4.1).
    int32_t eligible_leader_replicas_version = 0;
    int64_t replica_lag_time_max_ms = 30000;       // replica.lag.time.max.ms (10000 before 2.5)
    int64_t replica_fetch_wait_max_ms = 500;       // replica.fetch.wait.max.ms
    int32_t replica_fetch_min_bytes = 1;           // replica.fetch.min.bytes
    int32_t replica_fetch_max_bytes = 1048576;     // replica.fetch.max.bytes
    int64_t replica_fetch_backoff_ms = 1000;       // replica.fetch.backoff.ms
    int64_t replica_socket_timeout_ms = 30000;     // replica.socket.timeout.ms
    int64_t replica_high_watermark_checkpoint_interval_ms = 5000;
    int32_t default_replication_factor = 1;
    int32_t num_partitions = 1;
    bool auto_leader_rebalance_enable = true;
    int64_t leader_imbalance_check_interval_seconds = 300;
    int32_t leader_imbalance_per_broker_percentage = 10;
    // Log (ServerLogConfigs.java)
    int64_t log_segment_bytes = 1073741824;        // log.segment.bytes
    int64_t log_roll_ms = 168LL * 3600 * 1000;     // log.roll.ms / log.roll.hours
    int64_t log_retention_ms = 168LL * 3600 * 1000;
    int64_t log_retention_check_interval_ms = 300000;
    int64_t log_flush_interval_messages = INT64_MAX;  // Kafka leaves flushing to the OS
    int64_t log_flush_interval_ms = -1;              // unset
    // KRaft broker lifecycle (KIP-631)
    int64_t broker_heartbeat_interval_ms = 2000;
    int64_t broker_session_timeout_ms = 9000;
    int64_t controlled_shutdown_timeout_ms = 30000;  // bound on a clean stop in the model
    // KRaft quorum (QuorumConfig.java)
    int64_t controller_quorum_election_timeout_ms = 1000;
    int64_t controller_quorum_fetch_timeout_ms = 2000;
    int64_t controller_quorum_election_backoff_max_ms = 1000;
    int64_t controller_quorum_append_linger_ms = 25;
    int64_t controller_quorum_request_timeout_ms = 2000;
    int64_t controller_quorum_retry_backoff_ms = 20;
    // ZooKeeper mode
    int64_t zookeeper_session_timeout_ms = 18000;    // 6000 before 2.5
    // The ZooKeeper servers (zoo.cfg), as "zookeeper.<name>" in kafka.config
    int64_t zookeeper_tick_time_ms = 2000;
    int64_t zookeeper_init_limit = 10;               // ticks
    int64_t zookeeper_sync_limit = 5;                // ticks
    // Group coordinator
    int32_t offsets_topic_num_partitions = 50;
    int32_t offsets_topic_replication_factor = 3;
    int64_t group_initial_rebalance_delay_ms = 3000;
    int64_t group_min_session_timeout_ms = 6000;
    int64_t group_max_session_timeout_ms = 1800000;

    Behaviour behaviour;

    // Profile defaults first, then the scenario's overrides.
    static BrokerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};

// Per-topic settings, resolved against the broker config (topic name -> broker name).
struct TopicConfig {
    int32_t min_insync_replicas = 1;
    bool unclean_leader_election_enable = false;
    int64_t segment_bytes = 1073741824;
    int64_t segment_ms = 168LL * 3600 * 1000;
    int64_t retention_ms = 168LL * 3600 * 1000;
    ConfigMap overrides;  // what the topic set itself (kafka-topics --describe "Configs:")

    static TopicConfig from(const BrokerConfig& broker, const ConfigMap& topic_overrides);
};

struct ProducerConfig {
    int32_t acks = -1;                      // acks: "all" = -1 (1 before 3.0)
    bool enable_idempotence = true;         // false before 3.0
    bool idempotence_explicit = false;      // set by the user (conflicts are then errors)
    int32_t retries = 2147483647;
    int64_t linger_ms = 0;                  // 5 from 4.0 (KIP-1030)
    int32_t batch_size = 16384;
    int64_t delivery_timeout_ms = 120000;
    int64_t request_timeout_ms = 30000;
    int64_t retry_backoff_ms = 100;
    int32_t max_in_flight_requests_per_connection = 5;
    int64_t metadata_max_age_ms = 300000;
    int32_t record_size_bytes = 100;        // kafkasim: size of one generated record's value

    static ProducerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};
// Settings Kafka's producer refuses to start with (a ConfigException): idempotence set
// explicitly together with acks != all, retries = 0 or more than 5 in flight; an explicit
// delivery.timeout.ms below linger.ms + request.timeout.ms. nullopt when consistent.
std::optional<std::string> producer_config_conflict(const ProducerConfig& config, const ConfigMap& overrides);

struct ConsumerConfig {
    std::string auto_offset_reset = "latest";
    bool enable_auto_commit = true;
    int64_t auto_commit_interval_ms = 5000;
    int64_t session_timeout_ms = 45000;     // 10000 before 3.0
    int64_t heartbeat_interval_ms = 3000;
    int64_t max_poll_interval_ms = 300000;
    int32_t max_poll_records = 500;
    std::string partition_assignment_strategy = "range,cooperative-sticky";
    std::string isolation_level = "read_uncommitted";
    int32_t fetch_min_bytes = 1;
    int64_t fetch_max_wait_ms = 500;
    int32_t max_partition_fetch_bytes = 1048576;
    int64_t request_timeout_ms = 30000;
    int64_t retry_backoff_ms = 100;
    int64_t metadata_max_age_ms = 300000;

    static ConsumerConfig from(const VersionProfile& profile, const ConfigMap& overrides);
};
// Settings Kafka's consumer refuses to start with (heartbeat.interval.ms >= session.timeout.ms).
std::optional<std::string> consumer_config_conflict(const ConsumerConfig& config);

}  // namespace kafka
