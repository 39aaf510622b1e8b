// A run directory, the one owner of its files: every write and every read of them goes through
// RunDir. docs/ARCHITECTURE.md lists every file and column; in short:
//   config.toml           the resolved configuration, every key
//   model.pt              LibTorch archive: the network's weights in its own (K = 1) layout and
//                         its inter-module edges ([E, 4] int64: source module, source unit,
//                         destination module, destination unit)
//   epochs.csv            one row per epoch (rewritten after each): lr, losses, test accuracy per
//                         target and mean, decision share per target and module, seconds
//   summary.json          status, epochs run, n, p, p_s, seed, Q, parameters, accuracies, timings,
//                         provenance, and the SHA-256 of config.toml, axes.json, epochs.csv, model.pt
//   axes.json             in a sweep: the run's axis values as written in the sweep file
//   metrics.csv           every measure's raw, base and normalised value per module, digit, step
//   specialization.csv    F^m and F per measure and step, with their null and untrained baselines
//   metrics.json          F and F^m over all test tuples, the readout settings, seconds, and the
//                         SHA-256 of metrics.csv and specialization.csv
// Every file is written to a temporary name, flushed and renamed into place (util/atomic_file.hpp).
// A run is finished once its last file is in place: metrics.json when it is measured, else
// summary.json. Reads check a file against its recorded SHA-256 and name it when they differ.
#pragma once
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "config/config.hpp"
#include "catalog/tasks.hpp"
#include "metrics/measure.hpp"
#include "model/modular_rnn.hpp"
#include "train/trainer.hpp"
#include "util/csv.hpp"

namespace modspec {

// A run's network loaded back (K = 1) with its configuration.
struct LoadedRun {
  Config config;
  ModularRNN network;
};

class RunDir {
 public:
  explicit RunDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& path() const { return dir_; }

  void write_config(const Config& config) const;
  // Network k of a stack with the given weights (its own layout) and the stack's edges of it.
  void write_model(const ModularRNNImpl& stack, int64_t k, const NetworkState& weights) const;
  void write_epochs(const Architecture& arch, const TaskShape& task, const std::vector<EpochRecord>& history) const;
  void write_summary(const nlohmann::json& summary) const;
  void write_axes(const std::vector<std::pair<std::string, std::string>>& axes) const;
  // metrics.csv, specialization.csv and then metrics.json, the run's last file.
  void write_measures(const NetworkMetrics& m, const MetricSpec& spec) const;
  // Before a network trains into this directory: removes temporary files an interrupted writer
  // left behind and every file of an earlier run, so that an earlier run's measures never sit
  // beside new weights (nor make a sweep count the new run as done). Creates the directory and
  // throws an Error naming it when no file can be written there.
  void start_fresh() const;

  bool has_summary() const;
  bool finished(bool measured) const;
  Config config() const;
  nlohmann::json summary() const;
  std::vector<std::pair<std::string, std::string>> axes() const;  // empty outside a sweep
  bool has_measures() const;
  Table measures() const;        // metrics.csv
  Table specialization() const;  // specialization.csv
  Table epochs() const;          // epochs.csv
  LoadedRun load(torch::Device device = torch::kCPU) const;

 private:
  std::filesystem::path dir_;
};

// The summary of network k of a trained stack.
nlohmann::json run_summary(const ModularRNNImpl& stack, int64_t k, const NetworkOutcome& outcome, const TaskShape& task,
                           double wall_seconds, double pairs_per_second);

}  // namespace modspec
