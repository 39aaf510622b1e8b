// Raw float kernels of the fused training step: the tanh recurrence (recurrence.cpp) and the
// competitive readout's loss (readout.cpp). This file includes no torch, so it can be built with
// the flag that lets the compiler vectorize these loops (-fno-trapping-math) and with one clone
// per instruction set (AVX-512, AVX2+FMA, baseline).
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

// Per block i of the readout: out_i = z_i^T w_i^T + b_i. z: [count, H, B], w: [count, C, H],
// b: [count, C], out: [count, B, C] (classes last, so a decision reads contiguous memory).
void readout_forward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w, const float* b,
                     float* out);

// Its gradients from gout [count, B, C]: gw_i += gout_i^T z_i^T, gb_i += column sums of gout_i,
// gz_i = w_i^T gout_i^T (overwritten).
void readout_backward(int64_t count, int64_t H, int64_t B, int64_t C, const float* z, const float* w,
                      const float* gout, float* gz, float* gw, float* gb);

}  // namespace modspec::kernels
