// latency: extra one-way delay (with optional jitter) on one link pair or every link of a target.
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& latency_fault() {
    static const FaultKind kind{
        .action = FaultAction::latency,
        .name = "latency",
        .fields = {{"between"}, {"target"}, {"add", true}, {"jitter"}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_degraded,
        .shell_usage = "TARGET add D [jitter D] [for D]",
        .shell_help = "extra one-way latency (or: between A B add D)",
        .doc = "extra one-way delay",
        .for_doc = "removes it",
        .rules = fault_support::between_or_target,
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            NetworkChange c = fault_support::links_between_or_of_target(ctx, f);
            c.effect = LinkEffect::latency;
            c.add = f.add;
            c.jitter = f.jitter;
            return fault_support::apply_links(ctx, std::move(c));
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
