// The transactional side of ProducerClient: Kafka's TransactionManager and the transactional
// requests of its Sender (maybeSendAndPollTransactionalRequest). See producer_client.hpp.
//
// One coordinator request is in flight at a time, in the order the Java client's priority
// queue gives them: FindCoordinator, then InitProducerId, AddPartitionsToTxn (and the
// application's AddOffsetsToTxn, then its TxnOffsetCommit to the group coordinator), EndTxn.
// Produce requests go beside them, for partitions the coordinator has added to the transaction.
#include <algorithm>

#include "clients/client_timer.hpp"
#include "clients/producer_client.hpp"

namespace kafka {

namespace {

const char* state_name(ProducerClient::TxnState s) {
    using S = ProducerClient::TxnState;
    switch (s) {
        case S::uninitialized: return "UNINITIALIZED";
        case S::initializing: return "INITIALIZING";
        case S::ready: return "READY";
        case S::in_transaction: return "IN_TRANSACTION";
        case S::committing_transaction: return "COMMITTING_TRANSACTION";
        case S::aborting_transaction: return "ABORTING_TRANSACTION";
        case S::abortable_error: return "ABORTABLE_ERROR";
        case S::fatal_error: return "FATAL_ERROR";
    }
    return "?";
}

}  // namespace

bool ProducerClient::fatal_for_transactions(Error error) const {
    switch (error) {
        case Error::producer_fenced:
        case Error::invalid_txn_state:
        case Error::invalid_producer_id_mapping:
        case Error::transaction_coordinator_fenced:
            return true;
        case Error::invalid_producer_epoch:
            // KIP-588 (2.7): on Produce it is abortable (the coordinator aborted the transaction
            // on timeout and bumped the epoch); before, the client took it as being fenced.
            return !config_.transactions.producer_fenced_error;
        default:
            return false;
    }
}

void ProducerClient::txn_start(Context& ctx) {
    // The application calls initTransactions() when it starts its work.
    txn_.state = TxnState::initializing;
    txn_.retry_at = std::max(ctx.now(), workload_.from);
    txn_poll(ctx);
}

bool ProducerClient::txn_accepts_records() const {
    return txn_.state == TxnState::ready ||
           (txn_.state == TxnState::in_transaction && txn_.records < static_cast<uint32_t>(workload_.records_per_txn));
}

void ProducerClient::txn_begin(Context& ctx) {
    txn_.number += 1;
    txn_.records = 0;
    txn_.started = false;
    txn_.added.clear();
    txn_.to_add.clear();
    txn_.adding.clear();
    txn_.acked.clear();
    txn_.offsets.clear();
    txn_.cause = Error::none;
    txn_.app_commits = app_driven_ || !(workload_.abort_fraction > 0 &&
                         ctx.rng().chance(sim::Probability::from_double(workload_.abort_fraction)));
    txn_.state = TxnState::in_transaction;
    if (events_) events_->on_txn_begin(client_, ctx.now(), txn_.number, producer_id_, producer_epoch_);
    ctx.emit(ProducerTransaction{.transactional_id = config_.transactional_id, .txn = txn_.number, .action = "begin",
                                 .producer_id = producer_id_, .producer_epoch = producer_epoch_,
                                 .error = "NONE"});
}

void ProducerClient::txn_record_appended(Slot slot, Context& ctx) {
    txn_.records += 1;
    // With transaction.version 2 the leader adds the partition when the first batch arrives.
    if (!config_.transaction_version_2 && !txn_.added.count(slot) && !txn_.adding.count(slot))
        txn_.to_add.insert(slot);
    // The generated workload ends its transactions itself; an application calls commit_transaction().
    if (app_driven_) return;  // send() wakes the Sender, which polls the transaction manager
    if (txn_.records >= static_cast<uint32_t>(workload_.records_per_txn)) txn_end(txn_.app_commits, Error::none, ctx);
    txn_poll(ctx);
}

void ProducerClient::txn_end(bool commit, Error cause, Context& ctx) {
    txn_.state = commit ? TxnState::committing_transaction : TxnState::aborting_transaction;
    txn_.cause = cause;
    if (!commit) {
        // abortTransaction(): batches not sent yet are dropped (RecordAccumulator.abortUndrainedBatches),
        // and so are partitions not added yet and offsets not sent yet; what is in flight is waited for.
        txn_.to_add.clear();
        txn_.offsets.clear();
        txn_drop_undrained(cause, ctx);
    }
    txn_poll(ctx);
}

void ProducerClient::txn_drop_undrained(Error cause, Context& ctx) {
    std::vector<uint64_t> undrained;
    for (const auto& [id, b] : batches_)
        if (!b.in_flight) undrained.push_back(id);
    for (uint64_t id : undrained) {
        auto it = batches_.find(id);
        Batch& b = it->second;
        records_failed_ += static_cast<uint64_t>(b.rb.record_count);
        report_final_error(b, cause, ctx);
        batches_.erase(it);
    }
}

bool ProducerClient::txn_may_send(Slot slot) const {
    if (txn_.state != TxnState::in_transaction && txn_.state != TxnState::committing_transaction) return false;
    return config_.transaction_version_2 || txn_.added.count(slot) != 0;
}

void ProducerClient::txn_retry_later(Context& ctx, int64_t backoff_ms) {
    if (backoff_ms < 0) backoff_ms = config_.retry_backoff_ms;
    txn_.retry_at = ctx.now() + sim::milliseconds(backoff_ms);
    if (!txn_.retry_timer.valid())
        txn_.retry_timer = ctx.set_timer(sim::milliseconds(backoff_ms), timer_tag(timer_txn_retry));
}

void ProducerClient::txn_poll(Context& ctx) {
    if (txn_.request_in_flight) return;
    if (ctx.now() < txn_.retry_at) {
        if (!txn_.retry_timer.valid()) txn_.retry_timer = ctx.set_timer(txn_.retry_at - ctx.now(), timer_tag(timer_txn_retry));
        return;
    }
    using K = CoordinatorRequest::Kind;
    CoordinatorRequest next;
    // sendOffsetsToTransaction: AddOffsetsToTxn, then (the group joined the transaction) the
    // TxnOffsetCommit to the group's coordinator.
    auto offsets_request = [&] {
        const TxnOffsets& o = txn_.offsets.front();
        next.kind = o.added ? K::txn_offset_commit : K::add_offsets;
        next.group_id = o.group_id;
    };
    switch (txn_.state) {
        case TxnState::initializing:
            next.kind = CoordinatorRequest::Kind::init_producer_id;
            break;
        case TxnState::in_transaction:
            if (!txn_.to_add.empty()) {
                next.kind = CoordinatorRequest::Kind::add_partitions;
            } else if (!txn_.offsets.empty()) {
                offsets_request();
            } else {
                return;
            }
            break;
        case TxnState::committing_transaction:
            if (!txn_.to_add.empty()) {
                next.kind = CoordinatorRequest::Kind::add_partitions;
                break;
            }
            // commitTransaction(): EndTxn waits behind the offsets' requests (they come first in
            // the Java client's queue) and behind every batch's answer.
            if (!txn_.offsets.empty()) {
                offsets_request();
                break;
            }
            if (!batches_.empty()) return;  // flushing: EndTxn goes once every batch is answered
            if (!txn_.started) return txn_completed(ctx);  // nothing reached the coordinator
            next.kind = CoordinatorRequest::Kind::end_txn;
            next.commit = true;
            break;
        case TxnState::aborting_transaction:
            if (in_flight_batches_ != 0) return;
            // A batch that failed while the abort waited is not sent again: it would land in the
            // next transaction of the same epoch.
            txn_drop_undrained(txn_.cause, ctx);
            if (!txn_.started) return txn_completed(ctx);
            // KIP-588: the coordinator already aborted it (and bumped the epoch, which is why the
            // Produce was refused): no EndTxn, the InitProducerId that follows recovers.
            if (txn_.cause == Error::invalid_producer_epoch) return txn_completed(ctx);
            next.kind = CoordinatorRequest::Kind::end_txn;
            next.commit = false;
            break;
        default:
            return;
    }
    if (next.kind == K::txn_offset_commit) {
        // TxnOffsetCommit goes to the group's coordinator (FindCoordinator key_type 0).
        if (txn_.group_coordinator_of != next.group_id) txn_.group_coordinator = no_leader;
        if (txn_.group_coordinator == no_leader) {
            CoordinatorRequest find;
            find.kind = K::find_coordinator;
            find.group = true;
            find.group_id = next.group_id;
            next = std::move(find);
        }
    } else if (txn_.coordinator == no_leader) {
        next = CoordinatorRequest{K::find_coordinator, {}, false, false, {}};
    }
    send_coordinator_request(std::move(next), ctx);
}

void ProducerClient::send_coordinator_request(CoordinatorRequest req, Context& ctx) {
    using K = CoordinatorRequest::Kind;
    std::optional<BrokerId> target =
        req.kind == K::find_coordinator    ? network_.least_loaded_broker()
        : req.kind == K::txn_offset_commit ? std::optional<BrokerId>(txn_.group_coordinator)
                                           : std::optional<BrokerId>(txn_.coordinator);
    const sim::NodeId node = target ? dir_->broker_node(*target) : sim::no_node;
    sim::Time next = sim::time_never;
    if (node == sim::no_node || !network_.ready(*target, ctx, next)) {
        // Sender: a coordinator that is not ready is looked up again.
        if (req.kind == K::txn_offset_commit)
            txn_.group_coordinator = no_leader;
        else if (req.kind != K::find_coordinator)
            txn_.coordinator = no_leader;
        txn_retry_later(ctx);
        if (next != sim::time_never && next > txn_.retry_at) {
            ctx.cancel_timer(txn_.retry_timer);
            txn_.retry_at = next;
            txn_.retry_timer = ctx.set_timer(next - ctx.now(), timer_tag(timer_txn_retry));
        }
        return;
    }
    const int32_t corr = network_.next_correlation_id();
    const std::string& id = config_.transactional_id;
    switch (req.kind) {
        case K::find_coordinator:
            if (req.group)
                ctx.send(node, FindCoordinatorRequest{corr, req.group_id, coordinator_key_group});
            else
                ctx.send(node, FindCoordinatorRequest{corr, id, coordinator_key_transaction});
            break;
        case K::init_producer_id: {
            InitProducerIdRequest r;
            r.correlation_id = corr;
            r.transactional_id = id;
            r.transaction_timeout_ms = static_cast<int32_t>(config_.transaction_timeout_ms);
            if (txn_.bump_epoch) {  // KIP-360: bump the epoch of the producer id it has
                r.producer_id = producer_id_;
                r.producer_epoch = producer_epoch_;
            }
            ctx.send(node, std::move(r));
            break;
        }
        case K::add_partitions: {
            AddPartitionsToTxnRequest r;
            r.correlation_id = corr;
            r.transactional_id = id;
            r.producer_id = producer_id_;
            r.producer_epoch = producer_epoch_;
            req.partitions.assign(txn_.to_add.begin(), txn_.to_add.end());
            for (const Slot& p : req.partitions) r.partitions.push_back(GroupPartition{topics_[p.topic], p.partition});
            txn_.adding = std::move(txn_.to_add);
            txn_.to_add.clear();
            ctx.send(node, std::move(r));
            break;
        }
        case K::end_txn:
            ctx.send(node, EndTxnRequest{corr, id, producer_id_, producer_epoch_, req.commit});
            break;
        case K::add_offsets:
            ctx.send(node, AddOffsetsToTxnRequest{corr, id, producer_id_, producer_epoch_, req.group_id});
            break;
        case K::txn_offset_commit: {
            // v3 (KIP-447): the consumer's group metadata lets the coordinator fence a zombie.
            const TxnOffsets& o = txn_.offsets.front();
            TxnOffsetCommitRequest r;
            r.correlation_id = corr;
            r.transactional_id = id;
            r.group_id = o.group_id;
            r.producer_id = producer_id_;
            r.producer_epoch = producer_epoch_;
            r.generation_id = o.generation_id;
            r.member_id = o.member_id;
            r.partitions = o.offsets;
            ctx.send(node, std::move(r));
            break;
        }
    }
    txn_.request_in_flight = true;
    coordinator_in_flight_.add(corr, *target, node, std::move(req), ctx);
}

void ProducerClient::handle_coordinator_response(sim::NodeId from, int32_t corr, Error error, const Message& msg,
                                                 Context& ctx) {
    using K = CoordinatorRequest::Kind;
    const auto* sent = coordinator_in_flight_.find(corr);
    if (sent == nullptr || sent->node != from) return;  // stale or unknown
    const auto f = coordinator_in_flight_.complete(corr, ctx);
    txn_.request_in_flight = false;
    const CoordinatorRequest& req = f.request;
    if (req.kind == K::add_partitions) {
        // The first error of any partition decides (AddPartitionsToTxnHandler).
        for (const auto& r : std::get<AddPartitionsToTxnResponse>(msg).results)
            if (r.error != Error::none) {
                error = r.error;
                break;
            }
    } else if (req.kind == K::txn_offset_commit) {
        // TxnOffsetCommitHandler looks at each partition's error; the model takes the first and
        // sends the whole commit again when it is retriable (a commit of the same offsets).
        for (const auto& r : std::get<TxnOffsetCommitResponse>(msg).partitions)
            if (r.error != Error::none) {
                error = r.error;
                break;
            }
    }
    if (error != Error::none) {
        coordinator_request_failed(req, error, ctx);
        run_sender(ctx);
        return;
    }
    switch (req.kind) {
        case K::find_coordinator: {
            const BrokerId node = std::get<FindCoordinatorResponse>(msg).node_id;
            if (node == no_leader) {
                txn_retry_later(ctx);
                return;
            }
            if (req.group) {
                txn_.group_coordinator = node;
                txn_.group_coordinator_of = req.group_id;
            } else {
                txn_.coordinator = node;
            }
            break;
        }
        case K::init_producer_id: {
            const auto& r = std::get<InitProducerIdResponse>(msg);
            txn_new_producer_id(r.producer_id, r.producer_epoch, ctx);
            txn_.bump_epoch = false;
            txn_.state = TxnState::ready;
            ctx.emit(ProducerTransaction{.transactional_id = config_.transactional_id, .txn = txn_.number,
                                         .action = "initialized", .producer_id = producer_id_,
                                         .producer_epoch = producer_epoch_, .error = "NONE"});
            drain_pending(ctx);
            txn_app_ready();
            break;
        }
        case K::add_partitions:
            txn_.added.insert(txn_.adding.begin(), txn_.adding.end());
            txn_.adding.clear();
            txn_.started = true;
            break;
        case K::end_txn: {
            // EndTxn v5 (transaction.version 2): the coordinator bumped the epoch and says to what.
            const auto& r = std::get<EndTxnResponse>(msg);
            if (config_.transaction_version_2 && r.producer_id >= 0) txn_new_producer_id(r.producer_id, r.producer_epoch, ctx);
            txn_completed(ctx);
            break;
        }
        case K::add_offsets:
            // The group's offsets partition is in the transaction: it has begun at the coordinator
            // (transactionStarted), and the TxnOffsetCommit is next. An abort meanwhile dropped it.
            txn_.started = true;
            if (!txn_.offsets.empty() && txn_.offsets.front().group_id == req.group_id) txn_.offsets.front().added = true;
            break;
        case K::txn_offset_commit:
            // Pending at the group coordinator until the transaction's marker; sendOffsetsToTransaction returns.
            if (!txn_.offsets.empty() && txn_.offsets.front().added) txn_.offsets.pop_front();
            break;
    }
    txn_poll(ctx);
    run_sender(ctx);
}

void ProducerClient::coordinator_request_failed(const CoordinatorRequest& req, Error error, Context& ctx) {
    txn_.request_in_flight = false;
    if (req.kind == CoordinatorRequest::Kind::txn_offset_commit ||
        (req.kind == CoordinatorRequest::Kind::find_coordinator && req.group)) {
        // TxnOffsetCommitHandler (and the FindCoordinator for its group).
        switch (error) {
            case Error::not_coordinator:
            case Error::coordinator_not_available:
            case Error::request_timed_out:
            case Error::network_exception:
                txn_.group_coordinator = no_leader;  // lookupCoordinator(GROUP), then the commit again
                txn_retry_later(ctx);
                return;
            case Error::coordinator_load_in_progress:
            case Error::unknown_topic_or_partition:
                txn_retry_later(ctx);  // the same coordinator again
                return;
            case Error::unknown_member_id:
            case Error::illegal_generation:
            case Error::fenced_instance_id:
            case Error::transaction_abortable:
                // The group moved on without this member (CommitFailedException for the first two):
                // only an abort is left. Streams takes it as TaskMigrated.
                txn_abortable(error, ctx);
                return;
            default:
                // PRODUCER_FENCED, INVALID_PRODUCER_EPOCH, and what Java calls unexpected.
                txn_fatal(error, ctx);
                return;
        }
    }
    if (req.kind == CoordinatorRequest::Kind::add_partitions) {
        txn_.to_add.insert(txn_.adding.begin(), txn_.adding.end());
        txn_.adding.clear();
        if (txn_.state == TxnState::aborting_transaction) txn_.to_add.clear();
    }
    switch (error) {
        case Error::not_coordinator:
        case Error::coordinator_not_available:
        case Error::request_timed_out:
        case Error::network_exception:
            txn_.coordinator = no_leader;  // lookupCoordinator, then the request again
            txn_retry_later(ctx);
            return;
        case Error::concurrent_transactions:
            // AddPartitionsToTxnHandler.maybeOverrideRetryBackoffMs: the first add of a transaction
            // finds the previous one still completing; it is retried after at most 20 ms.
            if (req.kind == CoordinatorRequest::Kind::add_partitions && txn_.added.empty()) {
                txn_retry_later(ctx, std::min<int64_t>(20, config_.retry_backoff_ms));
                return;
            }
            txn_retry_later(ctx);
            return;
        case Error::coordinator_load_in_progress:
        case Error::unknown_topic_or_partition:
            txn_retry_later(ctx);
            return;
        case Error::transaction_abortable:
            if (req.kind != CoordinatorRequest::Kind::init_producer_id &&
                txn_.state != TxnState::aborting_transaction) {
                txn_abortable(error, ctx);
                return;
            }
            [[fallthrough]];
        default:
            // PRODUCER_FENCED, INVALID_PRODUCER_EPOCH (a coordinator's answer means fenced),
            // INVALID_TXN_STATE, INVALID_PRODUCER_ID_MAPPING, INVALID_TRANSACTION_TIMEOUT, ...
            txn_fatal(error, ctx);
            return;
    }
}

void ProducerClient::txn_abortable(Error error, Context& ctx) {
    switch (txn_.state) {
        case TxnState::in_transaction:
        case TxnState::committing_transaction:
            // The application's send() or commitTransaction() throws; it calls abortTransaction().
            txn_.state = TxnState::abortable_error;
            if (error == Error::invalid_producer_epoch || error == Error::out_of_order_sequence_number ||
                error == Error::unknown_producer_id)
                txn_.bump_epoch = true;
            if (app_driven_) {
                // The application hears it (send() or commitTransaction() throws) and calls
                // abortTransaction() itself. Meanwhile the Sender fails the batches not sent yet
                // (abortUndrainedBatches) and sends nothing more of the transaction.
                txn_.cause = error;
                last_error_ = error;
                txn_.to_add.clear();
                txn_.offsets.clear();
                txn_drop_undrained(error, ctx);
                notify(Notice{Notice::Kind::abortable, false, error, {}, 0});
                return;
            }
            txn_end(false, error, ctx);
            return;
        case TxnState::abortable_error:
            // Application-driven, waiting for abortTransaction(): as while aborting, KIP-588's
            // INVALID_PRODUCER_EPOCH means the coordinator aborted it already (no EndTxn then).
            if (error == Error::invalid_producer_epoch) {
                txn_.cause = error;
                txn_.bump_epoch = true;
            }
            return;
        case TxnState::aborting_transaction:
            if (error == Error::invalid_producer_epoch) txn_.cause = error;
            return;
        default:
            return;
    }
}

void ProducerClient::txn_fatal(Error error, Context& ctx) {
    if (txn_.state == TxnState::fatal_error) return;
    const bool open = txn_.state == TxnState::in_transaction || txn_.state == TxnState::committing_transaction ||
                      txn_.state == TxnState::aborting_transaction || txn_.state == TxnState::abortable_error;
    const char* was = state_name(txn_.state);
    txn_.state = TxnState::fatal_error;
    last_error_ = error;
    // The application closes the producer: nothing it holds will be sent, and nothing more is generated.
    fail_everything(error, ctx);
    in_flight_.cancel_timers(ctx);
    coordinator_in_flight_.cancel_timers(ctx);
    ctx.cancel_timer(txn_.retry_timer);
    if (open && events_) events_->on_txn_end(client_, ctx.now(), txn_.number, TxnOutcome::unknown, error);
    ctx.emit(ProducerTransaction{.transactional_id = config_.transactional_id, .txn = txn_.number, .action = "fatal",
                                 .producer_id = producer_id_, .producer_epoch = producer_epoch_, .error = error_name(error),
                                 .detail = was});
    notify(Notice{Notice::Kind::fatal, false, error, {}, 0});
}

void ProducerClient::fail_everything(Error error, Context& ctx) {
    for (auto& [id, b] : batches_) {
        release_in_flight(b);
        records_failed_ += static_cast<uint64_t>(b.rb.record_count);
        report_final_error(b, error, ctx);
    }
    batches_.clear();
    for (const auto& a : txn_.acked) {
        records_failed_ += static_cast<uint64_t>(a.count);
        if (events_) events_->on_error(client_, ctx.now(), tp_of(a.slot), a.first_seq, a.count, error, true);
    }
    txn_.acked.clear();
    txn_.offsets.clear();
    txn_.to_add.clear();
    records_failed_ += pending_.size();
    pending_.clear();
    workload_.until = std::min(workload_.until, ctx.now());
}

void ProducerClient::txn_app_ready() {
    if (!txn_.completion_pending) return;
    txn_.completion_pending = false;
    notify(Notice{Notice::Kind::completed, txn_.completion_committed, txn_.completion_error, {}, 0});
}

bool ProducerClient::send_offsets_to_transaction(const std::string& group_id, int32_t generation_id,
                                                 const std::string& member_id,
                                                 std::vector<OffsetCommitRequest::PartitionData> offsets,
                                                 Context& ctx) {
    if (!app_driven_ || !transactional() || !ready_for_application()) return false;
    if (txn_.state == TxnState::ready) txn_begin(ctx);
    txn_.offsets.push_back(TxnOffsets{group_id, generation_id, member_id, std::move(offsets), false});
    arm_sender(ctx.now(), ctx);  // the Sender sends it (Sender.maybeSendAndPollTransactionalRequest)
    deliver_notices(ctx);
    return true;
}

bool ProducerClient::commit_transaction(Context& ctx) {
    if (!app_driven_ || !transactional() || closed_) return false;
    if (txn_.state == TxnState::ready) {
        // Nothing was sent since the last transaction ended: nothing to commit.
        notify(Notice{Notice::Kind::completed, true, Error::none, {}, 0});
    } else if (txn_.state == TxnState::in_transaction) {
        txn_end(true, Error::none, ctx);
        run_sender(ctx);
    } else {
        return false;
    }
    deliver_notices(ctx);
    return true;
}

bool ProducerClient::abort_transaction(Context& ctx) {
    if (!app_driven_ || !transactional() || closed_) return false;
    if (txn_.state == TxnState::ready) {
        notify(Notice{Notice::Kind::completed, false, Error::none, {}, 0});
    } else if (txn_.state == TxnState::in_transaction) {
        txn_end(false, Error::none, ctx);
        run_sender(ctx);
    } else if (txn_.state == TxnState::abortable_error) {
        txn_end(false, txn_.cause, ctx);
        run_sender(ctx);
    } else {
        return false;
    }
    deliver_notices(ctx);
    return true;
}

void ProducerClient::txn_completed(Context& ctx) {
    const bool committed = txn_.state == TxnState::committing_transaction;
    for (const auto& a : txn_.acked) {
        if (committed) {
            records_acked_ += static_cast<uint64_t>(a.count);
            if (events_) events_->on_ack(client_, ctx.now(), tp_of(a.slot), a.first_seq, a.count, a.base_offset);
        } else {
            records_failed_ += static_cast<uint64_t>(a.count);
            if (events_) events_->on_error(client_, ctx.now(), tp_of(a.slot), a.first_seq, a.count, txn_.cause, true);
        }
    }
    txn_.acked.clear();
    (committed ? txn_.committed : txn_.aborted) += 1;
    if (events_)
        events_->on_txn_end(client_, ctx.now(), txn_.number, committed ? TxnOutcome::committed : TxnOutcome::aborted,
                            txn_.cause);
    ctx.emit(ProducerTransaction{.transactional_id = config_.transactional_id, .txn = txn_.number,
                                 .action = committed ? "committed" : "aborted", .producer_id = producer_id_,
                                 .producer_epoch = producer_epoch_, .error = error_name(txn_.cause)});
    if (app_driven_) {
        // commitTransaction()/abortTransaction() returns once the producer is ready again.
        txn_.completion_pending = true;
        txn_.completion_committed = committed;
        txn_.completion_error = txn_.cause;
        last_error_ = Error::none;
    }
    txn_.started = false;
    txn_.added.clear();
    txn_.offsets.clear();
    txn_.cause = Error::none;
    if (txn_.bump_epoch && !config_.transaction_version_2) {
        // KIP-360 (2.5): the next epoch of the same producer id; before, the producer was done for.
        if (!config_.transactions.init_producer_id_with_epoch) return txn_fatal(Error::out_of_order_sequence_number, ctx);
        txn_.state = TxnState::initializing;
        txn_poll(ctx);
        return;
    }
    txn_.bump_epoch = false;
    txn_.state = TxnState::ready;
    drain_pending(ctx);
    txn_app_ready();
}

void ProducerClient::txn_new_producer_id(int64_t producer_id, int16_t epoch, Context& ctx) {
    (void)ctx;
    if (producer_id == producer_id_ && epoch == producer_epoch_) return;
    producer_id_ = producer_id;
    producer_epoch_ = epoch;
    // A new producer id or epoch: every partition's sequences start again at 0.
    for (auto& topic : partitions_)
        for (auto& ps : topic) {
            ps.next_base_sequence = 0;
            ps.last_acked_sequence = -1;
        }
}

}  // namespace kafka
