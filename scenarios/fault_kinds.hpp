// Every kind of fault, described once: its name in scenario files, the fields it takes, whether
// `for` undoes it, how reports draw its window, its `kafkasim shell` syntax and its docs line.
// The loader, `validate`'s messages, the shell's commands and help, the reports' fault windows
// and the docs test all read this table; the injector applies each kind (fault_injector.cpp).
#pragma once
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/scenario.hpp"

namespace scenarios {

// How a fault shows in plots and reports: what it does to the cluster while it lasts.
enum class FaultWindowClass { node_down, pause, network_cut, network_degraded, recovery };

struct FaultKind {
    FaultAction action;
    std::string_view name;                  // "power-loss"
    std::vector<std::string_view> fields;   // the JSON fields it takes besides at, action, for
    bool undone_by_for;                     // `for` undoes it (else `for` is an error)
    FaultWindowClass window;
    std::string_view shell_usage;           // "TARGET... [for D]"
    std::string_view shell_help;            // one line for the shell's help
    std::string_view doc;                   // what happens, for docs/scenario-format.md
    std::string_view for_doc;               // what `for` does ("restarts it"), "" when it does not apply
};

std::span<const FaultKind> fault_kinds();
const FaultKind& fault_kind(FaultAction action);
const FaultKind* find_fault_kind(std::string_view name);
// "crash, power-loss, ..., loss": for messages that name every kind.
std::string fault_kind_names();

}  // namespace scenarios
