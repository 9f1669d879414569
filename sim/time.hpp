// Virtual time: integers of microseconds. No floating point, no wall clock.
#pragma once
#include <compare>
#include <cstdint>
#include <string>

namespace sim {

struct Duration {
    int64_t us = 0;
    constexpr auto operator<=>(const Duration&) const = default;
    constexpr Duration operator+(Duration o) const { return {us + o.us}; }
    constexpr Duration operator-(Duration o) const { return {us - o.us}; }
    constexpr Duration operator*(int64_t k) const { return {us * k}; }
    constexpr Duration operator/(int64_t k) const { return {us / k}; }
    constexpr Duration& operator+=(Duration o) { us += o.us; return *this; }
    constexpr int64_t ms() const { return us / 1000; }
};

struct Time {
    int64_t us = 0;
    constexpr auto operator<=>(const Time&) const = default;
    constexpr Time operator+(Duration d) const { return {us + d.us}; }
    constexpr Time operator-(Duration d) const { return {us - d.us}; }
    constexpr Duration operator-(Time o) const { return {us - o.us}; }
    constexpr Time& operator+=(Duration d) { us += d.us; return *this; }
    constexpr int64_t ms() const { return us / 1000; }
};

constexpr Duration microseconds(int64_t v) { return {v}; }
constexpr Duration milliseconds(int64_t v) { return {v * 1000}; }
constexpr Duration seconds(int64_t v) { return {v * 1000000}; }
constexpr Time time_zero{0};
constexpr Time time_never{INT64_MAX};

// "12.400s" — the form used in narration and reports.
std::string format_time(Time t);
// "250ms", "1.5s", "2m" — shortest exact form.
std::string format_duration(Duration d);

}  // namespace sim
