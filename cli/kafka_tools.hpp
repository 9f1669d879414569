// Kafka's command-line tools, typed verbatim in `kafkasim shell` (the quickstart as the Kafka
// documentation has it: `bin/kafka-topics.sh --create --topic quickstart-events
// --bootstrap-server localhost:9092`, then the console producer and consumer):
//
//   kafka-topics.sh            --create / --list / --describe / --delete / --alter --partitions
//   kafka-console-producer.sh  the lines that follow are the records, up to an empty line or "."
//   kafka-console-consumer.sh  --from-beginning, --group, --property print.key=true ..., --max-messages
//   kafka-configs.sh           --alter --add-config / --delete-config, --describe (topics)
//   kafka-leader-election.sh   --election-type PREFERRED|UNCLEAN
//   kafka-delete-records.sh    --offset-json-file
//   kafka-reassign-partitions.sh --execute / --verify / --list / --cancel
//   kafka-get-offsets.sh, kafka-consumer-groups.sh --list / --describe, kafka-metadata-quorum.sh describe --status
//
// Each tool parses its options as Kafka's (joptsimple: `--opt value` or `--opt=value`; an
// unknown option or a missing required one prints the error and the tool's usage), checks
// --bootstrap-server (or the old --broker-list / --zookeeper where that release had them)
// against the scenario's brokers, makes its calls through a client of its own over the
// simulated network (an admin client, a console producer, a console consumer), lets the
// virtual clock run until the call is answered (the tool blocks, as Kafka's does; the
// narration is held back so the output is the tool's), and prints what Kafka's tool prints.
// Every call is also remembered with its virtual time, so `save` can write the session as a
// scenario.
#pragma once
#include <functional>
#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

#include "reports/kafka_views.hpp"
#include "scenarios/runner.hpp"

namespace cli {

// What the tools need of the shell session.
class ToolSession {
public:
    virtual ~ToolSession() = default;
    virtual scenarios::ScenarioRun& run() = 0;
    virtual const scenarios::Scenario& scenario() const = 0;
    virtual reports::KafkaRelease release() const = 0;
    // Moves the clock, without narrating, until done() holds or `limit` has passed. False
    // when the scenario's end came first.
    virtual bool wait_until(const std::function<bool()>& done, sim::Duration limit) = 0;
    // A node name not used yet: stem, stem-2, ...
    virtual std::string fresh_name(const std::string& stem) = 0;
};

// "kafka-topics" for "kafka-topics.sh", "bin/kafka-topics.sh", "./bin/kafka-topics.sh" or
// "kafka-topics" (Confluent's name); nullopt when the word names no tool of this list.
std::optional<std::string> kafka_tool_name(const std::string& word);
const std::vector<std::string>& kafka_tool_names();

// A command line split as a POSIX shell would: whitespace separates words, '...' and "..."
// quote (so inline JSON can be typed in single quotes), a backslash escapes in and out of
// double quotes. nullopt: an unterminated quote.
std::optional<std::vector<std::string>> split_command_line(const std::string& line);

class KafkaTools {
public:
    KafkaTools(ToolSession& session, std::ostream& out);

    // Runs one tool; words[0] names it. Never throws for bad input: prints as the tool does.
    void run(const std::vector<std::string>& words);
    // kafka-console-producer.sh takes the lines after it as records until an empty line or ".".
    bool reading_lines() const { return producer_.has_value(); }
    void line(const std::string& text);

    // What the session did through the tools, in order, for `save`.
    struct Done {
        sim::Time at;
        kafka::AdminOperation op;
    };
    const std::vector<Done>& admin_calls() const { return admin_calls_; }

private:
    struct PendingProducer;
    // admin calls
    std::vector<kafka::AdminCallResult> call(std::vector<kafka::AdminOperation> ops);
    void topics(const std::vector<std::string>& words);
    void console_producer(const std::vector<std::string>& words);
    void finish_producer();
    void console_consumer(const std::vector<std::string>& words);
    void configs(const std::vector<std::string>& words);
    void leader_election(const std::vector<std::string>& words);
    void delete_records(const std::vector<std::string>& words);
    void reassign(const std::vector<std::string>& words);
    void get_offsets(const std::vector<std::string>& words);
    void consumer_groups(const std::vector<std::string>& words);
    void metadata_quorum(const std::vector<std::string>& words);

    ToolSession& session_;
    std::ostream& out_;
    struct PendingProducer {
        std::string topic;
        kafka::ProducerConfig config;
        bool parse_key = false;
        std::string key_separator = "\t";
        bool ignore_error = false;
        std::optional<std::string> null_marker;
        std::vector<kafka::ConsoleProducer::Line> lines;
        int64_t line_number = 0;
    };
    std::optional<PendingProducer> producer_;
    std::vector<Done> admin_calls_;
};

}  // namespace cli
