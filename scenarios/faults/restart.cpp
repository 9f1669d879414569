// restart: a stopped node starts again from what its disk holds.
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& restart_fault() {
    static const FaultKind kind{
        .action = FaultAction::restart,
        .name = "restart",
        .fields = {{"target", true}},
        .undone_by_for = false,
        .window = FaultWindowClass::recovery,
        .ends = FaultWindowClass::node_down,
        .ends_only_its_nodes = true,
        .shell_usage = "TARGET...",
        .shell_help = "start a stopped node from its disk",
        .doc = "start a stopped node from its disk",
        .for_doc = "",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f, [](FaultContext& c, sim::NodeId n) { return c.world().restart(n); });
        },
    };
    return kind;
}

}  // namespace scenarios
