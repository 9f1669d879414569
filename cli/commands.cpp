#include "cli/commands.hpp"

#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>

#include "reports/config_reference.hpp"
#include "reports/console_report.hpp"
#include "reports/json_report.hpp"
#include "reports/narrator.hpp"
#include "scenarios/capabilities.hpp"
#include "scenarios/printable.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/world.hpp"

namespace fs = std::filesystem;

namespace cli {

namespace {

struct RunArgs {
    std::string file;
    std::optional<uint64_t> seed;
    std::optional<std::string> out;
    std::optional<sim::Duration> sample;  // --sample: metrics interval (RunOptions::sample_interval)
    bool narrate = false;
};

// A metrics interval: a duration of at least 1ms (finer would sample more often than anything
// in the model changes, and metrics.csv prints milliseconds).
sim::Duration parse_sample(const std::string& text) {
    std::optional<sim::Duration> d = scenarios::parse_duration(std::string_view(text));
    if (!d) throw UsageError("--sample: expected a duration like 100ms, 250ms or 1s, got '" + text + "'");
    if (*d < sim::milliseconds(1)) throw UsageError("--sample: at least 1ms, got '" + text + "'");
    if (d->us % 1000 != 0) throw UsageError("--sample: whole milliseconds, got '" + text + "'");
    return *d;
}

RunArgs parse_run_args(const std::vector<std::string>& args) {
    RunArgs r;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw UsageError(a + " needs a value");
            return args[++i];
        };
        if (a == "--seed") {
            r.seed = parse_seed(value());
        } else if (a == "--out") {
            r.out = value();
        } else if (a == "--sample") {
            r.sample = parse_sample(value());
        } else if (a == "--narrate") {
            r.narrate = true;
        } else if (!a.empty() && a[0] == '-') {
            throw UsageError("unknown option '" + a + "' (expected --seed N, --out DIR, --sample DURATION or --narrate)");
        } else if (r.file.empty()) {
            r.file = a;
        } else {
            throw UsageError("one scenario file at a time (got '" + r.file + "' and '" + a + "')");
        }
    }
    if (r.file.empty())
        throw UsageError("which scenario? usage: kafkasim run FILE [--seed N] [--out DIR] [--sample 100ms] [--narrate]");
    return r;
}

}  // namespace

std::optional<scenarios::Scenario> load_or_report(const std::string& path, bool validating) {
    scenarios::LoadResult loaded = scenarios::load_scenario_file(path);
    if (loaded.scenario) return loaded.scenario;
    for (const auto& e : loaded.errors) std::cerr << "error: " << e.what() << "\n";
    if (validating) {
        std::cerr << loaded.errors.size() << " error(s)\n";
    } else {
        std::cerr << loaded.errors.size() << " error(s); nothing was run. `kafkasim validate "
                  << scenarios::printable_path(path) << "` checks a file without running it.\n";
    }
    return std::nullopt;
}

// Loads a scenario to run it: valid by the format and within what this build simulates.
std::optional<scenarios::Scenario> load_runnable_or_report(const std::string& path) {
    std::optional<scenarios::Scenario> s = load_or_report(path);
    if (!s) return s;
    std::vector<scenarios::LoadError> missing = scenarios::not_yet_supported(*s, path);
    if (missing.empty()) return s;
    for (const auto& e : missing) std::cerr << "error: " << e.what() << "\n";
    std::cerr << "the scenario is valid, but this build of kafkasim cannot run it yet; nothing was run.\n";
    return std::nullopt;
}

uint64_t parse_seed(const std::string& text) {
    if (text.empty() || text.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError("--seed: expected a non-negative integer, got '" + text + "'");
    try {
        return std::stoull(text);
    } catch (const std::exception&) {
        throw UsageError("--seed: '" + text + "' is out of range");
    }
}

std::string reproduce_command(const std::string& file, uint64_t seed, std::optional<sim::Duration> sample) {
    // The sampling callbacks are events of the world, so the interval is part of the trace hash.
    std::string sample_arg = sample ? " --sample " + sim::format_duration(*sample) : "";
    return "kafkasim run " + file + " --seed " + std::to_string(seed) + sample_arg;
}

namespace {

// out/<scenario>-seed<N>: a run's files land somewhere predictable without --out.
std::string default_out_dir(const std::string& scenario_name, uint64_t seed) {
    std::string name;
    for (char c : scenario_name) name += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.') ? c : '-';
    return "out/" + (name.empty() ? std::string("scenario") : name) + "-seed" + std::to_string(seed);
}

// False (with the reason on stderr) when the files could not be written.
bool write_reports(const std::string& dir, const scenarios::RunData& data, const std::vector<scenarios::CheckResult>& checks,
                   const std::string& reproduce) {
    reports::RunFilesOptions options;
    options.reproduce_command = reproduce;
    reports::RunFilesResult written;
    try {
        written = reports::write_run_files(dir, data, checks, options);
    } catch (const std::exception& e) {
        std::cerr << "error: could not write the reports to " << scenarios::printable_path(dir) << ": " << e.what()
                  << "\n";
        return false;
    }
    std::cout << "wrote      " << dir << "/report.html, report.json, metrics.csv, trace.jsonl";
    if (!written.plots.plots.empty()) std::cout << ", " << written.plots.plots.size() << " plots in plots/ (PNG, SVG)";
    std::cout << "\n";
    if (!written.plots.skipped.empty()) std::cout << "           " << written.plots.skipped << "\n";
    return true;
}

long peak_rss_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;
}

}  // namespace

std::string library_dir() {
    for (const fs::path& p : {fs::path("scenarios/library"), fs::path(KAFKASIM_SOURCE_DIR) / "scenarios/library"})
        if (fs::is_directory(p)) return p.string();
    return "scenarios/library";
}

std::vector<std::string> library_names() {
    std::vector<std::string> names;
    std::error_code ec;
    for (fs::directory_iterator it(library_dir(), ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".json") names.push_back(it->path().stem().string());
    std::sort(names.begin(), names.end());
    return names;
}

std::string resolve_scenario_path(const std::string& name_or_path) {
    // error_code forms: a name too long for the file system is the loader's to report, not a throw.
    std::error_code ec;
    const bool bare_name = name_or_path.find('/') == std::string::npos;
    fs::path lib = fs::path(library_dir()) / (name_or_path + ".json");
    const bool in_library = bare_name && fs::is_regular_file(lib, ec);
    if (fs::exists(name_or_path, ec)) {
        // `--out quickstart` leaves a directory that would hide the library scenario of that name.
        if (in_library && fs::is_directory(name_or_path, ec)) {
            std::cerr << "note: ./" << scenarios::printable_path(name_or_path)
                      << " is a directory; running the library scenario of that name\n";
            return lib.string();
        }
        return name_or_path;
    }
    if (in_library) return lib.string();
    if (bare_name && name_or_path.find('.') == std::string::npos) {
        // Neither a file nor a library scenario: a mistyped library name is the likely cause.
        std::string near = scenarios::closest_name(name_or_path, library_names());
        if (!near.empty())
            throw UsageError("no file or library scenario named '" + name_or_path + "': did you mean '" + near +
                             "'? (`kafkasim list` shows the library)");
    }
    return name_or_path;  // the loader reports it missing
}

int run_command(const std::vector<std::string>& args) {
    RunArgs a = parse_run_args(args);
    std::string path = resolve_scenario_path(a.file);
    std::optional<scenarios::Scenario> scenario = load_runnable_or_report(path);
    if (!scenario) return 2;

    scenarios::RunOptions options;
    options.seed = a.seed;
    if (a.sample) options.sample_interval = *a.sample;
    uint64_t seed = a.seed.value_or(scenario->seed);
    const std::string reproduce = reproduce_command(path, seed, a.sample);
    // Made before the run, so that a directory that cannot be written fails at once, not
    // after an hour of simulation.
    const std::string out_dir = a.out.value_or(default_out_dir(scenario->name, seed));
    std::error_code ec;
    fs::create_directories(out_dir, ec);
    if (ec) {
        std::cerr << "error: cannot create the output directory " << scenarios::printable_path(out_dir) << ": "
                  << ec.message() << "\n";
        return exit_write_failed;
    }
    reports::Narrator narrator(*scenario);
    auto tell = [](const std::vector<std::string>& lines) {
        for (const auto& line : lines) std::cout << line << "\n";
    };
    if (a.narrate) {
        options.on_trace = [&](const kafka::TraceEntry& ev, const kafka::Trace& trace) { tell(narrator.event(ev, trace)); };
        options.on_fault = [&](const scenarios::FaultRecord& f, const kafka::Trace&) { tell(narrator.fault(f)); };
    }
    reports::print_header(std::cout, *scenario, seed);
    try {
        scenarios::ScenarioRun run(*scenario, options);
        narrator.read_members(&run.data().members);
        const scenarios::RunData& data = run.finish();
        if (a.narrate) {
            tell(narrator.finish(data.end));
            std::cout << "\n";
        }
        reports::print_summary(std::cout, data, run.checks(), reproduce);
        if (!write_reports(out_dir, data, run.checks(), reproduce)) return exit_write_failed;
        return run.passed() ? 0 : 1;
    } catch (const sim::InvariantViolation& e) {
        std::cerr << "simulator fault (a bug in kafkasim, not a Kafka finding): " << e.what() << "\n"
                  << "reproduce: " << reproduce << "\n";
        return 3;
    }
}

int validate_command(const std::vector<std::string>& args) {
    if (args.size() != 1) throw UsageError("usage: kafkasim validate FILE");
    std::string path = resolve_scenario_path(args[0]);
    std::optional<scenarios::Scenario> s = load_or_report(path, /*validating=*/true);
    if (!s) return 2;
    std::cout << path << ": valid scenario '" << scenarios::printable(s->name) << "'\n";
    std::cout << "  " << s->kafka.brokers << " brokers, "
              << (s->kafka.metadata == scenarios::MetadataMode::kraft ? std::to_string(s->kafka.controllers) + " controllers, "
                                                                       : std::to_string(s->kafka.zookeeper) + " ZooKeeper servers, ")
              << s->topics.size()
              << " topic(s), " << s->producers.size() << " producer(s), " << s->consumers.size() << " consumer group(s), "
              << s->faults.size() << " fault(s), " << s->expect.size() << " expectation(s), "
              << sim::format_duration(s->duration) << "\n\n";
    std::cout << scenarios::describe_profile(s->kafka.profile) << "\n";
    for (const auto& w : s->warnings) std::cout << "warning: " << w << "\n";
    for (const auto& e : scenarios::not_yet_supported(*s, path))
        std::cout << "note: " << e.what() << " -- `kafkasim run` refuses it until this is simulated\n";
    return 0;
}

namespace {

// Which lesson first uses each library scenario (docs/learn/NN-*.md, `kafkasim run NAME` or
// `kafkasim describe NAME`), in lesson order then order of mention.
std::vector<std::pair<std::string, std::string>> lesson_uses() {
    std::vector<std::pair<std::string, std::string>> uses;  // (scenario, lesson number)
    fs::path learn = fs::path(library_dir()).parent_path().parent_path() / "docs" / "learn";
    std::vector<fs::path> lessons;
    std::error_code ec;
    for (fs::directory_iterator it(learn, ec), end; !ec && it != end; it.increment(ec))
        if (it->path().extension() == ".md" && std::isdigit(static_cast<unsigned char>(it->path().filename().string()[0])))
            lessons.push_back(it->path());
    std::sort(lessons.begin(), lessons.end());
    for (const fs::path& lesson : lessons) {
        std::ifstream in(lesson);
        const std::string number = lesson.filename().string().substr(0, 2);
        for (std::string word, previous, before; in >> word; before = previous, previous = word) {
            if (before != "kafkasim" || (previous != "run" && previous != "describe")) continue;
            std::string name = word.substr(0, word.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789.-"));
            while (!name.empty() && name.back() == '.') name.pop_back();
            if (std::none_of(uses.begin(), uses.end(), [&](const auto& u) { return u.first == name; }))
                uses.emplace_back(name, number);
        }
    }
    return uses;
}

}  // namespace

int list_command(const std::vector<std::string>& args) {
    const char* list_usage = "usage: kafkasim list [--mode kraft|zookeeper] [--version V] [--violated | --holds] [--lessons]";
    std::optional<scenarios::MetadataMode> mode;
    std::optional<std::string> version;
    std::optional<bool> violated;
    bool lessons_only = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) throw UsageError(a + " needs a value\n" + list_usage);
            return args[++i];
        };
        if (a == "--mode") {
            const std::string& m = value();
            if (m != "kraft" && m != "zookeeper") throw UsageError("--mode: kraft or zookeeper, got '" + m + "'");
            mode = m == "kraft" ? scenarios::MetadataMode::kraft : scenarios::MetadataMode::zookeeper;
        } else if (a == "--version") {
            version = value();
            if (!kafka::profile_for(*version))
                throw UsageError("--version: expected a Kafka release like 2.8 or 3.7, got '" + *version + "'");
        } else if (a == "--violated" || a == "--holds") {
            violated = a == "--violated";
        } else if (a == "--lessons") {
            lessons_only = true;
        } else {
            throw UsageError("unknown option '" + a + "'\n" + list_usage);
        }
    }
    const auto uses = lesson_uses();
    std::vector<std::string> names;
    if (lessons_only) {
        for (const auto& [name, lesson] : uses) names.push_back(name);
    } else {
        names = library_names();
    }
    std::printf("%-34s %-5s %-7s %-8s %-6s %s\n", "scenario", "mode", "version", "expects", "lesson", "what it shows");
    for (const std::string& name : names) {
        const fs::path f = fs::path(library_dir()) / (name + ".json");
        scenarios::LoadResult r = scenarios::load_scenario_file(f.string());
        if (!r.scenario) {
            std::printf("%-34s (invalid: %s)\n", name.c_str(), r.errors.front().what().c_str());
            continue;
        }
        const scenarios::Scenario& s = *r.scenario;
        const bool anomaly = std::any_of(s.expect.begin(), s.expect.end(), [](const auto& e) { return e.expect_violated; });
        if (mode && s.kafka.metadata != *mode) continue;
        if (version && s.kafka.profile.name != kafka::profile_for(*version)->name) continue;
        if (violated && anomaly != *violated) continue;
        std::string lesson = "-";
        for (const auto& [used, number] : uses)
            if (used == name) lesson = number;
        const std::string& text = s.description;
        std::string first = text.substr(0, text.find(". ") == std::string::npos ? text.size() : text.find(". ") + 1);
        std::printf("%-34s %-5s %-7s %-8s %-6s %s\n", name.c_str(),
                    s.kafka.metadata == scenarios::MetadataMode::kraft ? "KRaft" : "ZK", s.kafka.version.c_str(),
                    anomaly ? "violated" : "holds", lesson.c_str(), first.c_str());
    }
    return 0;
}

int configs_command(const std::vector<std::string>& args) {
    if (!args.empty()) throw UsageError("usage: kafkasim configs");
    std::cout << reports::config_reference_markdown();
    return 0;
}

int profiles_command(const std::vector<std::string>& args) {
    if (args.size() == 1 && args[0] == "--matrix") {
        std::cout << reports::profiles_matrix_text();
        return 0;
    }
    if (args.size() > 1 || (args.size() == 1 && args[0].starts_with("-")))
        throw UsageError("usage: kafkasim profiles [VERSION | --matrix]");
    std::vector<kafka::VersionProfile> profiles;
    if (args.empty()) {
        profiles = kafka::all_profiles();
    } else {
        std::optional<kafka::VersionProfile> p = kafka::profile_for(args[0]);
        if (!p) {
            std::string known;
            for (const auto& q : kafka::all_profiles()) known += (known.empty() ? "" : ", ") + q.name;
            throw UsageError("no profile for Kafka '" + args[0] + "': expected a release from 0.8 to 4.x such as "
                             "\"2.8\" or \"3.4.1\" (profiles: " + known + ")");
        }
        std::cout << "Kafka " << args[0] << " behaves as the " << p->name << " profile\n";
        profiles.push_back(*p);
    }
    for (size_t i = 0; i < profiles.size(); ++i) {
        if (i) std::cout << "\n";
        std::cout << scenarios::describe_profile(profiles[i]);
    }
    return 0;
}

int bench_command(const std::vector<std::string>& args) {
    std::vector<std::string> files = args;
    if (files.empty()) {
        fs::path dir = fs::path(library_dir()).parent_path() / "bench";
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".json") files.push_back(e.path().string());
        std::sort(files.begin(), files.end());
    }
    std::printf("%-28s %10s %10s %12s %14s %12s %10s %12s\n", "scenario", "virtual", "wall", "sim-s/wall-s",
                "events", "events/s", "peak-MiB", "batches");
    int status = 0;
    for (const std::string& file : files) {
        std::string path = resolve_scenario_path(file);
        // Each scenario in its own process, so that peak memory is its own.
        int fds[2];
        if (pipe(fds) != 0) return 3;
        std::fflush(stdout);  // or the child inherits (and repeats) what is buffered
        std::cout.flush();
        pid_t pid = fork();
        if (pid == 0) {
            close(fds[0]);
            std::optional<scenarios::Scenario> scenario = load_runnable_or_report(path);
            if (!scenario) _exit(2);
            auto start = std::chrono::steady_clock::now();  // wall time: allowed here, for speed only
            scenarios::ScenarioRun run(*scenario, {});
            const scenarios::RunData& data = run.finish();
            double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            // Record batches held by every replica at the end: what memory should grow with.
            size_t batches = 0;
            for (int32_t b = 1; b <= scenario->kafka.brokers; ++b)
                if (const kafka::BrokerNode* broker = run.cluster().broker(b))
                    for (const kafka::Partition* p : broker->partitions()) batches += p->log().batch_count();
            double virt = static_cast<double>(data.end.us) / 1e6;
            char line[256];
            int n = std::snprintf(line, sizeof line, "%-28s %9.1fs %9.3fs %12.0f %14lld %12.0f %10.1f %12zu\n",
                                  scenario->name.c_str(), virt, wall, virt / wall,
                                  static_cast<long long>(data.events), static_cast<double>(data.events) / wall,
                                  static_cast<double>(peak_rss_kib()) / 1024.0, batches);
            if (write(fds[1], line, static_cast<size_t>(n)) < 0) _exit(3);
            _exit(0);
        }
        close(fds[1]);
        char buf[512];
        ssize_t got = read(fds[0], buf, sizeof buf - 1);
        close(fds[0]);
        int wstatus = 0;
        waitpid(pid, &wstatus, 0);
        if (got > 0) {
            buf[got] = 0;
            std::fputs(buf, stdout);
        } else {
            std::printf("%-28s failed (exit %d)\n", file.c_str(), WIFEXITED(wstatus) ? WEXITSTATUS(wstatus) : -1);
            status = WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 2 ? 2 : 3;
        }
    }
    return status;
}

}  // namespace cli
