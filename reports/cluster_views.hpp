// Gathers the plain views of reports/kafka_views.hpp from a running scenario, at the instant
// the world stands at: what Kafka's tools would be told by the cluster right then.
//
//   scenarios::ScenarioRun run(scenario, options);
//   run.advance_to(sim::time_zero + sim::seconds(15));
//   auto topics = reports::gather_topic_views(run.cluster(), scenario, run.seed(), {});
//   std::cout << reports::format_topics_describe(topics, reports::tools_release(scenario));
//
// Names the tools need that the model does not have are made up, deterministically:
//  - topic ids, the cluster id and 3.9's directory ids are Kafka Uuids drawn from the seed;
//  - brokers listen on localhost:9091+id (broker 1 on localhost:9092), controllers on
//    localhost:19093+(id-3000); a client's host is 10.0.0.n, n its place among the
//    scenario's clients (producers first), as Kafka prints it: "/10.0.0.n".
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "reports/kafka_views.hpp"
#include "scenarios/cluster_model.hpp"
#include "scenarios/scenario.hpp"

namespace reports {

// The release as the scenario writes it ("3.8" while the profile is "3.7"), else the profile's.
KafkaRelease tools_release(const scenarios::Scenario& scenario);

// A Kafka Uuid as Kafka prints it, drawn from (seed, name): a random (version 4) UUID that
// does not start with '-', as Uuid.randomUuid() makes them.
std::string fake_kafka_uuid(uint64_t seed, const std::string& name);
std::string broker_address(int32_t broker_id);       // "localhost:9092"
std::string controller_endpoint(int32_t controller_id);  // "CONTROLLER://localhost:19093"

// The topics the metadata holds (the active controller's view), by name. `only` empty: every
// topic but the internal ones (--exclude-internal); else just those named. Empty when no
// metadata exists yet.
std::vector<TopicView> gather_topic_views(scenarios::ClusterModel& cluster, const scenarios::Scenario& scenario,
                                          uint64_t seed, const std::vector<std::string>& only);
// True when some node holds cluster metadata (a controller or a broker has applied a record).
bool has_metadata(scenarios::ClusterModel& cluster);

// A group as its coordinator answers for it. nullopt when no coordinator can answer now
// (the leader of its __consumer_offsets partition is missing or down).
std::optional<GroupView> gather_group_view(scenarios::ClusterModel& cluster, const std::string& group);

// The quorum as its leader describes it (leader_id -1 when there is no live leader).
QuorumView gather_quorum_view(scenarios::ClusterModel& cluster, uint64_t seed);

// Whether a node of the cluster is up (false for sim::no_node).
bool node_up(scenarios::ClusterModel& cluster, sim::NodeId n);

}  // namespace reports
