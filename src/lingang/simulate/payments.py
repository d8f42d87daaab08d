"""Cross-border payments of one chunk: settlements of its declarations (with lags,
instalments and FX purchases) and service payments with no goods behind them."""

from __future__ import annotations

import numpy as np

from lingang.lake.catalog import TRADE_MODES
from lingang.simulate.frames import Frame
from lingang.simulate.registry import CLUSTER_NAMES, PARTNERS, Registry
from lingang.simulate.trade import CN, CURRENCIES, Headers, Lines, declared_value

KIND = ("receipt", "payment", "fx_purchase")
PURPOSES = ("121010", "121020", "121990", "122010", "221010", "228010", "228020", "222010")
PROCESSING = [TRADE_MODES.index(m) for m in ("0615", "0654", "0214")]
GENERAL = [TRADE_MODES.index(m) for m in ("0110", "9610")]
TERMS = np.array([0.0, 30.0, 60.0, 90.0])
TERMS_P = np.array([0.35, 0.3, 0.25, 0.1])
# cluster → (service payments per enterprise-year, purpose code)
SERVICES = {
    "logistics": (12.0, "221010"),
    "finance": (30.0, "228010"),
    "ai": (6.0, "228020"),
    "ic": (4.0, "222010"),
}


def settlements(reg: Registry, heads: Headers, lines: Lines, rng: np.random.Generator) -> Frame:
    """Payments for (most) declarations: one or two instalments, paid before or after."""
    n = len(heads.day)
    value = np.bincount(lines.header, weights=declared_value(lines, heads), minlength=n)
    paid = (rng.random(n) < 0.9) | (heads.leg >= 0)
    split = paid & (rng.random(n) < 0.25) & (heads.leg < 0)
    header = np.concatenate([np.flatnonzero(paid), np.flatnonzero(split)])
    deposit = np.concatenate([np.zeros(paid.sum(), dtype=bool), np.ones(split.sum(), dtype=bool)])
    share = np.where(deposit, 0.3, np.where(split[header], 0.7, 1.0))
    lag = np.where(
        deposit,
        -rng.uniform(5, 30, len(header)),
        rng.choice(TERMS, len(header), p=TERMS_P) + rng.uniform(-10, 5, len(header)),
    )
    lag = np.where(heads.leg[header] >= 0, rng.uniform(0, 4, len(header)), lag)
    frame = _frame(
        reg,
        heads,
        header,
        day=heads.day[header] + np.round(lag).astype(np.int64),
        amount=np.round(value[header] * share, 2),
        rng=rng,
    )
    frame["goods_value"] = frame["amount"].copy()
    return frame


def fx_purchases(frame: Frame, rng: np.random.Generator) -> Frame:
    """Half of the foreign-currency import payments are preceded by buying the currency."""
    pick = (frame["kind"] == 1) & (frame["currency"] != CURRENCIES.index("CNY"))
    pick &= rng.random(len(pick)) < 0.5
    rows = {k: v[pick].copy() for k, v in frame.items()}
    rows["kind"][:] = 2
    rows["flag"][:] = 0
    rows["day"] = rows["day"] - rng.integers(0, 4, int(pick.sum()))
    rows["counterparty"][:] = CN
    rows["bank"] = rng.integers(0, 5, int(pick.sum()))
    return rows


def services(reg: Registry, begin: int, end: int, rng: np.random.Generator) -> Frame:
    """Service fees (freight, royalties, consulting): payments with no goods, by design."""
    rate = np.zeros(end - begin)
    purpose = np.zeros(end - begin, dtype=np.int64)
    for cluster, (per_year, code) in SERVICES.items():
        rows = reg.cluster[begin:end] == CLUSTER_NAMES.index(cluster)
        rate[rows] = per_year * reg.params.days / 365
        purpose[rows] = PURPOSES.index(code)
    rate[reg.lay.shell[begin:end] >= 0] = 0.0
    counts = rng.poisson(rate)
    ent = np.repeat(np.arange(begin, end), counts)
    founded = np.clip(reg.founded[ent], 0, reg.params.days - 1)
    day = founded + (rng.random(len(ent)) * (reg.params.days - founded)).astype(np.int64)
    partner = reg.partners[ent, rng.integers(0, PARTNERS, len(ent))]
    return raw_frame(
        enterprise=ent,
        day=day,
        kind=(rng.random(len(ent)) < 0.6).astype(np.int64),
        partner=partner,
        counterparty=reg.partner_country[partner],
        currency=np.full(len(ent), CURRENCIES.index("USD")),
        amount=np.round(rng.lognormal(np.log(20_000), 1.0, len(ent)), 2),
        purpose=np.repeat(purpose, counts),
        header=np.full(len(ent), -1),
    )


def raw_frame(**columns: np.ndarray) -> Frame:
    """A payments frame from its core columns; the rest get their neutral values."""
    n = len(columns["enterprise"])
    frame: Frame = {
        "bank": np.zeros(n, dtype=np.int64),
        "goods_value": np.full(n, np.nan),
        "flag": np.zeros(n, dtype=np.int64),
        "linked": columns["header"] >= 0,
    }
    frame.update(columns)
    return frame


def _frame(
    reg: Registry,
    heads: Headers,
    header: np.ndarray,
    *,
    day: np.ndarray,
    amount: np.ndarray,
    rng: np.random.Generator,
) -> Frame:
    mode = heads.mode[header]
    purpose = np.where(np.isin(mode, GENERAL), 0, np.where(np.isin(mode, PROCESSING), 1, 2))
    frame = raw_frame(
        enterprise=heads.enterprise[header],
        day=day,
        kind=np.where(heads.export[header], 0, 1).astype(np.int64),
        partner=heads.partner[header],
        counterparty=reg.partner_country[heads.partner[header]],
        currency=heads.currency[header],
        amount=amount,
        purpose=purpose.astype(np.int64),
        header=header,
    )
    frame["linked"] = rng.random(len(header)) < 0.85  # the rest settle without quoting it
    frame["linked"] |= heads.leg[header] >= 0
    return frame
