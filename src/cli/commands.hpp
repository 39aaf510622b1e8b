// The subcommands of the `modspec` program; each registers its options on the app and runs
// through a callback. They only parse arguments and call the library.
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "config/config.hpp"

namespace modspec::cli {

// The options every command that builds an environment or a network shares.
struct ConfigOptions {
  std::string config_file;
  std::vector<std::string> overrides;  // --set key=value
  std::string data_dir;

  void add_to(CLI::App& app, bool config_positional);
  Config resolve() const;
};

void add_config_command(CLI::App& app);
void add_data_commands(CLI::App& app);
void add_train_command(CLI::App& app);
void add_measure_command(CLI::App& app);
void add_states_command(CLI::App& app);
void add_sweep_commands(CLI::App& app);
void add_reproduce_command(CLI::App& app);

}  // namespace modspec::cli
