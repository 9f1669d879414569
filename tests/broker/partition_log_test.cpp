#include <catch2/catch.hpp>

#include "broker/log/partition_log.hpp"
#include "broker/replica/partition.hpp"

using namespace kafka;

namespace {

RecordBatch batch(uint32_t first_seq, int32_t count, int32_t size = 100) {
    RecordBatch b;
    b.record_count = count;
    b.size_bytes = size;
    b.client = 1;
    b.first_seq = first_seq;
    return b;
}

TopicConfig small_segments(int64_t bytes) {
    TopicConfig c;
    c.segment_bytes = bytes;
    return c;
}

}  // namespace

TEST_CASE("segments roll on segment.bytes and are named by base offset") {
    sim::Disk disk;
    PartitionLog log(disk, "orders-0", small_segments(250));
    for (uint32_t i = 0; i < 5; ++i) log.append_as_leader(batch(i * 2, 2), 0, sim::time_zero);
    REQUIRE(log.log_end_offset() == 10);
    REQUIRE(log.segment_count() == 3);  // 2 batches of 100 bytes fit under 250
    REQUIRE(disk.exists("orders-0/00000000000000000000.log"));
    REQUIRE(disk.exists("orders-0/00000000000000000004.log"));
    REQUIRE(disk.exists("orders-0/00000000000000000008.log"));
    std::vector<RecordBatch> out;
    log.read(3, 10, 1 << 20, out);
    REQUIRE(out.size() == 4);
    REQUIRE(out.front().base_offset == 2);  // the batch containing offset 3
}

TEST_CASE("segments roll on segment.ms") {
    sim::Disk disk;
    TopicConfig c;
    c.segment_ms = 1000;
    PartitionLog log(disk, "t-0", c);
    log.append_as_leader(batch(0, 1), 0, sim::time_zero);
    log.append_as_leader(batch(1, 1), 0, sim::time_zero + sim::milliseconds(500));
    REQUIRE(log.segment_count() == 1);
    log.append_as_leader(batch(2, 1), 0, sim::time_zero + sim::milliseconds(1200));
    REQUIRE(log.segment_count() == 2);
}

TEST_CASE("truncation is at batch boundaries and removes later segments and epochs") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", small_segments(250));
    log.append_as_leader(batch(0, 3), 1, sim::time_zero);  // 0..2
    log.append_as_leader(batch(3, 3), 1, sim::time_zero);  // 3..5
    log.append_as_leader(batch(6, 3), 2, sim::time_zero);  // 6..8, new segment, epoch 2
    REQUIRE(log.epochs().size() == 2);
    log.truncate_to(4);  // inside the batch 3..5: the whole batch goes
    REQUIRE(log.log_end_offset() == 3);
    REQUIRE(log.segment_count() == 1);
    REQUIRE(log.epochs().size() == 1);
    REQUIRE(log.latest_epoch() == 1);
}

TEST_CASE("end offset for an epoch follows KIP-279") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", TopicConfig{});
    log.append_as_leader(batch(0, 2), 0, sim::time_zero);  // epoch 0: 0..1
    log.append_as_leader(batch(2, 3), 2, sim::time_zero);  // epoch 2: 2..4
    log.append_as_leader(batch(5, 1), 5, sim::time_zero);  // epoch 5: 5
    auto e = log.end_offset_for_epoch(0);
    REQUIRE(e->epoch == 0);
    REQUIRE(e->end_offset == 2);
    e = log.end_offset_for_epoch(3);  // no epoch 3: the largest below it is 2, ending at 5
    REQUIRE(e->epoch == 2);
    REQUIRE(e->end_offset == 5);
    e = log.end_offset_for_epoch(7);
    REQUIRE(e->epoch == 5);
    REQUIRE(e->end_offset == 6);
    REQUIRE_FALSE(log.end_offset_for_epoch(-1).has_value());

    // A log that lost its start (power loss) and was written again in epoch 4: an older
    // epoch ends where epoch 4 starts, so a follower that has epoch 1 truncates to there.
    sim::Disk disk2;
    PartitionLog fresh(disk2, "t-1", TopicConfig{});
    fresh.append_as_leader(batch(0, 3), 4, sim::time_zero);
    e = fresh.end_offset_for_epoch(1);
    REQUIRE(e->epoch == 1);
    REQUIRE(e->end_offset == 0);
}

TEST_CASE("a reopened log is rebuilt from the disk, power loss keeps only flushed batches") {
    sim::Disk disk;
    {
        PartitionLog log(disk, "t-0", TopicConfig{});
        log.append_as_leader(batch(0, 2), 0, sim::time_zero);
        log.flush();
        log.append_as_leader(batch(2, 2), 1, sim::time_zero);
        log.checkpoint_high_watermark(4);
    }
    {
        PartitionLog crashed(disk, "t-0", TopicConfig{});  // kill -9: the page cache survives
        REQUIRE(crashed.log_end_offset() == 4);
        REQUIRE(crashed.latest_epoch() == 1);
    }
    disk.power_loss();
    PartitionLog reopened(disk, "t-0", TopicConfig{});
    REQUIRE(reopened.log_end_offset() == 2);
    REQUIRE(reopened.latest_epoch() == 0);
    REQUIRE(reopened.checkpointed_high_watermark() == 0);  // the checkpoint was never flushed
}

TEST_CASE("flush.messages: a log fsyncs once that many records are unflushed (UnifiedLog.append)") {
    const int64_t flush_messages = GENERATE(int64_t{1}, int64_t{4}, TopicConfig{}.flush_messages);
    INFO("flush.messages=" << flush_messages);
    sim::Disk disk;
    TopicConfig c;
    c.flush_messages = flush_messages;
    {
        PartitionLog log(disk, "t-0", c);
        for (uint32_t i = 0; i < 3; ++i) log.append_as_leader(batch(i * 2, 2), 0, sim::time_zero);  // offsets 0..5
        RecordBatch follower = batch(6, 1);
        follower.base_offset = 6;
        log.append_as_follower(follower, sim::time_zero);  // a follower's append flushes the same way
    }
    disk.power_loss();
    PartitionLog reopened(disk, "t-0", c);
    // 1: every append is on disk; 4: flushed when the second batch made 4 records unflushed, the
    // last 3 are not; the default (Long.MAX_VALUE): nothing, the OS has not written back yet.
    const int64_t expected = flush_messages == 1 ? 7 : flush_messages == 4 ? 4 : 0;
    CHECK(reopened.log_end_offset() == expected);
}

TEST_CASE("flush.ms: the log flusher fsyncs a log this long after its last flush (LogManager.flushDirtyLogs)") {
    sim::Disk disk;
    TopicConfig c;
    c.flush_ms = 1000;
    {
        PartitionLog log(disk, "t-0", c);
        log.flush_if_due(sim::time_zero);  // the clock starts
        log.append_as_leader(batch(0, 2), 0, sim::time_zero);
        log.flush_if_due(sim::time_zero + sim::milliseconds(999));
        CHECK(log.recovery_point() == 0);
        log.flush_if_due(sim::time_zero + sim::milliseconds(1000));
        CHECK(log.recovery_point() == 2);
        log.append_as_leader(batch(2, 2), 0, sim::time_zero + sim::milliseconds(1100));
        log.flush_if_due(sim::time_zero + sim::milliseconds(1500));
    }
    disk.power_loss();
    PartitionLog reopened(disk, "t-0", c);
    CHECK(reopened.log_end_offset() == 2);
}

TEST_CASE("partition: acks=all needs min.insync.replicas and the high watermark") {
    sim::Disk disk;
    TopicConfig cfg;
    cfg.min_insync_replicas = 2;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, cfg, Behaviour{});
    PartitionAssignment a{1, 0, 0, {1, 2, 3}, {1, 2, 3}};
    sim::Time t0 = sim::time_zero;
    p.make_leader(a, t0);
    auto r = p.append_as_leader(batch(0, 5), -1, t0);
    REQUIRE(r.error == Error::none);
    REQUIRE(p.ack_state(r.required_offset) == Partition::AckState::waiting);
    // Followers fetch from the log end: the high watermark is the minimum over the ISR.
    p.on_follower_fetch(2, 5, 0, 0, t0);
    REQUIRE(p.high_watermark() == 0);
    p.on_follower_fetch(3, 5, 0, 0, t0);
    REQUIRE(p.high_watermark() == 5);
    REQUIRE(p.ack_state(r.required_offset) == Partition::AckState::done);

    // Shrink the ISR below min.insync.replicas: acks=all is refused before the append.
    p.update_isr(PartitionAssignment{1, 0, 1, {1, 2, 3}, {1}});
    REQUIRE(p.append_as_leader(batch(5, 1), -1, t0).error == Error::not_enough_replicas);
    REQUIRE(p.append_as_leader(batch(5, 1), 1, t0).error == Error::none);  // acks=1 goes through
    // 3.7+: the high watermark does not advance while the ISR is below min.insync.replicas.
    REQUIRE(p.high_watermark() == 5);
}

TEST_CASE("partition: a follower behind for replica.lag.time.max.ms is out of sync") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    sim::Time t0 = sim::time_zero;
    p.make_leader(PartitionAssignment{1, 3, 0, {1, 2, 3}, {1, 2, 3}}, t0);
    p.append_as_leader(batch(0, 1), 1, t0);
    p.on_follower_fetch(2, 1, 3, 3, t0 + sim::milliseconds(100));  // caught up
    p.on_follower_fetch(3, 0, -1, 3, t0 + sim::milliseconds(100)); // behind
    auto out = p.out_of_sync_replicas(t0 + sim::milliseconds(30200), 30000);
    REQUIRE(out == std::vector<BrokerId>{3});
}

TEST_CASE("partition: the leader reports divergence for a follower's stale epoch") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(PartitionAssignment{1, 1, 0, {1, 2}, {1, 2}}, sim::time_zero);
    p.append_as_leader(batch(0, 4), 1, sim::time_zero);  // epoch 1: offsets 0..3
    p.make_leader(PartitionAssignment{1, 3, 1, {1, 2}, {1, 2}}, sim::time_zero);
    p.append_as_leader(batch(4, 2), 1, sim::time_zero);  // epoch 3: offsets 4..5
    // The follower wrote offsets 0..5 in epoch 2 (an old leader): it must truncate to 4.
    auto f = p.on_follower_fetch(2, 6, 2, 3, sim::time_zero);
    REQUIRE(f.diverging);
    REQUIRE(f.diverging_at.epoch == 1);
    REQUIRE(f.diverging_at.end_offset == 4);
    // A stale current epoch is fenced (KIP-320).
    REQUIRE(p.on_follower_fetch(2, 4, 1, 2, sim::time_zero).error == Error::fenced_leader_epoch);
}

namespace {

// A replica whose log was written in the given epochs, `count` records each, as leader.
void write_epochs(Partition& p, std::initializer_list<std::pair<int32_t, int32_t>> epochs) {
    uint32_t seq = 0;
    for (auto [epoch, count] : epochs) {
        p.make_leader(PartitionAssignment{1, epoch, 0, {1, 2}, {1}}, sim::time_zero);
        p.append_as_leader(batch(seq, count), 1, sim::time_zero);
        seq += static_cast<uint32_t>(count);
    }
}

}  // namespace

TEST_CASE("partition: OffsetForLeaderEpoch before and after KIP-279 (KAFKA-6361's logs)") {
    // The test logsShouldNotDivergeOnUncleanLeaderElections leaves these two histories:
    // the leader wrote epochs 0, 2, 4, the returning follower epochs 0, 1, 3.
    sim::Disk leader_disk, follower_disk;
    Behaviour old_release = Behaviour{};
    old_release.kip279_epoch_end_offsets = false;
    old_release.fetch_detects_divergence = false;
    Behaviour fixed = old_release;
    fixed.kip279_epoch_end_offsets = true;

    SECTION("0.11: the leader answers with the start of its next epoch, so the follower keeps foreign records") {
        Partition leader(TopicPartition{1, 0}, "orders", 1, leader_disk, TopicConfig{}, old_release);
        Partition follower(TopicPartition{1, 0}, "orders", 2, follower_disk, TopicConfig{}, old_release);
        write_epochs(leader, {{0, 1}, {2, 3}, {4, 2}});
        write_epochs(follower, {{0, 1}, {1, 1}, {3, 1}});
        EpochEnd answer = leader.answer_epoch_query(3);
        REQUIRE(answer.epoch == -1);
        REQUIRE(answer.end_offset == 4);  // where epoch 4 starts: the leader never had epoch 3
        auto t = follower.truncation_for(3, answer);
        REQUIRE(t.done);
        REQUIRE(t.to == 3);  // min(4, log end): nothing truncated, offsets 1..2 differ from the leader's
    }
    SECTION("2.0: the answer names the leader's epoch and the follower steps back until they share one") {
        Partition leader(TopicPartition{1, 0}, "orders", 1, leader_disk, TopicConfig{}, fixed);
        Partition follower(TopicPartition{1, 0}, "orders", 2, follower_disk, TopicConfig{}, fixed);
        write_epochs(leader, {{0, 1}, {2, 3}, {4, 2}});
        write_epochs(follower, {{0, 1}, {1, 1}, {3, 1}});
        EpochEnd answer = leader.answer_epoch_query(3);
        REQUIRE(answer.epoch == 2);
        REQUIRE(answer.end_offset == 4);
        auto first = follower.truncation_for(3, answer);
        REQUIRE_FALSE(first.done);  // the follower has no epoch 2: back to the end of its epoch 1
        REQUIRE(first.to == 2);
        follower.truncate_to(first.to);
        REQUIRE(follower.log().latest_epoch() == 1);
        answer = leader.answer_epoch_query(1);
        REQUIRE(answer.epoch == 0);
        REQUIRE(answer.end_offset == 1);
        auto second = follower.truncation_for(1, answer);
        REQUIRE(second.done);
        REQUIRE(second.to == 1);  // the end of epoch 0, the history both replicas share
    }
    SECTION("an epoch the leader cannot place is UNDEFINED, and the follower falls back to its high watermark") {
        Partition leader(TopicPartition{1, 0}, "orders", 1, leader_disk, TopicConfig{}, fixed);
        write_epochs(leader, {{2, 3}});
        REQUIRE(leader.answer_epoch_query(1).end_offset == -1);  // older than every epoch it has
        REQUIRE(leader.answer_epoch_query(5).end_offset == -1);  // newer than its own
        REQUIRE(leader.answer_epoch_query(2).end_offset == 3);   // its latest: the log end
    }
}

TEST_CASE("partition: a follower joins the ISR only from the start of the leader's epoch (KAFKA-7128, 2.0.1)") {
    // KAFKA-7128's state: broker 2 followed with a high watermark one fetch behind (5 of 10),
    // then became leader; broker 4 (in the ISR) has not fetched yet, so the high watermark
    // stays at 5. Broker 3, outside the ISR, fetches from offset 6.
    const bool fixed = GENERATE(false, true);
    INFO("isr_join_requires_epoch_start=" << fixed);
    Behaviour behaviour;
    behaviour.isr_join_requires_epoch_start = fixed;
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 2, disk, TopicConfig{}, behaviour);
    p.make_follower(PartitionAssignment{1, 1, 0, {1, 2, 3, 4}, {1, 2, 4}}, sim::time_zero);
    std::vector<RecordBatch> fetched;
    for (int i = 0; i < 10; ++i) {
        RecordBatch b = batch(static_cast<uint32_t>(i), 1);
        b.base_offset = i;
        b.leader_epoch = 1;
        fetched.push_back(b);
    }
    REQUIRE(p.append_fetched(fetched, 5, sim::time_zero));
    REQUIRE(p.high_watermark() == 5);
    p.make_leader(PartitionAssignment{2, 2, 1, {1, 2, 3, 4}, {2, 4}}, sim::time_zero);
    REQUIRE(p.leader_epoch_start_offset() == 10);
    REQUIRE(p.high_watermark() == 5);  // broker 4's log end is unknown until it fetches

    auto f = p.on_follower_fetch(3, 6, -1, 2, sim::time_zero);
    REQUIRE(f.error == Error::none);
    // Offsets 5..9 were acknowledged under epoch 1; broker 3 lacks them.
    CHECK(f.wants_isr_expand == !fixed);
    CHECK(p.on_follower_fetch(3, 10, -1, 2, sim::time_zero).wants_isr_expand);
}

TEST_CASE("partition: a producer's first sequence by release (ProducerAppendInfo.checkSequence)") {
    auto idempotent = [](uint32_t first_seq, int32_t count, int64_t pid, int16_t epoch, int32_t sequence) {
        RecordBatch b = batch(first_seq, count);
        b.producer_id = pid;
        b.producer_epoch = epoch;
        b.base_sequence = sequence;
        return b;
    };
    struct Case {
        const char* version;
        Error unknown_producer_on_empty_log;    // producer 6 starts at sequence 5 on an empty log
        Error unknown_producer_on_written_log;  // producer 8 starts at sequence 5 after producer 7 wrote
    };
    const Case cases[] = {
        {"0.11", Error::out_of_order_sequence_number, Error::out_of_order_sequence_number},  // before KAFKA-5793
        {"2.0", Error::unknown_producer_id, Error::unknown_producer_id},                     // KAFKA-5793, 1.0
        {"2.4", Error::unknown_producer_id, Error::unknown_producer_id},
        {"3.7", Error::none, Error::none},                                                   // KIP-360, 2.5
        {"4.1", Error::none, Error::none},
        {"4.5", Error::out_of_order_sequence_number, Error::none},                           // KAFKA-15591
    };
    for (const Case& c : cases) {
        INFO(c.version);
        sim::Disk disk;
        Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, kafka::profile_for(c.version)->behaviour);
        p.make_leader(PartitionAssignment{1, 0, 0, {1}, {1}}, sim::time_zero);
        CHECK(p.append_as_leader(idempotent(5, 1, 6, 0, 5), -1, sim::time_zero).error == c.unknown_producer_on_empty_log);
        REQUIRE(p.append_as_leader(idempotent(0, 5, 7, 0, 0), -1, sim::time_zero).error == Error::none);
        CHECK(p.append_as_leader(idempotent(5, 1, 8, 0, 5), -1, sim::time_zero).error == c.unknown_producer_on_written_log);
        // Every release: a known producer id continues at the next sequence; a retry inside the
        // last five batches is a duplicate (its first offset); a gap is out of order.
        REQUIRE(p.append_as_leader(idempotent(5, 2, 7, 0, 5), -1, sim::time_zero).error == Error::none);
        auto dup = p.append_as_leader(idempotent(0, 5, 7, 0, 0), -1, sim::time_zero);
        CHECK(dup.error == Error::none);
        CHECK(dup.base_offset == (c.unknown_producer_on_empty_log == Error::none ? 1 : 0));
        CHECK(p.append_as_leader(idempotent(9, 1, 7, 0, 9), -1, sim::time_zero).error ==
              Error::out_of_order_sequence_number);
        // A new epoch of a known producer id starts at 0; an older epoch is fenced.
        CHECK(p.append_as_leader(idempotent(7, 1, 7, 1, 7), -1, sim::time_zero).error ==
              Error::out_of_order_sequence_number);
        CHECK(p.append_as_leader(idempotent(7, 1, 7, 1, 0), -1, sim::time_zero).error == Error::none);
        CHECK(p.append_as_leader(idempotent(8, 1, 7, 0, 7), -1, sim::time_zero).error == Error::invalid_producer_epoch);
    }
}

// ---------------------------------------------------------------- retention (UnifiedLog.deleteOldSegments)

namespace {

RecordBatch batch_at(uint32_t first_seq, int32_t count, sim::Time created, int32_t size = 100) {
    RecordBatch b = batch(first_seq, count, size);
    b.create_time = created;
    return b;
}

sim::Time at_s(int64_t s) { return sim::time_zero + sim::seconds(s); }

// Segments of two 100-byte batches: offsets 0..3 at 0 s and 1 s, 4..7 at 2 s and 3 s, 8..9 at 4 s.
PartitionLog& five_batches(PartitionLog& log) {
    for (uint32_t i = 0; i < 5; ++i) log.append_as_leader(batch_at(i * 2, 2, at_s(i)), 0, at_s(i));
    return log;
}

TopicConfig retention(int64_t ms, int64_t bytes) {
    TopicConfig c = small_segments(250);
    c.retention_ms = ms;
    c.retention_bytes = bytes;
    return c;
}

}  // namespace

TEST_CASE("retention.ms deletes closed segments whose newest record is older, never past the high watermark") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", retention(10'000, -1));
    five_batches(log);
    REQUIRE(log.segment_count() == 3);
    // At 12 s the first segment's newest record (1 s) is 11 s old, the second's (3 s) 9 s.
    std::vector<SegmentDeletion> d = log.delete_old_segments(at_s(12), 10, true);
    REQUIRE(d.size() == 1);
    CHECK(std::string(d[0].reason) == "retention.ms");
    CHECK(d[0].segments == 1);
    CHECK(d[0].bytes == 200);
    CHECK(d[0].from_offset == 0);
    CHECK(d[0].to_offset == 4);
    CHECK(log.log_start_offset() == 4);
    CHECK_FALSE(disk.exists("t-0/00000000000000000000.log"));
    std::vector<RecordBatch> out;
    log.read(0, 10, 1 << 20, out);
    CHECK(out.empty());  // below the log start offset: nothing to read
    CHECK(log.find(2) == nullptr);
    // Exactly retention.ms old is kept (Kafka deletes when strictly older).
    CHECK(log.delete_old_segments(at_s(13), 10, true).empty());
    // The high watermark holds deletion back: the second segment ends at 8, the HW is 6.
    CHECK(log.delete_old_segments(at_s(100), 6, true).empty());
    CHECK(log.log_start_offset() == 4);
    // Without retention (a compacted topic) nothing goes by age.
    CHECK(log.delete_old_segments(at_s(100), 10, false).empty());
}

TEST_CASE("retention.ms takes the active segment only when all of it expired, by rolling a new one") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", retention(10'000, -1));
    five_batches(log);
    std::vector<SegmentDeletion> d = log.delete_old_segments(at_s(100), 10, true);
    REQUIRE(d.size() == 1);
    CHECK(d[0].segments == 3);
    CHECK(log.segment_count() == 1);  // the new, empty active segment at the log end
    CHECK(log.log_start_offset() == 10);
    CHECK(log.log_end_offset() == 10);
    CHECK(disk.exists("t-0/00000000000000000010.log"));
    // An empty active segment is never deleted.
    CHECK(log.delete_old_segments(at_s(1000), 10, true).empty());
    // Appends go on from the log end.
    CHECK(log.append_as_leader(batch_at(10, 1, at_s(1000)), 0, at_s(1000)) == 10);
    // A high watermark below the log end keeps the active segment however old it is.
    CHECK(log.delete_old_segments(at_s(5000), 10, true).empty());
}

TEST_CASE("retention.bytes deletes the oldest segments while the rest stays at or above the limit") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", retention(-1, 250));
    five_batches(log);  // 200 + 200 + 100 bytes
    REQUIRE(log.size_bytes() == 500);
    std::vector<SegmentDeletion> d = log.delete_old_segments(at_s(5), 10, true);
    REQUIRE(d.size() == 1);
    CHECK(std::string(d[0].reason) == "retention.bytes");
    CHECK(d[0].segments == 1);  // 500 - 200 = 300 >= 250; 300 - 200 < 250 keeps the second
    CHECK(log.size_bytes() == 300);
    CHECK(log.log_start_offset() == 4);
    CHECK(log.delete_old_segments(at_s(5), 10, true).empty());
    // -1 is no limit; retention.ms -1 is forever.
    sim::Disk disk2;
    PartitionLog unlimited(disk2, "t-0", retention(-1, -1));
    five_batches(unlimited);
    CHECK(unlimited.delete_old_segments(at_s(1'000'000), 10, true).empty());
}

TEST_CASE("a follower's log start offset follows the leader's, capped by its high watermark, its segments go later") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", retention(-1, -1));
    for (uint32_t i = 0; i < 5; ++i) {
        RecordBatch b = batch_at(i * 2, 2, at_s(i));
        b.base_offset = i * 2;
        b.leader_epoch = i < 3 ? 1 : 2;
        log.append_as_follower(b, at_s(i));
    }
    REQUIRE(log.epochs().size() == 2);
    CHECK_FALSE(log.maybe_increment_log_start_offset(0, 10));
    CHECK(log.maybe_increment_log_start_offset(7, 5));  // capped at the high watermark 5
    CHECK(log.log_start_offset() == 5);
    CHECK(log.maybe_increment_log_start_offset(7, 10));
    CHECK(log.log_start_offset() == 7);
    CHECK_FALSE(log.maybe_increment_log_start_offset(6, 10));  // never backwards
    // LeaderEpochFileCache.truncateFromStart: epoch 1 (offsets 0..5) goes, epoch 2 now starts at 7.
    REQUIRE(log.epochs().size() == 1);
    CHECK(log.epochs()[0].epoch == 2);
    CHECK(log.epochs()[0].start_offset == 7);
    // The segment 0..3 lies wholly below it; 4..7 holds offset 7 and stays.
    std::vector<SegmentDeletion> d = log.delete_old_segments(at_s(5), 10, false);
    REQUIRE(d.size() == 1);
    CHECK(std::string(d[0].reason) == "log start offset");
    CHECK(d[0].to_offset == 4);
    CHECK(log.log_start_offset() == 7);  // stays where the leader put it
    CHECK(log.segment_count() == 2);
    // A restart reads the log start offset back from its checkpoint.
    PartitionLog reopened(disk, "t-0", retention(-1, -1));
    CHECK(reopened.log_start_offset() == 7);
    CHECK(reopened.log_end_offset() == 10);
}

TEST_CASE("a follower below the leader's log start offset starts over there") {
    sim::Disk disk;
    PartitionLog log(disk, "t-0", small_segments(250));
    five_batches(log);
    log.truncate_fully_and_start_at(42, at_s(9));
    CHECK(log.log_start_offset() == 42);
    CHECK(log.log_end_offset() == 42);
    CHECK(log.segment_count() == 1);
    CHECK(log.batch_count() == 0);
    CHECK(log.epochs().empty());
    CHECK_FALSE(disk.exists("t-0/00000000000000000000.log"));
    RecordBatch b = batch_at(0, 3, at_s(9));
    b.base_offset = 42;
    b.leader_epoch = 4;
    log.append_as_follower(b, at_s(9));
    CHECK(log.log_end_offset() == 45);
    PartitionLog reopened(disk, "t-0", small_segments(250));
    CHECK(reopened.log_start_offset() == 42);
    CHECK(reopened.log_end_offset() == 45);
}
