#include "env/presentation.hpp"

#include <ATen/CPUGeneratorImpl.h>

namespace modspec {

torch::Tensor structured_noise(const torch::Tensor& x, double ratio, int64_t n_samples, torch::Generator& gen) {
  const int64_t B = x.size(0), P = x.size(1);
  const int64_t k = std::min<int64_t>(n_samples, B - 1);
  if (ratio == 0.0) return x;
  if (k == 0) return (1.0 - ratio) * x;  // a batch of one has no other sample to borrow from
  // k distinct other samples per row: the k smallest of random scores, the row itself excluded.
  auto scores = torch::rand({B, B}, gen);
  scores.fill_diagonal_(2.0);
  auto others = std::get<1>(scores.topk(k, /*dim=*/1, /*largest=*/false));  // [B, k]
  auto picked = x.index_select(0, others.reshape(-1)).view({B, k, P});    // [B, k, P]
  auto keep = torch::rand({B, k, P}, gen).lt(1.0 / double(n_samples));
  auto noise = (picked * keep).mean(1);  // [B, P]
  return (1.0 - ratio) * x + ratio * noise;
}

Presented present(const torch::Tensor& clean, const EnvSpec& spec, uint64_t seed) {
  const int64_t S = clean.size(0), B = clean.size(1), T = spec.nb_steps;
  Presented out;
  out.starts = torch::zeros({B, S}, torch::kInt64);
  if (!spec.dynamic()) {
    out.x = clean.unsqueeze(1);
    return out;
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  if (spec.random_start) out.starts = torch::randint(1, T - 1, {B, S}, gen, torch::kInt64);
  std::vector<torch::Tensor> sides;
  for (int64_t s = 0; s < S; ++s) {
    std::vector<torch::Tensor> steps;
    for (int64_t t = 0; t < T; ++t) {
      auto shown = structured_noise(clean[s], spec.noise_ratio, spec.noise_samples, gen);
      if (spec.random_start) {
        auto before = structured_noise(clean[s], 1.0, spec.noise_samples, gen);
        auto on = out.starts.select(1, s).le(t).unsqueeze(1);  // [B, 1]
        shown = torch::where(on, shown, before);
      }
      steps.push_back(shown);
    }
    sides.push_back(torch::stack(steps));  // [T, B, P]
  }
  out.x = torch::stack(sides);  // [S, T, B, P]
  return out;
}

}  // namespace modspec
