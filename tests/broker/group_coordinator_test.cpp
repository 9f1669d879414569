// Where a group lives: the coordinator is the leader of __consumer_offsets partition
// Utils.abs(groupId.hashCode()) % offsets.topic.num.partitions, with Java's String.hashCode.
#include <catch2/catch.hpp>

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
