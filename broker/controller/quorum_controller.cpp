#include "broker/controller/quorum_controller.hpp"

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <set>
#include <utility>

#include "broker/controller/replica_placement.hpp"

namespace kafka {

namespace {

// A topic config value as a boolean, without depending on config.cpp's parsers.
bool as_bool(const ConfigValue& v) {
    if (const bool* b = std::get_if<bool>(&v)) return *b;
    if (const int64_t* i = std::get_if<int64_t>(&v)) return *i != 0;
    if (const double* d = std::get_if<double>(&v)) return *d != 0.0;
    const std::string& s = std::get<std::string>(v);
    return s == "true" || s == "TRUE" || s == "True";
}

int64_t as_int(const ConfigValue& v) {
    if (const int64_t* i = std::get_if<int64_t>(&v)) return *i;
    if (const bool* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
    if (const double* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    return std::stoll(std::get<std::string>(v));
}

bool has_duplicates(const std::vector<BrokerId>& v) {
    std::set<BrokerId> seen;
    for (BrokerId b : v)
        if (!seen.insert(b).second) return true;
    return false;
}

}  // namespace

QuorumController::QuorumController(const BrokerConfig& config, uint64_t placement_seed)
    : config_(config), rng_(placement_seed) {}

void QuorumController::reset() {
    image_.clear();
    sessions_.clear();
    balance_at_.reset();
    unclean_check_at_.reset();
}

void QuorumController::replay(int64_t offset, const MetadataRecord& record) { image_.apply(offset, record); }

void QuorumController::on_become_active(sim::Time now) {
    sessions_.clear();
    for (const auto& [id, reg] : image_.brokers()) {
        (void)reg;
        sessions_[id] = Session{now, -1, -1};
    }
}

bool QuorumController::unclean_election_enabled(const TopicImage& topic) const {
    auto it = topic.configs.find("unclean.leader.election.enable");
    return it == topic.configs.end() ? config_.unclean_leader_election_enable : as_bool(it->second);
}

int32_t QuorumController::min_insync_replicas(const TopicImage& topic) const {
    auto it = topic.configs.find("min.insync.replicas");
    return it == topic.configs.end() ? config_.min_insync_replicas : static_cast<int32_t>(as_int(it->second));
}

namespace {

// PartitionChangeBuilder.maybePopulateTargetElr (KIP-966): while the ISR is below
// min.insync.replicas the high watermark is frozen, so every replica that leaves it still holds
// every committed record and joins the ELR, unless it came back from an unclean shutdown
// (it may have lost its tail): those are only remembered, in the last known ELR. An ISR at
// min.insync.replicas or above clears both.
void track_elr(int32_t min_isr, const std::vector<BrokerId>& old_isr, const std::vector<BrokerId>& target_isr,
               const std::vector<BrokerId>& unclean_shutdown, std::vector<BrokerId>& elr,
               std::vector<BrokerId>& last_known_elr) {
    if (static_cast<int32_t>(target_isr.size()) >= min_isr) {
        elr.clear();
        last_known_elr.clear();
        return;
    }
    std::set<BrokerId> candidates(elr.begin(), elr.end());
    candidates.insert(old_isr.begin(), old_isr.end());
    elr.clear();
    for (BrokerId b : candidates)
        if (!contains(target_isr, b) && !contains(unclean_shutdown, b)) elr.push_back(b);
    candidates.insert(last_known_elr.begin(), last_known_elr.end());
    last_known_elr.clear();
    for (BrokerId b : candidates)
        if (!contains(target_isr, b) && !contains(elr, b)) last_known_elr.push_back(b);
}

}  // namespace

std::optional<sim::Time> QuorumController::last_heartbeat(BrokerId id) const {
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return std::nullopt;
    return it->second.last_heartbeat;
}

std::string QuorumController::describe_change(const MetadataRecord& record) const {
    std::string text = describe_record(record);
    TopicId id = 0;
    int32_t partition = -1;
    if (const auto* r = std::get_if<PartitionChangeRecord>(&record)) {
        id = r->topic_id;
        partition = r->partition;
    } else if (const auto* p = std::get_if<PartitionRecord>(&record)) {
        id = p->topic_id;
        partition = p->partition;
    }
    const TopicImage* topic = partition >= 0 ? image_.topic(id) : nullptr;
    if (!topic) return text;
    const std::string token = "(t" + std::to_string(id) + "-";
    auto pos = text.find(token);
    if (pos != std::string::npos) text.replace(pos, token.size(), "(" + topic->name + "-");
    return text;
}

// ---------------------------------------------------------------- elections

bool QuorumController::acceptable(BrokerId id, const Eligibility& eligibility) const {
    if (contains(eligibility.removed, id)) return false;
    if (id == eligibility.added) return true;
    return image_.is_active(id);
}

// Kafka's PartitionChangeBuilder with Election.ONLINE (or UNCLEAN when the topic enables it):
// drop the removed brokers from the ISR; without ELR never empty it (the last member stays);
// keep the current leader if it may still lead, else the first replica in assignment order
// that is in the target ISR (or, with ELR and an empty ISR, in the ELR) and may lead; else, if
// unclean election is enabled, the first replica that may lead, with ISR = {it} and the
// leader recovering (KIP-704). A leader taken from the ELR starts with ISR = {it}.
std::optional<PartitionChangeRecord> QuorumController::partition_change(const TopicImage& topic,
                                                                        const PartitionState& p,
                                                                        const Eligibility& eligibility) const {
    ChangeTarget target = target_of(p);
    for (BrokerId b : eligibility.removed) {
        auto it = std::find(target.isr.begin(), target.isr.end(), b);
        if (it != target.isr.end() && (elr_enabled() || target.isr.size() > 1)) target.isr.erase(it);
    }
    target.election = unclean_election_enabled(topic) ? Election::unclean : Election::online;
    return build_change(topic, p, std::move(target), eligibility);
}

QuorumController::ChangeTarget QuorumController::target_of(const PartitionState& p) {
    ChangeTarget t;
    t.isr = p.isr;
    t.replicas = p.replicas;
    t.adding = p.adding_replicas;
    t.removing = p.removing_replicas;
    return t;
}

std::optional<PartitionChangeRecord> QuorumController::build_change(const TopicImage& topic, const PartitionState& p,
                                                                    ChangeTarget target,
                                                                    const Eligibility& eligibility) const {
    // PartitionReassignmentReplicas.maybeCompleteReassignment (KIP-455): once the ISR without
    // the removing replicas still holds someone and holds every remaining replica, the removing
    // ones leave the replicas and the ISR and the reassignment is over.
    if (!target.adding.empty() || !target.removing.empty()) {
        std::vector<BrokerId> isr, replicas;
        for (BrokerId b : target.isr)
            if (!contains(target.removing, b)) isr.push_back(b);
        for (BrokerId b : target.replicas)
            if (!contains(target.removing, b)) replicas.push_back(b);
        bool complete = !isr.empty() && !replicas.empty();
        for (BrokerId b : replicas) complete = complete && contains(isr, b);
        if (complete) {
            target.isr = std::move(isr);
            target.replicas = std::move(replicas);
            target.adding.clear();
            target.removing.clear();
        }
    }
    const bool elr_on = elr_enabled();
    std::vector<BrokerId> isr = std::move(target.isr);
    std::vector<BrokerId> elr = p.elr, last_known_elr = p.last_known_elr;
    if (elr_on) track_elr(min_insync_replicas(topic), p.isr, isr, eligibility.unclean_shutdown, elr, last_known_elr);
    auto may_lead = [&](BrokerId r) {
        return (contains(isr, r) || (isr.empty() && contains(elr, r))) && acceptable(r, eligibility);
    };
    const std::vector<BrokerId>& replicas = target.replicas;
    BrokerId leader = no_leader;
    bool unclean = false;
    if (target.election == Election::preferred && !replicas.empty() && may_lead(replicas.front())) {
        leader = replicas.front();
    } else if (p.leader != no_leader && may_lead(p.leader)) {
        leader = p.leader;
    } else {
        for (BrokerId r : replicas) {
            if (may_lead(r)) {
                leader = r;
                break;
            }
        }
        if (leader == no_leader && target.election == Election::unclean) {
            for (BrokerId r : replicas) {
                if (acceptable(r, eligibility)) {
                    leader = r;
                    unclean = true;
                    break;
                }
            }
        }
    }
    bool recovering = target.leader_recovering.value_or(p.leader_recovering);
    if (unclean) {
        isr = {leader};  // data loss is possible: the new leader's log becomes the truth
        recovering = true;
        elr.clear();
        last_known_elr.clear();
    } else if (leader != p.leader && leader != no_leader) {
        recovering = false;
        if (contains(elr, leader)) {  // elected from the ELR (KIP-966)
            isr = {leader};
            elr.erase(std::find(elr.begin(), elr.end(), leader));
        }
    }
    // triggerLeaderEpochBumpForReplicaReassignmentIfNeeded: a replica leaving the assignment
    // bumps the leader epoch even when the leader stays.
    bool replica_left = false;
    for (BrokerId r : p.replicas) replica_left = replica_left || !contains(replicas, r);
    const bool replicas_change =
        replicas != p.replicas || target.adding != p.adding_replicas || target.removing != p.removing_replicas;
    if (leader == p.leader && !replica_left && isr == p.isr && recovering == p.leader_recovering &&
        elr == p.elr && last_known_elr == p.last_known_elr && !replicas_change)
        return std::nullopt;

    PartitionChangeRecord change;
    change.topic_id = p.tp.topic_id;
    change.partition = p.tp.partition;
    if (leader != p.leader || replica_left) {
        change.has_leader = true;
        change.leader = leader;
    }
    if (isr != p.isr) {
        change.has_isr = true;
        change.isr = std::move(isr);
    }
    change.leader_recovering = recovering;
    change.has_elr = elr != p.elr;
    if (change.has_elr) change.elr = std::move(elr);
    change.has_last_known_elr = last_known_elr != p.last_known_elr;
    if (change.has_last_known_elr) change.last_known_elr = std::move(last_known_elr);
    if (replicas_change) {
        change.has_replicas = true;
        change.replicas = std::move(target.replicas);
        change.adding_replicas = std::move(target.adding);
        change.removing_replicas = std::move(target.removing);
    }
    return change;
}

void QuorumController::generate_partition_changes(const Eligibility& eligibility,
                                                  std::vector<MetadataRecord>& out) const {
    if (eligibility.removed.empty() && image_.offline_partition_count() == 0) return;
    for (const auto& [id, topic] : image_.topics()) {
        (void)id;
        for (const PartitionState& p : topic.partitions) {
            bool affected = p.leader == no_leader;
            for (size_t i = 0; !affected && i < eligibility.removed.size(); ++i)
                affected = contains(p.isr, eligibility.removed[i]) || p.leader == eligibility.removed[i] ||
                           contains(p.elr, eligibility.removed[i]);
            if (!affected) continue;
            if (auto change = partition_change(topic, p, eligibility)) out.emplace_back(std::move(*change));
        }
    }
}

void QuorumController::fence_brokers(const std::vector<BrokerId>& in_order, std::vector<MetadataRecord>& out) const {
    generate_partition_changes(Eligibility{in_order, no_leader, {}}, out);
    for (BrokerId b : in_order) {
        const BrokerRegistration* reg = image_.broker(b);
        if (reg && !reg->fenced) out.emplace_back(FenceBrokerRecord{b, reg->epoch});
    }
}

bool QuorumController::has_valid_session(BrokerId id, sim::Time now) const {
    const BrokerRegistration* reg = image_.broker(id);
    if (reg == nullptr || reg->fenced) return false;
    auto it = sessions_.find(id);
    if (it == sessions_.end()) return false;
    return now - it->second.last_heartbeat <= sim::milliseconds(config_.broker_session_timeout_ms);
}

int64_t QuorumController::lowest_active_metadata_offset() const {
    int64_t lowest = INT64_MAX;
    for (const auto& [id, reg] : image_.brokers()) {
        if (reg.fenced || reg.in_controlled_shutdown) continue;
        auto it = sessions_.find(id);
        lowest = std::min(lowest, it == sessions_.end() ? int64_t{-1} : it->second.metadata_offset);
    }
    return lowest;
}

// ---------------------------------------------------------------- broker lifecycle

QuorumController::Result QuorumController::handle_broker_registration(const BrokerRegistrationRequest& request,
                                                                      int64_t next_offset, sim::Time now) {
    Result result;
    BrokerRegistrationResponse response;
    response.correlation_id = request.correlation_id;
    if (const BrokerRegistration* old = image_.broker(request.broker_id)) {
        // ClusterControlManager.registerBroker (KIP-631, since the first KRaft release, 2.8): while
        // the registered incarnation still has a valid session (unfenced, heard from within
        // broker.session.timeout.ms: BrokerHeartbeatManager.hasValidSession), another incarnation
        // is refused; the old one keeps its leaderships until its session expires and tick()
        // fences it.
        if (old->incarnation_id != request.incarnation_id && has_valid_session(request.broker_id, now)) {
            response.error = Error::duplicate_broker_registration;
            result.response = response;
            return result;
        }
        // The old incarnation is gone (a restart). Its previous broker epoch, read from the
        // clean-shutdown file, tells a clean stop from a crash (KIP-966). Without ELR it is
        // treated as fenced, leading nothing and leaving the ISRs, as Kafka 3.8+ does for an
        // unclean shutdown; with ELR only an unclean shutdown removes it, from the ELR too, and a
        // cleanly stopped ELR member keeps its place.
        const bool unclean = request.previous_broker_epoch != old->epoch;
        if (!elr_enabled()) {
            generate_partition_changes(Eligibility{{request.broker_id}, no_leader, {}}, result.records);
        } else if (unclean) {
            generate_partition_changes(Eligibility{{request.broker_id}, no_leader, {request.broker_id}},
                                       result.records);
        }
    }
    RegisterBrokerRecord record;
    record.broker_id = request.broker_id;
    record.broker_epoch = next_offset + static_cast<int64_t>(result.records.size());
    record.incarnation_id = request.incarnation_id;
    record.fenced = true;
    result.records.emplace_back(record);
    sessions_[request.broker_id] = Session{now, -1, -1};
    response.broker_epoch = record.broker_epoch;
    result.response = response;
    return result;
}

QuorumController::Result QuorumController::handle_broker_heartbeat(const BrokerHeartbeatRequest& request,
                                                                   int64_t next_offset, sim::Time now) {
    Result result;
    BrokerHeartbeatResponse response;
    response.correlation_id = request.correlation_id;
    const BrokerId id = request.broker_id;
    const BrokerRegistration* reg = image_.broker(id);
    if (!reg) {
        response.error = Error::broker_id_not_registered;
        result.response = response;
        return result;
    }
    if (reg->epoch != request.broker_epoch) {
        response.error = Error::stale_broker_epoch;
        result.response = response;
        return result;
    }
    Session& session = sessions_[id];
    session.last_heartbeat = now;
    session.metadata_offset = request.current_metadata_offset;
    const bool caught_up = request.current_metadata_offset >= reg->epoch;

    // BrokerHeartbeatManager.calculateNextBrokerState
    const BrokerState current = reg->fenced                   ? BrokerState::fenced
                                : reg->in_controlled_shutdown ? BrokerState::controlled_shutdown
                                                              : BrokerState::unfenced;
    const bool has_leaderships = image_.partitions_led_by(id) > 0;
    BrokerState next = current;
    switch (current) {
        case BrokerState::fenced:
            if (request.want_shut_down) next = BrokerState::shutdown_now;
            else if (!request.want_fence && caught_up) next = BrokerState::unfenced;
            break;
        case BrokerState::unfenced:
            if (request.want_fence) next = request.want_shut_down ? BrokerState::shutdown_now : BrokerState::fenced;
            else if (request.want_shut_down)
                next = has_leaderships ? BrokerState::controlled_shutdown : BrokerState::shutdown_now;
            break;
        case BrokerState::controlled_shutdown:
            // Shut down once it leads nothing and every active broker has seen the records
            // that moved its leaderships.
            if (!has_leaderships && session.controlled_shutdown_offset <= lowest_active_metadata_offset())
                next = BrokerState::shutdown_now;
            break;
        case BrokerState::shutdown_now: break;
    }

    if (next != current) {
        switch (next) {
            case BrokerState::fenced:
            case BrokerState::shutdown_now:
                fence_brokers({id}, result.records);
                break;
            case BrokerState::unfenced:
                result.records.emplace_back(UnfenceBrokerRecord{id, reg->epoch});
                generate_partition_changes(Eligibility{{}, id, {}}, result.records);
                break;
            case BrokerState::controlled_shutdown:
                result.records.emplace_back(BrokerRegistrationChangeRecord{id, reg->epoch, true});
                generate_partition_changes(Eligibility{{id}, no_leader, {}}, result.records);
                session.controlled_shutdown_offset = next_offset + static_cast<int64_t>(result.records.size()) - 1;
                break;
        }
    }
    response.is_caught_up = caught_up;
    response.is_fenced = next == BrokerState::fenced || next == BrokerState::shutdown_now;
    response.should_shut_down = next == BrokerState::shutdown_now;
    result.response = response;
    return result;
}

std::vector<MetadataRecord> QuorumController::tick(sim::Time now) {
    std::vector<MetadataRecord> out;
    const sim::Duration timeout = sim::milliseconds(config_.broker_session_timeout_ms);
    std::vector<std::pair<sim::Time, BrokerId>> expired;  // fenced oldest session first
    for (const auto& [id, reg] : image_.brokers()) {
        if (reg.fenced) continue;
        auto it = sessions_.find(id);
        if (it == sessions_.end()) {
            sessions_[id] = Session{now, -1, -1};  // registered under another controller: a full session
            continue;
        }
        if (now - it->second.last_heartbeat > timeout) expired.emplace_back(it->second.last_heartbeat, id);
    }
    std::sort(expired.begin(), expired.end());
    std::vector<BrokerId> removed;
    removed.reserve(expired.size());
    for (const auto& e : expired) removed.push_back(e.second);
    fence_brokers(removed, out);  // also elects leaders for offline partitions
    return out;
}

std::vector<MetadataRecord> QuorumController::balance_partition_leaders(sim::Time now) {
    std::vector<MetadataRecord> out;
    if (!config_.auto_leader_rebalance_enable) return out;
    bool imbalanced = false;
    for (const auto& [id, topic] : image_.topics()) {
        (void)id;
        for (const PartitionState& p : topic.partitions)
            if (!p.replicas.empty() && p.leader != p.replicas.front()) imbalanced = true;
    }
    if (!imbalanced) {
        balance_at_.reset();
        return out;
    }
    if (!balance_at_) {
        balance_at_ = now + sim::seconds(config_.leader_imbalance_check_interval_seconds);
        return out;
    }
    if (now < *balance_at_) return out;
    balance_at_.reset();  // still imbalanced afterwards: the next tick schedules another check
    // PartitionChangeBuilder with Election.PREFERRED: the preferred replica if it is in the ISR
    // and may lead (unfenced, not shutting down); the ISR stays as it is.
    for (const auto& [id, topic] : image_.topics()) {
        (void)id;
        for (const PartitionState& p : topic.partitions) {
            if (p.replicas.empty()) continue;
            const BrokerId preferred = p.replicas.front();
            if (p.leader == preferred || !contains(p.isr, preferred) || !image_.is_active(preferred)) continue;
            PartitionChangeRecord change;
            change.topic_id = p.tp.topic_id;
            change.partition = p.tp.partition;
            change.has_leader = true;
            change.leader = preferred;
            change.leader_recovering = false;
            out.emplace_back(std::move(change));
        }
    }
    return out;
}

// ---------------------------------------------------------------- partitions

QuorumController::Result QuorumController::handle_alter_partition(const AlterPartitionRequest& request, int64_t,
                                                                  sim::Time) {
    Result result;
    AlterPartitionResponse response;
    response.correlation_id = request.correlation_id;
    response.tp = request.tp;
    auto fail = [&](Error e) {
        response.error = e;
        result.response = response;
        return result;
    };
    const BrokerRegistration* reg = image_.broker(request.broker_id);
    if (!reg || reg->epoch != request.broker_epoch) return fail(Error::stale_broker_epoch);
    const PartitionState* p = image_.partition(request.tp);
    if (!p) return fail(Error::unknown_topic_or_partition);
    if (request.leader_epoch != p->leader_epoch) return fail(Error::fenced_leader_epoch);
    if (request.broker_id != p->leader) return fail(Error::not_leader_or_follower);
    if (request.partition_epoch != p->partition_epoch) return fail(Error::invalid_update_version);
    const std::vector<BrokerId>& isr = request.new_isr;
    if (isr.empty() || has_duplicates(isr) || !contains(isr, p->leader)) return fail(Error::invalid_request);
    for (BrokerId b : isr)
        if (!contains(p->replicas, b)) return fail(Error::invalid_request);
    // KIP-841: a replica may join only if it is unfenced and not shutting down.
    for (BrokerId b : isr)
        if (!contains(p->isr, b) && !image_.is_active(b)) return fail(Error::ineligible_replica);

    response.leader = p->leader;
    response.leader_epoch = p->leader_epoch;
    response.partition_epoch = p->partition_epoch;
    response.isr = isr;
    if (p->reassigning()) {
        // The full PartitionChangeBuilder: this ISR may complete the reassignment (KIP-455), and
        // a leader that is being removed then gives way to a target replica. The leader learns
        // of it with NEW_LEADER_ELECTED and reads the new state from the metadata log.
        const TopicImage* topic = image_.topic(request.tp.topic_id);
        ChangeTarget target = target_of(*p);
        target.isr = isr;
        target.leader_recovering = false;
        if (auto change = build_change(*topic, *p, std::move(target), Eligibility{})) {
            if (change->has_leader && change->leader != request.broker_id) {
                response.error = Error::new_leader_elected;
                response.isr.clear();
            } else {
                if (change->has_leader) response.leader_epoch = p->leader_epoch + 1;
                if (change->has_isr) response.isr = change->isr;
                response.partition_epoch = p->partition_epoch + 1;
            }
            result.records.emplace_back(std::move(*change));
        }
        result.response = response;
        return result;
    }
    std::vector<BrokerId> elr = p->elr, last_known_elr = p->last_known_elr;
    if (elr_enabled()) {
        const TopicImage* topic = image_.topic(request.tp.topic_id);
        track_elr(min_insync_replicas(*topic), p->isr, isr, {}, elr, last_known_elr);
    }
    // An AlterPartition from the leader also completes its recovery (KIP-704 RECOVERED).
    if (isr != p->isr || p->leader_recovering || elr != p->elr || last_known_elr != p->last_known_elr) {
        PartitionChangeRecord change;
        change.topic_id = request.tp.topic_id;
        change.partition = request.tp.partition;
        change.has_isr = isr != p->isr;
        if (change.has_isr) change.isr = isr;
        change.has_elr = elr != p->elr;
        if (change.has_elr) change.elr = elr;
        change.has_last_known_elr = last_known_elr != p->last_known_elr;
        if (change.has_last_known_elr) change.last_known_elr = last_known_elr;
        change.leader_recovering = false;
        result.records.emplace_back(std::move(change));
        response.partition_epoch = p->partition_epoch + 1;
    }
    result.response = response;
    return result;
}

QuorumController::Result QuorumController::handle_create_topics(const CreateTopicsRequest& request, int64_t,
                                                                sim::Time) {
    Result result;
    CreateTopicsResponse response;
    response.correlation_id = request.correlation_id;

    std::map<std::string, int> name_counts;
    for (const CreatableTopic& t : request.topics) ++name_counts[t.name];

    // Brokers that may receive new replicas (ClusterControlManager.usableBrokers), by id.
    std::vector<BrokerId> usable;
    for (const auto& [id, reg] : image_.brokers())
        if (!reg.fenced && !reg.in_controlled_shutdown) usable.push_back(id);

    TopicId next_id = image_.max_topic_id() + 1;
    for (const CreatableTopic& t : request.topics) {
        CreateTopicsResponse::Result r;
        r.name = t.name;
        auto reject = [&](Error e) {
            r.error = e;
            response.topics.push_back(r);
        };
        if (t.name.empty() || name_counts[t.name] > 1) {
            reject(Error::invalid_request);
            continue;
        }
        if (image_.topic(t.name)) {
            r.message = "Topic '" + t.name + "' already exists.";
            reject(Error::topic_already_exists);
            continue;
        }
        std::vector<std::vector<BrokerId>> assignment;
        std::vector<std::vector<BrokerId>> isrs;
        if (!t.assignment.empty()) {
            bool ok = true;
            for (const auto& replicas : t.assignment) {
                if (replicas.empty() || has_duplicates(replicas)) ok = false;
                std::vector<BrokerId> isr;
                for (BrokerId b : replicas) {
                    if (!image_.is_registered(b)) ok = false;
                    if (image_.is_active(b)) isr.push_back(b);
                }
                if (isr.empty()) ok = false;  // every replica fenced or shutting down
                isrs.push_back(std::move(isr));
            }
            if (!ok) {
                reject(Error::invalid_request);  // Kafka: INVALID_REPLICA_ASSIGNMENT
                continue;
            }
            assignment = t.assignment;
        } else {
            const int32_t partitions = t.num_partitions == -1 ? config_.num_partitions : t.num_partitions;
            const int32_t rf = t.replication_factor == -1 ? config_.default_replication_factor : t.replication_factor;
            if (partitions < 1) {
                reject(Error::invalid_request);  // Kafka: INVALID_PARTITIONS
                continue;
            }
            if (rf < 1 || static_cast<size_t>(rf) > usable.size()) {
                r.message = rf < 1 ? "Replication factor must be larger than 0, or -1 to use the default value."
                                   : "Unable to replicate the partition " + std::to_string(rf) +
                                         " time(s): The target replication factor of " + std::to_string(rf) +
                                         " cannot be reached because only " + std::to_string(usable.size()) +
                                         " broker(s) are registered.";
                reject(Error::invalid_replication_factor);
                continue;
            }
            assignment = assign_replicas(usable, partitions, rf, rng_);
            isrs = assignment;
        }

        r.topic_id = next_id++;
        result.records.emplace_back(TopicRecord{t.name, r.topic_id});
        for (const auto& [name, value] : t.configs) result.records.emplace_back(ConfigRecord{r.topic_id, name, value});
        for (size_t i = 0; i < assignment.size(); ++i) {
            PartitionRecord pr;
            pr.topic_id = r.topic_id;
            pr.partition = static_cast<int32_t>(i);
            pr.replicas = assignment[i];
            pr.isr = isrs[i];
            pr.leader = isrs[i].front();
            pr.leader_epoch = 0;
            pr.partition_epoch = 0;
            result.records.emplace_back(std::move(pr));
        }
        response.topics.push_back(r);
    }
    result.response = response;
    return result;
}

// ---------------------------------------------------------------- Admin API

namespace {

// Brokers that may receive new replicas (ClusterControlManager.usableBrokers), by id.
std::vector<BrokerId> usable_brokers(const MetadataImage& image) {
    std::vector<BrokerId> usable;
    for (const auto& [id, reg] : image.brokers())
        if (!reg.fenced && !reg.in_controlled_shutdown) usable.push_back(id);
    return usable;
}

// The default messages of org.apache.kafka.common.protocol.Errors: what the Admin client's
// exception says (and the tools print) when the controller sends no message of its own.
constexpr const char* unknown_topic_message = "This server does not host this topic-partition.";
constexpr const char* election_not_needed_message = "Leader election not needed for topic partition.";

std::string trim_text(const std::string& s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return s.substr(b, e - b);
}

// Integer.parseInt / Long.parseLong: an optional sign, then decimal digits only.
std::optional<int64_t> parse_java_integer(const std::string& s, int64_t lo, int64_t hi) {
    size_t i = 0;
    bool negative = false;
    if (i < s.size() && (s[i] == '+' || s[i] == '-')) negative = s[i++] == '-';
    if (i == s.size()) return std::nullopt;
    __int128 v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') return std::nullopt;
        v = v * 10 + (s[i] - '0');
        if (v > static_cast<__int128>(INT64_MAX) + 1) return std::nullopt;
    }
    if (negative) v = -v;
    if (v < lo || v > hi) return std::nullopt;
    return static_cast<int64_t>(v);
}

std::vector<BrokerId> sorted_difference(const std::vector<BrokerId>& a, const std::vector<BrokerId>& b) {
    std::set<BrokerId> out(a.begin(), a.end());
    for (BrokerId x : b) out.erase(x);
    return {out.begin(), out.end()};
}

}  // namespace

// LogConfig.validate for one topic config: ConfigDef.parseType, then the key's range
// (ConfigDef.Range), with ConfigException's message "Invalid value <v> for configuration <k>:
// <why>". nullopt when the value is good; `out` then holds it typed as the key table has it.
std::optional<std::string> parse_topic_config(const ConfigKey& key, const std::string& text, ConfigValue& out) {
    auto invalid = [&](const std::string& why) {
        return "Invalid value " + text + " for configuration " + std::string(key.name) + ": " + why;
    };
    const std::string trimmed = trim_text(text);
    switch (key.type) {
        case ConfigType::boolean: {
            std::string l = trimmed;
            for (char& c : l) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            if (l != "true" && l != "false") return invalid("Expected value to be either true or false");
            out = l == "true";
            return std::nullopt;
        }
        case ConfigType::acks:
        case ConfigType::integer: {
            // INT or LONG as Kafka declares the key: the field it is read into, else its range.
            bool is_int = std::holds_alternative<int32_t TopicConfig::*>(key.topic_field);
            if (std::holds_alternative<std::monostate>(key.topic_field))
                is_int = key.max_value <= i32_max && key.min_value >= INT32_MIN;
            const auto v = is_int ? parse_java_integer(trimmed, INT32_MIN, i32_max)
                                  : parse_java_integer(trimmed, i64_min, i64_max);
            if (!v) return invalid(std::string("Not a number of type ") + (is_int ? "INT" : "LONG"));
            if (*v < key.min_value) return invalid("Value must be at least " + std::to_string(key.min_value));
            if (*v > key.max_value) return invalid("Value must be no more than " + std::to_string(key.max_value));
            out = *v;
            return std::nullopt;
        }
        case ConfigType::ratio: {
            char* end = nullptr;
            const double d = trimmed.empty() ? 0.0 : std::strtod(trimmed.c_str(), &end);
            if (trimmed.empty() || end != trimmed.c_str() + trimmed.size()) return invalid("Not a number of type DOUBLE");
            if (d < static_cast<double>(key.min_value))
                return invalid("Value must be at least " + std::to_string(key.min_value));
            if (d > static_cast<double>(key.max_value))
                return invalid("Value must be no more than " + std::to_string(key.max_value));
            out = d;
            return std::nullopt;
        }
        case ConfigType::string:
            out = trimmed;
            return std::nullopt;
    }
    return std::nullopt;
}


std::string QuorumController::check_manual_assignment(const std::vector<BrokerId>& replicas,
                                                      std::optional<size_t> replication_factor) const {
    if (replicas.empty()) return "The manual partition assignment includes an empty replica list.";
    std::vector<BrokerId> sorted = replicas;
    std::sort(sorted.begin(), sorted.end());
    for (size_t i = 0; i < sorted.size(); ++i) {
        if (!image_.is_registered(sorted[i]))
            return "The manual partition assignment includes broker " + std::to_string(sorted[i]) +
                   ", but no such broker is registered.";
        if (i > 0 && sorted[i] == sorted[i - 1])
            return "The manual partition assignment includes the broker " + std::to_string(sorted[i]) +
                   " more than once.";
    }
    if (replication_factor && sorted.size() != *replication_factor)
        return "The manual partition assignment includes a partition with " + std::to_string(sorted.size()) +
               " replica(s), but this is not consistent with previous partitions, which have " +
               std::to_string(*replication_factor) + " replica(s).";
    return "";
}

// ControllerApis.deleteTopics + ReplicationControlManager.deleteTopic: one RemoveTopicRecord per
// topic; brokers drop the topic from their metadata at once and delete their replicas' logs.
QuorumController::Result QuorumController::handle_delete_topics(const DeleteTopicsRequest& request) {
    Result result;
    DeleteTopicsResponse response;
    response.correlation_id = request.correlation_id;
    std::map<std::string, int> name_counts;
    for (const std::string& name : request.topics) ++name_counts[name];
    for (const std::string& name : request.topics) {
        DeleteTopicsResponse::Result r;
        r.name = name;
        const TopicImage* topic = image_.topic(name);
        if (!config_.delete_topic_enable) {
            r.error = Error::topic_deletion_disabled;
            r.message = "Topic deletion is disabled.";
        } else if (name_counts[name] > 1) {
            r.error = Error::invalid_request;
            r.message = "Duplicate topic name.";
        } else if (topic == nullptr) {
            r.error = Error::unknown_topic_or_partition;
            r.message = unknown_topic_message;
        } else {
            result.records.emplace_back(RemoveTopicRecord{topic->id});
        }
        response.topics.push_back(std::move(r));
    }
    result.response = response;
    return result;
}

// ReplicationControlManager.createPartitions: the new partitions get the topic's replication
// factor (that of its first partition), placed as CreateTopics places them or as given.
QuorumController::Result QuorumController::handle_create_partitions(const CreatePartitionsRequest& request) {
    Result result;
    CreatePartitionsResponse response;
    response.correlation_id = request.correlation_id;
    const std::vector<BrokerId> usable = usable_brokers(image_);
    for (const CreatePartitionsRequest::Topic& t : request.topics) {
        CreatePartitionsResponse::Result r;
        r.name = t.name;
        auto fail = [&](Error e, std::string message) {
            r.error = e;
            r.message = std::move(message);
        };
        const TopicImage* topic = image_.topic(t.name);
        const int32_t current = topic ? static_cast<int32_t>(topic->partitions.size()) : 0;
        const int32_t additional = t.count - current;
        if (topic == nullptr) {
            fail(Error::unknown_topic_or_partition, unknown_topic_message);
        } else if (t.count == current) {
            fail(Error::invalid_partitions, "Topic already has " + std::to_string(current) + " partition(s).");
        } else if (t.count < current) {
            fail(Error::invalid_partitions, "The topic " + t.name + " currently has " + std::to_string(current) +
                                                " partition(s); " + std::to_string(t.count) +
                                                " would not be an increase.");
        } else if (!t.assignment.empty() && t.assignment.size() != static_cast<size_t>(additional)) {
            fail(Error::invalid_replica_assignment,
                 "Attempted to add " + std::to_string(additional) + " additional partition(s), but only " +
                     std::to_string(t.assignment.size()) + " assignment(s) were specified.");
        }
        if (r.error != Error::none) {
            response.topics.push_back(std::move(r));
            continue;
        }
        const size_t rf = topic->partitions.empty() ? 0 : topic->partitions.front().replicas.size();
        std::vector<std::vector<BrokerId>> assignment;
        if (!t.assignment.empty()) {
            for (size_t i = 0; i < t.assignment.size() && r.error == Error::none; ++i) {
                std::string message = check_manual_assignment(t.assignment[i], rf);
                bool any_active = false;
                for (BrokerId b : t.assignment[i]) any_active = any_active || image_.is_active(b);
                if (message.empty() && !any_active)
                    message = "All brokers specified in the manual partition assignment for partition " +
                              std::to_string(current + static_cast<int32_t>(i)) +
                              " are fenced or in controlled shutdown.";
                if (!message.empty()) fail(Error::invalid_replica_assignment, std::move(message));
            }
            assignment = t.assignment;
        } else if (rf > usable.size()) {
            // StripedReplicaPlacer.throwInvalidReplicationFactorIfTooFewBrokers (counting, as
            // CreateTopics does here, only the brokers that may take a replica).
            fail(Error::invalid_replication_factor, "The target replication factor of " + std::to_string(rf) +
                                                        " cannot be reached because only " +
                                                        std::to_string(usable.size()) + " broker(s) are registered.");
        } else {
            assignment = assign_replicas(usable, additional, static_cast<int>(rf), rng_);
        }
        if (r.error != Error::none) {
            response.topics.push_back(std::move(r));
            continue;
        }
        for (size_t i = 0; i < assignment.size(); ++i) {
            PartitionRecord pr;
            pr.topic_id = topic->id;
            pr.partition = current + static_cast<int32_t>(i);
            pr.replicas = assignment[i];
            for (BrokerId b : assignment[i])
                if (image_.is_active(b)) pr.isr.push_back(b);
            pr.leader = pr.isr.front();
            result.records.emplace_back(std::move(pr));
        }
        response.topics.push_back(std::move(r));
    }
    result.response = response;
    return result;
}

// ConfigurationControlManager.incrementalAlterConfigResource for topics: SET and DELETE change
// the topic's overrides (a ConfigRecord each, none when the value does not change), then
// ControllerConfigurationValidator checks every override (LogConfig.validate: names, then
// values) and the topic must exist. All or nothing per resource.
QuorumController::Result QuorumController::handle_incremental_alter_configs(
    const IncrementalAlterConfigsRequest& request) {
    Result result;
    IncrementalAlterConfigsResponse response;
    response.correlation_id = request.correlation_id;
    for (const IncrementalAlterConfigsRequest::Resource& res : request.resources) {
        IncrementalAlterConfigsResponse::Result r;
        r.type = res.type;
        r.name = res.name;
        auto fail = [&](Error e, std::string message) {
            r.error = e;
            r.message = std::move(message);
            response.resources.push_back(r);
        };
        if (res.type == ConfigResourceType::broker) {
            // Dynamic broker configs (kafka-configs --entity-type brokers) would need the brokers
            // to re-read their own config from the metadata log: not modelled yet.
            fail(Error::invalid_request, "Dynamic broker configs are not supported by this simulator yet");
            continue;
        }
        if (res.name.empty()) {
            fail(Error::invalid_request, "Default topic resources are not allowed.");
            continue;
        }
        const TopicImage* topic = image_.topic(res.name);
        ConfigMap configs = topic ? topic->configs : ConfigMap{};
        std::vector<ConfigRecord> records;
        std::vector<std::pair<const ConfigKey*, const IncrementalAlterConfigsRequest::Op*>> sets;
        std::string unknown;
        for (const IncrementalAlterConfigsRequest::Op& op : res.ops) {
            if (op.op == AlterConfigOpType::remove) {
                if (configs.erase(op.name) > 0) records.push_back(ConfigRecord{0, op.name, ConfigValue{}, true});
                continue;
            }
            const ConfigKey* key = find_config_key(op.name);
            if (key == nullptr || (key->scopes & scope_topic) == 0) {
                if (unknown.empty()) unknown = op.name;
                continue;
            }
            sets.emplace_back(key, &op);
        }
        if (!unknown.empty()) {
            fail(Error::invalid_config, "Unknown topic config name: " + unknown);
            continue;
        }
        std::string invalid;
        for (const auto& [key, op] : sets) {
            ConfigValue value;
            if (auto why = parse_topic_config(*key, op->value, value)) {
                if (invalid.empty()) invalid = *why;
                continue;
            }
            auto it = configs.find(op->name);
            if (it != configs.end() && it->second == value) continue;
            configs[op->name] = value;
            records.push_back(ConfigRecord{0, op->name, value, false});
        }
        if (!invalid.empty()) {
            fail(Error::invalid_config, invalid);
            continue;
        }
        if (topic == nullptr) {
            fail(Error::unknown_topic_or_partition, "The topic '" + res.name + "' does not exist.");
            continue;
        }
        for (ConfigRecord& c : records) {
            c.topic_id = topic->id;
            result.records.emplace_back(std::move(c));
        }
        response.resources.push_back(r);
    }
    result.response = response;
    return result;
}

std::pair<Error, std::string> QuorumController::elect_leader(const std::string& topic_name, int32_t partition,
                                                             ElectionType type,
                                                             std::vector<MetadataRecord>& out) const {
    const TopicImage* topic = image_.topic(topic_name);
    if (topic == nullptr) return {Error::unknown_topic_or_partition, "No such topic as " + topic_name};
    const PartitionState* p = topic->partition(partition);
    if (p == nullptr)
        return {Error::unknown_topic_or_partition,
                "No such partition as " + topic_name + "-" + std::to_string(partition)};
    const bool has_preferred_leader = !p->replicas.empty() && p->leader == p->replicas.front();
    if ((type == ElectionType::preferred && has_preferred_leader) ||
        (type == ElectionType::unclean && p->leader != no_leader))
        return {Error::election_not_needed, election_not_needed_message};
    ChangeTarget target = target_of(*p);
    target.election = type == ElectionType::preferred ? Election::preferred : Election::unclean;
    auto change = build_change(*topic, *p, std::move(target), Eligibility{});
    if (!change) {
        if (type == ElectionType::preferred)
            return {Error::preferred_leader_not_available, "The preferred leader was not available."};
        return {Error::eligible_leaders_not_available, "Eligible topic partition leaders are not available."};
    }
    out.emplace_back(std::move(*change));
    return {Error::none, ""};
}

// ReplicationControlManager.electLeaders: PREFERRED elects the first replica if it is in the
// ISR and may lead; UNCLEAN elects in a leaderless partition an ISR member that may lead, else
// any replica that may lead (whatever unclean.leader.election.enable says). For all partitions
// (an empty list), those that need no election are left out of the answer.
QuorumController::Result QuorumController::handle_elect_leaders(const ElectLeadersRequest& request) {
    Result result;
    ElectLeadersResponse response;
    response.correlation_id = request.correlation_id;
    if (request.partitions.empty()) {
        std::vector<const TopicImage*> topics;  // by name, for a stable answer
        for (const auto& [id, topic] : image_.topics()) {
            (void)id;
            topics.push_back(&topic);
        }
        std::sort(topics.begin(), topics.end(),
                  [](const TopicImage* a, const TopicImage* b) { return a->name < b->name; });
        for (const TopicImage* topic : topics) {
            for (const PartitionState& p : topic->partitions) {
                auto [error, message] = elect_leader(topic->name, p.tp.partition, request.type, result.records);
                if (error == Error::election_not_needed) continue;
                response.partitions.push_back({{topic->name, p.tp.partition}, error, std::move(message)});
            }
        }
    } else {
        for (const TopicPartitionName& tp : request.partitions) {
            auto [error, message] = elect_leader(tp.topic, tp.partition, request.type, result.records);
            response.partitions.push_back({tp, error, std::move(message)});
        }
    }
    result.response = response;
    return result;
}

// ReplicationControlManager.alterPartitionReassignments (KIP-455). A target: replicas = target
// + removing (the current replicas not in the target, by id), adding = target - current, by
// id (PartitionReassignmentReplicas); a running reassignment is replaced the same way, from the
// current replica set. It completes in the same record when the ISR already holds every target
// replica. A cancel (no target) reverts to the replicas before it (PartitionReassignmentRevert).
QuorumController::Result QuorumController::handle_alter_partition_reassignments(
    const AlterPartitionReassignmentsRequest& request) {
    Result result;
    AlterPartitionReassignmentsResponse response;
    response.correlation_id = request.correlation_id;
    for (const AlterPartitionReassignmentsRequest::Partition& part : request.partitions) {
        AlterPartitionReassignmentsResponse::Result r;
        r.tp = part.tp;
        auto fail = [&](Error e, std::string message) {
            r.error = e;
            r.message = std::move(message);
        };
        const TopicImage* topic = image_.topic(part.tp.topic);
        const PartitionState* p = topic ? topic->partition(part.tp.partition) : nullptr;
        const std::string label = part.tp.topic + ":" + std::to_string(part.tp.partition);
        if (topic == nullptr) {
            fail(Error::unknown_topic_or_partition, "Unable to find a topic named " + part.tp.topic + ".");
        } else if (p == nullptr) {
            fail(Error::unknown_topic_or_partition, "Unable to find partition " + label + ".");
        } else if (!part.replicas) {
            if (!p->reassigning()) {
                fail(Error::no_reassignment_in_progress, "No partition reassignment is in progress.");
            } else {
                ChangeTarget target = target_of(*p);
                target.replicas.clear();
                for (BrokerId b : p->replicas)
                    if (!contains(p->adding_replicas, b)) target.replicas.push_back(b);
                target.isr.clear();
                for (BrokerId b : p->isr)
                    if (!contains(p->adding_replicas, b)) target.isr.push_back(b);
                target.adding.clear();
                target.removing.clear();
                const bool unclean_enabled = unclean_election_enabled(*topic);
                if (target.replicas.empty()) {
                    fail(Error::invalid_replica_assignment,
                         "Invalid replica assignment: addingReplicas contains all replicas.");
                } else if (target.isr.empty() && !unclean_enabled) {
                    fail(Error::invalid_replica_assignment, "Unable to revert partition assignment for " + label +
                                                                " because it would require an unclean leader "
                                                                "election.");
                } else {
                    if (target.isr.empty()) target.isr = {target.replicas.front()};
                    target.election = unclean_enabled ? Election::unclean : Election::online;
                    if (auto change = build_change(*topic, *p, std::move(target), Eligibility{}))
                        result.records.emplace_back(std::move(*change));
                }
            }
        } else if (std::string message = check_manual_assignment(*part.replicas, std::nullopt); !message.empty()) {
            fail(Error::invalid_replica_assignment, std::move(message));
        } else {
            const std::vector<BrokerId>& wanted = *part.replicas;
            const std::vector<BrokerId> removing = sorted_difference(p->replicas, wanted);
            const std::vector<BrokerId> adding = sorted_difference(wanted, p->replicas);
            std::vector<BrokerId> replicas = wanted;
            replicas.insert(replicas.end(), removing.begin(), removing.end());
            ChangeTarget target = target_of(*p);
            target.replicas = std::move(replicas);
            // As Kafka's builder: an empty list keeps the partition's own.
            if (!removing.empty()) target.removing = removing;
            if (!adding.empty()) target.adding = adding;
            if (auto change = build_change(*topic, *p, std::move(target), Eligibility{}))
                result.records.emplace_back(std::move(*change));
        }
        response.partitions.push_back(std::move(r));
    }
    result.response = response;
    return result;
}

ListPartitionReassignmentsResponse QuorumController::list_partition_reassignments(
    const ListPartitionReassignmentsRequest& request) const {
    ListPartitionReassignmentsResponse response;
    response.correlation_id = request.correlation_id;
    auto add = [&](const TopicImage& topic, const PartitionState& p) {
        if (!p.reassigning()) return;
        response.reassignments.push_back(
            {{topic.name, p.tp.partition}, p.replicas, p.adding_replicas, p.removing_replicas});
    };
    if (request.partitions.empty()) {
        for (const auto& [id, topic] : image_.topics()) {
            (void)id;
            for (const PartitionState& p : topic.partitions) add(topic, p);
        }
    } else {
        for (const TopicPartitionName& tp : request.partitions) {
            const TopicImage* topic = image_.topic(tp.topic);
            const PartitionState* p = topic ? topic->partition(tp.partition) : nullptr;
            if (p) add(*topic, *p);
        }
    }
    return response;
}

std::vector<MetadataRecord> QuorumController::elect_unclean_leaders(sim::Time now) {
    std::vector<MetadataRecord> out;
    if (image_.offline_partition_count() == 0) {
        unclean_check_at_.reset();
        return out;
    }
    if (!unclean_check_at_) {
        unclean_check_at_ = now + unclean_election_check_interval;
        return out;
    }
    if (now < *unclean_check_at_) return out;
    unclean_check_at_.reset();  // still leaderless afterwards: the next call schedules another check
    for (const auto& [id, topic] : image_.topics()) {
        (void)id;
        if (!unclean_election_enabled(topic)) continue;
        for (const PartitionState& p : topic.partitions)
            if (p.leader == no_leader) elect_leader(topic.name, p.tp.partition, ElectionType::unclean, out);
    }
    return out;
}

}  // namespace kafka
