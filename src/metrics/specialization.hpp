// From raw measures to specialization (paper 2.4).
//   normalised  Mbar(m, k) = clip((M(m, k) - b) / (1 - b), 0, 1)
//   module      F^m = Mbar(m, 0) - Mbar(m, 1)                      (two digits)
//   network     F   = |F^0 - F^1| / 2                              (two modules)
// With M modules and M digits, each module is matched to a distinct digit; F is the best
// matching's mean of Mbar(m, own) - mean over other digits of Mbar(m, other), which is the
// paper's |F^0 - F^1| / 2 for M = 2; F^m is then module m's term under that matching.
#pragma once
#include <cstdint>
#include <vector>

namespace modspec {

double normalise(double value, double base);

// The original implementation's plotted arithmetic (metrics.formula = "ratio"), reproduced as it
// computes it, slips included:
//   accuracies (retraining, ablation)  Mbar = clip(M - b / (1 - b), 1e-5, 1): operator precedence
//                                      makes this M - 0.111 for b = 0.1, not (M - b) / (1 - b)
//   correlation                        Mbar = (M - b) / (1 - b), not clipped
//   module                             F^m = (Mbar(m, 0) - Mbar(m, 1)) / (Mbar(m, 0) + Mbar(m, 1))
//   network                            F   = |F^0 - F^1| / 2   (two modules, two digits)
// The ratio blows up differences near chance: a module at 0.10 and 0.12 on the two digits gets
// F^m = (1e-5 - 0.0089) / (1e-5 + 0.0089) = -0.998, "fully specialized"; correlations, not
// clipped, can give |F^m| > 1.
double normalise_ratio(double value, double base, bool accuracy);

struct Specialization {
  double network = 0;                 // F
  std::vector<double> module;         // F^m
  std::vector<int64_t> assigned;      // digit matched to each module
};

// mbar[m][k]: normalised measure of module m on digit k; needs as many digits as modules.
Specialization specialization(const std::vector<std::vector<double>>& mbar);

// The ratio form above from normalise_ratio's values; needs two modules and two digits.
Specialization ratio_specialization(const std::vector<std::vector<double>>& mbar);

}  // namespace modspec
