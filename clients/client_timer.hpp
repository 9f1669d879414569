// A client's timer tag: its kind in the top byte, a value below it (a correlation id, a poll
// count). The client and its network client share one tag space, so each client numbers
// every kind it uses in one enum. The trace hash mixes tags: renumbering a kind changes the
// fingerprint of every run that sets it.
#pragma once
#include <cstdint>

namespace kafka::client_timer {

constexpr int kind_shift = 56;
constexpr uint64_t value_mask = (uint64_t{1} << kind_shift) - 1;

constexpr uint64_t tag(uint64_t kind, uint64_t value = 0) { return (kind << kind_shift) | (value & value_mask); }
constexpr uint64_t kind(uint64_t tag) { return tag >> kind_shift; }
constexpr uint64_t value(uint64_t tag) { return tag & value_mask; }

}  // namespace kafka::client_timer
