#include "clients/fetched_batches.hpp"

#include <algorithm>
#include <set>

namespace kafka {

std::vector<bool> skipped_batches(const FetchResponse::PartitionData& fetched, bool read_committed) {
    std::vector<bool> skip;
    skip.reserve(fetched.batches.size());
    std::vector<FetchResponse::PartitionData::AbortedTransaction> aborted;
    if (read_committed) {
        aborted = fetched.aborted_transactions;
        std::stable_sort(aborted.begin(), aborted.end(),
                         [](const auto& a, const auto& b) { return a.first_offset < b.first_offset; });
    }
    size_t next_aborted = 0;
    std::set<int64_t> aborted_producers;
    for (const RecordBatch& b : fetched.batches) {
        bool skipped = b.is_control;  // control records are never returned
        if (read_committed && b.producer_id != no_producer_id) {
            while (next_aborted < aborted.size() && aborted[next_aborted].first_offset <= b.last_offset())
                aborted_producers.insert(aborted[next_aborted++].producer_id);
            if (b.is_abort_marker())
                aborted_producers.erase(b.producer_id);
            else if (b.is_transactional && aborted_producers.count(b.producer_id) != 0)
                skipped = true;
        }
        skip.push_back(skipped);
    }
    return skip;
}

}  // namespace kafka
