// ZkClient against a real ZooKeeper ensemble (ZooKeeperServer nodes): operations and their
// errors, multi, one-shot watches, session expiry and how a partitioned client learns of it,
// moving between servers with the session and its watches, sessions surviving a leader
// change, close.
#include <catch2/catch.hpp>

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "tests/broker/event_helpers.hpp"
#include "broker/zookeeper/zk_client.hpp"
#include "broker/zookeeper/zk_server.hpp"

namespace {

using kafka::ZkClient;
using kafka::ZkCode;
using kafka::ZkCreateMode;
using kafka::ZkResult;
using kafka::ZooKeeperServer;

struct ZkClientNode : kafka::Node {
    ZkClient zk;
    std::vector<std::string> events;  // "connected+new", "connected", "disconnected", "expired"
    std::vector<kafka::ZkWatchEvent> watches;

    ZkClientNode(int32_t id, std::vector<int32_t> servers, int64_t timeout_ms, const kafka::ClusterDirectory& dir)
        : zk(id, std::move(servers), timeout_ms, dir, kafka::timer_space(kafka::TimerComponent::zk_client)) {}
    void on_start(kafka::Context& ctx) override {
        zk.set_session_listener([this](kafka::ZkSessionEvent e, kafka::Context&) {
            std::string s = kafka::to_string(e);
            if (e == kafka::ZkSessionEvent::connected && zk.new_session()) s += "+new";
            events.push_back(s);
        });
        zk.set_watcher([this](const kafka::ZkWatchEvent& e, kafka::Context&) { watches.push_back(e); });
        zk.start(ctx);
    }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        REQUIRE(zk.handle_message(from, msg, ctx));
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override { REQUIRE(zk.handle_timer(tag, ctx)); }
    void on_disconnect(sim::NodeId peer, kafka::Context& ctx) override { zk.handle_disconnect(peer, ctx); }
};

struct ZkRig {
    kafka::World world;
    kafka::ClusterDirectory dir;
    kafka::BrokerConfig config;
    std::vector<int32_t> sids;
    std::vector<sim::NodeId> servers;

    explicit ZkRig(uint64_t seed, int n = 3) : world(seed, sim::NetworkOptions{}) {
        for (int i = 1; i <= n; ++i) sids.push_back(i);
        for (int32_t sid : sids) {
            sim::NodeId node = world.add_node("zookeeper:" + std::to_string(sid), [this, sid] {
                return std::make_unique<ZooKeeperServer>(sid, sids, config, dir);
            });
            dir.zookeepers[sid] = node;
            servers.push_back(node);
        }
        for (sim::NodeId s : servers) world.start(s);
        run_ms(3000);
    }
    sim::NodeId add_client(int32_t id, int64_t timeout_ms, std::vector<int32_t> servers_of = {}) {
        if (servers_of.empty()) servers_of = sids;
        sim::NodeId node = world.add_node("broker:" + std::to_string(id), [this, id, timeout_ms, servers_of] {
            return std::make_unique<ZkClientNode>(id, servers_of, timeout_ms, dir);
        });
        dir.brokers[id] = node;
        world.start(node);
        run_ms(200);
        return node;
    }
    ZkClientNode* client(sim::NodeId n) { return world.node_as<ZkClientNode>(n); }
    ZooKeeperServer* server(size_t i) {
        return world.is_up(servers[i]) ? world.node_as<ZooKeeperServer>(servers[i]) : nullptr;
    }
    size_t index_of_sid(int32_t sid) const { return static_cast<size_t>(sid - 1); }
    std::optional<size_t> leader() {
        for (size_t i = 0; i < servers.size(); ++i)
            if (ZooKeeperServer* s = server(i); s && s->state() == ZooKeeperServer::State::leading && s->serving())
                return i;
        return std::nullopt;
    }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }

    using Issue = std::function<void(ZkClient&, ZkClient::Callback, kafka::Context&)>;
    // Issue one operation on a client (as its host would) and run until it is answered.
    std::optional<ZkResult> call(sim::NodeId c, const Issue& issue, int64_t max_ms = 3000) {
        auto out = std::make_shared<std::optional<ZkResult>>();
        kafka::Context ctx(world, c);
        issue(client(c)->zk, [out](const ZkResult& r, kafka::Context&) { *out = r; }, ctx);
        for (int64_t waited = 0; !out->has_value() && waited < max_ms; waited += 10) run_ms(10);
        return *out;
    }
    void isolate(sim::NodeId a, int delta) {
        for (size_t j = 0; j < world.node_count(); ++j) {
            auto b = static_cast<sim::NodeId>(j);
            if (b == a) continue;
            world.network().block(a, b, delta);
            world.network().block(b, a, delta);
        }
        if (delta < 0) world.reset_connections_healed_from_cuts();
    }
    void cut(sim::NodeId a, sim::NodeId b, int delta) {
        world.network().block(a, b, delta);
        world.network().block(b, a, delta);
        if (delta < 0) world.reset_connections_healed_from_cuts();
    }
    template <class E>
    int count_trace() const {
        return test_events::count<E>(world.trace());
    }
    template <class E>
    const E* last_trace() const {
        return test_events::last<E>(world.trace());
    }
    bool anywhere(const std::string& path) {
        for (size_t i = 0; i < servers.size(); ++i)
            if (ZooKeeperServer* s = server(i); s && s->get(path).has_value()) return true;
        return false;
    }
};

ZkRig::Issue create(std::string path, std::string data = "", ZkCreateMode mode = ZkCreateMode::persistent) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.create(path, data, mode, cb, ctx); };
}
ZkRig::Issue get_data(std::string path, bool watch = false) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.get_data(path, watch, cb, ctx); };
}
ZkRig::Issue set_data(std::string path, std::string data, int32_t version = -1) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.set_data(path, data, version, cb, ctx); };
}
ZkRig::Issue remove_op(std::string path, int32_t version = -1) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.remove(path, version, cb, ctx); };
}
ZkRig::Issue exists(std::string path, bool watch = false) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.exists(path, watch, cb, ctx); };
}
ZkRig::Issue get_children(std::string path, bool watch = false) {
    return [=](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.get_children(path, watch, cb, ctx); };
}

kafka::ZkOp op(kafka::ZkOp::Kind kind, std::string path, std::string data = "", int32_t version = -1) {
    kafka::ZkOp o;
    o.kind = kind;
    o.path = std::move(path);
    o.data = std::move(data);
    o.version = version;
    return o;
}

ZkCode code(const std::optional<ZkResult>& r) { return r ? r->code : ZkCode::connection_loss; }

}  // namespace

TEST_CASE("zk-client: operations, their errors, sequential names, results in issue order", "[zk-client]") {
    ZkRig rig(1);
    sim::NodeId c = rig.add_client(1, 18000);
    ZkClientNode* cn = rig.client(c);
    REQUIRE(cn->zk.connected());
    REQUIRE(cn->zk.session_id() != 0);
    REQUIRE(cn->events == std::vector<std::string>{"connected+new"});
    CHECK(rig.count_trace<kafka::ZkSessionCreated>() == 1);
    CHECK(rig.last_trace<kafka::ZkSessionCreated>()->client == "broker 1");

    auto r = rig.call(c, create("/a", "v0"));
    REQUIRE(code(r) == ZkCode::ok);
    CHECK(r->created_path == "/a");
    CHECK(code(rig.call(c, create("/a"))) == ZkCode::node_exists);
    CHECK(code(rig.call(c, create("/nope/x"))) == ZkCode::no_node);
    CHECK(code(rig.call(c, create("bad"))) == ZkCode::bad_arguments);
    CHECK(code(rig.call(c, set_data("/a", "v1", 5))) == ZkCode::bad_version);
    r = rig.call(c, set_data("/a", "v1", 0));
    REQUIRE(code(r) == ZkCode::ok);
    CHECK(r->stat.version == 1);
    r = rig.call(c, get_data("/a"));
    REQUIRE(code(r) == ZkCode::ok);
    CHECK(r->data == "v1");
    CHECK(r->stat.version == 1);
    CHECK(r->stat.mzxid > r->stat.czxid);
    REQUIRE(code(rig.call(c, create("/a/b"))) == ZkCode::ok);
    CHECK(code(rig.call(c, remove_op("/a"))) == ZkCode::not_empty);
    r = rig.call(c, get_children("/a"));
    REQUIRE(code(r) == ZkCode::ok);
    CHECK(r->children == std::vector<std::string>{"b"});
    CHECK(code(rig.call(c, remove_op("/a/b", 3))) == ZkCode::bad_version);
    CHECK(code(rig.call(c, remove_op("/a/b", 0))) == ZkCode::ok);
    CHECK(code(rig.call(c, exists("/a/b"))) == ZkCode::no_node);
    // Ephemerals belong to the session and cannot have children.
    r = rig.call(c, create("/e", "", ZkCreateMode::ephemeral));
    REQUIRE(code(r) == ZkCode::ok);
    CHECK(r->stat.ephemeral_owner == cn->zk.session_id());
    CHECK(code(rig.call(c, create("/e/child"))) == ZkCode::no_children_for_ephemerals);
    // Sequential names: the parent's cversion, ten digits.
    REQUIRE(code(rig.call(c, create("/q"))) == ZkCode::ok);
    for (int i = 0; i < 3; ++i) {
        r = rig.call(c, create("/q/n-", "", ZkCreateMode::persistent_sequential));
        REQUIRE(code(r) == ZkCode::ok);
        CHECK(r->created_path == "/q/n-000000000" + std::to_string(i));
    }
    // Many at once, writes and reads mixed: answered in issue order, reads see earlier writes,
    // and callbacks may issue more operations.
    std::vector<int> order;
    std::vector<std::string> seen;
    kafka::Context ctx(rig.world, c);
    for (int i = 0; i < 10; ++i) {
        cn->zk.set_data("/a", "w" + std::to_string(i), -1, [&order, i](const ZkResult&, kafka::Context&) { order.push_back(2 * i); }, ctx);
        cn->zk.get_data("/a", false, [&, i](const ZkResult& res, kafka::Context& c2) {
            order.push_back(2 * i + 1);
            seen.push_back(res.data);
            if (i == 9)  // reentrant: chain three more creates, each from the previous callback
                cn->zk.create("/chain", "", ZkCreateMode::persistent_sequential, [&](const ZkResult&, kafka::Context& c3) {
                    order.push_back(100);
                    cn->zk.create("/chain", "", ZkCreateMode::persistent_sequential, [&](const ZkResult&, kafka::Context& c4) {
                        order.push_back(101);
                        cn->zk.create("/chain", "", ZkCreateMode::persistent_sequential,
                                      [&](const ZkResult&, kafka::Context&) { order.push_back(102); }, c4);
                    }, c3);
                }, c2);
        }, ctx);
    }
    rig.run_ms(1000);
    REQUIRE(order.size() == 23);
    for (int i = 0; i < 20; ++i) CHECK(order[static_cast<size_t>(i)] == i);
    CHECK(order[20] == 100);
    CHECK(order[22] == 102);
    for (int i = 0; i < 10; ++i) CHECK(seen[static_cast<size_t>(i)] == "w" + std::to_string(i));
    // Every server applied the same.
    rig.run_ms(200);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(rig.server(i)->get("/a")->data == "w9");
        CHECK(rig.server(i)->children("/q").size() == 3);
        CHECK(rig.server(i)->ephemerals(cn->zk.session_id()) == std::vector<std::string>{"/e"});
    }
}

TEST_CASE("zk-client: multi is all or nothing", "[zk-client]") {
    ZkRig rig(2);
    sim::NodeId c = rig.add_client(1, 18000);
    REQUIRE(code(rig.call(c, create("/controller_epoch", "1"))) == ZkCode::ok);
    REQUIRE(code(rig.call(c, create("/state", "s0"))) == ZkCode::ok);
    using K = kafka::ZkOp::Kind;
    auto multi = [](std::vector<kafka::ZkOp> ops) {
        return [ops](ZkClient& zk, ZkClient::Callback cb, kafka::Context& ctx) { zk.multi(ops, cb, ctx); };
    };
    // Kafka's controller-epoch check first: a wrong version fails everything.
    auto r = rig.call(c, multi({op(K::check, "/controller_epoch", "", 7), op(K::create, "/new"),
                                op(K::set_data, "/state", "s1", -1)}));
    REQUIRE(r.has_value());
    CHECK(r->code == ZkCode::bad_version);
    CHECK(r->results == std::vector<ZkCode>{ZkCode::bad_version, ZkCode::runtime_inconsistency,
                                            ZkCode::runtime_inconsistency});
    CHECK(!rig.anywhere("/new"));
    CHECK(rig.server(0)->get("/state")->data == "s0");
    // A failure in the middle: the ops before it report OK but are not applied either.
    r = rig.call(c, multi({op(K::create, "/m1"), op(K::remove, "/missing"), op(K::create, "/m2")}));
    REQUIRE(r.has_value());
    CHECK(r->code == ZkCode::no_node);
    CHECK(r->results == std::vector<ZkCode>{ZkCode::ok, ZkCode::no_node, ZkCode::runtime_inconsistency});
    CHECK(!rig.anywhere("/m1"));
    // Ops see the earlier ops of the same multi.
    r = rig.call(c, multi({op(K::check, "/controller_epoch", "", 0), op(K::create, "/p"), op(K::create, "/p/c"),
                           op(K::set_data, "/state", "s1", 0), op(K::set_data, "/state", "s2", 1)}));
    REQUIRE(r.has_value());
    CHECK(r->code == ZkCode::ok);
    CHECK(r->results == std::vector<ZkCode>(5, ZkCode::ok));
    rig.run_ms(100);
    for (size_t i = 0; i < 3; ++i) {
        CHECK(rig.server(i)->get("/p/c").has_value());
        CHECK(rig.server(i)->get("/state")->data == "s2");
        CHECK(rig.server(i)->get("/state")->stat.version == 2);
    }
}

TEST_CASE("zk-client: watches are one-shot", "[zk-client]") {
    ZkRig rig(3);
    sim::NodeId a = rig.add_client(1, 18000);
    sim::NodeId b = rig.add_client(2, 18000);
    ZkClientNode* an = rig.client(a);
    REQUIRE(code(rig.call(b, create("/w", "0"))) == ZkCode::ok);
    REQUIRE(code(rig.call(a, get_data("/w", true))) == ZkCode::ok);
    REQUIRE(code(rig.call(a, get_children("/w", true))) == ZkCode::ok);
    REQUIRE(code(rig.call(a, exists("/later", true))) == ZkCode::no_node);
    REQUIRE(code(rig.call(b, set_data("/w", "1"))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, set_data("/w", "2"))) == ZkCode::ok);
    rig.run_ms(100);
    REQUIRE(an->watches.size() == 1);
    CHECK(an->watches[0].type == kafka::ZkEventType::node_data_changed);
    CHECK(an->watches[0].path == "/w");
    REQUIRE(code(rig.call(b, create("/w/c1"))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, create("/w/c2"))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, create("/later"))) == ZkCode::ok);
    rig.run_ms(100);
    REQUIRE(an->watches.size() == 3);
    CHECK(an->watches[1].type == kafka::ZkEventType::node_children_changed);
    CHECK(an->watches[2].type == kafka::ZkEventType::node_created);
    CHECK(an->watches[2].path == "/later");
    // Registered again, fired again; a delete fires data and child watches as one event.
    REQUIRE(code(rig.call(a, get_data("/later", true))) == ZkCode::ok);
    REQUIRE(code(rig.call(a, get_children("/later", true))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, remove_op("/later"))) == ZkCode::ok);
    rig.run_ms(100);
    REQUIRE(an->watches.size() == 4);
    CHECK(an->watches[3].type == kafka::ZkEventType::node_deleted);
}

TEST_CASE("zk-client: session expiry deletes ephemerals once and fires watches, the partitioned client learns it on reconnect",
          "[zk-client]") {
    ZkRig rig(4);
    sim::NodeId a = rig.add_client(1, 6000);  // negotiated within [2, 20] ticks of 2 s
    sim::NodeId b = rig.add_client(2, 18000);
    ZkClientNode* an = rig.client(a);
    ZkClientNode* bn = rig.client(b);
    const int64_t old_session = an->zk.session_id();
    REQUIRE(code(rig.call(a, create("/brokers", ""))) == ZkCode::ok);
    REQUIRE(code(rig.call(a, create("/brokers/1", "", ZkCreateMode::ephemeral))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, exists("/brokers/1", true))) == ZkCode::ok);
    REQUIRE(code(rig.call(b, get_children("/brokers", true))) == ZkCode::ok);
    rig.isolate(a, +1);
    // A operation issued while cut off waits; it will fail with the session.
    std::optional<ZkResult> pending;
    kafka::Context actx(rig.world, a);
    an->zk.create("/p", "", ZkCreateMode::persistent, [&](const ZkResult& r, kafka::Context&) { pending = r; }, actx);
    rig.run_ms(5000);
    CHECK(!an->zk.connected());  // read timeout: 2/3 of 6 s
    CHECK(an->events == std::vector<std::string>{"connected+new", "disconnected"});
    rig.run_ms(5000);
    // The leader expired the session: the ephemeral is gone everywhere, B heard of it once.
    CHECK(rig.count_trace<kafka::ZkSessionExpired>() == 1);
    CHECK(rig.last_trace<kafka::ZkSessionExpired>()->ephemerals == "/brokers/1");
    CHECK(!rig.anywhere("/brokers/1"));
    REQUIRE(bn->watches.size() == 2);
    CHECK(bn->watches[0].type == kafka::ZkEventType::node_deleted);
    CHECK(bn->watches[1].type == kafka::ZkEventType::node_children_changed);
    // A does not know yet.
    CHECK(an->zk.session_id() == old_session);
    CHECK(an->events == std::vector<std::string>{"connected+new", "disconnected"});
    CHECK(!pending.has_value());
    rig.isolate(a, -1);
    rig.run_ms(3000);
    CHECK(an->events == std::vector<std::string>{"connected+new", "disconnected", "expired", "connected+new"});
    REQUIRE(pending.has_value());
    CHECK(pending->code == ZkCode::session_expired);
    CHECK(an->zk.connected());
    CHECK(an->zk.new_session());
    CHECK(an->zk.session_id() != old_session);
    CHECK(rig.count_trace<kafka::ZkClientSessionExpired>() == 1);
    REQUIRE(code(rig.call(a, create("/brokers/1", "", ZkCreateMode::ephemeral))) == ZkCode::ok);
    rig.run_ms(20000);
    CHECK(rig.count_trace<kafka::ZkSessionExpired>() == 1);  // exactly once
    CHECK(rig.anywhere("/brokers/1"));
}

TEST_CASE("zk-client: a client moves between servers with its session, ephemerals and watches", "[zk-client]") {
    ZkRig rig(5);
    sim::NodeId c = rig.add_client(1, 6000);
    sim::NodeId d = rig.add_client(2, 18000);
    ZkClientNode* cn = rig.client(c);
    const int64_t session = cn->zk.session_id();
    REQUIRE(code(rig.call(c, create("/eph", "", ZkCreateMode::ephemeral))) == ZkCode::ok);
    REQUIRE(code(rig.call(c, create("/w", "0"))) == ZkCode::ok);
    REQUIRE(code(rig.call(c, get_data("/w", true))) == ZkCode::ok);
    // Cut C from its server only: its read timeout moves it on; meanwhile /w changes and the
    // event its old server sends is lost. SetWatches on the new server fires it.
    const int32_t first = cn->zk.server();
    rig.cut(c, rig.servers[rig.index_of_sid(first)], +1);
    rig.run_ms(1000);
    REQUIRE(code(rig.call(d, set_data("/w", "1"))) == ZkCode::ok);
    rig.run_ms(4000);
    REQUIRE(cn->zk.connected());
    CHECK(cn->zk.server() != first);
    CHECK(cn->zk.session_id() == session);
    CHECK(!cn->zk.new_session());
    REQUIRE(cn->watches.size() == 1);
    CHECK(cn->watches[0].type == kafka::ZkEventType::node_data_changed);
    rig.cut(c, rig.servers[rig.index_of_sid(first)], -1);
    // Its server dies: on to another one, same session, the ephemeral stays.
    const int32_t second = cn->zk.server();
    rig.world.crash(rig.servers[rig.index_of_sid(second)]);
    rig.run_ms(5000);
    REQUIRE(cn->zk.connected());
    CHECK(cn->zk.server() != second);
    CHECK(cn->zk.session_id() == session);
    CHECK(cn->events == std::vector<std::string>{"connected+new", "disconnected", "connected", "disconnected", "connected"});
    CHECK(rig.anywhere("/eph"));
    CHECK(rig.count_trace<kafka::ZkSessionExpired>() == 0);
    // In-flight operations are sent again after a reconnect.
    rig.isolate(c, +1);
    std::optional<ZkResult> r;
    kafka::Context ctx(rig.world, c);
    cn->zk.create("/while-away", "", ZkCreateMode::persistent, [&](const ZkResult& res, kafka::Context&) { r = res; }, ctx);
    rig.run_ms(2000);
    CHECK(!r.has_value());
    rig.isolate(c, -1);
    rig.run_ms(2000);
    REQUIRE(r.has_value());
    CHECK(r->code == ZkCode::ok);
    CHECK(rig.anywhere("/while-away"));
}

TEST_CASE("zk-client: sessions survive a leader change (a new leader restarts every session's timeout)", "[zk-client]") {
    for (bool leader_change : {false, true}) {
        ZkRig rig(6);
        sim::NodeId c = rig.add_client(1, 10000);
        ZkClientNode* cn = rig.client(c);
        const int64_t session = cn->zk.session_id();
        REQUIRE(code(rig.call(c, create("/brokers-1", "", ZkCreateMode::ephemeral))) == ZkCode::ok);
        auto leader = rig.leader();
        REQUIRE(leader.has_value());
        rig.isolate(c, +1);
        rig.run_ms(5000);
        if (leader_change) rig.world.crash(rig.servers[*leader]);
        rig.run_ms(8000);  // 13 s away: beyond the 10 s timeout (and its tick rounding)
        INFO("leader change " << leader_change);
        CHECK(rig.leader().has_value());
        rig.isolate(c, -1);
        rig.run_ms(2000);
        REQUIRE(cn->zk.connected());
        if (leader_change) {
            CHECK(cn->zk.session_id() == session);
            CHECK(!cn->zk.new_session());
            CHECK(rig.anywhere("/brokers-1"));
            CHECK(rig.count_trace<kafka::ZkSessionExpired>() == 0);
        } else {
            CHECK(cn->zk.session_id() != session);
            CHECK(cn->zk.new_session());
            CHECK(rig.count_trace<kafka::ZkSessionExpired>() == 1);
        }
    }
}

TEST_CASE("zk-client: close deletes the ephemerals at once", "[zk-client]") {
    ZkRig rig(7);
    sim::NodeId c = rig.add_client(1, 18000);
    ZkClientNode* cn = rig.client(c);
    REQUIRE(code(rig.call(c, create("/controller", "1", ZkCreateMode::ephemeral))) == ZkCode::ok);
    kafka::Context ctx(rig.world, c);
    cn->zk.close(ctx);
    CHECK(cn->zk.connected());  // until the server confirms
    rig.run_ms(100);
    CHECK(!cn->zk.connected());
    CHECK(cn->events.back() == "disconnected");
    CHECK(!rig.anywhere("/controller"));
    CHECK(rig.count_trace<kafka::ZkSessionClosed>() == 1);
    CHECK(rig.server(0)->sessions().empty());
    bool called = false;
    cn->zk.get_data("/", false, [&](const ZkResult&, kafka::Context&) { called = true; }, ctx);
    rig.run_ms(100);
    CHECK(!called);  // a closed handle answers nothing
}

TEST_CASE("zk-client: with every server down the client keeps trying and resumes its session", "[zk-client]") {
    ZkRig rig(8);
    sim::NodeId c = rig.add_client(1, 18000);
    ZkClientNode* cn = rig.client(c);
    const int64_t session = cn->zk.session_id();
    for (sim::NodeId s : rig.servers) rig.world.crash(s);
    rig.run_ms(6000);
    CHECK(!cn->zk.connected());
    CHECK(cn->zk.server() == -1);
    for (sim::NodeId s : rig.servers) rig.world.restart(s);
    rig.run_ms(6000);
    REQUIRE(cn->zk.connected());
    CHECK(cn->zk.session_id() == session);  // the new leader gave it a fresh timeout
}

namespace {

// A scripted client speaking the wire protocol directly.
struct RawClient : kafka::Node {
    std::vector<kafka::Message> got;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { got.push_back(msg); }
    template <class T>
    const T* last() const {
        for (auto it = got.rbegin(); it != got.rend(); ++it)
            if (const auto* m = std::get_if<T>(&*it)) return m;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("zk-server: refuses a client that has seen more than it, sync waits for the leader's proposals",
          "[zk-client]") {
    ZkRig rig(9);
    sim::NodeId w = rig.add_client(1, 18000);
    for (int i = 0; i < 5; ++i) REQUIRE(code(rig.call(w, create("/n" + std::to_string(i)))) == ZkCode::ok);
    auto leader = rig.leader();
    REQUIRE(leader.has_value());
    size_t follower = (*leader + 1) % 3;
    sim::NodeId raw = rig.world.add_node("broker:9", [] { return std::make_unique<RawClient>(); });
    rig.world.start(raw);
    RawClient* rc = rig.world.node_as<RawClient>(raw);
    // A client that saw a later zxid than the server has is refused.
    kafka::ZkConnectRequest ahead;
    ahead.client_id = 9;
    ahead.timeout_ms = 18000;
    ahead.last_zxid_seen = rig.server(follower)->last_committed_zxid() + 100;
    rig.world.send(raw, rig.servers[follower], ahead);
    rig.run_ms(50);
    REQUIRE(rc->last<kafka::ZkConnectResponse>() != nullptr);
    CHECK(rc->last<kafka::ZkConnectResponse>()->refused);
    // A new session through the follower, then sync: answered once the follower applied all
    // that the leader had proposed when the sync reached it.
    kafka::ZkConnectRequest fresh;
    fresh.client_id = 9;
    fresh.timeout_ms = 18000;
    rig.world.send(raw, rig.servers[follower], fresh);
    rig.run_ms(50);
    REQUIRE(rc->last<kafka::ZkConnectResponse>() != nullptr);
    const kafka::ZkConnectResponse connected = *rc->last<kafka::ZkConnectResponse>();  // got grows
    const kafka::ZkConnectResponse* cr = &connected;
    REQUIRE(!cr->refused);
    REQUIRE(cr->session_id != 0);
    CHECK(cr->timeout_ms == 18000);
    const int64_t leader_zxid = rig.server(*leader)->last_logged_zxid();
    kafka::ZkRequest sync;
    sync.session_id = cr->session_id;
    sync.xid = 1;
    sync.seq = 1;
    sync.op.kind = kafka::ZkOp::Kind::sync;
    rig.world.send(raw, rig.servers[follower], sync);
    rig.run_ms(50);
    const auto* sr = rc->last<kafka::ZkResponse>();
    REQUIRE(sr != nullptr);
    CHECK(sr->xid == 1);
    CHECK(sr->code == ZkCode::ok);
    CHECK(sr->zxid >= leader_zxid);
    // A request out of sequence (one was lost) closes the connection.
    kafka::ZkRequest skipped;
    skipped.session_id = cr->session_id;
    skipped.xid = 3;
    skipped.seq = 3;
    skipped.op.kind = kafka::ZkOp::Kind::get_data;
    skipped.op.path = "/n0";
    rig.world.send(raw, rig.servers[follower], skipped);
    rig.run_ms(50);
    sr = rc->last<kafka::ZkResponse>();
    REQUIRE(sr != nullptr);
    CHECK(sr->code == ZkCode::connection_loss);
    CHECK(sr->xid == 0);
}
