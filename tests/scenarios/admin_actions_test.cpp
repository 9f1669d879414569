// Admin operations on a scenario's timeline ({"action": "create-topic", ...} among the faults):
// the loader takes the Kafka tools' parameter names and refuses mistakes with a path and a
// suggestion; a run makes each call through the harness's admin client over the simulated
// network, in both metadata modes, and records Kafka's answer (an admin_result event).
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "scenario_test_support.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

using json = nlohmann::json;

json admin_base(const std::string& metadata) {
    json j = {{"name", "admin"},
              {"duration", "40s"},
              {"kafka", {{"version", "3.7"}, {"metadata", metadata}, {"brokers", 3}}},
              {"topics", json::array({{{"name", "orders"}, {"partitions", 2}, {"replication.factor", 3}}})}};
    if (metadata == "kraft") j["kafka"]["controllers"] = 3;
    else j["kafka"]["zookeeper"] = 3;
    return j;
}

std::string admin_load_errors(const json& j) {
    auto r = scenarios::load_scenario_text(j.dump(), "admin.json");
    std::string out;
    for (const auto& e : r.errors)
        out += e.path + ": " + e.message + (e.suggestion.empty() ? "" : " [" + e.suggestion + "]") + "\n";
    return out;
}

// (operation, resource, error) of every admin_result event of the run, in order.
std::vector<std::string> admin_results(const scenarios::RunData& data) {
    std::vector<std::string> out;
    for (const auto& ev : data.trace->events())
        if (const auto* r = std::get_if<kafka::AdminResult>(&ev.event))
            out.push_back(r->operation + " " + r->resource + " " + r->error);
    return out;
}

}  // namespace

TEST_CASE("admin actions: the loader takes the tools' parameter names", "[scenarios][admin]") {
    json j = admin_base("kraft");
    j["faults"] = json::array({
        {{"at", "5s"}, {"action", "create-topic"}, {"topic", "payments"}, {"partitions", 3}, {"replication.factor", 2}},
        {{"at", "6s"}, {"action", "add-partitions"}, {"topic", "orders"}, {"partitions", 4}},
        {{"at", "7s"}, {"action", "alter-config"}, {"entity-type", "topics"}, {"entity-name", "orders"},
         {"add-config", {{"min.insync.replicas", 2}}}, {"delete-config", json::array({"retention.ms"})}},
        {{"at", "8s"}, {"action", "elect-leaders"}, {"election-type", "preferred"}, {"all-topic-partitions", true}},
        {{"at", "9s"}, {"action", "reassign"},
         {"partitions", json::array({{{"topic", "orders"}, {"partition", 3}, {"replicas", json::array({1, 2})}}})}},
        {{"at", "10s"}, {"action", "delete-records"},
         {"partitions", json::array({{{"topic", "payments"}, {"partition", 0}, {"offset", -1}}})}},
        {{"at", "11s"}, {"action", "delete-topic"}, {"topic", "payments"}},
    });
    auto r = scenarios::load_scenario_text(j.dump(), "admin.json");
    INFO(admin_load_errors(j));
    REQUIRE(r.scenario);
    const auto& a = r.scenario->admin_actions;
    REQUIRE(a.size() == 7);
    CHECK(a[0].op.create.num_partitions == 3);
    CHECK(a[0].op.create.replication_factor == 2);
    CHECK(a[1].op.partitions == 4);
    REQUIRE(a[2].op.config.ops.size() == 2);
    CHECK(a[2].op.config.ops[0].value == "2");
    CHECK(a[2].op.config.ops[1].op == kafka::AlterConfigOpType::remove);
    CHECK(a[3].op.named.empty());
    REQUIRE(a[4].op.reassignments.size() == 1);
    CHECK(*a[4].op.reassignments[0].replicas == std::vector<kafka::BrokerId>{1, 2});
    CHECK(a[5].op.delete_records[0].offset == -1);
    CHECK(r.scenario->faults.empty());
}

TEST_CASE("admin actions: mistakes get a path and a suggestion", "[scenarios][admin]") {
    json j = admin_base("kraft");
    j["faults"] = json::array({
        {{"at", "5s"}, {"action", "create-topik"}, {"topic", "x"}},
        {{"at", "5s"}, {"action", "delete-topic"}, {"topic", "ordres"}},
        {{"at", "5s"}, {"action", "alter-config"}, {"entity-type", "topic"}, {"entity-name", "orders"},
         {"add-config", {{"min.insync.replicas", 2}}}},
        {{"at", "5s"}, {"action", "elect-leaders"}, {"election-type", "PREFERED"}, {"topic", "orders"}, {"partition", 0},
         {"all-topic-partitions", true}},
        {{"at", "5s"}, {"action", "reassign"},
         {"partitions", json::array({{{"topic", "orders"}, {"partition", 0}, {"replicas", json::array({1, 7})}}})}},
        {{"at", "5s"}, {"action", "alter-config"}, {"entity-type", "topics"}, {"entity-name", "orders"},
         {"add-config", {{"min.insync.replica", 2}}}},
    });
    const std::string errors = admin_load_errors(j);
    INFO(errors);
    CHECK(contains(errors, "/faults/0/action: unknown fault action \"create-topik\"") );
    CHECK(contains(errors, "[create-topic]"));
    CHECK(contains(errors, "/faults/1/topic: no topic \"ordres\" in \"topics\" [orders]"));
    CHECK(contains(errors, "/faults/2/entity-type: expected \"topics\" or \"brokers\", got \"topic\" [topics]"));
    CHECK(contains(errors, "/faults/3/election-type: expected PREFERRED or UNCLEAN"));
    CHECK(contains(errors, "/faults/3: an elect-leaders action names its partitions one way"));
    CHECK(contains(errors, "/faults/4/partitions/0/replicas/1:"));
    CHECK(contains(errors, "/faults/5/add-config/min.insync.replica: unknown topic config"));
}

TEST_CASE("admin actions: a run makes each call and records Kafka's answer in both modes", "[scenarios][admin]") {
    for (const std::string mode : {"kraft", "zookeeper"}) {
        INFO(mode);
        json j = admin_base(mode);
        j["faults"] = json::array({
            {{"at", "8s"}, {"action", "create-topic"}, {"topic", "payments"}, {"partitions", 2}, {"replication.factor", 3}},
            {{"at", "9s"}, {"action", "create-topic"}, {"topic", "orders"}},
            {{"at", "10s"}, {"action", "add-partitions"}, {"topic", "orders"}, {"partitions", 3}},
            {{"at", "11s"}, {"action", "add-partitions"}, {"topic", "orders"}, {"partitions", 2}},
            {{"at", "12s"}, {"action", "alter-config"}, {"entity-type", "topics"}, {"entity-name", "orders"},
             {"add-config", {{"min.insync.replicas", 2}}}},
            {{"at", "13s"}, {"action", "elect-leaders"}, {"election-type", "PREFERRED"}, {"topic", "orders"}, {"partition", 0}},
            {{"at", "14s"}, {"action", "delete-topic"}, {"topic", "payments"}},
        });
        auto loaded = scenarios::load_scenario_text(j.dump(), "admin.json");
        INFO(admin_load_errors(j));
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        const auto& data = run.finish();
        const std::vector<std::string> results = admin_results(data);
        const std::vector<std::string> expected = {
            "create-topic payments NONE",
            "create-topic orders TOPIC_ALREADY_EXISTS",
            "add-partitions orders NONE",
            "add-partitions orders INVALID_PARTITIONS",
            "alter-config orders NONE",
            "elect-leaders orders-0 ELECTION_NOT_NEEDED",
            "delete-topic payments NONE",
        };
        CHECK(results == expected);
        const kafka::MetadataImage* image = run.cluster().metadata();
        REQUIRE(image != nullptr);
        CHECK(image->topic("payments") == nullptr);
        REQUIRE(image->topic("orders") != nullptr);
        CHECK(image->topic("orders")->partitions.size() == 3);
        CHECK(image->topic("orders")->configs.count("min.insync.replicas") == 1);
    }
}
