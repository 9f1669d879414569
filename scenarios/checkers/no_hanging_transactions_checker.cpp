// no-hanging-transactions: every transaction a partition holds open is closed in time. From
// the samples: each (first offset, producer id) the partition leader lists as open must be
// gone within
//     transaction.timeout.ms (the largest of the transactional producers', default 60000)
//   + transaction.abort.timed.out.transaction.cleanup.interval.ms (the broker's, default 10000)
//   + 30 s for the markers (the coordinator's request timeout for WriteTxnMarkers, before it
//     retries)
// of when it was first seen open. That is how long the coordinator may take to abort a
// transaction its producer abandoned; a transaction still open after it is one no marker will
// close (KAFKA-12671: a delayed Produce after the abort). While the partition has no leader no
// marker can be written, so time without a leader does not count. Measured on the samples,
// so to the sample interval.
#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <tuple>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

constexpr int64_t default_transaction_timeout_ms = 60000;  // the producer's transaction.timeout.ms
constexpr sim::Duration marker_allowance = sim::seconds(30);

int64_t config_ms(const kafka::ConfigMap& config, const char* key, int64_t fallback) {
    auto it = config.find(key);
    if (it == config.end()) return fallback;
    if (const auto* i = std::get_if<int64_t>(&it->second)) return *i;
    if (const auto* d = std::get_if<double>(&it->second)) return static_cast<int64_t>(*d);
    if (const auto* s = std::get_if<std::string>(&it->second)) {
        try {
            return std::stoll(*s);
        } catch (const std::exception&) {
        }
    }
    return fallback;
}

struct Bound {
    int64_t timeout_ms = default_transaction_timeout_ms;
    int64_t cleanup_ms = 10000;
    sim::Duration total() const { return sim::milliseconds(timeout_ms + cleanup_ms) + marker_allowance; }
    std::string text() const {
        return duration_text(total()) + " = transaction.timeout.ms " + std::to_string(timeout_ms) +
               " + transaction.abort.timed.out.transaction.cleanup.interval.ms " + std::to_string(cleanup_ms) +
               " + 30s for the markers";
    }
};

Bound bound_of(const Scenario& s) {
    Bound b;
    bool any = false;
    for (const ProducerSpec& p : s.producers) {
        if (!p.config.contains("transactional.id")) continue;
        const int64_t ms = config_ms(p.config, "transaction.timeout.ms", default_transaction_timeout_ms);
        b.timeout_ms = any ? std::max(b.timeout_ms, ms) : ms;
        any = true;
    }
    b.cleanup_ms = kafka::BrokerConfig::from(s.kafka.profile, s.kafka.config)
                       .transaction_abort_timed_out_transaction_cleanup_interval_ms;
    return b;
}

struct Open {
    explicit Open(sim::Time first) : since(first), last_seen(first) {}
    sim::Time since;              // first sample that listed it
    sim::Time last_seen;
    sim::Duration with_leader{};  // sampled time it was open while the partition had a leader
    bool leaderless = false;      // the partition had no leader some of that time
    std::optional<sim::Time> closed;
};

// The epoch of the batch at `offset` in the final logs, or -1.
int32_t epoch_at(const RunData& run, size_t partition, int64_t offset) {
    if (partition >= run.final_state.partitions.size()) return -1;
    for (const ReplicaSnapshot& r : run.final_state.partitions[partition].replica_logs)
        for (const kafka::RecordBatch& b : r.batches)
            if (b.base_offset <= offset && offset < b.next_offset()) return b.producer_epoch;
    return -1;
}

// The producer the history knows with this producer id, for evidence.
std::string producer_of(const RunData& run, int64_t pid) {
    for (const TxnOp& t : history_of(run).transactions())
        if (t.producer_id == pid) return ", " + client_text(run, t.client);
    return "";
}

std::string partition_name(const RunData& run, size_t index) {
    if (index < run.final_state.partitions.size()) return run.final_state.partitions[index].label();
    return "partition #" + std::to_string(index);
}

}  // namespace

CheckResult check_no_hanging_transactions(const ExpectSpec&, const RunData& run) {
    const Bound bound = bound_of(run.scenario);
    // (partition index, first offset, producer id) -> its life
    std::map<std::tuple<size_t, int64_t, int64_t>, Open> seen;
    std::map<size_t, std::set<std::pair<int64_t, int64_t>>> current;  // open in the previous sample
    std::optional<sim::Time> previous;
    for (const Sample& s : run.samples) {
        const sim::Duration step = previous ? s.t - *previous : sim::Duration{};
        for (size_t i = 0; i < s.partitions.size(); ++i) {
            const PartitionSample& p = s.partitions[i];
            auto& before = current[i];
            if (p.leader < 0) {  // no leader: nothing is known, nothing can close
                for (const auto& [first, pid] : before) seen.at({i, first, pid}).leaderless = true;
                continue;
            }
            std::set<std::pair<int64_t, int64_t>> now(p.open_transactions.begin(), p.open_transactions.end());
            for (const auto& [first, pid] : before)
                if (!now.count({first, pid})) {
                    Open& o = seen.at({i, first, pid});
                    if (!o.closed) o.closed = s.t;
                }
            for (const auto& [first, pid] : now) {
                auto [it, added] = seen.try_emplace({i, first, pid}, Open(s.t));
                Open& o = it->second;
                if (!added && o.closed) {  // open again (a truncation brought it back): a new life
                    o = Open(s.t);
                } else if (!added) {
                    o.with_leader += step;
                    o.last_seen = s.t;
                }
            }
            before = std::move(now);
        }
        previous = s.t;
    }
    if (seen.empty()) return not_checked("no partition held an open transaction in any sample");

    CheckResult result;
    Evidence evidence;
    int64_t hanging = 0, still_open = 0;
    sim::Duration longest{};
    std::set<size_t> partitions;
    for (const auto& entry : seen) {
        const Open& o = entry.second;
        const auto [index, first, pid] = entry.first;
        partitions.insert(index);
        longest = std::max(longest, o.with_leader);
        if (!o.closed) ++still_open;
        if (o.with_leader <= bound.total()) continue;
        ++hanging;
        const int32_t epoch = epoch_at(run, index, first);
        const size_t i = index;
        const int64_t f = first, id = pid;
        evidence.add_lazy([&run, &o, &bound, i, f, id, epoch] {
            return "hanging: " + partition_name(run, i) + " producer id " + std::to_string(id) +
                   (epoch >= 0 ? " epoch " + std::to_string(epoch) : std::string()) + producer_of(run, id) +
                   ", transaction from offset " + std::to_string(f) + " open since " + sim::format_time(o.since) +
                   (o.closed ? ", closed at " + sim::format_time(*o.closed)
                             : ", still open at the end (last seen " + sim::format_time(o.last_seen) + ")") +
                   ": open " + duration_text(o.with_leader) + " with a leader" +
                   (o.leaderless ? " (time without a leader not counted)" : "") + ", past the bound " +
                   duration_text(bound.total());
        });
    }
    result.holds = hanging == 0;
    const std::string counted = count_text(static_cast<int64_t>(seen.size()), "open transaction") + " seen on " +
                                count_text(static_cast<int64_t>(partitions.size()), "partition");
    if (result.holds)
        result.summary = "every open transaction closed within the bound (" + counted + "; the longest open " +
                         duration_text(longest) + ")" +
                         (still_open > 0 ? "; " + with_commas(still_open) + " still open at the end, within it" : "");
    else
        result.summary = count_text(hanging, "hanging transaction") + " (" + counted + ")";
    evidence.add("bound: " + bound.text() + "; time without a partition leader does not count");
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& no_hanging_transactions_check() {
    static const CheckDescriptor d{CheckKind::no_hanging_transactions, "no-hanging-transactions", {},
                                  "—",
                                  "every transaction a partition holds open is closed within the producers' `transaction.timeout.ms` "
                                  "+ the broker's `transaction.abort.timed.out.transaction.cleanup.interval.ms` + 30 s for the "
                                  "markers of when it was first seen open (time without a partition leader not counted)",
                                  check_no_hanging_transactions};
    return d;
}

}  // namespace scenarios
