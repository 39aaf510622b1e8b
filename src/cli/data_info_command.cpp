#include <cstdio>
#include <iomanip>
#include <iostream>

#include "cli/command_list.hpp"
#include "cli/commands.hpp"
#include "data/datasets.hpp"
#include "env/tuple_source.hpp"
#include "util/error.hpp"

namespace modspec::cli {
namespace {

void print_dataset(const std::string& name, const DataSources& sources) {
  std::cout << "  " << std::left << std::setw(16) << name;
  try {
    const DatasetSplits splits = load_dataset_splits(name, sources, ImageRead::labels_only);
    const ImageSet& train = splits.train;
    const ImageSet& test = splits.test;
    std::cout << "found  " << dataset_location(name, sources).string() << "\n"
              << "    train " << train.count << ", test " << test.count << " images of " << train.rows << "x"
              << train.cols << ", " << train.n_classes << " classes; train images per class:";
    std::vector<int64_t> per_class(size_t(train.n_classes), 0);
    for (auto l : train.labels) ++per_class[size_t(l)];
    for (auto c : per_class) std::cout << " " << c;
    std::cout << "\n";
  } catch (const Error& e) {
    // Every dataset is listed, whatever went wrong with another one's files.
    std::error_code ec;
    const bool there = std::filesystem::exists(dataset_location(name, sources), ec);
    std::cout << (there ? "unusable  (" : "missing  (") << e.what() << ")\n";
  }
}

double fraction_equal(const PairTable& t) {
  int64_t same = 0;
  for (int64_t i = 0; i < t.size; ++i) same += t.digit[size_t(i * t.n_stimuli)] == t.digit[size_t(i * t.n_stimuli + 1)];
  return t.size ? double(same) / double(t.size) : 0.0;
}

void print_environment(const Config& config) {
  const TupleSource env(EnvSpec::from(config), ImageRead::labels_only);
  const auto& spec = env.spec();
  const PairTable train = env.train_pairs(0);
  const double C = double(spec.n_classes);
  std::cout << "environment: " << spec.datasets[0];
  for (int64_t s = 1; s < spec.n_stimuli(); ++s) std::cout << " x " << spec.datasets[s];
  std::cout << ", " << spec.n_classes << " classes per side (" << (spec.disjoint_classes ? "disjoint" : "same")
            << "), task " << spec.task << ", asymmetry fix " << (spec.asymmetry_fix ? "on" : "off") << "\n"
            << "  tuples per epoch: train " << train.size << ", test " << env.test_pairs().size << "\n"
            << std::fixed << std::setprecision(4) << "  covariance c = " << spec.covariance
            << ": measured P(D1 == D2) = " << fraction_equal(train) << " on train, "
            << fraction_equal(env.test_pairs()) << " on test; expected "
            << (spec.asymmetry_fix ? 0.0 : spec.covariance + (1 - spec.covariance) / C) << "\n";
}

}  // namespace

void add_data_info_command(CLI::App& data) {
  auto* info = add_command(data, "info");
  auto opts = std::make_shared<ConfigOptions>();
  opts->add_to(*info, false);
  info->callback([opts]() {
    const Config config = opts->resolve();
    const EnvSpec spec = EnvSpec::from(config);
    std::cout << "data directory: " << spec.sources.data_dir.string() << "\n" << "datasets:\n";
    for (const auto& name : dataset_names()) print_dataset(name, spec.sources);
    print_environment(config);
  });
}

}  // namespace modspec::cli
