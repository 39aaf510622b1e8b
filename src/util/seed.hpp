// Derives independent seeds for independent streams (split, epoch, batch, network) from one
// user seed, so no stream's draws depend on how many draws another made.
#pragma once
#include <cstdint>
#include <initializer_list>

namespace modspec {

// SplitMix64's increment.
inline constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;

inline uint64_t splitmix64(uint64_t x) {
  x += kGolden;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// Draw c (c = 0, 1, ...) of the SplitMix64 sequence seeded with key: a counter-based stream, so any
// draw is made without the ones before it.
inline uint64_t stream_draw(uint64_t key, uint64_t c) { return splitmix64(key + c * kGolden); }

inline uint64_t derive_seed(std::initializer_list<uint64_t> parts) {
  uint64_t h = 0x6d6f647370656321ULL;
  for (uint64_t p : parts) h = splitmix64(h ^ splitmix64(p));
  // LibTorch's generators take seeds as int64 in places: stay in the positive range.
  return h >> 1;
}

// Stream tags, so that e.g. the test pairs and the noise of epoch 0 never share a seed.
enum SeedStream : uint64_t { kTrainPairs = 1, kTestPairs = 2, kNoise = 3, kWeights = 4, kConnections = 5, kReadout = 6 };

}  // namespace modspec
