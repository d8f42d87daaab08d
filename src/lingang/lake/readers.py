"""Read CSV, JSON lines and Parquet files as a stream of polars batches with line numbers.

Every batch carries a ``__line__`` column: the line of a CSV row (the header is line 1), the
line of a JSON-lines record, or the 1-based row number in a Parquet file. CSV values are read
as text (the validator parses them); JSON and Parquet keep their types. Line numbers assume
one record per line (no line breaks inside quoted CSV values, no blank lines in JSON lines).

CSV goes through polars' parallel reader. A CSV with ragged rows (too many or too few
fields) cannot go through it, so the import restarts on pyarrow's serial reader, which skips
those rows and reports them — with their line — for the quarantine (:class:`RaggedRows`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.csv as pacsv

from lingang.errors import Invalid

LINE = "__line__"
FORMATS = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".json": "jsonl",
    ".parquet": "parquet",
    ".pq": "parquet",
}


class RaggedCsv(Exception):
    """The fast CSV reader met a row whose field count differs from the header's."""


@dataclass
class RaggedRows:
    """Rows the serial CSV reader skipped: (line, text, fields found, fields expected)."""

    rows: list[tuple[int, str, int, int]] = field(default_factory=list)

    def handle(self, row: pacsv.InvalidRow) -> Literal["skip", "error"]:
        """pyarrow's ``invalid_row_handler``: remember the row, skip it."""
        self.rows.append((row.number or 0, row.text, row.actual_columns, row.expected_columns))
        return "skip"

    def take(self) -> list[tuple[int, str, int, int]]:
        """The rows skipped since the last call."""
        taken, self.rows = self.rows, []
        return taken


def source_format(path: Path) -> str:
    """``csv``, ``jsonl`` or ``parquet`` from the file's extension; ``Invalid`` otherwise."""
    kind = FORMATS.get(path.suffix.lower())
    if kind is None:
        known = ", ".join(sorted(FORMATS))
        raise Invalid("file", f"{path.name}: unsupported file type (use {known})")
    return kind


def _unreadable(path: Path, exc: Exception) -> Invalid:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return Invalid("file", f"cannot read {path.name}: {text}")


def _scan(path: Path, kind: str) -> pl.LazyFrame:
    if kind == "csv":
        return pl.scan_csv(path, infer_schema=False, raise_if_empty=True)
    if kind == "jsonl":
        return pl.scan_ndjson(path, infer_schema_length=10_000)
    return pl.scan_parquet(path)


def read_columns(path: Path, kind: str) -> list[str]:
    """The file's column names (CSV header, JSON keys, Parquet schema); ``Invalid`` when the
    file cannot be read at all."""
    if not path.is_file():
        raise Invalid("file", f"{path} does not exist or is not a file")
    try:
        return _scan(path, kind).collect_schema().names()
    except (pl.exceptions.PolarsError, OSError, pa.ArrowException) as exc:
        raise _unreadable(path, exc) from exc


def estimate_rows(path: Path, kind: str) -> int | None:
    """Rows in the file: exact for Parquet, estimated from the first MiB for text files."""
    if kind == "parquet":
        return pl.scan_parquet(path).select(pl.len()).collect().item()  # type: ignore[no-any-return]
    with path.open("rb") as handle:
        sample = handle.read(1 << 20)
    lines = sample.count(b"\n")
    if not lines:
        return None
    return int(path.stat().st_size / (len(sample) / lines))


def fast_batches(path: Path, kind: str, batch_rows: int) -> Iterator[pl.DataFrame]:
    """Batches of about ``batch_rows`` rows, each with its ``__line__`` column.

    Raises :class:`RaggedCsv` for a CSV whose rows do not all have the header's field count,
    and ``Invalid`` when the file turns out unreadable part-way.
    """
    first = {"csv": 2, "jsonl": 1, "parquet": 1}[kind]
    frame = _scan(path, kind).with_row_index(LINE, offset=first)
    try:
        for batch in frame.collect_batches(chunk_size=batch_rows):
            yield batch.with_columns(pl.col(LINE).cast(pl.Int64))
    except pl.exceptions.ComputeError as exc:
        if kind == "csv" and "fields" in str(exc):
            raise RaggedCsv(str(exc)) from exc
        raise _unreadable(path, exc) from exc
    except (pl.exceptions.PolarsError, OSError) as exc:
        raise _unreadable(path, exc) from exc


def serial_csv_batches(
    path: Path, columns: list[str], ragged: RaggedRows, batch_bytes: int = 64 << 20
) -> Iterator[pl.DataFrame]:
    """A CSV read row by row in C (pyarrow), skipping ragged rows into ``ragged``.

    Line numbers of the rows read are the lines not skipped, counted from 2.
    """
    options = pacsv.ConvertOptions(column_types=dict.fromkeys(columns, pa.string()))
    reader = pacsv.open_csv(
        path,
        read_options=pacsv.ReadOptions(use_threads=False, block_size=batch_bytes),
        parse_options=pacsv.ParseOptions(invalid_row_handler=ragged.handle),
        convert_options=options,
    )
    next_line, skipped = 2, np.zeros(0, dtype=np.int64)
    try:
        for record_batch in reader:
            new = np.array([r[0] for r in ragged.rows], dtype=np.int64)
            skipped = np.union1d(skipped, new)
            lines = _lines_after(next_line, record_batch.num_rows, skipped)
            next_line = int(lines[-1]) + 1 if lines.size else next_line
            frame = pl.from_arrow(pa.Table.from_batches([record_batch]))
            assert isinstance(frame, pl.DataFrame)
            yield frame.with_columns(pl.Series(LINE, lines))
    except pa.ArrowException as exc:
        raise _unreadable(path, exc) from exc


def _lines_after(start: int, count: int, skipped: np.ndarray) -> np.ndarray:
    """The first ``count`` line numbers from ``start`` on that were not skipped."""
    later = skipped[skipped >= start]
    window = np.arange(start, start + count + later.size, dtype=np.int64)
    return np.setdiff1d(window, later, assume_unique=True)[:count]
