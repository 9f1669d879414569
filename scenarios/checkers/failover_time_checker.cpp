// failover-time: when a fault takes away a node that leads partitions or is the active
// controller, someone else takes over within `max`; and every other stretch in which a
// partition that had a leader had none, or the cluster had no active controller (a network
// fault, a resignation, lost elections), ends within `max` too, with its likely cause.
// Measured on the samples: a failover completes at the first sample showing a new leader
// (another broker, or the same one under a new leader epoch) or a new active controller.
#include <algorithm>
#include <charconv>
#include <iterator>
#include <optional>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/faults/fault_kind.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// Faults after which the node cannot lead: someone else must take over. Partitions and cuts
// leave it to the network which side keeps leading, so they are not measured.
bool takes_node_away(FaultAction action) {
    return action == FaultAction::crash || action == FaultAction::power_loss || action == FaultAction::shutdown ||
           action == FaultAction::pause || action == FaultAction::isolate;
}

bool names(const FaultRecord& f, const std::string& node) {
    return std::find(f.resolved.begin(), f.resolved.end(), node) != f.resolved.end();
}

// "broker:3" -> 3, "controller:3000" -> 3000; other nodes lead nothing measured here.
std::optional<int32_t> leader_id(const std::string& node) {
    for (const char* prefix : {"broker:", "controller:"}) {
        std::string p = prefix;
        if (node.rfind(p, 0) == 0 && node.size() > p.size()) {
            int32_t id = 0;
            const char* end = node.data() + node.size();
            auto [ptr, ec] = std::from_chars(node.data() + p.size(), end, id);
            if (ec != std::errc{} || ptr != end) return std::nullopt;
            return id;
        }
    }
    return std::nullopt;
}

// The last sample taken before t: who led when the fault fired. (A sample at t itself may
// already show the fault's effect.)
const Sample* sample_before(const RunData& run, sim::Time t) {
    auto it = std::lower_bound(run.samples.begin(), run.samples.end(), t, [](const Sample& s, sim::Time x) { return s.t < x; });
    return it == run.samples.begin() ? nullptr : &*std::prev(it);
}

// When the fault on `node` was undone, if it was.
std::optional<sim::Time> back_at(const RunData& run, size_t record, const std::string& node) {
    const FaultRecord& f = run.faults[record];
    for (size_t j = record + 1; j < run.faults.size(); ++j) {
        const FaultRecord& g = run.faults[j];
        if (!g.fired) continue;
        if (g.is_undo) {
            if (g.index == f.index) return g.at;
            continue;
        }
        if (((g.action == FaultAction::restart || g.action == FaultAction::resume) && names(g, node)) ||
            (g.action == FaultAction::heal && f.action == FaultAction::isolate))
            return g.at;
    }
    return std::nullopt;
}

// A leadership change is blamed on this fault until the next fault takes the same node away.
sim::Time blame_ends(const RunData& run, size_t record, const std::string& node) {
    for (size_t j = record + 1; j < run.faults.size(); ++j) {
        const FaultRecord& g = run.faults[j];
        if (g.fired && !g.is_undo && takes_node_away(g.action) && names(g, node)) return g.at;
    }
    return sim::time_never;
}

struct Failover {
    std::string what;   // "orders/0 leader" / "active controller"
    std::string fault;  // "crash of broker:1 at 10.000s"
    std::string role;   // "leader, epoch 3": what the node was when it went
    sim::Time t;
    std::optional<sim::Time> done;
    std::string outcome;
    bool not_needed = false;  // the node came back and kept leading: nothing failed over
    std::optional<sim::Duration> took() const {
        if (done) return *done - t;
        return std::nullopt;
    }
};

// Who leads one thing (a partition, the controller) in a sample, and under which epoch.
struct Leadership {
    int32_t leader = -1;
    int64_t epoch = -1;
};

// Follows one leadership from the fault on: done at the first sample with a leader other
// than the failed one, or the failed one under a newer epoch.
template <class LeadershipIn>
void follow(const RunData& run, size_t record, const std::string& node, Leadership before, LeadershipIn&& leadership_in,
            const char* leader_prefix, Failover& f) {
    const sim::Time end = blame_ends(run, record, node);
    for (const Sample& s : run.samples) {
        if (s.t <= f.t || s.t >= end) continue;
        Leadership now = leadership_in(s);
        if (now.leader < 0 || (now.leader == before.leader && now.epoch <= before.epoch)) continue;
        f.done = s.t;
        f.outcome = leader_prefix + std::to_string(now.leader) + " leads (epoch " + std::to_string(now.epoch) + ") at " +
                    sim::format_time(s.t);
        return;
    }
    if (auto back = back_at(run, record, node)) {
        f.not_needed = true;
        f.outcome = node + " was back at " + sim::format_time(*back) + " and kept leading: no failover";
    } else {
        f.outcome = "no new leader by the end of the run";
    }
}

void failovers_of(const RunData& run, size_t record, const std::string& node, std::vector<Failover>& out) {
    const FaultRecord& fault = run.faults[record];
    const std::optional<int32_t> id = leader_id(node);
    const Sample* before = sample_before(run, fault.at);
    if (!id || before == nullptr) return;
    const std::string cause = std::string(to_string(fault.action)) + " of " + node + " at " + sim::format_time(fault.at);
    const bool is_broker = node.rfind("broker:", 0) == 0;
    for (size_t p = 0; is_broker && p < before->partitions.size(); ++p) {
        const PartitionSample& ps = before->partitions[p];
        if (ps.leader != *id) continue;
        const std::string label = p < run.final_state.partitions.size() ? run.final_state.partitions[p].label()
                                                                       : "partition #" + std::to_string(p);
        Failover f;
        f.what = label + " leader";
        f.fault = cause;
        f.role = "leader, epoch " + std::to_string(ps.leader_epoch);
        f.t = fault.at;
        auto in = [p](const Sample& s) {
            return p < s.partitions.size() ? Leadership{s.partitions[p].leader, s.partitions[p].leader_epoch} : Leadership{};
        };
        follow(run, record, node, Leadership{ps.leader, ps.leader_epoch}, in, "broker:", f);
        out.push_back(std::move(f));
    }
    // The active controller: a controller in KRaft, a broker in ZooKeeper mode.
    if (before->active_controller == *id) {
        Failover f;
        f.what = "active controller";
        f.fault = cause;
        f.role = "active controller, quorum epoch " + std::to_string(before->quorum_epoch);
        f.t = fault.at;
        auto in = [](const Sample& s) { return Leadership{s.active_controller, s.quorum_epoch}; };
        follow(run, record, node, Leadership{before->active_controller, before->quorum_epoch}, in,
               is_broker ? "broker:" : "controller:", f);
        out.push_back(std::move(f));
    }
}

std::string failover_text(const Failover& f) {
    std::string took = f.took() ? ": " + duration_text(*f.took()) : "";
    return f.what + ": " + f.fault + " (" + f.role + ") -> " + f.outcome + took;
}

// The likely cause of a leaderless stretch from `t`: the last fault that fired before it.
std::string cause_before(const RunData& run, sim::Time t) {
    const FaultRecord* cause = nullptr;
    for (const FaultRecord& f : run.faults)
        if (f.fired && !f.is_undo && f.at <= t && fault_kind(f.action).window != FaultWindowClass::recovery) cause = &f;
    if (cause == nullptr) return "no fault before it";
    return "after " + std::string(to_string(cause->action)) + " " + cause->target_text + " at " +
           sim::format_time(cause->at);
}

// Every stretch of samples in which `what`, having had a leader, had none; those inside a
// failover already measured from its fault are that failover.
template <class LeadershipIn>
void leaderless_stretches(const RunData& run, const std::string& what, LeadershipIn&& leadership_in,
                          const char* leader_prefix, std::vector<Failover>& out) {
    const size_t measured = out.size();
    auto covered = [&](sim::Time t) {
        for (size_t i = 0; i < measured; ++i)
            if (out[i].what == what && out[i].t <= t && (!out[i].done || *out[i].done >= t)) return true;
        return false;
    };
    auto stretch = [&](sim::Time from, std::optional<sim::Time> done, std::string outcome) {
        if (covered(from)) return;
        Failover f;
        f.what = what;
        f.fault = "no leader from " + sim::format_time(from) + ", " + cause_before(run, from);
        f.role = "leaderless";
        f.t = from;
        f.done = done;
        f.outcome = std::move(outcome);
        out.push_back(std::move(f));
    };
    bool had_leader = false;
    std::optional<sim::Time> gap;
    for (const Sample& s : run.samples) {
        const Leadership now = leadership_in(s);
        if (now.leader < 0) {
            if (had_leader && !gap) gap = s.t;
            continue;
        }
        had_leader = true;
        if (gap)
            stretch(*gap, s.t,
                    leader_prefix + std::to_string(now.leader) + " leads (epoch " + std::to_string(now.epoch) + ") at " +
                        sim::format_time(s.t));
        gap.reset();
    }
    if (gap) stretch(*gap, std::nullopt, "no new leader by the end of the run");
}

std::vector<Failover> all_failovers(const RunData& run) {
    std::vector<Failover> failovers;
    for (size_t i = 0; i < run.faults.size(); ++i) {
        const FaultRecord& f = run.faults[i];
        if (!f.fired || f.is_undo || !takes_node_away(f.action)) continue;
        for (const std::string& node : f.resolved) failovers_of(run, i, node, failovers);
    }
    const size_t partitions = run.samples.empty() ? 0 : run.samples.front().partitions.size();
    for (size_t p = 0; p < partitions; ++p) {
        const std::string label = p < run.final_state.partitions.size() ? run.final_state.partitions[p].label()
                                                                       : "partition #" + std::to_string(p);
        leaderless_stretches(
            run, label + " leader",
            [p](const Sample& s) {
                return p < s.partitions.size() ? Leadership{s.partitions[p].leader, s.partitions[p].leader_epoch}
                                               : Leadership{};
            },
            "broker:", failovers);
    }
    const bool zookeeper = run.scenario.kafka.metadata == MetadataMode::zookeeper;
    leaderless_stretches(
        run, "active controller", [](const Sample& s) { return Leadership{s.active_controller, s.quorum_epoch}; },
        zookeeper ? "broker:" : "controller:", failovers);
    return failovers;
}

}  // namespace

std::vector<FailoverMeasure> measure_failovers(const RunData& run) {
    std::vector<FailoverMeasure> out;
    for (const Failover& f : all_failovers(run))
        if (!f.not_needed) out.push_back({f.what, f.what != "active controller", f.took()});
    return out;
}

CheckResult check_failover_time(const ExpectSpec& spec, const RunData& run) {
    std::vector<Failover> failovers = all_failovers(run);

    auto too_slow = [&](const Failover& f) { return !f.not_needed && (!f.took() || *f.took() > spec.max); };
    const Failover* longest = nullptr;
    int64_t measured = 0, slow = 0, never = 0;
    for (const Failover& f : failovers) {
        if (f.not_needed) continue;
        ++measured;
        if (!f.took()) ++never;
        else if (*f.took() > spec.max) ++slow;
        if (f.took() && (longest == nullptr || *f.took() > *longest->took())) longest = &f;
    }

    CheckResult result;
    result.holds = slow == 0 && never == 0;
    const std::string resolution = " (to the " + sim::format_duration(run.sample_interval) + " sample interval)";
    if (measured == 0) {
        result.summary = failovers.empty()
                             ? "no fault took away a partition leader or the active controller, and nothing was ever "
                               "leaderless"
                             : "no failover was needed: every leader taken away came back still leading";
    } else if (result.holds) {
        result.summary = count_text(measured, "failover") + ", longest " + duration_text(*longest->took()) + " (" +
                         longest->what + " after " + longest->fault + "), max " + sim::format_duration(spec.max) + resolution;
    } else {
        result.summary = "of " + count_text(measured, "failover") + ": ";
        if (never > 0) result.summary += with_commas(never) + " never completed";
        if (never > 0 && slow > 0) result.summary += ", ";
        if (slow > 0) result.summary += with_commas(slow) + " took longer than " + sim::format_duration(spec.max);
        result.summary += resolution;
    }
    Evidence evidence;  // the failures first: they are what a reader looks for
    for (const Failover& f : failovers)
        if (too_slow(f)) evidence.add(failover_text(f));
    for (const Failover& f : failovers)
        if (!too_slow(f)) evidence.add(failover_text(f));
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& failover_time_check() {
    static const CheckDescriptor d{CheckKind::failover_time, "failover-time", {{"max", true}},
                                  "`max` (required)",
                                  "every leader or controller failover finishes within `max`: from a fault that takes a leader away, and every other stretch without a partition leader or an active controller",
                                  check_failover_time};
    return d;
}

}  // namespace scenarios
