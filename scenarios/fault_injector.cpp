#include "scenarios/fault_injector.hpp"

#include <algorithm>
#include <set>

#include "scenarios/cluster_model.hpp"

namespace scenarios {

namespace {

sim::Time at(sim::Duration d) { return sim::time_zero + d; }

bool is_lifecycle(FaultAction a) {
    switch (a) {
        case FaultAction::crash:
        case FaultAction::power_loss:
        case FaultAction::shutdown:
        case FaultAction::restart:
        case FaultAction::pause:
        case FaultAction::resume:
            return true;
        default:
            return false;
    }
}

}  // namespace

std::string describe_targets(const std::vector<Target>& targets) {
    std::string out;
    for (size_t i = 0; i < targets.size(); ++i) {
        if (i) out += ", ";
        out += targets[i].text;
    }
    return out;
}

FaultInjector::FaultInjector(kafka::World& world, ClusterModel& cluster, std::vector<FaultRecord>& log)
    : world_(world), cluster_(cluster), log_(log) {}

void FaultInjector::schedule(const std::vector<FaultSpec>& faults) {
    for (const FaultSpec& f : faults) {
        const FaultSpec* spec = &f;
        world_.schedule(at(f.at), [this, spec] { fire(*spec); });
    }
}

// A record is complete: it takes its place among the model's events and in the fingerprint,
// and live listeners (narration, the shell) hear of it.
void FaultInjector::publish(FaultRecord& r) {
    kafka::Trace& trace = world_.trace();
    r.trace_position = trace.events().size();
    trace.mix_described(r.at, sim::no_node, [&r](auto& sink) { describe(r, sink); });
    if (on_record_) on_record_(r);
}

FaultRecord& FaultInjector::record(const FaultSpec& f, bool is_undo) {
    FaultRecord r;
    r.index = f.index;
    r.at = world_.now();
    r.action = f.action;
    r.is_undo = is_undo;
    switch (f.action) {
        case FaultAction::partition: {
            for (size_t g = 0; g < f.groups.size(); ++g) {
                if (g) r.target_text += " | ";
                r.target_text += describe_targets(f.groups[g]);
            }
            break;
        }
        case FaultAction::cut:
            r.target_text = describe_targets(f.from) + " -> " + describe_targets(f.to);
            break;
        case FaultAction::heal:
            r.target_text = "*";
            break;
        default:
            r.target_text = describe_targets(f.between.empty() ? f.targets : f.between);
    }
    log_.push_back(std::move(r));
    return log_.back();
}

std::vector<sim::NodeId> FaultInjector::resolve(const std::vector<Target>& targets, std::vector<std::string>& names,
                                                std::string& unresolved) {
    std::vector<sim::NodeId> out;
    auto add = [&](sim::NodeId n) {
        if (n == sim::no_node || std::find(out.begin(), out.end(), n) != out.end()) return;
        out.push_back(n);
        names.push_back(world_.name(n));
    };
    const auto& dir = cluster_.directory();
    for (const Target& t : targets) {
        size_t before = out.size();
        switch (t.kind) {
            case Target::Kind::broker: add(dir.broker_node(t.id)); break;
            case Target::Kind::controller: add(dir.controller_node(t.id)); break;
            case Target::Kind::zookeeper: add(dir.zookeeper_node(t.id)); break;
            case Target::Kind::partition_leader: {
                int32_t leader = cluster_.partition_leader(t.name, t.id);
                if (leader >= 0) add(dir.broker_node(leader));
                break;
            }
            case Target::Kind::active_controller: {
                // KRaft: the quorum leader's controller; ZooKeeper mode: the controller broker.
                int32_t id = cluster_.active_controller_id();
                if (id >= 0) add(cluster_.zookeeper_mode() ? dir.broker_node(id) : dir.controller_node(id));
                break;
            }
            case Target::Kind::quorum_leader: {
                int32_t id = cluster_.quorum_leader_id();
                if (id >= 0) add(cluster_.zookeeper_mode() ? dir.zookeeper_node(id) : dir.controller_node(id));
                break;
            }
            case Target::Kind::zookeeper_leader: {
                int32_t id = cluster_.zookeeper_leader_id();
                if (id >= 0) add(dir.zookeeper_node(id));
                break;
            }
            case Target::Kind::coordinator: {
                int32_t id = cluster_.coordinator_id(t.name);
                if (id >= 0) add(dir.broker_node(id));
                break;
            }
            case Target::Kind::producer: add(cluster_.producer_node(t.name)); break;
            case Target::Kind::consumer: add(cluster_.consumer_node(t.name, t.id)); break;
            case Target::Kind::all_brokers:
                for (sim::NodeId n : cluster_.broker_nodes()) add(n);
                break;
            case Target::Kind::all_controllers:
                for (sim::NodeId n : cluster_.controller_nodes()) add(n);
                break;
            case Target::Kind::all_zookeepers:
                for (sim::NodeId n : cluster_.zookeeper_nodes()) add(n);
                break;
            case Target::Kind::everyone_else: break;  // expanded by the partition action
        }
        if (out.size() == before && t.kind != Target::Kind::everyone_else) {
            if (!unresolved.empty()) unresolved += "; ";
            unresolved += t.text + " matched no node now";
        }
    }
    return out;
}

void FaultInjector::change_link(const NetworkChange& c, sim::NodeId from, sim::NodeId to, int sign) {
    auto& net = world_.network();
    switch (c.action) {
        case FaultAction::latency: net.add_latency(from, to, c.add, c.jitter, sign); break;
        case FaultAction::loss: net.add_loss(from, to, sim::Probability::from_double(c.probability), sign); break;
        default: net.block(from, to, sign);
    }
}

uint64_t FaultInjector::apply_network(NetworkChange change) {
    for (const auto& [a, b] : change.links) change_link(change, a, b, +1);
    uint64_t id = next_change_++;
    active_.emplace(id, std::move(change));
    return id;
}

void FaultInjector::revert_network(uint64_t id) {
    auto it = active_.find(id);
    if (it == active_.end()) return;  // a heal already removed it
    for (const auto& [a, b] : it->second.links) change_link(it->second, a, b, -1);
    active_.erase(it);
    world_.reset_connections_healed_from_cuts();
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
    FaultRecord& r = record(f, false);
    std::string unresolved;
    std::vector<sim::NodeId> nodes;
    uint64_t change = 0;
    std::vector<std::string> changed_nodes;

    if (is_lifecycle(f.action)) {
        nodes = resolve(f.targets, r.resolved, unresolved);
        sim::Duration grace = sim::milliseconds(cluster_.broker_config().controlled_shutdown_timeout_ms);
        std::vector<sim::NodeId> affected;
        for (sim::NodeId n : nodes) {
            bool ok = false;
            switch (f.action) {
                case FaultAction::crash: ok = world_.crash(n); break;
                case FaultAction::power_loss: ok = world_.power_loss(n); break;
                case FaultAction::shutdown: ok = world_.shutdown(n, grace); break;
                case FaultAction::restart: ok = world_.restart(n); break;
                case FaultAction::pause: ok = world_.pause(n); break;
                case FaultAction::resume: ok = world_.resume(n); break;
                default: break;
            }
            if (ok) {
                affected.push_back(n);
            } else {
                changed_nodes.push_back(world_.name(n) + " was already " + sim::to_string(world_.state(n)));
            }
        }
        nodes = affected;
        r.fired = !nodes.empty();
    } else {
        std::vector<std::pair<sim::NodeId, sim::NodeId>> links;
        std::vector<sim::NodeId> toward_every_node;
        auto both = [&](sim::NodeId a, sim::NodeId b) {
            if (a == b) return;
            links.emplace_back(a, b);
            links.emplace_back(b, a);
        };
        std::vector<sim::NodeId> everyone = cluster_.all_nodes();
        switch (f.action) {
            case FaultAction::partition: {
                std::vector<std::vector<sim::NodeId>> groups;
                std::set<sim::NodeId> named;
                int star_group = -1;
                for (size_t g = 0; g < f.groups.size(); ++g) {
                    std::vector<std::string> names;
                    groups.push_back(resolve(f.groups[g], names, unresolved));
                    for (auto& n : names) r.resolved.push_back(n);
                    for (sim::NodeId n : groups.back()) named.insert(n);
                    for (const Target& t : f.groups[g])
                        if (t.kind == Target::Kind::everyone_else) star_group = static_cast<int>(g);
                }
                if (star_group >= 0) {
                    for (sim::NodeId n : everyone)
                        if (named.count(n) == 0) groups[static_cast<size_t>(star_group)].push_back(n);
                    for (size_t g = 0; g < groups.size(); ++g)
                        if (static_cast<int>(g) != star_group)
                            toward_every_node.insert(toward_every_node.end(), groups[g].begin(), groups[g].end());
                }
                for (size_t g = 0; g < groups.size(); ++g)
                    for (size_t h = g + 1; h < groups.size(); ++h)
                        for (sim::NodeId a : groups[g])
                            for (sim::NodeId b : groups[h]) both(a, b);
                break;
            }
            case FaultAction::isolate: {
                nodes = resolve(f.targets, r.resolved, unresolved);
                for (sim::NodeId a : nodes)
                    for (sim::NodeId b : everyone) both(a, b);
                toward_every_node = nodes;
                break;
            }
            case FaultAction::cut: {
                std::vector<sim::NodeId> from = resolve(f.from, r.resolved, unresolved);
                std::vector<sim::NodeId> to = resolve(f.to, r.resolved, unresolved);
                for (sim::NodeId a : from)
                    for (sim::NodeId b : to)
                        if (a != b) links.emplace_back(a, b);
                break;
            }
            case FaultAction::latency:
            case FaultAction::loss: {
                if (f.between.size() == 2) {
                    std::vector<sim::NodeId> a = resolve({f.between[0]}, r.resolved, unresolved);
                    std::vector<sim::NodeId> b = resolve({f.between[1]}, r.resolved, unresolved);
                    for (sim::NodeId x : a)
                        for (sim::NodeId y : b) both(x, y);
                } else {
                    nodes = resolve(f.targets, r.resolved, unresolved);
                    for (sim::NodeId a : nodes)
                        for (sim::NodeId b : everyone) both(a, b);
                    toward_every_node = nodes;
                }
                break;
            }
            case FaultAction::heal: {
                std::vector<uint64_t> ids;
                for (const auto& [id, c] : active_)
                    if (c.action == FaultAction::partition || c.action == FaultAction::isolate ||
                        c.action == FaultAction::cut)
                        ids.push_back(id);
                for (uint64_t id : ids) revert_network(id);
                r.fired = true;
                r.note = "removed " + std::to_string(ids.size()) + " network fault(s)";
                last_undo_ = world_.now();
                break;
            }
            default:
                break;
        }
        if (f.action != FaultAction::heal) {
            r.fired = !links.empty();
            if (r.fired) {
                NetworkChange c;
                c.links = std::move(links);
                c.action = f.action;
                c.add = f.add;
                c.jitter = f.jitter;
                c.probability = f.probability;
                c.toward_every_node = std::move(toward_every_node);
                change = apply_network(std::move(c));
            }
        }
    }
    if (f.action == FaultAction::restart || f.action == FaultAction::resume) last_undo_ = world_.now();
    if (!r.fired && r.note.empty()) {
        r.note = !unresolved.empty() ? unresolved : "no effect";
        for (const auto& s : changed_nodes) r.note += "; " + s;
    } else if (!changed_nodes.empty()) {
        for (const auto& s : changed_nodes) r.note += (r.note.empty() ? "" : "; ") + s;
    }
    publish(r);
    if (r.fired && f.for_) {
        world_.schedule(world_.now() + *f.for_, [this, &f, nodes, change] { undo(f, nodes, change); });
    }
}

void FaultInjector::undo(const FaultSpec& f, const std::vector<sim::NodeId>& nodes, uint64_t change_id) {
    FaultRecord& r = record(f, true);
    r.fired = true;
    switch (f.action) {
        case FaultAction::crash:
        case FaultAction::power_loss:
        case FaultAction::shutdown:
            for (sim::NodeId n : nodes)
                if (world_.restart(n)) r.resolved.push_back(world_.name(n));
            r.note = "restart";
            break;
        case FaultAction::pause:
            for (sim::NodeId n : nodes)
                if (world_.resume(n)) r.resolved.push_back(world_.name(n));
            r.note = "resume";
            break;
        default:
            if (active_.count(change_id) == 0) {
                r.fired = false;
                r.note = "already healed";
            }
            revert_network(change_id);
            break;
    }
    last_undo_ = world_.now();
    publish(r);
}

}  // namespace scenarios
