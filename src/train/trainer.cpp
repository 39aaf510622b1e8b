#include "train/trainer.hpp"

#include <chrono>
#include <memory>
#include <cmath>
#include <numeric>

#include "model/readout.hpp"
#include "model/stack_input.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

constexpr int64_t kEvalBatch = 2000;
// Test tuples are presented with the same noise every epoch, so epochs compare like with like.
constexpr uint64_t kTestEpoch = ~uint64_t(0) >> 2;

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

double Evaluation::mean_accuracy() const {
  return accuracy.empty() ? 0.0 : std::accumulate(accuracy.begin(), accuracy.end(), 0.0) / double(accuracy.size());
}

const char* status_name(NetworkStatus s) {
  switch (s) {
    case NetworkStatus::training: return "training";
    case NetworkStatus::finished: return "finished";
    case NetworkStatus::stopped_early: return "stopped_early";
    case NetworkStatus::diverged: return "diverged";
  }
  return "?";
}

Trainer::Trainer(const Environment& env, ModularRNN stack, TrainSpec spec)
    : env_(env), stack_(std::move(stack)), spec_(std::move(spec)), device_(spec_.device) {}

std::vector<Evaluation> Trainer::evaluate() {
  torch::NoGradGuard no_grad;
  stack_->eval();
  const auto& pairs = env_.test_pairs();
  const int64_t K = stack_->stack_size(), M = stack_->arch().n_modules;
  const auto n_targets = int64_t(stack_->arch().target_classes.size());
  auto loss = torch::zeros({K}, torch::kFloat64);
  auto correct = torch::zeros({n_targets, K}, torch::kFloat64);
  auto decided = torch::zeros({n_targets, K, M}, torch::kFloat64);
  for (int64_t begin = 0, i = 0; begin < pairs.size; begin += kEvalBatch, ++i) {
    const int64_t end = std::min(pairs.size, begin + kEvalBatch);
    const StackInput in(*stack_, env_, pairs, Split::test, begin, end,
                        derive_seed({env_.spec().seed, kNoise, kTestEpoch, uint64_t(i)}));
    const auto& y = in.targets();
    auto out = in.forward(*stack_);
    loss += stack_loss(out.logits, y).to(torch::kCPU, torch::kFloat64) * double(end - begin);
    for (int64_t j = 0; j < n_targets; ++j) {
      auto hit = out.logits[size_t(j)].argmax(2).eq(y.select(1, j).unsqueeze(0)).sum(1);  // [K]
      correct[j] += hit.to(torch::kCPU, torch::kFloat64);
      if (!out.decider.empty())
        for (int64_t m = 0; m < M; ++m)
          decided[j].select(1, m) += out.decider[size_t(j)].eq(m).sum(1).to(torch::kCPU, torch::kFloat64);
    }
  }
  stack_->train();
  auto evals = std::vector<Evaluation>(size_t(K));
  const double n = double(pairs.size);
  for (int64_t k = 0; k < K; ++k) {
    auto& e = evals[size_t(k)];
    e.loss = loss[k].item<double>() / n;
    for (int64_t j = 0; j < n_targets; ++j) {
      e.accuracy.push_back(correct[j][k].item<double>() / n);
      std::vector<double> share;
      if (!stack_->arch().shared_readout())
        for (int64_t m = 0; m < M; ++m) share.push_back(decided[j][k][m].item<double>() / n);
      e.decision_share.push_back(share);
    }
  }
  return evals;
}

// The stack without its stopped networks (`keep`: the stack indices that go on): their weights,
// AdamW moments and edges leave, and the stack pads only to its largest remaining n, so a step
// costs what the networks still training cost. Each kept network's weights and moments move as
// they are; the optimizer keeps its step count, so its bias corrections go on unchanged.
void Trainer::drop_stopped(std::unique_ptr<FusedAdamW>& opt, const std::vector<int64_t>& keep) {
  ModularRNN next = sub_stack(*stack_, keep);
  auto next_opt = std::make_unique<FusedAdamW>(next->parameters(), AdamWSettings{opt->lr(), spec_.weight_decay});
  next_opt->set_steps(opt->steps());
  // Parameter i of parameters() is entry i of named_parameters(), in both stacks.
  NetworkState m, v, next_m, next_v;
  size_t i = 0;
  for (const auto& item : stack_->named_parameters()) {
    m[item.key()] = opt->exp_avg(i);
    v[item.key()] = opt->exp_avg_sq(i);
    next_m[item.key()] = next_opt->exp_avg(i);
    next_v[item.key()] = next_opt->exp_avg_sq(i);
    ++i;
  }
  for (size_t j = 0; j < keep.size(); ++j) {
    const int64_t k = keep[j];
    next->load_network_part(int64_t(j), stack_->network_part(k, m), next_m);
    next->load_network_part(int64_t(j), stack_->network_part(k, v), next_v);
  }
  stack_ = next;
  opt = std::move(next_opt);
}

std::vector<NetworkOutcome> Trainer::run(const EpochCallback& on_epoch) {
  auto outcomes = std::vector<NetworkOutcome>(size_t(stack_->stack_size()));
  std::vector<int64_t> network;  // network[k]: which of the outcomes stack index k is
  for (int64_t k = 0; k < stack_->stack_size(); ++k) network.push_back(k);
  auto opt = std::make_unique<FusedAdamW>(stack_->parameters(), AdamWSettings{spec_.lr, spec_.weight_decay});
  double lr = spec_.lr, train_seconds = 0;
  int64_t pairs_seen = 0;
  for (int64_t epoch = 0; epoch < spec_.epochs; ++epoch) {
    const int64_t K = stack_->stack_size();
    auto active = torch::ones({K}, torch::TensorOptions().dtype(torch::kBool).device(device_));
    auto stop = [&](int64_t k, NetworkStatus why) {
      outcomes[size_t(network[size_t(k)])].status = why;
      outcomes[size_t(network[size_t(k)])].weights = stack_->network_state(k);
      active[k] = false;
    };
    const auto t0 = std::chrono::steady_clock::now();
    const PairTable pairs = env_.train_pairs(epoch);
    auto loss_sum = torch::zeros({K}, torch::TensorOptions().dtype(torch::kFloat64).device(device_));
    int64_t batches = 0;
    for (int64_t begin = 0; begin < pairs.size; begin += spec_.batch_size, ++batches) {
      const int64_t end = std::min(pairs.size, begin + spec_.batch_size);
      auto loss = StackInput(*stack_, env_, pairs, Split::train, begin, end,
                             derive_seed({env_.spec().seed, kNoise, uint64_t(epoch), uint64_t(batches)}))
                      .loss(*stack_);  // [K]
      auto bad = loss.detach().isfinite().logical_not().logical_and(active);
      if (bad.any().item<bool>()) {
        auto which = bad.to(torch::kCPU);
        for (int64_t k = 0; k < K; ++k)
          if (which[k].item<bool>()) stop(k, NetworkStatus::diverged);
      }
      // where(), not a product: 0 * NaN would still be NaN. A network that diverged mid-epoch
      // stays in the stack, masked, until the epoch ends.
      auto kept = torch::where(active, loss, torch::zeros_like(loss));
      opt->zero_grad();
      kept.sum().backward();
      opt->step();
      loss_sum += kept.detach().to(torch::kFloat64);
      pairs_seen += end - begin;
    }
    train_seconds += seconds_since(t0);
    std::vector<Evaluation> evals = evaluate();
    auto mean_loss = (loss_sum / double(std::max<int64_t>(batches, 1))).to(torch::kCPU);
    const double seconds = seconds_since(t0);
    for (int64_t k = 0; k < K; ++k) {
      auto& o = outcomes[size_t(network[size_t(k)])];
      if (o.status != NetworkStatus::training) continue;
      o.history.push_back({epoch, lr, mean_loss[k].item<double>(), evals[size_t(k)], seconds});
      if (spec_.early_stop && evals[size_t(k)].mean_accuracy() >= spec_.stop_accuracy)
        stop(k, NetworkStatus::stopped_early);
    }
    lr *= spec_.lr_decay;
    opt->set_lr(lr);
    if (on_epoch) on_epoch(epoch, outcomes);
    std::vector<int64_t> keep, kept_network;
    for (int64_t k = 0; k < K; ++k)
      if (outcomes[size_t(network[size_t(k)])].status == NetworkStatus::training) {
        keep.push_back(k);
        kept_network.push_back(network[size_t(k)]);
      }
    if (keep.empty()) break;
    if (int64_t(keep.size()) < K && epoch + 1 < spec_.epochs) {
      drop_stopped(opt, keep);
      network = kept_network;
    }
  }
  for (int64_t k = 0; k < stack_->stack_size(); ++k) {
    auto& o = outcomes[size_t(network[size_t(k)])];
    if (o.status == NetworkStatus::training) {
      o.status = NetworkStatus::finished;
      o.weights = stack_->network_state(k);
    }
  }
  pairs_per_second_ = train_seconds > 0 ? double(pairs_seen) / train_seconds : 0;
  return outcomes;
}

}  // namespace modspec
