// The key table (broker/config_keys.cpp) is the one list of config names: these tests keep its
// bindings honest (a key is modelled exactly when a typed config holds it in every scope the key
// has, and the model reads every such field) and pin what the version profiles set.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "broker/config.hpp"
#include "broker/txn/txn_coordinator_host.hpp"

namespace fs = std::filesystem;
using kafka::ConfigKey;
using kafka::ConfigValue;

namespace {

const fs::path source_dir = KAFKASIM_SOURCE_DIR;

std::string kind_of(std::monostate) { return "none"; }
template <class C>
std::string kind_of(bool C::*) {
    return "bool";
}
template <class C>
std::string kind_of(int32_t C::*) {
    return "int32";
}
template <class C>
std::string kind_of(int64_t C::*) {
    return "int64";
}
template <class C>
std::string kind_of(std::string C::*) {
    return "string";
}
template <class F>
std::string field_kind(const F& field) {
    return std::visit([](auto member) { return kind_of(member); }, field);
}

struct Slot {
    unsigned scope;
    std::string (*kind)(const ConfigKey&);
};
const Slot slots[] = {
    {kafka::scope_broker, [](const ConfigKey& k) { return field_kind(k.broker_field); }},
    {kafka::scope_topic, [](const ConfigKey& k) { return field_kind(k.topic_field); }},
    {kafka::scope_producer, [](const ConfigKey& k) { return field_kind(k.producer_field); }},
    {kafka::scope_consumer, [](const ConfigKey& k) { return field_kind(k.consumer_field); }},
    {kafka::scope_streams, [](const ConfigKey& k) { return field_kind(k.streams_field); }},
};

std::string read_text(const fs::path& p) {
    std::ifstream in(p);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Each bound field of one typed config gets exactly one default: from the one key bound to it
// whose default is not "null".
template <class Config>
void check_one_default_per_field(kafka::ConfigField<Config> ConfigKey::*slot) {
    std::vector<std::pair<kafka::ConfigField<Config>, const ConfigKey*>> fields;
    for (const ConfigKey& key : kafka::config_keys()) {
        if (!std::holds_alternative<std::monostate>(key.*slot)) fields.emplace_back(key.*slot, &key);
    }
    for (const auto& [field, key] : fields) {
        INFO(key->name);
        int defaults = 0;
        for (const auto& [other, other_key] : fields) {
            if (other == field && other_key->default_value != "null") ++defaults;
        }
        CHECK(defaults == 1);
    }
}

}  // namespace

TEST_CASE("config table: a key is modelled exactly when a typed config holds it in each of its scopes",
          "[config]") {
    std::set<std::string_view> names;
    for (const ConfigKey& key : kafka::config_keys()) {
        INFO(key.name);
        CHECK(names.insert(key.name).second);  // unique
        for (const Slot& slot : slots) {
            const std::string kind = slot.kind(key);
            if ((key.scopes & slot.scope) == 0) {
                CHECK(kind == "none");  // a field only where the key applies
                continue;
            }
            // A key read by name (a null default such as transactional.id) has no field.
            CHECK((kind != "none") == (key.modelled() && !key.read_by_name));
            if (kind == "none") continue;
            // The field fits the key's type and range.
            switch (key.type) {
                case kafka::ConfigType::boolean: CHECK(kind == "bool"); break;
                case kafka::ConfigType::string: CHECK(kind == "string"); break;
                case kafka::ConfigType::integer:
                case kafka::ConfigType::acks:
                    CHECK((kind == "int32" || kind == "int64"));
                    if (kind == "int32") {
                        CHECK(key.max_value <= std::numeric_limits<int32_t>::max());
                        CHECK(key.unit == 1);
                    }
                    break;
                case kafka::ConfigType::ratio: FAIL("no typed config holds a ratio yet"); break;
            }
        }
        CHECK(key.unit >= 1);
        if (key.modelled()) CHECK(key.modelled_values.empty());  // only unmodelled keys need them
        // A bound key's default is a value of its type ("null": another key gives the field's default).
        if (key.modelled() && key.default_value != "null") {
            ConfigValue v = std::string(key.default_value);
            CHECK(kafka::normalise_config_value(key, v) == std::nullopt);
        }
        // A topic key's broker default is a broker key; a modelled topic key's one is modelled too.
        if (!key.broker_synonym.empty()) {
            CHECK((key.scopes & kafka::scope_topic) != 0);
            const ConfigKey* broker = kafka::find_config_key(key.broker_synonym);
            REQUIRE(broker != nullptr);
            CHECK((broker->scopes & kafka::scope_broker) != 0);
            if (key.modelled()) CHECK(broker->modelled());
        }
    }
    check_one_default_per_field(&ConfigKey::broker_field);
    check_one_default_per_field(&ConfigKey::topic_field);
    check_one_default_per_field(&ConfigKey::streams_field);
    check_one_default_per_field(&ConfigKey::producer_field);
    check_one_default_per_field(&ConfigKey::consumer_field);
}

TEST_CASE("config table: every field of the typed configs is read by the model", "[config]") {
    // A field that only the config code writes and the reports print is not modelled: its key
    // must lose its field (and so warn "accepted but not modelled") until the model reads it.
    // Fields are found in config.hpp by their comment naming the key: `int64_t x{};  // a.b.c`.
    const std::string header = read_text(source_dir / "broker/config.hpp");
    const std::regex field_line(R"(\n\s+(?:bool|int32_t|int64_t|std::string) (\w+)\{\};\s+// ([A-Za-z.]+))");
    std::vector<std::pair<std::string, std::string>> fields;  // field name, key
    for (auto it = std::sregex_iterator(header.begin(), header.end(), field_line); it != std::sregex_iterator(); ++it) {
        fields.emplace_back((*it)[1], (*it)[2]);
    }
    REQUIRE(fields.size() >= 50);

    // Model code: everything below the model's folders except the config code itself.
    std::string model;
    for (const char* dir : {"broker", "clients", "connect", "scenarios"}) {
        if (!fs::exists(source_dir / dir)) continue;
        for (const auto& e : fs::recursive_directory_iterator(source_dir / dir)) {
            const fs::path& p = e.path();
            if (p.extension() != ".cpp" && p.extension() != ".hpp") continue;
            const std::string name = p.filename().string();
            if (name == "config.hpp" || name == "config.cpp" || name == "config_keys.cpp" ||
                name == "version_profiles.cpp")
                continue;
            model += read_text(p);
        }
    }
    for (const auto& [field, key_name] : fields) {
        INFO(field << " (" << key_name << ")");
        const ConfigKey* key = kafka::find_config_key(key_name);
        REQUIRE(key != nullptr);
        CHECK(key->modelled());
        bool read = std::regex_search(model, std::regex("\\b" + field + "\\b"));
        // A broker default of a modelled topic key is read through the topic's config.
        for (const ConfigKey& topic_key : kafka::config_keys()) {
            if (topic_key.broker_synonym == key_name && topic_key.name != key_name && topic_key.modelled()) read = true;
        }
        CHECK(read);
    }
}

TEST_CASE("config table: the typed configs start at the table's defaults", "[config]") {
    const kafka::BrokerConfig b;
    CHECK(b.min_insync_replicas == 1);
    CHECK_FALSE(b.unclean_leader_election_enable);
    CHECK(b.eligible_leader_replicas_version == 0);
    CHECK(b.replica_lag_time_max_ms == 30000);
    CHECK(b.replica_fetch_max_bytes == 1048576);
    CHECK(b.log_segment_bytes == 1073741824);
    CHECK(b.log_roll_ms == 168LL * 3600 * 1000);  // from log.roll.hours: log.roll.ms has no default
    CHECK(b.controller_quorum_fetch_timeout_ms == 2000);
    CHECK(b.zookeeper_session_timeout_ms == 18000);
    CHECK(b.zookeeper_tick_time_ms == 2000);
    CHECK(b.zookeeper_init_limit == 10);
    CHECK(b.zookeeper_sync_limit == 5);
    CHECK(b.offsets_topic_num_partitions == 50);
    CHECK(b.group_max_session_timeout_ms == 1800000);
    CHECK(b.transaction_state_log_num_partitions == 50);
    CHECK(b.transaction_state_log_replication_factor == 3);
    CHECK(b.transaction_state_log_min_isr == 2);
    CHECK(b.transaction_max_timeout_ms == 900000);
    CHECK(b.transaction_abort_timed_out_transaction_cleanup_interval_ms == 10000);
    CHECK(b.transaction_partition_verification_enable);
    CHECK(b.transaction_version == 0);  // the feature level: 2 comes from the 4.0+ profiles
    const kafka::TransactionCoordinator::Options o = kafka::transaction_coordinator_options(b);
    CHECK(o.num_partitions == 50);
    CHECK(o.offsets_topic_num_partitions == 50);
    CHECK(o.max_timeout_ms == 900000);
    CHECK(o.abort_timed_out_interval_ms == 10000);
    const kafka::TopicConfig t;
    CHECK(t.segment_ms == 604800000);
    CHECK(t.segment_bytes == 1073741824);
    const kafka::ProducerConfig p;
    CHECK(p.acks == -1);
    CHECK(p.enable_idempotence);
    CHECK_FALSE(p.idempotence_explicit);
    CHECK(p.retries == 2147483647);
    CHECK(p.linger_ms == 0);
    CHECK(p.record_size_bytes == 100);
    const kafka::ConsumerConfig c;
    CHECK(c.auto_offset_reset == "latest");
    CHECK(c.partition_assignment_strategy == "range,cooperative-sticky");
    CHECK(c.isolation_level == "read_uncommitted");
    CHECK(c.session_timeout_ms == 45000);
    CHECK(c.max_poll_records == 500);

    // The resolved settings are the modelled keys of the scope, one a field.
    std::set<std::string_view> broker_names;
    for (const auto& [name, value] : kafka::resolved_settings(b)) broker_names.insert(name);
    CHECK(broker_names.contains("log.roll.ms"));
    CHECK_FALSE(broker_names.contains("log.roll.hours"));
    CHECK(broker_names.contains("zookeeper.tickTime"));
    CHECK(broker_names.contains("eligible.leader.replicas.version"));
    CHECK(broker_names.contains("log.retention.ms"));
    CHECK_FALSE(broker_names.contains("log.retention.hours"));
    CHECK_FALSE(broker_names.contains("offsets.retention.minutes"));
}

TEST_CASE("config table: settings in several units, the finest wins", "[config]") {
    const kafka::VersionProfile v37 = *kafka::profile_for("3.7");
    CHECK(kafka::BrokerConfig::from(v37, {{"log.roll.hours", int64_t{2}}}).log_roll_ms == 7200000);
    const kafka::ConfigMap both = {{"log.roll.hours", int64_t{2}}, {"log.roll.ms", int64_t{5000}}};
    CHECK(kafka::BrokerConfig::from(v37, both).log_roll_ms == 5000);
    const kafka::BrokerConfig broker = kafka::BrokerConfig::from(v37, {{"log.roll.ms", int64_t{60000}}});
    CHECK(kafka::TopicConfig::from(broker, {}).segment_ms == 60000);  // segment.ms <- log.roll.ms
    // KafkaConfig.logRetentionTimeMillis: ms over minutes over hours; -1 in any unit is forever.
    CHECK(kafka::BrokerConfig().log_retention_ms == 168LL * 3600 * 1000);
    CHECK(kafka::BrokerConfig::from(v37, {{"log.retention.hours", int64_t{2}}}).log_retention_ms == 7200000);
    CHECK(kafka::BrokerConfig::from(v37, {{"log.retention.hours", int64_t{2}}, {"log.retention.minutes", int64_t{3}}})
              .log_retention_ms == 180000);
    CHECK(kafka::BrokerConfig::from(v37, {{"log.retention.minutes", int64_t{3}}, {"log.retention.ms", int64_t{5000}}})
              .log_retention_ms == 5000);
    CHECK(kafka::BrokerConfig::from(v37, {{"log.retention.hours", int64_t{-1}}}).log_retention_ms == -1);
    const kafka::BrokerConfig kept = kafka::BrokerConfig::from(
        v37, {{"log.retention.minutes", int64_t{10}}, {"log.retention.bytes", int64_t{4096}}});
    CHECK(kept.log_retention_check_interval_ms == 300000);
    const kafka::TopicConfig topic = kafka::TopicConfig::from(kept, {});
    CHECK(topic.retention_ms == 600000);     // retention.ms <- log.retention.ms
    CHECK(topic.retention_bytes == 4096);    // retention.bytes <- log.retention.bytes
    CHECK(kafka::TopicConfig::from(kept, {{"retention.ms", int64_t{-1}}}).retention_ms == -1);
}

TEST_CASE("config table: topic synonyms come from the table, by topic name", "[config]") {
    auto synonyms = kafka::topic_config_synonyms();
    REQUIRE(synonyms.size() == 10);
    auto by_topic = [](const auto& a, const auto& b) { return a.topic < b.topic; };
    CHECK(std::is_sorted(synonyms.begin(), synonyms.end(), by_topic));
    CHECK(synonyms.front().topic == "cleanup.policy");
    CHECK(synonyms.front().broker == "log.cleanup.policy");
    auto is_segment_ms = [](const auto& s) { return s.topic == "segment.ms"; };
    auto segment_ms = std::find_if(synonyms.begin(), synonyms.end(), is_segment_ms);
    REQUIRE(segment_ms != synonyms.end());
    CHECK(segment_ms->broker == "log.roll.ms");
}

TEST_CASE("config table: keys that nothing reads are accepted but not modelled", "[config]") {
    // Their modelling is a later change: until then validate warns about them.
    for (auto name : {"delete.retention.ms", "min.compaction.lag.ms", "offsets.retention.minutes",
                      "controller.quorum.append.linger.ms"}) {
        INFO(name);
        const ConfigKey* key = kafka::find_config_key(name);
        REQUIRE(key != nullptr);
        CHECK_FALSE(key->modelled());
        CHECK_FALSE(kafka::config_value_modelled(*key, int64_t{1}));
    }
    // Modelled since issue 13: retention, preferred leader rebalance and the flush policy.
    for (auto name : {"retention.ms", "retention.bytes", "log.retention.ms", "log.retention.minutes",
                      "log.retention.hours", "log.retention.bytes", "log.retention.check.interval.ms",
                      "auto.leader.rebalance.enable", "leader.imbalance.check.interval.seconds",
                      "leader.imbalance.per.broker.percentage", "log.flush.interval.messages", "log.flush.interval.ms",
                      "log.flush.scheduler.interval.ms", "flush.messages", "flush.ms"}) {
        INFO(name);
        CHECK(kafka::find_config_key(name)->modelled());
    }
    // Values the model does anyway are not warned about.
    CHECK(kafka::config_value_modelled(*kafka::find_config_key("cleanup.policy"), std::string("delete")));
    CHECK_FALSE(kafka::config_value_modelled(*kafka::find_config_key("cleanup.policy"), std::string("compact")));
    CHECK_FALSE(kafka::config_value_modelled(*kafka::find_config_key("cleanup.policy"), std::string("compact,delete")));
    CHECK(kafka::config_value_modelled(*kafka::find_config_key("compression.type"), std::string("producer")));
    CHECK_FALSE(kafka::config_value_modelled(*kafka::find_config_key("compression.type"), std::string("lz4")));
    CHECK(kafka::config_value_modelled(*kafka::find_config_key("group.protocol"), std::string("classic")));
    CHECK_FALSE(kafka::config_value_modelled(*kafka::find_config_key("group.protocol"), std::string("consumer")));
}

TEST_CASE("version profiles: behaviour switches per release", "[config][profiles]") {
    // truncate_by_leader_epoch, kip279_epoch_end_offsets, isr_join_requires_epoch_start,
    // controller_epoch_fencing, fetch_detects_divergence, hw_frozen_below_min_isr, raft_check_quorum,
    // raft_pre_vote, unknown_producer_id_error, accept_unknown_producer_sequence, first_sequence_zero_on_new_partition,
    // follower_takes_leader_log_start
    const std::map<std::string, std::vector<bool>> expected = {
        {"0.8", {false, false, false, false, false, false, false, false, false, false, false, false}},
        {"0.10", {false, false, false, false, false, false, false, false, false, false, false, false}},
        {"0.11", {true, false, false, false, false, false, false, false, false, false, false, true}},
        {"2.0", {true, true, true, false, false, false, false, false, true, false, false, true}},
        {"2.4", {true, true, true, true, false, false, false, false, true, false, false, true}},
        {"3.0", {true, true, true, true, true, false, false, false, true, true, false, true}},
        {"3.7", {true, true, true, true, true, true, true, false, true, true, false, true}},
        {"4.0", {true, true, true, true, true, true, true, true, true, true, false, true}},
        {"4.1", {true, true, true, true, true, true, true, true, true, true, false, true}},
        {"4.5", {true, true, true, true, true, true, true, true, true, true, true, true}},
    };
    const auto profiles = kafka::all_profiles();
    REQUIRE(profiles.size() == expected.size());
    for (const auto& p : profiles) {
        INFO(p.name);
        const kafka::Behaviour& b = p.behaviour;
        CHECK(std::vector<bool>{b.truncate_by_leader_epoch, b.kip279_epoch_end_offsets, b.isr_join_requires_epoch_start,
                                b.controller_epoch_fencing, b.fetch_detects_divergence, b.hw_frozen_below_min_isr,
                                b.raft_check_quorum, b.raft_pre_vote, b.unknown_producer_id_error, b.accept_unknown_producer_sequence,
                                b.first_sequence_zero_on_new_partition,
                                b.follower_takes_leader_log_start} == expected.at(p.name));
        // One note per switch (divergence detection only where leader epochs exist), named by the switch.
        for (const kafka::BehaviourSwitch& s : kafka::behaviour_switches()) {
            const std::string note(b.*s.flag ? s.on : s.off);
            const bool shown = (s.shown_if == nullptr || b.*s.shown_if) && (s.hidden_if == nullptr || !(b.*s.hidden_if));
            CHECK((std::find(p.notes.begin(), p.notes.end(), note) != p.notes.end()) == shown);
        }
    }
    CHECK(kafka::behaviour_switches().size() == 12);
}

TEST_CASE("version profiles: the defaults each profile changes", "[config][profiles]") {
    const kafka::ConfigMap pre_2_5 = {{"acks", int64_t{1}},
                                      {"enable.idempotence", false},
                                      {"partition.assignment.strategy", std::string("range")},
                                      {"replica.lag.time.max.ms", int64_t{10000}},
                                      {"replication.factor", int64_t{1}},
                                      {"session.timeout.ms", int64_t{10000}},
                                      {"zookeeper.session.timeout.ms", int64_t{6000}}};
    kafka::ConfigMap pre_1_0 = pre_2_5;
    pre_1_0["delete.topic.enable"] = false;
    kafka::ConfigMap pre_0_11 = pre_1_0;
    pre_0_11["unclean.leader.election.enable"] = true;
    const std::map<std::string, kafka::ConfigMap> expected = {
        {"0.8", pre_0_11},
        {"0.10", pre_0_11},
        {"0.11", pre_1_0},
        {"2.0", pre_2_5},
        {"2.4", pre_2_5},
        {"3.0", {}},
        {"3.7", {}},
        {"4.0", {{"linger.ms", int64_t{5}}, {"transaction.version", int64_t{2}}}},
        {"4.1",
         {{"eligible.leader.replicas.version", int64_t{1}}, {"linger.ms", int64_t{5}}, {"transaction.version", int64_t{2}}}},
        {"4.5",
         {{"eligible.leader.replicas.version", int64_t{1}}, {"linger.ms", int64_t{5}}, {"transaction.version", int64_t{2}}}},
    };
    for (const auto& p : kafka::all_profiles()) {
        INFO(p.name);
        CHECK(p.defaults == expected.at(p.name));
        // Each change is explained in a note "key=value: why".
        for (const auto& [name, value] : p.defaults) {
            const std::string prefix = name + "=" + kafka::format_config_value(value) + ": ";
            CHECK(std::any_of(p.notes.begin(), p.notes.end(), [&](const std::string& n) { return n.starts_with(prefix); }));
        }
    }
    // Every row names a key with a valid value.
    for (const kafka::ProfileDefault& d : kafka::profile_defaults()) {
        INFO(d.key);
        const ConfigKey* key = kafka::find_config_key(d.key);
        REQUIRE(key != nullptr);
        ConfigValue v = std::string(d.value);
        CHECK(kafka::normalise_config_value(*key, v) == std::nullopt);
        CHECK(d.from < d.until);
    }
}

TEST_CASE("a consumer asks OffsetFetch for stable offsets from 2.5 (KIP-447, OffsetFetch v7)", "[config][txn]") {
    CHECK_FALSE(kafka::ConsumerConfig::from(*kafka::profile_for("2.4"), {}).offset_fetch_require_stable);
    // The transaction features follow the release named, not the profile's first one.
    CHECK(kafka::ConsumerConfig::from(*kafka::profile_for("2.5"), {}).offset_fetch_require_stable);
    CHECK(kafka::ConsumerConfig::from(*kafka::profile_for("3.0"), {}).offset_fetch_require_stable);
    CHECK(kafka::ConsumerConfig::from(*kafka::profile_for("3.7"), {}).offset_fetch_require_stable);
    CHECK(kafka::ConsumerConfig{}.offset_fetch_require_stable);
}
