// Correlation (paper 2.4): the mean Pearson correlation, across module m's units at step t, between
// a test tuple's state and its partner's for digit k; base: the mean correlation of random pairs.
// Partners (metrics.correlation_pairs): "same_image", the tuple itself with every other stimulus
// swapped in, run through the network again with the very same noise (only the swapped stimuli
// differ); "same_label", another test tuple whose digit k has the same class, from the states
// already cached. The permutation null compares each tuple with a random other tuple's partner.
// On states a caller brings, same-image partners come from the caller's network (GivenStates::rerun).
#include "metrics/correlation_pairs.hpp"
#include "metrics/measure_registry.hpp"
#include "metrics/permutation.hpp"
#include "util/seed.hpp"

namespace modspec {
namespace {

class Correlation : public MeasureImpl {
 public:
  void prepare(MeasureContext& ctx) override {
    for (int64_t k = 0; k < ctx.S; ++k) {
      const uint64_t seed = derive_seed({ctx.spec.readout.seed, kReadout, 10, uint64_t(k)});
      if (ctx.spec.same_label_pairs) {
        label_partners_.push_back(same_label_partners(ctx.test_pairs(), k, seed));
        continue;
      }
      const torch::Tensor perm = random_permutation(ctx.n_test, seed);
      if (!ctx.has_network()) {
        kept_states_.push_back(ctx.rerun_given(shuffled_sources(ctx.S, k, perm)));
        continue;
      }
      const PairTable kept = shuffle_others(ctx.test_pairs(), k, perm);
      kept_states_.push_back(
          cache_states(ctx.stack(), ctx.env(), kept, Split::test, kMeasureTestNoise, nullptr, &ctx.test_pairs()));
    }
    base_perm_ = random_permutation(ctx.n_test, derive_seed({ctx.spec.readout.seed, kReadout, 20}));
  }

  void record(MeasureContext& ctx, int64_t net, const TestGroup& group, int64_t c, const Record& record) override {
    const auto& h = ctx.test_states[size_t(net)];  // [T, M, N_test, n]
    const auto own_rows = group.indices(ctx.n_test);
    const auto base_partner = base_perm_.index_select(0, own_rows);
    const auto& set = ctx.sets[size_t(c)];
    const auto source = set.partner_of.defined() ? set.partner_of.index_select(0, own_rows) : own_rows;
    for (int64_t t = 0; t < ctx.T; ++t)
      for (int64_t m = 0; m < ctx.M; ++m) {
        const auto own = h[t][m].index_select(0, own_rows);
        const double base = mean_pearson(own, h[t][m].index_select(0, base_partner));
        for (int64_t k = 0; k < ctx.S; ++k) {
          if (!ctx.spec.same_label_pairs) {
            record(t, m, k, mean_pearson(own, kept_states_[size_t(k)][size_t(net)][t][m].index_select(0, source)), base,
                   NAN, true);
            continue;
          }
          const auto partner = label_partners_[size_t(k)].index_select(0, source);
          const auto paired = partner.ge(0).nonzero().squeeze(1);  // the tuples that have a partner
          record(t, m, k,
                 mean_pearson(own.index_select(0, paired), h[t][m].index_select(0, partner.index_select(0, paired))),
                 base, NAN, true);
        }
      }
  }

 private:
  std::vector<StateCache> kept_states_;       // same_image: per digit, the swapped tuples' states
  std::vector<torch::Tensor> label_partners_;  // same_label: per digit [N_test]
  torch::Tensor base_perm_;                    // [N_test] the random partner of the base
};

}  // namespace

std::unique_ptr<MeasureImpl> make_correlation() { return std::make_unique<Correlation>(); }

}  // namespace modspec
