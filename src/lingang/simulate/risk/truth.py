"""Names and Arrow schemas of the ground-truth tables, one per injected risk pattern."""

from __future__ import annotations

import pyarrow as pa

UNDERVALUATION = "undervaluation"
MISCLASSIFICATION = "hs_misclassification"
ORIGIN_LAUNDERING = "origin_laundering"
DG_MISDECLARATION = "dg_misdeclaration"
BONDED_LEAKAGE = "bonded_leakage"
PAYMENT_MISMATCH = "payment_mismatch"
CIRCULAR_FLOW = "circular_flow"
SHELL_COMPANY = "shell_company"

TEXT, NUMBER = pa.string(), pa.float64()


def _schema(*columns: tuple[str, pa.DataType], line: bool = False) -> pa.Schema:
    """A truth schema; declaration-line patterns start with the line's key and enterprise."""
    key = [("declaration_id", TEXT), ("item_no", pa.int32()), ("uscc", TEXT)] if line else []
    return pa.schema([pa.field(name, kind, nullable=not line or i >= 3)
                      for i, (name, kind) in enumerate([*key, *columns])])  # fmt: skip


SCHEMAS: dict[str, pa.Schema] = {
    UNDERVALUATION: _schema(
        ("hs_code", TEXT),
        ("currency", TEXT),
        ("true_value", NUMBER),
        ("declared_value", NUMBER),
        ("ratio", NUMBER),
        line=True,
    ),
    MISCLASSIFICATION: _schema(
        ("true_hs_code", TEXT),
        ("declared_hs_code", TEXT),
        ("true_duty", NUMBER),
        ("declared_duty", NUMBER),
        line=True,
    ),
    ORIGIN_LAUNDERING: _schema(
        ("true_origin", TEXT),
        ("declared_origin", TEXT),
        ("via_country", TEXT),
        ("foreign_party", TEXT),
        line=True,
    ),
    DG_MISDECLARATION: _schema(
        ("true_hs_code", TEXT),
        ("declared_hs_code", TEXT),
        ("un_number", TEXT),
        ("dg_class", TEXT),
        line=True,
    ),
    BONDED_LEAKAGE: _schema(
        ("event_id", TEXT),
        ("uscc", TEXT),
        ("occurred_at", pa.timestamp("us", tz="UTC")),
        ("kind", TEXT),
        ("declaration_id", TEXT),
        ("hs_code", TEXT),
        ("gross_mass_kg", NUMBER),
        ("value_usd", NUMBER),
    ),
    PAYMENT_MISMATCH: _schema(
        ("payment_id", TEXT),
        ("uscc", TEXT),
        ("kind", TEXT),
        ("declaration_id", TEXT),
        ("goods_value", NUMBER),
        ("paid_amount", NUMBER),
        ("currency", TEXT),
    ),
    CIRCULAR_FLOW: _schema(
        ("cycle_id", pa.int32()),
        ("round", pa.int32()),
        ("leg", pa.int32()),
        ("from_uscc", TEXT),
        ("to_uscc", TEXT),
        ("via_party", TEXT),
        ("via_country", TEXT),
        ("hs_code", TEXT),
        ("export_declaration_id", TEXT),
        ("import_declaration_id", TEXT),
        ("receipt_payment_id", TEXT),
        ("payment_payment_id", TEXT),
        ("value_usd", NUMBER),
    ),
    SHELL_COMPANY: _schema(
        ("cluster_id", pa.int32()),
        ("uscc", TEXT),
        ("shared", TEXT),
        ("address", TEXT),
        ("legal_rep_id_number", TEXT),
        ("registered_on", pa.date32()),
        ("capital_wan", NUMBER),
        ("flows", pa.int32()),
        ("flow_usd", NUMBER),
    ),
}
PATTERNS: tuple[str, ...] = tuple(SCHEMAS)


def empty(pattern: str) -> pa.Table:
    """An empty truth table of the pattern's schema."""
    return SCHEMAS[pattern].empty_table()
