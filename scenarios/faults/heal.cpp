// heal: every partition, isolation and cut in force is removed at once (latency, loss and drop stay:
// they end with their own `for`).
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& heal_fault() {
    static const FaultKind kind{
        .action = FaultAction::heal,
        .name = "heal",
        .fields = {},
        .undone_by_for = false,
        .window = FaultWindowClass::recovery,
        .ends = FaultWindowClass::network_cut,
        .operand = FaultOperand::none,
        .shell_usage = "",
        .shell_help = "remove every partition, isolation and cut",
        .doc = "remove every partition, isolation and cut",
        .for_doc = "",
        .apply = [](FaultContext& ctx, const FaultSpec&) {
            size_t removed = ctx.revert_network(LinkEffect::block);
            ctx.record().note = "removed " + std::to_string(removed) + " network fault(s)";
            Applied out;
            out.fired = true;
            return out;
        },
    };
    return kind;
}

}  // namespace scenarios
