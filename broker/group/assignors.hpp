// The classic consumer partition assignors (partition.assignment.strategy), as pure functions
// that give what the Java client's group leader computes for the same group:
//
//   range               RangeAssignor          (eager)
//   roundrobin          RoundRobinAssignor     (eager)
//   sticky              StickyAssignor         (eager; KIP-54, generation-aware per KIP-341)
//   cooperative-sticky  CooperativeStickyAssignor (cooperative; KIP-429)
//
// Inputs mirror what the leader has: the partition count of each topic from its metadata
// (topics without metadata or with no partitions are skipped, as AbstractPartitionAssignor
// does) and the members of the JoinGroup response, in the order the response lists them.
// That order matters only where Kafka's result does: the leader keeps the subscriptions in a
// java.util.HashMap, and the sticky assignors break some ties in that map's iteration order,
// which java_order.hpp reproduces (member ids in one hash bucket keep response order).
//
// Behaviour followed is that of the assignors in Kafka 3.5 and later, without rack information
// (the equal-subscription sticky path exists since 2.8 and differs from the examples in the
// StickyAssignor Javadoc, which describe the general path):
//   - range: per topic, its subscribers sorted (static members by group.instance.id first,
//     then dynamic members by member id), partitions split in ranges, the first
//     (partitions % subscribers) get one extra.
//   - roundrobin: all partitions of all subscribed topics (topics sorted by name) dealt over
//     the members sorted the same way, skipping a member not subscribed to the topic.
//   - sticky: when every member has the same subscription, the quota-based path (each member
//     keeps up to its quota of owned partitions, the rest filled round-robin); otherwise the
//     general path (keep valid ownership, assign the rest to the least loaded, then move
//     partitions until no member could take one from a member with two more). Owned
//     partitions claimed by two members go to the higher generation; two claims in one
//     generation invalidate the partition for both.
//   - cooperative-sticky: the sticky assignment, minus every partition that moves from one
//     member to another: it is revoked this round and handed out in the follow-up rebalance.
// group_instance_id is used only for ordering in range and roundrobin, as in Kafka.
//
// For "sticky", owned_partitions is the member's last assignment (what StickyAssignor carries
// in its userData, although an eager member revoked everything before rejoining); for
// "cooperative-sticky" it is what the member still owns. Either way with its generation.
//
// Where this differs from Kafka (the first three are inputs Kafka mishandles):
//   - Subscriptions are "equal" when they are equal sets. Kafka compares each one with the
//     first non-empty subscription it iterates, so an empty one met first counts as equal and
//     the equal-subscription path hands that member partitions it does not subscribe to.
//   - Owned partitions that do not exist (index beyond the topic's partition count) are
//     ignored; Kafka's equal-subscription path would hand them out.
//   - While balancing, a partition goes back to an older-generation previous owner only if
//     that member takes part in balancing and still subscribes to the topic (Kafka fails on
//     the first case and moves it anyway in the second).
//   - The newest generation is taken over this call's members; Kafka's assignor object keeps
//     the largest it has ever seen, which differs only if the leader saw a newer generation in
//     an earlier rebalance than any current member reports.
//   - No rack-aware assignment (KIP-881): members carry no rack.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "broker/group/group_partition.hpp"

namespace kafka {

struct MemberSubscription {
    std::string member_id;
    std::optional<std::string> group_instance_id;  // static membership (KIP-345)
    std::vector<std::string> topics;               // subscribed topics
    std::vector<GroupPartition> owned_partitions;  // owned now (cooperative) / last assignment (sticky userData)
    int32_t generation = -1;                       // generation of owned_partitions (KIP-341); -1 = none
};

// member id -> partitions, each list sorted; every member of the input has an entry.
using GroupAssignment = std::map<std::string, std::vector<GroupPartition>>;

class PartitionAssignor {
public:
    virtual ~PartitionAssignor() = default;
    virtual std::string_view name() const = 0;  // "range", "roundrobin", "sticky", "cooperative-sticky"
    virtual bool cooperative() const = 0;       // RebalanceProtocol COOPERATIVE (else EAGER)
    virtual GroupAssignment assign(const std::map<std::string, int32_t>& partitions_per_topic,
                                   const std::vector<MemberSubscription>& members) const = 0;
};

// By protocol name ("range", ...) or by Kafka's class name
// ("org.apache.kafka.clients.consumer.RangeAssignor", ...); nullptr for anything else.
std::unique_ptr<PartitionAssignor> make_assignor(std::string_view name);

// The partitions a member must revoke when going from `owned` to `assigned` (cooperative
// protocol: owned minus assigned), sorted.
std::vector<GroupPartition> partitions_to_revoke(const std::vector<GroupPartition>& owned,
                                                 const std::vector<GroupPartition>& assigned);

}  // namespace kafka
