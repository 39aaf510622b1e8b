// Reading a whole file, with errors that name it.
#pragma once
#include <filesystem>
#include <string>

namespace modspec {

// The bytes of a regular file; an Error naming the path when it is missing, a directory, a
// symlink loop, unreadable, or fails while being read.
std::string read_file(const std::filesystem::path& file);

}  // namespace modspec
