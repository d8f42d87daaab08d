"""Risk use cases available so far: check a rule as it is typed, and try it on the lake.

A *trial* compiles a rule over the ``declarations`` schema with the current risk lists and
counts, per day, how many declaration lines it would have hit in a date range — the first
step of a back-test. Rule sets, versions and approvals come with the rule-set governance.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lingang.errors import Forbidden, Invalid
from lingang.lake.catalog import DECLARATIONS
from lingang.lake.service import LakeService
from lingang.risk.lists.service import RiskListService
from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import Type
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

    def __init__(self, lake: LakeService, lists: RiskListService) -> None:
        self._lake = lake
        self._lists = lists

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
