#include "env/environment.hpp"

#include <map>

#include "env/presentation.hpp"
#include "util/error.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

torch::Tensor normalised_pixels(const ImageSet& set) {
  auto bytes = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()), {set.count, set.pixels_per_image()},
                                torch::kUInt8);
  return (bytes.to(torch::kFloat32) / 255.0 - kPixelMean) / kPixelStd;
}

std::vector<const std::vector<int64_t>*> side_labels(const std::vector<const ImageSet*>& sets) {
  std::vector<const std::vector<int64_t>*> labels;
  for (const auto* s : sets) labels.push_back(&s->labels);
  return labels;
}

}  // namespace

Environment::Environment(EnvSpec spec) : spec_(std::move(spec)) {
  task_ = task_shape(spec_.task, spec_.n_stimuli(), spec_.n_classes);
  // Sides that name the same dataset share one copy.
  std::map<std::string, Side> loaded;
  for (const auto& name : spec_.datasets) {
    if (loaded.count(name)) continue;
    Side side;
    side.train = std::make_shared<ImageSet>(load_dataset(name, Split::train, spec_.sources));
    side.test = std::make_shared<ImageSet>(load_dataset(name, Split::test, spec_.sources));
    side.train_pixels = normalised_pixels(*side.train);
    side.test_pixels = normalised_pixels(*side.test);
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

PairTable Environment::train_pairs(int64_t epoch) const {
  std::vector<const ImageSet*> sets;
  for (const auto& s : sides_) sets.push_back(s.train.get());
  return draw_pairs(spec_, side_labels(sets), derive_seed({spec_.seed, kTrainPairs, uint64_t(epoch)}));
}

const ImageSet& Environment::images(int64_t side, Split split) const {
  return split == Split::train ? *sides_.at(side).train : *sides_.at(side).test;
}

Batch Environment::batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed) const {
  const int64_t S = table.n_stimuli, B = end - begin;
  auto rows = [&](const std::vector<int64_t>& v, int64_t width) {
    return torch::from_blob(const_cast<int64_t*>(v.data()) + begin * width, {B, width}, torch::kInt64).clone();
  };
  Batch b;
  b.digits = rows(table.digit, S);
  b.targets = rows(table.target, table.n_targets);
  auto image_index = rows(table.image, S);
  std::vector<torch::Tensor> clean;
  for (int64_t s = 0; s < S; ++s) {
    const auto& pix = split == Split::train ? sides_[s].train_pixels : sides_[s].test_pixels;
    clean.push_back(pix.index_select(0, image_index.select(1, s)));  // [B, P]
  }
  Presented p = present(torch::stack(clean), spec_, noise_seed);
  b.x = p.x;
  b.starts = p.starts;
  return b;
}

}  // namespace modspec
