// isolate: every link of the target is cut, both ways, to every node (clients included).
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& isolate_fault() {
    static const FaultKind kind{
        .action = FaultAction::isolate,
        .name = "isolate",
        .fields = {{"target", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_cut,
        .shell_usage = "TARGET... [for D]",
        .shell_help = "the target reaches no one, no one reaches it",
        .doc = "the target reaches no one, no one reaches it",
        .for_doc = "heals it",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            NetworkChange c;
            c.toward_every_node = ctx.resolve(f.targets);
            std::vector<sim::NodeId> everyone = ctx.all_nodes();
            for (sim::NodeId a : c.toward_every_node)
                for (sim::NodeId b : everyone) fault_support::add_both_ways(c.links, a, b);
            return fault_support::apply_links(ctx, std::move(c));
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
