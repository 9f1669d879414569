// Applies the fault timeline to the world: resolves targets when a fault fires (recording
// what they resolved to), applies the action, and schedules its undo when it has a `for`.
// What each kind of fault does is its own file (scenarios/faults/); the injector gives it the
// world, target resolution and the network changes in force (faults/fault_kind.hpp:
// FaultContext), and keeps the fault log.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "broker/world.hpp"
#include "scenarios/faults/fault_kind.hpp"
#include "scenarios/run_data.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

class ClusterModel;  // target resolution against the live cluster

class FaultInjector {
public:
    FaultInjector(kafka::World& world, ClusterModel& cluster, std::vector<FaultRecord>& log);

    void schedule(const std::vector<FaultSpec>& faults);
    sim::Time last_undo() const { return last_undo_; }

    // Fires a fault now (`kafkasim shell`): as a scripted one would at this instant, recorded in
    // the fault log and the trace, undone by itself after its `for`. The injector keeps the spec.
    // Returns what it did (the record of the firing).
    FaultRecord fire_now(FaultSpec fault);
    // A node added to the running world (a hand-driven client) joins the network faults in
    // force that reach every node: it cannot reach an isolated node, it lands on the "*" side
    // of a partition, and it sees a target's added latency or loss.
    void on_node_added(sim::NodeId node);
    // Called with every record once it is complete (a firing, an undo), as it happens.
    void set_listener(std::function<void(const FaultRecord&)> fn) { on_record_ = std::move(fn); }
    // True while a fault's action runs: the model events recorded meanwhile (a restarted
    // node's start) are its consequences, told after its record.
    bool applying() const { return applying_; }

private:
    class Firing;  // the FaultContext of one firing or undo

    void fire(const FaultSpec& f);
    void undo(const FaultSpec& f, const Applied& applied);
    // Applies (+1) or reverts (-1) a change on one directed link.
    void change_link(const NetworkChange& change, sim::NodeId from, sim::NodeId to, int sign);
    uint64_t apply_network(NetworkChange change);
    bool revert_network(uint64_t id);
    // The world's send hook while a `delay` is in force (none otherwise: sends stay fast).
    void update_hold_hook();
    sim::Duration hold_for(sim::NodeId from, sim::NodeId to, const kafka::Message& msg);
    FaultRecord& record(const FaultSpec& f, bool is_undo);
    void publish(FaultRecord& r);

    kafka::World& world_;
    ClusterModel& cluster_;
    std::vector<FaultRecord>& log_;
    std::function<void(const FaultRecord&)> on_record_;
    std::map<uint64_t, NetworkChange> active_;  // network faults in force, by id
    std::deque<FaultSpec> fired_now_;           // fire_now's faults (undo callbacks refer to them)
    std::map<uint64_t, int64_t> hold_left_;     // delay faults in force: messages left to hold (-1: no limit)
    uint64_t next_change_ = 1;
    bool applying_ = false;
    sim::Time last_undo_;
};

}  // namespace scenarios
