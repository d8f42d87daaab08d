"""The rule language's tiny type system; every type also admits null (SQL semantics)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from lingang.errors import Invalid

_LIST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]{0,62}")


class Type(StrEnum):
    """A value's type; ``NULL`` is the type of the literal ``null`` and fits every other."""

    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"
    DATE = "date"
    NULL = "null"


def unify(a: Type, b: Type) -> Type | None:
    """The common type of ``a`` and ``b`` (null fits anything), or None if they differ."""
    if a is Type.NULL:
        return b
    if b is Type.NULL or a is b:
        return a
    return None


@dataclass(frozen=True)
class RuleSchema:
    """What a rule may name: event fields, features and lists, each with its type."""

    fields: Mapping[str, Type]
    features: Mapping[str, Type] = field(default_factory=dict)
    lists: Mapping[str, Type] = field(default_factory=dict)

    def __post_init__(self) -> None:
        clash = sorted(set(self.fields) & set(self.features))
        if clash:
            raise Invalid(clash[0], "is both a field and a feature")
        for name in self.lists:
            if not _LIST_NAME.fullmatch(name):
                raise Invalid("in_list", f"list name {name!r} must be a plain identifier")
