// Reading the model's typed events in tests: how many of one kind, the last one.
#pragma once
#include "broker/events.hpp"

namespace test_events {

template <class E>
int count(const kafka::Trace& trace, sim::NodeId node = sim::no_node) {
    int n = 0;
    for (const auto& e : trace.events())
        if (std::holds_alternative<E>(e.event) && (node == sim::no_node || e.node == node)) ++n;
    return n;
}

template <class E>
const E* last(const kafka::Trace& trace) {
    const E* out = nullptr;
    for (const auto& e : trace.events())
        if (const auto* x = std::get_if<E>(&e.event)) out = x;
    return out;
}

}  // namespace test_events
