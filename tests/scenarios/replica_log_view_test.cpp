// The replica log view with transactions: markers as COMMIT/ABORT rows, transactional batches
// marked, the LSO as a mark where an open transaction holds it below the HW.
#include <catch2/catch.hpp>

#include <string>

#include "reports/replica_log_view.hpp"

namespace {

kafka::RecordBatch data(int64_t base_offset, int32_t count, uint32_t client, bool transactional) {
    kafka::RecordBatch b;
    b.base_offset = base_offset;
    b.record_count = count;
    b.leader_epoch = 0;
    b.client = client;
    b.producer_id = transactional ? 40 + client : kafka::no_producer_id;
    b.is_transactional = transactional;
    return b;
}

}  // namespace

TEST_CASE("replica log view: markers, transactional batches and the LSO") {
    scenarios::ReplicaSnapshot r;
    r.broker = 1;
    r.online = true;
    r.log_end_offset = 9;
    r.high_watermark = 9;
    r.last_stable_offset = 7;
    r.batches = {data(0, 3, 1, true), data(3, 2, 2, true)};
    kafka::RecordBatch commit = kafka::end_txn_marker(41, 0, 0, kafka::ControlRecordType::commit, sim::time_zero);
    commit.base_offset = 5;
    commit.leader_epoch = 0;
    kafka::RecordBatch abort = kafka::end_txn_marker(42, 0, 0, kafka::ControlRecordType::abort, sim::time_zero);
    abort.base_offset = 6;
    abort.leader_epoch = 0;
    r.batches.push_back(commit);
    r.batches.push_back(abort);
    r.batches.push_back(data(7, 2, 1, true));  // 41's next transaction, open

    reports::ReplicaLogView view;
    view.partition = "orders/0";
    view.leader = 1;
    view.leader_epoch = 0;
    view.replicas = {1};
    view.isr = {1};
    view.columns.push_back({"broker:1 leader e0", r});
    const std::string text = reports::format_replica_logs(
        view, reports::LogWindow{}, [](uint32_t c) { return "p" + std::to_string(c); }, "log all");
    INFO(text);
    CHECK(text.find("high watermark 9  last stable offset 7") != std::string::npos);
    CHECK(text.find("e0 p1#0-2 (txn)") != std::string::npos);
    CHECK(text.find("e0 COMMIT pid 41") != std::string::npos);
    CHECK(text.find("e0 ABORT pid 42") != std::string::npos);
    CHECK(text.find("-- LSO 7 --") != std::string::npos);
    CHECK(text.find("-- HW, LEO 9 --") != std::string::npos);
    CHECK(text.find("LSO: last stable offset") != std::string::npos);

    // Without transactions the view is as before: no LSO line, no legend for it.
    r.batches = {data(0, 9, 1, false)};
    r.last_stable_offset = 9;
    view.columns[0].replica = r;
    const std::string plain = reports::format_replica_logs(
        view, reports::LogWindow{}, [](uint32_t c) { return "p" + std::to_string(c); }, "log all");
    CHECK(plain.find("LSO") == std::string::npos);
    CHECK(plain.find("last stable") == std::string::npos);
    CHECK(plain.find("(txn)") == std::string::npos);
}
