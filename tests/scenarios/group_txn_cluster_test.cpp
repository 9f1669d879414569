// The group coordinator's side of a transaction in a cluster (KRaft, 3 brokers): a driver node
// plays a consume-transform-produce application with raw requests (FindCoordinator for the
// transactional id and for the group, InitProducerId, AddOffsetsToTxn, TxnOffsetCommit, EndTxn).
// The group's offset stays pending (UNSTABLE_OFFSET_COMMIT for require_stable) until the
// transaction coordinator's marker lands on the group's __consumer_offsets partition; then a
// commit makes it visible to OffsetFetch and an abort drops it.
#include <catch2/catch.hpp>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "broker/broker_node.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

struct InboxNode : kafka::Node {
    std::vector<kafka::Message> inbox;
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId, kafka::Message& msg, kafka::Context&) override { inbox.push_back(std::move(msg)); }
};

const std::string txn_id = "eos-app-1";
const std::string group = "eos-app";
const kafka::GroupPartition input0{"events", 0};

std::unique_ptr<scenarios::Scenario> scenario() {
    const nlohmann::json j = {
        {"name", "group-txn"},
        {"duration", "120s"},
        {"kafka",
         {{"version", "3.7"},
          {"brokers", 3},
          {"config", {{"transaction.state.log.num.partitions", 5}, {"offsets.topic.num.partitions", 5}}}}},
        {"topics", {{{"name", "events"}, {"partitions", 2}, {"replication.factor", 3}}}},
    };
    auto loaded = scenarios::load_scenario_text(j.dump(), "group-txn.json");
    REQUIRE(loaded.scenario);
    return std::make_unique<scenarios::Scenario>(*loaded.scenario);
}

struct Driver {
    scenarios::ScenarioRun& run;
    kafka::World& world;
    sim::NodeId node;
    int32_t correlation = 1;

    explicit Driver(scenarios::ScenarioRun& r)
        : run(r), world(r.cluster().world()),
          node(world.add_node("eos-driver", [] { return std::make_unique<InboxNode>(); })) {
        world.start(node);
    }

    sim::NodeId broker_node(int32_t id) { return world.find("broker:" + std::to_string(id)); }

    // Sends (with a fresh correlation id) and advances until the answer is in, at most 10 s.
    template <class Resp, class Req>
    std::optional<Resp> call(int32_t broker, Req req) {
        req.correlation_id = correlation++;
        const int32_t cid = req.correlation_id;
        kafka::Context(world, node).send(broker_node(broker), std::move(req));
        const sim::Time until = run.now() + sim::seconds(10);
        while (run.now() < until) {
            run.advance_to(run.now() + sim::milliseconds(50));
            auto& inbox = world.node_as<InboxNode>(node)->inbox;
            for (auto it = inbox.begin(); it != inbox.end(); ++it)
                if (const auto* r = std::get_if<Resp>(&*it); r != nullptr && r->correlation_id == cid) {
                    Resp out = *r;
                    inbox.erase(it);
                    return out;
                }
        }
        return std::nullopt;
    }
    // Asks until the answer has no error, at most 60 times, 500 ms apart.
    template <class Resp, class Req, class Ok>
    Resp until_ok(int32_t broker, const Req& req, Ok ok) {
        std::optional<Resp> last;
        for (int attempt = 0; attempt < 60; ++attempt) {
            last = call<Resp>(broker, req);
            if (last && ok(*last)) return *last;
            run.advance_to(run.now() + sim::milliseconds(500));
        }
        REQUIRE(last);
        return *last;
    }

    int32_t find_coordinator(const std::string& key, int8_t key_type) {
        kafka::FindCoordinatorRequest req;
        req.group_id = key;
        req.key_type = key_type;
        auto r = until_ok<kafka::FindCoordinatorResponse>(
            1, req, [](const kafka::FindCoordinatorResponse& r) { return r.error == kafka::Error::none; });
        REQUIRE(r.error == kafka::Error::none);
        return r.node_id;
    }

    kafka::OffsetFetchResponse fetch(int32_t coordinator, bool require_stable) {
        kafka::OffsetFetchRequest req;
        req.group_id = group;
        req.partitions = {input0};
        req.require_stable = require_stable;
        auto r = call<kafka::OffsetFetchResponse>(coordinator, req);
        REQUIRE(r);
        REQUIRE(r->error == kafka::Error::none);
        REQUIRE(r->partitions.size() == 1);
        return *r;
    }
};

// sendOffsetsToTransaction(offset 17 of events-0) inside a transaction, then EndTxn.
void offsets_in_transaction(bool commit, uint64_t seed) {
    auto s = scenario();
    scenarios::RunOptions options;
    options.seed = seed;
    scenarios::ScenarioRun run(*s, options);
    run.advance_to(sim::time_zero + sim::seconds(10));
    Driver d(run);

    const int32_t txn_coordinator = d.find_coordinator(txn_id, kafka::coordinator_key_transaction);
    kafka::InitProducerIdRequest init;
    init.transactional_id = txn_id;
    const auto pid = d.until_ok<kafka::InitProducerIdResponse>(
        txn_coordinator, init, [](const kafka::InitProducerIdResponse& r) { return r.error == kafka::Error::none; });
    REQUIRE(pid.error == kafka::Error::none);
    const int32_t group_coordinator = d.find_coordinator(group, kafka::coordinator_key_group);

    kafka::AddOffsetsToTxnRequest add;
    add.transactional_id = txn_id;
    add.producer_id = pid.producer_id;
    add.producer_epoch = pid.producer_epoch;
    add.group_id = group;
    const auto added = d.until_ok<kafka::AddOffsetsToTxnResponse>(
        txn_coordinator, add, [](const kafka::AddOffsetsToTxnResponse& r) { return r.error == kafka::Error::none; });
    REQUIRE(added.error == kafka::Error::none);

    kafka::TxnOffsetCommitRequest offsets;
    offsets.transactional_id = txn_id;
    offsets.group_id = group;
    offsets.producer_id = pid.producer_id;
    offsets.producer_epoch = pid.producer_epoch;
    offsets.partitions.push_back({input0, 17, 0});
    const auto written = d.until_ok<kafka::TxnOffsetCommitResponse>(
        group_coordinator, offsets, [](const kafka::TxnOffsetCommitResponse& r) {
            return r.partitions.size() == 1 && r.partitions[0].error == kafka::Error::none;
        });
    REQUIRE(written.partitions.size() == 1);
    REQUIRE(written.partitions[0].error == kafka::Error::none);

    // Pending: the offset is not committed yet, and a stable fetch is told so.
    CHECK(d.fetch(group_coordinator, false).partitions[0].offset == -1);
    CHECK(d.fetch(group_coordinator, true).partitions[0].error == kafka::Error::unstable_offset_commit);

    kafka::EndTxnRequest end;
    end.transactional_id = txn_id;
    end.producer_id = pid.producer_id;
    end.producer_epoch = pid.producer_epoch;
    end.committed = commit;
    auto ended = d.call<kafka::EndTxnResponse>(txn_coordinator, end);
    REQUIRE(ended);
    CHECK(ended->error == kafka::Error::none);
    run.advance_to(run.now() + sim::seconds(5));  // the markers

    const kafka::OffsetFetchResponse after = d.fetch(group_coordinator, true);
    CHECK(after.partitions[0].error == kafka::Error::none);
    CHECK(after.partitions[0].offset == (commit ? 17 : -1));
    const auto& groups = run.cluster().broker(group_coordinator)->coordinator().groups();
    REQUIRE(groups.count(group) == 1);
    CHECK(groups.at(group).pending_txn_offsets.empty());
}

}  // namespace

TEST_CASE("group coordinator in a cluster: offsets sent to a committed transaction become visible",
          "[scenarios][transactions]") {
    offsets_in_transaction(true, 21);
}

TEST_CASE("group coordinator in a cluster: offsets sent to an aborted transaction are dropped",
          "[scenarios][transactions]") {
    offsets_in_transaction(false, 22);
}
