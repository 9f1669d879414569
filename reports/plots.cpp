#include "reports/plots.hpp"

#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>
#include <sstream>
#include <tuple>

#include <gnuplot-iostream.h>

#include "reports/output_file.hpp"

namespace reports {

const char* const gnuplot_missing_text =
    "plots skipped: gnuplot is not on PATH (on Debian, the package gnuplot-nox provides it: "
    "apt-get install gnuplot-nox)";

namespace {

namespace fs = std::filesystem;

constexpr double no_value = std::numeric_limits<double>::quiet_NaN();
// More partitions than this make the leadership plot unreadable; the CSV has them all.
constexpr size_t max_partitions_plotted = 12;
constexpr int plot_width = 1000;
constexpr int single_height = 420;
constexpr int double_height = 680;

const char* const palette[] = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
                               "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};
const char* color(size_t i) { return palette[i % std::size(palette)]; }

// ---------------------------------------------------------------- text for gnuplot

// A gnuplot single-quoted string: only the quote itself is special (written twice).
std::string quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

std::string number(double v) {
    if (std::isnan(v)) return "NaN";
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3f", v);
    return buf;
}

std::string seconds(sim::Time t) { return number(static_cast<double>(t.us) / 1e6); }

// ---------------------------------------------------------------- what a plot holds

// Inline data: column 1 is time in seconds, the rest one value per row each.
struct DataBlock {
    std::string name;                      // "$lag"
    std::vector<std::vector<double>> columns;
    std::vector<std::string> titles;       // what each column holds, for whoever edits plots.gp
    int add(std::string title, std::vector<double> values) {  // the new column's gnuplot number (1-based)
        titles.push_back(std::move(title));
        columns.push_back(std::move(values));
        return static_cast<int>(columns.size());
    }
    bool has_values(int column) const {
        for (double v : columns[static_cast<size_t>(column - 1)])
            if (!std::isnan(v)) return true;
        return false;
    }
    std::string text() const {
        std::string out = "# " + name + " columns:";
        for (size_t c = 0; c < titles.size(); ++c) out += (c ? " |" : "") + std::string(" ") + std::to_string(c + 1) + " " + titles[c];
        out += "\n" + name + " << EOD\n";
        size_t rows = columns.empty() ? 0 : columns[0].size();
        for (size_t r = 0; r < rows; ++r) {
            for (size_t c = 0; c < columns.size(); ++c) out += (c ? " " : "") + number(columns[c][r]);
            out += "\n";
        }
        return out + "EOD\n";
    }
};

struct Series {
    std::string title;  // "" for no key entry
    int column = 2;
    std::string style;  // "lines", "steps", "points pointtype 7 pointsize 0.9"
    std::string color;
    std::string extra;  // "linewidth 2", "dashtype 2"
};

struct Panel {
    std::string title;
    std::string ylabel;
    std::vector<std::string> settings;  // extra `set` commands: ytics, ranges, log scale
    std::vector<Series> series;
    std::vector<std::string> extras;    // further plot items (a constant line, a key entry)
    std::optional<std::pair<double, double>> yrange;  // fixed; else autoscaled
    bool from_zero = true;  // an autoscaled y starts at 0 (not on a log scale)
};

Panel panel(std::string title, std::string ylabel) {
    Panel p;
    p.title = std::move(title);
    p.ylabel = std::move(ylabel);
    return p;
}

struct Plot {
    PlotFile file;
    DataBlock data;
    std::vector<Panel> panels;
    int height = single_height;
};

// ---------------------------------------------------------------- fault windows

struct FaultStyle {
    const char* fill;
    const char* text;
};

FaultStyle style_of(FaultWindow::Kind k) {
    switch (k) {
        case FaultWindow::Kind::node_down: return {"#e06666", "#990000"};
        case FaultWindow::Kind::pause: return {"#f6b26b", "#b45f06"};
        case FaultWindow::Kind::network_cut: return {"#8e7cc3", "#351c75"};
        case FaultWindow::Kind::network_degraded: return {"#f1c232", "#7f6000"};
        case FaultWindow::Kind::recovery: return {"#6aa84f", "#274e13"};
    }
    return {"#999999", "#333333"};
}

// Shades every window (a dashed line for a moment) and, when `labels`, names it. Labels are
// staggered over four heights so that faults close in time stay readable.
std::string fault_decorations(const std::vector<FaultWindow>& windows, bool labels) {
    std::string out;
    int id = 1;
    for (size_t i = 0; i < windows.size(); ++i, ++id) {
        const FaultWindow& w = windows[i];
        FaultStyle st = style_of(w.kind);
        std::string from = seconds(w.from), until = seconds(w.until);
        if (w.instant || w.until <= w.from) {
            out += "set arrow " + std::to_string(id) + " from first " + from + ", graph 0 to first " + from +
                   ", graph 1 nohead linecolor rgb '" + st.fill + "' dashtype 2 linewidth 1.5 back\n";
        } else {
            out += "set object " + std::to_string(id) + " rect from first " + from + ", graph 0 to first " + until +
                   ", graph 1 behind fillcolor rgb '" + st.fill + "' fillstyle transparent solid 0.22 noborder\n";
        }
        if (labels) {
            double y = 0.96 - 0.065 * static_cast<double>(i % 4);
            out += "set label " + std::to_string(id) + " " + quoted(w.label) + " at first " + from + ", graph " +
                   number(y) + " left offset character 0.4,0 font ',9' textcolor rgb '" + st.text + "' boxed front\n";
        }
    }
    return out;
}

// ---------------------------------------------------------------- rendering

std::string terminal(bool svg, int height) {
    std::string size = " size " + std::to_string(plot_width) + "," + std::to_string(height);
    if (svg) return "set terminal svg" + size + " font 'sans-serif,11' noenhanced background '#ffffff'\n";
    return "set terminal pngcairo" + size + " font 'sans-serif,11' noenhanced background '#ffffff'\n";
}

std::string panel_text(const Panel& p, const DataBlock& data, const std::vector<FaultWindow>& windows,
                       double end_s, bool first, bool last) {
    std::string out = "reset\n";
    out += "set border 3 linecolor rgb '#666666'\n";
    out += "set tics nomirror textcolor rgb '#333333'\n";
    out += "set grid xtics ytics linecolor rgb '#e6e6e6' linewidth 1 dashtype 1\n";
    out += "set key outside right top vertical Left reverse samplen 2 font ',10'\n";
    // Fixed margins: panels of one plot, and plots on one page, share their x axis position.
    out += "set lmargin 17\nset rmargin 28\n";
    // Fault labels on a white box: readable over the lines they cross.
    out += "set style textbox opaque fillcolor rgb '#ffffff' noborder margins 0.5,0.3\n";
    out += "set xrange [0:" + number(end_s) + "]\n";
    out += "set title " + quoted(p.title) + " font ',12'\n";
    out += "set ylabel " + quoted(p.ylabel) + "\n";
    if (last) out += "set xlabel 'virtual time (s)'\n";
    for (const auto& s : p.settings) out += s + "\n";
    // The fault labels of the first panel get the top 30% of it to themselves.
    bool labels = first && !windows.empty();
    if (p.yrange) {
        auto [lo, hi] = *p.yrange;
        if (labels) hi += (hi - lo) * 0.3 / 0.7;
        out += "set yrange [" + number(lo) + ":" + number(hi) + "]\n";
    } else {
        if (p.from_zero) out += "set yrange [0:*]\n";
        if (labels) out += "set offsets 0, 0, graph 0.43, 0\n";
    }
    out += fault_decorations(windows, labels);
    std::vector<std::string> items;
    for (const Series& s : p.series) {
        if (!data.has_values(s.column)) continue;  // gnuplot refuses a series of NaN only
        std::string item = data.name + " using 1:" + std::to_string(s.column) + " with " + s.style +
                           " linecolor rgb '" + s.color + "'";
        if (!s.extra.empty()) item += " " + s.extra;
        item += s.title.empty() ? " notitle" : " title " + quoted(s.title);
        items.push_back(item);
    }
    bool empty = items.empty();
    for (const auto& e : p.extras) items.push_back(e);
    if (empty) {
        // Nothing to draw: say so, and plot a line outside the range to get the axes.
        out += "set label 99 'no data in this run' at graph 0.5, graph 0.5 center textcolor rgb '#666666'\n";
        out += "set yrange [0:1]\nunset logscale y\n";
        items.push_back("2 notitle");
    }
    out += "plot ";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", \\\n     " : "") + items[i];
    return out + "\n";
}

std::string plot_text(const Plot& plot, const std::vector<FaultWindow>& windows, double end_s) {
    std::string out;
    for (bool svg : {false, true}) {
        out += "\n# ---- " + plot.file.title + (svg ? " (SVG)" : " (PNG)") + "\n";
        out += terminal(svg, plot.height);
        out += "set output " + quoted(svg ? plot.file.svg : plot.file.png) + "\n";
        bool multi = plot.panels.size() > 1;
        if (multi) out += "set multiplot layout " + std::to_string(plot.panels.size()) + ",1\n";
        for (size_t i = 0; i < plot.panels.size(); ++i)
            out += panel_text(plot.panels[i], plot.data, windows, end_s, i == 0, i + 1 == plot.panels.size());
        if (multi) out += "unset multiplot\n";
        out += "unset output\n";
    }
    return out;
}

// ---------------------------------------------------------------- the plots

std::vector<double> column_or_nan(const MetricsTable& m, const std::string& name) {
    const MetricColumn* c = m.find(name);
    return c != nullptr ? c->values : std::vector<double>(m.times.size(), no_value);
}

std::vector<double> time_column(const MetricsTable& m) {
    std::vector<double> t;
    for (sim::Time x : m.times) t.push_back(static_cast<double>(x.us) / 1e6);
    return t;
}

PlotFile file(const std::string& name, const std::string& title, const std::string& caption) {
    return {name, title, caption, name + ".png", name + ".svg"};
}

// Node ids by role, from the trace's node names ("broker:2", "controller:3001").
std::vector<int32_t> node_ids(const scenarios::RunData& run, const std::string& prefix) {
    std::set<int32_t> ids;
    if (run.trace == nullptr) return {};
    for (size_t n = 0; n < run.trace->node_count(); ++n) {
        const std::string& name = run.trace->node_name(static_cast<sim::NodeId>(n));
        if (name.rfind(prefix, 0) != 0) continue;
        try {
            size_t used = 0;
            int id = std::stoi(name.substr(prefix.size()), &used);
            if (used == name.size() - prefix.size()) ids.insert(id);
        } catch (const std::exception&) {
        }
    }
    return {ids.begin(), ids.end()};
}

// "set ytics ('none' 0, 'broker:1' 1, ...)" for a plot whose y is a node id.
std::string id_tics(const std::vector<int32_t>& ids, const std::string& prefix, double none_y) {
    std::string out = "set ytics ('none' " + number(none_y);
    for (int32_t id : ids) out += ", " + quoted(prefix + std::to_string(id)) + " " + std::to_string(id);
    return out + ")";
}

// A group's committed lag, with a dot where a rebalance gave it a new generation.
Panel group_lag_panel(const MetricsTable& m, DataBlock& data) {
    Panel lag = panel("Consumer group lag (committed offsets, as kafka-consumer-groups.sh shows it)",
                      "records behind the high watermark");
    for (size_t i = 0; i < m.groups.size(); ++i) {
        std::vector<double> v = column_or_nan(m, entity_column(m.groups[i], metric::records_lag_sum));
        std::vector<double> generation = column_or_nan(m, entity_column(m.groups[i], metric::group_generation));
        std::vector<double> rebalance_y(v.size(), no_value);
        for (size_t r = 1; r < v.size(); ++r)
            if (!std::isnan(generation[r]) && generation[r] != generation[r - 1] && generation[r] >= 0)
                rebalance_y[r] = std::isnan(v[r]) ? 0 : v[r];
        lag.series.push_back({m.groups[i], data.add(m.groups[i] + " lag", std::move(v)), "lines", color(i), "linewidth 2"});
        lag.series.push_back({"", data.add(m.groups[i] + " new generation", std::move(rebalance_y)), "points pointtype 7 pointsize 1.1", color(i), ""});
    }
    lag.extras.push_back(
        "keyentry with points pointtype 7 pointsize 1.1 linecolor rgb '#444444' title 'new generation'");
    return lag;
}

std::optional<Plot> lag_plot(const MetricsTable& m) {
    if (m.consumers.empty() && m.groups.empty()) return std::nullopt;
    Plot p;
    std::string caption =
        "records-lag-sum of each consumer: how many records its position is behind the high watermark, summed "
        "over the partitions it reads. A consumer catches up when its line returns to zero.";
    if (!m.groups.empty()) {
        caption = "Top: each consumer group's lag from its committed offsets, the number kafka-consumer-groups.sh "
                  "shows (dots: a rebalance completed with a new generation). Bottom: " + caption;
        p.height = double_height;
    }
    p.file = file("lag", "Consumer lag", caption);
    p.data.name = "$lag";
    p.data.add("time_s", time_column(m));
    if (!m.groups.empty()) p.panels.push_back(group_lag_panel(m, p.data));
    Panel lag = panel("Consumer lag by client (records-lag-sum, from its position)", "records behind the high watermark");
    for (size_t i = 0; i < m.consumers.size(); ++i) {
        int col = p.data.add(m.consumers[i] + " lag", column_or_nan(m, entity_column(m.consumers[i], metric::records_lag_sum)));
        lag.series.push_back({m.consumers[i], col, "lines", color(i), "linewidth 2"});
    }
    p.panels.push_back(std::move(lag));
    return p;
}

// The min.insync.replicas every topic has, when they agree (drawn as a reference line).
std::optional<int64_t> common_min_isr(const scenarios::Scenario& s) {
    kafka::BrokerConfig broker = kafka::BrokerConfig::from(s.kafka.profile, s.kafka.config);
    std::optional<int64_t> common;
    for (const auto& t : s.topics) {
        int64_t v = kafka::TopicConfig::from(broker, t.config).min_insync_replicas;
        if (common && *common != v) return std::nullopt;
        common = v;
    }
    return common;
}

// When each partition got a leader by unclean election ("orders/0" -> times): the moments a
// failover may have lost acknowledged records, marked apart from clean leader changes.
std::map<std::string, std::vector<sim::Time>> unclean_elections(const scenarios::RunData& run) {
    std::map<std::string, std::vector<sim::Time>> out;
    if (run.trace == nullptr) return out;
    for (const auto& ev : run.trace->events())
        if (const auto u = kafka::unclean_election(ev.event))
            out[std::string(u->topic) + "/" + std::to_string(u->partition)].push_back(ev.time);
    return out;
}

bool any_in(const std::vector<sim::Time>& times, sim::Time after, sim::Time upto) {
    return std::any_of(times.begin(), times.end(), [&](sim::Time t) { return t > after && t <= upto; });
}

std::optional<Plot> leadership_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (m.partitions.empty()) return std::nullopt;
    size_t shown = std::min(m.partitions.size(), max_partitions_plotted);
    std::string more = shown < m.partitions.size()
                           ? " The first " + std::to_string(shown) + " of " + std::to_string(m.partitions.size()) +
                                 " partitions are drawn; metrics.csv has them all."
                           : "";
    Plot p;
    p.file = file("leadership", "Partition leadership and ISR",
                  "Top: which broker leads each partition as the controller's metadata records it (dots mark a "
                  "leader change, a red cross an unclean election, \"none\" an offline partition); a crashed leader stays leader here until the "
                  "controller fences it (broker.session.timeout.ms). Bottom: each partition's ISR size (InSyncReplicasCount). Lines of different "
                  "partitions are drawn slightly apart so that they stay visible where they agree." + more);
    p.height = double_height;
    p.data.name = "$leadership";
    p.data.add("time_s", time_column(m));
    // Spread partitions around the integer they share, at most a third of a step apart.
    double step = std::min(0.08, 0.6 / static_cast<double>(shown));
    std::vector<int32_t> brokers = node_ids(run, "broker:");
    int64_t max_replicas = 1;
    Panel leaders = panel("Partition leader", "leader");
    Panel isr = panel("ISR size (InSyncReplicasCount)", "replicas in sync");
    const auto unclean = unclean_elections(run);
    bool any_unclean = false;
    for (size_t i = 0; i < shown; ++i) {
        const std::string& label = m.partitions[i];
        double offset = (static_cast<double>(i) - static_cast<double>(shown - 1) / 2.0) * step;
        std::vector<double> leader = column_or_nan(m, entity_column(label, metric::leader));
        std::vector<double> isr_size = column_or_nan(m, entity_column(label, metric::isr_count));
        std::vector<double> replicas = column_or_nan(m, entity_column(label, metric::replicas_count));
        std::vector<double> leader_y(leader.size(), no_value), change_y(leader.size(), no_value),
            unclean_y(leader.size(), no_value), isr_y(leader.size(), no_value);
        auto u = unclean.find(label);
        for (size_t r = 0; r < leader.size(); ++r) {
            if (!std::isnan(leader[r])) leader_y[r] = std::max(leader[r], 0.0) + offset;  // -1 (none) drawn at 0
            if (r > 0 && !std::isnan(leader[r]) && !std::isnan(leader[r - 1]) && leader[r] != leader[r - 1])
                change_y[r] = leader_y[r];
            if (r > 0 && u != unclean.end() && any_in(u->second, m.times[r - 1], m.times[r])) {
                unclean_y[r] = leader_y[r];
                any_unclean = true;
            }
            if (!std::isnan(isr_size[r])) isr_y[r] = isr_size[r] + offset;
            if (!std::isnan(replicas[r])) max_replicas = std::max<int64_t>(max_replicas, std::llround(replicas[r]));
        }
        int lc = p.data.add(label + " leader, offset", std::move(leader_y));
        int cc = p.data.add(label + " leader change", std::move(change_y));
        int ic = p.data.add(label + " ISR size, offset", std::move(isr_y));
        leaders.series.push_back({label, lc, "steps", color(i), "linewidth 2"});
        leaders.series.push_back({"", cc, "points pointtype 7 pointsize 1.1", color(i), ""});
        leaders.series.push_back({"", p.data.add(label + " unclean election", std::move(unclean_y)), "points pointtype 2 pointsize 2.5", "#cc0000",
                                  "linewidth 2.5"});
        isr.series.push_back({label, ic, "steps", color(i), "linewidth 2"});
    }
    int32_t top = brokers.empty() ? 1 : brokers.back();
    leaders.settings = {id_tics(brokers, "broker:", 0)};
    leaders.yrange = {-0.6, top + 0.6};
    leaders.extras.push_back("keyentry with points pointtype 7 pointsize 1.1 linecolor rgb '#444444' title 'leader change'");
    if (any_unclean)
        leaders.extras.push_back(
            "keyentry with points pointtype 2 pointsize 2 linewidth 2.5 linecolor rgb '#cc0000' title 'unclean election'");
    isr.settings = {"set ytics 1"};
    isr.yrange = {-0.4, static_cast<double>(max_replicas) + 0.6};
    if (std::optional<int64_t> min_isr = common_min_isr(run.scenario))
        isr.extras.push_back(std::to_string(*min_isr) +
                             " with lines dashtype 2 linecolor rgb '#888888' title 'min.insync.replicas'");
    p.panels.push_back(std::move(leaders));
    p.panels.push_back(std::move(isr));
    return p;
}

bool any_above_zero(const std::vector<double>& v) {
    for (double x : v)
        if (!std::isnan(x) && x > 0) return true;
    return false;
}

std::optional<Plot> produce_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (run.scenario.producers.empty()) return std::nullopt;
    Plot p;
    p.file = file("produce", "Produce throughput and latency",
                  "Top: records per second the producers sent (record-send-rate), had acknowledged and "
                  "failed for good, per sample interval. Bottom: the 50th and 99th percentile latency of the "
                  "batches acknowledged in each interval, from a batch's first send to its acknowledgement "
                  "(retries through a failover count), on a log scale; gaps are intervals without an "
                  "acknowledgement.");
    p.height = double_height;
    p.data.name = "$produce";
    p.data.add("time_s", time_column(m));
    Panel rate = panel("Produce throughput", "records/s");
    rate.series.push_back({"sent (record-send-rate)", p.data.add(std::string(metric::record_send_rate), column_or_nan(m, std::string(metric::record_send_rate))),
                           "lines", color(0), "linewidth 2"});
    rate.series.push_back({"acknowledged", p.data.add(std::string(metric::record_ack_rate), column_or_nan(m, std::string(metric::record_ack_rate))),
                           "lines", color(2), "linewidth 2"});
    std::vector<double> errors = column_or_nan(m, std::string(metric::record_error_rate));
    if (any_above_zero(errors))
        rate.series.push_back({"failed (record-error-rate)", p.data.add(std::string(metric::record_error_rate), std::move(errors)), "lines", color(3), "linewidth 2"});
    Panel latency = panel("Produce latency, first send to acknowledgement", "ms");
    latency.settings.push_back("set logscale y 10");
    latency.from_zero = false;
    for (auto [name, title, c] : {std::tuple{metric::request_latency_p50, "p50", 0}, std::tuple{metric::request_latency_p99, "p99", 1}}) {
        std::vector<double> v = column_or_nan(m, std::string(name));
        for (double& x : v)
            if (!std::isnan(x) && x <= 0) x = no_value;  // a log scale has no zero (acks=0)
        latency.series.push_back({title, p.data.add(std::string(name) + " (ms, NaN for 0)", std::move(v)), "lines", color(static_cast<size_t>(c) + 4), "linewidth 2"});
    }
    p.panels.push_back(std::move(rate));
    p.panels.push_back(std::move(latency));
    return p;
}

std::optional<Plot> quorum_plot(const scenarios::RunData& run, const MetricsTable& m) {
    std::vector<int32_t> controllers = node_ids(run, "controller:");
    if (controllers.empty()) return std::nullopt;
    Plot p;
    p.file = file("quorum", "Metadata quorum",
                  "Top: the KRaft quorum leader (raft-metrics current-leader) and the active controller; "
                  "\"none\" while there is no leader. Bottom: the quorum epoch, which rises with every "
                  "election.");
    p.height = double_height;
    p.data.name = "$quorum";
    p.data.add("time_s", time_column(m));
    const double none_y = controllers.front() - 1;
    auto as_y = [&](std::vector<double> ids, double offset) {
        for (double& x : ids)
            if (!std::isnan(x)) x = (x < 0 ? none_y : x) + offset;
        return ids;
    };
    Panel leader = panel("Quorum leader and active controller", "controller");
    leader.settings = {id_tics(controllers, "controller:", none_y)};
    leader.yrange = {none_y - 0.6, controllers.back() + 0.6};
    leader.series.push_back({"quorum leader (current-leader)",
                             p.data.add("current-leader, offset", as_y(column_or_nan(m, std::string(metric::quorum_leader)), -0.06)), "steps",
                             color(0), "linewidth 2"});
    leader.series.push_back({"active controller",
                             p.data.add("active-controller, offset", as_y(column_or_nan(m, std::string(metric::active_controller)), 0.06)), "steps",
                             color(1), "linewidth 2 dashtype 2"});
    std::vector<double> epochs = column_or_nan(m, std::string(metric::quorum_epoch));
    double max_epoch = 0;
    for (double e : epochs)
        if (!std::isnan(e)) max_epoch = std::max(max_epoch, e);
    // Room above the highest epoch; a tic per epoch while they are few.
    Panel epoch = panel("Quorum epoch (raft-metrics current-epoch)", "epoch");
    epoch.yrange = {0, max_epoch + 1};
    epoch.settings.push_back(max_epoch <= 10 ? "set ytics 1" : "set format y '%.0f'");
    epoch.series.push_back({"current-epoch", p.data.add("current-epoch", std::move(epochs)), "steps", color(0), "linewidth 2"});
    p.panels.push_back(std::move(leader));
    p.panels.push_back(std::move(epoch));
    return p;
}

// ---------------------------------------------------------------- running gnuplot

std::string shell_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// gnuplot may stop reading early (a bad line): a write to the closed pipe must not kill us.
class IgnoreSigpipe {
public:
    IgnoreSigpipe() { previous_ = std::signal(SIGPIPE, SIG_IGN); }
    ~IgnoreSigpipe() { std::signal(SIGPIPE, previous_); }
    IgnoreSigpipe(const IgnoreSigpipe&) = delete;
    IgnoreSigpipe& operator=(const IgnoreSigpipe&) = delete;

private:
    void (*previous_)(int);
};

bool non_empty_file(const fs::path& p) {
    std::error_code ec;
    return fs::is_regular_file(p, ec) && fs::file_size(p, ec) > 0;
}

// Sends the script through gnuplot-iostream; returns when gnuplot has exited.
void run_gnuplot(const std::string& gnuplot, const fs::path& plots_dir, const std::string& script) {
    IgnoreSigpipe guard;
    std::string command = "cd " + shell_quoted(plots_dir.string()) + " && exec " + shell_quoted(gnuplot) +
                          " 2> gnuplot.log";
    Gnuplot gp(command);
    gp << script << std::flush;
}  // ~Gnuplot closes the pipe and waits for gnuplot (pclose)

}  // namespace

std::optional<std::string> find_gnuplot() {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return std::nullopt;
    std::stringstream dirs(path);
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (dir.empty()) continue;
        fs::path candidate = fs::path(dir) / "gnuplot";
        std::error_code ec;
        if (fs::is_regular_file(candidate, ec) && access(candidate.c_str(), X_OK) == 0) return candidate.string();
    }
    return std::nullopt;
}

PlotScript plot_script(const scenarios::RunData& run, const MetricsTable& metrics,
                       const std::vector<FaultWindow>& windows) {
    std::vector<Plot> plots;
    for (auto plot : {lag_plot(metrics), leadership_plot(run, metrics), produce_plot(run, metrics),
                      quorum_plot(run, metrics)})
        if (plot) plots.push_back(std::move(*plot));
    const double end_s = static_cast<double>(run.end.us) / 1e6;
    PlotScript out;
    out.text = "# kafkasim plots: scenario " + run.scenario.name + ", seed " + std::to_string(run.seed) +
               ".\n# Draw them again (in this folder): gnuplot plots.gp\n";
    for (const Plot& p : plots) out.text += "\n" + p.data.text();
    for (const Plot& p : plots) {
        out.text += plot_text(p, windows, end_s);
        out.plots.push_back(p.file);
    }
    return out;
}

PlotsResult write_plots(const std::string& dir, const scenarios::RunData& run, const MetricsTable& metrics,
                        const std::vector<FaultWindow>& windows, const std::string& gnuplot) {
    PlotsResult result;
    const fs::path plots_dir = fs::path(dir) / "plots";
    PlotScript script = plot_script(run, metrics, windows);
    std::error_code ec;
    fs::create_directories(plots_dir, ec);
    // Files of an earlier run in the same folder must not pass for this run's.
    for (const PlotFile& f : script.plots) {
        fs::remove(plots_dir / f.png, ec);
        fs::remove(plots_dir / f.svg, ec);
    }
    write_file((plots_dir / "plots.gp").string(), script.text);
    try {
        run_gnuplot(gnuplot, plots_dir, script.text);
    } catch (const std::exception& e) {
        result.skipped = std::string("plots skipped: could not run gnuplot (") + e.what() + ")";
        return result;
    }
    size_t missing = 0;
    for (PlotFile f : script.plots) {
        if (!non_empty_file(plots_dir / f.png) || !non_empty_file(plots_dir / f.svg)) {
            ++missing;
            continue;
        }
        f.png = "plots/" + f.png;
        f.svg = "plots/" + f.svg;
        result.plots.push_back(std::move(f));
    }
    if (non_empty_file(plots_dir / "gnuplot.log")) {
        result.log = "plots/gnuplot.log";
    } else {
        fs::remove(plots_dir / "gnuplot.log", ec);
    }
    if (missing > 0)
        result.skipped = "gnuplot did not draw " + std::to_string(missing) + " of " +
                         std::to_string(script.plots.size()) + " plots (see " + dir + "/plots/gnuplot.log)";
    return result;
}

}  // namespace reports
