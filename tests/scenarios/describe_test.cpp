// `kafkasim describe`: what Kafka's tools would print for the cluster at an instant. The
// formatters are checked byte for byte against known states (the column widths, the tabs,
// the '-' placeholders, "Leader: none", the 3.8 Elr columns, the pre-2.4 topic line, the
// java.util.HashMap order of Configs), with expectations taken from real tool output where
// one is known; then the command itself, through the built binary.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "reports/cluster_views.hpp"
#include "reports/kafka_views.hpp"

namespace fs = std::filesystem;
using reports::KafkaRelease;

namespace {

reports::TopicView orders_topic() {
    reports::TopicView t;
    t.name = "orders";
    t.topic_id = "NPmZHyhbR9y00wMglMH2sg";
    t.topic_configs = {{"segment.bytes", "1048576"}};
    t.broker_configs = {{"min.insync.replicas", "2"}};
    reports::PartitionView p0;
    p0.partition = 0;
    p0.leader = 2;
    p0.replicas = {2, 3, 1};
    p0.isr = {2, 3};
    reports::PartitionView p1;
    p1.partition = 1;
    p1.leader = -1;
    p1.replicas = {3, 1, 2};
    p1.isr = {3};
    t.partitions = {p0, p1};
    return t;
}

}  // namespace

TEST_CASE("kafka-get-offsets --time -2: the leaders' log start offsets, topic:partition:offset", "[describe]") {
    reports::TopicView t = orders_topic();
    t.partitions[0].earliest_offset = 4200;  // retention moved it; partition 1 has no leader
    CHECK(reports::format_earliest_offsets({t}, KafkaRelease{3, 7}) ==
          "orders:0:4200\n"
          "Error: topic-partition orders:1 has no leader; its offset is not listed\n");
    CHECK(reports::format_earliest_offsets({t}, KafkaRelease{2, 8}) ==
          "orders:0:4200\n"
          "Error: partition 1 does not have a leader. Skip getting offsets\n");
}

TEST_CASE("kafka-topics --describe: 3.x layout with TopicId, tabs, Leader: none and non-default Configs", "[describe]") {
    std::string expected =
        "Topic: orders\tTopicId: NPmZHyhbR9y00wMglMH2sg\tPartitionCount: 2\tReplicationFactor: 3\t"
        "Configs: min.insync.replicas=2,segment.bytes=1048576\n"
        "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\n"
        "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 3,1,2\tIsr: 3\n";
    CHECK(reports::format_topics_describe({orders_topic()}, KafkaRelease{3, 7}) == expected);
}

TEST_CASE("kafka-topics --describe: Elr and LastKnownElr columns from 3.8, N/A when the broker does not say", "[describe]") {
    reports::TopicView t = orders_topic();
    t.partitions[0].elr = std::vector<int32_t>{};
    t.partitions[0].last_known_elr = std::vector<int32_t>{};
    t.partitions[1].elr = std::vector<int32_t>{1};
    t.partitions[1].last_known_elr = std::vector<int32_t>{2, 1};
    std::string expected =
        "Topic: orders\tTopicId: NPmZHyhbR9y00wMglMH2sg\tPartitionCount: 2\tReplicationFactor: 3\t"
        "Configs: min.insync.replicas=2,segment.bytes=1048576\n"
        "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\tElr: \tLastKnownElr: \n"
        "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 3,1,2\tIsr: 3\tElr: 1\tLastKnownElr: 2,1\n";
    CHECK(reports::format_topics_describe({t}, KafkaRelease{3, 8}) == expected);

    reports::TopicView zk = orders_topic();  // no DescribeTopicPartitions: nullopt lists
    std::string text = reports::format_topics_describe({zk}, KafkaRelease{4, 0});
    CHECK(text.find("\tIsr: 2,3\tElr: N/A\tLastKnownElr: N/A\n") != std::string::npos);
    // 3.7 has no such columns even when the lists are known.
    CHECK(reports::format_topics_describe({t}, KafkaRelease{3, 7}).find("Elr") == std::string::npos);
}

TEST_CASE("kafka-topics --describe: no TopicId before 2.8", "[describe]") {
    std::string expected =
        "Topic: orders\tPartitionCount: 2\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,segment.bytes=1048576\n"
        "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\n"
        "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 3,1,2\tIsr: 3\n";
    CHECK(reports::format_topics_describe({orders_topic()}, KafkaRelease{2, 4}) == expected);
}

TEST_CASE("kafka-topics --describe: the pre-2.4 topic line has no spaces and only the topic's own overrides", "[describe]") {
    std::string expected =
        "Topic:orders\tPartitionCount:2\tReplicationFactor:3\tConfigs:segment.bytes=1048576\n"
        "\tTopic: orders\tPartition: 0\tLeader: 2\tReplicas: 2,3,1\tIsr: 2,3\n"
        "\tTopic: orders\tPartition: 1\tLeader: none\tReplicas: 3,1,2\tIsr: 3\n";
    CHECK(reports::format_topics_describe({orders_topic()}, KafkaRelease{2, 0}) == expected);
    reports::TopicView none = orders_topic();
    none.topic_configs.clear();
    CHECK(reports::format_topics_describe({none}, KafkaRelease{0, 10}).rfind("Topic:orders\tPartitionCount:2\tReplicationFactor:3\tConfigs:\n", 0) == 0);
}

TEST_CASE("kafka-topics --describe: Configs in the order real Kafka prints them", "[describe]") {
    auto configs_line = [](std::vector<std::pair<std::string, std::string>> configs, KafkaRelease release) {
        reports::TopicView t;
        t.name = "t";
        t.topic_id = "AAAAAAAAAAAAAAAAAAAAAQ";
        t.topic_configs = std::move(configs);
        reports::PartitionView p;
        p.replicas = {1};
        t.partitions = {p};
        std::string text = reports::format_topics_describe({t}, release);
        size_t at = text.find("Configs:");
        return text.substr(at, text.find('\n') - at);
    };
    // __consumer_offsets as 2.4+ prints it (many public transcripts), and as 1.x/2.0-2.3 did.
    std::vector<std::pair<std::string, std::string>> offsets = {
        {"cleanup.policy", "compact"}, {"compression.type", "producer"}, {"segment.bytes", "104857600"}};
    CHECK(configs_line(offsets, {2, 8}) == "Configs: compression.type=producer,cleanup.policy=compact,segment.bytes=104857600");
    CHECK(configs_line(offsets, {1, 0}) == "Configs:segment.bytes=104857600,cleanup.policy=compact,compression.type=producer");
    // The 3.8 sample of the reference, and a Confluent transcript with seven overrides.
    CHECK(configs_line({{"min.compaction.lag.ms", "60000"}, {"min.insync.replicas", "1"}, {"segment.bytes", "1073741824"}},
                       {3, 8}) == "Configs: min.insync.replicas=1,segment.bytes=1073741824,min.compaction.lag.ms=60000");
    CHECK(configs_line({{"cleanup.policy", "compact"},
                        {"compression.type", "producer"},
                        {"flush.messages", "10000"},
                        {"flush.ms", "1000"},
                        {"max.message.bytes", "1000012"},
                        {"retention.bytes", "1073741824"},
                        {"segment.bytes", "104857600"}},
                       {2, 4}) ==
          "Configs: compression.type=producer,cleanup.policy=compact,flush.ms=1000,segment.bytes=104857600,"
          "flush.messages=10000,max.message.bytes=1000012,retention.bytes=1073741824");
}

TEST_CASE("Kafka Uuids print as 22 characters of base64url", "[describe]") {
    CHECK(reports::kafka_uuid_string(0, 0) == "AAAAAAAAAAAAAAAAAAAAAA");  // Uuid.ZERO_UUID
    CHECK(reports::kafka_uuid_string(0, 1) == "AAAAAAAAAAAAAAAAAAAAAQ");  // Uuid.METADATA_TOPIC_ID
    std::string a = reports::fake_kafka_uuid(7, "topic-id/1");
    CHECK(a.size() == 22);
    CHECK(a.front() != '-');
    CHECK(a == reports::fake_kafka_uuid(7, "topic-id/1"));
    CHECK(a != reports::fake_kafka_uuid(8, "topic-id/1"));
    CHECK(a != reports::fake_kafka_uuid(7, "topic-id/2"));
}

namespace {

reports::GroupView billing() {
    reports::GroupView g;
    g.group = "billing";
    g.state = "Stable";
    g.protocol = "range";
    g.coordinator_id = 2;
    g.coordinator_address = "localhost:9093";
    reports::GroupMemberView one{"consumer-billing-2-bb", "consumer-billing-2", "/10.0.0.3", {{"orders", 2}}};
    reports::GroupMemberView two{"consumer-billing-1-aa", "consumer-billing-1", "/10.0.0.2", {{"orders", 1}, {"orders", 0}}};
    g.members = {one, two};
    g.committed = {{{"orders", 0}, 100}, {{"orders", 1}, 50}, {{"payments", 0}, 7}};
    g.log_end_offsets = {{{"orders", 0}, 120}, {{"orders", 1}, 50}, {{"payments", 0}, 9}};
    return g;
}

}  // namespace

TEST_CASE("kafka-consumer-groups --describe: widths, '-' for what is missing, members with most partitions first", "[describe]") {
    std::string expected =
        "\n"
        "GROUP           TOPIC           PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID           HOST            CLIENT-ID\n"
        "billing         orders          0          100             120             20              consumer-billing-1-aa /10.0.0.2       consumer-billing-1\n"
        "billing         orders          1          50              50              0               consumer-billing-1-aa /10.0.0.2       consumer-billing-1\n"
        "billing         orders          2          -               -               -               consumer-billing-2-bb /10.0.0.3       consumer-billing-2\n"
        "billing         payments        0          7               9               2               -                     -               -\n";
    CHECK(reports::format_consumer_group_describe(billing()) == expected);
}

TEST_CASE("kafka-consumer-groups --describe: a note under the table says which scenario consumer each CLIENT-ID is", "[describe]") {
    reports::GroupView g = billing();
    g.members[0].consumer = "consumer:billing/2";
    g.members[1].consumer = "consumer:billing/1";
    const std::string text = reports::format_consumer_group_describe(g);
    CHECK(text.size() > 2);
    const std::string note = "# consumer-billing-2 is consumer:billing/2, consumer-billing-1 is consumer:billing/1\n";
    REQUIRE(text.size() >= note.size());
    CHECK(text.substr(text.size() - note.size()) == note);
}

TEST_CASE("kafka-consumer-groups --describe: the state notes, before the table as 2>&1 shows them", "[describe]") {
    reports::GroupView empty;
    empty.group = "a-much-longer-group-name";
    empty.state = "Empty";
    empty.committed = {{{"orders-with-a-long-name", 0}, 5}};
    std::string expected =
        "\n"
        "Consumer group 'a-much-longer-group-name' has no active members.\n"
        "\n"
        "GROUP                    TOPIC                   PARTITION  CURRENT-OFFSET  LOG-END-OFFSET  LAG             CONSUMER-ID     HOST            CLIENT-ID\n"
        "a-much-longer-group-name orders-with-a-long-name 0          5               -               -               -               -               -\n";
    CHECK(reports::format_consumer_group_describe(empty) == expected);

    empty.committed.clear();  // nothing to tabulate: the note alone
    CHECK(reports::format_consumer_group_describe(empty) == "\nConsumer group 'a-much-longer-group-name' has no active members.\n");

    reports::GroupView rebalancing = billing();
    rebalancing.state = "PreparingRebalance";
    std::string text = reports::format_consumer_group_describe(rebalancing);
    CHECK(text.rfind("\nWarning: Consumer group 'billing' is rebalancing.\n\nGROUP ", 0) == 0);

    reports::GroupView dead;
    dead.group = "gone";
    CHECK(reports::format_consumer_group_describe(dead) == "\nError: Consumer group 'gone' does not exist.\n");

    reports::GroupView stable_without_rows = billing();
    stable_without_rows.members.clear();
    stable_without_rows.committed.clear();
    CHECK(reports::format_consumer_group_describe(stable_without_rows).empty());
}

TEST_CASE("kafka-consumer-groups --describe --state: the Scala layout, the 3.8 port and the 4.0 layout", "[describe]") {
    CHECK(reports::format_consumer_group_state(billing(), {3, 7}) ==
          "\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS"
          "\nbilling                   localhost:9093 (2)        range                Stable          2\n");
    CHECK(reports::format_consumer_group_state(billing(), {3, 8}) ==
          "\nGROUP                     COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE           #MEMBERS"
          "\nbilling                   localhost:9093  (2)       range                Stable          2\n");
    CHECK(reports::format_consumer_group_state(billing(), {4, 0}) ==
          "\nGROUP           COORDINATOR (ID)          ASSIGNMENT-STRATEGY  STATE                #MEMBERS"
          "\nbilling         localhost:9093  (2)       range                Stable               2\n");
}

namespace {

reports::QuorumView quorum() {
    reports::QuorumView q;
    q.cluster_id = "fMCL8kv1SWm87L_Md-I2hg";
    q.leader_id = 3002;
    q.leader_epoch = 2;
    q.high_watermark = 10;
    q.voters = {{3000, 10, 1000, "", "CONTROLLER://localhost:19093"},
                {3001, 8, 900, "", "CONTROLLER://localhost:19094"},
                {3002, 10, 1500, "", "CONTROLLER://localhost:19095"}};
    q.observers = {{1, 10, 1400, "3Db5QLSqSZieL3rJBUUegA", ""}, {2, 9, 1300, "UegA3Db5QLSqSZieL3rJBU", ""}};
    return q;
}

}  // namespace

TEST_CASE("kafka-metadata-quorum describe --status: [ids] through 3.8, lag from the slowest voter", "[describe]") {
    std::string expected =
        "ClusterId:              fMCL8kv1SWm87L_Md-I2hg\n"
        "LeaderId:               3002\n"
        "LeaderEpoch:            2\n"
        "HighWatermark:          10\n"
        "MaxFollowerLag:         2\n"
        "MaxFollowerLagTimeMs:   600\n"
        "CurrentVoters:          [3000,3001,3002]\n"
        "CurrentObservers:       [1,2]\n";
    CHECK(reports::format_metadata_quorum_status(quorum(), {3, 7}) == expected);

    reports::QuorumView caught_up = quorum();
    caught_up.voters[1].log_end_offset = 10;  // every voter at 10: the first one (3000) is "the laggard"
    CHECK(reports::format_metadata_quorum_status(caught_up, {3, 7}).find("MaxFollowerLag:         0\n"
                                                                         "MaxFollowerLagTimeMs:   500\n") != std::string::npos);
    caught_up.leader_id = 3000;  // the leader is the laggard
    CHECK(reports::format_metadata_quorum_status(caught_up, {3, 7}).find("MaxFollowerLagTimeMs:   0\n") != std::string::npos);
    reports::QuorumView unknown = quorum();
    unknown.voters[1].last_caught_up_ms = -1;
    CHECK(reports::format_metadata_quorum_status(unknown, {3, 7}).find("MaxFollowerLagTimeMs:   -1\n") != std::string::npos);
}

TEST_CASE("kafka-metadata-quorum describe --status: voters and observers as JSON from 3.9", "[describe]") {
    std::string text = reports::format_metadata_quorum_status(quorum(), {3, 9});
    CHECK(text.find("CurrentVoters:          [{\"id\": 3000, \"endpoints\": [\"CONTROLLER://localhost:19093\"]}, "
                    "{\"id\": 3001, \"endpoints\": [\"CONTROLLER://localhost:19094\"]}, "
                    "{\"id\": 3002, \"endpoints\": [\"CONTROLLER://localhost:19095\"]}]\n") != std::string::npos);
    CHECK(text.find("CurrentObservers:       [{\"id\": 1, \"directoryId\": \"3Db5QLSqSZieL3rJBUUegA\"}, "
                    "{\"id\": 2, \"directoryId\": \"UegA3Db5QLSqSZieL3rJBU\"}]\n") != std::string::npos);
}

// ---- the command, through the binary -----------------------------------------------------

namespace {

struct Output {
    int exit_code = -1;
    std::string text;  // stdout and stderr
};

Output describe(const std::string& args) {
    static int counter = 0;
    fs::path out = fs::temp_directory_path() /
                   ("kafkasim-describe-test-" + std::to_string(getpid()) + "-" + std::to_string(++counter) + ".txt");
    std::string command = "cd '" + std::string(KAFKASIM_SOURCE_DIR) + "' && '" + std::string(KAFKASIM_BINARY) +
                          "' describe " + args + " > '" + out.string() + "' 2>&1";
    int status = std::system(command.c_str());
    Output r;
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    r.text = s.str();
    std::error_code ec;
    fs::remove(out, ec);
    return r;
}

bool has(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

}  // namespace

TEST_CASE("kafkasim describe: a library scenario at 20s, every section under the command it mimics", "[describe][cli]") {
    Output r = describe("scenarios/library/leader-crash-acks-all.json --at 20s");
    INFO(r.text);
    CHECK(r.exit_code == 0);
    CHECK(has(r.text, "# cluster state at t=20.000s (seed 7), as the Kafka 3.7 tools print it\n"));
    CHECK(has(r.text, "$ kafka-topics.sh --bootstrap-server localhost:9092 --describe --exclude-internal\n"));
    CHECK(has(r.text, "\nTopic: orders\tTopicId: "));
    CHECK(has(r.text, "\tPartitionCount: 3\tReplicationFactor: 3\tConfigs: min.insync.replicas=2,segment.bytes=1048576\n"));
    CHECK(has(r.text, "\tTopic: orders\tPartition: 2\tLeader: "));
    CHECK(has(r.text, "$ kafka-get-offsets.sh --bootstrap-server localhost:9092 --time -2\norders:0:0\n"));
    CHECK_FALSE(has(r.text, "__consumer_offsets"));
    CHECK(has(r.text, "# no consumer groups in this scenario"));
    CHECK(has(r.text, "$ kafka-metadata-quorum.sh --bootstrap-server localhost:9092 describe --status\n"));
    CHECK(has(r.text, "\nCurrentVoters:          [3000,3001,3002]\n"));

    // Same scenario, same seed, same instant: the same text.
    CHECK(describe("scenarios/library/leader-crash-acks-all.json --at 20s").text == r.text);
}

TEST_CASE("kafkasim describe: a consumer group on a 3.8 cluster, and --what, --group and --topic", "[describe][cli]") {
    fs::path file = fs::temp_directory_path() / ("kafkasim-describe-test-" + std::to_string(getpid()) + "-groups.json");
    {
        std::ofstream out(file);
        out << R"({
  "name": "describe-groups", "seed": 3, "duration": "20s",
  "kafka": { "version": "3.8", "metadata": "kraft", "brokers": 3, "controllers": 3 },
  "topics": [ { "name": "payments", "partitions": 2, "replication.factor": 3 } ],
  "producers": [ { "id": "app", "topic": "payments", "rate": 100, "from": "1s" } ],
  "consumers": [ { "group": "billing", "members": 2, "topics": ["payments"],
                   "config": { "auto.offset.reset": "earliest", "auto.commit.interval.ms": 1000 } } ],
  "expect": [ "no-acked-loss" ]
})";
    }
    Output r = describe("'" + file.string() + "' --at 15s");
    INFO(r.text);
    CHECK(r.exit_code == 0);
    CHECK(has(r.text, "# cluster state at t=15.000s (seed 3), as the Kafka 3.8 tools print it\n"));
    CHECK(has(r.text, "\tElr: \tLastKnownElr: \n"));
    CHECK(has(r.text, "$ kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing\n"));
    CHECK(has(r.text, "$ kafka-consumer-groups.sh --bootstrap-server localhost:9092 --describe --group billing --state\n"));
    CHECK(has(r.text, "COORDINATOR (ID)"));

    Output topics = describe("'" + file.string() + "' --at 15s --topic __consumer_offsets");
    CHECK(topics.exit_code == 0);
    CHECK(has(topics.text, "--describe --topic __consumer_offsets\nTopic: __consumer_offsets\t"));
    CHECK(has(topics.text, "PartitionCount: 50\t"));
    CHECK_FALSE(has(topics.text, "kafka-consumer-groups.sh"));

    Output quorum = describe("'" + file.string() + "' --at 15s --what quorum --seed 4");
    CHECK(quorum.exit_code == 0);
    CHECK(has(quorum.text, "(seed 4)"));
    CHECK_FALSE(has(quorum.text, "kafka-topics.sh"));
    CHECK(has(quorum.text, "LeaderEpoch:            "));
    std::error_code ec;
    fs::remove(file, ec);
}

TEST_CASE("kafkasim describe: a bad --at or an unknown group is bad usage (exit 2)", "[describe][cli]") {
    Output abc = describe("leader-crash-acks-all --at abc");
    CHECK(abc.exit_code == 2);
    CHECK(has(abc.text, "--at: expected a virtual time like 15s"));
    CHECK(has(abc.text, "got 'abc'"));
    Output negative = describe("leader-crash-acks-all --at -5s");
    CHECK(negative.exit_code == 2);
    CHECK(has(negative.text, "negative"));
    Output late = describe("leader-crash-acks-all --at 61s");
    CHECK(late.exit_code == 2);
    CHECK(has(late.text, "past the end of the scenario"));
    Output missing = describe("leader-crash-acks-all");
    CHECK(missing.exit_code == 2);
    CHECK(has(missing.text, "--at is required"));
    Output group = describe("leader-crash-acks-all --at 5s --group billing");
    CHECK(group.exit_code == 2);
    CHECK(has(group.text, "no consumer group 'billing'"));
    Output what = describe("leader-crash-acks-all --at 5s --what brokers");
    CHECK(what.exit_code == 2);
    Output invalid = describe("no-such-scenario --at 5s");
    CHECK(invalid.exit_code == 2);
}
