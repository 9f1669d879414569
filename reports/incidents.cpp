#include "reports/incidents.hpp"

#include <algorithm>
#include <map>
#include <set>

namespace reports {

namespace {

// "broker:2" -> 2 when the name has that prefix.
std::optional<int32_t> id_of(const std::string& node, const std::string& prefix) {
    if (node.rfind(prefix, 0) != 0) return std::nullopt;
    try {
        size_t used = 0;
        int id = std::stoi(node.substr(prefix.size()), &used);
        if (used == node.size() - prefix.size()) return id;
    } catch (const std::exception&) {
    }
    return std::nullopt;
}

// The last sample before `t` (one taken at `t` may already show the fault); nullopt before the first.
std::optional<size_t> sample_before(const scenarios::RunData& run, sim::Time t) {
    std::optional<size_t> row;
    for (size_t r = 0; r < run.samples.size() && run.samples[r].t < t; ++r) row = r;
    return row;
}

struct BatchKey {
    uint32_t client;
    kafka::TopicPartition tp;
    uint32_t first_seq;
    auto operator<=>(const BatchKey&) const = default;
};
struct Settled {
    sim::Time t;
    bool acked = false;
    int64_t base_offset = -1;
};

// A partition's metadata changes after the fault, as the controller recorded them.
struct Change {
    sim::Time t;
    int32_t leader = -1;
    bool unclean = false;
};
std::vector<Change> changes_of(const scenarios::RunData& run, const std::string& topic, int32_t partition) {
    std::vector<Change> out;
    if (run.trace == nullptr) return out;
    for (const auto& ev : run.trace->events()) {
        if (const auto* c = std::get_if<kafka::PartitionChange>(&ev.event); c != nullptr && c->topic == topic && c->partition == partition)
            out.push_back({ev.time, c->leader, c->unclean});
        if (const auto* z = std::get_if<kafka::ZkPartitionState>(&ev.event); z != nullptr && z->topic == topic && z->partition == partition)
            out.push_back({ev.time, z->leader, z->unclean.value_or(false)});
    }
    return out;
}

// When the controller declared `broker` dead after `from`.
std::optional<sim::Time> fenced_at(const scenarios::RunData& run, int32_t broker, sim::Time from) {
    if (run.trace == nullptr) return std::nullopt;
    for (const auto& ev : run.trace->events()) {
        if (ev.time < from) continue;
        if (const auto* f = std::get_if<kafka::BrokerFenced>(&ev.event); f != nullptr && f->broker == broker) return ev.time;
        if (const auto* z = std::get_if<kafka::ZkBrokerChange>(&ev.event);
            z != nullptr && std::find(z->dead.begin(), z->dead.end(), broker) != z->dead.end())
            return ev.time;
    }
    return std::nullopt;
}

// When the rest of the cluster noticed the active controller gone: a KRaft voter turned candidate
// (or prospective), or ZooKeeper expired a session holding /controller.
std::optional<sim::Time> controller_loss_noticed(const scenarios::RunData& run, sim::Time from) {
    if (run.trace == nullptr) return std::nullopt;
    for (const auto& ev : run.trace->events()) {
        if (ev.time < from) continue;
        if (const auto* r = std::get_if<kafka::RaftStateChanged>(&ev.event);
            r != nullptr && (r->state == "Candidate" || r->state == "Prospective" || r->state == "Unattached"))
            return ev.time;
        if (const auto* z = std::get_if<kafka::ZkSessionExpired>(&ev.event);
            z != nullptr && z->ephemerals.find("/controller") != std::string::npos)
            return ev.time;
    }
    return std::nullopt;
}

}  // namespace

std::vector<IncidentRow> incidents(const scenarios::RunData& run, const std::vector<FaultWindow>& windows) {
    std::vector<IncidentRow> out;
    if (run.samples.empty()) return out;
    const scenarios::History* h = run.history;
    // Every batch's first send and how it was settled.
    std::map<BatchKey, Settled> settled;
    std::map<kafka::TopicPartition, std::vector<sim::Time>> acks_of;
    std::map<kafka::TopicPartition, std::vector<const scenarios::SendOp*>> sends_of;  // in time order
    if (h != nullptr) {
        for (const auto& send : h->sends()) sends_of[send.records.tp].push_back(&send);
        for (const auto& a : h->acks()) {
            settled.emplace(BatchKey{a.records.client, a.records.tp, a.records.first_seq}, Settled{a.t, true, a.base_offset});
            acks_of[a.records.tp].push_back(a.t);
        }
        for (const auto& e : h->errors())
            if (e.final) settled.emplace(BatchKey{e.records.client, e.records.tp, e.records.first_seq}, Settled{e.t, false, -1});
    }
    std::optional<FinalLogCopies> copies;
    for (size_t wi = 0; wi < windows.size(); ++wi) {
        const FaultWindow& w = windows[wi];
        if (w.instant || w.kind == FaultWindow::Kind::network_degraded || w.kind == FaultWindow::Kind::recovery) continue;
        const std::vector<std::string>& nodes = run.faults[w.record].resolved;
        std::set<int32_t> brokers, controllers;
        for (const std::string& n : nodes) {
            if (auto id = id_of(n, "broker:")) brokers.insert(*id);
            if (auto id = id_of(n, "controller:")) controllers.insert(*id);
        }
        const std::optional<size_t> row0 = sample_before(run, w.from);
        if (!row0) continue;
        const scenarios::Sample& before = run.samples[*row0];
        const bool cut = w.kind == FaultWindow::Kind::network_cut;
        // The next fault that names `broker` too: what changes after it is its own incident.
        auto next_fault_on = [&](int32_t broker) -> std::optional<sim::Time> {
            const std::string name = "broker:" + std::to_string(broker);
            for (size_t k = wi + 1; k < windows.size(); ++k) {
                if (windows[k].instant || windows[k].from <= w.from) continue;
                const auto& later = run.faults[windows[k].record].resolved;
                if (std::find(later.begin(), later.end(), name) != later.end()) return windows[k].from;
            }
            return std::nullopt;
        };

        // Partition leaders it took away.
        for (size_t i = 0; i < before.partitions.size() && i < run.final_state.partitions.size(); ++i) {
            const scenarios::PartitionSnapshot& ps = run.final_state.partitions[i];
            const int32_t leader = before.partitions[i].leader;
            if (leader < 0 || brokers.count(leader) == 0) continue;
            IncidentRow r;
            r.window = wi;
            r.fault = w.label;
            r.fault_at = w.from;
            r.what = ps.label() + " leader";
            r.leader_before = leader;
            r.leader_after = leader;
            bool offline = false;
            std::optional<sim::Time> first_change;
            const std::optional<sim::Time> next_fault = next_fault_on(leader);
            for (const Change& c : changes_of(run, ps.topic, ps.tp.partition)) {
                if (c.t < w.from) continue;
                if (next_fault && c.t >= *next_fault) break;  // that one is the next fault's doing
                if (!first_change) first_change = c.t;
                if (c.leader < 0) {
                    offline = true;
                    continue;
                }
                if (c.leader != leader || offline) {
                    r.elected = c.t - w.from;
                    r.leader_after = c.leader;
                    r.unclean = c.unclean;
                    break;
                }
            }
            // A cut that everyone sits on one side of moves nothing: only the leaders it replaced.
            if (cut && !r.elected) continue;
            std::optional<sim::Time> detected = fenced_at(run, leader, w.from);
            if (first_change && (!detected || *first_change < *detected)) detected = first_change;
            if (detected) r.detected = *detected - w.from;

            // The longest stretch without an acknowledgement that overlaps the fault and its election.
            auto acks = acks_of.find(ps.tp);
            r.produced = acks != acks_of.end();
            if (r.produced) {
                const std::vector<sim::Time>& t = acks->second;
                const sim::Time until = w.from + r.elected.value_or(w.until - w.from);
                auto it = std::upper_bound(t.begin(), t.end(), w.from);
                sim::Time start = it == t.begin() ? w.from : *(it - 1);
                sim::Duration longest{-1};
                for (sim::Time prev = start; prev <= until; ++it) {
                    if (it == t.end()) {  // never acknowledged again
                        r.unavailable_from = prev;
                        r.unavailable_until.reset();
                        longest = sim::Duration{INT64_MAX};
                        break;
                    }
                    if (*it - prev > longest) {
                        longest = *it - prev;
                        r.unavailable_from = prev;
                        r.unavailable_until = *it;
                    }
                    prev = *it;
                }
                // Records caught in it: unacknowledged when the fault or the stretch began, or sent
                // before the partition had its new leader and acknowledged again (an old leader cut
                // off with its producers may acknowledge what the new one never has).
                if (r.unavailable_from && h != nullptr) {
                    const sim::Time gap_from = std::min(w.from, *r.unavailable_from);
                    sim::Time gap_until = r.unavailable_until.value_or(run.end);
                    if (r.elected) gap_until = std::max(gap_until, w.from + *r.elected);
                    if (!copies) copies.emplace(run);
                    r.fates_judged = copies->judged();
                    for (const scenarios::SendOp* send : sends_of[ps.tp]) {
                        const scenarios::SendOp& s = *send;
                        if (s.t > gap_until) break;
                        auto st = settled.find(BatchKey{s.records.client, s.records.tp, s.records.first_seq});
                        if (st != settled.end() && st->second.t <= gap_from) continue;
                        r.at_risk += s.records.count;
                        if (st == settled.end()) {
                            r.at_risk_unanswered += s.records.count;
                        } else if (!st->second.acked) {
                            r.at_risk_failed += s.records.count;
                        } else {
                            r.at_risk_acked += s.records.count;
                            for (uint32_t seq = s.records.first_seq; seq < s.records.end_seq(); ++seq) {
                                int64_t offset = st->second.base_offset < 0 ? -1 : st->second.base_offset + (seq - s.records.first_seq);
                                std::optional<int> k = copies->copies(s.records.client, ps.tp, seq, offset);
                                if (k && *k == 0) ++r.at_risk_lost;
                                if (k && *k > 1) ++r.at_risk_duplicated;
                            }
                        }
                    }
                }
            }
            out.push_back(std::move(r));
        }

        // The active controller it took away (a KRaft controller, or the broker that was
        // ZooKeeper mode's controller). Noticed from the trace; elected to the sample interval.
        const int32_t active = before.active_controller;
        if (active >= 0 && (controllers.count(active) != 0 || brokers.count(active) != 0)) {
            IncidentRow r;
            r.window = wi;
            r.fault = w.label;
            r.fault_at = w.from;
            r.what = "active controller";
            r.leader_before = active;
            r.leader_after = active;
            if (auto noticed = controller_loss_noticed(run, w.from)) r.detected = *noticed - w.from;
            for (size_t row = *row0 + 1; row < run.samples.size(); ++row) {
                const int32_t now = run.samples[row].active_controller;
                if (now == active || now < 0) continue;
                {
                    r.elected = run.samples[row].t - w.from;
                    r.leader_after = now;
                    break;
                }
            }
            if (!(cut && !r.elected)) out.push_back(std::move(r));
        }
    }
    return out;
}

}  // namespace reports
