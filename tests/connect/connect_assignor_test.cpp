// The Connect leader's assignors (EagerAssignor, IncrementalCooperativeAssignor), the release
// switches (connect_features) and the group protocol's data (connect_protocol).
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "connect/connect_assignor.hpp"
#include "connect/connect_features.hpp"
#include "connect/connect_protocol.hpp"

namespace {

using kafka::connect::AssignorOptions;
using kafka::connect::ConfigSnapshot;
using kafka::connect::ConnectAssignor;
using kafka::connect::ConnectorTaskId;
using kafka::connect::ConnectProtocol;
using kafka::connect::WorkerAssignment;
using kafka::connect::WorkerState;

using Tasks = std::vector<ConnectorTaskId>;
using Names = std::vector<std::string>;

ConnectorTaskId t(const std::string& connector, int32_t task) { return ConnectorTaskId{connector, task}; }

std::string url_of(const std::string& id) { return "http://" + id + ":8083/"; }

// A Connect group driven round by round: every member joins with what it runs, the leader
// assigns, every member applies its assignment as WorkerCoordinator.onJoinComplete does.
struct Group {
    ConnectAssignor assignor;
    ConfigSnapshot configs;
    std::map<std::string, WorkerState> members;
    int32_t generation = 0;

    explicit Group(AssignorOptions options) : assignor(options) { configs.offset = 10; }

    void join(const std::string& id) { members[id] = WorkerState{url_of(id), configs.offset, {}, {}}; }
    void leave(const std::string& id) { members.erase(id); }

    std::map<std::string, WorkerAssignment> round(int64_t now_ms) {
        ++generation;
        const std::string leader = members.begin()->first;
        auto out = assignor.assign(leader, url_of(leader), configs, members, generation, now_ms);
        for (auto& entry : out) {
            const std::string& id = entry.first;
            const WorkerAssignment& a = entry.second;  // a plain reference: the lambdas below capture it
            REQUIRE(a.error == WorkerAssignment::no_error);
            WorkerState& s = members.at(id);
            if (!incremental(assignor.options().protocol)) {
                s.connectors = a.connectors;
                s.tasks = a.tasks;
                continue;
            }
            std::erase_if(s.connectors, [&](const std::string& c) {
                return std::find(a.revoked_connectors.begin(), a.revoked_connectors.end(), c) !=
                       a.revoked_connectors.end();
            });
            std::erase_if(s.tasks, [&](const ConnectorTaskId& x) {
                return std::find(a.revoked_tasks.begin(), a.revoked_tasks.end(), x) != a.revoked_tasks.end();
            });
            s.connectors.insert(s.connectors.end(), a.connectors.begin(), a.connectors.end());
            s.tasks.insert(s.tasks.end(), a.tasks.begin(), a.tasks.end());
            std::sort(s.connectors.begin(), s.connectors.end());
            std::sort(s.tasks.begin(), s.tasks.end());
        }
        return out;
    }
    Tasks tasks_of(const std::string& id) const { return members.at(id).tasks; }
    Names connectors_of(const std::string& id) const { return members.at(id).connectors; }
};

// Connectors a and b with three tasks each, spread by a first round over `workers`.
Group started_group(std::vector<std::string> workers, AssignorOptions options = {}) {
    Group g(options);
    g.configs.task_counts = {{"a", 3}, {"b", 3}};
    for (const auto& w : workers) g.join(w);
    g.round(1000);
    return g;
}

}  // namespace

TEST_CASE("eager assignor deals connectors then tasks round robin over the sorted workers") {
    AssignorOptions options;
    options.protocol = ConnectProtocol::eager;
    Group g(options);
    g.configs.task_counts = {{"a", 3}, {"b", 3}};
    g.join("w3");
    g.join("w1");
    g.join("w2");
    auto out = g.round(0);
    REQUIRE(out.size() == 3);
    // One iterator: a->w1 b->w2, then a-0->w3 a-1->w1 a-2->w2 b-0->w3 b-1->w1 b-2->w2.
    CHECK(out["w1"].connectors == Names{"a"});
    CHECK(out["w1"].tasks == Tasks{t("a", 1), t("b", 1)});
    CHECK(out["w2"].connectors == Names{"b"});
    CHECK(out["w2"].tasks == Tasks{t("a", 2), t("b", 2)});
    CHECK(out["w3"].connectors.empty());
    CHECK(out["w3"].tasks == Tasks{t("a", 0), t("b", 0)});
    for (const auto& [id, a] : out) {
        CHECK(a.leader == "w1");
        CHECK(a.leader_url == url_of("w1"));
        CHECK(a.config_offset == 10);
        CHECK(a.delay_ms == 0);
        CHECK(a.revoked_connectors.empty());
        CHECK(a.revoked_tasks.empty());
    }
}

TEST_CASE("incremental assignor spreads new work over the least loaded workers") {
    Group g = started_group({"w1", "w2"});
    CHECK(g.connectors_of("w1") == Names{"a"});
    CHECK(g.tasks_of("w1") == Tasks{t("a", 0), t("a", 2), t("b", 1)});
    CHECK(g.connectors_of("w2") == Names{"b"});
    CHECK(g.tasks_of("w2") == Tasks{t("a", 1), t("b", 0), t("b", 2)});
}

TEST_CASE("incremental assignor: a joining worker gets work in a revocation round then an assignment round") {
    Group g = started_group({"w1", "w2"});
    g.join("w3");
    auto first = g.round(2000);
    // Six tasks over three workers: two each, so w1 and w2 each give up their first task.
    CHECK(first["w1"].revoked_tasks == Tasks{t("a", 0)});
    CHECK(first["w2"].revoked_tasks == Tasks{t("a", 1)});
    CHECK(first["w1"].revoked_connectors.empty());
    CHECK(first["w2"].revoked_connectors.empty());
    for (const auto& [id, a] : first) {
        CHECK(a.connectors.empty());
        CHECK(a.tasks.empty());
        CHECK(a.delay_ms == 0);
    }
    // The revoked workers rejoin; the revoked tasks are now new work for the least loaded.
    auto second = g.round(2100);
    CHECK(second["w3"].tasks == Tasks{t("a", 0), t("a", 1)});
    CHECK(second["w1"].tasks.empty());
    CHECK(second["w2"].tasks.empty());
    for (const auto& [id, a] : second) {
        CHECK(a.revoked_tasks.empty());
        CHECK(a.delay_ms == 0);
    }
    CHECK(g.tasks_of("w1").size() == 2);
    CHECK(g.tasks_of("w2").size() == 2);
    CHECK(g.tasks_of("w3").size() == 2);
    CHECK(g.assignor.successive_revoking_rebalances() == 0);
}

TEST_CASE("incremental assignor: a dead worker's work waits for the scheduled delay then moves") {
    Group g = started_group({"w1", "w2", "w3"});
    REQUIRE(g.tasks_of("w3") == Tasks{t("a", 2), t("b", 2)});
    g.leave("w3");
    auto held = g.round(10000);
    for (const auto& [id, a] : held) {
        CHECK(a.delay_ms == 300000);
        CHECK(a.connectors.empty());
        CHECK(a.tasks.empty());
        CHECK(a.revoked_tasks.empty());
    }
    CHECK(g.assignor.scheduled_rebalance_ms() == 310000);

    // A rebalance during the delay only shortens the delay to what is left.
    auto still_held = g.round(200000);
    for (const auto& [id, a] : still_held) {
        CHECK(a.delay_ms == 110000);
        CHECK(a.tasks.empty());
    }
    CHECK(g.assignor.scheduled_rebalance_ms() == 310000);

    auto moved = g.round(310000);
    CHECK(moved["w1"].tasks == Tasks{t("a", 2)});
    CHECK(moved["w2"].tasks == Tasks{t("b", 2)});
    for (const auto& [id, a] : moved) CHECK(a.delay_ms == 0);
    CHECK(g.assignor.scheduled_rebalance_ms() == 0);
    CHECK(g.tasks_of("w1").size() + g.tasks_of("w2").size() == 6);
}

TEST_CASE("incremental assignor: a worker back within the delay gets the lost work at its end") {
    Group g = started_group({"w1", "w2", "w3"});
    g.leave("w3");
    g.round(10000);
    // Restarted: a new member id, running nothing.
    g.join("w3-restarted");
    auto back = g.round(100000);
    CHECK(back["w3-restarted"].tasks.empty());
    CHECK(back["w3-restarted"].delay_ms == 210000);
    CHECK(g.assignor.candidate_workers_for_reassignment() == Names{"w3-restarted"});
    auto end = g.round(310000);
    CHECK(end["w3-restarted"].tasks == Tasks{t("a", 2), t("b", 2)});
    CHECK(end["w1"].tasks.empty());
    CHECK(end["w2"].tasks.empty());
    CHECK(g.assignor.candidate_workers_for_reassignment().empty());
}

TEST_CASE("incremental assignor: a worker back within the delay still running its work keeps it") {
    Group g = started_group({"w1", "w2", "w3"});
    WorkerState w3 = g.members.at("w3");
    g.leave("w3");
    g.round(10000);
    g.members["w3"] = w3;  // it was cut off, not dead: it rejoins reporting the same work
    auto back = g.round(20000);
    for (const auto& [id, a] : back) {
        CHECK(a.delay_ms == 0);
        CHECK(a.tasks.empty());
        CHECK(a.revoked_tasks.empty());
    }
    CHECK(g.assignor.scheduled_rebalance_ms() == 0);
    CHECK(g.tasks_of("w3") == Tasks{t("a", 2), t("b", 2)});
}

TEST_CASE("incremental assignor: work a member never got is reassigned at once when nobody left") {
    Group g = started_group({"w1", "w2", "w3"});
    g.members["w3"].tasks.clear();  // w3 missed its assignment (KAFKA-9848): same members, work gone
    g.members["w3"].connectors.clear();
    auto out = g.round(5000);
    for (const auto& [id, a] : out) CHECK(a.delay_ms == 0);
    CHECK(out["w3"].tasks == Tasks{t("a", 2), t("b", 2)});
    CHECK(g.assignor.scheduled_rebalance_ms() == 0);
}

TEST_CASE("incremental assignor: max delay 0 reassigns lost work at once with the KAFKA-15693 fix") {
    AssignorOptions options;
    options.scheduled_rebalance_max_delay_ms = 0;
    Group g = started_group({"w1", "w2", "w3"}, options);
    g.leave("w3");
    auto out = g.round(10000);
    CHECK(out["w1"].tasks == Tasks{t("a", 2)});
    CHECK(out["w2"].tasks == Tasks{t("b", 2)});
    for (const auto& [id, a] : out) CHECK(a.delay_ms == 0);
}

TEST_CASE("incremental assignor: max delay 0 leaves lost work unassigned before the KAFKA-15693 fix") {
    AssignorOptions options;
    options.scheduled_rebalance_max_delay_ms = 0;
    options.zero_delay_reassigns_lost = false;
    Group g = started_group({"w1", "w2", "w3"}, options);
    g.leave("w3");
    auto out = g.round(10000);
    for (const auto& [id, a] : out) {
        CHECK(a.tasks.empty());
        CHECK(a.connectors.empty());
        CHECK(a.delay_ms == 0);  // so no member schedules a rejoin: the work waits indefinitely
    }
    CHECK(g.tasks_of("w1").size() + g.tasks_of("w2").size() == 4);
    // Only a rebalance with some other cause (here a new connector) finally hands it out.
    g.configs.task_counts["c"] = 0;
    auto later = g.round(3600000);
    CHECK(g.tasks_of("w1").size() + g.tasks_of("w2").size() == 6);
    CHECK(later["w1"].tasks.size() + later["w2"].tasks.size() == 2);
}

TEST_CASE("incremental assignor revokes the work of a deleted connector") {
    Group g = started_group({"w1", "w2"});
    g.configs.task_counts.erase("b");
    g.configs.offset = 11;
    for (auto& [id, s] : g.members) s.config_offset = 11;
    auto out = g.round(5000);
    CHECK(out["w1"].revoked_connectors.empty());
    CHECK(out["w1"].revoked_tasks == Tasks{t("b", 1)});
    CHECK(out["w2"].revoked_connectors == Names{"b"});
    CHECK(out["w2"].revoked_tasks == Tasks{t("b", 0), t("b", 2)});
    for (const auto& [id, a] : out) {
        CHECK(a.config_offset == 11);
        CHECK(a.tasks.empty());
    }
    CHECK(g.tasks_of("w1") == Tasks{t("a", 0), t("a", 2)});
    CHECK(g.tasks_of("w2") == Tasks{t("a", 1)});
}

TEST_CASE("incremental assignor revokes a task that runs on two workers then assigns it once") {
    Group g = started_group({"w1", "w2"});
    g.members["w2"].tasks.push_back(t("a", 0));  // a zombie copy of w1's a-0
    auto out = g.round(5000);
    CHECK(out["w1"].revoked_tasks == Tasks{t("a", 0)});
    CHECK(out["w2"].revoked_tasks == Tasks{t("a", 0)});
    auto again = g.round(5100);
    CHECK(again["w1"].tasks == Tasks{t("a", 0)});
    CHECK(again["w2"].tasks.empty());
    CHECK(g.tasks_of("w1") == Tasks{t("a", 0), t("a", 2), t("b", 1)});
}

TEST_CASE("a leader behind on the config topic answers CONFIG_MISMATCH to everyone") {
    for (auto protocol : {ConnectProtocol::eager, ConnectProtocol::sessioned}) {
        AssignorOptions options;
        options.protocol = protocol;
        ConnectAssignor assignor(options);
        ConfigSnapshot configs{5, {{"a", 2}}};
        std::map<std::string, WorkerState> members{{"w1", WorkerState{url_of("w1"), 5, {}, {}}},
                                                   {"w2", WorkerState{url_of("w2"), 7, {}, {}}}};
        auto out = assignor.assign("w1", url_of("w1"), configs, members, 1, 0);
        REQUIRE(out.size() == 2);
        for (const auto& [id, a] : out) {
            CHECK(a.error == WorkerAssignment::config_mismatch);
            CHECK(a.config_offset == 7);
            CHECK(a.leader == "w1");
            CHECK(a.connectors.empty());
            CHECK(a.tasks.empty());
        }
        // Caught up (a fresh snapshot at 7 or later): a normal assignment from it.
        configs.offset = 7;
        out = assignor.assign("w1", url_of("w1"), configs, members, 2, 0);
        for (const auto& [id, a] : out) {
            CHECK(a.error == WorkerAssignment::no_error);
            CHECK(a.config_offset == 7);
        }
        CHECK(out["w1"].connectors == Names{"a"});
    }
}

TEST_CASE("incremental assignor backs off a second revoking rebalance in a row since 3.4") {
    Group g(AssignorOptions{});
    g.configs.task_counts = {{"a", 8}};
    g.join("w1");
    g.join("w2");
    g.round(1000);
    g.join("w3");
    auto first = g.round(2000);
    CHECK(first["w1"].revoked_tasks == Tasks{t("a", 0)});
    CHECK(first["w2"].revoked_tasks == Tasks{t("a", 1)});
    g.join("w4");
    auto second = g.round(3000);
    // Balancing would revoke again: instead wait 40 ms (40^1) and hand out only the free work.
    for (const auto& [id, a] : second) {
        CHECK(a.revoked_tasks.empty());
        CHECK(a.delay_ms == 40);
    }
    CHECK(second["w3"].tasks == Tasks{t("a", 0)});
    CHECK(second["w4"].tasks == Tasks{t("a", 1)});
    CHECK(g.assignor.successive_revoking_rebalances() == 1);
    auto third = g.round(3040);
    CHECK(third["w1"].revoked_tasks == Tasks{t("a", 2)});
    CHECK(third["w2"].revoked_tasks == Tasks{t("a", 3)});
    for (const auto& [id, a] : third) CHECK(a.delay_ms == 0);
}

TEST_CASE("incremental assignor before 3.4 never revokes in two rebalances in a row") {
    AssignorOptions options;
    options.revoking_rebalance_backoff = false;
    Group g(options);
    g.configs.task_counts = {{"a", 8}};
    g.join("w1");
    g.join("w2");
    g.round(1000);
    g.join("w3");
    auto first = g.round(2000);
    CHECK(first["w1"].revoked_tasks == Tasks{t("a", 0)});
    CHECK(first["w2"].revoked_tasks == Tasks{t("a", 1)});
    g.join("w4");
    auto second = g.round(3000);
    for (const auto& [id, a] : second) {
        CHECK(a.revoked_tasks.empty());
        CHECK(a.delay_ms == 0);
    }
    CHECK(second["w3"].tasks == Tasks{t("a", 0)});
    CHECK(second["w4"].tasks == Tasks{t("a", 1)});
    // And it only revokes to feed workers that run nothing: 3/3/1/1 stays as it is.
    auto third = g.round(3001);
    for (const auto& [id, a] : third) CHECK(a.revoked_tasks.empty());
    CHECK(g.tasks_of("w1").size() == 3);
    CHECK(g.tasks_of("w4").size() == 1);
}

TEST_CASE("connect_features follows the release") {
    using kafka::connect::connect_features;
    CHECK_FALSE(connect_features("0.8.2").has_value());
    CHECK_FALSE(connect_features("5.0").has_value());
    CHECK_FALSE(connect_features("garbage").has_value());
    CHECK(connect_features("0.10.2.1").has_value());

    auto v22 = connect_features("2.2").value();
    CHECK_FALSE(v22.incremental_cooperative);
    CHECK(v22.default_protocol == ConnectProtocol::eager);
    CHECK(v22.dead_letter_queue);
    CHECK_FALSE(v22.self_revoke_when_coordinator_unreachable);

    auto v23 = connect_features("2.3").value();
    CHECK(v23.incremental_cooperative);
    CHECK_FALSE(v23.sessioned);
    CHECK(v23.default_protocol == ConnectProtocol::compatible);
    CHECK_FALSE(v23.zero_delay_reassigns_lost);

    auto v24 = connect_features("2.4").value();
    CHECK(v24.sessioned);
    CHECK(v24.default_protocol == ConnectProtocol::sessioned);
    CHECK(v24.self_revoke_when_coordinator_unreachable);
    CHECK_FALSE(v24.revoking_rebalance_backoff);
    CHECK_FALSE(v24.restart_with_tasks);

    auto v34 = connect_features("3.4").value();
    CHECK(v34.revoking_rebalance_backoff);
    CHECK(v34.exactly_once_source);
    CHECK_FALSE(v34.stop_state);
    CHECK_FALSE(v34.zero_delay_reassigns_lost);

    CHECK(connect_features("3.5.1")->stop_state);
    CHECK_FALSE(connect_features("3.5.1")->zero_delay_reassigns_lost);
    CHECK(connect_features("3.5.2")->zero_delay_reassigns_lost);
    CHECK_FALSE(connect_features("3.6.0")->zero_delay_reassigns_lost);
    CHECK(connect_features("3.6.1")->zero_delay_reassigns_lost);
    CHECK(connect_features("3.7")->zero_delay_reassigns_lost);
    CHECK(connect_features("4.x")->zero_delay_reassigns_lost);
}

TEST_CASE("worker state and assignment survive encode then decode") {
    WorkerState s{"http://w1:8083/", 42, {"a", "b"}, {t("a", 0), t("b", 3)}};
    auto s2 = kafka::connect::decode_worker_state(kafka::connect::encode(s));
    REQUIRE(s2.has_value());
    CHECK(*s2 == s);

    WorkerAssignment a;
    a.error = WorkerAssignment::config_mismatch;
    a.leader = "w1-member";
    a.leader_url = "http://w1:8083/";
    a.config_offset = 17;
    a.connectors = {"a"};
    a.tasks = {t("a", 1), t("b", 0)};
    a.revoked_connectors = {"c"};
    a.revoked_tasks = {t("c", 2)};
    a.delay_ms = 300000;
    auto a2 = kafka::connect::decode_worker_assignment(kafka::connect::encode(a));
    REQUIRE(a2.has_value());
    CHECK(*a2 == a);
    CHECK_FALSE(kafka::connect::decode_worker_state("not json").has_value());
}
