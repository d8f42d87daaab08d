"""Lake use cases: import files and tables, read the lake page, the quarantine, 360° rows.

Every import is journalled in ``lake_imports``, audited, and announced with
``lake.import_completed`` after the journal commits. Who may do what: :mod:`lake.access`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa

from lingang.audit.service import AuditService
from lingang.db import UnitOfWorkFactory
from lingang.errors import Invalid
from lingang.lake import ledger
from lingang.lake.access import require_enterprise_view, require_importer, require_reader
from lingang.lake.catalog import DATASETS, Check, Dataset
from lingang.lake.checks import References, load_references
from lingang.lake.events import LakeImportCompleted
from lingang.lake.mapping import Mapping, load_mapping
from lingang.lake.model import (
    DatasetStats,
    ImportRecord,
    ImportSummary,
    MonthlyVolume,
    QuarantineView,
    Reject,
    import_id_for,
)
from lingang.lake.pipeline import ImportJob, Outcome, run_import
from lingang.lake.readers import (
    LINE,
    RaggedCsv,
    RaggedRows,
    estimate_rows,
    fast_batches,
    read_columns,
    serial_csv_batches,
    source_format,
)
from lingang.lake.sidecar import quarantine_files, read_rejects
from lingang.lake.store import LakeStore, resolve
from lingang.lake.validate import missing_required
from lingang.types import Actor, utcnow

ImportProgress = Callable[[int, int | None], None]
EnterpriseCodeOf = Callable[[Actor], str | None]


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(8 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def table_sha256(table: pa.Table) -> str:
    """The SHA-256 of a table's Arrow IPC stream (same rows and schema → same digest)."""
    digest = hashlib.sha256()
    for batch in table.to_batches(max_chunksize=256_000):
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, table.schema) as stream:
            stream.write_batch(batch)
        digest.update(sink.getvalue())
    return digest.hexdigest()


def check_header(dataset: Dataset, mapping: Mapping | None, columns: list[str], name: str) -> None:
    """``Invalid`` naming the columns a file lacks, before anything is written."""
    if mapping is None:
        absent = missing_required(dataset, columns)
    else:
        present = set(columns)
        absent = [c for c in mapping.required_columns() if c not in present]
    if absent:
        raise Invalid("header", f"{name}: missing required columns: {', '.join(absent)}")


def _completed(summary: ImportSummary) -> LakeImportCompleted:
    return LakeImportCompleted(
        import_id=summary.import_id, dataset=summary.dataset, source=summary.source[:500],
        rows=summary.rows, accepted=summary.accepted, duplicates=summary.duplicates,
        rejected=summary.rejected,
    )  # fmt: skip


class LakeService:
    """Imports into the lake and reads it, for the doors and the other domains."""

    def __init__(
        self, uow: UnitOfWorkFactory, audit: AuditService, store: LakeStore,
        *, hs_nomenclature: Path, enterprise_code_of: EnterpriseCodeOf | None = None,
        batch_rows: int = 250_000,
    ) -> None:  # fmt: skip
        self._uow, self._audit, self.store = uow, audit, store
        self._hs_path = hs_nomenclature
        self._code_of = enterprise_code_of or (lambda _actor: None)
        self._batch_rows = batch_rows

    def import_file(
        self, dataset: str, path: Path, *, actor: Actor, mapping: str | None = None,
        progress: ImportProgress | None = None, source: str | None = None,
    ) -> ImportSummary:  # fmt: skip
        """Validate every row of a CSV, JSON-lines or Parquet file and append the valid ones.

        Rows whose key is already in the lake count as duplicates, so importing the same file
        twice adds nothing. Invalid rows go to the quarantine with line, field and reason. A
        file that cannot be read, or lacks required columns, raises ``Invalid`` and changes
        nothing. ``mapping`` names a shipped mapping (``kcs-declarations``) or a mapping file;
        ``source`` is what the journal records as the origin (default: the path).
        """
        require_importer(actor)
        spec, rules = self._target(dataset, mapping)
        kind = source_format(path)
        columns = read_columns(path, kind)
        check_header(spec, rules, columns, path.name)
        sha = file_sha256(path)
        job = self._job(spec, rules, sha)
        total = estimate_rows(path, kind) if progress else None
        report = (lambda done: progress(done, total)) if progress else None
        try:
            outcome = run_import(job, fast_batches(path, kind, self._batch_rows), progress=report)
        except RaggedCsv:
            ragged = RaggedRows()
            batches = serial_csv_batches(path, columns, ragged)
            outcome = run_import(job, batches, ragged=ragged, columns=columns, progress=report)
        return self._journal(job, outcome, source or str(path), sha, actor, "lake.import_file")

    def ingest(
        self, dataset: str, table: pa.Table, *, source: str, actor: Actor,
        mapping: str | None = None,
    ) -> ImportSummary:  # fmt: skip
        """Validate and append an in-memory table (the simulator's door); same rules, same
        idempotency, same journal as :meth:`import_file`. ``source`` says where it came from."""
        require_importer(actor)
        spec, rules = self._target(dataset, mapping)
        check_header(spec, rules, table.column_names, source)
        sha = table_sha256(table)
        job = self._job(spec, rules, sha)
        outcome = run_import(job, self._slices(table))
        return self._journal(job, outcome, source, sha, actor, "lake.ingest")

    def _slices(self, table: pa.Table) -> Iterator[pl.DataFrame]:
        for start in range(0, max(table.num_rows, 1), self._batch_rows):
            part = pl.DataFrame(pl.from_arrow(table.slice(start, self._batch_rows)))
            yield part.with_columns(
                pl.int_range(start + 1, start + 1 + part.height, dtype=pl.Int64).alias(LINE)
            )

    def _job(self, spec: Dataset, rules: Mapping | None, sha: str) -> ImportJob:
        import_id = import_id_for(spec.name, sha, rules.name if rules else None)
        return ImportJob(self.store, spec, self._refs(spec), import_id, utcnow(), rules)

    def _target(self, dataset: str, mapping: str | None) -> tuple[Dataset, Mapping | None]:
        spec = resolve(dataset)
        rules = load_mapping(mapping) if mapping else None
        if rules is not None and rules.dataset.name != spec.name:
            raise Invalid(
                "mapping", f"{rules.name} maps into {rules.dataset.name}, not {spec.name}"
            )
        return spec, rules

    def _refs(self, spec: Dataset) -> References:
        needs_hs = any(f.check is Check.HS_CODE for f in spec.fields)
        return load_references(self._hs_path if needs_hs else None)

    def _journal(
        self, job: ImportJob, outcome: Outcome, source: str, sha: str, actor: Actor, action: str
    ) -> ImportSummary:
        summary = ImportSummary(
            import_id=job.import_id, dataset=job.dataset.name, source=source, sha256=sha,
            mapping=job.mapping.name if job.mapping else None, rows=outcome.rows,
            accepted=outcome.accepted, duplicates=outcome.duplicates, rejected=outcome.rejected,
            rejected_by_field=dict(outcome.by_field.most_common()),
            quarantine=str(outcome.quarantine) if outcome.quarantine else None,
            carried=str(outcome.carried) if outcome.carried else None,
            started_at=job.ingested_at, finished_at=utcnow(),
        )  # fmt: skip
        counts = {"rows": summary.rows, "accepted": summary.accepted,
                  "duplicates": summary.duplicates, "rejected": summary.rejected}  # fmt: skip
        with self._uow() as uow:
            ledger.add_import(uow.session, summary, actor.username)
            self._audit.record(
                uow.session, actor=actor, action=action, object_type="lake_import",
                object_id=summary.import_id, after={**counts, "sha256": sha},
                detail=f"{summary.dataset} ← {source}",
            )  # fmt: skip
            uow.emit(_completed(summary))
            uow.commit()
        return summary

    def list_datasets(self, *, actor: Actor) -> list[DatasetStats]:
        """Every catalog dataset with its rows, files, freshness, quarantine and imports."""
        require_reader(actor)
        with self._uow.read() as session:
            imports, last = ledger.count_by_dataset(session), ledger.last_by_dataset(session)
        return [self._stats(spec, imports.get(name, 0), last.get(name))
                for name, spec in DATASETS.items()]  # fmt: skip

    def _stats(self, spec: Dataset, imports: int, last: ImportRecord | None) -> DatasetStats:
        held = quarantine_files(self.store.root, spec.name)
        return DatasetStats(
            name=spec.name, label_zh=spec.label_zh, label_en=spec.label_en, key=spec.key,
            partition_by=spec.partition_by, stored=self.store.stats(spec),
            quarantined_rows=sum(f.rows for f in held), quarantine_files=len(held),
            imports=imports, last_import=last,
        )  # fmt: skip

    def quarantine(self, dataset: str, *, actor: Actor, limit: int = 100) -> QuarantineView:
        """A dataset's quarantine files (newest first) and up to ``limit`` of their rejects."""
        require_reader(actor)
        spec = resolve(dataset)
        held = quarantine_files(self.store.root, spec.name)
        rejects: list[Reject] = []
        for file in held:
            if len(rejects) >= limit:
                break
            rejects.extend(read_rejects(file, limit - len(rejects)))
        return QuarantineView(spec.name, held, rejects, total=sum(f.rows for f in held))

    def list_imports(
        self, *, actor: Actor, dataset: str | None = None, limit: int = 50
    ) -> list[ImportRecord]:
        """The import journal, newest first."""
        require_reader(actor)
        name = resolve(dataset).name if dataset else None
        with self._uow.read() as session:
            return ledger.list_imports(session, name, limit)

    def recent_records(
        self, dataset: str, enterprise_code: str, *, actor: Actor, limit: int = 20
    ) -> list[dict[str, Any]]:
        """An enterprise's newest rows of a dataset (360° page); enterprise users: own only."""
        require_enterprise_view(actor, enterprise_code, self._own_code(actor))
        return self.store.recent(dataset, enterprise_code, limit)

    def monthly_volume(
        self, dataset: str, enterprise_code: str, value_column: str, *, actor: Actor
    ) -> list[MonthlyVolume]:
        """Rows and summed ``value_column`` per month for an enterprise (360° page)."""
        require_enterprise_view(actor, enterprise_code, self._own_code(actor))
        return self.store.monthly_volume(dataset, enterprise_code, value_column)

    def declaration_counts(self, year: int) -> dict[str, int]:
        """Declarations (distinct declaration numbers) per enterprise code in a calendar
        year — the base of customs credit's per-mille thresholds. For other domains' services;
        no actor (it hands out counts, not rows)."""
        table = self.store.sql(
            "SELECT enterprise_code, count(DISTINCT declaration_id) AS n FROM declarations "
            "WHERE year(declared_on) = $year GROUP BY enterprise_code", {"year": year},
        )  # fmt: skip
        codes, counts = table.column(0).to_pylist(), table.column(1).to_pylist()
        return {str(code): int(n or 0) for code, n in zip(codes, counts, strict=True) if code}

    def _own_code(self, actor: Actor) -> str | None:
        return self._code_of(actor) if actor.is_enterprise else None
