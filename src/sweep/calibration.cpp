#include "sweep/calibration.hpp"

#include <algorithm>
#include <chrono>

#include "model/modular_rnn.hpp"
#include "model/stack_input.hpp"
#include "optim/adamw.hpp"
#include "train/train_spec.hpp"

namespace modspec {

double calibrate_step_seconds(const Environment& env, const Config& config, const std::vector<NetworkSpec>& specs) {
  const TrainSpec train = TrainSpec::from(config);
  const Architecture arch = Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
  ModularRNN stack(arch, specs);
  FusedAdamW optimizer(stack->parameters(), {train.lr, train.weight_decay});
  const PairTable pairs = env.train_pairs(0);
  const int64_t B = std::min(train.batch_size, pairs.size);
  std::vector<double> seconds;
  for (int64_t i = 0; i < 4; ++i) {
    const auto t0 = std::chrono::steady_clock::now();
    const int64_t begin = (i * B) % std::max<int64_t>(1, pairs.size - B + 1);
    auto loss = StackInput(*stack, env, pairs, Split::train, begin, begin + B, 0).loss(*stack);
    optimizer.zero_grad();
    loss.sum().backward();
    optimizer.step();
    if (i > 0) seconds.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(seconds.begin(), seconds.end());
  return seconds[seconds.size() / 2];
}

}  // namespace modspec
