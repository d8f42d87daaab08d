"""Lake domain values: what an import reports, what the lake page shows (pure, no I/O)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from dataclasses import dataclass


def import_id_for(dataset: str, content_sha256: str, mapping: str | None = None) -> str:
    """The id of importing some content into a dataset: the same file → the same id."""
    seed = f"{dataset}\n{mapping or ''}\n{content_sha256}".encode()
    return hashlib.sha256(seed).hexdigest()[:16]


@dataclass(frozen=True, slots=True)
class ImportSummary:
    """The outcome of one import: counts, where the rejects went, and how long it took.

    ``rows`` = ``accepted`` + ``duplicates`` + ``rejected``. ``duplicates`` are valid rows
    whose key was already in the lake or earlier in the same import.
    """

    import_id: str
    dataset: str
    source: str
    sha256: str
    mapping: str | None
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    rejected_by_field: dict[str, int]
    quarantine: str | None
    carried: str | None
    started_at: dt.datetime
    finished_at: dt.datetime

    @property
    def seconds(self) -> float:
        """Wall-clock duration."""
        return (self.finished_at - self.started_at).total_seconds()

    @property
    def rows_per_second(self) -> float:
        """Rows read per second of wall-clock time."""
        return self.rows / self.seconds if self.seconds > 0 else float(self.rows)


@dataclass(frozen=True, slots=True)
class ImportRecord:
    """One row of the import journal (``lake_imports``)."""

    id: int
    import_id: str
    dataset: str
    source: str
    sha256: str
    mapping: str | None
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    started_at: dt.datetime
    finished_at: dt.datetime
    actor: str


@dataclass(frozen=True, slots=True)
class StoredStats:
    """What the Parquet files of one dataset hold."""

    rows: int = 0
    files: int = 0
    bytes: int = 0
    days: int = 0
    first_day: dt.date | None = None
    last_day: dt.date | None = None
    last_ingested_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class DatasetStats:
    """One line of the lake page: a dataset, its size, freshness and quarantine."""

    name: str
    label_zh: str
    label_en: str
    key: tuple[str, ...]
    partition_by: str
    stored: StoredStats
    quarantined_rows: int
    quarantine_files: int
    imports: int
    last_import: ImportRecord | None = None


@dataclass(frozen=True, slots=True)
class QuarantineFile:
    """The rejects of one import."""

    import_id: str
    path: str
    rows: int
    modified: dt.datetime


@dataclass(frozen=True, slots=True)
class Reject:
    """One quarantined row: where it was, which field failed first, and why."""

    import_id: str
    line: int
    field: str
    reason: str
    raw: dict[str, str] = dataclasses.field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class QuarantineView:
    """A dataset's quarantine: its files, and the first rejects (newest file first)."""

    dataset: str
    files: list[QuarantineFile]
    rejects: list[Reject]
    total: int


@dataclass(frozen=True, slots=True)
class MonthlyVolume:
    """Rows and the sum of a value column in one calendar month."""

    month: dt.date
    rows: int
    total: float
