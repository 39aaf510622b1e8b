#include "env/pixel_index.hpp"

#include <algorithm>
#include <limits>

namespace modspec {

PixelIndex::PixelIndex(const ImageSet& set) {
  const int64_t P = set.pixels_per_image(), count = set.count;
  const uint8_t* bytes = set.pixels.data();
  const int64_t total = int64_t(set.pixels.size());
  const int64_t on = total - int64_t(std::count(bytes, bytes + total, uint8_t(0)));
  dense_ = total == 0 || P > int64_t(std::numeric_limits<uint16_t>::max()) + 1 ||
           double(on) > kernels::kForegroundMaxDensity * double(total);
  if (dense_) return;
  start_.resize(size_t(count + 1));
  // One entry of room past the last: every pixel is written, and e moves on only past those off
  // the background (no branch per pixel).
  pixel_.resize(size_t(on + 1));
  value_.resize(size_t(on + 1));
  int64_t e = 0;
  for (int64_t i = 0; i < count; ++i) {
    start_[size_t(i)] = e;
    const uint8_t* image = bytes + i * P;
    for (int64_t p = 0; p < P; ++p) {
      pixel_[size_t(e)] = uint16_t(p);
      value_[size_t(e)] = image[p];
      e += image[p] != 0;
    }
  }
  start_[size_t(count)] = e;
  pixel_.resize(size_t(on));
  value_.resize(size_t(on));
}

}  // namespace modspec
