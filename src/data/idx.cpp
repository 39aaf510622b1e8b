#include "data/idx.hpp"

#include <algorithm>
#include <sstream>
#include <zlib.h>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace modspec {
namespace {

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& packed, const std::filesystem::path& file) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(file.string() + ": zlib init failed");
  zs.next_in = const_cast<Bytef*>(packed.data());
  zs.avail_in = static_cast<uInt>(packed.size());
  std::vector<uint8_t> out;
  // A single member's trailer gives its inflated size (modulo 2^32): reserved up front, the output
  // is not copied as it grows. Only a hint, bounded by deflate's largest ratio (1032:1).
  if (packed.size() >= 18) {
    const uint8_t* t = packed.data() + packed.size() - 4;
    const uint64_t isize = uint64_t(t[0]) | uint64_t(t[1]) << 8 | uint64_t(t[2]) << 16 | uint64_t(t[3]) << 24;
    out.reserve(size_t(std::min<uint64_t>(isize, 1032 * uint64_t(packed.size()))));
  }
  std::vector<uint8_t> chunk(1 << 20);
  int rc = Z_OK;
  // A file may hold several gzip members one after another (`cat a.gz b.gz`): each is inflated in
  // turn. Anything after the last member that is not another member is an error.
  for (;;) {
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (zs.avail_in < 2 || zs.next_in[0] != 0x1f || zs.next_in[1] != 0x8b) {
        const size_t extra = zs.avail_in;
        inflateEnd(&zs);
        throw Error(file.string() + ": " + std::to_string(extra) + " bytes of trailing data after the gzip stream");
      }
      inflateReset(&zs);
    }
    zs.next_out = chunk.data();
    zs.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&zs, Z_NO_FLUSH);
    if (rc == Z_DATA_ERROR || rc == Z_NEED_DICT || rc == Z_MEM_ERROR) {
      std::string why = zs.msg ? zs.msg : "corrupt data";
      inflateEnd(&zs);
      throw Error(file.string() + ": bad gzip data (" + why + ")");
    }
    out.insert(out.end(), chunk.data(), chunk.data() + (chunk.size() - zs.avail_out));
    if (rc == Z_BUF_ERROR || (rc == Z_OK && zs.avail_in == 0 && zs.avail_out != 0)) {
      inflateEnd(&zs);
      throw Error(file.string() + ": truncated gzip stream");
    }
  }
  inflateEnd(&zs);
  return out;
}

uint32_t big_endian_u32(const uint8_t* p) {
  return (uint32_t(p[0]) << 24) | (uint32_t(p[1]) << 16) | (uint32_t(p[2]) << 8) | uint32_t(p[3]);
}

}  // namespace

IdxArray read_idx(const std::filesystem::path& file) { return parse_idx(read_file_bytes(file), file); }

IdxArray parse_idx(std::vector<uint8_t> bytes, const std::filesystem::path& file) {
  if (bytes.size() >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b) bytes = gunzip(bytes, file);
  const std::string where = file.string() + ": ";
  if (bytes.size() < 4) throw Error(where + "too short for an IDX header (" + std::to_string(bytes.size()) + " bytes)");
  if (bytes[0] != 0 || bytes[1] != 0) {
    std::ostringstream magic;
    magic << std::hex << big_endian_u32(bytes.data());
    throw Error(where + "wrong magic number 0x" + magic.str() + " (not an IDX file)");
  }
  if (bytes[2] != 0x08) {
    std::ostringstream type;
    type << std::hex << int(bytes[2]);
    throw Error(where + "element type 0x" + type.str() + " is not supported (only unsigned byte, 0x08)");
  }
  const int ndims = bytes[3];
  if (ndims < 1 || ndims > 4) throw Error(where + "bad number of dimensions " + std::to_string(ndims));
  const size_t header = 4 + 4 * size_t(ndims);
  if (bytes.size() < header) throw Error(where + "truncated header");
  IdxArray array;
  uint64_t count = 1;
  for (int d = 0; d < ndims; ++d) {
    array.dims.push_back(big_endian_u32(bytes.data() + 4 + 4 * d));
    const uint64_t dim = uint64_t(array.dims.back());
    if (dim != 0 && count > UINT64_MAX / dim) throw Error(where + "dimensions too large");
    count *= dim;
  }
  const uint64_t have = bytes.size() - header;
  if (have < count)
    throw Error(where + "truncated: header promises " + std::to_string(count) + " bytes of data, file has " +
                std::to_string(have));
  if (have > count)
    throw Error(where + "size mismatch: header promises " + std::to_string(count) + " bytes of data, file has " +
                std::to_string(have));
  // The data stay in the buffer they were read or inflated into: only the header is moved out.
  bytes.erase(bytes.begin(), bytes.begin() + std::ptrdiff_t(header));
  array.data = std::move(bytes);
  return array;
}

}  // namespace modspec
