// Transactions' partition side in a whole cluster (KRaft, 3 brokers, RF 3): a stand-in for the
// producer and the transaction coordinator writes transactional batches and sends
// WriteTxnMarkers to the partition leader; real consumers read with read_committed and
// read_uncommitted. The markers are replicated like any batch; read_committed returns only
// the committed transaction and the plain records, read_uncommitted also the aborted ones, and
// neither returns a marker, while both positions move past them.
#include <catch2/catch.hpp>

#include <memory>
#include <map>
#include <string>

#include <nlohmann/json.hpp>

#include "clients/consumer_client.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

// Keeps whatever it is sent.
struct TclInboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

constexpr uint32_t client_a = 901, client_b = 902, client_plain = 903;  // producing "clients" for the history
constexpr int64_t pid_a = 5000, pid_b = 6000;

kafka::RecordBatch tcl_batch(uint32_t client, int64_t producer_id, int32_t base_sequence, int32_t count) {
    kafka::RecordBatch b;
    b.record_count = count;
    b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
    b.client = client;
    b.first_seq = static_cast<uint32_t>(base_sequence < 0 ? 0 : base_sequence);
    b.producer_id = producer_id;
    b.producer_epoch = producer_id == kafka::no_producer_id ? -1 : 0;
    b.base_sequence = base_sequence;
    b.is_transactional = producer_id != kafka::no_producer_id;
    return b;
}

}  // namespace

TEST_CASE("transactions in a cluster: read_committed skips the aborted transaction and every marker",
          "[scenarios][transactions]") {
    const nlohmann::json j = {
        {"name", "txn-partition-side"},
        {"duration", "40s"},
        // The partition side alone: batches come without a coordinator to verify them with (KIP-890).
        {"kafka", {{"version", "3.7"}, {"brokers", 3}, {"config", {{"transaction.partition.verification.enable", false}}}}},
        {"topics", {{{"name", "events"}, {"partitions", 1}, {"replication.factor", 3}}}},
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "txn.json");
    REQUIRE(loaded.scenario);
    scenarios::RunOptions options;
    options.seed = 5;
    scenarios::ScenarioRun run(*loaded.scenario, options);
    run.advance_to(sim::time_zero + sim::seconds(10));

    scenarios::ClusterModel& cluster = run.cluster();
    kafka::World& world = cluster.world();
    const kafka::TopicImage* topic = cluster.metadata()->topic("events");
    REQUIRE(topic != nullptr);
    const kafka::TopicPartition tp = topic->partitions.at(0).tp;
    const int32_t leader = cluster.partition_leader("events", 0);
    REQUIRE(leader >= 0);
    const sim::NodeId leader_node = world.find("broker:" + std::to_string(leader));
    REQUIRE(leader_node != sim::no_node);
    const sim::NodeId driver = world.add_node("txn-driver", [] { return std::make_unique<TclInboxNode>(); });
    world.start(driver);

    auto send = [&](kafka::Message msg) {
        kafka::Context(world, driver).send(leader_node, std::move(msg));
        run.advance_to(run.now() + sim::milliseconds(500));
    };
    int32_t correlation = 1;
    auto produce = [&](const kafka::RecordBatch& b) {
        kafka::ProduceRequest req;
        req.correlation_id = correlation++;
        req.acks = -1;
        req.partitions.push_back({tp, b});
        send(std::move(req));
    };
    auto markers = [&](int64_t producer_id, bool commit) {
        kafka::WriteTxnMarkersRequest req;
        req.correlation_id = correlation++;
        req.markers.push_back(kafka::WritableTxnMarker{producer_id, 0, commit, {tp}, 0});
        send(std::move(req));
    };

    produce(tcl_batch(client_a, pid_a, 0, 3));                       // 0..2   A
    produce(tcl_batch(client_b, pid_b, 0, 2));                       // 3..4   B
    produce(tcl_batch(client_plain, kafka::no_producer_id, -1, 4));  // 5..8   plain
    const kafka::Partition* p = cluster.broker(leader)->partition(tp);
    REQUIRE(p != nullptr);
    CHECK(p->high_watermark() == 9);
    CHECK(p->last_stable_offset() == 0);
    produce(tcl_batch(client_b, pid_b, 2, 1));                       // 9      B
    markers(pid_a, true);                                        // 10     COMMIT A
    markers(pid_b, false);                                       // 11     ABORT B
    produce(tcl_batch(client_a, pid_a, 3, 2));                       // 12..13 A, a transaction left open

    // Both markers answered without error once replicated.
    int answered = 0;
    for (const auto& m : world.node_as<TclInboxNode>(driver)->inbox)
        if (const auto* r = std::get_if<kafka::WriteTxnMarkersResponse>(&m)) {
            ++answered;
            REQUIRE(r->markers.size() == 1);
            REQUIRE(r->markers[0].partitions.size() == 1);
            CHECK(r->markers[0].partitions[0].error == kafka::Error::none);
        }
    CHECK(answered == 2);
    CHECK(p->high_watermark() == 14);
    CHECK(p->last_stable_offset() == 12);

    kafka::ConsumerConfig committed_config;
    committed_config.auto_offset_reset = "earliest";
    committed_config.isolation_level = "read_committed";
    kafka::ConsumerConfig uncommitted_config = committed_config;
    uncommitted_config.isolation_level = "read_uncommitted";
    const scenarios::ClientNode committed = run.add_consumer("committed", "events", committed_config);
    const scenarios::ClientNode uncommitted = run.add_consumer("uncommitted", "events", uncommitted_config);
    run.advance_to(sim::time_zero + sim::seconds(30));

    // Every replica holds the same markers, with the same LSO and aborted index.
    for (int32_t b : p->assignment().replicas) {
        const kafka::Partition* r = cluster.broker(b)->partition(tp);
        REQUIRE(r != nullptr);
        INFO("broker " << b);
        CHECK(r->log().log_end_offset() == 14);
        REQUIRE(r->log().find(10) != nullptr);
        CHECK(r->log().find(10)->is_commit_marker());
        CHECK(r->log().find(11)->is_abort_marker());
        REQUIRE(r->log().txn_index().entries().size() == 1);
        CHECK(r->log().txn_index().entries()[0].producer_id == pid_b);
        CHECK(r->log().txn_index().entries()[0].first_offset == 3);
        CHECK(r->last_stable_offset() == 12);
    }

    auto records_from = [&](const scenarios::ClientNode& consumer) {
        std::map<uint32_t, int32_t> by_producer;
        for (const auto& poll : cluster.history().polls())
            if (poll.consumer == consumer.ordinal) by_producer[poll.producer] += poll.count;
        return by_producer;
    };
    // read_committed: A's committed 3 and the 4 plain records; nothing of B; A's open transaction not yet.
    CHECK(records_from(committed) == std::map<uint32_t, int32_t>{{client_a, 3}, {client_plain, 4}});
    // read_uncommitted: everything up to the HW but the markers.
    CHECK(records_from(uncommitted) ==
          std::map<uint32_t, int32_t>{{client_a, 5}, {client_b, 3}, {client_plain, 4}});
    const auto* rc = world.node_as<kafka::ConsumerClient>(committed.node);
    const auto* ru = world.node_as<kafka::ConsumerClient>(uncommitted.node);
    REQUIRE(rc != nullptr);
    REQUIRE(ru != nullptr);
    CHECK(rc->position(tp) == 12);  // past both markers, stopped at the LSO
    CHECK(rc->last_stable_offset(tp) == 12);
    CHECK(rc->end_offset(tp) == 12);
    CHECK(ru->position(tp) == 14);
    CHECK(ru->end_offset(tp) == 14);

    // A's second transaction commits: read_committed gets its 2 records and passes the marker.
    markers(pid_a, true);  // 14
    run.advance_to(sim::time_zero + sim::seconds(38));
    CHECK(p->last_stable_offset() == 15);
    CHECK(records_from(committed) == std::map<uint32_t, int32_t>{{client_a, 5}, {client_plain, 4}});
    CHECK(rc->position(tp) == 15);
}
