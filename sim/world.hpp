// The deterministic world: one owner of time, one event queue totally ordered by
// (time, seq), one root seed. It hosts nodes (pure message/timer handlers), carries their
// messages over the virtual network, owns their disks, and applies lifecycle faults.
//
//   World<Msg, Event> world(seed, network_options);
//   NodeId b1 = world.add_node("broker:1", [] { return std::make_unique<Broker>(...); });
//   world.start(b1);
//   world.run_until(sim::time_zero + sim::seconds(60));
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "sim/disk.hpp"
#include "sim/network.hpp"
#include "sim/random.hpp"
#include "sim/time.hpp"
#include "sim/trace.hpp"

namespace sim {

// A violated internal invariant: a bug in the simulator, not a Kafka-level finding (exit 3).
struct InvariantViolation : std::logic_error {
    using std::logic_error::logic_error;
};
#define SIM_ASSERT(cond, msg)                                                                  \
    do {                                                                                       \
        if (!(cond)) throw ::sim::InvariantViolation(std::string(__FILE__ ":") +               \
                                                     std::to_string(__LINE__) + ": " + (msg)); \
    } while (0)

enum class NodeState : uint8_t { not_started, up, paused, shutting_down, crashed, powered_off, stopped };
const char* to_string(NodeState s);

struct TimerId {
    uint64_t value = 0;
    bool valid() const { return value != 0; }
    auto operator<=>(const TimerId&) const = default;
};

template <class Msg, class Ev = NoEvent>
class World;
template <class Msg, class Ev = NoEvent>
class Context;

template <class Msg, class Ev = NoEvent>
class Node {
public:
    virtual ~Node() = default;
    // Called on a fresh process: the first start, and every restart (read the disk here).
    virtual void on_start(Context<Msg, Ev>& ctx) = 0;
    virtual void on_message(NodeId from, Msg& msg, Context<Msg, Ev>& ctx) = 0;
    virtual void on_timer(uint64_t /*tag*/, Context<Msg, Ev>& /*ctx*/) {}
    // A peer's connection closed: its process died or stopped, a cut that lost messages
    // healed, or TCP gave up retransmitting on a lossy link (both ends are told). Not sent on
    // power loss or while a cut lasts: those are only seen as timeouts.
    virtual void on_disconnect(NodeId /*peer*/, Context<Msg, Ev>& /*ctx*/) {}
    // A clean stop was asked for. Call ctx.exit() when done; by default at once.
    virtual void on_shutdown(Context<Msg, Ev>& ctx) { ctx.exit(); }
};

// What a handler may touch: the clock, the network, its timers, its random stream, its disk
// and the trace. Nothing else.
template <class Msg, class Ev>
class Context {
public:
    Context(World<Msg, Ev>& w, NodeId self) : world_(w), self_(self) {}
    Time now() const { return world_.now(); }
    NodeId self() const { return self_; }
    const std::string& name() const { return world_.trace().node_name(self_); }
    void send(NodeId to, Msg msg) { world_.send(self_, to, std::move(msg)); }
    TimerId set_timer(Duration after, uint64_t tag) { return world_.set_timer(self_, after, tag); }
    void cancel_timer(TimerId& id) {
        world_.cancel_timer(id);
        id = TimerId{};
    }
    Rng& rng() { return world_.node_rng(self_); }
    Disk& disk() { return world_.disk(self_); }
    // Records what happened, in the world's event vocabulary.
    void emit(Ev event) { world_.trace().record(world_.now(), self_, std::move(event)); }
    // End a clean shutdown (see Node::on_shutdown).
    void exit() { world_.finish_shutdown(self_); }

private:
    World<Msg, Ev>& world_;
    NodeId self_;
};

template <class Msg, class Ev>
class World {
public:
    using Factory = std::function<std::unique_ptr<Node<Msg, Ev>>()>;

    World(uint64_t seed, NetworkOptions net) : seed_(seed), network_(net) {}
    World(const World&) = delete;
    World& operator=(const World&) = delete;

    uint64_t seed() const { return seed_; }
    Time now() const { return now_; }
    Network& network() { return network_; }
    // A send-time hook (the `delay` fault): extra time for one message on top of its delivery,
    // which does not hold back what follows it on its link (it is overtaken). Zero: none.
    using HoldFn = std::function<Duration(NodeId from, NodeId to, const Msg& msg)>;
    void set_hold(HoldFn fn) { hold_ = std::move(fn); }
    Trace<Ev>& trace() { return trace_; }
    const Trace<Ev>& trace() const { return trace_; }
    uint64_t events_processed() const { return events_processed_; }
    size_t node_count() const { return slots_.size(); }

    // Every `interval` the kernel writes dirty pages of every powered machine back to disk.
    void set_os_flush_interval(Duration interval) { os_flush_interval_ = interval; }

    NodeId add_node(std::string name, Factory factory) {
        auto id = static_cast<NodeId>(slots_.size());
        Slot s;
        s.factory = std::move(factory);
        s.rng = Rng(seed_, "node/" + name);
        trace_.set_node_name(id, name);
        names_.push_back(std::move(name));
        slots_.push_back(std::move(s));
        network_.add_node(seed_, names_);
        return id;
    }
    NodeId find(std::string_view name) const {
        for (size_t i = 0; i < names_.size(); ++i)
            if (names_[i] == name) return static_cast<NodeId>(i);
        return no_node;
    }
    const std::string& name(NodeId id) const { return names_.at(static_cast<size_t>(id)); }

    NodeState state(NodeId id) const { return slots_.at(static_cast<size_t>(id)).state; }
    bool is_up(NodeId id) const {
        NodeState s = state(id);
        return s == NodeState::up || s == NodeState::shutting_down;
    }
    // The live process, for read-only inspection by the harness (nullptr when down).
    Node<Msg, Ev>* node(NodeId id) { return slots_.at(static_cast<size_t>(id)).node.get(); }
    template <class N>
    N* node_as(NodeId id) { return dynamic_cast<N*>(node(id)); }
    Disk& disk(NodeId id) { return slots_.at(static_cast<size_t>(id)).disk; }
    Rng& node_rng(NodeId id) { return slots_[static_cast<size_t>(id)].rng; }

    // ---- lifecycle; each returns false when the node was already in that state ----
    bool start(NodeId id) {
        Slot& s = slot(id);
        if (s.state == NodeState::up || s.state == NodeState::paused || s.state == NodeState::shutting_down)
            return false;
        s.state = NodeState::up;
        ++s.incarnation;
        s.node = s.factory();
        Context<Msg, Ev> ctx(*this, id);
        s.node->on_start(ctx);
        return true;
    }
    // A node still in its clean shutdown restarts as soon as it has stopped.
    bool restart(NodeId id) {
        Slot& s = slot(id);
        if (s.state == NodeState::shutting_down) {
            if (s.restart_when_stopped) return false;
            s.restart_when_stopped = true;
            return true;
        }
        return start(id);
    }

    bool crash(NodeId id) { return kill(id, /*power_loss=*/false); }
    bool power_loss(NodeId id) { return kill(id, /*power_loss=*/true); }

    bool shutdown(NodeId id, Duration grace) {
        Slot& s = slot(id);
        if (s.state == NodeState::paused) resume(id);
        if (s.state != NodeState::up) return false;
        s.state = NodeState::shutting_down;
        uint32_t inc = s.incarnation;
        schedule(now_ + grace, [this, id, inc] {
            if (slot(id).incarnation == inc && slot(id).state == NodeState::shutting_down) finish_shutdown(id);
        });
        Context<Msg, Ev> ctx(*this, id);
        s.node->on_shutdown(ctx);
        return true;
    }
    void finish_shutdown(NodeId id) {
        Slot& s = slot(id);
        if (s.state != NodeState::shutting_down && s.state != NodeState::up) return;
        s.disk.flush_all();
        retired_.push_back(std::move(s.node));  // it may be the caller (ctx.exit()): destroyed after its handler
        s.state = NodeState::stopped;
        ++s.incarnation;
        notify_disconnect(id);
        if (s.restart_when_stopped) {
            s.restart_when_stopped = false;
            schedule(now_, [this, id] { start(id); });
        }
    }

    bool pause(NodeId id) {
        Slot& s = slot(id);
        if (s.state != NodeState::up && s.state != NodeState::shutting_down) return false;
        s.paused_from = s.state;
        s.state = NodeState::paused;
        return true;
    }
    bool resume(NodeId id) {
        Slot& s = slot(id);
        if (s.state != NodeState::paused) return false;
        s.state = s.paused_from;
        // What arrived while paused is handled now, in arrival order.
        std::vector<Event> backlog = std::move(s.backlog);
        s.backlog.clear();
        for (Event ev : backlog) {
            ev.time = now_;
            push(ev);
        }
        return true;
    }

    // ---- harness scheduling ----
    void schedule(Time at, std::function<void()> fn) {
        SIM_ASSERT(at >= now_, "scheduled in the past");
        uint32_t slot_index;
        if (!free_callbacks_.empty()) {
            slot_index = free_callbacks_.back();
            free_callbacks_.pop_back();
            callbacks_[slot_index] = std::move(fn);
        } else {
            slot_index = static_cast<uint32_t>(callbacks_.size());
            callbacks_.push_back(std::move(fn));
        }
        push(Event{at, 0, slot_index, 0, 0, no_node, 0, EventKind::callback});
    }

    // Process one event; false when the queue is empty.
    bool step() {
        if (heap_.empty()) return false;
        retired_.clear();
        Event ev = pop();
        SIM_ASSERT(ev.time >= now_, "time went backwards");
        now_ = ev.time;
        ++events_processed_;
        dispatch(ev);
        return true;
    }
    // Run every event up to and including time t; the clock ends at t.
    void run_until(Time t) {
        ensure_flush_scheduled();
        while (!heap_.empty() && heap_.front().time <= t) step();
        if (now_ < t) now_ = t;
    }
    Time next_event_time() const { return heap_.empty() ? time_never : heap_.front().time; }

    // ---- used through Context ----
    void send(NodeId from, NodeId to, Msg msg) {
        // A crashed or stopped process on a running host: the connection attempt is refused
        // (RST) and the sender learns it one round trip later. A host without power, or one
        // behind a cut, simply never answers.
        const NodeState dest = slot(to).state;
        if ((dest == NodeState::crashed || dest == NodeState::stopped) && !network_.blocked(from, to) &&
            !network_.blocked(to, from)) {
            push(Event{now_ + network_.options().latency_min + network_.options().latency_min, 0, 0, 0,
                       static_cast<uint64_t>(to), from, slot(from).incarnation, EventKind::disconnect});
            return;
        }
        const Route route = network_.route(from, to, now_);
        if (route.outcome == Route::Outcome::cut || route.outcome == Route::Outcome::dropped) return;
        if (route.outcome == Route::Outcome::reset) {
            // Retransmission gave up: the connection resets then, unless something else has
            // reset it first (the epoch tells).
            push(Event{route.at, 0, route.epoch, 0, static_cast<uint64_t>(to), from, 0, EventKind::link_reset});
            return;
        }
        Time deliver_at = route.at;
        if (hold_) deliver_at = deliver_at + hold_(from, to, msg);
        uint32_t slot_index;
        if (!free_msgs_.empty()) {
            slot_index = free_msgs_.back();
            free_msgs_.pop_back();
            msgs_[slot_index].msg = std::move(msg);
        } else {
            slot_index = static_cast<uint32_t>(msgs_.size());
            msgs_.push_back(InFlight{std::move(msg), 0, 0, 0});
        }
        InFlight& f = msgs_[slot_index];
        f.from = from;
        f.from_incarnation = slot(from).incarnation;
        f.link_epoch = route.epoch;
        push(Event{deliver_at, 0, slot_index, 0, 0, to, slot(to).incarnation, EventKind::deliver});
    }
    TimerId set_timer(NodeId id, Duration after, uint64_t tag) {
        uint32_t index;
        if (!free_timers_.empty()) {
            index = free_timers_.back();
            free_timers_.pop_back();
        } else {
            index = static_cast<uint32_t>(timers_.size());
            timers_.push_back(TimerSlot{});
        }
        TimerId t{(static_cast<uint64_t>(timers_[index].generation) << 32) | index};
        push(Event{now_ + after, 0, t.value, tag, 0, id, slot(id).incarnation, EventKind::timer});
        return t;
    }
    // A cancelled timer leaves the queue at once: nodes re-arm request timeouts all the time,
    // and dead timers waiting out their time would make the queue several times larger.
    void cancel_timer(TimerId id) {
        TimerSlot* t = live_timer(id.value);
        if (t == nullptr) return;  // fired or cancelled already
        if (t->heap_pos != not_queued) remove_at(t->heap_pos);
        release_timer(id.value);
    }

private:
    enum class EventKind : uint8_t { deliver, timer, disconnect, callback, os_flush, link_reset };
    struct Event {
        Time time;
        uint64_t seq;
        uint64_t a;  // deliver: message slot; timer: timer id; callback: callback slot; link_reset: epoch
        uint64_t b;  // timer: tag
        uint64_t c;  // disconnect: peer; link_reset: the receiving end
        NodeId node;
        uint32_t incarnation;
        EventKind kind;
    };
    struct InFlight {
        Msg msg;
        NodeId from;
        uint32_t from_incarnation;
        uint32_t link_epoch;
    };
    struct Slot {
        Factory factory;
        std::unique_ptr<Node<Msg, Ev>> node;
        NodeState state = NodeState::not_started;
        NodeState paused_from = NodeState::up;
        uint32_t incarnation = 0;
        Disk disk;
        Rng rng;
        std::vector<Event> backlog;
        bool restart_when_stopped = false;
    };

    Slot& slot(NodeId id) { return slots_.at(static_cast<size_t>(id)); }

    // ---- the event queue: a binary min-heap on (time, seq) whose timer entries know their
    // position, so that cancelling a timer removes it.
    static constexpr uint32_t not_queued = UINT32_MAX;
    struct TimerSlot {
        uint32_t generation = 1;  // part of the TimerId: a reused slot does not answer to old ids
        uint32_t heap_pos = not_queued;
    };
    TimerSlot* live_timer(uint64_t id) {
        auto index = static_cast<uint32_t>(id);
        if (id == 0 || index >= timers_.size() || timers_[index].generation != static_cast<uint32_t>(id >> 32))
            return nullptr;
        return &timers_[index];
    }
    void release_timer(uint64_t id) {
        auto index = static_cast<uint32_t>(id);
        TimerSlot& t = timers_[index];
        t.heap_pos = not_queued;
        if (++t.generation == 0) t.generation = 1;
        free_timers_.push_back(index);
    }
    static bool earlier(const Event& x, const Event& y) {
        return x.time != y.time ? x.time < y.time : x.seq < y.seq;
    }
    void place(size_t i, const Event& ev) {
        heap_[i] = ev;
        if (ev.kind == EventKind::timer) timers_[static_cast<uint32_t>(ev.a)].heap_pos = static_cast<uint32_t>(i);
    }
    void sift_up(size_t i, Event ev) {
        while (i > 0) {
            size_t parent = (i - 1) / 2;
            if (!earlier(ev, heap_[parent])) break;
            place(i, heap_[parent]);
            i = parent;
        }
        place(i, ev);
    }
    void sift_down(size_t i, Event ev) {
        const size_t n = heap_.size();
        for (;;) {
            size_t child = 2 * i + 1;
            if (child >= n) break;
            if (child + 1 < n && earlier(heap_[child + 1], heap_[child])) ++child;
            if (!earlier(heap_[child], ev)) break;
            place(i, heap_[child]);
            i = child;
        }
        place(i, ev);
    }
    void push(Event ev) {
        ev.seq = next_seq_++;
        heap_.emplace_back();
        sift_up(heap_.size() - 1, ev);
    }
    Event pop() {
        Event top = heap_.front();
        Event last = heap_.back();
        heap_.pop_back();
        if (!heap_.empty()) sift_down(0, last);
        if (top.kind == EventKind::timer) timers_[static_cast<uint32_t>(top.a)].heap_pos = not_queued;
        return top;
    }
    void remove_at(size_t i) {
        Event last = heap_.back();
        heap_.pop_back();
        if (i == heap_.size()) return;
        if (i > 0 && earlier(last, heap_[(i - 1) / 2])) sift_up(i, last);
        else sift_down(i, last);
    }
    // Frees what events dropped with a crashed node's backlog were holding.
    void release_backlog(std::vector<Event>& backlog) {
        for (const Event& ev : backlog) {
            if (ev.kind == EventKind::timer && live_timer(ev.a) != nullptr) release_timer(ev.a);
            if (ev.kind == EventKind::deliver) {
                msgs_[ev.a].msg = Msg{};
                free_msgs_.push_back(static_cast<uint32_t>(ev.a));
            }
        }
        backlog.clear();
    }

    void ensure_flush_scheduled() {
        if (flush_scheduled_ || os_flush_interval_.us <= 0) return;
        flush_scheduled_ = true;
        push(Event{now_ + os_flush_interval_, 0, 0, 0, 0, no_node, 0, EventKind::os_flush});
    }

    void dispatch(Event& ev) {
        // The harness's own callbacks (sampling, checks; faults trace what they do) stay out
        // of the hash, so observing a run more or less often does not change its fingerprint.
        if (ev.kind != EventKind::callback)
            trace_.mix(static_cast<uint64_t>(ev.time.us),
                       (static_cast<uint64_t>(ev.kind) << 32) | static_cast<uint32_t>(ev.node),
                       ev.kind == EventKind::timer ? ev.b : ev.a);
        switch (ev.kind) {
            case EventKind::deliver: {
                InFlight& f = msgs_[ev.a];
                Slot& to = slot(ev.node);
                bool ok = to.incarnation == ev.incarnation && slot(f.from).incarnation == f.from_incarnation &&
                          network_.link(f.from, ev.node).epoch == f.link_epoch && !network_.blocked(f.from, ev.node);
                if (ok && to.state == NodeState::paused) {
                    to.backlog.push_back(ev);
                    return;
                }
                // Take the message out and free its slot before the handler runs: the handler
                // may send, and sending may grow msgs_ (invalidating f) or reuse this slot.
                if (!ok && network_.blocked(f.from, ev.node)) network_.link(f.from, ev.node).lost_while_cut = true;
                const NodeId from = f.from;
                Msg msg = std::move(f.msg);
                f.msg = Msg{};
                free_msgs_.push_back(static_cast<uint32_t>(ev.a));
                if (ok && (to.state == NodeState::up || to.state == NodeState::shutting_down)) {
                    Context<Msg, Ev> ctx(*this, ev.node);
                    to.node->on_message(from, msg, ctx);
                }
                return;
            }
            case EventKind::timer: {
                if (live_timer(ev.a) == nullptr) return;  // cancelled while its node was paused
                Slot& s = slot(ev.node);
                if (s.state == NodeState::paused && s.incarnation == ev.incarnation) {
                    s.backlog.push_back(ev);  // still cancellable
                    return;
                }
                release_timer(ev.a);
                if (s.incarnation != ev.incarnation) return;
                if (s.state != NodeState::up && s.state != NodeState::shutting_down) return;
                Context<Msg, Ev> ctx(*this, ev.node);
                s.node->on_timer(ev.b, ctx);
                return;
            }
            case EventKind::disconnect: {
                Slot& s = slot(ev.node);
                if (s.incarnation != ev.incarnation) return;
                if (s.state == NodeState::paused) {
                    s.backlog.push_back(ev);
                    return;
                }
                if (s.state != NodeState::up && s.state != NodeState::shutting_down) return;
                Context<Msg, Ev> ctx(*this, ev.node);
                s.node->on_disconnect(static_cast<NodeId>(ev.c), ctx);
                return;
            }
            case EventKind::callback: {
                std::function<void()> fn = std::move(callbacks_[ev.a]);
                callbacks_[ev.a] = nullptr;
                free_callbacks_.push_back(static_cast<uint32_t>(ev.a));
                fn();
                return;
            }
            case EventKind::os_flush: {
                for (auto& s : slots_)
                    if (s.state != NodeState::powered_off) s.disk.flush_all();
                push(Event{now_ + os_flush_interval_, 0, 0, 0, 0, no_node, 0, EventKind::os_flush});
                return;
            }
            case EventKind::link_reset: {
                // The sender's TCP gave up on a message (ev.node -> ev.c): the connection is
                // gone in both directions with everything in flight on it. The sender's
                // socket fails at once; the RST reaches the peer a moment later.
                const NodeId from = ev.node;
                const auto to = static_cast<NodeId>(ev.c);
                if (network_.link(from, to).epoch != static_cast<uint32_t>(ev.a)) return;
                network_.reset(from, to);
                network_.reset(to, from);
                tell_disconnected(from, to, now_);
                tell_disconnected(to, from, now_ + network_.options().latency_min);
                return;
            }
        }
    }

    bool kill(NodeId id, bool lose_power) {
        Slot& s = slot(id);
        bool alive = s.state == NodeState::up || s.state == NodeState::paused || s.state == NodeState::shutting_down;
        if (lose_power) {
            if (s.state == NodeState::powered_off) return false;
            if (!alive && s.state != NodeState::crashed) {
                if (s.state != NodeState::stopped) return false;
            }
        } else if (!alive) {
            return false;
        }
        s.node.reset();
        s.restart_when_stopped = false;
        release_backlog(s.backlog);
        ++s.incarnation;
        if (lose_power) {
            s.disk.power_loss();
            s.state = NodeState::powered_off;
        } else {
            s.state = NodeState::crashed;
            if (alive) notify_disconnect(id);  // the kernel closes the dead process's sockets
        }
        return true;
    }

public:
    // After a partition, isolation or cut is removed: every connection that lost messages
    // while it was cut is reset, and both ends see a disconnect. (TCP would retransmit the
    // lost segments once the path is back; here the senders learn of the loss at once and
    // resend, instead of each waiting out its request timeout.) The fault injector calls
    // this after it removes network faults.
    void reset_connections_healed_from_cuts() {
        const auto n = static_cast<NodeId>(slots_.size());
        for (NodeId a = 0; a < n; ++a) {
            for (NodeId b = a + 1; b < n; ++b) {
                Link& ab = network_.link(a, b);
                Link& ba = network_.link(b, a);
                if (ab.blocked > 0 || ba.blocked > 0) continue;
                if (!ab.lost_while_cut && !ba.lost_while_cut) continue;
                ab.lost_while_cut = ba.lost_while_cut = false;
                network_.reset(a, b);
                network_.reset(b, a);
                tell_disconnected(a, b, now_ + network_.options().latency_min);
                tell_disconnected(b, a, now_ + network_.options().latency_min);
            }
        }
    }

private:
    // `node`'s connection to `peer` closed: it hears of it at `at` (when it is alive then).
    void tell_disconnected(NodeId node, NodeId peer, Time at) {
        Slot& s = slot(node);
        if (s.state != NodeState::up && s.state != NodeState::shutting_down && s.state != NodeState::paused) return;
        push(Event{at, 0, 0, 0, static_cast<uint64_t>(peer), node, s.incarnation, EventKind::disconnect});
    }

    void notify_disconnect(NodeId id) {
        for (size_t p = 0; p < slots_.size(); ++p) {
            auto peer = static_cast<NodeId>(p);
            if (peer == id) continue;
            const Link& out = network_.link(id, peer);
            const Link& in = network_.link(peer, id);
            if (!out.used && !in.used) continue;
            network_.reset(id, peer);
            network_.reset(peer, id);
            if (out.blocked > 0) continue;  // the FIN/RST cannot reach the peer
            Slot& ps = slots_[p];
            if (ps.state != NodeState::up && ps.state != NodeState::shutting_down && ps.state != NodeState::paused)
                continue;
            push(Event{now_ + network_.options().latency_min, 0, 0, 0, static_cast<uint64_t>(id), peer, ps.incarnation,
                       EventKind::disconnect});
        }
    }

    uint64_t seed_;
    Time now_;
    uint64_t next_seq_ = 0;
    uint64_t events_processed_ = 0;
    Network network_;
    HoldFn hold_;
    Trace<Ev> trace_;
    std::vector<std::string> names_;
    std::vector<Slot> slots_;
    std::vector<Event> heap_;
    std::vector<std::unique_ptr<Node<Msg, Ev>>> retired_;  // stopped nodes, destroyed at the next step
    std::vector<InFlight> msgs_;
    std::vector<uint32_t> free_msgs_;
    std::vector<std::function<void()>> callbacks_;
    std::vector<uint32_t> free_callbacks_;
    std::vector<TimerSlot> timers_;
    std::vector<uint32_t> free_timers_;
    Duration os_flush_interval_ = seconds(5);
    bool flush_scheduled_ = false;
};

}  // namespace sim
