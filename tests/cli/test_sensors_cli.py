"""``lingang sensors`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

from cli_inprocess import run_lingang


def test_a_simulated_storm_files_water_events_and_dead_letters(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["sensors", *args], env)

    done = run("simulate", "--storm", "--sensors", "80", "--minutes", "12", "--in-process",
               "--bad-share", "0.02")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "960 reading(s) of 80 sensor(s)" in done.stdout
    assert "WL-CRIT" in done.stdout and "water-level alarms from" in done.stdout
    assert "water-level alarms from 0 gauge(s)" not in done.stdout
    gauges = int(re.search(r"water-level alarms from (\d+) gauge", done.stdout)[1])  # type: ignore[index]
    assert f"city events opened or counted on: {gauges} (" in done.stdout  # one per gauge
    letters = json.loads(run("dead-letters", "--json").stdout)
    assert sum(letters["counts"].values()) > 0
    assert {x["field"] for x in letters["letters"]} <= {"payload", "unit", "lat", "read_at"}
    assert "purged 0 dead letter(s)" in run("dead-letters", "--purge-days", "30").stdout
    bad = run("simulate", "--sensors", "0")
    assert bad.returncode != 0
