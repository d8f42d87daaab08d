"""Derive a :class:`RuleSchema` from a lake catalog ``Dataset`` (its Arrow field types)."""

from __future__ import annotations

from collections.abc import Mapping

import pyarrow as pa

from lingang.lake.catalog import Dataset
from lingang.risk.rules.types import RuleSchema, Type


def rule_type(arrow_type: pa.DataType) -> Type | None:
    """The rule type of an Arrow type, or None when rules cannot use such a field."""
    if pa.types.is_integer(arrow_type) or pa.types.is_floating(arrow_type):
        return Type.NUMBER
    if pa.types.is_decimal(arrow_type):
        return Type.NUMBER
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return Type.STRING
    if pa.types.is_boolean(arrow_type):
        return Type.BOOL
    if pa.types.is_date(arrow_type) or pa.types.is_timestamp(arrow_type):
        return Type.DATE
    return None


def arrow_fields(schema: pa.Schema) -> dict[str, Type]:
    """Rule types of the usable fields of an Arrow schema."""
    out: dict[str, Type] = {}
    for arrow_field in schema:
        type_ = rule_type(arrow_field.type)
        if type_ is not None:
            out[arrow_field.name] = type_
    return out


def schema_for(
    dataset: Dataset,
    *,
    features: Mapping[str, Type] | None = None,
    lists: Mapping[str, Type] | None = None,
) -> RuleSchema:
    """The schema for rules over ``dataset``, with the given features and lists."""
    return RuleSchema(
        fields=arrow_fields(dataset.arrow_schema()),
        features=dict(features or {}),
        lists=dict(lists or {}),
    )
