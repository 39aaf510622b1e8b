#include "runtime/mlp_kernels.hpp"

#include <algorithm>
#include <cblas.h>
#include <cmath>
#include <vector>

#include "runtime/kernels.hpp"

namespace modspec::kernels {

namespace {

// A = relu(x w1 + b1) [N, Q*h] and O_q = A_q w2_q + b2_q, stored [Q, N, C].
void forward(const MlpShape& s, const float* x, const float* w1, const float* b1, const float* w2, const float* b2,
             float* a, float* o) {
  const int64_t N = s.N, d = s.d, QH = s.Q * s.h, h = s.h, C = s.C;
  cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(N), int(QH), int(d), 1.0f, x, int(d), w1, int(QH), 0.0f,
              a, int(QH));
  for (int64_t i = 0; i < N; ++i) {
    float* row = a + i * QH;
    for (int64_t j = 0; j < QH; ++j) row[j] = std::max(row[j] + b1[j], 0.0f);
  }
  for (int64_t q = 0; q < s.Q; ++q) {
    float* oq = o + q * N * C;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, int(N), int(C), int(h), 1.0f, a + q * h, int(QH),
                w2 + q * h * C, int(C), 0.0f, oq, int(C));
    for (int64_t i = 0; i < N; ++i)
      for (int64_t c = 0; c < C; ++c) oq[i * C + c] += b2[q * C + c];
  }
}

// Column sums of a [rows, cols] matrix into out [cols] (overwritten).
void column_sums(const float* m, int64_t rows, int64_t cols, float* out) {
  std::fill(out, out + cols, 0.0f);
  for (int64_t i = 0; i < rows; ++i)
    for (int64_t j = 0; j < cols; ++j) out[j] += m[i * cols + j];
}

// Scratch kept per thread: a readout step runs thousands of times on the same shapes.
std::vector<float>& scratch(int which) {
  thread_local std::vector<float> buffers[3];
  return buffers[which];
}

}  // namespace

double mlp_loss_and_gradients(const MlpShape& s, const float* x, const int64_t* y, const float* w1, const float* b1,
                              const float* w2, const float* b2, float* gw1, float* gb1, float* gw2, float* gb2) {
  const int64_t N = s.N, QH = s.Q * s.h, h = s.h, C = s.C;
  auto& a = scratch(0);
  auto& o = scratch(1);
  auto& ga = scratch(2);
  a.resize(size_t(N * QH));
  o.resize(size_t(s.Q * N * C));
  ga.resize(size_t(N * QH));
  forward(s, x, w1, b1, w2, b2, a.data(), o.data());
  // Softmax cross-entropy, its gradient written over the outputs: G_q = (p - onehot) / N. The
  // outputs are shifted by their row's largest so that one vectorized exp covers them all.
  double loss = 0;
  const int64_t rows = s.Q * N;
  for (int64_t r = 0; r < rows; ++r) {
    float* row = o.data() + r * C;
    const float top = *std::max_element(row, row + C);
    for (int64_t c = 0; c < C; ++c) row[c] -= top;
    loss -= double(row[y[r]]);
  }
  exp_nonpositive_in_place(o.data(), rows * C);
  const float inv_n = 1.0f / float(N);
  for (int64_t r = 0; r < rows; ++r) {
    float* row = o.data() + r * C;
    float sum = 0;
    for (int64_t c = 0; c < C; ++c) sum += row[c];
    loss += double(std::log(sum));
    const float scale = inv_n / sum;
    for (int64_t c = 0; c < C; ++c) row[c] *= scale;
    row[y[r]] -= inv_n;
  }
  loss /= double(N);
  for (int64_t q = 0; q < s.Q; ++q) {
    const float* g = o.data() + q * N * C;
    cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(h), int(C), int(N), 1.0f, a.data() + q * h, int(QH), g,
                int(C), 0.0f, gw2 + q * h * C, int(C));
    column_sums(g, N, C, gb2 + q * C);
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, int(N), int(h), int(C), 1.0f, g, int(C), w2 + q * h * C,
                int(C), 0.0f, ga.data() + q * h, int(QH));
  }
  for (int64_t j = 0; j < N * QH; ++j) ga[size_t(j)] = a[size_t(j)] > 0.0f ? ga[size_t(j)] : 0.0f;
  cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, int(s.d), int(QH), int(N), 1.0f, x, int(s.d), ga.data(),
              int(QH), 0.0f, gw1, int(QH));
  column_sums(ga.data(), N, QH, gb1);
  return loss;
}

void mlp_predict(const MlpShape& s, const float* x, const float* w1, const float* b1, const float* w2, const float* b2,
                 int64_t* classes) {
  constexpr int64_t kChunk = 512;
  const int64_t C = s.C;
  auto& a = scratch(0);
  auto& o = scratch(1);
  for (int64_t begin = 0; begin < s.N; begin += kChunk) {
    MlpShape part = s;
    part.N = std::min(kChunk, s.N - begin);
    a.resize(size_t(part.N * s.Q * s.h));
    o.resize(size_t(s.Q * part.N * C));
    forward(part, x + begin * s.d, w1, b1, w2, b2, a.data(), o.data());
    for (int64_t q = 0; q < s.Q; ++q)
      for (int64_t i = 0; i < part.N; ++i) {
        const float* row = o.data() + (q * part.N + i) * C;
        classes[q * s.N + begin + i] = std::max_element(row, row + C) - row;
      }
  }
}

}  // namespace modspec::kernels
