#include "env/presentation.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <mutex>

#include "runtime/kernels.hpp"
#include "util/seed.hpp"

namespace modspec {

namespace {

// One step's draws for rows at `ratio`, P pixels each, from the counter-based stream of `key`
// (util/seed.hpp): which rows each borrows, and the pixels each borrowed sample keeps.
NoiseStep draw_step(std::vector<float> ratio, int64_t n_samples, int64_t P, uint64_t key) {
  NoiseStep step;
  const int64_t B = int64_t(ratio.size());
  step.ratio = std::move(ratio);
  if (std::all_of(step.ratio.begin(), step.ratio.end(), [](float r) { return r == 0.0f; })) return step;
  step.k = std::min<int64_t>(n_samples, B - 1);  // a batch of one has no other sample to borrow from
  if (step.k == 0) return step;
  // The k other samples of row b: the k rows after b in a random cyclic order (Fisher-Yates, the
  // i-th swap partner the high half of draw i times i + 1: uniform on 0..i), so they are distinct,
  // never b itself, and a uniformly random k-subset of the others for each row.
  const uint64_t order_key = derive_seed({key, 0}), keep_key = derive_seed({key, 1});
  std::vector<int64_t> order(static_cast<size_t>(B)), position(static_cast<size_t>(B));
  for (int64_t i = 0; i < B; ++i) order[size_t(i)] = i;
  for (int64_t i = B - 1; i > 0; --i) {
    const uint64_t draw = stream_draw(order_key, uint64_t(i));
    std::swap(order[size_t(i)], order[size_t(static_cast<unsigned __int128>(draw) * uint64_t(i + 1) >> 64)]);
  }
  for (int64_t i = 0; i < B; ++i) position[size_t(order[size_t(i)])] = i;
  step.other.resize(size_t(B * step.k));
  for (int64_t b = 0; b < B; ++b) {
    int64_t at = position[size_t(b)];
    for (int64_t j = 0; j < step.k; ++j) {
      if (++at == B) at = 0;
      step.other[size_t(b * step.k + j)] = order[size_t(at)];
    }
  }
  // Pixel p of the j-th borrowed sample is kept with probability 1 / noise_samples, to 16 bits
  // (0.199997 for 5): each 64-bit draw decides four pixels.
  const uint32_t threshold = uint32_t(std::min<uint64_t>(65536, uint64_t(65536.0 / double(n_samples) + 0.5)));
  step.keep.resize(size_t(step.k * P));
  kernels::draw_keep_bits(keep_key, step.k * P, threshold, step.keep.data());
  return step;
}

// One step of rows x [B, P] mixed with the noise of `step`, made of rows of source; to out [B, P].
void mix(const NoiseStep& step, const float* x, const float* source, int64_t B, int64_t P, float* out) {
  kernels::mix_structured_noise(B, P, step.k, step.other.data(), step.ratio.data(), x, source, step.keep.data(), out);
}

torch::Tensor as_float(const torch::Tensor& t) { return t.to(torch::kFloat32).contiguous(); }

}  // namespace

NoiseDraw draw_presentation(const EnvSpec& spec, int64_t S, int64_t B, int64_t P, uint64_t seed) {
  NoiseDraw draw;
  draw.S = S;
  draw.T = spec.nb_steps;
  draw.starts = spec.random_start ? torch::randint(1, draw.T - 1, {B, S},
                                                   at::make_generator<at::CPUGeneratorImpl>(seed), torch::kInt64)
                                  : torch::zeros({B, S}, torch::kInt64);
  const auto* starts = draw.starts.data_ptr<int64_t>();
  draw.steps.reserve(size_t(S * draw.T));
  for (int64_t s = 0; s < S; ++s)
    for (int64_t t = 0; t < draw.T; ++t) {
      // A stimulus not yet on is pure noise (ratio 1); one that is on gets the spec's ratio.
      std::vector<float> ratio(static_cast<size_t>(B));
      for (int64_t b = 0; b < B; ++b)
        ratio[size_t(b)] = spec.random_start && starts[b * S + s] > t ? 1.0f : float(spec.noise_ratio);
      const uint64_t key = derive_seed({seed, uint64_t(s), uint64_t(t)});
      draw.steps.push_back(draw_step(std::move(ratio), spec.noise_samples, P, key));
    }
  return draw;
}

torch::Tensor structured_noise(const torch::Tensor& x, double ratio, int64_t n_samples, torch::Generator& gen,
                               const torch::Tensor& source) {
  if (ratio == 0.0) return x;
  const auto xf = as_float(x);
  const int64_t B = xf.size(0), P = xf.size(1);
  uint64_t key = 0;
  {
    std::lock_guard<std::mutex> lock(gen.mutex());
    key = at::check_generator<at::CPUGeneratorImpl>(gen)->random64();
  }
  const NoiseStep step = draw_step(std::vector<float>(size_t(B), float(ratio)), n_samples, P, key);
  auto out = torch::empty_like(xf);
  mix(step, xf.data_ptr<float>(), (source.defined() ? as_float(source) : xf).data_ptr<float>(), B, P,
      out.data_ptr<float>());
  return out.to(x.scalar_type());
}

Presented present(const torch::Tensor& clean, const EnvSpec& spec, uint64_t seed, const torch::Tensor& noise_source) {
  const int64_t S = clean.size(0), B = clean.size(1), P = clean.size(2);
  Presented out;
  if (!spec.dynamic()) {
    out.x = clean.unsqueeze(1);
    out.starts = torch::zeros({B, S}, torch::kInt64);
    return out;
  }
  const NoiseDraw draw = draw_presentation(spec, S, B, P, seed);
  const auto x = as_float(clean);
  const auto source = noise_source.defined() ? as_float(noise_source) : x;
  auto shown = torch::empty({S, draw.T, B, P}, torch::kFloat32);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t t = 0; t < draw.T; ++t)
      mix(draw.at(s, t), x[s].data_ptr<float>(), source[s].data_ptr<float>(), B, P,
          shown.data_ptr<float>() + (s * draw.T + t) * B * P);
  out.x = shown.to(clean.scalar_type());
  out.starts = draw.starts;
  return out;
}

}  // namespace modspec
