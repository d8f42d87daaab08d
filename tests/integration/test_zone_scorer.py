"""The zone scorer: trained on a small simulated zone, it ranks the injected lines far above
chance, scores an event online exactly as in batch, and adds ``weight × p`` to a scenario
that names it, with its version and top contributions stored on the assessment."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from environment import require_shared
from lingang.bootstrap import Platform
from lingang.config import Settings
from lingang.lake.catalog import DECLARATIONS
from lingang.risk.features.batch import compute_batch
from lingang.risk.features.library import load_library
from lingang.risk.scorers import runs
from lingang.risk.scorers.zone import ZONE_NAME, ZoneScorer, declaration_events
from lingang.simulate import Target, ZoneParams, plan_zone, run_simulation
from lingang.types import SYSTEM, Actor, Role

REPO = Path(__file__).resolve().parents[2]
PARAMS = ZoneParams(enterprises=300, days=120, seed=11)
WEIGHT = 30.0
# Inspecting 5 % at random finds the base rate (about 2 % of lines carry an injected
# pattern). On the 2,000-enterprise zone the scorer's precision at 5 % is 16× the base rate;
# a 120-day, 300-enterprise zone trains on far fewer lines and validates on ~30 days, so the
# test asks for 3×: a scorer that had learned nothing could not reach it by chance.
FACTOR = 3.0


def _hs(platform: Platform) -> Path:
    path = platform.settings.hs_nomenclature
    return path if path.is_absolute() else REPO / path


def _officer(name: str) -> Actor:
    return Actor(user_id=None, username=name, role=Role.RISK_OFFICER)


def _publish_with_scorer(platform: Platform) -> None:
    data = platform.rulesets.published().document.to_data()
    for scenario in data["scenarios"]:
        if scenario["id"] == "undervaluation":
            scenario["scorer"] = {"name": ZONE_NAME, "weight": WEIGHT}
    author, second = _officer("ana"), _officer("bo")
    version = platform.rulesets.create_draft(data, actor=author, note="zone scorer").version
    platform.rulesets.submit(version, actor=author)
    platform.rulesets.approve(version, actor=second)
    platform.assessments.invalidate()


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)  # the training data is the lake
def test_the_zone_scorer_trains_scores_alike_and_feeds_its_scenario(platform: Platform) -> None:
    require_shared(Settings().hs_nomenclature)
    data_dir = platform.settings.data_dir
    lake = platform.lake.store
    plan = plan_zone(PARAMS, _hs(platform))
    run_simulation(plan, target=Target(platform.entities, platform.lake, data_dir, SYSTEM))

    report = runs.train_zone(data_dir, lake)
    assert report.version == 1 and (Path(report.folder) / "model.txt").is_file()
    assert report.valid_positives > 10 and report.trees > 0
    at5 = next(m for m in report.valid if m.rate == 0.05)
    assert at5.precision >= FACTOR * report.base_rate, report

    # the same feature values give the same probability one event at a time and in batch
    scorer = ZoneScorer.load(data_dir)
    assert scorer.label == f"{ZONE_NAME}-1"
    last = dt.date.fromisoformat(report.valid_end)
    events = declaration_events(lake, last - dt.timedelta(days=2), last)
    table = compute_batch(load_library(network=False), lake, "declarations", events)
    batch = scorer.probabilities(table)
    rows = table.to_pylist()
    for index in np.linspace(0, len(rows) - 1, 40).astype(int):
        assert scorer.probability(rows[index]) == pytest.approx(batch[index], abs=1e-12)

    # an assessment through a rule set that names the scorer: online features of a new day
    _publish_with_scorer(platform)
    line = events.slice(events.num_rows // 2, 1).to_pylist()[0]
    line.update(declaration_id="2233" + "9" * 14, declared_on=last + dt.timedelta(days=1))
    raw = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in line.items()}
    assessment = platform.assessments.assess("declarations", raw, actor=SYSTEM)
    assert assessment.scorer_version == f"{ZONE_NAME}-1"
    contributions = assessment.features["_contributions"]
    assert len(contributions) == 5 and all(name in scorer.features for name, _ in contributions)

    one = pa.Table.from_pylist([line], schema=DECLARATIONS.arrow_schema())
    p_batch = float(scorer.probabilities(
        compute_batch(load_library(network=False), lake, "declarations", one))[0])  # fmt: skip
    weights = sum(h["weight"] for h in assessment.hits if h["scenario"] == "undervaluation")
    expected = min(round(weights + WEIGHT * p_batch, 6), 100.0)
    under = [s for s in assessment.scenarios if s["scenario"] == "undervaluation"]
    assert under and under[0]["score"] == pytest.approx(expected, abs=1e-6)
    assert assessment.score >= under[0]["score"]
