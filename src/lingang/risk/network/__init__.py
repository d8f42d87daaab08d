"""Network features over the payment graph and the register (docs/network.md)::

graph = PaymentGraph.from_payments(lake.read("payments"))
fan_in(graph, 90, as_of=day); cycle_members(graph, max_length=8, window_days=90, as_of=day)
history = NetworkHistory(graph, register_clusters(uow))   # a feature NetworkSource
OnlineFeatures(catalog, state, network=history); compute_batch(..., network=history)
"""

from lingang.risk.network.graph import (
    PaymentGraph,
    cycle_members,
    fan_in,
    fan_out,
    max_fan_in,
    max_fan_out,
    party_id,
)
from lingang.risk.network.related import Holding, RegisterEntry, register_clusters, related_clusters
from lingang.risk.network.snapshot import (
    MEASURES,
    LakeNetwork,
    NetworkHistory,
    NetworkSnapshot,
    compute_snapshot,
)

__all__ = [
    "MEASURES",
    "Holding",
    "LakeNetwork",
    "NetworkHistory",
    "NetworkSnapshot",
    "PaymentGraph",
    "RegisterEntry",
    "compute_snapshot",
    "cycle_members",
    "fan_in",
    "fan_out",
    "max_fan_in",
    "max_fan_out",
    "party_id",
    "register_clusters",
    "related_clusters",
]
