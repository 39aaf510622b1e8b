#include "metrics/correlation_pairs.hpp"

#include <algorithm>
#include <map>
#include <random>
#include <vector>

namespace modspec {

PairTable shuffle_others(const PairTable& t, int64_t kept, const torch::Tensor& perm) {
  PairTable out = t;
  const auto* p = perm.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.size; ++i)
    for (int64_t s = 0; s < t.n_stimuli; ++s)
      if (s != kept) {
        out.image[size_t(i * t.n_stimuli + s)] = t.image[size_t(p[i] * t.n_stimuli + s)];
        out.digit[size_t(i * t.n_stimuli + s)] = t.digit[size_t(p[i] * t.n_stimuli + s)];
      }
  return out;
}

torch::Tensor shuffled_sources(int64_t S, int64_t kept, const torch::Tensor& perm) {
  auto sources = perm.to(torch::kInt64).unsqueeze(1).repeat({1, S});
  sources.select(1, kept).copy_(torch::arange(perm.size(0), torch::kInt64));
  return sources;
}

torch::Tensor same_label_partners(const PairTable& t, int64_t kept, uint64_t seed) {
  const int64_t S = t.n_stimuli;
  std::map<int64_t, std::vector<int64_t>> by_label;
  for (int64_t i = 0; i < t.size; ++i) by_label[t.digit[size_t(i * S + kept)]].push_back(i);
  std::mt19937_64 rng(seed);
  auto partner = torch::full({t.size}, int64_t(-1), torch::kInt64);
  auto* p = partner.data_ptr<int64_t>();
  for (auto& [label, rows] : by_label) {
    std::shuffle(rows.begin(), rows.end(), rng);
    // The next tuple in a random cyclic order of the class: a uniform pick among the others, and
    // the first one after it whose image differs when it shows the very same image.
    const size_t G = rows.size();
    for (size_t a = 0; a < G; ++a)
      for (size_t step = 1; step < G; ++step) {
        const int64_t i = rows[a], j = rows[(a + step) % G];
        if (t.image[size_t(j * S + kept)] != t.image[size_t(i * S + kept)]) {
          p[i] = j;
          break;
        }
      }
  }
  return partner;
}

double mean_pearson(const torch::Tensor& a, const torch::Tensor& b) {
  auto ac = a - a.mean(1, true), bc = b - b.mean(1, true);
  auto r = (ac * bc).sum(1) / (ac.norm(2, 1) * bc.norm(2, 1) + 1e-12);
  return r.mean().item<double>();
}

}  // namespace modspec
