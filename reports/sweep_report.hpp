// A sweep: one scenario run once per seed of a range (`kafkasim sweep`). This file holds what
// does not need processes: the seed range and shard syntax and the slicing rule, one seed's
// result (what a worker sends back, as one JSON line), sweep.json (written, read back and
// merged from shards), the per-check tally the table prints, and the histogram plot of
// failover time and consumer lag across seeds.
//
// Slicing rule: shard I/N of a range of C seeds runs the I-th of N contiguous blocks, seed
// indexes [floor((I-1)*C/N), floor(I*C/N)) counted from the range's first seed. Blocks differ
// in size by at most one; when N > C some shards are empty.
//
// sweep.json holds nothing that depends on scheduling, worker count or the wall clock: the
// same scenario file, seed range and shard give the same bytes, and merging every shard of a
// range gives the same bytes as one unsharded sweep.
#pragma once
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "scenarios/checkers/checker.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

// Bad input (a range, a shard, a sweep.json, shards that do not fit together): the message says
// what was expected and what was found.
struct SweepInputError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Most seeds one sweep.json holds: enough for any study, few enough for memory.
inline constexpr uint64_t max_sweep_seeds = 1'000'000;

struct SeedRange {
    uint64_t first = 1, last = 1;  // inclusive
    uint64_t count() const { return last - first + 1; }
    std::string text() const;      // "1..500", "42..42"
    bool operator==(const SeedRange&) const = default;
};
// "1..500" (inclusive) or "42" (one seed). Throws SweepInputError.
SeedRange parse_seed_range(std::string_view text);

struct Shard {
    uint64_t index = 1, count = 1;  // 1-based: shard `index` of `count`
    std::string text() const;       // "2/8"
    bool operator==(const Shard&) const = default;
};
// "2/8", 1 <= I <= N. Throws SweepInputError.
Shard parse_shard(std::string_view text);
// The seeds of one shard, by the slicing rule above; nullopt when the shard is empty.
std::optional<SeedRange> shard_seeds(const SeedRange& range, const Shard& shard);

// One expectation's outcome in one seed's run.
struct SeedCheck {
    std::string name;            // "no-acked-loss"
    std::string params;          // "max=15s"
    bool expect_violated = false;
    bool holds = false;
    std::string summary;
    bool checked = true;         // false: the run lacked the evidence (see CheckResult::checked)
    double expected_fraction = 1.0;  // the scenario's "expected_fraction" (ExpectSpec)
    bool passed() const { return checked && holds != expect_violated; }
};

struct SeedResult {
    uint64_t seed = 0;
    std::optional<std::string> fault;  // a simulator fault: the run did not finish; the rest is empty
    std::string trace_hash;
    int64_t events = 0;
    std::vector<SeedCheck> checks;     // in scenario.expect order
    // Failovers as failover-time measures them (partition leaders and the active controller a
    // fault took away), whether or not the scenario expects failover-time.
    int64_t failovers = 0;
    int64_t failovers_incomplete = 0;             // no new leader by the end of the run
    std::optional<int64_t> longest_failover_us;   // of the completed ones; nullopt: none
    std::string longest_failover_what;            // "orders/0 leader"
    // The largest lag any reader (a group together, a group-less consumer alone) showed in any
    // sample; nullopt: the scenario has no consumer.
    std::optional<int64_t> max_lag;
    bool passed() const;  // no fault, every expectation's outcome met
};

SeedResult seed_result(const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks);
SeedResult faulted_seed(uint64_t seed, std::string fault);
// One JSON line (no newline); and back. seed_from_json throws SweepInputError.
std::string seed_json_line(const SeedResult& r);
SeedResult seed_from_json_line(const std::string& line);

struct SweepResult {
    std::string scenario_name;
    std::string scenario_file;         // as run; used in reproduce commands
    std::string scenario_fingerprint;  // FNV-1a 64 of the scenario file's bytes, hex
    SeedRange seeds;
    Shard shard;
    std::vector<SeedResult> results;   // ordered by seed, one per seed of the shard
    std::optional<SeedRange> shard_range() const { return shard_seeds(seeds, shard); }
    int64_t faults() const;
    // Seeds that missed an expectation (faults not counted), leaving out misses of an
    // expectation whose expected fraction the sweep met ("as expected").
    int64_t failing() const;
    int exit_code() const;             // 3 any fault, 1 any seed failing, else 0
};

std::string fingerprint_bytes(std::string_view bytes);  // FNV-1a 64, 16 hex digits

std::string sweep_json_text(const SweepResult& sweep);  // deterministic; ends with a newline
// Writes DIR/sweep.json; returns its path.
std::string write_sweep_json(const std::string& dir, const SweepResult& sweep);
// A sweep.json, or a directory holding one. Throws SweepInputError naming the file.
SweepResult read_sweep_json(const std::string& file_or_dir);
// Shards of one sweep (same scenario fingerprint and seed range, shard count N, each index
// 1..N exactly once) into the unsharded result. Throws SweepInputError.
SweepResult merge_sweeps(std::vector<SweepResult> shards);

// Per expectation, across the seeds that finished.
struct CheckTally {
    std::string name, params;
    bool expect_violated = false;
    double expected_fraction = 1.0;
    int64_t held = 0, violated = 0, not_checked = 0;
    std::vector<uint64_t> failing_seeds;  // outcome not met, by seed
    int64_t runs() const { return held + violated + not_checked; }
    int64_t met() const { return runs() - static_cast<int64_t>(failing_seeds.size()); }
    // The outcome was met on at least the expected fraction of the seeds, and the scenario
    // expects it on only some (expected_fraction < 1): its misses are no failure.
    bool as_expected() const;
};
std::vector<CheckTally> tally_checks(const SweepResult& sweep);
// A seed that missed an expectation whose tally is not "as expected" (faults not counted).
bool seed_failing(const SeedResult& r, const std::vector<CheckTally>& tallies);

// Equal-width bins over integer values; the width is 1, 2 or 5 times a power of ten.
struct Histogram {
    int64_t first = 0;   // lower edge of the first bin
    int64_t width = 1;
    std::vector<int64_t> counts;
};
Histogram make_histogram(const std::vector<int64_t>& values, size_t max_bins = 20);

// The distributions of longest failover time and max consumer lag across seeds, as
// DIR/distributions.png and DIR/distributions.svg via gnuplot. Returns the paths written, or
// sets `skipped` to why nothing was (gnuplot not on PATH).
struct PlotOutcome {
    std::vector<std::string> files;
    std::string skipped;
};
PlotOutcome write_distribution_plots(const std::string& dir, const SweepResult& sweep);

}  // namespace reports
