"""Risk-list domain model: list kinds, element types and how each value is normalised."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum

from lingang.entities.model import validate_uscc
from lingang.errors import Invalid

LIST_NAME = re.compile(r"^[a-z][a-z0-9_]{2,63}$")
ISO_COUNTRY = re.compile(r"^[A-Z]{2}$")
HS_PREFIX = re.compile(r"^\d{2}(\d{2}){0,4}$")


class ListKind(StrEnum):
    """What a list is for."""

    BLOCK = "block"  # matches raise risk
    ALLOW = "allow"  # matches lower risk or exempt
    REFERENCE = "reference"  # a set used by rules (e.g. sensitive HS codes)


class ElementType(StrEnum):
    """What a list holds; decides how values are checked and normalised."""

    COUNTRY = "country"  # ISO 3166-1 alpha-2
    HS_CODE = "hs_code"  # an HS chapter, heading, subheading or national code (2–10 digits)
    USCC = "uscc"  # 统一社会信用代码
    PARTY = "party"  # a name, matched case- and space-insensitively
    TEXT = "text"  # anything else, kept as given (trimmed)


def validate_list_name(name: str) -> str:
    """Lower-case letters, digits and ``_``, 3–64 characters, starting with a letter."""
    if not LIST_NAME.match(name):
        raise Invalid("name", "3–64 characters of a–z, 0–9 and '_', starting with a letter")
    return name


def normalise_value(element_type: ElementType, value: str) -> str:
    """The canonical form of one value; ``Invalid`` names ``value`` and the reason."""
    text = value.strip()
    if not text:
        raise Invalid("value", "must not be empty")
    if element_type is ElementType.COUNTRY:
        code = text.upper()
        if not ISO_COUNTRY.match(code):
            raise Invalid("value", f"{value!r} is not an ISO 3166-1 alpha-2 code")
        return code
    if element_type is ElementType.HS_CODE:
        if not HS_PREFIX.match(text):
            raise Invalid("value", f"{value!r} is not an HS code of 2, 4, 6, 8 or 10 digits")
        return text
    if element_type is ElementType.USCC:
        return validate_uscc(text)
    if element_type is ElementType.PARTY:
        return " ".join(text.upper().split())
    return text


@dataclass(frozen=True, slots=True)
class RiskList:
    """A named list and its current values."""

    name: str
    kind: ListKind
    element_type: ElementType
    description_zh: str
    description_en: str
    values: frozenset[str]
    version: int


@dataclass(frozen=True, slots=True)
class ListChange:
    """One value added to or removed from a list, by whom and when."""

    value: str
    action: str  # "added" or "removed"
    at: dt.datetime
    actor: str
    note: str
