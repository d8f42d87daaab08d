"""Generate the source of one Python function from a checked syntax tree, guard it, compile it.

This is the online path's fast backend. It never sees the rule's text: it walks the
*type-checked* tree, and every identifier it writes is its own (``e``, ``f``, ``_f0``,
``_t1``, ``_fn_lower``, …). Field and feature names appear only as ``repr()`` string
constants in ``e.get('name')``; literals are ``repr()`` of values the parser already turned
into ``float``/``str``/``bool``; dates are constants bound by name; functions come from a
fixed namespace. The generated source is then parsed with :mod:`ast` and refused unless
every node type is on :data:`ALLOWED_NODES` and every name is one the generator bound
(:func:`guard`); only that checked tree is compiled, and it runs with no builtins.

Semantics are those of :mod:`lingang.risk.rules.compile_python` (SQL three-valued logic),
with two liberties that do not change any result: ``and``/``or`` and strict operations stop
at the first operand that decides the outcome, and a rule *set* reads each field once.
"""

from __future__ import annotations

import ast as pyast
import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from lingang.risk.rules import ast
from lingang.risk.rules.compile_python import normalise
from lingang.risk.rules.functions import FUNCTIONS, Context
from lingang.risk.rules.typecheck import infer
from lingang.risk.rules.types import RuleSchema, Type

PreparedLists = Mapping[str, frozenset[Any]]
Factory = Callable[[PreparedLists], Callable[..., Any]]


class GeneratedCodeRefused(RuntimeError):
    """The guard found a construct the generator must never write: a bug, never run."""


#: the only syntax the generator writes; anything else in its output is refused
ALLOWED_NODES: frozenset[type[pyast.AST]] = frozenset(
    {
        pyast.Module, pyast.FunctionDef, pyast.arguments, pyast.arg, pyast.Return,
        pyast.Assign, pyast.AugAssign, pyast.If, pyast.Name, pyast.Load, pyast.Store,
        pyast.Constant, pyast.BoolOp, pyast.And, pyast.Or, pyast.UnaryOp, pyast.Not,
        pyast.USub, pyast.BinOp, pyast.Add, pyast.Sub, pyast.Mult, pyast.Div, pyast.Compare,
        pyast.Eq, pyast.NotEq, pyast.Lt, pyast.LtE, pyast.Gt, pyast.GtE, pyast.Is,
        pyast.IsNot, pyast.In, pyast.NotIn, pyast.IfExp, pyast.NamedExpr, pyast.Call,
        pyast.Attribute, pyast.Subscript, pyast.Slice, pyast.Tuple, pyast.List,
    }
)  # fmt: skip
_ATTRIBUTES = frozenset({"get"})  # e.get('field'), f.get('feature'); nothing else
_CONSTANTS = (str, float, int, bool, type(None))


def _number(value: Any) -> Any:
    return normalise(value, Type.NUMBER)


def _day(value: Any) -> Any:
    return normalise(value, Type.DATE)


def _in_values(x: Any, values: list[Any], negated: bool) -> bool | None:
    """``x in (values…)`` with SQL nulls, as the closure compiler computes it."""
    found = True if x in values else (None if None in values else False)
    return (not found if found is not None else None) if negated else found


_BASE: dict[str, Any] = {
    "type": type,
    "float": float,
    "int": int,
    "_date": dt.date,
    "_num": _number,
    "_day": _day,
    "_in_values": _in_values,
    "_Context": Context,
    "_EMPTY": MappingProxyType({}),
}
_FIXED_NAMES = frozenset({"_make", "_lists", "_run", "_h", "e", "f"})
_CMP = {"=": "==", "!=": "!=", "<": "<", "<=": "<=", ">": ">", ">=": ">="}
#: functions inlined as Python syntax; each equals the registry's implementation
_INLINE = {"hs_chapter": "{0}[:2]", "hs_heading": "{0}[:4]", "contains": "({1} in {0})"}
#: built-in functions that never return null for non-null arguments
_TOTAL = frozenset(
    {"lower", "upper", "length", "starts_with", "contains", "hs_chapter", "hs_heading", "year"}
    | {"month", "day_of_week", "days_between", "abs", "round", "in_list"}
)
#: functions whose result is always exactly True, False or None
_BOOL_RESULT = frozenset({"starts_with", "contains", "in_list", "is_null"})
# what a predicate asks of a value v: "T" v is True, "F" v is False, "TRUTHY" v is not None
# and bool(v), "FALSY" v is not None and not v, "NOTF" v is neither None nor False,
# "NOTT" v is neither None nor True; on exact booleans the last four collapse to T and F
_COLLAPSE = {"T": "T", "F": "F", "TRUTHY": "T", "NOTF": "T", "FALSY": "F", "NOTT": "F"}
_ON_VALUE = {  # {0}: the value's first use (it may bind a temporary), {1}: later uses
    "T": "{0} is True",
    "F": "{0} is False",
    "TRUTHY": "({0} is not None and {1})",
    "FALSY": "({0} is not None and not {1})",
    "NOTF": "({0} is not None and {1} is not False)",
    "NOTT": "({0} is not None and {1} is not True)",
}


@dataclass(frozen=True)
class Code:
    """A generated Python expression: may it be None, and is it a bare name or constant."""

    text: str
    nullable: bool
    simple: bool
    #: when set, ``text`` is ``None if any guard is None else inner`` and ``inner`` is never
    #: None, so an enclosing strict operation can test the guards and use ``inner`` directly
    guards: tuple[str, ...] | None = None
    inner: str = ""


NULL = Code("None", True, True)


@dataclass(frozen=True)
class Generated:
    """Checked source and its compiled factory ``_make(lists) -> _run(e, f=None)``."""

    source: str
    lists: frozenset[str]
    factory: Factory

    def bind(self, lists: PreparedLists) -> Callable[..., Any]:
        """The generated function, with the prepared lists captured in its closure."""
        return self.factory(lists)


class _Writer:
    """Accumulates what a generated function needs: field loads, lists, constants, temps."""

    def __init__(self, schema: RuleSchema) -> None:
        self.schema = schema
        self.loads: dict[tuple[str, str], str] = {}
        self.lists: dict[str, str] = {}
        self.namespace: dict[str, Any] = dict(_BASE)
        self.temps: list[str] = []
        self.context = False
        self._types: dict[int, Type] = {}

    def type_of(self, node: ast.Node) -> Type:
        if id(node) not in self._types:
            self._types[id(node)] = infer(node, self.schema)
        return self._types[id(node)]

    def temp(self) -> str:
        self.temps.append(f"_t{len(self.temps)}")
        return self.temps[-1]

    def bind_value(self, prefix: str, value: Any) -> str:
        name = f"{prefix}{len(self.namespace)}"
        self.namespace[name] = value
        return name

    def load(self, source: str, name: str) -> str:
        key = (source, name)
        if key not in self.loads:
            self.loads[key] = f"_{source}{len(self.loads)}"
        return self.loads[key]

    def list_var(self, name: str) -> str:
        return self.lists.setdefault(name, f"_L{len(self.lists)}")

    def load_lines(self) -> list[str]:
        lines = ["if f is None:", "    f = _EMPTY"] if self.context or self._features() else []
        for (source, name), var in self.loads.items():
            known = self.schema.fields if source == "e" else self.schema.features
            lines.append(f"{var} = {source}.get({name!r})")
            check = {Type.NUMBER: ("float", "_num"), Type.DATE: ("_date", "_day")}
            if known[name] in check:  # the common types skip the call to normalise()
                exact, convert = check[known[name]]
                lines.append(f"if type({var}) is not {exact} and {var} is not None:")
                if exact == "float":
                    convert = f"float({var}) if type({var}) is int else _num"
                lines.append(f"    {var} = {convert}({var})")
        return lines

    def _features(self) -> bool:
        return any(source == "f" for source, _ in self.loads)


# ---------------------------------------------------------------- values


def _first_use(w: _Writer, code: Code) -> tuple[str, str]:
    """(text that evaluates ``code`` once and binds it, the name to reuse afterwards)."""
    if code.simple:
        return code.text, code.text
    name = w.temp()
    return f"({name} := {code.text})", name


def _operands(w: _Writer, parts: Sequence[Code]) -> tuple[list[str], list[str]] | None:
    """Tests (expressions that are None when a part is) and names for the parts; None if a
    part is the constant null."""
    tests: list[str] = []
    names: list[str] = []
    for part in parts:
        if part is NULL or part.text == "None":
            return None
        if part.guards is not None:
            tests.extend(part.guards)
            names.append(part.inner)
        elif part.nullable:
            first, name = _first_use(w, part)
            tests.append(first)
            names.append(name)
        else:
            names.append(part.text)
    return tests, names


def _strict(
    w: _Writer,
    parts: Sequence[Code],
    body: Callable[[list[str]], str],
    nullable: bool = False,
) -> Code:
    """Null when any part is null, else ``body(names)`` (itself null only if ``nullable``)."""
    found = _operands(w, parts)
    if found is None:
        return NULL
    tests, names = found
    text = body(names)
    if not tests:
        return Code(text, nullable, False)
    checks = " or ".join(f"{t} is None" for t in tests)
    guards = None if nullable else tuple(tests)
    return Code(f"(None if {checks} else {text})", True, False, guards, text)


def _nonzero_literal(node: ast.Node) -> bool:
    return isinstance(node, ast.Literal) and isinstance(node.value, float) and node.value != 0


def _divide(w: _Writer, node: ast.Binary, names: list[str]) -> str:
    if _nonzero_literal(node.right):
        return f"({names[0]} / {names[1]})"
    divisor = names[1]
    if not divisor.isidentifier():
        name = w.temp()
        return f"(None if ({name} := {divisor}) == 0 else {names[0]} / {name})"
    return f"(None if {divisor} == 0 else {names[0]} / {divisor})"


def _binary(w: _Writer, node: ast.Binary) -> Code:
    if node.op in ast.LOGICAL:
        return _kleene(w, node)
    parts = [value(w, node.left), value(w, node.right)]
    if node.op == "/":
        zero = not _nonzero_literal(node.right)
        return _strict(w, parts, lambda n: _divide(w, node, n), nullable=zero)
    op = _CMP.get(node.op, node.op)
    return _strict(w, parts, lambda n: f"({n[0]} {op} {n[1]})")


def _kleene(w: _Writer, node: ast.Binary) -> Code:
    stop, other = ("False", "True") if node.op == "and" else ("True", "False")
    left, right = value(w, node.left), value(w, node.right)
    if NULL in (left, right):
        both = [c for c in (left, right) if c is not NULL] or [NULL]
        first, _ = _first_use(w, both[0])
        return Code(f"({stop} if {first} is {stop} else None)", True, False)
    a_first, a = _first_use(w, left)
    b_first, b = _first_use(w, right)
    nulls = [f"{n} is None" for n, c in ((a, left), (b, right)) if c.nullable]
    tail = f"(None if {' or '.join(nulls)} else {other})" if nulls else other
    text = f"({stop} if {a_first} is {stop} else ({stop} if {b_first} is {stop} else {tail}))"
    return Code(text, bool(nulls), False)


def _in_set(w: _Writer, node: ast.InSet) -> Code:
    needle = value(w, node.needle)
    if all(_plain_literal(item) for item in node.items):
        items = _tuple(repr(item.value) for item in node.items if isinstance(item, ast.Literal))
        op = "not in" if node.negated else "in"
        return _strict(w, [needle], lambda n: f"({n[0]} {op} {items})")
    values = [value(w, item).text for item in node.items]
    listed = f"[{', '.join(values)}]"
    call = "_in_values({0}, " + listed + f", {node.negated!r})"
    return _strict(w, [needle], lambda n: call.format(n[0]), nullable=True)


def _plain_literal(node: ast.Node) -> bool:
    return isinstance(node, ast.Literal) and node.value is not None


def _tuple(texts: Any) -> str:
    return "(" + "".join(f"{t}, " for t in texts) + ")"


def _unary(w: _Writer, node: ast.Unary | ast.IsNull) -> Code:
    inner = value(w, node.operand)
    if isinstance(node, ast.IsNull):
        if not inner.nullable:
            return Code(repr(node.negated), False, True)
        return Code(f"({inner.text} is {'not ' if node.negated else ''}None)", False, False)
    op = "not " if node.op == "not" else "-"
    return _strict(w, [inner], lambda n: f"({op}{n[0]})")


def _coalesce(w: _Writer, args: Sequence[ast.Node]) -> Code:
    codes = [value(w, arg) for arg in args]
    text = "None"
    for code in reversed(codes):
        if not code.nullable:
            text = code.text
        elif code is not NULL:
            first, name = _first_use(w, code)
            text = f"({name} if {first} is not None else {text})"
    simple = text == "None" or any(c.simple and c.text == text for c in codes)
    return Code(text, all(c.nullable for c in codes), simple)


def _call_body(w: _Writer, node: ast.Call) -> tuple[list[Code], Callable[[list[str]], str]]:
    """The parts of a strict call and how to write it over their names."""
    function = FUNCTIONS.get(node.name)
    if node.name == "in_list":
        name = _list_name(node)  # the list is bound only if the call is not folded to null
        return [value(w, node.args[1])], lambda n: f"({n[0]} in {w.list_var(name)})"
    parts = [value(w, arg) for arg in node.args]
    if node.name in _INLINE:
        template = _INLINE[node.name]
        return parts, lambda n: template.format(*n)
    if function.direct is not None:
        direct = w.bind_value(f"_fn_{node.name}_", function.direct)
        return parts, lambda n: f"{direct}({', '.join(n)})"
    impl = w.bind_value(f"_impl_{node.name}_", function.python)
    w.context = True
    return parts, lambda n: f"{impl}([{', '.join(n)}], _Context(_lists, f))"


def _list_name(node: ast.Call) -> str:
    first = node.args[0]
    assert isinstance(first, ast.Literal) and isinstance(first.value, str)
    return first.value


def _call(w: _Writer, node: ast.Call) -> Code:
    if node.name == "coalesce":
        return _coalesce(w, node.args)
    if node.name == "is_null":
        inner = value(w, node.args[0])
        return (
            Code(f"({inner.text} is None)", False, False)
            if inner.nullable
            else Code("False", False, True)
        )
    if node.name == "date" and isinstance(node.args[0], ast.Literal):
        text = node.args[0].value
        assert isinstance(text, str)
        return Code(w.bind_value("_C", dt.date.fromisoformat(text)), False, True)
    function = FUNCTIONS.get(node.name)
    if not function.strict:
        impl = w.bind_value(f"_impl_{node.name}_", function.python)
        w.context = True
        args = ", ".join(value(w, arg).text for arg in node.args)
        return Code(f"{impl}([{args}], _Context(_lists, f))", True, False)
    parts, body = _call_body(w, node)
    return _strict(w, parts, body, nullable=node.name not in _TOTAL)


def value(w: _Writer, node: ast.Node) -> Code:
    """Python code computing ``node``'s value (``None`` for null)."""
    if w.type_of(node) is Type.NULL:
        return NULL
    if isinstance(node, ast.Literal):
        return Code(repr(node.value), False, True)
    if isinstance(node, ast.FieldRef):
        return Code(w.load("e", node.name), True, True)
    if isinstance(node, ast.FeatureRef):
        return Code(w.load("f", node.name), True, True)
    if isinstance(node, ast.Binary):
        return _binary(w, node)
    if isinstance(node, ast.InSet):
        return _in_set(w, node)
    if isinstance(node, ast.Unary | ast.IsNull):
        return _unary(w, node)
    return _call(w, node)


# ---------------------------------------------------------------- predicates


def _exact_bool(node: ast.Node) -> bool:
    """Whether ``node``'s value is always exactly True, False or None."""
    if isinstance(node, ast.Binary):
        return node.op in ast.LOGICAL or node.op in ast.COMPARISON
    if isinstance(node, ast.Unary):
        return node.op == "not"
    if isinstance(node, ast.Call):
        return node.name in _BOOL_RESULT
    return isinstance(node, ast.IsNull | ast.InSet | ast.Literal)


def _guarded(tests: list[str], body: str, want: str) -> str:
    condition = body if want == "T" else f"not {body}"
    return " and ".join([*(f"{t} is not None" for t in tests), condition])


def _predicate_strict(w: _Writer, node: ast.Node, want: str) -> str | None:
    """A predicate for an exact-boolean node, or None to fall back to its value."""
    if isinstance(node, ast.Literal):
        return repr(node.value is (want == "T"))
    if isinstance(node, ast.Binary) and node.op in ast.LOGICAL:
        both = node.op == "and" if want == "T" else node.op == "or"
        need = {("and", "T"): "NOTF", ("or", "T"): "T", ("and", "F"): "F", ("or", "F"): "NOTT"}
        sub = need[(node.op, want)]
        joined = " and " if both else " or "
        return f"({predicate(w, node.left, sub)}{joined}{predicate(w, node.right, sub)})"
    if isinstance(node, ast.Unary):
        return predicate(w, node.operand, "FALSY" if want == "T" else "TRUTHY")
    if isinstance(node, ast.IsNull) or (isinstance(node, ast.Call) and node.name == "is_null"):
        operand = node.operand if isinstance(node, ast.IsNull) else node.args[0]
        negated = isinstance(node, ast.IsNull) and node.negated
        inner = value(w, operand)
        is_null = (want == "T") != negated
        if not inner.nullable:
            return repr(not is_null)
        return f"({inner.text} is {'' if is_null else 'not '}None)"
    parts_body = _strict_parts(w, node)
    if parts_body is None:
        return None
    found = _operands(w, parts_body[0])
    if found is None:
        return "False"
    tests, names = found
    return f"({_guarded(tests, parts_body[1](names), want)})"


def _strict_parts(
    w: _Writer, node: ast.Node
) -> tuple[list[Code], Callable[[list[str]], str]] | None:
    if isinstance(node, ast.Binary):
        op = _CMP[node.op]
        return [value(w, node.left), value(w, node.right)], lambda n: f"({n[0]} {op} {n[1]})"
    if isinstance(node, ast.InSet) and all(_plain_literal(i) for i in node.items):
        items = _tuple(repr(i.value) for i in node.items if isinstance(i, ast.Literal))
        op = "not in" if node.negated else "in"
        return [value(w, node.needle)], lambda n: f"({n[0]} {op} {items})"
    if isinstance(node, ast.Call) and node.name in _BOOL_RESULT - {"is_null"}:
        return _call_body(w, node)
    return None


def predicate(w: _Writer, node: ast.Node, want: str = "TRUTHY") -> str:
    """Python code that is truthy exactly when ``node``'s value satisfies ``want``."""
    if w.type_of(node) is Type.NULL:
        return "False"
    if _exact_bool(node):
        found = _predicate_strict(w, node, _COLLAPSE[want])
        if found is not None:
            return found
        want = _COLLAPSE[want]
    code = value(w, node)
    if not code.nullable and code.text in ("True", "False"):
        return repr(_on_constant(code.text == "True", want))
    first, name = _first_use(w, code)
    return _ON_VALUE[want].format(first, name)


def _on_constant(flag: bool, want: str) -> bool:
    """The predicate ``want`` on the constant ``flag``."""
    return flag if want in ("T", "TRUTHY", "NOTF") else not flag


# ---------------------------------------------------------------- functions


def _assemble(w: _Writer, body: list[str]) -> str:
    lists = [f"    {var} = _lists[{name!r}]" for name, var in w.lists.items()]
    lines = [*w.load_lines(), *body]
    inner = "\n".join(f"        {line}" for line in lines)
    return (
        "def _make(_lists):\n"
        + "".join(f"{line}\n" for line in lists)
        + "    def _run(e, f=None):\n"
        + f"{inner}\n"
        + "    return _run\n"
    )


def _finish(w: _Writer, body: list[str]) -> Generated:
    source = _assemble(w, body)
    bound = _FIXED_NAMES | set(w.namespace) | set(w.lists.values()) | set(w.temps)
    tree = guard(source, frozenset(bound | set(w.loads.values())))
    namespace: dict[str, Any] = {"__builtins__": {}, **w.namespace}
    exec(compile(tree, "<rule>", "exec"), namespace)  # checked tree, no builtins
    return Generated(source, frozenset(w.lists), namespace["_make"])


def generate_expression(node: ast.Node, schema: RuleSchema) -> Generated:
    """A function ``(event, features=None)`` returning ``node``'s value."""
    w = _Writer(schema)
    code = value(w, node)
    return _finish(w, [f"return {code.text}"])


def generate_rule_set(nodes: Sequence[ast.Node], schema: RuleSchema) -> Generated:
    """A function ``(event, features=None)`` returning the indexes of the rules that fire."""
    w = _Writer(schema)
    body = ["_h = []"]
    for index, node in enumerate(nodes):
        body += [f"if {predicate(w, node)}:", f"    _h += ({index},)"]
    return _finish(w, [*body, "return _h"])


# ---------------------------------------------------------------- the guard


def guard(source: str, bound: frozenset[str]) -> pyast.Module:
    """Parse generated ``source``; refuse it unless it uses only allowed syntax and names.

    Raises :class:`GeneratedCodeRefused` naming the first offending construct.
    """
    tree = pyast.parse(source, mode="exec")
    for node in pyast.walk(tree):
        _check_node(node, bound)
    return tree


def _check_node(node: pyast.AST, bound: frozenset[str]) -> None:
    kind = type(node)
    if kind not in ALLOWED_NODES:
        raise GeneratedCodeRefused(f"{kind.__name__} is not allowed in generated code")
    if isinstance(node, pyast.Name) and node.id not in bound:
        raise GeneratedCodeRefused(f"name {node.id!r} was not bound by the compiler")
    if isinstance(node, pyast.arg) and (node.arg not in bound or node.annotation):
        raise GeneratedCodeRefused(f"parameter {node.arg!r} was not bound by the compiler")
    if isinstance(node, pyast.FunctionDef) and (
        node.name not in bound or node.decorator_list or node.returns
    ):
        raise GeneratedCodeRefused(f"function {node.name!r} is not the compiler's")
    if isinstance(node, pyast.Attribute) and node.attr not in _ATTRIBUTES:
        raise GeneratedCodeRefused(f"attribute {node.attr!r} is not allowed")
    if isinstance(node, pyast.Call) and node.keywords:
        raise GeneratedCodeRefused("keyword arguments are not allowed")
    if isinstance(node, pyast.Constant) and not isinstance(node.value, _CONSTANTS):
        raise GeneratedCodeRefused(f"constant {node.value!r} is not allowed")
