// quorum: the metadata quorum could (available=true) or could not (available=false) commit
// throughout a window. Commit progress is the quorum leader's "raft_hw" events: the active
// controller writes a no-op record every 500 ms, so a healthy quorum commits at least twice a
// second, and a gap longer than one failover means the quorum was down.
// In ZooKeeper mode the ensemble commits a write whenever it has a leader that a majority
// follows; the ensemble writes nothing on its own, so availability is read from the
// leaders' terms instead: from "zk_leading" (a quorum synced with the new leader) until that
// server goes back to LOOKING, is crashed, stopped or paused, or a newer leader takes over.
#include <algorithm>
#include <map>

#include "broker/config.hpp"
#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/timeline.hpp"

namespace scenarios {
namespace {
using namespace checkers;

kafka::BrokerConfig broker_config(const RunData& run) {
    return kafka::BrokerConfig::from(run.scenario.kafka.profile, run.scenario.kafka.config);
}

// The longest a healthy quorum may go without committing: followers notice the leader is
// gone after the fetch timeout, an election may need two election timeouts (a split vote)
// and a backoff.
struct FailoverBound {
    int64_t fetch_timeout_ms, election_timeout_ms, backoff_ms;
    sim::Duration total() const { return sim::milliseconds(fetch_timeout_ms + 2 * election_timeout_ms + backoff_ms); }
    std::string text() const {
        return sim::format_duration(total()) + " = fetch timeout " + sim::format_duration(sim::milliseconds(fetch_timeout_ms)) +
               " + 2 x election timeout " + sim::format_duration(sim::milliseconds(election_timeout_ms)) + " + backoff " +
               sim::format_duration(sim::milliseconds(backoff_ms));
    }
};

FailoverBound failover_bound(const RunData& run) {
    const kafka::BrokerConfig c = broker_config(run);
    return {c.controller_quorum_fetch_timeout_ms, c.controller_quorum_election_timeout_ms,
            c.controller_quorum_election_backoff_max_ms};
}

struct Window {
    sim::Time from, to;
    std::string text() const { return sim::format_time(from) + ".." + sim::format_time(to); }
};

Window window_of(const ExpectSpec& spec, const RunData& run) {
    Window w{sim::time_zero + spec.during_from.value_or(sim::Duration{}),
             spec.during_to ? sim::time_zero + *spec.during_to : run.end};
    if (run.end > sim::time_zero) w.to = std::min(w.to, run.end);  // nothing was simulated past the end
    return w;
}

// A commit: the quorum leader's high watermark advanced.
struct Commit {
    sim::Time time;
    const kafka::RaftHighWatermark* hw = nullptr;
};

std::vector<Commit> commits_in(const RunData& run, Window w) {
    std::vector<Commit> out;
    for (const kafka::TraceEntry& ev : trace_events(run))
        if (const auto* hw = std::get_if<kafka::RaftHighWatermark>(&ev.event); hw && ev.time >= w.from && ev.time <= w.to)
            out.push_back({ev.time, hw});
    return out;
}

std::string commit_text(const Commit* c, const char* window_edge) {
    if (c == nullptr) return window_edge;
    return sim::format_time(c->time) + " (epoch " + std::to_string(c->hw->epoch) + ", hw " + std::to_string(c->hw->hw) +
           ")";
}

// A stretch without commits, between two commits or a commit and a window edge.
struct Gap {
    sim::Time from, to;
    const Commit* before = nullptr;  // nullptr: the window start
    const Commit* after = nullptr;   // nullptr: the window end
    sim::Duration length() const { return to - from; }
    std::string text() const {
        return "no commit for " + duration_text(length()) + ": from " + commit_text(before, "the window start") +
               (before == nullptr ? " " + sim::format_time(from) : "") + " to " + commit_text(after, "the window end") +
               (after == nullptr ? " " + sim::format_time(to) : "");
    }
};

std::vector<Gap> gaps_between(const std::vector<Commit>& commits, Window w) {
    std::vector<Gap> out;
    Gap g{w.from, w.from};
    for (const Commit& c : commits) {
        g.to = c.time;
        g.after = &c;
        out.push_back(g);
        g = Gap{c.time, c.time, &c};
    }
    g.to = w.to;
    g.after = nullptr;
    out.push_back(g);
    return out;
}

CheckResult check_available(const RunData& run, Window w, const std::vector<Commit>& commits) {
    const FailoverBound bound = failover_bound(run);
    const std::vector<Gap> gaps = gaps_between(commits, w);
    const Gap& longest = *std::max_element(gaps.begin(), gaps.end(),
                                           [](const Gap& a, const Gap& b) { return a.length() < b.length(); });
    CheckResult result;
    Evidence evidence;
    for (const Gap& g : gaps)
        if (g.length() > bound.total()) evidence.add(g.text());
    result.holds = longest.length() <= bound.total();
    if (result.holds) {
        result.summary = "the metadata quorum committed throughout " + w.text() + ": " +
                         count_text(static_cast<int64_t>(commits.size()), "commit") + ", longest gap " +
                         duration_text(longest.length()) + " (bound " + bound.text() + ")";
        evidence.add("longest gap: " + longest.text());
    } else {
        result.summary = "the metadata quorum could not commit for " + duration_text(longest.length()) + " (" +
                         sim::format_time(longest.from) + ".." + sim::format_time(longest.to) + "), more than the bound " +
                         bound.text();
    }
    result.evidence = evidence.take();
    return result;
}

CheckResult check_unavailable(Window w, const std::vector<Commit>& commits) {
    CheckResult result;
    result.holds = commits.empty();
    if (result.holds) {
        result.summary = "the metadata quorum committed nothing in " + w.text();
        return result;
    }
    result.summary = "the metadata quorum committed " + count_text(static_cast<int64_t>(commits.size()), "time") + " in " +
                     w.text() + " (first at " + sim::format_time(commits.front().time) + ")";
    Evidence evidence;
    for (const Commit& c : commits) evidence.add_lazy([&] { return "commit at " + commit_text(&c, ""); });
    result.evidence = evidence.take();
    return result;
}

// ---- ZooKeeper mode

// The longest a healthy ensemble may go without a serving leader: followers give up on a
// silent leader after syncLimit ticks, an election takes a few finalizeWait rounds, and the
// new leader needs its followers synced (within initLimit; a tick is plenty in practice).
struct EnsembleBound {
    int64_t tick_ms, sync_limit;
    sim::Duration total() const { return sim::milliseconds(tick_ms * (sync_limit + 1) + 1000); }
    std::string text() const {
        return sim::format_duration(total()) + " = syncLimit " + std::to_string(sync_limit) + " x tickTime " +
               sim::format_duration(sim::milliseconds(tick_ms)) + " + one tick to sync + 1s of elections";
    }
};

// Terms of serving leaders, clipped to the window.
std::vector<Window> ensemble_terms(const RunData& run, Window w) {
    std::vector<Window> terms;
    std::map<sim::NodeId, sim::Time> open;  // leader node -> serving since
    auto close = [&](sim::NodeId n, sim::Time t) {
        auto it = open.find(n);
        if (it == open.end()) return;
        terms.push_back({it->second, t});
        open.erase(it);
    };
    auto on_event = [&](const kafka::TraceEntry& ev) {
        if (std::holds_alternative<kafka::ZkLeading>(ev.event)) {
            for (auto it = open.begin(); it != open.end();) {  // a newer leader ends older terms
                terms.push_back({it->second, ev.time});
                it = open.erase(it);
            }
            open[ev.node] = ev.time;
        } else if (std::holds_alternative<kafka::ZkLooking>(ev.event) ||
                   std::holds_alternative<kafka::ZkFollowing>(ev.event)) {
            close(ev.node, ev.time);
        }
    };
    // A leader that crashed, stopped or paused serves no more.
    auto on_fault = [&](const FaultRecord& f) {
        if (!f.fired || f.is_undo) return;
        if (f.action != FaultAction::crash && f.action != FaultAction::power_loss && f.action != FaultAction::shutdown &&
            f.action != FaultAction::pause)
            return;
        for (auto it = open.begin(); it != open.end();) {
            if (run.trace != nullptr &&
                std::find(f.resolved.begin(), f.resolved.end(), run.trace->node_name(it->first)) != f.resolved.end()) {
                terms.push_back({it->second, f.at});
                it = open.erase(it);
            } else {
                ++it;
            }
        }
    };
    for_each_in_order(run, on_event, on_fault);
    for (const auto& [n, since] : open) terms.push_back({since, run.end});
    std::vector<Window> out;
    for (const Window& t : terms) {
        Window c{std::max(t.from, w.from), std::min(t.to, w.to)};
        if (c.from < c.to || (c.from == c.to && t.from <= w.from && t.to >= w.to)) out.push_back(c);
    }
    std::sort(out.begin(), out.end(), [](const Window& a, const Window& b) { return a.from < b.from; });
    return out;
}

CheckResult check_ensemble(const ExpectSpec& spec, const RunData& run, Window w) {
    const kafka::BrokerConfig c = broker_config(run);
    const EnsembleBound bound{c.zookeeper_tick_time_ms, c.zookeeper_sync_limit};
    const std::vector<Window> terms = ensemble_terms(run, w);
    // Gaps: stretches of the window with no serving leader.
    std::vector<Window> gaps;
    sim::Time cursor = w.from;
    for (const Window& t : terms) {
        if (t.from > cursor) gaps.push_back({cursor, t.from});
        cursor = std::max(cursor, t.to);
    }
    if (cursor < w.to) gaps.push_back({cursor, w.to});
    CheckResult result;
    Evidence evidence;
    if (!spec.available) {
        result.holds = terms.empty();
        if (result.holds) {
            result.summary = "the ZooKeeper ensemble had no serving leader in " + w.text();
        } else {
            result.summary = "the ZooKeeper ensemble had a serving leader for part of " + w.text() + " (first from " +
                             sim::format_time(terms.front().from) + ")";
            for (const Window& t : terms) evidence.add("leader serving " + t.text());
        }
        result.evidence = evidence.take();
        return result;
    }
    sim::Duration longest{};
    Window worst{w.from, w.from};
    for (const Window& g : gaps) {
        if (g.to - g.from > longest) {
            longest = g.to - g.from;
            worst = g;
        }
        if (g.to - g.from > bound.total()) evidence.add("no serving ZooKeeper leader " + g.text());
    }
    result.holds = longest <= bound.total();
    result.summary = result.holds ? "the ZooKeeper ensemble could commit throughout " + w.text() + ": " +
                                        count_text(static_cast<int64_t>(terms.size()), "leader term") +
                                        ", longest gap " + duration_text(longest) + " (bound " + bound.text() + ")"
                                  : "the ZooKeeper ensemble had no serving leader for " + duration_text(longest) + " (" +
                                        worst.text() + "), more than the bound " + bound.text();
    result.evidence = evidence.take();
    return result;
}

}  // namespace

CheckResult check_quorum(const ExpectSpec& spec, const RunData& run) {
    const Window w = window_of(spec, run);
    // Every run elects a quorum leader at the start: a trace without one cannot tell whether
    // the quorum was up or down.
    const bool zk = run.scenario.kafka.metadata == MetadataMode::zookeeper;
    const bool leader_seen = std::any_of(trace_events(run).begin(), trace_events(run).end(), [&](const kafka::TraceEntry& e) {
        return zk ? std::holds_alternative<kafka::ZkLeading>(e.event) : std::holds_alternative<kafka::RaftLeader>(e.event);
    });
    if (!leader_seen)
        return not_checked(zk ? "no ZooKeeper leader (zk_leading) events in the trace"
                              : "no metadata quorum leader (raft_leader) events in the trace");
    if (zk) return check_ensemble(spec, run, w);
    const std::vector<Commit> commits = commits_in(run, w);
    return spec.available ? check_available(run, w, commits) : check_unavailable(w, commits);
}

const CheckDescriptor& quorum_check() {
    static const CheckDescriptor d{CheckKind::quorum, "quorum", {{"available", false}, {"during", false}},
                                  "`available` (bool, default `true`), `during`: `[from, to]` (default: whole run)",
                                  "the metadata quorum could (or, with `false`, could not) commit throughout the window",
                                  check_quorum};
    return d;
}

}  // namespace scenarios
