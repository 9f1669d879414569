// The structured trace: what the model said happened, as typed events, and a running 64-bit
// hash that is the run's fingerprint. sim/ knows nothing of the events themselves: a world is
// built over one closed vocabulary `Ev` (a std::variant of plain structs, defined by the layer
// that emits them), and the trace asks that vocabulary to describe an event through one
// customisation point, found by argument-dependent lookup:
//
//   template <class Sink> void describe(const Ev& ev, Sink& sink);
//     // sink.kind("become_leader"); sink.field("topic", topic); sink.field("isr", isr); ...
//
// The hash, the trace.jsonl line and any generic text are all derived from that one
// description; consumers that judge or tell the run (checkers, narrator, metrics) read the
// typed events themselves, never a kind string.
//
// The world also mixes every processed loop event (deliveries, timers) into the hash, so two
// runs with one seed agree event for event or their hashes differ.
#pragma once
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sim/time.hpp"

namespace sim {

using NodeId = int32_t;
constexpr NodeId no_node = -1;

// A list of node or broker ids in an event ("[1,2,3]" in text).
using IdList = std::vector<int32_t>;
std::string format_id_list(const std::vector<int32_t>& ids);

// Folds a description into the running hash: the time, the node, the kind's characters, then
// per field its key's characters and its value (integers as one word, text and id lists by
// their characters), so a changed kind, key or value changes the fingerprint.
class TraceHasher {
public:
    explicit TraceHasher(uint64_t& h) : h_(h) {}
    static uint64_t mix_word(uint64_t h, uint64_t w) {
        h ^= w + 0x9e3779b97f4a7c15ULL + (h << 6) + (h >> 2);
        h *= 0xff51afd7ed558ccdULL;
        return h ^ (h >> 33);
    }
    void word(uint64_t w) { h_ = mix_word(h_, w); }
    void kind(std::string_view k) { text(k); }
    void field(const char* key, int64_t v) {
        text(key);
        word(static_cast<uint64_t>(v));
    }
    void field(const char* key, int32_t v) { field(key, int64_t{v}); }
    void field(const char* key, uint32_t v) { field(key, int64_t{v}); }
    void field(const char* key, uint64_t v) { field(key, static_cast<int64_t>(v)); }
    void field(const char* key, bool v) { field(key, int64_t{v ? 1 : 0}); }
    void field(const char* key, std::string_view v) {
        text(key);
        text(v);
    }
    void field(const char* key, const std::string& v) { field(key, std::string_view(v)); }
    void field(const char* key, const char* v) { field(key, std::string_view(v)); }
    void field(const char* key, const IdList& ids);
    template <class T>
    void field(const char* key, const std::optional<T>& v) {
        if (v) field(key, *v);
    }

private:
    void text(std::string_view s) {
        for (unsigned char c : s) word(c);
    }
    uint64_t& h_;
};

// A recorded event: when, who (the node whose handler emitted it; no_node for the harness),
// and what.
template <class Ev>
struct TraceEntry {
    Time time;
    NodeId node = no_node;
    Ev event;
};

template <class Ev>
class Trace {
public:
    using Entry = TraceEntry<Ev>;

    void set_node_name(NodeId id, std::string name) {
        if (static_cast<size_t>(id) >= node_names_.size()) node_names_.resize(static_cast<size_t>(id) + 1);
        node_names_[static_cast<size_t>(id)] = std::move(name);
    }
    const std::string& node_name(NodeId id) const {
        static const std::string none = "-";
        if (id < 0 || static_cast<size_t>(id) >= node_names_.size()) return none;
        return node_names_[static_cast<size_t>(id)];
    }
    size_t node_count() const { return node_names_.size(); }

    void record(Time t, NodeId node, Ev ev) {
        mix_head(t, node);
        TraceHasher hasher(hash_);
        describe(ev, hasher);
        events_.push_back(Entry{t, node, std::move(ev)});
        for (auto& fn : listeners_) fn(events_.back());
    }
    // An event of the harness that is not part of the model's vocabulary (a fault firing):
    // folded into the fingerprint the same way, but not stored. `describe_fn(sink)` describes it.
    template <class DescribeFn>
    void mix_described(Time t, NodeId node, DescribeFn&& describe_fn) {
        mix_head(t, node);
        TraceHasher hasher(hash_);
        describe_fn(hasher);
    }

    // Cheap mixing of loop events that are not stored (deliveries, timers).
    void mix(uint64_t a, uint64_t b, uint64_t c) {
        hash_ = TraceHasher::mix_word(hash_, a);
        hash_ = TraceHasher::mix_word(hash_, b);
        hash_ = TraceHasher::mix_word(hash_, c);
    }
    uint64_t hash() const { return hash_; }
    std::string hash_hex() const { return format_hash(hash_); }

    const std::vector<Entry>& events() const { return events_; }
    // Called for every recorded event, in order: invariant checkers and live narration.
    void add_listener(std::function<void(const Entry&)> fn) { listeners_.push_back(std::move(fn)); }

private:
    void mix_head(Time t, NodeId node) {
        hash_ = TraceHasher::mix_word(hash_, static_cast<uint64_t>(t.us));
        hash_ = TraceHasher::mix_word(hash_, static_cast<uint64_t>(node));
    }
    static std::string format_hash(uint64_t h);

    uint64_t hash_ = 0x6b61666b6173696dULL;  // "kafkasim"
    std::vector<std::string> node_names_;
    std::vector<Entry> events_;
    std::vector<std::function<void(const Entry&)>> listeners_;
};

std::string format_trace_hash(uint64_t h);
template <class Ev>
std::string Trace<Ev>::format_hash(uint64_t h) {
    return format_trace_hash(h);
}

// The vocabulary of a world that records no events of its own (sim's tests).
struct NoEvent {};
template <class Sink>
void describe(const NoEvent&, Sink& sink) {
    sink.kind("none");
}

}  // namespace sim
