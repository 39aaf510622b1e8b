#include "sweep/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <thread>

#include "env/environment.hpp"
#include "runtime/threads.hpp"
#include "rundir/train_and_record.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace modspec {
namespace {

// Environments are read-only once built; workers share them by their [env] and [data] keys.
class EnvironmentCache {
 public:
  const Environment& get(const Config& config) {
    std::string key;
    const std::string text = config.to_toml();
    key = text.substr(0, text.find("[model]"));
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = cache_.find(key);
    if (it == cache_.end()) it = cache_.emplace(key, std::make_unique<Environment>(EnvSpec::from(config))).first;
    return *it->second;
  }

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Environment>> cache_;
};

void run_stack(const std::vector<const PlannedRun*>& runs, bool measure, EnvironmentCache& envs) {
  std::vector<RunToTrain> todo;
  for (const auto* r : runs) todo.push_back({r->point.config, RunDir(r->dir), r->point.axes});
  train_and_record(envs.get(runs[0]->point.config), todo, measure);
}

}  // namespace

SweepReport run_sweep(const SweepSpec& sweep_in, const std::filesystem::path& out, const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  SweepSpec sweep = sweep_in;
  if (!options.data_dir.empty())
    for (auto& p : sweep.points) p.config.set_value("data.dir", options.data_dir);
  if (options.shards < 1 || options.shard < 0 || options.shard >= options.shards)
    throw Error("--shard " + std::to_string(options.shard) + "/" + std::to_string(options.shards) + ": need 0 <= i < N");
  const SweepPlan plan = plan_sweep(sweep, out);
  SweepReport report;
  std::vector<std::vector<const PlannedRun*>> work;
  for (size_t s : shard_stacks(plan, options.shard, options.shards)) {
    std::vector<const PlannedRun*> pending;
    for (size_t r : plan.stacks[s]) {
      ++report.runs;
      if (RunDir(plan.runs[r].dir).finished(sweep.measure)) ++report.skipped;
      else pending.push_back(&plan.runs[r]);
    }
    if (!pending.empty()) work.push_back(pending);
  }
  // Costliest stacks first, so no worker is left with a big one at the end (cost ~ size x n).
  auto cost = [](const std::vector<const PlannedRun*>& stack) {
    int64_t n = 0;
    for (const auto* r : stack) n = std::max(n, r->point.config.integer("model.n"));
    return n * int64_t(stack.size());
  };
  std::stable_sort(work.begin(), work.end(), [&](const auto& a, const auto& b) { return cost(a) > cost(b); });
  const int64_t todo = report.runs - report.skipped;
  Progress progress(options.label, todo);
  EnvironmentCache envs;
  std::atomic<size_t> next{0};
  std::mutex done_mutex;
  int64_t done = 0;
  std::exception_ptr failure;
  auto worker = [&]() {
    use_one_intra_op_thread();
    for (size_t i = next++; i < work.size(); i = next++) {
      try {
        run_stack(work[i], sweep.measure, envs);
      } catch (...) {
        std::lock_guard<std::mutex> lock(done_mutex);
        if (!failure) failure = std::current_exception();
        next = work.size();
        return;
      }
      std::lock_guard<std::mutex> lock(done_mutex);
      done += int64_t(work[i].size());
      progress.update(done);
    }
  };
  const int64_t n_workers = std::max<int64_t>(1, std::min<int64_t>(options.workers, int64_t(work.size())));
  std::vector<std::thread> threads;
  for (int64_t w = 0; w < n_workers; ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  if (failure) std::rethrow_exception(failure);
  if (todo > 0) progress.finish();
  report.trained = done;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace modspec
