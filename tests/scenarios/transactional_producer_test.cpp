// The transactional producer in whole clusters: commits and aborts as the application chose,
// read_committed readers that never see aborted records while read_uncommitted ones do, zombie
// fencing by a second instance of the same transactional.id, the coordinator's timeout abort
// and how each client release recovers from it (KIP-588), a coordinator crash, and the loader's
// refusals of settings Kafka's producer refuses.
#include <catch2/catch.hpp>

#include <set>
#include <string>
#include <tuple>

#include <nlohmann/json.hpp>

#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"

namespace {

using nlohmann::json;

json txn_scenario(const std::string& version = "3.7") {
    return json{
        {"name", "txn"},
        {"seed", 3},
        {"duration", "40s"},
        {"kafka", {{"version", version}, {"brokers", 3}, {"controllers", 1}}},
        {"topics", {{{"name", "payments"}, {"partitions", 3}, {"replication.factor", 3}}}},
        {"producers",
         {{{"id", "ledger"},
           {"topic", "payments"},
           {"rate", 200},
           {"keys", 30},
           {"from", "2s"},
           {"until", "30s"},
           {"config", {{"transactional.id", "ledger-1"}}},
           {"transactions", {{"records", 50}, {"abort", 0.25}}}}}},
        {"consumers",
         {{{"group", "audit"},
           {"members", 2},
           {"topics", {"payments"}},
           {"config", {{"auto.offset.reset", "earliest"}, {"isolation.level", "read_committed"}}}},
          {{"group", "raw"},
           {"members", 1},
           {"topics", {"payments"}},
           {"config", {{"auto.offset.reset", "earliest"}}}}}},
        {"expect", {"no-acked-loss"}},
    };
}

struct TpOutcome {
    std::string hash;
    bool passed = false;
    std::string checks;
};

TpOutcome run(const json& j, const std::function<void(const scenarios::RunData&)>& inspect = {}) {
    auto loaded = scenarios::load_scenario_text(j.dump(2), "txn.json");
    std::string errors;
    for (const auto& e : loaded.errors) errors += e.what() + "\n";
    INFO(errors);
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun r(*loaded.scenario, {});
    const scenarios::RunData& data = r.finish();
    TpOutcome o;
    o.hash = data.trace_hash;
    o.passed = r.passed();
    for (const auto& c : r.checks()) o.checks += (c.passed() ? "PASS " : "FAIL ") + c.name + ": " + c.summary + "\n";
    if (inspect) inspect(data);
    return o;
}

// (client, partition, seq) of every record of a transaction with that outcome.
using RecordId = std::tuple<uint32_t, int32_t, uint32_t>;
std::set<RecordId> records_of(const scenarios::History& h, kafka::TxnOutcome outcome) {
    std::set<RecordId> out;
    for (const auto& t : h.transactions())
        if (t.outcome == outcome)
            for (const auto& r : t.records)
                for (uint32_t s = r.first_seq; s < r.end_seq(); ++s) out.insert({r.client, r.tp.partition, s});
    return out;
}

uint32_t client_named(const scenarios::History& h, const std::string& name) {
    for (uint32_t c = 1; c < h.client_count(); ++c)
        if (h.client_name(c) == name) return c;
    return 0;
}

std::vector<std::string> tp_load_errors(const json& j) {
    auto loaded = scenarios::load_scenario_text(j.dump(2), "txn.json");
    std::vector<std::string> out;
    for (const auto& e : loaded.errors) out.push_back(e.what());
    return out;
}

}  // namespace

TEST_CASE("transactions commit and abort as the application chose, and read_committed hides the aborted ones",
          "[scenarios][transactions]") {
    size_t committed = 0, aborted = 0, aborted_read_committed = 0, aborted_read_uncommitted = 0;
    const TpOutcome o = run(txn_scenario(), [&](const scenarios::RunData& data) {
        const scenarios::History& h = *data.history;
        const auto committed_records = records_of(h, kafka::TxnOutcome::committed);
        const auto aborted_records = records_of(h, kafka::TxnOutcome::aborted);
        for (const auto& t : h.transactions()) {
            if (t.outcome == kafka::TxnOutcome::committed) ++committed;
            if (t.outcome == kafka::TxnOutcome::aborted) ++aborted;
        }
        // Every record the application saw acknowledged is one of a committed transaction.
        for (const auto& a : h.acks())
            for (uint32_t s = a.records.first_seq; s < a.records.end_seq(); ++s)
                CHECK(committed_records.count({a.records.client, a.records.tp.partition, s}) == 1);
        const uint32_t raw = client_named(h, "consumer:raw/1");
        REQUIRE(raw != 0);
        for (const auto& p : h.polls())
            for (int32_t i = 0; i < p.count; ++i) {
                const bool is_aborted =
                    aborted_records.count({p.producer, p.tp.partition, p.first_seq + static_cast<uint32_t>(i)}) != 0;
                if (!is_aborted) continue;
                (p.consumer == raw ? aborted_read_uncommitted : aborted_read_committed) += 1;
            }
    });
    INFO(o.checks);
    CHECK(o.passed);
    CHECK(committed > 50);
    CHECK(aborted > 5);
    CHECK(aborted_read_committed == 0);
    CHECK(aborted_read_uncommitted > 0);  // read_uncommitted returns aborted data, as Kafka's does
    // The same seed is the same run.
    CHECK(run(txn_scenario()).hash == o.hash);
}

TEST_CASE("a second instance with the same transactional.id fences the first", "[scenarios][transactions]") {
    json j = txn_scenario();
    j["producers"][0]["transactions"]["abort"] = 0;
    j["producers"].push_back({{"id", "ledger-new"},
                              {"topic", "payments"},
                              {"rate", 200},
                              {"keys", 30},
                              {"from", "15s"},
                              {"until", "30s"},
                              {"config", {{"transactional.id", "ledger-1"}}}});
    run(j, [](const scenarios::RunData& data) {
        const scenarios::History& h = *data.history;
        const uint32_t old_one = client_named(h, "producer:ledger");
        const uint32_t new_one = client_named(h, "producer:ledger-new");
        const scenarios::TxnOp* last_old = nullptr;
        int64_t old_pid = -1, new_pid = -1;
        int16_t old_epoch = -1, new_epoch = -1;
        size_t new_committed = 0;
        for (const auto& t : h.transactions()) {
            if (t.client == old_one) {
                last_old = &t;
                old_pid = t.producer_id;
                old_epoch = t.epoch;
            }
            if (t.client == new_one) {
                new_pid = t.producer_id;
                new_epoch = std::max(new_epoch, t.epoch);
                if (t.outcome == kafka::TxnOutcome::committed) ++new_committed;
            }
        }
        REQUIRE(last_old != nullptr);
        INFO("old producer's last transaction " << last_old->txn << " error " << kafka::error_name(last_old->error));
        // Fenced: the old instance's open transaction has no answer, and it stopped.
        CHECK(last_old->outcome == kafka::TxnOutcome::unknown);
        CHECK((last_old->error == kafka::Error::producer_fenced || last_old->error == kafka::Error::invalid_producer_epoch));
        CHECK(last_old->begin < sim::time_zero + sim::seconds(16));
        CHECK(new_pid == old_pid);
        CHECK(new_epoch > old_epoch);
        CHECK(new_committed > 10);
    });
}

TEST_CASE("the coordinator aborts a transaction left open past transaction.timeout.ms", "[scenarios][transactions]") {
    for (const std::string version : {"3.7", "2.6"}) {
        json j = txn_scenario(version);
        j["duration"] = "80s";
        j["producers"][0]["until"] = "70s";
        j["producers"][0]["transactions"] = {{"records", 400}};
        j["producers"][0]["config"]["transaction.timeout.ms"] = 15000;
        j["faults"] = {{{"at", "3s"}, {"action", "pause"}, {"target", "producer:ledger"}, {"for", "35s"}}};
        run(j, [&](const scenarios::RunData& data) {
            const scenarios::History& h = *data.history;
            INFO("version " << version);
            REQUIRE(!h.transactions().empty());
            const scenarios::TxnOp& first = h.transactions().front();
            // The transaction open when the producer froze was aborted by the coordinator; the
            // producer learns it from its next Produce: INVALID_PRODUCER_EPOCH.
            CHECK(first.error == kafka::Error::invalid_producer_epoch);
            if (version == "3.7") {
                // KIP-588 (2.7): abortable; the application aborts and the producer bumps its epoch.
                CHECK(first.outcome == kafka::TxnOutcome::aborted);
                size_t later_commits = 0;
                for (const auto& t : h.transactions())
                    if (t.txn > first.txn && t.outcome == kafka::TxnOutcome::committed) {
                        ++later_commits;
                        // The coordinator's fencing bump; the producer's InitProducerId names the epoch
                        // before it, which Kafka answers as a retry: the current epoch, no new bump.
                        CHECK(t.epoch == first.epoch + 1);
                    }
                CHECK(later_commits > 3);
            } else {
                // Before KIP-588 the Java client took it as being fenced: fatal.
                CHECK(first.outcome == kafka::TxnOutcome::unknown);
                CHECK(h.transactions().size() == 1);
            }
        });
    }
}

TEST_CASE("transactions go on after their coordinator crashes, and no committed record is lost",
          "[scenarios][transactions]") {
    json j = txn_scenario();
    j["duration"] = "60s";
    j["producers"][0]["until"] = "50s";
    j["faults"] = {{{"at", "12s"}, {"action", "crash"}, {"target", "coordinator:txn:ledger-1"}, {"for", "20s"}}};
    j["expect"] = {"no-acked-loss", "at-least-once"};
    const TpOutcome o = run(j, [](const scenarios::RunData& data) {
        size_t after = 0;
        for (const auto& t : data.history->transactions())
            if (t.outcome == kafka::TxnOutcome::committed && t.begin > sim::time_zero + sim::seconds(25)) ++after;
        CHECK(after > 20);
        bool moved = false;
        for (const auto& f : data.faults) moved = moved || (f.fired && !f.resolved.empty());
        CHECK(moved);
    });
    INFO(o.checks);
    CHECK(o.passed);
}

TEST_CASE("the loader refuses transactional settings Kafka refuses", "[scenarios][transactions][loader]") {
    auto contains = [](const std::vector<std::string>& errors, const std::string& path, const std::string& text) {
        for (const auto& e : errors)
            if (e.find(path) != std::string::npos && e.find(text) != std::string::npos) return true;
        return false;
    };
    {
        json j = txn_scenario();
        j["producers"][0]["config"]["acks"] = 1;
        const auto errors = tp_load_errors(j);
        INFO(errors.size());
        CHECK(contains(errors, "/producers/0/config", "acks=all"));
    }
    {
        json j = txn_scenario();
        j["producers"][0]["config"]["enable.idempotence"] = false;
        CHECK(contains(tp_load_errors(j), "/producers/0/config", "enable.idempotence"));
    }
    {
        json j = txn_scenario();
        j["producers"][0]["config"]["transaction.timeout.ms"] = 1000000;
        CHECK(contains(tp_load_errors(j), "/producers/0/config/transaction.timeout.ms", "transaction.max.timeout.ms"));
        j["kafka"]["config"] = {{"transaction.max.timeout.ms", 2000000}};
        CHECK(tp_load_errors(j).empty());
    }
    {
        json j = txn_scenario();
        j["producers"][0]["config"].erase("transactional.id");
        CHECK(contains(tp_load_errors(j), "/producers/0/transactions", "transactional"));
    }
    {
        json j = txn_scenario("0.10");
        j["consumers"] = json::array();
        CHECK(contains(tp_load_errors(j), "/producers/0/config/transactional.id", "0.11"));
    }
    {
        json j = txn_scenario();
        j["producers"][0]["transactions"]["abort"] = 2;
        CHECK(contains(tp_load_errors(j), "/producers/0/transactions/abort", "fraction"));
    }
    {
        json j = txn_scenario();
        j["faults"] = {{{"at", "5s"}, {"action", "crash"}, {"target", "coordinator:txn:ledger-2"}}};
        CHECK(contains(tp_load_errors(j), "/faults/0/target", "coordinator:txn:ledger-1"));
    }
}
