// The two-stimulus environment of paper 2.2: the datasets and tuples of tuple_source.hpp, and
// batches of their normalised pixels presented over time (presentation.hpp).
#pragma once
#include <optional>
#include <torch/torch.h>
#include <vector>

#include "env/tuple_source.hpp"

namespace modspec {

// Pixel normalisation of the original implementation (MNIST's mean and std).
inline constexpr double kPixelMean = 0.1307;
inline constexpr double kPixelStd = 0.3081;
// A pixel of value 0 after normalisation: most of a digit's pixels, which the input projection
// skips (model/input_projection.hpp).
inline constexpr float kPixelBackground = float(-kPixelMean / kPixelStd);

struct Batch {
  torch::Tensor x;        // [S, T, B, P] float, T = 1 when the presentation is static
  torch::Tensor digits;   // [B, S] int64 decision variables
  torch::Tensor targets;  // [B, n_targets] int64
  torch::Tensor starts;   // [B, S] int64 start step of each stimulus
  int64_t size() const { return digits.size(0); }
};

// Rows of a table presented statically, as each stimulus's pixels off the background read from
// the image sets' indices (env/pixel_index.hpp): what Batch::x holds, without a pixel copied. Pixel
// p of an entry is kPixelBackground + scale * byte; the input projection multiplies only these
// (ModularRNN::forward on a ForegroundBatch).
struct ForegroundBatch {
  int64_t B = 0, S = 0, P = 0;
  float scale = 0;
  std::vector<kernels::PixelRow> rows;  // [B, S]: stimulus s of tuple b
  torch::Tensor targets;                 // [B, n_targets] int64, as Batch::targets
};

class Environment : public TupleSource {
 public:
  explicit Environment(EnvSpec spec) : TupleSource(std::move(spec)) {}

  // Rows [begin, end) of a table drawn from `split`; `noise_seed` drives the presentation. The
  // noise is made of the same rows of `noise_source` (a table of the same size) when given.
  Batch batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
              const PairTable* noise_source = nullptr) const;

  // Rows [begin, end) of a table drawn from `split` as a ForegroundBatch: the same stimuli as
  // batch() gives (its x) when the presentation is static, noise-free; none when the
  // presentation is dynamic or a stimulus's images are not mostly background (PixelIndex::dense).
  std::optional<ForegroundBatch> foreground(const PairTable& table, Split split, int64_t begin, int64_t end) const;
};

}  // namespace modspec
