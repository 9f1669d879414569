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

bool Network::route(NodeId from, NodeId to, Time now, Time& deliver_at, uint32_t& epoch) {
    Link& l = link(from, to);
    l.used = true;
    if (l.blocked > 0) {
        ++dropped_;
        l.lost_while_cut = true;
        return false;
    }
    uint64_t loss = std::min<uint64_t>(options_.loss.per_2_32 + l.extra_loss_per_2_32, uint64_t{1} << 32);
    if (loss != 0 && l.rng.chance(Probability{loss})) {
        ++l.epoch;  // the connection resets: whatever is in flight on it is gone too
        ++dropped_;
        return false;
    }
    int64_t lat = options_.latency_min.us;
    if (options_.latency_max.us > options_.latency_min.us)
        lat = l.rng.between(options_.latency_min.us, options_.latency_max.us);
    lat += l.extra_latency.us;
    if (l.extra_jitter.us > 0) lat += l.rng.between(0, l.extra_jitter.us);
    Time t = now + Duration{lat};
    deliver_at = std::max(t, l.last_delivery);
    l.last_delivery = deliver_at;
    epoch = l.epoch;
    return true;
}

void Network::add_latency(NodeId from, NodeId to, Duration add, Duration jitter, int sign) {
    Link& l = link(from, to);
    l.extra_latency.us += sign * add.us;
    l.extra_jitter.us += sign * jitter.us;
    if (l.extra_latency.us < 0) l.extra_latency.us = 0;
    if (l.extra_jitter.us < 0) l.extra_jitter.us = 0;
}

void Network::add_loss(NodeId from, NodeId to, Probability p, int sign) {
    Link& l = link(from, to);
    if (sign > 0) {
        l.extra_loss_per_2_32 += p.per_2_32;
    } else {
        l.extra_loss_per_2_32 -= std::min(l.extra_loss_per_2_32, p.per_2_32);
    }
}

void Network::heal_all() {
    for (auto& l : links_) l.blocked = 0;
}

}  // namespace sim
