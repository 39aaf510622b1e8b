#include "sweep/launch.hpp"

#include <algorithm>
#include <iostream>
#include <stdexcept>
#include <thread>

#include "runtime/mpi_world.hpp"
#include "sweep/summary.hpp"
#include "sweep/table.hpp"
#include "util/atomic_file.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

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

int64_t available_cores() { return std::max<int64_t>(1, int64_t(std::thread::hardware_concurrency())); }

bool launch_sweep(const SweepSpec& spec, const std::filesystem::path& out, const LaunchSettings& settings,
                  SweepReport& report) {
  SweepOptions o = settings.sweep;
  if (!settings.shard.empty()) parse_shard(settings.shard, o);
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

namespace {

// "3 runs (a, b, c)" with at most a few names, then how many more.
std::string some_runs(const std::vector<std::string>& names) {
  std::string text = std::to_string(names.size()) + (names.size() == 1 ? " run (" : " runs (");
  const size_t shown = std::min<size_t>(names.size(), 5);
  for (size_t i = 0; i < shown; ++i) text += (i ? ", " : "") + names[i];
  if (names.size() > shown) text += ", and " + std::to_string(names.size() - shown) + " more";
  return text + ")";
}

}  // namespace

std::filesystem::path write_sweep_table(const std::filesystem::path& dir, bool all_runs, bool strict) {
  const SweepTables t = sweep_tables(dir, all_runs);
  if (t.not_in_plan > 0)
    std::cerr << "modspec: " + std::to_string(t.not_in_plan) + " finished run directories of " +
                     (dir / "runs").string() +
                     " are not in plan.json (an earlier sweep into the same directory) and are left out; "
                     "modspec table --all includes them\n";
  if (t.unfinished > 0)
    std::cerr << "modspec: " + std::to_string(t.unfinished) + " runs of plan.json are not trained yet and are not in the table\n";
  for (const auto& why : t.unreadable) std::cerr << "modspec: left out of the table: " + why + "\n";
  if (!t.unmeasured.empty())
    std::cerr << "modspec: " + some_runs(t.unmeasured) + (t.unmeasured.size() == 1 ? " has" : " have") +
                     " no measures (no metrics.json); their measure fields are empty\n";
  if (strict && (!t.unreadable.empty() || !t.unmeasured.empty() || t.unfinished > 0))
    throw Error(dir.string() + ": --strict: " + std::to_string(t.unreadable.size()) + " runs unreadable, " +
                std::to_string(t.unmeasured.size()) + " unmeasured, " + std::to_string(t.unfinished) +
                " not trained (listed above); no table written");
  write_file_atomic(dir / "networks.csv", to_csv(t.networks));
  write_file_atomic(dir / "epochs.csv", to_csv(t.epochs));
  const auto file = dir / "table.csv";
  write_file_atomic(file, to_csv(t.table));
  return file;
}

std::filesystem::path write_sweep_summary(const std::filesystem::path& dir, bool bootstrap) {
  const auto file = dir / "summary.csv";
  write_file_atomic(file, to_csv(sweep_summary(read_csv(dir / "table.csv"), bootstrap)));
  return file;
}

}  // namespace modspec
