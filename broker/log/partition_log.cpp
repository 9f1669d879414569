#include "broker/log/partition_log.hpp"

#include <algorithm>
#include <iterator>
#include <cstdio>

#include "sim/world.hpp"

namespace kafka {

PartitionLog::PartitionLog(sim::Disk& disk, std::string dir, const TopicConfig& config)
    : disk_(disk), dir_(std::move(dir)), config_(config) {
    epoch_file_ = &disk_.cell<std::vector<EpochEntry>>(dir_ + "/leader-epoch-checkpoint");
    hw_file_ = &disk_.cell<int64_t>(dir_ + "/replication-offset-checkpoint");
    log_start_file_ = &disk_.cell<int64_t>(dir_ + "/log-start-offset-checkpoint");
    rebuild_from_disk();
}

std::string PartitionLog::segment_name(int64_t base_offset) const {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%020lld", static_cast<long long>(base_offset));
    return dir_ + "/" + buf + ".log";
}

namespace {

// LeaderEpochFileCache.truncateFromStart: epochs that end at or before the new log start go;
// the one it falls in now starts there.
void truncate_epochs_from_start(std::vector<EpochEntry>& epochs, int64_t start) {
    auto first_after = std::upper_bound(epochs.begin(), epochs.end(), start,
                                        [](int64_t o, const EpochEntry& e) { return o < e.start_offset; });
    if (first_after == epochs.begin()) return;
    auto covering = std::prev(first_after);
    covering->start_offset = start;
    epochs.erase(epochs.begin(), covering);
}

}  // namespace

void PartitionLog::rebuild_from_disk() {
    segments_.clear();
    for (const std::string& name : disk_.list(dir_ + "/")) {
        if (name.size() < 4 || name.compare(name.size() - 4, 4, ".log") != 0) continue;
        Segment s;
        s.file = &disk_.log<RecordBatch>(name);
        s.base_offset = std::stoll(name.substr(dir_.size() + 1, 20));
        for (const auto& b : s.file->entries()) {
            s.size_bytes += b.size_bytes;
            s.largest_timestamp = std::max(s.largest_timestamp, b.create_time);
        }
        if (!s.file->empty()) s.created = s.file->entries().front().create_time;  // segment.ms counts from the first batch
        segments_.push_back(s);
    }
    // Segment names are zero-padded, so the listing is in offset order. A power loss can leave
    // a later segment whose predecessor lost its tail: Kafka's recovery truncates there.
    log_end_offset_ = segments_.empty() ? 0 : segments_.front().base_offset;
    log_start_offset_ = log_end_offset_;
    for (size_t i = 0; i < segments_.size(); ++i) {
        Segment& s = segments_[i];
        if (s.base_offset != log_end_offset_ && i > 0) {
            for (size_t j = i; j < segments_.size(); ++j) disk_.remove(segment_name(segments_[j].base_offset));
            segments_.resize(i);
            break;
        }
        if (!s.file->empty()) log_end_offset_ = s.file->back().next_offset();
    }
    if (segments_.empty()) roll(log_end_offset_, sim::time_zero);
    // The log start offset is the first segment's base, or later where the checkpoint says so
    // (a follower that took its leader's log start offset).
    if (log_start_file_->has_value())
        log_start_offset_ = std::clamp(log_start_file_->get(), log_start_offset_, log_end_offset_);
    recovery_point_ = log_start_offset_;  // not known to be flushed: the next flush check covers it all
    // The epoch cache is rebuilt from the batches themselves: always consistent with the log.
    epochs_.clear();
    for (const auto& s : segments_)
        for (const auto& b : s.file->entries())
            if (epochs_.empty() || b.leader_epoch > epochs_.back().epoch)
                epochs_.push_back(EpochEntry{b.leader_epoch, b.base_offset});
    truncate_epochs_from_start(epochs_, log_start_offset_);
    if (epoch_file_->has_value()) {
        // Keep epochs the checkpoint knew that started at the log end (a leader with no writes yet).
        for (const auto& e : epoch_file_->get())
            if (e.start_offset == log_end_offset_ && (epochs_.empty() || e.epoch > epochs_.back().epoch))
                epochs_.push_back(e);
    }
}

size_t PartitionLog::batch_count() const {
    size_t n = 0;
    for (const auto& s : segments_) n += s.file->size();
    return n;
}

void PartitionLog::roll(int64_t base_offset, sim::Time now) {
    Segment s;
    s.base_offset = base_offset;
    s.file = &disk_.log<RecordBatch>(segment_name(base_offset));
    s.created = now;
    segments_.push_back(s);
}

void PartitionLog::append_batch(const RecordBatch& batch, sim::Time now) {
    Segment* active = &segments_.back();
    bool full = active->size_bytes > 0 && active->size_bytes + batch.size_bytes > config_.segment_bytes;
    bool old = active->size_bytes > 0 && (now - active->created).ms() >= config_.segment_ms;
    if (full || old) {
        roll(batch.base_offset, now);
        active = &segments_.back();
    }
    active->file->append(batch);
    active->size_bytes += batch.size_bytes;
    active->largest_timestamp = std::max(active->largest_timestamp, batch.create_time);
    log_end_offset_ = batch.next_offset();
    // UnifiedLog.append, leader and follower alike: flush once flush.messages records are unflushed.
    if (log_end_offset_ - recovery_point_ >= config_.flush_messages) {
        flush();
        last_flush_ = now;
    }
}

int64_t PartitionLog::append_as_leader(RecordBatch batch, int32_t leader_epoch, sim::Time now) {
    batch.base_offset = log_end_offset_;
    batch.leader_epoch = leader_epoch;
    if (epochs_.empty() || leader_epoch > epochs_.back().epoch) assign_epoch_start(leader_epoch, batch.base_offset);
    append_batch(batch, now);
    return batch.base_offset;
}

void PartitionLog::append_as_follower(const RecordBatch& batch, sim::Time now) {
    SIM_ASSERT(batch.base_offset == log_end_offset_, "follower append is not contiguous in " + dir_);
    if (epochs_.empty() || batch.leader_epoch > epochs_.back().epoch) assign_epoch_start(batch.leader_epoch, batch.base_offset);
    append_batch(batch, now);
}

void PartitionLog::truncate_to(int64_t offset) {
    if (offset > log_end_offset_) return;
    if (offset < log_start_offset_) {
        // UnifiedLog.truncateTo: a target below the log start empties the log.
        truncate_fully_and_start_at(offset, segments_.back().created);
        return;
    }
    if (offset == log_end_offset_) {
        // No data goes, but an epoch that starts here (one this replica began as leader and
        // never wrote in) does: otherwise the next fetch names it and diverges again.
        size_t before = epochs_.size();
        while (!epochs_.empty() && epochs_.back().start_offset >= offset) epochs_.pop_back();
        if (epochs_.size() != before) save_epochs();
        return;
    }
    while (segments_.size() > 1 && segments_.back().base_offset >= offset) {
        disk_.remove(segment_name(segments_.back().base_offset));
        segments_.pop_back();
    }
    Segment& s = segments_.back();
    const auto& entries = s.file->entries();
    auto keep = std::partition_point(entries.begin(), entries.end(),
                                     [offset](const RecordBatch& b) { return b.last_offset() < offset; });
    s.file->truncate(static_cast<size_t>(keep - entries.begin()));
    txn_index_.truncate_to(offset);
    s.size_bytes = 0;
    for (const auto& b : s.file->entries()) s.size_bytes += b.size_bytes;
    log_end_offset_ = s.file->empty() ? s.base_offset : s.file->back().next_offset();
    recovery_point_ = std::min(recovery_point_, log_end_offset_);
    // Kafka's LeaderEpochFileCache.truncateFromEnd: epochs that start past the new end go.
    while (!epochs_.empty() && epochs_.back().start_offset >= log_end_offset_) epochs_.pop_back();
    save_epochs();
}

size_t PartitionLog::segment_for(int64_t offset) const {
    auto it = std::upper_bound(segments_.begin(), segments_.end(), offset,
                               [](int64_t o, const Segment& s) { return o < s.base_offset; });
    return it == segments_.begin() ? 0 : static_cast<size_t>(it - segments_.begin()) - 1;
}

namespace {

// The first batch of a segment that ends at or after `offset`. Readers and appends mostly
// touch the last few batches, so those are tried before the binary search.
template <class Entries>
auto first_batch_ending_at_or_after(const Entries& entries, int64_t offset) {
    auto it = entries.end();
    for (int tail = 0; tail < 4 && it != entries.begin(); ++tail) {
        auto prev = std::prev(it);
        if (prev->last_offset() < offset) return it;
        it = prev;
    }
    return std::partition_point(entries.begin(), it, [offset](const RecordBatch& b) { return b.last_offset() < offset; });
}

}  // namespace

const RecordBatch* PartitionLog::find(int64_t offset) const {
    if (offset < log_start_offset_ || offset >= log_end_offset_) return nullptr;
    const auto& entries = segments_[segment_for(offset)].file->entries();
    auto it = first_batch_ending_at_or_after(entries, offset);
    return it == entries.end() ? nullptr : &*it;
}

void PartitionLog::read(int64_t from, int64_t max_offset, int32_t max_bytes, std::vector<RecordBatch>& out) const {
    if (from >= max_offset || from >= log_end_offset_ || from < log_start_offset_) return;
    int64_t bytes = 0;
    for (size_t si = segment_for(from); si < segments_.size(); ++si) {
        const auto& entries = segments_[si].file->entries();
        auto it = first_batch_ending_at_or_after(entries, from);
        for (; it != entries.end(); ++it) {
            if (it->base_offset >= max_offset) return;
            // A batch that straddles max_offset (the high watermark) is not returned yet.
            if (it->next_offset() > max_offset) return;
            if (!out.empty() && bytes + it->size_bytes > max_bytes) return;
            out.push_back(*it);
            bytes += it->size_bytes;
        }
    }
}

void PartitionLog::all_batches(std::vector<RecordBatch>& out) const {
    for (const auto& s : segments_) out.insert(out.end(), s.file->entries().begin(), s.file->entries().end());
}

void PartitionLog::assign_epoch_start(int32_t epoch, int64_t start_offset) {
    if (!epochs_.empty() && epoch <= epochs_.back().epoch) return;
    epochs_.push_back(EpochEntry{epoch, start_offset});
    save_epochs();
}

std::optional<EpochEnd> PartitionLog::end_offset_for_epoch(int32_t epoch) const {
    // The largest epoch <= the requested one; it ends where the next epoch starts.
    auto it = std::upper_bound(epochs_.begin(), epochs_.end(), epoch,
                               [](int32_t e, const EpochEntry& entry) { return e < entry.epoch; });
    if (epoch < 0 || epochs_.empty()) return std::nullopt;
    // LeaderEpochFileCache.endOffsetFor: an epoch older than every epoch here (this log lost
    // its start, e.g. to a power loss) ends where the oldest known epoch starts.
    if (it == epochs_.begin()) return EpochEnd{epoch, epochs_.front().start_offset};
    const EpochEntry& found = *(it - 1);
    int64_t end = it == epochs_.end() ? log_end_offset_ : it->start_offset;
    return EpochEnd{found.epoch, end};
}

void PartitionLog::save_epochs() { epoch_file_->set(epochs_); }

void PartitionLog::checkpoint_high_watermark(int64_t hw) { hw_file_->set(hw); }

int64_t PartitionLog::checkpointed_high_watermark() const {
    return hw_file_->has_value() ? std::min(hw_file_->get(), log_end_offset_) : 0;
}

void PartitionLog::flush() {
    for (auto& s : segments_) s.file->flush();
    epoch_file_->flush();
    hw_file_->flush();
    recovery_point_ = log_end_offset_;
}

void PartitionLog::flush_if_due(sim::Time now) {
    if (!last_flush_) {
        last_flush_ = now;
        return;
    }
    if ((now - *last_flush_).ms() < config_.flush_ms) return;
    flush();
    last_flush_ = now;
}

// ------------------------------------------------------------------------------ retention

int64_t PartitionLog::size_bytes() const {
    int64_t n = 0;
    for (const auto& s : segments_) n += s.size_bytes;
    return n;
}

void PartitionLog::set_log_start_offset(int64_t offset) {
    log_start_offset_ = offset;
    truncate_epochs_from_start(epochs_, offset);
    save_epochs();
    // Kafka writes log-start-offset-checkpoint every log.flush.start.offset.checkpoint.interval.ms
    // (60 s); the model writes it when the offset moves.
    log_start_file_->set(offset);
    log_start_file_->flush();
}

template <class Predicate>
std::optional<SegmentDeletion> PartitionLog::delete_segments(sim::Time now, int64_t high_watermark,
                                                             const char* reason, Predicate deletable) {
    size_t n = 0;
    for (; n < segments_.size(); ++n) {
        const Segment& s = segments_[n];
        const bool last = n + 1 == segments_.size();
        if (last && s.size_bytes == 0) break;  // an empty active segment never goes
        // The log start offset never passes the high watermark (UnifiedLog.deletableSegments).
        const int64_t upper = last ? log_end_offset_ : segments_[n + 1].base_offset;
        if (high_watermark < upper || !deletable(s, last ? nullptr : &segments_[n + 1])) break;
    }
    if (n == 0) return std::nullopt;
    SegmentDeletion d;
    d.reason = reason;
    d.segments = static_cast<int32_t>(n);
    d.from_offset = segments_.front().base_offset;
    d.log_start_before = log_start_offset_;
    for (size_t i = 0; i < n; ++i) {
        d.bytes += segments_[i].size_bytes;
        d.newest_record = std::max(d.newest_record, segments_[i].largest_timestamp);
    }
    // A log always has a segment: deleting them all rolls a new one at the log end first.
    if (n == segments_.size()) roll(log_end_offset_, now);
    for (size_t i = 0; i < n; ++i) disk_.remove(segment_name(segments_[i].base_offset));
    segments_.erase(segments_.begin(), segments_.begin() + static_cast<ptrdiff_t>(n));
    d.to_offset = segments_.front().base_offset;
    txn_index_.delete_before(d.to_offset);  // each segment's .txnindex goes with it
    if (d.to_offset > log_start_offset_) set_log_start_offset(d.to_offset);
    d.log_start_after = log_start_offset_;
    return d;
}

std::vector<SegmentDeletion> PartitionLog::delete_old_segments(sim::Time now, int64_t high_watermark, bool retention) {
    std::vector<SegmentDeletion> out;
    auto add = [&out](std::optional<SegmentDeletion> d) {
        if (d) out.push_back(*d);
    };
    // deleteLogStartOffsetBreachedSegments: segments wholly below the log start offset.
    add(delete_segments(now, high_watermark, "log start offset", [this](const Segment&, const Segment* next) {
        return next != nullptr && next->base_offset <= log_start_offset_;
    }));
    if (!retention) return out;
    // deleteRetentionSizeBreachedSegments: the oldest while the log stays at or above the limit.
    if (config_.retention_bytes >= 0 && size_bytes() >= config_.retention_bytes) {
        int64_t excess = size_bytes() - config_.retention_bytes;
        add(delete_segments(now, high_watermark, "retention.bytes", [&excess](const Segment& s, const Segment*) {
            if (excess - s.size_bytes < 0) return false;
            excess -= s.size_bytes;
            return true;
        }));
    }
    // deleteRetentionMsBreachedSegments: the newest record older than retention.ms.
    if (config_.retention_ms >= 0) {
        const int64_t retention_ms = config_.retention_ms;
        add(delete_segments(now, high_watermark, "retention.ms", [now, retention_ms](const Segment& s, const Segment*) {
            return (now - s.largest_timestamp).ms() > retention_ms;
        }));
    }
    return out;
}

bool PartitionLog::maybe_increment_log_start_offset(int64_t offset, int64_t high_watermark) {
    offset = std::min({offset, high_watermark, log_end_offset_});
    if (offset <= log_start_offset_) return false;
    set_log_start_offset(offset);
    return true;
}

void PartitionLog::truncate_fully_and_start_at(int64_t offset, sim::Time now) {
    for (const auto& s : segments_) disk_.remove(segment_name(s.base_offset));
    segments_.clear();
    roll(offset, now);
    log_end_offset_ = offset;
    txn_index_.clear();
    epochs_.clear();  // UnifiedLog.truncateFullyAndStartAt clears the leader epoch cache
    set_log_start_offset(offset);
}

}  // namespace kafka
