// The transaction views: kafka-transactions.sh list / describe / find-hanging (byte for byte
// against TransactionsCommand's table layout, then gathered from a cluster in which a driver
// node opens, commits and then leaves a transaction hanging with raw requests), the metrics
// columns and plot that only runs with transactions get, and the narration of the
// coordinator's states and markers, told once and then counted.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "broker/broker_node.hpp"
#include "reports/metrics.hpp"
#include "reports/narrator.hpp"
#include "reports/plots.hpp"
#include "reports/transaction_views.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace fs = std::filesystem;

namespace {

bool tvw_has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

std::string tvw_all(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace

// ---------------------------------------------------------------- the formats

TEST_CASE("kafka-transactions list: columns padded to the widest cell, each followed by a tab", "[describe][txn]") {
    std::vector<reports::TransactionListingView> rows = {{"payments-tx", 2, 3000, "Ongoing"},
                                                         {"tx", 3, 1025000, "CompleteCommit"}};
    CHECK(reports::format_transactions_list(rows) ==
          "TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n"
          "payments-tx    \t2          \t3000      \tOngoing         \t\n"
          "tx             \t3          \t1025000   \tCompleteCommit  \t\n");
    CHECK(reports::format_transactions_list({}) == "TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n");
}

TEST_CASE("kafka-transactions describe: start time and duration, None without a transaction", "[describe][txn]") {
    reports::TransactionDescriptionView d;
    d.coordinator_id = 2;
    d.transactional_id = "tx";
    d.producer_id = 3000;
    d.producer_epoch = 0;
    d.state = "Ongoing";
    d.timeout_ms = 60000;
    d.start_time_ms = 12000;
    d.now_ms = 15250;
    d.partitions = {{"events", 0}, {"events", 1}};
    CHECK(reports::format_transaction_describe(d) ==
          "CoordinatorId\tTransactionalId\tProducerId\tProducerEpoch\tTransactionState\tTransactionTimeoutMs\t"
          "CurrentTransactionStartTimeMs\tTransactionDurationMs\tTopicPartitions  \t\n"
          "2            \ttx             \t3000      \t0            \tOngoing         \t60000               \t"
          "12000                        \t3250                 \tevents-0,events-1\t\n");
    d.state = "Empty";
    d.start_time_ms.reset();
    d.partitions.clear();
    const std::string empty = reports::format_transaction_describe(d);
    CHECK(tvw_has(empty, "\tEmpty           \t60000               \tNone                         \tNone                 \t"
                     "               \t\n"));
}

TEST_CASE("kafka-transactions find-hanging: the tool's eight columns", "[describe][txn]") {
    reports::HangingTransactionView h{"events", 0, 3000, 0, 5, 4, 21000, 0};
    CHECK(reports::format_find_hanging({h}) ==
          "Topic \tPartition\tProducerId\tProducerEpoch\tCoordinatorEpoch\tStartOffset\tLastTimestamp\tDuration(min)\t\n"
          "events\t0        \t3000      \t0            \t5               \t4          \t21000        \t0            \t\n");
}

// ---------------------------------------------------------------- gathered from a cluster

namespace {

struct TvwInboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

const std::string tvw_txn_id = "txn-views";

std::unique_ptr<scenarios::Scenario> tvw_txn_scenario() {
    const nlohmann::json j = {
        {"name", "txn-views"},
        {"duration", "120s"},
        {"kafka", {{"version", "3.7"}, {"brokers", 3}, {"config", {{"transaction.state.log.num.partitions", 5},
                                                          // a late produce must open a hanging transaction
                                                          // (no KIP-890 verification, as before 3.6)
                                                          {"transaction.partition.verification.enable", false}}}}},
        {"topics", {{{"name", "events"}, {"partitions", 2}, {"replication.factor", 3}}}},
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "txn-views.json");
    REQUIRE(loaded.scenario);
    return std::make_unique<scenarios::Scenario>(*loaded.scenario);
}

// A transactional producer played with raw requests (as txn_coordinator_cluster_test.cpp does).
struct TvwDriver {
    scenarios::ScenarioRun& run;
    kafka::World& world;
    sim::NodeId node;
    int32_t correlation = 1;

    explicit TvwDriver(scenarios::ScenarioRun& r)
        : run(r), world(r.cluster().world()), node(world.add_node("txn-driver", [] { return std::make_unique<TvwInboxNode>(); })) {
        world.start(node);
    }
    sim::NodeId broker_node(int32_t id) { return world.find("broker:" + std::to_string(id)); }

    template <class Resp>
    std::optional<Resp> call(sim::NodeId to, kafka::Message msg, int32_t cid) {
        kafka::Context(world, node).send(to, std::move(msg));
        const sim::Time until = run.now() + sim::seconds(10);
        while (run.now() < until) {
            run.advance_to(run.now() + sim::milliseconds(50));
            auto& inbox = world.node_as<TvwInboxNode>(node)->inbox;
            for (auto it = inbox.begin(); it != inbox.end(); ++it)
                if (const auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == cid) {
                    Resp out = *r;
                    inbox.erase(it);
                    return out;
                }
        }
        return std::nullopt;
    }

    int32_t find_coordinator() {
        for (int attempt = 0; attempt < 60; ++attempt) {
            kafka::FindCoordinatorRequest req;
            req.correlation_id = correlation++;
            req.group_id = tvw_txn_id;
            req.key_type = kafka::coordinator_key_transaction;
            const int32_t cid = req.correlation_id;
            auto r = call<kafka::FindCoordinatorResponse>(broker_node(1 + attempt % 3), std::move(req), cid);
            if (r && r->error == kafka::Error::none) return r->node_id;
            run.advance_to(run.now() + sim::milliseconds(500));
        }
        return -1;
    }

    kafka::InitProducerIdResponse init_producer_id(int32_t coordinator) {
        kafka::InitProducerIdResponse last;
        for (int attempt = 0; attempt < 30; ++attempt) {
            kafka::InitProducerIdRequest req;
            req.correlation_id = correlation++;
            req.transactional_id = tvw_txn_id;
            const int32_t cid = req.correlation_id;
            auto r = call<kafka::InitProducerIdResponse>(broker_node(coordinator), std::move(req), cid);
            if (r) last = *r;
            if (r && r->error == kafka::Error::none) return *r;
            run.advance_to(run.now() + sim::milliseconds(500));
        }
        return last;
    }

    bool add_partitions(int32_t coordinator, int64_t pid, int16_t epoch) {
        kafka::AddPartitionsToTxnRequest req;
        req.correlation_id = correlation++;
        req.transactional_id = tvw_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.partitions = {{"events", 0}, {"events", 1}};
        const int32_t cid = req.correlation_id;
        auto r = call<kafka::AddPartitionsToTxnResponse>(broker_node(coordinator), std::move(req), cid);
        if (!r) return false;
        for (const auto& pr : r->results)
            if (pr.error != kafka::Error::none) return false;
        return true;
    }

    kafka::Error produce(int32_t partition, int64_t pid, int16_t epoch, int32_t first_seq, int32_t count) {
        scenarios::ClusterModel& cluster = run.cluster();
        const kafka::TopicImage* topic = cluster.metadata()->topic("events");
        REQUIRE(topic != nullptr);
        kafka::RecordBatch b;
        b.record_count = count;
        b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
        b.client = 911;
        b.first_seq = static_cast<uint32_t>(first_seq);
        b.producer_id = pid;
        b.producer_epoch = epoch;
        b.base_sequence = first_seq;
        b.is_transactional = true;
        b.create_time = run.now();
        kafka::ProduceRequest req;
        req.correlation_id = correlation++;
        req.acks = -1;
        req.partitions.push_back({topic->partitions.at(static_cast<size_t>(partition)).tp, b});
        const int32_t cid = req.correlation_id;
        auto r = call<kafka::ProduceResponse>(broker_node(cluster.partition_leader("events", partition)), std::move(req), cid);
        if (!r || r->partitions.size() != 1) return kafka::Error::request_timed_out;
        return r->partitions[0].error;
    }

    kafka::Error end_txn(int32_t coordinator, int64_t pid, int16_t epoch, bool commit) {
        kafka::EndTxnRequest req;
        req.correlation_id = correlation++;
        req.transactional_id = tvw_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.committed = commit;
        const int32_t cid = req.correlation_id;
        auto r = call<kafka::EndTxnResponse>(broker_node(coordinator), std::move(req), cid);
        return r ? r->error : kafka::Error::request_timed_out;
    }
};

}  // namespace

TEST_CASE("kafka-transactions views from a cluster: list, describe, and find-hanging after a late produce",
          "[describe][txn]") {
    auto scenario = tvw_txn_scenario();
    scenarios::RunOptions options;
    options.seed = 11;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    CHECK_FALSE(reports::has_transactions(run.cluster()));
    CHECK_FALSE(reports::gather_transaction_description(run.cluster(), tvw_txn_id));

    TvwDriver d(run);
    const int32_t coordinator = d.find_coordinator();
    REQUIRE(coordinator >= 0);
    const kafka::InitProducerIdResponse init = d.init_producer_id(coordinator);
    REQUIRE(init.error == kafka::Error::none);
    CHECK(reports::has_transactions(run.cluster()));
    auto empty = reports::gather_transaction_description(run.cluster(), tvw_txn_id);
    REQUIRE(empty);
    CHECK(empty->state == "Empty");
    CHECK_FALSE(empty->start_time_ms);

    REQUIRE(d.add_partitions(coordinator, init.producer_id, init.producer_epoch));
    CHECK(d.produce(0, init.producer_id, init.producer_epoch, 0, 3) == kafka::Error::none);
    CHECK(d.produce(1, init.producer_id, init.producer_epoch, 0, 3) == kafka::Error::none);

    const std::vector<reports::TransactionListingView> listed = reports::gather_transaction_listings(run.cluster());
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].transactional_id == tvw_txn_id);
    CHECK(listed[0].coordinator == coordinator);
    CHECK(listed[0].producer_id == init.producer_id);
    CHECK(listed[0].state == "Ongoing");
    auto ongoing = reports::gather_transaction_description(run.cluster(), tvw_txn_id);
    REQUIRE(ongoing);
    CHECK(ongoing->coordinator_id == coordinator);
    CHECK(ongoing->timeout_ms == 60000);
    REQUIRE(ongoing->start_time_ms);
    CHECK(ongoing->now_ms >= *ongoing->start_time_ms);
    CHECK(ongoing->partitions == std::vector<reports::PartitionKey>{{"events", 0}, {"events", 1}});
    // Open on both partitions, and the coordinator lists both: nothing hangs.
    CHECK(reports::gather_hanging_transactions(run.cluster(), {"events"}, 0).empty());

    REQUIRE(d.end_txn(coordinator, init.producer_id, init.producer_epoch, true) == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(5));
    CHECK(reports::gather_transaction_listings(run.cluster()).at(0).state == "CompleteCommit");
    CHECK(reports::gather_transaction_description(run.cluster(), tvw_txn_id)->partitions.empty());

    // KAFKA-12671: a transactional batch that arrives after its transaction completed opens a
    // transaction on events/0 that no coordinator lists: no marker will ever close it.
    CHECK(d.produce(0, init.producer_id, init.producer_epoch, 3, 2) == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(1));
    const auto hanging = reports::gather_hanging_transactions(run.cluster(), {"events"}, 0);
    REQUIRE(hanging.size() == 1);
    CHECK(hanging[0].topic == "events");
    CHECK(hanging[0].partition == 0);
    CHECK(hanging[0].producer_id == init.producer_id);
    CHECK(hanging[0].start_offset == 4);  // 3 records and the COMMIT marker before it
    CHECK(hanging[0].duration_min == 0);
    // With the tool's default --max-transaction-timeout of 15 minutes it is too young to show.
    CHECK(reports::gather_hanging_transactions(run.cluster(), {"events"}, 15 * 60000).empty());
}

// ---------------------------------------------------------------- the command

namespace {

struct TvwOutput {
    int exit_code = -1;
    std::string text;
};

TvwOutput tvw_describe(const std::string& args) {
    static int counter = 0;
    fs::path out = fs::temp_directory_path() /
                   ("kafkasim-txn-describe-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".txt");
    std::string command = "cd '" + std::string(KAFKASIM_SOURCE_DIR) + "' && '" + std::string(KAFKASIM_BINARY) +
                          "' describe " + args + " > '" + out.string() + "' 2>&1";
    int status = std::system(command.c_str());
    TvwOutput r;
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    r.text = s.str();
    std::error_code ec;
    fs::remove(out, ec);
    return r;
}

}  // namespace

TEST_CASE("kafkasim describe --what transactions: the tool's commands, shown only when asked without transactions",
          "[describe][txn][cli]") {
    TvwOutput r = tvw_describe("leader-crash-acks-all --at 5s --what transactions");
    INFO(r.text);
    CHECK(r.exit_code == 0);
    CHECK(tvw_has(r.text, "$ kafka-transactions.sh --bootstrap-server localhost:9092 list\n"
                      "TransactionalId\tCoordinator\tProducerId\tTransactionState\t\n"));
    CHECK(tvw_has(r.text, "$ kafka-transactions.sh --bootstrap-server localhost:9092 find-hanging --topic orders "
                      "--max-transaction-timeout 0\nTopic\tPartition\tProducerId\t"));
    CHECK(tvw_has(r.text, "# --max-transaction-timeout 0 (the tool's default is 15 minutes"));
    CHECK_FALSE(tvw_has(r.text, "kafka-topics.sh"));

    TvwOutput id = tvw_describe("leader-crash-acks-all --at 5s --transactional-id nope --max-transaction-timeout 15");
    INFO(id.text);
    CHECK(id.exit_code == 0);
    CHECK(tvw_has(id.text, "describe --transactional-id nope\nFailed to describe transaction state of transactional-id "
                       "`nope`: The transactionalId could not be found."));
    CHECK(tvw_has(id.text, "find-hanging --topic orders --max-transaction-timeout 15\n"));

    // A run without transactions describes as it did before: no transactions section.
    TvwOutput plain = tvw_describe("leader-crash-acks-all --at 5s");
    CHECK(plain.exit_code == 0);
    CHECK_FALSE(tvw_has(plain.text, "kafka-transactions.sh"));

    CHECK(tvw_describe("leader-crash-acks-all --at 5s --max-transaction-timeout soon").exit_code == 2);
}

// ---------------------------------------------------------------- metrics and plots

namespace {

scenarios::RunData sampled_run(bool transactions) {
    scenarios::RunData run;
    run.end = sim::time_zero + sim::seconds(4);
    scenarios::PartitionSnapshot p;
    p.tp = {1, 0};
    p.topic = "orders";
    run.final_state.partitions.push_back(p);
    for (int s = 0; s <= 4; ++s) {
        scenarios::Sample sample;
        sample.t = sim::time_zero + sim::seconds(s);
        scenarios::PartitionSample ps;
        ps.leader = 1;
        ps.isr_size = ps.replica_count = 1;
        ps.high_watermark = ps.log_end_offset = 10 * s;
        ps.last_stable_offset = ps.high_watermark;
        if (transactions && s >= 1 && s <= 2) {
            ps.open_transactions = {{8, 1000}};
            ps.last_stable_offset = 8;
        }
        sample.partitions.push_back(ps);
        run.samples.push_back(sample);
    }
    return run;
}

}  // namespace

TEST_CASE("metrics and plots: LastStableOffsetLag, open-transactions and the transactions plot only with transactions",
          "[reports][txn]") {
    const scenarios::RunData with = sampled_run(true);
    CHECK(reports::has_transactions(with));
    const reports::MetricsTable m = reports::build_metrics(with);
    const reports::MetricColumn* lag = m.find("orders/0.LastStableOffsetLag");
    const reports::MetricColumn* lso = m.find("orders/0.last-stable-offset");
    const reports::MetricColumn* open = m.find("open-transactions");
    REQUIRE(lag != nullptr);
    REQUIRE(lso != nullptr);
    REQUIRE(open != nullptr);
    CHECK(lag->values == std::vector<double>{0, 2, 12, 0, 0});
    CHECK(lso->values == std::vector<double>{0, 8, 8, 30, 40});
    CHECK(open->values == std::vector<double>{0, 1, 1, 0, 0});
    std::ostringstream csv;
    reports::write_metrics_csv(csv, m);
    CHECK(tvw_has(csv.str(), ",orders/0.last-stable-offset,orders/0.LastStableOffsetLag,"));
    const reports::PlotScript script = reports::plot_script(with, m, {});
    bool drawn = false;
    for (const auto& p : script.plots) drawn = drawn || p.name == "transactions";
    CHECK(drawn);
    CHECK(tvw_has(script.text, "LastStableOffsetLag per partition"));

    const scenarios::RunData without = sampled_run(false);
    CHECK_FALSE(reports::has_transactions(without));
    const reports::MetricsTable plain = reports::build_metrics(without);
    CHECK(plain.find("orders/0.LastStableOffsetLag") == nullptr);
    CHECK(plain.find("open-transactions") == nullptr);
    for (const auto& p : reports::plot_script(without, plain, {}).plots) CHECK(p.name != "transactions");
}

// ---------------------------------------------------------------- narration

TEST_CASE("narration: a transaction's states and markers are told once, then counted", "[narration][txn]") {
    kafka::Trace trace;
    trace.set_node_name(0, "broker:1");  // the coordinator
    trace.set_node_name(1, "broker:2");  // the leader of orders/0
    for (int i = 0; i < 30; ++i) {
        const sim::Time t = sim::time_zero + sim::seconds(10) + sim::milliseconds(100 * i);
        const int64_t partitions = 1 + i % 3;
        trace.record(t, 0, kafka::Event{kafka::TransactionStateChanged{"tx", 1000, 0, "Ongoing", partitions, ""}});
        trace.record(t + sim::milliseconds(20), 0,
                     kafka::Event{kafka::TransactionStateChanged{"tx", 1000, 0, "PrepareCommit", partitions, "EndTxn"}});
        kafka::TxnMarkerWritten marker;
        marker.topic = "orders";
        marker.partition = 0;
        marker.producer_id = 1000;
        marker.producer_epoch = 0;
        marker.coordinator_epoch = 3;
        marker.result = "COMMIT";
        marker.offset = 10 * i + 9;
        marker.last_stable_offset = 10 * i;
        marker.high_watermark = 10 * i + 9;
        trace.record(t + sim::milliseconds(30), 1, kafka::Event{marker});
        trace.record(t + sim::milliseconds(40), 0,
                     kafka::Event{kafka::TransactionStateChanged{"tx", 1000, 0, "CompleteCommit", partitions,
                                                                 "every marker is written"}});
    }
    scenarios::Scenario s;
    reports::Narrator narrator(s);
    std::vector<std::string> lines;
    for (const auto& ev : trace.events())
        for (auto& l : narrator.event(ev, trace)) lines.push_back(l);
    for (auto& l : narrator.finish(sim::time_zero + sim::seconds(20))) lines.push_back(l);
    INFO(tvw_all(lines));
    REQUIRE(lines.size() == 8);  // 120 events: each kind of line once, then its count
    CHECK(lines[0] == "t=10.000s   broker:1         transaction tx (producer id 1000, epoch 0) is Ongoing on 1 partition "
                      "(AddPartitionsToTxn)");
    CHECK(lines[1] == "t=10.020s   broker:1         transaction tx (producer id 1000, epoch 0) is PrepareCommit, written to "
                      "__transaction_state: the commit is decided and commitTransaction() returns; COMMIT markers go to "
                      "its 1 partition (EndTxn from the producer)");
    CHECK(lines[2] == "t=10.030s   broker:2         orders/0: COMMIT marker of producer id 1000 epoch 0 written at "
                      "offset 9: its transaction ends here, and read_committed consumers read past it once the high "
                      "watermark (now 9) passes the marker; last stable offset now 0");
    CHECK(lines[3] == "t=10.040s   broker:1         transaction tx (producer id 1000, epoch 0) is CompleteCommit: every "
                      "COMMIT marker is written");
    CHECK(tvw_has(tvw_all(lines), "broker:2         said 30 times from 10.030s to 12.930s: orders/0: COMMIT markers of producer "
                          "id 1000 epoch 0 written"));
    CHECK(tvw_has(tvw_all(lines), "said 30 times from 10.000s to 12.900s: transaction tx (producer id 1000, epoch 0) is Ongoing"));
}
