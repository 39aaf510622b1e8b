#include "sweep/stack_claim.hpp"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include "util/error.hpp"

namespace modspec {

std::optional<StackClaim> StackClaim::claim(const std::filesystem::path& out, const std::string& key, bool wait) {
  const auto dir = out / "claims";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) throw Error("cannot create " + dir.string() + ": " + ec.message());
  const auto file = dir / (key + ".lock");
  const int fd = ::open(file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) throw Error("cannot open " + file.string() + ": " + std::strerror(errno));
  int rc;
  do rc = ::flock(fd, LOCK_EX | (wait ? 0 : LOCK_NB));
  while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    const int why = errno;
    ::close(fd);
    if (why == EWOULDBLOCK) return std::nullopt;
    throw Error("cannot lock " + file.string() + ": " + std::strerror(why));
  }
  // Who holds it, for a person looking at a stuck sweep; the lock, not the text, is the claim.
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  const std::string owner = std::string(host) + " " + std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) == 0) {
    [[maybe_unused]] const ssize_t written = ::pwrite(fd, owner.data(), owner.size(), 0);  // informative only
  }
  return StackClaim(fd);
}

std::optional<StackClaim> StackClaim::try_claim(const std::filesystem::path& out, const std::string& key) {
  return claim(out, key, false);
}

StackClaim StackClaim::wait_for(const std::filesystem::path& out, const std::string& key) {
  return std::move(*claim(out, key, true));
}

StackClaim::StackClaim(StackClaim&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }

StackClaim::~StackClaim() {
  if (fd_ >= 0) ::close(fd_);  // closing the last descriptor releases the lock
}

}  // namespace modspec
