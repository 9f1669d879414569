// What a client knows of the cluster (Kafka's Metadata): the live brokers, and the leader and
// leader epoch of every partition of the topics it uses. The client and its network client
// request an update when what they know is stale: an InvalidMetadata error, a disconnect, a
// request timeout, a partition without a leader, a topic not created yet. The network client
// (network_client.hpp) sends it, and refreshes it every metadata.max.age.ms regardless.
//
// Leader epochs only go forward (KIP-320): a partition's metadata with an older leader epoch
// than the client knows comes from a broker that has not caught up, and is ignored.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "broker/messages.hpp"

namespace kafka {

class ClientMetadata {
public:
    struct PartitionInfo {
        BrokerId leader = no_leader;
        int32_t leader_epoch = -1;
    };
    struct TopicUpdate {
        int32_t partitions = 0;       // as many as the response names (highest index + 1)
        bool leader_changed = false;  // some partition the update took has another leader now
    };

    // topics: what every MetadataRequest of the client asks for.
    explicit ClientMetadata(std::vector<std::string> topics);

    const std::vector<std::string>& topics() const { return topics_; }

    // Metadata.requestUpdate: the next MetadataRequest the network client may send goes out.
    void request_update() { update_requested_ = true; }
    bool update_requested() const { return update_requested_; }
    void update_sent() { update_requested_ = false; }

    // The brokers the last metadata named; empty until then (the bootstrap list stands in).
    const std::vector<BrokerId>& live_brokers() const { return live_brokers_; }
    void update_brokers(const MetadataResponse& resp);

    // topic's entry in resp when it can be used; nullptr, with an update requested, while the
    // topic is unknown (not created yet) or has no partitions yet.
    const TopicMetadata* find_topic(const MetadataResponse& resp, std::string_view topic);
    // Takes the leaders tm names, except for partitions where a newer leader epoch is known.
    // A partition without a leader requests an update.
    TopicUpdate update_partitions(const TopicMetadata& tm);
    // The topic was created again under a new id: its leader epochs start over. (The
    // producer never calls this; see producer_client.hpp.)
    void forget_partitions(std::string_view topic);

    // What is known of topic's partitions, by index: every partition any metadata named
    // since the topic was last forgotten (a partition in between that none named has no leader).
    const std::vector<PartitionInfo>& partitions(std::string_view topic) const;
    // The same by the topic's position in the client's topic list (for hot paths: no name lookup).
    const std::vector<PartitionInfo>& partitions_at(size_t topic_index) const { return partitions_.at(topic_index); }
    // nullptr when no metadata named a partition that far.
    const PartitionInfo* partition(std::string_view topic, int32_t partition) const;

private:
    size_t index_of(std::string_view topic) const;

    std::vector<std::string> topics_;
    std::vector<std::vector<PartitionInfo>> partitions_;  // parallel to topics_
    std::vector<BrokerId> live_brokers_;
    bool update_requested_ = true;  // the bootstrap
};

}  // namespace kafka
