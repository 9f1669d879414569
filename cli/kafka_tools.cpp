#include "cli/kafka_tools.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <ostream>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>

#include "clients/consumer_client.hpp"
#include "reports/cluster_views.hpp"

namespace cli {

namespace {

using Words = std::vector<std::string>;
using json = nlohmann::json;

constexpr int64_t admin_wait_ms = 65000;  // default.api.timeout.ms and a little: the tool gives up before
constexpr int64_t console_consumer_idle_ms = 30000;

const std::vector<std::string> tool_names = {
    "kafka-topics",           "kafka-console-producer", "kafka-console-consumer", "kafka-configs",
    "kafka-leader-election",  "kafka-delete-records",   "kafka-reassign-partitions", "kafka-get-offsets",
    "kafka-consumer-groups",  "kafka-metadata-quorum",
};

// ---- joptsimple, as the tools use it ---------------------------------------------------------

struct Option {
    const char* name;
    bool takes_argument;
    const char* description;
};

struct Parsed {
    std::map<std::string, std::vector<std::string>> values;  // an option given (with its arguments)
    std::vector<std::string> non_options;
    bool has(const std::string& name) const { return values.contains(name); }
    std::optional<std::string> one(const std::string& name) const {
        auto it = values.find(name);
        if (it == values.end() || it->second.empty()) return std::nullopt;
        return it->second.back();
    }
    const std::vector<std::string>& all(const std::string& name) const {
        static const std::vector<std::string> none;
        auto it = values.find(name);
        return it == values.end() ? none : it->second;
    }
};

// What a tool prints for a command it cannot run: the problem, then its options.
struct ToolUsage {
    std::string message;
    bool exception = false;  // joptsimple's own exception, thrown out of main
};

std::string usage_table(const std::vector<Option>& options) {
    std::ostringstream out;
    out << "Option                                   Description\n"
           "------                                   -----------\n";
    std::vector<Option> sorted = options;
    std::sort(sorted.begin(), sorted.end(), [](const Option& a, const Option& b) { return std::string(a.name) < b.name; });
    for (const Option& o : sorted) {
        std::string left = std::string("--") + o.name + (o.takes_argument ? " <String>" : "");
        if (left.size() < 41) left.resize(41, ' ');
        else left += " ";
        out << left << o.description << "\n";
    }
    return out.str();
}

Parsed parse_options(const Words& words, const std::vector<Option>& options) {
    Parsed p;
    for (size_t i = 1; i < words.size(); ++i) {
        const std::string& w = words[i];
        if (!w.starts_with("--") || w.size() == 2) {
            p.non_options.push_back(w);
            continue;
        }
        std::string name = w.substr(2);
        std::optional<std::string> inline_value;
        if (auto eq = name.find('='); eq != std::string::npos) {
            inline_value = name.substr(eq + 1);
            name.resize(eq);
        }
        auto it = std::find_if(options.begin(), options.end(), [&](const Option& o) { return name == o.name; });
        if (it == options.end())
            throw ToolUsage{"joptsimple.UnrecognizedOptionException: " + name + " is not a recognized option", true};
        auto& slot = p.values[name];
        if (!it->takes_argument) {
            if (inline_value) throw ToolUsage{"Option " + name + " does not take an argument"};
            continue;
        }
        if (inline_value) {
            slot.push_back(*inline_value);
        } else if (i + 1 < words.size() && !words[i + 1].starts_with("--")) {
            slot.push_back(words[++i]);
        } else {
            throw ToolUsage{"joptsimple.OptionMissingRequiredArgumentException: Option " + name + " requires an argument",
                             true};
        }
    }
    return p;
}

// The tool's options as joptsimple parses them; a mistake prints the tool's option table too.
Parsed parse(const Words& words, const std::vector<Option>& options) {
    try {
        return parse_options(words, options);
    } catch (ToolUsage& e) {
        e.message += "\n" + usage_table(options);
        throw;
    }
}

[[noreturn]] void usage_error(const std::vector<Option>& options, const std::string& message) {
    throw ToolUsage{message + "\n" + usage_table(options)};
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
    return out;
}

std::string join_ids(const std::vector<int32_t>& ids) {
    std::vector<std::string> s;
    for (int32_t id : ids) s.push_back(std::to_string(id));
    return join(s, ",");
}

// The Java exception class a Kafka error becomes in the Admin client (Errors.java).
std::string exception_name(kafka::Error e) {
    using kafka::Error;
    switch (e) {
        case Error::topic_already_exists: return "TopicExistsException";
        case Error::unknown_topic_or_partition: return "UnknownTopicOrPartitionException";
        case Error::invalid_partitions: return "InvalidPartitionsException";
        case Error::invalid_replication_factor: return "InvalidReplicationFactorException";
        case Error::invalid_replica_assignment: return "InvalidReplicaAssignmentException";
        case Error::invalid_config: return "InvalidConfigurationException";
        case Error::policy_violation: return "PolicyViolationException";
        case Error::reassignment_in_progress: return "ReassignmentInProgressException";
        case Error::topic_deletion_disabled: return "TopicDeletionDisabledException";
        case Error::preferred_leader_not_available: return "PreferredLeaderNotAvailableException";
        case Error::eligible_leaders_not_available: return "EligibleLeadersNotAvailableException";
        case Error::election_not_needed: return "ElectionNotNeededException";
        case Error::no_reassignment_in_progress: return "NoReassignmentInProgressException";
        case Error::offset_out_of_range: return "OffsetOutOfRangeException";
        case Error::not_controller: return "NotControllerException";
        case Error::request_timed_out: return "TimeoutException";
        case Error::invalid_request: return "InvalidRequestException";
        case Error::not_leader_or_follower: return "NotLeaderOrFollowerException";
        case Error::invalid_topic_exception: return "InvalidTopicException";
        default: return "ApiException";
    }
}

std::string exception_text(const kafka::AdminOutcome& o) {
    return "org.apache.kafka.common.errors." + exception_name(o.error) + ": " + o.message;
}

std::string partition_text(const kafka::TopicPartitionName& tp) { return tp.topic + "-" + std::to_string(tp.partition); }

// "localhost:9092,localhost:9093": some address is one of the scenario's brokers.
bool reaches_cluster(const std::string& servers, const scenarios::Scenario& s) {
    std::istringstream in(servers);
    for (std::string one; std::getline(in, one, ',');)
        for (int32_t id = 1; id <= s.kafka.brokers; ++id)
            if (one == reports::broker_address(id)) return true;
    return false;
}

std::string broker_addresses(const scenarios::Scenario& s) {
    return reports::broker_address(1) + (s.kafka.brokers > 1 ? ".." + reports::broker_address(s.kafka.brokers) : "");
}

// JSON typed inline ('{"partitions": ...}') or the path of a file holding it.
json read_json_argument(const std::string& text, const std::string& option) {
    std::string body = text;
    if (!text.empty() && text.front() != '{' && text.front() != '[') {
        std::ifstream in(text);
        if (!in) throw ToolUsage{"Exception in thread \"main\" java.nio.file.NoSuchFileException: " + text};
        std::ostringstream s;
        s << in.rdbuf();
        body = s.str();
    }
    json j = json::parse(body, nullptr, false);
    if (j.is_discarded()) throw ToolUsage{"The " + option + " is not valid JSON: " + text};
    return j;
}

}  // namespace

std::optional<std::string> kafka_tool_name(const std::string& word) {
    std::string name = word;
    if (auto slash = name.rfind('/'); slash != std::string::npos) name = name.substr(slash + 1);
    if (name.ends_with(".sh")) name.resize(name.size() - 3);
    if (std::find(tool_names.begin(), tool_names.end(), name) != tool_names.end()) return name;
    return std::nullopt;
}

const std::vector<std::string>& kafka_tool_names() { return tool_names; }

std::optional<std::vector<std::string>> split_command_line(const std::string& line) {
    std::vector<std::string> words;
    std::string current;
    bool in_word = false;
    char quote = 0;
    for (size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (quote == '\'') {
            if (c == '\'') quote = 0;
            else current += c;
            continue;
        }
        if (quote == '"') {
            if (c == '"') quote = 0;
            else if (c == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\')) current += line[++i];
            else current += c;
            continue;
        }
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(std::move(current));
            current.clear();
            in_word = false;
            continue;
        }
        in_word = true;
        if (c == '\'' || c == '"') quote = c;
        else if (c == '\\' && i + 1 < line.size()) current += line[++i];
        else current += c;
    }
    if (quote != 0) return std::nullopt;
    if (in_word) words.push_back(std::move(current));
    return words;
}

KafkaTools::KafkaTools(ToolSession& session, std::ostream& out) : session_(session), out_(out) {}

std::vector<kafka::AdminCallResult> KafkaTools::call(std::vector<kafka::AdminOperation> ops) {
    scenarios::ScenarioRun& run = session_.run();
    std::vector<kafka::AdminClient::Timed> timed;
    for (auto& op : ops) {
        admin_calls_.push_back({run.now(), op});
        timed.push_back({run.now(), std::move(op)});
    }
    const sim::NodeId node = run.add_admin(session_.fresh_name("admin:shell"), std::move(timed));
    kafka::World& world = run.cluster().world();
    auto admin = [&]() { return world.node_as<kafka::AdminClient>(node); };
    session_.wait_until([&] { return admin() == nullptr || admin()->idle(); }, sim::milliseconds(admin_wait_ms));
    std::vector<kafka::AdminCallResult> results;
    if (admin() != nullptr) results = admin()->results();
    world.shutdown(node, sim::Duration{});
    return results;
}

void KafkaTools::run(const Words& words) {
    const std::string tool = *kafka_tool_name(words.front());
    try {
        if (tool == "kafka-topics") topics(words);
        else if (tool == "kafka-console-producer") console_producer(words);
        else if (tool == "kafka-console-consumer") console_consumer(words);
        else if (tool == "kafka-configs") configs(words);
        else if (tool == "kafka-leader-election") leader_election(words);
        else if (tool == "kafka-delete-records") delete_records(words);
        else if (tool == "kafka-reassign-partitions") reassign(words);
        else if (tool == "kafka-get-offsets") get_offsets(words);
        else if (tool == "kafka-consumer-groups") consumer_groups(words);
        else if (tool == "kafka-metadata-quorum") metadata_quorum(words);
    } catch (const ToolUsage& e) {
        out_ << (e.exception ? "Exception in thread \"main\" " : "") << e.message << "\n";
    }
}

// ------------------------------------------------------------------------------ kafka-topics

namespace {

const std::vector<Option> topics_options = {
    {"bootstrap-server", true, "REQUIRED: The Kafka server to connect to."},
    {"zookeeper", true, "DEPRECATED (removed in 3.0): the ZooKeeper connection string."},
    {"create", false, "Create a new topic."},
    {"list", false, "List all available topics."},
    {"describe", false, "List details for the given topics."},
    {"delete", false, "Delete a topic"},
    {"alter", false, "Alter the number of partitions and replica assignment."},
    {"topic", true, "The topic to create, alter, describe or delete."},
    {"partitions", true, "The number of partitions for the topic being created or altered."},
    {"replication-factor", true, "The replication factor for each partition in the topic being created."},
    {"replica-assignment", true, "A list of manual partition-to-broker assignments (0:1,1:2 ...)."},
    {"config", true, "A topic configuration override for the topic being created (key=value)."},
    {"if-not-exists", false, "if set when creating topics, the action will only execute if the topic does not already exist."},
    {"if-exists", false, "if set when altering or deleting or describing topics, the action will only execute if the topic exists."},
    {"exclude-internal", false, "exclude internal topics when running list or describe command."},
    {"under-replicated-partitions", false, "if set when describing topics, only show under replicated partitions"},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::topics(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const reports::KafkaRelease release = session_.release();
    const Parsed p = parse(words, topics_options);
    auto usage = [&](const std::string& message) { usage_error(topics_options, message); };
    if (p.has("help")) usage("This tool helps to create, delete, describe, or change a topic.");
    if (p.has("zookeeper") && release.at_least(3, 0))
        throw ToolUsage{"joptsimple.UnrecognizedOptionException: zookeeper is not a recognized option", true};
    const int actions = p.has("create") + p.has("list") + p.has("describe") + p.has("delete") + p.has("alter");
    if (actions != 1) usage("Command must include exactly one action: --list, --describe, --create, --alter or --delete");
    if (!p.has("bootstrap-server") && !p.has("zookeeper")) usage("Missing required argument \"[bootstrap-server]\"");
    if (p.has("bootstrap-server") && !reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "Error while executing topic command : Timed out waiting for a node assignment. Call: "
             << (p.has("create") ? "createTopics" : p.has("delete") ? "deleteTopics" : "listTopics") << "\n"
             << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << " (its brokers: "
             << broker_addresses(s) << ")\n";
        return;
    }
    if (p.has("zookeeper") && *p.one("zookeeper") != "localhost:2181") {
        out_ << "# no ZooKeeper server listens on " << *p.one("zookeeper") << " (the ensemble is localhost:2181)\n";
        return;
    }
    const kafka::MetadataImage* image = session_.run().cluster().metadata();
    auto exists = [&](const std::string& t) { return image != nullptr && image->topic(t) != nullptr; };
    auto does_not_exist = [&](const std::string& t) {
        return "Error while executing topic command : Topic '" + (release.at_least(3, 7) ? "Optional[" + t + "]" : t) +
               "' does not exist as expected";
    };
    auto print_error = [&](const kafka::AdminOutcome& o) {
        out_ << "Error while executing topic command : " << o.message << "\n";
    };

    if (p.has("create")) {
        const auto topic = p.one("topic");
        if (!topic) usage("Missing required argument \"[topic]\"");
        kafka::AdminOperation op;
        op.kind = kafka::AdminOperation::Kind::create_topic;
        op.create.name = *topic;
        const auto& broker = session_.run().cluster().broker_config();
        op.create.num_partitions = broker.num_partitions;
        op.create.replication_factor = static_cast<int16_t>(broker.default_replication_factor);
        auto number = [&](const std::string& option, int64_t max) -> std::optional<int64_t> {
            auto v = p.one(option);
            if (!v) return std::nullopt;
            try {
                size_t used = 0;
                int64_t n = std::stoll(*v, &used);
                if (used != v->size()) throw std::invalid_argument(*v);
                if (n < 1 || n > max) {
                    throw ToolUsage{"Error while executing topic command : The " +
                                     std::string(option == "partitions" ? "partitions" : "replication factor") +
                                     " must be greater than 0"};
                }
                return n;
            } catch (const std::logic_error&) {
                throw ToolUsage{"Exception in thread \"main\" joptsimple.OptionArgumentConversionException: Cannot parse "
                                 "argument '" + *v + "' of option " + option};
            }
        };
        if (auto n = number("partitions", 1000000)) op.create.num_partitions = static_cast<int32_t>(*n);
        if (auto n = number("replication-factor", 32767)) op.create.replication_factor = static_cast<int16_t>(*n);
        if (auto ra = p.one("replica-assignment")) {
            // "1:2,2:3": partitions separated by commas, replicas by colons.
            std::istringstream parts(*ra);
            for (std::string part; std::getline(parts, part, ',');) {
                std::vector<kafka::BrokerId> replicas;
                std::istringstream ids(part);
                for (std::string id; std::getline(ids, id, ':');) {
                    try {
                        replicas.push_back(static_cast<kafka::BrokerId>(std::stoi(id)));
                    } catch (const std::logic_error&) {
                        throw ToolUsage{"Error while executing topic command : For input string: \"" + id + "\""};
                    }
                }
                op.create.assignment.push_back(std::move(replicas));
            }
            op.create.num_partitions = static_cast<int32_t>(op.create.assignment.size());
            if (!op.create.assignment.empty())
                op.create.replication_factor = static_cast<int16_t>(op.create.assignment.front().size());
        }
        for (const std::string& kv : p.all("config")) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos)
                throw ToolUsage{"Error while executing topic command : Invalid topic config: all configs to be added "
                                 "must be in the format \"key=val\"."};
            op.create.configs[kv.substr(0, eq)] = kv.substr(eq + 1);
        }
        if (topic->find_first_of("._") != std::string::npos)
            out_ << "WARNING: Due to limitations in metric names, topics with a period ('.') or underscore ('_') could "
                    "collide. To avoid issues it is best to use either, but not both.\n";
        auto results = call({op});
        if (results.empty() || results[0].outcomes.empty()) {
            out_ << "# the scenario ended before the controller answered\n";
            return;
        }
        const kafka::AdminOutcome& o = results[0].outcomes[0];
        if (o.error == kafka::Error::none) {
            out_ << (release.at_least(2, 2) ? "Created topic " + *topic + "." : "Created topic \"" + *topic + "\".")
                 << "\n";
        } else if (!(o.error == kafka::Error::topic_already_exists && p.has("if-not-exists"))) {
            print_error(o);
        }
        return;
    }
    if (p.has("list")) {
        std::vector<std::string> names;
        if (image != nullptr)
            for (const auto& [id, t] : image->topics())
                if (!(p.has("exclude-internal") && kafka::is_internal_topic(t.name))) names.push_back(t.name);
        std::sort(names.begin(), names.end());
        out_ << join(names, "\n") << "\n";
        return;
    }
    if (p.has("describe")) {
        std::vector<std::string> only;
        if (auto t = p.one("topic")) {
            if (!exists(*t)) {
                if (!p.has("if-exists")) out_ << does_not_exist(*t) << "\n";
                return;
            }
            only.push_back(*t);
        }
        if (!reports::has_metadata(session_.run().cluster())) {
            out_ << "Error while executing topic command : Timed out waiting for a node assignment. Call: describeTopics\n";
            return;
        }
        std::vector<reports::TopicView> views =
            reports::gather_topic_views(session_.run().cluster(), s, session_.run().seed(), only);
        if (p.has("under-replicated-partitions"))
            for (auto& v : views)
                std::erase_if(v.partitions, [](const reports::PartitionView& pv) { return pv.isr.size() >= pv.replicas.size(); });
        out_ << reports::format_topics_describe(views, release);
        return;
    }
    const auto topic = p.one("topic");
    if (!topic) usage("Missing required argument \"[topic]\"");
    if (!exists(*topic)) {
        if (!p.has("if-exists")) out_ << does_not_exist(*topic) << "\n";
        return;
    }
    kafka::AdminOperation op;
    op.topic = *topic;
    if (p.has("delete")) {
        if (kafka::is_internal_topic(*topic)) {
            out_ << "Error while executing topic command : Topic " << *topic << " is a kafka internal topic and is not "
                 << "allowed to be marked for deletion.\n";
            return;
        }
        op.kind = kafka::AdminOperation::Kind::delete_topic;
    } else {
        auto n = p.one("partitions");
        if (!n) usage("Option \"[alter]\" can't be used without \"[partitions]\" (only the partition count can be altered)");
        op.kind = kafka::AdminOperation::Kind::add_partitions;
        try {
            op.partitions = std::stoi(*n);
        } catch (const std::logic_error&) {
            throw ToolUsage{"Exception in thread \"main\" joptsimple.OptionArgumentConversionException: Cannot parse "
                             "argument '" + *n + "' of option partitions"};
        }
    }
    auto results = call({op});
    if (results.empty() || results[0].outcomes.empty()) {
        out_ << "# the scenario ended before the controller answered\n";
        return;
    }
    if (results[0].outcomes[0].error != kafka::Error::none) print_error(results[0].outcomes[0]);
}

// ------------------------------------------------------------------------------ console producer

namespace {

const std::vector<Option> producer_options = {
    {"bootstrap-server", true, "REQUIRED unless --broker-list(deprecated) is specified. The server(s) to connect to."},
    {"broker-list", true, "DEPRECATED, use --bootstrap-server instead."},
    {"topic", true, "REQUIRED: The topic id to produce messages to."},
    {"property", true, "A mechanism to pass user-defined properties: parse.key, key.separator, ignore.error, null.marker."},
    {"request-required-acks", true, "The required `acks` of the producer requests (default: -1; 1 before 3.2)"},
    {"producer-property", true, "A mechanism to pass user-defined properties in the form key=value to the producer."},
    {"sync", false, "If set message send requests to the brokers are synchronously, one at a time as they arrive."},
    {"timeout", true, "linger.ms: how long a message waits for a batch (default: 1000)"},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::console_producer(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const reports::KafkaRelease release = session_.release();
    const Parsed p = parse(words, producer_options);
    auto usage = [&](const std::string& message) { usage_error(producer_options, message); };
    if (p.has("help")) usage("This tool helps to read data from standard input and publish it to Kafka.");
    if (p.has("broker-list") && release.at_least(4, 0))
        throw ToolUsage{"joptsimple.UnrecognizedOptionException: broker-list is not a recognized option", true};
    const auto servers = p.has("bootstrap-server") ? p.one("bootstrap-server") : p.one("broker-list");
    if (!servers) usage("Missing required argument \"[bootstrap-server]\"");
    const auto topic = p.one("topic");
    if (!topic) usage("Missing required argument \"[topic]\"");
    if (!reaches_cluster(*servers, s)) {
        out_ << "# no broker of this cluster listens on " << *servers << " (its brokers: " << broker_addresses(s)
             << "); the producer would wait for metadata and fail every line after max.block.ms\n";
        return;
    }
    PendingProducer pp;
    pp.topic = *topic;
    kafka::ConfigMap overrides;
    const int64_t acks_default = release.at_least(3, 2) ? -1 : 1;
    int64_t acks = acks_default;
    if (auto a = p.one("request-required-acks")) {
        if (*a == "all" || *a == "-1") acks = -1;
        else if (*a == "0" || *a == "1") acks = std::stoll(*a);
        else usage("Invalid value " + *a + " for option request-required-acks");
    }
    overrides["acks"] = acks;
    overrides["linger.ms"] = int64_t{1000};
    if (auto t = p.one("timeout")) {
        try {
            overrides["linger.ms"] = int64_t{std::stoll(*t)};
        } catch (const std::logic_error&) {
            usage("Cannot parse argument '" + *t + "' of option timeout");
        }
    }
    overrides["retries"] = int64_t{3};
    if (acks != -1) overrides["enable.idempotence"] = false;
    for (const std::string& kv : p.all("property")) {
        const auto eq = kv.find('=');
        const std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        if (key == "parse.key") pp.parse_key = value == "true";
        else if (key == "key.separator") pp.key_separator = value;
        else if (key == "ignore.error") pp.ignore_error = value == "true";
        else if (key == "null.marker" && release.at_least(3, 2)) pp.null_marker = value;
        // Other reader properties (parse.headers, ...) are not modelled: the lines carry no headers.
    }
    pp.config = kafka::ProducerConfig::from(s.kafka.profile, overrides);
    const kafka::MetadataImage* image = session_.run().cluster().metadata();
    if (image == nullptr || image->topic(*topic) == nullptr) {
        // auto.create.topics.enable is not modelled: the producer waits for the metadata, then fails each line.
        out_ << "[" << sim::format_time(session_.run().now()) << "] WARN [Producer clientId=console-producer] Error while "
             << "fetching metadata with correlation id 1 : {" << *topic << "=UNKNOWN_TOPIC_OR_PARTITION} "
             << "(org.apache.kafka.clients.NetworkClient)\n";
    }
    producer_ = std::move(pp);
}

void KafkaTools::line(const std::string& text) {
    PendingProducer& pp = *producer_;
    if (text.empty() || text == ".") {
        finish_producer();
        return;
    }
    ++pp.line_number;
    kafka::ConsoleProducer::Line l;
    l.at = session_.run().now();
    std::string value = text;
    if (pp.parse_key) {
        const auto at = text.find(pp.key_separator);
        if (at == std::string::npos) {
            if (!pp.ignore_error) {
                // LineMessageReader throws; the console producer exits, having sent the lines before.
                out_ << "org.apache.kafka.common.KafkaException: "
                     << (session_.release().at_least(3, 2)
                             ? "No key separator found on line number " + std::to_string(pp.line_number) + ": '" + text + "'"
                             : "No key found on line " + std::to_string(pp.line_number) + ": " + text)
                     << "\n";
                finish_producer();
                return;
            }
        } else {
            l.key = text.substr(0, at);
            value = text.substr(at + pp.key_separator.size());
        }
    }
    if (pp.null_marker && l.key && *l.key == *pp.null_marker) l.key.reset();
    if (!(pp.null_marker && value == *pp.null_marker)) l.value = value;
    pp.lines.push_back(std::move(l));
}

// The lines go out as typed; closing the producer waits for every one to be answered.
void KafkaTools::finish_producer() {
    PendingProducer pp = std::move(*producer_);
    producer_.reset();
    if (pp.lines.empty()) return;
    scenarios::ScenarioRun& run = session_.run();
    scenarios::ClientNode c =
        run.add_console_producer(session_.fresh_name("producer:console"), pp.topic, pp.config, std::move(pp.lines));
    kafka::World& world = run.cluster().world();
    auto node = [&]() { return world.node_as<kafka::ConsoleProducer>(c.node); };
    session_.wait_until([&] { return node() == nullptr || node()->done(); },
                        sim::milliseconds(pp.config.delivery_timeout_ms + 5000));
    world.shutdown(c.node, sim::Duration{});
}

// ------------------------------------------------------------------------------ console consumer

namespace {

const std::vector<Option> consumer_options = {
    {"bootstrap-server", true, "REQUIRED: The server(s) to connect to."},
    {"topic", true, "The topic to consume on."},
    {"group", true, "The consumer group id of the consumer."},
    {"from-beginning", false, "If the consumer does not already have an established offset to consume from, start with the earliest message present in the log rather than the latest message."},
    {"max-messages", true, "The maximum number of messages to consume before exiting."},
    {"timeout-ms", true, "If specified, exit if no message is available for consumption for the specified interval."},
    {"property", true, "The properties to initialize the message formatter: print.timestamp, print.key, print.offset, print.partition, print.value, key.separator, line.separator, null.literal."},
    {"isolation-level", true, "Set to read_committed in order to filter out transactional messages which are not committed."},
    {"consumer-property", true, "A mechanism to pass user-defined properties in the form key=value to the consumer."},
    {"help", false, "Print usage information."},
};

std::string unescape(const std::string& s) {
    std::string out;
    for (size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 1 < s.size()) {
            const char c = s[++i];
            out += c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : c;
        } else {
            out += s[i];
        }
    }
    return out;
}

}  // namespace

void KafkaTools::console_consumer(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const Parsed p = parse(words, consumer_options);
    auto usage = [&](const std::string& message) { usage_error(consumer_options, message); };
    if (p.has("help")) usage("This tool helps to read data from Kafka topics and outputs it to standard output.");
    if (!p.has("bootstrap-server")) usage("Missing required argument \"[bootstrap-server]\"");
    const auto topic = p.one("topic");
    if (!topic) usage("Exactly one of whitelist/topic is required.");
    if (!reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << " (its brokers: "
             << broker_addresses(s) << "); the consumer would wait for the cluster forever\n";
        return;
    }
    std::optional<int64_t> max_messages, timeout_ms;
    try {
        if (auto v = p.one("max-messages")) max_messages = std::stoll(*v);
        if (auto v = p.one("timeout-ms")) timeout_ms = std::stoll(*v);
    } catch (const std::logic_error&) {
        usage("Cannot parse the argument of --max-messages or --timeout-ms as a number");
    }
    bool print_timestamp = false, print_key = false, print_offset = false, print_partition = false, print_value = true;
    std::string key_separator = "\t", line_separator = "\n", null_literal = "null";
    for (const std::string& kv : p.all("property")) {
        const auto eq = kv.find('=');
        const std::string key = kv.substr(0, eq), value = eq == std::string::npos ? "" : kv.substr(eq + 1);
        const bool on = value == "true";
        if (key == "print.timestamp") print_timestamp = on;
        else if (key == "print.key") print_key = on;
        else if (key == "print.offset") print_offset = on;
        else if (key == "print.partition") print_partition = on;
        else if (key == "print.value") print_value = on;
        else if (key == "key.separator") key_separator = unescape(value);
        else if (key == "line.separator") line_separator = unescape(value);
        else if (key == "null.literal") null_literal = value;
    }
    const kafka::MetadataImage* image = session_.run().cluster().metadata();
    const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(*topic);
    if (t == nullptr) {
        out_ << "[" << sim::format_time(session_.run().now()) << "] WARN [Consumer clientId=console-consumer, groupId="
             << p.one("group").value_or("console-consumer") << "] Error while fetching metadata with correlation id 2 : {"
             << *topic << "=UNKNOWN_TOPIC_OR_PARTITION} (org.apache.kafka.clients.NetworkClient)\n";
        return;
    }
    kafka::ConfigMap overrides;
    overrides["auto.offset.reset"] = std::string(p.has("from-beginning") ? "earliest" : "latest");
    std::string group;
    if (auto g = p.one("group")) {
        group = *g;
    } else {
        // ConsoleConsumer: a random group console-consumer-<0..99999> without auto commit.
        group = "console-consumer-" + std::to_string((session_.run().seed() * 7919 + admin_calls_.size() * 104729 +
                                                      static_cast<uint64_t>(session_.run().now().us)) % 100000);
        overrides["enable.auto.commit"] = false;
    }
    if (auto iso = p.one("isolation-level")) overrides["isolation.level"] = *iso;
    const kafka::ConsumerConfig config = kafka::ConsumerConfig::from(s.kafka.profile, overrides);
    scenarios::ScenarioRun& run = session_.run();
    const size_t already = run.cluster().history().records_read().size();
    scenarios::ClientNode c = run.add_console_consumer(session_.fresh_name("consumer:console"), *topic, config, group);
    kafka::World& world = run.cluster().world();
    auto consumer = [&]() { return world.node_as<kafka::ConsumerClient>(c.node); };
    auto read_so_far = [&]() {
        int64_t n = 0;
        const auto& records = run.cluster().history().records_read();
        for (size_t i = already; i < records.size(); ++i)
            if (records[i].consumer == c.ordinal) ++n;
        return n;
    };
    // Caught up: every partition of the topic assigned and read up to its high watermark.
    auto caught_up = [&]() {
        const kafka::ConsumerClient* k = consumer();
        if (k == nullptr) return true;
        for (const auto& ps : t->partitions) {
            const int64_t position = k->position(ps.tp), hw = k->high_watermark(ps.tp);
            if (position < 0 || hw < 0 || position < hw) return false;
        }
        return true;
    };
    const sim::Duration idle = sim::milliseconds(timeout_ms.value_or(console_consumer_idle_ms));
    session_.wait_until(
        [&] { return (max_messages && read_so_far() >= *max_messages) || (!timeout_ms && caught_up()); }, idle);
    int64_t printed = 0;
    const auto& records = run.cluster().history().records_read();
    for (size_t i = already; i < records.size(); ++i) {
        const auto& r = records[i];
        if (r.consumer != c.ordinal) continue;
        if (max_messages && printed >= *max_messages) break;
        std::string line;
        auto field = [&](const std::string& f) { line += (line.empty() ? "" : key_separator) + f; };
        if (print_timestamp) field("CreateTime:" + std::to_string(r.timestamp.ms()));
        if (print_partition) field("Partition:" + std::to_string(r.tp.partition));
        if (print_offset) field("Offset:" + std::to_string(r.offset));
        auto text = [&](const std::optional<std::string>& v) { return v ? *v : null_literal; };
        const std::string generated = run.cluster().history().client_name(r.producer) + "#" + std::to_string(r.seq);
        if (print_key) field(r.has_text ? text(r.key) : null_literal);
        if (print_value) field(r.has_text ? text(r.value) : generated);
        out_ << line << line_separator;
        ++printed;
    }
    if (max_messages && printed < *max_messages && timeout_ms)
        out_ << "[" << sim::format_time(run.now()) << "] ERROR Error processing message, terminating consumer process:  "
             << "(kafka.tools.ConsoleConsumer$)\norg.apache.kafka.common.errors.TimeoutException\n";
    out_ << "Processed a total of " << printed << " messages\n";
    world.shutdown(c.node, sim::seconds(5));
}

// ------------------------------------------------------------------------------ kafka-configs

namespace {

const std::vector<Option> configs_options = {
    {"bootstrap-server", true, "The Kafka server to connect to."},
    {"alter", false, "Alter the configuration for the entity."},
    {"describe", false, "List configs for the given entity."},
    {"entity-type", true, "Type of entity (topics/brokers)"},
    {"entity-name", true, "Name of entity (topic name/broker id)"},
    {"entity-default", false, "Default entity name for brokers (applies to the whole cluster)"},
    {"topic", true, "The topic's name (--entity-type topics --entity-name <topic>)"},
    {"broker", true, "The broker's id (--entity-type brokers --entity-name <id>)"},
    {"add-config", true, "Key Value pairs of configs to add: k1=v1,k2=[v1,v2,v2],k3=v3."},
    {"delete-config", true, "config keys to remove 'k1,k2'"},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::configs(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const Parsed p = parse(words, configs_options);
    auto usage = [&](const std::string& message) { usage_error(configs_options, message); };
    if (p.has("help")) usage("This tool helps to manipulate and describe entity config for a topic, client, user, broker or ip");
    if (!p.has("bootstrap-server")) usage("One of the required --bootstrap-server or --zookeeper arguments must be specified");
    if (p.has("alter") == p.has("describe")) usage("Command must include exactly one action: --describe, --alter");
    std::string type = p.one("entity-type").value_or("");
    std::string name = p.one("entity-name").value_or("");
    if (auto t = p.one("topic")) type = "topics", name = *t;
    if (auto b = p.one("broker")) type = "brokers", name = *b;
    if (type != "topics" && type != "brokers") usage("--entity-type must be specified (topics or brokers)");
    if (name.empty() && !(type == "brokers" && p.has("entity-default")))
        usage("an entity name must be specified with --alter of " + type);
    if (!reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << " (its brokers: "
             << broker_addresses(s) << ")\n";
        return;
    }
    const bool topic = type == "topics";
    const kafka::MetadataImage* image = session_.run().cluster().metadata();
    if (p.has("describe")) {
        const kafka::TopicImage* t = image == nullptr || !topic ? nullptr : image->topic(name);
        if (topic && t == nullptr) {
            out_ << "Error while executing config command with args '" << join(Words(words.begin() + 1, words.end()), " ")
                 << "'\njava.util.concurrent.ExecutionException: org.apache.kafka.common.errors."
                    "UnknownTopicOrPartitionException: The topic '" << name << "' does not exist.\n";
            return;
        }
        out_ << "Dynamic configs for " << (topic ? "topic " : "broker ") << name << " are:\n";
        if (t != nullptr)
            for (const auto& [key, value] : t->configs)
                out_ << "  " << key << "=" << kafka::format_config_value(value) << " sensitive=false synonyms={DYNAMIC_TOPIC_CONFIG:"
                     << key << "=" << kafka::format_config_value(value) << "}\n";
        return;
    }
    kafka::AdminOperation op;
    op.kind = kafka::AdminOperation::Kind::alter_config;
    op.config.type = topic ? kafka::ConfigResourceType::topic : kafka::ConfigResourceType::broker;
    op.config.name = name;
    for (const std::string& list : p.all("add-config")) {
        std::istringstream in(list);
        for (std::string kv; std::getline(in, kv, ',');) {
            const auto eq = kv.find('=');
            if (eq == std::string::npos) usage("Invalid config(s): " + kv);
            op.config.ops.push_back({kv.substr(0, eq), kafka::AlterConfigOpType::set, kv.substr(eq + 1)});
        }
    }
    for (const std::string& list : p.all("delete-config")) {
        std::istringstream in(list);
        for (std::string k; std::getline(in, k, ',');) op.config.ops.push_back({k, kafka::AlterConfigOpType::remove, ""});
    }
    if (op.config.ops.empty()) usage("At least one of --add-config or --delete-config must be specified with --alter");
    auto results = call({op});
    if (results.empty() || results[0].outcomes.empty()) {
        out_ << "# the scenario ended before the call was answered\n";
        return;
    }
    const kafka::AdminOutcome& o = results[0].outcomes[0];
    if (o.error != kafka::Error::none) {
        out_ << "Error while executing config command with args '" << join(Words(words.begin() + 1, words.end()), " ")
             << "'\njava.util.concurrent.ExecutionException: " << exception_text(o) << "\n";
        return;
    }
    if (topic) out_ << "Completed updating config for topic " << name << ".\n";
    else if (name.empty()) out_ << "Completed updating default config for brokers in the cluster.\n";
    else out_ << "Completed updating config for broker " << name << ".\n";
}

// ------------------------------------------------------------------------------ kafka-leader-election

namespace {

const std::vector<Option> election_options = {
    {"bootstrap-server", true, "A hostname and port for the broker to connect to, in the form host:port."},
    {"election-type", true, "Type of election to attempt. Possible values are \"preferred\" for preferred leader election or \"unclean\" for unclean leader election."},
    {"topic", true, "Name of topic for which to perform an election."},
    {"partition", true, "Partition id for which to perform an election. REQUIRED if --topic is specified."},
    {"all-topic-partitions", false, "Perform election on all of the eligible topic partitions."},
    {"path-to-json-file", true, "The JSON file with the list of partitions for which leader elections should be performed."},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::leader_election(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const Parsed p = parse(words, election_options);
    auto usage = [&](const std::string& message) { usage_error(election_options, message); };
    if (p.has("help")) usage("This tool attempts to elect a new leader for a set of topic partitions.");
    if (!p.has("bootstrap-server")) usage("Missing required option(s) [bootstrap-server]");
    const auto type = p.one("election-type");
    if (!type) usage("Missing required option(s) [election-type]");
    std::string upper = *type;
    for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    if (upper != "PREFERRED" && upper != "UNCLEAN") usage("Unknown election type: " + *type);
    const int ways = p.has("topic") + p.has("all-topic-partitions") + p.has("path-to-json-file");
    if (ways != 1) usage("One and only one of the following options is required: all-topic-partitions, topic, path-to-json-file");
    if (!reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << "\n";
        return;
    }
    kafka::AdminOperation op;
    op.kind = kafka::AdminOperation::Kind::elect_leaders;
    op.election = upper == "PREFERRED" ? kafka::ElectionType::preferred : kafka::ElectionType::unclean;
    if (auto t = p.one("topic")) {
        const auto part = p.one("partition");
        if (!part) usage("Missing required option(s) [partition]");
        try {
            op.named.push_back({*t, std::stoi(*part)});
        } catch (const std::logic_error&) {
            usage("Cannot parse argument '" + *part + "' of option partition");
        }
    } else if (auto f = p.one("path-to-json-file")) {
        json j = read_json_argument(*f, "path-to-json-file");
        if (!j.is_object() || !j.contains("partitions") || !j["partitions"].is_array())
            usage("The JSON file needs {\"partitions\": [{\"topic\": \"t\", \"partition\": 0}]}");
        for (const auto& e : j["partitions"]) {
            if (!e.is_object() || !e.contains("topic") || !e["topic"].is_string() || !e.contains("partition") ||
                !e["partition"].is_number_integer())
                usage("Each partition needs \"topic\" and \"partition\": " + e.dump());
            op.named.push_back({e["topic"].get<std::string>(), e["partition"].get<int32_t>()});
        }
    }
    auto results = call({op});
    if (results.empty() || !results[0].done) {
        out_ << "# the scenario ended before the call was answered\n";
        return;
    }
    std::vector<std::string> done, noop, failed_lines;
    for (const kafka::AdminOutcome& o : results[0].outcomes) {
        if (o.error == kafka::Error::none) done.push_back(o.resource);
        else if (o.error == kafka::Error::election_not_needed) noop.push_back(o.resource);
        else failed_lines.push_back("Error completing leader election (" + upper + ") for partition: " + o.resource + ": " +
                                    exception_text(o));
    }
    if (!done.empty())
        out_ << "Successfully completed leader election (" << upper << ") for partitions " << join(done, ", ") << "\n";
    if (!noop.empty()) out_ << "Valid replica already elected for partitions " << join(noop, ", ") << "\n";
    for (const std::string& l : failed_lines) out_ << l << "\n";
    if (!failed_lines.empty())
        out_ << "Error while making request\nkafka.common.AdminCommandFailedException: " << failed_lines.size()
             << " replica(s) could not be elected\n";
}

// ------------------------------------------------------------------------------ kafka-delete-records

namespace {

const std::vector<Option> delete_records_options = {
    {"bootstrap-server", true, "REQUIRED: The server to connect to."},
    {"offset-json-file", true, "REQUIRED: The JSON file with offset per partition. The format to use is: {\"partitions\": [{\"topic\": \"foo\", \"partition\": 1, \"offset\": 1}], \"version\":1}"},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::delete_records(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const Parsed p = parse(words, delete_records_options);
    auto usage = [&](const std::string& m) { usage_error(delete_records_options, m); };
    if (p.has("help")) usage("This tool helps to delete records of the given partitions down to the specified offset.");
    if (!p.has("bootstrap-server")) usage("Missing required argument \"[bootstrap-server]\"");
    const auto file = p.one("offset-json-file");
    if (!file) usage("Missing required argument \"[offset-json-file]\"");
    if (!reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << "\n";
        return;
    }
    json j = read_json_argument(*file, "offset-json-file");
    kafka::AdminOperation op;
    op.kind = kafka::AdminOperation::Kind::delete_records;
    if (!j.is_object() || !j.contains("partitions") || !j["partitions"].is_array())
        usage("The offset JSON needs {\"partitions\": [{\"topic\": \"t\", \"partition\": 0, \"offset\": 5}]}");
    std::set<kafka::TopicPartitionName> seen;
    for (const auto& e : j["partitions"]) {
        if (!e.is_object() || !e.contains("topic") || !e["topic"].is_string() || !e.contains("partition") ||
            !e["partition"].is_number_integer() || !e.contains("offset") || !e["offset"].is_number_integer())
            usage("Each partition needs \"topic\", \"partition\" and \"offset\": " + e.dump());
        kafka::AdminOperation::Cut cut{{e["topic"].get<std::string>(), e["partition"].get<int32_t>()},
                                       e["offset"].get<int64_t>()};
        if (!seen.insert(cut.tp).second)
            throw ToolUsage{"Exception in thread \"main\" kafka.common.AdminCommandFailedException: Offset json file "
                             "contains duplicate topic partitions: " + partition_text(cut.tp)};
        op.delete_records.push_back(cut);
    }
    out_ << "Executing records delete operation\n";
    auto results = call({op});
    if (results.empty() || !results[0].done) {
        out_ << "# the scenario ended before the call was answered\n";
        return;
    }
    out_ << "Records delete operation completed:\n";
    for (const kafka::AdminOutcome& o : results[0].outcomes) {
        if (o.error == kafka::Error::none)
            out_ << "partition: " << o.resource << "\tlow_watermark: " << o.low_watermark << "\n";
        else
            out_ << "partition: " << o.resource << "\terror: " << exception_text(o) << "\n";
    }
}

// ------------------------------------------------------------------------------ kafka-reassign-partitions

namespace {

const std::vector<Option> reassign_options = {
    {"bootstrap-server", true, "REQUIRED: the server(s) to use for bootstrapping."},
    {"reassignment-json-file", true, "The JSON file with the partition reassignment configuration."},
    {"execute", false, "Kick off the reassignment as specified by the --reassignment-json-file option."},
    {"verify", false, "Verify if the reassignment completed as specified by the --reassignment-json-file option."},
    {"list", false, "List all active partition reassignments."},
    {"cancel", false, "Cancel an active reassignment."},
    {"additional", false, "Execute this reassignment in addition to any other ongoing ones."},
    {"throttle", true, "The movement of partitions between brokers will be throttled to this value (bytes/sec). Not modelled."},
    {"preserve-throttles", false, "Do not modify broker or topic throttles."},
    {"help", false, "Print usage information."},
};

}  // namespace

void KafkaTools::reassign(const Words& words) {
    const scenarios::Scenario& s = session_.scenario();
    const Parsed p = parse(words, reassign_options);
    auto usage = [&](const std::string& m) { usage_error(reassign_options, m); };
    if (p.has("help")) usage("This tool helps to move topic partitions between replicas.");
    if (!p.has("bootstrap-server")) usage("Please specify --bootstrap-server");
    if (p.has("execute") + p.has("verify") + p.has("list") + p.has("cancel") != 1)
        usage("Command must include exactly one action: --generate, --execute, --verify, --cancel, or --list");
    if (!reaches_cluster(*p.one("bootstrap-server"), s)) {
        out_ << "# no broker of this cluster listens on " << *p.one("bootstrap-server") << "\n";
        return;
    }
    if (p.has("list")) {
        kafka::AdminOperation op;
        op.kind = kafka::AdminOperation::Kind::list_reassignments;
        auto results = call({op});
        if (results.empty() || !results[0].done) return void(out_ << "# the scenario ended before the call was answered\n");
        if (results[0].reassignments.empty()) {
            out_ << "No partition reassignments found.\n";
            return;
        }
        out_ << "Current partition reassignments:\n";
        for (const auto& r : results[0].reassignments)
            out_ << partition_text(r.tp) << ": replicas: " << join_ids(r.replicas) << ". adding: " << join_ids(r.adding)
                 << ". removing: " << join_ids(r.removing) << ".\n";
        return;
    }
    const auto file = p.one("reassignment-json-file");
    if (!file) usage("Missing required argument \"[reassignment-json-file]\"");
    json j = read_json_argument(*file, "reassignment-json-file");
    if (!j.is_object() || !j.contains("partitions") || !j["partitions"].is_array())
        usage("The reassignment JSON needs {\"version\":1,\"partitions\":[{\"topic\":\"t\",\"partition\":0,\"replicas\":[1,2]}]}");
    std::vector<std::pair<kafka::TopicPartitionName, std::vector<int32_t>>> plan;
    for (const auto& e : j["partitions"]) {
        if (!e.is_object() || !e.contains("topic") || !e["topic"].is_string() || !e.contains("partition") ||
            !e["partition"].is_number_integer() || !e.contains("replicas") || !e["replicas"].is_array())
            usage("Each partition needs \"topic\", \"partition\" and \"replicas\": " + e.dump());
        std::vector<int32_t> replicas;
        for (const auto& r : e["replicas"]) {
            if (!r.is_number_integer()) usage("Replicas are broker ids: " + e.dump());
            replicas.push_back(r.get<int32_t>());
        }
        plan.push_back({{e["topic"].get<std::string>(), e["partition"].get<int32_t>()}, replicas});
    }
    const kafka::MetadataImage* image = session_.run().cluster().metadata();
    auto current = [&](const kafka::TopicPartitionName& tp) -> std::vector<int32_t> {
        const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(tp.topic);
        const kafka::PartitionState* ps = t == nullptr ? nullptr : t->partition(tp.partition);
        if (ps == nullptr) return {};
        std::vector<int32_t> r = ps->replicas;
        std::erase_if(r, [&](int32_t b) { return kafka::contains(ps->adding_replicas, b); });
        return r;
    };
    if (p.has("execute") || p.has("cancel")) {
        kafka::AdminOperation list;
        list.kind = kafka::AdminOperation::Kind::list_reassignments;
        if (p.has("execute")) {
            auto ongoing = call({list});
            if (!ongoing.empty() && !ongoing[0].reassignments.empty() && !p.has("additional")) {
                out_ << "Error: Cannot execute because there is an existing partition assignment.  Use --additional to "
                        "override this and create a new partition assignment in addition to the existing one. The "
                        "--additional flag can also be used to change the throttle by resubmitting the current "
                        "reassignment.\n";
                return;
            }
            json cur = {{"version", 1}, {"partitions", json::array()}};
            for (const auto& [tp, replicas] : plan) {
                std::vector<int32_t> r = current(tp);
                cur["partitions"].push_back({{"topic", tp.topic}, {"partition", tp.partition}, {"replicas", r},
                                             {"log_dirs", std::vector<std::string>(r.size(), "any")}});
            }
            out_ << "Current partition replica assignment\n\n" << cur.dump()
                 << "\n\nSave this to use as the --reassignment-json-file option during rollback\n";
            if (p.has("throttle"))
                out_ << "Warning: You must run --verify periodically, until the reassignment completes, to ensure the "
                        "throttle is removed.\n";
        }
        kafka::AdminOperation op;
        op.kind = kafka::AdminOperation::Kind::reassign;
        for (const auto& [tp, replicas] : plan) {
            kafka::AlterPartitionReassignmentsRequest::Partition part;
            part.tp = tp;
            if (p.has("execute")) part.replicas = std::vector<kafka::BrokerId>(replicas.begin(), replicas.end());
            op.reassignments.push_back(part);
        }
        auto results = call({op});
        if (results.empty() || !results[0].done) return void(out_ << "# the scenario ended before the call was answered\n");
        std::vector<std::string> ok, failed;
        for (const auto& o : results[0].outcomes) {
            if (o.error == kafka::Error::none) ok.push_back(o.resource);
            else failed.push_back(o.resource + ": " + exception_text(o));
        }
        if (!failed.empty()) {
            out_ << "Error reassigning partition(s):\n" << join(failed, "\n") << "\n";
            return;
        }
        out_ << (p.has("execute") ? "Successfully started partition reassignment" : "Successfully cancelled partition reassignment")
             << (ok.size() == 1 ? "" : "s") << " for " << join(ok, ",") << "\n";
        return;
    }
    // --verify
    kafka::AdminOperation list;
    list.kind = kafka::AdminOperation::Kind::list_reassignments;
    auto ongoing = call({list});
    if (ongoing.empty() || !ongoing[0].done) return void(out_ << "# the scenario ended before the call was answered\n");
    image = session_.run().cluster().metadata();
    out_ << "Status of partition reassignment:\n";
    bool any_running = false;
    std::set<std::string> topics_seen;
    for (const auto& entry : plan) {
        const kafka::TopicPartitionName& tp = entry.first;
        const std::vector<int32_t>& replicas = entry.second;
        topics_seen.insert(tp.topic);
        const bool running = std::any_of(ongoing[0].reassignments.begin(), ongoing[0].reassignments.end(),
                                         [&](const auto& r) { return r.tp == tp; });
        any_running = any_running || running;
        const std::vector<int32_t> now = current(tp);
        if (running) out_ << "Reassignment of partition " << partition_text(tp) << " is still in progress.\n";
        else if (now == replicas) out_ << "Reassignment of partition " << partition_text(tp) << " is completed.\n";
        else
            out_ << "There is no active reassignment of partition " << partition_text(tp) << ", but replica set is "
                 << join_ids(now) << " rather than " << join_ids(replicas) << ".\n";
    }
    if (!any_running && !p.has("preserve-throttles")) {
        std::vector<int32_t> brokers;
        for (int32_t id = 1; id <= s.kafka.brokers; ++id) brokers.push_back(id);
        out_ << "\nClearing broker-level throttles on brokers " << join_ids(brokers) << "\n"
             << "Clearing topic-level throttles on topic" << (topics_seen.size() == 1 ? " " : "s ")
             << join(std::vector<std::string>(topics_seen.begin(), topics_seen.end()), ",") << "\n";
    }
}

// ------------------------------------------------------------------------------ views

void KafkaTools::get_offsets(const Words& words) {
    const std::vector<Option> options = {
        {"bootstrap-server", true, "REQUIRED. The server(s) to connect to in the form HOST1:PORT1,HOST2:PORT2."},
        {"topic", true, "The topic to get the offsets for. It also accepts a regular expression."},
        {"time", true, "timestamp of the offsets before that: -1 or latest, -2 or earliest (default: -1)"},
        {"partitions", true, "Comma separated list of partition ids."},
        {"help", false, "Print usage information."},
    };
    const Parsed p = parse(words, options);
    if (p.has("help") || !p.has("bootstrap-server"))
        throw ToolUsage{"Missing required argument \"[bootstrap-server]\"\n" + usage_table(options)};
    const std::string time = p.one("time").value_or("-1");
    const bool earliest = time == "-2" || time == "earliest";
    if (!earliest && time != "-1" && time != "latest")
        throw ToolUsage{"Only -1 (latest) and -2 (earliest) are modelled for --time, got " + time + "\n" + usage_table(options)};
    std::vector<std::string> only;
    if (auto t = p.one("topic")) only.push_back(*t);
    std::vector<reports::TopicView> views =
        reports::gather_topic_views(session_.run().cluster(), session_.scenario(), session_.run().seed(), only);
    scenarios::ClusterModel& cluster = session_.run().cluster();
    for (const auto& v : views) {
        for (const auto& pv : v.partitions) {
            if (pv.leader < 0 || !pv.earliest_offset) continue;  // no leader: the tool logs an error on stderr
            int64_t offset = *pv.earliest_offset;
            if (!earliest) {
                const kafka::MetadataImage* image = cluster.metadata();
                const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(v.name);
                kafka::BrokerNode* leader = cluster.broker(pv.leader);
                const kafka::Partition* part =
                    leader == nullptr || t == nullptr ? nullptr
                                                      : leader->partition(kafka::TopicPartition{t->id, pv.partition});
                if (part == nullptr) continue;
                offset = part->high_watermark();
            }
            out_ << v.name << ":" << pv.partition << ":" << offset << "\n";
        }
    }
}

void KafkaTools::consumer_groups(const Words& words) {
    const std::vector<Option> options = {
        {"bootstrap-server", true, "REQUIRED: The server(s) to connect to."},
        {"list", false, "List all consumer groups."},
        {"describe", false, "Describe consumer group and list offset lag (number of messages not yet processed) related to given group."},
        {"group", true, "The consumer group we wish to act on."},
        {"help", false, "Print usage information."},
    };
    const Parsed p = parse(words, options);
    auto usage = [&](const std::string& m) { usage_error(options, m); };
    if (p.has("help")) usage("This tool helps to list all consumer groups, describe a consumer group.");
    if (!p.has("bootstrap-server")) usage("Missing required argument \"[bootstrap-server]\"");
    if (p.has("list") == p.has("describe")) usage("Command must include exactly one action: --list, --describe");
    scenarios::ClusterModel& cluster = session_.run().cluster();
    std::set<std::string> names;
    for (const auto& c : cluster.clients())
        if (!c.group.empty()) names.insert(c.group);
    if (p.has("list")) {
        for (const std::string& g : names)
            if (cluster.coordinator_group(g) != nullptr) out_ << g << "\n";
        return;
    }
    const auto group = p.one("group");
    if (!group) usage("Option [describe] takes one of these options: [group]");
    std::optional<reports::GroupView> view = reports::gather_group_view(cluster, *group);
    if (!view || cluster.coordinator_group(*group) == nullptr) {
        out_ << "\nConsumer group '" << *group << "' does not exist.\n";
        return;
    }
    out_ << reports::format_consumer_group_describe(*view);
}

void KafkaTools::metadata_quorum(const Words& words) {
    const std::vector<Option> options = {
        {"bootstrap-server", true, "A comma-separated list of host:port pairs to use for establishing the connection to the Kafka cluster."},
        {"bootstrap-controller", true, "A comma-separated list of host:port pairs to use for establishing the connection to the KRaft quorum."},
        {"status", false, "A short summary of the quorum status and the other provides information about the current replication state."},
        {"replication", false, "The replication state of the quorum."},
        {"help", false, "Print usage information."},
    };
    const Parsed p = parse(words, options);
    if (p.has("help") || p.non_options.empty() || p.non_options[0] != "describe" || !p.has("status"))
        throw ToolUsage{"usage: kafka-metadata-quorum [-h] --bootstrap-server BOOTSTRAP_SERVER {describe} --status\n"};
    if (session_.scenario().kafka.metadata != scenarios::MetadataMode::kraft) {
        out_ << "org.apache.kafka.common.errors.UnsupportedVersionException: The node does not support DESCRIBE_QUORUM\n";
        return;
    }
    out_ << reports::format_metadata_quorum_status(
        reports::gather_quorum_view(session_.run().cluster(), session_.run().seed()), session_.release());
}

}  // namespace cli
