// The timer spaces of the components a Kafka node hosts. Each component arms its timers in
// its own sim::TimerSpace; the ids are listed once here, so two components of one node can
// never be handed the same id (and so never the same tag).
#pragma once
#include <cstdint>

#include "sim/timer_space.hpp"

namespace kafka {

enum class TimerComponent : uint8_t {
    replica_manager = 1,  // ISR checks, high watermark checkpoints, purgatories, replica fetchers
    metadata = 2,         // registration/heartbeats, AlterPartition, controlled shutdown, exit
    group_coordinator = 3,
    raft = 4,
    zk_client = 5,
    zk_controller = 6,
    controller = 7,       // the KRaft controller node's own timers
    transaction_coordinator = 8,
    txn_marker_channel = 9,  // WriteTxnMarkers requests in flight (the broker's TxnCoordinatorHost)
};

constexpr sim::TimerSpace timer_space(TimerComponent c) { return sim::TimerSpace{static_cast<uint8_t>(c)}; }

}  // namespace kafka
