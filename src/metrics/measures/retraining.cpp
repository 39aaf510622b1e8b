// Retraining (paper 2.4): the test accuracy of a readout trained on module m's state at step t to
// classify digit k; base: chance, 1/C.
#include "metrics/measure_registry.hpp"

namespace modspec {
namespace {

class Retraining : public MeasureImpl {
 public:
  void record(MeasureContext& ctx, int64_t net, const TestGroup& group, int64_t c, const Record& record) override {
    const auto accuracy = group.mean(ctx.readouts(net)[size_t(c)].retraining);  // [T*M*S]
    for (int64_t t = 0; t < ctx.T; ++t)
      for (int64_t m = 0; m < ctx.M; ++m)
        for (int64_t k = 0; k < ctx.S; ++k) {
          const double a = accuracy[(t * ctx.M + m) * ctx.S + k].item<double>();
          record(t, m, k, a, ctx.chance, a, true);  // an accuracy at chance is itself the answer
        }
  }
  bool accuracy() const override { return true; }
};

}  // namespace

std::unique_ptr<MeasureImpl> make_retraining() { return std::make_unique<Retraining>(); }

}  // namespace modspec
