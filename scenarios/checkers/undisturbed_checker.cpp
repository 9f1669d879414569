// undisturbed: in a window, the cluster rode out whatever happened without any of the
// reactions Kafka keeps for a dead or unreachable node:
//   - no metadata-quorum election after the first leader (KRaft: a new raft_leader epoch,
//     KafkaRaftClient; ZooKeeper mode: a new ensemble leader, or a new controller broker
//     (KafkaController's /controller election));
//   - no broker fenced (KRaft: the QuorumController's FenceBrokerRecord; ZooKeeper mode: a
//     ZooKeeper session expired, which takes a broker's /brokers/ids znode with it);
//   - no ISR shrink (KRaft: a PartitionChangeRecord that drops a replica from the ISR;
//     ZooKeeper mode: a leader's ISR write that drops one).
// For a fault that should only slow the cluster down: 1% packet loss, a little latency.
// The first quorum leader and controller of the run are its start, not an election; a run
// that never had either cannot tell and is not checked.
#include <algorithm>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

bool dropped_someone(const kafka::IdList& from, const kafka::IdList& to) {
    return std::any_of(from.begin(), from.end(),
                       [&to](int32_t id) { return std::find(to.begin(), to.end(), id) == to.end(); });
}

std::string ids_text(const kafka::IdList& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) out += (i ? "," : "") + std::to_string(ids[i]);
    return out + "]";
}

}  // namespace

CheckResult check_undisturbed(const ExpectSpec& spec, const RunData& run) {
    const sim::Time from = sim::time_zero + spec.during_from.value_or(sim::Duration{});
    const sim::Time to = spec.during_to ? sim::time_zero + *spec.during_to : run.end;
    const bool zk = run.scenario.kafka.metadata == MetadataMode::zookeeper;
    bool quorum_seen = false, controller_seen = false;
    int64_t elections = 0, fenced = 0, shrinks = 0;
    Evidence evidence;
    auto in_window = [&from, &to](sim::Time t) { return t >= from && t <= to; };
    for (const kafka::TraceEntry& ev : trace_events(run)) {
        const std::string at = sim::format_time(ev.time) + ": ";
        if (const auto* l = std::get_if<kafka::RaftLeader>(&ev.event)) {
            if (quorum_seen && in_window(ev.time)) {
                ++elections;
                evidence.add(at + "metadata quorum elected controller " + std::to_string(l->leader) + " in epoch " +
                             std::to_string(l->epoch));
            }
            quorum_seen = controller_seen = true;
        } else if (const auto* z = std::get_if<kafka::ZkLeading>(&ev.event)) {
            if (quorum_seen && in_window(ev.time)) {
                ++elections;
                evidence.add(at + "ZooKeeper ensemble elected a leader, epoch " + std::to_string(z->epoch));
            }
            quorum_seen = true;
        } else if (const auto* c = std::get_if<kafka::ZkControllerElected>(&ev.event)) {
            if (controller_seen && in_window(ev.time)) {
                ++elections;
                evidence.add(at + "broker " + std::to_string(c->broker) + " elected controller, epoch " +
                             std::to_string(c->epoch));
            }
            controller_seen = true;
        } else if (!in_window(ev.time)) {
            continue;
        } else if (const auto* f = std::get_if<kafka::BrokerFenced>(&ev.event)) {
            ++fenced;
            evidence.add(at + broker_text(f->broker) + " fenced (" + f->reason + ")");
        } else if (const auto* s = std::get_if<kafka::ZkSessionExpired>(&ev.event)) {
            ++fenced;
            evidence.add(at + "ZooKeeper session of " + s->client + " expired");
        } else if (const auto* p = std::get_if<kafka::PartitionChange>(&ev.event)) {
            if (!dropped_someone(p->isr_from, p->isr)) continue;
            ++shrinks;
            evidence.add(at + p->topic + "/" + std::to_string(p->partition) + " ISR " + ids_text(p->isr_from) + " -> " +
                         ids_text(p->isr) + (p->reason.empty() ? "" : " (" + p->reason + ")"));
        } else if (const auto* u = std::get_if<kafka::IsrUpdate>(&ev.event)) {
            if (!dropped_someone(u->isr, u->new_isr)) continue;
            ++shrinks;
            evidence.add(at + u->topic + "/" + std::to_string(u->partition) + " ISR " + ids_text(u->isr) + " -> " +
                         ids_text(u->new_isr) + (u->reason.empty() ? "" : " (" + u->reason + ")"));
        }
    }
    if (!quorum_seen || !controller_seen)
        return not_checked(zk ? "no ZooKeeper leader (zk_leading) or controller (zk_controller_elected) in the trace"
                              : "no metadata quorum leader (raft_leader) events in the trace");
    CheckResult result;
    const std::string window = sim::format_time(from) + ".." + sim::format_time(to);
    result.holds = elections == 0 && fenced == 0 && shrinks == 0;
    result.summary = result.holds ? "no election, fencing or ISR shrink in " + window
                                  : count_text(elections, "election") + ", " + count_text(fenced, "fencing") +
                                        ", " + count_text(shrinks, "ISR shrink") + " in " + window;
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& undisturbed_check() {
    static const CheckDescriptor d{
        CheckKind::undisturbed, "undisturbed", {{"during", false}},
        "`during`: `[from, to]` (default: whole run)",
        "no metadata-quorum or controller election after the first, no broker fenced (KRaft) or ZooKeeper session "
        "expired, and no ISR shrink in the window",
        check_undisturbed};
    return d;
}

}  // namespace scenarios
