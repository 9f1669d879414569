// The structured trace: (time, node, kind, fields) events and a running 64-bit hash that is
// the run's fingerprint. Protocol nodes record semantic events ("leader_elected"); the world
// also mixes every processed event into the hash, so two runs with one seed agree event for
// event or their hashes differ.
#pragma once
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "sim/time.hpp"

namespace sim {

using NodeId = int32_t;
constexpr NodeId no_node = -1;

using TraceValue = std::variant<int64_t, std::string>;

struct TraceField {
    const char* key;  // always a string literal
    TraceValue value;
    TraceField(const char* k, int64_t v) : key(k), value(v) {}
    TraceField(const char* k, int v) : key(k), value(int64_t{v}) {}
    TraceField(const char* k, uint32_t v) : key(k), value(int64_t{v}) {}
    TraceField(const char* k, uint64_t v) : key(k), value(static_cast<int64_t>(v)) {}
    TraceField(const char* k, bool v) : key(k), value(int64_t{v ? 1 : 0}) {}
    TraceField(const char* k, std::string v) : key(k), value(std::move(v)) {}
    TraceField(const char* k, std::string_view v) : key(k), value(std::string(v)) {}
    TraceField(const char* k, const char* v) : key(k), value(std::string(v)) {}
};

struct TraceEvent {
    Time time;
    NodeId node = no_node;
    std::string kind;
    std::vector<TraceField> fields;

    const TraceValue* find(std::string_view key) const;
    int64_t int_or(std::string_view key, int64_t fallback) const;
    std::string str_or(std::string_view key, std::string fallback) const;
};

// "[1,2,3]" — how id lists appear in trace fields.
std::string format_id_list(const std::vector<int32_t>& ids);

class Trace {
public:
    void set_node_name(NodeId id, std::string name);
    const std::string& node_name(NodeId id) const;
    size_t node_count() const { return node_names_.size(); }

    void record(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields);
    void record(TraceEvent ev);

    // Cheap mixing of loop events that are not stored (deliveries, timers).
    void mix(uint64_t a, uint64_t b, uint64_t c) {
        hash_ = mix_word(hash_, a);
        hash_ = mix_word(hash_, b);
        hash_ = mix_word(hash_, c);
    }
    uint64_t hash() const { return hash_; }
    std::string hash_hex() const;

    const std::vector<TraceEvent>& events() const { return events_; }
    // Called for every recorded event, in order: invariant checkers and live narration.
    void add_listener(std::function<void(const TraceEvent&)> fn) { listeners_.push_back(std::move(fn)); }

private:
    static uint64_t mix_word(uint64_t h, uint64_t w) {
        h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
        return h ^ (h >> 33);
    }
    uint64_t hash_ = 0x6b61666b6173696dULL;  // "kafkasim"
    std::vector<std::string> node_names_;
    std::vector<TraceEvent> events_;
    std::vector<std::function<void(const TraceEvent&)>> listeners_;
};

}  // namespace sim
