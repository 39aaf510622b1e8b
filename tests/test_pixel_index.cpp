// Static tuples projected from their pixels off the background (env/pixel_index.hpp,
// Environment::foreground, ModularRNN::forward on a ForegroundBatch): the index lists exactly the
// nonzero bytes, both builds of the kernel equal a double-precision dense product, and a stack's
// states from a ForegroundBatch equal those from the batch of pixels of the same rows, for both
// input kinds; dynamic presentations and dense datasets have none.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "env/pixel_index.hpp"
#include "fixtures.hpp"
#include "model/input_projection.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/foreground_kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

// count images of P pixels, each byte nonzero with probability `density` (image 1 all nonzero,
// image 0 all zero), labels i % 10.
ImageSet sparse_images(int64_t count, int64_t side, double density, uint64_t seed) {
  ImageSet set;
  set.count = count;
  set.rows = set.cols = side;
  set.n_classes = 10;
  const int64_t P = side * side;
  auto gen = at::make_generator<at::CPUGeneratorImpl>(seed);
  const auto on = torch::rand({count, P}, gen) < density;
  const auto bytes = torch::randint(1, 256, {count, P}, gen);
  for (int64_t i = 0; i < count; ++i) {
    set.labels.push_back(i % 10);
    for (int64_t p = 0; p < P; ++p) {
      const bool lit = i == 1 || (i != 0 && on[i][p].item<bool>());
      set.pixels.push_back(lit ? uint8_t(bytes[i][p].item<int64_t>()) : uint8_t(0));
    }
  }
  return set;
}

TEST(PixelIndex, ListsTheNonzeroBytesOfEachImage) {
  const ImageSet set = sparse_images(40, 5, 0.2, 1);
  const PixelIndex index(set);
  ASSERT_FALSE(index.dense());
  const int64_t P = set.pixels_per_image();
  for (int64_t i = 0; i < set.count; ++i) {
    const kernels::PixelRow row = index.row(i);
    std::vector<uint16_t> pixels;
    std::vector<uint8_t> values;
    for (int64_t p = 0; p < P; ++p)
      if (set.pixels[size_t(i * P + p)] != 0) {
        pixels.push_back(uint16_t(p));
        values.push_back(set.pixels[size_t(i * P + p)]);
      }
    EXPECT_EQ(std::vector<uint16_t>(row.pixel, row.pixel + row.count), pixels) << "image " << i;
    EXPECT_EQ(std::vector<uint8_t>(row.value, row.value + row.count), values) << "image " << i;
  }
  EXPECT_EQ(index.row(0).count, 0);
  EXPECT_EQ(index.row(1).count, P);
  EXPECT_TRUE(PixelIndex(sparse_images(40, 5, 0.6, 2)).dense()) << "more than a quarter of the pixels on";
  EXPECT_TRUE(PixelIndex(ImageSet{}).dense()) << "no pixels read";
}

TEST(PixelIndex, KernelEqualsADenseProduct) {
  // Both builds; outputs that leave partial vectors and panels (7 vectors of 8), one and two
  // stimuli per tuple, and tuple counts that leave partial groups of 8.
  const ImageSet set = sparse_images(30, 6, 0.2, 3);
  const PixelIndex index(set);
  const int64_t P = 36;
  const float scale = 0.013f, background = -0.42f;
  const auto pixels = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()), {set.count, P}, torch::kUInt8)
                          .to(torch::kFloat64) * scale + background;  // [count, P]
  for (const bool baseline : {false, true})
    for (int64_t S : {1, 2})
      for (int64_t R : {3, 8, 50, 56, 57, 120, 200})
        for (int64_t B : {1, 9, 17}) {
          const std::string where = "S = " + std::to_string(S) + ", R = " + std::to_string(R) +
                                    ", B = " + std::to_string(B) + (baseline ? ", baseline" : "");
          std::vector<kernels::PixelRow> rows;
          std::vector<int64_t> images;
          for (int64_t b = 0; b < B; ++b)
            for (int64_t s = 0; s < S; ++s) {
              images.push_back((b * 7 + s * 3) % set.count);
              rows.push_back(index.row(images.back()));
            }
          const auto x = pixels.index_select(0, torch::tensor(images)).view({B, S * P});  // [B, S*P]
          const auto w = torch::randn({R, S * P});
          auto u = torch::full({R, B}, 7.0);
          auto* project = baseline ? kernels::project_pixel_rows_baseline : kernels::project_pixel_rows;
          project(rows.data(), B, S, P, scale, background, w.data_ptr<float>(), R, u.data_ptr<float>());
          const auto u_ref = torch::mm(w.to(torch::kFloat64), x.t());
          EXPECT_LT((u.to(torch::kFloat64) - u_ref).abs().max().item<double>(), 1e-4) << where;
        }
}

// A data dir of 8 x 8 MNIST-like images about 15% on.
void write_sparse_mnist(const std::filesystem::path& dir, const std::string& stem, int64_t n, uint64_t seed) {
  const ImageSet set = sparse_images(n, 8, 0.15, seed);
  std::vector<uint8_t> labels(set.labels.begin(), set.labels.end());
  std::filesystem::create_directories(dir / "mnist");
  test::write_file(dir / "mnist" / (stem + "-images-idx3-ubyte"), test::idx_bytes({uint32_t(n), 8, 8}, set.pixels));
  test::write_file(dir / "mnist" / (stem + "-labels-idx1-ubyte"), test::idx_bytes({uint32_t(n)}, labels));
}

TEST(ForegroundBatch, StatesEqualThoseOfTheBatchOfPixels) {
  test::TempDir tmp;
  write_sparse_mnist(tmp.path(), "train", 400, 4);
  write_sparse_mnist(tmp.path(), "t10k", 200, 5);
  for (const std::string input : {"separate", "shared"}) {
    Config config = Config::defaults();
    config.set_value("model.input", input);
    config.set_value("model.n", int64_t(12));
    EnvSpec spec = EnvSpec::from(config);
    spec.sources.data_dir = tmp.path();
    const Environment env(spec);
    const Architecture arch =
        Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
    ModularRNNImpl stack(arch, {{12, 0.1, 0, 1}, {7, 0.2, 0, 2}});  // padded: n = 7 within N = 12
    const PairTable& table = env.test_pairs();
    const int64_t begin = 5, end = 60;
    torch::NoGradGuard no_grad;
    ASSERT_TRUE(stack.reads_foreground());
    const auto f = env.foreground(table, Split::test, begin, end);
    ASSERT_TRUE(f.has_value()) << input;
    const Batch b = env.batch(table, Split::test, begin, end, 0);
    EXPECT_TRUE(torch::equal(f->targets, b.targets));
    const auto sparse = stack.forward(*f, true), dense = stack.forward(b.x, true);
    ASSERT_EQ(sparse.states.size(), dense.states.size());
    for (size_t t = 0; t < dense.states.size(); ++t)
      EXPECT_LT((sparse.states[t] - dense.states[t]).abs().max().item<float>(), 1e-5) << input << " step " << t;
    EXPECT_LT((sparse.logits[0] - dense.logits[0]).abs().max().item<float>(), 1e-4) << input;

    // Without NoGradGuard the weights would need a gradient through the sparse rows: refused.
    {
      torch::AutoGradMode grad(true);
      EXPECT_THROW(stack.project(*f), Error);
    }
    // Noisy presentations are dynamic: no ForegroundBatch.
    config.set_value("env.noise_ratio", 0.4);
    EnvSpec noisy = EnvSpec::from(config);
    noisy.sources.data_dir = tmp.path();
    EXPECT_FALSE(Environment(noisy).foreground(table, Split::test, begin, end).has_value());
  }
}

}  // namespace
}  // namespace modspec
