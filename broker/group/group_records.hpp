// What a group coordinator writes to its __consumer_offsets partition: committed offsets
// (OffsetCommit key/value records) and the group's metadata after each rebalance
// (GroupMetadata records). They travel in ordinary record batches and are replicated like
// any other data, so a new coordinator rebuilds the group from its replica of the log.
//
// A batch carries them behind a shared pointer: replicas of one batch share one immutable
// payload, and data batches pay nothing for the field.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/group/group_partition.hpp"
#include "sim/time.hpp"

namespace kafka {

struct OffsetCommitRecord {
    std::string group;
    GroupPartition tp;
    int64_t offset = -1;        // the next offset to read
    int32_t leader_epoch = -1;  // of the last consumed record (KIP-320)
    sim::Time commit_time;
};

struct GroupMemberRecord {
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::string client_id;
    int64_t session_timeout_ms = 0;
    int64_t rebalance_timeout_ms = 0;
    std::vector<std::string> subscription;
    std::vector<GroupPartition> assignment;
    std::string subscription_user_data;
    std::string assignment_user_data;
};

struct GroupMetadataRecord {
    std::string group;
    int32_t generation = 0;
    std::string protocol_type = "consumer";
    std::string protocol;  // the assignor chosen
    std::string leader;    // member id of the group leader
    std::vector<GroupMemberRecord> members;  // empty: the group is Empty
};

struct GroupRecords {
    std::vector<OffsetCommitRecord> offsets;
    std::optional<GroupMetadataRecord> metadata;
    int32_t count() const { return static_cast<int32_t>(offsets.size()) + (metadata ? 1 : 0); }
};

}  // namespace kafka
