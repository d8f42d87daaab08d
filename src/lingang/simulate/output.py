"""Deterministic Parquet output: the same zone always gives byte-identical files.

Writer options are fixed (zstd level 3, dictionary encoding, statistics, Parquet 2.6), no
timestamps or host names enter the files or the manifest, and rows are written in the
order the generator made them.
"""

from __future__ import annotations

import json
import queue
import threading
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from lingang.simulate.params import ZoneParams

GENERATOR = "lingang.simulate/1"
WRITER_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "compression_level": 3,
    "use_dictionary": True,
    "write_statistics": True,
    "version": "2.6",
}


class DatasetFiles:
    """One Parquet file per name under ``root``, appended chunk by chunk.

    Encoding runs on one background thread (Arrow releases the GIL), so the next chunk is
    generated while the last one is written; a single thread keeps the order, and so the
    bytes, fixed. At most ``QUEUE`` chunks wait, which bounds memory.
    """

    QUEUE = 2

    def __init__(self, root: Path) -> None:
        self._root = root
        self._writers: dict[str, pq.ParquetWriter] = {}
        self._queue: queue.Queue[tuple[str, pa.Table] | None] = queue.Queue(self.QUEUE * 5)
        self._failure: BaseException | None = None
        self._thread = threading.Thread(target=self._drain, name="parquet-writer", daemon=True)
        self._thread.start()

    def write(self, name: str, table: pa.Table) -> None:
        """Queue ``table`` for ``<root>/<name>.parquet`` (raises a failure of an earlier write)."""
        if self._failure is not None:
            raise self._failure
        self._queue.put((name, table))

    def close(self) -> None:
        """Write what is queued and finish every file."""
        self._queue.put(None)
        self._thread.join()
        for writer in self._writers.values():
            writer.close()
        self._writers.clear()
        if self._failure is not None:
            raise self._failure

    def _drain(self) -> None:
        while (item := self._queue.get()) is not None:
            if self._failure is None:
                try:
                    self._append(*item)
                except BaseException as exc:  # handed to the caller by write() or close()
                    self._failure = exc

    def _append(self, name: str, table: pa.Table) -> None:
        writer = self._writers.get(name)
        if writer is None:
            self._root.mkdir(parents=True, exist_ok=True)
            writer = pq.ParquetWriter(
                self._root / f"{name}.parquet", table.schema, **WRITER_OPTIONS
            )
            self._writers[name] = writer
        writer.write_table(table, row_group_size=1_048_576)


def write_table(path: Path, table: pa.Table) -> None:
    """One table as one Parquet file with the fixed options."""
    path.parent.mkdir(parents=True, exist_ok=True)
    pq.write_table(table, path, row_group_size=1_048_576, **WRITER_OPTIONS)


def manifest(params: ZoneParams, counts: dict[str, dict[str, int]], **extra: Any) -> dict[str, Any]:
    """What was simulated: generator, seed, params and row counts (no clock, no host)."""
    return {
        "generator": GENERATOR,
        "seed": params.seed,
        "params": params.to_json(),
        **counts,
        **extra,
    }


def write_manifest(path: Path, content: dict[str, Any]) -> None:
    """The manifest as sorted, indented JSON."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(content, ensure_ascii=False, indent=2, sort_keys=True) + "\n")


def read_manifest(path: Path) -> dict[str, Any] | None:
    """A manifest written by :func:`write_manifest`, or None when there is none."""
    if not path.is_file():
        return None
    content: dict[str, Any] = json.loads(path.read_text())
    return content
