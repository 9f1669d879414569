// A client's timer tag: its kind in the top byte, a value below it (a correlation id, a poll
// count). The client and its network client share one tag space, so each client numbers
// every kind it uses in one enum. The trace hash mixes tags: renumbering a kind changes the
// fingerprint of every run that sets it.
//
// Bits 40..55 hold the client's embedding slot (client_embedding.hpp): a host that embeds
// several clients of one kind (a Streams instance under exactly_once, with a producer per
// task) tells their timers apart by it. A client running alone has slot 0, so its tags are
// unchanged; values (correlation ids, counts) stay below 2^40.
#pragma once
#include <cstdint>

namespace kafka::client_timer {

constexpr int kind_shift = 56;
constexpr int slot_shift = 40;
constexpr uint64_t value_mask = (uint64_t{1} << slot_shift) - 1;
constexpr uint64_t slot_mask = (uint64_t{1} << (kind_shift - slot_shift)) - 1;

constexpr uint64_t tag(uint64_t kind, uint64_t value = 0, uint64_t slot = 0) {
    return (kind << kind_shift) | ((slot & slot_mask) << slot_shift) | (value & value_mask);
}
constexpr uint64_t kind(uint64_t tag) { return tag >> kind_shift; }
constexpr uint64_t value(uint64_t tag) { return tag & value_mask; }
constexpr uint64_t slot(uint64_t tag) { return (tag >> slot_shift) & slot_mask; }

}  // namespace kafka::client_timer
