#include "cli/sweep_launch.hpp"

#include "runtime/launcher.hpp"
#include "sweep/flavor.hpp"

namespace modspec::cli {

void LaunchOptions::add_to(CLI::App& app, bool with_shard) {
  settings.sweep.workers = available_cores();
  workers = app.add_option("--workers", settings.sweep.workers,
                           "worker threads, each on its own stack (default: cores, shared among the MPI ranks of a node)")
                ->check(CLI::Range(1, 1024));
  if (with_shard)
    app.add_option("--shard", settings.shard,
                   "i/N: run only the i-th of N shares of the stacks (job arrays; under mpirun, automatic)");
  app.add_option("--data-dir", settings.sweep.data_dir, "dataset directory (default: $MODSPEC_DATA or ~/.cache/modspec)");
  app.add_option("--log-jsonl", settings.sweep.log_jsonl,
                 "append one JSON object per line to FILE: an \"epoch\" event per run and epoch (run, epoch, losses, "
                 "accuracies, seconds) and a \"run\" event per finished run (status, accuracies, F at the last step)");
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

LaunchSettings LaunchOptions::parsed() const {
  LaunchSettings s = settings;
  s.workers_given = workers != nullptr && workers->count() > 0;
  return s;
}

SweepSpec LaunchOptions::read_sweep(const std::string& text, const std::string& source) const {
  SweepSpec spec = SweepSpec::from_toml_text(text, source, overrides);
  apply_flavor(spec, flavor_named(flavor));
  return spec;
}

}  // namespace modspec::cli
