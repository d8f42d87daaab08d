"""The Parquet + DuckDB lake: layout, idempotent appends, atomic failure, reads."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from lingang.demo import demo_uscc
from lingang.errors import Invalid, NotFound
from lingang.lake.catalog import PAYMENTS
from lingang.lake.store import LakeStore
from lingang.lake.validate import field_schema

DAY = dt.date(2025, 3, 1)


def payments(n: int, *, start: int = 0, days: int = 3, uscc: str | None = None) -> pa.Table:
    """``n`` valid payment rows spread over ``days`` days."""
    rows = [
        {
            "payment_id": f"PAY-{i:06d}",
            "paid_on": DAY + dt.timedelta(days=i % days),
            "kind": "payment",
            "enterprise_uscc": uscc or demo_uscc(1 + i % 2),
            "payer": "A",
            "payee": "B",
            "counterparty_country": "US",
            "currency": "USD",
            "amount": float(100 + i),
            "purpose_code": "121010",
            "declaration_id": None,
        }
        for i in range(start, start + n)
    ]
    return pa.Table.from_pylist(rows, schema=field_schema(PAYMENTS))


@pytest.fixture
def store(tmp_path: Path) -> LakeStore:
    return LakeStore(tmp_path / "lake")


def test_appends_hive_partitions_by_day_in_the_catalog_schema(store: LakeStore) -> None:
    assert store.append("payments", payments(9), "imp1") == (9, 0)
    folders = sorted(p.name for p in (store.root / "payments").iterdir() if p.is_dir())
    assert folders == ["day=2025-03-01", "day=2025-03-02", "day=2025-03-03"]
    files = store.files("payments")
    assert len(files) == 3 and all(f.name.startswith("part-imp1-") for f in files)
    assert pq.read_schema(files[0]).remove_metadata() == PAYMENTS.arrow_schema()
    assert pq.ParquetFile(files[0]).metadata.row_group(0).column(0).compression == "ZSTD"


def test_appending_the_same_rows_again_adds_nothing(store: LakeStore) -> None:
    store.append("payments", payments(9), "imp1")
    assert store.append("payments", payments(9), "imp1") == (0, 9)
    assert store.append("payments", payments(6, start=6), "imp2") == (3, 3)
    assert store.row_count("payments") == 12


def test_repeats_within_one_batch_count_as_duplicates(store: LakeStore) -> None:
    doubled = pa.concat_tables([payments(4), payments(2)])
    assert store.append("payments", doubled, "imp1") == (4, 2)
    assert store.read("payments").column("amount").to_pylist() == [100.0, 101.0, 102.0, 103.0]


def test_a_failed_import_leaves_nothing_behind(store: LakeStore) -> None:
    store.flush_rows = 3  # stage several flushes before the failure
    with pytest.raises(RuntimeError), store.writer("payments", "boom") as writer:
        writer.add(payments(9))
        raise RuntimeError("disk on fire")
    assert store.files("payments") == []
    assert not any((store.root / "_staging").iterdir())


def test_dedupe_spans_flushes_of_one_import(store: LakeStore) -> None:
    store.flush_rows = 4
    with store.writer("payments", "imp1") as writer:
        writer.add(payments(6))
        writer.add(payments(6))
    assert (writer.accepted, writer.duplicates) == (6, 6)


def test_concurrent_appends_of_the_same_rows_store_them_once(store: LakeStore) -> None:
    results: list[tuple[int, int]] = []
    workers = [
        threading.Thread(target=lambda: results.append(store.append("payments", payments(30), "x")))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    assert sorted(results) == [(0, 30), (0, 30), (30, 0)]
    assert store.row_count("payments") == 30


def test_stats_and_freshness(store: LakeStore) -> None:
    assert store.stats("payments").rows == 0 and store.freshness("payments") == (None, None)
    at = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    store.append("payments", payments(9), "imp1", ingested_at=at)
    stats = store.stats("payments")
    assert (stats.rows, stats.files, stats.days) == (9, 3, 3)
    assert (stats.first_day, stats.last_day) == (DAY, DAY + dt.timedelta(days=2))
    assert stats.last_ingested_at == at and stats.bytes > 0
    assert store.freshness("payments") == (DAY + dt.timedelta(days=2), at)


def test_recent_rows_and_monthly_volume_of_one_enterprise(store: LakeStore) -> None:
    store.append("payments", payments(10, days=60), "imp1")
    recent = store.recent("payments", demo_uscc(1), limit=3)
    assert [r["payment_id"] for r in recent] == ["PAY-000008", "PAY-000006", "PAY-000004"]
    months = store.monthly_volume("payments", demo_uscc(1), "amount")
    assert [(m.month, m.rows, m.total) for m in months] == [
        (dt.date(2025, 3, 1), 5, 100.0 + 102 + 104 + 106 + 108)
    ]
    with pytest.raises(Invalid):
        store.monthly_volume("payments", demo_uscc(1), "payer")


def test_sql_sees_every_dataset_as_a_view(store: LakeStore) -> None:
    store.append("payments", payments(5), "imp1")
    table = store.sql("SELECT count(*) AS n, max(day) AS d FROM payments WHERE amount > $min",
                      {"min": 101.0})  # fmt: skip
    assert table.to_pylist() == [{"n": 3, "d": DAY + dt.timedelta(days=2)}]
    assert store.sql("SELECT count(*) AS n FROM declarations").to_pylist() == [{"n": 0}]
    with pytest.raises(Invalid):
        store.sql("SELECT * FROM nowhere")


def test_unknown_dataset_is_not_found(store: LakeStore) -> None:
    with pytest.raises(NotFound, match="dataset 'trades' not found"):
        store.stats("trades")
