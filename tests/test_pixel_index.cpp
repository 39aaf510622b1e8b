// Static tuples projected from their pixels off the background (env/pixel_index.hpp,
// Environment::foreground, ModularRNN::forward and loss on a ForegroundBatch): the index lists
// exactly the nonzero bytes, both builds of both kernels (forward and weight gradient) equal a
// double-precision dense product, the node's gradient equals central differences in double, and
// a stack's states, loss and gradients from a ForegroundBatch equal those from the batch of pixels
// of the same rows, for both input kinds; dynamic presentations and dense datasets have none.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "env/pixel_index.hpp"
#include "finite_differences.hpp"
#include "fixtures.hpp"
#include "model/input_projection.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/foreground_kernels.hpp"

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

          const auto g = torch::randn({R, B});
          auto gw = torch::full({R, S * P}, 7.0);
          auto* backward =
              baseline ? kernels::project_pixel_rows_backward_baseline : kernels::project_pixel_rows_backward;
          backward(rows.data(), B, S, P, scale, background, g.data_ptr<float>(), R, gw.data_ptr<float>());
          const auto gw_ref = torch::mm(g.to(torch::kFloat64), x);
          EXPECT_LT((gw.to(torch::kFloat64) - gw_ref).abs().max().item<double>(), 1e-4) << where << ", backward";
        }
}

TEST(PixelIndex, GradientMatchesFiniteDifferencesInDouble) {
  // L = sum g u for u = project_pixel_rows(w, x): the node's gradient against central differences
  // of the same loss computed in double from the images' pixels, for both input kinds.
  const ImageSet set = sparse_images(12, 4, 0.2, 6);
  const PixelIndex index(set);
  ForegroundBatch x{5, 2, 16, 0.02f, {}, {}};
  for (int64_t i = 0; i < x.B * x.S; ++i) x.rows.push_back(index.row((i * 5 + 1) % set.count));
  const auto images = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()), {set.count, 16}, torch::kUInt8);
  std::vector<torch::Tensor> pixels;  // [S][B, P] in double
  for (int64_t s = 0; s < x.S; ++s) {
    std::vector<int64_t> which;
    for (int64_t b = 0; b < x.B; ++b) which.push_back(((b * x.S + s) * 5 + 1) % set.count);
    pixels.push_back(images.index_select(0, torch::tensor(which)).to(torch::kFloat64) * double(x.scale) +
                     double(kPixelBackground));
  }
  for (const bool shared : {false, true}) {
    const int64_t M = shared ? 1 : 2, R = 9, L = shared ? 32 : 16;
    const auto xd = shared ? torch::cat(pixels, 1).unsqueeze(0) : torch::stack(pixels);  // [M, B, L]
    const auto g = torch::randn({M, R, x.B}, torch::kFloat64);
    auto w = (torch::randn({M, R, L}) * 0.1).requires_grad_(true);
    (project_pixel_rows(w, x, shared) * g.to(torch::kFloat32)).sum().backward();
    auto wd = w.detach().to(torch::kFloat64);
    auto loss = [&] { return (torch::bmm(wd, xd.transpose(1, 2)) * g).sum().item<double>(); };
    test::expect_central_differences(w.grad(), wd, loss, 3, 1e-4, shared ? "shared w" : "separate w");
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
  // Both input kinds; then a GRU cell and a shared readout, whose loss goes another way.
  const std::vector<std::vector<std::pair<std::string, std::string>>> variants{
      {{"model.input", "separate"}},
      {{"model.input", "shared"}},
      {{"model.cell", "gru"}, {"model.readout", "shared"}},
  };
  for (const auto& settings : variants) {
    Config config = Config::defaults();
    std::string input;
    for (const auto& [key, value] : settings) {
      config.set_value(key, value);
      input += key + " = " + value + " ";
    }
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

    // The training loss and every parameter's gradient, from the index rows and from the pixels.
    {
      torch::AutoGradMode grad(true);
      const auto loss_rows = stack.loss(*f, f->targets);
      const auto grads_rows = torch::autograd::grad({loss_rows.sum()}, stack.parameters(), {}, {}, false, true);
      const auto loss_pixels = stack.loss(b.x, b.targets);
      const auto grads_pixels = torch::autograd::grad({loss_pixels.sum()}, stack.parameters(), {}, {}, false, true);
      EXPECT_LT((loss_rows - loss_pixels).abs().max().item<float>(), 1e-5) << input;
      for (size_t i = 0; i < grads_rows.size(); ++i) {
        if (!grads_pixels[i].defined()) continue;
        const double scale = grads_pixels[i].abs().max().item<double>() + 1e-3;
        EXPECT_LT((grads_rows[i] - grads_pixels[i]).abs().max().item<double>() / scale, 1e-4)
            << input << " " << stack.parameter_names()[i];
      }
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
