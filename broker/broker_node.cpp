#include "broker/broker_node.hpp"

#include <type_traits>
#include <variant>

#include "broker/metadata/kraft_metadata_source.hpp"
#include "broker/metadata/zk_metadata_source.hpp"

namespace kafka {

namespace {

std::unique_ptr<MetadataSource> make_metadata_source(BrokerId id, std::vector<int32_t> voters,
                                                     std::vector<int32_t> zookeepers, const BrokerConfig& config,
                                                     const ClusterDirectory& directory, MetadataImage& image,
                                                     ReplicaManager& replicas, CorrelationIds& correlation_ids) {
    if (zookeepers.empty())
        return std::make_unique<KRaftMetadataSource>(id, std::move(voters), config, directory, image, replicas,
                                                     correlation_ids);
    return std::make_unique<ZkMetadataSource>(id, std::move(zookeepers), config, directory, image, replicas,
                                              correlation_ids);
}

}  // namespace

BrokerNode::BrokerNode(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config,
                       const ClusterDirectory& directory, std::vector<int32_t> zookeepers)
    : id_(id),
      config_(config),
      directory_(directory),
      replica_manager_(id, config_, directory_, image_, correlation_ids_, *this),
      metadata_(make_metadata_source(id, std::move(voters), std::move(zookeepers), config_, directory_, image_,
                                     replica_manager_, correlation_ids_)),
      coordinator_(config_, image_, replica_manager_, *metadata_, correlation_ids_),
      txn_coordinator_(id, config_, directory_, image_, replica_manager_, *metadata_, correlation_ids_) {}

// ------------------------------------------------------------------------------ lifecycle

void BrokerNode::on_start(Context& ctx) {
    // The incarnation id is drawn in both modes: the node's random stream stays the same
    // whichever metadata source consumes it.
    MetadataSource::StartInfo info;
    info.incarnation_id = ctx.rng().next();
    if (ctx.disk().exists(clean_shutdown_file)) {
        const auto& cell = ctx.disk().cell<int64_t>(clean_shutdown_file);
        if (cell.has_value()) info.previous_broker_epoch = cell.get();
        ctx.disk().remove(clean_shutdown_file);
    }
    metadata_->start_quorum(ctx);
    ctx.emit(BrokerStart{.broker = id_});
    metadata_->start(info, ctx);
    replica_manager_.start(ctx);
}

void BrokerNode::on_shutdown(Context& ctx) {
    ctx.emit(BrokerControlledShutdown{.broker = id_});
    metadata_->shut_down(ctx);
}

void BrokerNode::on_disconnect(sim::NodeId peer, Context& ctx) {
    metadata_->on_disconnect(peer, ctx);
    replica_manager_.on_disconnect(peer, ctx);
    txn_coordinator_.on_disconnect(peer, ctx);
}

// ------------------------------------------------------------------------------ dispatch

// Every message kind has one owner among the components; a kind no component owns (a response
// this broker never asked for) is dropped.
void BrokerNode::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            static_assert(ReplicaManager::handles<T> + CoordinatorHost::handles<T> + TxnCoordinatorHost::handles<T> +
                                  MetadataSource::handles<T> <=
                              1,
                          "a message kind has one owner");
            if constexpr (std::is_same_v<T, FindCoordinatorRequest>) {
                // The group host owns FindCoordinator; a transactional id's goes to the txn host.
                if (m.key_type == coordinator_key_transaction) {
                    txn_coordinator_.find_coordinator(from, m, ctx);
                    return;
                }
            }
            if constexpr (ReplicaManager::handles<T>) {
                replica_manager_.handle(from, m, ctx);
            } else if constexpr (CoordinatorHost::handles<T>) {
                coordinator_.handle(from, m, ctx);
            } else if constexpr (TxnCoordinatorHost::handles<T>) {
                txn_coordinator_.handle(from, m, ctx);
            } else if constexpr (MetadataSource::handles<T>) {
                metadata_->handle(from, msg, ctx);  // the whole message: the Raft and ZooKeeper clients take it so
            }
        },
        msg);
}

// A timer goes back to the component whose space armed it.
void BrokerNode::on_timer(uint64_t tag, Context& ctx) {
    switch (static_cast<TimerComponent>(sim::TimerSpace::component_of(tag))) {
        case TimerComponent::replica_manager:
            replica_manager_.on_timer(tag, ctx);
            return;
        case TimerComponent::group_coordinator:
            coordinator_.on_timer(tag, ctx);
            return;
        case TimerComponent::metadata:
        case TimerComponent::raft:
        case TimerComponent::zk_client:
        case TimerComponent::zk_controller:
            metadata_->on_timer(tag, ctx);
            return;
        case TimerComponent::controller:
            return;  // a controller node's
        case TimerComponent::transaction_coordinator:
        case TimerComponent::txn_marker_channel:
            txn_coordinator_.on_timer(tag, ctx);
            return;
    }
}

}  // namespace kafka
