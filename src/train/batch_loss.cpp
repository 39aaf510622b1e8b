#include "train/batch_loss.hpp"

namespace modspec {

torch::Tensor batch_loss(ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                         int64_t begin, int64_t end, uint64_t noise_seed) {
  if (stack.reads_foreground())
    if (const auto f = env.foreground(table, split, begin, end)) return stack.loss(*f, f->targets);
  const auto device = stack.parameters()[0].device();
  const Batch b = env.batch(table, split, begin, end, noise_seed);
  return stack.loss(b.x.to(device), b.targets.to(device));
}

}  // namespace modspec
