"""``lingang plan`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

from openpyxl import Workbook

from cli_inprocess import run_lingang
from plan_fixtures import small_registry

LINGANG = str(Path(sys.executable).with_name("lingang"))


def test_load_import_csv_and_xlsx_correct_and_read_progress(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "LINGANG_PLAN_INDICATORS": str(small_registry(tmp_path))}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["plan", *args], env)

    loaded = run("load")
    assert loaded.returncode == 0, loaded.stderr
    assert "5 indicators" in loaded.stdout and "5 added" in loaded.stdout
    good = tmp_path / "firms.csv"
    with good.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(["indicator_id", "year", "value", "unit", "source"])
        writer.writerow(["firms", "2021", "200", "家", "市场监管局"])
        writer.writerow(["firms", "2022", "400", "家", "市场监管局"])
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace(",家,", ",个,"), encoding="utf-8")
    refused = run("import", str(bad))
    assert refused.returncode == 2 and "row 1: unit" in refused.stderr
    assert run("import", str(good)).returncode == 0
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["indicator_id", "year", "value", "source"])
    sheet.append(["firms", 2023, 500, "市场监管局"])
    sheet.append(["output", 2023, 90, "统计局"])
    book.save(tmp_path / "more.xlsx")
    imported = run("import", str(tmp_path / "more.xlsx"))
    assert imported.returncode == 0 and "2 observation(s)" in imported.stdout, imported.stderr
    observed = run("observe", "labs", "2023", "10", "--source", "科委")
    assert observed.returncode == 0 and "labs 2023 = 10.0 个" in observed.stdout
    shown = json.loads(run("progress", "--year", "2023", "--json").stdout)
    status = {p["indicator_id"]: p["status"] for p in shown}
    assert status["firms"] == "needs_acceleration"  # 500 / 600 = 0.83
    assert status["labs"] == "target_achieved" and status["output"] == "deterioration"
    table = run("progress", "--year", "2023")
    assert "需加快" in table.stdout and "累计" in table.stdout
    corrected = run("correct", "4", "160", "--source", "统计局（修订）")
    assert corrected.returncode == 0 and "observation 6 replaces 4" in corrected.stdout
    assert run("correct", "4", "170", "--source", "x").returncode == 4  # corrected: Conflict
    forecast = run("forecast", "firms")
    assert forecast.returncode == 0 and "firms 2025" in forecast.stdout
