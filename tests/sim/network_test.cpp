// Loss on the virtual network is TCP packet loss: retransmission after a doubling RTO, order
// kept (head-of-line blocking), and a connection reset, told to both ends, when the
// retransmissions give up.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <variant>
#include <vector>

#include "sim/world.hpp"

namespace {

struct Request {
    int n = 0;
};
struct Response {
    int n = 0;
};
using Msg = std::variant<std::monostate, Request, Response>;
using TestWorld = sim::World<Msg>;

// Sends numbered requests to `peer`; a response completes one, a disconnect fails every one
// still in flight (as Kafka's NetworkClient does with a closed connection).
struct Requester : sim::Node<Msg> {
    sim::NodeId peer = sim::no_node;
    std::set<int> in_flight;
    std::vector<std::pair<sim::Time, int>> answered;
    std::vector<std::pair<sim::Time, int>> failed;
    std::vector<sim::Time> disconnects;
    void on_start(sim::Context<Msg>&) override {}
    void send(int n, sim::Context<Msg>& ctx) {
        in_flight.insert(n);
        ctx.send(peer, Request{n});
    }
    void on_message(sim::NodeId, Msg& m, sim::Context<Msg>& ctx) override {
        if (auto* r = std::get_if<Response>(&m); r != nullptr && in_flight.erase(r->n) == 1)
            answered.emplace_back(ctx.now(), r->n);
    }
    void on_disconnect(sim::NodeId, sim::Context<Msg>& ctx) override {
        disconnects.push_back(ctx.now());
        for (int n : in_flight) failed.emplace_back(ctx.now(), n);
        in_flight.clear();
    }
};

// Answers every request; records what it got, in order.
struct Responder : sim::Node<Msg> {
    std::vector<std::pair<sim::Time, int>> got;
    std::vector<sim::Time> disconnects;
    void on_start(sim::Context<Msg>&) override {}
    void on_message(sim::NodeId from, Msg& m, sim::Context<Msg>& ctx) override {
        if (auto* r = std::get_if<Request>(&m)) {
            got.emplace_back(ctx.now(), r->n);
            ctx.send(from, Response{r->n});
        }
    }
    void on_disconnect(sim::NodeId, sim::Context<Msg>& ctx) override { disconnects.push_back(ctx.now()); }
};

// a (a Requester) sends to b (a Responder), both started.
struct Pair {
    TestWorld w;
    Requester* a = nullptr;
    Responder* b = nullptr;
    sim::NodeId na = sim::no_node, nb = sim::no_node;
    Pair(uint64_t seed, sim::NetworkOptions net) : w(seed, net) {
        nb = w.add_node("b", [this] {
            auto n = std::make_unique<Responder>();
            b = n.get();
            return n;
        });
        na = w.add_node("a", [this] {
            auto n = std::make_unique<Requester>();
            a = n.get();
            return n;
        });
        w.start(nb);
        w.start(na);
        a->peer = nb;
    }
    void send(int n) {
        sim::Context<Msg> ctx(w, na);
        a->send(n, ctx);
    }
    void send_at(sim::Duration t, int n) {
        w.schedule(sim::time_zero + t, [this, n] { send(n); });
    }
};

sim::NetworkOptions fixed_latency(sim::Duration one_way) {
    sim::NetworkOptions net;
    net.latency_min = net.latency_max = one_way;
    return net;
}

}  // namespace

TEST_CASE("a lost transmission is resent after an RTO that starts at 200 ms and doubles") {
    sim::Network net(fixed_latency(sim::milliseconds(1)));
    net.add_node(1, {"a", "b"});
    net.add_loss(0, 1, sim::Probability::from_double(0.5), +1);
    std::map<int32_t, int> seen;  // retransmissions -> messages
    for (int i = 0; i < 2000; ++i) {
        // Far apart, so that no message waits behind another.
        const sim::Time now = sim::time_zero + sim::seconds(100) * i;
        const sim::Route r = net.route(0, 1, now);
        if (r.outcome != sim::Route::Outcome::delivered) continue;
        // Attempt k leaves (2^k - 1) x 200 ms after the first send and takes the 1 ms latency.
        const int64_t resent_after_ms = 200 * ((int64_t{1} << r.retransmissions) - 1);
        REQUIRE(r.at - now == sim::milliseconds(resent_after_ms + 1));
        ++seen[r.retransmissions];
    }
    // At 50% loss every count from none to the bound shows up, halving each step.
    for (int32_t k = 0; k <= net.options().max_retransmissions; ++k) CHECK(seen[k] > 0);
    CHECK(seen[0] > seen[1]);
    CHECK(seen[1] > seen[2]);
    CHECK(net.retransmissions() > 0);
}

TEST_CASE("the first RTO is three round trips when that is above 200 ms") {
    sim::Network net(fixed_latency(sim::milliseconds(50)));  // round trip 100 ms: RTO 300 ms
    net.add_node(1, {"a", "b"});
    net.add_loss(0, 1, sim::Probability::from_double(1.0), +1);
    const sim::Route r = net.route(0, 1, sim::time_zero);
    REQUIRE(r.outcome == sim::Route::Outcome::reset);
    CHECK(r.retransmissions == 5);
    CHECK(r.at - sim::time_zero == sim::milliseconds(300) * 63);  // gives up when the 5th resend times out
}

TEST_CASE("loss keeps a link's order: what follows a lost message waits behind it") {
    Pair p(11, fixed_latency(sim::milliseconds(2)));
    auto& [w, a, b, na, nb] = p;
    w.network().add_loss(na, nb, sim::Probability::from_double(0.1), +1);
    w.network().add_loss(nb, na, sim::Probability::from_double(0.1), +1);
    for (int i = 0; i < 1000; ++i) p.send_at(sim::milliseconds(i), i);
    w.run_until(sim::time_zero + sim::seconds(30));
    // Nothing lost, nothing reordered, every request answered, no connection reset.
    REQUIRE(b->got.size() == 1000);
    for (int i = 0; i < 1000; ++i) REQUIRE(b->got[static_cast<size_t>(i)].second == i);
    REQUIRE(a->answered.size() == 1000);
    for (int i = 0; i < 1000; ++i) REQUIRE(a->answered[static_cast<size_t>(i)].second == i);
    CHECK(a->failed.empty());
    CHECK(w.network().gave_up() == 0);
    CHECK(w.network().retransmissions() > 150);
    // Head-of-line blocking: some request sent 1 ms after a lost one arrived only after the
    // lost one's retransmission (200 ms later), although it was not lost itself.
    bool blocked_behind = false;
    for (size_t i = 1; i < b->got.size(); ++i) {
        const sim::Duration late = b->got[i].first - (sim::time_zero + sim::milliseconds(b->got[i].second));
        if (late >= sim::milliseconds(190) && b->got[i].first == b->got[i - 1].first) blocked_behind = true;
    }
    CHECK(blocked_behind);
}

TEST_CASE("when retransmission gives up the connection resets and every request in flight on it fails") {
    Pair p(5, fixed_latency(sim::milliseconds(1)));
    auto& [w, a, b, na, nb] = p;
    w.network().add_loss(na, nb, sim::Probability::from_double(1.0), +1);
    for (int i = 0; i < 3; ++i) p.send_at(sim::milliseconds(10 * i), i);
    w.run_until(sim::time_zero + sim::seconds(12));
    // Retransmitting: nothing arrived, nothing failed yet (a raw drop would leave the sender
    // waiting for its request timeout; TCP keeps trying).
    CHECK(b->got.empty());
    CHECK(a->failed.empty());
    w.run_until(sim::time_zero + sim::seconds(20));
    // The first request's 5th retransmission times out 63 x 200 ms = 12.6 s after it was
    // sent: the connection resets once, both ends hear of it, and all three requests fail
    // together. The later requests' own give-ups find the connection already reset.
    const sim::Time reset_at = sim::time_zero + sim::milliseconds(12600);
    REQUIRE(a->disconnects == std::vector<sim::Time>{reset_at});
    REQUIRE(b->disconnects == std::vector<sim::Time>{reset_at + sim::milliseconds(1)});
    REQUIRE(a->failed.size() == 3);
    for (const auto& [at, n] : a->failed) CHECK(at == reset_at);
    CHECK(b->got.empty());
    CHECK(w.network().gave_up() == 3);
    // A new connection carries requests again once the loss is gone.
    w.network().add_loss(na, nb, sim::Probability::from_double(1.0), -1);
    p.send(7);
    w.run_until(sim::time_zero + sim::seconds(21));
    REQUIRE(a->answered.size() == 1);
    CHECK(a->answered[0].second == 7);
}

TEST_CASE("a message queued behind one whose retransmission gives up is lost with the connection") {
    Pair p(5, fixed_latency(sim::milliseconds(1)));
    auto& [w, a, b, na, nb] = p;
    w.network().add_loss(na, nb, sim::Probability::from_double(1.0), +1);
    p.send(0);  // every transmission of this one is lost
    w.network().add_loss(na, nb, sim::Probability::from_double(1.0), -1);
    p.send(1);  // this one goes through, but TCP cannot hand it over out of order
    w.run_until(sim::time_zero + sim::seconds(20));
    CHECK(b->got.empty());
    REQUIRE(a->failed.size() == 2);
    CHECK(a->failed[0].first == sim::time_zero + sim::milliseconds(12600));
    CHECK(w.network().gave_up() == 1);
}

TEST_CASE("drop is not TCP: a dropped message vanishes, nothing is resent, no one is told") {
    Pair p(5, fixed_latency(sim::milliseconds(1)));
    auto& [w, a, b, na, nb] = p;
    w.network().add_drop(na, nb, sim::Probability::from_double(1.0), +1);
    p.send(0);
    w.network().add_drop(na, nb, sim::Probability::from_double(1.0), -1);
    p.send(1);  // not held behind the dropped one
    w.run_until(sim::time_zero + sim::seconds(60));
    REQUIRE(b->got.size() == 1);
    CHECK(b->got[0].second == 1);
    CHECK(b->got[0].first == sim::time_zero + sim::milliseconds(1));
    CHECK(a->in_flight == std::set<int>{0});  // its sender waits: only its own timeout would tell it
    CHECK(a->disconnects.empty());
    CHECK(b->disconnects.empty());
    CHECK(w.network().retransmissions() == 0);
}
