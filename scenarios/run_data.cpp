#include "scenarios/run_data.hpp"

namespace scenarios {

const ReplicaSnapshot* PartitionSnapshot::committed_source() const {
    const ReplicaSnapshot* best = nullptr;
    for (const auto& r : replica_logs) {
        if (r.broker == leader && r.online) return &r;
        if (best == nullptr || r.high_watermark > best->high_watermark) best = &r;
    }
    return best;
}

int64_t PartitionSnapshot::committed_end() const {
    const ReplicaSnapshot* r = committed_source();
    return r == nullptr ? 0 : r->high_watermark;
}

const PartitionSnapshot* ClusterSnapshot::find(kafka::TopicPartition tp) const {
    for (const auto& p : partitions)
        if (p.tp == tp) return &p;
    return nullptr;
}

}  // namespace scenarios
