#include "sweep/sweep_runner.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <sstream>
#include <iostream>
#include <map>
#include <mutex>
#include <thread>

#include "env/environment_cache.hpp"
#include "runtime/threads.hpp"
#include "rundir/train_and_record.hpp"
#include "sweep/calibration.hpp"
#include "sweep/stack_claim.hpp"
#include "train/train_spec.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace modspec {
namespace {

// One JSON object per line (--log-jsonl): an "epoch" event per run and epoch, a "run" event per
// finished run. Lines are whole: the workers write under one lock and flush each.
class EventLog {
 public:
  explicit EventLog(const std::string& file) {
    if (file.empty()) return;
    out_.open(file, std::ios::app);
    if (!out_) throw Error(file + ": cannot open the --log-jsonl file for writing");
  }
  void write(const nlohmann::json& event) {
    if (!out_.is_open()) return;
    std::lock_guard<std::mutex> lock(mutex_);
    out_ << event.dump() << "\n" << std::flush;
  }

 private:
  std::ofstream out_;
  std::mutex mutex_;
};

nlohmann::json accuracies(const std::vector<std::string>& targets, const std::vector<double>& accuracy) {
  nlohmann::json j = nlohmann::json::object();
  for (size_t t = 0; t < targets.size() && t < accuracy.size(); ++t) j[targets[t]] = accuracy[t];
  return j;
}

// Trains (and measures) one stack; `progress` counts its network-epochs as they finish.
void run_stack(const std::vector<const PlannedRun*>& runs, bool measure, EnvironmentCache& envs, Progress& progress,
               EventLog& log, const std::function<void()>& check_interrupt) {
  std::vector<RunToTrain> todo;
  for (const auto* r : runs) todo.push_back({r->point.config, RunDir(r->dir), r->point.axes});
  const Environment& env = envs.get(runs[0]->point.config);
  const auto& targets = env.task().target_names;
  const int64_t epochs = runs[0]->point.config.integer("train.epochs");
  const auto recorded = train_and_record(env, todo, measure, [&](int64_t epoch, const std::vector<NetworkOutcome>& o) {
    int64_t trained = 0;
    for (size_t k = 0; k < o.size(); ++k) {
      if (int64_t(o[k].history.size()) != epoch + 1) continue;  // stopped earlier
      ++trained;
      const auto& e = o[k].history.back();
      log.write({{"event", "epoch"}, {"run", runs[k]->hash}, {"epoch", epoch}, {"train_loss", e.train_loss},
                 {"test_loss", e.test.loss}, {"test_accuracy", accuracies(targets, e.test.accuracy)},
                 {"seconds", e.seconds}});
    }
    progress.add(trained);
    if (check_interrupt) check_interrupt();
  }, [&](const std::string& stage) {
    progress.note("measuring " + count_of(int64_t(runs.size()), "network") + ": " + stage);
    if (check_interrupt) check_interrupt();
  });
  // Networks that stopped early will train no more epochs.
  int64_t unused = 0;
  for (size_t k = 0; k < recorded.size(); ++k) {
    const auto& outcome = recorded[k].outcome;
    unused += epochs - int64_t(outcome.history.size());
    nlohmann::json event{{"event", "run"}, {"run", runs[k]->hash}, {"status", status_name(outcome.status)},
                         {"epochs_run", outcome.history.size()}};
    if (!outcome.history.empty())
      event["test_accuracy"] = accuracies(targets, outcome.history.back().test.accuracy);
    if (recorded[k].metrics)
      for (const auto& s : recorded[k].metrics->specialization)
        if (s.starts == kAllTuples) event["F"][s.metric] = s.network;  // the last step's, rows come in step order
    event["directory"] = runs[k]->dir.string();
    log.write(event);
  }
  progress.add(unused);
}

}  // namespace

SweepReport run_sweep(const SweepSpec& sweep_in, const std::filesystem::path& out, const SweepOptions& options) {
  const auto t0 = std::chrono::steady_clock::now();
  const SweepShare share = plan_share(sweep_in, out, options);
  const SweepSpec& sweep = share.sweep;
  SweepReport report = share.report;
  std::vector<std::vector<const PlannedRun*>> work;
  for (const auto& stack : share.pending) {
    work.emplace_back();
    for (size_t r : stack) work.back().push_back(&share.plan.runs[r]);
  }
  // Costliest stacks first, so no worker is left with a big one at the end (cost ~ size x n).
  auto cost = [](const std::vector<const PlannedRun*>& stack) {
    int64_t n = 0;
    for (const auto* r : stack) n = std::max(n, r->point.config.integer("model.n"));
    return n * int64_t(stack.size());
  };
  std::stable_sort(work.begin(), work.end(), [&](const auto& a, const auto& b) { return cost(a) > cost(b); });
  const int64_t todo = report.runs - report.skipped;
  const int64_t n_workers = std::max<int64_t>(1, std::min<int64_t>(options.workers, int64_t(work.size())));
  announce_share(share, options, n_workers);
  Progress progress(options.label, share.network_epochs(), "network-epochs");
  EventLog log(options.log_jsonl);
  EnvironmentCache envs;
  if (!work.empty() && !Progress::quiet() && TrainSpec::from(work[0][0]->point.config).device == "cpu") {
    // Steps of the costliest stack, scaled to the others by cost and epochs.
    const Config& first = work[0][0]->point.config;
    const Environment& env = envs.get(first);
    std::vector<NetworkSpec> specs;
    for (const auto* r : work[0]) specs.push_back(NetworkSpec::from(r->point.config));
    const double step = calibrate_step_seconds(env, first, specs);
    const int64_t batch = first.integer("train.batch_size");
    const double steps_per_epoch = double((env.train_pairs(0).size + batch - 1) / batch);
    double seconds = 0;
    for (const auto& stack : work)
      seconds += step * steps_per_epoch * double(stack[0]->point.config.integer("train.epochs")) * double(cost(stack)) /
                 double(cost(work[0]));
    std::ostringstream line;
    line << std::fixed << std::setprecision(0) << options.label << ": training estimated at about "
         << seconds / double(n_workers) << " s on " << count_of(n_workers, "worker") << " (" << std::setprecision(3)
         << step << " s a step of the largest stack, timed now)" << (sweep.measure ? ", measures not included" : "");
    Progress::stage(line.str());
  }
  std::atomic<size_t> next{0};
  std::mutex done_mutex;
  int64_t done = 0, by_others = 0;
  std::vector<size_t> held_elsewhere;  // stacks another process was training when we came to them
  std::exception_ptr failure;
  // Trains what is still pending of stack i under its claim: another process may have finished
  // some or all of it since the plan was made, or died part-way through it.
  auto train_claimed = [&](size_t i) {
    std::vector<const PlannedRun*> pending;
    int64_t finished_elsewhere = 0;
    for (const auto* r : work[i]) {
      if (RunDir(r->dir).finished(sweep.measure)) finished_elsewhere += r->point.config.integer("train.epochs");
      else pending.push_back(r);
    }
    progress.add(finished_elsewhere);
    if (!pending.empty()) run_stack(pending, sweep.measure, envs, progress, log, options.check_interrupt);
    std::lock_guard<std::mutex> lock(done_mutex);
    done += int64_t(pending.size());
    by_others += int64_t(work[i].size() - pending.size());
  };
  auto worker = [&]() {
    use_one_intra_op_thread();
    try {
      for (size_t i = next++; i < work.size(); i = next++) {
        if (auto claim = StackClaim::try_claim(out, work[i][0]->hash)) {
          train_claimed(i);
        } else {
          std::lock_guard<std::mutex> lock(done_mutex);
          held_elsewhere.push_back(i);
        }
      }
    } catch (...) {
      std::lock_guard<std::mutex> lock(done_mutex);
      if (!failure) failure = std::current_exception();
      next = work.size();
    }
  };
  auto run_workers = [&]() {
    std::vector<std::thread> threads;
    for (int64_t w = 0; w < n_workers; ++w) threads.emplace_back(worker);
    for (auto& t : threads) t.join();
    if (failure) std::rethrow_exception(failure);
  };
  run_workers();
  // The stacks other processes held: wait for each claim, then train whatever its holder left
  // unfinished (nothing, unless it died), so that this process ends only with the whole share done.
  if (!held_elsewhere.empty()) {
    Progress::stage(options.label + ": " + count_of(int64_t(held_elsewhere.size()), "stack") +
                    " claimed by other processes on " + out.string() + "; waiting for them");
    for (size_t i : held_elsewhere) {
      StackClaim claim = StackClaim::wait_for(out, work[i][0]->hash);
      train_claimed(i);
    }
  }
  if (todo > 0) {
    std::string note = std::to_string(done) + " runs trained" + (sweep.measure ? " and measured" : "");
    if (by_others > 0) note += ", " + std::to_string(by_others) + " by other processes";
    progress.finish(note);
  }
  report.trained = done;
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace modspec
