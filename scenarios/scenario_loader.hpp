// Reads a scenario file (../shared/SCENARIOS.md, the published format) into the typed model of
// scenario.hpp, checking everything that can be checked before a run. Errors are collected, not
// thrown: a user fixing a file wants every mistake at once, each with the JSON path to it.
#pragma once
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "broker/config.hpp"
#include "scenarios/scenario.hpp"
#include "sim/time.hpp"

namespace scenarios {

struct LoadError {
    std::string file;        // as given to the loader
    std::string path;        // JSON pointer ("/faults/2/at"); empty for file-level errors
    std::string message;     // what was expected, and what was found
    std::string suggestion;  // closest known name, or empty
    // "scenarios/x.json: /faults/2/at: expected a duration like \"10s\" (did you mean ...?)"
    std::string what() const;
};

struct LoadResult {
    std::optional<Scenario> scenario;  // set when there are no errors
    std::vector<LoadError> errors;     // in the order found
};

LoadResult load_scenario_file(const std::string& path);
LoadResult load_scenario_text(const std::string& text, const std::string& file_label);

// One fault object as a scenario's "faults" list writes it ({"at": "0s", "action": "crash",
// "target": "broker:2"}), checked against a loaded scenario with the loader's own rules and
// messages. For faults made outside a file (`kafkasim shell`); error paths are relative to
// the object ("/target").
struct FaultParseResult {
    std::optional<FaultSpec> fault;  // set when there are no errors
    std::vector<LoadError> errors;
};
FaultParseResult parse_fault(const nlohmann::json& fault, const Scenario& scenario, const std::string& label);

// The candidate closest to `word` by edit distance, or "" when none is close: the loader's
// did-you-mean rule, for other front ends (the shell's commands, topics, groups).
std::string closest_name(std::string_view word, const std::vector<std::string>& candidates);

// "500us", "250ms", "10s", "1.5s", "2m", "1h", or an integer number of milliseconds. Exact:
// fractions are decimal digits, never floating point. nullopt for anything else, negatives
// and values finer than a microsecond.
std::optional<sim::Duration> parse_duration(const nlohmann::json& value);
std::optional<sim::Duration> parse_duration(std::string_view text);

// A target's syntax only ("broker:1", "leader:orders/0", "*"); whether it names something
// that exists is checked by the loader against the scenario.
std::optional<Target> parse_target(std::string_view text);

// What a version profile sets and why: the text `kafkasim validate` and `kafkasim profiles` print.
std::string describe_profile(const kafka::VersionProfile& profile);

}  // namespace scenarios
