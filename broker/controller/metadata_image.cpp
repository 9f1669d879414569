#include "broker/controller/metadata_image.hpp"

#include <string>
#include <type_traits>

#include "sim/world.hpp"

namespace kafka {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
    using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

std::string config_value_text(const ConfigValue& v) {
    return std::visit(Overloaded{[](bool b) { return std::string(b ? "true" : "false"); },
                                 [](int64_t i) { return std::to_string(i); },
                                 [](double d) { return std::to_string(d); },
                                 [](const std::string& s) { return s; }},
                      v);
}

}  // namespace

void MetadataImage::clear() { *this = MetadataImage{}; }

const BrokerRegistration* MetadataImage::broker(BrokerId id) const {
    auto it = brokers_.find(id);
    return it == brokers_.end() ? nullptr : &it->second;
}

const TopicImage* MetadataImage::topic(TopicId id) const {
    auto it = topics_.find(id);
    return it == topics_.end() ? nullptr : &it->second;
}

const TopicImage* MetadataImage::topic(std::string_view name) const {
    auto it = topic_ids_by_name_.find(name);
    return it == topic_ids_by_name_.end() ? nullptr : topic(it->second);
}

const PartitionState* MetadataImage::partition(TopicPartition tp) const {
    const TopicImage* t = topic(tp.topic_id);
    return t ? t->partition(tp.partition) : nullptr;
}

bool MetadataImage::is_unfenced(BrokerId id) const {
    const BrokerRegistration* b = broker(id);
    return b && !b->fenced;
}

bool MetadataImage::is_active(BrokerId id) const {
    const BrokerRegistration* b = broker(id);
    return b && !b->fenced && !b->in_controlled_shutdown;
}

int32_t MetadataImage::partitions_led_by(BrokerId id) const {
    auto it = leader_counts_.find(id);
    return it == leader_counts_.end() ? 0 : it->second;
}

void MetadataImage::set_leader(PartitionState& p, BrokerId leader) {
    if (p.leader == no_leader) {
        --offline_partitions_;
    } else {
        auto it = leader_counts_.find(p.leader);
        if (it != leader_counts_.end() && --it->second == 0) leader_counts_.erase(it);
    }
    p.leader = leader;
    if (leader == no_leader) {
        ++offline_partitions_;
    } else {
        ++leader_counts_[leader];
    }
}

void MetadataImage::apply(int64_t offset, const MetadataRecord& record) {
    SIM_ASSERT(offset > last_offset_, "metadata records applied out of order: offset " + std::to_string(offset) +
                                          " after " + std::to_string(last_offset_));
    last_offset_ = offset;
    std::visit(
        Overloaded{
            [](const NoOpRecord&) {},
            [](const LeaderChangeMessage&) {},
            [&](const RegisterBrokerRecord& r) {
                // A new incarnation replaces the old registration; the old epoch is dead.
                brokers_[r.broker_id] = BrokerRegistration{r.broker_id, r.broker_epoch, r.incarnation_id, r.fenced, false};
            },
            [&](const UnregisterBrokerRecord& r) {
                auto it = brokers_.find(r.broker_id);
                if (it != brokers_.end() && it->second.epoch == r.broker_epoch) brokers_.erase(it);
            },
            [&](const FenceBrokerRecord& r) {
                auto it = brokers_.find(r.broker_id);
                if (it != brokers_.end() && it->second.epoch == r.broker_epoch) it->second.fenced = true;
            },
            [&](const UnfenceBrokerRecord& r) {
                auto it = brokers_.find(r.broker_id);
                if (it != brokers_.end() && it->second.epoch == r.broker_epoch) {
                    it->second.fenced = false;
                    it->second.in_controlled_shutdown = false;
                }
            },
            [&](const BrokerRegistrationChangeRecord& r) {
                auto it = brokers_.find(r.broker_id);
                if (it != brokers_.end() && it->second.epoch == r.broker_epoch)
                    it->second.in_controlled_shutdown = r.in_controlled_shutdown;
            },
            [&](const TopicRecord& r) {
                SIM_ASSERT(!topics_.contains(r.topic_id), "TopicRecord for existing topic id " + std::to_string(r.topic_id));
                SIM_ASSERT(!topic_ids_by_name_.contains(r.name), "TopicRecord for existing topic name " + r.name);
                TopicImage& t = topics_[r.topic_id];
                t.name = r.name;
                t.id = r.topic_id;
                topic_ids_by_name_.emplace(r.name, r.topic_id);
                if (r.topic_id > max_topic_id_) max_topic_id_ = r.topic_id;
            },
            [&](const ConfigRecord& r) {
                auto it = topics_.find(r.topic_id);
                SIM_ASSERT(it != topics_.end(), "ConfigRecord for unknown topic id " + std::to_string(r.topic_id));
                if (r.deleted)
                    it->second.configs.erase(r.name);
                else
                    it->second.configs[r.name] = r.value;
            },
            [&](const RemoveTopicRecord& r) {
                auto it = topics_.find(r.topic_id);
                SIM_ASSERT(it != topics_.end(), "RemoveTopicRecord for unknown topic id " + std::to_string(r.topic_id));
                for (PartitionState& p : it->second.partitions) {
                    set_leader(p, no_leader);  // out of the leader counts
                    --offline_partitions_;
                    --partition_count_;
                }
                topic_ids_by_name_.erase(it->second.name);
                topics_.erase(it);
            },
            [&](const PartitionRecord& r) {
                auto it = topics_.find(r.topic_id);
                SIM_ASSERT(it != topics_.end(), "PartitionRecord for unknown topic id " + std::to_string(r.topic_id));
                SIM_ASSERT(r.partition >= 0, "PartitionRecord with a negative partition");
                auto& parts = it->second.partitions;
                const auto index = static_cast<size_t>(r.partition);
                while (parts.size() <= index) {
                    PartitionState fresh;
                    fresh.tp = TopicPartition{r.topic_id, static_cast<int32_t>(parts.size())};
                    parts.push_back(std::move(fresh));
                    ++partition_count_;
                    ++offline_partitions_;  // leader = -1 until set below
                }
                PartitionState& p = parts[index];
                set_leader(p, r.leader);
                p.replicas = r.replicas;
                p.isr = r.isr;
                p.leader_epoch = r.leader_epoch;
                p.partition_epoch = r.partition_epoch;
                p.leader_recovering = false;
                p.elr.clear();
                p.last_known_elr.clear();
                p.adding_replicas = r.adding_replicas;
                p.removing_replicas = r.removing_replicas;
            },
            [&](const PartitionChangeRecord& r) {
                auto it = topics_.find(r.topic_id);
                SIM_ASSERT(it != topics_.end(),
                           "PartitionChangeRecord for unknown topic id " + std::to_string(r.topic_id));
                SIM_ASSERT(r.partition >= 0 && static_cast<size_t>(r.partition) < it->second.partitions.size(),
                           "PartitionChangeRecord for unknown partition " + std::to_string(r.topic_id) + "-" +
                               std::to_string(r.partition));
                PartitionState& p = it->second.partitions[static_cast<size_t>(r.partition)];
                if (r.has_leader) {
                    set_leader(p, r.leader);
                    ++p.leader_epoch;  // KRaft 3.x: the leader epoch bumps on a leader change only
                }
                if (r.has_isr) p.isr = r.isr;
                if (r.has_elr) p.elr = r.elr;
                if (r.has_last_known_elr) p.last_known_elr = r.last_known_elr;
                if (r.has_replicas) {
                    p.replicas = r.replicas;
                    p.adding_replicas = r.adding_replicas;
                    p.removing_replicas = r.removing_replicas;
                }
                p.leader_recovering = r.leader_recovering;
                ++p.partition_epoch;
            },
        },
        record);
}

std::string format_broker_list(const std::vector<BrokerId>& brokers) {
    std::string out = "[";
    for (size_t i = 0; i < brokers.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(brokers[i]);
    }
    out += ']';
    return out;
}

std::string describe_record(const MetadataRecord& record) {
    using std::to_string;
    return std::visit(
        Overloaded{
            [](const NoOpRecord&) { return std::string("NoOpRecord"); },
            [](const LeaderChangeMessage& r) {
                std::vector<BrokerId> voters(r.voters.begin(), r.voters.end());
                return "LeaderChangeMessage(leader=" + to_string(r.leader_id) + " voters=" + format_broker_list(voters) +
                       ")";
            },
            [](const RegisterBrokerRecord& r) {
                return "RegisterBrokerRecord(broker=" + to_string(r.broker_id) + " epoch=" + to_string(r.broker_epoch) +
                       " incarnation=" + to_string(r.incarnation_id) + (r.fenced ? " fenced" : " unfenced") + ")";
            },
            [](const UnregisterBrokerRecord& r) {
                return "UnregisterBrokerRecord(broker=" + to_string(r.broker_id) +
                       " epoch=" + to_string(r.broker_epoch) + ")";
            },
            [](const FenceBrokerRecord& r) {
                return "FenceBrokerRecord(broker=" + to_string(r.broker_id) + " epoch=" + to_string(r.broker_epoch) +
                       ")";
            },
            [](const UnfenceBrokerRecord& r) {
                return "UnfenceBrokerRecord(broker=" + to_string(r.broker_id) + " epoch=" + to_string(r.broker_epoch) +
                       ")";
            },
            [](const BrokerRegistrationChangeRecord& r) {
                return "BrokerRegistrationChangeRecord(broker=" + to_string(r.broker_id) +
                       " epoch=" + to_string(r.broker_epoch) +
                       (r.in_controlled_shutdown ? " in_controlled_shutdown" : "") + ")";
            },
            [](const TopicRecord& r) {
                return "TopicRecord(name=" + r.name + " id=" + to_string(r.topic_id) + ")";
            },
            [](const ConfigRecord& r) {
                return "ConfigRecord(topic=" + to_string(r.topic_id) + " " + r.name +
                       (r.deleted ? std::string(" deleted") : "=" + config_value_text(r.value)) + ")";
            },
            [](const RemoveTopicRecord& r) { return "RemoveTopicRecord(id=" + to_string(r.topic_id) + ")"; },
            [](const PartitionRecord& r) {
                return "PartitionRecord(t" + to_string(r.topic_id) + "-" + to_string(r.partition) +
                       " replicas=" + format_broker_list(r.replicas) + " isr=" + format_broker_list(r.isr) +
                       " leader=" + to_string(r.leader) + " leader_epoch=" + to_string(r.leader_epoch) + ")";
            },
            [](const PartitionChangeRecord& r) {
                std::string out = "PartitionChangeRecord(t" + to_string(r.topic_id) + "-" + to_string(r.partition);
                if (r.has_leader) out += " leader=" + to_string(r.leader);
                if (r.has_isr) out += " isr=" + format_broker_list(r.isr);
                if (r.has_elr) out += " elr=" + format_broker_list(r.elr);
                if (r.has_last_known_elr) out += " last_known_elr=" + format_broker_list(r.last_known_elr);
                if (r.has_replicas) {
                    out += " replicas=" + format_broker_list(r.replicas);
                    if (!r.adding_replicas.empty()) out += " adding=" + format_broker_list(r.adding_replicas);
                    if (!r.removing_replicas.empty()) out += " removing=" + format_broker_list(r.removing_replicas);
                }
                if (r.leader_recovering) out += " leader_recovering";
                return out + ")";
            },
        },
        record);
}

}  // namespace kafka
