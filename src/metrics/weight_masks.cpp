#include "metrics/weight_masks.hpp"

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <vector>

#include "metrics/permutation.hpp"
#include "model/stack_input.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

bool is_bias(const std::string& name) { return name[0] == 'b'; }

// The parameters a scope masks (metrics.mask_scope).
std::vector<std::string> masked_names(const ModularRNNImpl& stack, bool all_weights) {
  std::vector<std::string> names;
  for (const auto& name : stack.parameter_names()) {
    const bool readout = name == "w_out" || name == "b_out" || name == "w_bn" || name == "b_bn";
    if (readout || name == "w_rec" || all_weights) names.push_back(name);
  }
  return names;
}

// Fan-in of one of network k's weights, for the scores' U(+-1/sqrt(fan-in)) start (torch's
// kaiming_uniform with a = sqrt(5), as the original code's scores).
double fan_in(const std::string& name, const Architecture& arch, int64_t n) {
  const int64_t H = arch.bottleneck > 0 ? arch.bottleneck : n;
  if (name == "w_in") return double(arch.shared_input ? arch.n_stimuli * arch.pixels : arch.pixels);
  if (name == "w_out") return double(arch.shared_readout() ? arch.n_modules * H : H);
  return double(n);  // w_rec, w_inter (a unit's recurrent input), w_bn
}

}  // namespace

MaskedWeights::MaskedWeights(const ModularRNNImpl& stack, const MaskSettings& settings)
    : settings_(settings), K_(stack.stack_size()), M_(stack.arch().n_modules) {
  // Every masked entry: its parameter's block, network and module, then grouped by network.
  std::vector<torch::Tensor> networks, modules, bounds;
  std::vector<bool> bias;
  for (const auto& name : masked_names(stack, settings.all_weights)) {
    const EntryOwners owners = stack.entry_owners(name);
    const auto flat = owners.network.reshape(-1).ge(0).nonzero().squeeze(1);
    blocks_.push_back({name, flat, torch::Tensor()});
    networks.push_back(owners.network.reshape(-1).index_select(0, flat));
    modules.push_back(owners.module.reshape(-1).index_select(0, flat));
    std::vector<double> per_network;
    for (const auto& spec : stack.specs()) per_network.push_back(1.0 / std::sqrt(fan_in(name, stack.arch(), spec.n)));
    bounds.push_back(torch::tensor(per_network, torch::kFloat64).index_select(0, networks.back()));
    bias.push_back(is_bias(name));
  }
  const auto all_networks = torch::cat(networks);
  const auto order = std::get<1>(all_networks.sort(/*stable=*/true, 0, false));  // entry order -> original
  const auto rank = torch::empty_like(order).index_put_({order}, torch::arange(order.size(0)));
  int64_t offset = 0;
  for (auto& b : blocks_) {
    b.position = rank.narrow(0, offset, b.flat.size(0));
    offset += b.flat.size(0);
  }
  network_ = all_networks.index_select(0, order);
  module_ = torch::cat(modules).index_select(0, order);
  const auto counts = torch::bincount(network_, {}, K_);
  for (int64_t k = 0, s = 0; k < K_; ++k) {
    start_.push_back(s);
    count_.push_back(counts[k].item<int64_t>());
    s += count_.back();
  }

  auto gen = at::make_generator<at::CPUGeneratorImpl>(derive_seed({settings.seed, kReadout, 30}));
  const auto dtype = stack.parameters()[0].scalar_type();
  if (settings.gumbel) {
    p_ = torch::full({network_.size(0)}, 2.0, dtype);
    noise_ = torch::zeros({network_.size(0)}, dtype);
  } else {
    std::vector<torch::Tensor> start;
    for (size_t i = 0; i < blocks_.size(); ++i) {
      const int64_t e = networks[i].size(0);
      start.push_back(bias[i] ? torch::randn({e}, gen, torch::kFloat64) * 0.01
                              : (torch::rand({e}, gen, torch::kFloat64) * 2 - 1) * bounds[i]);
    }
    p_ = torch::cat(start).index_select(0, order).to(dtype);
  }
  p_.requires_grad_();
}

void MaskedWeights::draw_noise(torch::Generator& gen) {
  if (!settings_.gumbel) return;
  const auto u = torch::rand({p_.size(0)}, gen, p_.scalar_type()).clamp(1e-6, 1 - 1e-6);
  noise_ = u.log() - (1 - u).log();
}

torch::Tensor MaskedWeights::relaxation() const {
  return settings_.gumbel ? torch::sigmoid((p_ + noise_) / settings_.temperature) : p_;
}

// Up to this many places from the old threshold, hard() finds the new one in a single pass.
constexpr int64_t kFewCrossed = 32;

torch::Tensor MaskedWeights::hard() const {
  torch::NoGradGuard no_grad;
  if (settings_.gumbel) return relaxation().gt(0.5).to(p_.scalar_type());
  // One ranking per network over all its masked weights: keep the top `keep` fraction, i.e. every
  // score at least the kept-th largest (ties with it kept too). This runs at every step for every
  // replica, and the scores move little between steps, so the last step's threshold is tried
  // first: when exactly `kept` scores are at least it, they are the kept largest and the least of
  // them is the kept-th largest.
  const auto scores = p_.detach().to(torch::kCPU, torch::kFloat64).contiguous();
  const double* all = scores.data_ptr<double>();
  last_threshold_.resize(size_t(K_), std::numeric_limits<double>::infinity());
  std::vector<double> ranked;
  for (int64_t k = 0; k < K_; ++k) {
    const int64_t count = count_[size_t(k)];
    if (count == 0) continue;
    const int64_t kept = std::max<int64_t>(1, std::llround(settings_.keep * double(count)));
    const double* own = all + start_[size_t(k)];
    double& threshold = last_threshold_[size_t(k)];
    int64_t above = 0;
    double least = std::numeric_limits<double>::infinity();
    for (int64_t i = 0; i < count; ++i) {
      const bool in = own[i] >= threshold;
      above += in;
      least = in && own[i] < least ? own[i] : least;
    }
    if (above == kept) {
      threshold = least;
      continue;
    }
    // Otherwise the kept-th largest lies on the side of the old threshold that holds it, a few
    // places from its edge: with too many scores at least the old threshold, it is the
    // (above - kept + 1)-th least of those; with too few, the (kept - above)-th largest of the
    // others. Scores are oriented (negated on the first side) so that it is the m-th largest of
    // its side either way; one pass keeps the m largest in order when m is small (a few scores
    // crossed), a partial sort of the side finds it otherwise.
    const bool too_many = above > kept;
    const int64_t m = too_many ? above - kept + 1 : kept - above;
    const double sign = too_many ? -1.0 : 1.0;
    ranked.clear();
    if (m <= kFewCrossed) {
      for (int64_t i = 0; i < count; ++i) {
        if ((own[i] >= threshold) != too_many) continue;
        const double v = sign * own[i];
        if (int64_t(ranked.size()) == m && v <= ranked.back()) continue;
        ranked.insert(std::upper_bound(ranked.begin(), ranked.end(), v, std::greater<double>()), v);
        if (int64_t(ranked.size()) > m) ranked.pop_back();
      }
    } else {
      for (int64_t i = 0; i < count; ++i)
        if ((own[i] >= threshold) == too_many) ranked.push_back(sign * own[i]);
      std::nth_element(ranked.begin(), ranked.begin() + (m - 1), ranked.end(), std::greater<double>());
    }
    threshold = sign * ranked[size_t(m - 1)];
  }
  // The scores are p_'s own values in double, so comparing them there keeps exactly p_'s ranking.
  auto mask = torch::empty({scores.size(0)}, torch::kFloat64);
  double* kept_out = mask.data_ptr<double>();
  for (int64_t k = 0; k < K_; ++k) {
    const double threshold = last_threshold_[size_t(k)];
    for (int64_t i = start_[size_t(k)]; i < start_[size_t(k)] + count_[size_t(k)]; ++i)
      kept_out[i] = all[i] >= threshold;
  }
  return mask.to(p_.device(), p_.scalar_type());
}

torch::Tensor MaskedWeights::test_mask() const {
  torch::NoGradGuard no_grad;
  return settings_.gumbel ? p_.gt(0).to(p_.scalar_type()) : hard();
}

namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The straight-through masking of every masked parameter as one autograd node, the CPU's float
// path of MaskedWeights::apply (apply_mask's gathers, scatters and products are about ten
// operators per parameter forward and as many backward, most of a mask step's cost at n = 25).
// Per masked parameter w (entries flat_j of the flattened parameter, mask entries position_j):
//   forward   w' = w, then w'[flat_j] = w[flat_j] * hard[position_j]
//   backward  dL/dp[position_j] = dL/dw'[flat_j] * w[flat_j] * slope[position_j]
// with slope = d relaxation / dp (top_k 1, gumbel s (1 - s) / tau): apply_mask's gradient at the
// mask hard + relaxation - relaxation.detach(). The weights are frozen: no gradient of theirs.
// Checked against that composition of operators (tests/test_masks.cpp).
struct StraightThroughMask : torch::autograd::Function<StraightThroughMask> {
  static variable_list forward(AutogradContext* ctx, const torch::Tensor& p, const torch::Tensor& hard_in,
                               const torch::Tensor& slope_in, const std::vector<torch::Tensor>& weights,
                               const std::vector<torch::Tensor>& flats, const std::vector<torch::Tensor>& positions) {
    const auto hard = hard_in.contiguous(), slope = slope_in.contiguous();
    const float* m = hard.data_ptr<float>();
    const float* ds = slope.data_ptr<float>();
    auto factor = torch::empty({p.size(0)});  // [E] w[flat_j] * slope at position_j
    float* f = factor.data_ptr<float>();
    variable_list out;
    for (size_t b = 0; b < weights.size(); ++b) {
      auto w = weights[b].clone(torch::MemoryFormat::Contiguous);
      float* wp = w.data_ptr<float>();
      const int64_t* flat = flats[b].data_ptr<int64_t>();
      const int64_t* pos = positions[b].data_ptr<int64_t>();
      for (int64_t j = 0; j < flats[b].size(0); ++j) {
        f[pos[j]] = wp[flat[j]] * ds[pos[j]];
        wp[flat[j]] *= m[pos[j]];
      }
      out.push_back(w);
    }
    ctx->saved_data["factor"] = factor;
    ctx->saved_data["flats"] = c10::List<torch::Tensor>(flats);
    ctx->saved_data["positions"] = c10::List<torch::Tensor>(positions);
    return out;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto factor = ctx->saved_data["factor"].toTensor();
    const auto flats = ctx->saved_data["flats"].toTensorVector();
    const auto positions = ctx->saved_data["positions"].toTensorVector();
    auto grad_p = torch::zeros_like(factor);
    const float* f = factor.data_ptr<float>();
    float* gp = grad_p.data_ptr<float>();
    for (size_t b = 0; b < flats.size(); ++b) {
      if (!grads[b].defined()) continue;
      const auto g = grads[b].contiguous();
      const float* gw = g.data_ptr<float>();
      const int64_t* flat = flats[b].data_ptr<int64_t>();
      const int64_t* pos = positions[b].data_ptr<int64_t>();
      for (int64_t j = 0; j < flats[b].size(0); ++j) gp[pos[j]] = gw[flat[j]] * f[pos[j]];
    }
    return {grad_p, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

StackWeights MaskedWeights::apply(const StackWeights& weights) const {
  if (!p_.is_cpu() || p_.scalar_type() != torch::kFloat32) {
    const auto relaxed = relaxation();
    return apply_mask(weights, hard() + relaxed - relaxed.detach());
  }
  torch::Tensor slope;
  {
    torch::NoGradGuard no_grad;
    if (settings_.gumbel) {
      const auto s = relaxation();
      slope = s * (1 - s) / settings_.temperature;
    } else {
      slope = torch::ones_like(p_);
    }
  }
  StackWeights out = weights;
  std::vector<torch::Tensor> w, flats, positions;
  for (const auto& b : blocks_) {
    w.push_back(out.at(b.name).detach());
    flats.push_back(b.flat);
    positions.push_back(b.position);
  }
  const auto masked = StraightThroughMask::apply(p_, hard(), slope, w, flats, positions);
  for (size_t b = 0; b < blocks_.size(); ++b) out.at(blocks_[b].name) = masked[b];
  return out;
}

StackWeights MaskedWeights::apply_mask(const StackWeights& weights, const torch::Tensor& mask) const {
  StackWeights out = weights;
  for (const auto& b : blocks_) {
    auto& w = out.at(b.name);
    auto full = torch::ones({w.numel()}, w.options()).index_put({b.flat}, mask.index_select(0, b.position).to(w.dtype()));
    w = w * full.view(w.sizes());
  }
  return out;
}

torch::Tensor MaskedWeights::kept_per_module(const torch::Tensor& mask) const {
  const auto in_module = module_.ge(0);
  auto slot = (network_ * M_ + module_).masked_select(in_module);
  return torch::zeros({K_ * M_}, torch::kFloat64)
      .index_add_(0, slot, mask.detach().to(torch::kFloat64).masked_select(in_module))
      .view({K_, M_});
}

torch::Tensor MaskedWeights::entries_per_module() const { return kept_per_module(torch::ones({p_.size(0)}, torch::kFloat64)); }

torch::Tensor MaskedWeights::kept_per_network(const torch::Tensor& mask) const {
  return torch::zeros({K_}, torch::kFloat64).index_add_(0, network_, mask.detach().to(torch::kFloat64));
}

torch::Tensor MaskedWeights::entries_per_network() const {
  return kept_per_network(torch::ones({p_.size(0)}, torch::kFloat64));
}

namespace {

// Digit k's labels of label set c for every mask r = (c * S + k) * K + net, over the tuples `rows`:
// [L * S * K, B].
torch::Tensor mask_labels(const std::vector<torch::Tensor>& digits, const torch::Tensor& rows, int64_t K) {
  std::vector<torch::Tensor> parts;
  for (const auto& d : digits) parts.push_back(d.index_select(0, rows).t().repeat_interleave(K, 0));
  return torch::cat(parts);
}

// The rows of a table in another order, so that an epoch can run through them shuffled.
PairTable reordered(const PairTable& t, const torch::Tensor& order) {
  PairTable out = t;
  const auto* o = order.data_ptr<int64_t>();
  for (int64_t i = 0; i < t.size; ++i) {
    for (int64_t s = 0; s < t.n_stimuli; ++s) {
      out.image[size_t(i * t.n_stimuli + s)] = t.image[size_t(o[i] * t.n_stimuli + s)];
      out.digit[size_t(i * t.n_stimuli + s)] = t.digit[size_t(o[i] * t.n_stimuli + s)];
    }
    for (int64_t j = 0; j < t.n_targets; ++j)
      out.target[size_t(i * t.n_targets + j)] = t.target[size_t(o[i] * t.n_targets + j)];
  }
  return out;
}

constexpr uint64_t kMaskNoise = ~uint64_t(0) >> 5;  // presentation noise of the masks' batches
constexpr int64_t kEvalChunk = 2000;

}  // namespace

torch::Tensor replicas_projection(const ModularRNNImpl& stack, const torch::Tensor& u_in, int64_t R) {
  const auto u = u_in.detach();  // the replicas' input weights are frozen: their projection is data
  const int64_t M = stack.arch().n_modules, K = stack.stack_size(), rows = u.size(1), columns = u.size(2);
  return u.view({M, 1, K, rows, columns}).expand({M, R / K, K, rows, columns}).reshape({M * R, rows, columns});
}

MaskOutcome train_masks(const ModularRNNImpl& stack, const Environment& env, const std::vector<MaskLabels>& labels,
                        const MaskSettings& settings, const MaskProjection& known) {
  const int64_t K = stack.stack_size(), S = env.n_stimuli(), L = int64_t(labels.size()), R = L * S * K;
  const auto device = stack.parameters()[0].device();
  // R frozen copies of the stack's networks, mask r on network r % K.
  std::vector<NetworkSpec> specs;
  for (int64_t r = 0; r < R; ++r) specs.push_back(stack.specs()[size_t(r % K)]);
  ModularRNN copies(stack.arch(), specs);
  for (int64_t r = 0; r < R; ++r) copies->load_network_state(r, stack.network_state(r % K));
  for (auto& p : copies->parameters()) p.requires_grad_(false);
  copies->to(device);
  const StackWeights frozen = copies->weights();
  // The replicas' input projection of rows [begin, end) of table t, [M*R, G*N, T*B]. It is most of
  // a step's work; unless the masks cover w_in, it is the same for all replicas of a network and
  // computed once, from the tuples' pixels off the background when they are static
  // (docs/ARCHITECTURE.md), or read from a projection of the whole table already made
  // (`whole`, whose columns `rows` of the table's [begin, end) are).
  auto projection = [&](const StackWeights& weights, const PairTable& t, Split split, int64_t begin, int64_t end,
                        uint64_t noise_seed, const torch::Tensor& whole, const torch::Tensor& rows) {
    if (settings.all_weights)
      return copies->project_inputs(weights, env.batch(t, split, begin, end, noise_seed).x.to(device));
    torch::NoGradGuard no_grad;
    if (whole.defined()) {  // [N, M*K, G*N] -> the rows' [M*K, G*N, B]
      const auto u = whole.index_select(0, rows.to(whole.device())).permute({1, 2, 0}).contiguous();
      return replicas_projection(stack, u, R);
    }
    const StackInput in(stack, env, t, split, begin, end, noise_seed);
    return replicas_projection(stack, in.project(stack), R);
  };

  MaskedWeights masks(*copies, settings);
  std::unique_ptr<torch::optim::Optimizer> opt;
  if (settings.gumbel)
    opt = std::make_unique<torch::optim::Adam>(std::vector<torch::Tensor>{masks.parameters()},
                                               torch::optim::AdamOptions(settings.gumbel_lr));
  else
    opt = std::make_unique<torch::optim::SGD>(
        std::vector<torch::Tensor>{masks.parameters()},
        torch::optim::SGDOptions(settings.lr).momentum(settings.momentum).weight_decay(settings.weight_decay));
  auto noise = at::make_generator<at::CPUGeneratorImpl>(derive_seed({settings.seed, kReadout, 31}));

  const PairTable train = env.train_pairs(0);
  for (int64_t epoch = 0; epoch < settings.epochs; ++epoch) {
    const auto order = random_permutation(train.size, derive_seed({settings.seed, kReadout, 32, uint64_t(epoch)}));
    const PairTable table = reordered(train, order);
    std::vector<torch::Tensor> digits;
    for (const auto& l : labels) digits.push_back(l.train.index_select(0, order));
    const auto epoch_labels = mask_labels(digits, torch::arange(table.size), K).to(device);  // [R, N]
    for (int64_t begin = 0, i = 0; begin < table.size; begin += settings.batch, ++i) {
      const int64_t end = std::min(table.size, begin + settings.batch);
      const auto y = epoch_labels.narrow(1, begin, end - begin);  // [R, B]
      masks.draw_noise(noise);
      const auto weights = masks.apply(frozen);
      // Each replica's cross-entropy on its digit's classes, averaged over the batch, summed.
      auto loss = copies
                      ->first_target_loss(weights,
                                          projection(weights, table, Split::train, begin, end,
                                                     derive_seed({env.spec().seed, kNoise, kMaskNoise, uint64_t(epoch),
                                                                  uint64_t(i)}),
                                                     known.train, order.narrow(0, begin, end - begin)),
                                          end - begin, y)
                      .sum();
      if (settings.gumbel) loss = loss + settings.alpha * masks.parameters().sum();
      opt->zero_grad();
      loss.backward();
      opt->step();
    }
  }

  // The test tuples through the final masks.
  torch::NoGradGuard no_grad;
  const auto mask = masks.test_mask();
  const StackWeights masked = masks.apply_mask(frozen, mask);
  const PairTable& test = env.test_pairs();
  std::vector<torch::Tensor> test_digits;
  for (const auto& l : labels) test_digits.push_back(l.test);
  auto correct = torch::zeros({R}, torch::kFloat64);
  for (int64_t begin = 0, i = 0; begin < test.size; begin += kEvalChunk, ++i) {
    const int64_t end = std::min(test.size, begin + kEvalChunk);
    const auto y = mask_labels(test_digits, torch::arange(begin, end), K).to(device);
    const auto logits =
        copies
            ->forward_projected(masked,
                                projection(masked, test, Split::test, begin, end,
                                           derive_seed({env.spec().seed, kNoise, kMaskNoise, ~uint64_t(0), uint64_t(i)}),
                                           known.test, torch::arange(begin, end)),
                                end - begin)
            .logits[0];  // [R, B, C]
    correct += logits.argmax(2).eq(y).sum(1).to(torch::kCPU, torch::kFloat64);
  }
  MaskOutcome out;
  out.kept_share = masks.kept_per_module(mask) / masks.kept_per_network(mask).unsqueeze(1);
  out.base = masks.entries_per_module() / masks.entries_per_network().unsqueeze(1);
  out.accuracy = correct / double(test.size);
  return out;
}

}  // namespace modspec
