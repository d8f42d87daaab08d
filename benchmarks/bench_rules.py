"""Rule language throughput: one flat rule compiled to DuckDB SQL (batch) and to a Python
closure (online, one event at a time), on the same rows, results checked equal.

Usage: .venv/bin/python benchmarks/bench_rules.py [--rows 1000000] [--online 200000]
The baseline is the same rule hand-written as DuckDB SQL over the same Arrow table.
"""

from __future__ import annotations

import argparse
import os
import platform as host
import time

import duckdb
import numpy as np
import pyarrow as pa

from lingang.lake.catalog import DECLARATIONS
from lingang.risk.rules.evaluate import compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import Type

RULE = (
    "declared_value / quantity > 5000 and in_list('high_risk_origins', origin_country)"
    " or hs_chapter(hs_code) in ('93', '36')"
)
HAND_SQL = (
    "SELECT count(*) FROM t WHERE (declared_value / NULLIF(quantity, 0) > 5000"
    " AND origin_country IN ('IR', 'KP', 'SY')) OR substr(hs_code, 1, 2) IN ('93', '36')"
)
LISTS = {"high_risk_origins": frozenset({"IR", "KP", "SY"})}


def make_rows(n: int, seed: int = 7) -> pa.Table:
    rng = np.random.default_rng(seed)
    countries = np.array(["CN", "US", "KR", "JP", "DE", "IR", "KP", "SY", "VN", "SG"])
    chapters = np.array(["84", "85", "93", "36", "29", "39", "90", "61"])
    hs = np.char.add(chapters[rng.integers(0, len(chapters), n)],
                     rng.integers(1000, 9999, n).astype(str))  # fmt: skip
    return pa.table({
        "declared_value": rng.lognormal(9, 1.5, n), "quantity": rng.lognormal(2, 1, n),
        "origin_country": countries[rng.integers(0, len(countries), n)], "hs_code": hs,
    })  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--online", type=int, default=200_000)
    args = parser.parse_args()
    print(f"machine: {host.machine()} · {os.cpu_count()} CPUs · Python {host.python_version()}"
          f" · duckdb {duckdb.__version__}")  # fmt: skip
    table = make_rows(args.rows)
    rule = compile_rule(RULE, schema_for(DECLARATIONS, lists={"high_risk_origins": Type.STRING}))
    con = duckdb.connect()
    con.register("t", table)
    started = time.perf_counter()
    hand = con.execute(HAND_SQL).fetchone()
    hand_s = time.perf_counter() - started
    started = time.perf_counter()
    fired = rule.batch(table, LISTS)
    batch_s = time.perf_counter() - started
    count = sum(1 for v in fired.to_pylist() if v)
    events = table.slice(0, args.online).to_pylist()
    bound = rule.bind(LISTS)  # lists normalised once, as the online engine does per version
    started = time.perf_counter()
    online = sum(1 for e in events if bound(e, None) is True)
    online_s = time.perf_counter() - started
    expected = sum(1 for v in fired.slice(0, args.online).to_pylist() if v)
    assert online == expected, (online, expected)
    print(f"rule: {RULE}")
    fired_by_hand = hand[0] if hand else 0
    print(f"hand-written DuckDB SQL (baseline) {args.rows / hand_s:12,.0f} rows/s"
          f"  fired {fired_by_hand:,}")  # fmt: skip
    print(f"compiled rule, batch (DuckDB)      {args.rows / batch_s:12,.0f} rows/s  fired {count:,}"
          f"  = {hand_s / batch_s:.2f}× baseline")  # fmt: skip
    print(
        f"compiled rule, online (Python)     {args.online / online_s:12,.0f} events/s "
        f"({1e6 * online_s / args.online:.1f} µs/event), agrees with batch on {args.online:,}"
    )


if __name__ == "__main__":
    main()
