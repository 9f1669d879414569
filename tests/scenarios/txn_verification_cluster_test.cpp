// KIP-890 in a cluster (KRaft, 3 brokers), driven by raw requests from a test node:
//  - the KAFKA-12671 hanging transaction: a transactional batch that arrives after its
//    transaction was aborted. Without verification (before 3.6, or
//    transaction.partition.verification.enable=false) the leader appends it, it opens a
//    transaction no marker will end, and the partition's LSO stays below it. With verification
//    the leader asks the coordinator, which says the partition is not in a transaction, and the
//    batch is refused (INVALID_TXN_STATE before 3.8, TRANSACTION_ABORTABLE from 3.8): the LSO
//    reaches the high watermark.
//  - transaction.version 2 (4.0): the producer sends no AddPartitionsToTxn; the leader adds the
//    partition, the commit's markers carry the bumped epoch, and the next transaction runs on it.
//  - before 0.11 the transaction RPCs do not exist.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "broker/broker_node.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

struct TvcInboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

const std::string tvc_txn_id = "late-txn";

std::unique_ptr<scenarios::Scenario> scenario_for(const std::string& version, nlohmann::json config = nlohmann::json::object()) {
    config["transaction.state.log.num.partitions"] = 5;
    nlohmann::json kafka = {{"version", version}, {"brokers", 3}, {"config", config}};
    if (version == "0.10") {  // no KRaft before 2.8
        kafka["metadata"] = "zookeeper";
        kafka["zookeeper"] = 3;
    }
    const nlohmann::json j = {
        {"name", "txn-verification"},
        {"duration", "120s"},
        {"kafka", kafka},
        {"topics", {{{"name", "events"}, {"partitions", 1}, {"replication.factor", 3}}}},
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "txn-verification.json");
    REQUIRE(loaded.scenario);
    return std::make_unique<scenarios::Scenario>(*loaded.scenario);
}

struct TvcDriver {
    scenarios::ScenarioRun& run;
    scenarios::ClusterModel& cluster;
    kafka::World& world;
    sim::NodeId node;
    int32_t correlation = 1;
    int32_t coordinator = -1;
    int64_t pid = -1;
    int16_t epoch = -1;

    explicit TvcDriver(scenarios::ScenarioRun& r)
        : run(r), cluster(r.cluster()), world(r.cluster().world()),
          node(world.add_node("txn-driver", [] { return std::make_unique<TvcInboxNode>(); })) {
        world.start(node);
    }

    sim::NodeId broker_node(int32_t id) { return world.find("broker:" + std::to_string(id)); }

    template <class Resp, class Req>
    std::optional<Resp> call(sim::NodeId to, Req req) {
        req.correlation_id = correlation++;
        const int32_t cid = req.correlation_id;
        kafka::Context(world, node).send(to, std::move(req));
        const sim::Time until = run.now() + sim::seconds(10);
        while (run.now() < until) {
            run.advance_to(run.now() + sim::milliseconds(50));
            auto& inbox = world.node_as<TvcInboxNode>(node)->inbox;
            for (auto it = inbox.begin(); it != inbox.end(); ++it)
                if (const auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == cid) {
                    Resp out = *r;
                    inbox.erase(it);
                    return out;
                }
        }
        return std::nullopt;
    }

    kafka::FindCoordinatorResponse find_coordinator_once(int32_t broker) {
        kafka::FindCoordinatorRequest req;
        req.group_id = tvc_txn_id;
        req.key_type = kafka::coordinator_key_transaction;
        auto r = call<kafka::FindCoordinatorResponse>(broker_node(broker), req);
        REQUIRE(r);
        return *r;
    }

    // FindCoordinator and InitProducerId, retried while the coordinator is being set up.
    void init() {
        for (int attempt = 0; attempt < 60 && coordinator < 0; ++attempt) {
            kafka::FindCoordinatorResponse r = find_coordinator_once(1 + attempt % 3);
            if (r.error == kafka::Error::none) coordinator = r.node_id;
            else run.advance_to(run.now() + sim::milliseconds(500));
        }
        REQUIRE(coordinator >= 0);
        for (int attempt = 0; attempt < 30; ++attempt) {
            kafka::InitProducerIdRequest req;
            req.transactional_id = tvc_txn_id;
            auto r = call<kafka::InitProducerIdResponse>(broker_node(coordinator), req);
            if (r && r->error == kafka::Error::none) {
                pid = r->producer_id;
                epoch = r->producer_epoch;
                return;
            }
            run.advance_to(run.now() + sim::milliseconds(500));
        }
        FAIL("InitProducerId did not succeed");
    }

    kafka::Error add_partition() {
        kafka::AddPartitionsToTxnRequest req;
        req.transactional_id = tvc_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.partitions = {{"events", 0}};
        auto r = call<kafka::AddPartitionsToTxnResponse>(broker_node(coordinator), req);
        REQUIRE(r);
        REQUIRE(r->results.size() == 1);
        return r->results[0].error;
    }

    kafka::TopicPartition tp() {
        const kafka::TopicImage* topic = cluster.metadata()->topic("events");
        REQUIRE(topic != nullptr);
        return topic->partitions.at(0).tp;
    }
    int32_t leader() { return cluster.partition_leader("events", 0); }
    const kafka::Partition& leader_partition() {
        const kafka::Partition* p = cluster.broker(leader())->partition(tp());
        REQUIRE(p != nullptr);
        return *p;
    }

    kafka::Error produce(int16_t with_epoch, int32_t base_sequence, int32_t count,
                         int16_t api_version = kafka::latest_produce_version) {
        kafka::RecordBatch b;
        b.record_count = count;
        b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
        b.client = 912;
        b.first_seq = static_cast<uint32_t>(base_sequence);
        b.producer_id = pid;
        b.producer_epoch = with_epoch;
        b.base_sequence = base_sequence;
        b.is_transactional = true;
        kafka::ProduceRequest req;
        req.acks = -1;
        req.api_version = api_version;
        req.transactional_id = tvc_txn_id;
        req.partitions.push_back({tp(), b});
        auto r = call<kafka::ProduceResponse>(broker_node(leader()), req);
        if (!r || r->partitions.size() != 1) return kafka::Error::request_timed_out;
        return r->partitions[0].error;
    }

    kafka::EndTxnResponse end(bool commit) {
        kafka::EndTxnRequest req;
        req.transactional_id = tvc_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.committed = commit;
        auto r = call<kafka::EndTxnResponse>(broker_node(coordinator), req);
        REQUIRE(r);
        return *r;
    }

    std::optional<kafka::TxnState> state() {
        const auto& txns = cluster.broker(coordinator)->transaction_coordinator().transactions();
        auto it = txns.find(tvc_txn_id);
        if (it == txns.end()) return std::nullopt;
        return it->second.state;
    }
};

// Txn N writes 3 records (0..2) and is aborted (marker at 3); then its delayed 4th record
// arrives at the leader with the same producer id and epoch. What the leader answered it, and
// the partition 20 s later.
struct LateBatch {
    kafka::Error error = kafka::Error::none;
    int64_t log_end_offset = -1, high_watermark = -1, last_stable_offset = -1;
    size_t open_transactions = 0;
    std::vector<kafka::TxnPartitionVerified> verifications;
};
LateBatch late_batch_after_abort(const std::string& version, nlohmann::json config) {
    auto scenario = scenario_for(version, std::move(config));
    scenarios::RunOptions options;
    options.seed = 21;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TvcDriver d(run);
    d.init();
    REQUIRE(d.add_partition() == kafka::Error::none);
    REQUIRE(d.produce(d.epoch, 0, 3) == kafka::Error::none);
    REQUIRE(d.end(false).error == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(5));
    REQUIRE(d.state() == kafka::TxnState::complete_abort);
    REQUIRE(d.leader_partition().log().find(3) != nullptr);
    REQUIRE(d.leader_partition().log().find(3)->is_abort_marker());
    CHECK(d.leader_partition().last_stable_offset() == 4);
    LateBatch out;
    out.error = d.produce(d.epoch, 3, 1);
    run.advance_to(run.now() + sim::seconds(20));
    CHECK(d.state() == kafka::TxnState::complete_abort);  // the coordinator never hears of it
    const kafka::Partition& p = d.leader_partition();
    out.log_end_offset = p.log().log_end_offset();
    out.high_watermark = p.high_watermark();
    out.last_stable_offset = p.last_stable_offset();
    out.open_transactions = p.producer_state().ongoing_transactions().size();
    for (const auto& e : run.cluster().world().trace().events())
        if (const auto* v = std::get_if<kafka::TxnPartitionVerified>(&e.event)) out.verifications.push_back(*v);
    return out;
}

}  // namespace

TEST_CASE("txn verification in a cluster: without verification a late batch after an abort hangs the LSO "
          "(KAFKA-12671)",
          "[scenarios][transactions][kip890]") {
    struct Case {
        const char* version;
        nlohmann::json config;
    };
    for (const Case& c : {Case{"3.5", nlohmann::json::object()},
                          Case{"3.7", {{"transaction.partition.verification.enable", false}}}}) {
        INFO("Kafka " << c.version << " " << c.config.dump());
        const LateBatch late = late_batch_after_abort(c.version, c.config);
        CHECK(late.error == kafka::Error::none);
        CHECK(late.log_end_offset == 5);
        CHECK(late.high_watermark == 5);
        CHECK(late.last_stable_offset == 4);  // stuck below the hanging batch, for good
        CHECK(late.open_transactions == 1);
        CHECK(late.verifications.empty());
    }
}

TEST_CASE("txn verification in a cluster: with verification the late batch is refused and the LSO reaches the high "
          "watermark",
          "[scenarios][transactions][kip890]") {
    struct Case {
        const char* version;
        kafka::Error expected;
    };
    for (const Case& c : {Case{"3.6", kafka::Error::invalid_txn_state}, Case{"3.8", kafka::Error::transaction_abortable}}) {
        INFO("Kafka " << c.version);
        const LateBatch late = late_batch_after_abort(c.version, nlohmann::json::object());
        CHECK(late.error == c.expected);
        CHECK(late.log_end_offset == 4);
        CHECK(late.last_stable_offset == late.high_watermark);
        CHECK(late.open_transactions == 0);
        // The first batch was verified (NONE); the late one refused, as the trace tells.
        REQUIRE(late.verifications.size() == 2);
        CHECK(late.verifications[0].answer == "NONE");
        CHECK_FALSE(late.verifications[0].error);
        CHECK(late.verifications[1].error == std::optional<std::string>(kafka::error_name(c.expected)));
    }
}

TEST_CASE("txn verification in a cluster: transaction.version 2 adds the partition without AddPartitionsToTxn",
          "[scenarios][transactions][kip890]") {
    auto scenario = scenario_for("4.0");
    scenarios::RunOptions options;
    options.seed = 22;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TvcDriver d(run);
    d.init();
    const int16_t first_epoch = d.epoch;

    // A pre-4.0 client (Produce v11) without AddPartitionsToTxn is only verified, and refused.
    CHECK(d.produce(d.epoch, 0, 3, 11) == kafka::Error::transaction_abortable);
    // Produce v12: the leader's AddPartitionsToTxn puts the partition into the transaction.
    CHECK(d.produce(d.epoch, 0, 3) == kafka::Error::none);
    CHECK(d.state() == kafka::TxnState::ongoing);
    const kafka::EndTxnResponse end = d.end(true);
    REQUIRE(end.error == kafka::Error::none);
    CHECK(end.producer_epoch == first_epoch + 1);  // EndTxn v5: the bumped epoch
    run.advance_to(run.now() + sim::seconds(5));
    CHECK(d.state() == kafka::TxnState::complete_commit);
    {
        const kafka::Partition& p = d.leader_partition();
        REQUIRE(p.log().find(3) != nullptr);
        CHECK(p.log().find(3)->is_commit_marker());
        CHECK(p.log().find(3)->producer_epoch == first_epoch + 1);  // the marker carries the bumped epoch
        CHECK(p.last_stable_offset() == p.high_watermark());
    }
    // A late batch of that transaction (old epoch) is fenced by the partition itself.
    CHECK(d.produce(first_epoch, 3, 1) == kafka::Error::invalid_producer_epoch);

    // The next transaction runs on the new epoch, sequences from 0, and commits.
    d.epoch = end.producer_epoch;
    CHECK(d.produce(d.epoch, 0, 2) == kafka::Error::none);
    CHECK(d.state() == kafka::TxnState::ongoing);
    const kafka::EndTxnResponse second = d.end(true);
    REQUIRE(second.error == kafka::Error::none);
    CHECK(second.producer_epoch == first_epoch + 2);
    run.advance_to(run.now() + sim::seconds(5));
    CHECK(d.state() == kafka::TxnState::complete_commit);
    const kafka::Partition& p = d.leader_partition();
    CHECK(p.log().log_end_offset() == 7);  // 0..2, COMMIT, 4..5, COMMIT
    CHECK(p.log().find(6)->is_commit_marker());
    CHECK(p.last_stable_offset() == p.high_watermark());
}

TEST_CASE("txn verification in a cluster: before 0.11 the transaction RPCs are UNSUPPORTED_VERSION",
          "[scenarios][transactions]") {
    auto scenario = scenario_for("0.10");
    scenarios::RunOptions options;
    options.seed = 23;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(15));
    TvcDriver d(run);
    CHECK(d.find_coordinator_once(1).error == kafka::Error::unsupported_version);
    kafka::InitProducerIdRequest init;
    init.transactional_id = tvc_txn_id;
    auto r = d.call<kafka::InitProducerIdResponse>(d.broker_node(1), init);
    REQUIRE(r);
    CHECK(r->error == kafka::Error::unsupported_version);
}

TEST_CASE("txn verification in a cluster: a coordinator that cannot be found makes the batch NOT_ENOUGH_REPLICAS",
          "[scenarios][transactions][kip890]") {
    // No transactional id was ever initialised: __transaction_state does not exist, so the leader
    // has no coordinator to ask (COORDINATOR_NOT_AVAILABLE), which a producer is told as the
    // retriable NOT_ENOUGH_REPLICAS; nothing is appended.
    auto scenario = scenario_for("3.8");
    scenarios::RunOptions options;
    options.seed = 24;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TvcDriver d(run);
    d.pid = 424242;
    d.epoch = 0;
    CHECK(d.produce(0, 0, 2) == kafka::Error::not_enough_replicas);
    CHECK(d.leader_partition().log().log_end_offset() == 0);
    CHECK(d.leader_partition().producer_state().ongoing_transactions().empty());
}
