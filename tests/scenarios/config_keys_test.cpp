// What the key table drives outside the broker: the resolved configuration in report.json
// (exactly the modelled keys), validate's warnings for keys the model does not read, and the
// generated reference page docs/config-keys.md.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "broker/config.hpp"
#include "reports/config_reference.hpp"
#include "reports/resolved_config.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

scenarios::Scenario load(const nlohmann::json& j) {
    scenarios::LoadResult r = scenarios::load_scenario_text(j.dump(), "test.json");
    std::string errors;
    for (const auto& e : r.errors) errors += e.what() + "\n";
    INFO(errors);
    REQUIRE(r.scenario);
    return *r.scenario;
}

nlohmann::json zookeeper_scenario() {
    return nlohmann::json::parse(R"({
      "name": "keys", "duration": "10s",
      "kafka": { "version": "3.7", "metadata": "zookeeper", "brokers": 3,
                 "config": { "zookeeper.tickTime": 500, "log.roll.hours": 2 } },
      "topics": [ { "name": "orders", "partitions": 1, "replication.factor": 3 },
                  { "name": "out", "partitions": 1, "replication.factor": 3 } ],
      "producers": [ { "id": "p", "topic": "orders", "rate": 10, "keys": 5 } ],
      "consumers": [ { "group": "g", "members": 1, "topics": ["orders"] } ],
      "apps": [ { "name": "a", "topology": { "source": "orders", "count": {}, "sink": "out" } } ]
    })");
}

// The modelled keys of a scope, one per field (log.roll.hours shows as log.roll.ms).
std::set<std::string> modelled_keys(unsigned scope) {
    std::set<std::string> out;
    for (const kafka::ConfigKey& k : kafka::config_keys()) {
        if ((k.scopes & scope) != 0 && k.modelled() && !k.read_by_name && k.unit == 1) out.insert(std::string(k.name));
    }
    return out;
}

std::set<std::string> keys_of(const nlohmann::ordered_json& j) {
    std::set<std::string> out;
    for (const auto& [k, v] : j.items()) out.insert(k);
    return out;
}

}  // namespace

TEST_CASE("report.json: the resolved configuration has exactly the modelled keys", "[scenarios][config]") {
    const scenarios::Scenario s = load(zookeeper_scenario());
    const nlohmann::ordered_json config = reports::resolved_config_json(s);
    CHECK(keys_of(config["broker"]) == modelled_keys(kafka::scope_broker));
    REQUIRE(config["topics"].size() == 3);  // orders, out and the app's changelog a-counts-changelog
    CHECK(config["topics"][2]["name"] == "a-counts-changelog");
    CHECK(keys_of(config["topics"][0]["config"]) == modelled_keys(kafka::scope_topic));
    REQUIRE(config["producers"].size() == 1);
    CHECK(keys_of(config["producers"][0]["config"]) == modelled_keys(kafka::scope_producer));
    REQUIRE(config["consumers"].size() == 1);
    CHECK(keys_of(config["consumers"][0]["config"]) == modelled_keys(kafka::scope_consumer));
    REQUIRE(config["apps"].size() == 1);
    std::set<std::string> app_keys = modelled_keys(kafka::scope_streams);
    app_keys.insert("application.id");  // read by name, shown as resolved (the app's name here)
    CHECK(keys_of(config["apps"][0]["config"]) == app_keys);
    CHECK(config["apps"][0]["config"]["application.id"] == "a");

    // Every key the model reads is there, as the model saw it: the ensemble's settings too.
    CHECK(config["broker"]["zookeeper.tickTime"] == 500);
    CHECK(config["broker"]["zookeeper.initLimit"] == 10);
    CHECK(config["broker"]["zookeeper.syncLimit"] == 5);
    CHECK(config["broker"]["eligible.leader.replicas.version"] == 0);
    CHECK(config["broker"]["log.roll.ms"] == 7200000);
    CHECK(config["topics"][0]["config"]["segment.ms"] == 7200000);
    CHECK(config["producers"][0]["config"]["acks"] == -1);
    CHECK(config["consumers"][0]["config"]["partition.assignment.strategy"] == "range,cooperative-sticky");
    CHECK(config["broker"]["log.retention.ms"] == 604800000);  // from log.retention.hours
    CHECK(config["topics"][0]["config"]["retention.ms"] == 604800000);
    // What the model does not read is not shown as if it were in force.
    CHECK_FALSE(config["broker"].contains("offsets.retention.minutes"));
    CHECK_FALSE(config["topics"][0]["config"].contains("delete.retention.ms"));
}

TEST_CASE("validate: every key without a field is accepted with a warning", "[scenarios][config]") {
    // One scenario setting each unmodelled key once, in its first scope.
    nlohmann::json j = zookeeper_scenario();
    std::set<std::string> expected;
    for (const kafka::ConfigKey& k : kafka::config_keys()) {
        if (k.modelled()) continue;
        nlohmann::json value;
        switch (k.type) {
            case kafka::ConfigType::boolean: value = true; break;
            case kafka::ConfigType::integer: value = k.min_value > 0 ? k.min_value : 0; break;
            case kafka::ConfigType::ratio: value = 0.5; break;
            case kafka::ConfigType::acks: value = "all"; break;
            case kafka::ConfigType::string: {
                // A value the model does not do where the key lists the ones it does.
                const std::map<std::string_view, const char*> unmodelled = {
                    {"compression.type", "lz4"}, {"cleanup.policy", "compact"}, {"log.cleanup.policy", "compact"},
                    {"group.protocol", "consumer"}};
                value = unmodelled.contains(k.name) ? unmodelled.at(k.name) : "x";
                break;
            }
        }
        std::string path;
        const std::string name(k.name);
        if (k.scopes & kafka::scope_broker) {
            j["kafka"]["config"][name] = value;
            path = "/kafka/config/";
        } else if (k.scopes & kafka::scope_topic) {
            j["topics"][0]["config"][name] = value;
            path = "/topics/0/config/";
        } else if (k.scopes & kafka::scope_producer) {
            j["producers"][0]["config"][name] = value;
            path = "/producers/0/config/";
        } else if (k.scopes & kafka::scope_consumer) {
            j["consumers"][0]["config"][name] = value;
            path = "/consumers/0/config/";
        } else if (k.scopes & kafka::scope_streams) {
            j["apps"][0]["config"][name] = value;
            path = "/apps/0/config/";
        } else {
            j["connect"]["mode"] = "distributed";
            j["connect"]["config"][name] = value;
            path = "/connect/config/";
        }
        expected.insert(path + name + ": " + name + " is accepted but not modelled");
    }
    const scenarios::Scenario s = load(j);
    std::set<std::string> warned;
    for (const auto& w : s.warnings) {
        if (w.ends_with("is accepted but not modelled")) warned.insert(w);
    }
    CHECK(warned == expected);
    for (auto demoted : {"/kafka/config/offsets.retention.minutes: offsets.retention.minutes is accepted but not modelled",
                         "/kafka/config/num.replica.fetchers: num.replica.fetchers is accepted but not modelled",
                         "/kafka/config/message.max.bytes: message.max.bytes is accepted but not modelled",
                         "/topics/0/config/delete.retention.ms: delete.retention.ms is accepted but not modelled"})
        CHECK(warned.contains(demoted));
    // No warning for the modelled ones the scenario set.
    for (const auto& w : s.warnings) CHECK(w.find("zookeeper.tickTime") == std::string::npos);
}

TEST_CASE("docs/config-keys.md is the generated reference of the key table", "[scenarios][config][docs]") {
    std::ifstream in(source_dir / "docs/config-keys.md");
    std::stringstream page;
    page << in.rdbuf();
    INFO("regenerate it: build/default/kafkasim configs > docs/config-keys.md");
    CHECK(page.str() == reports::config_reference_markdown());
    for (const kafka::ConfigKey& k : kafka::config_keys()) {
        INFO(k.name);
        CHECK(page.str().find("| `" + std::string(k.name) + "` |") != std::string::npos);
    }
}

TEST_CASE("docs/scenario-format.md names only real keys, each where it belongs", "[scenarios][config][docs]") {
    // The format page lists some keys by hand in each config row: they must exist in that scope.
    std::ifstream in(source_dir / "docs/scenario-format.md");
    const std::map<std::string, unsigned> section_scope = {{"## `kafka`", kafka::scope_broker},
                                                           {"## `topics`", kafka::scope_topic},
                                                           {"## `producers`", kafka::scope_producer},
                                                           {"## `consumers`", kafka::scope_consumer},
                                                           {"## `apps`", kafka::scope_streams}};
    const std::regex dotted("`([A-Za-z]+(?:\\.[A-Za-z]+)+)`");
    unsigned scope = 0;
    int rows = 0;
    std::string line;
    while (std::getline(in, line)) {
        for (const auto& [heading, s] : section_scope)
            if (line.starts_with(heading)) scope = s;
        if (!line.starts_with("| `config` |")) continue;
        ++rows;
        for (auto it = std::sregex_iterator(line.begin(), line.end(), dotted); it != std::sregex_iterator(); ++it) {
            const std::string name = (*it)[1];
            INFO(name);
            const kafka::ConfigKey* key = kafka::find_config_key(name);
            REQUIRE(key != nullptr);
            CHECK((key->scopes & scope) != 0);
        }
    }
    CHECK(rows == 5);
}
