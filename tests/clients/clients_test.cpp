// Producer and consumer clients against a fake single-broker node.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "broker/log/producer_state.hpp"
#include "broker/world.hpp"
#include "clients/client_events.hpp"
#include "clients/consumer_client.hpp"
#include "clients/murmur2.hpp"
#include "clients/producer_client.hpp"

namespace {

using kafka::Error;
using kafka::RecordBatch;
using kafka::TopicPartition;

constexpr kafka::TopicId test_topic_id = 7;

// One broker that leads every partition of one topic: appends produce batches to an
// in-memory log per partition (HW = LEO), answers Fetch (long poll up to max_wait) and
// ListOffsets. Idempotent batches are deduplicated by (producer id, epoch, base sequence); with
// producer_rules the broker's own ProducerState (ProducerAppendInfo's rules of a release) decides.
struct FakeBroker : kafka::Node {
    struct Options {
        std::string topic = "t";
        int32_t partitions = 3;
        bool ignore_produce = false;        // never answer (nor append) produce requests
        int drop_every_nth_response = 0;    // append, but do not answer every nth produce request
        sim::Time not_leader_until;         // answer produce requests NOT_LEADER_OR_FOLLOWER before this
        int not_leader_first_n = 0;         // and the first n produce requests (a flapping leader)
        // The first n produce requests answer UNKNOWN_TOPIC_OR_PARTITION: they reached the leader
        // before it applied the topic's creation.
        int unknown_topic_first_n = 0;
        sim::Duration ack_delay;            // written batches are acknowledged this much later (acks=all)
        std::optional<kafka::Behaviour> producer_rules;
    };
    Options opt;
    std::vector<std::vector<RecordBatch>> logs;
    std::vector<int64_t> leo;
    int64_t log_start = 0;  // every partition's log start offset (a test moves it, as retention would)
    uint64_t produce_requests = 0;
    uint64_t metadata_requests = 0;
    uint64_t fetch_requests = 0;
    // (producer id, partition) -> (epoch, next sequence)
    std::map<std::pair<int64_t, int32_t>, std::pair<int16_t, int32_t>> next_sequence;
    std::vector<kafka::ProducerState> producer_states;  // per partition, with producer_rules
    std::map<uint64_t, std::pair<sim::NodeId, kafka::ProduceResponse>> held_acks;
    struct PendingFetch {
        sim::NodeId from;
        kafka::FetchRequest req;
    };
    std::map<uint64_t, PendingFetch> pending;
    uint64_t next_pending = 1;

    explicit FakeBroker(Options o) : opt(std::move(o)) {
        logs.resize(static_cast<size_t>(opt.partitions));
        leo.assign(static_cast<size_t>(opt.partitions), 0);
        producer_states.resize(static_cast<size_t>(opt.partitions));
    }
    void on_start(kafka::Context&) override {}

    void on_message(sim::NodeId from, kafka::Message& msg, kafka::Context& ctx) override {
        if (auto* m = std::get_if<kafka::MetadataRequest>(&msg)) {
            ++metadata_requests;
            kafka::MetadataResponse resp;
            resp.correlation_id = m->correlation_id;
            resp.brokers = {1};
            resp.controller_id = 1;
            kafka::TopicMetadata tm;
            tm.name = opt.topic;
            tm.topic_id = test_topic_id;
            for (int32_t p = 0; p < opt.partitions; ++p) {
                kafka::PartitionMetadata pm;
                pm.partition = p;
                pm.leader = 1;
                pm.leader_epoch = 0;
                pm.replicas = {1};
                pm.isr = {1};
                tm.partitions.push_back(pm);
            }
            for (const auto& name : m->topics) {
                if (name == opt.topic) {
                    resp.topics.push_back(tm);
                } else {
                    kafka::TopicMetadata unknown;
                    unknown.name = name;
                    unknown.error = Error::unknown_topic_or_partition;
                    resp.topics.push_back(unknown);
                }
            }
            ctx.send(from, std::move(resp));
        } else if (auto* p = std::get_if<kafka::ProduceRequest>(&msg)) {
            ++produce_requests;
            if (opt.ignore_produce) return;
            kafka::ProduceResponse resp;
            resp.correlation_id = p->correlation_id;
            const bool not_leader = ctx.now() < opt.not_leader_until ||
                                    produce_requests <= static_cast<uint64_t>(opt.not_leader_first_n);
            const bool unknown_topic = produce_requests <= static_cast<uint64_t>(opt.unknown_topic_first_n);
            bool written = false;
            for (const auto& pd : p->partitions) {
                resp.partitions.push_back(unknown_topic ? refused(pd, Error::unknown_topic_or_partition)
                                                        : append(pd, not_leader));
                written = written || resp.partitions.back().error == Error::none;
            }
            if (p->acks == 0) {
                wake_fetches(ctx);
                return;
            }
            wake_fetches(ctx);
            if (opt.drop_every_nth_response > 0 && produce_requests % static_cast<uint64_t>(opt.drop_every_nth_response) == 0)
                return;
            if (written && opt.ack_delay > sim::Duration{}) {
                uint64_t id = next_pending++;
                held_acks.emplace(id, std::make_pair(from, std::move(resp)));
                ctx.set_timer(opt.ack_delay, id);
                return;
            }
            ctx.send(from, std::move(resp));
        } else if (auto* f = std::get_if<kafka::FetchRequest>(&msg)) {
            ++fetch_requests;
            kafka::FetchResponse resp = answer_fetch(*f);
            bool any = false;
            for (const auto& pd : resp.partitions) any = any || !pd.batches.empty() || pd.error != Error::none;
            if (any || f->max_wait_ms <= 0) {
                ctx.send(from, std::move(resp));
                return;
            }
            uint64_t id = next_pending++;
            pending.emplace(id, PendingFetch{from, *f});
            ctx.set_timer(sim::milliseconds(f->max_wait_ms), id);
        } else if (auto* l = std::get_if<kafka::ListOffsetsRequest>(&msg)) {
            kafka::ListOffsetsResponse resp;
            resp.correlation_id = l->correlation_id;
            for (const auto& pd : l->partitions) {
                kafka::ListOffsetsResponse::PartitionData out;
                out.tp = pd.tp;
                out.leader_epoch = 0;
                if (pd.tp.partition < 0 || pd.tp.partition >= opt.partitions) {
                    out.error = Error::unknown_topic_or_partition;
                } else {
                    const int64_t end = leo[static_cast<size_t>(pd.tp.partition)];
                    out.offset = pd.timestamp == kafka::ListOffsetsRequest::earliest ? std::min(log_start, end) : end;
                }
                resp.partitions.push_back(out);
            }
            ctx.send(from, std::move(resp));
        }
    }

    void on_timer(uint64_t tag, kafka::Context& ctx) override {
        if (auto held = held_acks.find(tag); held != held_acks.end()) {
            ctx.send(held->second.first, std::move(held->second.second));
            held_acks.erase(held);
            return;
        }
        auto it = pending.find(tag);
        if (it == pending.end()) return;
        PendingFetch pf = std::move(it->second);
        pending.erase(it);
        ctx.send(pf.from, answer_fetch(pf.req));
    }

    // A delayed fetch completes as soon as it has data (DelayedFetch, min.bytes = 1).
    void wake_fetches(kafka::Context& ctx) {
        for (auto it = pending.begin(); it != pending.end();) {
            kafka::FetchResponse resp = answer_fetch(it->second.req);
            bool any = false;
            for (const auto& pd : resp.partitions) any = any || !pd.batches.empty() || pd.error != Error::none;
            if (!any) {
                ++it;
                continue;
            }
            ctx.send(it->second.from, std::move(resp));
            it = pending.erase(it);
        }
    }

    static kafka::ProduceResponse::PartitionResponse refused(const kafka::ProduceRequest::PartitionData& pd, Error e) {
        kafka::ProduceResponse::PartitionResponse out;
        out.tp = pd.tp;
        out.error = e;
        return out;
    }

    kafka::ProduceResponse::PartitionResponse append(const kafka::ProduceRequest::PartitionData& pd, bool not_leader) {
        kafka::ProduceResponse::PartitionResponse out;
        out.tp = pd.tp;
        const int32_t p = pd.tp.partition;
        if (not_leader) {
            out.error = Error::not_leader_or_follower;
            return out;
        }
        if (p < 0 || p >= opt.partitions || pd.tp.topic_id != test_topic_id) {
            out.error = Error::unknown_topic_or_partition;
            return out;
        }
        RecordBatch b = pd.batch;
        auto& log = logs[static_cast<size_t>(p)];
        if (opt.producer_rules && b.producer_id >= 0) {
            auto& state = producer_states[static_cast<size_t>(p)];
            int64_t duplicate_offset = -1;
            switch (state.check(b, duplicate_offset, *opt.producer_rules, leo[static_cast<size_t>(p)] == 0)) {
                case kafka::ProducerState::Verdict::duplicate:
                    out.base_offset = duplicate_offset;
                    return out;
                case kafka::ProducerState::Verdict::out_of_order: return refused(pd, Error::out_of_order_sequence_number);
                case kafka::ProducerState::Verdict::fenced_epoch: return refused(pd, Error::invalid_producer_epoch);
                case kafka::ProducerState::Verdict::unknown_producer_id: return refused(pd, Error::unknown_producer_id);
                case kafka::ProducerState::Verdict::invalid_txn_state: return refused(pd, Error::invalid_txn_state);
                case kafka::ProducerState::Verdict::coordinator_fenced:
                    return refused(pd, Error::transaction_coordinator_fenced);
                case kafka::ProducerState::Verdict::append: break;
            }
            b.base_offset = leo[static_cast<size_t>(p)];
            state.update(b);
        } else if (b.producer_id >= 0) {
            for (auto old = log.rbegin(); old != log.rend() && old - log.rbegin() < 64; ++old)
                if (old->producer_id == b.producer_id && old->producer_epoch == b.producer_epoch &&
                    old->base_sequence == b.base_sequence && old->record_count == b.record_count) {
                    out.error = Error::duplicate_sequence_number;
                    out.base_offset = old->base_offset;
                    return out;
                }
            auto key = std::make_pair(b.producer_id, p);
            auto it = next_sequence.find(key);
            if (it != next_sequence.end()) {
                const auto [epoch, next] = it->second;
                if (b.producer_epoch < epoch) return refused(pd, Error::invalid_producer_epoch);
                if (b.base_sequence != (b.producer_epoch > epoch ? 0 : next))
                    return refused(pd, Error::out_of_order_sequence_number);
            }
            next_sequence[key] = {b.producer_epoch, b.base_sequence + b.record_count};
        }
        b.base_offset = leo[static_cast<size_t>(p)];
        b.leader_epoch = 0;
        leo[static_cast<size_t>(p)] += b.record_count;
        log.push_back(b);
        out.base_offset = b.base_offset;
        out.log_start_offset = 0;
        return out;
    }

    kafka::FetchResponse answer_fetch(const kafka::FetchRequest& f) const {
        kafka::FetchResponse resp;
        resp.correlation_id = f.correlation_id;
        for (const auto& pd : f.partitions) {
            kafka::FetchResponse::PartitionData out;
            out.tp = pd.tp;
            const int32_t p = pd.tp.partition;
            if (p < 0 || p >= opt.partitions) {
                out.error = Error::unknown_topic_or_partition;
                resp.partitions.push_back(out);
                continue;
            }
            out.high_watermark = leo[static_cast<size_t>(p)];
            out.log_start_offset = std::min(log_start, out.high_watermark);
            if (pd.fetch_offset > out.high_watermark || pd.fetch_offset < out.log_start_offset) {
                out.error = Error::offset_out_of_range;
                resp.partitions.push_back(out);
                continue;
            }
            int64_t bytes = 0;
            const auto& log = logs[static_cast<size_t>(p)];
            auto it = std::partition_point(log.begin(), log.end(),
                                           [&](const RecordBatch& b) { return b.next_offset() <= pd.fetch_offset; });
            for (; it != log.end(); ++it) {
                if (!out.batches.empty() && bytes + it->size_bytes > pd.partition_max_bytes) break;
                out.batches.push_back(*it);
                bytes += it->size_bytes;
            }
            resp.partitions.push_back(out);
        }
        return resp;
    }

    int64_t total_records() const {
        int64_t n = 0;
        for (int64_t v : leo) n += v;
        return n;
    }
};

struct Recorder : kafka::ClientEvents {
    struct Range {
        uint32_t client;
        sim::Time t;
        TopicPartition tp;
        uint32_t first_seq;
        int32_t count;
        int64_t base_offset = -1;
        Error error = Error::none;
        bool final = false;
    };
    struct Poll {
        uint32_t client;
        sim::Time t;
        TopicPartition tp;
        RecordBatch batch;
        int64_t first_offset;
        int32_t count;
    };
    std::vector<Range> sends, acks, errors;
    std::vector<Poll> polls;

    void on_send(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count) override {
        sends.push_back(Range{client, t, tp, first_seq, count});
    }
    void on_ack(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count,
                int64_t base_offset) override {
        Range r{client, t, tp, first_seq, count};
        r.base_offset = base_offset;
        acks.push_back(r);
    }
    void on_error(uint32_t client, sim::Time t, TopicPartition tp, uint32_t first_seq, int32_t count, Error error,
                  bool final) override {
        Range r{client, t, tp, first_seq, count};
        r.error = error;
        r.final = final;
        errors.push_back(r);
    }
    void on_poll(uint32_t client, sim::Time t, TopicPartition tp, const RecordBatch& batch, int64_t first_offset,
                 int32_t count) override {
        polls.push_back(Poll{client, t, tp, batch, first_offset, count});
    }
};

struct Cluster {
    kafka::World world;
    kafka::ClusterDirectory dir;
    sim::NodeId broker;
    Recorder events;

    explicit Cluster(FakeBroker::Options opt, uint64_t seed = 42) : world(seed, sim::NetworkOptions{}) {
        broker = world.add_node("broker:1", [opt] { return std::make_unique<FakeBroker>(opt); });
        dir.brokers[1] = broker;
        world.start(broker);
    }
    FakeBroker& fake() { return *world.node_as<FakeBroker>(broker); }

    sim::NodeId add_producer(uint32_t ordinal, kafka::ProducerConfig config, kafka::WorkloadSpec workload,
                             std::string topic = "t") {
        sim::NodeId id = world.add_node("producer:" + std::to_string(ordinal), [this, ordinal, config, workload, topic] {
            return std::make_unique<kafka::ProducerClient>(ordinal, topic, config, workload, dir, &events);
        });
        world.start(id);
        return id;
    }
    kafka::ProducerClient& producer(sim::NodeId id) { return *world.node_as<kafka::ProducerClient>(id); }

    sim::NodeId add_consumer(uint32_t ordinal, kafka::ConsumerConfig config, std::optional<double> rate,
                             sim::Time from = sim::time_zero, sim::Time until = sim::time_never) {
        sim::NodeId id = world.add_node("consumer:" + std::to_string(ordinal), [this, ordinal, config, rate, from, until] {
            return std::make_unique<kafka::ConsumerClient>(ordinal, std::vector<std::string>{"t"}, config, rate, from,
                                                           until, dir, &events);
        });
        world.start(id);
        return id;
    }
    kafka::ConsumerClient& consumer(sim::NodeId id) { return *world.node_as<kafka::ConsumerClient>(id); }

    void run_for(sim::Duration d) { world.run_until(world.now() + d); }
};

kafka::WorkloadSpec workload(double rate, int keys, sim::Duration from, sim::Duration until) {
    kafka::WorkloadSpec w;
    w.rate_per_s = rate;
    w.keys = keys;
    w.from = sim::time_zero + from;
    w.until = sim::time_zero + until;
    return w;
}

// Per partition, the acknowledged sequence ranges must tile [0, n) exactly once.
void require_contiguous_acks(const Recorder& ev, uint32_t client, std::map<int32_t, uint32_t>* totals = nullptr) {
    std::map<int32_t, std::vector<std::pair<uint32_t, int32_t>>> by_partition;
    for (const auto& a : ev.acks)
        if (a.client == client) by_partition[a.tp.partition].emplace_back(a.first_seq, a.count);
    for (auto& [p, ranges] : by_partition) {
        std::sort(ranges.begin(), ranges.end());
        uint32_t expect = 0;
        for (const auto& [first, count] : ranges) {
            REQUIRE(first == expect);
            REQUIRE(count > 0);
            expect += static_cast<uint32_t>(count);
        }
        if (totals) (*totals)[p] = expect;
    }
}

// The broker log of a partition holds each (client, seq) exactly once, in sequence order.
void require_log_in_order_once(const FakeBroker& b, int32_t p, uint32_t client, uint32_t expected_records) {
    uint32_t next = 0;
    int64_t offset = 0;
    for (const auto& batch : b.logs[static_cast<size_t>(p)]) {
        REQUIRE(batch.base_offset == offset);
        offset = batch.next_offset();
        if (batch.client != client) continue;
        REQUIRE(batch.first_seq == next);
        next += static_cast<uint32_t>(batch.record_count);
    }
    REQUIRE(next == expected_records);
}

}  // namespace

TEST_CASE("murmur2 matches Kafka's Utils.murmur2 test vectors") {
    CHECK(kafka::murmur2("21") == -973932308);
    CHECK(kafka::murmur2("foobar") == -790332482);
    CHECK(kafka::murmur2("a-little-bit-long-string") == -985981536);
    CHECK(kafka::murmur2("a-little-bit-longer-string") == -1486304829);
    CHECK(kafka::murmur2("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8") == -58897971);
    CHECK(kafka::murmur2("abc") == 479470107);
    CHECK(kafka::to_positive(-1) == 0x7fffffff);
    CHECK(kafka::to_positive(INT32_MIN) == 0);
    CHECK(kafka::partition_for_key("foobar", 7) == (-790332482 & 0x7fffffff) % 7);
}

TEST_CASE("a keyed producer gets every record acked, contiguous per partition, on murmur2 partitions") {
    FakeBroker::Options opt;
    opt.partitions = 16;
    Cluster c(opt);
    kafka::ProducerConfig cfg;
    sim::NodeId p = c.add_producer(1, cfg, workload(100, 10, sim::seconds(0), sim::seconds(5)));
    c.run_for(sim::seconds(10));

    auto& prod = c.producer(p);
    REQUIRE(prod.records_generated() == 500);
    REQUIRE(prod.records_acked() == 500);
    REQUIRE(prod.records_failed() == 0);
    REQUIRE(prod.in_flight_batches() == 0);
    REQUIRE(prod.idempotent());
    REQUIRE(c.events.errors.empty());

    std::map<int32_t, uint32_t> totals;
    require_contiguous_acks(c.events, 1, &totals);
    std::set<int32_t> expected_partitions;
    for (int k = 0; k < 10; ++k) expected_partitions.insert(kafka::partition_for_key("key-" + std::to_string(k), 16));
    std::set<int32_t> used;
    uint32_t sum = 0;
    for (const auto& [part, n] : totals) {
        used.insert(part);
        sum += n;
        require_log_in_order_once(c.fake(), part, 1, n);
    }
    REQUIRE(sum == 500);
    REQUIRE(used == expected_partitions);
    // Idempotent batches carry the producer id and base_sequence == first_seq (no bump happened).
    for (const auto& log : c.fake().logs)
        for (const auto& b : log) {
            REQUIRE(b.producer_id == 1000);
            REQUIRE(b.producer_epoch == 0);
            REQUIRE(b.base_sequence == static_cast<int32_t>(b.first_seq));
            REQUIRE(b.client == 1u);
        }
    // Every batch was sent once and acknowledged with the offset the broker gave it.
    REQUIRE(c.events.sends.size() == c.events.acks.size());
    for (const auto& a : c.events.acks) {
        const auto& log = c.fake().logs[static_cast<size_t>(a.tp.partition)];
        auto it = std::find_if(log.begin(), log.end(), [&](const RecordBatch& b) { return b.first_seq == a.first_seq; });
        REQUIRE(it != log.end());
        REQUIRE(it->base_offset == a.base_offset);
    }
}

TEST_CASE("a single key always lands on its murmur2 partition") {
    FakeBroker::Options opt;
    opt.partitions = 8;
    Cluster c(opt);
    sim::NodeId p = c.add_producer(3, kafka::ProducerConfig{}, workload(50, 1, sim::seconds(0), sim::seconds(2)));
    c.run_for(sim::seconds(5));
    REQUIRE(c.producer(p).records_acked() == 100);
    const int32_t target = kafka::partition_for_key("key-0", 8);
    for (int32_t part = 0; part < 8; ++part) REQUIRE(c.fake().leo[static_cast<size_t>(part)] == (part == target ? 100 : 0));
}

TEST_CASE("unkeyed records stick to a partition for batch.size bytes, then move") {
    FakeBroker::Options opt;
    opt.partitions = 4;
    Cluster c(opt);
    kafka::ProducerConfig cfg;
    cfg.batch_size = 1000;  // ~8 records of 110 bytes
    sim::NodeId p = c.add_producer(1, cfg, workload(200, 0, sim::seconds(0), sim::seconds(5)));
    c.run_for(sim::seconds(8));
    REQUIRE(c.producer(p).records_acked() == 1000);
    std::map<int32_t, uint32_t> totals;
    require_contiguous_acks(c.events, 1, &totals);
    REQUIRE(totals.size() == 4);  // 1000 records in ~8-record stints: every partition got some
    for (const auto& [part, n] : totals) require_log_in_order_once(c.fake(), part, 1, n);
}

TEST_CASE("linger.ms and batch.size batch records into fewer requests") {
    FakeBroker::Options opt;
    opt.partitions = 1;
    auto requests_with = [&](int64_t linger_ms, int32_t batch_size, uint64_t* acked) {
        Cluster c(opt);
        kafka::ProducerConfig cfg;
        cfg.linger_ms = linger_ms;
        cfg.batch_size = batch_size;
        sim::NodeId p = c.add_producer(1, cfg, workload(100, 0, sim::seconds(0), sim::seconds(5)));
        c.run_for(sim::seconds(20));
        *acked = c.producer(p).records_acked();
        require_contiguous_acks(c.events, 1);
        require_log_in_order_once(c.fake(), 0, 1, 500);
        return c.producer(p).produce_requests_sent();
    };
    uint64_t acked = 0;
    const uint64_t no_linger = requests_with(0, 16384, &acked);
    REQUIRE(acked == 500);
    REQUIRE(no_linger >= 450);  // one record per request: the broker answers well within 10 ms
    const uint64_t lingered = requests_with(100, 16384, &acked);
    REQUIRE(acked == 500);
    REQUIRE(lingered <= 60);  // ~10 records per 100 ms
    REQUIRE(lingered >= 40);
    // A batch that cannot take another record is sent at once, linger or not: 166 full
    // batches of 3 records, and the last 2 records after linger.ms.
    const uint64_t small_batches = requests_with(7000, 61 + 3 * 110, &acked);
    REQUIRE(acked == 500);
    REQUIRE(small_batches == 167);
}

TEST_CASE("acks=0 counts a batch as acknowledged when it is sent") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    Cluster c(opt);
    kafka::ProducerConfig cfg;
    cfg.acks = 0;
    sim::NodeId p = c.add_producer(1, cfg, workload(100, 4, sim::seconds(0), sim::seconds(2)));
    c.run_for(sim::seconds(3));
    auto& prod = c.producer(p);
    REQUIRE_FALSE(prod.idempotent());
    REQUIRE(prod.records_acked() == 200);
    REQUIRE(prod.in_flight_batches() == 0);
    REQUIRE(c.fake().total_records() == 200);
    REQUIRE(c.events.acks.size() == c.events.sends.size());
    for (size_t i = 0; i < c.events.acks.size(); ++i) {
        REQUIRE(c.events.acks[i].base_offset == -1);
        REQUIRE(c.events.acks[i].t == c.events.sends[i].t);  // no round trip
    }
    for (const auto& log : c.fake().logs)
        for (const auto& b : log) REQUIRE(b.producer_id == kafka::no_producer_id);
}

TEST_CASE("a broker that never answers produce: retries, then final errors after delivery.timeout.ms") {
    FakeBroker::Options opt;
    opt.partitions = 1;
    opt.ignore_produce = true;
    Cluster c(opt);
    kafka::ProducerConfig cfg;
    cfg.request_timeout_ms = 1000;
    cfg.delivery_timeout_ms = 3000;
    sim::NodeId p = c.add_producer(1, cfg, workload(10, 0, sim::seconds(0), sim::seconds(2)));
    c.run_for(sim::seconds(20));

    auto& prod = c.producer(p);
    REQUIRE(prod.records_generated() == 20);
    REQUIRE(prod.records_acked() == 0);
    REQUIRE(prod.records_failed() == 20);
    REQUIRE(prod.in_flight_batches() == 0);
    REQUIRE(c.events.acks.empty());
    // Retried: the broker saw more produce requests than there were batches.
    REQUIRE(c.fake().produce_requests > c.events.sends.size());
    size_t non_final = 0;
    std::map<uint32_t, int> finals;  // first_seq -> final errors
    uint32_t failed_records = 0;
    for (const auto& e : c.events.errors) {
        if (!e.final) {
            ++non_final;
            REQUIRE(kafka::is_retriable(e.error));
            continue;
        }
        ++finals[e.first_seq];
        failed_records += static_cast<uint32_t>(e.count);
        REQUIRE(e.error == Error::request_timed_out);
        // Record s is created at s * 100 ms (one partition, linger 0): expired 3 s later.
        const sim::Time created = sim::time_zero + sim::milliseconds(100) * e.first_seq;
        REQUIRE(e.t >= created + sim::milliseconds(3000));
        REQUIRE(e.t <= created + sim::milliseconds(3000 + 1000 + 200));
    }
    REQUIRE(non_final > 0);
    REQUIRE(failed_records == 20);
    for (const auto& [seq, n] : finals) REQUIRE(n == 1);
    // Every final error came after at least one failed attempt or a timeout in the queue.
    REQUIRE(c.fake().metadata_requests > 1);  // timeouts refreshed metadata
    // Idempotent batches with a sequence failed for good: the producer bumped its epoch
    // (TransactionManager.bumpIdempotentProducerEpoch), keeping its id.
    REQUIRE(prod.producer_id() == 1000);
    REQUIRE(prod.producer_epoch() >= 1);
}

TEST_CASE("NOT_LEADER_OR_FOLLOWER is retried after a metadata refresh") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    opt.not_leader_until = sim::time_zero + sim::milliseconds(300);
    Cluster c(opt);
    sim::NodeId p = c.add_producer(1, kafka::ProducerConfig{}, workload(100, 5, sim::seconds(0), sim::seconds(2)));
    c.run_for(sim::seconds(5));
    auto& prod = c.producer(p);
    REQUIRE(prod.records_acked() == 200);
    REQUIRE(prod.records_failed() == 0);
    size_t non_final = 0;
    for (const auto& e : c.events.errors) {
        REQUIRE_FALSE(e.final);
        REQUIRE(e.error == Error::not_leader_or_follower);
        ++non_final;
    }
    REQUIRE(non_final >= 3);
    REQUIRE(c.fake().metadata_requests >= 2);
    std::map<int32_t, uint32_t> totals;
    require_contiguous_acks(c.events, 1, &totals);
    for (const auto& [part, n] : totals) require_log_in_order_once(c.fake(), part, 1, n);
}

TEST_CASE("OUT_OF_ORDER_SEQUENCE_NUMBER behind the acknowledged sequence: retried without a bump, then fails") {
    // Request 3 (the retry of partition 0's first batch) is refused while request 4 (its next
    // batch) is written: a broker that has no state for the producer id accepts any first
    // sequence (ProducerAppendInfo.checkSequence), so sequence 1 is acknowledged and the
    // retried sequence 0 is out of order. TransactionManager.canRetry: a batch that is not the
    // next after the last acknowledged sequence is retried without bumping the epoch (a bump
    // would re-send it under a new epoch, a duplicate if the broker had it); it keeps
    // failing until delivery.timeout.ms and then fails for good.
    FakeBroker::Options opt;
    opt.partitions = 2;
    opt.not_leader_first_n = 3;
    Cluster c(opt);
    sim::NodeId p = c.add_producer(1, kafka::ProducerConfig{}, workload(100, 5, sim::seconds(0), sim::seconds(2)));
    c.run_for(sim::seconds(130));  // past delivery.timeout.ms (120 s)
    auto& prod = c.producer(p);
    REQUIRE(prod.records_acked() == 199);
    REQUIRE(prod.records_failed() == 1);
    bool saw_gap = false;
    for (const auto& e : c.events.errors) {
        saw_gap = saw_gap || e.error == Error::out_of_order_sequence_number;
        if (e.final) REQUIRE(e.error == Error::out_of_order_sequence_number);
    }
    REQUIRE(saw_gap);
    REQUIRE(prod.producer_id() == 1000);  // never bumped
    REQUIRE(prod.producer_epoch() == 0);
    REQUIRE(c.fake().total_records() == 199);
}

namespace {

// KAFKA-15591's race, as quickstart seed 1148 met it: the first produce request reaches the leader
// before it applied the topic's creation (UNKNOWN_TOPIC_OR_PARTITION), the next one, already in
// flight, after; written batches are acknowledged only 500 ms later (acks=all, followers not yet
// fetching), so the retried first batch is refused while the producer has nothing acknowledged.
struct StartupRace {
    Cluster c;
    sim::NodeId producer;
    explicit StartupRace(const kafka::Behaviour& rules) : c(options(rules)) {
        producer = c.add_producer(1, kafka::ProducerConfig{}, workload(2000, 0, sim::seconds(0), sim::seconds(1)));
        c.run_for(sim::seconds(10));
    }
    static FakeBroker::Options options(const kafka::Behaviour& rules) {
        FakeBroker::Options opt;
        opt.partitions = 1;
        opt.unknown_topic_first_n = 1;
        opt.ack_delay = sim::milliseconds(500);
        opt.producer_rules = rules;
        return opt;
    }
    // Record identities of the partition's log in offset order are 0, 1, 2, ...
    bool log_in_send_order() {
        uint32_t next = 0;
        for (const auto& b : c.world.node_as<FakeBroker>(c.broker)->logs[0]) {
            if (b.first_seq != next) return false;
            next += static_cast<uint32_t>(b.record_count);
        }
        return next == 2000;
    }
};

kafka::Behaviour rules_of(const char* version) { return kafka::profile_for(version)->behaviour; }

}  // namespace

TEST_CASE("first batch of a producer id on a new partition: the order kept or lost as each release does") {
    SECTION("2.4: the second request is refused UNKNOWN_PRODUCER_ID, the producer bumps and resends in order") {
        StartupRace r(rules_of("2.4"));
        auto& prod = r.c.producer(r.producer);
        REQUIRE(prod.records_acked() == 2000);
        REQUIRE(r.log_in_send_order());
        REQUIRE(prod.producer_id() == 1000);  // an epoch bump keeps the producer id
        REQUIRE(prod.producer_epoch() == 1);
        bool saw_unknown = false;
        for (const auto& e : r.c.events.errors) saw_unknown = saw_unknown || e.error == Error::unknown_producer_id;
        REQUIRE(saw_unknown);
    }
    SECTION("4.5 (KAFKA-15591): refused OUT_OF_ORDER_SEQUENCE_NUMBER until the first batch is in, no bump") {
        StartupRace r(rules_of("4.5"));
        auto& prod = r.c.producer(r.producer);
        REQUIRE(prod.records_acked() == 2000);
        REQUIRE(r.log_in_send_order());
        REQUIRE(prod.producer_epoch() == 0);
    }
    SECTION("3.7: the second request is written first; the first one's retry bumps the epoch and lands after it") {
        // KIP-360's broker takes any first sequence of an unknown producer id; the retried first
        // batch is then the next unacknowledged sequence and refused, so TransactionManager bumps
        // the epoch and resends it from sequence 0, behind what the broker already holds.
        StartupRace r(rules_of("3.7"));
        auto& prod = r.c.producer(r.producer);
        REQUIRE(prod.records_acked() == 2000);
        REQUIRE_FALSE(r.log_in_send_order());
        REQUIRE(prod.producer_epoch() >= 1);
    }
}

TEST_CASE("lost produce responses: idempotence keeps the log free of duplicates, without it they appear") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    opt.drop_every_nth_response = 7;
    for (bool idempotent : {true, false}) {
        Cluster c(opt);
        kafka::ProducerConfig cfg;
        cfg.enable_idempotence = idempotent;
        cfg.request_timeout_ms = 500;
        sim::NodeId p = c.add_producer(1, cfg, workload(200, 6, sim::seconds(0), sim::seconds(3)));
        c.run_for(sim::seconds(15));
        auto& prod = c.producer(p);
        REQUIRE(prod.records_generated() == 600);
        REQUIRE(prod.records_acked() == 600);
        REQUIRE(prod.records_failed() == 0);
        std::map<int32_t, uint32_t> totals;
        require_contiguous_acks(c.events, 1, &totals);
        REQUIRE_FALSE(c.events.errors.empty());
        if (idempotent) {
            for (const auto& [part, n] : totals) require_log_in_order_once(c.fake(), part, 1, n);
            REQUIRE(c.fake().total_records() == 600);
        } else {
            REQUIRE(c.fake().total_records() > 600);  // retried batches were written twice
        }
    }
}

TEST_CASE("a consumer with auto.offset.reset=earliest reads everything in order, exactly once") {
    FakeBroker::Options opt;
    opt.partitions = 3;
    Cluster c(opt);
    sim::NodeId p = c.add_producer(1, kafka::ProducerConfig{}, workload(100, 10, sim::seconds(0), sim::seconds(5)));
    kafka::ConsumerConfig ccfg;
    ccfg.auto_offset_reset = "earliest";
    sim::NodeId q = c.add_consumer(2, ccfg, std::nullopt);
    c.run_for(sim::seconds(10));

    REQUIRE(c.producer(p).records_acked() == 500);
    auto& cons = c.consumer(q);
    REQUIRE(cons.records_consumed() == 500);
    REQUIRE(cons.assignment().size() == 3);
    REQUIRE(cons.buffered_records() == 0);
    std::map<int32_t, int64_t> next_offset;
    std::map<int32_t, uint32_t> next_seq;
    for (const auto& poll : c.events.polls) {
        REQUIRE(poll.client == 2u);
        REQUIRE(poll.tp.topic_id == test_topic_id);
        const int32_t part = poll.tp.partition;
        REQUIRE(poll.first_offset == next_offset[part]);
        REQUIRE(poll.count > 0);
        REQUIRE(poll.first_offset >= poll.batch.base_offset);
        REQUIRE(poll.first_offset + poll.count <= poll.batch.next_offset());
        // The records handed over are the producer's, in its sequence order.
        REQUIRE(poll.batch.client == 1u);
        REQUIRE(poll.batch.first_seq + static_cast<uint32_t>(poll.first_offset - poll.batch.base_offset) == next_seq[part]);
        next_offset[part] += poll.count;
        next_seq[part] += static_cast<uint32_t>(poll.count);
    }
    for (int32_t part = 0; part < 3; ++part) {
        const int64_t leo = c.fake().leo[static_cast<size_t>(part)];
        REQUIRE(next_offset[part] == leo);
        REQUIRE(cons.position(TopicPartition{test_topic_id, part}) == leo);
        REQUIRE(cons.high_watermark(TopicPartition{test_topic_id, part}) == leo);
    }
}

namespace {

// A slow consumer (20 records/s) behind a producer of 100 records/s; at 3 s "retention" moves the
// log start offset to 50 records before the log end, far past the consumer's position.
struct FallsOffRetention {
    Cluster c;
    sim::NodeId q;
    int64_t log_start = 0;
    explicit FallsOffRetention(const std::string& reset) : c(options()) {
        c.add_producer(1, kafka::ProducerConfig{}, workload(100, 1, sim::seconds(0), sim::seconds(6)));
        kafka::ConsumerConfig ccfg;
        ccfg.auto_offset_reset = reset;
        ccfg.max_poll_records = 10;
        ccfg.max_partition_fetch_bytes = 2000;  // a few batches a fetch: little is buffered
        q = c.add_consumer(2, ccfg, 20.0);
        c.run_for(sim::seconds(3));
        log_start = c.fake().leo[0] - 50;
        c.fake().log_start = log_start;
        c.run_for(sim::seconds(5));
    }
    static FakeBroker::Options options() {
        FakeBroker::Options opt;
        opt.partitions = 1;
        return opt;
    }
    const kafka::ConsumerOffsetReset* reset_event() const {
        for (const auto& ev : c.world.trace().events())
            if (const auto* r = std::get_if<kafka::ConsumerOffsetReset>(&ev.event)) return r;
        return nullptr;
    }
};

}  // namespace

TEST_CASE("a consumer below the log start offset resets by auto.offset.reset=earliest, skipping what retention deleted") {
    FallsOffRetention r("earliest");
    const kafka::ConsumerOffsetReset* e = r.reset_event();
    REQUIRE(e != nullptr);
    CHECK(e->reset == "earliest");
    CHECK(e->offset < r.log_start);  // its position had fallen below the log start offset
    REQUIRE(e->log_start_offset);
    CHECK(*e->log_start_offset == r.log_start);
    // It read up to its old position, then on from the log start: the records between were never polled.
    int64_t next = 0;
    bool jumped = false;
    for (const auto& poll : r.c.events.polls) {
        if (poll.first_offset != next) {
            CHECK_FALSE(jumped);
            CHECK(poll.first_offset == r.log_start);
            CHECK(next == e->offset);
            jumped = true;
        }
        next = poll.first_offset + poll.count;
    }
    CHECK(jumped);
    CHECK(r.c.consumer(r.q).position(TopicPartition{test_topic_id, 0}) > r.log_start);
}

TEST_CASE("a consumer below the log start offset resets by auto.offset.reset=latest to the end") {
    FallsOffRetention r("latest");
    // latest started it at the (then empty) log end; at 20 records/s it fell behind from there.
    const kafka::ConsumerOffsetReset* e = r.reset_event();
    REQUIRE(e != nullptr);
    CHECK(e->reset == "latest");
    CHECK(e->offset < r.log_start);
    bool jumped_to_end = false;
    for (const auto& poll : r.c.events.polls)
        if (poll.first_offset >= r.log_start + 40) jumped_to_end = true;  // the end it saw, not the log start
    CHECK(jumped_to_end);
}

TEST_CASE("a consumer with auto.offset.reset=latest starts at the end of the log") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    Cluster c(opt);
    c.add_producer(1, kafka::ProducerConfig{}, workload(100, 4, sim::seconds(0), sim::seconds(5)));
    kafka::ConsumerConfig ccfg;  // latest is the default
    sim::NodeId q = c.add_consumer(2, ccfg, std::nullopt, sim::time_zero + sim::seconds(3));
    c.run_for(sim::seconds(8));
    const uint64_t consumed = c.consumer(q).records_consumed();
    REQUIRE(consumed >= 190);
    REQUIRE(consumed <= 210);
    for (const auto& poll : c.events.polls) REQUIRE(poll.t >= sim::time_zero + sim::seconds(3));
    for (int32_t part = 0; part < 2; ++part)
        REQUIRE(c.consumer(q).position(TopicPartition{test_topic_id, part}) == c.fake().leo[static_cast<size_t>(part)]);
}

TEST_CASE("a rate-limited consumer processes about rate records per second of virtual time") {
    FakeBroker::Options opt;
    opt.partitions = 3;
    Cluster c(opt);
    c.add_producer(1, kafka::ProducerConfig{}, workload(200, 10, sim::seconds(0), sim::seconds(30)));
    kafka::ConsumerConfig ccfg;
    ccfg.auto_offset_reset = "earliest";
    ccfg.max_poll_records = 10;
    sim::NodeId q = c.add_consumer(2, ccfg, 50.0);
    c.run_for(sim::seconds(10));
    const uint64_t at10 = c.consumer(q).records_consumed();
    CHECK(at10 >= 480);
    CHECK(at10 <= 510);
    c.run_for(sim::seconds(10));
    const uint64_t at20 = c.consumer(q).records_consumed();
    CHECK(at20 - at10 >= 490);
    CHECK(at20 - at10 <= 510);
    // Fetched-but-unprocessed records are bounded: no new fetch while a partition has a buffer.
    REQUIRE(c.consumer(q).buffered_records() <= 3 * 1000);
    // Still in order, exactly once.
    std::map<int32_t, int64_t> next_offset;
    for (const auto& poll : c.events.polls) {
        REQUIRE(poll.first_offset == next_offset[poll.tp.partition]);
        next_offset[poll.tp.partition] += poll.count;
    }
}

TEST_CASE("a consumer stops at until and a consumer of a missing topic keeps asking") {
    FakeBroker::Options opt;
    opt.partitions = 1;
    Cluster c(opt);
    c.add_producer(1, kafka::ProducerConfig{}, workload(100, 0, sim::seconds(0), sim::seconds(6)));
    kafka::ConsumerConfig ccfg;
    ccfg.auto_offset_reset = "earliest";
    sim::NodeId q = c.add_consumer(2, ccfg, std::nullopt, sim::time_zero, sim::time_zero + sim::seconds(2));
    c.run_for(sim::seconds(8));
    REQUIRE_FALSE(c.consumer(q).active());
    const uint64_t consumed = c.consumer(q).records_consumed();
    REQUIRE(consumed >= 190);
    REQUIRE(consumed <= 200);
    for (const auto& poll : c.events.polls) REQUIRE(poll.t < sim::time_zero + sim::seconds(2));

    sim::NodeId other = c.world.add_node("consumer:9", [&c] {
        return std::make_unique<kafka::ConsumerClient>(9, std::vector<std::string>{"missing"}, kafka::ConsumerConfig{},
                                                       std::nullopt, sim::time_zero, sim::time_never, c.dir, &c.events);
    });
    c.world.start(other);
    c.run_for(sim::seconds(2));
    REQUIRE(c.consumer(other).assignment().empty());
    REQUIRE(c.consumer(other).metadata_requests_sent() >= 10);  // every retry.backoff.ms
}

TEST_CASE("auto.offset.reset=none fails every partition without a position") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    Cluster c(opt);
    kafka::ConsumerConfig ccfg;
    ccfg.auto_offset_reset = "none";
    sim::NodeId q = c.add_consumer(2, ccfg, std::nullopt);
    c.run_for(sim::seconds(2));
    REQUIRE(c.consumer(q).failed_partitions().size() == 2);
    REQUIRE(c.consumer(q).list_offsets_requests_sent() == 0);
}

TEST_CASE("a broker crash: batches wait for the restarted broker, the consumer resets out-of-range offsets") {
    FakeBroker::Options opt;
    opt.partitions = 2;
    Cluster c(opt);
    kafka::ProducerConfig cfg;
    cfg.request_timeout_ms = 5000;
    sim::NodeId p = c.add_producer(1, cfg, workload(100, 4, sim::seconds(0), sim::seconds(4)));
    kafka::ConsumerConfig ccfg;
    ccfg.auto_offset_reset = "earliest";
    sim::NodeId q = c.add_consumer(2, ccfg, std::nullopt);
    c.run_for(sim::seconds(1));
    const uint64_t consumed_before = c.consumer(q).records_consumed();
    REQUIRE(consumed_before >= 90);
    REQUIRE(c.world.crash(c.broker));  // the fake keeps nothing: its log restarts empty
    c.run_for(sim::milliseconds(500));
    REQUIRE(c.world.restart(c.broker));
    c.run_for(sim::seconds(8));

    auto& prod = c.producer(p);
    REQUIRE(prod.records_acked() == 400);
    REQUIRE(prod.records_failed() == 0);
    for (const auto& e : c.events.errors) {
        REQUIRE_FALSE(e.final);
        REQUIRE(e.error == Error::network_exception);  // in flight at the crash; never a timeout
    }
    // Nothing was sent into the void while the broker was down: what queued up went out as
    // soon as a probe found the broker again (probes back off 50 ms .. 1 s).
    sim::Time first_ack_after_crash = sim::time_never;
    for (const auto& a : c.events.acks)
        if (a.t > sim::time_zero + sim::milliseconds(1010)) first_ack_after_crash = std::min(first_ack_after_crash, a.t);
    REQUIRE(first_ack_after_crash >= sim::time_zero + sim::milliseconds(1500));
    REQUIRE(first_ack_after_crash <= sim::time_zero + sim::milliseconds(1500 + 1000 + 50));
    sim::Time last_ack;
    for (const auto& a : c.events.acks) last_ack = std::max(last_ack, a.t);
    REQUIRE(last_ack < sim::time_zero + sim::seconds(4) + sim::milliseconds(100));
    // The consumer was past the new log's end: OFFSET_OUT_OF_RANGE, reset to earliest, read it all.
    bool reset = false;
    for (const auto& ev : c.world.trace().events())
        if (std::holds_alternative<kafka::ConsumerOffsetReset>(ev.event)) reset = true;
    REQUIRE(reset);
    auto& cons = c.consumer(q);
    REQUIRE(cons.records_consumed() == consumed_before + static_cast<uint64_t>(c.fake().total_records()));
    for (int32_t part = 0; part < 2; ++part)
        REQUIRE(cons.position(TopicPartition{test_topic_id, part}) == c.fake().leo[static_cast<size_t>(part)]);
}

TEST_CASE("clients are deterministic: one seed, one trace hash") {
    auto run = [](uint64_t seed) {
        FakeBroker::Options opt;
        opt.partitions = 3;
        opt.drop_every_nth_response = 11;
        Cluster c(opt, seed);
        kafka::ProducerConfig cfg;
        cfg.request_timeout_ms = 700;
        cfg.linger_ms = 5;
        c.add_producer(1, cfg, workload(300, 0, sim::seconds(0), sim::seconds(3)));
        c.add_producer(2, kafka::ProducerConfig{}, workload(150, 20, sim::seconds(1), sim::seconds(4)));
        kafka::ConsumerConfig ccfg;
        ccfg.auto_offset_reset = "earliest";
        c.add_consumer(3, ccfg, 120.0);
        c.run_for(sim::seconds(10));
        return std::make_pair(c.world.trace().hash(), c.events.polls.size());
    };
    const auto a = run(5);
    const auto b = run(5);
    REQUIRE(a == b);
    const auto other = run(6);
    REQUIRE(other.first != a.first);
}

