"""The feature library as the assessment service and the back-tester see it.

Online, the history is loaded from the lake once, lazily, on the first event (up to the
lake's last day), then kept up to date by every assessed event. A shared (Redis) state is
loaded only when asked (``warm_shared``), since every process would otherwise add the same
history again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

import duckdb
import pyarrow as pa

from lingang.lake.store import LakeStore
from lingang.risk.features.batch import compute_batch
from lingang.risk.features.catalog import FeatureCatalog, NetworkSource
from lingang.risk.features.online import OnlineFeatures
from lingang.risk.features.state import FeatureState
from lingang.risk.rules.types import Type

CatalogSource = FeatureCatalog | Callable[[], FeatureCatalog]
"""A catalog, or a function that loads it at first use (compiling the shipped library takes
about a second, which a CLI command that never assesses an event should not pay)."""


class LakeFeatures:
    """Online features of the catalog over a state, warmed from the lake."""

    def __init__(
        self,
        catalog: CatalogSource,
        state: FeatureState,
        lake: LakeStore,
        *,
        warm_shared: bool = False,
        network: NetworkSource | None = None,
    ) -> None:
        self._catalog_source = catalog
        self._state = state
        self._network = network
        self._online: OnlineFeatures | None = None
        self._lake = lake
        self._warm = not state.shared or warm_shared
        self._lock = threading.RLock()
        self.warmed_rows = 0

    @property
    def catalog(self) -> FeatureCatalog:
        """The feature catalog (loaded at first use)."""
        return self.online.catalog

    @property
    def online(self) -> OnlineFeatures:
        """The online features over the state (built at first use)."""
        if self._online is None:
            with self._lock:
                if self._online is None:
                    catalog = _resolve(self._catalog_source)
                    self._online = OnlineFeatures(catalog, self._state, network=self._network)
        return self._online

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
        catalog: CatalogSource,
        lake: LakeStore,
        *,
        network: NetworkSource | None = None,
        plain: CatalogSource | None = None,
    ) -> None:
        self._catalog_source = catalog
        self._plain_source = plain
        self._lake = lake
        self._network = network

    @cached_property
    def catalog(self) -> FeatureCatalog:
        """The feature catalog (loaded at first use)."""
        return _resolve(self._catalog_source)

    @cached_property
    def _plain(self) -> FeatureCatalog:
        """The catalog without network features, for events that need none of them."""
        return self.catalog if self._plain_source is None else _resolve(self._plain_source)

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


def _resolve(source: CatalogSource) -> FeatureCatalog:
    return source if isinstance(source, FeatureCatalog) else source()


def last_day(lake: LakeStore) -> Any:
    """The newest declaration day in the lake, or None when it holds none."""
    try:
        return lake.sql("SELECT max(declared_on) AS d FROM declarations").column(0)[0].as_py()
    except duckdb.Error:
        return None
