#include "scenarios/checkers/connect_timeline.hpp"

#include "scenarios/timeline.hpp"

namespace scenarios::checkers {

std::vector<const InstanceRun*> ConnectTimeline::at(const std::pair<std::string, int32_t>& instance, sim::Time t) const {
    std::vector<const InstanceRun*> out;
    auto it = runs.find(instance);
    if (it == runs.end()) return out;
    for (const InstanceRun& r : it->second)
        if (r.from <= t && t < r.to) out.push_back(&r);
    return out;
}

std::string instance_text(const std::pair<std::string, int32_t>& instance) {
    return instance.second < 0 ? instance.first : instance.first + "-" + std::to_string(instance.second);
}

ConnectTimeline connect_timeline(const RunData& run) {
    ConnectTimeline out;
    // The open run of each instance on each worker.
    std::map<std::pair<std::pair<std::string, int32_t>, std::string>, size_t> open;
    auto close = [&](const std::pair<std::string, int32_t>& instance, const std::string& worker, sim::Time t) {
        auto it = open.find({instance, worker});
        if (it == open.end()) return;
        out.runs[instance][it->second].to = t;
        open.erase(it);
    };
    auto on_event = [&](const kafka::TraceEntry& e) {
        const auto* s = std::get_if<kafka::ConnectStatus>(&e.event);
        if (s == nullptr || run.trace == nullptr) return;
        const std::string& worker = run.trace->node_name(e.node);
        const std::pair<std::string, int32_t> instance{s->connector, s->task};
        auto it = open.find({instance, worker});
        if (it != open.end() && out.runs[instance][it->second].state == s->state) return;
        close(instance, worker, e.time);
        if (s->state == "UNASSIGNED" || s->state == "STOPPED") return;
        auto& runs = out.runs[instance];
        runs.push_back(InstanceRun{worker, s->state, e.time});
        open[{instance, worker}] = runs.size() - 1;
    };
    auto on_fault = [&](const FaultRecord& f) {
        if (f.is_undo || !f.fired) return;
        if (f.action != FaultAction::crash && f.action != FaultAction::power_loss && f.action != FaultAction::shutdown)
            return;
        for (const std::string& node : f.resolved) {
            std::vector<std::pair<std::string, int32_t>> on_it;
            for (const auto& [key, index] : open)
                if (key.second == node) on_it.push_back(key.first);
            for (const auto& instance : on_it) close(instance, node, f.at);
        }
    };
    for_each_in_order(run, on_event, on_fault);
    return out;
}

}  // namespace scenarios::checkers
