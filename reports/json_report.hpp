// The files a run leaves in its directory (`kafkasim run --out DIR`):
//   report.json   scenario, seed, version profile, the resolved configuration, every
//                 expectation with its outcome and evidence, the fault timeline as resolved
//                 (with when each fault ended, and the faults that did not fire), summary
//                 metrics, trace hash
//   trace.jsonl   one JSON object per trace event, for jq
//   metrics.csv   one row per sample interval (reports/metrics.hpp)
//   plots/        PNG and SVG plots and the gnuplot script that drew them (reports/plots.hpp)
//   report.html   one self-contained page of all of it (reports/html_report.hpp)
// Every file is a function of the run alone: same scenario and seed, same bytes.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "reports/fault_windows.hpp"
#include "reports/metrics.hpp"
#include "reports/plots.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

struct RunFilesOptions {
    std::string reproduce_command;  // "kafkasim run FILE --seed N", shown in the reports
    // gnuplot to draw with; nullopt: the one on PATH. Without one, plots are skipped (with a
    // note in the reports) and everything else is written.
    std::optional<std::string> gnuplot;
    bool plots = true;
};

struct RunFilesResult {
    std::vector<std::string> files;  // written, relative to the directory
    PlotsResult plots;
};

RunFilesResult write_run_files(const std::string& dir, const scenarios::RunData& run,
                               const std::vector<scenarios::CheckResult>& checks,
                               const RunFilesOptions& options = {});

// report.json's content (see docs in README "Reports").
nlohmann::ordered_json report_json(const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks,
                           const MetricsTable& metrics, const std::vector<FaultWindow>& windows,
                           const PlotsResult& plots, const std::string& reproduce_command);

}  // namespace reports
