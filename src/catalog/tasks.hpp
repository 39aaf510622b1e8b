// The global tasks a configuration can name (env.task): functions of the decision variables D
// (the class index of each stimulus within its side's class subset, 0..C-1). A task has one or
// more targets, each a classification. The catalog is the one list: the configuration schema
// takes its allowed values and documentation from it, the environment its targets.
//   parity      sigma = (sum D) % 2; T' = sigma ? D_0 : D_last, T'' = sigma ? D_last : D_0 (paper eq. 2;
//               with two stimuli D_last = D_1; with more, the middle digits still set sigma)
//   digit0/1    D_0 / D_1
//   sum         sum D                  (S*(C-1)+1 classes)
//   sum_parity  (sum D) % 2            (2 classes)
//   xor         bitwise xor of all D   (classes: next power of two >= C)
//   max, min    of all D               (C classes)
// docs/ARCHITECTURE.md, "Extending modspec", adds one.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace modspec {

struct TaskDefinition {
  std::string name;
  std::string doc;                   // one line, for `modspec config`
  std::vector<std::string> targets;  // the targets' names (table columns: test_accuracy_<name>)
  int64_t min_stimuli = 1;           // stimuli the task needs
  // Classes of each target for S stimuli of C classes.
  std::function<std::vector<int64_t>(int64_t S, int64_t C)> classes;
  // The targets of one tuple: digits [S] -> out [targets.size()].
  std::function<void(const int64_t* digits, int64_t S, int64_t* out)> compute;
};

const std::vector<TaskDefinition>& task_catalog();
std::vector<std::string> task_names();
// Throws an Error naming the task and the known ones.
const TaskDefinition& find_task(const std::string& name);

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
