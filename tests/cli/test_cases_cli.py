"""``lingang cases`` end to end as a subprocess (few calls: each costs seconds)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from lingang.demo import demo_uscc

LINGANG = str(Path(sys.executable).with_name("lingang"))


def test_a_tip_entered_from_the_cli_opens_a_case_that_the_inbox_shows(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([LINGANG, "cases", *args], env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip

    uscc = demo_uscc(4242)
    made = run("alert", uscc, "--text", "热线举报：申报价格明显偏低", "--category",
               "undervaluation", "--reference", "12345-0001", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    alert = json.loads(made.stdout)
    assert alert["source"] == "manual" and alert["raised_by"].startswith("cli:")
    [case] = json.loads(run("inbox", "--json").stdout)
    assert case["id"] == alert["case_id"] and case["state"] == "new"
    assert case["enterprise_uscc"] == uscc and case["department"] == "核查一处"
    refused = run("move", str(case["id"]), "closed")
    assert refused.returncode == 4 and "allowed: triage (研判), investigating" in refused.stderr
    shown = run("show", str(case["id"]))
    assert shown.returncode == 0, shown.stderr
    assert "12345-0001" in shown.stdout and "新建" in shown.stdout and "opened" in shown.stdout
    escalated = run("escalate", "--json")
    assert escalated.returncode == 0 and json.loads(escalated.stdout) == {"escalated": []}
