// A consumer inside an application, as a Streams instance holds its main and restore consumers:
// a host node forwards every handler call to an embedded ConsumerClient (its timers and
// correlation ids in their own ranges) and listens to it as its ClientEvents. Against a small
// KRaft cluster (one controller, three brokers) with a producer writing to "input":
//  - pause_delivery holds poll() and resume hands out what was buffered at once; a paused
//    partition is neither fetched nor handed out;
//  - with explicit commits nothing is committed until commit_positions(), which commits the
//    consumed positions (acknowledged by on_commit and stored by the group coordinator);
//  - manual assignment reads only the partitions assigned, from the offset given or (-1) from
//    the start, and fetches nothing before;
//  - cooperative-sticky: the host sees the revocation and the later addition as two changes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/broker_node.hpp"
#include "broker/controller_node.hpp"
#include "clients/admin_client.hpp"
#include "clients/client_timer.hpp"
#include "clients/consumer_client.hpp"
#include "clients/producer_client.hpp"

namespace {

using kafka::GroupPartition;
using kafka::TopicPartition;

constexpr uint64_t timer_base = 16;          // the host's own timer kinds are below
constexpr int32_t first_correlation = 1000000;  // the host's own correlation ids are below
constexpr uint64_t host_timer_kind = 1;

sim::Time at_s(int64_t s) { return sim::time_zero + sim::seconds(s); }

// What the host hands its consumer, and what it saw.
struct AppSpec {
    std::optional<std::string> group;
    kafka::ConfigMap consumer_config;
    kafka::ConsumerClient::ApplicationMode mode;
};

class AppHost final : public kafka::Node, public kafka::ClientEvents {
public:
    struct Poll {
        sim::Time t;
        TopicPartition tp;
        int64_t first = 0;
        int32_t count = 0;
    };
    struct Assignment {
        sim::Time t;
        int32_t generation = -1;
        std::vector<TopicPartition> partitions;
    };

    AppHost(uint32_t ordinal, const AppSpec& spec, const kafka::VersionProfile& profile,
            const kafka::ClusterDirectory& dir)
        : consumer_(std::make_unique<kafka::ConsumerClient>(
              ordinal, std::vector<std::string>{"input"}, kafka::ConsumerConfig::from(profile, spec.consumer_config),
              std::nullopt, sim::time_zero, sim::time_never, dir, this, spec.group,
              kafka::ClientEmbedding{timer_base, first_correlation})) {
        consumer_->set_application_mode(spec.mode);
    }

    // ---- the host forwards, routing timers by kind and answers by correlation id ----
    void on_start(kafka::Context& ctx) override {
        ctx.set_timer(sim::milliseconds(500), kafka::client_timer::tag(host_timer_kind));
        consumer_->on_start(ctx);
    }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        const int32_t corr = std::visit(
            [](const auto& m) -> int32_t {
                if constexpr (requires { m.correlation_id; }) return m.correlation_id;
                else return 0;
            },
            msg);
        correlation_ids.push_back(corr);
        if (corr >= first_correlation) consumer_->on_message(from, msg, ctx);
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        const uint64_t kind = kafka::client_timer::kind(tag);
        if (kind < timer_base) {
            ++host_timers;
            return;
        }
        consumer_timer_kinds.insert(kind);
        consumer_->on_timer(tag, ctx);
    }
    void on_disconnect(sim::NodeId peer, kafka::Context& ctx) override { consumer_->on_disconnect(peer, ctx); }

    // ---- what the consumer reports ----
    void on_send(uint32_t, sim::Time, TopicPartition, uint32_t, int32_t) override {}
    void on_ack(uint32_t, sim::Time, TopicPartition, uint32_t, int32_t, int64_t) override {}
    void on_error(uint32_t, sim::Time, TopicPartition, uint32_t, int32_t, kafka::Error, bool) override {}
    void on_poll(uint32_t, sim::Time t, TopicPartition tp, const kafka::RecordBatch&, int64_t first,
                 int32_t count) override {
        polls.push_back(Poll{t, tp, first, count});
    }
    void on_assignment(uint32_t, sim::Time t, int32_t generation, const std::vector<TopicPartition>& parts) override {
        assignments.push_back(Assignment{t, generation, parts});
    }
    void on_commit(uint32_t, sim::Time, int32_t, TopicPartition tp, int64_t offset) override { commits[tp] = offset; }
    void on_commit_failed(uint32_t, sim::Time, int32_t, kafka::Error error) override {
        commit_failures.push_back(error);
    }

    kafka::ConsumerClient& consumer() { return *consumer_; }

    std::vector<Poll> polls;
    std::vector<Assignment> assignments;
    std::map<TopicPartition, int64_t> commits;
    std::vector<kafka::Error> commit_failures;
    std::set<uint64_t> consumer_timer_kinds;
    std::vector<int32_t> correlation_ids;
    int host_timers = 0;

    // Records polled per partition, checking each partition's polls are contiguous.
    std::map<TopicPartition, int64_t> polled_since(sim::Time t) const {
        std::map<TopicPartition, int64_t> n;
        for (const auto& p : polls)
            if (p.t >= t) n[p.tp] += p.count;
        return n;
    }
    void require_contiguous() const {
        std::map<TopicPartition, int64_t> next;
        for (const auto& p : polls) {
            auto it = next.find(p.tp);
            if (it != next.end()) REQUIRE(p.first == it->second);
            next[p.tp] = p.first + p.count;
        }
    }

private:
    std::unique_ptr<kafka::ConsumerClient> consumer_;
};

// One controller, three brokers, topic "input" (2 partitions, RF 3) and a producer writing
// 200 records/s to it from 2 s until `produce_until`.
struct AppCluster {
    kafka::VersionProfile profile;
    kafka::BrokerConfig broker_config;
    kafka::ClusterDirectory dir;
    std::vector<int32_t> voters{3000};
    kafka::World world;
    std::vector<sim::NodeId> apps;

    explicit AppCluster(sim::Time produce_until, uint64_t seed = 7)
        : profile(*kafka::profile_for("3.7")),
          broker_config(kafka::BrokerConfig::from(profile, {{"offsets.topic.num.partitions", int64_t{5}}})),
          world(seed, sim::NetworkOptions{}) {
        dir.controllers[3000] = world.add_node("controller:3000", [this] {
            return std::make_unique<kafka::ControllerNode>(3000, voters, broker_config, dir, 1);
        });
        for (int32_t id = 1; id <= 3; ++id)
            dir.brokers[id] = world.add_node("broker:" + std::to_string(id), [this, id] {
                return std::make_unique<kafka::BrokerNode>(id, voters, broker_config, dir);
            });
        kafka::CreatableTopic input;
        input.name = "input";
        input.num_partitions = 2;
        input.replication_factor = 3;
        dir.admin = world.add_node("admin", [this, input] {
            return std::make_unique<kafka::AdminClient>(std::vector<kafka::CreatableTopic>{input}, dir);
        });
        kafka::WorkloadSpec w;
        w.rate_per_s = 200;
        w.keys = 10;
        w.from = at_s(2);
        w.until = produce_until;
        world.add_node("producer:1", [this, w] {
            return std::make_unique<kafka::ProducerClient>(1, "input", kafka::ProducerConfig::from(profile, {}), w, dir,
                                                           nullptr);
        });
        for (sim::NodeId n = 0; n < static_cast<sim::NodeId>(world.node_count()); ++n) world.start(n);
    }

    sim::NodeId add_app(const std::string& name, uint32_t ordinal, const AppSpec& spec) {
        const sim::NodeId n = world.add_node(
            name, [this, ordinal, spec] { return std::make_unique<AppHost>(ordinal, spec, profile, dir); });
        world.start(n);
        apps.push_back(n);
        return n;
    }
    AppHost& app(sim::NodeId n) { return *world.node_as<AppHost>(n); }
    kafka::Context ctx(sim::NodeId n) { return kafka::Context(world, n); }
    void run_to(int64_t s) { world.run_until(at_s(s)); }
    sim::Time now() const { return world.now(); }

    // The group's committed offset of input-p as its coordinator holds it (-1: none).
    int64_t coordinator_offset(const std::string& group, int32_t p) {
        for (const auto& [id, node] : dir.brokers) {
            auto* b = world.node_as<kafka::BrokerNode>(node);
            if (b == nullptr) continue;
            const auto& groups = b->coordinator().groups();
            auto g = groups.find(group);
            if (g == groups.end()) continue;
            auto o = g->second.offsets.find(GroupPartition{"input", p});
            if (o != g->second.offsets.end()) return o->second.offset;
        }
        return -1;
    }
};

// Every timer the embedded consumer set is in its range, every answer it got carries one of
// its correlation ids, and the host's own timer still reached the host.
void require_in_ranges(const AppHost& host) {
    REQUIRE(!host.consumer_timer_kinds.empty());
    for (uint64_t kind : host.consumer_timer_kinds) {
        REQUIRE(kind > timer_base);
        REQUIRE(kind <= timer_base + 11);
    }
    REQUIRE(host.host_timers == 1);
    REQUIRE(!host.correlation_ids.empty());
    for (int32_t corr : host.correlation_ids) REQUIRE(corr >= first_correlation);
}

AppSpec group_app(const std::string& strategy = "cooperative-sticky") {
    AppSpec spec;
    spec.group = "app";
    spec.consumer_config = {{"enable.auto.commit", false},
                            {"auto.offset.reset", std::string("earliest")},
                            {"partition.assignment.strategy", strategy}};
    spec.mode.explicit_commits = true;
    return spec;
}

}  // namespace

TEST_CASE("embedded consumer: pause holds delivery, resume hands out the buffer at once, explicit commits") {
    AppCluster c(at_s(40));
    const sim::NodeId n = c.add_app("app:1", 2, group_app());
    {
        auto ctx = c.ctx(n);
        c.app(n).consumer().pause_delivery(true, ctx);
    }
    c.run_to(20);
    AppHost& host = c.app(n);
    kafka::ConsumerClient& consumer = host.consumer();
    REQUIRE(consumer.stable_member());
    REQUIRE(consumer.assignment().size() == 2);
    REQUIRE(host.assignments.size() == 1);
    REQUIRE(host.assignments.back().partitions.size() == 2);
    // Fetched but not handed out; no more fetches while the buffers are full.
    REQUIRE(host.polls.empty());
    REQUIRE(consumer.buffered_records() > 0);
    const uint64_t fetches = consumer.fetch_requests_sent();
    c.run_to(22);
    REQUIRE(consumer.fetch_requests_sent() == fetches);
    REQUIRE(host.polls.empty());

    // Resume: what was buffered is polled now, at this very time.
    const sim::Time resumed = c.now();
    {
        auto ctx = c.ctx(n);
        consumer.pause_delivery(false, ctx);
    }
    REQUIRE(!host.polls.empty());
    REQUIRE(host.polls.front().t == resumed);
    REQUIRE(consumer.buffered_records() == 0);
    c.run_to(25);
    host.require_contiguous();

    // Explicit commits: nothing was committed by polling alone.
    REQUIRE(host.commits.empty());
    REQUIRE(consumer.committed_offsets().empty());
    REQUIRE_FALSE(consumer.positions_committed());
    const auto positions = consumer.positions();
    REQUIRE(positions.size() == 2);
    for (const auto& [tp, pos] : positions) REQUIRE(pos > 0);

    // Per-partition pause: input-0 is neither fetched nor handed out; input-1 goes on.
    const auto tp0 = *consumer.partition_of(GroupPartition{"input", 0});
    const auto tp1 = *consumer.partition_of(GroupPartition{"input", 1});
    {
        auto ctx = c.ctx(n);
        consumer.pause_partitions({tp0}, true, ctx);
    }
    REQUIRE(consumer.paused_partitions() == std::vector<TopicPartition>{tp0});
    const sim::Time paused_at = c.now();
    const int64_t pos0 = consumer.position(tp0);
    c.run_to(30);
    auto since = host.polled_since(paused_at);
    REQUIRE(since.count(tp0) == 0);
    REQUIRE(since[tp1] > 0);
    REQUIRE(consumer.position(tp0) == pos0);
    {
        auto ctx = c.ctx(n);
        consumer.pause_partitions({tp0}, false, ctx);
    }
    c.run_to(32);
    REQUIRE(host.polled_since(at_s(30))[tp0] > 0);
    host.require_contiguous();

    // commit_positions: the positions now are what the coordinator stores and acknowledges.
    const auto to_commit = consumer.positions();
    {
        auto ctx = c.ctx(n);
        REQUIRE(consumer.commit_positions(ctx));
        REQUIRE(consumer.commit_in_flight());
        REQUIRE_FALSE(consumer.commit_positions(ctx));  // one at a time
        consumer.pause_delivery(true, ctx);             // as Streams does while it commits
    }
    c.run_to(34);
    REQUIRE(host.commit_failures.empty());
    REQUIRE(host.commits == to_commit);
    REQUIRE(consumer.committed_offsets() == to_commit);
    REQUIRE(consumer.positions_committed());
    REQUIRE(c.coordinator_offset("app", 0) == to_commit.at(tp0));
    REQUIRE(c.coordinator_offset("app", 1) == to_commit.at(tp1));
    // What sendOffsetsToTransaction would take, by topic name.
    const auto consumed = consumer.consumed_offsets();
    REQUIRE(consumed.size() == 2);
    REQUIRE(consumed[0].first == GroupPartition{"input", 0});
    REQUIRE(consumed[0].second == to_commit.at(tp0));
    {
        auto ctx = c.ctx(n);
        REQUIRE_FALSE(consumer.commit_positions(ctx));  // nothing new
        consumer.pause_delivery(false, ctx);
    }

    // After the producer stops, everything is read exactly once.
    c.run_to(45);
    host.require_contiguous();
    int64_t total = 0;
    for (const auto& [tp, count] : host.polled_since(sim::time_zero)) {
        REQUIRE(count == consumer.end_offset(tp));
        total += count;
    }
    REQUIRE(total == static_cast<int64_t>(consumer.records_consumed()));
    require_in_ranges(host);
}

TEST_CASE("embedded consumer: manual assignment reads only the partitions assigned, from the offset given") {
    AppCluster c(at_s(8));
    AppSpec spec;
    spec.consumer_config = {{"auto.offset.reset", std::string("latest")}};
    spec.mode.manual_assignment = true;
    const sim::NodeId n = c.add_app("restore:1", 2, spec);
    c.run_to(12);
    AppHost& host = c.app(n);
    kafka::ConsumerClient& consumer = host.consumer();
    // Nothing assigned: nothing fetched, nothing reset.
    REQUIRE(consumer.topic_id("input"));
    REQUIRE(consumer.assignment().empty());
    REQUIRE(consumer.fetch_requests_sent() == 0);
    REQUIRE(consumer.list_offsets_requests_sent() == 0);
    REQUIRE(host.polls.empty());

    // input-0 from offset 5; input-1 from the beginning (whatever auto.offset.reset says).
    const auto tp0 = *consumer.partition_of(GroupPartition{"input", 0});
    const auto tp1 = *consumer.partition_of(GroupPartition{"input", 1});
    const sim::Time assigned_at = c.now();
    {
        auto ctx = c.ctx(n);
        consumer.assign({{GroupPartition{"input", 0}, 5}, {GroupPartition{"input", 1}, -1}}, ctx);
    }
    REQUIRE(consumer.assignment().size() == 2);
    REQUIRE(consumer.position(tp0) == 5);
    REQUIRE(consumer.position(tp1) == -1);  // ListOffsets first
    c.run_to(16);
    host.require_contiguous();
    const auto first_poll = [&](TopicPartition tp) {
        for (const auto& p : host.polls)
            if (p.tp == tp) return p.first;
        return int64_t{-1};
    };
    REQUIRE(first_poll(tp0) == 5);
    REQUIRE(first_poll(tp1) == 0);
    // Caught up: the end offset a fetch after the assignment reported is reached.
    for (const auto& tp : {tp0, tp1}) {
        REQUIRE(consumer.end_offset_time(tp));
        REQUIRE(*consumer.end_offset_time(tp) >= assigned_at);
        REQUIRE(consumer.end_offset(tp) > 5);
        REQUIRE(consumer.position(tp) == consumer.end_offset(tp));
    }
    auto polled = host.polled_since(sim::time_zero);
    REQUIRE(polled[tp0] == consumer.end_offset(tp0) - 5);
    REQUIRE(polled[tp1] == consumer.end_offset(tp1));
    REQUIRE(host.assignments.empty());  // manual assignment is no group event

    // Re-assign only input-1 (its position kept), then seek it back to 3: input-0 is dropped.
    {
        auto ctx = c.ctx(n);
        consumer.assign({{GroupPartition{"input", 1}, 0}}, ctx);
        REQUIRE(consumer.assignment() == std::vector<TopicPartition>{tp1});
        REQUIRE(consumer.position(tp1) == consumer.end_offset(tp1));
        consumer.seek(GroupPartition{"input", 1}, 3, ctx);
    }
    const sim::Time seeked = c.now();
    c.run_to(20);
    auto again = host.polled_since(seeked);
    REQUIRE(again.count(tp0) == 0);
    REQUIRE(again[tp1] == consumer.end_offset(tp1) - 3);
    {
        auto ctx = c.ctx(n);
        consumer.unassign(ctx);
    }
    REQUIRE(consumer.assignment().empty());
    require_in_ranges(host);
}

TEST_CASE("embedded consumer: cooperative-sticky reports the revocation and the later addition") {
    AppCluster c(at_s(60));
    const sim::NodeId a = c.add_app("app:1", 2, group_app());
    c.run_to(15);
    REQUIRE(c.app(a).consumer().assignment().size() == 2);
    REQUIRE(c.app(a).assignments.size() == 1);
    const sim::NodeId b = c.add_app("app:2", 3, group_app());
    c.run_to(40);
    AppHost& first = c.app(a);
    AppHost& second = c.app(b);
    // The first member gives one partition up (one change), keeps the other; the second
    // member is assigned it in the round after (one change from nothing).
    REQUIRE(first.assignments.size() == 2);
    REQUIRE(first.assignments[1].partitions.size() == 1);
    REQUIRE(second.assignments.size() >= 1);
    REQUIRE(second.assignments.back().partitions.size() == 1);
    REQUIRE(second.assignments.back().partitions != first.assignments[1].partitions);
    REQUIRE(second.assignments.back().generation > first.assignments[1].generation);
    REQUIRE(first.consumer().assignment().size() == 1);
    REQUIRE(second.consumer().assignment().size() == 1);
}

TEST_CASE("embedded consumer: an eager member sees the empty set before it rejoins") {
    AppCluster c(at_s(60));
    const sim::NodeId a = c.add_app("app:1", 2, group_app("range"));
    c.run_to(15);
    REQUIRE(c.app(a).assignments.size() == 1);
    const sim::NodeId b = c.add_app("app:2", 3, group_app("range"));
    c.run_to(40);
    AppHost& first = c.app(a);
    REQUIRE(first.assignments.size() == 3);
    REQUIRE(first.assignments[1].partitions.empty());
    REQUIRE(first.assignments[2].partitions.size() == 1);
    REQUIRE(c.app(b).assignments.back().partitions.size() == 1);
}

TEST_CASE("embedded consumer: committing on revocation hands a cooperative partition over where it was left") {
    AppCluster c(at_s(60));
    AppSpec spec = group_app();
    spec.mode.commit_on_revocation = true;
    const sim::NodeId a = c.add_app("app:1", 2, spec);
    c.run_to(15);
    REQUIRE(c.app(a).consumer().assignment().size() == 2);
    REQUIRE(c.app(a).commits.empty());  // explicit commits: none yet
    const sim::NodeId b = c.add_app("app:2", 3, spec);
    c.run_to(40);
    AppHost& first = c.app(a);
    AppHost& second = c.app(b);
    REQUIRE(first.assignments.size() == 2);
    REQUIRE(second.assignments.size() == 1);
    const TopicPartition moved = second.assignments.back().partitions.at(0);
    // The first member committed where it stopped reading the partition it gave up...
    REQUIRE(first.commits.size() == 1);
    REQUIRE(first.commits.count(moved) == 1);
    int64_t first_end = -1;
    for (const auto& p : first.polls)
        if (p.tp == moved) first_end = p.first + p.count;
    REQUIRE(first_end == first.commits.at(moved));
    // ...and the second one starts there: nothing read twice, nothing skipped.
    int64_t second_start = -1;
    for (const auto& p : second.polls)
        if (p.tp == moved) {
            second_start = p.first;
            break;
        }
    REQUIRE(second_start == first_end);
    REQUIRE(first.commit_failures.empty());
}

TEST_CASE("embedded consumer: a commit lost with its coordinator is reported failed, and the next one lands") {
    AppCluster c(at_s(60));
    const sim::NodeId n = c.add_app("app:1", 2, group_app());
    c.run_to(20);
    AppHost& host = c.app(n);
    kafka::ConsumerClient& consumer = host.consumer();
    REQUIRE(consumer.stable_member());
    const kafka::BrokerId coordinator = consumer.coordinator();
    {
        auto ctx = c.ctx(n);
        REQUIRE(consumer.commit_positions(ctx));
    }
    c.world.crash(c.dir.broker_node(coordinator));
    c.run_to(21);
    REQUIRE(host.commits.empty());
    REQUIRE(host.commit_failures.size() == 1);
    REQUIRE(host.commit_failures[0] == kafka::Error::coordinator_not_available);
    REQUIRE_FALSE(consumer.commit_in_flight());
    // The group moves to a follower of its __consumer_offsets partition; commit again there.
    bool sent = false;
    for (int64_t s = 22; s <= 50 && !sent; ++s) {
        c.run_to(s);
        auto ctx = c.ctx(n);
        consumer.pause_delivery(true, ctx);  // the positions stay what is committed
        sent = consumer.commit_positions(ctx);
        if (!sent) consumer.pause_delivery(false, ctx);
    }
    REQUIRE(sent);
    REQUIRE(consumer.coordinator() != coordinator);
    c.world.run_until(c.now() + sim::seconds(2));
    REQUIRE(host.commit_failures.size() == 1);
    REQUIRE(!host.commits.empty());
    REQUIRE(consumer.positions_committed());
    REQUIRE(consumer.committed_offsets() == consumer.positions());
}
