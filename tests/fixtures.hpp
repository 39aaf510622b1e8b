// Helpers shared by the tests: temporary folders, IDX fixture files (raw and gzip), a check that a
// call throws a modspec::Error (and nothing else), synthetic data, and a small architecture.
#pragma once
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <torch/torch.h>
#include <unistd.h>
#include <zlib.h>

#include "config/config.hpp"
#include "data/data_dir.hpp"
#include "model/architecture.hpp"
#include "util/error.hpp"

namespace modspec::test {

// A fresh folder under the system's temp dir, removed with everything in it on destruction.
// The name holds the process id and a random number: ctest runs test processes in parallel.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    std::string test = info ? std::string(info->test_suite_name()) + "." + info->name() : "none";
    for (char& ch : test)
      if (ch == '/') ch = '_';  // parameterised tests have names like "Suite/Instance"
    path_ = std::filesystem::temp_directory_path() /
            ("modspec-test-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) + "-" + test);
    std::filesystem::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// An unsigned-byte IDX file's bytes: magic 00 00 08 <ndims>, big-endian dims, then the data.
inline std::vector<uint8_t> idx_bytes(const std::vector<uint32_t>& dims, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> out{0, 0, 0x08, uint8_t(dims.size())};
  for (uint32_t d : dims)
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(uint8_t(d >> shift));
  out.insert(out.end(), data.begin(), data.end());
  return out;
}

inline void write_file(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  std::ofstream out(file, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  if (!out) throw std::runtime_error("test fixture: cannot write " + file.string());
}

inline void write_gzip(const std::filesystem::path& file, const std::vector<uint8_t>& bytes) {
  gzFile gz = gzopen(file.c_str(), "wb");
  if (!gz) throw std::runtime_error("test fixture: cannot open " + file.string());
  const int written = bytes.empty() ? 0 : gzwrite(gz, bytes.data(), unsigned(bytes.size()));
  if (gzclose(gz) != Z_OK || written != int(bytes.size()))
    throw std::runtime_error("test fixture: cannot write " + file.string());
}

inline std::vector<uint8_t> read_file(const std::filesystem::path& file) {
  std::ifstream in(file, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// The message of the modspec::Error that `f` throws. Records a test failure (and returns "")
// when `f` returns normally or throws anything else.
inline std::string error_message(const std::function<void()>& f) {
  try {
    f();
  } catch (const modspec::Error& e) {
    return e.what();
  } catch (const std::exception& e) {
    ADD_FAILURE() << "threw something other than modspec::Error: " << e.what();
    return "";
  } catch (...) {
    ADD_FAILURE() << "threw something other than modspec::Error";
    return "";
  }
  ADD_FAILURE() << "expected a modspec::Error, but nothing was thrown";
  return "";
}

inline bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// The one check behind the tests that need the real MNIST files (their counts and sizes): they
// skip, with a message, when the data directory has none. Every other test uses the synthetic
// digits below and never skips.
inline bool have_mnist() {
  const auto dir = modspec::resolve_data_dir("") / "mnist";
  for (const char* f : {"train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                        "t10k-labels-idx1-ubyte"})
    if (!std::filesystem::exists(dir / f)) return false;
  return true;
}

// A data directory holding a small synthetic "mnist": 10 classes of 14 x 14 images, 3,000 for
// training and 1,000 for testing, written once per test process. Each class is a fixed random
// pattern of bright pixels (about 30% of them); each image flips a random 10% of its class's
// pixels and varies the brightness, so a small network learns the classes in a few epochs while
// every image differs. Tests of training, measures and sweeps use it so that they never skip.
inline const std::filesystem::path& synthetic_data_dir() {
  static const TempDir dir;
  static const bool written = [] {
    constexpr int64_t kClasses = 10, kSide = 14, kPixels = kSide * kSide;
    std::mt19937_64 rng(20240601);
    std::bernoulli_distribution bright(0.3), flip(0.1);
    std::uniform_int_distribution<int> level(160, 255);
    std::vector<std::vector<bool>> pattern(kClasses, std::vector<bool>(kPixels));
    for (auto& p : pattern)
      for (int64_t i = 0; i < kPixels; ++i) p[size_t(i)] = bright(rng);
    std::filesystem::create_directories(dir / "mnist");
    for (const auto& [stem, count] : {std::pair<std::string, int64_t>{"train", 3000}, {"t10k", 1000}}) {
      std::vector<uint8_t> pixels, labels;
      for (int64_t i = 0; i < count; ++i) {
        const int64_t c = i % kClasses;
        labels.push_back(uint8_t(c));
        for (int64_t j = 0; j < kPixels; ++j)
          pixels.push_back(pattern[size_t(c)][size_t(j)] != flip(rng) ? uint8_t(level(rng)) : uint8_t(0));
      }
      write_file(dir / "mnist" / (stem + "-images-idx3-ubyte"),
                 idx_bytes({uint32_t(count), uint32_t(kSide), uint32_t(kSide)}, pixels));
      write_file(dir / "mnist" / (stem + "-labels-idx1-ubyte"), idx_bytes({uint32_t(count)}, labels));
    }
    return true;
  }();
  (void)written;
  return dir.path();
}

// A module's floating-point parameters and buffers in double precision, its index buffers left as
// they are (torch::nn::Module::to(dtype) would convert those too).
inline void to_double(torch::nn::Module& module) {
  for (auto& p : module.parameters()) p.set_data(p.to(torch::kFloat64));
  for (auto& b : module.buffers())
    if (b.is_floating_point()) b.set_data(b.to(torch::kFloat64));
}

// The default configuration reading the synthetic data directory. The synthetic training set is
// 20 times smaller than MNIST's, so a readout gets 20 times fewer Adam steps per epoch; a 10 times
// higher readout rate lets it converge as it does on MNIST, so that measures do not depend on the
// readout's seed.
inline modspec::Config synthetic_config() {
  modspec::Config config = modspec::Config::defaults();
  config.set_value("data.dir", synthetic_data_dir().string());
  config.set("metrics.readout_lr=0.01");
  return config;
}

// A small architecture for the model's tests: `modules` modules seeing as many stimuli of
// `pixels` pixels each, over `steps` steps with communication at every one, two targets of
// `classes` classes; separate inputs and readouts (the defaults) unless a test sets them.
inline modspec::Architecture small_architecture(int64_t pixels, int64_t classes, int64_t steps = 3,
                                                int64_t modules = 2) {
  modspec::Architecture a;
  a.n_modules = modules;
  a.n_stimuli = modules;
  a.pixels = pixels;
  a.nb_steps = steps;
  a.comms.assign(size_t(steps), true);
  a.target_classes = {classes, classes};
  return a;
}

}  // namespace modspec::test
