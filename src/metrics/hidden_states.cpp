#include "metrics/hidden_states.hpp"

#include "model/stack_input.hpp"
#include "util/seed.hpp"

namespace modspec {

StateCache cache_states(ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                        uint64_t noise_epoch, torch::Tensor* starts, const PairTable* noise_source,
                        torch::Tensor* projection) {
  constexpr int64_t kChunk = 2000;
  torch::NoGradGuard no_grad;
  const int64_t K = stack.stack_size(), M = stack.arch().n_modules, N = stack.padded_n(), T = stack.arch().nb_steps;
  // Per network [T, M, tuples, n] on the CPU, filled chunk by chunk.
  const auto dtype = stack.parameters()[0].scalar_type();
  StateCache cache;
  for (int64_t k = 0; k < K; ++k)
    cache.push_back(torch::empty({T, M, table.size, stack.specs()[size_t(k)].n}, torch::TensorOptions(dtype)));
  std::vector<torch::Tensor> start_parts;  // chunks of [B, S]
  const bool keep_projection = projection && !env.spec().dynamic();
  if (projection) *projection = torch::Tensor();
  for (int64_t begin = 0, i = 0; begin < table.size; begin += kChunk, ++i) {
    const int64_t end = std::min(table.size, begin + kChunk), B = end - begin;
    const StackInput in(stack, env, table, split, begin, end,
                        derive_seed({env.spec().seed, kNoise, noise_epoch, uint64_t(i)}), noise_source);
    start_parts.push_back(in.starts());
    const auto u = in.project(stack);  // [M*K, G*N, T_in*B]
    if (keep_projection) {
      if (!projection->defined()) *projection = torch::empty({table.size, u.size(0), u.size(1)}, u.options());
      projection->narrow(0, begin, B).copy_(u.permute({2, 0, 1}));
    }
    auto all = torch::stack(stack.states_projected(u, B)).view({T, M, K, N, B}).to(torch::kCPU);  // [T, M, K, N, B]
    for (int64_t k = 0; k < K; ++k) {
      auto& c = cache[size_t(k)];
      c.narrow(2, begin, B).copy_(all.select(2, k).narrow(2, 0, c.size(3)).transpose(2, 3));  // [T, M, B, n]
    }
  }
  if (starts) *starts = torch::cat(start_parts, 0);
  return cache;
}

}  // namespace modspec
