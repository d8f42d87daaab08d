"""Lake import throughput: validated, deduplicated, partitioned rows per second, and peak memory.

Usage: .venv/bin/python benchmarks/bench_lake_import.py [--rows 1000000 10000000] [--keep DIR]

For each size it generates synthetic declarations (simulated; about 0.1 % deliberately
invalid) into a CSV file, times ``LakeService.import_file`` on it (sha256, streaming read,
validation, dedupe, zstd Parquet partitions, quarantine, journal), times a re-import of the
same file (every row a duplicate), and as a baseline times DuckDB's ``read_csv`` counting the
same file's rows. Each import runs in a fresh process so ``ru_maxrss`` is that import's peak.
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

import duckdb
import numpy as np
import polars as pl

from lingang.config import Settings
from lingang.demo import demo_uscc
from lingang.lake.catalog import TRADE_MODES, TRANSPORT_MODES, UNITS
from lingang.lake.checks import load_references

CURRENCIES = ("USD", "CNY", "EUR", "JPY", "KRW", "HKD")
COUNTRIES = ("CN", "US", "DE", "JP", "KR", "VN", "AU", "BR", "FR", "GB", "IT", "TH", "MY")


def _pick(rng: np.random.Generator, pool: list[str] | tuple[str, ...], n: int) -> pl.Series:
    return pl.Series(list(pool), dtype=pl.String).gather(rng.integers(0, len(pool), n))


def declarations_frame(n: int, start: int = 0) -> pl.DataFrame:
    """Rows ``start`` … ``start + n`` of simulated declaration items over 2025 (three items a
    declaration), about 0.1 % of them invalid."""
    rng = np.random.default_rng(start)
    hs6 = sorted(load_references(Settings().hs_nomenclature).hs6)
    index = pl.int_range(start, start + n, eager=True)
    ids = pl.select(pl.lit("22482025") + (index // 3).cast(pl.String).str.zfill(10)).to_series()
    days = np.datetime64("2025-01-01") + rng.integers(0, 365, n).astype("timedelta64[D]")
    dangerous = pl.Series(rng.integers(0, 200, n) == 0)
    frame = pl.DataFrame({
        "declaration_id": ids,
        "item_no": index % 3 + 1,
        "declared_on": pl.Series(days).cast(pl.String),
        "direction": _pick(rng, ("import", "export"), n),
        "enterprise_code": _pick(rng, [demo_uscc(i) for i in range(2000)] + ["KR1234567"], n),
        "declarant_id": _pick(rng, [f"B{i:07d}" for i in range(300)], n),
        "foreign_party": _pick(rng, [f"SUPPLIER {i}" for i in range(5000)], n),
        "hs_code": _pick(rng, hs6, n) + _pick(rng, ("", "00", "0010"), n),
        "origin_country": _pick(rng, COUNTRIES, n),
        "departure_country": _pick(rng, COUNTRIES, n),
        "declared_value": np.round(rng.lognormal(9, 1.5, n), 2),
        "currency": _pick(rng, CURRENCIES, n),
        "quantity": np.round(rng.lognormal(4, 1, n), 1),
        "unit": _pick(rng, UNITS, n),
        "net_mass_kg": np.round(rng.lognormal(5, 1.2, n), 1),
        "transport_mode": _pick(rng, TRANSPORT_MODES, n),
        "customs_office": _pick(rng, ("2248", "2249", "2201", "2202"), n),
        "trade_mode": _pick(rng, TRADE_MODES, n),
        "un_number": pl.select(pl.when(dangerous).then(pl.lit("1203"))).to_series(),
        "dg_class": pl.select(pl.when(dangerous).then(pl.lit("3"))).to_series(),
    })  # fmt: skip
    return _spoil(frame, rng)


def _spoil(frame: pl.DataFrame, rng: np.random.Generator) -> pl.DataFrame:
    """Break about 0.1 % of the rows: unknown HS code, impossible date, bad USCC, no value."""
    bad = pl.Series(rng.integers(0, 1000, frame.height))
    return frame.with_columns(
        pl.when(bad == 0).then(pl.lit("999999")).otherwise("hs_code").alias("hs_code"),
        pl.when(bad == 1).then(pl.lit("2025-02-30")).otherwise("declared_on").alias("declared_on"),
        pl.when(bad == 2)
        .then(pl.col("enterprise_code").str.slice(0, 17) + "0")
        .otherwise("enterprise_code")
        .alias("enterprise_code"),
        pl.when(bad == 3).then(None).otherwise("declared_value").alias("declared_value"),
    )


def write_csv(n: int, path: Path) -> float:
    """Generate ``n`` rows into ``path`` (in chunks of 1M); return the seconds it took."""
    started = time.perf_counter()
    with path.open("wb") as handle:
        for start in range(0, n, 1_000_000):
            chunk = declarations_frame(min(1_000_000, n - start), start)
            chunk.write_csv(handle, include_header=start == 0)
    return time.perf_counter() - started


def duckdb_baseline(path: Path) -> float:
    """Seconds for DuckDB to read and count the CSV (all columns parsed as text)."""
    started = time.perf_counter()
    duckdb.sql(f"SELECT count(*) FROM read_csv('{path}', all_varchar=true)").fetchall()
    return time.perf_counter() - started


def import_once(data_dir: Path, path: Path) -> dict[str, float]:
    """One import in this process: seconds, counts and peak RSS (child mode)."""
    from lingang.bootstrap import bootstrap
    from lingang.types import SYSTEM

    settings = Settings(data_dir=data_dir, audit_key="bench-key")  # type: ignore[arg-type]
    platform = bootstrap(settings)
    try:
        started = time.perf_counter()
        summary = platform.lake.import_file("declarations", path, actor=SYSTEM)
        seconds = time.perf_counter() - started
    finally:
        platform.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "seconds": seconds, "accepted": summary.accepted, "duplicates": summary.duplicates,
        "rejected": summary.rejected, "peak_mib": peak,
    }  # fmt: skip


def run_child(data_dir: Path, path: Path) -> dict[str, float]:
    """Run :func:`import_once` in a fresh interpreter so the peak RSS is the import's own."""
    done = subprocess.run(
        [sys.executable, __file__, "--child", str(data_dir), str(path)],
        capture_output=True, text=True, check=True, env={**os.environ},
    )  # fmt: skip
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def bench(n: int, work: Path) -> None:
    """Generate, baseline, import, re-import; print one block of figures."""
    path = work / f"declarations-{n}.csv"
    made = write_csv(n, path)
    load = "/".join(f"{x:.1f}" for x in os.getloadavg())
    size_mib = path.stat().st_size / 2**20
    baseline = duckdb_baseline(path)
    first = run_child(work / f"data-{n}", path)
    again = run_child(work / f"data-{n}", path)
    rate = n / first["seconds"]
    print(f"\n{n:,} rows · CSV {size_mib:,.0f} MiB (generated in {made:.1f} s) · "
          f"load average before the import {load}")  # fmt: skip
    print(f"  DuckDB read_csv count (baseline)  {baseline:6.1f} s  {n / baseline:12,.0f} rows/s")
    print(
        f"  lake import (validate+dedupe+write){first['seconds']:6.1f} s  {rate:12,.0f} rows/s"
        f"  = {baseline / first['seconds']:.2f}× baseline speed · peak RSS "
        f"{first['peak_mib']:,.0f} MiB"
    )
    print(
        f"    accepted {first['accepted']:,.0f} · duplicates {first['duplicates']:,.0f} · "
        f"rejected {first['rejected']:,.0f}"
    )
    print(
        f"  re-import of the same file          {again['seconds']:6.1f} s  "
        f"{n / again['seconds']:12,.0f} rows/s · accepted {again['accepted']:,.0f} · "
        f"duplicates {again['duplicates']:,.0f} · peak RSS {again['peak_mib']:,.0f} MiB"
    )


def main() -> None:
    """Parse arguments and run each size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--keep", type=Path, help="work directory to keep (default: temporary)")
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(import_once(Path(args.child[0]), Path(args.child[1]))))
        return
    print(f"machine: {host.node()} · {host.processor() or host.machine()} · "
          f"{os.cpu_count()} CPUs · Python {host.python_version()} · polars {pl.__version__} "
          f"· duckdb {duckdb.__version__}")  # fmt: skip
    with tempfile.TemporaryDirectory(dir=args.keep) as tmp:
        for n in args.rows:
            bench(n, Path(tmp))


if __name__ == "__main__":
    main()
