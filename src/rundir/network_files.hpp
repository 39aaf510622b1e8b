// The files of a run directory that hold LibTorch's types: the network's weights (model.pt),
// its learning curve (epochs.csv), its measures (metrics.csv, specialization.csv, metrics.json),
// and the network loaded back. Written and read through RunDir (rundir/run_dir.hpp lists every
// file), which itself needs no LibTorch.
#pragma once
#include <nlohmann/json.hpp>
#include <vector>

#include "catalog/tasks.hpp"
#include "config/config.hpp"
#include "metrics/measure.hpp"
#include "model/modular_rnn.hpp"
#include "rundir/run_dir.hpp"
#include "train/trainer.hpp"

namespace modspec {

// A run's network loaded back (K = 1) with its configuration.
struct LoadedRun {
  Config config;
  ModularRNN network;
};

// Network k of a stack with the given weights (its own layout) and the stack's edges of it.
void write_model(const RunDir& dir, const ModularRNNImpl& stack, int64_t k, const NetworkState& weights);
void write_epochs(const RunDir& dir, const Architecture& arch, const TaskShape& task,
                  const std::vector<EpochRecord>& history);
// metrics.csv, specialization.csv and then metrics.json, the run's last file.
void write_measures(const RunDir& dir, const NetworkMetrics& m, const MetricSpec& spec);
// Checks model.pt against summary.json and its edges against those config.toml draws.
LoadedRun load_run(const RunDir& dir, torch::Device device = torch::kCPU);

// The summary of network k of a trained stack.
nlohmann::json run_summary(const ModularRNNImpl& stack, int64_t k, const NetworkOutcome& outcome, const TaskShape& task,
                           double wall_seconds, double pairs_per_second);

}  // namespace modspec
