// A topic partition as consumer groups name it: by topic name (subscriptions, assignments
// and committed offsets speak of names; the broker's TopicPartition carries a topic id).
#pragma once
#include <compare>
#include <cstdint>
#include <string>

namespace kafka {

struct GroupPartition {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const GroupPartition&) const = default;
};

inline std::string to_string(const GroupPartition& p) { return p.topic + "-" + std::to_string(p.partition); }

}  // namespace kafka
