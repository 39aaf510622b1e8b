#include "env/environment.hpp"

#include <map>

#include "env/presentation.hpp"
#include "runtime/kernels.hpp"
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

Environment::Environment(EnvSpec spec) : spec_(std::move(spec)) {
  task_ = spec_.task_shape();
  // Sides that name the same dataset share one copy.
  std::map<std::string, Side> loaded;
  for (const auto& name : spec_.datasets) {
    if (loaded.count(name)) continue;
    Side side;
    DatasetSplits splits = load_dataset_splits(name, spec_.sources);
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

PairTable Environment::train_pairs(int64_t epoch) const {
  std::vector<const ImageSet*> sets;
  for (const auto& s : sides_) sets.push_back(s.train.get());
  return draw_pairs(spec_, side_labels(sets), derive_seed({spec_.seed, kTrainPairs, uint64_t(epoch)}));
}

const ImageSet& Environment::images(int64_t side, Split split) const {
  return split == Split::train ? *sides_.at(side).train : *sides_.at(side).test;
}

Batch Environment::batch(const PairTable& table, Split split, int64_t begin, int64_t end, uint64_t noise_seed,
                         const PairTable* noise_source) const {
  const int64_t S = table.n_stimuli, B = end - begin;
  if (begin < 0 || end < begin || end > table.size)
    throw Error("env: batch rows [" + std::to_string(begin) + ", " + std::to_string(end) + ") outside a table of " +
                std::to_string(table.size));
  if (noise_source && noise_source->size != table.size)
    throw Error("env: the noise source table has " + std::to_string(noise_source->size) + " rows, the table " +
                std::to_string(table.size));
  auto rows = [&](const std::vector<int64_t>& v, int64_t width) {
    return torch::from_blob(const_cast<int64_t*>(v.data()) + begin * width, {B, width}, torch::kInt64).clone();
  };
  // The normalised stimuli of a table's rows: [S, B, P].
  auto stimuli = [&](const PairTable& t) {
    auto x = torch::empty({S, B, pixels_});
    const float scale = float(1.0 / (255.0 * kPixelStd)), shift = float(-kPixelMean / kPixelStd);
    std::vector<const uint8_t*> image_rows(static_cast<size_t>(B));
    for (int64_t s = 0; s < S; ++s) {
      const uint8_t* set = images(s, split).pixels.data();
      for (int64_t i = 0; i < B; ++i) image_rows[size_t(i)] = set + t.image[size_t((begin + i) * S + s)] * pixels_;
      kernels::gather_bytes(image_rows.data(), B, pixels_, scale, shift, x.data_ptr<float>() + s * B * pixels_);
    }
    return x;
  };
  Batch b;
  b.digits = rows(table.digit, S);
  b.targets = rows(table.target, table.n_targets);
  const auto clean = stimuli(table);
  Presented p = present(clean, spec_, noise_seed, noise_source && spec_.dynamic() ? stimuli(*noise_source) : torch::Tensor());
  b.x = p.x;
  b.starts = p.starts;
  return b;
}

}  // namespace modspec
