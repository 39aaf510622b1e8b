#include "runtime/mlp_kernels.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <vector>

#include "runtime/cpu_features.hpp"
#include "runtime/kernels.hpp"

// The products here are too small for a BLAS library (K = 10..50, rows 256..768: OpenBLAS ran
// them at 10-20 GFLOP/s, most of it packing). They are computed with the rows of a batch in SIMD
// lanes instead (docs/ARCHITECTURE.md, "Performance principles"): every array in
// runtime/mlp_lanes.inc is feature-major, [features, Np], with Np the batch rounded up to whole
// blocks of kLaneBlock tuples (whole vectors in both builds), so that
//   - a layer's forward and the backward to its input are products whose every step broadcasts
//     one weight and multiplies a vector of tuples, 8 with AVX2 and 4 without (broadcast_product);
//   - a weight's gradient is a dot product over the tuples (dot_product);
//   - softmax, ReLU and the biases are plain loops over lanes.
// Padding lanes hold zero inputs; their loss gradient is set to zero, so they add nothing to any
// gradient. The kernels' bodies (runtime/mlp_lanes.inc) are built twice, for AVX2+FMA and for the
// baseline, and the CPU's flags pick one.
namespace modspec::kernels {

namespace {

// Scratch kept per thread: a readout step runs thousands of times on the same shapes.
std::vector<float>& scratch(int which, int64_t size) {
  thread_local std::vector<float> buffers[5];
  buffers[which].resize(size_t(size));
  return buffers[which];
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v3")
namespace avx2 {
#define MODSPEC_WIDE_REGISTERS 1
#include "runtime/mlp_lanes.inc"
#undef MODSPEC_WIDE_REGISTERS
}  // namespace avx2
#pragma GCC pop_options
#define MODSPEC_HAVE_AVX2_LANES 1
#endif

namespace baseline {
#define MODSPEC_WIDE_REGISTERS 0
#include "runtime/mlp_lanes.inc"
#undef MODSPEC_WIDE_REGISTERS
}  // namespace baseline

// The AVX2 build, where it was compiled and the CPU runs it.
bool use_avx2() {
#ifdef MODSPEC_HAVE_AVX2_LANES
  return cpu_has_avx2_fma();
#else
  return false;
#endif
}

}  // namespace

void mlp_rows_to_lanes(const float* x, int64_t N, int64_t d, float* xt) {
#ifdef MODSPEC_HAVE_AVX2_LANES
  if (use_avx2()) return avx2::rows_to_lanes(x, N, d, xt);
#endif
  baseline::rows_to_lanes(x, N, d, xt);
}

void mlp_gather_to_lanes(const float* const* rows, int64_t N, int64_t d, float* xt) {
#ifdef MODSPEC_HAVE_AVX2_LANES
  if (use_avx2()) return avx2::gather_to_lanes(rows, N, d, xt);
#endif
  baseline::gather_to_lanes(rows, N, d, xt);
}

void mlp_loss_and_gradients(const MlpShape& s, const float* xt, const int64_t* y, const float* w1, const float* b1,
                            const float* w2, const float* b2, float* gw1, float* gb1, float* gw2, float* gb2,
                            double* loss) {
#ifdef MODSPEC_HAVE_AVX2_LANES
  if (use_avx2()) return avx2::loss_and_gradients(s, xt, y, w1, b1, w2, b2, gw1, gb1, gw2, gb2, loss);
#endif
  baseline::loss_and_gradients(s, xt, y, w1, b1, w2, b2, gw1, gb1, gw2, gb2, loss);
}

void mlp_predict(const MlpShape& s, const float* xt, const float* w1, const float* b1, const float* w2, const float* b2,
                 int64_t* classes) {
#ifdef MODSPEC_HAVE_AVX2_LANES
  if (use_avx2()) return avx2::predict(s, xt, w1, b1, w2, b2, classes);
#endif
  baseline::predict(s, xt, w1, b1, w2, b2, classes);
}

void mlp_predict_ablated(const MlpShape& s, int64_t M, const float* xt, const float* w1, const float* b1,
                         const float* w2, const float* b2, int64_t* classes) {
#ifdef MODSPEC_HAVE_AVX2_LANES
  if (use_avx2()) return avx2::predict_ablated(s, M, xt, w1, b1, w2, b2, classes);
#endif
  baseline::predict_ablated(s, M, xt, w1, b1, w2, b2, classes);
}

void mlp_loss_and_gradients_baseline(const MlpShape& s, const float* xt, const int64_t* y, const float* w1,
                                     const float* b1, const float* w2, const float* b2, float* gw1, float* gb1,
                                     float* gw2, float* gb2, double* loss) {
  baseline::loss_and_gradients(s, xt, y, w1, b1, w2, b2, gw1, gb1, gw2, gb2, loss);
}

void mlp_predict_baseline(const MlpShape& s, const float* xt, const float* w1, const float* b1, const float* w2,
                          const float* b2, int64_t* classes) {
  baseline::predict(s, xt, w1, b1, w2, b2, classes);
}

void mlp_predict_ablated_baseline(const MlpShape& s, int64_t M, const float* xt, const float* w1, const float* b1,
                                  const float* w2, const float* b2, int64_t* classes) {
  baseline::predict_ablated(s, M, xt, w1, b1, w2, b2, classes);
}

}  // namespace modspec::kernels
