"""Shared fixtures: a migrated database per test on SQLite *and* PostgreSQL, a platform, a client.

PostgreSQL tests get a fresh database cloned from a migrated template (``CREATE DATABASE …
TEMPLATE``), so every test starts empty and migrations run once per worker. Where a service is
unreachable the test is skipped with the reason — except under CI (``CI`` set), where it fails.
"""

from __future__ import annotations

import os
import shutil
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from argon2 import PasswordHasher, profiles
from fastapi.testclient import TestClient

from environment import skip_or_fail
from lingang.api.app import create_app
from lingang.auth import passwords
from lingang.bootstrap import Platform, bootstrap
from lingang.config import Settings
from lingang.db import Database, migration_head

PG_ADMIN_DSN = os.environ.get("LINGANG_TEST_PG_DSN", "postgresql://postgres@127.0.0.1:5432/test")
PG_URL_TEMPLATE = "postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
AUDIT_TEST_KEY = "test-audit-key-0123456789abcdef"


def require_service(host: str, port: int, what: str) -> None:
    """Skip (or, under CI, fail) when a TCP service does not answer."""
    try:
        socket.create_connection((host, port), timeout=1.0).close()
    except OSError as exc:
        skip_or_fail(f"{what} at {host}:{port} unreachable ({exc}); .ci/run starts it")


def _worker() -> str:
    return os.environ.get("PYTEST_XDIST_WORKER", "main")


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashing() -> Iterator[None]:
    """In-process tests hash passwords with argon2's ``CHEAPEST`` profile: the production
    profile (RFC 9106 low-memory, see ``test_passwords.py``) costs ≈0.15 s per hash and per
    check, and the suite makes thousands of users and logins. Subprocess CLI tests keep it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file that each test copies."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    database = Database(f"sqlite:///{path}")
    database.upgrade()
    database.dispose()
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated PostgreSQL template database for this worker."""
    require_service("127.0.0.1", 5432, "PostgreSQL")
    name = f"lingang_tpl_{_worker()}_{os.getpid()}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    database = Database(PG_URL_TEMPLATE.format(name=name))
    database.upgrade()
    database.dispose()
    yield name
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def fresh_pg_database(template: str) -> str:
    """Clone the template into a new database and return its name."""
    name = f"lingang_t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    return name


def drop_pg_database(name: str) -> None:
    """Drop a test database, closing any connection still open."""
    with psycopg.connect(PG_ADMIN_DSN, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


class PgWorkerDatabase:
    """This worker's PostgreSQL test database, emptied after each test instead of cloned anew:
    ``CREATE DATABASE … TEMPLATE`` waits on the disk (≈0.4 s), deleting a test's few rows and
    restarting the sequences takes milliseconds. A test that leaves the database off the head
    revision (a migration test) or holding locks gets a fresh clone of the template."""

    def __init__(self, template: str) -> None:
        self._template = template
        self.name = fresh_pg_database(template)
        with self._connect() as conn:
            self._seeded = _seeded_rows(conn)  # rows the migrations insert (the audit head)
            self._emptying = _emptying_script(conn)

    @property
    def url(self) -> str:
        """The SQLAlchemy URL of the database."""
        return PG_URL_TEMPLATE.format(name=self.name)

    def reset(self) -> None:
        """Empty every table and restart every sequence (one round trip), or replace the
        database."""
        try:
            with self._connect() as conn:
                version = conn.execute("SELECT version_num FROM alembic_version").fetchall()
                if version != [(migration_head(),)]:
                    raise LookupError(f"database at {version}, not at head")
                conn.execute(self._emptying)
                for table, data in self._seeded.items():
                    with conn.cursor().copy(f'COPY "{table}" FROM STDIN') as copy:  # type: ignore[arg-type]
                        copy.write(data)
        except (psycopg.Error, LookupError):
            drop_pg_database(self.name)
            self.name = fresh_pg_database(self._template)

    def close(self) -> None:
        """Drop the database."""
        drop_pg_database(self.name)

    def _connect(self) -> psycopg.Connection[Any]:
        return psycopg.connect(PG_ADMIN_DSN.rsplit("/", 1)[0] + f"/{self.name}")


def _emptying_script(conn: psycopg.Connection[Any]) -> Any:
    """``DELETE`` every table (foreign-key triggers off) and restart every sequence, as one
    multi-statement string run in one round trip."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version'"
    ).fetchall()
    sequences = conn.execute(
        "SELECT sequencename FROM pg_sequences WHERE schemaname = 'public'"
    ).fetchall()
    return "; ".join([
        "SET LOCAL lock_timeout = '2s'",
        "SET LOCAL session_replication_role = replica",
        *(f'DELETE FROM "{table}"' for (table,) in tables),
        *(f'ALTER SEQUENCE "{sequence}" RESTART' for (sequence,) in sequences),
    ])  # fmt: skip


def _seeded_rows(conn: psycopg.Connection[Any]) -> dict[str, bytes]:
    """Each non-empty table of a freshly migrated database, in ``COPY`` text format."""
    tables = conn.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
        "AND tablename <> 'alembic_version'"
    ).fetchall()
    seeded: dict[str, bytes] = {}
    for (table,) in tables:
        with conn.cursor().copy(f'COPY "{table}" TO STDOUT') as copy:  # type: ignore[arg-type]
            data = b"".join(bytes(chunk) for chunk in copy)
        if data:
            seeded[table] = data
    return seeded


@pytest.fixture(scope="session")
def pg_worker_database(pg_template: str) -> Iterator[PgWorkerDatabase]:
    """This worker's PostgreSQL test database."""
    database = PgWorkerDatabase(pg_template)
    yield database
    database.close()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated, empty database for one test: SQLite file or PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "lingang.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    database: PgWorkerDatabase = request.getfixturevalue("pg_worker_database")
    try:
        yield database.url
    finally:
        database.reset()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for one test: its own data directory and database, in-process bus."""
    return Settings(
        data_dir=tmp_path / "data",
        database_url=database_url,
        bus="inprocess",
        audit_key=AUDIT_TEST_KEY,  # type: ignore[arg-type]  # pydantic coerces to SecretStr
        console=False,
    )


@pytest.fixture
def platform(settings: Settings) -> Iterator[Platform]:
    """A started platform over the test database."""
    built = bootstrap(settings)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def client(platform: Platform) -> Iterator[TestClient]:
    """An HTTP client for the API (no console)."""
    with TestClient(create_app(platform), raise_server_exceptions=False) as test_client:
        yield test_client
