"""The zone looks like a zone: the plan's industry mix, weekly and seasonal rhythm, settled
declarations, bonded movements through the gates, manifests for dangerous goods."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from lingang.entities.industries import INDUSTRY_BY_CODE
from lingang.simulate import SimulatedZone, ZoneParams, plan_zone
from lingang.simulate.registry import CLUSTER_MIX
from lingang.simulate.trade import BONDED_MODES
from lingang.simulate.zone import enterprise_table


def _frame(zone: SimulatedZone, name: str) -> pl.DataFrame:
    frame = pl.from_arrow(zone.datasets[name])
    assert isinstance(frame, pl.DataFrame)
    return frame


def _daily(zone: SimulatedZone) -> pl.DataFrame:
    return _frame(zone, "declarations").group_by("declared_on").agg(pl.len().alias("lines"))


def test_industry_mix_follows_the_plan_clusters(hs_path: Path) -> None:
    plan = plan_zone(ZoneParams(enterprises=8000, days=30, seed=3), hs_path)
    codes = enterprise_table(plan.registry)["industry_code"].to_pylist()
    clusters = [INDUSTRY_BY_CODE[str(c)].cluster for c in codes]
    for cluster, share in CLUSTER_MIX.items():
        assert abs(clusters.count(cluster) / len(clusters) - share) < 0.02, cluster


def test_weekends_are_quieter_than_weekdays(zone: SimulatedZone) -> None:
    daily = _daily(zone).with_columns(weekend=pl.col("declared_on").dt.weekday() >= 6)
    means = dict(daily.group_by("weekend").agg(pl.col("lines").mean()).iter_rows())
    assert means[True] < 0.5 * means[False]


def test_spring_festival_dips_and_the_year_end_peaks(zone: SimulatedZone) -> None:
    daily = _daily(zone)

    def mean(first: dt.date, last: dt.date) -> float:
        rows = daily.filter(pl.col("declared_on").is_between(first, last))
        return float(rows["lines"].sum()) / ((last - first).days + 1)

    festival = mean(dt.date(2025, 1, 27), dt.date(2025, 2, 4))  # 春节 2025-01-29
    spring = mean(dt.date(2025, 3, 3), dt.date(2025, 3, 30))
    assert festival < 0.5 * spring
    assert mean(dt.date(2025, 11, 3), dt.date(2025, 12, 28)) > 1.1 * spring


def test_most_declarations_are_settled_with_lags_and_fx_purchases(zone: SimulatedZone) -> None:
    lines = (
        _frame(zone, "declarations")
        .select("declaration_id", "declared_on")
        .unique("declaration_id")
    )
    payments = _frame(zone, "payments")
    settled = payments.filter(pl.col("declaration_id").is_not_null()).join(
        lines, on="declaration_id"
    )
    assert settled["declaration_id"].n_unique() > 0.6 * lines.height
    lag = (settled["paid_on"] - settled["declared_on"]).dt.total_days()
    assert lag.min() < 0 < lag.median() and lag.max() > 60  # prepaid, on terms, on credit
    kinds = set(payments["kind"].unique())
    assert kinds == {"receipt", "payment", "fx_purchase"}


def test_bonded_declarations_move_through_the_gates(zone: SimulatedZone) -> None:
    lines = _frame(zone, "declarations")
    gates = _frame(zone, "gate_events").filter(pl.col("declaration_id").is_not_null())
    modes = gates.join(lines.unique("declaration_id"), on="declaration_id", how="inner")
    assert modes.height > 0.95 * gates.height - 50  # the rest quote no real declaration
    assert set(modes["trade_mode"].unique()) <= set(BONDED_MODES)
    direction = modes.select(
        (pl.col("direction") == "in") == (pl.col("direction_right") == "import")
    )
    assert direction.to_series().all()


def test_declared_dangerous_goods_lines_have_manifests(zone: SimulatedZone) -> None:
    lines = _frame(zone, "declarations").filter(pl.col("un_number").is_not_null())
    manifests = _frame(zone, "manifests")
    assert lines.height == manifests.height > 0
    joined = lines.join(manifests, on=["declaration_id", "un_number"], how="semi")
    assert joined.height == lines.height


def test_partners_come_from_many_countries_led_by_the_big_traders(zone: SimulatedZone) -> None:
    imports = _frame(zone, "declarations").filter(pl.col("direction") == "import")
    shares = imports["departure_country"].value_counts(normalize=True).sort("proportion")
    assert shares.height >= 20
    assert set(shares.tail(6)["departure_country"]) & {"KR", "JP", "US", "TW", "DE"}
