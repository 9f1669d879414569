#include "reports/json_report.hpp"

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "reports/console_report.hpp"

namespace reports {

namespace {

using nlohmann::json;

json config_json(const kafka::ConfigMap& m) {
    json out = json::object();
    for (const auto& [k, v] : m) std::visit([&](const auto& x) { out[k] = x; }, v);
    return out;
}

json report_json(const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks) {
    const auto& s = run.scenario;
    json r;
    r["scenario"] = {{"name", s.name}, {"file", s.file}, {"description", s.description}};
    r["seed"] = run.seed;
    r["profile"] = {{"version", s.kafka.version}, {"profile", s.kafka.profile.name}, {"notes", s.kafka.profile.notes}};
    r["cluster"] = {{"metadata", s.kafka.metadata == scenarios::MetadataMode::kraft ? "kraft" : "zookeeper"},
                    {"brokers", s.kafka.brokers},
                    {"controllers", s.kafka.controllers},
                    {"config", config_json(s.kafka.config)}};
    json expectations = json::array();
    for (const auto& c : checks) {
        expectations.push_back({{"check", c.name},
                                {"params", c.params},
                                {"outcome_expected", c.expect_violated ? "violated" : "holds"},
                                {"holds", c.holds},
                                {"passed", c.passed()},
                                {"summary", c.summary},
                                {"evidence", c.evidence}});
    }
    r["expectations"] = expectations;
    json faults = json::array();
    for (const auto& f : run.faults) {
        faults.push_back({{"index", f.index},
                          {"at", sim::format_time(f.at)},
                          {"at_us", f.at.us},
                          {"action", f.action},
                          {"target", f.target_text},
                          {"resolved", f.resolved},
                          {"fired", f.fired},
                          {"note", f.note}});
    }
    r["faults"] = faults;
    RunCounts counts = count(run);
    r["summary"] = {{"records_sent", counts.sent},
                    {"records_acked", counts.acked},
                    {"records_failed", counts.failed},
                    {"records_consumed", counts.polled},
                    {"partition_leader_elections", counts.leader_elections},
                    {"active_controller_changes", counts.controller_changes},
                    {"events", run.events},
                    {"virtual_time_us", run.end.us},
                    {"trace_hash", run.trace_hash}};
    bool passed = true;
    for (const auto& c : checks) passed = passed && c.passed();
    r["passed"] = passed;
    return r;
}

}  // namespace

void write_run_files(const std::string& dir, const scenarios::RunData& run,
                     const std::vector<scenarios::CheckResult>& checks) {
    std::filesystem::create_directories(dir);
    std::ofstream(dir + "/report.json") << report_json(run, checks).dump(2) << "\n";

    std::ofstream trace(dir + "/trace.jsonl");
    for (const auto& ev : run.trace->events()) {
        json j;
        j["t_us"] = ev.time.us;
        j["node"] = run.trace->node_name(ev.node);
        j["kind"] = ev.kind;
        for (const auto& f : ev.fields) std::visit([&](const auto& v) { j[f.key] = v; }, f.value);
        trace << j.dump() << "\n";
    }

    std::ofstream csv(dir + "/metrics.csv");
    csv << "t_s,UnderReplicatedPartitions,OfflinePartitionsCount,records_acked,records_failed,quorum_leader,"
           "quorum_epoch,metadata_high_watermark,active_controller";
    size_t partitions = run.samples.empty() ? 0 : run.samples.back().partitions.size();
    for (size_t i = 0; i < partitions && i < run.final_state.partitions.size(); ++i) {
        std::string p = run.final_state.partitions[i].label();
        csv << "," << p << ".leader," << p << ".leader_epoch," << p << ".isr_size," << p << ".high_watermark," << p
            << ".log_end_offset";
    }
    csv << "\n";
    for (const auto& s : run.samples) {
        int under = 0, offline = 0;
        for (const auto& p : s.partitions) {
            if (p.leader < 0) ++offline;
            if (p.isr_size < p.replica_count) ++under;
        }
        csv << s.t.us / 1000000 << "." << (s.t.us / 1000) % 1000 / 100 << "," << under << "," << offline << ","
            << s.records_acked << "," << s.records_failed << "," << s.quorum_leader << "," << s.quorum_epoch << ","
            << s.metadata_high_watermark << "," << s.active_controller;
        for (size_t i = 0; i < partitions; ++i) {
            if (i >= s.partitions.size()) {
                csv << ",,,,,";
                continue;
            }
            const auto& p = s.partitions[i];
            csv << "," << p.leader << "," << p.leader_epoch << "," << p.isr_size << "," << p.high_watermark << ","
                << p.log_end_offset;
        }
        csv << "\n";
    }
}

}  // namespace reports
