#include "env/environment.hpp"

#include "env/presentation.hpp"
#include "runtime/kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// A byte's step in normalised pixels: pixel = byte * kPixelScale + kPixelBackground.
constexpr float kPixelScale = float(1.0 / (255.0 * kPixelStd));

void check_rows(const PairTable& table, int64_t begin, int64_t end, const PairTable* noise_source) {
  if (begin < 0 || end < begin || end > table.size)
    throw Error("env: batch rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside a table of " +
                std::to_string(table.size));
  if (noise_source && noise_source->size != table.size)
    throw Error("env: the noise source table has " + std::to_string(noise_source->size) + " rows, the table " +
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
  check_rows(table, begin, end, noise_source);
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

namespace {

// The noise of `draw` for B tuples of S stimuli as pixels off the background (ForegroundNoise):
// row o of the source is source_rows[o * S + s] for stimulus s.
ForegroundNoise foreground_noise(const NoiseDraw& draw, const std::vector<kernels::PixelRow>& source_rows, int64_t B,
                                 int64_t S, int64_t P, bool source_is_batch) {
  const int64_t T = draw.T;
  ForegroundNoise n;
  n.T = T;
  n.B = B;
  n.P = P;
  n.starts = draw.starts;
  n.source_is_batch = source_is_batch;
  for (const NoiseStep& step : draw.steps) n.k = std::max(n.k, step.k);
  const int64_t k = n.k;
  n.self.resize(size_t(T * B * S));
  n.other.resize(size_t(T * B * S));
  n.kept.assign(size_t(T * S * P), 0.0f);
  n.keep.assign(size_t(S * T * k * P), 0);
  n.borrower.assign(size_t(S * T * k * B), 0);
  for (int64_t s = 0; s < S; ++s)
    for (int64_t t = 0; t < T; ++t) {
      const NoiseStep& step = draw.at(s, t);
      for (int64_t b = 0; b < B; ++b) {
        const float r = step.ratio[size_t(b)];
        n.self[size_t((s * T + t) * B + b)] = 1.0f - r;
        n.other[size_t((s * T + t) * B + b)] = step.k > 0 ? r / float(step.k) : 0.0f;
      }
      float* kept = n.kept.data() + (s * T + t) * P;
      uint8_t* keep = n.keep.data() + (s * T + t) * k * P;
      int32_t* borrower = n.borrower.data() + (s * T + t) * k * B;
      std::copy(step.keep.begin(), step.keep.end(), keep);
      for (int64_t j = 0; j < step.k; ++j)
        for (int64_t p = 0; p < P; ++p) kept[p] += float(step.keep[size_t(j * P + p)]);
      for (int64_t b = 0; b < B; ++b)
        for (int64_t j = 0; j < step.k; ++j) borrower[j * B + step.other[size_t(b * step.k + j)]] = int32_t(b);
    }
  n.source_rows = source_rows;
  return n;
}

}  // namespace

std::optional<ForegroundBatch> Environment::foreground(const PairTable& table, Split split, int64_t begin, int64_t end,
                                                       uint64_t noise_seed, const PairTable* noise_source) const {
  check_rows(table, begin, end, noise_source);
  ForegroundBatch f{end - begin, table.n_stimuli, pixels(), kPixelScale, {},
                    table_rows(table.target, table.n_targets, begin, end), nullptr};
  std::vector<const PixelIndex*> index;
  for (int64_t s = 0; s < f.S; ++s) {
    index.push_back(&pixel_index(s, split));
    if (index.back()->dense()) return std::nullopt;
  }
  // Rows [begin, end) of a table, [B, S].
  auto rows_of = [&](const PairTable& t) {
    std::vector<kernels::PixelRow> rows;
    rows.reserve(size_t(f.B * f.S));
    for (int64_t i = begin; i < end; ++i)
      for (int64_t s = 0; s < f.S; ++s) rows.push_back(index[size_t(s)]->row(t.image[size_t(i * f.S + s)]));
    return rows;
  };
  f.rows = rows_of(table);
  if (spec().dynamic())
    f.noise = std::make_shared<const ForegroundNoise>(foreground_noise(draw_presentation(spec(), f.S, f.B, f.P, noise_seed),
                               noise_source ? rows_of(*noise_source) : f.rows, f.B, f.S, f.P, !noise_source));
  return f;
}

}  // namespace modspec
