"""The lake on disk: Parquet files per dataset, partitioned by day, read with DuckDB.

Layout (hive style, zstd Parquet, schema ``Dataset.arrow_schema()``)::

    <root>/<dataset>/day=YYYY-MM-DD/part-<import_id>-<run>-<n>.parquet
    <root>/_quarantine/<dataset>/<import_id>.csv      (see sidecar.py)
    <root>/_carry/<dataset>/<import_id>.parquet
    <root>/_staging/…                                  (an import in progress)

Appends are idempotent on the dataset key and serialised per dataset by a file lock (so a
CLI import and the API server do not race). Reads open a fresh in-process DuckDB connection
per call, which makes the store safe to share between threads.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from lingang.errors import Invalid, NotFound
from lingang.lake.catalog import DATASETS, Dataset
from lingang.lake.model import MonthlyVolume, StoredStats
from lingang.lake.writer import LakeWriter, sql_list
from lingang.types import utcnow

HIVE = "hive_partitioning=true, hive_types={'day': DATE}"


def resolve(dataset: str | Dataset) -> Dataset:
    """The catalog dataset by name (or itself); ``NotFound`` for an unknown name."""
    if isinstance(dataset, Dataset):
        return dataset
    found = DATASETS.get(dataset)
    if found is None:
        raise NotFound(f"dataset {dataset!r} not found (known: {', '.join(DATASETS)})")
    return found


class LakeStore:
    """Parquet datasets under ``root``, appended idempotently and queried with DuckDB."""

    def __init__(self, root: Path, *, flush_rows: int = 2_000_000, threads: int = 2) -> None:
        self.root = root
        self.flush_rows = flush_rows
        self.threads = threads

    # --- writing -----------------------------------------------------------------------

    @contextmanager
    def writer(
        self, dataset: str | Dataset, import_id: str, *, ingested_at: dt.datetime | None = None
    ) -> Iterator[LakeWriter]:
        """A writer holding the dataset's lock; commits on a clean exit, aborts on error."""
        spec = resolve(dataset)
        with self._locked(spec.name):
            writer = LakeWriter(
                self.root, spec, import_id, ingested_at or utcnow(),
                flush_rows=self.flush_rows, threads=self.threads,
            )  # fmt: skip
            try:
                yield writer
            except BaseException:
                writer.abort()
                raise
            writer.commit()

    def append(
        self, dataset: str | Dataset, table: pa.Table, import_id: str,
        *, ingested_at: dt.datetime | None = None,
    ) -> tuple[int, int]:  # fmt: skip
        """Add valid rows (typed to the dataset's fields, no lineage); returns (accepted,
        duplicates). Rows whose key is already stored, or repeats in ``table``, are dropped."""
        with self.writer(dataset, import_id, ingested_at=ingested_at) as writer:
            writer.add(table)
        return writer.accepted, writer.duplicates

    @contextmanager
    def _locked(self, name: str) -> Iterator[None]:
        folder = self.root / name
        folder.mkdir(parents=True, exist_ok=True)
        with (folder / ".lock").open("a") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # --- files -------------------------------------------------------------------------

    def days(self, dataset: str | Dataset) -> list[dt.date]:
        """The day partitions that hold files, oldest first."""
        folder = self.root / resolve(dataset).name
        if not folder.is_dir():
            return []
        days = [
            dt.date.fromisoformat(entry.name.removeprefix("day="))
            for entry in os.scandir(folder)
            if entry.is_dir() and entry.name.startswith("day=")
        ]
        return sorted(days)

    def files(self, dataset: str | Dataset) -> list[Path]:
        """Every Parquet file of a dataset."""
        folder = self.root / resolve(dataset).name
        return sorted(folder.glob("day=*/*.parquet")) if folder.is_dir() else []

    # --- reading -----------------------------------------------------------------------

    def _connect(self) -> duckdb.DuckDBPyConnection:
        """A fresh connection with one view per dataset (empty when it has no files)."""
        con = duckdb.connect()
        for name, spec in DATASETS.items():
            files = self.files(name)
            if files:
                con.sql(
                    f"CREATE VIEW {name} AS SELECT * FROM read_parquet({sql_list(files)}, {HIVE})"
                )
            else:
                con.register(f"__empty_{name}", spec.arrow_schema().empty_table())
                con.sql(f"CREATE VIEW {name} AS SELECT *, NULL::DATE AS day FROM __empty_{name}")
        return con

    def sql(self, query: str, params: dict[str, Any] | list[Any] | None = None) -> pa.Table:
        """Run a read-only query; every dataset is a view of its name (plus a ``day`` column)."""
        with self._connect() as con:
            try:
                relation = con.sql(query, params=params)
            except duckdb.Error as exc:
                raise Invalid("query", str(exc).splitlines()[0]) from exc
            table: pa.Table = relation.to_arrow_table() if relation is not None else pa.table({})
            return table

    def read(self, dataset: str | Dataset) -> pa.Table:
        """The whole dataset in the stored schema (for tests and small datasets)."""
        spec = resolve(dataset)
        columns = ", ".join(spec.arrow_schema().names)
        table = self.sql(f"SELECT {columns} FROM {spec.name} ORDER BY {', '.join(spec.key)}")
        return table.cast(spec.arrow_schema())

    def row_count(self, dataset: str | Dataset) -> int:
        """Rows stored (from Parquet footers)."""
        return int(self.sql(f"SELECT count(*) FROM {resolve(dataset).name}").column(0)[0].as_py())

    def freshness(self, dataset: str | Dataset) -> tuple[dt.date | None, dt.datetime | None]:
        """The newest day partition and the last ``ingested_at``."""
        spec = resolve(dataset)
        days = self.days(spec)
        if not days:
            return None, None
        last = self.sql(f"SELECT max(ingested_at) FROM {spec.name}").column(0)[0].as_py()
        return days[-1], last

    def stats(self, dataset: str | Dataset) -> StoredStats:
        """Rows, files, bytes, day partitions and freshness of one dataset."""
        spec = resolve(dataset)
        files = self.files(spec)
        if not files:
            return StoredStats()
        days = self.days(spec)
        rows, last = (
            self.sql(f"SELECT count(*), max(ingested_at) FROM {spec.name}").to_pylist()[0].values()
        )
        return StoredStats(
            rows=int(rows), files=len(files), bytes=sum(p.stat().st_size for p in files),
            days=len(days), first_day=days[0], last_day=days[-1], last_ingested_at=last,
        )  # fmt: skip

    def recent(
        self, dataset: str | Dataset, enterprise: str, limit: int = 20
    ) -> list[dict[str, Any]]:
        """An enterprise's newest rows (by partition date), for the 360° page."""
        spec = _with_enterprise(resolve(dataset))
        columns = ", ".join(spec.arrow_schema().names)
        query = (
            f"SELECT {columns} FROM {spec.name} WHERE {spec.enterprise_field} = $code "
            f"ORDER BY {spec.partition_by} DESC, {', '.join(spec.key)} LIMIT $limit"
        )
        return self.sql(query, {"code": enterprise, "limit": limit}).to_pylist()

    def monthly_volume(
        self, dataset: str | Dataset, enterprise: str, value_column: str
    ) -> list[MonthlyVolume]:
        """Rows and the sum of ``value_column`` per calendar month for one enterprise."""
        spec = _with_enterprise(resolve(dataset))
        if value_column not in spec.field_names or not pa.types.is_floating(
            spec.get(value_column).type
        ):
            raise Invalid("value_column", f"{value_column!r} is not a number field of {spec.name}")
        query = (
            f"SELECT date_trunc('month', {spec.partition_by})::DATE AS month, count(*) AS n, "
            f"coalesce(sum({value_column}), 0) AS total FROM {spec.name} "
            f"WHERE {spec.enterprise_field} = $code GROUP BY 1 ORDER BY 1"
        )
        rows = self.sql(query, {"code": enterprise}).to_pylist()
        return [MonthlyVolume(r["month"], int(r["n"]), float(r["total"])) for r in rows]


def _with_enterprise(spec: Dataset) -> Dataset:
    if not spec.enterprise_field:
        raise Invalid("dataset", f"{spec.name} has no enterprise column")
    return spec
