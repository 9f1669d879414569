#include "clients/admin_client.hpp"

namespace kafka {

AdminClient::AdminClient(std::vector<CreatableTopic> topics, const ClusterDirectory& directory, int64_t retry_backoff_ms)
    : pending_(std::move(topics)), directory_(directory), retry_backoff_ms_(retry_backoff_ms) {}

void AdminClient::on_start(Context& ctx) {
    started_ = ctx.now();
    if (!pending_.empty()) ctx.set_timer(sim::milliseconds(retry_backoff_ms_), 0);
}

void AdminClient::ask_metadata(Context& ctx) {
    if (directory_.brokers.empty()) return;
    auto it = directory_.brokers.begin();
    std::advance(it, static_cast<ptrdiff_t>(next_broker_++ % directory_.brokers.size()));
    MetadataRequest req;
    req.correlation_id = ++correlation_;
    ctx.send(it->second, std::move(req));
}

void AdminClient::send(Context& ctx) {
    if (pending_.empty()) return;
    sim::NodeId to = sim::no_node;
    if (!directory_.controllers.empty()) {
        auto it = directory_.controllers.begin();
        std::advance(it, static_cast<ptrdiff_t>(next_controller_ % directory_.controllers.size()));
        to = it->second;
    } else {
        to = directory_.broker_node(metadata_controller_);
        if (to == sim::no_node) {  // not known yet: ask for metadata, send on the answer
            ask_metadata(ctx);
            return;
        }
    }
    CreateTopicsRequest req;
    req.correlation_id = ++correlation_;
    req.topics = pending_;
    ctx.send(to, std::move(req));
}

void AdminClient::on_timer(uint64_t, Context& ctx) {
    if (pending_.empty()) return;
    if (!cluster_up_ && ctx.now() - started_ >= sim::milliseconds(admin_wait_for_brokers_ms)) cluster_up_ = true;
    if (!cluster_up_) {
        ask_metadata(ctx);
        ctx.set_timer(sim::milliseconds(retry_backoff_ms_), 0);
        return;
    }
    send(ctx);
    ctx.set_timer(sim::milliseconds(retry_backoff_ms_ * 5), 0);  // retry if no answer came
}

void AdminClient::on_message(sim::NodeId, Message& msg, Context& ctx) {
    if (auto* m = std::get_if<MetadataResponse>(&msg)) {
        if (m->correlation_id == correlation_ && m->controller_id >= 0) {
            const bool learned = metadata_controller_ < 0;
            metadata_controller_ = m->controller_id;
            if (learned && cluster_up_ && directory_.controllers.empty()) send(ctx);
        }
        // Every broker registered and unfenced: the cluster is up.
        if (!cluster_up_ && m->correlation_id == correlation_ && m->brokers.size() >= directory_.brokers.size()) {
            cluster_up_ = true;
            send(ctx);
        }
        return;
    }
    auto* r = std::get_if<CreateTopicsResponse>(&msg);
    if (r == nullptr || r->correlation_id != correlation_) return;
    bool wrong_controller = false;
    for (const auto& t : r->topics) {
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
    if (wrong_controller) {
        ++next_controller_;
        metadata_controller_ = -1;  // ZooKeeper mode: find the controller again
    }
}

}  // namespace kafka
