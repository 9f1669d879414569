// Narration (reports/narrator.cpp) is what a person reads first: every line a sentence in
// Kafka's words, in causal order, repeats collapsed with a count, a group member named by all
// its names once, and the same text live (`kafkasim run --narrate`) as in the reports. It is
// output only: narrating must not change the run.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "reports/narrator.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

scenarios::Scenario library(const std::string& name) {
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library" / (name + ".json")).string());
    REQUIRE(loaded.scenario);
    return *loaded.scenario;
}

// A run narrated live, as `kafkasim run --narrate` does it, and its reports' story.
struct Narrated {
    std::vector<std::string> live;
    std::vector<std::string> story;
    std::string trace_hash;
    std::vector<scenarios::MemberName> members;
    std::vector<scenarios::CheckResult> checks;
};

Narrated narrated(const std::string& name) {
    scenarios::Scenario s = library(name);
    Narrated out;
    reports::Narrator narrator(s);
    auto keep = [&out](const std::vector<std::string>& lines) { out.live.insert(out.live.end(), lines.begin(), lines.end()); };
    scenarios::RunOptions options;
    options.on_trace = [&](const kafka::TraceEntry& ev, const kafka::Trace& trace) { keep(narrator.event(ev, trace)); };
    options.on_fault = [&](const scenarios::FaultRecord& f, const kafka::Trace&) { keep(narrator.fault(f)); };
    scenarios::ScenarioRun run(s, options);
    narrator.read_members(&run.data().members);
    const scenarios::RunData& data = run.finish();
    keep(narrator.finish(data.end));
    for (const auto& l : reports::story(data)) out.story.push_back(l.text);
    out.trace_hash = data.trace_hash;
    out.members = data.members;
    out.checks = run.checks();
    return out;
}

size_t index_of(const std::vector<std::string>& lines, const std::string& text) {
    for (size_t i = 0; i < lines.size(); ++i)
        if (lines[i].find(text) != std::string::npos) return i;
    return lines.size();
}

size_t count_of(const std::vector<std::string>& lines, const std::string& text) {
    return static_cast<size_t>(
        std::count_if(lines.begin(), lines.end(), [&](const std::string& l) { return l.find(text) != std::string::npos; }));
}

std::string all(const std::vector<std::string>& lines) {
    std::string out;
    for (const auto& l : lines) out += l + "\n";
    return out;
}

}  // namespace

TEST_CASE("narration: no library scenario narrates a raw kind key=value trace line", "[narration]") {
    // "t=1.066s    broker:2         metadata_caught_up high_watermark=0 ..." is a trace line, not a sentence.
    const std::regex raw(R"(^t=\S+\s+\S+\s+[a-z]+(_[a-z]+)* [a-z_]+=)");
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(source_dir / "scenarios/library"))
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    REQUIRE(files.size() > 10);
    for (const auto& file : files) {
        auto loaded = scenarios::load_scenario_file(file.string());
        REQUIRE(loaded.scenario);
        scenarios::ScenarioRun run(*loaded.scenario, {});
        const scenarios::RunData& data = run.finish();
        for (const auto& line : reports::story(data)) {
            INFO(file.filename().string() << ": " << line.text);
            CHECK_FALSE(std::regex_search(line.text, raw));
        }
        for (const auto& ev : data.trace->events()) {
            auto line = reports::narrate(ev, *data.trace);
            if (!line) continue;
            INFO(file.filename().string() << ": " << *line);
            CHECK(line->find(kafka::event_text(ev.event)) == std::string::npos);
        }
    }
}

TEST_CASE("narration: live narration and the reports' story agree, and narrating leaves the trace hash alone", "[narration]") {
    Narrated n = narrated("kraft-controller-failover");
    CHECK(all(n.live) == all(n.story));
    scenarios::ScenarioRun quiet(library("kraft-controller-failover"), {});
    CHECK(quiet.finish().trace_hash == n.trace_hash);
}

TEST_CASE("narration: a restarted controller starts after the FAULT line that restarted it", "[narration]") {
    for (const char* name : {"kraft-controller-failover", "controller-quorum-majority-loss"}) {
        Narrated n = narrated(name);
        INFO(name << "\n" << all(n.story));
        const size_t restart = index_of(n.story, name == std::string("kraft-controller-failover")
                                                     ? "FAULT over: crash controller:active undone"
                                                     : "FAULT restart controller:3000");
        const size_t starts = index_of(n.story, "starts: reads the metadata log from its disk");
        REQUIRE(restart < n.story.size());
        REQUIRE(starts < n.story.size());
        CHECK(restart < starts);
    }
}

TEST_CASE("narration: acks=all writes held for a crashed follower still in the ISR are told, and when they resume", "[narration]") {
    Narrated n = narrated("leader-crash-acks-all");
    INFO(all(n.story));
    const size_t fault = index_of(n.story, "FAULT crash leader:orders/0");
    const size_t held = index_of(n.story, ": holds every acks=all write, because broker ");
    const size_t released = index_of(n.story, " is out of the ISR, so acks=all writes are acknowledged again; they were held");
    REQUIRE(fault < n.story.size());
    CHECK(fault < held);
    CHECK(held < released);
    CHECK(released < n.story.size());
    CHECK(index_of(n.story, "replica.lag.time.max.ms") < n.story.size());
    CHECK(index_of(n.story, "led orders/0, which has no reachable leader now") == fault + 1);
}

TEST_CASE("narration: a voter campaigning without a majority is told once, then counted", "[narration]") {
    Narrated n = narrated("controller-quorum-majority-loss");
    INFO(all(n.story));
    const size_t fault = index_of(n.story, "FAULT crash controller:3000, controller:3001");
    REQUIRE(fault < n.story.size());
    CHECK(index_of(n.story, "the metadata quorum is down to 1 of its 3 voters") == fault + 1);
    const std::vector<std::string> after(n.story.begin() + static_cast<std::ptrdiff_t>(fault), n.story.end());
    CHECK(count_of(after, "controller:3002  stands for election in epoch") == 1);
    CHECK(count_of(after, "controller:3002  stands again, in epoch") == 1);
    const std::regex counted(R"(controller:3002  stood for election \d+ times without winning, in epochs \d+\.\.\d+ )");
    CHECK(std::count_if(after.begin(), after.end(), [&](const std::string& l) { return std::regex_search(l, counted); }) == 1);
    CHECK(index_of(after, "no other voter granted it a vote") < after.size());
}

TEST_CASE("narration: a line repeated by a node collapses into one line with a count", "[narration]") {
    kafka::Trace trace;
    trace.set_node_name(0, "broker:1");
    trace.set_node_name(1, "broker:2");
    const kafka::FetchOffsetMismatch stuck{"orders", 0, 2581};
    const kafka::FetchOffsetMismatch stuck_too{"orders", 1, 77};
    for (int i = 0; i < 9; ++i) {  // two partitions stuck at once: each collapses by itself
        trace.record(sim::time_zero + sim::seconds(50 + i), 0, kafka::Event{stuck});
        if (i < 4) trace.record(sim::time_zero + sim::seconds(50 + i) + sim::milliseconds(500), 0, kafka::Event{stuck_too});
    }
    trace.record(sim::time_zero + sim::seconds(55), 1, kafka::Event{kafka::BrokerStopped{2}});  // another node: no effect
    trace.record(sim::time_zero + sim::seconds(60), 0, kafka::Event{kafka::BrokerStopped{1}});  // the node: ends its streaks
    trace.record(sim::time_zero + sim::seconds(61), 0, kafka::Event{stuck});  // a new streak, open at the end
    trace.record(sim::time_zero + sim::seconds(62), 0, kafka::Event{stuck});
    reports::Narrator narrator(library("leader-crash-acks-all"));
    std::vector<std::string> lines;
    for (const auto& ev : trace.events())
        for (auto& l : narrator.event(ev, trace)) lines.push_back(l);
    for (auto& l : narrator.finish(sim::time_zero + sim::seconds(70))) lines.push_back(l);
    INFO(all(lines));
    REQUIRE(lines.size() == 8);
    CHECK(lines[0].find("t=50.000s   broker:1         orders/0: replication STUCK") == 0);
    CHECK(lines[1].find("t=50.500s   broker:1         orders/1: replication STUCK") == 0);
    CHECK(lines[2].find("broker:2         stopped cleanly") != std::string::npos);
    CHECK(lines[3] == "t=60.000s   broker:1         said 9 times from 50.000s to 58.000s: orders/0: replication STUCK: the "
                      "leader's batch straddles this log's end at offset 2581 (the logs diverged and truncation did not "
                      "repair them)");
    CHECK(lines[4].find("t=60.000s   broker:1         said 4 times from 50.500s to 53.500s: orders/1: replication STUCK") == 0);
    CHECK(lines[5].find("broker:1         stopped cleanly") != std::string::npos);
    CHECK(lines[6].find("t=61.000s   broker:1         orders/0: replication STUCK") == 0);
    CHECK(lines[7].find("t=70.000s   broker:1         said twice from 61.000s to 62.000s: orders/0: replication STUCK") == 0);
}

TEST_CASE("narration: each group member is named once by its member id and client.id, then by its scenario name", "[narration]") {
    Narrated n = narrated("consumer-crash-rebalance");
    INFO(all(n.story));
    REQUIRE(n.members.size() >= 4);  // three members, and the crashed one again after its restart
    for (const auto& m : n.members) {
        CHECK(m.member_id.rfind(m.client_id + "-", 0) == 0);
        CHECK(count_of(n.story, m.consumer + " is member " + m.member_id + " of group billing (client.id " + m.client_id +
                                    ")") == 1);
    }
    // The silence while its session runs out is explained at the crash.
    const size_t crash = index_of(n.story, "FAULT crash consumer:billing/2");
    REQUIRE(crash < n.story.size());
    CHECK(index_of(n.story, "consumer:billing/2 owned 2 partition(s) of group billing; nobody tells the coordinator it is "
                            "gone, so they stay unread until session.timeout.ms (10000 ms)") == crash + 1);
    // The coordinator removes the crashed member: named as the scenario names it.
    CHECK(index_of(n.story, "group billing removed consumer:billing/2 (member id consumer-billing-") < n.story.size());
    // The evidence keeps to the scenario's names.
    for (const auto& c : n.checks) {
        CHECK(c.summary.find("consumer-billing-") == std::string::npos);
        for (const auto& e : c.evidence) CHECK(e.find("consumer-billing-") == std::string::npos);
    }
}

TEST_CASE("narration: writes held for two gone followers stay held until both leave, then meet min.insync.replicas", "[narration]") {
    // leader-crash-acks-all (min.insync.replicas=2, replication factor 3): a follower crashes at
    // 5s, then the scripted crash of orders/0's leader at 10s takes a second broker away.
    scenarios::Scenario s = library("leader-crash-acks-all");
    reports::Narrator narrator(s);
    std::vector<std::string> lines;
    auto keep = [&lines](const std::vector<std::string>& told) { lines.insert(lines.end(), told.begin(), told.end()); };
    scenarios::RunOptions options;
    options.on_trace = [&](const kafka::TraceEntry& ev, const kafka::Trace& trace) { keep(narrator.event(ev, trace)); };
    options.on_fault = [&](const scenarios::FaultRecord& f, const kafka::Trace&) { keep(narrator.fault(f)); };
    scenarios::ScenarioRun run(s, options);
    run.advance_to(sim::time_zero + sim::seconds(5));
    scenarios::FaultSpec crash;
    crash.action = scenarios::FaultAction::crash;
    scenarios::Target first_follower;
    first_follower.kind = scenarios::Target::Kind::broker;
    first_follower.text = "broker:1";
    first_follower.id = 1;
    crash.targets = {first_follower};
    run.fire_fault(crash);
    run.advance_to(sim::time_zero + sim::seconds(20));
    INFO(all(lines));
    CHECK(index_of(lines, "is out of the ISR, but broker ") < lines.size());
    CHECK(index_of(lines, ", gone too, is still in it: acks=all writes stay held") < lines.size());
    CHECK(index_of(lines, "below min.insync.replicas=2: the leader refuses acks=all writes with NOT_ENOUGH_REPLICAS") <
          lines.size());
}
