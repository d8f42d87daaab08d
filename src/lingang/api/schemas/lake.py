"""Wire schemas of the data lake: import summaries, dataset statistics, the quarantine."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel

from lingang.lake.model import (
    DatasetStats,
    ImportRecord,
    ImportSummary,
    QuarantineView,
)


class ImportPublic(BaseModel):
    """What one import did."""

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
    started_at: dt.datetime
    finished_at: dt.datetime
    seconds: float
    rows_per_second: float


class ImportRecordPublic(BaseModel):
    """One import of the journal."""

    import_id: str
    dataset: str
    source: str
    mapping: str | None
    rows: int
    accepted: int
    duplicates: int
    rejected: int
    finished_at: dt.datetime
    actor: str


class DatasetPublic(BaseModel):
    """One line of the lake page."""

    name: str
    label_zh: str
    label_en: str
    key: list[str]
    partition_by: str
    rows: int
    files: int
    bytes: int
    days: int
    first_day: dt.date | None
    last_day: dt.date | None
    last_ingested_at: dt.datetime | None
    quarantined_rows: int
    quarantine_files: int
    imports: int
    last_import: ImportRecordPublic | None


class DatasetsPublic(BaseModel):
    """Every dataset of the catalog."""

    data: list[DatasetPublic]
    count: int


class RejectPublic(BaseModel):
    """A quarantined row."""

    import_id: str
    line: int
    field: str
    reason: str
    raw: dict[str, str]


class QuarantineFilePublic(BaseModel):
    """The rejects of one import."""

    import_id: str
    rows: int
    modified: dt.datetime


class QuarantinePublic(BaseModel):
    """A dataset's quarantine."""

    dataset: str
    total: int
    files: list[QuarantineFilePublic]
    rejects: list[RejectPublic]


def import_public(summary: ImportSummary) -> ImportPublic:
    """Domain summary → wire schema (the quarantine path is shown relative to the lake)."""
    return ImportPublic(
        import_id=summary.import_id, dataset=summary.dataset, source=summary.source,
        sha256=summary.sha256, mapping=summary.mapping, rows=summary.rows,
        accepted=summary.accepted, duplicates=summary.duplicates, rejected=summary.rejected,
        rejected_by_field=summary.rejected_by_field,
        quarantine=f"_quarantine/{summary.dataset}/{summary.import_id}.csv"
        if summary.quarantine else None,
        started_at=summary.started_at, finished_at=summary.finished_at,
        seconds=round(summary.seconds, 3), rows_per_second=round(summary.rows_per_second, 1),
    )  # fmt: skip


def record_public(record: ImportRecord) -> ImportRecordPublic:
    """Journal row → wire schema."""
    return ImportRecordPublic(
        import_id=record.import_id, dataset=record.dataset, source=record.source,
        mapping=record.mapping, rows=record.rows, accepted=record.accepted,
        duplicates=record.duplicates, rejected=record.rejected,
        finished_at=record.finished_at, actor=record.actor,
    )  # fmt: skip


def dataset_public(stats: DatasetStats) -> DatasetPublic:
    """Domain statistics → wire schema."""
    stored = stats.stored
    return DatasetPublic(
        name=stats.name, label_zh=stats.label_zh, label_en=stats.label_en, key=list(stats.key),
        partition_by=stats.partition_by, rows=stored.rows, files=stored.files,
        bytes=stored.bytes, days=stored.days, first_day=stored.first_day,
        last_day=stored.last_day, last_ingested_at=stored.last_ingested_at,
        quarantined_rows=stats.quarantined_rows, quarantine_files=stats.quarantine_files,
        imports=stats.imports,
        last_import=record_public(stats.last_import) if stats.last_import else None,
    )  # fmt: skip


def quarantine_public(view: QuarantineView) -> QuarantinePublic:
    """Domain quarantine → wire schema (server paths are not shown)."""
    return QuarantinePublic(
        dataset=view.dataset, total=view.total,
        files=[QuarantineFilePublic(import_id=f.import_id, rows=f.rows, modified=f.modified)
               for f in view.files],
        rejects=[RejectPublic(import_id=r.import_id, line=r.line, field=r.field,
                              reason=r.reason, raw=r.raw) for r in view.rejects],
    )  # fmt: skip
