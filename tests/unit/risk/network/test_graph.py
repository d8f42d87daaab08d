"""Fan-in, fan-out and cycle membership on tiny hand-made graphs with hand-computed answers."""

from __future__ import annotations

import pyarrow as pa
import pytest

from lingang.risk.network import PaymentGraph, cycle_members, fan_in, fan_out, max_fan_in
from lingang.risk.network.graph import on_short_cycle, window_graph

# a → b on days 1 and 5, c → b day 2, d → b day 9, b → e day 3, b → a day 4
FAN = PaymentGraph.from_edges(
    [("a", "b", 1, 10.0), ("a", "b", 5, 1.0), ("c", "b", 2, 1.0), ("d", "b", 9, 1.0),
     ("b", "e", 3, 1.0), ("b", "a", 4, 1.0)]
)  # fmt: skip


def test_fan_in_and_out_count_distinct_parties_in_the_window() -> None:
    assert fan_in(FAN) == {"b": 3, "e": 1, "a": 1}
    assert fan_out(FAN) == {"a": 1, "c": 1, "d": 1, "b": 2}
    # window [2, 5]: c (2), a (5) pay b; b pays e (3) and a (4)
    assert fan_in(FAN, 4, as_of=5) == {"b": 2, "e": 1, "a": 1}
    assert fan_out(FAN, 4, as_of=5) == {"c": 1, "a": 1, "b": 2}
    assert fan_in(FAN, 1, as_of=9) == {"b": 1}
    assert fan_in(FAN, 3, as_of=100) == {}


def test_max_fan_in_slides_over_every_window() -> None:
    # payers of b by day: a1 c2 a5 d9. 7 days: [1, 7] {a, c}, [3, 9] {a, d} → 2;
    # 8 days: [2, 9] {c, a, d} → 3
    assert max_fan_in(FAN, 1)["b"] == 1
    assert max_fan_in(FAN, 7)["b"] == 2
    assert max_fan_in(FAN, 8)["b"] == 3
    with pytest.raises(ValueError):
        max_fan_in(FAN, 0)


# triangle x → y → z → x on days 10, 11, 12; square p → q → r → s → p on days 1 … 4;
# pair u ⇄ v on days 1 and 30 (a cycle only if the window holds 30 days)
CYCLES = PaymentGraph.from_edges(
    [("x", "y", 10, 1.0), ("y", "z", 11, 1.0), ("z", "x", 12, 1.0),
     ("p", "q", 1, 1.0), ("q", "r", 2, 1.0), ("r", "s", 3, 1.0), ("s", "p", 4, 1.0),
     ("u", "v", 1, 1.0), ("v", "u", 30, 1.0), ("x", "w", 11, 1.0)]
)  # fmt: skip


def test_cycles_within_the_bound_and_the_window() -> None:
    assert cycle_members(CYCLES, 3, 5, as_of=12) == {"x", "y", "z"}
    # the square is longer than the bound 3, found with 4
    assert cycle_members(CYCLES, 3, 20, as_of=20) == {"x", "y", "z"}
    assert cycle_members(CYCLES, 4, 20, as_of=20) == {"x", "y", "z", "p", "q", "r", "s"}
    # the triangle's last leg (day 12) falls outside [9, 11]
    assert cycle_members(CYCLES, 3, 3, as_of=11) == set()
    # u ⇄ v spans 30 days: outside any 29-day window, inside a 30-day one
    assert "u" not in cycle_members(CYCLES, 2, 29, stride=1)
    assert cycle_members(CYCLES, 2, 30, stride=1) == {"u", "v"}
    # every window, no as_of: a window of 3 days holds the triangle but not the square
    assert cycle_members(CYCLES, 4, 3, stride=1) == {"x", "y", "z"}


def test_a_shortest_closed_walk_decides_membership() -> None:
    # a → b → c → a and c → d → e → c share c: with bound 3 all five are on a triangle;
    # f hangs off d and is on no cycle
    edges = [("a", "b"), ("b", "c"), ("c", "a"), ("c", "d"), ("d", "e"), ("e", "c"), ("d", "f")]
    graph = PaymentGraph.from_edges((s, t, 1, 1.0) for s, t in edges)
    assert on_short_cycle(window_graph(graph, None, None), 3) == {"a", "b", "c", "d", "e"}
    assert on_short_cycle(window_graph(graph, None, None), 2) == set()
    with pytest.raises(ValueError):
        on_short_cycle(window_graph(graph, None, None), 1)


def test_lake_payments_become_flows_between_parties() -> None:
    payments = pa.table(
        {
            "kind": ["receipt", "payment", "fx_purchase", "payment"],
            "enterprise_uscc": ["U1", "U1", "U1", "U2"],
            "payer": ["ACME  Ltd", "甲公司", "Bank", "乙公司"],
            "payee": ["甲公司", "acme ltd", "甲公司", None],
            "paid_on": pa.array([1, 2, 3, 4], pa.int32()).cast(pa.date32()),
            "amount": [5.0, 6.0, 7.0, 8.0],
        }
    )
    graph = PaymentGraph.from_payments(payments)
    assert list(zip(graph.source, graph.target, graph.day, strict=True)) == [
        ("ext:acme ltd", "U1", 1),
        ("U1", "ext:acme ltd", 2),
    ]
    assert cycle_members(graph, 2, 2, as_of=2) == {"U1", "ext:acme ltd"}
