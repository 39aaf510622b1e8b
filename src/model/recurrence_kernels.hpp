// Raw float kernels of the fused tanh recurrence (recurrence.cpp). This file includes no torch,
// so it can be built with the flags that let the compiler vectorize these loops
// (-fno-trapping-math) and with one clone per instruction set (AVX-512, AVX2+FMA, baseline).
//
// Matrices are row-major. A "row" is one unit's values over the batch: B contiguous floats.
// Blocks: `count` independent networks-times-modules, each with an [N, N] weight matrix and an
// [N, B] state, stored one after the other.
#pragma once
#include <cstdint>

namespace modspec::kernels {

// x <- tanh(x). Absolute and relative error below 2e-7 (tested against std::tanh).
void tanh_in_place(float* x, int64_t n);

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

}  // namespace modspec::kernels
