// fail-task: a connector task throws (a bug, a poison record, a credential that expired): the
// worker running it marks it FAILED, and Connect never restarts a failed task by itself (a
// REST restart does).
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& fail_task_fault() {
    static const FaultKind kind{
        .action = FaultAction::fail_task,
        .name = "fail-task",
        .fields = {{"target", true}},
        .undone_by_for = false,
        .window = FaultWindowClass::node_down,
        .shell_usage = "task:CONNECTOR/N...",
        .shell_help = "a connector task throws and becomes FAILED",
        .doc = "the connector task `target` (`task:<connector>/<n>`) throws: the worker running it marks it FAILED, "
               "and it stays FAILED until a REST restart",
        .for_doc = "",
        .rules = nullptr,
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            Applied a;
            for (const Target& t : f.targets) {
                if (t.kind != Target::Kind::connect_task) {
                    ctx.skipped(t.text + " is not a connector task (task:<connector>/<n>)");
                    continue;
                }
                for (sim::NodeId n : ctx.resolve({t})) {
                    ctx.world().send(n, n, kafka::InjectedTaskFailure{
                                               t.name, t.id,
                                               "org.apache.kafka.connect.errors.ConnectException: injected by fault "
                                               "/faults/" + std::to_string(f.index)});
                    a.nodes.push_back(n);
                    a.fired = true;
                }
            }
            return a;
        },
        .undo = nullptr,
    };
    return kind;
}

}  // namespace scenarios
