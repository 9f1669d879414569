#include "broker/replica/replica_manager.hpp"

#include <algorithm>

#include "broker/group/group_coordinator.hpp"
#include "broker/txn/transaction_coordinator.hpp"

namespace kafka {

namespace {

// A longer flusher interval never fires within a run (kafkasim runs at most an hour) and would
// overflow microseconds: Kafka's default, Long.MAX_VALUE, means no flusher.
constexpr int64_t max_flush_scheduler_interval_ms = int64_t{1} << 40;
// LogManager.InitialTaskDelayMs: the first retention run comes 30 s after startup.
constexpr int64_t retention_initial_delay_ms = 30 * 1000;
// WriteTxnMarkers appends wait up to the broker's request.timeout.ms (KafkaApis passes
// config.requestTimeoutMs); the model has no broker key for it, so Kafka's default.
constexpr int64_t txn_marker_timeout_ms = 30 * 1000;

// Retention applies to cleanup.policy=delete (the default); __consumer_offsets is compacted, and
// so is a topic without "delete" in its policy: only the log start offset rule applies there.
bool deletes_by_retention(const Partition& p) {
    if (p.topic() == consumer_offsets_topic) return false;
    auto it = p.config().overrides.find("cleanup.policy");
    if (it == p.config().overrides.end()) return true;
    const auto* policy = std::get_if<std::string>(&it->second);
    return policy == nullptr || policy->find("delete") != std::string::npos;
}

std::vector<BrokerId> without(const std::vector<BrokerId>& ids, const std::vector<BrokerId>& drop) {
    std::vector<BrokerId> out;
    for (BrokerId b : ids)
        if (!contains(drop, b)) out.push_back(b);
    return out;
}

}  // namespace

ReplicaManager::ReplicaManager(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory,
                               const MetadataImage& image, CorrelationIds& correlation_ids, Host& host)
    : id_(id), config_(config), directory_(directory), image_(image), correlation_ids_(correlation_ids), host_(host) {}

Partition* ReplicaManager::partition(TopicPartition tp) {
    auto it = partitions_.find(tp);
    return it == partitions_.end() ? nullptr : it->second.get();
}

Partition* ReplicaManager::leader_partition(TopicPartition tp) {
    Partition* p = partition(tp);
    return p != nullptr && p->is_leader() ? p : nullptr;
}

const Partition* ReplicaManager::partition(TopicPartition tp) const {
    auto it = partitions_.find(tp);
    return it == partitions_.end() ? nullptr : it->second.get();
}

std::vector<const Partition*> ReplicaManager::partitions() const {
    std::vector<const Partition*> out;
    for (const auto& [tp, p] : partitions_) out.push_back(p.get());
    return out;
}

// ------------------------------------------------------------------------------ timers

void ReplicaManager::start(Context& ctx) {
    ctx.set_timer(sim::milliseconds(config_.replica_lag_time_max_ms / 2), timers_.tag(timer_isr_check));
    ctx.set_timer(sim::milliseconds(config_.replica_high_watermark_checkpoint_interval_ms),
                  timers_.tag(timer_hw_checkpoint));
    // LogManager.startup schedules the flusher every log.flush.scheduler.interval.ms: by default
    // (Long.MAX_VALUE) never, and then flush.ms has no effect.
    if (config_.log_flush_scheduler_interval_ms <= max_flush_scheduler_interval_ms)
        ctx.set_timer(sim::milliseconds(config_.log_flush_scheduler_interval_ms), timers_.tag(timer_log_flush));
    ctx.set_timer(sim::milliseconds(retention_initial_delay_ms), timers_.tag(timer_retention));
}

void ReplicaManager::on_timer(uint64_t t, Context& ctx) {
    const uint64_t id = sim::TimerSpace::value_of(t);
    switch (static_cast<TimerKind>(sim::TimerSpace::kind_of(t))) {
        case timer_isr_check:
            check_isr(ctx);
            ctx.set_timer(sim::milliseconds(config_.replica_lag_time_max_ms / 2), timers_.tag(timer_isr_check));
            return;
        case timer_hw_checkpoint:
            for (auto& [tp, p] : partitions_) p->checkpoint_high_watermark();
            ctx.set_timer(sim::milliseconds(config_.replica_high_watermark_checkpoint_interval_ms),
                          timers_.tag(timer_hw_checkpoint));
            return;
        case timer_log_flush:
            for (auto& [tp, p] : partitions_) p->log().flush_if_due(ctx.now());
            ctx.set_timer(sim::milliseconds(config_.log_flush_scheduler_interval_ms), timers_.tag(timer_log_flush));
            return;
        case timer_retention:
            cleanup_logs(ctx);
            ctx.set_timer(sim::milliseconds(config_.log_retention_check_interval_ms), timers_.tag(timer_retention));
            return;
        case timer_fetch_wait:
            for (size_t i = 0; i < fetches_.size(); ++i) {
                if (fetches_[i].id != id) continue;
                ParkedFetch parked = std::move(fetches_[i]);
                fetches_.erase(fetches_.begin() + static_cast<ptrdiff_t>(i));
                handle_fetch(parked.from, parked.request, ctx, false);
                return;
            }
            return;
        case timer_produce_wait:
            for (size_t i = 0; i < produces_.size(); ++i) {
                if (produces_[i].id != id) continue;
                auto& pr = produces_[i];
                for (size_t k = 0; k < pr.required_offset.size(); ++k) {
                    if (pr.required_offset[k] >= 0) {
                        pr.response.partitions[k].error = Error::request_timed_out;
                        pr.required_offset[k] = -1;
                    }
                }
                finish_produce(i, ctx);
                return;
            }
            return;
        case timer_verify:
            for (size_t i = 0; i < verifications_.size(); ++i)
                if (verifications_[i].id == id) return finish_verification(i, {}, Error::network_exception, ctx);
            return;
        case timer_verify_retry:
            retry_verification(id, ctx);
            return;
        case timer_delete_records:
            // DelayedDeleteRecords.onExpiration: those still waiting keep REQUEST_TIMED_OUT and the
            // low watermark of the request's time.
            for (size_t i = 0; i < delete_records_.size(); ++i) {
                if (delete_records_[i].id != id) continue;
                PendingDeleteRecords pending = std::move(delete_records_[i]);
                delete_records_.erase(delete_records_.begin() + static_cast<ptrdiff_t>(i));
                ctx.send(pending.from, std::move(pending.response));
                return;
            }
            return;
        case timer_fetcher: {
            auto it = fetchers_.find(static_cast<BrokerId>(id));
            if (it == fetchers_.end()) return;
            it->second.timer = sim::TimerId{};
            it->second.in_flight = false;  // request timed out, or the backoff ended
            it->second.backing_off = false;
            send_fetch(it->first, ctx);
            return;
        }
    }
}

void ReplicaManager::on_disconnect(sim::NodeId peer, Context& ctx) {
    // A coordinator we asked went away: its verifications fail with NETWORK_EXCEPTION.
    for (size_t i = 0; i < verifications_.size();) {
        if (verifications_[i].coordinator == peer) {
            ctx.cancel_timer(verifications_[i].timer);
            finish_verification(i, {}, Error::network_exception, ctx);
        } else {
            ++i;
        }
    }
    // A leader we fetch from went away: retry after replica.fetch.backoff.ms.
    for (auto& [leader, f] : fetchers_) {
        if (directory_.broker_node(leader) == peer && f.in_flight) {
            f.in_flight = false;
            ctx.cancel_timer(f.timer);
            backoff_fetcher(leader, ctx);
        }
    }
}

void ReplicaManager::checkpoint_and_flush() {
    for (auto& [tp, p] : partitions_) {
        p->checkpoint_high_watermark();
        p->log().flush();
    }
}

// ------------------------------------------------------------------------------ leadership and ISR

TopicConfig ReplicaManager::topic_config(TopicId id) const {
    const TopicImage* t = image_.topic(id);
    return TopicConfig::from(config_, t == nullptr ? ConfigMap{} : t->configs);
}

Partition& ReplicaManager::open_partition(TopicPartition tp, const std::string& topic, Context& ctx) {
    auto it = partitions_.find(tp);
    if (it != partitions_.end()) return *it->second;
    // KIP-516: partition.metadata names the topic id the directory belongs to. A directory
    // left by a deleted topic of the same name (this broker was down when it went) is a stray
    // log: it goes before the new topic's replica opens.
    const std::string dir = topic + "-" + std::to_string(tp.partition);
    sim::Disk& disk = ctx.disk();
    auto& metadata = disk.cell<int64_t>(dir + "/partition.metadata");
    if (metadata.has_value() && metadata.get() != static_cast<int64_t>(tp.topic_id)) {
        int64_t end = 0;
        {
            PartitionLog stray(disk, dir, topic_config(tp.topic_id));
            end = stray.log_end_offset();
        }
        for (const std::string& name : disk.list(dir + "/")) disk.remove(name);
        ctx.emit(ReplicaDeleted{.topic = topic,
                                .partition = tp.partition,
                                .log_end_offset = end,
                                .reason = "stray log of a deleted topic"});
    }
    auto& fresh = disk.cell<int64_t>(dir + "/partition.metadata");
    if (!fresh.has_value()) {
        fresh.set(static_cast<int64_t>(tp.topic_id));
        fresh.flush();
    }
    auto p = std::make_unique<Partition>(tp, topic, id_, ctx.disk(), topic_config(tp.topic_id), config_.behaviour);
    return *partitions_.emplace(tp, std::move(p)).first->second;
}

// Act on committed leadership and ISR (ReplicaManager.applyDelta).
void ReplicaManager::reconcile(const std::vector<TopicPartition>& changed, Context& ctx) {
    for (const TopicPartition& tp : changed) {
        const PartitionState* st = image_.partition(tp);
        const TopicImage* topic = image_.topic(tp.topic_id);
        if (st == nullptr || topic == nullptr) continue;
        if (!contains(st->replicas, id_)) {
            auto it = partitions_.find(tp);
            if (it != partitions_.end()) it->second->stop();
            host_.on_resignation(topic->name, tp.partition, ctx);
            continue;
        }
        Partition& p = open_partition(tp, topic->name, ctx);
        PartitionAssignment a{st->leader, st->leader_epoch, st->partition_epoch, st->replicas, st->isr};
        bool was_leader = p.is_leader();
        if (st->leader == id_) {
            if (p.make_leader(a, ctx.now())) {
                ctx.emit(BecomeLeader{.topic = topic->name,
                                      .partition = tp.partition,
                                      .leader_epoch = st->leader_epoch,
                                      .isr = st->isr,
                                      .log_end_offset = p.log().log_end_offset(),
                                      .high_watermark = p.high_watermark()});
                if (!was_leader) host_.on_election(p, ctx);
            } else {
                p.update_isr(a);
                on_high_watermark_advanced(p, ctx);
            }
        } else {
            bool transition = p.make_follower(a, ctx.now());
            host_.on_resignation(topic->name, tp.partition, ctx);
            if (transition) {
                if (was_leader) {
                    complete_produces(tp, ctx, /*leadership_lost=*/true);
                    wake_fetches(tp, WakeFor::all, ctx);
                }
                // Before KIP-101 a new follower cut its log back to its high watermark; from
                // 0.11 to 2.6 it asks the leader first (OffsetForLeaderEpoch); from 2.7 every
                // fetch carries the question.
                if (!config_.behaviour.truncate_by_leader_epoch) {
                    truncate_follower(p, p.high_watermark(), "high watermark (pre-KIP-101)", ctx);
                } else if (!config_.behaviour.fetch_detects_divergence) {
                    awaiting_truncation_.insert(tp);
                }
                ctx.emit(BecomeFollower{.topic = topic->name,
                                        .partition = tp.partition,
                                        .leader_epoch = st->leader_epoch,
                                        .leader = st->leader});
            }
        }
    }
    update_fetchers(ctx);
}

void ReplicaManager::delete_partitions(const std::vector<TopicPartition>& tps, const char* reason, Context& ctx) {
    bool any = false;
    for (const TopicPartition& tp : tps) {
        auto it = partitions_.find(tp);
        if (it == partitions_.end()) continue;
        const std::string topic = it->second->topic();
        const int64_t end = it->second->log().log_end_offset();
        const std::string dir = topic + "-" + std::to_string(tp.partition);
        partitions_.erase(it);
        awaiting_truncation_.erase(tp);
        for (const std::string& name : ctx.disk().list(dir + "/")) ctx.disk().remove(name);
        complete_produces(tp, ctx, /*leadership_lost=*/true);
        wake_fetches(tp, WakeFor::all, ctx);
        host_.on_resignation(topic, tp.partition, ctx);
        ctx.emit(ReplicaDeleted{.topic = topic, .partition = tp.partition, .log_end_offset = end, .reason = reason});
        any = true;
    }
    if (any) update_fetchers(ctx);
}

void ReplicaManager::update_topic_config(TopicId topic) {
    for (auto& [tp, p] : partitions_)
        if (tp.topic_id == topic) p->set_config(topic_config(topic));
}

// LogManager.cleanupLogs: every replica's log, leader or follower, by its own high watermark.
void ReplicaManager::cleanup_logs(Context& ctx) {
    for (auto& [tp, p] : partitions_) {
        for (const SegmentDeletion& d : p->delete_old_segments(ctx.now(), deletes_by_retention(*p))) {
            ctx.emit(LogSegmentsDeleted{.topic = p->topic(),
                                        .partition = tp.partition,
                                        .reason = d.reason,
                                        .segments = d.segments,
                                        .bytes = d.bytes,
                                        .from = d.from_offset,
                                        .to = d.to_offset,
                                        .log_start_offset = d.log_start_after,
                                        .newest_record_age_ms = (ctx.now() - d.newest_record).ms()});
        }
    }
}

void ReplicaManager::check_isr(Context& ctx) {
    for (auto& [tp, p] : partitions_) {
        if (!p->is_leader() || p->pending_isr()) continue;
        std::vector<BrokerId> out = p->out_of_sync_replicas(ctx.now(), config_.replica_lag_time_max_ms);
        if (out.empty()) continue;
        host_.request_isr_change(*p, without(p->assignment().isr, out), "replica.lag.time.max.ms exceeded", ctx);
    }
}

// ------------------------------------------------------------------------------ produce, fetch, ListOffsets

void ReplicaManager::handle(sim::NodeId from, ProduceRequest& req, Context& ctx) {
    if (auto it = behind_verification_.find(from); it != behind_verification_.end()) {
        it->second.push_back(std::move(req));
        return;
    }
    for (const auto& v : verifications_)
        if (v.from == from) {
            behind_verification_[from].push_back(std::move(req));
            return;
        }
    if (start_verification(from, req, ctx)) return;
    append_produce(from, req, {}, {}, ctx);
}

void ReplicaManager::resume_behind_verification(sim::NodeId from, Context& ctx) {
    auto it = behind_verification_.find(from);
    while (it != behind_verification_.end() && !it->second.empty()) {
        ProduceRequest req = std::move(it->second.front());
        it->second.pop_front();
        if (start_verification(from, req, ctx)) return;  // waits again; the rest stay behind it
        append_produce(from, req, {}, {}, ctx);
    }
    if (it != behind_verification_.end()) behind_verification_.erase(it);
}

// ------------------------------------------------------------------------------ KIP-890 verification

namespace {

// KIP-890 part 1 is on: the release has it (3.6+) and the config does not turn it off.
bool verifies(const BrokerConfig& c) {
    return c.transactions.partition_verification && c.transaction_partition_verification_enable;
}

// What the producer is told for a partition the coordinator did not verify
// (AddPartitionsToTxnManager's answer handler, then ReplicaManager.appendRecords' callback).
Error verification_error(Error answer, bool abortable) {
    switch (answer) {
        case Error::none: return Error::none;
        case Error::producer_fenced: return Error::invalid_producer_epoch;  // producers handle this one
        case Error::transaction_abortable: return abortable ? Error::transaction_abortable : Error::invalid_txn_state;
        // Retriable, but older clients would not retry them on a produce: NOT_ENOUGH_REPLICAS does
        // not make them refresh metadata either.
        case Error::network_exception:
        case Error::coordinator_load_in_progress:
        case Error::coordinator_not_available:
        case Error::not_coordinator: return Error::not_enough_replicas;
        // Left after the add's own retries (add.partitions.to.txn.retry.backoff.max.ms): the producer retries.
        case Error::concurrent_transactions: return Error::not_enough_replicas;
        default: return answer;
    }
}

}  // namespace

bool ReplicaManager::start_verification(sim::NodeId from, ProduceRequest& req, Context& ctx) {
    if (!verifies(config_) || !req.transactional_id || req.transactional_id->empty()) return false;
    PendingVerification v;
    AddPartitionsToTxnRequest ask;
    for (const auto& pd : req.partitions) {
        Partition* p = leader_partition(pd.tp);
        if (p == nullptr || !p->needs_verification(pd.batch)) continue;
        // One producer id and epoch per request (Kafka refuses a mix with INVALID_PRODUCER_ID_MAPPING).
        ask.producer_id = pd.batch.producer_id;
        ask.producer_epoch = pd.batch.producer_epoch;
        v.guards[pd.tp] = p->start_verification(pd.batch.producer_id, pd.batch.producer_epoch);
        v.asked.emplace(GroupPartition{p->topic(), pd.tp.partition}, pd.tp);
    }
    if (v.guards.empty()) return false;
    v.id = next_purgatory_id_++;
    v.from = from;
    // Produce v12 from a client on transaction.version 2: the check is an add (AddPartitionsToTxn v5).
    v.add = config_.transaction_version_2() && req.api_version >= 12;
    ask.transactional_id = *req.transactional_id;
    ask.verify_only = !v.add;
    for (const auto& [gp, tp] : v.asked) ask.partitions.push_back(gp);
    v.request = std::move(req);
    // The coordinator is the leader of the id's __transaction_state partition, if it is alive
    // (AddPartitionsToTxnManager.getTransactionCoordinator); else COORDINATOR_NOT_AVAILABLE.
    const int32_t state_partition =
        transaction_partition_for(ask.transactional_id, config_.transaction_state_log_num_partitions);
    const TopicImage* t = image_.topic(transaction_state_topic);
    const PartitionState* st = t == nullptr ? nullptr : t->partition(state_partition);
    if (st != nullptr && st->leader != no_leader && image_.is_unfenced(st->leader))
        v.coordinator = directory_.broker_node(st->leader);
    verifications_.push_back(std::move(v));
    PendingVerification& pending = verifications_.back();
    if (pending.coordinator == sim::no_node) {
        finish_verification(verifications_.size() - 1, {}, Error::coordinator_not_available, ctx);
        return true;
    }
    pending.correlation_id = ask.correlation_id = correlation_ids_.next();
    pending.timer = ctx.set_timer(sim::milliseconds(txn_marker_timeout_ms), timers_.tag(timer_verify, pending.id));
    pending.started = ctx.now();
    pending.ask = ask;
    ctx.send(pending.coordinator, std::move(ask));
    return true;
}

void ReplicaManager::retry_verification(uint64_t id, Context& ctx) {
    for (auto& v : verifications_) {
        if (v.id != id) continue;
        v.correlation_id = v.ask.correlation_id = correlation_ids_.next();
        v.timer = ctx.set_timer(sim::milliseconds(txn_marker_timeout_ms), timers_.tag(timer_verify, v.id));
        ctx.send(v.coordinator, v.ask);
        return;
    }
}

void ReplicaManager::handle(sim::NodeId from, AddPartitionsToTxnResponse& resp, Context& ctx) {
    for (size_t i = 0; i < verifications_.size(); ++i) {
        if (verifications_[i].correlation_id != resp.correlation_id || verifications_[i].coordinator != from) continue;
        std::map<GroupPartition, Error> answers;
        bool concurrent = false;
        for (const auto& r : resp.results) {
            answers[r.tp] = r.error;
            concurrent = concurrent || r.error == Error::concurrent_transactions;
        }
        ctx.cancel_timer(verifications_[i].timer);
        // 4.0's implicit add finds the previous transaction still completing: the leader asks
        // again every add.partitions.to.txn.retry.backoff.ms (20) for up to
        // add.partitions.to.txn.retry.backoff.max.ms (100) before it answers the producer.
        if (concurrent && verifications_[i].add && ctx.now() - verifications_[i].started < sim::milliseconds(100)) {
            verifications_[i].timer =
                ctx.set_timer(sim::milliseconds(20), timers_.tag(timer_verify_retry, verifications_[i].id));
            return;
        }
        finish_verification(i, answers, Error::unknown_server_error, ctx);
        return;
    }
}

void ReplicaManager::finish_verification(size_t index, const std::map<GroupPartition, Error>& answers, Error all,
                                         Context& ctx) {
    PendingVerification v = std::move(verifications_[index]);
    verifications_.erase(verifications_.begin() + static_cast<ptrdiff_t>(index));
    const bool abortable = config_.transactions.transaction_abortable_error && v.request.api_version >= 11;
    std::map<TopicPartition, Error> refused;
    std::map<TopicPartition, uint64_t> guards;
    for (const auto& [gp, tp] : v.asked) {
        auto a = answers.find(gp);
        // A partition the answer leaves out was not verified.
        const Error answer = a != answers.end() ? a->second : all;
        const Error error = verification_error(answer, abortable);
        int64_t producer_id = -1;
        int16_t producer_epoch = -1;
        for (const auto& pd : v.request.partitions)
            if (pd.tp == tp) producer_id = pd.batch.producer_id, producer_epoch = pd.batch.producer_epoch;
        ctx.emit(TxnPartitionVerified{.topic = gp.topic,
                                      .partition = gp.partition,
                                      .transactional_id = v.request.transactional_id.value_or(""),
                                      .producer_id = producer_id,
                                      .producer_epoch = producer_epoch,
                                      .add = v.add,
                                      .answer = error_name(answer),
                                      .error = error == Error::none ? std::nullopt
                                                                    : std::optional<std::string>(error_name(error))});
        if (error == Error::none)
            guards[tp] = v.guards.at(tp);
        else
            refused[tp] = error;
    }
    append_produce(v.from, v.request, refused, guards, ctx);
    resume_behind_verification(v.from, ctx);
}

void ReplicaManager::append_produce(sim::NodeId from, ProduceRequest& req, const std::map<TopicPartition, Error>& refused,
                                    const std::map<TopicPartition, uint64_t>& guards, Context& ctx) {
    const bool verify = verifies(config_);
    PendingProduce pending;
    pending.from = from;
    pending.response.correlation_id = req.correlation_id;
    bool waiting = false;
    for (auto& pd : req.partitions) {
        ProduceResponse::PartitionResponse pr;
        pr.tp = pd.tp;
        int64_t required = -1;
        auto it = partitions_.find(pd.tp);
        auto no = refused.find(pd.tp);
        if (no != refused.end()) {
            pr.error = no->second;
        } else if (it == partitions_.end() || !it->second->is_leader()) {
            pr.error = it == partitions_.end() && image_.partition(pd.tp) == nullptr ? Error::unknown_topic_or_partition
                                                                                     : Error::not_leader_or_follower;
        } else {
            Partition& p = *it->second;
            auto guard = guards.find(pd.tp);
            Partition::AppendResult ar =
                p.append_as_leader(pd.batch, req.acks, ctx.now(), verify,
                                   guard == guards.end() ? std::nullopt : std::optional<uint64_t>(guard->second));
            pr.error = ar.error;
            pr.base_offset = ar.base_offset;
            pr.log_start_offset = p.log().log_start_offset();
            if (ar.error == Error::none) {
                on_log_appended(p, ctx);
                if (req.acks == -1) {
                    switch (p.ack_state(ar.required_offset)) {
                        case Partition::AckState::waiting:
                            required = ar.required_offset;
                            waiting = true;
                            break;
                        case Partition::AckState::not_enough_replicas_after_append:
                            pr.error = Error::not_enough_replicas_after_append;
                            break;
                        case Partition::AckState::done:
                            break;
                    }
                }
            }
        }
        pending.response.partitions.push_back(pr);
        pending.required_offset.push_back(required);
    }
    if (req.acks == 0) return;  // no response at all
    if (!waiting) {
        ctx.send(from, std::move(pending.response));
        return;
    }
    pending.id = next_purgatory_id_++;
    pending.timer = ctx.set_timer(sim::milliseconds(req.timeout_ms), timers_.tag(timer_produce_wait, pending.id));
    produces_.push_back(std::move(pending));
}

void ReplicaManager::finish_produce(size_t index, Context& ctx) {
    PendingProduce pr = std::move(produces_[index]);
    produces_.erase(produces_.begin() + static_cast<ptrdiff_t>(index));
    ctx.cancel_timer(pr.timer);
    send_produce_response(pr, ctx);
}

void ReplicaManager::send_produce_response(PendingProduce& pr, Context& ctx) {
    if (!pr.txn_markers) {
        ctx.send(pr.from, std::move(pr.response));
        return;
    }
    size_t k = 0;
    for (size_t m = 0; m < pr.txn_markers->markers.size(); ++m) {
        WriteTxnMarkersResponse::MarkerResult& marker = pr.txn_markers->markers[m];
        std::vector<TopicPartition> offsets_partitions;
        for (auto& part : marker.partitions) {
            part.error = pr.response.partitions[k++].error;
            const Partition* p = partition(part.tp);
            if (part.error == Error::none && p != nullptr && p->topic() == consumer_offsets_topic)
                offsets_partitions.push_back(part.tp);
        }
        if (!offsets_partitions.empty())
            host_.on_offsets_txn_completed(marker.producer_id, offsets_partitions, pr.marker_commits[m], ctx);
    }
    ctx.send(pr.from, std::move(*pr.txn_markers));
}

// KafkaApis.handleWriteTxnMarkersRequest: each marker is appended to every partition it
// names by that partition's leader, as ReplicaManager.appendRecords with acks=-1 (origin
// COORDINATOR), and the answer waits until every append is replicated to the ISR (or
// request.timeout.ms passes). A partition this broker does not host is
// UNKNOWN_TOPIC_OR_PARTITION (getMagic finds no log); one it follows NOT_LEADER_OR_FOLLOWER.
void ReplicaManager::handle(sim::NodeId from, WriteTxnMarkersRequest& req, Context& ctx) {
    PendingProduce pending;
    pending.from = from;
    pending.response.correlation_id = req.correlation_id;
    WriteTxnMarkersResponse answer;
    answer.correlation_id = req.correlation_id;
    bool waiting = false;
    for (const WritableTxnMarker& m : req.markers) {
        WriteTxnMarkersResponse::MarkerResult result;
        result.producer_id = m.producer_id;
        const ControlRecordType type = m.transaction_result ? ControlRecordType::commit : ControlRecordType::abort;
        for (const TopicPartition& tp : m.partitions) {
            ProduceResponse::PartitionResponse pr;
            pr.tp = tp;
            int64_t required = -1;
            auto it = partitions_.find(tp);
            if (it == partitions_.end() || it->second->role() == Partition::Role::none) {
                pr.error = Error::unknown_topic_or_partition;
            } else if (!it->second->is_leader()) {
                pr.error = Error::not_leader_or_follower;
            } else {
                Partition& p = *it->second;
                Partition::AppendResult ar =
                    p.append_txn_marker(m.producer_id, m.producer_epoch, m.coordinator_epoch, type, ctx.now());
                pr.error = ar.error;
                pr.base_offset = ar.base_offset;
                TxnMarkerWritten ev{.topic = p.topic(),
                                    .partition = tp.partition,
                                    .producer_id = m.producer_id,
                                    .producer_epoch = m.producer_epoch,
                                    .coordinator_epoch = m.coordinator_epoch,
                                    .result = to_string(type),
                                    .offset = ar.base_offset,
                                    .last_stable_offset = p.last_stable_offset(),
                                    .high_watermark = p.high_watermark()};
                if (ar.error != Error::none) ev.error = error_name(ar.error);
                ctx.emit(std::move(ev));
                if (ar.error == Error::none) {
                    on_log_appended(p, ctx);
                    switch (p.ack_state(ar.required_offset)) {
                        case Partition::AckState::waiting:
                            required = ar.required_offset;
                            waiting = true;
                            break;
                        case Partition::AckState::not_enough_replicas_after_append:
                            pr.error = Error::not_enough_replicas_after_append;
                            break;
                        case Partition::AckState::done:
                            break;
                    }
                }
            }
            result.partitions.push_back(WriteTxnMarkersResponse::PartitionResult{tp, Error::none});
            pending.response.partitions.push_back(pr);
            pending.required_offset.push_back(required);
        }
        answer.markers.push_back(std::move(result));
        pending.marker_commits.push_back(m.transaction_result);
    }
    pending.txn_markers = std::move(answer);
    if (!waiting) {
        send_produce_response(pending, ctx);
        return;
    }
    pending.id = next_purgatory_id_++;
    pending.timer = ctx.set_timer(sim::milliseconds(txn_marker_timeout_ms), timers_.tag(timer_produce_wait, pending.id));
    produces_.push_back(std::move(pending));
}

void ReplicaManager::complete_produces(TopicPartition tp, Context& ctx, bool leadership_lost) {
    // The same moments decide waiting DeleteRecords: a lost leadership or replica, a new ISR.
    if (!delete_records_.empty()) complete_delete_records(tp, ctx);
    auto pit = partitions_.find(tp);
    for (size_t i = 0; i < produces_.size();) {
        PendingProduce& pr = produces_[i];
        bool touched = false;
        for (size_t k = 0; k < pr.required_offset.size(); ++k) {
            if (pr.required_offset[k] < 0 || !(pr.response.partitions[k].tp == tp)) continue;
            if (leadership_lost || pit == partitions_.end()) {
                pr.response.partitions[k].error = Error::not_leader_or_follower;
                pr.required_offset[k] = -1;
                touched = true;
                continue;
            }
            switch (pit->second->ack_state(pr.required_offset[k])) {
                case Partition::AckState::waiting:
                    break;
                case Partition::AckState::done:
                    pr.required_offset[k] = -1;
                    touched = true;
                    break;
                case Partition::AckState::not_enough_replicas_after_append:
                    pr.response.partitions[k].error = Error::not_enough_replicas_after_append;
                    pr.required_offset[k] = -1;
                    touched = true;
                    break;
            }
        }
        bool done = touched && std::all_of(pr.required_offset.begin(), pr.required_offset.end(),
                                           [](int64_t r) { return r < 0; });
        if (done) {
            finish_produce(i, ctx);
        } else {
            ++i;
        }
    }
}

// New committed data completes acks=all produces and the consumers' delayed fetches. A
// follower's delayed fetch waits for new data (fetch.min.bytes), so followers learn the new
// high watermark one fetch later: the lag at the root of the KIP-101 anomalies.
void ReplicaManager::on_high_watermark_advanced(const Partition& p, Context& ctx) {
    complete_produces(p.tp(), ctx, false);
    host_.on_high_watermark(p, ctx);
    wake_fetches(p.tp(), WakeFor::consumers, ctx);
}

void ReplicaManager::on_log_appended(const Partition& p, Context& ctx) {
    wake_fetches(p.tp(), WakeFor::followers, ctx);
    if (p.high_watermark() == p.log().log_end_offset()) on_high_watermark_advanced(p, ctx);
}

void ReplicaManager::wake_fetches(TopicPartition tp, WakeFor who, Context& ctx) {
    for (size_t i = 0; i < fetches_.size();) {
        ParkedFetch& f = fetches_[i];
        bool is_follower = f.request.replica_id >= 0;
        bool match_kind = who == WakeFor::all || (who == WakeFor::followers) == is_follower;
        bool wants = match_kind &&
                     std::any_of(f.request.partitions.begin(), f.request.partitions.end(),
                                 [&](const FetchRequest::PartitionData& d) { return d.tp == tp; });
        if (!wants) {
            ++i;
            continue;
        }
        ParkedFetch parked = std::move(f);
        fetches_.erase(fetches_.begin() + static_cast<ptrdiff_t>(i));
        ctx.cancel_timer(parked.timer);
        handle_fetch(parked.from, parked.request, ctx, false);
    }
}

void ReplicaManager::handle_fetch(sim::NodeId from, FetchRequest& req, Context& ctx, bool may_wait) {
    FetchResponse resp;
    resp.correlation_id = req.correlation_id;
    bool follower = req.replica_id >= 0;
    bool any_data = false, any_error = false;
    std::vector<const Partition*> hw_moved, low_watermark_moved;
    for (auto& d : req.partitions) {
        FetchResponse::PartitionData out;
        out.tp = d.tp;
        Partition* leading = leader_partition(d.tp);
        if (leading == nullptr) {
            out.error = Error::not_leader_or_follower;
            any_error = true;
            resp.partitions.push_back(std::move(out));
            continue;
        }
        Partition& p = *leading;
        if (follower) {
            Partition::FollowerFetch ff = p.on_follower_fetch(req.replica_id, d.fetch_offset, d.last_fetched_epoch,
                                                              d.current_leader_epoch, ctx.now(), d.log_start_offset);
            out.error = ff.error;
            if (ff.error == Error::none && !ff.diverging && !delete_records_.empty()) low_watermark_moved.push_back(&p);
            if (ff.diverging) {
                out.diverging = true;
                out.diverging_epoch = ff.diverging_at.epoch;
                out.diverging_end_offset = ff.diverging_at.end_offset;
                any_data = true;
            } else if (ff.error == Error::none) {
                if (ff.hw_advanced) hw_moved.push_back(&p);
                // Partition.isReplicaIsrEligible (KIP-841): the leader adds only a follower its
                // metadata shows unfenced and not shutting down; the controller would refuse it.
                if (ff.wants_isr_expand && image_.is_active(req.replica_id)) {
                    std::vector<BrokerId> isr = p.assignment().isr;
                    isr.push_back(req.replica_id);
                    host_.request_isr_change(p, isr, "follower caught up", ctx);
                }
                p.log().read(d.fetch_offset, p.log().log_end_offset(), d.partition_max_bytes, out.batches);
            }
        } else {
            if (d.current_leader_epoch >= 0 && d.current_leader_epoch != p.leader_epoch()) {
                out.error = d.current_leader_epoch < p.leader_epoch() ? Error::fenced_leader_epoch : Error::unknown_leader_epoch;
            } else if (d.fetch_offset < p.log().log_start_offset() || d.fetch_offset > p.log().log_end_offset()) {
                out.error = Error::offset_out_of_range;
            } else {
                // Consumers read only what is committed: up to the high watermark, and with
                // read_committed up to the last stable offset (FetchIsolation.TXN_COMMITTED),
                // with the aborted transactions that overlap what was read.
                const int64_t max_offset = req.read_committed ? p.last_stable_offset() : p.high_watermark();
                p.log().read(d.fetch_offset, max_offset, d.partition_max_bytes, out.batches);
                if (req.read_committed) {
                    const int64_t upper = out.batches.empty() ? d.fetch_offset : out.batches.back().next_offset();
                    for (const AbortedTxn& t : p.log().collect_aborted_txns(d.fetch_offset, upper))
                        out.aborted_transactions.push_back({t.producer_id, t.first_offset});
                }
            }
        }
        if (out.error != Error::none) any_error = true;
        if (!out.batches.empty()) any_data = true;
        out.high_watermark = p.high_watermark();
        out.last_stable_offset = p.last_stable_offset();
        out.log_start_offset = p.log().log_start_offset();
        resp.partitions.push_back(std::move(out));
    }
    for (const Partition* p : hw_moved) on_high_watermark_advanced(*p, ctx);
    // Partition.updateFollowerFetchState: the follower's log start offset may lift the low watermark.
    for (const Partition* p : low_watermark_moved) complete_delete_records(p->tp(), ctx);
    if (may_wait && !any_data && !any_error && req.max_wait_ms > 0) {
        ParkedFetch parked;
        parked.id = next_purgatory_id_++;
        parked.from = from;
        parked.timer = ctx.set_timer(sim::milliseconds(req.max_wait_ms), timers_.tag(timer_fetch_wait, parked.id));
        parked.request = std::move(req);
        fetches_.push_back(std::move(parked));
        return;
    }
    ctx.send(from, std::move(resp));
}

void ReplicaManager::handle(sim::NodeId from, ListOffsetsRequest& req, Context& ctx) {
    ListOffsetsResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& d : req.partitions) {
        ListOffsetsResponse::PartitionData out;
        out.tp = d.tp;
        const Partition* p = leader_partition(d.tp);
        if (p == nullptr) {
            out.error = Error::not_leader_or_follower;
        } else if (d.current_leader_epoch >= 0 && d.current_leader_epoch < p->leader_epoch()) {
            out.error = Error::fenced_leader_epoch;
        } else {
            // "latest" is the high watermark, or for read_committed the last stable offset
            // (Partition.fetchOffsetForTimestamp by isolation level).
            const int64_t latest = req.read_committed ? p->last_stable_offset() : p->high_watermark();
            out.offset = d.timestamp == ListOffsetsRequest::earliest ? p->log().log_start_offset() : latest;
            out.leader_epoch = p->leader_epoch();
        }
        resp.partitions.push_back(out);
    }
    ctx.send(from, std::move(resp));
}

// ------------------------------------------------------------------------------ DeleteRecords

// Partition.lowWatermarkIfLeader: live = the broker is registered and unfenced in this broker's
// metadata (MetadataCache.hasAliveBroker).
int64_t ReplicaManager::low_watermark(const Partition& p) const {
    return p.low_watermark([this](BrokerId b) { return image_.is_unfenced(b); });
}

// ReplicaManager.deleteRecords (KafkaApis.handleDeleteRecordsRequest): each partition's leader
// raises its log start offset (deleteRecordsOnLocalLog); the answer waits in the purgatory
// while any low watermark is below the offset asked for (delayedDeleteRecordsRequired).
void ReplicaManager::handle(sim::NodeId from, DeleteRecordsRequest& req, Context& ctx) {
    PendingDeleteRecords pending;
    pending.from = from;
    pending.response.correlation_id = req.correlation_id;
    bool waiting = false;
    for (const auto& d : req.partitions) {
        DeleteRecordsResponse::PartitionData out;
        out.tp = d.tp;
        int64_t required = -1;
        const TopicImage* topic = image_.topic(d.tp.topic_id);
        Partition* p = partition(d.tp);
        if (topic != nullptr && (topic->name == consumer_offsets_topic || topic->name == transaction_state_topic)) {
            out.error = Error::invalid_topic_exception;  // "Cannot delete records of internal topic"
        } else if (p == nullptr || p->role() == Partition::Role::none) {
            // getPartitionOrException: a partition the metadata knows but this broker does not host
            // is NOT_LEADER_OR_FOLLOWER.
            out.error = image_.partition(d.tp) == nullptr ? Error::unknown_topic_or_partition
                                                          : Error::not_leader_or_follower;
        } else if (!p->is_leader()) {
            out.error = Error::not_leader_or_follower;
        } else if (!deletes_by_retention(*p)) {
            out.error = Error::policy_violation;  // "can not be deleted due to the configured policy"
        } else {
            const Partition::RecordDeletion r = p->delete_records_on_leader(d.offset);
            out.error = r.error;
            if (r.error == Error::none) {
                if (p->log().log_start_offset() != r.log_start_before)
                    ctx.emit(LogStartOffsetIncremented{.topic = p->topic(),
                                                       .partition = d.tp.partition,
                                                       .from = r.log_start_before,
                                                       .to = p->log().log_start_offset(),
                                                       .leader = id_,
                                                       .reason = "DeleteRecords"});
                out.low_watermark = low_watermark(*p);
                if (out.low_watermark < r.requested_offset) {
                    required = r.requested_offset;
                    waiting = true;
                }
            }
        }
        pending.response.partitions.push_back(out);
        pending.required_offset.push_back(required);
    }
    if (!waiting) {
        ctx.send(from, std::move(pending.response));
        return;
    }
    // DelayedDeleteRecords: a partition still waiting says REQUEST_TIMED_OUT unless it completes.
    for (size_t k = 0; k < pending.required_offset.size(); ++k)
        if (pending.required_offset[k] >= 0) pending.response.partitions[k].error = Error::request_timed_out;
    pending.id = next_purgatory_id_++;
    pending.timer =
        ctx.set_timer(sim::milliseconds(std::max(req.timeout_ms, 0)), timers_.tag(timer_delete_records, pending.id));
    delete_records_.push_back(std::move(pending));
}

// DelayedDeleteRecords.tryComplete for the requests waiting on `tp`: done when the low
// watermark reached the offset; NOT_LEADER_OR_FOLLOWER when this broker no longer leads it,
// UNKNOWN_TOPIC_OR_PARTITION when it no longer hosts it (both with low watermark -1).
void ReplicaManager::complete_delete_records(TopicPartition tp, Context& ctx) {
    const Partition* p = partition(tp);
    for (size_t i = 0; i < delete_records_.size();) {
        PendingDeleteRecords& pending = delete_records_[i];
        for (size_t k = 0; k < pending.required_offset.size(); ++k) {
            DeleteRecordsResponse::PartitionData& out = pending.response.partitions[k];
            if (pending.required_offset[k] < 0 || !(out.tp == tp)) continue;
            if (p == nullptr) {
                out.error = Error::unknown_topic_or_partition;
                out.low_watermark = -1;
            } else if (!p->is_leader()) {
                out.error = Error::not_leader_or_follower;
                out.low_watermark = -1;
            } else {
                const int64_t low = low_watermark(*p);
                if (low < pending.required_offset[k]) continue;
                out.error = Error::none;
                out.low_watermark = low;
            }
            pending.required_offset[k] = -1;
        }
        if (std::any_of(pending.required_offset.begin(), pending.required_offset.end(),
                        [](int64_t r) { return r >= 0; })) {
            ++i;
            continue;
        }
        PendingDeleteRecords done = std::move(pending);
        delete_records_.erase(delete_records_.begin() + static_cast<ptrdiff_t>(i));
        ctx.cancel_timer(done.timer);
        ctx.send(done.from, std::move(done.response));
    }
}

Partition::AppendResult ReplicaManager::append_as_leader(TopicPartition tp, const RecordBatch& batch, Context& ctx) {
    Partition* p = leader_partition(tp);
    if (p == nullptr) return Partition::AppendResult{.error = Error::not_leader_or_follower};
    Partition::AppendResult r = p->append_as_leader(batch, /*acks=*/-1, ctx.now());
    if (r.error == Error::none) on_log_appended(*p, ctx);
    return r;
}

// ------------------------------------------------------------------------------ replica fetchers

void ReplicaManager::update_fetchers(Context& ctx) {
    std::erase_if(awaiting_truncation_, [&](const TopicPartition& tp) {
        auto it = partitions_.find(tp);
        return it == partitions_.end() || it->second->role() != Partition::Role::follower;
    });
    std::map<BrokerId, std::vector<TopicPartition>> wanted;
    for (const auto& [tp, p] : partitions_) {
        if (p->role() != Partition::Role::follower) continue;
        BrokerId leader = p->assignment().leader;
        if (leader == no_leader || leader == id_) continue;
        wanted[leader].push_back(tp);
    }
    for (auto it = fetchers_.begin(); it != fetchers_.end();) {
        if (wanted.count(it->first) == 0) {
            ctx.cancel_timer(it->second.timer);
            it = fetchers_.erase(it);
        } else {
            ++it;
        }
    }
    for (auto& [leader, tps] : wanted) {
        Fetcher& f = fetchers_[leader];
        f.partitions = tps;
        if (!f.in_flight && !f.backing_off) send_fetch(leader, ctx);
    }
}

void ReplicaManager::send_fetch(BrokerId leader, Context& ctx) {
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end() || it->second.in_flight || it->second.partitions.empty()) return;
    if (send_epoch_query(leader, ctx)) return;
    Fetcher& f = it->second;
    FetchRequest req;
    req.correlation_id = correlation_ids_.next();
    req.replica_id = id_;
    req.replica_epoch = host_.broker_epoch();
    req.max_wait_ms = static_cast<int32_t>(config_.replica_fetch_wait_max_ms);
    req.min_bytes = config_.replica_fetch_min_bytes;
    req.max_bytes = config_.replica_fetch_max_bytes;
    for (const TopicPartition& tp : f.partitions) {
        const Partition& p = *partitions_.at(tp);
        FetchRequest::PartitionData d;
        d.tp = tp;
        d.current_leader_epoch = p.leader_epoch();
        d.fetch_offset = p.log().log_end_offset();
        if (config_.behaviour.fetch_detects_divergence) d.last_fetched_epoch = p.log().latest_epoch();
        d.log_start_offset = p.log().log_start_offset();
        d.partition_max_bytes = config_.replica_fetch_max_bytes;
        req.partitions.push_back(d);
    }
    f.in_flight = true;
    f.correlation_id = req.correlation_id;
    ctx.cancel_timer(f.timer);
    f.timer = ctx.set_timer(sim::milliseconds(config_.replica_socket_timeout_ms), fetcher_tag(leader));
    sim::NodeId to = directory_.broker_node(leader);
    ctx.send(to, std::move(req));
}

void ReplicaManager::backoff_fetcher(BrokerId leader, Context& ctx) {
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end()) return;
    it->second.backing_off = true;
    ctx.cancel_timer(it->second.timer);
    it->second.timer = ctx.set_timer(sim::milliseconds(config_.replica_fetch_backoff_ms), fetcher_tag(leader));
}

void ReplicaManager::handle_divergence(Partition& p, const FetchResponse::PartitionData& d, Context& ctx) {
    // AbstractFetcherThread: truncate to min(leader's end of the epoch, our own end of it);
    // without a usable epoch from the leader, fall back to the high watermark.
    int64_t before = p.log().log_end_offset();
    int64_t target = p.high_watermark();
    if (d.diverging_epoch >= 0) {
        std::optional<EpochEnd> own = p.log().end_offset_for_epoch(d.diverging_epoch);
        if (own) target = std::min(d.diverging_end_offset, own->end_offset);
    }
    p.truncate_to(target);
    ctx.emit(Truncated{.topic = p.topic(),
                       .partition = p.tp().partition,
                       .from = before,
                       .to = p.log().log_end_offset(),
                       .diverging_epoch = d.diverging_epoch,
                       .reason = "diverging epoch from leader"});
}

void ReplicaManager::truncate_follower(Partition& p, int64_t to, const char* reason, Context& ctx) {
    int64_t before = p.log().log_end_offset();
    p.truncate_to(to);
    if (p.log().log_end_offset() != before)
        ctx.emit(Truncated{.topic = p.topic(),
                           .partition = p.tp().partition,
                           .from = before,
                           .to = p.log().log_end_offset(),
                           .reason = reason});
}

// AbstractFetcherThread.maybeTruncate (0.11 to 2.6): the fetcher's Truncating partitions ask the
// leader where their latest epoch ended before anything is fetched. False: nothing to ask.
bool ReplicaManager::send_epoch_query(BrokerId leader, Context& ctx) {
    Fetcher& f = fetchers_.at(leader);
    OffsetForLeaderEpochRequest req;
    for (const TopicPartition& tp : f.partitions) {
        if (awaiting_truncation_.count(tp) == 0) continue;
        Partition& p = *partitions_.at(tp);
        if (p.log().latest_epoch() < 0) {
            // A log without epochs (written before 0.11, or empty) falls back to the high watermark.
            truncate_follower(p, p.high_watermark(), "no leader epoch: high watermark", ctx);
            awaiting_truncation_.erase(tp);
            continue;
        }
        req.partitions.push_back({tp, p.log().latest_epoch()});
    }
    if (req.partitions.empty()) return false;
    req.correlation_id = correlation_ids_.next();
    req.replica_id = id_;
    f.in_flight = true;
    f.correlation_id = req.correlation_id;
    ctx.cancel_timer(f.timer);
    f.timer = ctx.set_timer(sim::milliseconds(config_.replica_socket_timeout_ms), fetcher_tag(leader));
    ctx.send(directory_.broker_node(leader), std::move(req));
    return true;
}

void ReplicaManager::handle(sim::NodeId from, OffsetForLeaderEpochRequest& req, Context& ctx) {
    OffsetForLeaderEpochResponse resp;
    resp.correlation_id = req.correlation_id;
    for (const auto& d : req.partitions) {
        OffsetForLeaderEpochResponse::PartitionData out;
        out.tp = d.tp;
        if (Partition* p = leader_partition(d.tp); p == nullptr) {
            out.error = Error::not_leader_or_follower;
        } else {
            EpochEnd end = p->answer_epoch_query(d.leader_epoch);
            out.leader_epoch = end.epoch;
            out.end_offset = end.end_offset;
        }
        resp.partitions.push_back(out);
    }
    ctx.send(from, std::move(resp));
}

// The answer to the request the fetcher for `leader` has in flight: it has none in flight any
// more. False for a stale answer (an earlier request's, or a fetcher that is gone).
bool ReplicaManager::take_fetcher_answer(BrokerId leader, int32_t correlation_id, Context& ctx) {
    auto it = fetchers_.find(leader);
    if (it == fetchers_.end() || !it->second.in_flight || it->second.correlation_id != correlation_id) return false;
    it->second.in_flight = false;
    ctx.cancel_timer(it->second.timer);
    return true;
}

void ReplicaManager::handle(sim::NodeId from, OffsetForLeaderEpochResponse& r, Context& ctx) {
    const BrokerId leader = directory_.kafka_id(from);
    if (!take_fetcher_answer(leader, r.correlation_id, ctx)) return;
    bool failed = false;
    for (const auto& d : r.partitions) {
        auto pit = partitions_.find(d.tp);
        if (pit == partitions_.end() || awaiting_truncation_.count(d.tp) == 0) continue;
        Partition& p = *pit->second;
        if (p.role() != Partition::Role::follower || p.assignment().leader != leader) continue;
        if (d.error != Error::none) {
            failed = true;  // the leader is not leading yet: ask again after the backoff
            continue;
        }
        const int32_t asked = p.log().latest_epoch();
        Partition::EpochTruncation t = p.truncation_for(asked, EpochEnd{d.leader_epoch, d.end_offset});
        ctx.emit(EpochEndOffset{.topic = p.topic(),
                                .partition = p.tp().partition,
                                .asked_epoch = asked,
                                .leader_epoch = d.leader_epoch,
                                .end_offset = d.end_offset,
                                .truncate_to = t.to});
        truncate_follower(p, t.to, t.reason, ctx);
        if (t.done) awaiting_truncation_.erase(d.tp);
    }
    if (failed) {
        backoff_fetcher(leader, ctx);
    } else {
        send_fetch(leader, ctx);
    }
}

void ReplicaManager::handle(sim::NodeId from, FetchResponse& r, Context& ctx) {
    const BrokerId leader = directory_.kafka_id(from);
    if (!take_fetcher_answer(leader, r.correlation_id, ctx)) return;
    bool failed = false;
    for (auto& d : r.partitions) {
        auto pit = partitions_.find(d.tp);
        if (pit == partitions_.end()) continue;
        Partition& p = *pit->second;
        if (p.role() != Partition::Role::follower || p.assignment().leader != leader) continue;
        if (awaiting_truncation_.count(d.tp) != 0) continue;  // a new epoch began while this fetch flew
        if (d.error == Error::offset_out_of_range && d.log_start_offset > p.log().log_end_offset()) {
            // ReplicaFetcherThread.handleOffsetOutOfRange: retention deleted what this replica
            // still lacks; it starts over empty at the leader's log start offset.
            const int64_t before = p.log().log_end_offset();
            p.truncate_fully_and_start_at(d.log_start_offset, ctx.now());
            ctx.emit(Truncated{.topic = p.topic(),
                               .partition = p.tp().partition,
                               .from = before,
                               .to = p.log().log_end_offset(),
                               .reason = "below the leader's log start offset: start over there"});
            continue;
        }
        if (d.error != Error::none) {
            failed = true;  // NOT_LEADER / FENCED / UNKNOWN epoch: wait for metadata, back off
            continue;
        }
        if (d.diverging) {
            handle_divergence(p, d, ctx);
            continue;
        }
        if (!p.append_fetched(d.batches, d.high_watermark, ctx.now())) {
            ctx.emit(FetchOffsetMismatch{
                .topic = p.topic(), .partition = p.tp().partition, .log_end_offset = p.log().log_end_offset()});
            failed = true;  // the partition is stuck: every retry meets the same batch
            continue;
        }
        // ReplicaFetcherThread.processPartitionData: the leader's log start offset, after the
        // high watermark (so it never passes it).
        const int64_t start_before = p.log().log_start_offset();
        if (config_.behaviour.follower_takes_leader_log_start && p.follow_leader_log_start_offset(d.log_start_offset))
            ctx.emit(LogStartOffsetIncremented{.topic = p.topic(),
                                               .partition = p.tp().partition,
                                               .from = start_before,
                                               .to = p.log().log_start_offset(),
                                               .leader = leader});
    }
    if (failed) {
        backoff_fetcher(leader, ctx);
    } else {
        send_fetch(leader, ctx);
    }
}

}  // namespace kafka

namespace kafka {
}  // namespace kafka
