// Static tuples projected from their pixels off the background (env/pixel_index.hpp,
// Environment::foreground, ModularRNN::forward and loss on a ForegroundBatch): the index lists
// exactly the nonzero bytes, every build of both kernels (forward and weight gradient) equal a
// double-precision dense product, the node's gradient equals central differences in double, and
// a stack's states, loss and gradients from a ForegroundBatch equal those from the batch of pixels
// of the same rows, for both input kinds and every presentation (static, noisy, random starts,
// noise made of other rows); the noisy node's gradient equals central differences in double, and
// the kernels that mix its parts and split its gradient equal their definitions; a short list of
// kept noise read past its end does not sum a longer one's entries.
#include <algorithm>
#include <cmath>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "env/pixel_index.hpp"
#include "finite_differences.hpp"
#include "fixtures.hpp"
#include "foreground_builds.hpp"
#include "model/input_projection.hpp"
#include "model/modular_rnn.hpp"
#include "runtime/foreground_kernels.hpp"
#include "util/huge_pages.hpp"

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

TEST(PixelIndex, LargeArraysLieOnHugePageBoundaries) {
  // The index's storage (util/huge_pages.hpp): from 2 MB on, on a 2 MB boundary (where the kernel
  // can back it with huge pages); below, anywhere; both hold and grow like any vector.
  using Large = std::vector<uint16_t, HugePageAllocator<uint16_t>>;
  Large large(3'000'000, 7), small(10, 3);
  EXPECT_EQ(reinterpret_cast<uintptr_t>(large.data()) % HugePageAllocator<uint16_t>::kHugePage, 0u);
  EXPECT_TRUE(std::all_of(large.begin(), large.end(), [](uint16_t v) { return v == 7; }));
  small.resize(2'000'000, 5);  // grows past 2 MB: moved to a huge-page allocation
  EXPECT_EQ(reinterpret_cast<uintptr_t>(small.data()) % HugePageAllocator<uint16_t>::kHugePage, 0u);
  EXPECT_EQ(small[9], 3);
  EXPECT_EQ(small[1'999'999], 5);
  small.resize(4);
  small.shrink_to_fit();  // back below 2 MB: a plain allocation
  EXPECT_EQ(small, Large({3, 3, 3, 3}));
}

TEST(PixelIndex, KernelEqualsADenseProduct) {
  // Every build; outputs that leave partial vectors and panels (7 vectors of 8 or 16), one and two
  // stimuli per tuple, and tuple counts that leave partial groups of 8.
  const ImageSet set = sparse_images(30, 6, 0.2, 3);
  const PixelIndex index(set);
  const int64_t P = 36;
  const float scale = 0.013f, background = -0.42f;
  const auto pixels = torch::from_blob(const_cast<uint8_t*>(set.pixels.data()), {set.count, P}, torch::kUInt8)
                          .to(torch::kFloat64) * scale + background;  // [count, P]
  test::for_each_foreground_build([&](const std::string& build) {
    for (int64_t S : {1, 2})
      for (int64_t R : {3, 8, 50, 56, 57, 112, 113, 200})
        for (int64_t B : {1, 9, 17}) {
          const std::string where = "S = " + std::to_string(S) + ", R = " + std::to_string(R) +
                                    ", B = " + std::to_string(B) + ", " + build;
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
          kernels::project_pixel_rows(rows.data(), B, S, P, scale, background, w.data_ptr<float>(), R,
                                      u.data_ptr<float>());
          const auto u_ref = torch::mm(w.to(torch::kFloat64), x.t());
          EXPECT_LT((u.to(torch::kFloat64) - u_ref).abs().max().item<double>(), 1e-4) << where;

          const auto g = torch::randn({R, B});
          auto gw = torch::full({R, S * P}, 7.0);
          kernels::project_pixel_rows_backward(rows.data(), B, S, P, scale, background, g.data_ptr<float>(), R,
                                               gw.data_ptr<float>());
          const auto gw_ref = torch::mm(g.to(torch::kFloat64), x);
          EXPECT_LT((gw.to(torch::kFloat64) - gw_ref).abs().max().item<double>(), 1e-4) << where << ", backward";
        }
  });
}

TEST(PixelIndex, BorrowedPixelsKernelsEqualADenseProduct) {
  // A noisy presentation's kept noise read from the source rows by pixel and row by row
  // (kernels::BorrowedPixels): every build of the forward and the weight gradient against the
  // dense noise in double, for outputs on either side of kBorrowedScatterOutputs (the scatter or,
  // with AVX-512, the filtered rows; and the listed forward), a partial last panel, a last step
  // that keeps nothing (a step with no noisy row), a source row with every pixel on and one with
  // none, and images small enough for the AVX-512 keep bitsets (36 pixels; 1024, the most, whose
  // last pixel takes every bit a kept entry's code holds) and too large (1089).
  for (const int64_t side : {6, 32, 33}) {
    const ImageSet set = sparse_images(30, side, 0.2, 8);
    const PixelIndex index(set);
    const int64_t L = side * side, B = 7, T = 3, k = 2;
    const float scale = 0.013f;
    auto gen = at::make_generator<at::CPUGeneratorImpl>(21);
    std::vector<int64_t> image;  // source row o's image: all on, none on, then any
    for (int64_t o = 0; o < B; ++o) image.push_back(o == 0 ? 1 : o == 1 ? 0 : (o * 5 + 2) % set.count);
    std::vector<kernels::PixelRow> rows;
    for (int64_t o = 0; o < B; ++o) rows.push_back(index.row(image[size_t(o)]));
    // The source rows turned around, as the noisy projection does (model/input_projection.cpp).
    std::vector<int64_t> start(size_t(L + 1), 0);
    std::vector<int32_t> source;
    std::vector<uint8_t> value;
    auto dense = torch::zeros({B, L}, torch::kFloat64);  // the source rows' bytes
    for (int64_t l = 0; l < L; ++l) {
      for (int64_t o = 0; o < B; ++o) {
        const uint8_t byte = set.pixels[size_t(image[size_t(o)] * L + l)];
        if (byte == 0) continue;
        source.push_back(int32_t(o));
        value.push_back(byte);
        dense[o][l] = double(byte);
      }
      start[size_t(l + 1)] = int64_t(source.size());
    }
    auto keep = (torch::rand({T, k, L}, gen) < 0.5).to(torch::kUInt8);
    keep[T - 1].zero_();
    keep = keep.contiguous();
    std::vector<int32_t> borrower;  // [T, k, B]: a permutation per step and sample
    for (int64_t tj = 0; tj < T * k; ++tj) {
      const auto order = torch::randperm(B, gen, torch::kInt64);
      for (int64_t o = 0; o < B; ++o) borrower.push_back(int32_t(order[o].item<int64_t>()));
    }
    auto f = torch::zeros({T * B, L}, torch::kFloat64);  // f(t B + b, l)
    for (int64_t t = 0; t < T; ++t)
      for (int64_t j = 0; j < k; ++j)
        for (int64_t o = 0; o < B; ++o)
          f[t * B + borrower[size_t((t * k + j) * B + o)]] += dense[o] * keep[t][j].to(torch::kFloat64);
    const kernels::BorrowedPixels x{L,           B,     T, k, start.data(), source.data(), value.data(),
                                    keep.data_ptr<uint8_t>(), borrower.data(), rows.data(), 1};
    // Float rounding grows with the square root of the terms summed.
    const double tolerance = 1e-4 * std::sqrt(double(L) / 36.0);
    test::for_each_foreground_build([&](const std::string& build) {
      for (int64_t R : {int64_t(3), int64_t(8), int64_t(17), int64_t(57), kernels::kBorrowedScatterOutputs,
                        kernels::kBorrowedScatterOutputs + 1, int64_t(200)}) {
        const std::string where = "L = " + std::to_string(L) + ", R = " + std::to_string(R) + ", " + build;
        const auto w = torch::randn({R, L});
        auto u = torch::full({R, T * B}, 7.0);
        kernels::project_borrowed_pixels(x, scale, w.data_ptr<float>(), R, u.data_ptr<float>());
        const auto u_ref = torch::mm(w.to(torch::kFloat64), f.t()) * double(scale);
        EXPECT_LT((u.to(torch::kFloat64) - u_ref).abs().max().item<double>(), tolerance) << where;
        const auto g = torch::randn({R, T * B});
        auto gw = torch::full({R, L}, 7.0);
        kernels::project_borrowed_pixels_backward(x, scale, g.data_ptr<float>(), R, gw.data_ptr<float>());
        const auto gw_ref = torch::mm(g.to(torch::kFloat64), f) * double(scale);
        EXPECT_LT((gw.to(torch::kFloat64) - gw_ref).abs().max().item<double>(), tolerance) << where << ", backward";
      }
    });
  }
}

TEST(PixelIndex, BorrowedPixelsListsEndWhereTheyEnd) {
  // The AVX-512 forward sums each (row, step, sample)'s kept entries in 4 or 2 sets, reading past
  // a list's end to the next multiple of 4 (runtime/borrowed_filter_avx512.inc). A short list
  // after a long one in the same place must not read the long one's entries there: row 0 keeps
  // 63 of 64 pixels, then row 1 keeps pixels 1 .. 30 (15 of its first 16 entries, then 15 of 15),
  // whose list ends at 30 and is read to 31, where row 0's list had pixel 32 (the compress zeroed
  // only entry 30). With 1 vector of outputs (4 sets) and 4 (2 sets); the other builds, which
  // read no list, are held to the same sums.
  const int64_t L = 64, B = 2, T = 1, k = 1;
  std::vector<uint16_t> pixel;
  std::vector<uint8_t> value;
  for (int64_t l = 0; l < L; ++l) pixel.push_back(uint16_t(l));
  for (int64_t l = 0; l < L; ++l) value.push_back(uint8_t(1 + l));
  const std::vector<kernels::PixelRow> rows{{pixel.data(), value.data(), L}, {pixel.data(), value.data(), 31}};
  std::vector<int64_t> start(size_t(L + 1));
  std::vector<int32_t> source;
  std::vector<uint8_t> bytes;
  kernels::pixel_columns(rows.data(), B, 1, L, start.data(), source, bytes);
  std::vector<uint8_t> keep(size_t(L), 1);
  keep[0] = 0;
  const std::vector<int32_t> borrower{1, 0};  // row o lends to tuple 1 - o
  const kernels::BorrowedPixels x{L, B, T, k, start.data(), source.data(), bytes.data(), keep.data(), borrower.data(),
                                  rows.data(), 1};
  auto f = torch::zeros({T * B, L}, torch::kFloat64);  // tuple 1 - o gets row o's kept bytes
  for (int64_t o = 0; o < B; ++o)
    for (int64_t q = 0; q < rows[size_t(o)].count; ++q)
      if (keep[size_t(q)]) f[1 - o][q] = double(value[size_t(q)]);
  for (const int64_t R : {9, 57}) {
    const auto w = torch::randn({R, L});
    const auto u_ref = torch::mm(w.to(torch::kFloat64), f.t());
    test::for_each_foreground_build([&](const std::string& build) {
      auto u = torch::full({R, T * B}, 7.0);
      kernels::project_borrowed_pixels(x, 1.0f, w.data_ptr<float>(), R, u.data_ptr<float>());
      EXPECT_LT((u.to(torch::kFloat64) - u_ref).abs().max().item<double>(), 1e-3) << build << ", R = " << R;
    });
  }
}

TEST(PixelIndex, NoisyDriveKernelsEqualTheirDefinitions) {
  // The noisy projection's mix of its parts and the split of its gradient
  // (kernels::mix_noisy_drive, split_noisy_drive_gradient, sum_noisy_weight_gradient), every
  // build against their definitions in double: sizes past any vector's multiple (tails), step
  // counts around the 4 rows of kept counts read together (1, 3, 4, 5, 9), added to u or
  // overwriting it, and a weight gradient whose rows are further apart than its pixels, the floats
  // between them untouched.
  auto gen = at::make_generator<at::CPUGeneratorImpl>(31);
  const int64_t R = 5, B = 21, L = 37, stride = L + 3;
  const float background = -0.42f;
  for (const int64_t T : {1, 3, 4, 5, 9}) {
    const auto self = torch::rand({T, B}, gen), other = torch::rand({T, B}, gen);
    const auto own = torch::randn({R, B}, gen), noise = torch::randn({R, T * B}, gen);
    const auto w = torch::randn({R, L}, gen), kept = torch::randint(0, 4, {T, L}, gen).to(torch::kFloat32);
    const auto g = torch::randn({R, T * B}, gen), before = torch::randn({R, T * B}, gen);
    const auto own_gw = torch::randn({R, L}, gen), noise_gw = torch::randn({R, L}, gen);
    auto d = [](const torch::Tensor& t) { return t.to(torch::kFloat64); };
    // The definitions, [R, T, B] where a column is t B + b.
    const auto kept_u = d(w).mm(d(kept).t()) * double(background);  // [R, T]
    const auto mixed = (d(self).unsqueeze(0) * d(own).unsqueeze(1) +
                        d(other).unsqueeze(0) * (d(noise).view({R, T, B}) + kept_u.unsqueeze(2)))
                           .reshape({R, T * B});
    const auto g3 = d(g).view({R, T, B});
    const auto own_g_ref = (d(self).unsqueeze(0) * g3).sum(1);                // [R, B]
    const auto noise_g_ref = (d(other).unsqueeze(0) * g3).reshape({R, T * B});  // [R, T B]
    const auto kept_g_ref = noise_g_ref.view({R, T, B}).sum(2) * double(background);
    test::for_each_foreground_build([&](const std::string& build) {
      const std::string where = "T = " + std::to_string(T) + ", " + build;
      for (const bool accumulate : {false, true}) {
        auto u = before.clone();
        kernels::mix_noisy_drive(R, T, B, L, self.data_ptr<float>(), other.data_ptr<float>(), own.data_ptr<float>(),
                                 noise.data_ptr<float>(), w.data_ptr<float>(), kept.data_ptr<float>(), background,
                                 accumulate, u.data_ptr<float>());
        const auto u_ref = accumulate ? d(before) + mixed : mixed;
        EXPECT_LT((d(u) - u_ref).abs().max().item<double>(), 1e-4) << where << (accumulate ? ", added" : "");
      }
      auto own_g = torch::full({R, B}, 7.0), noise_g = torch::full({R, T * B}, 7.0), kept_g = torch::full({R, T}, 7.0);
      kernels::split_noisy_drive_gradient(R, T, B, self.data_ptr<float>(), other.data_ptr<float>(),
                                          g.data_ptr<float>(), background, own_g.data_ptr<float>(),
                                          noise_g.data_ptr<float>(), kept_g.data_ptr<float>());
      EXPECT_LT((d(own_g) - own_g_ref).abs().max().item<double>(), 1e-5) << where << ", own_g";
      EXPECT_LT((d(noise_g) - noise_g_ref).abs().max().item<double>(), 1e-6) << where << ", noise_g";
      EXPECT_LT((d(kept_g) - kept_g_ref).abs().max().item<double>(), 1e-5) << where << ", kept_g";
      auto gw = torch::full({R, stride}, 7.0);
      kernels::sum_noisy_weight_gradient(R, T, L, own_gw.data_ptr<float>(), noise_gw.data_ptr<float>(),
                                         kept_g.data_ptr<float>(), kept.data_ptr<float>(), gw.data_ptr<float>(),
                                         stride);
      const auto gw_expected = d(own_gw) + d(noise_gw) + d(kept_g).mm(d(kept));
      EXPECT_LT((d(gw).narrow(1, 0, L) - gw_expected).abs().max().item<double>(), 1e-4) << where << ", gw";
      EXPECT_TRUE(torch::equal(gw.narrow(1, L, stride - L), torch::full({R, stride - L}, 7.0))) << where;
    });
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

// An environment on the sparse images of `dir` for these settings.
Environment sparse_environment(const Config& config, const std::filesystem::path& dir) {
  EnvSpec spec = EnvSpec::from(config);
  spec.sources.data_dir = dir;
  return Environment(spec);
}

// The presentations a ForegroundBatch must show as the batch of pixels does: static, noisy, random
// starts, and both.
struct Presentation {
  double noise_ratio;
  bool random_start;
};
const std::vector<Presentation> kPresentations{{0.0, false}, {0.4, false}, {0.0, true}, {0.4, true}};

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
  for (const auto& presentation : kPresentations)
    for (const auto& model : variants) {
      Config config = Config::defaults();
      std::string input;
      for (const auto& [key, value] : model) {
        config.set_value(key, value);
        input += key + " = " + value + " ";
      }
      config.set_value("env.noise_ratio", presentation.noise_ratio);
      config.set_value("env.random_start", presentation.random_start);
      input += "noise " + std::to_string(presentation.noise_ratio) +
               (presentation.random_start ? " random start " : " ");
      config.set_value("model.n", int64_t(12));
      config.set_value("env.nb_steps", int64_t(4));
      const Environment env = sparse_environment(config, tmp.path());
      const Architecture arch =
          Architecture::from(config, env.n_stimuli(), env.pixels(), env.task().target_classes);
      ModularRNNImpl stack(arch, {{12, 0.1, 0, 1}, {7, 0.2, 0, 2}});  // padded: n = 7 within N = 12
      const PairTable& table = env.test_pairs();
      // The correlation measure's way: the noise made of another table's rows.
      PairTable source = table;
      std::rotate(source.image.begin(), source.image.begin() + 2 * table.n_stimuli, source.image.end());
      const int64_t begin = 5, end = 60;
      torch::NoGradGuard no_grad;
      ASSERT_TRUE(stack.reads_foreground());
      for (const PairTable* noise_source : std::vector<const PairTable*>{nullptr, &source}) {
        const std::string where = input + (noise_source ? "(noise of other rows)" : "");
        const auto f = env.foreground(table, Split::test, begin, end, 17, noise_source);
        ASSERT_TRUE(f.has_value()) << where;
        const Batch b = env.batch(table, Split::test, begin, end, 17, noise_source);
        EXPECT_TRUE(torch::equal(f->targets, b.targets));
        EXPECT_EQ(f->steps(), b.x.size(1)) << where;
        if (f->noise) {
          EXPECT_TRUE(torch::equal(f->noise->starts, b.starts)) << where;
        }
        const auto sparse = stack.forward(*f, true), dense = stack.forward(b.x, true);
        ASSERT_EQ(sparse.states.size(), dense.states.size());
        for (size_t t = 0; t < dense.states.size(); ++t)
          EXPECT_LT((sparse.states[t] - dense.states[t]).abs().max().item<float>(), 1e-5) << where << " step " << t;
        EXPECT_LT((sparse.logits[0] - dense.logits[0]).abs().max().item<float>(), 1e-4) << where;

        // The training loss and every parameter's gradient, from the index rows and from the pixels.
        torch::AutoGradMode grad(true);
        const auto loss_rows = stack.loss(*f, f->targets);
        const auto grads_rows = torch::autograd::grad({loss_rows.sum()}, stack.parameters(), {}, {}, false, true);
        const auto loss_pixels = stack.loss(b.x, b.targets);
        const auto grads_pixels = torch::autograd::grad({loss_pixels.sum()}, stack.parameters(), {}, {}, false, true);
        EXPECT_LT((loss_rows - loss_pixels).abs().max().item<float>(), 1e-5) << where;
        for (size_t i = 0; i < grads_rows.size(); ++i) {
          if (!grads_pixels[i].defined()) continue;
          const double scale = grads_pixels[i].abs().max().item<double>() + 1e-3;
          EXPECT_LT((grads_rows[i] - grads_pixels[i]).abs().max().item<double>() / scale, 1e-4)
              << where << " " << stack.parameter_names()[i];
        }
      }
    }
}

TEST(ForegroundBatch, NoisyGradientMatchesFiniteDifferencesInDouble) {
  // L = sum g u for u = project_pixel_rows(w, x) on a noisy presentation with random starts: the
  // node's output against bmm on the batch of pixels of the same draws, and its gradient against
  // central differences of the same loss computed in double from those pixels, both input kinds.
  test::TempDir tmp;
  write_sparse_mnist(tmp.path(), "train", 100, 6);
  write_sparse_mnist(tmp.path(), "t10k", 100, 7);
  Config config = Config::defaults();
  config.set_value("env.noise_ratio", 0.6);
  config.set_value("env.random_start", true);
  config.set_value("env.nb_steps", int64_t(4));
  const Environment env = sparse_environment(config, tmp.path());
  const PairTable& table = env.test_pairs();
  const auto f = env.foreground(table, Split::test, 3, 14, 5);
  ASSERT_TRUE(f.has_value() && f->noise);
  const auto x = env.batch(table, Split::test, 3, 14, 5).x.to(torch::kFloat64);  // [S, T, B, P]
  const int64_t S = x.size(0), TB = x.size(1) * x.size(2), P = x.size(3);
  // R = 120: past kernels::kBorrowedScatterOutputs, the forward lists the noise tuple by tuple.
  for (const bool shared : {false, true})
    for (const int64_t R : {9, 120}) {
      const int64_t M = shared ? 1 : S, L = shared ? S * P : P;
      const auto xd = shared ? x.permute({1, 2, 0, 3}).reshape({1, TB, L}) : x.reshape({S, TB, P});  // [M, T*B, L]
      const auto g = torch::randn({M, R, TB}, torch::kFloat64);
      auto w = (torch::randn({M, R, L}) * 0.1).requires_grad_(true);
      const auto u = project_pixel_rows(w, *f, shared);
      auto wd = w.detach().to(torch::kFloat64);
      const std::string where = std::string(shared ? "shared" : "separate") + " w, R = " + std::to_string(R);
      EXPECT_LT((u.to(torch::kFloat64) - torch::bmm(wd, xd.transpose(1, 2))).abs().max().item<double>(), 1e-4)
          << where << ", forward";
      (u * g.to(torch::kFloat32)).sum().backward();
      auto loss = [&] { return (torch::bmm(wd, xd.transpose(1, 2)) * g).sum().item<double>(); };
      test::expect_central_differences(w.grad(), wd, loss, 3, 1e-4, where);
    }
}

}  // namespace
}  // namespace modspec
