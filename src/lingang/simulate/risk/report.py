"""Ground-truth tables of one chunk, read off the final (sorted, numbered) frames."""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import pyarrow as pa

from lingang.simulate import text
from lingang.simulate.frames import Frame
from lingang.simulate.market import DANGEROUS_LINES
from lingang.simulate.registry import Registry
from lingang.simulate.risk.flows import LEAK_UNKNOWN, NO_GOODS, OVER_GOODS, SHELL
from lingang.simulate.risk.truth import (
    BONDED_LEAKAGE,
    CIRCULAR_FLOW,
    DG_MISDECLARATION,
    MISCLASSIFICATION,
    ORIGIN_LAUNDERING,
    PAYMENT_MISMATCH,
    SCHEMAS,
    SHELL_COMPANY,
    UNDERVALUATION,
)
from lingang.simulate.tables import dates
from lingang.simulate.trade import COUNTRY_CODES, CURRENCIES, FX, Headers, Leg, Lines


def line_truth(
    reg: Registry,
    heads: Headers,
    lines: Lines,
    changed: dict[str, np.ndarray],
    decl_ids: pa.Array[Any],
) -> dict[str, pa.Table]:
    """Truth of the four goods patterns, one row per changed declaration line."""
    extras = {UNDERVALUATION: _undervalued, MISCLASSIFICATION: _misclassified,
              ORIGIN_LAUNDERING: _laundered, DG_MISDECLARATION: _hidden_dg}  # fmt: skip
    tables = {}
    for pattern, extra in extras.items():
        rows = changed[pattern]
        h = lines.header[rows]
        key = [decl_ids.take(text.ix(h)), pa.array(lines.item_no[rows].astype(np.int32)),
               reg.uscc.take(text.ix(heads.enterprise[h]))]  # fmt: skip
        arrays = [
            a if isinstance(a, pa.Array) else pa.array(a) for a in extra(reg, heads, lines, rows)
        ]
        tables[pattern] = pa.Table.from_arrays([*key, *arrays], schema=SCHEMAS[pattern])
    return tables


Columns: TypeAlias = "list[pa.Array[Any] | np.ndarray]"


def _undervalued(reg: Registry, heads: Headers, lines: Lines, rows: np.ndarray) -> Columns:
    currency = heads.currency[lines.header[rows]]
    fx = FX[currency]
    return [text.pick(reg.market.hs10, lines.hs[rows]), text.pick(CURRENCIES, currency),
            np.round(lines.value_usd[rows] * fx, 2), np.round(lines.declared_usd[rows] * fx, 2),
            lines.declared_usd[rows] / lines.value_usd[rows]]  # fmt: skip


def _misclassified(reg: Registry, heads: Headers, lines: Lines, rows: np.ndarray) -> Columns:
    market = reg.market
    return [text.pick(market.hs10, lines.true_hs[rows]), text.pick(market.hs10, lines.hs[rows]),
            market.duty[lines.true_hs[rows]], market.duty[lines.hs[rows]]]  # fmt: skip


def _laundered(reg: Registry, heads: Headers, lines: Lines, rows: np.ndarray) -> Columns:
    return [text.pick(COUNTRY_CODES, lines.true_origin[rows]),
            text.pick(COUNTRY_CODES, lines.origin[rows]),
            text.pick(COUNTRY_CODES, lines.departure[rows]),
            text.gather(reg.partner_name, heads.partner[lines.header[rows]])]  # fmt: skip


def _hidden_dg(reg: Registry, heads: Headers, lines: Lines, rows: np.ndarray) -> Columns:
    line = np.maximum(lines.true_dg[rows], 0)
    return [text.pick(reg.market.hs10, lines.true_hs[rows]),
            text.pick(reg.market.hs10, lines.hs[rows]),
            text.pick([x.un_number for _, x in DANGEROUS_LINES], line),
            text.pick([x.dg_class for _, x in DANGEROUS_LINES], line)]  # fmt: skip


def payment_truth(
    reg: Registry, pay: Frame, ids: pa.Array[Any], decl_ids: pa.Array[Any]
) -> pa.Table:
    """Payments with no goods behind them, or well above the goods' value."""
    rows = np.flatnonzero(np.isin(pay["flag"], [NO_GOODS, OVER_GOODS]))
    header = pay["header"][rows]
    goods = pay["goods_value"][rows]
    return pa.Table.from_arrays(
        [
            ids.take(text.ix(rows)),
            reg.uscc.take(text.ix(pay["enterprise"][rows])),
            text.pick(
                ("no_goods", "over_goods"), (pay["flag"][rows] == OVER_GOODS).astype(np.int64)
            ),
            decl_ids.take(text.ix(np.maximum(header, 0), mask=header < 0)),
            pa.array(goods, mask=np.isnan(goods)),
            pa.array(pay["amount"][rows]),
            text.pick(CURRENCIES, pay["currency"][rows]),
        ],
        schema=SCHEMAS[PAYMENT_MISMATCH],
    )


def leakage_truth(reg: Registry, gate: Frame, table: pa.Table) -> pa.Table:
    """Gate 'out' events with no matching declaration."""
    rows = text.ix(np.flatnonzero(gate["flag"] > 0))
    flag = gate["flag"][rows.to_numpy()]
    value = (
        reg.market.median_usd[gate["hs"]] / reg.market.kg_per_unit[gate["hs"]] * gate["gross_kg"]
    )
    return pa.Table.from_arrays(
        [
            table["event_id"].take(rows),
            table["enterprise_uscc"].take(rows),
            table["occurred_at"].take(rows),
            text.pick(
                ("no_declaration", "unknown_declaration"), (flag == LEAK_UNKNOWN).astype(np.int64)
            ),
            table["declaration_id"].take(rows),
            table["hs_code"].take(rows),
            table["gross_mass_kg"].take(rows),
            pa.array(np.round(value[rows.to_numpy()], 2)),
        ],
        schema=SCHEMAS[BONDED_LEAKAGE],
    )


def shell_truth(reg: Registry, begin: int, end: int, pay: Frame) -> pa.Table:
    """Every shell enterprise of the chunk, what its cluster shares, and its flows."""
    shells = np.flatnonzero(reg.lay.shell[begin:end] >= 0) + begin
    receipts = (pay["flag"] == SHELL) & (pay["kind"] == 0)
    flows = np.bincount(pay["enterprise"][receipts], minlength=reg.size)[shells]
    usd = np.bincount(
        pay["enterprise"][receipts], weights=pay["amount"][receipts], minlength=reg.size
    )[shells]
    cluster = reg.lay.shell[shells]
    by_rep = reg.lay.shares_rep[shells]
    ent = text.ix(shells)
    return pa.Table.from_arrays(
        [
            pa.array(cluster.astype(np.int32)),
            reg.uscc.take(ent),
            text.pick(("address", "legal_rep"), by_rep.astype(np.int64)),
            reg.address.take(ent),
            reg.person_id.take(text.ix(reg.owners.legal_rep[shells])),
            dates(reg, reg.founded[shells]),
            pa.array(reg.capital[shells]),
            pa.array(flows.astype(np.int32)),
            pa.array(np.round(usd, 2)),
        ],
        schema=SCHEMAS[SHELL_COMPANY],
    )


def cycle_truth(
    reg: Registry,
    heads: Headers,
    lines: Lines,
    legs: list[Leg],
    pay: Frame,
    decl_ids: pa.Array[Any],
    pay_ids: pa.Array[Any],
) -> pa.Table:
    """One row per leg and round of each cycle, with the declarations and payments it made."""
    if not legs:
        return SCHEMAS[CIRCULAR_FLOW].empty_table()
    exports, imports = _leg_headers(heads)
    receipt, paid = _settlement_of(pay, exports), _settlement_of(pay, imports)
    line = (np.cumsum(heads.items) - heads.items)[exports]
    sender = [leg.cycle.members[leg.leg] for leg in legs]
    receiver = [leg.cycle.members[(leg.leg + 1) % len(leg.cycle.members)] for leg in legs]
    columns = [
        pa.array([leg.cycle.id for leg in legs], pa.int32()),
        pa.array([leg.round for leg in legs], pa.int32()),
        pa.array([leg.leg for leg in legs], pa.int32()),
        reg.uscc.take(text.ix(sender)), reg.uscc.take(text.ix(receiver)),
        text.gather(reg.partner_name, heads.partner[exports]),
        text.pick(COUNTRY_CODES, reg.partner_country[heads.partner[exports]]),
        text.pick(reg.market.hs10, lines.hs[line]),
        decl_ids.take(text.ix(exports)), decl_ids.take(text.ix(imports)),
        pay_ids.take(text.ix(np.maximum(receipt, 0), mask=receipt < 0)),
        pay_ids.take(text.ix(np.maximum(paid, 0), mask=paid < 0)),
        pa.array(lines.value_usd[line]),
    ]  # fmt: skip
    return pa.Table.from_arrays(columns, schema=SCHEMAS[CIRCULAR_FLOW])


def _leg_headers(heads: Headers) -> tuple[np.ndarray, np.ndarray]:
    """Header positions of each leg's export and import, in leg order."""
    position = np.flatnonzero(heads.leg >= 0)
    order = np.argsort(heads.leg[position] * 2 + ~heads.export[position], kind="stable")
    return position[order][0::2], position[order][1::2]


def _settlement_of(pay: Frame, headers: np.ndarray) -> np.ndarray:
    """Row of the (single) settlement of each header in the sorted payments, -1 if none."""
    settled = np.flatnonzero(
        np.isin(pay["header"], headers) & (pay["flag"] == 0) & (pay["kind"] < 2)
    )
    by_header = dict(zip(pay["header"][settled].tolist(), settled.tolist(), strict=True))
    return np.array([by_header.get(h, -1) for h in headers.tolist()], dtype=np.int64)


def with_defaults(tables: dict[str, pa.Table]) -> dict[str, pa.Table]:
    """Every pattern present, in the canonical order (empty where none was injected)."""
    return {p: tables.get(p, SCHEMAS[p].empty_table()) for p in SCHEMAS}
