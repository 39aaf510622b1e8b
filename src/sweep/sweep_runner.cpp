#include "sweep/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>

#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "runtime/threads.hpp"
#include "train/run_dir.hpp"
#include "train/trainer.hpp"
#include "util/atomic_file.hpp"
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

void remove_leftovers(const std::filesystem::path& dir) {
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) return;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec))
    if (entry.path().filename().string().find(".tmp.") != std::string::npos) std::filesystem::remove(entry.path(), ec);
}

void run_stack(const std::vector<const PlannedRun*>& runs, bool measure_after, EnvironmentCache& envs) {
  const auto t0 = std::chrono::steady_clock::now();
  const Config& first = runs[0]->point.config;
  const Environment& env = envs.get(first);
  const TrainSpec train = TrainSpec::from(first);
  const Architecture arch = Architecture::from(first, env.n_stimuli(), env.pixels(), env.task().target_classes);
  std::vector<NetworkSpec> specs;
  for (const auto* r : runs) specs.push_back(NetworkSpec::from(r->point.config));
  ModularRNN stack(arch, specs, torch::Device(train.device));
  Trainer trainer(env, stack, train);
  const auto outcomes = trainer.run();
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  for (size_t k = 0; k < runs.size(); ++k) {
    remove_leftovers(runs[k]->dir);
    nlohmann::json axes;
    for (const auto& [key, value] : runs[k]->point.axes) axes[key] = value;
    write_file_atomic(runs[k]->dir / "axes.json", axes.dump(2) + "\n");
    write_run(runs[k]->dir, runs[k]->point.config, *stack, int64_t(k), outcomes[k], env.task(),
              wall / double(runs.size()), trainer.pairs_per_second());
  }
  if (!measure_after) return;
  for (size_t k = 0; k < runs.size(); ++k) stack->load_network_state(int64_t(k), outcomes[k].weights);
  const MetricSpec metric_spec = MetricSpec::from(first);
  const auto results = measure(*stack, env, metric_spec);
  for (size_t k = 0; k < runs.size(); ++k) write_metrics(runs[k]->dir, results[k], metric_spec);
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
      if (run_finished(plan.runs[r].dir, sweep.measure)) ++report.skipped;
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
