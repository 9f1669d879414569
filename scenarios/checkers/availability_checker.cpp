// availability: the fraction of produce attempts that succeeded, counted per record: records
// acknowledged / (acknowledged + given up with a final error). Records still in flight when the
// run ended are neither.
#include <cstdio>
#include <map>
#include <set>
#include <optional>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// The producer's client ordinals (one per life: a restarted producer is a new client with
// a new producer id), empty for all producers, nullopt when no such producer exists.
std::optional<std::set<uint32_t>> producer_filter(const ExpectSpec& spec, const History& h) {
    if (!spec.producer) return std::set<uint32_t>{};
    const std::string name = "producer:" + *spec.producer;
    std::set<uint32_t> out;
    for (uint32_t c = 1; c < h.client_count(); ++c)
        if (h.client_name(c) == name || h.client_name(c).starts_with(name + " (")) out.insert(c);
    if (out.empty()) return std::nullopt;
    return out;
}

std::string fraction_text(double f) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.4f", f);
    return buf;
}

struct Failures {
    int64_t records = 0;
    sim::Time first, last;
    std::map<std::string, int64_t> by_error;  // Kafka error name -> records
};

}  // namespace

CheckResult check_availability(const ExpectSpec& spec, const RunData& run) {
    const History& h = history_of(run);
    CheckResult result;
    const std::optional<std::set<uint32_t>> only = producer_filter(spec, h);
    const std::string who = spec.producer ? "producer:" + *spec.producer : "all producers";
    if (!only) {
        result.summary = "no client named " + who + " in the history";
        return result;
    }
    auto counts = [&](const RecordRange& r) { return only->empty() || only->count(r.client) != 0; };

    int64_t sent = 0, acked = 0;
    for (const SendOp& s : h.sends()) sent += counts(s.records) ? s.records.count : 0;
    for (const AckOp& a : h.acks()) acked += counts(a.records) ? a.records.count : 0;
    Failures failed;
    for (const ErrorOp& e : h.errors()) {
        if (!e.final || !counts(e.records)) continue;
        if (failed.records == 0) failed.first = e.t;
        failed.last = e.t;
        failed.records += e.records.count;
        failed.by_error[kafka::error_name(e.error)] += e.records.count;
    }

    const int64_t attempts = acked + failed.records;
    if (attempts == 0) {
        // Nothing finished: with nothing sent there is nothing to judge; records sent and never
        // answered mean the cluster never served them.
        result.holds = sent == 0;
        result.summary = who + ": " + (sent == 0 ? "no records were produced"
                                                 : "none of " + count_text(sent, "sent record") + " was acknowledged or failed");
        return result;
    }
    const double fraction = static_cast<double>(acked) / static_cast<double>(attempts);
    result.holds = fraction >= spec.min;
    result.summary = who + ": availability " + fraction_text(fraction) + " (" + with_commas(acked) + " of " +
                     count_text(attempts, "record") + " acknowledged, " + with_commas(failed.records) + " failed; min " +
                     fraction_text(spec.min) + ")";
    Evidence evidence;
    if (failed.records > 0)
        evidence.add("final errors from " + sim::format_time(failed.first) + " to " + sim::format_time(failed.last));
    for (const auto& [error, n] : failed.by_error) evidence.add(error + ": " + count_text(n, "record"));
    if (sent > attempts) evidence.add(count_text(sent - attempts, "record") + " still in flight at the end, not counted");
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& availability_check() {
    static const CheckDescriptor d{CheckKind::availability, "availability", {{"min", true}, {"producer", false}},
                                  "`min` (required, 0 to 1), `producer` (optional producer id)",
                                  "the share of produce attempts that succeeded is at least `min` (for one producer, or all)",
                                  check_availability};
    return d;
}

}  // namespace scenarios
