#include "scenarios/fault_kinds.hpp"

namespace scenarios {

namespace {

using W = FaultWindowClass;
using A = FaultAction;

// In FaultAction order (fault_kind() indexes by it; a test holds the two together).
const std::vector<FaultKind>& table() {
    // clang-format off
    static const std::vector<FaultKind> kinds = {
        {A::crash, "crash", {"target"}, true, W::node_down, "TARGET... [for D]",
         "the process dies (kill -9); its page cache survives",
         "kill -9: memory is lost, what was written to the log survives (it is in the OS page cache)", "restarts it"},
        {A::power_loss, "power-loss", {"target"}, true, W::node_down, "TARGET... [for D]",
         "as crash, and every write not yet flushed is lost",
         "as `crash`, and every write not yet flushed to disk is lost too. Kafka does not fsync by default; the model "
         "flushes the way an OS does, every few seconds", "restarts it"},
        {A::shutdown, "shutdown", {"target"}, true, W::node_down, "TARGET... [for D]",
         "clean stop (controlled shutdown for brokers)", "clean stop (controlled shutdown for a broker)", "restarts it"},
        {A::restart, "restart", {"target"}, false, W::recovery, "TARGET...", "start a stopped node from its disk",
         "start a stopped node from its disk", ""},
        {A::pause, "pause", {"target"}, true, W::pause, "TARGET... [for D]",
         "alive but handling nothing (a GC pause, SIGSTOP)",
         "the process is alive but does nothing (GC pause, SIGSTOP)", "resumes it"},
        {A::resume, "resume", {"target"}, false, W::recovery, "TARGET...", "end a pause", "end a pause", ""},
        {A::partition, "partition", {"groups"}, true, W::network_cut, "TARGETS | TARGETS [| ...] [for D]",
         "groups that cannot reach each other; * = every other node",
         "nodes in different groups cannot reach each other", "heals it"},
        {A::isolate, "isolate", {"target"}, true, W::network_cut, "TARGET... [for D]",
         "the target reaches no one, no one reaches it", "the target reaches no one, no one reaches it", "heals it"},
        {A::cut, "cut", {"from", "to"}, true, W::network_cut, "FROM -> TO [for D]",
         "one way: messages from FROM to TO are lost", "one-way: messages from `from` to `to` are lost", "heals it"},
        {A::heal, "heal", {}, false, W::recovery, "", "remove every partition, isolation and cut",
         "remove every partition, isolation and cut", ""},
        {A::latency, "latency", {"between", "target", "add", "jitter"}, true, W::network_degraded,
         "TARGET add D [jitter D] [for D]", "extra one-way latency (or: between A B add D)", "extra one-way delay",
         "removes it"},
        {A::loss, "loss", {"between", "target", "probability"}, true, W::network_degraded,
         "TARGET probability P [for D]", "extra message loss (or: between A B probability P)",
         "extra message loss (0 to 1)", "removes it"},
    };
    // clang-format on
    return kinds;
}

}  // namespace

std::span<const FaultKind> fault_kinds() { return table(); }

const FaultKind& fault_kind(FaultAction action) { return table().at(static_cast<size_t>(action)); }

const FaultKind* find_fault_kind(std::string_view name) {
    for (const FaultKind& k : table())
        if (k.name == name) return &k;
    return nullptr;
}

std::string fault_kind_names() {
    std::string out;
    for (const FaultKind& k : table()) out += (out.empty() ? "" : ", ") + std::string(k.name);
    return out;
}

}  // namespace scenarios
