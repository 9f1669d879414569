#include "reports/resolved_config.hpp"

#include "broker/config.hpp"

namespace reports {

namespace {

using json = nlohmann::ordered_json;

json broker_json(const kafka::BrokerConfig& c) {
    return {
        {"min.insync.replicas", c.min_insync_replicas},
        {"unclean.leader.election.enable", c.unclean_leader_election_enable},
        {"replica.lag.time.max.ms", c.replica_lag_time_max_ms},
        {"replica.fetch.wait.max.ms", c.replica_fetch_wait_max_ms},
        {"replica.fetch.min.bytes", c.replica_fetch_min_bytes},
        {"replica.fetch.max.bytes", c.replica_fetch_max_bytes},
        {"replica.fetch.backoff.ms", c.replica_fetch_backoff_ms},
        {"replica.socket.timeout.ms", c.replica_socket_timeout_ms},
        {"replica.high.watermark.checkpoint.interval.ms", c.replica_high_watermark_checkpoint_interval_ms},
        {"default.replication.factor", c.default_replication_factor},
        {"num.partitions", c.num_partitions},
        {"auto.leader.rebalance.enable", c.auto_leader_rebalance_enable},
        {"leader.imbalance.check.interval.seconds", c.leader_imbalance_check_interval_seconds},
        {"leader.imbalance.per.broker.percentage", c.leader_imbalance_per_broker_percentage},
        {"log.segment.bytes", c.log_segment_bytes},
        {"log.roll.ms", c.log_roll_ms},
        {"log.retention.ms", c.log_retention_ms},
        {"log.retention.check.interval.ms", c.log_retention_check_interval_ms},
        {"log.flush.interval.messages", c.log_flush_interval_messages},
        // Kafka's "null": flushing is left to the OS.
        {"log.flush.interval.ms", c.log_flush_interval_ms < 0 ? json(nullptr) : json(c.log_flush_interval_ms)},
        {"broker.heartbeat.interval.ms", c.broker_heartbeat_interval_ms},
        {"broker.session.timeout.ms", c.broker_session_timeout_ms},
        {"kafkasim.controlled.shutdown.timeout.ms", c.controlled_shutdown_timeout_ms},
        {"controller.quorum.election.timeout.ms", c.controller_quorum_election_timeout_ms},
        {"controller.quorum.fetch.timeout.ms", c.controller_quorum_fetch_timeout_ms},
        {"controller.quorum.election.backoff.max.ms", c.controller_quorum_election_backoff_max_ms},
        {"controller.quorum.append.linger.ms", c.controller_quorum_append_linger_ms},
        {"controller.quorum.request.timeout.ms", c.controller_quorum_request_timeout_ms},
        {"controller.quorum.retry.backoff.ms", c.controller_quorum_retry_backoff_ms},
        {"zookeeper.session.timeout.ms", c.zookeeper_session_timeout_ms},
        {"offsets.topic.num.partitions", c.offsets_topic_num_partitions},
        {"offsets.topic.replication.factor", c.offsets_topic_replication_factor},
        {"group.initial.rebalance.delay.ms", c.group_initial_rebalance_delay_ms},
        {"group.min.session.timeout.ms", c.group_min_session_timeout_ms},
        {"group.max.session.timeout.ms", c.group_max_session_timeout_ms},
    };
}

json topic_config_json(const kafka::TopicConfig& t) {
    return {
        {"min.insync.replicas", t.min_insync_replicas},
        {"unclean.leader.election.enable", t.unclean_leader_election_enable},
        {"segment.bytes", t.segment_bytes},
        {"segment.ms", t.segment_ms},
        {"retention.ms", t.retention_ms},
    };
}

json producer_config_json(const kafka::ProducerConfig& p) {
    return {
        {"acks", p.acks},
        {"enable.idempotence", p.enable_idempotence},
        {"retries", p.retries},
        {"linger.ms", p.linger_ms},
        {"batch.size", p.batch_size},
        {"delivery.timeout.ms", p.delivery_timeout_ms},
        {"request.timeout.ms", p.request_timeout_ms},
        {"retry.backoff.ms", p.retry_backoff_ms},
        {"max.in.flight.requests.per.connection", p.max_in_flight_requests_per_connection},
        {"metadata.max.age.ms", p.metadata_max_age_ms},
        {"kafkasim.record.size.bytes", p.record_size_bytes},
    };
}

json consumer_config_json(const kafka::ConsumerConfig& c) {
    return {
        {"auto.offset.reset", c.auto_offset_reset},
        {"enable.auto.commit", c.enable_auto_commit},
        {"auto.commit.interval.ms", c.auto_commit_interval_ms},
        {"session.timeout.ms", c.session_timeout_ms},
        {"heartbeat.interval.ms", c.heartbeat_interval_ms},
        {"max.poll.interval.ms", c.max_poll_interval_ms},
        {"max.poll.records", c.max_poll_records},
        {"partition.assignment.strategy", c.partition_assignment_strategy},
        {"isolation.level", c.isolation_level},
        {"fetch.min.bytes", c.fetch_min_bytes},
        {"fetch.max.wait.ms", c.fetch_max_wait_ms},
        {"max.partition.fetch.bytes", c.max_partition_fetch_bytes},
        {"request.timeout.ms", c.request_timeout_ms},
        {"retry.backoff.ms", c.retry_backoff_ms},
        {"metadata.max.age.ms", c.metadata_max_age_ms},
    };
}

json optional_duration(const std::optional<sim::Duration>& d) {
    return d ? json(sim::format_duration(*d)) : json(nullptr);
}

}  // namespace

nlohmann::ordered_json config_map_json(const kafka::ConfigMap& m) {
    json out = json::object();
    for (const auto& [k, v] : m) std::visit([&](const auto& x) { out[k] = x; }, v);
    return out;
}

nlohmann::ordered_json resolved_config_json(const scenarios::Scenario& s) {
    const kafka::BrokerConfig broker = kafka::BrokerConfig::from(s.kafka.profile, s.kafka.config);
    json out;
    out["broker"] = broker_json(broker);
    out["broker_overrides"] = config_map_json(s.kafka.config);
    out["topics"] = json::array();
    for (const auto& t : s.topics) {
        json j = {{"name", t.name},
                  {"partitions", t.partitions},
                  {"replication.factor", t.replication_factor},
                  {"config", topic_config_json(kafka::TopicConfig::from(broker, t.config))},
                  {"overrides", config_map_json(t.config)}};
        if (!t.assignment.empty()) j["assignment"] = t.assignment;
        out["topics"].push_back(std::move(j));
    }
    out["producers"] = json::array();
    for (const auto& p : s.producers) {
        out["producers"].push_back({{"id", p.id},
                                    {"topic", p.topic},
                                    {"rate_per_s", p.rate_per_s},
                                    {"keys", p.keys},
                                    {"from", sim::format_duration(p.from)},
                                    {"until", optional_duration(p.until)},
                                    {"config", producer_config_json(kafka::ProducerConfig::from(s.kafka.profile, p.config))},
                                    {"overrides", config_map_json(p.config)}});
    }
    out["consumers"] = json::array();
    for (const auto& c : s.consumers) {
        out["consumers"].push_back({{"group", c.group ? json(*c.group) : json(nullptr)},
                                    {"members", c.members},
                                    {"topics", c.topics},
                                    {"rate_per_s", c.rate_per_s ? json(*c.rate_per_s) : json(nullptr)},
                                    {"from", sim::format_duration(c.from)},
                                    {"until", optional_duration(c.until)},
                                    {"config", consumer_config_json(kafka::ConsumerConfig::from(s.kafka.profile, c.config))},
                                    {"overrides", config_map_json(c.config)}});
    }
    return out;
}

}  // namespace reports
