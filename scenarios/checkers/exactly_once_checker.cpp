// exactly-once: what Kafka Streams' processing.guarantee=exactly_once_v2 promises
// (docs/streams/core-concepts: each input record's effects on the output topics, the state
// stores' changelogs and the committed input offsets appear exactly once), judged on the final
// committed logs as a read_committed reader sees them (transactional batches count once their
// COMMIT marker is in the log; aborted and still-open ones do not):
//  - every input record the app's group has committed past (below its committed offset, kept
//    by the topology's filter, with a key) has exactly one effect in the sink and in the store's
//    changelog, found by the origin the output record carries (RecordContents);
//  - effects of records at or past the committed offset are counted and shown, not judged:
//    under at_least_once that is the work since the last commit (written again after a
//    crash, which the first rule then sees);
//  - each key's last count in the sink equals the number of its input records the group
//    committed past.
// An app whose group committed nothing is not checked: there is no evidence either way.
#include <algorithm>
#include <map>
#include <set>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {
namespace {
using namespace checkers;

std::string origin_text(const RunData& run, const AppSpec& app, const kafka::RecordOrigin& o, int64_t offset) {
    std::string out = app.topology.source + "/" + std::to_string(o.partition);
    if (offset >= 0) out += " offset " + std::to_string(offset);
    return out + " (" + client_text(run, o.client) + " seq " + std::to_string(o.seq) + ")";
}

struct Effects {
    std::map<kafka::RecordOrigin, std::vector<int64_t>> offsets;  // origin -> offsets in the topic
    std::map<std::pair<int32_t, int64_t>, uint32_t> writer;        // (partition, offset) -> the client that wrote it (sink)
    std::map<int32_t, std::pair<int64_t, int64_t>> last_by_key;   // key -> (offset, value), sink only
    std::map<int32_t, int32_t> key_partition;                      // key -> its sink partition
    int64_t records = 0;
};

Effects effects_in(const RunData& run, const std::string& topic, bool keep_last) {
    Effects e;
    for (const PartitionSnapshot& p : run.final_state.partitions) {
        if (p.topic != topic) continue;
        int64_t end = 0;
        for (const CommittedRecord& r : read_committed_records(p, end)) {
            const auto& c = r.batch->contents;
            if (!c || r.index >= c->origins.size()) continue;
            ++e.records;
            e.offsets[c->origins[r.index]].push_back(r.offset);
            if (keep_last) e.writer[{p.tp.partition, r.offset}] = r.batch->client;
            if (keep_last && r.index < c->values.size()) {
                const int32_t key = c->key(r.index);
                auto& last = e.last_by_key[key];
                if (r.offset >= last.first) last = {r.offset, c->values[r.index]};
                e.key_partition[key] = p.tp.partition;
            }
        }
    }
    return e;
}

}  // namespace

CheckResult check_exactly_once(const ExpectSpec& spec, const RunData& run) {
    std::vector<const AppSpec*> apps;
    for (const AppSpec& a : run.scenario.apps)
        if (spec.app.empty() || a.name == spec.app) apps.push_back(&a);
    if (apps.empty()) return not_checked("no Streams application in \"apps\"");

    CheckResult result;
    Evidence evidence;
    int64_t inputs = 0, duplicates = 0, missing = 0, ahead = 0, wrong_counts = 0, keys_checked = 0;
    std::vector<std::string> unchecked;
    for (const AppSpec* app : apps) {
        auto committed_it = run.final_committed.find(app->streams.application_id);
        if (committed_it == run.final_committed.end() || committed_it->second.empty()) {
            unchecked.push_back(app->name + ": its group " + app->streams.application_id + " committed no offset");
            continue;
        }
        const auto& committed = committed_it->second;
        const Effects sink = effects_in(run, app->topology.sink, true);
        const Effects changelog = effects_in(run, app->changelog_topic(), false);
        std::map<int32_t, int64_t> expected_by_key;
        // An input record is known by its origin (its producer and sequence), which every effect
        // carries. A producer without idempotence may have written one record twice (a retried
        // batch): each copy is an input record of its own, so an origin with n copies below the
        // committed offset must have n effects.
        struct Input {
            int32_t key = -1;
            int64_t below = 0, past = 0;  // copies below / at or past the committed offset
            int64_t offset = -1;          // its first copy
            int64_t upto = 0;             // the committed offset of its partition
        };
        std::map<kafka::RecordOrigin, Input> input;
        for (const PartitionSnapshot& p : run.final_state.partitions) {
            if (p.topic != app->topology.source) continue;
            auto c = committed.find(kafka::GroupPartition{p.topic, p.tp.partition});
            const int64_t upto = c == committed.end() ? 0 : c->second;
            int64_t end = 0;
            for (const CommittedRecord& r : read_committed_records(p, end)) {
                const auto& contents = r.batch->contents;
                const int32_t key = contents ? contents->key(r.index) : -1;
                if (key < 0 || (app->topology.keys_below && key >= *app->topology.keys_below)) continue;
                Input& in = input[kafka::RecordOrigin{r.batch->client, p.tp.partition,
                                                      r.batch->first_seq + static_cast<uint32_t>(r.index)}];
                if (in.offset < 0) in = Input{key, 0, 0, r.offset, upto};
                (r.offset >= upto ? in.past : in.below) += 1;
            }
        }
        for (const auto& entry : input) {
            const kafka::RecordOrigin origin = entry.first;  // named copies for the evidence lambdas (clang 14)
            const Input in = entry.second;
            auto in_sink = sink.offsets.find(origin);
            auto in_changelog = changelog.offsets.find(origin);
            const auto n_sink = static_cast<int64_t>(in_sink == sink.offsets.end() ? 0 : in_sink->second.size());
            const auto n_changelog =
                static_cast<int64_t>(in_changelog == changelog.offsets.end() ? 0 : in_changelog->second.size());
            if (in.below == 0) {
                if (n_sink > 0 || n_changelog > 0) {
                    ++ahead;
                    evidence.add_lazy([&, origin, in, n_sink] {
                        return origin_text(run, *app, origin, in.offset) + " is past the committed offset " +
                               std::to_string(in.upto) + " yet its effect is committed in " +
                               (n_sink > 0 ? app->topology.sink + " at offset " + std::to_string(in_sink->second[0])
                                           : app->changelog_topic()) +
                               ": not committed yet, it is processed again if its task moves";
                    });
                }
                continue;
            }
            inputs += in.below;
            expected_by_key[in.key] += in.below;
            if (n_sink < in.below || n_changelog < in.below) {
                missing += in.below - std::min(n_sink, n_changelog);
                evidence.add_lazy([&, origin, in, n_sink] {
                    return origin_text(run, *app, origin, in.offset) + " is below the committed offset " +
                           std::to_string(in.upto) + " but has no committed effect in " +
                           (n_sink < in.below ? app->topology.sink : app->changelog_topic()) + " (lost)" +
                           (in.below > 1 ? "; the source holds it " + std::to_string(in.below) + " times" : "");
                });
            } else if (n_sink > in.below + in.past || n_changelog > in.below + in.past) {
                ++duplicates;
                evidence.add_lazy([&, origin, in, n_sink, n_changelog] {
                    const auto& where = n_sink > in.below + in.past ? in_sink->second : in_changelog->second;
                    const bool to_sink = n_sink > in.below + in.past;
                    std::string offs;
                    for (size_t i = 0; i < where.size() && i < 4; ++i) {
                        offs += (i ? ", " : "") + std::to_string(where[i]);
                        if (to_sink)
                            if (auto kp = sink.key_partition.find(in.key); kp != sink.key_partition.end())
                                if (auto w = sink.writer.find({kp->second, where[i]}); w != sink.writer.end())
                                    offs += " by " + client_text(run, w->second);
                    }
                    return origin_text(run, *app, origin, in.offset) + " took effect " +
                           std::to_string(std::max(n_sink, n_changelog)) + " times in " +
                           (to_sink ? app->topology.sink : app->changelog_topic()) + " (offsets " + offs + ")" +
                           (in.below + in.past > 1
                                ? "; the source holds it " + std::to_string(in.below + in.past) + " times"
                                : "");
                });
            }
        }
        for (const auto& entry : expected_by_key) {
            const int32_t key = entry.first;  // named copies: lambdas cannot capture structured bindings in clang 14
            const int64_t expected = entry.second;
            ++keys_checked;
            auto last = sink.last_by_key.find(key);
            const int64_t got = last == sink.last_by_key.end() ? 0 : last->second.second;
            if (got != expected) {
                ++wrong_counts;
                evidence.add_lazy([&] {
                    return "key-" + std::to_string(key) + ": its last count in " + app->topology.sink + " is " +
                           std::to_string(got) +
                           (last == sink.last_by_key.end() ? "" : " (offset " + std::to_string(last->second.first) + ")") +
                           " but the group committed past " + std::to_string(expected) + " of its input records";
                });
            }
        }
    }
    for (const std::string& u : unchecked) evidence.add("not judged: " + u);
    if (inputs == 0 && ahead == 0)
        return not_checked(unchecked.empty() ? "no input record below the app's committed offsets: nothing was processed and committed"
                                             : unchecked.front());
    result.holds = duplicates == 0 && missing == 0 && wrong_counts == 0;
    if (result.holds) {
        result.summary = with_commas(inputs) + " input records below the committed offsets each took effect once; " +
                         "the counts of all " + count_text(keys_checked, "key") + " equal their input" +
                         (ahead > 0 ? "; " + with_commas(ahead) + " past the committed offsets already took effect" : "");
    } else {
        std::string parts;
        auto part = [&](int64_t n, const char* what) {
            if (n > 0) parts += (parts.empty() ? "" : ", ") + with_commas(n) + " " + what;
        };
        part(duplicates, "processed more than once");
        part(missing, "without a committed effect");
        part(wrong_counts, "keys with a wrong count");
        result.summary = parts + " (of " + with_commas(inputs) + " input records below the committed offsets)";
    }
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& exactly_once_check() {
    static const CheckDescriptor d{CheckKind::exactly_once, "exactly-once", {{"app", false}},
                                  "`app` (optional)",
                                  "every input record a Streams app's group committed past took effect exactly once in its "
                                  "sink and its store's changelog (read_committed), and each key's last count in the sink "
                                  "equals its input records; effects of records past the committed offsets are shown, not "
                                  "judged",
                                  check_exactly_once};
    return d;
}

}  // namespace scenarios
