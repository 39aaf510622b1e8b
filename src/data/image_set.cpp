#include "data/image_set.hpp"

#include <algorithm>

#include "data/idx.hpp"
#include "util/error.hpp"

namespace modspec {

ImageSet read_image_set(const std::filesystem::path& images, const std::filesystem::path& labels,
                        const std::string& name, ImageRead what) {
  IdxArray img = what == ImageRead::whole ? read_idx(images) : IdxArray{read_idx_dims(images), {}};
  IdxArray lab = read_idx(labels);
  if (img.dims.size() != 3)
    throw Error(images.string() + ": expected 3 dimensions (count, rows, cols), found " +
                std::to_string(img.dims.size()));
  if (lab.dims.size() != 1)
    throw Error(labels.string() + ": expected 1 dimension (count), found " + std::to_string(lab.dims.size()));
  if (img.dims[0] != lab.dims[0])
    throw Error(images.string() + " has " + std::to_string(img.dims[0]) + " images but " + labels.string() +
                " has " + std::to_string(lab.dims[0]) + " labels");
  ImageSet set;
  set.name = name;
  set.count = img.dims[0];
  set.rows = img.dims[1];
  set.cols = img.dims[2];
  set.pixels = std::move(img.data);
  set.labels.assign(lab.data.begin(), lab.data.end());
  set.n_classes = set.labels.empty() ? 0 : 1 + *std::max_element(set.labels.begin(), set.labels.end());
  return set;
}

}  // namespace modspec
