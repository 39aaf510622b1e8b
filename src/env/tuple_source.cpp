#include "env/tuple_source.hpp"

#include <map>
#include <string>

#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

std::vector<const std::vector<int64_t>*> side_labels(const std::vector<const ImageSet*>& sets) {
  std::vector<const std::vector<int64_t>*> labels;
  for (const auto* s : sets) labels.push_back(&s->labels);
  return labels;
}

}  // namespace

TupleSource::TupleSource(EnvSpec spec, ImageRead what) : spec_(std::move(spec)) {
  task_ = spec_.task_shape();
  std::map<std::string, Side> loaded;
  for (const auto& name : spec_.datasets) {
    if (loaded.count(name)) continue;
    Side side;
    DatasetSplits splits = load_dataset_splits(name, spec_.sources, what);
    side.train = std::make_shared<ImageSet>(std::move(splits.train));
    side.test = std::make_shared<ImageSet>(std::move(splits.test));
    loaded[name] = side;
  }
  for (const auto& name : spec_.datasets) sides_.push_back(loaded[name]);
  pixels_ = sides_[0].train->pixels_per_image();
  for (size_t s = 0; s < sides_.size(); ++s)
    if (sides_[s].train->pixels_per_image() != pixels_ || sides_[s].test->pixels_per_image() != pixels_)
      throw Error("env.datasets: all stimuli must have the same image size (" + spec_.datasets[s] + " differs)");
  std::vector<const ImageSet*> test_sets;
  for (const auto& s : sides_) test_sets.push_back(s.test.get());
  test_ = draw_pairs(spec_, side_labels(test_sets), derive_seed({spec_.seed, kTestPairs}));
}

PairTable TupleSource::train_pairs(int64_t epoch) const {
  auto draw = [&] {
    std::vector<const ImageSet*> sets;
    for (const auto& s : sides_) sets.push_back(s.train.get());
    return draw_pairs(spec_, side_labels(sets), derive_seed({spec_.seed, kTrainPairs, uint64_t(epoch)}));
  };
  if (epoch != 0) return draw();
  std::call_once(first_epoch_->once, [&] { first_epoch_->table = draw(); });
  return first_epoch_->table;
}

const ImageSet& TupleSource::images(int64_t side, Split split) const {
  return split == Split::train ? *sides_.at(side).train : *sides_.at(side).test;
}

const PixelIndex& TupleSource::pixel_index(int64_t side, Split split) const {
  LazyIndex& slot = split == Split::train ? *sides_.at(side).train_index : *sides_.at(side).test_index;
  std::call_once(slot.once, [&] { slot.index = std::make_unique<const PixelIndex>(images(side, split)); });
  return *slot.index;
}

}  // namespace modspec
