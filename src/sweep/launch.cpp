#include "sweep/launch.hpp"

#include <algorithm>
#include <string>

#include "runtime/launcher.hpp"
#include "runtime/mpi_world.hpp"
#include "util/error.hpp"

namespace modspec {

bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchSettings& settings,
                  SweepReport& report) {
  SweepOptions o = settings.sweep;
  if (!settings.shard.empty()) apply_shard(settings.shard, o);
  const MpiWorld& world = MpiWorld::get();
  if (world.size() > 1) {
    if (!settings.shard.empty()) throw Error("--shard and mpirun both share the sweep: use one of them");
    o.shard = world.rank();
    o.shards = world.size();
    o.label = "sweep (rank " + std::to_string(world.rank()) + " of " + std::to_string(world.size()) + ")";
    if (!settings.workers_given) o.workers = std::max<int64_t>(1, available_cores() / world.ranks_on_this_node());
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

}  // namespace modspec
