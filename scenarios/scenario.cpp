#include "scenarios/scenario.hpp"

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/faults/fault_kind.hpp"

namespace scenarios {

const char* to_string(FaultAction a) { return fault_kind(a).name.data(); }

std::optional<FaultAction> parse_fault_action(std::string_view name) {
    const FaultKind* k = find_fault_kind(name);
    return k != nullptr ? std::optional(k->action) : std::nullopt;
}

const char* to_string(CheckKind k) { return check_descriptor(k).name.data(); }

}  // namespace scenarios
