// kafkasim sweep: one scenario, many seeds, in parallel worker processes.
//
//   kafkasim sweep FILE --seeds 1..500 [--jobs N] [--shard I/N] [--out DIR]
//   kafkasim sweep --merge DIR_OR_FILE... [--out DIR]
//
// The parent forks --jobs workers (default: the number of online cores); each pulls one seed
// at a time over a pipe, runs it with scenarios::ScenarioRun and sends back one JSON line.
// Results are stored by seed, so nothing written depends on which worker ran what. Exit codes
// as `run`: 0 every seed met every expectation, 1 one did not, 2 bad usage or an invalid
// scenario, 3 a simulator fault in any seed. The slicing rule of --shard: reports/sweep_report.hpp.
#pragma once
#include <string>
#include <vector>

namespace cli {

int sweep_command(const std::vector<std::string>& args);

}  // namespace cli
