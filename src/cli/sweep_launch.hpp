// Running a sweep from the command line, alone or as one of the ranks of `mpirun -n N`.
#pragma once
#include <CLI/CLI.hpp>
#include <filesystem>
#include <memory>
#include <string>

#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_spec.hpp"

namespace modspec::cli {

// The options of every command that runs a sweep.
struct LaunchOptions {
  SweepOptions sweep;
  std::string shard;           // --shard i/N, empty when not given
  std::vector<std::string> overrides;  // --set key=value, applied to the sweep's [base]
  std::string flavor = "described";    // --flavor (sweep/flavor.hpp)

  // The sweep file's text with --set and --flavor applied.
  SweepSpec read_sweep(const std::string& text, const std::string& source) const;
  CLI::Option* workers = nullptr;

  void add_to(CLI::App& app, bool with_shard);
};

// Runs the sweep in this process or, under mpirun, this rank's share of it. Returns true on
// the process that writes the sweep's outputs (table, figures): the only process, or rank 0
// once every rank has finished; throws when this or any other rank failed.
bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchOptions& options,
                  SweepReport& report);

// OUT/table.csv from the run directories, written atomically; returns its path.
std::filesystem::path write_table(const std::filesystem::path& dir);
// OUT/summary.csv (sweep/summary.hpp) from OUT/table.csv; returns its path.
std::filesystem::path write_summary(const std::filesystem::path& dir, bool bootstrap);

}  // namespace modspec::cli
