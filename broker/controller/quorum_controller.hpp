// The KRaft active controller's decisions as pure code (Kafka's QuorumController with its
// ClusterControlManager, BrokerHeartbeatManager and ReplicationControlManager): broker
// registration, heartbeats and fencing, leader election, AlterPartition, CreateTopics, and the
// Admin API: DeleteTopics, CreatePartitions, IncrementalAlterConfigs (topics), ElectLeaders,
// Alter/ListPartitionReassignments (KIP-455).
// No networking and no clock: a host (ControllerNode) feeds it requests and timer ticks,
// appends the returned records to the metadata log through Raft, replays them, and sends the
// response once the records are committed.
//
// Contract with the host:
//  - Replay the records a handler or tick returned (replay(), in log order, offsets
//    next_offset, next_offset + 1, ...) before calling the next handler or tick: like
//    Kafka's controller, the decisions read the image of the log including its own
//    uncommitted appends.
//  - After a Raft truncation or on becoming a voter again: reset(), then replay the log.
//  - On winning the Raft election (after replaying the whole log): on_become_active(now).
//  - tick(now) periodically (e.g. every broker.heartbeat.interval.ms / 4 or on a timer).
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "broker/config.hpp"
#include "broker/controller/metadata_image.hpp"
#include "broker/messages.hpp"
#include "broker/metadata_records.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"

namespace kafka {

// Kafka's answer to a request the receiver cannot take because it is not the active controller.
inline constexpr const char* not_controller_message = "This is not the correct controller for this cluster.";

// LogConfig.validate of one topic config value as typed (IncrementalAlterConfigs, both modes):
// nullopt and `out` typed when it parses, else ConfigException's message ("Invalid value abc for
// configuration min.insync.replicas: Not a number of type INT").
std::optional<std::string> parse_topic_config(const ConfigKey& key, const std::string& text, ConfigValue& out);

class QuorumController {
public:
    QuorumController(const BrokerConfig& config, uint64_t placement_seed);

    // Forget the image and the broker sessions (before replaying the committed log).
    void reset();
    // Apply one record (committed, or own appended, in log order).
    void replay(int64_t offset, const MetadataRecord& record);

    struct Result {
        std::vector<MetadataRecord> records;  // to append, in order, at next_offset, next_offset + 1, ...
        Message response;                     // send once `records` are committed (at once if none)
    };

    // Every registered broker gets a fresh session starting now (BrokerHeartbeatManager is
    // volatile: a new active controller gives everyone a full session timeout).
    void on_become_active(sim::Time now);

    // `next_offset` is the log offset at which the first returned record will land: the
    // broker epoch is the offset of the RegisterBrokerRecord (KIP-631).
    Result handle_broker_registration(const BrokerRegistrationRequest& request, int64_t next_offset, sim::Time now);
    Result handle_broker_heartbeat(const BrokerHeartbeatRequest& request, int64_t next_offset, sim::Time now);
    Result handle_alter_partition(const AlterPartitionRequest& request, int64_t next_offset, sim::Time now);
    Result handle_create_topics(const CreateTopicsRequest& request, int64_t next_offset, sim::Time now);
    // ---- Admin API (ReplicationControlManager / ConfigurationControlManager). Every result
    // carries Kafka's error and the message its tools print.
    Result handle_delete_topics(const DeleteTopicsRequest& request);
    Result handle_create_partitions(const CreatePartitionsRequest& request);
    Result handle_incremental_alter_configs(const IncrementalAlterConfigsRequest& request);
    Result handle_elect_leaders(const ElectLeadersRequest& request);
    Result handle_alter_partition_reassignments(const AlterPartitionReassignmentsRequest& request);
    // Read-only: no records.
    ListPartitionReassignmentsResponse list_partition_reassignments(const ListPartitionReassignmentsRequest& request) const;

    // Fence the unfenced brokers whose session expired (no heartbeat for more than
    // broker.session.timeout.ms), moving leadership off them, then elect leaders for offline
    // partitions (clean, or unclean where the topic enables it). One PartitionChangeRecord
    // per changed partition, in (topic id, partition) order, then one FenceBrokerRecord per
    // fenced broker.
    std::vector<MetadataRecord> tick(sim::Time now);

    // Auto leader rebalance (auto.leader.rebalance.enable; QuorumController's
    // maybeScheduleNextBalancePartitionLeaders and ReplicationControlManager's
    // maybeBalancePartitionLeaders): once some partition is led by another than its preferred
    // replica (the first in its assignment), a check runs leader.imbalance.check.interval.seconds
    // later; it elects the preferred replica wherever that one is in the ISR and active. KRaft
    // has no leader.imbalance.per.broker.percentage. Call after tick(), on the same timer.
    std::vector<MetadataRecord> balance_partition_leaders(sim::Time now);

    // Kafka 4.0's periodic unclean election (QuorumController.maybeScheduleNextElectUncleanLeaders,
    // ReplicationControlManager.maybeElectUncleanLeaders, KAFKA-12670): while some partition has
    // no leader, a check runs unclean_election_check_interval later and elects uncleanly in the
    // leaderless partitions of every topic whose unclean.leader.election.enable is now true (set
    // by IncrementalAlterConfigs after the partition went offline). Call after tick().
    static constexpr sim::Duration unclean_election_check_interval = sim::seconds(300);
    std::vector<MetadataRecord> elect_unclean_leaders(sim::Time now);

    const MetadataImage& image() const { return image_; }

    // ---- extras for hosts, narration and tests
    // unclean.leader.election.enable for this topic (override, else the broker default).
    bool unclean_election_enabled(const TopicImage& topic) const;
    // min.insync.replicas for this topic (override, else the broker default).
    int32_t min_insync_replicas(const TopicImage& topic) const;
    // The eligible.leader.replicas.version feature is 1 (KIP-966).
    bool elr_enabled() const { return config_.eligible_leader_replicas_version >= 1; }
    // BrokerHeartbeatManager.hasValidSession: registered, unfenced and heard from within
    // broker.session.timeout.ms.
    bool has_valid_session(BrokerId id, sim::Time now) const;
    // The time of the broker's last heartbeat (or session start), nullopt if none is tracked.
    std::optional<sim::Time> last_heartbeat(BrokerId id) const;
    // describe_record with topic names: "PartitionChangeRecord(orders-0 leader=2 isr=[2,3])".
    std::string describe_change(const MetadataRecord& record) const;

private:
    // Volatile per-broker session state (BrokerHeartbeatManager), never in the log.
    struct Session {
        sim::Time last_heartbeat;
        int64_t metadata_offset = -1;             // from its latest heartbeat
        int64_t controlled_shutdown_offset = -1;  // last offset of the records that began its controlled shutdown
    };
    // Who may lead or stay in an ISR for one batch of partition changes.
    struct Eligibility {
        std::vector<BrokerId> removed;  // fenced or shutting down in this batch, in that order
        BrokerId added = no_leader;     // unfenced in this batch (the image still says fenced)
        std::vector<BrokerId> unclean_shutdown;  // KIP-966: back from an unclean shutdown, out of the ELR too
    };
    enum class BrokerState { fenced, unfenced, controlled_shutdown, shutdown_now };
    // PartitionChangeBuilder's election kinds.
    enum class Election { online, preferred, unclean };
    // PartitionChangeBuilder's targets; each starts as the partition's own state.
    struct ChangeTarget {
        std::vector<BrokerId> isr, replicas, adding, removing;
        Election election = Election::online;
        std::optional<bool> leader_recovering;  // set: the record carries this recovery state
    };
    static ChangeTarget target_of(const PartitionState& p);
    // PartitionChangeBuilder.build: complete a reassignment whose targets are all in the ISR,
    // track the ELR, elect (keeping a leader that may still lead), bump the leader epoch when a
    // replica leaves the assignment; nullopt when nothing changes.
    std::optional<PartitionChangeRecord> build_change(const TopicImage& topic, const PartitionState& p,
                                                      ChangeTarget target, const Eligibility& eligibility) const;
    // ReplicationControlManager.electLeader: Kafka's error and message (none: the record was added).
    std::pair<Error, std::string> elect_leader(const std::string& topic, int32_t partition, ElectionType type,
                                               std::vector<MetadataRecord>& out) const;
    // validateManualPartitionAssignment: a non-empty message when the assignment is refused.
    std::string check_manual_assignment(const std::vector<BrokerId>& replicas,
                                        std::optional<size_t> replication_factor) const;

    bool acceptable(BrokerId id, const Eligibility& eligibility) const;
    std::optional<PartitionChangeRecord> partition_change(const TopicImage& topic, const PartitionState& partition,
                                                          const Eligibility& eligibility) const;
    // One PartitionChangeRecord per partition that the removals/addition change, in order.
    void generate_partition_changes(const Eligibility& eligibility, std::vector<MetadataRecord>& out) const;
    // Partition changes that move everything off the brokers, then their FenceBrokerRecords.
    void fence_brokers(const std::vector<BrokerId>& in_order, std::vector<MetadataRecord>& out) const;
    int64_t lowest_active_metadata_offset() const;

    BrokerConfig config_;
    sim::Rng rng_;
    MetadataImage image_;
    std::map<BrokerId, Session> sessions_;
    std::optional<sim::Time> balance_at_;  // the scheduled imbalance check (volatile, like the sessions)
    std::optional<sim::Time> unclean_check_at_;  // the scheduled unclean election check (volatile)
};

}  // namespace kafka
