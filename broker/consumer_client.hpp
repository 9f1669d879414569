// A consumer client (KafkaConsumer's Fetcher + SubscriptionState + Metadata) as a pure
// handler node, for a consumer without a group ("group": null): it assigns itself every
// partition of its topics, as assign() would, and never commits.
//
// Modelled as the Java client does it:
//  - metadata from a bootstrap broker (refreshed after InvalidMetadata errors, disconnects,
//    request timeouts, partitions without a leader, and every metadata.max.age.ms; metadata
//    with an older leader epoch than known is ignored, KIP-320);
//  - a partition without a position is reset with ListOffsets to its leader
//    (auto.offset.reset earliest -> -2, latest -> -1; none -> the partition fails, as
//    NoOffsetForPartitionException would stop the application);
//  - one FetchRequest in flight per leader, with every fetchable partition it leads
//    (replica_id -1, fetch.max.wait.ms, fetch.min.bytes, max.partition.fetch.bytes,
//    current_leader_epoch from metadata); a partition with fetched records not yet handed
//    to the application is not fetched again; fetched data is dropped when the position
//    moved meanwhile (Fetcher: fetchOffset != position);
//  - poll(): at most max.poll.records per poll, partitions in the order their data arrived;
//    the position advances as poll returns records. With a rate the application needs
//    n / rate seconds to process a poll of n records before it polls again (a token bucket
//    with max.poll.records as its depth); without one it takes whatever is fetched at once;
//  - NOT_LEADER_OR_FOLLOWER / FENCED_LEADER_EPOCH / UNKNOWN_LEADER_EPOCH and other
//    InvalidMetadata errors: refresh metadata, retry after retry.backoff.ms;
//    OFFSET_OUT_OF_RANGE: reset by auto.offset.reset (traced as "consumer_offset_reset").
//
// Not modelled: offset validation after a leader change (OffsetsForLeaderEpoch, KIP-320
// truncation detection); isolation.level read_committed is passed to the broker only.
// Connections to brokers are handled as in producer_client.hpp (down after a disconnect or
// a request timeout, probed every reconnect backoff).
//
// Group membership will come later: the assignment is kept apart from the fetch machinery
// (assign_from_metadata() is the only place that decides which partitions are owned), so
// a group protocol can replace it with the coordinator's assignment and seed positions from
// committed offsets instead of auto.offset.reset.
#pragma once
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/client_events.hpp"
#include "broker/config.hpp"
#include "broker/world.hpp"

namespace kafka {

class ConsumerClient : public Node {
public:
    // rate_per_s: records per second the application processes (nullopt = unlimited).
    // Consumes in [from, until). dir and events must outlive the node; events may be null.
    ConsumerClient(uint32_t client_ordinal, std::vector<std::string> topics, ConsumerConfig config,
                   std::optional<double> rate_per_s, sim::Time from, sim::Time until, const ClusterDirectory& dir,
                   ClientEvents* events);

    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;
    void on_disconnect(sim::NodeId peer, Context& ctx) override;

    // ---- read-only inspection for the harness ----
    uint32_t client_ordinal() const { return client_; }
    const std::vector<std::string>& topics() const { return topic_names_; }
    // The next offset poll() will return for tp; -1 while unknown (not assigned or not reset yet).
    int64_t position(TopicPartition tp) const;
    // The high watermark the last fetch of tp reported; -1 before any.
    int64_t high_watermark(TopicPartition tp) const;
    uint64_t records_consumed() const { return records_consumed_; }
    // Records fetched but not yet handed to the application.
    uint64_t buffered_records() const;
    std::vector<TopicPartition> assignment() const;
    // Partitions that can no longer be consumed (auto.offset.reset=none without a position).
    std::vector<TopicPartition> failed_partitions() const;
    std::optional<TopicId> topic_id(std::string_view topic) const;
    bool active() const { return active_; }
    uint64_t fetch_requests_sent() const { return fetch_requests_sent_; }
    uint64_t list_offsets_requests_sent() const { return list_offsets_requests_sent_; }
    uint64_t metadata_requests_sent() const { return metadata_requests_sent_; }

private:
    enum class Phase : uint8_t { awaiting_reset, resetting, fetching, failed };
    struct PartitionState {
        std::string topic;
        BrokerId leader = no_leader;
        int32_t leader_epoch = -1;
        Phase phase = Phase::awaiting_reset;
        int64_t position = -1;
        int64_t high_watermark = -1;
        int32_t fetch_corr = 0;    // the fetch in flight for it, 0 = none
        int64_t fetch_offset = -1; // the offset that fetch asked for
        int32_t reset_corr = 0;    // the ListOffsets in flight for it, 0 = none
        std::deque<RecordBatch> buffer;  // fetched, not yet handed to the application
        sim::Time retry_at;        // backoff after an error
        bool in_poll_queue = false;
    };
    struct TopicState {
        std::string name;
        TopicId id = 0;
        bool known = false;
    };
    enum class RequestKind : uint8_t { fetch, list_offsets };
    struct Request {
        RequestKind kind = RequestKind::fetch;
        BrokerId broker = no_leader;
        sim::NodeId node = sim::no_node;
        sim::TimerId timer;
        std::vector<TopicPartition> tps;
    };
    // As in the producer: down after a disconnect or a request timeout, probed with a
    // MetadataRequest every reconnect backoff, up again at the first answer.
    struct Connection {
        bool down = false;
        sim::Time ready_at;      // down: the next probe
        int64_t backoff_ms = 0;
        int32_t probe_corr = 0;
        int32_t fetch_corr = 0;  // one fetch per broker in flight
    };

    void activate(Context& ctx);
    void progress(Context& ctx);
    void deliver(Context& ctx, sim::Time& next);
    void send_list_offsets(Context& ctx, sim::Time& next);
    void send_fetches(Context& ctx, sim::Time& next);
    void arm_wakeup(sim::Time at, Context& ctx);
    void handle_fetch_response(sim::NodeId from, const FetchResponse& resp, Context& ctx);
    void handle_list_offsets_response(sim::NodeId from, const ListOffsetsResponse& resp, Context& ctx);
    void partition_error(const TopicPartition& tp, PartitionState& ps, Error error, Context& ctx);
    void need_reset(const TopicPartition& tp, PartitionState& ps, Context& ctx, bool out_of_range);
    void fail_connection(BrokerId broker, Context& ctx);
    void mark_disconnected(BrokerId broker, Context& ctx);
    // false (and a probe when due) while the connection to broker is down.
    bool connection_usable(BrokerId broker, Context& ctx, sim::Time& next);
    int32_t track_request(RequestKind kind, BrokerId broker, sim::NodeId node, std::vector<TopicPartition> tps,
                          Context& ctx);

    void assign_from_metadata(const MetadataResponse& resp, Context& ctx);
    void request_metadata(Context& ctx);
    void maybe_send_metadata(Context& ctx);
    void metadata_failed(Context& ctx);
    void handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx);

    // fixed
    uint32_t client_;
    std::vector<std::string> topic_names_;
    ConsumerConfig config_;
    uint64_t rate_milli_ = 0;  // records per 1000 s; 0 = unlimited
    sim::Time from_;
    sim::Time until_;
    const ClusterDirectory* dir_;
    ClientEvents* events_;

    bool active_ = false;
    std::vector<TopicState> topics_;
    std::map<TopicPartition, PartitionState> parts_;
    std::deque<TopicPartition> poll_queue_;  // partitions with buffered records, in arrival order
    sim::Time app_ready_at_;                 // the application polls again from here
    std::map<int32_t, Request> requests_;    // by correlation id
    std::map<BrokerId, Connection> connections_;
    int32_t next_correlation_ = 1;
    sim::TimerId wakeup_timer_;
    sim::Time wakeup_deadline_ = sim::time_never;

    // metadata
    std::vector<BrokerId> live_brokers_;
    bool metadata_wanted_ = true;
    int32_t metadata_corr_ = 0;
    sim::NodeId metadata_node_ = sim::no_node;
    sim::TimerId metadata_timer_;
    sim::TimerId metadata_retry_timer_;
    sim::TimerId metadata_age_timer_;
    sim::Time metadata_backoff_until_;
    uint64_t metadata_rr_ = 0;

    uint64_t records_consumed_ = 0;
    uint64_t fetch_requests_sent_ = 0;
    uint64_t list_offsets_requests_sent_ = 0;
    uint64_t metadata_requests_sent_ = 0;
};

}  // namespace kafka
