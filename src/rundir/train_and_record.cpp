#include "rundir/train_and_record.hpp"

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
  require_memory_for_stack(arch, specs, train, env.test_pairs().size);
  ModularRNN stack(arch, specs, torch::Device(train.device));
  for (const auto& r : runs) r.dir.start_fresh();
  Trainer trainer(env, stack, train);
  const auto outcomes = trainer.run([&](int64_t epoch, const std::vector<NetworkOutcome>& o) {
    for (size_t k = 0; k < runs.size(); ++k) runs[k].dir.write_epochs(arch, env.task(), o[k].history);
    if (on_epoch) on_epoch(epoch, o);
  });
  const double wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::vector<RecordedRun> recorded(runs.size());
  for (size_t k = 0; k < runs.size(); ++k) {
    const RunDir& dir = runs[k].dir;
    if (!runs[k].axes.empty()) dir.write_axes(runs[k].axes);
    dir.write_config(runs[k].config);
    dir.write_model(*stack, int64_t(k), outcomes[k].weights);
    dir.write_epochs(arch, env.task(), outcomes[k].history);
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
    runs[k].dir.write_measures(results[k], metric_spec);
    recorded[k].metrics = std::move(results[k]);
  }
  return recorded;
}

}  // namespace modspec
