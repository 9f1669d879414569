// The layer the producer and the consumer share: ClientMetadata (KIP-320, update requests)
// and NetworkClient (reconnect backoff, probes).
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "broker/world.hpp"
#include "clients/client_metadata.hpp"
#include "clients/client_timer.hpp"
#include "clients/network_client.hpp"

namespace {

using kafka::Error;

kafka::PartitionMetadata partition(int32_t p, kafka::BrokerId leader, int32_t epoch, Error error = Error::none) {
    kafka::PartitionMetadata pm;
    pm.partition = p;
    pm.leader = leader;
    pm.leader_epoch = epoch;
    pm.error = error;
    return pm;
}

kafka::TopicMetadata topic(std::string name, kafka::TopicId id, std::vector<kafka::PartitionMetadata> partitions) {
    kafka::TopicMetadata tm;
    tm.name = std::move(name);
    tm.topic_id = id;
    tm.partitions = std::move(partitions);
    return tm;
}

}  // namespace

TEST_CASE("client metadata ignores a leader epoch older than the one it knows (KIP-320)") {
    kafka::ClientMetadata md({"t"});
    md.update_sent();
    auto u = md.update_partitions(topic("t", 7, {partition(0, 1, 3), partition(1, 2, 5)}));
    CHECK(u.partitions == 2);
    CHECK(u.leader_changed);
    CHECK_FALSE(md.update_requested());

    // A lagging broker still names the old leaders.
    u = md.update_partitions(topic("t", 7, {partition(0, 2, 2), partition(1, 3, 5)}));
    CHECK(u.leader_changed);  // partition 1: same epoch, taken
    CHECK(md.partition("t", 0)->leader == 1);
    CHECK(md.partition("t", 0)->leader_epoch == 3);
    CHECK(md.partition("t", 1)->leader == 3);

    // A topic created again starts its epochs over, once the client forgets the old ones.
    md.forget_partitions("t");
    CHECK(md.partition("t", 0) == nullptr);
    md.update_partitions(topic("t", 8, {partition(0, 2, 0)}));
    CHECK(md.partition("t", 0)->leader == 2);
}

TEST_CASE("client metadata asks again for a topic not created yet and for a partition without a leader") {
    kafka::ClientMetadata md({"t", "u"});
    md.update_sent();
    kafka::MetadataResponse resp;
    resp.brokers = {1, 2};
    kafka::TopicMetadata missing;
    missing.name = "u";
    missing.error = Error::unknown_topic_or_partition;
    resp.topics = {topic("t", 7, {partition(0, 1, 0)}), missing};
    md.update_brokers(resp);
    CHECK(md.live_brokers() == std::vector<kafka::BrokerId>{1, 2});

    REQUIRE(md.find_topic(resp, "t") != nullptr);
    CHECK_FALSE(md.update_requested());
    CHECK(md.find_topic(resp, "u") == nullptr);
    CHECK(md.update_requested());

    md.update_sent();
    md.update_partitions(topic("t", 7, {partition(0, 1, 1), partition(1, 2, 1, Error::leader_not_available)}));
    CHECK(md.partition("t", 1)->leader == kafka::no_leader);
    CHECK(md.update_requested());
}

namespace {

// A broker that answers MetadataRequests only once told to.
struct SilentBroker : kafka::Node {
    bool answer = false;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        auto* m = std::get_if<kafka::MetadataRequest>(&msg);
        if (m == nullptr || !answer) return;
        kafka::MetadataResponse resp;
        resp.correlation_id = m->correlation_id;
        resp.brokers = {1};
        ctx.send(from, std::move(resp));
    }
};

// A client that lost its connection to broker 1 at start and asks every 10 ms whether it may
// send to it again.
struct ProbingClient : kafka::Node {
    static constexpr uint64_t tick = 9;
    kafka::NetworkClient network;
    std::vector<int64_t> sent_at_ms;  // when a MetadataRequest (the first one, then probes) went out
    int64_t ready_at_ms = -1;

    explicit ProbingClient(const kafka::ClusterDirectory& dir)
        : network(dir, {"t"}, kafka::NetworkClient::Options{60000, 100, 300000},
                  kafka::NetworkClient::TimerKinds{1, 2, 3}) {}
    void on_start(kafka::Context& ctx) override {
        network.on_start(ctx);
        network.mark_disconnected(1, ctx);
        record(ctx);
        ctx.set_timer(sim::milliseconds(10), kafka::client_timer::tag(tick));
    }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        if (auto* m = std::get_if<kafka::MetadataResponse>(&msg)) network.handle_metadata_response(from, *m, ctx);
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        if (kafka::client_timer::kind(tag) != tick) {
            network.on_timer(tag, ctx);
            return;
        }
        sim::Time next = sim::time_never;
        if (network.ready(1, ctx, next) && ready_at_ms < 0) ready_at_ms = ctx.now().ms();
        record(ctx);
        ctx.set_timer(sim::milliseconds(10), tag);
    }
    void record(kafka::Context& ctx) {
        while (sent_at_ms.size() < network.metadata_requests_sent()) sent_at_ms.push_back(ctx.now().ms());
    }
};

}  // namespace

TEST_CASE("a down broker is probed after reconnect.backoff.ms, doubling to reconnect.backoff.max.ms, and is ready once one is answered") {
    kafka::World world(1, sim::NetworkOptions{});
    kafka::ClusterDirectory dir;
    const sim::NodeId broker = world.add_node("broker:1", [] { return std::make_unique<SilentBroker>(); });
    dir.brokers[1] = broker;
    const sim::NodeId client = world.add_node("client:1", [&dir] { return std::make_unique<ProbingClient>(dir); });
    world.start(broker);
    world.start(client);

    world.run_until(sim::time_zero + sim::seconds(4));
    const ProbingClient& c = *world.node_as<ProbingClient>(client);
    // The metadata update the disconnect asked for, then the probes: 50 ms after the
    // disconnect, then 100, 200, 400, 800 ms and 1 s apart.
    CHECK(c.sent_at_ms == std::vector<int64_t>{0, 50, 150, 350, 750, 1550, 2550, 3550});
    CHECK(c.ready_at_ms < 0);

    world.node_as<SilentBroker>(broker)->answer = true;
    world.run_until(sim::time_zero + sim::seconds(6));
    CHECK(c.sent_at_ms.size() == 9);  // the probe at 4550 ms is answered
    CHECK(c.ready_at_ms > 4550);
    CHECK(c.ready_at_ms < 4700);
}
