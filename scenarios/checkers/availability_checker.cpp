// availability: the fraction of produce attempts that succeeded, as SCENARIOS.md defines it. An
// attempt is one answer to one partition's batch: an acknowledgement, an error answer the
// producer retries (NOT_ENOUGH_REPLICAS, NOT_LEADER_OR_FOLLOWER, a dropped connection, ...), or
// the final error it gives up with. Retries that succeed within delivery.timeout.ms still count
// their failed attempts, so 17 s of refused writes show even when every record got through at
// last. The acknowledged share of records (acked / (acked + given up)) is reported beside it.
// Records still in flight when the run ended are neither.
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

    int64_t sent = 0, acked = 0, acked_answers = 0, retried_answers = 0;
    for (const SendOp& s : h.sends()) sent += counts(s.records) ? s.records.count : 0;
    for (const AckOp& a : h.acks()) {
        if (!counts(a.records)) continue;
        acked += a.records.count;
        acked_answers += 1;
    }
    Failures failed, retried;
    for (const ErrorOp& e : h.errors()) {
        if (!counts(e.records)) continue;
        Failures& f = e.final ? failed : retried;
        if (f.records == 0) f.first = e.t;
        f.last = e.t;
        f.records += e.records.count;
        f.by_error[kafka::error_name(e.error)] += e.records.count;
        if (!e.final) retried_answers += 1;
    }
    int64_t failed_answers = 0;
    for (const ErrorOp& e : h.errors()) failed_answers += e.final && counts(e.records) ? 1 : 0;

    const int64_t attempts = acked_answers + retried_answers + failed_answers;
    if (attempts == 0) {
        // Nothing was answered: there is no attempt to score. A verdict on no evidence is none
        // (an expectation on it fails as "not checked").
        return not_checked(who + ": " + (sent == 0 ? "no records were produced"
                                                   : "none of " + count_text(sent, "sent record") +
                                                         " was answered (acknowledged or refused)"));
    }
    const double fraction = static_cast<double>(acked_answers) / static_cast<double>(attempts);
    const int64_t finished = acked + failed.records;
    const double record_fraction = finished > 0 ? static_cast<double>(acked) / static_cast<double>(finished) : 0.0;
    result.holds = fraction >= spec.min;
    result.summary = who + ": availability " + fraction_text(fraction) + " (" + with_commas(acked_answers) + " of " +
                     count_text(attempts, "produce attempt") + " succeeded; min " + fraction_text(spec.min) +
                     "); records acknowledged " + fraction_text(record_fraction) + " (" + with_commas(acked) + " of " +
                     with_commas(finished) + ", " + with_commas(failed.records) + " given up)";
    Evidence evidence;
    if (retried.records > 0)
        evidence.add(count_text(retried_answers, "attempt") + " refused and retried from " +
                     sim::format_time(retried.first) + " to " + sim::format_time(retried.last));
    for (const auto& [error, n] : retried.by_error) evidence.add("retried " + error + ": " + count_text(n, "record"));
    if (failed.records > 0)
        evidence.add("final errors from " + sim::format_time(failed.first) + " to " + sim::format_time(failed.last));
    for (const auto& [error, n] : failed.by_error) evidence.add(error + ": " + count_text(n, "record"));
    if (sent > finished) evidence.add(count_text(sent - finished, "record") + " still in flight at the end, not counted");
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& availability_check() {
    static const CheckDescriptor d{CheckKind::availability, "availability", {{"min", true}, {"producer", false}},
                                  "`min` (required, 0 to 1), `producer` (optional producer id)",
                                  "the share of produce attempts that succeeded is at least `min` (for one producer, or all); an attempt is "
                                  "one answer to a partition's batch, so a retried refusal counts even when the records got "
                                  "through later",
                                  check_availability};
    return d;
}

}  // namespace scenarios
