#include "broker/controller/quorum_controller.hpp"

#include <algorithm>
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
    const bool elr_on = elr_enabled();
    std::vector<BrokerId> isr = p.isr;
    for (BrokerId b : eligibility.removed) {
        auto it = std::find(isr.begin(), isr.end(), b);
        if (it != isr.end() && (elr_on || isr.size() > 1)) isr.erase(it);
    }
    std::vector<BrokerId> elr = p.elr, last_known_elr = p.last_known_elr;
    if (elr_on) track_elr(min_insync_replicas(topic), p.isr, isr, eligibility.unclean_shutdown, elr, last_known_elr);
    auto may_lead = [&](BrokerId r) {
        return (contains(isr, r) || (isr.empty() && contains(elr, r))) && acceptable(r, eligibility);
    };
    BrokerId leader = no_leader;
    bool unclean = false;
    if (p.leader != no_leader && may_lead(p.leader)) {
        leader = p.leader;
    } else {
        for (BrokerId r : p.replicas) {
            if (may_lead(r)) {
                leader = r;
                break;
            }
        }
        if (leader == no_leader && unclean_election_enabled(topic)) {
            for (BrokerId r : p.replicas) {
                if (acceptable(r, eligibility)) {
                    leader = r;
                    unclean = true;
                    break;
                }
            }
        }
    }
    bool recovering = p.leader_recovering;
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
    if (leader == p.leader && isr == p.isr && recovering == p.leader_recovering && elr == p.elr &&
        last_known_elr == p.last_known_elr)
        return std::nullopt;

    PartitionChangeRecord change;
    change.topic_id = p.tp.topic_id;
    change.partition = p.tp.partition;
    if (leader != p.leader) {
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

}  // namespace kafka
