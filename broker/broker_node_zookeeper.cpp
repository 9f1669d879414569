// The ZooKeeper-mode side of a broker: its session and controller glue, the controller's
// requests (LeaderAndIsr, UpdateMetadata) fenced by controller epoch, ISR writes to the
// partition state znode, and controlled shutdown through the controller.
#include "broker/broker_node.hpp"

#include <algorithm>

namespace kafka {

namespace {
constexpr int64_t controlled_shutdown_retry_backoff_ms = 5000;  // controlled.shutdown.retry.backoff.ms
constexpr int64_t controller_socket_timeout_ms = 30000;         // controller.socket.timeout.ms
}  // namespace

void BrokerNode::after_zk(Context&) {
    const int64_t epoch = zk_controller_->broker_epoch();
    if (epoch != broker_epoch_) {
        broker_epoch_ = epoch;
        fenced_ = epoch < 0;  // the registration trace is the controller's zk_broker_registered
    }
}

// ReplicaManager: a request from a controller older than the newest one seen is refused.
bool BrokerNode::stale_controller(int32_t controller_epoch, const char* request, Context& ctx) {
    if (controller_epoch < controller_epoch_seen_) {
        ctx.emit(StaleControllerEpoch{
            .request = request, .controller_epoch = controller_epoch, .latest = controller_epoch_seen_});
        return true;
    }
    controller_epoch_seen_ = controller_epoch;
    return false;
}

void BrokerNode::cache_topics(const std::vector<ZkTopicInfo>& topics) {
    for (const ZkTopicInfo& t : topics) {
        const TopicImage* known = image_.topic(t.topic_id);
        if (known == nullptr) {
            image_.apply(++cache_offset_, TopicRecord{t.name, t.topic_id});
            for (const auto& [name, value] : t.configs) image_.apply(++cache_offset_, ConfigRecord{t.topic_id, name, value});
        }
    }
}

void BrokerNode::cache_partition(const LeaderAndIsrPartitionState& s) {
    PartitionRecord r;
    r.topic_id = s.tp.topic_id;
    r.partition = s.tp.partition;
    r.replicas = s.replicas;
    r.isr = s.isr;
    r.leader = s.leader;
    r.leader_epoch = s.leader_epoch;
    r.partition_epoch = s.zk_version;
    image_.apply(++cache_offset_, r);
    state_controller_epoch_[s.tp] = s.controller_epoch;
}

void BrokerNode::handle_leader_and_isr(sim::NodeId from, const LeaderAndIsrRequest& req, Context& ctx) {
    LeaderAndIsrResponse resp;
    resp.correlation_id = req.correlation_id;
    if (stale_controller(req.controller_epoch, "LeaderAndIsr", ctx)) {
        resp.error = Error::stale_controller_epoch;
        ctx.send(from, resp);
        return;
    }
    cache_topics(req.topics);
    // ReplicaManager.becomeLeaderOrFollower: act only on a newer leader epoch.
    std::vector<TopicPartition> changed;
    for (const LeaderAndIsrPartitionState& s : req.partitions) {
        const PartitionState* current = image_.partition(s.tp);
        const bool hosted = partitions_.count(s.tp) != 0;
        if (current != nullptr && hosted && s.leader_epoch <= current->leader_epoch) {
            // Same or older epoch: the state may still carry a newer ISR for the cache.
            if (s.leader_epoch == current->leader_epoch && s.zk_version > current->partition_epoch) cache_partition(s);
            continue;
        }
        cache_partition(s);
        changed.push_back(s.tp);
    }
    if (!changed.empty()) {
        std::sort(changed.begin(), changed.end());
        reconcile(changed, ctx);
    }
    ctx.send(from, resp);
}

void BrokerNode::handle_update_metadata(sim::NodeId from, const UpdateMetadataRequest& req, Context& ctx) {
    UpdateMetadataResponse resp;
    resp.correlation_id = req.correlation_id;
    if (stale_controller(req.controller_epoch, "UpdateMetadata", ctx)) {
        resp.error = Error::stale_controller_epoch;
        ctx.send(from, resp);
        return;
    }
    zk_controller_id_ = req.controller_id;
    // MetadataCache.updateMetadata: live brokers, then the partition states it carries.
    for (BrokerId b : req.live_brokers)
        if (!image_.is_unfenced(b)) image_.apply(++cache_offset_, RegisterBrokerRecord{b, 0, 0, false});
    std::vector<BrokerId> gone;
    for (const auto& [b, reg] : image_.brokers())
        if (std::find(req.live_brokers.begin(), req.live_brokers.end(), b) == req.live_brokers.end()) gone.push_back(b);
    for (BrokerId b : gone) image_.apply(++cache_offset_, UnregisterBrokerRecord{b, image_.broker(b)->epoch});
    cache_topics(req.topics);
    for (const LeaderAndIsrPartitionState& s : req.partitions) {
        const PartitionState* current = image_.partition(s.tp);
        // The partitions this broker replicates change role only with LeaderAndIsr; here
        // they take a newer ISR of the same leader epoch at most.
        if (current != nullptr && partitions_.count(s.tp) != 0 &&
            (s.leader_epoch != current->leader_epoch || s.zk_version <= current->partition_epoch))
            continue;
        cache_partition(s);
    }
    ctx.send(from, resp);
}

// Partition.updateIsr (before KIP-497): the leader writes the state znode itself,
// conditional on the zkVersion it knows; BADVERSION means the controller changed the
// partition meanwhile, and the leader waits for its LeaderAndIsr.
void BrokerNode::write_isr_to_zookeeper(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) {
    if (p.pending_isr() || !registered()) return;
    const TopicImage* topic = image_.topic(p.tp().topic_id);
    if (topic == nullptr) return;
    zkdata::PartitionStateZNode st;
    st.controller_epoch = state_controller_epoch_[p.tp()];
    st.leader = id_;
    st.leader_epoch = p.leader_epoch();
    st.isr = new_isr;
    const std::string topic_name = topic->name;
    const TopicPartition tp = p.tp();
    const int32_t version = p.assignment().partition_epoch;
    const int32_t leader_epoch = p.leader_epoch();
    p.set_pending_isr(new_isr);
    ctx.emit(IsrUpdate{.topic = topic_name,
                       .partition = tp.partition,
                       .isr = p.assignment().isr,
                       .new_isr = new_isr,
                       .zk_version = version,
                       .reason = reason});
    zk_->set_data(zkdata::partition_state_path(topic_name, tp.partition), zkdata::encode_partition_state(st), version,
                  [this, tp, new_isr, leader_epoch, topic_name](const ZkResult& r, Context& c) {
                      auto it = partitions_.find(tp);
                      if (it == partitions_.end()) return;
                      Partition& part = *it->second;
                      part.set_pending_isr(std::nullopt);
                      if (r.code != ZkCode::ok) {
                          c.emit(IsrUpdateFailed{
                              .topic = topic_name, .partition = tp.partition, .error = to_string(r.code)});
                          return;
                      }
                      if (!part.is_leader() || part.leader_epoch() != leader_epoch) return;
                      PartitionAssignment a = part.assignment();
                      a.isr = new_isr;
                      a.partition_epoch = r.stat.version;
                      part.update_isr(a);
                      LeaderAndIsrPartitionState s{tp, state_controller_epoch_[tp], id_, leader_epoch, new_isr,
                                                   r.stat.version, a.replicas};
                      cache_partition(s);
                      c.emit(IsrUpdated{.topic = topic_name,
                                        .partition = tp.partition,
                                        .isr = new_isr,
                                        .zk_version = r.stat.version});
                      on_high_watermark_advanced(part, c);
                      // ReplicaManager.maybePropagateIsrChanges: tell the controller.
                      zk_->create(zkdata::isr_change_prefix, zkdata::encode_isr_change({{topic_name, tp.partition}}),
                                  ZkCreateMode::persistent_sequential, [](const ZkResult&, Context&) {}, c);
                  },
                  ctx);
}

void BrokerNode::send_controlled_shutdown(Context& ctx) {
    // KafkaServer.controlledShutdown: the request waits up to controller.socket.timeout.ms;
    // after a failure or an incomplete answer it backs off, up to controlled.shutdown.max.retries.
    ++controlled_shutdown_attempts_;
    sim::NodeId controller = directory_.broker_node(zk_controller_id_);
    ctx.cancel_timer(controlled_shutdown_timer_);
    controlled_shutdown_timer_ = ctx.set_timer(
        sim::milliseconds(controller_socket_timeout_ms + controlled_shutdown_retry_backoff_ms), metadata_timers_.tag(timer_controlled_shutdown));
    ctx.emit(ControlledShutdownRequested{
        .broker = id_, .attempt = controlled_shutdown_attempts_, .controller = zk_controller_id_});
    if (controller == sim::no_node) return;
    ControlledShutdownRequest req;
    req.correlation_id = controlled_shutdown_request_ = next_correlation_++;
    req.broker_id = id_;
    req.broker_epoch = broker_epoch_;
    ctx.send(controller, req);
}

void BrokerNode::on_controlled_shutdown(const ControlledShutdownResponse& r, Context& ctx) {
    if (r.correlation_id != controlled_shutdown_request_ || !shutting_down_) return;
    controlled_shutdown_request_ = 0;
    if (r.error == Error::none && r.remaining.empty()) {
        stop_now(ctx);
        return;
    }
    ctx.emit(ControlledShutdownIncomplete{
        .broker = id_, .remaining = static_cast<int64_t>(r.remaining.size()), .error = static_cast<int64_t>(r.error)});
    ctx.cancel_timer(controlled_shutdown_timer_);
    controlled_shutdown_timer_ =
        ctx.set_timer(sim::milliseconds(controlled_shutdown_retry_backoff_ms), metadata_timers_.tag(timer_controlled_shutdown));
}

}  // namespace kafka
