"""Row-level goods patterns, applied to a chunk's declaration lines in place.

Each pattern takes lines of its offenders that no other pattern has touched, changes what
is *declared* (the ``true_*`` arrays keep the facts) and returns the rows it changed.
"""

from __future__ import annotations

import numpy as np

from lingang.simulate.registry import Registry
from lingang.simulate.risk.select import COUNTRY_CODES, TARIFF_EXPOSED, Roles
from lingang.simulate.risk.truth import (
    DG_MISDECLARATION,
    MISCLASSIFICATION,
    ORIGIN_LAUNDERING,
    UNDERVALUATION,
)
from lingang.simulate.trade import Headers, Lines
from lingang.simulate.vocab import LAUNDERING_HUBS

HUBS = np.array([COUNTRY_CODES.index(c) for c in LAUNDERING_HUBS])
US = COUNTRY_CODES.index(TARIFF_EXPOSED)


def inject_goods(
    reg: Registry, roles: Roles, heads: Headers, lines: Lines, rng: np.random.Generator
) -> dict[str, np.ndarray]:
    """Apply the four goods patterns; the line indices each one changed, by pattern."""
    rates = reg.params.risk
    ent = heads.enterprise[lines.header]
    ordinary = heads.leg[lines.header] < 0
    imports = ordinary & ~heads.export[lines.header]
    touched = ~ordinary
    market = reg.market

    def rows(pattern: str, where: np.ndarray, share: float) -> np.ndarray:
        chosen = roles.masks[pattern][ent] & where & ~touched & (rng.random(len(ent)) < share)
        touched[chosen] = True
        return np.flatnonzero(chosen)

    dg = rows(DG_MISDECLARATION, ordinary & (lines.true_dg >= 0), rates.dg_concealment_rows)
    lines.dg[dg] = -1
    cover = dg[(market.cover[lines.hs[dg]] >= 0) & (rng.random(len(dg)) < 0.5)]
    lines.hs[cover] = market.cover[lines.hs[cover]]
    misclass = rows(MISCLASSIFICATION, imports & (market.lower_duty[lines.hs] >= 0)
                    & (lines.true_dg < 0), rates.misclassification_rows)  # fmt: skip
    lines.hs[misclass] = market.lower_duty[lines.hs[misclass]]
    origin = rows(
        ORIGIN_LAUNDERING, imports & (lines.true_origin == US), rates.origin_laundering_rows
    )
    hub = HUBS[rng.integers(0, len(HUBS), len(origin))]
    lines.origin[origin] = hub
    lines.departure[origin] = hub
    under = rows(UNDERVALUATION, imports, rates.undervaluation_rows)
    low, high = rates.undervaluation_ratio
    lines.declared_usd[under] = np.maximum(
        np.round(lines.value_usd[under] * rng.uniform(low, high, len(under)), 2), 0.01
    )
    return {DG_MISDECLARATION: dg, MISCLASSIFICATION: misclass, ORIGIN_LAUNDERING: origin,
            UNDERVALUATION: under}  # fmt: skip
