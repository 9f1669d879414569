#include "connect/connector_plugins.hpp"

#include <algorithm>
#include <array>
#include <charconv>

namespace kafka::connect {
namespace {

bool has(const ConnectorConfig& c, const char* key) {
    auto it = c.find(key);
    return it != c.end() && !it->second.empty();
}

std::optional<std::string> missing(const char* key, const char* doc) {
    return std::string("Missing required configuration \"") + key + "\" which has no default value. (" + doc + ")";
}

// ---- FileStreamSource / FileStreamSink (connect/file)

std::optional<std::string> file_source_validate(const ConnectorConfig& c) {
    if (!has(c, "topic")) return missing("topic", "The topic to publish data to");
    if (split_list(config_value(c, "topic")).size() != 1)
        return "Invalid value " + config_value(c, "topic") +
               " for configuration topic: FileStreamSourceConnector supports exactly one topic";
    if (!has(c, "file")) return std::string("FileStreamSource reads stdin without \"file\": the model has no stdin");
    return std::nullopt;
}

std::vector<ConnectorConfig> file_source_tasks(const ConnectorConfig& c, int32_t) {
    // FileStreamSourceConnector.taskConfigs: one task, whatever tasks.max says.
    ConnectorConfig t;
    t["file"] = config_value(c, "file");
    t["topic"] = config_value(c, "topic");
    t["batch.size"] = config_value(c, "batch.size", "2000");
    t["task.class"] = "org.apache.kafka.connect.file.FileStreamSourceTask";
    return {t};
}

std::optional<std::string> file_sink_validate(const ConnectorConfig& c) {
    if (!has(c, "file")) return std::string("FileStreamSink writes stdout without \"file\": the model has no stdout");
    return std::nullopt;
}

std::vector<ConnectorConfig> copies(const ConnectorConfig& c, int32_t max_tasks, const char* task_class) {
    std::vector<ConnectorConfig> out;
    for (int32_t i = 0; i < max_tasks; ++i) {
        ConnectorConfig t = c;
        t["task.class"] = task_class;
        out.push_back(std::move(t));
    }
    return out;
}

std::vector<ConnectorConfig> file_sink_tasks(const ConnectorConfig& c, int32_t max_tasks) {
    return copies(c, max_tasks, "org.apache.kafka.connect.file.FileStreamSinkTask");
}

// ---- TableSource / TableSink

std::optional<std::string> table_source_validate(const ConnectorConfig& c) {
    if (!has(c, "tables")) return missing("tables", "The tables to copy, comma-separated");
    return std::nullopt;
}

std::vector<ConnectorConfig> table_source_tasks(const ConnectorConfig& c, int32_t max_tasks) {
    // ConnectorUtils.groupPartitions: the tables in contiguous groups, as even as possible.
    const std::vector<std::string> tables = split_list(config_value(c, "tables"));
    const auto groups = static_cast<size_t>(std::min<int64_t>(max_tasks, static_cast<int64_t>(tables.size())));
    std::vector<ConnectorConfig> out;
    size_t next = 0;
    for (size_t g = 0; g < groups; ++g) {
        const size_t size = tables.size() / groups + (g < tables.size() % groups ? 1 : 0);
        std::string list;
        for (size_t i = 0; i < size; ++i) list += (i ? "," : "") + tables[next++];
        ConnectorConfig t;
        t["tables"] = list;
        t["topic.prefix"] = config_value(c, "topic.prefix");
        t["batch.max.rows"] = config_value(c, "batch.max.rows", "100");
        t["poll.interval.ms"] = config_value(c, "poll.interval.ms", "5000");
        t["task.class"] = "kafkasim.connect.TableSourceTask";
        out.push_back(std::move(t));
    }
    return out;
}

std::optional<std::string> table_sink_validate(const ConnectorConfig& c) {
    const std::string mode = config_value(c, "insert.mode", "insert");
    if (mode != "insert" && mode != "upsert")
        return "Invalid value " + mode + " for configuration insert.mode: String must be one of: insert, upsert";
    return std::nullopt;
}

std::vector<ConnectorConfig> table_sink_tasks(const ConnectorConfig& c, int32_t max_tasks) {
    return copies(c, max_tasks, "kafkasim.connect.TableSinkTask");
}

constexpr std::array plugins = {
    ConnectorPlugin{"org.apache.kafka.connect.file.FileStreamSourceConnector", "FileStreamSource",
                    ConnectorType::source, "lines of a file, one record each (Kafka's example connector)",
                    file_source_validate, file_source_tasks},
    ConnectorPlugin{"org.apache.kafka.connect.file.FileStreamSinkConnector", "FileStreamSink", ConnectorType::sink,
                    "appends each record's value to a file as a line (Kafka's example connector)", file_sink_validate,
                    file_sink_tasks},
    ConnectorPlugin{"kafkasim.connect.TableSourceConnector", "TableSource", ConnectorType::source,
                    "rows of growing tables, keyed by row id (a database source such as JDBC's)",
                    table_source_validate, table_source_tasks},
    ConnectorPlugin{"kafkasim.connect.TableSinkConnector", "TableSink", ConnectorType::sink,
                    "writes records into a table by insert or by upsert on the key (a database sink such as JDBC's)",
                    table_sink_validate, table_sink_tasks},
};

}  // namespace

std::span<const ConnectorPlugin> all_plugins() { return plugins; }

const ConnectorPlugin* find_plugin(std::string_view connector_class) {
    for (const auto& p : plugins) {
        if (p.class_name == connector_class || p.alias == connector_class) return &p;
        // Kafka also takes the simple class name and the alias without "Connector".
        const std::string_view simple = p.class_name.substr(p.class_name.rfind('.') + 1);
        if (simple == connector_class) return &p;
    }
    return nullptr;
}

std::string unknown_plugin_message(std::string_view connector_class) {
    std::string out = "Failed to find any class that implements Connector and which name matches " +
                      std::string(connector_class) + ", available connectors are: ";
    for (size_t i = 0; i < plugins.size(); ++i) out += (i ? ", " : "") + std::string(plugins[i].class_name);
    return out;
}

std::optional<std::string> validate_connector_config(const ConnectorConfig& config) {
    if (!has(config, "connector.class"))
        return missing("connector.class", "Name or alias of the class for this connector");
    const ConnectorPlugin* plugin = find_plugin(config_value(config, "connector.class"));
    if (plugin == nullptr) return unknown_plugin_message(config_value(config, "connector.class"));
    if (auto it = config.find("tasks.max"); it != config.end()) {
        int64_t n = 0;
        const auto [ptr, ec] = std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
        if (ec != std::errc{} || ptr != it->second.data() + it->second.size())
            return "Invalid value " + it->second + " for configuration tasks.max: Not a number of type INT";
        if (n < 1) return "Invalid value " + it->second + " for configuration tasks.max: Value must be at least 1";
    }
    // ConnectorConfig's error handling (KIP-298).
    const std::string tolerance = config_value(config, "errors.tolerance", "none");
    if (tolerance != "none" && tolerance != "all")
        return "Invalid value " + tolerance + " for configuration errors.tolerance: String must be one of: none, all";
    if (has(config, "errors.deadletterqueue.topic.name") && plugin->type == ConnectorType::source)
        return std::string("errors.deadletterqueue.topic.name is a sink connector setting: source connectors have no "
                           "dead letter queue");
    if (plugin->type == ConnectorType::sink) {
        // SinkConnectorConfig.validate
        if (!has(config, "topics") && !has(config, "topics.regex"))
            return std::string("Must configure one of topics or topics.regex");
        if (has(config, "topics.regex")) return std::string("topics.regex is not modelled: name the topics");
    }
    return plugin->validate(config);
}

std::vector<std::pair<std::string, std::string>> source_reads(const ConnectorConfig& config) {
    std::vector<std::pair<std::string, std::string>> out;
    const ConnectorPlugin* plugin = find_plugin(config_value(config, "connector.class"));
    if (plugin == nullptr || plugin->type != ConnectorType::source) return out;
    if (plugin->alias == "FileStreamSource") {
        out.emplace_back(config_value(config, "file"), config_value(config, "topic"));
    } else {
        for (const auto& t : split_list(config_value(config, "tables")))
            out.emplace_back(t, config_value(config, "topic.prefix") + t);
    }
    return out;
}

std::string sink_system(const ConnectorConfig& config) {
    if (auto it = config.find("file"); it != config.end()) return it->second;
    if (auto it = config.find("table"); it != config.end()) return it->second;
    const auto topics = split_list(config_value(config, "topics"));
    return topics.empty() ? std::string() : topics.front();
}

bool upsert_sink(const ConnectorConfig& config) { return config_value(config, "insert.mode", "insert") == "upsert"; }

int32_t tasks_max(const ConnectorConfig& config) {
    auto it = config.find("tasks.max");
    if (it == config.end()) return 1;
    int32_t n = 1;
    std::from_chars(it->second.data(), it->second.data() + it->second.size(), n);
    return std::max(1, n);
}

std::string config_value(const ConnectorConfig& config, const std::string& key, std::string fallback) {
    auto it = config.find(key);
    return it == config.end() ? std::move(fallback) : it->second;
}

std::vector<std::string> split_list(std::string_view text) {
    std::vector<std::string> out;
    size_t start = 0;
    while (start <= text.size()) {
        size_t end = text.find(',', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view item = text.substr(start, end - start);
        while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
        while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
        if (!item.empty()) out.emplace_back(item);
        start = end + 1;
    }
    return out;
}

}  // namespace kafka::connect
