// The checkers: each reads a finished run (history, trace, samples, fault log, replica logs)
// and says whether one expectation of SCENARIOS.md held, with the evidence for it — which
// records, which offsets, when — so a failed run can be understood without rerunning it.
//
// Records are identified by (producing client ordinal, partition, per-partition sequence).
// Runs hold ~10^6 records, so everything here works on ranges of sequences or offsets
// (one per batch), never on per-record sets.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "scenarios/run_data.hpp"

namespace scenarios {

struct CheckResult {
    size_t index = 0;                 // position in scenario.expect
    CheckKind kind = CheckKind::no_acked_loss;
    std::string name;                 // "no-acked-loss", as in SCENARIOS.md
    std::string params;               // e.g. "group=billing below=2000 after=48s"
    bool holds = false;               // what the run showed
    // false: the run lacked the evidence the check needs (events a scenario of this kind must
    // produce never arrived). Such a check neither holds nor is violated, and its expectation
    // fails whichever outcome was expected: a verdict is never given on no evidence.
    bool checked = true;
    bool expect_violated = false;     // outcome: "violated"
    bool passed() const { return checked && holds != expect_violated; }
    const char* outcome() const { return !checked ? "not checked" : holds ? "holds" : "violated"; }
    std::string summary;              // one line, with the numbers that decided it
    std::vector<std::string> evidence;  // concrete lines; at most 20, then "... and N more"
};

CheckResult run_check(const ExpectSpec& spec, const RunData& run);  // dispatches on spec.check
std::vector<CheckResult> run_checks(const RunData& run);           // every expect entry, in order
const char* check_name(CheckKind kind);

// One function per check, each in scenarios/checkers/<name>_checker.cpp. They fill holds,
// summary and evidence; run_check fills the rest.
CheckResult check_no_acked_loss(const ExpectSpec& spec, const RunData& run);
CheckResult check_no_duplicates(const ExpectSpec& spec, const RunData& run);
CheckResult check_per_partition_order(const ExpectSpec& spec, const RunData& run);
CheckResult check_replicas_consistent(const ExpectSpec& spec, const RunData& run);
CheckResult check_single_leader(const ExpectSpec& spec, const RunData& run);
CheckResult check_quorum(const ExpectSpec& spec, const RunData& run);
CheckResult check_max_lag(const ExpectSpec& spec, const RunData& run);
CheckResult check_recovers(const ExpectSpec& spec, const RunData& run);
CheckResult check_failover_time(const ExpectSpec& spec, const RunData& run);
CheckResult check_availability(const ExpectSpec& spec, const RunData& run);
CheckResult check_at_least_once(const ExpectSpec& spec, const RunData& run);
CheckResult check_no_poll_skip(const ExpectSpec& spec, const RunData& run);
CheckResult check_committed_monotonic(const ExpectSpec& spec, const RunData& run);
CheckResult check_undisturbed(const ExpectSpec& spec, const RunData& run);
CheckResult check_no_aborted_reads(const ExpectSpec& spec, const RunData& run);
CheckResult check_txn_atomic(const ExpectSpec& spec, const RunData& run);
CheckResult check_no_hanging_transactions(const ExpectSpec& spec, const RunData& run);
CheckResult check_exactly_once(const ExpectSpec& spec, const RunData& run);
CheckResult check_source_to_sink(const ExpectSpec& spec, const RunData& run);
CheckResult check_connector_running(const ExpectSpec& spec, const RunData& run);
CheckResult check_task_unassigned_time(const ExpectSpec& spec, const RunData& run);

// The failovers failover-time measures, whether or not the scenario expects it: each partition
// leader or active controller a fault took away, and how long until someone else led (nullopt:
// no one did by the end). Leaders that came back still leading are left out. For distributions
// across seeds (`kafkasim sweep`).
struct FailoverMeasure {
    std::string what;   // "orders/0 leader", "active controller"
    bool partition_leader = false;
    std::optional<sim::Duration> took;
};
std::vector<FailoverMeasure> measure_failovers(const RunData& run);

// ---------------------------------------------------------------- shared by the checkers
namespace checkers {

// The result of a check that saw none of the events it needs: "not checked: <why>".
CheckResult not_checked(std::string why);

// Evidence lines, capped: past `limit` lines are only counted, and take() closes the list
// with "... and N more" so the report says how much was left out.
class Evidence {
public:
    static constexpr size_t limit = 20;
    bool full() const { return lines_.size() >= limit; }
    void add(std::string line);
    // For hot loops: builds the line only while there is room for it.
    template <class MakeLine>
    void add_lazy(MakeLine&& make) {
        if (full()) ++more_;
        else lines_.push_back(make());
    }
    size_t count() const { return lines_.size() + more_; }
    std::vector<std::string> take();

private:
    std::vector<std::string> lines_;
    size_t more_ = 0;
};

// The run's history and trace, or empty ones when the run has none.
const History& history_of(const RunData& run);
const std::vector<kafka::TraceEntry>& trace_events(const RunData& run);

// The data records of a partition's committed log as a read_committed reader gets them, with
// their offsets: a transactional batch counts once its producer's next marker is a COMMIT;
// aborted and still-open ones, and the markers, do not. `end` is set to the committed end.
struct CommittedRecord {
    int64_t offset = 0;
    const kafka::RecordBatch* batch = nullptr;
    size_t index = 0;
};
std::vector<CommittedRecord> read_committed_records(const PartitionSnapshot& p, int64_t& end);

// ---- texts for summaries and evidence
std::string with_commas(int64_t n);                    // 29412 -> "29,412"
std::string count_text(int64_t n, const char* noun);   // "1 record", "37 records"
std::string span_text(int64_t first, int64_t last);    // "1200..1236", "1200" when equal
std::string client_text(const RunData& run, uint32_t client);      // "producer:checkout"
std::string partition_text(const RunData& run, kafka::TopicPartition tp);  // "orders/0"
std::string broker_text(int32_t broker);               // "broker:2"
// A measured duration: exact forms when round ("15s", "250ms"), else "501.2ms", "15.101s".
std::string duration_text(sim::Duration d);
// "producer:checkout orders/0 seq 1200..1236" for records [first_seq, end_seq).
std::string records_text(const RunData& run, uint32_t client, kafka::TopicPartition tp, uint32_t first_seq,
                         uint32_t end_seq);

// ---- record ranges
struct RecordKey {
    uint32_t client = 0;
    kafka::TopicPartition tp;
    auto operator<=>(const RecordKey&) const = default;
};

struct SeqRange {
    uint32_t first = 0, end = 0;  // [first, end)
};

// A set of one producer's sequences on one partition, as sorted disjoint ranges. Fill with
// add(), then seal() once; queries need a sealed set.
class SeqSet {
public:
    void add(uint32_t first, uint32_t end) {
        if (first < end) ranges_.push_back({first, end});
    }
    void seal();
    std::vector<SeqRange> missing(uint32_t first, uint32_t end) const;  // parts of [first, end) not in the set
    std::vector<SeqRange> present(uint32_t first, uint32_t end) const;  // parts of [first, end) in the set
    const std::vector<SeqRange>& ranges() const { return ranges_; }

private:
    std::vector<SeqRange>::const_iterator first_ending_after(uint32_t seq) const;
    std::vector<SeqRange> ranges_;
};

// A run of one producer's records in a log: sequences [first_seq, first_seq + count) at
// offsets [offset, offset + count). Within a batch both advance together.
struct Placement {
    RecordKey key;
    uint32_t first_seq = 0;
    int32_t count = 0;
    int64_t offset = 0;
    uint32_t end_seq() const { return first_seq + static_cast<uint32_t>(count); }
    int64_t end_offset() const { return offset + count; }
};

// The committed logs of a snapshot: each partition's committed source below its committed
// end (a batch straddling the end is cut there). Batches without a producing client are left
// out. Sorted by (key, first_seq, offset).
std::vector<Placement> committed_placements(const ClusterSnapshot& snapshot);

// Who reads as one: the members of a consumer group together (a partition moves between
// them), a consumer without a group on its own. Group membership comes from the samples.
struct Readers {
    std::vector<uint32_t> of_client;  // client ordinal -> reader index
    std::vector<std::string> names;   // "group billing", "consumer:audit/1"
};
Readers consumer_readers(const RunData& run);
// The consumer group a client belongs to, from its name ("consumer:billing/2 (life 2)" ->
// "billing"); "" for producers and consumers without a group.
std::string group_of_name(const std::string& client_name);

}  // namespace checkers
}  // namespace scenarios
