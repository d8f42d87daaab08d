"""``lingang risk lists`` end to end as a subprocess."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from cli_inprocess import run_lingang
from environment import SHARED_DATA, require_shared

LINGANG = str(Path(sys.executable).with_name("lingang"))


def test_lists_are_created_edited_and_read_from_the_cli(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["risk", "lists", *args], env)

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


def test_train_then_evaluate_a_scorer_from_the_cli(tmp_path: Path) -> None:
    source = SHARED_DATA / "customs-kcs-synthetic"
    require_shared(source)
    train, valid = tmp_path / "train.csv", tmp_path / "valid.csv"
    for name, target, rows in (("df_syn_train_eng.csv", train, 3000),
                               ("df_syn_valid_eng.csv", valid, 800)):  # fmt: skip
        lines = (source / name).read_text().splitlines()
        target.write_text("\n".join(lines[: rows + 1]) + "\n")
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["risk", *args], env)

    trained = run("train", "--train", str(train), "--valid", str(valid), "--json")
    assert trained.returncode == 0, trained.stderr
    report = json.loads(trained.stdout)
    assert (report["train_rows"], report["valid_rows"]) == (3000, 800)
    assert [m["rate"] for m in report["baseline"]] == [0.01, 0.02, 0.05, 0.1]
    evaluated = run("evaluate", "--valid", str(valid), "--json")
    assert evaluated.returncode == 0, evaluated.stderr
    metrics = json.loads(evaluated.stdout)["metrics"]
    assert [(m["rate"], m["inspected"]) for m in metrics] == [
        (0.01, 8),
        (0.02, 16),
        (0.05, 40),
        (0.1, 80),
    ]
    assert all(0 <= m["precision"] <= 1 and 0 <= m["recall"] <= 1 for m in metrics)
    assert run("evaluate", "--scorer", "nope", "--valid", str(valid)).returncode == 3
