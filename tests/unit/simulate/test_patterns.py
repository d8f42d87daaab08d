"""Each injected risk pattern is in its truth table *and* visible in the data it describes."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import polars as pl
import pytest

from lingang.simulate import PATTERNS, SimulatedZone
from lingang.simulate.goods import DANGEROUS
from lingang.simulate.vocab import FX_PER_USD, LAUNDERING_HUBS

LINE = ["declaration_id", "item_no"]


def _frame(table: object) -> pl.DataFrame:
    frame = pl.from_arrow(table)  # type: ignore[arg-type]
    assert isinstance(frame, pl.DataFrame)
    return frame


def _data(zone: SimulatedZone, name: str) -> pl.DataFrame:
    return _frame(zone.datasets[name])


def _truth(zone: SimulatedZone, pattern: str) -> pl.DataFrame:
    return _frame(zone.truth[pattern])


@pytest.mark.parametrize("pattern", PATTERNS)
def test_every_pattern_is_injected(zone: SimulatedZone, pattern: str) -> None:
    assert zone.truth[pattern].num_rows > 0


def test_undervalued_lines_sit_far_below_their_subheading_median(zone: SimulatedZone) -> None:
    fx = pl.DataFrame({"currency": list(FX_PER_USD), "rate": list(FX_PER_USD.values())})
    lines = (
        _data(zone, "declarations")
        .join(fx, on="currency")
        .with_columns(
            usd=pl.col("declared_value") / pl.col("rate") / pl.col("quantity"),
            hs6=pl.col("hs_code").str.slice(0, 6),
        )
    )
    truth = _truth(zone, "undervaluation")
    flagged = lines.join(truth.select(LINE), on=LINE, how="semi")
    median = (
        lines.join(truth.select(LINE), on=LINE, how="anti")
        .group_by("hs6")
        .agg(reference=pl.col("usd").median())
    )
    ratio = flagged.join(median, on="hs6").select(pl.col("usd") / pl.col("reference")).to_series()
    assert flagged.height == truth.height
    assert ratio.median() < 0.5
    assert (truth["declared_value"] < truth["true_value"] * 0.46).all()


def test_misclassified_lines_carry_a_lower_duty_code_of_the_same_chapter(
    zone: SimulatedZone,
) -> None:
    truth = _truth(zone, "hs_misclassification")
    data = _data(zone, "declarations").join(truth, on=LINE)
    assert data.height == truth.height
    assert (data["hs_code"] == data["declared_hs_code"]).all()
    assert (data["hs_code"].str.slice(0, 2) == data["true_hs_code"].str.slice(0, 2)).all()
    assert (data["declared_duty"] <= data["true_duty"] - 0.02 + 1e-9).all()


def test_laundered_origins_name_a_transit_hub_for_goods_of_us_origin(zone: SimulatedZone) -> None:
    truth = _truth(zone, "origin_laundering")
    data = _data(zone, "declarations").join(truth, on=LINE)
    assert data.height == truth.height
    assert (data["origin_country"] == data["declared_origin"]).all()
    assert (data["departure_country"] == data["via_country"]).all()
    assert set(data["origin_country"]) <= set(LAUNDERING_HUBS)
    assert set(data["true_origin"]) == {"US"}
    honest = _data(zone, "declarations").filter(
        pl.col("foreign_party").is_in(data["foreign_party"])
    )
    assert "US" in set(honest["origin_country"])  # the same supplier elsewhere declares US


def test_hidden_dangerous_goods_have_no_un_number_and_no_manifest(zone: SimulatedZone) -> None:
    truth = _truth(zone, "dg_misdeclaration")
    data = _data(zone, "declarations").join(truth, on=LINE)
    assert data.height == truth.height
    assert data["un_number"].null_count() == data.height
    assert set(data["true_hs_code"].str.slice(0, 6)) <= set(DANGEROUS)
    manifests = _data(zone, "manifests")
    lines = data.join(manifests, on=["declaration_id", "un_number"], how="semi")
    assert lines.height == 0


def test_leaking_gate_events_leave_the_zone_without_a_real_declaration(zone: SimulatedZone) -> None:
    truth = _truth(zone, "bonded_leakage")
    events = _data(zone, "gate_events").join(truth.select("event_id"), on="event_id", how="semi")
    assert events.height == truth.height and set(events["direction"]) == {"out"}
    declared = set(_data(zone, "declarations")["declaration_id"])
    quoted = events["declaration_id"].drop_nulls()
    assert not set(quoted) & declared
    assert set(truth["kind"]) == {"no_declaration", "unknown_declaration"}


def test_mismatched_payments_have_no_goods_or_pay_far_above_them(zone: SimulatedZone) -> None:
    truth = _truth(zone, "payment_mismatch")
    payments = _data(zone, "payments").join(truth.select("payment_id", "kind", "goods_value"),
                                            on="payment_id", suffix="_truth")  # fmt: skip
    assert payments.height == truth.height
    no_goods = payments.filter(pl.col("kind_truth") == "no_goods")
    assert no_goods["declaration_id"].null_count() == no_goods.height > 0
    assert set(no_goods["purpose_code"]) == {"121010"}  # a goods-trade payment
    over = payments.filter(pl.col("kind_truth") == "over_goods")
    assert over.height > 0 and (over["amount"] >= 1.79 * over["goods_value"]).all()
    declared = set(_data(zone, "declarations")["declaration_id"])
    assert set(over["declaration_id"]) <= declared


def test_circular_flows_close_a_cycle_of_related_enterprises(zone: SimulatedZone) -> None:
    truth = _truth(zone, "circular_flow")
    groups = dict(_frame(zone.enterprises).select("uscc", "group_id").iter_rows())
    lines = _data(zone, "declarations")
    for (_, _), legs in truth.group_by(["cycle_id", "round"]):
        edges = dict(legs.select("from_uscc", "to_uscc").iter_rows())
        start = next(iter(edges))
        node, seen = edges[start], [start]
        while node != start:
            seen.append(node)
            node = edges[node]
        assert sorted(seen) == sorted(edges) and len(seen) >= 3
        assert len({groups[u] for u in seen}) == 1 and groups[start] >= 0
    exports = lines.join(truth, left_on="declaration_id", right_on="export_declaration_id")
    imports = lines.join(truth, left_on="declaration_id", right_on="import_declaration_id")
    assert exports.height == imports.height == truth.height
    assert (exports["direction"] == "export").all() and (imports["direction"] == "import").all()
    assert (exports["enterprise_code"] == exports["from_uscc"]).all()
    assert (imports["enterprise_code"] == imports["to_uscc"]).all()
    assert (imports["foreign_party"] == imports["via_party"]).all()


def test_shells_share_an_address_or_legal_rep_are_new_and_move_big_money(
    zone: SimulatedZone,
) -> None:
    truth = _truth(zone, "shell_company")
    start = zone.params.start
    for (_,), members in truth.group_by(["cluster_id"]):
        shared = members["shared"][0]
        column = "address" if shared == "address" else "legal_rep_id_number"
        assert members.height >= 3 and members[column].n_unique() == 1
    assert truth["registered_on"].min() >= start - dt.timedelta(days=60)
    assert (truth["capital_wan"] <= 100).all()
    received = (
        _data(zone, "payments").filter(pl.col("kind") == "receipt", pl.col("currency") == "USD")
        .group_by("enterprise_uscc").agg(pl.col("amount").sum())
    )  # fmt: skip
    shells = received.filter(pl.col("enterprise_uscc").is_in(truth["uscc"]))
    others = received.filter(~pl.col("enterprise_uscc").is_in(truth["uscc"]))
    assert shells["amount"].median() > 3 * others["amount"].median()
    assert Counter(truth["shared"]).keys() <= {"address", "legal_rep"}
