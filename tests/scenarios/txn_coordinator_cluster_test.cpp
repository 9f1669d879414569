// The transaction coordinator hosted by the brokers of a cluster (KRaft, 3 brokers): a driver
// node plays the transactional producer with raw requests (FindCoordinator with key_type
// TRANSACTION, InitProducerId, AddPartitionsToTxn, transactional Produce, EndTxn). The
// coordinator's WriteTxnMarkers must put the COMMIT or ABORT marker on both partitions on every
// replica, the LSO must reach the high watermark, and a read_committed consumer must see the
// committed records and none of the aborted ones. When the coordinator crashes right after
// PrepareCommit is durable, the next leader of its __transaction_state partition loads the
// transaction and completes the commit. Producer ids (InitProducerId without a transactional id)
// come from per-broker blocks and are never handed out twice, not even across a restart.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "broker/broker_node.hpp"
#include "clients/consumer_client.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

struct TccInboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

constexpr uint32_t txn_client = 911;  // the transactional "client" for the history
const std::string tcc_txn_id = "txn-1";

std::unique_ptr<scenarios::Scenario> tcc_txn_scenario() {
    const nlohmann::json j = {
        {"name", "txn-coordinator"},
        {"duration", "120s"},
        {"kafka", {{"version", "3.7"}, {"brokers", 3}, {"config", {{"transaction.state.log.num.partitions", 5}}}}},
        {"topics", {{{"name", "events"}, {"partitions", 2}, {"replication.factor", 3}}}},
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "txn.json");
    REQUIRE(loaded.scenario);
    return std::make_unique<scenarios::Scenario>(*loaded.scenario);
}

// Drives one transaction with raw requests.
struct TccDriver {
    scenarios::ScenarioRun& run;
    scenarios::ClusterModel& cluster;
    kafka::World& world;
    sim::NodeId node;
    int32_t correlation = 1;

    explicit TccDriver(scenarios::ScenarioRun& r)
        : run(r), cluster(r.cluster()), world(r.cluster().world()),
          node(world.add_node("txn-driver", [] { return std::make_unique<TccInboxNode>(); })) {
        world.start(node);
    }

    sim::NodeId broker_node(int32_t id) { return world.find("broker:" + std::to_string(id)); }

    // Sends and advances until the answer (matched by correlation id) is in, at most `limit`.
    template <class Resp>
    std::optional<Resp> call(sim::NodeId to, kafka::Message msg, int32_t cid,
                             sim::Duration limit = sim::seconds(10)) {
        kafka::Context(world, node).send(to, std::move(msg));
        const sim::Time until = run.now() + limit;
        while (run.now() < until) {
            run.advance_to(run.now() + sim::milliseconds(50));
            auto& inbox = world.node_as<TccInboxNode>(node)->inbox;
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
            req.group_id = tcc_txn_id;
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
            req.transactional_id = tcc_txn_id;
            const int32_t cid = req.correlation_id;
            auto r = call<kafka::InitProducerIdResponse>(broker_node(coordinator), std::move(req), cid);
            if (r) last = *r;
            if (r && r->error == kafka::Error::none) return *r;
            run.advance_to(run.now() + sim::milliseconds(500));
        }
        return last;
    }

    std::vector<kafka::Error> add_partitions(int32_t coordinator, int64_t pid, int16_t epoch) {
        kafka::AddPartitionsToTxnRequest req;
        req.correlation_id = correlation++;
        req.transactional_id = tcc_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.partitions = {{"events", 0}, {"events", 1}};
        const int32_t cid = req.correlation_id;
        auto r = call<kafka::AddPartitionsToTxnResponse>(broker_node(coordinator), std::move(req), cid);
        std::vector<kafka::Error> errors;
        if (r)
            for (const auto& pr : r->results) errors.push_back(pr.error);
        return errors;
    }

    kafka::Error produce(int32_t partition, int64_t pid, int16_t epoch, int32_t count) {
        const kafka::TopicImage* topic = cluster.metadata()->topic("events");
        REQUIRE(topic != nullptr);
        kafka::RecordBatch b;
        b.record_count = count;
        b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
        b.client = txn_client;
        b.first_seq = 0;
        b.producer_id = pid;
        b.producer_epoch = epoch;
        b.base_sequence = 0;
        b.is_transactional = true;
        kafka::ProduceRequest req;
        req.correlation_id = correlation++;
        req.acks = -1;
        req.transactional_id = tcc_txn_id;  // the leader verifies the partition with the coordinator (KIP-890)
        req.partitions.push_back({topic->partitions.at(static_cast<size_t>(partition)).tp, b});
        const int32_t cid = req.correlation_id;
        auto r = call<kafka::ProduceResponse>(broker_node(cluster.partition_leader("events", partition)), std::move(req),
                                              cid);
        if (!r || r->partitions.size() != 1) return kafka::Error::request_timed_out;
        return r->partitions[0].error;
    }

    kafka::EndTxnRequest end_txn_request(int64_t pid, int16_t epoch, bool commit) {
        kafka::EndTxnRequest req;
        req.correlation_id = correlation++;
        req.transactional_id = tcc_txn_id;
        req.producer_id = pid;
        req.producer_epoch = epoch;
        req.committed = commit;
        return req;
    }
};

struct Opened {
    int32_t coordinator = -1;
    int64_t pid = -1;
    int16_t epoch = -1;
};

// FindCoordinator, InitProducerId, AddPartitionsToTxn and 3 records on each partition.
Opened open_transaction(TccDriver& d) {
    Opened o;
    o.coordinator = d.find_coordinator();
    REQUIRE(o.coordinator >= 0);
    const kafka::InitProducerIdResponse init = d.init_producer_id(o.coordinator);
    REQUIRE(init.error == kafka::Error::none);
    CHECK(init.producer_id >= 0);
    CHECK(init.producer_epoch == 0);
    o.pid = init.producer_id;
    o.epoch = init.producer_epoch;
    CHECK(d.add_partitions(o.coordinator, o.pid, o.epoch) ==
          std::vector<kafka::Error>{kafka::Error::none, kafka::Error::none});
    CHECK(d.produce(0, o.pid, o.epoch, 3) == kafka::Error::none);
    CHECK(d.produce(1, o.pid, o.epoch, 3) == kafka::Error::none);
    return o;
}

// On every live replica of both partitions: the marker right after the 3 records, and the LSO
// at the high watermark.
void check_markers(scenarios::ClusterModel& cluster, bool commit, int32_t skip_broker = -1) {
    const kafka::TopicImage* topic = cluster.metadata()->topic("events");
    REQUIRE(topic != nullptr);
    for (int32_t partition = 0; partition < 2; ++partition) {
        const kafka::TopicPartition tp = topic->partitions.at(static_cast<size_t>(partition)).tp;
        const int32_t leader = cluster.partition_leader("events", partition);
        REQUIRE(leader >= 0);
        const kafka::Partition* lp = cluster.broker(leader)->partition(tp);
        REQUIRE(lp != nullptr);
        for (int32_t b : lp->assignment().replicas) {
            if (b == skip_broker) continue;
            INFO("partition " << partition << ", broker " << b);
            const kafka::Partition* r = cluster.broker(b)->partition(tp);
            REQUIRE(r != nullptr);
            REQUIRE(r->log().find(3) != nullptr);
            CHECK((commit ? r->log().find(3)->is_commit_marker() : r->log().find(3)->is_abort_marker()));
            CHECK(r->log().log_end_offset() >= 4);
        }
        CHECK(lp->high_watermark() == lp->log().log_end_offset());
        CHECK(lp->last_stable_offset() == lp->high_watermark());
    }
}

std::optional<kafka::TxnState> coordinator_state(scenarios::ClusterModel& cluster, int32_t broker) {
    const auto& txns = cluster.broker(broker)->transaction_coordinator().transactions();
    auto it = txns.find(tcc_txn_id);
    if (it == txns.end()) return std::nullopt;
    return it->second.state;
}

int32_t committed_records(scenarios::ScenarioRun& run) {
    kafka::ConsumerConfig config;
    config.auto_offset_reset = "earliest";
    config.isolation_level = "read_committed";
    const scenarios::ClientNode consumer = run.add_consumer("committed", "events", config);
    run.advance_to(run.now() + sim::seconds(15));
    int32_t n = 0;
    for (const auto& poll : run.cluster().history().polls())
        if (poll.consumer == consumer.ordinal && poll.producer == txn_client) n += poll.count;
    const auto* c = run.cluster().world().node_as<kafka::ConsumerClient>(consumer.node);
    REQUIRE(c != nullptr);
    const kafka::TopicImage* topic = run.cluster().metadata()->topic("events");
    for (int32_t partition = 0; partition < 2; ++partition) {  // past the marker(s): at the end
        const kafka::TopicPartition tp = topic->partitions.at(static_cast<size_t>(partition)).tp;
        const int32_t leader = run.cluster().partition_leader("events", partition);
        REQUIRE(leader >= 0);
        CHECK(c->position(tp) == run.cluster().broker(leader)->partition(tp)->high_watermark());
    }
    return n;
}

}  // namespace

TEST_CASE("transaction coordinator in a cluster: a committed transaction's markers reach every replica",
          "[scenarios][transactions]") {
    auto scenario = tcc_txn_scenario();
    scenarios::RunOptions options;
    options.seed = 7;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TccDriver d(run);
    const Opened o = open_transaction(d);
    CHECK(coordinator_state(run.cluster(), o.coordinator) == kafka::TxnState::ongoing);

    const kafka::EndTxnRequest end = d.end_txn_request(o.pid, o.epoch, true);
    auto r = d.call<kafka::EndTxnResponse>(d.broker_node(o.coordinator), end, end.correlation_id);
    REQUIRE(r);
    CHECK(r->error == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(5));

    CHECK(coordinator_state(run.cluster(), o.coordinator) == kafka::TxnState::complete_commit);
    check_markers(run.cluster(), true);
    CHECK(committed_records(run) == 6);

    // __transaction_state was created as the transaction state log: compacted, its min ISR.
    const kafka::TopicImage* state = run.cluster().metadata()->topic("__transaction_state");
    REQUIRE(state != nullptr);
    CHECK(state->partitions.size() == 5);
    CHECK(state->configs.at("min.insync.replicas") == kafka::ConfigValue{int64_t{2}});
    CHECK(state->configs.at("cleanup.policy") == kafka::ConfigValue{std::string("compact")});
}

TEST_CASE("transaction coordinator in a cluster: an aborted transaction is invisible to read_committed",
          "[scenarios][transactions]") {
    auto scenario = tcc_txn_scenario();
    scenarios::RunOptions options;
    options.seed = 8;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TccDriver d(run);
    const Opened o = open_transaction(d);

    const kafka::EndTxnRequest end = d.end_txn_request(o.pid, o.epoch, false);
    auto r = d.call<kafka::EndTxnResponse>(d.broker_node(o.coordinator), end, end.correlation_id);
    REQUIRE(r);
    CHECK(r->error == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(5));

    CHECK(coordinator_state(run.cluster(), o.coordinator) == kafka::TxnState::complete_abort);
    check_markers(run.cluster(), false);
    CHECK(committed_records(run) == 0);
}

TEST_CASE("transaction coordinator in a cluster: the next coordinator completes a commit after a crash",
          "[scenarios][transactions]") {
    auto scenario = tcc_txn_scenario();
    scenarios::RunOptions options;
    options.seed = 9;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TccDriver d(run);
    const Opened o = open_transaction(d);

    // EndTxn is answered once PrepareCommit is durable, and the markers go out at once: the
    // coordinator crashes the moment the answer arrives, before any marker is acknowledged.
    const kafka::EndTxnRequest end = d.end_txn_request(o.pid, o.epoch, true);
    kafka::Context(d.world, d.node).send(d.broker_node(o.coordinator), end);
    bool answered = false;
    for (int i = 0; i < 200000 && !answered; ++i) {
        REQUIRE(run.step());
        for (const auto& m : d.world.node_as<TccInboxNode>(d.node)->inbox)
            if (const auto* e = std::get_if<kafka::EndTxnResponse>(&m); e != nullptr && e->correlation_id == end.correlation_id) {
                CHECK(e->error == kafka::Error::none);
                answered = true;
            }
    }
    REQUIRE(answered);
    CHECK(coordinator_state(run.cluster(), o.coordinator) == kafka::TxnState::prepare_commit);
    scenarios::FaultSpec crash;
    crash.action = scenarios::FaultAction::crash;
    scenarios::Target target;
    target.kind = scenarios::Target::Kind::broker;
    target.text = "broker:" + std::to_string(o.coordinator);
    target.id = o.coordinator;
    crash.targets = {target};
    run.fire_fault(crash);

    run.advance_to(run.now() + sim::seconds(30));
    const kafka::TopicImage* state = run.cluster().metadata()->topic("__transaction_state");
    REQUIRE(state != nullptr);
    const int32_t partition = kafka::transaction_partition_for(tcc_txn_id, 5);
    const int32_t next = run.cluster().partition_leader("__transaction_state", partition);
    REQUIRE(next >= 0);
    CHECK(next != o.coordinator);
    CHECK(coordinator_state(run.cluster(), next) == kafka::TxnState::complete_commit);
    check_markers(run.cluster(), true, o.coordinator);
    CHECK(committed_records(run) == 6);
}

TEST_CASE("transaction coordinator in a cluster: producer ids are unique across brokers and restarts",
          "[scenarios][transactions]") {
    auto scenario = tcc_txn_scenario();
    scenarios::RunOptions options;
    options.seed = 10;
    scenarios::ScenarioRun run(*scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    TccDriver d(run);
    std::set<int64_t> ids;
    auto idempotent_id = [&](int32_t broker) {
        kafka::InitProducerIdRequest req;  // no transactional id: an idempotent producer's
        req.correlation_id = d.correlation++;
        const int32_t cid = req.correlation_id;
        auto r = d.call<kafka::InitProducerIdResponse>(d.broker_node(broker), std::move(req), cid);
        REQUIRE(r);
        CHECK(r->error == kafka::Error::none);
        CHECK(r->producer_epoch == 0);
        CHECK(ids.insert(r->producer_id).second);
        return r->producer_id;
    };
    for (int32_t b = 1; b <= 3; ++b) {
        const int64_t first = idempotent_id(b);
        CHECK(first == b * 1000);  // block 0 of broker b
        CHECK(idempotent_id(b) == first + 1);
    }
    // A restarted broker takes its next block: the ids it handed out before are never reused.
    for (scenarios::FaultAction action : {scenarios::FaultAction::crash, scenarios::FaultAction::restart}) {
        scenarios::FaultSpec f;
        f.action = action;
        scenarios::Target target;
        target.kind = scenarios::Target::Kind::broker;
        target.text = "broker:2";
        target.id = 2;
        f.targets = {target};
        run.fire_fault(f);
        run.advance_to(run.now() + sim::seconds(5));
    }
    CHECK(idempotent_id(2) == (1 * 1024 + 2) * 1000);
}
