"""Reads a sweep directory's CSV files with pandas as a user would and checks the group-bys that
traps would break: the rows over all test tuples survive groupby (starts is "all", never empty),
networks.csv has F once per network, and epochs.csv concatenates every run's learning curve.

    /usr/bin/python3 tests/check_table_pandas.py SWEEP_DIR
"""
import sys

import pandas as pd

out = sys.argv[1]
table = pd.read_csv(f"{out}/table.csv")
nets = pd.read_csv(f"{out}/networks.csv")
epochs = pd.read_csv(f"{out}/epochs.csv")

assert not any("." in c for c in table.columns), f"a column name holds a dot: {list(table.columns)}"
assert (table.starts == "all").all(), table.starts.unique()
# groupby drops NaN keys: every row must survive a group-by on starts.
assert table.groupby(["metric", "starts", "step"]).size().sum() == len(table)
# F once per run, metric, starts and step in networks.csv, and equal to the table's.
assert not nets.duplicated(["run", "metric", "starts", "step"]).any()
per_module = table.groupby(["run", "metric", "starts", "step"]).network_specialization.first()
per_network = nets.set_index(["run", "metric", "starts", "step"]).network_specialization
assert (per_module.sort_index() - per_network.sort_index()).abs().max() < 1e-12
assert len(nets) * 2 == len(table), "two modules: the table has two rows per network row"
# Every run's epochs, under the run's axis values.
assert set(epochs.run) == set(table.run)
assert epochs.groupby("run").epoch.count().eq(table.groupby("run").epochs_run.first()).all()
last = nets[(nets.starts == "all") & (nets.step == nets.step.max())]
print(last.groupby(["metric", "p_s"]).network_specialization.agg(["mean", "count"]).to_string())
