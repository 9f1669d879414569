#include "broker/group/coordinator_host.hpp"

#include <vector>

namespace kafka {

std::optional<TopicPartition> CoordinatorHost::offsets_partition(int32_t partition) const {
    const TopicImage* t = image_.topic(consumer_offsets_topic);
    if (t == nullptr || t->partition(partition) == nullptr) return std::nullopt;
    return TopicPartition{t->id, partition};
}

void CoordinatorHost::handle(sim::NodeId from, const FindCoordinatorRequest& req, Context& ctx) {
    FindCoordinatorResponse resp;
    resp.correlation_id = req.correlation_id;
    const int32_t partition = coordinator_.partition_for(req.group_id);
    std::optional<TopicPartition> tp = offsets_partition(partition);
    if (!tp) {
        // The first group: the broker has the controller create __consumer_offsets
        // (AutoTopicCreationManager) and the client asks again.
        resp.error = Error::coordinator_not_available;
        sim::NodeId controller = metadata_.controller_node();
        const bool asked_recently = offsets_topic_requested_at_ && ctx.now() - *offsets_topic_requested_at_ <
                                                                       sim::milliseconds(config_.controller_quorum_request_timeout_ms);
        if (!asked_recently && controller != sim::no_node) {
            offsets_topic_requested_at_ = ctx.now();
            CreateTopicsRequest create;
            create.correlation_id = correlation_ids_.next();
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
        if (!image_.is_unfenced(resp.node_id)) resp.error = Error::coordinator_not_available;
    }
    ctx.send(from, std::move(resp));
}

// ------------------------------------------------------------------------------ leadership

void CoordinatorHost::on_election(const Partition& p, Context& ctx) {
    if (p.topic() != consumer_offsets_topic) return;
    // GroupMetadataManager.scheduleLoadGroupAndOffsets: the groups of this partition are read
    // back from this replica of the log.
    std::vector<RecordBatch> log;
    p.log().all_batches(log);
    coordinator_.load_partition(p.tp().partition, log, ctx);
}

void CoordinatorHost::on_resignation(const std::string& topic, int32_t partition, Context& ctx) {
    if (topic == consumer_offsets_topic) coordinator_.unload_partition(partition, ctx);
}

void CoordinatorHost::on_high_watermark(const Partition& p, Context& ctx) {
    if (p.topic() == consumer_offsets_topic) coordinator_.on_high_watermark(p.tp().partition, p.high_watermark(), ctx);
}

void CoordinatorHost::on_offsets_txn_completed(int64_t producer_id, const std::vector<TopicPartition>& partitions,
                                               bool commit, Context& ctx) {
    std::vector<int32_t> offsets_partitions;
    for (const TopicPartition& tp : partitions) offsets_partitions.push_back(tp.partition);
    coordinator_.on_txn_completed(producer_id, offsets_partitions, commit, ctx);
}

// ------------------------------------------------------------------------------ appends

std::optional<int64_t> CoordinatorHost::append_group_records(int32_t partition,
                                                             std::shared_ptr<const GroupRecords> records,
                                                             const std::optional<GroupCoordinator::TxnProducer>& txn, Error& error,
                                                             Context& ctx) {
    std::optional<TopicPartition> tp = offsets_partition(partition);
    if (!tp) {
        error = Error::not_leader_or_follower;
        return std::nullopt;
    }
    RecordBatch batch;
    batch.record_count = records->count();
    batch.size_bytes = record_batch_overhead_bytes + 64 * batch.record_count;
    batch.create_time = ctx.now();
    batch.group_records = std::move(records);
    if (txn) {
        // GroupMetadataManager.storeOffsets: a transactional batch of the producer. Its sequence is
        // not checked (origin COORDINATOR), so the batch carries none.
        batch.producer_id = txn->producer_id;
        batch.producer_epoch = txn->producer_epoch;
        batch.is_transactional = true;
    }
    Partition::AppendResult r = replicas_.append_as_leader(*tp, batch, ctx);
    if (r.error != Error::none) {
        error = r.error;
        return std::nullopt;
    }
    return r.required_offset;
}

int64_t CoordinatorHost::group_partition_high_watermark(int32_t partition) const {
    std::optional<TopicPartition> tp = offsets_partition(partition);
    const Partition* p = tp ? replicas_.partition(*tp) : nullptr;
    return p == nullptr ? -1 : p->high_watermark();
}

}  // namespace kafka
