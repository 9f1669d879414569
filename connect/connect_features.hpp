// What a release of Kafka Connect does: the behaviour switches that the Connect layer reads,
// chosen by the scenario's Kafka version, so that the same faults can be replayed on an old
// and a new Connect. Each switch names the release (and the KIP or JIRA) where it changed;
// the releases were checked at apache/kafka's release tags (see connect_features.cpp).
#pragma once
#include <optional>
#include <string_view>

#include "connect/connect_protocol.hpp"

namespace kafka::connect {

struct ConnectFeatures {
    bool incremental_cooperative = true;   // 2.3+ (KIP-415): connect.protocol=compatible exists
    bool sessioned = true;                 // 2.4+ (KIP-507): sessioned exists and is the default
    ConnectProtocol default_protocol = ConnectProtocol::sessioned;  // eager before 2.3, compatible in 2.3, sessioned 2.4+
    bool self_revoke_when_coordinator_unreachable = true;  // 2.4+ (KAFKA-9184)
    bool revoking_rebalance_backoff = true;  // 3.4+ (KAFKA-12495)
    // KAFKA-15693, fixed in 3.5.2, 3.6.1 and 3.7.0+: before, scheduled.rebalance.max.delay.ms=0
    // left lost work unassigned until some other rebalance came along. False before 2.3 too
    // (there is no incremental assignor to fix there).
    bool zero_delay_reassigns_lost = true;
    bool exactly_once_source = true;  // 3.3+ (KIP-618)
    bool stop_state = true;           // 3.5+ (KIP-875): PUT /stop, STOPPED
    bool restart_with_tasks = true;   // 3.0+ (KIP-745)
    bool dead_letter_queue = true;    // 2.0+ (KIP-298)
    bool offsets_read = true;         // 3.5+ (KIP-875): GET /connectors/{name}/offsets
    bool initial_state = true;        // 3.7+ (KIP-980): "initial_state" in POST /connectors
    bool patch_config = true;         // 3.8+ (KIP-477): PATCH /connectors/{name}/config
};

// `release`: "0.10.2.1", "2.2", "2.3", "3.5.1", "3.6.0", "4.0", "4.x" ... A release given
// without its patch number is its first patch (".0"). nullopt when `release` is not a Kafka
// release from 0.9 to 4.x (Connect does not exist before 0.9).
std::optional<ConnectFeatures> connect_features(std::string_view release);

}  // namespace kafka::connect
