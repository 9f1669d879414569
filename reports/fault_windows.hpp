// The fault timeline as spans of virtual time: when each fault that fired was in force, and
// what ended it. Plots shade these spans; report.json and report.html list them.
//
// A fault ends at the first of: its own undo (its `for` ran out), later restarts/resumes that
// between them name every node it took down or paused (one that names some of them ends the
// fault for those only: `partly_ended`), a later heal (partitions, isolations and cuts), or the
// end of the run. restart, resume and heal themselves are moments, not spans.
#pragma once
#include <string>
#include <vector>

#include "scenarios/run_data.hpp"

namespace reports {

struct FaultWindow {
    enum class Kind { node_down, pause, network_cut, network_degraded, recovery };
    size_t index = 0;          // position in scenario.faults
    size_t record = 0;         // position in RunData::faults of the record that fired it
    Kind kind = Kind::node_down;
    std::string action;        // "crash", "isolate", ...
    std::string label;         // "crash broker:1": the action and what it resolved to
    sim::Time from;
    sim::Time until;           // when it ended, or the end of the run
    bool instant = false;      // restart, resume, heal: a moment
    bool ended = false;        // false: still in force when the run ended
    std::string ended_by;      // "undone after its for of 15s", "restart at 20.000s", "heal at 30.000s"
    // Nodes brought back before the whole fault ended: "zookeeper:1: restart at 40.000s".
    std::vector<std::string> partly_ended;
};

std::vector<FaultWindow> fault_windows(const scenarios::RunData& run);

// "crash broker:1", "partition broker:1 | *", "isolate leader:orders/0" (when nothing resolved).
std::string fault_label(const scenarios::FaultRecord& f);

}  // namespace reports
