#include "clients/network_client.hpp"

#include <algorithm>
#include <utility>

#include "clients/client_timer.hpp"

namespace kafka {

namespace {

constexpr int64_t reconnect_backoff_ms = 50;        // reconnect.backoff.ms
constexpr int64_t reconnect_backoff_max_ms = 1000;  // reconnect.backoff.max.ms

}  // namespace

NetworkClient::NetworkClient(const ClusterDirectory& dir, std::vector<std::string> topics, Options options,
                             TimerKinds timers)
    : dir_(&dir),
      options_(options),
      timers_(timers),
      metadata_(std::move(topics)),
      next_correlation_(options.first_correlation_id) {}

void NetworkClient::on_start(Context& ctx) {
    if (!dir_->brokers.empty()) least_loaded_rr_ = ctx.rng().below(dir_->brokers.size());
}

void NetworkClient::close(Context& ctx) {
    ctx.cancel_timer(metadata_timer_);
    ctx.cancel_timer(metadata_retry_timer_);
    ctx.cancel_timer(metadata_age_timer_);
}

// ------------------------------------------------------------------------------ connections

bool NetworkClient::ready(BrokerId broker, Context& ctx, sim::Time& next) {
    Connection& conn = connections_[broker];
    if (!conn.down) return true;
    if (ctx.now() >= conn.ready_at) send_probe(broker, conn, ctx);
    next = std::min(next, conn.ready_at);
    return false;
}

void NetworkClient::send_probe(BrokerId broker, Connection& conn, Context& ctx) {
    const sim::NodeId node = dir_->broker_node(broker);
    if (node == sim::no_node) return;
    conn.probe_corr = next_correlation_++;
    conn.backoff_ms = std::min(conn.backoff_ms * 2, reconnect_backoff_max_ms);
    conn.ready_at = ctx.now() + sim::milliseconds(conn.backoff_ms);
    send_metadata_request(node, conn.probe_corr, ctx);
}

void NetworkClient::mark_disconnected(BrokerId broker, Context& ctx) {
    Connection& conn = connections_[broker];
    if (!conn.down) {
        conn.down = true;
        conn.backoff_ms = reconnect_backoff_ms;
        conn.ready_at = ctx.now() + sim::milliseconds(conn.backoff_ms);
    }
    conn.probe_corr = 0;
    request_metadata_update(ctx);
}

std::optional<BrokerId> NetworkClient::handle_disconnect(sim::NodeId peer, Context& ctx) {
    if (metadata_corr_ != 0 && metadata_node_ == peer) metadata_failed(ctx);
    const BrokerId broker = dir_->kafka_id(peer);
    if (broker < 0 || dir_->broker_node(broker) != peer) return std::nullopt;
    return broker;
}

std::optional<BrokerId> NetworkClient::least_loaded_broker() {
    std::vector<BrokerId> ids = metadata_.live_brokers();
    if (ids.empty())
        for (const auto& [id, node] : dir_->brokers) ids.push_back(id);
    std::vector<BrokerId> ready, any;
    for (BrokerId id : ids) {
        if (dir_->broker_node(id) == sim::no_node) continue;
        any.push_back(id);
        auto c = connections_.find(id);
        if (c == connections_.end() || !c->second.down) ready.push_back(id);
    }
    const std::vector<BrokerId>& pick = ready.empty() ? any : ready;
    if (pick.empty()) return std::nullopt;
    return pick[least_loaded_rr_++ % pick.size()];
}

// ------------------------------------------------------------------------------ metadata

void NetworkClient::request_metadata_update(Context& ctx) {
    metadata_.request_update();
    maybe_update_metadata(ctx);
}

void NetworkClient::maybe_update_metadata(Context& ctx) {
    if (!metadata_.update_requested() || metadata_corr_ != 0) return;
    const sim::Time now = ctx.now();
    if (now < metadata_backoff_until_) {
        if (!metadata_retry_timer_.valid())
            metadata_retry_timer_ =
                ctx.set_timer(metadata_backoff_until_ - now, client_timer::tag(timers_.metadata_retry, 0, timers_.slot));
        return;
    }
    const std::optional<BrokerId> broker = least_loaded_broker();
    if (!broker) return;
    metadata_.update_sent();
    metadata_corr_ = next_correlation_++;
    metadata_node_ = dir_->broker_node(*broker);
    metadata_timer_ = ctx.set_timer(sim::milliseconds(options_.request_timeout_ms),
                                    client_timer::tag(timers_.metadata_timeout, static_cast<uint64_t>(metadata_corr_), timers_.slot));
    send_metadata_request(metadata_node_, metadata_corr_, ctx);
}

void NetworkClient::send_metadata_request(sim::NodeId node, int32_t corr, Context& ctx) {
    ++metadata_requests_sent_;
    MetadataRequest req;
    req.correlation_id = corr;
    req.topics = metadata_.topics();
    ctx.send(node, std::move(req));
}

void NetworkClient::metadata_failed(Context& ctx) {
    ctx.cancel_timer(metadata_timer_);
    metadata_corr_ = 0;
    metadata_node_ = sim::no_node;
    metadata_.request_update();
    metadata_backoff_until_ = ctx.now() + sim::milliseconds(options_.retry_backoff_ms);
    maybe_update_metadata(ctx);
}

bool NetworkClient::handle_metadata_response(sim::NodeId from, const MetadataResponse& resp, Context& ctx) {
    const BrokerId broker = dir_->kafka_id(from);
    auto conn = broker >= 0 ? connections_.find(broker) : connections_.end();
    const bool expected = metadata_corr_ != 0 && resp.correlation_id == metadata_corr_ && from == metadata_node_;
    const bool probe =
        conn != connections_.end() && conn->second.probe_corr != 0 && conn->second.probe_corr == resp.correlation_id;
    if (!expected && !probe) return false;
    if (expected) {
        ctx.cancel_timer(metadata_timer_);
        metadata_corr_ = 0;
        metadata_node_ = sim::no_node;
        metadata_backoff_until_ = ctx.now() + sim::milliseconds(options_.retry_backoff_ms);
    }
    if (conn != connections_.end()) {
        // Any answer proves the connection.
        conn->second.down = false;
        conn->second.probe_corr = 0;
        conn->second.backoff_ms = 0;
    }
    metadata_.update_brokers(resp);
    return true;
}

void NetworkClient::schedule_metadata_refresh(Context& ctx) {
    ctx.cancel_timer(metadata_age_timer_);
    metadata_age_timer_ =
        ctx.set_timer(sim::milliseconds(options_.metadata_max_age_ms), client_timer::tag(timers_.metadata_max_age, 0, timers_.slot));
}

std::optional<BrokerId> NetworkClient::on_timer(uint64_t tag, Context& ctx) {
    const uint64_t kind = client_timer::kind(tag);
    if (kind == timers_.metadata_timeout) {
        if (metadata_corr_ == 0 || static_cast<uint64_t>(metadata_corr_) != client_timer::value(tag)) return std::nullopt;
        metadata_timer_ = sim::TimerId{};
        const BrokerId broker = dir_->kafka_id(metadata_node_);
        metadata_failed(ctx);
        // A timed-out request closes its connection, as any other would.
        if (dir_->broker_node(broker) == sim::no_node) return std::nullopt;
        return broker;
    }
    if (kind == timers_.metadata_retry) {
        metadata_retry_timer_ = sim::TimerId{};
        maybe_update_metadata(ctx);
    } else if (kind == timers_.metadata_max_age) {
        metadata_age_timer_ = sim::TimerId{};
        request_metadata_update(ctx);
    }
    return std::nullopt;
}

}  // namespace kafka
