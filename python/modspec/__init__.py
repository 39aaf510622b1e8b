"""modspec from Python: runs and sweeps as DataFrames, and the C++ library in-process.

    import modspec
    run_dir = modspec.train(model__n=8, train__epochs=2, measure=True)
    run = modspec.load_run(run_dir)          # config, summary, epochs, metrics, specialization, weights, edges
    table = modspec.load_sweep("out/fig2-quick")   # table.csv as a DataFrame (learning curves in .attrs)

Configuration keys are the command line's (`modspec config` lists them). As keyword arguments a
dot is written as a double underscore (``model__n=8`` is ``model.n = 8``); any key may also be
given in ``overrides={"model.n": 8}``. The library releases the GIL while it trains, measures or
sweeps, so other Python threads go on, and Ctrl-C stops it with KeyboardInterrupt (finished runs
are kept). Progress goes to standard error unless ``quiet=True``.
"""

from __future__ import annotations

import json
import os
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd

from . import _modspec
from ._modspec import Error

__all__ = ["Error", "Run", "load_run", "load_sweep", "measure", "specialization", "sweep", "train", "version"]


def version() -> str:
    """modspec's version, as `modspec --version` prints it first."""
    return _modspec.version()


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"configuration value {value!r}: expected a bool, number, string or list of them")


def _assignments(overrides: dict | None, keywords: dict) -> list[str]:
    """--set style "key=value" strings from a dict of dotted keys and from keyword arguments."""
    merged = dict(overrides or {})
    merged.update({key.replace("__", "."): value for key, value in keywords.items()})
    return [f"{key}={_toml_value(value)}" for key, value in merged.items()]


def _existing_dir(path, argument: str) -> Path:
    p = Path(path)
    if not p.is_dir():
        raise FileNotFoundError(f"{argument}: {p} is not a directory")
    return p


def train(config: str | os.PathLike | None = None, *, out: str | os.PathLike | None = None, measure: bool = False,
          data_dir: str | os.PathLike | None = None, overrides: dict | None = None, quiet: bool = False,
          **keys) -> Path:
    """Trains one network (as `modspec train`) and returns its run directory.

    config: a TOML file (default: the defaults); out: the run directory (default:
    runs/<hash>); measure: also measure its specialization; data_dir: where mnist/ is.
    """
    config_file = None if config is None else str(config)
    if config_file is not None and not Path(config_file).is_file():
        raise FileNotFoundError(f"config: {config_file} is not a file")
    return Path(_modspec.train(config_file, _assignments(overrides, keys), str(data_dir or ""), str(out or ""),
                               measure, quiet))


def measure(run_dir: str | os.PathLike, metrics: list[str] | None = None, *, data_dir: str | os.PathLike | None = None,
            overrides: dict | None = None, quiet: bool = False, **keys) -> pd.DataFrame:
    """Measures a trained run (as `modspec measure`), rewrites its metrics files and returns its
    specialization.csv as a DataFrame. Only metrics.* keys may be overridden."""
    run = _existing_dir(run_dir, "run_dir")
    _modspec.measure(str(run), list(metrics or []), _assignments(overrides, keys), str(data_dir or ""), quiet)
    return pd.read_csv(run / "specialization.csv")


def sweep(path: str | os.PathLike, out: str | os.PathLike, *, workers: int = 0, flavor: str = "described",
          data_dir: str | os.PathLike | None = None, overrides: dict | None = None, quiet: bool = False,
          **keys) -> pd.DataFrame:
    """Runs a sweep file (as `modspec sweep`, resuming what is done) and returns load_sweep(out).

    workers: threads (0: one per core); flavor: "described" or "published"; overrides and
    keyword keys change every run as the sweep's [base] would.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"path: {path} is not a sweep file")
    _modspec.sweep(str(path), str(out), _assignments(overrides, keys), flavor, int(workers), str(data_dir or ""),
                   quiet)
    return load_sweep(out)


class Run:
    """A run directory read back. Attributes:

    path            the directory
    config          the resolved configuration, a dict of sections ({"model": {"n": 25, ...}, ...})
    summary         summary.json as a dict (status, accuracies, Q, provenance, sha256, ...)
    axes            axes.json as a dict ({} outside a sweep)
    epochs          epochs.csv: a row per epoch
    metrics         metrics.csv (a row per measure x starts x step x module x digit), or None unmeasured
    specialization  specialization.csv (a row per measure x starts x step x module: F^m and F), or None
    weights         the network's parameters as torch tensors, in its own K = 1 layout
                    (docs/ARCHITECTURE.md, "Shapes"): w_in [M, G*n, P] (separate inputs),
                    w_rec [M, G*n, n], w_inter [G, E], w_out [M, C, n], b_in, b_out, ...
    edges           the inter-module connections: a DataFrame of src_module, src_unit,
                    dst_module, dst_unit, in the order of w_inter's rows
    """

    def __init__(self, path: Path):
        self.path = path
        self.config = tomllib.loads((path / "config.toml").read_text())
        self.summary = json.loads((path / "summary.json").read_text())
        axes = path / "axes.json"
        self.axes = json.loads(axes.read_text()) if axes.exists() else {}
        self.epochs = pd.read_csv(path / "epochs.csv")
        measured = (path / "metrics.json").exists()
        self.metrics = pd.read_csv(path / "metrics.csv", keep_default_na=False, na_values=["", "NaN"]) if measured else None
        self.specialization = (
            pd.read_csv(path / "specialization.csv", keep_default_na=False, na_values=["", "NaN"]) if measured else None)
        import torch  # only a run's weights need it

        state = torch.jit.load(str(path / "model.pt"), map_location="cpu").state_dict()
        edges = state.pop("edges")
        self.weights = dict(state)
        self.edges = pd.DataFrame(edges.numpy(), columns=["src_module", "src_unit", "dst_module", "dst_unit"])

    def __repr__(self) -> str:
        model = self.config.get("model", {})
        return (f"Run({str(self.path)!r}, n={model.get('n')}, p_s={model.get('p_s')}, "
                f"status={self.summary.get('status')!r}, measured={self.metrics is not None})")


def load_run(path: str | os.PathLike) -> Run:
    """Reads a run directory (from `modspec train`, `train()` or a sweep's runs/<hash>)."""
    p = _existing_dir(path, "path")
    if not (p / "summary.json").exists():
        raise FileNotFoundError(f"path: {p} is not a finished run directory (no summary.json)")
    return Run(p)


def load_sweep(path: str | os.PathLike) -> pd.DataFrame:
    """A sweep directory's table.csv as a DataFrame: a row per run x measure x starts x step x
    module, with every axis (axis_<key>) and every configuration key that differs among the runs
    (cfg_<key>) as columns (README, "The table"). The table is written first when the directory
    has none. ``.attrs["epochs"]`` holds every run's learning curve and ``.attrs["networks"]``
    the network-level table (F once per network)."""
    p = _existing_dir(path, "path")
    if not (p / "table.csv").exists():
        _modspec.table(str(p), False, False)
    # "all" in `starts` and "NaN" are values: read them as such, never as missing.
    read = dict(keep_default_na=False, na_values=["", "NaN"])
    table = pd.read_csv(p / "table.csv", **read)
    table.attrs["epochs"] = pd.read_csv(p / "epochs.csv", **read)
    table.attrs["networks"] = pd.read_csv(p / "networks.csv", **read)
    return table


def _array(x, argument: str, dtype) -> np.ndarray:
    """A numpy array of x (numpy, torch tensor, or a per-step list of per-module arrays)."""
    if hasattr(x, "detach"):
        x = x.detach().cpu().numpy()
    elif isinstance(x, (list, tuple)) and x and isinstance(x[0], (list, tuple)):
        x = np.stack([np.stack([np.asarray(m) for m in step]) for step in x])
    a = np.asarray(x)
    if a.dtype.kind not in "fiu":
        raise TypeError(f"{argument}: expected numbers, got an array of {a.dtype}")
    return np.ascontiguousarray(a, dtype=dtype)


def specialization(train_states, train_digits, test_states, test_digits, *, test_starts=None, n_classes=None,
                   metrics=("retraining", "ablation"), network=None, test_images=None, overrides: dict | None = None,
                   **keys) -> pd.DataFrame:
    """The measures of functional specialization on hidden states you bring (another model, a
    recording), as `modspec measure` computes them on a modspec network.

    train_states, test_states: [T, M, N, n] per step and module (numpy arrays or torch tensors,
        or a list over steps of lists over modules of [N, n] arrays): the states the readouts are
        trained and evaluated on.
    train_digits, test_digits: [N, S], each stimulus's class (0..C-1) in each tuple.
    test_starts: [N_test, S], the step each stimulus switched on, to measure per start group;
        None measures over all tuples.
    n_classes: C (default: the largest digit + 1).
    metrics: "retraining", "ablation" and/or "correlation". Weight masks need the network's
        weights: measure a modspec network with measure() for those.
    network: for the correlation (same-image pairs, the default): your network as a callable
        network(sources) -> states [T, M, N, n] (numpy or torch), where sources [N, S] int64 says
        that stimulus s of tuple i is that of test tuple sources[i, s]; the correlation compares
        each test tuple with itself with every stimulus but one swapped for another tuple's. Not
        needed with correlation_pairs="same_label", which pairs tuples from the states you give.
    test_images: [N_test, S], which image each stimulus shows, so that same-label pairs show
        different images (default: every tuple's stimuli are images of their own).
    overrides / keys: metrics.* settings (readout size, epochs, seed, null_repeats, formula).

    Returns metrics.csv's rows (value, base, normalised per step, module and digit) as a
    DataFrame, with specialization.csv's rows (F^m and F per step) in .attrs["specialization"].
    The states `modspec states RUN` writes give the numbers `modspec measure RUN` gives.
    """
    train_x = _array(train_states, "train_states", np.float32)
    test_x = _array(test_states, "test_states", np.float32)
    train_y = _array(train_digits, "train_digits", np.int64)
    test_y = _array(test_digits, "test_digits", np.int64)
    for name, a in (("train_states", train_x), ("test_states", test_x)):
        if a.ndim != 4:
            raise ValueError(f"{name}: expected [T, M, N, n], got shape {a.shape}")
    if train_x.shape[:2] != test_x.shape[:2] or train_x.shape[3] != test_x.shape[3]:
        raise ValueError(f"test_states: shape {test_x.shape} does not match train_states {train_x.shape} "
                         "in steps, modules or units")
    for name, y, x in (("train_digits", train_y, train_x), ("test_digits", test_y, test_x)):
        if y.ndim != 2 or y.shape[0] != x.shape[2]:
            raise ValueError(f"{name}: expected [N, S] with N = {x.shape[2]} tuples, got shape {y.shape}")
    if train_y.shape[1] != test_y.shape[1]:
        raise ValueError(f"test_digits: {test_y.shape[1]} stimuli per tuple, train_digits {train_y.shape[1]}")
    classes = int(max(train_y.max(), test_y.max())) + 1 if n_classes is None else int(n_classes)
    if min(train_y.min(), test_y.min()) < 0 or max(train_y.max(), test_y.max()) >= classes:
        raise ValueError(f"train_digits, test_digits: classes must lie in 0..{classes - 1}")
    starts = None
    if test_starts is not None:
        starts = _array(test_starts, "test_starts", np.int64)
        if starts.shape != test_y.shape:
            raise ValueError(f"test_starts: expected shape {test_y.shape}, got {starts.shape}")
    images = None
    if test_images is not None:
        images = _array(test_images, "test_images", np.int64)
        if images.shape != test_y.shape:
            raise ValueError(f"test_images: expected shape {test_y.shape}, got {images.shape}")
    if network is not None and not callable(network):
        raise TypeError(f"network: expected a callable network(sources) -> states, got {type(network).__name__}")
    rerun = None if network is None else (lambda sources: _array(network(sources), "network(sources)", np.float32))
    result = _modspec.specialization(train_x, train_y, test_x, test_y, starts, classes, list(metrics),
                                     _assignments(overrides, keys), images, rerun)
    rows = pd.DataFrame(result["metrics"])
    rows.attrs["specialization"] = pd.DataFrame(result["specialization"])
    return rows
