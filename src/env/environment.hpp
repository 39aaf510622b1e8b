// The two-stimulus environment of paper 2.2: the datasets and tuples of tuple_source.hpp, and
// batches of their normalised pixels presented over time (presentation.hpp).
#pragma once
#include <memory>
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

// The noise of a dynamic presentation (env/presentation.hpp) as pixels off the background, for
// the input projection to multiply only those (model/input_projection.hpp). With x the stimulus,
// r its ratio at the step and keep_j the pixels its j-th borrowed sample o_j keeps, every pixel
// shown is, for f = the image's bytes (zero at the background),
//   (1 - r) x + (r / k) sum_j keep_j o_j
//     = self * (background + scale f) + other * (background * kept + scale * sum_j keep_j f(o_j))
// with self = 1 - r, other = r / k and kept = sum_j keep_j (shared by the batch). The last sum
// has about as many entries as one image has pixels off the background; it is never listed: the
// projection reads it from the source rows, turned around by pixel as it needs them, and the draws
// (kernels::BorrowedPixels).
struct ForegroundNoise {
  int64_t T = 0, B = 0, P = 0, k = 0;  // steps, tuples, pixels, samples borrowed per tuple
  std::vector<float> self;   // [S, T, B] 1 - r of stimulus s of tuple b at step t
  std::vector<float> other;  // [S, T, B] r / k (0 where the stimulus is shown clean)
  std::vector<float> kept;   // [S, T, P] sum_j keep_j[p]: how many borrowed samples keep pixel p
  std::vector<uint8_t> keep;      // [S, T, k, P] 1 where the j-th borrowed sample keeps pixel p (0 past a step's k)
  std::vector<int32_t> borrower;  // [S, T, k, B] the tuple borrowing row o as its j-th sample
  std::vector<kernels::PixelRow> source_rows;  // [B, S] the source rows themselves
  // The source rows are the batch's own (not another table's): turned around by pixel, they are
  // also the stimuli's own, for both.
  bool source_is_batch = false;
  torch::Tensor starts;           // [B, S] int64, each stimulus's start step
  // Stimulus s's kept noise, given its source rows turned around by pixel (kernels::pixel_columns
  // of source_rows' stimulus s: start [P + 1] into source and value).
  kernels::BorrowedPixels borrowed(int64_t s, const int64_t* start, const int32_t* source, const uint8_t* value) const {
    return {P,     B,     T,     k, start, source, value, keep.data() + s * T * k * P,
            borrower.data() + s * T * k * B, source_rows.data() + s, int64_t(source_rows.size()) / B};
  }
};

// Rows of a table as each stimulus's pixels off the background read from the image sets' indices
// (env/pixel_index.hpp): what Batch::x holds, without a pixel copied. Pixel p of an entry is
// kPixelBackground + scale * byte; the input projection multiplies only these (ModularRNN::forward
// on a ForegroundBatch). A dynamic presentation adds its noise (T = nb_steps); a static one has
// none (T = 1).
struct ForegroundBatch {
  int64_t B = 0, S = 0, P = 0;
  float scale = 0;
  std::vector<kernels::PixelRow> rows;  // [B, S]: stimulus s of tuple b
  torch::Tensor targets;                 // [B, n_targets] int64, as Batch::targets
  std::shared_ptr<const ForegroundNoise> noise;  // shared with the input projection's backward
  int64_t steps() const { return noise ? noise->T : 1; }
};

class Environment : public TupleSource {
 public:
  explicit Environment(EnvSpec spec) : TupleSource(std::move(spec)) {}

  // Rows [begin, end) of a table drawn from `split`; `noise_seed` drives the presentation. The
  // noise is made of the same rows of `noise_source` (a table of the same size) when given.
  Batch batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
              const PairTable* noise_source = nullptr) const;

  // Rows [begin, end) of a table drawn from `split` as a ForegroundBatch: the same stimuli as
  // batch() gives (its x and starts) for the same noise_seed and noise_source; none when a
  // stimulus's images are not mostly background (PixelIndex::dense).
  std::optional<ForegroundBatch> foreground(const PairTable& table, Split split, int64_t begin, int64_t end,
                                            uint64_t noise_seed = 0, const PairTable* noise_source = nullptr) const;
};

}  // namespace modspec
