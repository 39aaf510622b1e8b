// Claims that let independent processes (several `modspec sweep`s, Slurm jobs without --shard)
// share one sweep directory: a stack is trained only by the process holding its claim, so each
// run is trained once however many processes work on the sweep.
//
// A claim is an exclusive flock(2) on OUT/claims/<key>.lock, whose text names the holder
// ("host pid"). The kernel drops the lock when its holder exits in any way, kill -9 included, so
// a dead process's claim is free at once and another process takes its stack over; the lock
// files themselves stay (removing a lock file another process may be opening would race).
// flock works across the nodes of a cluster on NFS v4 and Lustre with flock enabled.
#pragma once
#include <filesystem>
#include <optional>
#include <string>

namespace modspec {

class StackClaim {
 public:
  // The claim on `key` under OUT, or nullopt when another process holds it.
  static std::optional<StackClaim> try_claim(const std::filesystem::path& out, const std::string& key);
  // The claim on `key`, waiting while another process holds it.
  static StackClaim wait_for(const std::filesystem::path& out, const std::string& key);

  StackClaim(StackClaim&& other) noexcept;
  StackClaim& operator=(StackClaim&&) = delete;
  StackClaim(const StackClaim&) = delete;
  ~StackClaim();

 private:
  explicit StackClaim(int fd) : fd_(fd) {}
  static std::optional<StackClaim> claim(const std::filesystem::path& out, const std::string& key, bool wait);
  int fd_;
};

}  // namespace modspec
