// What the tests that run the kafkasim binary as a child process share (as a user would run
// it): shell quoting, one scratch directory per test process (removed when it ends), and
// reading a file whole.
#pragma once
#include <unistd.h>

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

}  // namespace test_support
