"""Feature specs as data: parsed from YAML/dicts and validated field by field.

Every error is ``Invalid("<feature>.<field>", reason)`` so an author sees which feature and
which field is wrong. Expressions are only checked for shape here; :mod:`.catalog` compiles
them against the datasets' schemas.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lingang.errors import Invalid
from lingang.lake.catalog import DATASETS

NAME = re.compile(r"[a-z][a-z0-9_]{2,63}")
AGGS = ("count", "sum", "avg", "min", "max", "distinct", "stddev", "percentile", "median", "mad")
MAX_DAYS = 3660
# Datasets of one day are replayed in this order (docs/features.md): a manifest, a gate event
# or a payment may refer to a declaration of the same day, never the other way round.
REPLAY_ORDER = ("declarations", "manifests", "gate_events", "payments", "registrations")

_COMMON = {"name", "kind", "label_zh", "label_en", "description"}
_WINDOW = _COMMON | {
    "dataset",
    "key",
    "event_key",
    "agg",
    "value",
    "where",
    "days",
    "q",
    "same_day",
}
_DERIVED = _COMMON | {"expression"}
_NETWORK = _COMMON | {"measure", "event_key"}
# Measures of lingang.risk.network's snapshot (docs/network.md); keyed by an enterprise USCC.
NETWORK_MEASURES = ("related_cluster_size", "in_payment_cycle", "fan_in_90d", "fan_out_90d")


@dataclass(frozen=True, slots=True)
class WindowSpec:
    """An aggregate of a source dataset's rows over the ``days`` days before an event."""

    name: str
    dataset: str
    key: tuple[str, ...]
    event_key: Mapping[str, tuple[str, ...]]
    agg: str
    days: int
    value: str | None = None
    where: str | None = None
    q: float | None = None
    same_day: bool = False
    label_zh: str = ""
    label_en: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class DerivedSpec:
    """A rule-language number expression over other features (and the event's fields)."""

    name: str
    expression: str
    label_zh: str = ""
    label_en: str = ""
    description: str = ""


@dataclass(frozen=True, slots=True)
class NetworkSpec:
    """A measure of the payment/register network snapshot, looked up by an enterprise key."""

    name: str
    measure: str
    event_key: Mapping[str, str]
    label_zh: str = ""
    label_en: str = ""
    description: str = ""


Spec = WindowSpec | DerivedSpec | NetworkSpec


def parse_specs(specs: Sequence[Mapping[str, Any]]) -> list[Spec]:
    """Validate raw specs (from YAML or dicts); names must be unique."""
    if isinstance(specs, str | bytes) or not isinstance(specs, Sequence):
        raise Invalid("features", "must be a list of feature specs")
    out: list[Spec] = []
    seen: set[str] = set()
    for index, raw in enumerate(specs):
        spec = parse_spec(raw, index)
        if spec.name in seen:
            raise Invalid(f"{spec.name}.name", "is defined twice")
        seen.add(spec.name)
        out.append(spec)
    return out


def parse_spec(raw: Mapping[str, Any], index: int = 0) -> Spec:
    """One validated spec; ``index`` names it while its name is not known yet."""
    if not isinstance(raw, Mapping):
        raise Invalid(f"features[{index}]", "must be a mapping")
    name = raw.get("name")
    if not isinstance(name, str) or not NAME.fullmatch(name):
        raise Invalid(f"features[{index}].name", "must match [a-z][a-z0-9_]{2,63}")
    kind = raw.get("kind")
    if kind not in ("window", "derived", "network"):
        raise Invalid(f"{name}.kind", "must be 'window', 'derived' or 'network'")
    allowed = {"window": _WINDOW, "derived": _DERIVED, "network": _NETWORK}[kind]
    for field in raw:
        if field not in allowed:
            raise Invalid(f"{name}.{field}", f"unknown field for a {kind} feature")
    labels = {f: _text(raw, name, f) for f in ("label_zh", "label_en", "description")}
    if kind == "derived":
        return DerivedSpec(name=name, expression=_expression(raw, name, "expression"), **labels)
    if kind == "network":
        return _network(raw, name, labels)
    return _window(raw, name, labels)


def _network(raw: Mapping[str, Any], name: str, labels: dict[str, str]) -> NetworkSpec:
    measure = raw.get("measure")
    if measure not in NETWORK_MEASURES:
        raise Invalid(f"{name}.measure", f"must be one of {', '.join(NETWORK_MEASURES)}")
    event_key = raw.get("event_key")
    if not isinstance(event_key, Mapping) or not event_key:
        raise Invalid(f"{name}.event_key", "must map at least one event dataset to its key")
    keys: dict[str, str] = {}
    for event_dataset, expr in event_key.items():
        where = f"{name}.event_key.{event_dataset}"
        if event_dataset not in DATASETS:
            raise Invalid(where, f"unknown dataset (known: {', '.join(DATASETS)})")
        parts = _expressions(expr, where)
        if len(parts) != 1:
            raise Invalid(where, "must be one expression (the enterprise's USCC)")
        keys[event_dataset] = parts[0]
    return NetworkSpec(name=name, measure=measure, event_key=keys, **labels)


def _window(raw: Mapping[str, Any], name: str, labels: dict[str, str]) -> WindowSpec:
    dataset = raw.get("dataset")
    if dataset not in DATASETS:
        raise Invalid(f"{name}.dataset", f"must be one of {', '.join(DATASETS)}")
    key = _expressions(raw.get("key"), f"{name}.key")
    event_key = raw.get("event_key")
    if not isinstance(event_key, Mapping) or not event_key:
        raise Invalid(f"{name}.event_key", "must map at least one event dataset to its key")
    keys: dict[str, tuple[str, ...]] = {}
    for event_dataset, exprs in event_key.items():
        where = f"{name}.event_key.{event_dataset}"
        if event_dataset not in DATASETS:
            raise Invalid(where, f"unknown dataset (known: {', '.join(DATASETS)})")
        keys[event_dataset] = _expressions(exprs, where)
        if len(keys[event_dataset]) != len(key):
            raise Invalid(where, f"must have {len(key)} part(s), like key")
    agg = raw.get("agg")
    if agg not in AGGS:
        raise Invalid(f"{name}.agg", f"must be one of {', '.join(AGGS)}")
    value = raw.get("value")
    if agg == "count" and value is not None:
        raise Invalid(f"{name}.value", "count counts rows; it takes no value (use where)")
    if agg != "count":
        value = _expression(raw, name, "value")
    where_ = raw.get("where")
    if where_ is not None:
        where_ = _expression(raw, name, "where")
    days = raw.get("days")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_DAYS:
        raise Invalid(f"{name}.days", f"must be a whole number of days from 1 to {MAX_DAYS}")
    q = raw.get("q")
    if agg == "percentile":
        if isinstance(q, bool) or not isinstance(q, int | float) or not 0 <= q <= 1:
            raise Invalid(f"{name}.q", "percentile needs q between 0 and 1")
        q = float(q)
    elif q is not None:
        raise Invalid(f"{name}.q", "only a percentile takes q")
    same_day = raw.get("same_day", False)
    if not isinstance(same_day, bool):
        raise Invalid(f"{name}.same_day", "must be true or false")
    if same_day:
        _check_same_day(name, dataset, keys)
    return WindowSpec(
        name=name, dataset=dataset, key=key, event_key=keys, agg=agg, days=days, value=value,
        where=where_, q=q, same_day=same_day, **labels,
    )  # fmt: skip


def _check_same_day(name: str, dataset: str, keys: Mapping[str, tuple[str, ...]]) -> None:
    for event_dataset in keys:
        if event_dataset == dataset:
            raise Invalid(
                f"{name}.same_day",
                f"a same-day window over {dataset} cannot serve {dataset} events "
                "(the result would depend on arrival order within the day)",
            )
        if REPLAY_ORDER.index(dataset) > REPLAY_ORDER.index(event_dataset):
            raise Invalid(
                f"{name}.same_day",
                f"{dataset} rows of a day are replayed after {event_dataset} events of that "
                f"day (order: {', '.join(REPLAY_ORDER)})",
            )


def _text(raw: Mapping[str, Any], name: str, field: str) -> str:
    value = raw.get(field, "")
    if not isinstance(value, str):
        raise Invalid(f"{name}.{field}", "must be text")
    return value


def _expression(raw: Mapping[str, Any], name: str, field: str) -> str:
    value = raw.get(field)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{name}.{field}", "must be a non-empty rule-language expression")
    return value


def _expressions(value: Any, where: str) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not value:
        raise Invalid(where, "must be a non-empty list of expressions")
    for item in value:
        if not isinstance(item, str) or not item.strip():
            raise Invalid(where, "every part must be a non-empty rule-language expression")
    return tuple(value)
