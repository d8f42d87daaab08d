"""The risk benchmark harness runs end to end on tiny sizes, and every engine agrees."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

from environment import SHARED_DATA, require_shared, skip_or_fail

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "benchmarks" / "bench_risk.py"
HS_FILE = SHARED_DATA / "hs-nomenclature" / "harmonized-system.csv"
NATS = ("127.0.0.1", 4222)


def test_bench_risk_quick_runs_with_no_mismatch(tmp_path: Path) -> None:
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["mismatches"] == 0
    engines = {row["engine"] for row in figures["rows"]}
    assert "ours: generated rule set, lists bound once" in engines
    assert "ours: rule set → one DuckDB query" in engines
    assert "ours: rule set → one polars lazy plan" in engines
    assert "machine:" in done.stdout and "total mismatches: 0" in done.stdout


def _nats_up() -> bool:
    try:
        socket.create_connection(NATS, timeout=1.0).close()
    except OSError:
        return False
    return True


def test_bench_risk_end_to_end_paths_agree(tmp_path: Path) -> None:
    """A small zone assessed in process, over HTTP and through NATS: every event stored once,
    the same verdict on every path. Without NATS the nats part is skipped (failed under CI)."""
    require_shared(HS_FILE)
    sections = ["end_to_end", "http", "nats"]
    if not _nats_up():
        if os.environ.get("CI"):
            skip_or_fail(f"NATS at {NATS[0]}:{NATS[1]} unreachable; .ci/run starts it")
        sections.remove("nats")
    out = tmp_path / "figures.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--e2e", "300", "--sections", *sections,
         "--json", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        cwd=ROOT,  # the HS file is found at ../shared, relative to the repository
    )  # fmt: skip
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["mismatches"] == 0, done.stdout[-3000:]
    by_section: dict[str, list[str]] = {}
    for row in figures["rows"]:
        by_section.setdefault(row["section"].split(",")[0], []).append(row["engine"])
        assert row["mismatches"] == 0, row
    assert set(by_section) == set(sections)
    assert "ours: assess_many, batches of 100" in by_section["end_to_end"]
    assert "ours: POST batches of 100, detail=full" in by_section["http"]
    assert "ours: POST batches of 100, detail=summary" in by_section["http"]
    if "nats" in sections:
        assert "ours: risk worker, assess + store per event" in by_section["nats"]
    assert "total mismatches: 0" in done.stdout
