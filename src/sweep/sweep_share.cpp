#include "sweep/sweep_share.hpp"

#include <sstream>
#include <stdexcept>

#include "rundir/run_dir.hpp"
#include "sweep/plan_files.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace modspec {

void apply_shard(const std::string& text, SweepOptions& options) {
  const auto slash = text.find('/');
  try {
    if (slash == std::string::npos) throw std::invalid_argument("");
    options.shard = std::stoll(text.substr(0, slash));
    options.shards = std::stoll(text.substr(slash + 1));
  } catch (const std::logic_error&) {
    throw Error("--shard '" + text + "': expected i/N, e.g. 0/4");
  }
}

int64_t SweepShare::network_epochs() const {
  int64_t total = 0;
  for (const auto& stack : pending)
    for (size_t r : stack) total += plan.runs[r].point.config.integer("train.epochs");
  return total;
}

SweepShare plan_share(const SweepSpec& sweep, const std::filesystem::path& out, const SweepOptions& options) {
  SweepShare share{sweep, {}, {}, {}};
  if (!options.data_dir.empty())
    for (auto& p : share.sweep.points) p.config.set_value("data.dir", options.data_dir);
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards)
    throw Error("--shard " + std::to_string(options.shard) + "/" + std::to_string(options.shards) +
                ": need 0 <= i < N");
  share.plan = plan_sweep(share.sweep, out);
  write_plan_files(share.sweep, share.plan, out);
  if (const int64_t renamed = rename_earlier_run_names(share.plan, out); renamed > 0)
    Progress::stage("modspec: " + std::to_string(renamed) + " run directories of " + (out / "runs").string() +
                    " were named by the earlier scheme (a hash of the whole configuration) and are renamed to their "
                    "present names");
  for (size_t s : shard_stacks(share.plan, options.shard, options.shards)) {
    std::vector<size_t> pending;
    for (size_t r : share.plan.stacks[s]) {
      ++share.report.runs;
      if (RunDir(share.plan.runs[r].dir).finished(share.sweep.measure)) ++share.report.skipped;
      else pending.push_back(r);
    }
    if (!pending.empty()) share.pending.push_back(pending);
  }
  return share;
}

void announce_share(const SweepShare& share, const SweepOptions& options, int64_t workers) {
  const SweepReport& report = share.report;
  std::ostringstream line;
  line << options.label << ": " << count_of(report.runs, "run") << " planned";
  if (options.shards > 1) line << " in shard " << options.shard << " of " << options.shards;
  line << ", " << report.skipped << " already done, " << report.runs - report.skipped << " to train in "
       << count_of(int64_t(share.pending.size()), "stack") << " (" << share.network_epochs()
       << " network-epochs at most) on " << count_of(workers, "worker");
  if (share.sweep.measure) line << ", then measured";
  Progress::stage(line.str());
}

}  // namespace modspec
