#include "broker/txn/transaction_coordinator.hpp"

#include <algorithm>
#include <climits>

#include "broker/events.hpp"
#include "broker/group/group_coordinator.hpp"

namespace kafka {

int32_t transaction_partition_for(std::string_view transactional_id, int32_t partitions) {
    return offsets_partition_for(transactional_id, partitions);  // the same Utils.abs(hashCode) % n
}

const char* to_string(TxnState s) {
    switch (s) {
        case TxnState::empty: return "Empty";
        case TxnState::ongoing: return "Ongoing";
        case TxnState::prepare_commit: return "PrepareCommit";
        case TxnState::prepare_abort: return "PrepareAbort";
        case TxnState::complete_commit: return "CompleteCommit";
        case TxnState::complete_abort: return "CompleteAbort";
        case TxnState::dead: return "Dead";
        case TxnState::prepare_epoch_fence: return "PrepareEpochFence";
    }
    return "Unknown";
}

namespace {

bool is_prepare(TxnState s) { return s == TxnState::prepare_commit || s == TxnState::prepare_abort; }
bool is_complete(TxnState s) { return s == TxnState::complete_commit || s == TxnState::complete_abort; }

// TransactionStateManager's mapping of a failed log append to what the client is told.
Error client_error(Error append_error) {
    switch (append_error) {
        case Error::none: return Error::none;
        case Error::not_leader_or_follower: return Error::not_coordinator;
        case Error::unknown_topic_or_partition:
        case Error::not_enough_replicas:
        case Error::not_enough_replicas_after_append:
        case Error::request_timed_out: return Error::coordinator_not_available;
        default: return append_error;
    }
}

// TransactionMarkerRequestCompletionHandler: the errors after which a marker is sent again.
bool marker_retriable(Error e) {
    switch (e) {
        case Error::not_leader_or_follower:
        case Error::not_enough_replicas:
        case Error::not_enough_replicas_after_append:
        case Error::unknown_topic_or_partition:
        case Error::request_timed_out:
        case Error::network_exception:
        case Error::coordinator_load_in_progress:
        case Error::leader_not_available: return true;
        default: return false;
    }
}

}  // namespace

void TransactionCoordinator::start(Context& ctx) {
    ctx.set_timer(sim::milliseconds(options_.abort_timed_out_interval_ms), tag(purpose_abort_scan));
}

// ------------------------------------------------------------------------------ lookups

TransactionCoordinator::Metadata* TransactionCoordinator::find(const std::string& transactional_id, Error& error) {
    if (transactional_id.empty()) {
        error = Error::invalid_request;
        return nullptr;
    }
    if (!is_loaded(partition_for(transactional_id))) {
        error = Error::not_coordinator;
        return nullptr;
    }
    auto it = txns_.find(transactional_id);
    if (it == txns_.end()) {
        error = Error::invalid_producer_id_mapping;  // nothing known of it here
        return nullptr;
    }
    return &it->second;
}

Error TransactionCoordinator::check_producer(const Metadata& m, int64_t producer_id, int16_t producer_epoch) const {
    if (producer_id != m.producer_id) return Error::invalid_producer_id_mapping;
    if (producer_epoch != m.producer_epoch) return fenced();
    return Error::none;
}

TransactionLogValue TransactionCoordinator::value_of(const Metadata& m) const {
    TransactionLogValue v;
    v.transactional_id = m.transactional_id;
    v.producer_id = m.producer_id;
    v.previous_producer_id = m.previous_producer_id;
    v.producer_epoch = m.producer_epoch;
    v.last_producer_epoch = m.last_producer_epoch;
    v.txn_timeout_ms = m.txn_timeout_ms;
    v.state = m.state;
    v.partitions.assign(m.partitions.begin(), m.partitions.end());
    v.txn_start_time = m.txn_start_time;
    v.txn_last_update_time = m.txn_last_update_time;
    v.transaction_version_2 = m.transaction_version_2;
    return v;
}

void TransactionCoordinator::apply(Metadata& m, const TransactionLogValue& v) {
    m.producer_id = v.producer_id;
    m.previous_producer_id = v.previous_producer_id;
    m.producer_epoch = v.producer_epoch;
    m.last_producer_epoch = v.last_producer_epoch;
    m.txn_timeout_ms = v.txn_timeout_ms;
    m.state = v.state;
    m.partitions = std::set<GroupPartition>(v.partitions.begin(), v.partitions.end());
    m.txn_start_time = v.txn_start_time;
    m.txn_last_update_time = v.txn_last_update_time;
    m.transaction_version_2 = v.transaction_version_2;
}

// ------------------------------------------------------------------------------ requests

void TransactionCoordinator::handle(sim::NodeId from, const InitProducerIdRequest& req, Context& ctx) {
    InitProducerIdResponse resp;
    resp.correlation_id = req.correlation_id;
    auto answer = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    if (!req.transactional_id) {  // an idempotent producer: a fresh id, epoch 0
        resp.producer_id = host_.allocate_producer_id(ctx);
        resp.producer_epoch = 0;
        return answer(Error::none);
    }
    const std::string& id = *req.transactional_id;
    if (id.empty()) return answer(Error::invalid_request);
    if (req.transaction_timeout_ms <= 0 || req.transaction_timeout_ms > options_.max_timeout_ms)
        return answer(Error::invalid_transaction_timeout);
    const int32_t partition = partition_for(id);
    if (!is_loaded(partition)) return answer(Error::not_coordinator);
    auto [it, created] = txns_.try_emplace(id);
    Metadata& m = it->second;
    if (created) {  // a new id: a producer id with epoch -1, bumped to 0 below
        m.transactional_id = id;
        m.partition = partition;
        m.producer_id = host_.allocate_producer_id(ctx);
        m.transaction_version_2 = options_.transaction_version_2;
    }
    if (m.write_pending || is_prepare(m.state) || m.state == TxnState::prepare_epoch_fence)
        return answer(Error::concurrent_transactions);
    // KIP-360 (2.5, InitProducerId v3): a producer that names its id and epoch is fenced unless it
    // is this id's producer (or the one before an exhausted epoch rotated it), new metadata aside
    // (TransactionCoordinator.isValidProducerId). Before 2.5 the request carries neither.
    const bool names_producer = options_.init_producer_id_with_epoch && req.producer_id >= 0;
    if (names_producer && !created && m.producer_epoch >= 0 && req.producer_id != m.producer_id &&
        !(req.producer_id == m.previous_producer_id && req.producer_epoch >= INT16_MAX - 1))
        return answer(fenced());
    if (m.state == TxnState::ongoing) {
        // A zombie's open transaction: fence it with a bumped epoch and abort it; the caller
        // retries and finds CompleteAbort (TransactionCoordinator.handleInitProducerId).
        fence_and_abort(m, "a new producer with the same transactional.id called initTransactions", ctx);
        return answer(Error::concurrent_transactions);
    }
    // Empty, CompleteCommit, CompleteAbort (or a new id): the next epoch, or a new producer id
    // when the epoch is exhausted (TransactionMetadata.prepareIncrementProducerEpoch). A producer
    // naming its epoch (KIP-360) must name the current one; the one before is a retry of a bump
    // whose answer it missed, and gets the current id and epoch again.
    if (names_producer && !created && req.producer_id == m.producer_id && req.producer_epoch >= 0 &&
        req.producer_epoch != m.producer_epoch) {
        if (req.producer_epoch != m.last_producer_epoch) return answer(fenced());
        resp.producer_id = m.producer_id;
        resp.producer_epoch = m.producer_epoch;
        return answer(Error::none);
    }
    PendingWrite w;
    w.value = value_of(m);
    if (m.producer_epoch >= INT16_MAX - 1) {
        w.value.previous_producer_id = m.producer_id;
        w.value.producer_id = host_.allocate_producer_id(ctx);
        w.value.producer_epoch = 0;
    } else {
        w.value.producer_epoch = static_cast<int16_t>(m.producer_epoch + 1);
    }
    w.value.last_producer_epoch = created ? int16_t{-1} : m.producer_epoch;
    w.value.txn_timeout_ms = req.transaction_timeout_ms;
    w.value.state = TxnState::empty;
    w.value.partitions.clear();
    w.value.txn_last_update_time = ctx.now();
    w.then = Then::answer_init;
    w.from = from;
    w.correlation_id = req.correlation_id;
    write(std::move(w), m, ctx);
}

// The partitions are in the Ongoing transaction of this producer id and epoch, or not; nothing is
// written. A pending write is not waited for: the partitions count once their add is durable.
void TransactionCoordinator::verify_partitions(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx) {
    AddPartitionsToTxnResponse resp;
    resp.correlation_id = req.correlation_id;
    Error error = Error::none;
    Metadata* m = find(req.transactional_id, error);
    if (m != nullptr) {
        error = check_producer(*m, req.producer_id, req.producer_epoch);
        if (error == Error::none && is_prepare(m->state)) error = Error::concurrent_transactions;
    }
    const Error not_in = options_.transaction_abortable_error ? Error::transaction_abortable : Error::invalid_txn_state;
    for (const auto& tp : req.partitions)
        resp.results.push_back({tp, error != Error::none ? error : m->partitions.contains(tp) ? Error::none : not_in});
    ctx.send(from, std::move(resp));
}

void TransactionCoordinator::handle(sim::NodeId from, const AddPartitionsToTxnRequest& req, Context& ctx) {
    if (req.verify_only) return verify_partitions(from, req, ctx);
    Error error = Error::none;
    Metadata* m = find(req.transactional_id, error);
    if (m != nullptr) error = check_producer(*m, req.producer_id, req.producer_epoch);
    if (error != Error::none) {
        AddPartitionsToTxnResponse resp;
        resp.correlation_id = req.correlation_id;
        for (const auto& tp : req.partitions) resp.results.push_back({tp, error});
        ctx.send(from, std::move(resp));
        return;
    }
    add_partitions(*m, req.partitions, /*add_offsets=*/false, from, req.correlation_id, ctx);
}

void TransactionCoordinator::handle(sim::NodeId from, const AddOffsetsToTxnRequest& req, Context& ctx) {
    Error error = Error::none;
    Metadata* m = find(req.transactional_id, error);
    if (m != nullptr) error = check_producer(*m, req.producer_id, req.producer_epoch);
    if (error != Error::none) {
        ctx.send(from, AddOffsetsToTxnResponse{req.correlation_id, error});
        return;
    }
    // KafkaApis.handleAddOffsetsToTxnRequest: the group's __consumer_offsets partition.
    const GroupPartition offsets{consumer_offsets_topic,
                                 offsets_partition_for(req.group_id, options_.offsets_topic_num_partitions)};
    add_partitions(*m, {offsets}, /*add_offsets=*/true, from, req.correlation_id, ctx);
}

void TransactionCoordinator::add_partitions(Metadata& m, const std::vector<GroupPartition>& parts, bool add_offsets,
                                            sim::NodeId from, int32_t correlation_id, Context& ctx) {
    auto answer = [&](Error e) {
        if (add_offsets) {
            ctx.send(from, AddOffsetsToTxnResponse{correlation_id, e});
            return;
        }
        AddPartitionsToTxnResponse resp;
        resp.correlation_id = correlation_id;
        for (const auto& tp : parts) resp.results.push_back({tp, e});
        ctx.send(from, std::move(resp));
    };
    if (m.write_pending || is_prepare(m.state) || m.state == TxnState::prepare_epoch_fence)
        return answer(Error::concurrent_transactions);
    const bool all_in = std::all_of(parts.begin(), parts.end(), [&](const GroupPartition& p) { return m.partitions.contains(p); });
    if (m.state == TxnState::ongoing && all_in) return answer(Error::none);  // nothing to write
    PendingWrite w;
    w.value = value_of(m);
    if (m.state != TxnState::ongoing) {  // a new transaction begins
        w.value.partitions.clear();
        w.value.txn_start_time = ctx.now();
    }
    std::set<GroupPartition> all(w.value.partitions.begin(), w.value.partitions.end());
    all.insert(parts.begin(), parts.end());
    w.value.partitions.assign(all.begin(), all.end());
    w.value.state = TxnState::ongoing;
    w.value.txn_last_update_time = ctx.now();
    w.then = Then::answer_add;
    w.from = from;
    w.correlation_id = correlation_id;
    w.added = parts;
    w.add_offsets = add_offsets;
    write(std::move(w), m, ctx);
}

void TransactionCoordinator::handle(sim::NodeId from, const EndTxnRequest& req, Context& ctx) {
    EndTxnResponse resp;
    resp.correlation_id = req.correlation_id;
    auto answer = [&](Error e) {
        resp.error = e;
        ctx.send(from, resp);
    };
    Error error = Error::none;
    Metadata* found = find(req.transactional_id, error);
    if (found == nullptr) return answer(error);
    Metadata& m = *found;
    if (req.producer_id != m.producer_id) return answer(Error::invalid_producer_id_mapping);
    const TxnState want_prepare = req.committed ? TxnState::prepare_commit : TxnState::prepare_abort;
    const TxnState want_complete = req.committed ? TxnState::complete_commit : TxnState::complete_abort;
    // The answer to a request whose transaction already ended or is ending (a retry).
    auto retry_answer = [&] {
        resp.producer_id = m.producer_id;
        resp.producer_epoch = m.producer_epoch;
        if (m.state == want_prepare) return answer(Error::concurrent_transactions);
        if (m.state == want_complete) return answer(Error::none);
        return answer(Error::invalid_txn_state);
    };
    if (req.producer_epoch != m.producer_epoch) {
        // transaction.version 2: the epoch was bumped by the EndTxn being retried; it is a retry
        // only while that transaction is ending or ended (TransactionCoordinator.endTransaction,
        // isEpochFence / retryOnEpochBump). Any other epoch is a fenced producer.
        if (m.transaction_version_2 && req.producer_epoch == m.last_producer_epoch &&
            (is_prepare(m.state) || is_complete(m.state)))
            return retry_answer();
        return answer(fenced());
    }
    if (m.write_pending || m.state == TxnState::prepare_epoch_fence) return answer(Error::concurrent_transactions);
    switch (m.state) {
        case TxnState::ongoing:
            // Without transaction.version 2 nothing names the transaction: whatever is Ongoing
            // under this epoch ends here, even if the request was meant for an earlier one.
            prepare_end(m, req.committed, Then::answer_end, "EndTxn", from, req.correlation_id, ctx);
            return;
        case TxnState::prepare_commit:
        case TxnState::prepare_abort:
        case TxnState::complete_commit:
        case TxnState::complete_abort:
            if (m.transaction_version_2) return answer(Error::invalid_txn_state);  // the epoch names a finished one
            return retry_answer();
        default:
            return answer(Error::invalid_txn_state);  // Empty, Dead: no transaction to end
    }
}

// Ongoing -> PrepareCommit / PrepareAbort, written before the caller is answered; with
// transaction.version 2 the epoch is bumped in the same write.
void TransactionCoordinator::prepare_end(Metadata& m, bool commit, Then then, const char* reason, sim::NodeId from,
                                         int32_t correlation_id, Context& ctx) {
    PendingWrite w;
    w.value = value_of(m);
    w.value.state = commit ? TxnState::prepare_commit : TxnState::prepare_abort;
    if (m.transaction_version_2 && then == Then::answer_end) {
        w.value.last_producer_epoch = m.producer_epoch;
        if (m.producer_epoch >= INT16_MAX - 1) {
            w.value.previous_producer_id = m.producer_id;
            w.value.producer_id = host_.allocate_producer_id(ctx);
            w.value.producer_epoch = 0;
        } else {
            w.value.producer_epoch = static_cast<int16_t>(m.producer_epoch + 1);
        }
    }
    w.value.txn_last_update_time = ctx.now();
    w.then = then;
    w.reason = reason;
    w.from = from;
    w.correlation_id = correlation_id;
    write(std::move(w), m, ctx);
}

// An Ongoing transaction whose producer is gone or replaced: bump the epoch so the old
// producer is fenced, and abort the transaction with it (prepareFenceProducerEpoch, then
// endTransaction(ABORT) on the coordinator's own behalf).
void TransactionCoordinator::fence_and_abort(Metadata& m, const char* reason, Context& ctx) {
    if (m.producer_epoch >= INT16_MAX - 1) return;  // cannot bump: left to the producer id's expiry
    m.state = TxnState::prepare_epoch_fence;
    m.last_producer_epoch = m.producer_epoch;
    m.producer_epoch = static_cast<int16_t>(m.producer_epoch + 1);
    trace(m, reason, ctx);
    PendingWrite w;
    w.value = value_of(m);
    w.value.state = TxnState::prepare_abort;
    w.value.txn_last_update_time = ctx.now();
    w.then = Then::send_markers;
    w.reason = reason;
    write(std::move(w), m, ctx);
}

void TransactionCoordinator::abort_timed_out(Context& ctx) {
    for (auto& [id, m] : txns_) {
        if (m.state != TxnState::ongoing || m.write_pending || !is_loaded(m.partition)) continue;
        if (ctx.now() <= m.txn_start_time + sim::milliseconds(m.txn_timeout_ms)) continue;
        fence_and_abort(m, "transaction.timeout.ms passed", ctx);
    }
}

// ------------------------------------------------------------------------------ markers

void TransactionCoordinator::send_markers(Metadata& m, Context& ctx) {
    if (!is_prepare(m.state)) return;
    if (m.markers_left.empty()) {
        maybe_complete(m, ctx);
        return;
    }
    MarkerRequest r;
    r.transactional_id = m.transactional_id;
    r.producer_id = m.producer_id;
    r.producer_epoch = m.producer_epoch;
    r.coordinator_epoch = host_.txn_partition_leader_epoch(m.partition);
    r.commit = m.state == TxnState::prepare_commit;
    r.partitions.assign(m.markers_left.begin(), m.markers_left.end());
    host_.send_markers(r, ctx);
}

void TransactionCoordinator::on_marker_result(const std::string& transactional_id, int64_t producer_id,
                                              const GroupPartition& tp, Error error, Context& ctx) {
    auto it = txns_.find(transactional_id);
    if (it == txns_.end() || !is_loaded(it->second.partition)) return;
    Metadata& m = it->second;
    if (m.producer_id != producer_id || !is_prepare(m.state) || !m.markers_left.contains(tp)) return;
    if (marker_retriable(error)) {
        // Sent again after the backoff, with the others still missing (the channel manager
        // re-enqueues a failed partition; a marker is never given up on while it may succeed).
        if (marker_retries_.insert(transactional_id).second)
            ctx.set_timer(sim::milliseconds(options_.marker_retry_backoff_ms),
                          tag(purpose_marker_retry, retry_ids_.emplace(next_serial_++, transactional_id).first->first));
        return;
    }
    // Written, or refused for good (INVALID_PRODUCER_EPOCH, TRANSACTION_COORDINATOR_FENCED,
    // UNSUPPORTED_*): nothing more to send to that partition.
    m.markers_left.erase(tp);
    maybe_complete(m, ctx);
}

// Every marker written: CompleteCommit / CompleteAbort, and the partitions are forgotten.
void TransactionCoordinator::maybe_complete(Metadata& m, Context& ctx) {
    if (!is_prepare(m.state) || !m.markers_left.empty() || m.write_pending) return;
    PendingWrite w;
    w.value = value_of(m);
    w.value.state = m.state == TxnState::prepare_commit ? TxnState::complete_commit : TxnState::complete_abort;
    w.value.partitions.clear();
    w.value.txn_last_update_time = ctx.now();
    w.then = Then::complete;
    w.reason = "every marker is written";
    write(std::move(w), m, ctx);
}

// ------------------------------------------------------------------------------ the log

void TransactionCoordinator::write(PendingWrite w, Metadata& m, Context& ctx) {
    w.serial = next_serial_++;
    w.partition = m.partition;
    m.write_pending = true;
    auto records = std::make_shared<TransactionRecords>();
    records->values.push_back(w.value);
    Error error = Error::none;
    std::optional<int64_t> required = host_.append_txn_records(m.partition, std::move(records), error, ctx);
    if (!required) {
        complete_write(w, error, ctx);
        return;
    }
    w.required_offset = *required;
    if (host_.txn_partition_high_watermark(m.partition) >= w.required_offset) {  // a lone replica
        complete_write(w, Error::none, ctx);
        return;
    }
    w.timer = ctx.set_timer(sim::milliseconds(options_.append_timeout_ms), tag(purpose_append, w.serial));
    writes_.push_back(std::move(w));
}

template <class Pred>
std::vector<TransactionCoordinator::PendingWrite> TransactionCoordinator::take_writes(Pred pred, Context& ctx) {
    std::vector<PendingWrite> taken;
    for (auto it = writes_.begin(); it != writes_.end();) {
        if (pred(*it)) {
            ctx.cancel_timer(it->timer);
            taken.push_back(std::move(*it));
            it = writes_.erase(it);
        } else {
            ++it;
        }
    }
    return taken;
}

void TransactionCoordinator::on_high_watermark(int32_t partition, int64_t hw, Context& ctx) {
    auto committed = [&](const PendingWrite& w) { return w.partition == partition && w.required_offset <= hw; };
    for (PendingWrite& w : take_writes(committed, ctx)) complete_write(w, Error::none, ctx);
}

void TransactionCoordinator::complete_write(PendingWrite& w, Error append_error, Context& ctx) {
    const Error error = client_error(append_error);
    auto it = txns_.find(w.value.transactional_id);
    Metadata* m = it == txns_.end() || !is_loaded(w.partition) ? nullptr : &it->second;
    if (m != nullptr) {
        m->write_pending = false;
        if (error == Error::none) {
            const bool to_prepare = is_prepare(w.value.state) && !is_prepare(m->state);
            apply(*m, w.value);
            if (to_prepare) m->markers_left = m->partitions;
            trace(*m, w.reason, ctx);
        } else if (m->state == TxnState::prepare_epoch_fence) {
            // The fencing abort was not written: the transaction stays open under the new epoch
            // and the next scan (or InitProducerId) tries again.
            m->state = TxnState::ongoing;
        }
    }
    const Error answer = m == nullptr && error == Error::none ? Error::not_coordinator : error;
    switch (w.then) {
        case Then::answer_init: {
            InitProducerIdResponse r;
            r.correlation_id = w.correlation_id;
            r.error = answer;
            if (answer == Error::none) {
                r.producer_id = m->producer_id;
                r.producer_epoch = m->producer_epoch;
            }
            ctx.send(w.from, r);
            break;
        }
        case Then::answer_add:
            if (w.add_offsets) {
                ctx.send(w.from, AddOffsetsToTxnResponse{w.correlation_id, answer});
            } else {
                AddPartitionsToTxnResponse r;
                r.correlation_id = w.correlation_id;
                for (const auto& tp : w.added) r.results.push_back({tp, answer});
                ctx.send(w.from, std::move(r));
            }
            break;
        case Then::answer_end: {
            EndTxnResponse r;
            r.correlation_id = w.correlation_id;
            r.error = answer;
            if (answer == Error::none) {
                r.producer_id = m->producer_id;
                r.producer_epoch = m->producer_epoch;
            }
            ctx.send(w.from, r);
            if (answer == Error::none) send_markers(*m, ctx);
            break;
        }
        case Then::send_markers:
            if (m != nullptr && error == Error::none) send_markers(*m, ctx);
            break;
        case Then::complete:
            // A Complete* that was not written is tried again after the backoff.
            if (m != nullptr && error != Error::none && marker_retries_.insert(m->transactional_id).second)
                ctx.set_timer(sim::milliseconds(options_.marker_retry_backoff_ms),
                              tag(purpose_marker_retry, retry_ids_.emplace(next_serial_++, m->transactional_id).first->first));
            break;
    }
}

void TransactionCoordinator::on_timer(uint64_t t, Context& ctx) {
    const uint64_t purpose = sim::TimerSpace::kind_of(t);
    const uint64_t serial = sim::TimerSpace::value_of(t);
    if (purpose == purpose_abort_scan) {
        abort_timed_out(ctx);
        start(ctx);
    } else if (purpose == purpose_append) {
        auto it = std::find_if(writes_.begin(), writes_.end(), [&](const PendingWrite& w) { return w.serial == serial; });
        if (it == writes_.end()) return;
        PendingWrite w = std::move(*it);
        writes_.erase(it);
        complete_write(w, Error::request_timed_out, ctx);
    } else if (purpose == purpose_marker_retry) {
        auto r = retry_ids_.find(serial);
        if (r == retry_ids_.end()) return;
        const std::string id = r->second;
        retry_ids_.erase(r);
        marker_retries_.erase(id);
        auto it = txns_.find(id);
        if (it == txns_.end() || !is_loaded(it->second.partition)) return;
        send_markers(it->second, ctx);
    }
}

// ------------------------------------------------------------------------------ leadership

void TransactionCoordinator::load_partition(int32_t partition, const std::vector<RecordBatch>& log, Context& ctx) {
    // TransactionStateManager.loadTransactionMetadata: the last record of each id wins.
    std::map<std::string, TransactionLogValue> latest;
    for (const RecordBatch& b : log)
        if (b.txn_records)
            for (const TransactionLogValue& v : b.txn_records->values) latest[v.transactional_id] = v;
    for (auto it = txns_.begin(); it != txns_.end();)
        it = it->second.partition == partition ? txns_.erase(it) : std::next(it);
    for (const auto& [id, v] : latest) {
        if (v.state == TxnState::dead) continue;
        Metadata& m = txns_[id];
        m.transactional_id = id;
        m.partition = partition;
        apply(m, v);
    }
    loaded_.insert(partition);
    // TransactionCoordinator.onElection: the markers of every transaction that was ending go out
    // again, under this coordinator's epoch.
    for (auto& [id, m] : txns_) {
        if (m.partition != partition || !is_prepare(m.state)) continue;
        m.markers_left = m.partitions;
        send_markers(m, ctx);
    }
}

void TransactionCoordinator::unload_partition(int32_t partition, Context& ctx) {
    loaded_.erase(partition);
    auto of_partition = [&](const PendingWrite& w) { return w.partition == partition; };
    for (PendingWrite& w : take_writes(of_partition, ctx)) complete_write(w, Error::not_leader_or_follower, ctx);
    for (auto it = txns_.begin(); it != txns_.end();)
        it = it->second.partition == partition ? txns_.erase(it) : std::next(it);
}

void TransactionCoordinator::trace(const Metadata& m, const std::string& reason, Context& ctx) const {
    ctx.emit(TransactionStateChanged{.transactional_id = m.transactional_id,
                                     .producer_id = m.producer_id,
                                     .producer_epoch = m.producer_epoch,
                                     .state = to_string(m.state),
                                     .partitions = static_cast<int64_t>(m.partitions.size()),
                                     .reason = reason});
}

}  // namespace kafka
