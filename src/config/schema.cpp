#include "config/schema.hpp"

#include <cmath>
#include <sstream>

#include "catalog/measures.hpp"
#include "catalog/tasks.hpp"
#include "util/error.hpp"

namespace modspec {

namespace {

// "name (doc), name (doc), ..." of a catalog.
template <typename Catalog>
std::string catalog_doc(const Catalog& entries) {
  std::string doc;
  for (const auto& e : entries) doc += (doc.empty() ? "" : ", ") + e.name + " (" + e.doc + ")";
  return doc;
}

}  // namespace

const std::vector<KeySpec>& schema() {
  using S = std::vector<std::string>;
  static const std::vector<KeySpec> keys{
      // data
      {"data.dir", Kind::string, std::string(""),
       "dataset directory; empty: $MODSPEC_DATA, else $XDG_CACHE_HOME/modspec or ~/.cache/modspec"},
      {"data.fashion_dir", Kind::string, std::string("/usr/share/datasets/fashion-mnist"),
       "folder with Fashion-MNIST's gzip IDX files (Debian package dataset-fashion-mnist)"},
      {"data.emnist_dir", Kind::string, std::string(""),
       "folder with your copy of NIST's EMNIST gzip IDX files (emnist-letters-train-images-idx3-ubyte.gz, ...)"},
      // environment
      {"env.datasets", Kind::strings, S{"mnist", "mnist"},
       "stimulus family of each side of the stimulus tuple; its length is the number of stimuli", -1, -1,
       S{"mnist", "fashion", "emnist-balanced", "emnist-letters"}},
      {"env.n_classes", Kind::integer, int64_t(10), "classes C drawn on each side", 2, 47},
      {"env.class_split", Kind::string, std::string("same"),
       "same: every side uses classes 0..C-1; disjoint: side s uses classes s*C..(s+1)*C-1 (e.g. 0-4 vs 5-9)",
       -1, -1, S{"same", "disjoint"}},
      {"env.task", Kind::string, std::string("parity"), "global task: " + catalog_doc(task_catalog()), -1, -1,
       task_names()},
      {"env.targets", Kind::strings, S{},
       "the task's targets to train, in order; empty: all of them. A name given twice is trained twice: the original "
       "code's parity task trains [\"T1\", \"T1\"] (T' twice, never T'')"},
      {"env.covariance", Kind::real, 0.0,
       "c: each later side repeats side 0's class index with probability c, else draws independently, so "
       "P(D1 == D2) = c + (1 - c)/C",
       0, 1},
      {"env.asymmetry_fix", Kind::boolean, true,
       "drop pairs with D1 == D2 or D1 == (D2 - 1) mod C (the original implementation's balance fix); needs "
       "env.covariance = 0"},
      {"env.nb_steps", Kind::integer, int64_t(3), "time steps the network is unrolled for", 1, 20},
      {"env.noise_ratio", Kind::real, 0.0,
       "structured noise r: each input becomes (1-r)*x + r*(mean of env.noise_samples other samples), fresh at every step",
       0, 1},
      {"env.noise_samples", Kind::integer, int64_t(5),
       "other samples of the batch averaged into the noise (each pixel kept with probability 1/this)", 1, 64},
      {"env.random_start", Kind::boolean, false,
       "each stimulus switches on at its own random step in 1..nb_steps-2 and is pure noise before; needs nb_steps >= 3"},
      {"env.seed", Kind::integer, int64_t(0), "seed of the data stream: pairs, their order, noise and start times", 0},
      // model
      {"model.n_modules", Kind::integer, int64_t(2), "number of modules M", 2, 16},
      {"model.n", Kind::integer, int64_t(25), "units per module", 1, 4096},
      {"model.cell", Kind::string, std::string("rnn"), "recurrent cell: rnn (tanh) or gru", -1, -1, S{"rnn", "gru"}},
      {"model.recurrence", Kind::string, std::string("single"),
       "single: one RNN whose update sums the within-module product and the inter-module edges; two_rnn: the original "
       "code's two RNNs on the same input, one within modules and one between them, each its own trajectory, state = "
       "their sum (rnn cells only)",
       -1, -1, S{"single", "two_rnn"}},
      {"model.init", Kind::string, std::string("torch"),
       "torch: each module's weights U(+-1/sqrt(n)) as torch.nn.RNN(n) and nn.Linear(n, .), with an input bias; "
       "original: the original code's single nn.RNN of M*n units, U(+-1/sqrt(M*n)) everywhere and no input bias",
       -1, -1, S{"torch", "original"}},
      {"model.self_connections", Kind::boolean, false,
       "keep the diagonal of each module's recurrent matrix (the original zeroes it)"},
      {"model.p", Kind::real, 0.1,
       "fraction of the n*n possible connections drawn in each direction between two modules: 0 (none) or 1/n^2..1",
       0, 1},
      {"model.p_s", Kind::integer, int64_t(0),
       "exact number of connections in each direction between two modules (1..n*n); 0: use model.p", 0},
      {"model.input", Kind::string, std::string("separate"),
       "separate: module m sees only stimulus m; shared: every module sees all stimuli", -1, -1,
       S{"separate", "shared"}},
      {"model.readout", Kind::string, std::string("separate"),
       "separate: one readout per module, the module with the largest output decides; shared: one readout over all "
       "modules; blockdiag: the original code's masked common readout, per-module outputs in one softmax with the "
       "targets in module 0's block and no max decision (only module 0 can answer)",
       -1, -1, S{"separate", "shared", "blockdiag"}},
      {"model.bottleneck", Kind::integer, int64_t(0), "units of a ReLU layer per module before its readout; 0: none",
       0, 4096},
      {"model.comms_steps", Kind::integers, std::vector<int64_t>{},
       "steps t whose update uses the inter-module connections (h_t from h_{t-1}); empty: every step", 1, 19},
      {"model.seed", Kind::integer, int64_t(0), "seed of the weights and of the inter-module connections", 0},
      // training
      {"train.epochs", Kind::integer, int64_t(30), "passes over the training pairs", 1, 100000},
      {"train.batch_size", Kind::integer, int64_t(256), "pairs per optimizer step", 1, 1 << 20},
      {"train.lr", Kind::real, 1e-3, "AdamW learning rate", 0, 10},
      {"train.weight_decay", Kind::real, 1e-5, "AdamW weight decay", 0, 1},
      {"train.lr_decay", Kind::real, 0.95, "learning rate multiplied by this after every epoch; 1: constant", 0, 1},
      {"train.early_stop", Kind::boolean, true, "stop once the mean test accuracy over targets reaches stop_accuracy"},
      {"train.stop_accuracy", Kind::real, 0.95, "test accuracy at which training stops early", 0, 1},
      {"train.device", Kind::string, std::string("cpu"), "cpu or cuda (needs a CUDA build of LibTorch)", -1, -1,
       S{"cpu", "cuda"}},
      // metrics
      {"metrics.measures", Kind::strings, default_measures(),
       "measures of specialization to compute: " + catalog_doc(measure_catalog()), -1, -1, measure_names()},
      {"metrics.null_repeats", Kind::integer, int64_t(5),
       "permutation null: each measure again with the digit labels shuffled across tuples, this many times "
       "(null_mean, null_sd and z beside F); 0: none",
       0, 100},
      {"metrics.untrained_baseline", Kind::boolean, false,
       "also measure each network as initialised, before training (column untrained)"},
      {"metrics.mask_method", Kind::string, std::string("top_k"),
       "weight masks: top_k (edge-popup scores, the top mask_keep fraction kept, SGD) or gumbel (Gumbel-sigmoid "
       "logits, straight-through, Adam)",
       -1, -1, S{"top_k", "gumbel"}},
      {"metrics.mask_scope", Kind::string, std::string("recurrent+readout"),
       "weights the masks cover: recurrent+readout (each module's recurrent matrix and readout, as the original "
       "code) or all (also the input weights and the inter-module edges)",
       -1, -1, S{"recurrent+readout", "all"}},
      {"metrics.mask_keep", Kind::real, 0.1, "top_k: fraction of the masked weights each mask keeps", 1e-6, 1},
      {"metrics.mask_lr", Kind::real, 0.1, "top_k: SGD learning rate of the scores", 0, 100},
      {"metrics.mask_momentum", Kind::real, 0.9, "top_k: SGD momentum", 0, 1},
      {"metrics.mask_weight_decay", Kind::real, 5e-4, "top_k: SGD weight decay of the scores", 0, 1},
      {"metrics.mask_gumbel_lr", Kind::real, 1e-2, "gumbel: Adam learning rate of the logits", 0, 100},
      {"metrics.mask_alpha", Kind::real, 1e-4, "gumbel: penalty on the sum of the logits (fewer weights kept)", 0, 100},
      {"metrics.mask_temperature", Kind::real, 1.0, "gumbel: temperature of the Gumbel sigmoid", 1e-3, 100},
      {"metrics.mask_epochs", Kind::integer, int64_t(1), "passes of mask training over the training tuples", 1, 1000},
      {"metrics.mask_batch", Kind::integer, int64_t(256), "tuples per mask training step", 1, 1 << 20},
      {"metrics.formula", Kind::string, std::string("paper"),
       "paper: Mbar = clip((M - b)/(1 - b), 0, 1), F^m = Mbar(m,0) - Mbar(m,1) (paper 2.4); ratio: the original code's "
       "plotted F^m = (Mbar(m,0) - Mbar(m,1))/(Mbar(m,0) + Mbar(m,1)) with accuracies normalised as "
       "clip(M - b/(1 - b), 1e-5, 1), its precedence slip kept, and ablation read as the ablated accuracy",
       -1, -1, S{"paper", "ratio"}},
      {"metrics.correlation_pairs", Kind::string, std::string("same_image"),
       "correlation partner of a tuple for digit k: same_image (the tuple with its other stimuli swapped) or "
       "same_label (another tuple whose digit k has the same class, as the original code)",
       -1, -1, S{"same_image", "same_label"}},
      {"metrics.retraining_readout", Kind::string, std::string("per_step"),
       "per_step: one readout per module, digit and step; shared_over_steps: one per module and digit trained on the "
       "states of all steps together and evaluated per step, as the original code (also the ablation's readout)",
       -1, -1, S{"per_step", "shared_over_steps"}},
      {"metrics.seed", Kind::integer, int64_t(0), "seed of the readouts and of the shuffles of the correlation measure",
       0},
      {"metrics.readout_hidden", Kind::integer, int64_t(30), "hidden units of each readout Linear(n,h)-ReLU-Linear(h,C)",
       1, 4096},
      {"metrics.readout_epochs", Kind::integer, int64_t(3), "passes of readout training over the training tuples", 1,
       1000},
      {"metrics.readout_stop", Kind::real, 0.95,
       "a readout's accuracy is taken at the first epoch it reaches this on the test tuples", 0, 1},
      {"metrics.readout_lr", Kind::real, 1e-3, "Adam learning rate of the readouts", 0, 10},
      {"metrics.readout_batch", Kind::integer, int64_t(256), "tuples per readout training step", 1, 1 << 20},
  };
  return keys;
}

const KeySpec* find_key(const std::string& key) {
  for (const auto& spec : schema())
    if (spec.key == key) return &spec;
  return nullptr;
}

bool changes_results(const std::string& key) {
  return key != "data.dir" && key != "data.fashion_dir" && key != "data.emnist_dir" && key != "train.device";
}

const char* kind_name(Kind kind) {
  switch (kind) {
    case Kind::integer: return "an integer";
    case Kind::real: return "a number";
    case Kind::boolean: return "true or false";
    case Kind::string: return "a string";
    case Kind::integers: return "a list of integers";
    case Kind::strings: return "a list of strings";
  }
  return "?";
}

namespace {

std::string range_text(const KeySpec& spec) {
  std::ostringstream s;
  s << "allowed: ";
  if (std::isinf(spec.max)) s << ">= " << spec.min;
  else s << spec.min << ".." << spec.max;
  return s.str();
}

std::string choices_text(const KeySpec& spec) {
  std::string s = "allowed: ";
  for (size_t i = 0; i < spec.choices.size(); ++i) s += (i ? ", " : "") + spec.choices[i];
  return s;
}

void check_number(const KeySpec& spec, double v) {
  if (!std::isfinite(v) || v < spec.min || v > spec.max) {
    std::ostringstream s;
    s << v;
    throw Error("config key " + spec.key + ": value " + s.str() + " out of range (" + range_text(spec) + ")");
  }
}

void check_choice(const KeySpec& spec, const std::string& v) {
  if (spec.choices.empty()) return;
  for (const auto& c : spec.choices)
    if (c == v) return;
  throw Error("config key " + spec.key + ": '" + v + "' is not allowed (" + choices_text(spec) + ")");
}

}  // namespace

void validate(const KeySpec& spec, const Value& value) {
  if (const auto* i = std::get_if<int64_t>(&value)) check_number(spec, double(*i));
  if (const auto* d = std::get_if<double>(&value)) check_number(spec, *d);
  if (const auto* s = std::get_if<std::string>(&value)) check_choice(spec, *s);
  if (const auto* l = std::get_if<std::vector<int64_t>>(&value))
    for (auto v : *l) check_number(spec, double(v));
  if (const auto* l = std::get_if<std::vector<std::string>>(&value))
    for (const auto& v : *l) check_choice(spec, v);
}

}  // namespace modspec
