// The environment: stimulus tuples (env/pair_table.hpp), tasks (catalog/tasks.hpp), presentation
// over time (env/presentation.hpp) and batches (env/environment.hpp). All but the last test use
// synthetic labels and pixels; that one needs the real MNIST files and is skipped without them.
#include <gtest/gtest.h>

#include <ATen/CPUGeneratorImpl.h>
#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "data/data_dir.hpp"
#include "env/environment.hpp"
#include "env/pair_table.hpp"
#include "env/presentation.hpp"
#include "catalog/tasks.hpp"
#include "fixtures.hpp"
#include "runtime/kernels.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

using test::contains;
using test::error_message;

// Two sides of MNIST-like labels, n of each cycling through 0..9.
std::vector<int64_t> cycling_labels(int64_t n, int64_t classes = 10) {
  std::vector<int64_t> labels(n);
  for (int64_t i = 0; i < n; ++i) labels[i] = i % classes;
  return labels;
}

EnvSpec two_sides(double covariance, bool fix, const std::string& task = "parity") {
  EnvSpec spec;
  spec.datasets = {"mnist", "mnist"};
  spec.n_classes = 10;
  spec.task = task;
  spec.covariance = covariance;
  spec.asymmetry_fix = fix;
  return spec;
}

struct Labels {
  std::vector<int64_t> side0, side1;
  std::vector<const std::vector<int64_t>*> both() const { return {&side0, &side1}; }
};

const Labels& labels_20000() {
  static const Labels l{cycling_labels(20000), cycling_labels(20000)};
  return l;
}

int64_t digit(const PairTable& t, int64_t row, int64_t side) { return t.digit[row * t.n_stimuli + side]; }
int64_t image(const PairTable& t, int64_t row, int64_t side) { return t.image[row * t.n_stimuli + side]; }

// The table's shape, and each digit agreeing with the label of the image drawn for it.
void expect_consistent(const PairTable& t, const Labels& labels) {
  ASSERT_EQ(int64_t(t.image.size()), t.size * t.n_stimuli);
  ASSERT_EQ(int64_t(t.digit.size()), t.size * t.n_stimuli);
  ASSERT_EQ(int64_t(t.target.size()), t.size * t.n_targets);
  for (int64_t r = 0; r < t.size; ++r) {
    ASSERT_EQ(labels.side0[image(t, r, 0)], digit(t, r, 0)) << "row " << r;
    ASSERT_EQ(labels.side1[image(t, r, 1)], digit(t, r, 1)) << "row " << r;
  }
}

// (a) P(D0 == D1) = c + (1-c)/C, measured over 20000 tuples, within 4 standard errors.
TEST(PairTable, CovarianceSetsAgreementRate) {
  const auto& labels = labels_20000();
  for (double c : {0.0, 0.3, 0.7, 1.0}) {
    const PairTable t = draw_pairs(two_sides(c, false), labels.both(), 7);
    ASSERT_EQ(t.size, 20000) << "without the fix every side-0 image is used once";
    expect_consistent(t, labels);
    int64_t same = 0;
    for (int64_t r = 0; r < t.size; ++r) same += digit(t, r, 0) == digit(t, r, 1);
    const double p = c + (1 - c) / 10.0;
    const double se = std::sqrt(p * (1 - p) / double(t.size));
    EXPECT_NEAR(double(same) / double(t.size), p, 4 * se + 1e-12) << "covariance " << c;
  }
}

// Side 0 runs through every image exactly once, in shuffled order.
TEST(PairTable, SideZeroIsAShuffledPass) {
  const auto& labels = labels_20000();
  const PairTable t = draw_pairs(two_sides(0, false), labels.both(), 3);
  std::vector<int64_t> seen;
  for (int64_t r = 0; r < t.size; ++r) seen.push_back(image(t, r, 0));
  std::vector<int64_t> sorted = seen;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> all(20000);
  std::iota(all.begin(), all.end(), 0);
  EXPECT_EQ(sorted, all);
  EXPECT_NE(seen, all) << "side 0 is not shuffled";
}

bool asymmetric(int64_t d0, int64_t d1, int64_t C) { return d0 == d1 || d0 == (d1 - 1 + C) % C; }

// (b) The fix drops D0 == D1 and D0 == D1 - 1 (mod C): 2 of C equally likely D1, so 80% remain.
TEST(PairTable, AsymmetryFixDropsPairs) {
  const auto& labels = labels_20000();
  const PairTable fixed = draw_pairs(two_sides(0, true), labels.both(), 11);
  expect_consistent(fixed, labels);
  for (int64_t r = 0; r < fixed.size; ++r)
    ASSERT_FALSE(asymmetric(digit(fixed, r, 0), digit(fixed, r, 1), 10))
        << "row " << r << ": D = (" << digit(fixed, r, 0) << ", " << digit(fixed, r, 1) << ")";
  const double se = std::sqrt(0.8 * 0.2 / 20000.0);
  EXPECT_NEAR(double(fixed.size) / 20000.0, 0.8, 4 * se);

  // The draws do not depend on the fix (it only decides what to keep), so with the same seed the
  // fixed table is the unfixed one with the dropped tuples taken out, in the same order.
  const PairTable all = draw_pairs(two_sides(0, false), labels.both(), 11);
  std::vector<int64_t> kept_images, kept_digits, kept_targets;
  for (int64_t r = 0; r < all.size; ++r) {
    if (asymmetric(digit(all, r, 0), digit(all, r, 1), 10)) continue;
    kept_images.insert(kept_images.end(), {image(all, r, 0), image(all, r, 1)});
    kept_digits.insert(kept_digits.end(), {digit(all, r, 0), digit(all, r, 1)});
    kept_targets.insert(kept_targets.end(), all.target.begin() + 2 * r, all.target.begin() + 2 * r + 2);
  }
  EXPECT_EQ(fixed.image, kept_images);
  EXPECT_EQ(fixed.digit, kept_digits);
  EXPECT_EQ(fixed.target, kept_targets);
}

// With the fix and C = 10, each D0 keeps exactly 8 partners: all D1 except D0 and D0 + 1.
TEST(PairTable, AsymmetryFixKeepsEveryOtherCombination) {
  const auto& labels = labels_20000();
  const PairTable t = draw_pairs(two_sides(0, true), labels.both(), 5);
  std::set<std::pair<int64_t, int64_t>> combos;
  for (int64_t r = 0; r < t.size; ++r) combos.emplace(digit(t, r, 0), digit(t, r, 1));
  EXPECT_EQ(combos.size(), 80u);
  EXPECT_FALSE(combos.count({3, 3}));
  EXPECT_FALSE(combos.count({3, 4}));  // D0 == D1 - 1
  EXPECT_TRUE(combos.count({4, 3}));   // D0 == D1 + 1 is kept: the fix is deliberately one-sided
  EXPECT_FALSE(combos.count({9, 0}));  // wraps around: 9 == (0 - 1) mod 10
}

// (c) Disjoint classes with C = 5: side 0 uses labels 0..4, side 1 labels 5..9, and both sides'
// decision variables are class indices 0..4 within their subset.
TEST(PairTable, DisjointClassSplit) {
  const auto& labels = labels_20000();
  EnvSpec spec = two_sides(0, false);
  spec.n_classes = 5;
  spec.disjoint_classes = true;
  const PairTable t = draw_pairs(spec, labels.both(), 13);
  EXPECT_EQ(t.size, 10000);  // only side 0's images of labels 0..4
  std::set<int64_t> d0, d1;
  for (int64_t r = 0; r < t.size; ++r) {
    ASSERT_LT(labels.side0[image(t, r, 0)], 5);
    ASSERT_EQ(labels.side0[image(t, r, 0)], digit(t, r, 0));
    ASSERT_GE(labels.side1[image(t, r, 1)], 5);
    ASSERT_EQ(labels.side1[image(t, r, 1)], 5 + digit(t, r, 1));
    d0.insert(digit(t, r, 0));
    d1.insert(digit(t, r, 1));
  }
  EXPECT_EQ(d0, (std::set<int64_t>{0, 1, 2, 3, 4}));
  EXPECT_EQ(d1, (std::set<int64_t>{0, 1, 2, 3, 4}));
}

TEST(PairTable, MissingClassIsError) {
  const auto& labels = labels_20000();
  EnvSpec spec = two_sides(0, false);
  spec.disjoint_classes = true;  // side 1 would need labels 10..19
  const std::string msg = error_message([&] { draw_pairs(spec, labels.both(), 1); });
  EXPECT_PRED2(contains, msg, "class 10");
}

// (e) Determinism in the seed.
TEST(PairTable, SameSeedSameTable) {
  const auto& labels = labels_20000();
  const PairTable a = draw_pairs(two_sides(0, true), labels.both(), 42);
  const PairTable b = draw_pairs(two_sides(0, true), labels.both(), 42);
  const PairTable c = draw_pairs(two_sides(0, true), labels.both(), 43);
  EXPECT_EQ(a.image, b.image);
  EXPECT_EQ(a.digit, b.digit);
  EXPECT_EQ(a.target, b.target);
  EXPECT_NE(a.image, c.image);
}

TEST(PairTable, TargetsFollowTask) {
  const auto& labels = labels_20000();
  for (const char* task : {"parity", "sum", "xor", "digit1"}) {
    const PairTable t = draw_pairs(two_sides(0, true, task), labels.both(), 9);
    std::vector<int64_t> out(t.n_targets);
    for (int64_t r = 0; r < t.size; ++r) {
      task_targets(task, &t.digit[r * 2], 2, out.data());
      ASSERT_TRUE(std::equal(out.begin(), out.end(), t.target.begin() + r * t.n_targets)) << task << " row " << r;
    }
  }
}

std::vector<int64_t> targets(const std::string& task, std::vector<int64_t> d) {
  std::vector<int64_t> out(task_shape(task, int64_t(d.size()), 10).target_classes.size());
  task_targets(task, d.data(), int64_t(d.size()), out.data());
  return out;
}

// (d) Hand-worked targets. Parity (paper eq. 2): sigma = (sum D) % 2; T' = sigma ? D0 : D1.
TEST(Tasks, HandWorkedTargets) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(targets("parity", {2, 1}), (V{2, 1}));  // sum 3, odd: T' = D0, T'' = D1
  EXPECT_EQ(targets("parity", {9, 7}), (V{7, 9}));  // sum 16, even: T' = D1, T'' = D0
  EXPECT_EQ(targets("parity", {4, 4}), (V{4, 4}));
  EXPECT_EQ(targets("parity", {1, 2, 5}), (V{5, 1}));  // three stimuli: sum 8, even, D_last = 5
  EXPECT_EQ(targets("parity", {1, 2, 4}), (V{1, 4}));  // sum 7, odd
  EXPECT_EQ(targets("sum", {9, 7}), (V{16}));
  EXPECT_EQ(targets("sum", {1, 2, 4}), (V{7}));
  EXPECT_EQ(targets("sum_parity", {9, 7}), (V{0}));
  EXPECT_EQ(targets("sum_parity", {2, 1}), (V{1}));
  EXPECT_EQ(targets("xor", {3, 5}), (V{6}));
  EXPECT_EQ(targets("xor", {9, 7}), (V{14}));
  EXPECT_EQ(targets("xor", {1, 2, 3}), (V{0}));
  EXPECT_EQ(targets("max", {2, 8}), (V{8}));
  EXPECT_EQ(targets("max", {8, 2}), (V{8}));
  EXPECT_EQ(targets("min", {2, 8}), (V{2}));
  EXPECT_EQ(targets("min", {8, 2, 5}), (V{2}));
  EXPECT_EQ(targets("digit0", {3, 6}), (V{3}));
  EXPECT_EQ(targets("digit1", {3, 6}), (V{6}));
}

TEST(Tasks, ShapeClassCounts) {
  using V = std::vector<int64_t>;
  EXPECT_EQ(task_shape("parity", 2, 10).target_classes, (V{10, 10}));
  EXPECT_EQ(task_shape("digit0", 2, 10).target_classes, (V{10}));
  EXPECT_EQ(task_shape("digit1", 2, 10).target_classes, (V{10}));
  EXPECT_EQ(task_shape("sum", 2, 10).target_classes, (V{19}));  // 0..18
  EXPECT_EQ(task_shape("sum", 3, 10).target_classes, (V{28}));  // 0..27
  EXPECT_EQ(task_shape("sum_parity", 2, 10).target_classes, (V{2}));
  EXPECT_EQ(task_shape("xor", 2, 10).target_classes, (V{16}));  // 9 ^ 6 = 15
  EXPECT_EQ(task_shape("xor", 2, 8).target_classes, (V{8}));    // 7 ^ 0 = 7
  EXPECT_EQ(task_shape("xor", 2, 5).target_classes, (V{8}));    // 4 ^ 3 = 7
  EXPECT_EQ(task_shape("max", 2, 10).target_classes, (V{10}));
  EXPECT_EQ(task_shape("min", 3, 26).target_classes, (V{26}));
  EXPECT_EQ(task_shape("parity", 2, 10).target_names.size(), 2u);
}

// Every target of every task stays below its class count, over all digit pairs.
TEST(Tasks, TargetsWithinClassCount) {
  for (const char* task : {"parity", "digit0", "digit1", "sum", "sum_parity", "xor", "max", "min"})
    for (int64_t C : {3, 5, 10, 26}) {
      const TaskShape shape = task_shape(task, 2, C);
      std::vector<int64_t> out(shape.target_classes.size());
      for (int64_t a = 0; a < C; ++a)
        for (int64_t b = 0; b < C; ++b) {
          const int64_t d[2] = {a, b};
          task_targets(task, d, 2, out.data());
          for (size_t k = 0; k < out.size(); ++k) {
            ASSERT_GE(out[k], 0) << task;
            ASSERT_LT(out[k], shape.target_classes[k]) << task << " C=" << C << " D=(" << a << "," << b << ")";
          }
        }
    }
}

TEST(Tasks, UnknownTaskIsError) {
  const std::string msg = error_message([] { task_shape("product", 2, 10); });
  EXPECT_PRED2(contains, msg, "product");
}

// ---- Presentation -------------------------------------------------------------------------

torch::Generator seeded(uint64_t seed) { return at::make_generator<at::CPUGeneratorImpl>(seed); }

torch::Tensor noise(const torch::Tensor& x, double ratio, int64_t n_samples, uint64_t seed) {
  auto gen = seeded(seed);
  return structured_noise(x, ratio, n_samples, gen);
}

torch::Tensor random_batch(int64_t B, int64_t P, uint64_t seed) {
  auto gen = seeded(seed);
  return torch::rand({B, P}, gen);
}

TEST(Presentation, ZeroNoiseReturnsInput) {
  const auto x = random_batch(16, 10, 1);
  EXPECT_TRUE(torch::equal(noise(x, 0.0, 5, 2), x));
}

// With one noise sample in a batch of two, the only other sample is kept whole (probability
// 1/1): the noise of each row is exactly the other row.
TEST(Presentation, NoiseOfTwoIsTheOtherSample) {
  const auto x = torch::tensor({{1.0f, 2.0f, 3.0f}, {10.0f, 20.0f, 30.0f}});
  EXPECT_TRUE(torch::allclose(noise(x, 1.0, 1, 3), torch::tensor({{10.0f, 20.0f, 30.0f}, {1.0f, 2.0f, 3.0f}})));
  EXPECT_TRUE(torch::allclose(noise(x, 0.25, 1, 3),
                              torch::tensor({{3.25f, 6.5f, 9.75f}, {7.75f, 15.5f, 23.25f}})));  // 0.75x + 0.25 other
}

// Pure noise never uses the row itself: changing row b leaves row b of the output as it was.
TEST(Presentation, PureNoiseIgnoresOwnRow) {
  const auto x = random_batch(12, 30, 4);
  const auto before = noise(x, 1.0, 5, 99);
  for (int64_t b = 0; b < 12; ++b) {
    auto changed = x.clone();
    changed[b].fill_(1000.0);
    const auto after = noise(changed, 1.0, 5, 99);
    EXPECT_TRUE(torch::equal(after[b], before[b])) << "row " << b;
  }
}

// Partial noise is (1-r) x + r noise, with the noise the pure-noise output of the same draws.
TEST(Presentation, NoiseRatioMixesLinearly) {
  const auto x = random_batch(32, 20, 5);
  const auto pure = noise(x, 1.0, 5, 77);
  for (double r : {0.1, 0.5, 0.9}) {
    const auto mixed = noise(x, r, 5, 77);
    EXPECT_TRUE(torch::allclose(mixed, (1 - r) * x + r * pure, 1e-5, 1e-6)) << "ratio " << r;
  }
}

// Each noise pixel is the mean over k others of x * Bernoulli(1/k), so its expectation,
// averaged over rows and pixels, is mean(x) / k. The keep bits are shared by the rows: the
// average is over many pixels.
TEST(Presentation, NoiseMeanIsScaledInputMean) {
  const auto x = random_batch(100, 20000, 6);  // uniform on [0, 1): mean 0.5
  for (int64_t k : {1, 5, 10}) {
    const double expected = x.mean().item<double>() / double(k);
    const double got = noise(x, 1.0, k, 8).mean().item<double>();
    EXPECT_NEAR(got, expected, 0.03 * expected) << "noise_samples " << k;
  }
}

// As in the paper's code (5.3.1, rand([n_samples] + features) < 1 / n_samples), the pixels kept
// are drawn once per step for the whole batch: on an input of ones every row's noise is the same,
// (1/k) Binomial(k, 1/k) at each pixel (mean 1/k, variance (1 - 1/k) / k^2 over the pixels), with
// no correlation between neighbouring pixels, and none between two steps or two stimuli.
TEST(Presentation, NoiseKeepBitsAreSharedByTheBatch) {
  const int64_t B = 8, P = 40000, k = 5;
  const auto pure = noise(torch::ones({B, P}), 1.0, k, 12);
  for (int64_t b = 1; b < B; ++b) EXPECT_TRUE(torch::equal(pure[b], pure[0])) << "row " << b;
  const auto row = pure[0];
  const double expected_var = (1.0 - 1.0 / k) / double(k * k);
  EXPECT_NEAR(row.mean().item<double>(), 1.0 / k, 0.02 * (1.0 / k));
  EXPECT_NEAR(row.var().item<double>(), expected_var, 0.04 * expected_var);
  auto correlation = [](const torch::Tensor& a, const torch::Tensor& b) {
    const auto da = a - a.mean(), db = b - b.mean();
    return ((da * db).mean() / (da.std() * db.std())).item<double>();
  };
  EXPECT_LT(std::abs(correlation(row.narrow(0, 0, P - 1), row.narrow(0, 1, P - 1))), 0.02);
  EnvSpec spec = two_sides(0, false);
  spec.nb_steps = 3;
  spec.noise_ratio = 1.0;
  const auto shown = present(torch::ones({2, B, P}), spec, 3).x;  // [S, T, B, P]
  EXPECT_LT(std::abs(correlation(shown[0][0][0], shown[0][1][0])), 0.02) << "two steps";
  EXPECT_LT(std::abs(correlation(shown[0][0][0], shown[1][0][0])), 0.02) << "two stimuli";
  EXPECT_TRUE(torch::equal(shown[1][2][0], shown[1][2][B - 1])) << "rows of one step and stimulus";
}

TEST(Presentation, SingleSampleBatchHasNoNoise) {
  const auto x = random_batch(1, 7, 9);
  EXPECT_TRUE(torch::allclose(noise(x, 0.4, 5, 1), 0.6 * x));
}

EnvSpec presentation_spec(int64_t steps, double ratio, bool random_start) {
  EnvSpec spec = two_sides(0, false);
  spec.nb_steps = steps;
  spec.noise_ratio = ratio;
  spec.random_start = random_start;
  return spec;
}

// The keep bits come from a counter-based stream (runtime/kernels.hpp, draw_keep_bits): entry i
// is the (i % 4)-th 16-bit part of SplitMix64 draw i / 4 against the threshold, whatever the
// length (a partial last draw included) and however the build splits the draws into lanes.
TEST(Presentation, KeepBitsAreTheSplitMixStream) {
  for (const int64_t n : {0, 1, 3, 4, 5, 17, 1003})
    for (const uint32_t threshold : {0u, 13107u, 40000u, 65536u}) {
      const uint64_t key = 0x1234567ull + uint64_t(n);
      std::vector<uint8_t> keep(size_t(n) + 1, 7);
      kernels::draw_keep_bits(key, n, threshold, keep.data());
      for (int64_t i = 0; i < n; ++i) {
        const uint64_t draw = splitmix64(key + uint64_t(i / 4) * kGolden);
        const uint8_t expected = ((draw >> (16 * (i % 4))) & 0xffffu) < threshold;
        ASSERT_EQ(keep[size_t(i)], expected) << "n " << n << " threshold " << threshold << " entry " << i;
      }
      EXPECT_EQ(keep[size_t(n)], 7) << "written past n = " << n;
    }
}

// Each row borrows the rows after it in a uniformly shuffled cyclic order: over many draws, row b
// borrows each other row about equally often (B = 6, one sample: 1/5 each).
TEST(Presentation, BorrowedRowsAreUniform) {
  const int64_t B = 6, draws = 3000;  // 600 per other row: 25% is over 6 standard deviations
  EnvSpec spec = presentation_spec(5, 1.0, false);
  spec.noise_samples = 1;
  std::vector<int64_t> count(size_t(B * B), 0);
  for (uint64_t seed = 0; seed < uint64_t(draws / spec.nb_steps); ++seed) {
    const NoiseDraw draw = draw_presentation(spec, 1, B, 4, seed);
    for (const NoiseStep& step : draw.steps)
      for (int64_t b = 0; b < B; ++b) ++count[size_t(b * B + step.other[size_t(b)])];
  }
  const double expected = double(draws) / double(B - 1);
  for (int64_t b = 0; b < B; ++b)
    for (int64_t o = 0; o < B; ++o) {
      if (o == b) {
        EXPECT_EQ(count[size_t(b * B + o)], 0) << "row " << b << " borrowed itself";
      } else {
        EXPECT_NEAR(double(count[size_t(b * B + o)]), expected, 0.25 * expected) << "row " << b << " borrowing row " << o;
      }
    }
}

TEST(Presentation, StaticShowsCleanOnce) {
  const auto clean = torch::rand({2, 8, 6});
  const Presented p = present(clean, presentation_spec(3, 0, false), 1);
  ASSERT_EQ(p.x.sizes(), (std::vector<int64_t>{2, 1, 8, 6}));
  EXPECT_TRUE(torch::equal(p.x.select(1, 0), clean));
  EXPECT_TRUE(torch::equal(p.starts, torch::zeros({8, 2}, torch::kInt64)));
}

TEST(Presentation, NoisyHasFreshNoisePerStep) {
  const auto clean = torch::rand({2, 16, 6});
  const Presented p = present(clean, presentation_spec(4, 0.5, false), 1);
  ASSERT_EQ(p.x.sizes(), (std::vector<int64_t>{2, 4, 16, 6}));
  EXPECT_FALSE(torch::equal(p.x[0][0], p.x[0][1]));
  EXPECT_TRUE(torch::equal(p.starts, torch::zeros({16, 2}, torch::kInt64)));
  EXPECT_TRUE(torch::equal(present(clean, presentation_spec(4, 0.5, false), 1).x, p.x)) << "same seed";
  EXPECT_FALSE(torch::equal(present(clean, presentation_spec(4, 0.5, false), 2).x, p.x)) << "other seed";
}

// Starts are drawn in 1..T-2; before its start a stimulus is pure noise, made of other samples
// only, so changing sample b's clean stimulus changes row b from its start on and never before.
TEST(Presentation, RandomStart) {
  const int64_t S = 2, B = 64, P = 5, T = 6;
  for (double ratio : {0.0, 0.3}) {
    const EnvSpec spec = presentation_spec(T, ratio, true);
    const auto clean = torch::rand({S, B, P});
    const Presented p = present(clean, spec, 21);
    ASSERT_EQ(p.x.sizes(), (std::vector<int64_t>{S, T, B, P}));
    ASSERT_EQ(p.starts.sizes(), (std::vector<int64_t>{B, S}));
    EXPECT_EQ(p.starts.min().item<int64_t>(), 1);
    EXPECT_EQ(p.starts.max().item<int64_t>(), T - 2);
    for (int64_t b = 0; b < B; b += 7) {
      auto changed = clean.clone();
      changed.select(1, b).add_(50.0);
      const Presented q = present(changed, spec, 21);
      ASSERT_TRUE(torch::equal(q.starts, p.starts));
      for (int64_t s = 0; s < S; ++s) {
        const int64_t start = p.starts[b][s].item<int64_t>();
        for (int64_t t = 0; t < T; ++t) {
          const auto row_p = p.x[s][t][b], row_q = q.x[s][t][b];
          if (t < start) {
            EXPECT_TRUE(torch::equal(row_p, row_q)) << "before start: s " << s << " t " << t << " b " << b;
          } else {
            EXPECT_FALSE(torch::equal(row_p, row_q)) << "after start: s " << s << " t " << t << " b " << b;
            if (ratio == 0.0) {
              EXPECT_TRUE(torch::equal(row_q, changed[s][b])) << "clean once on";
            }
          }
        }
      }
    }
  }
}

// ---- Environment --------------------------------------------------------------------------

// A tiny MNIST-like data dir: 2x2 images whose 4 pixels all equal 20 * label + (i % 7), so every
// image's pixels tell its label.
void write_fake_mnist(const std::filesystem::path& dir, const std::string& stem, int64_t n) {
  std::vector<uint8_t> px, lab;
  for (int64_t i = 0; i < n; ++i) {
    lab.push_back(uint8_t(i % 10));
    for (int k = 0; k < 4; ++k) px.push_back(uint8_t(20 * (i % 10) + i % 7));
  }
  std::filesystem::create_directories(dir / "mnist");
  test::write_file(dir / "mnist" / (stem + "-images-idx3-ubyte"), test::idx_bytes({uint32_t(n), 2, 2}, px));
  test::write_file(dir / "mnist" / (stem + "-labels-idx1-ubyte"), test::idx_bytes({uint32_t(n)}, lab));
}

TEST(Environment, BatchHoldsNormalisedPixelsOfTableImages) {
  test::TempDir tmp;
  write_fake_mnist(tmp.path(), "train", 500);
  write_fake_mnist(tmp.path(), "t10k", 200);
  EnvSpec spec = two_sides(0, true);
  spec.sources.data_dir = tmp.path();
  const Environment env(spec);
  EXPECT_EQ(env.pixels(), 4);
  EXPECT_EQ(env.images(0, Split::train).count, 500);
  EXPECT_EQ(env.images(1, Split::test).count, 200);

  const PairTable& table = env.test_pairs();
  EXPECT_GT(table.size, 100);  // about 80% of 200
  const Batch b = env.batch(table, Split::test, 10, 30, 0);
  ASSERT_EQ(b.size(), 20);
  ASSERT_EQ(b.x.sizes(), (std::vector<int64_t>{2, 1, 20, 4}));
  const auto& test_set = env.images(0, Split::test);
  for (int64_t r = 0; r < 20; ++r)
    for (int64_t s = 0; s < 2; ++s) {
      const int64_t img = image(table, 10 + r, s);
      const double expected = (test_set.pixels[img * 4] / 255.0 - kPixelMean) / kPixelStd;
      EXPECT_NEAR(b.x[s][0][r][3].item<double>(), expected, 1e-5);
      EXPECT_EQ(b.digits[r][s].item<int64_t>(), digit(table, 10 + r, s));
    }
  for (int64_t r = 0; r < 20; ++r)
    for (int64_t k = 0; k < 2; ++k) EXPECT_EQ(b.targets[r][k].item<int64_t>(), table.target[(10 + r) * 2 + k]);

  // Training tuples are drawn afresh each epoch, reproducibly.
  EXPECT_NE(env.train_pairs(0).image, env.train_pairs(1).image);
  EXPECT_EQ(env.train_pairs(1).image, env.train_pairs(1).image);
}

// (6) The real MNIST files, where scripts/setup.sh has fetched them.
TEST(Environment, RealMnist) {
  if (!test::have_mnist()) GTEST_SKIP() << "no MNIST in the data directory (run bash scripts/setup.sh)";
  const Environment env(EnvSpec::from(Config::defaults()));
  const ImageSet& train = env.images(0, Split::train);
  const ImageSet& test = env.images(0, Split::test);
  EXPECT_EQ(train.count, 60000);
  EXPECT_EQ(test.count, 10000);
  EXPECT_EQ(train.rows, 28);
  EXPECT_EQ(train.cols, 28);
  EXPECT_EQ(env.pixels(), 784);
  EXPECT_EQ(train.n_classes, 10);
  EXPECT_EQ(*std::min_element(train.labels.begin(), train.labels.end()), 0);
  EXPECT_EQ(*std::max_element(test.labels.begin(), test.labels.end()), 9);
  EXPECT_EQ(&env.images(1, Split::train), &train) << "both sides show MNIST: one copy";

  const PairTable pairs = env.train_pairs(0);
  EXPECT_GE(pairs.size, 47000);  // 80% of 60000 with the asymmetry fix
  EXPECT_LE(pairs.size, 49000);
  EXPECT_GE(env.test_pairs().size, 7600);
  EXPECT_LE(env.test_pairs().size, 8400);
}

}  // namespace
}  // namespace modspec
