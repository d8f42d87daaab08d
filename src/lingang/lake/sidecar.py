"""Files beside the lake: each import's quarantine CSV and its carried columns.

``<root>/_quarantine/<dataset>/<import_id>.csv`` has ``line, field, reason`` and then the
source row's own columns as text. ``<root>/_carry/<dataset>/<import_id>.parquet`` has the
dataset key of every valid row and the columns a mapping carries (e.g. KCS ``Fraud``).
Both are written to a temporary name and renamed into place only when the import commits.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from pathlib import Path
from typing import BinaryIO

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from lingang.lake.model import QuarantineFile, Reject

REJECT_COLUMNS = ("line", "field", "reason")


def quarantine_path(root: Path, dataset: str, import_id: str) -> Path:
    """Where the rejects of one import go."""
    return root / "_quarantine" / dataset / f"{import_id}.csv"


def carry_path(root: Path, dataset: str, import_id: str) -> Path:
    """Where the carried columns of one import go."""
    return root / "_carry" / dataset / f"{import_id}.parquet"


def _temporary(final: Path) -> Path:
    return final.with_name(f".{final.name}.{uuid.uuid4().hex[:8]}.tmp")


class QuarantineWriter:
    """Appends rejects to a temporary CSV; :meth:`commit` renames it into place."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self.rows = 0
        self._temp = _temporary(final)
        self._handle: BinaryIO | None = None

    def write(self, rejects: pl.DataFrame) -> None:
        """Append rejects: ``line``, ``field``, ``reason`` and the raw source columns."""
        if rejects.is_empty():
            return
        clashes = {c: f"raw:{c}" for c in rejects.columns[3:] if c in REJECT_COLUMNS}
        frame = rejects.rename(clashes).with_columns(
            pl.col(c).cast(pl.String) for c in rejects.columns[3:]
        )
        header = self._handle is None
        if self._handle is None:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self._handle = self._temp.open("wb")
        frame.write_csv(self._handle, include_header=header)
        self.rows += frame.height

    def commit(self) -> Path | None:
        """Move the file into place; None when nothing was rejected."""
        if self._handle is None:
            return None
        self._handle.close()
        os.replace(self._temp, self.final)
        return self.final

    def abort(self) -> None:
        """Drop what was written."""
        if self._handle is not None:
            self._handle.close()
            self._temp.unlink(missing_ok=True)


class CarryWriter:
    """Writes the key and carried columns of valid rows to a temporary Parquet file."""

    def __init__(self, final: Path) -> None:
        self.final = final
        self._temp = _temporary(final)
        self._writer: pq.ParquetWriter | None = None
        self._schema: pa.Schema | None = None

    def write(self, frame: pl.DataFrame) -> None:
        """Append a batch (key columns first, then the carried ones)."""
        if frame.is_empty():
            return
        table = frame.to_arrow(compat_level=pl.CompatLevel.oldest())
        if self._writer is None or self._schema is None:
            self.final.parent.mkdir(parents=True, exist_ok=True)
            self._writer = pq.ParquetWriter(self._temp, table.schema, compression="zstd")
            self._schema = table.schema
        self._writer.write_table(table.cast(self._schema))

    def commit(self) -> Path | None:
        """Move the file into place; None when there was nothing to carry."""
        if self._writer is None:
            return None
        self._writer.close()
        os.replace(self._temp, self.final)
        return self.final

    def abort(self) -> None:
        """Drop what was written."""
        if self._writer is not None:
            self._writer.close()
            self._temp.unlink(missing_ok=True)


def quarantine_files(root: Path, dataset: str) -> list[QuarantineFile]:
    """The quarantine files of a dataset, newest first, with their row counts."""
    folder = root / "_quarantine" / dataset
    if not folder.is_dir():
        return []
    found = [p for p in folder.glob("*.csv") if not p.name.startswith(".")]
    found.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    return [
        QuarantineFile(
            import_id=p.stem,
            path=str(p),
            rows=_count_rows(p),
            modified=dt.datetime.fromtimestamp(p.stat().st_mtime, tz=dt.UTC),
        )
        for p in found
    ]


def _count_rows(path: Path) -> int:
    count = pl.scan_csv(path, infer_schema=False).select(pl.len()).collect().item()
    return int(count)


def read_rejects(file: QuarantineFile, limit: int) -> list[Reject]:
    """The first ``limit`` rejects of one quarantine file."""
    frame = pl.read_csv(file.path, infer_schema=False, n_rows=limit)
    raw = [c for c in frame.columns if c not in REJECT_COLUMNS]
    return [
        Reject(
            import_id=file.import_id,
            line=int(row["line"] or 0),
            field=row["field"] or "",
            reason=row["reason"] or "",
            raw={c: row[c] for c in raw if row[c] is not None},
        )
        for row in frame.iter_rows(named=True)
    ]
