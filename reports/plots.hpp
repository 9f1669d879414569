// The plots of a run, drawn by gnuplot (through gnuplot-iostream) as PNG and SVG into
// DIR/plots/: consumer lag (group lag from positions over the committed-lag envelope, lag in
// seconds, each client's), partition leadership and ISR size (a partition x time heatmap with
// per-group lag past 8 partitions), produce throughput (scaled to the steady rate, bursts
// clipped and marked), latency with the oldest unacknowledged batch's age and failed attempts,
// cluster health with every acknowledged record's fate, the metadata quorum's leader and epoch.
// Every plot shades the fault windows and labels them ("crash broker:1"); x is virtual time in
// seconds.
//
// The script gnuplot ran is kept as DIR/plots/plots.gp (data included): `gnuplot plots.gp`
// in that folder draws the same files again, and is the place to restyle a plot.
//
// Same run, same bytes: the script holds no date, both terminals (pngcairo, svg; gnuplot-nox
// has both) write none, and numbers are printed with fixed decimals.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "reports/fault_windows.hpp"
#include "reports/metrics.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

struct PlotFile {
    std::string name;     // "lag"
    std::string title;    // "Consumer lag"
    std::string caption;  // what it shows and how to read it
    std::string png, svg; // relative to the run's directory: "plots/lag.png"
};

struct PlotsResult {
    std::vector<PlotFile> plots;  // drawn (both files exist)
    std::string skipped;          // why some or all plots are missing; "" when all were drawn
    std::string log;              // "plots/gnuplot.log" when gnuplot had something to say
};

// The gnuplot executable on PATH, or nullopt.
std::optional<std::string> find_gnuplot();

struct PlotScript {
    std::string text;             // draws every plot into the current directory
    std::vector<PlotFile> plots;  // what it draws (file names without the "plots/" folder)
};
PlotScript plot_script(const scenarios::RunData& run, const MetricsTable& metrics,
                       const std::vector<FaultWindow>& windows);

// Writes DIR/plots/plots.gp and runs `gnuplot` on it. Never throws for a gnuplot problem:
// what went wrong is in the result.
PlotsResult write_plots(const std::string& dir, const scenarios::RunData& run, const MetricsTable& metrics,
                        const std::vector<FaultWindow>& windows, const std::string& gnuplot);

// What to tell a user when gnuplot is not installed.
extern const char* const gnuplot_missing_text;

}  // namespace reports
