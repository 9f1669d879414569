// The ZooKeeper-mode side of a broker: its session and controller glue, the controller's
// requests (LeaderAndIsr, UpdateMetadata) fenced by controller epoch, ISR writes to the
// partition state znode, and controlled shutdown through the controller.
#include "broker/metadata/zk_metadata_source.hpp"

#include <algorithm>
#include <charconv>

namespace kafka {

namespace {
constexpr int controlled_shutdown_max_retries = 3;              // controlled.shutdown.max.retries
constexpr int64_t controlled_shutdown_retry_backoff_ms = 5000;  // controlled.shutdown.retry.backoff.ms
constexpr int64_t controller_socket_timeout_ms = 30000;         // controller.socket.timeout.ms
}  // namespace

ZkMetadataSource::ZkMetadataSource(BrokerId id, std::vector<int32_t> zookeepers, const BrokerConfig& config,
                                   const ClusterDirectory& directory, MetadataImage& image, ReplicaManager& replicas,
                                   CorrelationIds& correlation_ids)
    : MetadataSource(id, config, directory, image, replicas, correlation_ids),
      zk_(id, std::move(zookeepers), config.zookeeper_session_timeout_ms, directory,
          timer_space(TimerComponent::zk_client)),
      controller_(id, config, directory, zk_, image, timer_space(TimerComponent::zk_controller)) {
    zk_.set_session_listener([this](ZkSessionEvent e, Context& ctx) {
        if (closing_session_ && e == ZkSessionEvent::disconnected) {
            ctx.exit();  // the session is closed: its ephemerals, /brokers/ids/<id> first, are gone
            return;
        }
        controller_.on_session_event(e, ctx);
        // ZkConfigManager.startup: watch /config/changes (again in every new session).
        if (e == ZkSessionEvent::connected && zk_.new_session()) watch_config_changes(ctx);
    });
    zk_.set_watcher([this](const ZkWatchEvent& e, Context& ctx) {
        if (e.path == zkdata::config_changes_path) return watch_config_changes(ctx);
        controller_.on_watch(e, ctx);
    });
}

// ------------------------------------------------------------------------------ lifecycle

void ZkMetadataSource::start(const StartInfo&, Context& ctx) { zk_.start(ctx); }

void ZkMetadataSource::shut_down(Context& ctx) {
    shutting_down_ = true;
    if (!registered()) {
        zk_.close(ctx);
        ctx.exit();
        return;
    }
    send_controlled_shutdown(ctx);
}

void ZkMetadataSource::stop_now(Context& ctx) {
    replicas_.checkpoint_and_flush();
    ctx.emit(BrokerStopped{.broker = id_});
    if (zk_.connected()) {
        // Close the ZooKeeper session before exiting, so the ensemble deletes /brokers/ids/<id>
        // now instead of after zookeeper.session.timeout.ms; exit once the close is answered.
        closing_session_ = true;
        zk_.close(ctx);
        ctx.set_timer(sim::milliseconds(config_.zookeeper_session_timeout_ms / 3), timers_.tag(timer_exit));
        return;
    }
    ctx.exit();
}

// ------------------------------------------------------------------------------ dispatch

void ZkMetadataSource::handle(sim::NodeId from, Message& msg, Context& ctx) {
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (ZkClient::handles<T>) {
                zk_.handle_message(from, msg, ctx);
                after_zk();
            } else if constexpr (ZkController::handles<T>) {
                controller_.handle_message(from, msg, ctx);  // queues the whole message as an event
                after_zk();
            } else if constexpr (std::is_same_v<T, LeaderAndIsrRequest>) {
                handle_leader_and_isr(from, m, ctx);
            } else if constexpr (std::is_same_v<T, UpdateMetadataRequest>) {
                handle_update_metadata(from, m, ctx);
            } else if constexpr (std::is_same_v<T, StopReplicaRequest>) {
                handle_stop_replica(from, m, ctx);
            } else if constexpr (std::is_same_v<T, ControlledShutdownResponse>) {
                on_controlled_shutdown(m, ctx);
            } else if constexpr (std::is_same_v<T, MetadataRequest>) {
                handle_metadata(from, m, ctx);
            }
            // KRaft messages never reach a ZooKeeper-mode broker.
        },
        msg);
}

void ZkMetadataSource::on_timer(uint64_t t, Context& ctx) {
    if (zk_.handle_timer(t, ctx) || controller_.handle_timer(t, ctx)) {
        after_zk();
        return;
    }
    if (!timers_.owns(t)) return;
    switch (static_cast<TimerKind>(sim::TimerSpace::kind_of(t))) {
        case timer_exit:
            ctx.exit();
            return;
        case timer_controlled_shutdown:
            controlled_shutdown_timer_ = sim::TimerId{};
            if (controlled_shutdown_attempts_ >= controlled_shutdown_max_retries) {
                ctx.emit(ControlledShutdownFailed{.broker = id_, .attempts = controlled_shutdown_attempts_});
                stop_now(ctx);  // KafkaServer proceeds with an unclean shutdown
            } else {
                send_controlled_shutdown(ctx);
            }
            return;
        case timer_heartbeat:
        case timer_alter_partition:
            return;  // KRaft's
    }
}

void ZkMetadataSource::on_disconnect(sim::NodeId peer, Context& ctx) {
    zk_.handle_disconnect(peer, ctx);
    controller_.on_disconnect(peer, ctx);
    after_zk();
}

// ------------------------------------------------------------------------------ the controller's requests

void ZkMetadataSource::after_zk() {
    const ZkController::Outcome outcome = controller_.take_outcome();
    if (outcome.broker_epoch && *outcome.broker_epoch != broker_epoch_) {
        broker_epoch_ = *outcome.broker_epoch;
        fenced_ = broker_epoch_ < 0;  // the registration trace is the controller's zk_broker_registered
    }
}
// ReplicaManager: a request from a controller older than the newest one seen is refused.
bool ZkMetadataSource::stale_controller(int32_t controller_epoch, const char* request, Context& ctx) {
    if (controller_epoch < controller_epoch_seen_) {
        ctx.emit(StaleControllerEpoch{
            .request = request, .controller_epoch = controller_epoch, .latest = controller_epoch_seen_});
        return true;
    }
    controller_epoch_seen_ = controller_epoch;
    return false;
}

void ZkMetadataSource::cache_topics(const std::vector<ZkTopicInfo>& topics, const std::set<TopicId>* skip) {
    for (const ZkTopicInfo& t : topics) {
        topic_names_[t.topic_id] = t.name;
        if (skip != nullptr && skip->count(t.topic_id)) continue;
        const TopicImage* known = image_.topic(t.topic_id);
        if (known == nullptr) {
            image_.apply(++cache_offset_, TopicRecord{t.name, t.topic_id});
            for (const auto& [name, value] : t.configs) image_.apply(++cache_offset_, ConfigRecord{t.topic_id, name, value});
        }
    }
}

void ZkMetadataSource::cache_partition(const LeaderAndIsrPartitionState& s) {
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

void ZkMetadataSource::handle_leader_and_isr(sim::NodeId from, const LeaderAndIsrRequest& req, Context& ctx) {
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
        const bool hosted = replicas_.hosts(s.tp);
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
        replicas_.reconcile(changed, ctx);
    }
    ctx.send(from, resp);
    controller_.on_metadata_changed(ctx);
}

void ZkMetadataSource::handle_update_metadata(sim::NodeId from, const UpdateMetadataRequest& req, Context& ctx) {
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
    // ZkMetadataCache: a partition with LeaderDuringDelete is dropped (its topic is being deleted).
    std::set<TopicId> deleting;
    for (const LeaderAndIsrPartitionState& s : req.partitions)
        if (s.leader == zkdata::leader_during_delete) deleting.insert(s.tp.topic_id);
    for (TopicId id : deleting) {
        if (image_.topic(id) == nullptr) continue;
        image_.apply(++cache_offset_, RemoveTopicRecord{id});
        for (auto it = state_controller_epoch_.begin(); it != state_controller_epoch_.end();)
            it = it->first.topic_id == id ? state_controller_epoch_.erase(it) : std::next(it);
    }
    cache_topics(req.topics, &deleting);
    for (const LeaderAndIsrPartitionState& s : req.partitions) {
        if (deleting.count(s.tp.topic_id)) continue;
        const PartitionState* current = image_.partition(s.tp);
        // The partitions this broker replicates change role only with LeaderAndIsr; here
        // they take a newer ISR of the same leader epoch at most.
        if (current != nullptr && replicas_.hosts(s.tp) &&
            (s.leader_epoch != current->leader_epoch || s.zk_version <= current->partition_epoch))
            continue;
        cache_partition(s);
    }
    ctx.send(from, resp);
    controller_.on_metadata_changed(ctx);
}

// ReplicaManager.stopReplicas: with delete_partitions the replicas' logs are removed (topic
// deletion). Without, the replica stops; here the delete that follows on the same controller
// channel does that as well, so nothing else happens.
void ZkMetadataSource::handle_stop_replica(sim::NodeId from, const StopReplicaRequest& req, Context& ctx) {
    StopReplicaResponse resp;
    resp.correlation_id = req.correlation_id;
    if (stale_controller(req.controller_epoch, "StopReplica", ctx)) {
        resp.error = Error::stale_controller_epoch;
        ctx.send(from, resp);
        return;
    }
    resp.partitions = req.partitions;
    if (req.delete_partitions) {
        std::vector<TopicPartition> hosted;
        for (const TopicPartition& tp : req.partitions) {
            state_controller_epoch_.erase(tp);
            if (replicas_.hosts(tp)) {
                hosted.push_back(tp);
                continue;
            }
            // Not open: this broker was down when the deletion began. Its directory goes all the same.
            auto name = topic_names_.find(tp.topic_id);
            if (name == topic_names_.end()) continue;
            const auto files = ctx.disk().list(name->second + "-" + std::to_string(tp.partition) + "/");
            if (files.empty()) continue;
            for (const std::string& f : files) ctx.disk().remove(f);
            ctx.emit(ReplicaDeleted{.topic = name->second, .partition = tp.partition, .log_end_offset = -1, .reason = "topic deleted"});
        }
        if (!hosted.empty()) replicas_.delete_partitions(hosted, "topic deleted", ctx);
    }
    ctx.send(from, resp);
}

void ZkMetadataSource::watch_config_changes(Context& ctx) {
    zk_.get_children(zkdata::config_changes_path, true, [this](const ZkResult& r, Context& c) {
        if (r.code != ZkCode::ok) return;
        static const std::string prefix = "config_change_";
        std::vector<std::pair<int64_t, std::string>> fresh;
        for (const std::string& child : r.children) {
            if (child.rfind(prefix, 0) != 0) continue;
            int64_t seq = -1;
            std::from_chars(child.data() + prefix.size(), child.data() + child.size(), seq);
            if (seq > last_config_change_) fresh.emplace_back(seq, child);
        }
        std::sort(fresh.begin(), fresh.end());
        for (const auto& entry : fresh) {
            last_config_change_ = std::max(last_config_change_, entry.first);
            // ConfigChangedNotificationHandler: re-read the entity's configs.
            zk_.get_data(zkdata::config_changes_path + "/" + entry.second, false, [this](const ZkResult& d, Context& c2) {
                if (d.code != ZkCode::ok) return;
                const auto entity = zkdata::decode_config_change(d.data);
                if (!entity || entity->rfind("topics/", 0) != 0) return;
                const std::string topic = entity->substr(7);
                zk_.get_data(zkdata::topic_config_path(topic), false, [this, topic](const ZkResult& t, Context& c3) {
                    std::optional<ConfigMap> configs = ConfigMap{};
                    if (t.code == ZkCode::ok) configs = zkdata::decode_topic_config(t.data);
                    if (configs) apply_topic_config(topic, *configs, c3);
                }, c2);
            }, c);
        }
    }, ctx);
}

// TopicConfigHandler.processConfigChanges: the cache and the logs take the new overrides; the
// controller hears about unclean.leader.election.enable.
void ZkMetadataSource::apply_topic_config(const std::string& topic, const ConfigMap& configs, Context& ctx) {
    const TopicImage* t = image_.topic(topic);
    if (t != nullptr) {
        const TopicId id = t->id;
        const ConfigMap old = t->configs;
        for (const auto& [name, value] : old)
            if (!configs.count(name)) image_.apply(++cache_offset_, ConfigRecord{id, name, ConfigValue{}, true});
        for (const auto& [name, value] : configs) {
            auto it = old.find(name);
            if (it == old.end() || it->second != value) image_.apply(++cache_offset_, ConfigRecord{id, name, value, false});
        }
        replicas_.update_topic_config(id);
    }
    controller_.on_topic_config_changed(topic, configs, ctx);
}

// Partition.updateIsr (before KIP-497): the leader writes the state znode itself,
// conditional on the zkVersion it knows; BADVERSION means the controller changed the
// partition meanwhile, and the leader waits for its LeaderAndIsr.
void ZkMetadataSource::request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason,
                                          Context& ctx) {
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
    zk_.set_data(zkdata::partition_state_path(topic_name, tp.partition), zkdata::encode_partition_state(st), version,
                  [this, tp, new_isr, leader_epoch, topic_name](const ZkResult& r, Context& c) {
                      Partition* found = replicas_.partition(tp);
                      if (found == nullptr) return;
                      Partition& part = *found;
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
                      replicas_.on_high_watermark_advanced(part, c);
                      // ReplicaManager.maybePropagateIsrChanges: tell the controller.
                      zk_.create(zkdata::isr_change_prefix, zkdata::encode_isr_change({{topic_name, tp.partition}}),
                                  ZkCreateMode::persistent_sequential, [](const ZkResult&, Context&) {}, c);
                  },
                  ctx);
}

void ZkMetadataSource::send_controlled_shutdown(Context& ctx) {
    // KafkaServer.controlledShutdown: the request waits up to controller.socket.timeout.ms;
    // after a failure or an incomplete answer it backs off, up to controlled.shutdown.max.retries.
    ++controlled_shutdown_attempts_;
    sim::NodeId controller = directory_.broker_node(zk_controller_id_);
    ctx.cancel_timer(controlled_shutdown_timer_);
    controlled_shutdown_timer_ = ctx.set_timer(
        sim::milliseconds(controller_socket_timeout_ms + controlled_shutdown_retry_backoff_ms), timers_.tag(timer_controlled_shutdown));
    ctx.emit(ControlledShutdownRequested{
        .broker = id_, .attempt = controlled_shutdown_attempts_, .controller = zk_controller_id_});
    if (controller == sim::no_node) return;
    ControlledShutdownRequest req;
    req.correlation_id = controlled_shutdown_request_ = correlation_ids_.next();
    req.broker_id = id_;
    req.broker_epoch = broker_epoch_;
    ctx.send(controller, req);
}

void ZkMetadataSource::on_controlled_shutdown(const ControlledShutdownResponse& r, Context& ctx) {
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
        ctx.set_timer(sim::milliseconds(controlled_shutdown_retry_backoff_ms), timers_.tag(timer_controlled_shutdown));
}

}  // namespace kafka
