"""Audit chain cost: chained appends vs. plain inserts of the same rows, and verify speed.

Usage: .venv/bin/python benchmarks/bench_audit.py [--n 2000] [--pg]
Prints records/s for (a) a plain INSERT per transaction (baseline), (b) a chained, MAC'd
append per transaction through AuditService.record, and (c) full-chain verification.
"""

from __future__ import annotations

import argparse
import platform as host
import tempfile
import time
import uuid
from pathlib import Path

import psycopg
from sqlalchemy import text

from lingang.audit.service import AuditService
from lingang.db import Database
from lingang.types import SYSTEM

PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


def plain_inserts(database: Database, n: int) -> float:
    statement = text(
        "INSERT INTO audit_records (seq, at, actor, action, object_type, object_id, detail,"
        " prev_hash, hash) VALUES (:seq, CURRENT_TIMESTAMP, 'bench', 'bench.plain', 'thing',"
        " :oid, '', :h, :h)"
    )
    started = time.perf_counter()
    for i in range(n):
        with database.engine.begin() as connection:
            connection.execute(statement, {"seq": 10_000_000 + i, "oid": str(i), "h": "0" * 64})
    elapsed = time.perf_counter() - started
    with database.engine.begin() as connection:
        connection.execute(text("DELETE FROM audit_records WHERE seq >= 10000000"))
    return n / elapsed


def chained_appends(database: Database, audit: AuditService, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        with database.sessions() as session:
            audit.record(session, actor=SYSTEM, action="bench.chained", object_type="thing",
                         object_id=str(i), after={"i": i})
            session.commit()
    return n / (time.perf_counter() - started)


def verify_rate(database: Database, audit: AuditService) -> tuple[float, int]:
    with database.sessions() as session:
        started = time.perf_counter()
        report = audit.verify(session, actor=SYSTEM)
        elapsed = time.perf_counter() - started
    assert report.ok, report.findings
    return report.checked / elapsed, report.checked


def run(label: str, url: str, n: int) -> None:
    database = Database(url)
    database.upgrade()
    audit = AuditService(b"bench-key")
    baseline = plain_inserts(database, n)
    chained = chained_appends(database, audit, n)
    verified, count = verify_rate(database, audit)
    database.dispose()
    print(f"{label:<11} plain insert {baseline:8.0f}/s | chained append {chained:8.0f}/s "
          f"({chained / baseline:.2f}× baseline) | verify {verified:9.0f} records/s ({count})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--pg", action="store_true", help="also run against PostgreSQL")
    args = parser.parse_args()
    print(f"machine: {host.node()} · {host.processor() or host.machine()} · Python "
          f"{host.python_version()} · n={args.n}")
    with tempfile.TemporaryDirectory() as tmp:
        run("SQLite", f"sqlite:///{Path(tmp) / 'bench.db'}", args.n)
    if args.pg:
        name = f"lingang_bench_{uuid.uuid4().hex[:8]}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        try:
            run("PostgreSQL", f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}", args.n)
        finally:
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


if __name__ == "__main__":
    main()
