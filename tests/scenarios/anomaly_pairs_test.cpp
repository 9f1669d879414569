// Kafka's famous anomalies as pairs of library scenarios: the faults on a release that had the
// bug (the check expected `violated`) and on a release with the fix (it holds). Every pair is
// swept over seeds 1..100: the fixed one must hold on every seed, the old one must show the
// anomaly on every seed, or on the share of seeds its description states where the anomaly
// needs a particular cluster layout.
#include <catch2/catch.hpp>

#include <filesystem>
#include <string>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

namespace fs = std::filesystem;

#ifdef KAFKASIM_SANITIZED_BUILD
constexpr uint64_t anomaly_last_seed = 5;  // ASan/UBSan at -O0: a few seeds exercise the same code
#else
constexpr uint64_t anomaly_last_seed = 100;
#endif

// Seeds of 1..anomaly_last_seed on which the scenario met every expectation.
int seeds_meeting_expectations(const std::string& name) {
    auto loaded = scenarios::load_scenario_file((fs::path(KAFKASIM_SOURCE_DIR) / "scenarios/library" / (name + ".json")).string());
    REQUIRE(loaded.scenario);
    int met = 0;
    for (uint64_t seed = 1; seed <= anomaly_last_seed; ++seed) {
        scenarios::RunOptions options;
        options.seed = seed;
        scenarios::ScenarioRun run(*loaded.scenario, options);
        run.finish();
        if (run.passed()) ++met;
    }
    return met;
}

}  // namespace

TEST_CASE("anomaly pairs: the old release shows the anomaly, the fixed one never does (seeds 1..100)",
          "[scenarios][anomalies]") {
    struct Pair {
        const char* old_release;
        const char* fixed_release;
        int old_seeds_showing;  // of 100, as the old scenario's description states
    };
    const Pair pairs[] = {
        {"jepsen-2013-unclean-election", "jepsen-2013-fixed", 100},
        {"kraft-check-quorum-3.6", "kraft-check-quorum-3.7", 100},
        {"zk-zombie-controller", "zk-zombie-controller-3.7", 77},
        {"kip-101-hw-truncation-0.10", "kip-101-hw-truncation-0.11", 100},
        {"kip-101-divergence-0.10", "kip-101-divergence-0.11", 49},
        {"kafka-6361-fast-failover-0.11", "kafka-6361-fast-failover-2.0", 100},
        {"kafka-7128-isr-join-0.11", "kafka-7128-isr-join-2.0", 100},
        {"kip-966-last-replica-standing-4.0", "kip-966-last-replica-standing-4.1", 100},
        {"kraft-pre-vote-3.9", "kraft-pre-vote-4.0", 100},
        {"kafka-12671-hanging-txn-3.5", "kafka-12671-hanging-txn-3.6", 100},
        {"jepsen-2024-delayed-endtxn-3.9", "jepsen-2024-delayed-endtxn-4.0", 80},
        // Not a release pair: the same crash under at_least_once and exactly_once_v2.
        {"streams-wordcount-at-least-once", "streams-wordcount-exactly-once-v2", 100},
    };
    for (const Pair& p : pairs) {
        INFO(p.old_release << " / " << p.fixed_release);
        const int old_met = seeds_meeting_expectations(p.old_release);
        if (anomaly_last_seed == 100) CHECK(old_met == p.old_seeds_showing);
        else CHECK(old_met >= 1);
        CHECK(seeds_meeting_expectations(p.fixed_release) == static_cast<int>(anomaly_last_seed));
    }
}
