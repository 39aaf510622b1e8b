#include "data/datasets.hpp"

#include <algorithm>

#include "data/data_dir.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

const char* split_word(Split split) { return split == Split::train ? "train" : "t10k"; }

void require_file(const std::filesystem::path& file, const std::string& dataset, const std::string& remedy) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (status.type() == std::filesystem::file_type::not_found)
    throw Error("dataset " + dataset + ": missing " + file.string() + "; " + remedy);
  if (ec) throw Error("dataset " + dataset + ": " + file.string() + ": " + ec.message());
  if (std::filesystem::is_directory(status))
    throw Error("dataset " + dataset + ": " + file.string() + " is a directory, not an IDX file");
}

// Each family has a fixed number of classes: a label beyond them is a damaged or foreign file,
// not a bigger task.
ImageSet checked(ImageSet set, const std::string& dataset, int64_t classes, const std::filesystem::path& labels) {
  for (int64_t l : set.labels)
    if (l >= classes)
      throw Error(labels.string() + ": label " + std::to_string(l) + " outside dataset " + dataset + "'s classes 0.." +
                  std::to_string(classes - 1));
  set.n_classes = classes;
  return set;
}

ImageSet load_mnist(Split split, const DataSources& src, ImageRead what) {
  const auto dir = src.data_dir / "mnist";
  const std::string stem = split_word(split);
  const auto images = dir / (stem + "-images-idx3-ubyte");
  const auto labels = dir / (stem + "-labels-idx1-ubyte");
  const std::string remedy = std::string("run `") + kSetupCommand + "` to fetch it, or pass --data-dir";
  require_file(images, "mnist", remedy);
  require_file(labels, "mnist", remedy);
  return checked(
      read_image_set(images, labels, std::string("mnist/") + (split == Split::train ? "train" : "test"), what),
      "mnist", 10, labels);
}

ImageSet load_fashion(Split split, const DataSources& src, ImageRead what) {
  const std::string stem = split_word(split);
  const auto images = src.fashion_dir / (stem + "-images-idx3-ubyte.gz");
  const auto labels = src.fashion_dir / (stem + "-labels-idx1-ubyte.gz");
  const std::string remedy = std::string("install Debian's dataset-fashion-mnist (`") + kSetupCommand +
                             "` does) or set data.fashion_dir";
  require_file(images, "fashion", remedy);
  require_file(labels, "fashion", remedy);
  return checked(
      read_image_set(images, labels, std::string("fashion/") + (split == Split::train ? "train" : "test"), what),
      "fashion", 10, labels);
}

// EMNIST stores each image transposed (column-major) relative to MNIST. A set read without its
// pixels gets its dimensions swapped only.
void transpose_images(ImageSet& set) {
  if (set.pixels.empty()) {
    std::swap(set.rows, set.cols);
    return;
  }
  std::vector<uint8_t> out(set.pixels.size());
  const int64_t r = set.rows, c = set.cols;
  for (int64_t i = 0; i < set.count; ++i) {
    const uint8_t* src = set.pixels.data() + i * r * c;
    uint8_t* dst = out.data() + i * r * c;
    for (int64_t y = 0; y < r; ++y)
      for (int64_t x = 0; x < c; ++x) dst[x * r + y] = src[y * c + x];
  }
  set.pixels = std::move(out);
  std::swap(set.rows, set.cols);
}

ImageSet load_emnist(const std::string& which, Split split, const DataSources& src, ImageRead what) {
  const std::string name = "emnist-" + which;
  if (src.emnist_dir.empty())
    throw Error("dataset " + name + ": set data.emnist_dir to the folder holding NIST's EMNIST gzip IDX files");
  const std::string part = split == Split::train ? "train" : "test";
  const auto images = src.emnist_dir / (name + "-" + part + "-images-idx3-ubyte.gz");
  const auto labels = src.emnist_dir / (name + "-" + part + "-labels-idx1-ubyte.gz");
  const std::string remedy = "EMNIST cannot be downloaded by modspec; point data.emnist_dir at your copy";
  require_file(images, name, remedy);
  require_file(labels, name, remedy);
  ImageSet set = read_image_set(images, labels, name + "/" + part, what);
  transpose_images(set);
  if (which == "letters") {
    for (auto& l : set.labels) {
      if (l < 1 || l > 26) throw Error(labels.string() + ": letter label " + std::to_string(l) + " outside 1..26");
      l -= 1;
    }
    set.n_classes = 26;
    return checked(std::move(set), name, 26, labels);
  }
  return checked(std::move(set), name, 47, labels);
}

}  // namespace

const std::vector<std::string>& dataset_names() {
  static const std::vector<std::string> names{"mnist", "fashion", "emnist-balanced", "emnist-letters"};
  return names;
}

ImageSet load_dataset(const std::string& name, Split split, const DataSources& sources, ImageRead what) {
  if (name == "mnist") return load_mnist(split, sources, what);
  if (name == "fashion") return load_fashion(split, sources, what);
  if (name == "emnist-balanced") return load_emnist("balanced", split, sources, what);
  if (name == "emnist-letters") return load_emnist("letters", split, sources, what);
  throw Error("unknown dataset '" + name + "' (known: mnist, fashion, emnist-balanced, emnist-letters)");
}

DatasetSplits load_dataset_splits(const std::string& name, const DataSources& sources, ImageRead what) {
  DatasetSplits d{load_dataset(name, Split::train, sources, what), load_dataset(name, Split::test, sources, what)};
  if (d.train.rows != d.test.rows || d.train.cols != d.test.cols)
    throw Error("dataset " + name + " (" + dataset_location(name, sources).string() + "): its test images are " +
                std::to_string(d.test.rows) + " x " + std::to_string(d.test.cols) + " pixels, its training images " +
                std::to_string(d.train.rows) + " x " + std::to_string(d.train.cols));
  return d;
}

std::filesystem::path dataset_location(const std::string& name, const DataSources& sources) {
  if (name == "mnist") return sources.data_dir / "mnist";
  if (name == "fashion") return sources.fashion_dir;
  return sources.emnist_dir;
}

}  // namespace modspec
