"""Per-enterprise network measures as of a day, and the source features read them from.

A :class:`NetworkSnapshot` as of day S holds, per zone enterprise (USCC):

* ``related_cluster_size`` — its related-party cluster in the register (null if unknown);
* ``in_payment_cycle`` — 1 when it is on a directed payment cycle of at most
  ``max_cycle_length`` edges whose payments all fall in [S − window_days + 1, S], else 0;
* ``fan_in_90d`` / ``fan_out_90d`` — distinct parties that paid it / it paid in that window.

An event of day D reads the snapshot as of D − 1 (payments of [D − 90, D − 1]: the window
features' convention, leakage-safe). :class:`NetworkHistory` computes snapshots from a
payment graph and caches them per day; online and batch ask it the same question, so they
agree by construction (tests/integration/test_network_features.py checks it end to end).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from lingang.lake.store import LakeStore
from lingang.risk.features.days import from_day
from lingang.risk.network.graph import PaymentGraph, cycle_members, fan_in, fan_out

MEASURES = ("related_cluster_size", "in_payment_cycle", "fan_in_90d", "fan_out_90d")
WINDOW_DAYS = 90
MAX_CYCLE_LENGTH = 8  # circular_flow: zone A → offshore → zone B → offshore → … → A


@dataclass(frozen=True, slots=True)
class NetworkSnapshot:
    """Measures per USCC as of day ``as_of`` (a day number)."""

    as_of: int
    in_cycle: frozenset[str]
    fan_in: Mapping[str, int]
    fan_out: Mapping[str, int]
    clusters: Mapping[str, int] | None = None

    def value(self, measure: str, uscc: str) -> float | None:
        """One measure of one enterprise; counts are 0 for an enterprise without payments,
        the cluster size is null when the register does not know the USCC."""
        if measure == "in_payment_cycle":
            return 1.0 if uscc in self.in_cycle else 0.0
        if measure == "fan_in_90d":
            return float(self.fan_in.get(uscc, 0))
        if measure == "fan_out_90d":
            return float(self.fan_out.get(uscc, 0))
        if measure == "related_cluster_size":
            size = None if self.clusters is None else self.clusters.get(uscc)
            return None if size is None else float(size)
        raise KeyError(measure)


def compute_snapshot(
    graph: PaymentGraph,
    as_of: int,
    clusters: Mapping[str, int] | None = None,
    *,
    window_days: int = WINDOW_DAYS,
    max_cycle_length: int = MAX_CYCLE_LENGTH,
) -> NetworkSnapshot:
    """The snapshot of ``graph``'s payments dated [as_of − window_days + 1, as_of]."""
    return NetworkSnapshot(
        as_of=as_of,
        in_cycle=frozenset(cycle_members(graph, max_cycle_length, window_days, as_of)),
        fan_in=fan_in(graph, window_days, as_of),
        fan_out=fan_out(graph, window_days, as_of),
        clusters=clusters,
    )


@dataclass
class NetworkHistory:
    """Snapshots of one payment graph, computed on demand and cached per day (the last
    ``keep`` days). It is the ``NetworkSource`` of the feature catalog: ``lookup(measure,
    key, day)`` is the measure of ``key`` in the snapshot as of ``day − 1``."""

    graph: PaymentGraph
    clusters: Mapping[str, int] | None = None
    window_days: int = WINDOW_DAYS
    max_cycle_length: int = MAX_CYCLE_LENGTH
    keep: int = 8
    _cache: OrderedDict[int, NetworkSnapshot] = field(default_factory=OrderedDict, repr=False)

    def snapshot(self, as_of: int) -> NetworkSnapshot:
        """The snapshot as of day number ``as_of`` (cached)."""
        found = self._cache.get(as_of)
        if found is None:
            found = compute_snapshot(
                self.graph, as_of, self.clusters,
                window_days=self.window_days, max_cycle_length=self.max_cycle_length,
            )  # fmt: skip
            self._cache[as_of] = found
            while len(self._cache) > self.keep:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(as_of)
        return found

    def lookup(self, measure: str, key: str, day: int) -> float | None:
        """``measure`` of the enterprise ``key`` for an event of day number ``day``."""
        return self.snapshot(day - 1).value(measure, key)


class LakeNetwork:
    """A :class:`NetworkHistory` over the lake's payments, reloaded when an event needs
    days it has not read (online: the first event of each new day refreshes it).

    ``clusters`` gives the register's cluster sizes (e.g. ``register_clusters(uow)``); it is
    called on each reload, so a refreshed snapshot sees the register as it is then.
    """

    def __init__(
        self,
        lake: LakeStore,
        clusters: Callable[[], Mapping[str, int]] | None = None,
        *,
        window_days: int = WINDOW_DAYS,
        max_cycle_length: int = MAX_CYCLE_LENGTH,
    ) -> None:
        self._lake = lake
        self._clusters = clusters
        self._window_days = window_days
        self._max_cycle_length = max_cycle_length
        self._history: NetworkHistory | None = None
        self._span: tuple[int, int] | None = None

    def prepare(self, first_day: int, last_day: int) -> None:
        """Read the payments events of days ``first_day`` … ``last_day`` need, in one query."""
        lo, hi = first_day - 1 - self._window_days, last_day - 1
        if self._span is not None and self._span[0] <= lo and hi <= self._span[1]:
            return
        if self._span is not None:
            lo, hi = min(lo, self._span[0]), max(hi, self._span[1])
        payments = self._lake.sql(
            "SELECT kind, enterprise_uscc, payer, payee, paid_on, amount FROM payments "
            "WHERE day BETWEEN $first AND $last",
            {"first": from_day(lo), "last": from_day(hi)},
        )
        self._history = NetworkHistory(
            PaymentGraph.from_payments(payments),
            None if self._clusters is None else dict(self._clusters()),
            window_days=self._window_days,
            max_cycle_length=self._max_cycle_length,
        )
        self._span = (lo, hi)

    def lookup(self, measure: str, key: str, day: int) -> float | None:
        """As :meth:`NetworkHistory.lookup`, reading the lake first when needed."""
        self.prepare(day, day)
        assert self._history is not None
        return self._history.lookup(measure, key, day)
