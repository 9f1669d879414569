// What this build of kafkasim can run. A scenario may be valid by the published format
// (../shared/SCENARIOS.md) and still use a part of Kafka the simulator does not model yet;
// running it anyway would quietly simulate something else, so `kafkasim run` refuses it
// with these errors (exit code 2) and `kafkasim validate` lists them as notes.
#pragma once
#include <string>
#include <vector>

#include "scenarios/scenario.hpp"
#include "scenarios/scenario_loader.hpp"

namespace scenarios {

std::vector<LoadError> not_yet_supported(const Scenario& scenario, const std::string& file);

}  // namespace scenarios
