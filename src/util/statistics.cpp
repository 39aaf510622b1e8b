#include "util/statistics.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>

namespace modspec {
namespace {

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

// The continued fraction of the regularized incomplete beta function (Lentz's method).
double beta_fraction(double a, double b, double x) {
  const double tiny = 1e-300;
  double c = 1, d = 1 - (a + b) * x / (a + 1);
  d = 1 / (std::abs(d) < tiny ? tiny : d);
  double h = d;
  for (int m = 1; m <= 300; ++m) {
    for (int step = 0; step < 2; ++step) {
      const double num = step == 0 ? m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
                                   : -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
      d = 1 + num * d;
      d = 1 / (std::abs(d) < tiny ? tiny : d);
      c = 1 + num / c;
      if (std::abs(c) < tiny) c = tiny;
      h *= d * c;
      if (step == 1 && std::abs(d * c - 1) < 1e-15) return h;
    }
  }
  return h;
}

// I_x(a, b)
double incomplete_beta(double a, double b, double x) {
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  const double front = std::exp(std::lgamma(a + b) - std::lgamma(a) - std::lgamma(b) + a * std::log(x) + b * std::log1p(-x));
  if (x < (a + 1) / (a + b + 2)) return front * beta_fraction(a, b, x) / a;
  return 1 - front * beta_fraction(b, a, 1 - x) / b;
}

// P(T <= t) for Student's t with df degrees of freedom.
double t_cdf(double t, double df) {
  const double tail = 0.5 * incomplete_beta(df / 2, 0.5, df / (df + t * t));
  return t >= 0 ? 1 - tail : tail;
}

}  // namespace

double student_t_quantile(double p, double df) {
  // Bisection on the CDF: monotone, and 200 halvings of [-1e4, 1e4] reach far below 1e-12.
  double lo = -1e4, hi = 1e4;
  for (int i = 0; i < 200; ++i) {
    const double mid = 0.5 * (lo + hi);
    (t_cdf(mid, df) < p ? lo : hi) = mid;
  }
  return 0.5 * (lo + hi);
}

Interval t_interval(const std::vector<double>& values, double level) {
  Interval r;
  r.n = int64_t(values.size());
  if (values.empty()) return {0, kNaN, kNaN, kNaN, kNaN};
  for (double v : values) r.mean += v / double(values.size());
  if (values.size() < 2) {
    r.sd = r.low = r.high = kNaN;
    return r;
  }
  double ss = 0;
  for (double v : values) ss += (v - r.mean) * (v - r.mean);
  r.sd = std::sqrt(ss / double(values.size() - 1));
  const double half = student_t_quantile(0.5 + level / 2, double(values.size() - 1)) * r.sd / std::sqrt(double(values.size()));
  r.low = r.mean - half;
  r.high = r.mean + half;
  return r;
}

Interval bootstrap_interval(const std::vector<double>& values, int64_t resamples, uint64_t seed, double level) {
  Interval r = t_interval(values, level);
  if (values.size() < 2) return r;
  std::mt19937_64 rng(seed);
  std::uniform_int_distribution<size_t> pick(0, values.size() - 1);
  std::vector<double> means(static_cast<size_t>(resamples));
  for (auto& m : means) {
    double sum = 0;
    for (size_t i = 0; i < values.size(); ++i) sum += values[pick(rng)];
    m = sum / double(values.size());
  }
  std::sort(means.begin(), means.end());
  auto quantile = [&](double q) { return means[size_t(std::clamp(q * double(resamples - 1), 0.0, double(resamples - 1)))]; };
  r.low = quantile((1 - level) / 2);
  r.high = quantile((1 + level) / 2);
  return r;
}

}  // namespace modspec
