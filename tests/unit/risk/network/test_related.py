"""Related-party clusters and the snapshot's per-enterprise values, by hand."""

from __future__ import annotations

from lingang.risk.network import (
    Holding,
    NetworkHistory,
    PaymentGraph,
    RegisterEntry,
    compute_snapshot,
    related_clusters,
)


def test_clusters_join_holdings_and_shared_attributes() -> None:
    entries = [
        RegisterEntry("A", legal_rep="7", address="1 Road"),
        RegisterEntry("B", address=" 1  road "),  # same address once normalised
        RegisterEntry("C", phone="021-555"),
        RegisterEntry("D", phone="021 555"),  # same digits
        RegisterEntry("E", legal_rep="9"),
        RegisterEntry("F"),
        RegisterEntry("G"),
        RegisterEntry("H"),
    ]
    holdings = [
        Holding(held="E", holder="A"),  # A holds E
        Holding(held="F", holder="person:3"),
        Holding(held="G", holder="person:3"),  # one person holds F and G
    ]
    assert related_clusters(entries, holdings) == {
        "A": 3, "B": 3, "E": 3, "C": 2, "D": 2, "F": 2, "G": 2, "H": 1,
    }  # fmt: skip


def test_a_snapshot_reads_the_window_before_the_event() -> None:
    graph = PaymentGraph.from_edges(
        [("U1", "ext:x", 1, 1.0), ("ext:x", "U2", 2, 1.0), ("U2", "ext:y", 3, 1.0),
         ("ext:y", "U1", 4, 1.0), ("ext:z", "U1", 4, 1.0)]
    )  # fmt: skip
    snap = compute_snapshot(graph, 4, {"U1": 2}, window_days=4, max_cycle_length=4)
    assert snap.value("in_payment_cycle", "U1") == 1.0
    assert snap.value("fan_in_90d", "U1") == 2.0
    assert snap.value("fan_out_90d", "U2") == 1.0
    assert snap.value("related_cluster_size", "U1") == 2.0
    assert snap.value("related_cluster_size", "U9") is None
    assert snap.value("fan_in_90d", "U9") == 0.0
    history = NetworkHistory(graph, None, window_days=4, max_cycle_length=4)
    # an event of day 4 sees days 0 … 3: the cycle's last leg (day 4) is not there yet
    assert history.lookup("in_payment_cycle", "U1", 4) == 0.0
    assert history.lookup("in_payment_cycle", "U1", 5) == 1.0
    # by day 9 the window [5, 8] is empty
    assert history.lookup("fan_in_90d", "U1", 9) == 0.0
