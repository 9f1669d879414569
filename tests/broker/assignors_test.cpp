// The classic consumer assignors against Kafka's documented examples (the assignors' Javadoc
// and the expectations of Kafka's own assignor tests), the Java ordering they depend on, and
// properties over many random groups.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/group/assignors.hpp"
#include "broker/group/java_order.hpp"
#include "sim/random.hpp"

namespace {

using kafka::GroupAssignment;
using kafka::GroupPartition;
using kafka::MemberSubscription;
using Topics = std::map<std::string, int32_t>;

GroupPartition tp(const std::string& topic, int32_t partition) { return {topic, partition}; }

// "t1-5, t2-0" (Kafka's TopicPartition.toString, as its tests write assignments).
std::vector<GroupPartition> parse(const std::string& list) {
    std::vector<GroupPartition> out;
    size_t at = 0;
    while (at < list.size()) {
        size_t end = list.find(", ", at);
        if (end == std::string::npos) end = list.size();
        const std::string item = list.substr(at, end - at);
        const size_t dash = item.rfind('-');
        out.push_back({item.substr(0, dash), std::stoi(item.substr(dash + 1))});
        at = end + 2;
    }
    return out;
}

MemberSubscription member(const std::string& id, std::vector<std::string> topics, std::vector<GroupPartition> owned = {},
                          int32_t generation = -1, std::optional<std::string> instance = std::nullopt) {
    MemberSubscription m;
    m.member_id = id;
    m.group_instance_id = std::move(instance);
    m.topics = std::move(topics);
    m.owned_partitions = std::move(owned);
    m.generation = generation;
    return m;
}

GroupAssignment run(std::string_view assignor, const Topics& topics, const std::vector<MemberSubscription>& members) {
    auto a = kafka::make_assignor(assignor);
    REQUIRE(a != nullptr);
    return a->assign(topics, members);
}

std::string show(const std::vector<GroupPartition>& list) {
    std::string s;
    for (const GroupPartition& p : list) s += (s.empty() ? "" : ", ") + kafka::to_string(p);
    return s;
}

// "C0=[t0-0, t0-1] C1=[...]" in member id order.
std::string show(const GroupAssignment& a) {
    std::string s;
    for (const auto& [id, list] : a) s += (s.empty() ? "" : " ") + id + "=[" + show(list) + "]";
    return s;
}

// Feeds an assignment back as what each member owns, in a new generation (the next rebalance).
std::vector<MemberSubscription> owning(std::vector<MemberSubscription> members, const GroupAssignment& a, int32_t generation) {
    for (MemberSubscription& m : members) {
        m.owned_partitions = a.at(m.member_id);
        m.generation = generation;
    }
    return members;
}

std::vector<MemberSubscription> without(std::vector<MemberSubscription> members, const std::string& id) {
    std::erase_if(members, [&](const MemberSubscription& m) { return m.member_id == id; });
    return members;
}

const Topics two_by_three{{"t0", 3}, {"t1", 3}};

}  // namespace

// ------------------------------------------------------------------------------------------
// What the assignors' tie-breaks depend on: Java's strings, HashMap and HashSet.

TEST_CASE("java order: String.hashCode and compareTo as the JDK computes them") {
    using namespace kafka::java;
    // Values printed by OpenJDK 17.
    CHECK(string_hash("") == 0);
    CHECK(string_hash("a") == 97);
    CHECK(string_hash("hello") == 99162322);
    CHECK(string_hash("h\xC3\xA9llo") == 103094734);        // é
    CHECK(string_hash("\xE6\x97\xA5\xE6\x9C\xAC") == 835047);  // 日本
    CHECK(string_hash("\xF0\x9F\x98\x80") == 1772899);        // U+1F600, a surrogate pair in Java
    CHECK(string_hash("\xEF\xBF\xBD") == 65533);
    CHECK(string_hash("\xFF") == 65533);  // a malformed byte reads as U+FFFD
    CHECK(string_hash("consumer-1-0f3c") == 332829977);
    CHECK(string_hash("consumer1") == -421004549);
    CHECK(string_hash("Aa") == string_hash("BB"));
    CHECK(topic_partition_hash(string_hash("topic"), 3) == 31 * (31 + 3) + 110546223);

    CHECK(string_compare("ab", "abc") < 0);
    CHECK(string_compare("B", "a") < 0);
    CHECK(string_compare("abc", "abc") == 0);
    // Java compares UTF-16 units: U+1F600 (D83D DE00) sorts before U+FFFD, unlike its UTF-8 bytes.
    CHECK(string_compare("\xF0\x9F\x98\x80", "\xEF\xBF\xBD") < 0);
}

TEST_CASE("java order: HashMap iteration order of string keys matches the JDK") {
    using namespace kafka::java;
    auto order_of = [](const std::vector<std::string>& keys) {
        std::vector<int32_t> hashes;
        for (const auto& k : keys) hashes.push_back(string_hash(k));
        std::vector<std::string> out;
        for (size_t i : hash_map_order(hashes)) out.push_back(keys[i]);
        return out;
    };
    auto join = [](const std::vector<std::string>& keys) {
        std::string s;
        for (const auto& k : keys) s += (s.empty() ? "" : ",") + k;
        return s;
    };
    // All expected orders printed by OpenJDK 17 for new HashMap<>() filled in the given order.
    CHECK(join(order_of({"consumer1", "consumer2", "consumer3", "consumer4"})) == "consumer4,consumer3,consumer2,consumer1");
    CHECK(join(order_of({"C0", "C1", "C2"})) == "C0,C1,C2");

    std::vector<std::string> m13;
    for (int i = 0; i < 13; ++i) m13.push_back("m" + std::to_string(i));
    CHECK(join(order_of(m13)) == "m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,m11,m10,m12");  // resized to 32 on the 13th

    std::vector<std::string> m30;
    for (int i = 0; i < 30; ++i) m30.push_back("member-" + std::to_string(i));
    CHECK(join(order_of(m30)) ==
          "member-19,member-18,member-17,member-16,member-5,member-15,member-6,member-14,member-3,member-13,"
          "member-4,member-12,member-9,member-11,member-10,member-7,member-8,member-29,member-28,member-27,"
          "member-26,member-25,member-24,member-23,member-22,member-21,member-20,member-1,member-2,member-0");

    // Equal hashes keep insertion order; nine in one bucket resize a small table (treeifyBin).
    CHECK(join(order_of({"BBBB", "AaAa", "BBAa", "AaBB"})) == "BBBB,AaAa,BBAa,AaBB");
    CHECK(join(order_of({"x1", "y2", "q", "AaAaAaAa", "AaAaAaBB", "AaAaBBAa", "AaAaBBBB", "AaBBAaAa", "AaBBAaBB",
                         "AaBBBBAa", "AaBBBBBB", "BBAaAaAa", "z3", "w"})) ==
          "AaAaAaAa,AaAaAaBB,AaAaBBAa,AaAaBBBB,AaBBAaAa,AaBBAaBB,AaBBBBAa,AaBBBBBB,BBAaAaAa,y2,q,w,x1,z3");
}

TEST_CASE("java order: HashSet<TopicPartition> iteration order under adds and removes matches the JDK") {
    using namespace kafka::java;
    auto join = [](const std::vector<uint64_t>& keys) {
        std::string s;
        for (uint64_t k : keys) s += std::to_string(k) + ",";
        return s;
    };
    const int32_t topic = string_hash("topic");
    HashSetOrder set;
    for (int32_t p = 0; p < 20; ++p) set.add(static_cast<uint64_t>(p), topic_partition_hash(topic, p));
    CHECK(set.capacity() == 32);
    CHECK(join(set.order()) == "0,18,17,19,10,9,12,11,14,13,16,15,2,1,4,3,6,5,8,7,");  // OpenJDK 17
    set.remove(17);
    set.remove(0);
    CHECK(set.first() == 18);
    CHECK(join(set.order()) == "18,19,10,9,12,11,14,13,16,15,2,1,4,3,6,5,8,7,");

    const int32_t t1 = string_hash("t1");
    HashSetOrder small;
    for (int32_t p : {40, 7, 23, 56, 3}) small.add(static_cast<uint64_t>(p), topic_partition_hash(t1, p));
    CHECK(join(small.order()) == "40,56,7,23,3,");
    small.remove(3);
    small.add(3, topic_partition_hash(t1, 3));
    small.add(40, topic_partition_hash(t1, 40));  // already there: nothing moves
    CHECK(join(small.order()) == "40,56,7,23,3,");
}

// ------------------------------------------------------------------------------------------

TEST_CASE("make_assignor: protocol names and Kafka class names") {
    struct Case {
        const char* name;
        const char* class_name;
        bool cooperative;
    };
    for (const Case& c : {Case{"range", "org.apache.kafka.clients.consumer.RangeAssignor", false},
                          Case{"roundrobin", "org.apache.kafka.clients.consumer.RoundRobinAssignor", false},
                          Case{"sticky", "org.apache.kafka.clients.consumer.StickyAssignor", false},
                          Case{"cooperative-sticky", "org.apache.kafka.clients.consumer.CooperativeStickyAssignor", true}}) {
        auto by_name = kafka::make_assignor(c.name);
        auto by_class = kafka::make_assignor(c.class_name);
        REQUIRE(by_name != nullptr);
        REQUIRE(by_class != nullptr);
        CHECK(by_name->name() == c.name);
        CHECK(by_class->name() == c.name);
        CHECK(by_name->cooperative() == c.cooperative);
        CHECK(by_class->cooperative() == c.cooperative);
    }
    CHECK(kafka::make_assignor("") == nullptr);
    CHECK(kafka::make_assignor("Range") == nullptr);
    CHECK(kafka::make_assignor("uniform") == nullptr);  // a KIP-848 server-side assignor, not a client one
    CHECK(kafka::make_assignor("org.apache.kafka.clients.consumer.StickyAssignorX") == nullptr);
}

TEST_CASE("partitions_to_revoke: owned minus assigned, sorted") {
    CHECK(show(kafka::partitions_to_revoke({tp("b", 1), tp("a", 2), tp("a", 0)}, {tp("a", 0), tp("c", 0)})) == "a-2, b-1");
    CHECK(kafka::partitions_to_revoke({}, {tp("a", 0)}).empty());
    CHECK(kafka::partitions_to_revoke({tp("a", 0), tp("a", 0)}, {}).size() == 1);
}

TEST_CASE("every assignor: each member gets an entry, unknown topics and empty groups") {
    for (const char* name : {"range", "roundrobin", "sticky", "cooperative-sticky"}) {
        INFO(name);
        CHECK(run(name, two_by_three, {}).empty());
        // A topic without metadata (or with no partitions) is skipped; one nobody subscribes to is not handed out.
        const Topics topics{{"t0", 2}, {"empty", 0}, {"unwatched", 4}};
        const auto a = run(name, topics, {member("A", {"t0", "missing"}), member("B", {"missing"}), member("C", {}),
                                          member("D", {"empty"})});
        CHECK(show(a) == "A=[t0-0, t0-1] B=[] C=[] D=[]");
    }
}

// ------------------------------------------------------------------------------------------
// RangeAssignor

TEST_CASE("range: the RangeAssignor Javadoc example") {
    // C0 and C1, topics t0 and t1 of three partitions each.
    const auto a = run("range", two_by_three, {member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})});
    CHECK(show(a) == "C0=[t0-0, t0-1, t1-0, t1-1] C1=[t0-2, t1-2]");
}

TEST_CASE("range: the Javadoc's static membership example") {
    // After a rolling bounce C0 came back as C3 and C1 as C2: member id order flips the ranges...
    auto a = run("range", two_by_three, {member("C3", {"t0", "t1"}), member("C2", {"t0", "t1"})});
    CHECK(show(a) == "C2=[t0-0, t0-1, t1-0, t1-1] C3=[t0-2, t1-2]");
    // ...unless group.instance.id orders them: I0 (now C3) keeps the first range.
    a = run("range", two_by_three, {member("C3", {"t0", "t1"}, {}, -1, "I0"), member("C2", {"t0", "t1"}, {}, -1, "I1")});
    CHECK(show(a) == "C2=[t0-2, t1-2] C3=[t0-0, t0-1, t1-0, t1-1]");
    // Static members sort before dynamic ones (MemberInfo.compareTo).
    a = run("range", {{"t", 3}}, {member("a", {"t"}), member("b", {"t"}, {}, -1, "z"), member("c", {"t"}, {}, -1, "y")});
    CHECK(show(a) == "a=[t-2] b=[t-1] c=[t-0]");
}

TEST_CASE("range: per topic, only its subscribers, the first partitions % subscribers get one more") {
    const Topics topics{{"orders", 7}, {"payments", 2}};
    const auto a = run("range", topics, {member("m3", {"orders", "payments"}), member("m1", {"orders"}),
                                         member("m2", {"orders", "payments"}), member("m4", {"payments"})});
    // orders: m1 m2 m3 -> 3, 2, 2; payments: m2 m3 m4 -> 1, 1, 0.
    CHECK(show(a) == "m1=[orders-0, orders-1, orders-2] m2=[orders-3, orders-4, payments-0] "
                     "m3=[orders-5, orders-6, payments-1] m4=[]");
}

// ------------------------------------------------------------------------------------------
// RoundRobinAssignor

TEST_CASE("roundrobin: the RoundRobinAssignor Javadoc examples") {
    auto a = run("roundrobin", two_by_three, {member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"})});
    CHECK(show(a) == "C0=[t0-0, t0-2, t1-1] C1=[t0-1, t1-0, t1-2]");

    // Unequal subscriptions: a member not subscribed to a topic is skipped.
    const Topics one_two_three{{"t0", 1}, {"t1", 2}, {"t2", 3}};
    a = run("roundrobin", one_two_three,
            {member("C0", {"t0"}), member("C1", {"t0", "t1"}), member("C2", {"t0", "t1", "t2"})});
    CHECK(show(a) == "C0=[t0-0] C1=[t1-0] C2=[t1-1, t2-0, t2-1, t2-2]");

    // Static membership: three members, two topics of three partitions.
    a = run("roundrobin", two_by_three, {member("C0", {"t0", "t1"}), member("C1", {"t0", "t1"}), member("C2", {"t0", "t1"})});
    CHECK(show(a) == "C0=[t0-0, t1-0] C1=[t0-1, t1-1] C2=[t0-2, t1-2]");
    // After a rolling bounce (C0 -> C5, C1 -> C3, C2 -> C4) the ranges shuffle...
    a = run("roundrobin", two_by_three, {member("C5", {"t0", "t1"}), member("C3", {"t0", "t1"}), member("C4", {"t0", "t1"})});
    CHECK(show(a) == "C3=[t0-0, t1-0] C4=[t0-1, t1-1] C5=[t0-2, t1-2]");
    // ...but with instance ids I0, I1, I2 they stay with the instances.
    a = run("roundrobin", two_by_three,
            {member("C5", {"t0", "t1"}, {}, -1, "I0"), member("C3", {"t0", "t1"}, {}, -1, "I1"),
             member("C4", {"t0", "t1"}, {}, -1, "I2")});
    CHECK(show(a) == "C3=[t0-1, t1-1] C4=[t0-2, t1-2] C5=[t0-0, t1-0]");
}

// ------------------------------------------------------------------------------------------
// StickyAssignor / CooperativeStickyAssignor

TEST_CASE("sticky: StickyAssignor Javadoc example 1 (three consumers, four topics, then C1 leaves)") {
    const Topics topics{{"t0", 2}, {"t1", 2}, {"t2", 2}, {"t3", 2}};
    const std::vector<std::string> all{"t0", "t1", "t2", "t3"};
    const std::vector<MemberSubscription> group{member("C0", all), member("C1", all), member("C2", all)};
    const auto first = run("sticky", topics, group);
    CHECK(show(first) == "C0=[t0-0, t1-1, t3-0] C1=[t0-1, t2-0, t3-1] C2=[t1-0, t2-1]");
    CHECK(show(run("roundrobin", topics, group)) == show(first));  // "with both sticky and round robin assignors"

    // C1 leaves: round robin starts over, the sticky assignor keeps every remaining assignment.
    const auto left = without(owning(group, first, 1), "C1");
    CHECK(show(run("roundrobin", topics, left)) == "C0=[t0-0, t1-0, t2-0, t3-0] C2=[t0-1, t1-1, t2-1, t3-1]");
    // Kafka since 2.8 takes the equal-subscription path here, which fills round-robin from the
    // sorted free partitions; the Javadoc lists are those of the general path (below).
    CHECK(show(run("sticky", topics, left)) == "C0=[t0-0, t0-1, t1-1, t3-0] C2=[t1-0, t2-0, t2-1, t3-1]");
    // A subscription to a topic without metadata makes the subscriptions unequal (Kafka compares
    // them as subscribed) without changing what can be assigned: the general path, and the
    // Javadoc's result: C0 [t0p0, t1p1, t3p0, t2p0], C2 [t1p0, t2p1, t0p1, t3p1].
    auto general = left;
    general[0].topics.push_back("not-created-yet");
    CHECK(show(run("sticky", topics, general)) == "C0=[t0-0, t1-1, t2-0, t3-0] C2=[t0-1, t1-0, t2-1, t3-1]");
    // Nothing moves, so the cooperative assignor gives the same in one round.
    CHECK(show(run("cooperative-sticky", topics, left)) == show(run("sticky", topics, left)));
    CHECK(show(run("cooperative-sticky", topics, general)) == show(run("sticky", topics, general)));
}

TEST_CASE("sticky: StickyAssignor Javadoc example 2 (unequal subscriptions, then C0 leaves)") {
    const Topics topics{{"t0", 1}, {"t1", 2}, {"t2", 3}};
    const std::vector<MemberSubscription> group{member("C0", {"t0"}), member("C1", {"t0", "t1"}),
                                                member("C2", {"t0", "t1", "t2"})};
    CHECK(show(run("roundrobin", topics, group)) == "C0=[t0-0] C1=[t1-0] C2=[t1-1, t2-0, t2-1, t2-2]");
    const auto first = run("sticky", topics, group);
    CHECK(show(first) == "C0=[t0-0] C1=[t1-0, t1-1] C2=[t2-0, t2-1, t2-2]");

    const auto left = without(owning(group, first, 1), "C0");
    CHECK(show(run("roundrobin", topics, left)) == "C1=[t0-0, t1-1] C2=[t1-0, t2-0, t2-1, t2-2]");  // keeps 3
    CHECK(show(run("sticky", topics, left)) == "C1=[t0-0, t1-0, t1-1] C2=[t2-0, t2-1, t2-2]");      // keeps 5
    CHECK(show(run("cooperative-sticky", topics, left)) == show(run("sticky", topics, left)));
}

TEST_CASE("sticky: expectations of Kafka's AbstractStickyAssignorTest (equal subscriptions)") {
    // Kafka's tests put consumer1, consumer2, ... into a HashMap, which iterates them in
    // reverse; several expectations below depend on that order.
    SECTION("two consumers, two topics of three") {
        const Topics topics{{"topic1", 3}, {"topic2", 3}};
        const auto a = run("sticky", topics, {member("consumer1", {"topic1", "topic2"}), member("consumer2", {"topic1", "topic2"})});
        CHECK(show(a) == "consumer1=[topic1-0, topic1-2, topic2-1] consumer2=[topic1-1, topic2-0, topic2-2]");
    }
    SECTION("a consumer owning minQuota gets to maxQuota") {
        const Topics topics{{"topic1", 2}, {"topic2", 3}};
        const std::vector<std::string> both{"topic1", "topic2"};
        const auto a = run("sticky", topics, {member("consumer1", both, {tp("topic1", 0), tp("topic2", 1)}, 1),
                                              member("consumer2", both, {tp("topic1", 1), tp("topic2", 2)}, 1)});
        CHECK(show(a) == "consumer1=[topic1-0, topic2-0, topic2-1] consumer2=[topic1-1, topic2-2]");
    }
    SECTION("more consumers own maxQuota than may keep it") {
        const Topics topics{{"topic1", 2}, {"topic2", 2}};
        const std::vector<std::string> both{"topic1", "topic2"};
        const std::vector<MemberSubscription> group{member("consumer1", both, {tp("topic1", 0), tp("topic2", 0)}, 1),
                                                    member("consumer2", both, {tp("topic1", 1), tp("topic2", 1)}, 1),
                                                    member("consumer3", both, {}, 1)};
        CHECK(show(run("sticky", topics, group)) ==
              "consumer1=[topic1-0] consumer2=[topic1-1, topic2-1] consumer3=[topic2-0]");
        // topic2-0 changes owner: the cooperative assignor withholds it for one round.
        CHECK(show(run("cooperative-sticky", topics, group)) == "consumer1=[topic1-0] consumer2=[topic1-1, topic2-1] consumer3=[]");
    }
    SECTION("all consumers under minQuota") {
        const Topics topics{{"topic1", 2}, {"topic2", 3}};
        const std::vector<std::string> both{"topic1", "topic2"};
        const auto a = run("cooperative-sticky", topics,
                           {member("consumer1", both, {tp("topic1", 0)}, 1), member("consumer2", both, {tp("topic1", 1)}, 1),
                            member("consumer3", both, {}, 1)});
        CHECK(show(a) == "consumer1=[topic1-0, topic2-1] consumer2=[topic1-1, topic2-2] consumer3=[topic2-0]");
    }
    SECTION("add and remove a consumer, one topic") {
        const Topics topics{{"topic", 3}};
        auto a = run("sticky", topics, {member("consumer1", {"topic"})});
        CHECK(show(a) == "consumer1=[topic-0, topic-1, topic-2]");
        const std::vector<MemberSubscription> joined{member("consumer1", {"topic"}, a.at("consumer1"), 1),
                                                     member("consumer2", {"topic"}, {}, 1)};
        a = run("sticky", topics, joined);
        CHECK(show(a) == "consumer1=[topic-0, topic-1] consumer2=[topic-2]");
        CHECK(show(run("cooperative-sticky", topics, joined)) == "consumer1=[topic-0, topic-1] consumer2=[]");
        a = run("sticky", topics, {member("consumer2", {"topic"}, a.at("consumer2"), 1)});
        CHECK(show(a) == "consumer2=[topic-0, topic-1, topic-2]");
    }
    SECTION("add two consumers, then remove the first two") {
        const Topics topics{{"topic1", 3}, {"topic2", 4}};
        const std::vector<std::string> both{"topic1", "topic2"};
        auto a = run("sticky", topics, {member("consumer1", both), member("consumer2", both)});
        CHECK(show(a) == "consumer1=[topic1-0, topic1-2, topic2-1, topic2-3] consumer2=[topic1-1, topic2-0, topic2-2]");
        const std::vector<MemberSubscription> four{member("consumer1", both, a.at("consumer1"), 1),
                                                   member("consumer2", both, a.at("consumer2"), 1),
                                                   member("consumer3", both, {}, 1), member("consumer4", both, {}, 1)};
        a = run("sticky", topics, four);
        CHECK(show(a) == "consumer1=[topic1-0, topic2-1] consumer2=[topic1-1, topic2-0] "
                         "consumer3=[topic1-2, topic2-3] consumer4=[topic2-2]");
        // Kafka's partitionsTransferringOwnership: topic1-2 and topic2-3 to consumer3, topic2-2 to consumer4.
        CHECK(show(run("cooperative-sticky", topics, four)) ==
              "consumer1=[topic1-0, topic2-1] consumer2=[topic1-1, topic2-0] consumer3=[] consumer4=[]");
        a = run("sticky", topics, {member("consumer3", both, a.at("consumer3"), 1), member("consumer4", both, a.at("consumer4"), 1)});
        CHECK(show(a) == "consumer3=[topic1-0, topic1-2, topic2-1, topic2-3] consumer4=[topic1-1, topic2-0, topic2-2]");
    }
    SECTION("all consumers reach their quota and count as filled") {
        const Topics topics{{"topic", 4}};
        const auto a = run("cooperative-sticky", topics,
                           {member("consumer1", {"topic"}, {tp("topic", 0), tp("topic", 1)}, 1),
                            member("consumer2", {"topic"}, {tp("topic", 2)}, 1), member("consumer3", {"topic"}, {}, 1)});
        CHECK(show(a) == "consumer1=[topic-0, topic-1] consumer2=[topic-2] consumer3=[topic-3]");
    }
}

TEST_CASE("sticky: generations settle conflicting claims (KIP-341)") {
    SECTION("the higher generation keeps a partition claimed twice; the stale claim is ignored") {
        const Topics topics{{"topic", 3}, {"topic2", 3}};
        const std::vector<std::string> both{"topic", "topic2"};
        const auto claims = parse("topic-0, topic-2, topic2-1");
        for (int32_t stale : {9, -1}) {  // an older generation, or none at all
            const auto a = run("sticky", topics, {member("consumer1", both, claims, 10), member("consumer2", both, claims, stale)});
            CHECK(show(a) == "consumer1=[topic-0, topic-2, topic2-1] consumer2=[topic-1, topic2-0, topic2-2]");
        }
        const auto a = run("sticky", topics, {member("consumer1", both, parse("topic-0, topic2-1, topic-1"), 10),
                                              member("consumer2", both, parse("topic-0, topic2-1, topic2-2"), 8)});
        CHECK(show(a) == "consumer1=[topic-0, topic-1, topic2-1] consumer2=[topic-2, topic2-0, topic2-2]");
    }
    SECTION("partitions go to the member of the highest generation claiming them") {
        const Topics topics{{"topic", 3}, {"topic2", 3}, {"topic3", 3}};
        const std::vector<std::string> all{"topic", "topic2", "topic3"};
        const auto a = run("cooperative-sticky", topics,
                           {member("consumer1", all, parse("topic-0, topic2-0, topic3-0"), 10),
                            member("consumer2", all, parse("topic-1, topic2-1, topic3-1"), 9),
                            member("consumer3", all, parse("topic2-1, topic3-0, topic3-2"), 8)});
        CHECK(show(a) == "consumer1=[topic-0, topic2-0, topic3-0] consumer2=[topic-1, topic2-1, topic3-1] "
                         "consumer3=[topic-2, topic2-2, topic3-2]");
    }
    SECTION("current members keep theirs; a new member gets the free partitions") {
        const Topics topics{{"topic", 3}, {"topic1", 3}, {"topic2", 3}, {"topic3", 3}};
        const std::vector<std::string> all{"topic", "topic2", "topic3", "topic1"};
        const auto a = run("cooperative-sticky", topics,
                           {member("consumer1", all, {}, -1), member("consumer2", all, parse("topic-0, topic2-0, topic1-0"), 9),
                            member("consumer3", all, parse("topic3-2, topic2-2, topic1-1"), 8),
                            member("consumer4", all, parse("topic3-1, topic-1, topic-2"), 7)});
        CHECK(show(a.at("consumer1")) == "topic1-2, topic2-1, topic3-0");
    }
    SECTION("a partition claimed twice in one generation is nobody's, and withheld by the cooperative assignor") {
        const Topics topics{{"topic", 3}};
        const std::vector<MemberSubscription> group{member("consumer1", {"topic"}, parse("topic-0, topic-1"), 1),
                                                    member("consumer2", {"topic"}, parse("topic-0, topic-2"), 1),
                                                    member("consumer3", {"topic"}, {}, 1)};
        CHECK(show(run("sticky", topics, group)) == "consumer1=[topic-1] consumer2=[topic-2] consumer3=[topic-0]");
        CHECK(show(run("cooperative-sticky", topics, group)) == "consumer1=[topic-1] consumer2=[topic-2] consumer3=[]");
    }
}

TEST_CASE("sticky: expectations of Kafka's StickyAssignorTest") {
    const Topics topic4{{"topic", 4}};
    SECTION("claimed twice in one generation, unequal shares") {
        const auto a = run("sticky", topic4, {member("consumer1", {"topic"}, parse("topic-0, topic-1"), 1),
                                              member("consumer2", {"topic"}, parse("topic-0, topic-2"), 1),
                                              member("consumer3", {"topic"}, {}, 1)});
        CHECK(show(a) == "consumer1=[topic-1, topic-3] consumer2=[topic-2] consumer3=[topic-0]");
    }
    SECTION("owned partitions reported without a generation (older subscription versions)") {
        const auto a = run("sticky", {{"topic1", 3}}, {member("consumer1", {"topic1"}, parse("topic1-0")),
                                                       member("consumer2", {"topic1"}, parse("topic1-1")),
                                                       member("consumer3", {"topic1"}, {}, 1)});
        CHECK(show(a) == "consumer1=[topic1-0] consumer2=[topic1-1] consumer3=[topic1-2]");
        const auto b = run("sticky", {{"topic", 3}}, {member("consumer1", {"topic"}, parse("topic-0, topic-2"), 1),
                                                      member("consumer2", {"topic"}, parse("topic-1")),
                                                      member("consumer3", {"topic"})});
        CHECK(b.at("consumer1").size() == 1);
        CHECK(show(b.at("consumer2")) == "topic-1");
        CHECK(b.at("consumer3").size() == 1);
    }
    // Whether every partition of `small` is in `big` (big sorted, as assignments are).
    auto contains_all = [](const std::vector<GroupPartition>& big, std::vector<GroupPartition> small) {
        std::sort(small.begin(), small.end());
        return std::includes(big.begin(), big.end(), small.begin(), small.end());
    };
    auto disjoint = [](const std::vector<GroupPartition>& a, const std::vector<GroupPartition>& b) {
        return std::none_of(a.begin(), a.end(), [&](const GroupPartition& p) { return std::binary_search(b.begin(), b.end(), p); });
    };
    for (const bool equal : {true, false}) {
        SECTION(std::string("multiple generations, ") + (equal ? "equal" : "unequal") + " subscriptions") {
            const Topics topics{{"topic", 6}, {"topic2", 6}};
            const std::vector<std::string> all{"topic", "topic2"};
            const std::vector<std::string> second = equal ? all : std::vector<std::string>{"topic"};
            const auto r1 = run("sticky", topics, {member("consumer1", all), member("consumer2", second), member("consumer3", all)});
            for (const auto& [id, list] : r1) CHECK(list.size() == 4);
            // consumer3 leaves.
            const auto r2 = run("sticky", topics, {member("consumer1", all, r1.at("consumer1"), 1),
                                                   member("consumer2", second, r1.at("consumer2"), 1)});
            CHECK(r2.at("consumer1").size() == 6);
            CHECK(r2.at("consumer2").size() == 6);
            if (equal) CHECK(contains_all(r2.at("consumer1"), r1.at("consumer1")));
            CHECK(contains_all(r2.at("consumer2"), r1.at("consumer2")));
            CHECK(!disjoint(r2.at("consumer2"), r1.at("consumer3")));
            // consumer1 leaves; consumer3 comes back claiming what it had a generation ago.
            const auto r3 = run("sticky", topics, {member("consumer2", second, r2.at("consumer2"), 2),
                                                   member("consumer3", all, r1.at("consumer3"), 1)});
            CHECK(r3.at("consumer2").size() == 6);
            CHECK(r3.at("consumer3").size() == 6);
            CHECK(disjoint(r3.at("consumer2"), r3.at("consumer3")));
        }
        SECTION(std::string("conflicting previous generations, ") + (equal ? "equal" : "unequal") + " subscriptions") {
            const Topics topics{{"topic", 4}, {"topic2", 4}, {"topic3", 4}};
            const std::vector<std::string> all{"topic", "topic2", "topic3"};
            const auto c1_owned = parse(equal ? "topic-0, topic-1, topic-2, topic2-2, topic2-3, topic3-0"
                                              : "topic-0, topic-1, topic-2, topic-3");
            const auto c2_owned = parse("topic-0, topic-1, topic2-0, topic2-1, topic2-2, topic2-3");
            const auto c3_owned = parse("topic-2, topic-3, topic3-0, topic3-1, topic3-2, topic3-3");
            const auto a = run("sticky", topics,
                               {member("consumer1", equal ? all : std::vector<std::string>{"topic"}, c1_owned, 1),
                                member("consumer2", equal ? all : std::vector<std::string>{"topic", "topic2"}, c2_owned, 2),
                                member("consumer3", all, c3_owned, 2)});
            for (const auto& [id, list] : a) CHECK(list.size() == 4);
            std::vector<GroupPartition> c2_sorted = c2_owned, c3_sorted = c3_owned;
            std::sort(c2_sorted.begin(), c2_sorted.end());
            std::sort(c3_sorted.begin(), c3_sorted.end());
            CHECK(contains_all(c2_sorted, a.at("consumer2")));
            CHECK(contains_all(c3_sorted, a.at("consumer3")));
        }
    }
}

TEST_CASE("sticky: unequal subscriptions (general path), Kafka's expectations without racks") {
    SECTION("mixed subscriptions") {
        const Topics topics{{"topic1", 3}, {"topic2", 2}};
        const auto a = run("sticky", topics, {member("consumer1", {"topic1"}), member("consumer2", {"topic1", "topic2"}),
                                              member("consumer3", {"topic1"})});
        CHECK(show(a) == "consumer1=[topic1-0, topic1-2] consumer2=[topic2-0, topic2-1] consumer3=[topic1-1]");
    }
    // AbstractStickyAssignorTest.testRackAwareAssignmentWithNonEqualSubscription, its cases
    // where racks do not apply: consumer0 and consumer1 on t1, t2, t3; consumer2 on t1, t3.
    const Topics topics{{"t1", 6}, {"t2", 7}, {"t3", 2}};
    const std::vector<std::string> all{"t1", "t2", "t3"};
    const std::vector<MemberSubscription> group{member("consumer0", all), member("consumer1", all), member("consumer2", {"t1", "t3"})};
    auto expect = [](const GroupAssignment& a, const std::vector<std::string>& lists) {
        CHECK(show(a.at("consumer0")) == lists[0]);
        CHECK(show(a.at("consumer1")) == lists[1]);
        CHECK(show(a.at("consumer2")) == lists[2]);
    };
    SECTION("from scratch") {
        const std::vector<std::string> fresh{"t1-5, t2-0, t2-2, t2-4, t2-6", "t1-3, t2-1, t2-3, t2-5, t3-0",
                                             "t1-0, t1-1, t1-2, t1-4, t3-1"};
        expect(run("sticky", topics, group), fresh);
        expect(run("cooperative-sticky", topics, group), fresh);
    }
    SECTION("from owned partitions that break the subscriptions: cooperative in two rounds") {
        std::vector<MemberSubscription> owned = group;
        owned[0].owned_partitions = parse("t1-0, t1-1, t1-2, t1-3, t1-4");
        owned[1].owned_partitions = parse("t1-5, t2-0, t2-1, t2-2, t2-3");
        owned[2].owned_partitions = parse("t2-4, t2-5, t2-6, t3-0, t3-1");
        const auto intermediate = run("cooperative-sticky", topics, owned);
        expect(intermediate, {"t1-2, t1-3, t1-4", "t2-0, t2-1, t2-2, t2-3", "t3-0, t3-1"});
        expect(run("cooperative-sticky", topics, owning(group, intermediate, -1)),
               {"t1-2, t1-3, t1-4, t2-4, t2-5", "t2-0, t2-1, t2-2, t2-3, t2-6", "t1-0, t1-1, t1-5, t3-0, t3-1"});
        // The eager assignor moves everything at once: the intermediate plus what was withheld
        // (worked through by hand from the same balancing steps).
        expect(run("sticky", topics, owned),
               {"t1-2, t1-3, t1-4, t2-4, t2-6", "t2-0, t2-1, t2-2, t2-3, t2-5", "t1-0, t1-1, t1-5, t3-0, t3-1"});
    }
}

TEST_CASE("cooperative-sticky: a joining member gets moved partitions only in the follow-up rebalance (KIP-429)") {
    // C1 and C2 share t0's four partitions; C3 joins.
    const Topics topics{{"t0", 4}};
    std::vector<MemberSubscription> group{member("C1", {"t0"}, parse("t0-0, t0-1"), 1),
                                          member("C2", {"t0"}, parse("t0-2, t0-3"), 1), member("C3", {"t0"}, {}, -1)};
    // First rebalance: the eager assignor would move t0-3 to C3 at once...
    CHECK(show(run("sticky", topics, group)) == "C1=[t0-0, t0-1] C2=[t0-2] C3=[t0-3]");
    // ...the cooperative one only takes it from C2, which revokes it and rejoins.
    const auto first = run("cooperative-sticky", topics, group);
    CHECK(show(first) == "C1=[t0-0, t0-1] C2=[t0-2] C3=[]");
    CHECK(show(kafka::partitions_to_revoke(group[1].owned_partitions, first.at("C2"))) == "t0-3");
    CHECK(kafka::partitions_to_revoke(group[0].owned_partitions, first.at("C1")).empty());
    // Second rebalance: t0-3 is free and goes to C3; nothing is revoked.
    group = owning(group, first, 2);
    const auto second = run("cooperative-sticky", topics, group);
    CHECK(show(second) == "C1=[t0-0, t0-1] C2=[t0-2] C3=[t0-3]");
    for (const MemberSubscription& m : group) CHECK(kafka::partitions_to_revoke(m.owned_partitions, second.at(m.member_id)).empty());
}

TEST_CASE("sticky: the member order of the JoinGroup response matters only inside a hash bucket") {
    // "Aa" and "BB" share a hashCode, so the leader's HashMap keeps them in response order;
    // "C" sits in another bucket. Of two members owning maxQuota only the first in map order
    // may keep it.
    const Topics topics{{"t", 4}};
    auto group = [](std::vector<std::string> order) {
        std::map<std::string, MemberSubscription> by_id{{"Aa", member("Aa", {"t"}, parse("t-0, t-1"), 1)},
                                                        {"BB", member("BB", {"t"}, parse("t-2, t-3"), 1)},
                                                        {"C", member("C", {"t"}, {}, 1)}};
        std::vector<MemberSubscription> out;
        for (const auto& id : order) out.push_back(by_id.at(id));
        return out;
    };
    CHECK(show(run("sticky", topics, group({"Aa", "BB", "C"}))) == "Aa=[t-0, t-1] BB=[t-2] C=[t-3]");
    CHECK(show(run("sticky", topics, group({"C", "Aa", "BB"}))) == "Aa=[t-0, t-1] BB=[t-2] C=[t-3]");
    CHECK(show(run("sticky", topics, group({"BB", "Aa", "C"}))) == "Aa=[t-0] BB=[t-2, t-3] C=[t-1]");
    CHECK(show(run("sticky", topics, group({"BB", "C", "Aa"}))) == "Aa=[t-0] BB=[t-2, t-3] C=[t-1]");

    // Generations, not the order, settle a claim both make.
    const Topics three{{"t", 3}};
    const auto a = run("sticky", three, {member("Aa", {"t"}, parse("t-0, t-1"), 1), member("BB", {"t"}, parse("t-1, t-2"), 0)});
    const auto b = run("sticky", three, {member("BB", {"t"}, parse("t-1, t-2"), 0), member("Aa", {"t"}, parse("t-0, t-1"), 1)});
    CHECK(show(a) == "Aa=[t-0, t-1] BB=[t-2]");
    CHECK(show(b) == show(a));
}

// ------------------------------------------------------------------------------------------
// Properties over random groups

namespace {

struct RandomGroup {
    Topics topics;
    std::vector<MemberSubscription> members;
};

std::string random_id(sim::Rng& rng) {
    static const char* hex = "0123456789abcdef";
    std::string id = "consumer-" + std::to_string(rng.between(1, 9)) + "-";
    for (int i = 0; i < 8; ++i) id += hex[rng.below(16)];
    return id;
}

struct Limits {
    int topics = 5;
    int partitions = 12;  // per topic
    int members = 8;
};

RandomGroup random_group(sim::Rng& rng, bool equal_subscriptions, Limits limits = {}) {
    RandomGroup g;
    const int topic_count = static_cast<int>(rng.between(1, limits.topics));
    std::vector<std::string> names;
    for (int t = 0; t < topic_count; ++t) {
        names.push_back("topic-" + std::string(1, static_cast<char>('a' + t)));
        if (!rng.chance(sim::Probability::from_double(0.05))) {
            g.topics[names.back()] = static_cast<int32_t>(rng.between(1, limits.partitions));
        }
    }
    const int member_count = static_cast<int>(rng.between(1, limits.members));
    std::vector<std::string> common;
    for (const auto& n : names) {
        if (rng.chance(sim::Probability::from_double(0.7))) common.push_back(n);
    }
    if (common.empty()) common.push_back(names.front());
    for (int m = 0; m < member_count; ++m) {
        std::vector<std::string> topics = common;
        if (!equal_subscriptions) {
            topics.clear();
            for (const auto& n : names) {
                if (rng.chance(sim::Probability::from_double(0.5))) topics.push_back(n);
            }
            if (topics.empty()) topics.push_back(names[rng.below(names.size())]);
        }
        std::optional<std::string> instance;
        if (rng.chance(sim::Probability::from_double(0.3))) instance = "instance-" + std::to_string(rng.below(1000));
        g.members.push_back(member(random_id(rng), topics, {}, -1, instance));
    }
    return g;
}

struct Checked {
    std::map<GroupPartition, std::string> owner;
    std::set<GroupPartition> all;  // every partition some member can have
};

// Valid: every member present, each partition at most once and only to a subscriber; complete
// when every subscribed partition must be out.
Checked check_valid(const RandomGroup& g, const GroupAssignment& a, bool complete) {
    Checked c;
    std::map<std::string, std::set<std::string>> subscribed;
    for (const auto& m : g.members) {
        subscribed[m.member_id].insert(m.topics.begin(), m.topics.end());
        for (const auto& t : m.topics) {
            auto it = g.topics.find(t);
            if (it == g.topics.end()) continue;
            for (int32_t p = 0; p < it->second; ++p) c.all.insert({t, p});
        }
    }
    REQUIRE(a.size() == subscribed.size());
    for (const auto& [id, list] : a) {
        REQUIRE(subscribed.count(id) == 1);
        REQUIRE(std::is_sorted(list.begin(), list.end()));
        for (const GroupPartition& p : list) {
            INFO(id << " got " << kafka::to_string(p));
            REQUIRE(subscribed[id].count(p.topic) == 1);
            REQUIRE(c.all.count(p) == 1);
            REQUIRE(c.owner.emplace(p, id).second);  // nobody else has it
        }
    }
    if (complete) REQUIRE(c.owner.size() == c.all.size());
    return c;
}

// AbstractStickyAssignorTest.verifyValidityAndBalance: members whose counts differ by two or
// more share no topic (else a partition could have moved to the less loaded one).
void check_sticky_balance(const GroupAssignment& a) {
    for (auto i = a.begin(); i != a.end(); ++i) {
        for (auto j = std::next(i); j != a.end(); ++j) {
            const auto& [id_i, list_i] = *i;
            const auto& [id_j, list_j] = *j;
            const auto diff = static_cast<long>(list_i.size()) - static_cast<long>(list_j.size());
            if (diff >= -1 && diff <= 1) continue;
            std::set<std::string> topics_i;
            for (const auto& p : list_i) topics_i.insert(p.topic);
            for (const auto& p : list_j) {
                INFO(id_i << " has " << list_i.size() << ", " << id_j << " has " << list_j.size() << ", both on " << p.topic);
                REQUIRE(topics_i.count(p.topic) == 0);
            }
        }
    }
}

void check_equal_balance(const GroupAssignment& a) {
    size_t lo = SIZE_MAX, hi = 0;
    for (const auto& [id, list] : a) {
        lo = std::min(lo, list.size());
        hi = std::max(hi, list.size());
    }
    REQUIRE(hi <= lo + 1);
}

// KIP-429's rule (CooperativeStickyAssignorTest.verifyCooperativeValidity): no partition is
// newly given to a member while another member still owns it.
void check_no_double_ownership(const std::vector<MemberSubscription>& members, const GroupAssignment& a) {
    std::map<GroupPartition, std::set<std::string>> owned_by;
    for (const auto& m : members) {
        for (const auto& p : m.owned_partitions) owned_by[p].insert(m.member_id);
    }
    for (const auto& [id, list] : a) {
        for (const GroupPartition& p : list) {
            auto it = owned_by.find(p);
            if (it == owned_by.end() || it->second.count(id)) continue;  // free, or already its own
            INFO(id << " gets " << kafka::to_string(p) << " while " << *it->second.begin() << " still owns it");
            REQUIRE(it->second.empty());
        }
    }
}

// Cooperative rebalances until nobody has anything to revoke; returns the settled assignment.
GroupAssignment settle_cooperative(const RandomGroup& g, std::vector<MemberSubscription>& members, int32_t& generation) {
    auto coop = kafka::make_assignor("cooperative-sticky");
    for (int round = 0;; ++round) {
        REQUIRE(round < 4);  // Kafka's own tests allow at most a few follow-ups
        const GroupAssignment a = coop->assign(g.topics, members);
        check_valid(g, a, false);
        check_no_double_ownership(members, a);
        bool revoking = false;
        for (const auto& m : members) revoking |= !kafka::partitions_to_revoke(m.owned_partitions, a.at(m.member_id)).empty();
        members = owning(members, a, ++generation);
        if (!revoking) return a;
    }
}

}  // namespace

TEST_CASE("range and roundrobin: valid, deterministic and independent of response order over random groups") {
    sim::Rng rng(sim::derive_seed(20240611, "assignors/range-roundrobin"));
    for (int iteration = 0; iteration < 300; ++iteration) {
        const bool equal = rng.chance(sim::Probability::from_double(0.5));
        RandomGroup g = random_group(rng, equal);
        for (const char* name : {"range", "roundrobin"}) {
            INFO(name << " iteration " << iteration);
            const GroupAssignment a = run(name, g.topics, g.members);
            check_valid(g, a, true);
            auto shuffled = g.members;
            std::reverse(shuffled.begin(), shuffled.end());
            REQUIRE(show(run(name, g.topics, shuffled)) == show(a));
            if (equal && std::string(name) == "roundrobin") check_equal_balance(a);
            if (std::string(name) == "range") {
                // Per topic: subscribers' shares differ by at most one.
                for (const auto& entry : g.topics) {
                    const auto& topic = entry.first;  // not a structured binding: lambdas capture it (clang 14)
                    std::vector<size_t> shares;
                    for (const auto& m : g.members) {
                        if (std::find(m.topics.begin(), m.topics.end(), topic) == m.topics.end()) continue;
                        const auto& list = a.at(m.member_id);
                        shares.push_back(static_cast<size_t>(std::count_if(list.begin(), list.end(), [&](const GroupPartition& p) { return p.topic == topic; })));
                    }
                    if (shares.empty()) continue;
                    const auto [lo, hi] = std::minmax_element(shares.begin(), shares.end());
                    REQUIRE(*hi <= *lo + 1);
                }
            }
        }
    }
}

TEST_CASE("sticky: valid, balanced and sticky over random groups and membership changes") {
    sim::Rng rng(sim::derive_seed(20240611, "assignors/sticky"));
    auto sticky = kafka::make_assignor("sticky");
    for (int iteration = 0; iteration < 400; ++iteration) {
        const bool equal = rng.chance(sim::Probability::from_double(0.5));
        // Mostly small groups; every fourth a larger one (up to 20 members, 8 topics of 40).
        RandomGroup g = random_group(rng, equal, iteration % 4 == 3 ? Limits{8, 40, 20} : Limits{});
        INFO("iteration " << iteration << (equal ? " (equal subscriptions)" : " (mixed subscriptions)"));
        int32_t generation = 1;
        GroupAssignment a = sticky->assign(g.topics, g.members);
        for (int round = 0; round < 6; ++round) {
            INFO("round " << round);
            check_valid(g, a, true);
            check_sticky_balance(a);
            if (equal) check_equal_balance(a);
            g.members = owning(g.members, a, generation++);
            // Same members, same subscriptions: nothing moves.
            REQUIRE(show(sticky->assign(g.topics, g.members)) == show(a));

            // A membership change: someone leaves or someone joins.
            const bool leave = g.members.size() > 1 && rng.chance(sim::Probability::from_double(0.5));
            if (leave) {
                g.members.erase(g.members.begin() + static_cast<long>(rng.below(g.members.size())));
            } else {
                MemberSubscription joiner = g.members[rng.below(g.members.size())];
                joiner.member_id = random_id(rng);
                joiner.owned_partitions.clear();
                joiner.generation = -1;
                if (!equal) {
                    auto topics = random_group(rng, false).members.front().topics;
                    std::erase_if(topics, [&](const std::string& t) { return g.topics.count(t) == 0; });
                    if (!topics.empty()) joiner.topics = topics;
                }
                g.members.push_back(joiner);
            }
            const GroupAssignment next = sticky->assign(g.topics, g.members);
            if (equal) {
                // Quotas: a member keeps all it owned up to floor(partitions / members).
                size_t total = 0;
                for (const auto& [topic, count] : g.topics) {
                    if (std::find(g.members[0].topics.begin(), g.members[0].topics.end(), topic) != g.members[0].topics.end()) {
                        total += static_cast<size_t>(count);
                    }
                }
                const size_t min_quota = total / g.members.size();
                for (const auto& m : g.members) {
                    const auto& now = next.at(m.member_id);
                    const size_t kept = static_cast<size_t>(std::count_if(m.owned_partitions.begin(), m.owned_partitions.end(), [&](const GroupPartition& p) {
                        return std::binary_search(now.begin(), now.end(), p);
                    }));
                    INFO(m.member_id << " owned " << m.owned_partitions.size() << ", kept " << kept << ", minQuota " << min_quota);
                    REQUIRE(kept >= std::min(m.owned_partitions.size(), min_quota));
                    if (leave) REQUIRE(kept == m.owned_partitions.size());  // quotas only grew
                }
            }
            a = next;
        }
    }
}

TEST_CASE("cooperative-sticky: never hands out a partition its owner still holds, and settles balanced") {
    sim::Rng rng(sim::derive_seed(20240611, "assignors/cooperative"));
    auto sticky = kafka::make_assignor("sticky");
    for (int iteration = 0; iteration < 300; ++iteration) {
        const bool equal = rng.chance(sim::Probability::from_double(0.5));
        RandomGroup g = random_group(rng, equal, iteration % 4 == 3 ? Limits{8, 40, 20} : Limits{});
        INFO("iteration " << iteration << (equal ? " (equal subscriptions)" : " (mixed subscriptions)"));
        int32_t generation = 0;
        std::vector<MemberSubscription> members = g.members;
        for (int round = 0; round < 5; ++round) {
            INFO("round " << round);
            const GroupAssignment settled = settle_cooperative(g, members, generation);
            check_valid(g, settled, true);
            check_sticky_balance(settled);
            if (equal) check_equal_balance(settled);
            // Settled means: the eager assignor would not move anything either.
            REQUIRE(show(sticky->assign(g.topics, members)) == show(settled));

            if (members.size() > 1 && rng.chance(sim::Probability::from_double(0.5))) {
                members.erase(members.begin() + static_cast<long>(rng.below(members.size())));
            } else {
                MemberSubscription joiner = members[rng.below(members.size())];
                joiner.member_id = random_id(rng);
                joiner.owned_partitions.clear();
                joiner.generation = -1;
                members.push_back(joiner);
            }
            g.members = members;
        }
    }
}

TEST_CASE("sticky and cooperative-sticky: stale and duplicate claims never double-assign") {
    // Members report overlapping owned partitions with random generations, as after zombie
    // members or lost SyncGroup responses; the result is still a valid assignment.
    sim::Rng rng(sim::derive_seed(20240611, "assignors/conflicts"));
    for (int iteration = 0; iteration < 300; ++iteration) {
        const bool equal = rng.chance(sim::Probability::from_double(0.5));
        RandomGroup g = random_group(rng, equal, iteration % 4 == 3 ? Limits{8, 40, 20} : Limits{});
        std::vector<GroupPartition> all;
        for (const auto& [topic, count] : g.topics) {
            for (int32_t p = 0; p < count; ++p) all.push_back({topic, p});
        }
        for (auto& m : g.members) {
            m.generation = static_cast<int32_t>(rng.between(-1, 3));
            for (const auto& p : all) {
                if (rng.chance(sim::Probability::from_double(0.3))) m.owned_partitions.push_back(p);
            }
            if (rng.chance(sim::Probability::from_double(0.1))) m.owned_partitions.push_back({"deleted-topic", 0});
        }
        INFO("iteration " << iteration);
        const GroupAssignment eager = run("sticky", g.topics, g.members);
        check_valid(g, eager, true);
        check_sticky_balance(eager);
        const GroupAssignment coop = run("cooperative-sticky", g.topics, g.members);
        check_valid(g, coop, false);
        // What the cooperative assignor gives is the eager assignment minus what it withholds.
        for (const auto& [id, list] : coop) {
            const auto& full = eager.at(id);
            REQUIRE(std::includes(full.begin(), full.end(), list.begin(), list.end()));
        }
        check_no_double_ownership(g.members, coop);
        REQUIRE(show(run("sticky", g.topics, g.members)) == show(eager));  // deterministic
    }
}
