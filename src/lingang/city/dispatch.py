"""Dispatch (派遣) rules: which unit handles a city event, and why.

Ordered rules (``dispatch/rules-v*.yaml``) on category (code or prefix), responsibility
grid, text (regular expression or keywords) and source; the first rule whose conditions all
match wins (Signalen routing-rules style). The last rule has no condition and sends what no
other rule took to the command centre (城运中心). Every answer carries the reason, e.g.
``rule 3 (井盖类 → 临港新片区市政养护所): category P0101 matched``. Rules in docs/city.md.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lingang.city.model import COMMAND_CENTRE, SOURCES, Dispatch
from lingang.errors import Invalid
from lingang.yamltext import load_yaml

CATEGORY_UNIT = "@category"
CONDITIONS = ("category", "grids", "text", "keywords", "source")


@dataclass(frozen=True, slots=True)
class Subject:
    """What a rule looks at: the event's category, grid, text and source."""

    category: str | None
    grid_id: str | None
    text: str
    source: str


@dataclass(frozen=True, slots=True)
class Rule:
    """One routing rule; empty conditions match anything."""

    number: int
    name: str
    unit: str
    categories: tuple[str, ...] = ()
    grids: tuple[str, ...] = ()
    pattern: re.Pattern[str] | None = None
    keywords: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()

    def matches(self, subject: Subject) -> list[str] | None:
        """The reasons it matches (one per condition), or None when a condition fails."""
        reasons: list[str] = []
        for check in (self._category, self._grid, self._text, self._source):
            found = check(subject)
            if found is None:
                return None
            reasons.extend(found)
        return reasons

    def _category(self, subject: Subject) -> list[str] | None:
        if not self.categories:
            return []
        code = subject.category or ""
        hit = next((c for c in self.categories if code.startswith(c)), None)
        if not code or hit is None:
            return None
        return [f"category {code} matched" + ("" if hit == code else f" (prefix {hit})")]

    def _grid(self, subject: Subject) -> list[str] | None:
        if not self.grids:
            return []
        return [f"grid {subject.grid_id} matched"] if subject.grid_id in self.grids else None

    def _text(self, subject: Subject) -> list[str] | None:
        reasons: list[str] = []
        if self.pattern is not None:
            found = self.pattern.search(subject.text)
            if found is None:
                return None
            reasons.append(f"text matched /{self.pattern.pattern}/ at “{found.group(0)}”")
        if self.keywords:
            word = next((k for k in self.keywords if k in subject.text), None)
            if word is None:
                return None
            reasons.append(f"keyword “{word}” matched")
        return reasons

    def _source(self, subject: Subject) -> list[str] | None:
        if not self.sources:
            return []
        return [f"source {subject.source} matched"] if subject.source in self.sources else None


@dataclass(frozen=True, slots=True)
class DispatchRules:
    """The ordered rules of one version, and the command centre they fall back to."""

    version: str
    command_centre: str
    rules: tuple[Rule, ...]

    def route(self, subject: Subject, default_unit: Callable[[str], str]) -> Dispatch:
        """The first matching rule's unit and the reason; ``default_unit(code)`` resolves
        ``@category`` to the category's default handling unit."""
        for rule in self.rules:
            reasons = rule.matches(subject)
            if reasons is None:
                continue
            unit = rule.unit
            if unit == CATEGORY_UNIT:
                assert subject.category is not None  # a @category rule needs a category
                unit = default_unit(subject.category)
            why = "; ".join(reasons) or "catch-all"
            return Dispatch(unit, f"rule {rule.number} ({rule.name}): {why}", str(rule.number))
        return Dispatch(self.command_centre, "no rule matched: command centre", None)

    def units(self) -> list[str]:
        """The units the rules name (``@category`` left out)."""
        return sorted({r.unit for r in self.rules if r.unit != CATEGORY_UNIT})


@functools.cache
def load_rules(
    path: Path | None = None, *, categories: frozenset[str] = frozenset(),
    grids: frozenset[str] = frozenset(),
) -> DispatchRules:  # fmt: skip
    """The shipped rules (newest ``dispatch/rules-v*.yaml``) or the file at ``path``, checked
    against the known category codes and grid ids (``Invalid`` names rule and field)."""
    if path is None:
        path = sorted(Path(__file__).with_name("dispatch").glob("rules-v*.yaml"))[-1]
    try:
        data = load_yaml(path.read_text("utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise Invalid("rules", f"{path.name}: not readable YAML ({exc})") from None
    return parse_rules(data, categories=categories, grids=grids)


def parse_rules(data: Any, *, categories: Collection[str], grids: Collection[str]
                ) -> DispatchRules:  # fmt: skip
    """Check and build the rules; an empty ``categories``/``grids`` skips that check."""
    if not isinstance(data, Mapping):
        raise Invalid("rules", "the rules file must be a mapping")
    items = data.get("rules")
    if not isinstance(items, list) or not items:
        raise Invalid("rules", "needs a non-empty list of rules")
    centre = str(data.get("command_centre") or COMMAND_CENTRE)
    rules = tuple(_rule(item, n, categories, grids) for n, item in enumerate(items, start=1))
    last = rules[-1]
    if last.categories or last.grids or last.pattern or last.keywords or last.sources:
        raise Invalid(f"rule {last.number}.when", "the last rule must be a catch-all")
    if last.unit != centre:
        raise Invalid(f"rule {last.number}.unit", f"the catch-all goes to {centre}")
    return DispatchRules(str(data.get("version", "1")), centre, rules)


def _rule(item: Any, number: int, categories: Collection[str], grids: Collection[str]) -> Rule:
    where = f"rule {number}"
    if not isinstance(item, Mapping):
        raise Invalid(where, "must be a mapping")
    name, unit = item.get("name"), item.get("unit")
    if not isinstance(name, str) or not name.strip():
        raise Invalid(f"{where}.name", "required text")
    if not isinstance(unit, str) or not unit.strip():
        raise Invalid(f"{where}.unit", "required text")
    when = item.get("when") or {}
    if not isinstance(when, Mapping):
        raise Invalid(f"{where}.when", "must be a mapping of conditions")
    unknown = sorted(set(when) - set(CONDITIONS))
    if unknown:
        raise Invalid(f"{where}.when", f"unknown condition(s) {', '.join(unknown)}")
    codes = _strings(when.get("category"), f"{where}.category")
    for code in codes:
        if categories and not any(c.startswith(code) for c in categories):
            raise Invalid(f"{where}.category", f"{code!r} is no category code or prefix")
    if unit.strip() == CATEGORY_UNIT and not codes:
        raise Invalid(f"{where}.unit", "@category needs a category condition")
    areas = _strings(when.get("grids"), f"{where}.grids")
    for grid in areas:
        if grids and grid not in grids:
            raise Invalid(f"{where}.grids", f"no responsibility grid {grid!r}")
    sources = _strings(when.get("source"), f"{where}.source")
    for source in sources:
        if source not in SOURCES:
            raise Invalid(f"{where}.source", f"{source!r} is not one of {', '.join(SOURCES)}")
    return Rule(number, name.strip(), unit.strip(), codes, areas,
                _pattern(when.get("text"), f"{where}.text"),
                _strings(when.get("keywords"), f"{where}.keywords"), sources)  # fmt: skip


def _strings(value: Any, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, Sequence) or not all(isinstance(v, str) and v for v in value):
        raise Invalid(where, "must be a list of non-empty strings")
    return tuple(str(v) for v in value)


def _pattern(value: Any, where: str) -> re.Pattern[str] | None:
    if value is None:
        return None
    if not isinstance(value, str) or not value:
        raise Invalid(where, "must be a regular expression")
    try:
        return re.compile(value)
    except re.error as exc:
        raise Invalid(where, f"not a valid regular expression ({exc})") from None
