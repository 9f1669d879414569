#include "clients/streams/streams_instance.hpp"

#include <algorithm>
#include <utility>

#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"

namespace kafka {

namespace {

// Timer kinds and correlation ids of the embedded clients (client_embedding.hpp): the instance's
// own kinds are below 32.
constexpr uint64_t consumer_timer_base = 32;
constexpr uint64_t restore_timer_base = 64;
constexpr uint64_t producer_timer_base = 96;
constexpr int32_t restore_corr_base = 1 << 28;
constexpr int32_t producer_corr_base = 2 << 28;
constexpr int32_t producer_corr_range = 1 << 22;  // a new range for each producer of a life

// The correlation id an answer carries (0: none).
int32_t correlation_of(const Message& msg) {
    return std::visit(
        [](const auto& m) -> int32_t {
            if constexpr (requires { m.correlation_id; }) return static_cast<int32_t>(m.correlation_id);
            else return 0;
        },
        msg);
}

// Streams' process id: a UUID per KafkaStreams instance (it names the EOS v2 transactional.id).
std::string process_uuid(sim::Rng& rng) {
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (int i = 0; i < 32; ++i) {
        if (i == 8 || i == 12 || i == 16 || i == 20) out += '-';
        out += hex[rng.below(16)];
    }
    return out;
}

struct StoredCheckpoint {
    std::map<int32_t, int64_t> store;
    int64_t changelog_offset = 0;
};

std::string checkpoint_file(int32_t partition) { return "state/0_" + std::to_string(partition) + "/.checkpoint"; }

// A task's .checkpoint: its store and the changelog offset the store is current to.
void write_checkpoint(Context& ctx, int32_t partition, const std::map<int32_t, int64_t>& store, int64_t offset) {
    ctx.disk().cell<StoredCheckpoint>(checkpoint_file(partition)).set(StoredCheckpoint{store, offset});
}

// Reads a task's checkpoint into store and offset, if it has one. Under exactly-once a
// checkpoint is trusted once: it is deleted as it is read, so a crash from then on finds a
// store without one, and wipes it (ProcessorStateManager).
void read_checkpoint(Context& ctx, int32_t partition, bool exactly_once, std::map<int32_t, int64_t>& store,
                     int64_t& offset) {
    const std::string file = checkpoint_file(partition);
    if (!ctx.disk().exists(file)) return;
    auto& cell = ctx.disk().cell<StoredCheckpoint>(file);
    if (cell.has_value()) {
        store = cell.get().store;
        offset = cell.get().changelog_offset;
    }
    if (exactly_once) ctx.disk().remove(file);
}

// Changelog records put into a store: each record's value is its key's count.
void apply_changelog(std::map<int32_t, int64_t>& store, const RecordBatch& batch, int64_t first_offset, int32_t count) {
    const int64_t skip = first_offset - batch.base_offset;
    for (int32_t i = 0; i < count; ++i) {
        const auto idx = static_cast<size_t>(skip + i);
        if (!batch.contents || idx >= batch.contents->values.size()) continue;
        const int32_t key = batch.contents->key(idx);
        if (key >= 0) store[key] = batch.contents->values[idx];
    }
}

// The userData of the standby tasks: "active=0,2;standby=1" (what a member holds state for)
// and "standby=1,3" (what the leader gives it).
std::string task_list(const std::set<int32_t>& tasks) {
    std::string out;
    for (int32_t t : tasks) out += (out.empty() ? "" : ",") + std::to_string(t);
    return out;
}
std::set<int32_t> field_of(const std::string& data, const std::string& name) {
    std::set<int32_t> out;
    const std::string key = name + "=";
    size_t at = data.find(key);
    if (at == std::string::npos || (at > 0 && data[at - 1] != ';')) return out;
    at += key.size();
    while (at < data.size() && data[at] != ';') {
        size_t end = at;
        while (end < data.size() && data[end] != ',' && data[end] != ';') ++end;
        if (end > at) out.insert(std::stoi(data.substr(at, end - at)));
        at = end < data.size() && data[end] == ',' ? end + 1 : end;
    }
    return out;
}

}  // namespace

StreamsInstance::StreamsInstance(StreamsAppSpec spec, const ClusterDirectory& dir, ClientEvents* events,
                                 ClientRegistry* registry, int life)
    : spec_(std::move(spec)), dir_(&dir), events_(events), registry_(registry), life_(life) {}

std::map<int32_t, int64_t> StreamsInstance::standby_tasks() const {
    std::map<int32_t, int64_t> out;
    for (const auto& [p, s] : standbys_) out[p] = s.position;
    return out;
}

std::map<int32_t, bool> StreamsInstance::tasks() const {
    std::map<int32_t, bool> out;
    for (const auto& [p, t] : tasks_) out[p] = t.state == TaskState::running;
    return out;
}

void StreamsInstance::emit(Context& ctx, std::string task, std::string action, int64_t offset, int64_t end,
                           std::string detail) {
    ctx.emit(StreamsTask{.task = std::move(task), .action = std::move(action), .offset = offset, .end_offset = end,
                         .detail = std::move(detail)});
}

// ------------------------------------------------------------------------------ lifecycle

void StreamsInstance::on_start(Context& ctx) {
    ctx_ = &ctx;
    if (ctx.now() >= spec_.from) activate(ctx);
    else ctx.set_timer(spec_.from - ctx.now(), client_timer::tag(timer_activate));
    if (spec_.until != sim::time_never && spec_.until > ctx.now())
        ctx.set_timer(spec_.until - ctx.now(), client_timer::tag(timer_deactivate));
    after_event(ctx);
}

void StreamsInstance::activate(Context& ctx) {
    if (active_ || ctx.now() >= spec_.until) return;
    active_ = true;
    const std::string base = spec_.node_name() + (life_ > 1 ? " (life " + std::to_string(life_) + ")" : "");
    ClientEvents* events = this;  // the clients report to the instance, which forwards to the history
    consumer_ordinal_ = registry_->register_client(base);
    restore_ordinal_ = registry_->register_client(base + " restore-consumer");
    consumer_ = std::make_unique<ConsumerClient>(consumer_ordinal_, std::vector<std::string>{spec_.source},
                                                 spec_.consumer, std::nullopt, ctx.now(), spec_.until, *dir_, events,
                                                 spec_.streams.application_id,
                                                 ClientEmbedding{consumer_timer_base, 1});
    restore_ = std::make_unique<ConsumerClient>(restore_ordinal_, std::vector<std::string>{spec_.changelog},
                                                spec_.restore_consumer, std::nullopt, ctx.now(), spec_.until, *dir_,
                                                events, std::nullopt, ClientEmbedding{restore_timer_base, restore_corr_base});
    ConsumerClient::ApplicationMode main_mode;
    main_mode.explicit_commits = true;
    // at_least_once: onPartitionsRevoked commits the revoked tasks (commitSync). Under
    // exactly-once their offsets go into the thread's transaction instead (commit()).
    main_mode.commit_on_revocation = !spec_.streams.exactly_once();
    if (spec_.streams.num_standby_replicas > 0) main_mode.assignment_extension = this;
    consumer_->set_application_mode(main_mode);
    ConsumerClient::ApplicationMode restore_mode;
    restore_mode.manual_assignment = true;  // assign() of the changelogs of restoring tasks
    restore_->set_application_mode(restore_mode);
    if (spec_.streams.exactly_once() && !eos_v1())
        transactional_id_ = spec_.streams.application_id + "-" + process_uuid(ctx.rng()) + "-1";
    consumer_->on_start(ctx);
    restore_->on_start(ctx);
    if (!eos_v1()) make_producer(ctx);  // EOS v1: each task makes its own
    commit_timer_ = ctx.set_timer(sim::milliseconds(spec_.streams.commit_interval_ms), client_timer::tag(timer_commit));
}

void StreamsInstance::deactivate(Context& ctx) {
    if (!active_) return;
    // KafkaStreams.close(): the last commit, then the tasks close cleanly; the consumer leaves
    // the group at `until` by itself.
    commit(ctx);
    active_ = false;
}

void StreamsInstance::make_producer(Context& ctx) {
    ++producer_generation_;
    std::string name = spec_.node_name() + " producer";
    if (life_ > 1) name += " (life " + std::to_string(life_) + ")";
    if (producer_generation_ > 1) name += " #" + std::to_string(producer_generation_);
    producer_ordinal_ = registry_->register_client(name);
    ProducerConfig cfg = spec_.producer;
    cfg.transactional_id = transactional_id_;
    WorkloadSpec w;
    w.application_driven = true;
    const int32_t corr = producer_corr_base + (producer_generation_ % 96) * producer_corr_range;
    producer_ = std::make_unique<ProducerClient>(producer_ordinal_, std::vector<std::string>{spec_.sink, spec_.changelog},
                                                 cfg, w, *dir_, static_cast<ClientEvents*>(this),
                                                 ClientEmbedding{producer_timer_base, corr});
    producer_->set_application(this);
    producer_->on_start(ctx);
}

// ------------------------------------------------------------------------------ EOS v1: a producer per task

uint32_t StreamsInstance::next_producer_index() {
    // A correlation-id range and timer slot no live producer uses (at most 95 live at once).
    for (int tries = 0; tries < 96; ++tries) {
        const auto index = static_cast<uint32_t>(++producer_generation_ % 96);
        if (index != 0 && task_producer_by_index(index) == nullptr) return index;
    }
    SIM_ASSERT(false, "more than 95 task producers in one Streams instance");
    return 0;
}

StreamsInstance::TaskProducer& StreamsInstance::make_task_producer(int32_t partition, Context& ctx) {
    auto p = std::make_unique<TaskProducer>();
    p->owner = this;
    p->partition = partition;
    p->index = next_producer_index();
    std::string name = spec_.node_name() + " producer " + task_id(partition);
    if (life_ > 1) name += " (life " + std::to_string(life_) + ")";
    p->ordinal = registry_->register_client(name);
    ProducerConfig cfg = spec_.producer;
    cfg.transactional_id = spec_.streams.application_id + "-" + task_id(partition);  // StreamsProducer (EOS alpha)
    WorkloadSpec w;
    w.application_driven = true;
    const int32_t corr = producer_corr_base + static_cast<int32_t>(p->index) * producer_corr_range;
    p->client = std::make_unique<ProducerClient>(p->ordinal, std::vector<std::string>{spec_.sink, spec_.changelog}, cfg,
                                                 w, *dir_, static_cast<ClientEvents*>(this),
                                                 ClientEmbedding{producer_timer_base, corr, p->index});
    p->client->set_application(p.get());
    p->client->on_start(ctx);
    task_producers_.push_back(std::move(p));
    return *task_producers_.back();
}

StreamsInstance::TaskProducer* StreamsInstance::task_producer(int32_t partition) {
    for (auto& p : task_producers_)
        if (p->partition == partition && !p->closing) return p.get();
    return nullptr;
}

StreamsInstance::TaskProducer* StreamsInstance::task_producer_by_index(uint32_t index) {
    for (auto& p : task_producers_)
        if (p->index == index) return p.get();
    return nullptr;
}

ProducerClient* StreamsInstance::producer_for(int32_t partition) {
    if (!eos_v1()) return producer_.get();
    TaskProducer* p = task_producer(partition);
    return p ? p->client.get() : nullptr;
}

bool StreamsInstance::task_producer_ready(int32_t partition) {
    ProducerClient* p = producer_for(partition);
    return p != nullptr && p->ready_for_application();
}

// The task is closed: its producer goes once its last commit (if any) is done.
void StreamsInstance::close_task_producer(int32_t partition, Context& ctx) {
    TaskProducer* p = task_producer(partition);
    if (p == nullptr) return;
    p->closing = true;
    if (offset_fetch_held_.erase(partition) > 0 && consumer_)
        consumer_->hold_offset_fetch({GroupPartition{spec_.source, partition}}, false, ctx);
}

// After every event: held offset lookups released once the task's producer is initialized,
// aborts asked for, and closed producers dropped (never from inside their own handler).
void StreamsInstance::task_producers_after_event(Context& ctx) {
    bool restores = false;
    for (auto& [p, task] : tasks_)
        if (task.state == TaskState::initializing && task_producer_ready(p)) {
            start_restore(p, task, ctx);
            restores = true;
        }
    if (restores) assign_restores(ctx);
    for (auto it = offset_fetch_held_.begin(); it != offset_fetch_held_.end();) {
        if (!task_producer_ready(*it)) {
            ++it;
            continue;
        }
        consumer_->hold_offset_fetch({GroupPartition{spec_.source, *it}}, false, ctx);
        it = offset_fetch_held_.erase(it);
    }
    for (auto& p : task_producers_)
        if (p->abort_pending && !p->closing) {
            p->abort_pending = false;
            p->client->abort_transaction(ctx);
        }
    std::erase_if(task_producers_, [&](std::unique_ptr<TaskProducer>& p) {
        // A revoked task's last commit (closing_offsets_) is still to come, or in flight.
        if (!p->closing || p->committing || closing_offsets_.contains(p->partition)) return false;
        p->client->close(ctx);
        return true;
    });
}

void StreamsInstance::commit_v1(Context& ctx) {
    // Each task with work commits its own transaction: its records and its offset.
    std::map<int32_t, int64_t> offsets;
    for (const auto& [p, t] : tasks_)
        if (t.uncommitted && t.next_offset >= 0) offsets[p] = t.next_offset;
    for (const auto& [p, o] : closing_offsets_) offsets[p] = o;
    committing_closing_ = std::move(closing_offsets_);
    closing_offsets_.clear();
    for (const auto& [partition, offset] : offsets) {
        TaskProducer* p = nullptr;
        for (auto& tp : task_producers_)
            if (tp->partition == partition && !tp->committing && tp->client->ready_for_application()) p = tp.get();
        if (p == nullptr) continue;  // nothing was processed without a ready producer
        // sendOffsetsToTransaction(offsets, applicationId): the group id alone, no member check.
        p->client->send_offsets_to_transaction(
            spec_.streams.application_id, -1, "",
            {OffsetCommitRequest::PartitionData{GroupPartition{spec_.source, partition}, offset, -1}}, ctx);
        p->client->commit_transaction(ctx);
        p->committing = true;
        ++task_commits_pending_;
    }
    committing_ = task_commits_pending_ > 0;
}

void StreamsInstance::task_transaction_completed(TaskProducer& p, bool committed, Error error, Context& ctx) {
    if (!p.committing) {
        if (!committed) lose_all_tasks("corrupted", error, ctx);  // an abort the producer asked for
        return;
    }
    p.committing = false;
    --task_commits_pending_;
    if (!committed) {
        emit(ctx, task_id(p.partition), "aborted", -1, -1, error_name(error));
        lose_all_tasks("corrupted", error, ctx);
        return;
    }
    if (task_commits_pending_ == 0 && committing_) commit_done(ctx);
}

void StreamsInstance::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    ctx_ = &ctx;
    if (active_) {
        const int32_t corr = correlation_of(msg);
        if (corr >= producer_corr_base) {
            // Answers to a producer this instance replaced are dropped with it.
            const auto index = static_cast<uint32_t>((corr - producer_corr_base) / producer_corr_range);
            if (eos_v1()) {
                if (TaskProducer* p = task_producer_by_index(index)) p->client->on_message(from, msg, ctx);
            } else if (producer_ && index == static_cast<uint32_t>(producer_generation_ % 96)) {
                producer_->on_message(from, msg, ctx);
            }
        } else if (corr >= restore_corr_base) {
            if (restore_) restore_->on_message(from, msg, ctx);
        } else if (consumer_) {
            consumer_->on_message(from, msg, ctx);
        }
    }
    after_event(ctx);
}

void StreamsInstance::on_timer(uint64_t tag, Context& ctx) {
    ctx_ = &ctx;
    const uint64_t kind = client_timer::kind(tag);
    if (kind >= producer_timer_base) {
        if (eos_v1()) {
            if (TaskProducer* p = task_producer_by_index(static_cast<uint32_t>(client_timer::slot(tag))))
                p->client->on_timer(tag, ctx);
        } else if (producer_) {
            producer_->on_timer(tag, ctx);
        }
    } else if (kind >= restore_timer_base) {
        if (restore_) restore_->on_timer(tag, ctx);
    } else if (kind >= consumer_timer_base) {
        if (consumer_) consumer_->on_timer(tag, ctx);
    } else {
        switch (static_cast<TimerKind>(kind)) {
            case timer_activate: activate(ctx); break;
            case timer_deactivate: deactivate(ctx); break;
            case timer_commit:
                commit_timer_ = sim::TimerId{};
                if (active_) {
                    commit(ctx);
                    commit_timer_ =
                        ctx.set_timer(sim::milliseconds(std::max<int64_t>(1, spec_.streams.commit_interval_ms)),
                                      client_timer::tag(timer_commit));
                }
                break;
        }
    }
    after_event(ctx);
}

void StreamsInstance::on_disconnect(sim::NodeId peer, Context& ctx) {
    ctx_ = &ctx;
    if (consumer_) consumer_->on_disconnect(peer, ctx);
    if (restore_) restore_->on_disconnect(peer, ctx);
    if (producer_) producer_->on_disconnect(peer, ctx);
    for (auto& p : task_producers_) p->client->on_disconnect(peer, ctx);
    after_event(ctx);
}

// What the callbacks of the embedded clients asked for, done once their handler has returned
// (a client is never called back into, or destroyed, from inside its own handler).
void StreamsInstance::after_event(Context& ctx) {
    if (!active_ && !consumer_) return;
    if (producer_replace_pending_) {
        producer_replace_pending_ = false;
        producer_->close(ctx);
        producer_.reset();
        make_producer(ctx);
    }
    if (abort_pending_ && producer_) {
        abort_pending_ = false;
        producer_->abort_transaction(ctx);
    }
    if (eos_v1()) task_producers_after_event(ctx);
    if (rejoin_pending_ && consumer_) {
        rejoin_pending_ = false;
        consumer_->rejoin_as_new_member("the stream thread lost its tasks", ctx);
    }
    if (assigned_standbys_) apply_standbys(ctx);
    check_restores(ctx);
    if (committing_ && !spec_.streams.exactly_once()) alos_commit_step(ctx);
    if (spec_.streams.exactly_once() && consumer_ && consumer_->rejoin_held()) {
        if (!closing_offsets_.empty() && !committing_) commit(ctx);  // the revocation's commit
        if (release_rejoin_ || (closing_offsets_.empty() && committing_closing_.empty())) {
            release_rejoin_ = false;
            consumer_->hold_rejoin(false, ctx);
        }
    }
    release_rejoin_ = false;
    update_pause(ctx);
}

// ------------------------------------------------------------------------------ forwarded events

void StreamsInstance::on_send(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count) {
    if (events_) events_->on_send(client, t, tp, first_seq, count);
}

void StreamsInstance::on_ack(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                             int64_t base_offset) {
    if (events_) events_->on_ack(client, t, tp, first_seq, count, base_offset);
    if (client != consumer_ordinal_ && client != restore_ordinal_ && base_offset >= 0 && restore_) {  // a producer
        auto id = restore_->topic_id(spec_.changelog);
        if (id && *id == tp.topic_id) {
            int64_t& acked = changelog_acked_[tp.partition];
            acked = std::max(acked, base_offset + count);
        }
    }
}

void StreamsInstance::on_error(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                               Error error, bool final) {
    if (events_) events_->on_error(client, t, tp, first_seq, count, error, final);
}

void StreamsInstance::on_poll(uint32_t client, sim::Time t, TopicPartition tp, const RecordBatch& batch,
                              int64_t first_offset, int32_t count) {
    if (client == restore_ordinal_) {
        // A standby task applies what it reads as it comes (StandbyTask.update); a restoring
        // task's StoreChangelogReader puts the changelog's records into its store as they are.
        if (auto sb = standbys_.find(tp.partition); sb != standbys_.end() && !tasks_.contains(tp.partition)) {
            apply_changelog(sb->second.store, batch, first_offset, count);
            sb->second.position = first_offset + count;
            return;
        }
        auto it = tasks_.find(tp.partition);
        if (it != tasks_.end() && it->second.state == TaskState::restoring)
            apply_changelog(it->second.store, batch, first_offset, count);
        return;
    }
    if (events_) events_->on_poll(client, t, tp, batch, first_offset, count);
    if (client == consumer_ordinal_) process(tp, batch, first_offset, count);
}

void StreamsInstance::on_assignment(uint32_t client, sim::Time t, int32_t generation,
                                    const std::vector<TopicPartition>& partitions) {
    if (client != consumer_ordinal_) return;
    if (events_) events_->on_assignment(client, t, generation, partitions);
    if (ctx_ == nullptr) return;
    if (generation < 0 && partitions.empty() && !tasks_.empty()) {
        // onPartitionsLost: the generation is gone, so nothing of the tasks can be committed.
        // Under exactly-once their work is in the open transaction, which is aborted; the
        // consumer is already joining again as a new member.
        lose_all_tasks("lost", Error::unknown_member_id, *ctx_, /*rejoin=*/false);
        if (spec_.streams.exactly_once()) abort_pending_ = true;
        return;
    }
    update_tasks(partitions, *ctx_);
}

void StreamsInstance::on_commit(uint32_t client, sim::Time t, int32_t generation, TopicPartition tp, int64_t offset) {
    if (events_) events_->on_commit(client, t, generation, tp, offset);
    if (client == consumer_ordinal_ && awaiting_offsets_) offsets_acked_ = true;
}

void StreamsInstance::on_commit_failed(uint32_t client, sim::Time t, int32_t generation, Error error) {
    if (events_) events_->on_commit_failed(client, t, generation, error);
    if (client != consumer_ordinal_ || !awaiting_offsets_) return;
    // CommitFailedException: the group moved on; the records since the last commit will be
    // processed again by whoever owns them now (at_least_once).
    awaiting_offsets_ = false;
    committing_ = false;
}

void StreamsInstance::on_txn_begin(uint32_t client, sim::Time t, uint32_t txn, int64_t producer_id, int16_t epoch) {
    if (events_) events_->on_txn_begin(client, t, txn, producer_id, epoch);
}

void StreamsInstance::on_txn_records(uint32_t client, uint32_t txn, TopicPartition tp, uint32_t first_seq,
                                     int32_t count) {
    if (events_) events_->on_txn_records(client, txn, tp, first_seq, count);
}

void StreamsInstance::on_txn_end(uint32_t client, sim::Time t, uint32_t txn, TxnOutcome outcome, Error error) {
    if (events_) events_->on_txn_end(client, t, txn, outcome, error);
}

// ------------------------------------------------------------------------------ tasks

std::optional<TopicPartition> StreamsInstance::changelog_tp(int32_t partition) const {
    if (!restore_) return std::nullopt;
    auto id = restore_->topic_id(spec_.changelog);
    if (!id) return std::nullopt;
    return TopicPartition{*id, partition};
}

// The consumer's new assignment: tasks it lost are closed, new ones start restoring.
void StreamsInstance::update_tasks(const std::vector<TopicPartition>& owned, Context& ctx) {
    std::set<int32_t> now;
    for (const TopicPartition& tp : owned) {
        now.insert(tp.partition);
        source_topic_ = tp.topic_id;
    }
    std::vector<int32_t> gone;
    for (const auto& [p, t] : tasks_)
        if (!now.contains(p)) gone.push_back(p);
    for (int32_t p : gone) close_task(p, true, "revoked", ctx);
    // onPartitionsRevoked under exactly-once commits the revoked tasks (the thread's whole
    // transaction) before it returns, and the rejoin waits for it: the new owner must find
    // their offsets committed, or pending in this transaction (UNSTABLE_OFFSET_COMMIT), when it
    // fetches them.
    if (spec_.streams.exactly_once() && !closing_offsets_.empty()) consumer_->hold_rejoin(true, ctx);
    for (int32_t p : now) {
        if (tasks_.contains(p)) continue;
        Task& task = tasks_[p];
        if (eos_v1()) {
            // The task's producer fences the previous owner's (initTransactions); the task's
            // store is restored and its committed offset read after that: the previous owner's
            // last transaction has ended by then.
            if (task_producer(p) == nullptr) make_task_producer(p, ctx);
            if (!task_producer_ready(p)) {
                task.state = TaskState::initializing;
                if (offset_fetch_held_.insert(p).second)
                    consumer_->hold_offset_fetch({GroupPartition{spec_.source, p}}, true, ctx);
                continue;
            }
        }
        start_restore(p, task, ctx);
    }
    assign_restores(ctx);
}

void StreamsInstance::start_restore(int32_t partition, Task& task, Context& ctx) {
    task.state = TaskState::restoring;
    task.restore_since = ctx.now();
    task.store.clear();
    task.restore_from = -1;  // the start of the changelog
    if (auto sb = standbys_.find(partition); sb != standbys_.end()) {
        // The task ran as a standby here: its store is current up to the standby's position,
        // and the restore reads only the rest (the restore consumer goes on from there).
        task.store = std::move(sb->second.store);
        task.restore_from = sb->second.position;
        standbys_.erase(sb);
        if (spec_.streams.exactly_once()) ctx.disk().remove(checkpoint_file(partition));
        emit(ctx, task_id(partition), "restoring", std::max<int64_t>(0, task.restore_from), -1, "from its standby");
        return;
    }
    read_checkpoint(ctx, partition, spec_.streams.exactly_once(), task.store, task.restore_from);
    emit(ctx, task_id(partition), "restoring", std::max<int64_t>(0, task.restore_from), -1,
         task.restore_from < 0 ? "no checkpoint" : "from its checkpoint");
}

void StreamsInstance::assign_restores(Context& ctx) {
    if (!restore_) return;
    std::vector<std::pair<GroupPartition, int64_t>> wanted;
    for (const auto& [p, t] : tasks_)
        if (t.state == TaskState::restoring) wanted.emplace_back(GroupPartition{spec_.changelog, p}, t.restore_from);
    for (const auto& [p, s] : standbys_)
        if (!tasks_.contains(p)) wanted.emplace_back(GroupPartition{spec_.changelog, p}, s.position);
    std::sort(wanted.begin(), wanted.end());
    restore_->assign(wanted, ctx);
}

void StreamsInstance::check_restores(Context& ctx) {
    bool changed = false;
    for (auto& [p, task] : tasks_) {
        if (task.state != TaskState::restoring) continue;
        auto tp = changelog_tp(p);
        if (!tp) continue;
        const auto answered = restore_->end_offset_time(*tp);
        const int64_t end = restore_->end_offset(*tp);
        const int64_t pos = restore_->position(*tp);
        if (!answered || *answered < task.restore_since || end < 0 || pos < 0 || pos < end) continue;
        task.state = TaskState::running;
        changed = true;
        emit(ctx, task_id(p), "running", pos);
    }
    if (changed) assign_restores(ctx);
}

void StreamsInstance::close_task(int32_t partition, bool clean, const char* why, Context& ctx) {
    auto it = tasks_.find(partition);
    if (it == tasks_.end()) return;
    Task& task = it->second;
    if (clean && task.state == TaskState::running) {
        // Suspend and commit (onPartitionsRevoked): the offsets go into the next commit. The
        // store is checkpointed only when nothing of it is uncommitted.
        if (task.uncommitted && task.next_offset >= 0) closing_offsets_[partition] = task.next_offset;
        if (!task.uncommitted)
            write_checkpoint(ctx, partition, task.store,
                             changelog_acked_.contains(partition) ? changelog_acked_[partition] : 0);
    }
    if (!clean && spec_.streams.exactly_once()) ctx.disk().remove(checkpoint_file(partition));
    // EOS v1: the task's producer is closed with it, after the task's last commit if one is due.
    if (eos_v1()) {
        close_task_producer(partition, ctx);
        if (!clean)
            for (auto& p : task_producers_)
                if (p->partition == partition && p->committing) {
                    p->committing = false;
                    --task_commits_pending_;
                }
    }
    emit(ctx, task_id(partition), clean ? "closed" : "closed dirty", -1, -1, why);
    tasks_.erase(it);
}

// TaskMigratedException / TaskCorruptedException: every task is closed dirty and the consumer
// rejoins as a new member (TaskManager.handleLostAll, then the thread's next poll rejoins).
void StreamsInstance::lose_all_tasks(const char* action, Error error, Context& ctx, bool rejoin) {
    emit(ctx, "", action, -1, -1, error_name(error));
    std::vector<int32_t> all;
    for (const auto& [p, t] : tasks_) all.push_back(p);
    for (int32_t p : all) close_task(p, false, action, ctx);
    closing_offsets_.clear();
    committing_closing_.clear();
    committing_ = false;
    task_commits_pending_ = 0;
    for (auto& p : task_producers_) {
        p->closing = true;  // closed dirty: the next owner's initTransactions() aborts what is open
        p->committing = false;
    }
    awaiting_offsets_ = false;
    offsets_acked_ = false;
    rejoin_pending_ = rejoin;
    release_rejoin_ = true;
    assign_restores(ctx);
}

// ------------------------------------------------------------------------------ processing

bool StreamsInstance::producer_ready() const { return producer_ && producer_->ready_for_application(); }

void StreamsInstance::update_pause(Context& ctx) {
    if (!consumer_) return;
    const bool pause_all = !active_ || committing_ || (!eos_v1() && !producer_ready()) || rejoin_pending_;
    if (pause_all != delivery_paused_) {
        delivery_paused_ = pause_all;
        consumer_->pause_delivery(pause_all, ctx);
    }
    std::set<int32_t> restoring;  // ... or, under EOS v1, waiting for the task's producer
    for (const auto& [p, t] : tasks_)
        if (t.state != TaskState::running || (eos_v1() && !task_producer_ready(p))) restoring.insert(p);
    if (restoring == paused_partitions_ || source_topic_ == 0) return;
    std::vector<TopicPartition> pause, resume;
    for (int32_t p : restoring)
        if (!paused_partitions_.contains(p)) pause.push_back(TopicPartition{source_topic_, p});
    for (int32_t p : paused_partitions_)
        if (!restoring.contains(p)) resume.push_back(TopicPartition{source_topic_, p});
    if (!pause.empty()) consumer_->pause_partitions(pause, true, ctx);
    if (!resume.empty()) consumer_->pause_partitions(resume, false, ctx);
    paused_partitions_ = std::move(restoring);
}

void StreamsInstance::process(TopicPartition tp, const RecordBatch& batch, int64_t first_offset, int32_t count) {
    auto it = tasks_.find(tp.partition);
    if (it == tasks_.end() || it->second.state != TaskState::running || ctx_ == nullptr) return;
    Task& task = it->second;
    Context& ctx = *ctx_;
    ProducerClient* producer = producer_for(tp.partition);
    if (producer == nullptr) return;
    const int64_t skip = first_offset - batch.base_offset;
    for (int32_t i = 0; i < count; ++i) {
        const auto idx = static_cast<size_t>(skip + i);
        const int32_t key = batch.contents ? batch.contents->key(idx) : -1;
        task.next_offset = first_offset + i + 1;
        task.uncommitted = true;
        ++records_processed_;
        // groupByKey drops a null key; the filter keeps key-0 .. key-(n-1).
        if (key < 0 || (spec_.keys_below && key >= *spec_.keys_below)) continue;
        const int64_t count_now = ++task.store[key];
        const RecordOrigin origin{batch.client, tp.partition, batch.first_seq + static_cast<uint32_t>(skip + i)};
        producer->send(1, tp.partition, key, count_now, origin, ctx);  // the store's changelog
        // The default partitioner: murmur2 of the key's bytes (cached for the first million keys).
        int32_t out = -1;
        const auto k = static_cast<size_t>(key);
        if (k < (size_t{1} << 20)) {
            if (k >= sink_partition_.size()) sink_partition_.resize(k + 1, -1);
            out = sink_partition_[k];
        }
        if (out < 0) out = partition_for_key("key-" + std::to_string(key), spec_.sink_partitions);
        if (k < sink_partition_.size()) sink_partition_[k] = out;
        producer->send(0, out, key, count_now, origin, ctx);  // to(sink)
    }
}

// ------------------------------------------------------------------------------ commit

void StreamsInstance::commit(Context& ctx) {
    if (committing_ || (!producer_ && !eos_v1()) || !consumer_) return;
    bool work = !closing_offsets_.empty();
    for (const auto& [p, t] : tasks_) work = work || t.uncommitted;
    if (!work) return;
    if (eos_v1()) return commit_v1(ctx);
    if (spec_.streams.exactly_once()) {
        if (!producer_ready()) return;
        std::map<TopicPartition, int64_t> offsets;
        for (const auto& [p, t] : tasks_)
            if (t.uncommitted && t.next_offset >= 0) offsets[TopicPartition{source_topic_, p}] = t.next_offset;
        for (const auto& [p, o] : closing_offsets_) offsets[TopicPartition{source_topic_, p}] = o;
        committing_closing_ = std::move(closing_offsets_);
        closing_offsets_.clear();
        std::vector<OffsetCommitRequest::PartitionData> named;
        for (const auto& [tp, o] : offsets)
            named.push_back(OffsetCommitRequest::PartitionData{GroupPartition{spec_.source, tp.partition}, o, -1});
        producer_->send_offsets_to_transaction(spec_.streams.application_id, consumer_->generation(),
                                               consumer_->member_id(), named, ctx);
        producer_->commit_transaction(ctx);
        committing_ = true;
        return;
    }
    committing_closing_ = std::move(closing_offsets_);
    closing_offsets_.clear();
    committing_ = true;  // at_least_once: flush, then commit the offsets (alos_commit_step)
    flushed_ = false;
    producer_->flush(ctx);
}

void StreamsInstance::alos_commit_step(Context& ctx) {
    if (offsets_acked_) {
        offsets_acked_ = false;
        awaiting_offsets_ = false;
        commit_done(ctx);
        return;
    }
    if (awaiting_offsets_ || !flushed_) return;  // flush(): every record sent so far answered
    flushed_ = false;
    if (!consumer_->commit_positions(ctx)) {
        // Nothing new to commit, or no coordinator / mid-rebalance (the next interval tries again).
        if (consumer_->positions_committed()) commit_done(ctx);
        else committing_ = false;
        return;
    }
    awaiting_offsets_ = true;
}

void StreamsInstance::commit_done(Context& ctx) {
    committing_ = false;
    ++commits_;
    committing_closing_.clear();
    if (!spec_.streams.exactly_once())
        for (const auto& [p, s] : standbys_)
            if (!tasks_.contains(p) && s.position >= 0)
                write_checkpoint(ctx, p, s.store, s.position);
    for (auto& [p, t] : tasks_) {
        t.uncommitted = false;
        // at_least_once writes the checkpoint after every commit.
        if (!spec_.streams.exactly_once())
            write_checkpoint(ctx, p, t.store, changelog_acked_.contains(p) ? changelog_acked_[p] : 0);
    }
    emit(ctx, "", "committed");
}

void StreamsInstance::on_transaction_completed(bool committed, Error error, Context& ctx) {
    if (committed) {
        commit_done(ctx);
        return;
    }
    emit(ctx, "", "aborted", -1, -1, error_name(error));
    const bool migrated = error == Error::illegal_generation || error == Error::unknown_member_id ||
                          error == Error::fenced_instance_id;
    lose_all_tasks(migrated ? "migrated" : "corrupted", error, ctx);
}

void StreamsInstance::on_flushed(Context&) { flushed_ = true; }

void StreamsInstance::on_transaction_abortable(Error, Context&) {
    // The application's side of an abortable error: abortTransaction(), then (on_transaction_completed)
    // the tasks are closed dirty.
    abort_pending_ = true;
}

void StreamsInstance::on_producer_fatal(Error error, Context& ctx) {
    // ProducerFencedException / InvalidProducerEpochException: TaskMigrated. Under EOS v2 the
    // thread's producer is replaced by a new one with the same transactional.id (its
    // InitProducerId fences whatever the old epoch left open).
    lose_all_tasks("migrated", error, ctx);
    producer_replace_pending_ = true;
}

// ------------------------------------------------------------------------------ standby tasks

std::string StreamsInstance::subscription_user_data() {
    std::set<int32_t> active, standby;
    for (const auto& [p, t] : tasks_) active.insert(p);
    for (const auto& [p, s] : standbys_)
        if (!tasks_.contains(p)) standby.insert(p);
    return "active=" + task_list(active) + ";standby=" + task_list(standby);
}

// The leader places num.standby.replicas standbys of each task on members other than the one
// running it (or giving it up this round), those holding its state first, then the least
// loaded (AssignorConfiguration / ClientTagAwareStandbyTaskAssignor without tags).
std::map<std::string, std::string> StreamsInstance::assignment_user_data(
    const std::vector<std::pair<std::string, std::vector<GroupPartition>>>& assignment,
    const std::vector<JoinGroupResponse::Member>& members) {
    const size_t n = members.size();
    std::vector<std::set<int32_t>> active(n), held(n), standby(n);
    std::map<std::string, size_t> index;
    for (size_t i = 0; i < n; ++i) {
        index[members[i].member_id] = i;
        held[i] = field_of(members[i].subscription.user_data, "standby");
        for (int32_t p : field_of(members[i].subscription.user_data, "active")) {
            active[i].insert(p);  // still running it (a cooperative move is revoked first)
            held[i].insert(p);
        }
    }
    for (const auto& [member, parts] : assignment)
        if (auto it = index.find(member); it != index.end())
            for (const GroupPartition& gp : parts)
                if (gp.topic == spec_.source) active[it->second].insert(gp.partition);
    for (int32_t task = 0; task < spec_.source_partitions; ++task) {
        std::vector<size_t> candidates;
        for (size_t i = 0; i < n; ++i)
            if (!active[i].contains(task)) candidates.push_back(i);
        std::stable_sort(candidates.begin(), candidates.end(), [&](size_t a, size_t b) {
            const bool ha = held[a].contains(task), hb = held[b].contains(task);
            if (ha != hb) return ha;
            return standby[a].size() + active[a].size() < standby[b].size() + active[b].size();
        });
        const auto replicas = static_cast<size_t>(std::max(0, spec_.streams.num_standby_replicas));
        for (size_t k = 0; k < candidates.size() && k < replicas; ++k) standby[candidates[k]].insert(task);
    }
    std::map<std::string, std::string> out;
    for (size_t i = 0; i < n; ++i) out[members[i].member_id] = "standby=" + task_list(standby[i]);
    return out;
}

void StreamsInstance::on_assignment_user_data(const std::string& user_data) {
    assigned_standbys_ = field_of(user_data, "standby");
}

// The standby tasks of the last assignment: new ones start from their checkpoint (at_least_once)
// or from the start of the changelog; those no longer assigned close (a task that became
// active here took its standby's store already, or takes it when its restore starts).
void StreamsInstance::apply_standbys(Context& ctx) {
    const std::set<int32_t> wanted = std::move(*assigned_standbys_);
    assigned_standbys_.reset();
    bool changed = false;
    for (auto it = standbys_.begin(); it != standbys_.end();) {
        const int32_t p = it->first;
        if (wanted.contains(p) || tasks_.contains(p)) {
            ++it;
            continue;
        }
        if (!spec_.streams.exactly_once() && it->second.position >= 0)
            write_checkpoint(ctx, p, it->second.store, it->second.position);
        emit(ctx, task_id(p), "standby closed");
        it = standbys_.erase(it);
        changed = true;
    }
    for (int32_t p : wanted) {
        if (standbys_.contains(p) || tasks_.contains(p)) continue;
        StandbyTask& s = standbys_[p];
        read_checkpoint(ctx, p, spec_.streams.exactly_once(), s.store, s.position);
        emit(ctx, task_id(p), "standby", std::max<int64_t>(0, s.position), -1,
             s.position < 0 ? "no checkpoint" : "from its checkpoint");
        changed = true;
    }
    if (changed) assign_restores(ctx);
}

}  // namespace kafka

