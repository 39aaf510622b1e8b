#include "util/npz.hpp"

#include <zlib.h>

#include "util/error.hpp"

namespace modspec {
namespace {

void put16(std::string& out, uint32_t v) {
  out += char(v & 0xff);
  out += char((v >> 8) & 0xff);
}
void put32(std::string& out, uint32_t v) {
  put16(out, v & 0xffff);
  put16(out, v >> 16);
}

// The fields a local header and a central directory entry share: version 2.0 needed, no flags,
// stored (method 0), dated 1980-01-01 (DOS time 0, date 0x21), CRC-32, sizes, name length and no
// extra field.
void put_entry(std::string& out, uint32_t crc, uint32_t size, uint32_t name_size) {
  put16(out, 20);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0);
  put16(out, 0x21);
  put32(out, crc);
  put32(out, size);
  put32(out, size);
  put16(out, name_size);
  put16(out, 0);
}

// NPY format 1.0: magic, version, the header length, then a Python dict literal padded with
// spaces to a multiple of 64 bytes (magic and length included) and ended by a newline.
std::string npy(const NpyArray& a) {
  std::string shape;
  for (int64_t d : a.shape) shape += (shape.empty() ? "" : ", ") + std::to_string(d);
  shape = "(" + shape + (a.shape.size() == 1 ? ",)" : ")");  // a one-element tuple keeps its comma
  std::string header = "{'descr': '" + a.dtype + "', 'fortran_order': False, 'shape': " + shape + ", }";
  const size_t unpadded = 10 + header.size() + 1;
  header += std::string((64 - unpadded % 64) % 64, ' ') + "\n";
  std::string out = "\x93NUMPY";
  out += char(1);
  out += char(0);
  put16(out, uint32_t(header.size()));
  return out + header + a.bytes;
}

}  // namespace

std::string npz_bytes(const std::vector<NpyArray>& arrays) {
  std::string zip, directory;
  for (const auto& a : arrays) {
    int64_t count = 1;
    for (int64_t d : a.shape) count *= d;
    const int64_t element = a.dtype == "<f4" ? 4 : a.dtype == "<i8" ? 8 : 0;
    if (element == 0) throw Error("npz: array " + a.name + " has an unsupported dtype " + a.dtype);
    if (int64_t(a.bytes.size()) != count * element)
      throw Error("npz: array " + a.name + " holds " + std::to_string(a.bytes.size()) + " bytes, its shape needs " +
                  std::to_string(count * element));
    const std::string name = a.name + ".npy", data = npy(a);
    if (zip.size() + data.size() + name.size() + 30 > 0xffffffffu)
      throw Error("npz: more than 4 GiB of arrays; write fewer tuples");
    const uint32_t crc = uint32_t(crc32(0, reinterpret_cast<const Bytef*>(data.data()), uInt(data.size())));
    const uint32_t offset = uint32_t(zip.size());
    // Local file header, then the data; its central directory entry repeats the common fields.
    put32(zip, 0x04034b50);
    put_entry(zip, crc, uint32_t(data.size()), uint32_t(name.size()));
    zip += name + data;
    put32(directory, 0x02014b50);
    put16(directory, 20);  // made by: zip 2.0
    put_entry(directory, crc, uint32_t(data.size()), uint32_t(name.size()));
    put16(directory, 0);  // comment length
    put16(directory, 0);  // disk number
    put16(directory, 0);  // internal attributes
    put32(directory, 0);  // external attributes
    put32(directory, offset);
    directory += name;
  }
  const uint32_t directory_offset = uint32_t(zip.size());
  zip += directory;
  put32(zip, 0x06054b50);
  put16(zip, 0);
  put16(zip, 0);
  put16(zip, uint32_t(arrays.size()));
  put16(zip, uint32_t(arrays.size()));
  put32(zip, uint32_t(directory.size()));
  put32(zip, directory_offset);
  put16(zip, 0);
  return zip;
}

}  // namespace modspec
