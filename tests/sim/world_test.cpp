#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <variant>
#include <vector>

#include "sim/world.hpp"

namespace {

struct Ping {
    int n = 0;
};
using PingMsg = std::variant<std::monostate, Ping>;
using PingWorld = sim::World<PingMsg>;

// Records what it receives; sends `count` numbered pings to `peer` on start.
struct Recorder : sim::Node<PingMsg> {
    std::vector<std::pair<sim::Time, int>>* log;
    sim::NodeId peer = sim::no_node;
    int count = 0;
    Recorder(std::vector<std::pair<sim::Time, int>>* l, sim::NodeId p, int c) : log(l), peer(p), count(c) {}
    void on_start(sim::Context<PingMsg>& ctx) override {
        for (int i = 0; i < count; ++i) ctx.send(peer, Ping{i});
    }
    void on_message(sim::NodeId, PingMsg& m, sim::Context<PingMsg>& ctx) override {
        log->emplace_back(ctx.now(), std::get<Ping>(m).n);
    }
    void on_timer(uint64_t tag, sim::Context<PingMsg>& ctx) override { log->emplace_back(ctx.now(), -static_cast<int>(tag)); }
};

}  // namespace

TEST_CASE("events run in (time, seq) order and ties keep scheduling order") {
    PingWorld w(1, {});
    std::vector<int> order;
    for (int i = 0; i < 5; ++i) w.schedule(sim::time_zero + sim::milliseconds(10), [&order, i] { order.push_back(i); });
    w.schedule(sim::time_zero + sim::milliseconds(5), [&order] { order.push_back(-1); });
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(order == std::vector<int>{-1, 0, 1, 2, 3, 4});
    REQUIRE(w.now() == sim::time_zero + sim::seconds(1));
}

TEST_CASE("a link is FIFO even when latencies are sampled") {
    sim::NetworkOptions net;
    net.latency_min = sim::milliseconds(1);
    net.latency_max = sim::milliseconds(50);
    PingWorld w(7, net);
    std::vector<std::pair<sim::Time, int>> got;
    sim::NodeId b = w.add_node("b", [&] { return std::make_unique<Recorder>(&got, sim::no_node, 0); });
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&got, b, 200); });
    w.start(b);
    w.start(a);
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(got.size() == 200);
    for (int i = 0; i < 200; ++i) REQUIRE(got[i].second == i);
    for (size_t i = 1; i < got.size(); ++i) REQUIRE(got[i].first >= got[i - 1].first);
}

TEST_CASE("partitions and one-way cuts drop messages in the blocked direction only") {
    PingWorld w(3, {});
    std::vector<std::pair<sim::Time, int>> at_a, at_b;
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&at_a, sim::no_node, 0); });
    sim::NodeId b = w.add_node("b", [&] { return std::make_unique<Recorder>(&at_b, sim::no_node, 0); });
    w.start(a);
    w.start(b);
    w.network().block(a, b, +1);  // one-way cut a -> b
    w.send(a, b, Ping{1});
    w.send(b, a, Ping{2});
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(at_b.empty());
    REQUIRE(at_a.size() == 1);
    w.network().block(a, b, -1);
    w.send(a, b, Ping{3});
    w.run_until(sim::time_zero + sim::seconds(2));
    REQUIRE(at_b.size() == 1);
    REQUIRE(at_b[0].second == 3);
}

TEST_CASE("a message in flight when a partition starts is lost") {
    sim::NetworkOptions net;
    net.latency_min = net.latency_max = sim::milliseconds(10);
    PingWorld w(3, net);
    std::vector<std::pair<sim::Time, int>> at_b, unused;
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&unused, sim::no_node, 0); });
    sim::NodeId b = w.add_node("b", [&] { return std::make_unique<Recorder>(&at_b, sim::no_node, 0); });
    w.start(a);
    w.start(b);
    w.send(a, b, Ping{1});
    w.schedule(sim::time_zero + sim::milliseconds(5), [&] { w.network().block(a, b, +1); });
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(at_b.empty());
}

TEST_CASE("crash drops in-flight messages and timers, pause defers them") {
    sim::NetworkOptions net;
    net.latency_min = net.latency_max = sim::milliseconds(10);
    PingWorld w(3, net);
    std::vector<std::pair<sim::Time, int>> at_b, unused;
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&unused, sim::no_node, 0); });
    sim::NodeId b = w.add_node("b", [&] { return std::make_unique<Recorder>(&at_b, sim::no_node, 0); });
    w.start(a);
    w.start(b);
    w.send(a, b, Ping{1});
    w.set_timer(b, sim::milliseconds(20), 7);
    REQUIRE(w.crash(b));
    REQUIRE_FALSE(w.crash(b));  // already crashed: no effect
    REQUIRE(w.restart(b));
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(at_b.empty());

    w.pause(b);
    w.send(a, b, Ping{2});
    w.run_until(sim::time_zero + sim::seconds(2));
    REQUIRE(at_b.empty());
    w.resume(b);
    w.run_until(sim::time_zero + sim::seconds(3));
    REQUIRE(at_b.size() == 1);
    REQUIRE(at_b[0].first == sim::time_zero + sim::seconds(2));
}

TEST_CASE("power loss keeps only flushed writes, crash keeps written ones") {
    sim::Disk d;
    auto& log = d.log<int>("log");
    log.append(1);
    log.append(2);
    log.flush();
    log.append(3);
    log.truncate(1);  // drops a flushed entry (2) and an unflushed one (3)
    log.append(9);
    REQUIRE(log.entries() == std::vector<int>{1, 9});
    d.power_loss();
    REQUIRE(log.entries() == std::vector<int>{1, 2});  // the platter still had 1, 2

    auto& cell = d.cell<std::string>("quorum-state");
    cell.set("epoch=1");
    cell.flush();
    cell.set("epoch=2");
    d.power_loss();
    REQUIRE(cell.get() == "epoch=1");
}

TEST_CASE("named random streams are independent of each other") {
    sim::Rng a1(42, "network"), b(42, "client:x");
    std::vector<uint64_t> first;
    for (int i = 0; i < 10; ++i) first.push_back(a1.below(1000));
    sim::Rng a2(42, "network");
    (void)b.next();
    for (int i = 0; i < 10; ++i) REQUIRE(a2.below(1000) == first[i]);
    sim::Rng c(43, "network");
    bool differs = false;
    for (int i = 0; i < 10; ++i) differs |= c.below(1000) != first[i];
    REQUIRE(differs);
    sim::Rng r(5, "x");
    for (int i = 0; i < 1000; ++i) {
        int64_t v = r.between(-3, 3);
        REQUIRE(v >= -3);
        REQUIRE(v <= 3);
    }
}

TEST_CASE("the same seed gives the same trace hash") {
    auto run = [](uint64_t seed) {
        sim::NetworkOptions net;
        net.latency_min = sim::milliseconds(1);
        net.latency_max = sim::milliseconds(9);
        PingWorld w(seed, net);
        std::vector<std::pair<sim::Time, int>> got;
        sim::NodeId b = w.add_node("b", [&] { return std::make_unique<Recorder>(&got, sim::no_node, 0); });
        sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&got, b, 50); });
        w.start(b);
        w.start(a);
        w.run_until(sim::time_zero + sim::seconds(1));
        return w.trace().hash();
    };
    REQUIRE(run(1) == run(1));
    REQUIRE(run(1) != run(2));
}

TEST_CASE("a cancelled timer leaves the queue, ids of fired or cancelled timers stay dead") {
    PingWorld w(5, {});
    std::vector<std::pair<sim::Time, int>> got;
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&got, sim::no_node, 0); });
    w.start(a);
    w.run_until(sim::time_zero + sim::milliseconds(1));
    // Randomly cancelled timers, with slots reused: exactly the survivors fire, in time order.
    sim::Rng rng(sim::derive_seed(5, "timers"));
    std::vector<std::pair<sim::TimerId, int>> timers;
    std::vector<int> expected;
    for (int i = 1; i <= 2000; ++i) {
        int delay = static_cast<int>(rng.between(1, 500));
        timers.emplace_back(w.set_timer(a, sim::milliseconds(delay), static_cast<uint64_t>(delay * 10000 + i)), i);
        if (rng.chance(sim::Probability::from_double(0.5)) && !timers.empty()) {
            size_t victim = rng.below(timers.size());
            w.cancel_timer(timers[victim].first);
            w.cancel_timer(timers[victim].first);  // twice: no effect
            timers.erase(timers.begin() + static_cast<std::ptrdiff_t>(victim));
        }
    }
    for (const auto& [id, i] : timers) expected.push_back(i);
    w.run_until(sim::time_zero + sim::seconds(1));
    REQUIRE(got.size() == timers.size());
    for (size_t k = 1; k < got.size(); ++k) REQUIRE(got[k].first >= got[k - 1].first);
    std::vector<int> fired;
    for (const auto& [t, tag] : got) fired.push_back((-tag) % 10000);
    std::sort(fired.begin(), fired.end());
    REQUIRE(fired == expected);
    // A fired timer's id must not cancel the timer that reuses its slot.
    sim::TimerId old = timers.front().first;
    got.clear();
    w.set_timer(a, sim::milliseconds(5), 3);
    w.cancel_timer(old);
    w.run_until(sim::time_zero + sim::seconds(2));
    REQUIRE(got.size() == 1);
}

TEST_CASE("a timer cancelled while its node is paused never fires, one left alone fires on resume") {
    PingWorld w(6, {});
    std::vector<std::pair<sim::Time, int>> got;
    sim::NodeId a = w.add_node("a", [&] { return std::make_unique<Recorder>(&got, sim::no_node, 0); });
    w.start(a);
    sim::TimerId cancelled = w.set_timer(a, sim::milliseconds(10), 1);
    w.set_timer(a, sim::milliseconds(10), 2);
    w.pause(a);
    w.run_until(sim::time_zero + sim::milliseconds(50));  // both are due, both wait in the backlog
    REQUIRE(got.empty());
    w.cancel_timer(cancelled);
    w.resume(a);
    w.run_until(sim::time_zero + sim::milliseconds(60));
    REQUIRE(got == std::vector<std::pair<sim::Time, int>>{{sim::time_zero + sim::milliseconds(50), -2}});
}
