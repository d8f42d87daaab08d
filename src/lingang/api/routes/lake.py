"""The data lake: upload a file through the import door, list datasets, read the quarantine."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path, PurePath
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, UploadFile

from lingang.api.deps import CurrentActor, PlatformDep
from lingang.api.schemas.lake import (
    DatasetsPublic,
    ImportPublic,
    QuarantinePublic,
    dataset_public,
    import_public,
    quarantine_public,
)
from lingang.errors import Invalid, NotFound
from lingang.lake.mapping import shipped_mappings

router = APIRouter(prefix="/api/lake", tags=["lake"])
COPY_CHUNK = 8 << 20


@router.get("/datasets", operation_id="lake-datasets", response_model=DatasetsPublic)
def list_datasets(platform: PlatformDep, actor: CurrentActor) -> DatasetsPublic:
    """Every catalog dataset: rows, files, freshness, quarantine, imports (staff only)."""
    found = platform.lake.list_datasets(actor=actor)
    return DatasetsPublic(data=[dataset_public(s) for s in found], count=len(found))


@router.post(
    "/{dataset}/imports", operation_id="lake-import", response_model=ImportPublic, status_code=201
)
def import_file(
    dataset: str,
    platform: PlatformDep,
    actor: CurrentActor,
    file: Annotated[UploadFile, File(description="CSV, JSON lines (.jsonl) or Parquet")],
    mapping: Annotated[
        str | None, Form(description="a shipped mapping, e.g. kcs-declarations")
    ] = None,
) -> ImportPublic:
    """Validate and append an uploaded file; bad rows are quarantined, repeats skipped.

    Re-uploading the same file adds nothing (every row counts as a duplicate). A file that
    cannot be read or lacks required columns answers 422 and changes nothing.
    """
    if mapping and mapping not in shipped_mappings():
        raise NotFound(f"mapping {mapping!r} not found (shipped: {', '.join(shipped_mappings())})")
    name = PurePath(file.filename or "").name
    if not name:
        raise Invalid("file", "the upload needs a file name with its extension")
    with tempfile.TemporaryDirectory(prefix="lake-upload-") as folder:
        path = Path(folder) / name
        with path.open("wb") as handle:
            shutil.copyfileobj(file.file, handle, COPY_CHUNK)
        summary = platform.lake.import_file(
            dataset, path, actor=actor, mapping=mapping, source=f"upload:{name}"
        )
    return import_public(summary)


@router.get(
    "/{dataset}/quarantine", operation_id="lake-quarantine", response_model=QuarantinePublic
)
def read_quarantine(
    dataset: str,
    platform: PlatformDep,
    actor: CurrentActor,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> QuarantinePublic:
    """A dataset's rejected rows, newest import first: line, field, reason, raw values."""
    return quarantine_public(platform.lake.quarantine(dataset, actor=actor, limit=limit))
