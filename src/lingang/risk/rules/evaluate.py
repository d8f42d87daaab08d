"""Public API: compile rule source once, then evaluate one event or a batch of millions."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import duckdb
import pyarrow as pa

from lingang.errors import Invalid
from lingang.risk.rules import ast
from lingang.risk.rules.codegen import Generated, generate_expression
from lingang.risk.rules.compile_python import Evaluator, compile_python, normalise
from lingang.risk.rules.compile_sql import SQL_TYPES, compile_sql, list_names
from lingang.risk.rules.parser import parse
from lingang.risk.rules.typecheck import infer
from lingang.risk.rules.types import RuleSchema, Type

if TYPE_CHECKING:
    import polars as pl

log = logging.getLogger(__name__)

RESULT = "__lingang_result__"
"""The name a batch result column takes beside the frame's own columns."""

BoundEvaluator = Callable[[Mapping[str, Any], Mapping[str, Any] | None], Any]

Lists = Mapping[str, Collection[Any]]
Batch = pa.Table | pa.RecordBatch | duckdb.DuckDBPyRelation


def as_frame(data: Batch | pl.DataFrame) -> pl.DataFrame:
    """``data`` as a polars frame (Arrow columns are shared, not copied)."""
    import polars as pl

    if isinstance(data, pl.DataFrame):
        return data
    table = data.to_arrow_table() if isinstance(data, duckdb.DuckDBPyRelation) else data
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table or record batch gives a frame
    return frame


def columns_over(frame: pl.DataFrame, expressions: Sequence[pl.Expr]) -> pl.DataFrame:
    """The ``expressions`` as columns of ``frame``'s height.

    ``with_columns`` broadcasts constants. Polars 2.1 can still turn an expression that reads a
    column into a one-row result its planner will not broadcast (the compiler folds the cases
    found so far, e.g. ``null = x``); then each expression is computed alone and a one-row
    result is repeated, so a new such case stays correct rather than failing the batch."""
    import polars as pl

    names = [e.meta.output_name() for e in expressions]
    try:
        return frame.lazy().with_columns(expressions).select(names).collect()
    except pl.exceptions.InvalidOperationError:
        log.debug("polars did not broadcast a one-row result; evaluating rules one by one")
    columns = []
    for expression in expressions:
        column = frame.select(expression).to_series()
        if column.len() == 1 and frame.height != 1:
            column = column.extend_constant(column[0], frame.height - 1)
        columns.append(column)
    return pl.DataFrame(columns)


def categorical_columns(frame: pl.DataFrame) -> frozenset[str]:
    """The dictionary-encoded (categorical) columns of ``frame``."""
    import polars as pl

    return frozenset(
        name for name, dtype in frame.schema.items() if isinstance(dtype, pl.Categorical | pl.Enum)
    )


def prepare_lists(
    schema: RuleSchema, names: Collection[str], lists: Lists | None
) -> dict[str, frozenset[Any]]:
    """The named lists, each normalised to its element type; refuse a missing one."""
    given = lists or {}
    for name in sorted(names):
        if name not in given:
            raise Invalid("in_list", f"no list {name!r} was given")
    return {
        name: frozenset(normalise(v, schema.lists[name]) for v in given[name]) for name in names
    }


@dataclass(frozen=True)
class CompiledExpression:
    """An expression parsed and checked once, compiled to Python and to DuckDB SQL.

    ``online`` is the generated function that :meth:`evaluate` and :meth:`bind` run;
    ``python`` is the closure compilation of the same tree, kept as a reference.
    """

    source: str
    tree: ast.Node
    type: Type
    schema: RuleSchema
    python: Evaluator
    sql: str
    lists: frozenset[str]
    online: Generated

    def evaluate(
        self,
        event: Mapping[str, Any],
        lists: Lists | None = None,
        features: Mapping[str, Any] | None = None,
    ) -> Any:
        """The value for one event (null is ``None``); features are looked up by name."""
        run: BoundEvaluator = self.online.bind(self._python_lists(lists))
        return run(event, features)

    def bind(self, lists: Lists | None = None) -> BoundEvaluator:
        """An evaluator with the lists normalised once: the online path binds per list version
        instead of paying for the lists on every event. It is the generated function itself,
        ``run(event, features=None)``, with the lists captured."""
        run: BoundEvaluator = self.online.bind(self._python_lists(lists))
        return run

    def query(
        self, lists: Lists | None = None, relation: str = "events"
    ) -> tuple[str, dict[str, Any]]:
        """``SELECT <expr> AS result FROM <relation>`` and its parameters (the lists)."""
        return f"SELECT {self.sql} AS result FROM {relation}", self._sql_lists(lists)

    def batch(self, data: Batch, lists: Lists | None = None) -> pa.Array[Any]:
        """One result per row of ``data`` (an Arrow table or a DuckDB relation), in order."""
        table = data.to_arrow_table() if isinstance(data, duckdb.DuckDBPyRelation) else data
        query, params = self.query(lists)
        with duckdb.connect() as con:
            con.register("events", table)
            result = con.sql(query, params=params).to_arrow_table()
        assert result is not None  # a SELECT always yields a table
        array: pa.Array[Any] = result.column(0).combine_chunks()
        return array

    def polars(self, lists: Lists | None = None, categorical: Collection[str] = ()) -> pl.Expr:
        """The polars expression of this rule over a frame whose ``categorical`` string
        columns are dictionary-encoded (the vectorised back end; same meaning as SQL)."""
        from lingang.risk.rules.compile_polars import Target, compile_polars

        target = Target(self.schema, self._python_lists(lists), frozenset(categorical))
        expression: pl.Expr = compile_polars(self.tree, target)
        return expression

    def batch_polars(self, data: Batch | pl.DataFrame, lists: Lists | None = None) -> pa.Array[Any]:
        """:meth:`batch` computed by polars instead of DuckDB: the same values, row for row."""
        frame = as_frame(data)
        expression = self.polars(lists, categorical_columns(frame)).alias(RESULT)
        result = columns_over(frame, [expression]).get_column(RESULT)
        array: pa.Array[Any] = result.to_arrow()
        return array

    def _python_lists(self, lists: Lists | None) -> dict[str, frozenset[Any]]:
        return prepare_lists(self.schema, self.lists | self.online.lists, lists)

    def _sql_lists(self, lists: Lists | None) -> dict[str, Any]:
        python = prepare_lists(self.schema, self.lists, lists)
        return {f"list_{name}": sorted(v for v in python[name] if v is not None) for name in python}


@dataclass(frozen=True)
class CompiledRule(CompiledExpression):
    """A boolean expression; it *fires* on an event only when it is true (not null)."""

    def evaluate(
        self,
        event: Mapping[str, Any],
        lists: Lists | None = None,
        features: Mapping[str, Any] | None = None,
    ) -> bool | None:
        """True, false, or ``None`` when the rule cannot tell (a null it needed)."""
        result = super().evaluate(event, lists, features)
        return None if result is None else bool(result)

    def fires(
        self,
        event: Mapping[str, Any],
        lists: Lists | None = None,
        features: Mapping[str, Any] | None = None,
    ) -> bool:
        """Whether the rule is true for ``event``."""
        return self.evaluate(event, lists, features) is True


def _compile(source: str, schema: RuleSchema) -> dict[str, Any]:
    tree = parse(source)
    type_ = infer(tree, schema)
    sql = compile_sql(tree, schema)  # a strict call with a null argument folds to NULL
    return {
        "source": source,
        "tree": tree,
        "type": type_,
        "schema": schema,
        "python": compile_python(tree, schema),
        "sql": sql,
        "lists": frozenset(n for n in list_names(tree) if re.search(rf"\$list_{n}\b", sql)),
        "online": generate_expression(tree, schema),
    }


def compile_expression(source: str, schema: RuleSchema) -> CompiledExpression:
    """Parse, type-check and compile an expression of any type."""
    return CompiledExpression(**_compile(source, schema))


def compile_rule(source: str, schema: RuleSchema) -> CompiledRule:
    """Parse, type-check and compile a rule, which must be boolean."""
    parts = _compile(source, schema)
    if parts["type"] not in (Type.BOOL, Type.NULL):
        raise Invalid("rule", f"a rule must be true or false, not {parts['type']}")
    if parts["type"] is Type.NULL:
        parts["sql"] = f"CAST({parts['sql']} AS {SQL_TYPES[Type.BOOL]})"
    return CompiledRule(**parts)
