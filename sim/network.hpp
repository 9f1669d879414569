// The virtual network: one directed link per ordered pair of nodes, FIFO like a TCP
// connection. Delivery time = max(previous delivery on the link, send time + latency).
// Knobs (all per link, on top of the defaults): blocked (partitions, isolation, one-way
// cuts, counted so that overlapping faults undo cleanly), extra latency and jitter, extra
// loss. A lost message resets the connection: what is still in flight on it is lost too.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

struct NetworkOptions {
    Duration latency_min = milliseconds(1);  // one-way, uniform in [min, max]
    Duration latency_max = milliseconds(3);
    Probability loss;                        // per message; default none
};

struct Link {
    Time last_delivery;
    uint32_t epoch = 0;         // bumped on a reset; deliveries of older epochs are dropped
    int32_t blocked = 0;        // how many active faults block this direction
    Duration extra_latency;
    Duration extra_jitter;
    uint64_t extra_loss_per_2_32 = 0;
    bool used = false;          // a connection has been opened on it
    bool lost_while_cut = false;  // a message was dropped because the link was cut
    Rng rng;
};

class Network {
public:
    explicit Network(NetworkOptions options = {}) : options_(options) {}

    void set_options(NetworkOptions options) { options_ = options; }
    const NetworkOptions& options() const { return options_; }
    // Grow to n nodes; link streams are named by node names so they do not depend on order.
    void add_node(uint64_t root_seed, const std::vector<std::string>& names);
    size_t size() const { return n_; }

    Link& link(NodeId from, NodeId to) { return links_[static_cast<size_t>(from) * n_ + static_cast<size_t>(to)]; }
    const Link& link(NodeId from, NodeId to) const {
        return links_[static_cast<size_t>(from) * n_ + static_cast<size_t>(to)];
    }
    bool blocked(NodeId from, NodeId to) const { return link(from, to).blocked > 0; }

    // Send-time decision: nullopt-like false = dropped. Sets deliver_at and the link epoch.
    bool route(NodeId from, NodeId to, Time now, Time& deliver_at, uint32_t& epoch);

    void block(NodeId from, NodeId to, int delta) { link(from, to).blocked += delta; }
    void add_latency(NodeId from, NodeId to, Duration add, Duration jitter, int sign);
    void add_loss(NodeId from, NodeId to, Probability p, int sign);
    void reset(NodeId from, NodeId to) { ++link(from, to).epoch; }
    // Remove every block on every link (the `heal` fault).
    void heal_all();

    uint64_t dropped() const { return dropped_; }

private:
    NetworkOptions options_;
    size_t n_ = 0;
    std::vector<Link> links_;
    uint64_t dropped_ = 0;
};

}  // namespace sim
