// cut: one way only. What `from` sends to `to` is lost; the other direction still works (the
// asymmetric partitions of Jepsen's Kafka analyses).
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& cut_fault() {
    static const FaultKind kind{
        .action = FaultAction::cut,
        .name = "cut",
        .fields = {{"from", true}, {"to", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_cut,
        .operand = FaultOperand::from_to,
        .shell_usage = "FROM -> TO [for D]",
        .shell_help = "one way: messages from FROM to TO are lost",
        .doc = "one-way: messages from `from` to `to` are lost",
        .for_doc = "heals it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::apply_links(ctx, fault_support::links_from_to(ctx, f));
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
