// The input projection of images that are mostly background (docs/ARCHITECTURE.md, performance
// principle 7). A normalised MNIST digit has about 19% of its pixels off the background value, so
// a product over all 784 pixels spends four fifths of its work on a constant. Writing each row of
// pixels as x = background + f (f zero at the background),
//   forward   u[j, b]  = sum_p w[j, p] x[b, p] = sum_p w[j, p] f[b, p] + background * sum_p w[j, p]
//   backward  gw[j, p] = sum_b g[j, b] x[b, p] = sum_b g[j, b] f[b, p] + background * sum_b g[j, b]
// exactly, for any x. Both products run over blocks of 4 rows of f (forward: 4 tuples, backward:
// 4 pixels) and skip the pixels (tuples) where all 4 are at the background: for digits that keeps
// about 39% of the forward's work (a 4-tuple union) and 29% of the backward's (4 neighbouring
// pixels), where single rows would keep 19% but load a row of weights for every multiply-add.
// No torch: built with the kernel flags, three times over (Build below).
//
// Where the images are at hand as bytes, neither direction needs a batch of pixels at all: each
// tuple's pixels off the background come from an index of its images (env/pixel_index.hpp), about
// 150 per MNIST digit. The forward multiplies only those, tuple by tuple; the weight gradient
// turns the batch's rows around into each pixel's (tuple, byte) entries and sums over those.
//
// Layouts, all row-major: x [B, P] (the batch's pixels), w [R, P] (one block's input weights),
// u and g [R, B] (outputs before tuples, as the recurrence reads them), gw [R, P].
#pragma once
#include <cstdint>
#include <optional>
#include <vector>

namespace modspec::kernels {

// Every kernel below is built for AVX-512 (vectors of 16 floats), for AVX2+FMA (8) and for the
// baseline x86-64 (8, run as two SSE halves), and runs the widest build the CPU has, unless one
// is pinned: the tests pin each build the CPU runs in turn and hold them all to the same
// references (and bench_train --kernels times one). Measured in training at n = 25, pinned on
// the same machine: a noisy single network 1.16x faster with AVX-512 than with AVX2, a stack of
// 3 1.42x, a stack of 16 1.13x (README, "Measures, noisy inputs, two cores and the whole study").
enum class Build { baseline, avx2, avx512 };
std::vector<Build> runnable_builds();         // narrowest first
void pin_build(std::optional<Build> build);  // std::nullopt: the widest again; throws if the CPU cannot run it
const char* build_name(Build build);         // "avx512", "avx2" or "baseline"

// Skipping the background pays when at most this fraction of the pixels is off it: digits are
// about 19% (Fashion-MNIST's clothes about half, a batch of noisy pixels nearly all: noisy
// presentations are projected from their images instead, BorrowedPixels below).
inline constexpr double kForegroundMaxDensity = 0.25;

// The number of the n values of x that differ from `background`.
int64_t count_off_background(const float* x, int64_t n, float background);

// u = w x^T (the forward above, background term included).
void project_foreground(const float* x, int64_t B, int64_t P, float background, const float* w, int64_t R, float* u);

// gw = g x (the backward above, background term included; gw overwritten).
void project_foreground_backward(const float* x, int64_t B, int64_t P, float background, const float* g, int64_t R,
                                 float* gw);

// One image's pixels off the background: `count` pixel numbers, rising, and their bytes; pixel
// p's value is background + scale * byte (zero bytes are the background and are not listed).
struct PixelRow {
  const uint16_t* pixel = nullptr;
  const uint8_t* value = nullptr;
  int64_t count = 0;
};

// u = w x^T (the forward above) for B tuples of S images of P pixels each, given as rows [B, S]
// (tuple b's image s is columns [s P, (s + 1) P) of w [R, S P]):
//   u[j, b] = background * sum_l w[j, l] + scale * sum_s sum_q w[j, s P + pixel_q] byte_q.
void project_pixel_rows(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                        const float* w, int64_t R, float* u);

// Its weight gradient, gw = g x for g [R, B] (gw [R, S P] overwritten):
//   gw[j, s P + p] = background * sum_b g[j, b] + scale * sum_{b, q: pixel_q = p in rows[b, s]} g[j, b] byte_q.
void project_pixel_rows_backward(const PixelRow* rows, int64_t B, int64_t S, int64_t P, float scale, float background,
                                 const float* g, int64_t R, float* gw);

// `count` rows of P pixels (row i is rows[i * stride]) turned around into each pixel's entries:
// pixel p's are [start[p], start[p + 1]) of row (the row's number i) and value (its byte), in row
// order, appended to row and value (start [P + 1], offsets into them, overwritten).
void pixel_columns(const PixelRow* rows, int64_t count, int64_t stride, int64_t P, int64_t* start,
                   std::vector<int32_t>& row, std::vector<uint8_t>& value);

// project_pixel_rows_backward for one stimulus (S = 1) of B rows already turned around by
// pixel_columns (start, row, value): the same gw [R, P], without turning them around again.
void project_pixel_columns_backward(const int64_t* start, const int32_t* row, const uint8_t* value, int64_t P,
                                    int64_t B, float scale, float background, const float* g, int64_t R, float* gw);

// A noisy presentation's kept noise for one stimulus (env/environment.hpp, ForegroundNoise),
// without listing it: the batch's B source rows by pixel, and per step t and borrowed sample j
// which pixels it keeps and which tuple borrows each row. With o_tj(b) the j-th row tuple b
// borrows at step t, the noise of column t B + b is
//   f(t B + b, l) = sum_{j < k: keep[t, j, l]} byte of row o_tj(b) at l
// (zero past a step's own k, where the keep rows are zero).
struct BorrowedPixels {
  int64_t L = 0, B = 0, T = 0, k = 0;  // pixels, rows (tuples and sources alike), steps, samples per tuple
  const int64_t* start = nullptr;      // [L + 1]: pixel l's entries [start[l], start[l + 1]) of source and value
  const int32_t* source = nullptr;     // the source row of each entry
  const uint8_t* value = nullptr;      // its byte
  const uint8_t* keep = nullptr;       // [T, k, L] 1 where the j-th borrowed sample keeps pixel l at step t
  const int32_t* borrower = nullptr;   // [T, k, B] the tuple that borrows row o as its j-th sample at step t
  const PixelRow* rows = nullptr;      // the same entries row by row: source row o is rows[o * row_stride]
  int64_t row_stride = 1;
};

// u [R, T B] = scale * w f^T, w [R, L]: u[i, c] = scale * sum_l w[i, l] f(c, l). Up to
// kBorrowedScatterOutputs outputs (one panel of 7 AVX-512 vectors, two of 7 AVX2 ones), the
// AVX2 and baseline builds add each pixel's entries into their tuples' sums (a store per
// multiply-add), the AVX-512 build filters each source row's entries by the pixels each sample
// keeps and sums them in registers (runtime/borrowed_filter_avx512.inc; the scatter too past
// 1024 pixels). Past that, when w is several panels of outputs wide, the entries are first listed
// tuple by tuple (a counting sort of the kept entries, once for all panels) and multiplied as
// PixelRows, whose sums stay in registers. Measured in training (stacks of n = 25), the scatter
// against the listing: AVX2 1.06x at 75 outputs, 1.0x at 100, 0.95x at 150; AVX-512 1.16x at 75,
// 1.06x at 100, 1.0x at 150, 0.97x at 200.
inline constexpr int64_t kBorrowedScatterOutputs = 112;
void project_borrowed_pixels(const BorrowedPixels& x, float scale, const float* w, int64_t R, float* u);

// Its weight gradient, gw [R, L] = scale * g f for g [R, T B] (gw overwritten):
//   gw[i, l] = scale * sum_c g[i, c] f(c, l).
void project_borrowed_pixels_backward(const BorrowedPixels& x, float scale, const float* g, int64_t R, float* gw);

// A noisy presentation's input drive mixed from its parts (model/input_projection.cpp) for R
// outputs, T steps and B tuples: own [R, B] the stimuli's projection (project_pixel_rows), noise
// [R, T B] the kept noise's (project_borrowed_pixels), w [R, L] the weights, kept [T, L] how many
// borrowed samples keep each pixel, self and other [T, B] the mix's weights (1 - r and r / k);
// u [R, T B], column t B + b, added to (accumulate) or overwritten:
//   u[i, t B + b] (+)= self[t, b] own[i, b] + other[t, b] (noise[i, t B + b] + background sum_l w[i, l] kept[t, l])
void mix_noisy_drive(int64_t R, int64_t T, int64_t B, int64_t L, const float* self, const float* other,
                     const float* own, const float* noise, const float* w, const float* kept, float background,
                     bool accumulate, float* u);

// Its gradient from g [R, T B] split into the same parts (all three overwritten):
//   own_g [R, B]      own_g[i, b] = sum_t self[t, b] g[i, t B + b]
//   noise_g [R, T B]  noise_g[i, t B + b] = other[t, b] g[i, t B + b]
//   kept_g [R, T]     kept_g[i, t] = background sum_b noise_g[i, t B + b]
void split_noisy_drive_gradient(int64_t R, int64_t T, int64_t B, const float* self, const float* other,
                                const float* g, float background, float* own_g, float* noise_g, float* kept_g);

// The weight gradient's three parts summed into gw, whose rows are `stride` floats apart:
//   gw[i, l] = own_gw[i, l] + noise_gw[i, l] + sum_t kept_g[i, t] kept[t, l]   (own_gw, noise_gw [R, L])
void sum_noisy_weight_gradient(int64_t R, int64_t T, int64_t L, const float* own_gw, const float* noise_gw,
                               const float* kept_g, const float* kept, float* gw, int64_t stride);

}  // namespace modspec::kernels
