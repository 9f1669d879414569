#include "broker/controller/zk_data.hpp"

#include <nlohmann/json.hpp>

namespace kafka::zkdata {

namespace {

using nlohmann::json;

std::optional<json> parse(const std::string& data) {
    json j = json::parse(data, nullptr, /*allow_exceptions=*/false);
    if (j.is_discarded()) return std::nullopt;
    return j;
}

std::string config_text(const ConfigValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) return std::to_string(*d);
    return std::get<std::string>(v);
}

}  // namespace

const std::vector<std::string>& top_level_paths() {
    static const std::vector<std::string> paths = {"/brokers",  "/brokers/ids", "/brokers/topics", "/config",
                                                   "/config/topics", "/config/changes", "/isr_change_notification",
                                                   "/admin", "/admin/delete_topics"};
    return paths;
}

std::string broker_path(BrokerId id) { return broker_ids_path + "/" + std::to_string(id); }
std::string topic_path(const std::string& topic) { return topics_path + "/" + topic; }
std::string topic_config_path(const std::string& topic) { return config_topics_path + "/" + topic; }
std::string partitions_path(const std::string& topic) { return topic_path(topic) + "/partitions"; }
std::string partition_path(const std::string& topic, int32_t partition) {
    return partitions_path(topic) + "/" + std::to_string(partition);
}
std::string partition_state_path(const std::string& topic, int32_t partition) {
    return partition_path(topic, partition) + "/state";
}

std::string delete_topic_path(const std::string& topic) { return delete_topics_path + "/" + topic; }

std::string encode_broker(BrokerId id, int64_t timestamp_ms) {
    std::string host = "broker-" + std::to_string(id);
    json j = {{"features", json::object()},
              {"listener_security_protocol_map", {{"PLAINTEXT", "PLAINTEXT"}}},
              {"endpoints", {"PLAINTEXT://" + host + ":9092"}},
              {"jmx_port", -1},
              {"port", 9092},
              {"host", host},
              {"version", 5},
              {"timestamp", std::to_string(timestamp_ms)}};
    return j.dump();
}

std::string encode_controller(BrokerId id, int64_t timestamp_ms) {
    return json{{"version", 1}, {"brokerid", id}, {"timestamp", std::to_string(timestamp_ms)}}.dump();
}

std::optional<BrokerId> decode_controller(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object() || !j->contains("brokerid") || !(*j)["brokerid"].is_number_integer()) return std::nullopt;
    return (*j)["brokerid"].get<BrokerId>();
}

std::string encode_controller_epoch(int32_t epoch) { return std::to_string(epoch); }

std::optional<int32_t> decode_controller_epoch(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_number_integer()) return std::nullopt;
    return j->get<int32_t>();
}

std::string encode_topic(const TopicZNode& t) {
    json partitions = json::object();
    for (size_t p = 0; p < t.assignment.size(); ++p) partitions[std::to_string(p)] = t.assignment[p];
    return json{{"version", 3},
                {"topic_id", std::to_string(t.topic_id)},
                {"partitions", partitions},
                {"adding_replicas", json::object()},
                {"removing_replicas", json::object()}}
        .dump();
}

std::optional<TopicZNode> decode_topic(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object() || !j->contains("partitions") || !(*j)["partitions"].is_object()) return std::nullopt;
    TopicZNode t;
    if (j->contains("topic_id") && (*j)["topic_id"].is_string())
        t.topic_id = static_cast<TopicId>(std::stoul((*j)["topic_id"].get<std::string>()));
    const json& parts = (*j)["partitions"];
    t.assignment.resize(parts.size());
    for (const auto& [key, replicas] : parts.items()) {
        size_t p = std::stoul(key);
        if (p >= t.assignment.size() || !replicas.is_array()) return std::nullopt;
        t.assignment[p] = replicas.get<std::vector<BrokerId>>();
    }
    return t;
}

std::string encode_topic_config(const ConfigMap& configs) {
    json c = json::object();
    for (const auto& [name, value] : configs) c[name] = config_text(value);
    return json{{"version", 1}, {"config", c}}.dump();
}

std::optional<ConfigMap> decode_topic_config(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object() || !j->contains("config") || !(*j)["config"].is_object()) return std::nullopt;
    ConfigMap out;
    for (const auto& [name, value] : (*j)["config"].items()) {
        if (!value.is_string()) return std::nullopt;
        const std::string text = value.get<std::string>();
        // Kafka keeps every override as a string; the typed value is what the broker parses.
        if (text == "true" || text == "false") {
            out[name] = text == "true";
        } else if (!text.empty() && text.find_first_not_of("-0123456789") == std::string::npos) {
            out[name] = static_cast<int64_t>(std::stoll(text));
        } else {
            out[name] = text;
        }
    }
    return out;
}

std::string encode_config_change(const std::string& entity_path) {
    return json{{"version", 2}, {"entity_path", entity_path}}.dump();
}

std::optional<std::string> decode_config_change(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object() || !j->contains("entity_path") || !(*j)["entity_path"].is_string()) return std::nullopt;
    return (*j)["entity_path"].get<std::string>();
}

std::string encode_partition_state(const PartitionStateZNode& s) {
    return json{{"controller_epoch", s.controller_epoch},
                {"leader", s.leader},
                {"version", 1},
                {"leader_epoch", s.leader_epoch},
                {"isr", s.isr}}
        .dump();
}

std::optional<PartitionStateZNode> decode_partition_state(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object()) return std::nullopt;
    for (const char* k : {"controller_epoch", "leader", "leader_epoch"})
        if (!j->contains(k) || !(*j)[k].is_number_integer()) return std::nullopt;
    if (!j->contains("isr") || !(*j)["isr"].is_array()) return std::nullopt;
    PartitionStateZNode s;
    s.controller_epoch = (*j)["controller_epoch"].get<int32_t>();
    s.leader = (*j)["leader"].get<BrokerId>();
    s.leader_epoch = (*j)["leader_epoch"].get<int32_t>();
    s.isr = (*j)["isr"].get<std::vector<BrokerId>>();
    return s;
}

std::string encode_isr_change(const std::vector<std::pair<std::string, int32_t>>& partitions) {
    json list = json::array();
    for (const auto& [topic, partition] : partitions) list.push_back({{"topic", topic}, {"partition", partition}});
    return json{{"version", 1}, {"partitions", list}}.dump();
}

std::optional<std::vector<std::pair<std::string, int32_t>>> decode_isr_change(const std::string& data) {
    auto j = parse(data);
    if (!j || !j->is_object() || !j->contains("partitions") || !(*j)["partitions"].is_array()) return std::nullopt;
    std::vector<std::pair<std::string, int32_t>> out;
    for (const auto& e : (*j)["partitions"]) {
        if (!e.is_object() || !e.contains("topic") || !e.contains("partition")) return std::nullopt;
        out.emplace_back(e["topic"].get<std::string>(), e["partition"].get<int32_t>());
    }
    return out;
}

}  // namespace kafka::zkdata
