"""A small simulated zone loaded into a platform, on SQLite and PostgreSQL: the register
through ``register_batch``, every dataset through the lake, the truth outside the lake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lingang.bootstrap import Platform
from lingang.errors import Conflict
from lingang.simulate import PATTERNS, Target, ZoneParams, plan_zone, register, run_simulation
from lingang.simulate import load as load_module
from lingang.simulate.zone import zone_batches
from lingang.types import SYSTEM

REPO = Path(__file__).resolve().parents[2]
PARAMS = ZoneParams(enterprises=80, days=60, seed=9)


def plan_batches(plan: object) -> list[object]:
    return list(zone_batches(plan.registry, load_module.BATCH_ENTERPRISES))  # type: ignore[attr-defined]


def _hs(platform: Platform) -> Path:
    path = platform.settings.hs_nomenclature
    return path if path.is_absolute() else REPO / path


def test_a_small_zone_loads_with_one_audit_record_per_batch(
    platform: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(load_module, "BATCH_ENTERPRISES", 30)
    plan = plan_zone(PARAMS, _hs(platform))
    target = Target(platform.entities, platform.lake, platform.settings.data_dir, SYSTEM)
    report = run_simulation(plan, target=target)

    assert platform.entities.count() == 80
    with platform.uow.read() as session:
        actions = [e.action for e in platform.audit.list_records(session, actor=SYSTEM, limit=500)]
    assert actions.count("entities.register_batch") == len(list(plan_batches(plan)))
    stored = {name: platform.lake.store.stats(name).rows for name in report.counts["datasets"]}
    assert stored == report.counts["datasets"]
    assert all(v["rejected"] == 0 and v["duplicates"] == 0 for v in report.loaded.values())

    root = platform.settings.data_dir / "simulation"
    assert sorted(p.stem for p in (root / "truth").glob("*.parquet")) == sorted(PATTERNS)
    assert not list((platform.settings.data_dir / "lake").rglob("*truth*"))
    manifest = json.loads((root / "manifest.json").read_text())
    assert manifest["seed"] == 9 and manifest["loaded"]["declarations"]["accepted"] > 0


def test_registering_the_same_zone_twice_is_refused(platform: Platform) -> None:
    plan = plan_zone(ZoneParams(enterprises=20, days=10, seed=4), _hs(platform))
    target = Target(platform.entities, None, platform.settings.data_dir, SYSTEM)
    assert register(plan, target) == 20
    with pytest.raises(Conflict):
        register(plan, target)
