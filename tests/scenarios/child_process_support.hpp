// What the tests that run the kafkasim binary as a child process share (as a user would run
// it): shell quoting, one scratch directory per test process (removed when it ends), reading a
// file whole, and running `kafkasim <args>` with both output streams captured.
#pragma once
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <system_error>

namespace test_support {

namespace fs = std::filesystem;

// A path or argument quoted for /bin/sh.
inline std::string sh_quoted(const std::string& s) {
    std::string out = "'";
    for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return out + "'";
}

// This test process's scratch directory, created on first use and removed at exit.
inline const fs::path& temp_dir() {
    struct Dir {
        fs::path path = fs::temp_directory_path() / ("kafkasim-test-" + std::to_string(getpid()));
        Dir() {
            fs::remove_all(path);
            fs::create_directories(path);
        }
        ~Dir() {
            std::error_code ec;
            fs::remove_all(path, ec);
        }
    };
    static Dir dir;
    return dir.path;
}

inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

// The value of a "// key: value" line among the comment lines a test file starts with, or "".
inline std::string header_value(const fs::path& file, const std::string& key) {
    std::ifstream in(file);
    std::string line;
    const std::string prefix = "// " + key + ": ";
    while (std::getline(in, line) && line.starts_with("//"))
        if (line.starts_with(prefix)) return line.substr(prefix.size());
    return "";
}

struct CliResult {
    int exit_code = -1;  // as the shell reports it: a crash shows as 128 + signal or -1, never as 0..3
    std::string output;  // stdout and stderr, interleaved as written (so not a terminal)
    std::string command;
};

// Runs `kafkasim <args>` (args already quoted where needed) in `cwd`, capturing both streams.
inline CliResult kafkasim(const std::string& args, const fs::path& cwd = KAFKASIM_SOURCE_DIR) {
    static int counter = 0;
    const fs::path out_file = temp_dir() / ("kafkasim-out-" + std::to_string(++counter) + ".txt");
    CliResult r;
    r.command = "cd " + sh_quoted(cwd.string()) + " && " + sh_quoted(KAFKASIM_BINARY) + " " + args;
    const int status = std::system((r.command + " > " + sh_quoted(out_file.string()) + " 2>&1").c_str());
    if (status != -1 && WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    r.output = read_file(out_file);
    return r;
}

}  // namespace test_support
