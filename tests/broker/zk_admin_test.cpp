// Admin operations against the ZooKeeper-mode controller: a ZooKeeper ensemble and brokers in
// one world, and a probe node that sends the admin requests to the controller broker as the
// admin client does. DeleteTopics (TopicDeletionManager, including the stall while a replica's
// broker is down), CreatePartitions, IncrementalAlterConfigs, ElectLeaders, with Kafka's errors
// and messages.
#include <catch2/catch.hpp>

#include <memory>
#include <string>
#include <vector>

#include "broker/broker_node.hpp"
#include "broker/config.hpp"
#include "broker/zookeeper/zk_server.hpp"

namespace {

using namespace kafka;

class AdminProbe final : public Node {
public:
    std::vector<Message> answers;
    void on_start(Context&) override {}
    void on_message(sim::NodeId, Message& m, Context&) override { answers.push_back(m); }
};

struct ZkCluster {
    BrokerConfig config;
    ClusterDirectory directory;
    std::vector<int32_t> ensemble{1, 2, 3};
    std::unique_ptr<World> world;
    sim::NodeId probe = sim::no_node;
    int32_t next_correlation = 1;

    explicit ZkCluster(int brokers, ConfigMap overrides = {}, const std::string& version = "3.4", uint64_t seed = 7) {
        overrides.emplace("zookeeper.session.timeout.ms", int64_t{6000});
        overrides.emplace("auto.leader.rebalance.enable", false);
        config = BrokerConfig::from(*profile_for(version), overrides);
        world = std::make_unique<World>(seed, sim::NetworkOptions{});
        for (int32_t sid : ensemble)
            directory.zookeepers[sid] = world->add_node("zookeeper:" + std::to_string(sid), [this, sid] {
                return std::make_unique<ZooKeeperServer>(sid, ensemble, config, directory);
            });
        for (int32_t id = 1; id <= brokers; ++id)
            directory.brokers[id] = world->add_node("broker:" + std::to_string(id), [this, id] {
                return std::make_unique<BrokerNode>(id, std::vector<int32_t>{}, config, directory, ensemble);
            });
        probe = world->add_node("admin", [] { return std::make_unique<AdminProbe>(); });
        for (sim::NodeId n = 0; n < static_cast<sim::NodeId>(world->node_count()); ++n) world->start(n);
        run_for(15000);
        REQUIRE(controller() > 0);
    }

    BrokerNode* broker(int32_t id) { return world->node_as<BrokerNode>(directory.broker_node(id)); }
    sim::Disk& disk(int32_t id) { return world->disk(directory.broker_node(id)); }
    int32_t controller() {
        for (const auto& [id, node] : directory.brokers)
            if (world->is_up(node) && broker(id) != nullptr && broker(id)->zk_controller()->active()) return id;
        return -1;
    }
    // A broker other than the controller and those in `not_these`.
    int32_t other_than(std::vector<int32_t> not_these) {
        not_these.push_back(controller());
        for (const auto& [id, node] : directory.brokers)
            if (std::find(not_these.begin(), not_these.end(), id) == not_these.end()) return id;
        return -1;
    }
    void run_for(int64_t ms) { world->run_until(world->now() + sim::milliseconds(ms)); }
    void crash(int32_t id) { world->crash(directory.broker_node(id)); }
    void restart(int32_t id) { world->restart(directory.broker_node(id)); }

    // Sends `req` to broker `to` (the controller by default) and runs until its answer.
    template <class Resp, class Req>
    Resp ask(Req req, int32_t to = -1) {
        req.correlation_id = next_correlation++;
        auto* p = world->node_as<AdminProbe>(probe);
        p->answers.clear();
        Context ctx(*world, probe);
        ctx.send(directory.broker_node(to < 0 ? controller() : to), req);
        for (int i = 0; i < 400; ++i) {
            run_for(100);
            for (Message& m : p->answers)
                if (auto* r = std::get_if<Resp>(&m); r != nullptr && r->correlation_id == req.correlation_id) return *r;
        }
        FAIL("no answer");
        return Resp{};
    }

    CreateTopicsResponse::Result create(const std::string& name, int32_t partitions, int16_t rf,
                                        std::vector<std::vector<BrokerId>> assignment = {}) {
        CreateTopicsRequest req;
        CreatableTopic t;
        t.name = name;
        t.num_partitions = partitions;
        t.replication_factor = rf;
        t.assignment = std::move(assignment);
        req.topics.push_back(t);
        auto resp = ask<CreateTopicsResponse>(req);
        run_for(3000);
        return resp.topics.at(0);
    }
    DeleteTopicsResponse::Result remove(const std::string& name, int32_t to = -1) {
        DeleteTopicsRequest req;
        req.topics = {name};
        return ask<DeleteTopicsResponse>(req, to).topics.at(0);
    }
    IncrementalAlterConfigsResponse::Result alter(const std::string& topic, std::vector<IncrementalAlterConfigsRequest::Op> ops,
                                                  ConfigResourceType type = ConfigResourceType::topic) {
        IncrementalAlterConfigsRequest req;
        req.resources.push_back(IncrementalAlterConfigsRequest::Resource{type, topic, std::move(ops)});
        return ask<IncrementalAlterConfigsResponse>(req).resources.at(0);
    }
    ElectLeadersResponse::Result elect(ElectionType type, const std::string& topic, int32_t partition) {
        ElectLeadersRequest req;
        req.type = type;
        req.partitions = {TopicPartitionName{topic, partition}};
        return ask<ElectLeadersResponse>(req).partitions.at(0);
    }
    const PartitionState* state(int32_t on_broker, const std::string& topic, int32_t p) {
        const TopicImage* t = broker(on_broker)->metadata().topic(topic);
        return t == nullptr ? nullptr : t->partition(p);
    }
    bool has_log_files(int32_t b, const std::string& topic, int32_t p) {
        return !disk(b).list(topic + "-" + std::to_string(p) + "/").empty();
    }
};

IncrementalAlterConfigsRequest::Op set(const std::string& name, const std::string& value) {
    return IncrementalAlterConfigsRequest::Op{name, AlterConfigOpType::set, value};
}

}  // namespace

TEST_CASE("zk admin: delete topic removes it from every broker and its logs from the disks", "[zk-admin]") {
    ZkCluster c(3);
    REQUIRE(c.create("t", 2, 3).error == Error::none);
    for (int32_t b = 1; b <= 3; ++b) {
        REQUIRE(c.state(b, "t", 1) != nullptr);
        CHECK(c.has_log_files(b, "t", 0));
        CHECK(c.has_log_files(b, "t", 1));
    }
    auto r = c.remove("t");
    CHECK(r.error == Error::none);
    c.run_for(5000);
    for (int32_t b = 1; b <= 3; ++b) {
        INFO("broker " << b);
        CHECK(c.broker(b)->metadata().topic("t") == nullptr);
        CHECK(c.broker(b)->partition(TopicPartition{c.broker(b)->metadata().max_topic_id(), 0}) == nullptr);
        CHECK_FALSE(c.has_log_files(b, "t", 0));
        CHECK_FALSE(c.has_log_files(b, "t", 1));
    }
    // Deleting it again: it is unknown now; recreating it works (the znodes are gone).
    auto again = c.remove("t");
    CHECK(again.error == Error::unknown_topic_or_partition);
    CHECK(again.message == "This server does not host this topic-partition.");
    CHECK(c.create("t", 1, 3).error == Error::none);
    CHECK(c.state(1, "t", 0) != nullptr);
}

TEST_CASE("zk admin: topic deletion stalls while a replica's broker is down and resumes when it is back", "[zk-admin]") {
    ZkCluster c(3);
    REQUIRE(c.create("t", 1, 3).error == Error::none);
    const int32_t down = c.other_than({});
    REQUIRE(c.has_log_files(down, "t", 0));
    c.crash(down);
    c.run_for(10000);  // its session expires
    auto r = c.remove("t");
    CHECK(r.error == Error::none);  // it left the metadata of the live brokers
    c.run_for(5000);
    for (int32_t b = 1; b <= 3; ++b)
        if (b != down) {
            CHECK(c.broker(b)->metadata().topic("t") == nullptr);
            CHECK_FALSE(c.has_log_files(b, "t", 0));
        }
    CHECK(c.has_log_files(down, "t", 0));  // its replica cannot be deleted: the topic stays in ZooKeeper
    auto recreate = c.create("t", 1, 2);
    CHECK(recreate.error == Error::topic_already_exists);
    CHECK(recreate.message == "Topic 't' is marked for deletion.");

    c.restart(down);
    c.run_for(10000);
    CHECK_FALSE(c.has_log_files(down, "t", 0));
    CHECK(c.broker(down)->metadata().topic("t") == nullptr);
    CHECK(c.create("t", 1, 3).error == Error::none);
}

TEST_CASE("zk admin: delete topic errors", "[zk-admin]") {
    SECTION("not the controller") {
        ZkCluster c(3);
        REQUIRE(c.create("t", 1, 3).error == Error::none);
        auto r = c.remove("t", c.other_than({}));
        CHECK(r.error == Error::not_controller);
        CHECK(r.message == "This is not the correct controller for this cluster.");
    }
    SECTION("delete.topic.enable=false") {
        ZkCluster c(3, {{"delete.topic.enable", false}});
        REQUIRE(c.create("t", 1, 3).error == Error::none);
        auto r = c.remove("t");
        CHECK(r.error == Error::topic_deletion_disabled);
        CHECK(r.message == "Topic deletion is disabled.");
        CHECK(c.state(1, "t", 0) != nullptr);
    }
    SECTION("the default before 1.0 is false") {
        CHECK_FALSE(BrokerConfig::from(*profile_for("0.10"), {}).delete_topic_enable);
        CHECK(BrokerConfig::from(*profile_for("2.0"), {}).delete_topic_enable);
    }
}

TEST_CASE("zk admin: create partitions", "[zk-admin]") {
    ZkCluster c(3);
    REQUIRE(c.create("t", 2, 2).error == Error::none);
    auto add = [&](const std::string& topic, int32_t count, std::vector<std::vector<BrokerId>> assignment = {}) {
        CreatePartitionsRequest req;
        req.topics.push_back(CreatePartitionsRequest::Topic{topic, count, std::move(assignment)});
        return c.ask<CreatePartitionsResponse>(req).topics.at(0);
    };
    auto r = add("t", 4);
    CHECK(r.error == Error::none);
    for (int32_t b = 1; b <= 3; ++b) {
        INFO("broker " << b);
        REQUIRE(c.broker(b)->metadata().topic("t") != nullptr);
        CHECK(c.broker(b)->metadata().topic("t")->partitions.size() == 4);
        REQUIRE(c.state(b, "t", 3) != nullptr);
        CHECK(c.state(b, "t", 3)->leader >= 1);
        CHECK(c.state(b, "t", 3)->replicas.size() == 2);
    }
    r = add("t", 3);
    CHECK(r.error == Error::invalid_partitions);
    CHECK(r.message == "Topic currently has 4 partitions, which is higher than the requested 3.");
    r = add("t", 4);
    CHECK(r.error == Error::invalid_partitions);
    CHECK(r.message == "Topic already has 4 partitions.");
    r = add("nope", 4);
    CHECK(r.error == Error::unknown_topic_or_partition);
    CHECK(r.message == "The topic 'nope' does not exist.");
    r = add("t", 5, {{1, 9}});
    CHECK(r.error == Error::invalid_replica_assignment);
    CHECK(r.message == "Unknown broker(s) in replica assignment: 9.");
    r = add("t", 6, {{1, 2}});
    CHECK(r.error == Error::invalid_replica_assignment);
    CHECK(r.message == "Increasing the number of partitions by 2 but 1 assignments provided.");
    r = add("t", 5, {{3, 1}});
    CHECK(r.error == Error::none);
    REQUIRE(c.state(2, "t", 4) != nullptr);
    CHECK(c.state(2, "t", 4)->replicas == std::vector<BrokerId>{3, 1});
    CHECK(c.state(2, "t", 4)->leader == 3);
}

TEST_CASE("zk admin: alter topic configs", "[zk-admin]") {
    ZkCluster c(3);
    REQUIRE(c.create("t", 1, 3).error == Error::none);
    auto r = c.alter("t", {set("min.insync.replicas", "2"), set("retention.ms", "60000")});
    CHECK(r.error == Error::none);
    c.run_for(2000);
    for (int32_t b = 1; b <= 3; ++b) {
        INFO("broker " << b);
        const TopicImage* t = c.broker(b)->metadata().topic("t");
        REQUIRE(t != nullptr);
        REQUIRE(t->configs.count("min.insync.replicas"));
        CHECK(config_int(t->configs.at("min.insync.replicas")) == 2);
        CHECK(config_int(t->configs.at("retention.ms")) == 60000);
        const Partition* p = c.broker(b)->partition(TopicPartition{t->id, 0});
        REQUIRE(p != nullptr);
    }
    r = c.alter("t", {IncrementalAlterConfigsRequest::Op{"retention.ms", AlterConfigOpType::remove, ""}});
    CHECK(r.error == Error::none);
    c.run_for(2000);
    for (int32_t b = 1; b <= 3; ++b) {
        const TopicImage* t = c.broker(b)->metadata().topic("t");
        CHECK(t->configs.count("retention.ms") == 0);
        CHECK(t->configs.count("min.insync.replicas") == 1);
    }

    r = c.alter("t", {set("min.insync.replicas", "abc")});
    CHECK(r.error == Error::invalid_request);
    CHECK(r.message ==
          "Invalid config value for resource ConfigResource(type=TOPIC, name='t'): Invalid value abc for configuration "
          "min.insync.replicas: Not a number of type INT");
    r = c.alter("t", {set("min.insync.replicas", "0")});
    CHECK(r.error == Error::invalid_request);
    CHECK(r.message ==
          "Invalid config value for resource ConfigResource(type=TOPIC, name='t'): Invalid value 0 for configuration "
          "min.insync.replicas: Value must be at least 1");
    r = c.alter("t", {set("no.such.config", "1")});
    CHECK(r.error == Error::invalid_config);
    CHECK(r.message == "Unknown topic config name: no.such.config");
    r = c.alter("t", {set("retention.ms", "1"), set("retention.ms", "2")});
    CHECK(r.error == Error::invalid_request);
    CHECK(r.message == "Error due to duplicate config keys : retention.ms");
    r = c.alter("nope", {set("retention.ms", "1")});
    CHECK(r.error == Error::unknown_topic_or_partition);
    CHECK(r.message == "The topic 'nope' does not exist.");
    r = c.alter("1", {set("log.retention.ms", "1")}, ConfigResourceType::broker);
    CHECK(r.error == Error::invalid_request);
    CHECK(r.message == "Dynamic broker configs are not supported by this simulator yet");
}

TEST_CASE("zk admin: preferred leader election", "[zk-admin]") {
    ZkCluster c(4);
    const int32_t a = c.other_than({});
    const int32_t b = c.other_than({a});
    const int32_t d = c.other_than({a, b});
    REQUIRE(c.create("t", 1, 3, {{a, b, d}}).error == Error::none);
    REQUIRE(c.state(b, "t", 0)->leader == a);
    auto r = c.elect(ElectionType::preferred, "t", 0);
    CHECK(r.error == Error::election_not_needed);
    CHECK(r.message == "Leader election not needed for topic partition.");

    c.crash(a);
    c.run_for(10000);
    REQUIRE(c.state(b, "t", 0)->leader == b);
    r = c.elect(ElectionType::preferred, "t", 0);
    CHECK(r.error == Error::preferred_leader_not_available);
    CHECK(r.message == "Failed to elect leader for partition t-0 under strategy PreferredReplicaPartitionLeaderElectionStrategy");

    c.restart(a);
    c.run_for(15000);  // back in the ISR, not leading
    REQUIRE(c.state(b, "t", 0)->leader == b);
    REQUIRE(c.state(b, "t", 0)->isr.size() == 3);
    r = c.elect(ElectionType::preferred, "t", 0);
    CHECK(r.error == Error::none);
    c.run_for(1000);
    for (int32_t x : {a, b, d}) CHECK(c.state(x, "t", 0)->leader == a);

    r = c.elect(ElectionType::preferred, "nope", 0);
    CHECK(r.error == Error::unknown_topic_or_partition);
    CHECK(r.message == "The partition does not exist.");
    // An empty list: every partition.
    ElectLeadersRequest all;
    all.type = ElectionType::preferred;
    auto resp = c.ask<ElectLeadersResponse>(all);
    REQUIRE(resp.partitions.size() == 1);
    CHECK(resp.partitions[0].error == Error::election_not_needed);
}

TEST_CASE("zk admin: unclean leader election by request and by topic config", "[zk-admin]") {
    ZkCluster c(4);
    const int32_t a = c.other_than({});
    const int32_t b = c.other_than({a});
    REQUIRE(c.create("t", 1, 2, {{a, b}}).error == Error::none);
    REQUIRE(c.create("u", 1, 2, {{a, b}}).error == Error::none);
    auto r = c.elect(ElectionType::unclean, "t", 0);
    CHECK(r.error == Error::election_not_needed);

    c.crash(b);  // out of the ISRs
    c.run_for(10000);
    c.crash(a);  // the last ISR member: offline
    c.run_for(10000);
    REQUIRE(c.state(c.controller(), "t", 0)->leader == no_leader);
    r = c.elect(ElectionType::unclean, "t", 0);
    CHECK(r.error == Error::eligible_leaders_not_available);
    CHECK(r.message == "Failed to elect leader for partition t-0 under strategy OfflinePartitionLeaderElectionStrategy(true)");

    c.restart(b);  // alive, out of the ISR: a clean election cannot pick it
    c.run_for(10000);
    REQUIRE(c.state(c.controller(), "t", 0)->leader == no_leader);
    REQUIRE(c.state(c.controller(), "u", 0)->leader == no_leader);
    r = c.elect(ElectionType::unclean, "t", 0);
    CHECK(r.error == Error::none);
    c.run_for(1000);
    CHECK(c.state(c.controller(), "t", 0)->leader == b);
    CHECK(c.state(b, "t", 0)->leader == b);

    // The topic config turns unclean election on: the controller elects the offline partition.
    auto cfg = c.alter("u", {set("unclean.leader.election.enable", "true")});
    CHECK(cfg.error == Error::none);
    c.run_for(2000);
    CHECK(c.state(c.controller(), "u", 0)->leader == b);
}
