// Global tasks: functions of the decision variables D (class index of each stimulus within its
// side's class subset, 0..C-1). A task has one or more targets, each a classification.
//   parity      sigma = (sum D) % 2; T' = sigma ? D_0 : D_last, T'' = sigma ? D_last : D_0 (paper eq. 2;
//               with two stimuli D_last = D_1; with more, the middle digits still set sigma)
//   digit0/1    D_0 / D_1
//   sum         sum D                  (S*(C-1)+1 classes)
//   sum_parity  (sum D) % 2            (2 classes)
//   xor         bitwise xor of all D   (classes: next power of two >= C)
//   max, min    of all D               (C classes)
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace modspec {

struct TaskShape {
  std::vector<int64_t> target_classes;  // classes of each trained target
  std::vector<std::string> target_names;
  std::vector<int64_t> source;          // each trained target's index among the task's own targets
};

// Every target of the task, in the task's order.
TaskShape task_shape(const std::string& task, int64_t n_stimuli, int64_t n_classes);

// The targets named in `names` (env.targets), in that order; empty keeps them all. A name given
// twice is trained twice, each with its own readout outputs: the original implementation's
// "parity-digits-both" trains T' twice and never T'' (["T1", "T1"]). A repeat is named with
// "_dup" (then "_dup2", ...) so that every column name stays unique. Throws naming env.targets.
TaskShape select_targets(const TaskShape& all, const std::vector<std::string>& names, const std::string& task);

// digits: the S decision variables of one sample; out: one value per target of the task (all of them).
void task_targets(const std::string& task, const int64_t* digits, int64_t n_stimuli, int64_t* out);

}  // namespace modspec
