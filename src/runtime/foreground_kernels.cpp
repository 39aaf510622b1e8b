#include "runtime/foreground_kernels.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <vector>
#include <xmmintrin.h>

#include "runtime/cpu_features.hpp"

namespace modspec::kernels {

namespace {

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v3")
namespace avx2 {
#include "runtime/foreground_lanes.inc"
}  // namespace avx2
#pragma GCC pop_options
#define MODSPEC_HAVE_AVX2_FOREGROUND 1
#endif

namespace baseline {
#include "runtime/foreground_lanes.inc"
}  // namespace baseline

void product(const float* x, bool by_tuple, int64_t rows, int64_t L, float background, const float* a, int64_t R,
             float* out) {
#ifdef MODSPEC_HAVE_AVX2_FOREGROUND
  if (cpu_has_avx2_fma()) return avx2::product(x, by_tuple, rows, L, background, a, R, out);
#endif
  baseline::product(x, by_tuple, rows, L, background, a, R, out);
}

}  // namespace

void project_pixel_rows(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                        const float* w, int64_t R, float* u) {
#ifdef MODSPEC_HAVE_AVX2_FOREGROUND
  if (cpu_has_avx2_fma()) return avx2::pixel_rows_product(rows, B, S, P, scale, background, w, R, u);
#endif
  baseline::pixel_rows_product(rows, B, S, P, scale, background, w, R, u);
}

void project_pixel_rows_backward(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                                 const float* g, int64_t R, float* gw) {
#ifdef MODSPEC_HAVE_AVX2_FOREGROUND
  if (cpu_has_avx2_fma()) return avx2::pixel_rows_backward(rows, B, S, P, scale, background, g, R, gw);
#endif
  baseline::pixel_rows_backward(rows, B, S, P, scale, background, g, R, gw);
}

void project_pixel_rows_backward_baseline(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale,
                                          float background, const float* g, int64_t R, float* gw) {
  baseline::pixel_rows_backward(rows, B, S, P, scale, background, g, R, gw);
}

void project_pixel_rows_baseline(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                                 const float* w, int64_t R, float* u) {
  baseline::pixel_rows_product(rows, B, S, P, scale, background, w, R, u);
}

int64_t count_off_background(const float* x, int64_t n, float background) {
  int64_t count = 0;
  for (int64_t i = 0; i < n; ++i) count += x[i] != background;
  return count;
}

void project_foreground(const float* x, int64_t B, int64_t P, float background, const float* w, int64_t R, float* u) {
  product(x, /*by_tuple=*/true, /*rows=*/B, /*L=*/P, background, w, R, u);
}

void project_foreground_backward(const float* x, int64_t B, int64_t P, float background, const float* g, int64_t R,
                                 float* gw) {
  product(x, /*by_tuple=*/false, /*rows=*/P, /*L=*/B, background, g, R, gw);
}

void project_foreground_baseline(const float* x, int64_t B, int64_t P, float background, const float* w, int64_t R,
                                 float* u) {
  baseline::product(x, /*by_tuple=*/true, /*rows=*/B, /*L=*/P, background, w, R, u);
}

void project_foreground_backward_baseline(const float* x, int64_t B, int64_t P, float background, const float* g,
                                          int64_t R, float* gw) {
  baseline::product(x, /*by_tuple=*/false, /*rows=*/P, /*L=*/B, background, g, R, gw);
}

}  // namespace modspec::kernels
