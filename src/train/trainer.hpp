// Trains a stack of networks on an environment: AdamW on the summed per-network loss (so each
// network's gradient is the one it would get alone), exponential learning-rate decay per epoch,
// evaluation on the test tuples after every epoch, early stop and divergence handled per network.
// A network that stops (early or on a non-finite loss) keeps the weights it had then; its
// stack-mates go on, and at the end of the epoch the stack is repacked without it (weights,
// AdamW moments, edges), so that a step costs what the networks still training cost.
#pragma once
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "env/environment.hpp"
#include "model/modular_rnn.hpp"
#include "optim/adamw.hpp"
#include "train/train_spec.hpp"

namespace modspec {

struct Evaluation {
  double loss = 0;                                 // summed over targets, mean over samples
  std::vector<double> accuracy;                    // per target
  std::vector<std::vector<double>> decision_share;  // [target][module] fraction of decisions (separate readouts)
  double mean_accuracy() const;
};

struct EpochRecord {
  int64_t epoch = 0;
  double lr = 0;
  double train_loss = 0;
  Evaluation test;
  double seconds = 0;  // wall time of the epoch for the whole stack
};

enum class NetworkStatus { training, finished, stopped_early, diverged };
const char* status_name(NetworkStatus s);

struct NetworkOutcome {
  NetworkStatus status = NetworkStatus::training;
  std::vector<EpochRecord> history;
  NetworkState weights;  // the weights the network ended with
};

// Called after every epoch with the records so far (for progress and incremental writes).
using EpochCallback = std::function<void(int64_t epoch, const std::vector<NetworkOutcome>&)>;

class Trainer {
 public:
  Trainer(const Environment& env, ModularRNN stack, TrainSpec spec);

  // Runs up to spec.epochs epochs; returns one outcome per network of the stack.
  std::vector<NetworkOutcome> run(const EpochCallback& on_epoch = {});

  // One pass over the test tuples, per network of the stack.
  std::vector<Evaluation> evaluate();

  // Samples per second (pairs) of the last run, per network.
  double pairs_per_second() const { return pairs_per_second_; }

  // The stack now training: the one given, less the networks that stopped in earlier epochs.
  const ModularRNN& stack() const { return stack_; }

 private:
  void drop_stopped(std::unique_ptr<FusedAdamW>& opt, const std::vector<int64_t>& keep);

  const Environment& env_;
  ModularRNN stack_;
  TrainSpec spec_;
  torch::Device device_;
  double pairs_per_second_ = 0;
};

}  // namespace modspec
