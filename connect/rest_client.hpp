// An operator's HTTP client for Kafka Connect's REST API (curl), as a node: it sends the
// scenario's "rest" actions to their worker at their times and keeps every answer. The
// connectors a distributed scenario declares are created through it at the start, as a
// deployment script does: POST /connectors to the first worker, again every second while the
// answer is 409 (no leader yet, a rebalance) or there is none (the worker is not up yet).
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "broker/world.hpp"
#include "sim/time.hpp"

namespace kafka::connect {

struct RestAction {
    sim::Time at;
    int32_t worker = 1;         // connect:<worker>
    std::string method, path, body;
    bool retry_until_accepted = false;  // bootstrap: retry 409s and timeouts every second
    std::string label;          // as written, for reports ("faults/3")
};

struct RestExchange {
    size_t action = 0;          // index into the actions
    sim::Time sent, answered;
    int32_t status = 0;         // 0: no answer (timed out)
    std::string body;
};

class RestClient : public Node {
public:
    RestClient(std::vector<RestAction> actions, const ClusterDirectory& dir);
    void on_start(Context& ctx) override;
    void on_message(sim::NodeId from, Message& msg, Context& ctx) override;
    void on_timer(uint64_t tag, Context& ctx) override;

    const std::vector<RestAction>& actions() const { return actions_; }
    const std::vector<RestExchange>& exchanges() const { return exchanges_; }

private:
    void send(size_t action, Context& ctx);

    std::vector<RestAction> actions_;
    const ClusterDirectory* dir_;
    std::vector<RestExchange> exchanges_;
    std::map<int32_t, size_t> in_flight_;  // correlation id -> exchange
    int32_t next_corr_ = 1;
};

}  // namespace kafka::connect
