// How the readouts of one network's measures are laid out over its cached states
// (metrics.retraining_readout). Cache [T, M, N, n]: T steps, M modules, N tuples, n units;
// digits y [N, S]. Readouts "R1" read one module for one digit; readouts "R2" (ablation's) read
// all modules for one digit.
#pragma once
#include <cstdint>
#include <torch/torch.h>

namespace modspec {

// The readouts' inputs and labels for the tuples `rows` of a cache [T, M, N, n] with digits
// y [N, S]. Per step: one readout per (t, m, k), each on its own step's states. Shared over steps
// (the original implementation's choice): one readout per (m, k), trained on the states of every
// step at once (T*B samples) and evaluated on each step's states.
struct ReadoutLayout {
  bool shared_over_steps;
  int64_t T, M, S;

  int64_t module_readouts() const { return (shared_over_steps ? 1 : T) * M * S; }
  int64_t joint_readouts() const { return (shared_over_steps ? 1 : T) * S; }

  // Module m's states for readouts (t, m, k) or (m, k): [R1, B, n] or [R1, T*B, n].
  torch::Tensor module_inputs(const torch::Tensor& cache, const torch::Tensor& rows) const {
    const int64_t n = cache.size(3);
    if (!shared_over_steps) return cache.view({T * M, -1, n}).index_select(1, rows).repeat_interleave(S, 0);
    return cache.index_select(2, rows).permute({1, 0, 2, 3}).reshape({M, -1, n}).repeat_interleave(S, 0);
  }
  // Every module's states for readouts (t, k) or (k): [R2, B, M*n] or [R2, T*B, M*n].
  torch::Tensor joint_inputs(const torch::Tensor& cache, const torch::Tensor& rows) const {
    const int64_t n = cache.size(3);
    auto x = cache.index_select(2, rows).permute({0, 2, 1, 3}).reshape({T, rows.size(0), M * n});
    if (!shared_over_steps) return x.repeat_interleave(S, 0);
    return x.reshape({1, -1, M * n}).expand({S, -1, -1});
  }
  // Labels of those samples: y_rows [B, S] -> [R1, B or T*B] and [R2, B or T*B].
  torch::Tensor module_labels(const torch::Tensor& y_rows) const {
    return shared_over_steps ? y_rows.t().repeat({M, T}) : y_rows.t().repeat({T * M, 1});
  }
  torch::Tensor joint_labels(const torch::Tensor& y_rows) const {
    return shared_over_steps ? y_rows.t().repeat({1, T}) : y_rows.t().repeat({T, 1});
  }
  // What readouts answered per evaluated sample, [R1, ...] or [R2, ...], in the per-step order
  // (t, m, k) -> (t*M + m)*S + k and (t, k) -> t*S + k: [T*M*S, N] and [T*S, N].
  torch::Tensor module_per_step(const torch::Tensor& c) const {
    return shared_over_steps ? c.view({M * S, T, -1}).transpose(0, 1).reshape({T * M * S, -1}) : c;
  }
  torch::Tensor joint_per_step(const torch::Tensor& c) const {
    return shared_over_steps ? c.view({S, T, -1}).transpose(0, 1).reshape({T * S, -1}) : c;
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
