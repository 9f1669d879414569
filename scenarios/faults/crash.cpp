// crash: kill -9. The process's memory is gone; what it wrote to its log files survives in the
// OS page cache (power-loss is the fault that loses that too).
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& crash_fault() {
    static const FaultKind kind{
        .action = FaultAction::crash,
        .name = "crash",
        .fields = {{"target", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::node_down,
        .shell_usage = "TARGET... [for D]",
        .shell_help = "the process dies (kill -9); its page cache survives",
        .doc = "kill -9: memory is lost, what was written to the log survives (it is in the OS page cache)",
        .for_doc = "restarts it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f, [](FaultContext& c, sim::NodeId n) { return c.world().crash(n); });
        },
        .undo = fault_support::restart_nodes,
    };
    return kind;
}

}  // namespace scenarios
