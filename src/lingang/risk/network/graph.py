"""The directed payment graph: parties as nodes, money flows payer → payee as dated edges.

Edges are kept as columns (source, target, day, amount) so that a time window is a slice;
:func:`window_graph` turns a window into a :class:`networkx.DiGraph` for the cycle search.
Days are integers (day numbers since 1970-01-01 for the lake, simulation steps for AMLSim).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import networkx as nx
import pyarrow as pa

from lingang.risk.features.days import day_number

FOREIGN = "ext:"  # prefix of a foreign party's node id (a zone party's id is its USCC)
# Payment kinds that move money between a zone enterprise and its counterparty; foreign
# exchange purchases (bank → enterprise) are conversions, not flows between parties.
_FLOW_KINDS = {"receipt": False, "payment": True}  # kind → the zone party pays


@dataclass(frozen=True, slots=True)
class PaymentGraph:
    """Dated money flows, one per payment, as parallel columns."""

    source: tuple[str, ...]
    target: tuple[str, ...]
    day: tuple[int, ...]
    amount: tuple[float, ...]

    @classmethod
    def from_edges(cls, edges: Iterable[tuple[str, str, int, float]]) -> PaymentGraph:
        """A graph from ``(payer, payee, day, amount)`` rows, sorted by day (stable);
        self-payments are dropped."""
        rows = sorted((e for e in edges if e[0] != e[1]), key=lambda e: e[2])
        return cls(
            tuple(r[0] for r in rows),
            tuple(r[1] for r in rows),
            tuple(int(r[2]) for r in rows),
            tuple(float(r[3]) for r in rows),
        )

    @classmethod
    def from_payments(cls, payments: pa.Table) -> PaymentGraph:
        """The graph of a lake ``payments`` table: the zone enterprise is its USCC, the
        counterparty its normalised name (:func:`party_id`); a receipt flows counterparty →
        enterprise, a payment enterprise → counterparty, foreign exchange is left out."""
        kinds = payments.column("kind").to_pylist()
        usccs = payments.column("enterprise_uscc").to_pylist()
        payers = payments.column("payer").to_pylist()
        payees = payments.column("payee").to_pylist()
        days = [day_number(d) for d in payments.column("paid_on").to_pylist()]
        amounts = [0.0 if a is None else a for a in payments.column("amount").to_pylist()]
        rows: list[tuple[str, str, int, float]] = []
        for kind, uscc, payer, payee, day, amount in zip(
            kinds, usccs, payers, payees, days, amounts, strict=True
        ):
            zone_pays = _FLOW_KINDS.get(kind)
            if zone_pays is None or not uscc or day is None:
                continue
            other = party_id(payee if zone_pays else payer)
            if other is None:
                continue
            rows.append((uscc, other, day, amount) if zone_pays else (other, uscc, day, amount))
        return cls.from_edges(rows)

    def __len__(self) -> int:
        return len(self.day)

    def nodes(self) -> set[str]:
        """Every party that paid or was paid."""
        return set(self.source) | set(self.target)

    def between(self, first: int | None, last: int | None) -> range:
        """Indexes of the edges dated ``first`` … ``last`` (both included; None: open)."""
        lo = 0 if first is None else bisect_left(self.day, first)
        hi = len(self.day) if last is None else bisect_right(self.day, last)
        return range(lo, max(lo, hi))


def party_id(name: str | None) -> str | None:
    """A foreign party's node id: ``ext:`` and its name case-folded with spaces collapsed."""
    if name is None:
        return None
    clean = " ".join(name.split()).casefold()
    return f"{FOREIGN}{clean}" if clean else None


def _span(window_days: int | None, as_of: int | None) -> tuple[int | None, int | None]:
    if window_days is not None and window_days < 1:
        raise ValueError("window_days must be at least 1")
    if as_of is None or window_days is None:
        return None, as_of
    return as_of - window_days + 1, as_of


def fan_in(
    graph: PaymentGraph, window_days: int | None = None, as_of: int | None = None
) -> dict[str, int]:
    """Distinct parties that paid each node on days [as_of − window_days + 1, as_of] (every
    day when ``as_of`` or ``window_days`` is None). Nodes with no such payer are absent."""
    return _fan(graph, window_days, as_of, incoming=True)


def fan_out(
    graph: PaymentGraph, window_days: int | None = None, as_of: int | None = None
) -> dict[str, int]:
    """Distinct parties each node paid in the same window as :func:`fan_in`."""
    return _fan(graph, window_days, as_of, incoming=False)


def _fan(
    graph: PaymentGraph, window_days: int | None, as_of: int | None, *, incoming: bool
) -> dict[str, int]:
    first, last = _span(window_days, as_of)
    seen: dict[str, set[str]] = defaultdict(set)
    ends, others = (graph.target, graph.source) if incoming else (graph.source, graph.target)
    for i in graph.between(first, last):
        seen[ends[i]].add(others[i])
    return {node: len(parties) for node, parties in seen.items()}


def max_fan_in(graph: PaymentGraph, window_days: int) -> dict[str, int]:
    """Per node, the most distinct payers seen within any ``window_days`` consecutive days."""
    return _max_fan(graph, window_days, incoming=True)


def max_fan_out(graph: PaymentGraph, window_days: int) -> dict[str, int]:
    """Per node, the most distinct payees within any ``window_days`` consecutive days."""
    return _max_fan(graph, window_days, incoming=False)


def _max_fan(graph: PaymentGraph, window_days: int, *, incoming: bool) -> dict[str, int]:
    if window_days < 1:
        raise ValueError("window_days must be at least 1")
    ends, others = (graph.target, graph.source) if incoming else (graph.source, graph.target)
    flows: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for end, other, day in zip(ends, others, graph.day, strict=True):
        flows[end].append((day, other))
    best: dict[str, int] = {}
    for node, items in flows.items():
        items.sort()
        counts: dict[str, int] = defaultdict(int)
        top, lo = 0, 0
        for day, other in items:  # two pointers over the sorted days
            counts[other] += 1
            while items[lo][0] <= day - window_days:
                gone = items[lo][1]
                counts[gone] -= 1
                if not counts[gone]:
                    del counts[gone]
                lo += 1
            top = max(top, len(counts))
        best[node] = top
    return best


def window_graph(graph: PaymentGraph, first: int | None, last: int | None) -> nx.DiGraph[str]:
    """The simple directed graph of the edges dated ``first`` … ``last`` (both included)."""
    out: nx.DiGraph[str] = nx.DiGraph()
    out.add_edges_from((graph.source[i], graph.target[i]) for i in graph.between(first, last))
    return out


def on_short_cycle(digraph: nx.DiGraph[str], max_length: int) -> set[str]:
    """Nodes on a directed cycle of 2 … ``max_length`` edges.

    A node lies on such a cycle iff one of its successors reaches it back within
    ``max_length − 1`` edges (the shortest closed walk through a node is a simple cycle). Only
    nodes of non-trivial strongly connected components can qualify; for each, one breadth-first
    search (networkx, cut off at ``max_length − 1``) on the reversed component.
    """
    if max_length < 2:
        raise ValueError("a cycle has at least 2 edges")
    found: set[str] = set()
    for component in nx.strongly_connected_components(digraph):
        if len(component) < 2:
            continue
        sub = digraph.subgraph(component)
        back = sub.reverse(copy=False)
        for node in component:
            reach = nx.single_source_shortest_path_length(back, node, cutoff=max_length - 1)
            if any(succ in reach for succ in sub.successors(node) if succ != node):
                found.add(node)
    return found


def cycle_members(
    graph: PaymentGraph,
    max_length: int,
    window_days: int,
    as_of: int | None = None,
    *,
    stride: int | None = None,
) -> set[str]:
    """Nodes on a directed payment cycle of at most ``max_length`` edges whose payments all
    fall within ``window_days`` consecutive days.

    With ``as_of`` the one window [as_of − window_days + 1, as_of]; without, windows starting
    every ``stride`` days (default ``window_days // 2``, at least 1) across the graph's days —
    with stride 1 every window is searched, so a cycle is found iff it fits in some window.
    """
    first, last = _span(window_days, as_of)
    if as_of is not None:
        return on_short_cycle(window_graph(graph, first, last), max_length)
    if not len(graph):
        return set()
    step = max(1, stride if stride is not None else window_days // 2)
    lo, hi = min(graph.day), max(graph.day)
    found: set[str] = set()
    start = lo
    while True:
        found |= on_short_cycle(window_graph(graph, start, start + window_days - 1), max_length)
        if start + window_days - 1 >= hi:
            return found
        start += step


def degree(graph: PaymentGraph, nodes: Sequence[str] | None = None) -> dict[str, int]:
    """Distinct counterparties (payers and payees) of each node over every day."""
    seen: dict[str, set[str]] = defaultdict(set)
    for source, target in zip(graph.source, graph.target, strict=True):
        seen[source].add(target)
        seen[target].add(source)
    wanted = seen.keys() if nodes is None else nodes
    return {n: len(seen.get(n, ())) for n in wanted}
