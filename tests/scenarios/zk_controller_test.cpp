// The ZooKeeper-mode controller under random faults, over many seeds: controller brokers
// crash, pause past their session timeout, or lose ZooKeeper; ensemble servers crash; brokers
// bounce. Kafka's promises, checked on the trace and on the cluster at the end:
// - exactly one controller per controller epoch, and epochs only grow;
// - with fencing (2.1+), no write of a superseded controller takes effect (single-leader);
// - when the faults are over: one active controller, every live broker names it, every
//   partition has a live leader, and acknowledged records are all there.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/random.hpp"

namespace {

nlohmann::json zk_scenario(uint64_t seed, const std::string& version) {
    sim::Rng rng(sim::derive_seed(seed, "zk-controller-test"));
    nlohmann::json j = {
        {"name", "zk-controller-" + std::to_string(seed)},
        {"seed", seed},
        {"duration", "90s"},
        {"kafka",
         {{"version", version},
          {"metadata", "zookeeper"},
          {"brokers", 4},
          {"zookeeper", 3},
          {"config", {{"zookeeper.session.timeout.ms", 6000}, {"replica.lag.time.max.ms", 10000}}}}},
        {"topics", {{{"name", "t"}, {"partitions", 6}, {"replication.factor", 3}, {"config", {{"min.insync.replicas", 2}}}}}},
        {"producers",
         {{{"id", "p"}, {"topic", "t"}, {"rate", 100}, {"keys", 30}, {"from", "3s"}, {"until", "50s"},
           {"config", {{"acks", "all"}, {"enable.idempotence", true}, {"delivery.timeout.ms", 120000}}}}}},
        {"expect", {"no-acked-loss", "single-leader", "replicas-consistent"}},
    };
    nlohmann::json faults = nlohmann::json::array();
    const int n = 2 + static_cast<int>(rng.below(4));
    for (int i = 0; i < n; ++i) {
        const int64_t at_ms = rng.between(5000, 45000);
        const int64_t for_ms = rng.between(2000, 15000);
        nlohmann::json f = {{"at", std::to_string(at_ms) + "ms"}, {"for", std::to_string(for_ms) + "ms"}};
        switch (rng.below(6)) {
            case 0: f["action"] = "crash"; f["target"] = "controller:active"; break;
            case 1: f["action"] = "pause"; f["target"] = "controller:active"; break;
            case 2:
                f["action"] = "partition";
                f["groups"] = {{"controller:active"}, {"zookeepers"}};
                break;
            case 3: f["action"] = "crash"; f["target"] = "zookeeper:" + std::to_string(1 + rng.below(3)); break;
            case 4: f["action"] = "shutdown"; f["target"] = "broker:" + std::to_string(1 + rng.below(4)); break;
            default: f["action"] = "crash"; f["target"] = "broker:" + std::to_string(1 + rng.below(4)); break;
        }
        faults.push_back(f);
    }
    j["faults"] = faults;
    return j;
}

// One winner per controller epoch, epochs growing in time.
std::string election_problems(const scenarios::RunData& run) {
    std::map<int64_t, std::set<sim::NodeId>> winners;
    int64_t last = 0;
    std::string out;
    for (const kafka::TraceEntry& ev : run.trace->events()) {
        const auto* elected = std::get_if<kafka::ZkControllerElected>(&ev.event);
        if (elected == nullptr) continue;
        const int64_t epoch = elected->epoch;
        winners[epoch].insert(ev.node);
        if (epoch <= last) out += "controller epoch " + std::to_string(epoch) + " won after epoch " + std::to_string(last) + "\n";
        last = std::max(last, epoch);
    }
    for (const auto& [epoch, who] : winners)
        if (who.size() != 1) out += "controller epoch " + std::to_string(epoch) + " won by " + std::to_string(who.size()) + " brokers\n";
    return out;
}

void check_zk_seeds(uint64_t first, uint64_t last, const std::string& version) {
    int64_t max_epoch = 0;
    for (uint64_t seed = first; seed <= last; ++seed) {
        const std::string text = zk_scenario(seed, version).dump(2);
        auto loaded = scenarios::load_scenario_text(text, "zk-controller-" + std::to_string(seed) + ".json");
        INFO("seed " << seed << " (kafkasim run of this scenario reproduces it)\n" << text);
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        const scenarios::RunData& data = run.finish();
        std::string checks;
        for (const auto& c : run.checks()) {
            checks += (c.passed() ? "PASS " : "FAIL ") + c.name + ": " + c.summary + "\n";
            for (const auto& e : c.evidence) checks += "   " + e + "\n";
        }
        INFO(checks);
        CHECK(election_problems(data).empty());
        CHECK(run.passed());
        // The faults are over by 60 s: the cluster has settled by the end.
        scenarios::ClusterModel& cluster = run.cluster();
        const int32_t controller = cluster.active_controller_id();
        CHECK(controller >= 0);
        int active = 0;
        for (int32_t b = 1; b <= 4; ++b) {
            const kafka::BrokerNode* node = cluster.broker(b);
            if (node == nullptr) continue;
            if (node->zk_controller()->active()) ++active;
            CHECK(node->controller_id() == controller);
            max_epoch = std::max<int64_t>(max_epoch, node->zk_controller()->epoch());
        }
        CHECK(active == 1);
        for (const kafka::TopicPartition& tp : cluster.topic_partitions()) {
            const kafka::PartitionState* ps = cluster.metadata()->partition(tp);
            REQUIRE(ps != nullptr);
            CHECK(ps->leader >= 0);
        }
    }
    WARN("zk controller: seeds " << first << ".." << last << " on " << version << ", highest controller epoch " << max_epoch);
}

}  // namespace

TEST_CASE("zookeeper mode: one controller per epoch under random faults (fenced, 2.4)", "[scenarios][zookeeper]") {
    check_zk_seeds(1, 40, "2.4");
}

// Not run by default (hidden tag): `test_scenarios "[.zk-stress]"`.
TEST_CASE("zookeeper mode: controller stress, 400 more seeds", "[.zk-stress]") { check_zk_seeds(41, 440, "2.4"); }
