// The virtual network: one directed link per ordered pair of nodes, FIFO like a TCP
// connection. Delivery time = max(previous delivery on the link, send time + latency).
// Knobs (all per link, on top of the defaults): blocked (partitions, isolation, one-way
// cuts, counted so that overlapping faults undo cleanly), extra latency and jitter, extra
// loss.
//
// Loss is packet loss under TCP, not a silent drop: a lost transmission is retransmitted
// after the retransmission timeout (RTO), which doubles with every attempt, and order is
// kept, so what was sent after it on the link waits behind it (head-of-line blocking). When
// `max_retransmissions` retransmissions are lost as well the sender gives up and the
// connection resets: route() answers `reset` with the time it happens, and the world then
// drops whatever is still in flight on the pair's links and tells both ends.
//
// `drop` is the other thing, kept for what TCP cannot do: a message that silently vanishes
// with nothing resent and nobody told (a proxy or a bug that swallows one request).
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
    Probability loss;                        // per transmission; default none
    // TCP retransmission as Linux does it. The first RTO is max(rto_min, 3 x the round trip)
    // (RFC 6298's first estimate is RTT + 4 x RTT/2; Linux floors it at TCP_RTO_MIN, 200 ms,
    // which is what a LAN round trip of a few ms gets) and doubles per retransmission.
    Duration rto_min = milliseconds(200);
    // Failed retransmissions before the connection resets. Linux's tcp_retries2 = 15 gives up
    // after ~15 min, far beyond every Kafka timeout, so no sender would ever see it. 5 gives up
    // 63 x RTO after the first send (12.6 s on a LAN): before the clients' 30 s
    // request.timeout.ms, so a dead connection fails its requests early; and it takes six
    // losses in a row (p^6 per message: 1e-12 at 1% loss, 1e-6 at 10%), so only heavy loss
    // resets connections.
    int32_t max_retransmissions = 5;
};

// What the network does with one message.
struct Route {
    enum class Outcome : uint8_t {
        delivered,  // arrives at `at`
        cut,        // dropped: the link is blocked (partition, isolation, cut)
        dropped,    // dropped silently (the `drop` knob): no retransmission, no reset
        reset,      // every transmission lost: the connection resets at `at`
    };
    Outcome outcome = Outcome::delivered;
    Time at;
    uint32_t epoch = 0;           // the link's connection epoch when sent
    int32_t retransmissions = 0;  // lost transmissions before it arrived (or gave up)
};

struct Link {
    Time last_delivery;
    uint32_t epoch = 0;         // bumped on a reset; deliveries of older epochs are dropped
    int32_t blocked = 0;        // how many active faults block this direction
    Duration extra_latency;
    Duration extra_jitter;
    uint64_t extra_loss_per_2_32 = 0;   // packet loss, retransmitted (TCP)
    uint64_t extra_drop_per_2_32 = 0;   // silent whole-message drop, never resent
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

    // Send-time decision: when the message arrives, or that it is dropped or resets the
    // connection. Draws from the link's stream only.
    Route route(NodeId from, NodeId to, Time now);

    void block(NodeId from, NodeId to, int delta) { link(from, to).blocked += delta; }
    void add_latency(NodeId from, NodeId to, Duration add, Duration jitter, int sign);
    void add_loss(NodeId from, NodeId to, Probability p, int sign);
    void add_drop(NodeId from, NodeId to, Probability p, int sign);
    void reset(NodeId from, NodeId to) { ++link(from, to).epoch; }
    // Remove every block on every link (the `heal` fault).
    void heal_all();

    uint64_t dropped() const { return dropped_; }
    uint64_t retransmissions() const { return retransmissions_; }
    uint64_t gave_up() const { return gave_up_; }

private:
    NetworkOptions options_;
    size_t n_ = 0;
    std::vector<Link> links_;
    uint64_t dropped_ = 0;
    uint64_t retransmissions_ = 0;  // lost transmissions that TCP resent
    uint64_t gave_up_ = 0;          // messages whose every transmission was lost
};

}  // namespace sim
