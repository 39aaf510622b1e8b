// NumPy's .npz format, written: a zip archive (stored, uncompressed) of .npy files, one per
// array, which numpy.load reads as a dict of arrays. Only what modspec writes: little-endian
// float32 and int64, C order, below 4 GiB in all (no zip64).
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

struct NpyArray {
  std::string name;             // the key numpy.load gives it
  std::string dtype;            // "<f4" (float32) or "<i8" (int64)
  std::vector<int64_t> shape;
  std::string bytes;            // product(shape) elements, C order
};

// The .npz bytes of the arrays; throws an Error naming an array whose bytes and shape disagree.
std::string npz_bytes(const std::vector<NpyArray>& arrays);

}  // namespace modspec
