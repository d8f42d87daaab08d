"""KCS scorer benchmark: plain LightGBM baseline vs the platform scorer, one run.

Usage: .venv/bin/python benchmarks/bench_kcs_scorer.py [--train PATH] [--valid PATH] [--json]

Trains both models on the full training months (2020), selects their number of trees by early
stopping on the validation months (2021-01..03) and prints precision, recall and recovered
value at inspection rates of 1, 2, 5 and 10 % on the validation months, side by side, with
the machine and the training times. The test months are held back and never read.
"""

from __future__ import annotations

import argparse
import json
import os
import platform as host
import tempfile
import time
from dataclasses import asdict
from pathlib import Path

import lightgbm as lgb
import polars as pl

from lingang.risk.scorers import kcs
from lingang.risk.scorers.runs import train_kcs


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return host.processor() or host.machine()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=kcs.DEFAULT_TRAIN)
    parser.add_argument("--valid", type=Path, default=kcs.DEFAULT_VALID)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as data_dir:
        report = train_kcs(args.train, args.valid, Path(data_dir))
    total = time.perf_counter() - started
    if args.json:
        print(json.dumps({**asdict(report), "total_seconds": round(total, 2)}, indent=2))
        return
    print(f"machine: {_cpu()} · {os.cpu_count()} CPUs · Python {host.python_version()} · "
          f"lightgbm {lgb.__version__} · polars {pl.__version__} · num_threads 2")  # fmt: skip
    print(
        f"train {report.train_rows} rows · valid {report.valid_rows} rows · trees: baseline "
        f"{report.baseline_trees}, platform {report.platform_trees} · fit seconds: baseline "
        f"{report.baseline_seconds}, platform {report.platform_seconds} · total {total:.1f}"
    )
    print()
    print(
        "| rate | baseline precision | platform precision | baseline recall | "
        "platform recall | baseline recovered value | platform recovered value |"
    )
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for b, p in zip(report.baseline, report.platform, strict=True):
        print(
            f"| {b.rate:.0%} | {b.precision:.3f} | {p.precision:.3f} | {b.recall:.3f} | "
            f"{p.recall:.3f} | {b.recovered_value:.3f} | {p.recovered_value:.3f} |"
        )


if __name__ == "__main__":
    main()
