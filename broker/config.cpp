// What the key table (config_keys.cpp) drives: normalising values, filling the typed configs
// from defaults and overrides, reading them back under Kafka's names, and the validate rules.
#include "broker/config.hpp"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <limits>
#include <type_traits>

namespace kafka {

namespace {

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> items;
    size_t start = 0;
    while (true) {
        size_t comma = s.find(',', start);
        items.push_back(trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return items;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

// "-12", "300": an optional minus sign and digits, within int64.
std::optional<int64_t> parse_integer_text(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    std::string_view digits = negative ? s.substr(1) : s;
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > static_cast<uint64_t>(i64_max)) return std::nullopt;
    return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

std::string range_text(const ConfigKey& key) {
    if (key.min_value != i64_min && key.max_value != i64_max && key.max_value != i32_max) {
        return " from " + std::to_string(key.min_value) + " to " + std::to_string(key.max_value);
    }
    if (key.min_value != i64_min) return " >= " + std::to_string(key.min_value);
    return "";
}

// Values a string-typed key accepts, by key. Returns the error text, or normalises `text`.
std::optional<std::string> normalise_string(std::string_view name, std::string& text) {
    auto one_of = [&](std::initializer_list<std::string_view> allowed,
                      std::string_view expected) -> std::optional<std::string> {
        for (auto a : allowed) {
            if (text == a) return std::nullopt;
        }
        return std::string("expected ") + std::string(expected);
    };
    if (name == "auto.offset.reset") return one_of({"earliest", "latest", "none"}, "\"earliest\", \"latest\" or \"none\"");
    if (name == "isolation.level") {
        return one_of({"read_uncommitted", "read_committed"}, "\"read_uncommitted\" or \"read_committed\"");
    }
    if (name == "group.protocol") return one_of({"classic", "consumer"}, "\"classic\" or \"consumer\"");
    if (name == "compression.type") {
        return one_of({"none", "gzip", "snappy", "lz4", "zstd", "producer", "uncompressed"},
                      "\"none\", \"gzip\", \"snappy\", \"lz4\", \"zstd\" (or \"producer\", \"uncompressed\" for brokers and topics)");
    }
    if (name == "cleanup.policy" || name == "log.cleanup.policy") {
        std::vector<std::string> items = split_list(text);
        for (const auto& item : items) {
            if (item != "delete" && item != "compact") return std::string("expected \"delete\", \"compact\" or \"compact,delete\"");
        }
        text = join_list(items);
        return std::nullopt;
    }
    if (name == "partition.assignment.strategy") {
        // Kafka takes class names; the short names are what kafka-consumer-groups prints.
        static constexpr std::pair<std::string_view, std::string_view> assignors[] = {
            {"range", "range"},
            {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
            {"RangeAssignor", "range"},
            {"roundrobin", "roundrobin"},
            {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
            {"RoundRobinAssignor", "roundrobin"},
            {"sticky", "sticky"},
            {"org.apache.kafka.clients.consumer.StickyAssignor", "sticky"},
            {"StickyAssignor", "sticky"},
            {"cooperative-sticky", "cooperative-sticky"},
            {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "cooperative-sticky"},
            {"CooperativeStickyAssignor", "cooperative-sticky"},
        };
        std::vector<std::string> out;
        for (const auto& item : split_list(text)) {
            auto it = std::find_if(std::begin(assignors), std::end(assignors),
                                   [&](const auto& a) { return a.first == item; });
            if (it == std::end(assignors)) {
                return std::string(
                    "expected a comma-separated list of range, roundrobin, sticky, cooperative-sticky "
                    "(or Kafka's assignor class names, like org.apache.kafka.clients.consumer.RangeAssignor)");
            }
            if (std::find(out.begin(), out.end(), it->second) == out.end()) out.emplace_back(it->second);
        }
        text = join_list(out);
        return std::nullopt;
    }
    return std::nullopt;  // free text (client.id, transactional.id, ...)
}

// ---- Typed fields -------------------------------------------------------------------------

template <class Config>
const ConfigField<Config>& field_of(const ConfigKey& key) {
    if constexpr (std::is_same_v<Config, BrokerConfig>) return key.broker_field;
    else if constexpr (std::is_same_v<Config, TopicConfig>) return key.topic_field;
    else if constexpr (std::is_same_v<Config, ProducerConfig>) return key.producer_field;
    else if constexpr (std::is_same_v<Config, ConsumerConfig>) return key.consumer_field;
    else if constexpr (std::is_same_v<Config, StreamsConfig>) return key.streams_field;
    else return key.connect_field;
}

template <class Config>
bool holds(const ConfigKey& key) {
    return !std::holds_alternative<std::monostate>(field_of<Config>(key));
}

template <class Config>
ConfigValue get_field(const Config& config, const ConfigField<Config>& field) {
    return std::visit(
        [&](auto member) -> ConfigValue {
            if constexpr (std::is_same_v<decltype(member), std::monostate>) {
                return std::string();
            } else {
                const auto& v = config.*member;
                using V = std::remove_cvref_t<decltype(v)>;
                if constexpr (std::is_same_v<V, bool> || std::is_same_v<V, std::string>) return v;
                else return int64_t{v};
            }
        },
        field);
}

// Integers are clamped to the field (the key's range already fits it); a negative value is a
// marker (-1: unlimited) and is not scaled by the unit.
template <class Config>
void set_field(Config& config, const ConfigField<Config>& field, const ConfigValue& value, int64_t unit) {
    std::visit(
        [&](auto member) {
            if constexpr (!std::is_same_v<decltype(member), std::monostate>) {
                auto& f = config.*member;
                using F = std::remove_cvref_t<decltype(f)>;
                if constexpr (std::is_same_v<F, bool>) {
                    f = config_bool(value);
                } else if constexpr (std::is_same_v<F, std::string>) {
                    f = format_config_value(value);
                } else {
                    int64_t x = config_int(value);
                    if (x > 0 && unit != 1) x = x > i64_max / unit ? i64_max : x * unit;
                    x = std::clamp<int64_t>(x, std::numeric_limits<F>::min(), std::numeric_limits<F>::max());
                    f = static_cast<F>(x);
                }
            }
        },
        field);
}

// The table's defaults for every field of the config ("null": another key gives it).
template <class Config>
void apply_defaults(Config& config) {
    for (const ConfigKey& key : config_keys()) {
        if (!holds<Config>(key) || key.default_value == "null") continue;
        ConfigValue value = std::string(key.default_value);
        if (!normalise_config_value(key, value)) set_field(config, field_of<Config>(key), value, key.unit);
    }
}

// The settings of `m` that the config holds. Where several keys set one field the finest unit
// is applied last, so it wins (log.roll.ms over log.roll.hours).
template <class Config>
void apply_settings(Config& config, const ConfigMap& m) {
    std::vector<std::pair<const ConfigKey*, const ConfigValue*>> settings;
    for (const auto& [name, value] : m) {
        const ConfigKey* key = find_config_key(name);
        if (key != nullptr && holds<Config>(*key)) settings.emplace_back(key, &value);
    }
    std::stable_sort(settings.begin(), settings.end(),
                     [](const auto& a, const auto& b) { return a.first->unit > b.first->unit; });
    for (const auto& [key, value] : settings) set_field(config, field_of<Config>(*key), *value, key->unit);
}

template <class Config>
ResolvedSettings resolved(const Config& config) {
    ResolvedSettings out;
    for (const ConfigKey& key : config_keys()) {
        if (holds<Config>(key) && key.unit == 1) out.emplace_back(key.name, get_field(config, field_of<Config>(key)));
    }
    return out;
}

// The profile's defaults for one scope, then the overrides on top.
ConfigMap merged(const VersionProfile& profile, const ConfigMap& overrides, unsigned scope) {
    ConfigMap out;
    for (const auto& [name, value] : profile.defaults) {
        const ConfigKey* k = find_config_key(name);
        if (k != nullptr && (k->scopes & scope) != 0) out[name] = value;
    }
    for (const auto& [name, value] : overrides) out[name] = value;
    return out;
}

std::vector<ConfigSynonym> synonyms_by_topic_name() {
    std::vector<ConfigSynonym> out;
    for (const ConfigKey& key : config_keys()) {
        if (!key.broker_synonym.empty()) out.push_back({key.name, key.broker_synonym});
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.topic < b.topic; });
    return out;
}

}  // namespace

// ---- Key table ----------------------------------------------------------------------------

bool ConfigKey::modelled() const {
    return read_by_name || holds<BrokerConfig>(*this) || holds<TopicConfig>(*this) || holds<ProducerConfig>(*this) ||
           holds<ConsumerConfig>(*this) || holds<StreamsConfig>(*this) || holds<ConnectWorkerConfig>(*this);
}

const ConfigKey* find_config_key(std::string_view name) {
    for (const auto& k : config_keys()) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

std::string suggest_config_key(std::string_view name, unsigned scopes) {
    const size_t limit = std::max<size_t>(2, name.size() / 3);
    const ConfigKey* best = nullptr;
    size_t best_distance = limit + 1;
    for (const auto& k : config_keys()) {
        if ((k.scopes & scopes) == 0) continue;
        // The distance is at least the difference in length: a 16 MB name costs nothing.
        if (std::max(name.size(), k.name.size()) - std::min(name.size(), k.name.size()) > limit) continue;
        size_t d = edit_distance(name, k.name);
        if (d < best_distance) {  // strict: ties keep the first in table order
            best = &k;
            best_distance = d;
        }
    }
    return best == nullptr ? std::string() : std::string(best->name);
}

std::string config_values_text(const ConfigKey& key) {
    switch (key.type) {
        case ConfigType::acks: return "\"all\", -1, 0 or 1";
        case ConfigType::boolean: return "true or false";
        case ConfigType::integer: return "an integer" + range_text(key);
        case ConfigType::ratio: return "a number" + range_text(key);
        case ConfigType::string: return "a string";
    }
    return "?";
}

std::optional<std::string> normalise_config_value(const ConfigKey& key, ConfigValue& value) {
    const std::string expected = "expected " + config_values_text(key);
    switch (key.type) {
        case ConfigType::acks: {
            if (const auto* s = std::get_if<std::string>(&value)) {
                if (*s == "all" || *s == "-1") value = int64_t{-1};
                else if (*s == "1") value = int64_t{1};
                else if (*s == "0") value = int64_t{0};
                else return expected;
                return std::nullopt;
            }
            if (const auto* i = std::get_if<int64_t>(&value); i != nullptr && *i >= -1 && *i <= 1) return std::nullopt;
            return expected;
        }
        case ConfigType::boolean: {
            if (std::holds_alternative<bool>(value)) return std::nullopt;
            if (const auto* s = std::get_if<std::string>(&value)) {
                // Kafka's ConfigDef parses booleans ignoring case.
                std::string l = lower(*s);
                if (l == "true" || l == "false") {
                    value = (l == "true");
                    return std::nullopt;
                }
            }
            return expected;
        }
        case ConfigType::integer: {
            std::optional<int64_t> v;
            if (const auto* i = std::get_if<int64_t>(&value)) v = *i;
            else if (const auto* s = std::get_if<std::string>(&value)) v = parse_integer_text(trim(*s));
            if (!v || *v < key.min_value || *v > key.max_value) return expected;
            value = *v;
            return std::nullopt;
        }
        case ConfigType::ratio: {
            std::optional<double> v;
            if (const auto* i = std::get_if<int64_t>(&value)) v = static_cast<double>(*i);
            else if (const auto* d = std::get_if<double>(&value)) v = *d;
            if (!v || *v < static_cast<double>(key.min_value) || *v > static_cast<double>(key.max_value)) {
                return expected;
            }
            value = *v;
            return std::nullopt;
        }
        case ConfigType::string: {
            auto* s = std::get_if<std::string>(&value);
            if (s == nullptr) return expected;
            return normalise_string(key.name, *s);
        }
    }
    return "unsupported config type";
}

int64_t config_int(const ConfigValue& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) return *i;
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
    if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    const auto& s = std::get<std::string>(v);
    if (s == "all") return -1;
    return parse_integer_text(trim(s)).value_or(0);
}

bool config_bool(const ConfigValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b;
    if (const auto* s = std::get_if<std::string>(&v)) return lower(*s) == "true";
    return config_int(v) != 0;
}

std::string scope_names(unsigned scopes) {
    std::string out;
    auto add = [&](unsigned bit, const char* name) {
        if ((scopes & bit) != 0) out += (out.empty() ? "" : "/") + std::string(name);
    };
    add(scope_broker, "broker");
    add(scope_topic, "topic");
    add(scope_producer, "producer");
    add(scope_consumer, "consumer");
    add(scope_streams, "streams");
    add(scope_connect, "connect worker");
    return out;
}

bool config_value_modelled(const ConfigKey& key, const ConfigValue& value) {
    if (key.modelled()) return true;
    // Some values of an unmodelled key ask for what the model does anyway (cleanup.policy=delete).
    const auto* s = std::get_if<std::string>(&value);
    if (s == nullptr || key.modelled_values.empty()) return false;
    std::string_view rest = key.modelled_values;
    while (true) {
        size_t bar = rest.find('|');
        if (rest.substr(0, bar) == *s) return true;
        if (bar == std::string_view::npos) return false;
        rest.remove_prefix(bar + 1);
    }
}

std::string format_config_value(const ConfigValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", *d);
        return buf;
    }
    return std::get<std::string>(v);
}

std::string format_config_value(const ConfigKey& key, const ConfigValue& v) {
    if (key.type == ConfigType::acks && config_int(v) == -1) return "all";
    return format_config_value(v);
}

std::span<const ConfigSynonym> topic_config_synonyms() {
    static const std::vector<ConfigSynonym> synonyms = synonyms_by_topic_name();
    return synonyms;
}

ResolvedSettings resolved_settings(const BrokerConfig& config) { return resolved(config); }
ResolvedSettings resolved_settings(const TopicConfig& config) { return resolved(config); }
ResolvedSettings resolved_settings(const ProducerConfig& config) { return resolved(config); }
ResolvedSettings resolved_settings(const ConsumerConfig& config) { return resolved(config); }
ResolvedSettings resolved_settings(const StreamsConfig& config) { return resolved(config); }
ResolvedSettings resolved_settings(const ConnectWorkerConfig& config) { return resolved(config); }

// ---- Typed configs ------------------------------------------------------------------------

BrokerConfig::BrokerConfig() { apply_defaults(*this); }
TopicConfig::TopicConfig() { apply_defaults(*this); }
ProducerConfig::ProducerConfig() { apply_defaults(*this); }
ConsumerConfig::ConsumerConfig() { apply_defaults(*this); }
StreamsConfig::StreamsConfig() { apply_defaults(*this); }
ConnectWorkerConfig::ConnectWorkerConfig() { apply_defaults(*this); }

BrokerConfig BrokerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    BrokerConfig c;
    c.behaviour = profile.behaviour;
    c.transactions = profile.transactions;
    const ConfigMap settings = merged(profile, overrides, scope_broker);
    apply_settings(c, settings);
    // KafkaConfig.logFlushIntervalMs: an unset log.flush.interval.ms takes log.flush.scheduler.interval.ms.
    if (!settings.contains("log.flush.interval.ms")) c.log_flush_interval_ms = c.log_flush_scheduler_interval_ms;
    return c;
}

TopicConfig TopicConfig::from(const BrokerConfig& broker, const ConfigMap& topic_overrides) {
    TopicConfig t;
    for (const ConfigKey& key : config_keys()) {
        if (!holds<TopicConfig>(key) || key.broker_synonym.empty()) continue;
        const ConfigKey* broker_key = find_config_key(key.broker_synonym);
        if (broker_key != nullptr && holds<BrokerConfig>(*broker_key)) {
            set_field(t, key.topic_field, get_field(broker, broker_key->broker_field), 1);
        }
    }
    apply_settings(t, topic_overrides);
    t.overrides = topic_overrides;
    return t;
}

ProducerConfig ProducerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    ProducerConfig p;
    p.transactions = profile.transactions;
    apply_settings(p, merged(profile, overrides, scope_producer));
    if (auto it = overrides.find("transactional.id"); it != overrides.end())
        if (const auto* id = std::get_if<std::string>(&it->second)) p.transactional_id = *id;
    p.idempotence_explicit = overrides.contains("enable.idempotence");
    // KafkaProducer: a transactional.id turns idempotence on (a conflict is an error, below), and
    // with it acks=all where acks is not set (before 3.0 the default was 1).
    if (p.transactional() && !p.idempotence_explicit) p.enable_idempotence = true;
    if (p.transactional() && !overrides.contains("acks")) p.acks = -1;
    // Idempotence needs acks=all, retries and at most 5 in flight. When the user did not ask
    // for it, Kafka quietly turns it off rather than refusing to start (KAFKA-13598).
    if (!p.idempotence_explicit && !p.transactional() &&
        (p.acks != -1 || p.retries == 0 || p.max_in_flight_requests_per_connection > 5)) {
        p.enable_idempotence = false;
    }
    // KafkaProducer.configureDeliveryTimeout: an unset delivery.timeout.ms is raised to
    // linger.ms + request.timeout.ms; a set one that is too small is an error (see below).
    if (!overrides.contains("delivery.timeout.ms") && p.delivery_timeout_ms < p.linger_ms + p.request_timeout_ms) {
        p.delivery_timeout_ms = p.linger_ms + p.request_timeout_ms;
    }
    return p;
}

std::optional<std::string> producer_config_conflict(const ProducerConfig& p, const ConfigMap& overrides) {
    if (p.transactional()) {
        // ProducerConfig.postProcessAndValidateIdempotenceConfigs: transactions need idempotence.
        if (p.idempotence_explicit && !p.enable_idempotence) {
            return "transactional.id needs enable.idempotence=true: Kafka's producer refuses to start (\"Cannot set "
                   "a transactional.id without also enabling idempotence\")";
        }
        if (p.acks != -1) {
            return "a transactional producer needs acks=all (acks=" + std::to_string(p.acks) +
                   " here): Kafka's producer refuses to start (\"Must set acks to all in order to use the "
                   "idempotent producer\")";
        }
        if (p.retries == 0) return "a transactional producer needs retries > 0: Kafka's producer refuses to start";
        if (p.max_in_flight_requests_per_connection > 5) {
            return "a transactional producer needs max.in.flight.requests.per.connection <= 5: Kafka's producer "
                   "refuses to start";
        }
    }
    if (p.idempotence_explicit && p.enable_idempotence) {
        if (p.acks != -1) {
            return "enable.idempotence=true needs acks=all: Kafka's producer refuses to start (\"Must set acks to "
                   "all in order to use the idempotent producer\")";
        }
        if (p.retries == 0) {
            return "enable.idempotence=true needs retries > 0: Kafka's producer refuses to start (\"Must set "
                   "retries to non-zero when using the idempotent producer\")";
        }
        if (p.max_in_flight_requests_per_connection > 5) {
            return "enable.idempotence=true needs max.in.flight.requests.per.connection <= 5: Kafka's producer "
                   "refuses to start";
        }
    }
    if (overrides.contains("delivery.timeout.ms") && p.delivery_timeout_ms < p.linger_ms + p.request_timeout_ms) {
        return "delivery.timeout.ms (" + std::to_string(p.delivery_timeout_ms) +
               ") must be at least linger.ms + request.timeout.ms (" +
               std::to_string(p.linger_ms + p.request_timeout_ms) + "): Kafka's producer refuses to start";
    }
    return std::nullopt;
}

ConsumerConfig ConsumerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    ConsumerConfig c;
    apply_settings(c, merged(profile, overrides, scope_consumer));
    c.offset_fetch_require_stable = profile.transactions.require_stable_offsets;  // KIP-447, the exact release
    return c;
}

StreamsConfig StreamsConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    StreamsConfig c;
    apply_settings(c, merged(profile, overrides, scope_streams));
    if (auto it = overrides.find("application.id"); it != overrides.end())
        if (const auto* id = std::get_if<std::string>(&it->second)) c.application_id = *id;
    // StreamsConfig: EOS_DEFAULT_COMMIT_INTERVAL_MS, unless the user set one.
    if (c.exactly_once() && !overrides.contains("commit.interval.ms")) c.commit_interval_ms = 100;
    return c;
}

ConnectWorkerConfig ConnectWorkerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    ConnectWorkerConfig c;
    // The sample properties file the worker is started with (config/connect-distributed.properties;
    // the standalone one sets the same flush interval and the offsets file).
    ConfigMap sample = {{"group.id", std::string("connect-cluster")},
                        {"config.storage.topic", std::string("connect-configs")},
                        {"offset.storage.topic", std::string("connect-offsets")},
                        {"status.storage.topic", std::string("connect-status")},
                        {"config.storage.replication.factor", int64_t{1}},
                        {"offset.storage.replication.factor", int64_t{1}},
                        {"status.storage.replication.factor", int64_t{1}},
                        {"offset.flush.interval.ms", int64_t{10000}},
                        {"offset.storage.file.filename", std::string("/tmp/connect.offsets")}};
    ConfigMap m = merged(profile, {}, scope_connect);
    // A worker's group settings are DistributedConfig's, not the consumer's (whose session
    // timeout the profiles change): session.timeout.ms 10000, heartbeat.interval.ms 3000.
    m["session.timeout.ms"] = int64_t{10000};
    m["heartbeat.interval.ms"] = int64_t{3000};
    for (auto& [k, v] : sample) m[k] = v;
    for (const auto& [k, v] : overrides) m[k] = v;
    apply_settings(c, m);
    for (const char* name : {"group.id"})
        if (auto it = m.find(name); it != m.end())
            if (const auto* id = std::get_if<std::string>(&it->second)) c.group_id = *id;
    return c;
}

std::optional<std::string> consumer_config_conflict(const ConsumerConfig& c) {
    if (c.heartbeat_interval_ms >= c.session_timeout_ms) {
        return "heartbeat.interval.ms (" + std::to_string(c.heartbeat_interval_ms) +
               ") must be lower than session.timeout.ms (" + std::to_string(c.session_timeout_ms) +
               "): Kafka's consumer refuses to start";
    }
    return std::nullopt;
}

}  // namespace kafka
