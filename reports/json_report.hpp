// The files a run leaves in --out DIR: report.json (scenario, seed, profile, expectations
// with evidence, the fault timeline as resolved, summary counts), trace.jsonl (one JSON
// object per trace event, for jq) and metrics.csv (one row per sample).
#pragma once
#include <string>
#include <vector>

#include "scenarios/checkers/checker.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

void write_run_files(const std::string& dir, const scenarios::RunData& run,
                     const std::vector<scenarios::CheckResult>& checks);

}  // namespace reports
