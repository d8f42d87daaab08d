"""``lingang risk lists`` end to end as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

LINGANG = str(Path(sys.executable).with_name("lingang"))


def test_lists_are_created_edited_and_read_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([LINGANG, "risk", "lists", *args], env=env, capture_output=True,
                              text=True, timeout=120, check=False)  # fmt: skip

    assert run("create", "sensitive_hs", "--kind", "reference", "--type", "hs_code").returncode == 0
    assert run("add", "sensitive_hs", "2933", "854231", "--note", "两用物项").returncode == 0
    bad = run("add", "sensitive_hs", "29A3")
    assert bad.returncode == 2 and "values[0]" in bad.stderr and bad.stdout == ""
    assert run("remove", "sensitive_hs", "2933").returncode == 0
    shown = json.loads(run("show", "sensitive_hs", "--json").stdout)
    assert shown[0]["values"] == ["854231"] and shown[0]["version"] == 2
    history = json.loads(run("history", "sensitive_hs", "--json").stdout)
    assert [(c["value"], c["action"]) for c in history] == [
        ("2933", "added"),
        ("854231", "added"),
        ("2933", "removed"),
    ]
    assert run("show", "no_such_list").returncode == 3
