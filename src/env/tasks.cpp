#include "env/tasks.hpp"

#include <algorithm>
#include <map>

#include "util/error.hpp"

namespace modspec {

namespace {

TaskShape all_targets(const std::string& task, int64_t S, int64_t C) {
  if (task == "parity") return {{C, C}, {"T1", "T2"}};
  if (task == "digit0") return {{C}, {"D0"}};
  if (task == "digit1") return {{C}, {"D1"}};
  if (task == "sum") return {{S * (C - 1) + 1}, {"sum"}};
  if (task == "sum_parity") return {{2}, {"sum_parity"}};
  if (task == "xor") {
    int64_t p = 1;
    while (p < C) p *= 2;
    return {{p}, {"xor"}};
  }
  if (task == "max") return {{C}, {"max"}};
  if (task == "min") return {{C}, {"min"}};
  throw Error("unknown task '" + task + "'");
}

}  // namespace

TaskShape task_shape(const std::string& task, int64_t n_stimuli, int64_t n_classes) {
  TaskShape shape = all_targets(task, n_stimuli, n_classes);
  for (size_t j = 0; j < shape.target_names.size(); ++j) shape.source.push_back(int64_t(j));
  return shape;
}

TaskShape select_targets(const TaskShape& all, const std::vector<std::string>& names, const std::string& task) {
  if (names.empty()) return all;
  TaskShape picked;
  std::map<std::string, int> seen;
  for (const auto& name : names) {
    const auto it = std::find(all.target_names.begin(), all.target_names.end(), name);
    if (it == all.target_names.end()) {
      std::string known;
      for (const auto& n : all.target_names) known += (known.empty() ? "" : ", ") + n;
      throw Error("config key env.targets: task " + task + " has no target '" + name + "' (its targets: " + known + ")");
    }
    const auto j = size_t(it - all.target_names.begin());
    const int copy = seen[name]++;
    picked.target_names.push_back(copy == 0 ? name : name + "_dup" + (copy == 1 ? "" : std::to_string(copy)));
    picked.target_classes.push_back(all.target_classes[j]);
    picked.source.push_back(all.source[j]);
  }
  return picked;
}

void task_targets(const std::string& task, const int64_t* d, int64_t S, int64_t* out) {
  int64_t sum = 0, x = 0, hi = d[0], lo = d[0];
  for (int64_t s = 0; s < S; ++s) {
    sum += d[s];
    x ^= d[s];
    hi = std::max(hi, d[s]);
    lo = std::min(lo, d[s]);
  }
  if (task == "parity") {
    const bool sigma = sum % 2 == 1;
    out[0] = sigma ? d[0] : d[S - 1];
    out[1] = sigma ? d[S - 1] : d[0];
  } else if (task == "digit0") out[0] = d[0];
  else if (task == "digit1") out[0] = d[1];
  else if (task == "sum") out[0] = sum;
  else if (task == "sum_parity") out[0] = sum % 2;
  else if (task == "xor") out[0] = x;
  else if (task == "max") out[0] = hi;
  else if (task == "min") out[0] = lo;
  else throw Error("unknown task '" + task + "'");
}

}  // namespace modspec
