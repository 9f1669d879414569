#include "broker/broker_node.hpp"

#include <algorithm>

namespace kafka {

namespace {

constexpr int controlled_shutdown_max_retries = 3;            // controlled.shutdown.max.retries

std::vector<BrokerId> without(const std::vector<BrokerId>& ids, const std::vector<BrokerId>& drop) {
    std::vector<BrokerId> out;
    for (BrokerId b : ids)
        if (!contains(drop, b)) out.push_back(b);
    return out;
}

}  // namespace

BrokerNode::BrokerNode(BrokerId id, std::vector<int32_t> voters, const BrokerConfig& config,
                       const ClusterDirectory& directory, std::vector<int32_t> zookeepers)
    : id_(id),
      voters_(voters),
      config_(config),
      directory_(directory),
      raft_(id, std::move(voters), RaftConfig::from(config), directory, timer_space(TimerComponent::raft)) {
    if (zookeepers.empty()) return;
    zk_ = std::make_unique<ZkClient>(id, std::move(zookeepers), config_.zookeeper_session_timeout_ms, directory_,
                                     timer_space(TimerComponent::zk_client));
    zk_controller_ = std::make_unique<ZkController>(id, config_, directory_, *zk_, timer_space(TimerComponent::zk_controller));
    zk_->set_session_listener([this](ZkSessionEvent e, Context& ctx) {
        if (closing_session_ && e == ZkSessionEvent::disconnected) {
            ctx.exit();  // the session is closed: its ephemerals, /brokers/ids/<id> first, are gone
            return;
        }
        zk_controller_->on_session_event(e, ctx);
    });
    zk_->set_watcher([this](const ZkWatchEvent& e, Context& ctx) { zk_controller_->on_watch(e, ctx); });
}

int32_t BrokerNode::controller_id() const { return zk_ ? zk_controller_id_ : raft_.leader_id(); }

const Partition* BrokerNode::partition(TopicPartition tp) const {
    auto it = partitions_.find(tp);
    return it == partitions_.end() ? nullptr : it->second.get();
}

std::vector<const Partition*> BrokerNode::partitions() const {
    std::vector<const Partition*> out;
    for (const auto& [tp, p] : partitions_) out.push_back(p.get());
    return out;
}

// ------------------------------------------------------------------------------ lifecycle

// CleanShutdownFileHandler (KIP-966): a clean stop leaves the broker epoch in the log
// directory; startup reads it for the registration and removes it.
constexpr const char* clean_shutdown_file = ".kafka_cleanshutdown";

void BrokerNode::on_start(Context& ctx) {
    incarnation_id_ = ctx.rng().next();
    previous_broker_epoch_ = -1;
    if (ctx.disk().exists(clean_shutdown_file)) {
        const auto& cell = ctx.disk().cell<int64_t>(clean_shutdown_file);
        if (cell.has_value()) previous_broker_epoch_ = cell.get();
        ctx.disk().remove(clean_shutdown_file);
    }
    if (!zk_) raft_.start(ctx);
    ctx.emit(BrokerStart{.broker = id_});
    if (zk_) {
        zk_->start(ctx);
    } else {
        ctx.set_timer(sim::milliseconds(50), metadata_timers_.tag(timer_heartbeat));
    }
    ctx.set_timer(sim::milliseconds(config_.replica_lag_time_max_ms / 2), replica_timers_.tag(timer_isr_check));
    ctx.set_timer(sim::milliseconds(config_.replica_high_watermark_checkpoint_interval_ms), replica_timers_.tag(timer_hw_checkpoint));
}

void BrokerNode::on_shutdown(Context& ctx) {
    shutting_down_ = true;
    ctx.emit(BrokerControlledShutdown{.broker = id_});
    if (!registered()) {
        if (zk_) zk_->close(ctx);
        ctx.exit();
        return;
    }
    if (zk_) {
        send_controlled_shutdown(ctx);
        return;
    }
    send_heartbeat(ctx);  // want_shut_down: the controller moves leadership away first
}

void BrokerNode::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (zk_) {
        zk_->handle_disconnect(peer, ctx);
        zk_controller_->on_disconnect(peer, ctx);
        after_zk(ctx);
    }
    // A leader we fetch from went away: retry after replica.fetch.backoff.ms.
    for (auto& [leader, f] : fetchers_) {
        if (directory_.broker_node(leader) == peer && f.in_flight) {
            f.in_flight = false;
            ctx.cancel_timer(f.timer);
            backoff_fetcher(leader, ctx);
        }
    }
}

// ------------------------------------------------------------------------------ dispatch

void BrokerNode::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (zk_) {
        if (zk_->handle_message(from, msg, ctx) || zk_controller_->handle_message(from, msg, ctx)) {
            after_zk(ctx);
            return;
        }
    } else if (raft_.handle_message(from, msg, ctx)) {
        after_raft(ctx);
        return;
    }
    std::visit(
        [&](auto& m) {
            using T = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<T, ProduceRequest>) {
                handle_produce(from, m, ctx);
            } else if constexpr (std::is_same_v<T, FetchRequest>) {
                handle_fetch(from, m, ctx, true);
            } else if constexpr (std::is_same_v<T, FetchResponse>) {
                on_fetch_response(from, m, ctx);
            } else if constexpr (std::is_same_v<T, OffsetForLeaderEpochRequest>) {
                handle_offset_for_leader_epoch(from, m, ctx);
            } else if constexpr (std::is_same_v<T, OffsetForLeaderEpochResponse>) {
                on_offset_for_leader_epoch(from, m, ctx);
            } else if constexpr (std::is_same_v<T, MetadataRequest>) {
                handle_metadata(from, m, ctx);
            } else if constexpr (std::is_same_v<T, ListOffsetsRequest>) {
                handle_list_offsets(from, m, ctx);
            } else if constexpr (std::is_same_v<T, BrokerRegistrationResponse>) {
                on_registration(m, ctx);
            } else if constexpr (std::is_same_v<T, BrokerHeartbeatResponse>) {
                on_heartbeat(m, ctx);
            } else if constexpr (std::is_same_v<T, AlterPartitionResponse>) {
                on_alter_partition(m, ctx);
            } else if constexpr (std::is_same_v<T, LeaderAndIsrRequest>) {
                handle_leader_and_isr(from, m, ctx);
            } else if constexpr (std::is_same_v<T, UpdateMetadataRequest>) {
                handle_update_metadata(from, m, ctx);
            } else if constexpr (std::is_same_v<T, ControlledShutdownResponse>) {
                on_controlled_shutdown(m, ctx);
            } else if constexpr (std::is_same_v<T, FindCoordinatorRequest>) {
                handle_find_coordinator(from, m, ctx);
            } else if constexpr (std::is_same_v<T, JoinGroupRequest> || std::is_same_v<T, SyncGroupRequest> ||
                                 std::is_same_v<T, HeartbeatRequest> || std::is_same_v<T, LeaveGroupRequest> ||
                                 std::is_same_v<T, OffsetCommitRequest> || std::is_same_v<T, OffsetFetchRequest>) {
                coordinator_.handle(from, m, ctx);
            }
        },
        msg);
}

void BrokerNode::on_timer(uint64_t t, Context& ctx) {
    if (zk_) {
        if (zk_->handle_timer(t, ctx) || zk_controller_->handle_timer(t, ctx)) {
            after_zk(ctx);
            return;
        }
    } else if (raft_.handle_timer(t, ctx)) {
        after_raft(ctx);
        return;
    }
    if (coordinator_.owns_timer(t)) {
        coordinator_.on_timer(t, ctx);
        return;
    }
    const uint64_t id = sim::TimerSpace::value_of(t);
    if (metadata_timers_.owns(t)) {
        switch (static_cast<MetadataTimer>(sim::TimerSpace::kind_of(t))) {
            case timer_heartbeat:
                send_heartbeat(ctx);
                ctx.set_timer(sim::milliseconds(registered() ? config_.broker_heartbeat_interval_ms : 100),
                              metadata_timers_.tag(timer_heartbeat));
                return;
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
            case timer_alter_partition: {
                auto it = alter_in_flight_.find(static_cast<int32_t>(id));
                if (it == alter_in_flight_.end()) return;
                auto p = partitions_.find(it->second);
                if (p != partitions_.end()) p->second->set_pending_isr(std::nullopt);
                alter_in_flight_.erase(it);
                return;
            }
        }
        return;
    }
    if (!replica_timers_.owns(t)) return;
    switch (static_cast<ReplicaTimer>(sim::TimerSpace::kind_of(t))) {
        case timer_isr_check:
            check_isr(ctx);
            ctx.set_timer(sim::milliseconds(config_.replica_lag_time_max_ms / 2), replica_timers_.tag(timer_isr_check));
            return;
        case timer_hw_checkpoint:
            for (auto& [tp, p] : partitions_) p->checkpoint_high_watermark();
            ctx.set_timer(sim::milliseconds(config_.replica_high_watermark_checkpoint_interval_ms), replica_timers_.tag(timer_hw_checkpoint));
            return;
        case timer_fetch_wait:
            for (size_t i = 0; i < fetches_.size(); ++i) {
                if (fetches_[i].id != id) continue;
                ParkedFetch parked = std::move(fetches_[i]);
                fetches_.erase(fetches_.begin() + static_cast<ptrdiff_t>(i));
                handle_fetch(parked.from, parked.request, ctx, false);
                return;
            }
            return;
        case timer_produce_wait:
            for (size_t i = 0; i < produces_.size(); ++i) {
                if (produces_[i].id != id) continue;
                auto& pr = produces_[i];
                for (size_t k = 0; k < pr.required_offset.size(); ++k) {
                    if (pr.required_offset[k] >= 0) {
                        pr.response.partitions[k].error = Error::request_timed_out;
                        pr.required_offset[k] = -1;
                    }
                }
                finish_produce(i, ctx);
                return;
            }
            return;
        case timer_fetcher: {
            auto it = fetchers_.find(static_cast<BrokerId>(id));
            if (it == fetchers_.end()) return;
            it->second.timer = sim::TimerId{};
            it->second.in_flight = false;  // request timed out, or the backoff ended
            it->second.backing_off = false;
            send_fetch(it->first, ctx);
            return;
        }
    }
}

// ------------------------------------------------------------------------------ metadata

void BrokerNode::after_raft(Context& ctx) { apply_committed(ctx); }

void BrokerNode::apply_committed(Context& ctx) {
    int64_t hw = raft_.high_watermark();
    // MetadataLoader publishes nothing until the log is read up to the leader's high
    // watermark: a restarted broker must not act on the leaderships it had before it stopped.
    if (!metadata_caught_up_) {
        int64_t target = raft_.first_leader_high_watermark();
        if (target < 0 || hw < target) return;
        metadata_caught_up_ = true;
        ctx.emit(MetadataCaughtUp{.high_watermark = hw, .leader_high_watermark = target});
    }
    if (applied_offset_ + 1 >= hw) return;
    std::vector<TopicPartition> changed;
    while (applied_offset_ + 1 < hw) {
        int64_t offset = applied_offset_ + 1;
        const MetadataRecord& record = raft_.entry(offset).record;
        image_.apply(offset, record);
        applied_offset_ = offset;
        std::visit(
            [&](const auto& r) {
                using T = std::decay_t<decltype(r)>;
                if constexpr (std::is_same_v<T, PartitionRecord> || std::is_same_v<T, PartitionChangeRecord>) {
                    changed.push_back(TopicPartition{r.topic_id, r.partition});
                } else if constexpr (std::is_same_v<T, ConfigRecord>) {
                    for (auto& [tp, p] : partitions_)
                        if (tp.topic_id == r.topic_id) p->set_config(topic_config(r.topic_id));
                } else if constexpr (std::is_same_v<T, UnfenceBrokerRecord>) {
                    if (r.broker_id == id_ && r.broker_epoch == broker_epoch_) fenced_ = false;
                } else if constexpr (std::is_same_v<T, FenceBrokerRecord>) {
                    if (r.broker_id == id_ && r.broker_epoch == broker_epoch_) fenced_ = true;
                }
            },
            record);
    }
    if (!changed.empty()) {
        std::sort(changed.begin(), changed.end());
        changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
        reconcile(changed, ctx);
    }
}

TopicConfig BrokerNode::topic_config(TopicId id) const {
    const TopicImage* t = image_.topic(id);
    return TopicConfig::from(config_, t == nullptr ? ConfigMap{} : t->configs);
}

Partition& BrokerNode::open_partition(TopicPartition tp, const std::string& topic, Context& ctx) {
    auto it = partitions_.find(tp);
    if (it != partitions_.end()) return *it->second;
    auto p = std::make_unique<Partition>(tp, topic, id_, ctx.disk(), topic_config(tp.topic_id), config_.behaviour);
    return *partitions_.emplace(tp, std::move(p)).first->second;
}

// Act on committed leadership and ISR (ReplicaManager.applyDelta).
void BrokerNode::reconcile(const std::vector<TopicPartition>& changed, Context& ctx) {
    for (const TopicPartition& tp : changed) {
        const PartitionState* st = image_.partition(tp);
        const TopicImage* topic = image_.topic(tp.topic_id);
        if (st == nullptr || topic == nullptr) continue;
        const bool offsets = topic->name == consumer_offsets_topic;
        if (!contains(st->replicas, id_)) {
            auto it = partitions_.find(tp);
            if (it != partitions_.end()) it->second->stop();
            if (offsets) coordinator_.unload_partition(tp.partition, ctx);
            continue;
        }
        Partition& p = open_partition(tp, topic->name, ctx);
        PartitionAssignment a{st->leader, st->leader_epoch, st->partition_epoch, st->replicas, st->isr};
        bool was_leader = p.is_leader();
        if (st->leader == id_) {
            if (p.make_leader(a, ctx.now())) {
                ctx.emit(BecomeLeader{.topic = topic->name,
                                      .partition = tp.partition,
                                      .leader_epoch = st->leader_epoch,
                                      .isr = st->isr,
                                      .log_end_offset = p.log().log_end_offset(),
                                      .high_watermark = p.high_watermark()});
                if (offsets && !was_leader) {
                    // GroupMetadataManager.scheduleLoadGroupAndOffsets: the groups of this
                    // partition are read back from this replica of the log.
                    std::vector<RecordBatch> log;
                    p.log().all_batches(log);
                    coordinator_.load_partition(tp.partition, log, ctx);
                }
            } else {
                p.update_isr(a);
                on_high_watermark_advanced(p, ctx);
            }
        } else {
            bool transition = p.make_follower(a, ctx.now());
            if (offsets) coordinator_.unload_partition(tp.partition, ctx);
            if (transition) {
                if (was_leader) {
                    complete_produces(tp, ctx, /*leadership_lost=*/true);
                    wake_fetches(tp, WakeFor::all, ctx);
                }
                // Before KIP-101 a new follower cut its log back to its high watermark; from
                // 0.11 to 2.6 it asks the leader first (OffsetForLeaderEpoch); from 2.7 every
                // fetch carries the question.
                if (!config_.behaviour.truncate_by_leader_epoch) {
                    truncate_follower(p, p.high_watermark(), "high watermark (pre-KIP-101)", ctx);
                } else if (!config_.behaviour.fetch_detects_divergence) {
                    awaiting_truncation_.insert(tp);
                }
                ctx.emit(BecomeFollower{.topic = topic->name,
                                        .partition = tp.partition,
                                        .leader_epoch = st->leader_epoch,
                                        .leader = st->leader});
            }
        }
    }
    update_fetchers(ctx);
}

// ------------------------------------------------------------------------------ controller channel

sim::NodeId BrokerNode::active_controller_node() const {
    int32_t leader = raft_.leader_id();
    return leader < 0 ? sim::no_node : directory_.controller_node(leader);
}

void BrokerNode::send_heartbeat(Context& ctx) {
    sim::NodeId controller = active_controller_node();
    if (controller == sim::no_node) return;
    // One registration/heartbeat in flight; a lost one is replaced after a heartbeat interval.
    if (controller_request_ != 0 && (ctx.now() - controller_request_sent_).ms() < config_.broker_heartbeat_interval_ms)
        return;
    controller_request_ = next_correlation_++;
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

void BrokerNode::on_registration(const BrokerRegistrationResponse& r, Context& ctx) {
    if (r.correlation_id != controller_request_) return;
    controller_request_ = 0;
    if (r.error != Error::none) return;
    broker_epoch_ = r.broker_epoch;
    fenced_ = true;
    ctx.emit(BrokerRegistered{.broker = id_, .broker_epoch = broker_epoch_});
    send_heartbeat(ctx);
}

void BrokerNode::on_heartbeat(const BrokerHeartbeatResponse& r, Context& ctx) {
    if (r.correlation_id != controller_request_) return;
    controller_request_ = 0;
    if (r.error == Error::stale_broker_epoch || r.error == Error::broker_id_not_registered) {
        broker_epoch_ = -1;  // the controller forgot us (or we were replaced): register again
        return;
    }
    if (r.error != Error::none) return;
    if (shutting_down_ && r.should_shut_down) stop_now(ctx);
}

void BrokerNode::stop_now(Context& ctx) {
    for (auto& [tp, p] : partitions_) {
        p->checkpoint_high_watermark();
        p->log().flush();
    }
    if (!zk_ && registered()) {
        auto& cell = ctx.disk().cell<int64_t>(clean_shutdown_file);
        cell.set(broker_epoch_);
        cell.flush();
    }
    ctx.emit(BrokerStopped{.broker = id_});
    if (zk_ && zk_->connected()) {
        // Close the ZooKeeper session before exiting, so the ensemble deletes /brokers/ids/<id>
        // now instead of after zookeeper.session.timeout.ms; exit once the close is answered.
        closing_session_ = true;
        zk_->close(ctx);
        ctx.set_timer(sim::milliseconds(config_.zookeeper_session_timeout_ms / 3), metadata_timers_.tag(timer_exit));
        return;
    }
    ctx.exit();
}

void BrokerNode::request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason, Context& ctx) {
    if (zk_) {
        write_isr_to_zookeeper(p, std::move(new_isr), reason, ctx);
        return;
    }
    sim::NodeId controller = active_controller_node();
    if (controller == sim::no_node || p.pending_isr() || !registered()) return;
    AlterPartitionRequest req;
    req.correlation_id = next_correlation_++;
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
                  metadata_timers_.tag(timer_alter_partition, static_cast<uint64_t>(req.correlation_id)));
    ctx.send(controller, std::move(req));
}

void BrokerNode::on_alter_partition(const AlterPartitionResponse& r, Context& ctx) {
    auto it = alter_in_flight_.find(r.correlation_id);
    if (it == alter_in_flight_.end()) return;
    alter_in_flight_.erase(it);
    auto pit = partitions_.find(r.tp);
    if (pit == partitions_.end()) return;
    Partition& p = *pit->second;
    if (r.error == Error::none && p.is_leader() && r.leader_epoch == p.leader_epoch() &&
        r.partition_epoch > p.assignment().partition_epoch) {
        PartitionAssignment a = p.assignment();
        a.isr = r.isr;
        a.partition_epoch = r.partition_epoch;
        p.update_isr(a);
        on_high_watermark_advanced(p, ctx);
    }
    p.set_pending_isr(std::nullopt);
}

void BrokerNode::check_isr(Context& ctx) {
    for (auto& [tp, p] : partitions_) {
        if (!p->is_leader() || p->pending_isr()) continue;
        std::vector<BrokerId> out = p->out_of_sync_replicas(ctx.now(), config_.replica_lag_time_max_ms);
        if (out.empty()) continue;
        request_isr_change(*p, without(p->assignment().isr, out), "replica.lag.time.max.ms exceeded", ctx);
    }
}

// ------------------------------------------------------------------------------ client requests

void BrokerNode::handle_metadata(sim::NodeId from, const MetadataRequest& req, Context& ctx) {
    MetadataResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& [bid, reg] : image_.brokers())
        if (!reg.fenced) resp.brokers.push_back(bid);
    resp.controller_id = controller_id();
    auto describe = [&](const TopicImage& t) {
        TopicMetadata tm;
        tm.name = t.name;
        tm.topic_id = t.id;
        for (const auto& ps : t.partitions) {
            PartitionMetadata pm;
            pm.partition = ps.tp.partition;
            pm.leader = ps.leader;
            pm.leader_epoch = ps.leader_epoch;
            pm.replicas = ps.replicas;
            pm.isr = ps.isr;
            pm.error = ps.leader == no_leader ? Error::leader_not_available : Error::none;
            tm.partitions.push_back(std::move(pm));
        }
        resp.topics.push_back(std::move(tm));
    };
    if (req.topics.empty()) {
        for (const auto& [tid, t] : image_.topics()) describe(t);
    } else {
        for (const auto& name : req.topics) {
            const TopicImage* t = image_.topic(name);
            if (t != nullptr) {
                describe(*t);
            } else {
                TopicMetadata tm;
                tm.name = name;
                tm.error = Error::unknown_topic_or_partition;
                resp.topics.push_back(std::move(tm));
            }
        }
    }
    ctx.send(from, std::move(resp));
}

void BrokerNode::handle_produce(sim::NodeId from, ProduceRequest& req, Context& ctx) {
    PendingProduce pending;
    pending.from = from;
    pending.response.correlation_id = req.correlation_id;
    bool waiting = false;
    for (auto& pd : req.partitions) {
        ProduceResponse::PartitionResponse pr;
        pr.tp = pd.tp;
        int64_t required = -1;
        auto it = partitions_.find(pd.tp);
        if (it == partitions_.end() || !it->second->is_leader()) {
            pr.error = it == partitions_.end() && image_.partition(pd.tp) == nullptr ? Error::unknown_topic_or_partition
                                                                                     : Error::not_leader_or_follower;
        } else {
            Partition& p = *it->second;
            Partition::AppendResult ar = p.append_as_leader(pd.batch, req.acks, ctx.now());
            pr.error = ar.error;
            pr.base_offset = ar.base_offset;
            pr.log_start_offset = p.log().log_start_offset();
            if (ar.error == Error::none) {
                on_log_appended(p, ctx);
                if (req.acks == -1) {
                    switch (p.ack_state(ar.required_offset)) {
                        case Partition::AckState::waiting:
                            required = ar.required_offset;
                            waiting = true;
                            break;
                        case Partition::AckState::not_enough_replicas_after_append:
                            pr.error = Error::not_enough_replicas_after_append;
                            break;
                        case Partition::AckState::done:
                            break;
                    }
                }
            }
        }
        pending.response.partitions.push_back(pr);
        pending.required_offset.push_back(required);
    }
    if (req.acks == 0) return;  // no response at all
    if (!waiting) {
        ctx.send(from, std::move(pending.response));
        return;
    }
    pending.id = next_purgatory_id_++;
    pending.timer = ctx.set_timer(sim::milliseconds(req.timeout_ms), replica_timers_.tag(timer_produce_wait, pending.id));
    produces_.push_back(std::move(pending));
}

void BrokerNode::finish_produce(size_t index, Context& ctx) {
    PendingProduce pr = std::move(produces_[index]);
    produces_.erase(produces_.begin() + static_cast<ptrdiff_t>(index));
    ctx.cancel_timer(pr.timer);
    ctx.send(pr.from, std::move(pr.response));
}

void BrokerNode::complete_produces(TopicPartition tp, Context& ctx, bool leadership_lost) {
    auto pit = partitions_.find(tp);
    for (size_t i = 0; i < produces_.size();) {
        PendingProduce& pr = produces_[i];
        bool touched = false;
        for (size_t k = 0; k < pr.required_offset.size(); ++k) {
            if (pr.required_offset[k] < 0 || !(pr.response.partitions[k].tp == tp)) continue;
            if (leadership_lost || pit == partitions_.end()) {
                pr.response.partitions[k].error = Error::not_leader_or_follower;
                pr.required_offset[k] = -1;
                touched = true;
                continue;
            }
            switch (pit->second->ack_state(pr.required_offset[k])) {
                case Partition::AckState::waiting:
                    break;
                case Partition::AckState::done:
                    pr.required_offset[k] = -1;
                    touched = true;
                    break;
                case Partition::AckState::not_enough_replicas_after_append:
                    pr.response.partitions[k].error = Error::not_enough_replicas_after_append;
                    pr.required_offset[k] = -1;
                    touched = true;
                    break;
            }
        }
        bool done = touched && std::all_of(pr.required_offset.begin(), pr.required_offset.end(),
                                           [](int64_t r) { return r < 0; });
        if (done) {
            finish_produce(i, ctx);
        } else {
            ++i;
        }
    }
}

// New committed data completes acks=all produces and the consumers' delayed fetches. A
// follower's delayed fetch waits for new data (fetch.min.bytes), so followers learn the new
// high watermark one fetch later: the lag at the root of the KIP-101 anomalies.
void BrokerNode::on_high_watermark_advanced(const Partition& p, Context& ctx) {
    complete_produces(p.tp(), ctx, false);
    if (is_offsets_topic(p.tp())) coordinator_.on_high_watermark(p.tp().partition, p.high_watermark(), ctx);
    wake_fetches(p.tp(), WakeFor::consumers, ctx);
}

void BrokerNode::on_log_appended(const Partition& p, Context& ctx) {
    wake_fetches(p.tp(), WakeFor::followers, ctx);
    if (p.high_watermark() == p.log().log_end_offset()) on_high_watermark_advanced(p, ctx);
}

void BrokerNode::wake_fetches(TopicPartition tp, WakeFor who, Context& ctx) {
    for (size_t i = 0; i < fetches_.size();) {
        ParkedFetch& f = fetches_[i];
        bool is_follower = f.request.replica_id >= 0;
        bool match_kind = who == WakeFor::all || (who == WakeFor::followers) == is_follower;
        bool wants = match_kind &&
                     std::any_of(f.request.partitions.begin(), f.request.partitions.end(),
                                 [&](const FetchRequest::PartitionData& d) { return d.tp == tp; });
        if (!wants) {
            ++i;
            continue;
        }
        ParkedFetch parked = std::move(f);
        fetches_.erase(fetches_.begin() + static_cast<ptrdiff_t>(i));
        ctx.cancel_timer(parked.timer);
        handle_fetch(parked.from, parked.request, ctx, false);
    }
}

void BrokerNode::handle_fetch(sim::NodeId from, FetchRequest& req, Context& ctx, bool may_wait) {
    FetchResponse resp;
    resp.correlation_id = req.correlation_id;
    bool follower = req.replica_id >= 0;
    bool any_data = false, any_error = false;
    std::vector<const Partition*> hw_moved;
    for (auto& d : req.partitions) {
        FetchResponse::PartitionData out;
        out.tp = d.tp;
        auto it = partitions_.find(d.tp);
        if (it == partitions_.end() || !it->second->is_leader()) {
            out.error = Error::not_leader_or_follower;
            any_error = true;
            resp.partitions.push_back(std::move(out));
            continue;
        }
        Partition& p = *it->second;
        if (follower) {
            Partition::FollowerFetch ff =
                p.on_follower_fetch(req.replica_id, d.fetch_offset, d.last_fetched_epoch, d.current_leader_epoch, ctx.now());
            out.error = ff.error;
            if (ff.diverging) {
                out.diverging = true;
                out.diverging_epoch = ff.diverging_at.epoch;
                out.diverging_end_offset = ff.diverging_at.end_offset;
                any_data = true;
            } else if (ff.error == Error::none) {
                if (ff.hw_advanced) hw_moved.push_back(&p);
                // Partition.isReplicaIsrEligible (KIP-841): the leader adds only a follower its
                // metadata shows unfenced and not shutting down; the controller would refuse it.
                if (ff.wants_isr_expand && image_.is_active(req.replica_id)) {
                    std::vector<BrokerId> isr = p.assignment().isr;
                    isr.push_back(req.replica_id);
                    request_isr_change(p, isr, "follower caught up", ctx);
                }
                p.log().read(d.fetch_offset, p.log().log_end_offset(), d.partition_max_bytes, out.batches);
            }
        } else {
            if (d.current_leader_epoch >= 0 && d.current_leader_epoch != p.leader_epoch()) {
                out.error = d.current_leader_epoch < p.leader_epoch() ? Error::fenced_leader_epoch : Error::unknown_leader_epoch;
            } else if (d.fetch_offset < p.log().log_start_offset() || d.fetch_offset > p.log().log_end_offset()) {
                out.error = Error::offset_out_of_range;
            } else {
                // Consumers read only what is committed: up to the high watermark.
                p.log().read(d.fetch_offset, p.high_watermark(), d.partition_max_bytes, out.batches);
            }
        }
        if (out.error != Error::none) any_error = true;
        if (!out.batches.empty()) any_data = true;
        out.high_watermark = p.high_watermark();
        out.log_start_offset = p.log().log_start_offset();
        resp.partitions.push_back(std::move(out));
    }
    for (const Partition* p : hw_moved) on_high_watermark_advanced(*p, ctx);
    if (may_wait && !any_data && !any_error && req.max_wait_ms > 0) {
        ParkedFetch parked;
        parked.id = next_purgatory_id_++;
        parked.from = from;
        parked.timer = ctx.set_timer(sim::milliseconds(req.max_wait_ms), replica_timers_.tag(timer_fetch_wait, parked.id));
        parked.request = std::move(req);
        fetches_.push_back(std::move(parked));
        return;
    }
    ctx.send(from, std::move(resp));
}

void BrokerNode::handle_list_offsets(sim::NodeId from, const ListOffsetsRequest& req, Context& ctx) {
    ListOffsetsResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& d : req.partitions) {
        ListOffsetsResponse::PartitionData out;
        out.tp = d.tp;
        auto it = partitions_.find(d.tp);
        if (it == partitions_.end() || !it->second->is_leader()) {
            out.error = Error::not_leader_or_follower;
        } else if (d.current_leader_epoch >= 0 && d.current_leader_epoch < it->second->leader_epoch()) {
            out.error = Error::fenced_leader_epoch;
        } else {
            const Partition& p = *it->second;
            // "latest" for read_uncommitted is the high watermark (Partition.fetchOffsetForTimestamp).
            out.offset = d.timestamp == ListOffsetsRequest::earliest ? p.log().log_start_offset() : p.high_watermark();
            out.leader_epoch = p.leader_epoch();
        }
        resp.partitions.push_back(out);
    }
    ctx.send(from, std::move(resp));
}

// ------------------------------------------------------------------------------ replica fetchers

void BrokerNode::update_fetchers(Context& ctx) {
    std::erase_if(awaiting_truncation_, [&](const TopicPartition& tp) {
        auto it = partitions_.find(tp);
        return it == partitions_.end() || it->second->role() != Partition::Role::follower;
    });
    std::map<BrokerId, std::vector<TopicPartition>> wanted;
    for (const auto& [tp, p] : partitions_) {
        if (p->role() != Partition::Role::follower) continue;
        BrokerId leader = p->assignment().leader;
        if (leader == no_leader || leader == id_) continue;
        wanted[leader].push_back(tp);
    }
    for (auto it = fetchers_.begin(); it != fetchers_.end();) {
        if (wanted.count(it->first) == 0) {
            ctx.cancel_timer(it->second.timer);
            it = fetchers_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [leader, tps] : wanted) {
        Fetcher& f = fetchers_[leader];
        f.partitions = tps;
        if (!f.in_flight && !f.backing_off) send_fetch(leader, ctx);
    }
}

void BrokerNode::send_fetch(BrokerId leader, Context& ctx) {
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end() || it->second.in_flight || it->second.partitions.empty()) return;
    if (send_epoch_query(leader, ctx)) return;
    Fetcher& f = it->second;
    FetchRequest req;
    req.correlation_id = next_correlation_++;
    req.replica_id = id_;
    req.replica_epoch = broker_epoch_;
    req.max_wait_ms = static_cast<int32_t>(config_.replica_fetch_wait_max_ms);
    req.min_bytes = config_.replica_fetch_min_bytes;
    req.max_bytes = config_.replica_fetch_max_bytes;
    for (const TopicPartition& tp : f.partitions) {
        const Partition& p = *partitions_.at(tp);
        FetchRequest::PartitionData d;
        d.tp = tp;
        d.current_leader_epoch = p.leader_epoch();
        d.fetch_offset = p.log().log_end_offset();
        if (config_.behaviour.fetch_detects_divergence) d.last_fetched_epoch = p.log().latest_epoch();
        d.log_start_offset = p.log().log_start_offset();
        d.partition_max_bytes = config_.replica_fetch_max_bytes;
        req.partitions.push_back(d);
    }
    f.in_flight = true;
    f.correlation_id = req.correlation_id;
    ctx.cancel_timer(f.timer);
    f.timer = ctx.set_timer(sim::milliseconds(config_.replica_socket_timeout_ms), replica_timers_.tag(timer_fetcher, static_cast<uint64_t>(leader)));
    sim::NodeId to = directory_.broker_node(leader);
    ctx.send(to, std::move(req));
}

void BrokerNode::backoff_fetcher(BrokerId leader, Context& ctx) {
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end()) return;
    it->second.backing_off = true;
    ctx.cancel_timer(it->second.timer);
    it->second.timer = ctx.set_timer(sim::milliseconds(config_.replica_fetch_backoff_ms), replica_timers_.tag(timer_fetcher, static_cast<uint64_t>(leader)));
}

void BrokerNode::handle_divergence(Partition& p, const FetchResponse::PartitionData& d, Context& ctx) {
    // AbstractFetcherThread: truncate to min(leader's end of the epoch, our own end of it);
    // without a usable epoch from the leader, fall back to the high watermark.
    int64_t before = p.log().log_end_offset();
    int64_t target = p.high_watermark();
    if (d.diverging_epoch >= 0) {
        std::optional<EpochEnd> own = p.log().end_offset_for_epoch(d.diverging_epoch);
        if (own) target = std::min(d.diverging_end_offset, own->end_offset);
    }
    p.truncate_to(target);
    ctx.emit(Truncated{.topic = p.topic(),
                       .partition = p.tp().partition,
                       .from = before,
                       .to = p.log().log_end_offset(),
                       .diverging_epoch = d.diverging_epoch,
                       .reason = "diverging epoch from leader"});
}

void BrokerNode::truncate_follower(Partition& p, int64_t to, const char* reason, Context& ctx) {
    int64_t before = p.log().log_end_offset();
    p.truncate_to(to);
    if (p.log().log_end_offset() != before)
        ctx.emit(Truncated{.topic = p.topic(),
                           .partition = p.tp().partition,
                           .from = before,
                           .to = p.log().log_end_offset(),
                           .reason = reason});
}

// AbstractFetcherThread.maybeTruncate (0.11 to 2.6): the fetcher's Truncating partitions ask the
// leader where their latest epoch ended before anything is fetched. False: nothing to ask.
bool BrokerNode::send_epoch_query(BrokerId leader, Context& ctx) {
    Fetcher& f = fetchers_.at(leader);
    OffsetForLeaderEpochRequest req;
    for (const TopicPartition& tp : f.partitions) {
        if (awaiting_truncation_.count(tp) == 0) continue;
        Partition& p = *partitions_.at(tp);
        if (p.log().latest_epoch() < 0) {
            // A log without epochs (written before 0.11, or empty) falls back to the high watermark.
            truncate_follower(p, p.high_watermark(), "no leader epoch: high watermark", ctx);
            awaiting_truncation_.erase(tp);
            continue;
        }
        req.partitions.push_back({tp, p.log().latest_epoch()});
    }
    if (req.partitions.empty()) return false;
    req.correlation_id = next_correlation_++;
    req.replica_id = id_;
    f.in_flight = true;
    f.correlation_id = req.correlation_id;
    ctx.cancel_timer(f.timer);
    f.timer = ctx.set_timer(sim::milliseconds(config_.replica_socket_timeout_ms), replica_timers_.tag(timer_fetcher, static_cast<uint64_t>(leader)));
    ctx.send(directory_.broker_node(leader), std::move(req));
    return true;
}

void BrokerNode::handle_offset_for_leader_epoch(sim::NodeId from, const OffsetForLeaderEpochRequest& req, Context& ctx) {
    OffsetForLeaderEpochResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& d : req.partitions) {
        OffsetForLeaderEpochResponse::PartitionData out;
        out.tp = d.tp;
        auto it = partitions_.find(d.tp);
        if (it == partitions_.end() || !it->second->is_leader()) {
            out.error = Error::not_leader_or_follower;
        } else {
            EpochEnd end = it->second->answer_epoch_query(d.leader_epoch);
            out.leader_epoch = end.epoch;
            out.end_offset = end.end_offset;
        }
        resp.partitions.push_back(out);
    }
    ctx.send(from, std::move(resp));
}

void BrokerNode::on_offset_for_leader_epoch(sim::NodeId from, const OffsetForLeaderEpochResponse& r, Context& ctx) {
    BrokerId leader = directory_.kafka_id(from);
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end() || !it->second.in_flight || it->second.correlation_id != r.correlation_id) return;
    Fetcher& f = it->second;
    f.in_flight = false;
    ctx.cancel_timer(f.timer);
    bool failed = false;
    for (const auto& d : r.partitions) {
        auto pit = partitions_.find(d.tp);
        if (pit == partitions_.end() || awaiting_truncation_.count(d.tp) == 0) continue;
        Partition& p = *pit->second;
        if (p.role() != Partition::Role::follower || p.assignment().leader != leader) continue;
        if (d.error != Error::none) {
            failed = true;  // the leader is not leading yet: ask again after the backoff
            continue;
        }
        const int32_t asked = p.log().latest_epoch();
        Partition::EpochTruncation t = p.truncation_for(asked, EpochEnd{d.leader_epoch, d.end_offset});
        ctx.emit(EpochEndOffset{.topic = p.topic(),
                                .partition = p.tp().partition,
                                .asked_epoch = asked,
                                .leader_epoch = d.leader_epoch,
                                .end_offset = d.end_offset,
                                .truncate_to = t.to});
        truncate_follower(p, t.to, t.reason, ctx);
        if (t.done) awaiting_truncation_.erase(d.tp);
    }
    if (failed) {
        backoff_fetcher(leader, ctx);
    } else {
        send_fetch(leader, ctx);
    }
}

void BrokerNode::on_fetch_response(sim::NodeId from, FetchResponse& r, Context& ctx) {
    BrokerId leader = directory_.kafka_id(from);
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end() || !it->second.in_flight || it->second.correlation_id != r.correlation_id) return;
    Fetcher& f = it->second;
    f.in_flight = false;
    ctx.cancel_timer(f.timer);
    bool failed = false;
    for (auto& d : r.partitions) {
        auto pit = partitions_.find(d.tp);
        if (pit == partitions_.end()) continue;
        Partition& p = *pit->second;
        if (p.role() != Partition::Role::follower || p.assignment().leader != leader) continue;
        if (awaiting_truncation_.count(d.tp) != 0) continue;  // a new epoch began while this fetch flew
        if (d.error != Error::none) {
            failed = true;  // NOT_LEADER / FENCED / UNKNOWN epoch: wait for metadata, back off
            continue;
        }
        if (d.diverging) {
            handle_divergence(p, d, ctx);
            continue;
        }
        if (!p.append_fetched(d.batches, d.high_watermark, ctx.now())) {
            ctx.emit(FetchOffsetMismatch{
                .topic = p.topic(), .partition = p.tp().partition, .log_end_offset = p.log().log_end_offset()});
            failed = true;  // the partition is stuck: every retry meets the same batch
        }
    }
    if (failed) {
        backoff_fetcher(leader, ctx);
    } else {
        send_fetch(leader, ctx);
    }
}

}  // namespace kafka

namespace kafka {

// ------------------------------------------------------------------------------ group coordination

bool BrokerNode::is_offsets_topic(TopicPartition tp) const {
    const TopicImage* t = image_.topic(tp.topic_id);
    return t != nullptr && t->name == consumer_offsets_topic;
}

std::optional<TopicPartition> BrokerNode::offsets_partition(int32_t partition) const {
    const TopicImage* t = image_.topic(consumer_offsets_topic);
    if (t == nullptr || t->partition(partition) == nullptr) return std::nullopt;
    return TopicPartition{t->id, partition};
}

void BrokerNode::handle_find_coordinator(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx) {
    FindCoordinatorResponse resp;
    resp.correlation_id = req.correlation_id;
    const int32_t partition = coordinator_.partition_for(req.group_id);
    std::optional<TopicPartition> tp = offsets_partition(partition);
    if (!tp) {
        // The first group: the broker has the controller create __consumer_offsets
        // (AutoTopicCreationManager) and the client asks again.
        resp.error = Error::coordinator_not_available;
        sim::NodeId controller = zk_ ? directory_.broker_node(zk_controller_id_) : active_controller_node();
        const bool asked_recently = offsets_topic_requested_at_ && ctx.now() - *offsets_topic_requested_at_ <
                                                                       sim::milliseconds(config_.controller_quorum_request_timeout_ms);
        if (!asked_recently && controller != sim::no_node) {
            offsets_topic_requested_at_ = ctx.now();
            CreateTopicsRequest create;
            create.correlation_id = next_correlation_++;
            create.topics.push_back(CreatableTopic{consumer_offsets_topic, config_.offsets_topic_num_partitions,
                                                   static_cast<int16_t>(config_.offsets_topic_replication_factor),
                                                   {}, {}});
            ctx.emit(CreateOffsetsTopic{.partitions = config_.offsets_topic_num_partitions,
                                        .replication_factor = config_.offsets_topic_replication_factor});
            ctx.send(controller, std::move(create));
        }
    } else {
        const PartitionState* st = image_.partition(*tp);
        resp.node_id = st == nullptr ? no_leader : st->leader;
        if (resp.node_id == no_leader || image_.broker(resp.node_id) == nullptr || image_.broker(resp.node_id)->fenced)
            resp.error = Error::coordinator_not_available;
    }
    ctx.send(from, std::move(resp));
}

std::optional<int64_t> BrokerNode::append_group_records(int32_t partition, std::shared_ptr<const GroupRecords> records,
                                                        Error& error, Context& ctx) {
    std::optional<TopicPartition> tp = offsets_partition(partition);
    auto it = tp ? partitions_.find(*tp) : partitions_.end();
    if (it == partitions_.end() || !it->second->is_leader()) {
        error = Error::not_leader_or_follower;
        return std::nullopt;
    }
    Partition& p = *it->second;
    RecordBatch batch;
    batch.record_count = records->count();
    batch.size_bytes = record_batch_overhead_bytes + 64 * batch.record_count;
    batch.create_time = ctx.now();
    batch.group_records = std::move(records);
    Partition::AppendResult r = p.append_as_leader(batch, /*acks=*/-1, ctx.now());
    if (r.error != Error::none) {
        error = r.error;
        return std::nullopt;
    }
    on_log_appended(p, ctx);
    return r.required_offset;
}

int64_t BrokerNode::group_partition_high_watermark(int32_t partition) const {
    std::optional<TopicPartition> tp = offsets_partition(partition);
    auto it = tp ? partitions_.find(*tp) : partitions_.end();
    return it == partitions_.end() ? -1 : it->second->high_watermark();
}

}  // namespace kafka
