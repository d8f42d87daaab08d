"""Enterprise registration events of one chunk: establishments inside the window and changes
(address, legal representative, capital, business scope) whose new value is the current one."""

from __future__ import annotations

from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lingang.simulate import firms, people, text
from lingang.simulate.registry import Registry

FIELDS = ("address", "legal_rep", "registered_capital", "business_scope")
SCOPES = (
    "技术开发、技术咨询",
    "货物进出口、技术进出口",
    "供应链管理服务",
    "集成电路设计",
    "医疗器械经营",
    "国际货物运输代理",
    "普通货物仓储服务",
    "软件开发",
)
CHANGES_PER_YEAR = 0.12


def registration_frame(
    reg: Registry, begin: int, end: int, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Establish events (kind 0) and change events (kind 1) as day-sortable arrays."""
    founded = reg.founded[begin:end]
    established = np.flatnonzero((founded >= 0) & (founded < reg.params.days)) + begin
    counts = rng.poisson(CHANGES_PER_YEAR * reg.params.days / 365, end - begin)
    changed = np.repeat(np.arange(begin, end), counts)
    first = np.clip(reg.founded[changed] + 30, 0, reg.params.days)
    keep = first < reg.params.days
    changed, first = changed[keep], first[keep]
    day = first + (rng.random(len(changed)) * (reg.params.days - first)).astype(np.int64)
    return {
        "enterprise": np.concatenate([established, changed]),
        "day": np.concatenate([reg.founded[established], day]),
        "kind": np.concatenate([np.zeros(len(established)), np.ones(len(changed))]).astype(
            np.int64
        ),
        "field": np.concatenate(
            [np.full(len(established), -1), rng.integers(0, len(FIELDS), len(changed))]
        ),
    }


def change_values(
    reg: Registry, frame: dict[str, np.ndarray], rng: np.random.Generator
) -> tuple[pa.Array[Any], pa.Array[Any], pa.Array[Any]]:
    """``field_changed``, ``old_value`` and ``new_value`` (null for establish events)."""
    n = len(frame["day"])
    ent = pa.array(frame["enterprise"])
    field = frame["field"]
    rep_name = reg.person_name.take(text.ix(reg.owners.legal_rep[frame["enterprise"]]))
    capital = reg.capital[frame["enterprise"]]
    old_capital = np.round(capital * rng.uniform(0.2, 0.8, n), -1)
    scope = rng.integers(0, len(SCOPES), (2, n))
    old = [
        firms.addresses(rng, n),
        people.person_names(rng, n),
        _amounts(old_capital),
        text.pick(SCOPES, scope[0]),
    ]
    new = [reg.address.take(ent), rep_name, _amounts(capital), text.pick(SCOPES, scope[1])]
    is_field = [pa.array(field == k) for k in range(len(FIELDS))]
    none = pa.nulls(n, pa.string())
    return (
        text.pick(FIELDS, np.maximum(field, 0), mask=field < 0),
        _select(is_field, old, none),
        _select(is_field, new, none),
    )


def _amounts(wan: np.ndarray) -> pa.Array[Any]:
    return text.concat(pa.array(np.round(wan).astype(np.int64)).cast(pa.string()), "万元")


def _select(
    conditions: list[pa.Array[Any]], values: list[pa.Array[Any]], default: pa.Array[Any]
) -> pa.Array[Any]:
    result = default
    for condition, value in zip(conditions, values, strict=True):
        result = pc.if_else(condition, value, result)
    return result
