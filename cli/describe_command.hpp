// kafkasim describe: the cluster at one virtual instant, as Kafka's own tools would show it.
//
//   kafkasim describe FILE --at 15s [--seed N] [--what topics|groups|quorum|transactions|all]
//                         [--group G] [--topic T] [--transactional-id ID] [--max-transaction-timeout MIN]
//
// Runs the scenario up to --at and prints, in the layouts of the scenario's Kafka release
// (reports/kafka_views.hpp), each section under the command it mimics:
//   kafka-topics.sh --describe                       every topic but the internal ones (or --topic T,
//                                                    which may be __consumer_offsets)
//   kafka-consumer-groups.sh --describe --group G    every consumer group of the scenario (or --group G),
//   kafka-consumer-groups.sh --describe --state      each followed by its --state view
//   kafka-metadata-quorum.sh describe --status       KRaft only
//   kafka-transactions.sh list (or describe          when the cluster has transactions (or --what
//     --transactional-id ID), find-hanging --topic T   transactions, --transactional-id)
// Exit codes as `run`: 0 printed, 2 bad usage or an invalid scenario (an --at that is not a
// time within the scenario, an unknown group or topic), 3 a simulator fault.
#pragma once
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "reports/kafka_views.hpp"
#include "scenarios/runner.hpp"

namespace cli {

int describe_command(const std::vector<std::string>& args);

// The sections, each under the command line it mimics, for the cluster as it stands now
// (`kafkasim shell` prints them too).
void print_topics(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                  const std::optional<std::string>& topic, reports::KafkaRelease release);
void print_group(std::ostream& out, scenarios::ScenarioRun& run, const std::string& group,
                 reports::KafkaRelease release);
void print_quorum(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                  reports::KafkaRelease release);
// kafka-transactions.sh list (describe --transactional-id ID when given), then find-hanging for
// each topic (or `topic`).
void print_transactions(std::ostream& out, scenarios::ScenarioRun& run, const scenarios::Scenario& s,
                        const std::optional<std::string>& topic, const std::optional<std::string>& transactional_id,
                        int64_t max_transaction_timeout_min, reports::KafkaRelease release);

}  // namespace cli
