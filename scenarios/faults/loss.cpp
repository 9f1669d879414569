// loss: each transmission on the covered links is lost with this probability. The network
// (sim/network.hpp) treats it as TCP does: retransmission after a doubling RTO, order kept,
// and a connection reset, told to both ends, when the retransmissions give up.
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& loss_fault() {
    static const FaultKind kind{
        .action = FaultAction::loss,
        .name = "loss",
        .fields = {{"between"}, {"target"}, {"probability", true}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_degraded,
        .shell_usage = "TARGET probability P [for D]",
        .shell_help = "extra packet loss, retransmitted as TCP does (or: between A B probability P)",
        .doc = "extra packet loss (0 to 1): lost transmissions are retransmitted, order is kept, and the connection "
               "resets after 5 lost retransmissions (see `network`)",
        .for_doc = "removes it",
        .rules = fault_support::between_or_target,
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            return fault_support::apply_link_chance(ctx, f, LinkEffect::loss);
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
