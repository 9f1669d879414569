// partition: the nodes of different groups cannot reach each other, both ways; "*" in one group
// stands for every node not named in another (a client added later by the shell included).
#include <set>

#include "scenarios/faults/common.hpp"

namespace scenarios {

namespace {

Applied apply_partition(FaultContext& ctx, const FaultSpec& f) {
    std::vector<std::vector<sim::NodeId>> groups;
    std::set<sim::NodeId> named;
    int star_group = -1;
    for (size_t g = 0; g < f.groups.size(); ++g) {
        groups.push_back(ctx.resolve(f.groups[g]));
        named.insert(groups.back().begin(), groups.back().end());
        for (const Target& t : f.groups[g])
            if (t.kind == Target::Kind::everyone_else) star_group = static_cast<int>(g);
    }
    NetworkChange c;
    if (star_group >= 0) {
        for (sim::NodeId n : ctx.all_nodes())
            if (named.count(n) == 0) groups[static_cast<size_t>(star_group)].push_back(n);
        for (size_t g = 0; g < groups.size(); ++g)
            if (static_cast<int>(g) != star_group)
                c.toward_every_node.insert(c.toward_every_node.end(), groups[g].begin(), groups[g].end());
    }
    for (size_t g = 0; g < groups.size(); ++g)
        for (size_t h = g + 1; h < groups.size(); ++h)
            for (sim::NodeId a : groups[g])
                for (sim::NodeId b : groups[h]) fault_support::add_both_ways(c.links, a, b);
    return fault_support::apply_links(ctx, std::move(c));
}

}  // namespace

const FaultKind& partition_fault() {
    static const FaultKind kind{
        .action = FaultAction::partition,
        .name = "partition",
        .fields = {{"groups", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_cut,
        .operand = FaultOperand::groups,
        .shell_usage = "TARGETS | TARGETS [| ...] [for D]",
        .shell_help = "groups that cannot reach each other; * = every other node",
        .doc = "nodes in different groups cannot reach each other",
        .for_doc = "heals it",
        .apply = apply_partition,
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
