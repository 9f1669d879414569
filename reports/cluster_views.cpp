#include "reports/cluster_views.hpp"

#include <algorithm>
#include <set>

#include "broker/broker_node.hpp"
#include "broker/controller_node.hpp"
#include "broker/group/group_coordinator.hpp"
#include "sim/random.hpp"

namespace reports {

bool node_up(scenarios::ClusterModel& cluster, sim::NodeId n) { return n != sim::no_node && cluster.world().is_up(n); }

namespace {

bool is_internal_topic(const std::string& name) {
    return kafka::is_internal_topic(name);  // Topic.isInternal
}

// The host a client connects from, as the group coordinator records it ("/10.0.0.3").
std::string client_host(const scenarios::ClusterModel& cluster, sim::NodeId node) {
    const auto& clients = cluster.clients();
    for (size_t i = 0; i < clients.size(); ++i)
        if (clients[i].node == node) {
            size_t n = i + 1;
            return "/10.0." + std::to_string(n / 256) + "." + std::to_string(n % 256);
        }
    return "/10.0.255.254";  // not one of the scenario's clients (not expected)
}

}  // namespace

KafkaRelease tools_release(const scenarios::Scenario& scenario) {
    if (auto r = kafka::release_major_minor(scenario.kafka.version)) return {r->first, r->second};
    return {scenario.kafka.profile.major, scenario.kafka.profile.minor};
}

std::string fake_kafka_uuid(uint64_t seed, const std::string& name) {
    for (int attempt = 0;; ++attempt) {
        const std::string n = attempt == 0 ? name : name + "#" + std::to_string(attempt);
        uint64_t msb = sim::derive_seed(seed, "kafka-uuid-msb/" + n);
        uint64_t lsb = sim::derive_seed(seed, "kafka-uuid-lsb/" + n);
        msb = (msb & ~0xF000ULL) | 0x4000ULL;                        // version 4
        lsb = (lsb & ~(0xC0ULL << 56)) | (0x80ULL << 56);            // IETF variant
        std::string s = kafka_uuid_string(msb, lsb);
        if (s.front() != '-') return s;
    }
}

std::string broker_address(int32_t broker_id) { return "localhost:" + std::to_string(9091 + broker_id); }

std::string controller_endpoint(int32_t controller_id) {
    return "CONTROLLER://localhost:" + std::to_string(19093 + (controller_id - 3000));
}

bool has_metadata(scenarios::ClusterModel& cluster) {
    const kafka::MetadataImage* image = cluster.metadata();
    return image != nullptr && image->last_offset() >= 0;
}

std::vector<TopicView> gather_topic_views(scenarios::ClusterModel& cluster, const scenarios::Scenario& scenario,
                                          uint64_t seed, const std::vector<std::string>& only) {
    std::vector<TopicView> out;
    const kafka::MetadataImage* image = cluster.metadata();
    if (image == nullptr) return out;
    std::vector<const kafka::TopicImage*> topics;
    for (const auto& [id, t] : image->topics()) {
        bool wanted = only.empty() ? !is_internal_topic(t.name)
                                   : std::find(only.begin(), only.end(), t.name) != only.end();
        if (wanted) topics.push_back(&t);
    }
    std::sort(topics.begin(), topics.end(), [](const auto* a, const auto* b) { return a->name < b->name; });
    const bool kraft = scenario.kafka.metadata == scenarios::MetadataMode::kraft;
    for (const kafka::TopicImage* t : topics) {
        TopicView v;
        v.name = t->name;
        v.topic_id = fake_kafka_uuid(seed, "topic-id/" + std::to_string(t->id));
        for (const auto& [name, value] : t->configs) v.topic_configs.emplace_back(name, kafka::format_config_value(value));
        if (t->name == kafka::consumer_offsets_topic) {
            // Kafka creates it with these overrides (GroupCoordinator.offsetsTopicConfigs, the
            // offsets.topic.segment.bytes default); the model does not carry them (it does not
            // compact), but the tool shows them.
            for (const auto& [name, value] : {std::pair<const char*, const char*>{"cleanup.policy", "compact"},
                                              {"compression.type", "producer"},
                                              {"segment.bytes", "104857600"}})
                if (t->configs.count(name) == 0) v.topic_configs.emplace_back(name, value);
        }
        for (const auto& syn : kafka::topic_config_synonyms()) {
            auto it = scenario.kafka.config.find(std::string(syn.broker));
            if (it != scenario.kafka.config.end())
                v.broker_configs.emplace_back(std::string(syn.topic), kafka::format_config_value(it->second));
        }
        for (const auto& ps : t->partitions) {
            PartitionView p;
            p.partition = ps.tp.partition;
            p.leader = ps.leader;
            p.replicas = ps.replicas;
            p.isr = ps.isr;
            // KRaft brokers answer DescribeTopicPartitions with the lists (empty while ELR is
            // off); ZooKeeper-mode brokers do not have the request, so the tool prints N/A.
            if (kraft) {
                p.elr = ps.elr;
                p.last_known_elr = ps.last_known_elr;
            }
            if (kafka::BrokerNode* b = ps.leader >= 0 ? cluster.broker(ps.leader) : nullptr)
                if (const kafka::Partition* lp = b->partition(ps.tp); lp != nullptr && lp->is_leader())
                    p.earliest_offset = lp->log().log_start_offset();
            v.partitions.push_back(std::move(p));
        }
        out.push_back(std::move(v));
    }
    return out;
}

std::optional<GroupView> gather_group_view(scenarios::ClusterModel& cluster, const std::string& group) {
    GroupView v;
    v.group = group;
    const kafka::MetadataImage* image = cluster.metadata();
    const kafka::TopicImage* offsets = image == nullptr ? nullptr : image->topic(kafka::consumer_offsets_topic);
    // No __consumer_offsets yet: no consumer ever looked for a coordinator, so the group does
    // not exist (the tool's FindCoordinator would create the topic and then hear "Dead").
    if (offsets == nullptr) return image == nullptr ? std::nullopt : std::optional<GroupView>(v);
    const int32_t coordinator = cluster.coordinator_id(group);
    if (coordinator < 0 || !node_up(cluster, cluster.directory().broker_node(coordinator))) return std::nullopt;
    const kafka::BrokerNode* broker = cluster.broker(coordinator);
    const int32_t partition = kafka::offsets_partition_for(group, static_cast<int32_t>(offsets->partitions.size()));
    if (broker == nullptr || !broker->coordinator().is_loaded(partition)) return std::nullopt;  // COORDINATOR_LOAD_IN_PROGRESS
    v.coordinator_id = coordinator;
    v.coordinator_address = broker_address(coordinator);
    const kafka::GroupCoordinator::Group* g = cluster.coordinator_group(group);
    if (g == nullptr || g->state == kafka::GroupState::dead) return v;  // "Dead"
    v.state = kafka::to_string(g->state);
    // DescribeGroups (GroupMetadata.summary): the protocol and the members' assignments only
    // while Stable.
    const bool stable = g->state == kafka::GroupState::stable;
    if (stable) v.protocol = g->protocol;
    std::vector<std::string> order = g->join_order;
    for (const auto& [id, m] : g->members)
        if (std::find(order.begin(), order.end(), id) == order.end()) order.push_back(id);
    std::set<PartitionKey> partitions;
    for (const auto& id : order) {
        auto it = g->members.find(id);
        if (it == g->members.end()) continue;
        const auto& m = it->second;
        GroupMemberView mv;
        mv.member_id = m.member_id;
        mv.client_id = m.client_id;
        mv.host = client_host(cluster, m.node);
        mv.consumer = cluster.world().trace().node_name(m.node);
        if (stable)
            for (const auto& tp : m.assignment) {
                mv.assignment.emplace_back(tp.topic, tp.partition);
                partitions.emplace(tp.topic, tp.partition);
            }
        v.members.push_back(std::move(mv));
    }
    for (const auto& [tp, record] : g->offsets) {
        v.committed[{tp.topic, tp.partition}] = record.offset;
        partitions.emplace(tp.topic, tp.partition);
    }
    // LOG-END-OFFSET: ListOffsets(latest) to the partition's leader, which answers with its
    // high watermark; no leader, or a leader that does not answer: unknown.
    for (const auto& [topic, p] : partitions) {
        const kafka::TopicImage* t = image->topic(topic);
        const kafka::PartitionState* ps = t == nullptr ? nullptr : t->partition(p);
        if (ps == nullptr || ps->leader < 0 || !node_up(cluster, cluster.directory().broker_node(ps->leader))) continue;
        const kafka::BrokerNode* b = cluster.broker(ps->leader);
        const kafka::Partition* lp = b == nullptr ? nullptr : b->partition(ps->tp);
        if (lp != nullptr && lp->is_leader()) v.log_end_offsets[{topic, p}] = lp->high_watermark();
    }
    return v;
}

QuorumView gather_quorum_view(scenarios::ClusterModel& cluster, uint64_t seed) {
    QuorumView q;
    q.cluster_id = fake_kafka_uuid(seed, "cluster-id");
    const int32_t leader = cluster.quorum_leader_id();
    if (leader < 0 || !node_up(cluster, cluster.directory().controller_node(leader))) return q;
    const kafka::ControllerNode* c = cluster.controller(leader);
    if (c == nullptr) return q;
    const kafka::RaftReplica& raft = c->raft();
    q.leader_id = leader;
    q.leader_epoch = raft.epoch();
    q.high_watermark = raft.high_watermark();
    const int64_t now_ms = cluster.world().now().ms();
    for (const auto& s : raft.replica_states()) {
        QuorumReplicaView r;
        r.id = s.id;
        r.log_end_offset = s.log_end_offset;
        // The leader answers DescribeQuorum as caught up at the moment it answers.
        r.last_caught_up_ms = s.id == leader ? now_ms : (s.last_caught_up.us < 0 ? -1 : s.last_caught_up.ms());
        if (s.voter) {
            r.endpoint = controller_endpoint(s.id);  // a static quorum (controller.quorum.voters): no directory ids
            q.voters.push_back(r);
        } else {
            r.directory_id = fake_kafka_uuid(seed, "directory-id/broker:" + std::to_string(s.id));
            q.observers.push_back(r);
        }
    }
    std::sort(q.observers.begin(), q.observers.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return q;
}

}  // namespace reports
