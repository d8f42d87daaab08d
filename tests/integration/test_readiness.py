"""/readyz turns unhealthy when PostgreSQL or NATS stops, and healthy again when it is back.

Each test runs a private server (its own NATS process; its own PostgreSQL cluster made with
``initdb``) so that stopping it cannot disturb the other tests.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from environment import skip_or_fail
from lingang.api.app import create_app
from lingang.bootstrap import bootstrap
from lingang.config import Settings

pytestmark = pytest.mark.slow
NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
PG_BIN = sorted(glob.glob("/usr/lib/postgresql/*/bin"))


def _missing(what: str) -> None:
    skip_or_fail(f"{what} not available")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for(condition: Callable[[], bool], timeout: float = 20.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def ready_state(client: TestClient) -> tuple[int, dict[str, str]]:
    response = client.get("/readyz")
    return response.status_code, response.json()["checks"]


class NatsProcess:
    """A throwaway JetStream server on a free port."""

    def __init__(self, store: Path) -> None:
        self.port, self.store = free_port(), store
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [NATS_SERVER, "-a", "127.0.0.1", "-p", str(self.port), "-js", "-sd", str(self.store)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(lambda: _port_open(self.port)), "private nats-server did not start"

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


class PostgresCluster:
    """A throwaway PostgreSQL cluster owned by the ``postgres`` user, on a free port."""

    def __init__(self, root: Path) -> None:
        self.port, self.data = free_port(), root / "pgdata"
        self.bin = Path(PG_BIN[-1])

    def _as_postgres(self, *args: str) -> None:
        command = [str(a) for a in args]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, timeout=60, check=False)
        assert done.returncode == 0, f"{args[0]} failed: {done.stderr.decode()[-500:]}"

    def init(self) -> None:
        self.data.parent.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(self.data.parent, "postgres")
        self._as_postgres(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-A",
            "trust",
            "-U",
            "postgres",
            "--no-sync",
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-w",
            "-l",
            str(self.data / "log"),
            "start",
        )

    def stop(self) -> None:
        self._as_postgres(
            str(self.bin / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop"
        )


def _port_open(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
        return True
    except OSError:
        return False


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsProcess]:
    if not Path(NATS_SERVER).exists():
        _missing("nats-server")
    server = NatsProcess(tmp_path / "js")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_cluster() -> Iterator[PostgresCluster]:
    if not PG_BIN:
        _missing("PostgreSQL server binaries")
    # pytest's tmp_path is private to root; the postgres user needs a directory it can reach
    root = Path(tempfile.mkdtemp(prefix="lingang-pg-"))
    root.chmod(0o755)
    cluster = PostgresCluster(root / "cluster")
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        if _port_open(cluster.port):
            cluster.stop()
        shutil.rmtree(root, ignore_errors=True)


def test_readyz_follows_nats_going_down_and_coming_back(
    nats_server: NatsProcess, tmp_path: Path
) -> None:
    settings = Settings(
        data_dir=tmp_path / "data",
        bus="nats",
        nats_url=f"nats://127.0.0.1:{nats_server.port}",
        nats_stream="LINGANG_READY",
        console=False,
    )
    platform = bootstrap(settings)
    try:
        with TestClient(create_app(platform)) as client:
            assert ready_state(client) == (200, {"database": "ok", "bus": "ok"})
            nats_server.stop()
            assert wait_for(lambda: ready_state(client)[0] == 503), "stayed ready without NATS"
            assert ready_state(client)[1]["database"] == "ok"
            nats_server.start()
            assert wait_for(lambda: ready_state(client)[0] == 200, timeout=30), "never recovered"
    finally:
        platform.close()


def test_readyz_follows_postgres_going_down_and_coming_back(
    pg_cluster: PostgresCluster, tmp_path: Path
) -> None:
    url = f"postgresql+psycopg://postgres@127.0.0.1:{pg_cluster.port}/postgres"
    settings = Settings(data_dir=tmp_path / "data", database_url=url, console=False)
    platform = bootstrap(settings)
    try:
        with TestClient(create_app(platform)) as client:
            assert ready_state(client) == (200, {"database": "ok", "bus": "ok"})
            pg_cluster.stop()
            status, checks = ready_state(client)
            assert status == 503 and checks["database"].startswith("database unreachable")
            pg_cluster.start()
            assert wait_for(lambda: ready_state(client)[0] == 200), "never recovered"
    finally:
        platform.close()
