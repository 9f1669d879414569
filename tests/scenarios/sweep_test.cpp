// kafkasim sweep: the seed range and shard syntax, the slicing rule (shards cover the range
// exactly once), sweep.json read back and merged, and the command itself through the built
// binary: results ordered by seed whatever the scheduling, shards merged equal to one
// unsharded sweep byte for byte, bad usage exit 2.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process_support.hpp"
#include "reports/sweep_report.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;
using namespace reports;

namespace {

using test_support::sh_quoted;
const fs::path& temp_path() { return test_support::temp_dir(); }
using Result = test_support::CliResult;
using test_support::kafkasim;
const auto& file_text = test_support::read_file;

SeedResult passing_seed(uint64_t seed) {
    SeedResult r;
    r.seed = seed;
    r.trace_hash = "00000000000000" + std::to_string(10 + seed % 90);
    r.events = 1000 + static_cast<int64_t>(seed);
    r.checks.push_back({"no-acked-loss", "", false, true, "all records"});
    r.checks.push_back({"failover-time", "max=15s", false, true, "1 failover"});
    r.failovers = 1;
    r.longest_failover_us = 8'000'000 + static_cast<int64_t>(seed) * 1000;
    r.longest_failover_what = "orders/0 leader";
    r.max_lag = 4000;
    return r;
}

SweepResult sweep_of(SeedRange range, Shard shard) {
    SweepResult s;
    s.scenario_name = "x";
    s.scenario_file = "x.json";
    s.scenario_fingerprint = fingerprint_bytes("{}");
    s.seeds = range;
    s.shard = shard;
    if (auto mine = s.shard_range())
        for (uint64_t seed = mine->first; seed <= mine->last; ++seed) s.results.push_back(passing_seed(seed));
    return s;
}

}  // namespace

TEST_CASE("sweep: seed ranges are A..B inclusive or one seed", "[scenarios][sweep]") {
    CHECK(parse_seed_range("1..500") == SeedRange{1, 500});
    CHECK(parse_seed_range("1..500").count() == 500);
    CHECK(parse_seed_range("42") == SeedRange{42, 42});
    CHECK(parse_seed_range("0..0").count() == 1);
    CHECK(parse_seed_range("7..7").text() == "7..7");
    for (const char* bad : {"", "..", "1..", "..5", "5..1", "a..b", "-1..3", "1...5", "1..5 ", " 1..5", "1-5", "1,2",
                            "99999999999999999999..1", "1..2000000"}) {
        INFO("'" << bad << "'");
        CHECK_THROWS_AS(parse_seed_range(bad), SweepInputError);
    }
    CHECK_THROWS_WITH(parse_seed_range("1-500"), Catch::Contains("--seeds") && Catch::Contains("1..500"));
    CHECK_THROWS_WITH(parse_seed_range("9..3"), Catch::Contains("empty"));
}

TEST_CASE("sweep: shards are I/N, 1-based", "[scenarios][sweep]") {
    CHECK(parse_shard("2/8") == Shard{2, 8});
    CHECK(parse_shard("1/1") == Shard{1, 1});
    CHECK(parse_shard("8/8").text() == "8/8");
    for (const char* bad : {"", "0/8", "9/8", "2", "2/0", "a/b", "2/8/1", "/8", "2/", "-1/8", "1/ 2"}) {
        INFO("'" << bad << "'");
        CHECK_THROWS_AS(parse_shard(bad), SweepInputError);
    }
    CHECK_THROWS_WITH(parse_shard("9/8"), Catch::Contains("--shard") && Catch::Contains("2/8"));
}

TEST_CASE("sweep: shards are contiguous blocks that cover the range exactly once", "[scenarios][sweep]") {
    CHECK(*shard_seeds({1, 500}, {1, 1}) == SeedRange{1, 500});
    CHECK(*shard_seeds({1, 500}, {1, 8}) == SeedRange{1, 62});
    CHECK(*shard_seeds({1, 500}, {2, 8}) == SeedRange{63, 125});
    CHECK(*shard_seeds({1, 500}, {8, 8}) == SeedRange{438, 500});
    CHECK(*shard_seeds({1, 6}, {1, 2}) == SeedRange{1, 3});
    CHECK(*shard_seeds({1, 6}, {2, 2}) == SeedRange{4, 6});
    for (SeedRange range : {SeedRange{1, 500}, SeedRange{0, 0}, SeedRange{10, 16}, SeedRange{1000, 1002}}) {
        for (uint64_t n : {1, 2, 3, 7, 8, 13}) {
            uint64_t next = range.first, smallest = UINT64_MAX, largest = 0;
            for (uint64_t i = 1; i <= n; ++i) {
                std::optional<SeedRange> part = shard_seeds(range, {i, n});
                uint64_t size = part ? part->count() : 0;
                smallest = std::min(smallest, size);
                largest = std::max(largest, size);
                if (!part) continue;
                INFO(range.text() << " shard " << i << "/" << n);
                CHECK(part->first == next);  // in order, no gap, no overlap
                next = part->last + 1;
            }
            INFO(range.text() << " in " << n << " shards");
            CHECK(next == range.last + 1);   // every seed
            CHECK(largest - smallest <= 1);  // balanced
        }
    }
    CHECK_FALSE(shard_seeds({1, 2}, {3, 8}).has_value());  // more shards than seeds: some are empty
}

TEST_CASE("sweep: histogram bins are 1/2/5 x 10^k wide and count every value", "[scenarios][sweep]") {
    Histogram h = make_histogram({7'200'000, 8'400'000, 8'450'000, 9'100'000}, 20);
    CHECK(h.width == 100'000);
    CHECK(h.first == 7'200'000);
    CHECK(h.counts.size() == 20);
    CHECK(h.counts.front() == 1);
    CHECK(h.counts[12] == 2);
    CHECK(h.counts.back() == 1);
    Histogram one = make_histogram({5, 5, 5});
    CHECK(one.counts == std::vector<int64_t>{3});
    Histogram small = make_histogram({1, 2, 2, 3}, 20);
    CHECK(small.width == 1);
    CHECK(small.counts == std::vector<int64_t>{1, 2, 1});
    CHECK(make_histogram({}).counts.empty());
}

TEST_CASE("sweep: sweep.json reads back as written, and shards merge into the unsharded result",
          "[scenarios][sweep]") {
    const fs::path dir = temp_path() / "lib";
    SweepResult whole = sweep_of({1, 7}, {1, 1});
    whole.results[3] = faulted_seed(4, "simulator fault: x");
    whole.results[5].checks[1].holds = false;
    CHECK(whole.exit_code() == 3);
    CHECK(whole.failing() == 1);
    CHECK(whole.faults() == 1);
    const std::string text = sweep_json_text(whole);
    CHECK(text == sweep_json_text(whole));  // nothing but the result in it
    write_sweep_json((dir / "whole").string(), whole);
    CHECK(sweep_json_text(read_sweep_json((dir / "whole").string())) == text);

    std::vector<SweepResult> shards;
    for (uint64_t i = 1; i <= 3; ++i) {
        SweepResult s = sweep_of({1, 7}, {i, 3});
        for (auto& r : s.results) r = whole.results[r.seed - 1];
        write_sweep_json((dir / std::to_string(i)).string(), s);
        shards.push_back(read_sweep_json((dir / std::to_string(i) / "sweep.json").string()));
    }
    CHECK(sweep_json_text(merge_sweeps({shards[2], shards[0], shards[1]})) == text);

    CHECK_THROWS_WITH(merge_sweeps({shards[0], shards[2]}), Catch::Contains("missing: 2/3"));
    CHECK_THROWS_WITH(merge_sweeps({shards[0], shards[0], shards[1]}), Catch::Contains("given twice"));
    SweepResult other = shards[1];
    other.scenario_fingerprint = fingerprint_bytes("{ }");
    CHECK_THROWS_WITH(merge_sweeps({shards[0], other, shards[2]}), Catch::Contains("different scenarios"));
    SweepResult wider = sweep_of({1, 8}, {2, 3});
    CHECK_THROWS_WITH(merge_sweeps({shards[0], wider, shards[2]}), Catch::Contains("different seed ranges"));
    CHECK_THROWS_WITH(merge_sweeps({shards[0], sweep_of({1, 7}, {1, 1})}), Catch::Contains("differently"));

    std::ofstream(dir / "not-a-sweep.json") << "{\"name\": \"quickstart\"}";
    CHECK_THROWS_WITH(read_sweep_json((dir / "not-a-sweep.json").string()), Catch::Contains("not a kafkasim sweep.json"));
    CHECK_THROWS_WITH(read_sweep_json((dir / "nowhere").string()), Catch::Contains("cannot read"));
}

TEST_CASE("sweep: 6 seeds of quickstart with 2 workers, and the same 6 in 2 shards merged", "[scenarios][sweep][cli]") {
    const fs::path dir = temp_path() / "quickstart";
    const std::string quickstart = "sweep scenarios/library/quickstart.json --seeds 1..6";
    Result r = kafkasim(quickstart + " --jobs 2 --out " + sh_quoted((dir / "all").string()));
    INFO(r.command << "\n" << r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "PASSED"));
    CHECK_FALSE(contains(r.output, "\r"));  // not a terminal: no progress bar
    const std::string whole = file_text(dir / "all/sweep.json");
    nlohmann::json j = nlohmann::json::parse(whole);
    REQUIRE(j["results"].size() == 6);
    for (size_t i = 0; i < 6; ++i) {
        CHECK(j["results"][i]["seed"] == i + 1);
        CHECK(j["results"][i]["passed"] == true);
        CHECK(j["results"][i]["checks"].size() == 6);
        CHECK(j["results"][i]["trace_hash"].get<std::string>().size() == 16);
    }
    CHECK(j["results"][0]["trace_hash"] != j["results"][1]["trace_hash"]);
    CHECK(j["scenario"]["name"] == "quickstart");
    CHECK(j["summary"]["runs"] == 6);

    // Different worker counts and shards: the same bytes.
    for (const char* shard : {"1/2", "2/2"}) {
        Result s = kafkasim(quickstart + " --jobs " + std::string(shard[0] == '1' ? "1" : "3") +
                            " --shard " + shard + " --out " + sh_quoted((dir / ("shard" + std::string(1, shard[0]))).string()));
        INFO(s.command << "\n" << s.output);
        REQUIRE(s.exit_code == 0);
    }
    CHECK(nlohmann::json::parse(file_text(dir / "shard1/sweep.json"))["results"].size() == 3);
    Result m = kafkasim("sweep --merge " + sh_quoted((dir / "shard2").string()) + " " +
                        sh_quoted((dir / "shard1/sweep.json").string()) +
                        " --out " + sh_quoted((dir / "merged").string()));
    INFO(m.command << "\n" << m.output);
    REQUIRE(m.exit_code == 0);
    CHECK(file_text(dir / "merged/sweep.json") == whole);

    // A shard alone is not the sweep.
    Result partial =
        kafkasim("sweep --merge " + sh_quoted((dir / "shard1").string()) + " --out " + sh_quoted((dir / "partial").string()));
    CHECK(partial.exit_code == 2);
    CHECK(contains(partial.output, "missing: 2/2"));
}

TEST_CASE("sweep: bad usage exits 2 and says what was expected", "[scenarios][sweep][cli]") {
    struct Case {
        std::string args, says;
    };
    const std::string out = " --out " + sh_quoted((temp_path() / "bad").string());
    for (const Case& c : std::vector<Case>{
             {"sweep", "which scenario?"},
             {"sweep quickstart" + out, "--seeds like 1..500"},
             {"sweep quickstart --seeds 500..1" + out, "empty"},
             {"sweep quickstart --seeds 1-500" + out, "1..500"},
             {"sweep quickstart --seeds" + out, "1..500"},
             {"sweep quickstart --seeds 1..3 --shard 9/8" + out, "2/8"},
             {"sweep quickstart --seeds 1..3 --shard 2" + out, "2/8"},
             {"sweep quickstart --seeds 1..3 --jobs 0" + out, "--jobs"},
             {"sweep quickstart --seeds 1..3 --jobs many" + out, "--jobs"},
             {"sweep quickstart --seeds 1..3 --frobnicate" + out, "unknown option"},
             {"sweep quickstart other --seeds 1..3" + out, "one scenario file at a time"},
             {"sweep no-such-scenario.json --seeds 1..3" + out, "no-such-scenario.json"},
             {"sweep tests/scenarios/malformed/bad-duration-text.json --seeds 1..3" + out, "error:"},
             {"sweep --merge" + out, "which sweeps?"},
             {"sweep --merge scenarios/library/quickstart.json" + out, "not a kafkasim sweep.json"},
             {"sweep --merge nowhere/" + out, "cannot read"},
             {"sweep --merge x --seeds 1..3" + out, "--merge takes only"},
             {"sweep quickstart --seeds 1..3 --out /dev/null/x", "--out /dev/null/x: cannot create"},
         }) {
        Result r = kafkasim(c.args);
        INFO(r.command << "\n" << r.output);
        CHECK(r.exit_code == 2);
        CHECK(contains(r.output, c.says));
        CHECK_FALSE(fs::exists(temp_path() / "bad/sweep.json"));
    }
}
