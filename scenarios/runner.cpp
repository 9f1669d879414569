#include "scenarios/runner.hpp"

#include <set>

#include "clients/consumer_client.hpp"
#include "clients/streams/streams_instance.hpp"
#include "connect/connect_worker.hpp"

namespace scenarios {

ScenarioRun::ScenarioRun(const Scenario& scenario, RunOptions options)
    : scenario_(scenario), options_(std::move(options)), seed_(options_.seed.value_or(scenario.seed)) {
    cluster_ = std::make_unique<ClusterModel>(scenario_, seed_);
    kafka::World& world = cluster_->world();
    const kafka::Trace* trace = &world.trace();
    // Before narration hears of the assignment, so that it can name the member.
    world.trace().add_listener([this, trace](const kafka::TraceEntry& ev) {
        if (std::holds_alternative<kafka::ConsumerAssignment>(ev.event)) note_member(ev, *trace);
    });
    if (options_.on_trace) {
        // What a fault's action causes is told after the fault: held while it runs.
        world.trace().add_listener([this, trace](const kafka::TraceEntry& ev) {
            if (faults_ != nullptr && faults_->applying()) held_.push_back(ev);
            else options_.on_trace(ev, *trace);
        });
    }
    faults_ = std::make_unique<FaultInjector>(world, *cluster_, data_.faults);
    faults_->set_listener([this, trace](const FaultRecord& r) {
        if (options_.on_fault) options_.on_fault(r, *trace);
        std::vector<kafka::TraceEntry> held = std::move(held_);
        held_.clear();
        if (options_.on_trace)
            for (const auto& ev : held) options_.on_trace(ev, *trace);
    });
    faults_->schedule(scenario_.faults);
    world.schedule(world.now() + options_.sample_interval, [this] { sample_tick(); });
    world.schedule(world.now() + options_.consistency_interval, [this] { consistency_tick(); });
}

void ScenarioRun::note_member(const kafka::TraceEntry& ev, const kafka::Trace& trace) {
    const kafka::ConsumerClient* c = cluster_->world().node_as<kafka::ConsumerClient>(ev.node);
    if (const auto* app = cluster_->world().node_as<kafka::StreamsInstance>(ev.node)) c = app->main_consumer();
    if (c == nullptr || !c->group_id() || c->member_id().empty()) return;
    for (auto it = data_.members.rbegin(); it != data_.members.rend(); ++it)
        if (it->member_id == c->member_id()) return;
    data_.members.push_back(MemberName{ev.time, trace.node_name(ev.node), *c->group_id(), c->client_id(), c->member_id()});
}

void ScenarioRun::sample_tick() {
    kafka::World& world = cluster_->world();
    data_.samples.push_back(cluster_->sample());
    world.schedule(world.now() + options_.sample_interval, [this] { sample_tick(); });
}

void ScenarioRun::consistency_tick() {
    kafka::World& world = cluster_->world();
    cluster_->check_replicas(data_.replica_divergences);
    world.schedule(world.now() + options_.consistency_interval, [this] { consistency_tick(); });
}

void ScenarioRun::advance_to(sim::Time t) {
    sim::Time end = sim::time_zero + scenario_.duration;
    cluster_->world().run_until(t < end ? t : end);
}

bool ScenarioRun::step() {
    kafka::World& world = cluster_->world();
    if (world.next_event_time() > end()) return false;
    return world.step();
}

FaultRecord ScenarioRun::fire_fault(FaultSpec fault) { return faults_->fire_now(std::move(fault)); }

ClientNode ScenarioRun::add_producer(const std::string& name, const std::string& topic,
                                     const kafka::ProducerConfig& config, const kafka::WorkloadSpec& workload) {
    ClientNode c = cluster_->add_producer(name, topic, config, workload);
    faults_->on_node_added(c.node);
    cluster_->world().start(c.node);
    return c;
}

sim::NodeId ScenarioRun::add_admin(const std::string& name, std::vector<kafka::AdminClient::Timed> operations) {
    sim::NodeId node = cluster_->add_admin(name, std::move(operations));
    faults_->on_node_added(node);
    cluster_->world().start(node);
    return node;
}

ClientNode ScenarioRun::add_console_producer(const std::string& name, const std::string& topic,
                                             const kafka::ProducerConfig& config,
                                             std::vector<kafka::ConsoleProducer::Line> lines) {
    ClientNode c = cluster_->add_console_producer(name, topic, config, std::move(lines));
    faults_->on_node_added(c.node);
    cluster_->world().start(c.node);
    return c;
}

ClientNode ScenarioRun::add_console_consumer(const std::string& name, const std::string& topic,
                                             const kafka::ConsumerConfig& config, const std::string& group) {
    ClientNode c = cluster_->add_console_consumer(name, topic, config, group);
    faults_->on_node_added(c.node);
    cluster_->world().start(c.node);
    return c;
}

ClientNode ScenarioRun::add_consumer(const std::string& name, const std::string& topic,
                                     const kafka::ConsumerConfig& config, const std::optional<std::string>& group) {
    ClientNode c = cluster_->add_consumer(name, topic, config, group);
    faults_->on_node_added(c.node);
    cluster_->world().start(c.node);
    return c;
}

const RunData& ScenarioRun::finish() {
    if (finished_) return data_;
    finished_ = true;
    kafka::World& world = cluster_->world();
    advance_to(sim::time_zero + scenario_.duration);
    cluster_->check_replicas(data_.replica_divergences);
    data_.scenario = scenario_;
    data_.seed = seed_;
    data_.trace = &world.trace();
    data_.history = &cluster_->history();
    data_.sample_interval = options_.sample_interval;
    data_.final_state = cluster_->snapshot(/*with_logs=*/!scenario_.expect.empty());
    data_.final_positions = cluster_->consumer_positions();
    std::set<std::string> groups;
    for (const auto& c : cluster_->clients())
        if (!c.group.empty()) groups.insert(c.group);
    for (const std::string& g : groups)
        if (const auto* group = cluster_->coordinator_group(g))
            for (const auto& [tp, rec] : group->offsets) data_.final_committed[g][tp] = rec.offset;
    data_.external = &cluster_->external();
    int64_t furthest = -1;
    for (sim::NodeId n : cluster_->connect_worker_nodes()) {
        const auto* w = world.is_up(n) ? world.node_as<kafka::connect::ConnectWorker>(n) : nullptr;
        if (w == nullptr || w->config_offset() <= furthest) continue;
        furthest = w->config_offset();
        data_.connector_tasks = w->connector_task_counts();
        data_.connectors.clear();
        for (const auto& [name, count] : data_.connector_tasks) data_.connectors[name] = *w->connector_config(name);
    }
    if (furthest < 0)  // standalone, or every worker down: the scenario's declarations
        for (const auto& d : scenario_.connect.connectors) data_.connectors[d.name] = d.config;
    if (const auto* rest = cluster_->rest_client()) {
        data_.rest_actions = rest->actions();
        data_.rest_exchanges = rest->exchanges();
    }
    data_.end = world.now();
    data_.events = static_cast<int64_t>(world.events_processed());
    data_.trace_hash = world.trace().hash_hex();
    checks_ = run_checks(data_);
    return data_;
}

bool ScenarioRun::passed() const {
    for (const auto& c : checks_)
        if (!c.passed()) return false;
    return true;
}

}  // namespace scenarios
