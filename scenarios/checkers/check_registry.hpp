// Every check, described once, beside its checker (scenarios/checkers/<name>_checker.cpp): its
// name in scenario files, the parameters it takes, its docs line and the function that judges
// a run. The loader, `validate`'s messages, run_check and the docs test read the registry.
//
// Parameters are shared by name across checks ("group", "within", ...): the loader reads each
// name once (scenario_loader.cpp) into ExpectSpec, and reports print them back in the order
// the descriptor lists them. A new check with known parameters is its checker file, one line
// in check_registry.cpp's list and one CheckKind.
#pragma once
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "scenarios/checkers/checker.hpp"

namespace scenarios {

struct CheckParam {
    std::string_view name;
    bool required = false;
};

struct CheckDescriptor {
    CheckKind kind;
    std::string_view name;            // "max-lag"
    std::vector<CheckParam> params;   // in the order reports print them
    std::string_view params_doc;      // the docs table's "parameters" cell
    std::string_view doc;             // the docs table's "holds when" cell
    CheckResult (*run)(const ExpectSpec&, const RunData&);
};

std::span<const CheckDescriptor* const> all_checks();
const CheckDescriptor& check_descriptor(CheckKind kind);
const CheckDescriptor* find_check(std::string_view name);
// "no-acked-loss, no-duplicates, ...": for messages that name every check.
std::string check_names_text();

// Each checker file's descriptor(s).
const CheckDescriptor& no_acked_loss_check();
const CheckDescriptor& no_duplicates_check();
const CheckDescriptor& per_partition_order_check();
const CheckDescriptor& replicas_consistent_check();
const CheckDescriptor& single_leader_check();
const CheckDescriptor& quorum_check();
const CheckDescriptor& max_lag_check();
const CheckDescriptor& recovers_check();
const CheckDescriptor& failover_time_check();
const CheckDescriptor& availability_check();
const CheckDescriptor& at_least_once_check();
const CheckDescriptor& no_poll_skip_check();
const CheckDescriptor& committed_monotonic_check();
const CheckDescriptor& undisturbed_check();
const CheckDescriptor& no_aborted_reads_check();
const CheckDescriptor& txn_atomic_check();
const CheckDescriptor& no_hanging_transactions_check();
const CheckDescriptor& exactly_once_check();
const CheckDescriptor& source_to_sink_check();
const CheckDescriptor& connector_running_check();
const CheckDescriptor& task_unassigned_time_check();

}  // namespace scenarios
