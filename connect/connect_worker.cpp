#include "connect/connect_worker.hpp"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <utility>

#include "clients/client_timer.hpp"
#include "clients/murmur2.hpp"

namespace kafka::connect {

namespace {

using nlohmann::json;

// Timer kinds and correlation ids of the embedded clients (client_embedding.hpp): the worker's
// own kinds are below 32.
constexpr uint64_t member_timer_base = 32;
constexpr uint64_t reader_timer_base = 64;
constexpr uint64_t writer_timer_base = 96;
constexpr uint64_t task_producer_timer_base = 128;
constexpr uint64_t task_consumer_timer_base = 160;
constexpr int32_t reader_corr_base = 1 << 26;
constexpr int32_t writer_corr_base = 2 << 26;
constexpr int32_t rest_corr_base = 3 << 26;
constexpr int32_t task_corr_base = 4 << 26;
constexpr int32_t task_corr_range = 1 << 20;
constexpr int32_t dlq_corr_offset = 1 << 19;  // a sink task's dead letter queue producer: the upper half
constexpr uint32_t task_slots = 1000;

enum InternalTopic : int { config_topic = 0, offsets_topic = 1, status_topic = 2 };

int32_t correlation_of(const Message& msg) {
    return std::visit(
        [](const auto& m) -> int32_t {
            if constexpr (requires { m.correlation_id; }) return static_cast<int32_t>(m.correlation_id);
            else return 0;
        },
        msg);
}

std::string join_names(const std::vector<std::string>& names) {
    std::string out;
    for (const auto& n : names) out += (out.empty() ? "" : ",") + n;
    return out;
}

std::string join_tasks(const std::vector<ConnectorTaskId>& tasks) {
    std::string out;
    for (const auto& t : tasks) out += (out.empty() ? "" : ",") + t.text();
    return out;
}

std::optional<int32_t> parse_int(std::string_view s) {
    int32_t v = 0;
    const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc{} || ptr != s.data() + s.size()) return std::nullopt;
    return v;
}

json config_json(const ConnectorConfig& c) {
    json j = json::object();
    for (const auto& [k, v] : c) j[k] = v;
    return j;
}

std::optional<ConnectorConfig> config_from_json(const json& j) {
    if (!j.is_object()) return std::nullopt;
    ConnectorConfig c;
    for (const auto& [k, v] : j.items()) {
        if (v.is_string()) c[k] = v.get<std::string>();
        else if (v.is_number_integer()) c[k] = std::to_string(v.get<int64_t>());
        else if (v.is_boolean()) c[k] = v.get<bool>() ? "true" : "false";
        else if (!v.is_null()) c[k] = v.dump();
    }
    return c;
}

// j[key] when j is an object holding a value of T's kind there, else the fallback: records of the
// internal topics and REST bodies are read without trusting their shape.
template <class T>
T field_or(const json& j, const char* key, T fallback) {
    if (!j.is_object()) return fallback;
    auto it = j.find(key);
    if (it == j.end()) return fallback;
    if constexpr (std::is_same_v<T, std::string>) return it->is_string() ? it->template get<std::string>() : fallback;
    else if constexpr (std::is_same_v<T, json>) return *it;
    else return it->is_number_integer() ? it->template get<T>() : fallback;
}

// HerderRequestHandler's 409 for work that is moving (ConnectRestException with CONFLICT).
constexpr const char* conflict_message = "Cannot complete request because of a conflicting operation (e.g. worker rebalance)";

std::string error_body(int32_t status, const std::string& message) {
    return json{{"error_code", status}, {"message", message}}.dump();
}

// "/connectors/a/status?expand=x" -> {"connectors","a","status"} and the query.
std::vector<std::string> path_parts(const std::string& path, std::string& query) {
    std::string p = path;
    if (auto q = p.find('?'); q != std::string::npos) {
        query = p.substr(q + 1);
        p = p.substr(0, q);
    }
    std::vector<std::string> out;
    size_t start = 0;
    while (start < p.size()) {
        size_t end = p.find('/', start);
        if (end == std::string::npos) end = p.size();
        if (end > start) out.push_back(p.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

bool query_flag(const std::string& query, const std::string& name) {
    return query.find(name + "=true") != std::string::npos;
}

}  // namespace

WorkerSpec resolve_client_configs(WorkerSpec spec, const VersionProfile& profile) {
    // Worker.baseProducerConfigs: acks=all, one request in flight, retries without end.
    ConfigMap producer{{"acks", int64_t{-1}},
                       {"max.in.flight.requests.per.connection", int64_t{1}},
                       {"delivery.timeout.ms", int64_t{2147483647}},
                       {"enable.idempotence", false},
                       {"linger.ms", int64_t{0}}};
    spec.task_producer = ProducerConfig::from(profile, producer);
    // Worker.baseConsumerConfigs: no auto commit, from the earliest offset.
    spec.task_consumer = ConsumerConfig::from(
        profile, {{"enable.auto.commit", false}, {"auto.offset.reset", std::string("earliest")}});
    // KafkaBasedLog: the internal producer writes with acks=all and keeps order (one in flight).
    spec.internal_producer = ProducerConfig::from(profile, producer);
    ConfigMap internal_consumer{{"enable.auto.commit", false}, {"auto.offset.reset", std::string("earliest")}};
    // Exactly-once source: offsets are read as committed (KafkaOffsetBackingStore, read_committed).
    if (spec.exactly_once_source) internal_consumer["isolation.level"] = std::string("read_committed");
    spec.internal_consumer = ConsumerConfig::from(profile, internal_consumer);
    spec.member = ConsumerConfig::from(profile, {{"session.timeout.ms", spec.config.session_timeout_ms},
                                                 {"heartbeat.interval.ms", spec.config.heartbeat_interval_ms},
                                                 {"enable.auto.commit", false}});
    return spec;
}

int32_t worker_of_url(const std::string& url) {
    const std::string prefix = "http://connect-";
    if (url.rfind(prefix, 0) != 0) return -1;
    const size_t colon = url.find(':', prefix.size());
    if (colon == std::string::npos) return -1;
    return parse_int(std::string_view(url).substr(prefix.size(), colon - prefix.size())).value_or(-1);
}

ConnectWorker::ConnectWorker(WorkerSpec spec, const ClusterDirectory& dir, ClientEvents* events,
                             ClientRegistry* registry, ExternalSystems* external, int life)
    : spec_(std::move(spec)), dir_(&dir), events_(events), registry_(registry), external_(external), life_(life) {}

ConnectWorker::~ConnectWorker() = default;

// ------------------------------------------------------------------------------ inspection

bool ConnectWorker::is_leader() const {
    return member_ && assignment_ && !member_->member_id().empty() && assignment_->leader == member_->member_id();
}

int32_t ConnectWorker::generation() const { return member_ ? member_->generation() : -1; }

std::vector<std::string> ConnectWorker::running_connectors() const {
    std::vector<std::string> out;
    for (const auto& [name, state] : connectors_) out.push_back(name);
    return out;
}

std::vector<ConnectorTaskId> ConnectWorker::running_tasks() const {
    std::vector<ConnectorTaskId> out;
    for (const auto& [id, t] : tasks_) out.push_back(id);
    return out;
}

std::vector<std::string> ConnectWorker::known_connectors() const {
    std::vector<std::string> out;
    for (const auto& [name, c] : configs_)
        if (c.has_config) out.push_back(name);
    return out;
}

std::vector<ConnectWorker::SinkConsumer> ConnectWorker::sink_consumers() const {
    std::vector<SinkConsumer> out;
    for (const auto& [id, t] : tasks_)
        if (t->consumer && !t->stopping) out.push_back(SinkConsumer{t->consumer_ordinal, t->consumer.get(), "connect-" + id.connector});
    return out;
}

std::map<std::string, int32_t> ConnectWorker::connector_task_counts() const {
    std::map<std::string, int32_t> out;
    for (const auto& [name, c] : configs_)
        if (c.has_config) out[name] = static_cast<int32_t>(c.task_configs.size());
    return out;
}

const ConnectorConfig* ConnectWorker::connector_config(const std::string& name) const {
    auto it = configs_.find(name);
    return it == configs_.end() || !it->second.has_config ? nullptr : &it->second.config;
}

std::optional<std::string> ConnectWorker::status_json(const std::string& connector) const {
    auto it = configs_.find(connector);
    if (it == configs_.end() || !it->second.has_config) return std::nullopt;
    const ConnectorPlugin* plugin = find_plugin(config_value(it->second.config, "connector.class"));
    json out;
    out["name"] = connector;
    json c = json::object();
    if (auto s = statuses_.find("status-connector-" + connector); s != statuses_.end()) {
        c["state"] = s->second.state;
        c["worker_id"] = s->second.worker_id;
        if (!s->second.trace.empty()) c["trace"] = s->second.trace;
    } else {
        c["state"] = "UNASSIGNED";
        c["worker_id"] = spec_.worker_id();
    }
    out["connector"] = c;
    json tasks = json::array();
    for (size_t i = 0; i < it->second.task_configs.size(); ++i) {
        json t;
        t["id"] = i;
        if (auto s = statuses_.find("status-task-" + connector + "-" + std::to_string(i)); s != statuses_.end()) {
            t["state"] = s->second.state;
            t["worker_id"] = s->second.worker_id;
            if (!s->second.trace.empty()) t["trace"] = s->second.trace;
        } else {
            t["state"] = "UNASSIGNED";
            t["worker_id"] = spec_.worker_id();
        }
        tasks.push_back(t);
    }
    out["tasks"] = tasks;
    if (plugin) out["type"] = to_string(plugin->type);
    return out.dump();
}

std::string ConnectWorker::connector_info_json(const std::string& name) const {
    const ConnectorState& c = configs_.at(name);
    json tasks = json::array();
    for (size_t i = 0; i < c.task_configs.size(); ++i) tasks.push_back(json{{"connector", name}, {"task", i}});
    const ConnectorPlugin* plugin = find_plugin(config_value(c.config, "connector.class"));
    json out{{"name", name}, {"config", config_json(c.config)}, {"tasks", tasks}};
    if (plugin) out["type"] = to_string(plugin->type);
    return out.dump();
}

void ConnectWorker::emit_status(Context& ctx, const std::string& connector, int32_t task, const std::string& state,
                                std::string detail) {
    ctx.emit(ConnectStatus{.connector = connector,
                           .task = task,
                           .state = state,
                           .worker = spec_.worker_id(),
                           .generation = generation(),
                           .detail = std::move(detail)});
}

// ------------------------------------------------------------------------------ lifecycle

void ConnectWorker::on_start(Context& ctx) {
    ctx_ = &ctx;
    // The process starts on a timer, so that what it does first is told like everything else.
    ctx.set_timer(spec_.from > ctx.now() ? spec_.from - ctx.now() : sim::Duration{}, client_timer::tag(timer_start));
}

void ConnectWorker::activate(Context& ctx) {
    active_ = true;
    const std::string base = spec_.node_name() + (life_ > 1 ? " (life " + std::to_string(life_) + ")" : "");
    ClientEvents* events = this;
    const std::vector<std::string> internal = {spec_.config.config_storage_topic, spec_.config.offset_storage_topic,
                                               spec_.config.status_storage_topic};
    if (spec_.distributed) {
        // The internal topics: read from the start (KafkaBasedLog), written with acks=all.
        reader_ordinal_ = registry_->register_client(base + " internal-reader");
        log_reader_ = std::make_unique<ConsumerClient>(reader_ordinal_, internal, spec_.internal_consumer,
                                                       std::nullopt, ctx.now(), sim::time_never, *dir_, events,
                                                       std::nullopt, ClientEmbedding{reader_timer_base, reader_corr_base});
        ConsumerClient::ApplicationMode reader_mode;
        reader_mode.manual_assignment = true;
        log_reader_->set_application_mode(reader_mode);
        writer_ordinal_ = registry_->register_client(base + " internal-writer");
        WorkloadSpec w;
        w.application_driven = true;
        log_writer_ = std::make_unique<ProducerClient>(writer_ordinal_, internal, spec_.internal_producer, w, *dir_,
                                                       events, ClientEmbedding{writer_timer_base, writer_corr_base});
        log_writer_->set_application(this);
        // The group membership (WorkerGroupMember): protocol type "connect", the worker's
        // sub-protocols in preference order.
        member_ordinal_ = registry_->register_client(base + " group-member");
        member_ = std::make_unique<ConsumerClient>(member_ordinal_, std::vector<std::string>{}, spec_.member,
                                                   std::nullopt, ctx.now(), sim::time_never, *dir_, events,
                                                   spec_.config.group_id, ClientEmbedding{member_timer_base, 1});
        ConsumerClient::ApplicationMode mode;
        mode.explicit_commits = true;
        mode.assignment_extension = this;
        const ConnectProtocol top =
            protocol_from_config(spec_.config.connect_protocol).value_or(ConnectProtocol::eager);
        for (int p = static_cast<int>(top); p >= 0; --p)
            mode.group_protocols.push_back(protocol_name(static_cast<ConnectProtocol>(p)));
        mode.client_id = "connect-" + std::to_string(spec_.id);
        mode.rebalance_timeout_ms = spec_.config.rebalance_timeout_ms;
        member_->set_application_mode(mode);
        AssignorOptions options;
        options.protocol = top;
        options.scheduled_rebalance_max_delay_ms = spec_.config.scheduled_rebalance_max_delay_ms;
        options.zero_delay_reassigns_lost = spec_.features.zero_delay_reassigns_lost;
        options.revoking_rebalance_backoff = spec_.features.revoking_rebalance_backoff;
        assignor_ = std::make_unique<ConnectAssignor>(options);
        log_reader_->on_start(ctx);
        std::vector<std::pair<GroupPartition, int64_t>> from_start;
        from_start.push_back({GroupPartition{spec_.config.config_storage_topic, 0}, -1});
        for (int32_t p = 0; p < spec_.config.offset_storage_partitions; ++p)
            from_start.push_back({GroupPartition{spec_.config.offset_storage_topic, p}, -1});
        for (int32_t p = 0; p < spec_.config.status_storage_partitions; ++p)
            from_start.push_back({GroupPartition{spec_.config.status_storage_topic, p}, -1});
        log_reader_->assign(from_start, ctx);
        log_writer_->on_start(ctx);
        member_->on_start(ctx);
    } else {
        standalone_start(ctx);
    }
    flush_timer_ = ctx.set_timer(sim::milliseconds(std::max<int64_t>(1, spec_.config.offset_flush_interval_ms)),
                                 client_timer::tag(timer_offset_flush));
    after_event(ctx);
}

void ConnectWorker::on_message(sim::NodeId from, Message& msg, Context& ctx) {
    ctx_ = &ctx;
    if (!active_) return;
    if (auto* req = std::get_if<ConnectRestRequest>(&msg)) {
        handle_rest(from, *req, ctx);
    } else if (auto* failure = std::get_if<InjectedTaskFailure>(&msg)) {
        auto it = tasks_.find(ConnectorTaskId{failure->connector, failure->task});
        if (it != tasks_.end()) task_failed(*it->second, failure->error, ctx);
    } else if (auto* resp = std::get_if<ConnectRestResponse>(&msg)) {
        auto it = rest_calls_.find(resp->correlation_id);
        if (it != rest_calls_.end()) {
            RestCall call = std::move(it->second);
            rest_calls_.erase(it);
            ctx.cancel_timer(call.timer);
            if (!call.internal)
                ctx.send(call.from, ConnectRestResponse{call.their_corr, resp->status, resp->body});
        }
    } else {
        const int32_t corr = correlation_of(msg);
        if (corr >= task_corr_base) {
            const auto index = static_cast<uint32_t>((corr - task_corr_base) / task_corr_range);
            if (Task* t = task_by_index(index)) {
                const bool dlq_range = (corr - task_corr_base) % task_corr_range >= dlq_corr_offset;
                if (dlq_range && t->dlq) t->dlq->on_message(from, msg, ctx);
                else if (!dlq_range && t->producer) t->producer->on_message(from, msg, ctx);
                else if (!dlq_range && t->consumer) t->consumer->on_message(from, msg, ctx);
            }
        } else if (corr >= writer_corr_base) {
            if (log_writer_) log_writer_->on_message(from, msg, ctx);
        } else if (corr >= reader_corr_base) {
            if (log_reader_) log_reader_->on_message(from, msg, ctx);
        } else if (member_) {
            member_->on_message(from, msg, ctx);
        }
    }
    after_event(ctx);
}

void ConnectWorker::on_timer(uint64_t tag, Context& ctx) {
    ctx_ = &ctx;
    const uint64_t kind = client_timer::kind(tag);
    if (kind == timer_start && !active_) {
        activate(ctx);
        return;
    }
    if (!active_) return;
    if (kind >= task_consumer_timer_base) {
        if (Task* t = task_by_index(static_cast<uint32_t>(client_timer::slot(tag))); t && t->consumer)
            t->consumer->on_timer(tag, ctx);
    } else if (kind >= task_producer_timer_base) {
        if (Task* t = task_by_index(static_cast<uint32_t>(client_timer::slot(tag)))) {
            if (t->producer) t->producer->on_timer(tag, ctx);
            else if (t->dlq) t->dlq->on_timer(tag, ctx);
        }
    } else if (kind >= writer_timer_base) {
        if (log_writer_) log_writer_->on_timer(tag, ctx);
    } else if (kind >= reader_timer_base) {
        if (log_reader_) log_reader_->on_timer(tag, ctx);
    } else if (kind >= member_timer_base) {
        if (member_) member_->on_timer(tag, ctx);
    } else {
        switch (static_cast<TimerKind>(kind)) {
            case timer_task_poll:
                if (Task* t = task_by_index(static_cast<uint32_t>(client_timer::value(tag)))) {
                    t->poll_timer = sim::TimerId{};
                    poll_source(*t, ctx);
                }
                break;
            case timer_drain:
                if (Task* t = task_by_index(static_cast<uint32_t>(client_timer::value(tag)))) {
                    t->drain_timer = sim::TimerId{};
                    t->drained = true;  // task.shutdown.graceful.timeout.ms: stop waiting
                }
                break;
            case timer_sink_retry:
                if (Task* t = task_by_index(static_cast<uint32_t>(client_timer::value(tag)))) {
                    t->retry_timer = sim::TimerId{};
                    put_sink(*t, ctx);
                }
                break;
            case timer_offset_flush:
                flush_all(ctx);
                flush_timer_ = ctx.set_timer(
                    sim::milliseconds(std::max<int64_t>(1, spec_.config.offset_flush_interval_ms)),
                    client_timer::tag(timer_offset_flush));
                break;
            case timer_scheduled_rejoin:
                scheduled_rejoin_ = sim::TimerId{};
                if (member_) member_->rejoin("the scheduled rebalance delay expired", ctx);
                break;
            case timer_rest_timeout: {
                const auto corr = static_cast<int32_t>(client_timer::value(tag));
                auto it = rest_calls_.find(corr);
                if (it != rest_calls_.end()) {
                    RestCall call = std::move(it->second);
                    rest_calls_.erase(it);
                    // RestServer: 500 "Request timed out" after 90 s.
                    if (!call.internal)
                        ctx.send(call.from, ConnectRestResponse{call.their_corr, 500,
                                                                error_body(500, "Request timed out")});
                }
                break;
            }
            case timer_start:
            case timer_tick:
                break;
        }
    }
    after_event(ctx);
}

void ConnectWorker::on_disconnect(sim::NodeId peer, Context& ctx) {
    ctx_ = &ctx;
    if (!active_) return;
    if (member_) member_->on_disconnect(peer, ctx);
    if (log_reader_) log_reader_->on_disconnect(peer, ctx);
    if (log_writer_) log_writer_->on_disconnect(peer, ctx);
    for (auto& [id, t] : tasks_) {
        if (t->producer) t->producer->on_disconnect(peer, ctx);
        if (t->consumer) t->consumer->on_disconnect(peer, ctx);
        if (t->dlq) t->dlq->on_disconnect(peer, ctx);
    }
    for (auto& t : draining_)
        if (t->producer) t->producer->on_disconnect(peer, ctx);
    after_event(ctx);
}

// What callbacks asked for, once their client's handler has returned.
void ConnectWorker::after_event(Context& ctx) {
    if (!active_) return;
    if (stop_all_pending_) {
        stop_all_pending_ = false;
        stop_all(stop_all_reason_.c_str(), ctx);
    }
    if (received_) apply_assignment(ctx);
    check_coordinator(ctx);
    apply_target_states(ctx);
    // A connector whose config changed restarts and computes its task configs again; tasks
    // whose configs changed restart with the new ones (DistributedHerder.onTaskConfigUpdate).
    for (const std::string& name : std::exchange(reconfigured_, {})) {
        auto c = connectors_.find(name);
        if (c == connectors_.end()) continue;
        stop_connector(name, "reconfigured", ctx);
        start_connector(name, ctx);
    }
    for (const std::string& name : std::exchange(tasks_changed_, {})) {
        const auto& configs = configs_[name].task_configs;
        for (const auto& id : running_tasks()) {
            if (id.connector != name) continue;
            if (id.task >= static_cast<int32_t>(configs.size())) stop_task(id, "its connector has fewer tasks", ctx);
            else if (tasks_.at(id)->config != configs[static_cast<size_t>(id.task)]) restart_task(id, ctx);
        }
    }
    for (const RestartRequest& r : std::exchange(restart_requests_, {}))
        restart_instances(r.connector, r.include_tasks, r.only_failed, ctx);
    // A config change wants a rebalance (DistributedHerder: needsReconfigRebalance).
    if (member_ && rejoin_for_offset_ >= 0 && member_->stable_member() &&
        (!assignment_ || assignment_->config_offset < rejoin_for_offset_)) {
        rejoin_for_offset_ = -1;
        member_->rejoin("the connector configs changed", ctx);
    } else if (assignment_ && rejoin_for_offset_ >= 0 && assignment_->config_offset >= rejoin_for_offset_) {
        rejoin_for_offset_ = -1;
    }
    // Tasks waiting for their source offsets.
    for (auto& [id, t] : tasks_)
        if (t->type == ConnectorType::source && !t->offsets_loaded && t->state == "RUNNING") {
            // Exactly-once: the offsets are read (read_committed) only after initTransactions()
            // fenced the task's previous instance and ended its transaction.
            if (t->transactional && !t->initialized_at) continue;
            const sim::Time since = t->transactional ? *t->initialized_at : t->started_at;
            if (!spec_.distributed || caught_up(offsets_topic, since)) {
                load_source_offsets(*t);
                if (!t->poll_timer.valid())
                    t->poll_timer = ctx.set_timer(sim::Duration{}, client_timer::tag(timer_task_poll, t->index));
            }
        }
    for (auto& [id, t] : tasks_) {
        if (!t->close_pending) continue;
        t->close_pending = false;
        if (t->producer) t->producer->close(ctx);
        if (t->consumer) t->consumer->close(ctx);
        if (t->dlq) t->dlq->close(ctx);
    }
    for (auto& [id, t] : tasks_)
        if (t->abort_pending && t->producer && !t->stopping) {
            t->abort_pending = false;
            t->producer->abort_transaction(ctx);
        }
    finish_draining(ctx);
    drain_writes(ctx);
    retired_.clear();
}

void ConnectWorker::standalone_start(Context& ctx) {
    // StandaloneHerder: the connectors of the command line, configs and statuses in memory.
    read_offsets_file(ctx);
    for (const ConnectorSpec& c : spec_.connectors) {
        ConnectorState& s = configs_[c.name];
        s.config = c.config;
        s.has_config = true;
        const ConnectorPlugin* plugin = find_plugin(config_value(c.config, "connector.class"));
        if (plugin == nullptr) continue;
        s.task_configs = plugin->task_configs(c.config, tasks_max(c.config));
        start_connector(c.name, ctx);
        for (size_t i = 0; i < s.task_configs.size(); ++i)
            start_task(ConnectorTaskId{c.name, static_cast<int32_t>(i)}, ctx);
    }
}

// ------------------------------------------------------------------------------ the group

std::string ConnectWorker::subscription_user_data() {
    WorkerState s;
    s.url = spec_.url();
    s.config_offset = config_offset_;
    if (assignment_ && protocol_from_name(protocol_).value_or(ConnectProtocol::eager) != ConnectProtocol::eager) {
        s.connectors = running_connectors();
        s.tasks = running_tasks();
    } else if (protocol_.empty() && assignment_) {
        s.connectors = running_connectors();
        s.tasks = running_tasks();
    }
    return encode(s);
}

std::map<std::string, std::string> ConnectWorker::assignment_user_data(
    const std::vector<std::pair<std::string, std::vector<GroupPartition>>>&,
    const std::vector<JoinGroupResponse::Member>& members) {
    // The leader (WorkerCoordinator.onLeaderElected): every member's state, and the configs as
    // the leader has read them.
    std::map<std::string, WorkerState> states;
    for (const auto& m : members) {
        auto s = decode_worker_state(m.subscription.user_data);
        states[m.member_id] = s.value_or(WorkerState{});
    }
    ConfigSnapshot snapshot;
    snapshot.offset = config_offset_;
    for (const auto& [name, c] : configs_)
        if (c.has_config) snapshot.task_counts[name] = static_cast<int32_t>(c.task_configs.size());
    // The group may have fallen back to an older protocol (an older worker joined): the
    // assignor keeps its memory across, as Kafka's leader keeps both assignors.
    assignor_->set_protocol(protocol_from_name(member_->group_protocol()).value_or(ConnectProtocol::eager));
    std::map<std::string, std::string> out;
    const auto assignments = assignor_->assign(member_->member_id(), spec_.url(), snapshot, states,
                                               member_->generation(), last_completed_generation_, ctx_->now().ms());
    // Who runs what after this round (the leader sends restarts of an instance to its worker):
    // what each member runs, minus what it stops, plus what it gets (all of it, under eager).
    owners_.clear();
    task_owners_.clear();
    for (const auto& [member, a] : assignments) {
        const std::string& url = states[member].url;
        const bool eager = assignor_->options().protocol == ConnectProtocol::eager;
        if (!eager) {
            for (const auto& c : states[member].connectors)
                if (std::find(a.revoked_connectors.begin(), a.revoked_connectors.end(), c) == a.revoked_connectors.end())
                    owners_[c] = url;
            for (const auto& t : states[member].tasks)
                if (std::find(a.revoked_tasks.begin(), a.revoked_tasks.end(), t) == a.revoked_tasks.end())
                    task_owners_[t] = url;
        }
        for (const auto& c : a.connectors) owners_[c] = url;
        for (const auto& t : a.tasks) task_owners_[t] = url;
        out[member] = encode(a);
    }
    return out;
}

void ConnectWorker::on_assignment_user_data(const std::string& user_data) {
    auto a = decode_worker_assignment(user_data);
    if (!a) return;
    received_ = std::move(*a);
    protocol_ = member_->group_protocol();
    last_completed_generation_ = member_->generation();
}

void ConnectWorker::on_join_prepare(int32_t generation) {
    // WorkerCoordinator.onJoinPrepare: eager revokes everything; incremental cooperative keeps
    // its work unless the member lost its generation (then whatever it ran may run elsewhere).
    const bool eager = protocol_from_name(protocol_).value_or(ConnectProtocol::eager) == ConnectProtocol::eager;
    if (eager || generation < 0) {
        if (!connectors_.empty() || !tasks_.empty()) {
            stop_all_pending_ = true;
            stop_all_reason_ = eager ? "eager rebalance" : "the member lost its generation";
        }
    }
}

void ConnectWorker::check_coordinator(Context& ctx) {
    // WorkerCoordinator.poll (2.4+, KAFKA-9184): a worker that cannot find the group coordinator
    // within heartbeat.interval.ms revokes its whole assignment, so that it runs nothing while it
    // may no longer be a member (its work may already run elsewhere).
    if (!member_ || !spec_.features.self_revoke_when_coordinator_unreachable) return;
    if (member_->coordinator() != no_leader) {
        coordinator_unknown_since_.reset();
        return;
    }
    if (!coordinator_unknown_since_) {
        coordinator_unknown_since_ = ctx.now();
        ctx.set_timer(sim::milliseconds(spec_.config.heartbeat_interval_ms), client_timer::tag(timer_tick));
        return;
    }
    if (ctx.now() - *coordinator_unknown_since_ < sim::milliseconds(spec_.config.heartbeat_interval_ms)) return;
    if (!assignment_ || (connectors_.empty() && tasks_.empty())) return;
    ctx.emit(ConnectAssignment{.generation = member_->generation(),
                               .protocol = protocol_,
                               .leader = assignment_->leader,
                               .revoked = join_names(running_connectors()) +
                                          (connectors_.empty() || tasks_.empty() ? "" : ",") +
                                          join_tasks(running_tasks()),
                               .error = "COORDINATOR_UNREACHABLE"});
    stop_all("the group coordinator was unreachable", ctx);
    assignment_.reset();
    // WorkerCoordinator.rejoinNeededOrPending: a worker without an assignment rejoins as soon as
    // it finds the coordinator again.
    member_->rejoin("it revoked its work while the coordinator was unreachable", ctx);
}

void ConnectWorker::stop_all(const char* why, Context& ctx) {
    std::vector<ConnectorTaskId> tasks = running_tasks();
    for (const auto& id : tasks) stop_task(id, why, ctx);
    std::vector<std::string> connectors = running_connectors();
    for (const auto& c : connectors) stop_connector(c, why, ctx);
}

void ConnectWorker::apply_assignment(Context& ctx) {
    WorkerAssignment& a = *received_;
    ctx.emit(ConnectAssignment{.generation = member_->generation(),
                               .protocol = protocol_,
                               .leader = a.leader,
                               .connectors = join_names(a.connectors),
                               .tasks = join_tasks(a.tasks),
                               .revoked = join_names(a.revoked_connectors) +
                                          (a.revoked_connectors.empty() || a.revoked_tasks.empty() ? "" : ",") +
                                          join_tasks(a.revoked_tasks),
                               .delay_ms = a.delay_ms,
                               .error = a.error == WorkerAssignment::config_mismatch ? "CONFIG_MISMATCH" : ""});
    if (a.error == WorkerAssignment::config_mismatch) {
        // The leader was behind: read up to its offset, then rejoin.
        received_.reset();
        leader_url_.clear();
        member_->rejoin("the leader's config offset was behind", ctx);
        return;
    }
    // Catch up on the config topic before starting anything (DistributedHerder: the
    // assignment's offset must be read first).
    if (config_offset_ < a.config_offset) return;
    WorkerAssignment applied = std::move(a);
    received_.reset();
    leader_url_ = applied.leader_url;
    for (const auto& id : applied.revoked_tasks) stop_task(id, "revoked", ctx);
    for (const auto& c : applied.revoked_connectors) stop_connector(c, "revoked", ctx);
    for (const auto& c : applied.connectors)
        if (!connectors_.contains(c)) start_connector(c, ctx);
    for (const auto& id : applied.tasks)
        if (!tasks_.contains(id)) start_task(id, ctx);
    ctx.cancel_timer(scheduled_rejoin_);
    const bool revoked = !applied.revoked_connectors.empty() || !applied.revoked_tasks.empty();
    assignment_ = std::move(applied);
    if (revoked) {
        member_->rejoin("connectors or tasks were revoked", ctx);
    } else if (assignment_->delay_ms > 0) {
        scheduled_rejoin_ = ctx.set_timer(sim::milliseconds(assignment_->delay_ms), client_timer::tag(timer_scheduled_rejoin));
    }
}

// ------------------------------------------------------------------------------ client events

void ConnectWorker::on_send(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count) {
    if (events_) events_->on_send(client, t, tp, first_seq, count);
}

void ConnectWorker::on_ack(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                           int64_t base_offset) {
    if (events_) events_->on_ack(client, t, tp, first_seq, count, base_offset);
    Task* task = task_by_client(client);
    if (task == nullptr || !task->producer) return;
    // SubmittedRecords: mark the records acknowledged.
    for (auto& s : task->submitted) {
        if (s.partition != tp.partition) continue;
        if (s.seq >= first_seq && s.seq < first_seq + static_cast<uint32_t>(count)) s.acked = true;
    }
}

void ConnectWorker::on_error(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                             Error error, bool final) {
    if (events_) events_->on_error(client, t, tp, first_seq, count, error, final);
    if (!final) return;
    if (Task* task = task_by_client(client); task && task->producer && !task->stopping && ctx_)
        task_failed(*task, std::string("org.apache.kafka.connect.errors.ConnectException: Unrecoverable exception from producer send callback: ") +
                               error_name(error),
                    *ctx_);
}

void ConnectWorker::on_poll(uint32_t client, sim::Time t, TopicPartition tp, const RecordBatch& batch,
                            int64_t first_offset, int32_t count) {
    if (events_) events_->on_poll(client, t, tp, batch, first_offset, count);
    if (client == reader_ordinal_) {
        read_internal(tp, batch, first_offset, count);
        return;
    }
    Task* task = task_by_client(client);
    if (task == nullptr || !task->consumer) return;
    task->pending.push_back(PendingPut{tp, batch, first_offset, count});
    if (ctx_) put_sink(*task, *ctx_);
}

void ConnectWorker::on_assignment(uint32_t client, sim::Time t, int32_t generation,
                                  const std::vector<TopicPartition>& partitions) {
    if (events_) events_->on_assignment(client, t, generation, partitions);
    Task* task = task_by_client(client);
    if (task == nullptr || !task->consumer) return;
    // Partitions that left the assignment: what was put for them is committed by the consumer
    // (commit_on_revocation); forget them here.
    for (auto it = task->put_offsets.begin(); it != task->put_offsets.end();)
        it = std::find(partitions.begin(), partitions.end(), it->first) == partitions.end() ? task->put_offsets.erase(it)
                                                                                            : std::next(it);
    for (auto it = task->pending.begin(); it != task->pending.end();)
        it = std::find(partitions.begin(), partitions.end(), it->tp) == partitions.end() ? task->pending.erase(it)
                                                                                         : std::next(it);
}

void ConnectWorker::on_commit(uint32_t client, sim::Time t, int32_t generation, TopicPartition tp, int64_t offset) {
    if (events_) events_->on_commit(client, t, generation, tp, offset);
    Task* task = task_by_client(client);
    if (task == nullptr || !task->consumer || ctx_ == nullptr) return;
    const GroupPartition gp = task->consumer->partition_name(tp);
    ctx_->emit(ConnectOffsetCommit{.connector = task->id.connector,
                                   .task = task->id.task,
                                   .offsets = gp.topic + "-" + std::to_string(gp.partition) + "=" + std::to_string(offset)});
}

void ConnectWorker::on_commit_failed(uint32_t client, sim::Time t, int32_t generation, Error error) {
    if (events_) events_->on_commit_failed(client, t, generation, error);
}

// ------------------------------------------------------------------------------ internal topics

const std::string& ConnectWorker::internal_topic(int topic) const {
    switch (topic) {
        case config_topic: return spec_.config.config_storage_topic;
        case offsets_topic: return spec_.config.offset_storage_topic;
        default: return spec_.config.status_storage_topic;
    }
}

void ConnectWorker::read_internal(TopicPartition tp, const RecordBatch& batch, int64_t first_offset, int32_t count) {
    const GroupPartition gp = log_reader_->partition_name(tp);
    const RecordContents* contents = batch.contents.get();
    for (int32_t i = 0; i < count; ++i) {
        const auto index = static_cast<size_t>(first_offset - batch.base_offset + i);
        const TextRecord* text = contents ? contents->text(index) : nullptr;
        if (gp.topic == spec_.config.config_storage_topic) config_offset_ = first_offset + i + 1;
        if (text == nullptr || !text->key) continue;
        if (gp.topic == spec_.config.config_storage_topic) {
            apply_config_record(*text->key, text->value);
        } else if (gp.topic == spec_.config.offset_storage_topic) {
            if (text->value) offsets_[*text->key] = *text->value;
            else offsets_.erase(*text->key);
        } else if (gp.topic == spec_.config.status_storage_topic) {
            apply_status_record(*text->key, text->value);
        }
    }
}

void ConnectWorker::apply_config_record(const std::string& key, const std::optional<std::string>& value) {
    // KafkaConfigBackingStore.ConsumeCallback, by key prefix.
    auto parsed = value ? json::parse(*value, nullptr, false) : json();
    if (key.rfind("connector-", 0) == 0) {
        const std::string name = key.substr(10);
        if (!value) {
            configs_.erase(name);  // deleted
        } else if (auto c = config_from_json(field_or(parsed, "properties", json::object()))) {
            ConnectorState& s = configs_[name];
            const bool updated = s.has_config && s.config != *c;
            s.config = *c;
            s.has_config = true;
            if (updated) reconfigured_.insert(name);  // the connector restarts with its new config
        }
        rejoin_for_offset_ = config_offset_;
    } else if (key.rfind("target-state-", 0) == 0) {
        const std::string name = key.substr(13);
        if (auto it = configs_.find(name); it != configs_.end() && value)
            it->second.target_state = field_or(parsed, "state", std::string("STARTED"));
    } else if (key.rfind("task-", 0) == 0) {
        const std::string rest = key.substr(5);
        const size_t dash = rest.rfind('-');
        if (dash == std::string::npos || !value) return;
        const auto task = parse_int(std::string_view(rest).substr(dash + 1));
        if (!task) return;
        if (auto c = config_from_json(field_or(parsed, "properties", json::object())))
            configs_[rest.substr(0, dash)].uncommitted_tasks[*task] = *c;
    } else if (key.rfind("restart-connector-", 0) == 0) {
        // Acted on once the worker runs an assignment (the backing store has started): a worker
        // reading the topic from the start does not replay old restarts.
        if (value && assignment_) restart_requests_.push_back({key.substr(18), field_or(parsed, "include-tasks", json(false)).is_boolean() &&
                                                                    field_or(parsed, "include-tasks", json(false)).get<bool>(),
                                                field_or(parsed, "only-failed", json(false)).is_boolean() &&
                                                    field_or(parsed, "only-failed", json(false)).get<bool>()});
    } else if (key.rfind("commit-", 0) == 0) {
        const std::string name = key.substr(7);
        if (!value) return;
        const int32_t n = std::clamp(field_or(parsed, "tasks", 0), 0, 10000);
        ConnectorState& s = configs_[name];
        std::vector<ConnectorConfig> tasks;
        for (int32_t i = 0; i < n; ++i) {
            auto it = s.uncommitted_tasks.find(i);
            tasks.push_back(it == s.uncommitted_tasks.end() ? ConnectorConfig{} : it->second);
        }
        s.uncommitted_tasks.clear();
        if (s.task_configs != tasks) tasks_changed_.insert(name);
        s.task_configs = std::move(tasks);
        rejoin_for_offset_ = config_offset_;
    }
}

void ConnectWorker::apply_status_record(const std::string& key, const std::optional<std::string>& value) {
    if (!value) {
        statuses_.erase(key);
        return;
    }
    auto j = json::parse(*value, nullptr, false);
    if (!j.is_object()) return;
    auto text = [&](const char* key) {
        auto it = j.find(key);
        return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
    };
    StatusRecord r;
    r.state = text("state");
    r.trace = text("trace");
    r.worker_id = text("worker_id");
    if (auto it = j.find("generation"); it != j.end() && it->is_number_integer()) r.generation = it->get<int32_t>();
    // KafkaStatusBackingStore: an UNASSIGNED from an older generation does not replace a
    // RUNNING written by the new owner.
    if (auto it = statuses_.find(key); it != statuses_.end() && r.state == "UNASSIGNED" &&
                                       it->second.state == "RUNNING" && it->second.generation > r.generation)
        return;
    statuses_[key] = std::move(r);
}

void ConnectWorker::write(int topic, std::string key, std::optional<std::string> value) {
    writes_.push_back(Write{topic, TextRecord{std::move(key), std::move(value)}});
}

void ConnectWorker::drain_writes(Context& ctx) {
    if (!log_writer_ || !log_writer_->ready_for_application()) return;
    while (!writes_.empty()) {
        Write& w = writes_.front();
        const auto index = static_cast<size_t>(w.topic);
        const int32_t partitions = log_writer_->partition_count(index);
        if (partitions <= 0) return;
        const int32_t partition = partitions == 1 ? 0 : partition_for_key(*w.record.key, partitions);
        if (!log_writer_->send_text(index, partition, std::move(w.record), -1, 0, ctx)) return;
        writes_.pop_front();
    }
}

bool ConnectWorker::caught_up(int topic, sim::Time since) const {
    if (!log_reader_) return true;
    auto id = log_reader_->topic_id(internal_topic(topic));
    if (!id) return false;
    bool any = false;
    for (const TopicPartition& tp : log_reader_->assignment()) {
        if (tp.topic_id != *id) continue;
        any = true;
        auto at = log_reader_->end_offset_time(tp);
        if (!at || *at < since || log_reader_->position(tp) < log_reader_->end_offset(tp)) return false;
    }
    return any;
}

void ConnectWorker::put_status(const std::string& connector, int32_t task, const std::string& state,
                               const std::string& trace, Context& ctx) {
    emit_status(ctx, connector, task, state, trace);
    const std::string key = task < 0 ? "status-connector-" + connector
                                     : "status-task-" + connector + "-" + std::to_string(task);
    json v{{"state", state}, {"trace", trace.empty() ? json() : json(trace)}, {"worker_id", spec_.worker_id()},
           {"generation", generation()}};
    if (!spec_.distributed) {
        StatusRecord r{state, trace, spec_.worker_id(), generation()};
        statuses_[key] = r;
        return;
    }
    write(status_topic, key, v.dump());
}

// ------------------------------------------------------------------------------ connectors

void ConnectWorker::start_connector(const std::string& name, Context& ctx) {
    auto it = configs_.find(name);
    if (it == configs_.end() || !it->second.has_config) return;
    const ConnectorState& s = it->second;
    const std::string state = s.target_state == "PAUSED" ? "PAUSED" : s.target_state == "STOPPED" ? "STOPPED" : "RUNNING";
    connectors_[name] = state;
    put_status(name, -1, state, "", ctx);
    if (s.target_state == "STARTED") reconfigure_tasks(name, ctx);
}

void ConnectWorker::stop_connector(const std::string& name, const char* why, Context& ctx) {
    if (connectors_.erase(name) == 0) return;
    // AbstractHerder.onShutdown: a clean stop writes UNASSIGNED.
    put_status(name, -1, "UNASSIGNED", "", ctx);
    (void)why;
}

void ConnectWorker::reconfigure_tasks(const std::string& name, Context& ctx) {
    // Connector.taskConfigs(tasks.max); written only when they differ from the committed ones
    // (DistributedHerder.reconfigureConnector).
    const ConnectorState& s = configs_.at(name);
    const ConnectorPlugin* plugin = find_plugin(config_value(s.config, "connector.class"));
    if (plugin == nullptr) {
        connectors_[name] = "FAILED";
        put_status(name, -1, "FAILED", unknown_plugin_message(config_value(s.config, "connector.class")), ctx);
        return;
    }
    std::vector<ConnectorConfig> configs = plugin->task_configs(s.config, tasks_max(s.config));
    if (configs == s.task_configs) return;
    if (!spec_.distributed) return;
    if (is_leader()) {
        put_task_configs(name, configs);
    } else {
        json body = json::array();
        for (const auto& c : configs) body.push_back(config_json(c));
        send_internal_rest("POST", "/connectors/" + name + "/tasks", body.dump(), ctx);
    }
}

void ConnectWorker::put_task_configs(const std::string& name, const std::vector<ConnectorConfig>& configs) {
    // KafkaConfigBackingStore.putTaskConfigs: each task's config, then the commit record.
    for (size_t i = 0; i < configs.size(); ++i)
        write(config_topic, "task-" + name + "-" + std::to_string(i), json{{"properties", config_json(configs[i])}}.dump());
    write(config_topic, "commit-" + name, json{{"tasks", configs.size()}}.dump());
}

void ConnectWorker::apply_target_states(Context& ctx) {
    // Pause, resume and stop apply where the connector and its tasks run, without a rebalance
    // (a stop also empties the task configs, which does rebalance).
    for (auto& [name, state] : connectors_) {
        auto it = configs_.find(name);
        if (it == configs_.end() || state == "FAILED") continue;
        const std::string& target = it->second.target_state;
        const std::string want = target == "PAUSED" ? "PAUSED" : target == "STOPPED" ? "STOPPED" : "RUNNING";
        if (state == want) continue;
        const bool was_stopped = state == "STOPPED";
        state = want;
        put_status(name, -1, want, "", ctx);
        // Resumed from STOPPED: the connector computes its task configs again.
        if (was_stopped && want == "RUNNING") reconfigure_tasks(name, ctx);
    }
    for (auto& [id, t] : tasks_) {
        auto it = configs_.find(id.connector);
        if (it == configs_.end() || t->state == "FAILED") continue;
        const bool paused = it->second.target_state == "PAUSED";
        if (paused == t->paused) continue;
        t->paused = paused;
        t->state = paused ? "PAUSED" : "RUNNING";
        put_status(id.connector, id.task, t->state, "", ctx);
        if (t->consumer) t->consumer->pause_delivery(paused, ctx);
        if (!paused && t->type == ConnectorType::source && t->offsets_loaded && !t->poll_timer.valid())
            t->poll_timer = ctx.set_timer(sim::Duration{}, client_timer::tag(timer_task_poll, t->index));
    }
}

void ConnectWorker::restart_task(const ConnectorTaskId& id, Context& ctx) {
    put_status(id.connector, id.task, "RESTARTING", "", ctx);
    stop_task(id, "restart", ctx);
    start_task(id, ctx);
}

void ConnectWorker::restart_instances(const std::string& name, bool include_tasks, bool only_failed, Context& ctx) {
    // DistributedHerder.doRestartConnectorAndTasks: the matching instances this worker runs.
    if (auto c = connectors_.find(name); c != connectors_.end()) {
        const bool failed = c->second == "FAILED";
        if (!only_failed || failed) {
            put_status(name, -1, "RESTARTING", "", ctx);
            stop_connector(name, "restart", ctx);
            start_connector(name, ctx);
        }
    }
    if (!include_tasks) return;
    for (const auto& id : running_tasks()) {
        if (id.connector != name) continue;
        if (only_failed && tasks_.at(id)->state != "FAILED") continue;
        restart_task(id, ctx);
    }
}

// ------------------------------------------------------------------------------ tasks

uint32_t ConnectWorker::next_task_index() {
    for (uint32_t tries = 0; tries < task_slots; ++tries) {
        const uint32_t index = ++task_generation_ % task_slots;
        if (index != 0 && task_by_index(index) == nullptr) return index;
    }
    SIM_ASSERT(false, "more than 999 tasks on one Connect worker");
    return 0;
}

ConnectWorker::Task* ConnectWorker::task_by_index(uint32_t index) {
    for (auto& [id, t] : tasks_)
        if (t->index == index) return t.get();
    for (auto& t : draining_)
        if (t->index == index) return t.get();
    return nullptr;
}

ConnectWorker::Task* ConnectWorker::task_by_client(uint32_t client) {
    for (auto& [id, t] : tasks_)
        if ((t->producer && t->producer_ordinal == client) || (t->consumer && t->consumer_ordinal == client))
            return t.get();
    for (auto& t : draining_)
        if (t->producer && t->producer_ordinal == client) return t.get();
    return nullptr;
}

// A stopped source task's records are all answered (or its stop timed out): commit the offsets
// of what was acknowledged, close the producer, and forget the task.
void ConnectWorker::finish_draining(Context& ctx) {
    for (auto it = draining_.begin(); it != draining_.end();) {
        Task& t = **it;
        if (!t.drained) {
            ++it;
            continue;
        }
        ctx.cancel_timer(t.drain_timer);
        flush_offsets(t, ctx);
        t.producer->close(ctx);
        retired_.push_back(std::move(*it));
        it = draining_.erase(it);
    }
}

void ConnectWorker::start_task(const ConnectorTaskId& id, Context& ctx) {
    auto cit = configs_.find(id.connector);
    if (cit == configs_.end() || id.task >= static_cast<int32_t>(cit->second.task_configs.size())) return;
    const ConnectorPlugin* plugin = find_plugin(config_value(cit->second.config, "connector.class"));
    if (plugin == nullptr) return;
    auto task = std::make_unique<Task>();
    Task& t = *task;
    t.owner = this;
    t.id = id;
    t.config = cit->second.task_configs[static_cast<size_t>(id.task)];
    t.type = plugin->type;
    t.index = next_task_index();
    t.started_at = ctx.now();
    t.paused = cit->second.target_state == "PAUSED";
    t.state = t.paused ? "PAUSED" : "RUNNING";
    std::string name = spec_.node_name() + " task " + id.text();
    if (life_ > 1) name += " (life " + std::to_string(life_) + ")";
    const int32_t corr = task_corr_base + static_cast<int32_t>(t.index) * task_corr_range;
    const std::string task_class = config_value(t.config, "task.class");
    if (t.type == ConnectorType::source) {
        const bool file = task_class.find("FileStream") != std::string::npos;
        std::vector<std::string> topics;
        if (file) {
            t.sources = {config_value(t.config, "file")};
            t.topic = config_value(t.config, "topic");
            topics = {t.topic};
            t.batch_size = parse_int(config_value(t.config, "batch.size", "2000")).value_or(2000);
            t.poll_interval_ms = 1000;  // FileStreamSourceTask waits 1 s when the file has nothing new
        } else {
            t.sources = split_list(config_value(t.config, "tables"));
            t.topic_prefix = config_value(t.config, "topic.prefix");
            for (const auto& table : t.sources) topics.push_back(t.topic_prefix + table);
            t.batch_size = parse_int(config_value(t.config, "batch.max.rows", "100")).value_or(100);
            t.poll_interval_ms = parse_int(config_value(t.config, "poll.interval.ms", "5000")).value_or(5000);
        }
        t.producer_ordinal = registry_->register_client(name);
        WorkloadSpec w;
        w.application_driven = true;
        ProducerConfig producer_config = spec_.task_producer;
        if (spec_.exactly_once_source) {
            // ExactlyOnceWorkerSourceTask: a transactional producer per task,
            // transactional.id <group.id>-<connector>-<task> (Worker.taskTransactionalId); the
            // offsets go to the offsets topic in the same transaction.
            t.transactional = true;
            producer_config.transactional_id = spec_.config.group_id + "-" + id.connector + "-" + std::to_string(id.task);
            producer_config.enable_idempotence = true;
            topics.push_back(spec_.config.offset_storage_topic);
        }
        t.producer = std::make_unique<ProducerClient>(t.producer_ordinal, topics, producer_config, w, *dir_,
                                                      static_cast<ClientEvents*>(this),
                                                      ClientEmbedding{task_producer_timer_base, corr, t.index});
        t.producer->set_application(&t);
    } else {
        t.sink = sink_system(t.config);
        t.upsert = upsert_sink(t.config);
        t.retry_backoff_ms = parse_int(config_value(t.config, "retry.backoff.ms", "3000")).value_or(3000);
        t.tolerate_all = config_value(t.config, "errors.tolerance", "none") == "all";
        t.dead_letter_topic = config_value(t.config, "errors.deadletterqueue.topic.name");
        if (!t.dead_letter_topic.empty() && t.tolerate_all) {
            t.dlq_ordinal = registry_->register_client(name + " dead-letter-queue");
            WorkloadSpec w;
            w.application_driven = true;
            t.dlq = std::make_unique<ProducerClient>(t.dlq_ordinal, std::vector<std::string>{t.dead_letter_topic},
                                                     spec_.task_producer, w, *dir_, static_cast<ClientEvents*>(this),
                                                     ClientEmbedding{task_producer_timer_base, corr + dlq_corr_offset,
                                                                     t.index});
            t.dlq->set_application(&t);
        }
        t.consumer_ordinal = registry_->register_client(name);
        // consumer.override.* in the connector's config (KIP-458): the one that matters here,
        // isolation.level=read_committed for a sink behind an exactly-once source.
        ConsumerConfig consumer_config = spec_.task_consumer;
        const std::string isolation = config_value(t.config, "consumer.override.isolation.level");
        if (isolation == "read_committed" || isolation == "read_uncommitted") consumer_config.isolation_level = isolation;
        t.consumer = std::make_unique<ConsumerClient>(
            t.consumer_ordinal, split_list(config_value(t.config, "topics")), consumer_config, std::nullopt,
            ctx.now(), sim::time_never, *dir_, static_cast<ClientEvents*>(this), "connect-" + id.connector,
            ClientEmbedding{task_consumer_timer_base, corr, t.index});
        ConsumerClient::ApplicationMode mode;
        mode.explicit_commits = true;
        mode.commit_on_revocation = true;  // WorkerSinkTask.HandleRebalance: commitSync on revocation
        t.consumer->set_application_mode(mode);
    }
    tasks_[id] = std::move(task);
    put_status(id.connector, id.task, t.state, "", ctx);
    if (t.producer) t.producer->on_start(ctx);
    if (t.consumer) {
        t.consumer->on_start(ctx);
        if (t.paused) t.consumer->pause_delivery(true, ctx);
    }
    if (t.dlq) t.dlq->on_start(ctx);
}

void ConnectWorker::stop_task(const ConnectorTaskId& id, const char* why, Context& ctx) {
    auto it = tasks_.find(id);
    if (it == tasks_.end()) return;
    Task& t = *it->second;
    t.stopping = true;  // what closing its clients fails is not the task's failure
    if (t.state == "FAILED") {
        // Its clients are closed already. Its FAILED status stays in the status topic (a failed
        // task writes no UNASSIGNED) until its next owner writes over it; this worker no longer
        // holds it all the same.
        emit_status(ctx, id.connector, id.task, "UNASSIGNED", std::string("stopped while FAILED (") + why + "): nothing written");
    } else if (t.type == ConnectorType::source) {
        // WorkerSourceTask on stop: its records in flight are waited for (the producer's close
        // has a timeout, task.shutdown.graceful.timeout.ms bounds the whole stop), then the
        // offsets of what was acknowledged are committed (drained()).
        ctx.cancel_timer(t.poll_timer);
        if (t.state != "FAILED") put_status(id.connector, id.task, "UNASSIGNED", "", ctx);
        t.drain_timer = ctx.set_timer(sim::milliseconds(spec_.config.task_shutdown_graceful_timeout_ms),
                                      client_timer::tag(timer_drain, t.index));
        draining_.push_back(std::move(it->second));
        tasks_.erase(it);
        Task& d = *draining_.back();
        if (d.transactional) d.drained = !d.committing;  // a commit in progress is waited for
        else d.producer->flush(ctx);
        return;
    } else {
        // WorkerSinkTask.close: commit what was put, then the consumer leaves.
        ctx.cancel_timer(t.retry_timer);
        t.consumer->commit_positions(ctx);
        t.consumer->close(ctx);
        if (t.dlq) t.dlq->close(ctx);
    }
    if (t.state != "FAILED") put_status(id.connector, id.task, "UNASSIGNED", "", ctx);
    retired_.push_back(std::move(it->second));
    tasks_.erase(it);
}

void ConnectWorker::task_failed(Task& task, const std::string& trace, Context& ctx) {
    if (task.state == "FAILED") return;
    // A failed task stays FAILED until it is restarted through REST.
    task.state = "FAILED";
    ctx.cancel_timer(task.poll_timer);
    ctx.cancel_timer(task.retry_timer);
    put_status(task.id.connector, task.id.task, "FAILED", trace, ctx);
    // The task's thread ends: its clients close once the handler that failed it returns (a
    // sink's consumer leaves the group, and the connector's other tasks take its partitions).
    task.close_pending = true;
}

std::string ConnectWorker::offsets_key(const std::string& connector, const Task& task, const std::string& source) const {
    // The source partition: {"filename": f} for FileStreamSource, {"table": t} for a table.
    const bool file = config_value(task.config, "task.class").find("FileStream") != std::string::npos;
    return json::array({connector, file ? json{{"filename", source}} : json{{"table", source}}}).dump();
}

void ConnectWorker::load_source_offsets(Task& t) {
    t.offsets_loaded = true;
    for (const std::string& source : t.sources) {
        int64_t position = 0;
        if (auto it = offsets_.find(offsets_key(t.id.connector, t, source)); it != offsets_.end()) {
            auto j = json::parse(it->second, nullptr, false);
            position = std::max<int64_t>(0, field_or(j, "position", int64_t{0}));
        }
        t.position[source] = position;
        t.flushed[source] = position;
    }
}

void ConnectWorker::poll_source(Task& t, Context& ctx) {
    if (t.state != "RUNNING" || t.paused || !t.offsets_loaded) return;
    if (t.committing) return;  // the next poll follows the commit
    sim::Duration next = sim::milliseconds(t.poll_interval_ms);
    if (!t.producer->ready_for_application()) {
        next = sim::milliseconds(100);
    } else {
        const bool file = config_value(t.config, "task.class").find("FileStream") != std::string::npos;
        int32_t budget = t.batch_size;
        bool more = false;
        for (size_t si = 0; si < t.sources.size() && budget > 0; ++si) {
            const std::string& source = t.sources[si];
            const ExternalSourceSpec* spec = external_->source(source);
            if (spec == nullptr || !external_->available(source, ctx.now())) continue;
            const int64_t rows = external_->rows_at(*spec, ctx.now());
            int64_t& pos = t.position[source];
            const int64_t first = pos;
            const size_t topic_index = file ? 0 : si;
            const int32_t partitions = t.producer->partition_count(topic_index);
            if (partitions <= 0) continue;
            ++t.polls;
            while (pos < rows && budget > 0) {
                const int64_t row = pos;
                int32_t key = -1;
                int32_t partition = 0;
                if (file) {
                    // A null key: the sticky partitioner keeps a poll's records on one partition.
                    partition = static_cast<int32_t>(t.polls % static_cast<uint64_t>(partitions));
                } else {
                    key = static_cast<int32_t>(row);
                    partition = partition_for_key("key-" + std::to_string(row), partitions);
                }
                const std::string topic = file ? t.topic : t.topic_prefix + source;
                uint32_t& seq = t.next_seq[{topic, partition}];
                if (!t.producer->send_text(topic_index, partition,
                                           TextRecord{std::nullopt, external_->row_text(*spec, row)}, key, row, ctx))
                    break;
                t.submitted.push_back(Submitted{source, row + 1, partition, seq, false});
                ++seq;
                ++pos;
                --budget;
            }
            if (pos > first)
                ctx.emit(ConnectTaskIo{.connector = t.id.connector,
                                       .task = t.id.task,
                                       .action = "poll",
                                       .system = source,
                                       .first = first,
                                       .count = pos - first});
            if (pos < rows) more = true;
        }
        if (more) next = sim::milliseconds(1);
        if (t.transactional) {
            // transaction.boundary=poll: the poll's records and the offsets they reach, committed
            // together (the offsets topic is the producer's last topic).
            t.in_transaction.clear();
            const size_t offsets_index = t.producer->topics().size() - 1;
            const int32_t partitions = t.producer->partition_count(offsets_index);
            for (const std::string& source : t.sources) {
                if (t.position[source] <= t.flushed[source] || partitions <= 0) continue;
                const std::string key = offsets_key(t.id.connector, t, source);
                t.producer->send_text(offsets_index, partition_for_key(key, partitions),
                                      TextRecord{key, json{{"position", t.position[source]}}.dump()}, -1, 0, ctx);
                t.in_transaction[source] = t.position[source];
            }
            if (!t.in_transaction.empty() && t.producer->commit_transaction(ctx)) {
                t.committing = true;
                t.after_commit = next;  // the next poll: at once when rows remain, else after poll.interval.ms
                return;
            }
        }
    }
    t.poll_timer = ctx.set_timer(next, client_timer::tag(timer_task_poll, t.index));
}

void ConnectWorker::source_transaction_completed(Task& t, bool committed, Context& ctx) {
    t.committing = false;
    if (committed) {
        std::string text;
        for (const auto& [source, offset] : t.in_transaction) {
            t.flushed[source] = offset;
            offsets_[offsets_key(t.id.connector, t, source)] = json{{"position", offset}}.dump();
            text += (text.empty() ? "" : ",") + source + "=" + std::to_string(offset);
        }
        if (!text.empty()) ctx.emit(ConnectOffsetCommit{.connector = t.id.connector, .task = t.id.task, .offsets = text});
    } else {
        // Aborted: its records do not count; read the rows again from the committed offsets.
        for (const auto& source : t.sources) t.position[source] = t.flushed[source];
        t.submitted.clear();
    }
    t.in_transaction.clear();
    if (t.stopping) {
        t.drained = true;
        return;
    }
    if (t.state == "RUNNING" && !t.poll_timer.valid())
        t.poll_timer = ctx.set_timer(committed ? t.after_commit : sim::Duration{}, client_timer::tag(timer_task_poll, t.index));
}

void ConnectWorker::flush_offsets(Task& t, Context& ctx) {
    // Exactly-once source tasks commit their offsets in their transactions.
    if (t.type != ConnectorType::source || !t.offsets_loaded || t.transactional) return;
    // SubmittedRecords.committableOffsets: per source partition, the acknowledged prefix.
    std::map<std::string, int64_t> committable;
    while (!t.submitted.empty() && t.submitted.front().acked) t.submitted.pop_front();
    // Records of one source are submitted in order: the committable offset is the last acked
    // record before the first unacknowledged one of that source.
    std::map<std::string, int64_t> first_unacked;
    for (const auto& s : t.submitted)
        if (!s.acked && !first_unacked.contains(s.source)) first_unacked[s.source] = s.next_position - 1;
    for (const std::string& source : t.sources) {
        int64_t offset = t.position[source];
        if (auto it = first_unacked.find(source); it != first_unacked.end()) offset = it->second;
        committable[source] = offset;
    }
    std::string text;
    for (const auto& [source, offset] : committable) {
        if (offset <= t.flushed[source]) continue;
        t.flushed[source] = offset;
        text += (text.empty() ? "" : ",") + source + "=" + std::to_string(offset);
        const std::string key = offsets_key(t.id.connector, t, source);
        const std::string value = json{{"position", offset}}.dump();
        if (spec_.distributed) {
            write(offsets_topic, key, value);
        }
        offsets_[key] = value;
    }
    if (!text.empty()) {
        ctx.emit(ConnectOffsetCommit{.connector = t.id.connector, .task = t.id.task, .offsets = text});
        if (!spec_.distributed) write_offsets_file(ctx);
    }
}

void ConnectWorker::flush_all(Context& ctx) {
    for (auto& [id, t] : tasks_) {
        if (t->type == ConnectorType::source) flush_offsets(*t, ctx);
        else if (t->pending.empty()) t->consumer->commit_positions(ctx);  // the offsets of what was put
    }
}

void ConnectWorker::put_sink(Task& t, Context& ctx) {
    if (t.pending.empty() || t.state != "RUNNING") return;
    if (!external_->available(t.sink, ctx.now())) {
        // A RetriableException from put(): keep the batch, pause, try again later.
        const PendingPut& p = t.pending.front();
        ctx.emit(ConnectTaskIo{.connector = t.id.connector,
                               .task = t.id.task,
                               .action = "put_failed",
                               .system = t.sink,
                               .first = p.first_offset,
                               .count = p.count});
        t.consumer->pause_delivery(true, ctx);
        if (!t.retry_timer.valid())
            t.retry_timer = ctx.set_timer(sim::milliseconds(t.retry_backoff_ms), client_timer::tag(timer_sink_retry, t.index));
        return;
    }
    // The converter runs before put(): a record it cannot read fails the task
    // (errors.tolerance=none: "Tolerance exceeded in error handler"), or is skipped and, with a
    // dead letter queue, sent there (errors.tolerance=all).
    auto value_text = [](const PendingPut& p, int32_t i) -> std::string {
        const RecordContents* contents = p.batch.contents.get();
        const TextRecord* text =
            contents ? contents->text(static_cast<size_t>(p.first_offset - p.batch.base_offset + i)) : nullptr;
        return text && text->value ? *text->value : std::string();
    };
    if (!t.tolerate_all) {
        for (const PendingPut& p : t.pending)
            for (int32_t i = 0; i < p.count; ++i)
                if (external_->malformed(value_text(p, i))) {
                    const GroupPartition gp = t.consumer->partition_name(p.tp);
                    task_failed(t,
                                "org.apache.kafka.connect.errors.ConnectException: Tolerance exceeded in error handler "
                                "(caused by org.apache.kafka.connect.errors.DataException: Converting byte[] to Kafka "
                                "Connect data failed due to serialization error of " + gp.topic + "-" +
                                    std::to_string(gp.partition) + " offset " + std::to_string(p.first_offset + i) + ")",
                                ctx);
                    return;
                }
    }
    if (t.dlq && !t.dlq->ready_for_application()) {
        // The dead letter queue's producer is not ready yet: a batch with a record for it waits.
        bool needs_dlq = false;
        for (const PendingPut& p : t.pending)
            for (int32_t i = 0; i < p.count && !needs_dlq; ++i) needs_dlq = external_->malformed(value_text(p, i));
        if (needs_dlq) {
            t.consumer->pause_delivery(true, ctx);
            if (!t.retry_timer.valid())
                t.retry_timer = ctx.set_timer(sim::milliseconds(100), client_timer::tag(timer_sink_retry, t.index));
            return;
        }
    }
    while (!t.pending.empty()) {
        PendingPut p = std::move(t.pending.front());
        t.pending.pop_front();
        const GroupPartition gp = t.consumer->partition_name(p.tp);
        const RecordContents* contents = p.batch.contents.get();
        for (int32_t i = 0; i < p.count; ++i) {
            const auto index = static_cast<size_t>(p.first_offset - p.batch.base_offset + i);
            const TextRecord* text = contents ? contents->text(index) : nullptr;
            if (text && text->value && external_->malformed(*text->value)) {
                ctx.emit(ConnectTaskIo{.connector = t.id.connector,
                                       .task = t.id.task,
                                       .action = t.dlq ? "dead_letter" : "skipped",
                                       .system = t.dlq ? t.dead_letter_topic : t.sink,
                                       .first = p.first_offset + i,
                                       .count = 1});
                if (t.dlq && t.dlq->partition_count(0) > 0)
                    t.dlq->send_text(0, 0, TextRecord{std::nullopt, *text->value}, contents->key(index), 0, ctx);
                continue;
            }
            SinkWrite w;
            w.at = ctx.now();
            w.connector = t.id.connector;
            w.task = t.id.task;
            w.worker = spec_.worker_id();
            w.text = text && text->value ? *text->value
                                         : "record " + std::to_string(p.batch.client) + "/" +
                                               std::to_string(p.batch.first_seq + static_cast<uint32_t>(index));
            w.key = contents ? contents->key(index) : -1;
            w.topic = gp.topic;
            w.partition = gp.partition;
            w.offset = p.first_offset + i;
            external_->write(t.sink, std::move(w));
        }
        ctx.emit(ConnectTaskIo{.connector = t.id.connector,
                               .task = t.id.task,
                               .action = "put",
                               .system = t.sink,
                               .first = p.first_offset,
                               .count = p.count});
        t.put_offsets[p.tp] = p.first_offset + p.count;
    }
    if (t.consumer->delivery_paused() && !t.paused) t.consumer->pause_delivery(false, ctx);
}

// ------------------------------------------------------------------------------ standalone offsets

void ConnectWorker::write_offsets_file(Context& ctx) {
    // FileOffsetBackingStore.save: the whole map, rewritten.
    ctx.disk().cell<std::map<std::string, std::string>>(spec_.config.offset_storage_file_filename).set(offsets_);
}

void ConnectWorker::read_offsets_file(Context& ctx) {
    auto& file = ctx.disk().cell<std::map<std::string, std::string>>(spec_.config.offset_storage_file_filename);
    if (file.has_value()) offsets_ = file.get();
}

// ------------------------------------------------------------------------------ REST

void ConnectWorker::answer_conflict(sim::NodeId to, const ConnectRestRequest& req, Context& ctx) {
    answer(to, req, 409, error_body(409, conflict_message), ctx);
}

void ConnectWorker::answer(sim::NodeId to, const ConnectRestRequest& req, int32_t status, std::string body,
                           Context& ctx) {
    ctx.emit(ConnectRest{.method = req.method, .path = req.path, .status = status, .body = body});
    ctx.send(to, ConnectRestResponse{req.correlation_id, status, std::move(body)});
}

bool ConnectWorker::forward_to_leader(sim::NodeId from, const ConnectRestRequest& req, Context& ctx) {
    // HerderRequestHandler: a write reaches the leader, forwarded at most twice.
    if (is_leader()) return false;
    forward_to(leader_url_, from, req,
               "Cannot complete request momentarily due to no known leader URL, likely because a rebalance was "
               "underway.",
               ctx);
    return true;
}

void ConnectWorker::forward_to(const std::string& url, sim::NodeId from, const ConnectRestRequest& req,
                               const char* unknown_message, Context& ctx) {
    const int32_t worker = worker_of_url(url);
    const sim::NodeId node = worker < 0 ? sim::no_node : dir_->connect_worker_node(worker);
    if (node == sim::no_node || req.hops >= 2) {
        answer(from, req, 409, error_body(409, unknown_message), ctx);
        return;
    }
    const int32_t corr = next_rest_corr_++;
    if (next_rest_corr_ >= task_corr_base) next_rest_corr_ = rest_corr_base;
    RestCall call;
    call.from = from;
    call.their_corr = req.correlation_id;
    call.method = req.method;
    call.path = req.path;
    call.timer = ctx.set_timer(sim::milliseconds(90000), client_timer::tag(timer_rest_timeout, static_cast<uint64_t>(corr)));
    rest_calls_[corr] = std::move(call);
    ctx.emit(ConnectRest{.method = req.method, .path = req.path, .status = 0, .body = "forwarded to " + url});
    ConnectRestRequest fwd = req;
    fwd.correlation_id = corr;
    fwd.hops = req.hops + 1;
    ctx.send(node, std::move(fwd));
}

void ConnectWorker::send_internal_rest(const std::string& method, const std::string& path, std::string body,
                                       Context& ctx) {
    const int32_t leader = worker_of_url(leader_url_);
    const sim::NodeId node = leader < 0 ? sim::no_node : dir_->connect_worker_node(leader);
    if (node == sim::no_node) return;
    const int32_t corr = next_rest_corr_++;
    if (next_rest_corr_ >= task_corr_base) next_rest_corr_ = rest_corr_base;
    RestCall call;
    call.internal = true;
    call.method = method;
    call.path = path;
    call.timer = ctx.set_timer(sim::milliseconds(90000), client_timer::tag(timer_rest_timeout, static_cast<uint64_t>(corr)));
    rest_calls_[corr] = std::move(call);
    ctx.send(node, ConnectRestRequest{corr, method, path, std::move(body), 1});
}

void ConnectWorker::handle_rest(sim::NodeId from, const ConnectRestRequest& req, Context& ctx) {
    std::string query;
    const std::vector<std::string> parts = path_parts(req.path, query);
    const std::string& m = req.method;
    auto not_found = [&](const std::string& name) {
        answer(from, req, 404, error_body(404, "Connector " + name + " not found"), ctx);
    };
    // A distributed worker answers only once it is part of the group and has read the config
    // topic as far as its assignment says.
    const bool synced = !spec_.distributed || (assignment_ && !received_);
    if (parts.empty()) {
        if (m == "GET") {
            answer(from, req, 200,
                   json{{"version", "kafkasim"}, {"commit", "0"}, {"kafka_cluster_id", "kafkasim-cluster"}}.dump(), ctx);
        } else {
            answer(from, req, 405, error_body(405, "HTTP 405 Method Not Allowed"), ctx);
        }
        return;
    }
    if (parts[0] == "connector-plugins" && parts.size() == 1 && m == "GET") {
        json out = json::array();
        for (const ConnectorPlugin& p : all_plugins())
            out.push_back(json{{"class", p.class_name}, {"type", to_string(p.type)}, {"version", "kafkasim"}});
        answer(from, req, 200, out.dump(), ctx);
        return;
    }
    if (parts[0] != "connectors") {
        answer(from, req, 404, error_body(404, "HTTP 404 Not Found"), ctx);
        return;
    }
    if (parts.size() == 1) {
        if (m == "GET") {
            if (query.find("expand=status") != std::string::npos) {
                json out = json::object();
                for (const auto& name : known_connectors())
                    out[name] = json{{"status", json::parse(*status_json(name))}};
                answer(from, req, 200, out.dump(), ctx);
            } else {
                answer(from, req, 200, json(known_connectors()).dump(), ctx);
            }
            return;
        }
        if (m == "POST") {
            auto body = json::parse(req.body, nullptr, false);
            if (!body.is_object() || !body.contains("name") || !body["name"].is_string()) {
                answer(from, req, 400, error_body(400, "Connector name must be provided"), ctx);
                return;
            }
            const std::string name = body["name"].get<std::string>();
            auto config = config_from_json(field_or(body, "config", json::object())).value_or(ConnectorConfig{});
            config["name"] = name;
            // KIP-980 (3.7): the state the connector starts in.
            std::string target = "STARTED";
            if (body.contains("initial_state")) {
                const std::string initial = field_or(body, "initial_state", std::string());
                if (!spec_.features.initial_state) {
                    answer(from, req, 500, error_body(500, "Unrecognized field \"initial_state\""), ctx);
                    return;
                }
                if (initial != "RUNNING" && initial != "PAUSED" && initial != "STOPPED") {
                    answer(from, req, 400, error_body(400, "Invalid initial state " + initial +
                                                               ": must be one of RUNNING, PAUSED or STOPPED"),
                           ctx);
                    return;
                }
                target = initial == "RUNNING" ? "STARTED" : initial;
            }
            if (auto err = validate_connector_config(config)) {
                const bool unknown_class = err->rfind("Failed to find any class", 0) == 0;
                answer(from, req, unknown_class ? 500 : 400,
                       error_body(unknown_class ? 500 : 400,
                                  unknown_class ? *err
                                                : "Connector configuration is invalid and contains the following 1 "
                                                  "error(s):\n" + *err + "\nYou can also find the above list of errors "
                                                  "at the endpoint `/connector-plugins/{connectorType}/config/validate`"),
                       ctx);
                return;
            }
            // Only the leader writes configs (NotLeaderException): forwarded, or 409 while no
            // leader is known; the leader answers 409 while it is still reading the config topic.
            if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
            if (!synced) {
                answer(from, req, 409,
                       error_body(409, "Cannot complete request momentarily due to stale configuration (typically "
                                       "caused by a concurrent config change)"),
                       ctx);
                return;
            }
            if (configs_.contains(name) && configs_[name].has_config) {
                answer(from, req, 409, error_body(409, "Connector " + name + " already exists"), ctx);
                return;
            }
            if (spec_.distributed) {
                // A connector created STOPPED has no task configs (an empty commit).
                if (target == "STOPPED") put_task_configs(name, {});
                write(config_topic, "connector-" + name, json{{"properties", config_json(config)}}.dump());
                write(config_topic, "target-state-" + name, json{{"state", target}}.dump());
            } else {
                ConnectorState& s = configs_[name];
                s.config = config;
                s.has_config = true;
                s.target_state = target;
                if (target != "STOPPED")
                    s.task_configs = find_plugin(config["connector.class"])->task_configs(config, tasks_max(config));
                start_connector(name, ctx);
                for (size_t i = 0; i < s.task_configs.size(); ++i)
                    start_task(ConnectorTaskId{name, static_cast<int32_t>(i)}, ctx);
            }
            const ConnectorPlugin* plugin = find_plugin(config["connector.class"]);
            answer(from, req, 201,
                   json{{"name", name}, {"config", config_json(config)}, {"tasks", json::array()},
                        {"type", to_string(plugin->type)}}
                       .dump(),
                   ctx);
            return;
        }
        answer(from, req, 405, error_body(405, "HTTP 405 Method Not Allowed"), ctx);
        return;
    }
    const std::string& name = parts[1];
    const bool known = configs_.contains(name) && configs_.at(name).has_config;
    const std::string sub = parts.size() >= 3 ? parts[2] : "";
    // Internal: a connector's task configs, sent to the leader.
    if (sub == "tasks" && parts.size() == 3 && m == "POST") {
        if (!spec_.distributed) {
            // StandaloneHerder.putTaskConfigs: UnsupportedOperationException, a 500.
            answer(from, req, 500,
                   error_body(500, "Kafka Connect in standalone mode does not support externally setting task "
                                   "configurations."),
                   ctx);
            return;
        }
        if (!is_leader()) {
            answer_conflict(from, req, ctx);
            return;
        }
        auto body = json::parse(req.body, nullptr, false);
        std::vector<ConnectorConfig> configs;
        if (body.is_array())
            for (const auto& c : body) configs.push_back(config_from_json(c).value_or(ConnectorConfig{}));
        if (known && configs != configs_.at(name).task_configs) put_task_configs(name, configs);
        answer(from, req, 204, "", ctx);
        return;
    }
    if (parts.size() == 2 && m == "GET") {
        if (!known) return not_found(name);
        answer(from, req, 200, connector_info_json(name), ctx);
        return;
    }
    if (parts.size() == 2 && m == "DELETE") {
        if (!known) return not_found(name);
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        if (spec_.distributed) {
            write(config_topic, "connector-" + name, std::nullopt);
            write(config_topic, "target-state-" + name, std::nullopt);
        } else {
            for (const auto& id : running_tasks())
                if (id.connector == name) stop_task(id, "deleted", ctx);
            stop_connector(name, "deleted", ctx);
            configs_.erase(name);
        }
        answer(from, req, 204, "", ctx);
        return;
    }
    if (sub == "config" && m == "GET") {
        if (!known) return not_found(name);
        answer(from, req, 200, config_json(configs_.at(name).config).dump(), ctx);
        return;
    }
    if (sub == "config" && m == "PUT") {
        auto body = json::parse(req.body, nullptr, false);
        auto config = config_from_json(body).value_or(ConnectorConfig{});
        config["name"] = name;
        if (auto err = validate_connector_config(config)) {
            answer(from, req, 400,
                   error_body(400, "Connector configuration is invalid and contains the following 1 error(s):\n" + *err),
                   ctx);
            return;
        }
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        if (!synced) {
            answer(from, req, 409, error_body(409, "Cannot complete request momentarily due to stale configuration "
                                                   "(typically caused by a concurrent config change)"),
                   ctx);
            return;
        }
        if (spec_.distributed) {
            write(config_topic, "connector-" + name, json{{"properties", config_json(config)}}.dump());
            if (!known) write(config_topic, "target-state-" + name, json{{"state", "STARTED"}}.dump());
        }
        const ConnectorPlugin* plugin = find_plugin(config["connector.class"]);
        json tasks = json::array();
        if (known)
            for (size_t i = 0; i < configs_.at(name).task_configs.size(); ++i)
                tasks.push_back(json{{"connector", name}, {"task", i}});
        answer(from, req, known ? 200 : 201,
               json{{"name", name}, {"config", config_json(config)}, {"tasks", tasks}, {"type", to_string(plugin->type)}}
                   .dump(),
               ctx);
        return;
    }
    if (sub == "status" && m == "GET") {
        if (!known) return not_found(name);
        answer(from, req, 200, *status_json(name), ctx);
        return;
    }
    if (sub == "tasks" && parts.size() == 3 && m == "GET") {
        if (!known) return not_found(name);
        json out = json::array();
        const auto& tc = configs_.at(name).task_configs;
        for (size_t i = 0; i < tc.size(); ++i)
            out.push_back(json{{"id", json{{"connector", name}, {"task", i}}}, {"config", config_json(tc[i])}});
        answer(from, req, 200, out.dump(), ctx);
        return;
    }
    if (sub == "stop" && m == "PUT") {
        if (!spec_.features.stop_state) {
            answer(from, req, 404, error_body(404, "HTTP 404 Not Found"), ctx);
            return;
        }
        if (!known) return not_found(name);
        // DistributedHerder.stopConnector (3.5): empty task configs first, then the target state.
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        if (spec_.distributed) {
            put_task_configs(name, {});
            write(config_topic, "target-state-" + name, json{{"state", "STOPPED"}}.dump());
        } else {
            for (const auto& id : running_tasks())
                if (id.connector == name) stop_task(id, "stopped", ctx);
            configs_[name].task_configs.clear();
            configs_[name].target_state = "STOPPED";
        }
        answer(from, req, 204, "", ctx);
        return;
    }
    if (sub == "offsets" && m == "GET") {
        if (!spec_.features.offsets_read) {
            answer(from, req, 404, error_body(404, "HTTP 404 Not Found"), ctx);
            return;
        }
        if (!known) return not_found(name);
        const ConnectorPlugin* plugin = find_plugin(config_value(configs_.at(name).config, "connector.class"));
        if (plugin == nullptr || plugin->type != ConnectorType::source) {
            // A sink's offsets are its consumer group's (ListConsumerGroupOffsets): not modelled here.
            answer(from, req, 500, error_body(500, "kafkasim: a sink connector's offsets are its consumer group's "
                                                   "committed offsets; see kafka-consumer-groups.sh (describe --what "
                                                   "groups)"),
                   ctx);
            return;
        }
        // KafkaOffsetBackingStore: the connector's entries of the offsets topic.
        json out = json::array();
        for (const auto& [key, value] : offsets_) {
            auto k = json::parse(key, nullptr, false);
            if (!k.is_array() || k.size() != 2 || k[0] != name) continue;
            out.push_back(json{{"partition", k[1]}, {"offset", json::parse(value, nullptr, false)}});
        }
        answer(from, req, 200, json{{"offsets", out}}.dump(), ctx);
        return;
    }
    if (sub == "config" && m == "PATCH") {
        if (!spec_.features.patch_config) {
            answer(from, req, 405, error_body(405, "HTTP 405 Method Not Allowed"), ctx);
            return;
        }
        if (!known) return not_found(name);
        auto body = json::parse(req.body, nullptr, false);
        if (!body.is_object()) {
            answer(from, req, 400, error_body(400, "The request body must be a JSON object"), ctx);
            return;
        }
        // KIP-477 (3.8): the keys given replace the current ones, a null removes one.
        ConnectorConfig config = configs_.at(name).config;
        for (const auto& [k, v] : body.items()) {
            if (v.is_null()) config.erase(k);
            else if (v.is_string()) config[k] = v.get<std::string>();
            else config[k] = v.dump();
        }
        config["name"] = name;
        if (auto err = validate_connector_config(config)) {
            answer(from, req, 400,
                   error_body(400, "Connector configuration is invalid and contains the following 1 error(s):\n" + *err),
                   ctx);
            return;
        }
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        if (spec_.distributed) write(config_topic, "connector-" + name, json{{"properties", config_json(config)}}.dump());
        json out = json::parse(connector_info_json(name));
        out["config"] = config_json(config);
        answer(from, req, 200, out.dump(), ctx);
        return;
    }
    if (sub == "tasks" && parts.size() == 5 && parts[4] == "status" && m == "GET") {
        if (!known) return not_found(name);
        const auto task = parse_int(parts[3]);
        auto status = json::parse(*status_json(name));
        if (!task || *task < 0 || static_cast<size_t>(*task) >= status["tasks"].size()) {
            answer(from, req, 404, error_body(404, "No status found for task " + name + "-" + parts[3]), ctx);
            return;
        }
        answer(from, req, 200, status["tasks"][static_cast<size_t>(*task)].dump(), ctx);
        return;
    }
    if ((sub == "pause" || sub == "resume") && m == "PUT") {
        if (!known) return not_found(name);
        if (spec_.distributed) {
            write(config_topic, "target-state-" + name,
                  json{{"state", sub == "pause" ? "PAUSED" : "STARTED"}}.dump());
        } else {
            configs_[name].target_state = sub == "pause" ? "PAUSED" : "STARTED";
        }
        answer(from, req, 202, "", ctx);
        return;
    }
    if (sub == "restart" && m == "POST") {
        if (!known) return not_found(name);
        const bool include_tasks = query_flag(query, "includeTasks");
        const bool only_failed = query_flag(query, "onlyFailed");
        if (!include_tasks && !only_failed) {
            // The connector instance only (0.9): the leader sends it to the worker that runs it.
            if (connectors_.contains(name) && (req.hops > 0 || is_leader() || !spec_.distributed)) {
                stop_connector(name, "restart", ctx);
                start_connector(name, ctx);
                answer(from, req, 204, "", ctx);
                return;
            }
            if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
            auto owner = owners_.find(name);
            if (owner == owners_.end()) {
                answer_conflict(from, req, ctx);
                return;
            }
            forward_to(owner->second, from, req, conflict_message, ctx);
            return;
        }
        if (!spec_.features.restart_with_tasks) {
            answer(from, req, 404, error_body(404, "HTTP 404 Not Found"), ctx);
            return;
        }
        // KIP-745 (3.0): the leader writes a restart request to the config topic; every worker
        // restarts the instances it runs that match, and answers RESTARTING for them now.
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        auto status = json::parse(*status_json(name));
        auto restarting = [&](json& instance) {
            if (!only_failed || field_or(instance, "state", std::string()) == "FAILED") instance["state"] = "RESTARTING";
        };
        restarting(status["connector"]);
        if (include_tasks)
            for (auto& t : status["tasks"]) restarting(t);
        if (spec_.distributed) {
            write(config_topic, "restart-connector-" + name,
                  json{{"include-tasks", include_tasks}, {"only-failed", only_failed}}.dump());
        } else {
            restart_instances(name, include_tasks, only_failed, ctx);
        }
        answer(from, req, 202, status.dump(), ctx);
        return;
    }
    if (sub == "tasks" && parts.size() == 5 && parts[4] == "restart" && m == "POST") {
        if (!known) return not_found(name);
        const auto task = parse_int(parts[3]);
        const ConnectorTaskId id{name, task.value_or(-1)};
        if (!task || *task < 0 || *task >= static_cast<int32_t>(configs_.at(name).task_configs.size())) {
            answer(from, req, 404, error_body(404, "Task " + id.text() + " not found"), ctx);
            return;
        }
        // The leader sends it to the worker that runs the task.
        if (tasks_.contains(id) && (req.hops > 0 || is_leader() || !spec_.distributed)) {
            restart_task(id, ctx);
            answer(from, req, 204, "", ctx);
            return;
        }
        if (spec_.distributed && forward_to_leader(from, req, ctx)) return;
        auto owner = task_owners_.find(id);
        if (owner == task_owners_.end() || owner->second == spec_.url()) {
            answer_conflict(from, req, ctx);
            return;
        }
        forward_to(owner->second, from, req, conflict_message, ctx);
        return;
    }
    answer(from, req, 404, error_body(404, "HTTP 404 Not Found"), ctx);
}

}  // namespace kafka::connect
