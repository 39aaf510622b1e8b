// One Environment per distinct data stream of a sweep: the configurations of many runs differ
// only in model and training keys, and loading the data again for each would cost seconds.
// Environments are read-only once built, so workers share them; they are keyed by the values of
// the env.* and data.* keys, the only keys EnvSpec reads. Thread-safe.
#pragma once
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "config/config.hpp"
#include "env/environment.hpp"

namespace modspec {

class EnvironmentCache {
 public:
  // The environment of `config`'s env.* and data.* keys, built on first use.
  const Environment& get(const Config& config);

 private:
  std::mutex mutex_;
  std::map<std::string, std::unique_ptr<Environment>> cache_;
};

}  // namespace modspec
