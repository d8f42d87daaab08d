"""The rule language's syntax tree: small frozen values, built once by the parser."""

from __future__ import annotations

from dataclasses import dataclass

Value = float | str | bool | None


@dataclass(frozen=True, slots=True)
class Position:
    """Where a node starts in the rule's source (1-based)."""

    line: int
    column: int

    def __str__(self) -> str:
        return f"line {self.line}, column {self.column}"


@dataclass(frozen=True, slots=True)
class Literal:
    """A number, string, boolean or ``null`` written in the rule."""

    value: Value
    at: Position


@dataclass(frozen=True, slots=True)
class FieldRef:
    """A field of the event, by name (``declared_value``)."""

    name: str
    at: Position


@dataclass(frozen=True, slots=True)
class FeatureRef:
    """A computed feature, ``feature('importer_90d_value')``."""

    name: str
    at: Position


@dataclass(frozen=True, slots=True)
class Unary:
    """``not x`` or ``-x``."""

    op: str
    operand: Node
    at: Position


@dataclass(frozen=True, slots=True)
class Binary:
    """Arithmetic (``+ - * /``), comparison (``= != < <= > >=``) or ``and``/``or``."""

    op: str
    left: Node
    right: Node
    at: Position


@dataclass(frozen=True, slots=True)
class InSet:
    """``x in (a, b, c)`` or ``x not in (…)``."""

    needle: Node
    items: tuple[Node, ...]
    negated: bool
    at: Position


@dataclass(frozen=True, slots=True)
class IsNull:
    """``x is null`` or ``x is not null``."""

    operand: Node
    negated: bool
    at: Position


@dataclass(frozen=True, slots=True)
class Call:
    """A call of a registered function, ``hs_chapter(hs_code)``."""

    name: str
    args: tuple[Node, ...]
    at: Position


Node = Literal | FieldRef | FeatureRef | Unary | Binary | InSet | IsNull | Call

ARITHMETIC = frozenset({"+", "-", "*", "/"})
COMPARISON = frozenset({"=", "!=", "<", "<=", ">", ">="})
LOGICAL = frozenset({"and", "or"})


def children(node: Node) -> tuple[Node, ...]:
    """The nodes directly under ``node``, in source order."""
    if isinstance(node, Unary | IsNull):
        return (node.operand,)
    if isinstance(node, Binary):
        return (node.left, node.right)
    if isinstance(node, InSet):
        return (node.needle, *node.items)
    return node.args if isinstance(node, Call) else ()


def first_name(node: Node) -> str | None:
    """The first field, feature or function the node mentions, to name it in an error."""
    if isinstance(node, FieldRef | FeatureRef | Call):
        return node.name
    for child in children(node):
        name = first_name(child)
        if name is not None:
            return name
    return None
