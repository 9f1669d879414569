// KIP-890 part 1 (partition verification, 3.6) and the version switches of transactions:
//  - the transaction coordinator's answer to a leader's AddPartitionsToTxn verify_only
//    (TransactionCoordinator.handleVerifyPartitionsInTransaction) and to a transaction.version 2
//    implicit add;
//  - the partition's verification guard (UnifiedLog.batchMissingRequiredVerification);
//  - which release has which transaction feature, and the coordinator's errors that follow them
//    (KIP-588 PRODUCER_FENCED in 2.7, TRANSACTION_ABORTABLE in 3.8).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/replica/partition.hpp"
#include "broker/txn/transaction_coordinator.hpp"
#include "broker/txn/txn_coordinator_host.hpp"

namespace {

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

const std::string tv_txn_id = "verify-txn";
const GroupPartition tv_orders0{"orders", 0};
const GroupPartition tv_orders1{"orders", 1};

// A broker that is only a transaction coordinator whose log commits at once.
struct TvTxnBroker : kafka::Node, TransactionCoordinator::Host {
    TransactionCoordinator coordinator;
    std::vector<kafka::RecordBatch> log;
    std::vector<TransactionCoordinator::MarkerRequest> markers;
    int64_t next_producer_id = 7000;

    explicit TvTxnBroker(TransactionCoordinator::Options o) : coordinator(o, *this) {}
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        std::visit(
            [&](auto& m) {
                if constexpr (requires { coordinator.handle(from, m, ctx); }) coordinator.handle(from, m, ctx);
            },
            msg);
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override { coordinator.on_timer(tag, ctx); }
    std::optional<int64_t> append_txn_records(int32_t, std::shared_ptr<const kafka::TransactionRecords> records, Error&,
                                              kafka::Context&) override {
        kafka::RecordBatch b;
        b.base_offset = log.empty() ? 0 : log.back().next_offset();
        b.record_count = records->count();
        b.txn_records = std::move(records);
        log.push_back(b);
        return b.next_offset();
    }
    int64_t txn_partition_high_watermark(int32_t) const override { return log.empty() ? 0 : log.back().next_offset(); }
    int32_t txn_partition_leader_epoch(int32_t) const override { return 1; }
    int64_t allocate_producer_id(kafka::Context&) override { return next_producer_id++; }
    void send_markers(const TransactionCoordinator::MarkerRequest& m, kafka::Context&) override { markers.push_back(m); }
};

struct Inbox : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

struct TvRig {
    kafka::World world{11, sim::NetworkOptions{sim::milliseconds(0), sim::milliseconds(0), {}}};
    sim::NodeId broker_node = sim::no_node;
    sim::NodeId client_node = sim::no_node;
    int32_t next_correlation = 1;
    int64_t pid = -1;
    int16_t epoch = -1;

    explicit TvRig(TransactionCoordinator::Options o = {}) {
        o.num_partitions = 1;
        broker_node = world.add_node("broker:1", [o] { return std::make_unique<TvTxnBroker>(o); });
        client_node = world.add_node("client", [] { return std::make_unique<Inbox>(); });
        world.start(broker_node);
        world.start(client_node);
        kafka::Context ctx(world, broker_node);
        broker().coordinator.load_partition(0, {}, ctx);
        settle();
    }
    TvTxnBroker& broker() { return *world.node_as<TvTxnBroker>(broker_node); }
    const TransactionCoordinator::Metadata& txn() { return broker().coordinator.transactions().at(tv_txn_id); }
    void settle() { world.run_until(world.now()); }
    template <class Resp, class Req>
    Resp call(Req req) {
        const int32_t id = next_correlation++;
        req.correlation_id = id;
        kafka::Context(world, client_node).send(broker_node, std::move(req));
        settle();
        auto& inbox = world.node_as<Inbox>(client_node)->inbox;
        for (auto it = inbox.begin(); it != inbox.end(); ++it)
            if (auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == id) {
                Resp out = std::move(*r);
                inbox.erase(it);
                return out;
            }
        FAIL("no answer");
        return Resp{};
    }
    void init() {
        InitProducerIdRequest r;
        r.transactional_id = tv_txn_id;
        InitProducerIdResponse resp = call<InitProducerIdResponse>(r);
        REQUIRE(resp.error == Error::none);
        pid = resp.producer_id;
        epoch = resp.producer_epoch;
    }
    // AddPartitionsToTxn as a client (verify_only false) or a leader's verification.
    std::vector<Error> add(std::vector<GroupPartition> parts, bool verify_only, int16_t with_epoch) {
        AddPartitionsToTxnRequest r;
        r.transactional_id = tv_txn_id;
        r.producer_id = pid;
        r.producer_epoch = with_epoch;
        r.partitions = std::move(parts);
        r.verify_only = verify_only;
        std::vector<Error> errors;
        for (const auto& pr : call<AddPartitionsToTxnResponse>(r).results) errors.push_back(pr.error);
        return errors;
    }
    std::vector<Error> add(std::vector<GroupPartition> parts, bool verify_only = false) {
        return add(std::move(parts), verify_only, epoch);
    }
    EndTxnResponse end(bool commit, int16_t with_epoch) {
        EndTxnRequest r;
        r.transactional_id = tv_txn_id;
        r.producer_id = pid;
        r.producer_epoch = with_epoch;
        r.committed = commit;
        return call<EndTxnResponse>(r);
    }
    void markers_written() {
        REQUIRE_FALSE(broker().markers.empty());
        const auto m = broker().markers.back();
        for (const auto& tp : m.partitions) {
            kafka::Context ctx(world, broker_node);
            broker().coordinator.on_marker_result(tv_txn_id, m.producer_id, tp, Error::none, ctx);
            settle();
        }
    }
};

using Errors = std::vector<Error>;

}  // namespace

TEST_CASE("txn verification: the coordinator answers NONE for a partition in the transaction, TRANSACTION_ABORTABLE "
          "otherwise, and writes nothing",
          "[txn][kip890]") {
    TvRig rig;
    rig.init();
    CHECK(rig.add({tv_orders0}, true) == Errors{Error::transaction_abortable});  // Empty: nothing is in it
    CHECK(rig.add({tv_orders0}) == Errors{Error::none});
    const size_t writes = rig.broker().log.size();
    CHECK(rig.add({tv_orders0, tv_orders1}, true) == Errors{Error::none, Error::transaction_abortable});
    CHECK(rig.broker().log.size() == writes);  // a verification is no state change
    CHECK(rig.txn().partitions == std::set<GroupPartition>{tv_orders0});

    // Ending: CONCURRENT_TRANSACTIONS while PrepareAbort, and after CompleteAbort the partition is out.
    REQUIRE(rig.end(false, rig.epoch).error == Error::none);
    CHECK(rig.add({tv_orders0}, true) == Errors{Error::concurrent_transactions});
    rig.markers_written();
    CHECK(rig.txn().state == TxnState::complete_abort);
    CHECK(rig.add({tv_orders0}, true) == Errors{Error::transaction_abortable});  // the KAFKA-12671 late batch

    // A stale epoch or another producer id.
    CHECK(rig.add({tv_orders0}, true, static_cast<int16_t>(rig.epoch - 1)) == Errors{Error::producer_fenced});
    rig.pid += 1;
    CHECK(rig.add({tv_orders0}, true) == Errors{Error::invalid_producer_id_mapping});
}

TEST_CASE("txn verification: before 3.8 the coordinator answers INVALID_TXN_STATE, before 2.7 INVALID_PRODUCER_EPOCH",
          "[txn][kip890]") {
    for (const char* version : {"2.6", "3.6", "3.8"}) {
        INFO("Kafka " << version);
        const kafka::BrokerConfig config = kafka::BrokerConfig::from(*kafka::profile_for(version), {});
        TvRig rig(kafka::transaction_coordinator_options(config));
        const bool v27 = std::string(version) != "2.6";
        const bool v38 = std::string(version) == "3.8";
        rig.init();
        CHECK(rig.add({tv_orders0}, true) == Errors{v38 ? Error::transaction_abortable : Error::invalid_txn_state});
        CHECK(rig.add({tv_orders0}) == Errors{Error::none});
        const Error fenced = v27 ? Error::producer_fenced : Error::invalid_producer_epoch;
        CHECK(rig.add({tv_orders1}, false, static_cast<int16_t>(rig.epoch + 1)) == Errors{fenced});
        CHECK(rig.end(true, static_cast<int16_t>(rig.epoch + 1)).error == fenced);
        CHECK(rig.add({tv_orders0}, true, static_cast<int16_t>(rig.epoch - 1)) == Errors{fenced});
    }
}

TEST_CASE("txn verification: with transaction.version 2 a leader's add starts the next transaction under the bumped "
          "epoch",
          "[txn][kip890]") {
    TransactionCoordinator::Options o;
    o.transaction_version_2 = true;
    TvRig rig(o);
    rig.init();
    // Produce v12: the leader's AddPartitionsToTxn (v5, not verify_only) adds the partition.
    CHECK(rig.add({tv_orders0}) == Errors{Error::none});
    CHECK(rig.txn().state == TxnState::ongoing);
    const EndTxnResponse end = rig.end(true, rig.epoch);
    REQUIRE(end.error == Error::none);
    CHECK(end.producer_epoch == rig.epoch + 1);
    REQUIRE_FALSE(rig.broker().markers.empty());
    CHECK(rig.broker().markers.back().producer_epoch == rig.epoch + 1);  // the markers carry the bumped epoch
    rig.markers_written();
    CHECK(rig.txn().state == TxnState::complete_commit);
    // A late batch of the finished transaction, old epoch: fenced.
    CHECK(rig.add({tv_orders1}, false, rig.epoch) == Errors{Error::producer_fenced});
    rig.epoch = end.producer_epoch;
    CHECK(rig.add({tv_orders1}) == Errors{Error::none});  // from CompleteCommit: a new transaction
    CHECK(rig.txn().state == TxnState::ongoing);
    CHECK(rig.txn().partitions == std::set<GroupPartition>{tv_orders1});
}

// ------------------------------------------------------------------------------ the partition side

namespace {

kafka::RecordBatch tv_txn_batch(int64_t producer_id, int16_t epoch, int32_t base_sequence, int32_t count) {
    kafka::RecordBatch b;
    b.record_count = count;
    b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
    b.producer_id = producer_id;
    b.producer_epoch = epoch;
    b.base_sequence = base_sequence;
    b.is_transactional = true;
    b.client = 1;
    b.first_seq = static_cast<uint32_t>(base_sequence);
    return b;
}

struct LonePartition {
    sim::Disk disk;
    kafka::Partition p{kafka::TopicPartition{1, 0}, "orders", 1, disk, kafka::TopicConfig{}, kafka::Behaviour{}};
    LonePartition() {
        kafka::PartitionAssignment a;
        a.leader = 1;
        a.leader_epoch = 1;
        a.replicas = a.isr = {1};
        p.make_leader(a, sim::time_zero);
    }
    Error append(const kafka::RecordBatch& b, std::optional<uint64_t> guard) {
        return p.append_as_leader(b, -1, sim::time_zero, true, guard).error;
    }
};

}  // namespace

TEST_CASE("txn verification: a partition appends a producer's first transactional batch only with its guard",
          "[txn][kip890]") {
    LonePartition lp;
    kafka::Partition& p = lp.p;
    CHECK(lp.append(tv_txn_batch(5, 0, 0, 2), std::nullopt) == Error::invalid_txn_state);  // never verified
    CHECK(p.log().log_end_offset() == 0);
    const uint64_t guard = p.start_verification(5, 0);
    CHECK(p.start_verification(5, 0) == guard);  // asked again while the first is pending: the same guard
    CHECK(lp.append(tv_txn_batch(5, 0, 0, 2), guard + 1) == Error::invalid_txn_state);
    CHECK(lp.append(tv_txn_batch(5, 0, 0, 2), guard) == Error::none);
    // The transaction is open here: its next batches need no verification.
    CHECK_FALSE(p.needs_verification(tv_txn_batch(5, 0, 2, 1)));
    CHECK(lp.append(tv_txn_batch(5, 0, 2, 1), std::nullopt) == Error::none);
    CHECK(p.last_stable_offset() == 0);

    // The ABORT marker ends it and clears the guard: a batch verified before the marker but
    // appended after it is refused, and the LSO is not held.
    REQUIRE(p.append_txn_marker(5, 0, 0, kafka::ControlRecordType::abort, sim::time_zero).error == Error::none);
    CHECK(p.needs_verification(tv_txn_batch(5, 0, 3, 1)));
    CHECK(lp.append(tv_txn_batch(5, 0, 3, 1), guard) == Error::invalid_txn_state);
    CHECK(p.last_stable_offset() == p.high_watermark());

    // Without verification (before 3.6, or the config off) the late batch opens a transaction no
    // marker will end: the LSO stays there (KAFKA-12671).
    CHECK(p.append_as_leader(tv_txn_batch(5, 0, 3, 1), -1, sim::time_zero).error == Error::none);
    CHECK(p.last_stable_offset() == 4);
    CHECK(p.high_watermark() == 5);
}

// ------------------------------------------------------------------------------ profiles

TEST_CASE("txn verification: the transaction features follow the exact release", "[txn][profiles]") {
    auto features = [](const char* version) { return kafka::profile_for(version)->transactions; };
    CHECK_FALSE(features("0.10").transactions_supported);
    CHECK(features("0.11").transactions_supported);
    CHECK_FALSE(features("0.11").init_producer_id_with_epoch);
    CHECK_FALSE(features("2.4").require_stable_offsets);
    CHECK(features("2.5").init_producer_id_with_epoch);
    CHECK(features("2.5").require_stable_offsets);
    CHECK_FALSE(features("2.6").producer_fenced_error);
    CHECK(features("2.7").producer_fenced_error);
    CHECK_FALSE(features("3.5").partition_verification);
    CHECK(features("3.6").partition_verification);  // within profile 3.0
    CHECK(kafka::profile_for("3.6")->name == "3.0");
    CHECK_FALSE(features("3.7").transaction_abortable_error);
    CHECK(features("3.8").transaction_abortable_error);
    CHECK_FALSE(features("3.9").transaction_version_2);
    CHECK(features("4.0").transaction_version_2);
    CHECK(kafka::ProducerConfig::from(*kafka::profile_for("3.8"), {}).transactions.transaction_abortable_error);

    // The broker configs: verification on from 3.6 unless turned off; transaction.version 2 by
    // default from 4.0, 0 replays an upgraded cluster, and before 4.0 the level does not exist.
    auto broker = [](const char* version, kafka::ConfigMap overrides = {}) {
        return kafka::BrokerConfig::from(*kafka::profile_for(version), overrides);
    };
    CHECK_FALSE(broker("3.5").verifies_transactions());
    CHECK(broker("3.6").verifies_transactions());
    CHECK_FALSE(broker("3.7", {{"transaction.partition.verification.enable", false}}).verifies_transactions());
    CHECK_FALSE(broker("3.9").transaction_version_2());
    CHECK_FALSE(broker("3.9", {{"transaction.version", int64_t{2}}}).transaction_version_2());
    CHECK(broker("4.0").transaction_version_2());
    CHECK_FALSE(broker("4.0", {{"transaction.version", int64_t{0}}}).transaction_version_2());
    CHECK(kafka::transaction_coordinator_options(broker("4.0")).transaction_version_2);
    CHECK_FALSE(kafka::transaction_coordinator_options(broker("2.6")).producer_fenced_error);

    // Every switch is described in the profile's notes.
    const kafka::VersionProfile p36 = *kafka::profile_for("3.6");
    for (const kafka::TransactionSwitch& s : kafka::transaction_switches()) {
        const std::string_view note = p36.transactions.*s.flag ? s.on : s.off;
        CHECK(std::find(p36.notes.begin(), p36.notes.end(), std::string(note)) != p36.notes.end());
    }
}

TEST_CASE("txn verification: InitProducerId naming the producer bumps its epoch from 2.5 (KIP-360)", "[txn][profiles]") {
    auto init_with = [](TvRig& rig, int64_t producer_id, int16_t epoch) {
        InitProducerIdRequest r;
        r.transactional_id = tv_txn_id;
        r.producer_id = producer_id;
        r.producer_epoch = epoch;
        return rig.call<InitProducerIdResponse>(r);
    };
    SECTION("2.5 and later") {
        TvRig rig;
        rig.init();
        const int64_t pid = rig.pid;
        InitProducerIdResponse bumped = init_with(rig, pid, 0);
        REQUIRE(bumped.error == Error::none);
        CHECK(bumped.producer_id == pid);
        CHECK(bumped.producer_epoch == 1);
        InitProducerIdResponse retry = init_with(rig, pid, 0);  // the answer above was lost
        CHECK(retry.error == Error::none);
        CHECK(retry.producer_epoch == 1);
        CHECK(init_with(rig, pid, 7).error == Error::producer_fenced);
        CHECK(init_with(rig, pid + 1, 1).error == Error::producer_fenced);
        CHECK(init_with(rig, pid, 1).producer_epoch == 2);
    }
    SECTION("before 2.5 the request names no producer: every call bumps") {
        TransactionCoordinator::Options o;
        o.init_producer_id_with_epoch = false;
        o.producer_fenced_error = false;
        TvRig rig(o);
        rig.init();
        CHECK(init_with(rig, rig.pid + 1, 7).producer_epoch == 1);
    }
}
