// The scenario loader and the config/profile tables behind it. The format is a published
// contract (../shared/SCENARIOS.md): the complete example there must always load, and every
// file in tests/scenarios/malformed/ must be rejected with an error at the path its first
// line names ("// expect: /faults/0/at"; an optional "// suggest: x" names the suggestion).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>

#include <nlohmann/json.hpp>

#include "broker/config.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;
using scenarios::load_scenario_file;
using scenarios::load_scenario_text;
using scenarios::parse_duration;

namespace {

const fs::path loader_source_dir = KAFKASIM_SOURCE_DIR;

std::string all_errors(const scenarios::LoadResult& r) {
    std::string out;
    for (const auto& e : r.errors) out += e.what() + "\n";
    return out;
}

// The value of a "// key: value" header line, or "".
std::string loader_header_value(const fs::path& file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    const std::string prefix = "// " + key + ": ";
    while (std::getline(in, line) && line.starts_with("//")) {
        if (line.starts_with(prefix)) return line.substr(prefix.size());
    }
    return "";
}

// A small valid scenario with one topic, producer and group, to which tests add one thing.
nlohmann::json base_scenario() {
    return nlohmann::json::parse(R"({
      "name": "base", "duration": "60s",
      "kafka": { "brokers": 3 },
      "topics": [ { "name": "orders", "partitions": 3, "replication.factor": 3 } ],
      "producers": [ { "id": "checkout", "topic": "orders", "rate": 100 } ],
      "consumers": [ { "group": "billing", "members": 2, "topics": ["orders"] } ]
    })");
}

scenarios::LoadResult load_json(const nlohmann::json& j) { return load_scenario_text(j.dump(), "test.json"); }

}  // namespace

TEST_CASE("the complete example of SCENARIOS.md loads", "[scenarios][loader]") {
    auto r = load_scenario_file((loader_source_dir / "tests/scenarios/valid/complete-example.json").string());
    INFO(all_errors(r));
    REQUIRE(r.errors.empty());
    REQUIRE(r.scenario);
    const scenarios::Scenario& s = *r.scenario;
    CHECK(s.name == "leader-crash-acks-all");
    CHECK(s.seed == 7);
    CHECK(s.duration == sim::seconds(60));
    CHECK(s.kafka.version == "3.7");
    CHECK(s.kafka.profile.name == "3.7");
    CHECK(s.kafka.metadata == scenarios::MetadataMode::kraft);
    CHECK(s.kafka.brokers == 3);
    CHECK(s.kafka.controllers == 3);
    CHECK(kafka::config_int(s.kafka.config.at("min.insync.replicas")) == 2);
    CHECK(s.network.latency_min == sim::milliseconds(1));
    CHECK(s.network.latency_max == sim::milliseconds(5));

    REQUIRE(s.topics.size() == 1);
    CHECK(s.topics[0].name == "orders");
    CHECK(s.topics[0].partitions == 3);
    CHECK(s.topics[0].replication_factor == 3);
    CHECK(kafka::config_int(s.topics[0].config.at("segment.bytes")) == 1048576);

    REQUIRE(s.producers.size() == 1);
    const auto& p = s.producers[0];
    CHECK(p.id == "checkout");
    CHECK(p.rate_per_s == 500);
    CHECK(p.keys == 100);
    CHECK(p.from == sim::seconds(1));
    CHECK(p.until == sim::seconds(50));
    CHECK(std::get<int64_t>(p.config.at("acks")) == -1);  // "all" normalised
    CHECK(std::get<bool>(p.config.at("enable.idempotence")));

    REQUIRE(s.consumers.size() == 1);
    CHECK(s.consumers[0].group == "billing");
    CHECK(s.consumers[0].members == 2);
    CHECK(s.consumers[0].topics == std::vector<std::string>{"orders"});
    CHECK(s.consumers[0].rate_per_s == 400);

    REQUIRE(s.faults.size() == 4);
    CHECK(s.faults[0].action == scenarios::FaultAction::crash);
    REQUIRE(s.faults[0].targets.size() == 1);
    CHECK(s.faults[0].targets[0].kind == scenarios::Target::Kind::partition_leader);
    CHECK(s.faults[0].targets[0].name == "orders");
    CHECK(s.faults[0].targets[0].id == 0);
    CHECK(s.faults[1].action == scenarios::FaultAction::restart);
    CHECK(s.faults[1].targets[0].kind == scenarios::Target::Kind::broker);
    CHECK(s.faults[1].targets[0].id == 1);
    CHECK(s.faults[2].action == scenarios::FaultAction::partition);
    REQUIRE(s.faults[2].groups.size() == 2);
    CHECK(s.faults[2].groups[1][0].kind == scenarios::Target::Kind::everyone_else);
    CHECK(s.faults[2].for_ == sim::seconds(8));
    CHECK(s.faults[3].action == scenarios::FaultAction::latency);
    REQUIRE(s.faults[3].between.size() == 2);
    CHECK(s.faults[3].between[1].id == 3);
    CHECK(s.faults[3].add == sim::milliseconds(200));
    CHECK(s.faults[3].index == 3);

    REQUIRE(s.expect.size() == 4);
    CHECK(s.expect[0].check == scenarios::CheckKind::no_acked_loss);
    CHECK(s.expect[1].check == scenarios::CheckKind::per_partition_order);
    CHECK(s.expect[2].check == scenarios::CheckKind::max_lag);
    CHECK(s.expect[2].group == "billing");
    CHECK(s.expect[2].below == 2000);
    CHECK(s.expect[2].after == sim::seconds(48));
    CHECK(s.expect[3].check == scenarios::CheckKind::recovers);
    CHECK(s.expect[3].within == sim::seconds(15));
    CHECK_FALSE(s.expect[3].expect_violated);
    CHECK(s.warnings.empty());
}

TEST_CASE("every malformed scenario is rejected at the path it names", "[scenarios][loader]") {
    auto files = json_files_in(loader_source_dir / "tests/scenarios/malformed");
    REQUIRE(files.size() >= 12);
    for (const auto& file : files) {
        const std::string expect = loader_header_value(file, "expect");
        const std::string suggest = loader_header_value(file, "suggest");
        auto r = load_scenario_file(file.string());
        INFO(file.filename().string() << " should fail at " << expect << "\n" << all_errors(r));
        REQUIRE_FALSE(expect.empty());
        CHECK_FALSE(r.scenario);
        // A JSON pointer must be the error's path; anything else (a syntax error's "line 6")
        // must appear in the message.
        auto matches = [&](const scenarios::LoadError& e) {
            return expect.starts_with("/") ? e.path == expect : e.what().find(expect) != std::string::npos;
        };
        auto it = std::find_if(r.errors.begin(), r.errors.end(), matches);
        REQUIRE(it != r.errors.end());
        CHECK(it->what().starts_with(file.string() + ": "));
        if (!suggest.empty()) CHECK(it->suggestion == suggest);
    }
}

TEST_CASE("scenarios in the library load", "[scenarios][loader]") {
    for (const auto& file : json_files_in(loader_source_dir / "scenarios/library")) {
        auto r = load_scenario_file(file.string());
        INFO(all_errors(r));
        CHECK(r.scenario);
    }
}

TEST_CASE("error messages name the file, the path and a suggestion", "[scenarios][loader]") {
    auto j = base_scenario();
    j["kafka"]["config"] = {{"min.insync.replica", 2}};
    auto r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].what() ==
          "test.json: /kafka/config/min.insync.replica: unknown broker config \"min.insync.replica\" "
          "(did you mean \"min.insync.replicas\"?)");

    j = base_scenario();
    j["faults"] = {{{"at", "10s"}, {"action", "crash"}, {"target", "broker:7"}}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].what() == "test.json: /faults/0/target: no broker 7: this cluster has brokers 1..3");

    j = base_scenario();
    j["faults"] = {{{"at", "ten seconds"}, {"action", "crash"}, {"target", "broker:1"}}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].what().starts_with("test.json: /faults/0/at: expected a duration like \"10s\""));
}

TEST_CASE("all errors are reported, not just the first", "[scenarios][loader]") {
    auto j = base_scenario();
    j.erase("duration");
    j["kafka"]["brokers"] = 0;
    j["network"] = {{"loss", 2}};
    j["producers"][0]["topic"] = "payments";
    j["expect"] = {"no-such-check"};
    auto r = load_json(j);
    std::vector<std::string> paths;
    for (const auto& e : r.errors) paths.push_back(e.path);
    INFO(all_errors(r));
    CHECK(paths == std::vector<std::string>{"/duration", "/kafka/brokers", "/network/loss", "/producers/0/topic",
                                            "/expect/0"});
}

TEST_CASE("durations are exact and in Kafka's units", "[scenarios][loader]") {
    using nlohmann::json;
    CHECK(parse_duration(json("1.5s")) == sim::microseconds(1500000));
    CHECK(parse_duration(json(250)) == sim::milliseconds(250));
    CHECK(parse_duration(json("2m")) == sim::seconds(120));
    CHECK(parse_duration(json("500us")) == sim::microseconds(500));
    CHECK(parse_duration(json("250ms")) == sim::milliseconds(250));
    CHECK(parse_duration(json("1h")) == sim::seconds(3600));
    CHECK(parse_duration(json("0.001s")) == sim::milliseconds(1));
    CHECK(parse_duration(json("0.1s")) == sim::milliseconds(100));  // no 0.1 binary rounding
    CHECK(parse_duration(json("0s")) == sim::Duration{0});
    CHECK(parse_duration(json("1.25m")) == sim::seconds(75));
    CHECK(parse_duration(json(0)) == sim::Duration{0});

    CHECK_FALSE(parse_duration(json("-1s")));
    CHECK_FALSE(parse_duration(json(-5)));
    CHECK_FALSE(parse_duration(json(1.5)));       // integers only: fractions need a unit
    CHECK_FALSE(parse_duration(json("1.5")));     // a string needs a unit
    CHECK_FALSE(parse_duration(json("10 s")));
    CHECK_FALSE(parse_duration(json("10sec")));
    CHECK_FALSE(parse_duration(json("1.0000001s")));  // finer than a microsecond
    CHECK_FALSE(parse_duration(json("1.5us")));
    CHECK_FALSE(parse_duration(json("s")));
    CHECK_FALSE(parse_duration(json(".5s")));
    CHECK_FALSE(parse_duration(json("")));
    CHECK_FALSE(parse_duration(json(true)));
    CHECK_FALSE(parse_duration(json("99999999999999999h")));  // overflow
}

TEST_CASE("targets parse into kinds", "[scenarios][loader]") {
    using K = scenarios::Target::Kind;
    auto kind = [](std::string_view t) { return scenarios::parse_target(t).value().kind; };
    CHECK(kind("broker:2") == K::broker);
    CHECK(kind("controller:3001") == K::controller);
    CHECK(kind("controller:active") == K::active_controller);
    CHECK(kind("quorum:leader") == K::quorum_leader);
    CHECK(kind("quorum:follower") == K::quorum_follower);
    CHECK(kind("zookeeper:leader") == K::zookeeper_leader);
    CHECK(kind("zookeeper:2") == K::zookeeper);
    CHECK(kind("coordinator:billing") == K::coordinator);
    CHECK(kind("producer:checkout") == K::producer);
    CHECK(kind("brokers") == K::all_brokers);
    CHECK(kind("controllers") == K::all_controllers);
    CHECK(kind("zookeepers") == K::all_zookeepers);
    CHECK(kind("*") == K::everyone_else);
    auto leader = scenarios::parse_target("leader:my.topic/12").value();
    CHECK(leader.kind == K::partition_leader);
    CHECK(leader.name == "my.topic");
    CHECK(leader.id == 12);
    auto member = scenarios::parse_target("consumer:team/a/2").value();  // group ids may hold '/'
    CHECK(member.name == "team/a");
    CHECK(member.id == 2);
    CHECK_FALSE(scenarios::parse_target("broker:"));
    CHECK_FALSE(scenarios::parse_target("broker:x"));
    CHECK_FALSE(scenarios::parse_target("leader:orders"));
    CHECK_FALSE(scenarios::parse_target("quorum:observer"));
    CHECK_FALSE(scenarios::parse_target("node:1"));
}

TEST_CASE("targets are checked against the scenario", "[scenarios][loader]") {
    auto with_fault = [](nlohmann::json fault) {
        auto j = base_scenario();
        j["faults"] = nlohmann::json::array({fault});
        return load_json(j);
    };
    // Lists of targets, clients and groups that exist all load.
    auto ok = with_fault({{"at", "5s"}, {"action", "pause"}, {"target", {"consumer:billing/2", "producer:checkout"}},
                          {"for", "1s"}});
    INFO(all_errors(ok));
    CHECK(ok.scenario);
    CHECK(with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "coordinator:billing"}}).scenario);
    CHECK(with_fault({{"at", "5s"}, {"action", "isolate"}, {"target", "controller:3002"}}).scenario);
    CHECK(with_fault({{"at", "5s"}, {"action", "heal"}}).scenario);
    CHECK(with_fault({{"at", "5s"}, {"action", "cut"}, {"from", "broker:1"}, {"to", {"broker:2", "broker:3"}}}).scenario);
    CHECK(with_fault({{"at", "5s"}, {"action", "loss"}, {"target", "brokers"}, {"probability", 0.2}}).scenario);

    auto r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "leader:orders/3"}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message == "topic \"orders\" has partitions 0..2");
    r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "controller:3003"}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message == "no controller 3003: this cluster has controllers 3000..3002");
    r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "coordinator:nobody"}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].path == "/faults/0/target");
    r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "brokr:1"}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].suggestion == "broker:1");
    r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "*"}});
    REQUIRE(r.errors.size() == 1);  // "*" only inside partition groups
    r = with_fault({{"at", "5s"}, {"action", "crash"}, {"target", "broker:1"}, {"groups", {{"broker:1"}, {"*"}}}});
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].path == "/faults/0/groups");
    CHECK(r.errors[0].message == "field \"groups\" does not apply to action \"crash\"");

    // ZooKeeper mode: ensemble targets exist, dedicated controllers do not.
    auto j = base_scenario();
    j["kafka"] = {{"version", "2.4"}, {"metadata", "zookeeper"}, {"brokers", 3}, {"zookeeper", 3}};
    j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", {"zookeeper:3", "zookeeper:leader", "controller:active"}}}};
    CHECK(load_json(j).scenario);
    j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", "controller:3000"}}};
    CHECK(load_json(j).errors.size() == 1);
    j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", "zookeeper:4"}}};
    REQUIRE(load_json(j).errors.size() == 1);
    CHECK(load_json(j).errors[0].message == "no zookeeper 4: this ensemble has servers 1..3");
}

TEST_CASE("expectations take their parameters", "[scenarios][loader]") {
    auto j = base_scenario();
    j["expect"] = nlohmann::json::parse(R"([
      { "check": "quorum", "available": false, "during": ["10s", "20s"], "outcome": "violated" },
      { "check": "availability", "min": 0.99, "producer": "checkout" },
      { "check": "failover-time", "max": "5s" },
      "single-leader"
    ])");
    auto r = load_json(j);
    INFO(all_errors(r));
    REQUIRE(r.scenario);
    const auto& e = r.scenario->expect;
    REQUIRE(e.size() == 4);
    CHECK_FALSE(e[0].available);
    CHECK(e[0].expect_violated);
    CHECK(e[0].during_from == sim::seconds(10));
    CHECK(e[0].during_to == sim::seconds(20));
    CHECK(e[1].min == 0.99);
    CHECK(e[1].producer == "checkout");
    CHECK(e[2].max == sim::seconds(5));

    j["expect"] = {"max-lag"};  // needs group and below
    CHECK(load_json(j).errors.size() == 1);
    j["expect"] = {{{"check", "recovers"}, {"within", "10s"}, {"group", "billing"}}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].path == "/expect/0/group");
    j["expect"] = {{{"check", "availability"}, {"min", 1.5}}};
    CHECK(load_json(j).errors.size() == 1);
    j["expect"] = {{{"check", "quorum"}, {"during", {"20s", "10s"}}}};
    CHECK(load_json(j).errors.size() == 1);
}

TEST_CASE("version profiles", "[config][profiles]") {
    CHECK(kafka::profile_for("2.8")->name == "2.4");
    CHECK(kafka::profile_for("3.4.1")->name == "3.0");
    CHECK(kafka::profile_for("0.10.2.1")->name == "0.10");
    CHECK(kafka::profile_for("0.8")->name == "0.8");
    CHECK(kafka::profile_for("0.8.2")->name == "0.8");
    CHECK(kafka::profile_for("0.9")->name == "0.8");
    CHECK(kafka::profile_for("1.1")->name == "0.11");
    CHECK(kafka::profile_for("2.0")->name == "2.0");
    CHECK(kafka::profile_for("3.9")->name == "3.7");
    CHECK(kafka::profile_for("4.0")->name == "4.0");
    CHECK(kafka::profile_for("4.x")->name == "4.5");
    CHECK(kafka::profile_for("4.4")->name == "4.1");
    CHECK(kafka::profile_for("4.5")->name == "4.5");
    CHECK(kafka::profile_for("4.1")->name == "4.1");
    CHECK(kafka::profile_for("4.0.2")->name == "4.0");
    CHECK_FALSE(kafka::profile_for("5.0"));
    CHECK_FALSE(kafka::profile_for("0.7"));
    CHECK_FALSE(kafka::profile_for("abc"));
    CHECK_FALSE(kafka::profile_for("3"));
    CHECK_FALSE(kafka::profile_for("3.10"));
    CHECK_FALSE(kafka::profile_for(""));
    CHECK_FALSE(kafka::profile_for("3.7."));

    auto names = std::vector<std::string>{};
    for (const auto& p : kafka::all_profiles()) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"0.8", "0.10", "0.11", "2.0", "2.4", "3.0", "3.7", "4.0", "4.1", "4.5"});

    auto old = *kafka::profile_for("0.10");
    CHECK_FALSE(old.behaviour.truncate_by_leader_epoch);
    CHECK(kafka::config_bool(old.defaults.at("unclean.leader.election.enable")));
    CHECK(kafka::profile_for("0.11")->behaviour.truncate_by_leader_epoch);
    CHECK_FALSE(kafka::profile_for("0.11")->defaults.contains("unclean.leader.election.enable"));
    CHECK_FALSE(kafka::profile_for("2.0")->behaviour.controller_epoch_fencing);
    CHECK(kafka::profile_for("2.0")->behaviour.kip279_epoch_end_offsets);
    CHECK(kafka::profile_for("2.4")->behaviour.controller_epoch_fencing);
    CHECK_FALSE(kafka::profile_for("3.6")->behaviour.hw_frozen_below_min_isr);
    CHECK_FALSE(kafka::profile_for("3.6")->behaviour.raft_check_quorum);
    CHECK(kafka::profile_for("3.7")->behaviour.hw_frozen_below_min_isr);
    CHECK(kafka::profile_for("3.7")->behaviour.raft_check_quorum);
    CHECK(kafka::config_int(kafka::profile_for("4.0")->defaults.at("linger.ms")) == 5);
    CHECK(kafka::profile_for("3.7")->defaults.empty());
    for (const auto& p : kafka::all_profiles()) CHECK(p.notes.size() >= 7);
    CHECK(scenarios::describe_profile(old).find("unclean.leader.election.enable = true") != std::string::npos);
}

TEST_CASE("config names, suggestions and normalisation", "[config]") {
    // Every name the format's page mentions is known, in the right scope.
    for (auto name : {"min.insync.replicas", "unclean.leader.election.enable", "replica.lag.time.max.ms",
                      "broker.session.timeout.ms", "zookeeper.session.timeout.ms", "controller.quorum.election.timeout.ms",
                      "log.segment.bytes", "log.flush.interval.messages", "log.flush.interval.ms"}) {
        INFO(name);
        REQUIRE(kafka::find_config_key(name));
        CHECK((kafka::find_config_key(name)->scopes & kafka::scope_broker) != 0);
    }
    for (auto name : {"segment.bytes", "segment.ms", "retention.ms", "min.insync.replicas"}) {
        CHECK((kafka::find_config_key(name)->scopes & kafka::scope_topic) != 0);
    }
    for (auto name : {"acks", "enable.idempotence", "retries", "linger.ms", "batch.size", "delivery.timeout.ms",
                      "request.timeout.ms", "max.in.flight.requests.per.connection"}) {
        CHECK((kafka::find_config_key(name)->scopes & kafka::scope_producer) != 0);
    }
    for (auto name : {"auto.offset.reset", "enable.auto.commit", "auto.commit.interval.ms", "session.timeout.ms",
                      "heartbeat.interval.ms", "max.poll.interval.ms", "partition.assignment.strategy", "isolation.level"}) {
        CHECK((kafka::find_config_key(name)->scopes & kafka::scope_consumer) != 0);
    }
    // Names are unique.
    auto keys = kafka::config_keys();
    for (size_t i = 0; i < keys.size(); ++i) {
        for (size_t j = i + 1; j < keys.size(); ++j) CHECK(keys[i].name != keys[j].name);
    }

    CHECK(kafka::suggest_config_key("min.insync.replica", kafka::scope_broker) == "min.insync.replicas");
    CHECK(kafka::suggest_config_key("replica.lag.time.max", kafka::scope_broker) == "replica.lag.time.max.ms");
    CHECK(kafka::suggest_config_key("ack", kafka::scope_producer) == "acks");
    CHECK(kafka::suggest_config_key("ack", kafka::scope_consumer) == "");  // only within the scope
    CHECK(kafka::suggest_config_key("something.else.entirely", kafka::scope_broker) == "");

    auto normalise = [](const char* name, kafka::ConfigValue v) {
        auto error = kafka::normalise_config_value(*kafka::find_config_key(name), v);
        return std::pair{v, error};
    };
    CHECK(normalise("acks", std::string("all")).first == kafka::ConfigValue{int64_t{-1}});
    CHECK(normalise("acks", std::string("-1")).first == kafka::ConfigValue{int64_t{-1}});
    CHECK(normalise("acks", int64_t{-1}).first == kafka::ConfigValue{int64_t{-1}});
    CHECK(normalise("acks", std::string("1")).first == kafka::ConfigValue{int64_t{1}});
    CHECK(normalise("acks", int64_t{0}).first == kafka::ConfigValue{int64_t{0}});
    CHECK(normalise("acks", std::string("2")).second == "expected \"all\", -1, 0 or 1");
    CHECK(normalise("acks", int64_t{2}).second);
    CHECK(normalise("enable.idempotence", std::string("true")).first == kafka::ConfigValue{true});
    CHECK(normalise("enable.idempotence", int64_t{1}).second == "expected true or false");
    CHECK(normalise("linger.ms", std::string("20")).first == kafka::ConfigValue{int64_t{20}});
    CHECK(normalise("linger.ms", std::string("soon")).second);
    CHECK(normalise("linger.ms", 2.5).second);
    CHECK(normalise("min.insync.replicas", int64_t{0}).second == "expected an integer >= 1");
    CHECK(normalise("min.cleanable.dirty.ratio", int64_t{1}).first == kafka::ConfigValue{1.0});
    CHECK(normalise("auto.offset.reset", std::string("earliest")).second == std::nullopt);
    CHECK(normalise("auto.offset.reset", std::string("smallest")).second ==
          "expected \"earliest\", \"latest\" or \"none\"");
    CHECK(normalise("isolation.level", std::string("read_committed")).second == std::nullopt);
    CHECK(normalise("isolation.level", std::string("committed")).second);
    CHECK(normalise("partition.assignment.strategy",
                    std::string("org.apache.kafka.clients.consumer.RangeAssignor, cooperative-sticky"))
              .first == kafka::ConfigValue{std::string("range,cooperative-sticky")});
    CHECK(normalise("partition.assignment.strategy", std::string("roundrobin")).second == std::nullopt);
    CHECK(normalise("partition.assignment.strategy", std::string("fair")).second);
}

TEST_CASE("at-least-once over a group left at auto.offset.reset=latest is warned about", "[scenarios][loader]") {
    auto j = base_scenario();
    j["expect"] = {{{"check", "at-least-once"}, {"group", "billing"}}};
    auto warned = [](const scenarios::LoadResult& r) {
        return std::any_of(r.scenario->warnings.begin(), r.scenario->warnings.end(), [](const std::string& w) {
            return w.starts_with("/consumers/0: group \"billing\" uses auto.offset.reset=latest (Kafka's default)") &&
                   w.find("at-least-once (/expect/0)") != std::string::npos;
        });
    };
    auto r = load_json(j);
    INFO(all_errors(r));
    REQUIRE(r.scenario);
    CHECK(warned(r));
    j["consumers"][0]["config"] = {{"auto.offset.reset", "earliest"}};
    auto fixed = load_json(j);
    REQUIRE(fixed.scenario);
    CHECK_FALSE(warned(fixed));
    CHECK(fixed.scenario->warnings.empty());
}

TEST_CASE("config maps in scenarios: scope, warnings, JSON forms", "[scenarios][config]") {
    auto j = base_scenario();
    j["producers"][0]["config"] = {{"compression.type", "lz4"}, {"acks", "1"}};
    j["consumers"][0]["config"] = {{"partition.assignment.strategy", {"roundrobin", "range"}},
                                   {"enable.auto.commit", "false"}};
    j["topics"][0]["config"] = {{"delete.retention.ms", 1000000}};
    auto r = load_json(j);
    INFO(all_errors(r));
    REQUIRE(r.scenario);
    const auto& w = r.scenario->warnings;
    CHECK(std::count(w.begin(), w.end(),
                     "/producers/0/config/compression.type: compression.type is accepted but not modelled") == 1);
    CHECK(std::count(w.begin(), w.end(),
                     "/topics/0/config/delete.retention.ms: delete.retention.ms is accepted but not modelled") == 1);
    CHECK(std::get<std::string>(r.scenario->consumers[0].config.at("partition.assignment.strategy")) == "roundrobin,range");
    CHECK(std::get<bool>(r.scenario->consumers[0].config.at("enable.auto.commit")) == false);

    // A topic-level name in the broker config: says so and suggests the broker name.
    j = base_scenario();
    j["kafka"]["config"] = {{"segment.bytes", 1048576}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].suggestion == "log.segment.bytes");
    // A producer name in a consumer's config.
    j = base_scenario();
    j["consumers"][0]["config"] = {{"acks", "all"}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message.find("is a producer setting") != std::string::npos);
    // Wrong value type.
    j = base_scenario();
    j["kafka"]["config"] = {{"unclean.leader.election.enable", "yes"}};
    r = load_json(j);
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].message == "expected true or false, got \"yes\"");
}

TEST_CASE("typed configs follow the profile, then the overrides", "[config]") {
    auto v37 = *kafka::profile_for("3.7");
    auto v24 = *kafka::profile_for("2.4");
    auto v010 = *kafka::profile_for("0.10");

    auto broker = kafka::BrokerConfig::from(v010, {{"log.retention.hours", int64_t{1}}, {"log.roll.hours", int64_t{2}}});
    CHECK(broker.unclean_leader_election_enable);
    CHECK(broker.replica_lag_time_max_ms == 10000);
    CHECK(broker.zookeeper_session_timeout_ms == 6000);
    CHECK(broker.log_roll_ms == 7200000);
    CHECK_FALSE(broker.behaviour.truncate_by_leader_epoch);
    // ms wins over hours, as in Kafka.
    broker = kafka::BrokerConfig::from(v37, {{"log.roll.hours", int64_t{2}}, {"log.roll.ms", int64_t{5000}},
                                             {"unclean.leader.election.enable", true}});
    CHECK(broker.log_roll_ms == 5000);
    CHECK(broker.unclean_leader_election_enable);
    CHECK(broker.replica_lag_time_max_ms == 30000);
    CHECK(broker.behaviour.raft_check_quorum);

    broker = kafka::BrokerConfig::from(v37, {{"min.insync.replicas", int64_t{2}}, {"log.segment.bytes", int64_t{4096}}});
    auto topic = kafka::TopicConfig::from(broker, {{"segment.ms", int64_t{60000}}});
    CHECK(topic.min_insync_replicas == 2);
    CHECK(topic.segment_bytes == 4096);
    CHECK(topic.segment_ms == 60000);
    CHECK(topic.overrides.size() == 1);
    CHECK(kafka::TopicConfig::from(broker, {{"min.insync.replicas", int64_t{3}}}).min_insync_replicas == 3);

    auto producer = kafka::ProducerConfig::from(v37, {});
    CHECK(producer.acks == -1);
    CHECK(producer.enable_idempotence);
    CHECK_FALSE(producer.idempotence_explicit);
    CHECK(producer.linger_ms == 0);
    CHECK(kafka::ProducerConfig::from(*kafka::profile_for("4.0"), {}).linger_ms == 5);
    producer = kafka::ProducerConfig::from(v24, {});
    CHECK(producer.acks == 1);
    CHECK_FALSE(producer.enable_idempotence);
    // acks=1 without an explicit enable.idempotence: idempotence is quietly off (KAFKA-13598).
    producer = kafka::ProducerConfig::from(v37, {{"acks", int64_t{1}}});
    CHECK_FALSE(producer.enable_idempotence);
    CHECK_FALSE(kafka::producer_config_conflict(producer, {{"acks", int64_t{1}}}));
    producer = kafka::ProducerConfig::from(v37, {{"max.in.flight.requests.per.connection", int64_t{10}}});
    CHECK_FALSE(producer.enable_idempotence);
    kafka::ConfigMap explicit_conflict = {{"acks", int64_t{1}}, {"enable.idempotence", true}};
    producer = kafka::ProducerConfig::from(v37, explicit_conflict);
    CHECK(producer.idempotence_explicit);
    CHECK(kafka::producer_config_conflict(producer, explicit_conflict));

    auto consumer = kafka::ConsumerConfig::from(v24, {{"auto.offset.reset", std::string("earliest")}});
    CHECK(consumer.session_timeout_ms == 10000);
    CHECK(consumer.partition_assignment_strategy == "range");
    CHECK(consumer.auto_offset_reset == "earliest");
    consumer = kafka::ConsumerConfig::from(v37, {});
    CHECK(consumer.session_timeout_ms == 45000);
    CHECK(consumer.partition_assignment_strategy == "range,cooperative-sticky");
    CHECK(kafka::consumer_config_conflict(kafka::ConsumerConfig::from(v37, {{"heartbeat.interval.ms", int64_t{50000}}})));
}

TEST_CASE("defaults and version-specific rules in scenarios", "[scenarios][loader]") {
    // Minimal file: every default from the format page.
    auto r = load_scenario_text(R"({ "name": "m", "duration": 1000, "kafka": {} })", "m.json");
    INFO(all_errors(r));
    REQUIRE(r.scenario);
    CHECK(r.scenario->seed == 1);
    CHECK(r.scenario->duration == sim::seconds(1));
    CHECK(r.scenario->kafka.version == "3.7");
    CHECK(r.scenario->kafka.brokers == 3);
    CHECK(r.scenario->network.latency_min == sim::milliseconds(1));
    CHECK(r.scenario->network.latency_max == sim::milliseconds(3));

    // Topic counts default to num.partitions / default.replication.factor, or the assignment.
    auto j = base_scenario();
    j["kafka"]["config"] = {{"num.partitions", 6}, {"default.replication.factor", 2}};
    j["topics"] = nlohmann::json::parse(R"([{ "name": "a" }, { "name": "b", "assignment": [[1, 2], [2, 3], [3, 1]] }])");
    j.erase("producers");
    j["consumers"][0]["topics"] = {"a", "b"};
    r = load_json(j);
    INFO(all_errors(r));
    REQUIRE(r.scenario);
    CHECK(r.scenario->topics[0].partitions == 6);
    CHECK(r.scenario->topics[0].replication_factor == 2);
    CHECK(r.scenario->topics[1].partitions == 3);
    CHECK(r.scenario->topics[1].replication_factor == 2);
    CHECK(r.scenario->topics[1].assignment[2] == std::vector<int32_t>{3, 1});

    // Old releases in KRaft mode load, with a warning that KRaft did not exist yet.
    j = base_scenario();
    j["kafka"]["version"] = "0.10.2.1";
    r = load_json(j);
    REQUIRE(r.scenario);
    CHECK(r.scenario->kafka.profile.name == "0.10");
    CHECK(r.scenario->kafka.version == "0.10.2.1");
    CHECK(std::any_of(r.scenario->warnings.begin(), r.scenario->warnings.end(),
                      [](const std::string& w) { return w.starts_with("/kafka/metadata: KRaft did not exist"); }));
    // A version as a JSON number is refused (2.10 would read as 2.1).
    j["kafka"]["version"] = 3.7;
    CHECK(load_json(j).errors.size() == 1);
    // A consumer without a group cannot auto-commit.
    j = base_scenario();
    j["consumers"][0]["group"] = nullptr;
    CHECK(load_json(j).scenario);
    j["consumers"][0]["config"] = {{"enable.auto.commit", true}};
    CHECK(load_json(j).errors.size() == 1);
    // A missing group is not the same as "group": null.
    j["consumers"][0].erase("group");
    j["consumers"][0].erase("config");
    CHECK(load_json(j).errors.size() == 1);
}

TEST_CASE("an unreadable file is an error, not a crash", "[scenarios][loader]") {
    auto r = load_scenario_file("/nonexistent/scenario.json");
    REQUIRE(r.errors.size() == 1);
    CHECK_FALSE(r.scenario);
    CHECK(r.errors[0].what().starts_with("/nonexistent/scenario.json: cannot read the file"));
}

TEST_CASE("fault and check names round-trip through to_string", "[scenarios]") {
    CHECK(std::string(scenarios::to_string(scenarios::FaultAction::power_loss)) == "power-loss");
    CHECK(std::string(scenarios::to_string(scenarios::FaultAction::heal)) == "heal");
    CHECK(std::string(scenarios::to_string(scenarios::CheckKind::max_lag)) == "max-lag");
    CHECK(std::string(scenarios::to_string(scenarios::CheckKind::no_acked_loss)) == "no-acked-loss");
}
