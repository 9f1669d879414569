// Kafka's API names for the requests of the model ("Produce", "EndTxn"), as KIPs, the protocol
// guide and the `delay` fault name them. Responses and internal messages have none.
#pragma once
#include <array>
#include <string_view>
#include <type_traits>
#include <variant>

#include "broker/messages.hpp"

namespace kafka {

template <class T>
constexpr std::string_view api_name_of() {
    if constexpr (std::is_same_v<T, ProduceRequest>) return "Produce";
    else if constexpr (std::is_same_v<T, FetchRequest>) return "Fetch";
    else if constexpr (std::is_same_v<T, ListOffsetsRequest>) return "ListOffsets";
    else if constexpr (std::is_same_v<T, MetadataRequest>) return "Metadata";
    else if constexpr (std::is_same_v<T, OffsetForLeaderEpochRequest>) return "OffsetForLeaderEpoch";
    else if constexpr (std::is_same_v<T, FindCoordinatorRequest>) return "FindCoordinator";
    else if constexpr (std::is_same_v<T, JoinGroupRequest>) return "JoinGroup";
    else if constexpr (std::is_same_v<T, SyncGroupRequest>) return "SyncGroup";
    else if constexpr (std::is_same_v<T, HeartbeatRequest>) return "Heartbeat";
    else if constexpr (std::is_same_v<T, LeaveGroupRequest>) return "LeaveGroup";
    else if constexpr (std::is_same_v<T, OffsetCommitRequest>) return "OffsetCommit";
    else if constexpr (std::is_same_v<T, OffsetFetchRequest>) return "OffsetFetch";
    else if constexpr (std::is_same_v<T, InitProducerIdRequest>) return "InitProducerId";
    else if constexpr (std::is_same_v<T, AddPartitionsToTxnRequest>) return "AddPartitionsToTxn";
    else if constexpr (std::is_same_v<T, AddOffsetsToTxnRequest>) return "AddOffsetsToTxn";
    else if constexpr (std::is_same_v<T, EndTxnRequest>) return "EndTxn";
    else if constexpr (std::is_same_v<T, WriteTxnMarkersRequest>) return "WriteTxnMarkers";
    else if constexpr (std::is_same_v<T, TxnOffsetCommitRequest>) return "TxnOffsetCommit";
    else if constexpr (std::is_same_v<T, CreateTopicsRequest>) return "CreateTopics";
    else return "";
}

// The request's API name, or "" for a response or an internal message.
inline std::string_view api_name(const Message& m) {
    return std::visit([](const auto& r) { return api_name_of<std::decay_t<decltype(r)>>(); }, m);
}

// Every name api_name() gives, for validating and suggesting.
inline constexpr std::array<std::string_view, 19> api_names = {
    "Produce",         "Fetch",     "ListOffsets", "Metadata",     "OffsetForLeaderEpoch", "FindCoordinator",
    "JoinGroup",       "SyncGroup", "Heartbeat",   "LeaveGroup",   "OffsetCommit",         "OffsetFetch",
    "InitProducerId",  "AddPartitionsToTxn", "AddOffsetsToTxn", "EndTxn", "WriteTxnMarkers", "CreateTopics",
    "TxnOffsetCommit",
};

}  // namespace kafka
