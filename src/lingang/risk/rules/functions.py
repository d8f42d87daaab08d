"""The rule language's functions: a registry that refuses duplicate names.

Each function carries its signature check and its two compilations: a Python callable over
already-evaluated arguments, and a DuckDB SQL template over already-compiled arguments.
A *strict* function returns null when any argument is null, in both compilations.
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lingang.errors import Invalid
from lingang.risk.rules import ast
from lingang.risk.rules.types import RuleSchema, Type, unify


@dataclass(frozen=True)
class Context:
    """What one evaluation may look up besides the event: named lists and feature values."""

    lists: Mapping[str, frozenset[Any]] = field(default_factory=dict)
    features: Mapping[str, Any] = field(default_factory=dict)


Check = Callable[[ast.Call, Sequence[Type], RuleSchema], Type]
PythonImpl = Callable[[Sequence[Any], Context], Any]
SqlImpl = Callable[[Sequence[str], ast.Call], str]


@dataclass(frozen=True)
class Function:
    """One function of the language: its name, type check, and two compilations."""

    name: str
    check: Check
    python: PythonImpl
    sql: SqlImpl
    strict: bool = True
    #: the same computation over positional, already non-null arguments, when there is one;
    #: the generated online code calls it directly instead of ``python(args, context)``
    direct: Callable[..., Any] | None = None


class Registry:
    """Functions by name; registering a name twice is a mistake and is refused."""

    def __init__(self) -> None:
        self._functions: dict[str, Function] = {}

    def register(self, function: Function) -> Function:
        """Add ``function``; raise ``ValueError`` if its name is taken."""
        if function.name in self._functions:
            raise ValueError(f"function {function.name!r} is already registered")
        self._functions[function.name] = function
        return function

    def get(self, name: str) -> Function:
        """The function called ``name``, or ``Invalid(name, "unknown function")``."""
        try:
            return self._functions[name]
        except KeyError:
            raise Invalid(name, "unknown function") from None

    def names(self) -> list[str]:
        """Registered names, sorted."""
        return sorted(self._functions)


FUNCTIONS = Registry()


def fail(call: ast.Call, reason: str) -> Invalid:
    """An ``Invalid`` naming the function, with the call's position."""
    return Invalid(call.name, f"{reason} ({call.at})")


def fixed(params: tuple[Type, ...], returns: Type) -> Check:
    """A check for a function of fixed arity and argument types."""

    def check(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
        if len(args) != len(params):
            raise fail(call, f"takes {len(params)} argument(s), got {len(args)}")
        for i, (want, got) in enumerate(zip(params, args, strict=True), start=1):
            if unify(want, got) is not want:
                field = ast.first_name(call.args[i - 1]) or call.name
                reason = f"{call.name}() argument {i} must be {want}, not {got} ({call.at})"
                raise Invalid(field, reason)
        return returns

    return check


def _simple(name: str, params: tuple[Type, ...], returns: Type, py: Any, sql: str) -> None:
    """Register a strict function whose SQL is ``sql.format(*args)``."""
    FUNCTIONS.register(
        Function(
            name,
            fixed(params, returns),
            lambda a, _c: py(*a),
            lambda a, _n: sql.format(*a),
            direct=py,
        )
    )


_EXACT = decimal.Context(prec=800)
_EXACT_INTS = 2.0**52  # below this, a double's whole and fractional parts are exact


def round_half_away(x: float, digits: float = 0) -> float:
    """Round like DuckDB: the exact value of ``x``, halves away from zero (not banker's)."""
    if not math.isfinite(x):
        return x
    if digits == 0 and abs(x) < _EXACT_INTS:
        whole = math.floor(abs(x))
        up = abs(x) - whole >= 0.5  # exact: Sterbenz's lemma, or whole == 0
        return math.copysign(float(whole + 1 if up else whole), x)
    step = decimal.Decimal(1).scaleb(-int(digits))
    exact = decimal.Decimal(x).quantize(step, rounding=decimal.ROUND_HALF_UP, context=_EXACT)
    return float(exact)


N, S, B, D = Type.NUMBER, Type.STRING, Type.BOOL, Type.DATE
_simple("lower", (S,), S, str.lower, "lower({0})")
_simple("upper", (S,), S, str.upper, "upper({0})")
_simple("length", (S,), N, lambda s: float(len(s)), "CAST(length({0}) AS DOUBLE)")
_simple("starts_with", (S, S), B, str.startswith, "starts_with({0}, {1})")
_simple("contains", (S, S), B, lambda s, t: t in s, "contains({0}, {1})")
_simple("hs_chapter", (S,), S, lambda s: s[:2], "substr({0}, 1, 2)")
_simple("hs_heading", (S,), S, lambda s: s[:4], "substr({0}, 1, 4)")
_simple("hs_subheading", (S,), S, lambda s: s[:6], "substr({0}, 1, 6)")
_simple("year", (D,), N, lambda d: float(d.year), "CAST(year({0}) AS DOUBLE)")
_simple("month", (D,), N, lambda d: float(d.month), "CAST(month({0}) AS DOUBLE)")
_simple("day_of_week", (D,), N, lambda d: float(d.isoweekday()), "CAST(isodow({0}) AS DOUBLE)")
_simple(
    "days_between",
    (D, D),
    N,
    lambda a, b: float((b - a).days),
    "CAST(date_diff('day', {0}, {1}) AS DOUBLE)",
)
_simple("abs", (N,), N, abs, "abs({0})")


def _check_round(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
    if len(args) == 1:
        return fixed((N,), N)(call, args, schema)
    digits = call.args[1] if len(call.args) == 2 else None
    value = digits.value if isinstance(digits, ast.Literal) else None
    if not isinstance(value, float) or value not in {float(i) for i in range(11)}:
        raise fail(call, "takes a number and, optionally, a whole number of digits 0 to 10")
    return fixed((N, N), N)(call, args, schema)


def _round_sql(args: Sequence[str], call: ast.Call) -> str:
    if len(args) == 1:
        return f"round({args[0]})"
    digits = call.args[1]
    assert isinstance(digits, ast.Literal) and isinstance(digits.value, float)
    return f"round({args[0]}, {int(digits.value)})"


def _check_coalesce(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
    if not args:
        raise fail(call, "takes at least one argument")
    common: Type | None = Type.NULL
    for got in args:
        common = unify(common, got) if common is not None else None
    if common is None:
        raise fail(call, f"arguments must share one type, got {', '.join(args)}")
    return common


def _check_is_null(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
    if len(args) != 1:
        raise fail(call, f"takes 1 argument, got {len(args)}")
    return Type.BOOL


def list_name(call: ast.Call) -> str:
    """The list an ``in_list`` call names (its first argument, a quoted name)."""
    first = call.args[0] if call.args else None
    if not isinstance(first, ast.Literal) or not isinstance(first.value, str):
        raise fail(call, "first argument must be a quoted list name")
    return first.value


def _check_in_list(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
    if len(args) != 2:
        raise fail(call, f"takes 2 arguments, got {len(args)}")
    name = list_name(call)
    if name not in schema.lists:
        raise fail(call, f"unknown list {name!r}")
    element = schema.lists[name]
    if unify(element, args[1]) is None:
        raise fail(call, f"list {name!r} holds {element} values, not {args[1]}")
    return Type.BOOL


def _in_list(args: Sequence[Any], ctx: Context) -> bool:
    name = args[0]
    if name not in ctx.lists:
        raise Invalid("in_list", f"no list {name!r} was given")
    return args[1] in ctx.lists[name]


def _check_date(call: ast.Call, args: Sequence[Type], schema: RuleSchema) -> Type:
    arg = call.args[0] if len(call.args) == 1 else None
    text = arg.value if isinstance(arg, ast.Literal) else None
    try:
        assert isinstance(text, str) and len(text) == 10 and text[4] == text[7] == "-"
        dt.date.fromisoformat(text)
    except (AssertionError, ValueError):
        raise fail(call, "takes one quoted date, 'YYYY-MM-DD'") from None
    return Type.DATE


FUNCTIONS.register(
    Function(
        "round",
        _check_round,
        lambda a, _c: round_half_away(*a),
        _round_sql,
        direct=round_half_away,
    )
)
FUNCTIONS.register(
    Function(
        "coalesce",
        _check_coalesce,
        lambda a, _c: next((v for v in a if v is not None), None),
        lambda a, _n: f"coalesce({', '.join(a)})",
        strict=False,
    )
)
FUNCTIONS.register(
    Function(
        "is_null",
        _check_is_null,
        lambda a, _c: a[0] is None,
        lambda a, _n: f"({a[0]} IS NULL)",
        strict=False,
    )
)
FUNCTIONS.register(
    Function(
        "in_list",
        _check_in_list,
        _in_list,
        lambda a, n: (
            f"(CASE WHEN {a[1]} IS NULL THEN NULL "
            f"ELSE list_contains($list_{list_name(n)}, {a[1]}) END)"
        ),
    )
)
FUNCTIONS.register(
    Function(
        "date",
        _check_date,
        lambda a, _c: dt.date.fromisoformat(a[0]),
        lambda a, _n: f"CAST({a[0]} AS DATE)",
        direct=dt.date.fromisoformat,
    )
)
