// kafkasim's limits on the size of a scenario: what `kafkasim validate` enforces so that no
// valid file makes a run exhaust memory or run for days. Each is far above what a scenario
// teaching or testing Kafka behaviour needs (the library's largest: 5 brokers, 12 partitions,
// 3 members, 1000 records/s, 10 minutes) and low enough that a scenario at the limit runs in
// minutes on a 2-core machine. docs/scenario-format.md ("Limits") lists them with the time and
// memory measured at each; a test keeps that table and these numbers the same.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace scenarios::limits {

// The file itself.
inline constexpr size_t max_file_bytes = 16 * 1024 * 1024;  // library files are a few KB
inline constexpr size_t max_json_depth = 64;                // a scenario nests 6 deep

// The cluster.
inline constexpr int64_t max_brokers = 100;
inline constexpr int64_t max_controllers = 25;  // KRaft voters
inline constexpr int64_t max_zookeeper = 25;    // ZooKeeper servers
// Partition replicas of the scenario's topics, all topics together (partitions times
// replication factor): what broker work and memory grow with.
inline constexpr int64_t max_partitions_per_topic = 1000;
inline constexpr int64_t max_partition_replicas = 3000;
// ... and those replicas times the simulated seconds: a broker's periodic work (fetches, ISR
// checks) is per replica and per second, so 3000 replicas may run for a minute, 9 for an hour.
inline constexpr double max_replica_seconds = 3000.0 * 60;

// The workload.
inline constexpr double max_producer_rate = 100000;  // records/s, each producer
// Records every producer sends over the run (rate times the time it runs, all together).
inline constexpr double max_produced_records = 10000000;
inline constexpr int64_t max_producers = 100;
inline constexpr int64_t max_members = 100;          // consumers of one group
inline constexpr int64_t max_consumers = 200;        // consumers of every group together
inline constexpr int64_t max_faults = 1000;
inline constexpr int64_t max_expectations = 100;

// Simulated time.
inline constexpr int64_t max_duration_us = int64_t{3600} * 1000000;  // 1h

struct Limit {
    std::string_view what;  // as docs/scenario-format.md names it
    double value;
};
// Every limit above, in the order of the docs table.
const std::vector<Limit>& all_limits();

}  // namespace scenarios::limits
