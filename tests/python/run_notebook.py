"""Executes a notebook top to bottom with nbclient (the test suite's check that
examples/quickstart.ipynb never rots) and keeps the executed copy for a look at its figures.
Usage: run_notebook.py NOTEBOOK EXECUTED_COPY. Exits 77 (ctest: skipped) without MNIST or nbclient."""

import os
import sys
import tempfile
import time
from pathlib import Path

try:
    import nbformat
    from nbclient import NotebookClient
except ImportError:
    print("notebook: skipped, no nbclient (install Debian's python3-nbclient)")
    sys.exit(77)

notebook, executed = Path(sys.argv[1]), Path(sys.argv[2])
data = Path(os.environ.get("MODSPEC_DATA", Path.home() / ".cache" / "modspec"))
if not (data / "mnist" / "train-images-idx3-ubyte").exists():
    print(f"notebook: skipped, no MNIST in {data} (run bash scripts/setup.sh)")
    sys.exit(77)

nb = nbformat.read(notebook, as_version=4)
with tempfile.TemporaryDirectory() as work:
    os.environ["MODSPEC_NOTEBOOK_OUT"] = work
    started = time.monotonic()
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": work}}).execute()
    seconds = time.monotonic() - started
executed.parent.mkdir(parents=True, exist_ok=True)
nbformat.write(nb, executed)
print(f"notebook: {notebook.name} ran top to bottom in {seconds:.0f} s; executed copy {executed}")
