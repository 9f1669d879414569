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
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/history.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

namespace metric {
// Time of the sample, in seconds of virtual time.
inline constexpr std::string_view time_s = "time_s";
// Cluster: kafka.server:type=ReplicaManager / kafka.controller:type=KafkaController.
inline constexpr std::string_view under_replicated_partitions = "UnderReplicatedPartitions";
inline constexpr std::string_view offline_partitions_count = "OfflinePartitionsCount";
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
// Per consumer client (consumer-fetch-manager-metrics).
inline constexpr std::string_view records_lag_sum = "records-lag-sum";  // over its partitions
inline constexpr std::string_view records_lag_max = "records-lag-max";
inline constexpr std::string_view records_consumed_rate = "records-consumed-rate";  // records/s
// Per consumer group, as kafka-consumer-groups.sh --describe sees it: the lag is the high
// watermark minus the group's committed offset, summed (and the largest) over its partitions.
inline constexpr std::string_view group_members = "members";
inline constexpr std::string_view group_generation = "generation";  // -1: no coordinator has the group
inline constexpr std::string_view group_committed_partitions = "committed-partitions";
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
void write_metrics_csv(std::ostream& out, const MetricsTable& table);

// A produced batch's latency: from its first send to its acknowledgement.
struct BatchLatency {
    sim::Time acked;
    sim::Duration latency;
};
// Every acknowledged batch, in acknowledgement order.
std::vector<BatchLatency> batch_latencies(const scenarios::History& history);

// Nearest-rank percentile (p in 1..100) of unsorted values; 0 when empty.
int64_t percentile(std::vector<int64_t> values, int p);

}  // namespace reports
