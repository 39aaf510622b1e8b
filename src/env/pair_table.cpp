#include "env/pair_table.hpp"

#include <algorithm>
#include <random>

#include "catalog/tasks.hpp"
#include "util/error.hpp"

namespace modspec {

PairTable draw_pairs(const EnvSpec& spec, const std::vector<const std::vector<int64_t>*>& labels, uint64_t seed) {
  const int64_t S = spec.n_stimuli(), C = spec.n_classes;
  // by_class[s][j]: images of side s whose label is the side's j-th class.
  std::vector<std::vector<std::vector<int64_t>>> by_class(S, std::vector<std::vector<int64_t>>(C));
  for (int64_t s = 0; s < S; ++s) {
    const auto classes = spec.side_classes(s);
    std::vector<int64_t> index_of(256, -1);
    for (int64_t j = 0; j < C; ++j)
      if (classes[j] < 256) index_of[classes[j]] = j;
    const auto& lab = *labels[s];
    for (int64_t i = 0; i < int64_t(lab.size()); ++i)
      if (lab[i] >= 0 && lab[i] < 256 && index_of[lab[i]] >= 0) by_class[s][index_of[lab[i]]].push_back(i);
    for (int64_t j = 0; j < C; ++j)
      if (by_class[s][j].empty())
        throw Error("env: dataset " + spec.datasets[s] + " (side " + std::to_string(s) + ") has no image of class " +
                    std::to_string(classes[j]) + "; check env.n_classes and env.class_split");
  }

  std::mt19937_64 rng(seed);
  std::vector<std::pair<int64_t, int64_t>> side0;  // (image, class index)
  for (int64_t j = 0; j < C; ++j)
    for (int64_t i : by_class[0][j]) side0.emplace_back(i, j);
  std::shuffle(side0.begin(), side0.end(), rng);

  const TaskShape all = task_shape(spec.task, S, C), shape = spec.task_shape();
  const TaskDefinition& task = find_task(spec.task);
  PairTable t;
  t.n_stimuli = S;
  t.n_targets = int64_t(shape.target_classes.size());
  t.image.reserve(side0.size() * S);
  t.digit.reserve(side0.size() * S);
  std::uniform_real_distribution<double> coin(0.0, 1.0);
  std::uniform_int_distribution<int64_t> any_class(0, C - 1);
  std::vector<int64_t> img(S), dig(S), tgt(all.target_names.size());
  for (const auto& [image0, class0] : side0) {
    img[0] = image0;
    dig[0] = class0;
    bool keep = true;
    for (int64_t s = 1; s < S; ++s) {
      dig[s] = coin(rng) < spec.covariance ? class0 : any_class(rng);
      const auto& pool = by_class[s][dig[s]];
      img[s] = pool[std::uniform_int_distribution<size_t>(0, pool.size() - 1)(rng)];
      if (spec.asymmetry_fix && (dig[0] == dig[s] || dig[0] == (dig[s] + C - 1) % C)) keep = false;
    }
    if (!keep) continue;
    task.compute(dig.data(), S, tgt.data());
    t.image.insert(t.image.end(), img.begin(), img.end());
    t.digit.insert(t.digit.end(), dig.begin(), dig.end());
    for (int64_t j : shape.source) t.target.push_back(tgt[size_t(j)]);
    ++t.size;
  }
  return t;
}

}  // namespace modspec
