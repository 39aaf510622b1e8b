// The floating-point work of training and measuring one network, counted from its shapes: the
// floor against which the benchmarks (bench/) read their times. Multiply-adds count as 2 FLOPs;
// elementwise work (tanh, softmax, Adam) is left out, so the count is a lower bound.
#pragma once
#include <cstdint>

#include "model/architecture.hpp"

namespace modspec {

// One optimizer step on a batch of B (forward and backward). Forward: the input projection
// (at every step when the inputs change over the steps: noise, random starts; once when they
// are static), T-1 recurrent products (h_0 = 0) with the inter-module edges, and the readouts.
// Backward: twice the forward for every product whose input needs a gradient; the input
// projection needs only its weight gradient (2x its forward in all).
double training_step_flops(const Architecture& arch, const NetworkSpec& spec, int64_t B, bool inputs_change);

// One step of the weight masks (metrics/weight_masks.hpp) of one network on a batch of B: its
// `replicas` masked copies forward and backward through the recurrence and the readouts. The
// input projection: once for all replicas when the masks leave the input weights alone, else per
// replica with the gradient of its masked input weights (2x its forward).
double mask_step_flops(const Architecture& arch, const NetworkSpec& spec, int64_t B, bool inputs_change,
                       int64_t replicas, bool inputs_masked);

// The readouts of the retraining and ablation measures (metrics/readout_training.hpp) on one
// network: `epochs` passes over `tuples` cached training tuples of Linear(d, h)-ReLU-Linear(h, C)
// readouts, forward and backward (the first layer needs no input gradient), for T*M*S
// one-module readouts (d = n) and, with `ablation`, T*S all-module ones (d = M*n).
double readout_training_flops(const Architecture& arch, const NetworkSpec& spec, int64_t tuples, int64_t epochs,
                              int64_t hidden, int64_t classes, bool ablation);

}  // namespace modspec
