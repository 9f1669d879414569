#include "broker/controller_node.hpp"

#include <optional>
#include <utility>

namespace kafka {

ControllerNode::ControllerNode(int32_t node_id, std::vector<int32_t> voters, const BrokerConfig& config,
                               const ClusterDirectory& directory, uint64_t placement_seed)
    : id_(node_id),
      config_(config),
      raft_(node_id, std::move(voters), RaftConfig::from(config), directory, timer_space(TimerComponent::raft)),
      controller_(std::make_unique<QuorumController>(config, placement_seed)) {
    raft_.set_listener(this);
}

void ControllerNode::on_start(Context& ctx) {
    ctx.emit(ControllerStart{.controller = id_});
    raft_.start(ctx);
}

void ControllerNode::on_shutdown(Context& ctx) {
    if (!raft_.is_leader() || raft_.voters().size() <= 1) {
        raft_.resign(ctx);
        ctx.exit();
        return;
    }
    // KafkaRaftClient.shutdown: resign with EndQuorumEpoch (the voters elect a successor
    // without waiting for a fetch timeout) and exit once a voter acknowledged it, or after
    // the request timeout. Exiting at once would reset the connections it was sent on.
    shutting_down_ = true;
    raft_.resign(ctx);
    ctx.set_timer(sim::milliseconds(config_.controller_quorum_request_timeout_ms), timers_.tag(timer_exit));
}

void ControllerNode::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (shutting_down_ && std::holds_alternative<EndQuorumEpochResponse>(msg)) {
        ctx.exit();
        return;
    }
    if (raft_.handle_message(from, msg, ctx)) return;
    handle_request(from, msg, ctx);
}

void ControllerNode::on_timer(uint64_t tag, Context& ctx) {
    if (raft_.handle_timer(tag, ctx)) return;
    if (!timers_.owns(tag)) return;
    const uint64_t kind = sim::TimerSpace::kind_of(tag);
    if (kind == timer_exit) {
        ctx.exit();
    } else if (kind == timer_noop) {
        noop_timer_ = sim::TimerId{};
        if (!active_) return;
        append_records({NoOpRecord{}}, sim::no_node, Message{}, ctx);
        if (active_) noop_timer_ = ctx.set_timer(sim::milliseconds(idle_noop_interval_ms), timers_.tag(timer_noop));
    } else if (kind == timer_tick) {
        tick_timer_ = sim::TimerId{};
        if (!active_) return;
        std::vector<MetadataRecord> records = controller_->tick(ctx.now());
        if (!records.empty())
            append_records(std::move(records), sim::no_node, Message{}, ctx, "broker.session.timeout.ms expired");
        if (active_) {
            records = controller_->balance_partition_leaders(ctx.now());
            if (!records.empty())
                append_records(std::move(records), sim::no_node, Message{}, ctx,
                               "preferred replica leader election (auto.leader.rebalance.enable)");
        }
        if (active_) {
            records = controller_->elect_unclean_leaders(ctx.now());
            if (!records.empty())
                append_records(std::move(records), sim::no_node, Message{}, ctx,
                               "unclean leader election (unclean.leader.election.enable, periodic check)");
        }
        if (active_) tick_timer_ = ctx.set_timer(sim::milliseconds(tick_interval_ms), timers_.tag(timer_tick));
    }
}

// ------------------------------------------------------------------------------ Raft glue

void ControllerNode::handle_leader_change(LeaderAndEpoch leader, Context& ctx) {
    // QuorumController.QuorumMetaLogListener.handleLeaderChange: renounce when another node
    // (or none) leads, claim when this one does.
    if (active_ && (leader.leader != id_ || leader.epoch != active_epoch_)) deactivate(ctx);
    if (!active_ && leader.leader == id_) activate(ctx);
}

void ControllerNode::handle_commit(int64_t high_watermark, Context& ctx) {
    if (!active_) {
        replay_committed(high_watermark);
        return;
    }
    while (!deferred_.empty() && deferred_.front().last_offset < high_watermark) {
        Deferred d = std::move(deferred_.front());
        deferred_.pop_front();
        ctx.send(d.to, std::move(d.response));
    }
}

void ControllerNode::replay_committed(int64_t high_watermark) {
    // Follow the committed log only: an uncommitted tail may still be truncated.
    for (; replayed_ < high_watermark; ++replayed_) controller_->replay(replayed_, raft_.entry(replayed_).record);
}

void ControllerNode::activate(Context& ctx) {
    // Everything in the log is committed now: the LeaderChangeMessage is the last entry
    // written before this point and the high watermark has passed it.
    controller_->reset();
    int64_t leo = raft_.log_end_offset();
    for (int64_t o = 0; o < leo; ++o) controller_->replay(o, raft_.entry(o).record);
    replayed_ = leo;
    controller_->on_become_active(ctx.now());
    active_ = true;
    active_epoch_ = raft_.epoch();
    ctx.emit(ControllerActive{.epoch = active_epoch_});
    noop_timer_ = ctx.set_timer(sim::milliseconds(idle_noop_interval_ms), timers_.tag(timer_noop));
    tick_timer_ = ctx.set_timer(sim::milliseconds(tick_interval_ms), timers_.tag(timer_tick));
}

void ControllerNode::deactivate(Context& ctx) {
    ctx.emit(ControllerInactive{.epoch = active_epoch_});
    active_ = false;
    active_epoch_ = -1;
    deferred_.clear();  // their records may never commit: the clients time out and retry
    ctx.cancel_timer(noop_timer_);
    ctx.cancel_timer(tick_timer_);
    // The image held speculative records: start again from the committed prefix
    // (QuorumController.renounce reverts to the last committed snapshot).
    controller_->reset();
    replayed_ = 0;
    replay_committed(raft_.high_watermark());
}

bool ControllerNode::append_records(std::vector<MetadataRecord> records, sim::NodeId to, Message response,
                                    Context& ctx, const char* reason, bool admin) {
    int64_t base = raft_.log_end_offset();
    if (records.empty()) {
        if (to != sim::no_node) ctx.send(to, std::move(response));
        return true;
    }
    // Replay before appending: the controller's next decision reads its own records.
    for (size_t i = 0; i < records.size(); ++i) {
        trace_decision(records[i], reason, admin, ctx);
        controller_->replay(base + static_cast<int64_t>(i), records[i]);
    }
    int64_t last = base + static_cast<int64_t>(records.size()) - 1;
    replayed_ = last + 1;
    // Deferred before the append: a lone voter commits at once, and hears of it in append.
    if (to != sim::no_node) deferred_.push_back(Deferred{last, to, std::move(response)});
    int64_t first = raft_.append(std::move(records), ctx);
    SIM_ASSERT(first == base, "controller: appended at an unexpected offset");
    return true;
}

// ------------------------------------------------------------------------------ requests

void ControllerNode::handle_request(sim::NodeId from, Message& msg, Context& ctx) {
    bool is_request = std::holds_alternative<BrokerRegistrationRequest>(msg) ||
                      std::holds_alternative<BrokerHeartbeatRequest>(msg) ||
                      std::holds_alternative<AlterPartitionRequest>(msg) ||
                      std::holds_alternative<CreateTopicsRequest>(msg) ||
                      std::holds_alternative<DeleteTopicsRequest>(msg) ||
                      std::holds_alternative<CreatePartitionsRequest>(msg) ||
                      std::holds_alternative<IncrementalAlterConfigsRequest>(msg) ||
                      std::holds_alternative<ElectLeadersRequest>(msg) ||
                      std::holds_alternative<AlterPartitionReassignmentsRequest>(msg) ||
                      std::holds_alternative<ListPartitionReassignmentsRequest>(msg);
    if (!is_request) return;
    if (!active_) {
        reply_not_controller(from, msg, ctx);
        return;
    }
    if (const auto* list = std::get_if<ListPartitionReassignmentsRequest>(&msg)) {
        // A read: answered from the image at once (Kafka reads the last committed state; the
        // image here may hold this controller's uncommitted records too).
        ctx.send(from, controller_->list_partition_reassignments(*list));
        return;
    }
    int64_t next = raft_.log_end_offset();
    sim::Time now = ctx.now();
    QuorumController::Result r;
    const char* reason = "";
    bool admin = false;  // an Admin API request: its topic changes are traced too
    if (auto* reg = std::get_if<BrokerRegistrationRequest>(&msg)) {
        r = controller_->handle_broker_registration(*reg, next, now);
        reason = "the broker registered again";
        if (const auto* resp = std::get_if<BrokerRegistrationResponse>(&r.response); resp && resp->error != Error::none) {
            std::optional<sim::Time> last = controller_->last_heartbeat(reg->broker_id);
            ctx.emit(BrokerRegistrationRejected{.broker = reg->broker_id,
                                                .error = error_name(resp->error),
                                                .since_heartbeat_ms = last ? (now - *last).ms() : int64_t{-1}});
        }
    } else if (auto* hb = std::get_if<BrokerHeartbeatRequest>(&msg)) {
        r = controller_->handle_broker_heartbeat(*hb, next, now);
        reason = hb->want_shut_down ? "controlled shutdown" : "heartbeat";
    } else if (auto* ap = std::get_if<AlterPartitionRequest>(&msg)) {
        r = controller_->handle_alter_partition(*ap, next, now);
        reason = "AlterPartition from the leader";
    } else if (auto* ct = std::get_if<CreateTopicsRequest>(&msg)) {
        r = controller_->handle_create_topics(*ct, next, now);
    } else if (auto* dt = std::get_if<DeleteTopicsRequest>(&msg)) {
        r = controller_->handle_delete_topics(*dt);
        reason = "DeleteTopics";
        admin = true;
    } else if (auto* cp = std::get_if<CreatePartitionsRequest>(&msg)) {
        r = controller_->handle_create_partitions(*cp);
        reason = "CreatePartitions";
        admin = true;
    } else if (auto* ac = std::get_if<IncrementalAlterConfigsRequest>(&msg)) {
        r = controller_->handle_incremental_alter_configs(*ac);
        reason = "IncrementalAlterConfigs";
        admin = true;
    } else if (auto* el = std::get_if<ElectLeadersRequest>(&msg)) {
        r = controller_->handle_elect_leaders(*el);
        reason = el->type == ElectionType::preferred ? "ElectLeaders (PREFERRED)" : "ElectLeaders (UNCLEAN)";
        admin = true;
    } else if (auto* ar = std::get_if<AlterPartitionReassignmentsRequest>(&msg)) {
        r = controller_->handle_alter_partition_reassignments(*ar);
        reason = "AlterPartitionReassignments";
        admin = true;
    }
    append_records(std::move(r.records), from, std::move(r.response), ctx, reason, admin);
}

void ControllerNode::trace_decision(const MetadataRecord& record, const char* reason, bool admin,
                                    Context& ctx) const {
    const MetadataImage& image = controller_->image();
    if (const auto* f = std::get_if<FenceBrokerRecord>(&record)) {
        std::optional<sim::Time> last = controller_->last_heartbeat(f->broker_id);
        ctx.emit(BrokerFenced{.broker = f->broker_id,
                              .since_heartbeat_ms = last ? (ctx.now() - *last).ms() : int64_t{-1},
                              .reason = reason});
    } else if (const auto* u = std::get_if<UnfenceBrokerRecord>(&record)) {
        ctx.emit(BrokerUnfenced{.broker = u->broker_id});
    } else if (const auto* rt = std::get_if<RemoveTopicRecord>(&record)) {
        if (const TopicImage* topic = image.topic(rt->topic_id))
            ctx.emit(TopicAdminChange{.topic = topic->name,
                                      .change = "deleted",
                                      .detail = std::to_string(topic->partitions.size()) + " partitions"});
    } else if (const auto* cr = std::get_if<ConfigRecord>(&record); cr && admin) {
        if (const TopicImage* topic = image.topic(cr->topic_id))
            ctx.emit(TopicAdminChange{
                .topic = topic->name,
                .change = cr->deleted ? "config deleted" : "config set",
                .detail = cr->deleted ? cr->name : cr->name + "=" + format_config_value(cr->value)});
    } else if (const auto* pr = std::get_if<PartitionRecord>(&record); pr && admin) {
        if (const TopicImage* topic = image.topic(pr->topic_id))
            ctx.emit(TopicAdminChange{.topic = topic->name,
                                      .change = "partition added",
                                      .detail = "partition " + std::to_string(pr->partition) + " replicas " +
                                                format_broker_list(pr->replicas) + " leader " +
                                                std::to_string(pr->leader)});
    } else if (const auto* c = std::get_if<PartitionChangeRecord>(&record)) {
        const TopicImage* topic = image.topic(c->topic_id);
        const PartitionState* p = topic ? topic->partition(c->partition) : nullptr;
        if (!p) return;
        const BrokerId leader = c->has_leader ? c->leader : p->leader;
        PartitionChange change{.topic = topic->name,
                               .partition = c->partition,
                               .leader_from = p->leader,
                               .leader = leader,
                               .leader_epoch = c->has_leader ? p->leader_epoch + 1 : p->leader_epoch,
                               .isr_from = p->isr,
                               .isr = c->has_isr ? c->isr : p->isr,
                               .unclean = c->leader_recovering,
                               .reason = reason};
        if (c->has_elr || c->has_last_known_elr) {  // KIP-966: only when it changes, so runs without ELR read as before
            change.elr = c->has_elr ? c->elr : p->elr;
            change.last_known_elr = c->has_last_known_elr ? c->last_known_elr : p->last_known_elr;
        }
        if (c->has_replicas) {
            change.replicas = c->replicas;
            change.adding = c->adding_replicas;
            change.removing = c->removing_replicas;
            if (p->reassigning() && c->adding_replicas.empty() && c->removing_replicas.empty()) {
                std::vector<BrokerId> kept;  // the replicas once the removing ones are gone
                for (BrokerId b : p->replicas)
                    if (!contains(p->removing_replicas, b)) kept.push_back(b);
                change.reason += change.reason.empty() ? "" : ": ";
                change.reason += c->replicas == kept ? "reassignment completed" : "reassignment cancelled";
            }
        }
        ctx.emit(std::move(change));
    }
}

void ControllerNode::reply_not_controller(sim::NodeId from, const Message& msg, Context& ctx) {
    if (const auto* reg = std::get_if<BrokerRegistrationRequest>(&msg)) {
        BrokerRegistrationResponse resp;
        resp.correlation_id = reg->correlation_id;
        resp.error = Error::not_controller;
        ctx.send(from, std::move(resp));
    } else if (const auto* hb = std::get_if<BrokerHeartbeatRequest>(&msg)) {
        BrokerHeartbeatResponse resp;
        resp.correlation_id = hb->correlation_id;
        resp.error = Error::not_controller;
        ctx.send(from, std::move(resp));
    } else if (const auto* ap = std::get_if<AlterPartitionRequest>(&msg)) {
        AlterPartitionResponse resp;
        resp.correlation_id = ap->correlation_id;
        resp.error = Error::not_controller;
        resp.tp = ap->tp;
        ctx.send(from, std::move(resp));
    } else if (const auto* ct = std::get_if<CreateTopicsRequest>(&msg)) {
        CreateTopicsResponse resp;
        resp.correlation_id = ct->correlation_id;
        resp.topics.reserve(ct->topics.size());
        for (const auto& t : ct->topics) resp.topics.push_back({t.name, 0, Error::not_controller, not_controller_message});
        ctx.send(from, std::move(resp));
    } else if (const auto* dt = std::get_if<DeleteTopicsRequest>(&msg)) {
        DeleteTopicsResponse resp;
        resp.correlation_id = dt->correlation_id;
        for (const auto& name : dt->topics) resp.topics.push_back({name, Error::not_controller, not_controller_message});
        ctx.send(from, std::move(resp));
    } else if (const auto* cp = std::get_if<CreatePartitionsRequest>(&msg)) {
        CreatePartitionsResponse resp;
        resp.correlation_id = cp->correlation_id;
        for (const auto& t : cp->topics) resp.topics.push_back({t.name, Error::not_controller, not_controller_message});
        ctx.send(from, std::move(resp));
    } else if (const auto* ac = std::get_if<IncrementalAlterConfigsRequest>(&msg)) {
        IncrementalAlterConfigsResponse resp;
        resp.correlation_id = ac->correlation_id;
        for (const auto& res : ac->resources)
            resp.resources.push_back({res.type, res.name, Error::not_controller, not_controller_message});
        ctx.send(from, std::move(resp));
    } else if (const auto* el = std::get_if<ElectLeadersRequest>(&msg)) {
        ElectLeadersResponse resp;
        resp.correlation_id = el->correlation_id;
        resp.error = Error::not_controller;
        ctx.send(from, std::move(resp));
    } else if (const auto* ar = std::get_if<AlterPartitionReassignmentsRequest>(&msg)) {
        AlterPartitionReassignmentsResponse resp;
        resp.correlation_id = ar->correlation_id;
        resp.error = Error::not_controller;
        resp.message = not_controller_message;
        ctx.send(from, std::move(resp));
    } else if (const auto* lr = std::get_if<ListPartitionReassignmentsRequest>(&msg)) {
        ListPartitionReassignmentsResponse resp;
        resp.correlation_id = lr->correlation_id;
        resp.error = Error::not_controller;
        ctx.send(from, std::move(resp));
    }
}

}  // namespace kafka
