// Which fetched batches a consumer passes over without returning their records (Kafka's
// CompletedFetch.nextFetchedRecord): control batches always; with read_committed also the
// batches of aborted transactions, known from the response's aborted_transactions. The
// position still moves past them as poll() reaches them.
#pragma once
#include <vector>

#include "broker/messages.hpp"

namespace kafka {

// One flag per batch of `fetched`, in order: true = skipped. read_committed: the aborted
// transactions, by first offset, mark their producer ids aborted once a batch of any producer
// reaches that offset (consumeAbortedTransactionsUpTo); an aborted producer's transactional
// batches are skipped until its ABORT marker clears it (containsAbortMarker).
std::vector<bool> skipped_batches(const FetchResponse::PartitionData& fetched, bool read_committed);

}  // namespace kafka
