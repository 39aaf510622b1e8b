#include "catalog/tasks.hpp"

#include <algorithm>
#include <map>

#include "util/error.hpp"

namespace modspec {
namespace {

int64_t sum_of(const int64_t* d, int64_t S) {
  int64_t sum = 0;
  for (int64_t s = 0; s < S; ++s) sum += d[s];
  return sum;
}

}  // namespace

const std::vector<TaskDefinition>& task_catalog() {
  using V = std::vector<int64_t>;
  static const std::vector<TaskDefinition> tasks{
      {"parity", "targets T' and T'' (paper eq. 2)", {"T1", "T2"}, 2,
       [](int64_t, int64_t C) { return V{C, C}; },
       [](const int64_t* d, int64_t S, int64_t* out) {
         const bool sigma = sum_of(d, S) % 2 == 1;
         out[0] = sigma ? d[0] : d[S - 1];
         out[1] = sigma ? d[S - 1] : d[0];
       }},
      {"digit0", "stimulus 0's class", {"D0"}, 1, [](int64_t, int64_t C) { return V{C}; },
       [](const int64_t* d, int64_t, int64_t* out) { out[0] = d[0]; }},
      {"digit1", "stimulus 1's class", {"D1"}, 2, [](int64_t, int64_t C) { return V{C}; },
       [](const int64_t* d, int64_t, int64_t* out) { out[0] = d[1]; }},
      {"sum", "the sum of the classes", {"sum"}, 1, [](int64_t S, int64_t C) { return V{S * (C - 1) + 1}; },
       [](const int64_t* d, int64_t S, int64_t* out) { out[0] = sum_of(d, S); }},
      {"sum_parity", "the parity of the sum", {"sum_parity"}, 1, [](int64_t, int64_t) { return V{2}; },
       [](const int64_t* d, int64_t S, int64_t* out) { out[0] = sum_of(d, S) % 2; }},
      {"xor", "the bitwise xor of the classes", {"xor"}, 1,
       [](int64_t, int64_t C) {
         int64_t p = 1;
         while (p < C) p *= 2;
         return V{p};
       },
       [](const int64_t* d, int64_t S, int64_t* out) {
         int64_t x = 0;
         for (int64_t s = 0; s < S; ++s) x ^= d[s];
         out[0] = x;
       }},
      {"max", "the largest class", {"max"}, 1, [](int64_t, int64_t C) { return V{C}; },
       [](const int64_t* d, int64_t S, int64_t* out) { out[0] = *std::max_element(d, d + S); }},
      {"min", "the smallest class", {"min"}, 1, [](int64_t, int64_t C) { return V{C}; },
       [](const int64_t* d, int64_t S, int64_t* out) { out[0] = *std::min_element(d, d + S); }},
  };
  return tasks;
}

std::vector<std::string> task_names() {
  std::vector<std::string> names;
  for (const auto& t : task_catalog()) names.push_back(t.name);
  return names;
}

const TaskDefinition& find_task(const std::string& name) {
  for (const auto& t : task_catalog())
    if (t.name == name) return t;
  std::string known;
  for (const auto& n : task_names()) known += (known.empty() ? "" : ", ") + n;
  throw Error("unknown task '" + name + "' (known: " + known + ")");
}

TaskShape task_shape(const std::string& task, int64_t n_stimuli, int64_t n_classes) {
  const TaskDefinition& t = find_task(task);
  TaskShape shape{t.classes(n_stimuli, n_classes), t.targets, {}};
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

void task_targets(const std::string& task, const int64_t* digits, int64_t n_stimuli, int64_t* out) {
  find_task(task).compute(digits, n_stimuli, out);
}

}  // namespace modspec
