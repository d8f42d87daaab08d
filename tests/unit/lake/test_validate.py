"""Vectorised validation: types, required fields, every check kind, first failing field."""

from __future__ import annotations

import datetime as dt
import random

import numpy as np
import polars as pl
import pyarrow as pa
import pytest

from lingang.demo import demo_uscc
from lingang.entities.model import USCC_ALPHABET, uscc_check_char
from lingang.errors import Invalid
from lingang.lake.catalog import DECLARATIONS, GATE_EVENTS, MANIFESTS, PAYMENTS
from lingang.lake.checks import References, container_valid, uscc_valid
from lingang.lake.reference import countries, currencies
from lingang.lake.validate import check_frame, field_schema, validate

REFS = References(
    hs6=frozenset({"440890", "690722", "620822", "010121"}),
    countries=countries(),
    currencies=currencies(),
)


def declaration(**changes: object) -> dict[str, object]:
    """One valid declaration row as text, with ``changes`` applied."""
    row: dict[str, object] = {
        "declaration_id": "224820250000000001", "item_no": "1", "declared_on": "2025-03-01",
        "direction": "import", "enterprise_code": demo_uscc(1), "declarant_id": "B0000001",
        "foreign_party": "ACME GmbH", "hs_code": "4408900010", "origin_country": "DE",
        "departure_country": "DE", "declared_value": "1234.5", "currency": "EUR",
        "quantity": "10", "unit": "KGM", "net_mass_kg": "10", "transport_mode": "sea",
        "customs_office": "2248", "trade_mode": "0110", "un_number": "", "dg_class": "",
    }  # fmt: skip
    row.update(changes)
    return row


def rows_table(*rows: dict[str, object]) -> pa.Table:
    return pa.Table.from_pylist(list(rows))


def reasons(*rows: dict[str, object]) -> list[tuple[int, str, str]]:
    result = validate(rows_table(*rows), DECLARATIONS, REFS)
    return [(r["row"], r["field"], r["reason"]) for r in result.rejects.to_pylist()]


def test_valid_rows_come_out_typed_in_the_catalog_schema() -> None:
    result = validate(rows_table(declaration(), declaration(item_no="2")), DECLARATIONS, REFS)
    assert result.rejects.num_rows == 0
    assert result.valid.schema == field_schema(DECLARATIONS)
    first = result.valid.to_pylist()[0]
    assert first["declared_on"] == dt.date(2025, 3, 1)
    assert first["declared_value"] == 1234.5 and first["item_no"] == 1
    assert first["un_number"] is None
    assert list(result.valid_rows) == [0, 1]


def test_rejects_unknown_hs_subheading_with_field_and_value() -> None:
    assert reasons(declaration(hs_code="999999")) == [
        (0, "hs_code", "hs_code: 999999 is not an HS 2022 subheading")
    ]


def test_hs_code_must_have_six_eight_or_ten_digits() -> None:
    assert reasons(declaration(hs_code="44089"), declaration(hs_code="4408901"))[1][2] == (
        "hs_code: 4408901 is not 6, 8 or 10 digits"
    )


def test_a_row_is_rejected_on_its_first_failing_field_in_catalog_order() -> None:
    bad = declaration(declared_on="2025-02-30", hs_code="999999", currency="XXY")
    assert reasons(bad) == [
        (0, "declared_on", "declared_on: 2025-02-30 is not a date (YYYY-MM-DD)")
    ]


def test_missing_required_value_is_named() -> None:
    assert reasons(declaration(foreign_party="  ")) == [
        (0, "foreign_party", "foreign_party: required value is missing")
    ]


CHECK_CASES = [
    ({"item_no": "1.5"}, "item_no", "1.5 is not an integer"),
    ({"item_no": "0"}, "item_no", "0 is not greater than 0"),
    ({"declared_value": "abc"}, "declared_value", "abc is not a finite number"),
    ({"declared_value": "inf"}, "declared_value", "inf is not a finite number"),
    ({"net_mass_kg": "-1"}, "net_mass_kg", "-1 is negative"),
    ({"direction": "in"}, "direction", "in is not one of import, export"),
    ({"origin_country": "ZZ"}, "origin_country", "ZZ is not an ISO 3166-1 alpha-2 country code"),
    ({"currency": "RMB"}, "currency", "RMB is not an ISO 4217 currency code"),
    ({"customs_office": "22-48"}, "customs_office", "22-48 does not match [0-9A-Z]{2,6}"),
    ({"un_number": "9999"}, "un_number", "9999 is not a UN number (four digits, 0004–3599)"),
    ({"dg_class": "2.4"}, "dg_class", "2.4 is not a GB 6944 class or division"),
    (
        {"enterprise_code": "abc"},
        "enterprise_code",
        "abc is neither a USCC nor a 6–17 character code of 0-9 A-Z",
    ),
]


@pytest.mark.parametrize(("changes", "field", "reason"), CHECK_CASES)
def test_each_check_kind_names_field_and_reason(
    changes: dict[str, object], field: str, reason: str
) -> None:
    assert reasons(declaration(**changes)) == [(0, field, f"{field}: {reason}")]


def test_enterprise_code_accepts_a_valid_uscc_or_a_foreign_code() -> None:
    bad_uscc = demo_uscc(5)[:17] + ("0" if demo_uscc(5)[17] != "0" else "1")
    found = reasons(
        declaration(enterprise_code="QLRUBN9"), declaration(item_no="2", enterprise_code=bad_uscc)
    )
    assert found == [
        (1, "enterprise_code",
         f"enterprise_code: {bad_uscc} check character does not match (GB 32100-2015)"),
    ]  # fmt: skip


def test_padded_values_are_trimmed_before_checks() -> None:
    result = validate(
        rows_table(declaration(origin_country=" DE ", declared_value=" 12.5", declarant_id=" B1 ")),
        DECLARATIONS,
        REFS,
    )
    assert result.rejects.num_rows == 0
    row = result.valid.to_pylist()[0]
    assert (row["origin_country"], row["declared_value"], row["declarant_id"]) == ("DE", 12.5, "B1")


def test_typed_input_columns_are_accepted_as_they_are() -> None:
    table = pa.table(
        {
            "payment_id": ["PAY-000001"], "paid_on": pa.array([dt.date(2025, 1, 2)]),
            "kind": ["receipt"], "enterprise_uscc": [demo_uscc(3)], "payer": ["A"],
            "payee": ["B"], "counterparty_country": ["US"], "currency": ["USD"],
            "amount": [10.0], "purpose_code": ["121010"],
        }
    )  # fmt: skip
    result = validate(table, PAYMENTS, REFS)
    assert result.rejects.num_rows == 0
    assert result.valid.column("declaration_id").null_count == 1


def test_missing_required_column_is_a_header_error() -> None:
    with pytest.raises(Invalid, match="missing required columns: hs_code"):
        check_frame(pl.DataFrame([declaration()]).drop("hs_code"), DECLARATIONS, REFS)


def test_timestamps_are_parsed_to_utc() -> None:
    row = {
        "event_id": "G1", "occurred_at": "2025-05-01T08:00:00+08:00", "gate_id": "YS1",
        "direction": "in", "container_no": "CSQU3054383", "vehicle_plate": "沪A12345",
        "enterprise_uscc": demo_uscc(2), "goods_description": "parts", "hs_code": "",
        "declaration_id": "", "gross_mass_kg": "1200",
    }  # fmt: skip
    result = validate(rows_table(row), GATE_EVENTS, REFS)
    assert result.rejects.num_rows == 0
    assert result.valid.column("occurred_at")[0].as_py() == dt.datetime(2025, 5, 1, tzinfo=dt.UTC)


def test_container_number_check_digit() -> None:
    values = pl.Series(["CSQU3054383", "CSQU3054384", "MSKU1234565", "csqu3054383", None, "CSQ"])
    assert container_valid(values).to_list() == [True, False, True, False, False, False]


def test_manifest_container_reason_names_iso_6346() -> None:
    row = {
        "manifest_id": "M1", "declared_on": "2025-01-01", "enterprise_uscc": demo_uscc(4),
        "un_number": "1203", "dg_class": "3", "packing_group": "II",
        "proper_shipping_name": "GASOLINE", "quantity_kg": "100", "container_no": "CSQU3054384",
    }  # fmt: skip
    result = validate(rows_table(row), MANIFESTS, REFS)
    assert result.rejects.to_pylist()[0]["reason"] == (
        "container_no: CSQU3054384 check digit does not match (ISO 6346)"
    )


def test_vectorised_uscc_check_agrees_with_the_reference_implementation() -> None:
    rng = random.Random(11)

    def chars(n: int) -> str:
        return "".join(rng.choice(USCC_ALPHABET) for _ in range(n))

    bodies = [chars(2) + f"{rng.randrange(10**6):06d}" + chars(9) for _ in range(500)]
    good = [b + uscc_check_char(b) for b in bodies]
    bad = [b + USCC_ALPHABET[(USCC_ALPHABET.index(uscc_check_char(b)) + 1) % 31] for b in bodies]
    verdicts = uscc_valid(pl.Series(good + bad + ["I" * 18, "", None])).to_numpy()
    assert np.array_equal(verdicts, np.array([True] * 500 + [False] * 503))
