// The commands of the command line; each registers its options on the app and runs through a
// callback. They only parse arguments and call the library (cli/command_list.hpp: which program
// runs which).
#pragma once
#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/sweep_launch.hpp"
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

// The front program's (front_main.cpp), which need no LibTorch; `data` is the data command.
void add_config_command(CLI::App& app);
void add_data_info_command(CLI::App& data);
void add_table_command(CLI::App& app);
// Both programs': the front ends a rerun of a finished sweep itself (cli/sweep_launch.hpp).
void add_sweep_command(CLI::App& app, const SweepLauncher& launch);
// modspec-compute's (compute_main.cpp).
void add_data_show_command(CLI::App& data);
void add_train_command(CLI::App& app);
void add_measure_command(CLI::App& app);
void add_states_command(CLI::App& app);
void add_reproduce_command(CLI::App& app);

}  // namespace modspec::cli
