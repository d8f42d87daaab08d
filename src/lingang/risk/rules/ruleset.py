"""Evaluate a whole set of compiled rules on one event (one generated function) or in batch.

Online, :meth:`RuleSetEvaluator.bind` returns ``run(event, features=None) -> list[int]``: the
indexes, in order, of the rules that *fire* (are true) on the event. Each field is read and
normalised once for the whole set. Batch, :meth:`RuleSetEvaluator.query` is one DuckDB
``SELECT`` computing every rule at once into bit masks (and, given scores, a total score).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import duckdb
import pyarrow as pa

from lingang.errors import Invalid
from lingang.risk.rules.codegen import Generated, generate_rule_set
from lingang.risk.rules.compile_sql import quote_identifier
from lingang.risk.rules.evaluate import (
    Batch,
    CompiledRule,
    Lists,
    prepare_lists,
)
from lingang.risk.rules.types import RuleSchema

Engine = Literal["polars", "duckdb"]
"""Which vectorised back end computes a batch."""

FiredRules = Callable[..., list[int]]
"""``run(event, features=None) -> list[int]``: indexes of the rules that fire."""

MASK_BITS = 63  # rules per BIGINT mask column


@dataclass(frozen=True)
class RuleSetEvaluator:
    """Rules compiled together: one generated Python function and one SQL query."""

    rules: tuple[CompiledRule, ...]
    online: Generated

    @property
    def source(self) -> str:
        """The generated (and guarded) Python source, for review and audit."""
        return self.online.source

    @property
    def lists(self) -> frozenset[str]:
        """The lists any rule of the set looks values up in."""
        return frozenset().union(*(rule.lists for rule in self.rules)) | self.online.lists

    def bind(self, lists: Lists | None = None) -> FiredRules:
        """``run(event, features=None) -> list[int]`` with the lists normalised once."""
        if not self.rules:
            return _no_rules
        prepared = prepare_lists(self.rules[0].schema, self.lists, lists)
        run: FiredRules = self.online.bind(prepared)
        return run

    def fired(
        self,
        event: Mapping[str, Any],
        lists: Lists | None = None,
        features: Mapping[str, Any] | None = None,
    ) -> list[int]:
        """Indexes of the rules that fire on ``event`` (binds the lists on every call)."""
        return self.bind(lists)(event, features)

    def query(
        self,
        lists: Lists | None = None,
        relation: str = "events",
        scores: Sequence[float] | None = None,
    ) -> tuple[str, dict[str, Any]]:
        """``SELECT hits_0[, hits_1…][, score] FROM <relation>`` and its parameters.

        Bit ``i % 63`` of ``hits_<i // 63>`` is set when rule ``i`` fires; ``score`` is the
        sum of ``scores[i]`` over the rules that fire (only when ``scores`` is given).
        """
        if scores is not None and len(scores) != len(self.rules):
            raise Invalid("scores", f"expected {len(self.rules)} scores, got {len(scores)}")
        columns = _mask_columns(self.rules)
        if scores is not None:
            terms = [
                _when(rule, repr(float(s))) for rule, s in zip(self.rules, scores, strict=True)
            ]
            columns.append(f"({' + '.join(terms) or '0'}) AS score")
        params: dict[str, Any] = {}
        for rule in self.rules:
            params.update(rule.query(lists)[1])
        return f"SELECT {', '.join(columns)} FROM {relation}", params

    def batch(
        self,
        data: Batch,
        lists: Lists | None = None,
        scores: Sequence[float] | None = None,
        engine: Engine = "polars",
    ) -> pa.Table:
        """The :meth:`query` columns for every row of ``data``, in order, computed by polars
        (the default: one lazy plan, each rule evaluated once) or by DuckDB (:meth:`query`)."""
        if engine == "polars":
            from lingang.risk.rules.batch_polars import rule_set_batch

            if scores is not None and len(scores) != len(self.rules):
                raise Invalid("scores", f"expected {len(self.rules)} scores, got {len(scores)}")
            return rule_set_batch(self.rules, data, lists, scores)
        if engine != "duckdb":
            raise Invalid("engine", f"must be 'polars' or 'duckdb', not {engine!r}")
        table = data.to_arrow_table() if isinstance(data, duckdb.DuckDBPyRelation) else data
        query, params = self.query(lists, scores=scores)
        with duckdb.connect() as con:
            con.register("events", table)
            result = con.sql(query, params=params).to_arrow_table()
        assert result is not None  # a SELECT always yields a table
        table_out: pa.Table = result
        return table_out


def _no_rules(event: Mapping[str, Any], features: Mapping[str, Any] | None = None) -> list[int]:
    return []


def _when(rule: CompiledRule, then: str) -> str:
    return f"(CASE WHEN {rule.sql} THEN {then} ELSE 0 END)"


def _mask_columns(rules: Sequence[CompiledRule]) -> list[str]:
    columns = []
    for start in range(0, max(len(rules), 1), MASK_BITS):
        chunk = rules[start : start + MASK_BITS]
        terms = [_when(rule, f"CAST({1 << i} AS BIGINT)") for i, rule in enumerate(chunk)]
        name = quote_identifier(f"hits_{start // MASK_BITS}")
        columns.append(f"({' + '.join(terms) or 'CAST(0 AS BIGINT)'}) AS {name}")
    return columns


def compile_rule_set(rules: Sequence[CompiledRule]) -> RuleSetEvaluator:
    """Compile ``rules`` (all over one schema) into one evaluator for the whole set."""
    rules = tuple(rules)
    schemas = {id(rule.schema): rule.schema for rule in rules}
    first = rules[0].schema if rules else None
    if any(schema != first for schema in schemas.values()):
        raise Invalid("rules", "every rule of a set must be compiled against the same schema")
    if first is None:
        return RuleSetEvaluator((), generate_rule_set([], RuleSchema(fields={})))
    return RuleSetEvaluator(rules, generate_rule_set([rule.tree for rule in rules], first))
