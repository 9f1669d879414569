// resume: a paused node goes on where it stopped.
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& resume_fault() {
    static const FaultKind kind{
        .action = FaultAction::resume,
        .name = "resume",
        .fields = {{"target", true}},
        .undone_by_for = false,
        .window = FaultWindowClass::recovery,
        .ends = FaultWindowClass::pause,
        .ends_only_its_nodes = true,
        .shell_usage = "TARGET...",
        .shell_help = "end a pause",
        .doc = "end a pause",
        .for_doc = "",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f, [](FaultContext& c, sim::NodeId n) { return c.world().resume(n); });
        },
    };
    return kind;
}

}  // namespace scenarios
