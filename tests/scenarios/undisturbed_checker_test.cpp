// undisturbed: no quorum election after the first, no fencing, no ISR shrink in a window.
#include <catch2/catch.hpp>

#include <string>

#include "scenarios/checkers/checker.hpp"

namespace {

using namespace scenarios;
using sim::seconds;

sim::Time und_at(sim::Duration d) { return sim::time_zero + d; }

bool und_mentions(const CheckResult& r, const std::string& text) {
    if (r.summary.find(text) != std::string::npos) return true;
    for (const auto& e : r.evidence)
        if (e.find(text) != std::string::npos) return true;
    return false;
}

}  // namespace

TEST_CASE("undisturbed: the first quorum leader is the start, later elections, fencing and ISR shrinks are not",
          "[checkers]") {
    kafka::Trace trace;
    trace.set_node_name(1, "broker:1");
    trace.set_node_name(3, "controller:3000");
    RunData run;
    run.trace = &trace;
    run.end = und_at(seconds(60));
    run.scenario.duration = seconds(60);
    ExpectSpec spec;
    spec.check = CheckKind::undisturbed;
    SECTION("a run without a quorum leader is not checked") {
        CheckResult r = run_check(spec, run);
        CHECK_FALSE(r.checked);
        CHECK_FALSE(r.passed());
    }
    trace.record(und_at(seconds(1)), 3, kafka::RaftLeader{.epoch = 1, .leader = 3000});
    // An ISR that grows is no disturbance.
    trace.record(und_at(seconds(2)), 3,
                 kafka::PartitionChange{.topic = "orders", .partition = 0, .isr_from = {1}, .isr = {1, 2, 3}});
    SECTION("only the start: holds") {
        CheckResult r = run_check(spec, run);
        CHECK(r.checked);
        CHECK(r.holds);
        CHECK(r.summary == "no election, fencing or ISR shrink in 0.000s..60.000s");
    }
    SECTION("an election, a fencing and a shrink are each named") {
        trace.record(und_at(seconds(20)), 3, kafka::RaftLeader{.epoch = 2, .leader = 3001});
        trace.record(und_at(seconds(21)), 3, kafka::BrokerFenced{.broker = 2, .since_heartbeat_ms = 9000, .reason = "session"});
        trace.record(und_at(seconds(22)), 3,
                     kafka::PartitionChange{.topic = "orders", .partition = 1, .isr_from = {1, 2, 3}, .isr = {1, 3}});
        CheckResult r = run_check(spec, run);
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "1 election, 1 fencing, 1 ISR shrink in 0.000s..60.000s");
        CHECK(und_mentions(r, "metadata quorum elected controller 3001 in epoch 2"));
        CHECK(und_mentions(r, "broker:2 fenced (session)"));
        CHECK(und_mentions(r, "orders/1 ISR [1,2,3] -> [1,3]"));
        SECTION("outside the window they do not count") {
            spec.during_from = seconds(30);
            spec.during_to = seconds(60);
            CheckResult later = run_check(spec, run);
            CHECK(later.holds);
        }
    }
}
