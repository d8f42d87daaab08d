"""Online assessment: check an event, compute its features, score it with the published rule
set (and a shadow candidate), store the verdict, and raise an alert on review or hold.

The compiled rule set and the bound lists are cached. Every ``refresh_s`` seconds (2 by
default) one cheap query compares the published and shadow versions and every list's version
with the cached ones, and rebuilds when any changed: a published rule set or an edited list
is in force in every process within ``refresh_s``.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import event as sa_event
from sqlalchemy import insert
from sqlalchemy.orm import Session

from lingang.auth.model import Permission, can
from lingang.bus.events import Event
from lingang.bus.relay import write_outbox
from lingang.db import UnitOfWorkFactory
from lingang.errors import Forbidden, Invalid, NotFound
from lingang.lake.catalog import Dataset
from lingang.lake.reference import hs_subheadings
from lingang.risk.assessments import store
from lingang.risk.assessments.events import AlertRaised, EventSubmitted
from lingang.risk.assessments.record import check_record, dataset_of, event_day, record_key
from lingang.risk.lists.service import RiskListService
from lingang.risk.rules.types import Type
from lingang.risk.rulesets.service import RuleSetService, RuleSetVersion
from lingang.risk.scenarios.compiled import (
    CompiledRuleSet,
    Evaluation,
    OnlineEvaluator,
    compile_rule_set,
)
from lingang.risk.scenarios.model import Outcome, RuleSetDocument
from lingang.types import Actor, utcnow

MAX_PAGE = 500
MAX_BATCH = 1000


class FeatureProvider(Protocol):
    """Online features: what each dataset's events have, their values, and history updates."""

    def types_for(self, dataset: str) -> Mapping[str, Type]:
        """The features an event of ``dataset`` has, with their types."""

    def compute(self, dataset: str, event: Mapping[str, Any]) -> dict[str, Any]:
        """The features of one event, from the history observed before it."""

    def observe(self, dataset: str, record: Mapping[str, Any]) -> None:
        """Add one event to the history."""


class LearnedScorer(Protocol):
    """A saved scorer as the assessment service uses it."""

    @property
    def label(self) -> str:
        """``<name>-<version>``, stored as the assessment's ``scorer_version``."""

    def probability(self, features: Mapping[str, Any]) -> float:
        """The probability of one event from its features."""

    def contributions(self, features: Mapping[str, Any], top: int = 5
                      ) -> list[tuple[str, float]]:  # fmt: skip
        """The features pushing the score most."""


#: The saved scorer of a name, or None when there is none (injected by the bootstrap).
ScorerLookup = Callable[[str], LearnedScorer | None]


@dataclass(frozen=True, slots=True)
class Assessment:
    """A stored verdict, as the API and console show it."""

    id: str
    dataset: str
    record_key: str
    enterprise_uscc: str | None
    event_day: dt.date
    assessed_at: dt.datetime
    source: str
    rule_set_version: int
    scorer_version: str | None
    score: float
    outcome: Outcome
    top_scenario: str | None
    hits: list[dict[str, Any]]
    scenarios: list[dict[str, Any]]
    features: dict[str, Any]
    record: dict[str, Any]
    shadow_version: int | None
    shadow_score: float | None
    shadow_outcome: str | None
    shadow_rules: list[str] | None


def _view_of(row: Mapping[str, Any]) -> Assessment:
    """The view of a row given as a dict of its columns."""
    return Assessment(**{**row, "outcome": Outcome(row["outcome"])})


def _view(row: store.AssessmentRow) -> Assessment:
    return Assessment(
        id=row.id, dataset=row.dataset, record_key=row.record_key,
        enterprise_uscc=row.enterprise_uscc, event_day=row.event_day,
        assessed_at=row.assessed_at, source=row.source, rule_set_version=row.rule_set_version,
        scorer_version=row.scorer_version, score=row.score, outcome=Outcome(row.outcome),
        top_scenario=row.top_scenario, hits=row.hits, scenarios=row.scenarios,
        features=row.features, record=row.record, shadow_version=row.shadow_version,
        shadow_score=row.shadow_score, shadow_outcome=row.shadow_outcome,
        shadow_rules=row.shadow_rules,
    )  # fmt: skip


@dataclass
class _Engine:
    version: int
    compiled: CompiledRuleSet
    evaluators: dict[str, OnlineEvaluator]
    shadow: tuple[int, dict[str, OnlineEvaluator]] | None
    fingerprint: tuple[Any, ...]
    checked: float


#: Scorer probabilities by name, scorer versions, the first scorer's top contributions.
_Learned = tuple[dict[str, float] | None, list[str], list[list[Any]] | None]


class AssessmentService:
    """Scores events online and keeps every verdict."""

    def __init__(self, uow: UnitOfWorkFactory, rulesets: RuleSetService, lists: RiskListService,
                 features: FeatureProvider, *, hs_nomenclature: Path | None = None,
                 refresh_s: float = 2.0, scorers: ScorerLookup | None = None) -> None:  # fmt: skip
        self._uow = uow
        self._scorers = scorers
        self._rulesets = rulesets
        self._lists = lists
        self.features = features
        self._hs_path = hs_nomenclature
        self._refresh_s = refresh_s
        self._engine: _Engine | None = None
        self._hs_codes: frozenset[str] | None = None
        self._lock = threading.Lock()

    # --- compiling -------------------------------------------------------------------------

    def compile(self, document: RuleSetDocument) -> CompiledRuleSet:
        """Compile a document against today's features and lists (``Invalid`` when it fails)."""
        datasets = {s.dataset for s in document.scenarios}
        return compile_rule_set(
            document,
            feature_types={d: self.features.types_for(d) for d in datasets},
            list_types=dict.fromkeys(self._lists.snapshot(), Type.STRING),
        )

    def warm(self) -> int:
        """Compile the published rule set now (seeding the shipped one on a new platform);
        workers call this before consuming, so no event waits on it. Returns its version."""
        return self._current().version

    def invalidate(self) -> None:
        """Forget the compiled rule set; the next assessment rebuilds it."""
        self._engine = None

    def _current(self) -> _Engine:
        engine = self._engine
        if engine is not None and time.monotonic() - engine.checked < self._refresh_s:
            return engine
        with self._lock:
            engine = self._engine
            fingerprint = self._fingerprint()
            if engine is None or engine.fingerprint != fingerprint:
                engine = self._engine = self._build(fingerprint)
            engine.checked = time.monotonic()
            return engine

    def _fingerprint(self) -> tuple[Any, ...]:
        return (*self._rulesets.fingerprint(), tuple(sorted(self._lists.versions().items())))

    def _build(self, fingerprint: tuple[Any, ...]) -> _Engine:
        published = self._rulesets.published()
        lists = self._lists.snapshot()
        compiled = self.compile(published.document)
        shadow = self._rulesets.shadow()
        shadow_part = None
        if shadow is not None:
            shadow_part = (shadow.version, _bind_all(self.compile(shadow.document), lists))
        return _Engine(published.version, compiled, _bind_all(compiled, lists), shadow_part,
                       fingerprint, time.monotonic())  # fmt: skip

    # --- assessing -------------------------------------------------------------------------

    def assess(self, dataset: str, raw: Mapping[str, Any], *, actor: Actor,
               source: str = "api") -> Assessment:  # fmt: skip
        """Check, score, store and (on review or hold) alert one event."""
        _require(actor, Permission.SUBMIT_EVENTS)
        spec = dataset_of(dataset)
        return self._store(spec, [check_record(spec, raw, self._hs())], source)[0]

    def assess_many(self, dataset: str, records: Sequence[Mapping[str, Any]], *, actor: Actor,
                    source: str = "api") -> list[Assessment]:  # fmt: skip
        """Assess a batch in one transaction: all stored, or none when one is refused
        (``Invalid`` names the index and field). The batch is scored against the history
        before it; its events join the history once stored."""
        _require(actor, Permission.SUBMIT_EVENTS)
        if not 1 <= len(records) <= MAX_BATCH:
            raise Invalid("records", f"give 1–{MAX_BATCH} records")
        spec = dataset_of(dataset)
        checked = []
        for index, raw in enumerate(records):
            try:
                checked.append(check_record(spec, raw, self._hs()))
            except Invalid as exc:
                raise Invalid(f"records[{index}].{exc.field}", exc.reason) from exc
        return self._store(spec, checked, source)

    def _store(self, spec: Dataset, records: list[dict[str, Any]], source: str
               ) -> list[Assessment]:  # fmt: skip
        scored = [self._score_checked(spec, record, source) for record in records]
        rows = [row for row, _ in scored]
        with self._uow() as uow:
            uow.session.execute(insert(store.AssessmentRow), rows)
            for _, alert in scored:
                if alert is not None:
                    uow.emit(alert)
            uow.commit()
        for record in records:  # only what was stored joins the history
            self.features.observe(spec.name, record)
        return [_view_of(row) for row in rows]

    def handle_submitted(self, session: Session, event: Event) -> None:
        """The worker's handler: assess a bus event inside the consumer's transaction; the
        event joins the feature history when (and only if) that transaction commits."""
        if not isinstance(event, EventSubmitted):
            return
        spec = dataset_of(event.dataset)
        record = check_record(spec, event.record, self._hs())
        row, alert = self._score_checked(spec, record, "bus")
        session.execute(insert(store.AssessmentRow), [row])
        if alert is not None:
            write_outbox(session, [alert])
        sa_event.listen(session, "after_commit",
                        lambda _s: self.features.observe(spec.name, record), once=True)  # fmt: skip

    def handle_submitted_many(self, session: Session, events: Sequence[Event]) -> None:
        """The worker's batch handler: ``handle_submitted`` for many bus events, with one
        insert of their assessments. Every record is checked first (``Invalid`` refuses the
        whole batch, and the bus then retries each event alone); the batch is scored against
        the history before it and joins it when (and only if) the transaction commits."""
        checked = [
            (spec, check_record(spec, event.record, self._hs()))
            for event in events
            if isinstance(event, EventSubmitted)
            for spec in (dataset_of(event.dataset),)
        ]
        if not checked:
            return
        scored = [self._score_checked(spec, record, "bus") for spec, record in checked]
        session.execute(insert(store.AssessmentRow), [row for row, _ in scored])
        alerts = [alert for _, alert in scored if alert is not None]
        if alerts:
            write_outbox(session, alerts)

        def observe(_session: Session) -> None:
            for spec, record in checked:
                self.features.observe(spec.name, record)

        sa_event.listen(session, "after_commit", observe, once=True)

    def _score_checked(self, spec: Dataset, record: dict[str, Any], source: str
                       ) -> tuple[dict[str, Any], AlertRaised | None]:  # fmt: skip
        dataset = spec.name
        engine = self._current()
        evaluator = engine.evaluators.get(dataset)
        features = self.features.compute(dataset, record)
        used = engine.compiled.features.get(dataset, frozenset())
        named = [e.document for e in (evaluator, _shadow_evaluator(engine, dataset)) if e]
        scores, labels, contributions = self._learned(dataset, named, features)
        evaluation = (evaluator.evaluate(record, features, scores) if evaluator
                      else _empty(dataset))  # fmt: skip
        stored: dict[str, Any] = {k: features.get(k) for k in sorted(used)}
        if contributions is not None:
            stored["_contributions"] = contributions
        row = _row(spec.name, record, evaluation, engine.version, source, stored)
        row["scorer_version"] = ",".join(labels) if labels else None
        row["enterprise_uscc"] = (
            record.get(spec.enterprise_field) if spec.enterprise_field else None
        )
        row["record_key"] = record_key(spec, record)
        row["event_day"] = event_day(spec, record)
        row.update(shadow_version=None, shadow_score=None, shadow_outcome=None, shadow_rules=None)
        if engine.shadow is not None:
            version, evaluators = engine.shadow
            other = evaluators.get(dataset)
            shadow = other.evaluate(record, features, scores) if other else _empty(dataset)
            row.update(shadow_version=version, shadow_score=shadow.score,
                       shadow_outcome=shadow.outcome.value,
                       shadow_rules=[h.rule for h in shadow.hits])  # fmt: skip
        return row, _alert(row)

    def _learned(self, dataset: str, documents: Sequence[RuleSetDocument],
                 features: Mapping[str, Any]) -> _Learned:  # fmt: skip
        """Probabilities of the saved scorers the scenarios of ``dataset`` name, their
        versions, and the first one's top contributions."""
        if self._scorers is None:
            return None, [], None
        names = dict.fromkeys(s.scorer.name for d in documents for s in d.for_dataset(dataset)
                              if s.scorer is not None)  # fmt: skip
        scores: dict[str, float] = {}
        labels: list[str] = []
        contributions: list[list[Any]] | None = None
        for name in names:
            scorer = self._scorers(name)
            if scorer is None:
                continue
            scores[name] = scorer.probability(features)
            labels.append(scorer.label)
            if contributions is None:
                contributions = [[f, c] for f, c in scorer.contributions(features, 5)]
        return scores or None, labels, contributions

    def _hs(self) -> frozenset[str] | None:
        if self._hs_codes is None and self._hs_path is not None and self._hs_path.is_file():
            self._hs_codes = hs_subheadings(self._hs_path)
        return self._hs_codes

    # --- reading ---------------------------------------------------------------------------

    def recent(self, *, actor: Actor, limit: int = 50, outcome: Outcome | None = None,
               enterprise: str | None = None, since: dt.datetime | None = None
               ) -> list[Assessment]:  # fmt: skip
        """Newest assessments first (officers who watch risk)."""
        _require(actor, Permission.VIEW_ASSESSMENTS)
        with self._uow.read() as session:
            rows = store.recent(session, limit=max(1, min(limit, MAX_PAGE)),
                                outcome=outcome.value if outcome else None,
                                enterprise=enterprise, since=since)  # fmt: skip
            return [_view(r) for r in rows]

    def get(self, assessment_id: str, *, actor: Actor) -> Assessment:
        """One assessment."""
        _require(actor, Permission.VIEW_ASSESSMENTS)
        with self._uow.read() as session:
            row = session.get(store.AssessmentRow, assessment_id)
            if row is None:
                raise NotFound(f"assessment {assessment_id!r} not found")
            return _view(row)

    def outcome_counts(self, *, actor: Actor, since: dt.datetime | None = None) -> dict[str, int]:
        """Assessments per outcome."""
        _require(actor, Permission.VIEW_ASSESSMENTS)
        with self._uow.read() as session:
            return store.outcome_counts(session, since)

    def shadow_report(self, version: int, *, actor: Actor, limit: int = 5000) -> ShadowReport:
        """How a shadow candidate's verdicts differ from the published ones."""
        _require(actor, Permission.VIEW_ASSESSMENTS)
        with self._uow.read() as session:
            rows = store.shadow_rows(session, version, limit)
        return ShadowReport.of(version, rows)

    def published_version(self) -> RuleSetVersion:
        """The rule set in force."""
        return self._rulesets.published()


@dataclass(frozen=True, slots=True)
class ShadowReport:
    """Published vs candidate on the same live events."""

    version: int
    assessed: int
    changed_outcome: int
    transitions: dict[str, int]  # "pass→review": n
    rules_only_in_shadow: dict[str, int]
    rules_only_in_published: dict[str, int]
    examples: list[dict[str, Any]]

    @classmethod
    def of(cls, version: int, rows: list[store.AssessmentRow]) -> ShadowReport:
        """Aggregate the shadow columns of ``rows``."""
        transitions: dict[str, int] = {}
        only_shadow: dict[str, int] = {}
        only_published: dict[str, int] = {}
        examples: list[dict[str, Any]] = []
        for row in rows:
            live = {h["rule"] for h in row.hits}
            candidate = set(row.shadow_rules or [])
            for rule in candidate - live:
                only_shadow[rule] = only_shadow.get(rule, 0) + 1
            for rule in live - candidate:
                only_published[rule] = only_published.get(rule, 0) + 1
            if row.shadow_outcome != row.outcome:
                key = f"{row.outcome}→{row.shadow_outcome}"
                transitions[key] = transitions.get(key, 0) + 1
                if len(examples) < 20:
                    examples.append({"id": row.id, "record_key": row.record_key,
                                     "outcome": row.outcome, "score": row.score,
                                     "shadow_outcome": row.shadow_outcome,
                                     "shadow_score": row.shadow_score})  # fmt: skip
        return cls(version, len(rows), sum(transitions.values()), transitions, only_shadow,
                   only_published, examples)  # fmt: skip


def _bind_all(compiled: CompiledRuleSet, lists: Mapping[str, frozenset[str]]
              ) -> dict[str, OnlineEvaluator]:  # fmt: skip
    return {
        d: compiled.bind(d, {n: lists.get(n, frozenset()) for n in compiled.lists})
        for d in compiled.datasets()
    }


def _shadow_evaluator(engine: _Engine, dataset: str) -> OnlineEvaluator | None:
    return engine.shadow[1].get(dataset) if engine.shadow is not None else None


def _empty(dataset: str) -> Evaluation:
    return Evaluation(dataset, 0.0, Outcome.PASS, ())


def _row(dataset: str, record: Mapping[str, Any], evaluation: Evaluation, version: int,
         source: str, features: dict[str, Any]) -> dict[str, Any]:  # fmt: skip
    return {
        "id": str(uuid.uuid4()), "dataset": dataset, "assessed_at": utcnow(), "source": source,
        "rule_set_version": version, "scorer_version": None, "score": evaluation.score,
        "outcome": evaluation.outcome.value, "top_scenario": evaluation.top_scenario,
        "hits": [{"scenario": h.scenario, "rule": h.rule, "weight": h.weight, "values": h.values,
               "reason_zh": h.reason_zh, "reason_en": h.reason_en} for h in evaluation.hits],
        "scenarios": [{"scenario": s.scenario, "score": s.score, "outcome": s.outcome.value}
                   for s in evaluation.scenarios if s.score > 0],
        "features": features, "record": {k: _plain(v) for k, v in record.items()},
    }  # fmt: skip


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date | dt.datetime) else value


def _alert(row: Mapping[str, Any]) -> AlertRaised | None:
    if row["outcome"] == Outcome.PASS.value:
        return None
    return AlertRaised(
        assessment_id=row["id"], dataset=row["dataset"], record_key=row["record_key"],
        enterprise_uscc=row["enterprise_uscc"], outcome=row["outcome"], score=row["score"],
        scenario=row["top_scenario"], rules=[h["rule"] for h in row["hits"]],
        rule_set_version=row["rule_set_version"],
    )  # fmt: skip


def _require(actor: Actor, permission: Permission) -> None:
    if not can(actor.role, permission):
        raise Forbidden(f"your role may not {permission.value}")
