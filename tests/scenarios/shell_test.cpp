// kafkasim shell as a learner meets it: command scripts piped into the built binary, whose
// transcript (each command echoed after its prompt, then what it printed) is checked. The
// shell must narrate, inject faults in the scenario format's own syntax, drive hand clients,
// show replica logs side by side, answer every mistake with a message and carry on, and print
// the same transcript for the same scenario, seed and script.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>
#include <string>

#include "child_process_support.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::sh_quoted;
using test_support::temp_dir;


fs::path write_file(const std::string& name, const std::string& text) {
    fs::path p = temp_dir() / name;
    std::ofstream(p) << text;
    return p;
}

struct Session {
    int exit_code = -1;
    std::string transcript;  // stdout and stderr
};

// `kafkasim shell <args>` with `script` on its standard input (a pipe: no line editing).
Session shell(const std::string& args, const std::string& script) {
    static int counter = 0;
    ++counter;
    const fs::path in = write_file("script-" + std::to_string(counter) + ".txt", script);
    const fs::path out = temp_dir() / ("out-" + std::to_string(counter) + ".txt");
    const std::string command = "cd " + sh_quoted(source_dir.string()) + " && " + sh_quoted(binary.string()) + " shell " +
                                args + " < " + sh_quoted(in.string()) + " > " + sh_quoted(out.string()) + " 2>&1";
    Session s;
    int status = std::system(command.c_str());
    if (status != -1 && WIFEXITED(status)) s.exit_code = WEXITSTATUS(status);
    std::ifstream text(out);
    std::stringstream buffer;
    buffer << text.rdbuf();
    s.transcript = buffer.str();
    return s;
}

// The text from the first line that starts with `prompt_and_command` up to the next prompt.
std::string output_of(const std::string& transcript, const std::string& prompt_and_command) {
    size_t at = transcript.find(prompt_and_command);
    if (at == std::string::npos) return "";
    at = transcript.find('\n', at);
    size_t end = transcript.find("kafkasim t=", at);
    return transcript.substr(at + 1, end == std::string::npos ? std::string::npos : end - at - 1);
}

// The leader kafka-topics.sh prints for a partition ("Partition: 0\tLeader: 2").
std::string leader_in(const std::string& topics_output, int partition) {
    std::smatch m;
    std::regex line("Partition: " + std::to_string(partition) + "\tLeader: (-?[0-9]+|none)");
    return std::regex_search(topics_output, m, line) ? m[1].str() : "";
}

std::string isr_in(const std::string& topics_output, int partition) {
    std::smatch m;
    std::regex line("Partition: " + std::to_string(partition) + "\tLeader: [^\t]*\tReplicas: [^\t]*\tIsr: ([0-9,]*)");
    return std::regex_search(topics_output, m, line) ? m[1].str() : "";
}

// No workload of its own: what the hand clients do is all there is to see.
const char* hand_scenario = R"({
  "name": "shell-hand",
  "duration": "60s",
  "kafka": { "version": "3.7", "brokers": 3, "controllers": 3, "config": { "min.insync.replicas": 2 } },
  "topics": [ { "name": "orders", "partitions": 1, "replication.factor": 3 } ]
})";

}  // namespace

TEST_CASE("shell: advancing the clock narrates the cluster coming up", "[shell]") {
    Session s = shell("quickstart", "now\nadvance 3s\nnow\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "kafkasim shell: quickstart (seed 1)"));
    CHECK(contains(s.transcript, "kafkasim t=0.000s> advance 3s\n"));
    CHECK(contains(s.transcript, "won the election: leader of the metadata quorum"));
    CHECK(contains(s.transcript, "created topic quickstart-events"));
    CHECK(contains(s.transcript, "now t=3.000s\n"));
    CHECK(contains(s.transcript, "kafkasim t=3.000s> now\nt=3.000s of 30s"));
}

TEST_CASE("shell: crashing a partition leader shows a new leader in topics", "[shell]") {
    Session s =
        shell("quickstart", "advance 3s\ntopics\ncrash leader:quickstart-events/0\nadvance 12s\ntopics\nfaults\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    const std::string before = output_of(s.transcript, "kafkasim t=3.000s> topics");
    const std::string after = output_of(s.transcript, "kafkasim t=15.000s> topics");
    const std::string old_leader = leader_in(before, 0);
    REQUIRE(!old_leader.empty());
    CHECK(contains(s.transcript, "FAULT crash leader:quickstart-events/0 (= broker:" + old_leader + ")"));
    CHECK(
        contains(s.transcript,
                 "in a scenario file: {\"at\":\"3s\",\"action\":\"crash\",\"target\":\"leader:quickstart-events/0\"}"));
    const std::string new_leader = leader_in(after, 0);
    CHECK(!new_leader.empty());
    CHECK(new_leader != old_leader);
    CHECK(new_leader != "none");
    CHECK(!contains(isr_in(after, 0), old_leader));
    CHECK(contains(s.transcript, "crash leader:quickstart-events/0 -> broker:" + old_leader + "  [by hand]"));
}

TEST_CASE("shell: a partition takes a broker out of the ISR, heal brings it back", "[shell]") {
    const fs::path file = write_file("partition.json", hand_scenario);
    Session s = shell(sh_quoted(file.string()),
                      "advance 3s\npartition broker 1 | *\nadvance 12s\ntopics\nheal\nadvance 20s\ntopics\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "FAULT partition broker:1 | * (= broker:1"));
    CHECK(contains(s.transcript, "\"groups\":[[\"broker:1\"],[\"*\"]]"));
    CHECK(contains(s.transcript, "fenced broker 1"));
    CHECK(contains(s.transcript, "FAULT heal *"));
    const std::string split = output_of(s.transcript, "kafkasim t=15.000s> topics");
    const std::string healed = output_of(s.transcript, "kafkasim t=35.000s> topics");
    CHECK(!contains(isr_in(split, 0), "1"));
    CHECK(isr_in(healed, 0).size() == 5);  // all three again, e.g. "2,3,1"
}

TEST_CASE("shell: produce and consume by hand", "[shell]") {
    const fs::path file = write_file("clients.json", hand_scenario);
    Session s = shell(sh_quoted(file.string()),
                      "narrate off\nadvance 3s\nproduce orders 10\nadvance 1s\nconsume orders\nadvance 1s\n"
                      "consume orders\nconsume orders\nproduce orders 5 acks=1\nadvance 1s\nconsume orders\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "producer:shell-1 sends 10 records to orders without keys (acks=all, idempotent"));
    CHECK(contains(s.transcript, "producer:shell-1: records #0-9 acknowledged at orders/0 offsets 0-9"));
    CHECK(contains(s.transcript, "producer:shell-1: done, 10 of 10 acknowledged"));
    CHECK(contains(s.transcript, "consumer:shell-orders/1 started"));
    CHECK(contains(s.transcript, "consumer:shell-orders/1: read 10 records"));
    CHECK(contains(s.transcript, "  orders/0 offsets 0-9  shell-1#0-9  (leader epoch 0"));
    CHECK(contains(s.transcript, "  position: orders/0 at 10 (high watermark 10)"));
    CHECK(contains(s.transcript, "consumer:shell-orders/1 has read nothing new"));
    CHECK(contains(s.transcript, "producer:shell-2 sends 5 records to orders without keys (acks=1, as asked)"));
    CHECK(contains(s.transcript, "producer:shell-2: records #0-4 acknowledged at orders/0 offsets 10-14"));
    CHECK(contains(s.transcript, "  orders/0 offsets 10-14  shell-2#0-4"));
}

TEST_CASE("shell: log shows each replica's log side by side with its high watermark and end", "[shell]") {
    const fs::path file = write_file("log.json", hand_scenario);
    // Crash a follower: its log stops at 10 while the others grow. It is still in the ISR
    // (until it is fenced), so the acks=all records after it wait: the high watermark stays.
    Session s = shell(sh_quoted(file.string()),
                      "narrate off\nadvance 3s\nproduce orders 10\nadvance 1s\nlog orders/0\n"
                      "crash broker:3\nproduce orders 5\nadvance 1s\nlog orders 0\nlog orders/7\nlog orders\n"
                      "log orders/0 from 10 1\nlog orders/0 1\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    const std::string healthy = output_of(s.transcript, "kafkasim t=4.000s> log orders/0");
    CHECK(contains(healthy, "orders/0: leader "));
    CHECK(contains(healthy, "broker:1"));
    CHECK(contains(healthy, "broker:2"));
    CHECK(contains(healthy, "broker:3"));
    CHECK(contains(healthy, "shell-1#0-9"));
    CHECK(contains(healthy, "-- HW, LEO 10 --"));
    const std::string degraded = output_of(s.transcript, "kafkasim t=5.000s> log orders 0");
    CHECK(contains(degraded, "broker:3 crashed (disk)"));
    CHECK(contains(degraded, "(read from its disk)"));
    CHECK(contains(degraded, "-- LEO 10 --"));
    CHECK(contains(degraded, "-- HW 10 --"));
    CHECK(contains(degraded, "-- LEO 15 --"));
    CHECK(contains(degraded, "shell-2#0-4"));
    CHECK(!contains(s.transcript, "producer:shell-2: records #0-4 acknowledged"));
    const std::string from_10 = output_of(s.transcript, "kafkasim t=5.000s> log orders/0 from 10 1");
    CHECK(contains(from_10, "  ... 1 batch before these (`log orders/0 all` shows every one)"));
    CHECK(contains(from_10, "shell-2#0-4"));
    CHECK(!contains(from_10, "shell-1#0-9"));
    const std::string last_1 = output_of(s.transcript, "kafkasim t=5.000s> log orders/0 1");
    CHECK(contains(last_1, "shell-2#0-4"));
    CHECK(!contains(last_1, "shell-1#0-9"));
    CHECK(contains(s.transcript, "error: orders has partitions 0..0, not 7"));
    CHECK(contains(s.transcript,
                   "error: log: expected TOPIC/PARTITION [all | ROWS | from OFFSET [ROWS]], e.g. `log orders/0`"));
}

TEST_CASE("shell: a mistake gets a message and the session goes on", "[shell]") {
    Session s = shell("quickstart",
                      "# comments are skipped\n"
                      "crsh broker:1\n"
                      "crash broker 9\n"
                      "advance banana\n"
                      "advance 5\n"
                      "isolate brokr:2\n"
                      "crash brokr 1\n"
                      "latency broker:3 ad 200ms\n"
                      "cut broker:1 broker:2\n"
                      "produce quickstart-event 3\n"
                      "group billing\n"
                      "log nothing/0\n"
                      "narrate loudly\n"
                      "advance 2s\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "error: unknown command 'crsh' (did you mean 'crash'?)"));
    CHECK(contains(s.transcript, "error: crash: target: no broker 9: this cluster has brokers 1..3"));
    CHECK(contains(s.transcript, "error: advance: expected a duration like 5s, 250ms or 1.5m"));
    CHECK(contains(s.transcript, "error: advance: '5' has no unit (did you mean '5s'?)"));
    CHECK(contains(s.transcript, "(did you mean \"broker:2\"?)"));
    CHECK(contains(s.transcript, "error: crash: unknown target 'brokr' (did you mean 'broker'?)"));
    CHECK(contains(s.transcript, "error: latency: unexpected 'ad' after 'broker:3' (did you mean 'add'?)"));
    CHECK(contains(s.transcript, "error: cut: expected FROM -> TO"));
    CHECK(contains(s.transcript,
                   "error: no topic 'quickstart-event' in this scenario (did you mean 'quickstart-events'?)"));
    CHECK(contains(s.transcript, "error: no consumer group 'billing' in this scenario"));
    CHECK(contains(s.transcript, "error: no topic 'nothing'"));
    CHECK(contains(s.transcript, "error: narrate: on or off"));
    CHECK(contains(s.transcript, "now t=2.000s"));  // still going after all that
}

TEST_CASE("shell: the banner counts what `group` knows, and a fault after the end is refused", "[shell]") {
    Session s = shell("quickstart", "advance 1h\ncrash broker:1\nnow\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    // quickstart's consumer reads without a group ("group": null)
    CHECK(contains(s.transcript, "0 consumer groups and 1 consumer without a group"));
    CHECK(contains(s.transcript, "error: the scenario is over (it runs for 30s): a fault now would change nothing"));
    CHECK_FALSE(contains(s.transcript, "FAULT crash broker:1"));
}

TEST_CASE("shell: in ZooKeeper mode quorum shows the ensemble", "[shell]") {
    Session s = shell("zk-controller-failover", "narrate off\nadvance 10s\nquorum\ncrash zookeeper:leader\n");
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "ZooKeeper mode"));
    CHECK(contains(s.transcript, "$ echo srvr | nc zookeeper-1 2181"));
    CHECK(contains(s.transcript, "Mode: leader"));
    CHECK(contains(s.transcript, "$ zookeeper-shell.sh localhost:2181 get /controller"));
    CHECK(contains(s.transcript, "FAULT crash zookeeper:leader (= zookeeper:"));
}

TEST_CASE("shell: the same scenario, seed and script give the same transcript", "[shell]") {
    const std::string script =
        "advance 4s\nproduce quickstart-events 20 keys=5\ncrash leader:quickstart-events/1 for 5s\n"
        "step\nstep 20\nadvance 10s\nconsume quickstart-events\nadvance 2s\nconsume quickstart-events\n"
        "log quickstart-events/1\ntopics\nfaults\n";
    Session first = shell("quickstart --seed 5", script);
    Session second = shell("quickstart --seed 5", script);
    INFO(first.transcript);
    CHECK(first.exit_code == 0);
    CHECK(contains(first.transcript, "(seed 5)"));
    CHECK(first.transcript == second.transcript);
}

TEST_CASE("shell: an invalid scenario or bad usage exits 2", "[shell]") {
    const fs::path bad = write_file("bad.json", R"({"name": "bad", "duration": "banana", "kafka": {}})");
    Session invalid = shell(sh_quoted(bad.string()), "quit\n");
    CHECK(invalid.exit_code == 2);
    CHECK(contains(invalid.transcript, "/duration"));
    CHECK(shell("", "").exit_code == 2);
    CHECK(shell("quickstart --seed x", "").exit_code == 2);
    Session quit = shell("quickstart", "quit\nadvance 1s\n");
    CHECK(quit.exit_code == 0);
    CHECK(!contains(quit.transcript, "now t=1.000s"));
}

// ---- Kafka's tools, typed verbatim ------------------------------------------------------------

namespace {

const std::string quickstart_script =
    "bin/kafka-topics.sh --create --topic quickstart-events --bootstrap-server localhost:9092\n"
    "bin/kafka-topics.sh --describe --topic quickstart-events --bootstrap-server localhost:9092\n"
    "bin/kafka-console-producer.sh --topic quickstart-events --bootstrap-server localhost:9092\n"
    "This is my first event\n"
    "This is my second event\n"
    "\n"
    "bin/kafka-console-consumer.sh --topic quickstart-events --from-beginning --bootstrap-server localhost:9092\n"
    "bin/kafka-topics.sh --list --bootstrap-server localhost:9092\n";

}  // namespace

TEST_CASE("shell: Kafka's quickstart typed as the documentation has it prints what Kafka's tools print", "[shell][tools]") {
    Session s = shell("kafka-quickstart", quickstart_script);
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(output_of(s.transcript, "> bin/kafka-topics.sh --create") == "Created topic quickstart-events.\n");
    const std::string describe = output_of(s.transcript, "> bin/kafka-topics.sh --describe");
    CHECK(contains(describe, "Topic: quickstart-events\tTopicId: "));
    CHECK(contains(describe, "\tPartitionCount: 1\tReplicationFactor: 1\t"));
    CHECK(contains(describe, "Partition: 0\tLeader: 1\tReplicas: 1\tIsr: 1"));
    CHECK(output_of(s.transcript, "> bin/kafka-console-consumer.sh") ==
          "This is my first event\nThis is my second event\nProcessed a total of 2 messages\n");
    // The console consumer's group made __consumer_offsets, which --list shows as Kafka's does.
    const std::string list = output_of(s.transcript, "> bin/kafka-topics.sh --list");
    CHECK((list == "quickstart-events\n" || list == "__consumer_offsets\nquickstart-events\n"));
    // The tools wait on the virtual clock: it moved.
    CHECK_FALSE(contains(s.transcript, "kafkasim t=0.000s> bin/kafka-topics.sh --list"));
}

TEST_CASE("shell: the quickstart transcript is the same for the same seed", "[shell][tools]") {
    Session first = shell("kafka-quickstart --seed 3", quickstart_script);
    Session second = shell("kafka-quickstart --seed 3", quickstart_script);
    CHECK(first.exit_code == 0);
    CHECK(first.transcript == second.transcript);
}

TEST_CASE("shell: Kafka's tools answer bad input as Kafka does and the session goes on", "[shell][tools]") {
    const std::string script =
        "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --create --topic t --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --create --topic t3 --replication-factor 3 --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --describe --topic nope --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --frobnicate --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --create --topic t --bootstrap-server localhost:9999\n"
        "kafka-topics.sh --alter --topic t --partitions 3 --bootstrap-server localhost:9092\n"
        "kafka-topics.sh --alter --topic t --partitions 2 --bootstrap-server localhost:9092\n"
        "kafka-configs.sh --bootstrap-server localhost:9092 --alter --entity-type topics --entity-name t --add-config min.insync.replicas=abc\n"
        "kafka-topics.sh --describe --topic t --bootstrap-server localhost:9092\n";
    Session s = shell("kafka-quickstart", script);
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    CHECK(contains(s.transcript, "Error while executing topic command : Topic 't' already exists."));
    CHECK(contains(output_of(s.transcript, "> kafka-topics.sh --create --topic t3"),
                   "Error while executing topic command : "));
    CHECK(contains(s.transcript, "Topic 'Optional[nope]' does not exist as expected"));
    CHECK(contains(s.transcript, "joptsimple.UnrecognizedOptionException: frobnicate is not a recognized option"));
    CHECK(contains(s.transcript, "Command must include exactly one action: --list, --describe, --create, --alter or --delete"));
    CHECK(contains(s.transcript, "Timed out waiting for a node assignment. Call: createTopics"));
    CHECK(output_of(s.transcript, "> kafka-topics.sh --alter --topic t --partitions 3") == "");
    // KRaft's ReplicationControlManager words it this way (ZooKeeper mode: "Topic currently has 3 partitions, ...").
    CHECK(contains(output_of(s.transcript, "> kafka-topics.sh --alter --topic t --partitions 2"),
                   "Error while executing topic command : The topic t currently has 3 partition(s); 2 would not be an increase."));
    CHECK(contains(s.transcript, "InvalidConfigurationException"));
    CHECK(contains(output_of(s.transcript, "> kafka-topics.sh --describe --topic t "), "PartitionCount: 3"));
}

TEST_CASE("shell: the console producer parses keys and the console consumer prints them", "[shell][tools]") {
    const std::string script =
        "kafka-topics.sh --create --topic keyed --partitions 2 --bootstrap-server localhost:9092\n"
        "kafka-console-producer.sh --topic keyed --bootstrap-server localhost:9092 --property parse.key=true --property key.separator=:\n"
        "k1:v1\n"
        "k1:v2\n"
        ".\n"
        "kafka-console-consumer.sh --topic keyed --from-beginning --bootstrap-server localhost:9092 --property print.key=true --property print.offset=true --max-messages 2\n"
        "kafka-console-producer.sh --topic keyed --bootstrap-server localhost:9092 --property parse.key=true\n"
        "no separator here\n"
        "kafka-topics.sh --list --bootstrap-server localhost:9092\n";
    Session s = shell("kafka-quickstart", script);
    INFO(s.transcript);
    CHECK(s.exit_code == 0);
    // Both records have key k1: one partition, in order.
    CHECK(contains(s.transcript, "Offset:0\tk1\tv1\nOffset:1\tk1\tv2\nProcessed a total of 2 messages\n"));
    CHECK(contains(s.transcript, "No key separator found on line number 1: 'no separator here'"));
    CHECK(contains(output_of(s.transcript, "> kafka-topics.sh --list"), "keyed\n"));
}
