#include "reports/fault_windows.hpp"

#include <algorithm>
#include <optional>

namespace reports {

namespace {

using Kind = FaultWindow::Kind;

std::optional<Kind> kind_of(const std::string& action) {
    if (action == "crash" || action == "power-loss" || action == "shutdown") return Kind::node_down;
    if (action == "pause") return Kind::pause;
    if (action == "partition" || action == "isolate" || action == "cut") return Kind::network_cut;
    if (action == "latency" || action == "loss") return Kind::network_degraded;
    if (action == "restart" || action == "resume" || action == "heal") return Kind::recovery;
    return std::nullopt;
}

bool shares_node(const scenarios::FaultRecord& a, const scenarios::FaultRecord& b) {
    for (const auto& n : a.resolved)
        if (std::find(b.resolved.begin(), b.resolved.end(), n) != b.resolved.end()) return true;
    return false;
}

// "undone after its for of 15s": the fault's own end, as the scenario wrote it.
std::string own_end(const scenarios::RunData& run, size_t index) {
    for (const auto& spec : run.scenario.faults)
        if (spec.index == index && spec.for_) return "undone after its for of " + sim::format_duration(*spec.for_);
    return "undone after its for";
}

// Whether record `later` ends the fault of record `f` (see the header for the rule).
std::optional<std::string> ends(const scenarios::RunData& run, const scenarios::FaultRecord& f,
                                const scenarios::FaultRecord& later) {
    if (!later.fired) return std::nullopt;
    if (later.is_undo) {
        if (later.index == f.index) return own_end(run, f.index);
        return std::nullopt;
    }
    const std::string when = " at " + sim::format_time(later.at);
    Kind k = kind_of(f.action).value_or(Kind::recovery);
    if (k == Kind::node_down && later.action == "restart" && shares_node(f, later)) return "restart" + when;
    if (k == Kind::pause && later.action == "resume" && shares_node(f, later)) return "resume" + when;
    if (k == Kind::network_cut && later.action == "heal") return "heal" + when;
    return std::nullopt;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
}

}  // namespace

std::string fault_label(const scenarios::FaultRecord& f) {
    std::string action = f.is_undo ? f.action.substr(std::string("undo ").size()) : f.action;
    // Partitions and cuts read better as written (their groups), the rest as resolved.
    bool as_written = action == "partition" || action == "cut" || action == "heal" || f.resolved.empty();
    if (action == "heal") return "heal";
    return action + " " + (as_written ? f.target_text : join(f.resolved, ","));
}

std::vector<FaultWindow> fault_windows(const scenarios::RunData& run) {
    std::vector<FaultWindow> out;
    for (size_t i = 0; i < run.faults.size(); ++i) {
        const scenarios::FaultRecord& f = run.faults[i];
        if (f.is_undo || !f.fired) continue;
        std::optional<Kind> kind = kind_of(f.action);
        if (!kind) continue;
        FaultWindow w;
        w.index = f.index;
        w.record = i;
        w.kind = *kind;
        w.action = f.action;
        w.label = fault_label(f);
        w.from = f.at;
        w.until = run.end;
        w.instant = *kind == Kind::recovery;
        if (w.instant) {
            w.until = f.at;
            w.ended = true;
        }
        for (size_t j = i + 1; j < run.faults.size() && !w.ended; ++j) {
            if (std::optional<std::string> by = ends(run, f, run.faults[j])) {
                w.until = run.faults[j].at;
                w.ended = true;
                w.ended_by = *by;
            }
        }
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace reports
