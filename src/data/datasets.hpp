// The stimulus families modspec knows, by name:
//   mnist            digits, from the data directory (fetched by the set-up script)
//   fashion          Fashion-MNIST, from Debian's dataset-fashion-mnist package
//   emnist-balanced  EMNIST balanced split (47 classes), from the user's copy of NIST's files
//   emnist-letters   EMNIST letters (labels 1..26 mapped to 0..25), from the user's copy
// A label beyond the family's classes (10, 10, 47, 26) is an Error naming the labels file.
// EMNIST images are stored transposed relative to MNIST; the loader transposes them back.
#pragma once
#include <filesystem>
#include <string>
#include <vector>

#include "data/image_set.hpp"

namespace modspec {

struct DataSources {
  std::filesystem::path data_dir;     // holds mnist/
  std::filesystem::path fashion_dir;  // holds Fashion-MNIST's four .gz files
  std::filesystem::path emnist_dir;   // holds emnist-<split>-<train|test>-...-ubyte.gz; may be empty
};

enum class Split { train, test };

const std::vector<std::string>& dataset_names();

// Throws an Error naming the dataset and how to get it when its files are missing.
ImageSet load_dataset(const std::string& name, Split split, const DataSources& sources,
                      ImageRead what = ImageRead::whole);

// Both splits of a dataset; an Error when their images differ in shape.
struct DatasetSplits {
  ImageSet train, test;
};
DatasetSplits load_dataset_splits(const std::string& name, const DataSources& sources,
                                  ImageRead what = ImageRead::whole);

// Where the files of a dataset are expected (for `modspec data info`).
std::filesystem::path dataset_location(const std::string& name, const DataSources& sources);

}  // namespace modspec
