#include "reports/resolved_config.hpp"

#include "broker/config.hpp"

namespace reports {

namespace {

using json = nlohmann::ordered_json;

json value_json(const kafka::ConfigValue& v) {
    return std::visit([](const auto& x) { return json(x); }, v);
}

// Every setting the typed config holds, from the key table (see kafka::resolved_settings).
template <class Config>
json settings_json(const Config& c) {
    json out = json::object();
    for (const auto& [name, value] : kafka::resolved_settings(c)) out[std::string(name)] = value_json(value);
    return out;
}

json optional_duration(const std::optional<sim::Duration>& d) {
    return d ? json(sim::format_duration(*d)) : json(nullptr);
}

}  // namespace

nlohmann::ordered_json config_map_json(const kafka::ConfigMap& m) {
    json out = json::object();
    for (const auto& [k, v] : m) out[k] = value_json(v);
    return out;
}

nlohmann::ordered_json resolved_config_json(const scenarios::Scenario& s) {
    const kafka::BrokerConfig broker = kafka::BrokerConfig::from(s.kafka.profile, s.kafka.config);
    json out;
    out["broker"] = settings_json(broker);
    out["broker_overrides"] = config_map_json(s.kafka.config);
    out["topics"] = json::array();
    for (const auto& t : s.topics) {
        json j = {{"name", t.name},
                  {"partitions", t.partitions},
                  {"replication.factor", t.replication_factor},
                  {"config", settings_json(kafka::TopicConfig::from(broker, t.config))},
                  {"overrides", config_map_json(t.config)}};
        if (!t.assignment.empty()) j["assignment"] = t.assignment;
        out["topics"].push_back(std::move(j));
    }
    out["producers"] = json::array();
    for (const auto& p : s.producers) {
        out["producers"].push_back({{"id", p.id},
                                    {"topic", p.topic},
                                    {"rate_per_s", p.rate_per_s},
                                    {"keys", p.keys},
                                    {"from", sim::format_duration(p.from)},
                                    {"until", optional_duration(p.until)},
                                    {"config", settings_json(kafka::ProducerConfig::from(s.kafka.profile, p.config))},
                                    {"overrides", config_map_json(p.config)}});
    }
    out["consumers"] = json::array();
    for (const auto& c : s.consumers) {
        out["consumers"].push_back({{"group", c.group ? json(*c.group) : json(nullptr)},
                                    {"members", c.members},
                                    {"topics", c.topics},
                                    {"rate_per_s", c.rate_per_s ? json(*c.rate_per_s) : json(nullptr)},
                                    {"from", sim::format_duration(c.from)},
                                    {"until", optional_duration(c.until)},
                                    {"config", settings_json(kafka::ConsumerConfig::from(s.kafka.profile, c.config))},
                                    {"overrides", config_map_json(c.config)}});
    }
    if (!s.apps.empty()) {
        out["apps"] = json::array();
        for (const auto& a : s.apps) {
            json config = settings_json(a.streams);
            config["application.id"] = a.streams.application_id;
            json topology = {{"source", a.topology.source},
                             {"count", {{"store", a.topology.store}}},
                             {"sink", a.topology.sink},
                             {"changelog", a.changelog_topic()}};
            if (a.topology.keys_below) topology["filter"] = {{"keys_below", *a.topology.keys_below}};
            out["apps"].push_back({{"name", a.name},
                                   {"instances", a.instances},
                                   {"topology", std::move(topology)},
                                   {"from", sim::format_duration(a.from)},
                                   {"until", optional_duration(a.until)},
                                   {"config", std::move(config)},
                                   {"overrides", config_map_json(a.config)}});
        }
    }
    return out;
}

}  // namespace reports
