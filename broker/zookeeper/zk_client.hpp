// A ZooKeeper client session as Kafka's ZooKeeperClient uses one, embedded in a host node (a
// broker). Pure handler, like RaftReplica: the host forwards ZooKeeper messages, its timers,
// and disconnects, and gets results through callbacks run inside those calls.
//
//   ZkClient zk(broker_id, {1, 2, 3}, config.zookeeper_session_timeout_ms, directory, timer_space(TimerComponent::zk_client));
//   zk.set_session_listener([&](ZkSessionEvent e, Context& ctx) { ... });
//   zk.set_watcher([&](const ZkWatchEvent& e, Context& ctx) { ... });
//   zk.start(ctx);                                         // Node::on_start
//   zk.create("/brokers/ids/1", data, ZkCreateMode::ephemeral, [&](const ZkResult& r, Context& ctx) {...}, ctx);
//   if (zk.handle_message(from, msg, ctx)) ...             // Node::on_message
//   if (zk.handle_timer(tag, ctx)) ...                     // Node::on_timer
//   zk.handle_disconnect(peer, ctx);                       // Node::on_disconnect
//
// What is modelled (ClientCnxn + Kafka's ZooKeeperClient / KafkaZkClient):
// - Connects to a random server of the ensemble; pings every timeout/3; a server silent for
//   2/3 of the timeout (the read timeout), a refused connection, or a disconnect makes it try
//   the next server (in a shuffled order, as HostProvider does). The session lives on: it
//   re-attaches with its session id and last zxid seen.
// - A partitioned client does not know its session expired until a server tells it so on
//   reconnect. Then the session listener hears `expired`, pending operations fail with
//   SESSIONEXPIRED, watches are gone, and the client opens a new session at once (Kafka's
//   ZooKeeperClient.reinitialize) and the listener hears `connected` with new_session.
// - Operations issued while disconnected wait for the connection; operations in flight when
//   the connection is lost are sent again once connected (KafkaZkClient's
//   retryRequestsUntilConnected), so a create may answer NODEEXISTS for its own earlier try.
//   Results come back in the order the operations were issued.
// - Watches are one-shot and per path and kind (data/exists, children), re-registered with
//   SetWatches after a reconnect.
//
// - The connection is a TCP connection: requests and replies are numbered on it (seq), and a
//   message the network dropped breaks it (the client reconnects and resends), as does a
//   CONNECTIONLOSS reply (the server closed it: it left the broadcast phase, expired the
//   session, or saw the session move).
//
// How it behaves, for the host:
// - With every server down or unreachable it keeps trying: one server after the other, each
//   attempt given timeout / servers (ClientCnxn's connect timeout), and a 1 s pause after each
//   full round (StaticHostProvider's spin delay). Operations wait meanwhile; listener events:
//   `disconnected` once when the connection is lost, nothing more until a server answers.
// - Callbacks, the listener and the watcher run inside start/handle_*/close calls (never inside
//   an operation call) and may issue operations or call close() reentrantly. Results are
//   delivered from the front of the queue, one at a time, re-reading the queue after each
//   callback, so an operation issued from a callback is answered after the ones before it.
// - On expiry the new session's ConnectRequest is already sent when the listener hears
//   `expired`; the failed operations' callbacks (SESSIONEXPIRED) run after the listener;
//   operations issued from any of these go to the new session, whose `connected` (with
//   new_session() true) comes when the server answers.
// - close() sends closeSession (pending operations are dropped, their callbacks never run;
//   operations issued after close() too). connected() stays true until the server confirms;
//   then the listener hears `disconnected`. A host that calls ctx.exit() in the same handler
//   loses the request (the world drops what an exited process sent), and the session then
//   lives until the ensemble expires it: wait for `disconnected` (or a short timer) first.
//
// Trace kinds: zk_client_connected {server, session, new_session}, zk_client_disconnected
// {server, reason}, zk_client_session_expired {session}. Sessions print as "0x...".
#pragma once
#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "broker/timer_components.hpp"
#include "broker/world.hpp"
#include "broker/zookeeper/zk_protocol.hpp"

namespace kafka {

struct ZkResult {
    ZkCode code = ZkCode::ok;
    std::string data;
    ZkStat stat;
    std::vector<std::string> children;
    std::string created_path;
    std::vector<ZkCode> results;  // multi
    int64_t zxid = 0;
};

enum class ZkSessionEvent : uint8_t {
    connected,      // (re)connected to a server; new_session() says whether the session is new
    disconnected,   // lost the server; the session may still be alive
    expired,        // a server said the session expired: ephemerals and watches are gone
};
const char* to_string(ZkSessionEvent e);

class ZkClient {
public:
    using Callback = std::function<void(const ZkResult&, Context&)>;
    using Watcher = std::function<void(const ZkWatchEvent&, Context&)>;
    using SessionListener = std::function<void(ZkSessionEvent, Context&)>;
    static constexpr uint64_t timer_count = 4;  // kinds in its timer space
    // The messages handle_message takes (and always claims).
    template <class T>
    static constexpr bool handles = is_one_of<T, ZkConnectResponse, ZkResponse, ZkWatchEvent>;

    // owner_id: the Kafka id of the host (traces); servers: ZooKeeper server ids (directory.zookeepers).
    ZkClient(int32_t owner_id, std::vector<int32_t> servers, int64_t session_timeout_ms,
             const ClusterDirectory& directory, sim::TimerSpace timers);

    void set_session_listener(SessionListener l) { listener_ = std::move(l); }
    void set_watcher(Watcher w) { watcher_ = std::move(w); }

    void start(Context& ctx);                    // open a new session
    bool handle_message(sim::NodeId from, Message& msg, Context& ctx);
    bool handle_timer(uint64_t tag, Context& ctx);
    void handle_disconnect(sim::NodeId peer, Context& ctx);
    void close(Context& ctx);                    // closeSession: the ensemble deletes our ephemerals now

    void create(const std::string& path, std::string data, ZkCreateMode mode, Callback cb, Context& ctx);
    void remove(const std::string& path, int32_t version, Callback cb, Context& ctx);
    void set_data(const std::string& path, std::string data, int32_t version, Callback cb, Context& ctx);
    void get_data(const std::string& path, bool watch, Callback cb, Context& ctx);
    void get_children(const std::string& path, bool watch, Callback cb, Context& ctx);
    void exists(const std::string& path, bool watch, Callback cb, Context& ctx);
    // All or nothing: create/remove/set_data/check ops (Kafka's controller epoch CheckOp).
    void multi(std::vector<ZkOp> ops, Callback cb, Context& ctx);

    bool connected() const;
    int64_t session_id() const;        // 0 before the first session is established
    bool new_session() const;          // the last `connected` started a new session
    int32_t server() const;            // the server id connected to, -1 if none

private:
    // idle: before start(); backoff: waiting before the next round of servers; closing: the
    // closeSession request is in flight.
    enum class Phase : uint8_t { idle, backoff, connecting, connected, closing, closed };
    enum TimerKind : uint8_t { t_connect = 0, t_read = 1, t_ping = 2, t_backoff = 3 };
    static constexpr int64_t spin_delay_ms = 1000;  // StaticHostProvider: pause after trying every server

    struct Op {
        ZkOp op;
        Callback cb;
        int32_t xid = 0;    // on the current connection
        bool sent = false;  // on the current connection
        bool done = false;
        ZkResult result;
    };

    void issue(ZkOp op, Callback cb, Context& ctx);
    void read(ZkOp::Kind kind, const std::string& path, bool watch, Callback cb, Context& ctx);  // get_data, get_children, exists
    void send_op(Op& op, Context& ctx);
    void connect_next(Context& ctx, bool after_backoff);
    void on_connect_response(const ZkConnectResponse& r, Context& ctx);
    void on_response(ZkResponse& r, Context& ctx);
    void on_watch_event(const ZkWatchEvent& e, Context& ctx);
    void connection_lost(const char* reason, Context& ctx);
    void session_expired(Context& ctx);
    void finish_close(const char* reason, Context& ctx);
    void deliver(Context& ctx);
    void register_watch(const ZkOp& op, ZkCode code);
    int64_t timeout_ms() const { return negotiated_timeout_ms_ > 0 ? negotiated_timeout_ms_ : requested_timeout_ms_; }
    sim::Duration read_timeout() const;
    sim::Duration ping_interval() const;
    void arm(TimerKind kind, sim::Duration after, Context& ctx);
    void disarm(TimerKind kind, Context& ctx);

    int32_t owner_id_;
    std::vector<int32_t> servers_;  // shuffled at start (HostProvider)
    int64_t requested_timeout_ms_;
    const ClusterDirectory& directory_;
    sim::TimerSpace timer_space_;
    SessionListener listener_;
    Watcher watcher_;

    Phase phase_ = Phase::idle;
    size_t next_server_ = 0;
    size_t attempts_ = 0;  // connection attempts since the last successful one
    int32_t server_ = -1;  // the server being connected to or connected to
    sim::NodeId server_node_ = sim::no_node;
    int64_t session_id_ = 0;
    int64_t negotiated_timeout_ms_ = 0;
    int64_t last_zxid_seen_ = 0;
    bool new_session_ = false;
    int32_t next_xid_ = 1;
    int64_t send_seq_ = 0;  // on the current connection (see ZkRequest::seq)
    int64_t recv_seq_ = 0;
    int32_t close_xid_ = 0;
    sim::Time last_recv_;
    sim::Time last_send_;
    std::deque<Op> ops_;  // in issue order; answered from the front
    bool delivering_ = false;
    std::set<std::string> data_watches_, exist_watches_, child_watches_;  // ZKWatchManager
    std::array<sim::TimerId, timer_count> timers_{};
};

}  // namespace kafka
