"""The Python package against the command line's files: round trips, errors naming the bad
argument, the GIL released while the library works, and Ctrl-C."""

import os
import signal
import subprocess
import threading
import time

import pandas as pd
import pytest

import modspec
from conftest import SMALL


def test_load_run_reads_what_train_wrote(run_dir):
    run = modspec.load_run(run_dir)
    assert run.config["model"]["n"] == 8
    assert run.config["train"]["epochs"] == 1
    assert run.summary["status"] in ("finished", "stopped_early")
    assert list(run.epochs["epoch"]) == [0]
    pd.testing.assert_frame_equal(run.specialization, pd.read_csv(run_dir / "specialization.csv",
                                                                   keep_default_na=False, na_values=["", "NaN"]))
    assert set(run.specialization["metric"]) == {"correlation"}
    assert (run.specialization["starts"] == "all").all(), "'all' must stay a value, never NaN"
    # Shapes of docs/ARCHITECTURE.md: two modules of 8 units reading 14 x 14 images.
    assert tuple(run.weights["w_in"].shape) == (2, 8, 196)
    assert tuple(run.weights["w_rec"].shape) == (2, 8, 8)
    assert list(run.edges.columns) == ["src_module", "src_unit", "dst_module", "dst_unit"]
    assert len(run.edges) == run.weights["w_inter"].shape[-1]
    assert "n=8" in repr(run)


def test_measure_gives_the_command_lines_numbers(run_dir, data_dir):
    cli = subprocess.run([os.environ["MODSPEC_BINARY"], "--quiet", "measure", str(run_dir), "--metrics",
                          "correlation", "--data-dir", str(data_dir)], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    from_cli = pd.read_csv(run_dir / "specialization.csv")
    from_python = modspec.measure(run_dir, ["correlation"], data_dir=data_dir, quiet=True)
    pd.testing.assert_frame_equal(from_python, from_cli, check_exact=False, atol=1e-6)


def test_sweep_returns_its_table(tmp_path, data_dir):
    sweep_file = tmp_path / "sweep.toml"
    base = "\n".join(f"{k.replace('__', '.')} = {modspec._toml_value(v)}" for k, v in SMALL.items())
    sweep_file.write_text(f'seeds = [0, 1]\n[base]\n{base}\n[axes]\n"model.p_s" = [1, 16]\n')
    table = modspec.sweep(sweep_file, tmp_path / "out", workers=1, data_dir=data_dir, quiet=True)
    assert table.shape == pd.read_csv(tmp_path / "out" / "table.csv").shape
    assert sorted(table["axis_model_p_s"].unique()) == [1, 16]
    assert table["run"].nunique() == 4
    assert set(table.attrs["epochs"]["run"]) == set(table["run"])
    f = table.attrs["networks"].groupby(["metric", "p_s"]).network_specialization.count()
    assert len(f) == 2
    # A second call resumes: nothing to train, the same table.
    again = modspec.sweep(sweep_file, tmp_path / "out", workers=1, data_dir=data_dir, quiet=True)
    pd.testing.assert_frame_equal(again, table)


def test_errors_name_the_argument(tmp_path, data_dir):
    with pytest.raises(FileNotFoundError, match="path: .*absent"):
        modspec.load_run(tmp_path / "absent")
    with pytest.raises(FileNotFoundError, match="config: .*absent.toml"):
        modspec.train(tmp_path / "absent.toml")
    with pytest.raises(FileNotFoundError, match="run_dir"):
        modspec.measure(tmp_path / "absent")
    with pytest.raises(modspec.Error, match="model.n"):
        modspec.train(out=tmp_path / "bad", data_dir=data_dir, quiet=True, model__n=-1)
    with pytest.raises(TypeError, match="expected a bool"):
        modspec.train(model__n={"a": 1})


def test_other_threads_run_while_it_trains(tmp_path, data_dir):
    ticks = 0
    done = threading.Event()

    def count():
        nonlocal ticks
        while not done.is_set():
            ticks += 1
            time.sleep(0.001)

    counter = threading.Thread(target=count)
    counter.start()
    started = time.monotonic()
    try:
        modspec.train(out=tmp_path / "run", data_dir=data_dir, quiet=True, **dict(SMALL, train__epochs=3))
    finally:
        done.set()
        counter.join()
    seconds = time.monotonic() - started
    # With the GIL held the counter would not move at all while training.
    assert ticks > 50 * seconds, (ticks, seconds)


def test_ctrl_c_stops_training(tmp_path, data_dir):
    # Enough epochs that no machine finishes them before the signal: a fast one runs 200 of these
    # small epochs in well under a second.
    timer = threading.Timer(0.5, lambda: os.kill(os.getpid(), signal.SIGINT))
    timer.start()
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        modspec.train(out=tmp_path / "run", data_dir=data_dir, quiet=True, **dict(SMALL, train__epochs=20000))
    assert time.monotonic() - started < 30


def test_states_command_writes_what_numpy_reads(run_dir, data_dir, tmp_path):
    import numpy as np

    out = tmp_path / "states.npz"
    cli = subprocess.run([os.environ["MODSPEC_BINARY"], "--quiet", "states", str(run_dir), "--out", str(out),
                          "--data-dir", str(data_dir)], capture_output=True, text=True)
    assert cli.returncode == 0, cli.stderr
    with np.load(out) as f:
        states, digits, starts = f["test_states"], f["test_digits"], f["test_starts"]
    run = modspec.load_run(run_dir)
    steps = run.config["env"]["nb_steps"]
    tuples = states.shape[2]
    assert states.dtype == np.float32 and states.shape == (steps, 2, tuples, 8) and tuples > 500
    assert digits.dtype == np.int64 and digits.shape == (tuples, 2)
    assert digits.min() >= 0 and digits.max() <= 9
    assert starts.shape == (tuples, 2)
    assert np.isfinite(states).all() and np.abs(states).max() <= 1.0  # tanh units
    assert states.std() > 0


def test_specialization_on_a_runs_states_gives_the_measures_numbers(run_dir, data_dir, tmp_path):
    import numpy as np

    states = tmp_path / "states.npz"
    for args in (["states", str(run_dir), "--out", str(states)],
                 ["measure", str(run_dir), "--metrics", "retraining,ablation"]):
        cli = subprocess.run([os.environ["MODSPEC_BINARY"], "--quiet", *args, "--data-dir", str(data_dir)],
                             capture_output=True, text=True)
        assert cli.returncode == 0, cli.stderr
    settings = {f"metrics.{k}": v for k, v in modspec.load_run(run_dir).config["metrics"].items() if k != "measures"}
    with np.load(states) as f:
        rows = modspec.specialization(f["train_states"], f["train_digits"], f["test_states"], f["test_digits"],
                                      n_classes=10, metrics=["retraining", "ablation"], overrides=settings)
    keys = ["metric", "starts", "step", "module", "digit"]
    measured = pd.read_csv(run_dir / "metrics.csv", keep_default_na=False, na_values=["", "NaN"])
    mine = rows.sort_values(keys).reset_index(drop=True)
    theirs = measured.sort_values(keys).reset_index(drop=True)
    assert len(mine) == len(theirs) > 0
    for column in ("value", "base", "normalised", "decoder_accuracy"):
        np.testing.assert_allclose(mine[column], theirs[column], atol=1e-6, err_msg=column)
    f = rows.attrs["specialization"].sort_values(["metric", "step", "module"]).reset_index(drop=True)
    f_measured = pd.read_csv(run_dir / "specialization.csv").sort_values(["metric", "step", "module"])
    np.testing.assert_allclose(f["network_specialization"], f_measured["network_specialization"], atol=1e-6)


def test_specialization_names_a_wrong_argument():
    import numpy as np

    states = np.zeros((3, 2, 20, 4), np.float32)
    digits = np.zeros((20, 2), np.int64)
    with pytest.raises(ValueError, match="train_states: expected \\[T, M, N, n\\]"):
        modspec.specialization(states[0], digits, states, digits)
    with pytest.raises(ValueError, match="test_digits: expected \\[N, S\\] with N = 20"):
        modspec.specialization(states, digits, states, digits[:10])
    with pytest.raises(ValueError, match="classes must lie in 0..9"):
        modspec.specialization(states, digits + 12, states, digits, n_classes=10)
    with pytest.raises(modspec.Error, match="give the network"):
        modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["correlation"])
    with pytest.raises(modspec.Error, match="needs the network itself"):
        modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["masks"])
    with pytest.raises(TypeError, match="network: expected a callable"):
        modspec.specialization(states, digits, states, digits, metrics=["correlation"], network=states)
    with pytest.raises(modspec.Error, match="network: returned states of shape \\[3, 2, 10, 4\\]"):
        modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["correlation"],
                               network=lambda sources: states[:, :, :10])
    with pytest.raises(modspec.Error, match="network: ZeroDivisionError"):
        modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["correlation"],
                               network=lambda sources: 1 / 0)


def _by_construction(separate: bool):
    """Two modules over two stimuli whose states are class codes: with `separate` module m's state
    is its own stimulus's code (fully specialized), else both modules hold the sum of both codes."""
    import numpy as np

    rng = np.random.default_rng(0)
    n_tuples, steps, units, classes = 600, 2, 16, 10
    digits = rng.integers(0, classes, (n_tuples, 2))
    codes = rng.standard_normal((2, classes, units)).astype(np.float32)

    def network(sources):
        d = digits[np.asarray(sources), np.arange(2)]  # [N, S]: each stimulus's class
        own = np.stack([codes[m][d[:, m]] for m in range(2)])  # [M, N, n]
        h = own if separate else np.stack([own.sum(0)] * 2)
        return np.stack([h] * steps)  # [T, M, N, n]

    return network, digits


@pytest.mark.parametrize("separate", [True, False])
def test_correlation_on_your_own_network_by_construction(separate):
    import numpy as np

    network, digits = _by_construction(separate)
    states = network(np.tile(np.arange(len(digits))[:, None], (1, 2)))
    rows = modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["correlation"],
                                  network=network, metrics__null_repeats=0)
    f = rows.attrs["specialization"]
    last = f[(f.starts == "all") & (f.step == f.step.max())]
    # Separate: swapping the other stimulus leaves a module's state as it was (correlation 1), its
    # own changes it (near the random pairs' base): F = 1. Mixed: either swap changes half: F = 0.
    if separate:
        assert last.network_specialization.min() > 0.9, last
    else:
        assert last.network_specialization.max() < 0.1, last
    # With same-label pairs no network is needed, and the answer is the same.
    same_label = modspec.specialization(states, digits, states, digits, n_classes=10, metrics=["correlation"],
                                        metrics__correlation_pairs="same_label", metrics__null_repeats=0)
    g = same_label.attrs["specialization"]
    g_last = g[(g.starts == "all") & (g.step == g.step.max())]
    assert (g_last.network_specialization.min() > 0.9) if separate else (g_last.network_specialization.max() < 0.1)


def test_same_label_correlation_on_a_runs_states_gives_the_measures_numbers(run_dir, data_dir, tmp_path):
    import numpy as np

    states = tmp_path / "states.npz"
    for args in (["states", str(run_dir), "--out", str(states)],
                 ["measure", str(run_dir), "--metrics", "correlation", "--set", "metrics.correlation_pairs=same_label"]):
        cli = subprocess.run([os.environ["MODSPEC_BINARY"], "--quiet", *args, "--data-dir", str(data_dir)],
                             capture_output=True, text=True)
        assert cli.returncode == 0, cli.stderr
    settings = {f"metrics.{k}": v for k, v in modspec.load_run(run_dir).config["metrics"].items() if k != "measures"}
    settings["metrics.correlation_pairs"] = "same_label"
    with np.load(states) as f:
        rows = modspec.specialization(f["train_states"], f["train_digits"], f["test_states"], f["test_digits"],
                                      test_images=f["test_images"], n_classes=10, metrics=["correlation"],
                                      overrides=settings)
    keys = ["metric", "starts", "step", "module", "digit"]
    measured = pd.read_csv(run_dir / "metrics.csv", keep_default_na=False, na_values=["", "NaN"])
    mine = rows.sort_values(keys).reset_index(drop=True)
    theirs = measured.sort_values(keys).reset_index(drop=True)
    assert len(mine) == len(theirs) > 0
    for column in ("value", "base", "normalised"):
        np.testing.assert_allclose(mine[column], theirs[column], atol=1e-6, err_msg=column)
