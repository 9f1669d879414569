// max-lag: a group's total lag (the sum over its partitions of high watermark minus committed
// offset, as kafka-consumer-groups.sh shows it) stays below a bound in every sample from
// `after` to the end of the run.
#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {

namespace {

// Kafka's lag (kafka-consumer-groups.sh): high watermark minus committed offset, summed over
// the group's partitions. Samples without the group's committed view fall back to the
// members' positions.
int64_t group_lag(const Sample& s, const std::string& group, bool& present) {
    for (const GroupSample& g : s.groups)
        if (g.group == group) {
            present = true;
            return g.lag;
        }
    int64_t lag = 0;
    for (const ConsumerSample& c : s.consumers) {
        if (c.group != group) continue;
        present = true;
        lag += c.lag;
    }
    return lag;
}

bool committed_view(const Sample& s, const std::string& group) {
    for (const GroupSample& g : s.groups)
        if (g.group == group) return true;
    return false;
}

// The members' own lag at that sample: from their fetch positions, not the committed offsets,
// so the parts need not add up to a committed total (a member reads ahead of what it commits).
std::string breakdown(const RunData& run, const Sample& s, const std::string& group) {
    std::string out;
    for (const ConsumerSample& c : s.consumers)
        if (c.group == group)
            out += (out.empty() ? "" : ", ") + checkers::client_text(run, c.consumer) + " " + checkers::with_commas(c.lag);
    return out;
}

}  // namespace

CheckResult check_max_lag(const ExpectSpec& spec, const RunData& run) {
    using namespace checkers;
    const sim::Time from = sim::time_zero + spec.after;
    const Sample* worst = nullptr;
    int64_t worst_lag = -1, samples = 0, over = 0;
    const Sample *first_over = nullptr, *last_over = nullptr;
    for (const Sample& s : run.samples) {
        bool present = false;
        int64_t lag = s.t >= from ? group_lag(s, spec.group, present) : 0;
        if (!present) continue;
        ++samples;
        if (lag > worst_lag) worst = &s, worst_lag = lag;
        if (lag < spec.below) continue;
        ++over;
        if (first_over == nullptr) first_over = &s;
        last_over = &s;
    }

    CheckResult result;
    const std::string bound = "below " + with_commas(spec.below) + " from " + sim::format_time(from);
    if (worst == nullptr) {
        result.summary = "no sample of group " + spec.group + " at or after " + sim::format_time(from) +
                         ": the group never consumed";
        return result;
    }
    result.holds = over == 0;
    result.summary = result.holds ? "the lag of group " + spec.group + " stayed " + bound + " (max " + with_commas(worst_lag) +
                                        " at " + sim::format_time(worst->t) + ", " + count_text(samples, "sample") + ")"
                                  : "the lag of group " + spec.group + " reached " + with_commas(worst_lag) + " at " +
                                        sim::format_time(worst->t) + ", not " + bound;
    Evidence evidence;
    const std::string parts = breakdown(run, *worst, spec.group);
    if (committed_view(*worst, spec.group))
        evidence.add("worst sample at " + sim::format_time(worst->t) + ": committed lag " + with_commas(worst_lag) +
                     " (high watermark minus committed offset, summed over the group's partitions, as "
                     "kafka-consumer-groups.sh shows it)" +
                     (parts.empty() ? std::string()
                                    : "; the members' position lag then (high watermark minus fetch position): " + parts));
    else
        evidence.add("worst sample at " + sim::format_time(worst->t) + ": position lag " + with_commas(worst_lag) +
                     " (no committed offsets sampled: high watermark minus the members' fetch positions: " + parts + ")");
    if (over > 0)
        evidence.add(count_text(over, "sample") + " of " + with_commas(samples) + " at or above " + with_commas(spec.below) +
                     ", from " + sim::format_time(first_over->t) + " to " + sim::format_time(last_over->t));
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& max_lag_check() {
    static const CheckDescriptor d{CheckKind::max_lag, "max-lag", {{"group", true}, {"below", true}, {"after", false}},
                                  "`group` (required, a named group), `below` (required, integer ≥ 1), `after` (default `0s`)",
                                  "the group's total lag stays below `below` from `after` to the end",
                                  check_max_lag};
    return d;
}

}  // namespace scenarios
