"""Online == batch on a simulated zone: every row replayed through OnlineFeatures (in the
documented order, each event's features computed before it is observed) against
compute_batch over the lake, for every event and every feature of the shipped library —
once with the in-process state, once with Redis."""

from __future__ import annotations

import datetime as dt
import math
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from environment import require_shared, skip_or_fail
from lingang.config import Settings
from lingang.lake.store import LakeStore
from lingang.risk.features import (
    FeatureCatalog,
    InProcessState,
    OnlineFeatures,
    compute_batch,
    compute_batch_range,
    load_library,
    replay,
)
from lingang.risk.features.redis_state import RedisState
from lingang.risk.features.state import FeatureState
from lingang.simulate import ZoneParams, simulate_zone

REPO = Path(__file__).resolve().parents[2]
START = dt.date(2025, 1, 1)
EVENTS = ("declarations", "payments", "gate_events", "manifests")
REDIS_URL = "redis://127.0.0.1:6379/15"


def _zone_lake(root: Path, params: ZoneParams) -> tuple[dict[str, pa.Table], LakeStore]:
    path = Settings().hs_nomenclature
    path = path if path.is_absolute() else (REPO / path).resolve()
    require_shared(path)
    zone = simulate_zone(params, path)
    lake = LakeStore(root)
    for name, table in zone.datasets.items():
        lake.append(name, table, "sim")
    return dict(zone.datasets), lake


# one worker runs the whole module, so its module fixture is built once (make: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("feature-parity")


@pytest.fixture(scope="module")
def zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pa.Table], LakeStore]:
    """160 enterprises over 100 days (≈ 2,600 declaration lines), in a lake."""
    root = tmp_path_factory.mktemp("features") / "lake"
    return _zone_lake(root, ZoneParams(enterprises=160, days=100, start=START, seed=11))


@pytest.fixture(scope="module")
def small_zone(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, pa.Table], LakeStore]:
    """80 enterprises over 60 days, for the Redis round trips."""
    root = tmp_path_factory.mktemp("features_small") / "lake"
    return _zone_lake(root, ZoneParams(enterprises=80, days=60, start=START, seed=5))


@pytest.fixture
def redis_state() -> Iterator[RedisState]:
    try:
        socket.create_connection(("127.0.0.1", 6379), timeout=1.0).close()
    except OSError as exc:
        skip_or_fail(f"Redis at 127.0.0.1:6379 unreachable ({exc}); .ci/run starts it")
    state = RedisState(REDIS_URL, prefix=f"lingang:test:{uuid.uuid4().hex}")
    try:
        yield state
    finally:
        state.clear()
        state.client.close()


def assert_parity(
    catalog: FeatureCatalog, tables: dict[str, pa.Table], lake: LakeStore, state: FeatureState
) -> int:
    """Strict comparison; returns how many values were compared."""
    online = replay(OnlineFeatures(catalog, state), tables)
    compared = 0
    for dataset in EVENTS:
        batch = compute_batch(catalog, lake, dataset, tables[dataset])
        assert batch.column_names == catalog.for_event(dataset)
        assert batch.num_rows == tables[dataset].num_rows
        for name in batch.column_names:
            exact = catalog.get(name).exact
            for row, (want, got) in enumerate(
                zip(batch.column(name).to_pylist(), (v[name] for v in online[dataset]), strict=True)
            ):
                same = want == got or (
                    not exact
                    and want is not None
                    and got is not None
                    and math.isclose(want, got, rel_tol=1e-9, abs_tol=0.0)
                )
                assert same, f"{dataset} row {row} {name}: batch {want!r} online {got!r}"
                compared += 1
    return compared


def test_online_in_process_equals_batch_on_every_row(
    zone: tuple[dict[str, pa.Table], LakeStore],
) -> None:
    tables, lake = zone
    catalog = load_library()
    compared = assert_parity(catalog, tables, lake, InProcessState())
    assert compared > 30_000
    # the features are not all trivially empty
    batch = compute_batch(catalog, lake, "declarations", tables["declarations"])
    for name in ("ent_import_value_usd_90d", "hs_origin_price_mad_365d", "unit_price_deviation"):
        assert batch.column(name).null_count < batch.num_rows * 0.9, name
    gates = compute_batch(catalog, lake, "gate_events", tables["gate_events"])
    assert max(gates.column("gate_declaration_lines_3d").to_pylist()) >= 1.0


def test_online_over_redis_equals_batch_on_every_row(
    small_zone: tuple[dict[str, pa.Table], LakeStore], redis_state: RedisState
) -> None:
    tables, lake = small_zone
    assert assert_parity(load_library(), tables, lake, redis_state) > 5_000
    assert redis_state.client.ttl(next(redis_state.client.scan_iter(f"{redis_state.prefix}:*"))) > 0


def test_a_range_of_the_lake_gets_its_keys_and_features(
    zone: tuple[dict[str, pa.Table], LakeStore],
) -> None:
    _, lake = zone
    catalog = load_library()
    result = compute_batch_range(
        catalog, lake, "payments", dt.date(2025, 3, 1), dt.date(2025, 3, 31)
    )
    assert result.column_names[:2] == ["payment_id", "paid_on"]
    assert result.column_names[2:] == catalog.for_event("payments")
    days = result.column("paid_on").to_pylist()
    assert days and min(days) >= dt.date(2025, 3, 1) and max(days) <= dt.date(2025, 3, 31)
