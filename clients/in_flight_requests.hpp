// The requests a client sent and has no answer to yet (Kafka's InFlightRequests), by
// correlation id, each with the broker connection it went on and its request.timeout.ms
// timer. What a request was for is the client's own (Request); when a connection closes,
// every request in flight on it fails, oldest first, and the client decides what that means.
#pragma once
#include <cstdint>
#include <map>
#include <optional>
#include <utility>
#include <vector>

#include "broker/world.hpp"
#include "clients/client_timer.hpp"

namespace kafka {

template <class Request>
class InFlightRequests {
public:
    struct InFlight {
        BrokerId broker = no_leader;
        sim::NodeId node = sim::no_node;
        sim::TimerId timer;
        Request request;
    };

    // timeout_kind: the client's timer kind for request timeouts (the value is the correlation
    // id); slot: its embedding's timer slot.
    InFlightRequests(int64_t request_timeout_ms, uint64_t timeout_kind, uint64_t slot = 0)
        : request_timeout_ms_(request_timeout_ms), timeout_kind_(timeout_kind), slot_(slot) {}

    void add(int32_t corr, BrokerId broker, sim::NodeId node, Request request, Context& ctx) {
        InFlight f;
        f.broker = broker;
        f.node = node;
        f.request = std::move(request);
        f.timer = ctx.set_timer(sim::milliseconds(request_timeout_ms_),
                                client_timer::tag(timeout_kind_, static_cast<uint64_t>(corr), slot_));
        requests_.emplace(corr, std::move(f));
        ++per_broker_[broker];
    }
    const InFlight* find(int32_t corr) const {
        auto it = requests_.find(corr);
        return it == requests_.end() ? nullptr : &it->second;
    }
    // The answer to corr (which is in flight) came.
    InFlight complete(int32_t corr, Context& ctx) {
        auto it = requests_.find(corr);
        InFlight f = std::move(it->second);
        requests_.erase(it);
        ctx.cancel_timer(f.timer);
        if (auto c = per_broker_.find(f.broker); c != per_broker_.end() && --c->second == 0) per_broker_.erase(c);
        return f;
    }
    // corr's timer fired: the broker whose connection the timeout closes, if it is still in flight.
    std::optional<BrokerId> timed_out(uint64_t corr) {
        auto it = requests_.find(static_cast<int32_t>(corr));
        if (it == requests_.end()) return std::nullopt;
        it->second.timer = sim::TimerId{};
        return it->second.broker;
    }
    // The connection to broker closed: on_failed(corr, request) for each request on it.
    template <class OnFailed>
    void fail_all(BrokerId broker, Context& ctx, OnFailed&& on_failed) {
        std::vector<int32_t> corrs;
        for (const auto& [corr, f] : requests_)
            if (f.broker == broker) corrs.push_back(corr);
        for (int32_t corr : corrs) {
            InFlight f = complete(corr, ctx);
            on_failed(corr, f.request);
        }
    }
    // Requests in flight on broker's connection (max.in.flight.requests.per.connection).
    // Kept as a count per broker: the producer's sender asks for every batch it drains.
    int32_t count(BrokerId broker) const {
        auto it = per_broker_.find(broker);
        return it == per_broker_.end() ? 0 : it->second;
    }
    // The client closes: no request timer fires any more.
    void cancel_timers(Context& ctx) {
        for (auto& [corr, f] : requests_) ctx.cancel_timer(f.timer);
    }

private:
    int64_t request_timeout_ms_;
    uint64_t timeout_kind_;
    uint64_t slot_;
    std::map<int32_t, InFlight> requests_;
    std::map<BrokerId, int32_t> per_broker_;
};

}  // namespace kafka
