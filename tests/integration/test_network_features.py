"""Network features online == batch on a simulated zone loaded into a platform: the register
(related-party clusters) from the database, the payments from the lake; each path reads its
own LakeNetwork, so the snapshots are computed twice, independently."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from environment import require_shared
from lingang.bootstrap import Platform
from lingang.risk.features import FeatureCatalog, OnlineFeatures, compute_batch, library_specs
from lingang.risk.features import replay as replay_features
from lingang.risk.network import LakeNetwork, register_clusters
from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation
from lingang.types import SYSTEM

REPO = Path(__file__).resolve().parents[2]
EVENTS = ("payments", "declarations")


@pytest.mark.slow
@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the graph is in the lake
def test_network_features_online_equal_batch(platform: Platform) -> None:
    hs = platform.settings.hs_nomenclature
    hs = hs if hs.is_absolute() else REPO / hs
    require_shared(hs)
    plan = plan_zone(ZoneParams(enterprises=100, days=75, seed=3), hs)
    run_simulation(
        plan, target=Target(platform.entities, platform.lake, platform.settings.data_dir, SYSTEM)
    )
    lake = platform.lake.store
    catalog = FeatureCatalog.load([s for s in library_specs() if s["kind"] == "network"])
    tables: dict[str, pa.Table] = {name: lake.read(name) for name in EVENTS}

    def source() -> LakeNetwork:
        return LakeNetwork(lake, lambda: register_clusters(platform.uow))

    online = replay_features(OnlineFeatures(catalog, network=source()), tables)
    seen: dict[str, set[float]] = {name: set() for name in catalog.names}
    for dataset in EVENTS:
        batch = compute_batch(catalog, lake, dataset, tables[dataset], network=source())
        assert batch.column_names == catalog.for_event(dataset)
        for name in batch.column_names:
            for row, (want, got) in enumerate(
                zip(batch.column(name).to_pylist(), (v[name] for v in online[dataset]), strict=True)
            ):
                assert want == got, f"{dataset} row {row} {name}: batch {want!r} online {got!r}"
                if want is not None:
                    seen[name].add(want)
    # not trivially empty: cycles (circular_flow), fans and related clusters show up
    assert seen["ent_in_payment_cycle"] == {0.0, 1.0}
    assert max(seen["ent_fan_in_90d"]) >= 2 and max(seen["ent_fan_out_90d"]) >= 2
    assert max(seen["ent_related_cluster_size"]) >= 3
