#include "reports/html_report.hpp"

#include <cstdio>

#include "reports/console_report.hpp"
#include "reports/narrator.hpp"
#include "scenarios/timeline.hpp"

namespace reports {

namespace {

using json = nlohmann::ordered_json;

// A long run's story can run to many thousands of lines; the page stays light and
// trace.jsonl has every state change it is told from.
constexpr size_t max_story_lines = 4000;

const char* const css = R"css(
:root { --fg:#1c2330; --muted:#5d6677; --bg:#f5f6f8; --card:#ffffff; --line:#e2e5ea;
        --pass:#1b7a36; --pass-bg:#e5f4ea; --fail:#b3261e; --fail-bg:#fbe9e7; --accent:#2d5fa3; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--bg); color: var(--fg);
       font: 15px/1.55 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1100px; margin: 0 auto; padding: 28px 24px 64px; }
h1 { font-size: 26px; margin: 0 0 6px; letter-spacing: -0.01em; }
h2 { font-size: 18px; margin: 0 0 14px; }
h3 { font-size: 15px; margin: 18px 0 6px; }
p { margin: 6px 0 10px; }
a { color: var(--accent); }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 13px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 10px; padding: 20px 24px; margin: 18px 0; }
header.top { padding: 8px 0 4px; }
.lead { color: var(--muted); max-width: 900px; }
.badge { display: inline-block; padding: 1px 10px; border-radius: 999px; font-weight: 600; font-size: 12.5px;
         vertical-align: middle; white-space: nowrap; }
.badge.pass { background: var(--pass-bg); color: var(--pass); }
.badge.fail { background: var(--fail-bg); color: var(--fail); }
.badge.muted { background: #eceef2; color: var(--muted); }
.verdict { font-size: 15px; margin: 10px 0 2px; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 14px 0 0; }
dl.meta dt { color: var(--muted); }
dl.meta dd { margin: 0; }
nav.toc { font-size: 13.5px; margin-top: 14px; color: var(--muted); }
nav.toc a { margin-right: 14px; text-decoration: none; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(165px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 9px 13px; }
.card .v { font-size: 19px; font-weight: 600; }
.card .k { color: var(--muted); font-size: 12.5px; }
.check { border: 1px solid var(--line); border-left: 4px solid var(--pass); border-radius: 8px; padding: 10px 14px; margin: 10px 0; }
.check.failed { border-left-color: var(--fail); }
.check .name { font-weight: 600; }
.check .outcome { color: var(--muted); font-size: 13px; }
.check p { margin: 4px 0 2px; }
.check ul { margin: 6px 0 0; padding-left: 20px; }
.check li { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; }
details > summary { cursor: pointer; color: var(--accent); font-size: 13.5px; }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { color: var(--muted); font-weight: 600; font-size: 12.5px; text-transform: uppercase; letter-spacing: .03em; }
tr.not-fired td { color: var(--muted); }
tr.undo td { color: var(--muted); }
figure { margin: 10px 0 26px; }
figure svg { width: 100%; height: auto; display: block; border: 1px solid var(--line); border-radius: 6px; }
/* A heatmap is an image inside the SVG: cells stay cells, not a blur. */
figure svg image { image-rendering: pixelated; }
figcaption { color: var(--muted); font-size: 13.5px; margin-top: 6px; }
.note { background: #fff8e1; border: 1px solid #f3d68a; border-radius: 8px; padding: 10px 14px; }
pre.story { max-height: 520px; overflow: auto; background: #111826; color: #d7dde8; padding: 14px 16px;
            border-radius: 8px; line-height: 1.45; margin: 0; }
pre.story .fault { color: #ffb86b; }
pre.story .unclean { color: #ff6b6b; font-weight: 600; }
.kv td:first-child { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: 12.5px; width: 46%; }
.kv tr.set td { font-weight: 600; }
.kv tr.set td:first-child::after { content: "  set"; color: var(--accent); font-weight: 400; font-size: 11px; }
footer { color: var(--muted); font-size: 12.5px; text-align: center; margin-top: 24px; }
@media print {
  body { background: #ffffff; }
  section { break-inside: auto; border: none; padding: 0; }
  figure { break-inside: avoid; }
  /* On paper there is no scrolling: the story is printed whole. */
  pre.story { max-height: none; overflow: visible; white-space: pre-wrap; background: #ffffff; color: #000000;
              border: 1px solid var(--line); }
  pre.story .fault { color: #8a4b00; }
  pre.story .unclean { color: #b3261e; }
}
)css";

// ---------------------------------------------------------------- small pieces

std::string esc(const std::string& s) { return html_escape(s); }

std::string text_of(const json& v) {
    if (v.is_null()) return "null";
    if (v.is_string()) return v.get<std::string>();
    if (v.is_array()) {
        std::string out;
        for (const auto& x : v) out += (out.empty() ? "" : ", ") + text_of(x);
        return out;
    }
    return v.dump();
}

std::string fixed(double v, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    return buf;
}

std::string badge(bool pass, const std::string& text) {
    return std::string("<span class=\"badge ") + (pass ? "pass" : "fail") + "\">" + esc(text) + "</span>";
}

std::string card(const std::string& value, const std::string& key) {
    return "<div class=\"card\"><div class=\"v\">" + esc(value) + "</div><div class=\"k\">" + esc(key) + "</div></div>";
}

// ---------------------------------------------------------------- sections

std::string header_html(const json& r) {
    const json& s = r["scenario"];
    const json& checks = r["expectations"];
    size_t failed = 0;
    for (const auto& c : checks)
        if (!c["passed"].get<bool>()) ++failed;
    std::string verdict;
    if (checks.empty()) {
        verdict = "<span class=\"badge muted\">NO EXPECTATIONS</span> this run only reports";
    } else if (failed == 0) {
        verdict = badge(true, "PASS") + " every expectation's outcome was met (" + std::to_string(checks.size()) + ")";
    } else {
        verdict = badge(false, "FAIL") + " " + std::to_string(failed) + " of " + std::to_string(checks.size()) +
                  " expectations' outcomes were not met";
    }
    const json& cluster = r["cluster"];
    std::string shape = std::string(cluster["metadata"] == "kraft" ? "KRaft" : "ZooKeeper") + ", " +
                        std::to_string(cluster["brokers"].get<int>()) + " brokers, " +
                        (cluster["metadata"] == "kraft" ? std::to_string(cluster.value("controllers", 0)) + " controllers"
                                                        : std::to_string(cluster.value("zookeeper", 0)) + " ZooKeeper servers");
    std::string out = "<header class=\"top\">\n<h1>" + esc(s["name"].get<std::string>()) + "</h1>\n";
    out += "<p class=\"lead\">" + esc(s["description"].get<std::string>()) + "</p>\n";
    out += "<p class=\"verdict\">" + verdict + "</p>\n<dl class=\"meta\">\n";
    auto row = [&](const std::string& k, const std::string& v_html) { out += "<dt>" + esc(k) + "</dt><dd>" + v_html + "</dd>\n"; };
    row("scenario file", "<code>" + esc(s["file"].get<std::string>()) + "</code>");
    row("Kafka", esc(r["profile"]["version"].get<std::string>()) + " (profile " +
                     esc(r["profile"]["profile"].get<std::string>()) + "), " + esc(shape));
    row("seed", "<code>" + std::to_string(r["seed"].get<uint64_t>()) + "</code>");
    row("duration", esc(s["duration"].get<std::string>()) + " of virtual time, " +
                        with_commas(r["summary"]["events"].get<int64_t>()) +
                        " events (message deliveries and timers; the state changes among them are in trace.jsonl)");
    row("trace hash", "<code>" + esc(r["trace_hash"].get<std::string>()) + "</code>");
    if (!r["reproduce"].get<std::string>().empty()) row("reproduce", "<code>" + esc(r["reproduce"].get<std::string>()) + "</code>");
    for (const auto& w : s["warnings"]) row("warning", esc(w.get<std::string>()));
    out += "</dl>\n<nav class=\"toc\"><a href=\"#summary\">Summary</a><a href=\"#incidents\">Incidents</a><a href=\"#expectations\">Expectations</a>"
           "<a href=\"#plots\">Plots</a><a href=\"#faults\">Faults</a><a href=\"#story\">Story</a>"
           "<a href=\"#config\">Configuration</a></nav>\n</header>\n";
    return out;
}

std::string summary_html(const json& r) {
    const json& s = r["summary"];
    std::string out = "<section id=\"summary\">\n<h2>Summary</h2>\n<div class=\"cards\">\n";
    out += card(with_commas(s["records_sent"].get<int64_t>()), "records sent");
    std::string acked_key = "records acknowledged";
    if (!s["acked_fraction"].is_null()) acked_key += " (" + fixed(s["acked_fraction"].get<double>() * 100, 2) + "%)";
    out += card(with_commas(s["records_acked"].get<int64_t>()), acked_key);
    out += card(with_commas(s["records_failed"].get<int64_t>()), "records failed for good");
    out += card(with_commas(s["records_consumed"].get<int64_t>()), "records consumed");
    if (!s["produce_latency_ms"].is_null()) {
        const json& l = s["produce_latency_ms"];
        out += card(fixed(l["p50"].get<double>(), 1) + " / " + fixed(l["p99"].get<double>(), 1) + " ms",
                    "produce latency p50 / p99");
        out += card(fixed(l["max"].get<double>(), 1) + " ms", "produce latency max");
    }
    for (const auto& [group, lag] : s["max_group_lag"].items())
        out += card(with_commas(lag.get<int64_t>()), "max committed lag, " + group);
    for (const auto& [consumer, lag] : s["max_consumer_lag"].items())
        out += card(with_commas(lag.get<int64_t>()), "max lag, " + consumer);
    std::string elections = std::to_string(s["partition_leader_elections"].get<int64_t>());
    if (s["unclean_leader_elections"].get<int64_t>() > 0)
        elections += " (" + std::to_string(s["unclean_leader_elections"].get<int64_t>()) + " unclean)";
    out += card(elections, "partition leader elections");
    out += card(std::to_string(s["active_controller_changes"].get<int64_t>()), "active controller changes");
    out += card(std::to_string(s["max_UnderReplicatedPartitions"].get<int64_t>()), "max UnderReplicatedPartitions");
    out += card(std::to_string(s["max_OfflinePartitionsCount"].get<int64_t>()), "max OfflinePartitionsCount");
    std::string faults = std::to_string(s["faults_fired"].get<int64_t>());
    if (s["faults_not_fired"].get<int64_t>() > 0) faults += " (" + std::to_string(s["faults_not_fired"].get<int64_t>()) + " did not)";
    out += card(faults, "faults fired");
    return out + "</div>\n</section>\n";
}

std::string ms_text(const json& ms) {
    if (ms.is_null()) return "never";
    double v = ms.get<double>();
    return v >= 1000 ? fixed(v / 1000, 2) + " s" : fixed(v, 1) + " ms";
}

// Per failover, the numbers a postmortem quotes (reports/incidents.hpp).
std::string incidents_html(const json& r) {
    std::string out = "<section id=\"incidents\">\n<h2>Incidents</h2>\n";
    const json& rows = r["incidents"];
    if (rows.empty())
        return out + "<p>No fault took away a partition leader or the active controller.</p>\n</section>\n";
    out += "<p class=\"lead\">Per leader a fault took away: when the controller noticed (fenced the broker or first "
           "changed the partition), when it had a new leader, the longest stretch without an acknowledged produce "
           "to the partition around it, and the records caught in that stretch (unacknowledged when it began or "
           "sent during it) with their fate in the final log. Times count from the fault.</p>\n";
    out += "<table>\n<tr><th>fault</th><th>what</th><th>leader</th><th>detected</th><th>elected</th>"
           "<th>no acks for</th><th>records at risk</th></tr>\n";
    for (const auto& x : rows) {
        std::string leader = esc(x["leader_before"].get<std::string>()) + " &rarr; " +
                             (x["leader_after"].is_null() ? std::string("none") : esc(x["leader_after"].get<std::string>()));
        if (x["unclean"].get<bool>()) leader += " <span class=\"badge fail\">unclean</span>";
        std::string gap = "&ndash;", risk = "&ndash;";
        if (x.contains("unavailable")) {
            const json& u = x["unavailable"];
            gap = u["ms"].is_null() ? "&ndash;"
                                    : esc(ms_text(u["ms"])) + " <span class=\"mono\">(" + esc(u["from"].get<std::string>()) + " to " +
                                          (u["until"].is_null() ? std::string("the end") : esc(u["until"].get<std::string>())) + ")</span>";
            const json& k = x["records_at_risk"];
            risk = with_commas(k["total"].get<int64_t>()) + ": " + with_commas(k["acked"].get<int64_t>()) + " acked";
            if (k["lost"].is_null()) {
                risk += " (whether they are in the final log is not judged: a run without expectations keeps no logs)";
            } else {
                if (k["lost"].get<int64_t>() > 0) risk += ", <b>" + with_commas(k["lost"].get<int64_t>()) + " of them lost</b>";
                if (k["duplicated"].get<int64_t>() > 0) risk += ", " + with_commas(k["duplicated"].get<int64_t>()) + " duplicated";
            }
            if (k["failed"].get<int64_t>() > 0) risk += ", " + with_commas(k["failed"].get<int64_t>()) + " failed";
            if (k["unanswered"].get<int64_t>() > 0) risk += ", " + with_commas(k["unanswered"].get<int64_t>()) + " never answered";
        }
        out += "<tr><td>" + esc(x["fault"].get<std::string>()) + " <span class=\"mono\">at " + esc(x["at"].get<std::string>()) +
               "</span></td><td>" + esc(x["what"].get<std::string>()) + "</td><td>" + leader + "</td><td>" +
               esc(ms_text(x["detected_after_ms"])) + "</td><td>" + esc(ms_text(x["elected_after_ms"])) + "</td><td>" + gap +
               "</td><td>" + risk + "</td></tr>\n";
    }
    return out + "</table>\n</section>\n";
}

std::string expectations_html(const json& r) {
    std::string out = "<section id=\"expectations\">\n<h2>Expectations</h2>\n";
    if (r["expectations"].empty()) out += "<p>The scenario expects nothing: this run only reports.</p>\n";
    for (const auto& c : r["expectations"]) {
        bool passed = c["passed"].get<bool>();
        std::string params = c["params"].get<std::string>();
        out += std::string("<div class=\"check") + (passed ? "" : " failed") + "\">\n";
        out += badge(passed, passed ? "PASS" : "FAIL") + " <span class=\"name\">" + esc(c["check"].get<std::string>()) +
               "</span>" + (params.empty() ? "" : " <code>" + esc(params) + "</code>") + "\n";
        std::string share;
        if (c.contains("expected_fraction"))
            share = " on at least " + fixed(c["expected_fraction"].get<double>() * 100, 0) +
                    "% of seeds (a sweep judges the share; this run is one seed)";
        out += "<div class=\"outcome\">expected: " + esc(c["outcome_expected"].get<std::string>() + share) +
               " &middot; this run: " + esc(c["outcome"].get<std::string>()) + "</div>\n";
        out += "<p>" + esc(c["summary"].get<std::string>()) + "</p>\n";
        const json& evidence = c["evidence"];
        if (!evidence.empty()) {
            // Evidence of a miss is what the reader came for: open; of a pass, one click away.
            out += std::string("<details") + (passed ? "" : " open") + "><summary>evidence (" +
                   std::to_string(evidence.size()) + (evidence.size() == 1 ? " line" : " lines") + ")</summary>\n<ul>\n";
            for (const auto& e : evidence) out += "<li>" + esc(e.get<std::string>()) + "</li>\n";
            out += "</ul>\n</details>\n";
        }
        out += "</div>\n";
    }
    return out + "</section>\n";
}

std::string plots_html(const json& r, const std::vector<InlinePlot>& plots) {
    std::string out = "<section id=\"plots\">\n<h2>Plots</h2>\n";
    out += "<p class=\"lead\">Shaded: faults while they were in force (red: a node down, orange: paused, "
           "purple: network cut, yellow: latency or loss), with a solid line where each begins and a darker shade "
           "for a window that follows one of its colour; dashed green lines: a restart, resume or heal, and the end "
           "of a fault's <code>for</code>. Over a heatmap the windows are outlined instead. "
           "The numbers behind every line are in <code>metrics.csv</code>.</p>\n";
    const json& skipped = r["plots"]["skipped"];
    if (!skipped.is_null()) out += "<p class=\"note\">" + esc(skipped.get<std::string>()) + "</p>\n";
    for (const auto& p : plots) {
        out += "<figure id=\"plot-" + esc(p.file.name) + "\">\n<h3>" + esc(p.file.title) + "</h3>\n" + p.svg + "\n";
        out += "<figcaption>" + esc(p.file.caption) + " <a href=\"" + esc(p.file.png) + "\">PNG</a> &middot; <a href=\"" +
               esc(p.file.svg) + "\">SVG</a></figcaption>\n</figure>\n";
    }
    return out + "</section>\n";
}

std::string faults_html(const json& r) {
    std::string out = "<section id=\"faults\">\n<h2>Fault timeline</h2>\n";
    const json& faults = r["faults"];
    if (faults.empty()) return out + "<p>No faults: the cluster ran undisturbed.</p>\n</section>\n";
    out += "<table>\n<tr><th>at</th><th>fault</th><th>target as written</th><th>resolved to</th><th>in force until</th>"
           "<th>note</th></tr>\n";
    for (const auto& f : faults) {
        bool fired = f["fired"].get<bool>();
        bool undo = f["undo"].get<bool>();
        std::string cls = !fired ? " class=\"not-fired\"" : undo ? " class=\"undo\"" : "";
        std::string resolved;
        for (const auto& n : f["resolved"]) resolved += (resolved.empty() ? "" : ", ") + n.get<std::string>();
        std::string until = f.contains("until") ? f["until"].get<std::string>() + " (" + f["ended_by"].get<std::string>() + ")" : "";
        if (f.contains("partly_ended"))
            for (const auto& p : f["partly_ended"]) until += "; before that " + p.get<std::string>();
        std::string note = f["note"].get<std::string>();
        std::string fault = "#" + std::to_string(f["index"].get<size_t>()) + " " + f["action"].get<std::string>();
        out += "<tr" + cls + "><td class=\"mono\">" + esc(f["at"].get<std::string>()) + "</td><td>" + esc(fault) +
               (fired ? "" : " <span class=\"badge fail\">did not fire</span>") + "</td><td><code>" +
               esc(f["target"].get<std::string>()) + "</code></td><td>" + esc(resolved) + "</td><td>" + esc(until) +
               "</td><td>" + esc(note) + "</td></tr>\n";
    }
    return out + "</table>\n</section>\n";
}

std::string story_html(const scenarios::RunData& run) {
    std::string out = "<section id=\"story\">\n<h2>The run as a story</h2>\n";
    if (run.trace == nullptr) return out + "<p>No trace.</p>\n</section>\n";
    const int64_t traced = static_cast<int64_t>(run.trace->events().size() + run.faults.size());
    out += "<p class=\"lead\">What the brokers, the controllers and the harness did, in Kafka's words "
           "(<code>kafkasim run --narrate</code> prints the same). <code>trace.jsonl</code> holds the " +
           with_commas(traced) + " state changes this story is told from, one JSON line each: elections, ISR "
           "changes, fencing, quorum, group and client events, and the faults. The run's " +
           with_commas(run.events) + " events also count every message delivery and timer; those are not "
           "written out, but every one of them is folded into the trace hash.</p>\n";
    std::string lines;
    size_t shown = 0, left_out = 0;
    auto add = [&](std::optional<std::string> line, bool fault) {
        if (!line) return;
        if (shown == max_story_lines) {
            ++left_out;
            return;
        }
        ++shown;
        std::string cls = line->find("UNCLEAN") != std::string::npos ? "unclean" : fault ? "fault" : "";
        lines += cls.empty() ? esc(*line) + "\n" : "<span class=\"" + cls + "\">" + esc(*line) + "</span>\n";
    };
    for (const StoryLine& l : story(run)) add(l.text, l.fault);  // the lines `run --narrate` prints
    out += "<pre class=\"story\">" + lines + "</pre>\n";
    if (left_out > 0)
        out += "<p class=\"lead\">... and " + with_commas(static_cast<int64_t>(left_out)) +
               " more lines: see <code>trace.jsonl</code>.</p>\n";
    return out + "</section>\n";
}

// A resolved config as a table; keys the scenario set are marked.
std::string config_table(const json& config, const json& overrides) {
    std::string out = "<table class=\"kv\">\n";
    for (const auto& [k, v] : config.items()) {
        bool set = overrides.contains(k);
        out += std::string("<tr") + (set ? " class=\"set\"" : "") + "><td>" + esc(k) + "</td><td>" + esc(text_of(v)) +
               "</td></tr>\n";
    }
    return out + "</table>\n";
}

// A workload's settings in the scenario format's own words ("rate 500/s", not report.json's
// "rate_per_s 500.0").
std::string workload_line(const json& j, std::initializer_list<const char*> keys) {
    std::string out;
    for (const char* k : keys) {
        if (!j.contains(k) || j[k].is_null()) continue;
        std::string key = k, value = text_of(j[k]);
        if (key == "rate_per_s") {
            key = "rate";
            double v = j[k].get<double>();
            value = (v == static_cast<double>(static_cast<int64_t>(v)) ? std::to_string(static_cast<int64_t>(v)) : fixed(v, 2)) + "/s";
        }
        out += (out.empty() ? "" : ", ") + key + " " + value;
    }
    return out;
}

std::string config_html(const json& r) {
    const json& c = r["config"];
    const json& profile = r["profile"];
    std::string out = "<section id=\"config\">\n<h2>Configuration</h2>\n";
    out += "<p class=\"lead\">What the run used: the defaults of Kafka's version profile " +
           esc(profile["profile"].get<std::string>()) +
           " with the scenario's settings on top (marked <b>set</b>), as the model read them.</p>\n";
    out += "<details><summary>version profile " + esc(profile["profile"].get<std::string>()) + "</summary>\n<ul>\n";
    for (const auto& n : profile["notes"]) out += "<li>" + esc(n.get<std::string>()) + "</li>\n";
    // The notes say what each of the model's behaviour switches does; their field names are in
    // report.json (profile.behaviour).
    out += "</ul>\n</details>\n";
    out += "<details><summary>brokers</summary>\n" + config_table(c["broker"], c["broker_overrides"]) + "</details>\n";
    for (const auto& t : c["topics"]) {
        out += "<details><summary>topic " + esc(t["name"].get<std::string>()) + ": " +
               esc(workload_line(t, {"partitions", "replication.factor"})) + "</summary>\n" +
               config_table(t["config"], t["overrides"]) + "</details>\n";
    }
    for (const auto& p : c["producers"]) {
        out += "<details><summary>producer " + esc(p["id"].get<std::string>()) + ": " +
               esc(workload_line(p, {"topic", "rate_per_s", "keys", "from", "until"})) + "</summary>\n" +
               config_table(p["config"], p["overrides"]) + "</details>\n";
    }
    for (const auto& k : c["consumers"]) {
        std::string who = k["group"].is_null() ? "consumer (group null)" : "consumer group " + k["group"].get<std::string>();
        out += "<details><summary>" + esc(who) + ": " + esc(workload_line(k, {"members", "topics", "rate_per_s", "from", "until"})) +
               "</summary>\n" + config_table(k["config"], k["overrides"]) + "</details>\n";
    }
    return out + "</section>\n";
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (size_t pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size())) s.replace(pos, from.size(), to);
}

// Removes ` name="..."` from the first tag of `s` (the <svg> element).
void drop_attribute(std::string& s, const std::string& name) {
    size_t tag_end = s.find('>');
    size_t at = s.find(" " + name + "=\"");
    if (at == std::string::npos || at > tag_end) at = s.find("\n " + name + "=\"");
    if (at == std::string::npos || at > tag_end) return;
    size_t value = s.find('"', at) + 1;
    size_t close = s.find('"', value);
    if (close == std::string::npos || close > tag_end) return;
    s.erase(at, close + 1 - at);
}

}  // namespace

std::string html_escape(const std::string& text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            default: out += c;
        }
    }
    return out;
}

std::string inline_svg(const std::string& svg, const std::string& id_prefix) {
    size_t start = svg.find("<svg");
    if (start == std::string::npos) return "";
    std::string out = svg.substr(start);
    drop_attribute(out, "width");
    drop_attribute(out, "height");
    for (const char* q : {"'", "\""}) {
        replace_all(out, std::string(" id=") + q, std::string(" id=") + q + id_prefix);
        replace_all(out, std::string("href=") + q + "#", std::string("href=") + q + "#" + id_prefix);
    }
    replace_all(out, "url(#", "url(#" + id_prefix);
    while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
    return out;
}

std::string html_report(const json& report, const scenarios::RunData& run, const std::vector<InlinePlot>& plots) {
    std::string title = report["scenario"]["name"].get<std::string>() + " (seed " +
                        std::to_string(report["seed"].get<uint64_t>()) + ") - kafkasim";
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
                      esc(title) + "</title>\n<style>" + css + "</style>\n</head>\n<body>\n<main>\n";
    out += header_html(report);
    out += summary_html(report);
    out += incidents_html(report);
    out += expectations_html(report);
    out += plots_html(report, plots);
    out += faults_html(report);
    out += story_html(run);
    out += config_html(report);
    out += "<footer>kafkasim &middot; the same scenario and seed give this page byte for byte &middot; "
           "beside it: report.json, metrics.csv, trace.jsonl, plots/</footer>\n";
    return out + "</main>\n</body>\n</html>\n";
}

}  // namespace reports
