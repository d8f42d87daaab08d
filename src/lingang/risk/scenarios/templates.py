"""Reason templates: ``{name}`` placeholders filled with the values that fired a rule.

Only bare names are allowed (no attribute access, indexing or format specs), so a template
cannot reach anything but the event's fields and the features. Names are checked against the
rule's schema when the rule set is compiled.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from lingang.errors import Invalid
from lingang.risk.rules.types import RuleSchema

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
NULL_TEXT = {"zh": "空", "en": "null"}


def placeholders(template: str, path: str, schema: RuleSchema) -> tuple[str, ...]:
    """The names a template uses, each a field or feature of ``schema``; else ``Invalid``."""
    names: list[str] = []
    for match in PLACEHOLDER.finditer(template):
        name = match.group(1)
        if not NAME.match(name):
            raise Invalid(path, f"placeholder {{{name}}} must be a bare field or feature name")
        if name not in schema.fields and name not in schema.features:
            raise Invalid(path, f"placeholder {{{name}}} is not a field or feature")
        names.append(name)
    if "{" in PLACEHOLDER.sub("", template) or "}" in PLACEHOLDER.sub("", template):
        raise Invalid(path, "unbalanced '{' or '}'")
    return tuple(dict.fromkeys(names))


def render(template: str, values: Mapping[str, Any], language: str = "zh") -> str:
    """Fill ``template`` with ``values`` (numbers grouped, at most two decimals)."""
    return PLACEHOLDER.sub(lambda m: format_value(values.get(m.group(1)), language), template)


def format_value(value: Any, language: str = "zh") -> str:
    """How a value reads in a reason."""
    if value is None:
        return NULL_TEXT.get(language, "null")
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int | float):
        number = float(value)
        if number.is_integer() and abs(number) < 1e15:
            return f"{int(number):,}"
        return f"{number:,.2f}" if abs(number) >= 1 else f"{number:.4g}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
