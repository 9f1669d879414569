#include "connect/rest_client.hpp"

namespace kafka::connect {

namespace {
enum : uint64_t { timer_send = 1, timer_timeout = 2 };
constexpr uint64_t tag(uint64_t kind, uint64_t value) { return (kind << 56) | value; }
// curl's patience here: a worker that does not answer within 90 s (RestServer's own request
// timeout) is given up on.
constexpr sim::Duration request_timeout = sim::seconds(90);
constexpr sim::Duration bootstrap_retry = sim::seconds(1);
}  // namespace

RestClient::RestClient(std::vector<RestAction> actions, const ClusterDirectory& dir)
    : actions_(std::move(actions)), dir_(&dir) {}

void RestClient::on_start(Context& ctx) {
    for (size_t i = 0; i < actions_.size(); ++i) {
        const sim::Duration after = actions_[i].at > ctx.now() ? actions_[i].at - ctx.now() : sim::Duration{};
        ctx.set_timer(after, tag(timer_send, i));
    }
}

void RestClient::send(size_t action, Context& ctx) {
    const RestAction& a = actions_[action];
    const int32_t corr = next_corr_++;
    RestExchange x;
    x.action = action;
    x.sent = ctx.now();
    exchanges_.push_back(x);
    in_flight_[corr] = exchanges_.size() - 1;
    const sim::NodeId node = dir_->connect_worker_node(a.worker);
    if (node != sim::no_node) ctx.send(node, ConnectRestRequest{corr, a.method, a.path, a.body, 0});
    // A deployment script's retry loop gives up on an attempt sooner than a person would.
    ctx.set_timer(a.retry_until_accepted ? sim::seconds(5) : request_timeout,
                  tag(timer_timeout, static_cast<uint64_t>(corr)));
}

void RestClient::on_message(sim::NodeId, Message& msg, Context& ctx) {
    auto* r = std::get_if<ConnectRestResponse>(&msg);
    if (r == nullptr) return;
    auto it = in_flight_.find(r->correlation_id);
    if (it == in_flight_.end()) return;
    RestExchange& x = exchanges_[it->second];
    in_flight_.erase(it);
    x.answered = ctx.now();
    x.status = r->status;
    x.body = r->body;
    if (r->status == 409 && actions_[x.action].retry_until_accepted)
        ctx.set_timer(bootstrap_retry, tag(timer_send, x.action));
}

void RestClient::on_timer(uint64_t t, Context& ctx) {
    const uint64_t kind = t >> 56;
    const uint64_t value = t & ((uint64_t{1} << 56) - 1);
    if (kind == timer_send) {
        send(static_cast<size_t>(value), ctx);
    } else if (kind == timer_timeout) {
        auto it = in_flight_.find(static_cast<int32_t>(value));
        if (it == in_flight_.end()) return;
        const size_t action = exchanges_[it->second].action;
        in_flight_.erase(it);
        if (actions_[action].retry_until_accepted) send(action, ctx);
    }
}

}  // namespace kafka::connect
