"""The credit benchmark runs end to end on a tiny zone and reports consistent figures."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[2] / "benchmarks" / "bench_credit.py"


def test_bench_credit_runs_on_a_small_zone(tmp_path: Path) -> None:
    out = tmp_path / "credit.json"
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--enterprises", "60", "--baseline", "20",
         "--json", str(out)],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    figures = json.loads(out.read_text(encoding="utf-8"))
    assert figures["enterprises"] == 60 and sum(figures["by_class"].values()) == 60
    assert figures["engine_grades_per_s"] > 0 and figures["regrade_all_vs_one_by_one"] > 0
    assert "grades/s" in done.stdout
