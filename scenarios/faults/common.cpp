#include "scenarios/faults/common.hpp"

#include "broker/world.hpp"

namespace scenarios::fault_support {

Applied act_on_targets(FaultContext& ctx, const FaultSpec& f, bool (*act)(FaultContext&, sim::NodeId)) {
    Applied out;
    for (sim::NodeId n : ctx.resolve(f.targets)) {
        if (act(ctx, n)) {
            out.nodes.push_back(n);
        } else {
            ctx.skipped(ctx.world().name(n) + " was already " + sim::to_string(ctx.world().state(n)));
        }
    }
    out.fired = !out.nodes.empty();
    return out;
}

void restart_nodes(FaultContext& ctx, const Applied& applied) {
    FaultRecord& r = ctx.record();
    for (sim::NodeId n : applied.nodes)
        if (ctx.world().restart(n)) r.resolved.push_back(ctx.world().name(n));
    r.note = "restart";
}

void add_both_ways(std::vector<std::pair<sim::NodeId, sim::NodeId>>& links, sim::NodeId a, sim::NodeId b) {
    if (a == b) return;
    links.emplace_back(a, b);
    links.emplace_back(b, a);
}

Applied apply_links(FaultContext& ctx, NetworkChange change) {
    Applied out;
    out.fired = !change.links.empty();
    if (out.fired) out.change = ctx.apply_network(std::move(change));
    return out;
}

void revert_links(FaultContext& ctx, const Applied& applied) {
    if (!ctx.revert_network(applied.change)) {
        ctx.record().fired = false;
        ctx.record().note = "already healed";
    }
}

NetworkChange links_from_to(FaultContext& ctx, const FaultSpec& f) {
    const std::vector<sim::NodeId> from = ctx.resolve(f.from);
    const std::vector<sim::NodeId> to = ctx.resolve(f.to);
    NetworkChange c;
    for (sim::NodeId a : from)
        for (sim::NodeId b : to)
            if (a != b) c.links.emplace_back(a, b);
    return c;
}

NetworkChange links_between_or_of_target(FaultContext& ctx, const FaultSpec& f) {
    NetworkChange c;
    if (f.between.size() == 2) {
        std::vector<sim::NodeId> a = ctx.resolve({f.between[0]});
        std::vector<sim::NodeId> b = ctx.resolve({f.between[1]});
        for (sim::NodeId x : a)
            for (sim::NodeId y : b) add_both_ways(c.links, x, y);
    } else {
        std::vector<sim::NodeId> nodes = ctx.resolve(f.targets);
        std::vector<sim::NodeId> everyone = ctx.all_nodes();
        for (sim::NodeId a : nodes)
            for (sim::NodeId b : everyone) add_both_ways(c.links, a, b);
        c.toward_every_node = nodes;
    }
    return c;
}

Applied apply_link_chance(FaultContext& ctx, const FaultSpec& f, LinkEffect effect) {
    NetworkChange c = links_between_or_of_target(ctx, f);
    c.effect = effect;
    c.probability = f.probability;
    return apply_links(ctx, std::move(c));
}

void between_or_target(FieldRules& rules) {
    if (rules.has("between") && rules.has("target")) {
        rules.error("between", "give either \"between\" or \"target\", not both");
    } else if (!rules.has("between") && !rules.has("target")) {
        rules.error("target", "required: \"between\": [a, b] (one link pair) or \"target\" (every link of the target)");
    }
}

}  // namespace scenarios::fault_support
