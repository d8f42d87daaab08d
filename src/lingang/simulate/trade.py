"""Customs declarations of one chunk of enterprises: headers, then lines, as numpy arrays.

Headers are sorted by day before they get their numbers, so numbers rise with time and say
nothing about which rows carry an injected pattern.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lingang.lake.catalog import TRADE_MODES, TRANSPORT_MODES, UNITS
from lingang.simulate.calendar import day_weights
from lingang.simulate.registry import CLUSTER_NAMES, ITEM_P, PARTNERS, PORTFOLIO, Registry
from lingang.simulate.risk.select import LEG_DAYS, Cycle, Roles
from lingang.simulate.vocab import COUNTRIES, FX_PER_USD

I64 = np.ndarray[tuple[int], np.dtype[np.int64]]
F64 = np.ndarray[tuple[int], np.dtype[np.float64]]
COUNTRY_CODES = [c for c, *_ in COUNTRIES] + ["CN"]
CN = len(COUNTRIES)
CURRENCIES = list(FX_PER_USD)
FX = np.array(list(FX_PER_USD.values()))
LOCAL_CURRENCY = np.array([CURRENCIES.index(c) for *_, c in COUNTRIES])
DISCRETE = np.isin(np.array(UNITS), ["PCE", "SET", "PR", "BX"])
PARTNER_P = np.array([0.5, 0.25, 0.15, 0.1])
PORTFOLIO_P = 1.0 / np.arange(1, PORTFOLIO + 1) ** 1.1
BONDED_MODES = ("0615", "0654", "0214", "5000", "5034", "1233", "1234", "1210")
# (general modes, bonded modes) with probabilities, for makers, traders and logistics firms.
MODE_MIX = {
    "maker": (
        (("0110", 0.97), ("9610", 0.03)),
        (("0615", 0.45), ("0654", 0.15), ("0214", 0.1), ("5000", 0.1), ("5034", 0.2)),
    ),
    "trader": (
        (("0110", 0.85), ("9610", 0.15)),
        (("1233", 0.3), ("1234", 0.25), ("1210", 0.25), ("5034", 0.2)),
    ),
    "logistics": ((("0110", 1.0),), (("5034", 0.45), ("1233", 0.3), ("1234", 0.25))),
}
OFFICE_BY_TRANSPORT = (
    "2248",
    "2233",
    "2218",
    "2218",
    "2233",
    "2248",
    "2218",
)  # 洋山 · 浦东机场 · 外港


@dataclass(slots=True)
class Headers:
    """One entry per declaration, sorted by day."""

    enterprise: I64
    day: I64
    export: np.ndarray
    mode: I64  # index into TRADE_MODES
    partner: I64
    currency: I64
    transport: I64
    declarant: I64
    items: I64
    seq: I64  # global sequence number, unique in the zone
    leg: I64  # index into the chunk's cycle legs, -1 for ordinary declarations

    @property
    def bonded(self) -> np.ndarray:
        """Headers under a bonded supervision mode."""
        return np.isin(self.mode, [TRADE_MODES.index(m) for m in BONDED_MODES])


@dataclass(slots=True)
class Lines:
    """One entry per declaration line; ``true_*`` hold the facts patterns may hide."""

    header: I64
    item_no: I64
    hs: I64
    true_hs: I64
    origin: I64
    true_origin: I64
    departure: I64
    quantity: F64
    value_usd: F64  # true value
    declared_usd: F64
    net_kg: F64
    dg: I64  # declared dangerous line, -1 none
    true_dg: I64


@dataclass(frozen=True, slots=True)
class Leg:
    """One export-then-import leg of a cycle round, in the chunk's numbering."""

    cycle: Cycle
    round: int
    leg: int


def build_headers(
    reg: Registry, roles: Roles, begin: int, end: int, first_seq: int, rng: np.random.Generator
) -> tuple[Headers, list[Leg]]:
    """Ordinary and cycle declarations of enterprises [begin, end), sorted by day, numbered."""
    legs = [Leg(c, r, j) for c in roles.legs_of(begin, end) for r in range(len(c.starts))
            for j in range(len(c.members))]  # fmt: skip
    parts = (_ordinary_headers(reg, roles, begin, end, rng), _cycle_headers(legs))
    merged = {f: np.concatenate([getattr(p, f) for p in parts]) for f in Headers.__slots__}
    order = np.argsort((merged["day"] << 31) | rng.integers(0, 2**31, len(merged["day"])),
                       kind="stable")  # fmt: skip
    headers = Headers(**{f: column[order] for f, column in merged.items()})
    headers.seq = first_seq + np.arange(len(order))
    return headers, legs


def _ordinary_headers(
    reg: Registry, roles: Roles, begin: int, end: int, rng: np.random.Generator
) -> Headers:
    enterprise = np.repeat(np.arange(begin, end), reg.headers[begin:end])
    n = len(enterprise)
    partner = roles.partners[enterprise, rng.choice(PARTNERS, n, p=PARTNER_P)]
    return Headers(
        enterprise=enterprise, day=_days(reg, enterprise, rng),
        export=rng.random(n) >= reg.import_share[enterprise], mode=_modes(reg, enterprise, rng),
        partner=partner, currency=_currencies(reg, partner, rng),
        transport=np.zeros(n, dtype=np.int64), declarant=_declarants(reg, enterprise, rng),
        items=np.minimum(rng.geometric(ITEM_P, n), 20), seq=np.zeros(n, dtype=np.int64),
        leg=np.full(n, -1, dtype=np.int64),
    )  # fmt: skip


def _cycle_headers(legs: list[Leg]) -> Headers:
    """Two one-line headers per leg: the export by one member, the import by the next."""
    enterprise, day, export, partner = _leg_headers(legs)
    n = len(enterprise)
    return Headers(
        enterprise=enterprise, day=day, export=export,
        mode=np.full(n, TRADE_MODES.index("0110")), partner=partner,
        currency=np.full(n, CURRENCIES.index("USD")), transport=np.zeros(n, dtype=np.int64),
        declarant=enterprise.copy(), items=np.ones(n, dtype=np.int64),
        seq=np.zeros(n, dtype=np.int64), leg=np.arange(n, dtype=np.int64) // 2,
    )  # fmt: skip


def build_lines(reg: Registry, heads: Headers, legs: list[Leg], rng: np.random.Generator) -> Lines:
    """Lines of every header: goods, quantities, prices, masses, origins, dangerous goods."""
    market = reg.market
    header = np.repeat(np.arange(len(heads.day)), heads.items)
    ent = heads.enterprise[header]
    hs = reg.portfolio[ent, rng.choice(PORTFOLIO, len(header), p=PORTFOLIO_P / PORTFOLIO_P.sum())]
    quantity, value = _quantities(reg, heads, header, legs, hs, rng)
    origin = _origins(reg, heads, header, rng)
    origin[heads.leg[header] >= 0] = CN
    dangerous = (market.dg[hs] >= 0) & (rng.random(len(header)) < market.dg_share[hs])
    dg = np.where(dangerous, market.dg[hs], -1)
    mass = quantity * market.kg_per_unit[hs] * rng.lognormal(0.0, 0.1, len(header))
    kg = np.where(market.unit[hs] == UNITS.index("KGM"), quantity, mass)
    heads.transport = _transport(market.median_usd[hs] / market.kg_per_unit[hs], header, heads, rng)
    starts = np.cumsum(heads.items) - heads.items
    return Lines(
        header=header, item_no=np.arange(len(header)) - starts[header] + 1, hs=hs,
        true_hs=hs.copy(), origin=origin, true_origin=origin.copy(),
        departure=np.where(heads.export[header], CN, reg.partner_country[heads.partner[header]]),
        quantity=quantity, value_usd=value, declared_usd=value.copy(),
        net_kg=np.round(kg, 3).astype(np.float64), dg=dg, true_dg=dg.copy(),
    )  # fmt: skip


def _quantities(
    reg: Registry, heads: Headers, header: I64, legs: list[Leg], hs: I64, rng: np.random.Generator
) -> tuple[F64, F64]:
    """Quantities (whole for pieces and sets) and true values in USD of each line."""
    market = reg.market
    firm_factor = rng.lognormal(0.0, 0.15, reg.size)[heads.enterprise[header]]
    unit_usd = market.median_usd[hs] * firm_factor * rng.lognormal(0.0, 0.35, len(header))
    quantity = rng.lognormal(np.log(30_000.0), 1.0, len(header)) / unit_usd
    _apply_legs(legs, heads, header, heads.leg[header] >= 0, hs, quantity, unit_usd)
    whole = DISCRETE[market.unit[hs]]
    quantity = np.where(
        whole, np.maximum(np.round(quantity), 1.0), np.maximum(np.round(quantity, 1), 0.1)
    )
    return quantity, np.maximum(np.round(quantity * unit_usd, 2), 0.01)


def declared_value(lines: Lines, heads: Headers) -> F64:
    """Declared value in the declaration's currency."""
    return np.asarray(np.round(lines.declared_usd * FX[heads.currency[lines.header]], 2))


def _days(reg: Registry, enterprise: I64, rng: np.random.Generator) -> I64:
    """Days by the calendar's weights, never before the enterprise was founded."""
    cdf = np.cumsum(day_weights(reg.params.start, reg.params.days))
    cdf /= cdf[-1]
    founded = np.clip(reg.founded[enterprise], 0, reg.params.days - 1)
    floor = np.where(founded > 0, cdf[founded - 1], 0.0)
    u = floor + rng.random(len(enterprise)) * (1.0 - floor)
    return np.minimum(np.searchsorted(cdf, u, side="right"), reg.params.days - 1).astype(np.int64)


def _leg_headers(legs: list[Leg]) -> tuple[I64, I64, np.ndarray, I64]:
    """Two headers per leg: the export by one member, the import by the next, two days on."""
    ent, day, export, partner = [], [], [], []
    for leg in legs:
        members = leg.cycle.members
        when = leg.cycle.starts[leg.round] + LEG_DAYS * leg.leg
        ent += [members[leg.leg], members[(leg.leg + 1) % len(members)]]
        day += [when, when + 2]
        export += [True, False]
        partner += [leg.cycle.via[leg.leg]] * 2
    return (
        np.array(ent, dtype=np.int64),
        np.array(day, dtype=np.int64),
        np.array(export, dtype=bool),
        np.array(partner, dtype=np.int64),
    )


def _apply_legs(
    legs: list[Leg],
    heads: Headers,
    header: I64,
    is_leg: np.ndarray,
    hs: I64,
    quantity: F64,
    unit_usd: F64,
) -> None:
    rows = np.flatnonzero(is_leg)
    for row in rows.tolist():
        leg = legs[int(heads.leg[header[row]])]
        hs[row] = leg.cycle.hs
        quantity[row] = leg.cycle.quantity
        unit_usd[row] = leg.cycle.unit_usd * 1.03**leg.leg * (1.0 + 0.01 * leg.round)


def _modes(reg: Registry, enterprise: I64, rng: np.random.Generator) -> I64:
    kind = np.array([_mode_kind(c) for c in CLUSTER_NAMES])[reg.cluster[enterprise]]
    bonded = rng.random(len(enterprise)) < reg.bonded_share[enterprise]
    mode = np.zeros(len(enterprise), dtype=np.int64)
    u = rng.random(len(enterprise))
    for name, (general, bonded_mix) in MODE_MIX.items():
        for is_bonded, mix in ((False, general), (True, bonded_mix)):
            rows = (kind == name) & (bonded == is_bonded)
            codes = np.array([TRADE_MODES.index(m) for m, _ in mix])
            cdf = np.cumsum([p for _, p in mix])
            mode[rows] = codes[
                np.minimum(np.searchsorted(cdf / cdf[-1], u[rows], side="right"), len(codes) - 1)
            ]
    return mode


def _mode_kind(cluster: str) -> str:
    if cluster == "logistics":
        return "logistics"
    return "trader" if cluster in ("trade", "finance") else "maker"


def _currencies(reg: Registry, partner: I64, rng: np.random.Generator) -> I64:
    u = rng.random(len(partner))
    local = LOCAL_CURRENCY[reg.partner_country[partner]]
    usd = CURRENCIES.index("USD")
    return np.where(u < 0.65, usd, np.where(u < 0.85, local, CURRENCIES.index("CNY"))).astype(
        np.int64
    )


def _declarants(reg: Registry, enterprise: I64, rng: np.random.Generator) -> I64:
    """The enterprise itself, or a customs broker among the zone's logistics firms."""
    brokers = np.flatnonzero(reg.cluster == CLUSTER_NAMES.index("logistics"))
    if not len(brokers):
        return enterprise.copy()
    broker = brokers[rng.integers(0, len(brokers), len(enterprise))]
    return np.where(rng.random(len(enterprise)) < 0.35, enterprise, broker)


def _origins(reg: Registry, heads: Headers, header: I64, rng: np.random.Generator) -> I64:
    """Exports are of Chinese origin; imports mostly from the partner's country."""
    weights = np.array([w for _, w, _, _ in COUNTRIES])
    other = rng.choice(len(COUNTRIES), len(header), p=weights / weights.sum())
    own = reg.partner_country[heads.partner[header]]
    origin = np.where(rng.random(len(header)) < 0.85, own, other)
    return np.where(heads.export[header], CN, origin).astype(np.int64)


def _transport(density: F64, header: I64, heads: Headers, rng: np.random.Generator) -> I64:
    """Light, valuable goods fly; the rest mostly sail (decided by the first line)."""
    first = np.flatnonzero(np.r_[True, header[1:] != header[:-1]])
    dense = density[first] > 150.0
    u = rng.random(len(first))
    sea, air, road, rail, post, multi = (
        TRANSPORT_MODES.index(m) for m in ("sea", "air", "road", "rail", "post", "multimodal")
    )
    light = np.select([u < 0.75, u < 0.95, u < 0.98], [air, sea, road], multi)
    heavy = np.select(
        [u < 0.8, u < 0.88, u < 0.94, u < 0.97, u < 0.99], [sea, air, road, rail, multi], post
    )
    return np.where(dense, light, heavy).astype(np.int64)
