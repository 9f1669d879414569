// no-duplicates: no record (producer + partition + sequence) sits at two offsets of the final
// committed log, as a producer retry without idempotence can leave it.
#include <algorithm>
#include <set>

#include "scenarios/checkers/check_registry.hpp"
#include "scenarios/checkers/checker.hpp"

namespace scenarios {

CheckResult check_no_duplicates(const ExpectSpec&, const RunData& run) {
    using namespace checkers;
    const std::vector<Placement> placements = committed_placements(run.final_state);

    int64_t records = 0, duplicated = 0;
    std::set<kafka::TopicPartition> partitions;
    Evidence evidence;
    // Placements come sorted by (producer, partition, first sequence). `reach` is the one
    // reaching furthest so far: any earlier copy of a record is also inside it.
    const Placement* reach = nullptr;
    for (const Placement& p : placements) {
        records += p.count;
        if (reach != nullptr && reach->key == p.key && p.first_seq < reach->end_seq()) {
            uint32_t end = std::min(p.end_seq(), reach->end_seq());
            int64_t n = end - p.first_seq;
            int64_t earlier = reach->offset + (p.first_seq - reach->first_seq);
            duplicated += n;
            partitions.insert(p.key.tp);
            evidence.add_lazy([&] {
                return records_text(run, p.key.client, p.key.tp, p.first_seq, end) + " at offsets " +
                       span_text(earlier, earlier + n - 1) + " and again at " + span_text(p.offset, p.offset + n - 1);
            });
        }
        if (reach == nullptr || reach->key != p.key || p.end_seq() > reach->end_seq()) reach = &p;
    }

    if (records == 0) return not_checked("no record in the committed logs");
    CheckResult result;
    result.holds = duplicated == 0;
    if (result.holds) {
        result.summary = "no record appears at two offsets in the committed logs (" + count_text(records, "record") +
                         " checked)";
    } else {
        result.summary = count_text(duplicated, "record") + (duplicated == 1 ? " appears" : " appear") +
                         " at two offsets, on ";
        size_t shown = 0;
        for (const auto& tp : partitions) result.summary += (shown++ ? ", " : "") + partition_text(run, tp);
    }
    result.evidence = evidence.take();
    return result;
}

const CheckDescriptor& no_duplicates_check() {
    static const CheckDescriptor d{CheckKind::no_duplicates, "no-duplicates", {},
                                  "—",
                                  "no record (producer id + sequence) sits at two offsets",
                                  check_no_duplicates};
    return d;
}

}  // namespace scenarios
