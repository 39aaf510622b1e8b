// Reader for the IDX format of MNIST-like datasets (raw or gzip-compressed, detected from the
// file's first bytes). Every inconsistency is an Error naming the file and the problem.
#pragma once
#include <cstdint>
#include <filesystem>
#include <vector>

namespace modspec {

struct IdxArray {
  std::vector<int64_t> dims;  // e.g. {60000, 28, 28}
  std::vector<uint8_t> data;  // row-major, product(dims) bytes
};

// Only unsigned-byte arrays (type code 0x08) are accepted: every dataset modspec reads uses them.
IdxArray read_idx(const std::filesystem::path& file);
// The same for the bytes of a file already read; `file` names it in errors.
IdxArray parse_idx(std::vector<uint8_t> bytes, const std::filesystem::path& file);

// The dimensions alone, without decoding the data: the header, checked against the file's size
// (raw) or against the inflated size its gzip trailer records (modulo 2^32). A file that fails
// either check is read whole, so its errors are read_idx's and a multi-member gzip file is read.
std::vector<int64_t> read_idx_dims(const std::filesystem::path& file);

}  // namespace modspec
