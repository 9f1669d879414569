#pragma once
#include <stdexcept>
#include <string>
#include <vector>

namespace cli {

struct UsageError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

int run_command(const std::vector<std::string>& args);
int validate_command(const std::vector<std::string>& args);
int bench_command(const std::vector<std::string>& args);
int list_command(const std::vector<std::string>& args);

// A path as given, or a library scenario by name ("quickstart").
std::string resolve_scenario_path(const std::string& name_or_path);
std::string library_dir();

}  // namespace cli
