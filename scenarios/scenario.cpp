#include "scenarios/scenario.hpp"

namespace scenarios {

const char* to_string(FaultAction a) {
    switch (a) {
        case FaultAction::crash: return "crash";
        case FaultAction::power_loss: return "power-loss";
        case FaultAction::shutdown: return "shutdown";
        case FaultAction::restart: return "restart";
        case FaultAction::pause: return "pause";
        case FaultAction::resume: return "resume";
        case FaultAction::partition: return "partition";
        case FaultAction::isolate: return "isolate";
        case FaultAction::cut: return "cut";
        case FaultAction::heal: return "heal";
        case FaultAction::latency: return "latency";
        case FaultAction::loss: return "loss";
    }
    return "?";
}

std::optional<FaultAction> parse_fault_action(std::string_view name) {
    for (int i = 0; i <= static_cast<int>(FaultAction::loss); ++i)
        if (name == to_string(static_cast<FaultAction>(i))) return static_cast<FaultAction>(i);
    return std::nullopt;
}

const char* to_string(CheckKind k) {
    switch (k) {
        case CheckKind::no_acked_loss: return "no-acked-loss";
        case CheckKind::no_duplicates: return "no-duplicates";
        case CheckKind::per_partition_order: return "per-partition-order";
        case CheckKind::replicas_consistent: return "replicas-consistent";
        case CheckKind::single_leader: return "single-leader";
        case CheckKind::quorum: return "quorum";
        case CheckKind::max_lag: return "max-lag";
        case CheckKind::recovers: return "recovers";
        case CheckKind::failover_time: return "failover-time";
        case CheckKind::availability: return "availability";
        case CheckKind::at_least_once: return "at-least-once";
        case CheckKind::no_poll_skip: return "no-poll-skip";
        case CheckKind::committed_monotonic: return "committed-monotonic";
    }
    return "?";
}

}  // namespace scenarios
