#include "scenarios/fault_injector.hpp"

#include <algorithm>

#include "broker/api_names.hpp"
#include "scenarios/cluster_model.hpp"

namespace scenarios {

namespace {

sim::Time time_at(sim::Duration d) { return sim::time_zero + d; }

}  // namespace

// What a fault file sees of the injector while it fires or is undone.
class FaultInjector::Firing final : public FaultContext {
public:
    Firing(FaultInjector& injector, FaultRecord& record) : in_(injector), record_(record) {}

    kafka::World& world() override { return in_.world_; }
    kafka::connect::ExternalSystems& external() override { return in_.cluster_.external(); }
    FaultRecord& record() override { return record_; }

    std::vector<sim::NodeId> resolve(const std::vector<Target>& targets) override;

    std::vector<sim::NodeId> all_nodes() override { return in_.cluster_.all_nodes(); }
    sim::Duration shutdown_grace() override {
        return sim::milliseconds(in_.cluster_.broker_config().controlled_shutdown_timeout_ms);
    }
    void skipped(std::string why) override { skipped_.push_back(std::move(why)); }
    uint64_t apply_network(NetworkChange change) override { return in_.apply_network(std::move(change)); }
    bool revert_network(uint64_t change) override { return in_.revert_network(change); }
    size_t revert_network(LinkEffect effect) override {
        std::vector<uint64_t> ids;
        for (const auto& [id, c] : in_.active_)
            if (c.effect == effect) ids.push_back(id);
        for (uint64_t id : ids) in_.revert_network(id);
        return ids.size();
    }

    // The record's note once the fault has acted: why it did not fire (targets that matched
    // nothing, or "no effect"), then the nodes it skipped.
    void finish_note() {
        if (!record_.fired && record_.note.empty()) record_.note = unresolved_.empty() ? "no effect" : unresolved_;
        for (const std::string& s : skipped_) record_.note += (record_.note.empty() ? "" : "; ") + s;
    }

private:
    FaultInjector& in_;
    FaultRecord& record_;
    std::string unresolved_;
    std::vector<std::string> skipped_;
};

std::vector<sim::NodeId> FaultInjector::Firing::resolve(const std::vector<Target>& targets) {
    std::vector<sim::NodeId> out;
    auto add = [&](sim::NodeId n) {
        if (n == sim::no_node || std::find(out.begin(), out.end(), n) != out.end()) return;
        out.push_back(n);
        record_.resolved.push_back(in_.world_.name(n));
    };
    ClusterModel& cluster = in_.cluster_;
    const auto& dir = cluster.directory();
    for (const Target& t : targets) {
        size_t before = out.size();
        switch (t.kind) {
            case Target::Kind::broker: add(dir.broker_node(t.id)); break;
            case Target::Kind::controller: add(dir.controller_node(t.id)); break;
            case Target::Kind::zookeeper: add(dir.zookeeper_node(t.id)); break;
            case Target::Kind::partition_leader: {
                int32_t leader = cluster.partition_leader(t.name, t.id);
                if (leader >= 0) add(dir.broker_node(leader));
                break;
            }
            case Target::Kind::active_controller: {
                // KRaft: the quorum leader's controller; ZooKeeper mode: the controller broker.
                int32_t id = cluster.active_controller_id();
                if (id >= 0) add(cluster.zookeeper_mode() ? dir.broker_node(id) : dir.controller_node(id));
                break;
            }
            case Target::Kind::quorum_leader: {
                int32_t id = cluster.quorum_leader_id();
                if (id >= 0) add(cluster.zookeeper_mode() ? dir.zookeeper_node(id) : dir.controller_node(id));
                break;
            }
            case Target::Kind::quorum_follower: {
                int32_t id = cluster.quorum_follower_id();
                if (id >= 0) add(cluster.zookeeper_mode() ? dir.zookeeper_node(id) : dir.controller_node(id));
                break;
            }
            case Target::Kind::zookeeper_leader: {
                int32_t id = cluster.zookeeper_leader_id();
                if (id >= 0) add(dir.zookeeper_node(id));
                break;
            }
            case Target::Kind::coordinator: {
                int32_t id = cluster.coordinator_id(t.name);
                if (id >= 0) add(dir.broker_node(id));
                break;
            }
            case Target::Kind::producer: add(cluster.producer_node(t.name)); break;
            case Target::Kind::consumer: add(cluster.consumer_node(t.name, t.id)); break;
            case Target::Kind::app_instance: add(cluster.app_node(t.name, t.id)); break;
            case Target::Kind::app_all:
                for (sim::NodeId n : cluster.app_nodes(t.name)) add(n);
                break;
            case Target::Kind::connect_worker: add(dir.connect_worker_node(t.id)); break;
            case Target::Kind::connect_leader: add(cluster.connect_leader_node()); break;
            case Target::Kind::connect_follower: add(cluster.connect_follower_node()); break;
            case Target::Kind::connect_task: add(cluster.connect_task_node(t.name, t.id)); break;
            case Target::Kind::all_connect_workers:
                for (sim::NodeId n : cluster.connect_worker_nodes()) add(n);
                break;
            case Target::Kind::all_brokers:
                for (sim::NodeId n : cluster.broker_nodes()) add(n);
                break;
            case Target::Kind::all_controllers:
                for (sim::NodeId n : cluster.controller_nodes()) add(n);
                break;
            case Target::Kind::all_zookeepers:
                for (sim::NodeId n : cluster.zookeeper_nodes()) add(n);
                break;
            case Target::Kind::everyone_else: break;  // expanded by the partition action
        }
        if (out.size() == before && t.kind != Target::Kind::everyone_else) {
            if (!unresolved_.empty()) unresolved_ += "; ";
            unresolved_ += t.text + " matched no node now";
        }
    }
    return out;
}

FaultInjector::FaultInjector(kafka::World& world, ClusterModel& cluster, std::vector<FaultRecord>& log)
    : world_(world), cluster_(cluster), log_(log) {}

void FaultInjector::schedule(const std::vector<FaultSpec>& faults) {
    for (const FaultSpec& f : faults) {
        const FaultSpec* spec = &f;
        world_.schedule(time_at(f.at), [this, spec] { fire(*spec); });
    }
}

// A record is complete: it joins the fingerprint, and live listeners (narration, the shell)
// hear of it, then of the events its action caused (held back meanwhile: see applying()).
void FaultInjector::publish(FaultRecord& r) {
    kafka::Trace& trace = world_.trace();
    trace.mix_described(r.at, sim::no_node, [&r](auto& sink) { describe(r, sink); });
    applying_ = false;
    if (on_record_) on_record_(r);
}

FaultRecord& FaultInjector::record(const FaultSpec& f, bool is_undo) {
    FaultRecord r;
    r.index = f.index;
    r.at = world_.now();
    r.action = f.action;
    r.is_undo = is_undo;
    r.target_text = fault_target_text(f);
    // The fault comes before what it causes: a restarted node's first events are recorded
    // while the action runs, and the story tells them after the FAULT line.
    r.trace_position = world_.trace().events().size();
    applying_ = true;
    log_.push_back(std::move(r));
    return log_.back();
}

void FaultInjector::change_link(const NetworkChange& c, sim::NodeId from, sim::NodeId to, int sign) {
    auto& net = world_.network();
    switch (c.effect) {
        case LinkEffect::latency: net.add_latency(from, to, c.add, c.jitter, sign); break;
        case LinkEffect::loss: net.add_loss(from, to, sim::Probability::from_double(c.probability), sign); break;
        case LinkEffect::drop: net.add_drop(from, to, sim::Probability::from_double(c.probability), sign); break;
        case LinkEffect::block: net.block(from, to, sign); break;
        case LinkEffect::hold: break;  // the send hook reads the change itself (hold_for)
    }
}

uint64_t FaultInjector::apply_network(NetworkChange change) {
    for (const auto& [a, b] : change.links) change_link(change, a, b, +1);
    uint64_t id = next_change_++;
    if (change.effect == LinkEffect::hold) hold_left_[id] = change.count > 0 ? change.count : -1;
    active_.emplace(id, std::move(change));
    update_hold_hook();
    return id;
}

bool FaultInjector::revert_network(uint64_t id) {
    auto it = active_.find(id);
    if (it == active_.end()) return false;  // a heal already removed it
    for (const auto& [a, b] : it->second.links) change_link(it->second, a, b, -1);
    active_.erase(it);
    hold_left_.erase(id);
    update_hold_hook();
    world_.reset_connections_healed_from_cuts();
    return true;
}

void FaultInjector::update_hold_hook() {
    if (hold_left_.empty()) {
        world_.set_hold(nullptr);
        return;
    }
    world_.set_hold([this](sim::NodeId from, sim::NodeId to, const kafka::Message& msg) { return hold_for(from, to, msg); });
}

sim::Duration FaultInjector::hold_for(sim::NodeId from, sim::NodeId to, const kafka::Message& msg) {
    const std::string_view name = kafka::api_name(msg);
    if (name.empty()) return {};
    for (auto& [id, left] : hold_left_) {
        if (left == 0) continue;
        const NetworkChange& c = active_.at(id);
        if (std::find(c.requests.begin(), c.requests.end(), name) == c.requests.end()) continue;
        if (std::find(c.links.begin(), c.links.end(), std::pair{from, to}) == c.links.end()) continue;
        if (left > 0) --left;
        return c.add;
    }
    return {};
}

FaultRecord FaultInjector::fire_now(FaultSpec fault) {
    fault.at = world_.now() - sim::time_zero;
    fired_now_.push_back(std::move(fault));
    const size_t record_index = log_.size();
    fire(fired_now_.back());
    return log_.at(record_index);
}

void FaultInjector::on_node_added(sim::NodeId node) {
    for (auto& [id, c] : active_) {
        for (sim::NodeId a : c.toward_every_node) {
            for (auto [from, to] : {std::pair{a, node}, std::pair{node, a}}) {
                change_link(c, from, to, +1);
                c.links.emplace_back(from, to);  // so that undoing the fault undoes these too
            }
        }
    }
}

void FaultInjector::fire(const FaultSpec& f) {
    const FaultKind& kind = fault_kind(f.action);
    FaultRecord& r = record(f, false);
    Firing firing(*this, r);
    Applied applied = kind.apply(firing, f);
    r.fired = applied.fired;
    firing.finish_note();
    if (kind.window == FaultWindowClass::recovery) last_undo_ = world_.now();
    publish(r);
    if (r.fired && f.for_ && kind.undo) {
        world_.schedule(world_.now() + *f.for_, [this, &f, applied] { undo(f, applied); });
    }
}

void FaultInjector::undo(const FaultSpec& f, const Applied& applied) {
    FaultRecord& r = record(f, true);
    r.fired = true;
    Firing firing(*this, r);
    fault_kind(f.action).undo(firing, applied);
    last_undo_ = world_.now();
    publish(r);
}

}  // namespace scenarios
