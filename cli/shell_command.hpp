// kafkasim shell: an interactive teaching session over a scenario's cluster.
//
//   kafkasim shell FILE [--seed N]
//
// Loads the scenario (a path or a library name, as `run`), builds its cluster and stops the
// clock at t=0. Time moves only when asked (`advance 5s`, `advance to 30s`, `step`), never
// past the scenario's duration; the scenario's own faults and clients run as scheduled. By
// hand the learner can inject any fault of the scenario format, in its syntax (`crash broker:2`,
// `partition broker:1 | *`, `latency broker:3 add 200ms for 10s`), produce and consume
// (`produce orders 10`, `consume orders`), and look at the cluster as Kafka's tools show it
// (`topics`, `groups`, `quorum`) or below them (`log orders/0`: every replica's log side by
// side, with its high watermark and log end offset). Narration tells the story as it happens.
//
// Faults go through the scenario loader (scenarios::parse_fault), so they are checked with the
// same rules and messages as in a file, and fired by the run's own FaultInjector: recorded in
// the trace and the fault log as scripted ones are. Hand clients are extra nodes, added only
// when asked for, so `kafkasim run` of the same scenario is untouched.
//
// A mistake (an unknown command, a node or topic that does not exist, a malformed duration)
// gets one line, with a did-you-mean where there is one, and the session goes on. The same
// scenario, seed and script give the same output. Exit codes: 0 at quit/EOF, 2 for bad usage or
// an invalid scenario (as `run`), 3 for a simulator fault.
#pragma once
#include <cstdint>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace cli {

int shell_command(const std::vector<std::string>& args);

// The session over a loaded scenario, its commands read from script one line a time, every
// prompt and answer to out: what a piped script gets, without a terminal (the shell fuzz
// target, tests). Throws sim::InvariantViolation on a simulator fault.
void run_shell_script(const scenarios::Scenario& scenario, std::optional<uint64_t> seed, const std::string& script,
                      std::ostream& out);

}  // namespace cli
