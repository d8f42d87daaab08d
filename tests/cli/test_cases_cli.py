"""``lingang cases`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_inprocess import run_lingang
from lingang.demo import demo_uscc

LINGANG = str(Path(sys.executable).with_name("lingang"))


def test_a_tip_entered_from_the_cli_opens_a_case_that_the_inbox_shows(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["cases", *args], env)

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
    assert "12345-0001" in shown.stdout and "新建" in shown.stdout and "立案" in shown.stdout
    escalated = run("escalate", "--json")
    assert escalated.returncode == 0 and json.loads(escalated.stdout) == {"escalated": []}
    inbox = run("escalations", "--json")  # nothing breached yet: the supervisors' inbox is empty
    assert inbox.returncode == 0 and json.loads(inbox.stdout) == []


def test_case_records_feedback_and_dashboard_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        done = run_lingang([*args], env)
        assert done.returncode == 0, (args, done.stderr)
        return done

    made = run("users", "create", "officer-1", "--role", "case_officer", "--department",
               "核查一处", "--password", "correct-horse-9", "--json")  # fmt: skip
    assert json.loads(made.stdout)["department"] == "核查一处"
    listed = run("users", "list", "--json")
    assert [u["department"] for u in json.loads(listed.stdout)] == ["核查一处"]
    alert = json.loads(run("cases", "alert", demo_uscc(4242), "--text", "热线举报：申报价格偏低",
                           "--json").stdout)  # fmt: skip
    case_id = str(alert["case_id"])
    source = tmp_path / "note.txt"
    source.write_bytes("核查记录：已电话联系企业\n".encode())
    attached = json.loads(run("cases", "attach", case_id, str(source), "--json").stdout)
    assert attached["media_type"] == "text/plain" and attached["name"] == "note.txt"
    back = tmp_path / "back.txt"
    run("cases", "download", attached["sha256"], str(back))
    assert back.read_bytes() == source.read_bytes()
    pdf = tmp_path / "report.pdf"
    run("cases", "report", case_id, str(pdf))
    assert pdf.read_bytes().startswith(b"%PDF")
    precision = json.loads(run("cases", "precision", "--by", "scenario", "--json").stdout)
    assert precision["by"] == "scenario" and precision["rows"] == []
    board = json.loads(run("cases", "dashboard", "--json").stdout)
    assert [(d["department"], d["total"]) for d in board["open_by_age"]] == [("核查一处", 1)]
