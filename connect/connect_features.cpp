#include "connect/connect_features.hpp"

#include <cstdint>
#include <vector>

namespace kafka::connect {
namespace {

struct Release {
    int major = 0;
    int minor = 0;
    int patch = 0;
    auto operator<=>(const Release&) const = default;
};

std::optional<int> parse_number(std::string_view s) {
    if (s.empty() || s.size() > 4) return std::nullopt;
    int v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + (c - '0');
    }
    return v;
}

// 0.x releases have four parts (0.10.2.1: "0.10" is the major line), later ones three.
std::optional<Release> parse_release(std::string_view text) {
    std::vector<std::string_view> parts;
    while (true) {
        auto dot = text.find('.');
        parts.push_back(text.substr(0, dot));
        if (dot == std::string_view::npos) break;
        text.remove_prefix(dot + 1);
    }
    if (parts.size() < 2) return std::nullopt;
    auto major = parse_number(parts[0]);
    if (!major) return std::nullopt;
    // "4.x": any 4 release; only the newest line is named that way.
    if (*major == 4 && parts.size() == 2 && parts[1] == "x") return Release{4, 0, 0};
    const std::size_t max_parts = *major == 0 ? 4 : 3;
    if (parts.size() > max_parts) return std::nullopt;
    std::vector<int> numbers;
    for (auto p : parts) {
        auto n = parse_number(p);
        if (!n) return std::nullopt;
        numbers.push_back(*n);
    }
    Release r{numbers[0], numbers[1], numbers.size() > 2 ? numbers[2] : 0};
    // The release lines that exist: 0.9-0.11, 1.0-1.1, 2.0-2.8, 3.0-3.9, 4.x.
    switch (r.major) {
        case 0: if (r.minor < 9 || r.minor > 11) return std::nullopt; break;
        case 1: if (r.minor > 1) return std::nullopt; break;
        case 2: if (r.minor > 8) return std::nullopt; break;
        case 3: if (r.minor > 9) return std::nullopt; break;
        case 4: break;
        default: return std::nullopt;
    }
    return r;
}

}  // namespace

// The release facts, each seen at apache/kafka's release tags:
// - DeadLetterQueueReporter first at 2.0.0 (KIP-298).
// - DistributedConfig.CONNECT_PROTOCOL_DEFAULT is "compatible" at 2.3.0 and "sessioned" at
//   2.4.0; no connect.protocol before 2.3.0.
// - WorkerCoordinator's "coordinator was unreachable" self-revocation first at 2.4.0 (KAFKA-9184).
// - RestartRequest (restart?includeTasks=&onlyFailed=) first at 3.0.0 (KIP-745).
// - ExactlyOnceWorkerSourceTask first at 3.3.0 (KIP-618).
// - IncrementalCooperativeAssignor's ExponentialBackoff for successive revoking rebalances
//   first at 3.4.0 (KAFKA-12495, commit 09da44e); 3.3.2 still has the older canRevoke toggle.
// - TargetState.STOPPED first at 3.5.0 (KIP-875).
// - handleLostAssignments' "maxDelay == 0: reassign at once" branch (KAFKA-15693) is in 3.5.2,
//   3.6.1 and 3.7.0, and not in 3.4.1, 3.5.0, 3.5.1 or 3.6.0.
std::optional<ConnectFeatures> connect_features(std::string_view release) {
    auto r = parse_release(release);
    if (!r) return std::nullopt;
    auto at_least = [&](int major, int minor, int patch = 0) { return *r >= Release{major, minor, patch}; };
    ConnectFeatures f;
    f.incremental_cooperative = at_least(2, 3);
    f.sessioned = at_least(2, 4);
    f.default_protocol = at_least(2, 4)   ? ConnectProtocol::sessioned
                         : at_least(2, 3) ? ConnectProtocol::compatible
                                          : ConnectProtocol::eager;
    f.self_revoke_when_coordinator_unreachable = at_least(2, 4);
    f.revoking_rebalance_backoff = at_least(3, 4);
    if (r->major == 3 && r->minor == 5) {
        f.zero_delay_reassigns_lost = r->patch >= 2;
    } else if (r->major == 3 && r->minor == 6) {
        f.zero_delay_reassigns_lost = r->patch >= 1;
    } else {
        f.zero_delay_reassigns_lost = at_least(3, 7);
    }
    f.exactly_once_source = at_least(3, 3);
    f.stop_state = at_least(3, 5);
    f.restart_with_tasks = at_least(3, 0);
    f.dead_letter_queue = at_least(2, 0);
    f.offsets_read = at_least(3, 5);
    f.initial_state = at_least(3, 7);
    f.patch_config = at_least(3, 8);
    return f;
}

}  // namespace kafka::connect
