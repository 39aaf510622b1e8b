// A stable 64-bit content hash (FNV-1a), for naming runs by their resolved configuration.
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>

namespace modspec {

inline std::string content_hash(const std::string& text) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001b3ULL;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace modspec
