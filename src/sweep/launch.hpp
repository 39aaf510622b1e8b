// Running a sweep in this process or, under `mpirun -n N`, as one of N ranks: rank r takes the
// share --shard r/N would, and rank 0 writes the outputs once every rank has finished
// (runtime/mpi_world.hpp joins the job). Also the sweep directory's shared outputs.
#pragma once
#include <filesystem>
#include <string>

#include "sweep/sweep_runner.hpp"
#include "sweep/sweep_spec.hpp"

namespace modspec {

struct LaunchSettings {
  SweepOptions sweep;       // workers: the default when !workers_given
  std::string shard;        // "i/N" (--shard), empty when not given
  bool workers_given = false;
};

// The machine's cores: the default worker count.
int64_t available_cores();

// Runs the sweep (or this rank's share). Returns true on the process that writes the sweep's
// outputs (table, figures): the only process, or rank 0 once every rank has finished; throws
// when this or any other rank failed, keeping every finished run.
bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchSettings& settings,
                  SweepReport& report);

// OUT/table.csv, OUT/networks.csv and OUT/epochs.csv from the run directories (sweep/table.hpp),
// and OUT/summary.csv from the table, written atomically; each returns the table's path. Run
// directories that OUT/plan.json does not list are left out, with a warning naming how many,
// unless `all_runs`.
// Every run left out or incomplete is reported on stderr; with `strict` any is an Error.
std::filesystem::path write_sweep_table(const std::filesystem::path& dir, bool all_runs = false, bool strict = false);
std::filesystem::path write_sweep_summary(const std::filesystem::path& dir, bool bootstrap);

}  // namespace modspec
