// The connector classes a worker can run (its plugin path), each as Kafka's Connector does it:
// the configs it requires (validate) and how it splits its work into task configs
// (taskConfigs(maxTasks)). Connector and task configs are string maps, as Kafka's are.
//
//  - FileStreamSource / FileStreamSink: Kafka's example connectors (connect/file), over the
//    world's simulated files: one line is one record (null key, the line as value); the
//    source's offset is the position in the file, here counted in lines (Kafka counts
//    characters; every line of the model is one step either way). One source task at most.
//  - TableSource / TableSink: kafkasim's stand-ins for a database connector such as the JDBC
//    connectors (whose config names they borrow): a source table grows row by row; the source
//    splits its tables over up to tasks.max tasks, and each row becomes a record keyed by its
//    id; the sink writes each record into a table, by insert (a duplicate makes a second row) or
//    by upsert on the record key (a duplicate overwrites the same row).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace kafka::connect {

using ConnectorConfig = std::map<std::string, std::string>;

enum class ConnectorType : uint8_t { source, sink };
inline const char* to_string(ConnectorType t) { return t == ConnectorType::source ? "source" : "sink"; }

struct ConnectorPlugin {
    std::string_view class_name;  // "org.apache.kafka.connect.file.FileStreamSourceConnector"
    std::string_view alias;       // "FileStreamSource"
    ConnectorType type = ConnectorType::source;
    std::string_view doc;
    // Connector.validate + start: the error Kafka reports for a bad config, nullopt when fine.
    std::optional<std::string> (*validate)(const ConnectorConfig&) = nullptr;
    // Connector.taskConfigs(maxTasks): one config per task.
    std::vector<ConnectorConfig> (*task_configs)(const ConnectorConfig&, int32_t max_tasks) = nullptr;
};

std::span<const ConnectorPlugin> all_plugins();
// By full class name or alias, as Kafka's plugin loader resolves connector.class.
const ConnectorPlugin* find_plugin(std::string_view connector_class);
// Kafka's error for a connector.class it cannot find.
std::string unknown_plugin_message(std::string_view connector_class);

// Common connector configs (ConnectorConfig / SinkConnectorConfig): the validation every
// connector goes through before its own, in Kafka's words. nullopt when fine.
std::optional<std::string> validate_connector_config(const ConnectorConfig& config);
int32_t tasks_max(const ConnectorConfig& config);  // tasks.max, 1 when unset
std::string config_value(const ConnectorConfig& config, const std::string& key, std::string fallback = {});
// What a source connector reads and where each goes: (external system, topic) pairs.
std::vector<std::pair<std::string, std::string>> source_reads(const ConnectorConfig& config);
// The external system a sink connector writes: its file, or its table (default: the topic's name).
std::string sink_system(const ConnectorConfig& config);
bool upsert_sink(const ConnectorConfig& config);
// "a, b ,c" -> {"a", "b", "c"}
std::vector<std::string> split_list(std::string_view text);

}  // namespace kafka::connect
