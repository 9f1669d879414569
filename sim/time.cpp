#include "sim/time.hpp"

#include <cstdio>

namespace sim {

std::string format_time(Time t) {
    char buf[48];
    int64_t us = t.us;
    const char* sign = us < 0 ? "-" : "";
    if (us < 0) us = -us;
    std::snprintf(buf, sizeof buf, "%s%lld.%03llds", sign, static_cast<long long>(us / 1000000),
                  static_cast<long long>((us / 1000) % 1000));
    return buf;
}

std::string format_duration(Duration d) {
    int64_t us = d.us;
    if (us % 1000 != 0) return std::to_string(us) + "us";
    int64_t ms = us / 1000;
    if (ms == 0) return "0ms";
    if (ms % 3600000 == 0) return std::to_string(ms / 3600000) + "h";
    if (ms % 60000 == 0) return std::to_string(ms / 60000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    if (ms > 1000 && ms % 100 == 0) {
        return std::to_string(ms / 1000) + "." + std::to_string((ms % 1000) / 100) + "s";
    }
    return std::to_string(ms) + "ms";
}

}  // namespace sim
