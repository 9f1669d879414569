// The transaction checks on small hand-built runs (as checkers_test.cpp): no-aborted-reads,
// txn-atomic and no-hanging-transactions, each holding with its evidence, violated with the
// records, markers and times that decided it, and "not checked" without the events it needs.
#include <catch2/catch.hpp>

#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "scenarios/checkers/checker.hpp"

namespace {

using namespace scenarios;
using sim::milliseconds;
using sim::seconds;

constexpr kafka::TopicPartition tchk_orders0{1, 0};
constexpr kafka::TopicPartition tchk_orders1{1, 1};
constexpr int64_t pid = 1000;

sim::Time tchk_at(sim::Duration d) { return sim::time_zero + d; }

kafka::RecordBatch txn_batch(int64_t base_offset, int32_t count, uint32_t client, uint32_t first_seq) {
    kafka::RecordBatch b;
    b.base_offset = base_offset;
    b.record_count = count;
    b.client = client;
    b.first_seq = first_seq;
    b.producer_id = pid;
    b.producer_epoch = 0;
    b.base_sequence = static_cast<int32_t>(first_seq);
    b.is_transactional = true;
    return b;
}

kafka::RecordBatch marker(int64_t offset, bool commit) {
    kafka::RecordBatch b = kafka::end_txn_marker(pid, 0, 1, commit ? kafka::ControlRecordType::commit
                                                                  : kafka::ControlRecordType::abort,
                                                 sim::time_zero);
    b.base_offset = offset;
    return b;
}

PartitionSnapshot tchk_partition(kafka::TopicPartition tp, std::vector<kafka::RecordBatch> batches) {
    ReplicaSnapshot r;
    r.broker = 1;
    r.online = true;
    r.log_end_offset = batches.empty() ? 0 : batches.back().next_offset();
    r.high_watermark = r.log_end_offset;
    r.batches = std::move(batches);
    PartitionSnapshot p;
    p.tp = tp;
    p.topic = "orders";
    p.leader = 1;
    p.leader_epoch = 1;
    p.replicas = {1};
    p.isr = {1};
    p.replica_logs = {r};
    return p;
}

// One transactional producer (client 1), a read_committed group member (client 2) and a
// read_uncommitted consumer without a group (client 3).
struct TchkRun {
    History history;
    kafka::Trace trace;
    RunData data;
    uint32_t producer = 0, committed_reader = 0, uncommitted_reader = 0;

    TchkRun() {
        data.history = &history;
        data.trace = &trace;
        data.end = tchk_at(seconds(60));
        data.scenario.duration = seconds(60);
        ConsumerSpec billing;
        billing.group = "billing";
        billing.topics = {"orders"};
        billing.config["isolation.level"] = std::string("read_committed");
        ConsumerSpec audit;
        audit.topics = {"orders"};
        data.scenario.consumers = {billing, audit};
        ProducerSpec tx;
        tx.id = "tx";
        tx.topic = "orders";
        tx.config["transactional.id"] = std::string("tx-1");
        data.scenario.producers = {tx};
        producer = history.add_client("producer:tx");
        committed_reader = history.add_client("consumer:billing/1");
        uncommitted_reader = history.add_client("consumer:null/1");
    }
    // Transaction `txn` with records [first, first+count) on each (tp, first, count), ended with `outcome`.
    void txn(uint32_t txn, sim::Duration begin, std::vector<std::tuple<kafka::TopicPartition, uint32_t, int32_t>> records,
             std::optional<kafka::TxnOutcome> outcome) {
        history.on_txn_begin(producer, tchk_at(begin), txn, pid, 0);
        for (const auto& [tp, first, count] : records) {
            history.on_send(producer, tchk_at(begin) + milliseconds(1), tp, first, count);
            history.on_txn_records(producer, txn, tp, first, count);
        }
        if (outcome) history.on_txn_end(producer, tchk_at(begin) + milliseconds(100), txn, *outcome, kafka::Error::none);
    }
    void poll(sim::Duration t, uint32_t consumer, kafka::TopicPartition tp, const kafka::RecordBatch& b) {
        history.on_poll(consumer, tchk_at(t), tp, b, b.base_offset, b.record_count);
    }
    CheckResult check(CheckKind kind) const {
        ExpectSpec spec;
        spec.check = kind;
        return run_check(spec, data);
    }
};

bool tchk_mentions(const CheckResult& r, const std::string& text) {
    if (r.summary.find(text) != std::string::npos) return true;
    for (const auto& e : r.evidence)
        if (e.find(text) != std::string::npos) return true;
    return false;
}

std::string txn_checker_dump(const CheckResult& r) {
    std::string out = r.name + " " + r.outcome() + ": " + r.summary;
    for (const auto& e : r.evidence) out += "\n  - " + e;
    return out;
}

}  // namespace

// ---------------------------------------------------------------- no-aborted-reads

TEST_CASE("no-aborted-reads holds when read_committed consumers got committed records only", "[checkers][txn]") {
    TchkRun run;
    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}}, kafka::TxnOutcome::committed);
    run.txn(2, seconds(2), {{tchk_orders0, 5, 5}}, kafka::TxnOutcome::aborted);
    const auto committed = txn_batch(0, 5, run.producer, 0), aborted = txn_batch(6, 5, run.producer, 5);
    run.data.final_state.partitions.push_back(tchk_partition(tchk_orders0, {committed, marker(5, true), aborted, marker(11, false)}));
    run.poll(seconds(3), run.committed_reader, tchk_orders0, committed);
    run.poll(seconds(3), run.uncommitted_reader, tchk_orders0, aborted);  // allowed: read_uncommitted
    CheckResult r = run.check(CheckKind::no_aborted_reads);
    INFO(txn_checker_dump(r));
    CHECK(r.name == "no-aborted-reads");
    CHECK(r.checked);
    CHECK(r.holds);
    CHECK(tchk_mentions(r, "5 records read by consumer:billing/1"));
    CHECK(tchk_mentions(r, "read_uncommitted consumers read 5 aborted records"));
}

TEST_CASE("no-aborted-reads names the record, the transaction and how it was aborted", "[checkers][txn]") {
    TchkRun run;
    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}}, kafka::TxnOutcome::committed);
    run.txn(2, seconds(2), {{tchk_orders0, 5, 5}}, kafka::TxnOutcome::aborted);
    run.txn(3, seconds(4), {{tchk_orders0, 10, 2}}, kafka::TxnOutcome::unknown);
    const auto aborted = txn_batch(6, 5, run.producer, 5), fenced = txn_batch(12, 2, run.producer, 10);
    run.data.final_state.partitions.push_back(tchk_partition(
        tchk_orders0, {txn_batch(0, 5, run.producer, 0), marker(5, true), aborted, marker(11, false), fenced, marker(14, false)}));
    run.poll(seconds(3), run.committed_reader, tchk_orders0, aborted);
    run.poll(seconds(5), run.committed_reader, tchk_orders0, fenced);
    CheckResult r = run.check(CheckKind::no_aborted_reads);
    INFO(txn_checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "7 records of aborted transactions returned to read_committed consumer consumer:billing/1 (7) "
                       "(G1a, aborted read)");
    REQUIRE(r.evidence.size() == 2);
    CHECK(r.evidence[0] ==
          "aborted read: consumer:billing/1 (read_committed) got producer:tx orders/0 seq 5..9 at offsets 6..10 at 3.000s, "
          "of transaction 2 of producer:tx (producer id 1000, epoch 0), which the application aborted "
          "(abortTransaction() returned at 2.100s) and ended in the log by the ABORT marker of producer id 1000 at offset 11");
    // The application never learnt the outcome; the log's marker says it was aborted.
    CHECK(r.evidence[1] ==
          "aborted read: consumer:billing/1 (read_committed) got producer:tx orders/0 seq 10..11 at offsets 12..13 at "
          "5.000s, of transaction 3 of producer:tx (producer id 1000, epoch 0), which the application saw unknown, ended "
          "in the log by the ABORT marker of producer id 1000 at offset 14");
}

TEST_CASE("no-aborted-reads is not checked without a transactional producer or a read_committed reader", "[checkers][txn]") {
    TchkRun run;
    CheckResult none = run.check(CheckKind::no_aborted_reads);
    CHECK_FALSE(none.checked);
    CHECK(none.summary.find("no transactional producer") != std::string::npos);

    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}}, kafka::TxnOutcome::aborted);
    const auto aborted = txn_batch(0, 5, run.producer, 0);
    run.data.final_state.partitions.push_back(tchk_partition(tchk_orders0, {aborted, marker(5, false)}));
    run.poll(seconds(3), run.uncommitted_reader, tchk_orders0, aborted);
    CheckResult unread = run.check(CheckKind::no_aborted_reads);
    INFO(txn_checker_dump(unread));
    CHECK_FALSE(unread.checked);
    CHECK_FALSE(unread.passed());
    CHECK(unread.summary == "not checked: no read_committed consumer read a record");
}

// ---------------------------------------------------------------- txn-atomic

TEST_CASE("txn-atomic holds when each transaction is committed or aborted as a whole", "[checkers][txn]") {
    TchkRun run;
    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}, {tchk_orders1, 0, 3}}, kafka::TxnOutcome::committed);
    run.txn(2, seconds(2), {{tchk_orders0, 5, 5}, {tchk_orders1, 3, 3}}, kafka::TxnOutcome::aborted);
    run.txn(3, seconds(50), {{tchk_orders0, 10, 2}}, std::nullopt);  // open at the end: no marker yet
    run.data.final_state.partitions.push_back(tchk_partition(
        tchk_orders0, {txn_batch(0, 5, run.producer, 0), marker(5, true), txn_batch(6, 5, run.producer, 5), marker(11, false),
                  txn_batch(12, 2, run.producer, 10)}));
    run.data.final_state.partitions.push_back(tchk_partition(
        tchk_orders1, {txn_batch(0, 3, run.producer, 0), marker(3, true), txn_batch(4, 3, run.producer, 3), marker(7, false)}));
    CheckResult r = run.check(CheckKind::txn_atomic);
    INFO(txn_checker_dump(r));
    CHECK(r.holds);
    CHECK(r.summary == "no transaction is torn: of 3 transactions with records in the committed logs, 2 are decided as "
                       "a whole, 1 still undecided when the run ended (not counted torn)");
    REQUIRE(r.evidence.size() == 1);
    CHECK(r.evidence[0] == "not torn, undecided when the run ended: transaction 3 of producer:tx (producer id 1000, "
                           "epoch 0), still open in the application when the run ended; 2 records undecided on orders/0 "
                           "seq 10..11 (from offset 12, no marker yet)");
}

TEST_CASE("txn-atomic names a torn transaction, a lost write and an aborted write made visible", "[checkers][txn]") {
    TchkRun run;
    // Jepsen's KAFKA-17754 shape: a delayed commit lands on the next transaction's first partition.
    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}, {tchk_orders1, 0, 3}}, kafka::TxnOutcome::aborted);
    // The application saw a commit, but orders/1's records never reached the committed log.
    run.txn(2, seconds(2), {{tchk_orders0, 5, 2}, {tchk_orders1, 3, 2}}, kafka::TxnOutcome::committed);
    run.data.final_state.partitions.push_back(tchk_partition(
        tchk_orders0, {txn_batch(0, 5, run.producer, 0), marker(5, true), txn_batch(6, 2, run.producer, 5), marker(8, true)}));
    run.data.final_state.partitions.push_back(tchk_partition(tchk_orders1, {txn_batch(0, 3, run.producer, 0), marker(3, false)}));
    CheckResult r = run.check(CheckKind::txn_atomic);
    INFO(txn_checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "2 torn transactions (committed on some partitions, not on others); 1 transaction the application "
                       "saw committed with records not committed (lost write); 1 transaction the application saw aborted "
                       "with records committed (of 2 transactions with records in the committed logs)");
    REQUIRE(r.evidence.size() == 2);
    CHECK(r.evidence[0] == "torn, and an aborted write made visible: transaction 1 of producer:tx (producer id 1000, "
                           "epoch 0), began 1.000s, the application saw it aborted at 1.100s; 5 records committed on "
                           "orders/0 seq 0..4 (COMMIT marker at offset 5); 3 records aborted on orders/1 seq 0..2 (ABORT "
                           "marker at offset 3)");
    CHECK(r.evidence[1] == "torn, and a lost write: transaction 2 of producer:tx (producer id 1000, epoch 0), began "
                           "2.000s, the application saw it committed at 2.100s; 2 records committed on orders/0 seq 5..6 "
                           "(COMMIT marker at offset 8); 2 records absent from the log on orders/1 seq 3..4");
}

TEST_CASE("txn-atomic is not checked without transactions in the committed logs", "[checkers][txn]") {
    TchkRun run;
    CHECK_FALSE(run.check(CheckKind::txn_atomic).checked);
    run.txn(1, seconds(1), {{tchk_orders0, 0, 5}}, kafka::TxnOutcome::aborted);  // never reached a log
    run.data.final_state.partitions.push_back(tchk_partition(tchk_orders0, {}));
    CheckResult r = run.check(CheckKind::txn_atomic);
    INFO(txn_checker_dump(r));
    CHECK_FALSE(r.checked);
    CHECK(r.summary == "not checked: none of 1 transaction left a record in the final committed logs");
}

// ---------------------------------------------------------------- no-hanging-transactions

namespace {

// One sample a second for `seconds_total` seconds; orders/0's leader lists (first, pid) open
// from `open_from` to `open_until` (exclusive), and has no leader in [leaderless_from, leaderless_until).
void samples(TchkRun& run, int seconds_total, int open_from, int open_until, int leaderless_from = -1,
             int leaderless_until = -1) {
    run.data.final_state.partitions.push_back(tchk_partition(tchk_orders0, {txn_batch(120, 3, run.producer, 0)}));
    for (int s = 0; s <= seconds_total; ++s) {
        Sample sample;
        sample.t = tchk_at(seconds(s));
        PartitionSample p;
        p.leader = s >= leaderless_from && s < leaderless_until ? -1 : 1;
        p.high_watermark = 200;
        p.last_stable_offset = 200;
        if (p.leader >= 0 && s >= open_from && s < open_until) {
            p.open_transactions = {{120, pid}};
            p.last_stable_offset = 120;
        }
        sample.partitions.push_back(p);
        run.data.samples.push_back(sample);
    }
}

}  // namespace

TEST_CASE("no-hanging-transactions holds when open transactions close within the bound", "[checkers][txn]") {
    TchkRun run;
    samples(run, 60, 5, 20);
    CheckResult r = run.check(CheckKind::no_hanging_transactions);
    INFO(txn_checker_dump(r));
    CHECK(r.holds);
    CHECK(r.summary == "every open transaction closed within the bound (1 open transaction seen on 1 partition; the "
                       "longest open 14s)");
    CHECK(tchk_mentions(r, "bound: 100s = transaction.timeout.ms 60000 + "
                      "transaction.abort.timed.out.transaction.cleanup.interval.ms 10000 + 30s for the markers"));
}

TEST_CASE("no-hanging-transactions names a transaction open past the bound", "[checkers][txn]") {
    TchkRun run;
    run.data.scenario.producers[0].config["transaction.timeout.ms"] = int64_t{10000};
    run.txn(1, seconds(10), {{tchk_orders0, 0, 3}}, std::nullopt);  // names the producer of producer id 1000
    samples(run, 120, 10, 1000);
    CheckResult r = run.check(CheckKind::no_hanging_transactions);
    INFO(txn_checker_dump(r));
    CHECK_FALSE(r.holds);
    CHECK(r.summary == "1 hanging transaction (1 open transaction seen on 1 partition)");
    REQUIRE(r.evidence.size() == 2);
    CHECK(r.evidence[0] == "hanging: orders/0 producer id 1000 epoch 0, producer:tx, transaction from offset 120 open "
                           "since 10.000s, still open at the end (last seen 120.000s): open 110s with a leader, past the "
                           "bound 50s");
    CHECK(r.evidence[1] == "bound: 50s = transaction.timeout.ms 10000 + "
                           "transaction.abort.timed.out.transaction.cleanup.interval.ms 10000 + 30s for the markers; time "
                           "without a partition leader does not count");

    SECTION("time without a leader does not count") {
        TchkRun offline;
        offline.data.scenario.producers[0].config["transaction.timeout.ms"] = int64_t{10000};
        samples(offline, 70, 10, 1000, 20, 65);  // 10s..20s and 65s..70s with a leader: 15s
        CheckResult o = offline.check(CheckKind::no_hanging_transactions);
        INFO(txn_checker_dump(o));
        CHECK(o.holds);
        CHECK(tchk_mentions(o, "1 still open at the end, within it"));
    }
}

TEST_CASE("no-hanging-transactions is not checked when no transaction was ever open", "[checkers][txn]") {
    TchkRun run;
    samples(run, 30, 100, 100);
    CheckResult r = run.check(CheckKind::no_hanging_transactions);
    CHECK_FALSE(r.checked);
    CHECK(r.summary == "not checked: no partition held an open transaction in any sample");
}
