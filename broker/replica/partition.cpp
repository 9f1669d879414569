#include "broker/replica/partition.hpp"

#include <algorithm>

namespace kafka {

Partition::Partition(TopicPartition tp, std::string topic, BrokerId local, sim::Disk& disk, const TopicConfig& config,
                     const Behaviour& behaviour)
    : tp_(tp),
      topic_(std::move(topic)),
      local_(local),
      config_(config),
      behaviour_(behaviour),
      log_(disk, topic_ + "-" + std::to_string(tp.partition), config) {
    // A restarted broker starts from its checkpointed high watermark (read at open).
    high_watermark_ = log_.checkpointed_high_watermark();
    rebuild_producer_state();
}

// Loading a log (UnifiedLog.rebuildProducerState, LogSegment.recover) replays its batches:
// the producer state, the open transactions and the aborted-transaction index come back as
// the appends made them.
void Partition::rebuild_producer_state() {
    producers_.clear();
    log_.txn_index().clear();
    std::vector<RecordBatch> all;
    log_.all_batches(all);
    for (const auto& b : all) apply_to_producer_state(b);
    producers_.on_high_watermark_updated(high_watermark_);
}

void Partition::apply_to_producer_state(const RecordBatch& appended) {
    std::optional<CompletedTxn> done = producers_.update(appended);
    if (!done || !done->aborted) return;
    // UnifiedLog.append: segment.updateTxnIndex(completedTxn, lastStableOffset).
    log_.txn_index().append(AbortedTxn{done->producer_id, done->first_offset, done->last_offset,
                                       done->last_stable_offset});
}

void Partition::set_high_watermark(int64_t hw) {
    high_watermark_ = hw;
    producers_.on_high_watermark_updated(hw);
}

FollowerProgress* Partition::follower(BrokerId id) {
    for (auto& f : followers_)
        if (f.id == id) return &f;
    return nullptr;
}

bool Partition::make_leader(const PartitionAssignment& a, sim::Time now) {
    bool new_epoch = role_ != Role::leader || a.leader_epoch != assignment_.leader_epoch;
    assignment_ = a;
    role_ = Role::leader;
    if (!new_epoch) return false;
    pending_isr_.reset();
    leader_epoch_start_offset_ = log_.log_end_offset();
    log_.assign_epoch_start(a.leader_epoch, leader_epoch_start_offset_);
    followers_.clear();
    for (BrokerId r : a.replicas) {
        if (r == local_) continue;
        FollowerProgress f;
        f.id = r;
        // Kafka: ISR members count as caught up at the moment of election.
        f.last_caught_up = contains(a.isr, r) ? now : sim::time_zero;
        followers_.push_back(f);
    }
    if (high_watermark_ > log_.log_end_offset()) high_watermark_ = log_.log_end_offset();
    maybe_advance_high_watermark();
    return true;
}

bool Partition::make_follower(const PartitionAssignment& a, sim::Time now) {
    (void)now;
    bool new_epoch = role_ != Role::follower || a.leader_epoch != assignment_.leader_epoch || a.leader != assignment_.leader;
    assignment_ = a;
    role_ = Role::follower;
    followers_.clear();
    pending_isr_.reset();
    return new_epoch;
}

void Partition::update_isr(const PartitionAssignment& a) {
    assignment_.isr = a.isr;
    assignment_.partition_epoch = a.partition_epoch;
    assignment_.replicas = a.replicas;
    if (pending_isr_ && *pending_isr_ == a.isr) pending_isr_.reset();
    if (is_leader()) maybe_advance_high_watermark();
}

Partition::AppendResult Partition::append_as_leader(const RecordBatch& batch, int16_t acks, sim::Time now, bool verify,
                                                    std::optional<uint64_t> guard) {
    AppendResult r;
    if (!is_leader()) {
        r.error = Error::not_leader_or_follower;
        return r;
    }
    // min.insync.replicas applies to acks=all only, and is checked before the append.
    if (acks == -1 && static_cast<int32_t>(assignment_.isr.size()) < config_.min_insync_replicas) {
        r.error = Error::not_enough_replicas;
        return r;
    }
    if (verify && needs_verification(batch) &&
        (!guard || producers_.verification_guard(batch.producer_id) != guard)) {
        r.error = Error::invalid_txn_state;  // "Record was not part of an ongoing transaction"
        return r;
    }
    int64_t duplicate_offset = -1;
    const bool empty_log = log_.log_start_offset() == 0 && log_.log_end_offset() == 0;
    switch (producers_.check(batch, duplicate_offset, behaviour_, empty_log)) {
        case ProducerState::Verdict::duplicate:
            r.base_offset = duplicate_offset;
            r.required_offset = duplicate_offset + batch.record_count;
            return r;
        case ProducerState::Verdict::out_of_order:
            r.error = Error::out_of_order_sequence_number;
            return r;
        case ProducerState::Verdict::unknown_producer_id:
            r.error = Error::unknown_producer_id;
            return r;
        case ProducerState::Verdict::fenced_epoch:
            r.error = Error::invalid_producer_epoch;
            return r;
        case ProducerState::Verdict::invalid_txn_state:
            r.error = Error::invalid_txn_state;
            return r;
        case ProducerState::Verdict::coordinator_fenced:
            r.error = Error::transaction_coordinator_fenced;
            return r;
        case ProducerState::Verdict::append:
            break;
    }
    r.base_offset = log_.append_as_leader(batch, assignment_.leader_epoch, now);
    const RecordBatch* written = log_.find(r.base_offset);
    apply_to_producer_state(*written);
    r.required_offset = r.base_offset + batch.record_count;
    maybe_advance_high_watermark();  // a single-replica ISR commits at once
    return r;
}

Partition::AppendResult Partition::append_txn_marker(int64_t producer_id, int16_t producer_epoch,
                                                     int32_t coordinator_epoch, ControlRecordType type,
                                                     sim::Time now) {
    return append_as_leader(end_txn_marker(producer_id, producer_epoch, coordinator_epoch, type, now), -1, now);
}

Partition::AckState Partition::ack_state(int64_t required_offset) const {
    if (high_watermark_ < required_offset) return AckState::waiting;
    if (static_cast<int32_t>(assignment_.isr.size()) < config_.min_insync_replicas)
        return AckState::not_enough_replicas_after_append;
    return AckState::done;
}

Partition::FollowerFetch Partition::on_follower_fetch(BrokerId id, int64_t fetch_offset, int32_t last_fetched_epoch,
                                                      int32_t current_leader_epoch, sim::Time now,
                                                      int64_t follower_log_start_offset) {
    FollowerFetch r;
    if (!is_leader()) {
        r.error = Error::not_leader_or_follower;
        return r;
    }
    if (current_leader_epoch >= 0 && current_leader_epoch < assignment_.leader_epoch) {
        r.error = Error::fenced_leader_epoch;
        return r;
    }
    if (current_leader_epoch > assignment_.leader_epoch) {
        r.error = Error::unknown_leader_epoch;
        return r;
    }
    FollowerProgress* f = follower(id);
    if (f == nullptr) {
        r.error = Error::not_leader_or_follower;  // not a replica of this partition
        return r;
    }
    // Divergence check (KAFKA-10554, 2.7): does the follower's last fetched epoch end where it thinks?
    if (last_fetched_epoch >= 0 && behaviour_.fetch_detects_divergence) {
        std::optional<EpochEnd> end = log_.end_offset_for_epoch(last_fetched_epoch);
        if (!end || end->epoch < last_fetched_epoch || end->end_offset < fetch_offset) {
            r.diverging = true;
            r.diverging_at = end.value_or(EpochEnd{});
            return r;
        }
    }
    int64_t leader_end = log_.log_end_offset();
    // Below the log start offset (retention deleted it) or past the end: the follower resets
    // (ReplicaFetcherThread.handleOffsetOutOfRange).
    if (fetch_offset > leader_end || fetch_offset < log_.log_start_offset()) {
        r.error = Error::offset_out_of_range;
        return r;
    }
    f->log_end_offset = fetch_offset;
    f->log_start_offset = follower_log_start_offset;
    if (fetch_offset >= leader_end) {
        f->last_caught_up = now;
    } else if (fetch_offset >= f->leader_end_at_last_fetch) {
        f->last_caught_up = std::max(f->last_caught_up, f->last_fetch);
    }
    f->leader_end_at_last_fetch = leader_end;
    f->last_fetch = now;
    r.hw_advanced = maybe_advance_high_watermark();
    r.wants_isr_expand = isr_expand_candidate(id);
    return r;
}

EpochEnd Partition::answer_epoch_query(int32_t requested) const {
    const EpochEnd undefined{};
    const std::vector<EpochEntry>& epochs = log_.epochs();
    if (requested < 0 || epochs.empty()) return undefined;
    if (requested == epochs.back().epoch) return EpochEnd{requested, log_.log_end_offset()};
    if (requested > epochs.back().epoch || requested < epochs.front().epoch) return undefined;
    auto next = std::upper_bound(epochs.begin(), epochs.end(), requested,
                                 [](int32_t e, const EpochEntry& entry) { return e < entry.epoch; });
    if (!behaviour_.kip279_epoch_end_offsets) return EpochEnd{-1, next->start_offset};
    return EpochEnd{(next - 1)->epoch, next->start_offset};
}

Partition::EpochTruncation Partition::truncation_for(int32_t requested, EpochEnd leader) const {
    const int64_t leo = log_.log_end_offset();
    if (leader.end_offset < 0) return {high_watermark_, true, "the leader has no end for this epoch: high watermark"};
    if (leader.epoch < 0 || leader.epoch == requested)
        return {std::min(leader.end_offset, leo), true, "the leader's end of this replica's latest epoch"};
    // KIP-279: the leader's largest epoch not above ours is older than ours.
    std::optional<EpochEnd> own = log_.end_offset_for_epoch(leader.epoch);
    if (!own) return {high_watermark_, true, "no epoch in common with the leader: high watermark"};
    if (own->epoch != leader.epoch)
        return {std::min(own->end_offset, leo), false, "this replica lacks the leader's epoch: back to its own earlier one"};
    return {std::min({leader.end_offset, own->end_offset, leo}), true, "the end of the largest epoch both replicas have"};
}

bool Partition::isr_expand_candidate(BrokerId id) const {
    if (!is_leader() || contains(assignment_.isr, id) || pending_isr_) return false;
    const FollowerProgress* f = nullptr;
    for (const auto& x : followers_)
        if (x.id == id) f = &x;
    if (f == nullptr || f->log_end_offset < 0) return false;
    // Partition.isFollowerInSync; the epoch-start term is KAFKA-7128 (2.0.1).
    if (f->log_end_offset < high_watermark_) return false;
    if (behaviour_.isr_join_requires_epoch_start && f->log_end_offset < leader_epoch_start_offset_) return false;
    return true;
}

std::vector<BrokerId> Partition::out_of_sync_replicas(sim::Time now, int64_t lag_ms) const {
    std::vector<BrokerId> out;
    if (!is_leader()) return out;
    int64_t leader_end = log_.log_end_offset();
    for (const auto& f : followers_) {
        if (!contains(assignment_.isr, f.id)) continue;
        if (f.log_end_offset != leader_end && (now - f.last_caught_up).ms() > lag_ms) out.push_back(f.id);
    }
    return out;
}

std::vector<BrokerId> Partition::maximal_isr() const {
    std::vector<BrokerId> m = assignment_.isr;
    if (pending_isr_)
        for (BrokerId b : *pending_isr_)
            if (!contains(m, b)) m.push_back(b);
    return m;
}

bool Partition::maybe_advance_high_watermark() {
    if (!is_leader()) return false;
    // KAFKA-15583 (3.7): no progress while the ISR is below min.insync.replicas.
    if (behaviour_.hw_frozen_below_min_isr &&
        static_cast<int32_t>(assignment_.isr.size()) < config_.min_insync_replicas)
        return false;
    int64_t hw = log_.log_end_offset();
    for (BrokerId b : maximal_isr()) {
        if (b == local_) continue;
        const FollowerProgress* f = nullptr;
        for (const auto& x : followers_)
            if (x.id == b) f = &x;
        if (f == nullptr) continue;
        hw = std::min(hw, f->log_end_offset);
    }
    if (hw > high_watermark_) {
        set_high_watermark(hw);
        return true;
    }
    return false;
}

Partition::RecordDeletion Partition::delete_records_on_leader(int64_t offset) {
    RecordDeletion r;
    r.log_start_before = log_.log_start_offset();
    if (!is_leader()) {
        r.error = Error::not_leader_or_follower;
        return r;
    }
    r.requested_offset = offset == -1 ? high_watermark_ : offset;
    if (r.requested_offset < 0 || r.requested_offset > high_watermark_) {
        r.error = Error::offset_out_of_range;
        return r;
    }
    log_.maybe_increment_log_start_offset(r.requested_offset, high_watermark_);
    return r;
}

bool Partition::append_fetched(const std::vector<RecordBatch>& batches, int64_t leader_high_watermark, sim::Time now) {
    for (const auto& b : batches) {
        if (b.next_offset() <= log_.log_end_offset()) continue;  // already have it
        if (b.base_offset != log_.log_end_offset()) return false;
        log_.append_as_follower(b, now);
        apply_to_producer_state(b);
    }
    // Follower HW = the leader's, clamped to what this replica has (UnifiedLog.updateHighWatermark).
    set_high_watermark(std::min(leader_high_watermark, log_.log_end_offset()));
    return true;
}

std::vector<SegmentDeletion> Partition::delete_old_segments(sim::Time now, bool retention) {
    return log_.delete_old_segments(now, high_watermark_, retention);
}

bool Partition::follow_leader_log_start_offset(int64_t leader_log_start_offset) {
    return log_.maybe_increment_log_start_offset(leader_log_start_offset, high_watermark_);
}

void Partition::truncate_fully_and_start_at(int64_t offset, sim::Time now) {
    log_.truncate_fully_and_start_at(offset, now);
    high_watermark_ = offset;
    rebuild_producer_state();
}

void Partition::truncate_to(int64_t offset) {
    if (offset > log_.log_end_offset()) return;
    const bool drops_data = offset < log_.log_end_offset();
    log_.truncate_to(offset);
    if (!drops_data) return;
    if (high_watermark_ > log_.log_end_offset()) high_watermark_ = log_.log_end_offset();
    rebuild_producer_state();
}

}  // namespace kafka
