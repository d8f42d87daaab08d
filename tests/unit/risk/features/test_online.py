"""The online engine: caching, late rows, eviction, the shipped library, state selection."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from lingang.errors import Invalid
from lingang.lake.store import LakeStore
from lingang.risk.features import (
    FeatureCatalog,
    InProcessState,
    OnlineFeatures,
    load_library,
    state_from_url,
)
from lingang.risk.features.redis_state import RedisState

SUM = {
    "name": "paid_3d", "kind": "window", "dataset": "payments", "key": ["payer"],
    "event_key": {"payments": ["payer"]}, "agg": "sum", "value": "amount", "days": 3,
}  # fmt: skip


def test_a_late_row_invalidates_only_the_windows_that_contain_its_day(
    pay: Callable[..., dict[str, Any]],
) -> None:
    online = OnlineFeatures(FeatureCatalog.load([SUM]))
    online.observe("payments", pay("p1", 0, amount=10.0))
    event = pay("e", 2, amount=1.0)
    assert online.compute("payments", event) == {"paid_3d": 10.0}
    online.observe("payments", pay("p2", 2, amount=5.0))  # same day: not in the window
    assert online.compute("payments", event) == {"paid_3d": 10.0}
    online.observe("payments", pay("p3", 1, amount=7.0))  # a late row of day 1
    assert online.compute("payments", event) == {"paid_3d": 17.0}
    assert online.compute("payments", pay("e2", 3, amount=1.0)) == {"paid_3d": 22.0}


def test_buckets_older_than_the_longest_window_are_evicted(
    pay: Callable[..., dict[str, Any]],
) -> None:
    state = InProcessState()
    online = OnlineFeatures(FeatureCatalog.load([SUM]), state, late_days=0)
    for day in range(10):
        online.observe("payments", pay(f"p{day}", day, amount=1.0))
    assert state.bucket_count() == 4  # days 6–9: day 9 − 3 = 6 is the oldest kept
    assert online.compute("payments", pay("e", 10)) == {"paid_3d": 3.0}


def test_events_without_a_date_or_of_unknown_datasets_are_refused(
    pay: Callable[..., dict[str, Any]],
) -> None:
    online = OnlineFeatures(FeatureCatalog.load([SUM]))
    with pytest.raises(Invalid) as caught:
        online.compute("payments", pay("e", 0) | {"paid_on": None})
    assert caught.value.field == "paid_on"
    with pytest.raises(Invalid):
        online.observe("ships", {})


def test_the_shipped_library_loads_with_labels() -> None:
    catalog = load_library()
    assert len(catalog) >= 12
    assert all(f.spec.label_zh and f.spec.label_en for f in catalog)
    assert "unit_price_deviation" in catalog.for_event("declarations")
    assert {"gate_declaration_lines_3d", "ent_gate_out_undeclared_30d"} <= set(
        catalog.for_event("gate_events")
    )
    assert catalog.longest_days == 365


def test_warm_loads_the_longest_window_from_the_lake(
    tmp_path: Path, pay: Callable[..., dict[str, Any]], to_table: Callable[..., pa.Table]
) -> None:
    lake = LakeStore(tmp_path / "lake")
    rows = [pay(f"p{d}", d, amount=float(d)) for d in range(8)]
    lake.append("payments", to_table("payments", rows), "test")
    online = OnlineFeatures(FeatureCatalog.load([SUM]))
    until = dt.date(2025, 3, 6)  # D0 + 5: days 2..5 are within 3 days of it
    assert online.warm(lake, until) == 4
    assert online.compute("payments", pay("e", 6)) == {"paid_3d": 3.0 + 4.0 + 5.0}


def test_state_from_url_picks_the_backend() -> None:
    assert isinstance(state_from_url(None), InProcessState)
    assert isinstance(state_from_url(""), InProcessState)
    state = state_from_url("redis://127.0.0.1:6379/0")
    assert isinstance(state, RedisState) and state.shared
    with pytest.raises(Invalid) as caught:
        state_from_url("memcached://x")
    assert caught.value.field == "redis_url"
