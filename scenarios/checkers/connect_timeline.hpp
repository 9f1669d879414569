// Where each connector and task of a Kafka Connect cluster ran, over the run: rebuilt from the
// statuses the workers report (ConnectStatus) and the faults that took workers down. A worker
// that crashes writes no UNASSIGNED (its statuses stay RUNNING in the status topic); its
// instances stop running at the crash all the same, and this timeline says so. A paused or
// partitioned worker keeps running its tasks (a zombie), and the timeline keeps them too.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "scenarios/run_data.hpp"

namespace scenarios::checkers {

struct InstanceRun {
    std::string worker;       // "connect:2"
    std::string state;        // RUNNING, PAUSED, FAILED
    sim::Time from;
    sim::Time to = sim::time_never;  // time_never: still running at the end
};

struct ConnectTimeline {
    // (connector, task) -> the runs, in the order they started; task -1 is the connector itself.
    std::map<std::pair<std::string, int32_t>, std::vector<InstanceRun>> runs;
    // The instances that ran on a worker at time t (their runs).
    std::vector<const InstanceRun*> at(const std::pair<std::string, int32_t>& instance, sim::Time t) const;
};

ConnectTimeline connect_timeline(const RunData& run);
// "orders-sink-0", "orders-sink" for the connector.
std::string instance_text(const std::pair<std::string, int32_t>& instance);

}  // namespace scenarios::checkers
