// Tells a run as a story in Kafka's words, one sentence per notable event:
//   t=12.400s controller:3001  fenced broker 1: no heartbeat for 9000 ms
//   t=12.412s broker:2         orders/0: now the leader, epoch 3, ISR [2,3]
// Chatty events (every metadata commit, every vote) are left out.
//
// `narrate` tells one event by itself. A Narrator tells a whole run and remembers what it has
// told, so that it can also say what is going on between events (acks=all writes held for a
// follower that is gone, a voter campaigning without a majority), collapse a line said over
// and over into one line with a count, and name a group member by all its names once.
#pragma once
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "broker/config.hpp"
#include "broker/events.hpp"
#include "scenarios/run_data.hpp"

namespace reports {

// The narration line for a model event, or nullopt when the event is not part of the story.
std::optional<std::string> narrate(const kafka::TraceEntry& ev, const kafka::Trace& trace);
// The narration line for a fault firing or its undo.
std::string narrate(const scenarios::FaultRecord& fault);

class Narrator {
public:
    explicit Narrator(const scenarios::Scenario& scenario);

    // Where the run records its group members' names (RunData::members), read as it grows.
    void read_members(const std::vector<scenarios::MemberName>* members) { members_ = members; }

    // The lines an event or a fault adds to the story (often none, sometimes a few).
    std::vector<std::string> event(const kafka::TraceEntry& ev, const kafka::Trace& trace);
    std::vector<std::string> fault(const scenarios::FaultRecord& f);
    // The counts of repeats still open when the run ends.
    std::vector<std::string> finish(sim::Time end);

private:
    struct PartitionState {
        int32_t leader = -1;
        sim::IdList isr;
    };
    // A partition whose writes wait on a broker that cannot answer.
    struct Stall {
        int32_t broker = -1;
        sim::Time since;
        bool leaderless = false;  // the broker led it; otherwise acks=all writes wait for it in the ISR
    };
    // A voter standing for election again and again.
    struct Campaign {
        sim::Time since, last, lost_last;  // lost_last: when the candidacy before the last began
        int32_t first_epoch = 0, last_epoch = 0, lost_epoch = 0;
        int count = 0;
    };
    // A line a node keeps saying.
    struct Repeat {
        sim::Time first, last;
        int count = 0;
    };
    // A group member's last assignment.
    struct Owned {
        std::string group;
        int64_t partitions = 0;
    };
    using Lines = std::vector<std::string>;

    void track(const kafka::TraceEntry& ev, const std::string& who, Lines& out);
    void partition_update(const std::string& label, int32_t leader, const sim::IdList& isr, sim::Time t,
                          const std::string& who, Lines& out);
    // cut_off: alive but unreachable (isolate, partition); producers_with: producers on its side.
    void broker_gone(int32_t broker, sim::Time t, bool cut_off, const std::string& producers_with, Lines& out);
    int32_t min_insync(const std::string& topic) const;
    void broker_back(int32_t broker, sim::Time t, Lines& out);
    void member_gone(const std::string& consumer, const Owned& owned, sim::Time t, bool paused, Lines& out);
    void controller_gone(const std::string& node, sim::Time t, Lines& out);
    void close_campaign(sim::NodeId node, const std::string& who, sim::Time t, bool won, Lines& out);
    void close_repeats(sim::NodeId node, const std::optional<std::string>& about, const std::string& who, sim::Time t,
                       Lines& out);
    std::string member_text(const std::string& member_id) const;
    std::string fencing_text(int32_t broker) const;

    const scenarios::Scenario& scenario_;
    kafka::BrokerConfig config_;
    bool zookeeper_ = false;
    std::set<std::string> acks_all_topics_;
    const std::vector<scenarios::MemberName>* members_ = nullptr;
    std::set<std::string> members_told_;
    std::map<std::string, PartitionState> partitions_;  // by "topic/partition"
    std::map<std::string, Stall> stalls_;
    std::map<int32_t, sim::Time> brokers_down_;  // since when each cannot answer
    std::set<std::string> controllers_down_;  // KRaft voters, by node name
    std::set<std::string> zookeepers_down_;   // ZooKeeper servers, by node name
    std::string active_controller_;           // node name
    std::map<std::string, std::string> raft_state_;  // by node name
    std::map<sim::NodeId, Campaign> campaigns_;
    std::map<int32_t, std::set<std::pair<int32_t, int32_t>>> votes_for_;  // candidate -> (epoch, voter) granted
    std::map<std::tuple<sim::NodeId, std::string, std::string>, Repeat> repeats_;  // (node, subject, text)
    std::map<std::string, Owned> owned_;         // by consumer node name
    std::map<sim::NodeId, std::string> names_;  // for closing repeats at the end
};

// The whole story of a finished run: what `kafkasim run --narrate` prints, for reports.
// `fault` is set on the lines of fault records.
struct StoryLine {
    std::string text;
    bool fault = false;
};
std::vector<StoryLine> story(const scenarios::RunData& run);

}  // namespace reports
