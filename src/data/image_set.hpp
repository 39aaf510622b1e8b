// One split of a labelled image dataset, as bytes: what the IDX files hold, validated.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

struct ImageSet {
  std::string name;             // e.g. "mnist/train"
  int64_t count = 0;
  int64_t rows = 0, cols = 0;
  std::vector<uint8_t> pixels;  // [count, rows, cols]
  std::vector<int64_t> labels;  // [count], 0-based class index
  int64_t n_classes = 0;        // 1 + largest label

  int64_t pixels_per_image() const { return rows * cols; }
};

// What of an image set to read: all of it, or its labels and the images' dimensions only, from
// the images file's header checked against the file's size (idx.hpp, read_idx_dims), leaving
// `pixels` empty: `modspec data info` counts and draws tuples without decoding 100 MB of pixels.
enum class ImageRead { whole, labels_only };

// Reads an images file (3 dimensions) and its labels file (1 dimension) and checks they agree.
ImageSet read_image_set(const std::filesystem::path& images, const std::filesystem::path& labels,
                        const std::string& name, ImageRead what = ImageRead::whole);

}  // namespace modspec
