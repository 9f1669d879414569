// The partitions one broker hosts (Kafka's ReplicaManager): the leaders' produce path (acks,
// min.insync.replicas, idempotence, the produce purgatory), the fetch path (follower and
// consumer fetches, the fetch purgatory), ListOffsets, DeleteRecords (KIP-107, with its purgatory), the replica fetchers with divergence
// truncation (KIP-320; OffsetForLeaderEpoch before 2.7, a high watermark cut before KIP-101),
// the ISR expiry checks, and acting on new leaderships and ISRs from the metadata (applyDelta in
// KRaft mode, becomeLeaderOrFollower in ZooKeeper mode: both end in reconcile()).
//
// How an ISR change reaches the controller depends on the metadata mode, and the group
// coordinator cares about __consumer_offsets leaderships: both go through the Host.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/correlation_ids.hpp"
#include "broker/replica/partition.hpp"
#include "broker/timer_components.hpp"
#include "broker/world.hpp"

namespace kafka {

class ReplicaManager {
public:
    class Host {
    public:
        virtual ~Host() = default;
        // Ask for a new ISR of a partition this broker leads: AlterPartition (KRaft) or a write
        // of the partition state znode (ZooKeeper mode).
        virtual void request_isr_change(Partition& p, std::vector<BrokerId> new_isr, const char* reason,
                                        Context& ctx) = 0;
        virtual int64_t broker_epoch() const = 0;
        // Leadership callbacks (Kafka's onLeadershipChange: GroupCoordinator.onElection and
        // onResignation), and a leader's high watermark moving.
        virtual void on_election(const Partition& p, Context& ctx) = 0;
        virtual void on_resignation(const std::string& topic, int32_t partition, Context& ctx) = 0;
        virtual void on_high_watermark(const Partition& p, Context& ctx) = 0;
        // WriteTxnMarkers wrote (and replicated) the marker of `producer_id` on these
        // __consumer_offsets partitions: the group coordinator makes that producer's pending
        // transactional offsets visible (commit) or drops them (abort), as KafkaApis calls
        // GroupCoordinator.onTransactionCompleted before it answers.
        virtual void on_offsets_txn_completed(int64_t producer_id, const std::vector<TopicPartition>& partitions,
                                              bool commit, Context& ctx) {
            (void)producer_id, (void)partitions, (void)commit, (void)ctx;
        }
    };

    // The requests and responses the broker's router hands to handle().
    template <class T>
    static constexpr bool handles = is_one_of<T, ProduceRequest, FetchRequest, FetchResponse, ListOffsetsRequest,
                                              OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse,
                                              WriteTxnMarkersRequest, AddPartitionsToTxnResponse, DeleteRecordsRequest>;

    ReplicaManager(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory,
                   const MetadataImage& image, CorrelationIds& correlation_ids, Host& host);

    void start(Context& ctx);  // arms the ISR checks, the high watermark checkpoints and retention
    void handle(sim::NodeId from, ProduceRequest& req, Context& ctx);
    void handle(sim::NodeId from, FetchRequest& req, Context& ctx) { handle_fetch(from, req, ctx, true); }
    void handle(sim::NodeId from, FetchResponse& r, Context& ctx);
    void handle(sim::NodeId from, OffsetForLeaderEpochRequest& req, Context& ctx);
    void handle(sim::NodeId from, OffsetForLeaderEpochResponse& r, Context& ctx);
    void handle(sim::NodeId from, ListOffsetsRequest& req, Context& ctx);
    void handle(sim::NodeId from, WriteTxnMarkersRequest& req, Context& ctx);
    void handle(sim::NodeId from, AddPartitionsToTxnResponse& resp, Context& ctx);
    void handle(sim::NodeId from, DeleteRecordsRequest& req, Context& ctx);
    void on_timer(uint64_t tag, Context& ctx);
    void on_disconnect(sim::NodeId peer, Context& ctx);

    // Act on the committed leadership and ISR of `changed` (sorted, unique).
    void reconcile(const std::vector<TopicPartition>& changed, Context& ctx);
    // A topic's configs changed: its partitions take the new ones.
    void update_topic_config(TopicId topic);
    // StopReplica(delete_partitions) in ZooKeeper mode, a RemoveTopicRecord or a reassignment
    // away in KRaft mode: the replicas stop and their log directories are removed (Kafka renames
    // them "-delete" and removes them after file.delete.delay.ms; here at once). Waiting
    // produces get NOT_LEADER_OR_FOLLOWER, parked fetches are answered. Unknown ones are skipped.
    void delete_partitions(const std::vector<TopicPartition>& tps, const char* reason, Context& ctx);
    // A leader's ISR changed (the controller accepted it): acks=all produces and delayed fetches
    // may complete.
    void on_high_watermark_advanced(const Partition& p, Context& ctx);
    // As the leader of `tp`, append `batch` (acks=all); NOT_LEADER_OR_FOLLOWER if not leading.
    Partition::AppendResult append_as_leader(TopicPartition tp, const RecordBatch& batch, Context& ctx);
    // Clean stop: every high watermark checkpointed, every log flushed.
    void checkpoint_and_flush();

    Partition* partition(TopicPartition tp);
    const Partition* partition(TopicPartition tp) const;
    std::vector<const Partition*> partitions() const;
    bool hosts(TopicPartition tp) const { return partitions_.count(tp) != 0; }

private:
    enum TimerKind : uint64_t {
        timer_isr_check = 1,
        timer_hw_checkpoint = 2,
        timer_fetch_wait = 3,    // value: parked fetch
        timer_produce_wait = 4,  // value: pending produce
        timer_fetcher = 5,       // value: leader broker id (backoff or request timeout)
        timer_log_flush = 6,     // LogManager's kafka-log-flusher, every log.flush.scheduler.interval.ms
        timer_retention = 7,     // LogManager's kafka-log-retention task
        timer_verify = 8,        // value: pending verification (its AddPartitionsToTxn timed out)
        timer_verify_retry = 9,  // value: pending verification (an add answered CONCURRENT_TRANSACTIONS, asked again)
        timer_delete_records = 10,  // value: pending DeleteRecords (its timeout_ms)
    };

    uint64_t fetcher_tag(BrokerId leader) const { return timers_.tag(timer_fetcher, static_cast<uint64_t>(leader)); }
    Partition* leader_partition(TopicPartition tp);  // nullptr unless this broker leads tp
    Partition& open_partition(TopicPartition tp, const std::string& topic, Context& ctx);
    TopicConfig topic_config(TopicId id) const;
    void check_isr(Context& ctx);
    void cleanup_logs(Context& ctx);  // one retention run over every log

    // ---- purgatories ----
    struct PendingProduce {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        ProduceResponse response;
        std::vector<int64_t> required_offset;  // per response partition; -1 = already decided
        sim::TimerId timer;
        // WriteTxnMarkers waits here too (its appends are acks=-1): `response` then holds one
        // entry per (marker, partition) in request order, copied into this answer at the end.
        std::optional<WriteTxnMarkersResponse> txn_markers;
        std::vector<bool> marker_commits;  // per marker: its transaction_result
    };
    struct ParkedFetch {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        FetchRequest request;
        sim::TimerId timer;
    };
    // ---- KIP-890 part 1 (AddPartitionsToTxnManager): a produce request with transactional batches
    // that need the coordinator's word waits here, whole, until it answers (Kafka verifies every
    // partition of a request first, then appends them together).
    struct PendingVerification {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        ProduceRequest request;
        sim::NodeId coordinator = sim::no_node;
        int32_t correlation_id = 0;
        bool add = false;  // transaction.version 2 + Produce v12: the coordinator adds the partitions
        std::map<TopicPartition, uint64_t> guards;
        std::map<GroupPartition, TopicPartition> asked;
        sim::TimerId timer;
        AddPartitionsToTxnRequest ask;  // as sent, to ask again
        sim::Time started;
    };
    // DelayedDeleteRecords: the answer waits until each partition's low watermark reached the
    // offset asked for, the leadership went, or timeout_ms passed.
    struct PendingDeleteRecords {
        uint64_t id = 0;
        sim::NodeId from = sim::no_node;
        DeleteRecordsResponse response;  // REQUEST_TIMED_OUT where still waiting (Kafka's initial status)
        std::vector<int64_t> required_offset;  // per response partition; -1 = decided
        sim::TimerId timer;
    };
    // Try to complete the DeleteRecords waiting on `tp` (tryCompleteDelayedDeleteRecords).
    void complete_delete_records(TopicPartition tp, Context& ctx);
    int64_t low_watermark(const Partition& p) const;
    // Appends a produce request's batches. `refused`: partitions the coordinator did not verify,
    // with what the producer is told; `guards`: the verification guards of those it did.
    void append_produce(sim::NodeId from, ProduceRequest& req, const std::map<TopicPartition, Error>& refused,
                        const std::map<TopicPartition, uint64_t>& guards, Context& ctx);
    // The produce requests that waited behind a verification of `from`'s, in order.
    void resume_behind_verification(sim::NodeId from, Context& ctx);
    void retry_verification(uint64_t id, Context& ctx);
    // False when no batch of the request needs verifying.
    bool start_verification(sim::NodeId from, ProduceRequest& req, Context& ctx);
    // The coordinator answered (or could not be asked: every partition gets `all`).
    void finish_verification(size_t index, const std::map<GroupPartition, Error>& answers, Error all, Context& ctx);
    void handle_fetch(sim::NodeId from, FetchRequest& req, Context& ctx, bool may_wait);
    void on_log_appended(const Partition& p, Context& ctx);
    void complete_produces(TopicPartition tp, Context& ctx, bool leadership_lost);
    enum class WakeFor { followers, consumers, all };
    void wake_fetches(TopicPartition tp, WakeFor who, Context& ctx);
    void finish_produce(size_t index, Context& ctx);
    void send_produce_response(PendingProduce& pr, Context& ctx);

    // ---- replica fetchers (one per leader broker: num.replica.fetchers=1) ----
    struct Fetcher {
        std::vector<TopicPartition> partitions;
        bool in_flight = false;
        int32_t correlation_id = 0;
        sim::TimerId timer;
        bool backing_off = false;
    };
    void update_fetchers(Context& ctx);
    void send_fetch(BrokerId leader, Context& ctx);
    void handle_divergence(Partition& p, const FetchResponse::PartitionData& d, Context& ctx);
    bool take_fetcher_answer(BrokerId leader, int32_t correlation_id, Context& ctx);
    void backoff_fetcher(BrokerId leader, Context& ctx);
    // Before 2.7: a new follower truncates by OffsetForLeaderEpoch before it fetches.
    bool send_epoch_query(BrokerId leader, Context& ctx);
    void truncate_follower(Partition& p, int64_t to, const char* reason, Context& ctx);

    BrokerId id_;
    const BrokerConfig& config_;
    const ClusterDirectory& directory_;
    const MetadataImage& image_;
    CorrelationIds& correlation_ids_;
    Host& host_;
    const sim::TimerSpace timers_ = timer_space(TimerComponent::replica_manager);

    std::map<TopicPartition, std::unique_ptr<Partition>> partitions_;
    std::vector<PendingProduce> produces_;
    std::vector<ParkedFetch> fetches_;
    std::vector<PendingVerification> verifications_;
    std::vector<PendingDeleteRecords> delete_records_;
    // Kafka handles one request per connection at a time (the channel is muted until its answer):
    // a produce behind one that waits for verification waits too, so it cannot overtake it.
    std::map<sim::NodeId, std::deque<ProduceRequest>> behind_verification_;
    uint64_t next_purgatory_id_ = 1;
    std::map<BrokerId, Fetcher> fetchers_;
    std::set<TopicPartition> awaiting_truncation_;  // followers in Kafka's Truncating fetch state
};

}  // namespace kafka
