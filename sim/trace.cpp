#include "sim/trace.hpp"

#include <cstdio>

namespace sim {

const TraceValue* TraceEvent::find(std::string_view key) const {
    for (const auto& f : fields)
        if (key == f.key) return &f.value;
    return nullptr;
}

int64_t TraceEvent::int_or(std::string_view key, int64_t fallback) const {
    const TraceValue* v = find(key);
    if (v == nullptr) return fallback;
    if (const auto* i = std::get_if<int64_t>(v)) return *i;
    return fallback;
}

std::string TraceEvent::str_or(std::string_view key, std::string fallback) const {
    const TraceValue* v = find(key);
    if (v == nullptr) return fallback;
    if (const auto* s = std::get_if<std::string>(v)) return *s;
    return std::to_string(std::get<int64_t>(*v));
}

std::string format_id_list(const std::vector<int32_t>& ids) {
    std::string out = "[";
    for (size_t i = 0; i < ids.size(); ++i) {
        if (i) out += ',';
        out += std::to_string(ids[i]);
    }
    out += ']';
    return out;
}

void Trace::set_node_name(NodeId id, std::string name) {
    if (static_cast<size_t>(id) >= node_names_.size()) node_names_.resize(id + 1);
    node_names_[id] = std::move(name);
}

const std::string& Trace::node_name(NodeId id) const {
    static const std::string none = "-";
    if (id < 0 || static_cast<size_t>(id) >= node_names_.size()) return none;
    return node_names_[id];
}

void Trace::record(Time t, NodeId node, std::string_view kind, std::initializer_list<TraceField> fields) {
    record(TraceEvent{t, node, std::string(kind), std::vector<TraceField>(fields)});
}

void Trace::record(TraceEvent ev) {
    hash_ = mix_word(hash_, static_cast<uint64_t>(ev.time.us));
    hash_ = mix_word(hash_, static_cast<uint64_t>(ev.node));
    for (unsigned char c : ev.kind) hash_ = mix_word(hash_, c);
    for (const auto& f : ev.fields) {
        for (const char* k = f.key; *k; ++k) hash_ = mix_word(hash_, static_cast<unsigned char>(*k));
        if (const auto* i = std::get_if<int64_t>(&f.value)) {
            hash_ = mix_word(hash_, static_cast<uint64_t>(*i));
        } else {
            for (unsigned char c : std::get<std::string>(f.value)) hash_ = mix_word(hash_, c);
        }
    }
    events_.push_back(std::move(ev));
    for (auto& fn : listeners_) fn(events_.back());
}

std::string Trace::hash_hex() const {
    char buf[24];
    std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(hash_));
    return buf;
}

}  // namespace sim
