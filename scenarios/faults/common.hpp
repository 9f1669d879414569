// What several faults share: acting on each resolved node (crash, pause, ...), and putting a
// network change in force or taking it back (partition, latency, ...).
#pragma once
#include "scenarios/faults/fault_kind.hpp"

namespace scenarios::fault_support {

// Resolves the spec's "target" and acts on each node; a node the action does not apply to
// (already crashed, not paused) is skipped with its state. Fired when any node was acted on.
Applied act_on_targets(FaultContext& ctx, const FaultSpec& f, bool (*act)(FaultContext&, sim::NodeId));
// The undo of crash, power-loss and shutdown: restart the nodes they stopped.
void restart_nodes(FaultContext& ctx, const Applied& applied);

// Both directions of a link; nothing for a node and itself.
void add_both_ways(std::vector<std::pair<sim::NodeId, sim::NodeId>>& links, sim::NodeId a, sim::NodeId b);
// Puts the change in force when it covers any link; fired when it did.
Applied apply_links(FaultContext& ctx, NetworkChange change);
// The undo of a network fault: take its change back, unless a heal already did.
void revert_links(FaultContext& ctx, const Applied& applied);

// cut and delay: every directed link from a node of "from" to a node of "to".
NetworkChange links_from_to(FaultContext& ctx, const FaultSpec& f);
// latency, loss and drop: the links of one pair ("between": [a, b]) or every link of a target.
NetworkChange links_between_or_of_target(FaultContext& ctx, const FaultSpec& f);
// loss and drop: their `probability` on those links.
Applied apply_link_chance(FaultContext& ctx, const FaultSpec& f, LinkEffect effect);
// ... and their rule: one of "between" and "target", not both.
void between_or_target(FieldRules& rules);

}  // namespace scenarios::fault_support
