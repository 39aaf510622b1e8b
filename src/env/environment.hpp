// The two-stimulus environment of paper 2.2: loads each side's dataset once, draws tuples of
// stimuli (pair_table.hpp), and assembles batches of normalised pixels presented over time
// (presentation.hpp). Deterministic in env.seed; train and test tuples come from the datasets'
// own train and test splits.
#pragma once
#include <memory>
#include <torch/torch.h>

#include "data/image_set.hpp"
#include "env/env_spec.hpp"
#include "env/pair_table.hpp"
#include "catalog/tasks.hpp"

namespace modspec {

// Pixel normalisation of the original implementation (MNIST's mean and std).
inline constexpr double kPixelMean = 0.1307;
inline constexpr double kPixelStd = 0.3081;

struct Batch {
  torch::Tensor x;        // [S, T, B, P] float, T = 1 when the presentation is static
  torch::Tensor digits;   // [B, S] int64 decision variables
  torch::Tensor targets;  // [B, n_targets] int64
  torch::Tensor starts;   // [B, S] int64 start step of each stimulus
  int64_t size() const { return digits.size(0); }
};

class Environment {
 public:
  explicit Environment(EnvSpec spec);

  const EnvSpec& spec() const { return spec_; }
  const TaskShape& task() const { return task_; }
  int64_t n_stimuli() const { return spec_.n_stimuli(); }
  int64_t pixels() const { return pixels_; }

  // A fresh draw of training tuples for the given epoch; the test tuples are drawn once.
  PairTable train_pairs(int64_t epoch) const;
  const PairTable& test_pairs() const { return test_; }

  // Rows [begin, end) of a table drawn from `split`; `noise_seed` drives the presentation. The
  // noise is made of the same rows of `noise_source` (a table of the same size) when given.
  Batch batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
              const PairTable* noise_source = nullptr) const;

  const ImageSet& images(int64_t side, Split split) const;

 private:
  // A batch reads its pixels straight from the image sets' bytes and normalises them as it copies:
  // a quarter of the memory traffic of a float table, and the gather was a quarter of a K = 1 step.
  struct Side {
    std::shared_ptr<const ImageSet> train, test;
  };
  EnvSpec spec_;
  TaskShape task_;
  int64_t pixels_ = 0;
  std::vector<Side> sides_;
  PairTable test_;
};

}  // namespace modspec
