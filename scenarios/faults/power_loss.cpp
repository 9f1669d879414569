// power-loss: as crash, and the page cache goes too: every write not yet flushed to disk is
// lost (sim/disk.hpp models what was flushed and when).
#include "broker/world.hpp"
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& power_loss_fault() {
    static const FaultKind kind{
        .action = FaultAction::power_loss,
        .name = "power-loss",
        .fields = {{"target", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::node_down,
        .shell_usage = "TARGET... [for D]",
        .shell_help = "as crash, and every write not yet flushed is lost",
        .doc = "as `crash`, and every write not yet flushed to disk is lost too. Kafka does not fsync by default; the "
               "model flushes the way an OS does, every few seconds",
        .for_doc = "restarts it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::act_on_targets(ctx, f,
                                                 [](FaultContext& c, sim::NodeId n) { return c.world().power_loss(n); });
        },
        .undo = fault_support::restart_nodes,
    };
    return kind;
}

}  // namespace scenarios
