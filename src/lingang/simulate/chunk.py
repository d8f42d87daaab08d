"""One chunk of the zone: the five datasets and the truth tables of a range of enterprises.

Chunks are independent (own random stream, own id ranges), so a zone of any size is made
one bounded chunk at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from lingang.simulate import frames, tables, text
from lingang.simulate.logistics import (
    SECONDS_PER_DAY,
    gate_frame,
    header_containers,
    manifest_frame,
)
from lingang.simulate.payments import fx_purchases, services, settlements
from lingang.simulate.registrations import change_values, registration_frame
from lingang.simulate.registry import Registry, stream
from lingang.simulate.risk import report
from lingang.simulate.risk.flows import inject_payment_mismatch, leakage_events, shell_flows
from lingang.simulate.risk.goods import inject_goods
from lingang.simulate.risk.select import Roles
from lingang.simulate.risk.truth import (
    BONDED_LEAKAGE,
    CIRCULAR_FLOW,
    PAYMENT_MISMATCH,
    SHELL_COMPANY,
)
from lingang.simulate.trade import Headers, Lines, build_headers, build_lines

DATASET_ORDER = ("declarations", "payments", "gate_events", "manifests", "registrations")


@dataclass(frozen=True, slots=True)
class ZoneChunk:
    """The datasets (by lake name) and truth tables (by pattern) of one chunk."""

    index: int
    datasets: dict[str, pa.Table]
    truth: dict[str, pa.Table]


def simulate_chunk(
    reg: Registry, roles: Roles, index: int, span: tuple[int, int], first_seq: int
) -> ZoneChunk:
    """Generate enterprises ``span`` = [begin, end); declaration numbers start at ``first_seq``."""
    begin, end = span
    rng = stream(reg.params.seed, "chunk", index)
    heads, legs = build_headers(reg, roles, begin, end, first_seq, rng)
    lines = build_lines(reg, heads, legs, rng)
    changed = inject_goods(reg, roles, heads, lines, rng)
    decl_ids = text.to_arrow(tables.declaration_ids(reg, heads))
    declarations = tables.declarations(reg, heads, lines, decl_ids)
    pay = _payments(reg, roles, heads, lines, span, rng)
    pay_ids = tables.serial_ids("PY", index, frames.size(pay))
    containers = header_containers(heads, rng)
    gate = _gate(reg, roles, heads, lines, containers, span, rng)
    gate_table = tables.gate_events(
        reg, gate, decl_ids, tables.serial_ids("GE", index, frames.size(gate)), rng
    )
    manifest = manifest_frame(heads, lines, containers)
    truth = report.line_truth(reg, heads, lines, changed, decl_ids)
    truth[PAYMENT_MISMATCH] = report.payment_truth(reg, pay, pay_ids, decl_ids)
    truth[BONDED_LEAKAGE] = report.leakage_truth(reg, gate, gate_table)
    truth[SHELL_COMPANY] = report.shell_truth(reg, begin, end, pay)
    truth[CIRCULAR_FLOW] = report.cycle_truth(reg, heads, lines, legs, pay, decl_ids, pay_ids)
    datasets = {
        "declarations": declarations,
        "payments": tables.payments(reg, pay, decl_ids, pay_ids),
        "gate_events": gate_table,
        "manifests": tables.manifests(
            reg, manifest, decl_ids, tables.serial_ids("MF", index, frames.size(manifest))
        ),
        "registrations": _registrations(reg, index, span, rng),
    }
    return ZoneChunk(index, datasets, report.with_defaults(truth))


def _payments(
    reg: Registry,
    roles: Roles,
    heads: Headers,
    lines: Lines,
    span: tuple[int, int],
    rng: np.random.Generator,
) -> frames.Frame:
    begin, end = span
    settled = settlements(reg, heads, lines, rng)
    no_goods = inject_payment_mismatch(reg, roles, settled, begin, end, rng)
    parts = [
        settled,
        fx_purchases(settled, rng),
        services(reg, begin, end, rng),
        no_goods,
        shell_flows(reg, begin, end, rng),
    ]
    pay = frames.concat(parts)
    pay = frames.take(pay, np.flatnonzero((pay["day"] >= 0) & (pay["day"] < reg.params.days)))
    return frames.sort_by(pay, "day", rng)


def _gate(
    reg: Registry,
    roles: Roles,
    heads: Headers,
    lines: Lines,
    containers: tuple[np.ndarray, np.ndarray],
    span: tuple[int, int],
    rng: np.random.Generator,
) -> frames.Frame:
    events = frames.concat(
        [
            gate_frame(reg, heads, lines, containers, rng),
            leakage_events(reg, roles, span[0], span[1], rng),
        ]
    )
    inside = events["time"] < reg.params.days * SECONDS_PER_DAY - 8 * 3600
    return frames.sort_by(frames.take(events, np.flatnonzero(inside)), "time", rng)


def _registrations(
    reg: Registry, index: int, span: tuple[int, int], rng: np.random.Generator
) -> pa.Table:
    frame = frames.sort_by(registration_frame(reg, span[0], span[1], rng), "day", rng)
    n = frames.size(frame)
    field, old, new = change_values(reg, frame, rng)
    columns = [
        tables.serial_ids("RG", index, n),
        tables.dates(reg, frame["day"]),
        reg.uscc.take(text.ix(frame["enterprise"])),
        text.pick(("establish", "change"), frame["kind"]),
        field,
        old,
        new,
    ]
    return pa.Table.from_arrays(columns, schema=tables.dataset_schema("registrations"))
