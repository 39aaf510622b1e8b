// A stack of K independent modular recurrent networks run as one (docs/ARCHITECTURE.md, performance principle 1).
//
// Each network has M modules of n units (stack-mates with smaller n are padded to the stack's
// largest n; padded units have zero input weights and bias, so they stay at 0 and affect
// nothing). Notation: K networks, M modules, G gates (1 for tanh RNN, 3 for GRU: r, z, c),
// N = padded n, S stimuli, P pixels, B batch, T steps, Ctot = classes summed over targets.
//
// Layouts (chosen so that every product is one batched matmul with no copies):
//   hidden state h        [M*K, N, B]        units before batch; row block m*K + k
//   w_in  (separate)      [M, K*G*N, P]      module m's own stimulus only
//   w_in  (shared)        [M*K*G*N, S*P]     every module sees every stimulus
//   b_in                  [M*K, G*N, 1]
//   w_rec                 [M*K, G*N, N]      within-module recurrence, masked by rec_mask
//   w_inter               [G, E]             one weight per inter-module edge of the stack (E over
//                                            all networks); never a dense n x n block of zeros
//   w_bn, b_bn            [M*K, b, N], [M*K, b, 1]        optional bottleneck
//   w_out, b_out separate [M*K, Ctot, H], [M*K, 1, Ctot]  H = b or N (blockdiag alike)
//   w_out, b_out shared   [K, Ctot, M*H],  [K, 1, Ctot]
// The recurrent layers have no bias. Static inputs are projected once per sample; dynamic
// inputs once per sample and step, all steps in one product.
#pragma once
#include <map>
#include <string>
#include <torch/torch.h>
#include <vector>

#include "model/architecture.hpp"
#include "model/connectivity.hpp"

namespace modspec {

struct ForwardResult {
  std::vector<torch::Tensor> logits;   // per target [K, B, C_j] ([K, B, M*C_j] for blockdiag): what the loss sees
  std::vector<torch::Tensor> decider;  // per target [K, B] int64 module that decided (separate and blockdiag readouts)
  std::vector<torch::Tensor> states;   // per step [M*K, N, B], only when asked for
};

// One network's weights in its own (unpadded, K = 1) layout, keyed by parameter name.
using NetworkState = std::map<std::string, torch::Tensor>;

// The weights a stack computes with, in the stack's layout above (w_bn, b_bn undefined without a
// bottleneck). forward() uses the parameters; forward_with() any tensors of the same shapes, such
// as the parameters times a mask.
struct StackWeights {
  torch::Tensor w_in, b_in, w_rec, w_inter, w_bn, b_bn, w_out, b_out;
  torch::Tensor& at(const std::string& name);
};

// Who owns each entry of a parameter: the network of the stack (-1 for padding and for the
// structural zeros of the within-module diagonal) and the module (-1 for entries of no single
// module: inter-module edges, a shared readout's bias). Both int64, shaped like the parameter.
struct EntryOwners {
  torch::Tensor network, module;
};

struct ForegroundBatch;  // env/environment.hpp

class ModularRNNImpl : public torch::nn::Module {
 public:
  ModularRNNImpl(Architecture arch, std::vector<NetworkSpec> specs, torch::Device device = torch::kCPU);

  // x: [S, T, B, P] (T = 1 for static inputs, else T = nb_steps).
  ForwardResult forward(const torch::Tensor& x, bool keep_states = false);
  // The same computation with other weights (the weight-mask measure's masked networks).
  ForwardResult forward_with(const StackWeights& weights, const torch::Tensor& x, bool keep_states = false);
  // The inputs' projection through this stack's own w_in and b_in, [M*K, G*N, T*B] for x
  // [S, T, B, P], and forward_with from such a projection of B tuples: the weight-mask measure
  // projects the inputs once for masked copies that share their input weights.
  torch::Tensor project(const torch::Tensor& x) const;
  // The same two for statically presented tuples given by their pixels off the background, which
  // alone are multiplied (model/input_projection.hpp), on a CPU stack of float weights
  // (reads_foreground()); loss() below takes them too.
  torch::Tensor project(const ForegroundBatch& x) const;
  ForwardResult forward(const ForegroundBatch& x, bool keep_states = false);
  bool reads_foreground() const;
  ForwardResult forward_projected(const StackWeights& weights, const torch::Tensor& u, int64_t B,
                                  bool keep_states = false);
  // Every step's state [M*K, G*N, B] from such a projection of B tuples, as forward's
  // keep_states gives them, without the readout's decisions: what the measures cache.
  std::vector<torch::Tensor> states_projected(const torch::Tensor& u, int64_t B) const;
  // The projection of x through other weights, [M*K, G*N, T*B] (the weight masks' masked input
  // weights).
  torch::Tensor project_inputs(const StackWeights& w, const torch::Tensor& x) const;
  // Each network's loss on its first target alone, [K], with labels of its own, y [K, B] int64
  // (the weight masks: replica k learns one digit's classes), from the projection u of B tuples,
  // through `weights`: stack_loss of forward_projected's first logits, in one fused node
  // (competitive_loss on the first target's outputs) for separate readouts.
  torch::Tensor first_target_loss(const StackWeights& weights, const torch::Tensor& u, int64_t B,
                                  const torch::Tensor& y);
  // The parameters, as forward() uses them (w_rec already masked by the within-module mask).
  StackWeights weights() const;
  // The names of the parameters this architecture has, in the stack layout above.
  const std::vector<std::string>& parameter_names() const;
  EntryOwners entry_owners(const std::string& name) const;

  // The training loss of each network, [K]: cross-entropy of its decisions summed over the
  // targets, each averaged over the batch (stack_loss of forward's logits, in fewer operations).
  // targets: [B, n_targets].
  torch::Tensor loss(const torch::Tensor& x, const torch::Tensor& targets);
  torch::Tensor loss(const ForegroundBatch& x, const torch::Tensor& targets);

  const Architecture& arch() const { return arch_; }
  const std::vector<NetworkSpec>& specs() const { return specs_; }
  int64_t stack_size() const { return int64_t(specs_.size()); }
  int64_t padded_n() const { return N_; }
  const std::vector<Edge>& edges(int64_t k) const { return edges_[size_t(k)]; }

  // Trainable parameters of network k (its own units and edges only).
  int64_t parameter_count(int64_t k) const;

  NetworkState network_state(int64_t k) const;
  void load_network_state(int64_t k, const NetworkState& state);
  // The same for any tensors shaped like the stack's parameters and keyed by their names (an
  // optimizer's moments, say): network k's part in its own K = 1 layout, and writing it back.
  NetworkState network_part(int64_t k, const NetworkState& stacked) const;
  void load_network_part(int64_t k, const NetworkState& part, const NetworkState& stacked) const;
  // The parameters keyed by name.
  NetworkState named_tensors() const;

 private:
  torch::Tensor project_inputs(const StackWeights& w, const ForegroundBatch& x) const;  // -> [M*K, G*N, T*B]
  // loss() from the projection u of B tuples, on the first J targets that `targets` ([B, J], or
  // [K, B, J] with labels of each network's own) holds.
  torch::Tensor loss_projected(const StackWeights& w, const torch::Tensor& u, int64_t B, const torch::Tensor& targets);
  // The input weights as project_pixels' blocks: shared input [1, M*K*G*N, S*P], else
  // [S, K*G*N, P]; and their biases [blocks, rows, 1] (padding masked in both).
  std::pair<torch::Tensor, torch::Tensor> input_blocks(const StackWeights& w) const;
  // What the readouts see, [M*K, H, B], from the projection u of B tuples; every step's state is
  // appended to `states` when given.
  torch::Tensor readout_input(const StackWeights& w, const torch::Tensor& u, int64_t B,
                              std::vector<torch::Tensor>* states) const;

  Architecture arch_;
  std::vector<NetworkSpec> specs_;
  std::vector<std::vector<Edge>> edges_;
  std::vector<int64_t> edge_offset_;  // network k owns columns [edge_offset_[k], edge_offset_[k+1]) of w_inter
  int64_t K_, M_, G_, N_;
  bool padded_ = false;

  torch::Tensor w_in_, b_in_, w_rec_, w_inter_, w_bn_, b_bn_, w_out_, b_out_;
  torch::Tensor rec_mask_;  // [M*K, G*N, N] zero diagonal and padding
  torch::Tensor in_mask_;   // [M*K, G*N, 1] zero for padded units (only when padded_)
  torch::Tensor src_row_;   // [E] row of h.view({M*K*N, B}) each edge reads
  torch::Tensor dst_row_;   // [G*E] row of the gate pre-activations each edge writes
};
TORCH_MODULE(ModularRNN);

// A new stack of networks `which` of `stack`, in that order: their specs and weights, padded only
// to their own largest n, on the stack's device. The trainer drops stopped networks with it, and
// the measures take a wide stack a few networks at a time.
ModularRNN sub_stack(const ModularRNNImpl& stack, const std::vector<int64_t>& which);

}  // namespace modspec
