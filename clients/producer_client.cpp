#include "clients/producer_client.hpp"

#include <algorithm>
#include <cstdint>
#include <utility>

#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"

namespace kafka {

namespace {

enum TimerKind : uint64_t {
    timer_generate = 1,
    timer_sender = 2,
    timer_metadata_timeout = 3,
    timer_metadata_retry = 4,
    timer_metadata_max_age = 5,
    timer_request_timeout = 6,
    timer_txn_request_timeout = 7,  // producer_transactions.cpp
    timer_txn_retry = 8,
};
constexpr int64_t max_block_ms = 60000;             // max.block.ms: send() waiting for metadata
// Per-record framing on top of key and value (varint lengths, attributes, deltas), kept simple.
constexpr int32_t record_overhead_bytes = 10;

int32_t decimal_digits(int64_t v) {
    int32_t d = 1;
    while (v >= 10) {
        v /= 10;
        ++d;
    }
    return d;
}

}  // namespace

ProducerClient::ProducerClient(uint32_t client_ordinal, std::string topic, ProducerConfig config,
                               WorkloadSpec workload, const ClusterDirectory& dir, ClientEvents* events)
    : client_(client_ordinal),
      topic_(std::move(topic)),
      config_(std::move(config)),
      workload_(workload),
      dir_(&dir),
      events_(events),
      network_(dir, {topic_},
               NetworkClient::Options{config_.request_timeout_ms, config_.retry_backoff_ms, config_.metadata_max_age_ms},
               NetworkClient::TimerKinds{timer_metadata_timeout, timer_metadata_retry, timer_metadata_max_age}),
      in_flight_(config_.request_timeout_ms, timer_request_timeout),
      coordinator_in_flight_(config_.request_timeout_ms, timer_txn_request_timeout) {
    SIM_ASSERT(client_ >= 1, "producer client ordinal must be >= 1");
    // Kafka requires acks=all, retries > 0 and at most 5 in flight for idempotence
    // (ProducerConfig resolves conflicts; guard here so a hand-built config stays sane).
    idempotent_ = config_.enable_idempotence && config_.acks == -1 && config_.retries > 0 &&
                  config_.max_in_flight_requests_per_connection <= 5;
    config_.max_in_flight_requests_per_connection = std::max(1, config_.max_in_flight_requests_per_connection);
    config_.batch_size = std::max(1, config_.batch_size);
    if (workload_.rate_per_s > 0) {
        double milli = workload_.rate_per_s * 1000.0 + 0.5;
        rate_milli_ = milli >= 1.0 ? static_cast<uint64_t>(milli) : 1;
    }
    if (workload_.keys > 0) key_partition_.assign(static_cast<size_t>(workload_.keys), -1);
    // A transactional producer gets its producer id from its coordinator (InitProducerId).
    producer_id_ = idempotent_ && !transactional() ? static_cast<int64_t>(client_) * 1000 : no_producer_id;
    if (workload_.records_per_txn < 1) workload_.records_per_txn = 1;
}

BrokerId ProducerClient::leader_of(int32_t partition) const {
    if (partition < 0 || partition >= partition_count()) return no_leader;
    return leaders()[static_cast<size_t>(partition)].leader;
}

// ------------------------------------------------------------------------------ lifecycle

void ProducerClient::on_start(Context& ctx) {
    network_.on_start(ctx);
    // A restarted process does not replay what its previous life should have sent.
    if (rate_milli_ > 0 && ctx.now() > workload_.from) {
        auto elapsed = static_cast<unsigned __int128>((ctx.now() - workload_.from).us);
        next_record_ = static_cast<uint64_t>(elapsed * rate_milli_ / 1000000000u);
        while (next_record_ > 0 && record_time(next_record_ - 1) >= ctx.now()) --next_record_;
        while (record_time(next_record_) < ctx.now()) ++next_record_;
    }
    network_.request_metadata_update(ctx);
    if (transactional()) txn_start(ctx);
    schedule_generation(ctx);
}

void ProducerClient::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (auto* r = std::get_if<ProduceResponse>(&msg)) {
        handle_produce_response(from, *r, ctx);
    } else if (auto* m = std::get_if<MetadataResponse>(&msg)) {
        handle_metadata_response(from, *m, ctx);
    } else if (auto* fc = std::get_if<FindCoordinatorResponse>(&msg)) {
        handle_coordinator_response(from, fc->correlation_id, fc->error, msg, ctx);
    } else if (auto* ip = std::get_if<InitProducerIdResponse>(&msg)) {
        handle_coordinator_response(from, ip->correlation_id, ip->error, msg, ctx);
    } else if (auto* ap = std::get_if<AddPartitionsToTxnResponse>(&msg)) {
        handle_coordinator_response(from, ap->correlation_id, Error::none, msg, ctx);
    } else if (auto* et = std::get_if<EndTxnResponse>(&msg)) {
        handle_coordinator_response(from, et->correlation_id, et->error, msg, ctx);
    }
}

void ProducerClient::on_timer(uint64_t tag, Context& ctx) {
    switch (static_cast<TimerKind>(client_timer::kind(tag))) {
        case timer_generate:
            generate(ctx);
            return;
        case timer_sender:
            sender_timer_ = sim::TimerId{};
            sender_deadline_ = sim::time_never;
            run_sender(ctx);
            return;
        case timer_metadata_timeout:
        case timer_metadata_retry:
        case timer_metadata_max_age:
            if (auto broker = network_.on_timer(tag, ctx)) fail_connection(*broker, Error::request_timed_out, ctx);
            return;
        case timer_request_timeout:
            if (auto broker = in_flight_.timed_out(client_timer::value(tag)))
                fail_connection(*broker, Error::request_timed_out, ctx);
            return;
        case timer_txn_request_timeout:
            if (auto broker = coordinator_in_flight_.timed_out(client_timer::value(tag)))
                fail_connection(*broker, Error::request_timed_out, ctx);
            return;
        case timer_txn_retry:
            txn_.retry_timer = sim::TimerId{};
            txn_poll(ctx);
            return;
    }
}

void ProducerClient::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (auto broker = network_.handle_disconnect(peer, ctx)) fail_connection(*broker, Error::network_exception, ctx);
}

// ------------------------------------------------------------------------------ workload

sim::Time ProducerClient::record_time(uint64_t i) const {
    auto us = static_cast<unsigned __int128>(i) * 1000000000u / rate_milli_;
    return workload_.from + sim::microseconds(static_cast<int64_t>(us));
}

void ProducerClient::schedule_generation(Context& ctx) {
    if (rate_milli_ == 0) return;
    sim::Time t = record_time(next_record_);
    if (t >= workload_.until) return;
    sim::Duration after = t > ctx.now() ? t - ctx.now() : sim::Duration{};
    ctx.set_timer(after, client_timer::tag(timer_generate));
}

int32_t ProducerClient::record_bytes(int32_t key) const {
    int32_t bytes = config_.record_size_bytes + record_overhead_bytes;
    if (key >= 0) bytes += 4 + decimal_digits(key);  // "key-<k>"
    return bytes;
}

void ProducerClient::generate(Context& ctx) {
    const sim::Time now = ctx.now();
    while (true) {
        sim::Time t = record_time(next_record_);
        if (t > now || t >= workload_.until) break;
        ++next_record_;
        ++records_generated_;
        int32_t key = workload_.keys > 0 ? static_cast<int32_t>(ctx.rng().below(static_cast<uint64_t>(workload_.keys)))
                                         : -1;
        if (has_metadata_ && pending_.empty() && (!transactional() || txn_accepts_records()))
            append_record(key, ctx);
        else
            pending_.push_back(PendingRecord{t, key});
    }
    // The workload is over: the application commits what its open transaction holds.
    if (transactional() && txn_.state == TxnState::in_transaction && record_time(next_record_) >= workload_.until)
        txn_end(txn_.app_commits, Error::none, ctx);
    if (!has_metadata_) {
        // send() gives up after max.block.ms without metadata (a TimeoutException to the app).
        while (!pending_.empty() && pending_.front().at + sim::milliseconds(max_block_ms) <= now) {
            pending_.pop_front();
            ++records_failed_;
        }
    }
    schedule_generation(ctx);
    run_sender(ctx);
}

void ProducerClient::drain_pending(Context& ctx) {
    const sim::Time now = ctx.now();
    while (!pending_.empty() && has_metadata_ && (!transactional() || txn_accepts_records())) {
        PendingRecord r = pending_.front();
        pending_.pop_front();
        // Waiting for metadata, send() gives up after max.block.ms; records that wait for the
        // application's commitTransaction() were not given to send() yet.
        if (!transactional() && r.at + sim::milliseconds(max_block_ms) <= now) {
            ++records_failed_;
            continue;
        }
        append_record(r.key, ctx);
    }
    if (transactional() && txn_.state == TxnState::in_transaction && pending_.empty() &&
        record_time(next_record_) >= workload_.until)
        txn_end(txn_.app_commits, Error::none, ctx);
}

void ProducerClient::append_record(int32_t key, Context& ctx) {
    if (transactional() && txn_.state == TxnState::ready) txn_begin(ctx);
    const int32_t p = append(key, ctx);
    if (transactional()) txn_record_appended(p, ctx);
}

void ProducerClient::choose_sticky(Context& ctx) {
    // BuiltInPartitioner.nextPartition: uniform among partitions with a leader (all if none).
    std::vector<int32_t> available;
    const auto& known = leaders();
    for (size_t p = 0; p < known.size(); ++p)
        if (known[p].leader != no_leader) available.push_back(static_cast<int32_t>(p));
    if (available.empty()) {
        sticky_partition_ = static_cast<int32_t>(ctx.rng().below(partitions_.size()));
        return;
    }
    sticky_partition_ = available[ctx.rng().below(available.size())];
}

int32_t ProducerClient::partition_for(int32_t key, Context& ctx) {
    const auto n = static_cast<int32_t>(partitions_.size());
    if (key >= 0) {
        int32_t& cached = key_partition_[static_cast<size_t>(key)];
        if (cached < 0 || cached >= n) cached = partition_for_key("key-" + std::to_string(key), n);
        return cached;
    }
    if (sticky_partition_ < 0 || sticky_partition_ >= n) {
        choose_sticky(ctx);
        sticky_bytes_ = 0;
    }
    return sticky_partition_;
}

int32_t ProducerClient::append(int32_t key, Context& ctx) {
    SIM_ASSERT(!partitions_.empty(), "append without partitions");
    const int32_t p = partition_for(key, ctx);
    PartitionState& ps = partitions_[static_cast<size_t>(p)];
    const int32_t bytes = record_bytes(key);
    Batch* open = nullptr;
    if (!ps.queue.empty()) {
        auto it = batches_.find(ps.queue.back());
        if (it != batches_.end() && it->second.appendable) {
            // In 64 bits: batch.size may be 2^31-1, and a batch that full plus one record is more.
            if (int64_t{it->second.rb.size_bytes} + bytes <= config_.batch_size)
                open = &it->second;
            else
                it->second.appendable = false;  // full: a new batch starts behind it
        }
    }
    if (open == nullptr) {
        uint64_t id = next_batch_id_++;
        Batch b;
        b.partition = p;
        b.rb.client = client_;
        b.rb.first_seq = ps.next_seq;
        b.rb.size_bytes = record_batch_overhead_bytes;
        b.rb.create_time = ctx.now();
        b.rb.is_transactional = transactional();
        b.txn = txn_.number;
        open = &batches_.emplace(id, b).first->second;
        ps.queue.push_back(id);
    }
    open->rb.record_count += 1;
    open->rb.size_bytes += bytes;
    ps.next_seq += 1;
    if (key < 0) {
        // KIP-794: switch the sticky partition after batch.size bytes went to it.
        sticky_bytes_ += bytes;
        if (sticky_bytes_ >= config_.batch_size) {
            choose_sticky(ctx);
            sticky_bytes_ = 0;
        }
    }
    return p;
}

// ------------------------------------------------------------------------------ sender

void ProducerClient::arm_sender(sim::Time at, Context& ctx) {
    if (at == sim::time_never) return;
    if (sender_timer_.valid() && sender_deadline_ <= at) return;
    ctx.cancel_timer(sender_timer_);
    sim::Duration after = at > ctx.now() ? at - ctx.now() : sim::Duration{};
    sender_timer_ = ctx.set_timer(after, client_timer::tag(timer_sender));
    sender_deadline_ = at;
}

void ProducerClient::run_sender(Context& ctx) {
    const sim::Time now = ctx.now();
    expire_batches(ctx);
    maybe_bump(ctx);
    if (transactional()) txn_poll(ctx);
    if (!has_metadata_ || batches_.empty()) return;
    // The oldest batch (ids follow creation) is the next to expire.
    sim::Time next = batches_.begin()->second.rb.create_time + sim::milliseconds(config_.delivery_timeout_ms);

    std::map<BrokerId, std::vector<int32_t>> by_leader;
    bool leaderless = false;
    const auto& known = leaders();
    for (size_t p = 0; p < partitions_.size(); ++p) {
        if (partitions_[p].queue.empty()) continue;
        const BrokerId leader = known[p].leader;
        if (leader == no_leader || dir_->broker_node(leader) == sim::no_node) {
            leaderless = true;
            continue;
        }
        by_leader[leader].push_back(static_cast<int32_t>(p));
    }
    if (leaderless) network_.request_metadata_update(ctx);

    for (const auto& [broker, parts] : by_leader) {
        if (!network_.ready(broker, ctx, next)) continue;
        const sim::NodeId node = dir_->broker_node(broker);
        while (config_.acks == 0 || in_flight_.count(broker) < config_.max_in_flight_requests_per_connection) {
            std::vector<uint64_t> ids;
            for (int32_t p : parts) {
                uint64_t id = ready_front(p, now, next);
                if (id != 0) ids.push_back(id);
            }
            if (ids.empty()) break;
            send_produce(broker, node, ids, ctx);
        }
    }
    arm_sender(next, ctx);
}

uint64_t ProducerClient::ready_front(int32_t partition, sim::Time now, sim::Time& next) {
    PartitionState& ps = partitions_[static_cast<size_t>(partition)];
    while (!ps.queue.empty() && batches_.find(ps.queue.front()) == batches_.end()) ps.queue.pop_front();
    if (ps.queue.empty() || bump_pending_) return 0;
    if (transactional() && !txn_may_send(partition)) return 0;
    // guaranteeMessageOrder: with one request in flight the partition is muted meanwhile.
    if (!idempotent_ && config_.max_in_flight_requests_per_connection == 1 && ps.in_flight > 0) return 0;
    const Batch& b = batches_.at(ps.queue.front());
    if (b.attempts > 0) {
        sim::Time at = b.last_attempt + sim::milliseconds(config_.retry_backoff_ms);
        if (now < at) {
            next = std::min(next, at);
            return 0;
        }
        // A retried batch goes only once it is the first unresolved one of its partition.
        if (idempotent_ && !ps.in_flight_seqs.empty() && *ps.in_flight_seqs.begin() < b.rb.first_seq) return 0;
    } else {
        // commitTransaction() flushes: lingering batches go at once.
        bool full = !b.appendable || int64_t{b.rb.size_bytes} + record_bytes(-1) > config_.batch_size ||
                    txn_.state == TxnState::committing_transaction;
        sim::Time at = b.rb.create_time + sim::milliseconds(config_.linger_ms);
        if (!full && now < at) {
            next = std::min(next, at);
            return 0;
        }
    }
    uint64_t id = ps.queue.front();
    ps.queue.pop_front();
    return id;
}

void ProducerClient::send_produce(BrokerId broker, sim::NodeId node, const std::vector<uint64_t>& ids,
                                  Context& ctx) {
    const sim::Time now = ctx.now();
    ProduceRequest req;
    req.correlation_id = network_.next_correlation_id();
    req.acks = static_cast<int16_t>(config_.acks);
    req.timeout_ms = static_cast<int32_t>(std::min<int64_t>(config_.request_timeout_ms, INT32_MAX));
    if (transactional()) {
        req.transactional_id = config_.transactional_id;
        // Produce v12 (4.0) tells the leader to add the partition itself (transaction.version 2).
        req.api_version = config_.transaction_version_2 ? int16_t{12} : int16_t{11};
    }
    req.partitions.reserve(ids.size());
    for (uint64_t id : ids) {
        Batch& b = batches_.at(id);
        PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
        b.appendable = false;
        if (idempotent_ && !of_current_epoch(b)) {
            // First send under this producer id and epoch: the next sequence of the partition.
            b.rb.producer_id = producer_id_;
            b.rb.producer_epoch = producer_epoch_;
            b.rb.base_sequence = ps.next_base_sequence;
            ps.next_base_sequence += b.rb.record_count;
        }
        const TopicPartition tp = tp_of(b.partition);
        if (!b.sent) {
            b.sent = true;
            if (events_) {
                events_->on_send(client_, now, tp, b.rb.first_seq, b.rb.record_count);
                if (transactional()) events_->on_txn_records(client_, b.txn, tp, b.rb.first_seq, b.rb.record_count);
            }
        }
        // With transaction.version 2 the leader adds the partition: the transaction has begun
        // at the coordinator once a batch of it is on its way.
        if (transactional() && config_.transaction_version_2) txn_.started = true;
        req.partitions.push_back(ProduceRequest::PartitionData{tp, b.rb});
        if (config_.acks != 0) {
            b.in_flight = true;
            ps.in_flight += 1;
            ps.in_flight_seqs.insert(b.rb.first_seq);
            ++in_flight_batches_;
        }
    }
    ++produce_requests_sent_;
    const int32_t corr = req.correlation_id;
    ctx.send(node, std::move(req));
    if (config_.acks == 0) {
        // No response will come: the send is the acknowledgement.
        for (uint64_t id : ids) complete(id, -1, ctx);
        return;
    }
    in_flight_.add(corr, broker, node, ProduceInFlight{ids}, ctx);
}

void ProducerClient::release_in_flight(Batch& b) {
    if (!b.in_flight) return;
    PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
    b.in_flight = false;
    ps.in_flight -= 1;
    ps.in_flight_seqs.erase(b.rb.first_seq);
    --in_flight_batches_;
}

void ProducerClient::complete(uint64_t id, int64_t base_offset, Context& ctx) {
    auto it = batches_.find(id);
    if (it == batches_.end()) return;
    Batch& b = it->second;
    release_in_flight(b);
    if (idempotent_ && of_current_epoch(b)) {
        PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
        ps.last_acked_sequence = std::max(ps.last_acked_sequence, b.rb.base_sequence + b.rb.record_count - 1);
    }
    if (transactional()) {
        // Acknowledged by the leader; the application counts it when its transaction commits.
        txn_.acked.push_back(TxnAcked{b.partition, b.rb.first_seq, b.rb.record_count, base_offset});
    } else {
        records_acked_ += static_cast<uint64_t>(b.rb.record_count);
        if (events_)
            events_->on_ack(client_, ctx.now(), tp_of(b.partition), b.rb.first_seq, b.rb.record_count, base_offset);
    }
    batches_.erase(it);
}

void ProducerClient::fail_final(uint64_t id, Error error, Context& ctx) {
    auto it = batches_.find(id);
    if (it == batches_.end()) return;
    Batch& b = it->second;
    release_in_flight(b);
    // The broker may or may not hold this batch: unless a later sequence was acknowledged
    // (which resolves it: the broker had it), later batches would be out of order: bump the
    // epoch (maybe_bump).
    const bool unresolved = idempotent_ && b.sent && of_current_epoch(b) &&
                            b.rb.base_sequence > partitions_[static_cast<size_t>(b.partition)].last_acked_sequence;
    if (unresolved && !transactional()) bump_pending_ = true;
    records_failed_ += static_cast<uint64_t>(b.rb.record_count);
    if (events_)
        events_->on_error(client_, ctx.now(), tp_of(b.partition), b.rb.first_seq, b.rb.record_count, error, true);
    const uint32_t txn = b.txn;
    batches_.erase(it);
    // TransactionManager.handleFailedBatch: the transaction can only be aborted now (a batch of
    // unknown fate also needs the next epoch, KIP-360), or the producer is done for.
    if (transactional() && txn == txn_.number) {
        if (fatal_for_transactions(error)) {
            txn_fatal(error, ctx);
        } else {
            if (unresolved) txn_.bump_epoch = true;
            txn_abortable(error, ctx);
        }
    }
}

bool ProducerClient::is_first_unresolved(const Batch& b) {
    const PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
    if (!ps.in_flight_seqs.empty() && *ps.in_flight_seqs.begin() < b.rb.first_seq) return false;
    for (uint64_t id : ps.queue) {
        auto it = batches_.find(id);
        if (it != batches_.end() && it->second.sent && it->second.rb.first_seq < b.rb.first_seq) return false;
    }
    return true;
}

void ProducerClient::requeue(uint64_t id) {
    const Batch& b = batches_.at(id);
    PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
    if (!idempotent_) {
        ps.queue.push_front(id);  // RecordAccumulator.reenqueue: addFirst
        return;
    }
    // insertInSequenceOrder
    auto pos = ps.queue.begin();
    for (; pos != ps.queue.end(); ++pos) {
        auto it = batches_.find(*pos);
        if (it != batches_.end() && it->second.rb.first_seq > b.rb.first_seq) break;
    }
    ps.queue.insert(pos, id);
}

void ProducerClient::fail_attempt(uint64_t id, Error error, Context& ctx) {
    auto it = batches_.find(id);
    if (it == batches_.end()) return;
    Batch& b = it->second;
    release_in_flight(b);
    b.last_error = error;
    bool retriable = is_retriable(error);
    if (transactional()) {
        // A sequence error inside a transaction is not retried: the transaction is aborted.
        if (error == Error::out_of_order_sequence_number || error == Error::unknown_producer_id) retriable = false;
    } else if (idempotent_) {
        if (error == Error::out_of_order_sequence_number) {
            // TransactionManager.canRetry (2.5+, idempotent only): always retried. A batch that
            // is not the next sequence after the last acknowledged one is simply resent (a gap
            // left by an earlier batch closes when that one is resent; a batch behind the
            // acknowledged ones was written long ago and the broker no longer remembers it).
            // The next sequence itself refused, with nothing unresolved before it, means the
            // broker lost it: bump, then resend from sequence 0.
            retriable = true;
            const PartitionState& ps = partitions_[static_cast<size_t>(b.partition)];
            const bool next = of_current_epoch(b) && b.rb.base_sequence == ps.last_acked_sequence + 1;
            if (next && is_first_unresolved(b)) bump_pending_ = true;
        } else if (error == Error::unknown_producer_id) {
            retriable = true;  // KIP-360: bump and resend
            bump_pending_ = true;
        }
    }
    if (needs_metadata_refresh(error)) network_.request_metadata_update(ctx);
    // A transaction being aborted sends nothing more (its batches are dropped, below in txn_poll).
    const bool aborting = transactional() && txn_.state == TxnState::aborting_transaction;
    const bool can_retry = retriable && !aborting && b.attempts < config_.retries &&
                           ctx.now() < b.rb.create_time + sim::milliseconds(config_.delivery_timeout_ms);
    if (!can_retry) {
        fail_final(id, error, ctx);
        return;
    }
    if (events_)
        events_->on_error(client_, ctx.now(), tp_of(b.partition), b.rb.first_seq, b.rb.record_count, error, false);
    b.attempts += 1;
    b.last_attempt = ctx.now();
    requeue(id);
}

void ProducerClient::handle_produce_response(sim::NodeId from, const ProduceResponse& resp, Context& ctx) {
    const auto* sent = in_flight_.find(resp.correlation_id);
    if (sent == nullptr || sent->node != from) return;  // stale or unknown
    const auto f = in_flight_.complete(resp.correlation_id, ctx);
    for (uint64_t id : f.request.batch_ids) {
        auto bit = batches_.find(id);
        if (bit == batches_.end()) continue;  // expired while in flight
        const int32_t partition = bit->second.partition;
        const ProduceResponse::PartitionResponse* pr = nullptr;
        for (const auto& r : resp.partitions)
            if (r.tp.partition == partition) {
                pr = &r;
                break;
            }
        const Error e = pr != nullptr ? pr->error : Error::network_exception;
        if (e == Error::none || (e == Error::duplicate_sequence_number && idempotent_))
            complete(id, pr->base_offset, ctx);
        else
            fail_attempt(id, e, ctx);
    }
    run_sender(ctx);
}

void ProducerClient::fail_connection(BrokerId broker, Error error, Context& ctx) {
    in_flight_.fail_all(broker, ctx, [&](int32_t, ProduceInFlight& f) {
        for (uint64_t id : f.batch_ids) fail_attempt(id, error, ctx);
    });
    coordinator_in_flight_.fail_all(broker, ctx,
                                    [&](int32_t, CoordinatorRequest& r) { coordinator_request_failed(r, error, ctx); });
    network_.mark_disconnected(broker, ctx);
    run_sender(ctx);
}

void ProducerClient::expire_batches(Context& ctx) {
    const sim::Duration timeout = sim::milliseconds(config_.delivery_timeout_ms);
    while (!batches_.empty()) {
        auto it = batches_.begin();  // the oldest: ids follow creation time
        if (ctx.now() < it->second.rb.create_time + timeout) break;
        Error e = it->second.last_error != Error::none ? it->second.last_error : Error::request_timed_out;
        fail_final(it->first, e, ctx);
    }
}

void ProducerClient::maybe_bump(Context& ctx) {
    if (!bump_pending_ || in_flight_batches_ != 0 || transactional()) return;
    bump_pending_ = false;
    // TransactionManager.bumpIdempotentProducerEpoch: the same producer id with the next epoch,
    // whose first batch on every partition must carry sequence 0 (ProducerAppendInfo refuses
    // another with OUT_OF_ORDER_SEQUENCE_NUMBER). An exhausted epoch takes a new producer id
    // (resetIdempotentProducerId, then InitProducerId).
    if (producer_epoch_ == INT16_MAX) {
        ++producer_id_resets_;
        producer_id_ = static_cast<int64_t>(client_) * 1000 + producer_id_resets_;
        producer_epoch_ = 0;
    } else {
        ++producer_epoch_;
    }
    for (auto& ps : partitions_) {
        ps.next_base_sequence = 0;
        ps.last_acked_sequence = -1;
    }
    ctx.emit(ProducerEpochBump{.topic = topic_, .producer_id = producer_id_, .producer_epoch = producer_epoch_});
}

// ------------------------------------------------------------------------------ metadata

void ProducerClient::handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx) {
    if (!network_.handle_metadata_response(from, resp, ctx)) return;  // stale or unknown
    apply_metadata(resp, ctx);
    network_.maybe_update_metadata(ctx);
    run_sender(ctx);
}

void ProducerClient::apply_metadata(const MetadataResponse& resp, Context& ctx) {
    ClientMetadata& metadata = network_.metadata();
    // Unknown topic (not created yet) or no leaders yet: asked again after the backoff.
    const TopicMetadata* tm = metadata.find_topic(resp, topic_);
    if (tm == nullptr) return;
    topic_id_ = tm->topic_id;
    const bool changed = metadata.update_partitions(*tm).leader_changed;
    const auto& known = leaders();
    if (known.size() != partitions_.size()) {
        partitions_.resize(known.size());
        std::fill(key_partition_.begin(), key_partition_.end(), -1);  // keys move with the partition count
    }
    if (changed) {
        std::vector<int32_t> ids;
        ids.reserve(known.size());
        for (const auto& p : known) ids.push_back(p.leader);
        ctx.emit(ProducerMetadata{.topic = topic_, .leaders = ids});
    }
    network_.schedule_metadata_refresh(ctx);
    const bool first = !has_metadata_;
    has_metadata_ = true;
    if (first) drain_pending(ctx);
}

}  // namespace kafka
