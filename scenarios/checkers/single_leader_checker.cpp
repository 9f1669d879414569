// single-leader: at most one partition leader per leader epoch, one quorum leader per quorum
// epoch, one active controller per controller epoch — read from the leadership events of the
// trace. Two claimants of one epoch is split brain, whether or not it did harm.
// In ZooKeeper mode a controller's authority is its controller epoch: once a newer epoch has
// been won, a write to ZooKeeper by an older controller that takes effect (a zombie's write,
// possible before KAFKA-6082 fenced them in 2.1) is a second active controller too.
#include <iterator>
#include <map>
#include <string_view>
#include <tuple>

#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// One kind of leadership claim in the trace: where its epoch and its claimant are.
struct ClaimKind {
    std::string_view event;
    const char* role;
    const char* epoch_field;
    const char* leader_field;  // nullptr: the node that recorded the event claims it
    bool per_partition;        // epochs count per (topic, partition)
};

constexpr ClaimKind claim_kinds[] = {
    {"become_leader", "partition leader", "leader_epoch", nullptr, true},
    {"raft_leader", "quorum leader", "epoch", "leader", false},
    {"controller_active", "active controller", "epoch", nullptr, false},
    {"zk_leading", "ZooKeeper leader", "epoch", nullptr, false},                  // ZooKeeper mode
    {"zk_controller_elected", "ZooKeeper-mode controller", "epoch", nullptr, false},
};

struct Claim {
    std::string claimant;  // node name, or the leader field as recorded
    std::string reporter;  // the node that recorded it
    sim::Time t;
};

// (claim kind, partition or "", epoch)
using EpochKey = std::tuple<size_t, std::string, int64_t>;

const ClaimKind* claim_kind(std::string_view event, size_t& index) {
    for (size_t i = 0; i < std::size(claim_kinds); ++i) {
        if (claim_kinds[i].event == event) {
            index = i;
            return &claim_kinds[i];
        }
    }
    return nullptr;
}

std::string node_text(const RunData& run, sim::NodeId node) {
    return run.trace != nullptr ? run.trace->node_name(node) : "node#" + std::to_string(node);
}

std::string epoch_text(const EpochKey& key) {
    const ClaimKind& kind = claim_kinds[std::get<0>(key)];
    std::string scope = std::get<1>(key).empty() ? "" : std::get<1>(key) + " ";
    return scope + kind.role + " epoch " + std::to_string(std::get<2>(key));
}

std::string claim_text(const ClaimKind& kind, const Claim& c) {
    std::string who = kind.leader_field == nullptr ? c.claimant : "leader " + c.claimant + " (per " + c.reporter + ")";
    return who + " at " + sim::format_time(c.t);
}

}  // namespace

CheckResult check_single_leader(const ExpectSpec&, const RunData& run) {
    std::map<EpochKey, std::vector<Claim>> claims;
    std::map<EpochKey, size_t> split;  // epochs with two or more claimants
    Evidence evidence;
    for (const sim::TraceEvent& ev : trace_events(run)) {
        size_t index = 0;
        const ClaimKind* kind = claim_kind(ev.kind, index);
        if (kind == nullptr) continue;
        std::string scope = kind->per_partition ? ev.str_or("topic", "?") + "/" + ev.str_or("partition", "?") : "";
        EpochKey key{index, std::move(scope), ev.int_or(kind->epoch_field, -1)};
        Claim claim{kind->leader_field == nullptr ? node_text(run, ev.node) : ev.str_or(kind->leader_field, "?"),
                    node_text(run, ev.node), ev.time};
        std::vector<Claim>& seen = claims[key];
        bool known = false;
        for (const Claim& c : seen) known = known || c.claimant == claim.claimant;
        if (known) continue;
        seen.push_back(claim);
        if (seen.size() < 2) continue;
        ++split[key];
        evidence.add_lazy([&] {
            return epoch_text(key) + ": " + claim_text(*kind, seen.front()) + " and " + claim_text(*kind, claim);
        });
    }

    // Zombie controller writes: a write by epoch E after epoch E' > E was won.
    int64_t newest_epoch = -1;
    sim::Time newest_at;
    std::string newest_by;
    int64_t zombie_writes = 0;
    for (const sim::TraceEvent& ev : trace_events(run)) {
        if (ev.kind == "zk_controller_elected") {
            if (ev.int_or("epoch", -1) > newest_epoch) {
                newest_epoch = ev.int_or("epoch", -1);
                newest_at = ev.time;
                newest_by = node_text(run, ev.node);
            }
        } else if (ev.kind == "zk_controller_write" && ev.int_or("epoch", -1) < newest_epoch) {
            ++zombie_writes;
            evidence.add_lazy([&] {
                return "zombie controller: " + node_text(run, ev.node) + " (controller epoch " +
                       std::to_string(ev.int_or("epoch", -1)) + ") wrote " + ev.str_or("path", "?") + " at " +
                       sim::format_time(ev.time) + ", after " + newest_by + " won controller epoch " +
                       std::to_string(newest_epoch) + " at " + sim::format_time(newest_at);
            });
        }
    }

    CheckResult result;
    result.holds = split.empty() && zombie_writes == 0;
    if (split.empty() && zombie_writes > 0) {
        result.summary = count_text(zombie_writes, "ZooKeeper write") +
                         " by a controller whose epoch had been superseded took effect (a zombie controller)";
        result.evidence = evidence.take();
        return result;
    }
    if (result.holds) {
        std::map<size_t, int64_t> epochs_per_kind;
        for (const auto& entry : claims) ++epochs_per_kind[std::get<0>(entry.first)];
        result.summary = epochs_per_kind.empty() ? "no leadership claims in the trace" : "one leader per epoch:";
        size_t shown = 0;
        for (const auto& [kind, n] : epochs_per_kind)
            result.summary += (shown++ ? ", " : " ") + count_text(n, (std::string(claim_kinds[kind].role) + " epoch").c_str());
    } else {
        result.summary = count_text(static_cast<int64_t>(split.size()), "epoch") + " with two leaders";
        if (zombie_writes > 0) result.summary += " and " + count_text(zombie_writes, "zombie controller write");
        result.summary += ":";
        size_t shown = 0;
        for (const auto& entry : split) {
            if (shown == 5) {
                result.summary += ", ...";
                break;
            }
            result.summary += (shown++ ? ", " : " ") + epoch_text(entry.first);
        }
    }
    result.evidence = evidence.take();
    return result;
}

}  // namespace scenarios
