// libFuzzer target: any bytes as a scenario file. The loader must answer every input with a
// scenario or errors, never an exception, a crash, a sanitizer report, or a message it cannot
// print (each error's text is built, as `kafkasim validate` prints it). Seeds: the scenario
// library and tests/hostile/ (fuzz/CMakeLists.txt).
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "scenarios/printable.hpp"
#include "scenarios/scenario_loader.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const std::string text(reinterpret_cast<const char*>(data), size);
    scenarios::LoadResult r = scenarios::load_scenario_text(text, "fuzz.json");
    for (const scenarios::LoadError& e : r.errors) {
        const std::string line = e.what();
        // Every message is bounded and printable, whatever the input held.
        if (line.size() > 2000 || !scenarios::is_valid_utf8(line)) std::abort();
    }
    if (r.scenario.has_value() == !r.errors.empty()) std::abort();
    return 0;
}
