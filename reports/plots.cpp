#include "reports/plots.hpp"

#include "scenarios/checkers/connect_timeline.hpp"

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

// Past this many partitions, lines of one colour per partition stop being told apart (the
// palette has ten colours, and ten step lines on three brokers are a tangle): the leadership
// plot becomes a heatmap, partition x time.
constexpr size_t max_partitions_as_lines = 8;
constexpr int plot_width = 1000;
constexpr int single_height = 440;
constexpr int double_height = 720;
constexpr int triple_height = 980;

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
    // A whole plot command's items instead of `series` (a heatmap from its own data block).
    std::string raw_items;
    bool colorbox = false;  // leaves room on the right for a colour scale
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
    std::vector<std::string> blocks;  // further data blocks (heatmaps), as text
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
// staggered over four heights so that faults close in time stay readable. Each span has a solid
// edge line where it starts, and consecutive spans of one colour alternate their shade, so
// back-to-back windows stay two. A fault that ends by its own `for` gets the dashed green line
// of a restart where it ends, as the caption promises.
std::string fault_decorations(const std::vector<FaultWindow>& windows, bool labels, bool outline_only) {
    std::string out;
    int id = 1;
    std::optional<FaultWindow::Kind> previous_kind;
    sim::Time previous_until;
    bool darker = false;
    for (size_t i = 0; i < windows.size(); ++i, ++id) {
        const FaultWindow& w = windows[i];
        FaultStyle st = style_of(w.kind);
        std::string from = seconds(w.from), until = seconds(w.until);
        if (w.instant || w.until <= w.from) {
            out += "set arrow " + std::to_string(id) + " from first " + from + ", graph 0 to first " + from +
                   ", graph 1 nohead linecolor rgb '" + st.fill + "' dashtype 2 linewidth 2 back\n";
        } else if (outline_only) {
            // Over a heatmap a shade would hide under the image: both edges, in front.
            for (auto [n, x] : {std::pair{1000 + id, from}, std::pair{2000 + id, until}})
                if (n < 2000 || w.ended)  // a fault still in force at the end has no end line
                    out += "set arrow " + std::to_string(n) + " from first " + x + ", graph 0 to first " + x +
                       ", graph 1 nohead linecolor rgb '" + (n < 2000 ? st.text : st.fill) + "' linewidth 2 dashtype " +
                       (n < 2000 ? "1" : "2") + " front\n";
        } else {
            darker = previous_kind == w.kind && w.from <= previous_until + sim::seconds(1) ? !darker : false;
            previous_kind = w.kind;
            previous_until = w.until;
            out += "set object " + std::to_string(id) + " rect from first " + from + ", graph 0 to first " + until +
                   ", graph 1 behind fillcolor rgb '" + st.fill + "' fillstyle transparent solid " +
                   (darker ? "0.38" : "0.2") + " noborder\n";
            out += "set arrow " + std::to_string(1000 + id) + " from first " + from + ", graph 0 to first " + from +
                   ", graph 1 nohead linecolor rgb '" + st.text + "' linewidth 1 back\n";
            if (w.ended && w.ended_by.rfind("undone", 0) == 0) {
                FaultStyle back = style_of(FaultWindow::Kind::recovery);
                out += "set arrow " + std::to_string(2000 + id) + " from first " + until + ", graph 0 to first " + until +
                       ", graph 1 nohead linecolor rgb '" + back.fill + "' dashtype 2 linewidth 2 back\n";
            }
        }
        if (labels) {
            double y = 0.955 - 0.075 * static_cast<double>(i % 4);
            out += "set label " + std::to_string(id) + " " + quoted(w.label) + " at first " + from + ", graph " +
                   number(y) + " left offset character 0.4,0 font ',11' textcolor rgb '" + st.text + "' boxed front\n";
        }
    }
    return out;
}

// ---------------------------------------------------------------- rendering

std::string terminal(bool svg, int height) {
    std::string size = " size " + std::to_string(plot_width) + "," + std::to_string(height);
    // 13 points on a 1000-pixel plot: still about 12 once the page scales it to its column.
    if (svg) return "set terminal svg" + size + " font 'sans-serif,13' noenhanced background '#ffffff'\n";
    return "set terminal pngcairo" + size + " font 'sans-serif,13' noenhanced background '#ffffff'\n";
}

std::string panel_text(const Panel& p, const DataBlock& data, const std::vector<FaultWindow>& windows,
                       double end_s, bool first, bool last, int rmargin) {
    std::string out = "reset\n";
    out += "set border 3 linecolor rgb '#666666'\n";
    out += "set tics nomirror textcolor rgb '#333333'\n";
    out += "set grid xtics ytics linecolor rgb '#e6e6e6' linewidth 1 dashtype 1\n";
    // The key in rows between the title and the plot: no column of white beside the plot.
    out += "set key outside top left horizontal Left reverse samplen 1.5 spacing 1.0 width 1 maxrows 2 font ',12'\n";
    // Fixed margins: panels of one plot share their x axis position; the right one is as wide
    // as a colour scale needs, else narrow.
    out += "set lmargin 15\nset rmargin " + std::to_string(rmargin) + "\n";
    // Fault labels on a white box: readable over the lines they cross.
    out += "set style textbox opaque fillcolor rgb '#ffffff' noborder margins 0.5,0.3\n";
    out += "set xrange [0:" + number(end_s) + "]\n";
    out += "set title " + quoted(p.title) + " font ',14'\n";
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
        // A panel whose values are all zero (no retries in a calm run) gets a unit range, not
        // gnuplot's "empty y range" warning.
        double top = 0;
        for (const Series& s : p.series)
            for (double v : data.columns[static_cast<size_t>(s.column - 1)])
                if (!std::isnan(v)) top = std::max(top, v);
        if (p.from_zero) out += top > 0 || !p.raw_items.empty() ? "set yrange [0:*]\n" : "set yrange [0:1]\n";
        if (labels) out += "set offsets 0, 0, graph 0.43, 0\n";
    }
    out += fault_decorations(windows, labels, !p.raw_items.empty());
    std::vector<std::string> items;
    if (!p.raw_items.empty()) items.push_back(p.raw_items);
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

// Right margin in characters: room for a colour scale, else a little.
int right_margin(const Plot& plot) {
    for (const Panel& p : plot.panels)
        if (p.colorbox) return 19;
    return 4;
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
            out += panel_text(plot.panels[i], plot.data, windows, end_s, i == 0, i + 1 == plot.panels.size(),
                              right_margin(plot));
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

// A group's lag in records: its committed lag as a pale envelope (the auto-commit sawtooth
// lives there) under the lag from its members' positions, with a dot where a rebalance gave it a
// new generation.
Panel group_lag_panel(const MetricsTable& m, DataBlock& data) {
    Panel lag = panel("Group lag in records: from positions (line), from committed offsets (shaded)",
                      "records behind");
    for (size_t i = 0; i < m.groups.size(); ++i) {
        const std::string& g = m.groups[i];
        std::vector<double> committed = column_or_nan(m, entity_column(g, metric::records_lag_sum));
        std::vector<double> position = column_or_nan(m, entity_column(g, metric::group_position_lag));
        std::vector<double> generation = column_or_nan(m, entity_column(g, metric::group_generation));
        std::vector<double> rebalance_y(position.size(), no_value);
        for (size_t r = 1; r < position.size(); ++r)
            if (!std::isnan(generation[r]) && generation[r] != generation[r - 1] && generation[r] >= 0)
                rebalance_y[r] = std::isnan(position[r]) ? 0 : position[r];
        lag.series.push_back({g + " committed", data.add(g + " committed lag", std::move(committed)),
                              "filledcurves y=0", color(i), "fillstyle transparent solid 0.18 noborder"});
        lag.series.push_back({g + " positions", data.add(g + " position lag", std::move(position)), "lines", color(i),
                              "linewidth 2.5"});
        lag.series.push_back({"", data.add(g + " new generation", std::move(rebalance_y)), "points pointtype 7 pointsize 1.2", color(i), ""});
    }
    lag.extras.push_back(
        "keyentry with points pointtype 7 pointsize 1.2 linecolor rgb '#444444' title 'new generation'");
    return lag;
}

Panel group_lag_seconds_panel(const MetricsTable& m, DataBlock& data) {
    Panel lag = panel("Group lag in seconds: age of the oldest unread record", "seconds");
    for (size_t i = 0; i < m.groups.size(); ++i) {
        const std::string& g = m.groups[i];
        lag.series.push_back({g + " max-lag-seconds", data.add(g + " max lag seconds", column_or_nan(m, entity_column(g, metric::group_max_lag_seconds))),
                              "lines", color(i), "linewidth 2.5"});
    }
    return lag;
}

std::optional<Plot> lag_plot(const MetricsTable& m) {
    if (m.consumers.empty() && m.groups.empty()) return std::nullopt;
    Plot p;
    std::string caption =
        "records-lag-sum of each consumer: how many records its position is behind the high watermark, summed "
        "over the partitions it reads; a gap while the consumer is down (a crashed consumer has no lag of its own: "
        "the partitions it held show in its group's lag above). A consumer catches up when its line returns to zero.";
    if (!m.groups.empty()) {
        caption = "Top: each consumer group's lag in records. The line is from the members' positions: per partition the "
                  "high watermark minus the position of the member that owns it, where an owner that crashed keeps its "
                  "last position until a rebalance hands the partition on, so orphaned partitions climb. Shaded below "
                  "it: the lag from committed offsets, the number kafka-consumer-groups.sh shows, whose auto-commit "
                  "sawtooth (auto.commit.interval.ms) is noise, not failure (dots: a rebalance completed with a new "
                  "generation). Middle: the same lag in seconds, as Burrow and kafka-lag-exporter users read it: the "
                  "time since the oldest unread record was appended (to the sample interval). Bottom: " + caption;
        p.height = triple_height;
    }
    p.file = file("lag", "Consumer lag", caption);
    p.data.name = "$lag";
    p.data.add("time_s", time_column(m));
    if (!m.groups.empty()) {
        p.panels.push_back(group_lag_panel(m, p.data));
        p.panels.push_back(group_lag_seconds_panel(m, p.data));
    }
    Panel lag = panel("Consumer lag by client (records-lag-sum, from its position)", "records behind");
    for (size_t i = 0; i < m.consumers.size(); ++i) {
        int col = p.data.add(m.consumers[i] + " lag", column_or_nan(m, entity_column(m.consumers[i], metric::records_lag_sum)));
        // Past the palette's ten colours, the second round is dashed.
        lag.series.push_back({m.consumers[i], col, "lines", color(i), i < std::size(palette) ? "linewidth 2" : "linewidth 2 dashtype 2"});
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
std::map<std::string, std::vector<sim::Time>> unclean_election_times(const scenarios::RunData& run) {
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

// ---------------------------------------------------------------- heatmaps (many partitions)

// A partition x time grid as a gnuplot data block ("t index value" lines), NaN cells left out.
std::string grid_block(const std::string& name, const MetricsTable& m, const std::vector<std::vector<double>>& rows_by_partition) {
    std::string out = "# " + name + ": time_s, partition index (as in the ytics), value\n" + name + " << EOD\n";
    for (size_t r = 0; r < m.times.size(); ++r) {
        for (size_t k = 0; k < rows_by_partition.size(); ++k) {
            double v = rows_by_partition[k][r];
            if (std::isnan(v)) continue;
            out += seconds(m.times[r]) + " " + std::to_string(k) + " " + number(v) + "\n";
        }
    }
    return out + "EOD\n";
}

std::string partition_tics(const MetricsTable& m) {
    size_t every = (m.partitions.size() + 23) / 24;
    std::string out = "set ytics (";
    for (size_t k = 0; k < m.partitions.size(); k += every)
        out += (k ? ", " : "") + quoted(m.partitions[k]) + " " + std::to_string(k);
    return out + ") font ',10'";
}

Panel heat_panel(std::string title, const MetricsTable& m, const std::string& block) {
    Panel h = panel(std::move(title), "");
    h.colorbox = true;
    h.yrange = {-0.5, static_cast<double>(m.partitions.size()) - 0.5};
    h.settings.push_back(partition_tics(m));
    h.settings.push_back("set grid noxtics noytics");
    h.settings.push_back("set colorbox user origin screen 0.9, graph 0 size character 1.5, graph 0.7");
    h.raw_items = block + " using 1:2:3 with image notitle";
    return h;
}

// Leader, ISR size and (for the first consumer group) lag per partition, one row each.
Plot leadership_heatmap(const scenarios::RunData& run, const MetricsTable& m) {
    Plot p;
    p.data.name = "$leadership";
    p.data.add("time_s", time_column(m));
    const std::vector<int32_t> brokers = node_ids(run, "broker:");
    const auto unclean = unclean_election_times(run);
    std::vector<std::vector<double>> leader(m.partitions.size()), isr(m.partitions.size()), lag;
    std::vector<double> unclean_x, unclean_y;
    int64_t max_replicas = 1;
    for (size_t k = 0; k < m.partitions.size(); ++k) {
        const std::string& label = m.partitions[k];
        std::vector<double> l = column_or_nan(m, entity_column(label, metric::leader));
        for (double& x : l) {  // colour index: 0 none, i+1 the i-th broker
            if (std::isnan(x)) continue;
            auto it = std::find(brokers.begin(), brokers.end(), static_cast<int32_t>(x));
            x = it == brokers.end() ? 0 : static_cast<double>(it - brokers.begin() + 1);
        }
        leader[k] = std::move(l);
        isr[k] = column_or_nan(m, entity_column(label, metric::isr_count));
        for (double r : column_or_nan(m, entity_column(label, metric::replicas_count)))
            if (!std::isnan(r)) max_replicas = std::max<int64_t>(max_replicas, std::llround(r));
        auto u = unclean.find(label);
        if (u != unclean.end())
            for (sim::Time t : u->second) {
                unclean_x.push_back(static_cast<double>(t.us) / 1e6);
                unclean_y.push_back(static_cast<double>(k));
            }
    }
    // The groups with per-partition lag (at most three panels of it).
    std::vector<std::string> groups;
    for (const std::string& g : m.groups)
        if (groups.size() < 3 && m.find(entity_column(g + "." + m.partitions.front(), metric::partition_lag)) != nullptr)
            groups.push_back(g);
    p.blocks.push_back(grid_block("$leader_grid", m, leader));
    p.blocks.push_back(grid_block("$isr_grid", m, isr));
    Panel lp = heat_panel("Partition leader (colour: broker; black: none, the partition is offline)", m, "$leader_grid");
    std::string tics = "set cbtics ('none' 0", pal = "set palette defined (0 '#111111'";
    for (size_t i = 0; i < brokers.size(); ++i) {
        tics += ", " + quoted("broker:" + std::to_string(brokers[i])) + " " + std::to_string(i + 1);
        pal += ", " + std::to_string(i + 1) + " '" + color(i) + "'";
    }
    lp.settings.push_back(tics + ")");
    lp.settings.push_back(pal + ")");
    lp.settings.push_back("set palette maxcolors " + std::to_string(brokers.size() + 1));
    lp.settings.push_back("set cbrange [-0.5:" + number(static_cast<double>(brokers.size()) + 0.5) + "]");
    if (!unclean_x.empty()) {
        std::string b = "$unclean << EOD\n";
        for (size_t i = 0; i < unclean_x.size(); ++i) b += number(unclean_x[i]) + " " + number(unclean_y[i]) + "\n";
        p.blocks.push_back(b + "EOD\n");
        lp.raw_items += ", $unclean using 1:2 with points pointtype 2 pointsize 2.5 linewidth 2.5 linecolor rgb '#ffffff' title 'unclean election'";
    }
    Panel ip = heat_panel("ISR size (InSyncReplicasCount): pale when full, orange at or above min.insync.replicas, red below", m, "$isr_grid");
    const int64_t min_isr = common_min_isr(run.scenario).value_or(1);
    std::string ipal = "set palette defined (";
    for (int64_t v = 0; v <= max_replicas; ++v) {
        const char* c = v == max_replicas ? "#d9efd3" : v >= min_isr ? "#fdae61" : v > 0 ? "#d7301f" : "#67000d";
        ipal += (v ? ", " : "") + std::to_string(v) + " '" + c + "'";
    }
    ip.settings.push_back(ipal + ")");
    ip.settings.push_back("set palette maxcolors " + std::to_string(max_replicas + 1));
    ip.settings.push_back("set cbrange [-0.5:" + number(static_cast<double>(max_replicas) + 0.5) + "]");
    ip.settings.push_back("set cbtics 1");
    p.panels.push_back(std::move(lp));
    p.panels.push_back(std::move(ip));
    std::string lag_text;
    for (size_t gi = 0; gi < groups.size(); ++gi) {
        std::vector<std::vector<double>> lag;
        for (const std::string& label : m.partitions)
            lag.push_back(column_or_nan(m, entity_column(groups[gi] + "." + label, metric::partition_lag)));
        const std::string block = "$lag_grid_" + std::to_string(gi + 1);
        p.blocks.push_back(grid_block(block, m, lag));
        Panel gp = heat_panel("Lag of " + groups[gi] + " per partition, from positions (records)", m, block);
        gp.settings.push_back("set palette defined (0 '#f7fbff', 0.3 '#6baed6', 1 '#08306b')");
        gp.settings.push_back("set cbrange [0:*]");
        p.panels.push_back(std::move(gp));
    }
    if (!groups.empty())
        lag_text = " Below: each consumer group's lag on each partition from its members' positions (white: caught up; "
                   "a partition whose owner crashed darkens until a rebalance hands it on).";
    p.height = 170 + 270 * static_cast<int>(p.panels.size());
    p.file = file("leadership", "Partition leadership, ISR and lag",
                  "With " + std::to_string(m.partitions.size()) + " partitions, one line each would repeat colours and "
                  "tangle, so each partition is a row and time runs right. Top: which broker leads it as the "
                  "controller's metadata records it (a colour change is a leader change; white crosses: unclean "
                  "elections); a crashed leader stays leader here until the controller fences it. Middle: its ISR size. "
                  "Fault windows are outlined (dark solid line: start, light dashed line: end)." + lag_text);
    return p;
}

std::optional<Plot> leadership_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (m.partitions.empty()) return std::nullopt;
    if (m.partitions.size() > max_partitions_as_lines) return leadership_heatmap(run, m);
    size_t shown = m.partitions.size();
    std::string more;
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
    const auto unclean = unclean_election_times(run);
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

// A y range for a rate that a few catch-up bursts would flatten: 2.5 times the 75th percentile of
// the positive values, rounded up to 1, 2 or 5 times a power of ten; nullopt when nothing
// exceeds it (the whole range fits).
std::optional<double> steady_cap(const std::vector<std::vector<double>>& series) {
    std::vector<double> v;
    for (const auto& s : series)
        for (double x : s)
            if (!std::isnan(x) && x > 0) v.push_back(x);
    if (v.size() < 10) return std::nullopt;
    std::sort(v.begin(), v.end());
    double cap = 2.5 * v[(v.size() * 3) / 4];
    double nice = 0;
    for (double scale = 1; nice == 0; scale *= 10)
        for (double step : {1.0, 2.0, 5.0})
            if (nice == 0 && step * scale >= cap) nice = step * scale;
    return v.back() > nice ? std::optional<double>(nice) : std::nullopt;
}

std::optional<Plot> produce_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (run.scenario.producers.empty()) return std::nullopt;
    Plot p;
    p.height = triple_height;
    p.data.name = "$produce";
    p.data.add("time_s", time_column(m));
    std::vector<double> sent = column_or_nan(m, std::string(metric::record_send_rate));
    std::vector<double> acked = column_or_nan(m, std::string(metric::record_ack_rate));
    std::optional<double> cap = steady_cap({sent, acked});
    Panel rate = panel("Produce throughput", "records/s");
    std::string clipped_text;
    if (cap) {
        // Bursts past the steady range are cut at its top and marked there with their peak.
        std::vector<double> mark(sent.size(), no_value);
        double peak = 0;
        for (size_t r = 0; r < sent.size(); ++r) {
            double top = std::max(std::isnan(sent[r]) ? 0.0 : sent[r], std::isnan(acked[r]) ? 0.0 : acked[r]);
            if (top > *cap) {
                mark[r] = *cap;
                peak = std::max(peak, top);
            }
        }
        rate.yrange = {0, *cap};
        char buf[96];
        std::snprintf(buf, sizeof buf, "above the axis (peak %.0f/s)", peak);
        rate.series.push_back({buf, p.data.add("clipped burst marker", std::move(mark)), "points pointtype 9 pointsize 1.6",
                               "#444444", ""});
        clipped_text = " The y axis is set by the steady rate; catch-up bursts after an outage go past it and are marked "
                       "with a triangle at the top (their peak is in the key and in metrics.csv).";
    }
    rate.series.insert(rate.series.begin(), {"sent (record-send-rate)", p.data.add(std::string(metric::record_send_rate), std::move(sent)),
                                             "lines", color(0), "linewidth 2"});
    rate.series.insert(rate.series.begin() + 1, {"acknowledged", p.data.add(std::string(metric::record_ack_rate), std::move(acked)),
                                                 "lines", color(2), "linewidth 2"});
    p.file = file("produce", "Produce throughput, latency and what is pending",
                  "Top: records per second the producers sent (record-send-rate) and had acknowledged, per sample "
                  "interval." + clipped_text + " Middle, on a log scale: the 50th and 99th percentile latency of the "
                  "batches acknowledged in each interval, from a batch's first send to its acknowledgement (retries "
                  "through a failover count), and the age of the oldest batch still waiting for an answer: latency only "
                  "counts batches that completed, so during an outage it goes quiet while the pending age climbs. "
                  "Bottom: failed attempts the producer retries (record-retry-rate) and records failed for good "
                  "(record-error-rate).");
    Panel latency = panel("Produce latency and the oldest unacknowledged batch", "ms");
    latency.settings.push_back("set logscale y 10");
    latency.from_zero = false;
    for (auto [name, title, c] : {std::tuple{metric::request_latency_p50, "p50 (acknowledged)", 4},
                                  std::tuple{metric::request_latency_p99, "p99 (acknowledged)", 5},
                                  std::tuple{metric::oldest_unacked_age_ms, "oldest unacknowledged", 3}}) {
        std::vector<double> v = column_or_nan(m, std::string(name));
        for (double& x : v)
            if (!std::isnan(x) && x <= 0) x = no_value;  // a log scale has no zero (acks=0, nothing pending)
        latency.series.push_back({title, p.data.add(std::string(name) + " (ms, NaN for 0)", std::move(v)),
                                  "lines", color(static_cast<size_t>(c)), c == 3 ? "linewidth 2 dashtype 2" : "linewidth 2"});
    }
    Panel failures = panel("Failed produce attempts", "records/s");
    failures.series.push_back({"retried (record-retry-rate)", p.data.add(std::string(metric::record_retry_rate), column_or_nan(m, std::string(metric::record_retry_rate))),
                               "lines", color(1), "linewidth 2"});
    failures.series.push_back({"failed for good (record-error-rate)", p.data.add(std::string(metric::record_error_rate), column_or_nan(m, std::string(metric::record_error_rate))),
                               "lines", color(3), "linewidth 2"});
    p.panels.push_back(std::move(rate));
    p.panels.push_back(std::move(latency));
    p.panels.push_back(std::move(failures));
    return p;
}

// Cluster health over time, and every acknowledged record's fate (Jepsen's timeline of ok /
// failed / lost / duplicated, per sample interval).
std::optional<Plot> health_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (m.times.empty()) return std::nullopt;
    Plot p;
    p.height = double_height;
    p.data.name = "$health";
    p.data.add("time_s", time_column(m));
    Panel cluster = panel("Cluster health (kafka.controller / ReplicaManager)", "count");
    double top = 1;
    int colour = 0;
    for (auto [name, title, offset] : {std::tuple{metric::under_replicated_partitions, "UnderReplicatedPartitions", 0.0},
                                       std::tuple{metric::offline_partitions_count, "OfflinePartitionsCount", 0.04},
                                       std::tuple{metric::active_controller_count, "ActiveControllerCount", -0.04}}) {
        std::vector<double> v = column_or_nan(m, std::string(name));
        for (double& x : v)
            if (!std::isnan(x)) {
                top = std::max(top, x);
                x += offset;  // apart where they agree
            }
        int c = colour++ == 0 ? 1 : colour == 2 ? 3 : 0;
        cluster.series.push_back({title, p.data.add(std::string(name), std::move(v)), "steps", color(static_cast<size_t>(c)), "linewidth 2"});
    }
    cluster.yrange = {-0.3, top + 0.5};
    cluster.settings.push_back(top <= 12 ? "set ytics 1" : "set format y '%.0f'");
    Panel fates = panel("Acknowledged records by fate in the final log (Jepsen-style), per sample interval", "records (log scale)");
    fates.settings.push_back("set logscale y 10");
    fates.from_zero = false;
    int64_t totals[4] = {0, 0, 0, 0};
    struct Fate {
        std::string_view column;
        const char* title;
        const char* style;
        const char* colour;
    };
    const Fate kinds[] = {{metric::records_acked_ok_total, "ok", "lines", "#2ca02c"},
                          {metric::record_error_total, "failed for good", "points pointtype 9 pointsize 1.3", "#ff7f0e"},
                          {metric::records_lost_total, "LOST", "points pointtype 7 pointsize 1.6", "#d62728"},
                          {metric::records_duplicated_total, "duplicated", "points pointtype 5 pointsize 1.4", "#9467bd"}};
    for (size_t k = 0; k < std::size(kinds); ++k) {
        std::vector<double> total = column_or_nan(m, std::string(kinds[k].column));
        std::vector<double> per(total.size(), no_value);
        double before = 0;
        for (size_t r = 0; r < total.size(); ++r) {
            if (std::isnan(total[r])) continue;
            if (total[r] > before) per[r] = total[r] - before;
            before = total[r];
        }
        totals[k] = static_cast<int64_t>(before);
        if (totals[k] == 0)  // say "none" in the key rather than leave the fate out
            fates.extras.push_back(std::string("keyentry with ") + kinds[k].style + " linecolor rgb '" + kinds[k].colour +
                                   "' title " + quoted(std::string(kinds[k].title) + " (0)"));
        fates.series.push_back({std::string(kinds[k].title) + " (" + std::to_string(totals[k]) + ")",
                                p.data.add(std::string(kinds[k].column) + " per interval", std::move(per)), kinds[k].style,
                                kinds[k].colour, kinds[k].style[0] == 'l' ? "linewidth 1.5" : ""});
    }
    if (m.find(metric::records_acked_ok_total) == nullptr || !DataBlock{"", {column_or_nan(m, std::string(metric::records_acked_ok_total))}, {""}}.has_values(1)) {
        fates.title = "Record fates: not judged in this run";
        fates.ylabel = "";
        fates.series.clear();
        fates.extras.clear();
        fates.settings.clear();
        fates.settings.push_back("set label 98 'a scenario without expectations keeps no replica logs to judge records against' "
                                 "at graph 0.5, graph 0.6 center textcolor rgb '#666666'");
    }
    (void)run;
    p.file = file("health", "Cluster health and the fate of every record",
                  "Top: UnderReplicatedPartitions (partitions whose ISR is smaller than their replica set), "
                  "OfflinePartitionsCount (partitions without a leader) and ActiveControllerCount summed over the "
                  "cluster (how many nodes believe they are the active controller: 1 is healthy, 0 none, 2 a zombie), "
                  "drawn slightly apart where they agree; metrics.csv has them per sample. "
                  "Bottom, Jepsen's view of the run: the records acknowledged in each interval that sit in the final "
                  "committed log once (ok), not at all (lost: an acknowledged write the cluster dropped) or more than "
                  "once (duplicated), and the records that failed for good; totals in the key.");
    p.panels.push_back(std::move(cluster));
    p.panels.push_back(std::move(fates));
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

// Transactions: where each partition's last stable offset stands against its high watermark
// (read_committed consumers read up to the LSO), the gap between them (LastStableOffsetLag)
// and how many transactions the leaders hold open. Only for runs that had transactions.
std::optional<Plot> transactions_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (m.times.empty() || !has_transactions(run)) return std::nullopt;
    Plot p;
    p.height = triple_height;
    p.data.name = "$transactions";
    p.data.add("time_s", time_column(m));
    // The partitions whose LSO trailed furthest, at most six, for the offsets panel.
    std::vector<std::pair<double, size_t>> by_lag;
    for (size_t i = 0; i < m.partitions.size(); ++i) {
        double worst = 0;
        for (double v : column_or_nan(m, entity_column(m.partitions[i], metric::last_stable_offset_lag)))
            if (!std::isnan(v)) worst = std::max(worst, v);
        by_lag.push_back({-worst, i});
    }
    std::stable_sort(by_lag.begin(), by_lag.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    if (by_lag.size() > 6) by_lag.resize(6);
    std::sort(by_lag.begin(), by_lag.end(), [](const auto& a, const auto& b) { return a.second < b.second; });
    Panel offsets = panel("High watermark (thin) and last stable offset (thick) per partition", "offset");
    for (size_t k = 0; k < by_lag.size(); ++k) {
        const std::string& label = m.partitions[by_lag[k].second];
        offsets.series.push_back({label + " HW", p.data.add(label + " high-watermark", column_or_nan(m, entity_column(label, metric::high_watermark))),
                                  "steps", color(k), "linewidth 1"});
        offsets.series.push_back({label + " LSO", p.data.add(label + " last-stable-offset", column_or_nan(m, entity_column(label, metric::last_stable_offset))),
                                  "steps", color(k), "linewidth 3 dashtype 2"});
    }
    Panel lag = panel("LastStableOffsetLag per partition: records read_committed consumers cannot read yet", "records");
    for (size_t i = 0; i < m.partitions.size(); ++i) {
        const std::string& label = m.partitions[i];
        lag.series.push_back({label, p.data.add(label + " LastStableOffsetLag", column_or_nan(m, entity_column(label, metric::last_stable_offset_lag))),
                              "steps", color(i), i < std::size(palette) ? "linewidth 2" : "linewidth 2 dashtype 2"});
    }
    Panel open = panel("Open transactions, summed over the partition leaders", "transactions");
    std::vector<double> open_counts = column_or_nan(m, std::string(metric::open_transactions));
    double most = 0;
    for (double v : open_counts)
        if (!std::isnan(v)) most = std::max(most, v);
    open.settings.push_back(most <= 12 ? "set ytics 1" : "set format y '%.0f'");
    open.series.push_back({"open-transactions", p.data.add("open-transactions", std::move(open_counts)), "steps", color(0),
                           "linewidth 2"});
    p.file = file("transactions", "Transactions: last stable offsets and open transactions",
                  "Top: each partition's high watermark (thin) and last stable offset (thick, dashed), for the six "
                  "partitions whose LSO trailed furthest: the LSO stops at the first offset of the earliest open "
                  "transaction, and read_committed consumers read no further. Middle: the gap, Kafka's "
                  "LastStableOffsetLag (high watermark minus LSO); a gap that never closes is a hanging transaction. "
                  "Bottom: the transactions the partition leaders hold open (a transaction on three partitions "
                  "counts three). Sampled every sample interval; metrics.csv has the same columns.");
    p.panels.push_back(std::move(offsets));
    p.panels.push_back(std::move(lag));
    p.panels.push_back(std::move(open));
    return p;
}

// Kafka Connect: how many tasks each worker runs over time (rebuilt from the workers' statuses
// and the faults that took workers down, as the checks do), with a dot at each rebalance of the
// Connect group, and how far each source connector is behind its external system.
std::optional<Plot> connect_plot(const scenarios::RunData& run, const MetricsTable& m) {
    if (!run.scenario.connect.present || m.times.empty() || run.trace == nullptr) return std::nullopt;
    const std::vector<int32_t> workers = node_ids(run, "connect:");
    if (workers.empty()) return std::nullopt;
    const scenarios::checkers::ConnectTimeline timeline = scenarios::checkers::connect_timeline(run);
    Plot p;
    p.height = double_height;
    p.data.name = "$connect";
    p.data.add("time_s", time_column(m));
    Panel tasks = panel("Tasks running on each worker (dots: the Connect group rebalanced)", "tasks");
    double most = 0;
    std::vector<double> total(m.times.size(), 0);
    for (size_t w = 0; w < workers.size(); ++w) {
        const std::string name = "connect:" + std::to_string(workers[w]);
        std::vector<double> counts(m.times.size(), 0);
        for (const auto& [instance, runs] : timeline.runs) {
            if (instance.second < 0) continue;
            for (const auto& r : runs) {
                if (r.worker != name) continue;
                for (size_t i = 0; i < m.times.size(); ++i)
                    if (r.from <= m.times[i] && m.times[i] < r.to) counts[i] += 1;
            }
        }
        for (size_t i = 0; i < counts.size(); ++i) {
            most = std::max(most, counts[i]);
            total[i] += counts[i];
        }
        tasks.series.push_back({name, p.data.add(name + " tasks", std::move(counts)), "steps", color(w),
                                "linewidth 2.5"});
    }
    // A dot on the total at each sample interval in which a worker took a new assignment.
    std::vector<double> rebalance(m.times.size(), no_value);
    for (const auto& e : run.trace->events()) {
        if (!std::holds_alternative<kafka::ConnectAssignment>(e.event)) continue;
        auto it = std::lower_bound(m.times.begin(), m.times.end(), e.time);
        if (it == m.times.end()) continue;
        const auto i = static_cast<size_t>(it - m.times.begin());
        rebalance[i] = total[i];
    }
    tasks.series.push_back({"all workers", p.data.add("tasks on all workers", total), "steps", "#444444",
                            "linewidth 1 dashtype 2"});
    tasks.series.push_back({"", p.data.add("connect rebalance", std::move(rebalance)), "points pointtype 7 pointsize 1.1",
                            "#444444", ""});
    tasks.settings.push_back(most <= 12 ? "set ytics 1" : "set format y '%.0f'");
    Panel backlog = panel("Source backlog: rows of each external source not read by its connector yet", "rows");
    if (run.external != nullptr) {
        // How far the source tasks have read each system, from their polls.
        std::map<std::string, std::vector<std::pair<sim::Time, int64_t>>> reads;
        for (const auto& e : run.trace->events())
            if (const auto* io = std::get_if<kafka::ConnectTaskIo>(&e.event); io != nullptr && io->action == "poll")
                reads[io->system].emplace_back(e.time, io->first + io->count);
        size_t k = 0;
        for (const auto& [name, source] : run.external->sources()) {
            std::vector<double> behind(m.times.size(), no_value);
            const auto& polls = reads[name];
            size_t next = 0;
            int64_t read = 0;
            for (size_t i = 0; i < m.times.size(); ++i) {
                for (; next < polls.size() && polls[next].first <= m.times[i]; ++next)
                    read = std::max(read, polls[next].second);
                behind[i] = static_cast<double>(std::max<int64_t>(0, run.external->rows_at(source, m.times[i]) - read));
            }
            backlog.series.push_back({name, p.data.add(name + " rows not read", std::move(behind)), "lines", color(k++),
                                      "linewidth 2"});
        }
    }
    p.file = file("connect", "Kafka Connect: tasks per worker and source backlog",
                  "Top: how many connector tasks each Connect worker runs, rebuilt from the statuses the workers "
                  "report and the faults that took workers down (a crashed worker runs nothing from the crash on, "
                  "whatever the status topic still says; a paused or partitioned worker keeps its tasks: zombies); "
                  "the dashed line is the total, and a dot marks a sample interval in which the Connect group "
                  "handed out a new assignment. Bottom: each external source's rows that its source connector has "
                  "not read yet (a source whose task has no worker falls behind). The sinks' consumer groups "
                  "(connect-<name>) are in the lag plot.");
    p.panels.push_back(std::move(tasks));
    p.panels.push_back(std::move(backlog));
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
                      health_plot(run, metrics), quorum_plot(run, metrics), transactions_plot(run, metrics),
                      connect_plot(run, metrics)})
        if (plot) plots.push_back(std::move(*plot));
    const double end_s = static_cast<double>(run.end.us) / 1e6;
    PlotScript out;
    out.text = "# kafkasim plots: scenario " + run.scenario.name + ", seed " + std::to_string(run.seed) +
               ".\n# Draw them again (in this folder): gnuplot plots.gp\n";
    for (const Plot& p : plots) {
        out.text += "\n" + p.data.text();
        for (const std::string& b : p.blocks) out.text += b;
    }
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
