#include "cli/describe_command.hpp"

#include <nlohmann/json.hpp>

#include "connect/connect_worker.hpp"

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <optional>

#include "cli/commands.hpp"
#include "reports/cluster_views.hpp"
#include "reports/kafka_views.hpp"
#include "reports/transaction_views.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "broker/zookeeper/zk_server.hpp"
#include "sim/world.hpp"

namespace cli {

namespace {

constexpr const char* usage_line =
    "usage: kafkasim describe FILE --at 15s [--seed N] [--what topics|groups|quorum|transactions|connect|all] [--group G] "
    "[--topic T] [--transactional-id ID] [--max-transaction-timeout MIN]";
constexpr const char* bootstrap = "--bootstrap-server localhost:9092";

struct DescribeArgs {
    std::string file;
    std::string at_text;
    std::optional<uint64_t> seed;
    bool topics = true, groups = true, quorum = true;
    // nullopt: when the cluster has transactions (so that runs without them print as before)
    std::optional<bool> transactions;
    std::optional<bool> connect;            // nullopt: when the scenario has Connect workers
    std::vector<std::string> groups_asked;  // --group, in the order given
    std::optional<std::string> topic;       // --topic
    std::optional<std::string> transactional_id;  // --transactional-id
    int64_t max_transaction_timeout_min = 0;       // --max-transaction-timeout (find-hanging)
};

DescribeArgs parse_describe_args(const std::vector<std::string>& args) {
    DescribeArgs r;
    bool what_given = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
            return args[++i];
        };
        if (a == "--at") {
            r.at_text = value();
        } else if (a == "--seed") {
            r.seed = parse_seed(value());
        } else if (a == "--what") {
            const std::string& w = value();
            if (w != "topics" && w != "groups" && w != "quorum" && w != "transactions" && w != "connect" && w != "all")
                throw UsageError("--what: expected topics, groups, quorum, transactions, connect or all, got '" + w + "'");
            if (what_given) throw UsageError("--what: one at a time (topics, groups, quorum, transactions, connect or all)");
            what_given = true;
            r.topics = w == "topics" || w == "all";
            r.groups = w == "groups" || w == "all";
            r.quorum = w == "quorum" || w == "all";
            if (w != "all") r.transactions = w == "transactions";
            if (w != "all") r.connect = w == "connect";
        } else if (a == "--transactional-id") {
            const std::string& id = value();
            if (r.transactional_id) throw UsageError("--transactional-id: one id at a time");
            r.transactional_id = id;
        } else if (a == "--max-transaction-timeout") {
            const std::string& m = value();
            if (m.empty() || m.size() > 9 || m.find_first_not_of("0123456789") != std::string::npos)
                throw UsageError("--max-transaction-timeout: expected whole minutes (0 or more), got '" + m + "'");
            r.max_transaction_timeout_min = std::stoll(m);
        } else if (a == "--group") {
            const std::string& g = value();
            if (std::find(r.groups_asked.begin(), r.groups_asked.end(), g) == r.groups_asked.end())
                r.groups_asked.push_back(g);
        } else if (a == "--topic") {
            const std::string& t = value();
            if (r.topic) throw UsageError("--topic: one topic at a time (got '" + *r.topic + "' and '" + t + "')");
            r.topic = t;
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a +
                             "' (expected --at, --seed, --what, --group, --topic, --transactional-id or "
                             "--max-transaction-timeout)");
        } else if (r.file.empty()) {
            r.file = a;
        } else {
            throw UsageError("one scenario file at a time (got '" + r.file + "' and '" + a + "')");
        }
    }
    if (r.file.empty()) throw UsageError(std::string("which scenario? ") + usage_line);
    if (r.at_text.empty()) throw UsageError(std::string("--at is required: the virtual time to describe, like 15s. ") + usage_line);
    // --group / --topic narrow the sections they belong to; alone they pick that section.
    if (!what_given && (!r.groups_asked.empty() || r.topic || r.transactional_id)) {
        r.groups = !r.groups_asked.empty();
        r.topics = r.topic.has_value() && !r.transactional_id;
        r.quorum = false;
        r.transactions = r.transactional_id.has_value();
    }
    return r;
}

// --at: a time within the scenario, checked against its duration.
sim::Duration parse_at(const std::string& text, const scenarios::Scenario& s) {
    if (!text.empty() && text[0] == '-')
        throw UsageError("--at: expected a time from the start of the scenario (0s to " + sim::format_duration(s.duration) +
                         "), got the negative '" + text + "'");
    std::optional<sim::Duration> d = scenarios::parse_duration(std::string_view(text));
    if (!d)
        throw UsageError("--at: expected a virtual time like 15s, 2500ms or 1.5m (0s to " +
                         sim::format_duration(s.duration) + "), got '" + text + "'");
    if (*d > s.duration)
        throw UsageError("--at " + text + " is past the end of the scenario, which runs for " +
                         sim::format_duration(s.duration));
    return *d;
}

std::vector<std::string> scenario_groups(const scenarios::Scenario& s) {
    std::vector<std::string> out;
    for (const auto& c : s.consumers)
        if (c.group && std::find(out.begin(), out.end(), *c.group) == out.end()) out.push_back(*c.group);
    // Kafka Connect: the workers' group and each sink connector's consumer group.
    if (s.connect.present && s.connect.distributed) out.push_back(s.connect.worker.group_id);
    for (const auto& d : s.connect.connectors) {
        auto it = d.config.find("topics");
        if (it != d.config.end()) out.push_back("connect-" + d.name);
    }
    return out;
}

std::string joined(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ", ") + n;
    return out;
}

}  // namespace

void print_topics(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                  const std::optional<std::string>& topic, reports::KafkaRelease release) {
    const bool old = !release.at_least(2, 4);  // ZooKeeper-based TopicCommand
    out << "$ kafka-topics.sh " << (old ? "--zookeeper localhost:2181" : bootstrap) << " --describe"
        << (topic ? " --topic " + *topic : std::string(" --exclude-internal")) << "\n";
    if (!reports::has_metadata(run.cluster())) {
        out << "# no node holds cluster metadata yet: the tool would wait for the cluster and time out\n";
        return;
    }
    std::vector<std::string> only;
    if (topic) only.push_back(*topic);
    std::vector<reports::TopicView> views = reports::gather_topic_views(run.cluster(), s, run.seed(), only);
    if (topic && views.empty()) {
        out << "Error while executing topic command : "
            << (old ? "Topic " + *topic + " does not exist on ZK path localhost:2181"
                    : "Topic '" + *topic + "' does not exist as expected")
            << "\n";
        return;
    }
    out << reports::format_topics_describe(views, release);
    // The earliest offsets: where retention has moved each partition's log start offset.
    if (release.at_least(3, 0)) {
        out << "\n$ kafka-get-offsets.sh " << bootstrap << " --time -2" << (topic ? " --topic " + *topic : std::string())
            << "\n";
    } else {
        out << "\n$ kafka-run-class.sh kafka.tools.GetOffsetShell --broker-list localhost:9092 --time -2"
            << (topic ? " --topic " + *topic : std::string()) << "\n";
    }
    out << reports::format_earliest_offsets(views, release);
}

void print_group(std::ostream& out, scenarios::ScenarioRun& run, const std::string& group,
                 reports::KafkaRelease release) {
    const std::string command = std::string("$ kafka-consumer-groups.sh ") + bootstrap + " --describe --group " + group;
    std::optional<reports::GroupView> view = reports::gather_group_view(run.cluster(), group);
    out << command << "\n";
    if (!view) {
        out << "# no coordinator can answer for group '" << group
            << "' now (the leader of its __consumer_offsets partition is missing, down or still loading the group);\n"
               "# the tool retries until its timeout and then fails with a TimeoutException\n";
        return;
    }
    out << reports::format_consumer_group_describe(*view);
    out << "\n" << command << " --state\n";
    out << reports::format_consumer_group_state(*view, release);
}

namespace {

std::string hex(int64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

// ZooKeeper mode: each server's `srvr` four-letter word, then /controller and
// /controller_epoch as zookeeper-shell.sh prints them (read from a serving server).
void print_ensemble(std::ostream& out, scenarios::ScenarioRun& run) {
    scenarios::ClusterModel& cluster = run.cluster();
    const kafka::ZooKeeperServer* reader = nullptr;
    for (const auto& [sid, node] : cluster.directory().zookeepers) {
        out << "\n$ echo srvr | nc zookeeper-" << sid << " 2181\n";
        const kafka::ZooKeeperServer* z = cluster.zookeeper(sid);
        if (z == nullptr || !cluster.world().is_up(node)) {
            out << "# no answer: zookeeper:" << sid << " is " << sim::to_string(cluster.world().state(node)) << "\n";
            continue;
        }
        if (!z->serving()) {
            out << "This ZooKeeper instance is not currently serving requests\n";
            continue;
        }
        out << "Connections: " << z->client_connections() << "\n"
            << "Zxid: " << hex(z->last_committed_zxid()) << "\n"
            << "Mode: " << (z->state() == kafka::ZooKeeperServer::State::leading ? "leader" : "follower") << "\n"
            << "Node count: " << z->tree().node_count() << "\n";
        if (reader == nullptr || z->state() == kafka::ZooKeeperServer::State::leading) reader = z;
    }
    for (const char* path : {"/controller", "/controller_epoch"}) {
        out << "\n$ zookeeper-shell.sh localhost:2181 get " << path << "\n";
        if (reader == nullptr) {
            out << "# no ZooKeeper server is serving: the shell cannot connect\n";
            continue;
        }
        auto node = reader->get(path);
        out << (node ? node->data : "Node does not exist: " + std::string(path)) << "\n";
    }
}

}  // namespace

void print_quorum(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                  reports::KafkaRelease release) {
    out << "$ kafka-metadata-quorum.sh " << bootstrap << " describe --status\n";
    if (s.kafka.metadata != scenarios::MetadataMode::kraft) {
        out << "# this cluster runs in ZooKeeper mode: there is no metadata quorum to describe; the ensemble\n"
               "# and the controller znodes are what to look at instead\n";
        print_ensemble(out, run);
        return;
    }
    if (!release.at_least(3, 3)) out << "# (the tool arrived in Kafka 3.3, KIP-836: shown as 3.3 prints it)\n";
    reports::QuorumView q = reports::gather_quorum_view(run.cluster(), run.seed());
    if (q.leader_id < 0) {
        out << "# the metadata quorum has no live leader now: no one answers DescribeQuorum, and the tool\n"
               "# fails after its timeout\n";
        return;
    }
    out << reports::format_metadata_quorum_status(q, release);
}

void print_transactions(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                        const std::optional<std::string>& topic, const std::optional<std::string>& transactional_id,
                        int64_t max_transaction_timeout_min, reports::KafkaRelease release) {
    const std::string tool = std::string("$ kafka-transactions.sh ") + bootstrap;
    if (!release.at_least(3, 0)) out << "# (the tool arrived in Kafka 3.0, KIP-664: shown as 3.0 prints it)\n";
    if (transactional_id) {
        out << tool << " describe --transactional-id " << *transactional_id << "\n";
        if (auto d = reports::gather_transaction_description(run.cluster(), *transactional_id))
            out << reports::format_transaction_describe(*d);
        else
            out << "Failed to describe transaction state of transactional-id `" << *transactional_id
                << "`: The transactionalId could not be found. Enable debug logging for additional detail.\n"
                << "# (no live coordinator has it loaded: it never called initTransactions, or its coordinator is "
                   "down or still loading)\n";
    } else {
        out << tool << " list\n" << reports::format_transactions_list(reports::gather_transaction_listings(run.cluster()));
    }
    std::vector<std::string> topics;
    if (topic) topics.push_back(*topic);
    else
        for (const auto& t : s.topics) topics.push_back(t.name);
    for (const auto& t : topics) {
        out << "\n" << tool << " find-hanging --topic " << t << " --max-transaction-timeout " << max_transaction_timeout_min
            << "\n";
        out << reports::format_find_hanging(
            reports::gather_hanging_transactions(run.cluster(), {t}, max_transaction_timeout_min * 60000));
    }
    if (!topics.empty() && max_transaction_timeout_min == 0)
        out << "# --max-transaction-timeout 0 (the tool's default is 15 minutes, longer than most simulated runs): "
               "every open transaction\n# that no coordinator lists with its partition is shown, however young\n";
}

// GET /connectors?expand=status, as curl prints it, from the first worker that answers (each
// worker answers from its own view of the status topic, so it lags a little behind the truth).
void print_connect(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s) {
    out << "$ curl -s http://localhost:8083/connectors?expand=status\n";
    if (!s.connect.present) {
        out << "# this scenario runs no Kafka Connect workers\n";
        return;
    }
    scenarios::ClusterModel& cluster = run.cluster();
    for (sim::NodeId n : cluster.connect_worker_nodes()) {
        const auto* w = cluster.world().is_up(n) ? cluster.world().node_as<kafka::connect::ConnectWorker>(n) : nullptr;
        if (w == nullptr) continue;
        nlohmann::json body = nlohmann::json::object();
        for (const auto& name : w->known_connectors())
            body[name] = {{"status", nlohmann::json::parse(*w->status_json(name))}};
        out << "# answered by " << cluster.world().name(n) << " (" << w->spec().url() << ")\n" << body.dump(2) << "\n";
        return;
    }
    out << "curl: (7) Failed to connect to localhost port 8083: Connection refused\n# (no worker is up)\n";
}

int describe_command(const std::vector<std::string>& args) {
    DescribeArgs a = parse_describe_args(args);
    const std::string path = resolve_scenario_path(a.file);
    std::optional<scenarios::Scenario> scenario = load_runnable_or_report(path);
    if (!scenario) return 2;
    const scenarios::Scenario& s = *scenario;
    const sim::Duration at = parse_at(a.at_text, s);

    const std::vector<std::string> groups_here = scenario_groups(s);
    for (const auto& g : a.groups_asked)
        if (std::find(groups_here.begin(), groups_here.end(), g) == groups_here.end())
            throw UsageError("--group: the scenario has no consumer group '" + g + "' (" +
                             (groups_here.empty() ? std::string("it has none: its consumers use \"group\": null")
                                                  : "its groups: " + joined(groups_here)) +
                             ")");
    if (a.topic && *a.topic != kafka::consumer_offsets_topic) {
        std::vector<std::string> topics_here;
        for (const auto& t : s.topics) topics_here.push_back(t.name);
        if (std::find(topics_here.begin(), topics_here.end(), *a.topic) == topics_here.end())
            throw UsageError("--topic: the scenario has no topic '" + *a.topic + "' (its topics: " + joined(topics_here) +
                             ", and the internal " + kafka::consumer_offsets_topic + ")");
    }
    const std::vector<std::string>& groups = a.groups_asked.empty() ? groups_here : a.groups_asked;

    scenarios::RunOptions options;
    options.seed = a.seed;
    const reports::KafkaRelease release = reports::tools_release(s);
    try {
        scenarios::ScenarioRun run(s, options);
        run.advance_to(sim::time_zero + at);
        const std::string stamp = "# cluster state at t=" + sim::format_time(run.now()) + " (seed " +
                                  std::to_string(run.seed()) + "), as the Kafka " + s.kafka.version + " tools print it\n";
        bool first = true;
        auto section = [&]() {
            if (!first) std::cout << "\n";
            first = false;
            std::cout << stamp;
        };
        if (a.topics) {
            section();
            print_topics(std::cout, run, s, a.topic, release);
        }
        if (a.groups) {
            if (groups.empty()) {
                section();
                std::cout << "# no consumer groups in this scenario (its consumers use \"group\": null, assigning\n"
                             "# themselves every partition): kafka-consumer-groups.sh has nothing to describe\n";
            }
            for (const auto& g : groups) {
                section();
                print_group(std::cout, run, g, release);
            }
        }
        if (a.quorum) {
            section();
            print_quorum(std::cout, run, s, release);
        }
        if (a.connect.value_or(s.connect.present)) {
            section();
            print_connect(std::cout, run, s);
        }
        if (a.transactions.value_or(reports::has_transactions(run.cluster()))) {
            section();
            print_transactions(std::cout, run, s, a.topic, a.transactional_id, a.max_transaction_timeout_min, release);
        }
        std::cout.flush();
        return 0;
    } catch (const sim::InvariantViolation& e) {
        std::cerr << "simulator fault (a bug in kafkasim, not a Kafka finding): " << e.what() << "\n"
                  << "reproduce: kafkasim describe " << path << " --at " << a.at_text << " --seed "
                  << a.seed.value_or(s.seed) << "\n";
        return 3;
    }
}

}  // namespace cli
