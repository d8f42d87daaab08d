"""``lingang city`` end to end (in process: cli_inprocess.run_lingang): a 12345 ticket through
the loop with the dispatch reason, a dissatisfied callback reopening it, KPIs and grids."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

from city_fixtures import city_classifier
from cli_inprocess import run_lingang

__all__ = ["city_classifier"]


def test_a_ticket_is_filed_dispatched_closed_and_reopened(
    tmp_path: Path, city_classifier: object
) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(["city", *args], env)

    made = run("ticket", "井盖松动，有安全隐患", "--lat", "30.9001", "--lon", "121.9302",
               "--address", "环湖西二路88号", "--phone", "13800000000", "--json")  # fmt: skip
    assert made.returncode == 0, made.stderr
    event = json.loads(made.stdout)["event"]
    assert event["suggestions"][0]["code"] == "P0101" and event["grid_id"] == "LG-G15"
    event_id = str(event["id"])
    early = run("close", event_id)
    assert early.returncode == 4 and "allowed: file" in early.stderr  # Conflict
    wrong = run("file", event_id, "--category", "P9999")
    assert wrong.returncode == 2 and "category" in wrong.stderr  # Invalid
    assert run("file", event_id, "--category", "P0101").returncode == 0
    sent = run("dispatch", event_id)
    assert sent.returncode == 0 and "rule 3 (井盖类 → 市政养护所)" in sent.stdout
    assert "临港新片区市政养护所" in run("queue").stdout
    assert run("handle", event_id, "--note", "到场").returncode == 0
    assert run("done", event_id, "--result", "已更换井盖").returncode == 0
    assert run("verify", event_id).returncode == 0
    assert run("callback", event_id, "--satisfied").returncode == 0
    closed = run("close", event_id, "--json")
    assert closed.returncode == 0 and json.loads(closed.stdout)["state"] == "closed"
    reopened = run("callback", event_id, "--score", "1", "--note", "又松了")
    assert reopened.returncode == 0 and "dispatched" in reopened.stdout
    shown = run("show", event_id)
    assert "reopen" in shown.stdout and "又松了" in shown.stdout
    assert run("callback", event_id).returncode == 2  # neither verdict nor score
    assert run("return", "999", "--reason", "x").returncode == 3  # NotFound
    kpis = json.loads(run("kpis", "--json").stdout)
    assert kpis["by_category"] == {"P0101": 1} and kpis["callbacks"] == 1
    assert "escalated 0" in run("escalate").stdout
    grids = run("grids")
    assert grids.returncode == 0 and "LG-G15" in grids.stdout
    geo = json.loads(run("grids", "--geojson").stdout)
    assert geo["type"] == "FeatureCollection"
