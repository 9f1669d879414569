// Kafka Streams applications ("apps"): a word count that runs, commits and restores, and the
// loader's refusals of what Streams itself would refuse (a guarantee the release did not have).
#include <catch2/catch.hpp>

#include <algorithm>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

using json = nlohmann::json;

json wordcount(const std::string& version, const std::string& guarantee) {
    return json{
        {"name", "wordcount"},
        {"seed", 5},
        {"duration", "60s"},
        {"kafka", {{"version", version}, {"brokers", 3}, {"controllers", 1}, {"config", {{"group.initial.rebalance.delay.ms", 0}}}}},
        {"topics",
         {{{"name", "words"}, {"partitions", 4}, {"replication.factor", 3}},
          {{"name", "counts"}, {"partitions", 2}, {"replication.factor", 3}}}},
        {"producers", {{{"id", "typist"}, {"topic", "words"}, {"rate", 100}, {"keys", 20}, {"from", "1s"}, {"until", "30s"}}}},
        {"apps",
         {{{"name", "wc"},
           {"instances", 2},
           {"topology", {{"source", "words"}, {"count", {{"store", "store"}}}, {"sink", "counts"}}},
           {"config", {{"processing.guarantee", guarantee}, {"replication.factor", 3}}}}}},
        {"expect", {"exactly-once"}},
    };
}

std::vector<std::string> load_errors(const json& j) {
    auto loaded = scenarios::load_scenario_text(j.dump(2), "wordcount.json");
    std::vector<std::string> out;
    for (const auto& e : loaded.errors) out.push_back(e.what());
    return out;
}

bool contains(const std::vector<std::string>& errors, const std::string& path, const std::string& words) {
    return std::any_of(errors.begin(), errors.end(), [&](const std::string& e) {
        return e.find(path) != std::string::npos && e.find(words) != std::string::npos;
    });
}

}  // namespace

TEST_CASE("a Streams word count counts every word once under exactly_once_v2, and its changelog is created",
          "[scenarios][streams]") {
    auto loaded = scenarios::load_scenario_text(wordcount("3.7", "exactly_once_v2").dump(2), "wordcount.json");
    REQUIRE(loaded.scenario);
    const auto& topics = loaded.scenario->topics;
    auto changelog = std::find_if(topics.begin(), topics.end(), [](const auto& t) { return t.name == "wc-store-changelog"; });
    REQUIRE(changelog != topics.end());
    CHECK(changelog->partitions == 4);
    CHECK(changelog->replication_factor == 3);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const scenarios::RunData& data = run.finish();
    std::string report;
    for (const auto& c : run.checks()) {
        report += c.name + ": " + c.outcome() + " " + c.summary + "\n";
        for (const auto& e : c.evidence) report += "  " + e + "\n";
    }
    INFO(report);
    CHECK(run.passed());
    // The group committed past every record the producer wrote (it stopped at 30s).
    const auto& committed = data.final_committed.at("wc");
    int64_t total = 0;
    for (const auto& [tp, offset] : committed) total += offset;
    CHECK(total >= 2800);
    // Its transactions were committed by the app's producers (one per instance).
    int committed_txns = 0;
    for (const auto& t : data.history->transactions())
        if (t.outcome == kafka::TxnOutcome::committed) ++committed_txns;
    CHECK(committed_txns > 10);
}

TEST_CASE("under exactly_once (EOS v1) each task commits with its own producer", "[scenarios][streams]") {
    json j = wordcount("2.4", "exactly_once");
    j["kafka"] = {{"version", "2.4"}, {"metadata", "zookeeper"}, {"brokers", 3}, {"zookeeper", 3},
                  {"config", {{"group.initial.rebalance.delay.ms", 0}}}};
    j["faults"] = {{{"at", "15s"}, {"action", "crash"}, {"target", "app:wc/1"}, {"for", "10s"}}};
    auto loaded = scenarios::load_scenario_text(j.dump(2), "wordcount.json");
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, {});
    const scenarios::RunData& data = run.finish();
    std::string report;
    for (const auto& c : run.checks()) report += c.name + ": " + c.outcome() + " " + c.summary + "\n";
    INFO(report);
    CHECK(run.passed());
    // A producer per task (four source partitions), named after its task, each with committed
    // transactions; the crashed instance's tasks got new producers on the other instance.
    std::set<std::string> task_producers;
    for (const auto& t : data.history->transactions()) {
        const std::string& name = data.history->client_name(t.client);
        const auto at = name.find(" producer 0_");
        REQUIRE(at != std::string::npos);
        if (t.outcome == kafka::TxnOutcome::committed) task_producers.insert(name);
    }
    std::set<std::string> tasks;
    for (const std::string& n : task_producers) tasks.insert(n.substr(n.find(" producer 0_") + 10, 3));
    CHECK(tasks == std::set<std::string>{"0_0", "0_1", "0_2", "0_3"});
    CHECK(task_producers.size() > 4);
}

TEST_CASE("standby replicas: a moved task restores only what its standby had not read", "[scenarios][streams]") {
    for (const std::string guarantee : {"exactly_once_v2", "at_least_once"}) {
        json j = wordcount("3.7", guarantee);
        j["apps"][0]["config"]["num.standby.replicas"] = 1;
        // Instance 1 is down when its session (45 s) expires at about 60s, so its tasks go to
        // instance 2 (back at once, it would get them again from the sticky assignor).
        j["duration"] = "100s";
        j["faults"] = {{{"at", "15s"}, {"action", "crash"}, {"target", "app:wc/1"}, {"for", "60s"}}};
        auto loaded = scenarios::load_scenario_text(j.dump(2), "wordcount.json");
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        const scenarios::RunData& data = run.finish();
        std::string report = guarantee + "\n";
        for (const auto& c : run.checks()) report += c.name + ": " + c.outcome() + " " + c.summary + "\n";
        // Instance 2 kept a standby of each task instance 1 ran; when they moved to it, each
        // restored from its standby's position, past the start of the changelog.
        int standbys = 0, from_standby = 0;
        for (const auto& e : data.trace->events()) {
            const auto* t = std::get_if<kafka::StreamsTask>(&e.event);
            if (t == nullptr) continue;
            const std::string node = data.trace->node_name(e.node);
            if (t->action == "standby") ++standbys;
            if (t->action == "restoring" && t->detail == "from its standby") {
                ++from_standby;
                CHECK(t->offset > 0);
                report += node + " " + t->task + " restores from " + std::to_string(t->offset) + "\n";
            }
        }
        INFO(report);
        if (guarantee == "exactly_once_v2") CHECK(run.passed());  // at_least_once: duplicates after the crash
        CHECK(standbys >= 4);      // each instance holds a standby of each task the other runs
        CHECK(from_standby >= 2);  // instance 1's tasks, taken over by instance 2
    }
}

TEST_CASE("a Streams app is refused a processing.guarantee its release did not have", "[scenarios][streams]") {
    CHECK(load_errors(wordcount("3.7", "exactly_once_v2")).empty());
    CHECK(load_errors(wordcount("3.7", "at_least_once")).empty());
    CHECK(load_errors(wordcount("2.8", "exactly_once_beta")).empty());
    CHECK(contains(load_errors(wordcount("2.8", "exactly_once_v2")), "/apps/0/config/processing.guarantee", "3.0"));
    CHECK(contains(load_errors(wordcount("2.5", "exactly_once_beta")), "/apps/0/config/processing.guarantee", "2.6"));
    CHECK(contains(load_errors(wordcount("4.0", "exactly_once")), "/apps/0/config/processing.guarantee", "removed in 4.0"));
    CHECK(load_errors(wordcount("2.4", "exactly_once")).empty());
    CHECK(load_errors(wordcount("3.7", "exactly_once")).empty());
    CHECK(contains(load_errors(wordcount("0.10", "exactly_once")), "/apps/0/config/processing.guarantee", "0.11"));
    {
        // EOS v1 runs a producer per task: the model holds at most 95 in one instance.
        json j = wordcount("2.4", "exactly_once");
        j["topics"][0]["partitions"] = 96;
        CHECK(contains(load_errors(j), "/apps/0/topology/source", "95"));
    }
    CHECK(contains(load_errors(wordcount("4.0", "exactly_once_beta")), "/apps/0/config/processing.guarantee", "removed in 4.0"));
    CHECK(contains(load_errors(wordcount("3.7", "exactly_twice")), "/apps/0/config/processing.guarantee", "at_least_once"));
    {
        // SCENARIOS.md's form: processing.guarantee beside name and instances.
        json j = wordcount("2.8", "at_least_once");
        j["apps"][0]["config"].erase("processing.guarantee");
        j["apps"][0]["processing.guarantee"] = "exactly_once_v2";
        CHECK(contains(load_errors(j), "/apps/0/processing.guarantee", "3.0"));
        j["apps"][0]["processing.guarantee"] = "exactly_once_beta";
        auto loaded = scenarios::load_scenario_text(j.dump(2), "wordcount.json");
        REQUIRE(loaded.scenario);
        CHECK(loaded.scenario->apps[0].streams.processing_guarantee == "exactly_once_beta");
        CHECK(loaded.scenario->apps[0].streams.commit_interval_ms == 100);
        j["apps"][0]["config"]["processing.guarantee"] = "at_least_once";
        CHECK(contains(load_errors(j), "/apps/0/processing.guarantee", "give it once"));
    }
    {
        json j = wordcount("3.7", "exactly_once_v2");
        j["apps"][0]["topology"]["sink"] = "words";
        CHECK(contains(load_errors(j), "/apps/0/topology/sink", "source"));
    }
    {
        json j = wordcount("3.7", "exactly_once_v2");
        j["apps"][0]["topology"]["source"] = "wrods";
        CHECK(contains(load_errors(j), "/apps/0/topology/source", "words"));
    }
    {
        json j = wordcount("3.7", "exactly_once_v2");
        j["apps"][0]["config"]["replication.factor"] = 5;
        CHECK(contains(load_errors(j), "/apps/0/config/replication.factor", "broker"));
    }
    {
        json j = wordcount("3.7", "exactly_once_v2");
        j["apps"][0]["config"]["commit.interval.msec"] = 5;
        CHECK(contains(load_errors(j), "/apps/0/config/commit.interval.msec", "commit.interval.ms"));
    }
    {
        json j = wordcount("3.7", "exactly_once_v2");
        j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", "app:wc/3"}}};
        CHECK(contains(load_errors(j), "/faults/0/target", "instances 1..2"));
        j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", "app:cw"}}};
        CHECK(contains(load_errors(j), "/faults/0/target", "no app"));
        j["faults"] = {{{"at", "5s"}, {"action", "pause"}, {"target", "app:wc"}, {"for", "3s"}}};
        CHECK(load_errors(j).empty());
    }
}
