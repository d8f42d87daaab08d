"""Who offends: the enterprises each row-level pattern is injected for, and the cycles.

Offenders are drawn among eligible enterprises, weighted by how much of the relevant trade
they do, so even a small zone holds every pattern (at least one offender where any is
eligible).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingang.simulate.registry import CLUSTER_NAMES, ITEM_P, Registry, stream
from lingang.simulate.risk.truth import (
    BONDED_LEAKAGE,
    DG_MISDECLARATION,
    MISCLASSIFICATION,
    ORIGIN_LAUNDERING,
    PAYMENT_MISMATCH,
    UNDERVALUATION,
)
from lingang.simulate.vocab import COUNTRIES, OFFSHORE

COUNTRY_CODES = [c for c, *_ in COUNTRIES]
TARIFF_EXPOSED = "US"  # true origin of laundered goods (retaliatory duties)
LEG_DAYS = 4  # days between the legs of a cycle
CYCLE_VALUE_USD = (800_000.0, 4_000_000.0)


@dataclass(frozen=True, slots=True)
class Cycle:
    """Goods going round related enterprises through offshore parties, several times."""

    id: int
    members: tuple[int, ...]  # enterprise indices; leg j goes members[j] → members[j+1]
    via: tuple[int, ...]  # partner index per leg
    hs: int
    quantity: float
    unit_usd: float
    starts: tuple[int, ...]  # first day of each round


@dataclass(frozen=True, slots=True)
class Roles:
    """Offender masks per row-level pattern, the partners (origin offenders get a US one),
    and the cycles."""

    masks: dict[str, np.ndarray]
    partners: np.ndarray
    cycles: tuple[Cycle, ...]

    def legs_of(self, begin: int, end: int) -> list[Cycle]:
        """Cycles whose members lie in the enterprise range [begin, end)."""
        return [c for c in self.cycles if begin <= c.members[0] < end]


def select_roles(reg: Registry) -> Roles:
    """Draw offenders for every row-level pattern and the circular-flow cycles."""
    rng = stream(reg.params.seed, "roles")
    rates = reg.params.risk
    lines = reg.headers / ITEM_P
    ordinary = (reg.lay.shell < 0) & (reg.cluster != CLUSTER_NAMES.index("finance"))
    imports = np.where(ordinary, lines * reg.import_share, 0.0)
    market = reg.market
    lower = (market.lower_duty[reg.portfolio] >= 0).any(axis=1)
    dangerous = (market.dg[reg.portfolio] >= 0).any(axis=1)
    masks = {
        UNDERVALUATION: _draw(rng, imports, rates.undervaluation_firms),
        MISCLASSIFICATION: _draw(rng, imports * lower, rates.misclassification_firms),
        ORIGIN_LAUNDERING: _draw(rng, imports, rates.origin_laundering_firms),
        DG_MISDECLARATION: _draw(rng, lines * dangerous * ordinary, rates.dg_concealment_firms),
        BONDED_LEAKAGE: _draw(rng, lines * reg.bonded_share * ordinary, rates.bonded_leakage_firms),
        PAYMENT_MISMATCH: _draw(rng, lines * ordinary, rates.payment_mismatch_firms),
    }
    partners = reg.partners.copy()
    us = np.flatnonzero(reg.partner_country == COUNTRY_CODES.index(TARIFF_EXPOSED))
    laundering = np.flatnonzero(masks[ORIGIN_LAUNDERING])
    partners[laundering, 0] = rng.choice(us, len(laundering))
    return Roles(masks, partners, tuple(_cycles(rng, reg)))


def _draw(rng: np.random.Generator, weight: np.ndarray, rate: float) -> np.ndarray:
    """A mask of ``max(1, rate × eligible)`` enterprises drawn by weight among weight > 0."""
    eligible = np.flatnonzero(weight > 0)
    mask = np.zeros(len(weight), dtype=bool)
    if rate <= 0 or not len(eligible):
        return mask
    count = min(max(1, round(rate * len(eligible))), len(eligible))
    p = weight[eligible] / weight[eligible].sum()
    mask[rng.choice(eligible, count, replace=False, p=p)] = True
    return mask


def _cycles(rng: np.random.Generator, reg: Registry) -> list[Cycle]:
    groups = reg.lay.group
    _, starts, sizes = np.unique(groups[groups >= 0], return_index=True, return_counts=True)
    offsets = np.flatnonzero(groups >= 0)[starts]
    big = [(int(o), int(s)) for o, s in zip(offsets, sizes, strict=True) if s >= 3]
    rate = reg.params.risk.circular_groups
    if not big or rate <= 0:
        return []
    count = min(max(1, round(rate * len(big))), len(big))
    offshore = np.flatnonzero(
        np.isin(
            reg.partner_country, [COUNTRY_CODES.index(c) for c in OFFSHORE if c in COUNTRY_CODES]
        )
    )
    pool = offshore if len(offshore) else np.arange(len(reg.partner_country))
    chosen = rng.choice(len(big), count, replace=False)
    cycles = []
    for k, g in enumerate(sorted(chosen.tolist())):
        cycle = _cycle(rng, reg, k, big[g], pool)
        if cycle is not None:
            cycles.append(cycle)
    return cycles


def _cycle(
    rng: np.random.Generator, reg: Registry, k: int, group: tuple[int, int], pool: np.ndarray
) -> Cycle | None:
    offset, size = group
    members = tuple(range(offset, offset + min(size, 4)))
    legs = len(members)
    first = max(int(reg.founded[list(members)].max()), 0) + 1
    last = reg.params.days - LEG_DAYS * legs - 10
    rounds = reg.params.risk.circular_rounds
    if last <= first or rounds <= 0:
        return None
    starts = np.sort(rng.integers(first, last, rounds))
    hs = int(max(reg.portfolio[members[0]], key=lambda i: reg.market.median_usd[i]))
    unit = float(reg.market.median_usd[hs])
    value = rng.uniform(*CYCLE_VALUE_USD)
    return Cycle(
        id=k, members=members, via=tuple(int(v) for v in rng.choice(pool, legs)), hs=hs,
        quantity=float(max(1.0, np.ceil(value / unit))), unit_usd=unit,
        starts=tuple(int(s) for s in starts),
    )  # fmt: skip
