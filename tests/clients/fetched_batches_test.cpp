// What a consumer returns from a fetch with transactions in it (CompletedFetch): control
// batches never, and with read_committed not the batches of aborted transactions.
#include <catch2/catch.hpp>

#include <vector>

#include "clients/fetched_batches.hpp"

using namespace kafka;

namespace {

RecordBatch data(int64_t base_offset, int32_t count, int64_t producer_id, bool transactional) {
    RecordBatch b;
    b.base_offset = base_offset;
    b.record_count = count;
    b.producer_id = producer_id;
    b.producer_epoch = 0;
    b.base_sequence = producer_id == no_producer_id ? no_sequence : 0;
    b.is_transactional = transactional;
    return b;
}

RecordBatch marker_at(int64_t offset, int64_t producer_id, ControlRecordType type) {
    RecordBatch b = end_txn_marker(producer_id, 0, 0, type, sim::time_zero);
    b.base_offset = offset;
    return b;
}

}  // namespace

TEST_CASE("fetched batches: read_committed drops the aborted transaction and every marker") {
    // 0..2 A(txn)  3..4 B(txn)  5 plain  6..7 A(txn)  8 COMMIT A  9 B(txn)  10 ABORT B  11..12 B(txn, next txn)
    FetchResponse::PartitionData pd;
    pd.batches = {data(0, 3, 1, true),  data(3, 2, 2, true),
                  data(5, 1, no_producer_id, false), data(6, 2, 1, true),
                  marker_at(8, 1, ControlRecordType::commit), data(9, 1, 2, true),
                  marker_at(10, 2, ControlRecordType::abort), data(11, 2, 2, true)};
    pd.aborted_transactions = {{2, 3}};

    const std::vector<bool> committed = skipped_batches(pd, true);
    CHECK(committed == std::vector<bool>{false, true, false, false, true, true, true, false});

    // read_uncommitted returns the aborted records too, but still no marker.
    const std::vector<bool> uncommitted = skipped_batches(pd, false);
    CHECK(uncommitted == std::vector<bool>{false, false, false, false, true, false, true, false});
}

TEST_CASE("fetched batches: an aborted transaction only counts from its first offset") {
    // The same producer commits a transaction at 0..1 (COMMIT at 2), then aborts one from 3.
    FetchResponse::PartitionData pd;
    pd.batches = {data(0, 2, 5, true), marker_at(2, 5, ControlRecordType::commit), data(3, 1, 5, true),
                  marker_at(4, 5, ControlRecordType::abort)};
    pd.aborted_transactions = {{5, 3}};
    CHECK(skipped_batches(pd, true) == std::vector<bool>{false, true, true, true});
    // Without the aborted list (the broker's read_uncommitted answer) nothing but markers is dropped.
    pd.aborted_transactions.clear();
    CHECK(skipped_batches(pd, true) == std::vector<bool>{false, true, false, true});
}
