"""Running a simulation: write Parquet files, load a platform, or both, in one pass.

Loading registers the register through ``EntityService.register_batch`` (a few thousand
enterprises per batch, one audit record each), ingests every chunk of every dataset through
the lake, and keeps the truth tables *outside* the lake, in ``<data_dir>/simulation/truth``,
so features cannot peek at them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import pyarrow as pa

from lingang.entities.service import ZoneBatch
from lingang.lake.model import ImportSummary
from lingang.simulate import output
from lingang.simulate.chunk import DATASET_ORDER, ZoneChunk
from lingang.simulate.risk.truth import PATTERNS
from lingang.simulate.zone import (
    Plan,
    Progress,
    enterprise_table,
    holding_table,
    iter_chunks,
    person_table,
    zone_batches,
)
from lingang.types import Actor

BATCH_ENTERPRISES = 2000
MANIFEST = "manifest.json"


class Registrar(Protocol):
    """What loading needs of the entity service."""

    def register_batch(self, batch: ZoneBatch, *, actor: Actor) -> int:
        """Register a batch in one transaction; returns the count."""
        ...


class Lake(Protocol):
    """What loading needs of the lake service."""

    def ingest(self, dataset: str, table: pa.Table, *, source: str, actor: Actor) -> ImportSummary:
        """Validate, de-duplicate and append a table to a dataset."""
        ...


@dataclass(frozen=True, slots=True)
class Target:
    """Where a simulation is loaded: the entity service, the lake, the data directory."""

    entities: Registrar
    lake: Lake | None
    data_dir: Path
    actor: Actor


@dataclass(slots=True)
class Report:
    """Row counts of what was generated, and of what the lake accepted."""

    counts: dict[str, dict[str, int]] = field(default_factory=dict)
    loaded: dict[str, dict[str, int]] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        """Counts (and load results) as plain JSON."""
        return {**self.counts, **({"loaded": self.loaded} if self.loaded else {})}


def simulation_dir(data_dir: Path) -> Path:
    """Where a platform keeps its simulation manifest and truth tables."""
    return data_dir / "simulation"


def run_simulation(
    plan: Plan,
    *,
    out_dir: Path | None = None,
    target: Target | None = None,
    progress: Progress | None = None,
    note: dict[str, Any] | None = None,
) -> Report:
    """Generate ``plan`` once, writing it to ``out_dir`` and/or loading it into ``target``.

    ``note`` adds fields to the manifest (e.g. the enterprise a demo user is bound to).
    """
    report = _empty_report(plan)
    if target is not None:
        register(plan, target, progress)
    files = output.DatasetFiles(out_dir / "raw") if out_dir else None
    truth: dict[str, list[pa.Table]] = {p: [] for p in PATTERNS}
    try:
        for chunk in iter_chunks(plan, progress):
            _consume(plan, chunk, files, target, report)
            for pattern in PATTERNS:
                truth[pattern].append(chunk.truth[pattern])
                report.counts["truth"][pattern] += chunk.truth[pattern].num_rows
    finally:
        if files:
            files.close()
    tables = {p: pa.concat_tables(t) for p, t in truth.items()}
    if out_dir:
        _write_outputs(plan, out_dir, tables, report, note or {}, register_tables=True)
    if target is not None:
        root = simulation_dir(target.data_dir)
        _write_outputs(plan, root, tables, report, note or {}, register_tables=False)
    return report


def _empty_report(plan: Plan) -> Report:
    own = plan.registry.owners
    register = {"enterprises": plan.registry.size, "persons": own.persons,
                "holdings": len(own.percent)}  # fmt: skip
    return Report(counts={"datasets": dict.fromkeys(DATASET_ORDER, 0),
                          "truth": dict.fromkeys(PATTERNS, 0), "register": register})  # fmt: skip


def _consume(
    plan: Plan, chunk: ZoneChunk, files: output.DatasetFiles | None, target: Target | None,
    report: Report,
) -> None:  # fmt: skip
    """Write and/or ingest every dataset of one chunk."""
    source = f"simulation:seed={plan.registry.params.seed}:chunk={chunk.index}"
    for name in DATASET_ORDER:
        table = chunk.datasets[name]
        report.counts["datasets"][name] += table.num_rows
        if files:
            files.write(name, table)
        if target is not None and target.lake is not None:
            _ingest(target, name, table, source, report)


def register(plan: Plan, target: Target, progress: Progress | None = None) -> int:
    """Register every enterprise, person and holding, in batches; returns the count."""
    done = 0
    for batch in zone_batches(plan.registry, BATCH_ENTERPRISES):
        done += target.entities.register_batch(batch, actor=target.actor)
        if progress:
            progress("register", done, plan.registry.size)
    return done


def _ingest(target: Target, name: str, table: pa.Table, source: str, report: Report) -> None:
    assert target.lake is not None
    summary = target.lake.ingest(name, table, source=source, actor=target.actor)
    counts = report.loaded.setdefault(name, {"accepted": 0, "duplicates": 0, "rejected": 0})
    counts["accepted"] += summary.accepted
    counts["duplicates"] += summary.duplicates
    counts["rejected"] += summary.rejected


def _write_outputs(
    plan: Plan, root: Path, truth: dict[str, pa.Table], report: Report, note: dict[str, Any],
    *, register_tables: bool,
) -> None:  # fmt: skip
    for pattern, table in truth.items():
        output.write_table(root / "truth" / f"{pattern}.parquet", table)
    if register_tables:
        reg = plan.registry
        output.write_table(root / "register" / "enterprises.parquet", enterprise_table(reg))
        output.write_table(root / "register" / "persons.parquet", person_table(reg))
        output.write_table(root / "register" / "holdings.parquet", holding_table(reg))
        content = output.manifest(plan.registry.params, report.counts, **note)
    else:
        content = output.manifest(plan.registry.params, report.as_json(), **note)
    output.write_manifest(root / MANIFEST, content)
