"""``lingang permits`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from cli_inprocess import run_lingang
from lingang.demo import demo_uscc


def test_a_counter_application_is_issued_and_its_licence_verified(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["permits", *args], env)

    listed = run("items")
    assert listed.returncode == 0 and "hr-service-licence" in listed.stdout
    form = tmp_path / "form.txt"
    form.write_text("申请表", encoding="utf-8")
    uscc = demo_uscc(8181)
    made = run("apply", "construction-permit", "--uscc", uscc,
               "--file", f"application_form={form}", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    app_id = str(json.loads(made.stdout)["application"]["id"])
    assert "建筑工程施工许可" in run("queue").stdout
    early = run("issue", app_id)
    assert early.returncode == 4 and "accept (受理)" in early.stderr  # Conflict
    assert run("accept", app_id).returncode == 0
    assert run("decide", app_id, "--grant").returncode == 0
    issued = run("issue", app_id, "--json")
    assert issued.returncode == 0, issued.stderr
    licence = json.loads(issued.stdout)
    ok = run("verify", licence["id"], "--sig", licence["signature"])
    assert ok.returncode == 0 and ok.stdout.startswith("valid")
    forged = run("verify", licence["id"], "--sig", "AAAA")
    assert forged.returncode == 1 and forged.stdout.startswith("forged")


def test_licence_documents_verification_tasks_and_the_sweep(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
           "LINGANG_PUBLIC_URL": "https://zone.example"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["permits", *args], env)

    form = tmp_path / "form.txt"
    form.write_text("申请表", encoding="utf-8")
    uscc = demo_uscc(8282)
    made = run("apply", "road-freight-licence", "--uscc", uscc, "--commitment", "承诺",
               "--file", f"application_form={form}", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    licence_id = json.loads(made.stdout)["licence"]["id"]
    pdf = run("licence-pdf", licence_id, "--out", str(tmp_path / "l.pdf"))
    assert pdf.returncode == 0 and (tmp_path / "l.pdf").read_bytes().startswith(b"%PDF")
    qr = run("qr", licence_id, "--out", str(tmp_path / "l.svg"))
    assert qr.returncode == 0
    assert f"https://zone.example/api/public/licences/{licence_id}" in qr.stdout
    assert "<svg" in (tmp_path / "l.svg").read_text("utf-8")
    tasks = json.loads(run("verifications", "--json").stdout)
    assert [t["licence_id"] for t in tasks] == [licence_id] and tasks[0]["plan_id"] is None
    swept = run("sweep")
    assert swept.returncode == 0 and "0 renewal reminder(s)" in swept.stdout
    assert run("notices", uscc, "--json").stdout.strip() == "[]"
    done = run("verified", str(tasks[0]["id"]), "--false", "--result", "经营场所不存在")
    assert done.returncode == 0 and "false" in done.stdout
    revoked = run("verify", licence_id, "--sig", json.loads(made.stdout)["licence"]["signature"])
    assert revoked.returncode == 1 and revoked.stdout.startswith("revoked")
    missing = run("licence-pdf", "LGP-NONE", "--out", str(tmp_path / "x.pdf"))
    assert missing.returncode != 0 and "not found" in missing.stderr
