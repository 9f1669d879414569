// Kafka's config names, defaults and version profiles (see ../shared/reference/kafka-behaviour.md,
// sections 0, 1, 4, 5, 6, 7). The key table is the one place that says which names a scenario
// may use; the typed structs are filled from it.
#include "broker/config.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <limits>

namespace kafka {

namespace {

constexpr unsigned B = scope_broker;
constexpr unsigned T = scope_topic;
constexpr unsigned P = scope_producer;
constexpr unsigned C = scope_consumer;
constexpr int64_t i32_max = std::numeric_limits<int32_t>::max();
constexpr int64_t i64_min = std::numeric_limits<int64_t>::min();
constexpr int64_t i64_max = std::numeric_limits<int64_t>::max();

constexpr ConfigKey key(std::string_view name, unsigned scopes, ConfigType type, std::string_view default_value,
                        bool modelled, std::string_view doc, int64_t min_value = i64_min,
                        int64_t max_value = i64_max) {
    return ConfigKey{name, scopes, type, default_value, modelled, doc, min_value, max_value};
}

using enum ConfigType;

// Grouped by where the setting lives, alphabetical within a group. Defaults are the newest
// modelled release's (profiles override some of them for older releases).
constexpr auto key_table = std::to_array<ConfigKey>({
    // ---- Broker and topic: replication ------------------------------------------------------
    key("min.insync.replicas", B | T, integer, "1", true,
        "replicas that must have a record before an acks=all produce succeeds", 1, i32_max),
    key("unclean.leader.election.enable", B | T, boolean, "false", true,
        "elect an out-of-sync replica when no ISR member is alive (true before 0.11)"),

    // ---- Broker: replication ----------------------------------------------------------------
    key("auto.leader.rebalance.enable", B, boolean, "true", true,
        "move leadership back to the preferred replica when brokers are imbalanced"),
    key("default.replication.factor", B, integer, "1", true,
        "replication factor of a topic that does not give one", 1, i32_max),
    key("eligible.leader.replicas.version", B, integer, "0", true,
        "KRaft feature level (kafka-storage format --feature / kafka-features upgrade): 1 turns on Eligible Leader "
        "Replicas, KIP-966 (opt-in in 4.0, the default for new clusters from 4.1)", 0, 1),
    key("leader.imbalance.check.interval.seconds", B, integer, "300", true,
        "how often the controller checks for leader imbalance", 1, i64_max),
    key("leader.imbalance.per.broker.percentage", B, integer, "10", true,
        "imbalance a broker may have before its preferred leaders are re-elected", 0, 100),
    key("num.partitions", B, integer, "1", true, "partition count of a topic that does not give one", 1,
        i32_max),
    key("num.replica.fetchers", B, integer, "1", false, "fetcher threads per source broker", 1, i32_max),
    key("replica.fetch.backoff.ms", B, integer, "1000", true, "pause after a follower fetch error", 0, i32_max),
    key("replica.fetch.max.bytes", B, integer, "1048576", true, "bytes a follower fetch asks per partition", 0,
        i32_max),
    key("replica.fetch.min.bytes", B, integer, "1", true, "bytes the leader waits for before answering a follower",
        0, i32_max),
    key("replica.fetch.wait.max.ms", B, integer, "500", true,
        "longest the leader holds a follower fetch that has nothing to return", 0, i32_max),
    key("replica.high.watermark.checkpoint.interval.ms", B, integer, "5000", true,
        "how often the high watermark is written to disk (what pre-KIP-101 truncation reads)", 1, i64_max),
    key("replica.lag.time.max.ms", B, integer, "30000", true,
        "a follower not caught up for this long leaves the ISR (10000 before 2.5)", 1, i64_max),
    key("replica.socket.timeout.ms", B, integer, "30000", true, "timeout of a follower fetch request", 1,
        i32_max),

    // ---- Broker: log ------------------------------------------------------------------------
    key("log.cleanup.policy", B, string, "delete", false, "delete or compact old segments; only delete is modelled"),
    key("log.flush.interval.messages", B, integer, "9223372036854775807", true,
        "fsync after this many records (by default Kafka leaves flushing to the OS)", 1, i64_max),
    key("log.flush.interval.ms", B, integer, "null", true,
        "fsync a log at least this often (unset: the OS writes pages back)", 0, i64_max),
    key("log.retention.bytes", B, integer, "-1", false, "size limit per partition before old segments go", -1,
        i64_max),
    key("log.retention.check.interval.ms", B, integer, "300000", true, "how often retention runs", 1, i64_max),
    key("log.retention.hours", B, integer, "168", true, "how long a segment is kept", -1, i32_max),
    key("log.retention.minutes", B, integer, "null", true, "how long a segment is kept (overrides hours)", -1,
        i32_max),
    key("log.retention.ms", B, integer, "null", true, "how long a segment is kept (overrides minutes, hours)",
        -1, i64_max),
    key("log.roll.hours", B, integer, "168", true, "age at which the active segment is rolled", 1, i32_max),
    key("log.roll.ms", B, integer, "null", true, "age at which the active segment is rolled (overrides hours)",
        1, i64_max),
    key("log.segment.bytes", B, integer, "1073741824", true, "size at which the active segment is rolled", 14,
        i32_max),
    key("message.max.bytes", B, integer, "1048588", false, "largest record batch a broker accepts", 0, i32_max),

    // ---- Broker: KRaft ----------------------------------------------------------------------
    key("broker.heartbeat.interval.ms", B, integer, "2000", true, "how often a broker heartbeats to the controller",
        1, i64_max),
    key("broker.session.timeout.ms", B, integer, "9000", true,
        "a broker without a heartbeat for this long is fenced", 1, i64_max),
    key("controller.quorum.append.linger.ms", B, integer, "25", true,
        "how long the quorum leader batches metadata records", 0, i32_max),
    key("controller.quorum.election.backoff.max.ms", B, integer, "1000", true,
        "upper bound of the backoff before a new election", 0, i32_max),
    key("controller.quorum.election.timeout.ms", B, integer, "1000", true,
        "a candidate without a result after this long (plus a random part) starts again", 1, i32_max),
    key("controller.quorum.fetch.timeout.ms", B, integer, "2000", true,
        "a voter without a fetch response for this long becomes a candidate", 1, i32_max),
    key("controller.quorum.request.timeout.ms", B, integer, "2000", true, "timeout of a quorum request", 1,
        i32_max),
    key("controller.quorum.retry.backoff.ms", B, integer, "20", true, "pause before a quorum request is retried",
        0, i32_max),
    key("kafkasim.controlled.shutdown.timeout.ms", B, integer, "30000", true,
        "kafkasim: longest a clean broker stop waits for leadership to move", 0, i64_max),

    // ---- Broker: ZooKeeper mode -------------------------------------------------------------
    key("zookeeper.session.timeout.ms", B, integer, "18000", true,
        "a broker's ZooKeeper session expires after this long without contact (6000 before 2.5)", 1, i32_max),
    key("zookeeper.tickTime", B, integer, "2000", true,
        "ZooKeeper server (zoo.cfg tickTime, the sample config's value): the basic time unit of the ensemble", 1,
        i32_max),
    key("zookeeper.initLimit", B, integer, "10", true,
        "ZooKeeper server (zoo.cfg initLimit, no default in ZooKeeper; the sample config's value): ticks a follower "
        "may take to connect and sync to a new leader", 1, i32_max),
    key("zookeeper.syncLimit", B, integer, "5", true,
        "ZooKeeper server (zoo.cfg syncLimit, the sample config's value): ticks a follower may fall behind before "
        "the leader drops it", 1, i32_max),

    // ---- Broker: group coordinator and transactions ------------------------------------------
    key("group.initial.rebalance.delay.ms", B, integer, "3000", true,
        "how long a new group waits for more members before the first rebalance", 0, i32_max),
    key("group.max.session.timeout.ms", B, integer, "1800000", true, "largest session.timeout.ms a member may use",
        1, i32_max),
    key("group.min.session.timeout.ms", B, integer, "6000", true, "smallest session.timeout.ms a member may use",
        1, i32_max),
    key("offsets.retention.minutes", B, integer, "10080", false, "how long committed offsets of an empty group live",
        1, i32_max),
    key("offsets.topic.num.partitions", B, integer, "50", true, "partitions of __consumer_offsets", 1, i32_max),
    key("offsets.topic.replication.factor", B, integer, "3", true, "replication factor of __consumer_offsets", 1,
        i32_max),
    key("transaction.state.log.min.isr", B, integer, "2", false, "min.insync.replicas of __transaction_state", 1,
        i32_max),
    key("transaction.state.log.replication.factor", B, integer, "3", false,
        "replication factor of __transaction_state", 1, i32_max),

    // ---- Broker, topic and producer ----------------------------------------------------------
    key("compression.type", B | T | P, string, "producer (broker, topic); none (producer)", false,
        "compression codec; records are not stored byte for byte, so it changes nothing"),

    // ---- Topic ------------------------------------------------------------------------------
    key("cleanup.policy", T, string, "delete", false, "delete or compact old segments; only delete is modelled"),
    key("delete.retention.ms", T, integer, "86400000", false, "how long tombstones survive compaction", 0,
        i64_max),
    key("flush.messages", T, integer, "9223372036854775807", false, "topic-level log.flush.interval.messages", 1,
        i64_max),
    key("flush.ms", T, integer, "9223372036854775807", false, "topic-level log.flush.interval.ms", 0, i64_max),
    key("max.message.bytes", T, integer, "1048588", false, "largest record batch the topic accepts", 0, i32_max),
    key("min.cleanable.dirty.ratio", T, ratio, "0.5", false, "dirty share of the log that triggers compaction", 0,
        1),
    key("min.compaction.lag.ms", T, integer, "0", false, "youngest record compaction may touch", 0, i64_max),
    key("retention.bytes", T, integer, "-1", false, "size limit per partition before old segments go", -1,
        i64_max),
    key("retention.ms", T, integer, "604800000", true, "how long a segment is kept (-1: forever)", -1, i64_max),
    key("segment.bytes", T, integer, "1073741824", true, "size at which the active segment is rolled", 14,
        i32_max),
    key("segment.ms", T, integer, "604800000", true, "age at which the active segment is rolled", 1, i64_max),

    // ---- Producer ---------------------------------------------------------------------------
    key("acks", P, acks, "all", true,
        "replicas that must have a record before it is acknowledged: 0, 1 or all (-1); 1 before 3.0"),
    key("batch.size", P, integer, "16384", true, "bytes per partition batched before a send", 0, i32_max),
    key("buffer.memory", P, integer, "33554432", false, "memory for records waiting to be sent", 0, i64_max),
    key("delivery.timeout.ms", P, integer, "120000", true,
        "time from send() to success or failure, retries included", 0, i32_max),
    key("enable.idempotence", P, boolean, "true", true,
        "broker de-duplicates retried batches by producer id and sequence (false before 3.0)"),
    key("kafkasim.record.size.bytes", P, integer, "100", true, "kafkasim: size of one generated record's value", 0,
        i32_max),
    key("linger.ms", P, integer, "5", true, "how long a batch waits for more records (0 before 4.0)", 0, i64_max),
    key("max.block.ms", P, integer, "60000", false, "how long send() may block for metadata or buffer space", 0,
        i64_max),
    key("max.in.flight.requests.per.connection", P, integer, "5", true,
        "unacknowledged produce requests per broker", 1, i32_max),
    key("retries", P, integer, "2147483647", true, "how often a failed batch is resent", 0, i32_max),
    key("transactional.id", P, string, "null", false, "transactions are not modelled"),

    // ---- Producer and consumer --------------------------------------------------------------
    key("client.id", P | C, string, "\"\"", false, "name sent with requests; the model names clients itself"),
    key("metadata.max.age.ms", P | C, integer, "300000", true, "metadata is refreshed at least this often", 0,
        i64_max),
    key("request.timeout.ms", P | C, integer, "30000", true, "how long a request waits for its response", 0,
        i32_max),
    key("retry.backoff.ms", P | C, integer, "100", true, "pause before a failed request is retried", 0, i64_max),

    // ---- Consumer ---------------------------------------------------------------------------
    key("auto.commit.interval.ms", C, integer, "5000", true, "how often offsets are committed automatically", 0,
        i32_max),
    key("auto.offset.reset", C, string, "latest", true,
        "where to start without a committed offset: earliest, latest or none"),
    key("enable.auto.commit", C, boolean, "true", true, "commit offsets in the background"),
    key("fetch.max.bytes", C, integer, "52428800", false, "bytes a fetch asks across partitions", 0, i32_max),
    key("fetch.max.wait.ms", C, integer, "500", true, "longest the broker holds a fetch that has too little data",
        0, i32_max),
    key("fetch.min.bytes", C, integer, "1", true, "bytes the broker waits for before answering a fetch", 0,
        i32_max),
    key("group.instance.id", C, string, "null", false, "static membership (KIP-345) is not modelled"),
    key("group.protocol", C, string, "classic", false,
        "classic or consumer (KIP-848); the classic protocol is modelled"),
    key("heartbeat.interval.ms", C, integer, "3000", true, "how often a member heartbeats to the coordinator", 1,
        i32_max),
    key("isolation.level", C, string, "read_uncommitted", true,
        "read_committed stops at the last stable offset, read_uncommitted at the high watermark"),
    key("max.partition.fetch.bytes", C, integer, "1048576", true, "bytes a fetch asks per partition", 0, i32_max),
    key("max.poll.interval.ms", C, integer, "300000", true,
        "a member that does not poll for this long leaves the group", 1, i32_max),
    key("max.poll.records", C, integer, "500", true, "records one poll returns at most", 1, i32_max),
    key("partition.assignment.strategy", C, string, "range,cooperative-sticky", true,
        "assignors in order of preference: range, roundrobin, sticky, cooperative-sticky (range before 3.0)"),
    key("session.timeout.ms", C, integer, "45000", true,
        "a member without a heartbeat for this long is removed from the group (10000 before 3.0)", 1, i32_max),
});

constexpr auto synonym_table = std::to_array<ConfigSynonym>({
    {"cleanup.policy", "log.cleanup.policy"},
    {"flush.messages", "log.flush.interval.messages"},
    {"flush.ms", "log.flush.interval.ms"},
    {"max.message.bytes", "message.max.bytes"},
    {"min.insync.replicas", "min.insync.replicas"},
    {"retention.bytes", "log.retention.bytes"},
    {"retention.ms", "log.retention.ms"},
    {"segment.bytes", "log.segment.bytes"},
    {"segment.ms", "log.roll.ms"},
    {"unclean.leader.election.enable", "unclean.leader.election.enable"},
});

size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<size_t> row(b.size() + 1);
    for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        size_t diagonal = row[0];
        row[0] = i;
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t above = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

std::string trim(std::string_view s) {
    size_t b = 0, e = s.size();
    while (b < e && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
    while (e > b && std::isspace(static_cast<unsigned char>(s[e - 1]))) --e;
    return std::string(s.substr(b, e - b));
}

std::vector<std::string> split_list(std::string_view s) {
    std::vector<std::string> items;
    size_t start = 0;
    while (true) {
        size_t comma = s.find(',', start);
        items.push_back(trim(s.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
    }
    return items;
}

std::string join_list(const std::vector<std::string>& items) {
    std::string out;
    for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
    return out;
}

// "-12", "300": an optional minus sign and digits, within int64.
std::optional<int64_t> parse_integer_text(std::string_view s) {
    bool negative = !s.empty() && s[0] == '-';
    std::string_view digits = negative ? s.substr(1) : s;
    if (digits.empty() || digits.size() > 19) return std::nullopt;
    uint64_t v = 0;
    for (char c : digits) {
        if (c < '0' || c > '9') return std::nullopt;
        v = v * 10 + static_cast<uint64_t>(c - '0');
    }
    if (v > static_cast<uint64_t>(i64_max)) return std::nullopt;
    return negative ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

std::string range_text(const ConfigKey& key) {
    if (key.min_value != i64_min && key.max_value != i64_max && key.max_value != i32_max) {
        return " from " + std::to_string(key.min_value) + " to " + std::to_string(key.max_value);
    }
    if (key.min_value != i64_min) return " >= " + std::to_string(key.min_value);
    return "";
}

// Values a string-typed key accepts, by key. Returns the error text, or normalises `text`.
std::optional<std::string> normalise_string(std::string_view name, std::string& text) {
    auto one_of = [&](std::initializer_list<std::string_view> allowed,
                      std::string_view expected) -> std::optional<std::string> {
        for (auto a : allowed) {
            if (text == a) return std::nullopt;
        }
        return std::string("expected ") + std::string(expected);
    };
    if (name == "auto.offset.reset") return one_of({"earliest", "latest", "none"}, "\"earliest\", \"latest\" or \"none\"");
    if (name == "isolation.level") {
        return one_of({"read_uncommitted", "read_committed"}, "\"read_uncommitted\" or \"read_committed\"");
    }
    if (name == "group.protocol") return one_of({"classic", "consumer"}, "\"classic\" or \"consumer\"");
    if (name == "compression.type") {
        return one_of({"none", "gzip", "snappy", "lz4", "zstd", "producer", "uncompressed"},
                      "\"none\", \"gzip\", \"snappy\", \"lz4\", \"zstd\" (or \"producer\", \"uncompressed\" for brokers and topics)");
    }
    if (name == "cleanup.policy" || name == "log.cleanup.policy") {
        std::vector<std::string> items = split_list(text);
        for (const auto& item : items) {
            if (item != "delete" && item != "compact") return std::string("expected \"delete\", \"compact\" or \"compact,delete\"");
        }
        text = join_list(items);
        return std::nullopt;
    }
    if (name == "partition.assignment.strategy") {
        // Kafka takes class names; the short names are what kafka-consumer-groups prints.
        static constexpr std::pair<std::string_view, std::string_view> assignors[] = {
            {"range", "range"},
            {"org.apache.kafka.clients.consumer.RangeAssignor", "range"},
            {"RangeAssignor", "range"},
            {"roundrobin", "roundrobin"},
            {"org.apache.kafka.clients.consumer.RoundRobinAssignor", "roundrobin"},
            {"RoundRobinAssignor", "roundrobin"},
            {"sticky", "sticky"},
            {"org.apache.kafka.clients.consumer.StickyAssignor", "sticky"},
            {"StickyAssignor", "sticky"},
            {"cooperative-sticky", "cooperative-sticky"},
            {"org.apache.kafka.clients.consumer.CooperativeStickyAssignor", "cooperative-sticky"},
            {"CooperativeStickyAssignor", "cooperative-sticky"},
        };
        std::vector<std::string> out;
        for (const auto& item : split_list(text)) {
            auto it = std::find_if(std::begin(assignors), std::end(assignors),
                                   [&](const auto& a) { return a.first == item; });
            if (it == std::end(assignors)) {
                return std::string(
                    "expected a comma-separated list of range, roundrobin, sticky, cooperative-sticky "
                    "(or Kafka's assignor class names, like org.apache.kafka.clients.consumer.RangeAssignor)");
            }
            if (std::find(out.begin(), out.end(), it->second) == out.end()) out.emplace_back(it->second);
        }
        text = join_list(out);
        return std::nullopt;
    }
    return std::nullopt;  // free text (client.id, transactional.id, ...)
}

// ---- Version profiles ---------------------------------------------------------------------

struct ProfileSpec {
    const char* name;
    int major, minor;
    bool unclean_default_true;  // before 0.11
    bool pre_2_5_timeouts;      // replica.lag.time.max.ms 10000, zookeeper.session.timeout.ms 6000
    bool pre_3_0_clients;       // acks=1, idempotence off, session.timeout.ms 10000, range assignor
    bool linger_5;              // 4.0
    Behaviour behaviour;
    const char* covers;         // releases that map to this profile
    const char* remark;         // anything else a learner should know; may be empty
};

constexpr Behaviour behaviour_with(bool leader_epoch, bool kip279, bool fetch_divergence, bool isr_join,
                                   bool zk_fencing, bool frozen_hw, bool check_quorum) {
    Behaviour b;
    b.fetch_detects_divergence = fetch_divergence;
    b.hw_frozen_below_min_isr = frozen_hw;
    b.raft_check_quorum = check_quorum;
    b.truncate_by_leader_epoch = leader_epoch;
    b.kip279_epoch_end_offsets = kip279;
    b.isr_join_requires_epoch_start = isr_join;
    b.controller_epoch_fencing = zk_fencing;
    return b;
}

const ProfileSpec profile_specs[] = {
    {"0.8", 0, 8, true, true, true, false, behaviour_with(false, false, false, false, false, false, false), "0.8.x, 0.9.x",
     "min.insync.replicas and unclean.leader.election.enable arrived in 0.8.2 (KAFKA-1555, KAFKA-1028); 0.8.0 "
     "and 0.8.1 always elected any live replica when the ISR was gone. The model honours both settings in this "
     "profile: set \"unclean.leader.election.enable\": true (the default here) to replay 0.8.0."},
    {"0.10", 0, 10, true, true, true, false, behaviour_with(false, false, false, false, false, false, false), "0.10.x",
     "Same replication protocol as 0.8/0.9: followers still truncate to the high watermark on restart."},
    {"0.11", 0, 11, false, true, true, false, behaviour_with(true, false, false, false, false, false, false),
     "0.11.x, 1.0.x, 1.1.x",
     "Leader epochs (KIP-101) arrive, and unclean election is off by default (KIP-106). The epoch lookup still "
     "returns the end offset of epochs the leader never had (KAFKA-6361)."},
    {"2.0", 2, 0, false, true, true, false, behaviour_with(true, true, false, true, false, false, false), "2.0.x to 2.3.x",
     "The ISR-join rule of KAFKA-7128 shipped in 2.0.1, not 2.0.0; this profile has it. ZooKeeper-mode controller "
     "writes are not yet fenced by the /controller_epoch zkVersion (KAFKA-6082, 2.1)."},
    {"2.4", 2, 4, false, true, true, false, behaviour_with(true, true, false, true, true, false, false), "2.4.x to 2.8.x",
     "Releases 2.5 to 2.8 map here, but they already default replica.lag.time.max.ms=30000 and "
     "zookeeper.session.timeout.ms=18000 (KIP-537): set both in kafka.config to replay those releases exactly. "
     "KRaft (KIP-500) appeared as early access in 2.8. 2.7 and 2.8 also detect divergence in the fetch response "
     "(KAFKA-10554); this profile truncates once on becoming follower, as 2.4 to 2.6 do."},
    {"3.0", 3, 0, false, false, false, false, behaviour_with(true, true, true, true, true, false, false), "3.0.x to 3.6.x",
     "The producer now defaults to acks=all with idempotence (KIP-679); before KAFKA-13598 (3.2) a producer whose "
     "settings conflicted with idempotence silently ran without it, which the model does whenever "
     "enable.idempotence is not set explicitly."},
    {"3.7", 3, 7, false, false, false, false, behaviour_with(true, true, true, true, true, true, true), "3.7.x to 3.9.x",
     "The last releases with ZooKeeper mode."},
    {"4.0", 4, 0, false, false, false, true, behaviour_with(true, true, true, true, true, true, true), "4.0.x",
     "ZooKeeper mode is gone (KIP-833): scenarios on 4.x must use \"metadata\": \"kraft\". Eligible leader "
     "replicas (KIP-966) are available but opt-in: set \"eligible.leader.replicas.version\": 1 in kafka.config "
     "(kafka-features upgrade --feature eligible.leader.replicas.version=1)."},
    {"4.1", 4, 1, false, false, false, true, behaviour_with(true, true, true, true, true, true, true), "4.1.x and later",
     "A cluster formatted by 4.1 or later has eligible leader replicas on; one upgraded from 4.0 keeps the level "
     "it had: set \"eligible.leader.replicas.version\": 0 to replay it."},
};

VersionProfile build_profile(const ProfileSpec& spec) {
    VersionProfile p;
    p.name = spec.name;
    p.major = spec.major;
    p.minor = spec.minor;
    p.behaviour = spec.behaviour;
    auto& n = p.notes;
    n.push_back(std::string("covers Kafka ") + spec.covers);

    if (spec.unclean_default_true) {
        p.defaults["unclean.leader.election.enable"] = true;
        n.push_back("unclean.leader.election.enable=true: before 0.11 a partition whose ISR is gone elects any live "
                    "replica, losing acknowledged records (KIP-106 made false the default in 0.11)");
    }
    if (spec.pre_2_5_timeouts) {
        p.defaults["replica.lag.time.max.ms"] = int64_t{10000};
        p.defaults["zookeeper.session.timeout.ms"] = int64_t{6000};
        n.push_back("replica.lag.time.max.ms=10000: a slow follower leaves the ISR sooner (KIP-537 raised it to "
                    "30000 in 2.5)");
        n.push_back("zookeeper.session.timeout.ms=6000: a broker that misses ZooKeeper for 6 s loses its session "
                    "(KIP-537 raised it to 18000 in 2.5)");
    }
    if (spec.pre_3_0_clients) {
        p.defaults["acks"] = int64_t{1};
        p.defaults["enable.idempotence"] = false;
        p.defaults["session.timeout.ms"] = int64_t{10000};
        p.defaults["partition.assignment.strategy"] = std::string("range");
        n.push_back("acks=1: the leader acknowledges after its own write, so a leader failure can lose acknowledged "
                    "records (KIP-679 made acks=all the default in 3.0)");
        n.push_back("enable.idempotence=false: retries can duplicate records (KIP-679, 3.0)");
        n.push_back("consumer session.timeout.ms=10000 (KIP-735 raised it to 45000 in 3.0)");
        n.push_back("partition.assignment.strategy=range (3.0 added cooperative-sticky as the fallback, KIP-726)");
    }
    if (std::pair{spec.major, spec.minor} >= std::pair{4, 1}) {
        p.defaults["eligible.leader.replicas.version"] = int64_t{1};
        n.push_back("eligible.leader.replicas.version=1: replicas that leave an ISR below min.insync.replicas become "
                    "eligible leaders (ELR), so a last ISR member that crashed uncleanly is not re-elected over them "
                    "(KIP-966, on for new clusters from 4.1; opt-in in 4.0)");
    }
    if (spec.linger_5) {
        p.defaults["linger.ms"] = int64_t{5};
        n.push_back("linger.ms=5: the producer waits up to 5 ms to fill a batch (KIP-1030, 4.0)");
    } else {
        n.push_back("linger.ms=0: the producer sends a batch as soon as it can (KIP-1030 raised it to 5 in 4.0)");
    }

    const Behaviour& b = spec.behaviour;
    n.push_back(b.truncate_by_leader_epoch
                    ? "truncate by leader epoch: a restarted follower asks the leader where its epoch ended (KIP-101, 0.11)"
                    : "truncate to the high watermark: a restarted follower drops records above its checkpointed high "
                      "watermark, which can lose committed records and let replicas diverge (fixed by KIP-101 in 0.11)");
    n.push_back(b.kip279_epoch_end_offsets
                    ? "epoch end offsets per KIP-279 (2.0): followers converge to the largest common prefix"
                    : "no KIP-279: after fast leader changes the leader may answer with the end offset of an epoch it "
                      "never had, and logs can diverge (KAFKA-6361, fixed in 2.0)");
    if (b.truncate_by_leader_epoch)
        n.push_back(b.fetch_detects_divergence
                        ? "every follower fetch names its last fetched epoch and the leader answers where that epoch "
                          "diverges, so a follower repairs its log whenever it meets a new leader's history (KAFKA-10554, 2.7)"
                        : "a follower asks OffsetForLeaderEpoch once, when it starts following a leader, truncates, and "
                          "then fetches without re-checking epochs (the fetch response carries a diverging epoch from "
                          "2.7, KAFKA-10554)");
    n.push_back(b.isr_join_requires_epoch_start
                    ? "ISR join needs the follower at the start of the leader's epoch (KAFKA-7128, 2.0.1)"
                    : "a follower below the start of the current leader epoch may rejoin the ISR and, if elected, lose "
                      "committed records (KAFKA-7128, fixed in 2.0.1)");
    n.push_back(b.controller_epoch_fencing
                    ? "ZooKeeper-mode controller writes are conditional on the /controller_epoch zkVersion (KAFKA-6082, 2.1)"
                    : "a zombie ZooKeeper-mode controller's writes are not fenced by the /controller_epoch zkVersion "
                      "(KAFKA-6082, fixed in 2.1); brokers still reject requests with an older controller epoch");
    n.push_back(b.hw_frozen_below_min_isr
                    ? "the high watermark stays put while |ISR| < min.insync.replicas (KAFKA-15583, 3.7)"
                    : "the high watermark advances whatever the ISR size (KAFKA-15583 froze it below min.insync.replicas "
                      "in 3.7)");
    n.push_back(b.raft_check_quorum
                    ? "a KRaft leader without fetches from a majority for 1.5 x controller.quorum.fetch.timeout.ms "
                      "resigns (KAFKA-15489, 3.7)"
                    : "an isolated KRaft leader keeps acting as leader while the majority elects another (KAFKA-15489, "
                      "fixed in 3.7)");
    if (spec.remark[0] != '\0') n.push_back(spec.remark);
    return p;
}

template <class Int>
void set_int(Int& field, const ConfigValue& v) {
    int64_t x = config_int(v);
    if constexpr (sizeof(Int) < sizeof(int64_t)) {
        x = std::clamp<int64_t>(x, std::numeric_limits<Int>::min(), std::numeric_limits<Int>::max());
    }
    field = static_cast<Int>(x);
}

// The profile's defaults for one scope, then the overrides on top.
ConfigMap merged(const VersionProfile& profile, const ConfigMap& overrides, unsigned scope) {
    ConfigMap out;
    for (const auto& [name, value] : profile.defaults) {
        const ConfigKey* k = find_config_key(name);
        if (k != nullptr && (k->scopes & scope) != 0) out[name] = value;
    }
    for (const auto& [name, value] : overrides) out[name] = value;
    return out;
}

const ConfigValue* lookup(const ConfigMap& m, const char* name) {
    auto it = m.find(name);
    return it == m.end() ? nullptr : &it->second;
}

}  // namespace

// ---- Key table ----------------------------------------------------------------------------

std::span<const ConfigKey> config_keys() { return key_table; }

const ConfigKey* find_config_key(std::string_view name) {
    for (const auto& k : key_table) {
        if (k.name == name) return &k;
    }
    return nullptr;
}

std::string suggest_config_key(std::string_view name, unsigned scopes) {
    const size_t limit = std::max<size_t>(2, name.size() / 3);
    const ConfigKey* best = nullptr;
    size_t best_distance = limit + 1;
    for (const auto& k : key_table) {
        if ((k.scopes & scopes) == 0) continue;
        size_t d = edit_distance(name, k.name);
        if (d < best_distance) {  // strict: ties keep the first in table order
            best = &k;
            best_distance = d;
        }
    }
    return best == nullptr ? std::string() : std::string(best->name);
}

std::optional<std::string> normalise_config_value(const ConfigKey& key, ConfigValue& value) {
    switch (key.type) {
        case ConfigType::acks: {
            if (const auto* s = std::get_if<std::string>(&value)) {
                if (*s == "all" || *s == "-1") value = int64_t{-1};
                else if (*s == "1") value = int64_t{1};
                else if (*s == "0") value = int64_t{0};
                else return "expected \"all\", -1, 0 or 1";
                return std::nullopt;
            }
            if (const auto* i = std::get_if<int64_t>(&value); i != nullptr && *i >= -1 && *i <= 1) return std::nullopt;
            return "expected \"all\", -1, 0 or 1";
        }
        case ConfigType::boolean: {
            if (std::holds_alternative<bool>(value)) return std::nullopt;
            if (const auto* s = std::get_if<std::string>(&value)) {
                // Kafka's ConfigDef parses booleans ignoring case.
                std::string l = lower(*s);
                if (l == "true" || l == "false") {
                    value = (l == "true");
                    return std::nullopt;
                }
            }
            return "expected true or false";
        }
        case ConfigType::integer: {
            std::optional<int64_t> v;
            if (const auto* i = std::get_if<int64_t>(&value)) v = *i;
            else if (const auto* s = std::get_if<std::string>(&value)) v = parse_integer_text(trim(*s));
            if (!v || *v < key.min_value || *v > key.max_value) return "expected an integer" + range_text(key);
            value = *v;
            return std::nullopt;
        }
        case ConfigType::ratio: {
            std::optional<double> v;
            if (const auto* i = std::get_if<int64_t>(&value)) v = static_cast<double>(*i);
            else if (const auto* d = std::get_if<double>(&value)) v = *d;
            if (!v || *v < static_cast<double>(key.min_value) || *v > static_cast<double>(key.max_value)) {
                return "expected a number" + range_text(key);
            }
            value = *v;
            return std::nullopt;
        }
        case ConfigType::string: {
            auto* s = std::get_if<std::string>(&value);
            if (s == nullptr) return "expected a string";
            return normalise_string(key.name, *s);
        }
    }
    return "unsupported config type";
}

int64_t config_int(const ConfigValue& v) {
    if (const auto* i = std::get_if<int64_t>(&v)) return *i;
    if (const auto* b = std::get_if<bool>(&v)) return *b ? 1 : 0;
    if (const auto* d = std::get_if<double>(&v)) return static_cast<int64_t>(*d);
    const auto& s = std::get<std::string>(v);
    if (s == "all") return -1;
    return parse_integer_text(trim(s)).value_or(0);
}

bool config_bool(const ConfigValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b;
    if (const auto* s = std::get_if<std::string>(&v)) return lower(*s) == "true";
    return config_int(v) != 0;
}

std::string scope_names(unsigned scopes) {
    std::string out;
    auto add = [&](unsigned bit, const char* name) {
        if ((scopes & bit) != 0) out += (out.empty() ? "" : "/") + std::string(name);
    };
    add(scope_broker, "broker");
    add(scope_topic, "topic");
    add(scope_producer, "producer");
    add(scope_consumer, "consumer");
    return out;
}

bool config_value_modelled(const ConfigKey& key, const ConfigValue& value) {
    if (key.name == "cleanup.policy" || key.name == "log.cleanup.policy") {
        // Deleting old segments is what the model does anyway; only compaction is missing.
        const auto* s = std::get_if<std::string>(&value);
        return s != nullptr && *s == "delete";
    }
    if (key.name == "compression.type") {
        const auto* s = std::get_if<std::string>(&value);
        return s != nullptr && (*s == "none" || *s == "producer" || *s == "uncompressed");
    }
    if (key.name == "group.protocol") {
        const auto* s = std::get_if<std::string>(&value);
        return s != nullptr && *s == "classic";
    }
    return key.modelled;
}

std::string format_config_value(const ConfigValue& v) {
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    if (const auto* i = std::get_if<int64_t>(&v)) return std::to_string(*i);
    if (const auto* d = std::get_if<double>(&v)) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", *d);
        return buf;
    }
    return std::get<std::string>(v);
}

std::span<const ConfigSynonym> topic_config_synonyms() { return synonym_table; }

// ---- Version profiles ---------------------------------------------------------------------

std::optional<std::pair<int, int>> release_major_minor(std::string_view version) {
    constexpr int any = 99;  // "x"
    std::vector<std::string_view> parts;
    size_t start = 0;
    while (true) {
        size_t dot = version.find('.', start);
        parts.push_back(version.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start));
        if (dot == std::string_view::npos) break;
        start = dot + 1;
    }
    if (parts.size() < 2 || parts.size() > 4) return std::nullopt;
    std::vector<int> numbers;
    for (size_t i = 0; i < parts.size(); ++i) {
        std::string_view part = parts[i];
        if (part == "x" && i > 0) {
            numbers.push_back(any);
            continue;
        }
        if (part.empty() || part.size() > 3) return std::nullopt;
        int n = 0;
        for (char c : part) {
            if (c < '0' || c > '9') return std::nullopt;
            n = n * 10 + (c - '0');
        }
        numbers.push_back(n);
    }
    int major = numbers[0], minor = numbers[1];
    // Real release lines only: 0.8-0.11, 1.0-1.1, 2.0-2.8, 3.0-3.9, and any 4.x.
    bool known = false;
    switch (major) {
        case 0: known = (minor >= 8 && minor <= 11) || minor == any; break;
        case 1: known = minor <= 1 || minor == any; break;
        case 2: known = minor <= 8 || minor == any; break;
        case 3: known = minor <= 9 || minor == any; break;
        case 4: known = true; break;
        default: break;
    }
    // "4.x.1" is not a release: once a part is "x", the rest must be too.
    for (size_t i = 1; i + 1 < numbers.size(); ++i) {
        if (numbers[i] == any && numbers[i + 1] != any) return std::nullopt;
    }
    if (!known) return std::nullopt;
    return std::pair{major, minor};
}

std::optional<VersionProfile> profile_for(std::string_view version) {
    auto release = release_major_minor(version);
    if (!release) return std::nullopt;
    const ProfileSpec* chosen = nullptr;
    for (const auto& spec : profile_specs) {
        if (std::pair{spec.major, spec.minor} <= *release) chosen = &spec;
    }
    if (chosen == nullptr) return std::nullopt;
    return build_profile(*chosen);
}

std::vector<VersionProfile> all_profiles() {
    std::vector<VersionProfile> out;
    for (const auto& spec : profile_specs) out.push_back(build_profile(spec));
    return out;
}

// ---- Typed configs ------------------------------------------------------------------------

BrokerConfig BrokerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    BrokerConfig c;
    c.behaviour = profile.behaviour;
    ConfigMap m;
    for (const auto& [name, value] : merged(profile, overrides, scope_broker)) {
        const ConfigKey* k = find_config_key(name);
        if (k != nullptr && (k->scopes & scope_broker) != 0) m[name] = value;
    }
    for (const auto& [name, v] : m) {
        if (name == "min.insync.replicas") set_int(c.min_insync_replicas, v);
        else if (name == "unclean.leader.election.enable") c.unclean_leader_election_enable = config_bool(v);
        else if (name == "eligible.leader.replicas.version") set_int(c.eligible_leader_replicas_version, v);
        else if (name == "replica.lag.time.max.ms") set_int(c.replica_lag_time_max_ms, v);
        else if (name == "replica.fetch.wait.max.ms") set_int(c.replica_fetch_wait_max_ms, v);
        else if (name == "replica.fetch.min.bytes") set_int(c.replica_fetch_min_bytes, v);
        else if (name == "replica.fetch.max.bytes") set_int(c.replica_fetch_max_bytes, v);
        else if (name == "replica.fetch.backoff.ms") set_int(c.replica_fetch_backoff_ms, v);
        else if (name == "replica.socket.timeout.ms") set_int(c.replica_socket_timeout_ms, v);
        else if (name == "replica.high.watermark.checkpoint.interval.ms") {
            set_int(c.replica_high_watermark_checkpoint_interval_ms, v);
        }
        else if (name == "default.replication.factor") set_int(c.default_replication_factor, v);
        else if (name == "num.partitions") set_int(c.num_partitions, v);
        else if (name == "auto.leader.rebalance.enable") c.auto_leader_rebalance_enable = config_bool(v);
        else if (name == "leader.imbalance.check.interval.seconds") set_int(c.leader_imbalance_check_interval_seconds, v);
        else if (name == "leader.imbalance.per.broker.percentage") set_int(c.leader_imbalance_per_broker_percentage, v);
        else if (name == "log.segment.bytes") set_int(c.log_segment_bytes, v);
        else if (name == "log.retention.check.interval.ms") set_int(c.log_retention_check_interval_ms, v);
        else if (name == "log.flush.interval.messages") set_int(c.log_flush_interval_messages, v);
        else if (name == "log.flush.interval.ms") set_int(c.log_flush_interval_ms, v);
        else if (name == "broker.heartbeat.interval.ms") set_int(c.broker_heartbeat_interval_ms, v);
        else if (name == "broker.session.timeout.ms") set_int(c.broker_session_timeout_ms, v);
        else if (name == "kafkasim.controlled.shutdown.timeout.ms") set_int(c.controlled_shutdown_timeout_ms, v);
        else if (name == "controller.quorum.election.timeout.ms") set_int(c.controller_quorum_election_timeout_ms, v);
        else if (name == "controller.quorum.fetch.timeout.ms") set_int(c.controller_quorum_fetch_timeout_ms, v);
        else if (name == "controller.quorum.election.backoff.max.ms") {
            set_int(c.controller_quorum_election_backoff_max_ms, v);
        }
        else if (name == "controller.quorum.append.linger.ms") set_int(c.controller_quorum_append_linger_ms, v);
        else if (name == "controller.quorum.request.timeout.ms") set_int(c.controller_quorum_request_timeout_ms, v);
        else if (name == "controller.quorum.retry.backoff.ms") set_int(c.controller_quorum_retry_backoff_ms, v);
        else if (name == "zookeeper.session.timeout.ms") set_int(c.zookeeper_session_timeout_ms, v);
        else if (name == "zookeeper.tickTime") set_int(c.zookeeper_tick_time_ms, v);
        else if (name == "zookeeper.initLimit") set_int(c.zookeeper_init_limit, v);
        else if (name == "zookeeper.syncLimit") set_int(c.zookeeper_sync_limit, v);
        else if (name == "offsets.topic.num.partitions") set_int(c.offsets_topic_num_partitions, v);
        else if (name == "offsets.topic.replication.factor") set_int(c.offsets_topic_replication_factor, v);
        else if (name == "group.initial.rebalance.delay.ms") set_int(c.group_initial_rebalance_delay_ms, v);
        else if (name == "group.min.session.timeout.ms") set_int(c.group_min_session_timeout_ms, v);
        else if (name == "group.max.session.timeout.ms") set_int(c.group_max_session_timeout_ms, v);
    }
    // Kafka's precedence for time settings given in several units: ms, then minutes, then hours.
    constexpr int64_t hour_ms = 3600LL * 1000, minute_ms = 60LL * 1000;
    if (const auto* v = lookup(m, "log.roll.ms")) c.log_roll_ms = config_int(*v);
    else if (const auto* h = lookup(m, "log.roll.hours")) c.log_roll_ms = config_int(*h) * hour_ms;
    if (const auto* v = lookup(m, "log.retention.ms")) c.log_retention_ms = config_int(*v);
    else if (const auto* mi = lookup(m, "log.retention.minutes")) {
        c.log_retention_ms = config_int(*mi) < 0 ? -1 : config_int(*mi) * minute_ms;
    } else if (const auto* h = lookup(m, "log.retention.hours")) {
        c.log_retention_ms = config_int(*h) < 0 ? -1 : config_int(*h) * hour_ms;
    }
    return c;
}

TopicConfig TopicConfig::from(const BrokerConfig& broker, const ConfigMap& topic_overrides) {
    TopicConfig t;
    t.min_insync_replicas = broker.min_insync_replicas;
    t.unclean_leader_election_enable = broker.unclean_leader_election_enable;
    t.segment_bytes = broker.log_segment_bytes;
    t.segment_ms = broker.log_roll_ms;
    t.retention_ms = broker.log_retention_ms;
    for (const auto& [name, v] : topic_overrides) {
        if (name == "min.insync.replicas") set_int(t.min_insync_replicas, v);
        else if (name == "unclean.leader.election.enable") t.unclean_leader_election_enable = config_bool(v);
        else if (name == "segment.bytes") set_int(t.segment_bytes, v);
        else if (name == "segment.ms") set_int(t.segment_ms, v);
        else if (name == "retention.ms") set_int(t.retention_ms, v);
    }
    t.overrides = topic_overrides;
    return t;
}

ProducerConfig ProducerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    ProducerConfig p;
    const ConfigMap m = merged(profile, overrides, scope_producer);
    for (const auto& [name, v] : m) {
        if (name == "acks") set_int(p.acks, v);
        else if (name == "enable.idempotence") p.enable_idempotence = config_bool(v);
        else if (name == "retries") set_int(p.retries, v);
        else if (name == "linger.ms") set_int(p.linger_ms, v);
        else if (name == "batch.size") set_int(p.batch_size, v);
        else if (name == "delivery.timeout.ms") set_int(p.delivery_timeout_ms, v);
        else if (name == "request.timeout.ms") set_int(p.request_timeout_ms, v);
        else if (name == "retry.backoff.ms") set_int(p.retry_backoff_ms, v);
        else if (name == "max.in.flight.requests.per.connection") set_int(p.max_in_flight_requests_per_connection, v);
        else if (name == "metadata.max.age.ms") set_int(p.metadata_max_age_ms, v);
        else if (name == "kafkasim.record.size.bytes") set_int(p.record_size_bytes, v);
    }
    p.idempotence_explicit = overrides.contains("enable.idempotence");
    // Idempotence needs acks=all, retries and at most 5 in flight. When the user did not ask
    // for it, Kafka quietly turns it off rather than refusing to start (KAFKA-13598).
    if (!p.idempotence_explicit &&
        (p.acks != -1 || p.retries == 0 || p.max_in_flight_requests_per_connection > 5)) {
        p.enable_idempotence = false;
    }
    // KafkaProducer.configureDeliveryTimeout: an unset delivery.timeout.ms is raised to
    // linger.ms + request.timeout.ms; a set one that is too small is an error (see below).
    if (!overrides.contains("delivery.timeout.ms") && p.delivery_timeout_ms < p.linger_ms + p.request_timeout_ms) {
        p.delivery_timeout_ms = p.linger_ms + p.request_timeout_ms;
    }
    return p;
}

std::optional<std::string> producer_config_conflict(const ProducerConfig& p, const ConfigMap& overrides) {
    if (p.idempotence_explicit && p.enable_idempotence) {
        if (p.acks != -1) {
            return "enable.idempotence=true needs acks=all: Kafka's producer refuses to start (\"Must set acks to "
                   "all in order to use the idempotent producer\")";
        }
        if (p.retries == 0) {
            return "enable.idempotence=true needs retries > 0: Kafka's producer refuses to start (\"Must set "
                   "retries to non-zero when using the idempotent producer\")";
        }
        if (p.max_in_flight_requests_per_connection > 5) {
            return "enable.idempotence=true needs max.in.flight.requests.per.connection <= 5: Kafka's producer "
                   "refuses to start";
        }
    }
    if (overrides.contains("delivery.timeout.ms") && p.delivery_timeout_ms < p.linger_ms + p.request_timeout_ms) {
        return "delivery.timeout.ms (" + std::to_string(p.delivery_timeout_ms) +
               ") must be at least linger.ms + request.timeout.ms (" +
               std::to_string(p.linger_ms + p.request_timeout_ms) + "): Kafka's producer refuses to start";
    }
    return std::nullopt;
}

ConsumerConfig ConsumerConfig::from(const VersionProfile& profile, const ConfigMap& overrides) {
    ConsumerConfig c;
    const ConfigMap m = merged(profile, overrides, scope_consumer);
    for (const auto& [name, v] : m) {
        if (name == "auto.offset.reset") c.auto_offset_reset = format_config_value(v);
        else if (name == "enable.auto.commit") c.enable_auto_commit = config_bool(v);
        else if (name == "auto.commit.interval.ms") set_int(c.auto_commit_interval_ms, v);
        else if (name == "session.timeout.ms") set_int(c.session_timeout_ms, v);
        else if (name == "heartbeat.interval.ms") set_int(c.heartbeat_interval_ms, v);
        else if (name == "max.poll.interval.ms") set_int(c.max_poll_interval_ms, v);
        else if (name == "max.poll.records") set_int(c.max_poll_records, v);
        else if (name == "partition.assignment.strategy") c.partition_assignment_strategy = format_config_value(v);
        else if (name == "isolation.level") c.isolation_level = format_config_value(v);
        else if (name == "fetch.min.bytes") set_int(c.fetch_min_bytes, v);
        else if (name == "fetch.max.wait.ms") set_int(c.fetch_max_wait_ms, v);
        else if (name == "max.partition.fetch.bytes") set_int(c.max_partition_fetch_bytes, v);
        else if (name == "request.timeout.ms") set_int(c.request_timeout_ms, v);
        else if (name == "retry.backoff.ms") set_int(c.retry_backoff_ms, v);
        else if (name == "metadata.max.age.ms") set_int(c.metadata_max_age_ms, v);
    }
    return c;
}

std::optional<std::string> consumer_config_conflict(const ConsumerConfig& c) {
    if (c.heartbeat_interval_ms >= c.session_timeout_ms) {
        return "heartbeat.interval.ms (" + std::to_string(c.heartbeat_interval_ms) +
               ") must be lower than session.timeout.ms (" + std::to_string(c.session_timeout_ms) +
               "): Kafka's consumer refuses to start";
    }
    return std::nullopt;
}

}  // namespace kafka
