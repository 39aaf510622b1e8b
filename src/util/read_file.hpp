// Reading a whole file, with errors that name it.
#pragma once
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

namespace modspec {

// The bytes of a regular file; an Error naming the path when it is missing, a directory, a
// symlink loop, unreadable, or fails while being read.
std::string read_file(const std::filesystem::path& file);
// The same as bytes.
std::vector<uint8_t> read_file_bytes(const std::filesystem::path& file);

}  // namespace modspec
