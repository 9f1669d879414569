// The broker's side of transaction coordination (in Kafka, KafkaApis' transaction requests,
// TransactionCoordinator's hooks into the ReplicaManager, TransactionMarkerChannelManager and
// ProducerIdManager): it hosts the TransactionCoordinator, answers FindCoordinator for
// key_type TRANSACTION from the metadata cache (asking the controller to create
// __transaction_state on first use, as AutoTopicCreationManager does), appends the
// coordinator's records to the __transaction_state partitions this broker leads, loads or
// unloads their transactional ids as leadership moves, hands out producer ids, and delivers
// the coordinator's markers as WriteTxnMarkers requests to the partition leaders.
//
// Simplifications:
//  - Producer ids: Kafka's brokers take blocks of 1000 ids from the controller (KRaft
//    AllocateProducerIds, KIP-730) or from a ZooKeeper znode. Here a broker derives its blocks
//    from its own id: its k-th block is [(k * 1024 + broker id) * 1000, + 1000). k is kept in a
//    disk cell, written and fsynced before the block's first id is handed out, so a restarted
//    broker never hands out an id twice. Ids are unique across brokers while broker ids stay
//    below 1024.
//  - The marker channel sends one WriteTxnMarkers request per (transaction, leader) rather than
//    batching the markers of several transactions to one leader; a request unanswered after
//    request.timeout.ms (the broker has no such key: Kafka's default, 30 s) or whose connection
//    drops reports each of its partitions as failed with a retriable error, and the
//    coordinator sends the markers again.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/correlation_ids.hpp"
#include "broker/metadata/metadata_source.hpp"
#include "broker/replica/replica_manager.hpp"
#include "broker/timer_components.hpp"
#include "broker/txn/transaction_coordinator.hpp"
#include "broker/world.hpp"

namespace kafka {

// TransactionCoordinator::Options from the broker's config.
TransactionCoordinator::Options transaction_coordinator_options(const BrokerConfig& config);

class TxnCoordinatorHost final : private TransactionCoordinator::Host {
public:
    // The requests and responses the broker's router hands to handle().
    template <class T>
    static constexpr bool handles = is_one_of<T, InitProducerIdRequest, AddPartitionsToTxnRequest,
                                              AddOffsetsToTxnRequest, EndTxnRequest, WriteTxnMarkersResponse>;

    TxnCoordinatorHost(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory,
                       const MetadataImage& image, ReplicaManager& replicas, const MetadataSource& metadata,
                       CorrelationIds& correlation_ids)
        : id_(id),
          config_(config),
          directory_(directory),
          image_(image),
          replicas_(replicas),
          metadata_(metadata),
          correlation_ids_(correlation_ids),
          coordinator_(transaction_coordinator_options(config), *this) {}

    // FindCoordinator with key_type TRANSACTION (the group CoordinatorHost passes it on).
    void find_coordinator(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx);
    // Before 0.11 (TransactionFeatures::transactions_supported) the transaction RPCs do not
    // exist: a broker answers them UNSUPPORTED_VERSION, as ApiVersions would have told the client.
    template <class T>
    void handle(sim::NodeId from, const T& req, Context& ctx) {
        if (!config_.transactions.transactions_supported) return unsupported(from, req, ctx);
        coordinator_.handle(from, req, ctx);
    }
    void handle(sim::NodeId from, const WriteTxnMarkersResponse& resp, Context& ctx);
    void on_timer(uint64_t tag, Context& ctx);
    void on_disconnect(sim::NodeId peer, Context& ctx);

    // From the ReplicaManager: leadership of a partition moved here or away, a high watermark moved.
    void on_election(const Partition& p, Context& ctx);
    void on_resignation(const std::string& topic, int32_t partition, Context& ctx);
    void on_high_watermark(const Partition& p, Context& ctx);

    const TransactionCoordinator& coordinator() const { return coordinator_; }

private:
    // ---- TransactionCoordinator::Host ----
    std::optional<int64_t> append_txn_records(int32_t partition, std::shared_ptr<const TransactionRecords> records,
                                              Error& error, Context& ctx) override;
    int64_t txn_partition_high_watermark(int32_t partition) const override;
    int32_t txn_partition_leader_epoch(int32_t partition) const override;
    int64_t allocate_producer_id(Context& ctx) override;
    void send_markers(const TransactionCoordinator::MarkerRequest& markers, Context& ctx) override;

    std::optional<TopicPartition> state_partition(int32_t partition) const;
    void unsupported(sim::NodeId from, const InitProducerIdRequest& req, Context& ctx);
    void unsupported(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx);
    void unsupported(sim::NodeId from, const AddOffsetsToTxnRequest& req, Context& ctx);
    void unsupported(sim::NodeId from, const EndTxnRequest& req, Context& ctx);
    void request_topic(Context& ctx);
    // A marker request ends without an answer: each of its partitions failed with `error`.
    void fail_request(int32_t correlation_id, Error error, Context& ctx);

    // One WriteTxnMarkers request in flight to a partition leader.
    struct InFlight {
        sim::NodeId to = sim::no_node;
        std::string transactional_id;
        int64_t producer_id = -1;
        std::map<TopicPartition, GroupPartition> partitions;
        sim::TimerId timer;
    };
    enum Purpose : uint64_t { purpose_marker_timeout = 1 };

    static constexpr int64_t request_timeout_ms = 30000;  // request.timeout.ms (Kafka's default)
    static constexpr int64_t producer_id_block_size = 1000;
    static constexpr int64_t producer_id_block_stride = 1024;  // broker ids below this get disjoint blocks

    BrokerId id_;
    const BrokerConfig& config_;
    const ClusterDirectory& directory_;
    const MetadataImage& image_;
    ReplicaManager& replicas_;
    const MetadataSource& metadata_;
    CorrelationIds& correlation_ids_;
    TransactionCoordinator coordinator_;
    const sim::TimerSpace channel_timers_ = timer_space(TimerComponent::txn_marker_channel);
    bool started_ = false;                              // the abort scan is armed (first partition loaded)
    std::optional<sim::Time> topic_requested_at_;       // asked the controller to create __transaction_state
    std::map<int32_t, InFlight> in_flight_;             // by correlation id
    int64_t next_producer_id_ = 0;
    int64_t block_end_ = 0;                             // next_producer_id_ == block_end_: a new block
};

}  // namespace kafka
