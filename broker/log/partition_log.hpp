// One replica's log of a partition, on the broker's disk: segments of record batches named
// by their base offset ("orders-0/00000000000000000000.log"), rolled on segment.bytes and
// segment.ms; the leader epoch cache (KIP-101: epoch -> start offset) and the high
// watermark checkpoint (replication-offset-checkpoint). The log holds no per-record state.
//
// Retention (UnifiedLog.deleteOldSegments) deletes whole segments from the oldest and moves
// the log start offset to the first one left (log-start-offset-checkpoint); a follower also
// takes its leader's log start offset from fetch responses (maybeIncrementLogStartOffset),
// which may fall inside a segment: reads below it are refused, and the segments wholly below
// it go at the next retention run.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/log/txn_index.hpp"
#include "broker/record_batch.hpp"
#include "sim/disk.hpp"

namespace kafka {

struct EpochEntry {
    int32_t epoch = 0;
    int64_t start_offset = 0;
};
// What one retention rule deleted (UnifiedLog.deleteSegments): whole segments, oldest first.
struct SegmentDeletion {
    const char* reason = "";      // "retention.ms", "retention.bytes", "log start offset"
    int32_t segments = 0;
    int64_t bytes = 0;
    int64_t from_offset = 0;      // the first offset deleted ...
    int64_t to_offset = 0;        // ... up to here (exclusive): the new first segment's base
    int64_t log_start_before = 0;
    int64_t log_start_after = 0;
    sim::Time newest_record;      // the largest record timestamp among them
};

// Where an epoch ends: the start of the next epoch, or the log end for the latest one.
struct EpochEnd {
    int32_t epoch = -1;
    int64_t end_offset = -1;
};

class PartitionLog {
public:
    // dir: "orders-0". Opening reads whatever the disk holds (a restart) or starts empty.
    PartitionLog(sim::Disk& disk, std::string dir, const TopicConfig& config);

    const std::string& dir() const { return dir_; }
    int64_t log_start_offset() const { return log_start_offset_; }
    int64_t log_end_offset() const { return log_end_offset_; }
    size_t segment_count() const { return segments_.size(); }
    size_t batch_count() const;
    void set_config(const TopicConfig& config) { config_ = config; }

    // Leader append: assigns offsets from the log end and stamps the leader epoch.
    int64_t append_as_leader(RecordBatch batch, int32_t leader_epoch, sim::Time now);
    // Follower append: the batch keeps the leader's offsets and epoch.
    void append_as_follower(const RecordBatch& batch, sim::Time now);
    // Keep only batches that end before `offset` (Kafka truncates at batch boundaries).
    void truncate_to(int64_t offset);

    // Batches holding offsets in [from, max_offset), at most max_bytes (at least one batch).
    void read(int64_t from, int64_t max_offset, int32_t max_bytes, std::vector<RecordBatch>& out) const;
    // Every batch, in offset order (snapshots for checkers).
    void all_batches(std::vector<RecordBatch>& out) const;
    // The batch containing `offset`, if any.
    const RecordBatch* find(int64_t offset) const;

    // ---- leader epoch cache ----
    int32_t latest_epoch() const { return epochs_.empty() ? -1 : epochs_.back().epoch; }
    const std::vector<EpochEntry>& epochs() const { return epochs_; }
    // A new leader epoch starts at the log end (only when newer than the latest).
    void assign_epoch_start(int32_t epoch, int64_t start_offset);
    // KIP-279: the largest epoch <= `epoch` and the offset where it ends (the start of the
    // next epoch, or the log end). nullopt when no such epoch exists (-1, -1 in Kafka).
    std::optional<EpochEnd> end_offset_for_epoch(int32_t epoch) const;

    // ---- aborted-transaction index (the segments' .txnindex) ----
    // The owner of the producer state appends an entry when an ABORT marker completes a
    // transaction, and refills it when it replays the log; truncation and segment deletion
    // here keep it in step with the log.
    TxnIndex& txn_index() { return txn_index_; }
    const TxnIndex& txn_index() const { return txn_index_; }
    // LocalLog.collectAbortedTransactions: aborted transactions overlapping [from, upper).
    std::vector<AbortedTxn> collect_aborted_txns(int64_t from, int64_t upper) const {
        return txn_index_.collect(from, upper);
    }

    // ---- high watermark checkpoint (written periodically, read on restart) ----
    void checkpoint_high_watermark(int64_t hw);
    int64_t checkpointed_high_watermark() const;

    // fsync everything (log.flush.interval.* or a clean shutdown); the recovery point moves to
    // the log end.
    void flush();
    // LogManager.flushDirtyLogs: flush when flush.ms has passed since the last flush (the clock
    // starts at the first call).
    void flush_if_due(sim::Time now);
    // Offsets below it are on disk (Kafka's recovery point).
    int64_t recovery_point() const { return recovery_point_; }

    // ---- retention and the log start offset ----
    // Bytes in all segments (UnifiedLog.size).
    int64_t size_bytes() const;
    // One retention run (UnifiedLog.deleteOldSegments with cleanup.policy=delete; `retention`
    // false keeps only the log start offset rule, as for a compacted topic). Only segments
    // wholly below the high watermark go, so the log start offset never passes it; deleting
    // the active segment rolls a new empty one at the log end first. One entry per rule that
    // deleted something, in Kafka's order: log start offset, retention.bytes, retention.ms.
    std::vector<SegmentDeletion> delete_old_segments(sim::Time now, int64_t high_watermark, bool retention);
    // A follower takes the leader's log start offset (ReplicaFetcherThread.processPartitionData:
    // UnifiedLog.maybeIncrementLogStartOffset), never past its own high watermark. True when it moved.
    bool maybe_increment_log_start_offset(int64_t offset, int64_t high_watermark);
    // Everything goes; the log starts over empty at `offset` (UnifiedLog.truncateFullyAndStartAt:
    // a follower whose log end fell below the leader's log start offset).
    void truncate_fully_and_start_at(int64_t offset, sim::Time now);

private:
    struct Segment {
        int64_t base_offset = 0;
        sim::DiskLog<RecordBatch>* file = nullptr;
        int64_t size_bytes = 0;
        sim::Time created;
        sim::Time largest_timestamp;  // the newest record's create time (LogSegment.largestTimestamp)
    };
    std::string segment_name(int64_t base_offset) const;
    void roll(int64_t base_offset, sim::Time now);
    void append_batch(const RecordBatch& batch, sim::Time now);
    void rebuild_from_disk();
    void save_epochs();
    size_t segment_for(int64_t offset) const;
    void set_log_start_offset(int64_t offset);
    // The oldest segments for which `deletable(segment, next segment or nullptr)` holds, below
    // the high watermark, stopping at the first that does not (UnifiedLog.deletableSegments).
    template <class Predicate>
    std::optional<SegmentDeletion> delete_segments(sim::Time now, int64_t high_watermark, const char* reason,
                                                   Predicate deletable);

    sim::Disk& disk_;
    std::string dir_;
    TopicConfig config_;
    std::vector<Segment> segments_;
    std::vector<EpochEntry> epochs_;
    int64_t log_start_offset_ = 0;
    int64_t log_end_offset_ = 0;
    int64_t recovery_point_ = 0;
    std::optional<sim::Time> last_flush_;
    sim::DiskCell<std::vector<EpochEntry>>* epoch_file_ = nullptr;
    sim::DiskCell<int64_t>* hw_file_ = nullptr;
    sim::DiskCell<int64_t>* log_start_file_ = nullptr;  // log-start-offset-checkpoint
    TxnIndex txn_index_;
};

}  // namespace kafka
