// Runs a scenario: builds the cluster, schedules the fault timeline, samples cluster state
// every `sample_interval` of virtual time, checks replicas as it goes, and at the end runs
// the expectations' checkers.
//
//   ScenarioRun run(scenario, options);
//   run.advance_to(sim::time_zero + sim::seconds(15));   // e.g. for `describe --at 15s`
//   const RunData& data = run.finish();                  // runs to the end, then checks
#pragma once
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "scenarios/checkers/checker.hpp"
#include "scenarios/cluster_model.hpp"
#include "scenarios/fault_injector.hpp"
#include "scenarios/run_data.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

struct RunOptions {
    std::optional<uint64_t> seed;                   // --seed overrides the scenario's
    sim::Duration sample_interval = sim::milliseconds(100);
    sim::Duration consistency_interval = sim::seconds(1);
    // Called for every model event and every fault record as it happens (live narration).
    std::function<void(const kafka::TraceEntry&, const kafka::Trace&)> on_trace;
    std::function<void(const FaultRecord&, const kafka::Trace&)> on_fault;
};

class ScenarioRun {
public:
    ScenarioRun(const Scenario& scenario, RunOptions options);

    uint64_t seed() const { return seed_; }
    ClusterModel& cluster() { return *cluster_; }
    sim::Time now() const { return cluster_->world().now(); }

    // Run up to virtual time t (not past the scenario's duration).
    void advance_to(sim::Time t);
    sim::Time end() const { return sim::time_zero + scenario_.duration; }

    // ---- driven by hand (`kafkasim shell`) ----
    // Process the next event of the world if it falls within the run; false when none does.
    bool step();
    // Apply a fault now, as the timeline would (FaultInjector::fire_now).
    FaultRecord fire_fault(FaultSpec fault);
    // Clients started now, subject to the network faults in force (see ClusterModel).
    ClientNode add_producer(const std::string& name, const std::string& topic, const kafka::ProducerConfig& config,
                            const kafka::WorkloadSpec& workload);
    // group: a member of that consumer group (it joins it like any member); none: reads every partition.
    ClientNode add_consumer(const std::string& name, const std::string& topic, const kafka::ConsumerConfig& config,
                            const std::optional<std::string>& group = std::nullopt);
    // Run to the end, take the final snapshot, and run every expectation's checker.
    // The shell's Kafka tools (ClusterModel's), started now under the network faults in force.
    sim::NodeId add_admin(const std::string& name, std::vector<kafka::AdminClient::Timed> operations);
    ClientNode add_console_producer(const std::string& name, const std::string& topic, const kafka::ProducerConfig& config,
                                    std::vector<kafka::ConsoleProducer::Line> lines);
    ClientNode add_console_consumer(const std::string& name, const std::string& topic,
                                    const kafka::ConsumerConfig& config, const std::string& group);
    const RunData& finish();

    const RunData& data() const { return data_; }
    const std::vector<CheckResult>& checks() const { return checks_; }
    bool passed() const;

private:
    void sample_tick();
    // Records a group member's names the first time it is assigned partitions (RunData::members).
    void note_member(const kafka::TraceEntry& ev, const kafka::Trace& trace);
    void consistency_tick();

    Scenario scenario_;
    RunOptions options_;
    uint64_t seed_;
    std::unique_ptr<ClusterModel> cluster_;
    std::unique_ptr<FaultInjector> faults_;
    RunData data_;
    std::vector<kafka::TraceEntry> held_;  // recorded while a fault's action ran, not yet told
    std::vector<CheckResult> checks_;
    bool finished_ = false;
};

}  // namespace scenarios
