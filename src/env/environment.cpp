#include "env/environment.hpp"

#include "env/presentation.hpp"
#include "runtime/kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// A byte's step in normalised pixels: pixel = byte * kPixelScale + kPixelBackground.
constexpr float kPixelScale = float(1.0 / (255.0 * kPixelStd));

void check_rows(const PairTable& table, int64_t begin, int64_t end) {
  if (begin < 0 || end < begin || end > table.size)
    throw Error("env: batch rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside a table of " +
                std::to_string(table.size));
}

// Rows [begin, end) of one of a table's row-major columns of `width` values: [end - begin, width].
torch::Tensor table_rows(const std::vector<int64_t>& v, int64_t width, int64_t begin, int64_t end) {
  return torch::from_blob(const_cast<int64_t*>(v.data()) + begin * width, {end - begin, width}, torch::kInt64).clone();
}

}  // namespace

Batch Environment::batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
                         const PairTable* noise_source) const {
  const int64_t S = table.n_stimuli, B = end - begin, P = pixels();
  check_rows(table, begin, end);
  if (noise_source && noise_source->size != table.size)
    throw Error("env: the noise source table has " + std::to_string(noise_source->size) + " rows, the table " +
                std::to_string(table.size));
  // The normalised stimuli of a table's rows: [S, B, P].
  auto stimuli = [&](const PairTable& t) {
    auto x = torch::empty({S, B, P});
    const float scale = kPixelScale, shift = kPixelBackground;
    std::vector<const uint8_t*> image_rows(static_cast<size_t>(B));
    for (int64_t s = 0; s < S; ++s) {
      const uint8_t* set = images(s, split).pixels.data();
      for (int64_t i = 0; i < B; ++i) image_rows[size_t(i)] = set + t.image[size_t((begin + i) * S + s)] * P;
      kernels::gather_bytes(image_rows.data(), B, P, scale, shift, x.data_ptr<float>() + s * B * P);
    }
    return x;
  };
  Batch b;
  b.digits = table_rows(table.digit, S, begin, end);
  b.targets = table_rows(table.target, table.n_targets, begin, end);
  const auto clean = stimuli(table);
  Presented p =
      present(clean, spec(), noise_seed, noise_source && spec().dynamic() ? stimuli(*noise_source) : torch::Tensor());
  b.x = p.x;
  b.starts = p.starts;
  return b;
}

std::optional<ForegroundBatch> Environment::foreground(const PairTable& table, Split split, int64_t begin,
                                                       int64_t end) const {
  check_rows(table, begin, end);
  if (spec().dynamic()) return std::nullopt;
  ForegroundBatch f{end - begin, table.n_stimuli, pixels(), kPixelScale, {},
                    table_rows(table.target, table.n_targets, begin, end)};
  std::vector<const PixelIndex*> index;
  for (int64_t s = 0; s < f.S; ++s) {
    index.push_back(&pixel_index(s, split));
    if (index.back()->dense()) return std::nullopt;
  }
  f.rows.reserve(size_t(f.B * f.S));
  for (int64_t i = begin; i < end; ++i)
    for (int64_t s = 0; s < f.S; ++s) f.rows.push_back(index[size_t(s)]->row(table.image[size_t(i * f.S + s)]));
  return f;
}

}  // namespace modspec
