"""The zone's register: every enterprise's attributes, people, holdings, trading partners,
activity level and risk role — everything the activity generator reads, drawn once."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from lingang.entities.industries import CLUSTERS, INDUSTRIES
from lingang.simulate import firms, people, text
from lingang.simulate.groups import Layout, Ownership, layout, ownership
from lingang.simulate.market import Market, build_market
from lingang.simulate.params import ROWS_PER_CHUNK, ZoneParams
from lingang.simulate.vocab import (
    COUNTRIES,
    PARTNER_QUALIFIERS,
    PARTNER_SECTORS,
    PARTNER_STEMS,
)

I64 = np.ndarray[tuple[int], np.dtype[np.int64]]
F64 = np.ndarray[tuple[int], np.dtype[np.float64]]
CLUSTER_NAMES = list(CLUSTERS)
# Share of enterprises per plan cluster (simulation assumption).
CLUSTER_MIX: dict[str, float] = {
    "ic": 0.12,
    "biomed": 0.10,
    "ai": 0.12,
    "aviation": 0.04,
    "nev": 0.10,
    "equipment": 0.10,
    "trade": 0.24,
    "logistics": 0.14,
    "finance": 0.04,
}
# cluster → (declaration activity, import share, bonded share, capital scale)
CLUSTER_PROFILE: dict[str, tuple[float, float, float, float]] = {
    "ic": (1.2, 0.65, 0.35, 2.0),
    "biomed": (0.8, 0.75, 0.2, 1.5),
    "ai": (0.6, 0.6, 0.2, 1.0),
    "aviation": (0.8, 0.8, 0.4, 5.0),
    "nev": (1.2, 0.4, 0.3, 4.0),
    "equipment": (0.9, 0.5, 0.3, 2.0),
    "trade": (1.5, 0.55, 0.35, 0.5),
    "logistics": (1.3, 0.5, 0.7, 0.5),
    "finance": (0.05, 0.9, 0.1, 3.0),
}
PORTFOLIO = 6  # subheadings an enterprise trades in
PARTNERS = 4  # foreign parties an enterprise trades with
ITEM_P = 0.45  # items per declaration ~ geometric(ITEM_P), mean 2.2
SHELL_INDUSTRIES = ("F5181", "F5179")


@dataclass(frozen=True, slots=True)
class Registry:
    """Per-enterprise arrays (index = enterprise), persons, holdings and partners."""

    params: ZoneParams
    market: Market
    lay: Layout
    owners: Ownership
    uscc: pa.StringArray
    name_zh: pa.Array[Any]
    name_en: pa.Array[Any]
    address: pa.Array[Any]
    phone: pa.Array[Any]
    industry: I64
    cluster: I64
    founded: I64  # day offset from params.start
    capital: F64
    aeo: I64  # 0 none, 1 general, 2 advanced
    headers: I64  # ordinary declarations to generate
    import_share: F64
    bonded_share: F64
    portfolio: np.ndarray  # (n, PORTFOLIO) subheading indices
    partners: np.ndarray  # (n, PARTNERS) partner indices
    person_name: pa.Array[Any]
    person_id: pa.StringArray
    partner_name: pa.Array[Any]
    partner_country: I64  # index into COUNTRIES

    @property
    def size(self) -> int:
        """Number of enterprises."""
        return len(self.industry)


def build_registry(params: ZoneParams, hs_path: Path) -> Registry:
    """Draw the register for ``params`` (deterministic in ``params.seed``)."""
    rng = stream(params.seed, "registry")
    market = build_market(hs_path)
    n = params.enterprises
    lay = layout(rng, params)
    owners = ownership(rng, lay)
    industry, cluster = _industries(rng, lay)
    profile = np.array([CLUSTER_PROFILE[c] for c in CLUSTER_NAMES])[cluster]
    founded = firms.founding_days(rng, n, params.start, params.days)
    founded = np.where(lay.shell >= 0, _shell_founding(rng, n, params.days), founded)
    capital = firms.capital_wan(rng, profile[:, 3])
    capital = np.where(lay.shell >= 0, rng.choice([10.0, 50.0, 100.0], n), capital)
    name_zh, name_en = firms.company_names(rng, cluster, CLUSTER_NAMES)
    partner_country, partner_name = _partner_pool(rng, max(300, n))
    portfolio = market.sample(np.repeat(industry, PORTFOLIO), rng.random(n * PORTFOLIO))
    return Registry(
        params=params, market=market, lay=lay, owners=owners,
        uscc=text.to_arrow(firms.usccs(rng, n)), name_zh=name_zh, name_en=name_en,
        address=_shared_within_shells(firms.addresses(rng, n), lay),
        phone=_shared_within_shells(firms.phones(rng, n), lay),
        industry=industry, cluster=cluster, founded=founded, capital=capital,
        aeo=_aeo(rng, capital, lay.shell >= 0),
        headers=_headers(rng, params, profile[:, 0], founded, lay.shell >= 0),
        import_share=profile[:, 1], bonded_share=profile[:, 2],
        portfolio=portfolio.reshape(n, PORTFOLIO),
        partners=rng.integers(0, len(partner_country), (n, PARTNERS)),
        person_name=people.person_names(rng, owners.persons),
        person_id=people.id_numbers(rng, owners.persons, *_birth_range(params)),
        partner_name=partner_name, partner_country=partner_country,
    )  # fmt: skip


def stream(seed: int, name: str, index: int = 0) -> np.random.Generator:
    """An independent PCG64 stream for one purpose (and chunk) of a seeded simulation."""
    key = [int(b) for b in name.encode()]
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence([seed, index, *key])))


def chunk_plan(registry: Registry) -> list[tuple[int, int]]:
    """Contiguous enterprise ranges of about ROWS_PER_CHUNK lines, cut between units."""
    lines = registry.headers / ITEM_P
    boundaries = np.flatnonzero(np.diff(registry.lay.unit)) + 1
    cumulative = np.cumsum(lines)
    plan: list[tuple[int, int]] = []
    begin, done = 0, 0.0
    for cut in boundaries.tolist():
        if cumulative[cut - 1] - done >= ROWS_PER_CHUNK:
            plan.append((begin, cut))
            begin, done = cut, float(cumulative[cut - 1])
    plan.append((begin, registry.size))
    return plan


def _industries(rng: np.random.Generator, lay: Layout) -> tuple[I64, I64]:
    n = len(lay.unit)
    mix = np.array([CLUSTER_MIX[c] for c in CLUSTER_NAMES])
    cluster = rng.choice(len(CLUSTER_NAMES), n, p=mix / mix.sum())
    same = (lay.parent != np.arange(n)) & (rng.random(n) < 0.6)
    cluster = np.where(same, cluster[lay.parent], cluster)
    codes = [[i for i, ind in enumerate(INDUSTRIES) if ind.cluster == c] for c in CLUSTER_NAMES]
    pick = rng.random(n)
    counts = np.array([len(c) for c in codes])[cluster]
    table = np.array([c + [c[0]] * (3 - len(c)) for c in codes])  # pad to the widest cluster
    industry = table[cluster, np.minimum((pick * counts).astype(np.int64), counts - 1)]
    shell_codes = [i for i, ind in enumerate(INDUSTRIES) if ind.code in SHELL_INDUSTRIES]
    shell_industry = np.array(shell_codes)[rng.integers(0, len(shell_codes), n)]
    industry = np.where(lay.shell >= 0, shell_industry, industry)
    cluster_of = np.array([CLUSTER_NAMES.index(ind.cluster) for ind in INDUSTRIES])
    return industry.astype(np.int64), cluster_of[industry].astype(np.int64)


def _shell_founding(rng: np.random.Generator, n: int, days: int) -> I64:
    """Shells are new: founded from 60 days before the window to its middle."""
    return rng.integers(-60, max(days // 2, 1), n).astype(np.int64)


def _headers(
    rng: np.random.Generator, params: ZoneParams, activity: F64, founded: I64, shell: np.ndarray
) -> I64:
    active = np.clip(params.days - np.maximum(founded, 0), 0, params.days) / params.days
    weight = rng.lognormal(0.0, 1.0, len(activity)) * activity * active
    weight = np.where(shell, weight * 0.05, weight)
    expected = params.target_lines * ITEM_P * weight / max(weight.sum(), 1e-12)
    return np.asarray(rng.poisson(expected), dtype=np.int64)


def _aeo(rng: np.random.Generator, capital: F64, shell: np.ndarray) -> I64:
    rank = np.argsort(np.argsort(capital)) / max(len(capital) - 1, 1)
    u = rng.random(len(capital))
    aeo = np.where(u < 0.06 * rank, 2, np.where(u < 0.2 * rank, 1, 0))
    return np.where(shell, 0, aeo).astype(np.int64)


def _shared_within_shells(values: pa.Array[Any], lay: Layout) -> pa.Array[Any]:
    """Shell clusters that share an address (not a legal rep) share address and phone."""
    n = len(lay.unit)
    source = np.arange(n)
    members = np.flatnonzero((lay.shell >= 0) & ~lay.shares_rep)
    if len(members):
        _, first = np.unique(lay.shell[members], return_index=True)
        head = dict(zip(lay.shell[members][first].tolist(), members[first].tolist(), strict=True))
        source[members] = [head[s] for s in lay.shell[members].tolist()]
    return values.take(text.ix(source))


def _partner_pool(rng: np.random.Generator, size: int) -> tuple[I64, pa.Array[Any]]:
    """Foreign trading parties: a country (by partner weight) and a fictitious name."""
    weights = np.array([w for _, w, _, _ in COUNTRIES])
    country = rng.choice(len(COUNTRIES), size, p=weights / weights.sum())
    country[0] = [c for c, *_ in COUNTRIES].index("US")  # every pool has a US party
    name = text.concat(
        text.pick(PARTNER_STEMS, rng.integers(0, len(PARTNER_STEMS), size)),
        " ",
        text.pick(PARTNER_SECTORS, rng.integers(0, len(PARTNER_SECTORS), size)),
        " ",
        text.pick(PARTNER_QUALIFIERS, rng.integers(0, len(PARTNER_QUALIFIERS), size)),
        text.pick([s for _, _, s, _ in COUNTRIES], country),
    )
    return country.astype(np.int64), name


def _birth_range(params: ZoneParams) -> tuple[dt.date, dt.date]:
    return dt.date(params.start.year - 65, 1, 1), dt.date(params.start.year - 24, 1, 1)
