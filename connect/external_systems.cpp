#include "connect/external_systems.hpp"

#include <algorithm>
#include <cmath>

namespace kafka::connect {

void ExternalSystems::add_source(ExternalSourceSpec spec) {
    for (int64_t row : spec.malformed_rows) malformed_texts_.insert(row_text(spec, row));
    std::string name = spec.name;
    sources_.insert_or_assign(std::move(name), std::move(spec));
}

const ExternalSourceSpec* ExternalSystems::source(const std::string& name) const {
    auto it = sources_.find(name);
    return it == sources_.end() ? nullptr : &it->second;
}

int64_t ExternalSystems::rows_at(const ExternalSourceSpec& s, sim::Time t) const {
    const int64_t given = std::max<int64_t>(s.initial_rows, static_cast<int64_t>(s.lines.size()));
    if (s.rate_per_s <= 0 || t < s.from) return given;
    const sim::Time end = std::min(t, s.until);
    if (end <= s.from) return given;
    // Row k (k from 0) of the growth appears at from + k / rate: those with k / rate <= elapsed,
    // exclusive of `until`. Integer microseconds decide, so every platform agrees.
    const int64_t elapsed_us = (end - s.from).us;
    const int64_t per_row_us_x1000 = static_cast<int64_t>(std::llround(1e9 / s.rate_per_s));  // us * 1000
    int64_t grown = elapsed_us * 1000 / per_row_us_x1000 + 1;
    if (end == s.until && (elapsed_us * 1000) % per_row_us_x1000 == 0) --grown;  // until is exclusive
    return given + grown;
}

sim::Time ExternalSystems::row_time(const ExternalSourceSpec& s, int64_t row) const {
    const int64_t given = std::max<int64_t>(s.initial_rows, static_cast<int64_t>(s.lines.size()));
    if (row < given) return sim::time_zero;
    if (s.rate_per_s <= 0) return sim::time_never;
    const int64_t per_row_us_x1000 = static_cast<int64_t>(std::llround(1e9 / s.rate_per_s));
    const sim::Time t = s.from + sim::Duration{(row - given) * per_row_us_x1000 / 1000};
    return t < s.until ? t : sim::time_never;
}

std::string ExternalSystems::row_text(const ExternalSourceSpec& s, int64_t row) const {
    if (row >= 0 && row < static_cast<int64_t>(s.lines.size())) return s.lines[static_cast<size_t>(row)];
    const std::string text = s.name + "-" + std::to_string(row);
    return row_malformed(s, row) ? text + " (malformed)" : text;
}

bool ExternalSystems::row_malformed(const ExternalSourceSpec& s, int64_t row) const {
    return std::find(s.malformed_rows.begin(), s.malformed_rows.end(), row) != s.malformed_rows.end();
}

bool ExternalSystems::available(const std::string& name, sim::Time t) const {
    auto it = down_until_.find(name);
    return it == down_until_.end() || t >= it->second;
}

uint64_t ExternalSystems::total_writes() const {
    uint64_t n = 0;
    for (const auto& [name, w] : writes_) n += w.size();
    return n;
}

}  // namespace kafka::connect
