"""What a simulation is asked for: zone size, window, seed, activity and risk rates.

Every number here is a simulation assumption, not an observed statistic; docs/simulator.md
explains each one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

from lingang.errors import Invalid

DEFAULT_START = dt.date(2025, 1, 1)
DEFAULT_SEED = 20250101
ROWS_PER_CHUNK = 250_000  # target declaration rows per generation chunk (bounds memory)


@dataclass(frozen=True, slots=True)
class RiskRates:
    """How often each risk pattern is injected (shares of eligible enterprises or rows)."""

    undervaluation_firms: float = 0.02  # share of importers that undervalue
    undervaluation_rows: float = 0.4  # share of their import lines undervalued
    undervaluation_ratio: tuple[float, float] = (0.15, 0.45)  # declared / true value
    misclassification_firms: float = 0.015
    misclassification_rows: float = 0.5
    origin_laundering_firms: float = 0.01
    origin_laundering_rows: float = 0.6
    dg_concealment_firms: float = 0.05  # of enterprises that ship dangerous goods
    dg_concealment_rows: float = 0.5
    bonded_leakage_firms: float = 0.03  # of enterprises with bonded movements
    bonded_leakage_events: float = 4.0  # mean extra 'out' events per offender
    payment_mismatch_firms: float = 0.02
    payment_no_goods: float = 5.0  # mean goods payments with no goods per offender
    payment_over_share: float = 0.3  # share of an offender's payments inflated
    payment_over_factor: tuple[float, float] = (1.8, 4.0)
    circular_groups: float = 0.1  # share of related-party groups (>= 3 members) cycling
    circular_rounds: int = 3
    shell_clusters_per_1000: float = 2.0
    shell_cluster_size: tuple[int, int] = (3, 5)
    shell_flows: float = 12.0  # mean pass-through payment pairs per shell


@dataclass(frozen=True, slots=True)
class ZoneParams:
    """A zone to simulate; the same params (and seed) always give the same data."""

    enterprises: int = 2000
    days: int = 365
    start: dt.date = DEFAULT_START
    seed: int = DEFAULT_SEED
    declarations: int | None = None  # total declaration lines; default from the rate below
    lines_per_enterprise_year: float = 60.0
    risk: RiskRates = field(default_factory=RiskRates)

    def validated(self) -> ZoneParams:
        """The params, or ``Invalid`` naming the field that is out of range."""
        if not 1 <= self.enterprises <= 2_000_000:
            raise Invalid("enterprises", "must be between 1 and 2,000,000")
        if not 1 <= self.days <= 3660:
            raise Invalid("days", "must be between 1 and 3660")
        if self.declarations is not None and not 0 <= self.declarations <= 200_000_000:
            raise Invalid("declarations", "must be between 0 and 200,000,000")
        if not 0 <= self.seed < 2**63:
            raise Invalid("seed", "must be a non-negative 63-bit integer")
        return self

    @property
    def end(self) -> dt.date:
        """The last simulated day (inclusive)."""
        return self.start + dt.timedelta(days=self.days - 1)

    @property
    def target_lines(self) -> int:
        """Declaration lines the zone should hold, before risk patterns add their own."""
        if self.declarations is not None:
            return self.declarations
        return round(self.enterprises * self.lines_per_enterprise_year * self.days / 365)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values, for the manifest."""
        values = asdict(self)
        values["start"] = self.start.isoformat()
        return values
