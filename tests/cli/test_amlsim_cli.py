"""``lingang risk amlsim --json`` on the real AMLSim sample (../shared).

Floors, from the figures in docs/network.md with a margin: aml_cycle finds the injected
cycles' small transfers (precision ≈ 0.94 / recall ≈ 0.67 on 20K_cycle200), aml_fan_in is
weaker (≈ 0.52 / 0.25 on 20K_fanin200); both must beat the top-degree baseline's F1 by 2×.
A broken graph, window or rule drops below them.
"""

from __future__ import annotations

import json

import typer
from typer.testing import CliRunner

from environment import SHARED_DATA, require_shared
from lingang.cli.amlsim import amlsim

DATA = SHARED_DATA / "amlsim-sample"


def _app() -> typer.Typer:
    app = typer.Typer()
    app.command("amlsim")(amlsim)
    app.command("noop")(lambda: None)  # two commands: typer keeps the subcommand name
    return app


def test_amlsim_json_reports_figures_above_the_floors() -> None:
    require_shared(DATA / "20K_cycle200" / "transactions.csv", DATA / "20K_fanin200" / "nodes.csv")
    result = CliRunner().invoke(_app(), ["amlsim", "--data", str(DATA), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    got = {(r["data_set"], r["scenario"]): r for r in report["results"]}
    cycle = got[("20K_cycle200", "aml_cycle")]
    assert cycle["positives"] == 945
    assert cycle["precision"] >= 0.85 and cycle["recall"] >= 0.6
    assert cycle["rule_hits"]["on_cycle"] >= 80
    fan = got[("20K_fanin200", "aml_fan_in")]
    assert fan["positives"] == 954
    assert fan["precision"] >= 0.45 and fan["recall"] >= 0.2
    for row in (cycle, fan):
        assert row["f1"] >= 2 * row["baseline"]["f1"]
        assert row["baseline"]["flagged"] == row["flagged"]


def test_amlsim_without_data_fails(tmp_path: object) -> None:
    result = CliRunner().invoke(_app(), ["amlsim", "--data", str(tmp_path), "--max-steps", "5"])
    assert result.exit_code == 1
