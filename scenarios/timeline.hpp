// The run in the order it happened: the model's events (the trace) with the harness's fault
// records among them, each fault where it was recorded. For whatever tells the whole run
// (narration, trace.jsonl, the HTML story).
#pragma once
#include "scenarios/run_data.hpp"

namespace scenarios {

template <class OnEvent, class OnFault>
void for_each_in_order(const RunData& run, OnEvent&& on_event, OnFault&& on_fault) {
    size_t next_fault = 0;
    auto faults_before = [&](size_t position) {
        for (; next_fault < run.faults.size() && run.faults[next_fault].trace_position <= position; ++next_fault)
            on_fault(run.faults[next_fault]);
    };
    if (run.trace != nullptr) {
        const auto& events = run.trace->events();
        for (size_t i = 0; i < events.size(); ++i) {
            faults_before(i);
            on_event(events[i]);
        }
    }
    faults_before(static_cast<size_t>(-1));
}

}  // namespace scenarios
