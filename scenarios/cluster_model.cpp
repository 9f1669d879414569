#include "scenarios/cluster_model.hpp"

#include <algorithm>
#include <memory>

#include "broker/txn/transaction_coordinator.hpp"
#include "broker/zookeeper/zk_server.hpp"
#include "clients/admin_client.hpp"
#include "clients/console_producer.hpp"
#include "clients/consumer_client.hpp"
#include "clients/producer_client.hpp"
#include "clients/streams/streams_instance.hpp"
#include "connect/connect_worker.hpp"

#include <nlohmann/json.hpp>

namespace scenarios {

namespace {

constexpr int32_t first_voter_id = 3000;

sim::Time at(sim::Duration d) { return sim::time_zero + d; }

std::string consumer_prefix(const ConsumerSpec& c, size_t null_index) {
    if (c.group) return "consumer:" + *c.group;
    return null_index == 0 ? "consumer:null" : "consumer:null-" + std::to_string(null_index + 1);
}

// What every instance of an app runs: its topology, and the clients' settings with the
// overrides StreamsConfig applies (consumer: earliest, no auto commit, 1000 records a poll,
// read_committed under exactly-once; producer: linger.ms=100, and under exactly-once
// idempotence, transaction.timeout.ms=10000 and no delivery timeout).
kafka::StreamsAppSpec streams_app_spec(const Scenario& scenario, const AppSpec& app, sim::Time end) {
    kafka::StreamsAppSpec spec;
    spec.name = app.name;
    spec.streams = app.streams;
    spec.source = app.topology.source;
    spec.sink = app.topology.sink;
    spec.changelog = app.changelog_topic();
    spec.keys_below = app.topology.keys_below;
    for (const auto& t : scenario.topics)
        if (t.name == spec.sink) spec.sink_partitions = t.partitions;
    for (const auto& t : scenario.topics)
        if (t.name == spec.source) spec.source_partitions = t.partitions;
    const auto& profile = scenario.kafka.profile;
    const bool eos = app.streams.exactly_once();
    const auto release = kafka::release_major_minor(scenario.kafka.version).value_or(std::pair{3, 7});
    kafka::ConfigMap consumer{{"auto.offset.reset", std::string("earliest")},
                              {"enable.auto.commit", false},
                              {"max.poll.records", int64_t{1000}}};
    // StreamsPartitionAssignor: cooperative from 2.4 (KIP-429), eager and sticky before.
    consumer["partition.assignment.strategy"] = std::string(release >= std::pair{2, 4} ? "cooperative-sticky" : "sticky");
    if (eos) consumer["isolation.level"] = std::string("read_committed");
    spec.consumer = kafka::ConsumerConfig::from(profile, consumer);
    consumer.erase("partition.assignment.strategy");
    spec.restore_consumer = kafka::ConsumerConfig::from(profile, consumer);
    kafka::ConfigMap producer{{"linger.ms", int64_t{100}}};
    if (eos) {
        producer["enable.idempotence"] = true;
        producer["acks"] = int64_t{-1};
        producer["transaction.timeout.ms"] = int64_t{10000};
        producer["delivery.timeout.ms"] = int64_t{2147483647};
    }
    spec.producer = kafka::ProducerConfig::from(profile, producer);
    spec.producer.transaction_version_2 =
        kafka::BrokerConfig::from(profile, scenario.kafka.config).transaction_version_2();
    spec.from = at(app.from);
    spec.until = app.until ? at(*app.until) : end;
    return spec;
}

}  // namespace

ClusterModel::ClusterModel(const Scenario& scenario, uint64_t seed) : scenario_(scenario) {
    sim::NetworkOptions net;
    net.latency_min = scenario.network.latency_min;
    net.latency_max = scenario.network.latency_max;
    net.loss = sim::Probability::from_double(scenario.network.loss);
    world_ = std::make_unique<kafka::World>(seed, net);
    broker_config_ = kafka::BrokerConfig::from(scenario.kafka.profile, scenario.kafka.config);

    // Node names are stable: random streams are derived from them, not from creation order.
    if (zookeeper_mode()) {
        for (int32_t sid = 1; sid <= scenario.kafka.zookeeper; ++sid) ensemble_.push_back(sid);
        for (int32_t sid : ensemble_)
            directory_.zookeepers[sid] = world_->add_node("zookeeper:" + std::to_string(sid), [this, sid] {
                return std::make_unique<kafka::ZooKeeperServer>(sid, ensemble_, broker_config_, directory_);
            });
    } else {
        for (int i = 0; i < scenario.kafka.controllers; ++i) voters_.push_back(first_voter_id + i);
    }
    for (int32_t id : voters_) {
        uint64_t placement_seed = sim::derive_seed(seed, "placement/controller:" + std::to_string(id));
        directory_.controllers[id] = world_->add_node("controller:" + std::to_string(id), [this, id, placement_seed] {
            return std::make_unique<kafka::ControllerNode>(id, voters_, broker_config_, directory_, placement_seed);
        });
    }
    for (int32_t id = 1; id <= scenario.kafka.brokers; ++id) {
        directory_.brokers[id] = world_->add_node("broker:" + std::to_string(id), [this, id] {
            return std::make_unique<kafka::BrokerNode>(id, voters_, broker_config_, directory_, ensemble_);
        });
    }
    std::vector<kafka::CreatableTopic> topics;
    for (const auto& t : scenario.topics) {
        kafka::CreatableTopic ct;
        ct.name = t.name;
        ct.num_partitions = t.partitions;
        ct.replication_factor = static_cast<int16_t>(t.replication_factor);
        ct.assignment = t.assignment;
        ct.configs = t.config;
        topics.push_back(std::move(ct));
    }
    std::vector<kafka::AdminClient::Timed> admin_ops;
    for (const AdminActionSpec& a : scenario.admin_actions) admin_ops.push_back({at(a.at), a.op});
    directory_.admin = world_->add_node("admin", [this, topics, admin_ops] {
        return std::make_unique<kafka::AdminClient>(topics, directory_, admin_ops);
    });

    sim::Time end = at(scenario.duration);
    for (const auto& p : scenario.producers) {
        kafka::WorkloadSpec w;
        w.rate_per_s = p.rate_per_s;
        w.keys = p.keys;
        w.from = at(p.from);
        w.until = p.until ? at(*p.until) : end;
        w.records_per_txn = p.records_per_txn;
        // Records carry their keys where a Streams app reads them (it counts by key).
        for (const auto& app : scenario.apps)
            if (app.topology.source == p.topic) w.carry_keys = true;
        w.abort_fraction = p.abort_fraction;
        if (p.value) w.value = kafka::RecordValueSpec{p.value->pattern, p.value->size_bytes, p.id};
        kafka::ProducerConfig cfg = kafka::ProducerConfig::from(scenario.kafka.profile, p.config);
        // A 4.0 client uses transaction.version 2 when the brokers have it on.
        cfg.transaction_version_2 = kafka::BrokerConfig::from(scenario.kafka.profile, scenario.kafka.config).transaction_version_2();
        add_producer_node("producer:" + p.id, p.topic, cfg, w);
    }
    size_t null_groups = 0;
    for (const auto& cs : scenario.consumers) {
        std::string prefix = consumer_prefix(cs, cs.group ? 0 : null_groups);
        if (!cs.group) ++null_groups;
        kafka::ConsumerConfig cfg = kafka::ConsumerConfig::from(scenario.kafka.profile, cs.config);
        if (cs.group) {
            group_topics_[*cs.group] = cs.topics;
            group_offset_reset_[*cs.group] = cfg.auto_offset_reset;
        }
        for (int n = 1; n <= cs.members; ++n) {
            add_consumer_node(prefix + "/" + std::to_string(n), cs.group, cs.topics, cfg, cs.rate_per_s, at(cs.from),
                              cs.until ? at(*cs.until) : end);
        }
    }
    for (const auto& app : scenario.apps) {
        group_topics_[app.streams.application_id] = {app.topology.source};
        group_offset_reset_[app.streams.application_id] = "earliest";
        for (int n = 1; n <= app.instances; ++n) {
            kafka::StreamsAppSpec spec = streams_app_spec(scenario, app, end);
            spec.instance = n;
            add_app_node(std::move(spec));
        }
    }
    if (scenario.connect.present) add_connect(scenario);
    for (sim::NodeId n = 0; n < static_cast<sim::NodeId>(world_->node_count()); ++n) world_->start(n);
}

void ClusterModel::add_connect(const Scenario& scenario) {
    namespace kc = kafka::connect;
    const ConnectSpec& c = scenario.connect;
    for (const ExternalSystemSpec& x : c.external) {
        kc::ExternalSourceSpec s;
        s.name = x.name;
        s.table = x.table;
        s.initial_rows = x.rows;
        s.rate_per_s = x.rate_per_s;
        s.from = at(x.from);
        s.until = x.until ? at(*x.until) : at(scenario.duration);
        s.lines = x.lines;
        s.malformed_rows = x.malformed_rows;
        external_.add_source(std::move(s));
    }
    // The sink connectors' consumer groups (connect-<name>), sampled like any group.
    for (const auto& d : c.connectors) {
        const kc::ConnectorPlugin* plugin = kc::find_plugin(kc::config_value(d.config, "connector.class"));
        if (plugin == nullptr || plugin->type != kc::ConnectorType::sink) continue;
        group_topics_["connect-" + d.name] = kc::split_list(kc::config_value(d.config, "topics"));
        group_offset_reset_["connect-" + d.name] = "earliest";
    }
    const kc::ConnectFeatures features = kc::connect_features(scenario.kafka.version).value_or(kc::ConnectFeatures{});
    for (int32_t id = 1; id <= c.workers; ++id) {
        kc::WorkerSpec spec;
        spec.id = id;
        spec.distributed = c.distributed;
        spec.exactly_once_source = c.exactly_once_source;
        spec.config = c.worker;
        spec.features = features;
        if (!c.distributed)
            for (const auto& d : c.connectors) spec.connectors.push_back(kc::ConnectorSpec{d.name, d.config});
        spec = kc::resolve_client_configs(std::move(spec), scenario.kafka.profile);
        ClientNode node{ClientNode::Kind::connect_worker, spec.node_name(), c.worker.group_id, 0, sim::no_node};
        auto lives = std::make_shared<int>(0);  // each life names its clients anew (history ordinals)
        node.node = world_->add_node(node.name, [this, lives, spec] {
            return std::make_unique<kc::ConnectWorker>(spec, directory_, &history_, &history_, &external_, ++*lives);
        });
        directory_.connect_workers[id] = node.node;
        clients_.push_back(node);
    }
    // The operator's REST calls: a distributed cluster's connectors are created through the first
    // worker, as a deployment script does once the workers are up; then the timeline's calls.
    std::vector<kc::RestAction> actions;
    if (c.distributed) {
        for (const auto& d : c.connectors) {
            nlohmann::json body{{"name", d.name}, {"config", d.config}};
            actions.push_back(kc::RestAction{sim::time_zero, 1, "POST", "/connectors", body.dump(), true,
                                             "connector " + d.name});
        }
    }
    for (const RestActionSpec& r : scenario.rest_actions)
        actions.push_back(kc::RestAction{at(r.at), r.worker, r.method, r.path, r.body, false,
                                         "/faults/" + std::to_string(r.index)});
    if (!actions.empty())
        rest_client_ = world_->add_node("connect-rest", [this, actions] {
            return std::make_unique<kc::RestClient>(actions, directory_);
        });
}

std::vector<sim::NodeId> ClusterModel::connect_worker_nodes() const {
    std::vector<sim::NodeId> out;
    for (const auto& [id, n] : directory_.connect_workers) out.push_back(n);
    return out;
}

sim::NodeId ClusterModel::connect_leader_node() {
    // The worker whose last assignment names itself leader, in the newest generation.
    sim::NodeId best = sim::no_node;
    int32_t best_generation = -1;
    for (const auto& [id, n] : directory_.connect_workers) {
        if (!world_->is_up(n)) continue;
        auto* w = world_->node_as<kafka::connect::ConnectWorker>(n);
        if (w != nullptr && w->is_leader() && w->generation() > best_generation) {
            best = n;
            best_generation = w->generation();
        }
    }
    return best;
}

sim::NodeId ClusterModel::connect_follower_node() {
    const sim::NodeId leader = connect_leader_node();
    for (const auto& [id, n] : directory_.connect_workers)
        if (n != leader && world_->is_up(n)) return n;
    return sim::no_node;
}

sim::NodeId ClusterModel::connect_task_node(const std::string& connector, int32_t task) {
    for (const auto& [id, n] : directory_.connect_workers) {
        if (!world_->is_up(n)) continue;
        auto* w = world_->node_as<kafka::connect::ConnectWorker>(n);
        if (w == nullptr) continue;
        for (const auto& t : w->running_tasks())
            if (t.connector == connector && t.task == task) return n;
    }
    return sim::no_node;
}

const kafka::connect::RestClient* ClusterModel::rest_client() {
    return rest_client_ == sim::no_node ? nullptr : world_->node_as<kafka::connect::RestClient>(rest_client_);
}

ClientNode ClusterModel::add_app_node(kafka::StreamsAppSpec spec) {
    ClientNode c{ClientNode::Kind::app, spec.node_name(), spec.streams.application_id, 0, sim::no_node};
    auto lives = std::make_shared<int>(0);  // each life names its clients anew (history ordinals)
    c.node = world_->add_node(c.name, [this, lives, spec] {
        return std::make_unique<kafka::StreamsInstance>(spec, directory_, &history_, &history_, ++*lives);
    });
    clients_.push_back(c);
    return c;
}

sim::NodeId ClusterModel::app_node(const std::string& app, int instance) const {
    const std::string name = "app:" + app + "/" + std::to_string(instance);
    for (const auto& c : clients_)
        if (c.kind == ClientNode::Kind::app && c.name == name) return c.node;
    return sim::no_node;
}

std::vector<sim::NodeId> ClusterModel::app_nodes(const std::string& app) const {
    std::vector<sim::NodeId> out;
    for (const auto& c : clients_)
        if (c.kind == ClientNode::Kind::app && c.name.starts_with("app:" + app + "/")) out.push_back(c.node);
    return out;
}

const kafka::ConsumerClient* ClusterModel::group_consumer(const ClientNode& c, uint32_t& ordinal) {
    if (c.kind == ClientNode::Kind::consumer) {
        ordinal = c.ordinal;
        return world_->node_as<kafka::ConsumerClient>(c.node);
    }
    if (c.kind == ClientNode::Kind::app) {
        auto* app = world_->node_as<kafka::StreamsInstance>(c.node);
        if (app == nullptr) return nullptr;
        ordinal = app->consumer_ordinal();
        return app->main_consumer();
    }
    return nullptr;
}

ClientNode ClusterModel::add_producer_node(const std::string& name, const std::string& topic,
                                           const kafka::ProducerConfig& cfg, const kafka::WorkloadSpec& w) {
    ClientNode c{ClientNode::Kind::producer, name, "", 0, sim::no_node};
    c.ordinal = history_.add_client(c.name);
    uint32_t ordinal = c.ordinal;
    // A restarted producer process is a new client: Kafka gives it a new producer id,
    // and its sequence numbers start again at 0. So each life gets its own ordinal in
    // the history ("producer:app (life 2)"), and records stay identifiable.
    auto lives = std::make_shared<int>(0);
    c.node = world_->add_node(c.name, [this, ordinal, name, lives, topic, cfg, w] {
        uint32_t life_ordinal =
            ++*lives == 1 ? ordinal : history_.add_client(name + " (life " + std::to_string(*lives) + ")");
        return std::make_unique<kafka::ProducerClient>(life_ordinal, topic, cfg, w, directory_, &history_);
    });
    clients_.push_back(c);
    return c;
}

ClientNode ClusterModel::add_consumer_node(const std::string& name, const std::optional<std::string>& group,
                                           const std::vector<std::string>& topics_read, const kafka::ConsumerConfig& cfg,
                                           std::optional<double> rate, sim::Time from, sim::Time until) {
    ClientNode c{ClientNode::Kind::consumer, name, group.value_or(""), 0, sim::no_node};
    c.ordinal = history_.add_client(c.name);
    uint32_t ordinal = c.ordinal;
    auto lives = std::make_shared<int>(0);  // as for producers: a new life, a new client
    c.node = world_->add_node(c.name, [this, ordinal, name, lives, topics_read, cfg, rate, from, until, group] {
        uint32_t life_ordinal =
            ++*lives == 1 ? ordinal : history_.add_client(name + " (life " + std::to_string(*lives) + ")");
        return std::make_unique<kafka::ConsumerClient>(life_ordinal, topics_read, cfg, rate, from, until, directory_,
                                                       &history_, group);
    });
    clients_.push_back(c);
    return c;
}

ClientNode ClusterModel::add_producer(const std::string& name, const std::string& topic,
                                      const kafka::ProducerConfig& config, const kafka::WorkloadSpec& workload) {
    return add_producer_node(name, topic, config, workload);
}

ClientNode ClusterModel::add_consumer(const std::string& name, const std::string& topic,
                                      const kafka::ConsumerConfig& config, const std::optional<std::string>& group) {
    return add_consumer_node(name, group, {topic}, config, std::nullopt, world_->now(), sim::time_never);
}

sim::NodeId ClusterModel::add_admin(const std::string& name, std::vector<kafka::AdminClient::Timed> operations) {
    return world_->add_node(name, [this, operations] {
        return std::make_unique<kafka::AdminClient>(std::vector<kafka::CreatableTopic>{}, directory_, operations);
    });
}

ClientNode ClusterModel::add_console_producer(const std::string& name, const std::string& topic,
                                              const kafka::ProducerConfig& config,
                                              std::vector<kafka::ConsoleProducer::Line> lines) {
    ClientNode c{ClientNode::Kind::producer, name, "", 0, sim::no_node};
    c.ordinal = history_.add_client(c.name);
    const uint32_t ordinal = c.ordinal;
    c.node = world_->add_node(c.name, [this, ordinal, topic, config, lines] {
        return std::make_unique<kafka::ConsoleProducer>(ordinal, topic, config, lines, directory_, &history_);
    });
    clients_.push_back(c);
    return c;
}

ClientNode ClusterModel::add_console_consumer(const std::string& name, const std::string& topic,
                                              const kafka::ConsumerConfig& config, const std::string& group) {
    ClientNode c = add_consumer_node(name, group, {topic}, config, std::nullopt, world_->now(), sim::time_never);
    history_.keep_records_of(c.ordinal);
    return c;
}

ReplicaSnapshot ClusterModel::replica_log(const kafka::TopicPartition& tp, const std::string& topic, int32_t broker_id) {
    ReplicaSnapshot rs;
    rs.broker = broker_id;
    sim::NodeId n = directory_.broker_node(broker_id);
    if (n == sim::no_node) return rs;
    rs.online = world_->is_up(n);
    if (kafka::BrokerNode* b = broker(broker_id); b != nullptr) {
        if (const kafka::Partition* part = b->partition(tp); part != nullptr) {
            rs.log_start_offset = part->log().log_start_offset();
            rs.log_end_offset = part->log().log_end_offset();
            rs.high_watermark = part->high_watermark();
            rs.last_stable_offset = part->last_stable_offset();
            part->log().all_batches(rs.batches);
            return rs;
        }
    }
    // Stopped (or not hosting it yet): the files on its disk, read without opening them as a
    // restart would (that may create or truncate files, and this is only a look).
    sim::Disk& disk = world_->disk(n);
    const std::string dir = topic + "-" + std::to_string(tp.partition);
    bool first = true;
    for (const std::string& name : disk.list(dir + "/")) {
        if (!name.ends_with(".log")) continue;
        const auto& segment = disk.log<kafka::RecordBatch>(name).entries();
        if (first) rs.log_start_offset = rs.log_end_offset = std::stoll(name.substr(dir.size() + 1, 20));
        first = false;
        for (const auto& batch : segment) {
            rs.batches.push_back(batch);
            rs.log_end_offset = batch.next_offset();
        }
    }
    // A log start offset that retention or the leader moved inside the first segment.
    const std::string start_checkpoint = dir + "/log-start-offset-checkpoint";
    if (disk.exists(start_checkpoint)) {
        const auto& cell = disk.cell<int64_t>(start_checkpoint);
        if (cell.has_value())
            rs.log_start_offset = std::clamp(cell.get(), rs.log_start_offset, rs.log_end_offset);
    }
    const std::string checkpoint = dir + "/replication-offset-checkpoint";
    if (disk.exists(checkpoint)) {
        const auto& cell = disk.cell<int64_t>(checkpoint);
        if (cell.has_value()) rs.high_watermark = cell.get();
    }
    return rs;
}

std::vector<sim::NodeId> ClusterModel::broker_nodes() const {
    std::vector<sim::NodeId> out;
    for (const auto& [id, n] : directory_.brokers) out.push_back(n);
    return out;
}

std::vector<sim::NodeId> ClusterModel::controller_nodes() const {
    std::vector<sim::NodeId> out;
    for (const auto& [id, n] : directory_.controllers) out.push_back(n);
    return out;
}

sim::NodeId ClusterModel::producer_node(const std::string& id) const {
    for (const auto& c : clients_)
        if (c.kind == ClientNode::Kind::producer && c.name == "producer:" + id) return c.node;
    return sim::no_node;
}

sim::NodeId ClusterModel::consumer_node(const std::string& group, int member) const {
    std::string name = "consumer:" + group + "/" + std::to_string(member);
    for (const auto& c : clients_)
        if (c.kind == ClientNode::Kind::consumer && c.name == name) return c.node;
    return sim::no_node;
}

std::vector<sim::NodeId> ClusterModel::all_nodes() const {
    std::vector<sim::NodeId> out;
    for (sim::NodeId n = 0; n < static_cast<sim::NodeId>(world_->node_count()); ++n) out.push_back(n);
    return out;
}

kafka::BrokerNode* ClusterModel::broker(int32_t id) {
    sim::NodeId n = directory_.broker_node(id);
    return n == sim::no_node ? nullptr : world_->node_as<kafka::BrokerNode>(n);
}

kafka::ControllerNode* ClusterModel::controller(int32_t id) {
    sim::NodeId n = directory_.controller_node(id);
    return n == sim::no_node ? nullptr : world_->node_as<kafka::ControllerNode>(n);
}

std::vector<sim::NodeId> ClusterModel::zookeeper_nodes() const {
    std::vector<sim::NodeId> out;
    for (const auto& [id, n] : directory_.zookeepers) out.push_back(n);
    return out;
}

bool ClusterModel::zookeeper_mode() const { return scenario_.kafka.metadata == MetadataMode::zookeeper; }

kafka::ZooKeeperServer* ClusterModel::zookeeper(int32_t sid) {
    sim::NodeId n = directory_.zookeeper_node(sid);
    return n == sim::no_node ? nullptr : world_->node_as<kafka::ZooKeeperServer>(n);
}

int32_t ClusterModel::zookeeper_leader_id() {
    int32_t leader = -1, epoch = -1;
    for (int32_t sid : ensemble_) {
        kafka::ZooKeeperServer* z = zookeeper(sid);
        if (z == nullptr || z->state() != kafka::ZooKeeperServer::State::leading) continue;
        if (static_cast<int32_t>(z->current_epoch()) > epoch) {
            epoch = static_cast<int32_t>(z->current_epoch());
            leader = sid;
        }
    }
    return leader;
}

kafka::BrokerNode* ClusterModel::zk_controller_broker() {
    kafka::BrokerNode* best = nullptr;
    for (const auto& [id, n] : directory_.brokers) {
        kafka::BrokerNode* b = broker(id);
        if (b == nullptr || b->zk_controller() == nullptr || !b->zk_controller()->active()) continue;
        if (best == nullptr || b->zk_controller()->epoch() > best->zk_controller()->epoch()) best = b;
    }
    return best;
}

kafka::ControllerNode* ClusterModel::active_controller() {
    kafka::ControllerNode* best = nullptr;
    for (int32_t id : voters_) {
        kafka::ControllerNode* c = controller(id);
        if (c == nullptr || !c->active()) continue;
        if (best == nullptr || c->raft().epoch() > best->raft().epoch()) best = c;
    }
    return best;
}

int32_t ClusterModel::active_controller_id() {
    if (zookeeper_mode()) {
        kafka::BrokerNode* b = zk_controller_broker();
        return b == nullptr ? -1 : b->id();
    }
    for (int32_t id : voters_) {
        kafka::ControllerNode* c = controller(id);
        if (c != nullptr && c == active_controller()) return id;
    }
    return -1;
}

int32_t ClusterModel::quorum_leader_id() {
    if (zookeeper_mode()) return zookeeper_leader_id();
    int32_t leader = -1, epoch = -1;
    for (int32_t id : voters_) {
        kafka::ControllerNode* c = controller(id);
        if (c == nullptr || !c->raft().is_leader()) continue;
        if (c->raft().epoch() > epoch) {
            epoch = c->raft().epoch();
            leader = id;
        }
    }
    return leader;
}

int32_t ClusterModel::quorum_follower_id() {
    const int32_t leader = quorum_leader_id();
    if (zookeeper_mode()) {
        for (int32_t sid : ensemble_)
            if (sid != leader && zookeeper(sid) != nullptr) return sid;
        return -1;
    }
    for (int32_t id : voters_)
        if (id != leader && controller(id) != nullptr) return id;
    return -1;
}

const kafka::MetadataImage* ClusterModel::metadata() {
    if (kafka::ControllerNode* c = active_controller(); c != nullptr && c->controller() != nullptr)
        return &c->controller()->image();
    // ZooKeeper mode: the controller broker's cache holds every change it sent.
    if (kafka::BrokerNode* b = zookeeper_mode() ? zk_controller_broker() : nullptr) return &b->metadata();
    const kafka::MetadataImage* best = nullptr;
    for (const auto& [id, n] : directory_.brokers) {
        kafka::BrokerNode* b = broker(id);
        if (b != nullptr && (best == nullptr || b->metadata().last_offset() > best->last_offset())) best = &b->metadata();
    }
    return best;
}

int32_t ClusterModel::partition_leader(const std::string& topic, int32_t partition) {
    int32_t leader = -1, epoch = -1;
    for (const auto& [id, n] : directory_.brokers) {
        kafka::BrokerNode* b = broker(id);
        if (b == nullptr || !world_->is_up(n)) continue;
        for (const kafka::Partition* p : b->partitions()) {
            if (p->topic() != topic || p->tp().partition != partition || !p->is_leader()) continue;
            if (p->leader_epoch() > epoch) {
                epoch = p->leader_epoch();
                leader = id;
            }
        }
    }
    return leader;
}

std::vector<kafka::TopicPartition> ClusterModel::topic_partitions() {
    std::vector<kafka::TopicPartition> out;
    const kafka::MetadataImage* image = metadata();
    if (image == nullptr) return out;
    for (const auto& [tid, t] : image->topics())
        if (!kafka::is_internal_topic(t.name))
            for (const auto& p : t.partitions) out.push_back(p.tp);
    return out;
}

Sample ClusterModel::sample() {
    Sample s;
    s.t = world_->now();
    const kafka::MetadataImage* image = metadata();
    if (image != nullptr) {
        for (const auto& [tid, t] : image->topics()) {
            if (kafka::is_internal_topic(t.name)) continue;  // data topics only
            for (const auto& ps : t.partitions) {
                PartitionSample p;
                p.leader = ps.leader;
                p.leader_epoch = ps.leader_epoch;
                p.isr_size = static_cast<int32_t>(ps.isr.size());
                p.replica_count = static_cast<int32_t>(ps.replicas.size());
                p.high_watermark = -1;
                p.log_end_offset = -1;
                p.log_start_offset = -1;
                p.last_stable_offset = -1;
                if (kafka::BrokerNode* b = ps.leader >= 0 ? broker(ps.leader) : nullptr) {
                    if (const kafka::Partition* lp = b->partition(ps.tp); lp != nullptr && lp->is_leader()) {
                        p.high_watermark = lp->high_watermark();
                        p.log_end_offset = lp->log().log_end_offset();
                        p.log_start_offset = lp->log().log_start_offset();
                        p.last_stable_offset = lp->last_stable_offset();
                        for (const auto& [first, pid] : lp->producer_state().ongoing_transactions())
                            p.open_transactions.emplace_back(first, pid);
                    }
                }
                s.partitions.push_back(p);
            }
        }
    }
    std::map<std::string, std::set<kafka::TopicPartition>> held;  // per group
    auto sample_consumer = [&](uint32_t ordinal, const std::string& group, const kafka::ConsumerClient* consumer) {
        ConsumerSample cs;
        cs.consumer = ordinal;
        cs.group = group;
        if (consumer != nullptr && image != nullptr) {
            for (const auto& [tid, t] : image->topics()) {
                for (const auto& ps : t.partitions) {
                    int64_t pos = consumer->position(ps.tp);
                    if (pos < 0) continue;
                    if (!group.empty()) held[group].insert(ps.tp);
                    const kafka::BrokerNode* b = ps.leader >= 0 ? broker(ps.leader) : nullptr;
                    const kafka::Partition* lp = b == nullptr ? nullptr : b->partition(ps.tp);
                    const std::optional<sim::Time> heard = consumer->last_fetch_response(ps.tp);
                    if (lp == nullptr || !heard || world_->now() - *heard > fresh_fetch_window) cs.stale_partitions += 1;
                    if (lp == nullptr) continue;
                    // A read_committed consumer's lag ends at the last stable offset.
                    const int64_t end = consumer->read_committed() ? lp->last_stable_offset() : lp->high_watermark();
                    int64_t lag = std::max<int64_t>(0, end - pos);
                    cs.lag += lag;
                    cs.lag_max = std::max(cs.lag_max, lag);
                }
            }
        }
        s.consumers.push_back(cs);
    };
    for (const auto& c : clients_) {
        if (c.kind == ClientNode::Kind::producer) continue;
        if (c.kind == ClientNode::Kind::connect_worker) {
            // Each sink task's consumer, a member of connect-<connector>.
            if (const auto* w = world_->node_as<kafka::connect::ConnectWorker>(c.node))
                for (const auto& sc : w->sink_consumers()) sample_consumer(sc.ordinal, sc.group, sc.consumer);
            continue;
        }
        uint32_t ordinal = c.ordinal;
        const kafka::ConsumerClient* consumer = group_consumer(c, ordinal);
        sample_consumer(ordinal, c.group, consumer);
    }
    sample_groups(image, s, held);
    s.records_acked = history_.records_acked();
    s.records_failed = history_.records_failed();
    s.quorum_leader = quorum_leader_id();
    if (zookeeper_mode()) {
        if (kafka::ZooKeeperServer* z = s.quorum_leader >= 0 ? zookeeper(s.quorum_leader) : nullptr) {
            s.quorum_epoch = static_cast<int32_t>(z->current_epoch());
            s.metadata_high_watermark = static_cast<int64_t>(kafka::zxid_counter(z->last_committed_zxid()));
        }
    } else if (kafka::ControllerNode* c = s.quorum_leader >= 0 ? controller(s.quorum_leader) : nullptr) {
        s.quorum_epoch = c->raft().epoch();
        s.metadata_high_watermark = c->raft().high_watermark();
    }
    s.active_controller = active_controller_id();
    return s;
}

std::vector<ConsumerPosition> ClusterModel::consumer_positions() {
    std::vector<ConsumerPosition> out;
    const kafka::MetadataImage* image = metadata();
    if (image == nullptr) return out;
    for (const auto& c : clients_) {
        if (c.kind == ClientNode::Kind::producer) continue;
        if (c.kind == ClientNode::Kind::connect_worker) {
            if (const auto* w = world_->node_as<kafka::connect::ConnectWorker>(c.node))
                for (const auto& sc : w->sink_consumers())
                    for (const auto& [tid, t] : image->topics())
                        for (const auto& ps : t.partitions)
                            if (int64_t pos = sc.consumer->position(ps.tp); pos >= 0)
                                out.push_back(ConsumerPosition{sc.ordinal, sc.group, ps.tp, pos});
            continue;
        }
        uint32_t ordinal = c.ordinal;
        const kafka::ConsumerClient* consumer = group_consumer(c, ordinal);
        if (consumer == nullptr) continue;
        for (const auto& [tid, t] : image->topics())
            for (const auto& ps : t.partitions)
                if (int64_t pos = consumer->position(ps.tp); pos >= 0)
                    out.push_back(ConsumerPosition{ordinal, c.group, ps.tp, pos});
    }
    return out;
}

ClusterSnapshot ClusterModel::snapshot(bool with_logs) {
    ClusterSnapshot snap;
    snap.at = world_->now();
    const kafka::MetadataImage* image = metadata();
    if (image == nullptr) return snap;
    for (const auto& [tid, t] : image->topics()) {
        if (kafka::is_internal_topic(t.name)) continue;  // data topics only
        for (const auto& ps : t.partitions) {
            PartitionSnapshot p;
            p.tp = ps.tp;
            p.topic = t.name;
            p.leader = ps.leader;
            p.leader_epoch = ps.leader_epoch;
            p.replicas = ps.replicas;
            p.isr = ps.isr;
            for (int32_t r : ps.replicas) {
                ReplicaSnapshot rs;
                rs.broker = r;
                sim::NodeId n = directory_.broker_node(r);
                rs.online = n != sim::no_node && world_->is_up(n);
                // A stopped broker's log is read from its disk, as a restart would find it.
                std::unique_ptr<kafka::Partition> offline;
                const kafka::Partition* part = nullptr;
                if (kafka::BrokerNode* b = broker(r); b != nullptr) part = b->partition(ps.tp);
                if (part == nullptr && n != sim::no_node) {
                    kafka::TopicConfig cfg = kafka::TopicConfig::from(broker_config_, t.configs);
                    offline = std::make_unique<kafka::Partition>(ps.tp, t.name, r, world_->disk(n), cfg,
                                                                 broker_config_.behaviour);
                    part = offline.get();
                }
                if (part != nullptr) {
                    rs.log_start_offset = part->log().log_start_offset();
                    rs.log_end_offset = part->log().log_end_offset();
                    rs.high_watermark = part->high_watermark();
                    rs.last_stable_offset = part->last_stable_offset();
                    if (with_logs) part->log().all_batches(rs.batches);
                }
                p.replica_logs.push_back(std::move(rs));
            }
            snap.partitions.push_back(std::move(p));
        }
    }
    return snap;
}

void ClusterModel::check_replicas(std::vector<std::string>& violations) {
    const kafka::MetadataImage* image = metadata();
    if (image == nullptr) return;
    std::vector<kafka::RecordBatch> mine, theirs;
    for (const auto& [tid, t] : image->topics()) {
        for (const auto& ps : t.partitions) {
            if (ps.leader < 0) continue;
            kafka::BrokerNode* lb = broker(ps.leader);
            const kafka::Partition* leader = lb == nullptr ? nullptr : lb->partition(ps.tp);
            if (leader == nullptr || !leader->is_leader()) continue;
            for (int32_t r : ps.replicas) {
                if (r == ps.leader) continue;
                kafka::BrokerNode* fb = broker(r);
                const kafka::Partition* f = fb == nullptr ? nullptr : fb->partition(ps.tp);
                if (f == nullptr) continue;
                int64_t& from = verified_upto_[{ps.tp, r}];
                from = std::min(from, f->log().log_end_offset());
                int64_t limit = std::min(leader->high_watermark(), f->high_watermark());
                if (limit <= from) continue;
                mine.clear();
                theirs.clear();
                leader->log().read(from, limit, INT32_MAX, mine);
                f->log().read(from, limit, INT32_MAX, theirs);
                size_t n = std::min(mine.size(), theirs.size());
                for (size_t i = 0; i < n; ++i) {
                    const auto& a = mine[i];
                    const auto& b = theirs[i];
                    if (a.base_offset != b.base_offset || !a.same_records(b)) {
                        violations.push_back(sim::format_time(world_->now()) + " " + t.name + "/" +
                                             std::to_string(ps.tp.partition) + " offset " + std::to_string(b.base_offset) +
                                             ": broker " + std::to_string(r) + " holds producer#" + std::to_string(b.client) +
                                             " seq " + std::to_string(b.first_seq) + ", leader " +
                                             std::to_string(ps.leader) + " holds producer#" + std::to_string(a.client) +
                                             " seq " + std::to_string(a.first_seq) + " (below the high watermark " +
                                             std::to_string(limit) + ")");
                        break;
                    }
                }
                from = limit;
            }
        }
    }
}

}  // namespace scenarios

namespace scenarios {

// Lag as kafka-consumer-groups.sh shows it: per partition of the topics a group consumes,
// LOG-END-OFFSET (the high watermark) minus CURRENT-OFFSET (the committed offset, read from
// the group's coordinator); partitions with nothing committed show "-" and add nothing.
int32_t ClusterModel::coordinator_id(const std::string& group) {
    const kafka::MetadataImage* image = metadata();
    if (group.starts_with("txn:")) {  // a transactional id's coordinator: its __transaction_state leader
        const kafka::TopicImage* txn = image == nullptr ? nullptr : image->topic(kafka::transaction_state_topic);
        if (txn == nullptr) return -1;
        const kafka::PartitionState* ps = txn->partition(
            kafka::transaction_partition_for(group.substr(4), static_cast<int32_t>(txn->partitions.size())));
        return ps == nullptr ? -1 : ps->leader;
    }
    const kafka::TopicImage* offsets = image == nullptr ? nullptr : image->topic(kafka::consumer_offsets_topic);
    if (offsets == nullptr) return -1;
    const kafka::PartitionState* ps =
        offsets->partition(kafka::offsets_partition_for(group, static_cast<int32_t>(offsets->partitions.size())));
    return ps == nullptr ? -1 : ps->leader;
}

const kafka::GroupCoordinator::Group* ClusterModel::coordinator_group(const std::string& group) {
    const kafka::MetadataImage* image = metadata();
    if (image == nullptr) return nullptr;
    const kafka::TopicImage* offsets = image->topic(kafka::consumer_offsets_topic);
    if (offsets == nullptr) return nullptr;
    const kafka::PartitionState* ps = offsets->partition(kafka::offsets_partition_for(group, static_cast<int32_t>(offsets->partitions.size())));
    kafka::BrokerNode* b = ps != nullptr && ps->leader >= 0 ? broker(ps->leader) : nullptr;
    if (b == nullptr) return nullptr;
    const auto& groups = b->coordinator().groups();
    auto it = groups.find(group);
    return it == groups.end() ? nullptr : &it->second;
}

void ClusterModel::sample_groups(const kafka::MetadataImage* image, Sample& s,
                                 const std::map<std::string, std::set<kafka::TopicPartition>>& held) {
    if (image == nullptr) return;
    for (const auto& [group, topics] : group_topics_) {
        GroupSample gs;
        gs.group = group;
        const kafka::GroupCoordinator::Group* g = coordinator_group(group);
        if (g != nullptr) {
            gs.state = kafka::to_string(g->state);
            gs.generation = g->generation;
            gs.members = static_cast<int32_t>(g->members.size());
        }
        for (const auto& name : topics) {
            const kafka::TopicImage* t = image->topic(name);
            if (t == nullptr) continue;
            const auto h = held.find(group);
            for (const auto& ps : t->partitions) {
                if (h == held.end() || !h->second.contains(ps.tp)) ++gs.unowned_partitions;
                const kafka::BrokerNode* b = ps.leader >= 0 ? broker(ps.leader) : nullptr;
                const kafka::Partition* lp = b == nullptr ? nullptr : b->partition(ps.tp);
                if (lp == nullptr) continue;
                std::optional<int64_t> committed;
                if (g != nullptr)
                    if (auto o = g->offsets.find(kafka::GroupPartition{name, ps.tp.partition}); o != g->offsets.end())
                        committed = o->second.offset;
                int64_t from = 0;
                if (committed) {
                    from = *committed;
                    ++gs.committed_partitions;
                } else {
                    // Not committed: where auto.offset.reset would start a member.
                    from = group_offset_reset_[group] == "latest" ? lp->high_watermark() : lp->log().log_start_offset();
                }
                const int64_t lag = std::max<int64_t>(0, lp->high_watermark() - from);
                gs.lag += lag;
                gs.lag_max = std::max(gs.lag_max, lag);
            }
        }
        s.groups.push_back(std::move(gs));
    }
}

}  // namespace scenarios
