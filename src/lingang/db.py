"""Operational store kernel: SQLAlchemy 2 engine, typed ORM base, units of work, migrations.

SQLite (a file in the data directory) by default; PostgreSQL through ``LINGANG_DATABASE_URL``.
Migrations are Alembic scripts shipped in ``lingang/migrations``.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from importlib.resources import files
from typing import TYPE_CHECKING, Any, ClassVar, Self

from sqlalchemy import JSON, DateTime, Engine, MetaData, create_engine, event, text
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry
from sqlalchemy.types import TypeDecorator

from lingang.errors import Unavailable

if TYPE_CHECKING:
    from lingang.bus.events import Event

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UtcDateTime(TypeDecorator[dt.datetime]):
    """Stores aware datetimes as UTC and always returns them aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(dt.UTC)

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


class Base(DeclarativeBase):
    """Declarative base of every table of the operational store."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        dt.datetime: UtcDateTime(),
        dict[str, Any]: JSON(),
    }


def _sqlite_pragmas(dbapi_connection: DBAPIConnection, _record: ConnectionPoolEntry) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_db_engine(url: str) -> Engine:
    """An engine for ``url`` with the pragmas and pool settings the platform relies on."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


class Database:
    """The operational store: an engine, a session factory, and its migrations."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_db_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)

    @property
    def dialect(self) -> str:
        """``sqlite`` or ``postgresql``."""
        return self.engine.dialect.name

    def ping(self) -> None:
        """Run ``SELECT 1``; raise ``Unavailable`` when the database cannot answer."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except SQLAlchemyError as exc:
            raise Unavailable(f"database unreachable: {type(exc).__name__}") from exc

    def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to ``revision`` (nothing to do when already at head)."""
        from alembic import command

        if revision == "head" and self.current_revision() == migration_head():
            return
        with self.engine.begin() as connection:
            config = alembic_config(self.url)
            config.attributes["connection"] = connection
            command.upgrade(config, revision)

    def current_revision(self) -> str | None:
        """The migration revision the database is at, or None when unmigrated."""
        from alembic.runtime.migration import MigrationContext

        with self.engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()


@functools.cache
def migration_head() -> str:
    """The newest revision among the packaged migrations (read once per process)."""
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(alembic_config("sqlite://")).get_current_head()
    if head is None:  # pragma: no cover - the package always ships migrations
        raise RuntimeError("no Alembic migrations are packaged")
    return head


def alembic_config(url: str) -> Any:
    """An Alembic ``Config`` pointing at the packaged migration scripts."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(files("lingang") / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


EventSink = Callable[[Session, "list[Event]"], None]
AfterCommit = Callable[[], None]


class UnitOfWork:
    """One transaction: the session, the events it emits, and what runs after commit.

    Events are written to the outbox inside the transaction (``before_commit``) and are handed
    to the bus only after the commit succeeds (``after_commit``). Nothing commits on its own:
    leaving the block without ``commit()`` rolls everything back.
    """

    def __init__(
        self, sessions: sessionmaker[Session], before_commit: EventSink, after_commit: AfterCommit
    ) -> None:
        self._sessions = sessions
        self._before_commit = before_commit
        self._after_commit = after_commit
        self.events: list[Event] = []

    def __enter__(self) -> Self:
        self.session = self._sessions()
        self.events = []
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.session.rollback()
        self.session.close()

    def emit(self, event: Event) -> None:
        """Queue an event; it is stored with the transaction and published after commit."""
        self.events.append(event)

    def commit(self) -> None:
        """Write queued events to the outbox, commit, then let the relay publish them."""
        self._before_commit(self.session, self.events)
        self.session.commit()
        published, self.events = self.events, []
        if published:
            self._after_commit()


class UnitOfWorkFactory:
    """Makes units of work bound to one database and one outbox."""

    def __init__(self, database: Database, before_commit: EventSink, after_commit: AfterCommit):
        self.database = database
        self._before_commit = before_commit
        self._after_commit = after_commit

    def __call__(self) -> UnitOfWork:
        return UnitOfWork(self.database.sessions, self._before_commit, self._after_commit)

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only session, closed (and rolled back) on exit."""
        with self.database.sessions() as session:
            yield session
