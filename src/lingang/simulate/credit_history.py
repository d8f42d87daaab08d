"""A credit history for a simulated zone (信用记录), drawn from the simulation's ground truth.

Enterprises that carry an injected risk pattern were, in part, caught before: some of their
pattern events became penalised violations, unpaid duties and fines, or smuggling findings;
a few clean enterprises got awards or public-credit events. The records are plain mappings
(the fields of ``credit.service.RecordDraft``), dated over the ``span_days`` before ``today``
so that grading today finds some within the last year and some older. The same truth, USCCs,
``today`` and ``seed`` give the same history.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq

SOURCE = "simulation"
#: pattern file → violation type written on its violation records
PATTERNS = {
    "hs_misclassification": "hs_misclassification",
    "origin_laundering": "origin_misdeclaration",
    "dg_misdeclaration": "dg_misdeclaration",
    "payment_mismatch": "payment_mismatch",
    "bonded_leakage": "bonded_leakage",
}
CAUGHT_SHARE = 0.25  # share of an enterprise's pattern events found by customs
MAX_VIOLATIONS = 6
MEDIAN_PENALTY_RMB = 60_000


def credit_history(
    truth_dir: Path, usccs: Sequence[str], *, today: dt.date, seed: int, span_days: int = 700
) -> list[dict[str, Any]]:
    """The records of a simulated zone's credit history (see the module docstring)."""
    rng = np.random.default_rng(seed)
    known = set(usccs)
    events = _pattern_events(truth_dir, known)
    history = _History(rng, today, span_days)
    for (pattern, uscc), count in sorted(events.items()):
        history.violations(pattern, uscc, count)
    for members in _cycles(truth_dir, known):
        history.smuggling(members)
    clean = sorted(known - {uscc for _, uscc in events})
    history.good_news(clean)
    return history.records


class _History:
    def __init__(self, rng: np.random.Generator, today: dt.date, span_days: int) -> None:
        self.rng, self.today, self.span = rng, today, span_days
        self.records: list[dict[str, Any]] = []

    def _day(self, within: int | None = None) -> dt.date:
        return self.today - dt.timedelta(days=int(self.rng.integers(1, (within or self.span) + 1)))

    def _add(self, uscc: str, kind: str, day: dt.date, ref: str, summary: str,
             details: dict[str, Any]) -> None:  # fmt: skip
        self.records.append({
            "enterprise_uscc": uscc, "kind": kind, "occurred_on": day.isoformat(),
            "source": SOURCE, "source_ref": ref, "summary": summary, "details": details,
        })  # fmt: skip

    def violations(self, pattern: str, uscc: str, count: int) -> None:
        caught = min(math.ceil(count * CAUGHT_SHARE), MAX_VIOLATIONS)
        for n in range(caught):
            day = self._day()
            penalty = _round(self.rng.lognormal(math.log(MEDIAN_PENALTY_RMB), 1.0))
            ref = f"{pattern}/{uscc}/{n}"
            self._add(uscc, "violation", day, ref, f"海关行政处罚：{PATTERNS[pattern]}，罚款 "
                      f"{penalty:,} 元", {"penalty_rmb": str(penalty),
                                         "violation_type": PATTERNS[pattern]})  # fmt: skip
            if self.rng.random() < 0.2:
                self._debt(uscc, "unpaid_fine", day + dt.timedelta(days=15), penalty, ref)
        if pattern == "hs_misclassification" and self.rng.random() < 0.3:
            duty = _round(self.rng.lognormal(math.log(80_000), 0.8))
            self._debt(uscc, "unpaid_duty", self._day(240), duty, f"{pattern}/{uscc}")

    def _debt(self, uscc: str, kind: str, due: dt.date, amount: int, ref: str) -> None:
        if due > self.today:
            return
        paid = None if self.rng.random() < 0.5 else due + dt.timedelta(
            days=int(self.rng.integers(5, 120)))  # fmt: skip
        paid_on = paid.isoformat() if paid is not None and paid <= self.today else None
        label = "税款" if kind == "unpaid_duty" else "罚款"
        state = f"已于 {paid_on} 缴清" if paid_on else "尚未缴纳"
        self._add(uscc, kind, due, f"{ref}/{kind}", f"应缴{label} {amount:,} 元，{state}",
                  {"amount_rmb": str(amount), "due_on": due.isoformat(),
                   "paid_on": paid_on})  # fmt: skip

    def smuggling(self, members: list[str]) -> None:
        if self.rng.random() >= 1 / 3:
            return
        day = self._day(400)
        for uscc in members:
            penalty = _round(self.rng.lognormal(math.log(300_000), 0.6))
            self._add(uscc, "smuggling", day, f"circular_flow/{uscc}/{day}",
                      f"走私行为（循环进出口）被海关行政处罚，罚款 {penalty:,} 元",
                      {"criminal": False, "penalty_rmb": str(penalty)})  # fmt: skip

    def good_news(self, clean: list[str]) -> None:
        for uscc in clean:
            draw = self.rng.random()
            if draw < 0.04:
                points = int(self.rng.integers(20, 51))
                self._add(uscc, "award", self._day(), f"award/{uscc}",
                          "获评临港新片区守信示范企业", {"points": points})  # fmt: skip
            elif draw < 0.09:
                self._add(uscc, "public_credit", self._day(), f"public/{uscc}",
                          "纳税信用 A 级（公共信用信息）",
                          {"polarity": "positive", "severity": "general"})  # fmt: skip
            elif draw < 0.12:
                severity = "general" if self.rng.random() < 0.3 else "minor"
                self._add(uscc, "public_credit", self._day(), f"public/{uscc}",
                          "生态环境行政处罚（公共信用信息）",
                          {"polarity": "negative", "severity": severity})  # fmt: skip


def _pattern_events(truth_dir: Path, known: set[str]) -> Counter[tuple[str, str]]:
    events: Counter[tuple[str, str]] = Counter()
    for pattern in PATTERNS:
        path = truth_dir / f"{pattern}.parquet"
        if not path.exists():
            continue
        for uscc in pq.read_table(path, columns=["uscc"]).column(0).to_pylist():
            if uscc in known:
                events[(pattern, str(uscc))] += 1
    return events


def _cycles(truth_dir: Path, known: set[str]) -> list[list[str]]:
    path = truth_dir / "circular_flow.parquet"
    if not path.exists():
        return []
    table = pq.read_table(path, columns=["cycle_id", "from_uscc", "to_uscc"]).to_pylist()
    members: dict[str, set[str]] = {}
    for row in table:
        found = members.setdefault(str(row["cycle_id"]), set())
        found.update(u for u in (row["from_uscc"], row["to_uscc"]) if u in known)
    return [sorted(m) for _, m in sorted(members.items()) if m]


def _round(amount: float) -> int:
    """An amount in whole hundreds of RMB, at least 100, at most 2,000,000."""
    return int(min(max(round(amount / 100) * 100, 100), 2_000_000))
