"""``lingang credit`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

from cli_inprocess import run_lingang
from lingang.demo import demo_uscc
from lingang.workdays import SHANGHAI

LINGANG = str(Path(sys.executable).with_name("lingang"))
FIELDS = ["enterprise_uscc", "kind", "occurred_on", "source", "source_ref", "summary", "details"]


def test_records_import_from_csv_grade_and_explain_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["credit", *args], env)

    uscc = demo_uscc(5151)
    week_ago = (dt.datetime.now(SHANGHAI).date() - dt.timedelta(days=7)).isoformat()
    good = tmp_path / "penalties.csv"
    with good.open("w", newline="", encoding="utf-8") as sink:
        writer = csv.writer(sink)
        writer.writerow(FIELDS)
        writer.writerow([uscc, "violation", week_ago, "customs", "P-1", "海关行政处罚",
                         json.dumps({"penalty_rmb": "1000001"})])  # fmt: skip
        writer.writerow([uscc, "violation", week_ago, "customs", "P-2", "海关行政处罚",
                         json.dumps({"penalty_rmb": "100"})])  # fmt: skip
    bad = tmp_path / "bad.csv"
    bad.write_text(good.read_text(encoding="utf-8").replace("1000001", "lots"), encoding="utf-8")
    refused = run("import", str(bad))
    assert refused.returncode != 0 and "line 2: details.penalty_rmb" in refused.stderr
    added = run("import", str(good))
    assert added.returncode == 0, added.stderr
    assert "2 credit record(s) added" in added.stdout
    graded = json.loads(run("grade", uscc, "--json").stdout)
    assert graded["dishonest_reasons"] == ["violation_threshold"]  # no declarations: money alone
    assert graded["customs_category"] == "dishonest" and graded["zone_class"] in ("C", "D")
    shown = run("grade", uscc)
    assert "违规记录" in shown.stdout and "¥1,000,101" in shown.stdout
    effects = run("effects", uscc)
    assert "不适用" in effects.stdout and "查验率不低于 80%" in effects.stdout
    spread = json.loads(run("distribution", "--json").stdout)
    assert spread["total"] == 1 and spread["by_category"] == {"dishonest": 1}
    again = json.loads(run("regrade", "--json").stdout)
    assert again["changed"] == 0 and again["graded"] == 1
