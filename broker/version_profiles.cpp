// Kafka version profiles (see ../shared/reference/kafka-behaviour.md, section 0): which
// protocol fixes a release had (Behaviour), and which defaults differed from the key table's.
#include <string>
#include <vector>

#include "broker/config.hpp"

namespace kafka {

namespace {

using Release = std::pair<int, int>;

struct ProfileSpec {
    std::string_view name{};
    Release release{};
    std::string_view covers{};  // releases that map to this profile
    Behaviour behaviour{};      // what the release did not have yet
    std::string_view remark{};  // anything else a learner should know
};

// 0.8 to 0.10: the replication protocol before leader epochs, with none of the later fixes.
constexpr Behaviour before_every_fix = {.truncate_by_leader_epoch = false,
                                        .follower_takes_leader_log_start = false,
                                        .kip279_epoch_end_offsets = false,
                                        .isr_join_requires_epoch_start = false,
                                        .controller_epoch_fencing = false,
                                        .fetch_detects_divergence = false,
                                        .hw_frozen_below_min_isr = false,
                                        .raft_check_quorum = false,
                                        .raft_pre_vote = false,
                                        .unknown_producer_id_error = false,
                                        .accept_unknown_producer_sequence = false,
                                        .first_sequence_zero_on_new_partition = false};

constexpr ProfileSpec profile_specs[] = {
    {.name = "0.8",
     .release = {0, 8},
     .covers = "0.8.x, 0.9.x",
     .behaviour = before_every_fix,
     .remark = "min.insync.replicas and unclean.leader.election.enable arrived in 0.8.2 (KAFKA-1555, KAFKA-1028); "
               "0.8.0 and 0.8.1 always elected any live replica when the ISR was gone. The model honours both "
               "settings in this profile: set \"unclean.leader.election.enable\": true (the default here) to replay "
               "0.8.0."},
    {.name = "0.10",
     .release = {0, 10},
     .covers = "0.10.x",
     .behaviour = before_every_fix,
     .remark = "Same replication protocol as 0.8/0.9: followers still truncate to the high watermark on restart."},
    {.name = "0.11",
     .release = {0, 11},
     .covers = "0.11.x, 1.0.x, 1.1.x",
     .behaviour = {.kip279_epoch_end_offsets = false,
                   .isr_join_requires_epoch_start = false,
                   .controller_epoch_fencing = false,
                   .fetch_detects_divergence = false,
                   .hw_frozen_below_min_isr = false,
                   .raft_check_quorum = false,
                   .raft_pre_vote = false,
                   .unknown_producer_id_error = false,
                   .accept_unknown_producer_sequence = false,
                   .first_sequence_zero_on_new_partition = false},
     .remark = "Leader epochs (KIP-101) arrive, and unclean election is off by default (KIP-106). The epoch lookup "
               "still returns the end offset of epochs the leader never had (KAFKA-6361). The idempotent producer "
               "arrives too (KIP-98); 1.0 and 1.1 answer a nonzero first sequence of an unknown producer id with "
               "UNKNOWN_PRODUCER_ID rather than OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-5793)."},
    {.name = "2.0",
     .release = {2, 0},
     .covers = "2.0.x to 2.3.x",
     .behaviour = {.controller_epoch_fencing = false,
                   .fetch_detects_divergence = false,
                   .hw_frozen_below_min_isr = false,
                   .raft_check_quorum = false,
                   .raft_pre_vote = false,
                   .accept_unknown_producer_sequence = false,
                   .first_sequence_zero_on_new_partition = false},
     .remark = "The ISR-join rule of KAFKA-7128 shipped in 2.0.1, not 2.0.0; this profile has it. ZooKeeper-mode "
               "controller writes are not yet fenced by the /controller_epoch zkVersion (KAFKA-6082, 2.1)."},
    {.name = "2.4",
     .release = {2, 4},
     .covers = "2.4.x to 2.8.x",
     .behaviour = {.fetch_detects_divergence = false,
                   .hw_frozen_below_min_isr = false,
                   .raft_check_quorum = false,
                   .raft_pre_vote = false,
                   .accept_unknown_producer_sequence = false,
                   .first_sequence_zero_on_new_partition = false},
     .remark = "Releases 2.5 to 2.8 map here, but they already default replica.lag.time.max.ms=30000 and "
               "zookeeper.session.timeout.ms=18000 (KIP-537): set both in kafka.config to replay those releases "
               "exactly. KRaft (KIP-500) appeared as early access in 2.8. 2.7 and 2.8 also detect divergence in the "
               "fetch response (KAFKA-10554); this profile truncates once on becoming follower, as 2.4 to 2.6 do. "
               "2.5 to 2.8 accept any first sequence from a producer id a partition holds no state for (KIP-360); "
               "this profile refuses it with UNKNOWN_PRODUCER_ID, as 2.4 does."},
    {.name = "3.0",
     .release = {3, 0},
     .covers = "3.0.x to 3.6.x",
     .behaviour = {.hw_frozen_below_min_isr = false,
                   .raft_check_quorum = false,
                   .raft_pre_vote = false,
                   .first_sequence_zero_on_new_partition = false},
     .remark = "The producer now defaults to acks=all with idempotence (KIP-679); before KAFKA-13598 (3.2) a "
               "producer whose settings conflicted with idempotence silently ran without it, which the model does "
               "whenever enable.idempotence is not set explicitly."},
    {.name = "3.7",
     .release = {3, 7},
     .covers = "3.7.x to 3.9.x",
     .behaviour = {.raft_pre_vote = false, .first_sequence_zero_on_new_partition = false},
     .remark = "The last releases with ZooKeeper mode."},
    {.name = "4.0",
     .release = {4, 0},
     .covers = "4.0.x",
     .behaviour = {.first_sequence_zero_on_new_partition = false},
     .remark = "ZooKeeper mode is gone (KIP-833): scenarios on 4.x must use \"metadata\": \"kraft\". Eligible leader "
               "replicas (KIP-966) are available but opt-in: set \"eligible.leader.replicas.version\": 1 in "
               "kafka.config (kafka-features upgrade --feature eligible.leader.replicas.version=1)."},
    {.name = "4.1",
     .release = {4, 1},
     .covers = "4.1.x to 4.4.x",
     .behaviour = {.first_sequence_zero_on_new_partition = false},
     .remark = "A cluster formatted by 4.1 or later has eligible leader replicas on; one upgraded from 4.0 keeps the "
               "level it had: set \"eligible.leader.replicas.version\": 0 to replay it."},
    {.name = "4.5",
     .release = {4, 5},
     .covers = "4.5.x and later",
     .behaviour = {},
     .remark = "KAFKA-15591 (apache/kafka pull request 23234, merged for 4.5): a partition whose log never held a "
               "record takes a producer's first batch only at sequence 0, so two produce requests in flight to a "
               "partition its leader has just learned of can no longer be written out of order."},
};

// Defaults of the profiles in [from, until). A row with the key table's own default only adds
// its note.
constexpr ProfileDefault profile_default_table[] = {
    {.key = "replication.factor",
     .value = "1",
     .until = {3, 0},
     .why = "a Streams application's changelog and repartition topics get one replica unless it asks for more "
            "(KIP-733 made -1, the broker's default.replication.factor, the default in 3.0)"},
    {.key = "unclean.leader.election.enable",
     .value = "true",
     .until = {0, 11},
     .why = "before 0.11 a partition whose ISR is gone elects any live replica, losing acknowledged records "
            "(KIP-106 made false the default in 0.11)"},
    {.key = "delete.topic.enable",
     .value = "false",
     .until = {1, 0},
     .why = "kafka-topics --delete only marks a topic for deletion; nothing is removed (1.0 made true the default)"},
    {.key = "replica.lag.time.max.ms",
     .value = "10000",
     .until = {2, 5},
     .why = "a slow follower leaves the ISR sooner (KIP-537 raised it to 30000 in 2.5)"},
    {.key = "zookeeper.session.timeout.ms",
     .value = "6000",
     .until = {2, 5},
     .why = "a broker that misses ZooKeeper for 6 s loses its session (KIP-537 raised it to 18000 in 2.5)"},
    {.key = "acks",
     .value = "1",
     .until = {3, 0},
     .why = "the leader acknowledges after its own write, so a leader failure can lose acknowledged records "
            "(KIP-679 made acks=all the default in 3.0)"},
    {.key = "enable.idempotence",
     .value = "false",
     .until = {3, 0},
     .why = "retries can duplicate records (KIP-679, 3.0)"},
    {.key = "session.timeout.ms",
     .value = "10000",
     .until = {3, 0},
     .why = "a consumer that misses heartbeats for 10 s leaves its group (KIP-735 raised it to 45000 in 3.0)"},
    {.key = "partition.assignment.strategy",
     .value = "range",
     .until = {3, 0},
     .why = "the range assignor alone (3.0 added cooperative-sticky as the fallback, KIP-726)"},
    {.key = "eligible.leader.replicas.version",
     .value = "1",
     .from = {4, 1},
     .why = "replicas that leave an ISR below min.insync.replicas become eligible leaders (ELR), so a last ISR "
            "member that crashed uncleanly is not re-elected over them (KIP-966, on for new clusters from 4.1; "
            "opt-in in 4.0)"},
    {.key = "transaction.version",
     .value = "2",
     .from = {4, 0},
     .why = "every commit or abort bumps the producer epoch and leaders add partitions to transactions "
            "themselves (KIP-890 part 2, on for new clusters from 4.0): set \"transaction.version\": 0 to replay a "
            "cluster upgraded from 3.x"},
    {.key = "linger.ms",
     .value = "0",
     .until = {4, 0},
     .why = "the producer sends a batch as soon as it can (KIP-1030 raised it to 5 in 4.0)"},
    {.key = "linger.ms",
     .value = "5",
     .from = {4, 0},
     .why = "the producer waits up to 5 ms to fill a batch (KIP-1030, 4.0)"},
};

constexpr BehaviourSwitch switch_table[] = {
    {.name = "truncate_by_leader_epoch",
     .flag = &Behaviour::truncate_by_leader_epoch,
     .on = "truncate by leader epoch: a restarted follower asks the leader where its epoch ended (KIP-101, 0.11)",
     .off = "truncate to the high watermark: a restarted follower drops records above its checkpointed high "
            "watermark, which can lose committed records and let replicas diverge (fixed by KIP-101 in 0.11)"},
    {.name = "follower_takes_leader_log_start",
     .flag = &Behaviour::follower_takes_leader_log_start,
     .on = "fetch responses carry the leader's log start offset and followers take it, so retention's deletions reach "
           "every replica (KIP-107, 0.11)",
     .off = "a replica's log start offset moves only by its own retention runs: followers do not learn the "
            "leader's (the fetch response carries it from 0.11, KIP-107)"},
    {.name = "kip279_epoch_end_offsets",
     .flag = &Behaviour::kip279_epoch_end_offsets,
     .on = "epoch end offsets per KIP-279 (2.0): followers converge to the largest common prefix",
     .off = "no KIP-279: after fast leader changes the leader may answer with the end offset of an epoch it never "
            "had, and logs can diverge (KAFKA-6361, fixed in 2.0)"},
    {.name = "fetch_detects_divergence",
     .flag = &Behaviour::fetch_detects_divergence,
     .on = "every follower fetch names its last fetched epoch and the leader answers where that epoch diverges, "
           "so a follower repairs its log whenever it meets a new leader's history (KAFKA-10554, 2.7)",
     .off = "a follower asks OffsetForLeaderEpoch once, when it starts following a leader, truncates, and then "
            "fetches without re-checking epochs (the fetch response carries a diverging epoch from 2.7, "
            "KAFKA-10554)",
     .shown_if = &Behaviour::truncate_by_leader_epoch},
    {.name = "isr_join_requires_epoch_start",
     .flag = &Behaviour::isr_join_requires_epoch_start,
     .on = "ISR join needs the follower at the start of the leader's epoch (KAFKA-7128, 2.0.1)",
     .off = "a follower below the start of the current leader epoch may rejoin the ISR and, if elected, lose "
            "committed records (KAFKA-7128, fixed in 2.0.1)"},
    {.name = "controller_epoch_fencing",
     .flag = &Behaviour::controller_epoch_fencing,
     .on = "ZooKeeper-mode controller writes are conditional on the /controller_epoch zkVersion (KAFKA-6082, 2.1)",
     .off = "a zombie ZooKeeper-mode controller's writes are not fenced by the /controller_epoch zkVersion "
            "(KAFKA-6082, fixed in 2.1); brokers still reject requests with an older controller epoch"},
    {.name = "hw_frozen_below_min_isr",
     .flag = &Behaviour::hw_frozen_below_min_isr,
     .on = "the high watermark stays put while |ISR| < min.insync.replicas (KAFKA-15583, 3.7)",
     .off = "the high watermark advances whatever the ISR size (KAFKA-15583 froze it below min.insync.replicas in "
            "3.7)"},
    {.name = "raft_check_quorum",
     .flag = &Behaviour::raft_check_quorum,
     .on = "a KRaft leader without fetches from a majority for 1.5 x controller.quorum.fetch.timeout.ms resigns "
           "(KAFKA-15489, 3.7)",
     .off = "an isolated KRaft leader keeps acting as leader while the majority elects another (KAFKA-15489, fixed "
            "in 3.7)"},
    {.name = "raft_pre_vote",
     .flag = &Behaviour::raft_pre_vote,
     .on = "a KRaft voter that lost its leader first asks for pre-votes without bumping the epoch; voters that still "
           "hear from a leader refuse, so a voter returning from isolation cannot depose a healthy leader (KIP-996, "
           "4.0)",
     .off = "a KRaft voter that lost its leader bumps the epoch at once and keeps bumping it while isolated; when it "
            "returns, its Vote requests with the higher epoch make the healthy leader step down (Pre-Vote, KIP-996, "
            "arrived in 4.0)"},
    {.name = "unknown_producer_id_error",
     .flag = &Behaviour::unknown_producer_id_error,
     .on = "a nonzero first sequence from a producer id the partition holds no state for is refused with "
           "UNKNOWN_PRODUCER_ID (KAFKA-5793, 1.0)",
     .off = "a nonzero first sequence from a producer id the partition holds no state for is refused with "
            "OUT_OF_ORDER_SEQUENCE_NUMBER (1.0 answers UNKNOWN_PRODUCER_ID, KAFKA-5793)",
     .hidden_if = &Behaviour::accept_unknown_producer_sequence},
    {.name = "accept_unknown_producer_sequence",
     .flag = &Behaviour::accept_unknown_producer_sequence,
     .on = "a producer id the partition holds no state for may start at any sequence (KIP-360, 2.5): of two produce "
           "requests in flight to a partition its leader has only just learned of, the second can be written first "
           "(KAFKA-15591)",
     .off = "a producer id the partition holds no state for must start at sequence 0 (2.5 accepts any sequence, "
            "KIP-360)"},
    {.name = "first_sequence_zero_on_new_partition",
     .flag = &Behaviour::first_sequence_zero_on_new_partition,
     .on = "a partition whose log never held a record takes a producer's first batch only at sequence 0, else "
           "OUT_OF_ORDER_SEQUENCE_NUMBER (KAFKA-15591, 4.5)",
     .off = "a partition whose log never held a record takes a producer's first batch at any sequence (KAFKA-15591 "
            "wants sequence 0 from 4.5)",
     .shown_if = &Behaviour::accept_unknown_producer_sequence},
};

// The transaction switches, by the release that brought them (see TransactionFeatures).
constexpr TransactionSwitch transaction_switch_table[] = {
    {.name = "transactions_supported",
     .flag = &TransactionFeatures::transactions_supported,
     .since = {0, 11},
     .on = "transactions: transactional ids, FindCoordinator for them, InitProducerId, AddPartitionsToTxn, EndTxn "
           "and markers (KIP-98, 0.11)",
     .off = "no transactions: FindCoordinator key_type 1 and InitProducerId are answered UNSUPPORTED_VERSION "
            "(KIP-98 arrived in 0.11)"},
    {.name = "init_producer_id_with_epoch",
     .flag = &TransactionFeatures::init_producer_id_with_epoch,
     .since = {2, 5},
     .on = "InitProducerId carries the producer's current id and epoch, so it bumps its epoch and goes on after an "
           "abortable error (KIP-360, 2.5)",
     .off = "InitProducerId carries no producer id: after an abortable error a transactional producer must be "
            "re-created (KIP-360 arrived in 2.5)"},
    {.name = "require_stable_offsets",
     .flag = &TransactionFeatures::require_stable_offsets,
     .since = {2, 5},
     .on = "OffsetFetch may require stable offsets and TxnOffsetCommit carries the group generation (KIP-447, 2.5)",
     .off = "OffsetFetch returns offsets whose transaction is still open, and TxnOffsetCommit is not fenced by the "
            "group generation (KIP-447 arrived in 2.5)"},
    {.name = "producer_fenced_error",
     .flag = &TransactionFeatures::producer_fenced_error,
     .since = {2, 7},
     .on = "the transaction coordinator answers a stale producer epoch with PRODUCER_FENCED (KIP-588, 2.7)",
     .off = "the transaction coordinator answers a stale producer epoch with INVALID_PRODUCER_EPOCH (PRODUCER_FENCED "
            "was split off in 2.7, KIP-588)"},
    {.name = "partition_verification",
     .flag = &TransactionFeatures::partition_verification,
     .since = {3, 6},
     .on = "a leader asks the transaction coordinator before the first transactional batch of a producer "
           "(transaction.partition.verification.enable, KIP-890 part 1, 3.6): a late batch after an abort is refused",
     .off = "a leader appends any transactional batch with a current epoch: one that arrives after its transaction "
            "was aborted opens a transaction no marker will end, and the last stable offset stops there "
            "(KAFKA-12671; KIP-890 part 1 fixed it in 3.6)"},
    {.name = "transaction_abortable_error",
     .flag = &TransactionFeatures::transaction_abortable_error,
     .since = {3, 8},
     .on = "a batch the coordinator did not verify is refused with TRANSACTION_ABORTABLE (Produce v11, 3.8)",
     .off = "a batch the coordinator did not verify is refused with INVALID_TXN_STATE, fatal to the Java producer "
            "(TRANSACTION_ABORTABLE arrived in 3.8)"},
    {.name = "transaction_version_2",
     .flag = &TransactionFeatures::transaction_version_2,
     .since = {4, 0},
     .on = "transaction.version=2 is available (KIP-890 part 2, 4.0): with it every commit or abort bumps the "
           "epoch, and a delayed EndTxn or produce of an earlier transaction is fenced",
     .off = "one producer epoch spans all transactions of a producer: a delayed EndTxn can end a later transaction "
            "(KAFKA-17754; transaction.version=2 arrived in 4.0)"},
};

bool applies(const ProfileDefault& d, Release release) { return d.from <= release && release < d.until; }

VersionProfile build_profile(const ProfileSpec& spec, Release release) {
    VersionProfile p;
    p.name = spec.name;
    p.major = spec.release.first;
    p.minor = spec.release.second;
    p.behaviour = spec.behaviour;
    auto& n = p.notes;
    n.push_back("covers Kafka " + std::string(spec.covers));
    for (const ProfileDefault& d : profile_default_table) {
        if (!applies(d, spec.release)) continue;
        const ConfigKey* key = find_config_key(d.key);
        ConfigValue value = std::string(d.value);
        ConfigValue table_default = std::string(key->default_value);
        normalise_config_value(*key, value);
        normalise_config_value(*key, table_default);
        if (value != table_default) p.defaults[std::string(d.key)] = value;
        n.push_back(std::string(d.key) + "=" + std::string(d.value) + ": " + std::string(d.why));
    }
    for (const BehaviourSwitch& s : switch_table) {
        if (s.shown_if != nullptr && !(p.behaviour.*s.shown_if)) continue;
        if (s.hidden_if != nullptr && p.behaviour.*s.hidden_if) continue;
        n.emplace_back(p.behaviour.*s.flag ? s.on : s.off);
    }
    // Transactions follow the exact release: within one profile they may differ (3.6 verifies, 3.5 not).
    p.transactions = transaction_features_for(release);
    if (p.transactions.transactions_supported) {
        n.push_back("transactions as in Kafka " + std::to_string(release.first) + "." +
                    (release.second == 99 ? std::string("x") : std::to_string(release.second)) +
                    " (they follow the exact release a scenario names, within its profile):");
        for (const TransactionSwitch& s : transaction_switch_table) n.emplace_back(p.transactions.*s.flag ? s.on : s.off);
    } else {
        n.emplace_back(transaction_switch_table[0].off);
    }
    if (!spec.remark.empty()) n.emplace_back(spec.remark);
    return p;
}

}  // namespace

std::span<const BehaviourSwitch> behaviour_switches() { return switch_table; }
std::span<const TransactionSwitch> transaction_switches() { return transaction_switch_table; }

TransactionFeatures transaction_features_for(std::pair<int, int> release) {
    TransactionFeatures f;
    for (const TransactionSwitch& s : transaction_switch_table) f.*s.flag = s.since <= release;
    return f;
}
std::span<const ProfileDefault> profile_defaults() { return profile_default_table; }

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
        if (spec.release <= *release) chosen = &spec;
    }
    if (chosen == nullptr) return std::nullopt;
    return build_profile(*chosen, *release);
}

std::vector<VersionProfile> all_profiles() {
    std::vector<VersionProfile> out;
    for (const auto& spec : profile_specs) out.push_back(build_profile(spec, spec.release));
    return out;
}

}  // namespace kafka
