// The memory a stack will need, estimated from its shapes before anything is allocated, so that
// a configuration far beyond the machine (model.n = 4096 with a batch of a million) is refused
// in one line instead of growing until the system kills it.
#pragma once
#include <cstdint>
#include <vector>

#include "model/architecture.hpp"
#include "train/train_spec.hpp"

namespace modspec {

// Bytes (float32) for training and measuring `specs` as one stack, K = specs.size(), N the
// largest n, M modules, G gates, T steps, B the batch, I the input width of a module (S*P shared,
// P separate), C the classes, R the tuples the measures run (train and test; 0: no measures), W
// the networks measured together:
//   parameters, gradients and both Adam moments   4 * K * M * G * N * (I + N + C)
//   activations kept for the backward pass        4 * T * K * B * M * G * N
//   the inputs of a batch                         T * B * S * P
//   the states the measures cache, and copies     2 * (T + 1) * W * R * M * N
// A deliberate overestimate of the dominant terms, not a prediction to the byte (measured at
// n = 100, 3 steps: about 0.25 GB per measured network, where the last term counts 0.36 GB). The
// last term also covers the input projection the weight masks read from the measures (G * W * R *
// M * N, metrics/measure_context.hpp): the states are written in place, with no copy of them.
double stack_bytes(const Architecture& arch, const std::vector<NetworkSpec>& specs, const TrainSpec& train,
                   int64_t measured_tuples, int64_t measured_together);

// The memory available to a new allocation (MemAvailable of /proc/meminfo); 0 when unknown.
double available_bytes();

// Throws an Error when the stack's estimate exceeds the available memory, saying by how much and
// which keys to lower.
void require_memory_for_stack(const Architecture& arch, const std::vector<NetworkSpec>& specs, const TrainSpec& train,
                              int64_t measured_tuples, int64_t measured_together);

}  // namespace modspec
