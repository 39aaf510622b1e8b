// The recurrent part of a stack: within-module products and the sparse inter-module edges, and
// the tanh RNN unrolled over its steps. Layouts as in modular_rnn.hpp (MK = modules * networks,
// G gates, N padded units, B batch, E edges of the whole stack):
//   h         [MK, N, B]
//   w_rec     [MK, G*N, N]   already masked
//   w_inter   [G, E]
//   src_row   [E]            row of h.view({MK*N, B}) each edge reads
//   dst_row   [G*E]          row of the drive .view({MK*G*N, B}) each edge (and gate) writes
#pragma once
#include <torch/torch.h>
#include <vector>

namespace modspec {

struct InterEdges {
  torch::Tensor weight, src_row, dst_row;
};

// w_rec h, plus each edge's weight times its source unit when `communicate`: [MK, G*N, B].
torch::Tensor recurrent_drive(const torch::Tensor& h, const torch::Tensor& w_rec, const InterEdges& edges,
                              bool communicate);

// The tanh RNN over comms.size() steps: h_0 = tanh(u_0), h_t = tanh(u_t + drive(h_{t-1})), the
// edges carrying signal at the steps where comms is true. u holds the input drive with its bias:
// [MK, N, B] when the input is static (the same every step) or [MK, N, T*B] (step t in columns
// [t*B, (t+1)*B)). Returns every step's state h_t, each [MK, N, B].
//
// On the CPU in float this is one autograd node with a hand-written backward (the per-operator
// cost of ~50 small autograd nodes per step was most of a training step); elsewhere it is
// tanh_recurrence_reference.
std::vector<torch::Tensor> tanh_recurrence(const torch::Tensor& u, const torch::Tensor& w_rec, const InterEdges& edges,
                                           const std::vector<bool>& comms, int64_t batch);

// The same built from LibTorch operators with autograd's own backward: runs on every device and is
// the reference the fused version is tested against.
std::vector<torch::Tensor> tanh_recurrence_reference(const torch::Tensor& u, const torch::Tensor& w_rec,
                                                     const InterEdges& edges, const std::vector<bool>& comms,
                                                     int64_t batch);

}  // namespace modspec
