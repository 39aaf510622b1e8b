// From raw measures to specialization (paper 2.4).
//   normalised  Mbar(m, k) = clip((M(m, k) - b) / (1 - b), 0, 1)
//   module      F^m = Mbar(m, 0) - Mbar(m, 1)                      (two digits)
//   network     F   = |F^0 - F^1| / 2                              (two modules)
// With M modules and M digits, each module is matched to a distinct digit; F is the best
// matching's mean of Mbar(m, own) - mean over other digits of Mbar(m, other), which is the
// paper's |F^0 - F^1| / 2 for M = 2; F^m is then module m's term under that matching.
#pragma once
#include <vector>

namespace modspec {

double normalise(double value, double base);

struct Specialization {
  double network = 0;                 // F
  std::vector<double> module;         // F^m
  std::vector<int64_t> assigned;      // digit matched to each module
};

// mbar[m][k]: normalised measure of module m on digit k; needs as many digits as modules.
Specialization specialization(const std::vector<std::vector<double>>& mbar);

}  // namespace modspec
