// shutdown: a clean stop. A broker runs controlled shutdown first (it asks the controller to
// move its leaderships away), within the brokers' controlled.shutdown timeout.
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& shutdown_fault() {
    static const FaultKind kind{
        .action = FaultAction::shutdown,
        .name = "shutdown",
        .fields = {{"target", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::node_down,
        .shell_usage = "TARGET... [for D]",
        .shell_help = "clean stop (controlled shutdown for brokers)",
        .doc = "clean stop (controlled shutdown for a broker)",
        .for_doc = "restarts it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f, [](FaultContext& c, sim::NodeId n) {
                return c.world().shutdown(n, c.shutdown_grace());
            });
        },
        .undo = fault_support::restart_nodes,
    };
    return kind;
}

}  // namespace scenarios
