// Every kind of fault is one file in this folder (crash.cpp, partition.cpp, ...), holding its
// descriptor: its name in scenario files, the fields it takes, whether `for` undoes it, how
// reports draw its window, its `kafkasim shell` syntax, its docs line, and how it is applied
// to the world and undone. The loader, `validate`'s messages, the injector, the shell's
// commands and help, the reports and the docs test all read the registry (registry.cpp).
//
// Fields are shared by name across faults ("target", "add", ...), as check parameters are
// across checks: each name has one type and one reader (fault_fields() here, the loader) and one
// member of FaultSpec. A new fault with known fields is its file, one FaultAction, one line in
// registry.cpp's list, and its tests.
#pragma once
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "broker/world.hpp"
#include "connect/external_systems.hpp"
#include "scenarios/run_data.hpp"
#include "scenarios/scenario.hpp"

namespace scenarios {

// How a fault shows in plots and reports: what it does to the cluster while it lasts.
enum class FaultWindowClass { node_down, pause, network_cut, network_degraded, recovery };

// ---- Fields ---------------------------------------------------------------------------------

enum class FaultFieldType {
    targets,      // one target or a list: "broker:1", ["broker:1", "broker:2"]
    target_pair,  // exactly two targets: one link pair
    groups,       // lists of targets, "*" in at most one: a partition's sides
    duration,     // "200ms"
    probability,  // 0 to 1
    names,        // a list of names: ["EndTxn", "Produce"]
    count,        // an integer >= 1
    name,         // one name: "orders"
};

// A field as every fault that takes it reads it.
struct FaultFieldInfo {
    std::string_view name;
    FaultFieldType type;
    std::string_view hint;  // what it is, for "required: ..." messages
};

std::span<const FaultFieldInfo> fault_fields();
const FaultFieldInfo* find_fault_field(std::string_view name);

struct FaultField {
    std::string_view name;
    bool required = false;
};

// Rules across a fault's fields, checked before they are read ("between" or "target", not both).
class FieldRules {
public:
    virtual ~FieldRules() = default;
    virtual bool has(std::string_view field) const = 0;
    virtual void error(std::string_view field, std::string message) = 0;
};

// What the bare words of a shell command fill, and how the fault's target reads in reports.
enum class FaultOperand {
    none,     // heal: no target ("*")
    targets,  // crash broker:1 broker:2          -> "target" (latency/loss: or "between")
    groups,   // partition broker:1 | *           -> "groups"
    from_to,  // cut broker:1 -> broker:2         -> "from", "to"
};

// ---- Applying a fault -----------------------------------------------------------------------

// What a network fault does to each directed link it covers.
enum class LinkEffect { block, latency, loss, drop, hold };

struct NetworkChange {
    std::vector<std::pair<sim::NodeId, sim::NodeId>> links;  // directed
    LinkEffect effect = LinkEffect::block;
    sim::Duration add, jitter;  // latency
    double probability = 0;     // loss, drop
    std::vector<std::string> requests;  // hold: the request kinds it holds back
    int64_t count = 0;                  // hold: at most this many (0: every one)
    // Nodes whose links to every node this change affects (isolate, latency/loss on a target,
    // the named groups of a partition with "*"): a node added later joins them.
    std::vector<sim::NodeId> toward_every_node;
};

// What a firing did, kept until its undo.
struct Applied {
    bool fired = false;               // false: it matched nothing or changed nothing
    std::vector<sim::NodeId> nodes;   // the nodes it acted on (lifecycle faults)
    uint64_t change = 0;              // the network change in force (network faults)
    std::string note;                 // what else the undo needs (external-down: the system)
};

// What a fault may do as it fires or is undone: the injector's services, and the record of
// this firing or undo (the nodes its targets resolved to, notes on what did not happen).
class FaultContext {
public:
    virtual ~FaultContext() = default;
    virtual kafka::World& world() = 0;
    virtual FaultRecord& record() = 0;
    // The live nodes the targets name now; their names go into the record, and targets that
    // match nothing into its note.
    virtual std::vector<sim::NodeId> resolve(const std::vector<Target>& targets) = 0;
    virtual std::vector<sim::NodeId> all_nodes() = 0;
    // How long a clean shutdown may take (controlled.shutdown: the brokers' timeout).
    virtual sim::Duration shutdown_grace() = 0;
    // A node the fault could not act on, and why ("broker-2 was already crashed").
    virtual void skipped(std::string why) = 0;
    virtual uint64_t apply_network(NetworkChange change) = 0;
    // Reverts a change in force; false when it no longer is (a heal removed it).
    virtual bool revert_network(uint64_t change) = 0;
    // Reverts every change in force with this effect; how many there were.
    virtual size_t revert_network(LinkEffect effect) = 0;
    // The systems outside Kafka that connectors read and write.
    virtual kafka::connect::ExternalSystems& external() = 0;
};

// ---- The descriptor -------------------------------------------------------------------------

struct FaultKind {
    FaultAction action;
    std::string_view name;            // "power-loss"
    std::vector<FaultField> fields;   // the JSON fields it takes besides at, action, for
    bool undone_by_for;               // `for` undoes it (else `for` is an error)
    FaultWindowClass window;
    // A recovery ends the windows of this class that are in force (restart: node_down).
    std::optional<FaultWindowClass> ends = std::nullopt;
    // ... only those of faults that share a node with it (restart, resume), or all (heal).
    bool ends_only_its_nodes = false;
    FaultOperand operand = FaultOperand::targets;
    std::string_view shell_usage;     // "TARGET... [for D]"
    std::string_view shell_help;      // one line for the shell's help
    std::string_view doc;             // what happens, for docs/scenario-format.md
    std::string_view for_doc;         // what `for` does ("restarts it"), "" when it does not apply
    void (*rules)(FieldRules&) = nullptr;
    Applied (*apply)(FaultContext&, const FaultSpec&) = nullptr;
    // Undoes a firing when its `for` has passed (set when undone_by_for).
    void (*undo)(FaultContext&, const Applied&) = nullptr;
};

// ---- The registry (registry.cpp) ------------------------------------------------------------

std::span<const FaultKind* const> fault_kinds();
const FaultKind& fault_kind(FaultAction action);
const FaultKind* find_fault_kind(std::string_view name);
// "crash, power-loss, ..., loss": for messages that name every kind.
std::string fault_kind_names();
// What a fault applies to, as written: "broker:1, broker:2", "broker:1 | *", "a -> b", "*".
std::string fault_target_text(const FaultSpec& f);
std::string describe_targets(const std::vector<Target>& targets);

// Each fault file's descriptor.
const FaultKind& crash_fault();
const FaultKind& power_loss_fault();
const FaultKind& shutdown_fault();
const FaultKind& restart_fault();
const FaultKind& pause_fault();
const FaultKind& resume_fault();
const FaultKind& partition_fault();
const FaultKind& isolate_fault();
const FaultKind& cut_fault();
const FaultKind& heal_fault();
const FaultKind& latency_fault();
const FaultKind& loss_fault();
const FaultKind& drop_fault();
const FaultKind& delay_fault();
const FaultKind& external_down_fault();
const FaultKind& fail_task_fault();

}  // namespace scenarios
