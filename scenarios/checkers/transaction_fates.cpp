#include "scenarios/checkers/transaction_fates.hpp"

#include <algorithm>
#include <iterator>

namespace scenarios::checkers {

const char* to_string(LogFate f) {
    switch (f) {
        case LogFate::committed: return "committed";
        case LogFate::aborted: return "aborted";
        case LogFate::open: return "undecided";
    }
    return "?";
}

TransactionFates::TransactionFates(const ClusterSnapshot& snapshot) {
    for (const auto& p : snapshot.partitions) {
        const ReplicaSnapshot* source = p.committed_source();
        if (source == nullptr) continue;
        log_start_[p.tp] = source->log_start_offset;
        const int64_t end = p.committed_end();
        // Per producer id, the placements its next marker decides.
        std::map<int64_t, std::vector<std::pair<RecordKey, size_t>>> pending;
        for (const auto& b : source->batches) {
            if (b.base_offset >= end) break;
            if (b.is_control) {
                auto it = pending.find(b.producer_id);
                if (it == pending.end()) continue;
                for (const auto& [key, index] : it->second) {
                    TxnPlacement& t = by_key_[key][index];
                    t.fate = b.is_commit_marker() ? LogFate::committed : LogFate::aborted;
                    t.marker_offset = b.base_offset;
                }
                pending.erase(it);
                continue;
            }
            if (!b.is_transactional || b.client == 0 || b.record_count <= 0) continue;
            const auto count = static_cast<uint32_t>(std::min<int64_t>(b.record_count, end - b.base_offset));
            const RecordKey key{b.client, p.tp};
            auto& list = by_key_[key];
            list.push_back(TxnPlacement{b.first_seq, b.first_seq + count, b.base_offset, b.producer_id,
                                        b.producer_epoch, LogFate::open, -1});
            pending[b.producer_id].emplace_back(key, list.size() - 1);
        }
    }
    for (auto& [key, list] : by_key_)
        std::stable_sort(list.begin(), list.end(),
                         [](const TxnPlacement& a, const TxnPlacement& b) { return a.first_seq < b.first_seq; });
}

int64_t TransactionFates::log_start(kafka::TopicPartition tp) const {
    auto it = log_start_.find(tp);
    return it == log_start_.end() ? 0 : it->second;
}

uint32_t TransactionFates::lowest_seq(RecordKey key) const {
    auto it = by_key_.find(key);
    return it == by_key_.end() || it->second.empty() ? UINT32_MAX : it->second.front().first_seq;
}

std::vector<FatePart> TransactionFates::parts(RecordKey key, uint32_t first, uint32_t end) const {
    std::vector<FatePart> out;
    auto it = by_key_.find(key);
    uint32_t at = first;
    if (it != by_key_.end()) {
        for (const TxnPlacement& t : it->second) {
            if (t.end_seq <= at) continue;
            if (t.first_seq >= end) break;
            if (t.first_seq > at) out.push_back(FatePart{at, t.first_seq, nullptr});
            const uint32_t from = std::max(at, t.first_seq), to = std::min(end, t.end_seq);
            out.push_back(FatePart{from, to, &t});
            at = to;
            if (at >= end) break;
        }
    }
    if (at < end) out.push_back(FatePart{at, end, nullptr});
    return out;
}

TxnRecordIndex::TxnRecordIndex(const History& history) {
    for (const TxnOp& t : history.transactions())
        for (const RecordRange& r : t.records)
            by_key_[RecordKey{r.client, r.tp}].push_back(Entry{r.first_seq, r.end_seq(), &t});
    for (auto& [key, list] : by_key_)
        std::stable_sort(list.begin(), list.end(), [](const Entry& a, const Entry& b) { return a.first_seq < b.first_seq; });
}

TxnRecordIndex::Hit TxnRecordIndex::at(RecordKey key, uint32_t seq, uint32_t limit) const {
    auto it = by_key_.find(key);
    if (it == by_key_.end()) return {nullptr, limit};
    const auto& list = it->second;
    auto e = std::upper_bound(list.begin(), list.end(), seq, [](uint32_t s, const Entry& x) { return s < x.first_seq; });
    if (e != list.begin() && seq < std::prev(e)->end_seq) return {std::prev(e)->txn, std::min(limit, std::prev(e)->end_seq)};
    return {nullptr, e == list.end() ? limit : std::min(limit, e->first_seq)};
}

namespace {

// The names its members get (cluster_model.cpp): "consumer:<group>" or "consumer:null",
// "consumer:null-2", ... for the n-th entry without a group; then "/<member>".
std::vector<std::pair<std::string, bool>> consumer_prefixes(const Scenario& s) {
    std::vector<std::pair<std::string, bool>> out;
    size_t nulls = 0;
    for (const ConsumerSpec& c : s.consumers) {
        std::string prefix;
        if (c.group) prefix = "consumer:" + *c.group;
        else prefix = nulls++ == 0 ? "consumer:null" : "consumer:null-" + std::to_string(nulls);
        const bool rc = kafka::ConsumerConfig::from(s.kafka.profile, c.config).isolation_level == "read_committed";
        out.emplace_back(prefix + "/", rc);
    }
    // A Streams instance's main consumer is named after the instance; it reads committed
    // under exactly-once (StreamsConfig's consumer override).
    for (const AppSpec& a : s.apps) out.emplace_back("app:" + a.name + "/", a.streams.exactly_once());
    return out;
}

}  // namespace

std::map<uint32_t, bool> consumer_read_committed(const RunData& run) {
    std::map<uint32_t, bool> out;
    const History& h = history_of(run);
    const auto prefixes = consumer_prefixes(run.scenario);
    for (uint32_t c = 1; c < h.client_count(); ++c) {
        const std::string& name = h.client_name(c);
        for (const auto& [prefix, rc] : prefixes) {
            if (name.rfind(prefix, 0) != 0) continue;
            const std::string rest = name.substr(prefix.size());
            const size_t digits = rest.find_first_not_of("0123456789");
            if (digits == 0 || (digits != std::string::npos && rest.compare(digits, 7, " (life ") != 0)) continue;
            out[c] = rc;
            break;
        }
    }
    return out;
}

std::string txn_text(const RunData& run, const TxnOp& t) {
    return "transaction " + std::to_string(t.txn) + " of " + client_text(run, t.client) + " (producer id " +
           std::to_string(t.producer_id) + ", epoch " + std::to_string(t.epoch) + ")";
}

}  // namespace scenarios::checkers
