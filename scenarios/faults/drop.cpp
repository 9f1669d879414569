// drop: each message on the covered links silently vanishes with this probability: nothing
// is resent and neither end is told, so the sender learns of it only when its request times
// out. TCP never does this (use `loss` for packet loss); it stands for what sits above TCP
// and swallows a request: a faulty proxy or load balancer, a bug in a handler.
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& drop_fault() {
    static const FaultKind kind{
        .action = FaultAction::drop,
        .name = "drop",
        .fields = {{"between"}, {"target"}, {"probability", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_degraded,
        .shell_usage = "TARGET probability P [for D]",
        .shell_help = "messages silently vanish: no retransmission, no reset (or: between A B probability P)",
        .doc = "each message silently vanishes with this chance (0 to 1): nothing is resent and no one is told, "
               "so its sender waits out its request timeout. Not TCP (that is `loss`): a proxy or a bug that "
               "swallows requests",
        .for_doc = "removes it",
        .rules = fault_support::between_or_target,
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::apply_link_chance(ctx, f, LinkEffect::drop);
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
