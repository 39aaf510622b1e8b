// Running a sweep in this process or, under `mpirun -n N`, as one of N ranks: rank r takes the
// share --shard r/N would, and rank 0 writes the outputs once every rank has finished
// (runtime/mpi_world.hpp joins the job).
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

// Runs the sweep (or this rank's share). Returns true on the process that writes the sweep's
// outputs (table, figures): the only process, or rank 0 once every rank has finished; throws
// when this or any other rank failed, keeping every finished run.
bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchSettings& settings,
                  SweepReport& report);

}  // namespace modspec
