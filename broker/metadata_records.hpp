// Records of the KRaft metadata log (__cluster_metadata), named after Kafka's own
// (metadata/src/main/resources/common/metadata/*.json). The active controller appends them
// through the Raft quorum; controllers and brokers build their MetadataImage by applying
// the committed ones in order.
#pragma once
#include <algorithm>
#include <cstdint>
#include <string>
#include <variant>
#include <vector>

#include "broker/config.hpp"

namespace kafka {

using BrokerId = int32_t;
using TopicId = uint32_t;  // Kafka uses a UUID; a small integer here, assigned by the controller
constexpr BrokerId no_leader = -1;

// Whether a list of broker (or Raft voter) ids holds an id.
inline bool contains(const std::vector<BrokerId>& ids, BrokerId id) {
    return std::find(ids.begin(), ids.end(), id) != ids.end();
}

struct RegisterBrokerRecord {
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;       // the offset of this record (KIP-631)
    uint64_t incarnation_id = 0;
    bool fenced = true;
};
struct UnregisterBrokerRecord {
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
};
struct FenceBrokerRecord {
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
};
struct UnfenceBrokerRecord {
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
};
// Controlled shutdown in progress (BrokerRegistrationChangeRecord.InControlledShutdown).
struct BrokerRegistrationChangeRecord {
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
    bool in_controlled_shutdown = false;
};
struct TopicRecord {
    std::string name;
    TopicId topic_id = 0;
};
struct ConfigRecord {  // a topic-level config override
    TopicId topic_id = 0;
    std::string name;
    ConfigValue value;
    bool deleted = false;  // Kafka's null value: the override is removed (kafka-configs --delete-config)
};
// The topic and its partitions are gone (DeleteTopics in KRaft mode).
struct RemoveTopicRecord {
    TopicId topic_id = 0;
};
struct PartitionRecord {
    TopicId topic_id = 0;
    int32_t partition = 0;
    std::vector<BrokerId> replicas;
    std::vector<BrokerId> isr;
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;
    int32_t partition_epoch = 0;
    std::vector<BrokerId> adding_replicas;    // KIP-455: a reassignment in progress
    std::vector<BrokerId> removing_replicas;
};
// Only the fields that change are meaningful; the flags say which.
struct PartitionChangeRecord {
    TopicId topic_id = 0;
    int32_t partition = 0;
    bool has_leader = false;
    BrokerId leader = no_leader;
    bool has_isr = false;
    std::vector<BrokerId> isr;
    bool leader_recovering = false;  // KIP-704: elected uncleanly
    // KIP-966 (eligible.leader.replicas.version=1): replicas that left the ISR while it was
    // below min.insync.replicas, so they hold every committed record and may lead when the ISR
    // is empty; and the last known ones, which lost that right in an unclean shutdown.
    bool has_elr = false;
    std::vector<BrokerId> elr;
    bool has_last_known_elr = false;
    std::vector<BrokerId> last_known_elr;
    // KIP-455 reassignment: the replica set and its adding/removing parts (all three set together).
    bool has_replicas = false;
    std::vector<BrokerId> replicas;
    std::vector<BrokerId> adding_replicas;
    std::vector<BrokerId> removing_replicas;
    // Leader epoch bumps when the leader changes; partition epoch on every change.
};
// A Raft control record: the leader writes it at the start of its epoch.
struct LeaderChangeMessage {
    int32_t leader_id = -1;
    std::vector<int32_t> voters;
};
struct NoOpRecord {};

using MetadataRecord =
    std::variant<NoOpRecord, LeaderChangeMessage, RegisterBrokerRecord, UnregisterBrokerRecord, FenceBrokerRecord,
                 UnfenceBrokerRecord, BrokerRegistrationChangeRecord, TopicRecord, ConfigRecord, PartitionRecord,
                 PartitionChangeRecord, RemoveTopicRecord>;

// One entry of the metadata log. Its offset is its position in the log.
struct MetadataEntry {
    int32_t epoch = 0;  // the Raft epoch of the leader that appended it
    MetadataRecord record;
};

}  // namespace kafka
