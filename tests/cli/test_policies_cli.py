"""``lingang policies`` end to end (in process: cli_inprocess.run_lingang)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from cli_inprocess import run_lingang
from lingang.demo import demo_uscc


def test_load_declare_match_and_inbox_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["policies", *args], env)

    uscc = demo_uscc(6161)
    loaded = run("load")
    assert loaded.returncode == 0, loaded.stderr
    assert "enterprise(s) matched" in loaded.stdout
    listed = json.loads(run("list", "--json").stdout)
    assert len(listed) >= 6
    declared = run("declare", uscc, "--fact", "high_tech=true", "--fact", "employees=20")
    assert declared.returncode == 0, declared.stderr
    verdicts = {m["policy_id"]: m for m in json.loads(run("match", uscc, "--json").stdout)}
    assert verdicts["LG-HNTE-2026"]["verdict"] == "maybe"  # no address: in_lingang unknown
    assert verdicts["LG-HNTE-2026"]["missing"] == ["in_lingang"]
    shown = run("match", uscc)
    assert "LG-RD-2026" in shown.stdout and "missing" in shown.stdout
    bad = run("declare", uscc, "--fact", "headcount=3")
    assert bad.returncode != 0 and "headcount" in bad.stderr
    assert run("rematch").returncode == 0
    box = json.loads(run("inbox", uscc, "--json").stdout)
    assert box == {"messages": [], "grants": []}
