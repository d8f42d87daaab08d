"""Zone simulator throughput and peak memory, against a plain-numpy baseline in the same run.

Usage: .venv/bin/python benchmarks/bench_simulator.py [--sizes 1000000 10000000] [--days 365]

For each size N (declaration lines; the other datasets follow in proportion, about 1.9 rows
in all per line) every case runs in its own subprocess so its peak RSS is its own:

* ``simulate``  — generate the zone chunk by chunk (register, 5 datasets, truth), discard it;
* ``write``     — the same, written as deterministic Parquet (``run_simulation(out_dir=…)``);
* ``baseline``  — numpy draws N × 20 plain random float64 (a declaration row's 20 cells) into
  Arrow tables in the simulator's chunk size: the floor for "making N rows of data";
* ``baseline+write`` — that table written as Parquet with the simulator's writer options.

Rows/s counts declaration lines (``decl/s``) and all generated rows (``rows/s``).
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from lingang.config import Settings
from lingang.simulate import ZoneParams, iter_chunks, plan_zone, run_simulation
from lingang.simulate.output import WRITER_OPTIONS
from lingang.simulate.params import ROWS_PER_CHUNK

REPO = Path(__file__).resolve().parents[1]
COLUMNS = 20  # fields of a declaration line


def params_for(lines: int, days: int) -> ZoneParams:
    """A zone of ``lines`` declaration lines: one enterprise per 100 lines a year."""
    return ZoneParams(enterprises=max(lines * 365 // (100 * days), 100), days=days,
                      declarations=lines, seed=20250101)  # fmt: skip


def hs_path() -> Path:
    path = Settings().hs_nomenclature
    return path if path.is_absolute() else (REPO / path).resolve()


def run_case(case: str, lines: int, days: int) -> dict[str, float]:
    """One case in this process; returns counts, seconds and peak RSS."""
    started = time.perf_counter()
    if case == "simulate":
        decl = rows = 0
        for chunk in iter_chunks(plan_zone(params_for(lines, days), hs_path())):
            decl += chunk.datasets["declarations"].num_rows
            rows += sum(t.num_rows for t in chunk.datasets.values())
    elif case == "write":
        with tempfile.TemporaryDirectory() as out:
            report = run_simulation(
                plan_zone(params_for(lines, days), hs_path()), out_dir=Path(out)
            )
            decl = report.counts["datasets"]["declarations"]
            rows = sum(report.counts["datasets"].values())
    else:
        decl = rows = baseline(lines, write=case == "baseline+write")
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"decl": decl, "rows": rows, "seconds": seconds, "peak_mib": peak_mib}


def baseline(lines: int, *, write: bool) -> int:
    """N × 20 random floats into Arrow tables, chunk by chunk (optionally to Parquet)."""
    rng = np.random.default_rng(1)
    schema = pa.schema([(f"c{i}", pa.float64()) for i in range(COLUMNS)])
    with tempfile.TemporaryDirectory() as out:
        writer = (
            pq.ParquetWriter(Path(out) / "b.parquet", schema, **WRITER_OPTIONS) if write else None
        )
        for start in range(0, lines, ROWS_PER_CHUNK):
            n = min(ROWS_PER_CHUNK, lines - start)
            table = pa.table([pa.array(rng.random(n)) for _ in range(COLUMNS)], schema=schema)
            if writer:
                writer.write_table(table, row_group_size=1_048_576)
        if writer:
            writer.close()
    return lines


def _cpu() -> str:
    """The CPU model from /proc/cpuinfo (Linux), else the platform's processor string."""
    try:
        lines = Path("/proc/cpuinfo").read_text().splitlines()
        return next(
            line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")
        )
    except (OSError, StopIteration):
        return host.processor()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--one", nargs=2, metavar=("CASE", "N"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_case(args.one[0], int(args.one[1]), args.days)))
        return
    versions = f"Python {host.python_version()}, numpy {np.__version__}, pyarrow {pa.__version__}"
    print(f"machine: {host.machine()} {_cpu()}, {os.cpu_count()} CPUs, {versions}")
    print(
        f"{'case':<16}{'lines':>12}{'rows':>12}{'s':>8}{'decl/s':>12}{'rows/s':>12}{'peak MiB':>10}"
    )
    for size in args.sizes:
        for case in ("baseline", "simulate", "baseline+write", "write"):
            cmd = [sys.executable, __file__, "--one", case, str(size), "--days", str(args.days)]
            result = json.loads(
                subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
            )
            seconds = result["seconds"]
            print(f"{case:<16}{result['decl']:>12,}{result['rows']:>12,}{seconds:>8.1f}"
                  f"{result['decl'] / seconds:>12,.0f}{result['rows'] / seconds:>12,.0f}"
                  f"{result['peak_mib']:>10,.0f}", flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
