#include "reports/kafka_views.hpp"

#include <algorithm>
#include <array>

#include "broker/group/group_coordinator.hpp"  // kafka::java_string_hash

namespace reports {

namespace {

constexpr const char* missing = "-";  // ConsumerGroupCommand.MISSING_COLUMN_VALUE

// Java's "%-Ns": left-justified, padded to at least `width`, never cut.
std::string pad(const std::string& s, size_t width) {
    return s.size() >= width ? s : s + std::string(width - s.size(), ' ');
}

std::string join_ids(const std::vector<int32_t>& ids, const char* separator = ",") {
    std::string out;
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i > 0) out += separator;
        out += std::to_string(ids[i]);
    }
    return out;
}

std::string or_missing(const std::optional<int64_t>& v) { return v ? std::to_string(*v) : missing; }
std::string or_missing(const std::optional<int32_t>& v) { return v ? std::to_string(*v) : missing; }
std::string or_missing(const std::optional<std::string>& v) { return v ? *v : missing; }

uint32_t java_hash(const std::string& s) { return static_cast<uint32_t>(kafka::java_string_hash(s)); }

// "name=value,name=value" in the order the tool prints them.
std::string configs_text(const TopicView& t, KafkaRelease release) {
    std::map<std::string, std::string> entries;
    if (release.at_least(2, 4)) {
        // Admin.describeConfigs: every entry whose source is not DEFAULT_CONFIG; a topic
        // override wins over the broker's setting of the same config.
        for (const auto& [name, value] : t.broker_configs) entries[name] = value;
    }
    for (const auto& [name, value] : t.topic_configs) entries[name] = value;
    std::vector<std::string> names;
    for (const auto& [name, value] : entries) names.push_back(name);
    // 2.4+: org.apache.kafka.clients.admin.Config keeps the entries in a java.util.HashMap;
    // a topic's describeConfigs answer holds 25 to 48 entries in every release since 2.4, so
    // the map has 64 buckets ("compression.type=producer,cleanup.policy=compact,
    // segment.bytes=104857600" for __consumer_offsets). Before 2.4: the override Properties
    // read from ZooKeeper, a Hashtable; entries of one bucket inserted by descending name
    // give the familiar "segment.bytes=104857600,cleanup.policy=compact,compression.type=producer".
    if (release.at_least(2, 4)) {
        names = java_hashmap_order(names, 64);
    } else {
        std::reverse(names.begin(), names.end());
        names = java_hashtable_order(names);
    }
    std::string out;
    for (const auto& name : names) {
        if (!out.empty()) out += ",";
        out += name + "=" + entries[name];
    }
    return out;
}

std::string elr_text(const std::optional<std::vector<int32_t>>& ids) { return ids ? join_ids(*ids) : "N/A"; }

}  // namespace

// ---- helpers ---------------------------------------------------------------------------

std::string kafka_uuid_string(uint64_t most_significant, uint64_t least_significant) {
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::array<uint8_t, 16> bytes{};
    for (int i = 0; i < 8; ++i) {
        bytes[static_cast<size_t>(i)] = static_cast<uint8_t>(most_significant >> (56 - 8 * i));
        bytes[static_cast<size_t>(8 + i)] = static_cast<uint8_t>(least_significant >> (56 - 8 * i));
    }
    std::string out;
    for (size_t i = 0; i < bytes.size(); i += 3) {
        uint32_t chunk = static_cast<uint32_t>(bytes[i]) << 16;
        size_t n = std::min<size_t>(3, bytes.size() - i);
        if (n > 1) chunk |= static_cast<uint32_t>(bytes[i + 1]) << 8;
        if (n > 2) chunk |= bytes[i + 2];
        out += alphabet[(chunk >> 18) & 63];
        out += alphabet[(chunk >> 12) & 63];
        if (n > 1) out += alphabet[(chunk >> 6) & 63];
        if (n > 2) out += alphabet[chunk & 63];
    }
    return out;  // no padding: 22 characters
}

std::vector<std::string> java_hashmap_order(const std::vector<std::string>& keys, uint32_t capacity) {
    // HashMap.hash(): h ^ (h >>> 16), bucket = hash & (n - 1); a bucket keeps insertion order
    // (resizing splits buckets without reordering them).
    std::vector<std::pair<uint32_t, size_t>> order;
    for (size_t i = 0; i < keys.size(); ++i) {
        uint32_t h = java_hash(keys[i]);
        order.emplace_back((h ^ (h >> 16)) & (capacity - 1), i);
    }
    std::stable_sort(order.begin(), order.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<std::string> out;
    for (const auto& [bucket, i] : order) out.push_back(keys[i]);
    return out;
}

std::vector<std::string> java_hashtable_order(const std::vector<std::string>& keys) {
    // Java 8 Hashtable: index = (hash & 0x7FFFFFFF) % length, new entries at the head of
    // their chain; rehash (to 2n+1) when count >= threshold (0.75 n) before an insert walks
    // the old table from the top; iteration walks the table from the top.
    auto index = [](const std::string& k, size_t length) { return (java_hash(k) & 0x7FFFFFFFu) % length; };
    std::vector<std::vector<std::string>> table(11);  // each chain head first
    size_t count = 0, threshold = 8;
    for (const auto& key : keys) {
        if (count >= threshold) {
            std::vector<std::vector<std::string>> grown(table.size() * 2 + 1);
            for (size_t i = table.size(); i-- > 0;)
                for (const auto& k : table[i]) {
                    auto& chain = grown[index(k, grown.size())];
                    chain.insert(chain.begin(), k);
                }
            table = std::move(grown);
            threshold = table.size() * 3 / 4;
        }
        auto& chain = table[index(key, table.size())];
        chain.insert(chain.begin(), key);
        ++count;
    }
    std::vector<std::string> out;
    for (size_t i = table.size(); i-- > 0;)
        for (const auto& k : table[i]) out.push_back(k);
    return out;
}

// ---- kafka-topics.sh --describe --------------------------------------------------------

std::string format_earliest_offsets(const std::vector<TopicView>& topics, KafkaRelease release) {
    std::string out;
    for (const auto& t : topics) {
        for (const auto& p : t.partitions) {
            const std::string name = t.name + ":" + std::to_string(p.partition);
            if (p.earliest_offset)
                out += name + ":" + std::to_string(*p.earliest_offset) + "\n";
            else if (release.at_least(3, 0))
                out += "Error: topic-partition " + name + " has no leader; its offset is not listed\n";
            else
                out += "Error: partition " + std::to_string(p.partition) + " does not have a leader. Skip getting offsets\n";
        }
    }
    return out;
}

std::string format_topics_describe(const std::vector<TopicView>& topics, KafkaRelease release) {
    std::string out;
    for (const auto& t : topics) {
        const size_t rf = t.partitions.empty() ? 0 : t.partitions.front().replicas.size();
        const std::string count = std::to_string(t.partitions.size());
        if (release.at_least(2, 4)) {
            out += "Topic: " + t.name;
            if (release.at_least(2, 8) && !t.topic_id.empty()) out += "\tTopicId: " + t.topic_id;
            out += "\tPartitionCount: " + count + "\tReplicationFactor: " + std::to_string(rf) +
                   "\tConfigs: " + configs_text(t, release) + "\n";
        } else {
            out += "Topic:" + t.name + "\tPartitionCount:" + count + "\tReplicationFactor:" + std::to_string(rf) +
                   "\tConfigs:" + configs_text(t, release) + "\n";
        }
        for (const auto& p : t.partitions) {
            out += "\tTopic: " + t.name + "\tPartition: " + std::to_string(p.partition) +
                   "\tLeader: " + (p.leader >= 0 ? std::to_string(p.leader) : std::string("none")) +
                   "\tReplicas: " + join_ids(p.replicas) + "\tIsr: " + join_ids(p.isr);
            if (release.at_least(3, 8)) out += "\tElr: " + elr_text(p.elr) + "\tLastKnownElr: " + elr_text(p.last_known_elr);
            out += "\n";
        }
    }
    return out;
}

// ---- kafka-consumer-groups.sh --describe -----------------------------------------------

std::vector<GroupRow> consumer_group_rows(const GroupView& g) {
    std::vector<GroupRow> rows;
    auto row_for = [&](const PartitionKey& tp, const std::string& consumer, const std::string& host,
                       const std::string& client) {
        GroupRow r;
        r.group = g.group;
        r.topic = tp.first;
        r.partition = tp.second;
        if (auto c = g.committed.find(tp); c != g.committed.end()) r.current_offset = c->second;
        if (auto e = g.log_end_offsets.find(tp); e != g.log_end_offsets.end()) r.log_end_offset = e->second;
        if (r.current_offset && *r.current_offset != -1 && r.log_end_offset) r.lag = *r.log_end_offset - *r.current_offset;
        r.consumer_id = consumer;
        r.host = host;
        r.client_id = client;
        return r;
    };
    std::vector<const GroupMemberView*> members;
    for (const auto& m : g.members)
        if (!m.assignment.empty()) members.push_back(&m);
    std::stable_sort(members.begin(), members.end(),
                     [](const auto* a, const auto* b) { return a->assignment.size() > b->assignment.size(); });
    std::vector<PartitionKey> assigned;
    for (const auto* m : members) {
        std::vector<PartitionKey> tps = m->assignment;
        std::sort(tps.begin(), tps.end());
        for (const auto& tp : tps) rows.push_back(row_for(tp, m->member_id, m->host, m->client_id));
        assigned.insert(assigned.end(), tps.begin(), tps.end());
    }
    for (const auto& [tp, offset] : g.committed)  // a map: already by topic, then partition
        if (std::find(assigned.begin(), assigned.end(), tp) == assigned.end()) rows.push_back(row_for(tp, missing, missing, missing));
    return rows;
}

namespace {

// ConsumerGroupCommand.shouldPrintMemberState: the note for the state (on stderr in Kafka),
// and whether a table follows.
bool state_note(const GroupView& g, size_t rows, std::string& out) {
    if (g.state == "Dead") {
        out += "\nError: Consumer group '" + g.group + "' does not exist.\n";
        return false;
    }
    if (g.state == "Empty") out += "\nConsumer group '" + g.group + "' has no active members.\n";
    else if (g.state == "PreparingRebalance" || g.state == "CompletingRebalance")
        out += "\nWarning: Consumer group '" + g.group + "' is rebalancing.\n";
    return rows > 0;
}

}  // namespace

std::string format_consumer_group_describe(const GroupView& g) {
    std::vector<GroupRow> rows = consumer_group_rows(g);
    std::string out;
    if (!state_note(g, rows.size(), out)) return out;
    size_t group_w = 15, topic_w = 15, consumer_w = 15, host_w = 15;
    for (const auto& r : rows) {
        group_w = std::max(group_w, r.group.size());
        topic_w = std::max(topic_w, or_missing(r.topic).size());
        consumer_w = std::max(consumer_w, r.consumer_id.size());
        host_w = std::max(host_w, r.host.size());
    }
    // "\n%-Gs %-Ts %-10s %-15s %-15s %-15s %-Cs %-Hs %s" for the header and every row, then a newline.
    auto line = [&](const std::string& group, const std::string& topic, const std::string& partition,
                    const std::string& current, const std::string& end, const std::string& lag,
                    const std::string& consumer, const std::string& host, const std::string& client) {
        out += "\n" + pad(group, group_w) + " " + pad(topic, topic_w) + " " + pad(partition, 10) + " " +
               pad(current, 15) + " " + pad(end, 15) + " " + pad(lag, 15) + " " + pad(consumer, consumer_w) + " " +
               pad(host, host_w) + " " + client;
    };
    line("GROUP", "TOPIC", "PARTITION", "CURRENT-OFFSET", "LOG-END-OFFSET", "LAG", "CONSUMER-ID", "HOST", "CLIENT-ID");
    for (const auto& r : rows)
        line(r.group, or_missing(r.topic), or_missing(r.partition), or_missing(r.current_offset),
             or_missing(r.log_end_offset), or_missing(r.lag), r.consumer_id, r.host, r.client_id);
    out += "\n";
    // Not Kafka's: which scenario consumer each CLIENT-ID is (the narration and the evidence
    // use the scenario's names).
    std::string names;
    for (const auto& m : g.members)
        if (!m.consumer.empty()) names += std::string(names.empty() ? "" : ", ") + m.client_id + " is " + m.consumer;
    if (!names.empty()) out += "# " + names + "\n";
    return out;
}

std::string format_consumer_group_state(const GroupView& g, KafkaRelease release) {
    std::string out;
    if (!state_note(g, 1, out)) return out;
    const std::string members = std::to_string(g.members.size());
    if (release.at_least(4, 0)) {
        // "\n%-Gs %-Cs %-20s %-20s %s", coordinator "host:port  (id)", "-" for no strategy.
        const std::string coordinator = g.coordinator_address + "  (" + std::to_string(g.coordinator_id) + ")";
        const size_t coordinator_w = std::max<size_t>(25, coordinator.size());
        const size_t group_w = std::max<size_t>(15, g.group.size());
        auto line = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d,
                        const std::string& e) {
            out += "\n" + pad(a, group_w) + " " + pad(b, coordinator_w) + " " + pad(c, 20) + " " + pad(d, 20) + " " + e;
        };
        line("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
        line(g.group, coordinator, g.protocol.empty() ? missing : g.protocol, g.state, members);
    } else {
        // "\n%-Cs %-25s %-20s %-15s %s": the first column takes the coordinator's width (as
        // the tool does); coordinator "host:port (id)", with two spaces in the 3.8 Java port.
        const std::string gap = release.at_least(3, 8) ? "  (" : " (";
        const std::string coordinator = g.coordinator_address + gap + std::to_string(g.coordinator_id) + ")";
        const size_t coordinator_w = std::max<size_t>(25, coordinator.size());
        auto line = [&](const std::string& a, const std::string& b, const std::string& c, const std::string& d,
                        const std::string& e) {
            out += "\n" + pad(a, coordinator_w) + " " + pad(b, 25) + " " + pad(c, 20) + " " + pad(d, 15) + " " + e;
        };
        line("GROUP", "COORDINATOR (ID)", "ASSIGNMENT-STRATEGY", "STATE", "#MEMBERS");
        line(g.group, coordinator, g.protocol, g.state, members);
    }
    out += "\n";
    return out;
}

// ---- kafka-metadata-quorum.sh describe --status ----------------------------------------

std::string format_metadata_quorum_status(const QuorumView& q, KafkaRelease release) {
    // The leader's row, and the voter with the smallest log end offset (the first of equals).
    const QuorumReplicaView* leader = nullptr;
    const QuorumReplicaView* laggard = nullptr;
    for (const auto& v : q.voters) {
        if (v.id == q.leader_id) leader = &v;
        if (laggard == nullptr || v.log_end_offset < laggard->log_end_offset) laggard = &v;
    }
    int64_t max_lag = 0, max_lag_time_ms = -1;
    if (leader != nullptr && laggard != nullptr) {
        max_lag = leader->log_end_offset - laggard->log_end_offset;
        if (leader == laggard) max_lag_time_ms = 0;
        else if (leader->last_caught_up_ms >= 0 && laggard->last_caught_up_ms >= 0)
            max_lag_time_ms = leader->last_caught_up_ms - laggard->last_caught_up_ms;
    }
    auto replicas = [&](const std::vector<QuorumReplicaView>& list) {
        std::string s = "[";
        for (size_t i = 0; i < list.size(); ++i) {
            const auto& r = list[i];
            if (!release.at_least(3, 9)) {
                s += (i > 0 ? "," : "") + std::to_string(r.id);
                continue;
            }
            s += i > 0 ? ", " : "";
            s += "{\"id\": " + std::to_string(r.id);
            if (!r.directory_id.empty()) s += ", \"directoryId\": \"" + r.directory_id + "\"";
            if (!r.endpoint.empty()) s += ", \"endpoints\": [\"" + r.endpoint + "\"]";
            s += "}";
        }
        return s + "]";
    };
    std::string out;
    out += "ClusterId:              " + q.cluster_id + "\n";
    out += "LeaderId:               " + std::to_string(q.leader_id) + "\n";
    out += "LeaderEpoch:            " + std::to_string(q.leader_epoch) + "\n";
    out += "HighWatermark:          " + std::to_string(q.high_watermark) + "\n";
    out += "MaxFollowerLag:         " + std::to_string(max_lag) + "\n";
    out += "MaxFollowerLagTimeMs:   " + std::to_string(max_lag_time_ms) + "\n";
    out += "CurrentVoters:          " + replicas(q.voters) + "\n";
    out += "CurrentObservers:       " + replicas(q.observers) + "\n";
    return out;
}

}  // namespace reports
