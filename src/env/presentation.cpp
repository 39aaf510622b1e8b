#include "env/presentation.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <mutex>
#include <vector>

#include "runtime/kernels.hpp"

namespace modspec {

namespace {

// One step of structured noise for the B rows of x ([B, P] float), row b at ratio[b], made of
// other rows of source; written to out [B, P].
void noisy_rows(const torch::Tensor& x, const torch::Tensor& source, const std::vector<float>& ratio,
                int64_t n_samples, torch::Generator& gen, float* out) {
  const int64_t B = x.size(0), P = x.size(1);
  const int64_t k = std::min<int64_t>(n_samples, B - 1);  // a batch of one has no other sample to borrow from
  // The k other samples of row b: the k rows after b in a random cyclic order, so they are
  // distinct, never b itself, and a uniformly random k-subset of the others for each row.
  const auto order = torch::randperm(B, gen, torch::kInt64);
  const auto* ord = order.data_ptr<int64_t>();
  std::vector<int64_t> position(static_cast<size_t>(B)), other(static_cast<size_t>(B * k));
  for (int64_t i = 0; i < B; ++i) position[size_t(ord[i])] = i;
  for (int64_t b = 0; b < B; ++b)
    for (int64_t j = 0; j < k; ++j) other[size_t(b * k + j)] = ord[(position[size_t(b)] + j + 1) % B];
  uint64_t key = 0;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    key = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  const uint32_t threshold = std::min<uint32_t>(65536, uint32_t(65536.0 / double(n_samples) + 0.5));
  kernels::mix_structured_noise(B, P, k, other.data(), ratio.data(), x.data_ptr<float>(), source.data_ptr<float>(),
                                threshold, key, out);
}

torch::Tensor as_float(const torch::Tensor& t) { return t.to(torch::kFloat32).contiguous(); }

}  // namespace

torch::Tensor structured_noise(const torch::Tensor& x, double ratio, int64_t n_samples, torch::Generator& gen,
                               const torch::Tensor& source) {
  if (ratio == 0.0) return x;
  const auto xf = as_float(x);
  auto out = torch::empty_like(xf);
  noisy_rows(xf, source.defined() ? as_float(source) : xf, std::vector<float>(size_t(x.size(0)), float(ratio)),
             n_samples, gen, out.data_ptr<float>());
  return out.to(x.scalar_type());
}

Presented present(const torch::Tensor& clean, const EnvSpec& spec, uint64_t seed, const torch::Tensor& noise_source) {
  const int64_t S = clean.size(0), B = clean.size(1), P = clean.size(2), T = spec.nb_steps;
  Presented out;
  out.starts = torch::zeros({B, S}, torch::kInt64);
  if (!spec.dynamic()) {
    out.x = clean.unsqueeze(1);
    return out;
  }
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  if (spec.random_start) out.starts = torch::randint(1, T - 1, {B, S}, gen, torch::kInt64);
  const auto x = as_float(clean);
  const auto source = noise_source.defined() ? as_float(noise_source) : x;
  const auto* starts = out.starts.data_ptr<int64_t>();
  auto shown = torch::empty({S, T, B, P}, torch::kFloat32);
  std::vector<float> ratio(static_cast<size_t>(B));
  for (int64_t s = 0; s < S; ++s)
    for (int64_t t = 0; t < T; ++t) {
      // A stimulus not yet on is pure noise (ratio 1); one that is on gets the spec's ratio.
      bool any = false;
      for (int64_t b = 0; b < B; ++b) {
        ratio[size_t(b)] = spec.random_start && starts[b * S + s] > t ? 1.0f : float(spec.noise_ratio);
        any = any || ratio[size_t(b)] != 0.0f;
      }
      float* dst = shown.data_ptr<float>() + (s * T + t) * B * P;
      if (any) noisy_rows(x[s], source[s], ratio, spec.noise_samples, gen, dst);
      else std::copy_n(x[s].data_ptr<float>(), B * P, dst);
    }
  out.x = shown.to(clean.scalar_type());
  return out;
}

}  // namespace modspec
