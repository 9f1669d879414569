// delay: holds back the named requests sent from one node to another by `add` each, without
// holding back what is sent after them: later requests overtake a held one. TCP keeps a
// connection's order, so this is not latency; it is a request that sat in a proxy, a socket
// buffer or a stalled handler thread while its sender timed out, reconnected and went on, and
// that is then handled late: the delayed Produce of KAFKA-12671 and the delayed EndTxn of
// Jepsen's 2024 Kafka analysis (KAFKA-17754).
#include "scenarios/faults/common.hpp"

namespace scenarios {

const FaultKind& delay_fault() {
    static const FaultKind kind{
        .action = FaultAction::delay,
        .name = "delay",
        .fields = {{"from", true}, {"to", true}, {"requests", true}, {"add", true}, {"count"}},
        .undone_by_for = true,
        .window = FaultWindowClass::network_degraded,
        .operand = FaultOperand::from_to,
        .shell_usage = "FROM -> TO requests NAME... add D [count N] [for D]",
        .shell_help = "hold back these requests from FROM to TO by D; later ones overtake them",
        .doc = "holds back each named request (Kafka API names: `Produce`, `EndTxn`, `AddPartitionsToTxn`, "
               "`WriteTxnMarkers`, ...) sent from `from` to `to` by `add`, at most `count` of them, while later "
               "messages overtake it: a request stuck in a proxy or a stalled handler and handled after its "
               "sender gave up on it",
        .for_doc = "stops holding new ones",
        .apply = [](FaultContext& ctx, const FaultSpec& f) {
            NetworkChange c = fault_support::links_from_to(ctx, f);
            c.effect = LinkEffect::hold;
            c.add = f.add;
            c.requests = f.requests;
            c.count = f.count;
            return fault_support::apply_links(ctx, std::move(c));
        },
        .undo = fault_support::revert_links,
    };
    return kind;
}

}  // namespace scenarios
