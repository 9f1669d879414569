#include "clients/consumer_client.hpp"

#include <algorithm>
#include <utility>

#include "clients/client_timer.hpp"
#include "clients/fetched_batches.hpp"

namespace kafka {

ConsumerClient::ConsumerClient(uint32_t client_ordinal, std::vector<std::string> topics, ConsumerConfig config,
                               std::optional<double> rate_per_s, sim::Time from, sim::Time until,
                               const ClusterDirectory& dir, ClientEvents* events, std::optional<std::string> group_id,
                               ClientEmbedding embedding)
    : client_(client_ordinal),
      topic_names_(std::move(topics)),
      config_(std::move(config)),
      from_(from),
      until_(until),
      dir_(&dir),
      events_(events),
      embedding_(embedding),
      network_(dir, topic_names_,
               NetworkClient::Options{config_.request_timeout_ms, config_.retry_backoff_ms, config_.metadata_max_age_ms,
                                      embedding.first_correlation_id},
               NetworkClient::TimerKinds{embedding.timer_kind_base + timer_metadata_timeout,
                                         embedding.timer_kind_base + timer_metadata_retry,
                                         embedding.timer_kind_base + timer_metadata_max_age, embedding.timer_slot}),
      in_flight_(config_.request_timeout_ms, embedding.timer_kind_base + timer_request_timeout, embedding.timer_slot),
      group_id_(std::move(group_id)) {
    if (rate_per_s && *rate_per_s > 0) {
        double milli = *rate_per_s * 1000.0 + 0.5;
        rate_milli_ = milli >= 1.0 ? static_cast<uint64_t>(milli) : 1;
    }
    config_.max_poll_records = std::max(1, config_.max_poll_records);
    for (const auto& name : topic_names_) topics_.push_back(TopicState{name, 0, false, 0});
    // partition.assignment.strategy: short names or Kafka's class names, in preference order.
    std::string list = config_.partition_assignment_strategy;
    size_t start = 0;
    while (start <= list.size()) {
        size_t comma = list.find(',', start);
        std::string name = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        name.erase(0, name.find_first_not_of(" \t"));
        name.erase(name.find_last_not_of(" \t") + 1);
        const std::string cls = name.substr(name.rfind('.') == std::string::npos ? 0 : name.rfind('.') + 1);
        if (cls == "RangeAssignor") name = "range";
        else if (cls == "RoundRobinAssignor") name = "roundrobin";
        else if (cls == "StickyAssignor") name = "sticky";
        else if (cls == "CooperativeStickyAssignor") name = "cooperative-sticky";
        if (!name.empty()) protocols_.push_back(name);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    if (protocols_.empty()) protocols_ = {"range", "cooperative-sticky"};
}

int64_t ConsumerClient::position(TopicPartition tp) const {
    auto it = parts_.find(tp);
    if (it == parts_.end() || it->second.phase != Phase::fetching) return -1;
    return it->second.position;
}

int64_t ConsumerClient::high_watermark(TopicPartition tp) const {
    auto it = parts_.find(tp);
    return it == parts_.end() ? -1 : it->second.high_watermark;
}

int64_t ConsumerClient::last_stable_offset(TopicPartition tp) const {
    auto it = parts_.find(tp);
    return it == parts_.end() ? -1 : it->second.last_stable_offset;
}

std::optional<sim::Time> ConsumerClient::last_fetch_response(TopicPartition tp) const {
    auto it = parts_.find(tp);
    return it == parts_.end() ? std::nullopt : it->second.last_fetch_response;
}

uint64_t ConsumerClient::buffered_records() const {
    uint64_t n = 0;
    for (const auto& [tp, ps] : parts_)
        for (const auto& [b, skip] : ps.buffer) {
            if (skip) continue;
            int64_t first = std::max(b.base_offset, ps.position);
            if (b.next_offset() > first) n += static_cast<uint64_t>(b.next_offset() - first);
        }
    return n;
}

std::optional<sim::Time> ConsumerClient::end_offset_time(TopicPartition tp) const {
    auto it = parts_.find(tp);
    return it == parts_.end() ? std::nullopt : it->second.end_offset_at;
}

std::vector<TopicPartition> ConsumerClient::assignment() const {
    std::vector<TopicPartition> out;
    out.reserve(parts_.size());
    for (const auto& [tp, ps] : parts_) out.push_back(tp);
    return out;
}

std::vector<TopicPartition> ConsumerClient::failed_partitions() const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, ps] : parts_)
        if (ps.phase == Phase::failed) out.push_back(tp);
    return out;
}

std::optional<TopicId> ConsumerClient::topic_id(std::string_view topic) const {
    for (const auto& t : topics_)
        if (t.name == topic && t.known) return t.id;
    return std::nullopt;
}

// ------------------------------------------------------------------------------ lifecycle

void ConsumerClient::on_start(Context& ctx) {
    network_.on_start(ctx);
    if (ctx.now() >= until_) return;
    if (ctx.now() < from_)
        ctx.set_timer(from_ - ctx.now(), timer_tag(timer_activate));
    else
        activate(ctx);
    if (until_ != sim::time_never) ctx.set_timer(until_ - ctx.now(), timer_tag(timer_deactivate));
}

void ConsumerClient::activate(Context& ctx) {
    active_ = true;
    network_.request_metadata_update(ctx);
}

void ConsumerClient::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (!active_) return;
    if (auto* f = std::get_if<FetchResponse>(&msg)) {
        handle_fetch_response(from, *f, ctx);
    } else if (group_id_ && (std::holds_alternative<FindCoordinatorResponse>(msg) ||
                             std::holds_alternative<JoinGroupResponse>(msg) ||
                             std::holds_alternative<SyncGroupResponse>(msg) ||
                             std::holds_alternative<HeartbeatResponse>(msg) ||
                             std::holds_alternative<LeaveGroupResponse>(msg) ||
                             std::holds_alternative<OffsetCommitResponse>(msg) ||
                             std::holds_alternative<OffsetFetchResponse>(msg))) {
        on_group_message(from, msg, ctx);
    } else if (auto* l = std::get_if<ListOffsetsResponse>(&msg)) {
        handle_list_offsets_response(from, *l, ctx);
    } else if (auto* m = std::get_if<MetadataResponse>(&msg)) {
        handle_metadata_response(from, *m, ctx);
    }
}

void ConsumerClient::close(Context& ctx) {
    if (active_) deactivate(ctx);
}

// The application closes the consumer: nothing more is fetched or polled. A group member
// commits what it consumed and leaves (KafkaConsumer.close).
void ConsumerClient::deactivate(Context& ctx) {
    if (group_id_ && coordinator_ != no_leader && member_state_ == MemberState::stable) {
        if (config_.enable_auto_commit) send_commit(GroupRequest::commit, ctx);
        leave_group("the consumer closed", ctx);
    }
    ctx.cancel_timer(heartbeat_timer_);
    ctx.cancel_timer(auto_commit_timer_);
    ctx.cancel_timer(poll_timeout_timer_);
    for (auto& [corr, call] : group_calls_) ctx.cancel_timer(call.timer);
    active_ = false;
    ctx.cancel_timer(wakeup_timer_);
    network_.close(ctx);
    in_flight_.cancel_timers(ctx);
}

void ConsumerClient::on_timer(uint64_t tag, Context& ctx) {
    // Kinds are numbered from the embedding's base: a tag below it is not this client's.
    const uint64_t raw_kind = client_timer::kind(tag);
    if (raw_kind < embedding_.timer_kind_base) return;
    const auto kind = static_cast<TimerKind>(raw_kind - embedding_.timer_kind_base);
    switch (kind) {
        case timer_activate:
            activate(ctx);
            return;
        case timer_deactivate:
            deactivate(ctx);
            return;
        case timer_wakeup:
            wakeup_timer_ = sim::TimerId{};
            wakeup_deadline_ = sim::time_never;
            progress(ctx);
            return;
        case timer_metadata_timeout:
        case timer_metadata_retry:
        case timer_metadata_max_age:
            if (auto broker = network_.on_timer(tag, ctx)) fail_connection(*broker, ctx);
            return;
        case timer_request_timeout:
            if (auto broker = in_flight_.timed_out(client_timer::value(tag))) fail_connection(*broker, ctx);
            return;
        case timer_group_request_timeout:
        case timer_group_heartbeat:
        case timer_auto_commit:
        case timer_poll_timeout:
            on_group_timer(kind, client_timer::value(tag), ctx);
            return;
    }
}

void ConsumerClient::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (!active_) return;
    if (group_id_ && coordinator_ != no_leader && dir_->broker_node(coordinator_) == peer)
        coordinator_unknown("the connection to the coordinator closed", ctx);
    if (group_id_) {
        // A FindCoordinator sent to that broker is lost with the connection.
        for (auto it = group_calls_.begin(); it != group_calls_.end(); ++it)
            if (it->second.kind == GroupRequest::find_coordinator && it->second.node == peer) {
                ctx.cancel_timer(it->second.timer);
                if (membership_corr_ == it->first) membership_corr_ = 0;
                group_calls_.erase(it);
                break;
            }
    }
    const std::optional<BrokerId> broker = network_.handle_disconnect(peer, ctx);
    if (!broker) return;
    fail_connection(*broker, ctx);
    if (group_id_) progress(ctx);  // the group machinery may have to look for a coordinator
}

// ------------------------------------------------------------------------------ the fetch loop

void ConsumerClient::arm_wakeup(sim::Time at, Context& ctx) {
    if (at == sim::time_never) return;
    if (wakeup_timer_.valid() && wakeup_deadline_ <= at) return;
    ctx.cancel_timer(wakeup_timer_);
    sim::Duration after = at > ctx.now() ? at - ctx.now() : sim::Duration{};
    wakeup_timer_ = ctx.set_timer(after, timer_tag(timer_wakeup));
    wakeup_deadline_ = at;
}

void ConsumerClient::progress(Context& ctx) {
    if (!active_) return;
    // An application may call in (resume, commit) from inside a callback of this very step:
    // the step then runs once more when the current one is done, never inside itself.
    if (in_progress_) {
        progress_again_ = true;
        return;
    }
    in_progress_ = true;
    do {
        progress_again_ = false;
        sim::Time next = sim::time_never;
        if (group_id_) group_step(ctx, next);
        deliver(ctx, next);
        if (group_id_) send_offset_fetch(ctx, next);
        send_list_offsets(ctx, next);
        send_fetches(ctx, next);
        arm_wakeup(next, ctx);
    } while (progress_again_ && active_);
    in_progress_ = false;
}

void ConsumerClient::deliver(Context& ctx, sim::Time& next) {
    if (poll_queue_.empty()) return;
    // An eager rebalance holds poll(): it commits, revokes everything and joins before any
    // more records are returned. Cooperative members keep consuming what they own.
    if (group_id_ && member_state_ != MemberState::stable && !cooperative_now()) return;
    // pause() of the whole assignment: poll() returns nothing, the buffers wait.
    if (delivery_paused_) return;
    const sim::Time now = ctx.now();
    if (rate_milli_ != 0 && now < app_ready_at_) {
        next = std::min(next, app_ready_at_);  // still processing the previous poll
        return;
    }
    const int64_t quota = rate_milli_ != 0 ? config_.max_poll_records : INT64_MAX;
    int64_t handed = 0;
    // Paused partitions keep their place in the queue; `i` is the first one not passed over.
    // (The application may pause from inside on_poll: both pauses are looked at every turn.)
    size_t i = 0;
    while (handed < quota && i < poll_queue_.size() && !delivery_paused_) {
        const TopicPartition tp = poll_queue_[i];
        auto it = parts_.find(tp);
        if (it == parts_.end() || it->second.buffer.empty() || it->second.phase != Phase::fetching) {
            if (it != parts_.end()) {
                it->second.in_poll_queue = false;
                it->second.buffer.clear();
            }
            poll_queue_.erase(poll_queue_.begin() + static_cast<std::ptrdiff_t>(i));
            continue;
        }
        PartitionState& ps = it->second;
        if (ps.paused) {
            ++i;
            continue;
        }
        const RecordBatch& b = ps.buffer.front().batch;
        const int64_t first = std::max(b.base_offset, ps.position);
        if (first >= b.next_offset()) {
            ps.buffer.pop_front();
        } else if (ps.buffer.front().skip) {
            // CompletedFetch: nextFetchOffset moves past a control or aborted batch.
            ps.position = b.next_offset();
            ps.buffer.pop_front();
        } else {
            const int64_t count = std::min(b.next_offset() - first, quota - handed);
            // The position moves past the records as poll() returns them, before the
            // application processes them (a commit from on_poll includes them).
            ps.position = first + count;
            records_consumed_ += static_cast<uint64_t>(count);
            handed += count;
            if (events_) events_->on_poll(client_, now, tp, b, first, static_cast<int32_t>(count));
            if (ps.position >= b.next_offset()) ps.buffer.pop_front();
        }
        if (ps.buffer.empty()) {
            ps.in_poll_queue = false;
            poll_queue_.erase(poll_queue_.begin() + static_cast<std::ptrdiff_t>(i));
        }
    }
    if (rate_milli_ != 0 && handed > 0) {
        auto us = static_cast<unsigned __int128>(handed) * 1000000000u / rate_milli_;
        app_ready_at_ = now + sim::microseconds(static_cast<int64_t>(us));
        if (!poll_queue_.empty()) next = std::min(next, app_ready_at_);
    }
    if (handed > 0 && group_id_) after_poll(ctx);
}

int32_t ConsumerClient::track_request(RequestKind kind, BrokerId broker, sim::NodeId node,
                                      std::vector<TopicPartition> tps, Context& ctx) {
    const int32_t corr = network_.next_correlation_id();
    in_flight_.add(corr, broker, node, Request{kind, std::move(tps)}, ctx);
    return corr;
}

// The partitions `wanted` picks, by their leader: those backing off only bring `next` forward,
// and any without a usable leader asks for new metadata.
template <class Wanted>
std::map<BrokerId, std::vector<TopicPartition>> ConsumerClient::partitions_by_leader(Wanted&& wanted, Context& ctx,
                                                                                    sim::Time& next) {
    const sim::Time now = ctx.now();
    std::map<BrokerId, std::vector<TopicPartition>> by_leader;
    bool leaderless = false;
    for (const auto& [tp, ps] : parts_) {
        if (!wanted(ps)) continue;
        if (now < ps.retry_at) {
            next = std::min(next, ps.retry_at);
            continue;
        }
        if (ps.leader == no_leader || dir_->broker_node(ps.leader) == sim::no_node) {
            leaderless = true;
            continue;
        }
        by_leader[ps.leader].push_back(tp);
    }
    if (leaderless) network_.request_metadata_update(ctx);
    return by_leader;
}

void ConsumerClient::send_list_offsets(Context& ctx, sim::Time& next) {
    auto by_leader = partitions_by_leader([](const PartitionState& ps) { return ps.phase == Phase::awaiting_reset; },
                                          ctx, next);
    const int64_t policy =
        config_.auto_offset_reset == "earliest" ? ListOffsetsRequest::earliest : ListOffsetsRequest::latest;
    for (auto& [broker, tps] : by_leader) {
        if (!network_.ready(broker, ctx, next)) continue;
        const sim::NodeId node = dir_->broker_node(broker);
        ListOffsetsRequest req;
        req.read_committed = read_committed();
        for (const auto& tp : tps) {
            const PartitionState& ps = parts_.at(tp);
            const int64_t timestamp = ps.seek_to_beginning ? ListOffsetsRequest::earliest : policy;
            req.partitions.push_back(ListOffsetsRequest::PartitionData{tp, ps.leader_epoch, timestamp});
        }
        const int32_t corr = track_request(RequestKind::list_offsets, broker, node, tps, ctx);
        req.correlation_id = corr;
        for (const auto& tp : tps) {
            PartitionState& ps = parts_.at(tp);
            ps.phase = Phase::resetting;
            ps.reset_corr = corr;
        }
        ++list_offsets_requests_sent_;
        ctx.send(node, std::move(req));
    }
}

void ConsumerClient::send_fetches(Context& ctx, sim::Time& next) {
    auto by_leader = partitions_by_leader(
        [](const PartitionState& ps) {
            return ps.phase == Phase::fetching && ps.fetch_corr == 0 && ps.buffer.empty() && !ps.paused;
        },
        ctx, next);
    for (auto& [broker, tps] : by_leader) {
        if (!network_.ready(broker, ctx, next)) continue;
        if (brokers_with_pending_fetch_.count(broker) != 0) continue;  // its response will bring us back here
        const sim::NodeId node = dir_->broker_node(broker);
        FetchRequest req;
        req.replica_id = consumer_replica_id;
        req.max_wait_ms = static_cast<int32_t>(std::min<int64_t>(config_.fetch_max_wait_ms, INT32_MAX));
        req.min_bytes = config_.fetch_min_bytes;
        req.read_committed = read_committed();
        for (const auto& tp : tps) {
            const PartitionState& ps = parts_.at(tp);
            FetchRequest::PartitionData pd;
            pd.tp = tp;
            pd.current_leader_epoch = ps.leader_epoch;
            pd.fetch_offset = ps.position;
            pd.partition_max_bytes = config_.max_partition_fetch_bytes;
            req.partitions.push_back(pd);
        }
        const int32_t corr = track_request(RequestKind::fetch, broker, node, tps, ctx);
        req.correlation_id = corr;
        brokers_with_pending_fetch_.insert(broker);
        for (const auto& tp : tps) {
            PartitionState& ps = parts_.at(tp);
            ps.fetch_corr = corr;
            ps.fetch_offset = ps.position;
        }
        ++fetch_requests_sent_;
        ctx.send(node, std::move(req));
    }
}

void ConsumerClient::handle_fetch_response(sim::NodeId from, const FetchResponse& resp, Context& ctx) {
    const auto* sent = in_flight_.find(resp.correlation_id);
    if (sent == nullptr || sent->request.kind != RequestKind::fetch || sent->node != from) return;
    const auto r = in_flight_.complete(resp.correlation_id, ctx);
    brokers_with_pending_fetch_.erase(r.broker);
    for (const auto& tp : r.request.tps) {
        auto pit = parts_.find(tp);
        if (pit == parts_.end()) continue;
        PartitionState& ps = pit->second;
        if (ps.fetch_corr != resp.correlation_id) continue;
        ps.fetch_corr = 0;
        const FetchResponse::PartitionData* pd = nullptr;
        for (const auto& p : resp.partitions)
            if (p.tp == tp) {
                pd = &p;
                break;
            }
        Error e = resp.error != Error::none ? resp.error : (pd != nullptr ? pd->error : Error::none);
        if (e == Error::offset_out_of_range && pd != nullptr) {
            // FetchCollector.handleInitializeErrors: only when the position is still the one
            // fetched; then auto.offset.reset decides (none: OffsetOutOfRangeException).
            if (ps.phase == Phase::fetching && ps.position == ps.fetch_offset)
                need_reset(tp, ps, ctx, /*out_of_range=*/true, pd);
            continue;
        }
        if (e != Error::none) {
            partition_error(tp, ps, e, ctx);
            continue;
        }
        if (pd == nullptr) continue;
        ps.last_fetch_response = ctx.now();
        if (ps.phase != Phase::fetching || ps.position != ps.fetch_offset) continue;  // position moved: stale data
        if (pd->high_watermark >= 0) ps.high_watermark = pd->high_watermark;
        if (pd->last_stable_offset >= 0) ps.last_stable_offset = pd->last_stable_offset;
        ps.end_offset_at = ctx.now();
        buffer_fetched(ps, *pd);
        if (!ps.buffer.empty() && !ps.in_poll_queue) {
            ps.in_poll_queue = true;
            poll_queue_.push_back(tp);
        }
    }
    progress(ctx);
}

// Control batches and, with read_committed, aborted transactions' batches are kept as
// FetchedBatch::skip: poll() moves the position past them without returning records.
void ConsumerClient::buffer_fetched(PartitionState& ps, const FetchResponse::PartitionData& pd) {
    const std::vector<bool> skip = skipped_batches(pd, read_committed());
    for (size_t i = 0; i < pd.batches.size(); ++i) {
        const RecordBatch& b = pd.batches[i];
        if (b.record_count > 0 && b.next_offset() > ps.position) ps.buffer.push_back(FetchedBatch{b, skip[i]});
    }
}

void ConsumerClient::handle_list_offsets_response(sim::NodeId from, const ListOffsetsResponse& resp, Context& ctx) {
    const auto* sent = in_flight_.find(resp.correlation_id);
    if (sent == nullptr || sent->request.kind != RequestKind::list_offsets || sent->node != from) return;
    const auto r = in_flight_.complete(resp.correlation_id, ctx);
    for (const auto& tp : r.request.tps) {
        auto pit = parts_.find(tp);
        if (pit == parts_.end()) continue;
        PartitionState& ps = pit->second;
        if (ps.reset_corr != resp.correlation_id || ps.phase != Phase::resetting) continue;
        ps.reset_corr = 0;
        const ListOffsetsResponse::PartitionData* pd = nullptr;
        for (const auto& p : resp.partitions)
            if (p.tp == tp) {
                pd = &p;
                break;
            }
        Error e = pd != nullptr ? pd->error : Error::network_exception;
        if (e == Error::none && pd->offset >= 0) {
            ps.position = pd->offset;
            ps.phase = Phase::fetching;
            ps.seek_to_beginning = false;
            ps.buffer.clear();
            continue;
        }
        ps.phase = Phase::awaiting_reset;
        ps.retry_at = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
        if (e == Error::none || needs_metadata_refresh(e)) network_.request_metadata_update(ctx);
    }
    progress(ctx);
}

void ConsumerClient::partition_error(const TopicPartition& tp, PartitionState& ps, Error error, Context& ctx) {
    if (error == Error::offset_out_of_range) {
        need_reset(tp, ps, ctx, /*out_of_range=*/true);
        return;
    }
    ps.retry_at = ctx.now() + sim::milliseconds(config_.retry_backoff_ms);
    if (needs_metadata_refresh(error)) network_.request_metadata_update(ctx);
}

void ConsumerClient::need_reset(const TopicPartition& tp, PartitionState& ps, Context& ctx, bool out_of_range,
                                const FetchResponse::PartitionData* answer) {
    ps.buffer.clear();
    ps.fetch_corr = 0;
    ps.reset_corr = 0;
    std::optional<int64_t> log_start, high_watermark;
    if (answer != nullptr && answer->log_start_offset >= 0) log_start = answer->log_start_offset;
    if (answer != nullptr && answer->high_watermark >= 0) high_watermark = answer->high_watermark;
    const std::string& policy = config_.auto_offset_reset;
    if (policy == "earliest" || policy == "latest") {
        if (out_of_range)
            ctx.emit(ConsumerOffsetReset{.topic = ps.topic,
                                         .partition = tp.partition,
                                         .offset = ps.position,
                                         .reset = policy,
                                         .log_start_offset = log_start,
                                         .high_watermark = high_watermark});
        ps.phase = Phase::awaiting_reset;
        return;
    }
    ps.phase = Phase::failed;
    ctx.emit(ConsumerNoOffset{.topic = ps.topic,
                              .partition = tp.partition,
                              .offset = ps.position,
                              .error = out_of_range ? "OFFSET_OUT_OF_RANGE" : "NO_OFFSET_FOR_PARTITION",
                              .log_start_offset = log_start});
}

void ConsumerClient::fail_connection(BrokerId broker, Context& ctx) {
    in_flight_.fail_all(broker, ctx, [&](int32_t corr, Request& r) {
        for (const auto& tp : r.tps) {
            auto pit = parts_.find(tp);
            if (pit == parts_.end()) continue;
            PartitionState& ps = pit->second;
            if (r.kind == RequestKind::fetch && ps.fetch_corr == corr) ps.fetch_corr = 0;
            if (r.kind == RequestKind::list_offsets && ps.reset_corr == corr) {
                ps.reset_corr = 0;
                ps.phase = Phase::awaiting_reset;
            }
        }
    });
    brokers_with_pending_fetch_.erase(broker);
    network_.mark_disconnected(broker, ctx);
    progress(ctx);
}

// ------------------------------------------------------------------------------ metadata

void ConsumerClient::handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx) {
    if (!network_.handle_metadata_response(from, resp, ctx)) return;  // stale or unknown
    assign_from_metadata(resp, ctx);
    network_.schedule_metadata_refresh(ctx);
    network_.maybe_update_metadata(ctx);
    progress(ctx);
}

// Metadata updates what is known of the topics' partitions and their leaders; ownership
// follows: every partition without a group (KafkaConsumer.assign), the assignment with one.
void ConsumerClient::assign_from_metadata(const MetadataResponse& resp, Context& ctx) {
    const sim::Time now = ctx.now();
    ClientMetadata& metadata = network_.metadata();
    for (auto& ts : topics_) {
        // Not created yet: asked again after the backoff.
        const TopicMetadata* tm = metadata.find_topic(resp, ts.name);
        if (tm == nullptr) continue;
        if (ts.known && ts.id != tm->topic_id) {
            // The topic was deleted and created again: its old partitions are gone.
            for (auto it = parts_.begin(); it != parts_.end();)
                it = it->first.topic_id == ts.id ? parts_.erase(it) : std::next(it);
            metadata.forget_partitions(ts.name);
        }
        ts.id = tm->topic_id;
        ts.known = true;
        ts.partitions = metadata.update_partitions(*tm).partitions;
    }
    apply_ownership(ctx);
    std::map<std::string, bool> changed;
    for (auto& [tp, ps] : parts_) {
        const ClientMetadata::PartitionInfo* li = metadata.partition(ps.topic, tp.partition);
        if (li == nullptr) continue;
        if (li->leader != ps.leader) {
            changed[ps.topic] = true;
            ps.retry_at = std::min(ps.retry_at, now);  // a new leader: no need to wait out the backoff
        }
        ps.leader = li->leader;
        ps.leader_epoch = li->leader_epoch;
    }
    for (const auto& [topic, yes] : changed) {
        std::vector<int32_t> leaders;
        for (const auto& [tp, ps] : parts_)
            if (ps.topic == topic) leaders.push_back(ps.leader);
        ctx.emit(ConsumerMetadata{.topic = topic, .leaders = leaders});
    }
}

std::optional<TopicPartition> ConsumerClient::resolve(const GroupPartition& p) const {
    for (const auto& t : topics_)
        if (t.name == p.topic && t.known) return TopicPartition{t.id, p.partition};
    return std::nullopt;
}

GroupPartition ConsumerClient::name_of(TopicPartition tp) const {
    for (const auto& t : topics_)
        if (t.known && t.id == tp.topic_id) return GroupPartition{t.name, tp.partition};
    return GroupPartition{"?", tp.partition};
}

void ConsumerClient::apply_ownership(Context& ctx) {
    std::map<TopicPartition, std::string> owned;
    if (group_id_) {
        for (const auto& gp : assignment_)
            if (auto tp = resolve(gp)) owned.emplace(*tp, gp.topic);
    } else if (mode_.manual_assignment) {
        for (const auto& [gp, start] : manual_)
            if (auto tp = resolve(gp)) owned.emplace(*tp, gp.topic);
    } else {
        for (const auto& t : topics_)
            if (t.known)
                for (int32_t p = 0; p < t.partitions; ++p) owned.emplace(TopicPartition{t.id, p}, t.name);
    }
    for (auto it = parts_.begin(); it != parts_.end();)
        it = owned.count(it->first) == 0 ? parts_.erase(it) : std::next(it);
    for (const auto& [tp, topic] : owned) {
        auto [it, inserted] = parts_.try_emplace(tp);
        if (!inserted) continue;
        PartitionState& ps = it->second;
        ps.topic = topic;
        if (const ClientMetadata::PartitionInfo* li = network_.metadata().partition(topic, tp.partition)) {
            ps.leader = li->leader;
            ps.leader_epoch = li->leader_epoch;
        }
        if (group_id_)
            ps.phase = Phase::awaiting_committed;  // the committed offset first (OffsetFetch)
        else if (mode_.manual_assignment)
            start_at(ps, manual_.at(GroupPartition{topic, tp.partition}));
        else
            need_reset(tp, ps, ctx, /*out_of_range=*/false);  // no committed offsets without a group
    }
}


// ------------------------------------------------------------------------------ the application's calls

// seek (offset >= 0) or seekToBeginning (-1): the position is set now, or reset from the
// log start by ListOffsets.
void ConsumerClient::start_at(PartitionState& ps, int64_t offset) {
    ps.buffer.clear();
    ps.reset_corr = 0;  // a reset in flight no longer counts
    if (offset >= 0) {
        ps.position = offset;
        ps.phase = Phase::fetching;
        ps.seek_to_beginning = false;
    } else {
        ps.phase = Phase::awaiting_reset;
        ps.seek_to_beginning = true;
    }
}

void ConsumerClient::pause_delivery(bool paused, Context& ctx) {
    if (delivery_paused_ == paused) return;
    delivery_paused_ = paused;
    if (!paused) progress(ctx);  // what is buffered goes out now
}

void ConsumerClient::pause_partitions(const std::vector<TopicPartition>& partitions, bool paused, Context& ctx) {
    bool resumed = false;
    for (const TopicPartition& tp : partitions) {
        auto it = parts_.find(tp);
        if (it == parts_.end() || it->second.paused == paused) continue;
        it->second.paused = paused;
        resumed = resumed || !paused;
    }
    if (resumed) progress(ctx);
}

std::vector<TopicPartition> ConsumerClient::paused_partitions() const {
    std::vector<TopicPartition> out;
    for (const auto& [tp, ps] : parts_)
        if (ps.paused) out.push_back(tp);
    return out;
}

std::map<TopicPartition, int64_t> ConsumerClient::positions() const {
    std::map<TopicPartition, int64_t> out;
    for (const auto& [tp, ps] : parts_)
        if (ps.phase == Phase::fetching && ps.position >= 0) out.emplace(tp, ps.position);
    return out;
}

std::vector<std::pair<GroupPartition, int64_t>> ConsumerClient::consumed_offsets() const {
    std::vector<std::pair<GroupPartition, int64_t>> out;
    for (const auto& [tp, position] : positions()) out.emplace_back(name_of(tp), position);
    return out;
}

void ConsumerClient::assign(const std::vector<std::pair<GroupPartition, int64_t>>& partitions, Context& ctx) {
    if (group_id_) return;  // subscribe() and assign() exclude each other (IllegalStateException in Java)
    mode_.manual_assignment = true;
    std::map<GroupPartition, int64_t> wanted;
    for (const auto& [gp, offset] : partitions)
        if (std::find(topic_names_.begin(), topic_names_.end(), gp.topic) != topic_names_.end())
            wanted.insert_or_assign(gp, offset < 0 ? -1 : offset);
    manual_ = std::move(wanted);
    apply_ownership(ctx);
    progress(ctx);
}

void ConsumerClient::seek(const GroupPartition& partition, int64_t offset, Context& ctx) {
    if (offset < 0) offset = -1;
    auto m = manual_.find(partition);
    if (m != manual_.end()) m->second = offset;  // not taken on yet: it starts there
    const std::optional<TopicPartition> tp = resolve(partition);
    if (!tp) return;
    auto it = parts_.find(*tp);
    if (it == parts_.end()) return;
    start_at(it->second, offset);
    progress(ctx);
}

}  // namespace kafka
