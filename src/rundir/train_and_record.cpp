#include "rundir/train_and_record.hpp"

#include <algorithm>
#include <chrono>

#include "runtime/provenance.hpp"
#include "train/memory_estimate.hpp"
#include "util/error.hpp"

namespace modspec {

std::vector<RecordedRun> train_and_record(const Environment& env, const std::vector<RunToTrain>& runs, bool measure,
                                          const EpochCallback& on_epoch, const MeasureStageCallback& on_measure_stage) {
  if (runs.empty()) throw Error("internal: no run to train");
  const auto t0 = std::chrono::steady_clock::now();
  const std::string started = utc_now();
  const Config& first = runs[0].config;
  const TrainSpec train = TrainSpec::from(first);
  const Architecture arch = Architecture::from(first, env.n_stimuli(), env.pixels(), env.task().target_classes);
  std::vector<NetworkSpec> specs;
  for (const auto& r : runs) specs.push_back(NetworkSpec::from(r.config));
  require_memory_for_stack(arch, specs, train, measure ? env.train_pairs(0).size + env.test_pairs().size : 0,
                           std::min(int64_t(specs.size()), kMeasureWidth));
  ModularRNN stack(arch, specs, torch::Device(train.device));
  for (const auto& r : runs) r.dir.start_fresh();
  Trainer trainer(env, stack, train);
  const auto outcomes = trainer.run([&](int64_t epoch, const std::vector<NetworkOutcome>& o) {
    for (size_t k = 0; k < runs.size(); ++k) write_epochs(runs[k].dir, arch, env.task(), o[k].history);
    if (on_epoch) on_epoch(epoch, o);
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<RecordedRun> recorded(runs.size());
  for (size_t k = 0; k < runs.size(); ++k) {
    const RunDir& dir = runs[k].dir;
    if (!runs[k].axes.empty()) dir.write_axes(runs[k].axes);
    dir.write_config(runs[k].config);
    write_model(dir, *stack, int64_t(k), outcomes[k].weights);
    write_epochs(dir, arch, env.task(), outcomes[k].history);
    auto summary = run_summary(*stack, int64_t(k), outcomes[k], env.task(), wall / double(runs.size()),
                               trainer.pairs_per_second());
    for (const auto& [field, value] : provenance()) summary["provenance"][field] = value;
    summary["provenance"]["device"] = train.device;
    summary["provenance"]["started"] = started;
    dir.write_summary(summary);
    recorded[k].outcome = outcomes[k];
  }
  if (!measure) return recorded;
  // Each network as it ended (a network that stopped early keeps the weights of that epoch).
  for (size_t k = 0; k < runs.size(); ++k) stack->load_network_state(int64_t(k), outcomes[k].weights);
  const MetricSpec metric_spec = MetricSpec::from(first);
  auto results = modspec::measure(*stack, env, metric_spec, on_measure_stage);
  for (size_t k = 0; k < runs.size(); ++k) {
    write_measures(runs[k].dir, results[k], metric_spec);
    recorded[k].metrics = std::move(results[k]);
  }
  return recorded;
}

NetworkMetrics remeasure(const RunDir& dir, const std::vector<std::string>& overrides,
                         const std::vector<std::string>& metrics, const std::string& data_dir,
                         const MeasureStageCallback& on_stage) {
  auto stage = [&](const std::string& what) {
    if (on_stage) on_stage(what);
  };
  LoadedRun run = load_run(dir);
  for (const auto& o : overrides) {
    if (o.rfind("metrics.", 0) != 0)
      throw Error("--set " + o + ": a trained network's config is fixed; only metrics.* keys can change here");
    run.config.set(o);
  }
  if (!metrics.empty()) run.config.set_value("metrics.measures", metrics);
  if (!data_dir.empty()) run.config.set_value("data.dir", data_dir);
  stage("reading the data of " + dir.path().string());
  const Environment env(EnvSpec::from(run.config));
  const MetricSpec spec = MetricSpec::from(run.config);
  std::string names;
  for (const auto& m : spec.metrics) names += (names.empty() ? "" : ", ") + m;
  stage(names + (spec.null_repeats > 0 ? ", each with " + std::to_string(spec.null_repeats) + " label-shuffled copies"
                                       : std::string()));
  auto result = measure(*run.network, env, spec, on_stage);
  write_measures(dir, result[0], spec);
  return std::move(result[0]);
}

}  // namespace modspec
