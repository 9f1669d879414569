#include "reports/metrics.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <optional>
#include <set>

#include "reports/fault_windows.hpp"
#include "scenarios/faults/fault_kind.hpp"
#include "scenarios/timeline.hpp"

namespace reports {

namespace {

// Columns are filled row by row; `add` returns the column's index for later `set`s.
class TableBuilder {
public:
    TableBuilder(MetricsTable& table, size_t rows) : table_(table), rows_(rows) {}
    size_t add(std::string name, int decimals = 0) {
        table_.columns.push_back({std::move(name), decimals, std::vector<double>(rows_, no_value)});
        return table_.columns.size() - 1;
    }
    void set(size_t column, size_t row, double v) { table_.columns[column].values[row] = v; }

private:
    MetricsTable& table_;
    size_t rows_;
};

std::string str(std::string_view s) { return std::string(s); }

// The interval a row covers: (previous sample, this sample]; the first row starts at 0.
sim::Duration interval_of(const MetricsTable& t, size_t row) {
    sim::Time from = row == 0 ? sim::time_zero : t.times[row - 1];
    return t.times[row] - from;
}

double per_second(int64_t count, sim::Duration d) {
    return d.us <= 0 ? no_value : static_cast<double>(count) * 1e6 / static_cast<double>(d.us);
}

double ms(int64_t us) { return static_cast<double>(us) / 1000.0; }

// A client's node name without the " (life N)" a restart adds: its columns span its lives.
std::string base_client_name(const std::string& name) {
    size_t life = name.find(" (life ");
    return life == std::string::npos ? name : name.substr(0, life);
}

// How many nodes believe they are the active controller, over time: KRaft controllers between
// controller_active and controller_inactive, ZooKeeper-mode brokers between their election and
// resignation or clean stop; a process that dies stops believing. A paused controller that lost its session
// still believes (a zombie), so the count can be 2, as the summed JMX gauge would be.
std::vector<std::pair<sim::Time, int32_t>> active_controller_counts(const scenarios::RunData& run) {
    std::vector<std::pair<sim::Time, int32_t>> out;  // (from, count)
    std::map<std::string, bool> active;
    auto record = [&](sim::Time t) {
        int32_t n = 0;
        for (const auto& [node, on] : active) n += on ? 1 : 0;
        if (out.empty() || out.back().second != n) out.push_back({t, n});
    };
    scenarios::for_each_in_order(
        run,
        [&](const kafka::TraceEntry& ev) {
            const std::string node = run.trace->node_name(ev.node);
            if (std::holds_alternative<kafka::ControllerActive>(ev.event)) active[base_client_name(node)] = true;
            else if (std::holds_alternative<kafka::ControllerInactive>(ev.event)) active[base_client_name(node)] = false;
            else if (const auto* e = std::get_if<kafka::ZkControllerElected>(&ev.event)) active["broker:" + std::to_string(e->broker)] = true;
            else if (const auto* r = std::get_if<kafka::ZkControllerResigned>(&ev.event)) active["broker:" + std::to_string(r->broker)] = false;
            // A broker that finishes a clean shutdown while it is the controller stops believing
            // it leads without resigning first (its /controller goes with its session).
            else if (const auto* b = std::get_if<kafka::BrokerStopped>(&ev.event)) active["broker:" + std::to_string(b->broker)] = false;
            else return;
            record(ev.time);
        },
        [&](const scenarios::FaultRecord& f) {
            if (!f.fired || f.is_undo || scenarios::fault_kind(f.action).window != scenarios::FaultWindowClass::node_down) return;
            for (const std::string& n : f.resolved) active[n] = false;
            record(f.at);
        });
    return out;
}

void add_cluster_columns(const scenarios::RunData& run, TableBuilder& b) {
    size_t under = b.add(str(metric::under_replicated_partitions));
    size_t offline = b.add(str(metric::offline_partitions_count));
    size_t leader = b.add(str(metric::quorum_leader));
    size_t epoch = b.add(str(metric::quorum_epoch));
    size_t hw = b.add(str(metric::quorum_high_watermark));
    size_t active = b.add(str(metric::active_controller));
    size_t active_count = b.add(str(metric::active_controller_count));
    const auto counts = active_controller_counts(run);
    size_t next_count = 0;
    int32_t believers = 0;
    for (size_t row = 0; row < run.samples.size(); ++row) {
        const scenarios::Sample& s = run.samples[row];
        int64_t under_n = 0, offline_n = 0;
        for (const auto& p : s.partitions) {
            if (p.leader < 0) ++offline_n;
            if (p.isr_size < p.replica_count) ++under_n;
        }
        b.set(under, row, static_cast<double>(under_n));
        b.set(offline, row, static_cast<double>(offline_n));
        b.set(leader, row, s.quorum_leader);
        if (s.quorum_leader >= 0) {
            b.set(epoch, row, s.quorum_epoch);
            b.set(hw, row, static_cast<double>(s.metadata_high_watermark));
        }
        b.set(active, row, s.active_controller);
        for (; next_count < counts.size() && counts[next_count].first <= s.t; ++next_count) believers = counts[next_count].second;
        b.set(active_count, row, run.trace != nullptr ? believers : (s.active_controller >= 0 ? 1 : 0));
    }
}

// Walks the history once, interval by interval: sends and acks are recorded in time order.
void add_producer_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b) {
    size_t send_total = b.add(str(metric::record_send_total));
    size_t send_rate = b.add(str(metric::record_send_rate), 1);
    size_t ack_total = b.add(str(metric::record_ack_total));
    size_t ack_rate = b.add(str(metric::record_ack_rate), 1);
    size_t error_total = b.add(str(metric::record_error_total));
    size_t error_rate = b.add(str(metric::record_error_rate), 1);
    size_t lat_avg = b.add(str(metric::request_latency_avg), 3);
    size_t lat_p50 = b.add(str(metric::request_latency_p50), 3);
    size_t lat_p99 = b.add(str(metric::request_latency_p99), 3);
    size_t lat_max = b.add(str(metric::request_latency_max), 3);
    size_t retry_total = b.add(str(metric::record_retry_total));
    size_t retry_rate = b.add(str(metric::record_retry_rate), 1);
    size_t oldest = b.add(str(metric::oldest_unacked_age_ms), 1);
    size_t unacked = b.add(str(metric::records_unacked));
    if (run.history == nullptr) return;
    const scenarios::History& h = *run.history;
    const std::vector<BatchLatency> latencies = batch_latencies(h);
    size_t next_send = 0, next_ack = 0, next_error = 0, next_latency = 0;
    int64_t sent = 0, acked = 0, failed = 0, retried = 0;
    // Batches sent and not yet acknowledged or failed for good, by (send time, batch): the
    // first is the oldest. A batch keeps its first send time through its retries.
    struct Batch {
        uint32_t client;
        kafka::TopicPartition tp;
        uint32_t first_seq;
        auto operator<=>(const Batch&) const = default;
    };
    std::map<Batch, std::pair<sim::Time, int32_t>> pending;  // -> first send, records
    std::set<std::pair<sim::Time, Batch>> by_age;
    int64_t pending_records = 0;
    std::map<std::string, uint32_t> latest_life;  // producer base name -> its latest ordinal
    auto settle = [&](const scenarios::RecordRange& r) {
        auto it = pending.find(Batch{r.client, r.tp, r.first_seq});
        if (it == pending.end()) return;
        by_age.erase({it->second.first, it->first});
        pending_records -= it->second.second;
        pending.erase(it);
    };
    std::vector<int64_t> window;
    for (size_t row = 0; row < table.times.size(); ++row) {
        const sim::Time t = table.times[row];
        const sim::Duration d = interval_of(table, row);
        int64_t sent_before = sent, acked_before = acked, failed_before = failed, retried_before = retried;
        // Sends, acks and errors in time order: a batch acknowledged in the interval it was sent
        // in never counts as pending.
        while (true) {
            const sim::Time inf = sim::Time{std::numeric_limits<int64_t>::max()};
            sim::Time ts = next_send < h.sends().size() ? h.sends()[next_send].t : inf;
            sim::Time ta = next_ack < h.acks().size() ? h.acks()[next_ack].t : inf;
            sim::Time te = next_error < h.errors().size() ? h.errors()[next_error].t : inf;
            if (ts <= ta && ts <= te && ts <= t) {
                const auto& r = h.sends()[next_send++].records;
                sent += r.count;
                // A new life of a producer: what its earlier life left in flight will never be
                // answered (the client that would hear of it is gone).
                uint32_t& latest = latest_life[base_client_name(h.client_name(r.client))];
                if (latest != 0 && latest != r.client) {
                    for (auto it = pending.begin(); it != pending.end();) {
                        if (it->first.client != latest) {
                            ++it;
                            continue;
                        }
                        by_age.erase({it->second.first, it->first});
                        pending_records -= it->second.second;
                        it = pending.erase(it);
                    }
                }
                latest = r.client;
                Batch key{r.client, r.tp, r.first_seq};
                if (pending.emplace(key, std::pair{ts, r.count}).second) {
                    by_age.insert({ts, key});
                    pending_records += r.count;
                }
            } else if (ta <= te && ta <= t) {
                const auto& r = h.acks()[next_ack++].records;
                acked += r.count;
                settle(r);
            } else if (te <= t) {
                const scenarios::ErrorOp& e = h.errors()[next_error++];
                if (e.final) {
                    failed += e.records.count;
                    settle(e.records);
                } else {
                    retried += e.records.count;
                }
            } else {
                break;
            }
        }
        b.set(retry_total, row, static_cast<double>(retried));
        b.set(retry_rate, row, per_second(retried - retried_before, d));
        b.set(unacked, row, static_cast<double>(pending_records));
        b.set(oldest, row, by_age.empty() ? 0.0 : ms((t - by_age.begin()->first).us));
        window.clear();
        for (; next_latency < latencies.size() && latencies[next_latency].acked <= t; ++next_latency)
            window.push_back(latencies[next_latency].latency.us);
        b.set(send_total, row, static_cast<double>(sent));
        b.set(send_rate, row, per_second(sent - sent_before, d));
        b.set(ack_total, row, static_cast<double>(acked));
        b.set(ack_rate, row, per_second(acked - acked_before, d));
        b.set(error_total, row, static_cast<double>(failed));
        b.set(error_rate, row, per_second(failed - failed_before, d));
        if (window.empty()) continue;  // nothing acknowledged: no latency, not zero latency
        int64_t sum = 0, max = 0;
        for (int64_t v : window) {
            sum += v;
            max = std::max(max, v);
        }
        b.set(lat_avg, row, ms(sum) / static_cast<double>(window.size()));
        b.set(lat_p50, row, ms(percentile(window, 50)));
        b.set(lat_p99, row, ms(percentile(window, 99)));
        b.set(lat_max, row, ms(max));
    }
}

// Each acknowledged record's fate in the final committed logs (FinalLogCopies), per interval of
// its acknowledgement.
void add_fate_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b) {
    size_t ok_total = b.add(str(metric::records_acked_ok_total));
    size_t lost_total = b.add(str(metric::records_lost_total));
    size_t dup_total = b.add(str(metric::records_duplicated_total));
    if (run.history == nullptr) return;
    const FinalLogCopies copies(run);
    if (!copies.judged()) return;  // empty cells: not judged, which is not "ok"
    const scenarios::History& h = *run.history;
    int64_t ok = 0, lost = 0, dup = 0;
    size_t next = 0;
    for (size_t row = 0; row < table.times.size(); ++row) {
        for (; next < h.acks().size() && h.acks()[next].t <= table.times[row]; ++next) {
            const scenarios::AckOp& a = h.acks()[next];
            for (uint32_t seq = a.records.first_seq; seq < a.records.end_seq(); ++seq) {
                const int64_t offset = a.base_offset < 0 ? -1 : a.base_offset + (seq - a.records.first_seq);
                std::optional<int> k = copies.copies(a.records.client, a.records.tp, seq, offset);
                (!k || *k == 1 ? ok : *k == 0 ? lost : dup) += 1;
            }
        }
        b.set(ok_total, row, static_cast<double>(ok));
        b.set(lost_total, row, static_cast<double>(lost));
        b.set(dup_total, row, static_cast<double>(dup));
    }
}

void add_partition_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b) {
    const bool transactions = has_transactions(run);
    size_t partitions = 0;
    for (const auto& s : run.samples) partitions = std::max(partitions, s.partitions.size());
    for (size_t i = 0; i < partitions; ++i) {
        std::string label = i < run.final_state.partitions.size() ? run.final_state.partitions[i].label()
                                                                   : "partition-" + std::to_string(i);
        table.partitions.push_back(label);
        size_t leader = b.add(entity_column(label, metric::leader));
        size_t epoch = b.add(entity_column(label, metric::leader_epoch));
        size_t isr = b.add(entity_column(label, metric::isr_count));
        size_t replicas = b.add(entity_column(label, metric::replicas_count));
        size_t hw = b.add(entity_column(label, metric::high_watermark));
        size_t leo = b.add(entity_column(label, metric::log_end_offset));
        size_t lso = b.add(entity_column(label, metric::log_start_offset));
        std::optional<size_t> stable, stable_lag;
        if (transactions) {
            stable = b.add(entity_column(label, metric::last_stable_offset));
            stable_lag = b.add(entity_column(label, metric::last_stable_offset_lag));
        }
        for (size_t row = 0; row < run.samples.size(); ++row) {
            const auto& ps = run.samples[row].partitions;
            if (i >= ps.size()) continue;  // the topic did not exist yet
            const scenarios::PartitionSample& p = ps[i];
            b.set(leader, row, p.leader);
            b.set(epoch, row, p.leader_epoch);
            b.set(isr, row, p.isr_size);
            b.set(replicas, row, p.replica_count);
            if (p.high_watermark >= 0) b.set(hw, row, static_cast<double>(p.high_watermark));
            if (p.log_end_offset >= 0) b.set(leo, row, static_cast<double>(p.log_end_offset));
            if (p.log_start_offset >= 0) b.set(lso, row, static_cast<double>(p.log_start_offset));
            if (stable && p.last_stable_offset >= 0 && p.high_watermark >= 0) {
                b.set(*stable, row, static_cast<double>(p.last_stable_offset));
                b.set(*stable_lag, row, static_cast<double>(p.high_watermark - p.last_stable_offset));
            }
        }
    }
}

void add_consumer_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b) {
    if (run.samples.empty() || run.history == nullptr) return;
    const scenarios::History& h = *run.history;
    const auto& first = run.samples.front().consumers;
    struct Columns {
        size_t lag_sum, lag_max, consumed_rate;
    };
    std::vector<Columns> columns;
    std::map<std::string, size_t> by_name;  // base client name -> consumer index
    for (size_t i = 0; i < first.size(); ++i) {
        std::string name = h.client_name(first[i].consumer);
        table.consumers.push_back(name);
        by_name[name] = i;
        columns.push_back({b.add(entity_column(name, metric::records_lag_sum)),
                           b.add(entity_column(name, metric::records_lag_max)),
                           b.add(entity_column(name, metric::records_consumed_rate), 1)});
    }
    // Polls carry the ordinal of the consumer's current life; map each to its column.
    std::vector<std::optional<size_t>> consumer_of(h.client_count());
    for (uint32_t ord = 1; ord < h.client_count(); ++ord) {
        auto it = by_name.find(base_client_name(h.client_name(ord)));
        if (it != by_name.end()) consumer_of[ord] = it->second;
    }
    // A crashed consumer has no lag of its own (no position to fetch from): no value while it is
    // down, not zero. Its partitions' lag shows in its group's position-lag-sum.
    std::vector<std::vector<std::pair<sim::Time, sim::Time>>> down(first.size());
    for (const FaultWindow& w : fault_windows(run)) {
        if (w.kind != FaultWindow::Kind::node_down) continue;
        for (const std::string& node : run.faults[w.record].resolved) {
            auto it = by_name.find(base_client_name(node));
            if (it != by_name.end()) down[it->second].push_back({w.from, w.until});
        }
    }
    auto is_down = [&](size_t i, sim::Time t) {
        return std::any_of(down[i].begin(), down[i].end(), [&](const auto& d) { return t > d.first && t < d.second; });
    };
    std::vector<int64_t> consumed(first.size());
    size_t next_poll = 0;
    for (size_t row = 0; row < run.samples.size(); ++row) {
        const scenarios::Sample& s = run.samples[row];
        std::fill(consumed.begin(), consumed.end(), 0);
        for (; next_poll < h.polls().size() && h.polls()[next_poll].t <= s.t; ++next_poll) {
            const scenarios::PollOp& p = h.polls()[next_poll];
            if (p.consumer < consumer_of.size() && consumer_of[p.consumer]) consumed[*consumer_of[p.consumer]] += p.count;
        }
        for (size_t i = 0; i < columns.size() && i < s.consumers.size(); ++i) {
            b.set(columns[i].consumed_rate, row, per_second(consumed[i], interval_of(table, row)));
            if (is_down(i, s.t)) continue;
            b.set(columns[i].lag_sum, row, static_cast<double>(s.consumers[i].lag));
            b.set(columns[i].lag_max, row, static_cast<double>(s.consumers[i].lag_max));
        }
    }
}

// The group's own view of what is unread, from positions (see metric::group_position_lag).
// Walks assignments, polls and commits sample by sample; per partition the owner is the member
// whose newest assignment (by generation) holds it.
void add_group_position_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b,
                                const std::string& group, const std::string& entity) {
    if (run.history == nullptr) return;
    const scenarios::History& h = *run.history;
    // The group's partitions: those of the topics its consumers subscribe to, in sample order.
    std::set<std::string> topics;
    for (const auto& c : run.scenario.consumers)
        if (c.group && *c.group == group) topics.insert(c.topics.begin(), c.topics.end());
    std::vector<size_t> parts;  // indexes into the samples' partitions
    std::map<kafka::TopicPartition, size_t> slot;
    for (size_t i = 0; i < run.final_state.partitions.size(); ++i)
        if (topics.count(run.final_state.partitions[i].topic) != 0) {
            slot[run.final_state.partitions[i].tp] = parts.size();
            parts.push_back(i);
        }
    // Members of the group, by client ordinal (every life of a member).
    std::vector<bool> member(h.client_count(), false);
    const std::string prefix = "consumer:" + group + "/";
    for (uint32_t ord = 1; ord < h.client_count(); ++ord) member[ord] = h.client_name(ord).rfind(prefix, 0) == 0;

    size_t position_sum = b.add(entity_column(entity, metric::group_position_lag));
    size_t max_seconds = b.add(entity_column(entity, metric::group_max_lag_seconds), 1);
    std::vector<size_t> per_partition;
    for (size_t i : parts)
        per_partition.push_back(b.add(entity_column(entity + "." + run.final_state.partitions[i].label(), metric::partition_lag)));

    // Running maximum of each partition's high watermark, per sample.
    const size_t rows = run.samples.size();
    std::vector<std::vector<int64_t>> hw_max(parts.size(), std::vector<int64_t>(rows, 0));
    for (size_t k = 0; k < parts.size(); ++k) {
        int64_t best = 0;
        for (size_t row = 0; row < rows; ++row) {
            const auto& ps = run.samples[row].partitions;
            if (parts[k] < ps.size()) best = std::max(best, ps[parts[k]].high_watermark);
            hw_max[k][row] = best;
        }
    }
    struct State {
        uint32_t owner = 0;       // 0: nobody holds it
        int32_t owner_generation = -1;
        uint32_t last_reader = 0;
        bool owner_read = false;  // the owner polled it since it was handed the partition
        int64_t position = -1;    // of the last read
        int64_t committed = -1;
    };
    std::vector<State> st(parts.size());
    size_t next_assign = 0, next_poll = 0, next_commit = 0;
    const auto& assigns = h.assignments();
    const auto& polls = h.polls();
    const auto& commits = h.commits();
    for (size_t row = 0; row < rows; ++row) {
        const sim::Time t = table.times[row];
        // Assignments and polls in their exact order (polls_before), then the commits.
        while (true) {
            bool assign_due = next_assign < assigns.size() && assigns[next_assign].t <= t &&
                              assigns[next_assign].polls_before <= next_poll;
            bool poll_due = next_poll < polls.size() && polls[next_poll].t <= t;
            if (assign_due) {
                const scenarios::AssignmentOp& a = assigns[next_assign++];
                if (a.consumer >= member.size() || !member[a.consumer]) continue;
                for (State& x : st)
                    if (x.owner == a.consumer) x.owner = 0;
                for (const auto& tp : a.partitions) {
                    auto it = slot.find(tp);
                    if (it == slot.end()) continue;
                    State& x = st[it->second];
                    if (x.owner != 0 && x.owner_generation > a.generation) continue;
                    x.owner = a.consumer;
                    x.owner_generation = a.generation;
                    x.owner_read = x.last_reader == a.consumer;
                }
            } else if (poll_due) {
                const scenarios::PollOp& p = polls[next_poll++];
                if (p.consumer >= member.size() || !member[p.consumer]) continue;
                auto it = slot.find(p.tp);
                if (it == slot.end()) continue;
                State& x = st[it->second];
                if (x.owner == 0) x.owner = p.consumer;  // a protocol that told no assignment
                if (x.owner != p.consumer) continue;
                x.position = p.first_offset + p.count;
                x.owner_read = true;
                x.last_reader = p.consumer;
            } else {
                break;
            }
        }
        for (; next_commit < commits.size() && commits[next_commit].t <= t; ++next_commit) {
            const scenarios::CommitOp& c = commits[next_commit];
            if (c.consumer >= member.size() || !member[c.consumer]) continue;
            auto it = slot.find(c.tp);
            if (it != slot.end()) st[it->second].committed = c.offset;
        }
        int64_t sum = 0;
        std::optional<sim::Duration> worst;
        bool any = false;
        for (size_t k = 0; k < parts.size(); ++k) {
            const State& x = st[k];
            // A new owner that has not read yet starts from the committed offset.
            int64_t pos = x.owner != 0 && !x.owner_read && x.committed >= 0 ? x.committed : x.position;
            if (pos < 0) pos = x.committed;
            if (pos < 0) continue;  // nobody has read or committed it yet
            any = true;
            const int64_t lag = std::max<int64_t>(0, hw_max[k][row] - pos);
            sum += lag;
            b.set(per_partition[k], row, static_cast<double>(lag));
            if (auto d = time_lag(table.times, hw_max[k], row, pos)) worst = std::max(worst.value_or(*d), *d);
        }
        if (!any) continue;
        b.set(position_sum, row, static_cast<double>(sum));
        b.set(max_seconds, row, static_cast<double>(worst.value_or(sim::Duration{0}).us) / 1e6);
    }
}

void add_group_columns(const scenarios::RunData& run, MetricsTable& table, TableBuilder& b) {
    if (run.samples.empty()) return;
    struct Columns {
        size_t lag_sum, lag_max, members, generation, committed;
    };
    std::vector<Columns> columns;
    for (const auto& g : run.samples.front().groups) {
        std::string entity = "group:" + g.group;
        table.groups.push_back(entity);
        columns.push_back({b.add(entity_column(entity, metric::records_lag_sum)),
                           b.add(entity_column(entity, metric::records_lag_max)),
                           b.add(entity_column(entity, metric::group_members)),
                           b.add(entity_column(entity, metric::group_generation)),
                           b.add(entity_column(entity, metric::group_committed_partitions))});
        add_group_position_columns(run, table, b, g.group, entity);
    }
    for (size_t row = 0; row < run.samples.size(); ++row) {
        const auto& groups = run.samples[row].groups;
        for (size_t i = 0; i < columns.size() && i < groups.size(); ++i) {
            const scenarios::GroupSample& g = groups[i];
            b.set(columns[i].members, row, g.members);
            b.set(columns[i].generation, row, g.generation);
            b.set(columns[i].committed, row, g.committed_partitions);
            if (g.committed_partitions == 0) continue;  // nothing committed yet: no lag to speak of
            b.set(columns[i].lag_sum, row, static_cast<double>(g.lag));
            b.set(columns[i].lag_max, row, static_cast<double>(g.lag_max));
        }
    }
}

// Fixed decimals, no locale: the same bytes for the same number on every run.
std::string format_cell(double v, int decimals) {
    if (std::isnan(v)) return "";
    char buf[64];
    if (decimals == 0) {
        std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
    } else {
        std::snprintf(buf, sizeof buf, "%.*f", decimals, v);
    }
    return buf;
}

// A CSV field: quoted when it holds a comma or a quote (topic names may not, group names may).
std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

void add_transaction_columns(const scenarios::RunData& run, TableBuilder& b) {
    if (!has_transactions(run)) return;
    size_t open = b.add(str(metric::open_transactions));
    for (size_t row = 0; row < run.samples.size(); ++row) {
        int64_t n = 0;
        for (const auto& p : run.samples[row].partitions) n += static_cast<int64_t>(p.open_transactions.size());
        b.set(open, row, static_cast<double>(n));
    }
}

}  // namespace

bool has_transactions(const scenarios::RunData& run) {
    for (const auto& s : run.samples)
        for (const auto& p : s.partitions)
            if (!p.open_transactions.empty() ||
                (p.last_stable_offset >= 0 && p.high_watermark >= 0 && p.last_stable_offset < p.high_watermark))
                return true;
    return false;
}

std::string entity_column(std::string_view entity, std::string_view metric_name) {
    return std::string(entity) + "." + std::string(metric_name);
}

const MetricColumn* MetricsTable::find(std::string_view name) const {
    for (const auto& c : columns)
        if (c.name == name) return &c;
    return nullptr;
}

std::vector<BatchLatency> batch_latencies(const scenarios::History& history) {
    struct Key {
        uint32_t client;
        kafka::TopicPartition tp;
        uint32_t first_seq;
        auto operator<=>(const Key&) const = default;
    };
    std::map<Key, sim::Time> in_flight;
    std::vector<BatchLatency> out;
    out.reserve(history.acks().size());
    size_t next_send = 0;
    const auto& sends = history.sends();
    for (const scenarios::AckOp& ack : history.acks()) {
        // A batch is sent before it is acknowledged: take in the sends up to this ack.
        for (; next_send < sends.size() && sends[next_send].t <= ack.t; ++next_send) {
            const auto& r = sends[next_send].records;
            in_flight.emplace(Key{r.client, r.tp, r.first_seq}, sends[next_send].t);
        }
        auto it = in_flight.find(Key{ack.records.client, ack.records.tp, ack.records.first_seq});
        if (it == in_flight.end()) continue;  // re-sequenced after an epoch bump: not matched
        out.push_back({ack.t, ack.t - it->second});
        in_flight.erase(it);
    }
    return out;
}

FinalLogCopies::FinalLogCopies(const scenarios::RunData& run) {
    for (const scenarios::PartitionSnapshot& p : run.final_state.partitions) {
        const scenarios::ReplicaSnapshot* src = p.committed_source();
        if (src == nullptr) continue;
        if (p.committed_end() > src->log_start_offset && src->batches.empty()) judged_ = false;  // no logs kept
        log_start_[p.tp] = src->log_start_offset;
        const int64_t end = p.committed_end();
        for (const kafka::RecordBatch& batch : src->batches) {
            if (batch.client == 0 || batch.base_offset >= end) continue;
            const size_t n = static_cast<size_t>(std::min<int64_t>(batch.record_count, end - batch.base_offset));
            std::vector<uint8_t>& c = copies_[{batch.client, p.tp}];
            if (c.size() < batch.first_seq + n) c.resize(batch.first_seq + n, 0);
            for (size_t i = 0; i < n; ++i) {
                uint8_t& k = c[batch.first_seq + i];
                if (k < 255) ++k;
            }
        }
    }
}

std::optional<int> FinalLogCopies::copies(uint32_t client, kafka::TopicPartition tp, uint32_t seq, int64_t offset) const {
    if (offset < 0 || !judged_) return std::nullopt;
    auto start = log_start_.find(tp);
    if (start != log_start_.end() && offset < start->second) return std::nullopt;
    auto it = copies_.find({client, tp});
    return it == copies_.end() || seq >= it->second.size() ? 0 : it->second[seq];
}

std::optional<sim::Duration> time_lag(const std::vector<sim::Time>& times, const std::vector<int64_t>& hw_max,
                                      size_t row, int64_t position) {
    if (row >= times.size() || row >= hw_max.size()) return std::nullopt;
    if (hw_max[row] <= position) return sim::Duration{0};
    // The first sample whose high watermark is past `position`: the record became readable then.
    auto first = std::upper_bound(hw_max.begin(), hw_max.begin() + static_cast<std::ptrdiff_t>(row) + 1, position);
    return times[row] - times[static_cast<size_t>(first - hw_max.begin())];
}

int64_t percentile(std::vector<int64_t> values, int p) {
    if (values.empty()) return 0;
    size_t rank = (values.size() * static_cast<size_t>(p) + 99) / 100;  // ceil(n * p / 100)
    size_t index = rank == 0 ? 0 : rank - 1;
    std::nth_element(values.begin(), values.begin() + static_cast<std::ptrdiff_t>(index), values.end());
    return values[index];
}

MetricsTable build_metrics(const scenarios::RunData& run) {
    MetricsTable table;
    for (const auto& s : run.samples) table.times.push_back(s.t);
    TableBuilder b(table, table.times.size());
    size_t time = b.add(str(metric::time_s), 3);
    for (size_t row = 0; row < table.times.size(); ++row)
        b.set(time, row, static_cast<double>(table.times[row].us) / 1e6);
    add_cluster_columns(run, b);
    add_producer_columns(run, table, b);
    add_fate_columns(run, table, b);
    add_partition_columns(run, table, b);
    add_consumer_columns(run, table, b);
    add_group_columns(run, table, b);
    add_transaction_columns(run, b);
    return table;
}

void write_metrics_csv(std::ostream& out, const MetricsTable& table) {
    for (size_t c = 0; c < table.columns.size(); ++c) out << (c ? "," : "") << csv_field(table.columns[c].name);
    out << "\n";
    for (size_t row = 0; row < table.times.size(); ++row) {
        for (size_t c = 0; c < table.columns.size(); ++c) {
            const MetricColumn& col = table.columns[c];
            out << (c ? "," : "") << format_cell(col.values[row], col.decimals);
        }
        out << "\n";
    }
}

}  // namespace reports
