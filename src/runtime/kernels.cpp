#include "runtime/kernels.hpp"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <cblas.h>
#include <vector>

#include "util/seed.hpp"

// The elementwise loops are built once per instruction set and picked when the program loads:
// the baseline x86-64 build vectorizes 4 floats wide, AVX-512 16 (measured for tanh: 1.6 against
// 0.36 ns per value; LibTorch's own tanh takes 2.7).
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#define MODSPEC_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define MODSPEC_CLONES
#endif

namespace modspec::kernels {

namespace {

// e^y for y <= 0 in two parts, e^y = scale * (1 + rq): -87 <= y = k ln2 + r with |r| <= ln2 / 2,
// scale = 2^k, and rq = r q(r) with q the Taylor polynomial of (e^r - 1) / r to degree 6. Kept
// apart, the parts give e^y - 1 = scale * rq + (scale - 1) with full relative precision near 0.
// A NaN y gives a NaN rq, so NaN reaches every result (a diverged network must stay visible).
struct ExpParts {
  float scale, rq;
};

inline ExpParts exp_parts(float y) {
  constexpr float magic = 12582912.0f;  // 1.5 * 2^23: adding it rounds to an integer held in the low bits
  y = y < -87.0f ? -87.0f : y;
  const float k = (y * 1.44269504f + magic) - magic;  // round(y / ln2)
  const float r = (y - k * 0.693145751953125f) - k * 1.428606765330187e-6f;  // ln2 in two parts
  float q = 1.0f / 5040.0f;
  q = q * r + 1.0f / 720.0f;
  q = q * r + 1.0f / 120.0f;
  q = q * r + 1.0f / 24.0f;
  q = q * r + 1.0f / 6.0f;
  q = q * r + 0.5f;
  q = q * r + 1.0f;
  const uint32_t biased = std::bit_cast<uint32_t>(k + (127.0f + magic)) & 0x7fffffu;  // k + 127, in 1..127
  return {std::bit_cast<float>(biased << 23), r * q};
}

// The sum of n values (Products = false) or of n products a[i] * b[i], kept in 16 partial sums:
// a vector's worth of independent lanes, since the compiler may not reorder one float sum itself.
template <bool Products>
inline float lane_sum(const float* __restrict a, const float* __restrict b, int64_t n) {
  auto term = [&](int64_t i) { return Products ? a[i] * b[i] : a[i]; };
  float part[16] = {};
  int64_t j = 0;
  for (; j + 16 <= n; j += 16)
    for (int64_t l = 0; l < 16; ++l) part[l] += term(j + l);
  float total = 0;
  for (; j < n; ++j) total += term(j);
  for (float p : part) total += p;
  return total;
}

}  // namespace

// tanh(a) = -m / (2 + m) with m = e^(-2a) - 1, a = |x|, and the sign of x put back; written with
// e^(-2a) - 1 rather than 1 - e^(-2a) it keeps full relative precision near 0. Past a = 9, tanh
// is 1 in float.
MODSPEC_CLONES void tanh_in_place(float* __restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const uint32_t bits = std::bit_cast<uint32_t>(x[i]);
    float a = std::bit_cast<float>(bits & 0x7fffffffu);
    a = a > 9.0f ? 9.0f : a;
    const ExpParts e = exp_parts(-2.0f * a);
    const float m = e.scale * e.rq + (e.scale - 1.0f);
    const float t = -m / (2.0f + m);
    x[i] = std::bit_cast<float>((std::bit_cast<uint32_t>(t) & 0x7fffffffu) | (bits & 0x80000000u));
  }
}

MODSPEC_CLONES void exp_nonpositive_in_place(float* __restrict x, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float y = x[i] > 0.0f ? 0.0f : x[i];
    const ExpParts e = exp_parts(y);
    x[i] = e.scale + e.scale * e.rq;
  }
}

MODSPEC_CLONES void tanh_backward(const float* __restrict g, const float* __restrict h, float* __restrict gz,
                                  int64_t n) {
  for (int64_t i = 0; i < n; ++i) gz[i] = g[i] * (1.0f - h[i] * h[i]);
}

void recurrent_forward(int64_t count, int64_t N, int64_t B, const float* w, const float* h, float* out) {
  const int n = int(N), b = int(B);
  for (int64_t i = 0; i < count; ++i)
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, n, b, n, 1.0f, w + i * N * N, n, h + i * N * B, b, 1.0f,
                out + i * N * B, b);
}

void recurrent_backward(int64_t count, int64_t N, int64_t B, const float* w, const float* h, const float* gz,
                        float* gw, float* gh) {
  const int n = int(N), b = int(B);
  for (int64_t i = 0; i < count; ++i) {
    const float* gzi = gz + i * N * B;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, n, n, b, 1.0f, gzi, b, h + i * N * B, b, 1.0f, gw + i * N * N,
                n);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, n, b, n, 1.0f, w + i * N * N, n, gzi, b, 1.0f, gh + i * N * B,
                b);
  }
}

MODSPEC_CLONES void edges_forward(int64_t E, const float* w, const int64_t* src, const int64_t* dst, int64_t B,
                                  const float* h, float* out) {
  for (int64_t e = 0; e < E; ++e) {
    const float we = w[e];
    const float* __restrict from = h + src[e] * B;
    float* __restrict to = out + dst[e] * B;
    for (int64_t j = 0; j < B; ++j) to[j] += we * from[j];
  }
}

MODSPEC_CLONES void edges_backward(int64_t E, const float* w, const int64_t* src, const int64_t* dst, int64_t B,
                                   const float* h, const float* gz, float* gw, float* gh) {
  for (int64_t e = 0; e < E; ++e) {
    const float we = w[e];
    const float* __restrict from = h + src[e] * B;
    const float* __restrict back = gz + dst[e] * B;
    float* __restrict to = gh + src[e] * B;
    for (int64_t j = 0; j < B; ++j) to[j] += we * back[j];
    gw[e] += lane_sum<true>(back, from, B);
  }
}

void readout_forward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w, const float* b,
                     float* out) {
  const int h = int(H), bt = int(B), c = int(C);
  for (int64_t i = 0; i < count; ++i) {
    float* o = out + i * C * B;
    for (int64_t j = 0; j < C; ++j)
      for (int64_t r = 0; r < B; ++r) o[j * B + r] = b[i * C + j];
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, c, bt, h, 1.0f, w + i * C * H, h, z + i * H * B, bt, 1.0f, o,
                bt);
  }
}

MODSPEC_CLONES void readout_backward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w,
                      const float* gout, float* gz, float* gw, float* gb) {
  const int h = int(H), bt = int(B), c = int(C);
  for (int64_t i = 0; i < count; ++i) {
    const float* g = gout + i * C * B;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, c, h, bt, 1.0f, g, bt, z + i * H * B, bt, 1.0f, gw + i * C * H, h);
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, h, bt, c, 1.0f, w + i * C * H, h, g, bt, 0.0f, gz + i * H * B, bt);
    for (int64_t j = 0; j < C; ++j) gb[i * C + j] += lane_sum<false>(g + j * B, nullptr, B);
  }
}

MODSPEC_CLONES void competitive_softmax(int64_t M, int64_t K, int64_t B, int64_t C, const int64_t* classes, int64_t J,
                                        const float* out, const int64_t* targets, int64_t target_stride, float* probs,
                                        int64_t* decider, double* loss) {
  std::vector<float> scratch(size_t(3 * B));
  float* __restrict best = scratch.data();          // [B] the deciding module's largest output
  float* __restrict top = scratch.data() + B;       // [B] one module's largest output
  float* __restrict sum = scratch.data() + 2 * B;   // [B] softmax denominators
  for (int64_t k = 0; k < K; ++k) {
    int64_t nonfinite = 0;
    for (int64_t m = 0; m < M; ++m) {
      const float* o = out + (m * K + k) * C * B;
      for (int64_t i = 0; i < C * B; ++i) nonfinite += !(o[i] - o[i] == 0.0f);  // NaN or infinite
    }
    double total = 0;
    for (int64_t j = 0, offset = 0; j < J; offset += classes[j], ++j) {
      const int64_t Cj = classes[j];
      int64_t* __restrict d = decider + (j * K + k) * B;
      for (int64_t m = 0; m < M; ++m) {
        const float* o = out + ((m * K + k) * C + offset) * B;
        for (int64_t i = 0; i < B; ++i) top[i] = o[i];
        for (int64_t c = 1; c < Cj; ++c)
          for (int64_t i = 0; i < B; ++i) top[i] = o[c * B + i] > top[i] ? o[c * B + i] : top[i];
        for (int64_t i = 0; i < B; ++i) {
          const bool wins = m == 0 || top[i] > best[i];
          best[i] = wins ? top[i] : best[i];
          d[i] = wins ? m : d[i];
        }
      }
      // The deciding module's outputs, shifted by their maximum so that exp cannot overflow.
      float* __restrict p = probs + (k * C + offset) * B;
      for (int64_t c = 0; c < Cj; ++c)
        for (int64_t m = 0; m < M; ++m) {
          const float* o = out + ((m * K + k) * C + offset + c) * B;
          for (int64_t i = 0; i < B; ++i) p[c * B + i] = d[i] == m ? o[i] - best[i] : p[c * B + i];
        }
      const int64_t* y = targets + k * target_stride;
      for (int64_t i = 0; i < B; ++i) total -= p[y[i * J + j] * B + i];
      exp_nonpositive_in_place(p, Cj * B);
      for (int64_t i = 0; i < B; ++i) sum[i] = p[i];
      for (int64_t c = 1; c < Cj; ++c)
        for (int64_t i = 0; i < B; ++i) sum[i] += p[c * B + i];
      for (int64_t i = 0; i < B; ++i) total += std::log(sum[i]);
      for (int64_t i = 0; i < B; ++i) sum[i] = 1.0f / sum[i];
      for (int64_t c = 0; c < Cj; ++c)
        for (int64_t i = 0; i < B; ++i) p[c * B + i] *= sum[i];
    }
    loss[k] += nonfinite > 0 ? std::nan("") : total;
  }
}

MODSPEC_CLONES void competitive_softmax_backward(int64_t M, int64_t K, int64_t B, int64_t C, const int64_t* classes,
                                                 int64_t J, const float* probs, const int64_t* decider,
                                                 const int64_t* targets, int64_t target_stride, const float* scale,
                                                 float* gout) {
  for (int64_t k = 0; k < K; ++k)
    for (int64_t j = 0, offset = 0; j < J; offset += classes[j], ++j) {
      const int64_t* d = decider + (j * K + k) * B;
      const float* p = probs + (k * C + offset) * B;
      for (int64_t m = 0; m < M; ++m) {
        float* __restrict g = gout + ((m * K + k) * C + offset) * B;
        for (int64_t c = 0; c < classes[j]; ++c)
          for (int64_t i = 0; i < B; ++i) g[c * B + i] = d[i] == m ? scale[k] * p[c * B + i] : 0.0f;
      }
      const int64_t* y = targets + k * target_stride;
      for (int64_t i = 0; i < B; ++i) gout[((d[i] * K + k) * C + offset + y[i * J + j]) * B + i] -= scale[k];
    }
}

MODSPEC_CLONES void gather_bytes(const uint8_t* const* rows, int64_t count, int64_t n, float scale, float shift,
                                 float* out) {
  constexpr int64_t ahead = 8, line = 64;
  for (int64_t r = 0; r < std::min(ahead, count); ++r)
    for (int64_t i = 0; i < n; i += line) __builtin_prefetch(rows[r] + i);
  for (int64_t r = 0; r < count; ++r) {
    if (r + ahead < count)
      for (int64_t i = 0; i < n; i += line) __builtin_prefetch(rows[r + ahead] + i);
    const uint8_t* __restrict in = rows[r];
    float* __restrict o = out + r * n;
    for (int64_t i = 0; i < n; ++i) o[i] = float(in[i]) * scale + shift;
  }
}

MODSPEC_CLONES void mix_structured_noise(int64_t B, int64_t P, int64_t k, const int64_t* other, const float* ratio,
                                         const float* x, const float* src, const uint8_t* keep, float* out) {
  for (int64_t b = 0; b < B; ++b) {
    const float keep_x = 1.0f - ratio[b], per_sample = k > 0 ? ratio[b] / float(k) : 0.0f;
    float* __restrict o = out + b * P;
    const float* __restrict xb = x + b * P;
    for (int64_t p = 0; p < P; ++p) o[p] = keep_x * xb[p];
    if (per_sample == 0.0f) continue;
    for (int64_t j = 0; j < k; ++j) {
      const float* __restrict row = src + other[b * k + j] * P;
      const uint8_t* __restrict kept = keep + j * P;
      for (int64_t p = 0; p < P; ++p) o[p] += per_sample * float(kept[p]) * row[p];
    }
  }
}

MODSPEC_CLONES void draw_keep_bits(uint64_t key, int64_t n, uint32_t threshold, uint8_t* __restrict keep) {
  const int64_t whole = n / 4;
  // A draw's four entries written as one 32-bit word (entry 4c + q its byte q, lowest first): byte
  // by byte, the vectorized loop stored each of them with an extract of its own.
  static_assert(std::endian::native == std::endian::little);
  for (int64_t c = 0; c < whole; ++c) {
    const uint64_t draw = stream_draw(key, uint64_t(c));
    uint32_t word = 0;
    for (int64_t q = 0; q < 4; ++q) word |= uint32_t(((draw >> (16 * q)) & 0xffffu) < threshold) << (8 * q);
    std::memcpy(keep + 4 * c, &word, sizeof(word));
  }
  if (whole * 4 < n) {
    const uint64_t draw = stream_draw(key, uint64_t(whole));
    for (int64_t i = whole * 4; i < n; ++i) keep[i] = uint8_t(((draw >> (16 * (i % 4))) & 0xffffu) < threshold);
  }
}

// AdamW, elementwise: m <- b1 m + (1-b1) g;  v <- b2 v + (1-b2) g^2;
// p <- p (1 - lr wd) - lr/(1-b1^t) * m / (sqrt(v)/sqrt(1-b2^t) + eps)  (kernels.hpp has the names).
MODSPEC_CLONES void adamw_update(const AdamWStep& s, const float* __restrict g, float* __restrict p, float* __restrict m,
                                 float* __restrict v, int64_t n) {
  for (int64_t i = 0; i < n; ++i) {
    const float mi = s.beta1 * m[i] + (1 - s.beta1) * g[i];
    const float vi = s.beta2 * v[i] + (1 - s.beta2) * g[i] * g[i];
    m[i] = mi;
    v[i] = vi;
    p[i] = p[i] * s.decay - s.step_size * mi / (std::sqrt(vi) / s.root_bc2 + s.eps);
  }
}

}  // namespace modspec::kernels
