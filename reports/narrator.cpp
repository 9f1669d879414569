#include "reports/narrator.hpp"

#include "broker/group/group_coordinator.hpp"
#include "scenarios/timeline.hpp"

#include <algorithm>
#include <cstdio>

namespace reports {

namespace {

using namespace kafka;

using Line = std::optional<std::string>;

std::string num(int64_t v) { return std::to_string(v); }
std::string ids(const IdList& v) { return sim::format_id_list(v); }
std::string label(const std::string& topic, int32_t partition) { return topic + "/" + num(partition); }
// The fifty partitions of __consumer_offsets and of __transaction_state would drown the story;
// the coordinators' own events tell what matters about them.
bool internal(const std::string& topic) { return is_internal_topic(topic); }

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
    Line operator()(const RaftResign& e) const {
        const std::string why = e.reason == "check-quorum"
                                    ? ": no majority of the voters fetched from it within the check-quorum timeout, so it "
                                      "may be cut off (check-quorum)"
                                : e.reason == "shutdown" ? ": it is shutting down"
                                : e.reason.empty()       ? ""
                                                         : ": " + e.reason;
        return resigned(e.epoch) + why;
    }
    // Candidates and followers are told by the Narrator, which knows what came before.
    Line operator()(const RaftStateChanged&) const { return std::nullopt; }
    Line operator()(const ControllerStart&) const {
        return "starts: reads the metadata log from its disk and rejoins the quorum as a voter";
    }
    Line operator()(const MetadataCaughtUp& e) const {
        return "caught up with the metadata log (offset " + num(e.high_watermark) +
               ", the quorum's high watermark when it asked)";
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
        std::string line = label(e.topic, e.partition) + ":";
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
        if (e.replicas) {
            line += ", replicas " + ids(*e.replicas);
            if (e.adding && !e.adding->empty()) line += " (adding " + ids(*e.adding) + ")";
            if (e.removing && !e.removing->empty()) line += " (removing " + ids(*e.removing) + ")";
        }
        if (!e.reason.empty()) line += "; " + e.reason;
        return line;
    }
    Line operator()(const TopicAdminChange& e) const {
        return "controller: topic " + e.topic + " " + e.change + (e.detail.empty() ? "" : " (" + e.detail + ")");
    }
    // ---- groups
    Line operator()(const GroupStateChanged& e) const {
        return "group " + e.group + " is " + e.state + " (generation " + num(e.generation) + ", " + num(e.members) +
               " members): " + e.reason;
    }
    Line operator()(const GroupMemberRemoved& e) const {
        return "group " + e.group + " removed member " + e.member + ": " + e.reason;
    }
    // ---- transactions
    // One transactional id through the coordinator's states (TransactionMetadata), told as what
    // each state means for the producer and for readers.
    Line operator()(const TransactionStateChanged& e) const {
        const std::string parts = num(e.partitions) + (e.partitions == 1 ? " partition" : " partitions");
        const std::string meaning =
            e.state == "Empty"            ? "Empty: initTransactions() got its producer id and epoch"
            : e.state == "Ongoing"        ? "Ongoing on " + parts + " (AddPartitionsToTxn)"
            : e.state == "PrepareCommit"  ? "PrepareCommit, written to __transaction_state: the commit is decided and "
                                            "commitTransaction() returns; COMMIT markers go to its " + parts
            : e.state == "PrepareAbort"   ? "PrepareAbort, written to __transaction_state: ABORT markers go to its " + parts
            : e.state == "CompleteCommit" ? "CompleteCommit: every COMMIT marker is written"
            : e.state == "CompleteAbort"  ? "CompleteAbort: every ABORT marker is written"
            : e.state == "PrepareEpochFence"
                ? "PrepareEpochFence: the epoch is bumped to fence the producer, and the transaction will be aborted"
                : e.state;
        const std::string why = e.reason.empty() || e.reason == "every marker is written" ? ""  // the meaning says it
                                : e.reason == "EndTxn" ? " (EndTxn from the producer)"
                                                       : " (" + e.reason + ")";
        return "transaction " + e.transactional_id + " (producer id " + num(e.producer_id) + ", epoch " +
               num(e.producer_epoch) + ") is " + meaning + why;
    }
    Line operator()(const CoordinatorLoaded& e) const {
        if (e.groups == 0) return std::nullopt;  // every __consumer_offsets partition: too chatty
        return "now coordinates the " + num(e.groups) + " group(s) of __consumer_offsets partition " +
               num(e.partition) + ", loaded from its log";
    }
    Line operator()(const TxnOffsetsCompleted& e) const {
        if (!e.committed)
            return "group " + e.group + " dropped the " + num(e.partitions) + " offset(s) of producer id " +
                   num(e.producer_id) + ": its transaction aborted";
        return "group " + e.group + " committed " + num(e.applied) + " of the " + num(e.partitions) +
               " offset(s) of producer id " + num(e.producer_id) + " with its transaction";
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
        if (e.reason)
            return label(e.topic, e.partition) + ": log start offset " + num(e.from) + " -> " + num(e.to) + " (" +
                   *e.reason + " on the leader, broker " + num(e.leader) +
                   "): reads below it now fail, its segments go at the next retention run";
        return label(e.topic, e.partition) + ": log start offset " + num(e.from) + " -> " + num(e.to) +
               " (the leader's, broker " + num(e.leader) + ")";
    }
    Line operator()(const TxnMarkerWritten& e) const {
        if (internal(e.topic)) return std::nullopt;
        const std::string who = "producer id " + num(e.producer_id) + " epoch " + num(e.producer_epoch);
        if (e.error)
            return label(e.topic, e.partition) + ": " + e.result + " marker of " + who + " refused: " + *e.error +
                   " (coordinator epoch " + num(e.coordinator_epoch) + ")";
        return label(e.topic, e.partition) + ": " + e.result + " marker of " + who + " written at offset " +
               num(e.offset) + ": its transaction ends here, and read_committed consumers read past it once the high "
               "watermark (now " + num(e.high_watermark) + ") passes the marker; last stable offset now " +
               num(e.last_stable_offset);
    }
    Line operator()(const TxnPartitionVerified& e) const {
        const std::string who = e.transactional_id + " (producer " + num(e.producer_id) + " epoch " +
                                num(e.producer_epoch) + ")";
        const std::string what = e.add ? "added to transaction " : "verified in transaction ";
        if (!e.error) return label(e.topic, e.partition) + ": " + what + who + " by its coordinator";
        return label(e.topic, e.partition) + ": coordinator of " + who + " answered " + e.answer +
               "; the batch is refused with " + *e.error;
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
        return label(e.topic, e.partition) + ": state znode written: leader " + (e.leader < 0 ? std::string("none") : num(e.leader)) +
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
    Line operator()(const ReplicaDeleted& e) const {
        return label(e.topic, e.partition) + ": replica deleted, its log (end offset " + num(e.log_end_offset) +
               ") removed from disk (" + e.reason + ")";
    }
    Line operator()(const ZkNewPartitionOffline& e) const {
        return label(e.topic, e.partition) + ": no replica of the new partition is alive, so it starts OFFLINE (no leader)";
    }
    // Told when the controller answers: after the brokers have already applied the new topic.
    Line operator()(const TopicCreated& e) const {
        return "created topic " + e.topic + " (its CreateTopics request was answered)";
    }
    Line operator()(const AdminResult& e) const {
        if (e.error == "NONE") return e.operation + " " + e.resource + ": done";
        return e.operation + " " + e.resource + ": " + e.error + (e.message.empty() ? "" : " (" + e.message + ")");
    }
    Line operator()(const ProducerEpochBump& e) const {
        return "bumps its producer epoch to " + num(e.producer_epoch) + " (producer id " + num(e.producer_id) +
               ", topic " + e.topic + "): its sequence numbers start again at 0";
    }
    Line operator()(const ProducerTransaction& e) const {
        const std::string txn = "transaction " + num(e.txn) + " of transactional.id " + e.transactional_id;
        const std::string why = e.error == "NONE" ? "" : " after " + e.error;
        if (e.action == "initialized")
            return "initTransactions(): producer id " + num(e.producer_id) + ", epoch " + num(e.producer_epoch) +
                   " for transactional.id " + e.transactional_id;
        if (e.action == "begin") return std::nullopt;  // the end tells it
        if (e.action == "committed") return "commitTransaction() returned for " + txn;
        if (e.action == "aborted") return "abortTransaction() returned for " + txn + why;
        return "fails with " + e.error + " in " + e.detail + " (" + txn +
               "): the application must close the producer";
    }
    Line operator()(const StreamsTask& e) const {
        const std::string why = e.detail.empty() ? "" : " (" + e.detail + ")";
        if (e.task.empty()) {
            if (e.action == "committed") return std::nullopt;  // every commit.interval.ms: too many to tell
            if (e.action == "aborted") return "aborts its transaction: every task's uncommitted work is undone" + why;
            if (e.action == "migrated")
                return "lost its tasks to another instance (TaskMigratedException" + why + "): closes them dirty and rejoins";
            if (e.action == "corrupted")
                return "wipes its stores (TaskCorruptedException" + why + ") and restores them from the changelogs";
            return "stream thread: " + e.action + why;
        }
        if (e.action == "restoring")
            return "task " + e.task + " restores its store from changelog offset " + num(e.offset) +
                   (e.offset == 0 ? " (the whole changelog)" : "") + why;
        if (e.action == "running")
            return "task " + e.task + " restored (changelog read to offset " + num(e.offset) + ") and runs";
        if (e.action == "closed") return "task " + e.task + " closed cleanly" + why;
        if (e.action == "standby")
            return "keeps a standby of task " + e.task + ": tails its changelog from offset " + num(e.offset) + why;
        if (e.action == "standby closed") return "drops its standby of task " + e.task;
        return "task " + e.task + " " + e.action + why;
    }
    // Kafka Connect
    Line operator()(const ConnectAssignment& e) const {
        if (e.error == "COORDINATOR_UNREACHABLE")
            return "cannot reach the group coordinator for heartbeat.interval.ms: stops " + e.revoked +
                   " so as not to run them while it may no longer be a member";
        if (!e.error.empty())
            return "its Connect group leader was behind on the config topic (" + e.error + "): reads it and rejoins";
        std::string what;
        if (!e.connectors.empty()) what += "connectors " + e.connectors;
        if (!e.tasks.empty()) what += (what.empty() ? "" : " and ") + std::string("tasks ") + e.tasks;
        std::string line = "Connect generation " + num(e.generation) + " (" + e.protocol + "): " +
                           (what.empty() ? std::string("nothing new to run") : "runs " + what);
        if (!e.revoked.empty()) line += "; stops " + e.revoked + " and rejoins so they can move";
        if (e.delay_ms > 0)
            line += "; the leader holds a departed worker's work for " + num(e.delay_ms) +
                    " ms more (scheduled.rebalance.max.delay.ms)";
        return line;
    }
    Line operator()(const ConnectStatus& e) const {
        const std::string what = e.task < 0 ? "connector " + e.connector : "task " + e.connector + "-" + num(e.task);
        if (e.state == "FAILED") return what + " FAILED: " + e.detail + " (Connect does not restart it by itself)";
        if (!e.detail.empty()) return what + " is " + e.state + " (" + e.detail + ")";
        return what + " is " + e.state;
    }
    Line operator()(const ConnectOffsetCommit& e) const {
        (void)e;
        return std::nullopt;  // every offset.flush.interval.ms: too many to tell
    }
    Line operator()(const ConnectTaskIo& e) const {
        if (e.action == "put_failed")
            return "task " + e.connector + "-" + num(e.task) + " cannot write to " + e.system +
                   " (RetriableException): keeps the records and retries";
        return std::nullopt;
    }
    Line operator()(const ConnectRest& e) const {
        if (e.status == 0) return "REST " + e.method + " " + e.path + ": " + e.body;
        if (e.path.find("/tasks") != std::string::npos && e.method == "POST" && e.status == 204)
            return std::nullopt;  // a connector's task configs reaching the leader
        return "REST " + e.method + " " + e.path + " -> " + num(e.status) + (e.body.empty() ? "" : " " + e.body);
    }
    Line operator()(const ConsumerMetadata& e) const {
        if (internal(e.topic)) return std::nullopt;
        std::string leaders;
        if (e.leaders.size() <= 6) {
            for (size_t p = 0; p < e.leaders.size(); ++p)
                leaders += std::string(p == 0 ? "" : p + 1 == e.leaders.size() ? " and " : ", ") +
                           label(e.topic, static_cast<int32_t>(p)) + " " +
                           (e.leaders[p] < 0 ? "has no leader" : "on broker " + num(e.leaders[p]));
        } else {
            leaders = "the leaders of " + e.topic + "'s partitions, in order, are " + ids(e.leaders);
        }
        return "refreshed its metadata: " + leaders;
    }
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
    // No fallback: a new event must say here how it is told (or that it is left out), so
    // that no raw "kind key=value" line reaches a reader.
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

// ---- Narrator ---------------------------------------------------------------------------

namespace {

// 2 from "broker:2", 3001 from "controller:3001"; nullopt for other names.
std::optional<int32_t> id_in(const std::string& node, std::string_view kind) {
    if (node.size() <= kind.size() + 1 || node.compare(0, kind.size(), kind) != 0 || node[kind.size()] != ':')
        return std::nullopt;
    int32_t id = 0;
    for (size_t i = kind.size() + 1; i < node.size(); ++i) {
        if (node[i] < '0' || node[i] > '9') return std::nullopt;
        id = id * 10 + (node[i] - '0');
    }
    return id;
}

bool holds(const sim::IdList& ids, int32_t id) { return std::find(ids.begin(), ids.end(), id) != ids.end(); }

std::string topic_of(const std::string& partition_label) { return partition_label.substr(0, partition_label.rfind('/')); }

std::string joined(const std::vector<std::string>& items) {
    std::string out;
    for (size_t i = 0; i < items.size(); ++i)
        out += (i == 0 ? "" : i + 1 == items.size() ? " and " : ", ") + items[i];
    return out;
}

// "8.321s": how long something lasted, in the timeline's own precision.
std::string span(sim::Duration d) { return sim::format_time(sim::time_zero + d); }

// What a line is about, for collapsing repeats: its partition ("orders/0: ..."), or "" for
// the node as a whole. Lines about different partitions repeat independently.
std::string subject(const std::string& text) {
    const size_t colon = text.find(": ");
    if (colon == std::string::npos) return "";
    const std::string head = text.substr(0, colon);
    const size_t slash = head.rfind('/');
    if (slash == std::string::npos || slash + 1 == head.size() || head.find(' ') != std::string::npos) return "";
    for (size_t i = slash + 1; i < head.size(); ++i)
        if (head[i] < '0' || head[i] > '9') return "";
    return head;
}

std::string times(int n) { return n == 2 ? "twice" : std::to_string(n) + " times"; }

// The subject of a line in a transaction's cycle: "transaction <id>" for the coordinator's
// states, the partition for a marker written; nullopt for other lines.
std::optional<std::string> transaction_cycle(const kafka::TraceEntry& ev) {
    if (const auto* m = std::get_if<TxnMarkerWritten>(&ev.event); m != nullptr && !m->error)
        return label(m->topic, m->partition);
    if (const auto* t = std::get_if<TransactionStateChanged>(&ev.event)) return "transaction " + t->transactional_id;
    return std::nullopt;
}

// What makes two lines "the same thing said again": the line itself, but for the steps every
// transaction repeats (its states, its markers), whose offsets and partition counts change each
// time. A producer committing ten transactions a second is then told once, then counted.
std::string repeat_text(const kafka::TraceEntry& ev, const std::string& text) {
    if (const auto* m = std::get_if<TxnMarkerWritten>(&ev.event); m != nullptr && !m->error)
        return label(m->topic, m->partition) + ": " + m->result + " markers of producer id " + num(m->producer_id) +
               " epoch " + num(m->producer_epoch) + " written";
    if (const auto* t = std::get_if<TransactionStateChanged>(&ev.event))
        return "transaction " + t->transactional_id + " (producer id " + num(t->producer_id) + ", epoch " +
               num(t->producer_epoch) + ") is " + t->state + (t->reason.empty() ? "" : " (" + t->reason + ")");
    return text;
}

}  // namespace

Narrator::Narrator(const scenarios::Scenario& scenario)
    : scenario_(scenario),
      config_(kafka::BrokerConfig::from(scenario.kafka.profile, scenario.kafka.config)),
      zookeeper_(scenario.kafka.metadata == scenarios::MetadataMode::zookeeper) {
    for (const auto& p : scenario.producers)
        if (kafka::ProducerConfig::from(scenario.kafka.profile, p.config).acks == -1) acks_all_topics_.insert(p.topic);
}

std::string Narrator::fencing_text(int32_t broker) const {
    if (zookeeper_) {
        const int32_t servers = scenario_.kafka.zookeeper, up = servers - static_cast<int32_t>(zookeepers_down_.size());
        return "ZooKeeper expires broker " + num(broker) + "'s session (zookeeper.session.timeout.ms, " +
               num(config_.zookeeper_session_timeout_ms) + " ms without a ping" +
               (up <= servers / 2 ? "; the ensemble has lost its majority, so not before it is back" : "") + ")";
    }
    return "the controller fences broker " + num(broker) + " (broker.session.timeout.ms, " +
           num(config_.broker_session_timeout_ms) + " ms without a heartbeat)";
}

std::string Narrator::member_text(const std::string& member_id) const {
    if (members_ != nullptr) {
        for (const auto& m : *members_)
            if (m.member_id == member_id) return m.consumer + " (member id " + member_id + ")";
        // Removed before it was ever assigned anything: the member id starts with its client.id.
        for (const auto& m : *members_)
            if (member_id.compare(0, m.client_id.size() + 1, m.client_id + "-") == 0)
                return m.consumer + " (member id " + member_id + ")";
    }
    return "member " + member_id;
}

std::vector<std::string> Narrator::event(const kafka::TraceEntry& ev, const kafka::Trace& trace) {
    const std::string who = ev.node == sim::no_node ? "harness" : trace.node_name(ev.node);
    names_[ev.node] = who;
    Line text = std::visit(Story{}, ev.event);
    // The cluster's own start is not news (nor heard live: the run listens from its first step).
    if (std::holds_alternative<ControllerStart>(ev.event) && ev.time == sim::time_zero) text.reset();
    if (const auto* r = std::get_if<GroupMemberRemoved>(&ev.event))
        text = "group " + r->group + " removed " + member_text(r->member) + ": " + r->reason;

    Lines before, after;
    if (const auto* a = std::get_if<ConsumerAssignment>(&ev.event); a != nullptr && members_ != nullptr) {
        // The first assignment of a membership: say once which member id and client.id this
        // consumer has, the names the coordinator and kafka-consumer-groups.sh use.
        for (auto it = members_->rbegin(); it != members_->rend(); ++it) {
            if (it->consumer != who || it->since > ev.time || it->group != a->group) continue;
            if (members_told_.insert(it->member_id).second)
                before.push_back(prefix(ev.time, who) + "is member " + it->member_id + " of group " + it->group +
                                 " (client.id " + it->client_id + "); kafka-consumer-groups.sh shows it by these names");
            break;
        }
    }
    if (const auto* a = std::get_if<ConsumerAssignment>(&ev.event))
        owned_[who] = Owned{a->group, a->partitions};
    track(ev, who, after);
    if (const auto* rs = std::get_if<RaftStateChanged>(&ev.event);
        rs != nullptr && (rs->state == "Candidate" || rs->state == "Prospective") && !after.empty()) {
        std::swap(before, after);  // a new campaign: its line is the event's own
    }

    Lines out;
    if (text) {
        // Every transaction goes through the same cycle of lines (its states on the coordinator,
        // its markers on the leaders): those lines are about the transactional id or the
        // partition, and count up side by side instead of ending each other's streaks.
        const std::optional<std::string> cycle = transaction_cycle(ev);
        const std::string about = cycle ? *cycle : subject(*text);
        auto key = std::make_tuple(ev.node, about, repeat_text(ev, *text));
        auto it = repeats_.find(key);
        if (it != repeats_.end()) {
            ++it->second.count;
            it->second.last = ev.time;
            text.reset();
        } else {
            // A line about the node as a whole ends every streak of it; one about a partition ends
            // that partition's and the node-wide one.
            if (about.empty()) {
                close_repeats(ev.node, std::nullopt, who, ev.time, out);
            } else {
                close_repeats(ev.node, std::string(), who, ev.time, out);
                if (!cycle) close_repeats(ev.node, about, who, ev.time, out);
            }
            repeats_[key] = Repeat{ev.time, ev.time, 1};
        }
    }
    out.insert(out.end(), before.begin(), before.end());
    if (text) out.push_back(prefix(ev.time, who) + *text);
    out.insert(out.end(), after.begin(), after.end());
    return out;
}

// A node that says something new about a subject has stopped repeating what it said about
// it before: count that. nullopt: every subject (the node was restarted, or the run ended).
void Narrator::close_repeats(sim::NodeId node, const std::optional<std::string>& about, const std::string& who,
                             sim::Time t, Lines& out) {
    auto it = repeats_.lower_bound(std::make_tuple(node, about.value_or(""), std::string()));
    while (it != repeats_.end() && std::get<0>(it->first) == node && (!about || std::get<1>(it->first) == *about)) {
        const Repeat& r = it->second;
        if (r.count > 1)
            out.push_back(prefix(t, who) + "said " + times(r.count) + " from " + sim::format_time(r.first) + " to " +
                          sim::format_time(r.last) + ": " + std::get<2>(it->first));
        it = repeats_.erase(it);
    }
}

void Narrator::track(const kafka::TraceEntry& ev, const std::string& who, Lines& out) {
    const sim::Time t = ev.time;
    if (const auto* e = std::get_if<PartitionChange>(&ev.event)) {
        if (!internal(e->topic)) partition_update(label(e->topic, e->partition), e->leader, e->isr, t, who, out);
    } else if (const auto* z = std::get_if<ZkPartitionState>(&ev.event)) {
        if (!internal(z->topic)) partition_update(label(z->topic, z->partition), z->leader, z->isr, t, who, out);
    } else if (const auto* u = std::get_if<IsrUpdated>(&ev.event)) {
        if (!internal(u->topic)) {
            const std::string l = label(u->topic, u->partition);
            partition_update(l, partitions_[l].leader, u->isr, t, who, out);
        }
    } else if (const auto* b = std::get_if<BecomeLeader>(&ev.event)) {
        if (internal(b->topic)) return;
        const std::string l = label(b->topic, b->partition);
        const int32_t me = id_in(who, "broker").value_or(-1);
        partition_update(l, me, b->isr, t, who, out);
        auto s = stalls_.find(l);
        if (s != stalls_.end() && s->second.leaderless) {
            out.push_back(prefix(t, who) + l + ": takes writes again; it had no leader for " +
                          span(t - s->second.since) + ", since broker " + num(s->second.broker) +
                          " stopped answering");
            stalls_.erase(s);
        }
    } else if (std::holds_alternative<ControllerActive>(ev.event) || std::holds_alternative<ZkControllerElected>(ev.event)) {
        active_controller_ = who;
    } else if (std::holds_alternative<ControllerInactive>(ev.event) ||
               std::holds_alternative<ZkControllerResigned>(ev.event)) {
        if (active_controller_ == who) active_controller_.clear();
    } else if (const auto* v = std::get_if<RaftVote>(&ev.event)) {
        if (v->granted && !v->pre_vote.value_or(false))
            if (auto voter = id_in(who, "controller")) votes_for_[v->candidate].insert({v->epoch, *voter});
    } else if (const auto* r = std::get_if<RaftStateChanged>(&ev.event)) {
        const std::string before = raft_state_[who];
        raft_state_[who] = r->state;
        if (!id_in(who, "controller")) return;  // brokers observe the quorum; they never vote
        const int32_t voters = scenario_.kafka.controllers, majority = voters / 2 + 1;
        if (r->state == "Candidate" || r->state == "Prospective") {
            auto c = campaigns_.find(ev.node);
            if (c != campaigns_.end()) {  // standing again: told once, then counted until it ends
                Campaign& k = c->second;
                ++k.count;
                k.lost_last = k.last;
                k.lost_epoch = k.last_epoch;
                k.last = t;
                k.last_epoch = r->epoch;
                if (k.count == 2)
                    out.push_back(prefix(t, who) + "stands again, in epoch " + num(r->epoch) + ": no majority voted for it in epoch " +
                                  num(k.lost_epoch) + "; it will keep standing in a new epoch after each "
                                  "controller.quorum.election.timeout.ms (" +
                                  num(config_.controller_quorum_election_timeout_ms) +
                                  " ms) and a random backoff until a majority answers (counted when it stops)");
                return;
            }
            campaigns_[ev.node] = Campaign{t, t, t, r->epoch, r->epoch, r->epoch, 1};
            if (auto self = id_in(who, "controller")) votes_for_[*self].clear();
            const std::string why =
                before == "Follower" ? "it heard nothing from the quorum leader for controller.quorum.fetch.timeout.ms (" +
                                           num(config_.controller_quorum_fetch_timeout_ms) + " ms)"
                : before == "Resigned" ? "it resigned the leadership"
                                       : "no leader is known yet";
            out.push_back(prefix(t, who) + (r->state == "Prospective" ? "asks for pre-votes to stand in epoch "
                                                                       : "stands for election in epoch ") +
                          num(r->epoch) + " because " + why + "; it needs the votes of " + num(majority) + " of the " +
                          num(voters) + " voters");
        } else if (r->state == "Leader" || r->state == "Follower") {
            close_campaign(ev.node, who, t, r->state == "Leader", out);
            if (r->state == "Follower" && r->leader >= 0 && before != "Follower")
                out.push_back(prefix(t, who) + "follows controller " + num(r->leader) +
                              ", the leader of the metadata quorum in epoch " + num(r->epoch));
        }
    }
}

void Narrator::close_campaign(sim::NodeId node, const std::string& who, sim::Time t, bool won, Lines& out) {
    auto c = campaigns_.find(node);
    if (c == campaigns_.end()) return;
    const Campaign k = c->second;
    campaigns_.erase(c);
    // The last candidacy is the one that won, if it won: the others were lost.
    const int lost = won ? k.count - 1 : k.count;
    if (lost < 2) return;
    const int32_t last_lost_epoch = won ? k.lost_epoch : k.last_epoch;
    const sim::Time last_lost = won ? k.lost_last : k.last;
    const int32_t voters = scenario_.kafka.controllers, majority = voters / 2 + 1;
    size_t granted = 0;
    if (auto self = id_in(who, "controller"))
        for (const auto& [epoch, voter] : votes_for_[*self])
            if (epoch >= k.first_epoch && epoch <= last_lost_epoch && voter != *self) ++granted;
    out.push_back(prefix(t, who) + "stood for election " + times(lost) + " without winning, in epochs " +
                  num(k.first_epoch) + ".." + num(last_lost_epoch) + " from " + sim::format_time(k.since) + " to " +
                  sim::format_time(last_lost) + ": " +
                  (granted == 0 ? std::string("no other voter granted it a vote")
                                : num(static_cast<int64_t>(granted)) + " vote(s) from other voters in all") +
                  ", and it needs " + num(majority) + " of the " + num(voters) + " voters in one epoch");
}

void Narrator::partition_update(const std::string& l, int32_t leader, const sim::IdList& isr, sim::Time t,
                                const std::string& who, Lines& out) {
    partitions_[l] = PartitionState{leader, isr};
    auto s = stalls_.find(l);
    if (s == stalls_.end() || s->second.leaderless || holds(isr, s->second.broker)) return;
    // Another broker that cannot answer may still be in the ISR: the writes wait for it now.
    for (int32_t other : isr) {
        auto down = brokers_down_.find(other);
        if (other == leader || down == brokers_down_.end()) continue;
        out.push_back(prefix(t, who) + l + ": broker " + num(s->second.broker) + " is out of the ISR, but broker " +
                      num(other) + ", gone too, is still in it: acks=all writes stay held");
        s->second.broker = other;  // held since the first of them went
        return;
    }
    const int32_t floor = min_insync(topic_of(l));
    if (static_cast<int32_t>(isr.size()) < floor)
        out.push_back(prefix(t, who) + l + ": broker " + num(s->second.broker) + " is out of the ISR, which is now " +
                      ids(isr) + ", below min.insync.replicas=" + num(floor) +
                      ": the leader refuses acks=all writes with NOT_ENOUGH_REPLICAS until a follower is back in sync");
    else
        out.push_back(prefix(t, who) + l + ": broker " + num(s->second.broker) +
                      " is out of the ISR, so acks=all writes are acknowledged again; they were held " +
                      span(t - s->second.since));
    stalls_.erase(s);
}

int32_t Narrator::min_insync(const std::string& topic) const {
    for (const auto& ts : scenario_.topics)
        if (ts.name == topic) return kafka::TopicConfig::from(config_, ts.config).min_insync_replicas;
    return config_.min_insync_replicas;
}

void Narrator::broker_gone(int32_t broker, sim::Time t, bool cut_off, const std::string& producers_with, Lines& out) {
    if (!brokers_down_.emplace(broker, t).second) return;
    const std::string node = "broker:" + num(broker);
    if (active_controller_ == node && zookeeper_)
        out.push_back(prefix(t, node) + "was the controller: no partition gets a new leader until " +
                      fencing_text(broker) + " and another broker creates /controller");
    std::vector<std::string> led;
    std::map<int32_t, std::vector<std::string>> held;  // by the leader that holds the writes
    for (const auto& [l, p] : partitions_) {
        if (p.leader == broker) {
            led.push_back(l);
            stalls_[l] = Stall{broker, t, true};
        } else if (holds(p.isr, broker) && p.leader >= 0 && brokers_down_.count(p.leader) == 0 &&
                   acks_all_topics_.count(topic_of(l)) != 0 && stalls_.count(l) == 0) {
            held[p.leader].push_back(l);
            stalls_[l] = Stall{broker, t, false};
        }
    }
    if (!led.empty() && cut_off) {
        // Cut off but alive, it still leads in its own eyes: whether it still acknowledges
        // depends on its ISR (it cannot shrink it without the controller).
        std::vector<std::string> alone, waiting;
        for (const auto& l : led) {
            const PartitionState& p = partitions_[l];
            const bool by_itself = p.isr.size() == 1 && p.isr.front() == broker &&
                                   min_insync(topic_of(l)) <= 1;
            (by_itself ? alone : waiting).push_back(l);
        }
        const std::string side = producers_with.empty() ? "no producer reaches it" : producers_with + " still reaches it";
        if (!waiting.empty())
            out.push_back(prefix(t, node) + "leads " + joined(waiting) + " but is cut off: it still believes it leads, yet " +
                          side + " and no follower fetches from it, so no acks=all write commits; the others get a new "
                          "leader from the ISR when " + fencing_text(broker));
        if (!alone.empty())
            out.push_back(prefix(t, node) + "leads " + joined(alone) + " but is cut off, and " + side +
                          ": its ISR is itself alone and min.insync.replicas is 1, so it still acknowledges writes that "
                          "no other replica has; the others get a new leader when " + fencing_text(broker));
    }
    else if (!led.empty())
        out.push_back(prefix(t, node) + "led " + joined(led) + ", which " + (led.size() == 1 ? "has" : "have") +
                      " no reachable leader now: producers retry until " + fencing_text(broker) +
                      " and a new leader is elected from the ISR");
    for (const auto& [leader, parts] : held)
        out.push_back(prefix(t, "broker:" + num(leader)) + joined(parts) + (parts.size() == 1 ? ": holds" : ": hold") +
                      " every acks=all write, because broker " + num(broker) +
                      " is still in the ISR and the leader waits for it; it leaves the ISR when " +
                      fencing_text(broker) + " or after replica.lag.time.max.ms (" +
                      num(config_.replica_lag_time_max_ms) + " ms) without it fetching, whichever comes first");
}

void Narrator::broker_back(int32_t broker, sim::Time t, Lines& out) {
    if (brokers_down_.erase(broker) == 0) return;
    std::map<int32_t, std::vector<std::string>> held;
    std::vector<sim::Duration> waited;
    for (auto it = stalls_.begin(); it != stalls_.end();) {
        if (it->second.broker == broker && !it->second.leaderless) {
            held[partitions_[it->first].leader].push_back(it->first);
            waited.push_back(t - it->second.since);
            it = stalls_.erase(it);
        } else {
            ++it;
        }
    }
    for (const auto& [leader, parts] : held)
        out.push_back(prefix(t, "broker:" + num(leader)) + joined(parts) + ": broker " + num(broker) +
                      " is back in reach and still in the ISR; once it has fetched what it missed, the acks=all writes held for " +
                      span(waited.front()) + " are acknowledged");
}

// A group member that stops without leaving the group: only its missing heartbeats tell the
// coordinator.
void Narrator::member_gone(const std::string& consumer, const Owned& owned, sim::Time t, bool paused, Lines& out) {
    int64_t session_timeout_ms = -1;
    for (const auto& c : scenario_.consumers)
        if (c.group == owned.group)
            session_timeout_ms = kafka::ConsumerConfig::from(scenario_.kafka.profile, c.config).session_timeout_ms;
    out.push_back(prefix(t, consumer) + "owned " + num(owned.partitions) + " partition(s) of group " + owned.group +
                  "; nobody tells the coordinator it is " + (paused ? "paused" : "gone") +
                  ", so they stay unread until session.timeout.ms" +
                  (session_timeout_ms >= 0 ? " (" + num(session_timeout_ms) + " ms)" : std::string()) +
                  " passes without a heartbeat from it and the group rebalances");
}

void Narrator::controller_gone(const std::string& node, sim::Time t, Lines& out) {
    if (zookeeper_ || !controllers_down_.insert(node).second) return;
    const int32_t voters = scenario_.kafka.controllers, majority = voters / 2 + 1;
    const int32_t up = voters - static_cast<int32_t>(controllers_down_.size());
    if (up < majority) {
        out.push_back(prefix(t, "harness") + "the metadata quorum is down to " + num(up) + " of its " + num(voters) +
                      " voters, short of a majority (" + num(majority) +
                      "): it elects no leader and commits no metadata (no leader elections, no ISR changes) until a "
                      "majority is back; brokers keep serving with the metadata they have");
    } else if (node == active_controller_) {
        out.push_back(prefix(t, node) + "was the active controller: metadata changes wait until another voter, hearing "
                      "nothing from it for controller.quorum.fetch.timeout.ms (" +
                      num(config_.controller_quorum_fetch_timeout_ms) +
                      " ms), wins an election; partition leaders keep serving meanwhile");
    }
}

std::vector<std::string> Narrator::fault(const scenarios::FaultRecord& f) {
    Lines out;
    for (const auto& name : f.resolved)
        for (const auto& [node, n] : names_)
            if (n == name) close_repeats(node, std::nullopt, n, f.at, out);
    out.push_back(narrate(f));
    if (!f.fired) return out;
    using scenarios::FaultAction;
    const bool one_side_cut = f.action == FaultAction::partition && f.target_text.find('*') != std::string::npos;
    const bool takes_away = f.action == FaultAction::crash || f.action == FaultAction::power_loss ||
                            f.action == FaultAction::pause || f.action == FaultAction::isolate || one_side_cut;
    const bool gives_back = f.action == FaultAction::restart || f.action == FaultAction::resume;
    // Producers cut off with the brokers, on their side of the partition.
    std::vector<std::string> producers;
    if (one_side_cut)
        for (const auto& name : f.resolved)
            if (name.rfind("producer:", 0) == 0) producers.push_back(name);
    const std::string producers_with = joined(producers);
    for (const auto& name : f.resolved) {
        auto broker = id_in(name, "broker");
        if (auto o = owned_.find(name); o != owned_.end() && takes_away && !f.is_undo && o->second.partitions > 0)
            member_gone(name, o->second, f.at, f.action == FaultAction::pause, out);
        if (takes_away && !f.is_undo) {
            if (id_in(name, "zookeeper")) zookeepers_down_.insert(name);
            if (broker)
                broker_gone(*broker, f.at, f.action == FaultAction::isolate || f.action == FaultAction::partition,
                            producers_with, out);
            else if (id_in(name, "controller")) controller_gone(name, f.at, out);
        } else if ((takes_away && f.is_undo) || (gives_back && !f.is_undo)) {
            if (broker) broker_back(*broker, f.at, out);
            controllers_down_.erase(name);
            zookeepers_down_.erase(name);
        }
    }
    // An undone isolation or partition may record no names: everyone it cut off is back.
    if (f.is_undo && (f.action == FaultAction::isolate || f.action == FaultAction::partition) && f.resolved.empty()) {
        std::vector<int32_t> down;
        for (const auto& [b, since] : brokers_down_) down.push_back(b);
        for (int32_t b : down) broker_back(b, f.at, out);
    }
    return out;
}

std::vector<std::string> Narrator::finish(sim::Time end) {
    Lines out;
    std::vector<sim::NodeId> nodes;
    for (const auto& [node, c] : campaigns_) nodes.push_back(node);
    for (sim::NodeId node : nodes) close_campaign(node, names_[node], end, false, out);
    nodes.clear();
    for (const auto& [key, r] : repeats_)
        if (nodes.empty() || nodes.back() != std::get<0>(key)) nodes.push_back(std::get<0>(key));
    for (sim::NodeId node : nodes) close_repeats(node, std::nullopt, names_[node], end, out);
    return out;
}

std::vector<StoryLine> story(const scenarios::RunData& run) {
    std::vector<StoryLine> lines;
    if (run.trace == nullptr) return lines;
    Narrator narrator(run.scenario);
    narrator.read_members(&run.members);
    auto add = [&](const std::vector<std::string>& told, bool fault) {
        for (size_t i = 0; i < told.size(); ++i) lines.push_back(StoryLine{told[i], fault && told[i].find("FAULT") != std::string::npos});
    };
    scenarios::for_each_in_order(
        run, [&](const kafka::TraceEntry& ev) { add(narrator.event(ev, *run.trace), false); },
        [&](const scenarios::FaultRecord& f) { add(narrator.fault(f), true); });
    add(narrator.finish(run.end), false);
    return lines;
}

}  // namespace reports
