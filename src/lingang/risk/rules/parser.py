"""Parse rule source into the syntax tree (lark, LALR); errors carry line and column."""

from __future__ import annotations

from functools import cache
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, VisitError

from lingang.errors import Invalid
from lingang.risk.rules import ast

GRAMMAR = r"""
?start: expr
?expr: or_expr
?or_expr: and_expr | or_expr OR and_expr -> binary
?and_expr: not_expr | and_expr AND not_expr -> binary
?not_expr: comparison | NOT not_expr -> unary
?comparison: sum
    | sum COMP_OP sum -> binary
    | sum IN "(" items ")" -> in_set
    | sum NOT IN "(" items ")" -> not_in_set
    | sum IS NULL -> is_null
    | sum IS NOT NULL -> is_not_null
?sum: product | sum ADD_OP product -> binary
?product: unary | product MUL_OP unary -> binary
?unary: atom | MINUS unary -> unary
?atom: NUMBER -> number
    | STRING -> string
    | TRUE -> true
    | FALSE -> false
    | NULL -> null
    | NAME -> field
    | NAME "(" [items] ")" -> call
    | "(" expr ")"
items: expr ("," expr)*

OR: "or"
AND: "and"
NOT: "not"
IN: "in"
IS: "is"
NULL: "null"
TRUE: "true"
FALSE: "false"
COMP_OP: "==" | "=" | "!=" | "<>" | "<=" | ">=" | "<" | ">"
ADD_OP: "+" | MINUS
MINUS: "-"
MUL_OP: "*" | "/"
NAME: /[A-Za-z_][A-Za-z0-9_]*/
NUMBER: /[0-9]+(\.[0-9]+)?([eE][+-]?[0-9]+)?/
STRING: /'([^'\\\n]|\\.)*'/
COMMENT: /#[^\n]*/
%ignore /[ \t\r\n]+/
%ignore COMMENT
"""

_COMP = {"==": "=", "<>": "!="}
_ESCAPES = {"n": "\n", "t": "\t", "\\": "\\", "'": "'"}


def _at(token: Token) -> ast.Position:
    return ast.Position(token.line or 0, token.column or 0)


def _unquote(text: str) -> str:
    out: list[str] = []
    chars = iter(text[1:-1])
    for ch in chars:
        out.append(_ESCAPES.get(next(chars, ""), "") if ch == "\\" else ch)
    return "".join(out)


def _pos(node: ast.Node) -> ast.Position:
    return node.at


@v_args(inline=True)
class _ToAst(Transformer[Token, ast.Node]):
    """Turns lark's parse tree into :mod:`lingang.risk.rules.ast` nodes."""

    def number(self, tok: Token) -> ast.Node:
        return ast.Literal(float(tok), _at(tok))

    def string(self, tok: Token) -> ast.Node:
        return ast.Literal(_unquote(str(tok)), _at(tok))

    def true(self, tok: Token) -> ast.Node:
        return ast.Literal(True, _at(tok))

    def false(self, tok: Token) -> ast.Node:
        return ast.Literal(False, _at(tok))

    def null(self, tok: Token) -> ast.Node:
        return ast.Literal(None, _at(tok))

    def field(self, tok: Token) -> ast.Node:
        return ast.FieldRef(str(tok), _at(tok))

    def binary(self, left: ast.Node, op: Token, right: ast.Node) -> ast.Node:
        return ast.Binary(_COMP.get(str(op), str(op)), left, right, _pos(left))

    def unary(self, op: Token, operand: ast.Node) -> ast.Node:
        return ast.Unary(str(op), operand, _at(op))

    def items(self, *nodes: ast.Node) -> tuple[ast.Node, ...]:
        return nodes

    def in_set(self, needle: ast.Node, _in: Token, items: tuple[ast.Node, ...]) -> ast.Node:
        return ast.InSet(needle, items, False, _pos(needle))

    def not_in_set(
        self, needle: ast.Node, _not: Token, _in: Token, items: tuple[ast.Node, ...]
    ) -> ast.Node:
        return ast.InSet(needle, items, True, _pos(needle))

    def is_null(self, operand: ast.Node, *_: Token) -> ast.Node:
        return ast.IsNull(operand, False, _pos(operand))

    def is_not_null(self, operand: ast.Node, *_: Token) -> ast.Node:
        return ast.IsNull(operand, True, _pos(operand))

    def call(self, name: Token, items: tuple[ast.Node, ...] | None) -> ast.Node:
        args = items or ()
        if str(name) != "feature":
            return ast.Call(str(name), args, _at(name))
        if len(args) != 1 or not isinstance(args[0], ast.Literal):
            raise Invalid("feature", f"{_at(name)}: feature() takes one quoted name")
        if not isinstance(args[0].value, str):
            raise Invalid("feature", f"{_at(name)}: feature() takes one quoted name")
        return ast.FeatureRef(args[0].value, _at(name))


class RuleSyntaxError(Invalid):
    """The rule's text does not parse; carries the line and column of the fault."""

    def __init__(self, line: int, column: int, reason: str) -> None:
        super().__init__("rule", f"line {line}, column {column}: {reason}")
        self.line = line
        self.column = column


@cache
def _parser() -> Lark:
    return Lark(GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=True)


_READABLE = {"MINUS": "'-'", "LPAR": "'('", "RPAR": "')'", "COMMA": "','", "$END": "end of rule"}


def _at_end(err: UnexpectedInput) -> bool:
    token: Any = getattr(err, "token", None)
    return isinstance(err, UnexpectedEOF) or (token is not None and token.type == "$END")


def _describe(err: UnexpectedInput) -> str:
    if isinstance(err, UnexpectedCharacters):
        return f"unexpected character {err.char!r}"
    if _at_end(err):
        return "unexpected end of rule"
    token: Any = getattr(err, "token", None)
    expected = sorted(_READABLE.get(name, name.lower()) for name in getattr(err, "expected", ()))
    hint = f"; expected one of {', '.join(expected[:8])}" if expected else ""
    return f"unexpected {str(token)!r}{hint}"


def parse(source: str) -> ast.Node:
    """Parse ``source`` into a syntax tree, or raise :class:`RuleSyntaxError`."""
    try:
        tree = _parser().parse(source)
    except UnexpectedInput as err:
        line, column = max(err.line, 1), max(err.column, 1)
        if _at_end(err):
            lines = source.splitlines() or [""]
            line, column = len(lines), len(lines[-1]) + 1
        raise RuleSyntaxError(line, column, _describe(err)) from None
    try:
        return _ToAst().transform(tree)
    except VisitError as err:
        if isinstance(err.orig_exc, Invalid):
            raise err.orig_exc from None
        raise
