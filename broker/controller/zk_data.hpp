// The znodes a ZooKeeper-mode Kafka cluster keeps, with their paths and JSON payloads as Kafka
// writes them (core/src/main/scala/kafka/zk/ZkData.scala): broker registrations, the controller
// and its epoch, topic assignments and configs, partition state, ISR change notifications.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/metadata_records.hpp"

namespace kafka::zkdata {

// ---- paths ----
inline const std::string controller_path = "/controller";
inline const std::string controller_epoch_path = "/controller_epoch";
inline const std::string broker_ids_path = "/brokers/ids";
inline const std::string topics_path = "/brokers/topics";
inline const std::string config_topics_path = "/config/topics";
inline const std::string isr_change_path = "/isr_change_notification";
inline const std::string isr_change_prefix = "/isr_change_notification/isr_change_";
inline const std::string delete_topics_path = "/admin/delete_topics";  // DeleteTopicsZNode
inline const std::string config_changes_path = "/config/changes";       // ConfigEntityChangeNotificationZNode
inline const std::string config_change_prefix = "/config/changes/config_change_";
// The leader an UpdateMetadata carries for a partition of a topic being deleted
// (LeaderAndIsr.LeaderDuringDelete): the brokers drop it from their metadata cache.
constexpr BrokerId leader_during_delete = -2;
// Persistent paths every broker makes sure exist at startup (KafkaZkClient.createTopLevelPaths).
const std::vector<std::string>& top_level_paths();

std::string broker_path(BrokerId id);
std::string topic_path(const std::string& topic);
std::string topic_config_path(const std::string& topic);
std::string partitions_path(const std::string& topic);
std::string partition_path(const std::string& topic, int32_t partition);
std::string partition_state_path(const std::string& topic, int32_t partition);
std::string delete_topic_path(const std::string& topic);

// ---- payloads ----
// /brokers/ids/<id> (BrokerIdZNode, version 5)
std::string encode_broker(BrokerId id, int64_t timestamp_ms);
// /controller: {"version":1,"brokerid":N,"timestamp":"..."}
std::string encode_controller(BrokerId id, int64_t timestamp_ms);
std::optional<BrokerId> decode_controller(const std::string& data);
// /controller_epoch: the epoch as a decimal string
std::string encode_controller_epoch(int32_t epoch);
std::optional<int32_t> decode_controller_epoch(const std::string& data);

// /brokers/topics/<t> (TopicZNode, version 3): the topic id and the replica assignment.
struct TopicZNode {
    TopicId topic_id = 0;
    std::vector<std::vector<BrokerId>> assignment;  // index = partition
};
std::string encode_topic(const TopicZNode& t);
std::optional<TopicZNode> decode_topic(const std::string& data);

// /config/topics/<t>: {"version":1,"config":{...}} (values as strings, as Kafka stores them)
std::string encode_topic_config(const ConfigMap& configs);
std::optional<ConfigMap> decode_topic_config(const std::string& data);

// /config/changes/config_change_<seq> (ConfigEntityChangeNotificationSequenceZNode, version 2):
// {"version":2,"entity_path":"topics/<t>"}; decode gives the entity path.
std::string encode_config_change(const std::string& entity_path);
std::optional<std::string> decode_config_change(const std::string& data);

// /brokers/topics/<t>/partitions/<p>/state (TopicPartitionStateZNode)
struct PartitionStateZNode {
    int32_t controller_epoch = 0;
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;
    std::vector<BrokerId> isr;
};
std::string encode_partition_state(const PartitionStateZNode& s);
std::optional<PartitionStateZNode> decode_partition_state(const std::string& data);

// /isr_change_notification/isr_change_<seq>: {"version":1,"partitions":[{"topic":..,"partition":..}]}
std::string encode_isr_change(const std::vector<std::pair<std::string, int32_t>>& partitions);
std::optional<std::vector<std::pair<std::string, int32_t>>> decode_isr_change(const std::string& data);

}  // namespace kafka::zkdata
