// The weight-mask measure (`masks`, after Béna & Goodman 2021): with a trained network frozen,
// learn a binary mask over its weights such that the masked network still tells stimulus k's
// class from its own decision output at the last step, then count where the kept weights lie.
//
// Masked weights (metrics.mask_scope): each module's recurrent matrix and each module's readout
// (weights and biases; a bottleneck counts as readout) for "recurrent+readout", plus the input
// weights and biases and the inter-module edges for "all". Structural zeros (the within-module
// diagonal, padding) are never masked.
//
// Parametrisations (metrics.mask_method), for one real parameter p per masked weight w:
//   top_k   edge-popup (Ramanujan et al. 2020), p a score, U(+-1/sqrt(fan-in)) for weights and
//           N(0, 0.01) for biases as the original code: every forward keeps the weights whose
//           scores are among the highest metrics.mask_keep fraction of the network's masked
//           weights (one global ranking) and zeroes the rest. Forward w * m with m in {0, 1};
//           backward straight through the threshold: dL/dp = dL/d(w m) * w. SGD with momentum.
//   gumbel  Csordás et al. 2021, p a logit starting at 2: m = [s > 1/2] with
//           s = sigmoid((p + log u - log(1 - u)) / tau), u ~ U(0, 1) drawn afresh every step;
//           backward straight through: dL/dp = dL/d(w m) * w * ds/dp. The loss gains
//           metrics.mask_alpha * sum(p); Adam. At test time m = [p > 0].
//
// Numbers, per network and digit k: P(k, m) = kept weights in module m / all kept weights (edges
// and a shared readout's bias belong to no module: they count in the total only); base b_m =
// module m's share of all masked weights; the masked network's test accuracy on digit k.
#pragma once
#include <cstdint>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"

namespace modspec {

struct MaskSettings {
  bool gumbel = false;          // metrics.mask_method
  bool all_weights = false;     // metrics.mask_scope = "all"
  double keep = 0.1;            // top_k: fraction kept
  double lr = 0.1, momentum = 0.9, weight_decay = 5e-4;  // top_k: SGD
  double gumbel_lr = 1e-2, alpha = 1e-4, temperature = 1.0;  // gumbel: Adam, logit penalty
  int64_t epochs = 1, batch = 256;
  uint64_t seed = 0;
};

// The masks of one stack: R = L * S * K of them, mask r = (c * S + k) * K + net for label set c,
// digit k and network net of the stack. Label set 0 is the tuples' own digits; label sets c >= 1
// shuffle them across tuples (the permutation null), each with its own permutation.
struct MaskOutcome {
  torch::Tensor kept_share;  // [R, M] float64: P(k, m)
  torch::Tensor base;        // [R, M] float64: b_m
  torch::Tensor accuracy;    // [R] float64: the masked network's test accuracy on its digit's labels
};

// The masked entries of a stack of networks and their parameters (scores or logits), grouped by
// network. Exposed for the tests; train_masks below uses it.
class MaskedWeights {
 public:
  MaskedWeights(const ModularRNNImpl& stack, const MaskSettings& settings);

  // The weights times the training mask: hard (0 or 1) forward, straight-through backward to the
  // scores or logits only (the weights are frozen: on the CPU in float no gradient reaches them).
  StackWeights apply(const StackWeights& weights) const;
  // The weights times any mask over the masked entries ([E], entry order; others keep their weight).
  StackWeights apply_mask(const StackWeights& weights, const torch::Tensor& mask) const;
  // The relaxation whose derivative the straight-through gradient borrows, [E]: top_k the scores
  // themselves, gumbel the noisy sigmoid s.
  torch::Tensor relaxation() const;
  // The hard training mask [E] of 0 and 1 (top_k: the top scores; gumbel: s > 1/2 with the current noise).
  torch::Tensor hard() const;
  // The mask as evaluated at test time, [E] (top_k: as in training; gumbel: logit > 0).
  torch::Tensor test_mask() const;
  // Per network of the stack and module, [K, M]: kept entries of a mask, and masked entries.
  // Entries of no module count in neither; kept_per_network [K] counts them too.
  torch::Tensor kept_per_module(const torch::Tensor& mask) const;
  torch::Tensor entries_per_module() const;
  torch::Tensor kept_per_network(const torch::Tensor& mask) const;
  torch::Tensor entries_per_network() const;

  int64_t size() const { return p_.size(0); }
  torch::Tensor& parameters() { return p_; }
  // Fresh gumbel noise for the next steps (top_k: nothing).
  void draw_noise(torch::Generator& gen);

 private:
  struct Block {
    std::string name;        // parameter
    torch::Tensor flat;      // [e] its entries' positions in the flattened parameter
    torch::Tensor position;  // [e] the same entries' positions in p_
  };
  MaskSettings settings_;
  int64_t K_ = 0, M_ = 0;
  std::vector<Block> blocks_;
  torch::Tensor p_;         // [E] scores or logits (requires grad), entries grouped by network
  torch::Tensor network_;   // [E] int64
  torch::Tensor module_;    // [E] int64, -1 for entries of no module
  std::vector<int64_t> start_, count_;  // per network: its entries' range in p_
  torch::Tensor noise_;     // [E] gumbel: log u - log(1 - u)
  // top_k: each network's threshold at the last hard(), where the next one looks first.
  mutable std::vector<double> last_threshold_;
};

// Trains every mask of a stack at once: the stack's networks are replicated L * S times, frozen,
// and each replica's mask learns its digit's labels (label set c) on the training tuples for
// metrics.mask_epochs epochs; then the test tuples give each mask's accuracy. `labels[c]` holds
// the digits [N_train, S] and [N_test, S] of label set c.
struct MaskLabels {
  torch::Tensor train, test;
};
// `projection` may hold the stack's input projection of the training and test tuples,
// [N, M*K, G*N] each (MeasureContext's, from the states it caches): the masks then read their
// batches' columns from it instead of projecting them (static presentations, mask_scope
// recurrent+readout; an undefined one is computed batch by batch).
struct MaskProjection {
  torch::Tensor train, test;
};
MaskOutcome train_masks(const ModularRNNImpl& stack, const Environment& env, const std::vector<MaskLabels>& labels,
                        const MaskSettings& settings, const MaskProjection& projection = {});

// The inputs' projection of R = L * S * K replicas whose masks leave w_in and b_in alone
// (mask_scope recurrent+readout): each network's projection u through `stack`, [M*K, G*N, T*B]
// (ModularRNN::project, StackInput::project), computed once and repeated for its R/K replicas
// (replica r is network r % K), [M*R, G*N, T*B], as the replicas' forward_projected takes it; no
// gradient flows back through it. train_masks uses it; exposed for the tests.
torch::Tensor replicas_projection(const ModularRNNImpl& stack, const torch::Tensor& u, int64_t R);

}  // namespace modspec
