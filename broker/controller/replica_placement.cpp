#include "broker/controller/replica_placement.hpp"

#include <algorithm>

namespace kafka {

std::vector<std::vector<BrokerId>> assign_replicas(const std::vector<BrokerId>& brokers, int partitions, int rf,
                                                   int start_index, int shift) {
    std::vector<std::vector<BrokerId>> out;
    const int n = static_cast<int>(brokers.size());
    if (rf < 1 || rf > n || partitions < 0 || start_index < 0 || shift < 0) return out;
    std::vector<BrokerId> sorted = brokers;
    std::sort(sorted.begin(), sorted.end());
    out.reserve(static_cast<size_t>(partitions));
    int next_replica_shift = shift;
    for (int p = 0; p < partitions; ++p) {
        if (p > 0 && p % n == 0) ++next_replica_shift;
        const int first = (p + start_index) % n;
        std::vector<BrokerId> replicas;
        replicas.reserve(static_cast<size_t>(rf));
        replicas.push_back(sorted[static_cast<size_t>(first)]);
        for (int j = 0; j < rf - 1; ++j) {
            // AdminUtils.replicaIndex: 1 + (shift + j) mod (n - 1) never lands on `first`.
            const int step = 1 + (next_replica_shift + j) % (n - 1);
            replicas.push_back(sorted[static_cast<size_t>((first + step) % n)]);
        }
        out.push_back(std::move(replicas));
    }
    return out;
}

std::vector<std::vector<BrokerId>> assign_replicas(const std::vector<BrokerId>& brokers, int partitions, int rf,
                                                   sim::Rng& rng) {
    if (brokers.empty()) return {};
    const auto n = static_cast<uint64_t>(brokers.size());
    const int start_index = static_cast<int>(rng.below(n));
    const int shift = static_cast<int>(rng.below(n));
    return assign_replicas(brokers, partitions, rf, start_index, shift);
}

}  // namespace kafka
