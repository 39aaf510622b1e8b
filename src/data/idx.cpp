#include "data/idx.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>
#include <zlib.h>

#include "util/error.hpp"
#include "util/read_file.hpp"

namespace modspec {
namespace {

bool gzip_magic(const uint8_t* p, size_t size) { return size >= 2 && p[0] == 0x1f && p[1] == 0x8b; }

// The inflated size a gzip member's trailer records (its last 4 bytes, little-endian), modulo 2^32.
uint32_t gzip_recorded_size(const uint8_t* trailer) {
  return uint32_t(trailer[0]) | uint32_t(trailer[1]) << 8 | uint32_t(trailer[2]) << 16 | uint32_t(trailer[3]) << 24;
}

std::vector<uint8_t> gunzip(const std::vector<uint8_t>& packed, const std::filesystem::path& file) {
  z_stream zs{};
  if (inflateInit2(&zs, 16 + MAX_WBITS) != Z_OK) throw Error(file.string() + ": zlib init failed");
  zs.next_in = const_cast<Bytef*>(packed.data());
  zs.avail_in = static_cast<uInt>(packed.size());
  std::vector<uint8_t> out;
  // A single member's trailer gives its inflated size (modulo 2^32): reserved up front, the output
  // is not copied as it grows. Only a hint, bounded by deflate's largest ratio (1032:1).
  if (packed.size() >= 18)
    out.reserve(size_t(std::min<uint64_t>(gzip_recorded_size(packed.data() + packed.size() - 4),
                                          1032 * uint64_t(packed.size()))));
  std::vector<uint8_t> chunk(1 << 20);
  int rc = Z_OK;
  // A file may hold several gzip members one after another (`cat a.gz b.gz`): each is inflated in
  // turn. Anything after the last member that is not another member is an error.
  for (;;) {
    if (rc == Z_STREAM_END) {
      if (zs.avail_in == 0) break;
      if (!gzip_magic(zs.next_in, zs.avail_in)) {
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

// The header's dimensions from its first bytes; empty when they are not a well-formed header.
std::vector<int64_t> header_dims(const uint8_t* bytes, size_t size) {
  if (size < 4 || bytes[0] != 0 || bytes[1] != 0 || bytes[2] != 0x08 || bytes[3] < 1 || bytes[3] > 4) return {};
  const size_t ndims = bytes[3];
  if (size < 4 + 4 * ndims) return {};
  std::vector<int64_t> dims;
  for (size_t d = 0; d < ndims; ++d) dims.push_back(big_endian_u32(bytes + 4 + 4 * d));
  return dims;
}

}  // namespace

std::vector<int64_t> read_idx_dims(const std::filesystem::path& file) {
  // gzread reads a file that is not gzip as it is, so one path reads both kinds of header.
  uint8_t head[20] = {};
  int got = -1;
  bool gzip = false;
  if (gzFile f = gzopen(file.c_str(), "rb")) {
    got = gzread(f, head, sizeof head);
    gzip = gzdirect(f) == 0;
    gzclose(f);
  }
  std::vector<int64_t> dims = got > 0 ? header_dims(head, size_t(got)) : std::vector<int64_t>{};
  std::error_code ec;
  const uint64_t file_size = std::filesystem::file_size(file, ec);
  if (dims.empty() || ec || file_size < 4) return read_idx(file).dims;
  // The data's size, with room left for the header (four dimensions of 2^32 can overflow).
  uint64_t count = 1;
  for (int64_t d : dims) {
    if (d != 0 && count > UINT64_MAX / 2 / uint64_t(d)) return read_idx(file).dims;
    count *= uint64_t(d);
  }
  const uint64_t expected = 4 + 4 * dims.size() + count;
  if (gzip) {
    std::ifstream in(file, std::ios::binary);
    uint8_t trailer[4] = {};
    in.seekg(std::streamoff(file_size - 4));
    in.read(reinterpret_cast<char*>(trailer), 4);
    if (!in || gzip_recorded_size(trailer) != uint32_t(expected)) return read_idx(file).dims;
  } else if (file_size != expected) {
    return read_idx(file).dims;
  }
  return dims;
}

IdxArray read_idx(const std::filesystem::path& file) { return parse_idx(read_file_bytes(file), file); }

IdxArray parse_idx(std::vector<uint8_t> bytes, const std::filesystem::path& file) {
  if (gzip_magic(bytes.data(), bytes.size())) bytes = gunzip(bytes, file);
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
