"""The parser builds the tree by precedence and reports syntax errors by line and column."""

from __future__ import annotations

import pytest

from lingang.risk.rules import ast
from lingang.risk.rules.parser import RuleSyntaxError, parse


def test_and_binds_tighter_than_or_and_product_tighter_than_sum() -> None:
    tree = parse("a or b and c > 1 + 2 * 3")
    assert isinstance(tree, ast.Binary) and tree.op == "or"
    right = tree.right
    assert isinstance(right, ast.Binary) and right.op == "and"
    compare = right.right
    assert isinstance(compare, ast.Binary) and compare.op == ">"
    total = compare.right
    assert isinstance(total, ast.Binary) and total.op == "+"
    assert isinstance(total.right, ast.Binary) and total.right.op == "*"


def test_feature_call_becomes_a_feature_reference() -> None:
    assert parse("feature('importer_90d_value')") == ast.FeatureRef(
        "importer_90d_value", ast.Position(1, 1)
    )


def test_keywords_do_not_swallow_names_that_start_with_them() -> None:
    tree = parse("android = origin")
    assert isinstance(tree, ast.Binary) and tree.left == ast.FieldRef("android", ast.Position(1, 1))


def test_membership_null_tests_and_strings_parse() -> None:
    tree = parse("x not in (1, 'it\\'s') and y is not null")
    assert isinstance(tree, ast.Binary)
    member, null_test = tree.left, tree.right
    assert isinstance(member, ast.InSet) and member.negated
    assert member.items[1] == ast.Literal("it's", ast.Position(1, 14))
    assert isinstance(null_test, ast.IsNull) and null_test.negated


def test_comments_and_newlines_are_ignored() -> None:
    tree = parse("# high value\ndeclared_value  # in CNY\n > 1")
    assert isinstance(tree, ast.Binary) and tree.op == ">"
    assert tree.left == ast.FieldRef("declared_value", ast.Position(2, 1))


@pytest.mark.parametrize(
    ("source", "line", "column", "reason"),
    [
        ("declared_value >\n  (1 + ))", 2, 8, "unexpected ')'"),
        ("a >", 1, 4, "unexpected end of rule"),
        ("a @ b", 1, 3, "unexpected character '@'"),
        ("(a > 1", 1, 7, "unexpected end of rule"),
    ],
)
def test_syntax_error_points_at_line_and_column(
    source: str, line: int, column: int, reason: str
) -> None:
    with pytest.raises(RuleSyntaxError) as caught:
        parse(source)
    assert (caught.value.field, caught.value.line, caught.value.column) == ("rule", line, column)
    assert caught.value.reason.startswith(f"line {line}, column {column}: {reason}")


def test_feature_needs_one_quoted_name() -> None:
    with pytest.raises(Exception, match="feature: line 1, column 1"):
        parse("feature(x)")
