// metrics.csv: one row per sample interval (RunOptions::sample_interval, `--sample`) with the
// state of every partition, the metadata quorum, the producers and each consumer. The plots
// read the same table, so a plotted line and its CSV column are one number.
//
// Column names are Kafka's metric names where Kafka has one (UnderReplicatedPartitions,
// InSyncReplicasCount, records-lag-max, record-send-rate, request-latency-avg, raft-metrics
// current-leader ...), in Kafka's own spelling (broker JMX names in PascalCase, client and
// raft metrics in kebab-case). Per-entity columns are "<entity>.<metric>":
//   orders/0.InSyncReplicasCount          a partition, "<topic>/<partition>"
//   consumer:null/1.records-lag-max       a consumer client, by its node name
//   group:billing.records-lag-max         a consumer group (lag from its committed offsets)
// An empty cell means "no value in this interval" (no leader, no acknowledgement).
#pragma once
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/history.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

// A sample with no value: a NaN, an empty cell in metrics.csv and a gap in a plot.
inline constexpr double no_value = std::numeric_limits<double>::quiet_NaN();

namespace metric {
// Time of the sample, in seconds of virtual time.
inline constexpr std::string_view time_s = "time_s";
// Cluster: kafka.server:type=ReplicaManager / kafka.controller:type=KafkaController.
inline constexpr std::string_view under_replicated_partitions = "UnderReplicatedPartitions";
inline constexpr std::string_view offline_partitions_count = "OfflinePartitionsCount";
// kafka.controller:type=KafkaController,name=ActiveControllerCount summed over the cluster: how
// many nodes believe they are the active controller. 1 is healthy, 0 is no controller, 2 is a
// zombie (a paused ZooKeeper-mode controller that lost its session still believes it leads).
inline constexpr std::string_view active_controller_count = "ActiveControllerCount";
// Metadata quorum: kafka.server:type=raft-metrics, as the quorum leader reports them.
inline constexpr std::string_view quorum_leader = "raft-metrics.current-leader";  // -1: no leader
inline constexpr std::string_view quorum_epoch = "raft-metrics.current-epoch";
inline constexpr std::string_view quorum_high_watermark = "raft-metrics.high-watermark";
inline constexpr std::string_view active_controller = "active-controller";  // id; -1: none (kafkasim)
// Producers, all together (producer-metrics). Latency is a batch's, from the first time it
// was sent to its acknowledgement, so retries through a failover show as latency.
inline constexpr std::string_view record_send_total = "record-send-total";
inline constexpr std::string_view record_send_rate = "record-send-rate";    // records/s
inline constexpr std::string_view record_ack_total = "record-ack-total";    // kafkasim: acknowledged
inline constexpr std::string_view record_ack_rate = "record-ack-rate";      // kafkasim, records/s
inline constexpr std::string_view record_error_total = "record-error-total";  // final errors
inline constexpr std::string_view record_error_rate = "record-error-rate";
// Failed attempts that the producer retries (producer-metrics record-retry-total/-rate).
inline constexpr std::string_view record_retry_total = "record-retry-total";
inline constexpr std::string_view record_retry_rate = "record-retry-rate";
// What is pending, which latency (completed batches only) cannot show during an outage: the
// age of the oldest batch sent and neither acknowledged nor failed for good (kafkasim), and
// how many records are in that state.
inline constexpr std::string_view oldest_unacked_age_ms = "oldest-unacked-batch-age-ms";
inline constexpr std::string_view records_unacked = "records-unacked";
// The fate of the records acknowledged in each interval, judged against the final committed
// logs, Jepsen style (kafkasim): ok, lost (acknowledged, not in the log), duplicated (in the
// log more than once); failed is record-error-total.
inline constexpr std::string_view records_acked_ok_total = "records-acked-ok-total";
inline constexpr std::string_view records_lost_total = "records-lost-total";
inline constexpr std::string_view records_duplicated_total = "records-duplicated-total";
inline constexpr std::string_view request_latency_avg = "request-latency-avg";  // ms
inline constexpr std::string_view request_latency_p50 = "request-latency-p50";  // ms (kafkasim)
inline constexpr std::string_view request_latency_p99 = "request-latency-p99";  // ms (kafkasim)
inline constexpr std::string_view request_latency_max = "request-latency-max";  // ms
// Per partition (kafka.cluster:type=Partition, kafka.log:type=Log).
inline constexpr std::string_view leader = "leader";              // broker id; -1: offline
inline constexpr std::string_view leader_epoch = "leader-epoch";
inline constexpr std::string_view isr_count = "InSyncReplicasCount";
inline constexpr std::string_view replicas_count = "ReplicasCount";
inline constexpr std::string_view high_watermark = "high-watermark";  // the leader's
inline constexpr std::string_view log_end_offset = "LogEndOffset";    // the leader's
inline constexpr std::string_view log_start_offset = "LogStartOffset";  // the leader's (retention moves it)
// Transactions, only in runs that have them (an open transaction, or a last stable offset below
// the high watermark): the leader's last stable offset (kafkasim), and Kafka's
// kafka.log:type=Log,name=LastStableOffsetLag = high watermark - last stable offset.
inline constexpr std::string_view last_stable_offset = "last-stable-offset";
inline constexpr std::string_view last_stable_offset_lag = "LastStableOffsetLag";
// Cluster: the transactions the partition leaders hold open, summed over partitions (a
// transaction on three partitions counts three; kafkasim).
inline constexpr std::string_view open_transactions = "open-transactions";
// Per consumer client (consumer-fetch-manager-metrics).
inline constexpr std::string_view records_lag_sum = "records-lag-sum";  // over its partitions
inline constexpr std::string_view records_lag_max = "records-lag-max";
inline constexpr std::string_view records_consumed_rate = "records-consumed-rate";  // records/s
// Per consumer group, as kafka-consumer-groups.sh --describe sees it: the lag is the high
// watermark minus the group's committed offset, summed (and the largest) over its partitions.
inline constexpr std::string_view group_members = "members";
inline constexpr std::string_view group_generation = "generation";  // -1: no coordinator has the group
inline constexpr std::string_view group_committed_partitions = "committed-partitions";
// From the members' positions (what is really unread), not the committed offsets: per partition
// the high watermark minus the position of the member that owns it; an owner that crashed keeps
// its last position until a rebalance hands the partition on, and its successor starts from the
// committed offset. Summed over the group's partitions (kafkasim).
inline constexpr std::string_view group_position_lag = "position-lag-sum";
// Lag in seconds, as Burrow and kafka-lag-exporter users read it
// (kafka_consumergroup_group_max_lag_seconds): over the group's partitions, the longest time since
// the oldest unread record (the one at the position) was appended, to the sample interval.
inline constexpr std::string_view group_max_lag_seconds = "max-lag-seconds";
// Per partition: "group:billing.orders/3.records-lag", from the position as above.
inline constexpr std::string_view partition_lag = "records-lag";
}  // namespace metric

std::string entity_column(std::string_view entity, std::string_view metric);  // "orders/0.leader"

struct MetricColumn {
    std::string name;
    int decimals = 0;              // digits after the point in the CSV; 0: an integer
    std::vector<double> values;    // one per row; NaN: no value (an empty cell)
};

struct MetricsTable {
    std::vector<sim::Time> times;        // one per row: the sample's time
    std::vector<MetricColumn> columns;   // time_s first
    std::vector<std::string> partitions; // "orders/0", in sample order
    std::vector<std::string> consumers;  // "consumer:null/1", in sample order
    std::vector<std::string> groups;     // "group:billing", in sample order
    const MetricColumn* find(std::string_view name) const;  // nullptr when absent
};

MetricsTable build_metrics(const scenarios::RunData& run);
// The run had transactions: some sample shows an open transaction or a last stable offset below
// the high watermark. Only such runs get the transaction columns and plot.
bool has_transactions(const scenarios::RunData& run);
void write_metrics_csv(std::ostream& out, const MetricsTable& table);

// A produced batch's latency: from its first send to its acknowledgement.
struct BatchLatency {
    sim::Time acked;
    sim::Duration latency;
};
// Every acknowledged batch, in acknowledgement order.
std::vector<BatchLatency> batch_latencies(const scenarios::History& history);

// How many times each acknowledged record sits in the final committed logs (the leader's log up
// to its high watermark, or the best replica's without a leader): 1 ok, 0 lost, 2+ duplicated.
class FinalLogCopies {
public:
    explicit FinalLogCopies(const scenarios::RunData& run);
    // The copies of record `seq` of `client` on `tp`, acknowledged at `offset` (-1 for acks=0);
    // nullopt when it cannot be judged: acks=0 promised nothing, and retention deleted what lies
    // below the log start offset.
    std::optional<int> copies(uint32_t client, kafka::TopicPartition tp, uint32_t seq, int64_t offset) const;
    // False when the run kept no replica logs (a scenario without expectations snapshots
    // none): then nothing can be judged, and copies() says nullopt.
    bool judged() const { return judged_; }

private:
    bool judged_ = true;
    std::map<std::pair<uint32_t, kafka::TopicPartition>, std::vector<uint8_t>> copies_;
    std::map<kafka::TopicPartition, int64_t> log_start_;
};

// How long ago the record at `position` became readable at `times[row]`: the time since the
// high watermark first passed it. `hw_max[r]` is the running maximum of the partition's high
// watermark up to sample r (so a truncation does not make old records new). 0 when caught up;
// nullopt when no sample up to `row` shows the high watermark past `position`.
std::optional<sim::Duration> time_lag(const std::vector<sim::Time>& times, const std::vector<int64_t>& hw_max,
                                      size_t row, int64_t position);

// Nearest-rank percentile (p in 1..100) of unsorted values; 0 when empty.
int64_t percentile(std::vector<int64_t> values, int p);

}  // namespace reports
