#include "reports/fault_windows.hpp"

#include <algorithm>
#include <optional>

#include "scenarios/faults/fault_kind.hpp"

namespace reports {

namespace {

using Kind = FaultWindow::Kind;

using scenarios::FaultAction;

Kind kind_of(FaultAction action) {
    switch (scenarios::fault_kind(action).window) {
        case scenarios::FaultWindowClass::node_down: return Kind::node_down;
        case scenarios::FaultWindowClass::pause: return Kind::pause;
        case scenarios::FaultWindowClass::network_cut: return Kind::network_cut;
        case scenarios::FaultWindowClass::network_degraded: return Kind::network_degraded;
        case scenarios::FaultWindowClass::recovery: return Kind::recovery;
    }
    return Kind::recovery;
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

// What record `later` ends of the fault of record `f` (see the header for the rule): all of
// it, or the nodes it names.
struct End {
    std::string by;
    bool all = true;
    std::vector<std::string> nodes{};  // when !all
};
std::optional<End> ends(const scenarios::RunData& run, const scenarios::FaultRecord& f,
                        const scenarios::FaultRecord& later) {
    if (!later.fired) return std::nullopt;
    if (later.is_undo) {
        if (later.index == f.index) return End{own_end(run, f.index)};
        return std::nullopt;
    }
    // A recovery (restart, resume, heal) ends the windows of the class its descriptor names.
    const scenarios::FaultKind& recovery = scenarios::fault_kind(later.action);
    if (recovery.ends != scenarios::fault_kind(f.action).window) return std::nullopt;
    End end{std::string(recovery.name) + " at " + sim::format_time(later.at)};
    if (recovery.ends_only_its_nodes) {
        if (!shares_node(f, later)) return std::nullopt;
        end.all = false;
        end.nodes = later.resolved;
    }
    return end;
}

std::string join(const std::vector<std::string>& parts, const char* sep) {
    std::string out;
    for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
    return out;
}

}  // namespace

std::string fault_label(const scenarios::FaultRecord& f) {
    // Partitions and cuts read better as written (their groups), the rest as resolved.
    const scenarios::FaultOperand operand = scenarios::fault_kind(f.action).operand;
    bool as_written = operand == scenarios::FaultOperand::groups || operand == scenarios::FaultOperand::from_to ||
                      f.resolved.empty();
    if (operand == scenarios::FaultOperand::none) return std::string(to_string(f.action));
    return std::string(to_string(f.action)) + " " + (as_written ? f.target_text : join(f.resolved, ","));
}

std::vector<FaultWindow> fault_windows(const scenarios::RunData& run) {
    std::vector<FaultWindow> out;
    for (size_t i = 0; i < run.faults.size(); ++i) {
        const scenarios::FaultRecord& f = run.faults[i];
        if (f.is_undo || !f.fired) continue;
        const Kind kind = kind_of(f.action);
        FaultWindow w;
        w.index = f.index;
        w.record = i;
        w.kind = kind;
        w.action = to_string(f.action);
        w.label = fault_label(f);
        w.from = f.at;
        w.until = run.end;
        w.instant = kind == Kind::recovery;
        if (w.instant) {
            w.until = f.at;
            w.ended = true;
        }
        std::vector<std::string> in_force = f.resolved;  // the nodes still down or paused
        for (size_t j = i + 1; j < run.faults.size() && !w.ended; ++j) {
            std::optional<End> end = ends(run, f, run.faults[j]);
            if (!end) continue;
            if (!end->all) {
                std::vector<std::string> back;
                for (const std::string& n : end->nodes) {
                    auto it = std::find(in_force.begin(), in_force.end(), n);
                    if (it == in_force.end()) continue;
                    in_force.erase(it);
                    back.push_back(n);
                }
                if (back.empty()) continue;
                if (!in_force.empty()) {
                    w.partly_ended.push_back(join(back, ",") + ": " + end->by);
                    continue;
                }
            }
            w.until = run.faults[j].at;
            w.ended = true;
            w.ended_by = end->by;
        }
        out.push_back(std::move(w));
    }
    return out;
}

}  // namespace reports
