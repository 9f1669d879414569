// kafka-transactions.sh (Kafka 3.0, KIP-664) at an instant, as `kafkasim describe --what
// transactions` and the shell print it:
//
//   list                               TransactionalId Coordinator ProducerId TransactionState
//   describe --transactional-id ID     CoordinatorId TransactionalId ProducerId ProducerEpoch
//                                      TransactionState TransactionTimeoutMs
//                                      CurrentTransactionStartTimeMs TransactionDurationMs TopicPartitions
//   find-hanging --topic T             Topic Partition ProducerId ProducerEpoch CoordinatorEpoch
//                                      StartOffset LastTimestamp Duration(min)
//
// The layout is TransactionsCommand.prettyPrintTable's: every column padded to its widest cell
// and followed by a tab (the last one too). Times are milliseconds of virtual time where Kafka
// prints milliseconds since the epoch. find-hanging, as the tool does, takes the open
// transactions the partition leaders' producer state lists (DescribeProducers) that began more
// than --max-transaction-timeout minutes ago, and keeps those whose producer id no coordinator
// lists with that partition in its transaction (ListTransactions, DescribeTransactions).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "reports/kafka_views.hpp"
#include "scenarios/cluster_model.hpp"

namespace reports {

struct TransactionListingView {
    std::string transactional_id;
    int32_t coordinator = -1;
    int64_t producer_id = -1;
    std::string state;  // Kafka's name: "Ongoing", "CompleteCommit", ...
};

struct TransactionDescriptionView {
    int32_t coordinator_id = -1;
    std::string transactional_id;
    int64_t producer_id = -1;
    int32_t producer_epoch = -1;
    std::string state;
    int64_t timeout_ms = 0;
    std::optional<int64_t> start_time_ms;  // nullopt: "None" (no transaction began since InitProducerId)
    int64_t now_ms = 0;                    // for TransactionDurationMs
    std::vector<PartitionKey> partitions;  // printed as topic-partition, comma-separated
};

struct HangingTransactionView {
    std::string topic;
    int32_t partition = 0;
    int64_t producer_id = -1;
    int32_t producer_epoch = -1;
    int32_t coordinator_epoch = -1;
    int64_t start_offset = -1;
    int64_t last_timestamp_ms = 0;
    int64_t duration_min = 0;
};

// TransactionsCommand.prettyPrintTable.
std::string pretty_print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows);
std::string format_transactions_list(const std::vector<TransactionListingView>& listings);
std::string format_transaction_describe(const TransactionDescriptionView& d);
std::string format_find_hanging(const std::vector<HangingTransactionView>& hanging);

// Every transactional id the live brokers' coordinators have loaded, by broker then id.
std::vector<TransactionListingView> gather_transaction_listings(scenarios::ClusterModel& cluster);
// The id as its coordinator describes it; nullopt when no live coordinator has it loaded.
std::optional<TransactionDescriptionView> gather_transaction_description(scenarios::ClusterModel& cluster,
                                                                         const std::string& transactional_id);
// find-hanging over `topics` (their partitions' leaders), with --max-transaction-timeout in ms.
std::vector<HangingTransactionView> gather_hanging_transactions(scenarios::ClusterModel& cluster,
                                                                const std::vector<std::string>& topics,
                                                                int64_t max_transaction_timeout_ms);
// True when the cluster holds __transaction_state (some transactional producer found a coordinator).
bool has_transactions(scenarios::ClusterModel& cluster);

}  // namespace reports
