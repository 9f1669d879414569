// What `kafkasim run` prints: the scenario's header, then the summary, each expectation as
// PASS/FAIL with its evidence, the trace hash, and on failure the command that reproduces it.
#pragma once
#include <ostream>
#include <string>
#include <vector>

#include "scenarios/checkers/checker.hpp"
#include "scenarios/run_data.hpp"
#include "scenarios/scenario.hpp"

namespace reports {

void print_header(std::ostream& out, const scenarios::Scenario& s, uint64_t seed);
void print_summary(std::ostream& out, const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks,
                   const std::string& reproduce_command);

// Counts a summary shows, computed from the run.
struct RunCounts {
    int64_t sent = 0, acked = 0, failed = 0, polled = 0;
    int64_t leader_elections = 0;     // "become_leader" events
    int64_t controller_changes = 0;   // "controller_active" events
    int64_t faults_fired = 0, faults_not_fired = 0;
};
RunCounts count(const scenarios::RunData& run);

// 1234567 -> "1,234,567".
std::string with_commas(int64_t v);

// Per consumer group: generations reached, rebalances its members took part in, partitions
// revoked or lost (counted per member, from one assignment to the next), and commits.
struct GroupCounts {
    std::string group;
    int32_t generation = 0;
    int64_t rebalances = 0;
    int64_t revoked = 0;
    int64_t commits = 0;
};
std::vector<GroupCounts> count_groups(const scenarios::RunData& run);

}  // namespace reports
