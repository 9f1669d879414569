// connector-running: by a time (`by`, default the end of the run), every connector of the Connect
// cluster and each of its tasks runs, RUNNING, on exactly one worker: none stranded on a
// crashed worker or waiting for the scheduled rebalance delay, none FAILED, none run twice (a
// zombie beside its new owner). Where each ran is rebuilt from the workers' statuses and the
// faults that took workers down (connect_timeline.hpp).
#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/checkers/connect_timeline.hpp"

namespace scenarios {
using namespace checkers;

CheckResult check_connector_running(const ExpectSpec& spec, const RunData& run) {
    if (run.connectors.empty()) return not_checked("the Connect cluster holds no connector");
    const sim::Time by = spec.by ? sim::time_zero + *spec.by : run.end;
    const sim::Time t = by >= run.end ? run.end - sim::Duration{1} : by;
    const ConnectTimeline timeline = connect_timeline(run);
    if (timeline.runs.empty()) return not_checked("no worker ever ran a connector or task");
    CheckResult result;
    Evidence evidence;
    int64_t instances = 0, fine = 0;
    auto judge = [&](const std::pair<std::string, int32_t>& instance) {
        ++instances;
        const auto runs = timeline.at(instance, t);
        std::string where;
        for (const InstanceRun* r : runs) where += (where.empty() ? "" : ", ") + r->worker + " (" + r->state + ")";
        if (runs.size() == 1 && runs.front()->state == "RUNNING") {
            ++fine;
            return;
        }
        evidence.add(instance_text(instance) + " at " + sim::format_time(t) + ": " +
                     (runs.empty() ? std::string("runs on no worker") : "on " + where));
    };
    for (const auto& [name, config] : run.connectors) {
        judge({name, -1});
        auto tasks = run.connector_tasks.find(name);
        const int32_t n = tasks == run.connector_tasks.end() ? 0 : tasks->second;
        for (int32_t i = 0; i < n; ++i) judge({name, i});
    }
    result.holds = fine == instances;
    result.summary = with_commas(fine) + " of " + with_commas(instances) +
                     " connectors and tasks RUNNING on exactly one worker at " + sim::format_time(t);
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& connector_running_check() {
    static const CheckDescriptor d{
        CheckKind::connector_running, "connector-running", {{"by", false}}, "`by` (default: the end)",
        "at `by`, every connector and each of its tasks is RUNNING on exactly one worker (not stranded on a dead "
        "worker, FAILED, or run twice by a zombie)",
        check_connector_running};
    return d;
}

}  // namespace scenarios
