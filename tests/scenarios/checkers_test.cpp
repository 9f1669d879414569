// The checkers on small hand-built runs: each check once holding and once violated, with the
// evidence naming the records, offsets and times that decided it.
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "scenarios/checkers/checker.hpp"

namespace {

using namespace scenarios;
using sim::milliseconds;
using sim::seconds;

constexpr kafka::TopicPartition orders0{1, 0};
constexpr kafka::TopicPartition orders1{1, 1};

sim::Time at(sim::Duration d) { return sim::time_zero + d; }

kafka::RecordBatch batch(int64_t base_offset, int32_t count, uint32_t client, uint32_t first_seq) {
    kafka::RecordBatch b;
    b.base_offset = base_offset;
    b.record_count = count;
    b.client = client;
    b.first_seq = first_seq;
    return b;
}

ReplicaSnapshot replica(int32_t broker, int64_t high_watermark, std::vector<kafka::RecordBatch> batches) {
    ReplicaSnapshot r;
    r.broker = broker;
    r.online = true;
    r.high_watermark = high_watermark;
    r.log_end_offset = batches.empty() ? 0 : batches.back().next_offset();
    r.batches = std::move(batches);
    return r;
}

PartitionSnapshot partition(kafka::TopicPartition tp, int32_t leader, std::vector<ReplicaSnapshot> logs) {
    PartitionSnapshot p;
    p.tp = tp;
    p.topic = "orders";
    p.leader = leader;
    p.leader_epoch = 1;
    for (const auto& r : logs) p.replicas.push_back(r.broker);
    p.isr = p.replicas;
    p.replica_logs = std::move(logs);
    return p;
}

PartitionSample partition_sample(int32_t leader, int32_t epoch, int32_t isr_size = 3) {
    PartitionSample p;
    p.leader = leader;
    p.leader_epoch = epoch;
    p.isr_size = isr_size;
    p.replica_count = 3;
    return p;
}

// A run with one producer (client 1) and room for consumers; history and trace live here.
struct Run {
    History history;
    kafka::Trace trace;
    RunData data;
    uint32_t producer = 0;

    Run() {
        data.history = &history;
        data.trace = &trace;
        data.end = at(seconds(60));
        data.scenario.duration = seconds(60);
        producer = history.add_client("producer:checkout");
    }
    void ack(sim::Duration t, kafka::TopicPartition tp, uint32_t first_seq, int32_t count, int64_t offset) {
        history.on_send(producer, at(t) - milliseconds(5), tp, first_seq, count);
        history.on_ack(producer, at(t), tp, first_seq, count, offset);
    }
    void poll(sim::Duration t, uint32_t consumer, kafka::TopicPartition tp, const kafka::RecordBatch& b) {
        history.on_poll(consumer, at(t), tp, b, b.base_offset, b.record_count);
    }
    // Places consumers in a group the way the runner does: through the samples.
    void group(const std::string& name, std::vector<uint32_t> consumers) {
        if (data.samples.empty()) data.samples.emplace_back();
        for (uint32_t c : consumers) data.samples.front().consumers.push_back(ConsumerSample{c, name, 0});
    }
    CheckResult check(CheckKind kind) const {
        ExpectSpec spec;
        spec.check = kind;
        return run_check(spec, data);
    }
    CheckResult check(ExpectSpec spec) const { return run_check(spec, data); }
};

bool mentions(const CheckResult& r, const std::string& text) {
    if (r.summary.find(text) != std::string::npos) return true;
    for (const auto& e : r.evidence)
        if (e.find(text) != std::string::npos) return true;
    return false;
}

std::string checker_dump(const CheckResult& r) {
    std::string out = r.name + " [" + r.params + "] " + (r.holds ? "holds" : "violated") + ": " + r.summary;
    for (const auto& e : r.evidence) out += "\n  - " + e;
    return out;
}

}  // namespace

TEST_CASE("no-acked-loss holds when every acknowledged record is committed", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.ack(seconds(2), orders0, 10, 10, 10);
    run.data.final_state.partitions.push_back(
        partition(orders0, 1, {replica(1, 20, {batch(0, 10, 1, 0), batch(10, 10, 1, 10)})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK(r.holds);
    CHECK(r.passed());
    CHECK(r.name == "no-acked-loss");
    CHECK(mentions(r, "all 20 acknowledged records"));
}

TEST_CASE("no-acked-loss names acknowledged records missing from the committed log", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.ack(milliseconds(12400), orders0, 10, 10, 10);
    // The leader's log ends at offset 10: seq 10..19 are gone.
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 10, {batch(0, 10, 1, 0)})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "10 acknowledged records lost on orders/0 (offsets 10..19)");
    REQUIRE(r.evidence.size() == 1);
    CHECK(mentions(r, "producer:checkout orders/0 seq 10..19 (10 records), acknowledged at 12.400s at offsets 10..19"));
    CHECK(mentions(r, "the committed log ends at offset 10"));

    SECTION("an outcome of violated passes") {
        ExpectSpec spec;
        spec.expect_violated = true;
        CHECK(run.check(spec).passed());
    }
}

TEST_CASE("no-acked-loss: records the leader holds above its high watermark at the end are not lost", "[checkers]") {
    // The run ended just after a leader change: the new leader has seq 10..19 (every replica
    // has), but its high watermark has not caught up yet. Not committed is not gone.
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.ack(milliseconds(12400), orders0, 10, 10, 10);
    const std::vector<kafka::RecordBatch> log = {batch(0, 10, 1, 0), batch(10, 10, 1, 10)};
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 10, log), replica(2, 20, log)}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK(r.holds);
    CHECK(r.summary ==
          "10 acknowledged records are in the committed logs and reached every reader that read past them; 10 "
          "acknowledged records not yet committed when the run ended (in the leader's log above its high watermark)");
    CHECK(mentions(r, "not yet committed when the run ended (not lost): producer:checkout orders/0 seq 10..19 (10 "
                      "records), acknowledged at 12.400s at offsets 10..19, are in the leader's log above its high "
                      "watermark 10"));

    SECTION("a record gone from the leader is still lost") {
        Run gone;
        gone.ack(seconds(1), orders0, 0, 10, 0);
        gone.ack(milliseconds(12400), orders0, 10, 10, 10);
        gone.ack(seconds(13), orders0, 20, 5, 20);
        gone.data.final_state.partitions.push_back(
            partition(orders0, 1, {replica(1, 10, {batch(0, 10, 1, 0), batch(10, 10, 1, 10)})}));
        CheckResult g = gone.check(CheckKind::no_acked_loss);
        INFO(checker_dump(g));
        CHECK_FALSE(g.holds);
        CHECK(g.summary == "5 acknowledged records lost on orders/0 (offsets 20..24); 10 acknowledged records not yet "
                           "committed when the run ended (in the leader's log above its high watermark)");
    }
}

TEST_CASE("no-acked-loss reports what now sits where a lost record was acknowledged", "[checkers]") {
    Run run;
    uint32_t other = run.history.add_client("producer:audit");
    run.ack(seconds(3), orders0, 0, 5, 0);
    // An unclean leader overwrote offsets 0..4 with another producer's records.
    run.data.final_state.partitions.push_back(partition(orders0, 2, {replica(2, 5, {batch(0, 5, other, 0)})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(mentions(r, "offset 0 now holds producer:audit orders/0 seq 0"));
}

TEST_CASE("no-acked-loss tells of a lost stretch in one line, across acks", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.ack(seconds(2), orders0, 10, 10, 10);
    run.ack(seconds(2), orders1, 0, 10, 0);
    run.ack(seconds(3), orders0, 20, 10, 20);
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 10, {batch(0, 10, 1, 0)})}));
    run.data.final_state.partitions.push_back(partition(orders1, 1, {replica(1, 10, {batch(0, 10, 1, 0)})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    REQUIRE(r.evidence.size() == 1);
    CHECK(r.evidence[0] == "lost: producer:checkout orders/0 seq 10..29 (20 records), acknowledged 2.000s..3.000s at "
                           "offsets 10..29; the committed log ends at offset 10");
}

TEST_CASE("no-acked-loss does not count records removed by retention", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.ack(seconds(2), orders0, 10, 10, 10);
    ReplicaSnapshot leader = replica(1, 20, {batch(10, 10, 1, 10)});
    leader.log_start_offset = 10;
    run.data.final_state.partitions.push_back(partition(orders0, 1, {leader}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK(r.holds);
    CHECK(mentions(r, "10 records below the log start offset"));
}

TEST_CASE("no-acked-loss checks acks=0 records too", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 4, -1);
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 2, {batch(0, 2, 1, 0)})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(mentions(r, "seq 2..3 (2 records), acknowledged at 1.000s with acks=0 (offset unknown)"));
}

TEST_CASE("no-acked-loss: a reader that read past an acknowledged record must have got it", "[checkers]") {
    Run run;
    for (uint32_t i = 0; i < 4; ++i) run.ack(seconds(1 + i), orders0, i * 5, 5, i * 5);
    const std::vector<kafka::RecordBatch> log{batch(0, 5, 1, 0), batch(5, 5, 1, 5), batch(10, 5, 1, 10), batch(15, 5, 1, 15)};
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 20, log)}));
    uint32_t a = run.history.add_client("consumer:billing/1");
    uint32_t b = run.history.add_client("consumer:billing/2");
    uint32_t late = run.history.add_client("consumer:audit/1");
    run.group("billing", {a, b});

    SECTION("group members share the partition: together they got everything") {
        run.poll(seconds(5), a, orders0, log[0]);
        run.poll(seconds(6), a, orders0, log[1]);
        run.poll(seconds(7), b, orders0, log[2]);
        run.poll(seconds(8), b, orders0, log[3]);
        run.poll(seconds(9), late, orders0, log[3]);  // started at the end (auto.offset.reset=latest)
        CheckResult r = run.check(CheckKind::no_acked_loss);
        INFO(checker_dump(r));
        CHECK(r.holds);
    }
    SECTION("a group that jumped over records did not get them") {
        run.poll(seconds(5), a, orders0, log[0]);
        run.poll(seconds(8), b, orders0, log[3]);
        CheckResult r = run.check(CheckKind::no_acked_loss);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "10 acknowledged records never delivered to a reader that read past them");
        REQUIRE(r.evidence.size() == 1);  // one stretch, though two acks
        CHECK(r.evidence[0] == "not delivered: group billing read orders/0 offsets 0..19 but never got "
                               "producer:checkout orders/0 seq 5..14 (offsets 5..14, acknowledged 2.000s..3.000s)");
    }
}

TEST_CASE("no-duplicates finds a record at two offsets", "[checkers]") {
    Run run;
    SECTION("holds") {
        run.data.final_state.partitions.push_back(
            partition(orders0, 1, {replica(1, 20, {batch(0, 10, 1, 0), batch(10, 10, 1, 10)})}));
        CheckResult r = run.check(CheckKind::no_duplicates);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(mentions(r, "20 records checked"));
    }
    SECTION("violated") {
        // A retry without idempotence appended seq 5..9 again.
        run.data.final_state.partitions.push_back(partition(
            orders0, 1, {replica(1, 25, {batch(0, 10, 1, 0), batch(10, 10, 1, 10), batch(20, 5, 1, 5)})}));
        CheckResult r = run.check(CheckKind::no_duplicates);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "5 records appear at two offsets, on orders/0");
        CHECK(mentions(r, "producer:checkout orders/0 seq 5..9 at offsets 5..9 and again at 20..24"));
    }
    SECTION("only the committed part counts") {
        run.data.final_state.partitions.push_back(
            partition(orders0, 1, {replica(1, 20, {batch(0, 10, 1, 0), batch(10, 10, 1, 10), batch(20, 5, 1, 5)})}));
        CHECK(run.check(CheckKind::no_duplicates).holds);
    }
}

TEST_CASE("per-partition-order: acknowledged records sit in send order", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 10);
    run.ack(seconds(1), orders0, 10, 10, 0);
    SECTION("violated when a later batch landed first") {
        run.data.final_state.partitions.push_back(
            partition(orders0, 1, {replica(1, 20, {batch(0, 10, 1, 10), batch(10, 10, 1, 0)})}));
        CheckResult r = run.check(CheckKind::per_partition_order);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "1 send-order inversion among acknowledged records");
        CHECK(mentions(r, "producer:checkout orders/0 seq 10..19 sits at offsets 0..9, before seq 0..9 (sent earlier) at "
                          "offsets 10..19"));
    }
    SECTION("unacknowledged records may sit anywhere") {
        Run fresh;
        fresh.ack(seconds(1), orders0, 10, 10, 0);
        fresh.data.final_state.partitions.push_back(
            partition(orders0, 1, {replica(1, 20, {batch(0, 10, 1, 10), batch(10, 10, 1, 0)})}));
        CheckResult r = fresh.check(CheckKind::per_partition_order);
        INFO(checker_dump(r));
        CHECK(r.holds);
    }
}

TEST_CASE("per-partition-order: consumers read offsets in order without gaps", "[checkers]") {
    Run run;
    const std::vector<kafka::RecordBatch> log{batch(0, 5, 1, 0), batch(5, 5, 1, 5), batch(10, 5, 1, 10), batch(15, 5, 1, 15)};
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 20, log)}));
    uint32_t solo = run.history.add_client("consumer:audit/1");  // no group: its assignment never changes

    SECTION("a skip over committed records") {
        run.poll(seconds(1), solo, orders0, log[0]);
        run.poll(milliseconds(1500), solo, orders0, log[2]);
        CheckResult r = run.check(CheckKind::per_partition_order);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "skipped: consumer:audit/1 orders/0 at 1.500s read from offset 10 after reading up to 4 "
                          "(committed offsets 5..9 never read)"));
    }
    SECTION("going back") {
        run.poll(seconds(1), solo, orders0, log[0]);
        run.poll(seconds(2), solo, orders0, log[1]);
        run.poll(seconds(3), solo, orders0, log[1]);
        CheckResult r = run.check(CheckKind::per_partition_order);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "went back: consumer:audit/1 orders/0 at 3.000s read offset 5 after reading up to 9"));
    }
    SECTION("a partition moving between group members starts a new assignment") {
        uint32_t a = run.history.add_client("consumer:billing/1");
        uint32_t b = run.history.add_client("consumer:billing/2");
        run.group("billing", {a, b});
        run.poll(seconds(1), a, orders0, log[0]);
        run.poll(seconds(2), b, orders0, log[1]);
        run.poll(seconds(3), b, orders0, log[2]);
        run.poll(seconds(4), a, orders0, log[1]);  // back to a, from an older committed offset: redelivery
        run.poll(seconds(5), a, orders0, log[2]);
        run.poll(seconds(6), a, orders0, log[3]);
        CheckResult r = run.check(CheckKind::per_partition_order);
        INFO(checker_dump(r));
        CHECK(r.holds);
    }
}

TEST_CASE("replicas-consistent compares replicas below the high watermark", "[checkers]") {
    Run run;
    uint32_t other = run.history.add_client("producer:audit");
    auto snapshot = [&](int64_t follower_hw) {
        ClusterSnapshot s;
        s.at = at(seconds(30));
        s.partitions.push_back(partition(orders0, 1,
                                         {replica(1, 20, {batch(0, 10, 1, 0), batch(10, 10, 1, 10)}),
                                          replica(2, follower_hw, {batch(0, 10, 1, 0), batch(10, 10, other, 0)})}));
        return s;
    };
    SECTION("a follower whose batch below the high watermark differs") {
        run.data.periodic_snapshots.push_back(snapshot(20));
        run.data.final_state = snapshot(20);
        run.data.final_state.at = at(seconds(60));
        CheckResult r = run.check(CheckKind::replicas_consistent);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "replicas disagree below the high watermark: broker:2 on orders/0");
        CHECK(r.evidence.size() == 1);  // the same divergence is reported once, when first seen
        CHECK(mentions(r, "at 30.000s orders/0: broker:2 has producer:audit orders/0 seq 0..9 at offsets 10..19 where "
                          "broker:1 (committed log) has producer:checkout orders/0 seq 10..19 at offsets 10..19, below "
                          "high watermark 20"));
    }
    SECTION("a difference above the follower's high watermark is not yet a disagreement") {
        run.data.final_state = snapshot(10);
        CheckResult r = run.check(CheckKind::replicas_consistent);
        INFO(checker_dump(r));
        CHECK(r.holds);
    }
}

TEST_CASE("replicas-consistent: an offset once read keeps its contents", "[checkers]") {
    Run run;
    uint32_t other = run.history.add_client("producer:audit");
    uint32_t c1 = run.history.add_client("consumer:billing/1");
    uint32_t c2 = run.history.add_client("consumer:audit/1");
    run.poll(seconds(10), c1, orders0, batch(0, 10, 1, 0));
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 0, {})}));  // committed nothing
    SECTION("read twice the same way") {
        run.poll(seconds(11), c2, orders0, batch(5, 5, 1, 5));
        CHECK(run.check(CheckKind::replicas_consistent).holds);
    }
    SECTION("read later with other contents") {
        run.poll(seconds(30), c2, orders0, batch(5, 5, other, 0));
        CheckResult r = run.check(CheckKind::replicas_consistent);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "orders/0 offset 5 was producer:checkout seq 5 for consumer:billing/1 at 10.000s, later "
                          "producer:audit seq 0 by consumer:audit/1 at 30.000s"));
    }
    SECTION("the final committed log rewrote what was read") {
        run.poll(seconds(11), c1, orders0, batch(10, 10, 1, 10));
        run.data.final_state.partitions = {partition(orders0, 2, {replica(2, 20, {batch(0, 20, other, 0)})})};
        CheckResult r = run.check(CheckKind::replicas_consistent);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "2 reads saw contents the final committed log no longer has");
        REQUIRE(r.evidence.size() == 1);  // one line per consumer and partition
        CHECK(r.evidence[0] == "rewritten after it was read: orders/0 offset 0 was read as producer:checkout seq 0 by "
                               "consumer:billing/1 at 10.000s; the final committed log (broker:2) holds producer:audit "
                               "orders/0 seq 0 there; 2 reads by consumer:billing/1 like it over offsets 0..19, "
                               "10.000s..11.000s");
    }
}

TEST_CASE("single-leader: one leader per epoch", "[checkers]") {
    Run run;
    run.trace.set_node_name(1, "broker:1");
    run.trace.set_node_name(2, "broker:2");
    run.trace.set_node_name(3, "controller:3000");
    run.trace.record(at(seconds(1)), 1, kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 3});
    run.trace.record(at(seconds(2)), 1, kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 3});
    run.trace.record(at(seconds(3)), 2, kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 4});
    run.trace.record(at(seconds(3)), 3, kafka::RaftLeader{.epoch = 2, .leader = 3000});
    run.trace.record(at(seconds(3)), 3, kafka::ControllerActive{.epoch = 2});
    SECTION("holds") {
        CheckResult r = run.check(CheckKind::single_leader);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.summary == "one leader per epoch: 2 partition leader epochs, 1 quorum leader epoch, 1 active controller epoch");
    }
    SECTION("two brokers claim one partition epoch") {
        run.trace.record(at(milliseconds(12500)), 2,
                         kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 3});
        CheckResult r = run.check(CheckKind::single_leader);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "1 epoch with two leaders: orders/0 partition leader epoch 3");
        CHECK(mentions(r, "orders/0 partition leader epoch 3: broker:1 at 1.000s and broker:2 at 12.500s"));
    }
    SECTION("two quorum leaders in one epoch") {
        run.trace.record(at(seconds(4)), 3, kafka::RaftLeader{.epoch = 2, .leader = 3001});
        CheckResult r = run.check(CheckKind::single_leader);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "quorum leader epoch 2: leader 3000 (per controller:3000) at 3.000s and leader 3001"));
    }
}

TEST_CASE("quorum: commits with no gap longer than one failover", "[checkers]") {
    Run run;
    run.trace.set_node_name(1, "controller:3000");
    run.trace.record(at(seconds(0)), 1, kafka::RaftLeader{.epoch = 1, .leader = 3000});
    for (int64_t ms = 0; ms <= 60000; ms += 500) {
        if (ms > 10000 && ms < 17000) continue;  // the quorum lost its majority
        run.trace.record(at(milliseconds(ms)), 1,
                         kafka::RaftHighWatermark{.epoch = ms < 17000 ? 1 : 2, .hw = ms / 500});
    }
    ExpectSpec spec;
    spec.check = CheckKind::quorum;
    SECTION("a 7s gap exceeds the 5s bound") {
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.params == "available=true");
        CHECK(r.summary == "the metadata quorum could not commit for 7s (10.000s..17.000s), more than the bound 5s = "
                           "fetch timeout 2s + 2 x election timeout 1s + backoff 1s");
        CHECK(mentions(r, "no commit for 7s: from 10.000s (epoch 1, hw 20) to 17.000s (epoch 2, hw 34)"));
    }
    SECTION("the bound follows the scenario's quorum timeouts") {
        run.data.scenario.kafka.config["controller.quorum.election.timeout.ms"] = int64_t{3000};
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(mentions(r, "longest gap 7s (bound 9s = fetch timeout 2s + 2 x election timeout 3s + backoff 1s)"));
    }
    SECTION("available=false holds inside the outage") {
        spec.available = false;
        spec.during_from = milliseconds(10100);
        spec.during_to = milliseconds(16900);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.params == "available=false during=10.1s..16.9s");
    }
    SECTION("available=false is violated by a commit in the window") {
        spec.available = false;
        spec.during_from = seconds(8);
        spec.during_to = seconds(12);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "commit at 8.000s (epoch 1, hw 16)"));
    }
}

// A check that needs the model's events must not pass when they never arrived: that is how a
// renamed or dropped emission would otherwise slip through as a pass.
TEST_CASE("single-leader and quorum: no leadership events means not checked, never a pass", "[checkers]") {
    Run run;
    run.data.scenario.topics.push_back(TopicSpec{});
    run.trace.set_node_name(1, "broker:1");
    run.trace.set_node_name(3, "controller:3000");
    SECTION("an empty trace") {
        for (bool expect_violated : {false, true}) {
            ExpectSpec spec;
            spec.check = CheckKind::single_leader;
            spec.expect_violated = expect_violated;
            CheckResult r = run.check(spec);
            INFO(checker_dump(r));
            CHECK_FALSE(r.checked);
            CHECK_FALSE(r.passed());
            CHECK(r.summary ==
                  "not checked: no partition leader, active controller, quorum leader events in the trace");
            spec.check = CheckKind::quorum;
            r = run.check(spec);
            INFO(checker_dump(r));
            CHECK_FALSE(r.checked);
            CHECK_FALSE(r.passed());
            CHECK(r.summary == "not checked: no metadata quorum leader (raft_leader) events in the trace");
        }
    }
    SECTION("quorum leaders but no partition leader") {
        run.trace.record(at(seconds(1)), 3, kafka::RaftLeader{.epoch = 1, .leader = 3000});
        run.trace.record(at(seconds(1)), 3, kafka::ControllerActive{.epoch = 1});
        CheckResult r = run.check(CheckKind::single_leader);
        CHECK_FALSE(r.passed());
        CHECK(r.summary == "not checked: no partition leader events in the trace");
        run.trace.record(at(seconds(2)), 1, kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 0});
        r = run.check(CheckKind::single_leader);
        CHECK(r.passed());
    }
    SECTION("ZooKeeper mode needs the ensemble's and the controller's events") {
        run.data.scenario.kafka.metadata = MetadataMode::zookeeper;
        run.trace.record(at(seconds(2)), 1, kafka::BecomeLeader{.topic = "orders", .partition = 0, .leader_epoch = 0});
        CheckResult r = run.check(CheckKind::single_leader);
        CHECK(r.summary == "not checked: no ZooKeeper-mode controller, ZooKeeper leader events in the trace");
        ExpectSpec spec;
        spec.check = CheckKind::quorum;
        CHECK(run.check(spec).summary == "not checked: no ZooKeeper leader (zk_leading) events in the trace");
    }
}

TEST_CASE("availability: every answer to a partition's batch is an attempt, retried refusals included", "[checkers]") {
    Run run;
    uint32_t other = run.history.add_client("producer:audit");
    // checkout: two batches acknowledged at once; a third refused with NOT_ENOUGH_REPLICAS 17
    // times (once a second) before it got through; a fourth given up; a fifth still in flight.
    run.ack(seconds(1), orders0, 0, 50, 0);
    run.ack(seconds(1), orders0, 50, 40, 50);
    run.history.on_send(run.producer, at(seconds(2)), orders0, 90, 10);
    for (int i = 0; i < 17; ++i)
        run.history.on_error(run.producer, at(seconds(3 + i)), orders0, 90, 10, kafka::Error::not_enough_replicas, false);
    run.ack(seconds(20), orders0, 90, 10, 90);
    run.history.on_error(run.producer, at(seconds(32)), orders0, 100, 10, kafka::Error::request_timed_out, true);
    run.history.on_send(run.producer, at(seconds(59)), orders0, 110, 5);  // in flight at the end: not counted
    run.history.on_send(other, at(seconds(2)), orders1, 0, 100);
    run.history.on_error(other, at(seconds(4)), orders1, 0, 100, kafka::Error::not_enough_replicas, true);

    ExpectSpec spec;
    spec.check = CheckKind::availability;
    spec.producer = "checkout";
    spec.min = 0.5;
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.params == "min=0.5 producer=checkout");
    // 3 acknowledgements of 21 answers; the records themselves mostly made it.
    CHECK(r.summary ==
          "producer:checkout: availability 0.1429 (3 of 21 produce attempts succeeded; min 0.5000); records "
          "acknowledged 0.9091 (100 of 110, 10 given up)");
    CHECK(mentions(r, "17 attempts refused and retried from 3.000s to 19.000s"));
    CHECK(mentions(r, "retried NOT_ENOUGH_REPLICAS: 170 records"));
    CHECK(mentions(r, "REQUEST_TIMED_OUT: 10 records"));
    CHECK(mentions(r, "5 records still in flight at the end, not counted"));

    spec.min = 0.14;
    CHECK(run.check(spec).holds);

    spec.producer.reset();
    spec.min = 0.1;
    CheckResult all = run.check(spec);
    INFO(checker_dump(all));
    CHECK(all.holds);
    CHECK(mentions(all, "availability 0.1364 (3 of 22 produce attempts succeeded"));
}

TEST_CASE("availability: no answered attempt is no evidence, not a pass", "[checkers]") {
    Run run;
    ExpectSpec spec;
    spec.check = CheckKind::availability;
    spec.min = 1.0;
    CheckResult r = run.check(spec);
    CHECK_FALSE(r.checked);
    CHECK_FALSE(r.passed());
    CHECK(r.summary == "not checked: all producers: no records were produced");
    run.history.on_send(run.producer, at(seconds(2)), orders0, 0, 10);
    r = run.check(spec);
    CHECK_FALSE(r.passed());
    CHECK(r.summary == "not checked: all producers: none of 10 sent records was answered (acknowledged or refused)");
}

TEST_CASE("max-lag: a group's total lag stays below the bound after a time", "[checkers]") {
    Run run;
    uint32_t a = run.history.add_client("consumer:billing/1");
    uint32_t b = run.history.add_client("consumer:billing/2");
    uint32_t other = run.history.add_client("consumer:audit/1");
    for (int s = 0; s < 60; ++s) {
        Sample sample;
        sample.t = at(seconds(s));
        int64_t lag = s < 40 ? 5000 : (s == 50 ? 1500 : 100);
        sample.consumers = {ConsumerSample{a, "billing", lag / 2}, ConsumerSample{b, "billing", lag - lag / 2},
                            ConsumerSample{other, "audit", 99999}};
        run.data.samples.push_back(sample);
    }
    ExpectSpec spec;
    spec.check = CheckKind::max_lag;
    spec.group = "billing";
    spec.below = 2000;
    spec.after = seconds(45);
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK(r.holds);
    CHECK(r.params == "group=billing below=2000 after=45s");
    CHECK(mentions(r, "max 1,500 at 50.000s"));

    spec.after = seconds(30);
    CheckResult late = run.check(spec);
    INFO(checker_dump(late));
    CHECK_FALSE(late.holds);
    CHECK(late.summary == "the lag of group billing reached 5,000 at 30.000s, not below 2,000 from 30.000s");
    CHECK(mentions(late, "position lag 5,000 (no committed offsets sampled: high watermark minus the members' fetch "
                         "positions: consumer:billing/1 2,500, consumer:billing/2 2,500)"));
    CHECK(mentions(late, "10 samples of 30 at or above 2,000, from 30.000s to 39.000s"));
}

TEST_CASE("max-lag: the evidence says which lag is from committed offsets and which from positions", "[checkers]") {
    Run run;
    uint32_t a = run.history.add_client("consumer:billing/1");
    uint32_t b = run.history.add_client("consumer:billing/2");
    Sample sample;
    sample.t = at(seconds(5));
    sample.consumers = {ConsumerSample{a, "billing", 624}, ConsumerSample{b, "billing", 108}};
    GroupSample g;
    g.group = "billing";
    g.state = "Stable";
    g.lag = 2448;
    sample.groups = {g};
    run.data.samples.push_back(sample);
    ExpectSpec spec;
    spec.check = CheckKind::max_lag;
    spec.group = "billing";
    spec.below = 2000;
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    // The total (2,448) is not the sum of the parts (732): the parts are the members' positions.
    CHECK(mentions(r, "committed lag 2,448 (high watermark minus committed offset, summed over the group's partitions, "
                      "as kafka-consumer-groups.sh shows it); the members' position lag then (high watermark minus "
                      "fetch position): consumer:billing/1 624, consumer:billing/2 108"));
}

namespace {

// Crash broker 2 at 10s, restart it at 20s; samples every second show orders/0's ISR short
// of broker 2 until `isr_back`, and the billing group's lag back to normal at `lag_back`.
void crash_and_restart(Run& run, int isr_back, int lag_back) {
    FaultRecord crash;
    crash.index = 0;
    crash.at = at(seconds(10));
    crash.action = FaultAction::crash;
    crash.resolved = {"broker:2"};
    crash.fired = true;
    FaultRecord restart = crash;
    restart.index = 1;
    restart.at = at(seconds(20));
    restart.action = FaultAction::restart;
    run.data.faults = {crash, restart};
    uint32_t consumer = run.history.add_client("consumer:billing/1");
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 0, {})}));
    for (int s = 0; s < 60; ++s) {
        Sample sample;
        sample.t = at(seconds(s));
        bool short_isr = s >= 10 && s < isr_back;
        sample.partitions = {partition_sample(1, 1, short_isr ? 2 : 3)};
        int64_t lag = s < 10 ? 200 : (s < lag_back ? 4000 : 250);
        sample.consumers = {ConsumerSample{consumer, "billing", lag}};
        run.data.samples.push_back(sample);
        run.ack(seconds(s) + milliseconds(500), orders0, static_cast<uint32_t>(s) * 10, 10, s * 10);
    }
}

}  // namespace

TEST_CASE("recovers: leaders, full ISRs, produces and lag back within the bound", "[checkers]") {
    Run run;
    ExpectSpec spec;
    spec.check = CheckKind::recovers;
    spec.within = seconds(10);
    SECTION("no fault fired: nothing to judge") {
        CheckResult r = run.check(spec);
        CHECK_FALSE(r.checked);
        CHECK_FALSE(r.passed());
        CHECK(r.summary == "not checked: no fault fired: there was nothing to recover from");
    }
    SECTION("recovered in time") {
        crash_and_restart(run, 26, 24);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.summary == "recovered 6s after the last fault was undone at 20.000s (within 10s)");
        CHECK(mentions(r, "produce to orders/0: back after 500ms; acknowledged from 20.500s"));
        CHECK(mentions(r, "lag of group billing: back after 4s; fresh and at most 300 (pre-fault peak 200 + 100) from "
                          "24.000s to the end"));
    }
    SECTION("the ISR came back too late") {
        crash_and_restart(run, 35, 24);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "recovered only 15s after the last fault was undone at 20.000s (more than 10s; slowest: leaders "
                           "and full ISRs)");
        CHECK(mentions(r, "orders/0 had ISR 2 of 3 from 10.000s until 34.000s"));
    }
    SECTION("lag never recovered") {
        crash_and_restart(run, 26, 100);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "not recovered after the last fault was undone at 20.000s: position lag of group billing never came back");
        CHECK(mentions(r, "lag of group billing: not back; not back to 300 (pre-fault peak 200 + 100) for good: 4,000 at "
                          "the end"));
    }
    SECTION("one good lag sample is not recovery: it must hold to the end") {
        crash_and_restart(run, 26, 31);
        run.data.samples[21].consumers[0].lag = 250;  // a dip at 21s, then 4,000 again until 31s
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "lag of group billing: back after 11s; fresh and at most 300 (pre-fault peak 200 + 100) from "
                          "31.000s to the end"));
    }
    SECTION("a lag number from a consumer that hears nothing is stale, not back") {
        crash_and_restart(run, 26, 24);
        for (Sample& sample : run.data.samples)
            if (sample.t >= at(seconds(10))) sample.consumers[0].stale_partitions = 1;  // cut off since the crash
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "lag of group billing: not back; not back to 300 (pre-fault peak 200 + 100) for good: 1 "
                          "partition not heard from in the last 2s at the end"));
    }
    SECTION("produce is back per partition, not at the first acknowledgement anywhere") {
        crash_and_restart(run, 26, 24);
        // orders/1 refused every batch from the crash until 35s; acknowledged from 36s.
        run.data.final_state.partitions.push_back(partition(orders1, 1, {replica(1, 0, {})}));
        for (int t = 10; t < 36; ++t)
            run.history.on_error(run.producer, at(seconds(t)), orders1, static_cast<uint32_t>(t), 1,
                                 kafka::Error::not_enough_replicas, false);
        run.ack(seconds(36), orders1, 10, 26, 0);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "recovered only 16s after the last fault was undone at 20.000s (more than 10s; slowest: "
                           "produce to orders/1)");
        CHECK(mentions(r, "produce to orders/1: back after 16s; acknowledged from 36.000s, last refused at 35.000s "
                          "(NOT_ENOUGH_REPLICAS)"));
    }
}

namespace {

// broker:1 leads orders/0 (epoch 1) and controller 3000 is active until the faults at 10s;
// broker:2 takes orders/0 over at `partition_back`, controller 3001 takes over at 12s.
void leader_crash(Run& run, int partition_back) {
    FaultRecord crash;
    crash.at = at(seconds(10));
    crash.action = FaultAction::crash;
    crash.resolved = {"broker:1", "controller:3000"};
    crash.fired = true;
    run.data.faults = {crash};
    run.data.final_state.partitions.push_back(partition(orders0, 2, {replica(2, 0, {})}));
    for (int s = 0; s < 60; ++s) {
        Sample sample;
        sample.t = at(seconds(s));
        bool moved = s >= partition_back;
        sample.partitions = {moved ? partition_sample(2, 2) : partition_sample(1, 1)};
        sample.active_controller = s < 10 ? 3000 : (s < 12 ? -1 : 3001);
        sample.quorum_epoch = s < 12 ? 1 : 2;
        run.data.samples.push_back(sample);
    }
}

}  // namespace

TEST_CASE("failover-time: each leader and controller failover within max", "[checkers]") {
    Run run;
    run.data.sample_interval = seconds(1);
    ExpectSpec spec;
    spec.check = CheckKind::failover_time;
    spec.max = seconds(10);
    SECTION("within") {
        leader_crash(run, 19);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.summary == "2 failovers, longest 9s (orders/0 leader after crash of broker:1 at 10.000s), max 10s (to the 1s "
                           "sample interval)");
        CHECK(mentions(r, "active controller: crash of controller:3000 at 10.000s (active controller, quorum epoch 1) -> "
                          "controller:3001 leads (epoch 2) at 12.000s: 2s"));
    }
    SECTION("too slow") {
        leader_crash(run, 25);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "of 2 failovers: 1 took longer than 10s (to the 1s sample interval)");
        CHECK(r.evidence.front() ==
              "orders/0 leader: crash of broker:1 at 10.000s (leader, epoch 1) -> broker:2 leads (epoch 2) at 25.000s: 15s");
    }
    SECTION("never") {
        leader_crash(run, 100);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(mentions(r, "orders/0 leader: crash of broker:1 at 10.000s (leader, epoch 1) -> no new leader by the end of the run"));
    }
    SECTION("a paused leader that came back and kept leading needed no failover") {
        leader_crash(run, 100);
        run.data.faults[0].action = FaultAction::pause;
        run.data.faults[0].resolved = {"broker:1"};
        for (Sample& s : run.data.samples) s.active_controller = 3000, s.quorum_epoch = 1;  // the controller stayed
        FaultRecord resume = run.data.faults[0];
                resume.is_undo = true;
        resume.at = at(seconds(13));
        run.data.faults.push_back(resume);
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.summary == "no failover was needed: every leader taken away came back still leading");
        CHECK(mentions(r, "broker:1 was back at 13.000s and kept leading: no failover"));
    }
}

TEST_CASE("failover-time: every leaderless stretch counts, with its cause, not only a fault's leader", "[checkers]") {
    // 1% loss on broker:1 from 9s (no node taken away): the controller quorum lost its leader
    // at 10s and 11s, orders/0 had none from 20s to 22s. Both are failovers to measure.
    Run run;
    run.data.sample_interval = seconds(1);
    FaultRecord loss;
    loss.at = at(seconds(9));
    loss.action = FaultAction::loss;
    loss.target_text = "broker:1";
    loss.resolved = {"broker:1"};
    loss.fired = true;
    run.data.faults = {loss};
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 0, {})}));
    for (int s = 0; s < 40; ++s) {
        Sample sample;
        sample.t = at(seconds(s));
        const bool no_leader = s >= 20 && s < 23;
        sample.partitions = {no_leader ? partition_sample(-1, 1) : partition_sample(1, s < 20 ? 1 : 2)};
        sample.active_controller = s < 10 ? 3000 : (s < 12 ? -1 : 3001);
        sample.quorum_epoch = s < 12 ? 1 : 2;
        run.data.samples.push_back(sample);
    }
    ExpectSpec spec;
    spec.check = CheckKind::failover_time;
    spec.max = seconds(1);
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "of 2 failovers: 2 took longer than 1s (to the 1s sample interval)");
    CHECK(mentions(r, "orders/0 leader: no leader from 20.000s, after loss broker:1 at 9.000s (leaderless) -> broker:1 "
                      "leads (epoch 2) at 23.000s: 3s"));
    CHECK(mentions(r, "active controller: no leader from 10.000s, after loss broker:1 at 9.000s (leaderless) -> "
                      "controller:3001 leads (epoch 2) at 12.000s: 2s"));
    SECTION("a cluster that was never leaderless has nothing to measure and holds") {
        for (Sample& s : run.data.samples) {
            s.partitions = {partition_sample(1, 1)};
            s.active_controller = 3000;
        }
        CheckResult calm = run.check(spec);
        CHECK(calm.holds);
    }
}

TEST_CASE("run_checks runs every expectation in order", "[checkers]") {
    Run run;
    run.ack(seconds(1), orders0, 0, 10, 0);
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 10, {batch(0, 10, 1, 0)})}));
    ExpectSpec loss;
    loss.index = 0;
    loss.check = CheckKind::no_acked_loss;
    ExpectSpec availability;
    availability.index = 1;
    availability.check = CheckKind::availability;
    availability.min = 0.5;
    availability.expect_violated = true;
    run.data.scenario.expect = {loss, availability};
    std::vector<CheckResult> results = run_checks(run.data);
    REQUIRE(results.size() == 2);
    CHECK(results[0].name == "no-acked-loss");
    CHECK(results[0].passed());
    CHECK(results[1].index == 1);
    CHECK(results[1].name == "availability");
    CHECK(results[1].params == "min=0.5");
    CHECK(results[1].holds);
    CHECK_FALSE(results[1].passed());  // it held, but the scenario expected it violated
}

TEST_CASE("evidence is capped at 20 lines", "[checkers]") {
    Run run;
    for (uint32_t i = 0; i < 30; ++i) run.ack(seconds(1), orders0, i * 2, 1, i * 2);
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 0, {})}));
    CheckResult r = run.check(CheckKind::no_acked_loss);
    REQUIRE(r.evidence.size() == 21);
    CHECK(r.evidence.back() == "... and 10 more");
}

TEST_CASE("checker helpers", "[checkers]") {
    using namespace scenarios::checkers;
    CHECK(with_commas(29412) == "29,412");
    CHECK(with_commas(1234567) == "1,234,567");
    CHECK(with_commas(999) == "999");
    CHECK(count_text(1, "record") == "1 record");
    CHECK(duration_text(sim::seconds(15)) == "15s");
    CHECK(duration_text(sim::microseconds(501215)) == "501.2ms");
    CHECK(duration_text(sim::microseconds(15101000)) == "15.101s");
    SeqSet s;
    s.add(10, 20);
    s.add(0, 5);
    s.add(18, 25);
    s.seal();
    REQUIRE(s.ranges().size() == 2);
    auto missing = s.missing(3, 30);
    REQUIRE(missing.size() == 2);
    CHECK((missing[0].first == 5 && missing[0].end == 10));
    CHECK((missing[1].first == 25 && missing[1].end == 30));
    auto present = s.present(3, 12);
    REQUIRE(present.size() == 2);
    CHECK((present[0].first == 3 && present[0].end == 5));
    CHECK((present[1].first == 10 && present[1].end == 12));
}

TEST_CASE("checks on a run that produced and read nothing are 'not checked', never passed", "[checkers]") {
    // Issue 20: 30 KRaft controllers in a 10 s run produced nothing, and every expectation passed.
    Run run;
    run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 0, {})}));
    for (CheckKind kind : {CheckKind::no_acked_loss, CheckKind::no_duplicates, CheckKind::per_partition_order,
                           CheckKind::replicas_consistent, CheckKind::availability, CheckKind::recovers}) {
        ExpectSpec spec;
        spec.check = kind;
        spec.min = 1.0;
        CheckResult r = run.check(spec);
        INFO(to_string(kind) << ": " << r.summary);
        CHECK_FALSE(r.checked);
        CHECK_FALSE(r.passed());
        spec.expect_violated = true;
        CHECK_FALSE(run.check(spec).passed());  // nor does "violated" pass on nothing
    }
}

TEST_CASE("at-least-once tells records retention removed before the group read them from records never delivered",
          "[checkers]") {
    Run run;
    for (uint32_t i = 0; i < 4; ++i) run.ack(seconds(1 + i), orders0, i * 5, 5, i * 5);
    // Retention deleted offsets 0..9 (the first segment); the log starts at 10.
    ReplicaSnapshot leader = replica(1, 20, {batch(10, 5, 1, 10), batch(15, 5, 1, 15)});
    leader.log_start_offset = 10;
    run.data.final_state.partitions.push_back(partition(orders0, 1, {leader}));
    run.trace.set_node_name(1, "broker:1");
    run.trace.set_node_name(7, "consumer:billing/1");
    run.trace.record(at(seconds(30)), 1,
                     kafka::LogSegmentsDeleted{.topic = "orders", .partition = 0, .reason = "retention.ms", .segments = 1,
                                               .bytes = 1000, .from = 0, .to = 10, .log_start_offset = 10,
                                               .newest_record_age_ms = 28000});
    run.trace.record(at(seconds(31)), 7,
                     kafka::ConsumerOffsetReset{.topic = "orders", .partition = 0, .offset = 5, .reset = "earliest",
                                                .log_start_offset = 10, .high_watermark = 20});
    uint32_t a = run.history.add_client("consumer:billing/1");
    run.group("billing", {a});
    ExpectSpec spec;
    spec.check = CheckKind::at_least_once;
    spec.group = "billing";

    SECTION("the group read 0..4, then jumped to the log start: 5..9 were removed by retention, not lost") {
        run.poll(seconds(6), a, orders0, batch(0, 5, 1, 0));
        run.poll(seconds(32), a, orders0, batch(10, 5, 1, 10));
        run.poll(seconds(33), a, orders0, batch(15, 5, 1, 15));
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);  // the group still did not get them
        CHECK(r.summary == "5 acknowledged records never delivered (all removed by retention before they were read, "
                           "not lost): billing (5 records, 5 of them removed by retention before it read them)");
        REQUIRE(r.evidence.size() == 1);
        CHECK(r.evidence[0] ==
              "group billing never got producer:checkout orders/0 seq 5..9 (acknowledged at 2.000s): removed by "
              "retention before it was read, offsets 5..9 deleted by retention.ms at 30.000s on broker:1 (log start "
              "offset 10); consumer:billing/1 got OFFSET_OUT_OF_RANGE at offset 5 at 31.000s (log start offset 10) "
              "and auto.offset.reset=earliest moved it on");
        // no-acked-loss: below the log start offset, so not checked and not lost.
        CheckResult loss = run.check(CheckKind::no_acked_loss);
        INFO(checker_dump(loss));
        CHECK(loss.holds);
        CHECK(mentions(loss, "10 records below the log start offset, removed by retention, not checked"));
    }
    SECTION("records above the log start offset that the group never got are just missing") {
        run.poll(seconds(6), a, orders0, batch(0, 5, 1, 0));
        run.poll(seconds(33), a, orders0, batch(15, 5, 1, 15));
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "10 acknowledged records never delivered (5 removed by retention before they were read): "
                           "billing (10 records, 5 of them removed by retention before it read them)");
        REQUIRE(r.evidence.size() == 2);
        CHECK(r.evidence[1] == "group billing never got producer:checkout orders/0 seq 10..14 (acknowledged at 3.000s)");
    }
}

TEST_CASE("at-least-once does not count records still in the log that the group had not reached at the end",
          "[checkers]") {
    Run run;
    for (uint32_t i = 0; i < 4; ++i) run.ack(seconds(1 + i), orders0, i * 5, 5, i * 5);
    uint32_t a = run.history.add_client("consumer:billing/1");
    run.group("billing", {a});
    ExpectSpec spec;
    spec.check = CheckKind::at_least_once;
    spec.group = "billing";
    const ReplicaSnapshot full = replica(1, 20, {batch(0, 5, 1, 0), batch(5, 5, 1, 5), batch(10, 5, 1, 10), batch(15, 5, 1, 15)});

    SECTION("read 0..9 of 20 when the run ended: the rest is not read yet, not a broken promise") {
        run.data.final_state.partitions.push_back(partition(orders0, 1, {full}));
        run.poll(seconds(6), a, orders0, batch(0, 5, 1, 0));
        run.poll(seconds(7), a, orders0, batch(5, 5, 1, 5));
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK(r.holds);
        CHECK(r.summary == "every acknowledged record up to where group billing stood at the end reached it at least "
                           "once (10 later not read yet)");
        CHECK(mentions(r, "group billing had not yet reached 10 acknowledged records still in the log when the run "
                          "ended (at or past where it stood): not counted"));
    }
    SECTION("a member that stood at offset 15 jumped over 10..14: those are missing, 15..19 not read yet") {
        run.data.final_state.partitions.push_back(partition(orders0, 1, {full}));
        run.poll(seconds(6), a, orders0, batch(0, 5, 1, 0));
        run.poll(seconds(7), a, orders0, batch(5, 5, 1, 5));
        run.data.final_positions.push_back(ConsumerPosition{a, "billing", orders0, 15});
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "5 acknowledged records never delivered: billing (5 records)");
        CHECK(mentions(r, "group billing never got producer:checkout orders/0 seq 10..14"));
        CHECK(mentions(r, "had not yet reached 5 acknowledged records"));
    }
    SECTION("records no longer in the committed log can never be read: missing, not 'not read yet'") {
        // An unclean election truncated the log to 0..9; the group read all of it.
        run.data.final_state.partitions.push_back(partition(orders0, 1, {replica(1, 10, {batch(0, 5, 1, 0), batch(5, 5, 1, 5)})}));
        run.poll(seconds(6), a, orders0, batch(0, 5, 1, 0));
        run.poll(seconds(7), a, orders0, batch(5, 5, 1, 5));
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.holds);
        CHECK(r.summary == "10 acknowledged records never delivered: billing (10 records)");
    }
    SECTION("a group that had read nothing at the end gives no evidence either way") {
        run.data.final_state.partitions.push_back(partition(orders0, 1, {full}));
        CheckResult r = run.check(spec);
        INFO(checker_dump(r));
        CHECK_FALSE(r.checked);
        CHECK_FALSE(r.passed());
        CHECK(r.summary == "not checked: the group had read none of the 20 acknowledged records when the run ended");
    }
}

TEST_CASE("recovers: a group whose partitions no member holds is not back, whatever its lag number says",
          "[checkers]") {
    Run run;
    ExpectSpec spec;
    spec.check = CheckKind::recovers;
    spec.within = seconds(10);
    crash_and_restart(run, 26, 24);
    // Rebalancing to the end: from 10s no member holds orders/0, and its members report lag 0.
    for (Sample& sample : run.data.samples) {
        sample.groups = {GroupSample{.group = "billing"}};
        if (sample.t >= at(seconds(10))) {
            sample.consumers[0].lag = 0;
            sample.groups[0].unowned_partitions = 1;
        }
    }
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "not recovered after the last fault was undone at 20.000s: position lag of group billing never came back");
    CHECK(mentions(r, "lag of group billing: not back; not back to 300 (pre-fault peak 200 + 100) for good: 1 partition "
                      "held by no member at the end"));
}

TEST_CASE("recovers: a batch refused since before the faults is told as such", "[checkers]") {
    Run run;
    ExpectSpec spec;
    spec.check = CheckKind::recovers;
    spec.within = seconds(10);
    crash_and_restart(run, 26, 24);
    // orders/1: records 0..4 refused OUT_OF_ORDER_SEQUENCE_NUMBER from 2s to the end (KAFKA-15591),
    // while later records were acknowledged.
    run.data.final_state.partitions.push_back(partition(orders1, 1, {replica(1, 0, {})}));
    for (int t = 2; t < 60; ++t)
        run.history.on_error(run.producer, at(seconds(t)), orders1, 0, 5, kafka::Error::out_of_order_sequence_number,
                             false);
    run.ack(seconds(21), orders1, 5, 100, 0);
    CheckResult r = run.check(spec);
    INFO(checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(mentions(r, "produce to orders/1: not back; records 0..4 of producer:checkout refused 58 times from 2.000s to "
                      "the end (last OUT_OF_ORDER_SEQUENCE_NUMBER), since before the first fault; later records "
                      "acknowledged from 21.000s"));
}

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

TEST_CASE("at-least-once names auto.offset.reset=latest as the cause when the group starts at the log end",
          "[checkers]") {
    const std::string text = R"({"name": "latest", "duration": "20s", "kafka": {"brokers": 3},
      "topics": [{"name": "t", "partitions": 2, "replication.factor": 3}],
      "producers": [{"id": "p", "topic": "t", "rate": 50}],
      "consumers": [{"group": "g", "members": 1, "topics": ["t"]}],
      "expect": [{"check": "at-least-once", "group": "g"}]})";
    auto run_with = [&](const std::string& file_text) {
        auto loaded = scenarios::load_scenario_text(file_text, "latest.json");
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        run.finish();
        REQUIRE(run.checks().size() == 1);
        return run.checks().front();
    };
    const scenarios::CheckResult latest = run_with(text);
    CHECK_FALSE(latest.holds);
    REQUIRE_FALSE(latest.evidence.empty());
    CHECK(latest.evidence.front().find("group g reads with auto.offset.reset=latest (Kafka's default)") == 0);
    std::string earliest = text;
    earliest.replace(earliest.find(R"("topics": ["t"]})"), 16, R"("topics": ["t"], "config": {"auto.offset.reset": "earliest"}})");
    CHECK(run_with(earliest).holds);
}
