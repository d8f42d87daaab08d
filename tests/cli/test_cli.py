"""The ``lingang`` command end to end on SQLite and PostgreSQL (in process, like the console
script; one test runs the installed script itself)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from cli_inprocess import run_lingang
from factories import head_revision
from lingang.types import Role

LINGANG = str(Path(sys.executable).with_name("lingang"))
PASSWORD = "Cli-password-9"


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """Most CLI tests use the embedded default; the store itself is tested on both databases."""
    return f"sqlite:///{tmp_path / 'cli.db'}"


def make_runner(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    env = {
        **os.environ,
        "LINGANG_DATA_DIR": str(tmp_path / "data"),
        "LINGANG_DATABASE_URL": database_url,
    }

    def invoke(*args: str) -> subprocess.CompletedProcess[str]:
        return run_lingang(args, env)

    return invoke


@pytest.fixture
def run(tmp_path: Path, sqlite_url: str):  # type: ignore[no-untyped-def]
    return make_runner(tmp_path, sqlite_url)


@pytest.fixture
def run_any_db(tmp_path: Path, database_url: str):  # type: ignore[no-untyped-def]
    """A runner on SQLite and on PostgreSQL (parametrised by ``database_url``)."""
    return make_runner(tmp_path, database_url)


def test_db_upgrade_reports_the_revision(run) -> None:  # type: ignore[no-untyped-def]
    done = run("db", "upgrade", "--json")
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["to"] == head_revision()


def test_users_create_and_list(run) -> None:  # type: ignore[no-untyped-def]
    created = run(
        "users",
        "create",
        "wang.planner",
        "--role",
        "planner",
        "--password",
        PASSWORD,
        "--display-name",
        "王规划",
    )
    assert created.returncode == 0, created.stderr
    listed = json.loads(run("users", "list", "--json").stdout)
    assert [(u["username"], u["role"]) for u in listed] == [("wang.planner", "planner")]
    table = run("users", "list").stdout
    assert "规划" in table and "wang.planner" in table


def test_errors_go_to_stderr_with_a_nonzero_exit(run) -> None:  # type: ignore[no-untyped-def]
    weak = run("users", "create", "weak", "--role", "planner", "--password", "short")
    assert weak.returncode == 2
    assert weak.stdout == ""
    assert "password: must be at least 10 characters" in weak.stderr
    unbound = run("users", "create", "ent", "--role", "enterprise", "--password", PASSWORD)
    assert unbound.returncode == 2 and "enterprise_id" in unbound.stderr
    assert (
        run("users", "create", "dup", "--role", "auditor", "--password", PASSWORD).returncode == 0
    )
    again = run("users", "create", "dup", "--role", "auditor", "--password", PASSWORD)
    assert again.returncode == 4 and "taken" in again.stderr


def test_the_console_script_maps_errors_to_exit_codes(tmp_path: Path, sqlite_url: str) -> None:
    """The installed ``lingang`` script itself (a real process), not the in-process runner."""
    env = {**os.environ, "LINGANG_DATA_DIR": str(tmp_path / "data"),
           "LINGANG_DATABASE_URL": sqlite_url}  # fmt: skip
    weak = subprocess.run(
        [LINGANG, "users", "create", "weak", "--role", "planner", "--password", "short"],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert weak.returncode == 2 and weak.stdout == ""
    assert "error: password: must be at least 10 characters" in weak.stderr


def test_audit_verify_names_a_row_edited_by_hand(run_any_db, database_url: str) -> None:  # type: ignore[no-untyped-def]
    run = run_any_db
    for name in ("alice", "bob", "carol"):
        assert (
            run("users", "create", name, "--role", "auditor", "--password", PASSWORD).returncode
            == 0
        )
    intact = run("audit", "verify")
    assert intact.returncode == 0 and "intact: 3 records" in intact.stdout
    engine = create_engine(database_url)
    with engine.begin() as connection:
        connection.execute(text("UPDATE audit_records SET detail = 'role=admin' WHERE seq = 2"))
    engine.dispose()
    broken = run("audit", "verify")
    assert broken.returncode == 1
    assert "row 2: edited" in broken.stderr
    report = json.loads(run("audit", "verify", "--json").stdout)
    assert report["ok"] is False
    assert [(f["kind"], f["seq"]) for f in report["findings"]] == [("edited", 2)]


def test_audit_verify_names_a_deleted_row(run, sqlite_url: str) -> None:  # type: ignore[no-untyped-def]
    for name in ("dave", "erin", "frank"):
        run("users", "create", name, "--role", "auditor", "--password", PASSWORD)
    engine = create_engine(sqlite_url)
    with engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE seq = 2"))
    engine.dispose()
    broken = run("audit", "verify")
    assert broken.returncode == 1 and "row 2 deleted" in broken.stderr


def test_audit_list_shows_the_newest_first(run) -> None:  # type: ignore[no-untyped-def]
    run("users", "create", "gina", "--role", "auditor", "--password", PASSWORD)
    records = json.loads(run("audit", "list", "--json").stdout)
    assert records[0]["action"] == "auth.create_user" and records[0]["actor"].startswith("cli:")


def test_demo_builds_the_zone_without_serving(run) -> None:  # type: ignore[no-untyped-def]
    small = ("--enterprises", "60", "--days", "60")  # the default is 2,000 firms over a year
    done = run("demo", "--no-serve", *small)
    assert done.returncode == 0, done.stderr
    assert "demo-enterprise" in done.stdout and "一网统管" in done.stdout
    assert "60 simulated enterprises" in done.stdout
    assert "一网统管 (simulated): 500 sensors on the map, 40 12345 tickets (" in done.stdout
    unit_row = next(line for line in done.stdout.splitlines() if "demo-city-operator-2" in line)
    assert unit_row.rstrip().endswith("临港新片区市政养护所")
    again = run("demo", "--no-serve", *small)
    assert again.returncode == 0 and "reused" in again.stdout
    assert "40 city events (seeded before)" in again.stdout
    # one per role, a second risk officer, a second case officer, a second enterprise's user,
    # an operator of the municipal-maintenance unit
    assert again.stdout.count("Lg-") == len(Role) + 4
    users = json.loads(run("users", "list", "--json").stdout)
    assert len(users) == len(Role) + 4
    unit = next(u for u in users if u["username"] == "demo-city-operator-2")
    assert unit["department"] == "临港新片区市政养护所"
    zone = json.loads(run("demo", "--no-serve", "--json").stdout)
    assert {login["role"] for login in zone["logins"]} == {role.value for role in Role}
    assert zone["enterprises"] == 60 and zone["simulation"]["params"]["days"] == 60
    assert zone["simulation"]["loaded"]["declarations"]["rejected"] == 0
    firm = zone["enterprise_user_firm"]
    assert firm["uscc"] == zone["simulation"]["demo_enterprise"]
    firms = {u["username"]: u["enterprise_id"] for u in users if u["role"] == "enterprise"}
    assert firms["demo-enterprise"] == firm["id"] != firms["demo-enterprise-2"]


def test_simulate_writes_parquet_or_loads_the_platform_once(run, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "zone"
    args = ("simulate", "--enterprises", "40", "--days", "30", "--seed", "3")
    done = run(*args, "--no-load", "--out", str(out), "--json")
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["register"]["enterprises"] == 40 and report["datasets"]["declarations"] > 0
    assert (out / "raw" / "declarations.parquet").exists() and (out / "manifest.json").exists()
    loaded = run(*args)
    assert loaded.returncode == 0, loaded.stderr
    assert "shell_company" in loaded.stdout and "40 enterprises" in loaded.stdout
    again = run(*args)
    assert again.returncode == 4 and "already holds a simulation" in again.stderr
