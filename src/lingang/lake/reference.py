"""Reference sets the lake validates against: HS 2022 subheadings, ISO countries and currencies.

The HS nomenclature is read from the file named by ``Settings.hs_nomenclature`` (the public
HS 2022 table, ODC-PDDL); countries and currencies come from ``pycountry``'s ISO tables.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pycountry

from lingang.errors import Unavailable


@dataclass(frozen=True, slots=True)
class HsCode:
    """One HS 2022 code: chapter (2 digits), heading (4) or subheading (6)."""

    code: str
    description: str
    section: str
    level: int


@cache
def load_hs(path: Path) -> dict[str, HsCode]:
    """Every HS 2022 code in the file, by code; ``Unavailable`` names the path when missing."""
    if not path.is_file():
        raise Unavailable(
            f"HS 2022 nomenclature not found at {path}; set LINGANG_HS_NOMENCLATURE "
            "to the harmonized-system.csv file"
        )
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return {
        r["hscode"]: HsCode(r["hscode"], r["description"], r["section"], int(r["level"]))
        for r in rows
    }


def hs_subheadings(path: Path) -> frozenset[str]:
    """The six-digit HS 2022 subheadings (chapters 01–97, without the 999999 catch-all)."""
    return frozenset(
        code for code, hs in load_hs(path).items() if hs.level == 6 and "01" <= code[:2] <= "97"
    )


@cache
def countries() -> frozenset[str]:
    """ISO 3166-1 alpha-2 country codes."""
    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def currencies() -> frozenset[str]:
    """ISO 4217 alphabetic currency codes."""
    return frozenset(c.alpha_3 for c in pycountry.currencies)
