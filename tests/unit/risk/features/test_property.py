"""Property: for random small payment streams and random window specs, online == batch.

Values are multiples of 0.25, so sums are exact in any order and every aggregate but stddev
must agree bit for bit; stddev (Welford per day + Chan vs DuckDB) to a relative 1e-12.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lingang.risk.features.spec import AGGS

D0 = dt.date(2025, 3, 1)
KEYS = [("payer", "payer"), ("declaration_id", "declaration_id")]  # the second may be null
VALUES = ["amount", "length(declaration_id) * amount", "amount - 2"]
WHERES = [None, "kind = 'payment'", "amount > 3", "declaration_id is not null"]

rows_strategy = st.lists(
    st.tuples(
        st.integers(0, 6),  # day
        st.sampled_from(["A", "B", "C"]),  # payer
        st.sampled_from([None, "X1", "X22"]),  # declaration_id
        st.integers(-8, 40).map(lambda n: n / 4),  # amount
        st.sampled_from(["payment", "receipt"]),
    ),
    min_size=1,
    max_size=40,
)


@st.composite
def specs_strategy(draw: st.DrawFn) -> list[dict[str, Any]]:
    specs: list[dict[str, Any]] = []
    for i in range(draw(st.integers(1, 3))):
        agg = draw(st.sampled_from(AGGS))
        key, event_key = draw(st.sampled_from(KEYS))
        spec: dict[str, Any] = {
            "name": f"feat_{i}", "kind": "window", "dataset": "payments", "key": [key],
            "event_key": {"payments": [event_key]}, "agg": agg, "days": draw(st.integers(1, 5)),
        }  # fmt: skip
        if agg != "count":
            spec["value"] = draw(st.sampled_from(VALUES))
        if agg == "percentile":
            spec["q"] = draw(st.sampled_from([0.0, 0.1, 0.25, 0.33, 0.9, 1.0]))
        where = draw(st.sampled_from(WHERES))
        if where is not None:
            spec["where"] = where
        specs.append(spec)
    specs.append({"name": "combined", "kind": "derived", "expression": "feature('feat_0') * 2 - 1"})
    return specs


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(rows=rows_strategy, specs=specs_strategy())
def test_online_equals_batch(
    rows: list[tuple[Any, ...]], specs: list[dict[str, Any]], to_table: Any, both: Any
) -> None:
    stream = to_table(
        "payments",
        [
            {"payment_id": f"p{i}", "paid_on": D0 + dt.timedelta(days=day), "kind": kind,
             "enterprise_uscc": "U", "payer": payer, "payee": "Z", "counterparty_country": "US",
             "currency": "USD", "amount": amount, "purpose_code": "121010",
             "declaration_id": decl}
            for i, (day, payer, decl, amount, kind) in enumerate(rows)
        ],
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as root:
        results = both(Path(root) / "lake", specs, {"payments": stream}, "payments")
    for spec in specs:
        online, batch = results[spec["name"]]
        if spec.get("agg") == "stddev":
            assert len(online) == len(batch)
            for a, b in zip(online, batch, strict=True):
                assert (a is None) == (b is None), (spec, online, batch)
                if a is not None:
                    assert abs(a - b) <= 1e-12 * max(abs(a), abs(b), 1e-300), (spec, a, b)
        else:
            assert online == batch, (spec, online, batch)
