"""The type checker refuses ill-typed rules and names the field at fault."""

from __future__ import annotations

import pytest

from lingang.errors import Invalid
from lingang.lake.catalog import DECLARATIONS
from lingang.risk.rules.evaluate import compile_expression, compile_rule
from lingang.risk.rules.schema import schema_for
from lingang.risk.rules.types import RuleSchema, Type

SCHEMA = schema_for(
    DECLARATIONS,
    features={"importer_90d_value": Type.NUMBER},
    lists={"high_risk_origins": Type.STRING},
)


def test_declaration_fields_take_types_from_the_arrow_schema() -> None:
    assert SCHEMA.fields["declared_value"] is Type.NUMBER
    assert SCHEMA.fields["item_no"] is Type.NUMBER
    assert SCHEMA.fields["hs_code"] is Type.STRING
    assert SCHEMA.fields["declared_on"] is Type.DATE


@pytest.mark.parametrize(
    ("source", "field", "reason"),
    [
        ("declared_value > 'abc'", "declared_value", "cannot compare number with string 'abc'"),
        ("no_such_field > 1", "no_such_field", "unknown field"),
        ("feature('nope') > 1", "nope", "unknown feature"),
        ("in_list('nope', origin_country)", "in_list", "unknown list 'nope'"),
        ("in_list('high_risk_origins', quantity)", "in_list", "holds string values, not number"),
        ("lower(declared_value) = 'x'", "declared_value", "lower() argument 1 must be string"),
        ("hs_code + 1 > 2", "hs_code", "'+' needs number, not string"),
        ("origin_country and true", "origin_country", "'and' needs bool"),
        ("unknown_fn(hs_code)", "unknown_fn", "unknown function"),
        ("round(quantity, 1.5) > 1", "round", "whole number of digits"),
        ("declared_on < date('2024-13-01')", "date", "one quoted date"),
        ("true < false", "rule", "cannot order bool values"),
        ("origin_country in ('CN', 3)", "origin_country", "cannot look for string among number"),
    ],
)
def test_type_error_names_the_field(source: str, field: str, reason: str) -> None:
    with pytest.raises(Invalid) as caught:
        compile_rule(source, SCHEMA)
    assert caught.value.field == field
    assert reason in caught.value.reason


def test_a_rule_must_be_boolean_but_an_expression_need_not_be() -> None:
    with pytest.raises(Invalid, match="must be true or false, not number"):
        compile_rule("declared_value * 2", SCHEMA)
    assert compile_expression("declared_value * 2", SCHEMA).type is Type.NUMBER


def test_null_fits_every_type() -> None:
    assert compile_expression("coalesce(null, hs_code)", SCHEMA).type is Type.STRING


def test_schema_refuses_a_feature_named_like_a_field_and_odd_list_names() -> None:
    with pytest.raises(Invalid):
        RuleSchema({"x": Type.NUMBER}, features={"x": Type.NUMBER})
    with pytest.raises(Invalid):
        RuleSchema({"x": Type.NUMBER}, lists={"a b": Type.STRING})
