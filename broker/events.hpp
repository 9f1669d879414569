// The model's event vocabulary: everything a broker, controller, ZooKeeper server or client
// says happened, as plain structs in one closed std::variant. Handlers emit them with
// `ctx.emit(BecomeLeader{...})`; checkers, the narrator, metrics and plots read them by type
// (std::visit, std::get_if), so renaming an event or a field breaks the build instead of
// silently changing a verdict.
//
// Each struct names its kind (the `kind` of its trace.jsonl line) and lists its fields once,
// in `fields(sink)`; sim::Trace derives the hash and the trace line from that (see
// sim/trace.hpp). Optional fields are left out of the line when empty.
//
// The clients live in the same world as the servers, so their events are part of this
// vocabulary too (a world has one event type).
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "sim/trace.hpp"

namespace kafka {

using sim::IdList;

// ------------------------------------------------------------------ broker lifecycle (KRaft)

struct BrokerStart {
    static constexpr std::string_view kind = "broker_start";
    int32_t broker = 0;
    template <class S> void fields(S& s) const { s.field("broker", broker); }
};
struct BrokerControlledShutdown {
    static constexpr std::string_view kind = "broker_controlled_shutdown";
    int32_t broker = 0;
    template <class S> void fields(S& s) const { s.field("broker", broker); }
};
struct ControlledShutdownFailed {
    static constexpr std::string_view kind = "controlled_shutdown_failed";
    int32_t broker = 0;
    int32_t attempts = 0;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("attempts", attempts);
    }
};
struct BrokerRegistered {
    static constexpr std::string_view kind = "broker_registered";
    int32_t broker = 0;
    int64_t broker_epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("broker_epoch", broker_epoch);
    }
};
struct BrokerStopped {
    static constexpr std::string_view kind = "broker_stopped";
    int32_t broker = 0;
    template <class S> void fields(S& s) const { s.field("broker", broker); }
};
// A broker's metadata log reached the leader's high watermark as it was at registration.
struct MetadataCaughtUp {
    static constexpr std::string_view kind = "metadata_caught_up";
    int64_t high_watermark = 0;
    int64_t leader_high_watermark = 0;
    template <class S> void fields(S& s) const {
        s.field("high_watermark", high_watermark);
        s.field("leader_high_watermark", leader_high_watermark);
    }
};

// ------------------------------------------------------------------ partition replicas

struct BecomeLeader {
    static constexpr std::string_view kind = "become_leader";
    std::string topic{};
    int32_t partition = 0;
    int32_t leader_epoch = 0;
    IdList isr{};
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("leader_epoch", leader_epoch);
        s.field("isr", isr);
        s.field("log_end_offset", log_end_offset);
        s.field("high_watermark", high_watermark);
    }
};
struct BecomeFollower {
    static constexpr std::string_view kind = "become_follower";
    std::string topic{};
    int32_t partition = 0;
    int32_t leader_epoch = 0;
    int32_t leader = -1;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("leader_epoch", leader_epoch);
        s.field("leader", leader);
    }
};
// A leader asks the controller to change its ISR (KRaft AlterPartition).
struct AlterPartitionSent {
    static constexpr std::string_view kind = "alter_partition";
    std::string topic{};
    int32_t partition = 0;
    IdList isr{};
    IdList new_isr{};
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("isr", isr);
        s.field("new_isr", new_isr);
        s.field("reason", reason);
    }
};
struct Truncated {
    static constexpr std::string_view kind = "truncate";
    std::string topic{};
    int32_t partition = 0;
    int64_t from = 0;
    int64_t to = 0;
    std::optional<int32_t> diverging_epoch = std::nullopt;  // set when the leader's fetch answer named it (KIP-320)
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("from", from);
        s.field("to", to);
        s.field("diverging_epoch", diverging_epoch);
        s.field("reason", reason);
    }
};
// A follower's OffsetForLeaderEpoch answer (before 2.7) and where it truncates.
struct EpochEndOffset {
    static constexpr std::string_view kind = "epoch_end_offset";
    std::string topic{};
    int32_t partition = 0;
    int32_t asked_epoch = -1;
    int32_t leader_epoch = -1;
    int64_t end_offset = -1;
    int64_t truncate_to = -1;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("asked_epoch", asked_epoch);
        s.field("leader_epoch", leader_epoch);
        s.field("end_offset", end_offset);
        s.field("truncate_to", truncate_to);
    }
};
// Kafka 0.10's "Offset mismatch": a fetched batch straddles this log's end; the partition is stuck.
struct FetchOffsetMismatch {
    static constexpr std::string_view kind = "fetch_offset_mismatch";
    std::string topic{};
    int32_t partition = 0;
    int64_t log_end_offset = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("log_end_offset", log_end_offset);
    }
};
// Retention deleted whole segments of one replica's log (UnifiedLog.deleteOldSegments, run by
// LogManager every log.retention.check.interval.ms); the log start offset moved to the first
// segment left. Records at offsets [from, to) are gone from this replica.
struct LogSegmentsDeleted {
    static constexpr std::string_view kind = "log_segments_deleted";
    std::string topic{};
    int32_t partition = 0;
    std::string reason{};         // "retention.ms", "retention.bytes", "log start offset"
    int32_t segments = 0;
    int64_t bytes = 0;
    int64_t from = 0;
    int64_t to = 0;
    int64_t log_start_offset = 0;  // after the deletion
    int64_t newest_record_age_ms = 0;  // how old the newest deleted record was
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("reason", reason);
        s.field("segments", segments);
        s.field("bytes", bytes);
        s.field("from", from);
        s.field("to", to);
        s.field("log_start_offset", log_start_offset);
        s.field("newest_record_age_ms", newest_record_age_ms);
    }
};
// A follower's log start offset followed its leader's, from a fetch response
// (ReplicaFetcherThread: UnifiedLog.maybeIncrementLogStartOffset, LeaderOffsetIncremented).
// The replica's log directory was removed: StopReplica(delete) or a RemoveTopicRecord (the
// topic was deleted, or the replica reassigned away), or a stray log of a deleted topic found
// when a topic of the same name came back (KIP-516's partition.metadata topic id differs).
struct ReplicaDeleted {
    static constexpr std::string_view kind = "replica_deleted";
    std::string topic{};
    int32_t partition = 0;
    int64_t log_end_offset = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("log_end_offset", log_end_offset);
        s.field("reason", reason);
    }
};
struct LogStartOffsetIncremented {
    static constexpr std::string_view kind = "log_start_offset";
    std::string topic{};
    int32_t partition = 0;
    int64_t from = 0;
    int64_t to = 0;
    int32_t leader = -1;
    // Empty: a follower took its leader's; "DeleteRecords": the leader raised its own (KIP-107).
    std::optional<std::string> reason{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("from", from);
        s.field("to", to);
        s.field("leader", leader);
        s.field("reason", reason);
    }
};
// A partition leader appended the end-transaction marker a WriteTxnMarkers request asked for
// (or refused it: `error` INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED,
// NOT_ENOUGH_REPLICAS). Only transactional runs have them. The last stable offset and high
// watermark are the leader's right after the append.
struct TxnMarkerWritten {
    static constexpr std::string_view kind = "txn_marker";
    std::string topic{};
    int32_t partition = 0;
    int64_t producer_id = -1;
    int32_t producer_epoch = -1;
    int32_t coordinator_epoch = -1;
    std::string result{};  // COMMIT or ABORT
    int64_t offset = -1;   // where the marker went; -1 when refused
    int64_t last_stable_offset = -1;
    int64_t high_watermark = -1;
    std::optional<std::string> error = std::nullopt;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("producer_id", producer_id);
        s.field("producer_epoch", producer_epoch);
        s.field("coordinator_epoch", coordinator_epoch);
        s.field("result", result);
        s.field("offset", offset);
        s.field("last_stable_offset", last_stable_offset);
        s.field("high_watermark", high_watermark);
        s.field("error", error);
    }
};
struct CreateOffsetsTopic {
    static constexpr std::string_view kind = "create_offsets_topic";
    int32_t partitions = 0;
    int32_t replication_factor = 0;
    template <class S> void fields(S& s) const {
        s.field("partitions", partitions);
        s.field("replication_factor", replication_factor);
    }
};

// ------------------------------------------------------------------ KRaft controllers

struct ControllerStart {
    static constexpr std::string_view kind = "controller_start";
    int32_t controller = 0;
    template <class S> void fields(S& s) const { s.field("controller", controller); }
};
struct ControllerActive {
    static constexpr std::string_view kind = "controller_active";
    int32_t epoch = -1;
    template <class S> void fields(S& s) const { s.field("epoch", epoch); }
};
struct ControllerInactive {
    static constexpr std::string_view kind = "controller_inactive";
    int32_t epoch = -1;
    template <class S> void fields(S& s) const { s.field("epoch", epoch); }
};
struct BrokerFenced {
    static constexpr std::string_view kind = "broker_fenced";
    int32_t broker = 0;
    int64_t since_heartbeat_ms = -1;  // -1: never heard from
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("since_heartbeat_ms", since_heartbeat_ms);
        s.field("reason", reason);
    }
};
// The active controller refused a BrokerRegistrationRequest (ClusterControlManager.registerBroker):
// DUPLICATE_BROKER_REGISTRATION while the registered incarnation's session is still valid.
struct BrokerRegistrationRejected {
    static constexpr std::string_view kind = "broker_registration_rejected";
    int32_t broker = 0;
    std::string error{};              // Kafka's error name
    int64_t since_heartbeat_ms = -1;  // since the registered incarnation was last heard from
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("error", error);
        s.field("since_heartbeat_ms", since_heartbeat_ms);
    }
};
struct BrokerUnfenced {
    static constexpr std::string_view kind = "broker_unfenced";
    int32_t broker = 0;
    template <class S> void fields(S& s) const { s.field("broker", broker); }
};
// The active controller decided a PartitionChangeRecord.
struct PartitionChange {
    static constexpr std::string_view kind = "partition_change";
    std::string topic{};
    int32_t partition = 0;
    int32_t leader_from = -1;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    IdList isr_from{};
    IdList isr{};
    bool unclean = false;
    std::string reason{};
    // KIP-966: only when the record changes them, so runs without ELR read as before.
    std::optional<IdList> elr = std::nullopt;
    std::optional<IdList> last_known_elr = std::nullopt;
    // KIP-455: only when the record changes the replica set (a reassignment starts, is
    // replaced, completes or is cancelled).
    std::optional<IdList> replicas = std::nullopt;
    std::optional<IdList> adding = std::nullopt;
    std::optional<IdList> removing = std::nullopt;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("leader_from", leader_from);
        s.field("leader", leader);
        s.field("leader_epoch", leader_epoch);
        s.field("isr_from", isr_from);
        s.field("isr", isr);
        s.field("unclean", unclean);
        s.field("reason", reason);
        s.field("elr", elr);
        s.field("last_known_elr", last_known_elr);
        s.field("replicas", replicas);
        s.field("adding", adding);
        s.field("removing", removing);
    }
};
// The active KRaft controller changed a topic for an Admin API request: deleted it
// (RemoveTopicRecord), set or removed a config override (ConfigRecord), added partitions
// (PartitionRecords of CreatePartitions).
struct TopicAdminChange {
    static constexpr std::string_view kind = "topic_admin_change";
    std::string topic{};
    std::string change{};  // "deleted", "config set", "config deleted", "partition added"
    std::string detail{};  // "3 partitions", "retention.ms=60000", "partition 3 replicas [1,2] leader 1"
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("change", change);
        s.field("detail", detail);
    }
};

// ------------------------------------------------------------------ the KRaft metadata quorum

struct RaftStateChanged {
    static constexpr std::string_view kind = "raft_state";
    int32_t epoch = 0;
    std::string state{};  // "leader", "follower", "candidate", "resigned", ... (RaftState names)
    int32_t leader = -1;
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("state", state);
        s.field("leader", leader);
    }
};
struct RaftLeader {
    static constexpr std::string_view kind = "raft_leader";
    int32_t epoch = 0;
    int32_t leader = -1;
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("leader", leader);
    }
};
struct RaftResign {
    static constexpr std::string_view kind = "raft_resign";
    int32_t epoch = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("reason", reason);
    }
};
struct RaftVote {
    static constexpr std::string_view kind = "raft_vote";
    int32_t epoch = 0;
    int32_t candidate = -1;
    bool granted = false;
    std::optional<bool> pre_vote = std::nullopt;  // KIP-996: only on pre-votes, so other runs read as before
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("candidate", candidate);
        s.field("granted", granted);
        s.field("pre_vote", pre_vote);
    }
};
struct RaftHighWatermark {
    static constexpr std::string_view kind = "raft_hw";
    int32_t epoch = 0;
    int64_t hw = 0;
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("hw", hw);
    }
};
struct RaftTruncate {
    static constexpr std::string_view kind = "raft_truncate";
    int64_t from = 0;
    int64_t to = 0;
    template <class S> void fields(S& s) const {
        s.field("from", from);
        s.field("to", to);
    }
};

// ------------------------------------------------------------------ ZooKeeper mode: brokers

struct StaleControllerEpoch {
    static constexpr std::string_view kind = "stale_controller_epoch";
    std::string request{};
    int32_t controller_epoch = 0;
    int32_t latest = 0;
    template <class S> void fields(S& s) const {
        s.field("request", request);
        s.field("controller_epoch", controller_epoch);
        s.field("latest", latest);
    }
};
// A ZooKeeper-mode leader writes a new ISR to the partition's state znode (conditional on zkVersion).
struct IsrUpdate {
    static constexpr std::string_view kind = "isr_update";
    std::string topic{};
    int32_t partition = 0;
    IdList isr{};
    IdList new_isr{};
    int32_t zk_version = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("isr", isr);
        s.field("new_isr", new_isr);
        s.field("zk_version", zk_version);
        s.field("reason", reason);
    }
};
struct IsrUpdateFailed {
    static constexpr std::string_view kind = "isr_update_failed";
    std::string topic{};
    int32_t partition = 0;
    std::string error{};  // ZooKeeper's code name
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("error", error);
    }
};
struct IsrUpdated {
    static constexpr std::string_view kind = "isr_updated";
    std::string topic{};
    int32_t partition = 0;
    IdList isr{};
    int32_t zk_version = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("isr", isr);
        s.field("zk_version", zk_version);
    }
};
struct ControlledShutdownRequested {
    static constexpr std::string_view kind = "controlled_shutdown_request";
    int32_t broker = 0;
    int32_t attempt = 0;
    int32_t controller = -1;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("attempt", attempt);
        s.field("controller", controller);
    }
};
struct ControlledShutdownIncomplete {
    static constexpr std::string_view kind = "controlled_shutdown_incomplete";
    int32_t broker = 0;
    int64_t remaining = 0;
    int64_t error = 0;  // the Error code
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("remaining", remaining);
        s.field("error", error);
    }
};

// ------------------------------------------------------------------ ZooKeeper mode: controller

struct ZkBrokerChange {
    static constexpr std::string_view kind = "zk_broker_change";
    IdList live{}, dead{}, started{};
    template <class S> void fields(S& s) const {
        s.field("live", live);
        s.field("dead", dead);
        s.field("new", started);
    }
};
struct ZkBrokerRegistered {
    static constexpr std::string_view kind = "zk_broker_registered";
    int32_t broker = 0;
    int64_t broker_epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("broker_epoch", broker_epoch);
    }
};
struct ZkBrokerRegistrationConflict {
    static constexpr std::string_view kind = "zk_broker_registration_conflict";
    int32_t broker = 0;
    int64_t owner = 0;  // the session that still owns /brokers/ids/<id>
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("owner", owner);
    }
};
struct ZkControllerElected {
    static constexpr std::string_view kind = "zk_controller_elected";
    int32_t broker = 0;
    int32_t epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("epoch", epoch);
    }
};
struct ZkControllerResigned {
    static constexpr std::string_view kind = "zk_controller_resigned";
    int32_t broker = 0;
    int32_t epoch = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("epoch", epoch);
        s.field("reason", reason);
    }
};
struct ZkControllerWriteFenced {
    static constexpr std::string_view kind = "zk_controller_write_fenced";
    int32_t broker = 0;
    int32_t epoch = 0;
    std::string path{};
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("epoch", epoch);
        s.field("path", path);
    }
};
// A controller's write took effect in ZooKeeper (`fenced`: it was conditional on the epoch znode).
struct ZkControllerWrite {
    static constexpr std::string_view kind = "zk_controller_write";
    int32_t broker = 0;
    int32_t epoch = 0;
    std::string path{};
    bool fenced = false;
    template <class S> void fields(S& s) const {
        s.field("broker", broker);
        s.field("epoch", epoch);
        s.field("path", path);
        s.field("fenced", fenced);
    }
};
struct ZkStateChangeAborted {
    static constexpr std::string_view kind = "zk_state_change_aborted";
    std::string topic{};
    int32_t partition = 0;
    int32_t epoch = 0;
    int32_t written_by_epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("epoch", epoch);
        s.field("written_by_epoch", written_by_epoch);
    }
};
struct ZkPartitionState {
    static constexpr std::string_view kind = "zk_partition_state";
    std::string topic{};
    int32_t partition = 0;
    int32_t leader = -1;
    int32_t leader_epoch = 0;
    IdList isr{};
    std::string reason{};
    // Only on an unclean election (a leader from outside the ISR), so other runs read as before.
    std::optional<bool> unclean = std::nullopt;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("leader", leader);
        s.field("leader_epoch", leader_epoch);
        s.field("isr", isr);
        s.field("reason", reason);
        s.field("unclean", unclean);
    }
};
struct ZkNewPartitionOffline {
    static constexpr std::string_view kind = "zk_new_partition_offline";
    std::string topic{};
    int32_t partition = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
    }
};

// ------------------------------------------------------------------ the ZooKeeper ensemble

struct ZkLooking {
    static constexpr std::string_view kind = "zk_looking";
    int64_t epoch = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("reason", reason);
    }
};
struct ZkLeading {
    static constexpr std::string_view kind = "zk_leading";
    int64_t epoch = 0;
    int64_t zxid = 0;
    IdList followers{};
    template <class S> void fields(S& s) const {
        s.field("epoch", epoch);
        s.field("zxid", zxid);
        s.field("followers", followers);
    }
};
struct ZkFollowing {
    static constexpr std::string_view kind = "zk_following";
    int32_t leader = -1;
    int64_t epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("leader", leader);
        s.field("epoch", epoch);
    }
};
struct ZkSessionCreated {
    static constexpr std::string_view kind = "zk_session_created";
    std::string session{};  // "0x1000001a2b0001"
    std::string client{};   // "broker 2"
    template <class S> void fields(S& s) const {
        s.field("session", session);
        s.field("client", client);
    }
};
struct ZkSessionExpired {
    static constexpr std::string_view kind = "zk_session_expired";
    std::string session{};
    std::string client{};
    std::string ephemerals{};  // the ephemeral znodes it deleted, comma separated
    template <class S> void fields(S& s) const {
        s.field("session", session);
        s.field("client", client);
        s.field("ephemerals", ephemerals);
    }
};
struct ZkSessionClosed {
    static constexpr std::string_view kind = "zk_session_closed";
    std::string session{};
    std::string client{};
    template <class S> void fields(S& s) const {
        s.field("session", session);
        s.field("client", client);
    }
};
// ZooKeeper's client side (a broker's ZooKeeperClient).
struct ZkClientConnected {
    static constexpr std::string_view kind = "zk_client_connected";
    int32_t server = 0;
    std::string session{};
    bool new_session = false;
    template <class S> void fields(S& s) const {
        s.field("server", server);
        s.field("session", session);
        s.field("new_session", new_session);
    }
};
struct ZkClientDisconnected {
    static constexpr std::string_view kind = "zk_client_disconnected";
    int32_t server = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("server", server);
        s.field("reason", reason);
    }
};
struct ZkClientSessionExpired {
    static constexpr std::string_view kind = "zk_client_session_expired";
    std::string session{};
    template <class S> void fields(S& s) const { s.field("session", session); }
};

// ------------------------------------------------------------------ group coordinator

struct GroupStateChanged {
    static constexpr std::string_view kind = "group_state";
    std::string group{};
    std::string state{};  // Kafka's name: "Empty", "PreparingRebalance", ...
    int32_t generation = 0;
    int64_t members = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("state", state);
        s.field("generation", generation);
        s.field("members", members);
        s.field("reason", reason);
    }
};
struct GroupMemberRemoved {
    static constexpr std::string_view kind = "group_member_removed";
    std::string group{};
    std::string member{};
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("member", member);
        s.field("reason", reason);
    }
};
struct CoordinatorLoaded {
    static constexpr std::string_view kind = "coordinator_loaded";
    int32_t partition = 0;
    int64_t groups = 0;
    template <class S> void fields(S& s) const {
        s.field("partition", partition);
        s.field("groups", groups);
    }
};
struct CoordinatorUnloaded {
    static constexpr std::string_view kind = "coordinator_unloaded";
    int32_t partition = 0;
    template <class S> void fields(S& s) const { s.field("partition", partition); }
};
// A transaction's marker reached a group's __consumer_offsets partition: its pending
// TxnOffsetCommit offsets were committed (`applied` of them newer than the group's own) or dropped.
struct TxnOffsetsCompleted {
    static constexpr std::string_view kind = "txn_offsets_completed";
    std::string group;
    int64_t producer_id = -1;
    bool committed = false;
    int64_t partitions = 0;
    int64_t applied = 0;
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("producer_id", producer_id);
        s.field("committed", committed);
        s.field("partitions", partitions);
        s.field("applied", applied);
    }
};

// ------------------------------------------------------------------ clients

struct TopicCreated {
    static constexpr std::string_view kind = "topic_created";
    std::string topic{};
    int64_t topic_id = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("topic_id", topic_id);
    }
};
// An Admin API operation finished (admin client): what was asked, of what, and Kafka's answer
// (error "NONE" on success, else its name and message). One event per resource answered.
struct AdminResult {
    static constexpr std::string_view kind = "admin_result";
    std::string operation{};  // create-topic, delete-topic, add-partitions, alter-config, reassign, elect-leaders, delete-records
    std::string resource{};   // topic, topic-partition or broker
    std::string error{};
    std::string message{};
    template <class S> void fields(S& s) const {
        s.field("operation", operation);
        s.field("resource", resource);
        s.field("error", error);
        s.field("message", message);
    }
};
// The idempotent producer took the next epoch (TransactionManager.bumpIdempotentProducerEpoch),
// or a new producer id when the epoch was exhausted; sequences restart at 0.
struct ProducerEpochBump {
    static constexpr std::string_view kind = "producer_epoch_bump";
    std::string topic{};
    int64_t producer_id = 0;
    int64_t producer_epoch = 0;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("producer_id", producer_id);
        s.field("producer_epoch", producer_epoch);
    }
};
// A transactional producer's application step: "initialized" (InitProducerId answered), "begin",
// "committed", "aborted" (commitTransaction()/abortTransaction() returned), "fatal" (the producer
// must be closed: fenced, INVALID_TXN_STATE, ...).
struct ProducerTransaction {
    static constexpr std::string_view kind = "producer_txn";
    std::string transactional_id{};
    int64_t txn = 0;
    std::string action{};
    int64_t producer_id = -1;
    int64_t producer_epoch = -1;
    std::string error{};        // Kafka's error name behind an abort or a fatal error ("NONE")
    std::string detail{};       // fatal: the state it was in
    template <class S> void fields(S& s) const {
        s.field("transactional_id", transactional_id);
        s.field("txn", txn);
        s.field("action", action);
        s.field("producer_id", producer_id);
        s.field("producer_epoch", producer_epoch);
        s.field("error", error);
        s.field("detail", detail);
    }
};
// A Kafka Streams instance's step (clients/streams/): a task's life ("restoring" from a changelog
// offset, "running", "closed" clean, "closed dirty" and wiped), and the thread's ("committed",
// "aborted", "migrated" when its producer was fenced or its commit refused, "corrupted").
struct StreamsTask {
    static constexpr std::string_view kind = "streams_task";
    std::string task{};         // "0_3" (sub-topology 0, partition 3); "" for the thread
    std::string action{};
    int64_t offset = -1;        // restoring: where the restore starts; running: where it ended
    int64_t end_offset = -1;    // restoring: the changelog end it reads to (-1 before a fetch)
    std::string detail{};       // why (an error name, "revoked", "lost", ...)
    template <class S> void fields(S& s) const {
        s.field("task", task);
        s.field("action", action);
        s.field("offset", offset);
        s.field("end_offset", end_offset);
        s.field("detail", detail);
    }
};
// ------------------------------------------------------------------ Kafka Connect (connect/)

// A Connect worker took its assignment from the leader worker's SyncGroup (the connectors and
// tasks to start and, under incremental cooperative rebalancing, to stop; a scheduled delay).
struct ConnectAssignment {
    static constexpr std::string_view kind = "connect_assignment";
    int32_t generation = -1;
    std::string protocol{};      // default (eager), compatible, sessioned
    std::string leader{};        // the leader worker's id
    std::string connectors{};    // "a,b"
    std::string tasks{};         // "a-0,a-1"
    std::string revoked{};       // connectors and tasks to stop: "a,b-1"
    int64_t delay_ms = 0;
    std::string error{};         // CONFIG_MISMATCH
    template <class S> void fields(S& s) const {
        s.field("generation", generation);
        s.field("protocol", protocol);
        s.field("leader", leader);
        s.field("connectors", connectors);
        s.field("tasks", tasks);
        s.field("revoked", revoked);
        s.field("delay_ms", delay_ms);
        s.field("error", error);
    }
};
// A connector or task changed state on this worker (what it writes to the status topic, and
// the transitions it writes nothing for): RUNNING, PAUSED, FAILED, UNASSIGNED, STOPPED, ...
struct ConnectStatus {
    static constexpr std::string_view kind = "connect_status";
    std::string connector{};
    int32_t task = -1;           // -1: the connector itself
    std::string state{};
    std::string worker{};        // worker id "connect-1:8083"
    int32_t generation = -1;
    std::string detail{};        // why: "revoked", "assigned", the error
    template <class S> void fields(S& s) const {
        s.field("connector", connector);
        s.field("task", task);
        s.field("state", state);
        s.field("worker", worker);
        s.field("generation", generation);
        s.field("detail", detail);
    }
};
// A source task's offsets were written (offset flush), or a sink task's consumer offsets
// committed: what survives a crash of the task from now on.
struct ConnectOffsetCommit {
    static constexpr std::string_view kind = "connect_offset_commit";
    std::string connector{};
    int32_t task = 0;
    std::string offsets{};       // source: "test.txt=120"; sink: "orders-0=57,orders-1=60"
    template <class S> void fields(S& s) const {
        s.field("connector", connector);
        s.field("task", task);
        s.field("offsets", offsets);
    }
};
// A source task's poll() returned rows of its external source, or a sink task's put() took
// records (put_failed: the external system refused them, and they will be delivered again).
struct ConnectTaskIo {
    static constexpr std::string_view kind = "connect_task_io";
    std::string connector{};
    int32_t task = 0;
    std::string action{};        // poll, put, put_failed
    std::string system{};        // the file or table
    int64_t first = 0;           // poll: the first row; put: the first record's offset
    int64_t count = 0;
    template <class S> void fields(S& s) const {
        s.field("connector", connector);
        s.field("task", task);
        s.field("action", action);
        s.field("system", system);
        s.field("first", first);
        s.field("count", count);
    }
};
// A worker answered a REST request (or forwarded it to the leader).
struct ConnectRest {
    static constexpr std::string_view kind = "connect_rest";
    std::string method{};
    std::string path{};
    int32_t status = 0;          // 0: forwarded
    std::string body{};
    template <class S> void fields(S& s) const {
        s.field("method", method);
        s.field("path", path);
        s.field("status", status);
        s.field("body", body);
    }
};

struct ProducerMetadata {
    static constexpr std::string_view kind = "producer_metadata";
    std::string topic{};
    IdList leaders{};  // per partition
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("leaders", leaders);
    }
};
struct ConsumerMetadata {
    static constexpr std::string_view kind = "consumer_metadata";
    std::string topic{};
    IdList leaders{};
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("leaders", leaders);
    }
};
// The consumer's position was out of range (OFFSET_OUT_OF_RANGE) and auto.offset.reset moves it
// (Fetcher/FetchCollector: SubscriptionState.requestOffsetReset). The log start offset and high
// watermark are the broker's answer to that fetch: a position below the log start means
// retention deleted records this consumer had not read.
struct ConsumerOffsetReset {
    static constexpr std::string_view kind = "consumer_offset_reset";
    std::string topic{};
    int32_t partition = 0;
    int64_t offset = 0;
    std::string reset{};  // auto.offset.reset
    std::optional<int64_t> log_start_offset = std::nullopt;
    std::optional<int64_t> high_watermark = std::nullopt;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("offset", offset);
        s.field("reset", reset);
        s.field("log_start_offset", log_start_offset);
        s.field("high_watermark", high_watermark);
    }
};
struct ConsumerNoOffset {
    static constexpr std::string_view kind = "consumer_no_offset";
    std::string topic{};
    int32_t partition = 0;
    int64_t offset = 0;
    std::string error{};  // "OFFSET_OUT_OF_RANGE" or "NO_OFFSET_FOR_PARTITION"
    std::optional<int64_t> log_start_offset = std::nullopt;  // OFFSET_OUT_OF_RANGE: the broker's answer
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("offset", offset);
        s.field("error", error);
        s.field("log_start_offset", log_start_offset);
    }
};
struct ConsumerCoordinatorFound {
    static constexpr std::string_view kind = "consumer_coordinator";
    std::string group{};
    int32_t coordinator = -1;
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("coordinator", coordinator);
    }
};
struct ConsumerCoordinatorLost {
    static constexpr std::string_view kind = "consumer_coordinator_lost";
    std::string group{};
    int32_t coordinator = -1;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("coordinator", coordinator);
        s.field("reason", reason);
    }
};
struct ConsumerRejoin {
    static constexpr std::string_view kind = "consumer_rejoin";
    std::string group{};
    int32_t generation = -1;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("generation", generation);
        s.field("reason", reason);
    }
};
struct ConsumerMembershipLost {
    static constexpr std::string_view kind = "consumer_membership_lost";
    std::string group{};
    int32_t generation = -1;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("generation", generation);
        s.field("reason", reason);
    }
};
struct ConsumerLeaveGroup {
    static constexpr std::string_view kind = "consumer_leave_group";
    std::string group{};
    std::string member{};
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("member", member);
        s.field("reason", reason);
    }
};
struct ConsumerGroupLeader {
    static constexpr std::string_view kind = "consumer_group_leader";
    std::string group{};
    int32_t generation = -1;
    std::string protocol{};
    int64_t members = 0;
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("generation", generation);
        s.field("protocol", protocol);
        s.field("members", members);
    }
};
struct ConsumerAssignment {
    static constexpr std::string_view kind = "consumer_assignment";
    std::string group{};
    int32_t generation = -1;
    int64_t partitions = 0;
    int64_t revoked = 0;
    template <class S> void fields(S& s) const {
        s.field("group", group);
        s.field("generation", generation);
        s.field("partitions", partitions);
        s.field("revoked", revoked);
    }
};

// ------------------------------------------------------------------ transaction coordinator

struct TransactionStateChanged {
    static constexpr std::string_view kind = "txn_state";
    std::string transactional_id{};
    int64_t producer_id = -1;
    int64_t producer_epoch = -1;
    std::string state{};  // Kafka's name: "Empty", "Ongoing", "PrepareCommit", ...
    int64_t partitions = 0;
    std::string reason{};
    template <class S> void fields(S& s) const {
        s.field("transactional_id", transactional_id);
        s.field("producer_id", producer_id);
        s.field("producer_epoch", producer_epoch);
        s.field("state", state);
        s.field("partitions", partitions);
        s.field("reason", reason);
    }
};

// KIP-890: a partition leader heard back from the transaction coordinator about the first
// transactional batch of a producer (verify_only, or with transaction.version 2 an implicit add).
// `answer` is the coordinator's (NONE, TRANSACTION_ABORTABLE, PRODUCER_FENCED, ...), `error` what
// the producer is then told for that partition (absent: the batch goes on to the append).
struct TxnPartitionVerified {
    static constexpr std::string_view kind = "txn_verify";
    std::string topic{};
    int32_t partition = 0;
    std::string transactional_id{};
    int64_t producer_id = -1;
    int32_t producer_epoch = -1;
    bool add = false;  // transaction.version 2: the partition was added, not just checked
    std::string answer{};
    std::optional<std::string> error = std::nullopt;
    template <class S> void fields(S& s) const {
        s.field("topic", topic);
        s.field("partition", partition);
        s.field("transactional_id", transactional_id);
        s.field("producer_id", producer_id);
        s.field("producer_epoch", producer_epoch);
        s.field("add", add);
        s.field("answer", answer);
        s.field("error", error);
    }
};

// ------------------------------------------------------------------ the vocabulary

using Event = std::variant<
    // brokers
    BrokerStart, BrokerControlledShutdown, ControlledShutdownFailed, BrokerRegistered, BrokerStopped,
    MetadataCaughtUp, BecomeLeader, BecomeFollower, AlterPartitionSent, Truncated, EpochEndOffset,
    FetchOffsetMismatch, LogSegmentsDeleted, LogStartOffsetIncremented, ReplicaDeleted, CreateOffsetsTopic, TxnMarkerWritten,
    // KRaft controllers and quorum
    ControllerStart, ControllerActive, ControllerInactive, BrokerFenced, BrokerRegistrationRejected, BrokerUnfenced,
    PartitionChange, TopicAdminChange,
    RaftStateChanged, RaftLeader, RaftResign, RaftVote, RaftHighWatermark, RaftTruncate,
    // ZooKeeper mode
    StaleControllerEpoch, IsrUpdate, IsrUpdateFailed, IsrUpdated, ControlledShutdownRequested,
    ControlledShutdownIncomplete, ZkBrokerChange, ZkBrokerRegistered, ZkBrokerRegistrationConflict,
    ZkControllerElected, ZkControllerResigned, ZkControllerWriteFenced, ZkControllerWrite, ZkStateChangeAborted,
    ZkPartitionState, ZkNewPartitionOffline, ZkLooking, ZkLeading, ZkFollowing, ZkSessionCreated, ZkSessionExpired,
    ZkSessionClosed, ZkClientConnected, ZkClientDisconnected, ZkClientSessionExpired,
    // group coordinator
    GroupStateChanged, GroupMemberRemoved, CoordinatorLoaded, CoordinatorUnloaded, TxnOffsetsCompleted,
    // transaction coordinator
    TransactionStateChanged, TxnPartitionVerified,
    // clients
    TopicCreated, AdminResult, ProducerEpochBump, ProducerTransaction, StreamsTask, ProducerMetadata, ConsumerMetadata, ConsumerOffsetReset, ConsumerNoOffset,
    ConsumerCoordinatorFound, ConsumerCoordinatorLost, ConsumerRejoin, ConsumerMembershipLost, ConsumerLeaveGroup,
    ConsumerGroupLeader, ConsumerAssignment,
    // Kafka Connect
    ConnectAssignment, ConnectStatus, ConnectOffsetCommit, ConnectTaskIo, ConnectRest>;

// The one description of an event (sim/trace.hpp): its kind, then its fields in order.
template <class Sink>
void describe(const Event& ev, Sink& sink) {
    std::visit(
        [&sink](const auto& e) {
            sink.kind(e.kind);
            e.fields(sink);
        },
        ev);
}

// "kind key=value ...", every field: for logs, tests and what narration leaves out.
class EventTextSink {
public:
    std::string out{};
    void kind(std::string_view k) { out += k; }
    void field(const char* key, int64_t v) { add(key, std::to_string(v)); }
    void field(const char* key, int32_t v) { field(key, int64_t{v}); }
    void field(const char* key, bool v) { field(key, int64_t{v ? 1 : 0}); }
    void field(const char* key, std::string_view v) { add(key, v); }
    void field(const char* key, const std::string& v) { add(key, v); }
    void field(const char* key, const char* v) { add(key, v); }
    void field(const char* key, const IdList& v) { add(key, sim::format_id_list(v)); }
    template <class T>
    void field(const char* key, const std::optional<T>& v) {
        if (v) field(key, *v);
    }

private:
    void add(const char* key, std::string_view value) {
        out += ' ';
        out += key;
        out += '=';
        out += value;
    }
};
template <class E>
std::string event_text(const E& e) {
    EventTextSink sink;
    sink.kind(E::kind);
    e.fields(sink);
    return std::move(sink.out);
}
inline std::string event_text(const Event& ev) {
    EventTextSink sink;
    describe(ev, sink);
    return std::move(sink.out);
}

inline std::string_view kind_of(const Event& ev) {
    return std::visit([](const auto& e) { return std::string_view(e.kind); }, ev);
}

using Trace = sim::Trace<Event>;
using TraceEntry = sim::TraceEntry<Event>;

// A partition leader elected from outside the ISR, in either metadata mode: KRaft's
// PartitionChangeRecord or the ZooKeeper controller's partition state znode.
struct UncleanElection {
    std::string_view topic;
    int32_t partition = 0;
    int32_t leader = -1;
    int32_t leader_epoch = -1;
};
inline std::optional<UncleanElection> unclean_election(const Event& ev) {
    if (const auto* c = std::get_if<PartitionChange>(&ev); c != nullptr && c->unclean)
        return UncleanElection{c->topic, c->partition, c->leader, c->leader_epoch};
    if (const auto* z = std::get_if<ZkPartitionState>(&ev); z != nullptr && z->unclean.value_or(false))
        return UncleanElection{z->topic, z->partition, z->leader, z->leader_epoch};
    return std::nullopt;
}

}  // namespace kafka
