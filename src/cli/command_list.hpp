// Every command of the command line, its one-line description, and which program runs it. The
// program a user calls, `modspec` (front_main.cpp), needs no LibTorch: it runs the light commands
// itself and hands every command that runs networks to `modspec-compute` (compute_main.cpp), the
// program beside it, by exec with the same arguments. Both register their commands through
// add_command, so a description is written once (docs/ARCHITECTURE.md, "Two programs").
#pragma once
#include <CLI/CLI.hpp>
#include <string>

namespace modspec::cli {

// A subcommand of `parent` named `name` ("train", or "show" under "data"), described as listed.
CLI::App* add_command(CLI::App& parent, const std::string& name);

// Executes modspec-compute, beside this program, on this program's arguments; on failure prints
// one line and exits with status 1.
[[noreturn]] void run_compute_program(char** argv);

// In the front program: a command of modspec-compute. It takes any arguments, its own --help
// among them, and runs modspec-compute on the program's arguments.
void add_compute_command(CLI::App& parent, const std::string& name, char** argv);

}  // namespace modspec::cli
