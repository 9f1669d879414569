// kafkasim: parses arguments and wires the layers. Subcommands:
//   run FILE [--seed N] [--out DIR] [--sample 100ms] [--narrate]   run a scenario, check its expectations, write its reports
//   validate FILE                                   check a scenario without running it
//   describe FILE --at 15s [--seed N] [--what ...]  the cluster at an instant as Kafka's tools print it (cli/describe_command.hpp)
//   bench [FILE...]                                 speed: simulated s per wall s, events/s, peak memory
//   sweep FILE --seeds A..B [--jobs N] [--shard I/N] [--out DIR]   many seeds in parallel (cli/sweep_command.hpp)
//   shell FILE [--seed N]                           an interactive session over the cluster (cli/shell_command.hpp)
//   list [--mode M] [--version V] [--violated|--holds] [--lessons]   the scenario library, one line each
//   profiles [VERSION | --matrix]                   the version profiles: defaults and behaviour, and why
//   configs                                         every config key: default, profiles, modelled (docs/config-keys.md)
#include <fcntl.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "cli/commands.hpp"
#include "cli/describe_command.hpp"
#include "cli/shell_command.hpp"
#include "cli/sweep_command.hpp"
#include "reports/output_file.hpp"
#include "scenarios/printable.hpp"
#include "sim/world.hpp"

namespace {

// Every command's usage and what it does: the overview (`kafkasim --help`) prints the first
// line of each, `kafkasim COMMAND --help` (or `kafkasim help COMMAND`) the whole entry.
struct CommandHelp {
    const char* name;
    const char* usage;    // after "kafkasim "
    const char* summary;  // the overview's lines
    const char* details;  // the rest, for COMMAND --help
};

constexpr CommandHelp commands[] = {
    {"run", "run FILE [--seed N] [--out DIR] [--sample 100ms] [--narrate]",
     "run a scenario; exit 0 when every expectation is met,\n"
     "1 when one is not, 2 for bad input, 3 for a simulator fault;\n"
     "writes report.html, report.json, metrics.csv, trace.jsonl and\n"
     "plots to DIR (default out/<scenario>-seed<N>)",
     "  --seed N        the run's root seed (default: the scenario's \"seed\"); same seed, same run\n"
     "  --out DIR       where the reports go (default out/<scenario>-seed<N>)\n"
     "  --sample D      metrics interval, whole milliseconds (default 100ms; part of the trace hash)\n"
     "  --narrate       print the timeline as it happens, one sentence per event\n"
     "exit 4 when a report could not be written."},
    {"validate", "validate FILE", "check a scenario file and show what its profile sets",
     "Prints the cluster, the version profile's defaults and behaviour, and a warning for each\n"
     "setting the model accepts but does not act on. Exit 0 when valid, 2 with every error\n"
     "(file, JSON path, what was expected, a suggestion) otherwise."},
    {"describe", "describe FILE --at 15s [--seed N] [--what topics|groups|quorum|transactions|connect|all] [--group G] [--topic T]",
     "run to a virtual time and print the cluster as kafka-topics.sh,\n"
     "kafka-consumer-groups.sh and kafka-metadata-quorum.sh would",
     "  --at D          the virtual instant (e.g. 15s, 1m30s)\n"
     "  --what W        topics, groups, quorum or all (default all)\n"
     "  --group G       one consumer group;  --topic T   one topic"},
    {"bench", "bench [FILE...]", "measure speed (default: scenarios/bench/*.json)",
     "Each scenario runs in its own process: simulated seconds per wall second, events per\n"
     "second, peak memory and record batches held at the end. Wall time is read here only."},
    {"sweep", "sweep FILE --seeds 1..500 [--jobs N] [--shard I/N] [--out DIR]",
     "run every seed of a range in parallel; table, sweep.json, plots",
     "  --seeds A..B    the seeds to run\n"
     "  --jobs N        worker processes (default: the cores this process may use)\n"
     "  --shard I/N     run the I-th of N slices of the range (merge them with --merge)\n"
     "  --out DIR       where sweep.json and the plots go\n"
     "A failing seed is listed with the `kafkasim run` command that reproduces it."},
    {"sweep --merge", "sweep --merge DIR... [--out DIR]", "combine the sweep.json files of shards", nullptr},
    {"shell", "shell FILE [--seed N]",
     "an interactive session: move the clock, inject faults,\n"
     "produce and consume, look at topics, quorum and logs",
     "Type `help` inside for the commands; it reads a script from standard input too."},
    {"list", "list [--mode kraft|zookeeper] [--version V] [--violated | --holds] [--lessons]",
     "the scenario library, filtered",
     "  --mode M        only KRaft or only ZooKeeper-mode scenarios\n"
     "  --version V     only those on the profile release V maps to (e.g. 0.11)\n"
     "  --violated      only those that expect a check violated (an anomaly replayed); --holds the others\n"
     "  --lessons       the scenarios of docs/learn/, in lesson order"},
    {"profiles", "profiles [VERSION | --matrix]", "the Kafka version profiles: what each sets and why",
     "With a release (e.g. 3.4.1), the profile it maps to; --matrix puts every profile side by side."},
    {"configs", "configs",
     "every config key: its default, what the profiles change,\n"
     "whether the model acts on it (docs/config-keys.md)",
     nullptr},
};

// Lines of a multi-line text, each indented to the overview's description column.
void print_indented(std::ostream& out, const char* text, size_t column, bool first_inline) {
    std::string_view rest(text);
    bool first = true;
    while (!rest.empty()) {
        size_t nl = rest.find('\n');
        std::string_view line = rest.substr(0, nl);
        if (!(first && first_inline)) out << std::string(column, ' ');
        out << line << "\n";
        first = false;
        rest = nl == std::string_view::npos ? std::string_view() : rest.substr(nl + 1);
    }
}

void usage(std::ostream& out) {
    constexpr size_t column = 48;
    out << "usage: kafkasim <command> [options]\n\ncommands:\n";
    for (const CommandHelp& c : commands) {
        std::string head = std::string("  ") + c.usage;
        if (head.size() + 2 <= column) {
            out << head << std::string(column - head.size(), ' ');
            print_indented(out, c.summary, column, /*first_inline=*/true);
        } else {
            out << head << "\n";
            print_indented(out, c.summary, column, /*first_inline=*/false);
        }
    }
    out << "\nFILE may be a path or the name of a library scenario (e.g. quickstart).\n"
           "`kafkasim COMMAND --help` tells more of one command.\n";
}

// kafkasim COMMAND --help: false when there is no such command.
bool command_help(const std::string& name, std::ostream& out) {
    bool found = false;
    for (const CommandHelp& c : commands) {
        if (std::string_view(c.name).substr(0, name.size()) != name ||
            (std::string_view(c.name).size() > name.size() && c.name[name.size()] != ' '))
            continue;
        out << (found ? "\n" : "") << "usage: kafkasim " << c.usage << "\n\n";
        print_indented(out, c.summary, 0, false);
        if (c.details != nullptr) {
            out << "\n";
            print_indented(out, c.details, 0, false);
        }
        found = true;
    }
    return found;
}

bool asks_for_help(const std::vector<std::string>& args) {
    return std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; });
}

int dispatch(const std::string& command, const std::vector<std::string>& args) {
    if (command == "run") return cli::run_command(args);
    if (command == "validate") return cli::validate_command(args);
    if (command == "describe") return cli::describe_command(args);
    if (command == "bench") return cli::bench_command(args);
    if (command == "sweep") return cli::sweep_command(args);
    if (command == "shell") return cli::shell_command(args);
    if (command == "list") return cli::list_command(args);
    if (command == "profiles") return cli::profiles_command(args);
    if (command == "configs") return cli::configs_command(args);
    std::cerr << "kafkasim: unknown command '" << scenarios::printable(command) << "'\n\n";
    usage(std::cerr);
    return cli::exit_bad_input;
}

// What was printed must have reached standard output: a full disk behind `> file`, /dev/full
// or a closed descriptor is an error (exit 4), never a silent success.
int check_stdout(int status) {
    errno = 0;
    std::cout.flush();
    const bool failed = !std::cout || std::fflush(stdout) != 0 || std::ferror(stdout);
    if (!failed) return status;
    const int saved = errno;
    std::cerr << "kafkasim: error: could not write to standard output"
              << (saved != 0 ? std::string(": ") + std::strerror(saved) : std::string()) << "\n";
    return cli::exit_write_failed;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty() || ((args[0] == "--help" || args[0] == "-h" || args[0] == "help") && args.size() == 1)) {
        usage(args.empty() ? std::cerr : std::cout);
        return check_stdout(args.empty() ? 2 : 0);
    }
    if (args[0] == "help" && args.size() == 2) args = {args[1], "--help"};  // kafkasim help run
    std::string command = args[0];
    args.erase(args.begin());
    if (asks_for_help(args)) {
        if (command_help(command, std::cout)) return check_stdout(0);
        std::cerr << "kafkasim: unknown command '" << scenarios::printable(command) << "'\n\n";
        usage(std::cerr);
        return cli::exit_bad_input;
    }
    // A closed standard output would be taken by the first file opened, and the reports
    // would land in it: refuse at once.
    if (fcntl(STDOUT_FILENO, F_GETFD) == -1) {
        std::cerr << "kafkasim: error: standard output is closed\n";
        return cli::exit_write_failed;
    }
    const std::string where = "kafkasim " + scenarios::printable(command) + ": ";
    try {
        return check_stdout(dispatch(command, args));
    } catch (const cli::UsageError& e) {
        // Line by line: a usage message's own line breaks stay line breaks.
        std::string_view text(e.what());
        for (size_t i = 0; i <= text.size();) {
            size_t nl = std::min(text.find('\n', i), text.size());
            std::cerr << (i == 0 ? where : std::string()) << scenarios::printable(text.substr(i, nl - i), 1000) << "\n";
            i = nl + 1;
        }
        return check_stdout(cli::exit_bad_input);
    } catch (const reports::WriteError& e) {
        std::cerr << where << "error: " << e.what() << "\n";
        return cli::exit_write_failed;
    } catch (const std::bad_alloc&) {
        // What the limits (docs/scenario-format.md) did not prevent: a scenario within every
        // limit but combining several, on a machine with less memory.
        std::cerr << where << "error: out of memory: the scenario is too large for the memory this machine gives "
                     "kafkasim (see \"Limits\" in docs/scenario-format.md: combining several sizes near their "
                     "limits multiplies the cost)\n";
        return cli::exit_bad_input;
    } catch (const std::filesystem::filesystem_error& e) {
        std::cerr << where << "error: " << scenarios::printable(e.what(), 1000) << "\n";
        return cli::exit_bad_input;
    } catch (const sim::InvariantViolation& e) {
        std::cerr << where << "simulator fault (a bug in kafkasim, not a Kafka finding): " << e.what() << "\n";
        return 3;
    } catch (const std::exception& e) {
        std::cerr << where << "simulator fault (a bug in kafkasim: an unexpected " << scenarios::printable(e.what(), 1000)
                  << ")\n";
        return 3;
    }
}
