// The Connect group leader's assignors (EagerAssignor and IncrementalCooperativeAssignor in
// Kafka's connect/runtime/.../distributed/): pure computations, no clock and no I/O. The leader
// worker calls ConnectAssignor::assign with every member's JoinGroup state and sends each
// member its WorkerAssignment in the SyncGroup.
//
// What a WorkerAssignment holds (as Kafka's Assignment / ExtendedAssignment):
// - error: no_error, or config_mismatch when the leader is behind on the config topic (below).
// - leader, leader_url: the leader's member id and REST URL (for forwarding REST writes).
// - config_offset: the config topic offset the assignment was computed from. A member whose own
//   offset is lower must read the config topic up to it before starting anything.
// - eager: connectors/tasks are the member's FULL assignment; revoked_* are empty and delay_ms is
//   0 (every member stopped all its work before joining).
// - compatible/sessioned (ExtendedAssignment): connectors/tasks are ONLY the newly assigned ones
//   and revoked_connectors/revoked_tasks the ones to stop. The worker applies it as Kafka's
//   WorkerCoordinator.onJoinComplete does: stop the revoked, then run
//   (what it ran before - revoked) + assigned, and report that set in its next JoinGroup.
//   delay_ms > 0: the leader scheduled a rebalance; every member rejoins after delay_ms.
//   delay_ms == 0 schedules nothing.
// All lists are sorted.
//
// Config mismatch (ensureLeaderConfig in both assignors): the assignment is computed from the
// highest config offset any member reported. The leader's coordinator snapshot is the one taken
// for its own JoinGroup; if that is behind, the leader takes a fresh snapshot and, if it is still
// behind, sends every member error=config_mismatch with config_offset = the highest member
// offset and nothing assigned: the leader catches up and everyone rejoins. Here `configs` is the
// leader's freshest snapshot, so: configs.offset < max(member config offsets) => config_mismatch.
// Otherwise config_offset = configs.offset (pass the snapshot taken for the leader's JoinGroup to
// match Kafka exactly: then configs.offset equals that maximum). The incremental assignor's
// memory is left untouched by a mismatch round.
#pragma once
#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "connect/connect_features.hpp"
#include "connect/connect_protocol.hpp"

namespace kafka::connect {

// The leader's view of the configs: the config topic read up to `offset`.
struct ConfigSnapshot {
    int64_t offset = -1;
    // every connector to run -> its number of task configs (0 allowed: connector only)
    std::map<std::string, int32_t> task_counts;
};

struct AssignorOptions {
    ConnectProtocol protocol = ConnectProtocol::sessioned;  // the group's protocol; eager => EagerAssignor
    int64_t scheduled_rebalance_max_delay_ms = 300000;       // scheduled.rebalance.max.delay.ms
    bool zero_delay_reassigns_lost = true;                   // ConnectFeatures::zero_delay_reassigns_lost
    bool revoking_rebalance_backoff = true;                  // ConnectFeatures::revoking_rebalance_backoff
};

// A set of connectors and tasks (Kafka's ConnectorsAndTasks), ordered.
struct ConnectorsAndTasks {
    std::set<std::string> connectors;
    std::set<ConnectorTaskId> tasks;
    bool empty() const { return connectors.empty() && tasks.empty(); }
    bool operator==(const ConnectorsAndTasks&) const = default;
};

class ConnectAssignor {
public:
    explicit ConnectAssignor(AssignorOptions options);

    // The leader computes every member's assignment. members: member id -> its JoinGroup state.
    // now_ms: virtual time in milliseconds (the scheduled-delay bookkeeping uses it).
    // The returned map has one entry per member. Assumes the leader's last completed generation
    // is generation - 1 (the overload below says otherwise).
    std::map<std::string, WorkerAssignment> assign(const std::string& leader_id, const std::string& leader_url,
                                                   const ConfigSnapshot& configs,
                                                   const std::map<std::string, WorkerState>& members,
                                                   int32_t generation, int64_t now_ms);
    // last_completed_generation: the generation of the leader worker's last successful SyncGroup
    // (WorkerCoordinator.lastCompletedGenerationId). When it is not the generation this assignor
    // last assigned, the leader's sync failed in between and Kafka forgets the previous assignment
    // (no lost or deleted work is detected from it).
    std::map<std::string, WorkerAssignment> assign(const std::string& leader_id, const std::string& leader_url,
                                                   const ConfigSnapshot& configs,
                                                   const std::map<std::string, WorkerState>& members,
                                                   int32_t generation, int32_t last_completed_generation,
                                                   int64_t now_ms);

    // The group's protocol can change between rebalances (a worker with an older connect.protocol
    // joins); Kafka's WorkerCoordinator keeps both assignors and picks one per rebalance, and the
    // incremental assignor's memory survives eager rounds untouched.
    void set_protocol(ConnectProtocol protocol) { options_.protocol = protocol; }
    const AssignorOptions& options() const { return options_; }

    // Inspection (the fields IncrementalCooperativeAssignor exposes to its tests).
    int64_t scheduled_rebalance_ms() const { return scheduled_rebalance_ms_; }  // 0: none scheduled
    int32_t delay_ms() const { return delay_ms_; }
    const std::vector<std::string>& candidate_workers_for_reassignment() const { return candidate_workers_; }
    const ConnectorsAndTasks& previous_assignment() const { return previous_assignment_; }
    const std::set<std::string>& previous_members() const { return previous_members_; }
    int32_t previous_generation() const { return previous_generation_; }
    int32_t successive_revoking_rebalances() const { return num_successive_revoking_rebalances_; }

    // One worker's load: what it runs after this round (Kafka's WorkerLoad), in order.
    struct WorkerLoad {
        std::string worker;
        std::vector<std::string> connectors;
        std::vector<ConnectorTaskId> tasks;
        bool empty() const { return connectors.empty() && tasks.empty(); }
    };

private:
    std::map<std::string, WorkerAssignment> assign_eager(const std::string& leader_id, const std::string& leader_url,
                                                         const ConfigSnapshot& configs,
                                                         const std::map<std::string, WorkerState>& members);
    std::map<std::string, WorkerAssignment> assign_incremental(const std::string& leader_id,
                                                               const std::string& leader_url,
                                                               const ConfigSnapshot& configs,
                                                               const std::map<std::string, WorkerState>& members,
                                                               int32_t generation, int32_t last_completed_generation,
                                                               int64_t now_ms);
    ConnectorsAndTasks handle_lost_assignments(const ConnectorsAndTasks& lost, std::vector<WorkerLoad>& next,
                                               int64_t now_ms);
    void reset_delay();
    int32_t calculate_delay(int64_t now_ms) const;
    int32_t max_delay_ms() const;

    AssignorOptions options_;
    // IncrementalCooperativeAssignor's memory between rebalances.
    ConnectorsAndTasks previous_assignment_;
    ConnectorsAndTasks previous_revocation_;
    bool revoked_in_previous_ = false;               // 3.4+
    int32_t num_successive_revoking_rebalances_ = 0;  // 3.4+
    bool can_revoke_ = true;                          // before 3.4: no revocation in two rounds in a row
    std::vector<std::string> candidate_workers_;      // insertion order, no repeats (a LinkedHashSet)
    int64_t scheduled_rebalance_ms_ = 0;
    int32_t delay_ms_ = 0;
    int32_t previous_generation_ = -1;
    std::set<std::string> previous_members_;
};

}  // namespace kafka::connect
