// The ZooKeeper-mode controller (Kafka's KafkaController with its ControllerContext,
// partition and replica state machines, and ControllerChannelManager). Every broker runs one;
// the broker that creates the ephemeral /controller is the active one. Like Kafka's, it is a
// single event queue: events (a watch fired, a request arrived, the session expired) are
// processed one at a time, each to its end, including the ZooKeeper round trips it makes.
//
// What it does, in Kafka's words:
// - Registration: the broker's ephemeral /brokers/ids/<id>; its czxid is the broker epoch
//   (KIP-380). After a session expiry: re-register, then re-elect (RegisterBrokerAndReelect).
// - Election: every broker watches /controller; when it is gone each tries a multi of
//   create(/controller, ephemeral) + setData(/controller_epoch, epoch + 1, its zkVersion).
//   One wins; NODEEXISTS or BADVERSION means another did.
// - Failover (onControllerFailover): watch /brokers/ids, /brokers/topics and
//   /isr_change_notification; read the brokers, topics, configs and partition states; move
//   partitions off dead brokers; UpdateMetadata to every live broker, LeaderAndIsr to every
//   replica.
// - Broker failure (onBrokerFailure, from the /brokers/ids watch: a session expired): elect
//   new leaders from the live ISR in assignment order (OfflinePartitionLeaderElection;
//   unclean when the topic allows it), drop the dead broker from the other ISRs (the last ISR
//   member stays), leader epoch + 1 on every change; conditional writes on the state znode's
//   zkVersion, re-read and retried on BADVERSION; a state written by a newer controller epoch
//   is left alone. Then LeaderAndIsr to the replicas and UpdateMetadata to all.
// - Broker startup: UpdateMetadata to all, LeaderAndIsr for its replicas, and elections for
//   offline partitions it can now lead.
// - New topics (the /brokers/topics watch): state znodes with the live replicas as ISR and
//   the first live replica as leader.
// - ISR changes written by partition leaders are announced with sequential
//   /isr_change_notification znodes; the controller reads the new states, deletes the
//   notifications, and sends UpdateMetadata.
// - Controlled shutdown: leadership moves to another live ISR member, the broker leaves the
//   ISRs it follows; the answer lists the partitions it still leads.
// - Fencing: since 2.1 (KAFKA-6082) every controller write is a multi with
//   check(/controller_epoch, the zkVersion it won with): a controller that lost its place
//   (a zombie) fails with BADVERSION and resigns. Profiles before 2.1 write without the
//   check, so a zombie's queued writes land on top of its successor's.
// - Requests to brokers go through one queue per broker, one in flight, retried until
//   answered or the broker is gone (ControllerChannelManager).
//
// - Auto leader rebalance (auto.leader.rebalance.enable): 5 s after becoming controller and then
//   every leader.imbalance.check.interval.seconds, each broker whose share of preferred-leader
//   partitions led by someone else exceeds leader.imbalance.per.broker.percentage gets them
//   back, where it is alive and in the ISR (PreferredReplicaPartitionLeaderElectionStrategy).
//
// Admin operations (the admin client sends them to this broker when it is the controller; the
// parts Kafka runs in the receiving broker's ZkAdminManager run here, and the replies that wait
// for the metadata cache watch the host broker's image):
// - DeleteTopics (TopicDeletionManager): /admin/delete_topics/<t>, watched. The topic's
//   partitions go to every broker's metadata with leader -2 (LeaderDuringDelete, they drop
//   them), leader -1 is written, StopReplica(delete=false) then StopReplica(delete=true) go to
//   each live replica; a replica on a dead broker is ineligible and the deletion stalls until
//   that broker registers again. When every replica answered, the znodes go
//   (/brokers/topics/<t> with its partitions, /config/topics/<t>, /admin/delete_topics/<t>).
//   The reply waits until the topic left the host's metadata (DelayedDeleteTopics), 30 s at most.
//   delete.topic.enable=false: TOPIC_DELETION_DISABLED.
// - CreatePartitions (AdminZkClient.addPartitions): the new assignment is written to
//   /brokers/topics/<t>; the controller's data watch on it (PartitionModifications) creates the
//   new partitions. The reply waits for their leaders in the host's metadata (DelayedCreatePartitions).
// - IncrementalAlterConfigs, topics: /config/topics/<t> and a /config/changes/config_change_
//   notification that every broker's config manager (ZkConfigManager) follows; a topic that
//   turns on unclean.leader.election.enable gets its offline partitions elected
//   (TopicUncleanLeaderElectionEnable). Broker resources: INVALID_REQUEST (not modelled).
// - ElectLeaders PREFERRED / UNCLEAN (onReplicaElection), with Kafka's per-partition errors.
//
// Not modelled: partition reassignment (AlterPartitionReassignments and ListPartitionReassignments
// are answered INVALID_REQUEST), dynamic broker configs, AlterIsr to the controller (KIP-497, IBP
// 2.7+: the leaders here always write the ISR to ZooKeeper themselves, as before 2.7).
//
// Trace kinds: zk_broker_registered {broker, broker_epoch}, zk_controller_elected {epoch},
// zk_controller_resigned {epoch, reason}, zk_controller_write {epoch, path, fenced},
// zk_controller_write_fenced {epoch, path}, zk_partition_state {topic, partition, leader,
// leader_epoch, isr, reason}, zk_broker_change {live, dead, new}.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/controller/zk_data.hpp"
#include "broker/world.hpp"
#include "broker/zookeeper/zk_client.hpp"

namespace kafka {

class ZkController {
public:
    static constexpr uint64_t timer_count = 4;  // kinds in its timer space; the value carries a broker id
    static constexpr int64_t controller_socket_timeout_ms = 30000;  // controller.socket.timeout.ms
    // The messages handle_message takes (and always claims).
    template <class T>
    static constexpr bool handles =
        is_one_of<T, ControlledShutdownRequest, CreateTopicsRequest, LeaderAndIsrResponse, UpdateMetadataResponse,
                  StopReplicaResponse, DeleteTopicsRequest, CreatePartitionsRequest, IncrementalAlterConfigsRequest,
                  ElectLeadersRequest, AlterPartitionReassignmentsRequest, ListPartitionReassignmentsRequest>;
    static constexpr int64_t admin_request_timeout_ms = 30000;  // the Admin client's request.timeout.ms default

    // image: the host broker's metadata cache (admin replies wait on it, as ZkAdminManager's do).
    ZkController(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory, ZkClient& zk,
                 const MetadataImage& image, sim::TimerSpace timers);

    // From the host's ZkClient listener and watcher.
    void on_session_event(ZkSessionEvent e, Context& ctx);
    void on_watch(const ZkWatchEvent& e, Context& ctx);
    // ControlledShutdownRequest, CreateTopicsRequest, LeaderAndIsrResponse, UpdateMetadataResponse.
    bool handle_message(sim::NodeId from, Message& msg, Context& ctx);
    bool handle_timer(uint64_t tag, Context& ctx);
    void on_disconnect(sim::NodeId peer, Context& ctx);
    // The host's metadata cache changed: admin replies waiting on it may go.
    void on_metadata_changed(Context& ctx);
    // The host's config manager read new overrides of a topic (TopicConfigHandler).
    void on_topic_config_changed(const std::string& topic, const ConfigMap& configs, Context& ctx);

    // What happened that the host broker acts on. The controller runs inside the session's
    // callbacks (a reply, a watch, the session listener), several levels below the call the
    // host made, so it collects its outcome and the host takes it after each call it routed.
    struct Outcome {
        // The broker's own registration changed: its new epoch (the czxid of /brokers/ids/<id>
        // created in this session), or -1 when the session expired.
        std::optional<int64_t> broker_epoch;
    };
    Outcome take_outcome() { return std::exchange(outcome_, Outcome{}); }
    bool active() const { return active_; }
    int32_t epoch() const { return epoch_; }         // the controller epoch it won with (active only)
    BrokerId known_controller() const { return known_controller_; }

private:
    // ---- the event queue (ControllerEventManager)
    enum class EventKind {
        register_and_elect, reelect, controller_change, expire, broker_change, topic_change, isr_change,
        controlled_shutdown, create_topics, auto_leader_rebalance,
        topic_deletion, stop_replica_answered, partition_modifications, topic_config, admin_request,
    };
    struct Event {
        explicit Event(EventKind k, sim::NodeId f = sim::no_node, Message r = {}) : kind(k), from(f), request(std::move(r)) {}
        EventKind kind;
        sim::NodeId from;
        Message request;
        std::string topic{};     // partition_modifications, topic_config
        BrokerId broker = -1;    // stop_replica_answered
        ConfigMap configs{};     // topic_config
    };
    void enqueue(Event e, Context& ctx);
    void pump(Context& ctx);
    void done(Context& ctx);
    void process(Event& e, Context& ctx);

    // ---- registration and election
    void register_broker(Context& ctx, std::function<void(Context&)> then);
    void elect(Context& ctx);
    void on_controller_failover(Context& ctx);
    void resign(const char* reason, Context& ctx);

    // ---- the controller context, read from ZooKeeper
    struct PartitionInfo {
        std::vector<BrokerId> replicas;
        zkdata::PartitionStateZNode state;
        int32_t zk_version = -1;  // -1: no state znode yet
    };
    struct TopicInfo {
        std::string name;
        TopicId id = 0;
        ConfigMap configs;
        std::vector<PartitionInfo> partitions;
    };
    using PartitionKey = std::pair<std::string, int32_t>;
    void read_brokers(Context& ctx, std::function<void(std::map<BrokerId, int64_t>, Context&)> then);
    void read_topics(const std::vector<std::string>& names, Context& ctx, std::function<void(Context&)> then);
    void read_states(const std::vector<PartitionKey>& keys, Context& ctx, std::function<void(Context&)> then);

    // ---- state changes
    // Re-read each partition's state, apply `decide` (nullopt: no change), write it back
    // conditionally; retried on BADVERSION. `then` gets the partitions that changed.
    using Decide = std::function<std::optional<zkdata::PartitionStateZNode>(const TopicInfo&, const PartitionInfo&)>;
    void change_states(std::vector<PartitionKey> keys, Decide decide, const char* reason, Context& ctx,
                       std::function<void(std::vector<PartitionKey>, Context&)> then, int attempt = 0);
    // force_unclean: ElectLeaders UNCLEAN, whatever the topic's unclean.leader.election.enable.
    std::optional<zkdata::PartitionStateZNode> elect_leader(const TopicInfo& t, const PartitionInfo& p,
                                                            const std::set<BrokerId>& exclude,
                                                            bool force_unclean = false) const;
    void on_brokers_failed(const std::set<BrokerId>& dead, Context& ctx, std::function<void(Context&)> then);
    void on_brokers_started(const std::set<BrokerId>& started, Context& ctx, std::function<void(Context&)> then);
    void create_partitions(const std::vector<std::string>& topics, Context& ctx, std::function<void(Context&)> then);
    void handle_create_topics(sim::NodeId from, const CreateTopicsRequest& req, Context& ctx);
    void handle_controlled_shutdown(sim::NodeId from, const ControlledShutdownRequest& req, Context& ctx);
    void handle_isr_changes(Context& ctx);

    // ---- admin requests
    void handle_admin(sim::NodeId from, Message& request, Context& ctx);
    void handle_delete_topics(sim::NodeId from, const DeleteTopicsRequest& req, Context& ctx);
    void handle_create_partitions(sim::NodeId from, const CreatePartitionsRequest& req, Context& ctx);
    void handle_alter_configs(sim::NodeId from, const IncrementalAlterConfigsRequest& req, Context& ctx);
    void handle_elect_leaders(sim::NodeId from, const ElectLeadersRequest& req, Context& ctx);
    void on_partition_modifications(const std::string& topic, Context& ctx);
    void on_topic_config(const std::string& topic, const ConfigMap& configs, Context& ctx);
    // A reply that waits until `satisfied` holds on the host's metadata, or the admin timeout
    // (the topic purgatory's DelayedDeleteTopics / DelayedCreatePartitions).
    void await_metadata(std::function<bool()> satisfied, std::function<void(Context&)> reply, Context& ctx);

    // ---- topic deletion (TopicDeletionManager)
    bool queued_for_deletion(const std::string& t) const { return to_delete_.count(t) != 0; }
    void on_topic_deletion_event(Context& ctx);
    void resume_deletions(Context& ctx, std::function<void(Context&)> then);
    void start_topic_deletion(const std::vector<std::string>& topics, Context& ctx, std::function<void(Context&)> then);
    void complete_delete_topic(const std::string& topic, Context& ctx, std::function<void(Context&)> then);
    void on_stop_replica_answered(BrokerId b, const StopReplicaResponse& resp, Context& ctx);
    const TopicInfo* topic_by_id(TopicId id) const;
    // KafkaController.checkAndTriggerAutoLeaderRebalance.
    void check_leader_imbalance(Context& ctx);
    // A controller write: a multi with check(/controller_epoch) first when fencing is on.
    void write(std::vector<ZkOp> ops, Context& ctx, std::function<void(ZkCode, const ZkResult&, Context&)> then);

    // ---- requests to brokers (ControllerChannelManager)
    LeaderAndIsrPartitionState partition_state(const TopicInfo& t, int32_t p) const;
    ZkTopicInfo topic_info(const TopicInfo& t) const;
    void send_leader_and_isr(const std::vector<PartitionKey>& keys, Context& ctx, const std::set<BrokerId>* only = nullptr);
    void send_update_metadata(const std::set<BrokerId>& to, const std::vector<PartitionKey>& keys, Context& ctx);
    // Changed partition states: LeaderAndIsr to their replicas, UpdateMetadata to every live broker.
    void announce(const std::vector<PartitionKey>& changed, Context& ctx);
    std::vector<PartitionKey> all_partitions() const;
    void channel_send(BrokerId to, Message request, Context& ctx);
    void channel_pump(BrokerId to, Context& ctx);
    // response: the answer itself, for the answers the controller acts on (StopReplica).
    void channel_answered(sim::NodeId from, int32_t correlation_id, Context& ctx, Message* response = nullptr);

    TopicInfo* topic(const std::string& name);
    bool is_live(BrokerId b) const { return live_.count(b) != 0; }
    uint64_t tag(uint64_t kind, uint64_t id = 0) const { return timer_space_.tag(kind, id); }

    BrokerId id_;
    const BrokerConfig& config_;
    const ClusterDirectory& directory_;
    ZkClient& zk_;
    const MetadataImage& image_;
    sim::TimerSpace timer_space_;

    std::deque<Event> queue_;
    bool busy_ = false;
    bool registered_once_ = false;

    int64_t broker_epoch_ = -1;
    Outcome outcome_;
    BrokerId known_controller_ = -1;
    bool active_ = false;
    int32_t epoch_ = 0;
    int32_t epoch_zk_version_ = -1;

    sim::TimerId rebalance_timer_;      // the next auto leader rebalance check
    std::map<BrokerId, int64_t> live_;   // broker id -> broker epoch (czxid of its registration)
    std::set<BrokerId> shutting_down_;
    std::map<std::string, TopicInfo> topics_;
    TopicId max_topic_id_ = 0;

    struct Channel {
        std::deque<Message> queue;
        int32_t in_flight = 0;  // correlation id, 0 = none
        sim::TimerId timer;
    };
    std::map<BrokerId, Channel> channels_;
    int32_t next_correlation_ = 1;

    // Topic deletion: topicsToBeDeleted, topicsIneligibleForDeletion, topicsWithDeletionStarted,
    // and each replica's deletion state (absent: not started, or reset for a retry).
    enum class ReplicaDeletion : uint8_t { started, successful, ineligible };
    std::set<std::string> to_delete_;
    std::set<std::string> deletion_ineligible_;
    std::set<std::string> deletion_started_;
    std::map<std::string, std::map<std::pair<int32_t, BrokerId>, ReplicaDeletion>> replica_deletion_;

    // Admin replies waiting on the host's metadata, by serial.
    struct PendingAdmin {
        std::function<bool()> satisfied;
        std::function<void(Context&)> reply;
        sim::TimerId timer;
    };
    std::map<uint64_t, PendingAdmin> pending_admin_;
    uint64_t next_pending_admin_ = 1;
};

}  // namespace kafka
