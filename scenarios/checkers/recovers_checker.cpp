// recovers: within `within` of the last fault being undone, every partition has a leader and
// a full ISR (and keeps them to the end), produces are acknowledged again, and every group's
// lag is back to its pre-fault level. Measured on the samples, so to the sample interval.
#include <algorithm>
#include <map>
#include <optional>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// Lag a group may carry above its pre-fault peak and still count as recovered: records that
// arrived while it was catching up.
constexpr int64_t lag_tolerance = 100;

bool undoes(const FaultRecord& f) {
    return f.is_undo || f.action == FaultAction::restart || f.action == FaultAction::resume || f.action == FaultAction::heal;
}

struct FaultWindow {
    sim::Time first_fault;  // the first fault that fired: lag before it is the baseline
    sim::Time undone;       // when the last fault was undone (U)
};

// Without any undo record the last fault is still in force; recovery is measured from it and
// will usually not happen, which is the honest answer.
std::optional<FaultWindow> fault_window(const RunData& run) {
    std::optional<sim::Time> first, last_undo, last_any;
    for (const FaultRecord& f : run.faults) {
        if (!f.fired) continue;
        if (!undoes(f) && (!first || f.at < *first)) first = f.at;
        if (undoes(f)) last_undo = std::max(last_undo.value_or(f.at), f.at);
        last_any = std::max(last_any.value_or(f.at), f.at);
    }
    if (!first) return std::nullopt;
    return FaultWindow{*first, last_undo.value_or(*last_any)};
}

// When one part of the cluster was back; nullopt: it never was.
struct Recovery {
    std::string what;
    std::optional<sim::Time> at;
    std::string detail;
};

std::string partition_label(const RunData& run, size_t index) {
    if (index < run.final_state.partitions.size()) return run.final_state.partitions[index].label();
    return "partition #" + std::to_string(index);
}

bool healthy(const PartitionSample& p) { return p.leader >= 0 && p.isr_size >= p.replica_count; }

std::string ill_text(const PartitionSample& p) {
    if (p.leader < 0) return "had no leader";
    return "had ISR " + std::to_string(p.isr_size) + " of " + std::to_string(p.replica_count);
}

// The start of the stretch of samples, ending at `last`, in which partition `index` was ill.
sim::Time ill_since(const RunData& run, size_t index, size_t last) {
    size_t i = last;
    while (i > 0 && index < run.samples[i - 1].partitions.size() && !healthy(run.samples[i - 1].partitions[index])) --i;
    return run.samples[i].t;
}

Recovery partitions_recovery(const RunData& run, sim::Time undone, Evidence& evidence) {
    const auto& samples = run.samples;
    std::optional<size_t> last_ill;
    for (size_t i = 0; i < samples.size(); ++i)
        if (!std::all_of(samples[i].partitions.begin(), samples[i].partitions.end(), healthy)) last_ill = i;

    Recovery r{"leaders and full ISRs", undone, ""};
    if (!last_ill) return r;
    const bool never = *last_ill + 1 == samples.size();
    if (!never) r.at = std::max(undone, samples[*last_ill + 1].t);
    else r.at.reset();
    if (never || samples[*last_ill].t >= undone) {
        const Sample& s = samples[*last_ill];
        for (size_t p = 0; p < s.partitions.size(); ++p) {
            if (healthy(s.partitions[p])) continue;
            evidence.add(partition_label(run, p) + " " + ill_text(s.partitions[p]) + " from " +
                         sim::format_time(ill_since(run, p, *last_ill)) +
                         (never ? " to the end of the run" : " until " + sim::format_time(s.t)));
        }
    }
    return r;
}

bool producing_after(const RunData& run, sim::Time undone) {
    for (const ProducerSpec& p : run.scenario.producers)
        if (sim::time_zero + p.until.value_or(run.scenario.duration) > undone) return true;
    const auto& sends = history_of(run).sends();
    return std::any_of(sends.begin(), sends.end(), [&](const SendOp& s) { return s.t >= undone; });
}

std::optional<Recovery> produce_recovery(const RunData& run, sim::Time undone) {
    if (!producing_after(run, undone)) return std::nullopt;  // nobody left to produce
    const auto& acks = history_of(run).acks();
    auto it = std::find_if(acks.begin(), acks.end(), [&](const AckOp& a) { return a.t >= undone; });
    if (it != acks.end()) return Recovery{"produce", it->t, "first acknowledgement at " + sim::format_time(it->t)};
    std::string last = acks.empty() ? "none at all" : "the last at " + sim::format_time(acks.back().t);
    return Recovery{"produce", std::nullopt, "no produce acknowledged after " + sim::format_time(undone) + " (" + last + ")"};
}

// A group's lag is the sum over its members; a consumer without a group is its own reader.
std::map<std::string, int64_t> reader_lags(const RunData& run, const Sample& s) {
    std::map<std::string, int64_t> out;
    for (const ConsumerSample& c : s.consumers)
        out[c.group.empty() ? client_text(run, c.consumer) : "group " + c.group] += c.lag;
    return out;
}

// A reader whose consumers were all told to stop by `t` is not expected to catch up.
bool stopped_by(const RunData& run, const std::string& reader, sim::Time t) {
    bool matched = false;
    for (const ConsumerSpec& c : run.scenario.consumers) {
        const bool same = c.group ? reader == "group " + *c.group : reader.rfind("group ", 0) != 0;
        if (!same) continue;
        matched = true;
        if (!c.until || sim::time_zero + *c.until > t) return false;
    }
    return matched;
}

std::vector<Recovery> lag_recoveries(const RunData& run, FaultWindow w) {
    std::map<std::string, int64_t> baseline;
    std::map<std::string, std::optional<sim::Time>> back_at;
    std::map<std::string, int64_t> lag_at_end;
    for (const Sample& s : run.samples) {
        for (const auto& [reader, lag] : reader_lags(run, s)) {
            if (s.t < w.first_fault) {
                baseline[reader] = std::max(baseline[reader], lag);
                continue;
            }
            if (s.t < w.undone) continue;
            auto& back = back_at[reader];
            lag_at_end[reader] = lag;
            if (!back && lag <= std::max<int64_t>(baseline[reader], 0) + lag_tolerance) back = s.t;
        }
    }
    std::vector<Recovery> out;
    for (const auto& [reader, back] : back_at) {
        if (stopped_by(run, reader, w.undone)) continue;
        const std::string level = with_commas(baseline[reader] + lag_tolerance) + " (pre-fault peak " +
                                  with_commas(baseline[reader]) + " + " + std::to_string(lag_tolerance) + ")";
        out.push_back(back ? Recovery{"lag of " + reader, back, "at most " + level + " at " + sim::format_time(*back)}
                           : Recovery{"lag of " + reader, std::nullopt,
                                      "never down to " + level + ", " + with_commas(lag_at_end[reader]) + " at the end"});
    }
    return out;
}

}  // namespace

CheckResult check_recovers(const ExpectSpec& spec, const RunData& run) {
    CheckResult result;
    const std::optional<FaultWindow> w = fault_window(run);
    if (!w) {
        result.holds = true;
        result.summary = "no faults";
        return result;
    }
    Evidence evidence;
    std::vector<Recovery> parts{partitions_recovery(run, w->undone, evidence)};
    if (auto produce = produce_recovery(run, w->undone)) parts.push_back(*produce);
    for (Recovery& r : lag_recoveries(run, *w)) parts.push_back(std::move(r));

    // Recovered when the slowest part was back; never, when one part never was.
    bool recovered = true;
    sim::Time recovered_at = w->undone;
    const Recovery* slowest = nullptr;
    for (const Recovery& r : parts) {
        if (!r.at) {
            recovered = false;
            slowest = &r;
            break;
        }
        if (*r.at > recovered_at) recovered_at = *r.at, slowest = &r;
    }
    for (const Recovery& r : parts) {
        const std::string when = r.at ? "back after " + duration_text(*r.at - w->undone) : "not back";
        evidence.add(r.what + ": " + when + (r.detail.empty() ? "" : "; " + r.detail));
    }

    const std::string since = "the last fault was undone at " + sim::format_time(w->undone);
    const std::string limit = sim::format_duration(spec.within);
    const sim::Duration took = recovered_at - w->undone;
    result.holds = recovered && took <= spec.within;
    if (!recovered) {
        result.summary = "not recovered after " + since + ": " + slowest->what + " never came back";
    } else if (result.holds) {
        result.summary = "recovered " + duration_text(took) + " after " + since + " (within " + limit + ")";
    } else {
        result.summary = "recovered only " + duration_text(took) + " after " + since + " (more than " + limit +
                         (slowest ? "; slowest: " + slowest->what : std::string()) + ")";
    }
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& recovers_check() {
    static const CheckDescriptor d{CheckKind::recovers, "recovers", {{"within", true}},
                                  "`within` (required)",
                                  "within that long after the last fault is undone, every partition has a leader and a full ISR, produces succeed, and every group's lag is back to its level before the faults",
                                  check_recovers};
    return d;
}

}  // namespace scenarios
