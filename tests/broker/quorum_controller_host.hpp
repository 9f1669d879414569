// The QuorumController test host, shared by quorum_controller_test.cpp and
// quorum_controller_admin_test.cpp: drives the controller as ControllerNode does.
#pragma once
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "broker/controller/metadata_image.hpp"
#include "broker/controller/quorum_controller.hpp"

namespace kafka_test {

using namespace kafka;
using sim::milliseconds;
using sim::Time;

using Replicas = std::vector<BrokerId>;

// Drives the controller the way ControllerNode does: every returned record is appended to
// the log (here: replayed at once, at increasing offsets) before the next call.
struct Host {
    QuorumController qc;
    int64_t next_offset = 0;
    std::vector<std::string> log;  // describe_record of every appended record
    std::vector<MetadataRecord> entries;  // the log itself, from offset 0

    explicit Host(BrokerConfig config = {}, uint64_t seed = 42) : qc(config, seed) {
        append({LeaderChangeMessage{3000, {3000}}});  // a Raft leader's first record, offset 0
    }

    const MetadataImage& image() const { return qc.image(); }

    std::vector<MetadataRecord> append(const std::vector<MetadataRecord>& records) {
        for (const MetadataRecord& r : records) {
            log.push_back(describe_record(r));
            entries.push_back(r);
            qc.replay(next_offset++, r);
        }
        return records;
    }
    template <class Response>
    Response run(const QuorumController::Result& result, std::vector<MetadataRecord>* records = nullptr) {
        append(result.records);
        if (records) *records = result.records;
        REQUIRE(std::holds_alternative<Response>(result.response));
        return std::get<Response>(result.response);
    }
    std::vector<MetadataRecord> tick(Time now) { return append(qc.tick(now)); }

    BrokerRegistrationResponse register_broker(BrokerId id, Time now, uint64_t incarnation = 1) {
        BrokerRegistrationRequest req;
        req.correlation_id = 100 + id;
        req.broker_id = id;
        req.incarnation_id = incarnation;
        return run<BrokerRegistrationResponse>(qc.handle_broker_registration(req, next_offset, now));
    }
    int64_t epoch(BrokerId id) const { return image().broker(id)->epoch; }
    BrokerHeartbeatResponse heartbeat(BrokerId id, Time now, bool want_shut_down = false,
                                      std::vector<MetadataRecord>* records = nullptr, int64_t metadata_offset = -2) {
        BrokerHeartbeatRequest req;
        req.correlation_id = 7;
        req.broker_id = id;
        req.broker_epoch = epoch(id);
        req.current_metadata_offset = metadata_offset == -2 ? image().last_offset() : metadata_offset;
        req.want_shut_down = want_shut_down;
        return run<BrokerHeartbeatResponse>(qc.handle_broker_heartbeat(req, next_offset, now), records);
    }
    // Register and unfence brokers 0..n-1.
    void start_brokers(int n, Time now) {
        for (BrokerId b = 0; b < n; ++b) register_broker(b, now);
        for (BrokerId b = 0; b < n; ++b) REQUIRE_FALSE(heartbeat(b, now).is_fenced);
    }
    CreateTopicsResponse::Result create_topic(const std::string& name, int32_t partitions, int16_t rf,
                                              std::vector<Replicas> assignment = {}, ConfigMap configs = {}) {
        CreateTopicsRequest req;
        req.correlation_id = 9;
        CreatableTopic t;
        t.name = name;
        t.num_partitions = partitions;
        t.replication_factor = rf;
        t.assignment = std::move(assignment);
        t.configs = std::move(configs);
        req.topics.push_back(t);
        auto resp = run<CreateTopicsResponse>(qc.handle_create_topics(req, next_offset, Time{}));
        REQUIRE(resp.correlation_id == 9);
        REQUIRE(resp.topics.size() == 1);
        return resp.topics[0];
    }
    AlterPartitionResponse alter_partition(BrokerId leader, TopicPartition tp, Replicas new_isr,
                                           std::vector<MetadataRecord>* records = nullptr) {
        const PartitionState* p = image().partition(tp);
        AlterPartitionRequest req;
        req.correlation_id = 11;
        req.broker_id = leader;
        req.broker_epoch = epoch(leader);
        req.tp = tp;
        req.leader_epoch = p->leader_epoch;
        req.partition_epoch = p->partition_epoch;
        req.new_isr = std::move(new_isr);
        return run<AlterPartitionResponse>(qc.handle_alter_partition(req, next_offset, Time{}), records);
    }
    const PartitionState& partition(TopicId topic, int32_t p) const {
        const PartitionState* s = image().partition({topic, p});
        REQUIRE(s != nullptr);
        return *s;
    }
};

template <class R>
std::vector<R> records_of(const std::vector<MetadataRecord>& records) {
    std::vector<R> out;
    for (const auto& r : records)
        if (const R* x = std::get_if<R>(&r)) out.push_back(*x);
    return out;
}

inline Time at_ms(int64_t ms) { return Time{} + milliseconds(ms); }


}  // namespace kafka_test
