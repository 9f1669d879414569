// The cluster metadata as built by applying the KRaft metadata log (__cluster_metadata) in
// order: broker registrations, topics, partition states. The active controller builds it from
// its own (possibly uncommitted) records; brokers build it from the committed log. Plain
// ordered containers, so iterating it is deterministic (by broker id, by topic id).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "broker/messages.hpp"
#include "broker/metadata_records.hpp"

namespace kafka {

struct BrokerRegistration {
    BrokerId id = 0;
    int64_t epoch = -1;               // the offset of its RegisterBrokerRecord (KIP-631)
    uint64_t incarnation_id = 0;
    bool fenced = true;
    bool in_controlled_shutdown = false;
};

struct PartitionState {
    TopicPartition tp;
    std::vector<BrokerId> replicas;   // assignment order; replicas[0] is the preferred leader
    std::vector<BrokerId> isr;
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;         // bumps when the leader changes
    int32_t partition_epoch = 0;      // bumps on every change (AlterPartition's version check)
    bool leader_recovering = false;   // KIP-704: elected uncleanly, not yet recovered
    std::vector<BrokerId> elr;             // KIP-966 eligible leader replicas (empty while ELR is off)
    std::vector<BrokerId> last_known_elr;  // KIP-966: ELR members that shut down uncleanly
    std::vector<BrokerId> adding_replicas;    // KIP-455: a reassignment in progress (replicas = target + removing)
    std::vector<BrokerId> removing_replicas;
    bool reassigning() const { return !adding_replicas.empty() || !removing_replicas.empty(); }
};

struct TopicImage {
    std::string name;
    TopicId id = 0;
    std::vector<PartitionState> partitions;  // index = partition number
    ConfigMap configs;                       // topic-level overrides (ConfigRecord)

    const PartitionState* partition(int32_t p) const {
        return p >= 0 && static_cast<size_t>(p) < partitions.size() ? &partitions[static_cast<size_t>(p)] : nullptr;
    }
};

class MetadataImage {
public:
    // Apply one record of the log at `offset` (offsets strictly increase). Records that
    // reference an unknown topic or partition are simulator bugs (sim::InvariantViolation);
    // fence/unfence/change records for a stale broker epoch are ignored.
    void apply(int64_t offset, const MetadataRecord& record);
    void clear();

    int64_t last_offset() const { return last_offset_; }  // -1 when empty

    const std::map<BrokerId, BrokerRegistration>& brokers() const { return brokers_; }
    const std::map<TopicId, TopicImage>& topics() const { return topics_; }

    const BrokerRegistration* broker(BrokerId id) const;
    const TopicImage* topic(TopicId id) const;
    const TopicImage* topic(std::string_view name) const;
    const PartitionState* partition(TopicPartition tp) const;

    bool is_registered(BrokerId id) const { return broker(id) != nullptr; }
    // Registered and not fenced (may be in controlled shutdown).
    bool is_unfenced(BrokerId id) const;
    // Unfenced and not in controlled shutdown: may lead, join an ISR, receive new replicas
    // (ClusterControlManager.isActive / usableBrokers).
    bool is_active(BrokerId id) const;

    // Partitions whose leader is `id` (kept as a count while applying).
    int32_t partitions_led_by(BrokerId id) const;
    // Partitions with leader = -1 (offline).
    int64_t offline_partition_count() const { return offline_partitions_; }
    int64_t partition_count() const { return partition_count_; }
    // Largest topic id ever seen, 0 when none.
    TopicId max_topic_id() const { return max_topic_id_; }

private:
    void set_leader(PartitionState& p, BrokerId leader);

    int64_t last_offset_ = -1;
    std::map<BrokerId, BrokerRegistration> brokers_;
    std::map<TopicId, TopicImage> topics_;
    std::map<std::string, TopicId, std::less<>> topic_ids_by_name_;
    std::map<BrokerId, int32_t> leader_counts_;
    int64_t offline_partitions_ = 0;
    int64_t partition_count_ = 0;
    TopicId max_topic_id_ = 0;
};

// One line for narration and traces: "PartitionChangeRecord(t1-0 leader=2 isr=[2,3])".
std::string describe_record(const MetadataRecord& record);
// "[1,2,3]"
std::string format_broker_list(const std::vector<BrokerId>& brokers);

}  // namespace kafka
