// libFuzzer target: any bytes as a `kafkasim shell` script (one command a line) over a small
// scenario. Every line must get an answer (a result or one "error:" line), never an exception,
// a crash or a sanitizer report. Fault commands go through the scenario loader, as typed ones do.
// Seeds: fuzz/shell-corpus/.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <sstream>
#include <string>

#include "cli/shell_command.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

const scenarios::Scenario& small_scenario() {
    static const scenarios::Scenario s = [] {
        scenarios::LoadResult r = scenarios::load_scenario_text(R"({
          "name": "fuzz", "duration": "5s",
          "kafka": { "brokers": 3, "controllers": 3 },
          "topics": [ { "name": "orders", "partitions": 2, "replication.factor": 3 } ],
          "producers": [ { "id": "app", "topic": "orders", "rate": 20, "from": "1s" } ],
          "consumers": [ { "group": "billing", "members": 2, "topics": ["orders"] } ]
        })", "fuzz-shell.json");
        if (!r.scenario) std::abort();
        return *r.scenario;
    }();
    return s;
}

// Large counts make one input take seconds (a million records): they are the produce
// command's limit to test, not the parser's; the rest of the line is kept.
std::string tame(const std::string& script) {
    std::string out;
    std::istringstream in(script);
    int lines = 0;
    for (std::string line; std::getline(in, line) && lines < 16; ++lines) {
        if (line.rfind("produce", 0) == 0 || line.rfind("step", 0) == 0) {
            size_t digits = 0;
            for (char& c : line) {
                if (c >= '0' && c <= '9') {
                    if (++digits > 3) c = '_';
                } else {
                    digits = 0;
                }
            }
        }
        out += line + "\n";
    }
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string script = tame(std::string(reinterpret_cast<const char*>(data), size));
    std::ostringstream out;
    cli::run_shell_script(small_scenario(), 1, script, out);
    return 0;
}
