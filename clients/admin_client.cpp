#include "clients/admin_client.hpp"

#include <algorithm>
#include <map>

namespace kafka {

const char* to_string(AdminOperation::Kind kind) {
    switch (kind) {
        case AdminOperation::Kind::create_topic: return "create-topic";
        case AdminOperation::Kind::delete_topic: return "delete-topic";
        case AdminOperation::Kind::add_partitions: return "add-partitions";
        case AdminOperation::Kind::alter_config: return "alter-config";
        case AdminOperation::Kind::reassign: return "reassign";
        case AdminOperation::Kind::list_reassignments: return "list-reassignments";
        case AdminOperation::Kind::elect_leaders: return "elect-leaders";
        case AdminOperation::Kind::delete_records: return "delete-records";
    }
    return "?";
}

const char* call_name(AdminOperation::Kind kind) {
    switch (kind) {
        case AdminOperation::Kind::create_topic: return "createTopics";
        case AdminOperation::Kind::delete_topic: return "deleteTopics";
        case AdminOperation::Kind::add_partitions: return "createPartitions";
        case AdminOperation::Kind::alter_config: return "incrementalAlterConfigs";
        case AdminOperation::Kind::reassign: return "alterPartitionReassignments";
        case AdminOperation::Kind::list_reassignments: return "listPartitionReassignments";
        case AdminOperation::Kind::elect_leaders: return "electLeaders";
        case AdminOperation::Kind::delete_records: return "deleteRecords";
    }
    return "?";
}

namespace {

std::string partition_name(const TopicPartitionName& tp) { return tp.topic + "-" + std::to_string(tp.partition); }

std::string config_entity(const IncrementalAlterConfigsRequest::Resource& r) {
    if (r.type == ConfigResourceType::topic) return r.name;
    return r.name.empty() ? std::string("broker default") : "broker " + r.name;
}

// The resources a call answers for, in the order the tools print them.
std::vector<std::string> resources_of(const AdminOperation& op) {
    std::vector<std::string> out;
    switch (op.kind) {
        case AdminOperation::Kind::create_topic: out.push_back(op.create.name); break;
        case AdminOperation::Kind::delete_topic:
        case AdminOperation::Kind::add_partitions: out.push_back(op.topic); break;
        case AdminOperation::Kind::alter_config: out.push_back(config_entity(op.config)); break;
        case AdminOperation::Kind::reassign:
            for (const auto& p : op.reassignments) out.push_back(partition_name(p.tp));
            break;
        case AdminOperation::Kind::list_reassignments: out.push_back("reassignments"); break;
        case AdminOperation::Kind::elect_leaders:
            for (const auto& tp : op.named) out.push_back(partition_name(tp));
            break;
        case AdminOperation::Kind::delete_records:
            for (const auto& c : op.delete_records) out.push_back(partition_name(c.tp));
            break;
    }
    return out;
}

bool leader_moved(Error e) {
    return e == Error::not_leader_or_follower || e == Error::leader_not_available || e == Error::fenced_leader_epoch ||
           e == Error::unknown_leader_epoch;
}

}  // namespace

AdminClient::AdminClient(std::vector<CreatableTopic> topics, const ClusterDirectory& directory,
                         std::vector<Timed> operations, AdminClientConfig config)
    : pending_(std::move(topics)), directory_(directory), config_(config) {
    calls_.reserve(operations.size());
    results_.reserve(operations.size());
    for (Timed& t : operations) {
        AdminCallResult r;
        r.kind = t.op.kind;
        results_.push_back(std::move(r));
        Call c;
        c.timed = std::move(t);
        calls_.push_back(std::move(c));
    }
}

bool AdminClient::idle() const {
    return std::all_of(results_.begin(), results_.end(), [](const AdminCallResult& r) { return r.done; });
}

void AdminClient::on_start(Context& ctx) {
    started_ = ctx.now();
    if (!pending_.empty()) ctx.set_timer(sim::milliseconds(config_.retry_backoff_ms), tag(timer_topics, 0));
    // A restarted admin process does not redo what it already did: only calls still ahead.
    for (size_t i = 0; i < calls_.size(); ++i) {
        if (results_[i].done || calls_[i].started) continue;
        const sim::Time at = std::max(calls_[i].timed.at, ctx.now());
        ctx.set_timer(at - ctx.now(), tag(timer_call_start, i));
    }
}

// ------------------------------------------------------------------------------ the scenario's topics

void AdminClient::ask_metadata(Context& ctx, int32_t correlation) {
    if (directory_.brokers.empty()) return;
    auto it = directory_.brokers.begin();
    std::advance(it, static_cast<ptrdiff_t>(next_broker_++ % directory_.brokers.size()));
    MetadataRequest req;
    req.correlation_id = correlation;
    ctx.send(it->second, std::move(req));
}

void AdminClient::send_topics(Context& ctx) {
    if (pending_.empty()) return;
    sim::NodeId to = sim::no_node;
    if (!directory_.controllers.empty()) {
        auto it = directory_.controllers.begin();
        std::advance(it, static_cast<ptrdiff_t>(next_controller_ % directory_.controllers.size()));
        to = it->second;
    } else {
        to = directory_.broker_node(metadata_controller_);
        if (to == sim::no_node) {  // not known yet: ask for metadata, send on the answer
            ask_metadata(ctx, ++correlation_);
            return;
        }
    }
    CreateTopicsRequest req;
    req.correlation_id = ++correlation_;
    req.topics = pending_;
    ctx.send(to, std::move(req));
}

void AdminClient::on_topics_created(const CreateTopicsResponse& r, Context& ctx) {
    bool wrong_controller = false;
    for (const auto& t : r.topics) {
        if (t.error == Error::not_controller) wrong_controller = true;
        if (t.error != Error::none && t.error != Error::topic_already_exists) continue;
        for (size_t i = 0; i < pending_.size(); ++i) {
            if (pending_[i].name != t.name) continue;
            ctx.emit(TopicCreated{.topic = t.name, .topic_id = static_cast<int64_t>(t.topic_id)});
            created_.push_back(t.name);
            pending_.erase(pending_.begin() + static_cast<ptrdiff_t>(i));
            break;
        }
    }
    if (wrong_controller) next_controller();
}

void AdminClient::next_controller() {
    ++next_controller_;
    metadata_controller_ = -1;  // ZooKeeper mode: find the controller again
}

// ------------------------------------------------------------------------------ timers

void AdminClient::on_timer(uint64_t t, Context& ctx) {
    const auto kind = static_cast<TimerKind>(t & 3);
    const auto index = static_cast<size_t>(t >> 2);
    if (kind == timer_topics) {
        if (pending_.empty()) return;
        if (!cluster_up_ && ctx.now() - started_ >= sim::milliseconds(admin_wait_for_brokers_ms)) cluster_up_ = true;
        if (!cluster_up_) {
            ask_metadata(ctx, ++correlation_);
            ctx.set_timer(sim::milliseconds(config_.retry_backoff_ms), tag(timer_topics, 0));
            return;
        }
        send_topics(ctx);
        ctx.set_timer(sim::milliseconds(config_.retry_backoff_ms * 5), tag(timer_topics, 0));  // retry if no answer came
        return;
    }
    if (index >= calls_.size() || results_[index].done) return;
    Call& c = calls_[index];
    switch (kind) {
        case timer_call_start:
            if (!c.started) start_call(index, ctx);
            return;
        case timer_call_retry:
            // A request in flight past request.timeout.ms is given up and sent again; a backoff ends.
            if (c.correlation != 0 && ctx.now() - c.sent < sim::milliseconds(config_.request_timeout_ms)) return;
            if (c.correlation != 0) ++c.tries;
            c.correlation = 0;
            c.leader_requests.clear();
            send_call(index, ctx);
            return;
        case timer_call_check:
            if (ctx.now() >= c.deadline) time_out(index, ctx);
            return;
        case timer_topics:
            return;
    }
}

// ------------------------------------------------------------------------------ timed calls

void AdminClient::start_call(size_t index, Context& ctx) {
    Call& c = calls_[index];
    c.started = true;
    c.deadline = ctx.now() + sim::milliseconds(config_.default_api_timeout_ms);
    c.tries = 0;
    for (const auto& cut : c.timed.op.delete_records) c.waiting.push_back(cut.tp);
    ctx.set_timer(sim::milliseconds(config_.default_api_timeout_ms), tag(timer_call_check, index));
    send_call(index, ctx);
}

sim::NodeId AdminClient::controller(Context& ctx, bool& asked_metadata) {
    asked_metadata = false;
    if (!directory_.controllers.empty()) {
        auto it = directory_.controllers.begin();
        std::advance(it, static_cast<ptrdiff_t>(next_controller_ % directory_.controllers.size()));
        return it->second;
    }
    sim::NodeId to = directory_.broker_node(metadata_controller_);
    if (to == sim::no_node) {
        asked_metadata = true;
        (void)ctx;
    }
    return to;
}

void AdminClient::retry_later(size_t index, Context& ctx) {
    Call& c = calls_[index];
    c.correlation = 0;
    ++c.tries;
    ctx.set_timer(sim::milliseconds(config_.retry_backoff_ms), tag(timer_call_retry, index));
}

void AdminClient::send_call(size_t index, Context& ctx) {
    Call& c = calls_[index];
    const AdminOperation& op = c.timed.op;
    c.correlation = next_correlation_++;
    c.sent = ctx.now();
    ctx.set_timer(sim::milliseconds(config_.request_timeout_ms), tag(timer_call_retry, index));
    if (op.kind == AdminOperation::Kind::delete_records) {
        c.metadata_asked = true;
        ask_metadata(ctx, c.correlation);
        return;
    }
    if (!bootstrapped_) {
        c.metadata_asked = true;
        ask_metadata(ctx, c.correlation);
        return;
    }
    bool ask = false;
    sim::NodeId to = controller(ctx, ask);
    if (ask) {
        c.metadata_asked = true;
        ask_metadata(ctx, c.correlation);
        return;
    }
    c.metadata_asked = false;
    switch (op.kind) {
        case AdminOperation::Kind::create_topic: {
            CreateTopicsRequest req;
            req.correlation_id = c.correlation;
            req.topics.push_back(op.create);
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::delete_topic: {
            DeleteTopicsRequest req;
            req.correlation_id = c.correlation;
            req.topics.push_back(op.topic);
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::add_partitions: {
            CreatePartitionsRequest req;
            req.correlation_id = c.correlation;
            req.topics.push_back({op.topic, op.partitions, op.assignment});
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::alter_config: {
            IncrementalAlterConfigsRequest req;
            req.correlation_id = c.correlation;
            req.resources.push_back(op.config);
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::reassign: {
            AlterPartitionReassignmentsRequest req;
            req.correlation_id = c.correlation;
            req.partitions = op.reassignments;
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::list_reassignments: {
            ListPartitionReassignmentsRequest req;
            req.correlation_id = c.correlation;
            req.partitions = op.named;
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::elect_leaders: {
            ElectLeadersRequest req;
            req.correlation_id = c.correlation;
            req.type = op.election;
            req.partitions = op.named;
            ctx.send(to, std::move(req));
            return;
        }
        case AdminOperation::Kind::delete_records:
            return;
    }
}

// KafkaAdminClient.deleteRecords: the leaders from the metadata, one request per leader.
void AdminClient::send_delete_records(size_t index, const MetadataResponse& metadata, Context& ctx) {
    Call& c = calls_[index];
    c.metadata_asked = false;
    std::map<BrokerId, DeleteRecordsRequest> by_leader;
    std::vector<TopicPartitionName> still;
    for (const TopicPartitionName& tp : c.waiting) {
        int64_t offset = -1;
        for (const auto& cut : c.timed.op.delete_records)
            if (cut.tp == tp) offset = cut.offset;
        const TopicMetadata* topic = nullptr;
        for (const auto& t : metadata.topics)
            if (t.name == tp.topic) topic = &t;
        if (topic == nullptr || topic->error == Error::unknown_topic_or_partition) {
            record(index, AdminOutcome{partition_name(tp), Error::unknown_topic_or_partition,
                                       "This server does not host this topic-partition.", -1}, ctx);
            continue;
        }
        const PartitionMetadata* part = nullptr;
        for (const auto& p : topic->partitions)
            if (p.partition == tp.partition) part = &p;
        if (part == nullptr) {
            record(index, AdminOutcome{partition_name(tp), Error::unknown_topic_or_partition,
                                       "This server does not host this topic-partition.", -1}, ctx);
            continue;
        }
        still.push_back(tp);
        c.topic_names[topic->topic_id] = topic->name;
        if (part->leader == no_leader || directory_.broker_node(part->leader) == sim::no_node) continue;
        DeleteRecordsRequest& req = by_leader[part->leader];
        req.partitions.push_back({TopicPartition{topic->topic_id, tp.partition}, offset});
    }
    c.waiting = still;
    if (c.waiting.empty()) return finish(index, ctx);
    if (by_leader.empty()) return retry_later(index, ctx);  // no leader known yet
    c.leader_requests.clear();
    for (auto& [leader, req] : by_leader) {
        req.correlation_id = next_correlation_++;
        req.timeout_ms = static_cast<int32_t>(config_.request_timeout_ms);
        c.leader_requests.push_back(req.correlation_id);
        ctx.send(directory_.broker_node(leader), std::move(req));
    }
}

void AdminClient::record(size_t index, AdminOutcome outcome, Context& ctx) {
    AdminCallResult& r = results_[index];
    for (const AdminOutcome& o : r.outcomes)
        if (o.resource == outcome.resource) return;  // answered already
    ctx.emit(AdminResult{.operation = to_string(r.kind),
                         .resource = outcome.resource,
                         .error = error_name(outcome.error),
                         .message = outcome.message});
    r.outcomes.push_back(std::move(outcome));
}

void AdminClient::finish(size_t index, Context& ctx) {
    Call& c = calls_[index];
    c.correlation = 0;
    c.leader_requests.clear();
    results_[index].done = true;
    results_[index].finished = ctx.now();
}

// KafkaAdminClient: a call past its deadline fails with TimeoutException.
void AdminClient::time_out(size_t index, Context& ctx) {
    Call& c = calls_[index];
    const std::string message = !bootstrapped_
        ? "Timed out waiting for a node assignment. Call: " + std::string(call_name(c.timed.op.kind))
        : "Call(callName=" + std::string(call_name(c.timed.op.kind)) +
                                ", deadlineMs=" + std::to_string(c.deadline.ms()) +
                                ", tries=" + std::to_string(c.tries + 1) + ") timed out at " +
                                std::to_string(ctx.now().ms()) + " after " + std::to_string(c.tries + 1) +
                                " attempt(s)";
    results_[index].timed_out = true;
    for (const std::string& resource : resources_of(c.timed.op))
        record(index, {resource, Error::request_timed_out, message, -1}, ctx);
    if (resources_of(c.timed.op).empty()) record(index, {"all partitions", Error::request_timed_out, message, -1}, ctx);
    finish(index, ctx);
}

// ------------------------------------------------------------------------------ answers

void AdminClient::on_message(sim::NodeId, Message& msg, Context& ctx) {
    if (on_call_response(msg, ctx)) return;
    if (auto* m = std::get_if<MetadataResponse>(&msg)) {
        if (m->correlation_id == correlation_ && m->controller_id >= 0) {
            const bool learned = metadata_controller_ < 0;
            metadata_controller_ = m->controller_id;
            if (learned && cluster_up_ && directory_.controllers.empty()) send_topics(ctx);
        }
        // Every broker registered and unfenced: the cluster is up.
        if (!cluster_up_ && m->correlation_id == correlation_ && m->brokers.size() >= directory_.brokers.size()) {
            cluster_up_ = true;
            send_topics(ctx);
        }
        return;
    }
    if (auto* r = std::get_if<CreateTopicsResponse>(&msg); r != nullptr && r->correlation_id == correlation_)
        on_topics_created(*r, ctx);
}

bool AdminClient::on_call_response(Message& msg, Context& ctx) {
    const int32_t correlation = std::visit(
        [](const auto& m) -> int32_t {
            if constexpr (requires { m.correlation_id; }) return m.correlation_id;
            return 0;
        },
        msg);
    if (correlation < 1000000) return false;
    size_t index = calls_.size();
    for (size_t i = 0; i < calls_.size(); ++i) {
        const Call& c = calls_[i];
        if (results_[i].done) continue;
        if (c.correlation == correlation ||
            std::find(c.leader_requests.begin(), c.leader_requests.end(), correlation) != c.leader_requests.end())
            index = i;
    }
    if (index == calls_.size()) return true;  // a late answer to a finished or resent call
    Call& c = calls_[index];

    // A not-controller answer: the next controller, after the backoff.
    auto wrong_controller = [&] {
        next_controller();
        retry_later(index, ctx);
    };
    // Per-resource answers: NOT_CONTROLLER anywhere sends the whole call again.
    auto take = [&](const std::string& resource, Error error, const std::string& message) {
        record(index, {resource, error, message, -1}, ctx);
    };

    if (auto* m = std::get_if<MetadataResponse>(&msg)) {
        if (m->brokers.empty()) {  // the broker is still starting: no node to call yet
            retry_later(index, ctx);
            return true;
        }
        bootstrapped_ = true;
        if (c.timed.op.kind == AdminOperation::Kind::delete_records) {
            send_delete_records(index, *m, ctx);
            return true;
        }
        if (m->controller_id >= 0) metadata_controller_ = m->controller_id;
        if (metadata_controller_ >= 0)
            send_call(index, ctx);
        else
            retry_later(index, ctx);
        return true;
    }
    if (auto* r = std::get_if<CreateTopicsResponse>(&msg)) {
        for (const auto& t : r->topics)
            if (t.error == Error::not_controller) return wrong_controller(), true;
        for (const auto& t : r->topics) take(t.name, t.error, t.message);
    } else if (auto* r = std::get_if<DeleteTopicsResponse>(&msg)) {
        for (const auto& t : r->topics)
            if (t.error == Error::not_controller) return wrong_controller(), true;
        for (const auto& t : r->topics) take(t.name, t.error, t.message);
    } else if (auto* r = std::get_if<CreatePartitionsResponse>(&msg)) {
        for (const auto& t : r->topics)
            if (t.error == Error::not_controller) return wrong_controller(), true;
        for (const auto& t : r->topics) take(t.name, t.error, t.message);
    } else if (auto* r = std::get_if<IncrementalAlterConfigsResponse>(&msg)) {
        for (const auto& t : r->resources)
            if (t.error == Error::not_controller) return wrong_controller(), true;
        for (const auto& t : r->resources)
            take(config_entity({t.type, t.name, {}}), t.error, t.message);
    } else if (auto* r = std::get_if<ElectLeadersResponse>(&msg)) {
        if (r->error == Error::not_controller) return wrong_controller(), true;
        for (const auto& p : r->partitions) take(partition_name(p.tp), p.error, p.message);
    } else if (auto* r = std::get_if<AlterPartitionReassignmentsResponse>(&msg)) {
        if (r->error == Error::not_controller) return wrong_controller(), true;
        if (r->error != Error::none) {
            for (const std::string& resource : resources_of(c.timed.op)) take(resource, r->error, r->message);
        } else {
            for (const auto& p : r->partitions) take(partition_name(p.tp), p.error, p.message);
        }
    } else if (auto* r = std::get_if<ListPartitionReassignmentsResponse>(&msg)) {
        if (r->error == Error::not_controller) return wrong_controller(), true;
        results_[index].reassignments = r->reassignments;
        take("reassignments", r->error, "");
    } else if (auto* r = std::get_if<DeleteRecordsResponse>(&msg)) {
        std::erase(c.leader_requests, correlation);
        bool refresh = false;
        for (const auto& p : r->partitions) {
            auto name = c.topic_names.find(p.tp.topic_id);
            if (name == c.topic_names.end()) continue;
            TopicPartitionName tp{name->second, p.tp.partition};
            if (leader_moved(p.error)) {
                refresh = true;
                continue;
            }
            std::erase(c.waiting, tp);
            std::string message;
            if (p.error == Error::offset_out_of_range)
                message = "The requested offset is not within the range of offsets maintained by the server.";
            else if (p.error == Error::policy_violation)
                message = "Request parameters do not satisfy the configured policy.";
            else if (p.error == Error::request_timed_out)
                message = "The request timed out.";
            else if (p.error == Error::unknown_topic_or_partition)
                message = "This server does not host this topic-partition.";
            else if (p.error != Error::none)
                message = error_name(p.error);
            record(index, {partition_name(tp), p.error, message, p.low_watermark}, ctx);
        }
        if (!c.leader_requests.empty()) return true;
        if (c.waiting.empty()) {
            finish(index, ctx);
        } else if (refresh) {
            retry_later(index, ctx);
        }
        return true;
    } else {
        return false;
    }
    finish(index, ctx);
    return true;
}

}  // namespace kafka
