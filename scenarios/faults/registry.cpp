#include <array>

#include "scenarios/faults/fault_kind.hpp"

namespace scenarios {

namespace {

// In FaultAction order (fault_kind() indexes by it; a test holds the two together).
const std::array<const FaultKind*, 16>& fault_registry() {
    static const std::array<const FaultKind*, 16> kinds = {
        &crash_fault(),     &power_loss_fault(), &shutdown_fault(), &restart_fault(),
        &pause_fault(),     &resume_fault(),     &partition_fault(), &isolate_fault(),
        &cut_fault(),       &heal_fault(),       &latency_fault(),   &loss_fault(),
        &drop_fault(),      &delay_fault(),      &external_down_fault(), &fail_task_fault(),
    };
    return kinds;
}

using T = FaultFieldType;

// Every field a fault may take, with its one type.
constexpr std::array<FaultFieldInfo, 11> kFields = {{
    {"target", T::targets, "the node or client it applies to, like \"broker:1\""},
    {"groups", T::groups, "lists of targets that can reach only each other"},
    {"from", T::targets, "the senders whose messages are lost"},
    {"to", T::targets, "the receivers they are lost on the way to"},
    {"between", T::target_pair, "two targets: the link pair it applies to"},
    {"add", T::duration, "the extra one-way latency, like \"200ms\""},
    {"jitter", T::duration, "a random extra delay up to this, like \"20ms\""},
    {"probability", T::probability, "the chance a message (loss: one transmission of it) is lost, 0 to 1"},
    {"requests", T::names, "the Kafka requests it applies to, like [\"EndTxn\"] (Produce, AddPartitionsToTxn, ...)"},
    {"count", T::count, "how many messages at most, like 1"},
    {"system", T::name, "an external system of the \"connect\" section: a file or table, like \"orders\""},
}};

}  // namespace

std::span<const FaultKind* const> fault_kinds() { return fault_registry(); }

const FaultKind& fault_kind(FaultAction action) { return *fault_registry().at(static_cast<size_t>(action)); }

const FaultKind* find_fault_kind(std::string_view name) {
    for (const FaultKind* k : fault_registry())
        if (k->name == name) return k;
    return nullptr;
}

std::string fault_kind_names() {
    std::string out;
    for (const FaultKind* k : fault_registry()) out += (out.empty() ? "" : ", ") + std::string(k->name);
    return out;
}

std::span<const FaultFieldInfo> fault_fields() { return kFields; }

const FaultFieldInfo* find_fault_field(std::string_view name) {
    for (const FaultFieldInfo& f : kFields)
        if (f.name == name) return &f;
    return nullptr;
}

std::string describe_targets(const std::vector<Target>& targets) {
    std::string out;
    for (size_t i = 0; i < targets.size(); ++i) out += (i ? ", " : "") + targets[i].text;
    return out;
}

std::string fault_target_text(const FaultSpec& f) {
    if (!f.system.empty()) return f.system;  // external-down: the file or table
    switch (fault_kind(f.action).operand) {
        case FaultOperand::none: return "*";
        case FaultOperand::groups: {
            std::string out;
            for (size_t g = 0; g < f.groups.size(); ++g) out += (g ? " | " : "") + describe_targets(f.groups[g]);
            return out;
        }
        case FaultOperand::from_to: return describe_targets(f.from) + " -> " + describe_targets(f.to);
        case FaultOperand::targets: break;
    }
    return describe_targets(f.between.empty() ? f.targets : f.between);
}

}  // namespace scenarios
