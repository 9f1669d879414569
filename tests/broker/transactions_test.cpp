// The partition side of transactions (KIP-98): transactional batches and end-transaction
// markers in one partition's log, the producer state that tracks the open transactions, the
// last stable offset, the aborted-transaction index, and what a read_committed fetch returns.
#include <catch2/catch.hpp>

#include <vector>

#include "broker/replica/partition.hpp"

using namespace kafka;

namespace {

constexpr int64_t pid_a = 1000, pid_b = 2000;

RecordBatch txns_txn_batch(int64_t producer_id, int32_t base_sequence, int32_t count, uint32_t client) {
    RecordBatch b;
    b.record_count = count;
    b.size_bytes = record_batch_overhead_bytes + 10 * count;
    b.producer_id = producer_id;
    b.producer_epoch = 0;
    b.base_sequence = base_sequence;
    b.is_transactional = true;
    b.client = client;
    b.first_seq = static_cast<uint32_t>(base_sequence);
    return b;
}

PartitionAssignment leading(std::vector<BrokerId> replicas) {
    PartitionAssignment a;
    a.leader = 1;
    a.leader_epoch = 1;
    a.replicas = replicas;
    a.isr = replicas;
    return a;
}

Error append(Partition& p, const RecordBatch& b) { return p.append_as_leader(b, -1, sim::time_zero).error; }
Error txns_marker(Partition& p, int64_t pid, ControlRecordType type, int16_t epoch = 0, int32_t coordinator_epoch = 0) {
    return p.append_txn_marker(pid, epoch, coordinator_epoch, type, sim::time_zero).error;
}

// What a read_committed consumer's fetch from `from` gets: the leader's answer as the broker
// builds it (up to the LSO, with the overlapping aborted transactions).
struct CommittedRead {
    std::vector<RecordBatch> batches;
    std::vector<AbortedTxn> aborted;
};
CommittedRead read_committed(const Partition& p, int64_t from) {
    CommittedRead r;
    p.log().read(from, p.last_stable_offset(), 1 << 20, r.batches);
    const int64_t upper = r.batches.empty() ? from : r.batches.back().next_offset();
    r.aborted = p.log().collect_aborted_txns(from, upper);
    return r;
}

// Two producers' transactions on a single-replica partition (the HW follows the log end):
//   0..2  A (txn)     3..4  B (txn)     5..6  A (txn)
//   7     COMMIT A    8     B (txn)     9     ABORT B
void two_transactions(Partition& p) {
    REQUIRE(append(p, txns_txn_batch(pid_a, 0, 3, 1)) == Error::none);
    REQUIRE(append(p, txns_txn_batch(pid_b, 0, 2, 2)) == Error::none);
    REQUIRE(append(p, txns_txn_batch(pid_a, 3, 2, 1)) == Error::none);
    REQUIRE(txns_marker(p, pid_a, ControlRecordType::commit) == Error::none);
    REQUIRE(append(p, txns_txn_batch(pid_b, 2, 1, 2)) == Error::none);
    REQUIRE(txns_marker(p, pid_b, ControlRecordType::abort) == Error::none);
}

}  // namespace

TEST_CASE("transactions: the LSO stays at the first open transaction until its marker") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);

    REQUIRE(append(p, txns_txn_batch(pid_a, 0, 3, 1)) == Error::none);  // 0..2
    REQUIRE(append(p, txns_txn_batch(pid_b, 0, 2, 2)) == Error::none);  // 3..4
    CHECK(p.high_watermark() == 5);
    CHECK(p.last_stable_offset() == 0);  // A's transaction is open from offset 0

    REQUIRE(txns_marker(p, pid_a, ControlRecordType::commit) == Error::none);  // offset 5
    CHECK(p.log().log_end_offset() == 6);  // a marker takes one offset
    CHECK(p.last_stable_offset() == 3);   // now B's open transaction holds it

    REQUIRE(txns_marker(p, pid_b, ControlRecordType::abort) == Error::none);  // offset 6
    CHECK(p.last_stable_offset() == 7);
    CHECK(p.last_stable_offset() == p.high_watermark());
    REQUIRE(p.log().txn_index().entries().size() == 1);
    CHECK(p.log().txn_index().entries()[0] == AbortedTxn{pid_b, 3, 6, 7});
}

TEST_CASE("transactions: a commit and an abort, the aborted index and what read_committed returns") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);
    two_transactions(p);
    CHECK(p.high_watermark() == 10);
    CHECK(p.last_stable_offset() == 10);

    // Only B's transaction was aborted: 3..9, and when it ended nothing else was open.
    REQUIRE(p.log().txn_index().entries().size() == 1);
    CHECK(p.log().txn_index().entries()[0] == AbortedTxn{pid_b, 3, 9, 10});

    // Markers are control batches, transactional, one offset each.
    const RecordBatch* commit = p.log().find(7);
    REQUIRE(commit != nullptr);
    CHECK(commit->is_commit_marker());
    CHECK(commit->is_transactional);
    CHECK(commit->record_count == 1);
    CHECK(commit->producer_id == pid_a);
    CHECK(commit->client == 0);  // no data records for the checkers
    CHECK(p.log().find(9)->is_abort_marker());

    // A read_committed fetch from 0 gets everything (LSO = HW) and B's aborted transaction.
    CommittedRead r = read_committed(p, 0);
    CHECK(r.batches.size() == 6);
    REQUIRE(r.aborted.size() == 1);
    CHECK(r.aborted[0].producer_id == pid_b);
    CHECK(r.aborted[0].first_offset == 3);
    // From past the ABORT marker nothing aborted overlaps; from inside B's transaction it does.
    CHECK(p.log().collect_aborted_txns(10, 10).empty());
    CHECK(p.log().collect_aborted_txns(8, 10).size() == 1);
    CHECK(p.log().collect_aborted_txns(0, 3).empty());  // a fetch that stops before B's first batch
}

TEST_CASE("transactions: an open transaction bounds read_committed at the LSO, read_uncommitted at the HW") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);
    RecordBatch plain;  // a non-transactional batch first
    plain.record_count = 2;
    plain.size_bytes = 100;
    plain.client = 3;
    REQUIRE(append(p, plain) == Error::none);                      // 0..1
    REQUIRE(append(p, txns_txn_batch(pid_a, 0, 3, 1)) == Error::none);  // 2..4, open
    CHECK(p.last_stable_offset() == 2);
    CommittedRead r = read_committed(p, 0);
    REQUIRE(r.batches.size() == 1);
    CHECK(r.batches[0].base_offset == 0);
    CHECK(r.aborted.empty());
    std::vector<RecordBatch> uncommitted;
    p.log().read(0, p.high_watermark(), 1 << 20, uncommitted);
    CHECK(uncommitted.size() == 2);
}

TEST_CASE("transactions: markers are fenced by producer epoch and coordinator epoch") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);
    RecordBatch b = txns_txn_batch(pid_a, 0, 2, 1);
    b.producer_epoch = 3;
    REQUIRE(append(p, b) == Error::none);
    // A marker carrying an older producer epoch: a zombie's transaction.
    CHECK(txns_marker(p, pid_a, ControlRecordType::commit, /*epoch=*/2, /*coordinator_epoch=*/5) ==
          Error::invalid_producer_epoch);
    CHECK(p.last_stable_offset() == 0);
    // Coordinator epoch 5 ends it; a marker from coordinator epoch 4 afterwards is a zombie coordinator's.
    CHECK(txns_marker(p, pid_a, ControlRecordType::commit, 3, 5) == Error::none);
    CHECK(p.last_stable_offset() == p.high_watermark());
    CHECK(txns_marker(p, pid_a, ControlRecordType::abort, 3, 4) == Error::transaction_coordinator_fenced);
    CHECK(p.log().log_end_offset() == 3);  // refused markers are not written
    // A marker for a producer with no data here is written but changes neither the LSO nor the index.
    CHECK(txns_marker(p, pid_b, ControlRecordType::abort) == Error::none);
    CHECK(p.log().txn_index().empty());
    CHECK(p.last_stable_offset() == 4);
}

TEST_CASE("transactions: a non-transactional batch from a producer with an open transaction is INVALID_TXN_STATE") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);
    REQUIRE(append(p, txns_txn_batch(pid_a, 0, 2, 1)) == Error::none);
    RecordBatch idempotent = txns_txn_batch(pid_a, 2, 1, 1);
    idempotent.is_transactional = false;
    CHECK(append(p, idempotent) == Error::invalid_txn_state);
    REQUIRE(txns_marker(p, pid_a, ControlRecordType::commit) == Error::none);
    CHECK(append(p, idempotent) == Error::none);  // with no transaction open it is a plain idempotent write
}

TEST_CASE("transactions: a completed transaction stays unstable until the high watermark passes its marker") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1, 2}), sim::time_zero);
    REQUIRE(append(p, txns_txn_batch(pid_a, 0, 2, 1)) == Error::none);  // 0..1
    REQUIRE(txns_marker(p, pid_a, ControlRecordType::commit) == Error::none);  // 2
    CHECK(p.high_watermark() == 0);
    CHECK(p.last_stable_offset() == 0);
    p.on_follower_fetch(2, 2, 1, 1, sim::time_zero);  // the follower has 0..1
    CHECK(p.high_watermark() == 2);
    CHECK(p.last_stable_offset() == 0);  // the COMMIT marker at 2 is not replicated yet
    p.on_follower_fetch(2, 3, 1, 1, sim::time_zero);
    CHECK(p.high_watermark() == 3);
    CHECK(p.last_stable_offset() == 3);
}

TEST_CASE("transactions: truncation below an ABORT marker reopens the transaction and drops its index entry") {
    sim::Disk disk;
    Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    p.make_leader(leading({1}), sim::time_zero);
    two_transactions(p);
    REQUIRE(p.log().txn_index().entries().size() == 1);

    p.truncate_to(9);  // the ABORT marker of B goes
    CHECK(p.log().log_end_offset() == 9);
    CHECK(p.log().txn_index().empty());
    CHECK(p.high_watermark() == 9);
    CHECK(p.last_stable_offset() == 3);  // B's transaction is open again
    // Its producer state came back from the log: B's next batch continues at sequence 3.
    CHECK(append(p, txns_txn_batch(pid_b, 3, 1, 2)) == Error::none);
    CHECK(txns_marker(p, pid_b, ControlRecordType::abort) == Error::none);
    REQUIRE(p.log().txn_index().entries().size() == 1);
    CHECK(p.log().txn_index().entries()[0] == AbortedTxn{pid_b, 3, 10, 11});

    p.truncate_to(7);  // below A's COMMIT: both transactions open again
    CHECK(p.log().txn_index().empty());
    CHECK(p.last_stable_offset() == 0);
}

TEST_CASE("transactions: a restarted replica rebuilds the open transactions and the aborted index from its log") {
    sim::Disk disk;
    {
        Partition p(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
        p.make_leader(leading({1}), sim::time_zero);
        two_transactions(p);
        REQUIRE(append(p, txns_txn_batch(pid_a, 5, 2, 1)) == Error::none);  // 10..11: A's next transaction, open
        p.checkpoint_high_watermark();
        CHECK(p.last_stable_offset() == 10);
    }
    Partition again(TopicPartition{1, 0}, "orders", 1, disk, TopicConfig{}, Behaviour{});
    CHECK(again.high_watermark() == 12);
    CHECK(again.last_stable_offset() == 10);
    REQUIRE(again.log().txn_index().entries().size() == 1);
    CHECK(again.log().txn_index().entries()[0] == AbortedTxn{pid_b, 3, 9, 10});
    REQUIRE(again.producer_state().ongoing_transactions().size() == 1);
    CHECK(again.producer_state().ongoing_transactions().begin()->second == pid_a);
    // What describe-producers would list: A with its open transaction from 10, B with none.
    const auto producers = again.producer_state().producers();
    REQUIRE(producers.size() == 2);
    CHECK(producers[0].producer_id == pid_a);
    CHECK(producers[0].current_txn_start_offset == 10);
    CHECK(producers[0].last_sequence == 6);
    CHECK(producers[1].producer_id == pid_b);
    CHECK(producers[1].current_txn_start_offset == -1);
    CHECK(producers[1].coordinator_epoch == 0);
}

TEST_CASE("transactions: a follower replicates markers and keeps the same LSO and index") {
    sim::Disk leader_disk, follower_disk;
    Partition leader(TopicPartition{1, 0}, "orders", 1, leader_disk, TopicConfig{}, Behaviour{});
    leader.make_leader(leading({1}), sim::time_zero);
    two_transactions(leader);
    REQUIRE(append(leader, txns_txn_batch(pid_a, 5, 1, 1)) == Error::none);  // 10: open
    Partition follower(TopicPartition{1, 0}, "orders", 2, follower_disk, TopicConfig{}, Behaviour{});
    PartitionAssignment a = leading({1, 2});
    follower.make_follower(a, sim::time_zero);
    std::vector<RecordBatch> all;
    leader.log().all_batches(all);
    REQUIRE(follower.append_fetched(all, leader.high_watermark(), sim::time_zero));
    CHECK(follower.last_stable_offset() == leader.last_stable_offset());
    CHECK(follower.last_stable_offset() == 10);
    CHECK(follower.log().txn_index().entries() == leader.log().txn_index().entries());
}

TEST_CASE("transactions: the LSO never falls below the log start offset") {
    sim::Disk leader_disk, follower_disk;
    Partition leader(TopicPartition{1, 0}, "orders", 1, leader_disk, TopicConfig{}, Behaviour{});
    leader.make_leader(leading({1}), sim::time_zero);
    REQUIRE(append(leader, txns_txn_batch(pid_a, 0, 2, 1)) == Error::none);  // 0..1, open
    RecordBatch plain;
    plain.record_count = 3;
    plain.size_bytes = 100;
    plain.client = 3;
    REQUIRE(append(leader, plain) == Error::none);  // 2..4
    Partition follower(TopicPartition{1, 0}, "orders", 2, follower_disk, TopicConfig{}, Behaviour{});
    follower.make_follower(leading({1, 2}), sim::time_zero);
    std::vector<RecordBatch> all;
    leader.log().all_batches(all);
    REQUIRE(follower.append_fetched(all, 5, sim::time_zero));
    CHECK(follower.last_stable_offset() == 0);
    // The leader's log start offset moved to 2 (DeleteRecords, retention): the follower takes it.
    REQUIRE(follower.follow_leader_log_start_offset(2));
    CHECK(follower.last_stable_offset() == 2);
}
