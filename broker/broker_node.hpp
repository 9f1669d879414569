// A Kafka broker: a router over its components, each with its own timer space.
//
//  - ReplicaManager: the partitions it hosts, the produce and fetch paths with their
//    purgatories, the replica fetchers, the ISR expiry checks.
//  - MetadataSource: where the metadata comes from and how the controller is reached.
//    KRaft mode (process.roles=broker): the metadata log followed as a Raft observer,
//    registration and heartbeats (KIP-631), AlterPartition (KIP-497). ZooKeeper mode (a
//    non-empty ensemble): a ZooKeeper session, the ZooKeeper-mode controller every broker runs,
//    LeaderAndIsr and UpdateMetadata, ISR writes to ZooKeeper, ControlledShutdown.
//  - CoordinatorHost: the group coordinator and FindCoordinator.
//  - TxnCoordinatorHost: the transaction coordinator, FindCoordinator for transactional ids,
//    producer ids, and the WriteTxnMarkers requests to partition leaders.
//
// The broker itself owns what they share (the metadata cache, the correlation ids), routes
// every message by its type and every timer by its space to the one component that owns it,
// and runs the lifecycle (start, controlled shutdown).
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/controller/zk_controller.hpp"
#include "broker/correlation_ids.hpp"
#include "broker/group/coordinator_host.hpp"
#include "broker/metadata/metadata_source.hpp"
#include "broker/replica/replica_manager.hpp"
#include "broker/txn/txn_coordinator_host.hpp"
#include "broker/world.hpp"

namespace kafka {

class BrokerNode final : public Node, private ReplicaManager::Host {
public:
    // zookeepers: the ensemble's server ids in ZooKeeper mode; empty in KRaft mode.
    BrokerNode(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config, const ClusterDirectory& directory,
               std::vector<int32_t> zookeepers = {});

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;
    void on_shutdown(Context& ctx) override;

    // ---- inspection (read-only, for the harness) ----
    BrokerId id() const { return id_; }
    const MetadataImage& metadata() const { return image_; }
    bool registered() const { return metadata_->registered(); }
    int64_t broker_epoch() const override { return metadata_->broker_epoch(); }  // also ReplicaManager::Host
    bool fenced() const { return metadata_->fenced(); }
    const Partition* partition(TopicPartition tp) const { return replica_manager_.partition(tp); }
    std::vector<const Partition*> partitions() const { return replica_manager_.partitions(); }
    const GroupCoordinator& coordinator() const { return coordinator_.coordinator(); }
    const TransactionCoordinator& transaction_coordinator() const { return txn_coordinator_.coordinator(); }
    // ZooKeeper mode: the controller this broker runs (nullptr in KRaft mode).
    bool zookeeper_mode() const { return zk_controller() != nullptr; }
    const ZkController* zk_controller() const { return metadata_->zk_controller(); }
    // The controller as this broker knows it: KRaft quorum leader, or the ZooKeeper-mode
    // controller broker named by the last UpdateMetadata. -1 unknown.
    int32_t controller_id() const { return metadata_->controller_id(); }

private:
    // ---- wiring: the replica manager's calls out (ReplicaManager::Host) ----
    void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) override {
        metadata_->request_isr_change(p, std::move(new_isr), reason, ctx);
    }
    void on_election(const Partition& p, Context& ctx) override {
        coordinator_.on_election(p, ctx);
        txn_coordinator_.on_election(p, ctx);
    }
    void on_resignation(const std::string& topic, int32_t partition, Context& ctx) override {
        coordinator_.on_resignation(topic, partition, ctx);
        txn_coordinator_.on_resignation(topic, partition, ctx);
    }
    void on_high_watermark(const Partition& p, Context& ctx) override {
        coordinator_.on_high_watermark(p, ctx);
        txn_coordinator_.on_high_watermark(p, ctx);
    }
    void on_offsets_txn_completed(int64_t producer_id, const std::vector<TopicPartition>& partitions, bool commit,
                                  Context& ctx) override {
        coordinator_.on_offsets_txn_completed(producer_id, partitions, commit, ctx);
    }

    BrokerId id_;
    BrokerConfig config_;
    const ClusterDirectory& directory_;
    MetadataImage image_;  // the metadata cache: written by the metadata source, read by all
    CorrelationIds correlation_ids_;
    ReplicaManager replica_manager_;
    std::unique_ptr<MetadataSource> metadata_;
    CoordinatorHost coordinator_;
    TxnCoordinatorHost txn_coordinator_;
};

}  // namespace kafka
