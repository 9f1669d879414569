// quorum: the metadata quorum could (available=true) or could not (available=false) commit
// throughout a window. Commit progress is the quorum leader's "raft_hw" events: the active
// controller writes a no-op record every 500 ms, so a healthy quorum commits at least twice a
// second, and a gap longer than one failover means the quorum was down.
#include <algorithm>

#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

int64_t config_ms(const RunData& run, const char* key, int64_t fallback) {
    for (const kafka::ConfigMap* map : {&run.scenario.kafka.config, &run.scenario.kafka.profile.defaults})
        if (auto it = map->find(key); it != map->end()) return kafka::config_int(it->second);
    return fallback;
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
    return {config_ms(run, "controller.quorum.fetch.timeout.ms", 2000),
            config_ms(run, "controller.quorum.election.timeout.ms", 1000),
            config_ms(run, "controller.quorum.election.backoff.max.ms", 1000)};
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

std::vector<const sim::TraceEvent*> commits_in(const RunData& run, Window w) {
    std::vector<const sim::TraceEvent*> out;
    for (const sim::TraceEvent& ev : trace_events(run))
        if (ev.kind == "raft_hw" && ev.time >= w.from && ev.time <= w.to) out.push_back(&ev);
    return out;
}

std::string commit_text(const sim::TraceEvent* ev, const char* window_edge) {
    if (ev == nullptr) return window_edge;
    return sim::format_time(ev->time) + " (epoch " + std::to_string(ev->int_or("epoch", -1)) + ", hw " +
           std::to_string(ev->int_or("hw", -1)) + ")";
}

// A stretch without commits, between two commits or a commit and a window edge.
struct Gap {
    sim::Time from, to;
    const sim::TraceEvent* before = nullptr;  // nullptr: the window start
    const sim::TraceEvent* after = nullptr;   // nullptr: the window end
    sim::Duration length() const { return to - from; }
    std::string text() const {
        return "no commit for " + duration_text(length()) + ": from " + commit_text(before, "the window start") +
               (before == nullptr ? " " + sim::format_time(from) : "") + " to " + commit_text(after, "the window end") +
               (after == nullptr ? " " + sim::format_time(to) : "");
    }
};

std::vector<Gap> gaps_between(const std::vector<const sim::TraceEvent*>& commits, Window w) {
    std::vector<Gap> out;
    Gap g{w.from, w.from};
    for (const sim::TraceEvent* c : commits) {
        g.to = c->time;
        g.after = c;
        out.push_back(g);
        g = Gap{c->time, c->time, c};
    }
    g.to = w.to;
    g.after = nullptr;
    out.push_back(g);
    return out;
}

CheckResult check_available(const RunData& run, Window w, const std::vector<const sim::TraceEvent*>& commits) {
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

CheckResult check_unavailable(Window w, const std::vector<const sim::TraceEvent*>& commits) {
    CheckResult result;
    result.holds = commits.empty();
    if (result.holds) {
        result.summary = "the metadata quorum committed nothing in " + w.text();
        return result;
    }
    result.summary = "the metadata quorum committed " + count_text(static_cast<int64_t>(commits.size()), "time") + " in " +
                     w.text() + " (first at " + sim::format_time(commits.front()->time) + ")";
    Evidence evidence;
    for (const sim::TraceEvent* c : commits) evidence.add_lazy([&] { return "commit at " + commit_text(c, ""); });
    result.evidence = evidence.take();
    return result;
}

}  // namespace

CheckResult check_quorum(const ExpectSpec& spec, const RunData& run) {
    const Window w = window_of(spec, run);
    const std::vector<const sim::TraceEvent*> commits = commits_in(run, w);
    return spec.available ? check_available(run, w, commits) : check_unavailable(w, commits);
}

}  // namespace scenarios
