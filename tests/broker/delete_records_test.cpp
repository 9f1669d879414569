// DeleteRecords (KIP-107) on the ReplicaManager alone: broker 1 leads orders-0 (replicas 1, 2);
// broker 2 is an inbox node whose fetches the test writes by hand, with the log start offset
// they carry. The network has no latency, so a request and its answer happen at the instant
// it is sent.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "broker/replica/replica_manager.hpp"
#include "event_helpers.hpp"

namespace {

using kafka::BrokerId;
using kafka::DeleteRecordsRequest;
using kafka::DeleteRecordsResponse;
using kafka::Error;
using kafka::FetchRequest;
using kafka::FetchResponse;
using kafka::TopicPartition;

const TopicPartition dr_orders0{1, 0};
const TopicPartition dr_compacted0{2, 0};  // cleanup.policy=compact
const TopicPartition dr_followed0{3, 0};   // led by broker 2
const TopicPartition dr_unknown0{9, 0};    // no such topic

struct DrBroker : kafka::Node, kafka::ReplicaManager::Host {
    kafka::BrokerConfig config;
    kafka::MetadataImage image;
    kafka::CorrelationIds correlation_ids;
    kafka::ReplicaManager replicas;

    explicit DrBroker(const kafka::ClusterDirectory& directory)
        : replicas(1, config, directory, image, correlation_ids, *this) {
        config.transaction_partition_verification_enable = false;
    }

    void on_start(kafka::Context& ctx) override { replicas.start(ctx); }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        std::visit(
            [&](auto& m) {
                using T = std::decay_t<decltype(m)>;
                if constexpr (kafka::ReplicaManager::handles<T>) replicas.handle(from, m, ctx);
            },
            msg);
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override { replicas.on_timer(tag, ctx); }
    void request_isr_change(kafka::Partition&, std::vector<BrokerId>, const char*, kafka::Context&) override {}
    int64_t broker_epoch() const override { return 7; }
    void on_election(const kafka::Partition&, kafka::Context&) override {}
    void on_resignation(const std::string&, int32_t, kafka::Context&) override {}
    void on_high_watermark(const kafka::Partition&, kafka::Context&) override {}
};

struct DrInbox : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

struct DrRig {
    kafka::ClusterDirectory directory;
    kafka::World world{42, sim::NetworkOptions{sim::milliseconds(0), sim::milliseconds(0), {}}};
    sim::NodeId leader_node = sim::no_node, follower_node = sim::no_node, client_node = sim::no_node;
    int32_t next_correlation = 1;
    int64_t image_offset = 0;

    // segment_bytes > 0: orders-0 rolls its segments at that size (segment.bytes).
    explicit DrRig(int64_t segment_bytes = 0) {
        leader_node = world.add_node("broker:1", [this] { return std::make_unique<DrBroker>(directory); });
        follower_node = world.add_node("broker:2", [] { return std::make_unique<DrInbox>(); });
        client_node = world.add_node("client", [] { return std::make_unique<DrInbox>(); });
        directory.brokers = {{1, leader_node}, {2, follower_node}};
        for (sim::NodeId n : {leader_node, follower_node, client_node}) world.start(n);
        apply(kafka::RegisterBrokerRecord{1, 0, 0, false});
        apply(kafka::RegisterBrokerRecord{2, 1, 0, false});
        apply(kafka::TopicRecord{"orders", dr_orders0.topic_id});
        if (segment_bytes > 0)
            apply(kafka::ConfigRecord{dr_orders0.topic_id, "segment.bytes", kafka::ConfigValue{segment_bytes}, false});
        apply(kafka::PartitionRecord{dr_orders0.topic_id, 0, {1, 2}, {1, 2}, 1, 0, 0, {}, {}});
        apply(kafka::TopicRecord{"ledger", dr_compacted0.topic_id});
        apply(kafka::ConfigRecord{dr_compacted0.topic_id, "cleanup.policy", kafka::ConfigValue{std::string("compact")},
                                  false});
        apply(kafka::PartitionRecord{dr_compacted0.topic_id, 0, {1, 2}, {1, 2}, 1, 0, 0, {}, {}});
        apply(kafka::TopicRecord{"payments", dr_followed0.topic_id});
        apply(kafka::PartitionRecord{dr_followed0.topic_id, 0, {2, 1}, {2, 1}, 2, 0, 0, {}, {}});
        reconcile({dr_orders0, dr_compacted0, dr_followed0});
    }

    template <class Record>
    void apply(Record r) {
        broker().image.apply(image_offset++, kafka::MetadataRecord{std::move(r)});
    }
    void reconcile(const std::vector<TopicPartition>& tps) {
        kafka::Context ctx(world, leader_node);
        broker().replicas.reconcile(tps, ctx);
        settle();
    }
    DrBroker& broker() { return *world.node_as<DrBroker>(leader_node); }
    const kafka::Partition& orders() { return *broker().replicas.partition(dr_orders0); }
    std::vector<kafka::Message>& inbox(sim::NodeId n) { return world.node_as<DrInbox>(n)->inbox; }
    void settle() { world.run_until(world.now()); }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }

    // One acks=1 batch of `records` records per call.
    void produce(int32_t records, TopicPartition tp = dr_orders0) {
        kafka::ProduceRequest req;
        req.correlation_id = next_correlation++;
        req.acks = 1;
        kafka::RecordBatch batch;
        batch.record_count = records;
        batch.size_bytes = kafka::record_batch_overhead_bytes + 10 * records;
        req.partitions.push_back({tp, batch});
        kafka::Context(world, client_node).send(leader_node, std::move(req));
        settle();
    }
    // Broker 2's fetch from `offset` (its log end), saying its log start offset is `log_start`.
    void follower_fetch(int64_t offset, int64_t log_start, TopicPartition tp = dr_orders0) {
        FetchRequest req;
        req.correlation_id = next_correlation++;
        req.replica_id = 2;
        req.max_wait_ms = 0;
        req.partitions.push_back({tp, 0, offset, offset == 0 ? -1 : 0, log_start, 1048576});
        kafka::Context(world, follower_node).send(leader_node, std::move(req));
        settle();
    }
    int32_t delete_records(std::vector<DeleteRecordsRequest::PartitionData> parts, int32_t timeout_ms = 30000) {
        DeleteRecordsRequest req;
        req.correlation_id = next_correlation++;
        req.partitions = std::move(parts);
        req.timeout_ms = timeout_ms;
        const int32_t id = req.correlation_id;
        kafka::Context(world, client_node).send(leader_node, std::move(req));
        settle();
        return id;
    }
    template <class Resp>
    std::optional<Resp> take(sim::NodeId n, int32_t correlation_id) {
        for (auto it = inbox(n).begin(); it != inbox(n).end(); ++it) {
            if (auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == correlation_id) {
                Resp out = std::move(*r);
                inbox(n).erase(it);
                return out;
            }
        }
        return std::nullopt;
    }
    // Five records, replicated: the high watermark is 5, the follower's log start offset 0.
    void replicate_five() {
        produce(2);
        produce(3);
        follower_fetch(0, 0);
        follower_fetch(5, 0);
        REQUIRE(orders().high_watermark() == 5);
    }
    int64_t list_earliest() {
        kafka::ListOffsetsRequest req;
        req.correlation_id = next_correlation++;
        req.partitions.push_back({dr_orders0, -1, kafka::ListOffsetsRequest::earliest});
        const int32_t id = req.correlation_id;
        kafka::Context(world, client_node).send(leader_node, std::move(req));
        settle();
        auto r = take<kafka::ListOffsetsResponse>(client_node, id);
        REQUIRE(r);
        REQUIRE(r->partitions.size() == 1);
        return r->partitions[0].offset;
    }
};

}  // namespace

TEST_CASE("delete records: the leader raises its log start offset and answers once the follower has it") {
    DrRig rig;
    rig.replicate_five();
    const int32_t id = rig.delete_records({{dr_orders0, 3}});
    CHECK(rig.orders().log().log_start_offset() == 3);
    const auto* raised = test_events::last<kafka::LogStartOffsetIncremented>(rig.world.trace());
    REQUIRE(raised != nullptr);
    CHECK(raised->from == 0);
    CHECK(raised->to == 3);
    CHECK(raised->leader == 1);
    CHECK(raised->reason == std::optional<std::string>("DeleteRecords"));
    // The follower's log start offset is still 0: the low watermark holds the answer back.
    CHECK_FALSE(rig.take<DeleteRecordsResponse>(rig.client_node, id));

    // The follower's fetch answer carries the new log start offset ...
    rig.follower_fetch(5, 0);
    CHECK_FALSE(rig.take<DeleteRecordsResponse>(rig.client_node, id));
    const auto* fetched = std::get_if<FetchResponse>(&rig.inbox(rig.follower_node).back());
    REQUIRE(fetched != nullptr);
    CHECK(fetched->partitions.at(0).log_start_offset == 3);
    // ... and its next fetch says it took it: the low watermark reaches 3.
    rig.follower_fetch(5, 3);
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    REQUIRE(r->partitions.size() == 1);
    CHECK(r->partitions[0].error == Error::none);
    CHECK(r->partitions[0].low_watermark == 3);

    // ListOffsets EARLIEST is the log start offset; a consumer below it is out of range.
    CHECK(rig.list_earliest() == 3);
    FetchRequest consumer;
    consumer.correlation_id = rig.next_correlation++;
    consumer.max_wait_ms = 0;
    consumer.partitions.push_back({dr_orders0, -1, 1, -1, -1, 1048576});
    const int32_t fetch_id = consumer.correlation_id;
    kafka::Context(rig.world, rig.client_node).send(rig.leader_node, std::move(consumer));
    rig.settle();
    auto below = rig.take<FetchResponse>(rig.client_node, fetch_id);
    REQUIRE(below);
    CHECK(below->partitions.at(0).error == Error::offset_out_of_range);
    CHECK(below->partitions.at(0).log_start_offset == 3);
}

TEST_CASE("delete records: offset -1 deletes up to the high watermark") {
    DrRig rig;
    rig.replicate_five();
    rig.produce(2);  // offsets 5 and 6: not replicated, above the high watermark
    const int32_t id = rig.delete_records({{dr_orders0, -1}});
    CHECK(rig.orders().log().log_start_offset() == 5);
    CHECK(rig.orders().log().log_end_offset() == 7);
    rig.follower_fetch(5, 5);
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::none);
    CHECK(r->partitions[0].low_watermark == 5);
}

TEST_CASE("delete records: an offset beyond the high watermark is OFFSET_OUT_OF_RANGE") {
    DrRig rig;
    rig.replicate_five();
    rig.produce(3);  // log end 8, high watermark 5
    const int32_t id = rig.delete_records({{dr_orders0, 6}});
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::offset_out_of_range);
    CHECK(r->partitions[0].low_watermark == -1);
    CHECK(rig.orders().log().log_start_offset() == 0);
    CHECK(test_events::count<kafka::LogStartOffsetIncremented>(rig.world.trace()) == 0);
}

TEST_CASE("delete records: a follower or an unknown partition answers at once with an error") {
    DrRig rig;
    rig.replicate_five();
    const int32_t id = rig.delete_records({{dr_followed0, 0}, {dr_unknown0, 0}, {dr_orders0, 2}});
    // The partitions in error do not wait; orders-0 does, so the answer comes as a whole later.
    CHECK_FALSE(rig.take<DeleteRecordsResponse>(rig.client_node, id));
    rig.follower_fetch(5, 2);
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    REQUIRE(r->partitions.size() == 3);
    CHECK(r->partitions[0].error == Error::not_leader_or_follower);
    CHECK(r->partitions[1].error == Error::unknown_topic_or_partition);
    CHECK(r->partitions[2].error == Error::none);
    CHECK(r->partitions[2].low_watermark == 2);
}

TEST_CASE("delete records: a compacted topic refuses with POLICY_VIOLATION") {
    DrRig rig;
    rig.produce(4, dr_compacted0);
    rig.follower_fetch(0, 0, dr_compacted0);
    rig.follower_fetch(4, 0, dr_compacted0);
    const int32_t id = rig.delete_records({{dr_compacted0, 2}});
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::policy_violation);
    CHECK(rig.broker().replicas.partition(dr_compacted0)->log().log_start_offset() == 0);
}

TEST_CASE("delete records: a follower that never catches up times the request out") {
    DrRig rig;
    rig.replicate_five();
    const int32_t id = rig.delete_records({{dr_orders0, 4}}, 2000);
    rig.run_ms(1999);
    CHECK_FALSE(rig.take<DeleteRecordsResponse>(rig.client_node, id));
    rig.run_ms(1);
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::request_timed_out);
    CHECK(r->partitions[0].low_watermark == 0);  // as it was when the leader raised its own
    CHECK(rig.orders().log().log_start_offset() == 4);  // the deletion itself stands
}

TEST_CASE("delete records: a fenced follower does not hold the low watermark back") {
    DrRig rig;
    rig.replicate_five();
    rig.apply(kafka::FenceBrokerRecord{2, 1});
    const int32_t id = rig.delete_records({{dr_orders0, 3}});
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::none);
    CHECK(r->partitions[0].low_watermark == 3);
}

TEST_CASE("delete records: a leader that loses its leadership answers NOT_LEADER_OR_FOLLOWER") {
    DrRig rig;
    rig.replicate_five();
    const int32_t id = rig.delete_records({{dr_orders0, 3}});
    CHECK_FALSE(rig.take<DeleteRecordsResponse>(rig.client_node, id));
    kafka::PartitionChangeRecord change;
    change.topic_id = dr_orders0.topic_id;
    change.partition = 0;
    change.has_leader = true;
    change.leader = 2;
    rig.apply(change);
    rig.reconcile({dr_orders0});
    auto r = rig.take<DeleteRecordsResponse>(rig.client_node, id);
    REQUIRE(r);
    CHECK(r->partitions[0].error == Error::not_leader_or_follower);
    CHECK(r->partitions[0].low_watermark == -1);
}

TEST_CASE("delete records: the next retention run deletes the segments below the new log start offset") {
    DrRig rig(100);  // segment.bytes=100: every batch rolls a segment
    for (int i = 0; i < 4; ++i) rig.produce(2);
    rig.follower_fetch(0, 0);
    rig.follower_fetch(8, 0);
    REQUIRE(rig.orders().high_watermark() == 8);
    REQUIRE(rig.orders().log().segment_count() == 4);
    rig.delete_records({{dr_orders0, 5}});  // inside the third batch (4..5)
    CHECK(rig.orders().log().segment_count() == 4);  // nothing goes before the retention run
    rig.run_ms(30 * 1000);  // LogManager's first retention run
    const auto* deleted = test_events::last<kafka::LogSegmentsDeleted>(rig.world.trace());
    REQUIRE(deleted != nullptr);
    CHECK(deleted->reason == "log start offset");
    CHECK(deleted->segments == 2);
    CHECK(deleted->to == 4);
    CHECK(deleted->log_start_offset == 5);  // the segment holding offset 5 stays, and so does the log start
    CHECK(rig.orders().log().log_start_offset() == 5);
    CHECK(rig.orders().log().segment_count() == 2);
}
