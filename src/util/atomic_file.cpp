#include "util/atomic_file.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

#include "util/error.hpp"

namespace modspec {
namespace {

std::string errno_text() { return std::strerror(errno); }

// Creates `path` and writes all of `contents` to it, flushed to the disk; throws on any failure.
void write_whole_file(const std::filesystem::path& path, const std::string& contents, const std::string& target) {
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write " + target + ": " + errno_text());
  size_t written = 0;
  while (written < contents.size()) {
    const ssize_t n = ::write(fd, contents.data() + written, contents.size() - written);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string why = n < 0 ? errno_text() : "nothing written";
      ::close(fd);
      throw Error("cannot write " + target + ": " + why + " (" + std::to_string(written) + " of " +
                  std::to_string(contents.size()) + " bytes written)");
    }
    written += size_t(n);
  }
  if (::fsync(fd) != 0) {
    const std::string why = errno_text();
    ::close(fd);
    throw Error("cannot write " + target + ": " + why);
  }
  if (::close(fd) != 0) throw Error("cannot write " + target + ": " + errno_text());
}

// The rename itself is durable only once the directory holding it is.
void sync_directory(const std::filesystem::path& dir) {
  const int fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return;  // a directory that cannot be opened for reading cannot be flushed either
  ::fsync(fd);
  ::close(fd);
}

}  // namespace

void write_file_atomic(const std::filesystem::path& path, const std::string& contents) {
  std::error_code ec;
  if (path.has_parent_path()) std::filesystem::create_directories(path.parent_path(), ec);
  if (ec) throw Error("cannot write " + path.string() + ": " + ec.message());
  auto tmp = path;
  tmp += ".tmp." + std::to_string(::getpid());
  try {
    write_whole_file(tmp, contents, path.string());
    if (::rename(tmp.c_str(), path.c_str()) != 0) throw Error("cannot write " + path.string() + ": " + errno_text());
  } catch (...) {
    ::unlink(tmp.c_str());
    throw;
  }
  sync_directory(path.parent_path());
}

void require_writable_directory(const std::filesystem::path& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot write to " + dir.string() + ": " + ec.message());
  if (!std::filesystem::is_directory(dir, ec)) throw Error("cannot write to " + dir.string() + ": not a directory");
  const auto probe = dir / (".modspec-write-test." + std::to_string(::getpid()));
  const int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot write to " + dir.string() + ": " + errno_text());
  ::close(fd);
  ::unlink(probe.c_str());
}

}  // namespace modspec
