// task-unassigned-time: the longest time a connector task had no worker running it, from its
// first start to the end of the run, is at most `max`. A crashed worker's tasks have none from
// the crash until a rebalance gives them to another worker: the session timeout, then (under
// incremental cooperative rebalancing) scheduled.rebalance.max.delay.ms. A FAILED task still
// has its worker; a paused or partitioned worker's tasks still run there (zombies).
#include <algorithm>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/checkers/connect_timeline.hpp"

namespace scenarios {
using namespace checkers;

CheckResult check_task_unassigned_time(const ExpectSpec& spec, const RunData& run) {
    const ConnectTimeline timeline = connect_timeline(run);
    CheckResult result;
    Evidence evidence;
    sim::Duration longest{};
    std::string longest_what;
    int64_t tasks = 0, over = 0;
    for (const auto& entry : timeline.runs) {
        const auto& instance = entry.first;  // a plain reference: the gap lambda captures it
        const auto& runs = entry.second;
        if (instance.second < 0 || runs.empty()) continue;
        ++tasks;
        // The gaps between the union of its runs, from its first start to the end.
        std::vector<std::pair<sim::Time, sim::Time>> spans;
        for (const InstanceRun& r : runs) spans.emplace_back(r.from, std::min(r.to, run.end));
        std::sort(spans.begin(), spans.end());
        sim::Time covered = spans.front().first;
        auto gap = [&](sim::Time from, sim::Time to) {
            if (to <= from) return;
            const sim::Duration d = to - from;
            if (d > longest) {
                longest = d;
                longest_what = instance_text(instance) + " from " + sim::format_time(from) + " to " + sim::format_time(to);
            }
            if (d > spec.max) {
                ++over;
                evidence.add(instance_text(instance) + " had no worker for " + duration_text(d) + " (" +
                             sim::format_time(from) + " to " + (to >= run.end ? "the end" : sim::format_time(to)) + ")");
            }
        };
        for (const auto& [from, to] : spans) {
            gap(covered, from);
            covered = std::max(covered, to);
        }
        gap(covered, run.end);
    }
    if (tasks == 0) return not_checked("no connector task ever ran");
    result.holds = over == 0;
    result.summary = longest.us == 0 ? count_text(tasks, "task") + " always had a worker"
                                     : "longest without a worker: " + duration_text(longest) + " (" + longest_what +
                                           "), bound " + duration_text(spec.max);
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& task_unassigned_time_check() {
    static const CheckDescriptor d{
        CheckKind::task_unassigned_time, "task-unassigned-time", {{"max", true}}, "`max`",
        "no connector task, once started, went longer than `max` without a worker running it (a crashed worker's "
        "tasks wait for the session timeout and the scheduled rebalance delay)",
        check_task_unassigned_time};
    return d;
}

}  // namespace scenarios
