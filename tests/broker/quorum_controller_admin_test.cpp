// The Admin API in the KRaft active controller: DeleteTopics, CreatePartitions,
// IncrementalAlterConfigs, ElectLeaders, Alter/ListPartitionReassignments, with Kafka's errors
// and messages (ReplicationControlManager, ConfigurationControlManager, ControllerApis).
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <vector>

#include "tests/broker/quorum_controller_host.hpp"

using namespace kafka_test;

namespace {

struct AdminHost : Host {
    using Host::Host;

    DeleteTopicsResponse delete_topics(std::vector<std::string> names, std::vector<MetadataRecord>* records = nullptr) {
        DeleteTopicsRequest req;
        req.correlation_id = 21;
        req.topics = std::move(names);
        auto resp = run<DeleteTopicsResponse>(qc.handle_delete_topics(req), records);
        REQUIRE(resp.correlation_id == 21);
        return resp;
    }
    CreatePartitionsResponse::Result create_partitions(const std::string& name, int32_t count,
                                                       std::vector<Replicas> assignment = {},
                                                       std::vector<MetadataRecord>* records = nullptr) {
        CreatePartitionsRequest req;
        req.correlation_id = 22;
        req.topics.push_back({name, count, std::move(assignment)});
        auto resp = run<CreatePartitionsResponse>(qc.handle_create_partitions(req), records);
        REQUIRE(resp.topics.size() == 1);
        return resp.topics[0];
    }
    IncrementalAlterConfigsResponse::Result alter_config(
        const std::string& topic, std::vector<IncrementalAlterConfigsRequest::Op> ops,
        std::vector<MetadataRecord>* records = nullptr, ConfigResourceType type = ConfigResourceType::topic) {
        IncrementalAlterConfigsRequest req;
        req.correlation_id = 23;
        req.resources.push_back({type, topic, std::move(ops)});
        auto resp = run<IncrementalAlterConfigsResponse>(qc.handle_incremental_alter_configs(req), records);
        REQUIRE(resp.resources.size() == 1);
        return resp.resources[0];
    }
    ElectLeadersResponse elect(ElectionType type, std::vector<TopicPartitionName> partitions,
                               std::vector<MetadataRecord>* records = nullptr) {
        ElectLeadersRequest req;
        req.correlation_id = 24;
        req.type = type;
        req.partitions = std::move(partitions);
        return run<ElectLeadersResponse>(qc.handle_elect_leaders(req), records);
    }
    AlterPartitionReassignmentsResponse::Result reassign(const std::string& topic, int32_t partition,
                                                         std::optional<Replicas> target,
                                                         std::vector<MetadataRecord>* records = nullptr) {
        AlterPartitionReassignmentsRequest req;
        req.correlation_id = 25;
        req.partitions.push_back({{topic, partition}, std::move(target)});
        auto resp = run<AlterPartitionReassignmentsResponse>(qc.handle_alter_partition_reassignments(req), records);
        REQUIRE(resp.error == Error::none);
        REQUIRE(resp.partitions.size() == 1);
        return resp.partitions[0];
    }
    std::vector<ListPartitionReassignmentsResponse::Ongoing> list(std::vector<TopicPartitionName> partitions = {}) {
        ListPartitionReassignmentsRequest req;
        req.partitions = std::move(partitions);
        return qc.list_partition_reassignments(req).reassignments;
    }
};

const IncrementalAlterConfigsRequest::Op set_op(const std::string& name, const std::string& value) {
    return {name, AlterConfigOpType::set, value};
}
const IncrementalAlterConfigsRequest::Op delete_op(const std::string& name) {
    return {name, AlterConfigOpType::remove, ""};
}

}  // namespace

TEST_CASE("admin: delete topics, then create the same name again", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(3, at_ms(0));
    REQUIRE(h.create_topic("t", 2, 2).error == Error::none);
    REQUIRE(h.create_topic("keep", 1, 1).error == Error::none);
    const int64_t partitions_before = h.image().partition_count();

    std::vector<MetadataRecord> recs;
    auto resp = h.delete_topics({"t", "nope"}, &recs);
    REQUIRE(resp.topics.size() == 2);
    CHECK(resp.topics[0].name == "t");
    CHECK(resp.topics[0].error == Error::none);
    CHECK(resp.topics[0].message.empty());
    CHECK(resp.topics[1].error == Error::unknown_topic_or_partition);
    CHECK(resp.topics[1].message == "This server does not host this topic-partition.");
    REQUIRE(recs.size() == 1);
    CHECK(std::get<RemoveTopicRecord>(recs[0]).topic_id == 1);
    CHECK(h.image().topic("t") == nullptr);
    CHECK(h.image().topic(1) == nullptr);
    CHECK(h.image().partition_count() == partitions_before - 2);
    CHECK(h.image().topic("keep") != nullptr);

    auto dup = h.delete_topics({"keep", "keep"});
    REQUIRE(dup.topics.size() == 2);
    CHECK(dup.topics[0].error == Error::invalid_request);
    CHECK(dup.topics[0].message == "Duplicate topic name.");
    CHECK(h.image().topic("keep") != nullptr);

    // The same name again: a new topic id, fresh partitions.
    auto again = h.create_topic("t", 3, 1);
    CHECK(again.error == Error::none);
    CHECK(again.topic_id == 3);
    REQUIRE(h.image().topic("t") != nullptr);
    CHECK(h.image().topic("t")->partitions.size() == 3);
    CHECK(h.partition(3, 0).leader_epoch == 0);
    // Creating it while it exists gives Kafka's message.
    auto exists = h.create_topic("t", 1, 1);
    CHECK(exists.error == Error::topic_already_exists);
    CHECK(exists.message == "Topic 't' already exists.");

    SECTION("delete.topic.enable=false refuses every topic") {
        BrokerConfig config;
        config.delete_topic_enable = false;
        AdminHost off(config);
        off.start_brokers(1, at_ms(0));
        off.create_topic("t", 1, 1);
        std::vector<MetadataRecord> none;
        auto r = off.delete_topics({"t"}, &none);
        CHECK(none.empty());
        REQUIRE(r.topics.size() == 1);
        CHECK(r.topics[0].error == Error::topic_deletion_disabled);
        CHECK(r.topics[0].message == "Topic deletion is disabled.");
        CHECK(off.image().topic("t") != nullptr);
    }
}

TEST_CASE("admin: delete.topic.enable defaults to true, false before 1.0", "[controller][admin]") {
    CHECK(BrokerConfig{}.delete_topic_enable);
    CHECK(BrokerConfig::from(*profile_for("0.11"), {}).delete_topic_enable == false);
    // (The 0.11 profile, which also covers 1.0 and 1.1, keeps 0.11's default.)
    CHECK(BrokerConfig::from(*profile_for("2.0"), {}).delete_topic_enable);
}

TEST_CASE("admin: create partitions", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(3, at_ms(0));
    h.register_broker(3, at_ms(0));  // registered, still fenced
    REQUIRE(h.create_topic("t", 2, 2).error == Error::none);

    auto same = h.create_partitions("t", 2);
    CHECK(same.error == Error::invalid_partitions);
    CHECK(same.message == "Topic already has 2 partition(s).");
    auto fewer = h.create_partitions("t", 1);
    CHECK(fewer.error == Error::invalid_partitions);
    CHECK(fewer.message == "The topic t currently has 2 partition(s); 1 would not be an increase.");
    auto unknown = h.create_partitions("nope", 3);
    CHECK(unknown.error == Error::unknown_topic_or_partition);
    CHECK(unknown.message == "This server does not host this topic-partition.");

    std::vector<MetadataRecord> recs;
    auto grown = h.create_partitions("t", 4, {}, &recs);
    CHECK(grown.error == Error::none);
    CHECK(grown.message.empty());
    auto parts = records_of<PartitionRecord>(recs);
    REQUIRE(parts.size() == 2);
    for (size_t i = 0; i < parts.size(); ++i) {
        CHECK(parts[i].partition == static_cast<int32_t>(2 + i));
        CHECK(parts[i].replicas.size() == 2);
        CHECK(parts[i].isr == parts[i].replicas);
        CHECK(parts[i].leader == parts[i].replicas[0]);
        CHECK_FALSE(contains(parts[i].replicas, 3));  // only usable brokers get new replicas
    }
    CHECK(h.image().topic("t")->partitions.size() == 4);

    // Manual assignments (validateManualPartitionAssignment).
    auto count = h.create_partitions("t", 6, {{0, 1}});
    CHECK(count.error == Error::invalid_replica_assignment);
    CHECK(count.message == "Attempted to add 2 additional partition(s), but only 1 assignment(s) were specified.");
    auto dup = h.create_partitions("t", 5, {{1, 1}});
    CHECK(dup.error == Error::invalid_replica_assignment);
    CHECK(dup.message == "The manual partition assignment includes the broker 1 more than once.");
    auto ghost = h.create_partitions("t", 5, {{1, 9}});
    CHECK(ghost.error == Error::invalid_replica_assignment);
    CHECK(ghost.message == "The manual partition assignment includes broker 9, but no such broker is registered.");
    auto rf = h.create_partitions("t", 5, {{1}});
    CHECK(rf.error == Error::invalid_replica_assignment);
    CHECK(rf.message == "The manual partition assignment includes a partition with 1 replica(s), but this is not "
                        "consistent with previous partitions, which have 2 replica(s).");
    auto empty = h.create_partitions("t", 5, {{}});
    CHECK(empty.error == Error::invalid_replica_assignment);
    CHECK(empty.message == "The manual partition assignment includes an empty replica list.");
    CHECK(h.image().topic("t")->partitions.size() == 4);

    recs.clear();
    auto manual = h.create_partitions("t", 5, {{3, 2}}, &recs);
    CHECK(manual.error == Error::none);
    CHECK(h.partition(1, 4).replicas == Replicas{3, 2});
    CHECK(h.partition(1, 4).isr == Replicas{2});  // the fenced broker is not in the ISR
    CHECK(h.partition(1, 4).leader == 2);

    // Too few usable brokers for the topic's replication factor.
    REQUIRE(h.create_topic("wide", 1, -1, {{0, 1, 2, 3}}).error == Error::none);
    auto wide = h.create_partitions("wide", 2);
    CHECK(wide.error == Error::invalid_replication_factor);
    CHECK(wide.message == "The target replication factor of 4 cannot be reached because only 3 broker(s) are "
                          "registered.");
}

TEST_CASE("admin: incremental alter configs on topics", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(1, at_ms(0));
    REQUIRE(h.create_topic("t", 1, 1).error == Error::none);

    std::vector<MetadataRecord> recs;
    auto ok = h.alter_config("t", {set_op("retention.ms", "60000"), set_op("min.insync.replicas", " 1 ")}, &recs);
    CHECK(ok.error == Error::none);
    CHECK(ok.name == "t");
    auto configs = records_of<ConfigRecord>(recs);
    REQUIRE(configs.size() == 2);
    CHECK(configs[0].topic_id == 1);
    CHECK(configs[0].name == "retention.ms");
    CHECK(std::get<int64_t>(configs[0].value) == 60000);
    CHECK_FALSE(configs[0].deleted);
    CHECK(std::get<int64_t>(h.image().topic(1)->configs.at("min.insync.replicas")) == 1);

    // Setting what is already set writes nothing.
    recs.clear();
    CHECK(h.alter_config("t", {set_op("retention.ms", "60000")}, &recs).error == Error::none);
    CHECK(recs.empty());

    auto nan = h.alter_config("t", {set_op("min.insync.replicas", "abc")}, &recs);
    CHECK(nan.error == Error::invalid_config);
    CHECK(nan.message == "Invalid value abc for configuration min.insync.replicas: Not a number of type INT");
    auto long_nan = h.alter_config("t", {set_op("retention.ms", "1h")});
    CHECK(long_nan.message == "Invalid value 1h for configuration retention.ms: Not a number of type LONG");
    auto low = h.alter_config("t", {set_op("min.insync.replicas", "0")});
    CHECK(low.error == Error::invalid_config);
    CHECK(low.message == "Invalid value 0 for configuration min.insync.replicas: Value must be at least 1");
    auto boolean = h.alter_config("t", {set_op("unclean.leader.election.enable", "yes")});
    CHECK(boolean.message ==
          "Invalid value yes for configuration unclean.leader.election.enable: Expected value to be either true or false");
    auto unknown_key = h.alter_config("t", {set_op("retention.ms", "5"), set_op("no.such.key", "1")}, &recs);
    CHECK(unknown_key.error == Error::invalid_config);
    CHECK(unknown_key.message == "Unknown topic config name: no.such.key");
    auto broker_key = h.alter_config("t", {set_op("num.partitions", "3")});
    CHECK(broker_key.message == "Unknown topic config name: num.partitions");
    CHECK(recs.empty());  // all or nothing
    CHECK(std::get<int64_t>(h.image().topic(1)->configs.at("retention.ms")) == 60000);

    auto unknown_topic = h.alter_config("nope", {set_op("retention.ms", "5")});
    CHECK(unknown_topic.error == Error::unknown_topic_or_partition);
    CHECK(unknown_topic.message == "The topic 'nope' does not exist.");

    recs.clear();
    auto removed = h.alter_config("t", {delete_op("retention.ms"), delete_op("segment.ms")}, &recs);
    CHECK(removed.error == Error::none);
    configs = records_of<ConfigRecord>(recs);
    REQUIRE(configs.size() == 1);  // segment.ms had no override
    CHECK(configs[0].deleted);
    CHECK(configs[0].name == "retention.ms");
    CHECK_FALSE(h.image().topic(1)->configs.contains("retention.ms"));

    auto broker = h.alter_config("1", {set_op("log.retention.ms", "5")}, nullptr, ConfigResourceType::broker);
    CHECK(broker.error == Error::invalid_request);
    CHECK(broker.message == "Dynamic broker configs are not supported by this simulator yet");
}

TEST_CASE("admin: preferred leader election", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(3, at_ms(0));
    REQUIRE(h.create_topic("t", 1, -1, {{0, 1, 2}}).error == Error::none);
    const TopicPartition tp{1, 0};

    auto not_needed = h.elect(ElectionType::preferred, {{"t", 0}});
    REQUIRE(not_needed.partitions.size() == 1);
    CHECK(not_needed.partitions[0].error == Error::election_not_needed);
    CHECK(not_needed.partitions[0].message == "Leader election not needed for topic partition.");
    // For all partitions, those needing nothing are left out.
    CHECK(h.elect(ElectionType::preferred, {}).partitions.empty());

    // 0 is fenced: 1 leads; 0 comes back but is out of the ISR.
    h.heartbeat(1, at_ms(5000));
    h.heartbeat(2, at_ms(5000));
    h.tick(at_ms(9001));
    REQUIRE(h.partition(1, 0).leader == 1);
    h.heartbeat(0, at_ms(9500));
    REQUIRE_FALSE(h.image().broker(0)->fenced);
    auto unavailable = h.elect(ElectionType::preferred, {{"t", 0}});
    REQUIRE(unavailable.partitions.size() == 1);
    CHECK(unavailable.partitions[0].error == Error::preferred_leader_not_available);
    CHECK(unavailable.partitions[0].message == "The preferred leader was not available.");

    REQUIRE(h.alter_partition(1, tp, {1, 2, 0}).error == Error::none);
    std::vector<MetadataRecord> recs;
    const int32_t epoch = h.partition(1, 0).leader_epoch;
    auto all = h.elect(ElectionType::preferred, {}, &recs);
    REQUIRE(all.partitions.size() == 1);
    CHECK(all.partitions[0].tp == TopicPartitionName{"t", 0});
    CHECK(all.partitions[0].error == Error::none);
    CHECK(all.partitions[0].message.empty());
    REQUIRE(recs.size() == 1);
    CHECK(std::get<PartitionChangeRecord>(recs[0]).leader == 0);
    CHECK(h.partition(1, 0).leader == 0);
    CHECK(h.partition(1, 0).leader_epoch == epoch + 1);
    CHECK(h.partition(1, 0).isr == Replicas{1, 2, 0});

    auto unknown = h.elect(ElectionType::preferred, {{"nope", 0}, {"t", 5}});
    REQUIRE(unknown.partitions.size() == 2);
    CHECK(unknown.partitions[0].error == Error::unknown_topic_or_partition);
    CHECK(unknown.partitions[0].message == "No such topic as nope");
    CHECK(unknown.partitions[1].message == "No such partition as t-5");
}

TEST_CASE("admin: unclean leader election by request and by the periodic check", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(2, at_ms(0));
    REQUIRE(h.create_topic("t", 1, -1, {{0, 1}}).error == Error::none);
    REQUIRE(h.create_topic("solo", 1, -1, {{0}}).error == Error::none);
    REQUIRE(h.create_topic("later", 1, -1, {{0, 1}}).error == Error::none);
    REQUIRE(h.alter_partition(0, {1, 0}, {0}).error == Error::none);
    REQUIRE(h.alter_partition(0, {3, 0}, {0}).error == Error::none);
    auto has_leader = h.elect(ElectionType::unclean, {{"t", 0}});
    CHECK(has_leader.partitions[0].error == Error::election_not_needed);

    h.heartbeat(1, at_ms(5000));
    h.tick(at_ms(9001));  // fences 0, the only ISR member: no leader (unclean election is off)
    REQUIRE(h.partition(1, 0).leader == no_leader);
    REQUIRE(h.partition(3, 0).leader == no_leader);
    CHECK(h.qc.elect_unclean_leaders(at_ms(9001)).empty());  // schedules a check, elects nothing

    std::vector<MetadataRecord> recs;
    auto resp = h.elect(ElectionType::unclean, {{"t", 0}, {"solo", 0}}, &recs);
    REQUIRE(resp.partitions.size() == 2);
    CHECK(resp.partitions[0].error == Error::none);
    CHECK(resp.partitions[1].error == Error::eligible_leaders_not_available);
    CHECK(resp.partitions[1].message == "Eligible topic partition leaders are not available.");
    REQUIRE(recs.size() == 1);
    const PartitionState& p = h.partition(1, 0);
    CHECK(p.leader == 1);
    CHECK(p.isr == Replicas{1});
    CHECK(p.leader_recovering);

    // "later" has unclean election off: still leaderless, until its config turns it on; the
    // periodic check (Kafka 4.0) then elects uncleanly.
    CHECK(h.qc.elect_unclean_leaders(at_ms(9001) + sim::seconds(300)).empty());
    REQUIRE(h.alter_config("later", {set_op("unclean.leader.election.enable", "true")}).error == Error::none);
    CHECK(h.qc.elect_unclean_leaders(at_ms(310000)).empty());  // schedules the next check
    CHECK(h.append(h.qc.elect_unclean_leaders(at_ms(309000) + sim::seconds(300))).empty());
    auto elected = h.append(h.qc.elect_unclean_leaders(at_ms(310000) + sim::seconds(300)));
    REQUIRE(elected.size() == 1);
    CHECK(h.partition(3, 0).leader == 1);
    CHECK(h.partition(3, 0).leader_recovering);
    CHECK(h.partition(2, 0).leader == no_leader);  // "solo" has no live replica
}

TEST_CASE("admin: reassignment completes only once every target replica is in the ISR", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(4, at_ms(0));
    REQUIRE(h.create_topic("t", 1, -1, {{0, 1, 2}}).error == Error::none);
    const TopicPartition tp{1, 0};

    std::vector<MetadataRecord> recs;
    auto started = h.reassign("t", 0, Replicas{1, 2, 3}, &recs);
    CHECK(started.error == Error::none);
    CHECK(started.message.empty());
    REQUIRE(recs.size() == 1);
    const auto& change = std::get<PartitionChangeRecord>(recs[0]);
    CHECK(change.has_replicas);
    CHECK(change.replicas == Replicas{1, 2, 3, 0});
    CHECK(change.adding_replicas == Replicas{3});
    CHECK(change.removing_replicas == Replicas{0});
    CHECK_FALSE(change.has_leader);
    const PartitionState& p = h.partition(1, 0);
    CHECK(p.reassigning());
    CHECK(p.leader == 0);
    CHECK(p.isr == Replicas{0, 1, 2});

    auto listed = h.list();
    REQUIRE(listed.size() == 1);
    CHECK(listed[0].tp == TopicPartitionName{"t", 0});
    CHECK(listed[0].replicas == Replicas{1, 2, 3, 0});
    CHECK(listed[0].adding == Replicas{3});
    CHECK(listed[0].removing == Replicas{0});
    CHECK(h.list({{"t", 0}, {"nope", 1}}).size() == 1);

    // ISR changes without the new replica do not complete it.
    REQUIRE(h.alter_partition(0, tp, {0, 1}).error == Error::none);
    REQUIRE(h.alter_partition(0, tp, {0, 1, 2}).error == Error::none);
    CHECK(h.partition(1, 0).reassigning());
    CHECK(h.partition(1, 0).replicas == Replicas{1, 2, 3, 0});

    // 3 joins: the reassignment completes, 0 (the leader, being removed) gives way to 1.
    const int32_t epoch = h.partition(1, 0).leader_epoch;
    recs.clear();
    auto joined = h.alter_partition(0, tp, {0, 1, 2, 3}, &recs);
    CHECK(joined.error == Error::new_leader_elected);
    REQUIRE(recs.size() == 1);
    const auto& done = std::get<PartitionChangeRecord>(recs[0]);
    CHECK(done.has_replicas);
    CHECK(done.replicas == Replicas{1, 2, 3});
    CHECK(done.adding_replicas.empty());
    CHECK(done.removing_replicas.empty());
    CHECK(done.has_leader);
    CHECK(done.leader == 1);
    const PartitionState& after = h.partition(1, 0);
    CHECK_FALSE(after.reassigning());
    CHECK(after.replicas == Replicas{1, 2, 3});
    CHECK(after.isr == Replicas{1, 2, 3});
    CHECK(after.leader == 1);
    CHECK(after.leader_epoch == epoch + 1);
    CHECK(h.list().empty());

    // Cancelling with nothing in progress.
    auto none = h.reassign("t", 0, std::nullopt);
    CHECK(none.error == Error::no_reassignment_in_progress);
    CHECK(none.message == "No partition reassignment is in progress.");
}

TEST_CASE("admin: reassignment that keeps the leader, a pure reorder, and validation", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(4, at_ms(0));
    REQUIRE(h.create_topic("t", 2, -1, {{0, 1, 2}, {0, 1, 2}}).error == Error::none);

    // Removing a follower that is in the ISR with every target: done at once, leader epoch bumped.
    std::vector<MetadataRecord> recs;
    const int32_t epoch = h.partition(1, 0).leader_epoch;
    CHECK(h.reassign("t", 0, Replicas{0, 1}, &recs).error == Error::none);
    REQUIRE(recs.size() == 1);
    CHECK(h.partition(1, 0).replicas == Replicas{0, 1});
    CHECK(h.partition(1, 0).isr == Replicas{0, 1});
    CHECK(h.partition(1, 0).leader == 0);
    CHECK(h.partition(1, 0).leader_epoch == epoch + 1);
    CHECK_FALSE(h.partition(1, 0).reassigning());

    // A reorder only changes the preferred replica.
    CHECK(h.reassign("t", 1, Replicas{2, 1, 0}).error == Error::none);
    CHECK(h.partition(1, 1).replicas == Replicas{2, 1, 0});
    CHECK(h.partition(1, 1).leader == 0);
    CHECK_FALSE(h.partition(1, 1).reassigning());

    auto empty = h.reassign("t", 0, Replicas{});
    CHECK(empty.error == Error::invalid_replica_assignment);
    CHECK(empty.message == "The manual partition assignment includes an empty replica list.");
    auto dup = h.reassign("t", 0, Replicas{1, 3, 1});
    CHECK(dup.message == "The manual partition assignment includes the broker 1 more than once.");
    auto ghost = h.reassign("t", 0, Replicas{1, 7});
    CHECK(ghost.error == Error::invalid_replica_assignment);
    CHECK(ghost.message == "The manual partition assignment includes broker 7, but no such broker is registered.");
    auto topic = h.reassign("nope", 0, Replicas{1});
    CHECK(topic.error == Error::unknown_topic_or_partition);
    CHECK(topic.message == "Unable to find a topic named nope.");
    auto partition = h.reassign("t", 9, Replicas{1});
    CHECK(partition.error == Error::unknown_topic_or_partition);
    CHECK(partition.message == "Unable to find partition t:9.");
}

TEST_CASE("admin: cancel and replace a running reassignment", "[controller][admin]") {
    AdminHost h;
    h.start_brokers(5, at_ms(0));
    REQUIRE(h.create_topic("c", 1, -1, {{0, 1, 2}}).error == Error::none);
    REQUIRE(h.create_topic("r", 1, -1, {{0, 1}}).error == Error::none);

    SECTION("cancel reverts to the original replicas (PartitionReassignmentRevert)") {
        REQUIRE(h.reassign("c", 0, Replicas{3, 1, 2}).error == Error::none);
        CHECK(h.partition(1, 0).replicas == Replicas{3, 1, 2, 0});
        std::vector<MetadataRecord> recs;
        auto cancelled = h.reassign("c", 0, std::nullopt, &recs);
        CHECK(cancelled.error == Error::none);
        REQUIRE(recs.size() == 1);
        const PartitionState& p = h.partition(1, 0);
        CHECK_FALSE(p.reassigning());
        CHECK(p.replicas == Replicas{1, 2, 0});  // the replicas without the adding ones, in that order
        CHECK(p.isr == Replicas{0, 1, 2});
        CHECK(p.leader == 0);
        CHECK(h.list().empty());
    }
    SECTION("a new target replaces the running one, from the current replica set") {
        REQUIRE(h.reassign("r", 0, Replicas{2, 3}).error == Error::none);
        CHECK(h.partition(2, 0).replicas == Replicas{2, 3, 0, 1});
        CHECK(h.partition(2, 0).adding_replicas == Replicas{2, 3});
        CHECK(h.partition(2, 0).removing_replicas == Replicas{0, 1});
        REQUIRE(h.reassign("r", 0, Replicas{3, 4}).error == Error::none);
        const PartitionState& p = h.partition(2, 0);
        CHECK(p.replicas == Replicas{3, 4, 0, 1, 2});
        CHECK(p.adding_replicas == Replicas{4});
        CHECK(p.removing_replicas == Replicas{0, 1, 2});
        // 3 alone is not enough.
        REQUIRE(h.alter_partition(0, {2, 0}, {0, 1, 3}).error == Error::none);
        CHECK(h.partition(2, 0).reassigning());
        auto joined = h.alter_partition(0, {2, 0}, {0, 1, 3, 4});
        CHECK(joined.error == Error::new_leader_elected);
        const PartitionState& done = h.partition(2, 0);
        CHECK_FALSE(done.reassigning());
        CHECK(done.replicas == Replicas{3, 4});
        CHECK(done.isr == Replicas{3, 4});
        CHECK(done.leader == 3);
    }
    SECTION("the leader leaves the replicas: a target replica leads") {
        REQUIRE(h.reassign("r", 0, Replicas{1, 2}).error == Error::none);
        REQUIRE(h.alter_partition(0, {2, 0}, {0, 1, 2}).error == Error::new_leader_elected);
        CHECK(h.partition(2, 0).replicas == Replicas{1, 2});
        CHECK(h.partition(2, 0).leader == 1);
    }
}
