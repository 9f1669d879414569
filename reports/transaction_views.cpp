#include "reports/transaction_views.hpp"

#include <algorithm>

#include "broker/broker_node.hpp"
#include "reports/cluster_views.hpp"
#include "broker/txn/transaction_coordinator.hpp"

namespace reports {

namespace {

// The live brokers' coordinators, by broker id (ListTransactions goes to every live broker).
std::vector<std::pair<int32_t, const kafka::TransactionCoordinator*>> coordinators(scenarios::ClusterModel& cluster) {
    std::vector<std::pair<int32_t, const kafka::TransactionCoordinator*>> out;
    for (const auto& [id, node] : cluster.directory().brokers) {
        if (!node_up(cluster, node)) continue;
        if (const kafka::BrokerNode* b = cluster.broker(id)) out.emplace_back(id, &b->transaction_coordinator());
    }
    return out;
}

bool is_prepare(kafka::TxnState s) { return s == kafka::TxnState::prepare_commit || s == kafka::TxnState::prepare_abort; }

// DescribeTransactions' topicPartitions: every partition of an Ongoing transaction, those
// still waiting for their marker in Prepare*, none once complete.
std::vector<PartitionKey> described_partitions(const kafka::TransactionCoordinator::Metadata& m) {
    std::vector<PartitionKey> out;
    const auto& set = m.state == kafka::TxnState::ongoing ? m.partitions
                      : is_prepare(m.state)               ? m.markers_left
                                                          : std::set<kafka::GroupPartition>{};
    for (const auto& p : set) out.emplace_back(p.topic, p.partition);
    return out;
}

}  // namespace

std::string pretty_print_table(const std::vector<std::string>& headers, const std::vector<std::vector<std::string>>& rows) {
    std::vector<size_t> widths;
    for (const auto& h : headers) widths.push_back(h.size());
    for (const auto& row : rows)
        for (size_t i = 0; i < widths.size() && i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
    std::string out;
    auto print = [&](const std::vector<std::string>& row) {
        for (size_t i = 0; i < widths.size(); ++i) {
            const std::string cell = i < row.size() ? row[i] : std::string();
            out += cell + std::string(widths[i] - std::min(widths[i], cell.size()), ' ') + '\t';
        }
        out += '\n';
    };
    print(headers);
    for (const auto& row : rows) print(row);
    return out;
}

std::string format_transactions_list(const std::vector<TransactionListingView>& listings) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& l : listings)
        rows.push_back({l.transactional_id, std::to_string(l.coordinator), std::to_string(l.producer_id), l.state});
    return pretty_print_table({"TransactionalId", "Coordinator", "ProducerId", "TransactionState"}, rows);
}

std::string format_transaction_describe(const TransactionDescriptionView& d) {
    std::string partitions;
    for (const auto& [topic, p] : d.partitions) partitions += (partitions.empty() ? "" : ",") + topic + "-" + std::to_string(p);
    const std::string start = d.start_time_ms ? std::to_string(*d.start_time_ms) : "None";
    const std::string duration = d.start_time_ms ? std::to_string(d.now_ms - *d.start_time_ms) : "None";
    return pretty_print_table({"CoordinatorId", "TransactionalId", "ProducerId", "ProducerEpoch", "TransactionState",
                               "TransactionTimeoutMs", "CurrentTransactionStartTimeMs", "TransactionDurationMs",
                               "TopicPartitions"},
                              {{std::to_string(d.coordinator_id), d.transactional_id, std::to_string(d.producer_id),
                                std::to_string(d.producer_epoch), d.state, std::to_string(d.timeout_ms), start, duration,
                                partitions}});
}

std::string format_find_hanging(const std::vector<HangingTransactionView>& hanging) {
    std::vector<std::vector<std::string>> rows;
    for (const auto& h : hanging)
        rows.push_back({h.topic, std::to_string(h.partition), std::to_string(h.producer_id), std::to_string(h.producer_epoch),
                        std::to_string(h.coordinator_epoch), std::to_string(h.start_offset),
                        std::to_string(h.last_timestamp_ms), std::to_string(h.duration_min)});
    return pretty_print_table({"Topic", "Partition", "ProducerId", "ProducerEpoch", "CoordinatorEpoch", "StartOffset",
                               "LastTimestamp", "Duration(min)"},
                              rows);
}

std::vector<TransactionListingView> gather_transaction_listings(scenarios::ClusterModel& cluster) {
    std::vector<TransactionListingView> out;
    for (const auto& [id, c] : coordinators(cluster))
        for (const auto& [tid, m] : c->transactions())
            if (c->is_loaded(m.partition)) out.push_back({tid, id, m.producer_id, kafka::to_string(m.state)});
    return out;
}

std::optional<TransactionDescriptionView> gather_transaction_description(scenarios::ClusterModel& cluster,
                                                                         const std::string& transactional_id) {
    for (const auto& [id, c] : coordinators(cluster)) {
        auto it = c->transactions().find(transactional_id);
        if (it == c->transactions().end() || !c->is_loaded(it->second.partition)) continue;
        const kafka::TransactionCoordinator::Metadata& m = it->second;
        TransactionDescriptionView d;
        d.coordinator_id = id;
        d.transactional_id = transactional_id;
        d.producer_id = m.producer_id;
        d.producer_epoch = m.producer_epoch;
        d.state = kafka::to_string(m.state);
        d.timeout_ms = m.txn_timeout_ms;
        // InitProducerId leaves no transaction start (-1 in Kafka: "None").
        if (m.state != kafka::TxnState::empty) d.start_time_ms = m.txn_start_time.ms();
        d.now_ms = cluster.world().now().ms();
        d.partitions = described_partitions(m);
        return d;
    }
    return std::nullopt;
}

std::vector<HangingTransactionView> gather_hanging_transactions(scenarios::ClusterModel& cluster,
                                                                const std::vector<std::string>& topics,
                                                                int64_t max_transaction_timeout_ms) {
    std::vector<HangingTransactionView> out;
    const kafka::MetadataImage* image = cluster.metadata();
    if (image == nullptr) return out;
    const int64_t now_ms = cluster.world().now().ms();
    const auto coords = coordinators(cluster);
    for (const std::string& topic : topics) {
        const kafka::TopicImage* t = image->topic(topic);
        if (t == nullptr) continue;
        for (const auto& ps : t->partitions) {
            if (ps.leader < 0 || !node_up(cluster, cluster.directory().broker_node(ps.leader))) continue;
            const kafka::BrokerNode* b = cluster.broker(ps.leader);
            const kafka::Partition* lp = b == nullptr ? nullptr : b->partition(ps.tp);
            if (lp == nullptr || !lp->is_leader()) continue;
            for (const auto& p : lp->producer_state().producers()) {
                if (p.current_txn_start_offset < 0) continue;
                const int64_t last_ms = p.last_timestamp.ms();
                if (now_ms - last_ms <= max_transaction_timeout_ms) continue;
                // Hanging unless a coordinator lists this producer id with this partition.
                bool expected = false;
                for (const auto& [id, c] : coords)
                    for (const auto& [tid, m] : c->transactions()) {
                        if (m.producer_id != p.producer_id || !c->is_loaded(m.partition)) continue;
                        const auto parts = described_partitions(m);
                        expected = expected || std::find(parts.begin(), parts.end(),
                                                         PartitionKey{topic, ps.tp.partition}) != parts.end();
                    }
                if (expected) continue;
                out.push_back({topic, ps.tp.partition, p.producer_id, p.producer_epoch, p.coordinator_epoch,
                               p.current_txn_start_offset, last_ms, (now_ms - last_ms) / 60000});
            }
        }
    }
    return out;
}

bool has_transactions(scenarios::ClusterModel& cluster) {
    const kafka::MetadataImage* image = cluster.metadata();
    return image != nullptr && image->topic(kafka::transaction_state_topic) != nullptr;
}

}  // namespace reports
