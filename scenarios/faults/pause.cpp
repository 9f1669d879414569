// pause: the process is alive but handles nothing (a long GC pause, SIGSTOP): its connections
// stay open, its timers and messages wait until it resumes.
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& pause_fault() {
    static const FaultKind kind{
        .action = FaultAction::pause,
        .name = "pause",
        .fields = {{"target", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::pause,
        .shell_usage = "TARGET... [for D]",
        .shell_help = "alive but handling nothing (a GC pause, SIGSTOP)",
        .doc = "the process is alive but does nothing (GC pause, SIGSTOP)",
        .for_doc = "resumes it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f, [](FaultContext& c, sim::NodeId n) { return c.world().pause(n); });
        },
        .undo = [](FaultContext& ctx, const Applied& applied) {
            FaultRecord& r = ctx.record();
            for (sim::NodeId n : applied.nodes)
                if (ctx.world().resume(n)) r.resolved.push_back(ctx.world().name(n));
            r.note = "resume";
        },
    };
    return kind;
}

}  // namespace scenarios
