"""Wire schemas of rule checks and trials."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, ConfigDict, Field

from lingang.risk.service import RuleTrial


class RuleSource(BaseModel):
    """A rule as typed."""

    model_config = ConfigDict(extra="forbid")
    source: str = Field(min_length=1, max_length=4000)


class RuleTrialRequest(RuleSource):
    """A rule and the declaration dates to try it on."""

    start: dt.date
    end: dt.date


class RuleCheckPublic(BaseModel):
    """A rule that parsed and type-checked."""

    ok: bool = True
    sql: str
    lists: list[str]


class DayHitsPublic(BaseModel):
    """One day of a trial."""

    day: dt.date
    rows: int
    hits: int


class RuleTrialPublic(BaseModel):
    """What the rule would have hit."""

    rows: int
    hits: int
    hit_rate: float
    days: list[DayHitsPublic]


def trial_public(trial: RuleTrial) -> RuleTrialPublic:
    """Domain trial → wire schema."""
    return RuleTrialPublic(rows=trial.rows, hits=trial.hits, hit_rate=trial.hit_rate,
                           days=[DayHitsPublic(day=d.day, rows=d.rows, hits=d.hits)
                                 for d in trial.days])  # fmt: skip
