#include "util/read_file.hpp"

#include <fstream>
#include <sstream>

#include "util/error.hpp"

namespace modspec {

std::string read_file(const std::filesystem::path& file) {
  std::error_code ec;
  const auto status = std::filesystem::status(file, ec);
  if (ec) throw Error(file.string() + ": " + ec.message());
  if (std::filesystem::is_directory(status)) throw Error(file.string() + ": is a directory, not a file");
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(file.string() + ": cannot open file");
  std::ostringstream bytes;
  bytes << in.rdbuf();
  if (in.bad()) throw Error(file.string() + ": read error");
  return bytes.str();
}

}  // namespace modspec
