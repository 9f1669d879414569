#include "scenarios/run_data.hpp"

#include <algorithm>
#include <iterator>

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

bool PartitionSnapshot::committed_holds(int64_t offset, uint32_t client, uint32_t seq) const {
    const ReplicaSnapshot* r = committed_source();
    if (r == nullptr || offset < r->log_start_offset || offset >= r->high_watermark) return false;
    auto it = std::upper_bound(r->batches.begin(), r->batches.end(), offset,
                               [](int64_t o, const kafka::RecordBatch& b) { return o < b.base_offset; });
    if (it == r->batches.begin()) return false;
    const kafka::RecordBatch& b = *std::prev(it);
    if (offset > b.last_offset() || b.client != client) return false;
    return b.first_seq + static_cast<uint32_t>(offset - b.base_offset) == seq;
}

const PartitionSnapshot* ClusterSnapshot::find(kafka::TopicPartition tp) const {
    for (const auto& p : partitions)
        if (p.tp == tp) return &p;
    return nullptr;
}

}  // namespace scenarios
