// The broker's side of group coordination (in Kafka, KafkaApis' group requests and
// GroupCoordinator's hooks into the ReplicaManager): it hosts the GroupCoordinator, answers
// FindCoordinator from the metadata cache (asking the controller to create __consumer_offsets
// for the first group, as AutoTopicCreationManager does), appends the coordinator's records to
// the __consumer_offsets partitions this broker leads, and loads or unloads their groups as
// leadership moves (GroupCoordinator.onElection / onResignation).
#pragma once
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/correlation_ids.hpp"
#include "broker/group/group_coordinator.hpp"
#include "broker/metadata/metadata_source.hpp"
#include "broker/replica/replica_manager.hpp"
#include "broker/world.hpp"

namespace kafka {

class CoordinatorHost final : private GroupCoordinator::Host {
public:
    // The requests the broker's router hands to handle().
    template <class T>
    static constexpr bool handles =
        is_one_of<T, FindCoordinatorRequest, JoinGroupRequest, SyncGroupRequest, HeartbeatRequest, LeaveGroupRequest,
                  OffsetCommitRequest, OffsetFetchRequest, TxnOffsetCommitRequest>;

    CoordinatorHost(const BrokerConfig& config, const MetadataImage& image, ReplicaManager& replicas,
                    const MetadataSource& metadata, CorrelationIds& correlation_ids)
        : config_(config), image_(image), replicas_(replicas), metadata_(metadata), correlation_ids_(correlation_ids) {}

    void handle(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx);
    template <class T>
    void handle(sim::NodeId from, const T& req, Context& ctx) {
        coordinator_.handle(from, req, ctx);
    }
    void on_timer(uint64_t tag, Context& ctx) { coordinator_.on_timer(tag, ctx); }

    // From the ReplicaManager: leadership of a partition moved here or away, a high watermark moved.
    void on_election(const Partition& p, Context& ctx);
    void on_resignation(const std::string& topic, int32_t partition, Context& ctx);
    void on_high_watermark(const Partition& p, Context& ctx);
    // A transaction marker was written and replicated on these __consumer_offsets partitions.
    void on_offsets_txn_completed(int64_t producer_id, const std::vector<TopicPartition>& partitions, bool commit,
                                  Context& ctx);

    const GroupCoordinator& coordinator() const { return coordinator_; }

private:
    // ---- the group coordinator's appends (GroupCoordinator::Host) ----
    std::optional<int64_t> append_group_records(int32_t partition, std::shared_ptr<const GroupRecords> records,
                                                const std::optional<GroupCoordinator::TxnProducer>& txn, Error& error,
                                                Context& ctx) override;
    int64_t group_partition_high_watermark(int32_t partition) const override;
    std::optional<TopicPartition> offsets_partition(int32_t partition) const;

    const BrokerConfig& config_;
    const MetadataImage& image_;
    ReplicaManager& replicas_;
    const MetadataSource& metadata_;
    CorrelationIds& correlation_ids_;
    GroupCoordinator coordinator_{config_, *this};
    std::optional<sim::Time> offsets_topic_requested_at_;  // asked the controller to create __consumer_offsets
};

}  // namespace kafka
