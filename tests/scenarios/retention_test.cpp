// Retention and the log start offset across a cluster: the leader deletes old segments every
// log.retention.check.interval.ms, its log start offset reaches the followers in fetch
// responses (and their own segments below it go at their next run), and a follower that was
// away while retention deleted what it lacked starts over at the leader's log start offset.
#include <catch2/catch.hpp>

#include <string>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace {

scenarios::Scenario retention_scenario(const nlohmann::json& faults, const std::string& version = "3.7") {
    nlohmann::json j = {
        {"name", "retention"},
        {"duration", "80s"},
        {"kafka", {{"version", version}, {"brokers", 3}, {"config", {{"log.retention.check.interval.ms", 2000}}}}},
        {"topics", {{{"name", "events"}, {"partitions", 1}, {"replication.factor", 3},
                     {"config", {{"retention.ms", 20000}, {"segment.bytes", 16384}}}}}},
        {"producers", {{{"id", "p"}, {"topic", "events"}, {"rate", 200}, {"from", "1s"}, {"until", "75s"},
                        {"config", {{"acks", "all"}}}}}},
        {"faults", faults},
        {"expect", {"no-acked-loss", "replicas-consistent"}},
    };
    if (version.rfind("0.", 0) == 0) j["kafka"]["metadata"] = "zookeeper";  // KRaft came with 2.8
    auto loaded = scenarios::load_scenario_text(j.dump(), "retention.json");
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

// Runs the scenario to its end; its expectations must hold.
const scenarios::RunData& run_passing(scenarios::ScenarioRun& run) {
    const scenarios::RunData& d = run.finish();
    for (const auto& c : run.checks()) {
        INFO(c.name << ": " << c.summary);
        CHECK(c.passed());
    }
    return d;
}

template <class E>
int count_events(const scenarios::RunData& d, const std::string& node_prefix) {
    int n = 0;
    for (const auto& e : d.trace->events())
        if (std::holds_alternative<E>(e.event) && d.trace->node_name(e.node).rfind(node_prefix, 0) == 0) ++n;
    return n;
}

}  // namespace

TEST_CASE("retention: the leader's log start offset reaches its followers", "[scenarios][retention]") {
    const scenarios::Scenario s = retention_scenario(nlohmann::json::array());
    scenarios::ScenarioRun run(s, seeded(3));
    const scenarios::RunData& d = run_passing(run);
    REQUIRE(d.final_state.partitions.size() >= 1);
    const scenarios::PartitionSnapshot* p = nullptr;
    for (const auto& ps : d.final_state.partitions)
        if (ps.topic == "events") p = &ps;
    REQUIRE(p != nullptr);
    const scenarios::ReplicaSnapshot* leader = p->committed_source();
    REQUIRE(leader != nullptr);
    // 80 s at 200 records/s with 20 s of retention: most of the log is gone.
    CHECK(leader->log_start_offset > 5000);
    for (const auto& r : p->replica_logs) {
        INFO("broker " << r.broker);
        CHECK(r.log_start_offset > 5000);
        // A follower may lag the leader's latest run by a fetch or a retention interval, never more.
        CHECK(r.log_start_offset >= leader->log_start_offset - 2 * 200 * 2);
        CHECK(r.log_start_offset <= r.high_watermark);
        if (!r.batches.empty()) CHECK(r.batches.front().base_offset <= r.log_start_offset);
    }
    // Every broker started at once, so each runs retention at the same instants and deletes the
    // same segments itself (the leader's log start offset in fetch responses changes nothing).
    CHECK(count_events<kafka::LogSegmentsDeleted>(d, "broker:1") > 0);
    CHECK(count_events<kafka::LogSegmentsDeleted>(d, "broker:2") > 0);
    CHECK(count_events<kafka::LogSegmentsDeleted>(d, "broker:3") > 0);
    // metrics see it move: the leader's log start offset in the last sample.
    REQUIRE_FALSE(d.samples.empty());
    CHECK(d.samples.back().partitions.front().log_start_offset == leader->log_start_offset);
}

TEST_CASE("retention: a follower back after retention deleted what it lacked starts over at the leader's log start",
          "[scenarios][retention]") {
    // broker:3 is away from 5 s to 55 s; retention deletes everything older than 20 s meanwhile.
    const scenarios::Scenario s =
        retention_scenario(nlohmann::json::array({{{"at", "5s"}, {"action", "crash"}, {"target", "broker:3"}, {"for", "50s"}}}));
    scenarios::ScenarioRun run(s, seeded(4));
    const scenarios::RunData& d = run_passing(run);
    bool started_over = false;
    for (const auto& e : d.trace->events())
        if (const auto* t = std::get_if<kafka::Truncated>(&e.event);
            t != nullptr && t->topic == "events" && t->reason.find("log start offset") != std::string::npos) {
            started_over = true;
            CHECK(t->to > t->from);  // forward: empty at the leader's log start offset
        }
    CHECK(started_over);
    // Restarted at 55 s, its own first retention run is due at 85 s, after the run: its log start
    // offset moved only with the leader's, from fetch responses.
    CHECK(count_events<kafka::LogStartOffsetIncremented>(d, "broker:3") > 0);
    const scenarios::ReplicaSnapshot* leader = nullptr;
    const scenarios::ReplicaSnapshot* returned = nullptr;
    for (const auto& ps : d.final_state.partitions) {
        if (ps.topic != "events") continue;
        leader = ps.committed_source();
        for (const auto& r : ps.replica_logs)
            if (r.broker == 3) returned = &r;
    }
    REQUIRE(leader != nullptr);
    REQUIRE(returned != nullptr);
    CHECK(returned->log_start_offset > 5000);
    CHECK(returned->log_start_offset >= leader->log_start_offset - 2 * 200 * 2);
}

TEST_CASE("retention: before 0.11 (KIP-107) a follower does not take the leader's log start offset",
          "[scenarios][retention][profiles]") {
    const nlohmann::json faults =
        nlohmann::json::array({{{"at", "5s"}, {"action", "crash"}, {"target", "broker:3"}, {"for", "50s"}}});
    auto moved_by_leader = [&](const std::string& version) {
        scenarios::ScenarioRun run(retention_scenario(faults, version), seeded(4));
        return count_events<kafka::LogStartOffsetIncremented>(run.finish(), "broker:");
    };
    CHECK(moved_by_leader("0.11") > 0);
    CHECK(moved_by_leader("0.10") == 0);
}

TEST_CASE("retention: a group member whose committed offset retention deleted fails the partition with "
          "auto.offset.reset=none",
          "[scenarios][retention]") {
    // The group commits its position and stops at 5 s; retention (20 s, checked every 2 s) then
    // deletes past that offset. A member that joins at 45 s with auto.offset.reset=none starts at
    // the committed offset, is told OFFSET_OUT_OF_RANGE, and reports the error instead of jumping.
    scenarios::Scenario s = retention_scenario(nlohmann::json::array());
    scenarios::ConsumerSpec first;
    first.group = "g";
    first.topics = {"events"};
    first.until = sim::seconds(5);
    first.config["auto.offset.reset"] = std::string("earliest");
    first.config["auto.commit.interval.ms"] = int64_t{1000};
    s.consumers.push_back(first);
    scenarios::ScenarioRun run(s, seeded(2));
    run.advance_to(sim::time_zero + sim::seconds(45));
    kafka::ConsumerConfig late = kafka::ConsumerConfig::from(s.kafka.profile, {});
    late.auto_offset_reset = "none";
    const scenarios::ClientNode member = run.add_consumer("late", "events", late, std::string("g"));
    const scenarios::RunData& d = run.finish();
    const kafka::ConsumerNoOffset* failed = nullptr;
    for (const auto& e : d.trace->events())
        if (const auto* n = std::get_if<kafka::ConsumerNoOffset>(&e.event); n != nullptr && e.node == member.node)
            failed = n;
    REQUIRE(failed != nullptr);
    CHECK(failed->error == "OFFSET_OUT_OF_RANGE");
    REQUIRE(failed->log_start_offset);
    CHECK(failed->offset > 0);                        // the group's committed offset, from before it stopped
    CHECK(*failed->log_start_offset > failed->offset);  // retention took it
    CHECK(count_events<kafka::ConsumerOffsetReset>(d, "late") == 0);  // it did not jump
}
