// KRaft (KIP-595) replica tests: a small host node wraps RaftReplica and appends a record
// every 50 ms while it leads; random crashes, power losses, pauses, clean stops and
// partitions are thrown at 3- and 5-voter quorums over many seeds, and Raft's promises are
// checked: one leader per epoch, committed entries on every later leader, a leader soon
// after the faults heal. Then targeted cases (scripted peers, divergent tail truncation,
// check-quorum, durability across power loss) and the ControllerNode glue.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "tests/broker/event_helpers.hpp"
#include "broker/controller_node.hpp"
#include "broker/raft/raft_replica.hpp"

namespace {

using kafka::RaftReplica;

// The identity of a log entry: its epoch and what it holds (unique per append).
struct EntryId {
    int32_t epoch = 0;
    int64_t key = 0;
    bool operator==(const EntryId&) const = default;
};

int64_t key_of(const kafka::MetadataRecord& r) {
    if (const auto* t = std::get_if<kafka::TopicRecord>(&r)) return static_cast<int64_t>(t->topic_id);
    if (const auto* l = std::get_if<kafka::LeaderChangeMessage>(&r)) return -static_cast<int64_t>(l->leader_id);
    return 0;
}
EntryId id_of(const kafka::MetadataEntry& e) { return EntryId{e.epoch, key_of(e.record)}; }

// What every node reports, checked as the run goes and at its end.
struct Checker {
    struct Committed {
        EntryId entry;
        int32_t commit_epoch = 0;  // the epoch in which it was known committed (lowest seen)
        bool set = false;
    };
    struct Term {
        int32_t leader = -1;
        std::vector<EntryId> log;  // the leader's log when it was elected
    };
    std::vector<Committed> committed;  // by offset
    std::map<int32_t, Term> terms;
    std::vector<std::string> failures;
    int64_t next_key = 1;

    void fail(std::string text) {
        if (failures.size() < 20) failures.push_back(std::move(text));
    }

    void on_leader(int32_t node, const RaftReplica& raft) {
        int32_t epoch = raft.epoch();
        if (terms.count(epoch) != 0) {
            std::ostringstream s;
            s << "two leaders in epoch " << epoch << ": " << terms[epoch].leader << " and " << node;
            fail(s.str());
            return;
        }
        Term& t = terms[epoch];
        t.leader = node;
        for (const auto& e : raft.entries()) t.log.push_back(id_of(e));
    }

    void on_committed(int32_t node, const RaftReplica& raft, int64_t from, int64_t to) {
        if (static_cast<int64_t>(committed.size()) < to) committed.resize(static_cast<size_t>(to));
        for (int64_t o = from; o < to; ++o) {
            EntryId id = id_of(raft.entry(o));
            Committed& c = committed[static_cast<size_t>(o)];
            if (!c.set) {
                c = Committed{id, raft.epoch(), true};
            } else if (!(c.entry == id)) {
                std::ostringstream s;
                s << "offset " << o << " committed as (" << c.entry.epoch << "," << c.entry.key << ") but node " << node
                  << " has (" << id.epoch << "," << id.key << ") below its HW";
                fail(s.str());
            } else {
                c.commit_epoch = std::min(c.commit_epoch, raft.epoch());
            }
        }
    }

    // Leader completeness: every leader of a later epoch held every committed entry.
    void check_terms() {
        for (size_t o = 0; o < committed.size(); ++o) {
            const Committed& c = committed[o];
            if (!c.set) continue;
            for (auto it = terms.upper_bound(c.commit_epoch); it != terms.end(); ++it) {
                const auto& log = it->second.log;
                if (log.size() > o && log[o] == c.entry) continue;
                std::ostringstream s;
                s << "offset " << o << " committed in epoch " << c.commit_epoch << " is missing on leader "
                  << it->second.leader << " of epoch " << it->first;
                fail(s.str());
                return;
            }
        }
    }
};

const sim::TimerSpace raft_tags = kafka::timer_space(kafka::TimerComponent::raft);
constexpr uint64_t tag_append = 1;

// The host: a RaftReplica plus a workload (one record every 50 ms while leader).
// It polls the replica after each call and also listens (RaftListener): poll() checks that
// what the listener was told matches what polling sees.
struct RaftHost : kafka::Node, kafka::RaftListener {
    RaftHost(int32_t id, std::vector<int32_t> voters, kafka::RaftConfig config, const kafka::ClusterDirectory& dir,
             Checker* checker, bool workload = true)
        : raft(id, std::move(voters), config, dir, raft_tags), checker(checker), workload(workload), id(id) {
        raft.set_listener(this);
    }

    void handle_commit(int64_t high_watermark, kafka::Context&) override {
        if (high_watermark < told_hw) checker->fail("the listener was told a lower high watermark");
        told_hw = high_watermark;
    }
    void handle_leader_change(kafka::LeaderAndEpoch leader, kafka::Context&) override {
        if (leader == told_leader) checker->fail("the listener was told the same leader twice");
        if (leader.leader == id && raft.high_watermark() <= raft.epoch_start_offset())
            checker->fail("the listener was told of a leadership whose epoch start is not committed");
        told_leader = leader;
    }

    void on_start(kafka::Context& ctx) override {
        raft.start(ctx);
        poll();
        if (workload) ctx.set_timer(sim::milliseconds(50), tag_append);
    }
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        REQUIRE(raft.handle_message(from, msg, ctx));
        poll();
    }
    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        if (raft.handle_timer(tag, ctx)) {
            poll();
            return;
        }
        if (tag == tag_append) {
            if (raft.is_leader()) {
                std::vector<kafka::MetadataRecord> records;
                auto n = 1 + static_cast<int>(ctx.rng().below(3));
                for (int i = 0; i < n; ++i)
                    records.push_back(kafka::TopicRecord{"t", static_cast<kafka::TopicId>(checker->next_key++)});
                int64_t first = raft.append(std::move(records), ctx);
                REQUIRE(first >= 0);
                poll();
            }
            ctx.set_timer(sim::milliseconds(50), tag_append);
        }
    }
    void on_shutdown(kafka::Context& ctx) override {
        raft.resign(ctx);
        ctx.exit();
    }

    void poll() {
        if (raft.is_leader() && (!was_leader || raft.epoch() != seen_epoch)) checker->on_leader(id, raft);
        was_leader = raft.is_leader();
        seen_epoch = raft.epoch();
        int64_t hw = raft.high_watermark();
        if (hw > checked_hw) {
            checker->on_committed(id, raft, checked_hw, hw);
            checked_hw = hw;
        }
        REQUIRE(hw <= raft.log_end_offset());
        if (told_hw != hw) checker->fail("the listener missed a commit");
        bool held_back = raft.is_leader() && hw <= raft.epoch_start_offset();
        if (!held_back && !(told_leader == kafka::LeaderAndEpoch{raft.leader_id(), raft.epoch()}))
            checker->fail("the listener missed a leader change");
    }

    RaftReplica raft;
    Checker* checker;
    bool workload;
    int32_t id;
    bool was_leader = false;
    int32_t seen_epoch = -1;
    int64_t checked_hw = 0;
    int64_t told_hw = 0;
    kafka::LeaderAndEpoch told_leader;
};

struct Cluster {
    kafka::World world;
    kafka::ClusterDirectory dir;
    Checker checker;
    std::vector<sim::NodeId> nodes;
    std::vector<int32_t> voters;

    Cluster(uint64_t seed, int n_voters, kafka::RaftConfig config, int n_observers = 0, sim::NetworkOptions net = {})
        : world(seed, net) {
        for (int i = 0; i < n_voters; ++i) voters.push_back(3000 + i);
        for (int i = 0; i < n_voters; ++i) {
            int32_t id = voters[static_cast<size_t>(i)];
            sim::NodeId n = world.add_node("controller:" + std::to_string(id), [this, id, config] {
                return std::make_unique<RaftHost>(id, voters, config, dir, &checker);
            });
            dir.controllers[id] = n;
            nodes.push_back(n);
        }
        for (int i = 0; i < n_observers; ++i) {
            int32_t id = 1 + i;
            sim::NodeId n = world.add_node("broker:" + std::to_string(id), [this, id, config] {
                return std::make_unique<RaftHost>(id, voters, config, dir, &checker, /*workload=*/false);
            });
            dir.brokers[id] = n;
            nodes.push_back(n);
        }
        for (sim::NodeId n : nodes) world.start(n);
    }

    RaftHost* host(size_t i) { return world.node_as<RaftHost>(nodes[i]); }
    void run_to_ms(int64_t ms) { world.run_until(sim::time_zero + sim::milliseconds(ms)); }

    // The up voter that leads the highest epoch, with its epoch's first entry committed.
    std::optional<size_t> committed_leader() {
        std::optional<size_t> best;
        int32_t best_epoch = -1;
        for (size_t i = 0; i < voters.size(); ++i) {
            RaftHost* h = host(i);
            if (h == nullptr || !world.is_up(nodes[i])) continue;
            if (h->raft.epoch() > best_epoch) best_epoch = h->raft.epoch();
        }
        for (size_t i = 0; i < voters.size(); ++i) {
            RaftHost* h = host(i);
            if (h == nullptr || !world.is_up(nodes[i])) continue;
            if (h->raft.is_leader() && h->raft.epoch() == best_epoch &&
                h->raft.high_watermark() > h->raft.epoch_start_offset())
                best = i;
        }
        return best;
    }

    // Any up voter other than `except` leading with its epoch's first entry committed.
    std::optional<size_t> other_committed_leader(size_t except) {
        for (size_t i = 0; i < voters.size(); ++i) {
            RaftHost* h = host(i);
            if (i == except || h == nullptr || !world.is_up(nodes[i])) continue;
            if (h->raft.is_leader() && h->raft.high_watermark() > h->raft.epoch_start_offset()) return i;
        }
        return std::nullopt;
    }

    void isolate(size_t i, int delta) {
        for (size_t j = 0; j < nodes.size(); ++j) {
            if (j == i) continue;
            world.network().block(nodes[i], nodes[j], delta);
            world.network().block(nodes[j], nodes[i], delta);
        }
    }

    template <class E>
    int count_trace(sim::NodeId node = sim::no_node) const {
        return test_events::count<E>(world.trace(), node);
    }
};

std::string failures_text(const Checker& c) {
    std::string out;
    for (const auto& f : c.failures) out += f + "\n";
    return out;
}

struct RandomRunResult {
    int64_t recovery_ms = -1;  // from healing to a committed leader
    int64_t leaders = 0;
    int64_t committed = 0;
    int64_t truncations = 0;
    int64_t resigns = 0;
    uint64_t hash = 0;
};

// One seed: 14 s of random faults, then heal everything and expect a leader soon.
RandomRunResult random_run(uint64_t seed, int n_voters, bool check_quorum, sim::NetworkOptions net = {}) {
    kafka::RaftConfig config;
    config.check_quorum = check_quorum;
    Cluster c(seed, n_voters, config, /*observers=*/1, net);
    sim::Rng rng(seed, "test/faults");
    std::vector<std::pair<sim::NodeId, sim::NodeId>> blocked;
    int64_t t = 0;
    while (true) {
        t += 200 + static_cast<int64_t>(rng.below(1200));
        if (t >= 14000) break;
        c.run_to_ms(t);
        size_t victim = rng.below(c.nodes.size());
        sim::NodeId n = c.nodes[victim];
        switch (rng.below(9)) {
            case 0: c.world.crash(n); break;
            case 1: c.world.power_loss(n); break;
            case 2: c.world.pause(n); break;
            case 3: c.world.shutdown(n, sim::seconds(1)); break;
            case 4:  // partition: a random minority/majority split, both ways
            case 5: {
                std::vector<size_t> side;
                for (size_t j = 0; j < c.nodes.size(); ++j)
                    if (rng.below(2) == 0) side.push_back(j);
                for (size_t a : side)
                    for (size_t b = 0; b < c.nodes.size(); ++b) {
                        if (std::find(side.begin(), side.end(), b) != side.end()) continue;
                        c.world.network().block(c.nodes[a], c.nodes[b], +1);
                        c.world.network().block(c.nodes[b], c.nodes[a], +1);
                        blocked.emplace_back(c.nodes[a], c.nodes[b]);
                    }
                break;
            }
            case 6:  // one-way cut
                if (size_t other = rng.below(c.nodes.size()); other != victim) {
                    c.world.network().block(n, c.nodes[other], +1);
                    blocked.emplace_back(n, c.nodes[other]);
                }
                break;
            default:  // recover something
                if (!blocked.empty() && rng.below(2) == 0) {
                    c.world.network().heal_all();
                    blocked.clear();
                }
                for (size_t j = 0; j < c.nodes.size(); ++j) {
                    if (rng.below(2) == 0) continue;
                    sim::NodeState s = c.world.state(c.nodes[j]);
                    if (s == sim::NodeState::paused) c.world.resume(c.nodes[j]);
                    else if (s != sim::NodeState::up && s != sim::NodeState::shutting_down) c.world.restart(c.nodes[j]);
                }
                break;
        }
    }
    c.run_to_ms(14000);
    c.world.network().heal_all();
    for (sim::NodeId n : c.nodes) {
        if (c.world.state(n) == sim::NodeState::paused) c.world.resume(n);
        if (c.world.state(n) == sim::NodeState::shutting_down) c.world.crash(n);
        if (!c.world.is_up(n)) c.world.restart(n);
    }
    RandomRunResult r;
    for (int64_t ms = 14000; ms <= 24000; ms += 50) {
        c.run_to_ms(ms);
        if (c.committed_leader()) {
            r.recovery_ms = ms - 14000;
            break;
        }
    }
    c.run_to_ms(std::max<int64_t>(c.world.now().ms(), 20000));
    c.checker.check_terms();
    // Election safety from the trace as well, and a leader's HW only moves forward.
    std::map<int32_t, sim::NodeId> leader_of_epoch;
    std::map<std::pair<sim::NodeId, int64_t>, int64_t> last_hw;
    for (const auto& e : c.world.trace().events()) {
        if (const auto* leader = std::get_if<kafka::RaftLeader>(&e.event)) {
            auto epoch = leader->epoch;
            if (!leader_of_epoch.emplace(epoch, e.node).second)
                c.checker.fail("two raft_leader events for epoch " + std::to_string(epoch));
        } else if (const auto* hw = std::get_if<kafka::RaftHighWatermark>(&e.event)) {
            int64_t& prev = last_hw[{e.node, hw->epoch}];
            if (hw->hw <= prev) c.checker.fail("leader HW did not advance at " + sim::format_time(e.time));
            prev = hw->hw;
        }
    }
    INFO("seed " << seed << " voters " << n_voters << " check_quorum " << check_quorum << "\n"
                 << failures_text(c.checker));
    REQUIRE(c.checker.failures.empty());
    r.leaders = static_cast<int64_t>(c.checker.terms.size());
    for (const auto& e : c.checker.committed) r.committed += e.set ? 1 : 0;
    r.truncations = c.count_trace<kafka::RaftTruncate>();
    r.resigns = c.count_trace<kafka::RaftResign>();
    r.hash = c.world.trace().hash();
    return r;
}

// A scripted peer: records what it receives; grants votes when asked to.
struct Probe : kafka::Node {
    std::vector<kafka::Message>* got;
    bool grant_votes;
    Probe(std::vector<kafka::Message>* g, bool grant) : got(g), grant_votes(grant) {}
    void on_start(kafka::Context&) override {}
    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        got->push_back(msg);
        if (auto* v = std::get_if<kafka::VoteRequest>(&got->back()); v != nullptr && grant_votes) {
            kafka::VoteResponse r;
            r.leader_epoch = v->candidate_epoch;
            r.vote_granted = true;
            ctx.send(from, r);
        }
    }
};

// One RaftHost (3000) and two probes standing in for voters 3001 and 3002.
struct ProbeRig {
    kafka::World world{99, sim::NetworkOptions{}};
    kafka::ClusterDirectory dir;
    Checker checker;
    std::vector<kafka::Message> got1, got2;
    sim::NodeId host_node, p1, p2;

    ProbeRig(kafka::RaftConfig config, bool grant_votes) {
        std::vector<int32_t> voters{3000, 3001, 3002};
        host_node = world.add_node("controller:3000", [this, voters, config] {
            return std::make_unique<RaftHost>(3000, voters, config, dir, &checker);
        });
        p1 = world.add_node("controller:3001", [this, grant_votes] { return std::make_unique<Probe>(&got1, grant_votes); });
        p2 = world.add_node("controller:3002", [this, grant_votes] { return std::make_unique<Probe>(&got2, grant_votes); });
        dir.controllers = {{3000, host_node}, {3001, p1}, {3002, p2}};
        for (sim::NodeId n : {host_node, p1, p2}) world.start(n);
    }
    const RaftReplica& raft() { return world.node_as<RaftHost>(host_node)->raft; }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }
    template <class T>
    const T* last(const std::vector<kafka::Message>& got) {
        for (auto it = got.rbegin(); it != got.rend(); ++it)
            if (const T* m = std::get_if<T>(&*it)) return m;
        return nullptr;
    }
};

kafka::RaftConfig quiet_config() {
    kafka::RaftConfig c;
    c.election_timeout_ms = 100000;  // the host never campaigns on its own
    c.fetch_timeout_ms = 200000;
    return c;
}

}  // namespace

TEST_CASE("raft: a granted vote is durable across power loss") {
    ProbeRig rig(quiet_config(), false);
    rig.world.send(rig.p1, rig.host_node, kafka::VoteRequest{5, 3001, 0, 0});
    rig.run_ms(10);
    REQUIRE(rig.last<kafka::VoteResponse>(rig.got1) != nullptr);
    REQUIRE(rig.last<kafka::VoteResponse>(rig.got1)->vote_granted);
    rig.world.power_loss(rig.host_node);
    rig.world.restart(rig.host_node);
    REQUIRE(rig.raft().epoch() == 5);
    REQUIRE(rig.raft().voted_for() == 3001);
    rig.world.send(rig.p2, rig.host_node, kafka::VoteRequest{5, 3002, 0, 0});
    rig.world.send(rig.p1, rig.host_node, kafka::VoteRequest{5, 3001, 0, 0});
    rig.run_ms(10);
    REQUIRE(rig.last<kafka::VoteResponse>(rig.got2) != nullptr);
    CHECK(!rig.last<kafka::VoteResponse>(rig.got2)->vote_granted);  // one vote per epoch
    CHECK(rig.last<kafka::VoteResponse>(rig.got1)->vote_granted);   // the same candidate again: yes
    // A candidate whose log is behind ours is refused even in a newer epoch.
    rig.world.send(rig.p1, rig.host_node, kafka::BeginQuorumEpochRequest{6, 3001});
    rig.run_ms(10);
    auto* fetch = rig.last<kafka::RaftFetchRequest>(rig.got1);
    REQUIRE(fetch != nullptr);
    kafka::RaftFetchResponse data;
    data.leader_epoch = 6;
    data.leader_id = 3001;
    data.correlation_id = fetch->correlation_id;
    data.base_offset = 0;
    data.entries = {{6, kafka::LeaderChangeMessage{3001, {3000, 3001, 3002}}}, {6, kafka::NoOpRecord{}}};
    rig.world.send(rig.p1, rig.host_node, data);
    rig.run_ms(10);
    REQUIRE(rig.raft().log_end_offset() == 2);
    rig.world.send(rig.p2, rig.host_node, kafka::VoteRequest{7, 3002, 6, 1});
    rig.run_ms(10);
    CHECK(!rig.last<kafka::VoteResponse>(rig.got2)->vote_granted);
    CHECK(rig.raft().epoch() == 7);
}

TEST_CASE("raft: a follower flushes fetched entries before acknowledging them and truncates a diverging tail") {
    ProbeRig rig(quiet_config(), false);
    rig.world.send(rig.p1, rig.host_node, kafka::BeginQuorumEpochRequest{1, 3001});
    rig.run_ms(10);
    REQUIRE(rig.raft().state() == kafka::RaftState::follower);
    auto* fetch = rig.last<kafka::RaftFetchRequest>(rig.got1);
    REQUIRE(fetch != nullptr);
    CHECK(fetch->fetch_offset == 0);
    kafka::RaftFetchResponse data;
    data.leader_epoch = 1;
    data.leader_id = 3001;
    data.high_watermark = 2;
    data.correlation_id = fetch->correlation_id;
    for (int i = 0; i < 4; ++i) data.entries.push_back({1, kafka::TopicRecord{"t", static_cast<kafka::TopicId>(i)}});
    rig.world.send(rig.p1, rig.host_node, data);
    rig.run_ms(10);
    fetch = rig.last<kafka::RaftFetchRequest>(rig.got1);
    REQUIRE(fetch->fetch_offset == 4);  // acknowledges 4 entries...
    CHECK(fetch->last_fetched_epoch == 1);
    CHECK(rig.raft().high_watermark() == 2);
    rig.world.power_loss(rig.host_node);  // ...which are on the platter
    rig.world.restart(rig.host_node);
    REQUIRE(rig.raft().log_end_offset() == 4);
    REQUIRE(rig.raft().state() == kafka::RaftState::follower);  // quorum-state names the leader
    // A new leader (3002, epoch 3) kept only offsets 0..1 of epoch 1.
    rig.world.send(rig.p2, rig.host_node, kafka::BeginQuorumEpochRequest{3, 3002});
    rig.run_ms(10);
    fetch = rig.last<kafka::RaftFetchRequest>(rig.got2);
    REQUIRE(fetch != nullptr);
    CHECK(fetch->fetch_offset == 4);
    CHECK(fetch->current_leader_epoch == 3);
    kafka::RaftFetchResponse div;
    div.leader_epoch = 3;
    div.leader_id = 3002;
    div.correlation_id = fetch->correlation_id;
    div.diverging = true;
    div.diverging_epoch = 1;
    div.diverging_end_offset = 2;
    rig.world.send(rig.p2, rig.host_node, div);
    rig.run_ms(10);
    CHECK(rig.raft().log_end_offset() == 2);
    fetch = rig.last<kafka::RaftFetchRequest>(rig.got2);
    CHECK(fetch->fetch_offset == 2);
    CHECK(fetch->last_fetched_epoch == 1);
    bool traced = false;
    for (const auto& e : rig.world.trace().events())
        if (const auto* t = std::get_if<kafka::RaftTruncate>(&e.event); t && t->from == 4 && t->to == 2) traced = true;
    CHECK(traced);
}

TEST_CASE("raft: a leader answers a diverging fetch with the end of the largest common epoch") {
    kafka::RaftConfig config;
    config.election_timeout_ms = 50;
    ProbeRig rig(config, /*grant_votes=*/true);
    rig.run_ms(300);
    REQUIRE(rig.raft().is_leader());
    int32_t epoch = rig.raft().epoch();
    REQUIRE(rig.raft().epoch_start_offset() == 0);
    int64_t leo = rig.raft().log_end_offset();
    REQUIRE(leo >= 2);  // LeaderChangeMessage and the workload's appends
    auto fetch_and_answer = [&](int64_t offset, int32_t last_epoch) {
        kafka::RaftFetchRequest f;
        f.replica_id = 3001;
        f.current_leader_epoch = epoch;
        f.fetch_offset = offset;
        f.last_fetched_epoch = last_epoch;
        f.correlation_id = static_cast<int32_t>(offset) + 1000;
        rig.got1.clear();
        rig.world.send(rig.p1, rig.host_node, f);
        rig.run_ms(5);
        return rig.last<kafka::RaftFetchResponse>(rig.got1);
    };
    auto* r = fetch_and_answer(leo + 10, epoch);  // ahead of the leader in its own epoch
    REQUIRE(r != nullptr);
    CHECK(r->diverging);
    CHECK(r->diverging_epoch == epoch);
    CHECK(r->diverging_end_offset == rig.raft().log_end_offset());
    r = fetch_and_answer(1, epoch - 1 > 0 ? epoch - 1 : 0);  // an epoch the leader never had
    REQUIRE(r != nullptr);
    CHECK(r->diverging);
    CHECK(r->diverging_end_offset == 0);
    r = fetch_and_answer(0, 0);
    REQUIRE(r != nullptr);
    CHECK(!r->diverging);
    CHECK(r->entries.size() == static_cast<size_t>(rig.raft().log_end_offset()));
    CHECK(r->correlation_id == 1000);
    // A stale epoch is fenced and told who leads.
    kafka::RaftFetchRequest stale;
    stale.replica_id = 3001;
    stale.current_leader_epoch = epoch - 1;
    rig.world.send(rig.p1, rig.host_node, stale);
    rig.run_ms(5);
    r = rig.last<kafka::RaftFetchResponse>(rig.got1);
    CHECK(r->error == kafka::Error::fenced_leader_epoch);
    CHECK(r->leader_id == 3000);
    CHECK(r->leader_epoch == epoch);
}

TEST_CASE("raft: a quorum elects one leader and commits its appends") {
    for (int voters : {1, 3, 5}) {
        Cluster c(42, voters, kafka::RaftConfig{}, /*observers=*/1);
        c.run_to_ms(5000);
        auto leader = c.committed_leader();
        REQUIRE(leader.has_value());
        const RaftReplica& l = c.host(*leader)->raft;
        REQUIRE(l.high_watermark() > 50);  // ~20 appends a second
        // Everyone (the observer too) is caught up to within a few appends.
        for (size_t i = 0; i < c.nodes.size(); ++i) {
            const RaftReplica& r = c.host(i)->raft;
            CHECK(r.epoch() == l.epoch());
            CHECK(r.leader_id() == l.node_id());
            CHECK(r.high_watermark() + 10 >= l.high_watermark());
            for (int64_t o = 0; o < r.high_watermark(); ++o) REQUIRE(id_of(r.entry(o)) == id_of(l.entry(o)));
        }
        auto states = l.replica_states();
        REQUIRE(states.size() == static_cast<size_t>(voters) + 1);
        CHECK(!states.back().voter);
        CHECK(states.back().log_end_offset > 0);
        REQUIRE(c.checker.failures.empty());
    }
}

TEST_CASE("raft: the same seed gives the same run") {
    auto a = random_run(7, 3, true);
    auto b = random_run(7, 3, true);
    REQUIRE(a.hash == b.hash);
    auto d = random_run(8, 3, true);
    REQUIRE(a.hash != d.hash);
}

TEST_CASE("raft: safety and liveness under random crashes, power loss, pauses and partitions") {
    int64_t worst_recovery = 0, total_leaders = 0, total_committed = 0, truncations = 0, resigns = 0;
    int runs = 0;
    sim::NetworkOptions lossy;  // a third of the seeds: 1-30 ms latency, 2% loss (each loss resets the link)
    lossy.latency_max = sim::milliseconds(30);
    lossy.loss = sim::Probability::from_double(0.02);
    for (uint64_t seed = 1; seed <= 200; ++seed) {
        int voters = seed % 2 == 0 ? 3 : 5;
        bool check_quorum = seed % 4 != 1;
        INFO("seed " << seed << " voters " << voters);
        RandomRunResult r = random_run(seed, voters, check_quorum, seed % 3 == 0 ? lossy : sim::NetworkOptions{});
        REQUIRE(r.recovery_ms >= 0);     // a leader within 10 s of healing
        CHECK(r.recovery_ms <= 8000);
        worst_recovery = std::max(worst_recovery, r.recovery_ms);
        total_leaders += r.leaders;
        total_committed += r.committed;
        truncations += r.truncations;
        resigns += r.resigns;
        ++runs;
    }
    WARN("raft random runs: " << runs << " seeds, " << total_leaders << " elections, " << total_committed
                              << " committed entries checked, " << truncations << " truncations, " << resigns
                              << " resignations, worst recovery " << worst_recovery << " ms");
}

TEST_CASE("raft: a follower with a diverging uncommitted tail truncates it") {
    kafka::RaftConfig config;
    config.check_quorum = false;  // keep the isolated leader appending
    Cluster c(11, 3, config);
    c.run_to_ms(3000);
    auto old = c.committed_leader();
    REQUIRE(old.has_value());
    int32_t old_epoch = c.host(*old)->raft.epoch();
    int64_t committed_before = c.host(*old)->raft.high_watermark();
    c.isolate(*old, +1);
    c.run_to_ms(8000);
    const RaftReplica& stale = c.host(*old)->raft;
    REQUIRE(stale.is_leader());  // no check-quorum: it still believes it leads
    REQUIRE(stale.epoch() == old_epoch);
    int64_t stale_leo = stale.log_end_offset();
    REQUIRE(stale_leo > committed_before + 20);  // an uncommitted tail of its own appends
    auto fresh = c.other_committed_leader(*old);
    REQUIRE(fresh.has_value());
    REQUIRE(c.host(*fresh)->raft.epoch() > old_epoch);

    c.isolate(*old, -1);
    c.run_to_ms(12000);
    const RaftReplica& was_stale = c.host(*old)->raft;
    REQUIRE(!was_stale.is_leader());
    REQUIRE(c.count_trace<kafka::RaftTruncate>(c.nodes[*old]) >= 1);
    auto leader = c.committed_leader();
    REQUIRE(leader.has_value());
    const RaftReplica& l = c.host(*leader)->raft;
    REQUIRE(was_stale.high_watermark() > stale_leo);  // caught up past where its tail was
    for (int64_t o = 0; o < was_stale.high_watermark(); ++o) REQUIRE(id_of(was_stale.entry(o)) == id_of(l.entry(o)));
    // Nothing of the stale tail survives beyond what was committed.
    for (int64_t o = committed_before; o < was_stale.log_end_offset(); ++o)
        if (was_stale.entry(o).epoch == old_epoch) REQUIRE(o < c.host(*fresh)->raft.log_end_offset());
    c.checker.check_terms();
    INFO(failures_text(c.checker));
    REQUIRE(c.checker.failures.empty());
}

TEST_CASE("raft: check-quorum makes an isolated leader resign, without it the leader goes stale") {
    for (bool check_quorum : {true, false}) {
        kafka::RaftConfig config;
        config.check_quorum = check_quorum;
        Cluster c(5, 3, config);
        c.run_to_ms(3000);
        auto old = c.committed_leader();
        REQUIRE(old.has_value());
        sim::NodeId old_node = c.nodes[*old];
        int32_t old_epoch = c.host(*old)->raft.epoch();
        c.isolate(*old, +1);
        int64_t isolated_at = 3000;
        int64_t resigned_at = -1;
        for (int64_t ms = 3000; ms <= 13000; ms += 10) {
            c.run_to_ms(ms);
            if (resigned_at < 0 && !c.host(*old)->raft.is_leader()) resigned_at = ms;
        }
        INFO("check_quorum " << check_quorum << " resigned at " << resigned_at);
        if (check_quorum) {
            REQUIRE(resigned_at > isolated_at);
            // 1.5 x fetch timeout after the last majority of fetches (which came before isolation).
            CHECK(resigned_at - isolated_at <= config.fetch_timeout_ms * 3 / 2 + 100);
            CHECK(c.count_trace<kafka::RaftResign>(old_node) == 1);
        } else {
            REQUIRE(resigned_at < 0);  // KAFKA-15489: it still believes it leads
            REQUIRE(c.host(*old)->raft.epoch() == old_epoch);
            REQUIRE(c.count_trace<kafka::RaftResign>(old_node) == 0);
        }
        // Meanwhile the majority elected a new leader in a later epoch.
        auto fresh = c.other_committed_leader(*old);
        REQUIRE(fresh.has_value());
        REQUIRE(*fresh != *old);
        // Healing ends the split brain.
        c.isolate(*old, -1);
        c.run_to_ms(17000);
        REQUIRE(!c.host(*old)->raft.is_leader());
        c.checker.check_terms();
        INFO(failures_text(c.checker));
        REQUIRE(c.checker.failures.empty());
    }
}

TEST_CASE("raft: a voter that restarts after power loss keeps its vote and log durable") {
    Cluster c(3, 3, kafka::RaftConfig{});
    c.run_to_ms(3000);
    auto leader = c.committed_leader();
    REQUIRE(leader.has_value());
    int64_t hw = c.host(*leader)->raft.high_watermark();
    int32_t epoch = c.host(*leader)->raft.epoch();
    for (sim::NodeId n : c.nodes) c.world.power_loss(n);
    for (sim::NodeId n : c.nodes) c.world.restart(n);
    for (size_t i = 0; i < c.nodes.size(); ++i) {
        const RaftReplica& r = c.host(i)->raft;
        CHECK(r.epoch() >= epoch);
        if (i == *leader) CHECK(r.log_end_offset() >= hw);  // the leader flushed every append
    }
    // A majority held every committed entry on its platter.
    int holding = 0;
    for (size_t i = 0; i < c.nodes.size(); ++i) holding += c.host(i)->raft.log_end_offset() >= hw ? 1 : 0;
    CHECK(holding >= 2);
    c.run_to_ms(8000);
    REQUIRE(c.committed_leader().has_value());
    c.checker.check_terms();
    INFO(failures_text(c.checker));
    REQUIRE(c.checker.failures.empty());
}


// ------------------------------------------------------------------------------ ControllerNode

namespace {

struct ControllerRig {
    kafka::World world{21, sim::NetworkOptions{}};
    kafka::ClusterDirectory dir;
    std::vector<kafka::Message> got;
    std::vector<sim::NodeId> controllers;
    sim::NodeId probe;

    ControllerRig() {
        std::vector<int32_t> voters{3000, 3001, 3002};
        kafka::BrokerConfig config;
        for (int32_t id : voters) {
            sim::NodeId n = world.add_node("controller:" + std::to_string(id), [this, id, voters, config] {
                return std::make_unique<kafka::ControllerNode>(id, voters, config, dir, 7);
            });
            dir.controllers[id] = n;
            controllers.push_back(n);
        }
        probe = world.add_node("broker:1", [this] { return std::make_unique<Probe>(&got, false); });
        dir.brokers[1] = probe;
        for (sim::NodeId n : controllers) world.start(n);
        world.start(probe);
    }
    kafka::ControllerNode* node(size_t i) { return world.node_as<kafka::ControllerNode>(controllers[i]); }
    void run_ms(int64_t ms) { world.run_until(world.now() + sim::milliseconds(ms)); }
    std::vector<size_t> active() {
        std::vector<size_t> out;
        for (size_t i = 0; i < controllers.size(); ++i)
            if (node(i) != nullptr && node(i)->active()) out.push_back(i);
        return out;
    }
    void register_broker(size_t to, int32_t correlation) {
        kafka::BrokerRegistrationRequest req;
        req.correlation_id = correlation;
        req.broker_id = 1;
        req.incarnation_id = 77;
        world.send(probe, controllers[to], req);
    }
    const kafka::BrokerRegistrationResponse* response(int32_t correlation) {
        for (const auto& m : got)
            if (const auto* r = std::get_if<kafka::BrokerRegistrationResponse>(&m); r && r->correlation_id == correlation)
                return r;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("controller node: one active controller answers once its records commit, the others say NOT_CONTROLLER") {
    ControllerRig rig;
    rig.run_ms(4000);
    auto active = rig.active();
    REQUIRE(active.size() == 1);
    size_t a = active[0];
    const kafka::RaftReplica& raft = rig.node(a)->raft();
    REQUIRE(raft.is_leader());
    REQUIRE(raft.high_watermark() > raft.epoch_start_offset());
    // Idle: a NoOpRecord every 500 ms keeps the commit point moving.
    int64_t hw = raft.high_watermark();
    rig.run_ms(2000);
    CHECK(rig.node(a)->raft().high_watermark() >= hw + 3);

    size_t other = (a + 1) % 3;
    rig.register_broker(other, 1);
    rig.run_ms(20);
    REQUIRE(rig.response(1) != nullptr);
    CHECK(rig.response(1)->error == kafka::Error::not_controller);

    rig.register_broker(a, 2);
    rig.run_ms(50);
    const auto* ok = rig.response(2);
    REQUIRE(ok != nullptr);
    REQUIRE(ok->error == kafka::Error::none);
    int64_t broker_epoch = ok->broker_epoch;
    CHECK(broker_epoch > raft.epoch_start_offset());
    CHECK(rig.node(a)->raft().high_watermark() > broker_epoch);  // answered after the commit
    CHECK(rig.node(a)->deferred_responses() == 0);
    rig.run_ms(500);
    for (size_t i = 0; i < 3; ++i) {  // followers replay the committed log too
        const auto* b = rig.node(i)->controller()->image().broker(1);
        REQUIRE(b != nullptr);
        CHECK(b->epoch == broker_epoch);
    }
    bool traced = false;
    for (const auto& e : rig.world.trace().events())
        if (std::holds_alternative<kafka::ControllerActive>(e.event) && e.node == rig.controllers[a]) traced = true;
    CHECK(traced);

    // Fail over: a crash, then a new active controller that replayed the committed log.
    rig.world.crash(rig.controllers[a]);
    rig.run_ms(6000);
    active = rig.active();
    REQUIRE(active.size() == 1);
    REQUIRE(active[0] != a);
    const auto* b = rig.node(active[0])->controller()->image().broker(1);
    REQUIRE(b != nullptr);
    CHECK(b->epoch == broker_epoch);
    rig.world.restart(rig.controllers[a]);
    rig.run_ms(3000);
    CHECK(rig.active().size() == 1);
    CHECK(!rig.node(a)->active());
    REQUIRE(rig.node(a)->controller()->image().broker(1) != nullptr);
}

TEST_CASE("controller node: a clean stop hands leadership over without waiting for a fetch timeout") {
    ControllerRig rig;
    rig.run_ms(4000);
    auto active = rig.active();
    REQUIRE(active.size() == 1);
    size_t a = active[0];
    rig.world.shutdown(rig.controllers[a], sim::seconds(5));
    int64_t waited = 0;
    while (rig.active().empty() && waited < 5000) {
        rig.run_ms(10);
        waited += 10;
    }
    INFO("new active controller after " << waited << " ms");
    REQUIRE(rig.active().size() == 1);
    CHECK(waited < 500);  // EndQuorumEpoch: the first preferred successor campaigns at once
    CHECK(rig.world.state(rig.controllers[a]) == sim::NodeState::stopped);
}

TEST_CASE("controller node: an isolated active controller goes inactive and drops its deferred responses") {
    ControllerRig rig;
    rig.run_ms(4000);
    auto active = rig.active();
    REQUIRE(active.size() == 1);
    size_t a = active[0];
    for (size_t j = 0; j < 3; ++j) {
        if (j == a) continue;
        rig.world.network().block(rig.controllers[a], rig.controllers[j], +1);
        rig.world.network().block(rig.controllers[j], rig.controllers[a], +1);
    }
    rig.register_broker(a, 5);  // accepted, but its records can never commit
    rig.run_ms(50);
    CHECK(rig.response(5) == nullptr);
    CHECK(rig.node(a)->deferred_responses() == 1);
    rig.run_ms(4000);  // check-quorum: 1.5 x fetch timeout
    CHECK(!rig.node(a)->active());
    CHECK(rig.node(a)->deferred_responses() == 0);
    CHECK(rig.response(5) == nullptr);
    // Its speculative registration is gone from its image: only committed records remain.
    CHECK(rig.node(a)->controller()->image().broker(1) == nullptr);
    auto now_active = rig.active();
    REQUIRE(now_active.size() == 1);
    CHECK(now_active[0] != a);
}

// Not run by default: `test_broker "[.raft-stress]"` for many more seeds.
TEST_CASE("raft: stress, 5000 more seeds", "[.raft-stress]") {
    sim::NetworkOptions lossy;
    lossy.latency_max = sim::milliseconds(30);
    lossy.loss = sim::Probability::from_double(0.02);
    for (uint64_t seed = 1000; seed < 6000; ++seed) {
        CAPTURE(seed);
        RandomRunResult r = random_run(seed, seed % 2 == 0 ? 3 : 5, seed % 4 != 1, seed % 3 == 0 ? lossy : sim::NetworkOptions{});
        REQUIRE(r.recovery_ms >= 0);
    }
}

