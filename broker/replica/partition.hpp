// One partition as one broker sees it (Kafka's Partition.scala): its local log, its role
// (leader or follower) and, as leader, each follower's progress, the ISR, the high
// watermark, and which ISR changes to ask the controller for. Pure logic: the ReplicaManager
// does the messaging.
#pragma once
#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/errors.hpp"
#include "broker/log/partition_log.hpp"
#include "broker/log/producer_state.hpp"
#include "broker/messages.hpp"

namespace kafka {

// Leadership and ISR as the committed metadata says.
struct PartitionAssignment {
    BrokerId leader = no_leader;
    int32_t leader_epoch = 0;
    int32_t partition_epoch = 0;
    std::vector<BrokerId> replicas;
    std::vector<BrokerId> isr;
};

struct FollowerProgress {
    BrokerId id = 0;
    int64_t log_end_offset = -1;        // -1: unknown since this broker became leader
    int64_t log_start_offset = -1;      // from its fetches (Fetch v5+); -1: unknown since then (Replica.resetReplicaState)
    sim::Time last_caught_up;           // the last fetch that reached the leader's LEO
    sim::Time last_fetch;
    int64_t leader_end_at_last_fetch = 0;
};

class Partition {
public:
    enum class Role { none, leader, follower };

    Partition(TopicPartition tp, std::string topic, BrokerId local, sim::Disk& disk, const TopicConfig& config,
              const Behaviour& behaviour);

    const TopicPartition& tp() const { return tp_; }
    const std::string& topic() const { return topic_; }
    std::string label() const { return topic_ + "/" + std::to_string(tp_.partition); }
    Role role() const { return role_; }
    bool is_leader() const { return role_ == Role::leader; }
    const PartitionAssignment& assignment() const { return assignment_; }
    int32_t leader_epoch() const { return assignment_.leader_epoch; }
    PartitionLog& log() { return log_; }
    const PartitionLog& log() const { return log_; }
    int64_t high_watermark() const { return high_watermark_; }
    // UnifiedLog.lastStableOffset: the first unstable offset (the earliest transaction not yet
    // decided, or decided by a marker the high watermark has not passed) if it is below the
    // high watermark, else the high watermark. read_committed consumers read up to here. An
    // open transaction whose first batches retention deleted counts from the log start offset
    // (maybeIncrementFirstUnstableOffset).
    int64_t last_stable_offset() const {
        std::optional<int64_t> first = producers_.first_unstable_offset(high_watermark_);
        if (!first) return high_watermark_;
        return std::min(std::max(*first, log_.log_start_offset()), high_watermark_);
    }
    const ProducerState& producer_state() const { return producers_; }
    int64_t leader_epoch_start_offset() const { return leader_epoch_start_offset_; }
    const std::vector<FollowerProgress>& followers() const { return followers_; }
    const TopicConfig& config() const { return config_; }
    void set_config(const TopicConfig& config) {
        config_ = config;
        log_.set_config(config);
    }

    // ---- role changes from the metadata log ----
    // Returns true when this is a new leader epoch for this replica (a real transition).
    bool make_leader(const PartitionAssignment& a, sim::Time now);
    bool make_follower(const PartitionAssignment& a, sim::Time now);
    // Same leader and epoch, new ISR/partition epoch (an AlterPartition took effect).
    void update_isr(const PartitionAssignment& a);
    void stop() { role_ = Role::none; }

    // ---- leader: produce ----
    struct AppendResult {
        Error error = Error::none;
        int64_t base_offset = -1;
        int64_t required_offset = -1;  // acks=all: done when the high watermark reaches it
    };
    // verify (KIP-890, transaction.partition.verification.enable): the first transactional batch of a
    // producer with no open transaction here needs `guard` to be the verification guard the
    // partition holds for it (UnifiedLog.batchMissingRequiredVerification), else INVALID_TXN_STATE.
    AppendResult append_as_leader(const RecordBatch& batch, int16_t acks, sim::Time now, bool verify = false,
                                  std::optional<uint64_t> guard = std::nullopt);
    // A transactional data batch that needs the coordinator's word before it can be appended.
    bool needs_verification(const RecordBatch& batch) const {
        return batch.is_transactional && !batch.is_control && batch.producer_id != no_producer_id &&
               !producers_.has_ongoing_transaction(batch.producer_id, batch.producer_epoch);
    }
    uint64_t start_verification(int64_t producer_id, int16_t epoch) {
        return producers_.start_verification(producer_id, epoch);
    }
    // WriteTxnMarkers (KafkaApis.handleWriteTxnMarkersRequest, appendRecords with acks=-1 and
    // origin COORDINATOR): the leader appends the end-transaction marker of `producer_id`. An
    // older producer epoch is INVALID_PRODUCER_EPOCH, an older coordinator epoch
    // TRANSACTION_COORDINATOR_FENCED; NOT_ENOUGH_REPLICAS below min.insync.replicas.
    AppendResult append_txn_marker(int64_t producer_id, int16_t producer_epoch, int32_t coordinator_epoch,
                                   ControlRecordType type, sim::Time now);
    // acks=all completion check (Partition.checkEnoughReplicasReachOffset).
    enum class AckState { waiting, done, not_enough_replicas_after_append };
    AckState ack_state(int64_t required_offset) const;

    // ---- leader: follower fetch ----
    struct FollowerFetch {
        Error error = Error::none;
        bool diverging = false;
        EpochEnd diverging_at;
        bool hw_advanced = false;
        bool wants_isr_expand = false;
    };
    // `follower_log_start_offset`: what the fetch says of the follower's log start offset
    // (Replica.updateFetchStateOrThrow keeps it for the low watermark).
    FollowerFetch on_follower_fetch(BrokerId follower, int64_t fetch_offset, int32_t last_fetched_epoch,
                                    int32_t current_leader_epoch, sim::Time now, int64_t follower_log_start_offset = -1);
    // OffsetForLeaderEpoch (LeaderEpochFileCache.endOffsetFor as of the profile): where the
    // requested epoch ends in this leader's log. {-1, -1} is UNDEFINED. Before KIP-279 (2.0) the
    // answer is the start of the next epoch this leader knows, with no epoch, even when it
    // never had the requested one (KAFKA-6361).
    EpochEnd answer_epoch_query(int32_t requested) const;
    // ISR members that fell behind for longer than replica.lag.time.max.ms.
    std::vector<BrokerId> out_of_sync_replicas(sim::Time now, int64_t lag_ms) const;
    // The ISR this leader is asking the controller for (AlterPartition in flight).
    const std::optional<std::vector<BrokerId>>& pending_isr() const { return pending_isr_; }
    void set_pending_isr(std::optional<std::vector<BrokerId>> isr) { pending_isr_ = std::move(isr); }
    // The ISR with pending additions: who holds the high watermark back.
    std::vector<BrokerId> maximal_isr() const;
    bool maybe_advance_high_watermark();
    bool isr_expand_candidate(BrokerId follower) const;

    // ---- leader: DeleteRecords (KIP-107) ----
    // Partition.deleteRecordsOnLeader without the cleanup.policy check (the caller's): offset -1
    // is the high watermark; a negative one or one above the high watermark is OFFSET_OUT_OF_RANGE
    // (UnifiedLog.maybeIncrementLogStartOffset). The log start offset moves up to it, never back.
    struct RecordDeletion {
        Error error = Error::none;
        int64_t requested_offset = -1;  // the offset asked for, -1 resolved
        int64_t log_start_before = 0;
    };
    RecordDeletion delete_records_on_leader(int64_t offset);
    // Partition.lowWatermarkIfLeader: the smallest log start offset among this leader and the
    // followers on live brokers (`alive(id)`); a live follower that has not fetched since this
    // broker became leader counts as -1, so it holds a DeleteRecords back until it fetches.
    template <class Alive>
    int64_t low_watermark(Alive alive) const {
        int64_t low = log_.log_start_offset();
        for (const auto& f : followers_)
            if (alive(f.id)) low = std::min(low, f.log_start_offset);
        return low;
    }

    // ---- follower ----
    // False when a fetched batch straddles this replica's log end: its log diverged from the
    // leader's at a batch boundary that truncation did not repair (to the high watermark before
    // KIP-101; to a wrong epoch end before KIP-279). Kafka's fetcher failed such a partition
    // ("Offset mismatch", later UnexpectedAppendOffsetException) and retried it forever. With a
    // diverging epoch in every fetch response (2.7) it cannot happen.
    bool append_fetched(const std::vector<RecordBatch>& batches, int64_t leader_high_watermark, sim::Time now);
    // Truncation by OffsetForLeaderEpoch, the follower's side (0.11 to 2.6: once on becoming
    // follower). `done` false: the leader named an epoch this replica lacks, so it cut back to
    // its own previous epoch and asks again (KIP-279); that converges to the common prefix.
    struct EpochTruncation {
        int64_t to = 0;
        bool done = true;
        const char* reason = "";
    };
    EpochTruncation truncation_for(int32_t requested, EpochEnd leader_answer) const;
    void truncate_to(int64_t offset);
    // A follower whose log end is below the leader's log start offset starts over there.
    void truncate_fully_and_start_at(int64_t offset, sim::Time now);
    // A follower's log start offset follows the leader's, up to its own high watermark.
    bool follow_leader_log_start_offset(int64_t leader_log_start_offset);

    // ---- retention (any role): segments below this replica's high watermark ----
    std::vector<SegmentDeletion> delete_old_segments(sim::Time now, bool retention);

    void checkpoint_high_watermark() { log_.checkpoint_high_watermark(high_watermark_); }

private:
    FollowerProgress* follower(BrokerId id);
    void rebuild_producer_state();
    // A batch now in the log: the producer state follows it, and an ABORT marker that ended a
    // transaction with data here adds its entry to the aborted-transaction index.
    void apply_to_producer_state(const RecordBatch& appended);
    void set_high_watermark(int64_t hw);

    TopicPartition tp_;
    std::string topic_;
    BrokerId local_;
    TopicConfig config_;
    Behaviour behaviour_;
    PartitionLog log_;
    ProducerState producers_;
    Role role_ = Role::none;
    PartitionAssignment assignment_;
    int64_t high_watermark_ = 0;
    int64_t leader_epoch_start_offset_ = 0;
    std::vector<FollowerProgress> followers_;
    std::optional<std::vector<BrokerId>> pending_isr_;
};

}  // namespace kafka
