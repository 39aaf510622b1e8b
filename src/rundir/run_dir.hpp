// A run directory, the one owner of its files: every write and every read of them goes through
// RunDir, or through rundir/network_files.hpp for the files that need LibTorch's types (the
// weights, the learning curve, the measures). RunDir itself needs no LibTorch, so the light
// front program reads run and sweep directories without loading it (docs/ARCHITECTURE.md).
// docs/ARCHITECTURE.md lists every file and column; in short:
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
#include "util/csv.hpp"

namespace modspec {

class RunDir {
 public:
  explicit RunDir(std::filesystem::path dir) : dir_(std::move(dir)) {}
  const std::filesystem::path& path() const { return dir_; }

  void write_config(const Config& config) const;
  void write_summary(const nlohmann::json& summary) const;
  void write_axes(const std::vector<std::pair<std::string, std::string>>& axes) const;
  // Any other file of the run (`file` a name from the list above), written atomically.
  void write_file(const std::string& file, const std::string& bytes) const;
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
  // The bytes of `file`, checked against the SHA-256 that `record` (summary.json or metrics.json)
  // lists for it; runs written before the fingerprints existed have none and are read unchecked.
  std::string read_checked(const std::string& file, const std::string& record) const;

 private:
  Table read_checked_csv(const std::string& file, const std::string& record) const;

  std::filesystem::path dir_;
};

}  // namespace modspec
