#include "env/presentation.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <mutex>
#include <vector>

#include "util/seed.hpp"

namespace modspec {

torch::Tensor structured_noise(const torch::Tensor& x, double ratio, int64_t n_samples, torch::Generator& gen,
                               const torch::Tensor& source) {
  const int64_t B = x.size(0), P = x.size(1);
  const int64_t k = std::min<int64_t>(n_samples, B - 1);
  if (ratio == 0.0) return x;
  if (k == 0) return (1.0 - ratio) * x;  // a batch of one has no other sample to borrow from
  // The k other samples of row b: the k rows after b in a random cyclic order, so they are
  // distinct, never b itself, and a uniformly random k-subset of the others for each row.
  const auto order = torch::randperm(B, gen, torch::kInt64);
  const auto* ord = order.data_ptr<int64_t>();
  std::vector<int64_t> position(static_cast<size_t>(B));
  for (int64_t i = 0; i < B; ++i) position[size_t(ord[i])] = i;
  // Pixel masks from a counter-based stream seeded by the generator (4 draws of 16 bits per
  // 64-bit word): one torch::rand per pixel cost more than the network step itself.
  uint64_t counter = 0;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    counter = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  const uint64_t threshold = std::min<uint64_t>(65536, uint64_t(65536.0 / double(n_samples) + 0.5));
  const auto xc = (source.defined() ? source : x).to(torch::kFloat32).contiguous();
  auto noise = torch::zeros({B, P}, torch::kFloat32);
  const float* src = xc.data_ptr<float>();
  float* out = noise.data_ptr<float>();
  for (int64_t b = 0; b < B; ++b) {
    float* acc = out + b * P;
    for (int64_t j = 1; j <= k; ++j) {
      const float* row = src + ord[(position[size_t(b)] + j) % B] * P;
      for (int64_t p = 0; p < P; p += 4) {
        const uint64_t bits = splitmix64(counter++ * 0x9e3779b97f4a7c15ULL);
        // Multiplying by the kept bit instead of branching on it: the branch would be mispredicted
        // on every fifth pixel or so.
        for (int64_t q = 0; q < 4 && p + q < P; ++q)
          acc[p + q] += row[p + q] * float(((bits >> (16 * q)) & 0xffff) < threshold);
      }
    }
  }
  noise.div_(double(k));
  return (1.0 - ratio) * x + ratio * noise.to(x.scalar_type());
}

Presented present(const torch::Tensor& clean, const EnvSpec& spec, uint64_t seed, const torch::Tensor& noise_source) {
  const int64_t S = clean.size(0), B = clean.size(1), T = spec.nb_steps;
  Presented out;
  out.starts = torch::zeros({B, S}, torch::kInt64);
  if (!spec.dynamic()) {
    out.x = clean.unsqueeze(1);
    return out;
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  if (spec.random_start) out.starts = torch::randint(1, T - 1, {B, S}, gen, torch::kInt64);
  const torch::Tensor& source = noise_source.defined() ? noise_source : clean;
  std::vector<torch::Tensor> sides;
  for (int64_t s = 0; s < S; ++s) {
    std::vector<torch::Tensor> steps;
    for (int64_t t = 0; t < T; ++t) {
      auto shown = structured_noise(clean[s], spec.noise_ratio, spec.noise_samples, gen, source[s]);
      if (spec.random_start) {
        auto before = structured_noise(clean[s], 1.0, spec.noise_samples, gen, source[s]);
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
