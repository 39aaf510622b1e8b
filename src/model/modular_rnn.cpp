#include "model/modular_rnn.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "env/environment.hpp"
#include "model/input_projection.hpp"
#include "model/readout.hpp"
#include "model/recurrence.hpp"
#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

torch::Tensor uniform(torch::IntArrayRef shape, double bound, torch::Generator& gen) {
  return torch::rand(shape, gen) * (2 * bound) - bound;
}

const std::vector<std::string>& names_of(const Architecture& arch) {
  static const std::vector<std::string> plain{"w_in", "b_in", "w_rec", "w_inter", "w_out", "b_out"};
  static const std::vector<std::string> with_bn{"w_in", "b_in", "w_rec", "w_inter", "w_bn", "b_bn", "w_out", "b_out"};
  return arch.bottleneck > 0 ? with_bn : plain;
}

}  // namespace

ModularRNNImpl::ModularRNNImpl(Architecture arch, std::vector<NetworkSpec> specs, torch::Device device)
    : arch_(std::move(arch)), specs_(std::move(specs)) {
  if (specs_.empty()) throw Error("a stack needs at least one network");
  K_ = int64_t(specs_.size());
  M_ = arch_.n_modules;
  G_ = arch_.gates();
  N_ = 0;
  for (const auto& s : specs_) N_ = std::max(N_, s.n);
  for (const auto& s : specs_) padded_ = padded_ || s.n != N_;
  const int64_t S = arch_.n_stimuli, P = arch_.pixels, C = arch_.total_classes();
  const int64_t H = arch_.bottleneck > 0 ? arch_.bottleneck : N_;

  edge_offset_.push_back(0);
  std::vector<int64_t> src, dst;
  for (int64_t k = 0; k < K_; ++k) {
    edges_.push_back(draw_inter_edges(arch_, specs_[size_t(k)]));
    for (const auto& e : edges_.back()) src.push_back((e.src_module * K_ + k) * N_ + e.src_unit);
    edge_offset_.push_back(edge_offset_.back() + int64_t(edges_.back().size()));
  }
  const int64_t E = edge_offset_.back();
  for (int64_t g = 0; g < G_; ++g)
    for (int64_t k = 0; k < K_; ++k)
      for (const auto& e : edges_[size_t(k)]) dst.push_back(((e.dst_module * K_ + k) * G_ + g) * N_ + e.dst_unit);

  auto zeros = [](torch::IntArrayRef shape) { return torch::zeros(shape); };
  w_in_ = register_parameter("w_in", arch_.shared_input ? zeros({M_ * K_ * G_ * N_, S * P}) : zeros({M_, K_ * G_ * N_, P}));
  b_in_ = register_parameter("b_in", zeros({M_ * K_, G_ * N_, 1}));
  w_rec_ = register_parameter("w_rec", zeros({M_ * K_, G_ * N_, N_}));
  w_inter_ = register_parameter("w_inter", zeros({G_, E}));
  if (arch_.bottleneck > 0) {
    w_bn_ = register_parameter("w_bn", zeros({M_ * K_, arch_.bottleneck, N_}));
    b_bn_ = register_parameter("b_bn", zeros({M_ * K_, arch_.bottleneck, 1}));
  }
  if (arch_.shared_readout()) {
    w_out_ = register_parameter("w_out", zeros({K_, C, M_ * H}));
    b_out_ = register_parameter("b_out", zeros({K_, 1, C}));
  } else {
    w_out_ = register_parameter("w_out", zeros({M_ * K_, C, H}));
    b_out_ = register_parameter("b_out", zeros({M_ * K_, 1, C}));
  }

  rec_mask_ = torch::zeros({M_, K_, G_, N_, N_});
  in_mask_ = torch::zeros({M_, K_, G_, N_, 1});
  for (int64_t k = 0; k < K_; ++k) {
    const int64_t n = specs_[size_t(k)].n;
    auto block = torch::ones({n, n});
    if (!arch_.self_connections) block.fill_diagonal_(0.0);
    rec_mask_.select(1, k).narrow(2, 0, n).narrow(3, 0, n).copy_(block);
    in_mask_.select(1, k).narrow(2, 0, n).fill_(1.0);
  }
  rec_mask_ = register_buffer("rec_mask", rec_mask_.view({M_ * K_, G_ * N_, N_}));
  in_mask_ = register_buffer("in_mask", in_mask_.view({M_ * K_, G_ * N_, 1}));
  src_row_ = register_buffer("src_row", torch::tensor(src, torch::kInt64));
  dst_row_ = register_buffer("dst_row", torch::tensor(dst, torch::kInt64));

  // Each network draws its initial weights from its own seed in its own layout, so its start
  // does not depend on its stack-mates. Bounds follow torch.nn.RNN / nn.Linear: U(+-1/sqrt(fan)).
  for (int64_t k = 0; k < K_; ++k) {
    const auto& spec = specs_[size_t(k)];
    const int64_t n = spec.n, Hk = arch_.bottleneck > 0 ? arch_.bottleneck : n;
    const double a = 1.0 / std::sqrt(double(arch_.original_init ? M_ * n : n));
    auto gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed({spec.seed, kWeights}));
    NetworkState init;
    init["w_in"] = uniform({M_, G_ * n, arch_.shared_input ? S * P : P}, a, gen);
    init["b_in"] = uniform({M_, G_ * n}, a, gen);
    init["w_rec"] = uniform({M_, G_ * n, n}, a, gen);
    init["w_inter"] = uniform({G_, int64_t(edges_[size_t(k)].size())}, a, gen);
    if (arch_.bottleneck > 0) {
      init["w_bn"] = uniform({M_, arch_.bottleneck, n}, a, gen);
      init["b_bn"] = uniform({M_, arch_.bottleneck}, a, gen);
    }
    if (arch_.original_init) init["b_in"].zero_();
    if (arch_.shared_readout()) {
      const double ao = 1.0 / std::sqrt(double(M_ * Hk));
      init["w_out"] = uniform({C, M_ * Hk}, ao, gen);
      init["b_out"] = uniform({C}, ao, gen);
    } else {
      const double ao = 1.0 / std::sqrt(double(arch_.original_init ? M_ * Hk : Hk));
      init["w_out"] = uniform({M_, C, Hk}, ao, gen);
      init["b_out"] = uniform({M_, C}, ao, gen);
    }
    // Masked entries start at zero so that a saved network holds exactly the weights in use.
    init["w_rec"].view({M_, G_, n, n}).mul_(rec_mask_.view({M_, K_, G_, N_, N_}).select(1, k).narrow(2, 0, n).narrow(3, 0, n));
    load_network_state(k, init);
  }
  if (arch_.original_init) b_in_.requires_grad_(false);  // no input bias: it stays at zero
  to(device);
}

torch::Tensor& StackWeights::at(const std::string& name) {
  if (name == "w_in") return w_in;
  if (name == "b_in") return b_in;
  if (name == "w_rec") return w_rec;
  if (name == "w_inter") return w_inter;
  if (name == "w_bn") return w_bn;
  if (name == "b_bn") return b_bn;
  if (name == "w_out") return w_out;
  if (name == "b_out") return b_out;
  throw Error("internal: no parameter '" + name + "'");
}

// The view of network k's part of parameter `name`, shaped as in its own K = 1 layout.
static torch::Tensor network_slice(const std::string& name, const torch::Tensor& t, const Architecture& arch,
                                   int64_t K, int64_t N, int64_t n, int64_t k, int64_t e0, int64_t e1) {
  const int64_t M = arch.n_modules, G = arch.gates();
  const int64_t H = arch.bottleneck > 0 ? arch.bottleneck : N, Hk = arch.bottleneck > 0 ? arch.bottleneck : n;
  if (name == "w_in") return t.view({M, K, G, N, t.size(-1)}).select(1, k).narrow(2, 0, n);
  if (name == "b_in") return t.view({M, K, G, N}).select(1, k).narrow(2, 0, n);
  if (name == "w_rec") return t.view({M, K, G, N, N}).select(1, k).narrow(2, 0, n).narrow(3, 0, n);
  if (name == "w_inter") return t.narrow(1, e0, e1 - e0);
  if (name == "w_bn") return t.view({M, K, arch.bottleneck, N}).select(1, k).narrow(2, 0, n);
  if (name == "b_bn") return t.view({M, K, arch.bottleneck}).select(1, k);
  const int64_t C = arch.total_classes();
  if (arch.shared_readout()) {
    if (name == "w_out") return t.view({K, C, M, H}).select(0, k).narrow(2, 0, Hk);
    if (name == "b_out") return t.view({K, C}).select(0, k);
  } else {
    if (name == "w_out") return t.view({M, K, C, H}).select(1, k).narrow(2, 0, Hk);
    if (name == "b_out") return t.view({M, K, C}).select(1, k);
  }
  throw Error("internal: no parameter '" + name + "'");
}

NetworkState ModularRNNImpl::named_tensors() const {
  NetworkState out;
  for (const auto& item : named_parameters()) out[item.key()] = item.value();
  return out;
}

NetworkState ModularRNNImpl::network_part(int64_t k, const NetworkState& stacked) const {
  NetworkState state;
  const int64_t n = specs_[size_t(k)].n;
  for (const auto& name : names_of(arch_)) {
    auto s = network_slice(name, stacked.at(name).detach(), arch_, K_, N_, n, k, edge_offset_[size_t(k)],
                           edge_offset_[size_t(k) + 1]);
    // Flatten the per-gate layout to the solo layout ([M, G*n, ...]).
    if (name == "w_in") s = s.reshape({M_, G_ * n, s.size(-1)});
    else if (name == "b_in") s = s.reshape({M_, G_ * n});
    else if (name == "w_rec") s = s.reshape({M_, G_ * n, n});
    else if (name == "w_out" && arch_.shared_readout()) s = s.reshape({s.size(0), -1});
    state[name] = s.to(torch::kCPU).clone();
  }
  return state;
}

void ModularRNNImpl::load_network_part(int64_t k, const NetworkState& part, const NetworkState& stacked) const {
  torch::NoGradGuard no_grad;
  const int64_t n = specs_[size_t(k)].n;
  for (const auto& name : names_of(arch_)) {
    auto it = part.find(name);
    if (it == part.end()) throw Error("checkpoint has no tensor '" + name + "'");
    auto s = network_slice(name, stacked.at(name), arch_, K_, N_, n, k, edge_offset_[size_t(k)],
                           edge_offset_[size_t(k) + 1]);
    if (it->second.numel() != s.numel())
      throw Error("checkpoint tensor '" + name + "' has " + std::to_string(it->second.numel()) + " values, the network " +
                  std::to_string(s.numel()));
    s.copy_(it->second.reshape(s.sizes()));
  }
}

NetworkState ModularRNNImpl::network_state(int64_t k) const { return network_part(k, named_tensors()); }

void ModularRNNImpl::load_network_state(int64_t k, const NetworkState& state) {
  load_network_part(k, state, named_tensors());
}

int64_t ModularRNNImpl::parameter_count(int64_t k) const {
  const int64_t n = specs_[size_t(k)].n, G = G_, M = M_, C = arch_.total_classes();
  const int64_t Hk = arch_.bottleneck > 0 ? arch_.bottleneck : n;
  const int64_t in = arch_.shared_input ? arch_.n_stimuli * arch_.pixels : arch_.pixels;
  int64_t count = M * G * n * in + M * G * n;
  count += M * G * (arch_.self_connections ? n * n : n * (n - 1));
  count += G * int64_t(edges_[size_t(k)].size());
  if (arch_.bottleneck > 0) count += M * (arch_.bottleneck * n + arch_.bottleneck);
  count += arch_.shared_readout() ? C * M * Hk + C : M * (C * Hk + C);
  return count;
}

const std::vector<std::string>& ModularRNNImpl::parameter_names() const { return names_of(arch_); }

StackWeights ModularRNNImpl::weights() const {
  return {w_in_, b_in_, w_rec_ * rec_mask_, w_inter_, w_bn_, b_bn_, w_out_, b_out_};
}

EntryOwners ModularRNNImpl::entry_owners(const std::string& name) const {
  const auto& t = const_cast<ModularRNNImpl*>(this)->named_parameters()[name];
  EntryOwners owners{torch::full(t.sizes(), int64_t(-1), torch::kInt64), torch::full(t.sizes(), int64_t(-1), torch::kInt64)};
  // The module is the first dimension of a network's own layout, but for a shared readout's
  // weights ([C, M, H]: the columns reading module m) and nowhere in the edges and shared bias.
  const bool by_column = name == "w_out" && arch_.shared_readout();
  const bool no_module = name == "w_inter" || (name == "b_out" && arch_.shared_readout());
  for (int64_t k = 0; k < K_; ++k) {
    const int64_t n = specs_[size_t(k)].n, e0 = edge_offset_[size_t(k)], e1 = edge_offset_[size_t(k) + 1];
    network_slice(name, owners.network, arch_, K_, N_, n, k, e0, e1).fill_(k);
    if (no_module) continue;
    auto modules = network_slice(name, owners.module, arch_, K_, N_, n, k, e0, e1);
    for (int64_t m = 0; m < M_; ++m) modules.select(by_column ? 1 : 0, m).fill_(m);
  }
  if (name == "w_rec") owners.network.masked_fill_(rec_mask_.eq(0), -1);
  owners.module.masked_fill_(owners.network.lt(0), -1);
  return owners;
}

std::pair<torch::Tensor, torch::Tensor> ModularRNNImpl::input_blocks(const StackWeights& weights) const {
  const auto& w_in = weights.w_in;
  auto b = padded_ ? weights.b_in * in_mask_ : weights.b_in;
  if (arch_.shared_input) {
    auto w = padded_ ? w_in * in_mask_.view({-1, 1}) : w_in;
    return {w.unsqueeze(0), b.view({1, -1, 1})};
  }
  auto w = padded_ ? w_in * in_mask_.view({M_, K_ * G_ * N_, 1}) : w_in;
  return {w, b.view({M_, K_ * G_ * N_, 1})};
}

torch::Tensor ModularRNNImpl::project_inputs(const StackWeights& weights, const torch::Tensor& x) const {
  if (x.dim() != 4 || x.size(0) != arch_.n_stimuli || x.size(3) != arch_.pixels)
    throw Error("network input has the wrong shape for this architecture");
  const int64_t S = x.size(0), TB = x.size(1) * x.size(2), P = x.size(3);
  const auto [w, b] = input_blocks(weights);
  // Shared input: [1, T*B, S*P], every module sees every stimulus; else [M, T*B, P], one each.
  auto xs = arch_.shared_input ? x.permute({1, 2, 0, 3}).reshape({1, TB, S * P}) : x.reshape({S, TB, P});
  return (project_pixels(w, xs, kPixelBackground) + b).view({M_ * K_, G_ * N_, TB});
}

torch::Tensor ModularRNNImpl::project_inputs(const StackWeights& weights, const ForegroundBatch& x) const {
  if (x.S != arch_.n_stimuli || x.P != arch_.pixels)
    throw Error("network input has the wrong shape for this architecture");
  const auto [w, b] = input_blocks(weights);
  return (project_pixel_rows(w, x, arch_.shared_input) + b).view({M_ * K_, G_ * N_, x.steps() * x.B});
}

torch::Tensor ModularRNNImpl::project(const ForegroundBatch& x) const { return project_inputs(weights(), x); }

ForwardResult ModularRNNImpl::forward(const ForegroundBatch& x, bool keep_states) {
  const auto w = weights();
  return forward_projected(w, project_inputs(w, x), x.B, keep_states);
}

bool ModularRNNImpl::reads_foreground() const {
  return w_in_.device().is_cpu() && w_in_.scalar_type() == torch::kFloat32;
}

torch::Tensor ModularRNNImpl::project(const torch::Tensor& x) const { return project_inputs(weights(), x); }

torch::Tensor ModularRNNImpl::readout_input(const StackWeights& weights, const torch::Tensor& u, int64_t B,
                                           std::vector<torch::Tensor>* states) const {
  // u: [M*K, G*N, T_in*B], T_in = 1 for static inputs, else nb_steps
  if (u.dim() != 3 || u.size(0) != M_ * K_ || u.size(1) != G_ * N_ || B < 0 ||
      (u.size(2) != B && u.size(2) != arch_.nb_steps * B))
    throw Error("input projection of shape " + c10::str(u.sizes()) + " does not fit this stack for " +
                std::to_string(B) + " tuples");
  const int64_t T_in = B > 0 ? u.size(2) / B : 1;
  const auto& w_rec = weights.w_rec;
  const auto& w_inter = weights.w_inter;
  const InterEdges edges{w_inter, src_row_, dst_row_};
  torch::Tensor h;
  if (!arch_.gru) {
    // Two RNNs (the original's): this one within modules only, the second through the edges only,
    // each on the same input along its own trajectory; the state is their sum.
    const InterEdges none{w_inter.narrow(1, 0, 0), src_row_.narrow(0, 0, 0), dst_row_.narrow(0, 0, 0)};
    auto all = tanh_recurrence(u, w_rec, arch_.two_rnn ? none : edges, arch_.comms, B);
    if (arch_.two_rnn) {
      const auto between = tanh_recurrence(u, torch::zeros_like(w_rec), edges, arch_.comms, B);
      for (size_t t = 0; t < all.size(); ++t) all[t] = all[t] + between[t];
    }
    h = all.back();
    if (states) *states = std::move(all);
  } else {
    for (int64_t t = 0; t < arch_.nb_steps; ++t) {
      auto ut = T_in == 1 ? u : u.narrow(2, t * B, B);
      if (t == 0) {  // h_{-1} = 0: no recurrent term, and the reset gate has nothing to act on
        auto z = torch::sigmoid(ut.narrow(1, N_, N_));
        h = (1 - z) * torch::tanh(ut.narrow(1, 2 * N_, N_));
      } else {
        auto rec = recurrent_drive(h, w_rec, edges, arch_.comms[size_t(t)]);
        auto r = torch::sigmoid(ut.narrow(1, 0, N_) + rec.narrow(1, 0, N_));
        auto z = torch::sigmoid(ut.narrow(1, N_, N_) + rec.narrow(1, N_, N_));
        auto c = torch::tanh(ut.narrow(1, 2 * N_, N_) + r * rec.narrow(1, 2 * N_, N_));
        h = (1 - z) * c + z * h;
      }
      if (states) states->push_back(h);
    }
  }
  return arch_.bottleneck > 0 ? torch::relu(torch::baddbmm(weights.b_bn, weights.w_bn, h)) : h;  // [M*K, H, B]
}

ForwardResult ModularRNNImpl::forward(const torch::Tensor& x, bool keep_states) {
  return forward_with(weights(), x, keep_states);
}

ForwardResult ModularRNNImpl::forward_with(const StackWeights& weights, const torch::Tensor& x, bool keep_states) {
  auto u = project_inputs(weights, x);  // checks x's shape first
  return forward_projected(weights, u, x.size(2), keep_states);
}

ForwardResult ModularRNNImpl::forward_projected(const StackWeights& weights, const torch::Tensor& u, int64_t B,
                                                bool keep_states) {
  ForwardResult result;
  auto z = readout_input(weights, u, B, keep_states ? &result.states : nullptr);
  const auto &w_out = weights.w_out, &b_out = weights.b_out;
  if (arch_.shared_readout()) {
    // Classes last ([K, B, Ctot]) so that the loss reduces over contiguous memory.
    const int64_t B = z.size(2);
    auto joined = z.view({M_, K_, z.size(1), B}).permute({1, 3, 0, 2}).reshape({K_, B, M_ * z.size(1)});
    auto out = torch::baddbmm(b_out, joined, w_out.transpose(1, 2));  // [K, B, Ctot]
    int64_t offset = 0;
    for (int64_t classes : arch_.target_classes) {
      result.logits.push_back(out.narrow(2, offset, classes));
      offset += classes;
    }
  } else {
    auto d = arch_.readout == Readout::blockdiag ? blockdiag_decisions(z, w_out, b_out, M_, arch_.target_classes)
                                                 : competitive_decisions(z, w_out, b_out, M_, arch_.target_classes);
    result.logits = std::move(d.logits);
    result.decider = std::move(d.decider);
  }
  return result;
}

std::vector<torch::Tensor> ModularRNNImpl::states_projected(const torch::Tensor& u, int64_t B) const {
  std::vector<torch::Tensor> states;
  readout_input(weights(), u, B, &states);
  return states;
}

torch::Tensor ModularRNNImpl::first_target_loss(const StackWeights& w, const torch::Tensor& u, int64_t B,
                                                const torch::Tensor& y) {
  return loss_projected(w, u, B, y.unsqueeze(2));  // labels [K, B, 1]: the first target alone
}

torch::Tensor ModularRNNImpl::loss(const torch::Tensor& x, const torch::Tensor& targets) {
  const auto w = weights();
  return loss_projected(w, project_inputs(w, x), x.size(2), targets);
}

torch::Tensor ModularRNNImpl::loss(const ForegroundBatch& x, const torch::Tensor& targets) {
  const auto w = weights();
  return loss_projected(w, project_inputs(w, x), x.B, targets);
}

torch::Tensor ModularRNNImpl::loss_projected(const StackWeights& w, const torch::Tensor& u, int64_t B,
                                             const torch::Tensor& targets) {
  const int64_t J = targets.size(-1);  // the first J targets
  if (arch_.readout != Readout::separate) {
    auto logits = forward_projected(w, u, B).logits;
    logits.resize(size_t(J));
    return stack_loss(logits, targets);
  }
  if (J == int64_t(arch_.target_classes.size()))
    return competitive_loss(readout_input(w, u, B, nullptr), w.w_out, w.b_out, M_, arch_.target_classes, targets);
  // Fewer targets: their outputs are the first C of every readout, and their decisions read those
  // alone.
  const std::vector<int64_t> classes(arch_.target_classes.begin(), arch_.target_classes.begin() + J);
  const int64_t C = std::accumulate(classes.begin(), classes.end(), int64_t(0));
  return competitive_loss(readout_input(w, u, B, nullptr), w.w_out.narrow(1, 0, C), w.b_out.narrow(2, 0, C), M_,
                          classes, targets);
}

ModularRNN sub_stack(const ModularRNNImpl& stack, const std::vector<int64_t>& which) {
  std::vector<NetworkSpec> specs;
  for (int64_t k : which) specs.push_back(stack.specs()[size_t(k)]);
  ModularRNN part(stack.arch(), specs, stack.parameters()[0].device());
  for (size_t j = 0; j < which.size(); ++j) part->load_network_state(int64_t(j), stack.network_state(which[j]));
  return part;
}

}  // namespace modspec
