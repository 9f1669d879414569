// Tells a run as a story in Kafka's words, one line per notable event:
//   t=12.400s controller:3001  fenced broker 1: no heartbeat for 9000 ms
//   t=12.412s broker:2         orders/0: now the leader, epoch 3, ISR [2,3]
// Chatty events (every metadata commit, every vote) are left out.
#pragma once
#include <optional>
#include <string>

#include "broker/events.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

// The narration line for a model event, or nullopt when the event is not part of the story.
std::optional<std::string> narrate(const kafka::TraceEntry& ev, const kafka::Trace& trace);
// The narration line for a fault firing or its undo.
std::string narrate(const scenarios::FaultRecord& fault);

}  // namespace reports
