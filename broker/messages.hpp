// Every message the model exchanges, one plain struct per Kafka request/response kind,
// named as Kafka names them. Requests carry a correlation id that the response echoes.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>
#include <vector>

#include "broker/errors.hpp"
#include "broker/group/group_partition.hpp"
#include "broker/metadata_records.hpp"
#include "broker/record_batch.hpp"
#include "broker/zookeeper/zk_protocol.hpp"

namespace kafka {

struct TopicPartition {
    TopicId topic_id = 0;
    int32_t partition = 0;
    auto operator<=>(const TopicPartition&) const = default;
};

// Kafka's internal topics (Topic.isInternal): the group and transaction coordinators' logs.
inline bool is_internal_topic(std::string_view name) {
    return name == "__consumer_offsets" || name == "__transaction_state";
}

// ---------------------------------------------------------------- KRaft quorum (KIP-595)
struct VoteRequest {
    int32_t candidate_epoch = 0;
    int32_t candidate_id = 0;
    int32_t last_offset_epoch = 0;
    int64_t last_offset = 0;  // the candidate's log end offset
    bool pre_vote = false;    // KIP-996 (4.0): a prospective asks, at its own epoch; granting binds nothing
};
struct VoteResponse {
    Error error = Error::none;
    int32_t leader_epoch = 0;
    int32_t leader_id = -1;
    bool vote_granted = false;
};
struct BeginQuorumEpochRequest {
    int32_t leader_epoch = 0;
    int32_t leader_id = 0;
};
struct BeginQuorumEpochResponse {
    Error error = Error::none;
    int32_t leader_epoch = 0;
    int32_t leader_id = -1;
};
struct EndQuorumEpochRequest {
    int32_t leader_epoch = 0;
    int32_t leader_id = 0;
    std::vector<int32_t> preferred_successors;
};
struct EndQuorumEpochResponse {
    Error error = Error::none;
    int32_t leader_epoch = 0;
    int32_t leader_id = -1;
};
// Fetch of __cluster_metadata by a voter or an observer (a broker).
struct RaftFetchRequest {
    int32_t replica_id = 0;
    int32_t current_leader_epoch = 0;
    int64_t fetch_offset = 0;
    int32_t last_fetched_epoch = 0;
    int64_t max_wait_ms = 500;
    int32_t correlation_id = 0;  // echoed in the response: a late answer to a retried fetch is ignored
};
struct RaftFetchResponse {
    Error error = Error::none;
    int32_t leader_epoch = 0;
    int32_t leader_id = -1;
    int64_t high_watermark = 0;
    int64_t log_start_offset = 0;
    bool diverging = false;  // divergingEpoch set: truncate to diverging_end_offset, fetch again
    int32_t diverging_epoch = 0;
    int64_t diverging_end_offset = 0;
    int64_t base_offset = 0;  // offset of entries[0]
    std::vector<MetadataEntry> entries;
    int32_t correlation_id = 0;
};

// ---------------------------------------------------------------- broker lifecycle (KIP-631)
struct BrokerRegistrationRequest {
    int32_t correlation_id = 0;
    BrokerId broker_id = 0;
    uint64_t incarnation_id = 0;
    int64_t previous_broker_epoch = -1;  // KIP-966: from the clean-shutdown file; -1 after a crash
};
struct BrokerRegistrationResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    int64_t broker_epoch = -1;
};
struct BrokerHeartbeatRequest {
    int32_t correlation_id = 0;
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
    int64_t current_metadata_offset = 0;
    bool want_fence = false;
    bool want_shut_down = false;
};
struct BrokerHeartbeatResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    bool is_caught_up = false;
    bool is_fenced = true;
    bool should_shut_down = false;
};
// ISR change from a partition leader (KIP-497).
struct AlterPartitionRequest {
    int32_t correlation_id = 0;
    BrokerId broker_id = 0;
    int64_t broker_epoch = 0;
    TopicPartition tp;
    int32_t leader_epoch = 0;
    int32_t partition_epoch = 0;
    std::vector<BrokerId> new_isr;
};
struct AlterPartitionResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    TopicPartition tp;
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;
    int32_t partition_epoch = 0;
    std::vector<BrokerId> isr;
};
struct CreatableTopic {
    std::string name;
    int32_t num_partitions = 1;
    int16_t replication_factor = 1;
    std::vector<std::vector<BrokerId>> assignment;  // empty: Kafka's default placement
    ConfigMap configs;
};
struct CreateTopicsRequest {
    int32_t correlation_id = 0;
    std::vector<CreatableTopic> topics;
};
struct CreateTopicsResponse {
    int32_t correlation_id = 0;
    struct Result {
        std::string name;
        TopicId topic_id = 0;
        Error error = Error::none;
        std::string message;  // Kafka's error message ("Topic 'x' already exists."), "" when none
    };
    std::vector<Result> topics;
};

// ---------------------------------------------------------------- Admin API
// The operations of kafka-topics / kafka-configs / kafka-reassign-partitions /
// kafka-leader-election / kafka-delete-records. All but DeleteRecords go to the controller:
// the KRaft active controller (KIP-919's --bootstrap-controller path) or the ZooKeeper-mode
// controller broker; either answers NOT_CONTROLLER when it is not the active one. Every
// result carries Kafka's error and its message, which the tools print.
struct DeleteTopicsRequest {  // API key 20
    int32_t correlation_id = 0;
    std::vector<std::string> topics;
};
struct DeleteTopicsResponse {
    int32_t correlation_id = 0;
    struct Result {
        std::string name;
        Error error = Error::none;
        std::string message;
    };
    std::vector<Result> topics;
};
struct CreatePartitionsRequest {  // API key 37: kafka-topics --alter --partitions N
    int32_t correlation_id = 0;
    struct Topic {
        std::string name;
        int32_t count = 0;                               // the new total
        std::vector<std::vector<BrokerId>> assignment;   // for the new partitions; empty: default placement
    };
    std::vector<Topic> topics;
};
struct CreatePartitionsResponse {
    int32_t correlation_id = 0;
    struct Result {
        std::string name;
        Error error = Error::none;
        std::string message;
    };
    std::vector<Result> topics;
};
// IncrementalAlterConfigs (API key 44, KIP-339). Resource types as Kafka numbers them.
enum class ConfigResourceType : int8_t { topic = 2, broker = 4 };
enum class AlterConfigOpType : int8_t { set = 0, remove = 1 };  // SET, DELETE (APPEND/SUBTRACT: list configs, not modelled)
struct IncrementalAlterConfigsRequest {
    int32_t correlation_id = 0;
    struct Op {
        std::string name;
        AlterConfigOpType op = AlterConfigOpType::set;
        std::string value;  // as typed ("2", "true", "604800000"); the receiver parses it per its key
    };
    struct Resource {
        ConfigResourceType type = ConfigResourceType::topic;
        std::string name;  // the topic; a broker id; "" = the cluster-wide broker default
        std::vector<Op> ops;
    };
    std::vector<Resource> resources;
};
struct IncrementalAlterConfigsResponse {
    int32_t correlation_id = 0;
    struct Result {
        ConfigResourceType type = ConfigResourceType::topic;
        std::string name;
        Error error = Error::none;
        std::string message;
    };
    std::vector<Result> resources;
};
// ElectLeaders (API key 43, KIP-460).
enum class ElectionType : int8_t { preferred = 0, unclean = 1 };
struct TopicPartitionName {
    std::string topic;
    int32_t partition = 0;
    auto operator<=>(const TopicPartitionName&) const = default;
};
struct ElectLeadersRequest {
    int32_t correlation_id = 0;
    ElectionType type = ElectionType::preferred;
    std::vector<TopicPartitionName> partitions;  // empty: every partition (--all-topic-partitions)
};
struct ElectLeadersResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;  // top level (NOT_CONTROLLER)
    struct Result {
        TopicPartitionName tp;
        Error error = Error::none;
        std::string message;
    };
    std::vector<Result> partitions;
};
// AlterPartitionReassignments (45) and ListPartitionReassignments (46), KIP-455.
struct AlterPartitionReassignmentsRequest {
    int32_t correlation_id = 0;
    struct Partition {
        TopicPartitionName tp;
        std::optional<std::vector<BrokerId>> replicas;  // the target; nullopt cancels the reassignment
    };
    std::vector<Partition> partitions;
};
struct AlterPartitionReassignmentsResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;  // top level (NOT_CONTROLLER)
    std::string message;
    struct Result {
        TopicPartitionName tp;
        Error error = Error::none;
        std::string message;
    };
    std::vector<Result> partitions;
};
struct ListPartitionReassignmentsRequest {
    int32_t correlation_id = 0;
    std::vector<TopicPartitionName> partitions;  // empty: all
};
struct ListPartitionReassignmentsResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    struct Ongoing {
        TopicPartitionName tp;
        std::vector<BrokerId> replicas;  // the full set while moving: target + removing
        std::vector<BrokerId> adding;
        std::vector<BrokerId> removing;
    };
    std::vector<Ongoing> reassignments;
};
// DeleteRecords (API key 21, KIP-107): to each partition's leader. offset -1: up to the high
// watermark. Answered once every live replica's log start offset reached the offset (the
// low watermark), or after timeout_ms with REQUEST_TIMED_OUT.
struct DeleteRecordsRequest {
    int32_t correlation_id = 0;
    struct PartitionData {
        TopicPartition tp;
        int64_t offset = -1;
    };
    std::vector<PartitionData> partitions;
    int32_t timeout_ms = 30000;
};
struct DeleteRecordsResponse {
    int32_t correlation_id = 0;
    struct PartitionData {
        TopicPartition tp;
        int64_t low_watermark = -1;
        Error error = Error::none;
    };
    std::vector<PartitionData> partitions;
};

// ---------------------------------------------------------------- ZooKeeper-mode controller -> brokers
// LeaderAndIsr / UpdateMetadata / ControlledShutdown (KafkaController and ControllerChannelManager).
struct LeaderAndIsrPartitionState {
    TopicPartition tp;
    int32_t controller_epoch = 0;      // the epoch of the controller that wrote this state
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;
    std::vector<BrokerId> isr;
    int32_t zk_version = 0;            // the state znode's version (the partition epoch)
    std::vector<BrokerId> replicas;
};
struct ZkTopicInfo {                   // what a broker needs of a topic (/brokers/topics/<t>, /config/topics/<t>)
    std::string name;
    TopicId topic_id = 0;
    int32_t partitions = 0;
    ConfigMap configs;
};
struct LeaderAndIsrRequest {
    int32_t correlation_id = 0;
    BrokerId controller_id = -1;
    int32_t controller_epoch = 0;
    int64_t broker_epoch = -1;         // the receiver's broker epoch as the controller knows it (KIP-380)
    std::vector<ZkTopicInfo> topics;
    std::vector<LeaderAndIsrPartitionState> partitions;
};
struct LeaderAndIsrResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
};
struct UpdateMetadataRequest {
    int32_t correlation_id = 0;
    BrokerId controller_id = -1;
    int32_t controller_epoch = 0;
    int64_t broker_epoch = -1;
    std::vector<BrokerId> live_brokers;
    std::vector<ZkTopicInfo> topics;
    std::vector<LeaderAndIsrPartitionState> partitions;
};
struct UpdateMetadataResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
};
struct ControlledShutdownRequest {
    int32_t correlation_id = 0;
    BrokerId broker_id = 0;
    int64_t broker_epoch = -1;
};
struct ControlledShutdownResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    std::vector<TopicPartition> remaining;  // partitions it still leads; done when empty
};
// StopReplica: the replica stops; with delete_partitions its log is removed (topic deletion,
// a replica reassigned away).
struct StopReplicaRequest {
    int32_t correlation_id = 0;
    BrokerId controller_id = -1;
    int32_t controller_epoch = 0;
    int64_t broker_epoch = -1;
    bool delete_partitions = false;
    std::vector<TopicPartition> partitions;
};
struct StopReplicaResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    std::vector<TopicPartition> partitions;  // the ones stopped
};

// ---------------------------------------------------------------- client requests
struct MetadataRequest {
    int32_t correlation_id = 0;
    std::vector<std::string> topics;  // empty = all
};
struct PartitionMetadata {
    int32_t partition = 0;
    Error error = Error::none;
    BrokerId leader = no_leader;
    int32_t leader_epoch = -1;
    std::vector<BrokerId> replicas;
    std::vector<BrokerId> isr;
};
struct TopicMetadata {
    std::string name;
    TopicId topic_id = 0;
    Error error = Error::none;
    std::vector<PartitionMetadata> partitions;
};
struct MetadataResponse {
    int32_t correlation_id = 0;
    std::vector<BrokerId> brokers;  // live (unfenced) brokers
    BrokerId controller_id = -1;
    std::vector<TopicMetadata> topics;
};

// Produce versions that change transactional answers: v11 (3.8) may be refused with
// TRANSACTION_ABORTABLE, v12 (4.0, transaction.version 2) lets the leader add the partition.
constexpr int16_t latest_produce_version = 12;
struct ProduceRequest {
    int32_t correlation_id = 0;
    int16_t acks = -1;
    int32_t timeout_ms = 30000;
    int16_t api_version = latest_produce_version;  // the version the client speaks (capped by the broker's)
    std::optional<std::string> transactional_id;    // v3+ (0.11): set with transactional batches (KIP-890 verifies by it)
    struct PartitionData {
        TopicPartition tp;
        RecordBatch batch;  // base_offset is assigned by the leader
    };
    std::vector<PartitionData> partitions;
};
struct ProduceResponse {
    int32_t correlation_id = 0;
    struct PartitionResponse {
        TopicPartition tp;
        Error error = Error::none;
        int64_t base_offset = -1;
        int64_t log_start_offset = -1;
    };
    std::vector<PartitionResponse> partitions;
};

constexpr int32_t consumer_replica_id = -1;
struct FetchRequest {
    int32_t correlation_id = 0;
    int32_t replica_id = consumer_replica_id;  // follower broker id, or -1 for a consumer
    int64_t replica_epoch = -1;                // the follower's broker epoch (KIP-903)
    int32_t max_wait_ms = 500;
    int32_t min_bytes = 1;
    int32_t max_bytes = 52428800;
    bool read_committed = false;
    struct PartitionData {
        TopicPartition tp;
        int32_t current_leader_epoch = -1;
        int64_t fetch_offset = 0;
        int32_t last_fetched_epoch = -1;
        int64_t log_start_offset = -1;
        int32_t partition_max_bytes = 1048576;
    };
    std::vector<PartitionData> partitions;
};
struct FetchResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    struct PartitionData {
        TopicPartition tp;
        Error error = Error::none;
        int64_t high_watermark = -1;
        int64_t log_start_offset = -1;
        bool diverging = false;            // divergingEpoch (KIP-320, IBP 2.7)
        int32_t diverging_epoch = -1;
        int64_t diverging_end_offset = -1;
        int64_t last_stable_offset = -1;   // v4+ (0.11)
        // v4+, read_committed only: the aborted transactions overlapping the returned batches
        // (producer id, first offset); the consumer drops their batches.
        struct AbortedTransaction {
            int64_t producer_id = -1;
            int64_t first_offset = -1;
            bool operator==(const AbortedTransaction&) const = default;
        };
        std::vector<AbortedTransaction> aborted_transactions;
        std::vector<RecordBatch> batches;
    };
    std::vector<PartitionData> partitions;
};

// OffsetForLeaderEpoch (API key 23, KIP-101): where did this epoch end on the leader? A follower
// asks it once on becoming follower, before 2.7 (KAFKA-10554) moved the question into Fetch.
struct OffsetForLeaderEpochRequest {
    int32_t correlation_id = 0;
    int32_t replica_id = consumer_replica_id;
    struct PartitionData {
        TopicPartition tp;
        int32_t leader_epoch = -1;  // the follower's latest epoch
    };
    std::vector<PartitionData> partitions;
};
struct OffsetForLeaderEpochResponse {
    int32_t correlation_id = 0;
    struct PartitionData {
        TopicPartition tp;
        Error error = Error::none;
        int32_t leader_epoch = -1;  // v1 (KIP-279, 2.0): the largest epoch <= the requested one; -1 before
        int64_t end_offset = -1;    // -1: UNDEFINED_EPOCH_OFFSET
    };
    std::vector<PartitionData> partitions;
};

struct ListOffsetsRequest {
    int32_t correlation_id = 0;
    static constexpr int64_t latest = -1;
    static constexpr int64_t earliest = -2;
    bool read_committed = false;  // isolation_level (v2+, 0.11): "latest" is then the last stable offset
    struct PartitionData {
        TopicPartition tp;
        int32_t current_leader_epoch = -1;
        int64_t timestamp = latest;
    };
    std::vector<PartitionData> partitions;
};
struct ListOffsetsResponse {
    int32_t correlation_id = 0;
    struct PartitionData {
        TopicPartition tp;
        Error error = Error::none;
        int64_t offset = -1;
        int32_t leader_epoch = -1;
    };
    std::vector<PartitionData> partitions;
};

// ---------------------------------------------------------------- transactions (KIP-98, 0.11)
// WriteTxnMarkers (API key 27): the transaction coordinator asks each partition leader to
// append the COMMIT or ABORT marker of a producer's transaction (KafkaApis
// .handleWriteTxnMarkersRequest). Answered once every marker is replicated to the ISR (acks=-1).
struct WritableTxnMarker {
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    bool transaction_result = false;  // true = COMMIT, false = ABORT
    std::vector<TopicPartition> partitions;
    int32_t coordinator_epoch = 0;
};
struct WriteTxnMarkersRequest {
    int32_t correlation_id = 0;
    std::vector<WritableTxnMarker> markers;
};
struct WriteTxnMarkersResponse {
    struct PartitionResult {
        TopicPartition tp;
        Error error = Error::none;
    };
    struct MarkerResult {
        int64_t producer_id = -1;
        std::vector<PartitionResult> partitions;
    };
    int32_t correlation_id = 0;
    std::vector<MarkerResult> markers;
};

// ---------------------------------------------------------------- consumer groups (classic)
struct FindCoordinatorRequest {
    int32_t correlation_id = 0;
    std::string group_id;  // the key: a group id (key_type GROUP) or a transactional id (TRANSACTION)
    int8_t key_type = 0;   // 0 GROUP, 1 TRANSACTION (v1+, KIP-98)
};
constexpr int8_t coordinator_key_group = 0;
constexpr int8_t coordinator_key_transaction = 1;
struct FindCoordinatorResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    BrokerId node_id = no_leader;
};
// ConsumerProtocolSubscription: what a member sends as its protocol metadata.
struct ConsumerSubscription {
    std::vector<std::string> topics;
    std::vector<GroupPartition> owned_partitions;  // v1+ (KIP-429)
    int32_t generation = -1;                       // v2+ (KIP-792)
    std::string user_data;  // the assignor's own data, opaque to the coordinator (Streams' SubscriptionInfo)
};
struct JoinGroupRequest {
    int32_t correlation_id = 0;
    std::string group_id;
    int64_t session_timeout_ms = 0;
    int64_t rebalance_timeout_ms = 0;
    std::string member_id;  // "" on the first join (KIP-394: MEMBER_ID_REQUIRED)
    std::string client_id;
    std::vector<std::string> protocols;  // assignor names, in preference order
    ConsumerSubscription subscription;   // the same for every protocol here
};
struct JoinGroupResponse {
    struct Member {
        std::string member_id;
        ConsumerSubscription subscription;
    };
    int32_t correlation_id = 0;
    Error error = Error::none;
    int32_t generation_id = -1;
    std::string protocol_name;
    std::string leader;
    std::string member_id;
    std::vector<Member> members;  // the leader only
};
struct SyncGroupRequest {
    int32_t correlation_id = 0;
    std::string group_id;
    int32_t generation_id = -1;
    std::string member_id;
    std::vector<std::pair<std::string, std::vector<GroupPartition>>> assignments;  // the leader only
    std::map<std::string, std::string> assignment_user_data;  // the leader only: member -> the assignor's data
};
struct SyncGroupResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    std::vector<GroupPartition> assignment;
    std::string user_data;  // ConsumerProtocolAssignment.user_data (Streams' AssignmentInfo: standby tasks)
};
struct HeartbeatRequest {
    int32_t correlation_id = 0;
    std::string group_id;
    int32_t generation_id = -1;
    std::string member_id;
};
struct HeartbeatResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
};
struct LeaveGroupRequest {
    int32_t correlation_id = 0;
    std::string group_id;
    std::string member_id;
};
struct LeaveGroupResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
};
struct OffsetCommitRequest {
    struct PartitionData {
        GroupPartition tp;
        int64_t offset = -1;
        int32_t leader_epoch = -1;
    };
    int32_t correlation_id = 0;
    std::string group_id;
    int32_t generation_id = -1;  // -1 with member_id "": a commit from outside the group
    std::string member_id;
    std::vector<PartitionData> partitions;
};
struct OffsetCommitResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;  // the same for every partition here
};
struct OffsetFetchRequest {
    int32_t correlation_id = 0;
    std::string group_id;
    std::vector<GroupPartition> partitions;
    // v7 (2.5, KIP-447): a partition with a transactional commit still open answers
    // UNSTABLE_OFFSET_COMMIT instead of its last committed offset.
    bool require_stable = false;
};
struct OffsetFetchResponse {
    struct PartitionData {
        GroupPartition tp;
        int64_t offset = -1;  // -1: nothing committed
        int32_t leader_epoch = -1;
        Error error = Error::none;  // v7: UNSTABLE_OFFSET_COMMIT for require_stable
    };
    int32_t correlation_id = 0;
    Error error = Error::none;
    std::vector<PartitionData> partitions;
};

// ---------------------------------------------------------------- transactions (KIP-98)
// InitProducerId (api key 22): a producer id and epoch for a transactional id (or, with none,
// a fresh idempotent producer id). From v3 (2.5, KIP-360) the producer sends its current id and
// epoch so an existing producer can bump its epoch instead of being fenced.
struct InitProducerIdRequest {
    int32_t correlation_id = 0;
    std::optional<std::string> transactional_id;
    int32_t transaction_timeout_ms = 60000;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
};
struct InitProducerIdResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
};
// AddPartitionsToTxn (24): the partitions the producer is about to write in its transaction.
// v4+ (3.6, KIP-890) is broker-to-coordinator only: a partition leader asks whether its partitions
// are in the transaction (verify_only), or with transaction.version 2 adds them (v5 semantics).
// Kafka batches several transactions per request; here one request holds one.
struct AddPartitionsToTxnRequest {
    int32_t correlation_id = 0;
    std::string transactional_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::vector<GroupPartition> partitions;  // by topic name, as the coordinator stores them
    bool verify_only = false;                // v4+: answer NONE / TRANSACTION_ABORTABLE per partition, write nothing
};
struct AddPartitionsToTxnResponse {
    struct PartitionResult {
        GroupPartition tp;
        Error error = Error::none;
    };
    int32_t correlation_id = 0;
    std::vector<PartitionResult> results;
};
// AddOffsetsToTxn (25): the group's __consumer_offsets partition joins the transaction
// (sendOffsetsToTransaction, before its TxnOffsetCommit to the group coordinator).
struct AddOffsetsToTxnRequest {
    int32_t correlation_id = 0;
    std::string transactional_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    std::string group_id;
};
struct AddOffsetsToTxnResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
};
// EndTxn (26): commit or abort. Answered once PrepareCommit/PrepareAbort is durable, before any
// marker is written. From v5 (4.0, transaction.version 2) it returns the bumped epoch.
struct EndTxnRequest {
    int32_t correlation_id = 0;
    std::string transactional_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    bool committed = false;
};
struct EndTxnResponse {
    int32_t correlation_id = 0;
    Error error = Error::none;
    int64_t producer_id = -1;     // v5
    int16_t producer_epoch = -1;  // v5
};
// TxnOffsetCommit (28): the group's offsets, sent to the group coordinator after AddOffsetsToTxn,
// written as a transactional batch of the producer and visible once the COMMIT marker lands.
// v3 (2.5, KIP-447) carries the consumer's generation, member id and instance id so the
// coordinator fences a zombie; older versions send -1 / "" (no group check).
struct TxnOffsetCommitRequest {
    int32_t correlation_id = 0;
    std::string transactional_id;
    std::string group_id;
    int64_t producer_id = -1;
    int16_t producer_epoch = -1;
    int32_t generation_id = -1;
    std::string member_id;
    std::optional<std::string> group_instance_id;
    std::vector<OffsetCommitRequest::PartitionData> partitions;
};
struct TxnOffsetCommitResponse {
    struct PartitionResult {
        GroupPartition tp;
        Error error = Error::none;
    };
    int32_t correlation_id = 0;
    std::vector<PartitionResult> partitions;
};

// True when T is one of Ts: a component names the message kinds it owns with it, and the
// node that hosts it routes by those names.
template <class T, class... Ts>
constexpr bool is_one_of = (std::is_same_v<T, Ts> || ...);

// Kafka Connect's REST API (HTTP/1.1 with JSON bodies): a request to a worker's listener from a
// client (a scenario's "rest" action, an operator's curl) or from another worker (a write
// forwarded to the leader, a connector's task configs). Not a Kafka protocol message; it rides
// the same network, so partitions and latency apply to it.
struct ConnectRestRequest {
    int32_t correlation_id = 0;
    std::string method;  // GET, POST, PUT, PATCH, DELETE
    std::string path;    // "/connectors/orders-sink/status", with its query ("?expand=status")
    std::string body;    // JSON text; "" = none
    int32_t hops = 0;    // forwards so far (a worker forwards at most twice)
};
struct ConnectRestResponse {
    int32_t correlation_id = 0;
    int32_t status = 200;  // HTTP status
    std::string body;      // JSON text; "" = none (204)
};

// Not a network message: how a "fail-task" fault makes a connector task throw. The fault
// injector hands it to the worker running the task, as if raised inside it.
struct InjectedTaskFailure {
    std::string connector;
    int32_t task = 0;
    std::string error;  // the exception, as the task's status trace shows it
};

using Message = std::variant<std::monostate,
                             VoteRequest, VoteResponse, BeginQuorumEpochRequest, BeginQuorumEpochResponse,
                             EndQuorumEpochRequest, EndQuorumEpochResponse, RaftFetchRequest, RaftFetchResponse,
                             BrokerRegistrationRequest, BrokerRegistrationResponse, BrokerHeartbeatRequest,
                             BrokerHeartbeatResponse, AlterPartitionRequest, AlterPartitionResponse,
                             CreateTopicsRequest, CreateTopicsResponse, MetadataRequest, MetadataResponse,
                             // the Admin API
                             DeleteTopicsRequest, DeleteTopicsResponse, CreatePartitionsRequest,
                             CreatePartitionsResponse, IncrementalAlterConfigsRequest, IncrementalAlterConfigsResponse,
                             ElectLeadersRequest, ElectLeadersResponse, AlterPartitionReassignmentsRequest,
                             AlterPartitionReassignmentsResponse, ListPartitionReassignmentsRequest,
                             ListPartitionReassignmentsResponse, DeleteRecordsRequest, DeleteRecordsResponse,
                             ProduceRequest, ProduceResponse, FetchRequest, FetchResponse,
                             OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse, ListOffsetsRequest,
                             ListOffsetsResponse, FindCoordinatorRequest, FindCoordinatorResponse,
                             JoinGroupRequest, JoinGroupResponse, SyncGroupRequest, SyncGroupResponse,
                             HeartbeatRequest, HeartbeatResponse, LeaveGroupRequest, LeaveGroupResponse,
                             OffsetCommitRequest, OffsetCommitResponse, OffsetFetchRequest, OffsetFetchResponse,
                             // transactions
                             InitProducerIdRequest, InitProducerIdResponse, AddPartitionsToTxnRequest,
                             AddPartitionsToTxnResponse, AddOffsetsToTxnRequest, AddOffsetsToTxnResponse,
                             EndTxnRequest, EndTxnResponse, WriteTxnMarkersRequest, WriteTxnMarkersResponse,
                             TxnOffsetCommitRequest, TxnOffsetCommitResponse,
                             // ZooKeeper mode: the ensemble, its clients, and the ZooKeeper-mode controller
                             ZkVote, ZkQuorumPacket, ZkConnectRequest, ZkConnectResponse, ZkRequest, ZkResponse,
                             ZkWatchEvent, ZkSetWatches, LeaderAndIsrRequest, LeaderAndIsrResponse,
                             UpdateMetadataRequest, UpdateMetadataResponse, ControlledShutdownRequest,
                             ControlledShutdownResponse, StopReplicaRequest, StopReplicaResponse,
                             // Kafka Connect's REST API
                             ConnectRestRequest, ConnectRestResponse, InjectedTaskFailure>;

}  // namespace kafka
