#include "broker/zookeeper/zk_client.hpp"

#include <utility>

#include "broker/zookeeper/zk_server.hpp"

namespace kafka {

const char* to_string(ZkSessionEvent e) {
    switch (e) {
        case ZkSessionEvent::connected: return "connected";
        case ZkSessionEvent::disconnected: return "disconnected";
        case ZkSessionEvent::expired: return "expired";
    }
    return "?";
}

ZkClient::ZkClient(int32_t owner_id, std::vector<int32_t> servers, int64_t session_timeout_ms,
                   const ClusterDirectory& directory, sim::TimerSpace timers)
    : owner_id_(owner_id),
      servers_(std::move(servers)),
      requested_timeout_ms_(session_timeout_ms),
      directory_(directory),
      timer_space_(timers) {}

bool ZkClient::connected() const { return phase_ == Phase::connected || phase_ == Phase::closing; }
int64_t ZkClient::session_id() const { return session_id_; }
bool ZkClient::new_session() const { return new_session_; }
int32_t ZkClient::server() const { return connected() ? server_ : -1; }

sim::Duration ZkClient::read_timeout() const {
    return sim::milliseconds(std::max<int64_t>(1, timeout_ms() * 2 / 3));  // ClientCnxn readTimeout
}
sim::Duration ZkClient::ping_interval() const {
    return sim::milliseconds(std::max<int64_t>(1, timeout_ms() / 3));  // readTimeout / 2
}

void ZkClient::arm(TimerKind kind, sim::Duration after, Context& ctx) {
    if (timers_[kind].valid()) ctx.cancel_timer(timers_[kind]);
    timers_[kind] = ctx.set_timer(after, timer_space_.tag(kind));
}

void ZkClient::disarm(TimerKind kind, Context& ctx) {
    if (timers_[kind].valid()) ctx.cancel_timer(timers_[kind]);
}

// ------------------------------------------------------------------------------------ connection

void ZkClient::start(Context& ctx) {
    if (phase_ != Phase::idle) return;
    // StaticHostProvider shuffles the connect string once.
    for (size_t i = servers_.size(); i > 1; --i) std::swap(servers_[i - 1], servers_[ctx.rng().below(i)]);
    connect_next(ctx, false);
}

void ZkClient::connect_next(Context& ctx, bool after_backoff) {
    if (servers_.empty()) return;
    disarm(t_connect, ctx);
    disarm(t_read, ctx);
    disarm(t_ping, ctx);
    if (!after_backoff && attempts_ > 0 && attempts_ % servers_.size() == 0) {
        phase_ = Phase::backoff;  // tried every server: spin delay before the next round
        arm(t_backoff, sim::milliseconds(spin_delay_ms), ctx);
        return;
    }
    server_ = servers_[next_server_ % servers_.size()];
    ++next_server_;
    ++attempts_;
    server_node_ = directory_.zookeeper_node(server_);
    phase_ = Phase::connecting;
    ZkConnectRequest req;
    req.client_id = owner_id_;
    req.session_id = session_id_;
    req.timeout_ms = requested_timeout_ms_;
    req.last_zxid_seen = last_zxid_seen_;
    if (server_node_ != sim::no_node) ctx.send(server_node_, req);
    last_send_ = ctx.now();
    // ClientCnxn: connectTimeout = sessionTimeout / number of servers.
    arm(t_connect, sim::milliseconds(std::max<int64_t>(1, timeout_ms() / static_cast<int64_t>(servers_.size()))),
        ctx);
}

void ZkClient::on_connect_response(const ZkConnectResponse& r, Context& ctx) {
    disarm(t_connect, ctx);
    if (r.refused || (r.session_id == 0 && session_id_ == 0)) {
        connect_next(ctx, false);
        return;
    }
    if (r.session_id == 0) {
        session_expired(ctx);
        return;
    }
    new_session_ = session_id_ != r.session_id;
    session_id_ = r.session_id;
    negotiated_timeout_ms_ = r.timeout_ms;
    phase_ = Phase::connected;
    attempts_ = 0;
    send_seq_ = 0;
    recv_seq_ = 0;
    last_recv_ = ctx.now();
    ctx.emit(ZkClientConnected{.server = server_, .session = zk_session_hex(session_id_), .new_session = new_session_});
    if (!new_session_ && (!data_watches_.empty() || !exist_watches_.empty() || !child_watches_.empty())) {
        ZkSetWatches sw;
        sw.session_id = session_id_;
        sw.relative_zxid = last_zxid_seen_;
        sw.data_watches.assign(data_watches_.begin(), data_watches_.end());
        sw.exist_watches.assign(exist_watches_.begin(), exist_watches_.end());
        sw.child_watches.assign(child_watches_.begin(), child_watches_.end());
        sw.seq = ++send_seq_;
        ctx.send(server_node_, std::move(sw));
    }
    // Operations queued while disconnected, and those in flight when the last connection
    // broke, go out again in issue order.
    for (Op& op : ops_)
        if (!op.sent && !op.done) send_op(op, ctx);
    last_send_ = ctx.now();
    arm(t_read, read_timeout(), ctx);
    arm(t_ping, ping_interval(), ctx);
    if (listener_) listener_(ZkSessionEvent::connected, ctx);
}

void ZkClient::connection_lost(const char* reason, Context& ctx) {
    if (phase_ == Phase::closing) {
        finish_close(reason, ctx);
        return;
    }
    const bool was_connected = phase_ == Phase::connected;
    if (was_connected) ctx.emit(ZkClientDisconnected{.server = server_, .reason = reason});
    for (Op& op : ops_) op.sent = false;
    connect_next(ctx, false);
    if (was_connected && listener_) listener_(ZkSessionEvent::disconnected, ctx);
}

void ZkClient::session_expired(Context& ctx) {
    ctx.emit(ZkClientSessionExpired{.session = zk_session_hex(session_id_)});
    // Kafka's ZooKeeperClient.reinitialize: the old handle is dead; a new one opens a new
    // session at once, on the server that just answered (it is serving).
    session_id_ = 0;
    negotiated_timeout_ms_ = 0;
    last_zxid_seen_ = 0;
    new_session_ = false;
    data_watches_.clear();
    exist_watches_.clear();
    child_watches_.clear();
    std::deque<Op> failed;
    failed.swap(ops_);
    --next_server_;  // the same server again
    attempts_ = 0;
    connect_next(ctx, false);
    if (listener_) listener_(ZkSessionEvent::expired, ctx);
    for (Op& op : failed) {
        ZkResult r;
        r.code = ZkCode::session_expired;
        if (op.cb) op.cb(r, ctx);
    }
}

void ZkClient::finish_close(const char* reason, Context& ctx) {
    disarm(t_connect, ctx);
    disarm(t_read, ctx);
    disarm(t_ping, ctx);
    disarm(t_backoff, ctx);
    phase_ = Phase::closed;
    ctx.emit(ZkClientDisconnected{.server = server_, .reason = reason});
    if (listener_) listener_(ZkSessionEvent::disconnected, ctx);
}

void ZkClient::close(Context& ctx) {
    if (phase_ == Phase::closed || phase_ == Phase::closing) return;
    ops_.clear();  // the handle is closed: what was pending is never answered
    if (phase_ != Phase::connected) {
        disarm(t_connect, ctx);
        disarm(t_read, ctx);
        disarm(t_ping, ctx);
        disarm(t_backoff, ctx);
        phase_ = Phase::closed;
        return;
    }
    phase_ = Phase::closing;
    disarm(t_ping, ctx);
    close_xid_ = next_xid_++;
    ZkRequest req;
    req.session_id = session_id_;
    req.xid = close_xid_;
    req.close_session = true;
    req.seq = ++send_seq_;
    ctx.send(server_node_, std::move(req));
    arm(t_read, read_timeout(), ctx);
}

// ------------------------------------------------------------------------------------ messages

bool ZkClient::handle_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (auto* c = std::get_if<ZkConnectResponse>(&msg)) {
        if (phase_ == Phase::connecting && from == server_node_) on_connect_response(*c, ctx);
        return true;
    }
    if (auto* r = std::get_if<ZkResponse>(&msg)) {
        if (from != server_node_) return true;  // an earlier connection's
        if (phase_ == Phase::connected || phase_ == Phase::closing) on_response(*r, ctx);
        else if (phase_ == Phase::connecting && r->code == ZkCode::connection_loss) connect_next(ctx, false);
        return true;
    }
    if (auto* w = std::get_if<ZkWatchEvent>(&msg)) {
        if (phase_ == Phase::connected && from == server_node_) on_watch_event(*w, ctx);
        return true;
    }
    return false;
}

void ZkClient::handle_disconnect(sim::NodeId peer, Context& ctx) {
    if (peer != server_node_) return;
    if (phase_ == Phase::connecting || phase_ == Phase::connected || phase_ == Phase::closing)
        connection_lost("connection closed", ctx);
}

bool ZkClient::handle_timer(uint64_t tag, Context& ctx) {
    if (!timer_space_.owns(tag) || sim::TimerSpace::kind_of(tag) >= timer_count) return false;
    auto kind = static_cast<TimerKind>(sim::TimerSpace::kind_of(tag));
    timers_[kind] = sim::TimerId{};
    const sim::Time now = ctx.now();
    switch (kind) {
        case t_connect:
            if (phase_ == Phase::connecting) connect_next(ctx, false);
            break;
        case t_read:
            if (phase_ == Phase::closing) {
                finish_close("close timed out", ctx);
            } else if (phase_ == Phase::connected) {
                if (now - last_recv_ >= read_timeout()) connection_lost("read timeout", ctx);
                else arm(t_read, last_recv_ + read_timeout() - now, ctx);
            }
            break;
        case t_ping:
            if (phase_ == Phase::connected) {
                if (now - last_send_ >= ping_interval()) {
                    ZkRequest ping;
                    ping.session_id = session_id_;
                    ping.xid = -2;
                    ping.ping = true;
                    ping.seq = ++send_seq_;
                    ctx.send(server_node_, std::move(ping));
                    last_send_ = now;
                }
                arm(t_ping, last_send_ + ping_interval() - now, ctx);
            }
            break;
        case t_backoff:
            if (phase_ == Phase::backoff) connect_next(ctx, true);
            break;
    }
    return true;
}

void ZkClient::on_response(ZkResponse& r, Context& ctx) {
    last_recv_ = ctx.now();
    if (r.zxid > last_zxid_seen_) last_zxid_seen_ = r.zxid;
    if (r.code == ZkCode::connection_loss) {  // the server closed the connection
        connection_lost("server closed the connection", ctx);
        return;
    }
    if (r.seq != recv_seq_ + 1) {
        connection_lost("lost a packet from the server", ctx);
        return;
    }
    recv_seq_ = r.seq;
    if (phase_ == Phase::closing) {
        if (r.xid == close_xid_) finish_close("closed", ctx);
        return;
    }
    if (r.xid == -2) return;  // ping
    for (Op& op : ops_) {
        if (!op.sent || op.done || op.xid != r.xid) continue;
        op.done = true;
        ZkResult& res = op.result;
        res.code = r.code;
        res.data = std::move(r.data);
        res.stat = r.stat;
        res.children = std::move(r.children);
        res.created_path = std::move(r.created_path);
        res.results = std::move(r.results);
        res.zxid = r.zxid;
        register_watch(op.op, r.code);
        break;
    }
    deliver(ctx);
}

void ZkClient::register_watch(const ZkOp& op, ZkCode code) {
    if (!op.watch) return;
    switch (op.kind) {
        case ZkOp::Kind::get_data:
            if (code == ZkCode::ok) data_watches_.insert(op.path);
            break;
        case ZkOp::Kind::exists:
            if (code == ZkCode::ok) data_watches_.insert(op.path);
            else if (code == ZkCode::no_node) exist_watches_.insert(op.path);
            break;
        case ZkOp::Kind::get_children:
            if (code == ZkCode::ok) child_watches_.insert(op.path);
            break;
        default: break;
    }
}

void ZkClient::on_watch_event(const ZkWatchEvent& e, Context& ctx) {
    last_recv_ = ctx.now();
    if (e.seq != recv_seq_ + 1) {
        connection_lost("lost a packet from the server", ctx);
        return;
    }
    recv_seq_ = e.seq;
    bool registered = false;
    switch (e.type) {
        case ZkEventType::node_created:
        case ZkEventType::node_data_changed:
            registered |= data_watches_.erase(e.path) != 0;
            registered |= exist_watches_.erase(e.path) != 0;
            break;
        case ZkEventType::node_children_changed: registered |= child_watches_.erase(e.path) != 0; break;
        case ZkEventType::node_deleted:
            registered |= data_watches_.erase(e.path) != 0;
            registered |= exist_watches_.erase(e.path) != 0;
            registered |= child_watches_.erase(e.path) != 0;
            break;
        case ZkEventType::none: break;
    }
    if (registered && watcher_) {
        ZkWatchEvent copy = e;
        watcher_(copy, ctx);
    }
}

// ------------------------------------------------------------------------------------ operations

void ZkClient::deliver(Context& ctx) {
    if (delivering_) return;  // a callback issued or finished something: the outer loop goes on
    delivering_ = true;
    while (!ops_.empty() && ops_.front().done) {
        Op op = std::move(ops_.front());
        ops_.pop_front();
        if (op.cb) op.cb(op.result, ctx);
    }
    delivering_ = false;
}

void ZkClient::send_op(Op& op, Context& ctx) {
    op.xid = next_xid_++;
    op.sent = true;
    ZkRequest req;
    req.session_id = session_id_;
    req.xid = op.xid;
    req.op = op.op;
    req.seq = ++send_seq_;
    ctx.send(server_node_, std::move(req));
    last_send_ = ctx.now();
}

void ZkClient::issue(ZkOp op, Callback cb, Context& ctx) {
    Op o;
    o.op = std::move(op);
    o.cb = std::move(cb);
    ops_.push_back(std::move(o));
    if (phase_ == Phase::connected) send_op(ops_.back(), ctx);
    else if (phase_ == Phase::closing || phase_ == Phase::closed) ops_.pop_back();  // a closed handle
}

void ZkClient::create(const std::string& path, std::string data, ZkCreateMode mode, Callback cb, Context& ctx) {
    ZkOp op;
    op.kind = ZkOp::Kind::create;
    op.path = path;
    op.data = std::move(data);
    op.mode = mode;
    issue(std::move(op), std::move(cb), ctx);
}

void ZkClient::remove(const std::string& path, int32_t version, Callback cb, Context& ctx) {
    ZkOp op;
    op.kind = ZkOp::Kind::remove;
    op.path = path;
    op.version = version;
    issue(std::move(op), std::move(cb), ctx);
}

void ZkClient::set_data(const std::string& path, std::string data, int32_t version, Callback cb, Context& ctx) {
    ZkOp op;
    op.kind = ZkOp::Kind::set_data;
    op.path = path;
    op.data = std::move(data);
    op.version = version;
    issue(std::move(op), std::move(cb), ctx);
}

void ZkClient::read(ZkOp::Kind kind, const std::string& path, bool watch, Callback cb, Context& ctx) {
    ZkOp op;
    op.kind = kind;
    op.path = path;
    op.watch = watch;
    issue(std::move(op), std::move(cb), ctx);
}

void ZkClient::get_data(const std::string& path, bool watch, Callback cb, Context& ctx) {
    read(ZkOp::Kind::get_data, path, watch, std::move(cb), ctx);
}

void ZkClient::get_children(const std::string& path, bool watch, Callback cb, Context& ctx) {
    read(ZkOp::Kind::get_children, path, watch, std::move(cb), ctx);
}

void ZkClient::exists(const std::string& path, bool watch, Callback cb, Context& ctx) {
    read(ZkOp::Kind::exists, path, watch, std::move(cb), ctx);
}

void ZkClient::multi(std::vector<ZkOp> ops, Callback cb, Context& ctx) {
    ZkOp op;
    op.kind = ZkOp::Kind::multi;
    op.ops = std::move(ops);
    issue(std::move(op), std::move(cb), ctx);
}

}  // namespace kafka
