// The ReplicaManager on its own: one broker node that is nothing but a ReplicaManager, its
// metadata cache and a Host that records what the manager asks of it, a follower node and a
// client node that keep what they are sent. The network has no latency, so a request and its
// answer happen at the instant it is sent.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "broker/replica/replica_manager.hpp"

namespace {

using kafka::BrokerId;
using kafka::Error;
using kafka::FetchRequest;
using kafka::FetchResponse;
using kafka::ProduceRequest;
using kafka::ProduceResponse;
using kafka::TopicPartition;

const TopicPartition rm_orders0{1, 0};

struct IsrRequest {
    TopicPartition tp;
    std::vector<BrokerId> new_isr;
    std::string reason;
};

// The broker around the manager, reduced to what ReplicaManager::Host asks for.
struct ReplicaBroker : kafka::Node, kafka::ReplicaManager::Host {
    kafka::BrokerConfig config;
    kafka::MetadataImage image;
    kafka::CorrelationIds correlation_ids;
    kafka::ReplicaManager replicas;
    std::vector<IsrRequest> isr_requests;
    std::vector<std::string> elections, resignations;
    std::vector<int64_t> high_watermarks;

    explicit ReplicaBroker(const kafka::ClusterDirectory& directory)
        : replicas(1, config, directory, image, correlation_ids, *this) {
        // The partition side alone: no transaction coordinator to verify transactional batches with.
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
    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        // Every timer the manager arms is in its own space.
        REQUIRE(sim::TimerSpace::component_of(tag) == static_cast<uint8_t>(kafka::TimerComponent::replica_manager));
        replicas.on_timer(tag, ctx);
    }

    void request_isr_change(kafka::Partition& p, std::vector<BrokerId> new_isr, const char* reason,
                            kafka::Context&) override {
        isr_requests.push_back({p.tp(), std::move(new_isr), reason});
    }
    int64_t broker_epoch() const override { return 7; }
    void on_election(const kafka::Partition& p, kafka::Context&) override { elections.push_back(p.label()); }
    void on_resignation(const std::string& topic, int32_t partition, kafka::Context&) override {
        resignations.push_back(topic + "/" + std::to_string(partition));
    }
    void on_high_watermark(const kafka::Partition& p, kafka::Context&) override {
        high_watermarks.push_back(p.high_watermark());
    }
    struct OffsetsTxn {
        int64_t producer_id;
        std::vector<TopicPartition> partitions;
        bool commit;
    };
    std::vector<OffsetsTxn> offsets_txns;
    void on_offsets_txn_completed(int64_t producer_id, const std::vector<TopicPartition>& partitions, bool commit,
                                  kafka::Context&) override {
        offsets_txns.push_back({producer_id, partitions, commit});
    }
};

struct InboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

struct RmRig {
    kafka::ClusterDirectory directory;
    kafka::World world{42, sim::NetworkOptions{sim::milliseconds(0), sim::milliseconds(0), {}}};
    sim::NodeId leader_node = sim::no_node, follower_node = sim::no_node, client_node = sim::no_node;
    int32_t next_correlation = 1;

    RmRig() {
        leader_node = world.add_node("broker:1", [this] { return std::make_unique<ReplicaBroker>(directory); });
        follower_node = world.add_node("broker:2", [] { return std::make_unique<InboxNode>(); });
        client_node = world.add_node("client", [] { return std::make_unique<InboxNode>(); });
        directory.brokers = {{1, leader_node}, {2, follower_node}};
        for (sim::NodeId n : {leader_node, follower_node, client_node}) world.start(n);
        // The metadata says: broker 1 leads orders-0, replicated on 1 and 2, both in sync.
        kafka::MetadataImage& image = broker().image;
        image.apply(0, kafka::RegisterBrokerRecord{1, 0, 0, false});
        image.apply(1, kafka::RegisterBrokerRecord{2, 1, 0, false});
        image.apply(2, kafka::TopicRecord{"orders", rm_orders0.topic_id});
        image.apply(3, kafka::PartitionRecord{rm_orders0.topic_id, rm_orders0.partition, {1, 2}, {1, 2}, 1, 0, 0, {}, {}});
        kafka::Context ctx(world, leader_node);
        broker().replicas.reconcile({rm_orders0}, ctx);
        settle();
    }

    ReplicaBroker& broker() { return *world.node_as<ReplicaBroker>(leader_node); }
    std::vector<kafka::Message>& inbox(sim::NodeId n) { return world.node_as<InboxNode>(n)->inbox; }
    void settle() { world.run_until(world.now()); }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }

    int32_t produce(int32_t records) {
        const int32_t id = next_correlation++;
        ProduceRequest req;
        req.correlation_id = id;
        req.acks = -1;
        kafka::RecordBatch batch;
        batch.record_count = records;
        batch.size_bytes = kafka::record_batch_overhead_bytes + 10 * records;
        req.partitions.push_back({rm_orders0, batch});
        kafka::Context(world, client_node).send(leader_node, std::move(req));
        settle();
        return id;
    }
    // The follower's fetch from `offset` (its log end), answered at once.
    void follower_fetch(int64_t offset) {
        FetchRequest req;
        req.correlation_id = next_correlation++;
        req.replica_id = 2;
        req.max_wait_ms = 0;
        req.partitions.push_back({rm_orders0, 0, offset, offset == 0 ? -1 : 0, 0, 1048576});
        kafka::Context(world, follower_node).send(leader_node, std::move(req));
        settle();
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
};

}  // namespace

TEST_CASE("replica manager: a new leader tells its host it was elected") {
    RmRig rig;
    const kafka::Partition* p = rig.broker().replicas.partition(rm_orders0);
    REQUIRE(p != nullptr);
    CHECK(p->is_leader());
    CHECK(rig.broker().elections == std::vector<std::string>{"orders/0"});
    CHECK(rig.broker().resignations.empty());
}

TEST_CASE("replica manager: an acks=all produce waits in the purgatory until the follower has the records") {
    RmRig rig;
    const int32_t id = rig.produce(3);
    CHECK_FALSE(rig.take<ProduceResponse>(rig.client_node, id));  // the follower has not fetched yet

    rig.follower_fetch(0);  // gets the 3 records; its fetch from 0 acknowledges nothing new
    CHECK_FALSE(rig.take<ProduceResponse>(rig.client_node, id));
    REQUIRE(!rig.inbox(rig.follower_node).empty());
    const auto* fetched = std::get_if<FetchResponse>(&rig.inbox(rig.follower_node).back());
    REQUIRE(fetched != nullptr);
    REQUIRE(fetched->partitions.size() == 1);
    CHECK(fetched->partitions[0].error == Error::none);
    CHECK_FALSE(fetched->partitions[0].batches.empty());

    rig.follower_fetch(3);  // its log end is 3 now: the high watermark moves, the produce completes
    std::optional<ProduceResponse> r = rig.take<ProduceResponse>(rig.client_node, id);
    REQUIRE(r);
    REQUIRE(r->partitions.size() == 1);
    CHECK(r->partitions[0].error == Error::none);
    CHECK(r->partitions[0].base_offset == 0);
    CHECK(rig.broker().replicas.partition(rm_orders0)->high_watermark() == 3);
    CHECK(rig.broker().high_watermarks.back() == 3);
}

TEST_CASE("replica manager: a follower that stops fetching leaves the ISR through the host") {
    RmRig rig;
    rig.run_ms(rig.broker().config.replica_lag_time_max_ms / 2);  // the first ISR check: still in sync
    CHECK(rig.broker().isr_requests.empty());
    rig.run_ms(rig.broker().config.replica_lag_time_max_ms);      // past replica.lag.time.max.ms
    REQUIRE_FALSE(rig.broker().isr_requests.empty());
    const IsrRequest& shrink = rig.broker().isr_requests.front();
    CHECK(shrink.tp == rm_orders0);
    CHECK(shrink.new_isr == std::vector<BrokerId>{1});
    CHECK(shrink.reason == "replica.lag.time.max.ms exceeded");
}

namespace {

kafka::RecordBatch txn_batch(int64_t producer_id, int32_t base_sequence, int32_t count) {
    kafka::RecordBatch b;
    b.record_count = count;
    b.size_bytes = kafka::record_batch_overhead_bytes + 10 * count;
    b.producer_id = producer_id;
    b.producer_epoch = 0;
    b.base_sequence = base_sequence;
    b.is_transactional = true;
    return b;
}

int32_t send_produce(RmRig& rig, const kafka::RecordBatch& batch) {
    const int32_t id = rig.next_correlation++;
    ProduceRequest req;
    req.correlation_id = id;
    req.acks = -1;
    req.partitions.push_back({rm_orders0, batch});
    kafka::Context(rig.world, rig.client_node).send(rig.leader_node, std::move(req));
    rig.settle();
    return id;
}

int32_t send_markers(RmRig& rig, std::vector<kafka::WritableTxnMarker> markers) {
    const int32_t id = rig.next_correlation++;
    kafka::WriteTxnMarkersRequest req;
    req.correlation_id = id;
    req.markers = std::move(markers);
    kafka::Context(rig.world, rig.client_node).send(rig.leader_node, std::move(req));
    rig.settle();
    return id;
}

}  // namespace

TEST_CASE("replica manager: WriteTxnMarkers appends the marker and answers once the ISR has it") {
    RmRig rig;
    send_produce(rig, txn_batch(77, 0, 3));  // 0..2, an open transaction of producer 77
    rig.follower_fetch(0);
    rig.follower_fetch(3);
    const kafka::Partition* p = rig.broker().replicas.partition(rm_orders0);
    CHECK(p->high_watermark() == 3);
    CHECK(p->last_stable_offset() == 0);

    const TopicPartition unknown{9, 0};
    const int32_t id = send_markers(rig, {kafka::WritableTxnMarker{77, 0, true, {rm_orders0, unknown}, 4}});
    CHECK_FALSE(rig.take<kafka::WriteTxnMarkersResponse>(rig.client_node, id));  // acks=-1: the follower lacks it
    CHECK(p->log().log_end_offset() == 4);
    CHECK(p->log().find(3)->is_commit_marker());
    CHECK(p->last_stable_offset() == 0);

    rig.follower_fetch(4);
    std::optional<kafka::WriteTxnMarkersResponse> r = rig.take<kafka::WriteTxnMarkersResponse>(rig.client_node, id);
    REQUIRE(r);
    REQUIRE(r->markers.size() == 1);
    CHECK(r->markers[0].producer_id == 77);
    REQUIRE(r->markers[0].partitions.size() == 2);
    CHECK(r->markers[0].partitions[0].tp == rm_orders0);
    CHECK(r->markers[0].partitions[0].error == Error::none);
    CHECK(r->markers[0].partitions[1].error == Error::unknown_topic_or_partition);  // not hosted here
    CHECK(p->high_watermark() == 4);
    CHECK(p->last_stable_offset() == 4);
}

TEST_CASE("replica manager: a WriteTxnMarkers from a fenced coordinator or for an old producer epoch is refused") {
    RmRig rig;
    send_produce(rig, txn_batch(77, 0, 1));
    rig.follower_fetch(0);
    rig.follower_fetch(1);
    int32_t id = send_markers(rig, {kafka::WritableTxnMarker{77, 0, false, {rm_orders0}, 4}});
    rig.follower_fetch(2);
    REQUIRE(rig.take<kafka::WriteTxnMarkersResponse>(rig.client_node, id));
    // The same producer's marker from coordinator epoch 3, then for producer epoch -1: answered at once.
    id = send_markers(rig, {kafka::WritableTxnMarker{77, 0, true, {rm_orders0}, 3},
                            kafka::WritableTxnMarker{77, -1, true, {rm_orders0}, 4}});
    std::optional<kafka::WriteTxnMarkersResponse> r = rig.take<kafka::WriteTxnMarkersResponse>(rig.client_node, id);
    REQUIRE(r);
    REQUIRE(r->markers.size() == 2);
    CHECK(r->markers[0].partitions[0].error == Error::transaction_coordinator_fenced);
    CHECK(r->markers[1].partitions[0].error == Error::invalid_producer_epoch);
    CHECK(rig.broker().replicas.partition(rm_orders0)->log().log_end_offset() == 2);
}

TEST_CASE("replica manager: a read_committed fetch stops at the LSO and names the aborted transactions") {
    RmRig rig;
    send_produce(rig, txn_batch(77, 0, 2));  // 0..1: aborted below
    send_produce(rig, txn_batch(88, 0, 2));  // 2..3: still open
    rig.follower_fetch(0);
    rig.follower_fetch(4);
    send_markers(rig, {kafka::WritableTxnMarker{77, 0, false, {rm_orders0}, 1}});  // ABORT at 4
    rig.follower_fetch(5);
    const kafka::Partition* p = rig.broker().replicas.partition(rm_orders0);
    REQUIRE(p->high_watermark() == 5);
    REQUIRE(p->last_stable_offset() == 2);

    auto consumer_fetch = [&](bool read_committed) {
        FetchRequest req;
        req.correlation_id = rig.next_correlation++;
        req.max_wait_ms = 0;
        req.read_committed = read_committed;
        req.partitions.push_back({rm_orders0, 0, 0, -1, 0, 1048576});
        kafka::Context(rig.world, rig.client_node).send(rig.leader_node, std::move(req));
        rig.settle();
        std::optional<FetchResponse> r = rig.take<FetchResponse>(rig.client_node, req.correlation_id);
        REQUIRE(r);
        REQUIRE(r->partitions.size() == 1);
        return r->partitions[0];
    };
    FetchResponse::PartitionData committed = consumer_fetch(true);
    CHECK(committed.last_stable_offset == 2);
    CHECK(committed.high_watermark == 5);
    REQUIRE(committed.batches.size() == 1);  // 0..1 only: 88's open transaction holds the rest back
    REQUIRE(committed.aborted_transactions.size() == 1);
    CHECK(committed.aborted_transactions[0].producer_id == 77);
    CHECK(committed.aborted_transactions[0].first_offset == 0);

    FetchResponse::PartitionData uncommitted = consumer_fetch(false);
    CHECK(uncommitted.batches.size() == 3);  // up to the HW, the ABORT marker included
    CHECK(uncommitted.aborted_transactions.empty());

    // ListOffsets "latest" by isolation level.
    for (bool read_committed : {true, false}) {
        kafka::ListOffsetsRequest req;
        req.correlation_id = rig.next_correlation++;
        req.read_committed = read_committed;
        req.partitions.push_back({rm_orders0, -1, kafka::ListOffsetsRequest::latest});
        kafka::Context(rig.world, rig.client_node).send(rig.leader_node, std::move(req));
        rig.settle();
        auto r = rig.take<kafka::ListOffsetsResponse>(rig.client_node, req.correlation_id);
        REQUIRE(r);
        CHECK(r->partitions[0].offset == (read_committed ? 2 : 5));
    }
}

TEST_CASE("replica manager: a marker written on __consumer_offsets tells the host, once replicated") {
    RmRig rig;
    const TopicPartition offsets0{2, 0};
    kafka::MetadataImage& image = rig.broker().image;
    image.apply(4, kafka::TopicRecord{"__consumer_offsets", offsets0.topic_id});
    image.apply(5, kafka::PartitionRecord{offsets0.topic_id, offsets0.partition, {1, 2}, {1, 2}, 1, 0, 0, {}, {}});
    {
        kafka::Context ctx(rig.world, rig.leader_node);
        rig.broker().replicas.reconcile({offsets0}, ctx);
    }
    rig.settle();
    const int32_t id = send_markers(rig, {kafka::WritableTxnMarker{55, 0, true, {rm_orders0, offsets0}, 2}});
    CHECK(rig.broker().offsets_txns.empty());  // not before the followers have the markers
    auto fetch_both = [&](int64_t offset) {
        FetchRequest req;
        req.correlation_id = rig.next_correlation++;
        req.replica_id = 2;
        req.max_wait_ms = 0;
        req.partitions.push_back({rm_orders0, 0, offset, offset == 0 ? -1 : 0, 0, 1048576});
        req.partitions.push_back({offsets0, 0, offset, offset == 0 ? -1 : 0, 0, 1048576});
        kafka::Context(rig.world, rig.follower_node).send(rig.leader_node, std::move(req));
        rig.settle();
    };
    fetch_both(0);
    fetch_both(1);
    REQUIRE(rig.take<kafka::WriteTxnMarkersResponse>(rig.client_node, id));
    REQUIRE(rig.broker().offsets_txns.size() == 1);
    CHECK(rig.broker().offsets_txns[0].producer_id == 55);
    CHECK(rig.broker().offsets_txns[0].partitions == std::vector<TopicPartition>{offsets0});
    CHECK(rig.broker().offsets_txns[0].commit);
}
