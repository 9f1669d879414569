// Kafka Connect in scenarios: the loader's errors for bad connector and worker configs (Kafka's
// own messages where Kafka has one), the REST API as a worker answers it (status codes, JSON
// shapes, forwarding to the leader, restarts), a failed task and its restart, and determinism.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace {

using nlohmann::json;

json connect_cluster(const std::string& version = "3.7") {
    return {
        {"name", "connect-test"},
        {"seed", 1},
        {"duration", "90s"},
        {"kafka", {{"version", version}, {"brokers", 3}, {"controllers", 1}}},
        {"topics", {{{"name", "db-orders"}, {"partitions", 2}, {"replication.factor", 3}}}},
        {"connect",
         {{"mode", "distributed"},
          {"workers", 2},
          {"external", {{{"name", "orders"}, {"kind", "table"}, {"rows", 50}, {"rate", 10}, {"until", "60s"}}}},
          {"connectors",
           {{{"name", "orders-source"},
             {"config", {{"connector.class", "TableSource"}, {"tables", "orders"}, {"topic.prefix", "db-"}}}},
            {{"name", "orders-sink"},
             {"config", {{"connector.class", "TableSink"}, {"tasks.max", "2"}, {"topics", "db-orders"}, {"table", "copy"}}}}}}}},
    };
}

// The errors of loading j, as "path: message" lines.
std::string load_errors(const json& j) {
    auto r = scenarios::load_scenario_text(j.dump(), "connect.json");
    std::string out;
    for (const auto& e : r.errors) out += e.path + ": " + e.message + (e.suggestion.empty() ? "" : " [" + e.suggestion + "]") + "\n";
    return out;
}

struct Answer {
    int32_t status = 0;
    json body;
};

// The REST answers of a run, in the order of the scenario's "rest" actions (bootstrap creates
// excluded: those are retried, and counted by their last answer).
std::vector<Answer> rest_answers(const scenarios::RunData& data) {
    std::vector<Answer> out;
    for (size_t i = 0; i < data.rest_actions.size(); ++i) {
        if (data.rest_actions[i].retry_until_accepted) continue;
        Answer a;
        for (const auto& x : data.rest_exchanges)
            if (x.action == i) {
                a.status = x.status;
                a.body = x.body.empty() ? json() : json::parse(x.body, nullptr, false);
            }
        out.push_back(a);
    }
    return out;
}

json rest(const std::string& at, int worker, const std::string& method, const std::string& path,
          const json& body = json()) {
    json r = {{"at", at}, {"action", "rest"}, {"target", "connect:" + std::to_string(worker)}, {"method", method},
              {"path", path}};
    if (!body.is_null()) r["body"] = body;
    return r;
}

}  // namespace

TEST_CASE("connector configs Kafka refuses are loader errors with Kafka's message and the JSON path",
          "[scenarios][connect]") {
    SECTION("a sink without topics") {
        json j = connect_cluster();
        j["connect"]["connectors"][1]["config"].erase("topics");
        CHECK(contains(load_errors(j), "/connect/connectors/1/config: Must configure one of topics or topics.regex"));
    }
    SECTION("tasks.max 0") {
        json j = connect_cluster();
        j["connect"]["connectors"][1]["config"]["tasks.max"] = "0";
        CHECK(contains(load_errors(j), "/connect/connectors/1/config/tasks.max: Invalid value 0 for configuration "
                                       "tasks.max: Value must be at least 1"));
    }
    SECTION("an unknown connector class, with the closest plugin") {
        json j = connect_cluster();
        j["connect"]["connectors"][0]["config"]["connector.class"] = "TableSorce";
        const std::string e = load_errors(j);
        CHECK(contains(e, "/connect/connectors/0/config/connector.class: Failed to find any class that implements "
                          "Connector and which name matches TableSorce, available connectors are: "));
        CHECK(contains(e, "[TableSource]"));
    }
    SECTION("exactly-once source before 3.3") {
        json j = connect_cluster("3.2");
        j["connect"]["config"] = {{"exactly.once.source.support", "enabled"}};
        CHECK(contains(load_errors(j), "/connect/config/exactly.once.source.support: exactly-once source connectors "
                                       "arrived in 3.3 (KIP-618)"));
    }
    SECTION("an incremental protocol before 2.3") {
        json j = connect_cluster("2.2");
        j["kafka"] = {{"version", "2.2"}, {"metadata", "zookeeper"}, {"brokers", 3}};
        j["connect"]["config"] = {{"connect.protocol", "compatible"}};
        CHECK(contains(load_errors(j), "/connect/config/connect.protocol: connect.protocol \"compatible\" arrived in 2.3"));
    }
    SECTION("a source reading a table that does not exist") {
        json j = connect_cluster();
        j["connect"]["connectors"][0]["config"]["tables"] = "ordres";
        CHECK(contains(load_errors(j), "/connect/connectors/0/config/tables: no external table \"ordres\""));
    }
    SECTION("a sink reading a topic that does not exist") {
        json j = connect_cluster();
        j["connect"]["connectors"][1]["config"]["topics"] = "db-order";
        CHECK(contains(load_errors(j), "/connect/connectors/1/config/topics: no topic \"db-order\" in \"topics\""));
    }
    SECTION("a standalone worker has no leader") {
        json j = connect_cluster();
        j["connect"]["mode"] = "standalone";
        j["connect"]["workers"] = 1;
        // json::array: a one-element brace list is the element itself under some compilers.
        j["faults"] = json::array({json{{"at", "10s"}, {"action", "crash"}, {"target", "connect:leader"}}});
        CHECK(contains(load_errors(j), "a standalone worker has no group and no leader"));
    }
    SECTION("Connect before 0.9") {
        json j = connect_cluster();
        j["kafka"] = {{"version", "0.8"}, {"metadata", "zookeeper"}, {"brokers", 3}};
        CHECK(contains(load_errors(j), "/connect: Kafka Connect arrived in 0.9"));
    }
    SECTION("a REST call to a worker that does not exist") {
        json j = connect_cluster();
        j["faults"] = json::array({rest("10s", 3, "GET", "/connectors")});
        CHECK(contains(load_errors(j), "/faults/0/target: expected a worker connect:1..connect:2"));
    }
    SECTION("the internal topics need brokers for their replication factor") {
        json j = connect_cluster();
        j["connect"]["config"] = {{"config.storage.replication.factor", 5}};
        CHECK(contains(load_errors(j), "replication factor 5 but the cluster has 3 broker(s)"));
    }
}

TEST_CASE("the Connect REST API answers as a worker does and forwards writes to the leader", "[scenarios][connect]") {
    json j = connect_cluster();
    const json archive = {{"name", "archive-sink"},
                          {"config", {{"connector.class", "FileStreamSink"}, {"topics", "db-orders"}, {"file", "archive.txt"}}}};
    j["faults"] = {
        rest("30s", 1, "GET", "/connectors"),                         // 0
        rest("30s", 2, "GET", "/connectors/orders-sink/status"),      // 1
        rest("31s", 1, "POST", "/connectors", archive),               // 2
        rest("31s", 2, "POST", "/connectors",                         // 3: exists
             json{{"name", "orders-sink"}, {"config", {{"connector.class", "TableSink"}, {"topics", "db-orders"}}}}),
        rest("32s", 1, "GET", "/connectors/nope/status"),             // 4
        rest("33s", 2, "PUT", "/connectors/orders-sink/pause"),       // 5
        rest("40s", 1, "GET", "/connectors/orders-sink/status"),      // 6
        rest("41s", 1, "PUT", "/connectors/orders-sink/resume"),      // 7
        rest("50s", 2, "GET", "/connectors/orders-sink/status"),      // 8
        rest("51s", 2, "DELETE", "/connectors/archive-sink"),         // 9
        rest("60s", 1, "GET", "/connectors/archive-sink"),            // 10
        rest("60s", 1, "GET", "/connectors?expand=status"),           // 11
        rest("61s", 1, "POST", "/connectors",                         // 12: invalid
             json{{"name", "bad"}, {"config", {{"connector.class", "TableSink"}, {"tasks.max", "0"}, {"topics", "db-orders"}}}}),
        rest("61s", 2, "GET", "/connectors/orders-sink/tasks"),       // 13
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "rest.json");
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const auto& data = run.finish();
    const auto a = rest_answers(data);
    REQUIRE(a.size() == 14);
    CHECK(a[0].status == 200);
    CHECK(a[0].body == json::array({"orders-sink", "orders-source"}));
    CHECK(a[1].status == 200);
    CHECK(a[1].body["name"] == "orders-sink");
    CHECK(a[1].body["type"] == "sink");
    CHECK(a[1].body["connector"]["state"] == "RUNNING");
    CHECK(a[1].body["tasks"].size() == 2);
    CHECK(a[2].status == 201);
    CHECK(a[2].body["name"] == "archive-sink");
    CHECK(a[2].body["tasks"] == json::array());
    CHECK(a[3].status == 409);
    CHECK(a[3].body["message"] == "Connector orders-sink already exists");
    CHECK(a[4].status == 404);
    CHECK(a[4].body == json{{"error_code", 404}, {"message", "Connector nope not found"}});
    CHECK(a[5].status == 202);
    CHECK(a[6].body["connector"]["state"] == "PAUSED");
    CHECK(a[6].body["tasks"][0]["state"] == "PAUSED");
    CHECK(a[7].status == 202);
    CHECK(a[8].body["connector"]["state"] == "RUNNING");
    CHECK(a[8].body["tasks"][1]["state"] == "RUNNING");
    CHECK(a[9].status == 204);
    CHECK(a[10].status == 404);
    CHECK(a[11].body.contains("orders-source"));
    CHECK(a[11].body["orders-source"]["status"]["connector"]["state"] == "RUNNING");
    CHECK_FALSE(a[11].body.contains("archive-sink"));
    CHECK(a[12].status == 400);
    CHECK(contains(a[12].body["message"].get<std::string>(), "Value must be at least 1"));
    CHECK(a[13].status == 200);
    CHECK(a[13].body.size() == 2);
    CHECK(a[13].body[0]["id"] == json{{"connector", "orders-sink"}, {"task", 0}});
}

TEST_CASE("a failed task stays FAILED until a REST restart of the failed instances", "[scenarios][connect]") {
    json j = connect_cluster();
    j["faults"] = {
        {{"at", "30s"}, {"action", "fail-task"}, {"target", "task:orders-sink/1"}},
        rest("35s", 1, "GET", "/connectors/orders-sink/status"),
        rest("45s", 2, "POST", "/connectors/orders-sink/restart?includeTasks=true&onlyFailed=true"),
        rest("50s", 1, "GET", "/connectors/orders-sink/status"),
    };
    j["expect"] = {{{"check", "connector-running"}, {"by", "40s"}, {"outcome", "violated"}},
                   {{"check", "connector-running"}, {"by", "55s"}},
                   {{"check", "source-to-sink"}}};
    auto loaded = scenarios::load_scenario_text(j.dump(), "restart.json");
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const auto& data = run.finish();
    const auto a = rest_answers(data);
    REQUIRE(a.size() == 3);
    CHECK(a[0].body["tasks"][1]["state"] == "FAILED");
    CHECK(contains(a[0].body["tasks"][1]["trace"].get<std::string>(), "injected by fault /faults/0"));
    CHECK(a[0].body["tasks"][0]["state"] == "RUNNING");
    CHECK(a[1].status == 202);
    CHECK(a[1].body["tasks"][1]["state"] == "RESTARTING");
    CHECK(a[1].body["tasks"][0]["state"] == "RUNNING");  // onlyFailed
    CHECK(a[2].body["tasks"][1]["state"] == "RUNNING");
    for (const auto& c : run.checks()) {
        INFO(c.name << " " << c.params << ": " << c.summary);
        CHECK(c.passed());
    }
}

TEST_CASE("a standalone worker refuses what only distributed workers do as Kafka does", "[scenarios][connect]") {
    json j = connect_cluster();
    j["connect"]["mode"] = "standalone";
    j["connect"]["workers"] = 1;
    j["faults"] = {rest("20s", 1, "POST", "/connectors/orders-sink/tasks", json::array()),
                   rest("20s", 1, "GET", "/connectors/orders-sink/status")};
    auto loaded = scenarios::load_scenario_text(j.dump(), "standalone.json");
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const auto a = rest_answers(run.finish());
    REQUIRE(a.size() == 2);
    CHECK(a[0].status == 500);
    CHECK(a[0].body["message"] ==
          "Kafka Connect in standalone mode does not support externally setting task configurations.");
    CHECK(a[1].status == 200);
    CHECK(a[1].body["connector"]["worker_id"] == "connect-1:8083");
}

TEST_CASE("a Connect run is the same run for the same seed", "[scenarios][connect]") {
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library/connect-worker-crash.json").string());
    REQUIRE(loaded.scenario);
    std::string hashes[2];
    for (auto& h : hashes) {
        scenarios::ScenarioRun run(*loaded.scenario, seeded(5));
        h = run.finish().trace_hash;
    }
    CHECK(hashes[0] == hashes[1]);
    scenarios::ScenarioRun other(*loaded.scenario, seeded(6));
    CHECK(other.finish().trace_hash != hashes[0]);
}

TEST_CASE("stop and resume and PATCH and initial_state by release (KIP-875 KIP-477 KIP-980)",
          "[scenarios][connect]") {
    json j = connect_cluster("3.8");
    const json paused_sink = {{"name", "later-sink"},
                              {"config", {{"connector.class", "TableSink"}, {"topics", "db-orders"}, {"table", "later"}}},
                              {"initial_state", "PAUSED"}};
    j["faults"] = {
        rest("30s", 1, "PUT", "/connectors/orders-sink/stop"),        // 0
        rest("35s", 2, "GET", "/connectors/orders-sink/status"),      // 1
        rest("36s", 1, "PUT", "/connectors/orders-sink/resume"),      // 2
        rest("45s", 2, "GET", "/connectors/orders-sink/status"),      // 3
        rest("46s", 2, "PATCH", "/connectors/orders-sink/config", json{{"tasks.max", "1"}, {"table", nullptr}}),  // 4
        rest("55s", 1, "GET", "/connectors/orders-sink/status"),      // 5
        rest("56s", 1, "GET", "/connectors/orders-source/offsets"),   // 6
        rest("56s", 2, "POST", "/connectors", paused_sink),           // 7
        rest("65s", 1, "GET", "/connectors/later-sink/status"),       // 8
        rest("65s", 1, "GET", "/connector-plugins"),                  // 9
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "kip-875.json");
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const auto a = rest_answers(run.finish());
    REQUIRE(a.size() == 10);
    CHECK(a[0].status == 204);
    CHECK(a[1].body["connector"]["state"] == "STOPPED");
    CHECK(a[1].body["tasks"] == json::array());  // a stopped connector has no tasks
    CHECK(a[2].status == 202);
    CHECK(a[3].body["connector"]["state"] == "RUNNING");
    CHECK(a[3].body["tasks"].size() == 2);
    CHECK(a[4].status == 200);
    CHECK(a[4].body["config"]["tasks.max"] == "1");
    CHECK_FALSE(a[4].body["config"].contains("table"));
    CHECK(a[5].body["tasks"].size() == 1);
    CHECK(a[5].body["tasks"][0]["state"] == "RUNNING");
    CHECK(a[6].status == 200);
    REQUIRE(a[6].body["offsets"].size() == 1);
    CHECK(a[6].body["offsets"][0]["partition"] == json{{"table", "orders"}});
    CHECK(a[6].body["offsets"][0]["offset"]["position"].get<int64_t>() > 50);
    CHECK(a[7].status == 201);
    CHECK(a[8].body["connector"]["state"] == "PAUSED");
    CHECK(a[9].body.size() == 4);

    // Before 3.5 there is no stop, before 3.8 no PATCH.
    json old = connect_cluster("3.4");
    old["faults"] = {rest("30s", 1, "PUT", "/connectors/orders-sink/stop"),
                     rest("30s", 1, "PATCH", "/connectors/orders-sink/config", json{{"tasks.max", "1"}})};
    auto old_loaded = scenarios::load_scenario_text(old.dump(), "old.json");
    REQUIRE(old_loaded.scenario);
    scenarios::ScenarioRun old_run(*old_loaded.scenario, {});
    const auto b = rest_answers(old_run.finish());
    REQUIRE(b.size() == 2);
    CHECK(b[0].status == 404);
    CHECK(b[1].status == 405);
}
