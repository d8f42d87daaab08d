"""Feedback from case closures into the risk engine (反馈闭环): precision per rule and per
scenario over time, review-threshold suggestions, and training labels for the scorers.

Read-only over the case tables and the risk assessments. Only alerts of the risk engine
(``source = risk``) attached to a case count; a closed case labels its alerts with its
outcome (a reopening withdraws the labels). ``confirmed_violation`` is a positive,
``false_positive`` a negative; ``inconclusive`` and ``referred`` are left out of precision and
counted on their own. Formulas and an example in docs/cases.md ("Feedback").
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from lingang.auth.model import Permission, can
from lingang.cases.access import department_scope
from lingang.cases.model import AlertSource, Outcome
from lingang.cases.store import CaseAlertRow, CaseRow
from lingang.db import UnitOfWorkFactory
from lingang.errors import Forbidden, Invalid
from lingang.risk.assessments.store import AssessmentRow
from lingang.types import Actor
from lingang.workdays import SHANGHAI

Period = Literal["week", "month"]
Grouping = Literal["rule", "scenario"]
PERIODS: tuple[Period, ...] = ("week", "month")
#: the two-sided 95 % normal quantile of the Wilson score interval
Z95 = 1.959963984540054
DEFAULT_TARGET = 0.8
DEFAULT_MIN_LABELS = 20

#: the label value of each outcome in the training data (None: not a training label)
LABEL_OF: dict[Outcome, int | None] = {
    Outcome.CONFIRMED_VIOLATION: 1,
    Outcome.FALSE_POSITIVE: 0,
    Outcome.INCONCLUSIVE: None,
    Outcome.REFERRED: None,
}


@dataclass(frozen=True, slots=True)
class Precision:
    """Alert counts of one rule or scenario (in one period, or overall) and the precision of
    the labelled ones, with its Wilson 95 % interval (None while nothing is labelled 0/1)."""

    alerts: int
    labelled: int
    confirmed: int
    false_positives: int
    inconclusive: int
    referred: int
    precision: float | None
    low: float | None
    high: float | None


@dataclass(frozen=True, slots=True)
class PrecisionRow:
    """One rule or scenario: overall, and per period (only periods with alerts, oldest
    first)."""

    key: str
    overall: Precision
    periods: dict[str, Precision]


@dataclass(frozen=True, slots=True)
class PrecisionReport:
    """Precision by rule or by scenario, per week or month (of the alerts' raise time in
    Asia/Shanghai)."""

    by: Grouping
    period: Period
    since: dt.date | None
    until: dt.date | None
    rows: list[PrecisionRow]


@dataclass(frozen=True, slots=True)
class ThresholdSuggestion:
    """A review threshold for a scenario from its labelled alerts' scenario scores.

    ``status``: ``suggested`` (``threshold`` is the lowest score whose labelled alerts at or
    above it reach the target precision), ``not_enough_labels`` (fewer than the minimum of
    labelled alerts: no suggestion), ``target_not_reached`` (no threshold reaches it).
    """

    scenario: str
    status: Literal["suggested", "not_enough_labels", "target_not_reached"]
    labelled: int
    confirmed: int
    precision_now: float | None
    target: float
    min_labels: int
    threshold: float | None
    kept: int | None
    kept_confirmed: int | None
    precision: float | None
    recall: float | None
    note: str


@dataclass(frozen=True, slots=True)
class LabelledExample:
    """A training row for the scorers: an assessed event and its case-closure label
    (1 confirmed violation, 0 false positive)."""

    assessment_id: str
    dataset: str
    record_key: str
    enterprise_uscc: str | None
    event_day: dt.date
    scenario: str
    outcome: Outcome
    label: int
    labelled_at: dt.datetime | None
    record: dict[str, Any] = field(default_factory=dict)
    features: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class _Alert:
    """What the feedback needs of one risk alert."""

    reference: str
    scenario: str
    rules: tuple[str, ...]
    raised_at: dt.datetime
    label: Outcome | None
    score: float | None


class FeedbackService:
    """Precision per rule and scenario, threshold suggestions and training labels.

    Readers: risk officers, case officers, admins and auditors (``risk.assessments.view``).
    A case officer counts only the alerts of their own department's cases (none without a
    department); the others count all.
    """

    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    # --- precision -------------------------------------------------------------------------

    def precision(
        self, *, actor: Actor, by: Grouping = "rule", period: Period = "month",
        since: dt.date | None = None, until: dt.date | None = None,
    ) -> PrecisionReport:  # fmt: skip
        """Per rule (an alert counts once for each rule it fired) or per scenario: alerts,
        labels and precision, per period and overall, for alerts raised ``since``..``until``
        (Asia/Shanghai days, both included)."""
        if by not in ("rule", "scenario"):
            raise Invalid("by", f"expected rule or scenario, got {by!r}")
        if period not in PERIODS:
            raise Invalid("period", f"expected week or month, got {period!r}")
        alerts = self._alerts(actor, since, until, scores=False)
        grouped: dict[str, list[_Alert]] = {}
        for alert in alerts:
            for key in alert.rules if by == "rule" else (alert.scenario,):
                grouped.setdefault(key, []).append(alert)
        rows = []
        for key in sorted(grouped):
            members = grouped[key]
            periods: dict[str, list[_Alert]] = {}
            for alert in members:
                periods.setdefault(period_of(alert.raised_at, period), []).append(alert)
            rows.append(PrecisionRow(
                key=key, overall=count(members),
                periods={name: count(periods[name]) for name in sorted(periods)},
            ))  # fmt: skip
        return PrecisionReport(by=by, period=period, since=since, until=until, rows=rows)

    # --- thresholds ------------------------------------------------------------------------

    def threshold_suggestions(
        self, *, actor: Actor, target: float = DEFAULT_TARGET,
        min_labels: int = DEFAULT_MIN_LABELS, since: dt.date | None = None,
        until: dt.date | None = None,
    ) -> list[ThresholdSuggestion]:  # fmt: skip
        """For each scenario with labelled alerts: the lowest review threshold whose labelled
        alerts at or above it reach ``target`` precision (see :func:`suggest`)."""
        if isinstance(target, bool) or not 0 < target <= 1:
            raise Invalid("target", f"a precision in (0, 1], got {target!r}")
        if isinstance(min_labels, bool) or min_labels < 1:
            raise Invalid("min_labels", f"must be ≥ 1, got {min_labels!r}")
        scored: dict[str, list[tuple[float, int]]] = {}
        for alert in self._alerts(actor, since, until, scores=True):
            value = LABEL_OF[alert.label] if alert.label is not None else None
            if value is None or alert.score is None:
                continue
            scored.setdefault(alert.scenario, []).append((alert.score, value))
        return [suggest(scenario, scored[scenario], target=target, min_labels=min_labels)
                for scenario in sorted(scored)]  # fmt: skip

    # --- training labels -------------------------------------------------------------------

    def labelled_examples(self, dataset: str, *, actor: Actor) -> list[LabelledExample]:
        """The assessed events of ``dataset`` whose alert is labelled confirmed violation (1)
        or false positive (0), oldest event first: record and stored features (without
        ``_contributions``) as the assessment kept them."""
        _require(actor)
        scope = department_scope(actor)
        if scope == "":
            return []
        statement = (
            select(CaseAlertRow, AssessmentRow)
            .join(CaseRow, CaseRow.id == CaseAlertRow.case_id)
            .join(AssessmentRow, AssessmentRow.id == CaseAlertRow.reference)
            .where(
                CaseAlertRow.source == AlertSource.RISK.value,
                CaseAlertRow.label.in_([o.value for o, v in LABEL_OF.items() if v is not None]),
                AssessmentRow.dataset == dataset,
            )
            .order_by(AssessmentRow.event_day, AssessmentRow.id)
        )
        if scope is not None:
            statement = statement.where(CaseRow.department == scope)
        found = []
        with self._uow.read() as session:
            for alert, assessment in session.execute(statement):
                outcome = Outcome(str(alert.label))
                label = LABEL_OF[outcome]
                assert label is not None
                found.append(LabelledExample(
                    assessment_id=assessment.id, dataset=assessment.dataset,
                    record_key=assessment.record_key,
                    enterprise_uscc=assessment.enterprise_uscc,
                    event_day=assessment.event_day, scenario=alert.scenario, outcome=outcome,
                    label=label, labelled_at=alert.labelled_at, record=dict(assessment.record),
                    features={k: v for k, v in assessment.features.items()
                              if not k.startswith("_")},
                ))  # fmt: skip
        return found

    # --- reading ---------------------------------------------------------------------------

    def _alerts(
        self, actor: Actor, since: dt.date | None, until: dt.date | None, *, scores: bool
    ) -> list[_Alert]:
        _require(actor)
        if since is not None and until is not None and until < since:
            raise Invalid("until", f"{until} is before {since}")
        scope = department_scope(actor)
        if scope == "":
            return []
        with self._uow.read() as session:
            return _read_alerts(session, _alerts_query(scope, since, until), scores=scores)


def _alerts_query(
    scope: str | None, since: dt.date | None, until: dt.date | None
) -> Select[CaseAlertRow]:
    statement = (
        select(CaseAlertRow)
        .join(CaseRow, CaseRow.id == CaseAlertRow.case_id)
        .where(CaseAlertRow.source == AlertSource.RISK.value)
        .order_by(CaseAlertRow.raised_at, CaseAlertRow.id)
    )
    if scope is not None:
        statement = statement.where(CaseRow.department == scope)
    if since is not None:
        start = dt.datetime.combine(since, dt.time(), tzinfo=SHANGHAI)
        statement = statement.where(CaseAlertRow.raised_at >= start)
    if until is not None:
        end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(), tzinfo=SHANGHAI)
        statement = statement.where(CaseAlertRow.raised_at < end)
    return statement


def _read_alerts(
    session: Session, statement: Select[CaseAlertRow], *, scores: bool
) -> list[_Alert]:
    rows = list(session.scalars(statement))
    assessments: dict[str, AssessmentRow] = {}
    if scores:
        references = [row.reference for row in rows if row.label is not None]
        for first in range(0, len(references), 500):
            chunk = references[first : first + 500]
            query = select(AssessmentRow).where(AssessmentRow.id.in_(chunk))
            assessments.update({a.id: a for a in session.scalars(query)})
    return [
        _Alert(
            reference=row.reference,
            scenario=row.scenario,
            rules=tuple(dict.fromkeys(str(rule) for rule in row.rules)),
            raised_at=row.raised_at,
            label=Outcome(row.label) if row.label else None,
            score=_scenario_score(row, assessments.get(row.reference)) if scores else None,
        )
        for row in rows
    ]


def _scenario_score(alert: CaseAlertRow, assessment: AssessmentRow | None) -> float | None:
    """The score the scenario's thresholds compare: the assessment's score of the alert's
    scenario, else the assessment's score, else the score the alert carried."""
    if assessment is not None:
        for entry in assessment.scenarios:
            if entry.get("scenario") == alert.scenario and entry.get("score") is not None:
                return float(entry["score"])
        return float(assessment.score)
    return alert.score


# --- formulas --------------------------------------------------------------------------------


def wilson(successes: int, trials: int, z: float = Z95) -> tuple[float, float] | None:
    """The Wilson score interval of ``successes`` out of ``trials`` (None for no trials):
    centre ``(p + z²/2n) / (1 + z²/n)`` ± ``z / (1 + z²/n) · √(p(1−p)/n + z²/4n²)``."""
    if trials <= 0:
        return None
    p, n = successes / trials, trials
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def count(alerts: Iterable[_Alert]) -> Precision:
    """Counts and precision = confirmed / (confirmed + false positives)."""
    tally = dict.fromkeys(Outcome, 0)
    total = 0
    for alert in alerts:
        total += 1
        if alert.label is not None:
            tally[alert.label] += 1
    confirmed, negatives = tally[Outcome.CONFIRMED_VIOLATION], tally[Outcome.FALSE_POSITIVE]
    decided = confirmed + negatives
    interval = wilson(confirmed, decided)
    return Precision(
        alerts=total, labelled=sum(tally.values()), confirmed=confirmed,
        false_positives=negatives, inconclusive=tally[Outcome.INCONCLUSIVE],
        referred=tally[Outcome.REFERRED],
        precision=round(confirmed / decided, 6) if decided else None,
        low=round(interval[0], 6) if interval else None,
        high=round(interval[1], 6) if interval else None,
    )  # fmt: skip


def suggest(
    scenario: str, scored: Sequence[tuple[float, int]], *, target: float = DEFAULT_TARGET,
    min_labels: int = DEFAULT_MIN_LABELS,
) -> ThresholdSuggestion:  # fmt: skip
    """The lowest threshold ``t`` among the labelled scores with
    ``precision(t) = confirmed with score ≥ t / labelled with score ≥ t ≥ target``."""
    labelled = len(scored)
    confirmed = sum(label for _, label in scored)
    now = round(confirmed / labelled, 6) if labelled else None
    base: dict[str, Any] = {
        "scenario": scenario, "labelled": labelled, "confirmed": confirmed,
        "precision_now": now, "target": target, "min_labels": min_labels,
    }  # fmt: skip
    if labelled < min_labels:
        return ThresholdSuggestion(
            **base, status="not_enough_labels", threshold=None, kept=None, kept_confirmed=None,
            precision=None, recall=None,
            note=f"标注不足 · not enough labels: {labelled} of the {min_labels} needed",
        )  # fmt: skip
    ordered = sorted(scored, key=lambda pair: -pair[0])
    best: tuple[float, int, int] | None = None
    kept = positives = 0
    for index, (score, label) in enumerate(ordered):
        kept, positives = kept + 1, positives + label
        if index + 1 < len(ordered) and ordered[index + 1][0] == score:
            continue  # a threshold keeps every alert of its score
        if positives / kept >= target:
            best = (score, kept, positives)
    if best is None:
        return ThresholdSuggestion(
            **base, status="target_not_reached", threshold=None, kept=None, kept_confirmed=None,
            precision=None, recall=None,
            note=f"无阈值可达目标 · no threshold reaches precision {target:g}",
        )  # fmt: skip
    threshold, kept, positives = best
    return ThresholdSuggestion(
        **base, status="suggested", threshold=threshold, kept=kept, kept_confirmed=positives,
        precision=round(positives / kept, 6),
        recall=round(positives / confirmed, 6) if confirmed else None,
        note=f"建议复核阈值 · suggested review threshold {threshold:g}: keeps {kept} of "
             f"{labelled} labelled alerts at precision {positives / kept:.3f}",
    )  # fmt: skip


def period_of(at: dt.datetime, period: Period) -> str:
    """The period an instant belongs to in Asia/Shanghai: ``2026-W07`` or ``2026-02``."""
    day = at.astimezone(SHANGHAI).date()
    if period == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    return f"{day.year}-{day.month:02d}"


def _require(actor: Actor) -> None:
    if not can(actor.role, Permission.VIEW_ASSESSMENTS):
        raise Forbidden(f"role {actor.role.value} may not read case feedback")


