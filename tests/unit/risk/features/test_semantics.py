"""Each aggregate on hand-made rows, online and in batch, against hand-computed numbers.

Rows of payer A: day 0 → 10 (X1), 20 (no declaration); day 1 → 30 (X1, receipt);
day 2 → 40 (X22); day 3 → 50 (the event), 60. Payer B: day 2 → 5. The event is p6 (day 3).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import pyarrow as pa
import pytest


@pytest.fixture
def stream(pay: Callable[..., dict[str, Any]], to_table: Callable[..., pa.Table]) -> pa.Table:
    return to_table(
        "payments",
        [
            pay("p1", 0, amount=10.0, declaration_id="X1"),
            pay("p2", 0, amount=20.0),
            pay("p3", 1, amount=30.0, declaration_id="X1", kind="receipt"),
            pay("p4", 2, amount=40.0, declaration_id="X22"),
            pay("p5", 2, amount=5.0, payer="B", declaration_id="X1"),
            pay("p6", 3, amount=50.0),
            pay("p7", 3, amount=60.0),
            pay("p8", 3, amount=70.0, payer="C"),
        ],
    )


def spec(name: str, agg: str, days: int = 3, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": name, "kind": "window", "dataset": "payments", "key": ["payer"],
        "event_key": {"payments": ["payer"]}, "agg": agg, "days": days,
    }  # fmt: skip
    if agg not in ("count",) and "value" not in extra:
        out["value"] = "amount"
    return {**out, **extra}


P6, P8 = 5, 7  # rows of the events checked: payer A on day 3, payer C (nothing before)

EXPECTED = {
    "f_count": 4.0,
    "f_sum": 100.0,
    "f_avg": 25.0,
    "f_min": 10.0,
    "f_max": 40.0,
    "f_distinct": 2.0,  # payment, receipt
    "f_stddev": math.sqrt(500 / 3),  # deviations 15, 5, 5, 15 from 25
    "f_percentile": 17.5,  # h = 3 · 0.25 = 0.75 → 10 + (20 − 10) · 0.75
    "f_median": 25.0,
    "f_mad": 10.0,  # |x − 25| = 15, 5, 5, 15 → median 10
}


def test_every_aggregate_matches_its_hand_computed_value(run: Any, stream: pa.Table) -> None:
    specs = [
        spec(name, name.removeprefix("f_"))
        | ({"value": "kind"} if name == "f_distinct" else {})
        | ({"q": 0.25} if name == "f_percentile" else {})
        for name in EXPECTED
    ]
    results = run(specs, {"payments": stream}, "payments")
    for name, expected in EXPECTED.items():
        online, batch = results[name]
        if name == "f_stddev":
            assert online[P6] == pytest.approx(expected, rel=1e-12)
            assert batch[P6] == pytest.approx(expected, rel=1e-12)
        else:
            assert (online[P6], batch[P6]) == (expected, expected), name
        empty = 0.0 if name in ("f_count", "f_distinct") else None
        assert (online[P8], batch[P8]) == (empty, empty), f"{name} over an empty window"


def test_the_window_starts_days_before_and_ends_the_day_before(run: Any, stream: pa.Table) -> None:
    specs = [spec("c_1", "count", 1), spec("c_2", "count", 2), spec("c_3", "count", 3)]
    results = run(specs, {"payments": stream}, "payments")
    # day 3 event: 1 day back → day 2 (40); 2 → days 1–2; 3 → days 0–2; never day 3 itself
    assert [results[n][0][P6] for n in ("c_1", "c_2", "c_3")] == [1.0, 2.0, 4.0]
    assert [results[n][1][P6] for n in ("c_1", "c_2", "c_3")] == [1.0, 2.0, 4.0]
    # p7 shares p6's day: it does not see p6 (same day), whatever the arrival order
    assert results["c_3"][0][6] == results["c_3"][1][6] == 4.0


def test_null_values_are_skipped_and_null_keys_never_match(run: Any, stream: pa.Table) -> None:
    value = "length(declaration_id) * amount"  # null without a declaration
    specs = [
        spec("n_sum", "sum", value=value),  # 2·10 + 2·30 + 3·40
        spec("n_avg", "avg", value=value),
        spec("n_count", "count"),  # count counts rows; it has no value to be null
        spec(
            "by_decl", "count", key=["declaration_id"], event_key={"payments": ["declaration_id"]}
        ),
        spec("filtered", "sum", where="kind = 'payment' and declaration_id is not null"),
    ]
    results = run(specs, {"payments": stream}, "payments")
    for name, expected in [("n_sum", 200.0), ("n_avg", 200.0 / 3), ("n_count", 4.0),
                           ("by_decl", 0.0), ("filtered", 50.0)]:  # fmt: skip
        assert results[name][0][P6] == results[name][1][P6] == expected, name
    # p1 (X1, day 0) sees nothing before it; p5 (X1, day 2) sees p1 and p3
    assert results["by_decl"][0][4] == results["by_decl"][1][4] == 2.0


def test_derived_features_follow_their_inputs(run: Any, stream: pa.Table) -> None:
    specs = [
        spec("total", "sum"),
        spec("lines", "count"),
        {
            "name": "mean_again",
            "kind": "derived",
            "expression": "feature('total') / feature('lines')",
        },
        {"name": "share", "kind": "derived", "expression": "amount / feature('mean_again')"},
    ]
    results = run(specs, {"payments": stream}, "payments")
    assert results["mean_again"][0][P6] == results["mean_again"][1][P6] == 25.0
    assert results["share"][0][P6] == results["share"][1][P6] == 2.0
    # an empty window divides by zero: null in both paths
    assert results["share"][0][P8] is None and results["share"][1][P8] is None


def test_same_day_sees_the_earlier_datasets_rows_of_the_day(
    run: Any, to_table: Callable[..., pa.Table]
) -> None:
    import datetime as dt

    day = dt.datetime(2025, 3, 2, 23, 30, tzinfo=dt.UTC)  # UTC day 2025-03-02
    manifests = to_table(
        "manifests",
        [
            {"manifest_id": f"M{i}", "declared_on": d, "enterprise_uscc": "U",
             "declaration_id": "X1", "un_number": "1263", "dg_class": "3",
             "packing_group": None, "proper_shipping_name": "PAINT", "quantity_kg": 1.0,
             "container_no": None}
            for i, d in enumerate([dt.date(2025, 2, 27), dt.date(2025, 3, 1), dt.date(2025, 3, 2)])
        ],
    )  # fmt: skip
    gates = to_table(
        "gate_events",
        [
            {"event_id": f"G{i}", "occurred_at": t, "gate_id": "YS-G1", "direction": "in",
             "container_no": None, "vehicle_plate": "沪A12345", "enterprise_uscc": "U",
             "goods_description": "paint", "hs_code": None, "declaration_id": decl,
             "gross_mass_kg": 1.0}
            for i, (t, decl) in enumerate([(day, "X1"), (day, None), (day, "X9")])
        ],
    )  # fmt: skip
    same_day = {
        "name": "manifests_2d", "kind": "window", "dataset": "manifests",
        "key": ["declaration_id"], "event_key": {"gate_events": ["declaration_id"]},
        "agg": "count", "days": 2, "same_day": True,
    }  # fmt: skip
    online, batch = run([same_day], {"manifests": manifests, "gate_events": gates}, "gate_events")[
        "manifests_2d"
    ]
    # days 2025-02-28 … 2025-03-02: the manifests of 03-01 and 03-02 (not 02-27)
    assert online == batch == [2.0, 0.0, 0.0]
