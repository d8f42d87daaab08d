"""The polars batch back end: many rules (several masks, 64-bit masks, several score
tables), categorical columns, and its refusals."""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pytest

from lingang.errors import Invalid
from lingang.risk.rules.evaluate import compile_rule
from lingang.risk.rules.ruleset import compile_rule_set
from lingang.risk.rules.types import RuleSchema, Type

SCHEMA = RuleSchema(fields={"x": Type.NUMBER, "c": Type.STRING}, lists={"hot": Type.STRING})


def _events(n: int) -> pa.Table:
    rng = np.random.default_rng(5)
    x = rng.integers(0, 100, n).astype(float)
    c = rng.choice(["KP", "CN", "US", "IR"], n)
    table = pa.table({"x": x, "c": c})
    return table.set_column(1, "c", pa.array(c).dictionary_encode())


@pytest.mark.parametrize("count", [1, 20, 31, 32, 63, 64, 130])
def test_polars_and_duckdb_give_the_same_masks_and_scores(count: int) -> None:
    sources = [
        f"x > {i % 97} and in_list('hot', c)" if i % 3 == 0 else f"x < {i % 89} or c = 'US'"
        for i in range(count)
    ]
    rule_set = compile_rule_set([compile_rule(s, SCHEMA) for s in sources])
    scores = [float(i % 7) + 0.5 for i in range(count)]
    table, lists = _events(2_000), {"hot": ["KP", "IR"]}
    polars = rule_set.batch(table, lists, scores)
    duckdb = rule_set.batch(table, lists, scores, engine="duckdb")
    assert polars.column_names == duckdb.column_names
    for name in polars.column_names:
        assert polars.column(name).to_pylist() == duckdb.column(name).to_pylist(), name
    assert max(polars.column("hits_0").to_pylist()) > 0


def test_a_constant_rule_set_broadcasts_to_every_row() -> None:
    rule_set = compile_rule_set([compile_rule("true", SCHEMA), compile_rule("null", SCHEMA)])
    out = rule_set.batch(_events(5), {"hot": []}, [2.0, 3.0])
    assert out.column("hits_0").to_pylist() == [1] * 5
    assert out.column("score").to_pylist() == [2.0] * 5


def test_an_unknown_engine_and_wrong_scores_are_refused() -> None:
    rule_set = compile_rule_set([compile_rule("x > 1", SCHEMA)])
    with pytest.raises(Invalid) as engine:
        rule_set.batch(_events(3), engine="spark")  # type: ignore[arg-type]
    assert engine.value.field == "engine"
    with pytest.raises(Invalid) as scores:
        rule_set.batch(_events(3), scores=[1.0, 2.0])
    assert scores.value.field == "scores"


def test_every_function_of_the_language_has_a_polars_compilation() -> None:
    from lingang.risk.rules.compile_polars import POLARS_FUNCTIONS
    from lingang.risk.rules.functions import FUNCTIONS

    assert set(FUNCTIONS.names()) - {"in_list"} == set(POLARS_FUNCTIONS)


def test_a_one_row_result_polars_will_not_broadcast_is_repeated_not_failed() -> None:
    import polars as pl

    from lingang.risk.rules.evaluate import columns_over

    frame = pl.DataFrame({"s": [None, None, None]}, schema={"s": pl.String})
    quirk = pl.lit("") == pl.coalesce([pl.col("s"), pl.lit(None, pl.String)])  # polars 2.1
    out = columns_over(frame, [quirk.alias("q"), pl.col("s").is_null().alias("n")])
    assert out.get_column("q").to_list() == [None, None, None]
    assert out.get_column("n").to_list() == [True, True, True]
