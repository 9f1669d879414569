#include "scenarios/checkers/check_registry.hpp"

#include <array>

namespace scenarios {

namespace {

// In CheckKind order (check_descriptor() indexes by it; a test holds the two together).
const std::array<const CheckDescriptor*, 21>& registry() {
    static const std::array<const CheckDescriptor*, 21> checks = {
        &no_acked_loss_check(),     &no_duplicates_check(), &per_partition_order_check(),
        &replicas_consistent_check(), &single_leader_check(), &quorum_check(),
        &max_lag_check(),           &recovers_check(),      &failover_time_check(),
        &availability_check(),      &at_least_once_check(), &no_poll_skip_check(),
        &committed_monotonic_check(), &undisturbed_check(),
        &no_aborted_reads_check(),  &txn_atomic_check(),    &no_hanging_transactions_check(),
        &exactly_once_check(),
        &source_to_sink_check(),    &connector_running_check(), &task_unassigned_time_check(),
    };
    return checks;
}

}  // namespace

std::span<const CheckDescriptor* const> all_checks() { return registry(); }

const CheckDescriptor& check_descriptor(CheckKind kind) { return *registry().at(static_cast<size_t>(kind)); }

const CheckDescriptor* find_check(std::string_view name) {
    for (const CheckDescriptor* c : registry())
        if (c->name == name) return c;
    return nullptr;
}

std::string check_names_text() {
    std::string out;
    for (const CheckDescriptor* c : registry()) out += (out.empty() ? "" : ", ") + std::string(c->name);
    return out;
}

}  // namespace scenarios
