#include "metrics/specialization.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>

#include "util/error.hpp"

namespace modspec {

double normalise(double value, double base) {
  if (!(base < 1.0)) return 0.0;
  return std::clamp((value - base) / (1.0 - base), 0.0, 1.0);
}

double normalise_ratio(double value, double base, bool accuracy) {
  if (!accuracy) return (value - base) / (1.0 - base);
  return std::clamp(value - base / (1.0 - base), 1e-5, 1.0);
}

Specialization ratio_specialization(const std::vector<std::vector<double>>& mbar) {
  if (mbar.size() != 2 || mbar[0].size() != 2 || mbar[1].size() != 2)
    throw Error("the ratio formula is defined for two modules and two digits");
  Specialization s;
  for (size_t m = 0; m < 2; ++m) s.module.push_back((mbar[m][0] - mbar[m][1]) / (mbar[m][0] + mbar[m][1]));
  s.network = std::abs(s.module[0] - s.module[1]) / 2;
  s.assigned = {0, 1};
  return s;
}

Specialization specialization(const std::vector<std::vector<double>>& mbar) {
  const size_t M = mbar.size();
  if (M == 0 || mbar[0].size() != M) throw Error("specialization needs as many digits as modules");
  // score[m][k]: how much more module m is linked to digit k than to the others.
  std::vector<std::vector<double>> score(M, std::vector<double>(M));
  for (size_t m = 0; m < M; ++m)
    for (size_t k = 0; k < M; ++k) {
      double others = 0;
      for (size_t j = 0; j < M; ++j)
        if (j != k) others += mbar[m][j];
      score[m][k] = mbar[m][k] - others / double(M - 1);
    }
  // Best one-to-one matching by dynamic programming over subsets of digits (M <= 16).
  const size_t full = size_t(1) << M;
  std::vector<double> best(full, -std::numeric_limits<double>::infinity());
  std::vector<int64_t> choice(full, -1);
  best[0] = 0;
  for (size_t used = 0; used < full; ++used) {
    if (!std::isfinite(best[used])) continue;
    const size_t m = size_t(__builtin_popcountll(used));
    if (m >= M) continue;
    for (size_t k = 0; k < M; ++k) {
      if (used & (size_t(1) << k)) continue;
      const size_t next = used | (size_t(1) << k);
      const double v = best[used] + score[m][k];
      if (v > best[next]) {
        best[next] = v;
        choice[next] = int64_t(k);
      }
    }
  }
  Specialization s;
  s.assigned.assign(M, 0);
  s.module.assign(M, 0);
  for (size_t used = full - 1, m = M; m-- > 0;) {
    const auto k = size_t(choice[used]);
    s.assigned[m] = int64_t(k);
    s.module[m] = score[m][k];
    used &= ~(size_t(1) << k);
  }
  s.network = best[full - 1] / double(M);
  // The paper's F^m for two digits is Mbar(m, 0) - Mbar(m, 1), whatever the matching.
  if (M == 2)
    for (size_t m = 0; m < 2; ++m) s.module[m] = mbar[m][0] - mbar[m][1];
  return s;
}

}  // namespace modspec
