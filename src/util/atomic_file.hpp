// Writes that matter go to a temporary file beside the target, are checked byte for byte,
// flushed to the disk (fsync) and only then renamed into place, and the directory is flushed
// after the rename. A reader, a resumed run or a power cut therefore sees either the old file or
// the whole new one, never a short or empty one; a failed write (a full disk) is an Error naming
// the file, and leaves no temporary file behind.
#pragma once
#include <filesystem>
#include <string>

namespace modspec {

void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

// Throws an Error naming `dir` unless a file can be created in it (creating `dir` if needed):
// the check a command makes before hours of work whose results it could not keep.
void require_writable_directory(const std::filesystem::path& dir);

}  // namespace modspec
