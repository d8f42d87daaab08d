"""Evaluate a policy's eligibility with the risk engine's expression language, one top-level
``and`` conjunct at a time, so the verdict names the failed condition or the missing data."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from lingang.policies.model import AREA_FIELDS, PROFILE_SCHEMA, Condition, Match, Policy, Verdict
from lingang.risk.rules import ast
from lingang.risk.rules.evaluate import CompiledRule, compile_rule
from lingang.risk.rules.parser import parse

_PRECEDENCE = {"or": 1, "and": 2, "=": 4, "!=": 4, "<": 4, "<=": 4, ">": 4, ">=": 4,
               "+": 5, "-": 5, "*": 6, "/": 6}  # fmt: skip


def render(node: ast.Node) -> str:
    """Source text for a syntax tree (parenthesised where precedence needs it)."""
    if isinstance(node, ast.Literal):
        return _literal(node.value)
    if isinstance(node, ast.FieldRef):
        return node.name
    if isinstance(node, ast.FeatureRef):
        return f"feature({_literal(node.name)})"
    if isinstance(node, ast.Unary):
        inner = _wrap(node.operand, 3 if node.op == "not" else 7)
        return f"not {inner}" if node.op == "not" else f"-{inner}"
    if isinstance(node, ast.Binary):
        level = _PRECEDENCE[node.op]
        return f"{_wrap(node.left, level)} {node.op} {_wrap(node.right, level + 1)}"
    if isinstance(node, ast.InSet):
        items = ", ".join(render(i) for i in node.items)
        return f"{_wrap(node.needle, 5)} {'not in' if node.negated else 'in'} ({items})"
    if isinstance(node, ast.IsNull):
        return f"{_wrap(node.operand, 5)} is {'not null' if node.negated else 'null'}"
    return f"{node.name}({', '.join(render(a) for a in node.args)})"


def _wrap(node: ast.Node, level: int) -> str:
    text = render(node)
    if isinstance(node, ast.Binary) and _PRECEDENCE[node.op] < level:
        return f"({text})"
    if isinstance(node, ast.Unary | ast.InSet | ast.IsNull) and level > 3:
        return f"({text})"
    return text


def _literal(value: ast.Value) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def conjuncts(node: ast.Node) -> list[ast.Node]:
    """The top-level ``and`` operands of ``node``, left to right."""
    if isinstance(node, ast.Binary) and node.op == "and":
        return [*conjuncts(node.left), *conjuncts(node.right)]
    return [node]


def field_names(node: ast.Node) -> list[str]:
    """The profile fields ``node`` reads, in source order, each once."""
    found: list[str] = []
    if isinstance(node, ast.FieldRef):
        found.append(node.name)
    for child in ast.children(node):
        found.extend(n for n in field_names(child) if n not in found)
    return list(dict.fromkeys(found))


@dataclass(frozen=True)
class Part:
    """One conjunct, compiled on its own."""

    source: str
    fields: tuple[str, ...]
    rule: CompiledRule


@dataclass(frozen=True)
class Eligibility:
    """A policy's eligibility rule, checked and split into its conjuncts."""

    source: str
    whole: CompiledRule
    parts: tuple[Part, ...]


@lru_cache(maxsize=512)
def compile_eligibility(source: str) -> Eligibility:
    """Parse, type-check (boolean, profile fields only) and split ``source``; ``Invalid``
    names the problem with its line and column."""
    whole = compile_rule(source, PROFILE_SCHEMA)
    parts = []
    for node in conjuncts(parse(source)):
        text = render(node)
        parts.append(Part(text, tuple(field_names(node)), compile_rule(text, PROFILE_SCHEMA)))
    return Eligibility(source, whole, tuple(parts))


def evaluate(policy: Policy, uscc: str, profile: Mapping[str, Any], on: dt.date) -> Match:
    """The verdict of ``policy`` for one enterprise's profile on day ``on``, with its trace:
    the period, the policy's own area, then each conjunct. A false condition decides (as the
    language's ``and`` does), else a condition that could not tell makes it *maybe*."""
    trace = [Condition("period", _period(policy), policy.in_force(on))]
    area_field = AREA_FIELDS[policy.area]
    if area_field is not None:
        inside = profile.get(area_field)
        trace.append(Condition("area", f"{area_field} (area: {policy.area.value})",
                               None if inside is None else bool(inside),
                               (area_field,) if inside is None else ()))  # fmt: skip
    for part in compile_eligibility(policy.eligibility).parts:
        result = part.rule.evaluate(profile)
        missing = tuple(f for f in part.fields if profile.get(f) is None) if result is None else ()
        trace.append(Condition("rule", part.source, result, missing))
    failed = next((c for c in trace if c.result is False), None)
    if failed is not None:
        return Match(policy.id, uscc, Verdict.NOT_ELIGIBLE, tuple(trace), failed=failed.source)
    unknown = [c for c in trace if c.result is None]
    if unknown:
        missing = tuple(dict.fromkeys(f for c in unknown for f in c.missing))
        return Match(policy.id, uscc, Verdict.MAYBE, tuple(trace), missing=missing)
    return Match(policy.id, uscc, Verdict.ELIGIBLE, tuple(trace))


def _period(policy: Policy) -> str:
    end = policy.valid_to.isoformat() if policy.valid_to else "open"
    return f"in force {policy.valid_from.isoformat()} – {end}"
