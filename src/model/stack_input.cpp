#include "model/stack_input.hpp"

namespace modspec {

StackInput::StackInput(const ModularRNNImpl& stack, const Environment& env, const PairTable& table, Split split,
                       int64_t begin, int64_t end, uint64_t noise_seed, const PairTable* noise_source)
    : size_(end - begin) {
  if (stack.reads_foreground()) foreground_ = env.foreground(table, split, begin, end, noise_seed, noise_source);
  if (foreground_) {
    targets_ = foreground_->targets;
    // A static presentation shows every stimulus from step 0.
    starts_ = foreground_->noise ? foreground_->noise->starts : torch::zeros({size_, table.n_stimuli}, torch::kInt64);
    return;
  }
  const auto device = stack.parameters()[0].device();
  Batch b = env.batch(table, split, begin, end, noise_seed, noise_source);
  x_ = b.x.to(device);
  targets_ = b.targets.to(device);
  starts_ = b.starts;
}

torch::Tensor StackInput::project(const ModularRNNImpl& stack) const {
  return foreground_ ? stack.project(*foreground_) : stack.project(x_);
}

ForwardResult StackInput::forward(ModularRNNImpl& stack) const {
  return foreground_ ? stack.forward(*foreground_) : stack.forward(x_);
}

torch::Tensor StackInput::loss(ModularRNNImpl& stack) const {
  return foreground_ ? stack.loss(*foreground_, targets_) : stack.loss(x_, targets_);
}

}  // namespace modspec
