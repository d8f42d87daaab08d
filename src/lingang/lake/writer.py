"""One import's writes to one dataset: buffered, deduplicated by key, staged, then committed.

Valid rows are buffered until ``flush_rows`` are waiting. A flush drops rows whose key repeats
within the buffer or already exists in the lake — looking only at the day partitions the
buffer touches, plus what this import has staged — sorts the rest by day and writes one zstd
Parquet file per day into a private staging folder. :meth:`LakeWriter.commit` renames the
staged files into the dataset's partitions (each rename atomic); :meth:`LakeWriter.abort`
deletes them, so a failed import leaves the lake as it was.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import uuid
from collections import defaultdict
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Literal

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq

from lingang.lake.catalog import Check, Dataset

COMPRESSION: Literal["zstd"] = "zstd"
KEEP = "__keep__"
DAY = "__day__"
ROW = "__row__"
HASH_SEED = 20_250_101
STAGE_ROWS = 262_144  # rows converted to Arrow at once while staging (bounds the peak)


def day_expr(dataset: Dataset) -> pl.Expr:
    """The partition day of each row (the UTC date of a timestamp partition field)."""
    column = pl.col(dataset.partition_by)
    return (
        column.dt.date()
        if pa.types.is_timestamp(dataset.get(dataset.partition_by).type)
        else column
    )


def dictionary_columns(dataset: Dataset) -> list[str]:
    """Text columns worth dictionary-encoding: checked codes that repeat (not the key, not
    free text), and the import id. Skipping the rest makes small day files cheaper to write."""
    coded = [
        f.name for f in dataset.fields
        if pa.types.is_string(f.type) and f.check is not Check.NONE and f.name not in dataset.key
    ]  # fmt: skip
    return [*coded, "import_id"]


def statistics_columns(dataset: Dataset) -> list[str]:
    """Columns whose min/max go into the footers: the ones reads filter on (key, partition
    date, enterprise, lineage). Fewer statistics make small day files cheaper to write."""
    wanted = [*dataset.key, dataset.partition_by, dataset.enterprise_field]
    return [*dict.fromkeys(n for n in wanted if n), "import_id", "ingested_at"]


def partition_dir(root: Path, dataset: str, day: dt.date) -> Path:
    """The folder of one day's files: ``<root>/<dataset>/day=YYYY-MM-DD``."""
    return root / dataset / f"day={day.isoformat()}"


def sql_list(paths: list[Path]) -> str:
    """Paths as a DuckDB list literal."""
    quoted = ("'" + str(p).replace("'", "''") + "'" for p in paths)
    return "[" + ", ".join(quoted) + "]"


class LakeWriter:
    """Collects valid rows of one import and writes them idempotently."""

    def __init__(
        self, root: Path, dataset: Dataset, import_id: str, ingested_at: dt.datetime,
        *, flush_rows: int, threads: int,
    ) -> None:  # fmt: skip
        self.root, self.dataset, self.import_id = root, dataset, import_id
        self.ingested_at = ingested_at
        self.accepted = 0
        self.duplicates = 0
        self._flush_rows, self._threads = flush_rows, threads
        self._buffer: list[pl.DataFrame] = []
        self._buffered = 0
        self._run = f"{import_id}-{uuid.uuid4().hex[:8]}"
        self._staging = root / "_staging" / self._run
        self._staged: dict[dt.date, list[Path]] = defaultdict(list)
        self._staged_hashes: list[pl.Series] = []
        self._flushes = 0
        self._dictionary = dictionary_columns(dataset)
        self._statistics = statistics_columns(dataset)

    def add(self, rows: pl.DataFrame | pa.Table, keep: pl.Series | None = None) -> None:
        """Queue rows typed to the dataset's fields — those where ``keep`` is true, or all —
        and flush when enough are waiting."""
        frame = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(pl.from_arrow(rows))
        if frame.is_empty():
            return
        mask = keep if keep is not None else pl.repeat(True, frame.height, eager=True)
        self._buffer.append(frame.select(self.dataset.field_names).with_columns(mask.alias(KEEP)))
        self._buffered += frame.height
        if self._buffered >= self._flush_rows:
            self.flush()

    def flush(self) -> None:
        """Deduplicate the buffer against itself and the lake, and stage it by day."""
        if not self._buffer:
            return
        frame = pl.concat(self._buffer, how="vertical_relaxed", rechunk=False)
        self._buffer, self._buffered = [], 0
        offered = int(frame[KEEP].sum())
        rows = self._new_rows(frame)
        self.duplicates += offered - rows.len()
        self.accepted += rows.len()
        if rows.len():
            self._stage(frame.drop(KEEP), rows)
            self._flushes += 1

    def _new_rows(self, frame: pl.DataFrame) -> pl.Series:
        """Positions of the rows to write: kept, first of their key, and not yet stored.

        Keys are looked up exactly (DuckDB) in the lake's files of the touched days. Against
        what this import staged before, a 64-bit hash of each key narrows the exact lookup
        to the few keys whose hash was seen — usually none.
        """
        key = list(self.dataset.key)
        # (keep, key) tuples: a rejected row never shadows a valid row with the same key
        first = pl.struct(KEEP, *key).is_first_distinct()
        candidates = frame.select(*key, day_expr(self.dataset).alias(DAY)).with_row_index(ROW)
        candidates = candidates.filter(frame[KEEP] & frame.select(first).to_series())
        hashes = candidates.select(key).hash_rows(seed=HASH_SEED)
        days = candidates[DAY].unique().to_list()
        found = [self._stored_keys(candidates.select(key), self._lake_files(days))]
        if self._staged_hashes:
            maybe = hashes.is_in(pl.concat(self._staged_hashes).implode())
            if maybe.any():
                staged = [p for day in days for p in self._staged.get(day, ())]
                found.append(self._stored_keys(candidates.filter(maybe).select(key), staged))
        known = pl.concat(found)
        if known.height:
            candidates = candidates.join(known, on=key, how="anti", maintain_order="left")
        self._staged_hashes.append(
            candidates.select(key).hash_rows(seed=HASH_SEED) if known.height else hashes
        )
        return candidates[ROW]

    def _stored_keys(self, keys: pl.DataFrame, files: list[Path]) -> pl.DataFrame:
        """Those of ``keys`` that are already in ``files``."""
        if not files or keys.is_empty():
            return keys.clear()
        names = ", ".join(keys.columns)
        with duckdb.connect() as con:
            con.register("incoming", keys.to_arrow(compat_level=pl.CompatLevel.oldest()))
            found = con.sql(
                f"SELECT DISTINCT {names} FROM read_parquet({sql_list(files)}) "
                f"SEMI JOIN incoming USING ({names})"
            ).to_arrow_table()
        return pl.DataFrame(pl.from_arrow(found)).cast(keys.schema)

    def _lake_files(self, days: list[dt.date]) -> list[Path]:
        """The dataset's files (committed before this import) for the given days."""
        found: list[Path] = []
        for day in days:
            folder = partition_dir(self.root, self.dataset.name, day)
            if folder.is_dir():
                found.extend(p for p in folder.iterdir() if p.suffix == ".parquet")
        return found

    def _stage(self, frame: pl.DataFrame, rows: pl.Series) -> None:
        """Write ``rows`` of ``frame`` into one new file per day."""
        pending: list[Future[tuple[dt.date, Path]]] = []
        with ThreadPoolExecutor(max_workers=self._threads) as pool:
            for table, parts in self._day_groups(frame, rows):
                # the next group is converted while this one is written: two at most in memory
                done, pending = (
                    pending,
                    [
                        pool.submit(self._write, day, table.slice(offset, length))
                        for day, offset, length in parts
                    ],
                )
                self._collect(done)
            self._collect(pending)

    def _day_groups(
        self, frame: pl.DataFrame, rows: pl.Series
    ) -> Iterator[tuple[pa.Table, list[tuple[dt.date, int, int]]]]:
        """The rows sorted by day, converted to the stored schema ``STAGE_ROWS`` at a time,
        each group with its days as (day, offset, length)."""
        days = frame.select(day_expr(self.dataset).alias(DAY)).to_series().gather(rows)
        order = pl.DataFrame([days, rows.alias(ROW)]).sort(DAY, maintain_order=True)
        runs = order[DAY].rle().struct.unnest()  # (len, value): one run per day, in order
        parts: list[tuple[dt.date, int, int]] = []
        first = end = 0
        for length, day in runs.iter_rows():
            parts.append((day, end - first, length))
            end += length
            if end - first >= STAGE_ROWS:
                yield self._stored_form(frame, order[ROW].slice(first, end - first)), parts
                parts, first = [], end
        if parts:
            yield self._stored_form(frame, order[ROW].slice(first, end - first)), parts

    def _collect(self, futures: list[Future[tuple[dt.date, Path]]]) -> None:
        for future in futures:
            day, path = future.result()
            self._staged[day].append(path)

    def _stored_form(self, frame: pl.DataFrame, rows: pl.Series) -> pa.Table:
        """Rows of the buffer with lineage, in the dataset's stored Arrow schema."""
        lineage = [
            pl.lit(self.import_id).alias("import_id"),
            pl.lit(self.ingested_at).alias("ingested_at"),
        ]
        return (
            frame.select(pl.all().gather(rows)).with_columns(lineage)
            .to_arrow(compat_level=pl.CompatLevel.oldest()).cast(self.dataset.arrow_schema())
        )  # fmt: skip

    def _write(self, day: dt.date, table: pa.Table) -> tuple[dt.date, Path]:
        folder = partition_dir(self._staging, self.dataset.name, day)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"part-{self._run}-{self._flushes:04d}.parquet"
        pq.write_table(
            table,
            path,
            compression=COMPRESSION,
            use_dictionary=self._dictionary,  # type: ignore[arg-type]  # pyarrow takes a column list
            write_statistics=self._statistics,
        )
        return day, path

    def commit(self) -> tuple[int, int]:
        """Flush, move the staged files into the lake, and return (accepted, duplicates)."""
        self.flush()
        for day, paths in self._staged.items():
            target = partition_dir(self.root, self.dataset.name, day)
            target.mkdir(parents=True, exist_ok=True)
            for path in paths:
                os.replace(path, target / path.name)
        self._staged.clear()
        self._staged_hashes.clear()
        shutil.rmtree(self._staging, ignore_errors=True)
        return self.accepted, self.duplicates

    def abort(self) -> None:
        """Forget everything this import staged."""
        self._buffer.clear()
        self._staged.clear()
        self._staged_hashes.clear()
        shutil.rmtree(self._staging, ignore_errors=True)
