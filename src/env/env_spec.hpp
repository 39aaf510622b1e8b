// The environment's settings (the [env] and [data] tables), checked together.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "config/config.hpp"
#include "data/datasets.hpp"
#include "catalog/tasks.hpp"

namespace modspec {

struct EnvSpec {
  std::vector<std::string> datasets;  // one per stimulus
  int64_t n_classes = 10;
  bool disjoint_classes = false;
  std::string task = "parity";
  std::vector<std::string> targets;   // env.targets: the task's targets to train (empty: all)
  double covariance = 0;
  bool asymmetry_fix = true;
  int64_t nb_steps = 3;
  double noise_ratio = 0;
  int64_t noise_samples = 5;
  bool random_start = false;
  uint64_t seed = 0;
  DataSources sources;

  int64_t n_stimuli() const { return int64_t(datasets.size()); }
  // Inputs differ between steps: each step needs its own input projection.
  bool dynamic() const { return noise_ratio > 0 || random_start; }
  // The trained targets: the task's, picked by env.targets.
  TaskShape task_shape() const;
  // The classes side s draws from (labels in its dataset).
  std::vector<int64_t> side_classes(int64_t side) const;

  // `data_dir_flag` is the command line's --data-dir (empty if not given).
  static EnvSpec from(const Config& config, const std::string& data_dir_flag = "");
};

}  // namespace modspec
