// The learning guide (docs/learn/) is executable: every `kafkasim ...` line of a lesson's
// ```sh blocks is run with the built binary, must succeed, and every line the lesson tells the
// reader to look for (<!-- expect: ... --> comments) must be in what those commands print.
// The index must link every lesson. So the guide cannot go stale.
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

#include "child_process_support.hpp"
#include "scenario_test_support.hpp"

namespace {

namespace fs = std::filesystem;
using test_support::read_file;


struct Lesson {
    fs::path file;
    std::vector<std::string> commands;  // without the leading "kafkasim "
    std::vector<std::string> expected;
};

Lesson parse_lesson(const fs::path& file) {
    Lesson l{file, {}, {}};
    std::istringstream in(read_file(file));
    std::string line;
    bool in_sh = false;
    while (std::getline(in, line)) {
        if (line.rfind("```", 0) == 0) {
            in_sh = !in_sh && line == "```sh";
            continue;
        }
        if (in_sh && line.rfind("kafkasim ", 0) == 0) l.commands.push_back(line.substr(9));
        const std::string open = "<!-- expect: ", close = " -->";
        if (line.rfind(open, 0) == 0 && line.size() > open.size() + close.size() &&
            line.compare(line.size() - close.size(), close.size(), close) == 0)
            l.expected.push_back(line.substr(open.size(), line.size() - open.size() - close.size()));
    }
    return l;
}

}  // namespace

TEST_CASE("learn: every lesson's commands run and print what the lesson says to look for", "[scenarios][learn]") {
#ifdef KAFKASIM_SANITIZED_BUILD
    // Each command is a child kafkasim process; at -O0 under ASan the guide takes minutes and
    // checks nothing the release run does not. The sanitized run checks the lessons parse.
    const bool run_commands = false;
#else
    const bool run_commands = true;
#endif
    const fs::path dir = source_dir / "docs/learn";
    std::vector<fs::path> lessons;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().extension() == ".md" && e.path().filename() != "README.md") lessons.push_back(e.path());
    std::sort(lessons.begin(), lessons.end());
    REQUIRE(lessons.size() >= 6);
    const std::string index = read_file(dir / "README.md");
    const fs::path out_dir = test_support::temp_dir() / "learn";
    for (const fs::path& file : lessons) {
        INFO("lesson " << file.filename().string());
        CHECK(index.find("(" + file.filename().string() + ")") != std::string::npos);  // linked from the index
        const Lesson lesson = parse_lesson(file);
        CHECK_FALSE(lesson.commands.empty());
        CHECK_FALSE(lesson.expected.empty());
        if (!run_commands) continue;
        std::string output;
        int n = 0;
        for (const std::string& args : lesson.commands) {
            std::string command = "cd '" + source_dir.string() + "' && '" + binary.string() + "' " + args;
            if (args.rfind("run ", 0) == 0) command += " --out '" + (out_dir / std::to_string(++n)).string() + "'";
            const fs::path captured = out_dir / ("output-" + std::to_string(++n) + ".txt");
            fs::create_directories(out_dir);
            const int status = std::system((command + " > '" + captured.string() + "' 2>&1").c_str());
            const std::string text = read_file(captured);
            INFO("$ kafkasim " << args << "\n" << text.substr(0, 4000));
            CHECK((status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0));
            output += text;
        }
        for (const std::string& e : lesson.expected) {
            INFO("the lesson says to look for: " << e);
            CHECK(output.find(e) != std::string::npos);
        }
    }
}
