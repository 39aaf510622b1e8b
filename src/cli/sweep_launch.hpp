// The command-line options of every command that runs a sweep (sweep, reproduce), mapped onto
// the library's LaunchSettings (sweep/launch.hpp).
#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "sweep/launch.hpp"

namespace modspec::cli {

// How a program runs a sweep: as launch_sweep does (returning whether this process writes the
// outputs), in the compute program or, for a finished sweep, in the front (front_main.cpp).
using SweepLauncher = std::function<bool(const SweepSpec&, const std::filesystem::path&, const LaunchSettings&,
                                         SweepReport&)>;

struct LaunchOptions {
  LaunchSettings settings;
  std::vector<std::string> overrides;  // --set key=value, applied to the sweep's [base]
  std::string flavor = "described";    // --flavor (sweep/flavor.hpp)
  CLI::Option* workers = nullptr;

  void add_to(CLI::App& app, bool with_shard);
  // The settings as parsed (whether --workers was given).
  LaunchSettings parsed() const;
  // The sweep file's text with --set and --flavor applied.
  SweepSpec read_sweep(const std::string& text, const std::string& source) const;
};

}  // namespace modspec::cli
