// A scenario producer's "value": {"size": N, "pattern": "..."}: the loader reads and checks it,
// the producer gives each record that text value, and the committed log (and the replica log
// view) holds it.
#include <catch2/catch.hpp>

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "clients/producer_client.hpp"
#include "reports/replica_log_view.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace {

// JSON from text: brace lists of one element read differently under GCC and clang.
nlohmann::json pv_json(const char* text) { return nlohmann::json::parse(text); }

nlohmann::json pv_scenario(const nlohmann::json& producer) {
    nlohmann::json j = pv_json(R"({"name": "values", "duration": "15s", "kafka": {"brokers": 1},
        "topics": [{"name": "orders", "partitions": 2, "replication.factor": 1}]})");
    j["producers"] = nlohmann::json::array();
    j["producers"].push_back(producer);
    return j;
}

scenarios::LoadResult pv_load(const nlohmann::json& j) { return scenarios::load_scenario_text(j.dump(), "values.json"); }

// The one error of loading `value` into a producer of `keys` keys.
scenarios::LoadError pv_error(const nlohmann::json& value) {
    nlohmann::json p = pv_json(R"({"id": "shop", "topic": "orders", "rate": 10})");
    p["value"] = value;
    auto r = pv_load(pv_scenario(p));
    CHECK_FALSE(r.scenario);
    REQUIRE(r.errors.size() == 1);
    return r.errors[0];
}

}  // namespace

TEST_CASE("producer value: the loader reads size and pattern", "[scenarios][loader]") {
    auto r = pv_load(pv_scenario(pv_json(R"({"id": "shop", "topic": "orders", "rate": 10, "keys": 4,
        "value": {"size": 32, "pattern": "{producer}:{key}:{seq} {{x}}"}})")));
    REQUIRE(r.errors.empty());
    REQUIRE(r.scenario);
    const auto& p = r.scenario->producers.at(0);
    REQUIRE(p.value);
    CHECK(p.value->size_bytes == 32);
    CHECK(p.value->pattern == "{producer}:{key}:{seq} {{x}}");

    // Only a size: the default pattern, padded. No "value": none, as before.
    r = pv_load(pv_scenario(pv_json(R"({"topic": "orders", "rate": 10, "value": {"size": 8}})")));
    REQUIRE(r.scenario);
    REQUIRE(r.scenario->producers.at(0).value);
    CHECK(r.scenario->producers.at(0).value->pattern == "{seq}");
    r = pv_load(pv_scenario(pv_json(R"({"topic": "orders", "rate": 10})")));
    REQUIRE(r.scenario);
    CHECK_FALSE(r.scenario->producers.at(0).value);
}

TEST_CASE("producer value: patterns render with their placeholders and size", "[scenarios][loader]") {
    kafka::RecordValueSpec spec{"{producer}:{key}:{seq} {{x}}", 0, "shop"};
    CHECK(kafka::render_record_value(spec, 17, 3) == "shop:3:17 {x}");
    spec.size_bytes = 12;
    CHECK(kafka::render_record_value(spec, 17, 3) == "shop:3:17 {x");  // cut
    spec.pattern = "order-{seq}";
    CHECK(kafka::render_record_value(spec, 5, -1) == "order-5xxxxx");  // padded
    CHECK(kafka::value_pattern_uses("a-{key}", "key"));
    CHECK_FALSE(kafka::value_pattern_uses("a-{{key}}", "key"));
}

TEST_CASE("producer value: bad values are errors with the path and what was expected", "[scenarios][loader]") {
    scenarios::LoadError e = pv_error(pv_json(R"({"pattern": "order-{sq}"})"));
    CHECK(e.path == "/producers/0/value/pattern");
    CHECK(contains(e.what(), "values.json: /producers/0/value/pattern: unknown placeholder {sq}"));
    CHECK(e.suggestion == "{seq}");

    e = pv_error(pv_json(R"({"size": 0})"));
    CHECK(e.path == "/producers/0/value/size");
    CHECK(contains(e.message, "an integer from 1 to 1048576"));
    CHECK(contains(e.message, "got 0"));
    CHECK(pv_error(pv_json(R"({"size": -5})")).path == "/producers/0/value/size");
    CHECK(pv_error(pv_json(R"({"size": "100"})")).path == "/producers/0/value/size");
    CHECK(pv_error(pv_json(R"({"size": 2.5})")).path == "/producers/0/value/size");
    CHECK(pv_error(pv_json(R"({"size": 2000000})")).path == "/producers/0/value/size");

    e = pv_error(pv_json(R"({"pattern": 7})"));
    CHECK(e.path == "/producers/0/value/pattern");
    CHECK(contains(e.message, "expected a pattern string"));
    CHECK(contains(pv_error(pv_json(R"({"pattern": "order-{seq"})")).message, "never closed"));
    CHECK(contains(pv_error(pv_json(R"({"pattern": "order}"})")).message, "\"}}\""));

    // {key} on a producer without keys.
    e = pv_error(pv_json(R"({"pattern": "{key}"})"));
    CHECK(e.path == "/producers/0/value/pattern");
    CHECK(contains(e.message, "\"keys\""));

    e = pv_error(nlohmann::json("order-{seq}"));
    CHECK(e.path == "/producers/0/value");
    CHECK(contains(e.message, "a record value"));
    e = pv_error(nlohmann::json::object());
    CHECK(e.path == "/producers/0/value");
    CHECK(contains(e.message, "\"size\" or \"pattern\""));
    e = pv_error(pv_json(R"({"sise": 10, "pattern": "o-{seq}"})"));
    CHECK(e.path == "/producers/0/value/sise");
    CHECK(e.suggestion == "size");
}

TEST_CASE("producer value: the values are in the committed log and the replica log view", "[scenarios][values]") {
    nlohmann::json j = pv_scenario(pv_json(R"({"id": "shop", "topic": "orders", "rate": 50, "keys": 5,
        "until": "4s", "value": {"pattern": "{producer}:{key}:{seq}"}})"));
    j["producers"].push_back(pv_json(R"({"id": "pad", "topic": "orders", "rate": 20, "until": "4s",
        "value": {"size": 10, "pattern": "o-{seq}"}})"));
    j["producers"].push_back(pv_json(R"({"id": "plain", "topic": "orders", "rate": 20, "until": "4s"})"));
    j["expect"] = pv_json(R"(["no-acked-loss"])");  // a check that reads the logs: the final snapshot keeps them
    auto loaded = pv_load(j);
    INFO((loaded.errors.empty() ? "" : loaded.errors[0].what()));
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, seeded(5));
    const scenarios::RunData& d = run.finish();

    std::map<std::string, std::set<int64_t>> seqs;  // producer -> the {seq} of its committed values
    int64_t plain = 0;
    std::string seen;
    for (const auto& p : d.final_state.partitions) {
        seen += p.label() + " end " + std::to_string(p.committed_end()) + "; ";
        if (p.topic != "orders") continue;
        int64_t end = 0;
        for (const scenarios::checkers::CommittedRecord& r : scenarios::checkers::read_committed_records(p, end)) {
            const std::string who = scenarios::checkers::client_text(d, r.batch->client);
            const kafka::TextRecord* text = r.batch->contents ? r.batch->contents->text(r.index) : nullptr;
            if (who == "producer:plain") {
                CHECK(text == nullptr);
                ++plain;
                continue;
            }
            REQUIRE(text != nullptr);
            REQUIRE(text->value);
            const std::string& v = *text->value;
            if (who == "producer:shop") {
                // "shop:<key>:<seq>", its key also the record's key "key-<key>".
                REQUIRE(v.rfind("shop:", 0) == 0);
                const size_t colon = v.find(':', 5);
                REQUIRE(colon != std::string::npos);
                CHECK(text->key == std::optional<std::string>("key-" + v.substr(5, colon - 5)));
                seqs[who].insert(std::stoll(v.substr(colon + 1)));
            } else {
                REQUIRE(who == "producer:pad");
                CHECK(v.size() == 10);
                REQUIRE(v.rfind("o-", 0) == 0);
                CHECK(v.find('x') != std::string::npos);
                CHECK_FALSE(text->key);
                seqs[who].insert(std::stoll(v.substr(2, v.find('x') - 2)));
            }
        }
    }
    // Nothing failed in an undisturbed run: every record number, once each.
    INFO(seen);
    REQUIRE(seqs["producer:shop"].size() == 200);
    CHECK(*seqs["producer:shop"].begin() == 0);
    CHECK(*seqs["producer:shop"].rbegin() == 199);
    REQUIRE(seqs["producer:pad"].size() == 80);
    CHECK(*seqs["producer:pad"].rbegin() == 79);
    CHECK(plain == 80);

    // The replica log view shows a value column.
    const scenarios::PartitionSnapshot* found = nullptr;
    for (const auto& p : d.final_state.partitions)
        if (p.label() == "orders/0") found = &p;
    REQUIRE(found != nullptr);
    const scenarios::PartitionSnapshot& p0 = *found;
    reports::ReplicaLogView view;
    view.partition = p0.label();
    view.leader = p0.leader;
    view.replicas = p0.replicas;
    view.isr = p0.isr;
    for (const auto& r : p0.replica_logs) view.columns.push_back({"broker:" + std::to_string(r.broker), r});
    const std::string text = reports::format_replica_logs(
        view, reports::LogWindow{1000, 0}, [](uint32_t c) { return "p" + std::to_string(c); }, "log all");
    INFO(text);
    CHECK(contains(text, "values"));
    CHECK(contains(text, "=shop:"));
    CHECK(contains(text, "values: the batch's record values"));
}
