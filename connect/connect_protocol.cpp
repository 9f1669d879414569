#include "connect/connect_protocol.hpp"

#include <nlohmann/json.hpp>

namespace kafka::connect {
namespace {
using nlohmann::json;

json tasks_json(const std::vector<ConnectorTaskId>& tasks) {
    json out = json::array();
    for (const auto& t : tasks) out.push_back(json::array({t.connector, t.task}));
    return out;
}

bool read_tasks(const json& j, std::vector<ConnectorTaskId>& out) {
    if (!j.is_array()) return false;
    for (const auto& t : j) {
        if (!t.is_array() || t.size() != 2 || !t[0].is_string() || !t[1].is_number_integer()) return false;
        out.push_back(ConnectorTaskId{t[0].get<std::string>(), t[1].get<int32_t>()});
    }
    return true;
}

bool read_names(const json& j, std::vector<std::string>& out) {
    if (!j.is_array()) return false;
    for (const auto& n : j) {
        if (!n.is_string()) return false;
        out.push_back(n.get<std::string>());
    }
    return true;
}

std::optional<json> parse(std::string_view data) {
    json j = json::parse(data, nullptr, false);
    if (j.is_discarded() || !j.is_object()) return std::nullopt;
    return j;
}
}  // namespace

const char* protocol_name(ConnectProtocol p) {
    switch (p) {
        case ConnectProtocol::eager: return "default";
        case ConnectProtocol::compatible: return "compatible";
        case ConnectProtocol::sessioned: return "sessioned";
    }
    return "default";
}

std::optional<ConnectProtocol> protocol_from_name(std::string_view name) {
    if (name == "default") return ConnectProtocol::eager;
    if (name == "compatible") return ConnectProtocol::compatible;
    if (name == "sessioned") return ConnectProtocol::sessioned;
    return std::nullopt;
}

std::optional<ConnectProtocol> protocol_from_config(std::string_view value) {
    if (value == "eager") return ConnectProtocol::eager;
    if (value == "compatible") return ConnectProtocol::compatible;
    if (value == "sessioned") return ConnectProtocol::sessioned;
    return std::nullopt;
}

std::string encode(const WorkerState& s) {
    return json{{"url", s.url}, {"config_offset", s.config_offset}, {"connectors", s.connectors},
                {"tasks", tasks_json(s.tasks)}}
        .dump();
}

std::optional<WorkerState> decode_worker_state(std::string_view data) {
    auto j = parse(data);
    if (!j || !j->contains("url") || !(*j)["url"].is_string() || !j->contains("config_offset") ||
        !(*j)["config_offset"].is_number_integer())
        return std::nullopt;
    WorkerState s;
    s.url = (*j)["url"].get<std::string>();
    s.config_offset = (*j)["config_offset"].get<int64_t>();
    if (j->contains("connectors") && !read_names((*j)["connectors"], s.connectors)) return std::nullopt;
    if (j->contains("tasks") && !read_tasks((*j)["tasks"], s.tasks)) return std::nullopt;
    return s;
}

std::string encode(const WorkerAssignment& a) {
    return json{{"error", a.error},
                {"leader", a.leader},
                {"leader_url", a.leader_url},
                {"config_offset", a.config_offset},
                {"connectors", a.connectors},
                {"tasks", tasks_json(a.tasks)},
                {"revoked_connectors", a.revoked_connectors},
                {"revoked_tasks", tasks_json(a.revoked_tasks)},
                {"delay_ms", a.delay_ms}}
        .dump();
}

std::optional<WorkerAssignment> decode_worker_assignment(std::string_view data) {
    auto j = parse(data);
    if (!j) return std::nullopt;
    WorkerAssignment a;
    try {
        a.error = (*j).at("error").get<int16_t>();
        a.leader = (*j).at("leader").get<std::string>();
        a.leader_url = (*j).at("leader_url").get<std::string>();
        a.config_offset = (*j).at("config_offset").get<int64_t>();
        a.delay_ms = (*j).at("delay_ms").get<int32_t>();
    } catch (const json::exception&) {
        return std::nullopt;
    }
    if (!read_names((*j)["connectors"], a.connectors) || !read_tasks((*j)["tasks"], a.tasks) ||
        !read_names((*j)["revoked_connectors"], a.revoked_connectors) ||
        !read_tasks((*j)["revoked_tasks"], a.revoked_tasks))
        return std::nullopt;
    return a;
}

}  // namespace kafka::connect
