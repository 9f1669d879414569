// What the plots and the report compute beyond the raw samples (issue 19): lag in seconds, the
// group's lag from positions with a crashed owner, a crashed consumer's missing lag, the
// pending-batch age and retries, the fate of acknowledged records, the incident table, and a
// sweep's expected fraction. Each on a library run whose story fixes the numbers.
#include <catch2/catch.hpp>

#include <cmath>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "reports/fault_windows.hpp"
#include "reports/incidents.hpp"
#include "reports/metrics.hpp"
#include "reports/plots.hpp"
#include "reports/sweep_report.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

struct LibraryRun {
    scenarios::Scenario scenario;
    std::unique_ptr<scenarios::ScenarioRun> run;
    const scenarios::RunData* data = nullptr;
    reports::MetricsTable metrics;
};

std::unique_ptr<LibraryRun> library_run(const std::string& name) {
    auto out = std::make_unique<LibraryRun>();
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library" / (name + ".json")).string());
    REQUIRE(loaded.scenario);
    out->scenario = *loaded.scenario;
    out->run = std::make_unique<scenarios::ScenarioRun>(out->scenario, scenarios::RunOptions{});
    out->data = &out->run->finish();
    out->metrics = reports::build_metrics(*out->data);
    return out;
}

// The value of a column at the last sample at or before `seconds`.
double rv_at(const reports::MetricsTable& m, const std::string& column, double seconds) {
    const reports::MetricColumn* c = m.find(column);
    INFO("column " << column);
    REQUIRE(c != nullptr);
    size_t row = 0;
    for (size_t r = 0; r < m.times.size() && static_cast<double>(m.times[r].us) / 1e6 <= seconds + 1e-9; ++r) row = r;
    return c->values[row];
}

double max_between(const reports::MetricsTable& m, const std::string& column, double from_s, double to_s) {
    const reports::MetricColumn* c = m.find(column);
    REQUIRE(c != nullptr);
    double best = -1;
    for (size_t r = 0; r < m.times.size(); ++r) {
        double t = static_cast<double>(m.times[r].us) / 1e6;
        if (t >= from_s && t <= to_s && !std::isnan(c->values[r])) best = std::max(best, c->values[r]);
    }
    return best;
}

sim::Time s(double seconds) { return sim::time_zero + sim::Duration{static_cast<int64_t>(seconds * 1e6)}; }

}  // namespace

TEST_CASE("report views: lag in seconds is the time since the high watermark passed the position",
          "[scenarios][reports][lag]") {
    // Samples every second; the high watermark reaches 10 at 1s, 20 at 3s, and a truncation to
    // 15 at 4s does not make the older records new (the running maximum is what counts).
    std::vector<sim::Time> times = {s(0), s(1), s(2), s(3), s(4), s(5)};
    std::vector<int64_t> hw_max = {0, 10, 10, 20, 20, 20};
    CHECK(reports::time_lag(times, hw_max, 5, 20) == sim::Duration{0});  // caught up
    CHECK(reports::time_lag(times, hw_max, 5, 25) == sim::Duration{0});  // ahead (truncated log)
    CHECK(reports::time_lag(times, hw_max, 5, 0) == sim::seconds(4));    // record 0 readable since 1s
    CHECK(reports::time_lag(times, hw_max, 5, 9) == sim::seconds(4));
    CHECK(reports::time_lag(times, hw_max, 5, 10) == sim::seconds(2));   // record 10 readable since 3s
    CHECK(reports::time_lag(times, hw_max, 2, 10) == sim::Duration{0});  // at 2s record 10 was not there yet
    CHECK(reports::time_lag(times, hw_max, 3, 15) == sim::Duration{0});
    CHECK_FALSE(reports::time_lag(times, hw_max, 9, 0).has_value());     // no such sample
}

TEST_CASE("report views: a crashed member's partitions climb in the group lag and it has no lag of its own",
          "[scenarios][reports][lag]") {
    // consumer:billing/2 crashes at 30s; its session (10s) ends near 40s, and the survivors take
    // its partitions from the last committed offsets. It is back at 55s.
    auto r = library_run("consumer-crash-rebalance");
    const auto& m = r->metrics;
    const std::string position = "group:billing.position-lag-sum", seconds = "group:billing.max-lag-seconds";
    // Before the crash the group keeps up: a few polls behind at most.
    CHECK(max_between(m, seconds, 20, 29.9) < 3.0);
    // Orphaned: the oldest unread record ages with the clock, second for second.
    CHECK(rv_at(m, seconds, 39) > 7.0);
    CHECK(rv_at(m, seconds, 39) > rv_at(m, seconds, 35) + 3.0);
    CHECK(rv_at(m, position, 39) > rv_at(m, position, 33) + 200);
    // The committed lag's sawtooth peaks before the crash are noise the position lag does not have.
    CHECK(max_between(m, position, 18, 29.9) < max_between(m, "group:billing.records-lag-sum", 18, 29.9) / 2);
    // Per partition the columns add up to the sum.
    double sum = 0;
    for (int p = 0; p < 6; ++p) sum += rv_at(m, "group:billing.orders/" + std::to_string(p) + ".records-lag", 39);
    CHECK(sum == rv_at(m, position, 39));
    // The crashed client: no value while it is down (not zero), values before and after.
    CHECK(std::isnan(rv_at(m, "consumer:billing/2.records-lag-sum", 40)));
    CHECK_FALSE(std::isnan(rv_at(m, "consumer:billing/2.records-lag-sum", 20)));
    CHECK_FALSE(std::isnan(rv_at(m, "consumer:billing/2.records-lag-sum", 70)));
    CHECK_FALSE(std::isnan(rv_at(m, "consumer:billing/1.records-lag-sum", 40)));
    // Caught up at the end.
    CHECK(rv_at(m, seconds, 89) == 0.0);
}

TEST_CASE("report views: during an outage the oldest unacknowledged batch ages while latency has no value",
          "[scenarios][reports][produce]") {
    // The leader of orders/0 crashes at 10s; the controller moves the leader near 18.4s.
    auto r = library_run("leader-crash-acks-all");
    const auto& m = r->metrics;
    CHECK(rv_at(m, "oldest-unacked-batch-age-ms", 9) < 1000);
    CHECK(rv_at(m, "oldest-unacked-batch-age-ms", 17) > 6000);
    CHECK(rv_at(m, "oldest-unacked-batch-age-ms", 17) < 7100);
    CHECK(rv_at(m, "records-unacked", 17) > 0);
    CHECK(rv_at(m, "oldest-unacked-batch-age-ms", 59) == 0.0);  // everything answered at the end
    CHECK(rv_at(m, "record-retry-total", 59) >= 0);
    // Every acknowledged record is in the log once: the fates add up to the acknowledged count.
    CHECK(rv_at(m, "records-lost-total", 59) == 0);
    CHECK(rv_at(m, "records-duplicated-total", 59) == 0);
    CHECK(rv_at(m, "records-acked-ok-total", 59) == rv_at(m, "record-ack-total", 59));
    CHECK(rv_at(m, "ActiveControllerCount", 30) == 1);
}

TEST_CASE("report views: ActiveControllerCount counts a zombie controller as a second one",
          "[scenarios][reports][zookeeper]") {
    // The ZooKeeper-mode controller is paused past its session; another broker is elected while
    // the paused one still believes it leads, until it resumes and learns otherwise.
    auto r = library_run("zk-zombie-controller");
    CHECK(max_between(r->metrics, "ActiveControllerCount", 0, 1e9) == 2);
    CHECK(rv_at(r->metrics, "ActiveControllerCount", 10) == 1);
    CHECK(rv_at(r->metrics, "ActiveControllerCount", 59) == 1);
    // A KRaft controller failover: none for a moment, then one again.
    auto k = library_run("kraft-controller-failover");
    CHECK(max_between(k->metrics, "ActiveControllerCount", 0, 1e9) == 1);
    CHECK(rv_at(k->metrics, "ActiveControllerCount", 10) == 1);
}

TEST_CASE("report views: the incident table of a leader crash", "[scenarios][reports][incidents]") {
    auto r = library_run("leader-crash-acks-all");
    const auto windows = reports::fault_windows(*r->data);
    const auto rows = reports::incidents(*r->data, windows);
    REQUIRE_FALSE(rows.empty());
    const reports::IncidentRow& crash = rows.front();
    CHECK(crash.fault == "crash broker:" + std::to_string(crash.leader_before));  // leader:orders/0 resolved
    CHECK(crash.fault_at == s(10));
    CHECK(crash.what == "orders/0 leader");
    CHECK(crash.leader_after >= 1);
    CHECK(crash.leader_after != crash.leader_before);
    CHECK_FALSE(crash.unclean);
    // broker.session.timeout.ms is 9s: the controller fences the broker and moves the leader then.
    REQUIRE(crash.detected);
    REQUIRE(crash.elected);
    CHECK(*crash.detected >= sim::seconds(7));
    CHECK(*crash.detected <= *crash.elected);
    CHECK(*crash.elected <= sim::seconds(10));
    // Producers got nothing acknowledged on orders/0 from just before the crash until after it.
    REQUIRE(crash.produced);
    REQUIRE(crash.unavailable_from);
    REQUIRE(crash.unavailable_until);
    CHECK(*crash.unavailable_from <= s(10));
    CHECK(*crash.unavailable_until >= crash.fault_at + *crash.elected);
    // acks=all with min.insync.replicas=2: the records caught in it were retried and kept.
    CHECK(crash.at_risk > 0);
    CHECK(crash.at_risk == crash.at_risk_acked + crash.at_risk_failed + crash.at_risk_unanswered);
    CHECK(crash.at_risk_lost == 0);
    // broker:2, cut off from everyone at 30s, led at least one partition whose leader moved.
    size_t cut_rows = 0;
    for (const auto& row : rows)
        if (row.fault.rfind("partition broker:2", 0) == 0) {
            ++cut_rows;
            CHECK(row.leader_before == 2);
            CHECK(row.elected.has_value());
        }
    CHECK(cut_rows >= 1);
}

TEST_CASE("report views: a controller crash is an incident of the active controller", "[scenarios][reports][incidents]") {
    // The active KRaft controller crashes at 20s; a voter notices when its fetches go unanswered
    // (controller.quorum.fetch.timeout.ms) and wins an election.
    auto r = library_run("kraft-controller-failover");
    const auto rows = reports::incidents(*r->data, reports::fault_windows(*r->data));
    const reports::IncidentRow* controller = nullptr;
    for (const auto& row : rows)
        if (row.what == "active controller") controller = &row;
    REQUIRE(controller != nullptr);
    CHECK(controller->fault_at == s(20));
    CHECK(controller->leader_after != controller->leader_before);
    CHECK(controller->leader_after >= 0);
    REQUIRE(controller->detected);
    REQUIRE(controller->elected);
    CHECK(*controller->detected > sim::Duration{0});  // not at the crash itself: when a voter noticed
    CHECK(*controller->detected <= *controller->elected);
    CHECK_FALSE(controller->produced);
}

TEST_CASE("report views: an unclean election's incident counts the acknowledged records it lost",
          "[scenarios][reports][incidents]") {
    auto r = library_run("jepsen-2013-unclean-election");
    const auto rows = reports::incidents(*r->data, reports::fault_windows(*r->data));
    bool found = false;
    for (const auto& row : rows) {
        if (!row.unclean) continue;
        found = true;
        CHECK(row.at_risk_lost > 0);
        CHECK(row.at_risk_lost <= row.at_risk_acked);
    }
    CHECK(found);
    CHECK(rv_at(r->metrics, "records-lost-total", 59) > 0);
}

TEST_CASE("report views: a sweep meets an expectation's expected fraction or fails", "[scenarios][sweep]") {
    reports::SweepResult sweep;
    sweep.scenario_name = "race";
    sweep.scenario_file = "race.json";
    sweep.scenario_fingerprint = reports::fingerprint_bytes("{}");
    sweep.seeds = {1, 10};
    for (uint64_t seed = 1; seed <= 10; ++seed) {
        reports::SeedResult r;
        r.seed = seed;
        r.trace_hash = "0000000000000000";
        // Violated (as the scenario expects) on seeds 1..6 only.
        reports::SeedCheck c{"replicas-consistent", "", true, seed > 6, "x"};
        c.expected_fraction = 0.5;
        r.checks.push_back(c);
        r.checks.push_back({"single-leader", "", false, true, "x"});
        sweep.results.push_back(r);
    }
    auto tallies = reports::tally_checks(sweep);
    REQUIRE(tallies.size() == 2);
    CHECK(tallies[0].met() == 6);
    CHECK(tallies[0].as_expected());
    CHECK_FALSE(tallies[1].as_expected());  // every seed is expected there: nothing to forgive
    CHECK(sweep.failing() == 0);
    CHECK(sweep.exit_code() == 0);

    // 0.7 asks for more than 6 of 10.
    for (auto& r : sweep.results) r.checks[0].expected_fraction = 0.7;
    CHECK_FALSE(reports::tally_checks(sweep)[0].as_expected());
    CHECK(sweep.failing() == 4);
    CHECK(sweep.exit_code() == 1);

    // A seed that also misses an expectation without a fraction fails whatever the fraction.
    for (auto& r : sweep.results) r.checks[0].expected_fraction = 0.5;
    sweep.results[9].checks[1].holds = false;
    CHECK(sweep.failing() == 1);
    CHECK(reports::seed_failing(sweep.results[9], reports::tally_checks(sweep)));
    CHECK_FALSE(reports::seed_failing(sweep.results[8], reports::tally_checks(sweep)));

    // The fraction travels through sweep.json (merges and --merge read it back).
    reports::SeedResult back = reports::seed_from_json_line(reports::seed_json_line(sweep.results[0]));
    CHECK(back.checks[0].expected_fraction == 0.5);
    CHECK(back.checks[1].expected_fraction == 1.0);
    CHECK(reports::sweep_json_text(sweep).find("\"as_expected\": true") != std::string::npos);
}

TEST_CASE("report views: the loader reads expected_fraction and refuses values outside 0 to 1",
          "[scenarios][loader]") {
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library/kip-101-divergence-0.10.json").string());
    REQUIRE(loaded.scenario);
    REQUIRE(loaded.scenario->expect.size() == 1);
    CHECK(loaded.scenario->expect[0].expected_fraction == 0.4);
    const std::string base = R"({"name": "x", "duration": "30s", "kafka": {"brokers": 3}, "expect": [ )";
    for (const char* bad : {"0", "-0.5", "1.01", "\"half\"", "null"}) {
        auto r = scenarios::load_scenario_text(base + "{\"check\": \"no-acked-loss\", \"expected_fraction\": " + bad + "}]}",
                                               "x.json");
        INFO(bad);
        CHECK_FALSE(r.scenario);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].path == "/expect/0/expected_fraction");
    }
    auto ok = scenarios::load_scenario_text(base + "{\"check\": \"no-acked-loss\", \"expected_fraction\": 1}]}", "x.json");
    CHECK(ok.scenario);
}

TEST_CASE("report views: the plot script clips bursts, marks a for's end and draws heatmaps past 8 partitions",
          "[scenarios][reports][plots]") {
    auto lca = library_run("leader-crash-acks-all");
    const auto windows = reports::fault_windows(*lca->data);
    const reports::PlotScript script = reports::plot_script(*lca->data, lca->metrics, windows);
    auto has = [&](const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; };
    // Catch-up bursts after the failover go past the steady range: clipped and marked.
    CHECK(has(script.text, "above the axis (peak "));
    // The crash's for of 15s ends at 25s: a dashed green line there, as a restart gets.
    CHECK(has(script.text, "set arrow 2001 from first 25.000, graph 0 to first 25.000, graph 1 nohead linecolor rgb '#6aa84f' dashtype 2"));
    CHECK(has(script.text, "oldest-unacked-batch-age-ms"));
    CHECK(has(script.text, "ActiveControllerCount"));
    CHECK_FALSE(has(script.text, "with image"));  // 3 partitions: lines
    size_t names = 0;
    for (const auto& p : script.plots) names += p.name == "health" ? 1 : 0;
    CHECK(names == 1);

    auto many = library_run("cooperative-vs-eager");  // 12 partitions, two groups
    const reports::PlotScript heat = reports::plot_script(*many->data, many->metrics, reports::fault_windows(*many->data));
    CHECK(has(heat.text, "$leader_grid using 1:2:3 with image"));
    CHECK(has(heat.text, "$isr_grid using 1:2:3 with image"));
    CHECK(has(heat.text, "$lag_grid_1"));
    CHECK(has(heat.text, "$lag_grid_2"));
    CHECK(has(heat.text, "'payments/11' 11"));
}
