// The Python binding of the library (the CLI's sibling: both are thin layers over src/): train,
// measure, sweep and table in-process, with the GIL released while the library works, so other
// Python threads go on, and Ctrl-C honoured. The pure-Python part of the package
// (python/modspec/__init__.py) builds the friendly calls and the DataFrames on top of these.
#include <pybind11/numpy.h>
#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include <atomic>
#include <csignal>
#include <optional>

#include "config/config.hpp"
#include "env/environment.hpp"
#include "metrics/measure.hpp"
#include "rundir/run_dir.hpp"
#include "rundir/train_and_record.hpp"
#include "runtime/launcher.hpp"
#include "runtime/provenance.hpp"
#include "sweep/flavor.hpp"
#include "sweep/launch.hpp"
#include "sweep/run_plan.hpp"
#include "sweep/table.hpp"
#include "sweep/sweep_spec.hpp"
#include "util/error.hpp"
#include "util/progress.hpp"

namespace py = pybind11;

namespace modspec {
namespace {

// Ctrl-C while the library works: Python's own handler would only run once the call returned,
// so for the call's duration SIGINT sets a flag that the library's callbacks (after each epoch,
// at each stage of the measures) turn into an Error, and the call raises KeyboardInterrupt.
std::atomic<bool> g_interrupted{false};

void stop_if_interrupted() {
  if (g_interrupted) throw Error("interrupted");
}

class InterruptFlag {
 public:
  InterruptFlag() {
    g_interrupted = false;
    struct sigaction on_interrupt {};
    on_interrupt.sa_handler = [](int) { g_interrupted = true; };
    sigemptyset(&on_interrupt.sa_mask);
    sigaction(SIGINT, &on_interrupt, &previous_);
  }
  ~InterruptFlag() { sigaction(SIGINT, &previous_, nullptr); }
  InterruptFlag(const InterruptFlag&) = delete;
  InterruptFlag& operator=(const InterruptFlag&) = delete;

 private:
  struct sigaction previous_ {};
};

// Runs f without the GIL and with Ctrl-C caught; an interrupted call raises KeyboardInterrupt.
template <class F>
auto released(bool quiet, F&& f) {
  InterruptFlag flag;
  Progress::set_quiet(quiet);
  try {
    py::gil_scoped_release release;
    return f();
  } catch (const Error&) {
    if (!g_interrupted) throw;
    PyErr_SetNone(PyExc_KeyboardInterrupt);
    throw py::error_already_set();
  }
}

std::string py_train(const std::optional<std::string>& config_file, const std::vector<std::string>& overrides,
                  const std::string& data_dir, const std::string& out, bool measure, bool quiet) {
  const Config config = Config::resolve(config_file.value_or(""), overrides, data_dir);
  const RunDir dir(out.empty() ? "runs/" + run_hash(config) : out);
  return released(quiet, [&] {
    const Environment env(EnvSpec::from(config));
    train_and_record(
        env, {{config, dir, {}}}, measure, [](int64_t, const std::vector<NetworkOutcome>&) { stop_if_interrupted(); },
        [](const std::string&) { stop_if_interrupted(); });
    return dir.path().string();
  });
}

std::string py_measure(const std::string& run_dir, const std::vector<std::string>& metrics,
                    const std::vector<std::string>& overrides, const std::string& data_dir, bool quiet) {
  return released(quiet, [&] {
    remeasure(RunDir(run_dir), overrides, metrics, data_dir, [](const std::string&) { stop_if_interrupted(); });
    return (std::filesystem::path(run_dir) / "metrics.csv").string();
  });
}

std::string py_sweep(const std::string& file, const std::string& out, const std::vector<std::string>& overrides,
                  const std::string& flavor, int64_t workers, const std::string& data_dir, bool quiet) {
  return released(quiet, [&] {
    SweepSpec spec = SweepSpec::from_file(file, overrides);
    apply_flavor(spec, flavor_named(flavor));
    LaunchSettings settings;
    settings.sweep.data_dir = data_dir;
    settings.sweep.check_interrupt = stop_if_interrupted;
    settings.workers_given = workers > 0;
    settings.sweep.workers = workers > 0 ? workers : available_cores();
    SweepReport report;
    launch_sweep(spec, out, settings, report);
    write_sweep_table(out);
    return out;
  });
}

// A C-ordered numpy array (the Python side checked its shape) as a tensor of its own.
template <class T>
torch::Tensor tensor_of(const py::array_t<T, py::array::c_style | py::array::forcecast>& a) {
  std::vector<int64_t> shape(a.shape(), a.shape() + a.ndim());
  const auto dtype = std::is_same_v<T, float> ? torch::kFloat32 : torch::kInt64;
  return torch::from_blob(const_cast<T*>(a.data()), shape, dtype).clone();
}

// The measures on states the caller brings: metrics.csv's and specialization.csv's columns, each
// as a list, for the Python side's DataFrames.
py::dict py_specialization(const py::array_t<float, py::array::c_style | py::array::forcecast>& train_states,
                        const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& train_digits,
                        const py::array_t<float, py::array::c_style | py::array::forcecast>& test_states,
                        const py::array_t<int64_t, py::array::c_style | py::array::forcecast>& test_digits,
                        const std::optional<py::array_t<int64_t, py::array::c_style | py::array::forcecast>>& test_starts,
                        int64_t n_classes, const std::vector<std::string>& metrics,
                        const std::vector<std::string>& overrides,
                        const std::optional<py::array_t<int64_t, py::array::c_style | py::array::forcecast>>& test_images,
                        const std::optional<py::function>& network) {
  GivenStates given{tensor_of(train_states), tensor_of(test_states), tensor_of(train_digits), tensor_of(test_digits),
                    test_starts ? tensor_of(*test_starts) : torch::Tensor(), n_classes,
                    test_images ? tensor_of(*test_images) : torch::Tensor(), nullptr};
  if (network) {
    // Called from the measures with the GIL released: taken back for the call. The callable is
    // held by pointer, so that copies of the function never touch a Python reference count.
    const py::function* fn = &*network;
    given.rerun = [fn](const torch::Tensor& sources) {
      py::gil_scoped_acquire gil;
      try {
        const auto s = sources.contiguous();
        py::array_t<int64_t> arg({s.size(0), s.size(1)});
        std::memcpy(arg.mutable_data(), s.data_ptr<int64_t>(), size_t(s.numel()) * sizeof(int64_t));
        return tensor_of(py::array_t<float, py::array::c_style | py::array::forcecast>((*fn)(arg)));
      } catch (py::error_already_set& e) {
        throw Error(std::string("network: ") + e.what());
      }
    };
  }
  Config config = Config::defaults();
  for (const auto& o : overrides) config.set(o);
  if (!metrics.empty()) config.set_value("metrics.measures", metrics);
  const MetricSpec spec = MetricSpec::from(config);
  const NetworkMetrics m = released(true, [&] { return measure_states(given, spec); });
  py::dict rows, f;
  auto column = [](py::dict& d, const char* name) -> py::list {
    if (!d.contains(name)) d[name] = py::list();
    return d[name].cast<py::list>();
  };
  for (const auto& r : m.rows) {
    column(rows, "metric").append(r.metric);
    column(rows, "starts").append(r.starts);
    column(rows, "step").append(r.step);
    column(rows, "module").append(r.module);
    column(rows, "digit").append(r.digit);
    column(rows, "value").append(r.value);
    column(rows, "base").append(r.base);
    column(rows, "normalised").append(r.normalised);
    column(rows, "decoder_accuracy").append(r.decoder_accuracy);
    column(rows, "informative").append(r.informative);
  }
  for (const auto& s : m.specialization)
    for (size_t mod = 0; mod < s.module.size(); ++mod) {
      column(f, "metric").append(s.metric);
      column(f, "starts").append(s.starts);
      column(f, "step").append(s.step);
      column(f, "module").append(mod);
      column(f, "module_specialization").append(s.module[mod]);
      column(f, "network_specialization").append(s.network);
      column(f, "informative").append(s.informative);
      column(f, "null_mean").append(s.null_mean);
      column(f, "null_sd").append(s.null_sd);
    }
  py::dict out;
  out["metrics"] = rows;
  out["specialization"] = f;
  return out;
}

std::string py_table(const std::string& dir, bool all_runs, bool strict) {
  return released(true, [&] { return write_sweep_table(dir, all_runs, strict).string(); });
}

}  // namespace
}  // namespace modspec

PYBIND11_MODULE(_modspec, m) {
  m.doc() = "modspec's C++ library, in-process (use the functions of the modspec package)";
  py::register_exception<modspec::Error>(m, "Error", PyExc_RuntimeError);
  m.def("version", [] { return std::string(modspec::build_version()); });
  m.def("train", &modspec::py_train, py::arg("config_file"), py::arg("overrides"), py::arg("data_dir"), py::arg("out"),
        py::arg("measure"), py::arg("quiet"));
  m.def("measure", &modspec::py_measure, py::arg("run_dir"), py::arg("metrics"), py::arg("overrides"),
        py::arg("data_dir"), py::arg("quiet"));
  m.def("sweep", &modspec::py_sweep, py::arg("file"), py::arg("out"), py::arg("overrides"), py::arg("flavor"),
        py::arg("workers"), py::arg("data_dir"), py::arg("quiet"));
  m.def("table", &modspec::py_table, py::arg("dir"), py::arg("all_runs"), py::arg("strict"));
  m.def("specialization", &modspec::py_specialization, py::arg("train_states"), py::arg("train_digits"),
        py::arg("test_states"), py::arg("test_digits"), py::arg("test_starts"), py::arg("n_classes"),
        py::arg("metrics"), py::arg("overrides"), py::arg("test_images"), py::arg("network"));
}
