#include "cli/sweep_launch.hpp"

#include <thread>

#include "runtime/mpi_world.hpp"
#include "config/toml_file.hpp"
#include "sweep/flavor.hpp"
#include "sweep/summary.hpp"
#include "sweep/table.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec::cli {
namespace {

int64_t cores() { return std::max<int64_t>(1, int64_t(std::thread::hardware_concurrency())); }

void parse_shard(const std::string& text, SweepOptions& options) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    options.shard = std::stoll(text.substr(0, slash));
    options.shards = std::stoll(text.substr(slash + 1));
  } catch (const std::logic_error&) {
    throw Error("--shard '" + text + "': expected i/N, e.g. 0/4");
  }
}

}  // namespace

void LaunchOptions::add_to(CLI::App& app, bool with_shard) {
  sweep.workers = cores();
  workers = app.add_option("--workers", sweep.workers,
                           "worker threads, each on its own stack (default: cores, shared among the MPI ranks of a node)")
                ->check(CLI::Range(1, 1024));
  if (with_shard)
    app.add_option("--shard", shard, "i/N: run only the i-th of N shares of the stacks (job arrays; under mpirun, automatic)");
  app.add_option("--data-dir", sweep.data_dir, "dataset directory (default: $MODSPEC_DATA or ~/.cache/modspec)");
  app.add_option("--set", overrides,
                 "set a config key on every run, as a line of the sweep's [base] (an axis over the key wins); "
                 "repeatable, e.g. --set train.epochs=5")
      ->expected(1)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  app.add_option("--flavor", flavor,
                 "described (default): the paper's text; published: its authors' code's choices (ratio formula, "
                 "same-label correlation pairs, readouts shared over steps, two RNNs, its initialisation, T' trained "
                 "twice, fused = masked common readout); README: Differences from the original implementation")
      ->check(CLI::IsMember({"described", "published"}));
}

SweepSpec LaunchOptions::read_sweep(const std::string& text, const std::string& source) const {
  SweepSpec spec = SweepSpec::from_toml_text(text, source, overrides);
  apply_flavor(spec, flavor_named(flavor));
  return spec;
}

bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchOptions& options,
                  SweepReport& report) {
  SweepOptions o = options.sweep;
  if (!options.shard.empty()) parse_shard(options.shard, o);
  const MpiWorld& world = MpiWorld::get();
  if (world.size() > 1) {
    if (!options.shard.empty()) throw Error("--shard and mpirun both share the sweep: use one of them");
    o.shard = world.rank();
    o.shards = world.size();
    o.label = "sweep (rank " + std::to_string(world.rank()) + " of " + std::to_string(world.size()) + ")";
    if (options.workers == nullptr || options.workers->count() == 0)
      o.workers = std::max<int64_t>(1, cores() / world.ranks_on_this_node());
  }
  std::string failure;
  try {
    report = run_sweep(spec, out, o);
  } catch (const std::exception& e) {
    failure = e.what();
  }
  const bool everyone_ok = world.all(failure.empty());
  if (!failure.empty()) throw Error(failure);
  if (!everyone_ok) throw Error("another MPI rank failed (its message is above); finished runs are kept");
  return world.rank() == 0 && o.shards == world.size();
}

std::filesystem::path write_table(const std::filesystem::path& dir) {
  const auto file = dir / "table.csv";
  write_file_atomic(file, to_csv(sweep_table(dir)));
  return file;
}

std::filesystem::path write_summary(const std::filesystem::path& dir, bool bootstrap) {
  const auto file = dir / "summary.csv";
  write_file_atomic(file, to_csv(sweep_summary(read_csv(dir / "table.csv"), bootstrap)));
  return file;
}

}  // namespace modspec::cli
