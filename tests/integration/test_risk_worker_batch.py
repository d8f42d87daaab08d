"""The risk worker's batch path: ``handle_submitted_many`` under an idempotent consumer, on the
demo rule set (SQLite and PostgreSQL, in-process bus)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest
from sqlalchemy import select

from factories import declaration_line
from lingang.bootstrap import Platform
from lingang.bus import IdempotentConsumer
from lingang.bus.outbox import OutboxRow
from lingang.errors import Invalid
from lingang.risk.assessments.events import AlertRaised, EventSubmitted
from lingang.types import SYSTEM


def declaration(item_no: int, **changes: Any) -> dict[str, Any]:
    """A valid declaration line; a US-named supplier shipping 'from Vietnam' fires OL01."""
    return declaration_line(item_no, "223320250000054321", **changes)


def submitted(item_no: int, **changes: Any) -> EventSubmitted:
    """The bus event of one declaration line."""
    return EventSubmitted(dataset="declarations", record=declaration(item_no, **changes))


def worker(platform: Platform) -> IdempotentConsumer:
    """The consumer ``lingang worker risk`` runs, after the warm-up it does first (which
    seeds the shipped rule set)."""
    service = platform.assessments
    service.warm()
    return IdempotentConsumer(platform.database, "risk-worker", service.handle_submitted,
                              batch_handler=service.handle_submitted_many)  # fmt: skip


def watch_observed(platform: Platform, monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The record keys the feature history is told about, in order."""
    observed: list[str] = []
    features = platform.assessments.features
    original = features.observe

    def observe(dataset: str, record: Mapping[str, Any]) -> None:
        observed.append(f"{record['declaration_id']}/{record['item_no']}")
        original(dataset, record)

    monkeypatch.setattr(features, "observe", observe)
    return observed


def alerts_in_outbox(platform: Platform) -> int:
    """How many alerts wait in (or went through) the outbox."""
    with platform.database.sessions() as session:
        query = select(OutboxRow).where(OutboxRow.name == AlertRaised.name)
        return len(session.scalars(query).all())


def test_a_batch_of_events_is_stored_one_assessment_each_and_joins_the_history(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    observed = watch_observed(platform, monkeypatch)
    events = [submitted(1), submitted(2, origin_country="US", departure_country="US"),
              submitted(3)]  # fmt: skip

    worker(platform).handle_many(events)
    worker(platform).handle_many(events)  # a redelivery of the batch is skipped

    stored = platform.assessments.recent(actor=SYSTEM, limit=10)
    by_key = {a.record_key: (a.source, a.outcome.value, a.score) for a in stored}
    assert by_key == {
        "223320250000054321/1": ("bus", "review", 60.0),
        "223320250000054321/2": ("bus", "pass", 0.0),
        "223320250000054321/3": ("bus", "review", 60.0),
    }
    assert alerts_in_outbox(platform) == 2
    assert observed == [f"223320250000054321/{n}" for n in (1, 2, 3)]


def test_a_batch_with_an_invalid_record_stores_nothing_and_observes_nothing(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    observed = watch_observed(platform, monkeypatch)

    with pytest.raises(Invalid):
        worker(platform).handle_many([submitted(1), submitted(2, hs_code="12AB")])

    assert platform.assessments.recent(actor=SYSTEM, limit=10) == []
    assert alerts_in_outbox(platform) == 0
    assert observed == []
