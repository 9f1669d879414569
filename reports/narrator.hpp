// Tells a run as a story in Kafka's words, one line per notable trace event:
//   t=12.400s controller:3001  fenced broker 1: no heartbeat for 9000 ms
//   t=12.412s broker:2         orders/0: now the leader, epoch 3, ISR [2,3]
// Chatty events (every metadata commit, every vote) are left out.
#pragma once
#include <optional>
#include <string>

#include "sim/trace.hpp"

namespace reports {

// The narration line for an event, or nullopt when the event is not part of the story.
std::optional<std::string> narrate(const sim::TraceEvent& ev, const sim::Trace& trace);

}  // namespace reports
