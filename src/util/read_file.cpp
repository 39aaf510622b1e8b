#include "util/read_file.hpp"

#include <algorithm>
#include <fstream>

#include "util/error.hpp"

namespace modspec {
namespace {

// Reads in one piece when the size is known, so a dataset of 50 MB is copied once rather than
// grown and copied several times; the rest, or a file whose size is not known (a pipe), in chunks.
template <class Buffer>
Buffer read_whole(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) throw Error(file.string() + ": " + ec.message());
  if (std::filesystem::is_directory(status)) throw Error(file.string() + ": is a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open file");
  Buffer bytes;
  const auto size = std::filesystem::is_regular_file(status) ? std::filesystem::file_size(file, ec) : 0;
  size_t have = 0;
  size_t want = (!ec && size > 0) ? size_t(size) : size_t(1) << 16;
  for (;;) {
    bytes.resize(have + want);
    in.read(reinterpret_cast<char*>(bytes.data()) + have, std::streamsize(want));
    have += size_t(in.gcount());
    if (!in || in.peek() == std::char_traits<char>::eof()) break;
    want = std::max<size_t>(want, size_t(1) << 16);
  }
  if (in.bad()) throw Error(file.string() + ": read error");
  bytes.resize(have);
  return bytes;
}

}  // namespace

std::string read_file(const std::filesystem::path& file) { return read_whole<std::string>(file); }

std::vector<uint8_t> read_file_bytes(const std::filesystem::path& file) {
  return read_whole<std::vector<uint8_t>>(file);
}

}  // namespace modspec
