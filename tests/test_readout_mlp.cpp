// The measures' fused readout kernels (runtime/mlp_kernels.hpp) against LibTorch's autograd on
// the same MLPs, and against a central finite difference; their predictions against
// torch::argmax; a ReadoutStack that learns a separable task; and the readouts' inputs gathered
// from a cache of states straight into lanes against the same inputs copied, then put in lanes.
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <vector>

#include "metrics/readout_layout.hpp"
#include "metrics/readout_stack.hpp"
#include "runtime/mlp_kernels.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

struct MlpCase {
  kernels::MlpShape s;
  torch::Tensor x, y, w1, b1, w2, b2;  // [N, d], [Q, N], [d, Q*h], [Q*h], [Q, h, C], [Q, C]

  explicit MlpCase(kernels::MlpShape shape) : s(shape) {
    torch::manual_seed(11);
    x = torch::randn({s.N, s.d});
    y = torch::randint(0, s.C, {s.Q, s.N}, torch::kInt64);
    w1 = torch::randn({s.d, s.Q * s.h}) * 0.5;
    b1 = torch::randn({s.Q * s.h}) * 0.5;
    w2 = torch::randn({s.Q, s.h, s.C}) * 0.5;
    b2 = torch::randn({s.Q, s.C}) * 0.5;
  }

  // The reference: readout q as torch.nn layers would compute it, summed mean cross-entropies.
  torch::Tensor reference_loss(const std::vector<torch::Tensor>& p) const {
    torch::Tensor loss = torch::zeros({}, torch::kFloat64);
    for (int64_t q = 0; q < s.Q; ++q) {
      auto a = torch::relu(x.matmul(p[0].narrow(1, q * s.h, s.h)) + p[1].narrow(0, q * s.h, s.h));
      auto o = a.matmul(p[2][q]) + p[3][q];
      loss = loss + torch::nn::functional::cross_entropy(o, y[q]).to(torch::kFloat64);
    }
    return loss;
  }

  // x in the kernels' lanes, [d, lanes_of(N)].
  std::vector<float> lanes() const {
    std::vector<float> xt(size_t(s.d * kernels::lanes_of(s.N)));
    kernels::mlp_rows_to_lanes(x.data_ptr<float>(), s.N, s.d, xt.data());
    return xt;
  }

  // The kernel the CPU picks, or (baseline) the baseline x86-64 build whatever the CPU; the loss
  // asked for or (with_loss false) not, the gradients the same either way.
  double fused(std::vector<torch::Tensor>& grads, bool baseline = false, bool with_loss = true) const {
    grads = {torch::empty_like(w1), torch::empty_like(b1), torch::empty_like(w2), torch::empty_like(b2)};
    auto* kernel = baseline ? kernels::mlp_loss_and_gradients_baseline : kernels::mlp_loss_and_gradients;
    double loss = NAN;
    kernel(s, lanes().data(), y.data_ptr<int64_t>(), w1.data_ptr<float>(), b1.data_ptr<float>(), w2.data_ptr<float>(),
           b2.data_ptr<float>(), grads[0].data_ptr<float>(), grads[1].data_ptr<float>(), grads[2].data_ptr<float>(),
           grads[3].data_ptr<float>(), with_loss ? &loss : nullptr);
    return loss;
  }

  // Readout q's classes on rows x: [N', C] outputs' argmax.
  torch::Tensor reference_classes(const torch::Tensor& rows, int64_t q) const {
    auto a = torch::relu(rows.matmul(w1.narrow(1, q * s.h, s.h)) + b1.narrow(0, q * s.h, s.h));
    return (a.matmul(w2[q]) + b2[q]).argmax(1);
  }
};

// Both builds (the one the CPU picks and the baseline), on shapes that leave every remainder of
// the kernels' register tiles: tuples not a whole number of vectors or of 2-vector tiles; 1 to 5
// output rows past whole 6-row tiles (h, C and Q*h of 7, 2, 3 or 21, 10 or 4, 5); 1 or 2 dot rows
// past 3-row tiles, and 1 to 3 dot columns past 4-column tiles.
TEST(ReadoutMlp, LossAndGradientsMatchAutograd) {
  for (const bool baseline : {false, true})
    for (const kernels::MlpShape shape : {kernels::MlpShape{37, 5, 1, 4, 3}, kernels::MlpShape{256, 25, 2, 30, 10},
                                          kernels::MlpShape{130, 50, 3, 7, 2}, kernels::MlpShape{9, 1, 1, 5, 2}}) {
      const MlpCase c(shape);
      std::vector<torch::Tensor> grads;
      const double loss = c.fused(grads, baseline);
      std::vector<torch::Tensor> p{c.w1.clone().requires_grad_(), c.b1.clone().requires_grad_(),
                                   c.w2.clone().requires_grad_(), c.b2.clone().requires_grad_()};
      auto ref = c.reference_loss(p);
      ref.backward();
      EXPECT_NEAR(loss, ref.item<double>(), 1e-5 * shape.Q) << "baseline " << baseline << ", N = " << shape.N;
      for (size_t i = 0; i < p.size(); ++i)
        EXPECT_TRUE(torch::allclose(grads[i], p[i].grad(), 1e-4, 1e-6))
            << "parameter " << i << ", baseline " << baseline << ", N = " << shape.N;
      std::vector<torch::Tensor> without_loss;
      c.fused(without_loss, baseline, false);
      for (size_t i = 0; i < p.size(); ++i)
        EXPECT_TRUE(torch::equal(grads[i], without_loss[i])) << "parameter " << i << " without the loss";
    }
}

TEST(ReadoutMlp, GradientsMatchAFiniteDifference) {
  const MlpCase c(kernels::MlpShape{19, 4, 2, 5, 3});
  std::vector<torch::Tensor> grads;
  c.fused(grads);
  const std::vector<torch::Tensor> params{c.w1, c.b1, c.w2, c.b2};
  // A step across a ReLU's kink has no derivative to compare with: such entries are skipped.
  auto active = [&] { return (c.x.matmul(c.w1) + c.b1).gt(0); };
  const auto base_active = active();
  const double eps = 2e-3;
  int64_t compared = 0;
  for (size_t i = 0; i < params.size(); ++i) {
    auto flat = params[i].view(-1);
    for (int64_t j = 0; j < flat.numel(); ++j) {
      const float keep = flat[j].item<float>();
      std::vector<torch::Tensor> unused;
      flat[j] = keep + eps;
      const double up = c.fused(unused);
      const bool same_up = torch::equal(active(), base_active);
      flat[j] = keep - eps;
      const double down = c.fused(unused);
      const bool same_down = torch::equal(active(), base_active);
      flat[j] = keep;
      if (!same_up || !same_down) continue;
      ++compared;
      EXPECT_NEAR(grads[i].view(-1)[j].item<double>(), (up - down) / (2 * eps), 1e-3) << "parameter " << i << "[" << j << "]";
    }
  }
  EXPECT_GT(compared, 80);  // of 4*10 + 10 + 2*5*3 + 6 = 86
}

TEST(ReadoutMlp, PredictionsAreTheFirstLargestOutput) {
  // N above the kernel's chunk of rows and not a whole block of lanes, so that chunks are
  // stitched and the last one is padded.
  const MlpCase c(kernels::MlpShape{1101, 6, 3, 8, 4});
  auto classes = torch::empty({3, 1101}, torch::kInt64);
  const auto xt = c.lanes();
  for (auto* predict : {kernels::mlp_predict, kernels::mlp_predict_baseline}) {
    predict(c.s, xt.data(), c.w1.data_ptr<float>(), c.b1.data_ptr<float>(), c.w2.data_ptr<float>(),
            c.b2.data_ptr<float>(), classes.data_ptr<int64_t>());
    for (int64_t q = 0; q < 3; ++q)
      EXPECT_TRUE(torch::equal(classes[q], c.reference_classes(c.x, q))) << "readout " << q;
    // Ties: all outputs equal picks class 0, as torch::argmax does.
    auto zero2 = torch::zeros_like(c.w2), zero_b2 = torch::zeros_like(c.b2);
    predict(c.s, xt.data(), c.w1.data_ptr<float>(), c.b1.data_ptr<float>(), zero2.data_ptr<float>(),
            zero_b2.data_ptr<float>(), classes.data_ptr<int64_t>());
    EXPECT_EQ(classes.max().item<int64_t>(), 0);
  }
}

// Ablated predictions: variant 0 reads the input as it is, variant m + 1 with its m-th block of
// d/M features zeroed, each against the argmax of the reference on such a copy. Three blocks of 7
// features (a remainder past whole blocks of 8 lanes), rows across chunks.
TEST(ReadoutMlp, AblatedPredictionsSilenceOneBlockEach) {
  const int64_t M = 3, n = 7;
  const MlpCase c(kernels::MlpShape{1037, M * n, 2, 9, 5});
  const auto xt = c.lanes();
  auto classes = torch::empty({1 + M, 2, 1037}, torch::kInt64);
  for (auto* predict : {kernels::mlp_predict_ablated, kernels::mlp_predict_ablated_baseline}) {
    predict(c.s, M, xt.data(), c.w1.data_ptr<float>(), c.b1.data_ptr<float>(), c.w2.data_ptr<float>(),
            c.b2.data_ptr<float>(), classes.data_ptr<int64_t>());
    for (int64_t v = 0; v <= M; ++v) {
      auto rows = c.x.clone();
      if (v > 0) rows.narrow(1, (v - 1) * n, n).zero_();
      for (int64_t q = 0; q < 2; ++q) {
        // Sums in another order: at most a tie within rounding may pick differently.
        const auto agree = classes[v][q].eq(c.reference_classes(rows, q)).sum().item<int64_t>();
        EXPECT_GE(agree, 1036) << "variant " << v << ", readout " << q;
      }
    }
  }
}

TEST(ReadoutMlp, AStackLearnsEachLabelSetAndInputOnItsOwn) {
  // Two inputs, two digits each; label set 0 is the class of coordinate k of the input, label
  // set 1 the class of a shuffled copy, which must not disturb set 0.
  torch::manual_seed(5);
  const int64_t N = 600, G = 2, Q = 2, d = 4, C = 3;
  const auto x = torch::randn({G, N, d});
  auto labels = [&](const torch::Tensor& xs) {  // class of coordinate k of input 0, [Q, N]
    return torch::stack({xs[0].select(1, 0).gt(0.5).to(torch::kInt64) + xs[0].select(1, 0).gt(-0.5).to(torch::kInt64),
                         xs[0].select(1, 1).gt(0).to(torch::kInt64)});
  };
  const auto y0 = labels(x), y1 = y0.flip(1);
  ReadoutSettings settings;
  settings.lr = 1e-2;
  ReadoutStack alone(G, Q, {7}, d, C, settings), both(G, Q, {7, 8}, d, C, settings);
  for (int step = 0; step < 300; ++step) {
    alone.train_step(x, y0.unsqueeze(0));
    both.train_step(x, torch::stack({y0, y1}));
  }
  const auto picked_alone = alone.predict(x), picked_both = both.predict(x);  // [L, G, Q, N]
  EXPECT_TRUE(torch::equal(picked_alone[0], picked_both[0]));
  const double accuracy = picked_alone[0][0].eq(y0).to(torch::kFloat64).mean().item<double>();
  EXPECT_GT(accuracy, 0.95);
  EXPECT_LT(picked_both[1][0].eq(y1).to(torch::kFloat64).mean().item<double>(), 0.8);
  // With the inputs' two blocks of 2 features silenced in turn: the input as it is comes first.
  const auto ablated = alone.predict(x, 2);
  EXPECT_EQ(ablated.sizes(), torch::IntArrayRef({3, 1, G, Q, N}));
  EXPECT_GE(ablated[0].eq(picked_alone).to(torch::kFloat64).mean().item<double>(), 0.995);
  EXPECT_THROW(alone.predict(x, 3), Error);  // 4 inputs in 3 blocks
}

// Per step and shared over steps, for a batch that is not whole vectors of tuples and modules
// whose n is not whole vectors of features: every input's lanes, padding included, as
// mlp_rows_to_lanes puts module_inputs' and joint_inputs' copies.
TEST(ReadoutMlp, InputsGatheredIntoLanesEqualTheirCopies) {
  torch::manual_seed(9);
  const int64_t T = 3, M = 2, N = 50, n = 11;
  const auto cache = torch::randn({T, M, N, n});
  const auto rows = torch::randperm(N, torch::kInt64).narrow(0, 0, 21);
  for (bool shared : {false, true}) {
    const ReadoutLayout layout{shared, T, M, 2};
    auto expect_equal = [&](const torch::Tensor& copies, const std::vector<float>& gathered, int64_t rows_per_input,
                            const char* what) {
      ASSERT_EQ(copies.size(1), rows_per_input) << what;
      const int64_t G = copies.size(0), d = copies.size(2), block = d * kernels::lanes_of(rows_per_input);
      ASSERT_EQ(int64_t(gathered.size()), G * block) << what;
      for (int64_t g = 0; g < G; ++g) {
        std::vector<float> expected(static_cast<size_t>(block));
        kernels::mlp_rows_to_lanes(copies[g].contiguous().data_ptr<float>(), rows_per_input, d, expected.data());
        EXPECT_TRUE(std::equal(expected.begin(), expected.end(), gathered.begin() + g * block))
            << what << " input " << g << (shared ? ", shared over steps" : ", per step");
      }
    };
    std::vector<float> xt;
    const int64_t per_module = layout.module_lanes(cache, rows, xt);
    expect_equal(layout.module_inputs(cache, rows), xt, per_module, "module");
    expect_equal(layout.joint_inputs(cache, rows), xt, per_module, "joint");  // the same lanes serve both
  }
  std::vector<float> xt;
  EXPECT_THROW(ReadoutLayout({false, T, M, 2}).module_lanes(cache.to(torch::kFloat64), rows, xt), Error);
}

}  // namespace
}  // namespace modspec
