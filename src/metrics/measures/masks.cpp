// Weight masks (2021 paper; metrics/weight_masks.hpp): P(k, m), the share of the kept weights of
// digit k's mask that lie in module m, against base b_m, module m's share of the masked weights.
// Trained and tested on all test tuples, at the last step only; a mask whose masked network is
// within two standard errors of chance on its digit is marked not informative.
#include "metrics/measure_registry.hpp"
#include "metrics/weight_masks.hpp"
#include "util/error.hpp"

namespace modspec {
namespace {

class Masks : public MeasureImpl {
 public:
  void prepare(MeasureContext& ctx) override {
    if (ctx.env().task().target_classes[0] != ctx.C)
      throw Error("config key metrics.measures: masks reads each digit's class from the network's first output, "
                  "which has " + std::to_string(ctx.env().task().target_classes[0]) + " classes for task " +
                  ctx.env().spec().task + " (use a task whose first target is a digit: parity, digit0, digit1, max, min)");
    std::vector<MaskLabels> labels;
    for (const auto& set : ctx.sets) labels.push_back({set.train, set.test});
    outcome_ =
        train_masks(ctx.stack(), ctx.env(), labels, ctx.spec.masks, {ctx.train_projection, ctx.test_projection});
  }

  void record(MeasureContext& ctx, int64_t net, const TestGroup& group, int64_t c, const Record& record) override {
    if (!group.all()) return;
    const double floor = ctx.above_chance(group);
    for (int64_t k = 0; k < ctx.S; ++k) {
      const int64_t r = (c * ctx.S + k) * ctx.K + net;
      const double a = outcome_.accuracy[r].item<double>();
      for (int64_t m = 0; m < ctx.M; ++m)
        record(ctx.T - 1, m, k, outcome_.kept_share[r][m].item<double>(), outcome_.base[r][m].item<double>(), a,
               a > floor);
    }
  }

 private:
  MaskOutcome outcome_;
};

}  // namespace

std::unique_ptr<MeasureImpl> make_masks() { return std::make_unique<Masks>(); }

}  // namespace modspec
