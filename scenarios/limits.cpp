#include "scenarios/limits.hpp"

namespace scenarios::limits {

const std::vector<Limit>& all_limits() {
    static const std::vector<Limit> table = {
        {"file size (bytes)", static_cast<double>(max_file_bytes)},
        {"nesting depth", static_cast<double>(max_json_depth)},
        {"duration (s)", static_cast<double>(max_duration_us) / 1e6},
        {"kafka.brokers", static_cast<double>(max_brokers)},
        {"kafka.controllers", static_cast<double>(max_controllers)},
        {"kafka.zookeeper", static_cast<double>(max_zookeeper)},
        {"partitions of a topic", static_cast<double>(max_partitions_per_topic)},
        {"partition replicas", static_cast<double>(max_partition_replicas)},
        {"replica-seconds", max_replica_seconds},
        {"producers", static_cast<double>(max_producers)},
        {"producer rate (records/s)", max_producer_rate},
        {"records produced", max_produced_records},
        {"members of a group", static_cast<double>(max_members)},
        {"consumers", static_cast<double>(max_consumers)},
        {"faults", static_cast<double>(max_faults)},
        {"expect", static_cast<double>(max_expectations)},
    };
    return table;
}

}  // namespace scenarios::limits
