// The Connect group protocol's data (ConnectProtocol, IncrementalCooperativeConnectProtocol):
// what a worker sends with its JoinGroup (its URL, the config offset it has read and, under
// the incremental cooperative protocols, the work it runs now) and what the leader worker
// sends back in each member's SyncGroup (the work to run, the work to stop, the leader's URL
// for forwarding REST writes, and a scheduled delay). Both travel as the group protocol's
// opaque metadata (ConsumerSubscription::user_data, SyncGroupResponse::user_data); here they
// are encoded as JSON instead of Kafka's Struct schema.
//
// The sub-protocols (ConnectProtocolCompatibility): "default" is eager (V0), "compatible" (V1,
// 2.3) and "sessioned" (V2, 2.4) are incremental cooperative. A worker offers every protocol up
// to its connect.protocol, and the group coordinator picks the one every member supports.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace kafka::connect {

// ConnectorTaskId: "<connector>-<task>" as Kafka prints it.
struct ConnectorTaskId {
    std::string connector;
    int32_t task = 0;
    auto operator<=>(const ConnectorTaskId&) const = default;
    std::string text() const { return connector + "-" + std::to_string(task); }
};

enum class ConnectProtocol : int16_t { eager = 0, compatible = 1, sessioned = 2 };
// The group protocol name: "default", "compatible", "sessioned".
const char* protocol_name(ConnectProtocol p);
std::optional<ConnectProtocol> protocol_from_name(std::string_view name);
// connect.protocol's values: "eager", "compatible", "sessioned".
std::optional<ConnectProtocol> protocol_from_config(std::string_view value);
inline bool incremental(ConnectProtocol p) { return p != ConnectProtocol::eager; }

// JoinGroup metadata (ConnectProtocol.WorkerState / ExtendedWorkerState).
struct WorkerState {
    std::string url;            // the worker's REST URL, "http://connect-1:8083/"
    int64_t config_offset = -1; // the config topic offset it has read up to
    // Incremental cooperative: what it runs now (its previous assignment, minus what it revoked).
    std::vector<std::string> connectors;
    std::vector<ConnectorTaskId> tasks;
    bool operator==(const WorkerState&) const = default;
};
std::string encode(const WorkerState& s);
std::optional<WorkerState> decode_worker_state(std::string_view data);

// SyncGroup assignment (ConnectProtocol.Assignment / ExtendedAssignment).
struct WorkerAssignment {
    static constexpr int16_t no_error = 0;
    static constexpr int16_t config_mismatch = 1;  // the leader was behind on the config topic
    int16_t error = no_error;
    std::string leader;      // the leader's member id
    std::string leader_url;  // where REST writes are forwarded
    int64_t config_offset = -1;
    std::vector<std::string> connectors;
    std::vector<ConnectorTaskId> tasks;
    // Incremental cooperative only.
    std::vector<std::string> revoked_connectors;
    std::vector<ConnectorTaskId> revoked_tasks;
    int32_t delay_ms = 0;  // scheduled rebalance: rejoin after this long
    bool operator==(const WorkerAssignment&) const = default;
};
std::string encode(const WorkerAssignment& a);
std::optional<WorkerAssignment> decode_worker_assignment(std::string_view data);

}  // namespace kafka::connect
