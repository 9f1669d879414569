// source-to-sink: what Kafka Connect promises end to end. Every row a source connector's
// external system held `within` before the end (default 30s: rows written later may still be on
// their way) reached each sink connector that reads the source's topics, at least once; with
// "delivery": "exactly-once", exactly once. A row written more than once into an insert sink is
// a duplicate (shown and counted, a violation only under exactly-once); an upsert sink that
// wrote a row again overwrote the same key, so its table holds the row once, and the rewrites
// are shown as overwrites.
//
// A pair whose source had no row by then, or whose sink wrote nothing at all, is not judged:
// there is no evidence either way (a check never passes on none).
#include <algorithm>
#include <map>
#include <set>

#include "connect/connector_plugins.hpp"
#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;
namespace kc = kafka::connect;

struct Pair {
    std::string source, sink;
    std::vector<std::string> systems;  // what the source reads that the sink's topics carry
};

}  // namespace

CheckResult check_source_to_sink(const ExpectSpec& spec, const RunData& run) {
    if (run.external == nullptr) return not_checked("the run has no Connect cluster");
    const sim::Duration within = spec.within.us > 0 ? spec.within : sim::seconds(30);
    const sim::Time cutoff = run.end - within;
    // Which source feeds which sink: a source's topics that a sink reads.
    std::vector<Pair> pairs;
    for (const auto& [sname, sconfig] : run.connectors) {
        if (!spec.source.empty() && sname != spec.source) continue;
        const auto reads = kc::source_reads(sconfig);
        if (reads.empty()) continue;
        for (const auto& [kname, kconfig] : run.connectors) {
            if (!spec.sink.empty() && kname != spec.sink) continue;
            const kc::ConnectorPlugin* plugin = kc::find_plugin(kc::config_value(kconfig, "connector.class"));
            if (plugin == nullptr || plugin->type != kc::ConnectorType::sink) continue;
            const auto topics = kc::split_list(kc::config_value(kconfig, "topics"));
            Pair p{sname, kname, {}};
            for (const auto& [system, topic] : reads)
                if (std::find(topics.begin(), topics.end(), topic) != topics.end()) p.systems.push_back(system);
            if (!p.systems.empty()) pairs.push_back(std::move(p));
        }
    }
    if (pairs.empty())
        return not_checked("no source connector feeds a sink connector" +
                           (spec.source.empty() && spec.sink.empty() ? std::string() : " among those named"));

    CheckResult result;
    Evidence evidence;
    int64_t judged_rows = 0, missing = 0, duplicates = 0, overwrites = 0, in_dlq = 0;
    size_t judged_pairs = 0;
    std::string unjudged;
    for (const Pair& p : pairs) {
        const std::string sink_system = kc::sink_system(run.connectors.at(p.sink));
        const bool upsert = kc::upsert_sink(run.connectors.at(p.sink));
        // Records the sink skipped into its dead letter queue (errors.tolerance=all): the texts in
        // that topic's committed log.
        const kc::ConnectorConfig& sink_config = run.connectors.at(p.sink);
        const std::string dlq = kc::config_value(sink_config, "errors.deadletterqueue.topic.name");
        const bool tolerate_all = kc::config_value(sink_config, "errors.tolerance", "none") == "all";
        std::set<std::string> dead_lettered;
        if (!dlq.empty())
            for (const PartitionSnapshot& part : run.final_state.partitions) {
                if (part.topic != dlq) continue;
                const ReplicaSnapshot* src = part.committed_source();
                if (src == nullptr) continue;
                for (const auto& b : src->batches) {
                    if (b.base_offset >= part.committed_end() || !b.contents) continue;
                    for (const auto& t : b.contents->texts)
                        if (t.value) dead_lettered.insert(*t.value);
                }
            }
        std::map<std::string, int64_t> written;  // row text -> writes by this sink
        if (auto it = run.external->writes().find(sink_system); it != run.external->writes().end())
            for (const kc::SinkWrite& w : it->second)
                if (w.connector == p.sink) ++written[w.text];
        int64_t rows_here = 0;
        for (const std::string& system : p.systems) {
            const kc::ExternalSourceSpec* src = run.external->source(system);
            if (src == nullptr) continue;
            const int64_t rows = run.external->rows_at(*src, cutoff);
            rows_here += rows;
            for (int64_t r = 0; r < rows; ++r) {
                const std::string text = run.external->row_text(*src, r);
                auto it = written.find(text);
                const int64_t n = it == written.end() ? 0 : it->second;
                if (n == 0 && run.external->row_malformed(*src, r) && dead_lettered.contains(text)) {
                    ++in_dlq;
                    evidence.add_lazy([&] {
                        return "row " + std::to_string(r) + " of " + system + " (\"" + text +
                               "\") could not be converted: " + p.sink + " sent it to its dead letter queue " + dlq;
                    });
                } else if (n == 0 && run.external->row_malformed(*src, r) && tolerate_all) {
                    ++missing;
                    evidence.add_lazy([&] {
                        return "row " + std::to_string(r) + " of " + system + " (\"" + text + "\") could not be converted "
                               "and " + p.sink + " dropped it without a trace (errors.tolerance=all" +
                               (dlq.empty() ? std::string(" and no dead letter queue)") : ", and it is not in " + dlq + ")");
                    });
                } else if (n == 0) {
                    ++missing;
                    evidence.add_lazy([&] {
                        return "row " + std::to_string(r) + " of " + system + " (\"" + text + "\", written at " +
                               sim::format_time(run.external->row_time(*src, r)) + ") never reached " + p.sink +
                               " (" + sink_system + ")";
                    });
                } else if (n > 1 && upsert) {
                    overwrites += n - 1;
                } else if (n > 1) {
                    duplicates += n - 1;
                    evidence.add_lazy([&] {
                        return "row " + std::to_string(r) + " of " + system + " (\"" + text + "\") was written " +
                               std::to_string(n) + " times into " + sink_system + " by " + p.sink;
                    });
                }
            }
        }
        if (rows_here == 0 || written.empty()) {
            unjudged += (unjudged.empty() ? "" : "; ") + p.source + " -> " + p.sink +
                        (rows_here == 0 ? " (no source row by " + sim::format_time(cutoff) + ")" : " (the sink wrote nothing)");
            continue;
        }
        ++judged_pairs;
        judged_rows += rows_here;
    }
    if (judged_pairs == 0) return not_checked("no evidence: " + unjudged);
    result.holds = missing == 0 && (!spec.exactly_once_delivery || duplicates == 0);
    std::string text = with_commas(judged_rows) + " source rows (written by " + sim::format_time(cutoff) + ")";
    if (missing == 0 && duplicates == 0)
        text += std::string(in_dlq > 0 ? ": every readable one reached its sink" : ": every one reached its sink") +
                (overwrites ? "" : " exactly once");
    else {
        std::string parts;
        if (missing > 0) parts += with_commas(missing) + " never reached the sink";
        if (duplicates > 0)
            parts += (parts.empty() ? "" : ", ") + with_commas(duplicates) + " duplicate writes" +
                     (spec.exactly_once_delivery ? "" : " (allowed: at-least-once)");
        text += ": " + parts;
    }
    if (overwrites > 0) text += " (" + with_commas(overwrites) + " rewrites of a row an upsert sink already held)";
    if (in_dlq > 0) text += "; " + with_commas(in_dlq) + " malformed rows went to the dead letter queue instead";
    if (!unjudged.empty()) text += "; not judged: " + unjudged;
    result.summary = text;
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& source_to_sink_check() {
    static const CheckDescriptor d{
        CheckKind::source_to_sink,
        "source-to-sink",
        {{"source", false}, {"sink", false}, {"delivery", false}, {"within", false}},
        "`source`, `sink` (connector names, optional), `delivery` (`at-least-once` or `exactly-once`, default "
        "at-least-once), `within` (default 30s)",
        "every row a source connector's external system held `within` before the end reached each sink connector "
        "reading its topics (duplicates counted and shown; a violation only with `exactly-once`, and never for an "
        "upsert sink, whose rewrites overwrite the same row); a malformed row the sink sent to its dead letter queue "
        "counts as accounted for, one it dropped without a queue as lost",
        check_source_to_sink};
    return d;
}

}  // namespace scenarios
