// external-down: a system outside Kafka that a connector reads or writes (a database, a file
// share) is unavailable: a source task's poll() finds nothing new, a sink task's put() throws
// a RetriableException and its records are delivered again later.
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& external_down_fault() {
    static const FaultKind kind{
        .action = FaultAction::external_down,
        .name = "external-down",
        .fields = {{"system", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_degraded,
        .operand = FaultOperand::none,
        .shell_usage = "SYSTEM [for D]",
        .shell_help = "a connector's external file or table is unavailable",
        .doc = "the external system `system` (a file or table of the `connect` section) is unavailable: source tasks "
               "read nothing from it, sink tasks' writes to it fail and are retried",
        .for_doc = "makes it available again",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            ctx.external().set_down(f.system, sim::time_never);
            ctx.record().resolved.push_back(f.system);
            Applied a;
            a.fired = true;
            a.note = f.system;
            return a;
        },
        .undo = [](FaultContext& ctx, const Applied& applied) {
            ctx.external().set_down(applied.note, ctx.world().now());
            ctx.record().resolved.push_back(applied.note);
            ctx.record().note = "available again";
        },
    };
    return kind;
}

}  // namespace scenarios
