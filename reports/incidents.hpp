// The incident table: per failover, the numbers a postmortem quotes. A fault that took a node
// down, paused it or cut it off opens an incident for every partition it led (and for the active
// controller, when it was one); a row says when the cluster noticed, when it had a new leader,
// how long producers got no acknowledgement, and what happened to the records caught in it.
//
// Times are exact (from the trace and the history), not sampled:
//   detected   the controller fenced the leader (KRaft broker_fenced, ZooKeeper's broker change
//              with it among the dead), or the partition's metadata first changed after the fault
//   elected    the partition's next leader in the controller's metadata (the old leader again
//              counts once it had been replaced or offline); the active controller's successor
//   unavailable the longest stretch without an acknowledged produce to the partition that
//              overlaps the fault and the election
//   at risk    records of batches sent to the partition that were unacknowledged when that
//              stretch began or sent during it, and what became of them: acknowledged (and of
//              those, lost from the final log or duplicated in it), failed for good, or never answered
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/fault_windows.hpp"
#include "reports/metrics.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

struct IncidentRow {
    size_t window = 0;            // index into the fault windows
    std::string fault;            // "crash broker:1"
    sim::Time fault_at;
    std::string what;             // "orders/0 leader", "active controller"
    int32_t leader_before = -1;   // broker or controller id
    int32_t leader_after = -1;    // -1: none by the end of the run
    bool unclean = false;         // the new leader came from outside the ISR
    std::optional<sim::Duration> detected;  // after the fault
    std::optional<sim::Duration> elected;   // after the fault
    // Produce unavailability (partitions with a producer only).
    std::optional<sim::Time> unavailable_from;
    std::optional<sim::Time> unavailable_until;  // nullopt with a from: to the end of the run
    int64_t at_risk = 0, at_risk_acked = 0, at_risk_failed = 0, at_risk_unanswered = 0;
    int64_t at_risk_lost = 0, at_risk_duplicated = 0;
    bool produced = false;        // a producer wrote to it: unavailability and records apply
    bool fates_judged = true;     // false: the run kept no replica logs, lost/duplicated unknown
};

std::vector<IncidentRow> incidents(const scenarios::RunData& run, const std::vector<FaultWindow>& windows);

}  // namespace reports
