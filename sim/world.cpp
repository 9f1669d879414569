#include "sim/world.hpp"

namespace sim {

const char* to_string(NodeState s) {
    switch (s) {
        case NodeState::not_started: return "not-started";
        case NodeState::up: return "up";
        case NodeState::paused: return "paused";
        case NodeState::shutting_down: return "shutting-down";
        case NodeState::crashed: return "crashed";
        case NodeState::powered_off: return "powered-off";
        case NodeState::stopped: return "stopped";
    }
    return "?";
}

}  // namespace sim
