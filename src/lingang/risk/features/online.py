"""Online features: fold each observed row into day buckets, compute an event's features.

Results are cached per (feature, key) for the event's day while the state is private to this
process; a row observed later invalidates only the cached windows that contain its day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS
from lingang.lake.store import LakeStore
from lingang.risk.features.aggregate import finalize
from lingang.risk.features.catalog import FeatureCatalog, NetworkSource, WindowFeature
from lingang.risk.features.days import day_number
from lingang.risk.features.spec import REPLAY_ORDER
from lingang.risk.features.state import FeatureState, InProcessState, Key, Observation
from lingang.risk.rules import ast
from lingang.risk.rules.evaluate import CompiledExpression
from lingang.risk.rules.types import Type

Getter = Callable[[Mapping[str, Any]], Any]
KeyGetter = Callable[[Mapping[str, Any]], Key | None]
Values = dict[str, float | None]


def _getter(expr: CompiledExpression) -> Getter:
    """A fast path for a plain field of type string or number; else the compiled closure."""
    tree = expr.tree
    if isinstance(tree, ast.FieldRef) and expr.type is Type.STRING:
        name = tree.name
        return lambda event: event.get(name)
    if isinstance(tree, ast.FieldRef) and expr.type is Type.NUMBER:
        name = tree.name

        def number(event: Mapping[str, Any]) -> float | None:
            value = event.get(name)
            return None if value is None else float(value)

        return number
    bound = expr.bind()
    return lambda event: bound(event, None)


def _key_getter(parts: tuple[CompiledExpression, ...]) -> KeyGetter:
    getters = [_getter(p) for p in parts]
    if len(getters) == 1:
        only = getters[0]

        def single(event: Mapping[str, Any]) -> Key | None:
            value = only(event)
            return None if value is None else (value,)

        return single

    def several(event: Mapping[str, Any]) -> Key | None:
        key = tuple(g(event) for g in getters)
        return None if None in key else key

    return several


@dataclass(frozen=True)
class _EventPlan:
    date_field: str
    groups: tuple[KeyGetter, ...]
    windows: tuple[tuple[WindowFeature, int], ...]
    network: tuple[tuple[str, str, Getter], ...]
    derived: tuple[tuple[str, Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]], ...]


@dataclass(frozen=True)
class _SourcePlan:
    date_field: str
    features: tuple[tuple[WindowFeature, KeyGetter, Getter | None, Getter | None], ...]


class OnlineFeatures:
    """Incrementally maintained features over a :class:`FeatureState`.

    ``observe`` folds a row into the buckets of the window features whose source is its
    dataset; ``compute`` gives an event's features from the buckets of its window's days.
    Compute an event's features *before* observing it (docs/features.md, replay order).
    """

    def __init__(
        self,
        catalog: FeatureCatalog,
        state: FeatureState | None = None,
        *,
        cache: bool | None = None,
        late_days: int = 7,
        network: NetworkSource | None = None,
    ) -> None:
        self.catalog = catalog
        self.network = network  # network features read it; null while none is attached
        self.state: FeatureState = state if state is not None else InProcessState()
        self.keep_days = catalog.longest_days + late_days
        self.state.retain(self.keep_days)
        self._caching = (not self.state.shared) if cache is None else cache
        self._cache: dict[tuple[str, Key], tuple[int, float | None]] = {}
        self._newest: int | None = None
        self._events: dict[str, _EventPlan] = {}
        self._sources: dict[str, _SourcePlan] = {}

    # --- plans ---------------------------------------------------------------------------

    def _event_plan(self, dataset: str) -> _EventPlan:
        plan = self._events.get(dataset)
        if plan is None:
            if dataset not in DATASETS:
                raise Invalid("dataset", f"unknown dataset {dataset!r}")
            sources: dict[tuple[str, ...], int] = {}
            groups: list[KeyGetter] = []
            windows: list[tuple[WindowFeature, int]] = []
            for feature in self.catalog.windows_for(dataset):
                parts = feature.event_key[dataset]
                signature = tuple(p.source for p in parts)
                if signature not in sources:
                    sources[signature] = len(groups)
                    groups.append(_key_getter(parts))
                windows.append((feature, sources[signature]))
            derived = tuple(
                (d.name, d.compiled[dataset].bind()) for d in self.catalog.derived_for(dataset)
            )
            network = tuple(
                (n.name, n.measure, _getter(n.event_key[dataset]))
                for n in self.catalog.network_for(dataset)
            )
            plan = _EventPlan(
                DATASETS[dataset].partition_by, tuple(groups), tuple(windows), network, derived
            )
            self._events[dataset] = plan
        return plan

    def _source_plan(self, dataset: str) -> _SourcePlan:
        plan = self._sources.get(dataset)
        if plan is None:
            if dataset not in DATASETS:
                raise Invalid("dataset", f"unknown dataset {dataset!r}")
            features = tuple(
                (
                    f,
                    _key_getter(f.key),
                    None if f.where is None else _getter(f.where),
                    None if f.value is None else _getter(f.value),
                )
                for f in self.catalog.source_features(dataset)
            )
            plan = _SourcePlan(DATASETS[dataset].partition_by, features)
            self._sources[dataset] = plan
        return plan

    # --- online --------------------------------------------------------------------------

    def observe(self, dataset: str, record: Mapping[str, Any]) -> None:
        """Fold one row of ``dataset`` into the window features that aggregate it."""
        plan = self._source_plan(dataset)
        day = _day(record, plan.date_field)
        observations: list[Observation] = []
        for feature, key_of, where, value_of in plan.features:
            if where is not None and where(record) is not True:
                continue
            key = key_of(record)
            if key is None:
                continue
            value = None
            if value_of is not None:
                value = value_of(record)
                if value is None:
                    continue
            observations.append((feature, key, day, value))
        if observations:
            self.state.add(observations)
            if self._caching:
                self._invalidate(observations)
        if self._newest is None or day > self._newest:
            self._newest = day
            self._evict(day - self.keep_days)

    def _invalidate(self, observations: list[Observation]) -> None:
        cache = self._cache
        for feature, key, day, _ in observations:
            entry = cache.get((feature.name, key))
            if entry is not None and entry[0] - feature.days <= day <= (
                entry[0] - feature.last_offset
            ):
                del cache[(feature.name, key)]

    def _evict(self, before: int) -> None:
        self.state.evict(before)
        if self._cache:
            self._cache = {k: v for k, v in self._cache.items() if v[0] >= before}

    def compute(self, dataset: str, event: Mapping[str, Any]) -> Values:
        """The features of an event of ``dataset`` (``catalog.for_event(dataset)``)."""
        plan = self._event_plan(dataset)
        day = _day(event, plan.date_field)
        keys = [group(event) for group in plan.groups]
        out: Values = {}
        missing: list[tuple[WindowFeature, Key]] = []
        cache = self._cache if self._caching else None
        for feature, group in plan.windows:
            key = keys[group]
            if key is None:
                out[feature.name] = feature.empty()
                continue
            if cache is not None:
                entry = cache.get((feature.name, key))
                if entry is not None and entry[0] == day:
                    out[feature.name] = entry[1]
                    continue
            missing.append((feature, key))
        if missing:
            requests = [(f, k, day - f.days, day - f.last_offset) for f, k in missing]
            for (feature, key), buckets in zip(missing, self.state.read(requests), strict=True):
                value = finalize(feature.agg, feature.spec.q, buckets)
                out[feature.name] = value
                if cache is not None:
                    cache[(feature.name, key)] = (day, value)
        for name, measure, key_of in plan.network:
            key = key_of(event)
            source = self.network
            out[name] = None if source is None or key is None else source.lookup(measure, key, day)
        for name, evaluate in plan.derived:
            result = evaluate(event, out)
            out[name] = None if result is None else float(result)
        return out

    # --- history -------------------------------------------------------------------------

    def warm(self, lake: LakeStore, until: dt.date) -> int:
        """Observe every source row dated from ``until`` − the longest window to ``until``
        (both included), in replay order; returns the rows observed."""
        first = until - dt.timedelta(days=self.catalog.longest_days)
        tables = {}
        for dataset in self.catalog.sources():
            spec = DATASETS[dataset]
            columns = ", ".join(spec.field_names)
            tables[dataset] = lake.sql(
                f"SELECT {columns} FROM {dataset} WHERE day BETWEEN $first AND $until "
                f"ORDER BY {spec.partition_by}, {', '.join(spec.key)}",
                {"first": first, "until": until},
            )
        count = 0
        for dataset, _, row in replay_order(tables):
            self.observe(dataset, row)
            count += 1
        return count


def _day(record: Mapping[str, Any], field: str) -> int:
    day = day_number(record.get(field))
    if day is None:
        raise Invalid(field, "the event has no date")
    return day


def replay_order(tables: Mapping[str, pa.Table]) -> Iterator[tuple[str, int, dict[str, Any]]]:
    """Rows of several datasets in the documented replay order: day by day, and within a day
    declarations, manifests, gate events, payments, registrations (each in table order).
    Yields (dataset, row index in its table, row)."""
    keyed: list[tuple[int, int, int, str, dict[str, Any]]] = []
    for dataset, table in tables.items():
        if dataset not in DATASETS:
            raise Invalid("dataset", f"unknown dataset {dataset!r}")
        rank = REPLAY_ORDER.index(dataset)
        field = DATASETS[dataset].partition_by
        column = table.column(field)
        if pa.types.is_timestamp(column.type):
            column = pc.cast(pc.cast(column, pa.timestamp("us", tz="UTC")), pa.int64())
            days = [None if v is None else v // 86_400_000_000 for v in column.to_pylist()]
        else:
            days = [day_number(v) for v in column.to_pylist()]
        for index, (day, row) in enumerate(zip(days, table.to_pylist(), strict=True)):
            if day is None:
                raise Invalid(field, "the event has no date")
            keyed.append((day, rank, index, dataset, row))
    keyed.sort(key=lambda item: item[:3])
    for _, _, index, dataset, row in keyed:
        yield dataset, index, row


def replay(online: OnlineFeatures, tables: Mapping[str, pa.Table]) -> dict[str, list[Values]]:
    """Replay ``tables`` through ``online`` in replay order, computing each event's features
    before observing it; returns, per dataset, the features of its rows in table order."""
    results: dict[str, list[Values]] = {name: [{}] * t.num_rows for name, t in tables.items()}
    applicable = {name: bool(online.catalog.for_event(name)) for name in tables}
    for dataset, index, row in replay_order(tables):
        if applicable[dataset]:
            results[dataset][index] = online.compute(dataset, row)
        online.observe(dataset, row)
    return results
