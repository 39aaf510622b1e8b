// The pixels off the background of every image of a set, found once: a static presentation's
// input projection without a gradient multiplies only these, straight from the bytes
// (runtime/foreground_kernels.hpp, PixelRow; docs/ARCHITECTURE.md, performance principle 7).
// About 150 of an MNIST digit's 784 pixels, 3 bytes each: 27 MB for MNIST's 60,000 training images.
#pragma once
#include <cstdint>
#include <vector>

#include "data/image_set.hpp"
#include "runtime/foreground_kernels.hpp"
#include "util/huge_pages.hpp"

namespace modspec {

class PixelIndex {
 public:
  // Indexes `set`'s images when at most kernels::kForegroundMaxDensity of its pixels are nonzero
  // bytes (the background is byte 0) and an image has at most 65,536 pixels; otherwise holds
  // none, and dense() says so.
  explicit PixelIndex(const ImageSet& set);

  bool dense() const { return dense_; }
  // Image i's pixels off the background; i must be an image of the set, and the index not dense.
  kernels::PixelRow row(int64_t image) const {
    const int64_t b = start_[size_t(image)];
    return {pixel_.data() + b, value_.data() + b, start_[size_t(image) + 1] - b};
  }

 private:
  bool dense_ = false;
  // On huge pages (util/huge_pages.hpp): a batch reads its rows from anywhere in them.
  std::vector<int64_t, HugePageAllocator<int64_t>> start_;    // [count + 1]: image i's entries are
                                                              // [start_[i], start_[i + 1])
  std::vector<uint16_t, HugePageAllocator<uint16_t>> pixel_;  // pixel numbers, rising within an image
  std::vector<uint8_t, HugePageAllocator<uint8_t>> value_;    // their bytes
};

}  // namespace modspec
