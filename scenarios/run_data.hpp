// Everything a finished run leaves for checkers and reports: the scenario, the history, the
// trace, periodic samples of cluster state, the fault log and a final snapshot of every
// replica's log.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "broker/messages.hpp"
#include "broker/record_batch.hpp"
#include "connect/external_systems.hpp"
#include "connect/rest_client.hpp"
#include "scenarios/history.hpp"
#include "scenarios/scenario.hpp"
#include "broker/events.hpp"

namespace scenarios {

struct ReplicaSnapshot {
    int32_t broker = 0;
    bool online = false;          // the broker process is up
    int64_t log_start_offset = 0;
    int64_t log_end_offset = 0;
    int64_t high_watermark = 0;   // this replica's own view
    // Its last stable offset (the high watermark unless a transaction is open below it);
    // -1 when only its disk was read.
    int64_t last_stable_offset = -1;
    std::vector<kafka::RecordBatch> batches;  // the replica's log (as in its page cache)
};

struct PartitionSnapshot {
    kafka::TopicPartition tp;
    std::string topic;
    std::string label() const { return topic + "/" + std::to_string(tp.partition); }
    int32_t leader = -1;          // per the controller's committed metadata
    int32_t leader_epoch = -1;
    std::vector<int32_t> replicas, isr;
    std::vector<ReplicaSnapshot> replica_logs;  // in `replicas` order
    // The committed log: the leader's log up to its high watermark (without a leader: the
    // replica with the highest high watermark, up to it).
    const ReplicaSnapshot* committed_source() const;
    int64_t committed_end() const;
    // The committed log holds record `seq` of producing client `client` at `offset`.
    bool committed_holds(int64_t offset, uint32_t client, uint32_t seq) const;
};

struct ClusterSnapshot {
    sim::Time at;
    std::vector<PartitionSnapshot> partitions;  // ordered by (topic id, partition)
    const PartitionSnapshot* find(kafka::TopicPartition tp) const;
};

// One row of cluster state, sampled every `sample_interval` of virtual time.
struct PartitionSample {
    int32_t leader = -1;
    int32_t leader_epoch = -1;
    int32_t isr_size = 0;
    int32_t replica_count = 0;
    int64_t high_watermark = 0;   // the leader's, -1 when offline
    int64_t log_end_offset = 0;   // the leader's, -1 when offline
    int64_t log_start_offset = 0; // the leader's, -1 when offline (retention moves it)
    int64_t last_stable_offset = 0; // the leader's, -1 when offline (== high watermark without transactions)
    // The leader's open transactions: (first offset, producer id), earliest first.
    std::vector<std::pair<int64_t, int64_t>> open_transactions;
};
struct ConsumerSample {
    uint32_t consumer = 0;        // client ordinal
    std::string group;            // "" for "group": null
    int64_t lag = 0;              // sum over its partitions of (high watermark - position)
    int64_t lag_max = 0;          // the largest of those (the consumer's records-lag-max)
    // Partitions it holds a position on whose lag is not fresh: no leader now, or no fetch
    // answered for them in the last `fresh_fetch_window` (their lag is a stale number).
    int32_t stale_partitions = 0;
};
// A consumer that fetches gets an answer at least every fetch.max.wait.ms (500 ms by default),
// data or not; four times that without one means it is not hearing from the partition.
inline constexpr sim::Duration fresh_fetch_window = sim::seconds(2);
// A consumer group as kafka-consumer-groups.sh --describe sees it: lag from committed offsets.
struct GroupSample {
    std::string group;
    std::string state = "Dead";   // Kafka's group state name ("Dead": no coordinator has it loaded)
    int32_t generation = -1;
    int32_t members = 0;
    // Sum over its topics' partitions of (high watermark - committed offset); a partition without
    // a committed offset counts from where auto.offset.reset would start a member: the log start
    // for earliest (all of it unread), the high watermark for latest (nothing).
    int64_t lag = 0;
    int64_t lag_max = 0;
    int32_t committed_partitions = 0;
    int32_t unowned_partitions = 0;  // partitions of its topics on which no member holds a position
};
struct Sample {
    sim::Time t;
    std::vector<PartitionSample> partitions;  // same order as ClusterSnapshot::partitions
    std::vector<ConsumerSample> consumers;
    std::vector<GroupSample> groups;          // one per consumer group of the scenario
    int64_t records_acked = 0;    // cumulative
    int64_t records_failed = 0;   // cumulative (final errors)
    int32_t quorum_leader = -1;
    int32_t quorum_epoch = 0;
    int64_t metadata_high_watermark = 0;
    int32_t active_controller = -1;
};

// Where a consumer stood at the end of the run on a partition it was reading: the offset of the
// next record it would have handed to the application.
struct ConsumerPosition {
    uint32_t consumer = 0;  // client ordinal
    std::string group;      // "" for "group": null
    kafka::TopicPartition tp;
    int64_t position = 0;
};

// What happened to one fault of the timeline: its firing, or its automatic undo after `for`.
struct FaultRecord {
    size_t index = 0;             // position in scenario.faults
    sim::Time at;
    FaultAction action = FaultAction::crash;  // as written; is_undo: this is its undo
    bool is_undo = false;
    std::string target_text;      // as written
    std::vector<std::string> resolved;  // node names it resolved to
    bool fired = false;           // false: it matched nothing (or changed nothing) when due
    std::string note;             // why it did not fire, or what it did
    // How many model events the trace held when it was recorded: where it falls among them.
    size_t trace_position = 0;

    // "crash", or "undo crash" for the automatic undo.
    std::string action_text() const { return std::string(is_undo ? "undo " : "") + to_string(action); }
};

// A fault record as a line of the trace (kind "fault" or "fault_undone"): the harness's side of
// the run's fingerprint and of trace.jsonl. The same sink protocol as the model's events
// (sim/trace.hpp).
template <class Sink>
void describe(const FaultRecord& r, Sink& sink) {
    std::string resolved;
    for (size_t i = 0; i < r.resolved.size(); ++i) resolved += (i ? "," : "") + r.resolved[i];
    sink.kind(r.is_undo ? "fault_undone" : "fault");
    sink.field("index", static_cast<int64_t>(r.index));
    sink.field("action", to_string(r.action));
    sink.field("target", r.target_text);
    sink.field("resolved", resolved);
    sink.field("fired", r.fired);
    if (!r.is_undo) sink.field("note", r.note);
}

// A consumer group member under its three names: the scenario's, the client.id it sends and
// the member id the coordinator gave it (client.id + "-" + a UUID). One entry per membership,
// from the first assignment it received.
struct MemberName {
    sim::Time since;
    std::string consumer;   // "consumer:billing/2", the name the scenario, faults and evidence use
    std::string group;
    std::string client_id;  // "consumer-billing-3"
    std::string member_id;  // "consumer-billing-3-13b0cf50-..."
};

struct RunData {
    Scenario scenario;
    uint64_t seed = 1;
    const kafka::Trace* trace = nullptr;  // the model's events; the faults are in `faults`
    const History* history = nullptr;
    std::vector<Sample> samples;
    sim::Duration sample_interval = sim::milliseconds(100);
    std::vector<FaultRecord> faults;
    ClusterSnapshot final_state;
    std::vector<ConsumerPosition> final_positions;  // every consumer's, at the end
    // Each group's committed offsets at the end, as its coordinator holds them (transactional
    // offsets count once their COMMIT marker applied them); a group no broker has loaded is absent.
    std::map<std::string, std::map<kafka::GroupPartition, int64_t>> final_committed;
    std::vector<ClusterSnapshot> periodic_snapshots;  // replica logs at intervals, for replicas-consistent
    // Divergences below the high watermark seen while running (checked every second,
    // incrementally), with time and offsets: evidence for replicas-consistent.
    std::vector<std::string> replica_divergences;
    std::vector<MemberName> members;  // in the order they first got an assignment
    // Kafka Connect: the external systems as the run left them, and the REST calls and answers.
    const kafka::connect::ExternalSystems* external = nullptr;
    std::vector<kafka::connect::RestAction> rest_actions;
    std::vector<kafka::connect::RestExchange> rest_exchanges;
    // The connectors the Connect cluster holds at the end (the furthest worker's view of the
    // config topic): name -> its config and number of tasks.
    std::map<std::string, std::map<std::string, std::string>> connectors;
    std::map<std::string, int32_t> connector_tasks;
    // Node names by kafka id, for evidence texts.
    std::string trace_hash;
    sim::Time end;
    int64_t events = 0;
};

}  // namespace scenarios
