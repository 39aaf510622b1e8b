// Raw float kernels of the fused training step: the tanh recurrence (model/recurrence.cpp), the
// competitive readout's loss (model/readout.cpp), the AdamW update (train/adamw.cpp), the
// pixels of a batch (env/environment.cpp) and the noise mixed into them (env/presentation.cpp). This file
// includes no torch, so it can be built with the flags that let the compiler vectorize these
// loops (-fno-trapping-math, -fno-math-errno) and with one clone per instruction set (AVX-512,
// AVX2+FMA, baseline).
//
// Matrices are row-major. In the recurrence a "row" is one unit's values over the batch: B
// contiguous floats. Blocks: `count` independent networks-times-modules, each with its own
// weight matrix and state, stored one after the other.
#pragma once
#include <cstdint>

namespace modspec::kernels {

// x <- tanh(x). Absolute and relative error below 2e-7 (tested against std::tanh).
void tanh_in_place(float* x, int64_t n);

// x <- exp(x) for x <= 0 (larger values are read as 0). Relative error below 3e-7.
void exp_nonpositive_in_place(float* x, int64_t n);

// gz <- g * (1 - h^2): the gradient through h = tanh(.).
void tanh_backward(const float* g, const float* h, float* gz, int64_t n);

// Per block i: out_i += w_i h_i. w: [count, N, N], h and out: [count, N, B].
void recurrent_forward(int64_t count, int64_t N, int64_t B, const float* w, const float* h, float* out);

// Per block i: gw_i += gz_i h_i^T and gh_i += w_i^T gz_i (the two gradients of out_i += w_i h_i).
void recurrent_backward(int64_t count, int64_t N, int64_t B, const float* w, const float* h, const float* gz,
                        float* gw, float* gh);

// Inter-module edges, each from row src[e] of the state to row dst[e] of the drive with weight
// w[e]: out[dst[e]] += w[e] * h[src[e]].
void edges_forward(int64_t E, const float* w, const int64_t* src, const int64_t* dst, int64_t B, const float* h,
                   float* out);

// Their gradients: gw[e] += <gz[dst[e]], h[src[e]]> and gh[src[e]] += w[e] * gz[dst[e]].
void edges_backward(int64_t E, const float* w, const int64_t* src, const int64_t* dst, int64_t B, const float* h,
                    const float* gz, float* gw, float* gh);

// Per block i of the readout: out_i = w_i z_i + b_i. z: [count, H, B], w: [count, C, H],
// b: [count, C], out: [count, C, B] (classes-major, so that every loop of the decision runs over
// the batch in contiguous memory).
void readout_forward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w, const float* b,
                     float* out);

// Its gradients from gout [count, C, B]: gw_i += gout_i z_i^T, gb_i += row sums of gout_i,
// gz_i = w_i^T gout_i (overwritten).
void readout_backward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w,
                      const float* gout, float* gz, float* gw, float* gb);

// The competitive decision and the cross-entropy read from it, for K networks of M modules whose
// readouts `out` ([M*K, C, B], block m*K + k) hold J targets of classes[j] classes each, one after
// the other. Per network k, target j and tuple i, the module whose outputs for target j hold the
// largest value decides (the first on ties); decider[j, k, i] records it, probs[k, :, i] gets the
// softmax of its outputs target by target ([K, C, B]), and loss[k] gains
// log-sum-exp - output at network k's targets[i, j]: targets + k * target_stride, [B, J] (stride
// B * J when each network has labels of its own, 0 when all share the batch's). A network with a
// non-finite output anywhere gets a NaN loss, so that it is seen to diverge.
void competitive_softmax(int64_t M, int64_t K, int64_t B, int64_t C, const int64_t* classes, int64_t J,
                         const float* out, const int64_t* targets, int64_t target_stride, float* probs,
                         int64_t* decider, double* loss);

// Its gradient with respect to `out` (overwritten): scale[k] * (softmax - one-hot(target)) in the
// deciding module's outputs, zero in the others.
void competitive_softmax_backward(int64_t M, int64_t K, int64_t B, int64_t C, const int64_t* classes, int64_t J,
                                  const float* probs, const int64_t* decider, const int64_t* targets,
                                  int64_t target_stride, const float* scale, float* gout);

// Image bytes to normalised pixels: row r of out ([rows, n]) is rows[r][i] * scale + shift. The
// rows are scattered over a large image set, so the next ones are fetched while one is converted.
void gather_bytes(const uint8_t* const* rows, int64_t count, int64_t n, float scale, float shift, float* out);

// Structured noise mixed into a batch (env/presentation.hpp), B rows of P pixels:
//   out[b, p] = (1 - r_b) x[b, p] + (r_b / k) sum_{j<k} keep[j, p] src[other[b*k + j], p]
// with keep [k, P] zeros and ones (the pixels each borrowed sample keeps, the same for every row);
// k = 0 leaves (1 - r_b) x.
void mix_structured_noise(int64_t B, int64_t P, int64_t k, const int64_t* other, const float* ratio, const float* x,
                          const float* src, const uint8_t* keep, float* out);

// The keep bits of structured noise from a counter-based stream: draw c is stream_draw(key, c)
// (util/seed.hpp), and its four 16-bit parts, lowest first, decide entries 4c .. 4c + 3:
//   keep[i] = ((draw(i / 4) >> 16 (i % 4)) & 0xffff) < threshold    (probability threshold / 65536)
// No entry waits on another, so the draws fill vector lanes.
void draw_keep_bits(uint64_t key, int64_t n, uint32_t threshold, uint8_t* keep);

// One AdamW step over n values (torch.optim.AdamW's update, step t >= 1, gradient g):
//   m <- beta1 m + (1 - beta1) g
//   v <- beta2 v + (1 - beta2) g^2
//   p <- p (1 - lr weight_decay) - lr / (1 - beta1^t) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
// with decay = 1 - lr * weight_decay, step_size = lr / (1 - beta1^t), root_bc2 = sqrt(1 - beta2^t).
// Checked against torch::optim::AdamW (tests/test_adamw.cpp).
struct AdamWStep {
  float beta1, beta2, eps, decay, step_size, root_bc2;
};
void adamw_update(const AdamWStep& s, const float* g, float* p, float* m, float* v, int64_t n);

}  // namespace modspec::kernels
