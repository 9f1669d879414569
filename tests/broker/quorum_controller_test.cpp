#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "broker/controller/metadata_image.hpp"
#include "broker/controller/quorum_controller.hpp"
#include "broker/controller/replica_placement.hpp"
#include "tests/broker/quorum_controller_host.hpp"

using namespace kafka;
using sim::milliseconds;
using sim::Time;

using namespace kafka_test;

TEST_CASE("replica placement follows AdminUtils.assignReplicasToBrokersRackUnaware", "[controller]") {
    // The example in AdminUtils' comment: 5 brokers, 10 partitions, rf 3, startIndex 0, shift 0.
    auto a = assign_replicas({4, 3, 2, 1, 0}, 10, 3, 0, 0);
    const std::vector<Replicas> expected = {{0, 1, 2}, {1, 2, 3}, {2, 3, 4}, {3, 4, 0}, {4, 0, 1},
                                            {0, 2, 3}, {1, 3, 4}, {2, 4, 0}, {3, 0, 1}, {4, 1, 2}};
    CHECK(a == expected);

    // Ids, not positions: broker ids are sorted, then indexed.
    CHECK(assign_replicas({30, 10, 20}, 2, 2, 1, 0) == std::vector<Replicas>{{20, 30}, {30, 10}});
    // rf 1 on one broker; invalid shapes give nothing.
    CHECK(assign_replicas({7}, 3, 1, 0, 0) == std::vector<Replicas>{{7}, {7}, {7}});
    CHECK(assign_replicas({0, 1}, 1, 3, 0, 0).empty());
    CHECK(assign_replicas({0, 1}, 1, 0, 0, 0).empty());

    // The random form draws start then shift in [0, n).
    sim::Rng r1(5), r2(5);
    const int start = static_cast<int>(r2.below(5));
    const int shift = static_cast<int>(r2.below(5));
    CHECK(assign_replicas({0, 1, 2, 3, 4}, 7, 3, r1) == assign_replicas({0, 1, 2, 3, 4}, 7, 3, start, shift));
}

TEST_CASE("registration: broker epoch is the offset of the RegisterBrokerRecord", "[controller]") {
    Host h;
    auto r0 = h.register_broker(0, at_ms(0));
    auto r1 = h.register_broker(1, at_ms(0));
    CHECK(r0.correlation_id == 100);
    CHECK(r0.error == Error::none);
    CHECK(r0.broker_epoch == 1);  // offset 0 holds the LeaderChangeMessage
    CHECK(r1.broker_epoch == 2);
    REQUIRE(h.image().broker(0) != nullptr);
    CHECK(h.image().broker(0)->fenced);
    CHECK_FALSE(h.image().is_unfenced(0));

    SECTION("a broker stays fenced until its metadata offset reaches its registration") {
        std::vector<MetadataRecord> recs;
        auto hb = h.heartbeat(1, at_ms(100), false, &recs, /*metadata_offset=*/1);
        CHECK(hb.error == Error::none);
        CHECK(hb.is_fenced);
        CHECK_FALSE(hb.is_caught_up);
        CHECK(recs.empty());
        hb = h.heartbeat(1, at_ms(200), false, &recs, /*metadata_offset=*/2);
        CHECK_FALSE(hb.is_fenced);
        CHECK(hb.is_caught_up);
        REQUIRE(recs.size() == 1);
        CHECK(std::get<UnfenceBrokerRecord>(recs[0]).broker_id == 1);
        CHECK(h.image().is_unfenced(1));
        CHECK_FALSE(h.image().is_unfenced(0));
    }
    SECTION("unknown broker and stale epochs are refused") {
        BrokerHeartbeatRequest req;
        req.broker_id = 9;
        auto resp = std::get<BrokerHeartbeatResponse>(h.qc.handle_broker_heartbeat(req, h.next_offset, at_ms(1)).response);
        CHECK(resp.error == Error::broker_id_not_registered);
        req.broker_id = 0;
        req.broker_epoch = 2;
        auto res = h.qc.handle_broker_heartbeat(req, h.next_offset, at_ms(1));
        CHECK(res.records.empty());
        CHECK(std::get<BrokerHeartbeatResponse>(res.response).error == Error::stale_broker_epoch);
    }
    SECTION("re-registration replaces the old incarnation with a new epoch once its session expired") {
        h.start_brokers(2, at_ms(0));  // registers both again, then unfences
        CHECK(h.epoch(0) == 3);
        CHECK(h.epoch(1) == 4);
        // ClusterControlManager.registerBroker: another incarnation is refused while the old
        // one's session is valid (heard from within broker.session.timeout.ms).
        auto refused = h.qc.handle_broker_registration(BrokerRegistrationRequest{5, 0, 2, -1}, h.next_offset, at_ms(500));
        CHECK(refused.records.empty());
        CHECK(std::get<BrokerRegistrationResponse>(refused.response).error == Error::duplicate_broker_registration);
        CHECK(h.qc.has_valid_session(0, at_ms(9000)));
        CHECK_FALSE(h.qc.has_valid_session(0, at_ms(9001)));
        auto again = h.register_broker(0, at_ms(9001), /*incarnation=*/2);
        CHECK(again.error == Error::none);
        CHECK(again.broker_epoch == h.next_offset - 1);
        CHECK(h.image().broker(0)->fenced);
        CHECK(h.image().broker(0)->incarnation_id == 2);
        BrokerHeartbeatRequest old;
        old.broker_id = 0;
        old.broker_epoch = 3;
        CHECK(std::get<BrokerHeartbeatResponse>(h.qc.handle_broker_heartbeat(old, h.next_offset, at_ms(600)).response)
                  .error == Error::stale_broker_epoch);
    }
}

TEST_CASE("create topics: placement, ids, configs, errors", "[controller]") {
    const uint64_t seed = 1234;
    Host h(BrokerConfig{}, seed);
    h.start_brokers(5, at_ms(0));

    auto t1 = h.create_topic("orders", 10, 3);
    CHECK(t1.error == Error::none);
    CHECK(t1.topic_id == 1);
    sim::Rng rng(seed);
    auto expected = assign_replicas({0, 1, 2, 3, 4}, 10, 3, rng);
    const TopicImage* topic = h.image().topic("orders");
    REQUIRE(topic != nullptr);
    CHECK(topic->id == 1);
    REQUIRE(topic->partitions.size() == 10);
    for (int p = 0; p < 10; ++p) {
        const PartitionState& s = topic->partitions[static_cast<size_t>(p)];
        CHECK(s.tp == TopicPartition{1, p});
        CHECK(s.replicas == expected[static_cast<size_t>(p)]);
        CHECK(s.isr == s.replicas);
        CHECK(s.leader == s.replicas[0]);
        CHECK(s.leader_epoch == 0);
        CHECK(s.partition_epoch == 0);
    }
    // The second topic uses the next draws of the same stream.
    auto t2 = h.create_topic("audit", 4, 2, {}, ConfigMap{{"min.insync.replicas", int64_t{2}}});
    CHECK(t2.topic_id == 2);
    auto expected2 = assign_replicas({0, 1, 2, 3, 4}, 4, 2, rng);
    for (int p = 0; p < 4; ++p) CHECK(h.partition(2, p).replicas == expected2[static_cast<size_t>(p)]);
    CHECK(std::get<int64_t>(h.image().topic(2)->configs.at("min.insync.replicas")) == 2);

    CHECK(h.create_topic("orders", 1, 1).error == Error::topic_already_exists);
    CHECK(h.create_topic("wide", 1, 6).error == Error::invalid_replication_factor);
    CHECK(h.create_topic("none", 1, 0).error == Error::invalid_replication_factor);
    CHECK(h.image().topic("wide") == nullptr);

    auto manual = h.create_topic("manual", 1, 1, {{3, 1}, {1, 4}});
    CHECK(manual.error == Error::none);
    CHECK(manual.topic_id == 3);
    CHECK(h.partition(3, 1).replicas == Replicas{1, 4});
    CHECK(h.partition(3, 0).leader == 3);
    CHECK(h.create_topic("bad", 1, 1, {{1, 1}}).error == Error::invalid_request);
    CHECK(h.create_topic("ghost", 1, 1, {{9}}).error == Error::invalid_request);

    SECTION("rf above the unfenced brokers is refused") {
        Host small;
        small.start_brokers(2, at_ms(0));
        small.register_broker(2, at_ms(0));  // registered but fenced
        CHECK(small.create_topic("t", 3, 3).error == Error::invalid_replication_factor);
        CHECK(small.create_topic("t", 3, 2).error == Error::none);
    }
}

TEST_CASE("a silent broker is fenced after broker.session.timeout.ms, leaders move within the ISR", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 3, 3, {{0, 1, 2}, {1, 0, 2}, {2, 1, 0}});
    // Brokers 1 and 2 keep heart-beating; broker 0 goes silent after t=0.
    for (int64_t ms = 2000; ms <= 9000; ms += 2000) {
        h.heartbeat(1, at_ms(ms));
        h.heartbeat(2, at_ms(ms));
        CHECK(h.tick(at_ms(ms)).empty());
    }
    CHECK(h.tick(at_ms(9000)).empty());  // exactly the timeout: still valid
    auto recs = h.tick(at_ms(9001));
    auto fences = records_of<FenceBrokerRecord>(recs);
    REQUIRE(fences.size() == 1);
    CHECK(fences[0].broker_id == 0);
    CHECK(std::holds_alternative<FenceBrokerRecord>(recs.back()));  // partitions first, as Kafka writes them
    CHECK(records_of<PartitionChangeRecord>(recs).size() == 3);
    CHECK_FALSE(h.image().is_unfenced(0));

    const PartitionState& p0 = h.partition(1, 0);  // led by 0: first replica in order that is alive and in ISR
    CHECK(p0.leader == 1);
    CHECK(p0.leader_epoch == 1);
    CHECK(p0.partition_epoch == 1);
    CHECK(p0.isr == Replicas{1, 2});
    const PartitionState& p1 = h.partition(1, 1);  // 0 was a follower: ISR shrinks, leader epoch unchanged
    CHECK(p1.leader == 1);
    CHECK(p1.leader_epoch == 0);
    CHECK(p1.partition_epoch == 1);
    CHECK(p1.isr == Replicas{1, 2});
    CHECK(h.partition(1, 2).isr == Replicas{2, 1});
    CHECK(h.tick(at_ms(9500)).empty());
    CHECK(h.image().partitions_led_by(0) == 0);
    CHECK(h.image().partitions_led_by(1) == 2);

    SECTION("the fenced broker returns: unfenced, but not back in the ISR") {
        auto hb = h.heartbeat(0, at_ms(10000));
        CHECK_FALSE(hb.is_fenced);
        CHECK(h.partition(1, 0).isr == Replicas{1, 2});
        CHECK(h.partition(1, 0).leader == 1);
    }
}

TEST_CASE("a restarted broker is refused while its old session is valid (DUPLICATE_BROKER_REGISTRATION)",
          "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 2, 2, {{0, 1}, {2, 0}});
    h.heartbeat(0, at_ms(2000));  // its last heartbeat; it crashes and restarts 2 s later
    BrokerRegistrationRequest req;
    req.broker_id = 0;
    req.incarnation_id = 2;
    for (int64_t ms : {4000, 6000, 11000}) {
        h.heartbeat(1, at_ms(ms));
        h.heartbeat(2, at_ms(ms));
        CHECK(h.tick(at_ms(ms)).empty());
        auto res = h.qc.handle_broker_registration(req, h.next_offset, at_ms(ms));
        CHECK(res.records.empty());
        CHECK(std::get<BrokerRegistrationResponse>(res.response).error == Error::duplicate_broker_registration);
        CHECK(h.partition(1, 0).leader == 0);  // its leaderships stay put
    }
    // The old session expires at 2000 + broker.session.timeout.ms: fenced, leadership moves.
    auto fenced = h.tick(at_ms(11001));
    CHECK(records_of<FenceBrokerRecord>(fenced).size() == 1);
    CHECK(h.partition(1, 0).leader == 1);
    auto resp = h.run<BrokerRegistrationResponse>(h.qc.handle_broker_registration(req, h.next_offset, at_ms(11100)));
    CHECK(resp.error == Error::none);
    CHECK(h.image().broker(0)->incarnation_id == 2);

    SECTION("the same incarnation may register again (a retried request)") {
        auto same = h.qc.handle_broker_registration(req, h.next_offset, at_ms(11200));
        CHECK(std::get<BrokerRegistrationResponse>(same.response).error == Error::none);
    }
}

TEST_CASE("a restarted broker that re-registers leaves its leaderships and ISRs first", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 2, 2, {{0, 1}, {2, 0}});
    const int64_t first = h.next_offset;
    BrokerRegistrationRequest req;
    req.broker_id = 0;
    req.incarnation_id = 2;
    // After broker.session.timeout.ms without a heartbeat, before a tick fenced it.
    auto res = h.qc.handle_broker_registration(req, first, at_ms(9001));
    REQUIRE(res.records.size() == 3);
    CHECK(std::holds_alternative<PartitionChangeRecord>(res.records[0]));
    CHECK(std::holds_alternative<PartitionChangeRecord>(res.records[1]));
    CHECK(std::get<RegisterBrokerRecord>(res.records[2]).broker_epoch == first + 2);
    auto resp = h.run<BrokerRegistrationResponse>(res);
    CHECK(resp.broker_epoch == first + 2);
    CHECK(h.partition(1, 0).leader == 1);
    CHECK(h.partition(1, 0).isr == Replicas{1});
    CHECK(h.partition(1, 1).leader == 2);
    CHECK(h.partition(1, 1).isr == Replicas{2});
    CHECK(h.image().broker(0)->fenced);
}

TEST_CASE("no live ISR member: leader -1, the ISR keeps its last member, it leads again when back", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 1, 2, {{0, 1}});
    SECTION("one after the other") {
        h.heartbeat(1, at_ms(5000));
        h.heartbeat(2, at_ms(5000));
        h.tick(at_ms(9001));  // fences 0
        CHECK(h.partition(1, 0).leader == 1);
        CHECK(h.partition(1, 0).isr == Replicas{1});
        h.heartbeat(0, at_ms(9500));  // 0 is back, unfenced, but out of the ISR
        h.heartbeat(2, at_ms(9500));
        auto recs = h.tick(at_ms(14001));  // fences 1, the last ISR member
        CHECK(records_of<FenceBrokerRecord>(recs).size() == 1);
        const PartitionState& p = h.partition(1, 0);
        CHECK(p.leader == no_leader);
        CHECK(p.leader_epoch == 2);
        CHECK(p.isr == Replicas{1});
        CHECK(h.image().offline_partition_count() == 1);
        // 0 heart-beats on: it is not in the ISR, unclean election is off: still offline.
        h.heartbeat(0, at_ms(15000));
        CHECK(h.tick(at_ms(15000)).empty());
        CHECK(h.partition(1, 0).leader == no_leader);
        // 1 comes back: clean election.
        std::vector<MetadataRecord> back;
        auto hb = h.heartbeat(1, at_ms(16000), false, &back);
        CHECK_FALSE(hb.is_fenced);
        REQUIRE(back.size() == 2);
        CHECK(std::holds_alternative<UnfenceBrokerRecord>(back[0]));
        CHECK(h.partition(1, 0).leader == 1);
        CHECK(h.partition(1, 0).leader_epoch == 3);
        CHECK_FALSE(h.partition(1, 0).leader_recovering);
        CHECK(h.image().offline_partition_count() == 0);
    }
    SECTION("both at once: the ISR keeps the one fenced last") {
        h.heartbeat(0, at_ms(1000));  // 1 silent since 0, 0 since 1000: 1 is fenced first
        h.heartbeat(2, at_ms(9000));
        auto recs = h.tick(at_ms(10500));
        auto fences = records_of<FenceBrokerRecord>(recs);
        REQUIRE(fences.size() == 2);
        CHECK(fences[0].broker_id == 1);
        CHECK(fences[1].broker_id == 0);
        REQUIRE(records_of<PartitionChangeRecord>(recs).size() == 1);
        CHECK(h.partition(1, 0).leader == no_leader);
        CHECK(h.partition(1, 0).leader_epoch == 1);
        CHECK(h.partition(1, 0).isr == Replicas{0});
    }
}

TEST_CASE("unclean leader election when the topic enables it", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("clean", 1, 2, {{0, 1}});
    h.create_topic("dirty", 1, 2, {{0, 1}}, ConfigMap{{"unclean.leader.election.enable", true}});
    CHECK_FALSE(h.qc.unclean_election_enabled(*h.image().topic("clean")));
    CHECK(h.qc.unclean_election_enabled(*h.image().topic("dirty")));
    // The leaders drop 1 from the ISR (it lags), then 0 dies.
    CHECK(h.alter_partition(0, {1, 0}, {0}).error == Error::none);
    CHECK(h.alter_partition(0, {2, 0}, {0}).error == Error::none);
    h.heartbeat(1, at_ms(8000));
    h.heartbeat(2, at_ms(8000));
    auto recs = h.tick(at_ms(9001));
    CHECK(records_of<PartitionChangeRecord>(recs).size() == 2);

    const PartitionState& clean = h.partition(1, 0);
    CHECK(clean.leader == no_leader);
    CHECK(clean.isr == Replicas{0});
    CHECK_FALSE(clean.leader_recovering);

    const PartitionState& dirty = h.partition(2, 0);
    CHECK(dirty.leader == 1);
    CHECK(dirty.isr == Replicas{1});
    CHECK(dirty.leader_epoch == 1);
    CHECK(dirty.leader_recovering);
    // The new leader's first AlterPartition marks the recovery done (KIP-704).
    std::vector<MetadataRecord> ap;
    auto resp = h.alter_partition(1, {2, 0}, {1}, &ap);
    CHECK(resp.error == Error::none);
    CHECK(ap.size() == 1);
    CHECK_FALSE(h.partition(2, 0).leader_recovering);

    SECTION("an offline partition is elected uncleanly when a replica comes back") {
        Host u;
        u.start_brokers(2, at_ms(0));
        u.create_topic("dirty", 1, 2, {{0, 1}}, ConfigMap{{"unclean.leader.election.enable", "true"}});
        u.alter_partition(0, {1, 0}, {0});
        u.heartbeat(0, at_ms(5000));
        u.tick(at_ms(9001));  // 1 fenced (not in ISR: nothing to change)
        CHECK(u.partition(1, 0).leader == 0);
        u.tick(at_ms(14001));  // 0 fenced: no replica alive at all
        CHECK(u.partition(1, 0).leader == no_leader);
        CHECK(u.partition(1, 0).isr == Replicas{0});
        u.heartbeat(1, at_ms(15000));  // 1 is back: unclean election on unfence
        CHECK(u.partition(1, 0).leader == 1);
        CHECK(u.partition(1, 0).isr == Replicas{1});
        CHECK(u.partition(1, 0).leader_recovering);
    }
}

TEST_CASE("AlterPartition: accepted and rejected", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 1, 3, {{0, 1, 2}});
    const TopicPartition tp{1, 0};

    std::vector<MetadataRecord> recs;
    auto shrink = h.alter_partition(0, tp, {0, 1}, &recs);
    CHECK(shrink.correlation_id == 11);
    CHECK(shrink.error == Error::none);
    CHECK(shrink.tp == tp);
    CHECK(shrink.leader == 0);
    CHECK(shrink.leader_epoch == 0);
    CHECK(shrink.partition_epoch == 1);
    CHECK(shrink.isr == Replicas{0, 1});
    REQUIRE(recs.size() == 1);
    CHECK(std::get<PartitionChangeRecord>(recs[0]).has_isr);
    CHECK_FALSE(std::get<PartitionChangeRecord>(recs[0]).has_leader);
    // The image agrees with the response after replay.
    CHECK(h.partition(1, 0).partition_epoch == 1);
    CHECK(h.partition(1, 0).leader_epoch == 0);
    CHECK(h.partition(1, 0).isr == Replicas{0, 1});

    auto request = [&](BrokerId broker, int32_t leader_epoch, int32_t partition_epoch, Replicas isr) {
        AlterPartitionRequest req;
        req.broker_id = broker;
        req.broker_epoch = h.epoch(broker);
        req.tp = tp;
        req.leader_epoch = leader_epoch;
        req.partition_epoch = partition_epoch;
        req.new_isr = std::move(isr);
        return req;
    };
    auto error_of = [&](const AlterPartitionRequest& req) {
        auto res = h.qc.handle_alter_partition(req, h.next_offset, Time{});  // not appended
        const Error e = std::get<AlterPartitionResponse>(res.response).error;
        CHECK(res.records.empty() == (e != Error::none));
        return e;
    };
    CHECK(error_of(request(0, 0, 0, {0, 1, 2})) == Error::invalid_update_version);  // stale partition epoch
    CHECK(error_of(request(1, 0, 1, {0, 1, 2})) == Error::not_leader_or_follower);
    auto stale_broker = request(0, 0, 1, {0, 1, 2});
    stale_broker.broker_epoch -= 1;
    CHECK(error_of(stale_broker) == Error::stale_broker_epoch);
    CHECK(error_of(request(0, 0, 1, {1, 2})) == Error::invalid_request);  // the leader left out
    CHECK(error_of(request(0, 0, 1, {0, 7})) == Error::invalid_request);  // not a replica
    CHECK(error_of(request(0, 0, 1, {0, 1, 2})) == Error::none);         // would be accepted

    // Broker 2 is fenced (asks to be): it may not join the ISR.
    BrokerHeartbeatRequest fence;
    fence.broker_id = 2;
    fence.broker_epoch = h.epoch(2);
    fence.current_metadata_offset = h.image().last_offset();
    fence.want_fence = true;
    auto fenced = h.run<BrokerHeartbeatResponse>(h.qc.handle_broker_heartbeat(fence, h.next_offset, at_ms(1)));
    CHECK(fenced.is_fenced);
    CHECK_FALSE(h.image().is_unfenced(2));
    CHECK(error_of(request(0, 0, 1, {0, 1, 2})) == Error::ineligible_replica);

    // Leadership moves: the old leader's epoch is fenced.
    h.heartbeat(1, at_ms(8000));
    h.tick(at_ms(9001));  // 0 fenced, 1 leads with leader epoch 1
    CHECK(h.partition(1, 0).leader == 1);
    CHECK(h.partition(1, 0).leader_epoch == 1);
    auto old_leader = request(1, 0, h.partition(1, 0).partition_epoch, {1});
    CHECK(error_of(old_leader) == Error::fenced_leader_epoch);
    // 2 is back: the new leader adds it.
    h.heartbeat(2, at_ms(9100));
    auto expand = h.alter_partition(1, tp, {1, 2});
    CHECK(expand.error == Error::none);
    CHECK(h.partition(1, 0).isr == Replicas{1, 2});
    CHECK(expand.partition_epoch == h.partition(1, 0).partition_epoch);
    // Same ISR again: nothing to write, the current state comes back.
    std::vector<MetadataRecord> none;
    auto same = h.alter_partition(1, tp, {1, 2}, &none);
    CHECK(same.error == Error::none);
    CHECK(none.empty());
    CHECK(same.partition_epoch == h.partition(1, 0).partition_epoch);
}

TEST_CASE("controlled shutdown moves leadership away before the broker may stop", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 3, 3, {{0, 1, 2}, {1, 0, 2}, {2, 0, 1}});
    h.create_topic("single", 1, 1, {{0}});

    std::vector<MetadataRecord> recs;
    auto first = h.heartbeat(0, at_ms(1000), /*want_shut_down=*/true, &recs);
    CHECK_FALSE(first.should_shut_down);
    CHECK_FALSE(first.is_fenced);
    REQUIRE_FALSE(recs.empty());
    CHECK(std::get<BrokerRegistrationChangeRecord>(recs[0]).in_controlled_shutdown);
    CHECK(h.image().broker(0)->in_controlled_shutdown);
    CHECK_FALSE(h.image().is_active(0));
    CHECK(h.image().partitions_led_by(0) == 0);
    CHECK(h.partition(1, 0).leader == 1);
    CHECK(h.partition(1, 0).leader_epoch == 1);
    CHECK(h.partition(1, 0).isr == Replicas{1, 2});
    CHECK(h.partition(1, 1).isr == Replicas{1, 2});
    CHECK(h.partition(1, 2).isr == Replicas{2, 1});
    // The only replica of "single": no one else can lead it, and its ISR is never emptied.
    CHECK(h.partition(2, 0).leader == no_leader);
    CHECK(h.partition(2, 0).isr == Replicas{0});

    // The others have not yet seen the new leaders: wait.
    auto second = h.heartbeat(0, at_ms(1500), true, &recs);
    CHECK_FALSE(second.should_shut_down);
    CHECK(recs.empty());
    h.heartbeat(1, at_ms(1600));
    h.heartbeat(2, at_ms(1600));
    auto third = h.heartbeat(0, at_ms(2000), true, &recs);
    CHECK(third.should_shut_down);
    CHECK(third.is_fenced);
    REQUIRE(recs.size() == 1);
    CHECK(std::get<FenceBrokerRecord>(recs[0]).broker_id == 0);
    CHECK_FALSE(h.image().is_unfenced(0));

    SECTION("a broker that leads nothing may stop at once") {
        std::vector<MetadataRecord> r2;
        auto hb = h.heartbeat(2, at_ms(2500), true, &r2);
        CHECK(h.partition(1, 2).leader == 1);  // 2 led partition 2: not "leads nothing"
        CHECK_FALSE(hb.should_shut_down);
        Host g;
        g.start_brokers(2, at_ms(0));
        g.create_topic("t", 1, 2, {{0, 1}});
        std::vector<MetadataRecord> r3;
        auto follower = g.heartbeat(1, at_ms(100), true, &r3);
        CHECK(follower.should_shut_down);
        CHECK(g.partition(1, 0).isr == Replicas{0});
        CHECK_FALSE(g.image().is_unfenced(1));
    }
    SECTION("a fenced broker that wants to shut down may") {
        auto again = h.heartbeat(0, at_ms(3000), true, &recs);
        CHECK(again.should_shut_down);
        CHECK(recs.empty());
    }
}

namespace {
// Everything the image holds, as text, for comparing two images.
std::string dump(const MetadataImage& img) {
    std::string out = "offset " + std::to_string(img.last_offset()) + "\n";
    for (const auto& [id, b] : img.brokers())
        out += "broker " + std::to_string(id) + " epoch " + std::to_string(b.epoch) + (b.fenced ? " fenced" : "") +
               (b.in_controlled_shutdown ? " cs" : "") + "\n";
    for (const auto& [id, t] : img.topics()) {
        out += "topic " + t.name + " " + std::to_string(id) + "\n";
        for (const auto& p : t.partitions)
            out += std::to_string(p.tp.partition) + " r" + format_broker_list(p.replicas) + " i" +
                   format_broker_list(p.isr) + " l" + std::to_string(p.leader) + " e" +
                   std::to_string(p.leader_epoch) + " pe" + std::to_string(p.partition_epoch) + "\n";
    }
    return out;
}
}  // namespace

TEST_CASE("sessions are volatile, replaying the log rebuilds the same image", "[controller]") {
    Host h;
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 6, 3);
    h.heartbeat(1, at_ms(5000));
    h.heartbeat(2, at_ms(5000));

    // Same seed, same calls: the same records.
    Host twin;
    twin.start_brokers(3, at_ms(0));
    twin.create_topic("t", 6, 3);
    twin.heartbeat(1, at_ms(5000));
    twin.heartbeat(2, at_ms(5000));
    CHECK(twin.log == h.log);

    // Another controller replays the log (after a reset) and holds the same image.
    QuorumController standby(BrokerConfig{}, 99);
    standby.replay(0, NoOpRecord{});
    standby.reset();
    for (size_t i = 0; i < h.entries.size(); ++i) standby.replay(static_cast<int64_t>(i), h.entries[i]);
    CHECK(dump(standby.image()) == dump(h.image()));

    // Becoming active gives every broker a fresh session.
    h.qc.on_become_active(at_ms(8000));
    CHECK(h.qc.last_heartbeat(0) == at_ms(8000));
    CHECK(h.tick(at_ms(9001)).empty());  // broker 0 would have expired at 9001 without it
    auto recs = h.tick(at_ms(17001));
    CHECK(records_of<FenceBrokerRecord>(recs).size() == 3);
    CHECK(h.image().offline_partition_count() == 6);

    CHECK(h.qc.describe_change(PartitionChangeRecord{1, 0, true, 2, false, {}, false, false, {}, false, {}, false, {}, {}, {}}) ==
          "PartitionChangeRecord(t-0 leader=2)");
}

TEST_CASE("eligible leader replicas (KIP-966): the last replica standing is not re-elected after an unclean shutdown",
          "[controller][elr]") {
    BrokerConfig config;
    config.eligible_leader_replicas_version = GENERATE(0, 1);
    const bool elr = config.eligible_leader_replicas_version == 1;
    INFO("eligible.leader.replicas.version=" << config.eligible_leader_replicas_version);
    Host h(config);
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 1, 3, {{0, 1, 2}}, ConfigMap{{"min.insync.replicas", int64_t{2}}});
    h.heartbeat(0, at_ms(5000));
    h.heartbeat(1, at_ms(5000));
    h.tick(at_ms(9001));  // 2 fenced: the ISR keeps min.insync.replicas, no ELR
    CHECK(h.partition(1, 0).isr == Replicas{0, 1});
    CHECK(h.partition(1, 0).elr.empty());
    h.heartbeat(0, at_ms(9500));
    h.tick(at_ms(14001));  // 1 fenced: the ISR drops below min.insync.replicas
    CHECK(h.partition(1, 0).isr == Replicas{0});
    CHECK(h.partition(1, 0).elr == (elr ? Replicas{1} : Replicas{}));
    h.tick(at_ms(18501));  // 0, the leader and last ISR member, fenced
    CHECK(h.partition(1, 0).leader == no_leader);
    CHECK(h.partition(1, 0).isr == (elr ? Replicas{} : Replicas{0}));
    CHECK(h.partition(1, 0).elr == (elr ? Replicas{0, 1} : Replicas{}));

    SECTION("0 comes back from an unclean shutdown") {
        BrokerRegistrationRequest req;
        req.broker_id = 0;
        req.incarnation_id = 2;
        req.previous_broker_epoch = -1;  // no clean-shutdown file
        h.run<BrokerRegistrationResponse>(h.qc.handle_broker_registration(req, h.next_offset, at_ms(20000)));
        if (elr) {
            CHECK(h.partition(1, 0).elr == Replicas{1});
            CHECK(h.partition(1, 0).last_known_elr == Replicas{0});
        }
        h.heartbeat(0, at_ms(20100));
        if (!elr) {
            // Without ELR it is the ISR's last member: it leads again, with whatever its log kept.
            CHECK(h.partition(1, 0).leader == 0);
            return;
        }
        CHECK(h.partition(1, 0).leader == no_leader);  // 1, the only eligible leader, is fenced
        h.heartbeat(1, at_ms(21000));
        CHECK(h.partition(1, 0).leader == 1);
        CHECK(h.partition(1, 0).isr == Replicas{1});
        CHECK(h.partition(1, 0).elr.empty());
        CHECK(h.partition(1, 0).last_known_elr == Replicas{0});
    }
    SECTION("0 comes back from a clean shutdown: it keeps its place in the ELR") {
        if (!elr) return;
        BrokerRegistrationRequest req;
        req.broker_id = 0;
        req.incarnation_id = 2;
        req.previous_broker_epoch = h.epoch(0);
        h.run<BrokerRegistrationResponse>(h.qc.handle_broker_registration(req, h.next_offset, at_ms(20000)));
        CHECK(h.partition(1, 0).elr == Replicas{0, 1});
        h.heartbeat(0, at_ms(20100));
        CHECK(h.partition(1, 0).leader == 0);
        CHECK(h.partition(1, 0).isr == Replicas{0});
        CHECK(h.partition(1, 0).elr == Replicas{1});
    }
}

TEST_CASE("eligible leader replicas (KIP-966): AlterPartition shrinks feed the ELR, reaching min ISR clears it",
          "[controller][elr]") {
    BrokerConfig config;
    config.eligible_leader_replicas_version = 1;
    Host h(config);
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 1, 3, {{0, 1, 2}}, ConfigMap{{"min.insync.replicas", int64_t{2}}});
    auto alter = [&](Replicas isr) {
        const PartitionState& p = h.partition(1, 0);
        AlterPartitionRequest req;
        req.broker_id = 0;
        req.broker_epoch = h.epoch(0);
        req.tp = p.tp;
        req.leader_epoch = p.leader_epoch;
        req.partition_epoch = p.partition_epoch;
        req.new_isr = std::move(isr);
        return h.run<AlterPartitionResponse>(h.qc.handle_alter_partition(req, h.next_offset, at_ms(1000)));
    };
    CHECK(alter({0, 1}).error == Error::none);
    CHECK(h.partition(1, 0).elr.empty());
    CHECK(alter({0}).error == Error::none);
    CHECK(h.partition(1, 0).elr == Replicas{1});
    CHECK(h.partition(1, 0).last_known_elr.empty());
    CHECK(alter({0, 2}).error == Error::none);
    CHECK(h.partition(1, 0).elr.empty());
}

TEST_CASE("auto leader rebalance: the preferred replica leads again once it is back in the ISR", "[controller][rebalance]") {
    BrokerConfig config;
    config.auto_leader_rebalance_enable = GENERATE(true, false);
    config.leader_imbalance_check_interval_seconds = 300;
    INFO("auto.leader.rebalance.enable=" << config.auto_leader_rebalance_enable);
    Host h(config);
    h.start_brokers(3, at_ms(0));
    h.create_topic("t", 2, 3, {{0, 1, 2}, {1, 2, 0}});
    CHECK(h.append(h.qc.balance_partition_leaders(at_ms(0))).empty());  // balanced: nothing scheduled
    // Broker 0 goes silent and is fenced: 1 leads t-0.
    h.heartbeat(1, at_ms(5000));
    h.heartbeat(2, at_ms(5000));
    h.tick(at_ms(9001));
    REQUIRE(h.partition(1, 0).leader == 1);
    // The imbalance is seen now: a check is due leader.imbalance.check.interval.seconds later.
    CHECK(h.append(h.qc.balance_partition_leaders(at_ms(9001))).empty());
    // 0 comes back and rejoins the ISR of t-0.
    h.heartbeat(0, at_ms(10000));
    h.heartbeat(1, at_ms(10000));
    h.heartbeat(2, at_ms(10000));
    REQUIRE(h.alter_partition(1, {1, 0}, {1, 2, 0}).error == Error::none);
    CHECK(h.append(h.qc.balance_partition_leaders(at_ms(309000))).empty());  // not yet due
    auto recs = h.append(h.qc.balance_partition_leaders(at_ms(309001)));
    if (!config.auto_leader_rebalance_enable) {
        CHECK(recs.empty());
        CHECK(h.partition(1, 0).leader == 1);
        return;
    }
    REQUIRE(recs.size() == 1);
    const auto& change = std::get<PartitionChangeRecord>(recs[0]);
    CHECK(change.has_leader);
    CHECK(change.leader == 0);
    CHECK_FALSE(change.has_isr);
    CHECK(h.partition(1, 0).leader == 0);
    CHECK(h.partition(1, 0).leader_epoch == 2);
    CHECK(h.partition(1, 0).isr == Replicas{1, 2, 0});
    CHECK(h.partition(1, 1).leader == 1);  // it was led by its preferred replica all along
    CHECK(h.append(h.qc.balance_partition_leaders(at_ms(400000))).empty());  // balanced again
}
