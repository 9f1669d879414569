#include "cli/shell_command.hpp"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "broker/errors.hpp"
#include "cli/commands.hpp"
#include "cli/describe_command.hpp"
#include "cli/kafka_tools.hpp"
#include "cli/line_editor.hpp"
#include "clients/consumer_client.hpp"
#include "clients/producer_client.hpp"
#include "reports/cluster_views.hpp"
#include "reports/narrator.hpp"
#include "scenarios/faults/fault_kind.hpp"
#include "scenarios/printable.hpp"
#include "reports/replica_log_view.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/world.hpp"

namespace cli {

namespace {

using Words = std::vector<std::string>;

// A learner's mistake: one line is printed and the session goes on.
struct Mistake : std::runtime_error {
    using std::runtime_error::runtime_error;
};

constexpr int64_t max_records_per_produce = 1000000;
constexpr size_t max_lines_per_consume = 40;
constexpr int64_t max_ack_lines_per_report = 5;
constexpr size_t default_log_rows = 20;

Words split_words(const std::string& line) {
    std::istringstream in(line);
    Words words;
    for (std::string w; in >> w;) words.push_back(w);
    return words;
}

std::string joined(const Words& words, size_t from = 0, const std::string& separator = " ") {
    std::string out;
    for (size_t i = from; i < words.size(); ++i) out += (i > from ? separator : "") + words[i];
    return out;
}

std::string did_you_mean(const std::string& word, const std::vector<std::string>& candidates) {
    std::string near = scenarios::closest_name(word, candidates);
    return near.empty() ? "" : " (did you mean '" + near + "'?)";
}

bool all_digits(const std::string& s) {
    return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// A duration as scenario files write them. A bare number is refused: in a file it means
// milliseconds, which is not what someone typing `advance 5` has in mind.
sim::Duration parse_duration_word(const std::string& what, const std::string& text) {
    if (all_digits(text))
        throw Mistake(what + ": '" + text + "' has no unit (did you mean '" + text +
                      "s'?); durations are written as in scenario files: 500us, 250ms, 5s, 1.5m, 1h");
    std::optional<sim::Duration> d = scenarios::parse_duration(std::string_view(text));
    if (!d)
        throw Mistake(what + ": expected a duration like 5s, 250ms or 1.5m (units: us, ms, s, m, h), got '" + text +
                      "'");
    return *d;
}

int64_t parse_number(const std::string& what, const std::string& text, int64_t min, int64_t max) {
    if (!all_digits(text) || text.size() > 9 || std::stoll(text) < min || std::stoll(text) > max)
        throw Mistake(what + ": expected a whole number from " + std::to_string(min) + " to " + std::to_string(max) +
                      ", got '" + text + "'");
    return std::stoll(text);
}

int64_t parse_count(const std::string& what, const std::string& text, int64_t max) {
    return parse_number(what, text, 1, max);
}

std::string range_text(int64_t first, int64_t count) {
    return count == 1 ? std::to_string(first) : std::to_string(first) + "-" + std::to_string(first + count - 1);
}

std::string plural(int64_t n, const std::string& word, const std::string& words = "") {
    return std::to_string(n) + " " + (n == 1 ? word : words.empty() ? word + "s" : words);
}

// ---- Faults typed as commands ----------------------------------------------------------------

// The words that name a fault's fields, as a scenario file's fault objects do (the fault
// registry's fields, and "for").
const std::vector<std::string>& fault_field_words() {
    static const std::vector<std::string> words = [] {
        std::vector<std::string> out;
        for (const scenarios::FaultFieldInfo& f : scenarios::fault_fields())
            if (f.type != scenarios::FaultFieldType::groups) out.emplace_back(f.name);
        out.emplace_back("for");
        return out;
    }();
    return words;
}
// `broker 2` is `broker:2`, `leader orders/0` is `leader:orders/0`.
const std::vector<std::string> target_kinds = {"broker", "controller",  "zookeeper", "leader",
                                               "quorum", "coordinator", "producer",  "consumer"};

bool contains(const std::vector<std::string>& names, const std::string& name) {
    return std::find(names.begin(), names.end(), name) != names.end();
}

// A list of targets as a fault field holds it: a string for one, a list for more.
nlohmann::ordered_json targets_value(const Words& targets) {
    if (targets.size() == 1) return targets.front();
    return nlohmann::ordered_json(targets);
}

// A fault command as the object a scenario's "faults" list holds:
//   crash broker 2 for 10s           {"at": "0s", "action": "crash", "target": "broker:2", "for": "10s"}
//   partition broker:1 | *           {..., "action": "partition", "groups": [["broker:1"], ["*"]]}
//   cut broker:1 -> broker:2         {..., "action": "cut", "from": "broker:1", "to": "broker:2"}
//   latency broker:3 add 200ms       {..., "action": "latency", "target": "broker:3", "add": "200ms"}
// Only the shape is read here; the scenario loader checks the object as it checks a file.
nlohmann::ordered_json fault_object(const std::string& action, const std::string& arguments) {
    std::string spaced;
    for (size_t i = 0; i < arguments.size(); ++i) {
        if (arguments.compare(i, 2, "->") == 0) {
            spaced += " -> ";
            ++i;
        } else if (arguments[i] == '|') {
            spaced += " | ";
        } else {
            spaced += arguments[i] == ',' ? ' ' : arguments[i];
        }
    }
    Words raw = split_words(spaced), words;
    for (size_t i = 0; i < raw.size(); ++i) {
        const bool pair = contains(target_kinds, raw[i]) && i + 1 < raw.size() && !contains(fault_field_words(), raw[i + 1]) &&
                          raw[i + 1] != "|" && raw[i + 1] != "->";
        words.push_back(pair ? raw[i] + ":" + raw[i + 1] : raw[i]);
        if (pair) ++i;
    }

    nlohmann::ordered_json fault;
    fault["at"] = "0s";
    fault["action"] = action;
    size_t i = 0;
    Words operand_words;  // the words before the first field name: what the fault applies to
    while (i < words.size() && !contains(fault_field_words(), words[i])) operand_words.push_back(words[i++]);
    // `crash brokr 1`: a misspelt kind of target.
    if (!operand_words.empty()) {
        const std::string& w = operand_words.front();
        const bool plain = w.find(':') == std::string::npos && w != "|" && w != "->" && w != "*";
        if (plain && !contains(target_kinds, w))
            if (std::string near = scenarios::closest_name(w, target_kinds); !near.empty())
                throw Mistake(action + ": unknown target '" + w + "' (did you mean '" + near + "'?)");
    }
    // `latency broker:3 ad 200ms`: a misspelt field name reads as a target; say what it is.
    std::string read_so_far = operand_words.empty() ? "" : operand_words.front();
    for (size_t k = 1; k < operand_words.size(); read_so_far += " " + operand_words[k++]) {
        const std::string& w = operand_words[k];
        if (w.find(':') != std::string::npos || w == "|" || w == "->" || w == "*") continue;
        if (std::string near = scenarios::closest_name(w, fault_field_words()); !near.empty())
            throw Mistake(action + ": unexpected '" + w + "' after '" + read_so_far + "' (did you mean '" + near +
                          "'?)");
    }
    const scenarios::FaultKind* kind = scenarios::find_fault_kind(action);
    const scenarios::FaultOperand operand = kind ? kind->operand : scenarios::FaultOperand::targets;
    if (operand == scenarios::FaultOperand::groups) {
        nlohmann::ordered_json groups = nlohmann::ordered_json::array();
        Words group;
        for (const auto& w : operand_words) {
            if (w == "|") {
                groups.push_back(group);
                group.clear();
            } else {
                group.push_back(w);
            }
        }
        if (!operand_words.empty()) groups.push_back(group);
        if (!groups.empty()) fault["groups"] = groups;
    } else if (operand == scenarios::FaultOperand::from_to && !operand_words.empty()) {
        auto arrow = std::find(operand_words.begin(), operand_words.end(), "->");
        if (arrow == operand_words.end())
            throw Mistake(action + ": expected FROM -> TO, like `" + action +
                          " broker:1 -> broker:2` (one way: what broker:1 sends to broker:2 is lost)");
        fault["from"] = targets_value(Words(operand_words.begin(), arrow));
        fault["to"] = targets_value(Words(arrow + 1, operand_words.end()));
    } else if (operand == scenarios::FaultOperand::none && !operand_words.empty()) {
        throw Mistake(action + " takes no target (" + std::string(kind->shell_help) + ")");
    } else if (!operand_words.empty()) {
        fault["target"] = targets_value(operand_words);
    }
    while (i < words.size()) {
        const std::string field = words[i++];
        Words values;
        while (i < words.size() && !contains(fault_field_words(), words[i])) values.push_back(words[i++]);
        const scenarios::FaultFieldInfo* info = scenarios::find_fault_field(field);
        const scenarios::FaultFieldType type = info ? info->type : scenarios::FaultFieldType::duration;  // "for"
        if (type == scenarios::FaultFieldType::names) {
            if (values.empty()) throw Mistake(action + ": '" + field + "' needs a name, like `" + field + " EndTxn`");
            fault[field] = nlohmann::ordered_json(values);
            continue;
        }
        if (type == scenarios::FaultFieldType::targets || type == scenarios::FaultFieldType::target_pair) {
            if (values.empty())
                throw Mistake(action + ": '" + field + "' needs a target, like `" + field + " broker:1`");
            fault[field] = type == scenarios::FaultFieldType::target_pair ? nlohmann::ordered_json(values)
                                                                          : targets_value(values);
            continue;
        }
        if (values.empty())
            throw Mistake(action + ": '" + field + "' needs a value, like `" + field +
                          (type == scenarios::FaultFieldType::duration ? " 10s`" : " 0.1`"));
        if (values.size() > 1)
            throw Mistake(action + ": unexpected '" + values[1] + "' after '" + field + " " + values[0] + "'" +
                          did_you_mean(values[1], fault_field_words()));
        if (type == scenarios::FaultFieldType::duration) {
            parse_duration_word(action + ": " + field, values[0]);  // the shell's own message for `for 10`
            fault[field] = values[0];
        } else {
            char* end = nullptr;
            double p = std::strtod(values[0].c_str(), &end);
            fault[field] =
                end != nullptr && *end == '\0' ? nlohmann::ordered_json(p) : nlohmann::ordered_json(values[0]);
        }
    }
    return fault;
}

std::string fault_error(const scenarios::LoadError& e) {
    std::string out = e.path.empty() ? "" : scenarios::printable(e.path.substr(1), 200) + ": ";
    out += e.message;
    if (!e.suggestion.empty()) out += " (did you mean \"" + scenarios::printable(e.suggestion) + "\"?)";
    return out;
}

// What happened while a command ran: a model event or a fault record.
using Happening = std::variant<kafka::TraceEntry, scenarios::FaultRecord>;

// A happening as narration tells it; nullopt for what narration leaves out.
std::optional<std::string> story_line(const Happening& h, const kafka::Trace& trace) {
    if (const auto* f = std::get_if<scenarios::FaultRecord>(&h)) return reports::narrate(*f);
    return reports::narrate(std::get<kafka::TraceEntry>(h), trace);
}

// A happening in full, for `step`, which shows even what narration leaves out.
std::string trace_line(const Happening& h, const kafka::Trace& trace) {
    if (auto story = story_line(h, trace)) return *story;
    const auto& ev = std::get<kafka::TraceEntry>(h);
    std::string line = "t=" + sim::format_time(ev.time) + " ";
    std::string who = ev.node == sim::no_node ? "harness" : trace.node_name(ev.node);
    who.resize(std::max<size_t>(who.size(), 16), ' ');
    return line + who + " (" + kafka::event_text(ev.event) + ")";
}

// ---- The session ----------------------------------------------------------------------------

class Shell : private ToolSession {
public:
    Shell(const scenarios::Scenario& scenario, std::optional<uint64_t> seed, std::ostream& out);

    void banner();
    std::string consumers_text() const;
    std::string prompt() const { return "kafkasim t=" + sim::format_time(run_->now()) + "> "; }
    // Runs one command line; false when the session is over.
    bool execute(const std::string& line);
    std::vector<std::string> command_names() const;

private:
    enum class Section { time, faults, clients, kafka_tools, views, session };
    struct Command {
        const char* name;
        Section section;
        const char* arguments;
        const char* summary;
        void (Shell::*run)(const Words&);
    };
    static const std::vector<Command>& commands();
    const Command* find_command(const std::string& name) const;

    // time
    void advance(const Words& w);
    void step(const Words& w);
    void now(const Words& w);
    // faults
    void fault(const Words& w);
    void faults(const Words& w);
    // clients
    void produce(const Words& w);
    void consume(const Words& w);
    // views
    void topics(const Words& w);
    void groups(const Words& w);
    void group(const Words& w);
    void quorum(const Words& w);
    void transactions(const Words& w);
    void log(const Words& w);
    // Kafka's own tools, typed as in the Kafka documentation
    void kafka_tool(const Words& w);
    // ToolSession
    scenarios::ScenarioRun& run() override { return *run_; }
    const scenarios::Scenario& scenario() const override { return scenario_; }
    reports::KafkaRelease release() const override { return release_; }
    bool wait_until(const std::function<bool()>& done, sim::Duration limit) override;
    std::string fresh_name(const std::string& stem) override { return unique_node_name(stem, "", true); }
    // session
    void narrate(const Words& w);
    // What the story says of a happening (the narrator hears every one, told or not).
    std::vector<std::string> tell(const Happening& h, const kafka::Trace& trace);
    void help(const Words& w);
    void quit(const Words&) {}  // never run: execute() ends the session when it sees it

    void on_happening(Happening h, const kafka::Trace& trace);
    // What the hand clients did while the clock moved.
    void report_clients();
    const std::string& require_topic(const std::string& name) const;
    std::vector<std::string> group_names() const;
    std::string partition_label(kafka::TopicPartition tp);
    std::string producer_label(uint32_t client) const;
    std::string unique_node_name(const std::string& stem, const std::string& suffix, bool numbered) const;
    sim::Time end() const { return run_->end(); }

    scenarios::Scenario scenario_;
    // The scenario as faults are checked against: the hand clients are added to it, so that
    // `crash producer:shell-1` is as valid as naming one of the file's producers.
    scenarios::Scenario fault_scope_;
    std::ostream& out_;
    reports::KafkaRelease release_;
    std::unique_ptr<scenarios::ScenarioRun> run_;
    // Hears every happening, told or not, so that what it says later follows from all of them.
    reports::Narrator narrator_{scenario_};
    bool narrating_ = true;
    std::vector<Happening>* capture_ = nullptr;  // set while a command collects what happens itself
    size_t faults_fired_ = 0;

    struct HandProducer {
        scenarios::ClientNode client;
        std::string topic;
        int64_t records = 0;
        bool done_reported = false;
        int64_t acks_reported = 0;  // lines printed in the current report
    };
    struct HandConsumer {
        scenarios::ClientNode client;
        size_t polls_shown = 0;        // of this consumer's polls, how many `consume` printed
        int64_t records_reported = 0;  // records counted in report_clients
    };
    std::vector<HandProducer> producers_;
    std::map<std::string, HandConsumer> consumers_;  // by topic
    size_t acks_seen_ = 0, errors_seen_ = 0, polls_seen_ = 0;
    KafkaTools tools_{*this, out_};
    std::string tool_line_;  // the tool command line as typed (quotes kept), for kafka_tool
};

const std::vector<Shell::Command>& Shell::commands() {
    using S = Section;
    // clang-format off
    static const std::vector<Command> table = [] {
    std::vector<Command> t = {
        {"advance", S::time, "DURATION | to TIME", "run the cluster for DURATION (5s, 250ms, 1.5m) or up to TIME", &Shell::advance},
        {"step", S::time, "[N]", "process the next event (or N) and show what it recorded", &Shell::step},
        {"now", S::time, "", "the virtual time, and what the scenario still has scheduled", &Shell::now},
    };
    // Every fault kind is a command, with the syntax its descriptor gives (scenarios/faults/).
    for (const scenarios::FaultKind* k : scenarios::fault_kinds())
        t.push_back({k->name.data(), S::faults, k->shell_usage.data(), k->shell_help.data(), &Shell::fault});
    std::vector<Command> rest = {
        {"faults", S::faults, "", "the faults so far (scripted and by hand) and those still to come", &Shell::faults},

        {"produce", S::clients, "TOPIC N [acks=all|1|0] [keys=K]", "send N records now; acknowledgements show as the clock moves", &Shell::produce},
        {"consume", S::clients, "TOPIC [from-beginning]", "what the shell's consumer read since last time (it starts at the log start)", &Shell::consume},

        {"kafka-topics.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --create|--list|--describe|--delete|--alter ...", "create, list, describe, delete a topic or add partitions", &Shell::kafka_tool},
        {"kafka-console-producer.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --topic T [--property parse.key=true ...]", "the lines that follow are records, up to an empty line or '.'", &Shell::kafka_tool},
        {"kafka-console-consumer.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --topic T [--from-beginning] [--group G] [--max-messages N]", "print records (stops when caught up, or at --max-messages / --timeout-ms)", &Shell::kafka_tool},
        {"kafka-configs.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --alter --entity-type topics --entity-name T --add-config k=v", "change (or --describe) a topic's configs", &Shell::kafka_tool},
        {"kafka-leader-election.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --election-type PREFERRED|UNCLEAN --topic T --partition P", "elect leaders", &Shell::kafka_tool},
        {"kafka-delete-records.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --offset-json-file FILE|'{...}'", "raise partitions' log start offsets", &Shell::kafka_tool},
        {"kafka-reassign-partitions.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --reassignment-json-file FILE|'{...}' --execute|--verify|--cancel, or --list", "move replicas (KIP-455)", &Shell::kafka_tool},
        {"kafka-get-offsets.sh", S::kafka_tools, "--bootstrap-server localhost:9092 [--topic T] [--time -1|-2]", "latest (or earliest) offsets", &Shell::kafka_tool},
        {"kafka-consumer-groups.sh", S::kafka_tools, "--bootstrap-server localhost:9092 --list | --describe --group G", "consumer groups", &Shell::kafka_tool},
        {"kafka-metadata-quorum.sh", S::kafka_tools, "--bootstrap-server localhost:9092 describe --status", "the KRaft quorum", &Shell::kafka_tool},

        {"topics", S::views, "[TOPIC]", "kafka-topics.sh --describe", &Shell::topics},
        {"groups", S::views, "", "kafka-consumer-groups.sh --describe, every group", &Shell::groups},
        {"group", S::views, "GROUP", "kafka-consumer-groups.sh --describe --group GROUP", &Shell::group},
        {"quorum", S::views, "", "kafka-metadata-quorum.sh describe --status (ZooKeeper mode: the ensemble)", &Shell::quorum},
        {"transactions", S::views, "[TRANSACTIONAL-ID]", "kafka-transactions.sh list (or describe --transactional-id ID) and find-hanging", &Shell::transactions},
        {"log", S::views, "TOPIC/PARTITION [all|ROWS|from OFFSET]", "every replica's log side by side, with its high watermark and end", &Shell::log},

        {"narrate", S::session, "on|off", "tell what happens as the clock moves (on at the start)", &Shell::narrate},
        {"help", S::session, "[COMMAND]", "this list, or one command", &Shell::help},
        {"quit", S::session, "", "end the session (also exit, or Ctrl-D)", &Shell::quit},
        {"exit", S::session, "", "end the session", &Shell::quit},
    };
    t.insert(t.end(), rest.begin(), rest.end());
    return t;
    }();
    // clang-format on
    return table;
}

Shell::Shell(const scenarios::Scenario& scenario, std::optional<uint64_t> seed, std::ostream& out)
    : scenario_(scenario), fault_scope_(scenario), out_(out), release_(reports::tools_release(scenario)) {
    scenarios::RunOptions options;
    options.seed = seed;
    options.on_trace = [this](const kafka::TraceEntry& ev, const kafka::Trace& trace) { on_happening(ev, trace); };
    options.on_fault = [this](const scenarios::FaultRecord& f, const kafka::Trace& trace) { on_happening(f, trace); };
    run_ = std::make_unique<scenarios::ScenarioRun>(scenario_, options);
    narrator_.read_members(&run_->data().members);
}

std::vector<std::string> Shell::tell(const Happening& h, const kafka::Trace& trace) {
    if (const auto* f = std::get_if<scenarios::FaultRecord>(&h)) return narrator_.fault(*f);
    return narrator_.event(std::get<kafka::TraceEntry>(h), trace);
}

void Shell::on_happening(Happening h, const kafka::Trace& trace) {
    if (capture_ != nullptr) {
        capture_->push_back(std::move(h));
    } else {
        std::vector<std::string> lines = tell(h, trace);
        if (narrating_)
            for (const auto& line : lines) out_ << line << "\n";
    }
}

// Collects the trace events recorded while it lives, instead of narrating them.
class Capture {
public:
    explicit Capture(std::vector<Happening>*& slot) : slot_(slot) { slot_ = &events; }
    ~Capture() { slot_ = nullptr; }
    Capture(const Capture&) = delete;
    Capture& operator=(const Capture&) = delete;
    std::vector<Happening> events;

private:
    std::vector<Happening>*& slot_;
};

std::vector<std::string> Shell::command_names() const {
    std::vector<std::string> names;
    for (const auto& c : commands()) names.push_back(c.name);
    return names;
}

const Shell::Command* Shell::find_command(const std::string& name) const {
    for (const auto& c : commands())
        if (name == c.name) return &c;
    return nullptr;
}

void Shell::banner() {
    const auto& k = scenario_.kafka;
    const bool kraft = k.metadata == scenarios::MetadataMode::kraft;
    out_ << "kafkasim shell: " << scenario_.name << " (seed " << run_->seed() << "), Kafka " << k.version << ", "
         << (kraft ? "KRaft" : "ZooKeeper mode") << ", " << plural(k.brokers, "broker") << ", "
         << (kraft ? plural(k.controllers, "controller") : plural(k.zookeeper, "ZooKeeper server")) << "; "
         << plural(static_cast<int64_t>(scenario_.topics.size()), "topic") << ", "
         << plural(static_cast<int64_t>(scenario_.producers.size()), "producer") << ", "
         << consumers_text() << ", "
         << plural(static_cast<int64_t>(scenario_.faults.size()), "scripted fault") << "; it runs for "
         << sim::format_duration(scenario_.duration) << ".\n"
         << "The clock stands at t=0 and moves only when asked. `help` lists the commands.\n";
}

// "1 consumer group" / "2 consumer groups and 1 consumer without a group": only what `group` knows.
std::string Shell::consumers_text() const {
    int64_t grouped = 0, ungrouped = 0;
    for (const auto& c : scenario_.consumers) (c.group ? grouped : ungrouped) += 1;
    std::string text = plural(grouped, "consumer group");
    if (ungrouped > 0) text += " and " + plural(ungrouped, "consumer") + " without a group";
    return text;
}

bool Shell::execute(const std::string& line) {
    if (tools_.reading_lines()) {  // kafka-console-producer.sh takes the lines that follow
        tools_.line(line);
        out_.flush();
        return true;
    }
    Words w = split_words(line);
    if (!w.empty() && w.front() == "$") w.erase(w.begin());  // pasted from the Kafka documentation
    if (w.empty() || w.front().front() == '#') return true;
    if (auto tool = kafka_tool_name(w.front())) {
        tool_line_ = line;
        w.front() = *tool + ".sh";
    }
    const Command* command = find_command(w.front());
    if (command == nullptr) {
        out_ << "error: unknown command '" << scenarios::printable(w.front()) << "'"
             << did_you_mean(w.front(), command_names()) << "; `help` lists the commands\n";
        return true;
    }
    if (command->run == &Shell::quit) return false;
    try {
        (this->*command->run)(w);
    } catch (const Mistake& m) {
        // Mistakes quote what was typed: a 70 000-character word or a stray byte is cut and escaped.
        out_ << "error: " << scenarios::printable(m.what(), 1000) << "\n";
    }
    out_.flush();
    return true;
}

// ---- time ----

void Shell::advance(const Words& w) {
    const bool absolute = w.size() > 1 && w[1] == "to";
    const size_t value_at = absolute ? 2 : 1;
    if (w.size() <= value_at)
        throw Mistake(absolute ? "advance to: up to what time? e.g. `advance to 30s`"
                               : "advance: how far? e.g. `advance 5s`, or `advance to 30s`");
    if (w.size() > value_at + 1) throw Mistake("advance: one duration at a time, e.g. `advance 5s`");
    const sim::Duration d = parse_duration_word("advance", w[value_at]);
    const sim::Time now = run_->now();
    if (absolute && sim::time_zero + d < now)
        throw Mistake("advance to " + w[value_at] + ": that is in the past (now t=" + sim::format_time(now) +
                      "); time only moves forward");
    if (now >= end())
        throw Mistake("the scenario is over: it runs for " + sim::format_duration(scenario_.duration) +
                      ", and time does not move past its end (views still work)");
    const sim::Duration to_end = end() - (absolute ? sim::time_zero : now);
    const bool past_end = d > to_end;
    run_->advance_to(past_end ? end() : (absolute ? sim::time_zero : now) + d);
    report_clients();
    out_ << "now t=" << sim::format_time(run_->now());
    if (past_end) out_ << ": the end of the scenario (it runs for " << sim::format_duration(scenario_.duration) << ")";
    out_ << "\n";
}

void Shell::step(const Words& w) {
    if (w.size() > 2) throw Mistake("step: at most one number, e.g. `step` or `step 10`");
    const int64_t n = w.size() == 2 ? parse_count("step", w[1], 100000) : 1;
    const kafka::Trace& trace = run_->cluster().world().trace();
    int64_t done = 0;
    {
        Capture capture(capture_);
        for (; done < n; ++done) {
            const size_t before = capture.events.size();
            if (!run_->step()) break;
            for (size_t i = before; i < capture.events.size(); ++i) {
                out_ << trace_line(capture.events[i], trace) << "\n";
                tell(capture.events[i], trace);  // `step` shows every event as it is; the story goes on
            }
            if (n == 1 && capture.events.size() == before)
                out_ << "t=" << sim::format_time(run_->now())
                     << " one event that recorded nothing in the trace (a message delivered, a timer or a harness "
                        "tick)\n";
        }
    }
    if (done < n) out_ << "nothing more happens before the end of the scenario (t=" << sim::format_time(end()) << ")\n";
    report_clients();
    if (n > 1) out_ << "processed " << plural(done, "event") << "; now t=" << sim::format_time(run_->now()) << "\n";
}

void Shell::now(const Words&) {
    kafka::World& world = run_->cluster().world();
    out_ << "t=" << sim::format_time(run_->now()) << " of " << sim::format_duration(scenario_.duration) << " ("
         << plural(static_cast<int64_t>(world.events_processed()), "event") << " processed";
    if (world.next_event_time() <= end()) out_ << "; the next at t=" << sim::format_time(world.next_event_time());
    out_ << ")\n";
    size_t to_come = 0;
    for (const auto& f : scenario_.faults)
        if (sim::time_zero + f.at > run_->now()) ++to_come;
    if (to_come > 0)
        out_ << plural(static_cast<int64_t>(to_come), "scripted fault") << " still to come: `faults` lists them\n";
}

// ---- faults ----

void Shell::fault(const Words& w) {
    const std::string& action = w.front();
    // A fault becomes a JSON object, and JSON holds text: a word with a byte that is not
    // UTF-8 is refused here, with the byte shown, as a scenario file with one would be.
    for (size_t k = 1; k < w.size(); ++k) {
        const size_t bad = scenarios::first_invalid_utf8(w[k]);
        if (bad != std::string::npos)
            throw Mistake(action + ": '" + scenarios::printable(w[k]) + "' is not UTF-8 text (byte " + std::to_string(bad + 1) +
                          " of the word); targets and values are written as in a scenario file");
    }
    // A scenario file's faults happen before its end; at the end nothing more can happen.
    if (run_->now() >= end())
        throw Mistake("the scenario is over (it runs for " + sim::format_duration(scenario_.duration) +
                      "): a fault now would change nothing");
    nlohmann::ordered_json object = fault_object(action, joined(w, 1));
    scenarios::FaultParseResult parsed =
        scenarios::parse_fault(nlohmann::json::parse(object.dump()), fault_scope_, "shell");
    if (!parsed.fault) throw Mistake(action + ": " + fault_error(parsed.errors.front()));
    scenarios::FaultSpec spec = *parsed.fault;
    spec.index = scenario_.faults.size() + faults_fired_++;  // after the file's own, in the trace and the log
    {
        Capture capture(capture_);
        run_->fire_fault(spec);
        const kafka::Trace& trace = run_->cluster().world().trace();
        for (const Happening& h : capture.events)
            for (const auto& line : tell(h, trace)) out_ << line << "\n";
    }
    object["at"] = sim::format_duration(run_->now() - sim::time_zero);
    out_ << "  in a scenario file: " << object.dump() << "\n";
}

void Shell::faults(const Words&) {
    const std::vector<scenarios::FaultRecord>& log = run_->data().faults;
    std::set<size_t> fired;
    if (log.empty()) out_ << "no fault has fired yet\n";
    for (const auto& r : log) {
        fired.insert(r.index);
        out_ << "t=" << sim::format_time(r.at) << "  " << r.action_text() << " " << r.target_text;
        if (!r.resolved.empty()) out_ << " -> " << joined(r.resolved, 0, ",");
        if (!r.fired) out_ << "  (did not fire: " << r.note << ")";
        out_ << (r.index >= scenario_.faults.size() ? "  [by hand]" : "") << "\n";
    }
    for (const auto& f : scenario_.faults) {
        if (fired.contains(f.index)) continue;
        out_ << "still to come: t=" << sim::format_duration(f.at) << " " << scenarios::to_string(f.action);
        if (!f.targets.empty()) out_ << " " << scenarios::describe_targets(f.targets);
        if (f.for_) out_ << " for " << sim::format_duration(*f.for_);
        out_ << "\n";
    }
}

// ---- clients ----

void Shell::produce(const Words& w) {
    if (w.size() < 3) throw Mistake("produce: which topic, and how many records? e.g. `produce orders 10`");
    const std::string& topic = require_topic(w[1]);
    const int64_t count = parse_count("produce", w[2], max_records_per_produce);
    if (run_->now() >= end()) throw Mistake("the scenario is over: nothing more can be sent");

    // The configuration of the scenario's own producer of the topic, or acks=all.
    const scenarios::ProducerSpec* model = nullptr;
    for (const auto& p : scenario_.producers)
        if (p.topic == topic && model == nullptr) model = &p;
    kafka::ConfigMap overrides;
    if (model != nullptr)
        overrides = model->config;
    else
        overrides["acks"] = int64_t{-1};
    std::string origin = model != nullptr ? "as producer:" + model->id + " is configured" : "the shell's default";
    kafka::WorkloadSpec workload;
    for (size_t i = 3; i < w.size(); ++i) {
        const std::string& option = w[i];
        const auto eq = option.find('=');
        const std::string key = option.substr(0, eq), value = eq == std::string::npos ? "" : option.substr(eq + 1);
        if (key == "acks" && (value == "all" || value == "-1" || value == "1" || value == "0")) {
            overrides["acks"] = int64_t{value == "all" ? -1 : std::stoll(value)};
            origin = "as asked";
        } else if (key == "keys" && all_digits(value)) {
            workload.keys = static_cast<int>(parse_count("produce: keys", value, 1000000));
        } else {
            throw Mistake("produce: unknown option '" + option + "'" + did_you_mean(key, {"acks", "keys"}) +
                          "; options: acks=all|1|0, keys=K (records keyed key-0..key-K-1; without: no keys)");
        }
    }
    const kafka::ProducerConfig config = kafka::ProducerConfig::from(scenario_.kafka.profile, overrides);
    if (auto conflict = kafka::producer_config_conflict(config, overrides)) throw Mistake("produce: " + *conflict);

    // Every record at this instant: the workload's rate puts N records in one microsecond.
    workload.rate_per_s = static_cast<double>(count) * 1e6;
    workload.from = run_->now();
    workload.until = run_->now() + sim::microseconds(1);
    const std::string name = unique_node_name("producer:shell", "", true);
    producers_.push_back({run_->add_producer(name, topic, config, workload), topic, count, false, 0});
    scenarios::ProducerSpec spec;
    spec.id = name.substr(std::string("producer:").size());
    spec.topic = topic;
    fault_scope_.producers.push_back(spec);

    const bool idempotent = config.enable_idempotence && config.acks == -1 && config.retries > 0 &&
                            config.max_in_flight_requests_per_connection <= 5;
    out_ << name << " sends " << plural(count, "record") << " to " << topic
         << (workload.keys > 0 ? " keyed key-0..key-" + std::to_string(workload.keys - 1)
                               : std::string(" without keys"))
         << " (acks=" << (config.acks == -1 ? std::string("all") : std::to_string(config.acks))
         << (idempotent ? ", idempotent" : "") << ", " << origin << "); advance the clock to see them acknowledged\n";
}

void Shell::consume(const Words& w) {
    if (w.size() < 2) throw Mistake("consume: which topic? e.g. `consume orders`");
    const std::string& topic = require_topic(w[1]);
    bool from_beginning = false;
    for (size_t i = 2; i < w.size(); ++i) {
        if (w[i] == "from-beginning" || w[i] == "--from-beginning")
            from_beginning = true;
        else
            throw Mistake("consume: unknown option '" + w[i] + "'" + did_you_mean(w[i], {"from-beginning"}));
    }
    auto it = consumers_.find(topic);
    if (it == consumers_.end()) {
        if (run_->now() >= end()) throw Mistake("the scenario is over: a new consumer would read nothing");
        kafka::ConfigMap overrides;
        overrides["auto.offset.reset"] = std::string("earliest");
        const kafka::ConsumerConfig config = kafka::ConsumerConfig::from(scenario_.kafka.profile, overrides);
        const std::string name = unique_node_name("consumer:shell-" + topic, "/1", false);
        consumers_[topic] = HandConsumer{run_->add_consumer(name, topic, config), 0, 0};
        scenarios::ConsumerSpec spec;
        spec.group = name.substr(std::string("consumer:").size(), name.size() - std::string("consumer:").size() - 2);
        spec.topics = {topic};
        fault_scope_.consumers.push_back(spec);
        out_ << name << " started: it reads every partition of " << topic
             << " from the log start (no group, auto.offset.reset=earliest) as the clock moves; `consume " << topic
             << "` again shows what it read\n";
        return;
    }
    HandConsumer& hc = it->second;
    if (from_beginning) hc.polls_shown = 0;
    const scenarios::History& history = run_->cluster().history();
    size_t seen = 0, printed = 0;
    int64_t hidden_records = 0;
    for (const auto& p : history.polls()) {
        if (p.consumer != hc.client.ordinal) continue;
        if (seen++ < hc.polls_shown) continue;
        if (printed++ < max_lines_per_consume) {
            out_ << "  " << partition_label(p.tp) << (p.count == 1 ? " offset " : " offsets ")
                 << range_text(p.first_offset, p.count) << "  " << producer_label(p.producer) << "#"
                 << range_text(p.first_seq, p.count) << "  (leader epoch " << p.leader_epoch
                 << ", read at t=" << sim::format_time(p.t) << ")\n";
        } else {
            hidden_records += p.count;
        }
    }
    if (printed > max_lines_per_consume)
        out_ << "  ... and "
             << plural(static_cast<int64_t>(printed - max_lines_per_consume), "more batch", "more batches") << " ("
             << plural(hidden_records, "record") << ")\n";
    if (printed == 0)
        out_ << hc.client.name << " has read nothing " << (hc.polls_shown == 0 ? "yet" : "new")
             << (hc.polls_shown == 0 ? " (the clock has to move for it to fetch)" : "") << "\n";
    hc.polls_shown = seen;

    auto* consumer = run_->cluster().world().node_as<kafka::ConsumerClient>(hc.client.node);
    const kafka::MetadataImage* image = run_->cluster().metadata();
    const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(topic);
    if (consumer == nullptr) {
        out_ << "  (" << hc.client.name << " is " << sim::to_string(run_->cluster().world().state(hc.client.node))
             << ")\n";
    } else if (t != nullptr) {
        out_ << "  position:";
        for (const auto& ps : t->partitions) {
            const int64_t position = consumer->position(ps.tp), hw = consumer->high_watermark(ps.tp);
            out_ << " " << topic << "/" << ps.tp.partition << " at "
                 << (position < 0 ? std::string("-") : std::to_string(position));
            if (hw >= 0) out_ << " (high watermark " << hw;
            if (hw >= 0 && consumer->read_committed() && consumer->last_stable_offset(ps.tp) >= 0)
                out_ << ", last stable offset " << consumer->last_stable_offset(ps.tp);
            if (hw >= 0) out_ << ")";
            out_ << (ps.tp.partition + 1 < static_cast<int32_t>(t->partitions.size()) ? "," : "");
        }
        out_ << "\n";
    }
}

void Shell::report_clients() {
    const scenarios::History& history = run_->cluster().history();
    auto hand_producer = [&](uint32_t client) -> HandProducer* {
        for (auto& p : producers_)
            if (p.client.ordinal == client) return &p;
        return nullptr;
    };
    // A line per acknowledged batch, up to a few per producer; the rest are counted.
    std::map<std::string, std::pair<int64_t, int64_t>> more_acks;  // producer -> (batches, records)
    for (; acks_seen_ < history.acks().size(); ++acks_seen_) {
        const scenarios::AckOp& a = history.acks()[acks_seen_];
        HandProducer* p = hand_producer(a.records.client);
        if (p == nullptr) continue;
        if (++p->acks_reported > max_ack_lines_per_report) {
            more_acks[p->client.name].first += 1;
            more_acks[p->client.name].second += a.records.count;
            continue;
        }
        out_ << p->client.name << ": records #" << range_text(a.records.first_seq, a.records.count) << " ";
        if (a.base_offset < 0)
            out_ << "sent to " << partition_label(a.records.tp) << " (acks=0: no acknowledgement, no offset)";
        else
            out_ << "acknowledged at " << partition_label(a.records.tp) << " offsets "
                 << range_text(a.base_offset, a.records.count);
        out_ << " (t=" << sim::format_time(a.t) << ")\n";
    }
    for (const auto& [name, more] : more_acks)
        out_ << name << ": and " << plural(more.first, "more batch", "more batches") << " ("
             << plural(more.second, "record") << ") acknowledged or sent\n";
    for (auto& p : producers_) p.acks_reported = 0;
    std::map<std::string, std::map<std::string, int64_t>> retried;  // producer -> error -> attempts
    for (; errors_seen_ < history.errors().size(); ++errors_seen_) {
        const scenarios::ErrorOp& e = history.errors()[errors_seen_];
        HandProducer* p = hand_producer(e.records.client);
        if (p == nullptr) continue;
        if (!e.final) {
            ++retried[p->client.name][kafka::error_name(e.error)];
            continue;
        }
        out_ << p->client.name << ": gave up on records #" << range_text(e.records.first_seq, e.records.count) << " of "
             << partition_label(e.records.tp) << ": " << kafka::error_name(e.error) << " (t=" << sim::format_time(e.t)
             << ")\n";
    }
    for (const auto& [name, errors] : retried) {
        out_ << name << ": failed attempts, retrying:";
        for (const auto& [error, n] : errors) out_ << " " << error << " x" << n;
        out_ << "\n";
    }
    for (auto& p : producers_) {
        if (p.done_reported) continue;
        auto* producer = run_->cluster().world().node_as<kafka::ProducerClient>(p.client.node);
        if (producer == nullptr) continue;
        if (producer->records_pending() == 0 && producer->records_generated() == static_cast<uint64_t>(p.records)) {
            p.done_reported = true;
            out_ << p.client.name << ": done, " << producer->records_acked() << " of " << p.records << " acknowledged"
                 << (producer->records_failed() > 0 ? ", " + std::to_string(producer->records_failed()) + " failed"
                                                    : "")
                 << "\n";
        }
    }
    std::map<std::string, int64_t> read;  // topic -> records read since the last report
    for (; polls_seen_ < history.polls().size(); ++polls_seen_) {
        const scenarios::PollOp& p = history.polls()[polls_seen_];
        for (auto& [topic, c] : consumers_)
            if (c.client.ordinal == p.consumer) read[topic] += p.count;
    }
    for (const auto& [topic, n] : read) {
        out_ << consumers_.at(topic).client.name << ": read " << plural(n, "record") << "; `consume " << topic
             << "` shows them\n";
    }
}

// ---- views ----

void Shell::topics(const Words& w) {
    if (w.size() > 2) throw Mistake("topics: one topic at a time, e.g. `topics` or `topics orders`");
    std::optional<std::string> topic;
    if (w.size() == 2) topic = require_topic(w[1]);
    print_topics(out_, *run_, scenario_, topic, release_);
}

void Shell::groups(const Words& w) {
    if (w.size() > 1) throw Mistake("groups takes nothing; `group G` shows one group");
    const std::vector<std::string> names = group_names();
    if (names.empty()) out_ << "no consumer groups in this scenario (its consumers, if any, use \"group\": null)\n";
    for (size_t i = 0; i < names.size(); ++i) {
        if (i > 0) out_ << "\n";
        print_group(out_, *run_, names[i], release_);
    }
}

void Shell::group(const Words& w) {
    const std::vector<std::string> names = group_names();
    if (w.size() != 2)
        throw Mistake("group: which group? e.g. `group " + (names.empty() ? std::string("billing") : names.front()) +
                      "`");
    if (!contains(names, w[1]))
        throw Mistake("no consumer group '" + w[1] + "' in this scenario" + did_you_mean(w[1], names) +
                      (names.empty() ? "; it has none" : "; its groups: " + joined(names, 0, ", ")));
    print_group(out_, *run_, w[1], release_);
}

void Shell::quorum(const Words&) {
    print_quorum(out_, *run_, scenario_, release_);
}

void Shell::transactions(const Words& w) {
    if (w.size() > 2) throw Mistake("transactions: one transactional id at a time, e.g. `transactions` or `transactions tx-1`");
    std::optional<std::string> id;
    if (w.size() == 2) id = w[1];
    print_transactions(out_, *run_, scenario_, std::nullopt, id, 0, release_);
}

void Shell::log(const Words& w) {
    // TOPIC/PARTITION (or TOPIC PARTITION), then: all | ROWS | from OFFSET [ROWS]
    Words args(w.begin() + 1, w.end());
    if (args.size() >= 2 && all_digits(args[1]) && args[0].find('/') == std::string::npos) {
        args[0] += "/" + args[1];
        args.erase(args.begin() + 1);
    }
    const size_t slash = args.empty() ? std::string::npos : args[0].rfind('/');
    const bool from = args.size() >= 3 && args[1] == "from";
    if (slash == std::string::npos || !all_digits(args[0].substr(slash + 1)) || args.size() > (from ? 4 : 2))
        throw Mistake("log: expected TOPIC/PARTITION [all | ROWS | from OFFSET [ROWS]], e.g. `log " +
                      (scenario_.topics.empty() ? std::string("orders") : scenario_.topics.front().name) + "/0`");
    const std::string& topic = require_topic(args[0].substr(0, slash));
    const auto partition = static_cast<int32_t>(parse_number("log: partition", args[0].substr(slash + 1), 0, 1000000));
    reports::LogWindow window;
    window.rows = default_log_rows;
    if (from) window.from_offset = parse_number("log: from", args[2], 0, INT32_MAX);
    const size_t rows_at = from ? 3 : 1;
    if (args.size() > rows_at && args[rows_at] == "all")
        window.rows = SIZE_MAX;
    else if (args.size() > rows_at)
        window.rows = static_cast<size_t>(parse_count("log: rows", args[rows_at], 1000000));

    scenarios::ClusterModel& cluster = run_->cluster();
    const kafka::MetadataImage* image = cluster.metadata();
    const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(topic);
    if (t == nullptr)
        throw Mistake(topic +
                      " is not created yet (the admin client creates the scenario's topics once the brokers "
                      "have registered): advance the clock a little");
    const kafka::PartitionState* ps = t->partition(partition);
    if (ps == nullptr)
        throw Mistake(topic + " has partitions 0.." + std::to_string(t->partitions.size() - 1) + ", not " +
                      std::to_string(partition));

    reports::ReplicaLogView view;
    view.partition = topic + "/" + std::to_string(partition);
    view.leader = ps->leader;
    view.leader_epoch = ps->leader_epoch;
    view.replicas = ps->replicas;
    view.isr = ps->isr;
    for (int32_t r : ps->replicas) {
        reports::ReplicaLogView::Column c;
        c.replica = cluster.replica_log(ps->tp, topic, r);
        const sim::NodeState state = cluster.world().state(cluster.directory().broker_node(r));
        kafka::BrokerNode* broker = cluster.broker(r);
        const kafka::Partition* local = broker == nullptr ? nullptr : broker->partition(ps->tp);
        c.title = "broker:" + std::to_string(r) + " ";
        if (state != sim::NodeState::up) c.title += std::string(sim::to_string(state)) + " ";
        if (local == nullptr)
            c.title += "(disk)";
        else
            c.title += (local->is_leader() ? "leader e" : "follower e") + std::to_string(local->leader_epoch());
        view.columns.push_back(std::move(c));
    }
    out_ << reports::format_replica_logs(
        view, window, [this](uint32_t client) { return producer_label(client); }, "log " + view.partition + " all");
}

// ---- session ----

void Shell::narrate(const Words& w) {
    if (w.size() != 2 || (w[1] != "on" && w[1] != "off"))
        throw Mistake(std::string("narrate: on or off (it is ") + (narrating_ ? "on" : "off") + " now)");
    narrating_ = w[1] == "on";
    out_ << "narration " << w[1] << "\n";
}

void Shell::help(const Words& w) {
    if (w.size() >= 2) {
        const Command* c = find_command(w[1]);
        if (c == nullptr) throw Mistake("help: no command '" + w[1] + "'" + did_you_mean(w[1], command_names()));
        out_ << c->name << (std::string(c->arguments).empty() ? "" : " ") << c->arguments << "\n  " << c->summary
             << "\n";
        return;
    }
    const std::vector<std::pair<Section, const char*>> sections = {{Section::time, "time"},
                                                                   {Section::faults, "faults (as in scenario files)"},
                                                                   {Section::clients, "clients"},
                                                                   {Section::kafka_tools, "Kafka's tools (bin/ and .sh optional; the clock runs while they wait)"},
                                                                   {Section::views, "views"},
                                                                   {Section::session, "session"}};
    for (const auto& [section, title] : sections) {
        out_ << title << ":\n";
        for (const auto& c : commands()) {
            if (c.section != section) continue;
            std::string usage = std::string(c.name) + " " + c.arguments;
            usage.resize(std::max<size_t>(usage.size() + 1, 44), ' ');
            out_ << "  " << usage << c.summary << "\n";
        }
    }
    out_ << "TARGET: broker:N (or `broker N`), controller:N, zookeeper:N, leader:TOPIC/P, controller:active,\n"
            "  quorum:leader, quorum:follower, zookeeper:leader, coordinator:GROUP, producer:ID, consumer:GROUP/N,\n"
            "  brokers, controllers, zookeepers; several: `crash broker:1,broker:2`. D: a duration, 500us, 250ms, 10s, 1.5m.\n"
            "Lines starting with # are comments.\n";
}

// ---- Kafka's tools ----

void Shell::kafka_tool(const Words&) {
    std::string line = tool_line_;
    if (auto first = line.find_first_not_of(" \t"); first != std::string::npos && line[first] == '$') line.erase(0, first + 1);
    std::optional<Words> words = split_command_line(line);
    if (!words) throw Mistake("unterminated quote in: " + line);
    tools_.run(*words);
}

bool Shell::wait_until(const std::function<bool()>& done, sim::Duration limit) {
    const sim::Time until = std::min(run_->now() + limit, end());
    const kafka::Trace& trace = run_->cluster().world().trace();
    Capture capture(capture_);
    size_t told = 0;
    bool ended = false;
    while (!done()) {
        if (run_->cluster().world().next_event_time() > until) {
            run_->advance_to(until);
            ended = until >= end();
            break;
        }
        if (!run_->step()) {
            ended = true;
            break;
        }
        // The story hears everything, told or not, so that what it says later follows from it.
        for (; told < capture.events.size(); ++told) tell(capture.events[told], trace);
    }
    for (; told < capture.events.size(); ++told) tell(capture.events[told], trace);
    return !ended || done();
}

// ---- helpers ----

const std::string& Shell::require_topic(const std::string& name) const {
    std::vector<std::string> names;
    for (const auto& t : scenario_.topics) {
        if (t.name == name) return t.name;
        names.push_back(t.name);
    }
    static const std::string offsets_topic = kafka::consumer_offsets_topic;
    if (name == offsets_topic) return offsets_topic;
    throw Mistake("no topic '" + name + "' in this scenario" + did_you_mean(name, names) +
                  (names.empty() ? "; it has none" : "; its topics: " + joined(names, 0, ", ")));
}

std::vector<std::string> Shell::group_names() const {
    std::vector<std::string> names;
    for (const auto& c : scenario_.consumers)
        if (c.group && !contains(names, *c.group)) names.push_back(*c.group);
    return names;
}

std::string Shell::partition_label(kafka::TopicPartition tp) {
    const kafka::MetadataImage* image = run_->cluster().metadata();
    const kafka::TopicImage* t = image == nullptr ? nullptr : image->topic(tp.topic_id);
    return (t == nullptr ? "topic#" + std::to_string(tp.topic_id) : t->name) + "/" + std::to_string(tp.partition);
}

// "checkout" for producer:checkout; a restarted producer's later lives keep their "(life N)".
std::string Shell::producer_label(uint32_t client) const {
    const std::string& name = run_->cluster().history().client_name(client);
    return name.starts_with("producer:") ? name.substr(9) : name;
}

// The first name of stem-1, stem-2, ... (plain `stem` first unless `numbered`), then `suffix`,
// that no node of the world has: producer:shell-1, producer:shell-2; consumer:shell-orders/1.
std::string Shell::unique_node_name(const std::string& stem, const std::string& suffix, bool numbered) const {
    kafka::World& world = run_->cluster().world();
    for (int n = 1;; ++n) {
        std::string name = (n == 1 && !numbered ? stem : stem + "-" + std::to_string(n)) + suffix;
        if (world.find(name) == sim::no_node) return name;
    }
}

}  // namespace

void run_shell_script(const scenarios::Scenario& scenario, std::optional<uint64_t> seed, const std::string& script,
                      std::ostream& out) {
    Shell shell(scenario, seed, out);
    shell.banner();
    std::istringstream in(script);
    for (std::string line; std::getline(in, line);) {
        out << shell.prompt() << line << "\n";
        if (!shell.execute(line)) break;
    }
}

int shell_command(const std::vector<std::string>& args) {
    std::string file;
    std::optional<uint64_t> seed;
    for (size_t i = 0; i < args.size(); ++i) {
        if (args[i] == "--seed") {
            if (i + 1 >= args.size()) throw UsageError("--seed needs a value");
            const std::string& text = args[++i];
            if (!all_digits(text) || text.size() > 19)
                throw UsageError("--seed: expected a non-negative integer, got '" + text + "'");
            seed = std::stoull(text);
        } else if (!args[i].empty() && args[i][0] == '-') {
            throw UsageError("unknown option '" + args[i] + "' (expected --seed N)");
        } else if (file.empty()) {
            file = args[i];
        } else {
            throw UsageError("one scenario file at a time (got '" + file + "' and '" + args[i] + "')");
        }
    }
    if (file.empty()) throw UsageError("which scenario? usage: kafkasim shell FILE [--seed N]");
    const std::string path = resolve_scenario_path(file);
    std::optional<scenarios::Scenario> scenario = load_runnable_or_report(path);
    if (!scenario) return 2;

    try {
        Shell shell(*scenario, seed, std::cout);
        LineEditor editor(std::cin, std::cout, shell.command_names());
        shell.banner();
        while (std::optional<std::string> line = editor.read_line(shell.prompt())) {
            if (!shell.execute(*line)) break;
        }
        std::cout.flush();
        return 0;
    } catch (const sim::InvariantViolation& e) {
        std::cout.flush();
        std::cerr << "simulator fault (a bug in kafkasim, not a Kafka finding): " << e.what() << "\n";
        return 3;
    }
}

}  // namespace cli
