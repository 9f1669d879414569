// What Kafka's own command-line tools print, as pure functions of plain structs, so that
// `kafkasim describe` can show the cluster at an instant the way an operator would see it,
// and the formats are testable without running a scenario:
//
//   kafka-topics.sh --describe                      format_topics_describe
//   kafka-consumer-groups.sh --describe --group G   format_consumer_group_describe
//   kafka-consumer-groups.sh --describe --state     format_consumer_group_state
//   kafka-metadata-quorum.sh describe --status      format_metadata_quorum_status
//   kafka-get-offsets.sh --time -2 (earliest)       format_earliest_offsets
//
// The layouts follow the tools' sources (TopicCommand, ConsumerGroupCommand,
// MetadataQuorumCommand; ../shared/reference/kafka-behaviour.md section 8) for the release
// whose tools are mimicked, where they differ between releases:
//  - kafka-topics: before 2.4 no space after the topic line's colons and only the topic's own
//    overrides as Configs (read from ZooKeeper); TopicId from 2.8; Elr/LastKnownElr from 3.8.
//  - Configs lists what is not a default (the topic's overrides and the broker's static
//    settings of a topic config's synonym) in the order the tool's java.util.HashMap (2.4+) or
//    java.util.Hashtable (before 2.4, Java 8) iterates it. Entries sharing a bucket follow
//    the order the broker (2.4+) or ZooKeeper (before) gave them, which is not modelled:
//    here they go by name (2.4+) or by descending name (before 2.4), which matches the
//    __consumer_offsets lines Kafka users know from both eras.
//  - kafka-consumer-groups --state: the Scala tool before 3.8, the Java port in 3.8 and 3.9,
//    the reworked layout from 4.0 (these two cut-overs are by reading the sources of the
//    three layouts, not by release tags).
//  - kafka-metadata-quorum: voters and observers as [ids] through 3.8, as JSON objects from 3.9.
// What the tools write to stderr (the group notes) is part of the text here, where a
// terminal shows it with 2>&1: before the table it introduces.
#pragma once
#include <compare>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace reports {

// The Kafka release whose tools are mimicked ("4.x" reads as 4.99).
struct KafkaRelease {
    int major = 3, minor = 7;
    auto operator<=>(const KafkaRelease&) const = default;
    bool at_least(int ma, int mi) const { return *this >= KafkaRelease{ma, mi}; }
};

// ---- kafka-topics.sh --describe --------------------------------------------------------

struct PartitionView {
    int32_t partition = 0;
    int32_t leader = -1;  // -1: "Leader: none"
    std::vector<int32_t> replicas;
    std::vector<int32_t> isr;
    // KIP-966 (printed from 3.8). nullopt: the broker did not say ("N/A"); empty: none.
    std::optional<std::vector<int32_t>> elr;
    std::optional<std::vector<int32_t>> last_known_elr;
    // ListOffsets EARLIEST (-2) from the leader: its log start offset. nullopt: no live leader.
    std::optional<int64_t> earliest_offset;
};

struct TopicView {
    std::string name;
    std::string topic_id;  // Kafka's Uuid as it prints it (22 characters of base64url)
    // Non-default configs, as (topic config name, value):
    std::vector<std::pair<std::string, std::string>> topic_configs;   // the topic's own overrides
    std::vector<std::pair<std::string, std::string>> broker_configs;  // set in the brokers' config (server.properties)
    std::vector<PartitionView> partitions;  // by partition number
};

// One block per topic, in the order given (the tool sorts by name).
std::string format_topics_describe(const std::vector<TopicView>& topics, KafkaRelease release);

// ---- kafka-get-offsets.sh --time -2 ------------------------------------------------------
// "topic:partition:offset" per partition (GetOffsetShell; kafka-get-offsets.sh from 3.0, KIP-635);
// a partition without a leader is left out with the tool's error line on stderr.
std::string format_earliest_offsets(const std::vector<TopicView>& topics, KafkaRelease release);

// ---- kafka-consumer-groups.sh --describe -----------------------------------------------

using PartitionKey = std::pair<std::string, int32_t>;  // (topic, partition)

struct GroupMemberView {
    std::string member_id;
    std::string client_id;
    std::string host;  // as Kafka prints it: "/10.0.0.3"
    std::vector<PartitionKey> assignment;
    std::string consumer{};  // the scenario's name, "consumer:billing/2" (not Kafka's: a note below the table)
};

struct GroupView {
    std::string group;
    // Kafka's state names: "Stable", "Empty", "PreparingRebalance", "CompletingRebalance";
    // "Dead" when the coordinator does not know the group.
    std::string state = "Dead";
    std::string protocol;              // the chosen assignor ("range"), "" before the first rebalance
    int32_t coordinator_id = -1;
    std::string coordinator_address;   // "localhost:9093"
    std::vector<GroupMemberView> members;          // in the coordinator's order
    std::map<PartitionKey, int64_t> committed;     // committed offsets
    std::map<PartitionKey, int64_t> log_end_offsets;  // the partition leader's high watermark; absent: unknown
};

// The table's rows as ConsumerGroupCommand collects them: members with partitions (the most
// partitions first), each member's partitions by topic and partition, then the partitions
// with a committed offset that no member owns ("-" for consumer, host and client).
struct GroupRow {
    std::string group;
    std::optional<std::string> topic;
    std::optional<int32_t> partition;
    std::optional<int64_t> current_offset;
    std::optional<int64_t> log_end_offset;
    std::optional<int64_t> lag;
    std::string consumer_id, host, client_id;
};
std::vector<GroupRow> consumer_group_rows(const GroupView& group);

// --describe --group G (the offsets view), with the state note before the table.
std::string format_consumer_group_describe(const GroupView& group);
// --describe --group G --state
std::string format_consumer_group_state(const GroupView& group, KafkaRelease release);

// ---- kafka-metadata-quorum.sh describe --status ----------------------------------------

struct QuorumReplicaView {
    int32_t id = 0;
    int64_t log_end_offset = -1;      // -1 unknown
    int64_t last_caught_up_ms = -1;   // -1 unknown
    std::string directory_id;         // "" none (3.9+: printed when set)
    std::string endpoint;             // "CONTROLLER://localhost:9093", "" none (3.9+: printed when set)
};

struct QuorumView {
    std::string cluster_id;
    int32_t leader_id = -1;           // -1: no leader (the tool cannot answer)
    int32_t leader_epoch = 0;
    int64_t high_watermark = -1;
    std::vector<QuorumReplicaView> voters;     // in the leader's order
    std::vector<QuorumReplicaView> observers;
};

std::string format_metadata_quorum_status(const QuorumView& quorum, KafkaRelease release);

// ---- helpers shared with the gathering side ---------------------------------------------

// Kafka's Uuid as it prints it: 16 bytes in base64url without padding (22 characters).
std::string kafka_uuid_string(uint64_t most_significant, uint64_t least_significant);
// The order java.util.HashMap<String, ?> with `capacity` buckets iterates these keys
// (inserted in the order given).
std::vector<std::string> java_hashmap_order(const std::vector<std::string>& keys, uint32_t capacity);
// The order java.util.Hashtable<String, ?> (Java 8, default capacity 11) iterates these keys
// after inserting them in the order given.
std::vector<std::string> java_hashtable_order(const std::vector<std::string>& keys);

}  // namespace reports
