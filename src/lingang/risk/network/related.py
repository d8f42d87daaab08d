"""Related-party clusters of the zone register.

Two enterprises are related when one holds shares of the other, when a person holds shares
of both, or when they share a legal representative, an address or a phone; a cluster is a
connected component of that relation, and its size is the feature (1 for a lone firm).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
from sqlalchemy import text

from lingang.db import UnitOfWorkFactory


@dataclass(frozen=True, slots=True)
class RegisterEntry:
    """What relates an enterprise to others: its legal representative, address and phone."""

    uscc: str
    legal_rep: str = ""
    address: str = ""
    phone: str = ""


@dataclass(frozen=True, slots=True)
class Holding:
    """``holder`` (an enterprise's USCC, or a person as ``person:<id>``) holds ``held``."""

    held: str
    holder: str


def related_clusters(
    entries: Iterable[RegisterEntry], holdings: Iterable[Holding] = ()
) -> dict[str, int]:
    """The size of each registered enterprise's related-party cluster (connected components,
    networkx, O(enterprises + links))."""
    graph: nx.Graph[tuple[str, str]] = nx.Graph()
    usccs: list[str] = []
    for entry in entries:
        usccs.append(entry.uscc)
        graph.add_node(("ent", entry.uscc))
        for kind, value in (
            ("rep", entry.legal_rep),
            ("addr", " ".join(entry.address.split()).casefold()),
            ("phone", "".join(ch for ch in entry.phone if ch.isdigit())),
        ):
            if value:
                graph.add_edge(("ent", entry.uscc), (kind, value))
    for holding in holdings:
        holder = holding.holder
        kind = "person" if holder.startswith("person:") else "ent"
        graph.add_edge(("ent", holding.held), (kind, holder))
    size: dict[str, int] = {}
    for component in nx.connected_components(graph):
        firms = [n[1] for n in component if n[0] == "ent"]
        for uscc in firms:
            size[uscc] = len(firms)
    return {u: size[u] for u in usccs}


_ENTERPRISES = "SELECT id, uscc, legal_rep_id, address, phone FROM enterprises"
_HOLDINGS = "SELECT enterprise_id, holder_enterprise_id, holder_person_id FROM shareholdings"


def register_clusters(uow: UnitOfWorkFactory) -> dict[str, int]:
    """Cluster sizes of the whole register, read in two queries (read-only session)."""
    with uow.read() as session:
        firms = session.execute(text(_ENTERPRISES)).all()
        held = session.execute(text(_HOLDINGS)).all()
    uscc_of: Mapping[int, str] = {int(row[0]): str(row[1]) for row in firms}
    entries = [
        RegisterEntry(
            uscc=str(row[1]),
            legal_rep="" if row[2] is None else str(row[2]),
            address=str(row[3] or ""),
            phone=str(row[4] or ""),
        )
        for row in firms
    ]
    holdings = [
        Holding(
            held=uscc_of[int(row[0])],
            holder=uscc_of[int(row[1])] if row[1] is not None else f"person:{row[2]}",
        )
        for row in held
        if int(row[0]) in uscc_of and (row[1] is None or int(row[1]) in uscc_of)
    ]
    return related_clusters(entries, holdings)
