"""Credit grading speed: the pure engine, a zone-wide regrade, and the baseline of regrading
each enterprise in its own transaction (what reacting to one new record at a time costs).

Usage: .venv/bin/python benchmarks/bench_credit.py [--enterprises 2000] [--baseline 300]
       [--json FILE]
Builds a throw-away SQLite platform with ``--enterprises`` registered enterprises and a
credit history drawn like the demo's (violations, debts, awards, public-credit events), then
prints (a) grades/s of ``grading.grade`` on records in memory, (b) enterprises/s of
``CreditService.regrade_all`` (one transaction per 500), (c) enterprises/s of ``regrade`` one
transaction per enterprise over ``--baseline`` of them, and the ratio (b)/(c).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import platform as host
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

from lingang.bootstrap import Platform, bootstrap
from lingang.config import Settings
from lingang.credit.grading import GradingInput, grade
from lingang.credit.model import CreditRecord
from lingang.credit.service import RecordDraft
from lingang.demo import demo_uscc
from lingang.entities.model import AeoStatus, EnterpriseDraft
from lingang.types import SYSTEM


def build(data_dir: Path, enterprises: int) -> Platform:
    """A platform with registered enterprises and a random credit history."""
    settings = Settings(data_dir=data_dir, database_url=f"sqlite:///{data_dir / 'bench.db'}",
                        bus="inprocess", console=False)  # fmt: skip
    platform = bootstrap(settings, start=False)
    for index in range(enterprises):
        aeo = AeoStatus.ADVANCED if index % 25 == 0 else AeoStatus.NONE
        platform.entities.register_enterprise(
            EnterpriseDraft(uscc=demo_uscc(7_000_000 + index), name_zh=f"基准企业{index}",
                            aeo_status=aeo), actor=SYSTEM)  # fmt: skip
    drafts = [RecordDraft.from_data(row) for row in history(enterprises, platform.credit.today())]
    for start in range(0, len(drafts), 5000):
        platform.credit_records.add_records(drafts[start : start + 5000], actor=SYSTEM,
                                            regrade=False)  # fmt: skip
    return platform


def history(enterprises: int, today: dt.date) -> list[dict[str, Any]]:
    """About 1.5 records per enterprise, seeded."""
    rng = np.random.default_rng(7)
    rows: list[dict[str, Any]] = []
    for index in range(enterprises):
        uscc = demo_uscc(7_000_000 + index)
        for n in range(int(rng.poisson(1.5))):
            day = today - dt.timedelta(days=int(rng.integers(1, 700)))
            kind = rng.choice(["violation", "unpaid_duty", "award", "public_credit"],
                              p=[0.6, 0.15, 0.1, 0.15])  # fmt: skip
            details: dict[str, Any] = {
                "violation": {"penalty_rmb": str(int(rng.lognormal(11, 1)))},
                "unpaid_duty": {"amount_rmb": "50000", "due_on": day.isoformat()},
                "award": {"points": 30},
                "public_credit": {"polarity": "negative", "severity": "minor"},
            }[str(kind)]
            rows.append({"enterprise_uscc": uscc, "kind": str(kind),
                         "occurred_on": day.isoformat(), "source": "bench",
                         "source_ref": f"{uscc}/{n}", "summary": "基准记录",
                         "details": details})  # fmt: skip
    return rows


def engine_rate(platform: Platform) -> tuple[float, int]:
    """Grades per second of the pure engine over every enterprise's records in memory."""
    from lingang.credit.store import CreditRecordRow, to_record

    with platform.uow.read() as session:
        records = [to_record(row) for row in session.query(CreditRecordRow)]
    by_firm: dict[str, list[CreditRecord]] = {}
    for record in records:
        by_firm.setdefault(record.enterprise_uscc, []).append(record)
    registry = platform.entities.aeo_statuses()
    today = platform.credit.today()
    inputs = [GradingInput(uscc, today, False, status, 1000, tuple(by_firm.get(uscc, ())))
              for uscc, status in registry.items()]  # fmt: skip
    started = time.perf_counter()
    for inp in inputs:
        grade(inp, platform.credit.rulesets)
    return len(inputs) / (time.perf_counter() - started), len(inputs)


def one_by_one(platform: Platform, count: int) -> float:
    """Enterprises per second when each is regraded in its own transaction (forced: the
    standing is removed first so every regrade stores a row)."""
    from lingang.credit.store import CreditStandingRow

    usccs = sorted(platform.entities.aeo_statuses())[:count]
    with platform.uow() as uow:
        uow.session.query(CreditStandingRow).filter(
            CreditStandingRow.enterprise_uscc.in_(usccs)).delete()  # fmt: skip
        uow.commit()
    started = time.perf_counter()
    for uscc in usccs:
        with platform.uow() as uow:
            platform.credit.regrade(uow.session, uscc, trigger="bench")
            uow.commit()
    return len(usccs) / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--enterprises", type=int, default=2000)
    parser.add_argument("--baseline", type=int, default=300)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        platform = build(Path(folder), args.enterprises)
        try:
            engine, graded = engine_rate(platform)
            started = time.perf_counter()
            report = platform.credit.regrade_all(actor=SYSTEM)
            zone = report.graded / (time.perf_counter() - started)
            single = one_by_one(platform, min(args.baseline, args.enterprises))
        finally:
            platform.close()
    figures = {
        "machine": f"{host.processor() or host.machine()} · {host.system()} · Python "
                   f"{host.python_version()}",
        "enterprises": graded, "engine_grades_per_s": round(engine),
        "regrade_all_per_s": round(zone), "one_transaction_each_per_s": round(single),
        "regrade_all_vs_one_by_one": round(zone / single, 2),
        "by_class": {c.value: n for c, n in report.by_class.items()},
    }  # fmt: skip
    print(f"credit grading on {figures['machine']}, {graded:,} enterprises (SQLite)")
    rows = [
        ("engine (records in memory), grades/s", figures["engine_grades_per_s"]),
        ("regrade_all (500 per transaction), firms/s", figures["regrade_all_per_s"]),
        ("baseline: one transaction per firm, firms/s", figures["one_transaction_each_per_s"]),
    ]
    for label, value in rows:
        print(f"  {label:<46} {value:>9,}")
    print(f"  {'regrade_all vs baseline':<46} {figures['regrade_all_vs_one_by_one']:>9}×")
    print(f"  classes: {figures['by_class']}")
    if args.json is not None:
        args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
