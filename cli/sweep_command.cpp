#include "cli/sweep_command.hpp"

#include <poll.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <thread>

#include "cli/commands.hpp"
#include "reports/sweep_report.hpp"
#include "scenarios/capabilities.hpp"
#include "scenarios/runner.hpp"
#include "scenarios/printable.hpp"
#include "scenarios/scenario_loader.hpp"
#include "sim/world.hpp"

namespace cli {

namespace {

using reports::SeedRange;
using reports::SeedResult;
using reports::Shard;
using reports::SweepResult;

constexpr const char* usage_text =
    "usage: kafkasim sweep FILE --seeds 1..500 [--jobs N] [--shard I/N] [--out DIR]\n"
    "       kafkasim sweep --merge DIR_OR_SWEEP_JSON... [--out DIR]";
constexpr unsigned max_jobs = 256;
constexpr size_t failing_seeds_listed = 10;  // with reproduce commands, below the table
constexpr size_t seeds_per_row = 5;          // in the table's "failing seeds" column

struct SweepArgs {
    std::string file;
    std::optional<SeedRange> seeds;
    std::optional<unsigned> jobs;
    std::optional<Shard> shard;
    std::optional<std::string> out;
    bool merge = false;
    std::vector<std::string> inputs;  // --merge
};

unsigned parse_jobs(const std::string& text) {
    const std::string expected = "--jobs: expected a number of worker processes from 1 to " + std::to_string(max_jobs) +
                                 ", like --jobs 4, got '" + text + "'";
    if (text.empty() || text.size() > 4 || text.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(expected);
    unsigned n = static_cast<unsigned>(std::stoul(text));
    if (n < 1 || n > max_jobs) throw UsageError(expected);
    return n;
}

SweepArgs parse_sweep_args(const std::vector<std::string>& args) {
    SweepArgs r;
    for (size_t i = 0; i < args.size(); ++i) {
        std::string a = args[i];
        std::optional<std::string> inline_value;
        if (a.rfind("--", 0) == 0 && a.find('=') != std::string::npos) {  // --seeds=1..500
            inline_value = a.substr(a.find('=') + 1);
            a = a.substr(0, a.find('='));
        }
        auto value = [&]() -> std::string {
            if (inline_value) return *inline_value;
            if (i + 1 >= args.size()) {
                if (a == "--seeds") throw UsageError("--seeds needs a value, like --seeds 1..500");
                if (a == "--shard") throw UsageError("--shard needs a value, like --shard 2/8");
                if (a == "--jobs") throw UsageError("--jobs needs a value, like --jobs 4");
                throw UsageError(a + " needs a value");
            }
            return args[++i];
        };
        try {
            if (a == "--seeds") {
                r.seeds = reports::parse_seed_range(value());
            } else if (a == "--shard") {
                r.shard = reports::parse_shard(value());
            } else if (a == "--jobs" || a == "-j") {
                r.jobs = parse_jobs(value());
            } else if (a == "--out") {
                r.out = value();
                if (r.out->empty()) throw UsageError("--out: expected a directory");
            } else if (a == "--merge" && !inline_value) {
                r.merge = true;
            } else if (!a.empty() && a[0] == '-') {
                throw UsageError("unknown option '" + args[i] + "'\n" + usage_text);
            } else if (r.merge || !r.file.empty()) {
                r.inputs.push_back(a);
            } else {
                r.file = a;
            }
        } catch (const reports::SweepInputError& e) {
            throw UsageError(e.what());
        }
    }
    if (r.merge) {
        // Whatever came before --merge was an input too.
        if (!r.file.empty()) r.inputs.insert(r.inputs.begin(), r.file);
        r.file.clear();
        if (r.inputs.empty())
            throw UsageError(std::string("--merge: which sweeps? expected sweep.json files or their directories\n") +
                             usage_text);
        if (r.seeds || r.shard || r.jobs)
            throw UsageError("--merge takes only sweep.json files or directories and --out "
                             "(the seeds and shards come from the files)");
        return r;
    }
    if (r.file.empty()) throw UsageError(std::string("which scenario?\n") + usage_text);
    if (!r.inputs.empty())
        throw UsageError("one scenario file at a time (got '" + r.file + "' and '" + r.inputs.front() + "')");
    if (!r.seeds) throw UsageError(std::string("which seeds? expected --seeds like 1..500\n") + usage_text);
    return r;
}

// The cores this process may run on: its CPU affinity (taskset, a Slurm or cgroup cpuset), else
// the online cores. A CPU quota without a cpuset (a Kubernetes limit) is not seen: pass --jobs.
unsigned default_jobs() {
    cpu_set_t set;
    CPU_ZERO(&set);
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) >= 1)
        return std::min<unsigned>(static_cast<unsigned>(CPU_COUNT(&set)), max_jobs);
    long online = sysconf(_SC_NPROCESSORS_ONLN);
    if (online >= 1) return static_cast<unsigned>(std::min<long>(online, max_jobs));
    unsigned hw = std::thread::hardware_concurrency();
    return hw >= 1 ? std::min(hw, max_jobs) : 1;
}

std::optional<scenarios::Scenario> load_runnable(const std::string& path) {
    scenarios::LoadResult loaded = scenarios::load_scenario_file(path);
    if (!loaded.scenario) {
        for (const auto& e : loaded.errors) std::cerr << "error: " << e.what() << "\n";
        std::cerr << loaded.errors.size() << " error(s); nothing was run. `kafkasim validate "
                  << scenarios::printable_path(path) << "` checks a file without running it.\n";
        return std::nullopt;
    }
    std::vector<scenarios::LoadError> missing = scenarios::not_yet_supported(*loaded.scenario, path);
    if (missing.empty()) return loaded.scenario;
    for (const auto& e : missing) std::cerr << "error: " << e.what() << "\n";
    std::cerr << "the scenario is valid, but this build of kafkasim cannot run it yet; nothing was run.\n";
    return std::nullopt;
}

// ---------------------------------------------------------------- pipes

bool write_all(int fd, const std::string& text) {
    size_t done = 0;
    while (done < text.size()) {
        ssize_t n = write(fd, text.data() + done, text.size() - done);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        done += static_cast<size_t>(n);
    }
    return true;
}

// Appends what is readable to `buffer`: false at end of file or on an error.
bool read_some(int fd, std::string& buffer) {
    char chunk[65536];
    while (true) {
        ssize_t n = read(fd, chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        buffer.append(chunk, static_cast<size_t>(n));
        return true;
    }
}

std::optional<std::string> take_line(std::string& buffer) {
    size_t nl = buffer.find('\n');
    if (nl == std::string::npos) return std::nullopt;
    std::string line = buffer.substr(0, nl);
    buffer.erase(0, nl + 1);
    return line;
}

// ---------------------------------------------------------------- the worker (a child process)

std::string run_seed(const scenarios::Scenario& scenario, uint64_t seed) {
    try {
        scenarios::RunOptions options;
        options.seed = seed;
        scenarios::ScenarioRun run(scenario, options);
        const scenarios::RunData& data = run.finish();
        return reports::seed_json_line(reports::seed_result(data, run.checks()));
    } catch (const sim::InvariantViolation& e) {
        return reports::seed_json_line(reports::faulted_seed(seed, std::string("simulator fault: ") + e.what()));
    } catch (const std::exception& e) {
        return reports::seed_json_line(reports::faulted_seed(seed, std::string("unexpected error: ") + e.what()));
    }
}

// Reads seeds, one a line, until the parent closes the pipe; answers each with one JSON line.
[[noreturn]] void worker_main(int seeds_fd, int results_fd, const scenarios::Scenario& scenario) {
    std::string buffer;
    while (true) {
        std::optional<std::string> line = take_line(buffer);
        if (!line) {
            if (!read_some(seeds_fd, buffer)) _exit(0);
            continue;
        }
        uint64_t seed = std::stoull(*line);
        if (!write_all(results_fd, run_seed(scenario, seed) + "\n")) _exit(1);
    }
}

// ---------------------------------------------------------------- the parent

struct Worker {
    pid_t pid = -1;
    int to_fd = -1;    // seeds to the worker
    int from_fd = -1;  // results from it
    std::string buffer;
    std::optional<uint64_t> running;
};

void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

std::string status_text(int wstatus) {
    if (WIFSIGNALED(wstatus)) {
        int sig = WTERMSIG(wstatus);
        const char* name = strsignal(sig);
        return "was killed by signal " + std::to_string(sig) + (name ? std::string(" (") + name + ")" : "");
    }
    if (WIFEXITED(wstatus)) return "exited with code " + std::to_string(WEXITSTATUS(wstatus));
    return "stopped";
}

// Progress on a terminal: seeds done, failures so far, wall time (display only).
class Progress {
public:
    Progress(bool enabled, uint64_t total) : enabled_(enabled), total_(total), start_(std::chrono::steady_clock::now()) {}
    double elapsed_s() const {
        return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
    }
    void draw(uint64_t done, int64_t failing, int64_t faults) {
        if (!enabled_) return;
        constexpr int width = 30;
        int filled = total_ == 0 ? width : static_cast<int>(done * width / total_);
        std::string bar(static_cast<size_t>(filled), '#');
        bar.resize(width, '.');
        std::printf("\r[%s] %llu/%llu seeds, %lld failing, %lld faults, %.1fs\033[K", bar.c_str(),
                    static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_),
                    static_cast<long long>(failing), static_cast<long long>(faults), elapsed_s());
        std::fflush(stdout);
    }
    void clear() {
        if (!enabled_) return;
        std::printf("\r\033[K");
        std::fflush(stdout);
    }

private:
    bool enabled_;
    uint64_t total_;
    std::chrono::steady_clock::time_point start_;
};

class WorkerPool {
public:
    WorkerPool(const scenarios::Scenario& scenario, SeedRange seeds, unsigned jobs)
        : scenario_(scenario), seeds_(seeds), workers_(std::min<uint64_t>(jobs, seeds.count())),
          results_(seeds.count()) {}

    // Runs every seed; calls on_result(done, failing, faults) after each wake-up.
    template <class OnResult>
    std::vector<SeedResult> run(OnResult&& on_result, int poll_timeout_ms) {
        for (Worker& w : workers_) {
            spawn(w);
            dispatch(w);
        }
        while (done_ < results_.size()) {
            std::vector<pollfd> fds;
            std::vector<Worker*> owners;
            for (Worker& w : workers_)
                if (w.from_fd >= 0) {
                    fds.push_back({w.from_fd, POLLIN, 0});
                    owners.push_back(&w);
                }
            if (fds.empty()) break;  // cannot happen: a dead worker with seeds left is replaced
            int ready = poll(fds.data(), fds.size(), poll_timeout_ms);
            if (ready < 0 && errno != EINTR) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
            for (size_t i = 0; ready > 0 && i < fds.size(); ++i) {
                if (fds[i].revents == 0) continue;
                Worker& w = *owners[i];
                bool open = read_some(w.from_fd, w.buffer);
                while (std::optional<std::string> line = take_line(w.buffer)) receive(w, *line);
                if (!open) reap(w);
            }
            on_result(done_, failing_, faults_);
        }
        for (Worker& w : workers_) {
            close_fd(w.to_fd);
            if (w.pid > 0) {
                int st = 0;
                waitpid(w.pid, &st, 0);
            }
            close_fd(w.from_fd);
        }
        std::vector<SeedResult> out;
        for (size_t i = 0; i < results_.size(); ++i)
            out.push_back(results_[i] ? std::move(*results_[i])
                                      : reports::faulted_seed(seeds_.first + i, "not run: no worker process was left"));
        return out;
    }

private:
    std::optional<uint64_t> next_seed() {
        if (!requeued_.empty()) {
            uint64_t s = requeued_.back();
            requeued_.pop_back();
            return s;
        }
        if (next_ < seeds_.count()) return seeds_.first + next_++;
        return std::nullopt;
    }
    bool seeds_left() const { return !requeued_.empty() || next_ < seeds_.count(); }

    void spawn(Worker& w) {
        int to[2], from[2];
        if (pipe(to) != 0) throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        if (pipe(from) != 0) {
            close(to[0]);
            close(to[1]);
            throw std::runtime_error(std::string("pipe: ") + std::strerror(errno));
        }
        std::cout.flush();
        std::fflush(stdout);  // or the child inherits (and repeats) what is buffered
        std::fflush(stderr);
        pid_t pid = fork();
        if (pid < 0) throw std::runtime_error(std::string("fork: ") + std::strerror(errno));
        if (pid == 0) {
            // Only its own pipes: a sibling's pipe held open here would never see end of file.
            for (Worker& other : workers_) {
                if (other.to_fd >= 0) close(other.to_fd);
                if (other.from_fd >= 0) close(other.from_fd);
            }
            close(to[1]);
            close(from[0]);
            worker_main(to[0], from[1], scenario_);
        }
        close(to[0]);
        close(from[1]);
        w.pid = pid;
        w.to_fd = to[1];
        w.from_fd = from[0];
        w.buffer.clear();
        w.running.reset();
    }

    // Gives the worker its next seed, or tells it (by end of file) that there is none.
    void dispatch(Worker& w) {
        if (w.to_fd < 0) return;
        std::optional<uint64_t> seed = next_seed();
        if (!seed) {
            close_fd(w.to_fd);
            return;
        }
        if (write_all(w.to_fd, std::to_string(*seed) + "\n")) {
            w.running = *seed;
        } else {  // it died; reap() replaces it when its results pipe closes
            requeued_.push_back(*seed);
            close_fd(w.to_fd);
        }
    }

    void store(SeedResult r) {
        std::optional<SeedResult>& slot = results_[r.seed - seeds_.first];
        if (slot) return;  // answered already
        ++done_;
        if (r.fault) ++faults_;
        else if (!r.passed()) ++failing_;
        slot = std::move(r);
    }

    void receive(Worker& w, const std::string& line) {
        if (!w.running) return;  // nothing asked: ignore
        const uint64_t seed = *w.running;
        w.running.reset();
        try {
            SeedResult r = reports::seed_from_json_line(line);
            if (r.seed != seed)
                r = reports::faulted_seed(seed, "the worker answered for seed " + std::to_string(r.seed) + " instead");
            store(std::move(r));
        } catch (const std::exception& e) {
            store(reports::faulted_seed(seed, std::string("unreadable result from the worker: ") + e.what()));
        }
        dispatch(w);
    }

    // The worker's results pipe closed: it exited (no seeds left) or died.
    void reap(Worker& w) {
        close_fd(w.from_fd);
        close_fd(w.to_fd);
        int st = 0;
        waitpid(w.pid, &st, 0);
        w.pid = -1;
        if (w.running) {
            store(reports::faulted_seed(*w.running, "the worker process " + status_text(st) + " while running this seed"));
            w.running.reset();
        }
        if (seeds_left()) {
            spawn(w);
            dispatch(w);
        }
    }

    const scenarios::Scenario& scenario_;
    SeedRange seeds_;
    std::vector<Worker> workers_;
    std::vector<std::optional<SeedResult>> results_;
    std::vector<uint64_t> requeued_;
    uint64_t next_ = 0;
    uint64_t done_ = 0;
    int64_t failing_ = 0, faults_ = 0;
};

// ---------------------------------------------------------------- the table

std::string check_label(const std::string& name, const std::string& params) {
    return params.empty() ? name : name + " " + params;
}

std::string seeds_text(const std::vector<uint64_t>& seeds) {
    if (seeds.empty()) return "-";
    std::string out;
    for (size_t i = 0; i < seeds.size() && i < seeds_per_row; ++i) out += (i ? ", " : "") + std::to_string(seeds[i]);
    if (seeds.size() > seeds_per_row) out += ", ... (" + std::to_string(seeds.size()) + " in all)";
    return out;
}

// Nearest-rank percentile of sorted values.
int64_t percentile(const std::vector<int64_t>& sorted, int p) {
    size_t rank = (static_cast<size_t>(p) * sorted.size() + 99) / 100;
    return sorted[rank == 0 ? 0 : rank - 1];
}

template <class Format>
void print_distribution(const char* label, std::vector<int64_t> values, Format&& format, const std::string& note) {
    std::printf("%-18s", label);
    if (values.empty()) {
        std::printf("%s\n", note.c_str());
        return;
    }
    std::sort(values.begin(), values.end());
    std::printf("min %s  median %s  p90 %s  max %s  (%s)\n", format(values.front()).c_str(),
                format(percentile(values, 50)).c_str(), format(percentile(values, 90)).c_str(),
                format(values.back()).c_str(), note.c_str());
}

std::string seeds_text(size_t n) { return std::to_string(n) + (n == 1 ? " seed" : " seeds"); }

// The spread across seeds of each seed's longest failover and largest consumer lag.
void print_spreads(const std::vector<int64_t>& failover, int64_t incomplete, const std::vector<int64_t>& lag) {
    std::string failover_note = seeds_text(failover.size()) + " with a failover";
    if (failover.empty())
        failover_note = incomplete > 0 ? "no failover completed in any seed" : "no fault took away a leader in any seed";
    if (incomplete > 0) failover_note += "; " + seeds_text(static_cast<size_t>(incomplete)) + " with one that never completed";
    print_distribution("longest failover", failover,
                       [](int64_t us) { return scenarios::checkers::duration_text(sim::Duration{us}); }, failover_note);
    print_distribution("max consumer lag", lag, [](int64_t n) { return scenarios::checkers::with_commas(n); },
                       lag.empty() ? "no consumer" : seeds_text(lag.size()));
}

void print_table(const SweepResult& sweep) {
    std::vector<reports::CheckTally> tallies = reports::tally_checks(sweep);
    size_t width = 5;
    for (const auto& t : tallies) width = std::max(width, check_label(t.name, t.params).size());
    const int w = static_cast<int>(width);
    const int64_t finished = static_cast<int64_t>(sweep.results.size()) - sweep.faults();
    std::printf("\n");
    if (!tallies.empty())
        std::printf("%-*s  %-8s  %8s  %8s  %13s  %s\n", w, "check", "expected", "held", "violated", "met", "failing seeds");
    for (const auto& t : tallies) {
        std::string met = std::to_string(finished - static_cast<int64_t>(t.failing_seeds.size())) + "/" +
                          std::to_string(finished);
        std::string failing = seeds_text(t.failing_seeds);
        if (t.expected_fraction < 1.0) {
            // A race that shows on some seeds only: the scenario says on how many.
            char want[64];
            std::snprintf(want, sizeof want, "%g%%", t.expected_fraction * 100);
            failing = t.as_expected() ? std::string("as expected (at least ") + want + " of seeds)"
                                      : std::string("FEWER than the expected ") + want + " of seeds; " + failing;
        }
        std::printf("%-*s  %-8s  %8lld  %8lld  %13s  %s\n", w, check_label(t.name, t.params).c_str(),
                    t.expect_violated ? "violated" : "holds", static_cast<long long>(t.held),
                    static_cast<long long>(t.violated), met.c_str(), failing.c_str());
    }
    if (tallies.empty() && finished > 0) std::printf("(the scenario expects nothing)\n");

    std::vector<int64_t> failover, lag;
    int64_t incomplete = 0;
    for (const SeedResult& r : sweep.results) {
        if (r.fault) continue;
        if (r.longest_failover_us) failover.push_back(*r.longest_failover_us);
        if (r.failovers_incomplete > 0) ++incomplete;
        if (r.max_lag) lag.push_back(*r.max_lag);
    }
    if (!tallies.empty()) std::printf("\n");
    if (finished == 0) {
        std::printf("(no seed %s)\n", sweep.results.empty() ? "in this shard" : "finished");
    } else {
        print_spreads(failover, incomplete, lag);
    }

    const std::string& file = sweep.scenario_file;
    if (sweep.faults() > 0) {
        std::printf("\nsimulator faults in %lld seed(s) (bugs in kafkasim, not Kafka findings):\n",
                    static_cast<long long>(sweep.faults()));
        size_t shown = 0;
        for (const SeedResult& r : sweep.results) {
            if (!r.fault) continue;
            if (shown++ == failing_seeds_listed) {
                std::printf("  ... and %lld more (see sweep.json)\n",
                            static_cast<long long>(sweep.faults() - static_cast<int64_t>(failing_seeds_listed)));
                break;
            }
            std::printf("  seed %llu: %s\n    reproduce: %s\n", static_cast<unsigned long long>(r.seed), r.fault->c_str(),
                        reproduce_command(file, r.seed).c_str());
        }
    }
    if (sweep.failing() > 0) {
        std::printf("\nfailing seeds (%lld of %zu", static_cast<long long>(sweep.failing()), sweep.results.size());
        if (sweep.failing() > static_cast<int64_t>(failing_seeds_listed))
            std::printf("; the first %zu", failing_seeds_listed);
        std::printf("):\n");
        size_t shown = 0;
        for (const SeedResult& r : sweep.results) {
            if (!reports::seed_failing(r, tallies)) continue;
            if (shown++ == failing_seeds_listed) break;
            std::printf("  seed %llu:\n", static_cast<unsigned long long>(r.seed));
            for (size_t i = 0; i < r.checks.size(); ++i) {
                const auto& c = r.checks[i];
                if (!c.passed() && !(i < tallies.size() && tallies[i].as_expected()))
                    std::printf("    %s %s, expected %s: %s\n", check_label(c.name, c.params).c_str(),
                                !c.checked ? "not checked" : c.holds ? "held" : "violated", c.expect_violated ? "violated" : "holds", c.summary.c_str());
            }
            std::printf("    reproduce: %s\n", reproduce_command(file, r.seed).c_str());
        }
    }
    std::printf("\n");
    switch (sweep.exit_code()) {
        case 0:
            if (std::any_of(tallies.begin(), tallies.end(), [](const reports::CheckTally& t) { return t.as_expected(); }))
                std::printf("result     PASSED: every expectation met as the scenario expects it (%zu seeds; see the fractions above)\n",
                            sweep.results.size());
            else
                std::printf("result     PASSED: every seed met every expectation (%zu seeds)\n", sweep.results.size());
            break;
        case 1:
            std::printf("result     FAILED: %lld of %zu seeds missed an expectation\n",
                        static_cast<long long>(sweep.failing()), sweep.results.size());
            break;
        default:
            std::printf("result     SIMULATOR FAULT in %lld of %zu seeds (and %lld seeds missed an expectation)\n",
                        static_cast<long long>(sweep.faults()), sweep.results.size(),
                        static_cast<long long>(sweep.failing()));
    }
}

// Before any work: an --out that cannot be written is bad usage, better found now than after the runs.
void prepare_out_dir(const std::string& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec || !std::filesystem::is_directory(dir))
        throw UsageError("--out " + dir + ": cannot create the directory" + (ec ? " (" + ec.message() + ")" : ""));
}

int write_outputs(const std::string& dir, const SweepResult& sweep) {
    std::string json;
    try {
        json = reports::write_sweep_json(dir, sweep);
    } catch (const std::exception& e) {
        std::cerr << "error: --out " << dir << ": " << e.what() << "\n";
        return exit_write_failed;
    }
    std::printf("wrote      %s\n", json.c_str());
    std::fflush(stdout);
    try {
        reports::PlotOutcome plots = reports::write_distribution_plots(dir, sweep);
        for (const std::string& f : plots.files) std::printf("wrote      %s\n", f.c_str());
        if (!plots.skipped.empty()) std::printf("note       %s\n", plots.skipped.c_str());
    } catch (const std::exception& e) {  // the plots are a picture of sweep.json: their loss is not the sweep's
        std::printf("note       plots not written: %s\n", e.what());
    }
    return 0;
}

int merge_command(const SweepArgs& a) {
    std::vector<SweepResult> shards;
    try {
        for (const std::string& input : a.inputs) shards.push_back(reports::read_sweep_json(input));
        SweepResult merged = reports::merge_sweeps(std::move(shards));
        std::printf("merged     %zu shard(s) of %s (%s), seeds %s, %zu runs\n", a.inputs.size(),
                    merged.scenario_name.c_str(), merged.scenario_file.c_str(), merged.seeds.text().c_str(),
                    merged.results.size());
        std::string dir = a.out.value_or("out/" + merged.scenario_name + "-sweep");
        prepare_out_dir(dir);
        print_table(merged);
        if (int rc = write_outputs(dir, merged)) return rc;
        return merged.exit_code();
    } catch (const reports::SweepInputError& e) {
        std::cerr << "kafkasim sweep: " << e.what() << "\n";
        return 2;
    }
}

std::optional<std::string> read_file_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

}  // namespace

int sweep_command(const std::vector<std::string>& args) {
    SweepArgs a = parse_sweep_args(args);
    if (a.merge) return merge_command(a);

    const std::string path = resolve_scenario_path(a.file);
    std::optional<scenarios::Scenario> scenario = load_runnable(path);
    if (!scenario) return 2;
    std::optional<std::string> bytes = read_file_bytes(path);
    if (!bytes) {
        std::cerr << "error: " << path << ": cannot read\n";
        return 2;
    }

    SweepResult sweep;
    sweep.scenario_name = scenario->name;
    sweep.scenario_file = path;
    sweep.scenario_fingerprint = reports::fingerprint_bytes(*bytes);
    sweep.seeds = *a.seeds;
    sweep.shard = a.shard.value_or(Shard{});
    std::optional<SeedRange> mine = sweep.shard_range();
    const unsigned jobs = std::max(1u, a.jobs.value_or(default_jobs()));
    const std::string dir = a.out.value_or(
        "out/" + scenario->name + "-sweep" +
        (sweep.shard.count > 1 ? "-shard-" + std::to_string(sweep.shard.index) + "-of-" + std::to_string(sweep.shard.count)
                               : ""));

    prepare_out_dir(dir);
    std::printf("sweep      %s (%s), seeds %s", scenario->name.c_str(), path.c_str(), sweep.seeds.text().c_str());
    if (sweep.shard.count > 1)
        std::printf(", shard %s: %s", sweep.shard.text().c_str(), mine ? ("seeds " + mine->text()).c_str() : "no seeds");
    const uint64_t total = mine ? mine->count() : 0;
    const unsigned workers = static_cast<unsigned>(std::min<uint64_t>(jobs, total));
    std::printf(", %llu run(s) on %u worker process(es)\n", static_cast<unsigned long long>(total), workers);
    std::fflush(stdout);

    Progress progress(isatty(STDOUT_FILENO) == 1, total);
    if (mine) {
        // A worker that dies must not take the parent down when it is handed its next seed.
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        struct sigaction previous {};
        sigaction(SIGPIPE, &ignore, &previous);
        WorkerPool pool(*scenario, *mine, jobs);
        try {
            sweep.results = pool.run(
                [&](uint64_t done, int64_t failing, int64_t faults) { progress.draw(done, failing, faults); },
                isatty(STDOUT_FILENO) == 1 ? 500 : -1);
        } catch (const std::exception& e) {
            progress.clear();
            std::cerr << "kafkasim sweep: " << e.what() << "\n";
            sigaction(SIGPIPE, &previous, nullptr);
            return 3;
        }
        sigaction(SIGPIPE, &previous, nullptr);
        progress.clear();
    }
    std::printf("done       %llu seeds in %.1fs wall\n", static_cast<unsigned long long>(total), progress.elapsed_s());
    print_table(sweep);
    if (int rc = write_outputs(dir, sweep)) return rc;
    return sweep.exit_code();
}

}  // namespace cli
