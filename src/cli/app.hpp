// What both programs of the command line share (cli/command_list.hpp): the options before any
// command, and running the parsed command with its errors as one line each.
#pragma once
#include <CLI/CLI.hpp>
#include <exception>
#include <functional>
#include <string>

namespace modspec::cli {

// --version, --quiet/-q (before or after the command), and exactly one command.
void add_common_options(CLI::App& app);

// Parses and runs the command. Exit status: 0; 2 for a usage error (one line naming it, as for
// any command-line tool's misuse); 1 for any other error, one line from `describe` (by default
// the exception's what()).
int run_app(CLI::App& app, int argc, char** argv,
            const std::function<std::string(const std::exception&)>& describe = nullptr);

}  // namespace modspec::cli
