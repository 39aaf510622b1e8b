#include "model/readout.hpp"

#include <string>

#include "runtime/kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

using torch::autograd::AutogradContext;
using torch::autograd::variable_list;

// The loss of separate readouts with the competitive decision as one autograd node. Saved for
// backward: z, the weights, the deciding module per target and tuple, and the deciding module's
// softmax per tuple ([K, Ctot, B], target by target), from which the gradient is
// softmax - one-hot(target) in the deciding module's outputs and zero in the others.
//
// The math, per network k, target j (classes C_j, its block of the outputs) and tuple i:
//   forward   o_m = W_m z_m + b_m for every module m            (readout_forward)
//             mu = argmax_m max_c o_m[j, c, i]                  (the deciding module)
//             loss_k = (1/B) sum_i sum_j [ log sum_c exp o_mu[j, c, i] - o_mu[j, y_ij, i] ]
//   backward  the decision mu is held constant: it is piecewise constant in the outputs, so its
//             derivative is zero wherever it is defined (at ties the first module decides), and
//             dL/do_mu[j, :, i] = (s/B) (softmax(o_mu[j, :, i]) - onehot(y_ij)), zero for m != mu,
//             with s the upstream gradient of loss_k;
//             dW_m = sum_i dL/do_m z_m^T,  db_m = sum_i dL/do_m,  dz_m = W_m^T dL/do_m.
// Checked against stack_loss(competitive_decisions()) (autograd) and against central finite
// differences of a plain double-precision loop away from ties (tests/test_readout.cpp).
struct FusedCompetitiveLoss : torch::autograd::Function<FusedCompetitiveLoss> {
  static torch::Tensor forward(AutogradContext* ctx, const torch::Tensor& z_in, const torch::Tensor& w_in,
                               const torch::Tensor& b_in, const torch::Tensor& targets_in, int64_t M,
                               const std::vector<int64_t>& classes) {
    const auto z = z_in.contiguous(), w = w_in.contiguous(), b = b_in.contiguous();
    const int64_t MK = z.size(0), H = z.size(1), B = z.size(2), C = w.size(1), K = MK / M, J = int64_t(classes.size());
    // [K, B, J], the networks' own labels, or [B, J], the batch's labels for every network.
    const auto targets = targets_in.to(torch::kInt64).contiguous();
    const bool own = targets.dim() == 3;
    if (targets.sizes() != (own ? torch::IntArrayRef{K, B, J} : torch::IntArrayRef{B, J}))
      throw Error("loss: targets of shape " + c10::str(targets.sizes()) + " for " + std::to_string(K) +
                  " networks, " + std::to_string(B) + " tuples and " + std::to_string(J) + " targets");
    const int64_t stride = own ? B * J : 0;
    const int64_t* y = targets.data_ptr<int64_t>();
    for (int64_t i = 0; i < targets.numel() / J; ++i)
      for (int64_t j = 0; j < J; ++j)
        if (y[i * J + j] < 0 || y[i * J + j] >= classes[size_t(j)])
          throw Error("loss: target " + std::to_string(j) + " holds class " + std::to_string(y[i * J + j]) +
                      ", outside 0.." + std::to_string(classes[size_t(j)] - 1));
    auto out = torch::empty({MK, C, B});
    kernels::readout_forward(MK, H, B, C, z.data_ptr<float>(), w.data_ptr<float>(), b.data_ptr<float>(),
                             out.data_ptr<float>());
    auto probs = torch::empty({K, C, B});
    auto decider = torch::empty({J, K, B}, torch::kInt64);
    std::vector<double> loss(size_t(K), 0.0);
    kernels::competitive_softmax(M, K, B, C, classes.data(), J, out.data_ptr<float>(), y, stride,
                                 probs.data_ptr<float>(), decider.data_ptr<int64_t>(), loss.data());
    auto result = torch::empty({K});
    for (int64_t k = 0; k < K; ++k) result.data_ptr<float>()[k] = float(loss[size_t(k)] / double(B));
    ctx->save_for_backward({z, w, b, probs, decider, targets});
    ctx->saved_data["modules"] = M;
    ctx->saved_data["classes"] = classes;
    return result;
  }

  static variable_list backward(AutogradContext* ctx, variable_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &z = saved[0], &w = saved[1], &b = saved[2], &probs = saved[3], &decider = saved[4], &targets = saved[5];
    const int64_t M = ctx->saved_data["modules"].toInt();
    const auto classes = ctx->saved_data["classes"].toIntVector();
    const int64_t MK = z.size(0), H = z.size(1), B = z.size(2), C = w.size(1), K = MK / M, J = int64_t(classes.size());
    const auto scale = (grads[0].to(torch::kFloat32) / double(B)).contiguous();  // [K]: the loss is a mean over B
    auto gout = torch::empty({MK, C, B});
    kernels::competitive_softmax_backward(M, K, B, C, classes.data(), J, probs.data_ptr<float>(),
                                          decider.data_ptr<int64_t>(), targets.data_ptr<int64_t>(),
                                          targets.dim() == 3 ? B * J : 0, scale.data_ptr<float>(),
                                          gout.data_ptr<float>());
    auto gz = torch::empty_like(z);
    auto gw = torch::zeros_like(w);
    auto gb = torch::zeros_like(b);
    kernels::readout_backward(MK, H, B, C, z.data_ptr<float>(), w.data_ptr<float>(), gout.data_ptr<float>(),
                              gz.data_ptr<float>(), gw.data_ptr<float>(), gb.data_ptr<float>());
    return {gz, gw, gb, {}, {}, {}};
  }
};

}  // namespace

Decisions competitive_decisions(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                                int64_t modules, const std::vector<int64_t>& classes) {
  const int64_t K = z.size(0) / modules, B = z.size(2);
  auto out = torch::baddbmm(b_out, z.transpose(1, 2), w_out.transpose(1, 2)).view({modules, K, B, -1});  // [M, K, B, Ctot]
  Decisions result;
  int64_t offset = 0;
  for (int64_t Cj : classes) {
    auto part = out.narrow(3, offset, Cj);  // [M, K, B, C_j]
    // argmax over a leading dimension is slow on the CPU: bring modules last first.
    auto decider = part.detach().amax(3).permute({1, 2, 0}).contiguous().argmax(2);  // [K, B]
    auto pick = decider.view({1, K, B, 1}).expand({1, K, B, Cj});
    result.logits.push_back(part.gather(0, pick).squeeze(0));  // [K, B, C_j]
    result.decider.push_back(decider);
    offset += Cj;
  }
  return result;
}

Decisions blockdiag_decisions(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                              int64_t modules, const std::vector<int64_t>& classes) {
  const int64_t K = z.size(0) / modules, B = z.size(2);
  auto out = torch::baddbmm(b_out, z.transpose(1, 2), w_out.transpose(1, 2)).view({modules, K, B, -1});  // [M, K, B, Ctot]
  Decisions result;
  int64_t offset = 0;
  for (int64_t Cj : classes) {
    auto joined = out.narrow(3, offset, Cj).permute({1, 2, 0, 3}).reshape({K, B, modules * Cj});  // [K, B, M*C_j]
    result.decider.push_back(joined.detach().argmax(2).div(Cj, "floor"));
    result.logits.push_back(joined);
    offset += Cj;
  }
  return result;
}

torch::Tensor stack_loss(const std::vector<torch::Tensor>& logits, const torch::Tensor& targets) {
  namespace F = torch::nn::functional;
  torch::Tensor total;
  for (size_t j = 0; j < logits.size(); ++j) {
    const auto& l = logits[j];  // [K, B, C]
    const int64_t K = l.size(0), B = l.size(1);
    auto y = targets.dim() == 3 ? targets.select(2, int64_t(j)).reshape({K * B})
                                : targets.select(1, int64_t(j)).repeat({K});  // [K*B]
    auto per = F::cross_entropy(l.reshape({K * B, l.size(2)}), y, F::CrossEntropyFuncOptions().reduction(torch::kNone))
                   .view({K, B})
                   .mean(1);  // [K]
    total = total.defined() ? total + per : per;
  }
  return total;
}

torch::Tensor competitive_loss(const torch::Tensor& z, const torch::Tensor& w_out, const torch::Tensor& b_out,
                               int64_t modules, const std::vector<int64_t>& classes, const torch::Tensor& targets) {
  if (!z.is_cpu() || z.scalar_type() != torch::kFloat32)
    return stack_loss(competitive_decisions(z, w_out, b_out, modules, classes).logits, targets);
  return FusedCompetitiveLoss::apply(z, w_out, b_out, targets, modules, classes);
}

}  // namespace modspec
