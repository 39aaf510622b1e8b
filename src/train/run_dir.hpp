// A run directory is self-describing:
//   config.toml    the resolved configuration (every key)
//   model.pt       the trained network (LibTorch archive: its weights in K = 1 layout + its edges)
//   epochs.csv     one row per epoch: loss, accuracy per target, decisions per module
//   summary.json   status, accuracies, Q (analytic and measured), parameter count, timings
// Every file is written atomically; epochs.csv is rewritten after each epoch.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "model/modular_rnn.hpp"
#include "train/trainer.hpp"

namespace modspec {

void write_epochs_csv(const std::filesystem::path& file, const Architecture& arch, const TaskShape& task,
                      const std::vector<EpochRecord>& history);

void save_network(const std::filesystem::path& file, const ModularRNNImpl& stack, int64_t k, const NetworkState& weights);

// The summary of network k of a trained stack.
nlohmann::json run_summary(const ModularRNNImpl& stack, int64_t k, const NetworkOutcome& outcome, const TaskShape& task,
                           double wall_seconds, double pairs_per_second);

void write_run(const std::filesystem::path& dir, const Config& config, const ModularRNNImpl& stack, int64_t k,
               const NetworkOutcome& outcome, const TaskShape& task, double wall_seconds, double pairs_per_second);

// Loads the network of a run directory (K = 1) from its config.toml and model.pt.
struct LoadedRun {
  Config config;
  ModularRNN network;
};
LoadedRun load_run(const std::filesystem::path& dir, torch::Device device = torch::kCPU);

}  // namespace modspec
