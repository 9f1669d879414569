// kafkasim: parses arguments and wires the layers. Subcommands:
//   run FILE [--seed N] [--out DIR] [--narrate]   run a scenario and check its expectations
//   validate FILE                                   check a scenario without running it
//   bench [FILE...]                                 speed: simulated s per wall s, events/s, peak memory
//   list                                            the scenario library, one line each
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "cli/commands.hpp"

namespace {

void usage(std::ostream& out) {
    out << "usage: kafkasim <command> [options]\n"
           "\n"
           "commands:\n"
           "  run FILE [--seed N] [--out DIR] [--narrate]   run a scenario; exit 0 when every expectation is met,\n"
           "                                                1 when one is not, 2 for bad input, 3 for a simulator fault\n"
           "  validate FILE                                 check a scenario file and show what its profile sets\n"
           "  bench [FILE...]                               measure speed (default: scenarios/bench/*.json)\n"
           "  list                                          the scenario library\n"
           "\n"
           "FILE may be a path or the name of a library scenario (e.g. quickstart).\n";
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
    try {
        if (command == "run") return cli::run_command(args);
        if (command == "validate") return cli::validate_command(args);
        if (command == "bench") return cli::bench_command(args);
        if (command == "list") return cli::list_command(args);
    } catch (const cli::UsageError& e) {
        std::cerr << "kafkasim " << command << ": " << e.what() << "\n";
        return 2;
    }
    std::cerr << "kafkasim: unknown command '" << command << "'\n\n";
    usage(std::cerr);
    return 2;
}
