// The configuration a run actually used: the version profile's defaults with the scenario's
// overrides on top, read back from the typed configs the model reads (BrokerConfig,
// TopicConfig, ProducerConfig, ConsumerConfig), under Kafka's names: every modelled key of the
// key table, nothing else (kafka::resolved_settings). So a derived value shows as the model saw
// it: enable.idempotence turned off by acks=1, delivery.timeout.ms raised to linger.ms +
// request.timeout.ms, log.roll.ms from log.roll.hours.
#pragma once
#include <nlohmann/json.hpp>

#include "scenarios/scenario.hpp"

namespace reports {

// {"broker": {...}, "topics": [...], "producers": [...], "consumers": [...]}; each entry of
// the lists holds its workload settings, "config" (resolved) and "overrides" (as written).
nlohmann::ordered_json resolved_config_json(const scenarios::Scenario& s);

// The scenario's overrides under Kafka's names, values as JSON (acks "all" is -1).
nlohmann::ordered_json config_map_json(const kafka::ConfigMap& m);

}  // namespace reports
