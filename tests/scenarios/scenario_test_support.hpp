// Paths and small helpers that several scenario tests share (one definition, so that the unity
// build, which compiles several test files as one, sees each name once).
#pragma once
#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "scenarios/runner.hpp"

inline const std::filesystem::path source_dir = KAFKASIM_SOURCE_DIR;
inline const std::filesystem::path binary = KAFKASIM_BINARY;

inline bool contains(const std::string& text, const std::string& part) { return text.find(part) != std::string::npos; }

// The .json files of a folder, sorted by name (none when it does not exist).
inline std::vector<std::filesystem::path> json_files_in(const std::filesystem::path& dir) {
    namespace fs = std::filesystem;
    std::vector<fs::path> files;
    if (!fs::exists(dir)) return files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".json") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

inline scenarios::RunOptions seeded(uint64_t seed) {
    scenarios::RunOptions options;
    options.seed = seed;
    return options;
}
