"""Small hand-made lakes for the feature tests: rows of a few datasets, the lake, both paths."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from lingang.lake.catalog import DATASETS
from lingang.lake.store import LakeStore
from lingang.lake.validate import field_schema
from lingang.risk.features import FeatureCatalog, OnlineFeatures, compute_batch, replay

D0 = dt.date(2025, 3, 1)

PAYMENT = {
    "kind": "payment",
    "enterprise_uscc": "91310115MA1K000001",
    "payer": "A",
    "payee": "Z",
    "counterparty_country": "US",
    "currency": "USD",
    "amount": 1.0,
    "purpose_code": "121010",
    "declaration_id": None,
}


def payment(pid: str, day: int, **fields: Any) -> dict[str, Any]:
    """A payments row ``day`` days after D0."""
    return {**PAYMENT, "payment_id": pid, "paid_on": D0 + dt.timedelta(days=day), **fields}


def table(dataset: str, rows: Sequence[Mapping[str, Any]]) -> pa.Table:
    """Rows as an Arrow table of the dataset's declared fields."""
    return pa.Table.from_pylist(list(rows), schema=field_schema(DATASETS[dataset]))


Both = Callable[..., dict[str, tuple[list[Any], list[Any]]]]


def both_paths(
    root: Path, specs: Sequence[Mapping[str, Any]], tables: Mapping[str, pa.Table], event: str
) -> dict[str, tuple[list[Any], list[Any]]]:
    """Per feature applicable to ``event`` rows: (online values, batch values), in row order.

    The lake gets every table; online replays them in replay order, computing each event's
    features before observing it."""
    catalog = FeatureCatalog.load(specs)
    lake = LakeStore(root)
    for name, rows in tables.items():
        lake.append(name, rows, "test")
    online = replay(OnlineFeatures(catalog), tables)[event]
    batch = compute_batch(catalog, lake, event, tables[event])
    return {
        name: ([values[name] for values in online], batch.column(name).to_pylist())
        for name in catalog.for_event(event)
    }


@pytest.fixture
def pay() -> Callable[..., dict[str, Any]]:
    """The :func:`payment` row builder."""
    return payment


@pytest.fixture
def to_table() -> Callable[[str, Sequence[Mapping[str, Any]]], pa.Table]:
    """The :func:`table` builder."""
    return table


@pytest.fixture
def both() -> Callable[..., dict[str, tuple[list[Any], list[Any]]]]:
    """The :func:`both_paths` runner (for tests that manage their own directories)."""
    return both_paths


@pytest.fixture
def run(tmp_path: Path) -> Both:
    """``run(specs, tables, event)`` on a fresh lake under tmp_path."""
    counter = iter(range(1_000_000))

    def go(
        specs: Sequence[Mapping[str, Any]], tables: Mapping[str, pa.Table], event: str
    ) -> dict[str, tuple[list[Any], list[Any]]]:
        return both_paths(tmp_path / f"lake{next(counter)}", specs, tables, event)

    return go
