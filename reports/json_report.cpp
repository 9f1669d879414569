#include "reports/json_report.hpp"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <tuple>

#include "reports/console_report.hpp"
#include "reports/html_report.hpp"
#include "reports/incidents.hpp"
#include "reports/output_file.hpp"
#include "reports/resolved_config.hpp"
#include "scenarios/fault_injector.hpp"
#include "scenarios/timeline.hpp"

namespace reports {

namespace {

// A trace.jsonl line from an event's one description (sim/trace.hpp): integers and flags as
// numbers, text and id lists ("[1,2,3]") as strings.
struct JsonSink {
    nlohmann::json j;
    void kind(std::string_view k) { j["kind"] = k; }
    void field(const char* key, int64_t v) { j[key] = v; }
    void field(const char* key, int32_t v) { j[key] = v; }
    void field(const char* key, bool v) { j[key] = v ? 1 : 0; }
    void field(const char* key, std::string_view v) { j[key] = v; }
    void field(const char* key, const std::string& v) { j[key] = v; }
    void field(const char* key, const char* v) { j[key] = v; }
    void field(const char* key, const sim::IdList& v) { j[key] = sim::format_id_list(v); }
    template <class T>
    void field(const char* key, const std::optional<T>& v) {
        if (v) field(key, *v);
    }
};

namespace fs = std::filesystem;
using json = nlohmann::ordered_json;

constexpr const char* report_schema = "kafkasim-report/1";

json behaviour_json(const kafka::Behaviour& b) {
    json out = json::object();
    for (const kafka::BehaviourSwitch& s : kafka::behaviour_switches()) out[std::string(s.name)] = b.*s.flag;
    return out;
}

json scenario_json(const scenarios::Scenario& s) {
    return {{"name", s.name},
            {"file", s.file},
            {"description", s.description},
            {"duration", sim::format_duration(s.duration)},
            {"duration_us", s.duration.us},
            {"warnings", s.warnings}};
}

json cluster_json(const scenarios::Scenario& s) {
    const bool kraft = s.kafka.metadata == scenarios::MetadataMode::kraft;
    json c = {{"metadata", kraft ? "kraft" : "zookeeper"},
              {"brokers", s.kafka.brokers},
              {"network",
               {{"latency_min_us", s.network.latency_min.us},
                {"latency_max_us", s.network.latency_max.us},
                {"loss", s.network.loss}}},
              {"config", config_map_json(s.kafka.config)}};
    if (kraft) c["controllers"] = s.kafka.controllers;  // KRaft voters
    else c["zookeeper"] = s.kafka.zookeeper;           // ensemble size (the controller is a broker)
    return c;
}

json expectations_json(const scenarios::Scenario& s, const std::vector<scenarios::CheckResult>& checks) {
    json out = json::array();
    for (const auto& c : checks) {
        const double fraction = c.index < s.expect.size() ? s.expect[c.index].expected_fraction : 1.0;
        out.push_back({{"index", c.index},
                       {"check", c.name},
                       {"params", c.params},
                       {"outcome_expected", c.expect_violated ? "violated" : "holds"},
                       {"outcome", c.outcome()},
                       {"holds", c.holds},
                       {"checked", c.checked},
                       {"passed", c.passed()},
                       {"summary", c.summary},
                       {"evidence", c.evidence}});
        // On some seeds only (a sweep judges the share): a single run still judges its seed.
        if (fraction < 1.0) out.back()["expected_fraction"] = fraction;
    }
    return out;
}

// The timeline in the order things happened, each fault with the span it was in force;
// then the faults timed after the end of the run (they never fired).
json faults_json(const scenarios::RunData& run, const std::vector<FaultWindow>& windows) {
    json out = json::array();
    std::set<size_t> seen;
    for (size_t i = 0; i < run.faults.size(); ++i) {
        const scenarios::FaultRecord& f = run.faults[i];
        seen.insert(f.index);
        json j = {{"index", f.index},
                  {"at", sim::format_time(f.at)},
                  {"at_us", f.at.us},
                  {"action", f.action_text()},
                  {"undo", f.is_undo},
                  {"target", f.target_text},
                  {"resolved", f.resolved},
                  {"fired", f.fired},
                  {"note", f.note},
                  {"label", fault_label(f)}};
        auto w = std::find_if(windows.begin(), windows.end(), [&](const FaultWindow& x) { return x.record == i; });
        if (w != windows.end() && !w->instant) {
            j["until"] = sim::format_time(w->until);
            j["until_us"] = w->until.us;
            j["ended_by"] = w->ended ? w->ended_by : "still in force at the end of the run";
            if (!w->partly_ended.empty()) j["partly_ended"] = w->partly_ended;
        }
        out.push_back(std::move(j));
    }
    for (const auto& f : run.scenario.faults) {
        if (seen.count(f.index) != 0) continue;
        out.push_back({{"index", f.index},
                       {"at", sim::format_time(sim::time_zero + f.at)},
                       {"at_us", f.at.us},
                       {"action", scenarios::to_string(f.action)},
                       {"undo", false},
                       {"target", scenarios::fault_target_text(f)},
                       {"resolved", json::array()},
                       {"fired", false},
                       {"note", "timed after the end of the run (" + sim::format_time(run.end) + ")"},
                       {"label", std::string(scenarios::to_string(f.action)) + " " + scenarios::fault_target_text(f)}});
    }
    return out;
}

double max_of(const MetricsTable& m, std::string_view column) {
    const MetricColumn* c = m.find(column);
    double best = 0;
    if (c != nullptr)
        for (double v : c->values)
            if (!std::isnan(v)) best = std::max(best, v);
    return best;
}

json latency_json(const scenarios::RunData& run) {
    std::vector<int64_t> us;
    if (run.history != nullptr)
        for (const auto& b : batch_latencies(*run.history)) us.push_back(b.latency.us);
    if (us.empty()) return nullptr;
    auto ms = [](int64_t v) { return static_cast<double>(v) / 1000.0; };
    return {{"batches", us.size()},
            {"p50", ms(percentile(us, 50))},
            {"p99", ms(percentile(us, 99))},
            {"max", ms(*std::max_element(us.begin(), us.end()))}};
}

// Each partition leader epoch won by an unclean election, once (every controller replaying the
// record may trace it).
int64_t unclean_elections(const scenarios::RunData& run) {
    std::set<std::tuple<std::string, int64_t, int64_t>> seen;
    if (run.trace == nullptr) return 0;
    for (const auto& ev : run.trace->events())
        if (const auto u = kafka::unclean_election(ev.event)) seen.insert({std::string(u->topic), u->partition, u->leader_epoch});
    return static_cast<int64_t>(seen.size());
}

json summary_json(const scenarios::RunData& run, const MetricsTable& m) {
    RunCounts counts = count(run);
    json lag = json::object();
    for (const auto& c : m.consumers) lag[c] = static_cast<int64_t>(max_of(m, entity_column(c, metric::records_lag_sum)));
    json group_lag = json::object();
    for (const auto& g : m.groups) group_lag[g] = static_cast<int64_t>(max_of(m, entity_column(g, metric::records_lag_sum)));
    int32_t final_epoch = run.samples.empty() ? 0 : run.samples.back().quorum_epoch;
    return {{"records_sent", counts.sent},
            {"records_acked", counts.acked},
            {"records_failed", counts.failed},
            {"records_consumed", counts.polled},
            {"acked_fraction", counts.sent > 0 ? json(static_cast<double>(counts.acked) / static_cast<double>(counts.sent))
                                               : json(nullptr)},
            {"produce_latency_ms", latency_json(run)},
            {"max_consumer_lag", lag},
            {"max_group_lag", group_lag},
            {"partition_leader_elections", counts.leader_elections},
            {"unclean_leader_elections", unclean_elections(run)},
            {"active_controller_changes", counts.controller_changes},
            {"max_UnderReplicatedPartitions", static_cast<int64_t>(max_of(m, metric::under_replicated_partitions))},
            {"max_OfflinePartitionsCount", static_cast<int64_t>(max_of(m, metric::offline_partitions_count))},
            {"final_quorum_epoch", final_epoch},
            {"faults_fired", counts.faults_fired},
            {"faults_not_fired", counts.faults_not_fired},
            {"samples", run.samples.size()},
            {"sample_interval_us", run.sample_interval.us},
            {"events", run.events},
            {"virtual_time_us", run.end.us},
            {"trace_hash", run.trace_hash}};
}

// Milliseconds with three decimals, as a number.
json ms_json(std::optional<sim::Duration> d) {
    if (!d) return nullptr;
    return static_cast<double>(d->us) / 1000.0;
}

json incidents_json(const scenarios::RunData& run, const std::vector<FaultWindow>& windows) {
    json out = json::array();
    const bool kraft = run.scenario.kafka.metadata == scenarios::MetadataMode::kraft;
    for (const IncidentRow& r : incidents(run, windows)) {
        const std::string role = r.what == "active controller" && kraft ? "controller:" : "broker:";
        json j = {{"fault", r.fault},
                  {"at", sim::format_time(r.fault_at)},
                  {"at_us", r.fault_at.us},
                  {"what", r.what},
                  {"leader_before", role + std::to_string(r.leader_before)},
                  {"leader_after", r.leader_after < 0 ? json(nullptr) : json(role + std::to_string(r.leader_after))},
                  {"unclean", r.unclean},
                  {"detected_after_ms", ms_json(r.detected)},
                  {"elected_after_ms", ms_json(r.elected)}};
        if (r.produced) {
            j["unavailable"] = {
                {"from", r.unavailable_from ? json(sim::format_time(*r.unavailable_from)) : json(nullptr)},
                {"until", r.unavailable_until ? json(sim::format_time(*r.unavailable_until)) : json(nullptr)},
                {"ms", r.unavailable_from ? ms_json(r.unavailable_until.value_or(run.end) - *r.unavailable_from) : json(nullptr)},
                {"to_end_of_run", r.unavailable_from && !r.unavailable_until}};
            j["records_at_risk"] = {{"total", r.at_risk},
                                    {"acked", r.at_risk_acked},
                                    {"lost", r.fates_judged ? json(r.at_risk_lost) : json(nullptr)},
                                    {"duplicated", r.fates_judged ? json(r.at_risk_duplicated) : json(nullptr)},
                                    {"failed", r.at_risk_failed},
                                    {"unanswered", r.at_risk_unanswered}};
        }
        out.push_back(std::move(j));
    }
    return out;
}

json plots_json(const PlotsResult& plots) {
    json drawn = json::array();
    for (const auto& p : plots.plots) drawn.push_back({{"name", p.name}, {"title", p.title}, {"png", p.png}, {"svg", p.svg}});
    json out = {{"drawn", drawn}, {"skipped", plots.skipped.empty() ? json(nullptr) : json(plots.skipped)}};
    if (!plots.log.empty()) out["gnuplot_log"] = plots.log;
    return out;
}

void write_trace_jsonl(const std::string& path, const scenarios::RunData& run) {
    OutputFile file(path);
    std::ostream& trace = file.stream();
    if (run.trace == nullptr) return file.commit();
    auto line = [&](sim::Time t, sim::NodeId node, const auto& describe_into) {
        JsonSink sink;
        sink.j["t_us"] = t.us;
        sink.j["node"] = run.trace->node_name(node);
        describe_into(sink);
        trace << sink.j.dump() << "\n";
    };
    scenarios::for_each_in_order(
        run,
        [&](const kafka::TraceEntry& ev) { line(ev.time, ev.node, [&](JsonSink& s) { describe(ev.event, s); }); },
        [&](const scenarios::FaultRecord& f) { line(f.at, sim::no_node, [&](JsonSink& s) { describe(f, s); }); });
    file.commit();
}

std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

PlotsResult draw_plots(const std::string& dir, const scenarios::RunData& run, const MetricsTable& metrics,
                       const std::vector<FaultWindow>& windows, const RunFilesOptions& options) {
    PlotsResult none;
    if (!options.plots) {
        none.skipped = "plots skipped: not asked for";
        return none;
    }
    std::optional<std::string> gnuplot = options.gnuplot ? options.gnuplot : find_gnuplot();
    if (!gnuplot) {
        none.skipped = gnuplot_missing_text;
        return none;
    }
    return write_plots(dir, run, metrics, windows, *gnuplot);
}

}  // namespace

json report_json(const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks,
                 const MetricsTable& metrics, const std::vector<FaultWindow>& windows, const PlotsResult& plots,
                 const std::string& reproduce_command) {
    const auto& s = run.scenario;
    bool passed = std::all_of(checks.begin(), checks.end(), [](const auto& c) { return c.passed(); });
    json r;
    r["schema"] = report_schema;
    r["scenario"] = scenario_json(s);
    r["seed"] = run.seed;
    r["passed"] = passed;
    r["reproduce"] = reproduce_command;
    r["trace_hash"] = run.trace_hash;
    r["profile"] = {{"version", s.kafka.version},
                    {"profile", s.kafka.profile.name},
                    {"notes", s.kafka.profile.notes},
                    {"defaults", config_map_json(s.kafka.profile.defaults)},
                    {"behaviour", behaviour_json(s.kafka.profile.behaviour)}};
    r["cluster"] = cluster_json(s);
    r["config"] = resolved_config_json(s);
    r["expectations"] = expectations_json(s, checks);
    r["faults"] = faults_json(run, windows);
    r["summary"] = summary_json(run, metrics);
    r["incidents"] = incidents_json(run, windows);
    r["plots"] = plots_json(plots);
    return r;
}

RunFilesResult write_run_files(const std::string& dir, const scenarios::RunData& run,
                               const std::vector<scenarios::CheckResult>& checks, const RunFilesOptions& options) {
    RunFilesResult result;
    fs::create_directories(dir);
    // An earlier run's files in the same folder must not pass for this run's when a write fails.
    for (const char* name : {"trace.jsonl", "metrics.csv", "report.json", "report.html"}) {
        std::error_code ec;
        fs::remove(fs::path(dir) / name, ec);
    }
    write_trace_jsonl(dir + "/trace.jsonl", run);
    result.files.push_back("trace.jsonl");

    const MetricsTable metrics = build_metrics(run);
    {
        OutputFile csv(dir + "/metrics.csv");
        write_metrics_csv(csv.stream(), metrics);
        csv.commit();
    }
    result.files.push_back("metrics.csv");

    const std::vector<FaultWindow> windows = fault_windows(run);
    result.plots = draw_plots(dir, run, metrics, windows, options);
    for (const auto& p : result.plots.plots) {
        result.files.push_back(p.png);
        result.files.push_back(p.svg);
    }

    const json report = report_json(run, checks, metrics, windows, result.plots, options.reproduce_command);
    write_file(dir + "/report.json", report.dump(2) + "\n");
    result.files.push_back("report.json");

    std::vector<InlinePlot> inline_plots;
    for (size_t i = 0; i < result.plots.plots.size(); ++i) {
        const PlotFile& p = result.plots.plots[i];
        inline_plots.push_back({p, inline_svg(read_file(fs::path(dir) / p.svg), "p" + std::to_string(i + 1) + "-")});
    }
    write_file(dir + "/report.html", html_report(report, run, inline_plots));
    result.files.push_back("report.html");
    return result;
}

}  // namespace reports
