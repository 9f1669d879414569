// kafkasim: parses arguments and wires the layers. Subcommands:
//   run FILE [--seed N] [--out DIR] [--sample 100ms] [--narrate]   run a scenario, check its expectations, write its reports
//   validate FILE                                   check a scenario without running it
//   describe FILE --at 15s [--seed N] [--what ...]  the cluster at an instant as Kafka's tools print it (cli/describe_command.hpp)
//   bench [FILE...]                                 speed: simulated s per wall s, events/s, peak memory
//   sweep FILE --seeds A..B [--jobs N] [--shard I/N] [--out DIR]   many seeds in parallel (cli/sweep_command.hpp)
//   shell FILE [--seed N]                           an interactive session over the cluster (cli/shell_command.hpp)
//   list                                            the scenario library, one line each
//   profiles [VERSION]                              the version profiles: defaults and behaviour, and why
//   configs                                         every config key: default, profiles, modelled (docs/config-keys.md)
#include <fcntl.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <new>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"
#include "cli/describe_command.hpp"
#include "cli/shell_command.hpp"
#include "cli/sweep_command.hpp"
#include "reports/output_file.hpp"
#include "scenarios/printable.hpp"
#include "sim/world.hpp"

namespace {

void usage(std::ostream& out) {
    out << "usage: kafkasim <command> [options]\n"
           "\n"
           "commands:\n"
           "  run FILE [--seed N] [--out DIR] [--sample 100ms] [--narrate]\n"
           "                                                run a scenario; exit 0 when every expectation is met,\n"
           "                                                1 when one is not, 2 for bad input, 3 for a simulator fault;\n"
           "                                                writes report.html, report.json, metrics.csv, trace.jsonl and\n"
           "                                                plots to DIR (default out/<scenario>-seed<N>)\n"
           "  validate FILE                                 check a scenario file and show what its profile sets\n"
           "  describe FILE --at 15s [--seed N] [--what topics|groups|quorum|all] [--group G] [--topic T]\n"
           "                                                run to a virtual time and print the cluster as kafka-topics.sh,\n"
           "                                                kafka-consumer-groups.sh and kafka-metadata-quorum.sh would\n"
           "  bench [FILE...]                               measure speed (default: scenarios/bench/*.json)\n"
           "  sweep FILE --seeds 1..500 [--jobs N] [--shard I/N] [--out DIR]\n"
           "                                                run every seed of a range in parallel; table, sweep.json, plots\n"
           "  sweep --merge DIR... [--out DIR]              combine the sweep.json files of shards\n"
           "  shell FILE [--seed N]                         an interactive session: move the clock, inject faults,\n"
           "                                                produce and consume, look at topics, quorum and logs\n"
           "  list                                          the scenario library\n"
           "  profiles [VERSION]                            the Kafka version profiles: what each sets and why\n"
           "  configs                                       every config key: its default, what the profiles change,\n"
           "                                                whether the model acts on it (docs/config-keys.md)\n"
           "\n"
           "FILE may be a path or the name of a library scenario (e.g. quickstart).\n";
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
    if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
        usage(args.empty() ? std::cerr : std::cout);
        return args.empty() ? 2 : 0;
    }
    std::string command = args[0];
    args.erase(args.begin());
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
        std::cerr << where << scenarios::printable(e.what(), 1000) << "\n";
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
