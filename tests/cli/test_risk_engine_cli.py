"""Rule sets, assessments, the bus worker and back-tests from the CLI, as subprocesses."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
import yaml

from cli_inprocess import run_lingang
from environment import require_shared
from lingang.config import Settings
from lingang.demo import demo_uscc
from lingang.types import Role

LINGANG = str(Path(sys.executable).with_name("lingang"))


def declaration(item_no: int, **changes: Any) -> dict[str, Any]:
    return {
        "declaration_id": "223320250000099999", "item_no": item_no, "declared_on": "2025-05-06",
        "direction": "import", "enterprise_code": demo_uscc(21), "declarant_id": "D1",
        "foreign_party": "Delta Parts Inc.", "hs_code": "8542310000", "origin_country": "TH",
        "departure_country": "TH", "declared_value": 5000.0, "currency": "USD", "quantity": 10,
        "unit": "PCE", "net_mass_kg": 1.0, "transport_mode": "air", "customs_office": "2233",
        "trade_mode": "0110", **changes,
    }  # fmt: skip


def runner(env: dict[str, str]) -> Any:
    def run(*args: str, timeout: int = 120) -> subprocess.CompletedProcess[str]:
        if args[:1] == ("worker",):  # a worker handles signals and runs until idle: a process
            return subprocess.run([LINGANG, *args], env=env, capture_output=True, text=True,
                                  timeout=timeout, check=False)  # fmt: skip
        return run_lingang(args, env)

    return run


def test_a_rule_set_is_drafted_submitted_and_needs_another_officer(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip
    run = runner(env)
    versions = json.loads(run("risk", "rule-sets", "list", "--json").stdout)
    assert [(v["version"], v["status"]) for v in versions] == [(1, "published")]
    exported = tmp_path / "v1.yaml"
    assert run("risk", "rule-sets", "export", "1", str(exported)).returncode == 0
    document = yaml.safe_load(exported.read_text(encoding="utf-8"))
    document["scenarios"][0]["rules"][0]["weight"] = 75
    exported.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    made = run("risk", "rule-sets", "draft", str(exported), "--note", "OL01 75", "--based-on", "1")
    assert made.returncode == 0 and "draft version 2" in made.stdout
    assert run("risk", "rule-sets", "submit", "2").returncode == 0
    own = run("risk", "rule-sets", "approve", "2")
    assert own.returncode == 6 and "second officer" in own.stderr
    document["scenarios"][0]["rules"][0]["expression"] = "origin_country >"
    exported.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    bad = run("risk", "rule-sets", "draft", str(exported))
    assert bad.returncode == 2 and "scenarios[0].rules[0].expression" in bad.stderr
    assert run("risk", "rule-sets", "draft", str(tmp_path / "none.yaml")).returncode == 3


def test_events_are_assessed_from_a_file_and_bad_lines_are_named(tmp_path: Path) -> None:
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip
    run = runner(env)
    events = tmp_path / "events.jsonl"
    lines = [declaration(1), declaration(2, origin_country="US", departure_country="US")]
    events.write_text("\n".join(json.dumps(x) for x in lines), encoding="utf-8")
    done = json.loads(run("risk", "assess", "--dataset", "declarations", str(events),
                          "--json").stdout)  # fmt: skip
    assert [(a["outcome"], a["score"]) for a in done] == [("review", 60.0), ("pass", 0.0)]
    events.write_text(json.dumps(declaration(3)) + "\n{not json\n", encoding="utf-8")
    bad = run("risk", "assess", "--dataset", "declarations", str(events))
    assert bad.returncode == 2 and "line 2" in bad.stderr
    events.write_text(json.dumps(declaration(4, unit="BAGS")) + "\n", encoding="utf-8")
    refused = run("risk", "assess", "--dataset", "declarations", str(events))
    assert refused.returncode == 2 and "records[0].unit" in refused.stderr
    in_process = run("risk", "assess", "--dataset", "declarations", str(events), "--bus")
    assert in_process.returncode == 8 and "LINGANG_BUS=nats" in in_process.stderr


@pytest.mark.parametrize(
    "database_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)  # the production pairing: PostgreSQL and NATS (the API tests cover SQLite)
def test_the_worker_assesses_events_from_nats(tmp_path: Path, database_url: str) -> None:
    from conftest import require_service

    require_service("127.0.0.1", 4222, "NATS")
    tag = uuid.uuid4().hex[:10]  # a stream and subject prefix of its own
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": database_url, "LINGANG_BUS": "nats",
           "LINGANG_NATS_STREAM": f"T{tag.upper()}",
           "LINGANG_NATS_SUBJECT_PREFIX": f"t{tag}"}  # fmt: skip
    run = runner(env)
    events = tmp_path / "events.jsonl"
    events.write_text("\n".join(json.dumps(declaration(i)) for i in (1, 2, 3)), encoding="utf-8")
    published = run("risk", "assess", "--dataset", "declarations", str(events), "--bus")
    assert published.returncode == 0, published.stderr
    worker = run("worker", "risk", "--idle-exit", "4", timeout=180)
    assert worker.returncode == 0 and "after 3 event(s)" in worker.stderr, worker.stderr
    again = run("worker", "risk", "--idle-exit", "2", timeout=180)
    assert "after 0 event(s)" in again.stderr  # each event is handled once

    from lingang.bootstrap import bootstrap
    from lingang.types import SYSTEM

    platform = bootstrap(Settings(data_dir=tmp_path / "data", database_url=database_url),
                         start=False)  # fmt: skip
    try:
        stored = platform.assessments.recent(actor=SYSTEM, limit=10)
    finally:
        platform.close()
    assert sorted(a.record_key for a in stored) == [f"223320250000099999/{i}" for i in (1, 2, 3)]
    assert {(a.source, a.outcome.value) for a in stored} == {("bus", "review")}
    assert Role.ADMIN  # the CLI acts as an administrator


def test_a_year_of_the_simulated_zone_is_back_tested(tmp_path: Path) -> None:
    require_shared(Settings().hs_nomenclature)
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}"}  # fmt: skip
    run = runner(env)
    simulated = run("simulate", "--enterprises", "300", "--days", "120", "--seed", "5",
                    timeout=300)  # fmt: skip
    assert simulated.returncode == 0, simulated.stderr
    done = run("risk", "backtest", "--from", "2025-01-01", "--to", "2025-04-30",
               "--capacity", "0.03", "--json")  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["truth"] is True and report["rows"]["declarations"] > 1000
    bonded = next(s for s in report["scenarios"] if s["scenario"] == "bonded_leakage")
    assert bonded["truth_rows"] > 0 and bonded["precision"] >= 0.8
    assert sum(d["review"] + d["hold"] for d in report["days"]) > 0
    assert all(t["alert_rate"] <= 0.03 for t in report["tuning"])
    text = run("risk", "backtest", "--from", "2025-01-01", "--to", "2025-04-30")
    assert "precision" in text.stdout and "alerts per day" in text.stdout
    backwards = run("risk", "backtest", "--from", "2025-04-30", "--to", "2025-01-01")
    assert backwards.returncode == 2 and "end" in backwards.stderr
