#include "reports/console_report.hpp"

#include <algorithm>
#include <map>
#include <set>

#include "broker/group/group_coordinator.hpp"
#include "scenarios/checkers/checker.hpp"

#include <cstdio>

namespace reports {

std::string with_commas(int64_t v) {
    std::string digits = std::to_string(v < 0 ? -v : v);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return v < 0 ? "-" + out : out;
}

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
            const auto* leader = std::get_if<kafka::BecomeLeader>(&ev.event);
            if (leader != nullptr && !kafka::is_internal_topic(leader->topic)) ++c.leader_elections;
            if (std::holds_alternative<kafka::ControllerActive>(ev.event) ||
                std::holds_alternative<kafka::ZkControllerElected>(ev.event))
                ++c.controller_changes;
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
        << " brokers, "
        << (s.kafka.metadata == scenarios::MetadataMode::kraft
                ? std::to_string(s.kafka.controllers) + " controllers"
                : std::to_string(s.kafka.zookeeper) + " ZooKeeper servers (one broker is the controller)")
        << "\n";
    out << "seed       " << seed << "\n";
    out << "duration   " << sim::format_duration(s.duration) << " of virtual time\n";
    for (const auto& w : s.warnings) out << "warning    " << w << "\n";
    out << "\n";
}

std::vector<GroupCounts> count_groups(const scenarios::RunData& run) {
    std::vector<GroupCounts> out;
    if (run.history == nullptr) return out;
    const scenarios::History& h = *run.history;
    for (const auto& spec : run.scenario.consumers) {
        if (!spec.group) continue;
        GroupCounts g;
        g.group = *spec.group;
        // A member's partitions that are gone from its next assignment were revoked (or lost).
        std::map<uint32_t, std::vector<kafka::TopicPartition>> owned;
        std::set<int32_t> generations;
        for (const auto& a : h.assignments()) {
            if (scenarios::checkers::group_of_name(h.client_name(a.consumer)) != g.group) continue;
            if (a.generation >= 0) generations.insert(a.generation);
            for (const auto& tp : owned[a.consumer])
                if (std::find(a.partitions.begin(), a.partitions.end(), tp) == a.partitions.end()) ++g.revoked;
            owned[a.consumer] = a.partitions;
            g.generation = std::max(g.generation, a.generation);
        }
        g.rebalances = static_cast<int64_t>(generations.size());
        for (const auto& c : h.commits())
            if (scenarios::checkers::group_of_name(h.client_name(c.consumer)) == g.group) ++g.commits;
        out.push_back(g);
    }
    return out;
}

void print_summary(std::ostream& out, const scenarios::RunData& run, const std::vector<scenarios::CheckResult>& checks,
                   const std::string& reproduce_command) {
    RunCounts c = count(run);
    out << "summary    records sent " << with_commas(c.sent) << ", acked " << with_commas(c.acked) << ", failed "
        << with_commas(c.failed) << ", consumed " << with_commas(c.polled) << "\n";
    out << "           partition leader elections " << c.leader_elections << ", active controller changes "
        << c.controller_changes << "\n";
    for (const GroupCounts& g : count_groups(run))
        out << "           group " << g.group << ": generation " << g.generation << ", " << g.rebalances
            << " rebalance(s), " << g.revoked << " partition(s) revoked or lost, " << with_commas(g.commits)
            << " commits\n";
    out << "           faults fired " << c.faults_fired;
    if (c.faults_not_fired > 0) out << ", did not fire " << c.faults_not_fired;
    out << "\n";
    for (const auto& f : run.faults) {
        if (!f.fired && !f.is_undo)
            out << "           fault #" << f.index << " at " << sim::format_time(f.at) << " " << f.action_text() << " "
                << f.target_text << " did not fire: " << f.note << "\n";
    }
    out << "\n";
    if (checks.empty()) out << "expect     (none: this run only reports)\n";
    bool all = true;
    for (const auto& r : checks) {
        all = all && r.passed();
        std::string verdict = r.passed() ? "PASS" : r.checked ? "FAIL" : "FAIL (not checked)";
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
