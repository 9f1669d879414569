// single-leader: at most one partition leader per leader epoch, one quorum leader per quorum
// epoch, one active controller per controller epoch — read from the leadership events of the
// trace. Two claimants of one epoch is split brain, whether or not it did harm.
// In ZooKeeper mode a controller's authority is its controller epoch: once a newer epoch has
// been won, a write to ZooKeeper by an older controller that takes effect (a zombie's write,
// possible before KAFKA-6082 fenced them in 2.1) is a second active controller too.
#include <iterator>
#include <map>
#include <optional>
#include <string_view>
#include <tuple>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// One kind of leadership claim.
struct ClaimKind {
    const char* role;
    bool names_leader;   // the event names its leader (else the node that recorded it claims it)
};

enum ClaimIndex : size_t { partition_leader, quorum_leader, active_controller, zk_leader, zk_controller };
constexpr ClaimKind claim_kinds[] = {
    {"partition leader", false},
    {"quorum leader", true},
    {"active controller", false},
    {"ZooKeeper leader", false},           // ZooKeeper mode
    {"ZooKeeper-mode controller", false},
};

struct Claim {
    std::string claimant;  // node name, or the leader field as recorded
    std::string reporter;  // the node that recorded it
    sim::Time t;
};

// (claim kind, partition or "", epoch)
using EpochKey = std::tuple<size_t, std::string, int64_t>;

// What a leadership event claims: its kind, scope and epoch, and the leader it names (if any).
struct ClaimOf {
    size_t kind;
    std::string scope;
    int64_t epoch;
    std::optional<int32_t> leader;
};

struct ClaimReader {
    std::optional<ClaimOf> operator()(const kafka::BecomeLeader& e) const {
        return ClaimOf{partition_leader, e.topic + "/" + std::to_string(e.partition), e.leader_epoch, std::nullopt};
    }
    std::optional<ClaimOf> operator()(const kafka::RaftLeader& e) const {
        return ClaimOf{quorum_leader, "", e.epoch, e.leader};
    }
    std::optional<ClaimOf> operator()(const kafka::ControllerActive& e) const {
        return ClaimOf{active_controller, "", e.epoch, std::nullopt};
    }
    std::optional<ClaimOf> operator()(const kafka::ZkLeading& e) const {
        return ClaimOf{zk_leader, "", e.epoch, std::nullopt};
    }
    std::optional<ClaimOf> operator()(const kafka::ZkControllerElected& e) const {
        return ClaimOf{zk_controller, "", e.epoch, std::nullopt};
    }
    template <class E>
    std::optional<ClaimOf> operator()(const E&) const {
        return std::nullopt;
    }
};

std::string node_text(const RunData& run, sim::NodeId node) {
    return run.trace != nullptr ? run.trace->node_name(node) : "node#" + std::to_string(node);
}

std::string epoch_text(const EpochKey& key) {
    const ClaimKind& kind = claim_kinds[std::get<0>(key)];
    std::string scope = std::get<1>(key).empty() ? "" : std::get<1>(key) + " ";
    return scope + kind.role + " epoch " + std::to_string(std::get<2>(key));
}

std::string claim_text(const ClaimKind& kind, const Claim& c) {
    std::string who = !kind.names_leader ? c.claimant : "leader " + c.claimant + " (per " + c.reporter + ")";
    return who + " at " + sim::format_time(c.t);
}

}  // namespace

CheckResult check_single_leader(const ExpectSpec&, const RunData& run) {
    std::map<EpochKey, std::vector<Claim>> claims;
    std::map<EpochKey, size_t> split;  // epochs with two or more claimants
    Evidence evidence;
    for (const kafka::TraceEntry& ev : trace_events(run)) {
        std::optional<ClaimOf> of = std::visit(ClaimReader{}, ev.event);
        if (!of) continue;
        const ClaimKind* kind = &claim_kinds[of->kind];
        EpochKey key{of->kind, std::move(of->scope), of->epoch};
        Claim claim{of->leader ? std::to_string(*of->leader) : node_text(run, ev.node), node_text(run, ev.node), ev.time};
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

    // Every run of a scenario elects partition leaders and a metadata quorum leader and
    // controller (of its mode) at the start: without their events there is nothing to judge.
    std::vector<size_t> required = {active_controller, quorum_leader};
    if (run.scenario.kafka.metadata == MetadataMode::zookeeper) required = {zk_controller, zk_leader};
    if (!run.scenario.topics.empty()) required.insert(required.begin(), partition_leader);
    std::string missing;
    for (size_t kind : required) {
        bool seen = false;
        for (const auto& entry : claims) seen = seen || std::get<0>(entry.first) == kind;
        if (!seen) missing += std::string(missing.empty() ? "" : ", ") + claim_kinds[kind].role;
    }
    if (!missing.empty()) return not_checked("no " + missing + " events in the trace");

    // Zombie controller writes: a write by epoch E after epoch E' > E was won.
    int64_t newest_epoch = -1;
    sim::Time newest_at;
    std::string newest_by;
    int64_t zombie_writes = 0;
    for (const kafka::TraceEntry& ev : trace_events(run)) {
        if (const auto* elected = std::get_if<kafka::ZkControllerElected>(&ev.event)) {
            if (elected->epoch > newest_epoch) {
                newest_epoch = elected->epoch;
                newest_at = ev.time;
                newest_by = node_text(run, ev.node);
            }
        } else if (const auto* write = std::get_if<kafka::ZkControllerWrite>(&ev.event);
                   write != nullptr && write->epoch < newest_epoch) {
            ++zombie_writes;
            evidence.add_lazy([&] {
                return "zombie controller: " + node_text(run, ev.node) + " (controller epoch " +
                       std::to_string(write->epoch) + ") wrote " + write->path + " at " + sim::format_time(ev.time) +
                       ", after " + newest_by + " won controller epoch " + std::to_string(newest_epoch) + " at " +
                       sim::format_time(newest_at);
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

const CheckDescriptor& single_leader_check() {
    static const CheckDescriptor d{CheckKind::single_leader, "single-leader", {},
                                  "—",
                                  "at most one partition leader per leader epoch, one quorum leader per quorum epoch, one effective active controller per controller epoch",
                                  check_single_leader};
    return d;
}

}  // namespace scenarios
