#pragma once
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"

namespace cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

// Exit codes (README "Exit codes"): 0 every expectation met, 1 one was not, 2 bad input or
// usage (an invalid scenario, one past kafkasim's limits, one too large for the memory there
// is), 3 a simulator fault, 4 an output could not be written (a report file, sweep.json or
// standard output: a full disk, a file-size limit, a closed pipe).
inline constexpr int exit_bad_input = 2;
inline constexpr int exit_write_failed = 4;

int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int list_command(const std::vector<std::string>& args);
// kafkasim profiles [VERSION]: every version profile (or the one a release maps to): the
// defaults it changes, the protocol behaviour it models, and why.
int profiles_command(const std::vector<std::string>& args);
// kafkasim configs: every config key a scenario may set, by scope, with its default, what the
// profiles change and whether the model reads it (the text of docs/config-keys.md).
int configs_command(const std::vector<std::string>& args);

// A path as given, or a library scenario by name ("quickstart").
std::string resolve_scenario_path(const std::string& name_or_path);
std::string library_dir();

// --seed N: a non-negative integer (UsageError otherwise).
uint64_t parse_seed(const std::string& text);
// The command that runs one seed of a scenario again (with --sample when metrics were sampled:
// the sampling callbacks are events of the world, so the interval is part of the trace hash).
std::string reproduce_command(const std::string& file, uint64_t seed,
                              std::optional<sim::Duration> sample = std::nullopt);

// Loads a scenario file; nullopt (with every error on stderr) when it is not valid. Unless
// validating, the errors end with the hint to validate the file.
std::optional<scenarios::Scenario> load_or_report(const std::string& path, bool validating = false);
// The same, and refused (with the reason on stderr) when this build cannot simulate it yet.
std::optional<scenarios::Scenario> load_runnable_or_report(const std::string& path);

}  // namespace cli
