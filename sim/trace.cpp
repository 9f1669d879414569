#include "sim/trace.hpp"

#include <cstdio>

namespace sim {

std::string format_id_list(const std::vector<int32_t>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    out += ']';
    return out;
}

void TraceHasher::field(const char* key, const IdList& ids) {
    text(key);
    // The characters of format_id_list(ids), without building the string.
    char digits[16];
    word('[');
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) word(',');
        int n = std::snprintf(digits, sizeof digits, "%d", ids[i]);
        text(std::string_view(digits, static_cast<size_t>(n)));
    }
    word(']');
}

std::string format_trace_hash(uint64_t h) {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
    return buf;
}

}  // namespace sim
