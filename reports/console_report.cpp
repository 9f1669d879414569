#include "reports/console_report.hpp"

#include <cstdio>

namespace reports {

namespace {

std::string with_commas(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

}  // namespace

RunCounts count(const scenarios::RunData& run) {
    RunCounts c;
    if (run.history != nullptr) {
        c.sent = run.history->records_sent();
        c.acked = run.history->records_acked();
        c.failed = run.history->records_failed();
        c.polled = run.history->records_polled();
    }
    if (run.trace != nullptr) {
        for (const auto& ev : run.trace->events()) {
            if (ev.kind == "become_leader") ++c.leader_elections;
            if (ev.kind == "controller_active") ++c.controller_changes;
        }
    }
    for (const auto& f : run.faults) {
        if (f.is_undo) continue;
        if (f.fired) {
            ++c.faults_fired;
        } else {
            ++c.faults_not_fired;
        }
    }
    return c;
}

void print_header(std::ostream& out, const scenarios::Scenario& s, uint64_t seed) {
    out << "scenario   " << s.name << "  (" << s.file << ")\n";
    if (!s.description.empty()) out << "            " << s.description << "\n";
    out << "kafka      " << s.kafka.version << " (profile " << s.kafka.profile.name << "), "
        << (s.kafka.metadata == scenarios::MetadataMode::kraft ? "KRaft" : "ZooKeeper") << ", " << s.kafka.brokers
        << " brokers, " << s.kafka.controllers << " controllers\n";
    out << "seed       " << seed << "\n";
    out << "duration   " << sim::format_duration(s.duration) << " of virtual time\n";
    for (const auto& w : s.warnings) out << "warning    " << w << "\n";
    out << "\n";
}

void print_summary(std::ostream& out, const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks,
                   const std::string& reproduce_command) {
    RunCounts c = count(run);
    out << "summary    records sent " << with_commas(c.sent) << ", acked " << with_commas(c.acked) << ", failed "
        << with_commas(c.failed) << ", consumed " << with_commas(c.polled) << "\n";
    out << "           partition leader elections " << c.leader_elections << ", active controller changes "
        << c.controller_changes << "\n";
    out << "           faults fired " << c.faults_fired;
    if (c.faults_not_fired > 0) out << ", did not fire " << c.faults_not_fired;
    out << "\n";
    for (const auto& f : run.faults) {
        if (!f.fired && !f.is_undo)
            out << "           fault #" << f.index << " at " << sim::format_time(f.at) << " " << f.action << " "
                << f.target_text << " did not fire: " << f.note << "\n";
    }
    out << "\n";
    if (checks.empty()) out << "expect     (none: this run only reports)\n";
    bool all = true;
    for (const auto& r : checks) {
        all = all && r.passed();
        std::string verdict = r.passed() ? "PASS" : "FAIL";
        std::string expected = r.expect_violated ? " (expected violated)" : "";
        out << verdict << "  " << r.name << (r.params.empty() ? "" : " " + r.params) << expected << "\n";
        out << "      " << r.summary << "\n";
        for (const auto& e : r.evidence) out << "      - " << e << "\n";
    }
    out << "\n";
    out << "events     " << with_commas(run.events) << " in " << sim::format_time(run.end) << " of virtual time\n";
    out << "trace hash " << run.trace_hash << "\n";
    if (!all) out << "reproduce  " << reproduce_command << "\n";
}

}  // namespace reports
