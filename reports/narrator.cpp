#include "reports/narrator.hpp"

#include "broker/group/group_coordinator.hpp"

#include <algorithm>
#include <cstdio>

namespace reports {

namespace {

using namespace kafka;

using Line = std::optional<std::string>;

std::string num(int64_t v) { return std::to_string(v); }
std::string ids(const IdList& v) { return sim::format_id_list(v); }
std::string label(const std::string& topic, int32_t partition) { return topic + "/" + num(partition); }
// The fifty partitions of __consumer_offsets would drown the story; the coordinator's own
// events tell what matters about them.
bool internal(const std::string& topic) { return topic == consumer_offsets_topic; }

// One overload per event that tells part of the story; the rest fall to `generic` or are
// left out on purpose (`quiet`).
struct Story {
    // ---- the KRaft quorum and controllers
    Line operator()(const RaftLeader& e) const {
        return "won the election: leader of the metadata quorum in epoch " + num(e.epoch);
    }
    Line operator()(const ControllerActive& e) const { return "is now the active controller (epoch " + num(e.epoch) + ")"; }
    Line operator()(const ControllerInactive& e) const {
        return "is no longer the active controller (epoch " + num(e.epoch) + ")";
    }
    Line operator()(const RaftResign& e) const { return resigned(e.epoch); }
    Line operator()(const RaftStateChanged& e) const {
        if (e.state == "resigned") return resigned(e.epoch);
        return std::nullopt;
    }
    static std::string resigned(int32_t epoch) {
        return "resigned leadership of the metadata quorum (epoch " + num(epoch) + ")";
    }
    Line operator()(const BrokerRegistered& e) const {
        return "registered with the controller, broker epoch " + num(e.broker_epoch);
    }
    Line operator()(const BrokerFenced& e) const {
        std::string line = "fenced broker " + num(e.broker);
        if (e.reason == "broker.session.timeout.ms expired" && e.since_heartbeat_ms >= 0)
            line += ": no heartbeat for " + num(e.since_heartbeat_ms) + " ms";
        else if (!e.reason.empty())
            line += " (" + e.reason + ")";
        return line;
    }
    Line operator()(const BrokerRegistrationRejected& e) const {
        return "refused a new incarnation of broker " + num(e.broker) + " (" + e.error +
               "): the registered one was heard from " + num(e.since_heartbeat_ms) +
               " ms ago and keeps its session until broker.session.timeout.ms";
    }
    Line operator()(const BrokerUnfenced& e) const {
        return "unfenced broker " + num(e.broker) + ": it caught up with the metadata log";
    }
    Line operator()(const PartitionChange& e) const {
        if (internal(e.topic)) return std::nullopt;
        auto name = [](int32_t id) { return id < 0 ? std::string("none") : num(id); };
        std::string line = label(e.topic, e.partition);
        if (e.leader_from != e.leader)
            line += " leader " + name(e.leader_from) + " -> " + name(e.leader) + ", epoch " + num(e.leader_epoch) +
                    ", ISR " + ids(e.isr);
        else
            line += " ISR " + ids(e.isr_from) + " -> " + ids(e.isr) + " (leader " + name(e.leader) + ", epoch " +
                    num(e.leader_epoch) + ")";
        if (e.unclean) line += ", UNCLEAN election: an out-of-sync replica leads";
        if (e.elr) {
            line += ", ELR " + ids(*e.elr);
            if (e.last_known_elr && !e.last_known_elr->empty()) line += ", LastKnownELR " + ids(*e.last_known_elr);
        }
        if (!e.reason.empty()) line += "; " + e.reason;
        return line;
    }
    // ---- groups
    Line operator()(const GroupStateChanged& e) const {
        return "group " + e.group + " is " + e.state + " (generation " + num(e.generation) + ", " + num(e.members) +
               " members): " + e.reason;
    }
    Line operator()(const GroupMemberRemoved& e) const {
        return "group " + e.group + " removed member " + e.member + ": " + e.reason;
    }
    Line operator()(const CoordinatorLoaded& e) const {
        if (e.groups == 0) return std::nullopt;  // every __consumer_offsets partition: too chatty
        return "now coordinates the " + num(e.groups) + " group(s) of __consumer_offsets partition " +
               num(e.partition) + ", loaded from its log";
    }
    Line operator()(const CreateOffsetsTopic& e) const {
        return "asks the controller to create __consumer_offsets (" + num(e.partitions) +
               " partitions, replication factor " + num(e.replication_factor) + ") for the first group";
    }
    Line operator()(const ConsumerCoordinatorFound& e) const {
        return "found the coordinator of group " + e.group + ": broker " + num(e.coordinator);
    }
    Line operator()(const ConsumerCoordinatorLost& e) const {
        return "lost the coordinator of group " + e.group + " (" + e.reason + ")";
    }
    Line operator()(const ConsumerRejoin& e) const { return "rejoins group " + e.group + ": " + e.reason; }
    Line operator()(const ConsumerMembershipLost& e) const {
        return "lost its membership of group " + e.group + " and its partitions (" + e.reason + ")";
    }
    Line operator()(const ConsumerGroupLeader& e) const {
        return "leads group " + e.group + " in generation " + num(e.generation) + ": assigns with " + e.protocol +
               " over " + num(e.members) + " members";
    }
    Line operator()(const ConsumerAssignment& e) const {
        return "owns " + num(e.partitions) + " partition(s) of group " + e.group + " in generation " +
               num(e.generation) + (e.revoked > 0 ? ", revoked " + num(e.revoked) : std::string());
    }
    Line operator()(const ConsumerLeaveGroup& e) const { return "leaves group " + e.group + ": " + e.reason; }
    // ---- partition replicas
    Line operator()(const BecomeLeader& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": now the leader, epoch " + num(e.leader_epoch) + ", ISR " + ids(e.isr) +
               ", log end " + num(e.log_end_offset) + ", high watermark " + num(e.high_watermark);
    }
    Line operator()(const BecomeFollower& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": follows broker " + num(e.leader) + " (epoch " + num(e.leader_epoch) + ")";
    }
    Line operator()(const AlterPartitionSent& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": asks the controller to change the ISR " + ids(e.isr) + " -> " +
               ids(e.new_isr) + " (" + e.reason + ")";
    }
    Line operator()(const FetchOffsetMismatch& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": replication STUCK: the leader's batch straddles this log's end at offset " +
               num(e.log_end_offset) + " (the logs diverged and truncation did not repair them)";
    }
    Line operator()(const EpochEndOffset& e) const {
        if (internal(e.topic)) return std::nullopt;
        std::string answer = e.end_offset < 0 ? "no end offset (UNDEFINED)"
                             : e.leader_epoch < 0
                                 ? "it ends at offset " + num(e.end_offset) + " (no epoch in the answer: pre-KIP-279)"
                                 : "its epoch " + num(e.leader_epoch) + " ends at offset " + num(e.end_offset);
        return label(e.topic, e.partition) + ": OffsetForLeaderEpoch: asked the leader where epoch " +
               num(e.asked_epoch) + " ends; " + answer + "; truncate to " + num(e.truncate_to);
    }
    Line operator()(const LogSegmentsDeleted& e) const {
        if (internal(e.topic)) return std::nullopt;
        const std::string why = e.reason == "retention.ms"      ? "retention.ms: the newest record in them was " +
                                                                    num(e.newest_record_age_ms / 1000) + "s old"
                                : e.reason == "retention.bytes" ? "retention.bytes: the log was over its size limit"
                                                                : "they lay below the log start offset";
        return label(e.topic, e.partition) + ": retention deleted " + num(e.segments) + " segment(s), offsets " +
               num(e.from) + ".." + num(e.to - 1) + " (" + why + "); log start offset now " + num(e.log_start_offset);
    }
    Line operator()(const LogStartOffsetIncremented& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": log start offset " + num(e.from) + " -> " + num(e.to) +
               " (the leader's, broker " + num(e.leader) + ")";
    }
    Line operator()(const TxnMarkerWritten& e) const {
        const std::string who = "producer " + num(e.producer_id) + " epoch " + num(e.producer_epoch);
        if (e.error)
            return label(e.topic, e.partition) + ": " + e.result + " marker of " + who + " refused: " + *e.error +
                   " (coordinator epoch " + num(e.coordinator_epoch) + ")";
        return label(e.topic, e.partition) + ": " + e.result + " marker of " + who + " at offset " + num(e.offset) +
               "; last stable offset " + num(e.last_stable_offset);
    }
    Line operator()(const ConsumerOffsetReset& e) const {
        std::string line = label(e.topic, e.partition) + ": OFFSET_OUT_OF_RANGE at position " + num(e.offset);
        if (e.log_start_offset && e.offset < *e.log_start_offset)
            line += " (below the log start offset " + num(*e.log_start_offset) + ": retention deleted what it had not read)";
        return line + "; auto.offset.reset=" + e.reset + " moves it";
    }
    Line operator()(const ConsumerNoOffset& e) const {
        std::string line = label(e.topic, e.partition) + ": " + e.error + " at position " + num(e.offset);
        if (e.log_start_offset) line += " (log start offset " + num(*e.log_start_offset) + ")";
        return line + " and auto.offset.reset=none: the application gets an exception and stops reading it";
    }
    Line operator()(const Truncated& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": truncated its log from offset " + num(e.from) + " to " + num(e.to) +
               " (" + e.reason + ")";
    }
    // ---- ZooKeeper mode: the ensemble, sessions, and the broker acting as controller
    Line operator()(const ZkLooking& e) const {
        return "ZooKeeper: LOOKING for a leader (" + e.reason + "); serves no clients meanwhile";
    }
    Line operator()(const ZkLeading& e) const {
        return "ZooKeeper: LEADING the ensemble in epoch " + num(e.epoch) + " (a majority synced with it: followers " +
               ids(e.followers) + ")";
    }
    Line operator()(const ZkFollowing& e) const {
        return "ZooKeeper: FOLLOWING server " + num(e.leader) + " in epoch " + num(e.epoch);
    }
    Line operator()(const ZkSessionExpired& e) const {
        std::string line = "ZooKeeper: session " + e.session + " of " + e.client + " EXPIRED";
        line += e.ephemerals.empty() ? ", it held no ephemeral znodes" : ": deleted its ephemeral znodes " + e.ephemerals;
        return line;
    }
    Line operator()(const ZkClientSessionExpired& e) const {
        return "learns on reconnecting that its ZooKeeper session " + e.session +
               " expired while it was away; opens a new one";
    }
    Line operator()(const ZkBrokerRegistered& e) const {
        return "registered /brokers/ids/" + num(e.broker) + " (ephemeral), broker epoch " + num(e.broker_epoch) +
               " (its czxid)";
    }
    Line operator()(const ZkBrokerRegistrationConflict& e) const {
        return "cannot register: /brokers/ids/" + num(e.broker) +
               " still belongs to an older session; waits for it to expire";
    }
    Line operator()(const ZkControllerElected& e) const {
        return "created /controller: now the controller, controller epoch " + num(e.epoch) +
               " (/controller_epoch bumped)";
    }
    Line operator()(const ZkControllerResigned& e) const {
        return "is no longer the controller (epoch " + num(e.epoch) + "): " + e.reason;
    }
    Line operator()(const ZkControllerWriteFenced& e) const {
        return "controller epoch " + num(e.epoch) + ": write to " + e.path +
               " FENCED (the /controller_epoch zkVersion moved on: a newer controller exists)";
    }
    Line operator()(const ZkBrokerChange& e) const {
        return "controller sees live brokers " + ids(e.live) + (!e.dead.empty() ? ", gone " + ids(e.dead) : std::string()) +
               (!e.started.empty() ? ", new " + ids(e.started) : std::string());
    }
    Line operator()(const ZkPartitionState& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + " state znode: leader " + (e.leader < 0 ? std::string("none") : num(e.leader)) +
               ", leader epoch " + num(e.leader_epoch) + ", ISR " + ids(e.isr) + " (" + e.reason + ")" +
               (e.unclean.value_or(false) ? ", UNCLEAN election: an out-of-sync replica leads" : "");
    }
    Line operator()(const ZkStateChangeAborted& e) const {
        return label(e.topic, e.partition) + ": left alone, its state was written by controller epoch " +
               num(e.written_by_epoch) + " (this one is " + num(e.epoch) + ")";
    }
    Line operator()(const StaleControllerEpoch& e) const {
        return "rejected " + e.request + " from controller epoch " + num(e.controller_epoch) +
               ": STALE_CONTROLLER_EPOCH (latest seen " + num(e.latest) + ")";
    }
    Line operator()(const IsrUpdate& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": writes ISR " + ids(e.isr) + " -> " + ids(e.new_isr) +
               " to ZooKeeper if zkVersion is still " + num(e.zk_version) + " (" + e.reason + ")";
    }
    Line operator()(const IsrUpdated& e) const {
        if (internal(e.topic)) return std::nullopt;
        return label(e.topic, e.partition) + ": ISR is now " + ids(e.isr) + " (state znode version " +
               num(e.zk_version) + ")";
    }
    Line operator()(const IsrUpdateFailed& e) const {
        return label(e.topic, e.partition) + ": ISR write refused by ZooKeeper (" + e.error +
               "): the controller changed the partition; waits for its LeaderAndIsr";
    }
    Line operator()(const ControlledShutdownRequested& e) const {
        return "asks the controller (broker " + num(e.controller) + ") for a controlled shutdown, attempt " +
               num(e.attempt);
    }
    Line operator()(const ControlledShutdownIncomplete& e) const {
        return "the controller could not move " + num(e.remaining) +
               " leadership(s) off it yet; asks again after controlled.shutdown.retry.backoff.ms";
    }
    Line operator()(const ControlledShutdownFailed& e) const {
        return "gives up on a controlled shutdown after " + num(e.attempts) + " attempts and stops anyway";
    }
    Line operator()(const TopicCreated& e) const { return "created topic " + e.topic; }
    Line operator()(const BrokerControlledShutdown&) const { return "starts a controlled shutdown"; }
    Line operator()(const BrokerStopped&) const { return "stopped cleanly"; }

    // Chatty or internal: not part of the story (the expiry and registration lines tell it).
    Line operator()(const RaftHighWatermark&) const { return std::nullopt; }
    Line operator()(const RaftVote&) const { return std::nullopt; }
    Line operator()(const RaftTruncate&) const { return std::nullopt; }
    Line operator()(const BrokerStart&) const { return std::nullopt; }
    Line operator()(const ProducerMetadata&) const { return std::nullopt; }
    Line operator()(const CoordinatorUnloaded&) const { return std::nullopt; }
    Line operator()(const ZkSessionCreated&) const { return std::nullopt; }
    Line operator()(const ZkSessionClosed&) const { return std::nullopt; }
    Line operator()(const ZkClientConnected&) const { return std::nullopt; }
    Line operator()(const ZkClientDisconnected&) const { return std::nullopt; }
    Line operator()(const ZkControllerWrite&) const { return std::nullopt; }

    // Everything else is told as it is recorded.
    template <class E>
    Line operator()(const E& e) const {
        return kafka::event_text(e);
    }
};

std::string prefix(sim::Time t, const std::string& who_name) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "t=%-9s ", sim::format_time(t).c_str());
    std::string who = who_name;
    who.resize(std::max<size_t>(who.size(), 16), ' ');
    return std::string(buf) + who + " ";
}

}  // namespace

std::optional<std::string> narrate(const kafka::TraceEntry& ev, const kafka::Trace& trace) {
    std::optional<std::string> text = std::visit(Story{}, ev.event);
    if (!text) return std::nullopt;
    return prefix(ev.time, ev.node == sim::no_node ? "harness" : trace.node_name(ev.node)) + *text;
}

std::string narrate(const scenarios::FaultRecord& f) {
    std::string resolved;
    for (size_t i = 0; i < f.resolved.size(); ++i) resolved += (i ? "," : "") + f.resolved[i];
    std::string line;
    if (f.is_undo) {
        line = std::string("FAULT over: ") + to_string(f.action) + " " + f.target_text + " undone";
        if (!resolved.empty()) line += " (" + resolved + ")";
    } else {
        line = std::string("FAULT ") + to_string(f.action) + " " + f.target_text;
        if (!resolved.empty() && resolved != f.target_text) line += " (= " + resolved + ")";
        if (!f.fired) line += " -- did not fire: " + f.note;
    }
    return prefix(f.at, "harness") + line;
}

}  // namespace reports
