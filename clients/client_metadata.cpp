#include "clients/client_metadata.hpp"

#include <algorithm>
#include <utility>

#include "sim/world.hpp"

namespace kafka {

ClientMetadata::ClientMetadata(std::vector<std::string> topics)
    : topics_(std::move(topics)), partitions_(topics_.size()) {}

size_t ClientMetadata::index_of(std::string_view topic) const {
    for (size_t i = 0; i < topics_.size(); ++i)
        if (topics_[i] == topic) return i;
    SIM_ASSERT(false, "client metadata asked about a topic the client does not use: " + std::string(topic));
    return 0;
}

void ClientMetadata::update_brokers(const MetadataResponse& resp) {
    if (!resp.brokers.empty()) live_brokers_ = resp.brokers;
}

const TopicMetadata* ClientMetadata::find_topic(const MetadataResponse& resp, std::string_view topic) {
    for (const auto& t : resp.topics)
        if (t.name == topic) {
            if (t.error != Error::none || t.partitions.empty()) break;
            return &t;
        }
    update_requested_ = true;
    return nullptr;
}

ClientMetadata::TopicUpdate ClientMetadata::update_partitions(const TopicMetadata& tm) {
    std::vector<PartitionInfo>& known = partitions_[index_of(tm.name)];
    TopicUpdate update;
    for (const auto& pm : tm.partitions)
        if (pm.partition >= 0) update.partitions = std::max(update.partitions, pm.partition + 1);
    if (static_cast<size_t>(update.partitions) > known.size()) known.resize(static_cast<size_t>(update.partitions));
    for (const auto& pm : tm.partitions) {
        if (pm.partition < 0) continue;
        PartitionInfo& info = known[static_cast<size_t>(pm.partition)];
        if (info.leader_epoch >= 0 && pm.leader_epoch >= 0 && pm.leader_epoch < info.leader_epoch) continue;
        BrokerId leader = pm.leader;
        if (pm.error == Error::leader_not_available || pm.error == Error::unknown_topic_or_partition) leader = no_leader;
        if (leader != info.leader) update.leader_changed = true;
        info.leader = leader;
        info.leader_epoch = pm.leader_epoch;
        if (leader == no_leader) update_requested_ = true;
    }
    return update;
}

void ClientMetadata::forget_partitions(std::string_view topic) { partitions_[index_of(topic)].clear(); }

const std::vector<ClientMetadata::PartitionInfo>& ClientMetadata::partitions(std::string_view topic) const {
    return partitions_[index_of(topic)];
}

const ClientMetadata::PartitionInfo* ClientMetadata::partition(std::string_view topic, int32_t partition) const {
    const std::vector<PartitionInfo>& known = partitions_[index_of(topic)];
    if (partition < 0 || static_cast<size_t>(partition) >= known.size()) return nullptr;
    return &known[static_cast<size_t>(partition)];
}

}  // namespace kafka
