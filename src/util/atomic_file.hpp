// Writes that matter go to a temporary file beside the target and are renamed into place,
// so a reader (or a resumed run) never sees half a file.
#pragma once
#include <filesystem>
#include <functional>
#include <string>

namespace modspec {

void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

// For writers that need a path (LibTorch's serializer): `write` fills the temporary path.
void write_atomic_with(const std::filesystem::path& path,
                       const std::function<void(const std::filesystem::path&)>& write);

}  // namespace modspec
