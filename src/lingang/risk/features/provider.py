"""The feature library as the assessment service and the back-tester see it.

Online, the history is loaded from the lake once, lazily, on the first event (up to the
lake's last day), then kept up to date by every assessed event. A shared (Redis) state is
loaded only when asked (``warm_shared``), since every process would otherwise add the same
history again.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any

import duckdb
import pyarrow as pa

from lingang.lake.store import LakeStore
from lingang.risk.features.batch import compute_batch
from lingang.risk.features.catalog import FeatureCatalog, NetworkSource
from lingang.risk.features.online import OnlineFeatures
from lingang.risk.features.state import FeatureState
from lingang.risk.rules.types import Type


class LakeFeatures:
    """Online features of the catalog over a state, warmed from the lake."""

    def __init__(
        self,
        catalog: FeatureCatalog,
        state: FeatureState,
        lake: LakeStore,
        *,
        warm_shared: bool = False,
        network: NetworkSource | None = None,
    ) -> None:
        self.catalog = catalog
        self.online = OnlineFeatures(catalog, state, network=network)
        self._lake = lake
        self._warm = not state.shared or warm_shared
        self._lock = threading.Lock()
        self.warmed_rows = 0

    def types_for(self, dataset: str) -> Mapping[str, Type]:
        """Every feature an event of ``dataset`` has (all numbers)."""
        return dict.fromkeys(self.catalog.for_event(dataset), Type.NUMBER)

    def compute(self, dataset: str, event: Mapping[str, Any]) -> dict[str, Any]:
        """The event's features from the history before its day."""
        self._ensure_warm()
        return dict(self.online.compute(dataset, event))

    def observe(self, dataset: str, record: Mapping[str, Any]) -> None:
        """Add the event to the history."""
        self._ensure_warm()
        self.online.observe(dataset, record)

    def _ensure_warm(self) -> None:
        if not self._warm:
            return
        with self._lock:
            if self._warm:
                last = last_day(self._lake)
                if last is not None:
                    self.warmed_rows = self.online.warm(self._lake, last)
                self._warm = False


class LakeBatchFeatures:
    """The same features computed over the lake for a table of events (back-tests)."""

    def __init__(
        self,
        catalog: FeatureCatalog,
        lake: LakeStore,
        *,
        network: NetworkSource | None = None,
        plain: FeatureCatalog | None = None,
    ) -> None:
        self.catalog = catalog
        self._plain = plain or catalog
        self._lake = lake
        self._network = network

    def compute(self, dataset: str, events: pa.Table,
                needed: frozenset[str] | None = None) -> pa.Table:  # fmt: skip
        """One column per feature of ``dataset``'s events, rows in order. Network features
        (a graph snapshot per event day) are computed only when ``needed`` names one."""
        wants_network = needed is None or bool(needed & set(self.catalog.network_for(dataset)))
        catalog = self.catalog if wants_network else self._plain
        if not catalog.for_event(dataset) or events.num_rows == 0:
            return events.select([])
        network = self._network if wants_network else None
        return compute_batch(catalog, self._lake, dataset, events, network=network)


def last_day(lake: LakeStore) -> Any:
    """The newest declaration day in the lake, or None when it holds none."""
    try:
        return lake.sql("SELECT max(declared_on) AS d FROM declarations").column(0)[0].as_py()
    except duckdb.Error:
        return None
