// The transaction coordinator alone (broker/txn/). The world holds one broker node that is nothing
// but a TransactionCoordinator and its Host (the leader's replica of __transaction_state, whose
// high watermark the test moves, and a marker channel that keeps what it was asked to send), and
// one node for the producer that keeps what it is sent. The network has no latency.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/txn/transaction_coordinator.hpp"

namespace {

using kafka::AddOffsetsToTxnRequest;
using kafka::AddOffsetsToTxnResponse;
using kafka::AddPartitionsToTxnRequest;
using kafka::AddPartitionsToTxnResponse;
using kafka::EndTxnRequest;
using kafka::EndTxnResponse;
using kafka::Error;
using kafka::GroupPartition;
using kafka::InitProducerIdRequest;
using kafka::InitProducerIdResponse;
using kafka::TransactionCoordinator;
using kafka::TxnState;

const std::string txn_id = "checkout-txn";
const GroupPartition tc_orders0{"orders", 0};
const GroupPartition tc_orders1{"orders", 1};

struct TxnBroker : kafka::Node, TransactionCoordinator::Host {
    TransactionCoordinator coordinator;
    std::map<int32_t, std::vector<kafka::RecordBatch>> logs;  // per __transaction_state partition
    std::map<int32_t, int64_t> high_watermarks;
    bool commit_at_once = true;
    int32_t leader_epoch = 3;
    int64_t next_producer_id = 4000;
    std::vector<TransactionCoordinator::MarkerRequest> markers;  // what it was asked to send

    explicit TxnBroker(TransactionCoordinator::Options o) : coordinator(o, *this) {}
    void on_start(kafka::Context& ctx) override { coordinator.start(ctx); }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        std::visit(
            [&](auto& m) {
                if constexpr (requires { coordinator.handle(from, m, ctx); }) coordinator.handle(from, m, ctx);
            },
            msg);
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        REQUIRE(coordinator.owns_timer(tag));
        coordinator.on_timer(tag, ctx);
    }
    std::optional<int64_t> append_txn_records(int32_t partition, std::shared_ptr<const kafka::TransactionRecords> records,
                                              Error&, kafka::Context&) override {
        std::vector<kafka::RecordBatch>& log = logs[partition];
        kafka::RecordBatch b;
        b.base_offset = log.empty() ? 0 : log.back().next_offset();
        b.record_count = records->count();
        b.txn_records = std::move(records);
        log.push_back(b);
        if (commit_at_once) high_watermarks[partition] = b.next_offset();
        return b.next_offset();
    }
    int64_t txn_partition_high_watermark(int32_t partition) const override {
        auto it = high_watermarks.find(partition);
        return it == high_watermarks.end() ? 0 : it->second;
    }
    int32_t txn_partition_leader_epoch(int32_t) const override { return leader_epoch; }
    int64_t allocate_producer_id(kafka::Context&) override { return next_producer_id++; }
    void send_markers(const TransactionCoordinator::MarkerRequest& m, kafka::Context&) override { markers.push_back(m); }
};

struct ProducerNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

struct TcRig {
    kafka::World world{42, sim::NetworkOptions{sim::milliseconds(0), sim::milliseconds(0), {}}};
    sim::NodeId broker_node = sim::no_node;
    sim::NodeId producer_node = sim::no_node;
    int32_t next_correlation = 1;
    int64_t pid = -1;
    int16_t epoch = -1;

    explicit TcRig(TransactionCoordinator::Options o = {}) {
        o.num_partitions = 1;  // every id on partition 0
        broker_node = world.add_node("broker:1", [o] { return std::make_unique<TxnBroker>(o); });
        producer_node = world.add_node("producer:checkout", [] { return std::make_unique<ProducerNode>(); });
        world.start(broker_node);
        world.start(producer_node);
        load();
    }
    TxnBroker& broker() { return *world.node_as<TxnBroker>(broker_node); }
    TransactionCoordinator& coordinator() { return broker().coordinator; }
    std::vector<kafka::RecordBatch>& log() { return broker().logs[0]; }
    const TransactionCoordinator::Metadata& txn() {
        auto it = coordinator().transactions().find(txn_id);
        REQUIRE(it != coordinator().transactions().end());
        return it->second;
    }
    void settle() { world.run_until(world.now()); }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }
    template <class F>
    void as_broker(F f) {
        kafka::Context ctx(world, broker_node);
        f(ctx);
        settle();
    }
    void load() { as_broker([&](kafka::Context& ctx) { coordinator().load_partition(0, log(), ctx); }); }
    void unload() { as_broker([&](kafka::Context& ctx) { coordinator().unload_partition(0, ctx); }); }
    void commit_log() {
        const int64_t hw = log().empty() ? 0 : log().back().next_offset();
        broker().high_watermarks[0] = hw;
        as_broker([&](kafka::Context& ctx) { coordinator().on_high_watermark(0, hw, ctx); });
    }
    void marker_result(const GroupPartition& tp, Error e) {
        as_broker([&](kafka::Context& ctx) { coordinator().on_marker_result(txn_id, txn().producer_id, tp, e, ctx); });
    }
    void all_markers_written() {
        REQUIRE_FALSE(broker().markers.empty());
        for (const auto& tp : broker().markers.back().partitions) marker_result(tp, Error::none);
    }

    template <class Req>
    int32_t send(Req req) {
        const int32_t id = next_correlation++;
        req.correlation_id = id;
        kafka::Context(world, producer_node).send(broker_node, std::move(req));
        settle();
        return id;
    }
    template <class Resp>
    std::optional<Resp> take(int32_t id) {
        std::vector<kafka::Message>& inbox = world.node_as<ProducerNode>(producer_node)->inbox;
        for (auto it = inbox.begin(); it != inbox.end(); ++it)
            if (auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == id) {
                Resp out = std::move(*r);
                inbox.erase(it);
                return out;
            }
        return std::nullopt;
    }
    template <class Resp, class Req>
    Resp call(Req req) {
        std::optional<Resp> r = take<Resp>(send(std::move(req)));
        REQUIRE(r.has_value());
        return *r;
    }

    InitProducerIdResponse init(int32_t timeout_ms = 60000) {
        InitProducerIdRequest r;
        r.transactional_id = txn_id;
        r.transaction_timeout_ms = timeout_ms;
        InitProducerIdResponse resp = call<InitProducerIdResponse>(r);
        if (resp.error == Error::none) pid = resp.producer_id, epoch = resp.producer_epoch;
        return resp;
    }
    Error add(std::vector<GroupPartition> parts, int16_t with_epoch) {
        AddPartitionsToTxnRequest r;
        r.transactional_id = txn_id;
        r.producer_id = pid;
        r.producer_epoch = with_epoch;
        r.partitions = std::move(parts);
        AddPartitionsToTxnResponse resp = call<AddPartitionsToTxnResponse>(r);
        REQUIRE_FALSE(resp.results.empty());
        return resp.results.front().error;
    }
    Error add(std::vector<GroupPartition> parts) { return add(std::move(parts), epoch); }
    EndTxnRequest end_request(bool commit, int16_t with_epoch) const {
        EndTxnRequest r;
        r.transactional_id = txn_id;
        r.producer_id = pid;
        r.producer_epoch = with_epoch;
        r.committed = commit;
        return r;
    }
    EndTxnResponse end(bool commit) { return call<EndTxnResponse>(end_request(commit, epoch)); }
};

}  // namespace

TEST_CASE("transaction coordinator: an id's partition is abs(String.hashCode) % partitions", "[txn]") {
    CHECK(kafka::transaction_partition_for("Hello World", 50) == 862545276 % 50);
    CHECK(kafka::transaction_partition_for("checkout-txn", 1) == 0);
    CHECK(std::string(kafka::to_string(TxnState::prepare_epoch_fence)) == "PrepareEpochFence");
}

TEST_CASE("transaction coordinator: InitProducerId answers once the new epoch is in the log", "[txn]") {
    TcRig rig;
    rig.broker().commit_at_once = false;
    InitProducerIdRequest r;
    r.transactional_id = txn_id;
    const int32_t id = rig.send(r);
    CHECK_FALSE(rig.take<InitProducerIdResponse>(id).has_value());  // the write is not committed yet
    rig.commit_log();
    std::optional<InitProducerIdResponse> resp = rig.take<InitProducerIdResponse>(id);
    REQUIRE(resp.has_value());
    CHECK(resp->error == Error::none);
    CHECK(resp->producer_id == 4000);
    CHECK(resp->producer_epoch == 0);
    CHECK(rig.txn().state == TxnState::empty);
    REQUIRE(rig.log().size() == 1);
    CHECK(rig.log()[0].txn_records->values[0].producer_epoch == 0);

    SECTION("a second instance of the same id gets the next epoch of the same producer id") {
        rig.broker().commit_at_once = true;
        InitProducerIdResponse again = rig.init();
        CHECK(again.producer_id == 4000);
        CHECK(again.producer_epoch == 1);
    }
    SECTION("a timeout above transaction.max.timeout.ms is refused") {
        CHECK(rig.init(900001).error == Error::invalid_transaction_timeout);
    }
    SECTION("an append that never commits times out as COORDINATOR_NOT_AVAILABLE") {
        const int32_t late = rig.send(r);
        rig.run_ms(30000);
        std::optional<InitProducerIdResponse> t = rig.take<InitProducerIdResponse>(late);
        REQUIRE(t.has_value());
        CHECK(t->error == Error::coordinator_not_available);
    }
}

TEST_CASE("transaction coordinator: a commit goes Ongoing, PrepareCommit, markers, CompleteCommit", "[txn]") {
    TcRig rig;
    rig.init();
    CHECK(rig.add({tc_orders0, tc_orders1}) == Error::none);
    CHECK(rig.txn().state == TxnState::ongoing);
    CHECK(rig.txn().partitions.size() == 2);
    CHECK(rig.add({tc_orders0}) == Error::none);  // already in: no write
    const size_t writes = rig.log().size();
    CHECK(rig.add({tc_orders1}) == Error::none);
    CHECK(rig.log().size() == writes);

    EndTxnResponse end = rig.end(true);
    CHECK(end.error == Error::none);  // answered when PrepareCommit is durable, before any marker
    CHECK(rig.txn().state == TxnState::prepare_commit);
    REQUIRE(rig.broker().markers.size() == 1);
    const auto& m = rig.broker().markers[0];
    CHECK(m.commit);
    CHECK(m.producer_id == rig.pid);
    CHECK(m.producer_epoch == 0);
    CHECK(m.coordinator_epoch == 3);
    CHECK(m.partitions == std::vector<GroupPartition>{tc_orders0, tc_orders1});

    // Until the markers are written the next transaction must wait.
    CHECK(rig.add({tc_orders0}) == Error::concurrent_transactions);
    CHECK(rig.end(true).error == Error::concurrent_transactions);  // a retry while PrepareCommit
    CHECK(rig.end(false).error == Error::invalid_txn_state);

    SECTION("a marker refused with a retriable error is sent again after the backoff") {
        rig.marker_result(tc_orders0, Error::none);
        rig.marker_result(tc_orders1, Error::not_leader_or_follower);
        CHECK(rig.txn().state == TxnState::prepare_commit);
        rig.run_ms(100);
        REQUIRE(rig.broker().markers.size() == 2);
        CHECK(rig.broker().markers[1].partitions == std::vector<GroupPartition>{tc_orders1});
        rig.marker_result(tc_orders1, Error::none);
        CHECK(rig.txn().state == TxnState::complete_commit);
    }
    SECTION("every marker written: CompleteCommit, and the next transaction may begin") {
        rig.all_markers_written();
        CHECK(rig.txn().state == TxnState::complete_commit);
        CHECK(rig.txn().partitions.empty());
        CHECK(rig.end(true).error == Error::none);  // a retry of the finished commit
        CHECK(rig.end(false).error == Error::invalid_txn_state);
        CHECK(rig.add({tc_orders1}) == Error::none);
        CHECK(rig.txn().state == TxnState::ongoing);
    }
}

TEST_CASE("transaction coordinator: a new instance fences the zombie's open transaction, ending at epoch + 2", "[txn]") {
    TcRig rig;
    rig.init();
    const int16_t zombie_epoch = rig.epoch;
    CHECK(rig.add({tc_orders0}) == Error::none);

    CHECK(rig.init().error == Error::concurrent_transactions);
    CHECK(rig.txn().state == TxnState::prepare_abort);
    CHECK(rig.txn().producer_epoch == zombie_epoch + 1);
    REQUIRE(rig.broker().markers.size() == 1);
    CHECK_FALSE(rig.broker().markers[0].commit);
    CHECK(rig.broker().markers[0].producer_epoch == zombie_epoch + 1);  // the partition leader fences the zombie
    CHECK(rig.init().error == Error::concurrent_transactions);           // still aborting
    rig.all_markers_written();
    CHECK(rig.txn().state == TxnState::complete_abort);

    InitProducerIdResponse fresh = rig.init();
    CHECK(fresh.error == Error::none);
    CHECK(fresh.producer_epoch == zombie_epoch + 2);
    CHECK(rig.add({tc_orders1}, zombie_epoch) == Error::producer_fenced);  // the zombie's next request
}

TEST_CASE("transaction coordinator: an Ongoing transaction past transaction.timeout.ms is aborted by the scan", "[txn]") {
    TcRig rig;
    rig.init(1000);
    CHECK(rig.add({tc_orders0}) == Error::none);
    rig.run_ms(9000);  // the first scan at 10 s
    CHECK(rig.txn().state == TxnState::ongoing);
    rig.run_ms(1000);
    CHECK(rig.txn().state == TxnState::prepare_abort);
    CHECK(rig.txn().producer_epoch == 1);
    rig.all_markers_written();
    CHECK(rig.txn().state == TxnState::complete_abort);
    CHECK(rig.end(true).error == Error::producer_fenced);  // the producer learns of it on its next call
}

TEST_CASE("transaction coordinator: a delayed EndTxn lands on the next transaction", "[txn]") {
    // T1 commits; the client resends its EndTxn (no answer reached it); meanwhile T2 began on
    // orders1. The late copy arrives while T2 is Ongoing.
    auto run = [](bool tv2) {
        TransactionCoordinator::Options o;
        o.transaction_version_2 = tv2;
        auto rig = std::make_unique<TcRig>(o);
        rig->init();
        CHECK(rig->add({tc_orders0}) == Error::none);
        const EndTxnRequest t1_commit = rig->end_request(true, rig->epoch);
        EndTxnResponse first = rig->call<EndTxnResponse>(t1_commit);
        REQUIRE(first.error == Error::none);
        if (tv2) {
            CHECK(first.producer_epoch == rig->epoch + 1);  // EndTxn v5 returns the bumped epoch
            rig->epoch = first.producer_epoch;
        }
        rig->all_markers_written();
        CHECK(rig->add({tc_orders1}) == Error::none);  // T2
        EndTxnResponse late = rig->call<EndTxnResponse>(t1_commit);
        return std::make_pair(std::move(rig), late);
    };
    SECTION("before transaction.version 2 nothing names the transaction: T2 is committed half-written") {
        auto [rig, late] = run(false);
        CHECK(late.error == Error::none);
        CHECK(rig->txn().state == TxnState::prepare_commit);
        CHECK(rig->broker().markers.back().partitions == std::vector<GroupPartition>{tc_orders1});
    }
    SECTION("with transaction.version 2 the late EndTxn carries the old epoch and is fenced") {
        auto [rig, late] = run(true);
        CHECK(late.error == Error::producer_fenced);
        CHECK(rig->txn().state == TxnState::ongoing);
    }
}

TEST_CASE("transaction coordinator: transaction.version 2 treats a retry of a finished EndTxn by its old epoch", "[txn]") {
    TransactionCoordinator::Options o;
    o.transaction_version_2 = true;
    TcRig rig(o);
    rig.init();
    CHECK(rig.add({tc_orders0}) == Error::none);
    const int16_t old_epoch = rig.epoch;
    EndTxnResponse end = rig.end(true);
    REQUIRE(end.error == Error::none);
    CHECK(rig.call<EndTxnResponse>(rig.end_request(true, old_epoch)).error == Error::concurrent_transactions);
    rig.all_markers_written();
    CHECK(rig.call<EndTxnResponse>(rig.end_request(true, old_epoch)).error == Error::none);
    CHECK(rig.call<EndTxnResponse>(rig.end_request(false, old_epoch)).error == Error::invalid_txn_state);
    CHECK(rig.call<EndTxnResponse>(rig.end_request(true, static_cast<int16_t>(old_epoch - 1))).error ==
          Error::producer_fenced);
}

TEST_CASE("transaction coordinator: a new coordinator reloads the log and resends an ending transaction's markers",
          "[txn]") {
    TcRig rig;
    rig.init();
    CHECK(rig.add({tc_orders0, tc_orders1}) == Error::none);
    CHECK(rig.end(false).error == Error::none);
    CHECK(rig.txn().state == TxnState::prepare_abort);
    rig.unload();
    CHECK(rig.coordinator().transactions().empty());
    CHECK(rig.add({tc_orders0}) == Error::not_coordinator);

    rig.broker().leader_epoch = 4;  // this broker leads the partition again, in a later epoch
    rig.broker().markers.clear();
    rig.load();
    CHECK(rig.txn().state == TxnState::prepare_abort);
    CHECK(rig.txn().producer_id == rig.pid);
    REQUIRE(rig.broker().markers.size() == 1);
    CHECK(rig.broker().markers[0].coordinator_epoch == 4);
    CHECK(rig.broker().markers[0].partitions == std::vector<GroupPartition>{tc_orders0, tc_orders1});
    rig.all_markers_written();
    CHECK(rig.txn().state == TxnState::complete_abort);
}

TEST_CASE("transaction coordinator: AddOffsetsToTxn adds the group's __consumer_offsets partition", "[txn]") {
    TransactionCoordinator::Options o;
    o.offsets_topic_num_partitions = 50;
    TcRig rig(o);
    rig.init();
    AddOffsetsToTxnRequest r;
    r.transactional_id = txn_id;
    r.producer_id = rig.pid;
    r.producer_epoch = rig.epoch;
    r.group_id = "billing";
    CHECK(rig.call<AddOffsetsToTxnResponse>(r).error == Error::none);
    CHECK(rig.txn().partitions.contains(GroupPartition{"__consumer_offsets", 9}));  // abs("billing".hashCode()) % 50
    r.producer_id = rig.pid + 1;
    CHECK(rig.call<AddOffsetsToTxnResponse>(r).error == Error::invalid_producer_id_mapping);
}
