#include "runtime/foreground_kernels.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>
#include <immintrin.h>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <vector>
#include <xmmintrin.h>

#include "runtime/cpu_features.hpp"

namespace modspec::kernels {

namespace {

// Vectors of floats on 64-byte boundaries, for the kernels' panels and sums: a row of a panel is
// then whole cache lines (16 V floats, or 8 V with V even), where the allocator's 16-byte
// boundaries split every other 32-byte access across two lines (measured: a single network's
// noisy epoch 1.06x faster aligned, docs/ARCHITECTURE.md performance principle 7).
template <class T>
struct CacheLineAllocator {
  using value_type = T;
  CacheLineAllocator() = default;
  template <class U>
  explicit CacheLineAllocator(const CacheLineAllocator<U>&) {}
  T* allocate(size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(64))); }
  void deallocate(T* p, size_t) { ::operator delete(p, std::align_val_t(64)); }
  bool operator==(const CacheLineAllocator&) const { return true; }
};
using Floats = std::vector<float, CacheLineAllocator<float>>;

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v4")
namespace avx512 {
constexpr int64_t kLanes = 16;
#include "runtime/foreground_lanes.inc"

#include "runtime/borrowed_filter_avx512.inc"
}  // namespace avx512
#pragma GCC pop_options
#pragma GCC push_options
#pragma GCC target("arch=x86-64-v3")
namespace avx2 {
constexpr int64_t kLanes = 8;
#include "runtime/foreground_lanes.inc"
}  // namespace avx2
#pragma GCC pop_options
#define MODSPEC_HAVE_VECTOR_FOREGROUND 1
#endif

namespace baseline {
constexpr int64_t kLanes = 8;
#include "runtime/foreground_lanes.inc"
}  // namespace baseline

std::optional<Build> pinned;  // set by tests alone, before the kernels run

Build active_build() {
  static const Build widest = runnable_builds().back();
  return pinned ? *pinned : widest;
}

// Runs `call` (a kernel of the .inc and its arguments) in the active build.
#ifdef MODSPEC_HAVE_VECTOR_FOREGROUND
#define MODSPEC_FOREGROUND_CALL(call)        \
  switch (active_build()) {                  \
    case Build::avx512: return avx512::call; \
    case Build::avx2: return avx2::call;     \
    case Build::baseline: break;             \
  }                                          \
  return baseline::call
#else
#define MODSPEC_FOREGROUND_CALL(call) return baseline::call
#endif

void product(const float* x, bool by_tuple, int64_t rows, int64_t L, float background, const float* a, int64_t R,
             float* out) {
  MODSPEC_FOREGROUND_CALL(product(x, by_tuple, rows, L, background, a, R, out));
}

void pixel_rows_product(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                        const float* w, int64_t R, float* u) {
  MODSPEC_FOREGROUND_CALL(pixel_rows_product(rows, B, S, P, scale, background, w, R, u));
}

// The kept noise of x listed tuple by tuple, rows [T B]: a count of each tuple's entries over the
// kept (step, sample, pixel) triples, then the same walk filling them in.
void list_borrowed_pixels(const BorrowedPixels& x, std::vector<PixelRow>& rows, std::vector<uint16_t>& pixel,
                          std::vector<uint8_t>& value) {
  const int64_t columns = x.T * x.B;
  std::vector<int64_t> next(size_t(columns + 1), 0);
  auto walk = [&](auto&& visit) {
    for (int64_t tj = 0; tj < x.T * x.k; ++tj) {
      const uint8_t* keep = x.keep + tj * x.L;
      const int32_t* to = x.borrower + tj * x.B;
      const int64_t column0 = (tj / x.k) * x.B;
      for (int64_t l = 0; l < x.L; ++l)
        if (keep[l])
          for (int64_t e = x.start[l]; e < x.start[l + 1]; ++e) visit(column0 + to[x.source[e]], l, e);
    }
  };
  walk([&](int64_t c, int64_t, int64_t) { ++next[size_t(c + 1)]; });
  for (int64_t c = 0; c < columns; ++c) next[size_t(c + 1)] += next[size_t(c)];
  pixel.resize(size_t(next[size_t(columns)]));
  value.resize(pixel.size());
  rows.resize(size_t(columns));
  for (int64_t c = 0; c < columns; ++c)
    rows[size_t(c)] = {pixel.data() + next[size_t(c)], value.data() + next[size_t(c)], next[size_t(c + 1)] - next[size_t(c)]};
  walk([&](int64_t c, int64_t l, int64_t e) {
    const int64_t at = next[size_t(c)]++;
    pixel[size_t(at)] = uint16_t(l);
    value[size_t(at)] = x.value[e];
  });
}

// The forward through the kept noise listed tuple by tuple.
void project_listed(const BorrowedPixels& x, float scale, const float* w, int64_t R, float* u) {
  thread_local std::vector<PixelRow> rows;
  thread_local std::vector<uint16_t> pixel;
  thread_local std::vector<uint8_t> value;
  list_borrowed_pixels(x, rows, pixel, value);
  pixel_rows_product(rows.data(), x.T * x.B, 1, x.L, scale, 0.0f, w, R, u);
}

}  // namespace

void pixel_columns(const PixelRow* rows, int64_t count, int64_t stride, int64_t P, int64_t* start,
                   std::vector<int32_t>& row, std::vector<uint8_t>& value) {
  // Each pixel's entries counted, then filled in row order. The rows' images lie anywhere in a
  // large index: the count fetches a few ahead. A row's fields are read into locals first: the
  // counts' stores could otherwise alias them.
  constexpr int64_t kAhead = 4;
  std::fill(start, start + P + 1, 0);
  for (int64_t i = 0; i < count; ++i) {
    if (i + kAhead < count) {
      const PixelRow& ahead = rows[(i + kAhead) * stride];
      for (int64_t q = 0; q < ahead.count; q += 32) __builtin_prefetch(ahead.pixel + q);
      for (int64_t q = 0; q < ahead.count; q += 64) __builtin_prefetch(ahead.value + q);
    }
    const uint16_t* pixel = rows[i * stride].pixel;
    const int64_t n = rows[i * stride].count;
    for (int64_t q = 0; q < n; ++q) ++start[pixel[q] + 1];
  }
  start[0] = int64_t(row.size());
  for (int64_t p = 0; p < P; ++p) start[p + 1] += start[p];
  row.resize(size_t(start[P]));
  value.resize(size_t(start[P]));
  int32_t* rows_out = row.data();
  uint8_t* values = value.data();
  std::vector<int64_t> next(start, start + P);
  for (int64_t i = 0; i < count; ++i) {
    const uint16_t* pixel = rows[i * stride].pixel;
    const uint8_t* bytes = rows[i * stride].value;
    const int64_t n = rows[i * stride].count;
    for (int64_t q = 0; q < n; ++q) {
      const int64_t e = next[size_t(pixel[q])]++;
      rows_out[e] = int32_t(i);
      values[e] = bytes[q];
    }
  }
}

std::vector<Build> runnable_builds() {
  std::vector<Build> builds{Build::baseline};
#ifdef MODSPEC_HAVE_VECTOR_FOREGROUND
  if (cpu_has_avx2_fma()) builds.push_back(Build::avx2);
  if (cpu_has_avx512()) builds.push_back(Build::avx512);
#endif
  return builds;
}

void pin_build(std::optional<Build> build) {
  const auto builds = runnable_builds();
  if (build && std::find(builds.begin(), builds.end(), *build) == builds.end())
    throw std::invalid_argument("foreground kernels: this CPU cannot run the build pinned");
  pinned = build;
}

const char* build_name(Build build) {
  switch (build) {
    case Build::avx512: return "avx512";
    case Build::avx2: return "avx2";
    case Build::baseline: break;
  }
  return "baseline";
}

void project_pixel_rows(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                        const float* w, int64_t R, float* u) {
  pixel_rows_product(rows, B, S, P, scale, background, w, R, u);
}

void project_pixel_rows_backward(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                                 const float* g, int64_t R, float* gw) {
  MODSPEC_FOREGROUND_CALL(pixel_rows_backward(rows, B, S, P, scale, background, g, R, gw));
}

void project_pixel_columns_backward(const int64_t* start, const int32_t* row, const uint8_t* value, int64_t P,
                                    int64_t B, float scale, float background, const float* g, int64_t R, float* gw) {
  MODSPEC_FOREGROUND_CALL(pixel_columns_backward({start, row, value, P}, B, scale, background, g, R, gw));
}

void project_borrowed_pixels(const BorrowedPixels& x, float scale, const float* w, int64_t R, float* u) {
  if (R > kBorrowedScatterOutputs) return project_listed(x, scale, w, R, u);
#ifdef MODSPEC_HAVE_VECTOR_FOREGROUND
  if (active_build() == Build::avx512 && x.L <= avx512::kFilteredMaxPixels)
    return avx512::borrowed_filtered(x, scale, w, R, u);
#endif
  MODSPEC_FOREGROUND_CALL(borrowed_product(x, /*forward=*/true, scale, w, R, u));
}

void project_borrowed_pixels_backward(const BorrowedPixels& x, float scale, const float* g, int64_t R, float* gw) {
  MODSPEC_FOREGROUND_CALL(borrowed_product(x, /*forward=*/false, scale, g, R, gw));
}

void mix_noisy_drive(int64_t R, int64_t T, int64_t B, int64_t L, const float* self, const float* other,
                     const float* own, const float* noise, const float* w, const float* kept, float background,
                     bool accumulate, float* u) {
  MODSPEC_FOREGROUND_CALL(mix_noisy_drive(R, T, B, L, self, other, own, noise, w, kept, background, accumulate, u));
}

void split_noisy_drive_gradient(int64_t R, int64_t T, int64_t B, const float* self, const float* other,
                                const float* g, float background, float* own_g, float* noise_g, float* kept_g) {
  MODSPEC_FOREGROUND_CALL(split_noisy_drive_gradient(R, T, B, self, other, g, background, own_g, noise_g, kept_g));
}

void sum_noisy_weight_gradient(int64_t R, int64_t T, int64_t L, const float* own_gw, const float* noise_gw,
                               const float* kept_g, const float* kept, float* gw, int64_t stride) {
  MODSPEC_FOREGROUND_CALL(sum_noisy_weight_gradient(R, T, L, own_gw, noise_gw, kept_g, kept, gw, stride));
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

}  // namespace modspec::kernels
