#include "reports/sweep_report.hpp"

#include "reports/output_file.hpp"

#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <sstream>
#include <tuple>
#include <utility>

#include <gnuplot-iostream.h>
#include <nlohmann/json.hpp>

namespace reports {

namespace {

using ojson = nlohmann::ordered_json;

constexpr const char* sweep_format = "kafkasim-sweep/1";

// A decimal unsigned integer, the whole text; nullopt otherwise (signs, spaces, overflow).
std::optional<uint64_t> parse_u64(std::string_view text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
    uint64_t v = 0;
    auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (ec != std::errc{} || ptr != text.data() + text.size()) return std::nullopt;
    return v;
}

// The largest reader lag of one sample, as max-lag reads it: a group's lag from its committed
// offsets (kafka-consumer-groups.sh), or its members' positions summed when the sample has no
// committed view of it; a group-less consumer alone, from its position.
std::optional<int64_t> sample_max_lag(const scenarios::Sample& s) {
    std::optional<int64_t> worst;
    auto take = [&](int64_t lag) { worst = std::max(worst.value_or(lag), lag); };
    std::map<std::string, int64_t> member_sums;
    for (const scenarios::ConsumerSample& c : s.consumers) {
        if (c.group.empty()) take(c.lag);
        else member_sums[c.group] += c.lag;
    }
    for (const scenarios::GroupSample& g : s.groups) {
        take(g.lag);
        member_sums.erase(g.group);
    }
    for (const auto& [group, lag] : member_sums) take(lag);
    return worst;
}

ojson optional_json(const std::optional<int64_t>& v) { return v ? ojson(*v) : ojson(nullptr); }

ojson seed_json(const SeedResult& r) {
    ojson j;
    j["seed"] = r.seed;
    if (r.fault) {
        j["passed"] = false;
        j["fault"] = *r.fault;
        return j;
    }
    j["passed"] = r.passed();
    j["trace_hash"] = r.trace_hash;
    j["events"] = r.events;
    j["failovers"] = r.failovers;
    j["failovers_incomplete"] = r.failovers_incomplete;
    j["longest_failover_us"] = optional_json(r.longest_failover_us);
    j["longest_failover"] = r.longest_failover_what;
    j["max_lag"] = optional_json(r.max_lag);
    ojson checks = ojson::array();
    for (const SeedCheck& c : r.checks)
        checks.push_back({{"check", c.name},
                          {"params", c.params},
                          {"outcome_expected", c.expect_violated ? "violated" : "holds"},
                          {"holds", c.holds},
                          {"checked", c.checked},
                          {"passed", c.passed()},
                          {"summary", c.summary}});
    for (size_t i = 0; i < r.checks.size(); ++i)
        if (r.checks[i].expected_fraction < 1.0) checks[i]["expected_fraction"] = r.checks[i].expected_fraction;
    j["checks"] = checks;
    return j;
}

// Reading back: every field checked, errors name the field.
template <class T>
T field(const ojson& j, const char* key, const std::string& where) {
    if (!j.is_object() || !j.contains(key)) throw SweepInputError(where + ": missing \"" + key + "\"");
    try {
        return j.at(key).get<T>();
    } catch (const nlohmann::json::exception&) {
        throw SweepInputError(where + ": \"" + key + "\" has the wrong type");
    }
}

std::optional<int64_t> optional_field(const ojson& j, const char* key, const std::string& where) {
    if (j.contains(key) && j.at(key).is_null()) return std::nullopt;
    return field<int64_t>(j, key, where);
}

SeedResult seed_from_json(const ojson& j, const std::string& where) {
    SeedResult r;
    r.seed = field<uint64_t>(j, "seed", where);
    const std::string at = where + " (seed " + std::to_string(r.seed) + ")";
    if (j.contains("fault")) {
        r.fault = field<std::string>(j, "fault", at);
        return r;
    }
    r.trace_hash = field<std::string>(j, "trace_hash", at);
    r.events = field<int64_t>(j, "events", at);
    r.failovers = field<int64_t>(j, "failovers", at);
    r.failovers_incomplete = field<int64_t>(j, "failovers_incomplete", at);
    r.longest_failover_us = optional_field(j, "longest_failover_us", at);
    r.longest_failover_what = field<std::string>(j, "longest_failover", at);
    r.max_lag = optional_field(j, "max_lag", at);
    const ojson checks = field<ojson>(j, "checks", at);
    if (!checks.is_array()) throw SweepInputError(at + ": \"checks\" is not an array");
    for (const ojson& c : checks) {
        SeedCheck sc;
        sc.name = field<std::string>(c, "check", at);
        sc.params = field<std::string>(c, "params", at);
        std::string outcome = field<std::string>(c, "outcome_expected", at);
        if (outcome != "holds" && outcome != "violated")
            throw SweepInputError(at + ": \"outcome_expected\" must be \"holds\" or \"violated\"");
        sc.expect_violated = outcome == "violated";
        sc.holds = field<bool>(c, "holds", at);
        sc.checked = field<bool>(c, "checked", at);
        sc.summary = field<std::string>(c, "summary", at);
        if (c.contains("expected_fraction")) {
            sc.expected_fraction = field<double>(c, "expected_fraction", at);
            if (!(sc.expected_fraction > 0 && sc.expected_fraction <= 1))
                throw SweepInputError(at + ": \"expected_fraction\" must be above 0 and at most 1");
        }
        r.checks.push_back(std::move(sc));
    }
    return r;
}

// gnuplot single-quoted string: a quote is written twice.
std::string gp_quote(const std::string& s) {
    std::string out = "'";
    for (char c : s) {
        if (c == '\'') out += "''";
        else if (c != '\n') out += c;
    }
    return out + "'";
}

bool on_path(const std::string& program) {
    const char* path = std::getenv("PATH");
    if (path == nullptr) return false;
    std::string_view rest = path;
    while (true) {
        size_t colon = rest.find(':');
        std::string dir(rest.substr(0, colon));
        if (dir.empty()) dir = ".";
        if (access((dir + "/" + program).c_str(), X_OK) == 0) return true;
        if (colon == std::string_view::npos) return false;
        rest.remove_prefix(colon + 1);
    }
}

struct SweepPanel {
    std::string xlabel;
    std::string empty_text;  // shown when there are no values
    std::vector<int64_t> values;
    std::vector<bool> failing;  // per value: its seed missed an expectation
    double unit = 1;         // values / unit = plotted x
};

// Bars of seeds per bin: passing seeds blue, failing ones stacked on them in red, with room
// above the tallest bar for the key.
void plot_panel(Gnuplot& gp, const SweepPanel& p) {
    gp << "set xlabel " << gp_quote(p.xlabel) << "\n";
    if (p.values.empty()) {
        gp << "set xrange [0:1]\nset yrange [0:1]\nunset xtics\nunset ytics\n"
              "set label 1 "
           << gp_quote(p.empty_text)
           << " at 0.5,0.5 center\n"
              "plot 2 notitle\n"
              "unset label 1\nset xtics\nset ytics\nset autoscale\n";
        return;
    }
    // Values on a grid (failover times are measured to the sample interval) are binned in steps
    // of it, so that no bin falls between two grid points and the bars do not comb.
    int64_t grid = 0;
    for (int64_t v : p.values) grid = std::gcd(grid, v < 0 ? -v : v);
    if (grid <= 1) grid = 1;
    std::vector<int64_t> scaled;
    for (int64_t v : p.values) scaled.push_back(v / grid);
    const double unit = p.unit / static_cast<double>(grid);
    Histogram h = make_histogram(scaled);
    std::vector<int64_t> failing(h.counts.size(), 0);
    for (size_t i = 0; i < scaled.size(); ++i)
        if (p.failing[i]) ++failing[static_cast<size_t>((scaled[i] - h.first) / h.width)];
    std::vector<std::tuple<double, int64_t, int64_t>> boxes;  // centre, all seeds, passing seeds
    for (size_t i = 0; i < h.counts.size(); ++i) {
        const double offset = (static_cast<double>(i) + 0.5) * static_cast<double>(h.width);
        const double centre = (static_cast<double>(h.first) + offset) / unit;
        boxes.emplace_back(centre, h.counts[i], h.counts[i] - failing[i]);
    }
    double lo = static_cast<double>(h.first) / unit;
    double hi = (static_cast<double>(h.first) + static_cast<double>(h.counts.size() * h.width)) / unit;
    // Counts are whole seeds: no fractional tics when they are small.
    const int64_t tallest = *std::max_element(h.counts.begin(), h.counts.end());
    const bool any_failing = std::any_of(failing.begin(), failing.end(), [](int64_t f) { return f > 0; });
    const int64_t top = std::max<int64_t>(tallest + 1, (tallest * 5 + 3) / 4);  // a quarter of headroom
    gp << (tallest <= 10 ? "set ytics 1\n" : "set ytics autofreq\n");
    gp << "set boxwidth " << static_cast<double>(h.width) / unit << " absolute\n"
       << "set xrange [" << lo << ":" << hi << "]\nset yrange [0:" << top << "]\n"
       << "set key top right\n";
    if (any_failing) {
        gp << "plot '-' using 1:2 with boxes lc rgb '#cc3311' title 'seeds that missed an outcome', "
              "'-' using 1:3 with boxes lc rgb '#4477aa' title 'seeds that met every outcome'\n";
        gp.send1d(boxes);
        gp.send1d(boxes);
    } else {
        gp << "plot '-' using 1:3 with boxes lc rgb '#4477aa' title 'seeds (each met every outcome)'\n";
        gp.send1d(boxes);
    }
    gp << "set autoscale\nset ytics autofreq\n";
}

}  // namespace

// ---------------------------------------------------------------- ranges and shards

std::string SeedRange::text() const { return std::to_string(first) + ".." + std::to_string(last); }
std::string Shard::text() const { return std::to_string(index) + "/" + std::to_string(count); }

SeedRange parse_seed_range(std::string_view text) {
    const std::string expected = "expected a seed range like 1..500 (inclusive) or one seed like 42, got '" +
                                 std::string(text) + "'";
    size_t dots = text.find("..");
    SeedRange r;
    if (dots == std::string_view::npos) {
        auto one = parse_u64(text);
        if (!one) throw SweepInputError("--seeds: " + expected);
        r.first = r.last = *one;
    } else {
        auto first = parse_u64(text.substr(0, dots));
        auto last = parse_u64(text.substr(dots + 2));
        if (!first || !last) throw SweepInputError("--seeds: " + expected);
        if (*first > *last)
            throw SweepInputError("--seeds: the range " + std::string(text) + " is empty (first seed after the last)");
        r.first = *first;
        r.last = *last;
    }
    if (r.last - r.first >= max_sweep_seeds)
        throw SweepInputError("--seeds: " + std::string(text) + " is more than " + std::to_string(max_sweep_seeds) +
                              " seeds; split it into several sweeps");
    return r;
}

Shard parse_shard(std::string_view text) {
    const std::string expected = "expected I/N with 1 <= I <= N, like 2/8, got '" + std::string(text) + "'";
    size_t slash = text.find('/');
    if (slash == std::string_view::npos) throw SweepInputError("--shard: " + expected);
    auto index = parse_u64(text.substr(0, slash));
    auto count = parse_u64(text.substr(slash + 1));
    if (!index || !count || *count == 0 || *index == 0 || *index > *count || *count > max_sweep_seeds)
        throw SweepInputError("--shard: " + expected);
    return Shard{*index, *count};
}

std::optional<SeedRange> shard_seeds(const SeedRange& range, const Shard& shard) {
    // count <= max_sweep_seeds and shard.count <= max_sweep_seeds: the products fit in 64 bits.
    const uint64_t c = range.count();
    const uint64_t begin = (shard.index - 1) * c / shard.count;
    const uint64_t end = shard.index * c / shard.count;
    if (begin == end) return std::nullopt;
    return SeedRange{range.first + begin, range.first + end - 1};
}

// ---------------------------------------------------------------- one seed

bool SeedResult::passed() const {
    if (fault) return false;
    return std::all_of(checks.begin(), checks.end(), [](const SeedCheck& c) { return c.passed(); });
}

SeedResult seed_result(const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks) {
    SeedResult r;
    r.seed = run.seed;
    r.trace_hash = run.trace_hash;
    r.events = run.events;
    for (const auto& c : checks) {
        double fraction = c.index < run.scenario.expect.size() ? run.scenario.expect[c.index].expected_fraction : 1.0;
        r.checks.push_back({c.name, c.params, c.expect_violated, c.holds, c.summary, c.checked, fraction});
    }
    for (const scenarios::FailoverMeasure& f : scenarios::measure_failovers(run)) {
        ++r.failovers;
        if (!f.took) {
            ++r.failovers_incomplete;
            continue;
        }
        if (!r.longest_failover_us || f.took->us > *r.longest_failover_us) {
            r.longest_failover_us = f.took->us;
            r.longest_failover_what = f.what;
        }
    }
    for (const scenarios::Sample& s : run.samples)
        if (auto lag = sample_max_lag(s)) r.max_lag = std::max(r.max_lag.value_or(*lag), *lag);
    return r;
}

SeedResult faulted_seed(uint64_t seed, std::string fault) {
    SeedResult r;
    r.seed = seed;
    r.fault = std::move(fault);
    return r;
}

std::string seed_json_line(const SeedResult& r) { return seed_json(r).dump(); }

SeedResult seed_from_json_line(const std::string& line) {
    ojson j;
    try {
        j = ojson::parse(line);
    } catch (const nlohmann::json::exception& e) {
        throw SweepInputError(std::string("a worker's result is not JSON: ") + e.what());
    }
    return seed_from_json(j, "worker result");
}

// ---------------------------------------------------------------- the sweep

int64_t SweepResult::faults() const {
    return std::count_if(results.begin(), results.end(), [](const SeedResult& r) { return r.fault.has_value(); });
}

bool CheckTally::as_expected() const {
    if (expected_fraction >= 1.0 || runs() == 0) return false;
    // met / runs >= fraction, in integers where possible: met >= ceil(fraction * runs) less float noise.
    return static_cast<double>(met()) >= expected_fraction * static_cast<double>(runs()) - 1e-9;
}

bool seed_failing(const SeedResult& r, const std::vector<CheckTally>& tallies) {
    if (r.fault || r.passed()) return false;
    for (size_t i = 0; i < r.checks.size(); ++i)
        if (!r.checks[i].passed() && !(i < tallies.size() && tallies[i].as_expected())) return true;
    return false;
}

int64_t SweepResult::failing() const {
    const std::vector<CheckTally> tallies = tally_checks(*this);
    return std::count_if(results.begin(), results.end(), [&](const SeedResult& r) { return seed_failing(r, tallies); });
}

int SweepResult::exit_code() const {
    if (faults() > 0) return 3;
    return failing() > 0 ? 1 : 0;
}

std::string fingerprint_bytes(std::string_view bytes) {
    uint64_t h = 0xcbf29ce484222325ULL;
    for (unsigned char c : bytes) {
        h ^= c;
        h *= 0x100000001b3ULL;
    }
    char out[17];
    std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
    return out;
}

std::vector<CheckTally> tally_checks(const SweepResult& sweep) {
    std::vector<CheckTally> tallies;
    for (const SeedResult& r : sweep.results) {
        if (r.fault) continue;
        for (size_t i = 0; i < r.checks.size(); ++i) {
            const SeedCheck& c = r.checks[i];
            if (i == tallies.size()) tallies.push_back({c.name, c.params, c.expect_violated, c.expected_fraction, 0, 0, 0, {}});
            CheckTally& t = tallies[i];
            (!c.checked ? t.not_checked : c.holds ? t.held : t.violated) += 1;
            if (!c.passed()) t.failing_seeds.push_back(r.seed);
        }
    }
    return tallies;
}

std::string sweep_json_text(const SweepResult& sweep) {
    ojson j;
    j["format"] = sweep_format;
    j["scenario"] = {{"name", sweep.scenario_name},
                     {"file", sweep.scenario_file},
                     {"fingerprint", sweep.scenario_fingerprint}};
    j["seeds"] = {{"first", sweep.seeds.first}, {"last", sweep.seeds.last}};
    ojson shard = {{"index", sweep.shard.index}, {"count", sweep.shard.count}};
    if (auto r = sweep.shard_range()) {
        shard["first"] = r->first;
        shard["last"] = r->last;
    }
    shard["slicing"] = "contiguous blocks: shard I of N runs seed indexes [floor((I-1)*C/N), floor(I*C/N)) of the C seeds";
    j["shard"] = shard;
    ojson checks = ojson::array();
    for (const CheckTally& t : tally_checks(sweep))
        checks.push_back({{"check", t.name},
                          {"params", t.params},
                          {"outcome_expected", t.expect_violated ? "violated" : "holds"},
                          {"held", t.held},
                          {"not_checked", t.not_checked},
                          {"violated", t.violated},
                          {"failing_seeds", t.failing_seeds}});
    {
        const std::vector<CheckTally> tallies = tally_checks(sweep);
        for (size_t i = 0; i < tallies.size(); ++i)
            if (tallies[i].expected_fraction < 1.0) {
                checks[i]["expected_fraction"] = tallies[i].expected_fraction;
                checks[i]["as_expected"] = tallies[i].as_expected();
            }
    }
    const int64_t runs = static_cast<int64_t>(sweep.results.size());
    j["summary"] = {{"runs", runs},
                    {"passed", runs - sweep.failing() - sweep.faults()},
                    {"failing", sweep.failing()},
                    {"faults", sweep.faults()},
                    {"exit_code", sweep.exit_code()},
                    {"checks", checks}};
    ojson results = ojson::array();
    for (const SeedResult& r : sweep.results) results.push_back(seed_json(r));
    j["results"] = results;
    return j.dump(2) + "\n";
}

std::string write_sweep_json(const std::string& dir, const SweepResult& sweep) {
    std::filesystem::create_directories(dir);
    std::string path = (std::filesystem::path(dir) / "sweep.json").string();
    write_file(path, sweep_json_text(sweep));
    return path;
}

SweepResult read_sweep_json(const std::string& file_or_dir) {
    std::filesystem::path path = file_or_dir;
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) path /= "sweep.json";
    const std::string where = path.string();
    std::ifstream in(path, std::ios::binary);
    if (!in) throw SweepInputError(where + ": cannot read (expected a sweep.json or a directory holding one)");
    std::stringstream text;
    text << in.rdbuf();
    ojson j;
    try {
        j = ojson::parse(text.str());
    } catch (const nlohmann::json::exception& e) {
        throw SweepInputError(where + ": not JSON: " + e.what());
    }
    if (!j.is_object() || !j.contains("format") || j["format"] != sweep_format)
        throw SweepInputError(where + ": not a kafkasim sweep.json (expected \"format\": \"" + sweep_format + "\")");
    SweepResult s;
    const ojson scenario = field<ojson>(j, "scenario", where);
    s.scenario_name = field<std::string>(scenario, "name", where + ": /scenario");
    s.scenario_file = field<std::string>(scenario, "file", where + ": /scenario");
    s.scenario_fingerprint = field<std::string>(scenario, "fingerprint", where + ": /scenario");
    const ojson seeds = field<ojson>(j, "seeds", where);
    s.seeds.first = field<uint64_t>(seeds, "first", where + ": /seeds");
    s.seeds.last = field<uint64_t>(seeds, "last", where + ": /seeds");
    if (s.seeds.first > s.seeds.last || s.seeds.last - s.seeds.first >= max_sweep_seeds)
        throw SweepInputError(where + ": /seeds: not a valid seed range");
    const ojson shard = field<ojson>(j, "shard", where);
    s.shard.index = field<uint64_t>(shard, "index", where + ": /shard");
    s.shard.count = field<uint64_t>(shard, "count", where + ": /shard");
    if (s.shard.count == 0 || s.shard.index == 0 || s.shard.index > s.shard.count || s.shard.count > max_sweep_seeds)
        throw SweepInputError(where + ": /shard: not a valid shard");
    const ojson results = field<ojson>(j, "results", where);
    if (!results.is_array()) throw SweepInputError(where + ": /results is not an array");
    for (size_t i = 0; i < results.size(); ++i)
        s.results.push_back(seed_from_json(results[i], where + ": /results/" + std::to_string(i)));
    // The results must be exactly the shard's seeds, in order.
    std::optional<SeedRange> mine = s.shard_range();
    const uint64_t expected = mine ? mine->count() : 0;
    if (s.results.size() != expected)
        throw SweepInputError(where + ": shard " + s.shard.text() + " of seeds " + s.seeds.text() + " should hold " +
                              std::to_string(expected) + " results, it holds " + std::to_string(s.results.size()));
    for (size_t i = 0; i < s.results.size(); ++i)
        if (s.results[i].seed != mine->first + i)
            throw SweepInputError(where + ": /results/" + std::to_string(i) + ": expected seed " +
                                  std::to_string(mine->first + i) + ", found " + std::to_string(s.results[i].seed));
    return s;
}

SweepResult merge_sweeps(std::vector<SweepResult> shards) {
    if (shards.empty()) throw SweepInputError("--merge: expected one or more sweep.json files or directories");
    const SweepResult& a = shards.front();
    for (const SweepResult& s : shards) {
        if (s.scenario_name != a.scenario_name || s.scenario_fingerprint != a.scenario_fingerprint)
            throw SweepInputError("--merge: the shards are of different scenarios: '" + a.scenario_name + "' (" +
                                  a.scenario_fingerprint + ") and '" + s.scenario_name + "' (" +
                                  s.scenario_fingerprint + "); every shard must run the same scenario file");
        if (!(s.seeds == a.seeds))
            throw SweepInputError("--merge: the shards are of different seed ranges: " + a.seeds.text() + " and " +
                                  s.seeds.text());
        if (s.shard.count != a.shard.count)
            throw SweepInputError("--merge: the shards split the range differently: " + a.shard.text() + " and " +
                                  s.shard.text());
    }
    std::sort(shards.begin(), shards.end(),
              [](const SweepResult& x, const SweepResult& y) { return x.shard.index < y.shard.index; });
    for (size_t i = 1; i < shards.size(); ++i)
        if (shards[i].shard.index == shards[i - 1].shard.index)
            throw SweepInputError("--merge: shard " + shards[i].shard.text() + " is given twice");
    if (shards.size() != a.shard.count) {
        std::string missing;
        size_t k = 0;
        for (uint64_t i = 1; i <= shards.front().shard.count; ++i) {
            if (k < shards.size() && shards[k].shard.index == i) {
                ++k;
                continue;
            }
            if (missing.size() > 60) {
                missing += ", ...";
                break;
            }
            missing += (missing.empty() ? "" : ", ") + std::to_string(i) + "/" + std::to_string(shards.front().shard.count);
        }
        throw SweepInputError("--merge: shards missing: " + missing + " (got " + std::to_string(shards.size()) + " of " +
                              std::to_string(shards.front().shard.count) + ")");
    }
    SweepResult merged;
    merged.scenario_name = shards.front().scenario_name;
    merged.scenario_file = shards.front().scenario_file;
    merged.scenario_fingerprint = shards.front().scenario_fingerprint;
    merged.seeds = shards.front().seeds;
    merged.shard = Shard{1, 1};
    for (SweepResult& s : shards)
        for (SeedResult& r : s.results) merged.results.push_back(std::move(r));
    return merged;
}

// ---------------------------------------------------------------- distributions

Histogram make_histogram(const std::vector<int64_t>& values, size_t max_bins) {
    Histogram h;
    if (values.empty()) return h;
    if (max_bins == 0) max_bins = 1;
    const auto [lo_it, hi_it] = std::minmax_element(values.begin(), values.end());
    const int64_t lo = *lo_it, hi = *hi_it;
    const int64_t bins = static_cast<int64_t>(max_bins);
    // Smallest 1/2/5 x 10^k width that covers [lo, hi] in max_bins bins from a multiple of it.
    auto floor_div = [](int64_t a, int64_t b) { return a / b - ((a % b != 0) && ((a < 0) != (b < 0)) ? 1 : 0); };
    for (int64_t scale = 1;; scale *= 10) {
        for (int64_t step : {1, 2, 5}) {
            const int64_t width = step * scale;
            const int64_t first = floor_div(lo, width) * width;
            if ((hi - first) / width < bins) {
                h.width = width;
                h.first = first;
                h.counts.assign(static_cast<size_t>((hi - first) / width + 1), 0);
                for (int64_t v : values) ++h.counts[static_cast<size_t>((v - first) / width)];
                return h;
            }
        }
        if (scale > INT64_MAX / 100) break;
    }
    h.first = lo;
    h.width = hi - lo + 1;
    h.counts = {static_cast<int64_t>(values.size())};
    return h;
}

PlotOutcome write_distribution_plots(const std::string& dir, const SweepResult& sweep) {
    PlotOutcome outcome;
    if (!on_path("gnuplot")) {
        outcome.skipped = "gnuplot is not on PATH, so the plots were skipped (Debian's gnuplot-nox provides it)";
        return outcome;
    }
    std::filesystem::create_directories(dir);
    SweepPanel failover{"longest failover per seed (s)", "no failover in any seed", {}, {}, 1e6};
    SweepPanel lag{"max consumer lag per seed (records)", "no consumer in this scenario", {}, {}, 1};
    int64_t incomplete = 0;
    for (const SeedResult& r : sweep.results) {
        if (r.fault) continue;
        // Told apart by their own outcomes, whether or not the sweep's expected fraction
        // forgives them: which seeds showed the anomaly is what a reader looks for.
        const bool failing = !r.passed();
        if (r.longest_failover_us) {
            failover.values.push_back(*r.longest_failover_us);
            failover.failing.push_back(failing);
        }
        if (r.failovers_incomplete > 0) ++incomplete;
        if (r.max_lag) {
            lag.values.push_back(*r.max_lag);
            lag.failing.push_back(failing);
        }
    }
    if (incomplete > 0)
        failover.xlabel += " [" + std::to_string(incomplete) + " seed(s) with a failover that never completed]";
    std::string title = sweep.scenario_name + ": seeds " + sweep.seeds.text();
    if (sweep.shard.count > 1) title += ", shard " + sweep.shard.text();
    title += " (" + std::to_string(sweep.results.size()) + " runs";
    const int64_t missed = std::count_if(sweep.results.begin(), sweep.results.end(),
                                         [](const SeedResult& r) { return !r.fault && !r.passed(); });
    if (sweep.failing() > 0) title += ", " + std::to_string(sweep.failing()) + " failing";
    else if (missed > 0) title += ", " + std::to_string(missed) + " missed an outcome: as the scenario expects";
    title += ")";
    // Only the distributions the scenario has: no half-image panel that says "no consumer".
    std::vector<const SweepPanel*> panels;
    for (const SweepPanel* p : {&failover, &lag})
        if (!p->values.empty()) panels.push_back(p);
    if (panels.empty()) panels.push_back(&failover);
    const std::string size = panels.size() == 2 ? "1200,500" : "760,500";

    const std::filesystem::path base = std::filesystem::path(dir) / "distributions";
    const std::vector<std::pair<std::string, std::string>> outputs = {
        {base.string() + ".png", "pngcairo size " + size + " font ',12'"},
        {base.string() + ".svg", "svg size " + size + " dynamic font 'sans,12'"},
    };
    for (const auto& [file, terminal] : outputs) std::filesystem::remove(file);
    // gnuplot may stop reading early (a bad line): a write to its closed pipe must not kill us.
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previous {};
    sigaction(SIGPIPE, &ignore, &previous);
    try {
        Gnuplot gp(std::string("gnuplot"));
        for (const auto& [file, terminal] : outputs) {
            gp << "set terminal " << terminal << "\nset output " << gp_quote(file) << "\n"
               << "set style fill solid 0.6 border -1\nset grid ytics\nset ylabel 'seeds'\n"
               << "set multiplot layout 1," << panels.size() << " title " << gp_quote(title) << "\n";
            for (const SweepPanel* p : panels) plot_panel(gp, *p);
            gp << "unset multiplot\nset output\n";
        }
        gp << "exit\n";
        gp.flush();
    } catch (const std::exception& e) {
        outcome.skipped = std::string("gnuplot failed: ") + e.what();
    }
    sigaction(SIGPIPE, &previous, nullptr);
    for (const auto& [file, terminal] : outputs) {
        std::error_code ec;
        if (std::filesystem::file_size(file, ec) > 0 && !ec) outcome.files.push_back(file);
    }
    if (outcome.files.size() != outputs.size() && outcome.skipped.empty())
        outcome.skipped = "gnuplot did not write every plot (see its messages above)";
    return outcome;
}

}  // namespace reports
