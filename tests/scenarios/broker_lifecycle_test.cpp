// A broker that comes back, in the words of the controllers: KRaft refuses a new incarnation
// while the old one's session is valid (ClusterControlManager, DUPLICATE_BROKER_REGISTRATION),
// and both controllers give leadership back to the preferred replica when
// auto.leader.rebalance.enable is on (KafkaController.checkAndTriggerAutoLeaderRebalance,
// QuorumController's maybeBalancePartitionLeaders); and what a broker's log flusher keeps
// through a power loss. Each scenario runs through the published format; the events are read
// by type from the run's trace.
#include <catch2/catch.hpp>

#include <fstream>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

struct Seen {
    sim::Time time;
    kafka::Event event;
};

// Runs the scenario to its end; every model event, in order.
std::vector<Seen> run_scenario(const nlohmann::json& j, const std::function<void(scenarios::ScenarioRun&)>& at_end = {}) {
    auto loaded = scenarios::load_scenario_text(j.dump(), j["name"].get<std::string>() + ".json");
    REQUIRE(loaded.scenario);
    std::vector<Seen> seen;
    scenarios::RunOptions options;
    options.on_trace = [&seen](const kafka::TraceEntry& e, const kafka::Trace&) { seen.push_back({e.time, e.event}); };
    scenarios::ScenarioRun run(*loaded.scenario, options);
    run.finish();
    if (at_end) at_end(run);
    return seen;
}

double seconds_of(sim::Time t) { return static_cast<double>(t.us) / 1e6; }

}  // namespace

TEST_CASE("KRaft: a broker restarted 2 s after a crash is refused until its old session expires",
          "[scenarios][kraft][registration]") {
    const nlohmann::json j = {
        {"name", "quick-restart"},
        {"seed", 3},
        {"duration", "40s"},
        {"kafka", {{"version", "3.7"}, {"metadata", "kraft"}, {"brokers", 3}, {"controllers", 3}}},
        {"topics", {{{"name", "t"}, {"partitions", 3}, {"replication.factor", 3},
                     {"assignment", {{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}}}}},
        {"faults", {{{"at", "10s"}, {"action", "crash"}, {"target", "broker:1"}, {"for", "2s"}}}},
    };
    const std::vector<Seen> seen = run_scenario(j);
    std::optional<double> first_refusal, last_refusal, fenced, registered_again, leader_moved;
    for (const Seen& s : seen) {
        const double t = seconds_of(s.time);
        if (const auto* r = std::get_if<kafka::BrokerRegistrationRejected>(&s.event); r && r->broker == 1) {
            CHECK(r->error == "DUPLICATE_BROKER_REGISTRATION");
            CHECK(r->since_heartbeat_ms <= 9000);
            if (!first_refusal) first_refusal = t;
            last_refusal = t;
        } else if (const auto* f = std::get_if<kafka::BrokerFenced>(&s.event); f && f->broker == 1 && t > 10) {
            if (!fenced) fenced = t;
        } else if (const auto* b = std::get_if<kafka::BrokerRegistered>(&s.event); b && b->broker == 1 && t > 10) {
            if (!registered_again) registered_again = t;
        } else if (const auto* c = std::get_if<kafka::PartitionChange>(&s.event);
                   c && c->topic == "t" && c->partition == 0 && c->leader_from == 1 && t > 10) {
            if (!leader_moved) leader_moved = t;
        }
    }
    REQUIRE(first_refusal);
    REQUIRE(fenced);
    REQUIRE(registered_again);
    REQUIRE(leader_moved);
    CHECK(*first_refusal >= 12.0);
    CHECK(*first_refusal < 12.5);  // at once, at the restart
    // The old session (9 s from the last heartbeat, at most 2 s before the crash) expires between
    // 17 s and 19.x s: only then is it fenced and does its leadership move.
    CHECK(*fenced > 17.0);
    CHECK(*fenced < 19.5);
    CHECK(*leader_moved >= *fenced - 0.001);
    CHECK(*last_refusal < *fenced);
    CHECK(*registered_again > *fenced);
}

TEST_CASE("auto leader rebalance: a restarted broker gets its preferred leaderships back",
          "[scenarios][rebalance]") {
    const std::string mode = GENERATE(std::string("kraft"), std::string("zookeeper"));
    const bool enable = GENERATE(true, false);
    INFO(mode << " auto.leader.rebalance.enable=" << enable);
    nlohmann::json kafka = {{"version", "3.7"}, {"metadata", mode}, {"brokers", 3},
                            {"config", {{"auto.leader.rebalance.enable", enable},
                                        {"leader.imbalance.check.interval.seconds", 10}}}};
    if (mode == "kraft") kafka["controllers"] = 3;
    // Broker 1 is the preferred leader of t/0 (first in the assignment) and leads nothing else.
    const nlohmann::json j = {
        {"name", "rebalance"},
        {"seed", 5},
        {"duration", "70s"},
        {"kafka", kafka},
        {"topics", {{{"name", "t"}, {"partitions", 3}, {"replication.factor", 3},
                     {"assignment", {{1, 2, 3}, {2, 3, 1}, {3, 1, 2}}}}}},
        {"producers", {{{"id", "p"}, {"topic", "t"}, {"rate", 100}, {"keys", 30}, {"from", "2s"}, {"until", "65s"},
                        {"config", {{"acks", "all"}, {"enable.idempotence", true}}}}}},
        // Shut down cleanly: its leaderships move at once, and it comes back as a follower.
        {"faults", {{{"at", "10s"}, {"action", "shutdown"}, {"target", "broker:1"}, {"for", "5s"}}}},
        {"expect", {"no-acked-loss"}},
    };
    int32_t final_leader = -1;
    const std::vector<Seen> seen =
        run_scenario(j, [&final_leader](scenarios::ScenarioRun& run) { final_leader = run.cluster().partition_leader("t", 0); });
    std::optional<double> moved_away, moved_back;
    for (const Seen& s : seen) {
        const double t = seconds_of(s.time);
        if (const auto* c = std::get_if<kafka::PartitionChange>(&s.event); c && c->topic == "t" && c->partition == 0) {
            if (c->leader_from == 1 && c->leader != 1 && !moved_away) moved_away = t;
            if (c->leader == 1 && c->leader_from != 1 && t > 10) {
                CHECK(c->reason == "preferred replica leader election (auto.leader.rebalance.enable)");
                moved_back = t;
            }
        } else if (const auto* z = std::get_if<kafka::ZkPartitionState>(&s.event); z && z->topic == "t" && z->partition == 0) {
            if (z->leader != 1 && t > 10 && !moved_away) moved_away = t;
            if (z->leader == 1 && t > 10 && moved_away) {
                CHECK(z->reason == "preferred replica leader election (auto.leader.rebalance.enable)");
                moved_back = t;
            }
        }
    }
    REQUIRE(moved_away);
    if (enable) {
        REQUIRE(moved_back);
        CHECK(*moved_back > 15.0);
        CHECK(final_leader == 1);
    } else {
        CHECK_FALSE(moved_back);
        CHECK(final_leader != 1);
    }
}

TEST_CASE("log flusher: flush.ms acts only with log.flush.scheduler.interval.ms (LogManager's kafka-log-flusher)",
          "[scenarios][flush]") {
    // power-loss-flush-default (acks=1, one replica, power lost at 22.5 s, the OS wrote back at
    // 20 s) with the flusher configured three ways; the records lost are the ones its last
    // flush had not covered.
    std::ifstream in(std::string(KAFKASIM_SOURCE_DIR) + "/scenarios/library/power-loss-flush-default.json");
    const nlohmann::json base = nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
    auto lost = [&base](const nlohmann::json& config) {
        nlohmann::json j = base;
        j["kafka"]["config"] = config;
        j["expect"] = {"no-acked-loss"};
        auto loaded = scenarios::load_scenario_text(j.dump(), "flush.json");
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        run.finish();
        REQUIRE(run.checks().size() == 1);
        const scenarios::CheckResult& c = run.checks()[0];
        INFO(c.summary);
        if (c.passed()) return int64_t{0};
        return static_cast<int64_t>(std::stoll(c.summary));  // "N acknowledged records lost on ..."
    };
    const int64_t os_only = lost(nlohmann::json::object());
    const int64_t interval_alone = lost({{"log.flush.interval.ms", 1000}});
    const int64_t with_flusher = lost({{"log.flush.interval.ms", 1000}, {"log.flush.scheduler.interval.ms", 1000}});
    CHECK(os_only == 500);          // 2.5 s at 200 records/s since the writeback at 20 s
    CHECK(interval_alone == os_only);  // the flusher never runs: its interval is Long.MAX_VALUE
    CHECK(with_flusher > 0);
    CHECK(with_flusher <= 200);     // at most flush.ms of records
}
