// The environment's datasets and the stimulus tuples it draws from them (paper 2.2), without
// LibTorch: loads each side's dataset once and draws tuples (pair_table.hpp). Deterministic in
// env.seed; train and test tuples come from the datasets' own train and test splits.
// Environment (environment.hpp) adds the batches of tensors; `modspec data info` needs only this.
#pragma once
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "catalog/tasks.hpp"
#include "data/image_set.hpp"
#include "env/env_spec.hpp"
#include "env/pair_table.hpp"
#include "env/pixel_index.hpp"

namespace modspec {

class TupleSource {
 public:
  // With ImageRead::labels_only the image sets hold no pixels: enough to draw tuples, not to
  // present them.
  explicit TupleSource(EnvSpec spec, ImageRead what = ImageRead::whole);

  const EnvSpec& spec() const { return spec_; }
  const TaskShape& task() const { return task_; }
  int64_t n_stimuli() const { return spec_.n_stimuli(); }
  int64_t pixels() const { return pixels_; }

  // A fresh draw of training tuples for the given epoch; the test tuples are drawn once. Epoch
  // 0's draw is kept on first use (thread-safe): the trainer's first epoch, the measures'
  // training tuples, the weight masks and the memory check all read it.
  PairTable train_pairs(int64_t epoch) const;
  const PairTable& test_pairs() const { return test_; }

  const ImageSet& images(int64_t side, Split split) const;
  // The pixels off the background of those images, indexed on first use (thread-safe; sides
  // that name the same dataset share one index).
  const PixelIndex& pixel_index(int64_t side, Split split) const;

 private:
  // Sides that name the same dataset share one copy. A batch (environment.hpp) reads its pixels
  // straight from the image sets' bytes and normalises them as it copies: a quarter of the memory
  // traffic of a float table, and the gather was a quarter of a K = 1 step.
  struct LazyIndex {
    std::once_flag once;
    std::unique_ptr<const PixelIndex> index;
  };
  struct LazyPairs {
    std::once_flag once;
    PairTable table;
  };
  struct Side {
    std::shared_ptr<const ImageSet> train, test;
    std::shared_ptr<LazyIndex> train_index = std::make_shared<LazyIndex>(),
                               test_index = std::make_shared<LazyIndex>();
  };
  EnvSpec spec_;
  TaskShape task_;
  int64_t pixels_ = 0;
  std::vector<Side> sides_;
  PairTable test_;
  std::shared_ptr<LazyPairs> first_epoch_ = std::make_shared<LazyPairs>();
};

}  // namespace modspec
