"""The shipped scenario library (``library.yaml``): rule set version 1 and the standard lists."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from typing import Any

from lingang.errors import Invalid
from lingang.risk.lists.model import ElementType, ListKind
from lingang.risk.scenarios.model import RuleSetDocument, load_document
from lingang.yamltext import load_yaml


@dataclass(frozen=True, slots=True)
class StandardList:
    """A list the shipped scenarios consult, created with these values on first start."""

    name: str
    kind: ListKind
    element_type: ElementType
    description_zh: str
    description_en: str
    values: tuple[str, ...]


def library_data() -> dict[str, Any]:
    """The raw shipped library."""
    text = (files("lingang.risk.scenarios") / "library.yaml").read_text(encoding="utf-8")
    data = load_yaml(text)
    if not isinstance(data, dict):
        raise Invalid("library.yaml", "must be a mapping")
    return data


def shipped_document() -> RuleSetDocument:
    """The shipped scenarios as a rule-set document."""
    return load_document({"scenarios": library_data().get("scenarios")})


def standard_lists() -> list[StandardList]:
    """The lists the shipped scenarios need."""
    return [
        StandardList(
            name=item["name"],
            kind=ListKind(item["kind"]),
            element_type=ElementType(item["element_type"]),
            description_zh=item.get("description_zh", ""),
            description_en=item.get("description_en", ""),
            values=tuple(str(v) for v in item.get("values", [])),
        )
        for item in library_data().get("lists", [])
    ]
