#include "env/env_spec.hpp"

#include "data/data_dir.hpp"
#include "util/error.hpp"

namespace modspec {

std::vector<int64_t> EnvSpec::side_classes(int64_t side) const {
  std::vector<int64_t> classes;
  const int64_t first = disjoint_classes ? side * n_classes : 0;
  for (int64_t c = 0; c < n_classes; ++c) classes.push_back(first + c);
  return classes;
}

TaskShape EnvSpec::task_shape() const {
  return select_targets(modspec::task_shape(task, n_stimuli(), n_classes), targets, task);
}

EnvSpec EnvSpec::from(const Config& config, const std::string& data_dir_flag) {
  EnvSpec e;
  e.datasets = config.strings("env.datasets");
  e.n_classes = config.integer("env.n_classes");
  e.disjoint_classes = config.string("env.class_split") == "disjoint";
  e.task = config.string("env.task");
  e.targets = config.strings("env.targets");
  e.covariance = config.real("env.covariance");
  e.asymmetry_fix = config.boolean("env.asymmetry_fix");
  e.nb_steps = config.integer("env.nb_steps");
  e.noise_ratio = config.real("env.noise_ratio");
  e.noise_samples = config.integer("env.noise_samples");
  e.random_start = config.boolean("env.random_start");
  e.seed = uint64_t(config.integer("env.seed"));
  e.sources.data_dir = resolve_data_dir(data_dir_flag.empty() ? config.string("data.dir") : data_dir_flag);
  e.sources.fashion_dir = config.string("data.fashion_dir");
  e.sources.emnist_dir = config.string("data.emnist_dir");

  if (e.datasets.size() < 2) throw Error("config key env.datasets: needs at least 2 stimuli");
  if (e.n_stimuli() < find_task(e.task).min_stimuli)
    throw Error("config key env.task: " + e.task + " needs " + std::to_string(find_task(e.task).min_stimuli) + " stimuli");
  if (e.asymmetry_fix && e.covariance > 0)
    throw Error("config keys env.asymmetry_fix and env.covariance: the fix removes every pair with D1 == D2, so "
                "covariance > 0 needs env.asymmetry_fix = false");
  if (e.asymmetry_fix && e.n_classes < 3)
    throw Error("config key env.asymmetry_fix: needs env.n_classes >= 3 (with 2 classes it removes every pair)");
  e.task_shape();  // names a target the task lacks
  if (e.random_start && e.nb_steps < 3)
    throw Error("config key env.random_start: needs env.nb_steps >= 3 (starts are drawn in 1..nb_steps-2)");
  return e;
}

}  // namespace modspec
