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
  std::vector<torch::Tensor> train_tables, test_tables;
  int64_t train_rows = 0, test_rows = 0;
  for (const auto& name : spec_.datasets) {
    if (loaded.count(name)) continue;
    Side side;
    side.train = std::make_shared<ImageSet>(load_dataset(name, Split::train, spec_.sources));
    side.test = std::make_shared<ImageSet>(load_dataset(name, Split::test, spec_.sources));
    side.train_offset = train_rows;
    side.test_offset = test_rows;
    train_rows += side.train->count;
    test_rows += side.test->count;
    train_tables.push_back(normalised_pixels(*side.train));
    test_tables.push_back(normalised_pixels(*side.test));
    loaded[name] = side;
  }
  for (const auto& name : spec_.datasets) sides_.push_back(loaded[name]);
  pixels_ = sides_[0].train->pixels_per_image();
  for (size_t s = 0; s < sides_.size(); ++s)
    if (sides_[s].train->pixels_per_image() != pixels_ || sides_[s].test->pixels_per_image() != pixels_)
      throw Error("env.datasets: all stimuli must have the same image size (" + spec_.datasets[s] + " differs)");
  train_pixels_ = train_tables.size() == 1 ? train_tables[0] : torch::cat(train_tables);
  test_pixels_ = test_tables.size() == 1 ? test_tables[0] : torch::cat(test_tables);
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
    auto image_index = rows(t.image, S).t().contiguous();  // rows of the pixel table, side-major: [S, B]
    for (int64_t s = 0; s < S; ++s)
      image_index[s] += split == Split::train ? sides_[size_t(s)].train_offset : sides_[size_t(s)].test_offset;
    const auto& pixels = split == Split::train ? train_pixels_ : test_pixels_;
    return pixels.index_select(0, image_index.view({-1})).view({S, B, pixels_});
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
