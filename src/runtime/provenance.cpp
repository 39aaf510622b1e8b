#include "runtime/provenance.hpp"

#include <dlfcn.h>
#include <unistd.h>

#include <ctime>
#include <fstream>

namespace modspec {
namespace {

// OpenBLAS's introspection, looked up at run time: the program links the reference BLAS
// interface, which Debian's alternatives may point at OpenBLAS or at another library.
std::string openblas_text(const char* symbol) {
  using Getter = char* (*)();
  auto get = reinterpret_cast<Getter>(::dlsym(RTLD_DEFAULT, symbol));
  if (get == nullptr) return "unknown";
  const char* text = get();
  return text == nullptr ? "unknown" : std::string(text);
}

std::string cpu_model() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("model name", 0) == 0) {
      const auto colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(line.find_first_not_of(' ', colon + 1));
    }
  return "unknown";
}

std::string host_name() {
  char name[256] = {};
  return ::gethostname(name, sizeof name - 1) == 0 ? std::string(name) : "unknown";
}

std::string compiler() {
#if defined(__clang__)
  return std::string("Clang ") + __clang_version__;
#elif defined(__GNUC__)
  return std::string("GCC ") + __VERSION__;
#else
  return "unknown";
#endif
}

}  // namespace

std::string version_line() {
  return std::string("modspec ") + build_version() + " (commit " + build_commit() +
         ", LibTorch " MODSPEC_LIBTORCH_VERSION ", " + openblas_text("openblas_get_config") + ", " + compiler() + ")";
}

std::vector<std::pair<std::string, std::string>> provenance() {
  return {{"modspec_version", build_version()},
          {"commit", build_commit()},
          {"libtorch", MODSPEC_LIBTORCH_VERSION},
          {"blas", openblas_text("openblas_get_config")},
          {"blas_kernel", openblas_text("openblas_get_corename")},
          {"compiler", compiler()},
          {"cpu", cpu_model()},
          {"host", host_name()}};
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm utc{};
  ::gmtime_r(&now, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}

}  // namespace modspec
