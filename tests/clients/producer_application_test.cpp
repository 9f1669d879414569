// A ProducerClient driven by an application (WorkloadSpec::application_driven), as a Streams
// instance's StreamsProducer drives KafkaProducer: on a small KRaft cluster (one controller,
// three brokers) an application node embeds the producer (its own timer kinds and correlation
// ids), sends to two topics, sends offsets to its transactions, commits and aborts; a second
// instance of the transactional.id fences the first; a keyed workload's batches carry their keys.
#include <catch2/catch.hpp>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "broker/broker_node.hpp"
#include "broker/controller_node.hpp"
#include "clients/admin_client.hpp"
#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"
#include "clients/producer_client.hpp"

using namespace kafka;

namespace {

constexpr int32_t controller_id = 3000;
constexpr uint64_t embedded_kind_base = 40;
constexpr int32_t embedded_first_correlation = 1 << 20;

// A KRaft cluster as the scenarios build it, with small internal topics.
struct MiniCluster {
    World world;
    ClusterDirectory dir;
    BrokerConfig config;
    std::vector<int32_t> voters{controller_id};

    MiniCluster(uint64_t seed, std::vector<CreatableTopic> topics) : world(seed, sim::NetworkOptions{}) {
        config = BrokerConfig::from(*profile_for("3.7"), ConfigMap{{"transaction.state.log.num.partitions", int64_t{5}},
                                                                  {"offsets.topic.num.partitions", int64_t{5}}});
        const uint64_t placement = sim::derive_seed(seed, "placement/controller:3000");
        dir.controllers[controller_id] = world.add_node("controller:3000", [this, placement] {
            return std::make_unique<ControllerNode>(controller_id, voters, config, dir, placement);
        });
        for (int32_t id = 1; id <= 3; ++id)
            dir.brokers[id] = world.add_node("broker:" + std::to_string(id), [this, id] {
                return std::make_unique<BrokerNode>(id, voters, config, dir);
            });
        dir.admin = world.add_node("admin", [this, topics] { return std::make_unique<AdminClient>(topics, dir); });
        for (sim::NodeId n = 0; n < static_cast<sim::NodeId>(world.node_count()); ++n) world.start(n);
    }
    MiniCluster(const MiniCluster&) = delete;

    BrokerNode* broker(int32_t id) { return world.node_as<BrokerNode>(dir.broker_node(id)); }
    // The group as its coordinator holds it (nullptr: not loaded anywhere).
    const GroupCoordinator::Group* group(const std::string& id) {
        for (int32_t b = 1; b <= 3; ++b)
            if (BrokerNode* n = broker(b); n != nullptr && n->coordinator().groups().count(id) != 0)
                return &n->coordinator().groups().at(id);
        return nullptr;
    }
    // Every replica's copy of tp.
    std::vector<const Partition*> replicas(TopicPartition tp) {
        std::vector<const Partition*> out;
        for (int32_t b = 1; b <= 3; ++b)
            if (BrokerNode* n = broker(b); n != nullptr)
                if (const Partition* p = n->partition(tp); p != nullptr) out.push_back(p);
        return out;
    }
};

CreatableTopic pa_topic(std::string name, int32_t partitions) {
    CreatableTopic t;
    t.name = std::move(name);
    t.num_partitions = partitions;
    t.replication_factor = 3;
    return t;
}

// What the history would record, per client.
struct PaRecorder : ClientEvents {
    std::map<uint32_t, int64_t> acked, failed;
    std::map<uint32_t, std::vector<TxnOutcome>> txn_ends;
    void on_send(uint32_t, sim::Time, TopicPartition, uint32_t, int32_t) override {}
    void on_ack(uint32_t c, sim::Time, TopicPartition, uint32_t, int32_t count, int64_t) override { acked[c] += count; }
    void on_error(uint32_t c, sim::Time, TopicPartition, uint32_t, int32_t count, Error, bool final) override {
        if (final) failed[c] += count;
    }
    void on_poll(uint32_t, sim::Time, TopicPartition, const RecordBatch&, int64_t, int32_t) override {}
    void on_txn_end(uint32_t c, sim::Time, uint32_t, TxnOutcome outcome, Error) override {
        txn_ends[c].push_back(outcome);
    }
};

// The embedding application: holds its producer as a Streams instance holds its StreamsProducer,
// routes its messages and timers to it, and notes what it is told.
struct AppNode : Node, ProducerApplication {
    std::function<std::unique_ptr<ProducerClient>()> make;
    std::unique_ptr<ProducerClient> producer;
    bool abort_on_abortable = false;  // call abortTransaction() when told, as Streams does
    int initialized = 0, flushed = 0, send_failures = 0;
    struct Completed {
        bool committed;
        Error error;
    };
    std::vector<Completed> completed;
    std::vector<Error> abortable, fatal;
    std::vector<uint64_t> timer_kinds;  // every timer the node got
    int timers_without_producer = 0;

    void on_start(Context& ctx) override {
        producer = make();
        producer->set_application(this);
        producer->on_start(ctx);
    }
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override {
        if (producer) producer->on_message(from, msg, ctx);
    }
    void on_timer(uint64_t tag, Context& ctx) override {
        timer_kinds.push_back(client_timer::kind(tag));
        if (producer)
            producer->on_timer(tag, ctx);
        else
            ++timers_without_producer;
    }
    void on_disconnect(sim::NodeId peer, Context& ctx) override {
        if (producer) producer->on_disconnect(peer, ctx);
    }

    void on_initialized(Context&) override { ++initialized; }
    void on_transaction_completed(bool committed, Error error, Context&) override {
        completed.push_back({committed, error});
    }
    void on_transaction_abortable(Error error, Context& ctx) override {
        abortable.push_back(error);
        if (abort_on_abortable) producer->abort_transaction(ctx);
    }
    void on_producer_fatal(Error error, Context& ctx) override {
        fatal.push_back(error);
        producer->close(ctx);  // Streams closes its tasks dirty and replaces the producer
    }
    void on_send_failed(size_t, int32_t, int32_t records, Error, Context&) override { send_failures += records; }
    void on_flushed(Context&) override { ++flushed; }
};

struct Harness {
    MiniCluster cluster;
    PaRecorder history;
    std::vector<int32_t> produce_correlations;  // of the embedded producers' ProduceRequests
    int group_lookups = 0;                      // their FindCoordinator requests for a group

    explicit Harness(uint64_t seed)
        : cluster(seed, {pa_topic("in", 2), pa_topic("out-a", 2), pa_topic("out-b", 1), pa_topic("keyed", 3)}) {
        cluster.world.set_hold([this](sim::NodeId from, sim::NodeId, const Message& msg) {
            if (!cluster.world.name(from).starts_with("app")) return sim::Duration{};
            if (const auto* p = std::get_if<ProduceRequest>(&msg)) produce_correlations.push_back(p->correlation_id);
            if (const auto* f = std::get_if<FindCoordinatorRequest>(&msg); f != nullptr && f->key_type == coordinator_key_group)
                ++group_lookups;
            return sim::Duration{};
        });
        cluster.world.run_until(sim::time_zero + sim::seconds(5));  // the brokers register, the topics exist
    }

    // Creates an application node whose producer writes `topics`, started now.
    AppNode& start_app(const std::string& name, uint32_t ordinal, std::vector<std::string> topics,
                       const std::string& transactional_id, sim::NodeId& node) {
        ConfigMap overrides{{"linger.ms", int64_t{5}}};
        if (!transactional_id.empty()) overrides["transactional.id"] = transactional_id;
        const ProducerConfig config = ProducerConfig::from(*profile_for("3.7"), overrides);
        WorkloadSpec workload;
        workload.application_driven = true;
        node = cluster.world.add_node(name, [this, ordinal, topics, config, workload] {
            auto app = std::make_unique<AppNode>();
            app->make = [this, ordinal, topics, config, workload] {
                return std::make_unique<ProducerClient>(ordinal, topics, config, workload, cluster.dir, &history,
                                                        ClientEmbedding{embedded_kind_base, embedded_first_correlation});
            };
            return app;
        });
        cluster.world.start(node);
        return *cluster.world.node_as<AppNode>(node);
    }

    void advance(sim::Duration d) { cluster.world.run_until(cluster.world.now() + d); }
    // Advances in 10 ms steps until done() holds, at most `limit`.
    template <class Done>
    bool advance_until(Done done, sim::Duration limit = sim::seconds(30)) {
        const sim::Time until = cluster.world.now() + limit;
        while (!done()) {
            if (cluster.world.now() >= until) return false;
            advance(sim::milliseconds(10));
        }
        return true;
    }
    Context ctx(sim::NodeId node) { return Context(cluster.world, node); }
};

RecordOrigin origin(int32_t partition, uint32_t seq) { return RecordOrigin{7, partition, seq}; }

// The records of tp that committed transactions of `producer_id` hold, on every replica (none aborted).
struct ReplicaView {
    int64_t data_records = 0;
    int commit_markers = 0, abort_markers = 0;
    size_t aborted_entries = 0;
    std::vector<RecordBatch> data;
};
ReplicaView view(const Partition& p) {
    ReplicaView v;
    std::vector<RecordBatch> batches;
    p.log().all_batches(batches);
    for (const auto& b : batches) {
        if (b.is_commit_marker()) ++v.commit_markers;
        else if (b.is_abort_marker()) ++v.abort_markers;
        else if (b.client != 0) {
            v.data_records += b.record_count;
            v.data.push_back(b);
        }
    }
    v.aborted_entries = p.log().collect_aborted_txns(0, p.log().log_end_offset()).size();
    return v;
}

}  // namespace

TEST_CASE("application-driven transactional producer: two topics, offsets in the transaction, commit then abort",
          "[clients][transactions][application]") {
    Harness h(31);
    sim::NodeId node = sim::no_node;
    AppNode& app = h.start_app("app:1", 1, {"out-a", "out-b"}, "streams-app-1", node);
    REQUIRE(h.advance_until([&] { return app.initialized == 1; }));
    ProducerClient& p = *app.producer;
    CHECK(p.ready_for_application());
    CHECK(p.txn_state() == ProducerClient::TxnState::ready);
    CHECK(p.topics() == std::vector<std::string>{"out-a", "out-b"});
    CHECK(p.partition_count(0) == 2);
    CHECK(p.partition_count(1) == 1);

    // Transaction 1: 5 records to out-a/0, 3 to out-b/0, and the input offset 17 of in/0.
    {
        Context c = h.ctx(node);
        for (uint32_t i = 0; i < 5; ++i) REQUIRE(p.send(0, 0, static_cast<int32_t>(i), 100 + i, origin(0, i), c));
        for (uint32_t i = 0; i < 3; ++i) REQUIRE(p.send(1, 0, -1, 200 + i, origin(1, i), c));
        CHECK(p.txn_state() == ProducerClient::TxnState::in_transaction);
        REQUIRE(p.send_offsets_to_transaction("streams-app", -1, "", {{GroupPartition{"in", 0}, 17, -1}}, c));
        CHECK_FALSE(p.send(5, 0, 1, 1, origin(0, 9), c));  // no such topic
    }
    // The offsets are pending at the group coordinator until the transaction commits.
    REQUIRE(h.advance_until([&] {
        const auto* g = h.cluster.group("streams-app");
        return g != nullptr && !g->pending_txn_offsets.empty();
    }));
    CHECK(h.cluster.group("streams-app")->offsets.count(GroupPartition{"in", 0}) == 0);
    CHECK(app.completed.empty());
    {
        Context c = h.ctx(node);
        REQUIRE(p.commit_transaction(c));
        CHECK(p.txn_state() == ProducerClient::TxnState::committing_transaction);
        CHECK_FALSE(p.ready_for_application());
        CHECK_FALSE(p.send(0, 0, 1, 1, origin(0, 9), c));  // commitTransaction() is in progress
    }
    REQUIRE(h.advance_until([&] { return app.completed.size() == 1; }));
    CHECK(app.completed[0].committed);
    CHECK(app.completed[0].error == Error::none);
    CHECK(p.transactions_committed() == 1);
    CHECK(h.history.acked[1] == 8);
    CHECK(p.records_pending() == 0);
    h.advance(sim::seconds(2));  // the markers reach every replica
    {
        const auto* g = h.cluster.group("streams-app");
        REQUIRE(g != nullptr);
        REQUIRE(g->offsets.count(GroupPartition{"in", 0}) == 1);
        CHECK(g->offsets.at(GroupPartition{"in", 0}).offset == 17);
        CHECK(g->pending_txn_offsets.empty());
    }
    const TopicPartition a0{p.topic_id(0), 0}, a1{p.topic_id(0), 1}, b0{p.topic_id(1), 0};
    for (const Partition* r : h.cluster.replicas(a0)) {
        const ReplicaView v = view(*r);
        CHECK(v.data_records == 5);
        CHECK(v.commit_markers == 1);
        CHECK(v.aborted_entries == 0);
        // Application records carry their keys, values and origins.
        REQUIRE_FALSE(v.data.empty());
        int64_t value = 100;
        for (const auto& b : v.data) {
            REQUIRE(b.contents != nullptr);
            REQUIRE(b.contents->values.size() == static_cast<size_t>(b.record_count));
            REQUIRE(b.contents->keys.size() == static_cast<size_t>(b.record_count));
            REQUIRE(b.contents->origins.size() == static_cast<size_t>(b.record_count));
            for (size_t i = 0; i < b.contents->values.size(); ++i) {
                CHECK(b.contents->values[i] == value);
                CHECK(b.contents->keys[i] == value - 100);
                CHECK(b.contents->origins[i] == origin(0, static_cast<uint32_t>(value - 100)));
                ++value;
            }
        }
    }
    for (const Partition* r : h.cluster.replicas(b0)) {
        const ReplicaView v = view(*r);
        CHECK(v.data_records == 3);
        CHECK(v.commit_markers == 1);
        CHECK(r->last_stable_offset() == r->high_watermark());
    }

    // Transaction 2: 4 records to out-a/1 and offset 25, aborted by the application.
    {
        Context c = h.ctx(node);
        for (uint32_t i = 0; i < 4; ++i) REQUIRE(p.send(0, 1, 1, 300 + i, origin(0, 10 + i), c));
        REQUIRE(p.send_offsets_to_transaction("streams-app", -1, "", {{GroupPartition{"in", 0}, 25, -1}}, c));
    }
    REQUIRE(h.advance_until([&] { return !h.cluster.group("streams-app")->pending_txn_offsets.empty(); }));
    {
        Context c = h.ctx(node);
        REQUIRE(p.abort_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return app.completed.size() == 2; }));
    CHECK_FALSE(app.completed[1].committed);
    CHECK(app.completed[1].error == Error::none);
    CHECK(p.transactions_aborted() == 1);
    CHECK(h.history.acked[1] == 8);
    CHECK(h.history.failed[1] == 4);
    h.advance(sim::seconds(2));
    CHECK(h.cluster.group("streams-app")->offsets.at(GroupPartition{"in", 0}).offset == 17);
    CHECK(h.cluster.group("streams-app")->pending_txn_offsets.empty());
    for (const Partition* r : h.cluster.replicas(a1)) {
        const ReplicaView v = view(*r);
        CHECK(v.abort_markers == 1);
        CHECK(v.aborted_entries == 1);
        CHECK(r->last_stable_offset() == r->high_watermark());
    }

    // An empty commit: nothing reached the coordinator, it completes at once without EndTxn.
    {
        Context c = h.ctx(node);
        REQUIRE(p.commit_transaction(c));
    }
    REQUIRE(app.completed.size() == 3);
    CHECK(app.completed[2].committed);

    // The embedding: every timer the node got is the producer's, from its base up; every
    // ProduceRequest carried a correlation id from its range.
    REQUIRE_FALSE(app.timer_kinds.empty());
    for (uint64_t k : app.timer_kinds) CHECK(k > embedded_kind_base);
    REQUIRE_FALSE(h.produce_correlations.empty());
    for (int32_t corr : h.produce_correlations) CHECK(corr >= embedded_first_correlation);
}

TEST_CASE("application-driven producer: a TxnOffsetCommit the group refuses is abortable, and the application aborts",
          "[clients][transactions][application]") {
    Harness h(32);
    sim::NodeId node = sim::no_node;
    AppNode& app = h.start_app("app:1", 1, {"out-a"}, "streams-app-2", node);
    REQUIRE(h.advance_until([&] { return app.initialized == 1; }));
    ProducerClient& p = *app.producer;
    {
        Context c = h.ctx(node);
        for (uint32_t i = 0; i < 3; ++i) REQUIRE(p.send(0, 0, 0, i, origin(0, i), c));
        // A member the group does not know (its generation moved on): CommitFailedException.
        REQUIRE(p.send_offsets_to_transaction("streams-app", 4, "gone-member", {{GroupPartition{"in", 1}, 9, -1}}, c));
    }
    REQUIRE(h.advance_until([&] { return !app.abortable.empty(); }));
    CHECK(app.abortable[0] == Error::unknown_member_id);
    CHECK(p.txn_state() == ProducerClient::TxnState::abortable_error);
    CHECK(p.last_error() == Error::unknown_member_id);
    {
        Context c = h.ctx(node);
        CHECK_FALSE(p.send(0, 0, 0, 9, origin(0, 9), c));  // refused until the abort
        CHECK_FALSE(p.commit_transaction(c));
        REQUIRE(p.abort_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return app.completed.size() == 1; }));
    CHECK_FALSE(app.completed[0].committed);
    CHECK(app.completed[0].error == Error::unknown_member_id);
    CHECK(h.history.failed[1] == 3);
    CHECK(h.history.acked[1] == 0);
    CHECK(p.ready_for_application());
    h.advance(sim::seconds(2));
    const auto* g = h.cluster.group("streams-app");
    if (g != nullptr) {
        CHECK(g->offsets.count(GroupPartition{"in", 1}) == 0);
        CHECK(g->pending_txn_offsets.empty());
    }
}

TEST_CASE("application-driven producer: a second instance of the transactional.id fences the first",
          "[clients][transactions][application]") {
    Harness h(33);
    sim::NodeId node1 = sim::no_node, node2 = sim::no_node;
    AppNode& first = h.start_app("app:1", 1, {"out-a"}, "streams-app-3", node1);
    first.abort_on_abortable = true;
    REQUIRE(h.advance_until([&] { return first.initialized == 1; }));
    {
        Context c = h.ctx(node1);
        for (uint32_t i = 0; i < 4; ++i) REQUIRE(first.producer->send(0, 1, 0, i, origin(1, i), c));
    }
    REQUIRE(h.advance_until([&] { return first.producer->in_flight_batches() == 0 && first.producer->queued_batches() == 0; }));
    const int64_t first_pid = first.producer->producer_id();
    const int16_t first_epoch = first.producer->producer_epoch();

    // The new instance's InitProducerId bumps the epoch (and aborts the open transaction).
    AppNode& second = h.start_app("app:2", 2, {"out-a"}, "streams-app-3", node2);
    REQUIRE(h.advance_until([&] { return second.initialized == 1; }));
    CHECK(second.producer->producer_id() == first_pid);
    CHECK(second.producer->producer_epoch() > first_epoch);

    {
        Context c = h.ctx(node1);
        REQUIRE(first.producer->commit_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return !first.fatal.empty(); }));
    CHECK(first.fatal[0] == Error::producer_fenced);
    CHECK(first.producer->txn_state() == ProducerClient::TxnState::fatal_error);
    CHECK(first.producer->closed());
    CHECK(first.completed.empty());
    CHECK(h.history.failed[1] == 4);
    CHECK(h.history.acked[1] == 0);
    REQUIRE(h.history.txn_ends[1].size() == 1);
    CHECK(h.history.txn_ends[1][0] == TxnOutcome::unknown);

    // The application replaces the closed producer: nothing of the old one fires any more.
    // (400 s: past metadata.max.age.ms, the longest timer a producer keeps.)
    first.producer.reset();
    h.advance(sim::seconds(400));
    CHECK(first.timers_without_producer == 0);

    // The new instance carries on.
    {
        Context c = h.ctx(node2);
        for (uint32_t i = 0; i < 2; ++i) REQUIRE(second.producer->send(0, 1, 0, 50 + i, origin(1, 50 + i), c));
        REQUIRE(second.producer->commit_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return second.completed.size() == 1; }));
    CHECK(second.completed[0].committed);
    CHECK(h.history.acked[2] == 2);
    h.advance(sim::seconds(2));
    for (const Partition* r : h.cluster.replicas(TopicPartition{second.producer->topic_id(), 1})) {
        const ReplicaView v = view(*r);
        CHECK(v.abort_markers == 1);  // the fenced instance's transaction
        CHECK(v.commit_markers == 1);
        CHECK(r->last_stable_offset() == r->high_watermark());
    }
}

TEST_CASE("application-driven producer without transactions: flush() reports when every record is answered",
          "[clients][application]") {
    Harness h(34);
    sim::NodeId node = sim::no_node;
    AppNode& app = h.start_app("app:1", 1, {"out-b", "out-a"}, "", node);
    REQUIRE(h.advance_until([&] { return app.initialized == 1; }));
    ProducerClient& p = *app.producer;
    CHECK(p.topic() == "out-b");
    {
        Context c = h.ctx(node);
        for (uint32_t i = 0; i < 6; ++i) REQUIRE(p.send(i % 2, 0, 3, i, origin(0, i), c));
        CHECK(p.records_pending() == 6);
        p.flush(c);
    }
    REQUIRE(h.advance_until([&] { return app.flushed == 1; }));
    CHECK(p.records_pending() == 0);
    CHECK(p.records_acked() == 6);
    CHECK(h.history.acked[1] == 6);
    CHECK(app.completed.empty());
}

TEST_CASE("a keyed workload's batches carry their keys, each on its murmur2 partition, and unkeyed ones carry nothing",
          "[clients]") {
    Harness h(35);
    WorkloadSpec keyed;
    keyed.rate_per_s = 500;
    keyed.keys = 20;
    keyed.carry_keys = true;
    keyed.until = sim::time_zero + sim::seconds(8);
    WorkloadSpec unkeyed = keyed;
    unkeyed.keys = 0;
    const ProducerConfig config = ProducerConfig::from(*profile_for("3.7"), ConfigMap{{"linger.ms", int64_t{5}}});
    ProducerClient* keyed_producer = nullptr;
    const sim::NodeId n1 = h.cluster.world.add_node("producer:keyed", [&] {
        auto p = std::make_unique<ProducerClient>(11, "keyed", config, keyed, h.cluster.dir, &h.history);
        keyed_producer = p.get();
        return p;
    });
    const sim::NodeId n2 = h.cluster.world.add_node("producer:unkeyed", [&] {
        return std::make_unique<ProducerClient>(12, "keyed", config, unkeyed, h.cluster.dir, &h.history);
    });
    h.cluster.world.start(n1);
    h.cluster.world.start(n2);
    h.advance(sim::seconds(10));
    REQUIRE(keyed_producer != nullptr);
    CHECK(h.history.acked[11] > 1000);
    CHECK(h.history.acked[12] > 1000);
    int64_t keyed_records = 0;
    for (int32_t partition = 0; partition < 3; ++partition) {
        const auto replicas = h.cluster.replicas(TopicPartition{keyed_producer->topic_id(), partition});
        REQUIRE_FALSE(replicas.empty());
        for (const auto& b : view(*replicas[0]).data) {
            if (b.client == 12) {
                CHECK(b.contents == nullptr);
                continue;
            }
            REQUIRE(b.client == 11);
            REQUIRE(b.contents != nullptr);
            REQUIRE(b.contents->keys.size() == static_cast<size_t>(b.record_count));
            CHECK(b.contents->values.empty());
            CHECK(b.contents->origins.empty());
            for (int32_t k : b.contents->keys) {
                REQUIRE(k >= 0);
                REQUIRE(k < 20);
                CHECK(partition_for_key("key-" + std::to_string(k), 3) == partition);
            }
            keyed_records += b.record_count;
        }
    }
    CHECK(keyed_records == h.history.acked[11]);
}

TEST_CASE("application-driven producer: the group coordinator crashes and the TxnOffsetCommit finds the next one",
          "[clients][transactions][application]") {
    Harness h(36);
    sim::NodeId node = sim::no_node;
    AppNode& app = h.start_app("app:1", 1, {"out-a"}, "streams-app-4", node);
    REQUIRE(h.advance_until([&] { return app.initialized == 1; }));
    ProducerClient& p = *app.producer;
    // A first transaction: the producer learns the group's coordinator.
    {
        Context c = h.ctx(node);
        REQUIRE(p.send(0, 0, 1, 1, origin(0, 1), c));
        REQUIRE(p.send_offsets_to_transaction("streams-app", -1, "", {{GroupPartition{"in", 0}, 5, -1}}, c));
        REQUIRE(p.commit_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return app.completed.size() == 1; }));
    REQUIRE(app.completed[0].committed);
    int32_t coordinator = -1;
    for (int32_t b = 1; b <= 3; ++b)
        if (BrokerNode* n = h.cluster.broker(b); n != nullptr && n->coordinator().groups().count("streams-app") != 0)
            coordinator = b;
    REQUIRE(coordinator > 0);
    const int lookups_before = h.group_lookups;  // (the first may find __consumer_offsets being created)
    h.cluster.world.crash(h.cluster.dir.broker_node(coordinator));

    // The next transaction's offsets go to the new coordinator once the producer finds it.
    {
        Context c = h.ctx(node);
        REQUIRE(p.send(0, 1, 2, 2, origin(0, 2), c));
        REQUIRE(p.send_offsets_to_transaction("streams-app", -1, "", {{GroupPartition{"in", 0}, 30, -1}}, c));
        REQUIRE(p.commit_transaction(c));
    }
    REQUIRE(h.advance_until([&] { return app.completed.size() == 2; }, sim::seconds(180)));
    CHECK(app.completed[1].committed);
    CHECK(app.fatal.empty());
    CHECK(h.group_lookups > lookups_before);  // lookupCoordinator(GROUP) after the old one went away
    h.advance(sim::seconds(5));
    const auto* g = h.cluster.group("streams-app");
    REQUIRE(g != nullptr);
    REQUIRE(g->offsets.count(GroupPartition{"in", 0}) == 1);
    CHECK(g->offsets.at(GroupPartition{"in", 0}).offset == 30);
    CHECK(h.history.acked[1] == 2);
}
