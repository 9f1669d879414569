// The one place a timer tag is packed. A node hosts several components (a replica manager, a
// consensus replica, a session client ...) and the world hands every timer back as one 64-bit
// tag; when each component carved its own bit range by hand, two ranges once overlapped and a
// timer went to the wrong owner. A component now owns a TimerSpace made with a component id
// distinct within its node, and the fields below are fixed here:
//
//   bits 63..56 component | bits 55..48 kind | bits 47..0 value (an id, a serial)
//
// so tags of different components differ in their top byte whatever kinds and values they use,
// and on_timer finds the owner with owns(). A kind or value too wide for its field would spill
// into its neighbour: that is a simulator bug, asserted.
#pragma once
#include <cstdint>

#include "sim/world.hpp"

namespace sim {

class TimerSpace {
public:
    static constexpr unsigned value_bits = 48;
    static constexpr unsigned kind_bits = 8;
    static constexpr uint64_t max_value = (uint64_t{1} << value_bits) - 1;
    static constexpr uint64_t max_kind = (uint64_t{1} << kind_bits) - 1;

    constexpr explicit TimerSpace(uint8_t component) : component_(component) {}

    constexpr uint8_t component() const { return component_; }

    uint64_t tag(uint64_t kind, uint64_t value = 0) const {
        SIM_ASSERT(kind <= max_kind, "timer kind does not fit its field");
        SIM_ASSERT(value <= max_value, "timer value does not fit its field");
        return (uint64_t{component_} << (kind_bits + value_bits)) | (kind << value_bits) | value;
    }
    constexpr bool owns(uint64_t tag) const { return component_of(tag) == component_; }

    static constexpr uint8_t component_of(uint64_t tag) { return static_cast<uint8_t>(tag >> (kind_bits + value_bits)); }
    static constexpr uint64_t kind_of(uint64_t tag) { return (tag >> value_bits) & max_kind; }
    static constexpr uint64_t value_of(uint64_t tag) { return tag & max_value; }

private:
    uint8_t component_;
};

}  // namespace sim
