// recovers: within `within` of the last fault being undone, every partition has a leader and
// a full ISR, produces to every partition are acknowledged again, and every group's lag is back
// to its pre-fault level — each from a moment on to the end of the run, never from one good
// look. Produce is judged per partition: back at its first acknowledgement after its last
// refusal. Lag counts only fresh samples: every consumer of the reader heard from each of its
// partitions within fresh_fetch_window (a consumer cut off from its partitions carries a stale
// number). Measured on the samples and the history, so to the sample interval.
#include <algorithm>
#include <map>
#include <optional>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"
#include "scenarios/faults/fault_kind.hpp"

namespace scenarios {
namespace {
using namespace checkers;

// Lag a group may carry above its pre-fault peak and still count as recovered: records that
// arrived while it was catching up.
constexpr int64_t lag_tolerance = 100;

bool undoes(const FaultRecord& f) { return f.is_undo || fault_kind(f.action).window == FaultWindowClass::recovery; }

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

// Why a partition's produce is not back: the batch refused last, since when it has been refused
// (a batch refused since before the faults is an older trouble the faults did not cause, such as
// a producer's first batch refused OUT_OF_ORDER_SEQUENCE_NUMBER after a later one was written
// first, KAFKA-15591), and whether later batches were acknowledged meanwhile.
std::string stuck_batch_text(const RunData& run, const RecordRange& batch, sim::Time undone) {
    const History& h = history_of(run);
    const auto same = [&](const RecordRange& r) {
        return r.client == batch.client && r.tp == batch.tp && r.first_seq == batch.first_seq;
    };
    std::optional<sim::Time> first;
    size_t attempts = 0;
    kafka::Error last = kafka::Error::none;
    for (const ErrorOp& e : h.errors())
        if (same(e.records)) {
            if (!first) first = e.t;
            ++attempts;
            last = e.error;
        }
    std::optional<sim::Time> later_ack;
    for (const AckOp& a : h.acks())
        if (a.t >= undone && a.records.client == batch.client && a.records.tp == batch.tp &&
            a.records.first_seq > batch.first_seq) {
            later_ack = a.t;
            break;
        }
    std::string text = "records " + std::to_string(batch.first_seq) + ".." + std::to_string(batch.end_seq() - 1) +
                       " of " + client_text(run, batch.client) + " refused " + count_text(static_cast<int64_t>(attempts), "time") +
                       " from " + sim::format_time(first.value_or(undone)) + " to the end (last " +
                       kafka::error_name(last) + ")";
    const std::optional<FaultWindow> w = fault_window(run);
    if (first && w && *first < w->first_fault) text += ", since before the first fault";
    if (later_ack) text += "; later records acknowledged from " + sim::format_time(*later_ack);
    return text;
}

// Per partition produced to after the undo: back at the first acknowledgement after its last
// refusal (retried or final) — the partition's produces succeed from then on.
std::vector<Recovery> produce_recoveries(const RunData& run, sim::Time undone) {
    std::vector<Recovery> out;
    if (!producing_after(run, undone)) return out;  // nobody left to produce
    const History& h = history_of(run);
    struct PartitionProduce {
        bool sent_after = false;
        std::optional<sim::Time> last_refusal;
        kafka::Error refusal = kafka::Error::none;
        RecordRange refused;  // the batch of the last refusal
    };
    std::map<kafka::TopicPartition, PartitionProduce> parts;
    for (const SendOp& s : h.sends())
        if (s.t >= undone) parts[s.records.tp].sent_after = true;
    for (const ErrorOp& e : h.errors()) {
        if (e.t < undone) continue;
        PartitionProduce& p = parts[e.records.tp];
        if (!p.last_refusal || e.t >= *p.last_refusal) p.last_refusal = e.t, p.refusal = e.error, p.refused = e.records;
    }
    for (const auto& entry : parts) {
        const kafka::TopicPartition tp = entry.first;
        const PartitionProduce& p = entry.second;
        if (!p.sent_after && !p.last_refusal) continue;
        const sim::Time from = p.last_refusal.value_or(undone);
        const auto& acks = h.acks();
        auto it = std::find_if(acks.begin(), acks.end(), [&](const AckOp& a) {
            return a.records.tp == tp && (p.last_refusal ? a.t > from : a.t >= from);
        });
        const std::string refused =
            p.last_refusal ? "last refused at " + sim::format_time(from) + " (" + kafka::error_name(p.refusal) + ")" : "";
        const std::string what = "produce to " + partition_text(run, tp);
        if (it != acks.end()) {
            out.push_back(Recovery{what, it->t,
                                   "acknowledged from " + sim::format_time(it->t) + (refused.empty() ? "" : ", " + refused)});
        } else if (!p.last_refusal) {
            out.push_back(Recovery{what, std::nullopt, "no acknowledgement after " + sim::format_time(from)});
        } else {
            out.push_back(Recovery{what, std::nullopt, stuck_batch_text(run, p.refused, undone)});
        }
    }
    return out;
}

// A reader's position lag (high watermark minus fetch position, the consumer's records-lag):
// a group's is the sum over its members; a consumer without a group is its own reader.
struct ReaderLag {
    int64_t lag = 0;
    int32_t stale = 0;    // partitions of its consumers not heard from lately
    int32_t unowned = 0;  // partitions of a group's topics that no member holds
};
std::map<std::string, ReaderLag> reader_lags(const RunData& run, const Sample& s) {
    std::map<std::string, ReaderLag> out;
    for (const ConsumerSample& c : s.consumers) {
        ReaderLag& r = out[c.group.empty() ? client_text(run, c.consumer) : "group " + c.group];
        r.lag += c.lag;
        r.stale += c.stale_partitions;
    }
    // A partition of a group's topics that no member holds is read by nobody: its lag is not
    // a fresh number either (a group stuck in rebalances holds none and shows lag 0).
    for (const GroupSample& g : s.groups)
        if (auto it = out.find("group " + g.group); it != out.end()) it->second.unowned = g.unowned_partitions;
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

// Back from the first sample of the last stretch, to the end of the run, in which the reader's
// lag was fresh and at most its pre-fault peak plus the tolerance.
std::vector<Recovery> lag_recoveries(const RunData& run, FaultWindow w) {
    struct Reader {
        int64_t baseline = 0;
        std::optional<sim::Time> back_since;  // start of the current good stretch
        ReaderLag last;                       // the last sample's
    };
    std::map<std::string, Reader> readers;
    for (const Sample& s : run.samples) {
        for (const auto& [name, lag] : reader_lags(run, s)) {
            Reader& r = readers[name];
            if (s.t < w.first_fault) {
                r.baseline = std::max(r.baseline, lag.lag);
                continue;
            }
            if (s.t < w.undone) continue;
            r.last = lag;
            const bool good = lag.stale == 0 && lag.unowned == 0 && lag.lag <= std::max<int64_t>(r.baseline, 0) + lag_tolerance;
            if (!good) {
                r.back_since.reset();
            } else if (!r.back_since) {
                r.back_since = s.t;
            }
        }
    }
    std::vector<Recovery> out;
    for (const auto& [name, r] : readers) {
        if (stopped_by(run, name, w.undone)) continue;
        const std::string level = with_commas(r.baseline + lag_tolerance) + " (pre-fault peak " +
                                  with_commas(r.baseline) + " + " + std::to_string(lag_tolerance) + ")";
        if (r.back_since) {
            out.push_back(Recovery{"position lag of " + name, r.back_since,
                                   "fresh and at most " + level + " from " + sim::format_time(*r.back_since) +
                                       " to the end"});
        } else {
            std::string why;
            if (r.last.unowned > 0) why = count_text(r.last.unowned, "partition") + " held by no member";
            if (r.last.stale > 0)
                why += (why.empty() ? "" : ", ") + count_text(r.last.stale, "partition") + " not heard from in the last " +
                       sim::format_duration(fresh_fetch_window);
            why = why.empty() ? with_commas(r.last.lag) + " at the end" : why + " at the end";
            out.push_back(Recovery{"position lag of " + name, std::nullopt, "not back to " + level + " for good: " + why});
        }
    }
    return out;
}

}  // namespace

CheckResult check_recovers(const ExpectSpec& spec, const RunData& run) {
    CheckResult result;
    const std::optional<FaultWindow> w = fault_window(run);
    if (!w) return not_checked("no fault fired: there was nothing to recover from");
    Evidence evidence;
    std::vector<Recovery> parts{partitions_recovery(run, w->undone, evidence)};
    for (Recovery& r : produce_recoveries(run, w->undone)) parts.push_back(std::move(r));
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
                                  "within that long after the last fault is undone, every partition has a leader and a full ISR, produces to every partition succeed, and every group's lag is back to its level before the faults, each to the end of the run",
                                  check_recovers};
    return d;
}

}  // namespace scenarios
