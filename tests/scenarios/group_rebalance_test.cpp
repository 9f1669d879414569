// Consumer groups under random member and broker crashes, pauses and restarts, over 200
// seeds: a rebalance never leaves a partition owned by two members of one generation, no
// member skips committed records inside an assignment, committed offsets never go back
// within a generation, and every acknowledged record reaches the group at least once.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/checkers/checker.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/random.hpp"

namespace {

nlohmann::json group_scenario(uint64_t seed) {
    sim::Rng rng(sim::derive_seed(seed, "group-rebalance-test"));
    const bool cooperative = rng.below(2) == 1;
    nlohmann::json j = {
        {"name", "group-rebalance-" + std::to_string(seed)},
        {"seed", seed},
        {"duration", "45s"},
        {"kafka",
         {{"brokers", 3},
          {"controllers", 1},
          {"config", {{"min.insync.replicas", 2}, {"group.initial.rebalance.delay.ms", 0}}}}},
        {"topics", {{{"name", "t"}, {"partitions", 6}, {"replication.factor", 3}}}},
        {"producers",
         {{{"id", "p"}, {"topic", "t"}, {"rate", 100}, {"keys", 30}, {"from", "1s"}, {"until", "25s"},
           {"config", {{"acks", "all"}, {"enable.idempotence", true}}}}}},
        {"consumers",
         {{{"group", "g"},
           {"members", 3},
           {"topics", {"t"}},
           {"config",
            {{"auto.offset.reset", "earliest"},
             {"session.timeout.ms", 6000},
             {"heartbeat.interval.ms", 1000},
             {"auto.commit.interval.ms", 1000},
             {"partition.assignment.strategy", cooperative ? "cooperative-sticky" : "range"}}}}}},
        {"expect", {"at-least-once", "no-poll-skip", "committed-monotonic"}},
    };
    nlohmann::json faults = nlohmann::json::array();
    const int n = 2 + static_cast<int>(rng.below(4));
    for (int i = 0; i < n; ++i) {
        const int64_t at_ms = rng.between(3000, 22000);
        const int64_t for_ms = rng.between(1000, 9000);
        std::string target;
        std::string action;
        switch (rng.below(4)) {
            case 0: target = "consumer:g/" + std::to_string(1 + rng.below(3)); action = "crash"; break;
            case 1: target = "consumer:g/" + std::to_string(1 + rng.below(3)); action = "pause"; break;
            case 2: target = "coordinator:g"; action = "crash"; break;
            default: target = "broker:" + std::to_string(1 + rng.below(3)); action = "crash"; break;
        }
        faults.push_back({{"at", std::to_string(at_ms) + "ms"}, {"action", action}, {"target", target},
                          {"for", std::to_string(for_ms) + "ms"}});
    }
    j["faults"] = faults;
    return j;
}

// Partitions owned by each member in each generation, from the history's assignment events.
std::string double_owners(const scenarios::RunData& run) {
    const scenarios::History& h = *run.history;
    std::map<int32_t, std::map<kafka::TopicPartition, std::set<uint32_t>>> owners;
    for (const auto& a : h.assignments())
        for (const auto& tp : a.partitions) owners[a.generation][tp].insert(a.consumer);
    std::string out;
    for (const auto& [gen, parts] : owners)
        for (const auto& [tp, members] : parts)
            if (members.size() > 1)
                out += "generation " + std::to_string(gen) + ": partition " + std::to_string(tp.partition) + " owned by " +
                       std::to_string(members.size()) + " members\n";
    return out;
}

}  // namespace

namespace {

void check_group_seeds(uint64_t first, uint64_t last) {
    int64_t generations = 0, runs = 0;
    for (uint64_t seed = first; seed <= last; ++seed) {
        const std::string text = group_scenario(seed).dump(2);
        auto loaded = scenarios::load_scenario_text(text, "group-rebalance-" + std::to_string(seed) + ".json");
        INFO("seed " << seed << "\n" << text);
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        const scenarios::RunData& data = run.finish();
        ++runs;
        for (const auto& a : data.history->assignments()) generations = std::max<int64_t>(generations, a.generation);
        std::string checks;
        for (const auto& c : run.checks()) {
            checks += (c.passed() ? "PASS " : "FAIL ") + c.name + ": " + c.summary + "\n";
            for (const auto& e : c.evidence) checks += "   " + e + "\n";
        }
        INFO(checks);
        CHECK(double_owners(data).empty());
        CHECK(run.passed());
    }
    WARN("group rebalances: " << runs << " seeds, highest generation " << generations);
}

#ifdef KAFKASIM_SANITIZED_BUILD
constexpr uint64_t group_seeds = 50;  // ASan/UBSan at -O0: the release run covers all 200
#else
constexpr uint64_t group_seeds = 200;
#endif

}  // namespace

TEST_CASE("group rebalances under random crashes: one owner per partition and generation", "[scenarios][groups]") {
    check_group_seeds(1, group_seeds);
}

// Not run by default (hidden tag): `test_scenarios "[.group-stress]"`.
TEST_CASE("group rebalances: stress, 1000 more seeds", "[.group-stress]") { check_group_seeds(201, 1200); }
