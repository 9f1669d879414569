#include "reports/narrator.hpp"

#include <algorithm>
#include <cstdio>

namespace reports {

namespace {

std::string partition_label(const sim::TraceEvent& ev) {
    return ev.str_or("topic", "?") + "/" + std::to_string(ev.int_or("partition", -1));
}

std::string generic(const sim::TraceEvent& ev) {
    std::string out = ev.kind;
    for (const auto& f : ev.fields) {
        out += ' ';
        out += f.key;
        out += '=';
        if (const auto* i = std::get_if<int64_t>(&f.value)) {
            out += std::to_string(*i);
        } else {
            out += std::get<std::string>(f.value);
        }
    }
    return out;
}

std::optional<std::string> story(const sim::TraceEvent& ev) {
    const std::string& k = ev.kind;
    // The fifty partitions of __consumer_offsets would drown the story; the coordinator's own
    // events tell what matters about them.
    if ((k == "become_leader" || k == "become_follower" || k == "partition_change" || k == "alter_partition" ||
         k == "truncate" || k == "epoch_end_offset") &&
        ev.str_or("topic", "") == "__consumer_offsets")
        return std::nullopt;
    if (k == "fault") {
        std::string line = "FAULT " + ev.str_or("action", "?") + " " + ev.str_or("target", "");
        std::string resolved = ev.str_or("resolved", "");
        if (!resolved.empty() && resolved != ev.str_or("target", "")) line += " (= " + resolved + ")";
        if (ev.int_or("fired", 0) == 0) line += " -- did not fire: " + ev.str_or("note", "");
        return line;
    }
    if (k == "fault_undone") {
        std::string line = "FAULT over: " + ev.str_or("action", "?") + " " + ev.str_or("target", "") + " undone";
        std::string resolved = ev.str_or("resolved", "");
        if (!resolved.empty()) line += " (" + resolved + ")";
        return line;
    }
    if (k == "raft_leader")
        return "won the election: leader of the metadata quorum in epoch " + std::to_string(ev.int_or("epoch", -1));
    if (k == "controller_active")
        return "is now the active controller (epoch " + std::to_string(ev.int_or("epoch", -1)) + ")";
    if (k == "controller_inactive")
        return "is no longer the active controller (epoch " + std::to_string(ev.int_or("epoch", -1)) + ")";
    if (k == "raft_resign" || (k == "raft_state" && ev.str_or("state", "") == "resigned"))
        return "resigned leadership of the metadata quorum (epoch " + std::to_string(ev.int_or("epoch", -1)) + ")";
    if (k == "broker_registered")
        return "registered with the controller, broker epoch " + std::to_string(ev.int_or("broker_epoch", -1));
    if (k == "broker_fenced") {
        std::string line = "fenced broker " + std::to_string(ev.int_or("broker", -1));
        int64_t since = ev.int_or("since_heartbeat_ms", -1);
        std::string reason = ev.str_or("reason", "");
        if (reason == "broker.session.timeout.ms expired" && since >= 0)
            line += ": no heartbeat for " + std::to_string(since) + " ms";
        else if (!reason.empty())
            line += " (" + reason + ")";
        return line;
    }
    if (k == "broker_unfenced")
        return "unfenced broker " + std::to_string(ev.int_or("broker", -1)) + ": it caught up with the metadata log";
    if (k == "partition_change") {
        int64_t from = ev.int_or("leader_from", -1), to = ev.int_or("leader", -1);
        auto name = [](int64_t id) { return id < 0 ? std::string("none") : std::to_string(id); };
        std::string line = partition_label(ev);
        if (from != to)
            line += " leader " + name(from) + " -> " + name(to) + ", epoch " +
                    std::to_string(ev.int_or("leader_epoch", -1)) + ", ISR " + ev.str_or("isr", "?");
        else
            line += " ISR " + ev.str_or("isr_from", "?") + " -> " + ev.str_or("isr", "?") + " (leader " + name(to) +
                    ", epoch " + std::to_string(ev.int_or("leader_epoch", -1)) + ")";
        if (ev.int_or("unclean", 0) != 0) line += ", UNCLEAN election: an out-of-sync replica leads";
        if (ev.find("elr") != nullptr) {
            line += ", ELR " + ev.str_or("elr", "?");
            const std::string last_known = ev.str_or("last_known_elr", "[]");
            if (last_known != "[]") line += ", LastKnownELR " + last_known;
        }
        std::string reason = ev.str_or("reason", "");
        if (!reason.empty()) line += "; " + reason;
        return line;
    }
    if (k == "group_state")
        return "group " + ev.str_or("group", "?") + " is " + ev.str_or("state", "?") + " (generation " +
               std::to_string(ev.int_or("generation", -1)) + ", " + std::to_string(ev.int_or("members", 0)) +
               " members): " + ev.str_or("reason", "");
    if (k == "group_member_removed")
        return "group " + ev.str_or("group", "?") + " removed member " + ev.str_or("member", "?") + ": " +
               ev.str_or("reason", "");
    if (k == "coordinator_loaded") {
        if (ev.int_or("groups", 0) == 0) return std::nullopt;  // every __consumer_offsets partition: too chatty
        return "now coordinates the " + std::to_string(ev.int_or("groups", 0)) +
               " group(s) of __consumer_offsets partition " + std::to_string(ev.int_or("partition", -1)) +
               ", loaded from its log";
    }
    if (k == "coordinator_unloaded") return std::nullopt;
    if (k == "create_offsets_topic")
        return "asks the controller to create __consumer_offsets (" + std::to_string(ev.int_or("partitions", 0)) +
               " partitions, replication factor " + std::to_string(ev.int_or("replication_factor", 0)) +
               ") for the first group";
    if (k == "consumer_coordinator")
        return "found the coordinator of group " + ev.str_or("group", "?") + ": broker " +
               std::to_string(ev.int_or("coordinator", -1));
    if (k == "consumer_coordinator_lost")
        return "lost the coordinator of group " + ev.str_or("group", "?") + " (" + ev.str_or("reason", "") + ")";
    if (k == "consumer_rejoin")
        return "rejoins group " + ev.str_or("group", "?") + ": " + ev.str_or("reason", "");
    if (k == "consumer_membership_lost")
        return "lost its membership of group " + ev.str_or("group", "?") + " and its partitions (" +
               ev.str_or("reason", "") + ")";
    if (k == "consumer_group_leader")
        return "leads group " + ev.str_or("group", "?") + " in generation " + std::to_string(ev.int_or("generation", -1)) +
               ": assigns with " + ev.str_or("protocol", "?") + " over " + std::to_string(ev.int_or("members", 0)) +
               " members";
    if (k == "consumer_assignment")
        return "owns " + std::to_string(ev.int_or("partitions", 0)) + " partition(s) of group " + ev.str_or("group", "?") +
               " in generation " + std::to_string(ev.int_or("generation", -1)) +
               (ev.int_or("revoked", 0) > 0 ? ", revoked " + std::to_string(ev.int_or("revoked", 0)) : std::string());
    if (k == "consumer_leave_group")
        return "leaves group " + ev.str_or("group", "?") + ": " + ev.str_or("reason", "");
    if (k == "become_leader")
        return partition_label(ev) + ": now the leader, epoch " + std::to_string(ev.int_or("leader_epoch", -1)) +
               ", ISR " + ev.str_or("isr", "?") + ", log end " + std::to_string(ev.int_or("log_end_offset", 0)) +
               ", high watermark " + std::to_string(ev.int_or("high_watermark", 0));
    if (k == "become_follower")
        return partition_label(ev) + ": follows broker " + std::to_string(ev.int_or("leader", -1)) + " (epoch " +
               std::to_string(ev.int_or("leader_epoch", -1)) + ")";
    if (k == "alter_partition")
        return partition_label(ev) + ": asks the controller to change the ISR " + ev.str_or("isr", "?") + " -> " +
               ev.str_or("new_isr", "?") + " (" + ev.str_or("reason", "") + ")";
    if (k == "fetch_offset_mismatch") {
        if (ev.str_or("topic", "") == "__consumer_offsets") return std::nullopt;
        return partition_label(ev) + ": replication STUCK: the leader's batch straddles this log's end at offset " +
               std::to_string(ev.int_or("log_end_offset", -1)) +
               " (the logs diverged and truncation did not repair them)";
    }
    if (k == "epoch_end_offset") {
        const int64_t leader_epoch = ev.int_or("leader_epoch", -1);
        const int64_t end = ev.int_or("end_offset", -1);
        std::string answer = end < 0 ? "no end offset (UNDEFINED)"
                             : leader_epoch < 0
                                 ? "it ends at offset " + std::to_string(end) + " (no epoch in the answer: pre-KIP-279)"
                                 : "its epoch " + std::to_string(leader_epoch) + " ends at offset " + std::to_string(end);
        return partition_label(ev) + ": OffsetForLeaderEpoch: asked the leader where epoch " +
               std::to_string(ev.int_or("asked_epoch", -1)) + " ends; " + answer + "; truncate to " +
               std::to_string(ev.int_or("truncate_to", -1));
    }
    if (k == "truncate")
        return partition_label(ev) + ": truncated its log from offset " + std::to_string(ev.int_or("from", 0)) +
               " to " + std::to_string(ev.int_or("to", 0)) + " (" + ev.str_or("reason", "") + ")";
    // ---- ZooKeeper mode: the ensemble, sessions, and the broker acting as controller
    if (k == "zk_looking")
        return "ZooKeeper: LOOKING for a leader (" + ev.str_or("reason", "") + "); serves no clients meanwhile";
    if (k == "zk_leading")
        return "ZooKeeper: LEADING the ensemble in epoch " + std::to_string(ev.int_or("epoch", -1)) +
               " (a majority synced with it" +
               (ev.find("followers") != nullptr ? ": followers " + ev.str_or("followers", "") : std::string()) + ")";
    if (k == "zk_following")
        return "ZooKeeper: FOLLOWING server " + std::to_string(ev.int_or("leader", -1)) + " in epoch " +
               std::to_string(ev.int_or("epoch", -1));
    if (k == "zk_session_expired") {
        std::string line = "ZooKeeper: session " + ev.str_or("session", "?") + " of " + ev.str_or("client", "?") +
                           " EXPIRED";
        std::string eph = ev.str_or("ephemerals", "");
        line += eph.empty() ? ", it held no ephemeral znodes" : ": deleted its ephemeral znodes " + eph;
        return line;
    }
    if (k == "zk_session_created" || k == "zk_session_closed" || k == "zk_client_connected" ||
        k == "zk_client_disconnected" || k == "zk_controller_write")
        return std::nullopt;  // routine; the expiry and registration lines tell the story
    if (k == "zk_client_session_expired")
        return "learns on reconnecting that its ZooKeeper session " + ev.str_or("session", "?") +
               " expired while it was away; opens a new one";
    if (k == "zk_broker_registered")
        return "registered /brokers/ids/" + std::to_string(ev.int_or("broker", -1)) +
               " (ephemeral), broker epoch " + std::to_string(ev.int_or("broker_epoch", -1)) + " (its czxid)";
    if (k == "zk_broker_registration_conflict")
        return "cannot register: /brokers/ids/" + std::to_string(ev.int_or("broker", -1)) +
               " still belongs to an older session; waits for it to expire";
    if (k == "zk_controller_elected")
        return "created /controller: now the controller, controller epoch " + std::to_string(ev.int_or("epoch", -1)) +
               " (/controller_epoch bumped)";
    if (k == "zk_controller_resigned")
        return "is no longer the controller (epoch " + std::to_string(ev.int_or("epoch", -1)) + "): " +
               ev.str_or("reason", "");
    if (k == "zk_controller_write_fenced")
        return "controller epoch " + std::to_string(ev.int_or("epoch", -1)) + ": write to " + ev.str_or("path", "?") +
               " FENCED (the /controller_epoch zkVersion moved on: a newer controller exists)";
    if (k == "zk_broker_change")
        return "controller sees live brokers " + ev.str_or("live", "?") +
               (ev.str_or("dead", "[]") != "[]" ? ", gone " + ev.str_or("dead", "") : std::string()) +
               (ev.str_or("new", "[]") != "[]" ? ", new " + ev.str_or("new", "") : std::string());
    if (k == "zk_partition_state") {
        if (ev.str_or("topic", "") == "__consumer_offsets") return std::nullopt;
        int64_t leader = ev.int_or("leader", -1);
        return partition_label(ev) + " state znode: leader " + (leader < 0 ? std::string("none") : std::to_string(leader)) +
               ", leader epoch " + std::to_string(ev.int_or("leader_epoch", -1)) + ", ISR " + ev.str_or("isr", "?") +
               " (" + ev.str_or("reason", "") + ")";
    }
    if (k == "zk_state_change_aborted")
        return partition_label(ev) + ": left alone, its state was written by controller epoch " +
               std::to_string(ev.int_or("written_by_epoch", -1)) + " (this one is " +
               std::to_string(ev.int_or("epoch", -1)) + ")";
    if (k == "stale_controller_epoch")
        return "rejected " + ev.str_or("request", "?") + " from controller epoch " +
               std::to_string(ev.int_or("controller_epoch", -1)) + ": STALE_CONTROLLER_EPOCH (latest seen " +
               std::to_string(ev.int_or("latest", -1)) + ")";
    if (k == "isr_update") {
        if (ev.str_or("topic", "") == "__consumer_offsets") return std::nullopt;
        return partition_label(ev) + ": writes ISR " + ev.str_or("isr", "?") + " -> " + ev.str_or("new_isr", "?") +
               " to ZooKeeper if zkVersion is still " + std::to_string(ev.int_or("zk_version", -1)) + " (" +
               ev.str_or("reason", "") + ")";
    }
    if (k == "isr_updated") {
        if (ev.str_or("topic", "") == "__consumer_offsets") return std::nullopt;
        return partition_label(ev) + ": ISR is now " + ev.str_or("isr", "?") + " (state znode version " +
               std::to_string(ev.int_or("zk_version", -1)) + ")";
    }
    if (k == "isr_update_failed")
        return partition_label(ev) + ": ISR write refused by ZooKeeper (" + ev.str_or("error", "?") +
               "): the controller changed the partition; waits for its LeaderAndIsr";
    if (k == "controlled_shutdown_request")
        return "asks the controller (broker " + std::to_string(ev.int_or("controller", -1)) +
               ") for a controlled shutdown, attempt " + std::to_string(ev.int_or("attempt", 0));
    if (k == "controlled_shutdown_incomplete")
        return "the controller could not move " + std::to_string(ev.int_or("remaining", 0)) +
               " leadership(s) off it yet; asks again after controlled.shutdown.retry.backoff.ms";
    if (k == "controlled_shutdown_failed")
        return "gives up on a controlled shutdown after " + std::to_string(ev.int_or("attempts", 0)) +
               " attempts and stops anyway";
    if (k == "topic_created") return "created topic " + ev.str_or("topic", "?");
    if (k == "broker_controlled_shutdown") return "starts a controlled shutdown";
    if (k == "broker_stopped") return "stopped cleanly";
    // Chatty or internal: not part of the story.
    if (k == "raft_hw" || k == "raft_vote" || k == "raft_state" || k == "broker_start" || k == "raft_truncate" ||
        k == "producer_metadata")
        return std::nullopt;
    return generic(ev);
}

}  // namespace

std::optional<std::string> narrate(const sim::TraceEvent& ev, const sim::Trace& trace) {
    std::optional<std::string> text = story(ev);
    if (!text) return std::nullopt;
    char prefix[64];
    std::snprintf(prefix, sizeof prefix, "t=%-9s ", sim::format_time(ev.time).c_str());
    std::string who = ev.node == sim::no_node ? "harness" : trace.node_name(ev.node);
    who.resize(std::max<size_t>(who.size(), 16), ' ');
    return std::string(prefix) + who + " " + *text;
}

}  // namespace reports
