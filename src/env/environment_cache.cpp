#include "env/environment_cache.hpp"

#include "config/schema.hpp"

namespace modspec {

const Environment& EnvironmentCache::get(const Config& config) {
  std::string key;
  for (const auto& spec : schema())
    if (spec.key.rfind("env.", 0) == 0 || spec.key.rfind("data.", 0) == 0) key += spec.key + "=" + config.text(spec.key) + "\n";
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = cache_.find(key);
  if (it == cache_.end()) it = cache_.emplace(key, std::make_unique<Environment>(EnvSpec::from(config))).first;
  return *it->second;
}

}  // namespace modspec
