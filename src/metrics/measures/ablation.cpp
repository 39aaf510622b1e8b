// Ablation (paper 2.4): a readout trained on all modules' states at step t for digit k reaches
// test accuracy a; with module m's part of its input zeroed, a_m. With
// L = clip((a - a_m)/(a - 1/C), 0, 1), the value is 1/C + (1 - 1/C) L over base 1/C, so that
// Mbar = L. L is 0 when a is within two standard errors of chance: without that floor a = 0.105
// against chance 0.1 would turn noise into L = 1; such a value is marked not informative. The
// ratio formula reads a_m itself, as the original code does.
#include <algorithm>

#include "metrics/measure_registry.hpp"

namespace modspec {
namespace {

class Ablation : public MeasureImpl {
 public:
  void record(MeasureContext& ctx, int64_t net, const TestGroup& group, int64_t c, const Record& record) override {
    const auto& rc = ctx.readouts(net)[size_t(c)];
    const auto full = group.mean(rc.full);        // [T*S]
    const auto ablated = group.mean(rc.ablated);  // [M, T*S]
    const double floor = ctx.above_chance(group);
    for (int64_t t = 0; t < ctx.T; ++t)
      for (int64_t m = 0; m < ctx.M; ++m)
        for (int64_t k = 0; k < ctx.S; ++k) {
          const double a = full[t * ctx.S + k].item<double>(), am = ablated[m][t * ctx.S + k].item<double>();
          const double loss = a > floor ? std::clamp((a - am) / (a - ctx.chance), 0.0, 1.0) : 0.0;
          record(t, m, k, ctx.spec.ratio_formula ? am : ctx.chance + (1 - ctx.chance) * loss, ctx.chance, a, a > floor);
        }
  }
  bool accuracy() const override { return true; }
  bool inverted(const MetricSpec& spec) const override { return spec.ratio_formula; }
};

}  // namespace

std::unique_ptr<MeasureImpl> make_ablation() { return std::make_unique<Ablation>(); }

}  // namespace modspec
