"""Arrow tables of the five lake datasets, from a chunk's numpy frames.

Each table has exactly the catalog's declared fields (no lineage columns), in order, with
the catalog's types and nullability.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from lingang.lake.catalog import DATASETS, TRADE_MODES, TRANSPORT_MODES, UNITS
from lingang.simulate import text
from lingang.simulate.frames import Frame
from lingang.simulate.logistics import GATES, container_numbers, plates
from lingang.simulate.market import DANGEROUS_LINES
from lingang.simulate.payments import KIND, PURPOSES
from lingang.simulate.registry import Registry
from lingang.simulate.trade import (
    COUNTRY_CODES,
    CURRENCIES,
    OFFICE_BY_TRANSPORT,
    Headers,
    Lines,
    declared_value,
)
from lingang.simulate.vocab import BANKS

EPOCH = dt.date(1970, 1, 1)


def dataset_schema(name: str) -> pa.Schema:
    """The dataset's declared fields as an Arrow schema (the lake adds lineage on ingest)."""
    return pa.schema(
        [pa.field(f.name, f.type, nullable=not f.required) for f in DATASETS[name].fields]
    )


def dates(reg: Registry, day: np.ndarray) -> pa.Array[Any]:
    """Day offsets from the window start as date32."""
    base = (reg.params.start - EPOCH).days
    return pa.array((np.asarray(day) + base).astype(np.int32), pa.int32()).cast(pa.date32())


def timestamps(reg: Registry, seconds: np.ndarray) -> pa.Array[Any]:
    """Seconds from the window start (UTC) as UTC microsecond timestamps."""
    base = (reg.params.start - EPOCH).days * 86_400
    return pa.array((np.asarray(seconds) + base) * 1_000_000, pa.timestamp("us", tz="UTC"))


def declaration_ids(reg: Registry, heads: Headers) -> text.Bytes:
    """18 digits: customs office, year, 1 import / 0 export, and the zone sequence number."""
    office = np.array([list(o.encode()) for o in OFFICE_BY_TRANSPORT], dtype=np.uint8)
    year = (np.datetime64(reg.params.start) + heads.day).astype("datetime64[Y]").astype(
        np.int64
    ) + 1970
    return text.join(
        office[heads.transport],
        text.digits(year, 4),
        text.digits(np.where(heads.export, 0, 1), 1),
        text.digits(heads.seq, 9),
    )


def declarations(reg: Registry, heads: Headers, lines: Lines, ids: pa.Array[Any]) -> pa.Table:
    """The declarations dataset: one row per line."""
    h = lines.header
    market = reg.market
    dg = lines.dg >= 0
    dg_line = np.maximum(lines.dg, 0)
    columns = [
        ids.take(text.ix(h)),
        pa.array(lines.item_no.astype(np.int32)),
        dates(reg, heads.day[h]),
        text.pick(("import", "export"), heads.export[h].astype(np.int64)),
        reg.uscc.take(text.ix(heads.enterprise[h])),
        reg.uscc.take(text.ix(heads.declarant[h])),
        text.gather(reg.partner_name, heads.partner[h]),
        text.pick(market.hs10, lines.hs),
        text.pick(COUNTRY_CODES, lines.origin),
        text.pick(COUNTRY_CODES, lines.departure),
        pa.array(declared_value(lines, heads)),
        text.pick(CURRENCIES, heads.currency[h]),
        pa.array(lines.quantity),
        text.pick(UNITS, market.unit[lines.hs]),
        pa.array(lines.net_kg),
        text.pick(TRANSPORT_MODES, heads.transport[h]),
        text.pick(OFFICE_BY_TRANSPORT, heads.transport[h]),
        text.pick(TRADE_MODES, heads.mode[h]),
        text.pick([line.un_number for _, line in DANGEROUS_LINES], dg_line, mask=~dg),
        text.pick([line.dg_class for _, line in DANGEROUS_LINES], dg_line, mask=~dg),
    ]
    return pa.Table.from_arrays(columns, schema=dataset_schema("declarations"))


def payments(reg: Registry, frame: Frame, decl_ids: pa.Array[Any], ids: pa.Array[Any]) -> pa.Table:
    """The payments dataset from a sorted payments frame."""
    ent = text.ix(frame["enterprise"])
    parties = pa.concat_arrays([reg.name_zh, reg.partner_name, pa.array(BANKS, pa.string())])
    own = frame["enterprise"]
    other = reg.size + frame["partner"]
    bank = reg.size + len(reg.partner_name) + frame["bank"]
    fx, receipt = frame["kind"] == 2, frame["kind"] == 0
    payer = text.gather(parties, np.where(fx, bank, np.where(receipt, other, own)))
    payee = text.gather(parties, np.where(fx | receipt, own, other))
    linked = frame["linked"] & (frame["header"] >= 0)
    columns = [
        ids,
        dates(reg, frame["day"]),
        text.pick(KIND, frame["kind"]),
        reg.uscc.take(ent),
        payer,
        payee,
        text.pick(COUNTRY_CODES, frame["counterparty"]),
        text.pick(CURRENCIES, frame["currency"]),
        pa.array(frame["amount"]),
        text.pick(PURPOSES, frame["purpose"]),
        decl_ids.take(text.ix(np.maximum(frame["header"], 0), mask=~linked)),
    ]
    return pa.Table.from_arrays(columns, schema=dataset_schema("payments"))


def gate_events(
    reg: Registry,
    frame: Frame,
    decl_ids: pa.Array[Any],
    ids: pa.Array[Any],
    rng: np.random.Generator,
) -> pa.Table:
    """The gate_events dataset from a sorted gate frame."""
    n = len(frame["time"])
    container = text.to_arrow(container_numbers(frame["owner"], frame["serial"]))
    has_box = frame["owner"] >= 0
    fake = text.to_arrow(
        text.join(
            text.literal("2248", n),
            text.digits(np.full(n, reg.params.start.year), 4),
            text.literal("0", n),
            text.digits(frame["fake_seq"], 9),
        )
    )
    real = decl_ids.take(text.ix(np.maximum(frame["header"], 0), mask=frame["header"] < 0))
    declaration = pc.if_else(pa.array(frame["flag"] == 2), fake, real)
    columns = [
        ids,
        timestamps(reg, frame["time"]),
        text.pick(GATES, rng.integers(0, len(GATES), n)),
        text.pick(("in", "out"), frame["out"].astype(np.int64)),
        pc.if_else(pa.array(has_box), container, pa.nulls(n, pa.string())),
        text.concat("沪", text.to_arrow(plates(rng, n))),
        reg.uscc.take(text.ix(frame["enterprise"])),
        text.pick(reg.market.description, frame["hs"]),
        text.pick(reg.market.hs10, frame["hs"]),
        declaration,
        pa.array(frame["gross_kg"]),
    ]
    return pa.Table.from_arrays(columns, schema=dataset_schema("gate_events"))


def manifests(reg: Registry, frame: Frame, decl_ids: pa.Array[Any], ids: pa.Array[Any]) -> pa.Table:
    """The manifests dataset: one per declared dangerous-goods line."""
    lines = [line for _, line in DANGEROUS_LINES]
    has_box = pa.array(frame["owner"] >= 0)
    packing = [line.packing_group or "" for line in lines]
    no_group = np.array([line.packing_group is None for line in lines], dtype=bool)[frame["dg"]]
    columns = [
        ids,
        dates(reg, frame["day"]),
        reg.uscc.take(text.ix(frame["enterprise"])),
        decl_ids.take(text.ix(frame["header"])),
        text.pick([x.un_number for x in lines], frame["dg"]),
        text.pick([x.dg_class for x in lines], frame["dg"]),
        text.pick(packing, frame["dg"], mask=no_group),
        text.pick([x.shipping_name for x in lines], frame["dg"]),
        pa.array(frame["kg"]),
        pc.if_else(
            has_box,
            text.to_arrow(container_numbers(frame["owner"], frame["serial"])),
            pa.nulls(len(frame["dg"]), pa.string()),
        ),
    ]
    return pa.Table.from_arrays(columns, schema=dataset_schema("manifests"))


def serial_ids(prefix: str, chunk: int, n: int) -> pa.Array[Any]:
    """``prefix``, four digits of chunk and ten of sequence: unique across the zone."""
    return text.to_arrow(
        text.join(
            text.literal(prefix, n),
            text.digits(np.full(n, chunk), 4),
            text.digits(np.arange(n), 10),
        )
    )
