#include "broker/metadata/kraft_metadata_source.hpp"

#include <algorithm>

namespace kafka {

KRaftMetadataSource::KRaftMetadataSource(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config,
                                         const ClusterDirectory& directory, MetadataImage& image,
                                         ReplicaManager& replicas, CorrelationIds& correlation_ids)
    : MetadataSource(id, config, directory, image, replicas, correlation_ids),
      raft_(id, std::move(voters), RaftConfig::from(config), directory, timer_space(TimerComponent::raft)) {
    raft_.set_listener(this);
}

// ------------------------------------------------------------------------------ lifecycle

void KRaftMetadataSource::start(const StartInfo& info, Context& ctx) {
    incarnation_id_ = info.incarnation_id;
    previous_broker_epoch_ = info.previous_broker_epoch;
    ctx.set_timer(sim::milliseconds(50), timers_.tag(timer_heartbeat));
}

void KRaftMetadataSource::shut_down(Context& ctx) {
    shutting_down_ = true;
    if (!registered()) {
        ctx.exit();
        return;
    }
    send_heartbeat(ctx);  // want_shut_down: the controller moves leadership away first
}

void KRaftMetadataSource::stop_now(Context& ctx) {
    replicas_.checkpoint_and_flush();
    if (registered()) {
        auto& cell = ctx.disk().cell<int64_t>(clean_shutdown_file);
        cell.set(broker_epoch_);
        cell.flush();
    }
    ctx.emit(BrokerStopped{.broker = id_});
    ctx.exit();
}

// ------------------------------------------------------------------------------ dispatch

void KRaftMetadataSource::handle(sim::NodeId from, Message& msg, Context& ctx) {
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (RaftReplica::handles<T>) {
                raft_.handle_message(from, msg, ctx);  // takes the whole message; tells handle_commit
            } else if constexpr (std::is_same_v<T, BrokerRegistrationResponse>) {
                on_registration(m, ctx);
            } else if constexpr (std::is_same_v<T, BrokerHeartbeatResponse>) {
                on_heartbeat(m, ctx);
            } else if constexpr (std::is_same_v<T, AlterPartitionResponse>) {
                on_alter_partition(m, ctx);
            } else if constexpr (std::is_same_v<T, MetadataRequest>) {
                handle_metadata(from, m, ctx);
            }
            // ZooKeeper-mode messages never reach a KRaft broker.
        },
        msg);
}

// A closed connection fails what was in flight on it. The metadata fetch is retried after
// the backoff (RaftReplica); NodeToControllerRequestThread puts a disconnected AlterPartition
// back in its queue, which here is: forget it, so the partition's next ISR check sends it
// again instead of waiting out controller.quorum.request.timeout.ms. A lost heartbeat is
// replaced by the next one (send_heartbeat).
void KRaftMetadataSource::on_disconnect(sim::NodeId peer, Context& ctx) {
    raft_.on_disconnect(peer, ctx);
    if (peer != controller_node()) return;
    for (const auto& [correlation, tp] : alter_in_flight_)
        if (Partition* p = replicas_.partition(tp)) p->set_pending_isr(std::nullopt);
    alter_in_flight_.clear();
}

void KRaftMetadataSource::on_timer(uint64_t t, Context& ctx) {
    if (raft_.handle_timer(t, ctx)) return;
    if (!timers_.owns(t)) return;
    switch (static_cast<TimerKind>(sim::TimerSpace::kind_of(t))) {
        case timer_heartbeat:
            send_heartbeat(ctx);
            ctx.set_timer(sim::milliseconds(registered() ? config_.broker_heartbeat_interval_ms : 100),
                          timers_.tag(timer_heartbeat));
            return;
        case timer_alter_partition: {
            auto it = alter_in_flight_.find(static_cast<int32_t>(sim::TimerSpace::value_of(t)));
            if (it == alter_in_flight_.end()) return;
            if (Partition* p = replicas_.partition(it->second)) p->set_pending_isr(std::nullopt);
            alter_in_flight_.erase(it);
            return;
        }
        case timer_controlled_shutdown:
        case timer_exit:
            return;  // ZooKeeper mode's
    }
}

// ------------------------------------------------------------------------------ the metadata log

void KRaftMetadataSource::handle_commit(int64_t hw, Context& ctx) {
    // MetadataLoader publishes nothing until the log is read up to the leader's high
    // watermark: a restarted broker must not act on the leaderships it had before it stopped.
    if (!metadata_caught_up_) {
        int64_t target = raft_.first_leader_high_watermark();
        if (target < 0 || hw < target) return;
        metadata_caught_up_ = true;
        ctx.emit(MetadataCaughtUp{.high_watermark = hw, .leader_high_watermark = target});
    }
    // BrokerServer.startup enables request processing only once the active controller has
    // accepted this incarnation's registration (initialCatchUpFuture): until then it neither
    // leads nor follows. A restart refused with DUPLICATE_BROKER_REGISTRATION would otherwise
    // act on the leaderships of its previous incarnation with whatever log it came back with.
    if (!registration_accepted_) return;
    if (applied_offset_ + 1 >= hw) return;
    std::vector<TopicPartition> changed;
    std::vector<TopicPartition> deleted;  // replicas of topics removed in this batch
    while (applied_offset_ + 1 < hw) {
        int64_t offset = applied_offset_ + 1;
        const MetadataRecord& record = raft_.entry(offset).record;
        if (const auto* removed = std::get_if<RemoveTopicRecord>(&record)) {
            // Before the image forgets the topic: the replicas this broker hosts go (Kafka renames
            // the directories "-delete" and removes them after file.delete.delay.ms).
            if (const TopicImage* topic = image_.topic(removed->topic_id))
                for (const PartitionState& p : topic->partitions)
                    if (replicas_.partition(p.tp) != nullptr) deleted.push_back(p.tp);
        }
        image_.apply(offset, record);
        applied_offset_ = offset;
        std::visit(
            [&](const auto& r) {
                using T = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<T, PartitionRecord> || std::is_same_v<T, PartitionChangeRecord>) {
                    changed.push_back(TopicPartition{r.topic_id, r.partition});
                } else if constexpr (std::is_same_v<T, ConfigRecord>) {
                    replicas_.update_topic_config(r.topic_id);
                } else if constexpr (std::is_same_v<T, UnfenceBrokerRecord>) {
                    if (r.broker_id == id_ && r.broker_epoch == broker_epoch_) fenced_ = false;
                } else if constexpr (std::is_same_v<T, FenceBrokerRecord>) {
                    if (r.broker_id == id_ && r.broker_epoch == broker_epoch_) fenced_ = true;
                }
            },
            record);
    }
    // A reassignment (KIP-455) that took this broker out of a partition's replicas: its replica
    // is deleted, as Kafka's ReplicaManager.applyDelta does for a partition it no longer hosts.
    // (Done here rather than in ReplicaManager::reconcile, which ZooKeeper mode shares: there the
    // controller deletes replicas with StopReplica(delete) instead.) A broker that was down when
    // that happened never opens the partition again (reconcile opens only the image's), so its
    // directory just stays on disk unused, as for a topic deleted while it was down and never
    // re-created.
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    std::vector<TopicPartition> moved_away;
    for (const TopicPartition& tp : changed) {
        const PartitionState* st = image_.partition(tp);
        if (st != nullptr && !contains(st->replicas, id_) && replicas_.partition(tp) != nullptr)
            moved_away.push_back(tp);
    }
    if (!moved_away.empty()) {
        replicas_.delete_partitions(moved_away, "reassigned away", ctx);
        std::erase_if(changed, [&](const TopicPartition& tp) {
            return std::binary_search(moved_away.begin(), moved_away.end(), tp);
        });
    }
    if (!deleted.empty()) {
        std::sort(deleted.begin(), deleted.end());
        deleted.erase(std::unique(deleted.begin(), deleted.end()), deleted.end());
        replicas_.delete_partitions(deleted, "topic deleted", ctx);
    }
    if (!changed.empty()) replicas_.reconcile(changed, ctx);
}

// ------------------------------------------------------------------------------ controller channel

sim::NodeId KRaftMetadataSource::controller_node() const {
    int32_t leader = raft_.leader_id();
    return leader < 0 ? sim::no_node : directory_.controller_node(leader);
}

void KRaftMetadataSource::send_heartbeat(Context& ctx) {
    sim::NodeId controller = controller_node();
    if (controller == sim::no_node) return;
    // One registration/heartbeat in flight; a lost one is replaced after a heartbeat interval.
    if (controller_request_ != 0 && (ctx.now() - controller_request_sent_).ms() < config_.broker_heartbeat_interval_ms)
        return;
    if (!registered() && ctx.now() < next_registration_) return;  // backing off after a refusal
    controller_request_ = correlation_ids_.next();
    controller_request_sent_ = ctx.now();
    if (!registered()) {
        ctx.send(controller, BrokerRegistrationRequest{controller_request_, id_, incarnation_id_, previous_broker_epoch_});
        return;
    }
    BrokerHeartbeatRequest hb;
    hb.correlation_id = controller_request_;
    hb.broker_id = id_;
    hb.broker_epoch = broker_epoch_;
    hb.current_metadata_offset = applied_offset_;
    hb.want_shut_down = shutting_down_;
    ctx.send(controller, hb);
}

void KRaftMetadataSource::on_registration(const BrokerRegistrationResponse& r, Context& ctx) {
    if (r.correlation_id != controller_request_) return;
    controller_request_ = 0;
    if (r.error == Error::not_controller) return;  // the controller channel finds the new one and resends
    if (r.error != Error::none) {
        // BrokerLifecycleManager.scheduleNextCommunicationAfterFailure: ExponentialBackoff(100 ms,
        // x2, up to broker.session.timeout.ms); its 2% jitter is left out.
        int64_t backoff_ms = config_.broker_session_timeout_ms;
        if (registration_failures_ < 20) backoff_ms = std::min(backoff_ms, int64_t{100} << registration_failures_);
        ++registration_failures_;
        next_registration_ = ctx.now() + sim::milliseconds(backoff_ms);
        return;
    }
    registration_failures_ = 0;
    registration_accepted_ = true;
    broker_epoch_ = r.broker_epoch;
    fenced_ = true;
    ctx.emit(BrokerRegistered{.broker = id_, .broker_epoch = broker_epoch_});
    handle_commit(raft_.high_watermark(), ctx);  // publish what committed while it waited
    send_heartbeat(ctx);
}

void KRaftMetadataSource::on_heartbeat(const BrokerHeartbeatResponse& r, Context& ctx) {
    if (r.correlation_id != controller_request_) return;
    controller_request_ = 0;
    if (r.error == Error::stale_broker_epoch || r.error == Error::broker_id_not_registered) {
        broker_epoch_ = -1;  // the controller forgot us (or we were replaced): register again
        return;
    }
    if (r.error != Error::none) return;
    if (shutting_down_ && r.should_shut_down) stop_now(ctx);
}


void KRaftMetadataSource::request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) {
    sim::NodeId controller = controller_node();
    if (controller == sim::no_node || p.pending_isr() || !registered()) return;
    AlterPartitionRequest req;
    req.correlation_id = correlation_ids_.next();
    req.broker_id = id_;
    req.broker_epoch = broker_epoch_;
    req.tp = p.tp();
    req.leader_epoch = p.leader_epoch();
    req.partition_epoch = p.assignment().partition_epoch;
    req.new_isr = new_isr;
    p.set_pending_isr(new_isr);
    alter_in_flight_[req.correlation_id] = p.tp();
    ctx.emit(AlterPartitionSent{.topic = p.topic(),
                                .partition = p.tp().partition,
                                .isr = p.assignment().isr,
                                .new_isr = new_isr,
                                .reason = reason});
    ctx.set_timer(sim::milliseconds(config_.controller_quorum_request_timeout_ms),
                  timers_.tag(timer_alter_partition, static_cast<uint64_t>(req.correlation_id)));
    ctx.send(controller, std::move(req));
}

void KRaftMetadataSource::on_alter_partition(const AlterPartitionResponse& r, Context& ctx) {
    auto it = alter_in_flight_.find(r.correlation_id);
    if (it == alter_in_flight_.end()) return;
    alter_in_flight_.erase(it);
    Partition* found = replicas_.partition(r.tp);
    if (found == nullptr) return;
    Partition& p = *found;
    if (r.error == Error::none && p.is_leader() && r.leader_epoch == p.leader_epoch() &&
        r.partition_epoch > p.assignment().partition_epoch) {
        PartitionAssignment a = p.assignment();
        a.isr = r.isr;
        a.partition_epoch = r.partition_epoch;
        p.update_isr(a);
        replicas_.on_high_watermark_advanced(p, ctx);
    }
    p.set_pending_isr(std::nullopt);
}

}  // namespace kafka
