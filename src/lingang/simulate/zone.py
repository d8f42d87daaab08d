"""The simulator's entry points: a whole zone in memory, or chunk by chunk for big runs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa

from lingang.entities.industries import INDUSTRIES
from lingang.entities.model import AeoStatus, EnterpriseDraft
from lingang.entities.service import PersonDraft, ZoneBatch
from lingang.simulate import text
from lingang.simulate.chunk import DATASET_ORDER, ZoneChunk, simulate_chunk
from lingang.simulate.params import ZoneParams
from lingang.simulate.registry import Registry, build_registry, chunk_plan
from lingang.simulate.risk.select import Roles, select_roles
from lingang.simulate.risk.truth import PATTERNS
from lingang.simulate.tables import dates

Progress = Callable[[str, int, int], None]
AEO = (AeoStatus.NONE, AeoStatus.GENERAL, AeoStatus.ADVANCED)


@dataclass(frozen=True, slots=True)
class Plan:
    """A drawn register, its risk roles, and how it is cut into chunks."""

    registry: Registry
    roles: Roles
    chunks: list[tuple[int, int]]
    first_seq: list[int]  # first declaration number of each chunk


@dataclass(frozen=True, slots=True)
class SimulatedZone:
    """A whole simulated zone: register tables, lake datasets and ground truth."""

    params: ZoneParams
    plan: Plan
    datasets: dict[str, pa.Table]
    truth: dict[str, pa.Table]

    @property
    def enterprises(self) -> pa.Table:
        """The register, one row per enterprise."""
        return enterprise_table(self.plan.registry)

    def batches(self, size: int = 2000) -> Iterator[ZoneBatch]:
        """The register as ``ZoneBatch``es of about ``size`` enterprises."""
        return zone_batches(self.plan.registry, size)


def plan_zone(params: ZoneParams, hs_path: Path) -> Plan:
    """Draw the register and roles, and plan the chunks."""
    registry = build_registry(params.validated(), hs_path)
    roles = select_roles(registry)
    chunks = chunk_plan(registry)
    legs = np.zeros(registry.size, dtype=np.int64)
    for cycle in roles.cycles:
        legs[list(cycle.members)] += 2 * len(cycle.starts)
    per_chunk = [int(registry.headers[b:e].sum() + legs[b:e].sum()) for b, e in chunks]
    first = np.concatenate([[0], np.cumsum(per_chunk)[:-1]]).astype(np.int64)
    return Plan(registry, roles, chunks, [int(x) for x in first])


def iter_chunks(plan: Plan, progress: Progress | None = None) -> Iterator[ZoneChunk]:
    """Generate the zone chunk by chunk (deterministically), reporting progress."""
    total = len(plan.chunks)
    for index, span in enumerate(plan.chunks):
        chunk = simulate_chunk(plan.registry, plan.roles, index, span, plan.first_seq[index])
        if progress:
            progress("simulate", index + 1, total)
        yield chunk


def simulate_zone(
    params: ZoneParams, hs_path: Path, progress: Progress | None = None
) -> SimulatedZone:
    """Simulate a whole zone in memory (fine up to a few million declaration lines)."""
    plan = plan_zone(params, hs_path)
    chunks = list(iter_chunks(plan, progress))
    datasets = {n: pa.concat_tables([c.datasets[n] for c in chunks]) for n in DATASET_ORDER}
    truth = {p: pa.concat_tables([c.truth[p] for c in chunks]) for p in PATTERNS}
    return SimulatedZone(params, plan, datasets, truth)


def enterprise_table(reg: Registry) -> pa.Table:
    """The register as an Arrow table (what ``register_batch`` receives, flattened)."""
    industry = pa.array([i.code for i in INDUSTRIES]).take(text.ix(reg.industry))
    return pa.table(
        {
            "uscc": reg.uscc,
            "name_zh": reg.name_zh,
            "name_en": reg.name_en,
            "registered_on": dates(reg, reg.founded),
            "registered_capital_wan": pa.array(reg.capital),
            "legal_rep_id_number": reg.person_id.take(text.ix(reg.owners.legal_rep)),
            "address": reg.address,
            "phone": reg.phone,
            "industry_code": industry,
            "aeo_status": pa.array([a.value for a in AEO]).take(text.ix(reg.aeo)),
            "group_id": pa.array(reg.lay.group.astype(np.int32)),
        }
    )


def person_table(reg: Registry) -> pa.Table:
    """Every simulated person."""
    return pa.table(
        {
            "person_key": _person_keys(reg.owners.persons),
            "name": reg.person_name,
            "id_number": reg.person_id,
        }
    )


def holding_table(reg: Registry) -> pa.Table:
    """Shareholdings: enterprise, holder (USCC or person key) and percent."""
    own = reg.owners
    keys = _person_keys(own.persons)
    holder = [
        reg.uscc[e].as_py() if e >= 0 else keys[p].as_py()
        for e, p in zip(own.holder_enterprise.tolist(), own.holder_person.tolist(), strict=True)
    ]
    return pa.table(
        {
            "enterprise_uscc": reg.uscc.take(text.ix(own.target)),
            "holder": pa.array(holder, pa.string()),
            "percent": pa.array(own.percent),
        }
    )


def zone_batches(reg: Registry, size: int) -> Iterator[ZoneBatch]:
    """``ZoneBatch``es cut between units, so groups and their people stay together."""
    rows = enterprise_table(reg).to_pylist()
    keys = [str(k) for k in _person_keys(reg.owners.persons).to_pylist()]
    names = [str(k) for k in reg.person_name.to_pylist()]
    numbers = [str(k) for k in reg.person_id.to_pylist()]
    usccs = [str(k) for k in reg.uscc.to_pylist()]
    own = reg.owners
    for begin, end in _batch_spans(reg, size):
        held = np.flatnonzero((own.target >= begin) & (own.target < end))
        people = np.union1d(
            own.legal_rep[begin:end], own.holder_person[held][own.holder_person[held] >= 0]
        )
        yield ZoneBatch(
            enterprises=[_draft(r) for r in rows[begin:end]],
            persons=[PersonDraft(keys[i], names[i], numbers[i]) for i in people.tolist()],
            legal_rep_keys={usccs[e]: keys[own.legal_rep[e]] for e in range(begin, end)},
            holdings=[
                (
                    usccs[own.target[h]],
                    usccs[own.holder_enterprise[h]]
                    if own.holder_enterprise[h] >= 0
                    else keys[own.holder_person[h]],
                    float(own.percent[h]),
                )
                for h in held.tolist()
            ],
        )


def _batch_spans(reg: Registry, size: int) -> list[tuple[int, int]]:
    cuts = np.flatnonzero(np.diff(reg.lay.unit)) + 1
    spans, begin = [], 0
    for cut in cuts.tolist():
        if cut - begin >= size:
            spans.append((begin, cut))
            begin = cut
    spans.append((begin, reg.size))
    return spans


def _draft(row: dict[str, object]) -> EnterpriseDraft:
    registered = row["registered_on"]
    return EnterpriseDraft(
        uscc=str(row["uscc"]),
        name_zh=str(row["name_zh"]),
        name_en=str(row["name_en"]),
        registered_on=registered if isinstance(registered, dt.date) else None,
        registered_capital_wan=float(row["registered_capital_wan"]),  # type: ignore[arg-type]
        address=str(row["address"]),
        phone=str(row["phone"]),
        industry_code=str(row["industry_code"]),
        aeo_status=AeoStatus(str(row["aeo_status"])),
    )


def _person_keys(n: int) -> pa.StringArray:
    return text.to_arrow(text.join(text.literal("P", n), text.digits(np.arange(n), 8)))
