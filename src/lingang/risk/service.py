"""Risk use cases of the rule workbench: check a rule as it is typed, try it on the lake,
and back-test a whole rule-set version (published, a draft, or a document) over a range.

A *trial* compiles one rule over the ``declarations`` schema with the current risk lists and
counts, per day, how many declaration lines it would have hit. A *back-test* runs every
scenario of a version in batch (see :mod:`lingang.risk.backtest`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from lingang.errors import Forbidden, Invalid
from lingang.lake.catalog import DECLARATIONS
from lingang.lake.service import LakeService
from lingang.risk.backtest import Backtester, BacktestReport
from lingang.risk.lists.service import RiskListService
from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import Type
from lingang.risk.rulesets.service import Compiler, RuleSetService
from lingang.risk.scenarios.model import load_document
from lingang.types import Actor, Role

RULE_AUTHORS = frozenset({Role.ADMIN, Role.RISK_OFFICER})
MAX_TRIAL_DAYS = 731


@dataclass(frozen=True, slots=True)
class DayHits:
    """Hits of a rule on one day."""

    day: dt.date
    rows: int
    hits: int


@dataclass(frozen=True, slots=True)
class RuleTrial:
    """What a rule would have done over a date range of declarations."""

    source: str
    rows: int
    hits: int
    days: list[DayHits]

    @property
    def hit_rate(self) -> float:
        """Share of declaration lines hit."""
        return self.hits / self.rows if self.rows else 0.0


class RiskService:
    """Checks and tries rules against the lake and the current risk lists."""

    def __init__(self, lake: LakeService, lists: RiskListService, rulesets: RuleSetService,
                 compiler: Compiler, backtester: Backtester) -> None:  # fmt: skip
        self._lake = lake
        self._lists = lists
        self._rulesets = rulesets
        self._compile_set = compiler
        self._backtester = backtester

    def backtest(self, *, actor: Actor, start: dt.date, end: dt.date,
                 version: int | None = None, document: Any = None,
                 capacity: float | None = None) -> BacktestReport:  # fmt: skip
        """Run a version (the published one by default) or a document over the lake."""
        _require_author(actor)
        if document is not None:
            label, doc = "document", load_document(document)
        else:
            found = (self._rulesets.get(version, actor=actor) if version is not None
                     else self._rulesets.published())  # fmt: skip
            label, doc = f"v{found.version} ({found.status})", found.document
        compiled = self._compile_set(doc)
        return self._backtester.run(compiled, self._lists.snapshot(), version=label,
                                    start=start, end=end, capacity=capacity)  # fmt: skip

    def check_rule(self, source: str, *, actor: Actor) -> CompiledRule:
        """Parse and type-check a rule; ``Invalid`` points at the line and column or the field."""
        _require_author(actor)
        return self._compile(source)[0]

    def trial_rule(self, source: str, *, actor: Actor, start: dt.date, end: dt.date) -> RuleTrial:
        """Count the rule's hits per day on the declarations of ``start``–``end`` (inclusive)."""
        _require_author(actor)
        if end < start:
            raise Invalid("end", "must not be before start")
        if (end - start).days > MAX_TRIAL_DAYS:
            raise Invalid("end", f"a trial covers at most {MAX_TRIAL_DAYS} days")
        rule, lists = self._compile(source)
        _, params = rule.query(lists)
        query = (
            f"SELECT declared_on AS day, count(*) AS n, count(*) FILTER (WHERE {rule.sql}) AS hits"
            " FROM declarations WHERE declared_on BETWEEN $start AND $end GROUP BY 1 ORDER BY 1"
        )
        rows = self._lake.store.sql(query, {**params, "start": start, "end": end}).to_pylist()
        days = [DayHits(r["day"], int(r["n"]), int(r["hits"])) for r in rows]
        return RuleTrial(source, sum(d.rows for d in days), sum(d.hits for d in days), days)

    def _compile(self, source: str) -> tuple[CompiledRule, dict[str, frozenset[str]]]:
        lists = self._lists.snapshot()
        types = dict.fromkeys(lists, Type.STRING)  # every list holds normalised strings
        rule = compile_rule(source, schema_for(DECLARATIONS, lists=types))
        return rule, {name: lists[name] for name in rule.lists}


def _require_author(actor: Actor) -> None:
    if actor.role not in RULE_AUTHORS:
        raise Forbidden("only risk officers and administrators write rules")
