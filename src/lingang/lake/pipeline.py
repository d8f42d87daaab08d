"""The import engine: batches → (mapping) → validation → quarantine | lake writer | carry.

Nothing here knows about users, the journal or the doors; :mod:`lingang.lake.service` wraps
it with permissions, ids, the journal, the audit record and the event.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from lingang.lake.catalog import Dataset
from lingang.lake.checks import References
from lingang.lake.mapping import Mapping
from lingang.lake.readers import LINE, RaggedRows
from lingang.lake.sidecar import CarryWriter, QuarantineWriter, carry_path, quarantine_path
from lingang.lake.store import LakeStore
from lingang.lake.validate import check_frame
from lingang.lake.writer import LakeWriter

RAGGED_FIELD = "_row"
Progress = Callable[[int], None]


@dataclass
class Outcome:
    """Counts of one import, and where its side files went."""

    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: int = 0
    by_field: Counter[str] = field(default_factory=Counter)
    quarantine: Path | None = None
    carried: Path | None = None


@dataclass
class ImportJob:
    """What one import needs besides its batches."""

    store: LakeStore
    dataset: Dataset
    refs: References
    import_id: str
    ingested_at: dt.datetime
    mapping: Mapping | None = None


class _Run:
    """Feeds one import's batches through validation to the writers."""

    def __init__(self, job: ImportJob, writer: LakeWriter, quarantine: QuarantineWriter,
                 carry: CarryWriter | None) -> None:  # fmt: skip
        self.job, self.writer, self.quarantine, self.carry = job, writer, quarantine, carry
        self.outcome = Outcome()

    def feed(self, batch: pl.DataFrame) -> None:
        """Map, validate and route one batch: rejects to the quarantine, the rest onwards."""
        source = self.job.mapping.apply(batch) if self.job.mapping else batch
        checked = check_frame(source.drop(LINE), self.job.dataset, self.job.refs)
        if not checked.rejects.is_empty():
            self._reject(batch, checked.rejects)
        self.writer.add(checked.typed, checked.ok)
        if self.carry is not None and self.job.mapping is not None:
            carried = self.job.mapping.carried(batch.select(pl.all().gather(checked.valid_rows)))
            keys = checked.valid.select(self.job.dataset.key)
            self.carry.write(pl.concat([keys, carried], how="horizontal"))
        self.outcome.rows += batch.height

    def _reject(self, batch: pl.DataFrame, rejects: pl.DataFrame) -> None:
        rows = rejects["row"]
        raw = batch.select(pl.col(LINE).alias("line"), pl.all().exclude(LINE)).select(
            pl.all().gather(rows)
        )
        parts = [raw.select("line"), rejects.select("field", "reason"), raw.drop("line")]
        self.quarantine.write(pl.concat(parts, how="horizontal"))
        self.outcome.rejected += rejects.height
        self.outcome.by_field.update(rejects["field"].to_list())

    def ragged(self, rows: RaggedRows, columns: list[str]) -> None:
        """Quarantine the rows the CSV reader skipped for their field count."""
        taken = rows.take()
        if not taken:
            return
        frame = pl.DataFrame(
            {
                "line": [r[0] for r in taken],
                "field": [RAGGED_FIELD] * len(taken),
                "reason": [f"{RAGGED_FIELD}: expected {r[3]} fields, found {r[2]}: {r[1][:200]}"
                           for r in taken],
            },
            schema={"line": pl.Int64, "field": pl.String, "reason": pl.String},
        ).with_columns(pl.lit(None, pl.String).alias(c) for c in columns)  # fmt: skip
        self.quarantine.write(frame)
        self.outcome.rows += len(taken)
        self.outcome.rejected += len(taken)
        self.outcome.by_field[RAGGED_FIELD] += len(taken)


def run_import(
    job: ImportJob, batches: Iterable[pl.DataFrame], *, ragged: RaggedRows | None = None,
    columns: list[str] | None = None, progress: Progress | None = None,
) -> Outcome:  # fmt: skip
    """Import every batch; on any error nothing is left in the lake or beside it."""
    root, name = job.store.root, job.dataset.name
    quarantine = QuarantineWriter(quarantine_path(root, name, job.import_id))
    carry = None
    if job.mapping is not None and job.mapping.carry:
        carry = CarryWriter(carry_path(root, name, job.import_id))
    try:
        with job.store.writer(job.dataset, job.import_id, ingested_at=job.ingested_at) as writer:
            run = _Run(job, writer, quarantine, carry)
            for batch in batches:
                run.feed(batch)
                if ragged is not None:
                    run.ragged(ragged, columns or [])
                if progress is not None:
                    progress(run.outcome.rows)
            if ragged is not None:
                run.ragged(ragged, columns or [])
            writer.flush()
    except BaseException:
        quarantine.abort()
        if carry is not None:
            carry.abort()
        raise
    outcome = run.outcome
    outcome.accepted, outcome.duplicates = writer.accepted, writer.duplicates
    outcome.quarantine = quarantine.commit()
    outcome.carried = carry.commit() if carry is not None else None
    return outcome
