// The kafkasim command line as a user meets it: the built binary, run as a child process.
// Its exit codes are a contract for scripts and CI (0 pass, 1 an expectation failed, 2 an
// invalid scenario or bad usage, 3 a simulator fault), and its error lines must name the
// file and the JSON path, as the loader does, so a user can find the mistake without
// reading source. A scenario valid by the format but beyond what this build simulates must
// be refused by `run` (exit 2) while `validate` accepts it with a note.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "child_process_support.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "scenario_test_support.hpp"

namespace fs = std::filesystem;

namespace {

using test_support::sh_quoted;
using test_support::temp_dir;
using test_support::CliResult;
using test_support::kafkasim;
using test_support::header_value;

// What follows `label` on the first output line that starts with it ("trace hash", "seed"),
// or "".
std::string value_after(const std::string& output, const std::string& label) {
    std::istringstream in(output);
    std::string line;
    while (std::getline(in, line)) {
        if (line.starts_with(label)) {
            auto pos = line.find_first_not_of(' ', label.size());
            return pos == std::string::npos ? "" : line.substr(pos);
        }
    }
    return "";
}

nlohmann::json quickstart_json() {
    std::ifstream in(source_dir / "scenarios/library/quickstart.json");
    return nlohmann::json::parse(in, nullptr, true, /*ignore_comments=*/true);
}

fs::path write_temp(const std::string& name, const nlohmann::json& j) {
    fs::path file = temp_dir() / name;
    std::ofstream(file) << j.dump(2) << "\n";
    return file;
}

}  // namespace

TEST_CASE("cli: every malformed scenario exits 2 from validate and run and names file and path",
          "[scenarios][cli]") {
    auto files = json_files_in(source_dir / "tests/scenarios/malformed");
    REQUIRE(files.size() >= 10);
    for (const auto& file : files) {
        const std::string expect = header_value(file, "expect");
        const std::string suggest = header_value(file, "suggest");
        REQUIRE_FALSE(expect.empty());
        for (const char* command : {"validate", "run"}) {
            CliResult r = kafkasim(std::string(command) + " " + sh_quoted(file.string()));
            INFO(r.command << "\nshould fail at " << expect << "\n--- output:\n" << r.output);
            CHECK(r.exit_code == 2);
            // A JSON pointer is the error's path, right after the file name; anything else (a
            // syntax error's "line 6") must appear in the message of an error for this file.
            if (expect.starts_with("/")) {
                CHECK(contains(r.output, "error: " + file.string() + ": " + expect + ": "));
            } else {
                CHECK(contains(r.output, "error: " + file.string() + ": "));
                CHECK(contains(r.output, expect));
            }
            if (!suggest.empty()) CHECK(contains(r.output, "\"" + suggest + "\""));
            CHECK_FALSE(contains(r.output, "trace hash"));  // nothing ran
        }
    }
}

TEST_CASE("cli: usage errors exit 2 with a message", "[scenarios][cli]") {
    const std::string quickstart = sh_quoted((source_dir / "scenarios/library/quickstart.json").string());
    const std::string missing = (temp_dir() / "no-such-scenario.json").string();
    struct Case {
        std::string args;
        std::string says;  // a fragment the message must hold
    };
    const std::vector<Case> cases = {
        {"", "usage: kafkasim"},
        {"frobnicate", "unknown command 'frobnicate'"},
        {"run", "which scenario?"},
        {"run " + quickstart + " --seed notanumber", "notanumber"},
        {"run " + quickstart + " --seed", "--seed needs a value"},
        {"run " + quickstart + " --seed -3", "'-3'"},
        {"run " + quickstart + " --no-such-option", "--no-such-option"},
        {"run " + quickstart + " " + quickstart, "one scenario file at a time"},
        {"validate", "usage: kafkasim validate FILE"},
        {"run " + sh_quoted(missing), missing},
        {"validate " + sh_quoted(missing), missing},
        {"run no-such-library-scenario", "no-such-library-scenario"},
    };
    for (const auto& c : cases) {
        CliResult r = kafkasim(c.args);
        INFO(r.command << "\n--- output:\n" << r.output);
        CHECK(r.exit_code == 2);
        CHECK_FALSE(r.output.empty());
        if (!c.says.empty()) CHECK(contains(r.output, c.says));
        CHECK_FALSE(contains(r.output, "trace hash"));
    }
}

TEST_CASE("cli: every command takes --help and prints its usage on standard output", "[scenarios][cli]") {
    for (const std::string command : {"run", "validate", "describe", "bench", "sweep", "shell", "list", "profiles",
                                      "configs"}) {
        for (const std::string flag : {"--help", "-h"}) {
            CliResult r = kafkasim(command + " " + flag + " 2>/dev/null");
            INFO(r.command << "\n--- output:\n" << r.output);
            CHECK(r.exit_code == 0);
            CHECK(contains(r.output, "usage: kafkasim " + command));
        }
    }
    CliResult help = kafkasim("help sweep");
    CHECK(help.exit_code == 0);
    CHECK(contains(help.output, "--shard I/N"));
    CliResult unknown = kafkasim("frobnicate --help");
    CHECK(unknown.exit_code == 2);
    CHECK(contains(unknown.output, "unknown command 'frobnicate'"));
    // A usage message's own line breaks print as line breaks, not as escapes.
    CliResult bad = kafkasim("sweep quickstart --bogus");
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.output, "\nusage: kafkasim sweep"));
    CHECK_FALSE(contains(bad.output, "\\x0a"));
}

TEST_CASE("cli: a mistyped library name gets a suggestion, and a directory named like one does not hide it",
          "[scenarios][cli]") {
    CliResult typo = kafkasim("run quikstart");
    INFO(typo.command << "\n--- output:\n" << typo.output);
    CHECK(typo.exit_code == 2);
    CHECK(contains(typo.output, "did you mean 'quickstart'?"));
    // `--out quickstart` leaves ./quickstart behind; the next `run quickstart` still means the library's.
    const fs::path cwd = temp_dir() / "cwd-with-quickstart-dir";
    fs::create_directories(cwd / "quickstart");
    CliResult r = kafkasim("validate quickstart", cwd);
    INFO(r.command << "\n--- output:\n" << r.output);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "is a directory; running the library scenario of that name"));
    CHECK(contains(r.output, "valid scenario 'quickstart'"));
}

TEST_CASE("cli: list filters the library, profiles --matrix puts the profiles side by side", "[scenarios][cli]") {
    CliResult zk = kafkasim("list --mode zookeeper --violated");
    INFO(zk.output);
    CHECK(zk.exit_code == 0);
    CHECK(contains(zk.output, "jepsen-2013-unclean-election"));
    CHECK_FALSE(contains(zk.output, "jepsen-2013-fixed"));       // holds
    CHECK_FALSE(contains(zk.output, "kraft-check-quorum-3.6"));  // KRaft
    CliResult lessons = kafkasim("list --lessons");
    CHECK(lessons.exit_code == 0);
    CHECK(lessons.output.find("quickstart") < lessons.output.find("leader-crash-acks-all"));
    CHECK(contains(lessons.output, "01 "));
    CHECK(kafkasim("list --version 9.9").exit_code == 2);
    CHECK(kafkasim("list --frobnicate").exit_code == 2);
    CliResult matrix = kafkasim("profiles --matrix");
    INFO(matrix.output);
    CHECK(matrix.exit_code == 0);
    CHECK(contains(matrix.output, "truncate_by_leader_epoch"));
    CHECK(contains(matrix.output, "unclean.leader.election.enable         true   true  false"));
}

TEST_CASE("cli: validate accepts a library scenario", "[scenarios][cli]") {
    CliResult r = kafkasim("validate scenarios/library/quickstart.json");
    INFO(r.command << "\n--- output:\n" << r.output);
    CHECK(r.exit_code == 0);
    CHECK(contains(r.output, "scenarios/library/quickstart.json: valid scenario 'quickstart'"));
    CHECK_FALSE(contains(r.output, "error:"));
}

TEST_CASE("cli: run resolves a library name and passes and prints the trace hash", "[scenarios][cli]") {
    CliResult r = kafkasim("run quickstart");
    INFO(r.command << "\n--- output:\n" << r.output);
    REQUIRE(r.exit_code == 0);
    CHECK(contains(r.output, "scenarios/library/quickstart.json"));
    CHECK(contains(r.output, "PASS"));
    CHECK_FALSE(contains(r.output, "FAIL"));
    CHECK(contains(r.output, "trace hash"));
    CHECK_FALSE(value_after(r.output, "trace hash").empty());
}

TEST_CASE("cli: --seed reproduces a run across processes and in-process", "[scenarios][cli]") {
    CliResult a = kafkasim("run quickstart --seed 7");
    CliResult b = kafkasim("run quickstart --seed 7");
    CliResult c = kafkasim("run quickstart --seed 8");
    INFO(a.output << "\n---\n" << c.output);
    REQUIRE(a.exit_code == 0);
    REQUIRE(b.exit_code == 0);
    REQUIRE(c.exit_code == 0);
    CHECK(value_after(a.output, "seed") == "7");
    const std::string hash = value_after(a.output, "trace hash");
    REQUIRE_FALSE(hash.empty());
    CHECK(value_after(b.output, "trace hash") == hash);
    CHECK(value_after(c.output, "trace hash") != hash);

    // The reproduce command a user is given must give what the library run gave.
    auto loaded = scenarios::load_scenario_file((source_dir / "scenarios/library/quickstart.json").string());
    REQUIRE(loaded.scenario);
    scenarios::ScenarioRun run(*loaded.scenario, seeded(7));
    CHECK(run.finish().trace_hash == hash);
}

TEST_CASE("cli: a ZooKeeper-mode scenario runs and narrates the ZooKeeper side", "[scenarios][cli][zookeeper]") {
    // ZooKeeper mode was refused here (exit 2 at /kafka/metadata) until it was simulated.
    nlohmann::json zookeeper = quickstart_json();
    zookeeper["kafka"]["metadata"] = "zookeeper";
    zookeeper["kafka"]["version"] = "2.4";
    zookeeper["kafka"].erase("controllers");
    zookeeper["kafka"]["zookeeper"] = 3;
    const fs::path file = write_temp("zookeeper-mode.json", zookeeper);
    CliResult run = kafkasim("run " + sh_quoted(file.string()) + " --narrate");
    INFO(run.command << "\n--- output:\n" << run.output);
    CHECK(run.exit_code == 0);
    CHECK(contains(run.output, "trace hash"));
    CHECK(contains(run.output, "ZooKeeper: LEADING the ensemble in epoch"));
    CHECK(contains(run.output, "created /controller: now the controller, controller epoch 1"));
    CHECK(contains(run.output, "registered /brokers/ids/"));
}

TEST_CASE("cli: profiles prints every version profile, or the one a release maps to", "[scenarios][cli]") {
    CliResult all = kafkasim("profiles");
    INFO(all.output);
    CHECK(all.exit_code == 0);
    for (const char* name : {"0.8", "0.10", "0.11", "2.0", "2.4", "3.0", "3.7", "4.0", "4.1", "4.5"})
        CHECK(contains(all.output, std::string("Kafka version profile ") + name + "\n"));
    CHECK(contains(all.output, "KAFKA-6082"));
    CliResult one = kafkasim("profiles 2.8");
    CHECK(one.exit_code == 0);
    CHECK(contains(one.output, "Kafka 2.8 behaves as the 2.4 profile"));
    CHECK_FALSE(contains(one.output, "Kafka version profile 3.7"));
    CliResult bad = kafkasim("profiles banana");
    CHECK(bad.exit_code == 2);
    CHECK(contains(bad.output, "no profile for Kafka 'banana'"));
}
