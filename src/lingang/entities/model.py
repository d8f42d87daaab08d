"""Enterprise domain model: the 统一社会信用代码 (USCC, GB 32100-2015) and the enterprise."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from lingang.errors import Invalid
from lingang.types import EnterpriseId

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    """The check character (18th) of a USCC, from its first 17 characters."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_uscc(value: str) -> str:
    """Normalise and check a USCC; ``Invalid`` names the reason (length, character, checksum)."""
    code = value.strip().upper()
    if len(code) != 18:
        raise Invalid("uscc", f"must be 18 characters, got {len(code)}")
    bad = [c for c in code if c not in USCC_ALPHABET]
    if bad:
        raise Invalid("uscc", f"character {bad[0]!r} is not allowed (I, O, Z, S, V are excluded)")
    if uscc_check_char(code[:17]) != code[17]:
        raise Invalid("uscc", "check character does not match (GB 32100-2015)")
    return code


def validate_name(field: str, value: str, *, required: bool) -> str:
    """Trimmed name of at most 200 characters."""
    name = value.strip()
    if required and not name:
        raise Invalid(field, "must not be empty")
    if len(name) > 200:
        raise Invalid(field, "must be at most 200 characters")
    return name


@dataclass(frozen=True, slots=True)
class Enterprise:
    """An enterprise registered in the zone."""

    id: EnterpriseId
    uscc: str
    name_zh: str
    name_en: str
    created_at: dt.datetime
