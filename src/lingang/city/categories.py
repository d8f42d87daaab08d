"""The grid-management category tree (部件 city parts / 事件 events, CJ/T 214-style).

The tree ships as ``categories.yaml`` beside this module. Codes are CJ/T 214-style and
illustrative, not the standard's official code table: a kind letter (``P`` part, ``E`` event),
two digits of top class, two of category (``P0101`` 部件 · 公用设施 · 井盖). Every category
carries the default 12345 time-limit class and the default handling unit a case is dispatched
to; dispatch and case handling build on :func:`load_categories`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import cache
from importlib.resources import files
from typing import Any

from lingang.errors import Invalid, NotFound
from lingang.yamltext import load_yaml

LANGS = ("zh-CN", "en")
_TOP_CODE = re.compile(r"^\d{2}$")
_CODE = re.compile(r"^[PE]\d{4}$")


class Kind(StrEnum):
    """部件 (a city part: a physical facility) or 事件 (an event: behaviour or a condition)."""

    PART = "part"
    EVENT = "event"

    @property
    def letter(self) -> str:
        """The code's first letter: ``P`` for parts, ``E`` for events."""
        return "P" if self is Kind.PART else "E"

    def label(self, lang: str = "zh-CN") -> str:
        """部件 / 事件 in Chinese, "city part" / "event" in English."""
        zh, en = ("部件", "city part") if self is Kind.PART else ("事件", "event")
        return _pick(lang, zh, en)


class TimeLimitClass(StrEnum):
    """The 12345 time-limit classes (regulations §6.1): 1, 5 or 15 working days."""

    CONSULTATION = "consultation"
    ORDINARY = "ordinary"
    COMPLEX = "complex"

    @property
    def working_days(self) -> int:
        """Working days the handling unit has: consultation 1, ordinary 5, complex 15."""
        return {"consultation": 1, "ordinary": 5, "complex": 15}[self.value]


@dataclass(frozen=True, slots=True)
class TopClass:
    """A top class of one kind (``01`` 公用设施 of 部件, ``05`` 街面秩序 of 事件)."""

    kind: Kind
    code: str
    name_zh: str
    name_en: str

    def label(self, lang: str = "zh-CN") -> str:
        """The name in ``lang`` (``zh-CN`` or ``en``)."""
        return _pick(lang, self.name_zh, self.name_en)


@dataclass(frozen=True, slots=True)
class Category:
    """A leaf category: what hotline tickets and city events are filed under."""

    code: str
    kind: Kind
    top: TopClass
    name_zh: str
    name_en: str
    time_limit: TimeLimitClass
    unit: str
    keywords: tuple[str, ...] = ()

    def label(self, lang: str = "zh-CN") -> str:
        """The name in ``lang`` (``zh-CN`` or ``en``)."""
        return _pick(lang, self.name_zh, self.name_en)

    def path(self, lang: str = "zh-CN") -> str:
        """Kind · top class · category, e.g. ``部件 · 公用设施 · 井盖``."""
        return " · ".join((self.kind.label(lang), self.top.label(lang), self.label(lang)))


class CategoryTree:
    """The categories by code, in file order; read-only once built."""

    def __init__(self, tops: Iterable[TopClass], categories: Iterable[Category]) -> None:
        self._tops = tuple(tops)
        self._by_code = {category.code: category for category in categories}

    def get(self, code: str) -> Category:
        """The category with ``code``; :class:`NotFound` when there is none."""
        try:
            return self._by_code[code]
        except KeyError:
            raise NotFound(f"no city category {code!r}") from None

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    def __len__(self) -> int:
        return len(self._by_code)

    def all(self) -> list[Category]:
        """Every category, parts first, in code order of the file."""
        return list(self._by_code.values())

    def parts(self) -> list[Category]:
        """The 部件 categories."""
        return [c for c in self._by_code.values() if c.kind is Kind.PART]

    def events(self) -> list[Category]:
        """The 事件 categories."""
        return [c for c in self._by_code.values() if c.kind is Kind.EVENT]

    def top_classes(self, kind: Kind | None = None) -> list[TopClass]:
        """The top classes, of one kind or of both."""
        return [t for t in self._tops if kind is None or t.kind is kind]

    def codes(self) -> list[str]:
        """Every category code, in file order."""
        return list(self._by_code)


@cache
def load_categories() -> CategoryTree:
    """The shipped tree (``categories.yaml``), validated; cached."""
    text = (files("lingang.city") / "categories.yaml").read_text(encoding="utf-8")
    return parse_categories(load_yaml(text))


def parse_categories(data: object) -> CategoryTree:
    """A tree from the YAML document's data; :class:`Invalid` names the field at fault."""
    if not isinstance(data, Mapping):
        raise Invalid("categories", "must be a mapping")
    tops = _parse_tops(_list(data, "top_classes"))
    categories = _parse_categories(_list(data, "categories"), tops)
    return CategoryTree(tops.values(), categories)


def _list(data: Mapping[str, Any], key: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise Invalid(key, "must be a non-empty list")
    return value


def _parse_tops(items: list[Any]) -> dict[tuple[Kind, str], TopClass]:
    tops: dict[tuple[Kind, str], TopClass] = {}
    for index, item in enumerate(items):
        where = f"top_classes[{index}]"
        entry = _mapping(item, where)
        kind = _kind(entry, where)
        code = _text(entry, "code", where)
        if not _TOP_CODE.match(code):
            raise Invalid(f"{where}.code", f"{code!r} is not two digits")
        if (kind, code) in tops:
            raise Invalid(f"{where}.code", f"duplicate top class {kind.value} {code}")
        tops[kind, code] = TopClass(kind, code, _text(entry, "zh", where),
                                    _text(entry, "en", where))  # fmt: skip
    return tops


def _parse_categories(items: list[Any], tops: Mapping[tuple[Kind, str], TopClass]
                      ) -> list[Category]:  # fmt: skip
    seen: set[str] = set()
    out: list[Category] = []
    for index, item in enumerate(items):
        category = _parse_category(_mapping(item, f"categories[{index}]"), index, tops)
        if category.code in seen:
            raise Invalid(f"categories[{index}].code", f"duplicate code {category.code}")
        seen.add(category.code)
        out.append(category)
    return out


def _parse_category(entry: Mapping[str, Any], index: int,
                    tops: Mapping[tuple[Kind, str], TopClass]) -> Category:  # fmt: skip
    where = f"categories[{index}]"
    kind = _kind(entry, where)
    code = _text(entry, "code", where)
    top_code = _text(entry, "top", where)
    top = tops.get((kind, top_code))
    if top is None:
        raise Invalid(f"{where}.top", f"no {kind.value} top class {top_code!r}")
    if not _CODE.match(code) or code[0] != kind.letter or code[1:3] != top_code:
        raise Invalid(f"{where}.code", f"{code!r} is not {kind.letter}{top_code}NN")
    try:
        time_limit = TimeLimitClass(_text(entry, "time_limit", where))
    except ValueError:
        raise Invalid(f"{where}.time_limit", "must be consultation, ordinary or complex") from None
    keywords = entry.get("keywords", [])
    if not isinstance(keywords, list) or not all(isinstance(k, str) and k for k in keywords):
        raise Invalid(f"{where}.keywords", "must be a list of non-empty strings")
    return Category(code=code, kind=kind, top=top, name_zh=_text(entry, "zh", where),
                    name_en=_text(entry, "en", where), time_limit=time_limit,
                    unit=_text(entry, "unit", where), keywords=tuple(keywords))  # fmt: skip


def _mapping(item: object, where: str) -> Mapping[str, Any]:
    if not isinstance(item, Mapping):
        raise Invalid(where, "must be a mapping")
    return item


def _kind(entry: Mapping[str, Any], where: str) -> Kind:
    try:
        return Kind(str(entry.get("kind")))
    except ValueError:
        raise Invalid(f"{where}.kind", f"unknown kind {entry.get('kind')!r}") from None


def _text(entry: Mapping[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where}.{key}", "must be a non-empty string")
    return value.strip()


def _pick(lang: str, zh: str, en: str) -> str:
    if lang not in LANGS:
        raise Invalid("lang", f"must be one of {', '.join(LANGS)}")
    return zh if lang == "zh-CN" else en
