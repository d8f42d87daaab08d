"""Flow patterns of one chunk: payments with no goods or above the goods' value, shell
companies' pass-through money, and bonded goods leaving the zone with no declaration.

Rows they add or change carry a ``flag`` so the truth tables can find them after sorting.
"""

from __future__ import annotations

import numpy as np

from lingang.simulate.frames import Frame
from lingang.simulate.logistics import OWNERS, TARE_KG, event_times
from lingang.simulate.payments import PURPOSES, raw_frame
from lingang.simulate.registry import PARTNERS, PORTFOLIO, Registry
from lingang.simulate.risk.select import COUNTRY_CODES, Roles
from lingang.simulate.risk.truth import BONDED_LEAKAGE, PAYMENT_MISMATCH
from lingang.simulate.trade import CURRENCIES
from lingang.simulate.vocab import OFFSHORE

NO_GOODS, OVER_GOODS, SHELL, LEAK_NONE, LEAK_UNKNOWN = 1, 2, 3, 1, 2
SHELL_FLOW_USD = 1_200_000.0


def inject_payment_mismatch(
    reg: Registry, roles: Roles, settled: Frame, begin: int, end: int, rng: np.random.Generator
) -> Frame:
    """Inflate a share of offenders' settlements in place; return their no-goods payments."""
    rates = reg.params.risk
    offender = roles.masks[PAYMENT_MISMATCH]
    over = offender[settled["enterprise"]] & (settled["header"] >= 0) & settled["linked"]
    over &= rng.random(len(over)) < rates.payment_over_share
    settled["amount"][over] = np.round(
        settled["amount"][over] * rng.uniform(*rates.payment_over_factor, int(over.sum())), 2
    )
    settled["flag"][over] = OVER_GOODS
    firms = np.flatnonzero(offender[begin:end]) + begin
    counts = rng.poisson(rates.payment_no_goods, len(firms)) + 1
    ent = np.repeat(firms, counts)
    partner = roles.partners[ent, rng.integers(0, PARTNERS, len(ent))]
    frame = raw_frame(
        enterprise=ent,
        day=_active_days(reg, ent, rng),
        kind=(rng.random(len(ent)) < 0.7).astype(np.int64),
        partner=partner,
        counterparty=reg.partner_country[partner],
        currency=np.full(len(ent), CURRENCIES.index("USD")),
        amount=np.round(rng.lognormal(np.log(150_000), 0.8, len(ent)), 2),
        purpose=np.full(len(ent), PURPOSES.index("121010")),
        header=np.full(len(ent), -1),
    )
    frame["flag"][:] = NO_GOODS
    return frame


def shell_flows(reg: Registry, begin: int, end: int, rng: np.random.Generator) -> Frame:
    """Large receipts from offshore parties passed on to others within days."""
    shells = np.flatnonzero(reg.lay.shell[begin:end] >= 0) + begin
    offshore = np.flatnonzero(
        np.isin(reg.partner_country, [COUNTRY_CODES.index(c) for c in OFFSHORE])
    )
    if not len(shells) or not len(offshore):
        return raw_frame(**{k: np.zeros(0, dtype=np.int64) for k in _CORE})
    active = np.clip(reg.params.days - np.maximum(reg.founded[shells], 0), 0, None) / 365
    counts = rng.poisson(reg.params.risk.shell_flows * active) + 2
    ent = np.repeat(shells, counts)
    day = np.minimum(_active_days(reg, ent, rng), reg.params.days - 4)
    amount = np.round(rng.lognormal(np.log(SHELL_FLOW_USD), 0.6, len(ent)), 2)
    purpose = np.where(
        rng.random(len(ent)) < 0.6, PURPOSES.index("122010"), PURPOSES.index("121010")
    )
    src, dst = offshore[rng.integers(0, len(offshore), (2, len(ent)))]
    frame = raw_frame(
        enterprise=np.concatenate([ent, ent]),
        day=np.concatenate([day, day + rng.integers(1, 4, len(ent))]),
        kind=np.concatenate([np.zeros(len(ent)), np.ones(len(ent))]).astype(np.int64),
        partner=np.concatenate([src, dst]),
        counterparty=reg.partner_country[np.concatenate([src, dst])],
        currency=np.full(2 * len(ent), CURRENCIES.index("USD")),
        amount=np.concatenate([amount, np.round(amount * rng.uniform(0.97, 0.995, len(ent)), 2)]),
        purpose=np.concatenate([purpose, purpose]).astype(np.int64),
        header=np.full(2 * len(ent), -1),
    )
    frame["flag"][:] = SHELL
    return frame


_CORE = (
    "enterprise",
    "day",
    "kind",
    "partner",
    "counterparty",
    "currency",
    "amount",
    "purpose",
    "header",
)


def leakage_events(
    reg: Registry, roles: Roles, begin: int, end: int, rng: np.random.Generator
) -> Frame:
    """'out' gate events with no declaration, or quoting one that does not exist."""
    firms = np.flatnonzero(roles.masks[BONDED_LEAKAGE][begin:end]) + begin
    counts = rng.poisson(reg.params.risk.bonded_leakage_events, len(firms)) + 1
    ent = np.repeat(firms, counts)
    n = len(ent)
    hs = reg.portfolio[ent, rng.integers(0, PORTFOLIO, n)]
    sea = rng.random(n) < 0.7
    return {
        "enterprise": ent,
        "time": event_times(_active_days(reg, ent, rng), rng),
        "out": np.ones(n, dtype=bool),
        "owner": np.where(sea, rng.integers(0, len(OWNERS), n), -1),
        "serial": rng.integers(0, 999_000, n),
        "hs": hs,
        "header": np.full(n, -1),
        "gross_kg": np.round(rng.lognormal(np.log(9000), 0.6, n) + np.where(sea, TARE_KG, 0.0), 1),
        "flag": np.where(rng.random(n) < 0.7, LEAK_NONE, LEAK_UNKNOWN).astype(np.int64),
        "fake_seq": rng.integers(600_000_000, 999_999_999, n),
    }


def _active_days(reg: Registry, ent: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A day in the window on which each enterprise already existed."""
    founded = np.clip(reg.founded[ent] + 1, 0, reg.params.days - 1)
    offset = (rng.random(len(ent)) * (reg.params.days - founded)).astype(np.int64)
    return np.asarray(founded + offset, dtype=np.int64)
