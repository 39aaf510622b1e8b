// The product of a stack's input weights with a batch of pixels, over the pixels off the
// background only when few are (docs/ARCHITECTURE.md, performance principle 7; the math is in
// runtime/foreground_kernels.hpp).
#pragma once
#include <torch/torch.h>

namespace modspec {

// The foreground product pays when at most this fraction of the pixels is off the background,
// and when a block has at least this many outputs (K networks x n units), so that finding the
// pixels to keep, once per batch, serves enough multiply-adds (bench/projection_kernel.cpp: 0.6x
// the plain product at K n = 10, 0.8x at 25, 1.0-1.2x at 80 to 100, 1.2-1.6x at 200 to 800; a
// whole training step at K n = 80 ran 8% slower with it, at 200 to 800 5-25% faster).
inline constexpr double kForegroundMaxDensity = 0.25;
inline constexpr int64_t kForegroundMinOutputs = 128;

// Per block m: u[m] = w[m] x[m]^T, for w [M, R, P] and x [M, rows, P]; returns [M, R, rows], with
// a gradient to w only (x is data). A float32 CPU batch of R >= kForegroundMinOutputs whose pixels
// differ from `background` in at most kForegroundMaxDensity of the places is multiplied over those
// pixels (a fused node whose backward is written by hand); any other input by bmm. Both give the
// same numbers to float rounding.
torch::Tensor project_pixels(const torch::Tensor& w, const torch::Tensor& x, float background);

}  // namespace modspec
