"""Fixtures of the Python package's tests: the synthetic digits (as tests/fixtures.hpp writes
them: 10 classes of 14 x 14 images, 3,000 for training and 1,000 for testing) and one trained,
measured run."""

import struct

import numpy as np
import pytest

import modspec


def _idx(path, dims, data):
    with open(path, "wb") as f:
        f.write(bytes([0, 0, 8, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims))
        f.write(np.asarray(data, dtype=np.uint8).tobytes())


@pytest.fixture(scope="session")
def data_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("data")
    (root / "mnist").mkdir()
    rng = np.random.default_rng(20240601)
    patterns = rng.random((10, 196)) < 0.3
    for stem, count in (("train", 3000), ("t10k", 1000)):
        labels = np.arange(count) % 10
        flips = rng.random((count, 196)) < 0.1
        bright = rng.integers(160, 256, size=(count, 196))
        pixels = np.where(patterns[labels] != flips, bright, 0)
        _idx(root / "mnist" / f"{stem}-images-idx3-ubyte", [count, 14, 14], pixels)
        _idx(root / "mnist" / f"{stem}-labels-idx1-ubyte", [count], labels)
    return root


# A network small and short enough for a test, measured by one cheap measure.
SMALL = dict(model__n=8, train__epochs=1, metrics__readout_epochs=1, metrics__readout_lr=0.01,
             metrics__measures=["correlation"], metrics__null_repeats=0)


@pytest.fixture(scope="session")
def run_dir(tmp_path_factory, data_dir):
    return modspec.train(out=tmp_path_factory.mktemp("runs") / "run", measure=True, data_dir=data_dir, quiet=True,
                         **SMALL)
