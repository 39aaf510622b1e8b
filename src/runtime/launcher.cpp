#include "runtime/launcher.hpp"

#include <algorithm>
#include <cstdlib>
#include <thread>

namespace modspec {

int64_t available_cores() { return std::max<int64_t>(1, int64_t(std::thread::hardware_concurrency())); }

int launched_ranks() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE"})
    if (const char* v = std::getenv(name)) return std::max(1, std::atoi(v));
  return 1;
}

}  // namespace modspec
