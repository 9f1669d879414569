// Kafka's default replica placement without racks (AdminUtils.assignReplicasToBrokersRackUnaware):
// the first replica of partition p goes to broker (p + startIndex) mod n; the followers are
// spread by a shift that grows by one every n partitions, so the replicas of consecutive
// partitions land on different broker pairs.
#pragma once
#include <vector>

#include "broker/metadata_records.hpp"
#include "sim/random.hpp"

namespace kafka {

// brokers: the candidate broker ids (any order; sorted by id here, as Kafka does).
// Requires 1 <= rf <= brokers.size() and 0 <= start_index, shift; returns an empty vector
// otherwise. Result[p] is partition p's replica list, preferred leader first.
std::vector<std::vector<BrokerId>> assign_replicas(const std::vector<BrokerId>& brokers, int partitions, int rf,
                                                   int start_index, int shift);

// startIndex and nextReplicaShift drawn uniformly in [0, n) from `rng` (in that order), as
// Kafka does when no start index is fixed.
std::vector<std::vector<BrokerId>> assign_replicas(const std::vector<BrokerId>& brokers, int partitions, int rf,
                                                   sim::Rng& rng);

}  // namespace kafka
