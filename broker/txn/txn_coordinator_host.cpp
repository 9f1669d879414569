#include "broker/txn/txn_coordinator_host.hpp"

#include <vector>

namespace kafka {

namespace {

constexpr const char* producer_id_block_file = "producer-id-block";

}  // namespace

TransactionCoordinator::Options transaction_coordinator_options(const BrokerConfig& config) {
    TransactionCoordinator::Options o;
    o.num_partitions = config.transaction_state_log_num_partitions;
    o.offsets_topic_num_partitions = config.offsets_topic_num_partitions;
    o.max_timeout_ms = config.transaction_max_timeout_ms;
    o.abort_timed_out_interval_ms = config.transaction_abort_timed_out_transaction_cleanup_interval_ms;
    o.transaction_version_2 = config.transactions.transaction_version_2 && config.transaction_version >= 2;
    o.init_producer_id_with_epoch = config.transactions.init_producer_id_with_epoch;
    o.producer_fenced_error = config.transactions.producer_fenced_error;
    o.transaction_abortable_error = config.transactions.transaction_abortable_error;
    return o;
}

void TxnCoordinatorHost::unsupported(sim::NodeId from, const InitProducerIdRequest& req, Context& ctx) {
    InitProducerIdResponse r;
    r.correlation_id = req.correlation_id;
    r.error = Error::unsupported_version;
    ctx.send(from, r);
}
void TxnCoordinatorHost::unsupported(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx) {
    AddPartitionsToTxnResponse r;
    r.correlation_id = req.correlation_id;
    for (const auto& tp : req.partitions) r.results.push_back({tp, Error::unsupported_version});
    ctx.send(from, std::move(r));
}
void TxnCoordinatorHost::unsupported(sim::NodeId from, const AddOffsetsToTxnRequest& req, Context& ctx) {
    ctx.send(from, AddOffsetsToTxnResponse{req.correlation_id, Error::unsupported_version});
}
void TxnCoordinatorHost::unsupported(sim::NodeId from, const EndTxnRequest& req, Context& ctx) {
    EndTxnResponse r;
    r.correlation_id = req.correlation_id;
    r.error = Error::unsupported_version;
    ctx.send(from, r);
}

std::optional<TopicPartition> TxnCoordinatorHost::state_partition(int32_t partition) const {
    const TopicImage* t = image_.topic(transaction_state_topic);
    if (t == nullptr || t->partition(partition) == nullptr) return std::nullopt;
    return TopicPartition{t->id, partition};
}

// ------------------------------------------------------------------------------ FindCoordinator

void TxnCoordinatorHost::request_topic(Context& ctx) {
    sim::NodeId controller = metadata_.controller_node();
    const bool asked_recently = topic_requested_at_ && ctx.now() - *topic_requested_at_ <
                                                           sim::milliseconds(config_.controller_quorum_request_timeout_ms);
    if (asked_recently || controller == sim::no_node) return;
    topic_requested_at_ = ctx.now();
    CreateTopicsRequest create;
    create.correlation_id = correlation_ids_.next();
    // TransactionLog / AutoTopicCreationManager: compacted, its own min ISR, no unclean election.
    ConfigMap configs;
    configs["min.insync.replicas"] = static_cast<int64_t>(config_.transaction_state_log_min_isr);
    configs["cleanup.policy"] = std::string("compact");
    configs["unclean.leader.election.enable"] = false;
    create.topics.push_back(CreatableTopic{transaction_state_topic, config_.transaction_state_log_num_partitions,
                                           static_cast<int16_t>(config_.transaction_state_log_replication_factor),
                                           {}, std::move(configs)});
    ctx.send(controller, std::move(create));
}

void TxnCoordinatorHost::find_coordinator(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx) {
    FindCoordinatorResponse resp;
    resp.correlation_id = req.correlation_id;
    if (!config_.transactions.transactions_supported) {  // FindCoordinator v1 (key_type) came with 0.11
        resp.error = Error::unsupported_version;
        ctx.send(from, std::move(resp));
        return;
    }
    const int32_t partition = coordinator_.partition_for(req.group_id);
    std::optional<TopicPartition> tp = state_partition(partition);
    if (!tp) {
        resp.error = Error::coordinator_not_available;
        request_topic(ctx);
    } else {
        const PartitionState* st = image_.partition(*tp);
        resp.node_id = st == nullptr ? no_leader : st->leader;
        if (!image_.is_unfenced(resp.node_id)) resp.error = Error::coordinator_not_available;
    }
    ctx.send(from, std::move(resp));
}

// ------------------------------------------------------------------------------ leadership

void TxnCoordinatorHost::on_election(const Partition& p, Context& ctx) {
    if (p.topic() != transaction_state_topic) return;
    std::vector<RecordBatch> log;
    p.log().all_batches(log);
    coordinator_.load_partition(p.tp().partition, log, ctx);
    // The timed-out transaction scan runs once this broker coordinates anything: armed at broker
    // start it would change the event order of every run without transactions.
    if (!started_) {
        started_ = true;
        coordinator_.start(ctx);
    }
}

void TxnCoordinatorHost::on_resignation(const std::string& topic, int32_t partition, Context& ctx) {
    if (topic == transaction_state_topic) coordinator_.unload_partition(partition, ctx);
}

void TxnCoordinatorHost::on_high_watermark(const Partition& p, Context& ctx) {
    if (p.topic() == transaction_state_topic) coordinator_.on_high_watermark(p.tp().partition, p.high_watermark(), ctx);
}

// ------------------------------------------------------------------------------ appends

std::optional<int64_t> TxnCoordinatorHost::append_txn_records(int32_t partition,
                                                              std::shared_ptr<const TransactionRecords> records,
                                                              Error& error, Context& ctx) {
    std::optional<TopicPartition> tp = state_partition(partition);
    if (!tp) {
        error = Error::not_leader_or_follower;
        return std::nullopt;
    }
    RecordBatch batch;
    batch.record_count = static_cast<int32_t>(records->values.size());
    batch.size_bytes = record_batch_overhead_bytes + 64 * batch.record_count;
    batch.create_time = ctx.now();
    batch.txn_records = std::move(records);
    Partition::AppendResult r = replicas_.append_as_leader(*tp, batch, ctx);
    if (r.error != Error::none) {
        error = r.error;
        return std::nullopt;
    }
    return r.required_offset;
}

int64_t TxnCoordinatorHost::txn_partition_high_watermark(int32_t partition) const {
    std::optional<TopicPartition> tp = state_partition(partition);
    const Partition* p = tp ? replicas_.partition(*tp) : nullptr;
    return p == nullptr ? -1 : p->high_watermark();
}

int32_t TxnCoordinatorHost::txn_partition_leader_epoch(int32_t partition) const {
    std::optional<TopicPartition> tp = state_partition(partition);
    const Partition* p = tp ? replicas_.partition(*tp) : nullptr;
    return p == nullptr ? -1 : p->leader_epoch();
}

// ------------------------------------------------------------------------------ producer ids

int64_t TxnCoordinatorHost::allocate_producer_id(Context& ctx) {
    if (next_producer_id_ == block_end_) {
        auto& cell = ctx.disk().cell<int64_t>(producer_id_block_file);
        const int64_t block = cell.has_value() ? cell.get() : 0;
        cell.set(block + 1);
        cell.flush();  // durable before an id of the block is handed out
        next_producer_id_ = (block * producer_id_block_stride + id_) * producer_id_block_size;
        block_end_ = next_producer_id_ + producer_id_block_size;
    }
    return next_producer_id_++;
}

// ------------------------------------------------------------------------------ markers

void TxnCoordinatorHost::send_markers(const TransactionCoordinator::MarkerRequest& markers, Context& ctx) {
    // TransactionMarkerChannelManager.addTxnMarkersToBrokerQueue: by the partitions' current
    // leaders; a partition without one is retried.
    std::map<BrokerId, InFlight> by_leader;
    std::vector<GroupPartition> no_leader_parts;
    for (const GroupPartition& gp : markers.partitions) {
        const TopicImage* t = image_.topic(gp.topic);
        const PartitionState* st = t == nullptr ? nullptr : t->partition(gp.partition);
        const sim::NodeId node = st == nullptr || st->leader == no_leader ? sim::no_node : directory_.broker_node(st->leader);
        if (node == sim::no_node) {
            no_leader_parts.push_back(gp);
            continue;
        }
        InFlight& f = by_leader[st->leader];
        f.to = node;
        f.partitions.emplace(TopicPartition{t->id, gp.partition}, gp);
    }
    for (auto& [leader, f] : by_leader) {
        WriteTxnMarkersRequest req;
        req.correlation_id = correlation_ids_.next();
        WritableTxnMarker m;
        m.producer_id = markers.producer_id;
        m.producer_epoch = markers.producer_epoch;
        m.transaction_result = markers.commit;
        m.coordinator_epoch = markers.coordinator_epoch;
        for (const auto& [tp, gp] : f.partitions) m.partitions.push_back(tp);
        req.markers.push_back(std::move(m));
        f.transactional_id = markers.transactional_id;
        f.producer_id = markers.producer_id;
        f.timer = ctx.set_timer(sim::milliseconds(request_timeout_ms),
                                channel_timers_.tag(purpose_marker_timeout, static_cast<uint64_t>(req.correlation_id)));
        const sim::NodeId to = f.to;
        in_flight_.emplace(req.correlation_id, std::move(f));
        ctx.send(to, std::move(req));
    }
    for (const GroupPartition& gp : no_leader_parts)
        coordinator_.on_marker_result(markers.transactional_id, markers.producer_id, gp, Error::not_leader_or_follower,
                                      ctx);
}

void TxnCoordinatorHost::handle(sim::NodeId from, const WriteTxnMarkersResponse& resp, Context& ctx) {
    auto it = in_flight_.find(resp.correlation_id);
    if (it == in_flight_.end() || it->second.to != from) return;  // timed out already, or not ours
    InFlight f = std::move(it->second);
    in_flight_.erase(it);
    ctx.cancel_timer(f.timer);
    for (const WriteTxnMarkersResponse::MarkerResult& m : resp.markers) {
        if (m.producer_id != f.producer_id) continue;
        for (const WriteTxnMarkersResponse::PartitionResult& pr : m.partitions) {
            auto p = f.partitions.find(pr.tp);
            if (p == f.partitions.end()) continue;
            const GroupPartition gp = p->second;
            f.partitions.erase(p);
            coordinator_.on_marker_result(f.transactional_id, f.producer_id, gp, pr.error, ctx);
        }
    }
    // A partition the answer does not mention is sent again.
    for (const auto& [tp, gp] : f.partitions)
        coordinator_.on_marker_result(f.transactional_id, f.producer_id, gp, Error::unknown_topic_or_partition, ctx);
}

void TxnCoordinatorHost::fail_request(int32_t correlation_id, Error error, Context& ctx) {
    auto it = in_flight_.find(correlation_id);
    if (it == in_flight_.end()) return;
    InFlight f = std::move(it->second);
    in_flight_.erase(it);
    for (const auto& [tp, gp] : f.partitions)
        coordinator_.on_marker_result(f.transactional_id, f.producer_id, gp, error, ctx);
}

void TxnCoordinatorHost::on_timer(uint64_t tag, Context& ctx) {
    if (coordinator_.owns_timer(tag)) {
        coordinator_.on_timer(tag, ctx);
        return;
    }
    if (!channel_timers_.owns(tag) || sim::TimerSpace::kind_of(tag) != purpose_marker_timeout) return;
    fail_request(static_cast<int32_t>(sim::TimerSpace::value_of(tag)), Error::request_timed_out, ctx);
}

void TxnCoordinatorHost::on_disconnect(sim::NodeId peer, Context& ctx) {
    std::vector<int32_t> lost;
    for (const auto& [correlation_id, f] : in_flight_)
        if (f.to == peer) lost.push_back(correlation_id);
    for (int32_t correlation_id : lost) {
        ctx.cancel_timer(in_flight_.at(correlation_id).timer);
        fail_request(correlation_id, Error::network_exception, ctx);
    }
}

}  // namespace kafka
