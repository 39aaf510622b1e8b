// Statistics over the seeds of a sweep: mean, sample standard deviation and a 95% confidence
// interval of the mean, from Student's t (n - 1 degrees of freedom) or a percentile bootstrap.
#pragma once
#include <cstdint>
#include <vector>

namespace modspec {

struct Interval {
  int64_t n = 0;
  double mean = 0, sd = 0;  // sd: sample standard deviation (n - 1); NaN for n < 2
  double low = 0, high = 0;  // the interval; NaN for n < 2 (one seed says nothing about the spread)
};

// mean +- t_{0.975, n-1} sd / sqrt(n). NaN everywhere for no values.
Interval t_interval(const std::vector<double>& values, double level = 0.95);

// The percentile bootstrap: the (1-level)/2 and (1+level)/2 quantiles of the means of `resamples`
// resamples with replacement, drawn from `seed`.
Interval bootstrap_interval(const std::vector<double>& values, int64_t resamples, uint64_t seed, double level = 0.95);

// The p-quantile of Student's t distribution with df degrees of freedom (df > 0, 0 < p < 1).
double student_t_quantile(double p, double df);

}  // namespace modspec
