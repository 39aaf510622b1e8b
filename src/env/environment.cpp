#include "env/environment.hpp"

#include "env/presentation.hpp"
#include "runtime/kernels.hpp"
#include "util/error.hpp"

namespace modspec {

Batch Environment::batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
                         const PairTable* noise_source) const {
  const int64_t S = table.n_stimuli, B = end - begin, P = pixels();
  if (begin < 0 || end < begin || end > table.size)
    throw Error("env: batch rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside a table of " +
                std::to_string(table.size));
  if (noise_source && noise_source->size != table.size)
    throw Error("env: the noise source table has " + std::to_string(noise_source->size) + " rows, the table " +
                std::to_string(table.size));
  auto rows = [&](const std::vector<int64_t>& v, int64_t width) {
    return torch::from_blob(const_cast<int64_t*>(v.data()) + begin * width, {B, width}, torch::kInt64).clone();
  };
  // The normalised stimuli of a table's rows: [S, B, P].
  auto stimuli = [&](const PairTable& t) {
    auto x = torch::empty({S, B, P});
    const float scale = float(1.0 / (255.0 * kPixelStd)), shift = kPixelBackground;
    std::vector<const uint8_t*> image_rows(static_cast<size_t>(B));
    for (int64_t s = 0; s < S; ++s) {
      const uint8_t* set = images(s, split).pixels.data();
      for (int64_t i = 0; i < B; ++i) image_rows[size_t(i)] = set + t.image[size_t((begin + i) * S + s)] * P;
      kernels::gather_bytes(image_rows.data(), B, P, scale, shift, x.data_ptr<float>() + s * B * P);
    }
    return x;
  };
  Batch b;
  b.digits = rows(table.digit, S);
  b.targets = rows(table.target, table.n_targets);
  const auto clean = stimuli(table);
  Presented p =
      present(clean, spec(), noise_seed, noise_source && spec().dynamic() ? stimuli(*noise_source) : torch::Tensor());
  b.x = p.x;
  b.starts = p.starts;
  return b;
}

}  // namespace modspec
