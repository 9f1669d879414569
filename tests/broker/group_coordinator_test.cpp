// Where a group lives: the coordinator is the leader of __consumer_offsets partition
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions, with Java's String.hashCode.
// Then the coordinator's state machine on its own (GroupCoordinator + GroupMetadataManager):
// consumers' requests, its timers and its appends to __consumer_offsets, without brokers,
// controllers or a cluster.
#include <catch2/catch.hpp>

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "broker/group/group_coordinator.hpp"

using kafka::java_string_hash;
using kafka::offsets_partition_for;

TEST_CASE("java_string_hash is Java's String.hashCode") {
    // Values any JVM prints for "...".hashCode().
    CHECK(java_string_hash("") == 0);
    CHECK(java_string_hash("a") == 97);
    CHECK(java_string_hash("ab") == 3105);
    CHECK(java_string_hash("hello") == 99162322);
    CHECK(java_string_hash("Aa") == 2112);  // the classic collision:
    CHECK(java_string_hash("BB") == 2112);  // "Aa" and "BB" hash alike
    CHECK(java_string_hash("polygenelubricants") == INT32_MIN);
    CHECK(java_string_hash("Hello World") == -862545276);
    CHECK(java_string_hash("\xC3\xA9") == 233);  // "é" is one UTF-16 unit, U+00E9
}

TEST_CASE("a group's coordinator partition follows Utils.abs(hashCode) % partitions") {
    CHECK(offsets_partition_for("hello", 50) == 99162322 % 50);
    CHECK(offsets_partition_for("Hello World", 50) == 862545276 % 50);  // abs of a negative hash
    CHECK(offsets_partition_for("polygenelubricants", 50) == 0);        // Utils.abs(MIN_VALUE) is 0
    CHECK(offsets_partition_for("Aa", 50) == offsets_partition_for("BB", 50));
    CHECK(offsets_partition_for("a", 1) == 0);
    for (const char* g : {"billing", "audit", "search", "reports", "enrich"}) {
        int32_t p = offsets_partition_for(g, 50);
        CHECK(p >= 0);
        CHECK(p < 50);
    }
}

TEST_CASE("group states have Kafka's names") {
    CHECK(std::string(kafka::to_string(kafka::GroupState::empty)) == "Empty");
    CHECK(std::string(kafka::to_string(kafka::GroupState::preparing_rebalance)) == "PreparingRebalance");
    CHECK(std::string(kafka::to_string(kafka::GroupState::completing_rebalance)) == "CompletingRebalance");
    CHECK(std::string(kafka::to_string(kafka::GroupState::stable)) == "Stable");
    CHECK(std::string(kafka::to_string(kafka::GroupState::dead)) == "Dead");
}

// ---------------------------------------------------------------------------------------------
// The coordinator alone. The world holds one broker node that is nothing but a GroupCoordinator
// and its Host (the leader's replica of __consumer_offsets, whose high watermark the test moves),
// and one node per consumer that keeps what it is sent. The network has no latency: a request
// and its answer happen at the instant it is sent, so timeouts can be checked to the millisecond.

namespace {

using kafka::Error;
using kafka::GroupCoordinator;
using kafka::GroupPartition;
using kafka::GroupState;
using kafka::HeartbeatRequest;
using kafka::HeartbeatResponse;
using kafka::JoinGroupRequest;
using kafka::JoinGroupResponse;
using kafka::LeaveGroupRequest;
using kafka::LeaveGroupResponse;
using kafka::OffsetCommitRequest;
using kafka::OffsetCommitResponse;
using kafka::OffsetFetchRequest;
using kafka::OffsetFetchResponse;
using kafka::SyncGroupRequest;
using kafka::SyncGroupResponse;
using Parts = std::vector<GroupPartition>;

const std::string group_id = "billing";
const GroupPartition orders0{"orders", 0};
const GroupPartition orders1{"orders", 1};
const GroupPartition orders2{"orders", 2};

// The broker around the coordinator, reduced to what GroupCoordinator::Host asks for. Appends
// commit at once (a lone replica) unless the test holds the high watermark back.
struct CoordinatorBroker : kafka::Node, GroupCoordinator::Host {
    kafka::BrokerConfig config;
    GroupCoordinator coordinator{config, *this};
    std::map<int32_t, std::vector<kafka::RecordBatch>> logs;  // per __consumer_offsets partition
    std::map<int32_t, int64_t> high_watermarks;
    bool commit_at_once = true;
    Error append_error = Error::none;  // what appends fail with (none: they succeed)

    explicit CoordinatorBroker(kafka::BrokerConfig c) : config(std::move(c)) {}
    void on_start(kafka::Context&) override {}
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
    std::optional<int64_t> append_group_records(int32_t partition, std::shared_ptr<const kafka::GroupRecords> records,
                                                const std::optional<GroupCoordinator::TxnProducer>& txn, Error& error,
                                                kafka::Context&) override {
        if (append_error != Error::none) {
            error = append_error;
            return std::nullopt;
        }
        std::vector<kafka::RecordBatch>& log = logs[partition];
        kafka::RecordBatch b;
        b.base_offset = log.empty() ? 0 : log.back().next_offset();
        b.record_count = records->count();
        b.group_records = std::move(records);
        if (txn) {
            b.producer_id = txn->producer_id;
            b.producer_epoch = txn->producer_epoch;
            b.is_transactional = true;
        }
        log.push_back(b);
        if (commit_at_once) high_watermarks[partition] = b.next_offset();
        return b.next_offset();
    }
    int64_t group_partition_high_watermark(int32_t partition) const override {
        auto it = high_watermarks.find(partition);
        return it == high_watermarks.end() ? 0 : it->second;
    }
};

// A consumer's end of its connection to the coordinator: every response it was sent.
struct ClientNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

// What the test knows of one consumer: its settings and what the coordinator told it.
struct Consumer;
using Assignment = std::vector<std::pair<const Consumer*, Parts>>;  // the leader's SyncGroup
struct Consumer {
    sim::NodeId node = sim::no_node;
    std::string client_id;
    std::string member_id;
    int32_t generation = -1;
    int64_t session_timeout_ms = 10000;
    int64_t rebalance_timeout_ms = 30000;  // max.poll.interval.ms
    std::vector<std::string> protocols{"range"};
    std::vector<std::string> topics{"orders"};
};

kafka::BrokerConfig test_config() {
    kafka::BrokerConfig c;
    c.offsets_topic_num_partitions = 1;  // every group on partition 0
    return c;  // group.initial.rebalance.delay.ms 3000, group.min/max.session.timeout.ms 6000/1800000
}

struct Rig {
    kafka::World world{42, sim::NetworkOptions{sim::milliseconds(0), sim::milliseconds(0), {}}};
    sim::NodeId broker_node = sim::no_node;
    std::map<std::string, Consumer> consumers;
    int32_t next_correlation = 1;

    explicit Rig(const kafka::BrokerConfig& config = test_config()) {
        broker_node = world.add_node("broker:1", [config] { return std::make_unique<CoordinatorBroker>(config); });
        world.start(broker_node);
        load();
    }

    CoordinatorBroker& broker() { return *world.node_as<CoordinatorBroker>(broker_node); }
    GroupCoordinator& coordinator() { return broker().coordinator; }
    int32_t partition() { return coordinator().partition_for(group_id); }
    std::vector<kafka::RecordBatch>& log() { return broker().logs[partition()]; }
    const GroupCoordinator::Group& group() {
        auto it = coordinator().groups().find(group_id);
        REQUIRE(it != coordinator().groups().end());
        return it->second;
    }
    std::vector<std::string> members() { return group().join_order; }
    // The GroupMetadata record of the last batch that carries one.
    const kafka::GroupMetadataRecord& last_metadata_record() {
        for (auto it = log().rbegin(); it != log().rend(); ++it)
            if (it->group_records && it->group_records->metadata) return *it->group_records->metadata;
        static const kafka::GroupMetadataRecord none;
        FAIL("no GroupMetadata record in the log");
        return none;
    }

    // ---- time: everything due up to now, or up to `ms` later
    void settle() { world.run_until(world.now()); }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }

    // ---- what the broker does to its coordinator
    template <class F>
    void as_broker(F f) {
        kafka::Context ctx(world, broker_node);
        f(ctx);
        settle();
    }
    void load() { as_broker([&](kafka::Context& ctx) { coordinator().load_partition(partition(), log(), ctx); }); }
    void unload() { as_broker([&](kafka::Context& ctx) { coordinator().unload_partition(partition(), ctx); }); }
    // The followers caught up: the high watermark reaches the log end.
    void commit_log() {
        const int64_t hw = log().empty() ? 0 : log().back().next_offset();
        broker().high_watermarks[partition()] = hw;
        as_broker([&](kafka::Context& ctx) { coordinator().on_high_watermark(partition(), hw, ctx); });
    }

    // ---- one consumer's requests
    Consumer& consumer(const std::string& name) {
        auto [it, inserted] = consumers.try_emplace(name);
        if (inserted) {
            it->second.client_id = name;
            it->second.node = world.add_node("client:" + name, [] { return std::make_unique<ClientNode>(); });
            world.start(it->second.node);
        }
        return it->second;
    }
    template <class Req>
    int32_t send(const Consumer& c, Req req) {
        const int32_t id = next_correlation++;
        req.correlation_id = id;
        kafka::Context(world, c.node).send(broker_node, std::move(req));
        settle();
        return id;
    }
    // The answer to request `id`, if it came.
    template <class Resp>
    std::optional<Resp> take(const Consumer& c, int32_t id) {
        std::vector<kafka::Message>& inbox = world.node_as<ClientNode>(c.node)->inbox;
        for (auto it = inbox.begin(); it != inbox.end(); ++it) {
            if (auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == id) {
                Resp out = std::move(*r);
                inbox.erase(it);
                return out;
            }
        }
        return std::nullopt;
    }
    // The answer to request `id`, which must have come.
    template <class Resp>
    Resp answer(const Consumer& c, int32_t id) {
        std::optional<Resp> r = take<Resp>(c, id);
        REQUIRE(r.has_value());
        return *r;
    }
    // A request the coordinator answers at once.
    template <class Resp, class Req>
    Resp call(const Consumer& c, Req req) {
        return answer<Resp>(c, send(c, std::move(req)));
    }

    JoinGroupRequest join_request(const Consumer& c) const {
        JoinGroupRequest r;
        r.group_id = group_id;
        r.session_timeout_ms = c.session_timeout_ms;
        r.rebalance_timeout_ms = c.rebalance_timeout_ms;
        r.member_id = c.member_id;
        r.client_id = c.client_id;
        r.protocols = c.protocols;
        r.subscription.topics = c.topics;
        return r;
    }
    // KIP-394's first round trip: the consumer learns its member id.
    void get_member_id(Consumer& c) {
        c.member_id.clear();
        JoinGroupResponse r = call<JoinGroupResponse>(c, join_request(c));
        REQUIRE(r.error == Error::member_id_required);
        c.member_id = r.member_id;
    }
    int32_t send_join(const Consumer& c) { return send(c, join_request(c)); }
    // A new consumer: its member id, then the JoinGroup the coordinator holds.
    int32_t arrive(Consumer& c) {
        get_member_id(c);
        return send_join(c);
    }
    // The answer to a held JoinGroup, if it came; a success moves the consumer to its generation.
    std::optional<JoinGroupResponse> joined(Consumer& c, int32_t id) {
        std::optional<JoinGroupResponse> r = take<JoinGroupResponse>(c, id);
        if (r && r->error == Error::none) c.generation = r->generation_id;
        return r;
    }
    JoinGroupResponse must_join(Consumer& c, int32_t id) {
        std::optional<JoinGroupResponse> r = joined(c, id);
        REQUIRE(r.has_value());
        REQUIRE(r->error == Error::none);
        return *r;
    }
    // A held JoinGroup answered at `at_ms` exactly, not a millisecond before.
    JoinGroupResponse joined_at(Consumer& c, int32_t id, int64_t at_ms) {
        run_ms(at_ms - 1 - world.now().ms());
        CHECK_FALSE(joined(c, id));
        run_ms(1);
        return must_join(c, id);
    }
    int32_t send_sync(const Consumer& c, const Assignment& assignment = {}) {
        SyncGroupRequest r;
        r.group_id = group_id;
        r.generation_id = c.generation;
        r.member_id = c.member_id;
        for (const auto& [who, parts] : assignment) r.assignments.emplace_back(who->member_id, parts);
        return send(c, std::move(r));
    }
    SyncGroupResponse sync(const Consumer& c) { return answer<SyncGroupResponse>(c, send_sync(c)); }
    HeartbeatResponse heartbeat(const Consumer& c) {
        return call<HeartbeatResponse>(c, HeartbeatRequest{0, group_id, c.generation, c.member_id});
    }
    LeaveGroupResponse leave(const Consumer& c) { return call<LeaveGroupResponse>(c, LeaveGroupRequest{0, group_id, c.member_id}); }
    int32_t send_commit(const Consumer& c, GroupPartition tp, int64_t offset, const std::string& group = group_id) {
        OffsetCommitRequest r;
        r.group_id = group;
        r.generation_id = c.generation;
        r.member_id = c.member_id;
        r.partitions.push_back({tp, offset, 7});
        return send(c, std::move(r));
    }
    OffsetCommitResponse commit(const Consumer& c, GroupPartition tp, int64_t offset, const std::string& group = group_id) {
        return answer<OffsetCommitResponse>(c, send_commit(c, tp, offset, group));
    }
    OffsetFetchResponse fetch(const Consumer& c, const std::string& group = group_id) {
        return call<OffsetFetchResponse>(c, OffsetFetchRequest{0, group, {orders0, orders1}});
    }
    // The committed offset of orders-0, -1 for none.
    int64_t committed(const Consumer& c, const std::string& group = group_id) {
        OffsetFetchResponse r = fetch(c, group);
        REQUIRE(r.error == Error::none);
        REQUIRE(r.partitions.size() == 2);
        CHECK(r.partitions[0].tp == orders0);
        return r.partitions[0].offset;
    }

    // ---- whole rounds
    // Every consumer sends SyncGroup, the leader with `assignment`, and the record commits: Stable.
    void sync_all(const std::vector<Consumer*>& cs, const Assignment& assignment) {
        std::vector<int32_t> ids;
        for (Consumer* c : cs) ids.push_back(send_sync(*c, c->member_id == group().leader ? assignment : Assignment{}));
        commit_log();
        for (size_t i = 0; i < cs.size(); ++i) REQUIRE(answer<SyncGroupResponse>(*cs[i], ids[i]).error == Error::none);
        REQUIRE(group().state == GroupState::stable);
    }
    // Generation 1 of `cs` from nothing (the first consumer leads): ids, JoinGroup, the initial
    // delay, and another one if the others joined in the first. The group is CompletingRebalance.
    void join_all(const std::vector<Consumer*>& cs) {
        std::vector<int32_t> ids;
        for (Consumer* c : cs) ids.push_back(arrive(*c));
        run_ms(test_config().group_initial_rebalance_delay_ms * (cs.size() > 1 ? 2 : 1));
        for (size_t i = 0; i < cs.size(); ++i) REQUIRE(must_join(*cs[i], ids[i]).generation_id == 1);
    }
    // Then SyncGroup with the leader's `assignment`: Stable.
    void form_group(const std::vector<Consumer*>& cs, const Assignment& assignment = {}) {
        join_all(cs);
        sync_all(cs, assignment);
    }
    // `ms` pass while `alive` heartbeat every 3 s (heartbeat.interval.ms); each answer must be `expect`.
    void heartbeat_for(int64_t ms, const std::vector<const Consumer*>& alive, Error expect) {
        for (int64_t step = 3000; ms > 0; ms -= step) {
            run_ms(std::min(step, ms));
            for (const Consumer* c : alive) REQUIRE(heartbeat(*c).error == expect);
        }
    }
};

// Two consumers: a, the first to join and so the leader, and b.
struct Pair {
    Rig rig;
    Consumer& a = rig.consumer("a");
    Consumer& b = rig.consumer("b");
    void join() { rig.join_all({&a, &b}); }  // generation 1, CompletingRebalance
    void form() { rig.form_group({&a, &b}, {{&a, {orders0}}, {&b, {orders1}}}); }  // Stable
};

// The same consumer speaking for another generation, or under an id the group never had.
Consumer of_generation(Consumer c, int32_t generation) {
    c.generation = generation;
    return c;
}
Consumer stranger(Consumer c) {
    c.member_id = c.client_id + "-stranger";
    return c;
}

std::vector<std::string> ids_of(const std::vector<const Consumer*>& cs) {
    std::vector<std::string> out;
    for (const Consumer* c : cs) out.push_back(c->member_id);
    return out;
}

std::vector<std::string> ids_of(const JoinGroupResponse& r) {
    std::vector<std::string> out;
    for (const auto& m : r.members) out.push_back(m.member_id);
    return out;
}

}  // namespace

TEST_CASE_METHOD(Pair, "JoinGroup without a member id gets MEMBER_ID_REQUIRED and a new id (KIP-394)", "[group]") {
    JoinGroupResponse first = rig.call<JoinGroupResponse>(a, rig.join_request(a));
    CHECK(first.error == Error::member_id_required);
    CHECK(first.generation_id == -1);
    CHECK(first.member_id.rfind("a-", 0) == 0);  // clientId + "-" + UUID
    CHECK(first.member_id.size() == 2 + 36);
    rig.get_member_id(b);
    CHECK(b.member_id != first.member_id);
    // Not members until they join with their ids.
    CHECK(rig.group().members.empty());
    CHECK(rig.group().pending_members.size() == 2);
    CHECK(rig.group().state == GroupState::empty);

    a.member_id = first.member_id;
    const int32_t ja = rig.send_join(a);
    CHECK(rig.members() == ids_of({&a}));
    CHECK(rig.group().state == GroupState::preparing_rebalance);

    SECTION("joining with the id makes a member of generation 1") {
        const int32_t jb = rig.send_join(b);
        rig.run_ms(6000);  // b joined within the first initial delay: a second one
        CHECK(rig.must_join(a, ja).member_id == a.member_id);
        CHECK(rig.must_join(b, jb).member_id == b.member_id);
        CHECK(a.generation == 1);
        CHECK(b.generation == 1);
        CHECK(rig.group().pending_members.empty());
    }
    SECTION("an id the coordinator did not give is refused") {
        CHECK(rig.call<JoinGroupResponse>(b, rig.join_request(stranger(b))).error == Error::unknown_member_id);
    }
    SECTION("an id not used within the session timeout expires") {
        rig.run_ms(b.session_timeout_ms);
        CHECK(rig.group().pending_members.empty());
        CHECK(rig.call<JoinGroupResponse>(b, rig.join_request(b)).error == Error::unknown_member_id);
    }
}

TEST_CASE("session timeouts outside group.min/max.session.timeout.ms are refused", "[group]") {
    Rig rig;
    Consumer& a = rig.consumer("a");
    for (auto [session_timeout_ms, expect] : {std::pair{int64_t{5999}, Error::invalid_session_timeout},
                                              std::pair{int64_t{1800001}, Error::invalid_session_timeout},
                                              std::pair{int64_t{6000}, Error::member_id_required},
                                              std::pair{int64_t{1800000}, Error::member_id_required}}) {
        a.session_timeout_ms = session_timeout_ms;
        CHECK(rig.call<JoinGroupResponse>(a, rig.join_request(a)).error == expect);
    }
}

TEST_CASE_METHOD(Pair, "an empty group waits group.initial.rebalance.delay.ms, longer while members keep arriving", "[group]") {
    SECTION("one delay when nobody else comes") {
        CHECK(rig.joined_at(a, rig.arrive(a), 3000).generation_id == 1);
    }
    SECTION("a member arriving within a delay adds another") {
        const int32_t ja = rig.arrive(a);
        rig.run_ms(2000);
        const int32_t jb = rig.arrive(b);
        CHECK(rig.joined_at(a, ja, 6000).generation_id == 1);
        CHECK(rig.must_join(b, jb).generation_id == 1);
    }
    SECTION("the delays end with the rebalance timeout however many arrive") {
        a.rebalance_timeout_ms = 10000;
        const int32_t ja = rig.arrive(a);  // the delays end at 3000, 6000, 9000, then 10000
        std::vector<std::pair<Consumer*, int32_t>> late;
        for (const auto& [name, at_ms] :
             std::vector<std::pair<std::string, int64_t>>{{"b", 2000}, {"c", 5000}, {"d", 8000}, {"e", 9500}}) {
            rig.run_ms(at_ms - rig.world.now().ms());
            Consumer& c = rig.consumer(name);
            late.emplace_back(&c, rig.arrive(c));
        }
        CHECK(rig.joined_at(a, ja, 10000).members.size() == 5);
        for (auto& [c, id] : late) CHECK(rig.must_join(*c, id).generation_id == 1);
    }
    SECTION("the first delay is waited in full even past a shorter rebalance timeout") {
        a.rebalance_timeout_ms = 1000;
        CHECK(rig.joined_at(a, rig.arrive(a), 3000).generation_id == 1);
    }
    SECTION("a group that has had a generation waits one delay only") {
        rig.form_group({&a});
        REQUIRE(rig.leave(a).error == Error::none);
        REQUIRE(rig.group().state == GroupState::empty);
        REQUIRE(rig.group().generation == 2);
        const int32_t ja = rig.arrive(a);
        rig.run_ms(2000);
        const int32_t jb = rig.arrive(b);
        rig.run_ms(1000);
        CHECK(rig.must_join(a, ja).generation_id == 3);
        CHECK(rig.must_join(b, jb).generation_id == 3);
    }
    SECTION("a member that only got its id is not waited for; joining later starts the next rebalance") {
        const int32_t ja = rig.arrive(a);
        rig.run_ms(1000);
        rig.get_member_id(b);
        rig.run_ms(2000);
        CHECK(rig.must_join(a, ja).members.size() == 1);
        CHECK(rig.group().state == GroupState::completing_rebalance);
        rig.run_ms(1000);
        const int32_t jb = rig.send_join(b);  // its id is still good
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        CHECK(ids_of(rig.must_join(a, rig.send_join(a))) == ids_of({&a, &b}));
        CHECK(rig.must_join(b, jb).generation_id == 2);
    }
}

TEST_CASE_METHOD(Pair, "generation 1: the protocol is chosen by vote and the leader gets every subscription", "[group]") {
    Consumer& c = rig.consumer("c");
    a.protocols = {"range", "roundrobin"};
    b.protocols = {"roundrobin", "range"};
    c.protocols = {"roundrobin", "sticky", "range"};
    b.topics = {"orders", "payments"};
    c.topics = {"payments"};
    const int32_t ja = rig.arrive(a);
    const int32_t jb = rig.arrive(b);
    const int32_t jc = rig.arrive(c);

    SECTION("a member sharing no protocol with the group is refused") {
        Consumer& d = rig.consumer("d");
        d.protocols = {"cooperative-sticky"};
        CHECK(rig.call<JoinGroupResponse>(d, rig.join_request(d)).error == Error::inconsistent_group_protocol);
    }
    rig.run_ms(6000);  // two initial delays
    // Both range and roundrobin are supported by all; a votes range, b and c roundrobin.
    JoinGroupResponse leader = rig.must_join(a, ja);
    CHECK(leader.protocol_name == "roundrobin");
    CHECK(leader.leader == a.member_id);
    REQUIRE(ids_of(leader) == ids_of({&a, &b, &c}));
    CHECK(leader.members[0].subscription.topics == a.topics);
    CHECK(leader.members[1].subscription.topics == b.topics);
    CHECK(leader.members[2].subscription.topics == c.topics);
    for (auto [consumer, id] : {std::pair{&b, jb}, std::pair{&c, jc}}) {
        JoinGroupResponse follower = rig.must_join(*consumer, id);
        CHECK(follower.generation_id == 1);
        CHECK(follower.protocol_name == "roundrobin");
        CHECK(follower.leader == a.member_id);
        CHECK(follower.members.empty());
    }
    CHECK(rig.group().state == GroupState::completing_rebalance);
    CHECK(rig.group().generation == 1);
    CHECK(rig.group().protocol == "roundrobin");
}

TEST_CASE_METHOD(Pair, "SyncGroup: the leader's assignment is stored, and members get their parts once it commits", "[group]") {
    Consumer& c = rig.consumer("c");
    rig.join_all({&a, &b, &c});
    rig.broker().commit_at_once = false;

    const int32_t sb = rig.send_sync(b);  // a follower first: it waits for the leader
    CHECK_FALSE(rig.take<SyncGroupResponse>(b, sb));
    CHECK(rig.log().empty());
    const int32_t sa = rig.send_sync(a, {{&a, {orders0, orders1}}, {&b, {orders2}}});  // c left out
    const int32_t sc = rig.send_sync(c);
    // Written, not yet committed: nobody is answered.
    CHECK_FALSE(rig.take<SyncGroupResponse>(a, sa));
    CHECK_FALSE(rig.take<SyncGroupResponse>(b, sb));
    CHECK_FALSE(rig.take<SyncGroupResponse>(c, sc));
    CHECK(rig.group().state == GroupState::completing_rebalance);
    const kafka::GroupMetadataRecord& md = rig.last_metadata_record();
    CHECK(md.group == group_id);
    CHECK(md.generation == 1);
    CHECK(md.protocol == "range");
    CHECK(md.leader == a.member_id);
    REQUIRE(md.members.size() == 3);
    CHECK(md.members[0].member_id == a.member_id);
    CHECK(md.members[0].assignment == Parts{orders0, orders1});
    CHECK(md.members[1].assignment == Parts{orders2});
    CHECK(md.members[2].assignment.empty());

    rig.commit_log();
    SyncGroupResponse ra = rig.answer<SyncGroupResponse>(a, sa);
    SyncGroupResponse rb = rig.answer<SyncGroupResponse>(b, sb);
    SyncGroupResponse rc = rig.answer<SyncGroupResponse>(c, sc);
    CHECK(ra.error == Error::none);
    CHECK(ra.assignment == Parts{orders0, orders1});
    CHECK(rb.assignment == Parts{orders2});
    CHECK(rc.error == Error::none);
    CHECK(rc.assignment.empty());
    CHECK(rig.group().state == GroupState::stable);

    SECTION("in Stable a SyncGroup is answered with the member's part at once") {
        SyncGroupResponse again = rig.sync(b);
        CHECK(again.error == Error::none);
        CHECK(again.assignment == Parts{orders2});
    }
    SECTION("a SyncGroup of another generation or from a stranger is refused") {
        CHECK(rig.sync(of_generation(b, 0)).error == Error::illegal_generation);
        CHECK(rig.sync(stranger(b)).error == Error::unknown_member_id);
    }
    SECTION("during a rebalance a SyncGroup is told to rejoin") {
        rig.arrive(rig.consumer("d"));
        CHECK(rig.sync(b).error == Error::rebalance_in_progress);
    }
}

TEST_CASE_METHOD(Pair, "a new member rebalances a Stable group, members not rejoining within the rebalance timeout are removed",
                 "[group]") {
    Consumer& c = rig.consumer("c");
    form();
    const int32_t jc = rig.arrive(c);
    CHECK(rig.group().state == GroupState::preparing_rebalance);
    CHECK(rig.group().generation == 1);
    CHECK(rig.heartbeat(a).error == Error::rebalance_in_progress);
    const int32_t ja = rig.send_join(a);
    // b is alive (it heartbeats) but never rejoins: max.poll.interval.ms, 30 s, decides. a waits
    // in its JoinGroup all along without a heartbeat, past its 10 s session timeout.
    rig.heartbeat_for(29999, {&b}, Error::rebalance_in_progress);
    CHECK_FALSE(rig.joined(a, ja));
    CHECK(rig.members() == ids_of({&a, &b, &c}));
    rig.run_ms(1);
    JoinGroupResponse ra = rig.must_join(a, ja);
    CHECK(ra.generation_id == 2);
    CHECK(ra.leader == a.member_id);
    CHECK(ids_of(ra) == ids_of({&a, &c}));
    CHECK(rig.must_join(c, jc).generation_id == 2);
    CHECK(rig.members() == ids_of({&a, &c}));
    CHECK(rig.group().state == GroupState::completing_rebalance);
    CHECK(rig.heartbeat(b).error == Error::unknown_member_id);
}

TEST_CASE_METHOD(Pair, "a known member's JoinGroup: the current generation for the same metadata, else a rebalance", "[group]") {
    join();
    SECTION("CompletingRebalance, same metadata (a lost JoinGroup response): the same generation") {
        JoinGroupResponse again = rig.must_join(a, rig.send_join(a));
        CHECK(again.generation_id == 1);
        CHECK(ids_of(again) == ids_of({&a, &b}));  // the leader gets the members again
        CHECK(rig.must_join(b, rig.send_join(b)).members.empty());
        CHECK(rig.group().state == GroupState::completing_rebalance);
    }
    SECTION("CompletingRebalance, a new subscription: a rebalance; waiting SyncGroups are told so") {
        const int32_t sb = rig.send_sync(b);
        b.topics = {"orders", "payments"};
        CHECK_FALSE(rig.joined(b, rig.send_join(b)));
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        CHECK(rig.answer<SyncGroupResponse>(b, sb).error == Error::rebalance_in_progress);
    }
    SECTION("Stable") {
        rig.sync_all({&a, &b}, {{&a, {orders0}}, {&b, {orders1}}});
        SECTION("a follower with the same metadata: the same generation") {
            JoinGroupResponse again = rig.must_join(b, rig.send_join(b));
            CHECK(again.generation_id == 1);
            CHECK(again.leader == a.member_id);
            CHECK(rig.group().state == GroupState::stable);
        }
        SECTION("the leader: a rebalance (how it asks for a new assignment)") {
            CHECK_FALSE(rig.joined(a, rig.send_join(a)));
            CHECK(rig.group().state == GroupState::preparing_rebalance);
        }
        SECTION("a follower with a new subscription: a rebalance") {
            b.topics = {"payments"};
            CHECK_FALSE(rig.joined(b, rig.send_join(b)));
            CHECK(rig.group().state == GroupState::preparing_rebalance);
        }
    }
}

TEST_CASE_METHOD(Pair, "Heartbeat: the state of the group, or why the member is not in it", "[group]") {
    join();
    CHECK(rig.heartbeat(b).error == Error::none);  // CompletingRebalance (Kafka 2.5+)
    rig.sync_all({&a, &b}, {{&a, {orders0}}, {&b, {orders1}}});
    CHECK(rig.heartbeat(b).error == Error::none);  // Stable
    CHECK(rig.heartbeat(of_generation(b, 0)).error == Error::illegal_generation);
    CHECK(rig.heartbeat(stranger(b)).error == Error::unknown_member_id);
    CHECK(rig.call<HeartbeatResponse>(b, HeartbeatRequest{0, "audit", 1, b.member_id}).error == Error::unknown_member_id);

    rig.arrive(rig.consumer("c"));
    CHECK(rig.heartbeat(b).error == Error::rebalance_in_progress);  // PreparingRebalance
    CHECK(rig.heartbeat(of_generation(b, 0)).error == Error::illegal_generation);
}

TEST_CASE_METHOD(Pair, "session.timeout.ms: a member that neither heartbeats nor waits is removed, and the group rebalances",
                 "[group]") {
    SECTION("a silent member in a Stable group") {
        form();
        rig.heartbeat_for(9999, {&a}, Error::none);  // b's last word was its SyncGroup
        CHECK(rig.members() == ids_of({&a, &b}));
        rig.run_ms(1);
        CHECK(rig.members() == ids_of({&a}));
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        CHECK(rig.heartbeat(a).error == Error::rebalance_in_progress);
        JoinGroupResponse ra = rig.must_join(a, rig.send_join(a));  // the only member: at once
        CHECK(ra.generation_id == 2);
        CHECK(ids_of(ra) == ids_of({&a}));
    }
    SECTION("a member waiting in a SyncGroup for the leader is kept") {
        join();
        const int32_t sb = rig.send_sync(b);
        rig.heartbeat_for(15000, {&a}, Error::none);  // the leader takes its time
        CHECK(rig.members() == ids_of({&a, &b}));
        rig.send_sync(a, {{&a, {orders0}}, {&b, {orders1}}});
        CHECK(rig.answer<SyncGroupResponse>(b, sb).assignment == Parts{orders1});
        CHECK(rig.group().state == GroupState::stable);
    }
}

TEST_CASE_METHOD(Pair, "LeaveGroup removes the member and rebalances, the last one out leaves the group Empty", "[group]") {
    form();
    SECTION("a member leaves, the rest rejoin, the last leaves") {
        CHECK(rig.leave(b).error == Error::none);
        CHECK(rig.members() == ids_of({&a}));
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        CHECK(rig.leave(b).error == Error::unknown_member_id);
        CHECK(rig.must_join(a, rig.send_join(a)).generation_id == 2);
        rig.sync_all({&a}, {{&a, {orders0, orders1}}});

        CHECK(rig.leave(a).error == Error::none);
        CHECK(rig.group().state == GroupState::empty);
        CHECK(rig.group().generation == 3);
        CHECK(rig.members().empty());
        const kafka::GroupMetadataRecord& md = rig.last_metadata_record();
        CHECK(md.generation == 3);
        CHECK(md.members.empty());
    }
    SECTION("a leave completes a join that only waited for the leaver") {
        Consumer& c = rig.consumer("c");
        const int32_t jc = rig.arrive(c);
        const int32_t ja = rig.send_join(a);
        CHECK_FALSE(rig.joined(a, ja));
        CHECK(rig.leave(b).error == Error::none);
        CHECK(ids_of(rig.must_join(a, ja)) == ids_of({&a, &c}));
        CHECK(rig.must_join(c, jc).generation_id == 2);
    }
    SECTION("a member that only got its id may leave") {
        Consumer& c = rig.consumer("c");
        rig.get_member_id(c);
        CHECK(rig.leave(c).error == Error::none);
        CHECK(rig.group().pending_members.empty());
        CHECK(rig.call<JoinGroupResponse>(c, rig.join_request(c)).error == Error::unknown_member_id);
        CHECK(rig.group().state == GroupState::stable);
    }
}

TEST_CASE_METHOD(Pair, "OffsetCommit: from the current generation while Stable or PreparingRebalance, answered once committed",
                 "[group]") {
    form();
    rig.broker().commit_at_once = false;
    CHECK(rig.committed(a) == -1);

    const int32_t stable = rig.send_commit(a, orders0, 42);
    CHECK_FALSE(rig.take<OffsetCommitResponse>(a, stable));
    CHECK(rig.committed(a) == -1);  // written, not committed
    REQUIRE(rig.log().back().group_records);
    REQUIRE(rig.log().back().group_records->offsets.size() == 1);
    CHECK(rig.log().back().group_records->offsets[0].offset == 42);
    rig.commit_log();
    CHECK(rig.answer<OffsetCommitResponse>(a, stable).error == Error::none);
    OffsetFetchResponse fetched = rig.fetch(b);
    CHECK(fetched.partitions[0].offset == 42);
    CHECK(fetched.partitions[0].leader_epoch == 7);
    CHECK(fetched.partitions[1].offset == -1);

    Consumer& c = rig.consumer("c");
    const int32_t jc = rig.arrive(c);  // PreparingRebalance: the commit before rejoining
    const int32_t preparing = rig.send_commit(a, orders0, 50);
    rig.commit_log();
    CHECK(rig.answer<OffsetCommitResponse>(a, preparing).error == Error::none);
    CHECK(rig.committed(a) == 50);

    const int32_t ja = rig.send_join(a);
    rig.must_join(b, rig.send_join(b));
    rig.must_join(a, ja);
    rig.must_join(c, jc);
    REQUIRE(rig.group().state == GroupState::completing_rebalance);
    CHECK(rig.commit(a, orders0, 60).error == Error::rebalance_in_progress);
    CHECK(rig.commit(of_generation(b, 1), orders0, 60).error == Error::illegal_generation);
    CHECK(rig.commit(stranger(b), orders0, 60).error == Error::unknown_member_id);
    Consumer outsider;  // no group management: generation -1, no member id
    outsider.node = b.node;
    CHECK(rig.commit(outsider, orders0, 60).error == Error::unknown_member_id);  // the group has members
    CHECK(rig.committed(a) == 50);

    SECTION("a group without members takes commits from outside group management") {
        const int32_t id = rig.send_commit(outsider, orders0, 9, "audit");
        rig.commit_log();
        CHECK(rig.answer<OffsetCommitResponse>(outsider, id).error == Error::none);
        CHECK(rig.committed(outsider, "audit") == 9);
        CHECK(rig.committed(outsider, "search") == -1);
    }
    SECTION("a generation of a group the coordinator does not know is refused") {
        CHECK(rig.commit(of_generation(a, 5), orders0, 9, "audit").error == Error::illegal_generation);
        CHECK(rig.coordinator().groups().count("audit") == 0);
    }
}

TEST_CASE_METHOD(Pair, "appends to __consumer_offsets that fail or time out", "[group]") {
    SECTION("an offset commit not committed within offsets.commit.timeout.ms: REQUEST_TIMED_OUT") {
        form();
        rig.broker().commit_at_once = false;
        const int32_t id = rig.send_commit(a, orders0, 42);
        rig.heartbeat_for(4999, {&a, &b}, Error::none);
        CHECK_FALSE(rig.take<OffsetCommitResponse>(a, id));
        rig.run_ms(1);
        CHECK(rig.answer<OffsetCommitResponse>(a, id).error == Error::request_timed_out);
        CHECK(rig.committed(a) == -1);
    }
    SECTION("an offset commit the log refuses: the coordinator's error") {
        form();
        rig.broker().append_error = Error::not_enough_replicas;
        CHECK(rig.commit(a, orders0, 42).error == Error::coordinator_not_available);
        rig.broker().append_error = Error::not_leader_or_follower;
        CHECK(rig.commit(a, orders0, 42).error == Error::not_coordinator);
        CHECK(rig.committed(a) == -1);
    }
    SECTION("group metadata not committed in time: the members rejoin") {
        join();
        rig.broker().commit_at_once = false;
        const int32_t sb = rig.send_sync(b);
        const int32_t sa = rig.send_sync(a, {{&a, {orders0}}, {&b, {orders1}}});
        rig.run_ms(5000);
        for (auto [consumer, id] : {std::pair{&a, sa}, std::pair{&b, sb}}) {
            SyncGroupResponse r = rig.answer<SyncGroupResponse>(*consumer, id);
            CHECK(r.error == Error::rebalance_in_progress);
            CHECK(r.assignment.empty());
        }
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        CHECK(rig.group().generation == 1);
    }
}

TEST_CASE_METHOD(Pair, "a coordinator that stops leading answers NOT_COORDINATOR, leading again restores groups and offsets",
                 "[group]") {
    form();
    REQUIRE(rig.commit(a, orders0, 42).error == Error::none);

    SECTION("unloaded") {
        Consumer& c = rig.consumer("c");
        const int32_t jc = rig.arrive(c);  // held in its JoinGroup
        rig.broker().commit_at_once = false;
        const int32_t held_commit = rig.send_commit(a, orders1, 7);
        rig.unload();
        CHECK_FALSE(rig.coordinator().is_loaded(rig.partition()));
        CHECK(rig.coordinator().groups().empty());
        CHECK(rig.answer<JoinGroupResponse>(c, jc).error == Error::not_coordinator);
        CHECK(rig.answer<OffsetCommitResponse>(a, held_commit).error == Error::not_coordinator);

        CHECK(rig.call<JoinGroupResponse>(b, rig.join_request(b)).error == Error::not_coordinator);
        CHECK(rig.sync(b).error == Error::not_coordinator);
        CHECK(rig.heartbeat(b).error == Error::not_coordinator);
        CHECK(rig.leave(b).error == Error::not_coordinator);
        CHECK(rig.commit(b, orders1, 5).error == Error::not_coordinator);
        CHECK(rig.fetch(b).error == Error::not_coordinator);
    }
    SECTION("unloaded and loaded from the log") {
        rig.unload();
        rig.run_ms(1000);
        rig.load();
        const GroupCoordinator::Group& g = rig.group();
        CHECK(g.state == GroupState::stable);
        CHECK(g.generation == 1);
        CHECK(g.protocol == "range");
        CHECK(g.leader == a.member_id);
        CHECK(rig.members() == ids_of({&a, &b}));
        CHECK(g.members.at(b.member_id).assignment == Parts{orders1});
        CHECK(rig.committed(b) == 42);
        CHECK(rig.sync(b).assignment == Parts{orders1});
        // Loaded members get a session from the load; b now stays silent.
        rig.heartbeat_for(9999, {&a}, Error::none);
        CHECK(rig.members() == ids_of({&a, &b}));
        rig.run_ms(1);
        CHECK(rig.members() == ids_of({&a}));
        CHECK(rig.group().state == GroupState::preparing_rebalance);
    }
    SECTION("loaded members support the group's protocol: consumers join after the failover") {
        rig.unload();
        rig.load();
        for (const auto& [id, m] : rig.group().members) CHECK(m.protocols == std::vector<std::string>{"range"});
        Consumer& c = rig.consumer("c");
        c.protocols = {"cooperative-sticky", "range"};
        rig.get_member_id(c);
        const int32_t jc = rig.send_join(c);
        CHECK_FALSE(rig.joined(c, jc).has_value());  // held for the rebalance it started, not refused
        CHECK(rig.group().state == GroupState::preparing_rebalance);
        Consumer& d = rig.consumer("d");
        d.protocols = {"roundrobin"};  // shares nothing with the loaded members
        CHECK(rig.call<JoinGroupResponse>(d, rig.join_request(d)).error == Error::inconsistent_group_protocol);
    }
    SECTION("an Empty group loads Empty, with its offsets") {
        REQUIRE(rig.leave(a).error == Error::none);
        REQUIRE(rig.leave(b).error == Error::none);
        rig.unload();
        rig.load();
        CHECK(rig.group().state == GroupState::empty);
        CHECK(rig.group().generation == 2);
        CHECK(rig.members().empty());
        CHECK(rig.committed(a) == 42);
    }
}

// ---------------------------------------------------------------------------------------------
// Transactional offset commits (KIP-98, with KIP-447's group checks): TxnOffsetCommit writes the
// offsets as a transactional batch of the producer and keeps them pending until the
// transaction's marker lands on the partition (GroupMetadata.completePendingTxnOffsetCommit).

namespace {

using kafka::TxnOffsetCommitRequest;
using kafka::TxnOffsetCommitResponse;

constexpr int64_t producer_a = 4000;
constexpr int64_t producer_b = 4001;

TxnOffsetCommitRequest txn_commit_request(const Consumer& c, GroupPartition tp, int64_t offset,
                                          int64_t producer_id = producer_a, const std::string& group = group_id) {
    TxnOffsetCommitRequest r;
    r.transactional_id = "txn-" + c.client_id;
    r.group_id = group;
    r.producer_id = producer_id;
    r.producer_epoch = 0;
    r.generation_id = c.generation;
    r.member_id = c.member_id;
    r.partitions.push_back({tp, offset, 7});
    return r;
}

// The single error of a one-partition TxnOffsetCommit.
Error txn_commit(Rig& rig, const Consumer& c, GroupPartition tp, int64_t offset, int64_t producer_id = producer_a,
                 const std::string& group = group_id) {
    TxnOffsetCommitResponse r =
        rig.call<TxnOffsetCommitResponse>(c, txn_commit_request(c, tp, offset, producer_id, group));
    REQUIRE(r.partitions.size() == 1);
    CHECK(r.partitions[0].tp == tp);
    return r.partitions[0].error;
}

// The transaction coordinator's marker for `producer_id`, written and replicated on the
// group's partition, then the broker's call into the coordinator (KafkaApis after WriteTxnMarkers).
void marker(Rig& rig, int64_t producer_id, bool commit) {
    std::vector<kafka::RecordBatch>& log = rig.log();
    kafka::RecordBatch m = kafka::end_txn_marker(producer_id, 0, 0,
                                                 commit ? kafka::ControlRecordType::commit : kafka::ControlRecordType::abort,
                                                 rig.world.now());
    m.base_offset = log.empty() ? 0 : log.back().next_offset();
    log.push_back(m);
    rig.commit_log();
    rig.as_broker([&](kafka::Context& ctx) {
        rig.coordinator().on_txn_completed(producer_id, {rig.partition()}, commit, ctx);
    });
}

OffsetFetchResponse stable_fetch(Rig& rig, const Consumer& c, const std::string& group = group_id) {
    return rig.call<OffsetFetchResponse>(c, OffsetFetchRequest{0, group, {orders0, orders1}, true});
}

}  // namespace

TEST_CASE_METHOD(Pair, "TxnOffsetCommit: pending until the COMMIT marker, invisible to OffsetFetch until then",
                 "[group][txn]") {
    form();
    REQUIRE(rig.commit(a, orders0, 42).error == Error::none);
    CHECK(txn_commit(rig, a, orders0, 70) == Error::none);
    // A transactional batch of the producer: the partition holds its transaction open.
    const kafka::RecordBatch& written = rig.log().back();
    CHECK(written.is_transactional);
    CHECK(written.producer_id == producer_a);
    CHECK(written.base_sequence == kafka::no_sequence);
    CHECK(rig.group().pending_txn_offsets.count(producer_a) == 1);
    CHECK(rig.committed(a) == 42);  // OffsetFetch without require_stable: the last committed offset

    // require_stable (v7): that partition is UNSTABLE_OFFSET_COMMIT, the others answer as usual.
    OffsetFetchResponse unstable = stable_fetch(rig, a);
    REQUIRE(unstable.error == Error::none);
    REQUIRE(unstable.partitions.size() == 2);
    CHECK(unstable.partitions[0].error == Error::unstable_offset_commit);
    CHECK(unstable.partitions[0].offset == -1);
    CHECK(unstable.partitions[1].error == Error::none);
    CHECK(unstable.partitions[1].offset == -1);

    SECTION("COMMIT makes the offset visible") {
        marker(rig, producer_a, true);
        CHECK(rig.committed(a) == 70);
        OffsetFetchResponse stable = stable_fetch(rig, a);
        CHECK(stable.partitions[0].error == Error::none);
        CHECK(stable.partitions[0].offset == 70);
        CHECK(stable.partitions[0].leader_epoch == 7);
        CHECK(rig.group().pending_txn_offsets.empty());
    }
    SECTION("ABORT drops it") {
        marker(rig, producer_a, false);
        CHECK(rig.committed(a) == 42);
        CHECK(stable_fetch(rig, a).partitions[0].error == Error::none);
        CHECK(rig.group().pending_txn_offsets.empty());
    }
    SECTION("another producer's marker leaves it pending") {
        marker(rig, producer_b, true);
        CHECK(rig.committed(a) == 42);
        CHECK(stable_fetch(rig, a).partitions[0].error == Error::unstable_offset_commit);
    }
    SECTION("an offset commit written after it in the log wins over the transaction's (olderThan)") {
        REQUIRE(rig.commit(a, orders0, 80).error == Error::none);
        CHECK(rig.committed(a) == 80);
        marker(rig, producer_a, true);
        CHECK(rig.committed(a) == 80);
    }
}

TEST_CASE_METHOD(Pair, "TxnOffsetCommit: the group's generation and member fence a zombie (KIP-447)", "[group][txn]") {
    form();
    CHECK(txn_commit(rig, of_generation(a, 0), orders0, 70) == Error::illegal_generation);
    CHECK(txn_commit(rig, stranger(a), orders0, 70) == Error::unknown_member_id);
    Consumer no_member = of_generation(stranger(a), 1);
    no_member.member_id.clear();
    CHECK(txn_commit(rig, no_member, orders0, 70) == Error::unknown_member_id);  // a generation needs its member
    CHECK(rig.group().pending_txn_offsets.empty());

    SECTION("during a rebalance the current generation still commits") {
        Consumer& c = rig.consumer("c");
        rig.arrive(c);
        REQUIRE(rig.group().state == GroupState::preparing_rebalance);
        CHECK(txn_commit(rig, a, orders0, 70) == Error::none);
    }
    SECTION("without generation and member (a pre-2.5 client) there is no group check") {
        Consumer outsider;
        outsider.node = b.node;
        outsider.client_id = "outsider";
        CHECK(txn_commit(rig, outsider, orders0, 70) == Error::none);
        CHECK(txn_commit(rig, outsider, orders0, 9, producer_b, "audit") == Error::none);  // a new group
        CHECK(rig.coordinator().groups().at("audit").state == GroupState::empty);
        marker(rig, producer_b, true);
        CHECK(rig.committed(outsider, "audit") == 9);
    }
}

TEST_CASE("TxnOffsetCommit: a static member's instance id must name the member (FENCED_INSTANCE_ID)", "[group][txn]") {
    Rig rig;
    Consumer& a = rig.consumer("a");
    // A group whose stable generation 3 has static member "i1" as member "m1", read from the log.
    auto records = std::make_shared<kafka::GroupRecords>();
    kafka::GroupMetadataRecord md;
    md.group = group_id;
    md.generation = 3;
    md.protocol = "range";
    md.leader = "m1";
    kafka::GroupMemberRecord m;
    m.member_id = "m1";
    m.group_instance_id = "i1";
    m.client_id = "a";
    m.session_timeout_ms = 10000;
    m.rebalance_timeout_ms = 30000;
    md.members.push_back(m);
    records->metadata = md;
    kafka::RecordBatch b;
    b.record_count = 1;
    b.group_records = records;
    rig.log().push_back(b);
    rig.unload();
    rig.load();
    REQUIRE(rig.group().state == GroupState::stable);

    a.generation = 3;
    a.member_id = "m1";
    TxnOffsetCommitRequest r = txn_commit_request(a, orders0, 5);
    r.group_instance_id = "i1";
    CHECK(rig.call<TxnOffsetCommitResponse>(a, r).partitions.at(0).error == Error::none);
    r.member_id = "m2";
    CHECK(rig.call<TxnOffsetCommitResponse>(a, r).partitions.at(0).error == Error::fenced_instance_id);
    r.member_id = "m1";
    r.group_instance_id = "i9";
    CHECK(rig.call<TxnOffsetCommitResponse>(a, r).partitions.at(0).error == Error::unknown_member_id);
}

TEST_CASE_METHOD(Pair, "TxnOffsetCommit: a failed append leaves nothing pending", "[group][txn]") {
    form();
    rig.broker().append_error = Error::not_leader_or_follower;
    CHECK(txn_commit(rig, a, orders0, 70) == Error::not_coordinator);
    CHECK(rig.group().pending_txn_offsets.empty());
    rig.broker().append_error = Error::none;
    marker(rig, producer_a, true);  // the marker of a transaction without those offsets
    CHECK(rig.committed(a) == -1);

    SECTION("pending while not yet replicated, and dropped on a timeout") {
        rig.broker().commit_at_once = false;
        const int32_t id = rig.send(a, txn_commit_request(a, orders0, 70));
        CHECK_FALSE(rig.take<TxnOffsetCommitResponse>(a, id));
        CHECK(stable_fetch(rig, a).partitions[0].error == Error::unstable_offset_commit);
        rig.heartbeat_for(5000, {&a, &b}, Error::none);
        CHECK(rig.answer<TxnOffsetCommitResponse>(a, id).partitions.at(0).error == Error::request_timed_out);
        CHECK(rig.group().pending_txn_offsets.empty());
        CHECK(stable_fetch(rig, a).partitions[0].error == Error::none);
    }
}

TEST_CASE_METHOD(Pair, "OffsetFetch require_stable: an offset commit still being written is unstable too", "[group][txn]") {
    form();
    rig.broker().commit_at_once = false;
    const int32_t id = rig.send_commit(a, orders1, 11);
    OffsetFetchResponse r = stable_fetch(rig, a);
    CHECK(r.partitions[0].error == Error::none);
    CHECK(r.partitions[1].error == Error::unstable_offset_commit);
    CHECK(rig.fetch(a).partitions[1].error == Error::none);  // without require_stable: as before
    rig.commit_log();
    CHECK(rig.answer<OffsetCommitResponse>(a, id).error == Error::none);
    CHECK(stable_fetch(rig, a).partitions[1].offset == 11);
}

TEST_CASE_METHOD(Pair, "a coordinator loading the log rebuilds committed and pending transactional offsets",
                 "[group][txn]") {
    form();
    constexpr int64_t producer_c = 4002;
    REQUIRE(txn_commit(rig, a, orders0, 70, producer_a) == Error::none);
    REQUIRE(txn_commit(rig, a, orders1, 71, producer_b) == Error::none);
    REQUIRE(rig.commit(a, orders1, 30).error == Error::none);  // after producer_b's, before its marker
    marker(rig, producer_a, true);
    marker(rig, producer_b, true);  // older than the commit of 30: not applied
    REQUIRE(txn_commit(rig, a, orders1, 90, producer_c) == Error::none);  // still open
    const auto before = rig.group().offsets;
    REQUIRE(rig.committed(a) == 70);

    rig.unload();
    rig.load();
    CHECK(rig.committed(a) == 70);
    CHECK(rig.fetch(a).partitions[1].offset == 30);
    CHECK(rig.group().offsets.size() == before.size());
    REQUIRE(rig.group().pending_txn_offsets.size() == 1);
    CHECK(rig.group().pending_txn_offsets.count(producer_c) == 1);
    CHECK(stable_fetch(rig, a).partitions[1].error == Error::unstable_offset_commit);

    SECTION("the open transaction commits after the load") {
        marker(rig, producer_c, true);
        CHECK(rig.fetch(a).partitions[1].offset == 90);
    }
    SECTION("an aborted transaction in the log stays dropped") {
        marker(rig, producer_c, false);
        rig.unload();
        rig.load();
        CHECK(rig.fetch(a).partitions[1].offset == 30);
        CHECK(rig.group().pending_txn_offsets.empty());
    }
}
