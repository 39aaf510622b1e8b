#include "metrics/hidden_states.hpp"

#include "model/stack_input.hpp"
#include "util/seed.hpp"

namespace modspec {

StateCache cache_states(ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                        uint64_t noise_epoch, torch::Tensor* starts, const PairTable* noise_source) {
  constexpr int64_t kChunk = 2000;
  torch::NoGradGuard no_grad;
  const int64_t K = stack.stack_size(), M = stack.arch().n_modules, N = stack.padded_n(), T = stack.arch().nb_steps;
  std::vector<std::vector<torch::Tensor>> parts(static_cast<size_t>(K));  // per network: chunks of [T, M, B, n]
  std::vector<torch::Tensor> start_parts;                                  // chunks of [B, S]
  for (int64_t begin = 0, i = 0; begin < table.size; begin += kChunk, ++i) {
    const int64_t end = std::min(table.size, begin + kChunk), B = end - begin;
    const StackInput in(stack, env, table, split, begin, end,
                        derive_seed({env.spec().seed, kNoise, noise_epoch, uint64_t(i)}), noise_source);
    start_parts.push_back(in.starts());
    auto all = torch::stack(in.states(stack)).view({T, M, K, N, B}).to(torch::kCPU);  // [T, M, K, N, B]
    for (int64_t k = 0; k < K; ++k) {
      const int64_t n = stack.specs()[size_t(k)].n;
      parts[size_t(k)].push_back(all.select(2, k).narrow(2, 0, n).transpose(2, 3).contiguous());  // [T, M, B, n]
    }
  }
  if (starts) *starts = torch::cat(start_parts, 0);
  StateCache cache;
  for (auto& p : parts) cache.push_back(torch::cat(p, 2));
  return cache;
}

}  // namespace modspec
