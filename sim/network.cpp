#include "sim/network.hpp"

#include <algorithm>

namespace sim {

void Network::add_node(uint64_t root_seed, const std::vector<std::string>& names) {
    size_t n = names.size();
    std::vector<Link> grown(n * n);
    for (size_t a = 0; a < n; ++a) {
        for (size_t b = 0; b < n; ++b) {
            Link& l = grown[a * n + b];
            if (a < n_ && b < n_) {
                l = links_[a * n_ + b];
            } else {
                l.rng = Rng(root_seed, "net/" + names[a] + "->" + names[b]);
            }
        }
    }
    links_ = std::move(grown);
    n_ = n;
}

Route Network::route(NodeId from, NodeId to, Time now) {
    Link& l = link(from, to);
    l.used = true;
    Route r;
    r.epoch = l.epoch;
    if (l.blocked > 0) {
        ++dropped_;
        l.lost_while_cut = true;
        r.outcome = Route::Outcome::cut;
        return r;
    }
    if (l.extra_drop_per_2_32 != 0 &&
        l.rng.chance(Probability{std::min<uint64_t>(l.extra_drop_per_2_32, uint64_t{1} << 32)})) {
        ++dropped_;
        r.outcome = Route::Outcome::dropped;
        return r;
    }
    // Each transmission is lost independently; the loss draws come first so that a link
    // without loss draws exactly what it did before loss was modelled.
    const uint64_t loss = std::min<uint64_t>(options_.loss.per_2_32 + l.extra_loss_per_2_32, uint64_t{1} << 32);
    int32_t lost = 0;
    while (lost <= options_.max_retransmissions && loss != 0 && l.rng.chance(Probability{loss})) ++lost;
    int64_t lat = options_.latency_min.us;
    if (options_.latency_max.us > options_.latency_min.us)
        lat = l.rng.between(options_.latency_min.us, options_.latency_max.us);
    lat += l.extra_latency.us;
    if (l.extra_jitter.us > 0) lat += l.rng.between(0, l.extra_jitter.us);
    // Attempt k leaves (2^k - 1) x RTO after the first (the RTO doubles per retransmission).
    const int64_t rto = std::max(options_.rto_min.us, 3 * 2 * lat);
    auto rto_sum = [rto](int32_t attempts) { return rto * ((int64_t{1} << attempts) - 1); };
    r.retransmissions = std::min(lost, options_.max_retransmissions);
    retransmissions_ += static_cast<uint64_t>(r.retransmissions);
    if (lost > options_.max_retransmissions) {
        // The last retransmission timed out too: the sender gives up and resets. Whatever
        // was sent behind it on this connection is still queued and goes with it.
        ++dropped_;
        ++gave_up_;
        r.outcome = Route::Outcome::reset;
        r.at = std::max(now + Duration{rto_sum(lost)}, l.last_delivery);
        l.last_delivery = r.at;
        return r;
    }
    const Time t = now + Duration{rto_sum(lost) + lat};
    r.at = std::max(t, l.last_delivery);
    l.last_delivery = r.at;
    return r;
}

void Network::add_latency(NodeId from, NodeId to, Duration add, Duration jitter, int sign) {
    Link& l = link(from, to);
    l.extra_latency.us += sign * add.us;
    l.extra_jitter.us += sign * jitter.us;
    if (l.extra_latency.us < 0) l.extra_latency.us = 0;
    if (l.extra_jitter.us < 0) l.extra_jitter.us = 0;
}

namespace {

// Overlapping faults add up; taking one back never goes below zero.
void adjust(uint64_t& per_2_32, Probability p, int sign) {
    if (sign > 0) per_2_32 += p.per_2_32;
    else per_2_32 -= std::min(per_2_32, p.per_2_32);
}

}  // namespace

void Network::add_loss(NodeId from, NodeId to, Probability p, int sign) {
    adjust(link(from, to).extra_loss_per_2_32, p, sign);
}

void Network::add_drop(NodeId from, NodeId to, Probability p, int sign) {
    adjust(link(from, to).extra_drop_per_2_32, p, sign);
}

void Network::heal_all() {
    for (auto& l : links_) l.blocked = 0;
}

}  // namespace sim
