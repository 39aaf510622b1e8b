// How the readouts of one network's measures are laid out over its cached states
// (metrics.retraining_readout). Cache [T, M, N, n]: T steps, M modules, N tuples, n units;
// digits y [N, S]. Readouts "R1" read one module for one digit; readouts "R2" (ablation's) read
// all modules for one digit.
#pragma once
#include <cstdint>
#include <torch/torch.h>
#include <vector>

namespace modspec {

// The readouts' inputs and labels for the tuples `rows` of a cache [T, M, N, n] with digits
// y [N, S]. Per step: one readout per (t, m, k), each on its own step's states. Shared over steps
// (the original implementation's choice): one readout per (m, k), trained on the states of every
// step at once (T*B samples) and evaluated on each step's states. The S readouts of one input
// read the same rows, so inputs are built once per input, not per readout.
struct ReadoutLayout {
  bool shared_over_steps;
  int64_t T, M, S;

  // Inputs, each read by S readouts (one per digit): module inputs (t, m) or (m), joint inputs
  // (t) or one.
  int64_t module_inputs() const { return (shared_over_steps ? 1 : T) * M; }
  int64_t joint_inputs() const { return shared_over_steps ? 1 : T; }
  int64_t module_readouts() const { return module_inputs() * S; }
  int64_t joint_readouts() const { return joint_inputs() * S; }

  // Module m's states: [T*M, B, n] per step, [M, T*B, n] shared (step-major rows).
  torch::Tensor module_inputs(const torch::Tensor& cache, const torch::Tensor& rows) const {
    const int64_t n = cache.size(3);
    if (!shared_over_steps) return cache.reshape({T * M, -1, n}).index_select(1, rows);
    return cache.index_select(2, rows).permute({1, 0, 2, 3}).reshape({M, -1, n});
  }
  // Every module's states side by side: [T, B, M*n] per step, [1, T*B, M*n] shared.
  torch::Tensor joint_inputs(const torch::Tensor& cache, const torch::Tensor& rows) const {
    const int64_t n = cache.size(3);
    auto x = cache.index_select(2, rows).permute({0, 2, 1, 3}).reshape({T, rows.size(0), M * n});
    return shared_over_steps ? x.reshape({1, -1, M * n}) : x;
  }
  // The same put straight into the readout kernels' lanes (runtime/mlp_kernels.hpp), one block
  // [n, lanes_of(rows)] per module input, gathered from the cache [T, M, N, n] (float, on the
  // CPU) without the copies above: xt is resized to hold them. Returns the rows each input has
  // (B, or T*B shared). They are the joint inputs' lanes too: joint input t is module inputs
  // (t, 0..M-1) side by side, and in lanes feature-major that is their blocks one after the other,
  // [M*n, lanes_of(rows)], the same floats.
  int64_t module_lanes(const torch::Tensor& cache, const torch::Tensor& rows, std::vector<float>& xt) const;
  // The digits those rows hold, one row per readout of an input: y_rows [B, S] -> [S, B], or
  // [S, T*B] repeated over the steps when shared.
  torch::Tensor labels(const torch::Tensor& y_rows) const {
    return shared_over_steps ? y_rows.t().repeat({1, T}) : y_rows.t().contiguous();
  }
  // The classes one label set's readouts picked, [inputs, S, rows] as ReadoutStack::predict gives
  // them, in the per-step order (t, m, k) -> (t*M + m)*S + k and (t, k) -> t*S + k: [T*M*S, N]
  // and [T*S, N].
  torch::Tensor module_per_step(const torch::Tensor& c) const {
    if (!shared_over_steps) return c.reshape({T * M * S, -1});
    return c.reshape({M, S, T, -1}).permute({2, 0, 1, 3}).reshape({T * M * S, -1});
  }
  torch::Tensor joint_per_step(const torch::Tensor& c) const {
    if (!shared_over_steps) return c.reshape({T * S, -1});
    return c.reshape({S, T, -1}).transpose(0, 1).reshape({T * S, -1});
  }
  // Per-step accuracies [T*M*S] or [T*S] -> whether each readout reached `stop`, per evaluated
  // row: a readout shared over steps is judged on its mean over the steps, and all its rows
  // keep the same epoch.
  torch::Tensor reached(const torch::Tensor& accuracy, double stop) const {
    if (!shared_over_steps) return accuracy.ge(stop);
    const int64_t per_step = accuracy.size(0) / T;
    return accuracy.view({T, per_step}).mean(0).ge(stop).repeat({T});
  }
};

}  // namespace modspec
