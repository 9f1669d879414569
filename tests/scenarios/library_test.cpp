// The scenario library (scenarios/library/*.json) is what users run first and what
// `kafkasim list` shows: every scenario there must pass with its own seed, and must be
// deterministic — the same seed gives the same trace hash (so a printed reproduce command
// reproduces), and another seed gives another run (so the seed really reaches the world).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/capabilities.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

std::string lib_all_errors(const std::vector<scenarios::LoadError>& errors) {
    std::string out;
    for (const auto& e : errors) out += e.what() + "\n";
    return out;
}

std::string dump(const scenarios::CheckResult& r) {
    std::string out = (r.passed() ? "PASS " : "FAIL ") + r.name + (r.params.empty() ? "" : " [" + r.params + "]") +
                      (r.expect_violated ? " (expected violated)" : "") + ": " + r.summary;
    for (const auto& e : r.evidence) out += "\n    - " + e;
    return out;
}

std::string dump(const std::vector<scenarios::CheckResult>& checks) {
    std::string out;
    for (const auto& c : checks) out += dump(c) + "\n";
    return out;
}

std::string reproduce_command(const fs::path& file, uint64_t seed) {
    return "kafkasim run " + fs::relative(file, source_dir).string() + " --seed " + std::to_string(seed);
}

}  // namespace

TEST_CASE("every library scenario passes and its seed decides its run", "[scenarios][library]") {
    auto files = json_files_in(source_dir / "scenarios/library");
    REQUIRE_FALSE(files.empty());
    for (const auto& file : files) {
        // One section a file: a failing scenario does not hide the others.
        DYNAMIC_SECTION(file.filename().string()) {
            auto loaded = scenarios::load_scenario_file(file.string());
            INFO(file.filename().string() << "\n" << lib_all_errors(loaded.errors));
            REQUIRE(loaded.scenario);
            const scenarios::Scenario& scenario = *loaded.scenario;

            // `kafkasim run` refuses what this build does not simulate; running it here anyway
            // would simulate something else. Say so rather than pass quietly.
            auto unsupported = scenarios::not_yet_supported(scenario, file.string());
            if (!unsupported.empty()) {
                WARN("skipping " << file.filename().string() << ": this build cannot run it\n"
                                 << lib_all_errors(unsupported));
                return;
            }

            const uint64_t seed = scenario.seed;
            INFO("reproduce: " << reproduce_command(file, seed));

            scenarios::ScenarioRun first(scenario, seeded(seed));
            const scenarios::RunData& data = first.finish();
            INFO(dump(first.checks()));
            CHECK_FALSE(first.checks().empty());
            REQUIRE(first.passed());
            REQUIRE_FALSE(data.trace_hash.empty());

#ifndef KAFKASIM_SANITIZED_BUILD  // determinism is the release run's to check; ASan/UBSan look for memory errors
            scenarios::ScenarioRun again(scenario, seeded(seed));
            const scenarios::RunData& again_data = again.finish();
            CHECK(again_data.events == data.events);
            REQUIRE(again_data.trace_hash == data.trace_hash);

            scenarios::ScenarioRun other(scenario, seeded(seed + 1));
            const scenarios::RunData& other_data = other.finish();
            INFO("seed " << seed + 1 << ": " << other_data.trace_hash);
            REQUIRE(other_data.trace_hash != data.trace_hash);
#endif
        }
    }
}
