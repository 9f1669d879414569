// The cluster under test: the world with every node a scenario asks for (controllers,
// brokers, the admin client that creates the topics, producers, consumers), the directory
// that names them, and read-only views of live state: who leads what right now, samples
// for metrics, snapshots of every replica's log.
#pragma once
#include <map>
#include <set>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "broker/broker_node.hpp"
#include "broker/controller_node.hpp"
#include "broker/world.hpp"
#include "clients/console_producer.hpp"
#include "clients/producer_client.hpp"
#include "connect/external_systems.hpp"
#include "connect/rest_client.hpp"

namespace kafka {
class ZooKeeperServer;
class ConsumerClient;
struct StreamsAppSpec;
}
#include "scenarios/history.hpp"
#include "scenarios/run_data.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

struct ClientNode {
    enum class Kind { producer, consumer, app, connect_worker } kind;
    std::string name;    // "producer:checkout", "consumer:billing/1", "app:wordcount/1", "connect:1"
    std::string group;   // consumers: the group ("" for group null); apps: application.id
    uint32_t ordinal = 0;  // 0 for apps: each instance names its clients as it makes them
    sim::NodeId node = sim::no_node;
};

class ClusterModel {
public:
    ClusterModel(const Scenario& scenario, uint64_t seed);
    ClusterModel(const ClusterModel&) = delete;
    ClusterModel& operator=(const ClusterModel&) = delete;

    kafka::World& world() { return *world_; }
    const kafka::ClusterDirectory& directory() const { return directory_; }
    History& history() { return history_; }
    const kafka::BrokerConfig& broker_config() const { return broker_config_; }
    const std::vector<ClientNode>& clients() const { return clients_; }

    // ---- nodes by scenario names ----
    std::vector<sim::NodeId> broker_nodes() const;
    std::vector<sim::NodeId> controller_nodes() const;
    std::vector<sim::NodeId> zookeeper_nodes() const;  // ZooKeeper mode: the ensemble
    sim::NodeId producer_node(const std::string& id) const;
    sim::NodeId consumer_node(const std::string& group, int member) const;
    sim::NodeId app_node(const std::string& app, int instance) const;
    std::vector<sim::NodeId> app_nodes(const std::string& app) const;
    std::vector<sim::NodeId> all_nodes() const;
    // Kafka Connect: the workers, the one leading the Connect group now, the one running a task.
    std::vector<sim::NodeId> connect_worker_nodes() const;
    sim::NodeId connect_leader_node();
    sim::NodeId connect_follower_node();  // the lowest-id running worker that does not lead
    sim::NodeId connect_task_node(const std::string& connector, int32_t task);
    kafka::connect::ExternalSystems& external() { return external_; }
    const kafka::connect::RestClient* rest_client();

    // ---- live views ----
    kafka::BrokerNode* broker(int32_t id);
    kafka::ControllerNode* controller(int32_t id);
    // The active controller (highest epoch if a stale one still believes it is active).
    kafka::ControllerNode* active_controller();
    int32_t active_controller_id();
    int32_t quorum_leader_id();  // KRaft leader, or in ZooKeeper mode the ensemble leader
    // The lowest-id running quorum member that is not the leader (a KRaft voter, or a ZooKeeper
    // server); -1 when there is none.
    int32_t quorum_follower_id();
    // ZooKeeper mode
    bool zookeeper_mode() const;
    kafka::ZooKeeperServer* zookeeper(int32_t sid);
    int32_t zookeeper_leader_id();                // the LEADING server with the highest epoch, -1 none
    kafka::BrokerNode* zk_controller_broker();    // the active controller broker (highest epoch), nullptr none
    // The committed metadata as the active controller sees it, or the furthest broker's.
    const kafka::MetadataImage* metadata();
    // The broker that acts as leader of the partition now (highest leader epoch wins).
    int32_t partition_leader(const std::string& topic, int32_t partition);
    std::vector<kafka::TopicPartition> topic_partitions();
    // The group as its coordinator holds it now (nullptr: no broker has it loaded).
    const kafka::GroupCoordinator::Group* coordinator_group(const std::string& group);
    // The broker coordinating the group now (the leader of its __consumer_offsets partition), -1 if none.
    int32_t coordinator_id(const std::string& group);

    // ---- hand-driven clients (kafkasim shell), added to the running world ----
    // A producer with its own workload (kafka::WorkloadSpec); a consumer of `topic` from now on,
    // a member of `group` or, without one, assigning itself every partition. Both record into history() like
    // the scenario's clients. Not started: world().start(node) once the caller has wired the
    // node into the network faults in force (ScenarioRun::add_producer does both).
    ClientNode add_producer(const std::string& name, const std::string& topic, const kafka::ProducerConfig& config,
                            const kafka::WorkloadSpec& workload);
    ClientNode add_consumer(const std::string& name, const std::string& topic, const kafka::ConsumerConfig& config,
                            const std::optional<std::string>& group = std::nullopt);

    // One replica's log as it stands: a running broker's partition, or a stopped broker's
    // files on its disk (read as they are, without the recovery a restart would run).
    // The shell's Kafka tools (not started: ScenarioRun starts them): an admin client of
    // their own, kafka-console-producer's lines, and kafka-console-consumer (a member of
    // `group`, its records kept with their values in the history).
    sim::NodeId add_admin(const std::string& name, std::vector<kafka::AdminClient::Timed> operations);
    ClientNode add_console_producer(const std::string& name, const std::string& topic, const kafka::ProducerConfig& config,
                                    std::vector<kafka::ConsoleProducer::Line> lines);
    ClientNode add_console_consumer(const std::string& name, const std::string& topic,
                                    const kafka::ConsumerConfig& config, const std::string& group);
    ReplicaSnapshot replica_log(const kafka::TopicPartition& tp, const std::string& topic, int32_t broker_id);

    Sample sample();
    ClusterSnapshot snapshot(bool with_logs);
    std::vector<ConsumerPosition> consumer_positions();
    // Compare each replica's newly committed batches with the leader's (incremental).
    void check_replicas(std::vector<std::string>& violations);

private:
    ClientNode add_producer_node(const std::string& name, const std::string& topic, const kafka::ProducerConfig& cfg,
                                 const kafka::WorkloadSpec& w);
    ClientNode add_consumer_node(const std::string& name, const std::optional<std::string>& group,
                                 const std::vector<std::string>& topics_read, const kafka::ConsumerConfig& cfg,
                                 std::optional<double> rate, sim::Time from, sim::Time until);
    ClientNode add_app_node(kafka::StreamsAppSpec spec);
    void add_connect(const Scenario& scenario);
    // A group member's consumer: a consumer client's, or a Streams instance's main consumer
    // (null while down); ordinal is set to its history ordinal.
    const kafka::ConsumerClient* group_consumer(const ClientNode& c, uint32_t& ordinal);
    // held: per group, the partitions some member holds a position on.
    void sample_groups(const kafka::MetadataImage* image, Sample& s,
                       const std::map<std::string, std::set<kafka::TopicPartition>>& held);

    const Scenario& scenario_;
    std::unique_ptr<kafka::World> world_;
    kafka::ClusterDirectory directory_;
    kafka::BrokerConfig broker_config_;
    History history_;
    kafka::connect::ExternalSystems external_;  // the systems connectors read and write
    sim::NodeId rest_client_ = sim::no_node;
    std::vector<ClientNode> clients_;
    std::vector<int32_t> voters_;
    std::vector<int32_t> ensemble_;  // ZooKeeper server ids
    std::map<std::string, std::vector<std::string>> group_topics_;  // consumer group -> topics it reads
    std::map<std::string, std::string> group_offset_reset_;          // consumer group -> auto.offset.reset
    std::map<std::pair<kafka::TopicPartition, int32_t>, int64_t> verified_upto_;  // (tp, broker) -> offset
};

}  // namespace scenarios
