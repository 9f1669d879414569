#include "broker/controller/zk_controller.hpp"

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <tuple>

#include "broker/controller/quorum_controller.hpp"
#include "broker/controller/replica_placement.hpp"

namespace kafka {

namespace {

constexpr uint64_t timer_register_retry = 0;
constexpr uint64_t timer_channel = 1;
constexpr uint64_t timer_auto_rebalance = 2;
constexpr uint64_t timer_admin_timeout = 3;  // value: the pending reply's serial
constexpr int64_t first_rebalance_check_ms = 5000;  // onControllerFailover: scheduleAutoLeaderRebalanceTask(5 s)
constexpr int64_t register_retry_ms = 1000;
constexpr int64_t channel_backoff_ms = 100;  // RequestSendThread's reconnect backoff
constexpr int max_state_write_attempts = 5;

bool contains_id(const std::vector<BrokerId>& ids, BrokerId b) { return std::find(ids.begin(), ids.end(), b) != ids.end(); }

// Counts answers of pipelined operations and runs `then` after the last one.
struct Countdown {
    size_t remaining;
    std::function<void(Context&)> then;
    void one(Context& ctx) {
        if (--remaining == 0) then(ctx);
    }
};

}  // namespace

ZkController::ZkController(BrokerId id, const BrokerConfig& config, const ClusterDirectory& directory, ZkClient& zk,
                           const MetadataImage& image, sim::TimerSpace timers)
    : id_(id), config_(config), directory_(directory), zk_(zk), image_(image), timer_space_(timers) {}

// ------------------------------------------------------------------------------ inputs

void ZkController::on_session_event(ZkSessionEvent e, Context& ctx) {
    switch (e) {
        case ZkSessionEvent::connected:
            if (zk_.new_session()) enqueue(Event{EventKind::register_and_elect}, ctx);
            return;
        case ZkSessionEvent::expired:
            // Queued behind whatever is already waiting: those events still run as if this
            // broker were the controller (the zombie window that KAFKA-6082 fenced).
            enqueue(Event{EventKind::expire}, ctx);
            return;
        case ZkSessionEvent::disconnected:
            return;
    }
}

void ZkController::on_watch(const ZkWatchEvent& e, Context& ctx) {
    if (e.path == zkdata::controller_path) {
        enqueue(Event{e.type == ZkEventType::node_deleted ? EventKind::reelect : EventKind::controller_change}, ctx);
    } else if (e.path == zkdata::broker_ids_path) {
        enqueue(Event{EventKind::broker_change}, ctx);
    } else if (e.path == zkdata::topics_path) {
        enqueue(Event{EventKind::topic_change}, ctx);
    } else if (e.path == zkdata::isr_change_path) {
        enqueue(Event{EventKind::isr_change}, ctx);
    } else if (e.path == zkdata::delete_topics_path) {
        enqueue(Event{EventKind::topic_deletion}, ctx);
    } else if (e.type == ZkEventType::node_data_changed && e.path.rfind(zkdata::topics_path + "/", 0) == 0 &&
               e.path.find('/', zkdata::topics_path.size() + 1) == std::string::npos) {
        // PartitionModificationsHandler: the topic's assignment changed (partitions added).
        Event ev{EventKind::partition_modifications};
        ev.topic = e.path.substr(zkdata::topics_path.size() + 1);
        enqueue(std::move(ev), ctx);
    }
}

bool ZkController::handle_message(sim::NodeId from, Message& msg, Context& ctx) {
    if (std::holds_alternative<ControlledShutdownRequest>(msg)) {
        enqueue(Event{EventKind::controlled_shutdown, from, std::move(msg)}, ctx);
        return true;
    }
    if (std::holds_alternative<CreateTopicsRequest>(msg)) {
        enqueue(Event{EventKind::create_topics, from, std::move(msg)}, ctx);
        return true;
    }
    if (std::holds_alternative<DeleteTopicsRequest>(msg) || std::holds_alternative<CreatePartitionsRequest>(msg) ||
        std::holds_alternative<IncrementalAlterConfigsRequest>(msg) || std::holds_alternative<ElectLeadersRequest>(msg) ||
        std::holds_alternative<AlterPartitionReassignmentsRequest>(msg) ||
        std::holds_alternative<ListPartitionReassignmentsRequest>(msg)) {
        enqueue(Event{EventKind::admin_request, from, std::move(msg)}, ctx);
        return true;
    }
    if (auto* r = std::get_if<StopReplicaResponse>(&msg)) {
        channel_answered(from, r->correlation_id, ctx, &msg);
        return true;
    }
    if (auto* r = std::get_if<LeaderAndIsrResponse>(&msg)) {
        channel_answered(from, r->correlation_id, ctx);
        return true;
    }
    if (auto* r = std::get_if<UpdateMetadataResponse>(&msg)) {
        channel_answered(from, r->correlation_id, ctx);
        return true;
    }
    return false;
}

bool ZkController::handle_timer(uint64_t t, Context& ctx) {
    if (!timer_space_.owns(t)) return false;
    uint64_t kind = sim::TimerSpace::kind_of(t);
    auto id = static_cast<BrokerId>(sim::TimerSpace::value_of(t));
    if (kind == timer_register_retry) {
        enqueue(Event{EventKind::register_and_elect}, ctx);
    } else if (kind == timer_admin_timeout) {
        auto it = pending_admin_.find(sim::TimerSpace::value_of(t));
        if (it == pending_admin_.end()) return true;
        auto reply = std::move(it->second.reply);
        pending_admin_.erase(it);
        reply(ctx);  // it reads the metadata as it is now: what did not happen is REQUEST_TIMED_OUT
    } else if (kind == timer_auto_rebalance) {
        rebalance_timer_ = sim::TimerId{};
        enqueue(Event{EventKind::auto_leader_rebalance}, ctx);
    } else if (kind == timer_channel) {
        auto it = channels_.find(id);
        if (it == channels_.end()) return true;
        it->second.timer = sim::TimerId{};
        it->second.in_flight = 0;  // timed out or backed off: send the head again
        channel_pump(id, ctx);
    }
    return true;
}

void ZkController::on_disconnect(sim::NodeId peer, Context& ctx) {
    for (auto& [b, ch] : channels_) {
        if (directory_.broker_node(b) != peer || ch.in_flight == 0) continue;
        ctx.cancel_timer(ch.timer);
        ch.timer = ctx.set_timer(sim::milliseconds(channel_backoff_ms), tag(timer_channel, static_cast<uint64_t>(b)));
    }
}

// ------------------------------------------------------------------------------ event queue

void ZkController::enqueue(Event e, Context& ctx) {
    queue_.push_back(std::move(e));
    pump(ctx);
}

void ZkController::pump(Context& ctx) {
    while (!busy_ && !queue_.empty()) {
        busy_ = true;
        Event e = std::move(queue_.front());
        queue_.pop_front();
        process(e, ctx);
    }
}

void ZkController::done(Context& ctx) {
    busy_ = false;
    pump(ctx);
}

void ZkController::process(Event& e, Context& ctx) {
    switch (e.kind) {
        case EventKind::register_and_elect:
            register_broker(ctx, [this](Context& c) { elect(c); });
            return;
        case EventKind::expire:
            broker_epoch_ = -1;
            outcome_.broker_epoch = broker_epoch_;
            if (active_) resign("session expired", ctx);
            done(ctx);
            return;
        case EventKind::reelect:
            if (active_) resign("/controller deleted", ctx);
            elect(ctx);
            return;
        case EventKind::controller_change:
            zk_.exists(zkdata::controller_path, true, [this](const ZkResult& r, Context& c) {
                if (r.code != ZkCode::ok) {
                    known_controller_ = -1;
                    done(c);
                    return;
                }
                zk_.get_data(zkdata::controller_path, false, [this](const ZkResult& d, Context& c2) {
                    known_controller_ = d.code == ZkCode::ok ? zkdata::decode_controller(d.data).value_or(-1) : -1;
                    if (active_ && known_controller_ != id_) resign("/controller changed hands", c2);
                    done(c2);
                }, c);
            }, ctx);
            return;
        case EventKind::broker_change:
            if (!active_) return done(ctx);
            read_brokers(ctx, [this](std::map<BrokerId, int64_t> now_live, Context& c) {
                if (!active_) return done(c);
                std::set<BrokerId> dead, started;
                for (const auto& [b, epoch] : live_) {
                    auto it = now_live.find(b);
                    if (it == now_live.end()) dead.insert(b);
                    else if (it->second != epoch) { dead.insert(b); started.insert(b); }  // bounced
                }
                for (const auto& [b, epoch] : now_live)
                    if (!live_.count(b)) started.insert(b);
                if (dead.empty() && started.empty()) return done(c);
                std::vector<BrokerId> live_ids;
                for (const auto& [b, epoch] : now_live) live_ids.push_back(b);
                c.emit(ZkBrokerChange{.live = live_ids,
                                      .dead = IdList(dead.begin(), dead.end()),
                                      .started = IdList(started.begin(), started.end())});
                for (BrokerId b : dead) {
                    live_.erase(b);
                    shutting_down_.erase(b);
                    auto ch = channels_.find(b);
                    if (ch != channels_.end()) {
                        c.cancel_timer(ch->second.timer);
                        channels_.erase(ch);
                    }
                }
                // TopicDeletionManager.failReplicaDeletion: replicas of topics being deleted on a
                // dead broker cannot be deleted now; their topics stall.
                for (const std::string& name : to_delete_) {
                    const TopicInfo* t = topic(name);
                    if (t == nullptr) continue;
                    auto& states = replica_deletion_[name];
                    for (size_t p = 0; p < t->partitions.size(); ++p)
                        for (BrokerId b : t->partitions[p].replicas) {
                            if (!dead.count(b)) continue;
                            auto key = std::make_pair(static_cast<int32_t>(p), b);
                            auto it = states.find(key);
                            if (it != states.end() && it->second == ReplicaDeletion::successful) continue;
                            states[key] = ReplicaDeletion::ineligible;
                            deletion_ineligible_.insert(name);
                        }
                }
                on_brokers_failed(dead, c, [this, now_live, started](Context& c2) {
                    if (!active_) return done(c2);
                    for (BrokerId b : started) live_[b] = now_live.at(b);
                    // onBrokerStartup: deletion of topics with replicas on the new brokers resumes.
                    for (const std::string& name : to_delete_)
                        if (const TopicInfo* t = topic(name))
                            for (const PartitionInfo& p : t->partitions)
                                for (BrokerId b : p.replicas)
                                    if (started.count(b)) deletion_ineligible_.erase(name);
                    on_brokers_started(started, c2, [this](Context& c3) {
                        resume_deletions(c3, [this](Context& c4) { done(c4); });
                    });
                });
            });
            return;
        case EventKind::topic_change:
            if (!active_) return done(ctx);
            zk_.get_children(zkdata::topics_path, true, [this](const ZkResult& r, Context& c) {
                if (!active_ || r.code != ZkCode::ok) return done(c);
                std::vector<std::string> fresh;
                for (const auto& name : r.children)
                    if (!topics_.count(name)) fresh.push_back(name);
                if (fresh.empty()) return done(c);
                read_topics(fresh, c, [this, fresh](Context& c2) {
                    create_partitions(fresh, c2, [this](Context& c3) { done(c3); });
                });
            }, ctx);
            return;
        case EventKind::isr_change:
            if (!active_) return done(ctx);
            handle_isr_changes(ctx);
            return;
        case EventKind::controlled_shutdown:
            handle_controlled_shutdown(e.from, std::get<ControlledShutdownRequest>(e.request), ctx);
            return;
        case EventKind::create_topics:
            handle_create_topics(e.from, std::get<CreateTopicsRequest>(e.request), ctx);
            return;
        case EventKind::topic_deletion:
            if (!active_) return done(ctx);
            on_topic_deletion_event(ctx);
            return;
        case EventKind::stop_replica_answered:
            if (!active_) return done(ctx);
            on_stop_replica_answered(e.broker, std::get<StopReplicaResponse>(e.request), ctx);
            return;
        case EventKind::partition_modifications:
            if (!active_) return done(ctx);
            on_partition_modifications(e.topic, ctx);
            return;
        case EventKind::topic_config:
            if (!active_) return done(ctx);
            on_topic_config(e.topic, e.configs, ctx);
            return;
        case EventKind::admin_request:
            handle_admin(e.from, e.request, ctx);
            return;
        case EventKind::auto_leader_rebalance:
            if (!active_) return done(ctx);
            // The next check is scheduled whatever this one does (the `finally` of
            // KafkaController.processAutoPreferredReplicaLeaderElection).
            rebalance_timer_ =
                ctx.set_timer(sim::seconds(config_.leader_imbalance_check_interval_seconds), tag(timer_auto_rebalance));
            check_leader_imbalance(ctx);
            return;
    }
}

// ------------------------------------------------------------------------------ registration and election

void ZkController::register_broker(Context& ctx, std::function<void(Context&)> then) {
    auto do_register = [this, then](Context& c) {
        zk_.create(zkdata::broker_path(id_), zkdata::encode_broker(id_, c.now().ms()), ZkCreateMode::ephemeral,
                   [this, then](const ZkResult& r, Context& c2) {
                       auto registered = [this, then](int64_t czxid, Context& c3) {
                           broker_epoch_ = czxid;
                           outcome_.broker_epoch = broker_epoch_;
                           c3.emit(ZkBrokerRegistered{.broker = id_, .broker_epoch = broker_epoch_});
                           then(c3);
                       };
                       if (r.code == ZkCode::ok) return registered(r.stat.czxid != 0 ? r.stat.czxid : r.zxid, c2);
                       // NODEEXISTS: ours (an earlier try of this create, resent after a lost
                       // connection) or a previous life's session that has not expired yet.
                       zk_.get_data(zkdata::broker_path(id_), false, [this, registered](const ZkResult& d, Context& c3) {
                           if (d.code == ZkCode::ok && d.stat.ephemeral_owner == zk_.session_id())
                               return registered(d.stat.czxid, c3);
                           // Kafka exits here ("node already exists and owner does not match
                           // current session"); its supervisor restarts it. The model waits and tries again.
                           c3.emit(ZkBrokerRegistrationConflict{.broker = id_,
                                                                .owner = static_cast<int64_t>(d.stat.ephemeral_owner)});
                           c3.set_timer(sim::milliseconds(register_retry_ms), tag(timer_register_retry));
                           done(c3);
                       }, c2);
                   }, c);
    };
    if (registered_once_) return do_register(ctx);
    registered_once_ = true;
    // KafkaZkClient.createTopLevelPaths: persistent parents, NODEEXISTS is fine.
    const auto& paths = zkdata::top_level_paths();
    auto left = std::make_shared<Countdown>(Countdown{paths.size(), do_register});
    for (const auto& p : paths)
        zk_.create(p, "", ZkCreateMode::persistent, [left](const ZkResult&, Context& c) { left->one(c); }, ctx);
}

void ZkController::elect(Context& ctx) {
    // KafkaController.elect: watch /controller, and try to become it if nobody is.
    zk_.exists(zkdata::controller_path, true, [this](const ZkResult& r, Context& c) {
        if (r.code == ZkCode::ok) {
            zk_.get_data(zkdata::controller_path, false, [this](const ZkResult& d, Context& c2) {
                known_controller_ = d.code == ZkCode::ok ? zkdata::decode_controller(d.data).value_or(-1) : -1;
                if (d.code == ZkCode::no_node) return elect(c2);  // gone in between: try again
                done(c2);
            }, c);
            return;
        }
        if (broker_epoch_ < 0) return done(c);  // not registered in this session
        zk_.get_data(zkdata::controller_epoch_path, false, [this](const ZkResult& e, Context& c2) {
            if (e.code == ZkCode::no_node) {
                // maybeCreateControllerEpochZNode
                zk_.create(zkdata::controller_epoch_path, zkdata::encode_controller_epoch(0), ZkCreateMode::persistent,
                           [this](const ZkResult&, Context& c3) { elect(c3); }, c2);
                return;
            }
            if (e.code != ZkCode::ok) return done(c2);
            int32_t current = zkdata::decode_controller_epoch(e.data).value_or(0);
            int32_t version = e.stat.version;
            std::vector<ZkOp> ops(2);
            ops[0].kind = ZkOp::Kind::create;
            ops[0].path = zkdata::controller_path;
            ops[0].data = zkdata::encode_controller(id_, c2.now().ms());
            ops[0].mode = ZkCreateMode::ephemeral;
            ops[1].kind = ZkOp::Kind::set_data;
            ops[1].path = zkdata::controller_epoch_path;
            ops[1].data = zkdata::encode_controller_epoch(current + 1);
            ops[1].version = version;
            zk_.multi(std::move(ops), [this, current, version](const ZkResult& m, Context& c3) {
                if (m.code == ZkCode::ok) {
                    active_ = true;
                    epoch_ = current + 1;
                    epoch_zk_version_ = version + 1;
                    known_controller_ = id_;
                    c3.emit(ZkControllerElected{.broker = id_, .epoch = epoch_});
                    on_controller_failover(c3);
                    return;
                }
                // NODEEXISTS / BADVERSION: someone else won (ControllerMovedException).
                zk_.get_data(zkdata::controller_path, false, [this](const ZkResult& d, Context& c4) {
                    known_controller_ = d.code == ZkCode::ok ? zkdata::decode_controller(d.data).value_or(-1) : -1;
                    done(c4);
                }, c3);
            }, c2);
        }, c);
    }, ctx);
}

void ZkController::resign(const char* reason, Context& ctx) {
    ctx.emit(ZkControllerResigned{.broker = id_, .epoch = epoch_, .reason = reason});
    active_ = false;
    for (auto& [b, ch] : channels_) ctx.cancel_timer(ch.timer);
    channels_.clear();
    live_.clear();
    topics_.clear();
    shutting_down_.clear();
    to_delete_.clear();
    deletion_ineligible_.clear();
    deletion_started_.clear();
    replica_deletion_.clear();
}

void ZkController::on_controller_failover(Context& ctx) {
    // Watches first, then the state they guard.
    zk_.get_children(zkdata::isr_change_path, true, [this](const ZkResult& n, Context& c) {
        // Notifications older than this failover are covered by reading every state below.
        if (n.code == ZkCode::ok)
            for (const auto& child : n.children)
                zk_.remove(zkdata::isr_change_path + "/" + child, -1, [](const ZkResult&, Context&) {}, c);
        read_brokers(c, [this](std::map<BrokerId, int64_t> live, Context& c2) {
            if (!active_) return done(c2);
            live_ = std::move(live);
            zk_.get_children(zkdata::topics_path, true, [this](const ZkResult& t, Context& c3) {
                if (!active_) return done(c3);
                std::vector<std::string> names = t.code == ZkCode::ok ? t.children : std::vector<std::string>{};
                read_topics(names, c3, [this, names](Context& c3b) {
                  // fetchTopicDeletionsInProgress: the topics queued for deletion, before any request goes out.
                  zk_.get_children(zkdata::delete_topics_path, true, [this, names](const ZkResult& d, Context& c4) {
                    if (!active_) return done(c4);
                    if (d.code == ZkCode::ok && config_.delete_topic_enable)
                        for (const auto& name : d.children)
                            if (topic(name) != nullptr) to_delete_.insert(name);
                    // Brokers still named as leader or in an ISR but not registered are dead.
                    std::set<BrokerId> dead;
                    for (const auto& [name, t] : topics_)
                        for (const auto& p : t.partitions) {
                            if (p.state.leader != no_leader && !is_live(p.state.leader)) dead.insert(p.state.leader);
                            for (BrokerId b : p.state.isr)
                                if (!is_live(b) && p.state.isr.size() > 1) dead.insert(b);
                        }
                    std::set<BrokerId> everyone;
                    for (const auto& [b, e] : live_) everyone.insert(b);
                    send_update_metadata(everyone, all_partitions(), c4);
                    send_leader_and_isr(all_partitions(), c4);
                    on_brokers_failed(dead, c4, [this, names](Context& c5) {
                        if (!active_) return done(c5);
                        // Topics whose partitions were never initialised (their creator lost its place).
                        create_partitions(names, c5, [this](Context& c6) {
                            if (!active_) return done(c6);
                            if (config_.auto_leader_rebalance_enable) {
                                c6.cancel_timer(rebalance_timer_);
                                rebalance_timer_ = c6.set_timer(sim::milliseconds(first_rebalance_check_ms),
                                                                tag(timer_auto_rebalance));
                            }
                            std::set<BrokerId> none;
                            on_brokers_started(none, c6, [this](Context& c7) {
                                // TopicDeletionManager.init: removes stale markers, resumes deletions.
                                on_topic_deletion_event(c7);
                            });
                        });
                    });
                  }, c3b);
                });
            }, c2);
        });
    }, ctx);
}

// ------------------------------------------------------------------------------ reading the context

void ZkController::read_brokers(Context& ctx, std::function<void(std::map<BrokerId, int64_t>, Context&)> then) {
    zk_.get_children(zkdata::broker_ids_path, true, [this, then](const ZkResult& r, Context& c) {
        auto result = std::make_shared<std::map<BrokerId, int64_t>>();
        if (r.code != ZkCode::ok || r.children.empty()) return then(*result, c);
        auto left = std::make_shared<Countdown>(Countdown{r.children.size(), [result, then](Context& c2) {
                                                              then(*result, c2);
                                                          }});
        for (const auto& child : r.children) {
            BrokerId b = static_cast<BrokerId>(std::stol(child));
            zk_.get_data(zkdata::broker_path(b), false, [result, left, b](const ZkResult& d, Context& c2) {
                if (d.code == ZkCode::ok) (*result)[b] = d.stat.czxid;
                left->one(c2);
            }, c);
        }
    }, ctx);
}

void ZkController::read_topics(const std::vector<std::string>& names, Context& ctx, std::function<void(Context&)> then) {
    if (names.empty()) return then(ctx);
    // Topic znode and config first, then every partition's state.
    auto left = std::make_shared<Countdown>(Countdown{names.size() * 2, [this, names, then](Context& c) {
        std::vector<PartitionKey> keys;
        for (const auto& n : names)
            if (const TopicInfo* t = topic(n))
                for (size_t p = 0; p < t->partitions.size(); ++p) keys.emplace_back(n, static_cast<int32_t>(p));
        read_states(keys, c, then);
    }});
    for (const auto& name : names) {
        // Watched: PartitionModificationsHandler (partitions added).
        zk_.get_data(zkdata::topic_path(name), true, [this, name, left](const ZkResult& r, Context& c) {
            if (r.code == ZkCode::ok) {
                if (auto t = zkdata::decode_topic(r.data)) {
                    TopicInfo& info = topics_[name];
                    info.name = name;
                    info.id = t->topic_id;
                    max_topic_id_ = std::max(max_topic_id_, t->topic_id);
                    info.partitions.resize(t->assignment.size());
                    for (size_t p = 0; p < t->assignment.size(); ++p) info.partitions[p].replicas = t->assignment[p];
                }
            }
            left->one(c);
        }, ctx);
        zk_.get_data(zkdata::topic_config_path(name), false, [this, name, left](const ZkResult& r, Context& c) {
            if (r.code == ZkCode::ok)
                if (auto cfg = zkdata::decode_topic_config(r.data)) topics_[name].configs = *cfg;
            left->one(c);
        }, ctx);
    }
}

void ZkController::read_states(const std::vector<PartitionKey>& keys, Context& ctx, std::function<void(Context&)> then) {
    if (keys.empty()) return then(ctx);
    auto left = std::make_shared<Countdown>(Countdown{keys.size(), then});
    for (const auto& [name, p] : keys) {
        zk_.get_data(zkdata::partition_state_path(name, p), false, [this, name = name, p = p, left](const ZkResult& r, Context& c) {
            TopicInfo* t = topic(name);
            if (t != nullptr && static_cast<size_t>(p) < t->partitions.size()) {
                PartitionInfo& info = t->partitions[static_cast<size_t>(p)];
                if (r.code == ZkCode::ok) {
                    if (auto s = zkdata::decode_partition_state(r.data)) {
                        info.state = *s;
                        info.zk_version = r.stat.version;
                    }
                } else if (r.code == ZkCode::no_node) {
                    info.zk_version = -1;
                }
            }
            left->one(c);
        }, ctx);
    }
}

ZkController::TopicInfo* ZkController::topic(const std::string& name) {
    auto it = topics_.find(name);
    return it == topics_.end() ? nullptr : &it->second;
}

std::vector<ZkController::PartitionKey> ZkController::all_partitions() const {
    std::vector<PartitionKey> out;
    for (const auto& [name, t] : topics_)
        for (size_t p = 0; p < t.partitions.size(); ++p)
            if (t.partitions[p].zk_version >= 0) out.emplace_back(name, static_cast<int32_t>(p));
    return out;
}

// ------------------------------------------------------------------------------ state changes

void ZkController::write(std::vector<ZkOp> ops, Context& ctx,
                         std::function<void(ZkCode, const ZkResult&, Context&)> then) {
    const bool fenced = config_.behaviour.controller_epoch_fencing;
    std::string path = ops.empty() ? std::string() : ops.front().path;
    if (fenced) {
        ZkOp check;
        check.kind = ZkOp::Kind::check;
        check.path = zkdata::controller_epoch_path;
        check.version = epoch_zk_version_;
        ops.insert(ops.begin(), std::move(check));
    }
    const int32_t epoch = epoch_;
    zk_.multi(std::move(ops), [this, fenced, epoch, path, then](const ZkResult& r, Context& c) {
        if (fenced && !r.results.empty() && r.results.front() != ZkCode::ok && r.results.front() != ZkCode::runtime_inconsistency) {
            // ControllerMovedException: the epoch znode moved on; this controller is a zombie.
            c.emit(ZkControllerWriteFenced{.broker = id_, .epoch = epoch, .path = path});
            if (active_ && epoch_ == epoch) resign("controller epoch zkVersion moved on (fenced)", c);
            return then(ZkCode::bad_version, r, c);
        }
        ZkCode code = r.code;
        // Report the first failing op of the caller's own ops (after the check).
        if (code != ZkCode::ok) {
            for (size_t i = fenced ? 1 : 0; i < r.results.size(); ++i)
                if (r.results[i] != ZkCode::ok && r.results[i] != ZkCode::runtime_inconsistency) {
                    code = r.results[i];
                    break;
                }
        } else {
            c.emit(ZkControllerWrite{.broker = id_, .epoch = epoch, .path = path, .fenced = fenced});
        }
        then(code, r, c);
    }, ctx);
}

std::optional<zkdata::PartitionStateZNode> ZkController::elect_leader(const TopicInfo& t, const PartitionInfo& p,
                                                                      const std::set<BrokerId>& exclude,
                                                                      bool force_unclean) const {
    auto usable = [&](BrokerId b) { return is_live(b) && !exclude.count(b) && !shutting_down_.count(b); };
    zkdata::PartitionStateZNode next = p.state;
    next.isr.clear();
    for (BrokerId b : p.state.isr)
        if (usable(b)) next.isr.push_back(b);
    next.leader = no_leader;
    for (BrokerId b : p.replicas)
        if (usable(b) && contains_id(next.isr, b)) {
            next.leader = b;
            break;
        }
    if (next.leader == no_leader) {
        if (!force_unclean && !TopicConfig::from(config_, t.configs).unclean_leader_election_enable) return std::nullopt;
        for (BrokerId b : p.replicas)
            if (usable(b)) {
                next.leader = b;  // unclean: a replica outside the ISR; committed data may be lost
                next.isr = {b};
                break;
            }
        if (next.leader == no_leader) return std::nullopt;
    }
    return next;
}

void ZkController::change_states(std::vector<PartitionKey> keys, Decide decide, const char* reason, Context& ctx,
                                 std::function<void(std::vector<PartitionKey>, Context&)> then, int attempt) {
    if (keys.empty()) return then({}, ctx);
    read_states(keys, ctx, [this, keys, decide, reason, then, attempt](Context& c) {
        if (!active_) return then({}, c);
        struct Round {
            std::vector<PartitionKey> changed, retry;
            size_t remaining = 0;
        };
        auto round = std::make_shared<Round>();
        auto finish = [this, round, decide, reason, then, attempt](Context& c2) {
            if (!round->retry.empty() && active_ && attempt + 1 < max_state_write_attempts) {
                auto changed = round->changed;
                change_states(round->retry, decide, reason, c2,
                              [changed, then](std::vector<PartitionKey> more, Context& c3) {
                                  more.insert(more.begin(), changed.begin(), changed.end());
                                  then(std::move(more), c3);
                              },
                              attempt + 1);
                return;
            }
            then(round->changed, c2);
        };
        std::vector<std::tuple<PartitionKey, zkdata::PartitionStateZNode, int32_t>> writes;
        for (const auto& key : keys) {
            TopicInfo* t = topic(key.first);
            if (t == nullptr || static_cast<size_t>(key.second) >= t->partitions.size()) continue;
            PartitionInfo& info = t->partitions[static_cast<size_t>(key.second)];
            if (info.zk_version < 0) continue;
            if (info.state.controller_epoch > epoch_) {
                // PartitionStateMachine: "the leader and isr path was already written by
                // another controller" — a newer controller owns this partition now.
                c.emit(ZkStateChangeAborted{.topic = key.first,
                                            .partition = key.second,
                                            .epoch = epoch_,
                                            .written_by_epoch = info.state.controller_epoch});
                continue;
            }
            std::optional<zkdata::PartitionStateZNode> next = decide(*t, info);
            if (!next) continue;
            next->leader_epoch = info.state.leader_epoch + 1;
            next->controller_epoch = epoch_;
            writes.emplace_back(key, *next, info.zk_version);
        }
        if (writes.empty()) return finish(c);
        round->remaining = writes.size();
        for (auto& [key, next, version] : writes) {
            ZkOp op;
            op.kind = ZkOp::Kind::set_data;
            op.path = zkdata::partition_state_path(key.first, key.second);
            op.data = zkdata::encode_partition_state(next);
            op.version = version;
            write({op}, c, [this, key = key, next = next, round, finish, reason](ZkCode code, const ZkResult&, Context& c2) {
                if (code == ZkCode::ok) {
                    if (TopicInfo* t = topic(key.first)) {
                        PartitionInfo& info = t->partitions[static_cast<size_t>(key.second)];
                        // Unclean: the new leader was not in the ISR it replaces (the
                        // controller's OfflinePartitionLeaderElectionStrategy fell back to any
                        // live replica because unclean.leader.election.enable allowed it).
                        const bool unclean = next.leader != no_leader && next.leader != info.state.leader &&
                                             !contains_id(info.state.isr, next.leader);
                        info.state = next;
                        ++info.zk_version;
                        round->changed.push_back(key);
                        c2.emit(ZkPartitionState{.topic = key.first,
                                                 .partition = key.second,
                                                 .leader = next.leader,
                                                 .leader_epoch = next.leader_epoch,
                                                 .isr = next.isr,
                                                 .reason = reason,
                                                 .unclean = unclean ? std::optional(true) : std::nullopt});
                    }
                } else if (code == ZkCode::bad_version && active_) {
                    round->retry.push_back(key);  // a leader changed the ISR meanwhile: read again
                }
                if (--round->remaining == 0) finish(c2);
            });
        }
    });
}

void ZkController::on_brokers_failed(const std::set<BrokerId>& dead, Context& ctx, std::function<void(Context&)> then) {
    if (dead.empty()) return then(ctx);
    std::vector<PartitionKey> keys;
    for (const auto& [name, t] : topics_)
        for (size_t p = 0; p < t.partitions.size(); ++p) {
            if (queued_for_deletion(name)) break;  // onReplicasBecomeOffline leaves them to the deletion
            const PartitionInfo& info = t.partitions[p];
            bool touched = dead.count(info.state.leader) != 0;
            for (BrokerId b : info.state.isr) touched = touched || dead.count(b) != 0;
            if (touched) keys.emplace_back(name, static_cast<int32_t>(p));
        }
    Decide decide = [this, dead](const TopicInfo& t, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        const zkdata::PartitionStateZNode& st = info.state;
        std::vector<BrokerId> remaining;
        for (BrokerId b : st.isr)
            if (!dead.count(b)) remaining.push_back(b);
        if (st.leader != no_leader && dead.count(st.leader)) {
            // OfflinePartition -> OnlinePartition (OfflinePartitionLeaderElectionStrategy).
            if (auto next = elect_leader(t, info, dead)) return next;
            // No replica can lead: leader -1, and the last ISR member stays in the ISR.
            zkdata::PartitionStateZNode next = st;
            next.leader = no_leader;
            next.isr = remaining.empty() ? std::vector<BrokerId>{st.leader} : remaining;
            return next;
        }
        if (remaining.size() == st.isr.size()) return std::nullopt;
        zkdata::PartitionStateZNode next = st;  // OfflineReplica: out of the ISR
        next.isr = remaining.empty() ? std::vector<BrokerId>{st.isr.back()} : remaining;
        if (next.isr == st.isr) return std::nullopt;
        return next;
    };
    change_states(keys, decide, "broker failure", ctx, [this, then](std::vector<PartitionKey> changed, Context& c) {
        announce(changed, c);
        then(c);
    });
}

void ZkController::on_brokers_started(const std::set<BrokerId>& started, Context& ctx, std::function<void(Context&)> then) {
    std::set<BrokerId> everyone;
    for (const auto& [b, e] : live_) everyone.insert(b);
    if (!started.empty()) {
        send_update_metadata(everyone, all_partitions(), ctx);
        // OnlineReplica: LeaderAndIsr for every partition with a replica on the new brokers.
        std::vector<PartitionKey> theirs;
        for (const auto& [name, t] : topics_)
            for (size_t p = 0; p < t.partitions.size(); ++p)
                for (BrokerId b : t.partitions[p].replicas)
                    if (started.count(b) && t.partitions[p].zk_version >= 0 && !queued_for_deletion(name)) {
                        theirs.emplace_back(name, static_cast<int32_t>(p));
                        break;
                    }
        send_leader_and_isr(theirs, ctx, &started);
    }
    // triggerOnlinePartitionStateChange: offline partitions that someone can lead now.
    std::vector<PartitionKey> offline;
    for (const auto& [name, t] : topics_)
        for (size_t p = 0; p < t.partitions.size(); ++p) {
            const PartitionInfo& info = t.partitions[p];
            if (queued_for_deletion(name)) break;
            if (info.zk_version >= 0 && (info.state.leader == no_leader || !is_live(info.state.leader)))
                offline.emplace_back(name, static_cast<int32_t>(p));
        }
    Decide decide = [this](const TopicInfo& t, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        if (info.state.leader != no_leader && is_live(info.state.leader)) return std::nullopt;
        return elect_leader(t, info, {});
    };
    change_states(offline, decide, "offline partition", ctx, [this, everyone, then](std::vector<PartitionKey> changed, Context& c) {
        if (active_ && !changed.empty()) {
            send_leader_and_isr(changed, c);
            send_update_metadata(everyone, changed, c);
        }
        then(c);
    });
}

void ZkController::create_partitions(const std::vector<std::string>& names, Context& ctx, std::function<void(Context&)> then) {
    struct Pending {
        std::string topic;
        int32_t partition;
        zkdata::PartitionStateZNode state;
    };
    std::vector<Pending> todo;
    for (const auto& name : names) {
        TopicInfo* t = topic(name);
        if (t == nullptr || queued_for_deletion(name)) continue;
        for (size_t p = 0; p < t->partitions.size(); ++p) {
            PartitionInfo& info = t->partitions[p];
            if (info.zk_version >= 0) continue;
            zkdata::PartitionStateZNode st;
            st.controller_epoch = epoch_;
            for (BrokerId b : info.replicas)
                if (is_live(b)) st.isr.push_back(b);
            if (st.isr.empty()) {
                ctx.emit(ZkNewPartitionOffline{.topic = name, .partition = static_cast<int32_t>(p)});
                continue;  // NewPartition stays: no replica is alive
            }
            st.leader = st.isr.front();
            todo.push_back(Pending{name, static_cast<int32_t>(p), st});
        }
    }
    if (todo.empty()) return then(ctx);
    auto created = std::make_shared<std::vector<PartitionKey>>();
    auto left = std::make_shared<Countdown>(Countdown{todo.size(), [this, created, then](Context& c) {
        if (active_ && !created->empty()) {
            send_leader_and_isr(*created, c);
            std::set<BrokerId> everyone;
            for (const auto& [b, e] : live_) everyone.insert(b);
            send_update_metadata(everyone, *created, c);
        }
        then(c);
    }});
    std::set<std::string> parents;
    for (const auto& p : todo) parents.insert(p.topic);
    for (const auto& topic_name : parents)
        zk_.create(zkdata::partitions_path(topic_name), "", ZkCreateMode::persistent, [](const ZkResult&, Context&) {}, ctx);
    for (const auto& p : todo) {
        std::vector<ZkOp> ops(2);
        ops[0].kind = ZkOp::Kind::create;
        ops[0].path = zkdata::partition_path(p.topic, p.partition);
        ops[1].kind = ZkOp::Kind::create;
        ops[1].path = zkdata::partition_state_path(p.topic, p.partition);
        ops[1].data = zkdata::encode_partition_state(p.state);
        write(std::move(ops), ctx, [this, p, created, left](ZkCode code, const ZkResult&, Context& c) {
            if (code == ZkCode::ok)
                if (TopicInfo* t = topic(p.topic)) {
                    PartitionInfo& info = t->partitions[static_cast<size_t>(p.partition)];
                    info.state = p.state;
                    info.zk_version = 0;
                    created->emplace_back(p.topic, p.partition);
                    c.emit(ZkPartitionState{.topic = p.topic,
                                            .partition = p.partition,
                                            .leader = p.state.leader,
                                            .leader_epoch = p.state.leader_epoch,
                                            .isr = p.state.isr,
                                            .reason = "new partition"});
                }
            left->one(c);
        });
    }
}

void ZkController::handle_isr_changes(Context& ctx) {
    zk_.get_children(zkdata::isr_change_path, true, [this](const ZkResult& r, Context& c) {
        if (!active_ || r.code != ZkCode::ok || r.children.empty()) return done(c);
        auto keys = std::make_shared<std::set<PartitionKey>>();
        auto left = std::make_shared<Countdown>(Countdown{r.children.size(), [this, keys](Context& c2) {
            std::vector<PartitionKey> list(keys->begin(), keys->end());
            read_states(list, c2, [this, list](Context& c3) {
                if (active_) {
                    std::set<BrokerId> everyone;
                    for (const auto& [b, e] : live_) everyone.insert(b);
                    send_update_metadata(everyone, list, c3);
                }
                done(c3);
            });
        }});
        for (const auto& child : r.children) {
            std::string path = zkdata::isr_change_path + "/" + child;
            zk_.get_data(path, false, [this, keys, left, path](const ZkResult& d, Context& c2) {
                if (d.code == ZkCode::ok)
                    if (auto parts = zkdata::decode_isr_change(d.data))
                        for (const auto& p : *parts)
                            if (topic(p.first) != nullptr) keys->insert(p);
                zk_.remove(path, -1, [](const ZkResult&, Context&) {}, c2);
                left->one(c2);
            }, c);
        }
    }, ctx);
}

void ZkController::handle_create_topics(sim::NodeId from, const CreateTopicsRequest& req, Context& ctx) {
    CreateTopicsResponse resp;
    resp.correlation_id = req.correlation_id;
    if (!active_) {
        for (const auto& t : req.topics) resp.topics.push_back({t.name, 0, Error::not_controller, "This is not the correct controller for this cluster."});
        ctx.send(from, std::move(resp));
        return done(ctx);
    }
    std::vector<BrokerId> usable;
    for (const auto& [b, e] : live_)
        if (!shutting_down_.count(b)) usable.push_back(b);
    struct Create {
        std::string name;
        zkdata::TopicZNode znode;
        ConfigMap configs;
        size_t index;
    };
    std::vector<Create> creates;
    for (const auto& t : req.topics) {
        CreateTopicsResponse::Result r{t.name, 0, Error::none, ""};
        std::vector<std::vector<BrokerId>> assignment = t.assignment;
        if (queued_for_deletion(t.name)) {
            // AdminZkClient.validateTopicCreate
            r.error = Error::topic_already_exists;
            r.message = "Topic '" + t.name + "' is marked for deletion.";
        } else if (topics_.count(t.name)) {
            r.error = Error::topic_already_exists;
            r.message = "Topic '" + t.name + "' already exists.";  // ZkAdminManager.createTopics
        } else if (assignment.empty()) {
            assignment = assign_replicas(usable, t.num_partitions, t.replication_factor, ctx.rng());
            if (assignment.empty()) {
                r.error = Error::invalid_replication_factor;  // AdminUtils.assignReplicasToBrokers
                r.message = "Replication factor: " + std::to_string(t.replication_factor) +
                            " larger than available brokers: " + std::to_string(usable.size()) + ".";
            }
        }
        if (r.error == Error::none) {
            r.topic_id = ++max_topic_id_;
            creates.push_back(Create{t.name, zkdata::TopicZNode{r.topic_id, assignment}, t.configs, resp.topics.size()});
        }
        resp.topics.push_back(r);
    }
    if (creates.empty()) {
        ctx.send(from, std::move(resp));
        return done(ctx);
    }
    auto response = std::make_shared<CreateTopicsResponse>(std::move(resp));
    auto left = std::make_shared<Countdown>(Countdown{creates.size(), [this, response, from](Context& c) {
        c.send(from, *response);
        done(c);
    }});
    // AdminZkClient.createTopic: the config znode, then the assignment (which the
    // controller's /brokers/topics watch picks up).
    for (const auto& cr : creates) {
        zk_.create(zkdata::topic_config_path(cr.name), zkdata::encode_topic_config(cr.configs), ZkCreateMode::persistent,
                   [](const ZkResult&, Context&) {}, ctx);
        zk_.create(zkdata::topic_path(cr.name), zkdata::encode_topic(cr.znode), ZkCreateMode::persistent,
                   [response, left, index = cr.index](const ZkResult& r, Context& c) {
                       if (r.code == ZkCode::node_exists) {
                           response->topics[index].error = Error::topic_already_exists;
                           response->topics[index].message = "Topic '" + response->topics[index].name + "' already exists.";
                       }
                       else if (r.code != ZkCode::ok) response->topics[index].error = Error::unknown_server_error;
                       left->one(c);
                   }, ctx);
    }
}

void ZkController::check_leader_imbalance(Context& ctx) {
    // Partitions by preferred replica (the head of the assignment), in topic and partition order.
    std::map<BrokerId, std::vector<PartitionKey>> preferred;
    for (const auto& [name, t] : topics_)
        for (size_t p = 0; p < t.partitions.size(); ++p)
            if (!t.partitions[p].replicas.empty() && t.partitions[p].zk_version >= 0 && !queued_for_deletion(name))
                preferred[t.partitions[p].replicas.front()].emplace_back(name, static_cast<int32_t>(p));
    std::vector<PartitionKey> candidates;
    for (const auto& [broker, keys] : preferred) {
        std::vector<PartitionKey> elsewhere;
        for (const PartitionKey& k : keys)
            if (topics_.at(k.first).partitions[static_cast<size_t>(k.second)].state.leader != broker)
                elsewhere.push_back(k);
        // imbalanceRatio > leader.imbalance.per.broker.percentage / 100, in integers.
        if (elsewhere.size() * 100 <= keys.size() * static_cast<size_t>(config_.leader_imbalance_per_broker_percentage))
            continue;
        if (!is_live(broker) || shutting_down_.count(broker)) continue;
        candidates.insert(candidates.end(), elsewhere.begin(), elsewhere.end());
    }
    if (candidates.empty()) return done(ctx);
    // PreferredReplicaPartitionLeaderElectionStrategy: the preferred replica, if alive and in the ISR.
    Decide to_preferred = [this](const TopicInfo&, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        const BrokerId b = info.replicas.front();
        if (info.state.leader == b || !is_live(b) || !contains_id(info.state.isr, b)) return std::nullopt;
        zkdata::PartitionStateZNode next = info.state;
        next.leader = b;
        return next;
    };
    change_states(candidates, to_preferred, "preferred replica leader election (auto.leader.rebalance.enable)", ctx,
                  [this](std::vector<PartitionKey> changed, Context& c) {
                      announce(changed, c);
                      done(c);
                  });
}

void ZkController::announce(const std::vector<PartitionKey>& changed, Context& ctx) {
    if (!active_ || changed.empty()) return;
    send_leader_and_isr(changed, ctx);
    std::set<BrokerId> everyone;
    for (const auto& [b, e] : live_) everyone.insert(b);
    send_update_metadata(everyone, changed, ctx);
}

void ZkController::handle_controlled_shutdown(sim::NodeId from, const ControlledShutdownRequest& req, Context& ctx) {
    ControlledShutdownResponse resp;
    resp.correlation_id = req.correlation_id;
    if (!active_) {
        resp.error = Error::not_controller;
        ctx.send(from, std::move(resp));
        return done(ctx);
    }
    const BrokerId b = req.broker_id;
    if (!is_live(b)) {
        resp.error = Error::broker_not_available;
        ctx.send(from, std::move(resp));
        return done(ctx);
    }
    shutting_down_.insert(b);
    std::vector<PartitionKey> led, followed;
    for (const auto& [name, t] : topics_)
        for (size_t p = 0; p < t.partitions.size(); ++p) {
            const auto& st = t.partitions[p].state;
            if (st.leader == b) led.emplace_back(name, static_cast<int32_t>(p));
            else if (contains_id(st.isr, b)) followed.emplace_back(name, static_cast<int32_t>(p));
        }
    // ControlledShutdownLeaderElectionStrategy: another live ISR member, never unclean.
    Decide move_leader = [this, b](const TopicInfo&, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        if (info.state.leader != b) return std::nullopt;
        zkdata::PartitionStateZNode next = info.state;
        next.isr.clear();
        for (BrokerId r : info.state.isr)
            if (r != b && is_live(r) && !shutting_down_.count(r)) next.isr.push_back(r);
        next.leader = no_leader;
        for (BrokerId r : info.replicas)
            if (contains_id(next.isr, r)) {
                next.leader = r;
                break;
            }
        if (next.leader == no_leader) return std::nullopt;
        return next;
    };
    Decide leave_isr = [b](const TopicInfo&, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        if (info.state.leader == b || !contains_id(info.state.isr, b) || info.state.isr.size() <= 1) return std::nullopt;
        zkdata::PartitionStateZNode next = info.state;
        next.isr.erase(std::find(next.isr.begin(), next.isr.end(), b));
        return next;
    };
    change_states(led, move_leader, "controlled shutdown", ctx,
                  [this, followed, leave_isr, from, resp, b](std::vector<PartitionKey> moved, Context& c) mutable {
        change_states(followed, leave_isr, "controlled shutdown", c,
                      [this, moved, from, resp, b](std::vector<PartitionKey> left_isr, Context& c2) mutable {
            std::vector<PartitionKey> changed = moved;
            changed.insert(changed.end(), left_isr.begin(), left_isr.end());
            if (active_ && !changed.empty()) {
                send_leader_and_isr(changed, c2);
                std::set<BrokerId> everyone;
                for (const auto& [id, e] : live_) everyone.insert(id);
                send_update_metadata(everyone, changed, c2);
            }
            if (!active_) {
                // Lost the controllership meanwhile (fenced): the broker must ask the new one
                // (ControllerMovedException -> NOT_CONTROLLER), not stop as if it were done.
                resp.error = Error::not_controller;
            } else {
                for (const auto& [name, t] : topics_)
                    for (size_t p = 0; p < t.partitions.size(); ++p)
                        if (t.partitions[p].state.leader == b)
                            resp.remaining.push_back(TopicPartition{t.id, static_cast<int32_t>(p)});
            }
            c2.send(from, resp);
            done(c2);
        });
    });
}

// ------------------------------------------------------------------------------ admin requests

namespace {

std::string partition_name(const std::string& topic, int32_t p) { return topic + "-" + std::to_string(p); }



}  // namespace

void ZkController::handle_admin(sim::NodeId from, Message& request, Context& ctx) {
    std::visit([&](auto& req) {
        using T = std::decay_t<decltype(req)>;
        if constexpr (std::is_same_v<T, DeleteTopicsRequest>) {
            handle_delete_topics(from, req, ctx);
        } else if constexpr (std::is_same_v<T, CreatePartitionsRequest>) {
            handle_create_partitions(from, req, ctx);
        } else if constexpr (std::is_same_v<T, IncrementalAlterConfigsRequest>) {
            handle_alter_configs(from, req, ctx);
        } else if constexpr (std::is_same_v<T, ElectLeadersRequest>) {
            handle_elect_leaders(from, req, ctx);
        } else if constexpr (std::is_same_v<T, AlterPartitionReassignmentsRequest>) {
            // Not modelled yet: KafkaController.onPartitionReassignment (adding/removing replicas
            // in the topic znode, completion when the targets are in the ISR, StopReplica to the
            // removed replicas). Answered as an invalid request rather than silently ignored.
            AlterPartitionReassignmentsResponse resp;
            resp.correlation_id = req.correlation_id;
            resp.error = active_ ? Error::invalid_request : Error::not_controller;
            resp.message = active_ ? "Partition reassignment is not modelled in ZooKeeper mode by this simulator yet"
                                   : not_controller_message;
            ctx.send(from, std::move(resp));
            done(ctx);
        } else if constexpr (std::is_same_v<T, ListPartitionReassignmentsRequest>) {
            ListPartitionReassignmentsResponse resp;  // see above: no reassignment is ever running
            resp.correlation_id = req.correlation_id;
            resp.error = active_ ? Error::invalid_request : Error::not_controller;
            ctx.send(from, std::move(resp));
            done(ctx);
        } else {
            done(ctx);
        }
    }, request);
}

void ZkController::await_metadata(std::function<bool()> satisfied, std::function<void(Context&)> reply, Context& ctx) {
    if (satisfied()) return reply(ctx);
    const uint64_t id = next_pending_admin_++;
    PendingAdmin& p = pending_admin_[id];
    p.satisfied = std::move(satisfied);
    p.reply = std::move(reply);
    p.timer = ctx.set_timer(sim::milliseconds(admin_request_timeout_ms), tag(timer_admin_timeout, id));
}

void ZkController::on_metadata_changed(Context& ctx) {
    std::vector<uint64_t> ready;
    for (const auto& [id, p] : pending_admin_)
        if (p.satisfied()) ready.push_back(id);
    for (uint64_t id : ready) {
        auto it = pending_admin_.find(id);
        ctx.cancel_timer(it->second.timer);
        auto reply = std::move(it->second.reply);
        pending_admin_.erase(it);
        reply(ctx);
    }
}

void ZkController::on_topic_config_changed(const std::string& topic_name, const ConfigMap& configs, Context& ctx) {
    if (!active_) return;
    Event ev{EventKind::topic_config};
    ev.topic = topic_name;
    ev.configs = configs;
    enqueue(std::move(ev), ctx);
}

// KafkaApis.handleDeleteTopicsRequest + ZkAdminManager.deleteTopics (AdminZkClient.deleteTopic).
void ZkController::handle_delete_topics(sim::NodeId from, const DeleteTopicsRequest& req, Context& ctx) {
    auto response = std::make_shared<DeleteTopicsResponse>();
    response->correlation_id = req.correlation_id;
    std::vector<std::string> marking;
    bool any = false;
    for (const std::string& name : req.topics) {
        DeleteTopicsResponse::Result r{name, Error::none, ""};
        if (!active_) {
            r.error = Error::not_controller;
            r.message = not_controller_message;
        } else if (!config_.delete_topic_enable) {
            r.error = Error::topic_deletion_disabled;
            r.message = "Topic deletion is disabled.";
        } else if (image_.topic(name) == nullptr || topic(name) == nullptr) {
            // Not in the metadata cache (also: its deletion already started).
            r.error = Error::unknown_topic_or_partition;
            r.message = "This server does not host this topic-partition.";
        } else {
            any = true;
            // Already marked: TopicAlreadyMarkedForDeletionException is swallowed, the reply waits all the same.
            if (!queued_for_deletion(name) &&
                std::find(marking.begin(), marking.end(), name) == marking.end())
                marking.push_back(name);
        }
        response->topics.push_back(r);
    }
    if (!any) {
        ctx.send(from, *response);
        return done(ctx);
    }
    // DelayedDeleteTopics: done when no topic is left in this broker's metadata cache.
    auto after = [this, response, from](Context& c) {
        auto gone = [this, response] {
            for (const auto& r : response->topics)
                if (r.error == Error::none && image_.topic(r.name) != nullptr) return false;
            return true;
        };
        await_metadata(gone, [this, response, from](Context& c2) {
            DeleteTopicsResponse out = *response;
            for (auto& r : out.topics)
                if (r.error == Error::none && image_.topic(r.name) != nullptr) {
                    r.error = Error::request_timed_out;
                    r.message = "The request timed out.";
                }
            c2.send(from, std::move(out));
        }, c);
        done(c);
    };
    if (marking.empty()) return after(ctx);
    auto left = std::make_shared<Countdown>(Countdown{marking.size(), after});
    for (const std::string& name : marking)
        zk_.create(zkdata::delete_topic_path(name), "", ZkCreateMode::persistent,
                   [left](const ZkResult&, Context& c) { left->one(c); }, ctx);  // NODEEXISTS: marked already
}

// ZkAdminManager.createPartitions (AdminZkClient.addPartitions).
void ZkController::handle_create_partitions(sim::NodeId from, const CreatePartitionsRequest& req, Context& ctx) {
    auto response = std::make_shared<CreatePartitionsResponse>();
    response->correlation_id = req.correlation_id;
    std::vector<BrokerId> brokers;  // getBrokerMetadatas: the registered brokers
    for (const auto& [b, e] : live_) brokers.push_back(b);
    struct Add {
        std::string name;
        zkdata::TopicZNode znode;
    };
    std::vector<Add> adds;
    for (const auto& tp : req.topics) {
        CreatePartitionsResponse::Result r{tp.name, Error::none, ""};
        const TopicInfo* t = topic(tp.name);
        if (!active_) {
            r.error = Error::not_controller;
            r.message = not_controller_message;
        } else if (t == nullptr || queued_for_deletion(tp.name)) {
            r.error = Error::unknown_topic_or_partition;
            r.message = "The topic '" + tp.name + "' does not exist.";
        } else {
            const auto current = static_cast<int32_t>(t->partitions.size());
            const int32_t increment = tp.count - current;
            std::set<BrokerId> unknown;
            for (const auto& replicas : tp.assignment)
                for (BrokerId b : replicas)
                    if (!is_live(b)) unknown.insert(b);
            if (increment < 0) {
                r.error = Error::invalid_partitions;
                r.message = "Topic currently has " + std::to_string(current) + " partitions, which is higher than the requested " +
                            std::to_string(tp.count) + ".";
            } else if (increment == 0) {
                r.error = Error::invalid_partitions;
                r.message = "Topic already has " + std::to_string(current) + " partitions.";
            } else if (!unknown.empty()) {
                r.error = Error::invalid_replica_assignment;
                r.message = "Unknown broker(s) in replica assignment: ";
                for (auto it = unknown.begin(); it != unknown.end(); ++it)
                    r.message += (it == unknown.begin() ? "" : ", ") + std::to_string(*it);
                r.message += ".";
            } else if (!tp.assignment.empty() && static_cast<int32_t>(tp.assignment.size()) != increment) {
                r.error = Error::invalid_replica_assignment;
                r.message = "Increasing the number of partitions by " + std::to_string(increment) + " but " +
                            std::to_string(tp.assignment.size()) + " assignments provided.";
            } else {
                zkdata::TopicZNode z;
                z.topic_id = t->id;
                for (const auto& p : t->partitions) z.assignment.push_back(p.replicas);
                std::vector<std::vector<BrokerId>> fresh = tp.assignment;
                const int rf = t->partitions.empty() ? 1 : static_cast<int>(t->partitions.front().replicas.size());
                if (fresh.empty()) fresh = assign_replicas(brokers, increment, rf, ctx.rng());
                if (fresh.empty()) {
                    r.error = Error::invalid_replication_factor;
                    r.message = "Replication factor: " + std::to_string(rf) + " larger than available brokers: " +
                                std::to_string(brokers.size()) + ".";
                } else {
                    z.assignment.insert(z.assignment.end(), fresh.begin(), fresh.end());
                    adds.push_back(Add{tp.name, std::move(z)});
                }
            }
        }
        response->topics.push_back(r);
    }
    if (adds.empty()) {
        ctx.send(from, *response);
        return done(ctx);
    }
    auto counts = std::make_shared<std::map<std::string, size_t>>();
    for (const Add& a : adds) (*counts)[a.name] = a.znode.assignment.size();
    // DelayedCreatePartitions: every partition of the topics has a leader in this broker's cache.
    auto led = [this, counts](const std::string& name) {
        const TopicImage* t = image_.topic(name);
        if (t == nullptr || t->partitions.size() < counts->at(name)) return false;
        for (const PartitionState& p : t->partitions)
            if (p.leader < 0) return false;
        return true;
    };
    auto after = [this, response, counts, led, from](Context& c) {
        auto all_led = [counts, led] {
            for (const auto& [name, n] : *counts)
                if (!led(name)) return false;
            return true;
        };
        await_metadata(all_led, [response, counts, led, from](Context& c2) {
            CreatePartitionsResponse out = *response;
            for (auto& r : out.topics)
                if (r.error == Error::none && counts->count(r.name) && !led(r.name)) {
                    r.error = Error::request_timed_out;
                    r.message = "The request timed out.";
                }
            c2.send(from, std::move(out));
        }, c);
        done(c);
    };
    auto left = std::make_shared<Countdown>(Countdown{adds.size(), after});
    for (const Add& a : adds) {
        const std::string name = a.name;
        zk_.set_data(zkdata::topic_path(name), zkdata::encode_topic(a.znode), -1,
                     [response, left, name](const ZkResult& r, Context& c) {
                         if (r.code != ZkCode::ok)
                             for (auto& res : response->topics)
                                 if (res.name == name && res.error == Error::none) {
                                     res.error = Error::unknown_topic_or_partition;
                                     res.message = "The topic '" + name + "' does not exist.";
                                 }
                         left->one(c);
                     }, ctx);
    }
}

// KafkaController.processPartitionModifications: partitions added to the topic znode.
void ZkController::on_partition_modifications(const std::string& name, Context& ctx) {
    if (topic(name) == nullptr) return done(ctx);
    zk_.get_data(zkdata::topic_path(name), true, [this, name](const ZkResult& r, Context& c) {
        if (!active_ || r.code != ZkCode::ok) return done(c);
        TopicInfo* t = topic(name);
        auto z = zkdata::decode_topic(r.data);
        // "Skipping adding partitions ... since it is currently being deleted"
        if (t == nullptr || !z || queued_for_deletion(name) || z->assignment.size() <= t->partitions.size()) return done(c);
        const size_t old = t->partitions.size();
        t->partitions.resize(z->assignment.size());
        for (size_t p = old; p < z->assignment.size(); ++p) t->partitions[p].replicas = z->assignment[p];
        create_partitions({name}, c, [this](Context& c2) { done(c2); });  // onNewPartitionCreation
    }, ctx);
}

// ZkAdminManager.incrementalAlterConfigs, topic resources (AdminZkClient.changeTopicConfig).
void ZkController::handle_alter_configs(sim::NodeId from, const IncrementalAlterConfigsRequest& req, Context& ctx) {
    auto response = std::make_shared<IncrementalAlterConfigsResponse>();
    response->correlation_id = req.correlation_id;
    struct Write {
        std::string topic;
        ConfigMap configs;
    };
    std::vector<Write> writes;
    for (const auto& res : req.resources) {
        IncrementalAlterConfigsResponse::Result r{res.type, res.name, Error::none, ""};
        std::map<std::string, int> seen;
        std::string duplicates;
        for (const auto& op : res.ops)
            if (++seen[op.name] == 2) duplicates += (duplicates.empty() ? "" : ",") + op.name;
        const TopicInfo* t = topic(res.name);
        if (!active_) {
            r.error = Error::not_controller;
            r.message = not_controller_message;
        } else if (res.type != ConfigResourceType::topic) {
            r.error = Error::invalid_request;
            r.message = "Dynamic broker configs are not supported by this simulator yet";
        } else if (!duplicates.empty()) {
            r.error = Error::invalid_request;
            r.message = "Error due to duplicate config keys : " + duplicates;
        } else if (t == nullptr || queued_for_deletion(res.name)) {
            r.error = Error::unknown_topic_or_partition;
            r.message = "The topic '" + res.name + "' does not exist.";
        } else {
            ConfigMap merged = t->configs;
            for (const auto& op : res.ops) {
                if (op.op == AlterConfigOpType::set) merged[op.name] = op.value;
                else merged.erase(op.name);
            }
            // LogConfig.validate: the names first (InvalidConfigurationException), then the values
            // (ConfigException, which ZkAdminManager turns into INVALID_REQUEST).
            for (const auto& [name, value] : merged) {
                const ConfigKey* key = find_config_key(name);
                if (key == nullptr || (key->scopes & scope_topic) == 0) {
                    r.error = Error::invalid_config;
                    r.message = "Unknown topic config name: " + name;
                    break;
                }
            }
            for (const auto& op : res.ops) {
                if (r.error != Error::none || op.op != AlterConfigOpType::set) continue;
                ConfigValue typed;
                if (auto why = parse_topic_config(*find_config_key(op.name), op.value, typed)) {
                    r.error = Error::invalid_request;
                    r.message = "Invalid config value for resource ConfigResource(type=TOPIC, name='" + res.name + "'): " + *why;
                } else {
                    merged[op.name] = typed;
                }
            }
            if (r.error == Error::none) writes.push_back(Write{res.name, std::move(merged)});
        }
        response->resources.push_back(r);
    }
    if (writes.empty()) {
        ctx.send(from, *response);
        return done(ctx);
    }
    auto left = std::make_shared<Countdown>(Countdown{writes.size(), [this, response, from](Context& c) {
        c.send(from, *response);
        done(c);
    }});
    for (const Write& w : writes) {
        const std::string path = zkdata::topic_config_path(w.topic);
        const std::string data = zkdata::encode_topic_config(w.configs);
        const std::string entity = "topics/" + w.topic;
        // setOrCreateEntityConfigs, then createConfigChangeNotification.
        auto notify = [this, entity, left](Context& c) {
            zk_.create(zkdata::config_change_prefix, zkdata::encode_config_change(entity),
                       ZkCreateMode::persistent_sequential, [left](const ZkResult&, Context& c2) { left->one(c2); }, c);
        };
        zk_.set_data(path, data, -1, [this, path, data, notify](const ZkResult& r, Context& c) {
            if (r.code != ZkCode::no_node) return notify(c);
            zk_.create(path, data, ZkCreateMode::persistent, [notify](const ZkResult&, Context& c2) { notify(c2); }, c);
        }, ctx);
    }
}

// TopicUncleanLeaderElectionEnable: the topic's new overrides; with unclean election now on,
// its offline partitions are elected (triggerOnlinePartitionStateChange(topic)).
void ZkController::on_topic_config(const std::string& name, const ConfigMap& configs, Context& ctx) {
    TopicInfo* t = topic(name);
    if (t == nullptr) return done(ctx);
    t->configs = configs;
    if (queued_for_deletion(name) || !TopicConfig::from(config_, configs).unclean_leader_election_enable) return done(ctx);
    std::vector<PartitionKey> offline;
    for (size_t p = 0; p < t->partitions.size(); ++p) {
        const PartitionInfo& info = t->partitions[p];
        if (info.zk_version >= 0 && (info.state.leader == no_leader || !is_live(info.state.leader)))
            offline.emplace_back(name, static_cast<int32_t>(p));
    }
    Decide decide = [this](const TopicInfo& ti, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        if (info.state.leader != no_leader && is_live(info.state.leader)) return std::nullopt;
        return elect_leader(ti, info, {});
    };
    change_states(offline, decide, "unclean.leader.election.enable set on the topic", ctx,
                  [this](std::vector<PartitionKey> changed, Context& c) {
                      announce(changed, c);
                      done(c);
                  });
}

// KafkaController.processReplicaLeaderElection (AdminClientTriggered).
void ZkController::handle_elect_leaders(sim::NodeId from, const ElectLeadersRequest& req, Context& ctx) {
    auto response = std::make_shared<ElectLeadersResponse>();
    response->correlation_id = req.correlation_id;
    if (!active_) {
        response->error = Error::not_controller;
        ctx.send(from, *response);
        return done(ctx);
    }
    const bool preferred = req.type == ElectionType::preferred;
    std::vector<TopicPartitionName> parts = req.partitions;
    if (parts.empty())  // every partition of the metadata cache
        for (const auto& [name, t] : topics_)
            for (size_t p = 0; p < t.partitions.size(); ++p)
                if (t.partitions[p].zk_version >= 0 && !queued_for_deletion(name))
                    parts.push_back(TopicPartitionName{name, static_cast<int32_t>(p)});
    std::vector<PartitionKey> electable;
    for (const TopicPartitionName& tp : parts) {
        ElectLeadersResponse::Result r{tp, Error::none, ""};
        const TopicInfo* t = topic(tp.topic);
        const PartitionInfo* info = t != nullptr && tp.partition >= 0 && static_cast<size_t>(tp.partition) < t->partitions.size()
                                        ? &t->partitions[static_cast<size_t>(tp.partition)]
                                        : nullptr;
        if (info == nullptr || info->zk_version < 0) {
            r.error = Error::unknown_topic_or_partition;
            r.message = "The partition does not exist.";
        } else if (queued_for_deletion(tp.topic)) {
            r.error = Error::invalid_topic_exception;
            r.message = "The topic is being deleted";
        } else {
            const BrokerId leader = info->state.leader;
            const bool needed = preferred ? !info->replicas.empty() && leader != info->replicas.front()
                                          : leader == no_leader || !is_live(leader);
            if (!needed) {
                r.error = Error::election_not_needed;
                r.message = "Leader election not needed for topic partition.";
            } else if (std::find(electable.begin(), electable.end(), PartitionKey{tp.topic, tp.partition}) == electable.end()) {
                electable.emplace_back(tp.topic, tp.partition);
            }
        }
        response->partitions.push_back(r);
    }
    Decide decide;
    if (preferred) {
        // PreferredReplicaPartitionLeaderElectionStrategy: the first replica, if alive and in the ISR.
        decide = [this](const TopicInfo&, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
            if (info.replicas.empty()) return std::nullopt;
            const BrokerId b = info.replicas.front();
            if (info.state.leader == b || !is_live(b) || shutting_down_.count(b) || !contains_id(info.state.isr, b))
                return std::nullopt;
            zkdata::PartitionStateZNode next = info.state;
            next.leader = b;
            return next;
        };
    } else {
        // OfflinePartitionLeaderElectionStrategy(allowUnclean = true): a live ISR member, else
        // any live replica, whatever unclean.leader.election.enable says.
        decide = [this](const TopicInfo& t, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
            if (info.state.leader != no_leader && is_live(info.state.leader)) return std::nullopt;
            return elect_leader(t, info, {}, /*force_unclean=*/true);
        };
    }
    const char* reason = preferred ? "preferred replica leader election (ElectLeaders)" : "unclean leader election (ElectLeaders)";
    change_states(electable, decide, reason, ctx,
                  [this, response, electable, preferred, from](std::vector<PartitionKey> changed, Context& c) {
        const std::set<PartitionKey> elected(changed.begin(), changed.end());
        for (auto& r : response->partitions) {
            const PartitionKey key{r.tp.topic, r.tp.partition};
            if (r.error != Error::none || elected.count(key)) continue;
            // StateChangeFailedException from PartitionStateMachine.doElectLeaderForPartitions.
            r.error = preferred ? Error::preferred_leader_not_available : Error::eligible_leaders_not_available;
            r.message = "Failed to elect leader for partition " + partition_name(key.first, key.second) +
                        " under strategy " +
                        (preferred ? "PreferredReplicaPartitionLeaderElectionStrategy" : "OfflinePartitionLeaderElectionStrategy(true)");
        }
        announce(changed, c);
        c.send(from, *response);
        done(c);
    });
}

// ------------------------------------------------------------------------------ topic deletion

const ZkController::TopicInfo* ZkController::topic_by_id(TopicId id) const {
    for (const auto& [name, t] : topics_)
        if (t.id == id) return &t;
    return nullptr;
}

// KafkaController.processTopicDeletion: the children of /admin/delete_topics.
void ZkController::on_topic_deletion_event(Context& ctx) {
    zk_.get_children(zkdata::delete_topics_path, true, [this](const ZkResult& r, Context& c) {
        if (!active_) return done(c);
        if (r.code == ZkCode::ok)
            for (const std::string& name : r.children) {
                if (config_.delete_topic_enable && topic(name) != nullptr) {
                    to_delete_.insert(name);
                    continue;
                }
                // Deletion disabled, or no such topic: the marker goes.
                ZkOp op;
                op.kind = ZkOp::Kind::remove;
                op.path = zkdata::delete_topic_path(name);
                write({op}, c, [](ZkCode, const ZkResult&, Context&) {});
            }
        resume_deletions(c, [this](Context& c2) { done(c2); });
    }, ctx);
}

// TopicDeletionManager.resumeDeletions.
void ZkController::resume_deletions(Context& ctx, std::function<void(Context&)> then) {
    if (!active_ || to_delete_.empty()) return then(ctx);
    std::vector<std::string> complete, eligible;
    for (const std::string& name : to_delete_) {
        const TopicInfo* t = topic(name);
        if (t == nullptr) {
            complete.push_back(name);
            continue;
        }
        auto& states = replica_deletion_[name];
        size_t replicas = 0, successful = 0;
        bool started = false, ineligible = false;
        for (const auto& p : t->partitions) replicas += p.replicas.size();
        for (const auto& [key, st] : states) {
            successful += st == ReplicaDeletion::successful ? 1 : 0;
            started = started || st == ReplicaDeletion::started;
            ineligible = ineligible || st == ReplicaDeletion::ineligible;
        }
        if (successful == replicas) {
            complete.push_back(name);
            continue;
        }
        if (!started && ineligible) {
            // retryDeletionForIneligibleReplicas: ReplicaDeletionIneligible -> OfflineReplica.
            for (auto it = states.begin(); it != states.end();)
                it = it->second == ReplicaDeletion::ineligible ? states.erase(it) : std::next(it);
        }
        if (!started && !deletion_ineligible_.count(name)) eligible.push_back(name);
    }
    auto start = [this, eligible, then](Context& c) { start_topic_deletion(eligible, c, then); };
    if (complete.empty()) return start(ctx);
    auto left = std::make_shared<Countdown>(Countdown{complete.size(), start});
    for (const std::string& name : complete) complete_delete_topic(name, ctx, [left](Context& c) { left->one(c); });
}

// TopicDeletionManager.onTopicDeletion and startReplicaDeletion.
void ZkController::start_topic_deletion(const std::vector<std::string>& names, Context& ctx,
                                        std::function<void(Context&)> then) {
    if (names.empty() || !active_) return then(ctx);
    std::vector<PartitionKey> keys;
    for (const std::string& name : names) {
        const TopicInfo* t = topic(name);
        if (t == nullptr) continue;
        deletion_started_.insert(name);
        for (size_t p = 0; p < t->partitions.size(); ++p)
            if (t->partitions[p].zk_version >= 0) keys.emplace_back(name, static_cast<int32_t>(p));
    }
    // The brokers stop serving them: UpdateMetadata with LeaderDuringDelete to every live broker.
    std::set<BrokerId> everyone;
    for (const auto& [b, e] : live_) everyone.insert(b);
    send_update_metadata(everyone, keys, ctx);
    // OfflineReplica for the live replicas not deleted yet: they leave the ISR (the last member
    // stays), and the partition is left without a leader.
    auto going = [this](const std::string& name, int32_t p, BrokerId b) {
        if (!is_live(b)) return false;
        const auto& states = replica_deletion_[name];
        auto it = states.find({p, b});
        return it == states.end() || it->second != ReplicaDeletion::successful;
    };
    Decide offline = [going](const TopicInfo& t, const PartitionInfo& info) -> std::optional<zkdata::PartitionStateZNode> {
        const auto p = static_cast<int32_t>(&info - t.partitions.data());
        zkdata::PartitionStateZNode next = info.state;
        next.leader = no_leader;
        next.isr.clear();
        for (BrokerId b : info.state.isr)
            if (!going(t.name, p, b)) next.isr.push_back(b);
        if (next.isr.empty() && !info.state.isr.empty()) next.isr.push_back(info.state.isr.back());
        if (next.leader == info.state.leader && next.isr == info.state.isr) return std::nullopt;
        return next;
    };
    change_states(keys, offline, "topic deletion", ctx, [this, names, then](std::vector<PartitionKey>, Context& c) {
        if (!active_) return then(c);
        // StopReplica(delete=false) then (delete=true): ReplicaDeletionStarted. A dead broker's
        // replicas are ReplicaDeletionIneligible and halt the topic until the broker is back.
        std::map<BrokerId, std::vector<TopicPartition>> stop;
        for (const std::string& name : names) {
            const TopicInfo* t = topic(name);
            if (t == nullptr) continue;
            auto& states = replica_deletion_[name];
            for (size_t p = 0; p < t->partitions.size(); ++p)
                for (BrokerId b : t->partitions[p].replicas) {
                    const std::pair<int32_t, BrokerId> key{static_cast<int32_t>(p), b};
                    auto it = states.find(key);
                    if (it != states.end() && it->second == ReplicaDeletion::successful) continue;
                    if (!is_live(b)) {
                        states[key] = ReplicaDeletion::ineligible;
                        deletion_ineligible_.insert(name);
                        continue;
                    }
                    states[key] = ReplicaDeletion::started;
                    stop[b].push_back(TopicPartition{t->id, static_cast<int32_t>(p)});
                }
        }
        for (auto& [b, tps] : stop) {
            StopReplicaRequest req;
            req.controller_id = id_;
            req.controller_epoch = epoch_;
            req.broker_epoch = live_.at(b);
            req.partitions = tps;
            req.delete_partitions = false;
            channel_send(b, req, c);
            req.delete_partitions = true;
            channel_send(b, std::move(req), c);
        }
        then(c);
    });
}

// TopicDeletionStopReplicaResponseReceived: ReplicaDeletionSuccessful, or Ineligible on an error.
void ZkController::on_stop_replica_answered(BrokerId b, const StopReplicaResponse& resp, Context& ctx) {
    for (const TopicPartition& tp : resp.partitions) {
        const TopicInfo* t = topic_by_id(tp.topic_id);
        if (t == nullptr || !queued_for_deletion(t->name)) continue;
        ReplicaDeletion& st = replica_deletion_[t->name][{tp.partition, b}];
        if (resp.error == Error::none) {
            st = ReplicaDeletion::successful;
        } else {
            st = ReplicaDeletion::ineligible;
            deletion_ineligible_.insert(t->name);
        }
    }
    resume_deletions(ctx, [this](Context& c) { done(c); });
}

// TopicDeletionManager.completeDeleteTopic: every replica is deleted; the topic's znodes go.
void ZkController::complete_delete_topic(const std::string& name, Context& ctx, std::function<void(Context&)> then) {
    std::vector<std::string> paths;  // children first (deleteRecursive)
    if (const TopicInfo* t = topic(name)) {
        for (size_t p = 0; p < t->partitions.size(); ++p) {
            paths.push_back(zkdata::partition_state_path(name, static_cast<int32_t>(p)));
            paths.push_back(zkdata::partition_path(name, static_cast<int32_t>(p)));
        }
        paths.push_back(zkdata::partitions_path(name));
    }
    paths.push_back(zkdata::topic_path(name));
    paths.push_back(zkdata::topic_config_path(name));
    paths.push_back(zkdata::delete_topic_path(name));
    auto left = std::make_shared<Countdown>(Countdown{paths.size(), [this, name, then](Context& c) {
        topics_.erase(name);
        to_delete_.erase(name);
        deletion_ineligible_.erase(name);
        deletion_started_.erase(name);
        replica_deletion_.erase(name);
        then(c);
    }});
    for (const std::string& path : paths) {
        ZkOp op;
        op.kind = ZkOp::Kind::remove;
        op.path = path;
        write({op}, ctx, [left](ZkCode, const ZkResult&, Context& c) { left->one(c); });  // NONODE: never created
    }
}

// ------------------------------------------------------------------------------ requests to brokers

LeaderAndIsrPartitionState ZkController::partition_state(const TopicInfo& t, int32_t p) const {
    const PartitionInfo& info = t.partitions[static_cast<size_t>(p)];
    LeaderAndIsrPartitionState s;
    s.tp = TopicPartition{t.id, p};
    s.controller_epoch = info.state.controller_epoch;
    s.leader = info.state.leader;
    s.leader_epoch = info.state.leader_epoch;
    s.isr = info.state.isr;
    s.zk_version = info.zk_version;
    s.replicas = info.replicas;
    return s;
}

ZkTopicInfo ZkController::topic_info(const TopicInfo& t) const {
    return ZkTopicInfo{t.name, t.id, static_cast<int32_t>(t.partitions.size()), t.configs};
}

void ZkController::send_leader_and_isr(const std::vector<PartitionKey>& keys, Context& ctx,
                                       const std::set<BrokerId>* only) {
    std::map<BrokerId, LeaderAndIsrRequest> requests;
    std::map<BrokerId, std::set<std::string>> topics_for;
    for (const auto& [name, p] : keys) {
        const TopicInfo* t = topic(name);
        if (t == nullptr || queued_for_deletion(name)) continue;  // their replicas get StopReplica
        const PartitionInfo& info = t->partitions[static_cast<size_t>(p)];
        for (BrokerId b : info.replicas) {
            if (!is_live(b) || (only != nullptr && !only->count(b))) continue;
            LeaderAndIsrRequest& req = requests[b];
            req.partitions.push_back(partition_state(*t, p));
            if (topics_for[b].insert(name).second) req.topics.push_back(topic_info(*t));
        }
    }
    for (auto& [b, req] : requests) {
        req.controller_id = id_;
        req.controller_epoch = epoch_;
        req.broker_epoch = live_.at(b);
        channel_send(b, std::move(req), ctx);
    }
}

void ZkController::send_update_metadata(const std::set<BrokerId>& to, const std::vector<PartitionKey>& keys, Context& ctx) {
    if (to.empty()) return;
    UpdateMetadataRequest base;
    base.controller_id = id_;
    base.controller_epoch = epoch_;
    for (const auto& [b, e] : live_)
        if (!shutting_down_.count(b)) base.live_brokers.push_back(b);
    std::set<std::string> seen;
    for (const auto& [name, p] : keys) {
        const TopicInfo* t = topic(name);
        if (t == nullptr) continue;
        if (seen.insert(name).second) base.topics.push_back(topic_info(*t));
        base.partitions.push_back(partition_state(*t, p));
        // ControllerBrokerRequestBatch: a topic queued for deletion goes out with LeaderDuringDelete.
        if (queued_for_deletion(name)) base.partitions.back().leader = zkdata::leader_during_delete;
    }
    for (BrokerId b : to) {
        if (!is_live(b)) continue;
        UpdateMetadataRequest req = base;
        req.broker_epoch = live_.at(b);
        channel_send(b, std::move(req), ctx);
    }
}

void ZkController::channel_send(BrokerId to, Message request, Context& ctx) {
    channels_[to].queue.push_back(std::move(request));
    channel_pump(to, ctx);
}

void ZkController::channel_pump(BrokerId to, Context& ctx) {
    auto it = channels_.find(to);
    if (it == channels_.end()) return;
    Channel& ch = it->second;
    if (ch.in_flight != 0 || ch.queue.empty()) return;
    const int32_t correlation = next_correlation_++;
    Message& head = ch.queue.front();
    std::visit([&](auto& m) {
        using T = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<T, LeaderAndIsrRequest> || std::is_same_v<T, UpdateMetadataRequest> ||
                      std::is_same_v<T, StopReplicaRequest>)
            m.correlation_id = correlation;
    }, head);
    ch.in_flight = correlation;
    ctx.send(directory_.broker_node(to), head);
    ch.timer = ctx.set_timer(sim::milliseconds(controller_socket_timeout_ms), tag(timer_channel, static_cast<uint64_t>(to)));
}

void ZkController::channel_answered(sim::NodeId from, int32_t correlation_id, Context& ctx, Message* response) {
    for (auto& [b, ch] : channels_) {
        if (directory_.broker_node(b) != from || ch.in_flight != correlation_id || correlation_id == 0) continue;
        ctx.cancel_timer(ch.timer);
        ch.in_flight = 0;
        Message head = std::move(ch.queue.front());
        ch.queue.pop_front();
        const BrokerId broker = b;
        channel_pump(b, ctx);  // `ch` may not outlive what follows
        // TopicDeletionStopReplicaResponseReceived: the answer to a StopReplica(delete=true).
        if (const auto* stop = std::get_if<StopReplicaRequest>(&head); stop != nullptr && stop->delete_partitions && response != nullptr) {
            Event ev{EventKind::stop_replica_answered, from, std::move(*response)};
            ev.broker = broker;
            enqueue(std::move(ev), ctx);
        }
        return;
    }
}

}  // namespace kafka
