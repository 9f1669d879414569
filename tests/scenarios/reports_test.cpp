// The files a run leaves behind (report.json, metrics.csv, report.html, plots/) are what a
// user reads after a run and what scripts parse: their fields and columns are a contract,
// and the same scenario with the same seed must give the same bytes, so that two runs can be
// compared with diff. Plots need gnuplot; without it the run must still write the rest and
// say where plots come from.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process_support.hpp"
#include "reports/fault_windows.hpp"
#include "reports/html_report.hpp"
#include "reports/json_report.hpp"
#include "reports/metrics.hpp"
#include "reports/plots.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

using test_support::read_file;
using test_support::sh_quoted;
using test_support::temp_dir;


struct ReportsCliResult {
    int exit_code = -1;
    std::string output;
    std::string command;
};

// `kafkasim <args>` in `cwd`, with `env` (e.g. "PATH=/nonexistent") in front when given.
ReportsCliResult run_kafkasim(const std::string& args, const fs::path& cwd, const std::string& env = "") {
    static int counter = 0;
    fs::path out_file = temp_dir() / ("cli-" + std::to_string(++counter) + ".txt");
    ReportsCliResult r;
    r.command = "cd " + sh_quoted(cwd.string()) + " && " + (env.empty() ? "" : "env " + env + " ") +
                sh_quoted(binary.string()) + " " + args;
    int status = std::system((r.command + " > " + sh_quoted(out_file.string()) + " 2>&1").c_str());
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.output = read_file(out_file);
    return r;
}

scenarios::Scenario library_scenario(const std::string& name) {
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library" / (name + ".json")).string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

// Runs a library scenario in-process and writes its files without plots (no gnuplot needed).
struct WrittenRun {
    scenarios::Scenario scenario;
    std::unique_ptr<scenarios::ScenarioRun> run;
    fs::path dir;
    json report;
};
WrittenRun write_library_run(const std::string& name) {
    WrittenRun w;
    w.scenario = library_scenario(name);
    w.run = std::make_unique<scenarios::ScenarioRun>(w.scenario, scenarios::RunOptions{});
    const scenarios::RunData& data = w.run->finish();
    w.dir = temp_dir() / ("inproc-" + name);
    reports::RunFilesOptions options;
    options.reproduce_command = "kafkasim run " + name;
    options.plots = false;
    reports::write_run_files(w.dir.string(), data, w.run->checks(), options);
    w.report = json::parse(read_file(w.dir / "report.json"));
    return w;
}

std::vector<std::vector<std::string>> read_csv(const fs::path& p) {
    std::vector<std::vector<std::string>> rows;
    std::ifstream in(p);
    std::string line;
    while (std::getline(in, line)) {
        std::vector<std::string> cells;
        std::string cell;
        std::stringstream s(line);
        while (std::getline(s, cell, ',')) cells.push_back(cell);
        if (!line.empty() && line.back() == ',') cells.push_back("");
        rows.push_back(cells);
    }
    return rows;
}

size_t column(const std::vector<std::string>& header, const std::string& name) {
    auto it = std::find(header.begin(), header.end(), name);
    INFO("column " << name);
    REQUIRE(it != header.end());
    return static_cast<size_t>(it - header.begin());
}

std::optional<std::string> find_on_path(const std::vector<std::string>& names) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return std::nullopt;
    for (const auto& name : names) {
        std::stringstream dirs(path);
        std::string dir;
        while (std::getline(dirs, dir, ':')) {
            fs::path candidate = fs::path(dir) / name;
            if (!dir.empty() && fs::is_regular_file(candidate) && access(candidate.c_str(), X_OK) == 0)
                return candidate.string();
        }
    }
    return std::nullopt;
}

}  // namespace

TEST_CASE("reports: report.json holds every section with the right types", "[scenarios][reports]") {
    WrittenRun w = write_library_run("quickstart");
    const json& r = w.report;
    CHECK(r["schema"] == "kafkasim-report/1");
    CHECK(r["scenario"]["name"].is_string());
    CHECK(r["scenario"]["description"].is_string());
    CHECK(r["scenario"]["duration_us"].is_number_integer());
    CHECK(r["seed"].is_number_unsigned());
    CHECK(r["passed"].is_boolean());
    CHECK(r["reproduce"].is_string());
    CHECK(r["trace_hash"].is_string());
    CHECK(r["profile"]["version"].is_string());
    CHECK(r["profile"]["profile"].is_string());
    CHECK(r["profile"]["notes"].is_array());
    CHECK(r["profile"]["behaviour"]["truncate_by_leader_epoch"].is_boolean());
    CHECK(r["cluster"]["brokers"].is_number_integer());
    CHECK(r["cluster"]["network"]["latency_max_us"].is_number_integer());

    // The resolved configuration: the profile's defaults with the scenario's settings on top.
    const json& config = r["config"];
    CHECK(config["broker"]["min.insync.replicas"].is_number_integer());
    CHECK(config["broker"]["replica.lag.time.max.ms"] == 30000);
    REQUIRE(config["topics"].size() == 1);
    CHECK(config["topics"][0]["name"] == "quickstart-events");
    CHECK(config["topics"][0]["partitions"] == 3);
    CHECK(config["topics"][0]["config"]["min.insync.replicas"].is_number_integer());
    REQUIRE(config["producers"].size() == 1);
    CHECK(config["producers"][0]["config"]["acks"] == -1);  // "all", as set
    CHECK(config["producers"][0]["overrides"]["acks"] == -1);
    CHECK(config["producers"][0]["config"]["enable.idempotence"] == true);
    REQUIRE(config["consumers"].size() == 1);
    CHECK(config["consumers"][0]["group"].is_null());
    CHECK(config["consumers"][0]["config"]["auto.offset.reset"] == "earliest");

    REQUIRE(r["expectations"].is_array());
    for (const auto& e : r["expectations"]) {
        CHECK(e["check"].is_string());
        CHECK(e["params"].is_string());
        CHECK(e["outcome_expected"].is_string());
        CHECK(e["outcome"].is_string());
        CHECK(e["holds"].is_boolean());
        CHECK(e["passed"].is_boolean());
        CHECK(e["summary"].is_string());
        CHECK(e["evidence"].is_array());
    }
    CHECK(r["faults"].is_array());
    const json& s = r["summary"];
    for (const char* k : {"records_sent", "records_acked", "records_failed", "records_consumed",
                          "partition_leader_elections", "unclean_leader_elections", "active_controller_changes",
                          "max_UnderReplicatedPartitions", "max_OfflinePartitionsCount", "faults_fired", "samples",
                          "sample_interval_us", "events", "virtual_time_us"}) {
        INFO(k);
        CHECK(s[k].is_number_integer());
    }
    CHECK(s["produce_latency_ms"]["p50"].is_number());
    CHECK(s["produce_latency_ms"]["p99"].is_number());
    CHECK(s["max_consumer_lag"].is_object());
    CHECK(s["trace_hash"] == r["trace_hash"]);
    CHECK(r["plots"]["drawn"].is_array());
    CHECK(r["plots"]["skipped"].is_string());  // plots were not asked for here
}

TEST_CASE("reports: report.json of quickstart holds the run's numbers and every expectation", "[scenarios][reports]") {
    WrittenRun w = write_library_run("quickstart");
    const json& r = w.report;
    const scenarios::RunData& data = w.run->data();
    CHECK(r["scenario"]["name"] == "quickstart");
    CHECK(r["seed"] == 1);
    CHECK(r["passed"] == true);
    CHECK(r["trace_hash"] == data.trace_hash);
    CHECK(r["profile"]["version"] == "3.7");
    // 200 records/s from 2s to 25s, every one acknowledged and consumed.
    CHECK(r["summary"]["records_sent"] == 4600);
    CHECK(r["summary"]["records_acked"] == 4600);
    CHECK(r["summary"]["records_failed"] == 0);
    CHECK(r["summary"]["records_consumed"] == 4600);
    CHECK(r["summary"]["acked_fraction"] == 1.0);
    CHECK(r["summary"]["samples"] == 300);  // 30s at 100ms
    CHECK(r["summary"]["max_OfflinePartitionsCount"] == 0);
    CHECK(r["summary"]["max_consumer_lag"].contains("consumer:null/1"));
    CHECK(r["faults"].empty());

    const std::vector<std::string> expected = {"no-acked-loss", "no-duplicates", "per-partition-order",
                                               "replicas-consistent", "single-leader", "availability"};
    REQUIRE(r["expectations"].size() == expected.size());
    for (size_t i = 0; i < expected.size(); ++i) {
        const json& e = r["expectations"][i];
        INFO(e.dump(2));
        CHECK(e["index"] == i);
        CHECK(e["check"] == expected[i]);
        CHECK(e["outcome_expected"] == "holds");
        CHECK(e["outcome"] == "holds");
        CHECK(e["passed"] == true);
        CHECK_FALSE(e["summary"].get<std::string>().empty());
    }
    CHECK(r["expectations"][5]["params"] == "min=0.99");
}

TEST_CASE("reports: a ZooKeeper-mode unclean election is flagged as KRaft's is", "[scenarios][reports][zookeeper]") {
    // jepsen-2013-unclean-election: the ZooKeeper controller elects an out-of-ISR replica.
    WrittenRun unclean = write_library_run("jepsen-2013-unclean-election");
    CHECK(unclean.report["summary"]["unclean_leader_elections"].get<int64_t>() >= 1);
    CHECK(contains(read_file(unclean.dir / "report.html"), "UNCLEAN election: an out-of-sync replica leads"));
    WrittenRun fixed = write_library_run("jepsen-2013-fixed");
    CHECK(fixed.report["summary"]["unclean_leader_elections"] == 0);
}

TEST_CASE("reports: metrics.csv has a row per sample and Kafka's metric names", "[scenarios][reports]") {
    WrittenRun w = write_library_run("quickstart");
    auto rows = read_csv(w.dir / "metrics.csv");
    REQUIRE(rows.size() == 301);  // header + 30s at 100ms
    const auto& h = rows[0];
    CHECK(h[0] == "time_s");
    CHECK(h[1] == "UnderReplicatedPartitions");
    CHECK(h[2] == "OfflinePartitionsCount");
    for (size_t r = 1; r < rows.size(); ++r) REQUIRE(rows[r].size() == h.size());
    CHECK(rows[1][0] == "0.100");
    CHECK(rows.back()[0] == "30.000");

    const auto& last = rows.back();
    CHECK(last[column(h, "UnderReplicatedPartitions")] == "0");
    CHECK(last[column(h, "OfflinePartitionsCount")] == "0");
    CHECK(last[column(h, "record-send-total")] == "4600");
    CHECK(last[column(h, "record-ack-total")] == "4600");
    CHECK(last[column(h, "raft-metrics.current-epoch")] == "1");
    CHECK(last[column(h, "raft-metrics.current-leader")] == last[column(h, "active-controller")]);
    CHECK(last[column(h, "consumer:null/1.records-lag-sum")] == "0");
    for (int p = 0; p < 3; ++p) {
        std::string label = "quickstart-events/" + std::to_string(p);
        CHECK(last[column(h, label + ".ReplicasCount")] == "3");
        CHECK(last[column(h, label + ".InSyncReplicasCount")] == "3");
        std::string leader = last[column(h, label + ".leader")];
        CHECK((leader == "1" || leader == "2" || leader == "3"));
        CHECK(last[column(h, label + ".high-watermark")] == last[column(h, label + ".LogEndOffset")]);
    }
    for (const char* c : {"record-send-rate", "request-latency-avg", "request-latency-p50", "request-latency-p99",
                          "consumer:null/1.records-lag-max", "consumer:null/1.records-consumed-rate"})
        column(h, c);
    // While the producer runs at 200 records/s, an interval of 100ms sends about 20.
    auto rate = std::stod(rows[100][column(h, "record-send-rate")]);  // t = 10s
    CHECK(rate > 0);
    CHECK(rate < 2000);
    // Before anything was acknowledged there is no latency: an empty cell, not zero.
    CHECK(rows[1][column(h, "request-latency-p99")].empty());
    CHECK_FALSE(rows[100][column(h, "request-latency-p99")].empty());
}

TEST_CASE("reports: metrics.csv has a column set per consumer group", "[scenarios][reports]") {
    WrittenRun w = write_library_run("consumer-crash-rebalance");
    auto rows = read_csv(w.dir / "metrics.csv");
    REQUIRE(rows.size() > 2);
    const auto& h = rows[0];
    for (size_t r = 1; r < rows.size(); ++r) REQUIRE(rows[r].size() == h.size());
    const auto& last = rows.back();
    CHECK(last[column(h, "group:billing.members")] == "3");  // the crashed member is back
    CHECK(std::stoi(last[column(h, "group:billing.generation")]) >= 3);  // two rebalances after the first join
    CHECK_FALSE(last[column(h, "group:billing.records-lag-sum")].empty());
    column(h, "group:billing.records-lag-max");
    column(h, "group:billing.committed-partitions");
    for (int n = 1; n <= 3; ++n) column(h, "consumer:billing/" + std::to_string(n) + ".records-lag-sum");
    CHECK(w.report["summary"]["max_group_lag"].contains("group:billing"));
}

TEST_CASE("reports: fault windows end at their undo, a restart or a heal", "[scenarios][reports]") {
    scenarios::RunData run;
    run.end = sim::time_zero + sim::seconds(60);
    auto record = [&](size_t index, int64_t at_s, std::string action, std::vector<std::string> resolved, bool undo) {
        scenarios::FaultRecord f;
        f.index = index;
        f.at = sim::time_zero + sim::seconds(at_s);
        f.action = *scenarios::parse_fault_action(action);
        f.target_text = "as written";
        f.resolved = std::move(resolved);
        f.fired = true;
        f.is_undo = undo;
        run.faults.push_back(f);
    };
    record(0, 5, "crash", {"broker:1"}, false);
    record(1, 8, "isolate", {"broker:2"}, false);
    record(2, 10, "latency", {"broker:3"}, false);
    record(3, 12, "restart", {"broker:1"}, false);
    record(4, 15, "heal", {}, false);
    record(5, 20, "pause", {"controller:3000"}, false);
    record(5, 22, "pause", {"controller:3000"}, true);

    std::vector<reports::FaultWindow> w = reports::fault_windows(run);
    REQUIRE(w.size() == 6);
    CHECK(w[0].label == "crash broker:1");
    CHECK(w[0].until == sim::time_zero + sim::seconds(12));
    CHECK(w[0].ended_by == "restart at 12.000s");
    CHECK(w[1].label == "isolate broker:2");
    CHECK(w[1].until == sim::time_zero + sim::seconds(15));
    CHECK(w[1].ended_by == "heal at 15.000s");
    CHECK(w[2].kind == reports::FaultWindow::Kind::network_degraded);
    CHECK_FALSE(w[2].ended);  // heal removes cuts, not latency
    CHECK(w[2].until == run.end);
    CHECK(w[3].instant);
    CHECK(w[4].instant);
    CHECK(w[5].until == sim::time_zero + sim::seconds(22));
    CHECK(w[5].ended_by == "undone after its for");

    SECTION("a fault with several nodes ends when the last of them is back") {
        run.faults.clear();
        record(0, 10, "crash", {"zookeeper:1", "zookeeper:2"}, false);
        record(1, 40, "restart", {"zookeeper:1"}, false);
        std::vector<reports::FaultWindow> partly = reports::fault_windows(run);
        REQUIRE(partly.size() == 2);
        CHECK_FALSE(partly[0].ended);  // zookeeper:2 is still down: the shading goes on
        CHECK(partly[0].until == run.end);
        CHECK(partly[0].partly_ended == std::vector<std::string>{"zookeeper:1: restart at 40.000s"});
        record(2, 50, "restart", {"zookeeper:2"}, false);
        std::vector<reports::FaultWindow> whole = reports::fault_windows(run);
        CHECK(whole[0].ended);
        CHECK(whole[0].until == sim::time_zero + sim::seconds(50));
        CHECK(whole[0].ended_by == "restart at 50.000s");
    }
}

TEST_CASE("reports: the fault timeline says what each fault resolved to and which never fired",
          "[scenarios][reports]") {
    scenarios::Scenario s = library_scenario("leader-crash-acks-all");
    // One more fault, timed after the end: it is due never, and the report must say so.
    scenarios::FaultSpec late = s.faults.front();
    late.index = s.faults.size();
    late.at = s.duration + sim::seconds(5);
    s.faults.push_back(late);
    scenarios::ScenarioRun run(s, {});
    const scenarios::RunData& data = run.finish();
    reports::MetricsTable m = reports::build_metrics(data);
    json r = reports::report_json(data, run.checks(), m, reports::fault_windows(data), {}, "");
    const json& faults = r["faults"];
    REQUIRE(faults.size() >= 2);
    const json& crash = faults[0];
    INFO(faults.dump(2));
    CHECK(crash["action"] == "crash");
    CHECK(crash["target"] == "leader:orders/0");
    REQUIRE(crash["resolved"].size() == 1);
    CHECK(crash["resolved"][0].get<std::string>().rfind("broker:", 0) == 0);
    CHECK(crash["fired"] == true);
    CHECK(crash["label"] == "crash " + crash["resolved"][0].get<std::string>());
    CHECK(crash["until_us"] == 25000000);
    CHECK(crash["ended_by"] == "undone after its for of 15s");
    const json& never = faults.back();
    CHECK(never["index"] == late.index);
    CHECK(never["fired"] == false);
    CHECK(contains(never["note"].get<std::string>(), "after the end of the run"));
    CHECK(r["summary"]["max_UnderReplicatedPartitions"].get<int64_t>() >= 1);
}

TEST_CASE("reports: report.html is one self-contained page with verdicts, faults and the story",
          "[scenarios][reports]") {
    WrittenRun w = write_library_run("leader-crash-acks-all");
    std::string html = read_file(w.dir / "report.html");
    CHECK(html.rfind("<!DOCTYPE html>", 0) == 0);
    CHECK(contains(html, "</html>"));
    // Nothing loaded from elsewhere: no scripts, stylesheets or images by URL.
    CHECK_FALSE(contains(html, "<script"));
    CHECK_FALSE(contains(html, "<link"));
    CHECK_FALSE(contains(html, " src="));
    CHECK_FALSE(contains(html, "https://"));
    CHECK(contains(html, "<style>"));
    CHECK(contains(html, reports::html_escape(w.scenario.description)));
    for (const auto& e : w.report["expectations"]) CHECK(contains(html, e["check"].get<std::string>()));
    CHECK(contains(html, "crash"));
    CHECK(contains(html, "leader:orders/0"));
    CHECK(contains(html, "FAULT crash leader:orders/0"));  // the narrated story
    CHECK(contains(html, w.report["trace_hash"].get<std::string>()));
    CHECK(contains(html, "replica.lag.time.max.ms"));      // the configuration
    CHECK(contains(html, "plots skipped"));                // and why there are no plots
    // Issue 19: the incident table, what trace.jsonl holds, the story whole on paper, and the
    // scenario format's names for workload settings.
    CHECK(contains(html, "<section id=\"incidents\">"));
    CHECK(contains(html, "orders/0 leader"));
    REQUIRE(w.report["incidents"].is_array());
    CHECK_FALSE(w.report["incidents"].empty());
    CHECK_FALSE(contains(html, "has every event"));
    CHECK(contains(html, "<code>trace.jsonl</code> holds the "));
    CHECK(contains(html, "@media print"));
    CHECK(contains(html, "rate 500/s"));
    CHECK_FALSE(contains(html, "rate_per_s"));
}

TEST_CASE("reports: inline SVG loses its prolog and size and gets its own ids", "[scenarios][reports]") {
    std::string svg =
        "<?xml version=\"1.0\" encoding=\"utf-8\"  standalone=\"no\"?>\n<svg \n width=\"600\" height=\"480\"\n "
        "viewBox=\"0 0 600 480\">\n<g id=\"gnuplot_canvas\">\n<path id='gpPt0'/>\n<use xlink:href='#gpPt0'/>\n"
        "<rect fill=\"url(#grad)\"/></g>\n</svg>\n";
    std::string out = reports::inline_svg(svg, "p1-");
    CHECK(out.rfind("<svg", 0) == 0);
    CHECK_FALSE(contains(out, "<?xml"));
    CHECK_FALSE(contains(out, "width=\"600\""));
    CHECK_FALSE(contains(out, "height=\"480\""));
    CHECK(contains(out, "viewBox=\"0 0 600 480\""));
    CHECK(contains(out, "id=\"p1-gnuplot_canvas\""));
    CHECK(contains(out, "id='p1-gpPt0'"));
    CHECK(contains(out, "href='#p1-gpPt0'"));
    CHECK(contains(out, "url(#p1-grad)"));
}

TEST_CASE("reports: two runs with one seed write byte-identical files", "[scenarios][reports]") {
    const fs::path a = temp_dir() / "same-a", b = temp_dir() / "same-b";
    ReportsCliResult ra = run_kafkasim("run leader-crash-acks-all --seed 3 --out " + sh_quoted(a.string()), temp_dir());
    ReportsCliResult rb = run_kafkasim("run leader-crash-acks-all --seed 3 --out " + sh_quoted(b.string()), temp_dir());
    INFO(ra.command << "\n" << ra.output);
    REQUIRE(ra.exit_code == 0);
    REQUIRE(rb.exit_code == 0);
    std::vector<std::string> files = {"report.json", "metrics.csv", "report.html", "trace.jsonl"};
    if (reports::find_gnuplot()) {
        for (const char* p : {"lag", "leadership", "produce", "health", "quorum"}) {
            files.push_back(std::string("plots/") + p + ".png");
            files.push_back(std::string("plots/") + p + ".svg");
        }
        files.push_back("plots/plots.gp");
    } else {
        WARN("gnuplot is not on PATH: the plots' determinism is not checked");
    }
    for (const auto& f : files) {
        INFO(f);
        REQUIRE(fs::exists(a / f));
        CHECK(read_file(a / f) == read_file(b / f));
    }
    CHECK(json::parse(read_file(a / "report.json"))["seed"] == 3);
}

TEST_CASE("reports: with gnuplot the run draws every plot and inlines it in report.html", "[scenarios][reports]") {
    if (!reports::find_gnuplot()) {
        WARN("gnuplot is not on PATH (Debian: gnuplot-nox): skipped");
        return;
    }
    const fs::path dir = temp_dir() / "plots";
    ReportsCliResult r = run_kafkasim("run leader-crash-acks-all --out " + sh_quoted(dir.string()), temp_dir());
    INFO(r.command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "5 plots"));
    json report = json::parse(read_file(dir / "report.json"));
    CHECK(report["plots"]["skipped"].is_null());
    REQUIRE(report["plots"]["drawn"].size() == 5);
    std::string html = read_file(dir / "report.html");
    size_t svgs = 0;
    for (size_t at = html.find("<svg"); at != std::string::npos; at = html.find("<svg", at + 1)) ++svgs;
    CHECK(svgs == 5);
    for (const auto& p : report["plots"]["drawn"]) {
        std::string png = read_file(dir / p["png"].get<std::string>());
        REQUIRE(png.size() > 8);
        CHECK(png.substr(1, 3) == "PNG");
        std::string svg = read_file(dir / p["svg"].get<std::string>());
        CHECK(contains(svg, "<svg"));
        CHECK(contains(svg, "crash broker:"));  // every plot labels the fault window
        CHECK(contains(svg, "virtual time (s)"));
    }
    CHECK_FALSE(fs::exists(dir / "plots/gnuplot.log"));  // gnuplot had nothing to complain about
}

TEST_CASE("reports: without gnuplot the run writes JSON, CSV and HTML and says how to get plots",
          "[scenarios][reports]") {
    const fs::path dir = temp_dir() / "no-gnuplot";
    ReportsCliResult r = run_kafkasim("run quickstart --out " + sh_quoted(dir.string()), temp_dir(), "PATH=/nonexistent");
    INFO(r.command << "\n" << r.output);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "plots skipped"));
    CHECK(contains(r.output, "gnuplot-nox"));
    for (const char* f : {"report.json", "metrics.csv", "report.html", "trace.jsonl"}) CHECK(fs::exists(dir / f));
    CHECK_FALSE(fs::exists(dir / "plots/lag.png"));
    json report = json::parse(read_file(dir / "report.json"));
    CHECK(report["plots"]["drawn"].empty());
    CHECK(contains(report["plots"]["skipped"].get<std::string>(), "gnuplot-nox"));
    CHECK(contains(read_file(dir / "report.html"), "gnuplot-nox"));
}

TEST_CASE("reports: --sample sets the metrics interval, a bad one is refused with exit 2", "[scenarios][reports]") {
    const fs::path dir = temp_dir() / "sample-250";
    ReportsCliResult r = run_kafkasim("run quickstart --sample 250ms --out " + sh_quoted(dir.string()), temp_dir(), "PATH=/nonexistent");
    INFO(r.command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    auto rows = read_csv(dir / "metrics.csv");
    REQUIRE(rows.size() == 121);  // header + 30s at 250ms
    CHECK(rows[1][0] == "0.250");
    CHECK(rows[2][0] == "0.500");
    json report = json::parse(read_file(dir / "report.json"));
    CHECK(report["summary"]["sample_interval_us"] == 250000);
    // The sampling is part of the run's events: the reproduce command carries it.
    CHECK(contains(report["reproduce"].get<std::string>(), "--sample 250ms"));

    for (const char* bad : {"abc", "0ms", "-5ms", "1500us", "10"}) {
        ReportsCliResult b = run_kafkasim(std::string("run quickstart --sample ") + bad, temp_dir());
        INFO(b.command << "\n" << b.output);
        CHECK(b.exit_code == 2);
        CHECK(contains(b.output, "--sample"));
        CHECK_FALSE(contains(b.output, "trace hash"));
    }
}

TEST_CASE("reports: without --out the files go to out/<scenario>-seed<N>", "[scenarios][reports]") {
    const fs::path cwd = temp_dir() / "default-out";
    fs::create_directories(cwd);
    ReportsCliResult r = run_kafkasim("run quickstart --seed 5", cwd, "PATH=/nonexistent");
    INFO(r.command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "out/quickstart-seed5/report.html"));
    CHECK(fs::exists(cwd / "out/quickstart-seed5/report.json"));
    CHECK(fs::exists(cwd / "out/quickstart-seed5/metrics.csv"));
}

TEST_CASE("reports: report.html renders in headless Chromium", "[scenarios][reports][chromium]") {
    std::optional<std::string> chromium =
        find_on_path({"chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "headless_shell"});
    if (!chromium) {
        WARN("no Chromium on PATH (chromium, chromium-browser, google-chrome): the rendering test is skipped");
        return;
    }
    const fs::path dir = temp_dir() / "chromium";
    ReportsCliResult r = run_kafkasim("run leader-crash-acks-all --out " + sh_quoted(dir.string()), temp_dir());
    REQUIRE(r.exit_code == 0);
    const fs::path png = dir / "report-screenshot.png";
    // timeout: a browser that hangs must fail this test, not the whole suite.
    std::string command = "timeout 120 " + sh_quoted(*chromium) + " --headless --no-sandbox --disable-gpu --hide-scrollbars " +
                          "--window-size=1280,4000 --screenshot=" + sh_quoted(png.string()) + " " +
                          sh_quoted("file://" + (dir / "report.html").string()) + " > /dev/null 2>&1";
    INFO(command);
    int status = std::system(command.c_str());
    CHECK(status == 0);
    std::string bytes = read_file(png);
    REQUIRE(bytes.size() > 10000);  // a blank page compresses to far less
    CHECK(bytes.substr(1, 3) == "PNG");
}
