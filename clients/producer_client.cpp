#include "clients/producer_client.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"

namespace kafka {

namespace {

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

// Walks a value pattern: `text(piece)` for literal text, `placeholder(name)` for each {name}.
// Returns what is wrong with it, if anything.
template <class Text, class Placeholder>
std::optional<ValuePatternError> walk_value_pattern(std::string_view pattern, Text text, Placeholder placeholder) {
    size_t i = 0;
    while (i < pattern.size()) {
        const char c = pattern[i];
        if ((c == '{' || c == '}') && i + 1 < pattern.size() && pattern[i + 1] == c) {
            text(pattern.substr(i, 1));
            i += 2;
            continue;
        }
        if (c == '}')
            return ValuePatternError{"a \"}\" with no \"{\" before it (write \"}}\" for a literal brace)", ""};
        if (c != '{') {
            const size_t next = pattern.find_first_of("{}", i);
            const size_t end = next == std::string_view::npos ? pattern.size() : next;
            text(pattern.substr(i, end - i));
            i = end;
            continue;
        }
        const size_t close = pattern.find('}', i + 1);
        if (close == std::string_view::npos)
            return ValuePatternError{"a \"{\" that is never closed (write \"{{\" for a literal brace)", ""};
        const std::string_view name = pattern.substr(i + 1, close - i - 1);
        if (name != "seq" && name != "key" && name != "producer")
            return ValuePatternError{"unknown placeholder {" + std::string(name) + "}: a value pattern knows {seq}, "
                                     "{key} and {producer}",
                                     std::string(name)};
        placeholder(name);
        i = close + 1;
    }
    return std::nullopt;
}

}  // namespace

std::optional<ValuePatternError> check_value_pattern(std::string_view pattern) {
    return walk_value_pattern(pattern, [](std::string_view) {}, [](std::string_view) {});
}

bool value_pattern_uses(std::string_view pattern, std::string_view placeholder) {
    bool used = false;
    walk_value_pattern(
        pattern, [](std::string_view) {}, [&](std::string_view name) { used = used || name == placeholder; });
    return used;
}

std::string render_record_value(const RecordValueSpec& spec, int64_t seq, int32_t key) {
    std::string out;
    walk_value_pattern(
        spec.pattern, [&](std::string_view piece) { out += piece; },
        [&](std::string_view name) {
            if (name == "seq")
                out += std::to_string(seq);
            else if (name == "key")
                out += key >= 0 ? std::to_string(key) : std::string("null");
            else
                out += spec.producer;
        });
    if (spec.size_bytes > 0) out.resize(static_cast<size_t>(spec.size_bytes), 'x');
    return out;
}

ProducerClient::ProducerClient(uint32_t client_ordinal, std::string topic, ProducerConfig config,
                               WorkloadSpec workload, const ClusterDirectory& dir, ClientEvents* events,
                               ClientEmbedding embedding)
    : ProducerClient(client_ordinal, std::vector<std::string>{std::move(topic)}, std::move(config), workload, dir,
                     events, embedding) {}

ProducerClient::ProducerClient(uint32_t client_ordinal, std::vector<std::string> topics, ProducerConfig config,
                               WorkloadSpec workload, const ClusterDirectory& dir, ClientEvents* events,
                               ClientEmbedding embedding)
    : client_(client_ordinal),
      topics_(std::move(topics)),
      config_(std::move(config)),
      workload_(workload),
      dir_(&dir),
      events_(events),
      embedding_(embedding),
      network_(dir, topics_,
               NetworkClient::Options{config_.request_timeout_ms, config_.retry_backoff_ms, config_.metadata_max_age_ms,
                                      embedding.first_correlation_id},
               NetworkClient::TimerKinds{embedding.timer_kind_base + timer_metadata_timeout,
                                         embedding.timer_kind_base + timer_metadata_retry,
                                         embedding.timer_kind_base + timer_metadata_max_age, embedding.timer_slot}),
      in_flight_(config_.request_timeout_ms, embedding.timer_kind_base + timer_request_timeout, embedding.timer_slot),
      coordinator_in_flight_(config_.request_timeout_ms, embedding.timer_kind_base + timer_txn_request_timeout,
                             embedding.timer_slot) {
    SIM_ASSERT(client_ >= 1, "producer client ordinal must be >= 1");
    SIM_ASSERT(!topics_.empty(), "a producer needs a topic");
    partitions_.resize(topics_.size());
    topic_ids_.assign(topics_.size(), 0);
    app_driven_ = workload_.rate_per_s <= 0 && workload_.application_driven;
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

bool ProducerClient::ready_for_application() const {
    if (closed_ || !has_metadata_) return false;
    if (!transactional()) return true;
    return txn_.state == TxnState::ready || txn_.state == TxnState::in_transaction;
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
    deliver_notices(ctx);
}

void ProducerClient::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (closed_) return;  // a closed producer's connections are gone
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
    } else if (auto* ao = std::get_if<AddOffsetsToTxnResponse>(&msg)) {
        handle_coordinator_response(from, ao->correlation_id, ao->error, msg, ctx);
    } else if (auto* oc = std::get_if<TxnOffsetCommitResponse>(&msg)) {
        handle_coordinator_response(from, oc->correlation_id, Error::none, msg, ctx);
    }
    deliver_notices(ctx);
}

void ProducerClient::on_timer(uint64_t tag, Context& ctx) {
    // An embedded producer's kinds start at its timer_kind_base (client_embedding.hpp).
    const uint64_t kind = client_timer::kind(tag);
    if (closed_ || kind < embedding_.timer_kind_base) return;
    switch (static_cast<TimerKind>(kind - embedding_.timer_kind_base)) {
        case timer_generate:
            generate_timer_ = sim::TimerId{};
            generate(ctx);
            break;
        case timer_sender:
            sender_timer_ = sim::TimerId{};
            sender_deadline_ = sim::time_never;
            run_sender(ctx);
            break;
        case timer_metadata_timeout:
        case timer_metadata_retry:
        case timer_metadata_max_age:
            if (auto broker = network_.on_timer(tag, ctx)) fail_connection(*broker, Error::request_timed_out, ctx);
            break;
        case timer_request_timeout:
            if (auto broker = in_flight_.timed_out(client_timer::value(tag)))
                fail_connection(*broker, Error::request_timed_out, ctx);
            break;
        case timer_txn_request_timeout:
            if (auto broker = coordinator_in_flight_.timed_out(client_timer::value(tag)))
                fail_connection(*broker, Error::request_timed_out, ctx);
            break;
        case timer_txn_retry:
            txn_.retry_timer = sim::TimerId{};
            txn_poll(ctx);
            break;
    }
    deliver_notices(ctx);
}

void ProducerClient::on_disconnect(sim::NodeId peer, Context& ctx) {
    if (closed_) return;
    if (auto broker = network_.handle_disconnect(peer, ctx)) fail_connection(*broker, Error::network_exception, ctx);
    deliver_notices(ctx);
}

// ------------------------------------------------------------------------------ the application

bool ProducerClient::send(size_t topic_index, int32_t partition, int32_t key, int64_t value, RecordOrigin origin,
                          Context& ctx) {
    if (!app_driven_ || !ready_for_application() || topic_index >= topics_.size() || partition < 0 ||
        partition >= partition_count(topic_index))
        return false;
    ++records_generated_;
    // beginTransaction(): the application's first record after the previous transaction ended.
    if (transactional() && txn_.state == TxnState::ready) txn_begin(ctx);
    const Slot slot{static_cast<uint32_t>(topic_index), partition};
    // The value is a long (8 bytes) on top of the key.
    Batch& b = append_to(slot, record_bytes(key) + 8, ctx);
    b.keys.push_back(key);
    b.values.push_back(value);
    b.origins.push_back(origin);
    if (!b.texts.empty()) b.texts.emplace_back();
    if (transactional()) txn_record_appended(slot, ctx);
    // The Sender runs after the application's call returns (Java's sender thread): the records
    // the application sends in one go share batches, and one AddPartitionsToTxn adds their partitions.
    arm_sender(ctx.now(), ctx);
    deliver_notices(ctx);
    return true;
}

bool ProducerClient::send_text(size_t topic_index, int32_t partition, TextRecord text, int32_t key, int64_t value,
                               Context& ctx) {
    if (!app_driven_ || !ready_for_application() || topic_index >= topics_.size() || partition < 0 ||
        partition >= partition_count(topic_index))
        return false;
    ++records_generated_;
    if (transactional() && txn_.state == TxnState::ready) txn_begin(ctx);
    const Slot slot{static_cast<uint32_t>(topic_index), partition};
    const auto text_bytes = [](const std::optional<std::string>& t) { return t ? static_cast<int32_t>(t->size()) : 0; };
    Batch& b = append_to(slot, record_overhead_bytes + text_bytes(text.key) + text_bytes(text.value), ctx);
    b.keys.push_back(key);
    b.values.push_back(value);
    b.origins.emplace_back();
    b.texts.resize(b.keys.size() - 1);
    b.texts.push_back(std::move(text));
    if (transactional()) txn_record_appended(slot, ctx);
    arm_sender(ctx.now(), ctx);
    deliver_notices(ctx);
    return true;
}

void ProducerClient::flush(Context& ctx) {
    if (closed_) return;
    // KafkaProducer.flush(): RecordAccumulator.beginFlush makes every batch ready at once.
    flush_pending_ = true;
    run_sender(ctx);
    deliver_notices(ctx);
}

void ProducerClient::close(Context& ctx) {
    if (closed_) return;
    // close(Duration.ZERO): what the accumulator holds fails (abortIncompleteBatches), with no
    // error code of its own in Kafka ("Producer is closed forcefully"): UNKNOWN_SERVER_ERROR here.
    if (txn_.state != TxnState::fatal_error) {
        const bool open = txn_.state == TxnState::in_transaction || txn_.state == TxnState::committing_transaction ||
                          txn_.state == TxnState::aborting_transaction || txn_.state == TxnState::abortable_error;
        fail_everything(Error::unknown_server_error, ctx);
        // The coordinator decides an open transaction: it aborts it when it times out or when
        // the next instance of the transactional.id calls InitProducerId.
        if (open && events_) events_->on_txn_end(client_, ctx.now(), txn_.number, TxnOutcome::unknown, Error::none);
    }
    closed_ = true;
    notices_.clear();
    flush_pending_ = false;
    in_flight_.cancel_timers(ctx);
    coordinator_in_flight_.cancel_timers(ctx);
    network_.close(ctx);
    ctx.cancel_timer(sender_timer_);
    sender_deadline_ = sim::time_never;
    ctx.cancel_timer(generate_timer_);
    ctx.cancel_timer(txn_.retry_timer);
}

void ProducerClient::report_final_error(const Batch& b, Error error, Context& ctx) {
    if (events_) events_->on_error(client_, ctx.now(), tp_of(b.slot), b.rb.first_seq, b.rb.record_count, error, true);
    notify(Notice{Notice::Kind::send_failed, false, error, b.slot, b.rb.record_count});
}

void ProducerClient::deliver_notices(Context& ctx) {
    if (!app_driven_ || delivering_ || closed_) return;
    if (!initialized_told_ && ready_for_application()) {
        initialized_told_ = true;
        notices_.insert(notices_.begin(), Notice{Notice::Kind::initialized, false, Error::none, {}, 0});
    }
    if (flush_pending_ && batches_.empty()) {
        flush_pending_ = false;
        notices_.push_back(Notice{Notice::Kind::flushed, false, Error::none, {}, 0});
    }
    if (app_ == nullptr) {
        notices_.clear();
        return;
    }
    // The application may call the producer from a callback; what that adds is delivered here too.
    delivering_ = true;
    size_t i = 0;
    for (; i < notices_.size() && !closed_; ++i) {
        const Notice n = notices_[i];
        switch (n.kind) {
            case Notice::Kind::initialized: app_->on_initialized(ctx); break;
            case Notice::Kind::completed: app_->on_transaction_completed(n.committed, n.error, ctx); break;
            case Notice::Kind::abortable: app_->on_transaction_abortable(n.error, ctx); break;
            case Notice::Kind::fatal: app_->on_producer_fatal(n.error, ctx); break;
            case Notice::Kind::send_failed:
                app_->on_send_failed(n.slot.topic, n.slot.partition, n.records, n.error, ctx);
                break;
            case Notice::Kind::flushed: app_->on_flushed(ctx); break;
        }
        if (flush_pending_ && batches_.empty()) {
            flush_pending_ = false;
            notices_.push_back(Notice{Notice::Kind::flushed, false, Error::none, {}, 0});
        }
    }
    notices_.clear();
    delivering_ = false;
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
    generate_timer_ = ctx.set_timer(after, timer_tag(timer_generate));
}

int32_t ProducerClient::record_bytes(int32_t key) const {
    const bool sized = workload_.value && workload_.value->size_bytes > 0;
    int32_t bytes = (sized ? workload_.value->size_bytes : config_.record_size_bytes) + record_overhead_bytes;
    if (key >= 0) bytes += 4 + decimal_digits(key);  // "key-<k>"
    return bytes;
}

void ProducerClient::generate(Context& ctx) {
    const sim::Time now = ctx.now();
    while (true) {
        sim::Time t = record_time(next_record_);
        if (t > now || t >= workload_.until) break;
        const auto seq = static_cast<int64_t>(next_record_++);
        ++records_generated_;
        int32_t key = workload_.keys > 0 ? static_cast<int32_t>(ctx.rng().below(static_cast<uint64_t>(workload_.keys)))
                                         : -1;
        if (has_metadata_ && pending_.empty() && (!transactional() || txn_accepts_records()))
            append_record(key, seq, ctx);
        else
            pending_.push_back(PendingRecord{t, key, seq});
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
    if (rate_milli_ == 0) return;  // nothing is generated (an application sends)
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
        append_record(r.key, r.seq, ctx);
    }
    if (transactional() && txn_.state == TxnState::in_transaction && pending_.empty() &&
        record_time(next_record_) >= workload_.until)
        txn_end(txn_.app_commits, Error::none, ctx);
}

void ProducerClient::append_record(int32_t key, int64_t seq, Context& ctx) {
    if (transactional() && txn_.state == TxnState::ready) txn_begin(ctx);
    const int32_t p = append(key, seq, ctx);
    if (transactional()) txn_record_appended(Slot{0, p}, ctx);
}

void ProducerClient::choose_sticky(Context& ctx) {
    // BuiltInPartitioner.nextPartition: uniform among partitions with a leader (all if none).
    std::vector<int32_t> available;
    const auto& known = leaders();
    for (size_t p = 0; p < known.size(); ++p)
        if (known[p].leader != no_leader) available.push_back(static_cast<int32_t>(p));
    if (available.empty()) {
        sticky_partition_ = static_cast<int32_t>(ctx.rng().below(partitions_[0].size()));
        return;
    }
    sticky_partition_ = available[ctx.rng().below(available.size())];
}

int32_t ProducerClient::partition_for(int32_t key, Context& ctx) {
    const auto n = static_cast<int32_t>(partitions_[0].size());
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

int32_t ProducerClient::append(int32_t key, int64_t seq, Context& ctx) {
    SIM_ASSERT(!partitions_[0].empty(), "append without partitions");
    const int32_t p = partition_for(key, ctx);
    const int32_t bytes = record_bytes(key);
    Batch& b = append_to(Slot{0, p}, bytes, ctx);
    // A keyed workload's batches carry their keys (none without keys: nothing to carry).
    if (workload_.keys > 0 && workload_.carry_keys) b.keys.push_back(key);
    // Every generated record of a workload with values has one, so texts line up with the batch.
    if (workload_.value)
        b.texts.push_back(TextRecord{key >= 0 ? std::optional<std::string>("key-" + std::to_string(key)) : std::nullopt,
                                     render_record_value(*workload_.value, seq, key)});
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

ProducerClient::Batch& ProducerClient::append_to(Slot slot, int32_t bytes, Context& ctx) {
    PartitionState& ps = part(slot);
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
        b.slot = slot;
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
    return *open;
}

// ------------------------------------------------------------------------------ sender

void ProducerClient::arm_sender(sim::Time at, Context& ctx) {
    if (at == sim::time_never) return;
    if (sender_timer_.valid() && sender_deadline_ <= at) return;
    ctx.cancel_timer(sender_timer_);
    sim::Duration after = at > ctx.now() ? at - ctx.now() : sim::Duration{};
    sender_timer_ = ctx.set_timer(after, timer_tag(timer_sender));
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

    std::map<BrokerId, std::vector<Slot>> by_leader;
    bool leaderless = false;
    for (uint32_t t = 0; t < partitions_.size(); ++t) {
        const auto& known = leaders(t);
        for (size_t p = 0; p < partitions_[t].size(); ++p) {
            if (partitions_[t][p].queue.empty()) continue;
            const BrokerId leader = known[p].leader;
            if (leader == no_leader || dir_->broker_node(leader) == sim::no_node) {
                leaderless = true;
                continue;
            }
            by_leader[leader].push_back(Slot{t, static_cast<int32_t>(p)});
        }
    }
    if (leaderless) network_.request_metadata_update(ctx);

    for (const auto& [broker, parts] : by_leader) {
        if (!network_.ready(broker, ctx, next)) continue;
        const sim::NodeId node = dir_->broker_node(broker);
        while (config_.acks == 0 || in_flight_.count(broker) < config_.max_in_flight_requests_per_connection) {
            std::vector<uint64_t> ids;
            for (const Slot& p : parts) {
                uint64_t id = ready_front(p, now, next);
                if (id != 0) ids.push_back(id);
            }
            if (ids.empty()) break;
            send_produce(broker, node, ids, ctx);
        }
    }
    arm_sender(next, ctx);
}

uint64_t ProducerClient::ready_front(Slot slot, sim::Time now, sim::Time& next) {
    PartitionState& ps = part(slot);
    while (!ps.queue.empty() && batches_.find(ps.queue.front()) == batches_.end()) ps.queue.pop_front();
    if (ps.queue.empty() || bump_pending_) return 0;
    if (transactional() && !txn_may_send(slot)) return 0;
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
        // commitTransaction() and flush() flush: lingering batches go at once.
        bool full = !b.appendable || int64_t{b.rb.size_bytes} + record_bytes(-1) > config_.batch_size ||
                    txn_.state == TxnState::committing_transaction || flush_pending_;
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
    ProduceInFlight sent;
    sent.tps.reserve(ids.size());
    for (uint64_t id : ids) {
        Batch& b = batches_.at(id);
        PartitionState& ps = part(b.slot);
        b.appendable = false;
        if (idempotent_ && !of_current_epoch(b)) {
            // First send under this producer id and epoch: the next sequence of the partition.
            b.rb.producer_id = producer_id_;
            b.rb.producer_epoch = producer_epoch_;
            b.rb.base_sequence = ps.next_base_sequence;
            ps.next_base_sequence += b.rb.record_count;
        }
        const TopicPartition tp = tp_of(b.slot);
        if (!b.sent) {
            b.sent = true;
            // The batch is closed: its contents are frozen and shared by every attempt and replica.
            if (!b.keys.empty() || !b.values.empty() || !b.origins.empty() || !b.texts.empty()) {
                auto contents = std::make_shared<RecordContents>();
                contents->keys = std::move(b.keys);
                contents->values = std::move(b.values);
                contents->origins = std::move(b.origins);
                contents->texts = std::move(b.texts);
                b.rb.contents = std::move(contents);
            }
            if (events_) {
                events_->on_send(client_, now, tp, b.rb.first_seq, b.rb.record_count);
                if (transactional()) events_->on_txn_records(client_, b.txn, tp, b.rb.first_seq, b.rb.record_count);
            }
        }
        // With transaction.version 2 the leader adds the partition: the transaction has begun
        // at the coordinator once a batch of it is on its way.
        if (transactional() && config_.transaction_version_2) txn_.started = true;
        req.partitions.push_back(ProduceRequest::PartitionData{tp, b.rb});
        sent.tps.push_back(tp);
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
    sent.batch_ids = ids;
    in_flight_.add(corr, broker, node, std::move(sent), ctx);
}

void ProducerClient::release_in_flight(Batch& b) {
    if (!b.in_flight) return;
    PartitionState& ps = part(b.slot);
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
        PartitionState& ps = part(b.slot);
        ps.last_acked_sequence = std::max(ps.last_acked_sequence, b.rb.base_sequence + b.rb.record_count - 1);
    }
    if (transactional()) {
        // Acknowledged by the leader; the application counts it when its transaction commits.
        txn_.acked.push_back(TxnAcked{b.slot, b.rb.first_seq, b.rb.record_count, base_offset});
    } else {
        records_acked_ += static_cast<uint64_t>(b.rb.record_count);
        if (events_)
            events_->on_ack(client_, ctx.now(), tp_of(b.slot), b.rb.first_seq, b.rb.record_count, base_offset);
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
                            b.rb.base_sequence > part(b.slot).last_acked_sequence;
    if (unresolved && !transactional()) bump_pending_ = true;
    records_failed_ += static_cast<uint64_t>(b.rb.record_count);
    report_final_error(b, error, ctx);
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
    const PartitionState& ps = part(b.slot);
    if (!ps.in_flight_seqs.empty() && *ps.in_flight_seqs.begin() < b.rb.first_seq) return false;
    for (uint64_t id : ps.queue) {
        auto it = batches_.find(id);
        if (it != batches_.end() && it->second.sent && it->second.rb.first_seq < b.rb.first_seq) return false;
    }
    return true;
}

void ProducerClient::requeue(uint64_t id) {
    const Batch& b = batches_.at(id);
    PartitionState& ps = part(b.slot);
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
            const PartitionState& ps = part(b.slot);
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
        events_->on_error(client_, ctx.now(), tp_of(b.slot), b.rb.first_seq, b.rb.record_count, error, false);
    b.attempts += 1;
    b.last_attempt = ctx.now();
    requeue(id);
}

void ProducerClient::handle_produce_response(sim::NodeId from, const ProduceResponse& resp, Context& ctx) {
    const auto* sent = in_flight_.find(resp.correlation_id);
    if (sent == nullptr || sent->node != from) return;  // stale or unknown
    const auto f = in_flight_.complete(resp.correlation_id, ctx);
    for (size_t i = 0; i < f.request.batch_ids.size(); ++i) {
        const uint64_t id = f.request.batch_ids[i];
        auto bit = batches_.find(id);
        if (bit == batches_.end()) continue;  // expired while in flight
        const TopicPartition& tp = f.request.tps[i];
        const ProduceResponse::PartitionResponse* pr = nullptr;
        for (const auto& r : resp.partitions)
            if (r.tp == tp) {
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
    for (auto& topic : partitions_)
        for (auto& ps : topic) {
            ps.next_base_sequence = 0;
            ps.last_acked_sequence = -1;
        }
    ctx.emit(ProducerEpochBump{.topic = topics_[0], .producer_id = producer_id_, .producer_epoch = producer_epoch_});
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
    bool all_known = true;
    for (uint32_t t = 0; t < topics_.size(); ++t) {
        // Unknown topic (not created yet) or no leaders yet: asked again after the backoff.
        const TopicMetadata* tm = metadata.find_topic(resp, topics_[t]);
        if (tm == nullptr) {
            all_known = false;
            continue;
        }
        topic_ids_[t] = tm->topic_id;
        const bool changed = metadata.update_partitions(*tm).leader_changed;
        const auto& known = leaders(t);
        if (known.size() != partitions_[t].size()) {
            partitions_[t].resize(known.size());
            // keys move with the partition count
            if (t == 0) std::fill(key_partition_.begin(), key_partition_.end(), -1);
        }
        if (changed) {
            std::vector<int32_t> ids;
            ids.reserve(known.size());
            for (const auto& p : known) ids.push_back(p.leader);
            ctx.emit(ProducerMetadata{.topic = topics_[t], .leaders = ids});
        }
    }
    if (!all_known) return;
    network_.schedule_metadata_refresh(ctx);
    const bool first = !has_metadata_;
    has_metadata_ = true;
    if (first) drain_pending(ctx);
}

}  // namespace kafka
